/*  The scheduler's store migrations: 1 -> 2, the due index is rebuilt by
 *  month from the stored obligations (actionable ones only); 2 -> 3, a
 *  store holding obligations asks for the history backfill (its
 *  obligations were stored before scheduler.obligation.changed existed),
 *  an empty one does not. */
#include "scheduler.h"

#include "common/date.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_step_one(MDB_txn *txn, unsigned from, void *arg)
{
    (void) arg;
    if (from != 0)
        return MDB_INCOMPATIBLE;
    /* a schema-1 store: obligations, and an index in the old layout */
    MDB_dbi obl, idx;
    mdb_dbi_open(txn, "obligations", MDB_CREATE, &obl);
    mdb_dbi_open(txn, "due_index", MDB_CREATE, &idx);
    sched_obl_t o[3];
    memset(o, 0, sizeof o);
    o[0].o.due_date = ent_date_from_ymd(2027, 3, 15);
    o[0].o.anchor = ent_date_from_ymd(2026, 3, 15);
    o[0].o.type = SCH_TYPE_PROFESSIONAL;
    o[0].actionable = 1;
    o[1].o.due_date = ent_date_from_ymd(2026, 6, 1);
    o[1].o.type = SCH_TYPE_END_OF_TRIAL;
    o[1].o.status = SCH_STATUS_MET;   /* not actionable: not indexed */
    o[2].o.due_date = ent_date_from_ymd(2026, 12, 31);
    o[2].o.type = SCH_TYPE_ANNUAL_REVIEW;
    o[2].campaign = 1;
    o[2].actionable = 1;
    MDB_val k = { 2, "E1" }, v = { sizeof o, o };
    cr_assert_eq(mdb_put(txn, obl, &k, &v, 0), 0);
    MDB_val ok = { 7, "oldkey!" }, ov = { 1, "\0" };
    return mdb_put(txn, idx, &ok, &ov, 0);
}

Test(sched_migrate, version_2_rebuilds_the_due_index_by_month)
{
    char dir[] = "/tmp/ent-migrate-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ent_store_t *st = ent_store_open(dir, 8, 16, false, NULL);
    cr_assert_not_null(st);
    cr_assert_eq(ent_store_migrate(st, 1, s_step_one, NULL), 0);
    cr_assert_eq(ent_store_migrate(st, SCHED_SCHEMA_VERSION, sched_migrate, NULL), 0);
    cr_assert_eq(ent_store_schema_version(st), SCHED_SCHEMA_VERSION);
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(st, &txn), 0);
    MDB_dbi idx;
    cr_assert_eq(mdb_dbi_open(txn, "due_index", 0, &idx), 0);
    MDB_stat ms;
    mdb_stat(txn, idx, &ms);
    cr_expect_eq(ms.ms_entries, 2, "two actionable obligations indexed, old key gone: %zu", ms.ms_entries);
    MDB_cursor *cur;
    mdb_cursor_open(txn, idx, &cur);
    MDB_val k, v;
    cr_assert_eq(mdb_cursor_get(cur, &k, &v, MDB_FIRST), 0);
    const uint8_t *p = k.mv_data;
    uint32_t month = ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]) ^ 0x80000000u;
    cr_expect_eq(month, 2026 * 12 + 11, "first bucket is December 2026 (the campaign), got %u", month);
    cr_expect_eq(memcmp(p + 4, "E1", 3), 0);
    cr_assert_eq(mdb_cursor_get(cur, &k, &v, MDB_NEXT), 0);
    p = k.mv_data;
    month = ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]) ^ 0x80000000u;
    cr_expect_eq(month, 2027 * 12 + 2, "then March 2027, got %u", month);
    mdb_cursor_close(cur);
    uint64_t backfill = 0;
    cr_assert_eq(ent_store_meta_get_u64(txn, st, SCHED_META_BACKFILL, &backfill), 0);
    cr_expect_eq(backfill, 1, "a store with obligations asks for the history backfill");
    mdb_txn_abort(txn);
    /* a later binary's store is refused */
    cr_expect_neq(ent_store_migrate(st, 1, sched_migrate, NULL), 0);
    ent_store_close(&st);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sched_migrate, a_new_store_needs_no_backfill)
{
    char dir[] = "/tmp/ent-migrate-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ent_store_t *st = ent_store_open(dir, 8, 16, false, NULL);
    cr_assert_not_null(st);
    cr_assert_eq(ent_store_migrate(st, SCHED_SCHEMA_VERSION, sched_migrate, NULL), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(st, &txn), 0);
    uint64_t backfill = 7;
    cr_assert_eq(ent_store_meta_get_u64(txn, st, SCHED_META_BACKFILL, &backfill), 0);
    cr_expect_eq(backfill, 0);
    mdb_txn_abort(txn);
    ent_store_close(&st);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
