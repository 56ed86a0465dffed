/*  test_records_idxbatch.c — the index writes a turn's events queue
 *  (services/records/idxbatch.c), on a real LMDB store: queued writes are
 *  invisible until settled, then the index holds exactly what writing them
 *  one by one would have left (a key put then deleted in the same turn is
 *  absent, deleted then put is present); outside a turn nothing is queued;
 *  an aborted turn's queue is dropped; other databases are never queued. */
#include "records.h"

#include "store_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char s_root[64];
static ent_store_t *s_store;
static records_t s_r;

static void s_open(void)
{
    s_store = fx_store_open(s_root, "idxbatch");
    memset(&s_r, 0, sizeof s_r);
    s_r.store = s_store;
    struct { const char *n; MDB_dbi *d; } dbs[] = {
        { "by_employee", &s_r.by_employee }, { "by_manager", &s_r.by_manager }, { "by_status", &s_r.by_status },
        { "by_due", &s_r.by_due }, { "deferred_idx", &s_r.deferred_idx },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++)
        cr_assert_eq(ent_store_dbi(s_store, dbs[i].n, 0, dbs[i].d), 0);
    cr_assert_eq(rec_idxq_new(&s_r), 0);
}

static void s_close(void)
{
    rec_idxq_destroy(&s_r);
    rec_idxq_destroy(&s_r); /* twice: nothing left */
    fx_store_close(&s_store, s_root);
}

static bool s_has(MDB_txn *txn, MDB_dbi dbi, const char *key)
{
    MDB_val k = { strlen(key), (void *) key }, v;
    return mdb_get(txn, dbi, &k, &v) == 0;
}

static size_t s_count(MDB_txn *txn, MDB_dbi dbi)
{
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, dbi, &st), 0);
    return st.ms_entries;
}

static int s_put(MDB_txn *txn, MDB_dbi dbi, const char *key)
{
    return rec_idx_put(&s_r, txn, dbi, (const uint8_t *) key, strlen(key));
}

static int s_del(MDB_txn *txn, MDB_dbi dbi, const char *key)
{
    return rec_idx_del(&s_r, txn, dbi, (const uint8_t *) key, strlen(key));
}

Test(records_idxbatch, queued_until_settled_then_as_if_written_in_order, .init = s_open, .fini = s_close)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(s_put(txn, s_r.by_manager, "M1-IV2"), 0);
    cr_assert_eq(s_put(txn, s_r.by_manager, "old"), 0); /* not collecting yet: written at once */
    cr_assert(s_has(txn, s_r.by_manager, "old"));

    rec_idx_collect(&s_r);
    const char *keys[] = { "zeta", "alpha", "mid", "beta", "omega" };
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(s_put(txn, s_r.by_due, keys[i]), 0);
    cr_assert_eq(s_put(txn, s_r.by_status, "gone"), 0);
    cr_assert_eq(s_del(txn, s_r.by_status, "gone"), 0);      /* put then deleted: absent */
    cr_assert_eq(s_del(txn, s_r.by_manager, "old"), 0);
    cr_assert_eq(s_put(txn, s_r.by_manager, "old"), 0);      /* deleted then put: present */
    cr_assert_eq(s_del(txn, s_r.by_due, "never-there"), 0);  /* a missing key is not an error */
    /* keys alike in their first eight bytes (a due date and "IV00"): the
     * order of one key's writes still holds */
    cr_assert_eq(s_put(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV00000002"), 0);
    cr_assert_eq(s_put(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV00000001"), 0);
    cr_assert_eq(s_del(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV00000002"), 0);
    cr_assert_eq(s_put(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV0000000"), 0); /* a prefix of both */
    cr_assert_eq(s_put(txn, s_r.deferred_idx, "\x01\x02\x03\x04O1"), 0);
    cr_assert_eq(s_put(txn, s_r.by_employee, "E1"), 0); /* not a queued index: at once */
    cr_assert(s_has(txn, s_r.by_employee, "E1"), "by_employee is read by the events: never queued");
    cr_assert_eq(s_count(txn, s_r.by_due), 0, "queued, not yet written");
    cr_assert_eq(s_count(txn, s_r.deferred_idx), 0);

    cr_assert_eq(rec_idx_settle_turn(txn, &s_r), 0);
    cr_assert_eq(s_count(txn, s_r.by_due), 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert(s_has(txn, s_r.by_due, keys[i]), "%s", keys[i]);
    cr_assert_not(s_has(txn, s_r.by_status, "gone"));
    cr_assert_not(s_has(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV00000002"));
    cr_assert(s_has(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV00000001"));
    cr_assert(s_has(txn, s_r.by_status, "\x01\x02\x03\x4e\x20IV0000000"));
    cr_assert_eq(s_count(txn, s_r.by_status), 2);
    cr_assert(s_has(txn, s_r.by_manager, "old"));
    cr_assert_eq(s_count(txn, s_r.deferred_idx), 1);

    /* after the settle step (the turn's requests): at once again */
    cr_assert_eq(s_put(txn, s_r.by_status, "request"), 0);
    cr_assert(s_has(txn, s_r.by_status, "request"));
    cr_assert_eq(s_del(txn, s_r.by_status, "request"), 0);
    cr_assert_not(s_has(txn, s_r.by_status, "request"));
    cr_assert_eq(ent_store_commit(s_store), 0);
}

Test(records_idxbatch, an_aborted_turn_drops_its_queue, .init = s_open, .fini = s_close)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_idx_collect(&s_r);
    cr_assert_eq(s_put(txn, s_r.by_due, "lost"), 0);
    ent_store_abort(s_store, 0);
    rec_idx_reset(&s_r);

    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(rec_idx_settle_turn(txn, &s_r), 0);
    cr_assert_eq(s_count(txn, s_r.by_due), 0, "the aborted turn's write is not replayed into the next");
    cr_assert_eq(s_put(txn, s_r.by_due, "now"), 0); /* the reset also stopped the queueing */
    cr_assert(s_has(txn, s_r.by_due, "now"));
    cr_assert_eq(ent_store_commit(s_store), 0);
    rec_idx_flush(&s_r, true);
}

Test(records_idxbatch, without_a_queue_everything_is_written_at_once, .init = s_open, .fini = s_close)
{
    rec_idxq_destroy(&s_r);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_idx_collect(&s_r); /* no queue: nothing to collect into */
    cr_assert_eq(s_put(txn, s_r.by_due, "k"), 0);
    cr_assert(s_has(txn, s_r.by_due, "k"));
    cr_assert_eq(rec_idx_settle(&s_r, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
}

/* Many writes in one turn, sorted in runs then merged over several levels:
 * 20,000 puts and deletes of 300 keys alike over their first 20 bytes (and
 * some made twice, prefixes of others), in random order; after the settle step each
 * key is present exactly when its last write was a put (an order between
 * one key's writes lost in a merge fails it). */
Test(records_idxbatch, a_large_turn_keeps_each_keys_last_write, .init = s_open, .fini = s_close)
{
    enum { KEYS = 300, OPS = 20000 };
    static char keys[KEYS][40];
    for (int i = 0; i < KEYS; i++)
        snprintf(keys[i], sizeof keys[i], i % 7 == 0 ? "2027-01-01/manager-E0%d" : "2027-01-01/manager-E0%05d-IV%d",
                 i % 13, i);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_idx_collect(&s_r);
    for (int n = 0; n < OPS; n++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        int k = (int) (rng % KEYS);
        bool del = (rng >> 20) % 3 == 0;
        cr_assert_eq(del ? s_del(txn, s_r.by_due, keys[k]) : s_put(txn, s_r.by_due, keys[k]), 0);
    }
    cr_assert_eq(s_count(txn, s_r.by_due), 0, "queued, not yet written");
    cr_assert_eq(rec_idx_settle_turn(txn, &s_r), 0);
    size_t present = 0;
    /* the model, replayed in order (twins included) */
    static int state[KEYS]; /* 0 never written, 1 put, 2 deleted */
    memset(state, 0, sizeof state);
    rng = 0x9e3779b97f4a7c15ull;
    for (int n = 0; n < OPS; n++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        int k = (int) (rng % KEYS);
        bool del = (rng >> 20) % 3 == 0;
        for (int j = 0; j < KEYS; j++)
            if (strcmp(keys[j], keys[k]) == 0)
                state[j] = del ? 2 : 1;
    }
    for (int k = 0; k < KEYS; k++) {
        cr_assert_eq(s_has(txn, s_r.by_due, keys[k]), state[k] == 1, "key %s: last write %s", keys[k],
                     state[k] == 1 ? "put" : state[k] == 2 ? "delete" : "none");
        bool first = true;
        for (int j = 0; j < k; j++)
            if (strcmp(keys[j], keys[k]) == 0)
                first = false;
        if (first && state[k] == 1)
            present++;
    }
    cr_assert_eq(s_count(txn, s_r.by_due), present);
    cr_assert_eq(ent_store_commit(s_store), 0);
}

/* The interview counter through its memo: while the events are applied
 * the ids still follow each other and the store keeps the value of the
 * turn's start; the settle step writes the last one; an aborted turn's
 * ids are given again; outside the events the counter is written at once. */
Test(records_idxbatch, the_counter_is_kept_for_the_turn_and_written_once, .init = s_open, .fini = s_close)
{
    MDB_txn *txn;
    uint64_t stored = 99;
    char id[REC_ID_MAX + 1];
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(rec_next_id(&s_r, txn, id), 0); /* not collecting: at once */
    cr_assert_str_eq(id, "IV00000001");
    cr_assert_eq(ent_store_meta_get_u64(txn, s_store, "interview_seq", &stored), 0);
    cr_assert_eq(stored, 1);
    rec_idx_collect(&s_r);
    for (int i = 2; i <= 1000; i++) {
        cr_assert_eq(rec_next_id(&s_r, txn, id), 0);
        char want[REC_ID_MAX + 1];
        snprintf(want, sizeof want, "IV%08d", i);
        cr_assert_str_eq(id, want);
    }
    cr_assert_eq(ent_store_meta_get_u64(txn, s_store, "interview_seq", &stored), 0);
    cr_assert_eq(stored, 1, "kept in the memo during the events");
    cr_assert_eq(rec_idx_settle_turn(txn, &s_r), 0);
    cr_assert_eq(ent_store_meta_get_u64(txn, s_store, "interview_seq", &stored), 0);
    cr_assert_eq(stored, 1000, "written at the settle step");
    cr_assert_eq(rec_next_id(&s_r, txn, id), 0); /* a request after it: at once */
    cr_assert_str_eq(id, "IV00001001");
    cr_assert_eq(ent_store_commit(s_store), 0);
    rec_idx_flush(&s_r, true);

    /* a turn aborted: its ids come again */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_idx_collect(&s_r);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(rec_next_id(&s_r, txn, id), 0);
    cr_assert_str_eq(id, "IV00001006");
    ent_store_abort(s_store, 0);
    rec_idx_reset(&s_r);
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_idx_collect(&s_r);
    cr_assert_eq(rec_next_id(&s_r, txn, id), 0);
    cr_assert_str_eq(id, "IV00001002", "the memo of the aborted turn is gone with it");
    cr_assert_eq(rec_idx_settle_turn(txn, &s_r), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    rec_idx_flush(&s_r, true);
}
