/*  The scheduler's store migrations: 1 -> 2, the due index is rebuilt by
 *  month from the stored obligations (actionable ones only); 2 -> 3, a
 *  store holding obligations asks for the history backfill (its
 *  obligations were stored before scheduler.obligation.changed existed),
 *  an empty one does not; 3 -> 4 -> 5, the facts keep the employee's site
 *  and region. */
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

/* A schema-3 store: facts heads without the site (the old layout: birth,
 * entity, department, padding), the employee records holding it. */
static int s_step_three(MDB_txn *txn, unsigned from, void *arg)
{
    (void) arg;
    if (from != 0)
        return 0; /* steps 1 -> 2 -> 3: nothing more to lay out */
    MDB_dbi facts, employees;
    mdb_dbi_open(txn, "facts", MDB_CREATE, &facts);
    mdb_dbi_open(txn, "employees", MDB_CREATE, &employees);
    uint8_t old[12 + sizeof(sch_fact_t)];
    memset(old, 0, sizeof old);
    int32_t birth = ent_date_from_ymd(1980, 5, 1);
    memcpy(old, &birth, 4);
    old[4] = 3;
    memcpy(old + 5, "ACM", 3);
    old[8] = 2;
    memcpy(old + 9, "rd", 2);
    sch_fact_t f = sch_fact_make(SCH_FACT_HIRED, ent_date_from_ymd(2020, 1, 6), 0);
    memcpy(old + 12, &f, sizeof f);
    MDB_val k = { 2, "E1" }, v = { sizeof old, old };
    int rc = mdb_put(txn, facts, &k, &v, 0);
    Entretiens__V1__Employee e = ENTRETIENS__V1__EMPLOYEE__INIT;
    e.employee_id = "E1";
    e.site = "Lyon";
    e.region = "reunion";
    uint8_t buf[64];
    MDB_val ev = { entretiens__v1__employee__pack(&e, buf), buf };
    if (!rc)
        rc = mdb_put(txn, employees, &k, &ev, 0);
    /* an employee whose record is gone keeps her facts as they were */
    MDB_val k2 = { 2, "E2" };
    if (!rc)
        rc = mdb_put(txn, facts, &k2, &v, 0);
    return rc;
}

Test(sched_migrate, version_4_keeps_the_site_in_the_facts_head)
{
    char dir[] = "/tmp/ent-migrate-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ent_store_t *st = ent_store_open(dir, 8, 16, false, NULL);
    cr_assert_not_null(st);
    /* stand for schema 3 by running the old layout's writer as step 0 -> 3 */
    cr_assert_eq(ent_store_migrate(st, 3, s_step_three, NULL), 0);
    MDB_txn *txn;
    MDB_dbi facts;
    MDB_val k = { 2, "E1" }, v;
    sched_facts_head_t h;
    size_t nf = 0;
    /* the old layout reads without a site */
    cr_assert_eq(ent_store_read(st, &txn), 0);
    cr_assert_eq(mdb_dbi_open(txn, "facts", 0, &facts), 0);
    cr_assert_eq(mdb_get(txn, facts, &k, &v), 0);
    cr_assert_not_null(sched_facts_parse(&v, &h, &nf));
    cr_expect_str_eq(h.entity, "ACM");
    cr_expect_str_eq(h.department, "rd");
    cr_expect_str_eq(h.site, "");
    cr_expect_eq(h.region, -1, "the old layout has no region");
    mdb_txn_abort(txn);
    cr_assert_eq(ent_store_migrate(st, SCHED_SCHEMA_VERSION, sched_migrate, NULL), 0);
    cr_assert_eq(ent_store_read(st, &txn), 0);
    cr_assert_eq(mdb_get(txn, facts, &k, &v), 0);
    const uint8_t *fp = sched_facts_parse(&v, &h, &nf);
    cr_assert_not_null(fp);
    cr_expect_str_eq(h.entity, "ACM");
    cr_expect_str_eq(h.department, "rd");
    cr_expect_str_eq(h.site, "Lyon", "the site comes from the employee record");
    cr_expect_eq(h.region, ENT_REGION_REUNION, "the region too (her date judges her deadlines)");
    cr_expect_eq(h.birth, ent_date_from_ymd(1980, 5, 1));
    cr_assert_eq(nf, 1);
    sch_fact_t f;
    memcpy(&f, fp, sizeof f);
    cr_expect_eq(f.kind, SCH_FACT_HIRED);
    cr_expect_eq(f.date, ent_date_from_ymd(2020, 1, 6), "the facts behind the head are unchanged");
    MDB_val k2 = { 2, "E2" };
    cr_assert_eq(mdb_get(txn, facts, &k2, &v), 0);
    cr_assert_not_null(sched_facts_parse(&v, &h, &nf));
    cr_expect_str_eq(h.site, "");
    cr_expect_eq(h.region, -1);
    cr_expect_eq(nf, 1);
    mdb_txn_abort(txn);
    ent_store_close(&st);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* A head written now reads back whole, and a value cut inside its site is
 * refused rather than read past. */
Test(sched_migrate, the_facts_head_round_trips_and_refuses_a_short_value)
{
    uint8_t buf[64];
    size_t head = sched_facts_head_len("ACME-FR", "sales", "Lyon");
    cr_assert_eq(head % 4, 0);
    cr_assert_leq(head, sizeof buf);
    sched_facts_head_write(buf, 42, "ACME-FR", "sales", "Lyon");
    MDB_val v = { head, buf };
    sched_facts_head_t h;
    size_t nf = 9;
    cr_assert_not_null(sched_facts_parse(&v, &h, &nf));
    cr_expect_eq(nf, 0);
    cr_expect_eq(h.birth, 42);
    cr_expect_str_eq(h.entity, "ACME-FR");
    cr_expect_str_eq(h.department, "sales");
    cr_expect_str_eq(h.site, "Lyon");
    MDB_val cut = { 4 + 1 + 7 + 1 + 5 + 1 + 2, buf };
    cr_expect_null(sched_facts_parse(&cut, &h, &nf));
}

/* The region tail: read back after the facts, "none" for a value without
 * one or an empty region, and a tail that is not one is refused. */
Test(sched_migrate, the_region_tail_round_trips_and_refuses_a_bad_one)
{
    uint8_t buf[128];
    size_t head = sched_facts_head_len("ACME-FR", "", "");
    sched_facts_head_write(buf, 42, "ACME-FR", "", "");
    sch_fact_t f = sch_fact_make(SCH_FACT_HIRED, ent_date_from_ymd(2020, 1, 6), 0);
    memcpy(buf + head, &f, sizeof f);
    sched_facts_tail_write(buf + head + sizeof f, "guadeloupe");
    MDB_val v = { head + sizeof f + SCHED_FACTS_TAIL, buf };
    sched_facts_head_t h;
    size_t nf = 0;
    const uint8_t *fp = sched_facts_parse(&v, &h, &nf);
    cr_assert_not_null(fp);
    cr_expect_eq(nf, 1, "the tail is not a fact");
    cr_expect_eq(h.region, ENT_REGION_GUADELOUPE);
    sched_facts_tail_write(buf + head + sizeof f, "");
    cr_assert_not_null(sched_facts_parse(&v, &h, &nf));
    cr_expect_eq(h.region, -1, "no region given: the entity's applies");
    sched_facts_tail_write(buf + head + sizeof f, "corse");
    cr_assert_not_null(sched_facts_parse(&v, &h, &nf));
    cr_expect_eq(h.region, -1, "an unknown name is no region");
    buf[head + sizeof f] = 'X';
    cr_expect_null(sched_facts_parse(&v, &h, &nf), "not a tail");
    buf[head + sizeof f] = 'R';
    buf[head + sizeof f + 1] = ENT_REGION_COUNT + 1;
    cr_expect_null(sched_facts_parse(&v, &h, &nf), "a region out of range");
    MDB_val odd = { head + sizeof f + 3, buf };
    cr_expect_null(sched_facts_parse(&odd, &h, &nf), "neither facts nor a tail");
}
