/*  analytics.h — the analytics service: projections of the scheduler's and
 *  records' events, kept incrementally in the daemon's LMDB store, and the
 *  queries HR directors run on them (docs/analytics.md defines each figure).
 *
 *  How the projections stay exact.  Three state databases hold, per
 *  employee, per obligation and per interview, what the events said last.
 *  Every aggregate is a sum of "contributions" that are pure functions of
 *  one state record (an_keys.h: additive counter rows).  Applying an event
 *  loads the record, retracts its old contributions, stores the new record
 *  and adds its new contributions.  Consequences:
 *    - a corrected interview (reopened, signed and closed again) counts once,
 *      with its final answers;
 *    - the store depends only on the final state records, and each record
 *      depends only on one producer's events (in that producer's order), so
 *      replaying every producer from seq 1, in any interleaving, gives the
 *      same bytes as the live projection;
 *    - nothing stored depends on the clock: what depends on "today" (due
 *      within 90 days, no interview for 24 months) is decided at query time
 *      from day-ordered histograms and indexes.
 *  Obligations: the scheduler publishes every change of every obligation
 *  (scheduler.interview.* for the actionable ones, scheduler.obligation.changed
 *  and .removed for the rest, history included), so the obligations database
 *  is a copy of the scheduler's and every figure on it agrees with
 *  scheduler.due by construction.
 *  Employee attributes come from scheduler.employee.upserted only; an
 *  obligation counts in its employee's current groups (in the groups of its
 *  own event until the employee is known); an interview in the groups its
 *  own events carry (the interviewer is its manager).
 *
 *  Store (named databases; keys per an_keys.h, [scope] = [kind][value]\0):
 *    employees     employee_id -> employee record (attributes, derived facts)
 *    obligations   employee_id \0 obligation_id -> obligation record
 *    interviews    interview_id -> interview record (with the signed content)
 *    emp_iv        employee_id \0 interview_id -> interview summary
 *    completion    [scope] type \0 be32(month) -> int64[AN_C_N]  (every type: the sum of the types)
 *    headcount     [scope] -> int64[1] employed employees
 *    prof_hist     [scope] day(next professional due | none) -> int64[1]
 *    prof_idx      [scope] day(next due) employee_id -> next type
 *    contact_hist  [scope] day(last interview or hire) -> int64[1]
 *    contact_idx   [scope] day(last contact) employee_id -> ""
 *    signals       [scope] -> int64[AN_S_N]
 *    signal_idx    [scope] employee_id -> u8 flags
 *    risk          [scope] day(due) -> int64[AN_R_N]  CPF top-ups (owed obligations with a penalty)
 *    risk_idx      [scope] day(due) employee_id \0 obligation_id -> int32 penalty
 *    policy        entity -> u32 declared headcount (scheduler.policy.applied)
 *    answers       [scope] type \0 be32(month) -> int64[AN_A_N]
 *    training      [scope] type \0 theme \0 priority \0 modality \0 be32(month) -> int64[1]
 *    mobility      [scope] type \0 kind \0 horizon \0 be32(month) -> int64[1]
 *    competencies  [scope] type \0 item \0 be32(month) -> int64[AN_K_N]
 *    ratings       [scope] type \0 topic \0 question \0 be32(min) be32(max) be32(month) -> int64[AN_T_N]
 *    mgr           [scope] manager_id \0 -> int64[AN_M_N]  (manager "" = total)
 *    mgr_rank      [scope] be64(~score) manager_id -> ""   (most to do first)
 *    mgr_items     manager_id \0 kind day id -> employee_id \0 type
 *  (scopes without 'm' for mgr and mgr_rank: a manager filter reads 'A'.)
 *
 *  One instance per process, used on the loop thread only; every function
 *  that takes a txn works inside the caller's (the turn's) transaction.
 */
#ifndef AN_ANALYTICS_H
#define AN_ANALYTICS_H

#include "common/daemon.h"
#include "proto/analytics.pb-c.h"

#include <stdbool.h>
#include <stdint.h>

/* 2: risk rows by day (owed / at risk decided at query time), the policy's
 * headcounts, employees' last interview and top-ups.  3: the typed
 * families (completion, answers, training, mobility, competencies,
 * ratings) are stored per type only, without the "every type" row: a
 * query for every type sums the types' rows. */
#define AN_SCHEMA_VERSION 3
#define AN_MAX_DBS 32              /* named databases (24 used) */
#define AN_DEFAULT_MIN_GROUP 5
#define AN_DEFAULT_STALE_MONTHS 24
#define AN_DEFAULT_WITHIN_DAYS 90
#define AN_DEFAULT_LIMIT 100
/* Replay pages (4,096 events) asked ahead from each producer while a
 * backlog waits, hence the most events of one producer a turn applies
 * during a rebuild or a catch-up (common/subscriber.h; other daemons keep
 * the default, 4).  A turn's events share rows and pages (a scope's month,
 * the day-ordered indexes): they are merged, written, committed and synced
 * once per turn.  On the benchmark (100,000 employees, full sync) 65,536
 * events per commit took about 7.5 s of CPU where 4,096 took 14 s, most
 * of the difference the kernel copying dirty pages (docs/analytics.md,
 * Performance).  The price: a query waits for the turn in progress, up to
 * about a second during a rebuild. */
#define AN_READ_AHEAD_PAGES 16
#define AN_TURN_EVENTS (AN_READ_AHEAD_PAGES * 4096)
#define AN_MAX_LIMIT 10000

/* L6323-13: an unpaid CPF top-up found by an inspection, the formal notice
 * not complied with, is paid to the Treasury "majorée de 100 %".  The
 * scheduler's rule table holds the same number (surcharge_pct of the recap
 * rows) and sends it per obligation (Obligation.penalty_if_inspected_eur);
 * analytics applies it to its sums at query time instead of storing it, so
 * that projections built before it existed, and events published before
 * it, give the right figure without a rebuild.  Every exposure analytics
 * sums is such a top-up. */
#define AN_INSPECTION_SURCHARGE_PCT 100

/* An amount with that surcharge. */
static inline int64_t an_if_inspected(int64_t eur)
{
    return eur * (100 + AN_INSPECTION_SURCHARGE_PCT) / 100;
}

typedef struct analytics {
    ent_store_t *store;            /* not owned */
    uint32_t min_group;            /* answer figures need at least this many respondents */
    uint32_t stale_months;         /* "no interview for a long time" */
    MDB_dbi employees, obligations, interviews, emp_iv;
    MDB_dbi completion, headcount, prof_hist, prof_idx, contact_hist, contact_idx, signals, signal_idx, risk,
        risk_idx;
    MDB_dbi answers, training, mobility, competencies, ratings;
    MDB_dbi mgr, mgr_rank, mgr_items;
    MDB_dbi policy;                /* entity -> declared headcount (the scheduler's last policy) */
    MDB_dbi grants;                /* HR scopes, a copy of records' (common/grants.h) */
    struct an_batch *batch;        /* the counter deltas of the turn's events (an_settle writes them) */
    struct an_batch *ixbatch;      /* the index rows they set or delete, written after them */
} analytics_t;

/* The daemon's own configuration variables (--help, docs/operations.md). */
extern const ent_config_var_t an_config_vars[];
extern const size_t an_n_config_vars;

/* Opens (creating) the named databases in store.  Start-up only, before any
 * transaction.  min_group 0 means AN_DEFAULT_MIN_GROUP, stale_months 0
 * AN_DEFAULT_STALE_MONTHS.  Returns 0 or an LMDB code. */
int an_open(analytics_t *a, ent_store_t *store, uint32_t min_group, uint32_t stale_months);

/* Frees what an_open allocated (the store stays open).  Safe twice. */
void an_close(analytics_t *a);

/* Keeps mgr_rank in step with a changed mgr row (the an_batch hook that
 * an_open installs; arg is the analytics_t). */
int an_mgr_rank(MDB_txn *txn, const uint8_t *key, size_t klen, const int64_t *old, const int64_t *neu, size_t n,
                void *arg);

/* Store migrations (ent_store_migrate_fn; arg unused).  Version 1 is the
 * layout above. */
int an_migrate(MDB_txn *txn, unsigned from, void *arg);

/* Apply functions (ent_event_fn; arg is the analytics_t).  Return 0,
 * ENT_EVENT_SKIP for a payload that cannot be used (logged), or an LMDB
 * code.  Event types they do not know are ignored (0). */
int an_apply_scheduler(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);
int an_apply_records(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);

/* The counters' deltas of a turn's events are merged in memory (an_batch),
 * and the index rows they set or delete kept (the last operation on a row
 * wins); both are written once per turn, in key order: an event's end leaves its deltas in the batch
 * (every ENT_EVENT_SKIP is returned before an event adds one, so a skipped
 * event leaves none).  an_settle writes them (ent_daemon_settle_fn: after
 * the events, before the turn's queries and its commit); returns 0 or an
 * LMDB code.  an_turn_reset drops them when the turn is aborted
 * (ent_daemon_reset_fn).  Whoever applies events outside the daemon (the
 * benchmark, tests) calls an_settle before reading counters or committing. */
int an_settle(MDB_txn *txn, void *arg);
void an_turn_reset(void *arg);

/* The methods, NULL-terminated: analytics.completion, .compliance,
 * .training, .mobility, .competencies, .ratings, .objectives, .signals,
 * .managers.  Each takes a StatsQuery (docs/analytics.md). */
extern const char *const an_methods[];

/* The handler of every method (ent_rpc_fn; arg is the analytics_t): reads
 * only.  INVALID_ARGUMENT names the offending field; PERMISSION_DENIED when
 * the caller may not see the answer (signals: hr and admin only). */
int an_rpc(ent_rpc_call_t *call, void *arg);

/* Daemon set-up (ent_daemon_setup_fn): arg is an analytics_t to fill. */
int an_setup(ent_daemon_t *d, void *arg);

#endif
