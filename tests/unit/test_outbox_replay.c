/*  test_outbox_replay.c — events.replay's reading of the outbox
 *  (common/outbox.h ent_outbox_replay), in a real LMDB store: every event
 *  from a seq on, or only the events of some types with how far the
 *  producer looked (scanned_to), which a consumer that keeps only those
 *  types moves its cursor to. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/outbox.h"
#include "common/store.h"

static char s_root[64];
static ent_store_t *s_store;
static ent_outbox_t *s_ob;

static void s_setup(void)
{
    snprintf(s_root, sizeof s_root, "/tmp/ent_test_replay_XXXXXX");
    cr_assert_not_null(mkdtemp(s_root));
    int err = 0;
    s_store = ent_store_open(s_root, 16, 64, true, &err);
    cr_assert_not_null(s_store, "store: %d", err);
    cr_assert_eq(ent_store_migrate(s_store, 1, NULL, NULL), 0);
    s_ob = ent_outbox_new(NULL, s_store, "records", NULL, NULL);
    cr_assert_not_null(s_ob);
    /* seq 1..10: a grant at 3, a revocation at 8, interviews created else */
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    for (int i = 1; i <= 10; i++) {
        const char *type = i == 3 ? "records.access.granted" : i == 8 ? "records.access.revoked"
                                                                      : "records.interview.created";
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        cr_assert_eq(ent_outbox_append(s_ob, txn, type, key, "", 1000 + i, (const uint8_t *) "x", 1, NULL), 0);
    }
    cr_assert_eq(ent_store_commit(s_store), 0);
    ent_outbox_flush(s_ob);
    cr_assert_eq(ent_outbox_head(s_ob), 10);
}

static void s_teardown(void)
{
    ent_outbox_destroy(&s_ob);
    ent_store_close(&s_store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_root);
    cr_assert_eq(system(cmd), 0);
}

/* Replays from from up to to (0: the head; max events, types) and returns
 * the seqs answered in seqs (n of them), with the reply's head and
 * scanned_to. */
static size_t s_replay_to(uint64_t from, uint64_t to, uint32_t max, char *const *types, size_t n_types,
                          uint64_t *seqs, uint64_t *head, uint64_t *scanned_to)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
    cr_assert_eq(ent_outbox_replay(s_ob, txn, from, to, max, types, n_types, &rep), 0);
    for (size_t i = 0; i < rep.n_events; i++) {
        Entretiens__V1__EventEnvelope *e =
            entretiens__v1__event_envelope__unpack(NULL, rep.events[i].len, rep.events[i].data);
        cr_assert_not_null(e);
        seqs[i] = e->seq;
        entretiens__v1__event_envelope__free_unpacked(e, NULL);
    }
    *head = rep.head_seq;
    *scanned_to = rep.scanned_to;
    size_t n = rep.n_events;
    free(rep.events);
    mdb_txn_abort(txn);
    return n;
}

/* The same, with no bound. */
static size_t s_replay(uint64_t from, uint32_t max, char *const *types, size_t n_types, uint64_t *seqs,
                       uint64_t *head, uint64_t *scanned_to)
{
    return s_replay_to(from, 0, max, types, n_types, seqs, head, scanned_to);
}

static char *const S_GRANTS[] = { "records.access.granted", "records.access.revoked" };

Test(outbox_replay, every_event_without_types, .init = s_setup, .fini = s_teardown)
{
    uint64_t seqs[16], head, scanned;
    cr_assert_eq(s_replay(4, 4096, NULL, 0, seqs, &head, &scanned), 7);
    cr_assert_eq(seqs[0], 4);
    cr_assert_eq(seqs[6], 10);
    cr_assert_eq(head, 10);
    cr_assert_eq(scanned, 0, "no filter, no scanned_to");
    cr_assert_eq(s_replay(1, 2, NULL, 0, seqs, &head, &scanned), 2, "max");
}

Test(outbox_replay, only_the_types_asked_and_how_far_it_looked, .init = s_setup, .fini = s_teardown)
{
    uint64_t seqs[16], head, scanned;
    cr_assert_eq(s_replay(1, 4096, S_GRANTS, 2, seqs, &head, &scanned), 2);
    cr_assert_eq(seqs[0], 3);
    cr_assert_eq(seqs[1], 8);
    cr_assert_eq(scanned, 10, "looked through to the head");
    /* one type; from after the grant */
    cr_assert_eq(s_replay(4, 4096, S_GRANTS + 1, 1, seqs, &head, &scanned), 1);
    cr_assert_eq(seqs[0], 8);
    cr_assert_eq(scanned, 10);
    /* nothing of those types: none answered, but looked through */
    char *const other[] = { "records.interview.signed" };
    cr_assert_eq(s_replay(1, 4096, other, 1, seqs, &head, &scanned), 0);
    cr_assert_eq(scanned, 10);
    /* at most max: it stops at the last one answered, the rest is to ask */
    cr_assert_eq(s_replay(1, 1, S_GRANTS, 2, seqs, &head, &scanned), 1);
    cr_assert_eq(seqs[0], 3);
    cr_assert_eq(scanned, 3, "a consumer moving to 3 misses nothing");
    /* from beyond the head: nothing to look at */
    cr_assert_eq(s_replay(11, 4096, S_GRANTS, 2, seqs, &head, &scanned), 0);
    cr_assert_eq(scanned, 10);
    cr_assert_eq(head, 10);
}

Test(outbox_replay, a_bound_stops_the_page_where_asked, .init = s_setup, .fini = s_teardown)
{
    uint64_t seqs[16], head, scanned;
    cr_assert_eq(s_replay_to(2, 5, 4096, NULL, 0, seqs, &head, &scanned), 4, "2 to 5");
    cr_assert_eq(seqs[0], 2);
    cr_assert_eq(seqs[3], 5);
    cr_assert_eq(head, 10, "the head is still told");
    cr_assert_eq(scanned, 0, "no filter, no scanned_to");
    /* a bound of one seq; a bound beyond the head stops at the head */
    cr_assert_eq(s_replay_to(7, 7, 4096, NULL, 0, seqs, &head, &scanned), 1);
    cr_assert_eq(seqs[0], 7);
    cr_assert_eq(s_replay_to(9, 500, 4096, NULL, 0, seqs, &head, &scanned), 2);
    cr_assert_eq(seqs[1], 10);
    /* max still applies inside the range */
    cr_assert_eq(s_replay_to(1, 9, 3, NULL, 0, seqs, &head, &scanned), 3);
    cr_assert_eq(seqs[2], 3);
}

Test(outbox_replay, a_bound_with_types_says_the_whole_range_was_looked_at, .init = s_setup, .fini = s_teardown)
{
    uint64_t seqs[16], head, scanned;
    /* 1 to 5 holds the grant at 3: scanned to the bound, not to the head */
    cr_assert_eq(s_replay_to(1, 5, 4096, S_GRANTS, 2, seqs, &head, &scanned), 1);
    cr_assert_eq(seqs[0], 3);
    cr_assert_eq(scanned, 5, "looked through to the bound");
    cr_assert_eq(head, 10);
    /* 4 to 7 holds none: nothing answered, the range looked at all the same */
    cr_assert_eq(s_replay_to(4, 7, 4096, S_GRANTS, 2, seqs, &head, &scanned), 0);
    cr_assert_eq(scanned, 7);
    /* the next range, the revocation at 8; a bound beyond the head: the head */
    cr_assert_eq(s_replay_to(8, 4000, 4096, S_GRANTS, 2, seqs, &head, &scanned), 1);
    cr_assert_eq(seqs[0], 8);
    cr_assert_eq(scanned, 10);
    /* max before the bound: scanned stops at the last one answered */
    cr_assert_eq(s_replay_to(1, 9, 1, S_GRANTS, 2, seqs, &head, &scanned), 1);
    cr_assert_eq(scanned, 3);
    /* a range wholly beyond the head */
    cr_assert_eq(s_replay_to(11, 20, 4096, S_GRANTS, 2, seqs, &head, &scanned), 0);
    cr_assert_eq(scanned, 10);
}

Test(outbox_replay, a_bound_before_the_start_is_refused, .init = s_setup, .fini = s_teardown)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
    cr_assert_eq(ent_outbox_replay(s_ob, txn, 6, 5, 4096, S_GRANTS, 2, &rep), EINVAL);
    cr_assert_eq(rep.n_events, 0);
    cr_assert_null(rep.events);
    mdb_txn_abort(txn);
}

/* An event appended from a message is stored as protobuf-c packs the whole
 * envelope (the payload is written in place after the other fields), and
 * one without payload has no field 7. */
Test(outbox_replay, a_message_payload_is_stored_as_protobuf_packs_it, .init = s_setup, .fini = s_teardown)
{
    Entretiens__V1__Heartbeat hb = ENTRETIENS__V1__HEARTBEAT__INIT;
    hb.producer = "records";
    hb.head_seq = 123456789;
    hb.sent_at_ms = 1760000000000;
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    uint64_t seq = 0, seq_empty = 0;
    cr_assert_eq(ent_outbox_append_msg(s_ob, txn, "records.test.msg", "key-11", "0123456789abcdef0123456789abcdef",
                                       4242, &hb.base, &seq), 0);
    cr_assert_eq(ent_outbox_append(s_ob, txn, "records.test.empty", "key-12", "0123456789abcdef0123456789abcdef",
                                   4243, NULL, 0, &seq_empty), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ent_outbox_flush(s_ob);
    cr_assert_eq(seq, 11);
    cr_assert_eq(seq_empty, 12);

    uint8_t payload[64];
    size_t plen = entretiens__v1__heartbeat__pack(&hb, payload);
    Entretiens__V1__EventEnvelope env = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    env.producer = "records";
    env.seq = 11;
    env.type = "records.test.msg";
    env.occurred_at_ms = 4242;
    env.idempotency_key = "key-11";
    env.trace_id = "0123456789abcdef0123456789abcdef";
    env.payload.data = payload;
    env.payload.len = plen;
    uint8_t want[256];
    size_t want_len = entretiens__v1__event_envelope__pack(&env, want);

    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
    cr_assert_eq(ent_outbox_replay(s_ob, txn, 11, 0, 10, NULL, 0, &rep), 0);
    cr_assert_eq(rep.n_events, 2);
    cr_assert_eq(rep.events[0].len, want_len);
    cr_assert_eq(memcmp(rep.events[0].data, want, want_len), 0, "byte for byte what protobuf-c packs");
    Entretiens__V1__EventEnvelope *e = entretiens__v1__event_envelope__unpack(NULL, rep.events[1].len, rep.events[1].data);
    cr_assert_not_null(e);
    cr_assert_eq(e->seq, 12);
    cr_assert_eq(e->payload.len, 0);
    cr_assert_str_eq(e->type, "records.test.empty");
    entretiens__v1__event_envelope__free_unpacked(e, NULL);
    free(rep.events);
    mdb_txn_abort(txn);
}

/* The envelope's head written by hand: protobuf-c's bytes for every shape
 * of field (empty and NULL strings, seq 0 and 2^64 - 1, a negative time,
 * keys whose length takes two bytes), and ENOSPC when it does not fit. */
Test(outbox_replay, the_envelope_head_is_what_protobuf_c_packs)
{
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    char strs[4][300];
    uint8_t want[2048], got[2048];
    for (int round = 0; round < 5000; round++) {
        Entretiens__V1__EventEnvelope env = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
        char **fields[4] = { &env.producer, &env.type, &env.idempotency_key, &env.trace_id };
        for (int f = 0; f < 4; f++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            size_t n = rng % 5 == 0 ? 0 : (rng >> 8) % sizeof strs[f];
            for (size_t i = 0; i < n; i++)
                strs[f][i] = (char) ('a' + (rng >> (i % 48)) % 26);
            strs[f][n] = 0;
            *fields[f] = rng % 7 == 0 ? NULL : strs[f];
        }
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        const uint64_t seqs[] = { 0, 1, 127, 128, UINT64_MAX, rng };
        env.seq = seqs[rng % 6];
        const int64_t times[] = { 0, -1, INT64_MIN, 1760000000000, (int64_t) rng };
        env.occurred_at_ms = times[(rng >> 3) % 5];
        size_t wn = entretiens__v1__event_envelope__pack(&env, want), gn = 0;
        cr_assert_eq(ent_outbox_envelope_head(&env, got, sizeof got, &gn), 0);
        cr_assert_eq(gn, wn, "round %d", round);
        cr_assert_eq(memcmp(got, want, wn), 0, "round %d: the bytes differ", round);
        if (wn)
            cr_assert_eq(ent_outbox_envelope_head(&env, got, wn - 1, &gn), ENOSPC);
    }
}
