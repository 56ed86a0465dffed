/* The obligation events packed by hand: the same bytes as protobuf-c's. */
#include "hand_pack.h"

#include "common/pbwire.h"

#include "test_rng.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s_rng = 0x2545f4914f6cdd1dull;

static uint64_t s_next(void)
{
    return test_rng_next(&s_rng);
}

/* Strings of every shape: NULL, empty, short, long (a length of two bytes
 * as a varint), UTF-8. */
static char *s_string(char *buf, size_t cap)
{
    switch (s_next() % 6) {
    case 0:
        return NULL;
    case 1:
        buf[0] = 0;
        return buf;
    case 2:
        snprintf(buf, cap, "Évaluation annuelle — É%llu", (unsigned long long) (s_next() % 1000));
        return buf;
    default: {
        size_t n = (size_t) (s_next() % (cap - 1)) + 1;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char) ('a' + s_next() % 26);
        buf[n] = 0;
        return buf;
    }
    }
}

static int32_t s_int(void)
{
    switch (s_next() % 5) {
    case 0:
        return 0;
    case 1:
        return -(int32_t) (s_next() % 100000) - 1;
    case 2:
        return INT32_MIN;
    case 3:
        return INT32_MAX;
    default:
        return (int32_t) (s_next() % 5000);
    }
}

/* Room for one message's strings and dates. */
typedef struct {
    Entretiens__V1__Date dates[8];
    char strings[24][400];
    size_t ns, nd;
} s_room_t;

/* Every field the descriptor has, set at random through the descriptor:
 * a field added to the message and not to hand_pack.c makes the bytes
 * differ, and a field of a type not known here fails the test. */
static void s_fill(ProtobufCMessage *m, s_room_t *r)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    r->ns = r->nd = 0;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[i];
        void *member = (char *) m + fd->offset;
        cr_assert_eq(fd->label, PROTOBUF_C_LABEL_NONE, "field %s: a label hand_pack.c does not write", fd->name);
        switch (fd->type) {
        case PROTOBUF_C_TYPE_STRING:
            cr_assert_lt(r->ns, 24);
            *(char **) member = s_string(r->strings[r->ns], sizeof r->strings[r->ns]);
            r->ns++;
            break;
        case PROTOBUF_C_TYPE_INT32:
            *(int32_t *) member = s_int();
            break;
        case PROTOBUF_C_TYPE_UINT32:
            *(uint32_t *) member = (uint32_t) s_int();
            break;
        case PROTOBUF_C_TYPE_BOOL:
            *(protobuf_c_boolean *) member = s_next() % 2;
            break;
        case PROTOBUF_C_TYPE_MESSAGE:
            cr_assert_eq(fd->descriptor, &entretiens__v1__date__descriptor, "field %s", fd->name);
            cr_assert_lt(r->nd, 8);
            if (s_next() % 4 == 0) {
                *(Entretiens__V1__Date **) member = NULL;
            } else {
                Entretiens__V1__Date *date = &r->dates[r->nd++];
                entretiens__v1__date__init(date);
                date->year = s_next() % 5 ? 1990 + (int32_t) (s_next() % 80) : s_int();
                date->month = s_next() % 5 ? 1 + (int32_t) (s_next() % 12) : 0;
                date->day = s_next() % 5 ? 1 + (int32_t) (s_next() % 28) : 0;
                *(Entretiens__V1__Date **) member = date;
            }
            break;
        default:
            cr_assert_fail("field %s: a type hand_pack.c does not write", fd->name);
        }
    }
}

typedef struct {
    Entretiens__V1__Obligation o;
    Entretiens__V1__ObligationEvent ev;
    s_room_t room;
} s_obl_t;

static void s_fill_obligation(s_obl_t *f)
{
    entretiens__v1__obligation__init(&f->o);
    entretiens__v1__obligation_event__init(&f->ev);
    f->ev.obligation = &f->o;
    s_fill(&f->o.base, &f->room);
}

Test(hand_pack, same_bytes_as_protobuf_c)
{
    static s_obl_t f;
    static uint8_t want[16384], got[16384];
    for (int round = 0; round < 5000; round++) {
        s_fill_obligation(&f);
        size_t wn = entretiens__v1__obligation_event__get_packed_size(&f.ev);
        cr_assert_leq(wn, sizeof want);
        cr_assert_eq(entretiens__v1__obligation_event__pack(&f.ev, want), wn);
        size_t gn = 0;
        cr_assert_eq(sched_obligation_event_pack(&f.ev, got, sizeof got, &gn), 0);
        cr_assert_eq(gn, wn, "round %d: %zu bytes, protobuf-c %zu", round, gn, wn);
        cr_assert_eq(memcmp(got, want, wn), 0, "round %d: the bytes differ", round);
        /* and they read back */
        Entretiens__V1__ObligationEvent *back = entretiens__v1__obligation_event__unpack(NULL, gn, got);
        cr_assert_not_null(back);
        entretiens__v1__obligation_event__free_unpacked(back, NULL);
    }
}

Test(hand_pack, too_small_a_buffer_is_refused)
{
    static s_obl_t f;
    static uint8_t want[16384], got[16384];
    for (int round = 0; round < 200; round++) {
        s_fill_obligation(&f);
        size_t wn = entretiens__v1__obligation_event__pack(&f.ev, want);
        size_t gn = 1;
        /* every size short of the output: ENOSPC, nothing written past cap */
        for (size_t cap = 0; cap < wn; cap += 1 + wn / 40) {
            memset(got, 0xa5, sizeof got);
            cr_assert_eq(sched_obligation_event_pack(&f.ev, got, cap, &gn), ENOSPC, "cap %zu of %zu", cap, wn);
            for (size_t i = cap; i < cap + 64 && i < sizeof got; i++)
                cr_assert_eq(got[i], 0xa5, "a byte written at %zu, past cap %zu", i, cap);
        }
        /* with the 5 bytes of room the header promises: packed */
        cr_assert_eq(sched_obligation_event_pack(&f.ev, got, wn + 5, &gn), 0);
        cr_assert_eq(gn, wn);
        cr_assert_eq(memcmp(got, want, wn), 0);
    }
}

Test(hand_pack, an_event_without_obligation_is_empty)
{
    Entretiens__V1__ObligationEvent ev = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    uint8_t buf[8];
    size_t n = 99;
    cr_assert_eq(entretiens__v1__obligation_event__get_packed_size(&ev), 0);
    cr_assert_eq(sched_obligation_event_pack(&ev, buf, sizeof buf, &n), 0);
    cr_assert_eq(n, 0);
}

Test(hand_pack, employee_same_bytes_as_protobuf_c)
{
    static Entretiens__V1__Employee e;
    static s_room_t room;
    static uint8_t want[16384], got[16384], up[16384];
    for (int round = 0; round < 5000; round++) {
        entretiens__v1__employee__init(&e);
        s_fill(&e.base, &room);
        size_t wn = entretiens__v1__employee__pack(&e, want);
        size_t gn = 0;
        cr_assert_eq(sched_employee_pack(&e, got, sizeof got, &gn), 0);
        cr_assert_eq(gn, wn, "round %d: %zu bytes, protobuf-c %zu", round, gn, wn);
        cr_assert_eq(memcmp(got, want, wn), 0, "round %d: the bytes differ", round);
        /* the EmployeeUpserted built from those bytes and a head */
        Entretiens__V1__EmployeeUpserted u = ENTRETIENS__V1__EMPLOYEE_UPSERTED__INIT;
        u.employee = &e;
        size_t un = entretiens__v1__employee_upserted__pack(&u, up);
        uint8_t head[6];
        size_t hl = sched_employee_upserted_head(gn, head);
        cr_assert_eq(hl + gn, un);
        cr_assert_eq(memcmp(up, head, hl), 0);
        cr_assert_eq(memcmp(up + hl, got, gn), 0);
        /* too small by one byte: refused */
        if (wn)
            cr_assert_eq(sched_employee_pack(&e, got, wn - 1, &gn), ENOSPC);
    }
}

/* The reader of one field (common/pbwire.h) finds in protobuf-c's bytes
 * every string field of random employees as protobuf-c unpacks it (absent
 * when empty), and a date as its packed message; a message cut short or
 * with a wire type proto3 does not use is not well formed. */
Test(hand_pack, one_field_read_without_unpacking)
{
    static Entretiens__V1__Employee e;
    static s_room_t room;
    static uint8_t buf[16384];
    const ProtobufCMessageDescriptor *d = &entretiens__v1__employee__descriptor;
    for (int round = 0; round < 2000; round++) {
        entretiens__v1__employee__init(&e);
        s_fill(&e.base, &room);
        size_t n = entretiens__v1__employee__pack(&e, buf);
        for (unsigned i = 0; i < d->n_fields; i++) {
            const ProtobufCFieldDescriptor *fd = &d->fields[i];
            const void *member = (const char *) &e + fd->offset;
            const uint8_t *got;
            size_t len;
            int rc = ent_pb_field_bytes(buf, n, fd->id, &got, &len);
            if (fd->type == PROTOBUF_C_TYPE_STRING) {
                const char *want = *(char *const *) member;
                if (!want)
                    want = ""; /* protobuf-c writes NULL as nothing */
                cr_assert_eq(rc, *want ? 1 : 0, "round %d, field %s", round, fd->name);
                cr_assert(ent_pb_bytes_are(got, len, want), "round %d, field %s", round, fd->name);
            } else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
                const Entretiens__V1__Date *want = *(Entretiens__V1__Date *const *) member;
                cr_assert_eq(rc, want ? 1 : 0, "round %d, field %s", round, fd->name);
                if (want) {
                    uint8_t packed[64];
                    size_t pn = entretiens__v1__date__pack(want, packed);
                    cr_assert_eq(len, pn);
                    cr_assert_eq(memcmp(got, packed, pn), 0);
                }
            } else {
                cr_assert_eq(rc, 0, "round %d, field %s: not length-delimited", round, fd->name);
            }
        }
        /* cut anywhere inside a field: not well formed, or the fields before the cut */
        for (size_t cut = 1; cut < n; cut += 1 + n / 16) {
            const uint8_t *got;
            size_t len;
            int rc = ent_pb_field_bytes(buf, cut, 15, &got, &len);
            cr_assert(rc >= -1 && rc <= 1);
            if (rc == 1)
                cr_assert_leq(got + len, buf + cut, "a field read past the cut");
        }
    }
    const uint8_t group[] = { 0x7b, 0x01 }; /* field 15, wire type 3 (a group) */
    const uint8_t *got;
    size_t len;
    cr_assert_eq(ent_pb_field_bytes(group, sizeof group, 15, &got, &len), -1);
    const uint8_t past[] = { 0x7a, 0x05, 'a', 'b' }; /* field 15, length 5 of 2 */
    cr_assert_eq(ent_pb_field_bytes(past, sizeof past, 15, &got, &len), -1);
    const uint8_t twice[] = { 0x7a, 0x01, 'a', 0x7a, 0x02, 'b', 'c' }; /* the last one counts */
    cr_assert_eq(ent_pb_field_bytes(twice, sizeof twice, 15, &got, &len), 1);
    cr_assert(ent_pb_bytes_are(got, len, "bc"));
}

/* An employee's obligations answered by hand: the ObligationsReply of 0
 * to 12 random obligations is byte for byte protobuf-c's, and a buffer
 * too small is refused. */
Test(hand_pack, obligations_reply_same_bytes_as_protobuf_c)
{
    static s_obl_t f[12];
    static uint8_t want[65536], got[65536];
    for (int round = 0; round < 1500; round++) {
        size_t n = (size_t) round % 13;
        Entretiens__V1__Obligation *ptrs[12];
        for (size_t i = 0; i < n; i++) {
            s_fill_obligation(&f[i]);
            ptrs[i] = &f[i].o;
        }
        Entretiens__V1__ObligationsReply rep = ENTRETIENS__V1__OBLIGATIONS_REPLY__INIT;
        rep.n_obligations = n;
        rep.obligations = ptrs;
        size_t wn = entretiens__v1__obligations_reply__get_packed_size(&rep);
        cr_assert_leq(wn, sizeof want);
        cr_assert_eq(entretiens__v1__obligations_reply__pack(&rep, want), wn);
        size_t gn = 99;
        cr_assert_eq(sched_obligations_reply_pack(ptrs, n, got, sizeof got, &gn), 0);
        cr_assert_eq(gn, wn, "round %d: %zu bytes, protobuf-c %zu", round, gn, wn);
        cr_assert_eq(memcmp(got, want, wn), 0, "round %d: the bytes differ", round);
        if (n)
            cr_assert_eq(sched_obligations_reply_pack(ptrs, n, got, wn / 2, &gn), ENOSPC);
    }
}
