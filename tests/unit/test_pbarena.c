/*  Unit tests of common/pbarena: messages unpacked into the arena read as
 *  with the heap, one larger than the block still unpacks (its pieces
 *  from the heap, freed: the sanitizer build checks), and a reset block
 *  serves the next message. */
#include "common/pbarena.h"
#include "proto/envelope.pb-c.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static size_t s_pack(const char *type, size_t payload_len, uint8_t **out)
{
    Entretiens__V1__EventEnvelope e = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    e.seq = 42;
    e.producer = (char *) "scheduler";
    e.type = (char *) type;
    uint8_t *payload = malloc(payload_len + 1);
    cr_assert_not_null(payload);
    memset(payload, 'x', payload_len);
    e.payload.data = payload;
    e.payload.len = payload_len;
    size_t n = entretiens__v1__event_envelope__get_packed_size(&e);
    *out = malloc(n);
    cr_assert_not_null(*out);
    entretiens__v1__event_envelope__pack(&e, *out);
    free(payload);
    return n;
}

Test(pbarena, messages_read_the_same_whether_they_fit_or_not)
{
    ent_pbarena_t *a = ent_pbarena_new(1024);
    cr_assert_not_null(a);
    ProtobufCAllocator *al = ent_pbarena_allocator(a);
    size_t sizes[] = { 10, 5000, 10, 100000, 0 };
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            uint8_t *buf = NULL;
            size_t n = s_pack("scheduler.interview.due", sizes[i], &buf);
            Entretiens__V1__EventEnvelope *ev = entretiens__v1__event_envelope__unpack(al, n, buf);
            cr_assert_not_null(ev, "payload of %zu bytes", sizes[i]);
            cr_expect_eq(ev->seq, 42);
            cr_expect_str_eq(ev->producer, "scheduler");
            cr_expect_str_eq(ev->type, "scheduler.interview.due");
            cr_expect_eq(ev->payload.len, sizes[i]);
            for (size_t j = 0; j < ev->payload.len; j++)
                if (ev->payload.data[j] != 'x')
                    cr_assert_fail("payload byte %zu differs", j);
            entretiens__v1__event_envelope__free_unpacked(ev, al);
            ent_pbarena_reset(a);
            free(buf);
        }
    /* a truncated message is refused, what it allocated given back */
    uint8_t *buf = NULL;
    size_t n = s_pack("scheduler.interview.due", 5000, &buf);
    cr_expect_null(entretiens__v1__event_envelope__unpack(al, n - 10, buf));
    ent_pbarena_reset(a);
    free(buf);
    ent_pbarena_destroy(&a);
    cr_expect_null(a);
    ent_pbarena_destroy(&a); /* NULL is accepted */
}

/* Without free_unpacked: the reset gives back what did not fit (the
 * sanitizer build's leak check fails otherwise), and a message freed
 * before the reset is not freed twice. */
Test(pbarena, the_reset_alone_gives_back_every_piece)
{
    ent_pbarena_t *a = ent_pbarena_new(1024);
    cr_assert_not_null(a);
    ProtobufCAllocator *al = ent_pbarena_allocator(a);
    size_t sizes[] = { 10, 5000, 100000, 3000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        uint8_t *buf = NULL;
        size_t n = s_pack("scheduler.interview.due", sizes[i], &buf);
        /* two messages in the arena at once, one of them freed */
        Entretiens__V1__EventEnvelope *ev = entretiens__v1__event_envelope__unpack(al, n, buf);
        Entretiens__V1__EventEnvelope *ev2 = entretiens__v1__event_envelope__unpack(al, n, buf);
        cr_assert(ev && ev2, "payload of %zu bytes", sizes[i]);
        cr_expect_eq(ev->payload.len, sizes[i]);
        cr_expect_eq(ev2->payload.len, sizes[i]);
        entretiens__v1__event_envelope__free_unpacked(ev2, al);
        cr_expect_eq(ev->payload.len ? ev->payload.data[ev->payload.len - 1] : 'x', 'x', "the other one intact");
        ent_pbarena_reset(a);
        free(buf);
    }
    /* pieces still there at destroy are given back too */
    uint8_t *buf = NULL;
    size_t n = s_pack("scheduler.interview.due", 50000, &buf);
    cr_expect_not_null(entretiens__v1__event_envelope__unpack(al, n, buf));
    free(buf);
    ent_pbarena_destroy(&a);
}
