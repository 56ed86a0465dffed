/*  service.c — the scheduler's set-up on the daemon runtime (scheduler.h). */
#include "scheduler.h"

#include "common/clock.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ metrics
 *
 * What happens to the business, beside the runtime's metrics (daemon.h).
 * One scheduler per process (main.c's static scheduler_t), so its metric
 * state lives here rather than in scheduler_t.  Every figure is counted in
 * the turn and published when the turn is committed (a turn may run twice,
 * or not at all). */

#define SCHED_METRIC_SOURCES 16     /* more callers than this count as "other" */
#define SCHED_CENSUS_MS 60000       /* obligations and dead letters: once a minute */

static struct {
    ent_metrics_family_t *f_ingest;
    struct {
        char name[64];
        ent_metrics_counter_t *c[SCHED_INGEST_OUTCOMES];
        uint64_t turn[SCHED_INGEST_OUTCOMES];
    } src[SCHED_METRIC_SOURCES + 1]; /* the last one is "other" */
    size_t n_src;
    /* census of the due index (actionable obligations) and dead letters */
    double obligations[SCH_TYPE_COUNT][SCH_STATUS_COUNT], turn_obligations[SCH_TYPE_COUNT][SCH_STATUS_COUNT];
    double dead_letters, turn_dead_letters;
    bool turn_census, census_done;
    /* sweep: work time of one whole day's sweep (chunked over turns on the
     * real clock), observed when it completes */
    ent_metrics_histogram_t *h_sweep;
    double sweep_seconds, turn_sweep_seconds, turn_sweep_done;
} s_m;

static const char *const s_outcomes[SCHED_INGEST_OUTCOMES] = { "accepted", "duplicate", "rejected", "conflict" };

static size_t s_source_slot(const char *caller)
{
    const char *name = caller && *caller ? caller : "-";
    for (size_t i = 0; i < s_m.n_src; i++)
        if (strcmp(s_m.src[i].name, name) == 0)
            return i;
    size_t i = s_m.n_src < SCHED_METRIC_SOURCES ? s_m.n_src++ : SCHED_METRIC_SOURCES;
    if (!s_m.src[i].name[0]) {
        snprintf(s_m.src[i].name, sizeof s_m.src[i].name, "%s", i < SCHED_METRIC_SOURCES ? name : "other");
        for (int o = 0; o < SCHED_INGEST_OUTCOMES; o++) {
            const char *v[] = { s_m.src[i].name, s_outcomes[o] };
            s_m.src[i].c[o] = s_m.f_ingest ? ent_metrics_counter_child(s_m.f_ingest, v) : NULL;
        }
    }
    return i;
}

void sched_metrics_ingest(scheduler_t *s, const char *caller, const uint64_t counts[SCHED_INGEST_OUTCOMES])
{
    (void) s;
    size_t i = s_source_slot(caller);
    for (int o = 0; o < SCHED_INGEST_OUTCOMES; o++)
        s_m.src[i].turn[o] += counts[o];
}

/* One due index entry: the key holds the type after the employee id, the
 * value the status (recompute.c, sched_index_key). */
static int s_count_obligation(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void) arg;
    const uint8_t *p = k->mv_data;
    const uint8_t *nul = k->mv_size > 4 ? memchr(p + 4, 0, k->mv_size - 4) : NULL;
    if (!nul || nul + 1 >= p + k->mv_size || v->mv_size < 1)
        return 0; /* not an index key of this version: not counted */
    unsigned type = nul[1], status = *(const uint8_t *) v->mv_data;
    if (type < SCH_TYPE_COUNT && status < SCH_STATUS_COUNT)
        s_m.turn_obligations[type][status]++;
    return 0;
}

/* Counts the due index by type and status, and the dead letters.  A
 * keys-only walk inside the turn, once a minute (and at every clock
 * change): in the order of a tenth of a second per million actionable
 * obligations, paid by one turn a minute. */
static int s_census(MDB_txn *txn, void *arg)
{
    scheduler_t *s = arg;
    memset(s_m.turn_obligations, 0, sizeof s_m.turn_obligations);
    int rc = ent_store_walk(txn, s->due_index, s_count_obligation, NULL);
    MDB_stat st;
    if (!rc)
        rc = mdb_stat(txn, s->deadletters, &st);
    if (rc)
        return rc;
    s_m.turn_dead_letters = (double) st.ms_entries;
    s_m.turn_census = true;
    return 0;
}

/* sched_sweep, timed.  A day's sweep is done when swept_on reaches today's
 * stamp (a new day in any region, ent_today_stamp). */
static int s_sweep_timed(MDB_txn *txn, void *arg)
{
    scheduler_t *s = arg;
    if (!s_m.census_done && !s_m.turn_census) {
        /* the first census right after start, not a minute later */
        int rc = s_census(txn, arg);
        if (rc)
            return rc;
    }
    int32_t before = s->turn_swept_on;
    ent_today_t today;
    ent_clock_today_all(&today);
    bool sweeping = s->turn_sweep_today != ENT_DATE_NONE || before != ent_today_stamp(&today);
    if (!sweeping)
        return sched_sweep(txn, arg);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = sched_sweep(txn, arg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s_m.turn_sweep_seconds += (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (!rc && s->turn_swept_on != before && s->turn_sweep_today == ENT_DATE_NONE)
        s_m.turn_sweep_done = 1;
    return rc;
}

static void s_metrics_reset(void)
{
    for (size_t i = 0; i <= SCHED_METRIC_SOURCES; i++)
        memset(s_m.src[i].turn, 0, sizeof s_m.src[i].turn);
    s_m.turn_census = false;
    s_m.turn_sweep_seconds = 0;
    s_m.turn_sweep_done = 0;
}

static void s_metrics_commit(void)
{
    for (size_t i = 0; i <= SCHED_METRIC_SOURCES; i++)
        for (int o = 0; o < SCHED_INGEST_OUTCOMES; o++)
            ent_metrics_counter_add(s_m.src[i].c[o], (double) s_m.src[i].turn[o]);
    if (s_m.turn_census) {
        memcpy(s_m.obligations, s_m.turn_obligations, sizeof s_m.obligations);
        s_m.dead_letters = s_m.turn_dead_letters;
        s_m.census_done = true;
    }
    s_m.sweep_seconds += s_m.turn_sweep_seconds;
    if (s_m.turn_sweep_done) {
        ent_metrics_histogram_observe(s_m.h_sweep, s_m.sweep_seconds);
        s_m.sweep_seconds = 0;
    }
    s_metrics_reset();
}

/* Registers the scheduler's metrics.  A failed registration leaves a NULL
 * handle, which the metrics ignore: metrics never stop the daemon. */
static void s_metrics(scheduler_t *s)
{
    memset(&s_m, 0, sizeof s_m);
    ent_metrics_t *m = ent_daemon_metrics(s->d);
    if (!m)
        return;
    const char *labels[] = { "source", "outcome" };
    s_m.f_ingest = ent_metrics_counter_family(
        m, "entretiens_scheduler_ingest_events_total",
        "Events received by scheduler.ingest, by source (the caller's key principal) and outcome (rejected: "
        "invalid; conflict: an event id already ingested with a different payload; both kept as dead letters)",
        2, labels);
    const char *tl[] = { "type", "status" };
    ent_metrics_family_t *fo = ent_metrics_gauge_family(
        m, "entretiens_scheduler_obligations",
        "Actionable obligations (the due index) by interview type and status, counted once a minute", 2, tl);
    for (int t = 0; t < SCH_TYPE_COUNT && fo; t++)
        for (int st = SCH_STATUS_UPCOMING; st <= SCH_STATUS_OVERDUE; st++) {
            const char *v[] = { sch_type_name(t), sch_status_name(st) };
            ent_metrics_gauge_bind(fo, v, ent_metrics_gauge_read, &s_m.obligations[t][st]);
        }
    ent_metrics_gauge_callback(m, "entretiens_scheduler_dead_letters",
                               "Events kept in the dead-letter table (entretiensctl deadletters), counted once a "
                               "minute", ent_metrics_gauge_read, &s_m.dead_letters);
    static const double bounds[] = { 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300 };
    s_m.h_sweep = ent_metrics_histogram(m, "entretiens_scheduler_sweep_duration_seconds",
                                        "Work time of one whole day's sweep (every employee's deadlines at the "
                                        "new date, at each region's midnight; chunked over turns on the real clock)",
                                        bounds, sizeof bounds / sizeof *bounds);
    const char *lk[] = { "kind" };
    ent_metrics_family_t *fp = ent_metrics_counter_family(
        m, "entretiens_scheduler_retention_purged_total",
        "Records deleted by the retention sweep: dead letters past their period, history events of people who left",
        1, lk);
    const char *kinds[SCHED_PURGE_KINDS][1] = { { "deadletters" }, { "history" } };
    for (int i = 0; i < SCHED_PURGE_KINDS && fp; i++)
        s->m_purged[i] = ent_metrics_counter_child(fp, kinds[i]);
}

static void s_reset(void *arg)
{
    scheduler_t *s = arg;
    s->n_touched = 0;
    s_metrics_reset();
    memset(s->turn_retention_purged, 0, sizeof s->turn_retention_purged);
    s->turn_retention_running = s->retention_running;
    memcpy(s->turn_retention_next, s->retention_next, sizeof s->retention_next);
    s->turn_retention_day = s->retention_day;
    s->turn_retention_at = s->retention_at;
    s->turn_swept_on = s->swept_on;
    s->turn_sweep_today = s->sweep_today;
    memcpy(s->turn_sweep_next, s->sweep_next, sizeof s->sweep_next);
    memcpy(s->turn_backfill_next, s->backfill_next, sizeof s->backfill_next);
    if (s->policy_dirty) {
        /* the turn that changed the policy was aborted: back to the store */
        sched_policy_load(s);
        s->policy_dirty = false;
    }
}

static void s_flush(void *arg, bool committed)
{
    scheduler_t *s = arg;
    s->n_touched = 0;
    if (committed) {
        s_metrics_commit();
        for (int i = 0; i < SCHED_PURGE_KINDS; i++)
            ent_metrics_counter_add(s->m_purged[i], (double) s->turn_retention_purged[i]);
        memset(s->turn_retention_purged, 0, sizeof s->turn_retention_purged);
        s->retention_running = s->turn_retention_running;
        memcpy(s->retention_next, s->turn_retention_next, sizeof s->retention_next);
        s->retention_day = s->turn_retention_day;
        s->retention_at = s->turn_retention_at;
        s->swept_on = s->turn_swept_on;
        s->sweep_today = s->turn_sweep_today;
        memcpy(s->sweep_next, s->turn_sweep_next, sizeof s->sweep_next);
        memcpy(s->backfill_next, s->turn_backfill_next, sizeof s->backfill_next);
        s->policy_dirty = false;
    } else {
        s_reset(s);
    }
}

const ent_config_var_t sched_config_vars[] = {
    { "ENTRETIENS_RETENTION_DEADLETTER_DAYS", "365",
      "days a rejected HRIS event (a dead letter, with the person's data) is kept, then deleted (1 to 36500)" },
    { "ENTRETIENS_RETENTION_OBLIGATIONS_YEARS", "5",
      "years after a person's departure her HRIS history and identifying attributes are kept; then they are "
      "deleted and her obligations (the proof of the interviews owed and held) stay, frozen (1 to 100)" },
    { "ENTRETIENS_SCHEDULER_SWEEP_CHUNK", "20000",
      "employees recomputed per turn when the real clock reaches a new day (1 to 1000000): requests are answered "
      "between chunks" },
};
const size_t sched_n_config_vars = sizeof sched_config_vars / sizeof sched_config_vars[0];

int sched_setup(ent_daemon_t *d, void *arg)
{
    scheduler_t *s = arg;
    memset(s, 0, sizeof *s);
    s->d = d;
    s->store = ent_daemon_store(d);
    struct { const char *name; MDB_dbi *dbi; } dbs[] = {
        { "employees", &s->employees }, { "history", &s->history }, { "facts", &s->facts },
        { "obligations", &s->obligations }, { "due_index", &s->due_index }, { "idempotency", &s->idempotency },
        { "deadletters", &s->deadletters }, { "policies", &s->policies }, { "campaigns", &s->campaigns_db },
        { ENT_GRANTS_DB, &s->grants },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++)
        if (ent_store_dbi(s->store, dbs[i].name, 0, dbs[i].dbi) != 0) {
            ent_log_error("scheduler.store", "cannot open database %s", dbs[i].name);
            return -1;
        }
    s->facts_buf = calloc(SCHED_MAX_FACTS, sizeof *s->facts_buf);
    s->sobl_buf = calloc(SCHED_MAX_OBLIGATIONS, sizeof *s->sobl_buf);
    if (sched_work_init(&s->work) != 0)
        return -1;
    s->arena.cap = 4u << 20;
    s->arena.buf = malloc(s->arena.cap);
    s->req_arena.cap = 32u << 20; /* a batch of 10,000 events unpacks in about 6 MiB */
    s->req_arena.buf = malloc(s->req_arena.cap);
    s->query_arena = ent_pbarena_new(64u << 10); /* two Employee records, with room */
    s->publish_arena = ent_pbarena_new(16u << 10); /* one Employee record, with room */
    s->rebuild_events = calloc(SCHED_MAX_FACTS, sizeof *s->rebuild_events);
    s->rebuild_heap = calloc(SCHED_MAX_FACTS, sizeof *s->rebuild_heap);
    if (!s->facts_buf || !s->sobl_buf || !s->arena.buf || !s->req_arena.buf || !s->query_arena || !s->publish_arena ||
        !s->rebuild_events || !s->rebuild_heap)
        return -1;
    s->swept_on = s->sweep_today = ENT_DATE_NONE;
    if (sched_retention_config(s) != 0)
        return ENT_DAEMON_CONFIG_ERROR;
    bool chunk_ok = true;
    int64_t chunk = ent_config_get_int(ent_daemon_config(d), "ENTRETIENS_SCHEDULER_SWEEP_CHUNK", 20000, &chunk_ok);
    if (!chunk_ok || chunk < 1 || chunk > 1000000) {
        ent_log_error("config.invalid", "ENTRETIENS_SCHEDULER_SWEEP_CHUNK must be a whole number from 1 to 1000000");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    s->sweep_chunk = (size_t) chunk;
    s_reset(s);
    s_metrics(s);
    if (sched_policy_load(s) != 0)
        return -1;
    if (sched_ingest_register(s) || sched_queries_register(s) || sched_search_register(s) || sched_policy_register(s) ||
        sched_campaign_members_register(s))
        return -1;
    if (ent_daemon_on_event(d, "records", sched_on_records_event, s) ||
        ent_daemon_every(d, 1000, s_sweep_timed, s) || ent_daemon_every(d, SCHED_CENSUS_MS, s_census, s) ||
        ent_daemon_every(d, 1000, sched_retention_sweep, s) ||
        ent_daemon_participant(d, s_reset, s_flush, s))
        return -1;
    return 0;
}

void sched_teardown(scheduler_t *s)
{
    free(s->facts_buf);
    free(s->sobl_buf);
    sched_work_free(&s->work);
    free(s->touched);
    free(s->arena.buf);
    free(s->req_arena.buf);
    ent_pbarena_destroy(&s->query_arena);
    ent_pbarena_destroy(&s->publish_arena);
    free(s->rebuild_events);
    free(s->rebuild_heap);
    free(s->entities);
    for (size_t i = 0; i < s->n_campaigns; i++)
        entretiens__v1__campaign__free_unpacked(s->campaigns[i].c, NULL);
    memset(s, 0, sizeof *s);
}
