/*  migrate.c — the scheduler's store schema steps (scheduler.h).
 *
 *  1: the first layout.
 *  2: the due index is bucketed by month (see sched_index_key); the step
 *     rebuilds it from the stored obligations.
 *  3: obligations are published whole (scheduler.obligation.changed); a
 *     store that already holds some asks the sweep to publish them once
 *     (sched_backfill), so that a consumer rebuilt from seq 1 gets the
 *     history an older binary never published.
 *  4: the head of each facts value keeps the employee's site (campaigns
 *     filter on it); the step rewrites every head from the stored
 *     employee record, the facts behind it unchanged.
 */
#include "scheduler.h"

#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int s_rebuild_due_index(MDB_txn *txn)
{
    MDB_dbi idx, obl;
    int rc = mdb_dbi_open(txn, "due_index", MDB_CREATE, &idx);
    if (!rc)
        rc = mdb_dbi_open(txn, "obligations", MDB_CREATE, &obl);
    if (!rc)
        rc = mdb_drop(txn, idx, 0);
    if (rc)
        return rc;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, obl, &cur)) != 0)
        return rc;
    MDB_val k, v;
    size_t entries = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char id[SCHED_ID_MAX + 1];
        size_t len = k.mv_size < SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(id, k.mv_data, len);
        id[len] = '\0';
        size_t n = v.mv_size / sizeof(sched_obl_t);
        for (size_t i = 0; i < n && !rc; i++) {
            sched_obl_t o;
            memcpy(&o, (const uint8_t *) v.mv_data + i * sizeof o, sizeof o);
            if (!o.actionable)
                continue;
            uint8_t key[SCHED_ID_MAX + 32], st = o.o.status;
            MDB_val ik = { sched_index_key(id, &o, key), key }, iv = { 1, &st };
            rc = mdb_put(txn, idx, &ik, &iv, 0);
            entries++;
        }
        if (rc)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (!rc)
        ent_log_info("scheduler.migrated", "due index rebuilt by month: %zu entries", entries);
    return rc;
}

static int s_ask_backfill(MDB_txn *txn)
{
    MDB_dbi obl, meta;
    int rc = mdb_dbi_open(txn, "obligations", MDB_CREATE, &obl);
    if (rc)
        return rc;
    MDB_stat st;
    if ((rc = mdb_stat(txn, obl, &st)) != 0)
        return rc;
    if (st.ms_entries == 0)
        return 0; /* a new store: everything it will hold is published as it comes */
    if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta)) != 0)
        return rc;
    /* the encoding of ent_store_meta_put_u64: 8 bytes big-endian */
    uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
    MDB_val k = { strlen(SCHED_META_BACKFILL), (void *) SCHED_META_BACKFILL }, v = { sizeof one, one };
    rc = mdb_put(txn, meta, &k, &v, 0);
    if (!rc)
        ent_log_info("scheduler.migrated", "%zu employees' obligations will be published once (history backfill)",
                     (size_t) st.ms_entries);
    return rc;
}

/* One employee's facts value with the site in its head and the region in
 * its tail, from her record (a new value: a write may not change the size
 * of the one a cursor points into). */
static int s_site_head(MDB_txn *txn, MDB_dbi facts, MDB_dbi employees, MDB_val k, MDB_val v)
{
    sched_facts_head_t h;
    size_t nf;
    const uint8_t *fp = sched_facts_parse(&v, &h, &nf);
    if (!fp)
        return 0; /* unreadable: recompute says so, as before */
    MDB_val ev;
    int rc = mdb_get(txn, employees, &k, &ev);
    if (rc)
        return rc == MDB_NOTFOUND ? 0 : rc;
    Entretiens__V1__Employee *e = entretiens__v1__employee__unpack(NULL, ev.mv_size, ev.mv_data);
    if (!e)
        return 0;
    size_t head = sched_facts_head_len(h.entity, h.department, e->site);
    size_t size = head + nf * sizeof(sch_fact_t) + SCHED_FACTS_TAIL;
    uint8_t *nv = malloc(size);
    if (!nv) {
        entretiens__v1__employee__free_unpacked(e, NULL);
        return ENOMEM;
    }
    sched_facts_head_write(nv, h.birth, h.entity, h.department, e->site);
    memcpy(nv + head, fp, nf * sizeof(sch_fact_t));
    sched_facts_tail_write(nv + head + nf * sizeof(sch_fact_t), e->region);
    entretiens__v1__employee__free_unpacked(e, NULL);
    MDB_val key = k, val = { size, nv };
    rc = mdb_put(txn, facts, &key, &val, 0);
    free(nv);
    return rc;
}

static int s_facts_site(MDB_txn *txn)
{
    MDB_dbi facts, employees;
    int rc = mdb_dbi_open(txn, "facts", MDB_CREATE, &facts);
    if (!rc)
        rc = mdb_dbi_open(txn, "employees", MDB_CREATE, &employees);
    if (rc)
        return rc;
    /* the keys first: puts while a cursor walks the same database would
     * move it */
    MDB_stat st;
    if ((rc = mdb_stat(txn, facts, &st)) != 0)
        return rc;
    if (st.ms_entries == 0)
        return 0;
    char (*keys)[SCHED_ID_MAX + 1] = calloc(st.ms_entries, sizeof *keys);
    if (!keys)
        return ENOMEM;
    MDB_cursor *cur;
    size_t n = 0;
    if ((rc = mdb_cursor_open(txn, facts, &cur)) != 0) {
        free(keys);
        return rc;
    }
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && n < st.ms_entries;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if (k.mv_size <= SCHED_ID_MAX) {
            memcpy(keys[n], k.mv_data, k.mv_size);
            keys[n++][k.mv_size] = '\0';
        }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        MDB_val key = { strlen(keys[i]), keys[i] };
        if ((rc = mdb_get(txn, facts, &key, &v)) == 0)
            rc = s_site_head(txn, facts, employees, key, v);
    }
    free(keys);
    if (!rc)
        ent_log_info("scheduler.migrated", "facts of %zu employees keep their site and region", n);
    return rc;
}

int sched_migrate(MDB_txn *txn, unsigned from, void *arg)
{
    (void) arg;
    switch (from) {
    case 0:
        return 0; /* a new store: the databases are created at set-up */
    case 1:
        return s_rebuild_due_index(txn);
    case 2:
        return s_ask_backfill(txn);
    case 3:
    case 4: /* the same rewrite, which now adds the region's tail */
        return s_facts_site(txn);
    default:
        return MDB_INCOMPATIBLE;
    }
}
