/*  test_analytics_batch.c — the building blocks of the analytics store:
 *  merged counter deltas (an_batch), keys and scopes, the record codec and
 *  the UTF-8-safe cut (an_keys). */
#include "an_batch.h"
#include "an_keys.h"

#include <criterion/criterion.h>

#include "common/date.h"
#include "common/store.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char s_dir[64];
static ent_store_t *s_store;
static MDB_dbi s_a, s_b;

static int s_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st, (void) type, (void) ftw;
    return remove(path);
}

static void s_setup(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/ent_test_anbatch_XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
    int err;
    s_store = ent_store_open(s_dir, 4, 16, true, &err);
    cr_assert_not_null(s_store);
    cr_assert_eq(ent_store_dbi(s_store, "a", 0, &s_a), 0);
    cr_assert_eq(ent_store_dbi(s_store, "b", 0, &s_b), 0);
}

static void s_teardown(void)
{
    ent_store_close(&s_store);
    nftw(s_dir, s_rm, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(batch, .init = s_setup, .fini = s_teardown);

static an_key_t s_key(const char *s)
{
    an_key_t k;
    an_key_init(&k);
    an_key_str(&k, s);
    return k;
}

static int64_t s_row(MDB_dbi dbi, const char *key, int field)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    an_key_t k = s_key(key);
    int64_t row[4];
    cr_assert_eq(an_counter_get(txn, dbi, &k, row, 4), 0);
    mdb_txn_abort(txn);
    return row[field];
}

static size_t s_entries(MDB_dbi dbi)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, dbi, &st), 0);
    mdb_txn_abort(txn);
    return st.ms_entries;
}

typedef struct {
    int calls;
    int64_t last_old, last_new;
} s_seen_t;

static int s_hook(MDB_txn *txn, const uint8_t *key, size_t klen, const int64_t *old, const int64_t *neu, size_t n,
                  void *arg)
{
    (void) txn, (void) key, (void) klen;
    s_seen_t *s = arg;
    cr_assert_eq(n, 2);
    s->calls++;
    s->last_old = old[0];
    s->last_new = neu[0];
    return 0;
}

Test(batch, deltas_merge_per_row_and_zero_rows_go)
{
    an_batch_t *b = an_batch_new();
    cr_assert_not_null(b);
    s_seen_t seen = { 0 };
    an_batch_hook(b, s_b, s_hook, &seen);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    an_key_t x = s_key("x"), y = s_key("y");
    int64_t d[2] = { 3, 1 };
    cr_assert_eq(an_batch_add(b, txn, s_a, &x, d, 2, 1), 0);
    cr_assert_eq(an_batch_add(b, txn, s_a, &x, d, 2, 1), 0);
    cr_assert_eq(an_batch_add(b, txn, s_b, &x, d, 2, 1), 0);   /* another database: another row */
    cr_assert_eq(an_batch_add(b, txn, s_a, &y, d, 2, 1), 0);
    cr_assert_eq(an_batch_add(b, txn, s_a, &y, d, 2, -1), 0);  /* retracted in the same event */
    cr_assert_eq(an_batch_size(b), 3);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(an_batch_size(b), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_row(s_a, "x", 0), 6);
    cr_assert_eq(s_row(s_a, "x", 1), 2);
    cr_assert_eq(s_row(s_b, "x", 0), 3);
    cr_assert_eq(s_entries(s_a), 1, "a row that nets to zero is never written");
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(seen.last_old, 0);
    cr_assert_eq(seen.last_new, 3);

    /* retract everything: the rows disappear */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    int64_t back[2] = { 6, 2 };
    cr_assert_eq(an_batch_add(b, txn, s_a, &x, back, 2, -1), 0);
    cr_assert_eq(an_batch_add(b, txn, s_b, &x, d, 2, -1), 0);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_entries(s_a), 0);
    cr_assert_eq(s_entries(s_b), 0);
    cr_assert_eq(seen.calls, 2);
    cr_assert_eq(seen.last_old, 3);
    cr_assert_eq(seen.last_new, 0);

    /* cleared, nothing is written */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(an_batch_add(b, txn, s_a, &x, d, 2, 1), 0);
    an_batch_clear(b);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_entries(s_a), 0);
    an_batch_destroy(&b);
    cr_assert_null(b);
    an_batch_destroy(&b);
}

Test(batch, many_rows_same_sums_as_direct_writes)
{
    an_batch_t *b = an_batch_new();
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    char name[32];
    /* 20,000 adds over 5,000 keys: merged to one row each, written once */
    for (int i = 0; i < 20000; i++) {
        snprintf(name, sizeof name, "k%05d", (i * 7919) % 5000);
        an_key_t k = s_key(name);
        int64_t d[2] = { 1, i };
        cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 2, 1), 0);
        cr_assert_eq(an_counter_add(txn, s_b, &k, d, 2), 0);
    }
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_entries(s_a), 5000);
    for (int i = 0; i < 5000; i += 499) {
        snprintf(name, sizeof name, "k%05d", i);
        cr_assert_eq(s_row(s_a, name, 0), 4);
        cr_assert_eq(s_row(s_a, name, 1), s_row(s_b, name, 1));
    }
    an_batch_destroy(&b);
}

Test(batch, buffers_kept_from_turn_to_turn)
{
    an_batch_t *b = an_batch_new();
    cr_assert_eq(an_batch_bytes(b), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    char name[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "b%05d", i);
        an_key_t k = s_key(name);
        int64_t d[2] = { 1, i };
        cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 2, 1), 0);
    }
    size_t held = an_batch_bytes(b);
    /* at least an entry, a slot, the key and two deltas per row */
    cr_assert_geq(held, 3000 * (32 + 8 + 6 + 16));
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(an_batch_size(b), 0);
    cr_assert_geq(an_batch_bytes(b), held, "applying keeps the arrays for the next turn");
    cr_assert_eq(ent_store_commit(s_store), 0);
    an_batch_destroy(&b);
}

Test(batch, buffers_given_back_after_a_small_turn)
{
    an_batch_t *b = an_batch_new();
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    char name[32];
    /* a rebuild's turn: past the 65,536 rows of capacity always kept */
    for (int i = 0; i < 70000; i++) {
        snprintf(name, sizeof name, "r%06d", i);
        an_key_t k = s_key(name);
        int64_t d[1] = { 1 };
        cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 1, 1), 0);
    }
    cr_assert_eq(an_batch_apply(b, txn), 0);
    size_t big = an_batch_bytes(b);
    cr_assert_geq(big, 70000 * 40, "the large turn's arrays are kept after it");
    /* one small turn (a rebuild's remainder after an early application)
     * keeps them: the next large turn would fault them in again */
    an_key_t k = s_key("r000001");
    int64_t d[1] = { 1 };
    cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 1, 1), 0);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_geq(an_batch_bytes(b), big, "one small turn keeps the arrays");
    /* caught up: small turns in a row give them back */
    for (int i = 1; i < AN_BATCH_SHRINK_AFTER; i++) {
        cr_assert_geq(an_batch_bytes(b), big, "kept after %d small turns", i);
        cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 1, 1), 0);
        cr_assert_eq(an_batch_apply(b, txn), 0);
    }
    cr_assert_lt(an_batch_bytes(b), big / 16);
    /* and the batch works as before */
    cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 1, 1), 0);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_row(s_a, "r000001", 0), 2 + AN_BATCH_SHRINK_AFTER);
    cr_assert_eq(s_row(s_a, "r069999", 0), 1);
    an_batch_destroy(&b);
}

/* The keys the hook saw, in the order the batch wrote them. */
typedef struct {
    int n;
    uint8_t key[64][40];
    size_t klen[64];
} s_order_t;

static int s_order_hook(MDB_txn *txn, const uint8_t *key, size_t klen, const int64_t *old, const int64_t *neu,
                        size_t n, void *arg)
{
    (void) txn, (void) old, (void) neu, (void) n;
    s_order_t *o = arg;
    cr_assert_lt(o->n, 64);
    cr_assert_leq(klen, sizeof o->key[0]);
    memcpy(o->key[o->n], key, klen);
    o->klen[o->n++] = klen;
    return 0;
}

static an_key_t s_rawkey(const void *p, size_t n)
{
    an_key_t k;
    an_key_init(&k);
    an_key_raw(&k, p, n);
    return k;
}

Test(batch, rows_are_written_in_the_stores_key_order)
{
    /* keys that agree on their first 16 bytes, keys that are prefixes of
     * others, and keys whose tail is zero bytes (which the sort's padded
     * words cannot tell apart: the key bytes must decide) */
    static const struct { const char *b; size_t n; } keys[] = {
        { "0123456789abcdefZ", 17 }, { "0123456789abcdef", 16 }, { "0123456789abcdefA", 17 },
        { "ab\0\0", 4 }, { "ab", 2 }, { "ab\0", 3 }, { "b", 1 }, { "0123456789abcdef\0", 17 },
        { "0123456789abcdeg", 16 }, { "", 0 }, { "\xff", 1 }, { "0123456789abcdefA\x01", 18 },
        /* the same around 32 bytes, the sort key's words */
        { "0123456789abcdef0123456789abcdefZ", 33 }, { "0123456789abcdef0123456789abcdef", 32 },
        { "0123456789abcdef0123456789abcdef\0", 33 }, { "0123456789abcdef0123456789abcdeF", 32 },
        { "0123456789abcdef0123456789abcdefA\x01", 34 }, { "0123456789abcdef0123456789abcdefA", 33 },
    };
    size_t nk = sizeof keys / sizeof *keys;
    an_batch_t *b = an_batch_new();
    s_order_t seen = { 0 };
    an_batch_hook(b, s_b, s_order_hook, &seen);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    int64_t d[2] = { 1, 2 };
    for (size_t i = 0; i < nk; i++) {
        an_key_t k = s_rawkey(keys[i].b, keys[i].n);
        if (!keys[i].n)
            continue; /* LMDB refuses an empty key */
        cr_assert_eq(an_batch_add(b, txn, s_b, &k, d, 2, 1), 0);
        cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 2, 1), 0);
    }
    cr_assert_eq(an_batch_size(b), 2 * (nk - 1));
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(seen.n, (int) nk - 1);
    cr_assert_eq(s_entries(s_a), nk - 1);
    cr_assert_eq(s_entries(s_b), nk - 1);
    for (int i = 1; i < seen.n; i++) {
        size_t m = seen.klen[i - 1] < seen.klen[i] ? seen.klen[i - 1] : seen.klen[i];
        int c = memcmp(seen.key[i - 1], seen.key[i], m);
        cr_assert(c < 0 || (c == 0 && seen.klen[i - 1] < seen.klen[i]), "row %d written before a smaller one", i);
    }
    an_batch_destroy(&b);
}

static bool s_value(MDB_dbi dbi, const char *key, char *out, size_t cap)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    an_key_t k = s_key(key);
    MDB_val kv = an_key_val(&k), v;
    int rc = mdb_get(txn, dbi, &kv, &v);
    cr_assert(rc == 0 || rc == MDB_NOTFOUND);
    if (rc == 0)
        snprintf(out, cap, "%.*s", (int) v.mv_size, (const char *) v.mv_data);
    mdb_txn_abort(txn);
    return rc == 0;
}

/* Index rows are appended, not merged: the sort keeps a row's operations
 * in their order and the last one is what the store gets. */
Test(batch, index_rows_the_last_operation_wins)
{
    MDB_txn *txn;
    an_key_t gone = s_key("gone"), k1 = s_key("k1"), k2 = s_key("k2"), k3 = s_key("k3"), k4 = s_key("k4");
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    MDB_val gk = an_key_val(&gone), gv = { 1, "g" };
    cr_assert_eq(mdb_put(txn, s_a, &gk, &gv, 0), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);

    an_batch_t *b = an_batch_new();
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k1, "v1", 2, 1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k2, "a", 1, 1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k1, NULL, 0, -1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k3, "x", 1, 1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k1, "v2", 2, 1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k3, NULL, 0, -1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &gone, NULL, 0, -1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k4, "p", 1, 1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_a, &k4, "q", 1, 1), 0);
    cr_assert_eq(an_batch_set(b, txn, s_b, &k4, "other", 5, 1), 0); /* another database: its own row */
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(an_batch_size(b), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    char v[16];
    cr_assert(s_value(s_a, "k1", v, sizeof v));
    cr_assert_str_eq(v, "v2");
    cr_assert(s_value(s_a, "k2", v, sizeof v));
    cr_assert_str_eq(v, "a");
    cr_assert_not(s_value(s_a, "k3", v, sizeof v), "set then deleted in one turn");
    cr_assert_not(s_value(s_a, "gone", v, sizeof v), "a stored row deleted");
    cr_assert(s_value(s_a, "k4", v, sizeof v));
    cr_assert_str_eq(v, "q");
    cr_assert(s_value(s_b, "k4", v, sizeof v));
    cr_assert_str_eq(v, "other");
    cr_assert_eq(s_entries(s_a), 3);
    an_batch_destroy(&b);
}

Test(batch, add_many_same_as_one_at_a_time)
{
    an_batch_t *b = an_batch_new();
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    an_key_t keys[AN_BATCH_MANY + 2];
    char name[32];
    for (int i = 0; i < AN_BATCH_MANY + 2; i++) {
        snprintf(name, sizeof name, "row%d", i % 5); /* repeated keys within one call */
        keys[i] = s_key(name);
    }
    keys[3].overflow = true; /* an unusable key is skipped, as by an_batch_add */
    int64_t d[2] = { 2, -7 };
    for (int pass = 0; pass < 3; pass++) {
        cr_assert_eq(an_batch_add_many(b, txn, s_a, keys, AN_BATCH_MANY + 2, d, 2, pass == 1 ? -1 : 1), 0);
        for (int i = 0; i < AN_BATCH_MANY; i++) /* the keys past the limit are ignored */
            cr_assert_eq(an_batch_add(b, txn, s_b, &keys[i], d, 2, pass == 1 ? -1 : 1), 0);
    }
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_entries(s_a), 5);
    for (int r = 0; r < 5; r++) {
        snprintf(name, sizeof name, "row%d", r);
        cr_assert_eq(s_row(s_a, name, 0), s_row(s_b, name, 0), "%s", name);
        cr_assert_eq(s_row(s_a, name, 1), s_row(s_b, name, 1), "%s", name);
        cr_assert_neq(s_row(s_a, name, 0), 0);
    }
    an_batch_destroy(&b);
}

Test(keys, scopes_of_a_group)
{
    an_attrs_t at = { 0 };
    snprintf(at.entity, sizeof at.entity, "ACME");
    snprintf(at.department, sizeof at.department, "sales");
    snprintf(at.manager, sizeof at.manager, "M1");
    an_scope_t sc[AN_SCOPES];
    size_t n = an_scopes(&at, sc, true);
    cr_assert_eq(n, 5); /* all, entity, department, manager, entity+department (no site) */
    cr_assert_eq(sc[0].kind, AN_SK_ALL);
    cr_assert_eq(sc[4].kind, AN_SK_ENT_DEPT);
    cr_assert_str_eq(sc[4].value, "ACME\x1fsales");
    cr_assert_eq(an_scopes(&at, sc, false), 4);
}

Test(keys, days_sort_as_dates_and_months)
{
    an_key_t a, b;
    an_key_init(&a);
    an_key_init(&b);
    an_key_day(&a, -5); /* before 1970 */
    an_key_day(&b, 3);
    cr_assert_lt(memcmp(a.b, b.b, 4), 0);
    cr_assert_eq(ent_key_day_get(a.b), -5);
    char buf[8];
    cr_assert_str_eq(an_month_str(an_month(ent_date_from_ymd(2026, 2, 28)), buf), "2026-02");
    cr_assert_eq(an_month(ENT_DATE_NONE), 0);
}

Test(keys, codec_round_trip_and_truncation)
{
    an_wbuf_t w = { 0 };
    an_w_u8(&w, 7);
    an_w_i32(&w, -42);
    an_w_str(&w, "héllo");
    an_w_bytes(&w, "xyz", 3);
    cr_assert_not(w.failed);
    an_rbuf_t r = { .p = w.p, .n = w.n };
    char s[16];
    const uint8_t *p;
    size_t n;
    cr_assert_eq(an_r_u8(&r), 7);
    cr_assert_eq(an_r_i32(&r), -42);
    an_r_str(&r, s, sizeof s);
    cr_assert_str_eq(s, "héllo");
    an_r_bytes(&r, &p, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(memcmp(p, "xyz", 3), 0);
    cr_assert_not(r.bad);
    /* truncated: read as bad, never past the end */
    an_rbuf_t t = { .p = w.p, .n = w.n - 2 };
    an_r_u8(&t);
    an_r_i32(&t);
    an_r_str(&t, s, sizeof s);
    an_r_bytes(&t, &p, &n);
    cr_assert(t.bad);
    cr_assert_null(p);
    /* too long for the destination */
    an_rbuf_t u = { .p = w.p, .n = w.n };
    an_r_u8(&u);
    an_r_i32(&u);
    an_r_str(&u, s, 4);
    cr_assert(u.bad);
    an_wbuf_free(&w);

    /* cut at a character boundary: "é" is two bytes */
    char d[4];
    an_copy(d, sizeof d, "aéé");
    cr_assert_str_eq(d, "aé");
    an_copy(d, 3, "aé");
    cr_assert_str_eq(d, "a");
    an_copy(d, sizeof d, NULL);
    cr_assert_str_eq(d, "");
}

typedef struct {
    int rows;
    bool sorted;
    uint8_t prev[64];
    size_t prev_len;
} s_walk_t;

static int s_walk_hook(MDB_txn *txn, const uint8_t *key, size_t klen, const int64_t *old, const int64_t *neu,
                       size_t n, void *arg)
{
    (void) txn, (void) old, (void) neu, (void) n;
    s_walk_t *w = arg;
    if (w->rows) {
        size_t m = w->prev_len < klen ? w->prev_len : klen;
        int c = memcmp(w->prev, key, m);
        if (!(c < 0 || (c == 0 && w->prev_len < klen)))
            w->sorted = false;
    }
    cr_assert_leq(klen, sizeof w->prev);
    memcpy(w->prev, key, klen);
    w->prev_len = klen;
    w->rows++;
    return 0;
}

/* A rebuild's turn is sorted in two halves on two threads, then merged
 * (SORT_PARALLEL_MIN rows and more): the store's order must hold across
 * the halves, keys alike over their first 32 bytes must still be told
 * apart, and an index row's operations that fall in both halves must keep
 * their order (the last one wins). */
Test(batch, a_large_turn_is_sorted_in_halves_and_merged_in_order)
{
    an_batch_t *b = an_batch_new();
    s_walk_t walk = { .sorted = true };
    an_batch_hook(b, s_b, s_walk_hook, &walk);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    enum { INDEX_ROWS = 20000, COUNTERS = 70000 };
    char name[64];
    /* index rows first: the lower half gets their first operation */
    for (int i = 0; i < INDEX_ROWS; i++) {
        snprintf(name, sizeof name, "i%06d", i);
        an_key_t k = s_key(name);
        cr_assert_eq(an_batch_set(b, txn, s_a, &k, "a", 1, 1), 0);
    }
    /* counters: half of them share their first 32 bytes, some are
     * prefixes of others, in a scrambled order */
    static int count[50000];
    memset(count, 0, sizeof count);
    uint32_t x = 12345;
    int distinct = 0;
    for (int i = 0; i < COUNTERS; i++) {
        x = x * 1103515245u + 12345u;
        int id = (int) (x >> 8) % 50000;
        count[id]++;
        if (id % 2)
            snprintf(name, sizeof name, "0123456789abcdef0123456789abcdef%05d", id);
        else
            snprintf(name, sizeof name, "%d", id);
        an_key_t k = s_key(name);
        int64_t d[2] = { 1, id };
        cr_assert_eq(an_batch_add(b, txn, s_b, &k, d, 2, 1), 0);
    }
    /* then the index rows' second operation, in the upper half */
    for (int i = 0; i < INDEX_ROWS; i++) {
        snprintf(name, sizeof name, "i%06d", i);
        an_key_t k = s_key(name);
        if (i % 2 == 0)
            cr_assert_eq(an_batch_set(b, txn, s_a, &k, "b", 1, 1), 0);
        if (i % 3 == 0)
            cr_assert_eq(an_batch_set(b, txn, s_a, &k, NULL, 0, -1), 0);
    }
    size_t rows = an_batch_size(b);
    cr_assert_gt(rows, 1u << 16, "the turn must be large enough to be sorted in halves (%zu rows)", rows);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert(walk.sorted, "a counter row written before a smaller one");
    distinct = walk.rows;
    cr_assert_eq(s_entries(s_b), (size_t) distinct);
    cr_assert_gt(distinct, 30000);
    char v[16];
    for (int i = 0; i < INDEX_ROWS; i += 7) {
        snprintf(name, sizeof name, "i%06d", i);
        bool have = s_value(s_a, name, v, sizeof v);
        if (i % 3 == 0)
            cr_assert_not(have, "%s: deleted last", name);
        else if (i % 2 == 0)
            cr_assert(have && strcmp(v, "b") == 0, "%s: set to b last", name);
        else
            cr_assert(have && strcmp(v, "a") == 0, "%s: set to a only", name);
    }
    /* a counter's fields are the sums of its deltas */
    for (int id = 0; id < 50000; id += 97) {
        if (id % 2)
            snprintf(name, sizeof name, "0123456789abcdef0123456789abcdef%05d", id);
        else
            snprintf(name, sizeof name, "%d", id);
        cr_assert_eq(s_row(s_b, name, 0), count[id], "%s", name);
        cr_assert_eq(s_row(s_b, name, 1), (int64_t) count[id] * id, "%s", name);
    }
    an_batch_destroy(&b);
}

/* ------------------------------------------- merging on a worker thread */

/* Adds over keys k0..k(nk-1) of dbi, by add_many groups of 1 to 16 keys,
 * deltas from a fixed sequence: the same calls for both batches. */
static void s_random_adds(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, int calls, int nk, unsigned seed)
{
    char name[32];
    for (int c = 0; c < calls; c++) {
        seed = seed * 1103515245u + 12345u;
        size_t m = 1 + (seed >> 16) % AN_BATCH_MANY;
        an_key_t keys[AN_BATCH_MANY];
        for (size_t i = 0; i < m; i++) {
            snprintf(name, sizeof name, "k%05u", (seed / 7u + (unsigned) i * 2654435761u) % (unsigned) nk);
            keys[i] = s_key(name);
        }
        int64_t d[2] = { 1 + (int64_t) (seed % 5), (int64_t) (seed % 1000) - 500 };
        cr_assert_eq(an_batch_add_many(b, txn, dbi, keys, m, d, 2, (seed & 1) ? 1 : -1), 0);
    }
}

Test(batch, worker_merges_the_same_rows_as_the_loop)
{
    an_batch_t *direct = an_batch_new(), *thr = an_batch_new();
    cr_assert_eq(an_batch_thread(thr), 0);
    cr_assert_eq(an_batch_thread(thr), 0, "already threaded: a no-op");
    /* a small table: the worker stops on it full again and again and the
     * loop applies it early (the direct batch as well, at its own points) */
    an_batch_limit(direct, 700);
    an_batch_limit(thr, 700);
    for (int turn = 0; turn < 3; turn++) {
        MDB_txn *txn;
        cr_assert_eq(ent_store_begin(s_store, &txn), 0);
        s_random_adds(direct, txn, s_a, 30000, 3000, 7u + (unsigned) turn);
        s_random_adds(thr, txn, s_b, 30000, 3000, 7u + (unsigned) turn);
        cr_assert_eq(an_batch_apply(direct, txn), 0);
        cr_assert_eq(an_batch_apply(thr, txn), 0);
        cr_assert_eq(ent_store_commit(s_store), 0);
    }
    cr_assert_gt(s_entries(s_a), 2000);
    cr_assert_eq(s_entries(s_b), s_entries(s_a));
    char name[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "k%05d", i);
        cr_assert_eq(s_row(s_b, name, 0), s_row(s_a, name, 0), "%s", name);
        cr_assert_eq(s_row(s_b, name, 1), s_row(s_a, name, 1), "%s", name);
    }
    an_batch_destroy(&direct);
    an_batch_destroy(&thr);
}

Test(batch, worker_clear_drops_the_turn)
{
    an_batch_t *b = an_batch_new();
    cr_assert_eq(an_batch_thread(b), 0);
    an_batch_limit(b, 500);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    s_random_adds(b, txn, s_a, 20000, 2000, 3);
    /* an aborted turn (the daemon's order: the transaction, whose early
     * applications it takes along, then the participants' reset) */
    ent_store_abort(s_store, 0);
    an_batch_clear(b);
    cr_assert_eq(an_batch_size(b), 0);
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_entries(s_a), 0, "nothing of the aborted turn is written");
    /* the batch works on after it */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    an_key_t k = s_key("after");
    int64_t d[2] = { 4, 2 };
    cr_assert_eq(an_batch_add(b, txn, s_a, &k, d, 2, 1), 0);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_row(s_a, "after", 0), 4);
    cr_assert_eq(s_entries(s_a), 1);
    /* destroyed with records still queued: stopped, nothing leaks */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    an_batch_limit(b, 0);
    s_random_adds(b, txn, s_a, 20000, 2000, 5);
    an_batch_destroy(&b);
    cr_assert_null(b);
    ent_store_abort(s_store, 0);
}

Test(batch, worker_hook_sees_each_rows_net_change)
{
    an_batch_t *b = an_batch_new();
    cr_assert_eq(an_batch_thread(b), 0);
    s_seen_t seen = { 0 };
    an_batch_hook(b, s_a, s_hook, &seen);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    an_key_t x = s_key("x");
    int64_t d[2] = { 3, 1 };
    for (int i = 0; i < 10; i++)
        cr_assert_eq(an_batch_add(b, txn, s_a, &x, d, 2, 1), 0);
    /* an index row set on a threaded batch waits for the worker first */
    an_key_t y = s_key("y");
    cr_assert_eq(an_batch_set(b, txn, s_b, &y, "v", 1, 1), 0);
    cr_assert_eq(an_batch_apply(b, txn), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    cr_assert_eq(s_row(s_a, "x", 0), 30);
    cr_assert_eq(seen.calls, 1, "one row changed: one call");
    cr_assert_eq(seen.last_old, 0);
    cr_assert_eq(seen.last_new, 30);
    cr_assert_eq(s_entries(s_b), 1);
    an_batch_destroy(&b);
}
