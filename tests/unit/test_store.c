/*  test_store.c — LMDB environment per daemon, group commits (common/store.h).
 *
 *  Criterion forks a process per test: every test creates its environments
 *  in a fresh mkdtemp directory (s_root, made by the .init hook) which the
 *  .fini hook removes, also when an assertion failed. */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/store.h"

static char s_root[64];

static void s_setup(void)
{
    snprintf(s_root, sizeof s_root, "/tmp/ent_test_store_XXXXXX");
    cr_assert_not_null(mkdtemp(s_root), "mkdtemp: %s", strerror(errno));
}

static int s_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st;
    (void) type;
    (void) ftw;
    return remove(path);
}

static void s_teardown(void)
{
    if (s_root[0])
        nftw(s_root, s_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store, .init = s_setup, .fini = s_teardown);

/* s_root + "/" + rel, in a static rotating buffer. */
static const char *s_path(const char *rel)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", s_root, rel);
    return b;
}

static ent_store_t *s_open(const char *dir, size_t map_mb, bool nosync)
{
    int err = 0;
    ent_store_t *store = ent_store_open(dir, 4, map_mb, nosync, &err);
    cr_assert_not_null(store, "ent_store_open(%s): %s", dir, mdb_strerror(err));
    return store;
}

static bool s_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool s_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int s_put_str(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *value)
{
    MDB_val k = { strlen(key), (void *) key }, v = { strlen(value), (void *) value };
    return mdb_put(txn, dbi, &k, &v, 0);
}

/* Reads key in a fresh read transaction: 0 and the value copied into out,
 * or the LMDB code. */
static int s_read_str(ent_store_t *store, MDB_dbi dbi, const char *key, char *out, size_t size)
{
    MDB_txn *txn;
    int rc = ent_store_read(store, &txn);
    cr_assert_eq(rc, 0, "ent_store_read: %s", mdb_strerror(rc));
    MDB_val k = { strlen(key), (void *) key }, v;
    rc = mdb_get(txn, dbi, &k, &v);
    if (rc == 0) {
        cr_assert_lt(v.mv_size, size);
        memcpy(out, v.mv_data, v.mv_size);
        out[v.mv_size] = '\0';
    }
    mdb_txn_abort(txn);
    return rc;
}

/* ---------------------------------------------------------------- open */

Test(store, open_creates_nested_directory_and_builtin_dbs)
{
    const char *dir = s_path("var/deep/scheduler");
    cr_assert_not(s_is_dir(s_path("var")));
    ent_store_t *store = s_open(dir, 8, false);
    cr_assert(s_is_dir(dir), "directory %s not created", dir);
    char file[320];
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    cr_assert(s_is_file(file), "%s missing", file);
    cr_assert_not_null(ent_store_env(store));
    cr_assert_null(ent_store_txn(store), "no turn right after open");

    MDB_dbi meta = ent_store_meta(store), outbox = ent_store_outbox(store),
            cursors = ent_store_cursors(store);
    cr_assert(meta != outbox && outbox != cursors && meta != cursors);

    /* the named databases are recorded in the main database */
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(store, &txn), 0);
    MDB_dbi main_db;
    cr_assert_eq(mdb_dbi_open(txn, NULL, 0, &main_db), 0);
    const char *names[] = { "meta", "outbox", "cursors" };
    for (int i = 0; i < 3; i++) {
        MDB_val k = { strlen(names[i]), (void *) names[i] }, v;
        cr_assert_eq(mdb_get(txn, main_db, &k, &v), 0, "db %s not created", names[i]);
    }
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, meta, &st), 0);
    cr_assert_eq(st.ms_entries, 0u);
    mdb_txn_abort(txn);

    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_size, (size_t) 8 << 20);
    cr_assert_gt(stats.map_used, 0u);
    cr_assert_leq(stats.map_used, stats.map_size);
    cr_assert_eq(stats.commits, 0u);
    cr_assert_eq(stats.map_growths, 0u);
    cr_assert_eq(stats.stale_readers, 0u);
    cr_assert_eq(ent_store_schema_version(store), 0u, "new store: schema 0");

    ent_store_close(&store);
    cr_assert_null(store, "close must clear the caller's pointer");
}

Test(store, open_existing_directory_and_reopen)
{
    const char *dir = s_path("records");
    cr_assert_eq(mkdir(dir, 0750), 0);
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "c:1", "Ada"), 0);
    cr_assert_eq(ent_store_commit(store), 0);
    ent_store_close(&store);

    store = s_open(dir, 1, false);
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);
    char buf[32];
    cr_assert_eq(s_read_str(store, db, "c:1", buf, sizeof buf), 0, "committed data must survive a reopen");
    cr_assert_str_eq(buf, "Ada");
    ent_store_close(&store);
}

Test(store, open_failure_sets_err)
{
    /* a path below a regular file cannot be created */
    const char *file = s_path("plain");
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fclose(f);
    int err = 0;
    ent_store_t *store = ent_store_open(s_path("plain/store"), 4, 1, false, &err);
    cr_assert_null(store);
    cr_assert_eq(err, ENOTDIR, "err = %d (%s)", err, mdb_strerror(err));
}

Test(store, close_null_is_safe)
{
    ent_store_close(NULL);
    ent_store_t *store = NULL;
    ent_store_close(&store);
    cr_assert_null(store);
}

/* ---------------------------------------------------------------- turns */

Test(store, put_get_through_a_turn)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);

    MDB_txn *txn = NULL;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_not_null(txn);
    cr_assert_eq(ent_store_txn(store), txn, "ent_store_txn is the turn's transaction");
    cr_assert_eq(s_put_str(ent_store_txn(store), db, "c:42", "Grace Hopper"), 0);
    cr_assert_eq(s_put_str(txn, ent_store_outbox(store), "e:1", "created"), 0);

    /* not visible to readers before the commit */
    char buf[64];
    cr_assert_eq(s_read_str(store, db, "c:42", buf, sizeof buf), MDB_NOTFOUND);

    cr_assert_eq(ent_store_commit(store), 0);
    cr_assert_null(ent_store_txn(store), "the transaction is gone after commit");

    cr_assert_eq(s_read_str(store, db, "c:42", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "Grace Hopper");
    cr_assert_eq(s_read_str(store, ent_store_outbox(store), "e:1", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "created");

    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.commits, 1u);
    cr_assert_eq(stats.commit_failures, 0u);
    cr_assert_geq(stats.last_commit_seconds, 0.0);

    /* a second turn */
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "c:43", "Alan"), 0);
    cr_assert_eq(ent_store_commit(store), 0);
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.commits, 2u);
    ent_store_close(&store);
}

/* Where a walk done a chunk per turn resumes: the first key strictly
 * after the last one done, whether or not that key is still there. */
Test(store, cursor_after_resumes_past_the_key)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "walk", 0, &db), 0);
    MDB_txn *txn = NULL;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "E1", "a"), 0);
    cr_assert_eq(s_put_str(txn, db, "E3", "b"), 0);
    cr_assert_eq(s_put_str(txn, db, "E5", "c"), 0);
    MDB_cursor *cur;
    cr_assert_eq(mdb_cursor_open(txn, db, &cur), 0);
    MDB_val k, v;
    const struct { const char *after, *want; } cases[] = {
        { "", "E1" },   /* from the start */
        { "E1", "E3" }, /* past a key that is there */
        { "E2", "E3" }, /* a key deleted since: the next one */
        { "E", "E1" },  /* a prefix sorts first */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_assert_eq(ent_store_cursor_after(cur, cases[i].after, &k, &v), 0, "after '%s'", cases[i].after);
        cr_expect(k.mv_size == strlen(cases[i].want) && memcmp(k.mv_data, cases[i].want, k.mv_size) == 0,
                  "after '%s': '%.*s', want %s", cases[i].after, (int) k.mv_size, (const char *) k.mv_data,
                  cases[i].want);
    }
    cr_expect_eq(ent_store_cursor_after(cur, "E5", &k, &v), MDB_NOTFOUND, "nothing after the last key");
    cr_expect_eq(ent_store_cursor_after(cur, "F", &k, &v), MDB_NOTFOUND, "nothing after a key past the end");
    mdb_cursor_close(cur);
    cr_assert_eq(ent_store_commit(store), 0);
    ent_store_close(&store);
}

Test(store, abort_discards_the_turn)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "keep", "1"), 0);
    cr_assert_eq(ent_store_commit(store), 0);

    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "drop", "2"), 0);
    MDB_val k = { 4, "keep" };
    cr_assert_eq(mdb_del(txn, db, &k, NULL), 0);
    cr_assert_eq(ent_store_abort(store, 0), 0);
    cr_assert_null(ent_store_txn(store));

    char buf[8];
    cr_assert_eq(s_read_str(store, db, "drop", buf, sizeof buf), MDB_NOTFOUND, "aborted put visible");
    cr_assert_eq(s_read_str(store, db, "keep", buf, sizeof buf), 0, "aborted delete applied");

    ent_store_stats_t before, after;
    ent_store_stats(store, &before);
    cr_assert_eq(before.commits, 1u);
    /* safe without a transaction; an ordinary rc does not grow the map */
    cr_assert_eq(ent_store_abort(store, 0), 0);
    cr_assert_eq(ent_store_abort(store, MDB_NOTFOUND), 0);
    ent_store_stats(store, &after);
    cr_assert_eq(after.map_growths, before.map_growths);
    cr_assert_eq(after.map_size, before.map_size);

    /* the store is usable after an abort */
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "again", "3"), 0);
    cr_assert_eq(ent_store_commit(store), 0);
    cr_assert_eq(s_read_str(store, db, "again", buf, sizeof buf), 0);
    ent_store_close(&store);
}

Test(store, close_aborts_an_open_turn)
{
    const char *dir = s_path("s");
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "lost", "x"), 0);
    ent_store_close(&store);
    cr_assert_null(store);

    store = s_open(dir, 1, false);
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);
    char buf[8];
    cr_assert_eq(s_read_str(store, db, "lost", buf, sizeof buf), MDB_NOTFOUND);
    ent_store_close(&store);
}

/* ---------------------------------------------------------------- schema */

typedef struct {
    unsigned from[16];
    int n;
    unsigned fail_at;   /* UINT32_MAX = never */
    const ent_store_t *store;
} migrate_log_t;

static int s_migrate(MDB_txn *txn, unsigned from, void *arg)
{
    migrate_log_t *log = arg;
    if (log->n < 16)
        log->from[log->n] = from;
    log->n++;
    /* each step leaves a trace in its own transaction */
    char key[32];
    snprintf(key, sizeof key, "step_%u", from);
    int rc = ent_store_meta_put_u64(txn, log->store, key, from + 100);
    if (rc)
        return rc;
    if (from == log->fail_at)
        return EIO;
    return 0;
}

static uint64_t s_meta(ent_store_t *store, const char *key)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(store, &txn), 0);
    uint64_t v = 12345;
    cr_assert_eq(ent_store_meta_get_u64(txn, store, key, &v), 0);
    mdb_txn_abort(txn);
    return v;
}

Test(store, migration_runs_each_step_once_in_order)
{
    const char *dir = s_path("s");
    ent_store_t *store = s_open(dir, 1, false);
    migrate_log_t log = { .fail_at = UINT32_MAX, .store = store };
    cr_assert_eq(ent_store_migrate(store, 3, s_migrate, &log), 0);
    cr_assert_eq(log.n, 3);
    cr_assert_eq(log.from[0], 0u);
    cr_assert_eq(log.from[1], 1u);
    cr_assert_eq(log.from[2], 2u);
    cr_assert_eq(ent_store_schema_version(store), 3u);
    cr_assert_eq(s_meta(store, "schema_version"), 3u);
    cr_assert_eq(s_meta(store, "step_0"), 100u);
    cr_assert_eq(s_meta(store, "step_2"), 102u);

    /* same target again: nothing to do */
    log.n = 0;
    cr_assert_eq(ent_store_migrate(store, 3, s_migrate, &log), 0);
    cr_assert_eq(log.n, 0);
    ent_store_close(&store);

    /* a second open does not re-run the steps either */
    store = s_open(dir, 1, false);
    log = (migrate_log_t) { .fail_at = UINT32_MAX, .store = store };
    cr_assert_eq(ent_store_schema_version(store), 3u);
    cr_assert_eq(ent_store_migrate(store, 3, s_migrate, &log), 0);
    cr_assert_eq(log.n, 0, "migration re-ran after reopen");

    /* a newer binary runs only the new steps */
    cr_assert_eq(ent_store_migrate(store, 5, s_migrate, &log), 0);
    cr_assert_eq(log.n, 2);
    cr_assert_eq(log.from[0], 3u);
    cr_assert_eq(log.from[1], 4u);
    cr_assert_eq(ent_store_schema_version(store), 5u);
    ent_store_close(&store);
}

Test(store, newer_store_is_refused)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    migrate_log_t log = { .fail_at = UINT32_MAX, .store = store };
    cr_assert_eq(ent_store_migrate(store, 4, s_migrate, &log), 0);
    log.n = 0;
    cr_assert_eq(ent_store_migrate(store, 2, s_migrate, &log), MDB_VERSION_MISMATCH);
    cr_assert_eq(log.n, 0, "no step may run on a newer store");
    cr_assert_eq(ent_store_schema_version(store), 4u, "the version must not be lowered");
    ent_store_close(&store);
}

Test(store, failed_step_is_rolled_back_and_resumed)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    migrate_log_t log = { .fail_at = 1, .store = store };
    cr_assert_eq(ent_store_migrate(store, 3, s_migrate, &log), EIO);
    cr_assert_eq(log.n, 2, "steps after the failed one must not run");
    cr_assert_eq(ent_store_schema_version(store), 1u, "step 0 committed, step 1 not");
    cr_assert_eq(s_meta(store, "step_0"), 100u);
    cr_assert_eq(s_meta(store, "step_1"), 0u, "the failed step's writes must be discarded");

    log = (migrate_log_t) { .fail_at = UINT32_MAX, .store = store };
    cr_assert_eq(ent_store_migrate(store, 3, s_migrate, &log), 0);
    cr_assert_eq(log.n, 2);
    cr_assert_eq(log.from[0], 1u, "resumes at the failed step");
    cr_assert_eq(log.from[1], 2u);
    cr_assert_eq(ent_store_schema_version(store), 3u);
    ent_store_close(&store);
}

/* ---------------------------------------------------------------- keys, meta */

Test(store, be64_round_trip_and_layout)
{
    const uint64_t values[] = { 0, 1, 255, 256, 65535, 0x0102030405060708ull,
                                UINT64_C(1) << 63, UINT64_MAX };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t buf[8];
        ent_be64_put(buf, values[i]);
        cr_assert_eq(ent_be64_get(buf), values[i], "round trip of %llu", (unsigned long long) values[i]);
    }
    uint8_t buf[8];
    ent_be64_put(buf, 0x0102030405060708ull);
    const uint8_t want[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    cr_assert_arr_eq(buf, want, 8, "most significant byte first");
    ent_be64_put(buf, 256);
    const uint8_t want256[8] = { 0, 0, 0, 0, 0, 0, 1, 0 };
    cr_assert_arr_eq(buf, want256, 8);
}

Test(store, be64_keys_sort_numerically)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "numbers", 0, &db), 0);
    const uint64_t keys[] = { 1, 256, 2, UINT64_C(1) << 40, 0, 65536 };
    const uint64_t sorted[] = { 0, 1, 2, 256, 65536, UINT64_C(1) << 40 };
    const size_t n = sizeof keys / sizeof keys[0];
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t kb[8];
        ent_be64_put(kb, keys[i]);
        MDB_val k = { 8, kb }, v = { sizeof keys[i], (void *) &keys[i] };
        cr_assert_eq(mdb_put(txn, db, &k, &v, 0), 0);
    }
    cr_assert_eq(ent_store_commit(store), 0);

    cr_assert_eq(ent_store_read(store, &txn), 0);
    MDB_cursor *cur;
    cr_assert_eq(mdb_cursor_open(txn, db, &cur), 0);
    MDB_val k, v;
    size_t i = 0;
    int rc;
    while ((rc = mdb_cursor_get(cur, &k, &v, i == 0 ? MDB_FIRST : MDB_NEXT)) == 0) {
        cr_assert_lt(i, n);
        cr_assert_eq(k.mv_size, 8u);
        cr_assert_eq(ent_be64_get(k.mv_data), sorted[i], "position %zu: %llu, want %llu", i,
                     (unsigned long long) ent_be64_get(k.mv_data), (unsigned long long) sorted[i]);
        i++;
    }
    cr_assert_eq(rc, MDB_NOTFOUND);
    cr_assert_eq(i, n);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    ent_store_close(&store);
}

Test(store, meta_u64_helpers)
{
    ent_store_t *store = s_open(s_path("s"), 1, false);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    uint64_t v = 999;
    cr_assert_eq(ent_store_meta_get_u64(txn, store, "outbox_seq", &v), 0);
    cr_assert_eq(v, 0u, "absent = 0");
    cr_assert_eq(ent_store_meta_put_u64(txn, store, "outbox_seq", 42), 0);
    cr_assert_eq(ent_store_meta_put_u64(txn, store, "big", UINT64_MAX), 0);
    cr_assert_eq(ent_store_meta_get_u64(txn, store, "outbox_seq", &v), 0);
    cr_assert_eq(v, 42u, "visible inside the same transaction");
    cr_assert_eq(ent_store_commit(store), 0);

    cr_assert_eq(s_meta(store, "outbox_seq"), 42u);
    cr_assert_eq(s_meta(store, "big"), UINT64_MAX);
    cr_assert_eq(s_meta(store, "absent"), 0u);

    /* overwrite */
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(ent_store_meta_put_u64(txn, store, "outbox_seq", 43), 0);
    cr_assert_eq(ent_store_commit(store), 0);
    cr_assert_eq(s_meta(store, "outbox_seq"), 43u);

    /* stored big-endian, 8 bytes */
    cr_assert_eq(ent_store_read(store, &txn), 0);
    MDB_val k = { 10, "outbox_seq" }, val;
    cr_assert_eq(mdb_get(txn, ent_store_meta(store), &k, &val), 0);
    cr_assert_eq(val.mv_size, 8u);
    cr_assert_eq(((const uint8_t *) val.mv_data)[7], 43);
    cr_assert_eq(((const uint8_t *) val.mv_data)[0], 0);
    mdb_txn_abort(txn);

    /* a value of the wrong size is refused rather than misread */
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, ent_store_meta(store), "odd", "abc"), 0);
    v = 7;
    cr_assert_eq(ent_store_meta_get_u64(txn, store, "odd", &v), MDB_CORRUPTED);
    cr_assert_eq(ent_store_abort(store, 0), 0);
    ent_store_close(&store);
}

/* ---------------------------------------------------------------- map growth */

#define GROW_VALUE_SIZE 8000
#define GROW_TURNS 15
#define GROW_PER_TURN 262   /* 15 * 262 * 8000 B = 30 MiB */

static void s_fill(uint8_t *buf, uint64_t idx)
{
    for (size_t i = 0; i < GROW_VALUE_SIZE; i++)
        buf[i] = (uint8_t) (idx * 131 + i * 7 + (i >> 8));
}

Test(store, map_grows_on_demand_and_turns_are_redone)
{
    const char *dir = s_path("grow");
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "blobs", 0, &db), 0);
    ent_store_stats_t start;
    ent_store_stats(store, &start);
    cr_assert_eq(start.map_size, (size_t) 1 << 20);

    uint8_t *value = malloc(GROW_VALUE_SIZE);
    cr_assert_not_null(value);
    int put_full = 0, commit_full = 0;
    for (int turn = 0; turn < GROW_TURNS; turn++) {
        int attempts = 0;
        for (;;) {
            cr_assert_lt(attempts++, 40, "turn %d never fits", turn);
            MDB_txn *txn;
            int rc = ent_store_begin(store, &txn);
            cr_assert_eq(rc, 0, "begin: %s", mdb_strerror(rc));
            for (int i = 0; i < GROW_PER_TURN && rc == 0; i++) {
                uint64_t idx = (uint64_t) turn * GROW_PER_TURN + (uint64_t) i;
                uint8_t kb[8];
                ent_be64_put(kb, idx);
                s_fill(value, idx);
                MDB_val k = { 8, kb }, v = { GROW_VALUE_SIZE, value };
                rc = mdb_put(txn, db, &k, &v, 0);
            }
            if (rc == MDB_MAP_FULL) {
                put_full++;
                cr_assert_eq(ent_store_abort(store, MDB_MAP_FULL), 0, "growth after a full put failed");
                cr_assert_null(ent_store_txn(store));
                continue;   /* redo the turn */
            }
            cr_assert_eq(rc, 0, "put: %s", mdb_strerror(rc));
            rc = ent_store_commit(store);
            if (rc == MDB_MAP_FULL) {
                commit_full++;  /* commit grew the map itself */
                continue;
            }
            cr_assert_eq(rc, 0, "commit: %s", mdb_strerror(rc));
            break;
        }
    }
    cr_assert_gt(put_full + commit_full, 0, "a 2 MiB turn cannot fit a 1 MiB map");

    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    cr_assert_gt(stats.map_growths, 0u);
    cr_assert_geq(stats.map_growths, (uint64_t) (put_full + commit_full),
                  "every MAP_FULL must have grown the map");
    cr_assert_gt(stats.map_size, start.map_size);
    cr_assert_geq(stats.map_size, (size_t) 30 << 20, "the map must hold 30 MiB of values");
    cr_assert_leq(stats.map_used, stats.map_size);
    cr_assert_eq(stats.commits, (uint64_t) GROW_TURNS);
    cr_assert_eq(stats.commit_failures, (uint64_t) commit_full);

    /* every value of every turn is there, once */
    const uint64_t total = (uint64_t) GROW_TURNS * GROW_PER_TURN;
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(store, &txn), 0);
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, db, &st), 0);
    cr_assert_eq(st.ms_entries, total);
    for (uint64_t idx = 0; idx < total; idx++) {
        uint8_t kb[8];
        ent_be64_put(kb, idx);
        MDB_val k = { 8, kb }, v;
        cr_assert_eq(mdb_get(txn, db, &k, &v), 0, "value %llu missing", (unsigned long long) idx);
        cr_assert_eq(v.mv_size, (size_t) GROW_VALUE_SIZE);
        s_fill(value, idx);
        cr_assert(memcmp(v.mv_data, value, GROW_VALUE_SIZE) == 0, "value %llu corrupted",
                  (unsigned long long) idx);
    }
    mdb_txn_abort(txn);
    ent_store_close(&store);

    /* reopened with the small initial size: the file's content is kept, the
     * map covers it, and the next turn grows it again */
    store = s_open(dir, 1, false);
    cr_assert_eq(ent_store_dbi(store, "blobs", 0, &db), 0);
    ent_store_stats(store, &stats);
    cr_assert_geq(stats.map_size, stats.map_used);
    cr_assert_eq(ent_store_read(store, &txn), 0);
    cr_assert_eq(mdb_stat(txn, db, &st), 0);
    cr_assert_eq(st.ms_entries, total);
    mdb_txn_abort(txn);
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "after-reopen", "ok"), 0);
    cr_assert_eq(ent_store_commit(store), 0);
    ent_store_close(&store);
    free(value);
}

Test(store, begin_grows_the_map_above_80_percent)
{
    ent_store_t *store = s_open(s_path("s"), 1, true);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "blobs", 0, &db), 0);
    char value[3000];
    memset(value, 'v', sizeof value);
    bool grown = false;
    for (uint64_t turn = 0; turn < 1000 && !grown; turn++) {
        ent_store_stats_t before, after;
        ent_store_stats(store, &before);
        MDB_txn *txn;
        cr_assert_eq(ent_store_begin(store, &txn), 0);
        ent_store_stats(store, &after);
        if (before.map_used > before.map_size / 10 * 8) {
            cr_assert_eq(after.map_growths, before.map_growths + 1, "begin did not grow a %zu/%zu map",
                         before.map_used, before.map_size);
            cr_assert_eq(after.map_size, before.map_size * 2, "growth doubles the map");
            grown = true;
        } else {
            cr_assert_eq(after.map_growths, before.map_growths, "grown at %zu/%zu used", before.map_used,
                         before.map_size);
            cr_assert_eq(after.map_size, before.map_size);
        }
        uint8_t kb[8];
        ent_be64_put(kb, turn);
        MDB_val k = { 8, kb }, v = { sizeof value, value };
        int rc = mdb_put(txn, db, &k, &v, 0);
        cr_assert_eq(rc, 0, "small turns must fit before 80 %%: %s", mdb_strerror(rc));
        cr_assert_eq(ent_store_commit(store), 0);
    }
    cr_assert(grown, "never reached 80 %% of a 1 MiB map");
    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_growths, 1u);
    cr_assert_eq(stats.map_size, (size_t) 2 << 20);
    ent_store_close(&store);
}

static int s_migrate_100k(MDB_txn *txn, unsigned from, void *arg)
{
    (void) from;
    const ent_store_t *store = arg;
    static char big[100 * 1000];
    memset(big, 'm', sizeof big);
    MDB_val k = { 8, "migrated" }, v = { sizeof big, big };
    return mdb_put(txn, ent_store_meta(store), &k, &v, 0);
}

/* A store that outgrew the requested map: LMDB reopens it with a map of
 * exactly the pages in use (it does not adopt the larger recorded size).
 * ent_store_dbi and ent_store_migrate run before any turn and do not grow on
 * MDB_MAP_FULL, so the open itself must leave room for them. */
Test(store, reopen_of_an_outgrown_store_leaves_room_for_start_up)
{
    const char *dir = s_path("s");
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "blobs", 0, &db), 0);
    static char value[8000];
    memset(value, 'v', sizeof value);
    for (int turn = 0; turn < 6; turn++) {
        for (int attempt = 0;; attempt++) {
            cr_assert_lt(attempt, 10);
            MDB_txn *txn;
            cr_assert_eq(ent_store_begin(store, &txn), 0);
            int rc = 0;
            for (int i = 0; i < 64 && rc == 0; i++) {
                uint8_t kb[8];
                ent_be64_put(kb, (uint64_t) (turn * 64 + i));
                MDB_val k = { 8, kb }, v = { sizeof value, value };
                rc = mdb_put(txn, db, &k, &v, 0);
            }
            if (rc == MDB_MAP_FULL) {
                cr_assert_eq(ent_store_abort(store, rc), 0);
                continue;
            }
            cr_assert_eq(rc, 0);
            rc = ent_store_commit(store);
            if (rc == MDB_MAP_FULL)
                continue;
            cr_assert_eq(rc, 0);
            break;
        }
    }
    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    cr_assert_gt(stats.map_used, (size_t) 2 << 20, "the store must outgrow its 1 MiB request");
    ent_store_close(&store);

    store = s_open(dir, 1, false);
    ent_store_stats(store, &stats);
    cr_assert_leq(stats.map_used, stats.map_size / 10 * 8, "reopened with no headroom: %zu/%zu",
                  stats.map_used, stats.map_size);
    cr_assert_eq(ent_store_dbi(store, "added_by_upgrade", 0, &db), 0);
    int rc = ent_store_migrate(store, 1, s_migrate_100k, store);
    cr_assert_eq(rc, 0, "start-up migration: %s", mdb_strerror(rc));
    cr_assert_eq(ent_store_schema_version(store), 1u);
    ent_store_close(&store);
}

Test(store, explicit_growth)
{
    ent_store_t *store = s_open(s_path("s"), 2, false);
    ent_store_stats_t stats;
    cr_assert_eq(ent_store_grow(store), 0);
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_size, (size_t) 4 << 20);
    cr_assert_eq(stats.map_growths, 1u);

    /* abort with MDB_MAP_FULL grows even without a transaction */
    cr_assert_eq(ent_store_abort(store, MDB_MAP_FULL), 0);
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_size, (size_t) 8 << 20);
    cr_assert_eq(stats.map_growths, 2u);

    /* no growth while a turn is active */
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_neq(ent_store_grow(store), 0);
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_size, (size_t) 8 << 20);
    cr_assert_eq(stats.map_growths, 2u);
    cr_assert_eq(ent_store_txn(store), txn, "a refused growth must not end the turn");
    cr_assert_eq(ent_store_abort(store, 0), 0);
    ent_store_close(&store);
}

/* ---------------------------------------------------------------- backup */

Test(store, backup_is_a_usable_copy)
{
    ent_store_t *store = s_open(s_path("live"), 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "candidates", 0, &db), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    char key[16], val[32];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "c:%03d", i);
        snprintf(val, sizeof val, "candidate %d", i);
        cr_assert_eq(s_put_str(txn, db, key, val), 0);
    }
    cr_assert_eq(ent_store_meta_put_u64(txn, store, "schema_version", 7), 0);
    cr_assert_eq(ent_store_commit(store), 0);
    /* a write after the backup must not be in it */
    const char *bdir = s_path("backup");
    cr_assert_eq(mkdir(bdir, 0750), 0);
    int rc = ent_store_backup(store, bdir);
    cr_assert_eq(rc, 0, "backup: %s", mdb_strerror(rc));
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "c:late", "late"), 0);
    cr_assert_eq(ent_store_commit(store), 0);

    char file[320];
    snprintf(file, sizeof file, "%s/data.mdb", bdir);
    cr_assert(s_is_file(file), "backup produced no data.mdb");
    struct stat bst;
    cr_assert_eq(stat(file, &bst), 0);
    cr_assert_eq(bst.st_mode & 0777, 0600, "the copy holds private notes: mode %o", bst.st_mode & 0777);

    ent_store_t *copy = s_open(bdir, 1, false);
    MDB_dbi cdb;
    cr_assert_eq(ent_store_dbi(copy, "candidates", 0, &cdb), 0);
    cr_assert_eq(ent_store_schema_version(copy), 7u);
    cr_assert_eq(ent_store_read(copy, &txn), 0);
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, cdb, &st), 0);
    cr_assert_eq(st.ms_entries, 100u);
    mdb_txn_abort(txn);
    char got[64];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "c:%03d", i);
        snprintf(val, sizeof val, "candidate %d", i);
        cr_assert_eq(s_read_str(copy, cdb, key, got, sizeof got), 0, "%s missing from backup", key);
        cr_assert_str_eq(got, val);
    }
    cr_assert_eq(s_read_str(copy, cdb, "c:late", got, sizeof got), MDB_NOTFOUND);
    ent_store_close(&copy);
    ent_store_close(&store);
}

Test(store, backup_errors)
{
    ent_store_t *store = s_open(s_path("live"), 1, false);
    int rc = ent_store_backup(store, s_path("does/not/exist"));
    cr_assert_neq(rc, 0, "backup into a missing directory must fail");
    cr_assert_eq(rc, ENOENT, "rc = %d (%s)", rc, mdb_strerror(rc));

    /* the target must be empty: a second backup into it is refused */
    const char *bdir = s_path("backup");
    cr_assert_eq(mkdir(bdir, 0750), 0);
    cr_assert_eq(ent_store_backup(store, bdir), 0);
    rc = ent_store_backup(store, bdir);
    cr_assert_neq(rc, 0, "backup over an existing data.mdb must fail");

    /* a missing last component is created, private */
    const char *night = s_path("backup/20261204T0230-records");
    cr_assert_eq(ent_store_backup(store, night), 0);
    struct stat st;
    cr_assert_eq(stat(night, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
    char file[300];
    snprintf(file, sizeof file, "%s/data.mdb", night);
    cr_assert(s_is_file(file));
    ent_store_close(&store);
}

/* ---------------------------------------------------------------- stale readers */

/* A read-only LMDB environment on dir, as a checker, mdb_stat or mdb_dump
 * opens it beside the daemon (without the instance lock).  NULL on failure. */
static MDB_env *s_open_readonly(const char *dir)
{
    MDB_env *env;
    if (mdb_env_create(&env) != 0)
        return NULL;
    if (mdb_env_set_maxdbs(env, 8) != 0 || mdb_env_open(env, dir, MDB_RDONLY, 0640) != 0) {
        mdb_env_close(env);
        return NULL;
    }
    return env;
}

/* Child: opens the environment read-only, begins a read transaction and
 * dies without ending it.  Exit code != 0 reports a setup failure. */
static void s_reader_child(const char *dir)
{
    MDB_env *env = s_open_readonly(dir);
    if (!env)
        _exit(10);
    MDB_txn *txn;
    if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
        _exit(11);
    _exit(0);
}

Test(store, stale_reader_of_a_dead_process_is_cleared)
{
    const char *dir = s_path("s");
    ent_store_t *store = s_open(dir, 1, false);
    ent_store_close(&store);

    /* LMDB resets its whole reader table when an environment is opened by
     * the only process that has it open (it gets the exclusive lock), so the
     * dead reader is only observable while another process keeps the
     * environment open, as a read-only checker or mdb_stat would (a second
     * ent_store_open is refused by the instance lock).
     * holder: opens read-only, signals "ready", waits for "go", closes. */
    int ready[2], go[2];
    cr_assert_eq(pipe(ready), 0);
    cr_assert_eq(pipe(go), 0);
    fflush(NULL);
    pid_t holder = fork();
    cr_assert_geq(holder, 0);
    if (holder == 0) {
        close(ready[0]);
        close(go[1]);
        MDB_env *h = s_open_readonly(dir);
        char c = h ? 'r' : 'e';
        if (write(ready[1], &c, 1) != 1)
            _exit(20);
        if (read(go[0], &c, 1) < 0)
            _exit(21);
        if (h)
            mdb_env_close(h);
        _exit(c == 'g' ? 0 : 22);
    }
    close(ready[1]);
    close(go[0]);
    char c = 0;
    cr_assert_eq(read(ready[0], &c, 1), 1);
    cr_assert_eq(c, 'r', "holder could not open the store");

    pid_t reader = fork();
    cr_assert_geq(reader, 0);
    if (reader == 0)
        s_reader_child(dir);
    int status;
    cr_assert_eq(waitpid(reader, &status, 0), reader);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "reader child failed: %d", status);

    store = s_open(dir, 1, false);
    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    uint64_t stale = stats.stale_readers;
    /* the open cleared the slot: opening again (the holder still keeps
     * the table alive) finds nothing left */
    ent_store_close(&store);
    store = s_open(dir, 1, false);
    ent_store_stats(store, &stats);
    ent_store_close(&store);

    c = 'g';
    cr_assert_eq(write(go[1], &c, 1), 1);
    int hstatus;
    cr_assert_eq(waitpid(holder, &hstatus, 0), holder);
    close(ready[0]);
    close(go[1]);
    cr_assert(WIFEXITED(hstatus) && WEXITSTATUS(hstatus) == 0, "holder failed: %d", hstatus);

    cr_assert_geq(stale, 1u, "the dead child's reader slot was not reported");
    cr_assert_eq(stats.stale_readers, 0u, "the slot was not cleared by the first open");
}

/* ---------------------------------------------------------------- instance lock */

/* Child: tries to open dir (and to name its holder); exit 0 when refused with
 * EBUSY and the holder reported is expect_holder, another code otherwise. */
static void s_second_opener_child(const char *dir, pid_t expect_holder)
{
    int err = 0;
    ent_store_t *store = ent_store_open(dir, 4, 1, false, &err);
    if (store)
        _exit(30); /* two instances on one store */
    if (err != EBUSY)
        _exit(31);
    pid_t holder = -1;
    if (ent_store_lock_holder(dir, &holder) != 0)
        _exit(32);
    if (holder != expect_holder)
        _exit(33);
    _exit(0);
}

/* Runs s_second_opener_child in a fresh process and returns its exit code. */
static int s_second_opener(const char *dir, pid_t expect_holder)
{
    fflush(NULL);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0)
        s_second_opener_child(dir, expect_holder);
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status), "second opener died: %d", status);
    return WEXITSTATUS(status);
}

Test(store, second_opener_in_another_process_is_refused_with_the_holders_pid)
{
    const char *dir = s_path("scheduler");
    ent_store_t *store = s_open(dir, 1, false);
    pid_t holder = 0;
    cr_assert_eq(ent_store_lock_holder(dir, &holder), 0);
    cr_assert_eq(holder, getpid(), "this process holds the store");

    int rc = s_second_opener(dir, getpid());
    cr_assert_eq(rc, 0, "second opener: exit %d (30 opened, 31 wrong error, 32/33 holder)", rc);
    /* the refused opener opened and closed the lock file: the lock is ours
     * still (a second refusal), and the store keeps working */
    cr_assert_eq(s_second_opener(dir, getpid()), 0, "the lock was lost to a refused opener");
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "after", 0, &db), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "k", "v"), 0);
    cr_assert_eq(ent_store_commit(store), 0);

    /* the file: owner-only, with the holder's pid for operators */
    char file[320], text[32] = "";
    snprintf(file, sizeof file, "%s/%s", dir, ENT_STORE_LOCK_FILE);
    struct stat st;
    cr_assert_eq(stat(file, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "lock file mode %o", st.st_mode & 0777);
    FILE *f = fopen(file, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(text, sizeof text, f));
    fclose(f);
    cr_assert_eq(strtol(text, NULL, 10), (long) getpid(), "lock file holds '%s'", text);

    /* released by close: another process may open it now */
    ent_store_close(&store);
    cr_assert_eq(ent_store_lock_holder(dir, &holder), 0);
    cr_assert_eq(holder, 0, "closed store still locked by %ld", (long) holder);
}

Test(store, second_open_in_the_same_process_is_refused)
{
    const char *dir = s_path("records");
    ent_store_t *store = s_open(dir, 1, false);
    int err = 0;
    ent_store_t *again = ent_store_open(dir, 4, 1, false, &err);
    cr_assert_null(again, "one process opened the same store twice");
    cr_assert_eq(err, EBUSY, "err = %d (%s)", err, mdb_strerror(err));
    /* the refusal did not release the first store's lock */
    cr_assert_eq(s_second_opener(dir, getpid()), 0, "the lock was lost to the refused second open");
    ent_store_close(&store);
    store = s_open(dir, 1, false);
    ent_store_close(&store);
}

Test(store, lock_dies_with_its_holder)
{
    const char *dir = s_path("notifier");
    ent_store_t *store = s_open(dir, 1, false);
    ent_store_close(&store);

    /* holder: opens, signals, then waits to be killed */
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    fflush(NULL);
    pid_t holder = fork();
    cr_assert_geq(holder, 0);
    if (holder == 0) {
        close(ready[0]);
        int herr = 0;
        ent_store_t *h = ent_store_open(dir, 4, 1, false, &herr);
        char c = h ? 'r' : 'e';
        if (write(ready[1], &c, 1) != 1)
            _exit(20);
        for (;;)
            pause();
    }
    close(ready[1]);
    char c = 0;
    cr_assert_eq(read(ready[0], &c, 1), 1);
    close(ready[0]);
    if (c != 'r') {
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
        cr_assert_fail("holder could not open the store");
    }

    int err = 0;
    store = ent_store_open(dir, 4, 1, false, &err);
    pid_t who = 0;
    int qrc = ent_store_lock_holder(dir, &who);
    /* a read-only opener is not held off by the lock */
    MDB_env *ro = s_open_readonly(dir);
    bool ro_ok = ro != NULL;
    if (ro)
        mdb_env_close(ro);
    kill(holder, SIGKILL); /* no clean-up of any kind */
    int status;
    cr_assert_eq(waitpid(holder, &status, 0), holder);
    cr_assert_null(store, "opened a store another process holds");
    cr_assert_eq(err, EBUSY, "err = %d (%s)", err, mdb_strerror(err));
    cr_assert_eq(qrc, 0);
    cr_assert_eq(who, holder, "holder reported as %ld, expected %ld", (long) who, (long) holder);
    cr_assert(ro_ok, "a read-only LMDB open must work beside the holder");

    /* the kernel released the lock with the process: a restart just works */
    store = s_open(dir, 1, false);
    cr_assert_eq(ent_store_lock_holder(dir, &who), 0);
    cr_assert_eq(who, getpid());
    ent_store_close(&store);
}

Test(store, lock_holder_of_a_store_never_opened_is_nobody)
{
    pid_t who = 42;
    cr_assert_eq(ent_store_lock_holder(s_path("nothing/here"), &who), 0);
    cr_assert_eq(who, 0);
}

/* ent_store_walk: every entry in key order, stopped by the callback's
 * non-zero value, 0 on an empty database. */
typedef struct {
    char seen[16][8];
    int n, stop_at;
} s_walk_t;

static int s_walk_one(const MDB_val *k, const MDB_val *v, void *arg)
{
    s_walk_t *w = arg;
    cr_assert_eq(v->mv_size, 1u);
    snprintf(w->seen[w->n], sizeof w->seen[0], "%.*s", (int) k->mv_size, (const char *) k->mv_data);
    return ++w->n == w->stop_at ? 77 : 0;
}

Test(store, walk_visits_every_entry_in_order_and_stops_on_request)
{
    ent_store_t *store = s_open(s_path("walk"), 8, true);
    MDB_dbi dbi;
    cr_assert_eq(ent_store_dbi(store, "walked", 0, &dbi), 0); /* its own transaction: before the turn */
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    s_walk_t w = { .stop_at = -1 };
    cr_assert_eq(ent_store_walk(txn, dbi, s_walk_one, &w), 0, "an empty database is walked");
    cr_assert_eq(w.n, 0);
    const char *keys[] = { "c", "a", "b" };
    for (int i = 0; i < 3; i++) {
        MDB_val k = { 1, (void *) keys[i] }, v = { 1, "x" };
        cr_assert_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
    }
    cr_assert_eq(ent_store_walk(txn, dbi, s_walk_one, &w), 0);
    cr_assert_eq(w.n, 3);
    cr_assert_str_eq(w.seen[0], "a");
    cr_assert_str_eq(w.seen[1], "b");
    cr_assert_str_eq(w.seen[2], "c");
    s_walk_t stop = { .stop_at = 2 };
    cr_assert_eq(ent_store_walk(txn, dbi, s_walk_one, &stop), 77, "the callback's value is returned");
    cr_assert_eq(stop.n, 2);
    cr_assert_eq(ent_store_walk(txn, (MDB_dbi) 999, s_walk_one, &w), EINVAL);
    cr_assert_eq(ent_store_commit(store), 0);
    ent_store_close(&store);
}

/* Another thread's read transaction, holding the resize lock as the
 * gateway's workers and a backup do, until told to end it. */
typedef struct {
    ent_store_t *store;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stage; /* 1 open, 2 may end */
} s_reader_t;

static void *s_reader(void *arg)
{
    s_reader_t *r = arg;
    ent_store_thread_hold();
    MDB_txn *txn;
    int rc = ent_store_read(r->store, &txn);
    pthread_mutex_lock(&r->mu);
    r->stage = rc == 0 ? 1 : -1;
    pthread_cond_broadcast(&r->cv);
    while (r->stage == 1)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
    if (rc == 0)
        mdb_txn_abort(txn);
    ent_store_thread_release();
    return NULL;
}

Test(store, no_growth_while_another_thread_has_a_transaction)
{
    ent_store_t *store = s_open(s_path("s"), 2, false);
    s_reader_t r = { .store = store, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, s_reader, &r), 0);
    pthread_mutex_lock(&r.mu);
    while (r.stage == 0)
        pthread_cond_wait(&r.cv, &r.mu);
    pthread_mutex_unlock(&r.mu);
    cr_assert_eq(r.stage, 1, "the reader could not open its transaction");
    /* LMDB must not resize under it: the growth is refused, the map kept */
    cr_assert_eq(ent_store_grow(store), EBUSY);
    ent_store_stats_t stats;
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_size, (size_t) 2 << 20);
    /* nested holds in one thread do not block (the loop never waits) */
    ent_store_thread_hold();
    ent_store_thread_release();
    pthread_mutex_lock(&r.mu);
    r.stage = 2;
    pthread_cond_broadcast(&r.cv);
    pthread_mutex_unlock(&r.mu);
    pthread_join(th, NULL);
    /* the reader is gone: the next turn's growth goes through */
    cr_assert_eq(ent_store_grow(store), 0);
    ent_store_stats(store, &stats);
    cr_assert_eq(stats.map_size, (size_t) 4 << 20);
    ent_store_close(&store);
}

/* ------------------------------------------------------------ bulk load */

/* One committed turn putting key = value in db. */
static void s_turn_put(ent_store_t *store, MDB_dbi db, const char *key, const char *value)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, key, value), 0);
    cr_assert_eq(ent_store_commit(store), 0);
}

/* A store in dir whose "rows" hold key = value, closed. */
static void s_seed(const char *dir, const char *key, const char *value)
{
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "rows", 0, &db), 0);
    s_turn_put(store, db, key, value);
    ent_store_close(&store);
}

/* Opens the store in dir, reads key of "rows" into buf, closes: 0 or the
 * LMDB code (MDB_NOTFOUND). */
static int s_reopen_get(const char *dir, const char *key, char *buf, size_t size)
{
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "rows", 0, &db), 0);
    int rc = s_read_str(store, db, key, buf, size);
    ent_store_close(&store);
    return rc;
}

/* The marker of a bulk load in dir, as ent_store_bulk_begin writes it. */
static const char *s_marker(const char *dir)
{
    static char b[300];
    snprintf(b, sizeof b, "%s/%s", dir, ENT_STORE_BULK_FILE);
    return b;
}

static void s_boot(char out[64])
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(out, 64, f));
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
}

Test(store, bulk_load_marker_lives_until_the_end)
{
    const char *dir = s_path("analytics");
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "rows", 0, &db), 0);
    cr_assert_not(ent_store_bulk_active(store));
    cr_assert_eq(ent_store_bulk_end(store), 0, "ending a load never begun is a no-op");
    cr_assert_eq(ent_store_bulk_begin(store), 0);
    cr_assert(ent_store_bulk_active(store));
    cr_assert(s_is_file(s_marker(dir)), "the marker is written before the first commit");
    char boot[64], line[80] = "";
    s_boot(boot);
    FILE *f = fopen(s_marker(dir), "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    cr_assert_str_eq(line, boot, "the marker names this boot");
    cr_assert_eq(ent_store_bulk_begin(store), 0, "begun twice: a no-op");

    /* inside a turn neither may change */
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(store, &txn), 0);
    cr_assert_eq(s_put_str(txn, db, "a", "1"), 0);
    cr_assert_eq(ent_store_bulk_end(store), EINVAL);
    cr_assert_eq(ent_store_commit(store), 0);
    s_turn_put(store, db, "b", "2");
    cr_assert(s_is_file(s_marker(dir)), "still loading");

    cr_assert_eq(ent_store_bulk_end(store), 0);
    cr_assert_not(ent_store_bulk_active(store));
    cr_assert_not(s_is_file(s_marker(dir)), "the marker goes once everything is synced");
    s_turn_put(store, db, "c", "3");
    char buf[8];
    cr_assert_eq(s_read_str(store, db, "a", buf, sizeof buf), 0);
    cr_assert_eq(s_read_str(store, db, "c", buf, sizeof buf), 0);
    ent_store_close(&store);
}

Test(store, bulk_load_ended_by_a_clean_close)
{
    const char *dir = s_path("analytics");
    ent_store_t *store = s_open(dir, 1, false);
    MDB_dbi db;
    cr_assert_eq(ent_store_dbi(store, "rows", 0, &db), 0);
    cr_assert_eq(ent_store_bulk_begin(store), 0);
    s_turn_put(store, db, "k", "v");
    ent_store_close(&store);
    cr_assert_not(s_is_file(s_marker(dir)), "closed cleanly: synced, no marker");
    char buf[8];
    cr_assert_eq(s_reopen_get(dir, "k", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "v");
}

/* A process that dies during a bulk load: its commits are in the page
 * cache of this boot, the store is kept (and synced, the marker gone). */
Test(store, bulk_load_of_a_dead_process_of_this_boot_is_kept)
{
    const char *dir = s_path("analytics");
    fflush(NULL);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        int e = 0;
        ent_store_t *s = ent_store_open(dir, 4, 1, false, &e);
        MDB_dbi d;
        MDB_txn *t;
        MDB_val k = { 4, "kept" }, v = { 3, "yes" };
        if (!s || ent_store_dbi(s, "rows", 0, &d) || ent_store_bulk_begin(s) || ent_store_begin(s, &t) ||
            mdb_put(t, d, &k, &v, 0) || ent_store_commit(s))
            _exit(20);
        _exit(0); /* no close: the marker stays */
    }
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed: %d", status);
    cr_assert(s_is_file(s_marker(dir)), "the dead process left its marker");
    char buf[8];
    cr_assert_eq(s_reopen_get(dir, "kept", buf, sizeof buf), 0, "what it committed is still there");
    cr_assert_str_eq(buf, "yes");
    cr_assert_not(s_is_file(s_marker(dir)), "kept and synced: the marker is gone");
}

/* A marker of another boot: the machine restarted during the load, the
 * disk holds an arbitrary subset of its pages — the store is discarded. */
Test(store, bulk_load_interrupted_by_a_restart_is_discarded)
{
    const char *dir = s_path("analytics");
    for (int variant = 0; variant < 2; variant++) {
        s_seed(dir, "old", "row");
        FILE *f = fopen(s_marker(dir), "w");
        cr_assert_not_null(f);
        /* another boot's id; then a marker cut short (empty) */
        if (variant == 0)
            fputs("00000000-0000-4000-8000-000000000000\n", f);
        fclose(f);
        char buf[8];
        cr_assert_eq(s_reopen_get(dir, "old", buf, sizeof buf), MDB_NOTFOUND, "variant %d: the store was discarded",
                     variant);
        cr_assert_not(s_is_file(s_marker(dir)), "variant %d: the marker is gone", variant);
    }
}

/* Without a marker nothing is touched (every other store). */
Test(store, open_without_a_marker_keeps_everything)
{
    const char *dir = s_path("records");
    s_seed(dir, "k", "v");
    char buf[8];
    cr_assert_eq(s_reopen_get(dir, "k", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "v");
}
