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

/* The growing arena: thousands of messages unpacked and kept together read
 * back whole (spread over many chunks, the large ones from the heap), one
 * given back early by free_unpacked leaves the others intact, and after the
 * reset (which frees the chunks beyond those kept) the next turn's messages
 * read as well.  The sanitizer build checks that nothing leaks. */
Test(pbarena, a_growing_arena_keeps_many_messages_until_the_reset)
{
    ent_pbarena_t *a = ent_pbarena_new_growing(4096, 2);
    cr_assert_not_null(a);
    ProtobufCAllocator *al = ent_pbarena_allocator(a);
    enum { N = 3000 };
    Entretiens__V1__EventEnvelope **evs = calloc(N, sizeof *evs);
    cr_assert_not_null(evs);
    for (int turn = 0; turn < 3; turn++) {
        for (int i = 0; i < N; i++) {
            /* mostly small, every hundredth larger than a chunk */
            size_t len = i % 100 == 99 ? 9000 : (size_t) (i % 300);
            uint8_t *buf = NULL;
            size_t n = s_pack(turn % 2 ? "scheduler.interview.met" : "scheduler.interview.due", len, &buf);
            evs[i] = entretiens__v1__event_envelope__unpack(al, n, buf);
            cr_assert_not_null(evs[i]);
            free(buf);
        }
        /* one given back early: its pieces in a chunk stay until the reset */
        entretiens__v1__event_envelope__free_unpacked(evs[99], al);
        entretiens__v1__event_envelope__free_unpacked(evs[5], al);
        for (int i = 0; i < N; i++) {
            if (i == 99 || i == 5)
                continue;
            size_t len = i % 100 == 99 ? 9000 : (size_t) (i % 300);
            cr_assert_eq(evs[i]->seq, 42);
            cr_assert_str_eq(evs[i]->type, turn % 2 ? "scheduler.interview.met" : "scheduler.interview.due");
            cr_assert_eq(evs[i]->payload.len, len, "turn %d message %d", turn, i);
            for (size_t j = 0; j < len; j++)
                if (evs[i]->payload.data[j] != 'x')
                    cr_assert_fail("turn %d message %d byte %zu differs", turn, i, j);
        }
        ent_pbarena_reset(a);
    }
    free(evs);
    ent_pbarena_destroy(&a);
    cr_assert_null(a);
    ent_pbarena_destroy(&a); /* NULL accepted */
}

/* No arena: the heap's allocator, and the release is a free_unpacked (the
 * sanitizer build would report a leak or a double free); with one, the
 * release resets it. */
Test(pbarena, release_frees_from_the_heap_or_resets_the_arena)
{
    cr_assert_null(ent_pbarena_allocator(NULL));
    uint8_t *buf = NULL;
    size_t n = s_pack("scheduler.interview.due", 3000, &buf);
    Entretiens__V1__EventEnvelope *ev = entretiens__v1__event_envelope__unpack(ent_pbarena_allocator(NULL), n, buf);
    cr_assert_not_null(ev);
    ent_pbarena_release(NULL, &ev->base);
    ent_pbarena_release(NULL, NULL);
    ent_pbarena_t *a = ent_pbarena_new(1024);
    cr_assert_not_null(a);
    for (int i = 0; i < 3; i++) { /* larger than the block: from the heap, freed by the release */
        ev = entretiens__v1__event_envelope__unpack(ent_pbarena_allocator(a), n, buf);
        cr_assert_not_null(ev);
        cr_expect_eq(ev->payload.len, 3000);
        ent_pbarena_release(a, &ev->base);
    }
    ent_pbarena_release(a, NULL);
    ent_pbarena_destroy(&a);
    free(buf);
}
