/*  retention.c — how long the scheduler keeps what it holds about people
 *  (docs/data-protection.md, "Retention").
 *
 *  Dead letters.  A dead letter holds the HRIS event as it was received —
 *  names, e-mail addresses, dates of the person — for HR to correct and
 *  send again. Once the period (ENTRETIENS_RETENTION_DEADLETTER_DAYS,
 *  default 365) has passed on the business clock, it is deleted: keys are
 *  increasing ids, received in order, so the sweep walks from the oldest
 *  and stops at the first one still within the period.
 *
 *  The history of a person who left.  Once
 *  ENTRETIENS_RETENTION_OBLIGATIONS_YEARS (default 5) have passed since
 *  her departure day, on the business clock, what the HRIS said of her
 *  goes: every event of her history (names, e-mail, birth date, manager,
 *  position, absences and their kind), the facts folded from it, and in
 *  her employee record the names, e-mail, locale, birth date, manager and
 *  position.  What proves the professional interview's cycle and its
 *  six/eight-year recap (L6315-1 II) stays: her obligations as last
 *  computed (type, rule, dates, status, when met) and the organisation's
 *  attributes the figures count by (entity, department, site, region,
 *  category, contract, dates of hire, trial and departure, last interview).
 *  Without facts she is never recomputed (sched_recompute), so the stored
 *  obligations are frozen; the idempotency entries (source + event id ->
 *  employee id) stay, so an old event sent again is a duplicate
 *  (ingest.c), not a new history.  Nothing is published: the other daemons
 *  apply their own periods to their own copies.
 */
#include "scheduler.h"

#include "common/clock.h"
#include "common/log.h"
#include "common/retention.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_BUDGET 10000 /* deletions per turn: requests keep being answered */

int sched_retention_config(scheduler_t *s)
{
    char err[256];
    int64_t days, years;
    if (ent_retention_option(ent_daemon_config(s->d), "ENTRETIENS_RETENTION_DEADLETTER_DAYS", "days", 1,
                             ENT_RETENTION_DAYS_MAX, &days, err, sizeof err) != 0 ||
        ent_retention_option(ent_daemon_config(s->d), "ENTRETIENS_RETENTION_OBLIGATIONS_YEARS", "years", 1,
                             ENT_RETENTION_YEARS_MAX, &years, err, sizeof err) != 0) {
        ent_log_error("config.invalid", "%s", err);
        return -1;
    }
    s->deadletter_days = (uint32_t) days;
    s->history_years = (int) years;
    return 0;
}

/* The dead letters past their period, oldest first; *budget decreases. */
static int s_deadletters(scheduler_t *s, MDB_txn *txn, size_t *budget)
{
    int64_t now = ent_clock_now_ms();
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->deadletters, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    size_t deleted = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && *budget;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Entretiens__V1__DeadLetter *dl = entretiens__v1__dead_letter__unpack(NULL, v.mv_size, v.mv_data);
        /* an unreadable letter is kept (and listed as such): never delete
         * what cannot be dated */
        int64_t at = dl ? dl->received_at_ms : INT64_MAX;
        if (dl)
            entretiens__v1__dead_letter__free_unpacked(dl, NULL);
        if (!ent_retention_expired(at, now, s->deadletter_days))
            break;
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        deleted++;
        (*budget)--;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (!rc && deleted) {
        s->turn_retention_purged[SCHED_PURGE_DEADLETTERS] += deleted;
        ent_log_info("retention.deadletters", "%zu dead letter%s older than %u days deleted", deleted,
                     deleted == 1 ? "" : "s", s->deadletter_days);
    }
    return rc;
}

typedef struct {
    scheduler_t *s;
    MDB_txn *txn;
    int32_t today;
    char (*ids)[SCHED_ID_MAX + 1];
    size_t n, cap, max;
} s_due_t;

/* Collects the people whose period is over and whose history is still
 * there (facts present: not purged yet). */
static int s_collect(const MDB_val *k, const MDB_val *v, void *arg)
{
    s_due_t *d = arg;
    if (d->n >= d->max || k->mv_size == 0 || k->mv_size > SCHED_ID_MAX)
        return 0;
    Entretiens__V1__Employee *e = entretiens__v1__employee__unpack(NULL, v->mv_size, v->mv_data);
    if (!e)
        return 0; /* unreadable: no departure day to count from, kept */
    bool due = ent_retention_departed_due(ent_pbdate_day(e->left_on), d->s->history_years, d->today);
    entretiens__v1__employee__free_unpacked(e, NULL);
    if (!due)
        return 0;
    MDB_val fk = *k, fv;
    int rc = mdb_get(d->txn, d->s->facts, &fk, &fv);
    if (rc == MDB_NOTFOUND)
        return 0; /* done already */
    if (rc)
        return rc;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        void *p = realloc(d->ids, cap * sizeof *d->ids);
        if (!p)
            return ENOMEM;
        d->ids = p;
        d->cap = cap;
    }
    memcpy(d->ids[d->n], k->mv_data, k->mv_size);
    d->ids[d->n++][k->mv_size] = '\0';
    return 0;
}

/* The employee record without what identifies the person beyond her id. */
static int s_strip_employee(scheduler_t *s, MDB_txn *txn, const char *employee_id)
{
    Entretiens__V1__Employee *e;
    int rc = sched_employee_get(s, txn, employee_id, &e);
    if (rc)
        return rc == MDB_NOTFOUND ? 0 : rc;
    Entretiens__V1__Employee out = *e; /* the kept fields point into e */
    out.first_name = out.last_name = out.email = out.locale = out.manager_id = out.position = (char *) "";
    out.birth_date = NULL;
    size_t len = entretiens__v1__employee__get_packed_size(&out);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf) {
        entretiens__v1__employee__pack(&out, buf);
        MDB_val k = { strlen(employee_id), (void *) employee_id }, v = { len, buf };
        rc = mdb_put(txn, s->employees, &k, &v, 0);
        free(buf);
    } else {
        rc = ENOMEM;
    }
    entretiens__v1__employee__free_unpacked(e, NULL);
    return rc;
}

int sched_history_purged(scheduler_t *s, MDB_txn *txn, const char *employee_id, bool *out)
{
    *out = false;
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, s->facts, &k, &v);
    if (rc != MDB_NOTFOUND)
        return rc;
    rc = mdb_get(txn, s->employees, &k, &v);
    *out = rc == 0;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* One person's history, facts and identifying attributes; *events counts
 * the history entries deleted. */
static int s_purge_person(scheduler_t *s, MDB_txn *txn, const char *employee_id, size_t *events)
{
    size_t len = strlen(employee_id);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->history, &cur);
    if (rc)
        return rc;
    /* history keys: employee_id \0 ...; seek again after each delete */
    for (;;) {
        MDB_val k = { len + 1, (void *) employee_id }, v;
        if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)) != 0)
            break;
        if (k.mv_size <= len || memcmp(k.mv_data, employee_id, len + 1) != 0)
            break;
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        (*events)++;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    MDB_val fk = { len, (void *) employee_id };
    rc = mdb_del(txn, s->facts, &fk, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    return s_strip_employee(s, txn, employee_id);
}

/* The people whose period is over; *budget decreases by their events. */
static int s_histories(scheduler_t *s, MDB_txn *txn, size_t *budget)
{
    s_due_t d = { .s = s, .txn = txn, .today = ent_clock_today(), .max = *budget };
    int rc = ent_store_walk(txn, s->employees, s_collect, &d);
    size_t people = 0, events = 0;
    for (size_t i = 0; i < d.n && !rc && *budget; i++) {
        size_t before = events;
        rc = s_purge_person(s, txn, d.ids[i], &events);
        size_t cost = events - before + 1;
        *budget = *budget > cost ? *budget - cost : 0;
        people++;
    }
    free(d.ids);
    if (!rc && people) {
        s->turn_retention_purged[SCHED_PURGE_HISTORY] += events;
        ent_log_info("retention.history",
                     "%zu people who left %d years ago or more: %zu history events deleted, obligations kept",
                     people, s->history_years, events);
    }
    return rc;
}

int sched_retention_sweep(MDB_txn *txn, void *arg)
{
    scheduler_t *s = arg;
    size_t budget = S_BUDGET;
    int rc = s_deadletters(s, txn, &budget);
    if (!rc && budget)
        rc = s_histories(s, txn, &budget);
    return rc;
}
