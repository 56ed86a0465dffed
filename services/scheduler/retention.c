/*  retention.c — the scheduler's dead letters kept for a period, then
 *  deleted (docs/data-protection.md, "Retention").
 *
 *  A dead letter holds the HRIS event as it was received — names, e-mail
 *  addresses, dates of the person — for HR to correct and send again. Once
 *  the period (ENTRETIENS_RETENTION_DEADLETTER_DAYS, default 365) has
 *  passed on the business clock, it is deleted: keys are increasing ids,
 *  received in order, so the sweep walks from the oldest and stops at the
 *  first one still within the period.
 */
#include "scheduler.h"

#include "common/log.h"
#include "common/clock.h"

#include <stdlib.h>

#define S_DAY_MS 86400000LL
#define S_BUDGET 10000 /* deletions per turn: requests keep being answered */

int sched_retention_config(scheduler_t *s)
{
    bool ok = true;
    int64_t days = ent_config_get_int(ent_daemon_config(s->d), "ENTRETIENS_RETENTION_DEADLETTER_DAYS", 365, &ok);
    if (!ok || days < 1 || days > 36500) {
        ent_log_error("config.invalid", "ENTRETIENS_RETENTION_DEADLETTER_DAYS must be a whole number of days from 1 "
                                        "to 36500");
        return -1;
    }
    s->deadletter_days = (uint32_t) days;
    return 0;
}

int sched_retention_sweep(MDB_txn *txn, void *arg)
{
    scheduler_t *s = arg;
    int64_t cutoff = ent_clock_now_ms() - (int64_t) s->deadletter_days * S_DAY_MS;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->deadletters, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    size_t deleted = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && deleted < S_BUDGET;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Entretiens__V1__DeadLetter *dl = entretiens__v1__dead_letter__unpack(NULL, v.mv_size, v.mv_data);
        /* an unreadable letter is kept (and listed as such): never delete
         * what cannot be dated */
        int64_t at = dl ? dl->received_at_ms : INT64_MAX;
        if (dl)
            entretiens__v1__dead_letter__free_unpacked(dl, NULL);
        if (at >= cutoff)
            break;
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        deleted++;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (!rc && deleted)
        ent_log_info("retention.deadletters", "%zu dead letter%s older than %u days deleted", deleted,
                     deleted == 1 ? "" : "s", s->deadletter_days);
    return rc;
}
