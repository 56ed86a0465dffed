/*  test_pbfast.c — one-pass unpacking (common/pbfast.h) against protobuf-c:
 *  random messages of the kinds the consumers unpack for every event (the
 *  envelope, an obligation event, an employee record, an interview
 *  header), every field set through the descriptors, unpacked both ways
 *  and compared field by field; then the same bytes corrupted at random,
 *  where whatever the one pass accepts protobuf-c accepts too, equal; and
 *  the cases it leaves to protobuf-c. */
#include "common/pbarena.h"
#include "common/pbfast.h"
#include "proto/envelope.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include "test_rng.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s_rng = 0x2545f4914f6cdd1dull;

static uint64_t s_next(void)
{
    return test_rng_next(&s_rng);
}

/* Everything a random message points to, freed at the end of a round. */
typedef struct {
    void *p[512];
    size_t n;
} s_pool_t;

static void *s_keep(s_pool_t *pool, void *p)
{
    cr_assert_not_null(p);
    cr_assert_lt(pool->n, 512);
    return pool->p[pool->n++] = p;
}

static void s_pool_free(s_pool_t *pool)
{
    for (size_t i = 0; i < pool->n; i++)
        free(pool->p[i]);
    pool->n = 0;
}

static void s_random(ProtobufCMessage *m, s_pool_t *pool, int depth);

static void s_random_field(ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, s_pool_t *pool, int depth)
{
    void *member = (char *) m + fd->offset;
    switch (fd->type) {
    case PROTOBUF_C_TYPE_STRING: {
        size_t n = s_next() % 4 == 0 ? 0 : s_next() % 200;
        char *s = s_keep(pool, malloc(n + 1));
        for (size_t i = 0; i < n; i++)
            s[i] = (char) (0x20 + s_next() % 0x5f);
        s[n] = '\0';
        *(char **) member = s_next() % 5 == 0 ? (char *) protobuf_c_empty_string : s;
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        size_t n = s_next() % 3 == 0 ? 0 : s_next() % 300;
        uint8_t *b = n ? s_keep(pool, malloc(n)) : NULL;
        for (size_t i = 0; i < n; i++)
            b[i] = (uint8_t) s_next();
        *(ProtobufCBinaryData *) member = (ProtobufCBinaryData) { n, b };
        break;
    }
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
        *(uint32_t *) member = s_next() % 3 == 0 ? 0 : (uint32_t) s_next(); /* negative int32s too */
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        *(uint64_t *) member = s_next() % 3 == 0 ? 0 : s_next() >> (s_next() % 64);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *) member = s_next() % 2;
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        if (depth > 3 || s_next() % 4 == 0) {
            *(void **) member = NULL;
        } else {
            const ProtobufCMessageDescriptor *d = fd->descriptor;
            ProtobufCMessage *sub = s_keep(pool, malloc(d->sizeof_message));
            d->message_init(sub);
            s_random(sub, pool, depth + 1);
            *(void **) member = sub;
        }
        break;
    default:
        break; /* left at its default: the one pass gives up on the type if it is ever written */
    }
}

static void s_random(ProtobufCMessage *m, s_pool_t *pool, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].label == PROTOBUF_C_LABEL_NONE)
            s_random_field(m, &d->fields[i], pool, depth);
}

/* Field by field, recursively. */
static void s_equal(const ProtobufCMessage *a, const ProtobufCMessage *b, const char *where)
{
    cr_assert_eq(a->descriptor, b->descriptor, "%s", where);
    const ProtobufCMessageDescriptor *d = a->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[i];
        const void *ma = (const char *) a + fd->offset, *mb = (const char *) b + fd->offset;
        if (fd->label != PROTOBUF_C_LABEL_NONE) {
            cr_assert_eq(*(const size_t *) ((const char *) a + fd->quantifier_offset),
                         *(const size_t *) ((const char *) b + fd->quantifier_offset), "%s.%s", where, fd->name);
            continue;
        }
        switch (fd->type) {
        case PROTOBUF_C_TYPE_STRING:
            cr_assert_str_eq(*(char *const *) ma, *(char *const *) mb, "%s.%s", where, fd->name);
            break;
        case PROTOBUF_C_TYPE_BYTES: {
            const ProtobufCBinaryData *x = ma, *y = mb;
            cr_assert_eq(x->len, y->len, "%s.%s", where, fd->name);
            cr_assert_eq(x->data == NULL, y->data == NULL, "%s.%s", where, fd->name);
            if (x->len)
                cr_assert_eq(memcmp(x->data, y->data, x->len), 0, "%s.%s", where, fd->name);
            break;
        }
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_UINT32:
            cr_assert_eq(*(const uint32_t *) ma, *(const uint32_t *) mb, "%s.%s", where, fd->name);
            break;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
            cr_assert_eq(*(const uint64_t *) ma, *(const uint64_t *) mb, "%s.%s", where, fd->name);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            cr_assert_eq(*(const protobuf_c_boolean *) ma, *(const protobuf_c_boolean *) mb, "%s.%s", where,
                         fd->name);
            break;
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *x = *(ProtobufCMessage *const *) ma, *y = *(ProtobufCMessage *const *) mb;
            cr_assert_eq(x == NULL, y == NULL, "%s.%s", where, fd->name);
            if (x) {
                char sub[256];
                snprintf(sub, sizeof sub, "%s.%s", where, fd->name);
                s_equal(x, y, sub);
            }
            break;
        }
        default:
            break;
        }
    }
    cr_assert_eq(a->n_unknown_fields, b->n_unknown_fields, "%s", where);
}

static const ProtobufCMessageDescriptor *s_kinds[] = {
    &entretiens__v1__event_envelope__descriptor, &entretiens__v1__obligation_event__descriptor,
    &entretiens__v1__employee__descriptor, &entretiens__v1__employee_upserted__descriptor,
    &entretiens__v1__date__descriptor,
};

Test(pbfast, random_messages_unpack_as_protobuf_c_unpacks_them)
{
    ent_pbarena_t *arena = ent_pbarena_new(4096);
    ProtobufCAllocator *al = ent_pbarena_allocator(arena);
    static uint8_t buf[65536];
    s_pool_t pool = { .n = 0 };
    int fast = 0;
    for (int round = 0; round < 6000; round++) {
        const ProtobufCMessageDescriptor *d = s_kinds[round % (sizeof s_kinds / sizeof *s_kinds)];
        ProtobufCMessage *m = s_keep(&pool, malloc(d->sizeof_message));
        d->message_init(m);
        s_random(m, &pool, 0);
        size_t n = protobuf_c_message_get_packed_size(m);
        cr_assert_leq(n, sizeof buf);
        protobuf_c_message_pack(m, buf);
        ProtobufCMessage *want = protobuf_c_message_unpack(d, NULL, n, buf);
        cr_assert_not_null(want);
        ProtobufCMessage *got = ent_pbfast_unpack(d, al, n, buf);
        cr_assert_not_null(got, "round %d (%s): the one pass gave up on protobuf-c's own output", round, d->name);
        s_equal(want, got, d->name);
        fast++;
        protobuf_c_message_free_unpacked(want, NULL);
        ent_pbarena_reset(arena);
        s_pool_free(&pool);
    }
    cr_assert_eq(fast, 6000);
    ent_pbarena_destroy(&arena);
}

Test(pbfast, corrupted_input_is_accepted_only_where_protobuf_c_accepts_it_alike)
{
    ent_pbarena_t *arena = ent_pbarena_new(4096);
    ProtobufCAllocator *al = ent_pbarena_allocator(arena);
    static uint8_t buf[65536];
    s_pool_t pool = { .n = 0 };
    int accepted = 0, refused = 0;
    for (int round = 0; round < 20000; round++) {
        const ProtobufCMessageDescriptor *d = s_kinds[round % (sizeof s_kinds / sizeof *s_kinds)];
        ProtobufCMessage *m = s_keep(&pool, malloc(d->sizeof_message));
        d->message_init(m);
        s_random(m, &pool, 0);
        size_t n = protobuf_c_message_pack(m, buf);
        /* one to four bytes changed, or the input cut short */
        if (n && s_next() % 4 == 0) {
            n = s_next() % n;
        } else if (n) {
            for (int k = 1 + (int) (s_next() % 4); k > 0; k--)
                buf[s_next() % n] ^= (uint8_t) (1u << (s_next() % 8));
        }
        ProtobufCMessage *got = ent_pbfast_unpack(d, al, n, buf);
        ProtobufCMessage *want = protobuf_c_message_unpack(d, NULL, n, buf);
        if (got) {
            cr_assert_not_null(want, "round %d (%s): accepted what protobuf-c refuses", round, d->name);
            s_equal(want, got, d->name);
            accepted++;
        } else {
            refused++;
        }
        if (want)
            protobuf_c_message_free_unpacked(want, NULL);
        ent_pbarena_reset(arena);
        s_pool_free(&pool);
    }
    cr_assert_gt(accepted, 1000, "the corruptions left some messages readable");
    cr_assert_gt(refused, 1000);
    ent_pbarena_destroy(&arena);
}

Test(pbfast, what_it_leaves_to_protobuf_c)
{
    ent_pbarena_t *arena = ent_pbarena_new(4096);
    ProtobufCAllocator *al = ent_pbarena_allocator(arena);
    /* a field number Employee does not have (protobuf-c keeps it as unknown) */
    const uint8_t unknown[] = { 0xf8, 0x07, 0x01 }; /* field 127, varint 1 */
    cr_assert_null(ent_pbfast_unpack(&entretiens__v1__employee__descriptor, al, sizeof unknown, unknown));
    ProtobufCMessage *m = ent_pbfast_unpack_or_pbc(&entretiens__v1__employee__descriptor, al, sizeof unknown, unknown);
    cr_assert_not_null(m);
    cr_assert_eq(m->n_unknown_fields, 1, "protobuf-c's answer");
    /* a date given twice: protobuf-c's rule for it (merge or replace) stands */
    const uint8_t twice[] = { 0x4a, 0x02, 0x08, 0x05, 0x4a, 0x02, 0x10, 0x03 }; /* birth_date {year 5}, {month 3} */
    cr_assert_null(ent_pbfast_unpack(&entretiens__v1__employee__descriptor, al, sizeof twice, twice));
    Entretiens__V1__Employee *e = (Entretiens__V1__Employee *) ent_pbfast_unpack_or_pbc(
        &entretiens__v1__employee__descriptor, al, sizeof twice, twice);
    cr_assert_not_null(e);
    ProtobufCMessage *pbc = protobuf_c_message_unpack(&entretiens__v1__employee__descriptor, NULL, sizeof twice, twice);
    cr_assert_not_null(pbc);
    s_equal(pbc, &e->base, "Employee");
    cr_assert_eq(e->birth_date->month, 3);
    protobuf_c_message_free_unpacked(pbc, NULL);
    /* a repeated field (ObligationsReply.obligations) */
    const uint8_t rep[] = { 0x0a, 0x00 };
    cr_assert_null(ent_pbfast_unpack(&entretiens__v1__obligations_reply__descriptor, al, sizeof rep, rep));
    cr_assert_not_null(ent_pbfast_unpack_or_pbc(&entretiens__v1__obligations_reply__descriptor, al, sizeof rep, rep));
    /* no arena: protobuf-c with the heap */
    ProtobufCMessage *h = ent_pbfast_unpack_or_pbc(&entretiens__v1__employee__descriptor, NULL, 0, NULL);
    cr_assert_not_null(h);
    protobuf_c_message_free_unpacked(h, NULL);
    ent_pbarena_destroy(&arena);
}
