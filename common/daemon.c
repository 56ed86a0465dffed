/*  daemon.c — the shared daemon runtime: config, store, sockets, turns,
 *  built-in methods, metrics and graceful shutdown (see daemon.h). */
#include "common/daemon.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/http.h"
#include "common/keys.h"
#include "common/log.h"
#include "common/malloc_tunables.h"
#include "common/version.h"
#include "common/zap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_CONSUMES 4
#define MAX_WORK 8
#define MAX_PARTICIPANTS 8
#define MAX_TURN_ATTEMPTS 4

typedef struct {
    char *producer;
    ent_event_fn fn;
    void *arg;
    ent_event_wanted_fn wanted;      /* NULL: the events are always wanted */
    void *wanted_arg;
    char *const *keep;               /* types applied even when not wanted */
    char *const *applied_types;      /* the only types fn does anything with (NULL: every type) */
    size_t read_ahead;               /* replay pages asked ahead (0: the subscriber's default) */
    ent_subscriber_t *sub;
    ent_subscriber_stats_t seen;     /* last values copied into metrics */
    ent_metrics_counter_t *applied, *dups, *gaps, *skipped, *replays, *malformed;
    ent_metrics_gauge_t *lag, *cursor, *lag_seconds, *live;
    uint64_t caught_up_ms;           /* loop time when the lag was last 0 */
} s_consumer_t;

typedef struct {
    ent_daemon_work_fn fn;
    void *arg;
    unsigned interval_ms;
    uv_timer_t timer;
    bool due;
    ent_daemon_t *d;
} s_work_t;

typedef struct {
    char *method;
    ent_metrics_counter_t *by_code[17];
    ent_metrics_histogram_t *duration;
} s_method_metrics_t;

struct ent_daemon {
    ent_daemon_spec_t spec;
    ent_config_t *cfg;
    ent_loop_t *loop;
    ent_store_t *store;
    ent_rpc_server_t *rpc;
    ent_zwatch_t *rpc_watch;
    ent_outbox_t *outbox;
    ent_http_t *http;
    ent_metrics_t *metrics;
    s_consumer_t consumers[MAX_CONSUMES];
    size_t n_consumers;
    s_work_t *work[MAX_WORK];
    size_t n_work;
    struct { ent_daemon_reset_fn reset; ent_daemon_flush_fn flush; void *arg; } parts[MAX_PARTICIPANTS];
    struct { ent_daemon_settle_fn fn; void *arg; } settles[MAX_PARTICIPANTS];
    size_t n_settles;
    struct { ent_daemon_begin_fn begin; ent_daemon_precommit_fn precommit; void *arg; } commits[MAX_PARTICIPANTS];
    size_t n_commits;
    size_t n_parts;
    uv_timer_t tick;
    bool tick_on;
    bool started;
    bool draining;
    uint64_t max_ready_lag;
    /* metrics */
    s_method_metrics_t *mm;
    size_t n_mm, cap_mm;
    ent_metrics_family_t *f_requests, *f_duration;
    ent_metrics_family_t *f_applied, *f_dups, *f_gaps, *f_skipped, *f_replays, *f_ev_malformed, *f_lag,
        *f_cursor, *f_lag_seconds, *f_live;
    ent_metrics_counter_t *c_malformed, *c_unknown, *c_dropped, *c_published, *c_commits,
        *c_commit_failures, *c_growths, *c_turns;
    ent_metrics_histogram_t *h_commit, *h_batch;
    ent_rpc_server_stats_t rpc_seen;
    uint64_t published_seen;
    ent_store_stats_t store_seen;
    struct s_job *jobs;            /* offloaded work running on worker threads */
    ent_daemon_offload_t backup_spec;
    /* trust (keys.h, zap.h): all NULL / false with ENTRETIENS_INSECURE=1 */
    bool insecure;
    ent_keyring_t *ring;
    ent_keypair_t own;
    ent_zap_t *zap;
    uv_signal_t sighup;
    bool sighup_on;
    ent_zap_stats_t zap_seen;
    ent_metrics_counter_t *c_zap_denied, *c_zap_allowed, *c_rpc_denied;
};

/* ------------------------------------------------------------- metrics */

static const double s_latency_bounds[] = { 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                           0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1 };
static const double s_batch_bounds[] = { 1, 4, 16, 64, 256, 1024, 4096 };

static double s_map_size(void *arg)
{
    ent_store_stats_t st;
    ent_store_stats(((ent_daemon_t *) arg)->store, &st);
    return (double) st.map_size;
}

static double s_map_used(void *arg)
{
    ent_store_stats_t st;
    ent_store_stats(((ent_daemon_t *) arg)->store, &st);
    return (double) st.map_used;
}

static double s_outbox_head(void *arg)
{
    ent_daemon_t *d = arg;
    return d->outbox ? (double) ent_outbox_head(d->outbox) : 0;
}

static double s_clock_pinned(void *arg)
{
    (void) arg;
    return ent_clock_pinned() ? 1 : 0;
}

static double s_ready(void *arg);

static double s_insecure(void *arg)
{
    return ((ent_daemon_t *) arg)->insecure ? 1 : 0;
}

static void s_metrics_init(ent_daemon_t *d)
{
    char prefix[64], name[160];
    snprintf(prefix, sizeof prefix, "entretiens_%s", d->spec.name);
    d->metrics = ent_metrics_new(prefix, ent_version());
    if (!d->metrics)
        return;
#define N(suffix) (snprintf(name, sizeof name, "%s_%s", prefix, suffix), name)
    const char *mc[] = { "method", "code" };
    const char *m1[] = { "method" };
    d->f_requests = ent_metrics_counter_family(d->metrics, N("rpc_requests_total"),
                                               "RPC requests answered, by method and status code", 2, mc);
    d->f_duration = ent_metrics_histogram_family(d->metrics, N("rpc_duration_seconds"),
                                                 "Time from receiving a request to sending its reply", 1, m1,
                                                 s_latency_bounds, sizeof s_latency_bounds / sizeof *s_latency_bounds);
    d->c_malformed = ent_metrics_counter(d->metrics, N("rpc_malformed_total"),
                                         "Requests that were not a valid entretiens.v1.Request");
    d->c_unknown = ent_metrics_counter(d->metrics, N("rpc_unknown_method_total"),
                                       "Requests naming a method this daemon does not have");
    d->c_rpc_denied = ent_metrics_counter(d->metrics, N("rpc_denied_total"),
                                          "Requests refused by the key binding (method, audience or caller not "
                                          "allowed to the client's key)");
    d->c_zap_denied = ent_metrics_counter(d->metrics, N("zap_denied_total"),
                                          "CurveZMQ handshakes refused (unknown key, a client key on an events "
                                          "endpoint, malformed ZAP request)");
    d->c_zap_allowed = ent_metrics_counter(d->metrics, N("zap_allowed_total"), "CurveZMQ handshakes admitted");
    ent_metrics_gauge_callback(d->metrics, N("insecure"),
                               "1 when running without keys (ENTRETIENS_INSECURE=1): no authentication", s_insecure,
                               d);
    d->c_dropped = ent_metrics_counter(d->metrics, N("rpc_replies_dropped_total"),
                                       "Replies that could not be sent (client gone or at its high-water mark)");
    d->c_published = ent_metrics_counter(d->metrics, N("events_published_total"),
                                         "Events sent on the PUB socket after commit");
    ent_metrics_gauge_callback(d->metrics, N("outbox_head_seq"), "Last committed event sequence number",
                               s_outbox_head, d);
    d->c_commits = ent_metrics_counter(d->metrics, N("lmdb_commits_total"), "Write transactions committed");
    d->c_commit_failures = ent_metrics_counter(d->metrics, N("lmdb_commit_failures_total"),
                                               "Write transactions that failed to commit");
    d->c_growths = ent_metrics_counter(d->metrics, N("lmdb_map_growths_total"), "Times the LMDB map was grown");
    d->h_commit = ent_metrics_histogram(d->metrics, N("lmdb_commit_duration_seconds"),
                                        "Duration of each group commit (includes fsync)", s_latency_bounds,
                                        sizeof s_latency_bounds / sizeof *s_latency_bounds);
    d->h_batch = ent_metrics_histogram(d->metrics, N("turn_batch_size"),
                                       "Requests and events applied per group commit", s_batch_bounds,
                                       sizeof s_batch_bounds / sizeof *s_batch_bounds);
    d->c_turns = ent_metrics_counter(d->metrics, N("turns_total"), "Loop turns that ran a transaction");
    ent_metrics_gauge_callback(d->metrics, N("lmdb_map_size_bytes"), "LMDB map size", s_map_size, d);
    ent_metrics_gauge_callback(d->metrics, N("lmdb_map_used_bytes"), "LMDB map pages in use", s_map_used, d);
    ent_metrics_gauge_callback(d->metrics, N("clock_pinned"), "1 when the business clock is pinned (tests)",
                               s_clock_pinned, d);
    ent_metrics_gauge_callback(d->metrics, N("ready"), "1 when /readyz answers 200", s_ready, d);
    const char *p1[] = { "producer" };
    d->f_applied = ent_metrics_counter_family(d->metrics, N("events_applied_total"),
                                              "Events applied, by producer", 1, p1);
    d->f_dups = ent_metrics_counter_family(d->metrics, N("events_duplicates_total"),
                                           "Events skipped as already applied", 1, p1);
    d->f_gaps = ent_metrics_counter_family(d->metrics, N("events_gaps_total"),
                                           "Sequence gaps detected (each one triggers a replay)", 1, p1);
    d->f_skipped = ent_metrics_counter_family(d->metrics, N("events_skipped_total"),
                                              "Events that could not be applied and were skipped", 1, p1);
    d->f_replays = ent_metrics_counter_family(d->metrics, N("events_replays_total"),
                                              "events.replay requests sent", 1, p1);
    d->f_ev_malformed = ent_metrics_counter_family(d->metrics, N("events_malformed_total"),
                                                   "Event frames that could not be decoded", 1, p1);
    d->f_lag = ent_metrics_gauge_family(d->metrics, N("consumer_lag_events"),
                                        "Producer head minus our cursor, as last heard", 1, p1);
    d->f_cursor = ent_metrics_gauge_family(d->metrics, N("consumer_cursor_seq"),
                                           "Last event applied, by producer", 1, p1);
    d->f_lag_seconds = ent_metrics_gauge_family(d->metrics, N("consumer_lag_seconds"),
                                                "Seconds since this daemon last had applied every event the "
                                                "producer announced (0 when caught up): how stale its view is",
                                                1, p1);
    d->f_live = ent_metrics_gauge_family(d->metrics, N("consumer_live"),
                                         "1 while the producer's live events are received; 0 far behind "
                                         "(catching up by replay only) or when not wanted",
                                         1, p1);
#undef N
}


static void s_consumer_metrics(ent_daemon_t *d, s_consumer_t *c)
{
    const char *v[] = { c->producer };
    c->applied = ent_metrics_counter_child(d->f_applied, v);
    c->dups = ent_metrics_counter_child(d->f_dups, v);
    c->gaps = ent_metrics_counter_child(d->f_gaps, v);
    c->skipped = ent_metrics_counter_child(d->f_skipped, v);
    c->replays = ent_metrics_counter_child(d->f_replays, v);
    c->malformed = ent_metrics_counter_child(d->f_ev_malformed, v);
    c->lag = ent_metrics_gauge_child(d->f_lag, v);
    c->cursor = ent_metrics_gauge_child(d->f_cursor, v);
    c->lag_seconds = ent_metrics_gauge_child(d->f_lag_seconds, v);
    c->live = ent_metrics_gauge_child(d->f_live, v);
    c->caught_up_ms = uv_now(ent_loop_uv(d->loop));
}

#define DELTA(counter, now, seen) ent_metrics_counter_add((counter), (double) ((now) - (seen)))

/* Copies module counters into the registry (after every turn and tick). */
static void s_metrics_sync(ent_daemon_t *d)
{
    if (!d->metrics)
        return;
    if (d->rpc) {
        ent_rpc_server_stats_t st;
        ent_rpc_server_stats(d->rpc, &st);
        DELTA(d->c_malformed, st.malformed, d->rpc_seen.malformed);
        DELTA(d->c_unknown, st.unknown_method, d->rpc_seen.unknown_method);
        DELTA(d->c_dropped, st.replies_dropped, d->rpc_seen.replies_dropped);
        DELTA(d->c_rpc_denied, st.denied, d->rpc_seen.denied);
        d->rpc_seen = st;
    }
    if (d->zap) {
        ent_zap_stats_t z;
        ent_zap_stats(d->zap, &z);
        DELTA(d->c_zap_denied, z.denied + z.malformed, d->zap_seen.denied + d->zap_seen.malformed);
        DELTA(d->c_zap_allowed, z.allowed, d->zap_seen.allowed);
        d->zap_seen = z;
    }
    if (d->outbox) {
        uint64_t p = ent_outbox_published(d->outbox);
        DELTA(d->c_published, p, d->published_seen);
        d->published_seen = p;
    }
    ent_store_stats_t ss;
    ent_store_stats(d->store, &ss);
    DELTA(d->c_commits, ss.commits, d->store_seen.commits);
    DELTA(d->c_commit_failures, ss.commit_failures, d->store_seen.commit_failures);
    DELTA(d->c_growths, ss.map_growths, d->store_seen.map_growths);
    d->store_seen = ss;
    for (size_t i = 0; i < d->n_consumers; i++) {
        s_consumer_t *c = &d->consumers[i];
        if (!c->sub)
            continue;
        ent_subscriber_stats_t st;
        ent_subscriber_stats(c->sub, &st);
        DELTA(c->applied, st.applied, c->seen.applied);
        DELTA(c->dups, st.duplicates, c->seen.duplicates);
        DELTA(c->gaps, st.gaps, c->seen.gaps);
        DELTA(c->skipped, st.skipped, c->seen.skipped);
        DELTA(c->replays, st.replays, c->seen.replays);
        DELTA(c->malformed, st.malformed, c->seen.malformed);
        ent_metrics_gauge_set(c->lag, st.head > st.cursor ? (double) (st.head - st.cursor) : 0);
        /* real (loop) time, not the business clock: staleness is an
         * operator's concern even when the clock is pinned */
        uint64_t now_ms = uv_now(ent_loop_uv(d->loop));
        if (st.head <= st.cursor)
            c->caught_up_ms = now_ms;
        ent_metrics_gauge_set(c->lag_seconds, (double) (now_ms - c->caught_up_ms) / 1000.0);
        ent_metrics_gauge_set(c->cursor, (double) st.cursor);
        ent_metrics_gauge_set(c->live, st.live ? 1 : 0);
        c->seen = st;
    }
}

static s_method_metrics_t *s_method_metrics(ent_daemon_t *d, const char *method)
{
    for (size_t i = 0; i < d->n_mm; i++)
        if (strcmp(d->mm[i].method, method) == 0)
            return &d->mm[i];
    if (d->n_mm == d->cap_mm) {
        size_t cap = d->cap_mm ? d->cap_mm * 2 : 32;
        s_method_metrics_t *mm = realloc(d->mm, cap * sizeof *mm);
        if (!mm)
            return NULL;
        d->mm = mm;
        d->cap_mm = cap;
    }
    s_method_metrics_t *m = &d->mm[d->n_mm];
    memset(m, 0, sizeof *m);
    m->method = strdup(method);
    if (!m->method)
        return NULL;
    const char *v[] = { method };
    m->duration = ent_metrics_histogram_child(d->f_duration, v);
    d->n_mm++;
    return m;
}

/* Called for every answered request.  Unknown method names are all counted
 * under method="" so that garbage cannot grow the label set. */
static void s_observe(void *arg, const char *method, ent_code_t code, double seconds)
{
    ent_daemon_t *d = arg;
    if (!d->metrics)
        return;
    s_method_metrics_t *m = s_method_metrics(d, method);
    if (!m)
        return;
    unsigned c = (unsigned) code < 17 ? (unsigned) code : 2;
    if (!m->by_code[c]) {
        const char *v[] = { method, ent_code_name((ent_code_t) c) };
        m->by_code[c] = ent_metrics_counter_child(d->f_requests, v);
    }
    ent_metrics_counter_inc(m->by_code[c]);
    ent_metrics_histogram_observe(m->duration, seconds);
}

/* ------------------------------------------------------------- readiness */

static int s_ready_check(ent_daemon_t *d, char *reason, size_t size)
{
    if (d->draining) {
        snprintf(reason, size, "shutting down");
        return 0;
    }
    if (!d->started) {
        snprintf(reason, size, "starting");
        return 0;
    }
    for (size_t i = 0; i < d->n_consumers && !d->spec.ready_ignores_consumers; i++) {
        ent_subscriber_stats_t st;
        ent_subscriber_stats(d->consumers[i].sub, &st);
        if (!st.heard) {
            snprintf(reason, size, "waiting to hear from %s", d->consumers[i].producer);
            return 0;
        }
        if (st.head < st.cursor) {
            /* the producer's log is shorter than what we applied: its store
             * was replaced or restored without ours; its new events would be
             * taken for duplicates, so say it loudly instead of serving */
            snprintf(reason, size, "%s's head %llu is behind our cursor %llu: its store was replaced or "
                     "restored alone (see docs/operations.md, backups)", d->consumers[i].producer,
                     (unsigned long long) st.head, (unsigned long long) st.cursor);
            return 0;
        }
        if (st.head > st.cursor + d->max_ready_lag) {
            snprintf(reason, size, "catching up with %s: %llu events behind", d->consumers[i].producer,
                     (unsigned long long) (st.head - st.cursor));
            return 0;
        }
    }
    return 1;
}

static int s_http_ready(void *arg, char *reason, size_t size)
{
    ent_daemon_t *d = arg;
    int ready = s_ready_check(d, reason, size);
    if (ready && d->insecure)
        snprintf(reason, size, "INSECURE: ENTRETIENS_INSECURE=1, no keys: anyone who reaches the ports acts as "
                               "anyone");
    return ready;
}

static double s_ready(void *arg)
{
    char reason[ENT_HTTP_REASON_SIZE];
    return s_ready_check(arg, reason, sizeof reason);
}

/* ------------------------------------------------------------- the turn */

/* Events to apply or periodic work due (the turn's work besides requests). */
static bool s_has_events_or_jobs(ent_daemon_t *d)
{
    for (size_t i = 0; i < d->n_consumers; i++)
        if (d->consumers[i].sub && ent_subscriber_pending(d->consumers[i].sub))
            return true;
    for (size_t i = 0; i < d->n_work; i++)
        if (d->work[i]->due)
            return true;
    return false;
}

static bool s_has_work(ent_daemon_t *d)
{
    return (d->rpc && ent_rpc_server_pending(d->rpc)) || s_has_events_or_jobs(d);
}

static void s_reset_all(ent_daemon_t *d)
{
    if (d->rpc)
        ent_rpc_server_reset(d->rpc);
    if (d->outbox)
        ent_outbox_reset(d->outbox);
    for (size_t i = 0; i < d->n_consumers; i++)
        ent_subscriber_reset(d->consumers[i].sub);
    for (size_t i = 0; i < d->n_parts; i++)
        if (d->parts[i].reset)
            d->parts[i].reset(d->parts[i].arg);
}

static int s_run_turn(ent_daemon_t *d, MDB_txn *txn, size_t *batch)
{
    int rc = 0;
    *batch = 0;
    for (size_t i = 0; i < d->n_commits; i++)
        if (d->commits[i].begin)
            d->commits[i].begin(d->commits[i].arg);
    for (size_t i = 0; i < d->n_consumers && !rc; i++)
        rc = ent_subscriber_process(d->consumers[i].sub, txn);
    for (size_t i = 0; i < d->n_work && !rc; i++)
        if (d->work[i]->due)
            rc = d->work[i]->fn(txn, d->work[i]->arg);
    for (size_t i = 0; i < d->n_settles && !rc; i++)
        rc = d->settles[i].fn(txn, d->settles[i].arg);
    if (!rc && d->rpc) {
        *batch += ent_rpc_server_pending(d->rpc);
        rc = ent_rpc_server_process(d->rpc, txn);
    }
    /* the service's other store, durable before this one commits */
    for (size_t i = 0; i < d->n_commits && !rc; i++)
        if (d->commits[i].precommit)
            rc = d->commits[i].precommit(d->commits[i].arg);
    return rc;
}

/* True when the turn's only work is read-only requests (rpc.h,
 * ent_rpc_server_register_read): the turn then needs no write transaction.
 * Settles write what the turn's events and periodic work deferred
 * (daemon.h): a turn without either has nothing for them. */
static bool s_read_only_turn(ent_daemon_t *d)
{
    return d->rpc && ent_rpc_server_read_only(d->rpc) && !s_has_events_or_jobs(d);
}

/* A turn of queries only: one read-only transaction, nothing committed —
 * no writer lock, no map-usage check, no commit (with its page walk and,
 * once something was written, its sync).  The answers are sent as a
 * committed turn's are. */
static void s_on_read_turn(ent_daemon_t *d)
{
    MDB_txn *txn = NULL;
    int rc = ent_store_read(d->store, &txn);
    if (!rc)
        rc = ent_rpc_server_process_read(d->rpc, txn);
    if (txn)
        mdb_txn_abort(txn);
    if (rc) {
        ent_rpc_server_reset(d->rpc);
        ent_log_error("turn.failed", "read-only turn failed: %s", mdb_strerror(rc));
    }
    ent_rpc_server_flush(d->rpc, rc == 0);
    s_metrics_sync(d);
}

/* A projection's store with no event applied yet (new, or deleted to be
 * rebuilt) is filled as a bulk load (store.h).  Failing to start one only
 * costs speed. */
static void s_bulk_start(ent_daemon_t *d)
{
    if (!d->spec.projection || !d->n_consumers)
        return;
    for (size_t i = 0; i < d->n_consumers; i++)
        if (d->consumers[i].seen.cursor != 0)
            return;
    int rc = ent_store_bulk_begin(d->store);
    if (rc)
        ent_log_warn("store.bulk", "rebuild with a sync per commit: cannot start a bulk load: %s", mdb_strerror(rc));
    else
        ent_log_info("store.bulk.begin", "empty store: rebuilt from the producers as a bulk load (commits synced "
                     "once caught up; a machine restart before that discards the store: docs/analytics.md)");
}

/* A rebuild's bulk load (ent_daemon_spec_t.projection) ends once every
 * producer was heard and nothing of theirs is left to apply. */
static void s_bulk_check(ent_daemon_t *d)
{
    if (!d->store || !ent_store_bulk_active(d->store) || ent_store_txn(d->store))
        return;
    uint64_t applied = 0;
    for (size_t i = 0; i < d->n_consumers; i++) {
        ent_subscriber_stats_t st;
        ent_subscriber_stats(d->consumers[i].sub, &st);
        if (!st.heard || st.head > st.cursor)
            return;
        applied += st.applied;
    }
    int rc = ent_store_bulk_end(d->store);
    if (rc)
        ent_log_error("store.bulk", "the rebuild is caught up but its store cannot be synced: %s (tried again "
                      "after the next turn)", mdb_strerror(rc));
    else
        ent_log_info("store.bulk.end", "rebuild caught up with every producer (%llu events applied): store synced, "
                     "each commit synced from now on", (unsigned long long) applied);
}

/* Before a turn with writes (another client's ingest, a catch-up of
 * events, periodic work): the queries that need not wait for it are
 * answered from the last committed state (ent_rpc_server_answer_early_reads).
 * A failure leaves them in the turn, answered as before. */
static void s_early_reads(ent_daemon_t *d)
{
    MDB_txn *txn = NULL;
    int rc = ent_store_read(d->store, &txn);
    if (!rc)
        rc = ent_rpc_server_answer_early_reads(d->rpc, txn);
    if (txn)
        mdb_txn_abort(txn);
    if (rc)
        ent_log_warn("turn.early_reads", "queries left in the turn: %s", mdb_strerror(rc));
}

static void s_on_turn(void *arg)
{
    ent_daemon_t *d = arg;
    if (!s_has_work(d))
        return;
    if (s_read_only_turn(d)) {
        s_on_read_turn(d);
        return;
    }
    if (d->rpc && ent_rpc_server_early_reads(d->rpc)) {
        s_early_reads(d);
        if (!s_has_work(d)) {
            s_metrics_sync(d);
            return;
        }
    }
    bool committed = false;
    size_t batch = 0;
    int rc = 0;
    for (int attempt = 0; attempt < MAX_TURN_ATTEMPTS; attempt++) {
        MDB_txn *txn;
        rc = ent_store_begin(d->store, &txn);
        if (rc)
            break;
        rc = s_run_turn(d, txn, &batch);
        if (rc == 0) {
            rc = ent_store_commit(d->store);
            if (rc == 0) {
                committed = true;
                break;
            }
        } else {
            int g = ent_store_abort(d->store, rc);
            if (g)
                rc = g;
        }
        s_reset_all(d);
        if (rc != MDB_MAP_FULL)
            break;
    }
    if (!committed) {
        s_reset_all(d);
        ent_log_error("turn.failed", "turn not committed: %s", mdb_strerror(rc));
    } else {
        ent_store_stats_t ss;
        ent_store_stats(d->store, &ss);
        ent_metrics_histogram_observe(d->h_commit, ss.last_commit_seconds);
        ent_metrics_counter_inc(d->c_turns);
        for (size_t i = 0; i < d->n_work; i++)
            d->work[i]->due = false;
    }
    /* the Redis order: commit, then publish and answer */
    if (d->outbox) {
        if (committed)
            ent_outbox_flush(d->outbox);
        else
            ent_outbox_reset(d->outbox);
    }
    for (size_t i = 0; i < d->n_consumers; i++)
        ent_subscriber_flush(d->consumers[i].sub, committed);
    for (size_t i = 0; i < d->n_parts; i++)
        if (d->parts[i].flush)
            d->parts[i].flush(d->parts[i].arg, committed);
    if (d->rpc)
        ent_rpc_server_flush(d->rpc, committed);
    if (committed) {
        for (size_t i = 0; i < d->n_consumers; i++) {
            ent_subscriber_stats_t st;
            ent_subscriber_stats(d->consumers[i].sub, &st);
            batch += st.applied - d->consumers[i].seen.applied;
        }
        ent_metrics_histogram_observe(d->h_batch, (double) batch);
        s_bulk_check(d);
    }
    s_metrics_sync(d);
}

/* ------------------------------------------------------------- built-ins */

static int s_health(ent_rpc_call_t *call, void *arg)
{
    ent_daemon_t *d = arg;
    Entretiens__V1__HealthReply r = ENTRETIENS__V1__HEALTH_REPLY__INIT;
    r.service = (char *) d->spec.name;
    r.version = (char *) ent_version();
    r.now_ms = ent_clock_now_ms();
    r.clock_pinned = ent_clock_pinned();
    r.head_seq = d->outbox ? ent_outbox_head(d->outbox) : 0;
    Entretiens__V1__ConsumerState cs[MAX_CONSUMES];
    Entretiens__V1__ConsumerState *pcs[MAX_CONSUMES];
    for (size_t i = 0; i < d->n_consumers; i++) {
        ent_subscriber_stats_t st;
        ent_subscriber_stats(d->consumers[i].sub, &st);
        entretiens__v1__consumer_state__init(&cs[i]);
        cs[i].producer = d->consumers[i].producer;
        cs[i].cursor = st.cursor;
        cs[i].producer_head = st.head;
        pcs[i] = &cs[i];
    }
    r.n_consumers = d->n_consumers;
    r.consumers = pcs;
    return ent_rpc_ok(call, &r.base);
}

static int s_clock_reply(ent_rpc_call_t *call)
{
    Entretiens__V1__ClockState st = ENTRETIENS__V1__CLOCK_STATE__INIT;
    Entretiens__V1__Date today = ENTRETIENS__V1__DATE__INIT;
    st.now_ms = ent_clock_now_ms();
    st.pinned = ent_clock_pinned();
    int y, m, dd;
    ent_date_to_ymd(ent_clock_today(), &y, &m, &dd);
    today.year = y;
    today.month = m;
    today.day = dd;
    st.today = &today;
    return ent_rpc_ok(call, &st.base);
}

static int s_clock_show(ent_rpc_call_t *call, void *arg)
{
    (void) arg;
    return s_clock_reply(call);
}

static int s_clock_set(ent_rpc_call_t *call, void *arg)
{
    ent_daemon_t *d = arg;
    if (!ent_clock_pinned())
        return ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "now_ms",
                            "the clock is real: start the daemon with ENTRETIENS_NOW to move it");
    Entretiens__V1__ClockSet *req =
        entretiens__v1__clock_set__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not a ClockSet message");
    int64_t now = req->now_ms;
    bool whole_day = req->whole_day;
    entretiens__v1__clock_set__free_unpacked(req, NULL);
    if (now <= 0)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "now_ms", "now_ms must be a positive Unix time in ms");
    int64_t before = ent_clock_now_ms();
    bool before_whole_day = ent_clock_whole_day();
    ent_clock_set_day(now, whole_day);
    /* time-driven work sees the new date in this very transaction, so the
     * reply (sent after commit) means its effects are stored */
    for (size_t i = 0; i < d->n_work; i++) {
        int rc = d->work[i]->fn(call->txn, d->work[i]->arg);
        if (rc) {
            ent_clock_set_day(before, before_whole_day); /* the turn is redone or failed: undo */
            return rc;
        }
    }
    ent_log_info("clock.set", "business clock moved to %lld ms", (long long) now);
    return s_clock_reply(call);
}

/* admin.backup: the compacted copy runs on a libuv worker thread (it reads
 * through its own read-only transaction), so the daemon keeps serving; the
 * reply comes when the copy is done. */
/* Offloaded work (ent_daemon_offload): a job per deferred call, run on a
 * libuv worker thread, answered on the loop thread.  The daemon keeps the
 * jobs in flight so that its shutdown can forget their calls (the loop's
 * destruction waits for the worker threads and frees them). */
typedef struct s_job {
    uv_work_t work;
    ent_daemon_t *d;          /* NULL once the daemon is shutting down */
    ent_rpc_pending_t *pending;
    const ent_daemon_offload_t *spec;
    ent_offload_job_t job;
    struct s_job *next;
} s_job_t;

static void s_job_run(uv_work_t *w)
{
    s_job_t *j = w->data;
    j->spec->run(&j->job, j->spec->arg);
}

static void s_job_done(uv_work_t *w, int status)
{
    s_job_t *j = w->data;
    ent_daemon_t *d = j->d;
    if (d) {
        for (s_job_t **p = &d->jobs; *p; p = &(*p)->next)
            if (*p == j) {
                *p = j->next;
                break;
            }
        if (status)
            ent_rpc_pending_reply(d->rpc, &j->pending, ENT_UNAVAILABLE, NULL, uv_strerror(status), NULL);
        else
            ent_rpc_pending_reply(d->rpc, &j->pending, j->job.code, j->job.field[0] ? j->job.field : NULL,
                                  j->job.message[0] ? j->job.message : NULL, j->job.reply);
    }
    if (j->job.reply && j->spec->free_reply)
        j->spec->free_reply(j->job.reply);
    ent_rpc_pending_drop(&j->pending);
    free(j);
}

static void s_job_start(ent_rpc_pending_t *pending, void *arg)
{
    const ent_daemon_offload_t *spec = arg;
    ent_daemon_t *d = spec->d;
    s_job_t *j = calloc(1, sizeof *j);
    if (!j) {
        ent_rpc_pending_reply(d->rpc, &pending, ENT_RESOURCE_EXHAUSTED, NULL, "cannot start the work", NULL);
        return;
    }
    j->d = d;
    j->pending = pending;
    j->spec = spec;
    j->work.data = j;
    j->job.store = d->store;
    j->job.payload = ent_rpc_pending_payload(pending, &j->job.payload_len);
    j->job.code = ENT_OK;
    if (uv_queue_work(ent_loop_uv(d->loop), &j->work, s_job_run, s_job_done) != 0) {
        ent_rpc_pending_reply(d->rpc, &j->pending, ENT_UNAVAILABLE, NULL, "no worker for the work", NULL);
        free(j);
        return;
    }
    j->next = d->jobs;
    d->jobs = j;
}

int ent_daemon_offload(ent_rpc_call_t *call, const ent_daemon_offload_t *spec)
{
    return ent_rpc_defer(call, s_job_start, (void *) spec);
}

/* admin.backup: the compacted copy on a worker thread (it reads the whole
 * store: seconds for a large one, while the loop goes on serving). */
static void s_backup_run(ent_offload_job_t *job, void *arg)
{
    (void) arg;
    Entretiens__V1__BackupRequest *req = entretiens__v1__backup_request__unpack(NULL, job->payload_len, job->payload);
    if (!req) {
        job->code = ENT_INVALID_ARGUMENT;
        snprintf(job->field, sizeof job->field, "dir");
        snprintf(job->message, sizeof job->message, "an existing empty directory is required");
        return;
    }
    int rc = ent_store_backup(job->store, req->dir);
    if (rc) {
        snprintf(job->message, sizeof job->message, "backup to %.300s failed: %.150s", req->dir, mdb_strerror(rc));
        ent_log_error("admin.backup", "%s", job->message);
        job->code = rc == ENOENT ? ENT_NOT_FOUND : ENT_FAILED_PRECONDITION;
        snprintf(job->field, sizeof job->field, "dir");
    } else {
        ent_log_info("admin.backup", "store copied to %s", req->dir);
    }
    entretiens__v1__backup_request__free_unpacked(req, NULL);
}

static int s_backup(ent_rpc_call_t *call, void *arg)
{
    ent_daemon_t *d = arg;
    Entretiens__V1__BackupRequest *req =
        entretiens__v1__backup_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req || !req->dir || !*req->dir || strlen(req->dir) >= 4096) {
        if (req)
            entretiens__v1__backup_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "dir", "an existing empty directory is required");
    }
    entretiens__v1__backup_request__free_unpacked(req, NULL);
    /* the copy starts after this turn commits, on a worker thread */
    return ent_daemon_offload(call, &d->backup_spec);
}

static int s_replay(ent_rpc_call_t *call, void *arg)
{
    ent_daemon_t *d = arg;
    Entretiens__V1__ReplayRequest *req =
        entretiens__v1__replay_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not a ReplayRequest message");
    if (req->n_types > 16) {
        size_t n = req->n_types;
        entretiens__v1__replay_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "types", "%zu types; at most 16", n);
    }
    if (req->to_seq && req->to_seq < req->from_seq) {
        uint64_t from = req->from_seq, to = req->to_seq;
        entretiens__v1__replay_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "to_seq", "to_seq %llu is before from_seq %llu",
                            (unsigned long long) to, (unsigned long long) from);
    }
    Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
    int rc = ent_outbox_replay(d->outbox, call->txn, req->from_seq, req->to_seq, req->max, req->types, req->n_types,
                               &rep);
    entretiens__v1__replay_request__free_unpacked(req, NULL);
    if (rc)
        return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
    rc = ent_rpc_ok(call, &rep.base);
    free(rep.events);
    return rc;
}

/* ------------------------------------------------------------- timers */

static void s_on_work_timer(uv_timer_t *t)
{
    s_work_t *w = t->data;
    w->due = true;
    ent_loop_wake(ent_daemon_loop(w->d));
}

static void s_on_tick(uv_timer_t *t)
{
    ent_daemon_t *d = t->data;
    if (d->outbox)
        ent_outbox_heartbeat(d->outbox);
    for (size_t i = 0; i < d->n_consumers; i++)
        ent_subscriber_tick(d->consumers[i].sub);
    s_bulk_check(d);
    s_metrics_sync(d);
}

static void s_on_stop(int signum, void *arg)
{
    ent_daemon_t *d = arg;
    if (d->draining)
        return;
    d->draining = true;
    ent_log_info("daemon.stopping", "signal %d: finishing the current turn and stopping", signum);
    ent_loop_stop(d->loop);
}

/* ------------------------------------------------------------- trust */

/* Reads ENTRETIENS_INSECURE, the key ring and this daemon's own key pair.
 * Returns 0, or -1 (logged) when the daemon must not start. */
static int s_trust_load(ent_daemon_t *d)
{
    bool ok;
    int64_t insecure = ent_config_get_int(d->cfg, "ENTRETIENS_INSECURE", 0, &ok);
    if (!ok || insecure < 0 || insecure > 1) {
        ent_log_error("config.invalid", "ENTRETIENS_INSECURE must be 0 or 1");
        return -1;
    }
    if (insecure) {
        d->insecure = true;
        ent_log_warn("security.insecure",
                     "ENTRETIENS_INSECURE=1: %s runs WITHOUT keys: no encryption, no authentication; anyone who "
                     "can reach its ports can act as anyone. Never run this way in production.",
                     d->spec.name);
        return 0;
    }
    char dir[4096], err[512];
    ent_config_keys_dir(d->cfg, dir, sizeof dir);
    if (!ent_keys_available()) {
        ent_log_error("security.no_curve", "this libzmq has no CURVE support: cannot authenticate clients");
        return -1;
    }
    d->ring = ent_keyring_load(dir, err, sizeof err);
    if (!d->ring || ent_keypair_load(dir, d->spec.name, &d->own, err, sizeof err) != 0) {
        ent_log_error("security.no_keys",
                      "%s will not start without its keys: %s. Create them with `entretiensctl keys init %s` "
                      "(or set ENTRETIENS_INSECURE=1 to run without authentication, never in production)",
                      d->spec.name, err, dir);
        return -1;
    }
    ent_key_t me;
    if (ent_keyring_find_name(d->ring, d->spec.name, &me) != 0 || strcmp(me.public_key, d->own.public_key) != 0 ||
        !me.daemon) {
        ent_log_error("security.no_keys",
                      "%s/%s.pub is missing, is not a daemon's key (daemon=yes) or does not match %s.secret",
                      dir, d->spec.name, d->spec.name);
        return -1;
    }
    ent_log_info("security.keys", "%zu keys loaded from %s; CurveZMQ with ZAP on every endpoint",
                 ent_keyring_count(d->ring), dir);
    return 0;
}

/* CURVE settings of one of our server sockets (NULL when insecure). */
static const ent_curve_server_t *s_server_curve(ent_daemon_t *d, const char *kind, const char *endpoint,
                                                ent_curve_server_t *out)
{
    if (d->insecure)
        return NULL;
    memset(out, 0, sizeof *out);
    memcpy(out->secret_key, d->own.secret_key, sizeof out->secret_key);
    ent_zap_domain(out->domain, sizeof out->domain, kind, endpoint);
    return out;
}

/* SIGHUP: read the keys directory again (rotation, revocation). */
static void s_on_sighup(uv_signal_t *h, int signum)
{
    (void) signum;
    ent_daemon_t *d = h->data;
    char err[512];
    if (ent_keyring_reload(d->ring, err, sizeof err) != 0)
        ent_log_error("security.reload", "keys not reloaded, the previous ones stay: %s", err);
    else
        ent_log_info("security.reload", "%zu keys loaded", ent_keyring_count(d->ring));
}

/* ------------------------------------------------------------- lifecycle */

/* Without TZ, glibc's mktime and localtime_r look at /etc/localtime again
 * on every call (a stat to see whether it changed: tzset), which was half
 * of the notifier's CPU while it planned reminders (ent_region_local_ms per
 * obligation).  Naming the same file in TZ keeps the zone and lets glibc
 * keep what it read; a TZ the operator set (deployments set Europe/Paris)
 * is left as it is.  A change of /etc/localtime then needs a restart, as
 * it does with TZ set. */
static void s_tz_pin(void)
{
    const char *tz = getenv("TZ");
    if (!tz)
        (void) setenv("TZ", ":/etc/localtime", 0);
    tzset();
}

int ent_daemon_new(const ent_daemon_spec_t *spec, int argc, char **argv, ent_daemon_t **out)
{
    *out = NULL;
    s_tz_pin();
    ent_daemon_t *d = calloc(1, sizeof *d);
    if (!d)
        return 1;
    d->spec = *spec;
    char program[64];
    snprintf(program, sizeof program, "entretiens-%s", spec->name);
    d->cfg = ent_config_new(program, spec->summary, spec->vars, spec->n_vars);
    if (!d->cfg)
        goto fail_config;
    int first = 0;
    int rc = ent_config_load(d->cfg, argc, argv, &first);
    if (rc == 1) { /* --help or --version, printed */
        ent_daemon_destroy(&d);
        return 0;
    }
    if (rc < 0)
        goto fail_config;
    if (first < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", program, argv[first]);
        goto fail_config;
    }
    ent_log_level_t level = ENT_LOG_INFO;
    if (ent_log_level_parse(ent_config_get(d->cfg, "ENTRETIENS_LOG_LEVEL"), &level) != 0) {
        fprintf(stderr, "%s: ENTRETIENS_LOG_LEVEL must be debug, info, warn or error\n", program);
        goto fail_config;
    }
    ent_log_init(spec->name, level);
    /* before the store's lock, the loop's threads and the sockets exist */
    bool ok0;
    int64_t tune = ent_config_get_int(d->cfg, "ENTRETIENS_MALLOC_TUNABLES", 1, &ok0);
    if (!ok0 || (tune != 0 && tune != 1)) {
        ent_log_error("config.invalid", "ENTRETIENS_MALLOC_TUNABLES must be 0 or 1");
        goto fail_config;
    }
    int terr = ent_malloc_tunables_reexec(tune == 1, argv);
    if (terr)
        ent_log_warn("daemon.malloc_tunables", "cannot restart with malloc's tunables (%s): glibc's defaults",
                     strerror(terr));
    if (ent_clock_init(ent_config_get(d->cfg, "ENTRETIENS_NOW")) != 0) {
        ent_log_error("config.invalid", "ENTRETIENS_NOW must be YYYY-MM-DD or an ISO date-time");
        goto fail_config;
    }
    bool ok1, ok2, ok3;
    int64_t map_mb = ent_config_get_int(d->cfg, "ENTRETIENS_MAP_SIZE_MB", 1024, &ok1);
    int64_t nosync = ent_config_get_int(d->cfg, "ENTRETIENS_NOSYNC", 0, &ok2);
    int64_t lag = ent_config_get_int(d->cfg, "ENTRETIENS_READY_MAX_LAG", 10000, &ok3);
    if (!ok1 || map_mb <= 0 || !ok2 || !ok3 || lag < 0) {
        ent_log_error("config.invalid", "ENTRETIENS_MAP_SIZE_MB, ENTRETIENS_NOSYNC and "
                                        "ENTRETIENS_READY_MAX_LAG must be non-negative integers");
        goto fail_config;
    }
    d->max_ready_lag = (uint64_t) lag;
    if (s_trust_load(d) != 0)
        goto fail_config;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", ent_config_get(d->cfg, "ENTRETIENS_DATA_DIR"), spec->name);
    int err = 0;
    d->store = ent_store_open(dir, spec->max_dbs, (size_t) map_mb, nosync != 0, &err);
    if (!d->store)
        goto fail_store;
    if (ent_store_migrate(d->store, spec->schema_version, spec->migrate, spec->migrate_arg) != 0)
        goto fail_store;
    d->loop = ent_loop_new(1024);
    if (!d->loop)
        goto fail_store;
    /* the ZAP handler first: a CURVE server socket created without one
     * would admit any client (zap.h) */
    if (!d->insecure && !(d->zap = ent_zap_new(ent_loop_zctx(d->loop), d->ring)))
        goto fail_store;
    const char *rpc_ep = ent_config_endpoint(d->cfg, spec->name, "RPC");
    ent_curve_server_t curve;
    d->rpc = ent_rpc_server_new(ent_loop_zctx(d->loop), rpc_ep, s_server_curve(d, ENT_ZAP_DOMAIN_RPC, rpc_ep, &curve));
    explicit_bzero(&curve, sizeof curve);
    if (!d->rpc)
        goto fail_store;
    if (!d->insecure)
        ent_rpc_server_identity(d->rpc, d->ring);
    s_metrics_init(d);
    ent_rpc_server_observe(d->rpc, s_observe, d);
    /* both read memory only: served in a turn of queries, without the
     * writer lock and the commit a write turn costs */
    ent_daemon_query(d, "health", s_health, d);
    ent_daemon_query(d, "admin.clock.show", s_clock_show, d);
    ent_daemon_method_for(d, "admin.clock.set", ENT_RPC_OPERATOR, s_clock_set, d);
    d->backup_spec = (ent_daemon_offload_t) { .d = d, .run = s_backup_run };
    ent_daemon_method_for(d, "admin.backup", ENT_RPC_OPERATOR, s_backup, d);
    for (const char *const *p = spec->consumes; p && *p && d->n_consumers < MAX_CONSUMES; p++) {
        d->consumers[d->n_consumers].producer = strdup(*p);
        if (!d->consumers[d->n_consumers].producer)
            goto fail_store;
        d->n_consumers++;
    }
    ent_log_info("daemon.open", "entretiens-%s %s: store %s open (schema %u)", spec->name, ent_version_full(), dir,
                 spec->schema_version);
    *out = d;
    return 0;
fail_config:
    ent_daemon_destroy(&d);
    return 2;
fail_store:
    ent_daemon_destroy(&d);
    return 1;
}

ent_store_t *ent_daemon_store(ent_daemon_t *d) { return d->store; }
ent_loop_t *ent_daemon_loop(ent_daemon_t *d) { return d->loop; }
ent_metrics_t *ent_daemon_metrics(ent_daemon_t *d) { return d->metrics; }
const ent_config_t *ent_daemon_config(ent_daemon_t *d) { return d->cfg; }
const char *ent_daemon_name(const ent_daemon_t *d) { return d->spec.name; }
ent_outbox_t *ent_daemon_outbox(ent_daemon_t *d) { return d->outbox; }
ent_rpc_server_t *ent_daemon_rpc(ent_daemon_t *d) { return d->rpc; }

int ent_daemon_method(ent_daemon_t *d, const char *method, ent_rpc_fn fn, void *arg)
{
    return ent_rpc_server_register(d->rpc, method, fn, arg);
}

int ent_daemon_method_for(ent_daemon_t *d, const char *method, ent_rpc_audience_t audience, ent_rpc_fn fn,
                          void *arg)
{
    return ent_rpc_server_register_for(d->rpc, method, audience, fn, arg);
}

int ent_daemon_query(ent_daemon_t *d, const char *method, ent_rpc_fn fn, void *arg)
{
    return ent_rpc_server_register_read(d->rpc, method, ENT_RPC_ANYONE, fn, arg);
}

bool ent_daemon_insecure(const ent_daemon_t *d)
{
    return d->insecure;
}

int ent_daemon_client_curve(ent_daemon_t *d, const char *server, ent_curve_client_t *out)
{
    if (d->insecure)
        return 1;
    if (ent_keyring_client(d->ring, &d->own, server, out) != 0) {
        ent_log_error("security.no_keys", "no public key for '%s' in the keys directory", server);
        return -1;
    }
    return 0;
}

static s_consumer_t *s_consumer(ent_daemon_t *d, const char *producer)
{
    for (size_t i = 0; i < d->n_consumers; i++)
        if (strcmp(d->consumers[i].producer, producer) == 0)
            return &d->consumers[i];
    return NULL;
}

int ent_daemon_on_event(ent_daemon_t *d, const char *producer, ent_event_fn fn, void *arg)
{
    s_consumer_t *c = s_consumer(d, producer);
    if (!c)
        return -1;
    c->fn = fn;
    c->arg = arg;
    return 0;
}

int ent_daemon_events_wanted(ent_daemon_t *d, const char *producer, ent_event_wanted_fn fn, void *arg,
                             char *const *keep)
{
    s_consumer_t *c = s_consumer(d, producer);
    if (!c)
        return -1;
    c->wanted = fn;
    c->wanted_arg = arg;
    c->keep = keep;
    return 0;
}

int ent_daemon_applied_types(ent_daemon_t *d, const char *producer, char *const *types)
{
    s_consumer_t *c = s_consumer(d, producer);
    if (!c)
        return -1;
    c->applied_types = types;
    return 0;
}

int ent_daemon_read_ahead(ent_daemon_t *d, const char *producer, size_t pages)
{
    s_consumer_t *c = s_consumer(d, producer);
    if (!c)
        return -1;
    c->read_ahead = pages;
    return 0;
}

int ent_daemon_every(ent_daemon_t *d, unsigned interval_ms, ent_daemon_work_fn fn, void *arg)
{
    if (d->n_work >= MAX_WORK)
        return -1;
    s_work_t *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->fn = fn;
    w->arg = arg;
    w->interval_ms = interval_ms ? interval_ms : 1000;
    w->d = d;
    w->due = true; /* run once at start */
    uv_timer_init(ent_loop_uv(d->loop), &w->timer);
    w->timer.data = w;
    d->work[d->n_work++] = w;
    return 0;
}

int ent_daemon_participant(ent_daemon_t *d, ent_daemon_reset_fn reset, ent_daemon_flush_fn flush, void *arg)
{
    if (d->n_parts >= MAX_PARTICIPANTS)
        return -1;
    d->parts[d->n_parts].reset = reset;
    d->parts[d->n_parts].flush = flush;
    d->parts[d->n_parts].arg = arg;
    d->n_parts++;
    return 0;
}

int ent_daemon_on_settle(ent_daemon_t *d, ent_daemon_settle_fn fn, void *arg)
{
    if (d->n_settles >= MAX_PARTICIPANTS)
        return -1;
    d->settles[d->n_settles].fn = fn;
    d->settles[d->n_settles].arg = arg;
    d->n_settles++;
    return 0;
}

int ent_daemon_on_commit(ent_daemon_t *d, ent_daemon_begin_fn begin, ent_daemon_precommit_fn precommit, void *arg)
{
    if (d->n_commits >= MAX_PARTICIPANTS)
        return -1;
    d->commits[d->n_commits].begin = begin;
    d->commits[d->n_commits].precommit = precommit;
    d->commits[d->n_commits].arg = arg;
    d->n_commits++;
    return 0;
}

static int s_skip_all(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    (void) txn, (void) ev, (void) arg;
    return 0; /* a producer we listen to for readiness only */
}

/* Where /healthz /readyz /metrics are served (spec.http_kind). */
static const char *s_http_endpoint(ent_daemon_t *d)
{
    return ent_config_endpoint(d->cfg, d->spec.name, d->spec.http_kind ? d->spec.http_kind : "HTTP");
}

int ent_daemon_start(ent_daemon_t *d)
{
    void *zctx = ent_loop_zctx(d->loop);
    if (d->spec.publishes) {
        const char *pub_ep = ent_config_endpoint(d->cfg, d->spec.name, "PUB");
        ent_curve_server_t curve;
        d->outbox = ent_outbox_new(zctx, d->store, d->spec.name, pub_ep,
                                   s_server_curve(d, ENT_ZAP_DOMAIN_EVENTS, pub_ep, &curve));
        explicit_bzero(&curve, sizeof curve);
        if (!d->outbox)
            return -1;
        ent_daemon_method_for(d, "events.replay", ENT_RPC_DAEMONS, s_replay, d);
    }
    d->rpc_watch = ent_loop_watch(d->loop, ent_rpc_server_socket(d->rpc), ent_rpc_server_on_readable, d->rpc);
    if (!d->rpc_watch)
        return -1;
    for (size_t i = 0; i < d->n_consumers; i++) {
        s_consumer_t *c = &d->consumers[i];
        ent_curve_client_t curve;
        int crc = ent_daemon_client_curve(d, c->producer, &curve);
        if (crc < 0)
            return -1;
        c->sub = ent_subscriber_new(d->loop, d->store, c->producer,
                                    ent_config_endpoint(d->cfg, c->producer, "PUB"),
                                    ent_config_endpoint(d->cfg, c->producer, "RPC"), crc == 0 ? &curve : NULL,
                                    c->fn ? c->fn : s_skip_all, c->arg);
        explicit_bzero(&curve, sizeof curve);
        if (!c->sub)
            return -1;
        ent_subscriber_set_wanted(c->sub, c->wanted, c->wanted_arg, c->keep);
        ent_subscriber_set_applied(c->sub, c->applied_types);
        if (c->read_ahead)
            ent_subscriber_set_read_ahead(c->sub, c->read_ahead);
        ent_subscriber_start(c->sub);
        if (d->metrics)
            s_consumer_metrics(d, c);
        ent_subscriber_stats(c->sub, &c->seen);
    }
    s_bulk_start(d);
    d->http = ent_http_new(ent_loop_uv(d->loop), s_http_endpoint(d),
                           d->metrics, s_http_ready, d);
    if (!d->http) {
        ent_log_error("http.bind", "cannot serve HTTP on %s", s_http_endpoint(d));
        return -1;
    }
    for (size_t i = 0; i < d->n_work; i++)
        uv_timer_start(&d->work[i]->timer, s_on_work_timer, d->work[i]->interval_ms, d->work[i]->interval_ms);
    if (d->ring) {
        uv_signal_init(ent_loop_uv(d->loop), &d->sighup);
        d->sighup.data = d;
        uv_signal_start(&d->sighup, s_on_sighup, SIGHUP);
        d->sighup_on = true;
    }
    uv_timer_init(ent_loop_uv(d->loop), &d->tick);
    d->tick.data = d;
    uv_timer_start(&d->tick, s_on_tick, 1000, 1000);
    d->tick_on = true;
    ent_loop_on_turn(d->loop, s_on_turn, d);
    ent_loop_on_stop(d->loop, s_on_stop, d);
    ent_loop_wake(d->loop);
    d->started = true;
    ent_log_info("daemon.ready", "%s serving RPC on %s, events on %s, HTTP on %s (clock %s)", d->spec.name,
                 ent_config_endpoint(d->cfg, d->spec.name, "RPC"),
                 d->spec.publishes ? ent_config_endpoint(d->cfg, d->spec.name, "PUB") : "-",
                 s_http_endpoint(d), ent_clock_pinned() ? "pinned" : "real");
    return 0;
}

int ent_daemon_run(ent_daemon_t *d)
{
    ent_loop_run(d->loop);
    s_metrics_sync(d); /* the last counts, for whoever renders them after */
    ent_log_info("daemon.stopped", "%s stopped cleanly", d->spec.name);
    return 0;
}

void ent_daemon_destroy(ent_daemon_t **d_p)
{
    if (!d_p || !*d_p)
        return;
    ent_daemon_t *d = *d_p;
    if (d->http)
        ent_http_destroy(&d->http);
    if (d->loop && d->tick_on)
        uv_close((uv_handle_t *) &d->tick, NULL);
    for (size_t i = 0; i < d->n_work; i++)
        uv_close((uv_handle_t *) &d->work[i]->timer, NULL);
    for (size_t i = 0; i < d->n_consumers; i++) {
        ent_subscriber_destroy(&d->consumers[i].sub);
        free(d->consumers[i].producer);
    }
    if (d->rpc_watch)
        ent_loop_unwatch(d->loop, &d->rpc_watch);
    /* copies still running: their clients get no answer; the loop's
     * destruction below waits for the worker threads, before the store is
     * closed */
    for (struct s_job *j = d->jobs; j; j = j->next) {
        j->d = NULL;
        ent_rpc_pending_drop(&j->pending);
    }
    d->jobs = NULL;
    if (d->sighup_on)
        uv_close((uv_handle_t *) &d->sighup, NULL);
    ent_rpc_server_destroy(&d->rpc);
    ent_outbox_destroy(&d->outbox);
    ent_zap_destroy(&d->zap);   /* its socket must close before the context terminates */
    ent_loop_destroy(&d->loop); /* runs the close callbacks, terminates ZeroMQ */
    for (size_t i = 0; i < d->n_work; i++)
        free(d->work[i]);
    ent_store_close(&d->store);
    for (size_t i = 0; i < d->n_mm; i++)
        free(d->mm[i].method);
    free(d->mm);
    ent_metrics_destroy(&d->metrics);
    ent_config_destroy(&d->cfg);
    ent_keyring_destroy(&d->ring);
    explicit_bzero(&d->own, sizeof d->own);
    free(d);
    *d_p = NULL;
}

int ent_daemon_main(const ent_daemon_spec_t *spec, int argc, char **argv, ent_daemon_setup_fn setup, void *arg)
{
    ent_daemon_t *d = NULL;
    int rc = ent_daemon_new(spec, argc, argv, &d);
    if (!d)
        return rc;
    int src = setup ? setup(d, arg) : 0;
    if (src != 0 || ent_daemon_start(d) != 0) {
        ent_log_error("daemon.start", "%s could not start", spec->name);
        ent_daemon_destroy(&d);
        return src == ENT_DAEMON_CONFIG_ERROR ? 2 : 1;
    }
    ent_daemon_run(d);
    ent_daemon_destroy(&d);
    return 0;
}
