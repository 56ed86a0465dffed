/*  migrate.c — the scheduler's store schema steps (scheduler.h).
 *
 *  1: the first layout.
 *  2: the due index is bucketed by month (see sched_index_key); the step
 *     rebuilds it from the stored obligations.
 *  3: obligations are published whole (scheduler.obligation.changed); a
 *     store that already holds some asks the sweep to publish them once
 *     (sched_backfill), so that a consumer rebuilt from seq 1 gets the
 *     history an older binary never published.
 */
#include "scheduler.h"

#include "common/log.h"

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
    default:
        return MDB_INCOMPATIBLE;
    }
}
