/*  test_records_pack.c — the interview header and its event packed by
 *  hand (services/records/rec_pack.h) against protobuf-c: every field set
 *  at random through the messages' descriptors (a field added to the .proto
 *  and not to pack.c makes the bytes differ; a field of a type not known
 *  here fails the test), the lists left to protobuf-c refused, buffers too
 *  small refused without a byte written past them. */
#include "rec_pack.h"

#include "test_rng.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s_rng = 0x9e3779b97f4a7c15ull;

static uint64_t s_next(void)
{
    return test_rng_next(&s_rng);
}

/* Room for one message's strings, bytes and nested messages. */
typedef struct {
    char strings[64][300];
    uint8_t bytes[4][400];
    Entretiens__V1__Date dates[8];
    Entretiens__V1__Signature sigs[2];
    size_t ns, nb, nd, ng;
} s_room_t;

/* NULL, empty, short, or longer than 127 bytes (a two-byte length). */
static char *s_string(s_room_t *r)
{
    cr_assert_lt(r->ns, 64);
    char *buf = r->strings[r->ns++];
    switch (s_next() % 6) {
    case 0:
        return NULL;
    case 1:
        buf[0] = '\0';
        return buf;
    case 2: {
        size_t n = 128 + s_next() % 160;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char) ('a' + s_next() % 26);
        buf[n] = '\0';
        return buf;
    }
    default:
        snprintf(buf, 300, "v%llu-é", (unsigned long long) (s_next() % 100000));
        return buf;
    }
}

static int64_t s_int64(void)
{
    switch (s_next() % 5) {
    case 0:
        return 0;
    case 1:
        return -(int64_t) (s_next() % 1000000) - 1;
    case 2:
        return INT64_MAX - (int64_t) (s_next() % 3);
    default:
        return (int64_t) (s_next() % 2000000000000ull);
    }
}

static void s_fill(ProtobufCMessage *m, s_room_t *r, const unsigned *repeated, size_t n_repeated);

static void s_fill_field(ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, s_room_t *r)
{
    void *member = (char *) m + fd->offset;
    switch (fd->type) {
    case PROTOBUF_C_TYPE_STRING:
        *(char **) member = s_string(r);
        break;
    case PROTOBUF_C_TYPE_INT64:
        *(int64_t *) member = s_int64();
        break;
    case PROTOBUF_C_TYPE_UINT32:
        *(uint32_t *) member = s_next() % 3 == 0 ? 0 : (uint32_t) s_next();
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *) member = s_next() % 2;
        break;
    case PROTOBUF_C_TYPE_BYTES: {
        cr_assert_lt(r->nb, 4);
        uint8_t *b = r->bytes[r->nb++];
        size_t n = s_next() % 3 == 0 ? 0 : s_next() % sizeof r->bytes[0];
        for (size_t i = 0; i < n; i++)
            b[i] = (uint8_t) s_next();
        *(ProtobufCBinaryData *) member = (ProtobufCBinaryData) { n, n ? b : NULL };
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        if (s_next() % 4 == 0) {
            *(void **) member = NULL;
        } else if (fd->descriptor == &entretiens__v1__date__descriptor) {
            cr_assert_lt(r->nd, 8);
            Entretiens__V1__Date *d = &r->dates[r->nd++];
            entretiens__v1__date__init(d);
            d->year = s_next() % 5 ? 1990 + (int32_t) (s_next() % 80) : -(int32_t) (s_next() % 100);
            d->month = s_next() % 5 ? 1 + (int32_t) (s_next() % 12) : 0;
            d->day = s_next() % 5 ? 1 + (int32_t) (s_next() % 28) : 0;
            *(void **) member = d;
        } else if (fd->descriptor == &entretiens__v1__signature__descriptor) {
            cr_assert_lt(r->ng, 2);
            Entretiens__V1__Signature *sg = &r->sigs[r->ng++];
            entretiens__v1__signature__init(sg);
            s_fill(&sg->base, r, NULL, 0);
            *(void **) member = sg;
        } else {
            cr_assert_fail("field %s: a message type pack.c does not write", fd->name);
        }
        break;
    default:
        cr_assert_fail("field %s: a type pack.c does not write", fd->name);
    }
}

/* Every field of m at random; the repeated ones must be among repeated
 * (the lists pack.c refuses) and are left empty. */
static void s_fill(ProtobufCMessage *m, s_room_t *r, const unsigned *repeated, size_t n_repeated)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[i];
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            bool known = false;
            for (size_t j = 0; j < n_repeated; j++)
                known |= repeated[j] == fd->id;
            cr_assert(known, "field %s: a list pack.c does not know", fd->name);
            continue;
        }
        cr_assert_eq(fd->label, PROTOBUF_C_LABEL_NONE, "field %s: a label pack.c does not write", fd->name);
        s_fill_field(m, fd, r);
    }
}

static const unsigned s_iv_lists[] = { 34, 35 };
static const unsigned s_ev_lists[] = { 30, 31, 32, 33, 34, 35 };

typedef int (*s_pack_fn)(const void *msg, uint8_t *buf, size_t cap, size_t *len);

static int s_iv_pack(const void *m, uint8_t *buf, size_t cap, size_t *len)
{
    return rec_interview_pack(m, buf, cap, len);
}

static int s_ev_pack(const void *m, uint8_t *buf, size_t cap, size_t *len)
{
    return rec_interview_event_pack(m, buf, cap, len);
}

/* rounds random messages: same bytes as protobuf-c, and every buffer
 * short of them refused without a byte written past it */
static void s_compare(ProtobufCMessage *m, void (*init)(void *), const unsigned *lists, size_t n_lists, s_pack_fn pack,
                      int rounds)
{
    static s_room_t room;
    static uint8_t want[65536], got[65536];
    for (int round = 0; round < rounds; round++) {
        init(m);
        memset(&room, 0, sizeof room);
        s_fill(m, &room, lists, n_lists);
        size_t wn = protobuf_c_message_get_packed_size(m);
        cr_assert_leq(wn, sizeof want);
        cr_assert_eq(protobuf_c_message_pack(m, want), wn);
        size_t gn = 0;
        cr_assert_eq(pack(m, got, sizeof got, &gn), 0, "round %d", round);
        cr_assert_eq(gn, wn, "round %d: %zu bytes, protobuf-c %zu", round, gn, wn);
        cr_assert_eq(memcmp(got, want, wn), 0, "round %d: the bytes differ", round);
        if (round % 50 == 0) {
            for (size_t cap = 0; cap < wn; cap += 1 + wn / 30) {
                memset(got, 0xa5, sizeof got);
                cr_assert_eq(pack(m, got, cap, &gn), ENOSPC, "cap %zu of %zu", cap, wn);
                for (size_t i = cap; i < cap + 64 && i < sizeof got; i++)
                    cr_assert_eq(got[i], 0xa5, "a byte written at %zu, past cap %zu", i, cap);
            }
        }
    }
}

static void s_iv_init(void *m)
{
    entretiens__v1__interview__init(m);
}

static void s_ev_init(void *m)
{
    entretiens__v1__interview_event__init(m);
}

Test(records_pack, interview_same_bytes_as_protobuf_c)
{
    static Entretiens__V1__Interview iv;
    s_compare(&iv.base, s_iv_init, s_iv_lists, 2, s_iv_pack, 4000);
}

Test(records_pack, interview_event_same_bytes_as_protobuf_c)
{
    static Entretiens__V1__InterviewEvent ev;
    s_compare(&ev.base, s_ev_init, s_ev_lists, 6, s_ev_pack, 4000);
}

Test(records_pack, the_lists_are_left_to_protobuf_c)
{
    uint8_t buf[4096];
    size_t n = 0;
    Entretiens__V1__Objective o = ENTRETIENS__V1__OBJECTIVE__INIT, *op = &o;
    Entretiens__V1__Interview iv = ENTRETIENS__V1__INTERVIEW__INIT;
    iv.id = "IV00000001";
    cr_assert_eq(rec_interview_pack(&iv, buf, sizeof buf, &n), 0);
    iv.n_carried_objectives = 1;
    iv.carried_objectives = &op;
    cr_assert_eq(rec_interview_pack(&iv, buf, sizeof buf, &n), ENOTSUP);
    iv.n_carried_objectives = 0;
    Entretiens__V1__ActionItem a = ENTRETIENS__V1__ACTION_ITEM__INIT, *ap = &a;
    iv.n_carried_action_items = 1;
    iv.carried_action_items = &ap;
    cr_assert_eq(rec_interview_pack(&iv, buf, sizeof buf, &n), ENOTSUP);

    Entretiens__V1__InterviewEvent ev = ENTRETIENS__V1__INTERVIEW_EVENT__INIT;
    ev.interview_id = "IV00000001";
    cr_assert_eq(rec_interview_event_pack(&ev, buf, sizeof buf, &n), 0);
    Entretiens__V1__Competency c = ENTRETIENS__V1__COMPETENCY__INIT, *cp = &c;
    ev.n_competencies = 1;
    ev.competencies = &cp;
    cr_assert_eq(rec_interview_event_pack(&ev, buf, sizeof buf, &n), ENOTSUP);
}
