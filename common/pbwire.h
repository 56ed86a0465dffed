/*  pbwire.h — writing protobuf's wire format by hand, for the few messages
 *  packed so often that protobuf-c's descriptor-driven packer shows in the
 *  profiles (services/scheduler/hand_pack.c: the obligation events, a sixth
 *  of the scheduler's CPU while it ingests).
 *
 *  A writer fills a caller's buffer and remembers when the buffer was too
 *  small (it then writes nothing more; the caller falls back to
 *  protobuf-c).  The field writers follow proto3 and protobuf-c exactly:
 *  a string that is NULL or empty, an integer 0 and a false bool are not
 *  written; an int32 below zero is written sign-extended to ten bytes.
 *  Output written with them in field-number order is byte for byte what
 *  protobuf_c_message_pack writes (tests/unit/test_hand_pack.c).
 *
 *  A reader finds one length-delimited field in a packed message without
 *  unpacking the rest (services/records: the type and status of an
 *  employee's earlier interviews, looked at for every one created).
 */
#ifndef ENT_PBWIRE_H
#define ENT_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { ENT_PB_VARINT = 0, ENT_PB_LEN = 2 };

typedef struct {
    uint8_t *p;      /* where the next byte goes */
    uint8_t *end;    /* one past the buffer */
    bool full;       /* something did not fit: the output is incomplete */
} ent_pbw_t;

/* Bytes of v as a varint (1 to 10). */
static inline size_t ent_pb_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes v as a varint at out (room for ent_pb_varint_len(v) bytes);
 * returns the bytes written. */
static inline size_t ent_pb_varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t) (v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t) v;
    return n;
}

static inline void ent_pbw_init(ent_pbw_t *w, uint8_t *buf, size_t cap)
{
    w->p = buf;
    w->end = buf + cap;
    w->full = false;
}

/* Room for n more bytes (else the writer is full). */
static inline bool ent_pbw_room(ent_pbw_t *w, size_t n)
{
    if (w->full || (size_t) (w->end - w->p) < n) {
        w->full = true;
        return false;
    }
    return true;
}

static inline void ent_pbw_varint(ent_pbw_t *w, uint64_t v)
{
    if (ent_pbw_room(w, ent_pb_varint_len(v)))
        w->p += ent_pb_varint_put(w->p, v);
}

static inline void ent_pbw_tag(ent_pbw_t *w, unsigned field, unsigned wire)
{
    ent_pbw_varint(w, (uint64_t) field << 3 | wire);
}

/* A message field whose body (n bytes, possibly none) was written apart:
 * always written, as protobuf-c writes a message that is present. */
static inline void ent_pbw_message(ent_pbw_t *w, unsigned field, const uint8_t *body, size_t n)
{
    ent_pbw_tag(w, field, ENT_PB_LEN);
    ent_pbw_varint(w, n);
    if (ent_pbw_room(w, n)) {
        memcpy(w->p, body, n);
        w->p += n;
    }
}

/* A bytes field; an empty one is not written. */
static inline void ent_pbw_bytes(ent_pbw_t *w, unsigned field, const uint8_t *data, size_t n)
{
    if (n)
        ent_pbw_message(w, field, data, n);
}

/* A string field; NULL and "" are not written. */
static inline void ent_pbw_string(ent_pbw_t *w, unsigned field, const char *s)
{
    if (s)
        ent_pbw_bytes(w, field, (const uint8_t *) s, strlen(s));
}

/* An int32 field; 0 is not written, a negative one takes ten bytes. */
static inline void ent_pbw_int32(ent_pbw_t *w, unsigned field, int32_t v)
{
    if (!v)
        return;
    ent_pbw_tag(w, field, ENT_PB_VARINT);
    ent_pbw_varint(w, (uint64_t) (int64_t) v);
}

/* A uint32 field; 0 is not written. */
static inline void ent_pbw_uint32(ent_pbw_t *w, unsigned field, uint32_t v)
{
    if (!v)
        return;
    ent_pbw_tag(w, field, ENT_PB_VARINT);
    ent_pbw_varint(w, v);
}

/* A uint64 field; 0 is not written. */
static inline void ent_pbw_uint64(ent_pbw_t *w, unsigned field, uint64_t v)
{
    if (!v)
        return;
    ent_pbw_tag(w, field, ENT_PB_VARINT);
    ent_pbw_varint(w, v);
}

/* An int64 field; 0 is not written, a negative one takes ten bytes. */
static inline void ent_pbw_int64(ent_pbw_t *w, unsigned field, int64_t v)
{
    if (!v)
        return;
    ent_pbw_tag(w, field, ENT_PB_VARINT);
    ent_pbw_varint(w, (uint64_t) v);
}

/* A bool field; false is not written. */
static inline void ent_pbw_bool(ent_pbw_t *w, unsigned field, bool v)
{
    if (!v)
        return;
    ent_pbw_tag(w, field, ENT_PB_VARINT);
    ent_pbw_varint(w, 1);
}

/* A Date message field (entretiens.v1.Date: int32 year = 1, month = 2,
 * day = 3), present: an all-zero date is written empty. */
static inline void ent_pbw_ymd(ent_pbw_t *w, unsigned field, int32_t year, int32_t month, int32_t day)
{
    uint8_t body[33];
    ent_pbw_t b;
    ent_pbw_init(&b, body, sizeof body);
    ent_pbw_int32(&b, 1, year);
    ent_pbw_int32(&b, 2, month);
    ent_pbw_int32(&b, 3, day);
    ent_pbw_message(w, field, body, (size_t) (b.p - body));
}

/* ---- reading one field without unpacking the message ------------------- */

/* Reads a varint at *p (before end) into *v and moves *p past it.
 * Returns false when it runs past end or over ten bytes. */
static inline bool ent_pb_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; *p < end && shift < 70; shift += 7) {
        uint8_t b = *(*p)++;
        x |= (uint64_t) (b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/* The bytes of length-delimited field `field` (a string, bytes or a
 * message) of the packed message p (n bytes): the last occurrence, as
 * protobuf gives for a field that is not repeated.  Returns 1 with *out /
 * *len (pointing into p), 0 when the field is absent (*len 0: proto3's
 * empty string), or -1 when p is not well formed (a wire type protobuf-c
 * does not write for proto3, a length past the end): the caller unpacks
 * it the usual way and gets protobuf-c's verdict. */
static inline int ent_pb_field_bytes(const uint8_t *p, size_t n, unsigned field, const uint8_t **out, size_t *len)
{
    const uint8_t *end = p + n;
    int found = 0;
    *out = NULL;
    *len = 0;
    while (p < end) {
        uint64_t tag, v;
        if (!ent_pb_varint_get(&p, end, &tag))
            return -1;
        switch (tag & 7) {
        case ENT_PB_VARINT:
            if (!ent_pb_varint_get(&p, end, &v))
                return -1;
            break;
        case 1: /* 64-bit */
            if ((size_t) (end - p) < 8)
                return -1;
            p += 8;
            break;
        case 5: /* 32-bit */
            if ((size_t) (end - p) < 4)
                return -1;
            p += 4;
            break;
        case ENT_PB_LEN:
            if (!ent_pb_varint_get(&p, end, &v) || v > (uint64_t) (end - p))
                return -1;
            if ((tag >> 3) == field) {
                *out = p;
                *len = (size_t) v;
                found = 1;
            }
            p += v;
            break;
        default:
            return -1;
        }
    }
    return found;
}

/* Whether the bytes at b (len) are the NUL-terminated string s. */
static inline bool ent_pb_bytes_are(const uint8_t *b, size_t len, const char *s)
{
    return strlen(s) == len && (len == 0 || memcmp(b, s, len) == 0);
}

#endif
