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

/* A string field; NULL and "" are not written. */
static inline void ent_pbw_string(ent_pbw_t *w, unsigned field, const char *s)
{
    if (!s || !*s)
        return;
    size_t n = strlen(s);
    ent_pbw_tag(w, field, ENT_PB_LEN);
    ent_pbw_varint(w, n);
    if (ent_pbw_room(w, n)) {
        memcpy(w->p, s, n);
        w->p += n;
    }
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

#endif
