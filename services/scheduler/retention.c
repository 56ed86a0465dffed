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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_BUDGET 10000            /* deletions per turn: requests keep being answered */
#define S_CHUNK 20000             /* employees looked at per turn on the real clock (about 40 ms) */
#define S_PASS_MS (3600 * 1000LL) /* a pass hourly (monotonic clock) and at every new business day */

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

/* Is this employee's period over, her history still there (facts
 * present: not purged yet)? */
/* The departure day the facts value v says (the last `left` after the
 * last `hired`, as history.c folds them into the employee record's
 * left_on), or ENT_DATE_NONE: in post, or facts that cannot be read.
 * Facts are fixed-size records read in place: no unpacking. */
static int32_t s_left_on(const MDB_val *v)
{
    sched_facts_head_t h;
    size_t nf;
    const uint8_t *fp = sched_facts_parse(v, &h, &nf);
    int32_t left = ENT_DATE_NONE;
    for (size_t i = 0; fp && i < nf; i++) {
        sch_fact_t f;
        memcpy(&f, fp + i * sizeof f, sizeof f); /* values are not aligned */
        if (f.kind == SCH_FACT_HIRED)
            left = ENT_DATE_NONE;
        else if (f.kind == SCH_FACT_LEFT)
            left = f.date;
    }
    return left;
}

/* Whether the person of facts key k (her facts value v: a history not
 * purged yet) left `history_years` or more ago.  The facts decide who is
 * looked at — a walk of every person reads only these fixed-size values;
 * her employee record, unpacked for the candidates alone, confirms the
 * departure day before anything is deleted.  Returns 0 or an LMDB code. */
static int s_due(scheduler_t *s, MDB_txn *txn, const MDB_val *k, const MDB_val *v, int32_t today, bool *due)
{
    *due = false;
    if (!ent_retention_departed_due(s_left_on(v), s->history_years, today))
        return 0;
    MDB_val ek = *k, ev;
    int rc = mdb_get(txn, s->employees, &ek, &ev);
    if (rc)
        return rc == MDB_NOTFOUND ? 0 : rc;
    Entretiens__V1__Employee *e = entretiens__v1__employee__unpack(NULL, ev.mv_size, ev.mv_data);
    if (!e)
        return 0; /* unreadable: no departure day to count from, kept */
    *due = ent_retention_departed_due(ent_pbdate_day(e->left_on), s->history_years, today);
    entretiens__v1__employee__free_unpacked(e, NULL);
    return 0;
}

/* Walks the histories (facts) after s->turn_retention_next (at most
 * `scan` of them, and as long as the budget lasts), purging those whose
 * period is over; the pass ends at the last one.  Only people whose history
 * is still held can be due: the walk is over the facts, not over every
 * employee record (a purged person keeps hers). */
static int s_histories(scheduler_t *s, MDB_txn *txn, size_t scan, size_t *budget)
{
    /* retention periods are counted in years: the process' date, not each
     * person's */
    int32_t today = ent_clock_today();
    char (*ids)[SCHED_ID_MAX + 1] = NULL;
    size_t n = 0, cap = 0, seen = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->facts, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    rc = ent_store_cursor_after(cur, s->turn_retention_next, &k, &v);
    /* collect first (the walk never sees its own writes), at most one
     * candidate per deletion left */
    for (; rc == 0 && seen < scan && n < *budget; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 0 || k.mv_size > SCHED_ID_MAX)
            continue;
        seen++;
        memcpy(s->turn_retention_next, k.mv_data, k.mv_size);
        s->turn_retention_next[k.mv_size] = '\0';
        bool due;
        if ((rc = s_due(s, txn, &k, &v, today, &due)) != 0)
            break;
        if (!due)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void *p = realloc(ids, cap * sizeof *ids);
            if (!p) {
                rc = ENOMEM;
                break;
            }
            ids = p;
        }
        memcpy(ids[n++], s->turn_retention_next, k.mv_size + 1);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) {
        rc = 0;
        s->turn_retention_running = false; /* the last employee: the pass is over */
    }
    size_t people = 0, events = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t before = events;
        rc = s_purge_person(s, txn, ids[i], &events);
        size_t cost = events - before + 1;
        *budget = *budget > cost ? *budget - cost : 0;
        people++;
    }
    free(ids);
    if (!rc && people) {
        s->turn_retention_purged[SCHED_PURGE_HISTORY] += events;
        ent_log_info("retention.history",
                     "%zu people who left %d years ago or more: %zu history events deleted, obligations kept",
                     people, s->history_years, events);
    }
    return rc;
}

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sched_retention_sweep(MDB_txn *txn, void *arg)
{
    scheduler_t *s = arg;
    int32_t today = ent_clock_today();
    int64_t mono = s_mono_ms();
    size_t budget = S_BUDGET;
    int rc = 0;
    if (!s->turn_retention_running) {
        if (s->turn_retention_day == today && mono - s->turn_retention_at < S_PASS_MS)
            return 0;
        /* a new pass: hourly, and at every new business day (so at every
         * clock change) */
        s->turn_retention_running = true;
        s->turn_retention_next[0] = '\0';
        s->turn_retention_day = today;
        s->turn_retention_at = mono;
        rc = s_deadletters(s, txn, &budget);
    }
    /* a pinned clock (tests, demonstrations) does the whole pass in this
     * turn, so that a clock change's reply means it is done; the real
     * clock walks S_CHUNK employees a second */
    while (!rc && budget && s->turn_retention_running) {
        rc = s_histories(s, txn, ent_clock_pinned() ? SIZE_MAX : S_CHUNK, &budget);
        if (!ent_clock_pinned())
            break;
    }
    return rc;
}
