/*  grants.c — records' HR grants reach the other daemons as events
 *  (common/grants.h, records.h). */
#include "records.h"

#include "common/clock.h"
#include "common/grants.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

#define ANNOUNCED_KEY "grants_announced"

int rec_grant_publish(records_t *r, MDB_txn *txn, const char *type, const uint8_t *packed, size_t len)
{
    ent_outbox_t *ob = ent_daemon_outbox(r->d);
    if (!ob)
        return 0; /* not started yet: rec_grants_announce sends them */
    char key[96];
    int64_t now = ent_clock_now_ms();
    snprintf(key, sizeof key, "%s:%lld:%zu", type, (long long) now, len);
    return ent_outbox_append(ob, txn, type, key, "", now, packed, len, NULL);
}

int rec_grants_announce(MDB_txn *txn, void *arg)
{
    records_t *r = arg;
    uint64_t done = 0;
    int rc = ent_store_meta_get_u64(txn, r->store, ANNOUNCED_KEY, &done);
    if (rc || done)
        return rc;
    /* grants made before the daemons shared them (a store of an earlier
     * version): announced once, in key order */
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, r->grants, &cur)))
        return rc;
    MDB_val k, v;
    size_t n = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if ((rc = rec_grant_publish(r, txn, ENT_GRANT_EVENT_GRANTED, v.mv_data, v.mv_size)))
            break;
        n++;
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND)
        return rc;
    if (n)
        ent_log_info("records.grants", "%zu existing grants announced to the other daemons", n);
    return ent_store_meta_put_u64(txn, r->store, ANNOUNCED_KEY, 1);
}
