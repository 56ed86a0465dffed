/*  service.c — the scheduler's set-up on the daemon runtime (scheduler.h). */
#include "scheduler.h"

#include "common/log.h"

#include <stdlib.h>
#include <string.h>

static void s_reset(void *arg)
{
    scheduler_t *s = arg;
    s->n_touched = 0;
    memset(s->turn_ingest, 0, sizeof s->turn_ingest);
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
        for (int o = 0; o < SCHED_INGEST_OUTCOMES; o++)
            ent_metrics_counter_add(s->m_ingest[o], s->turn_ingest[o]);
        memset(s->turn_ingest, 0, sizeof s->turn_ingest);
        s->swept_on = s->turn_swept_on;
        s->sweep_today = s->turn_sweep_today;
        memcpy(s->sweep_next, s->turn_sweep_next, sizeof s->sweep_next);
        memcpy(s->backfill_next, s->turn_backfill_next, sizeof s->backfill_next);
        s->policy_dirty = false;
    } else {
        s_reset(s);
    }
}

/* Registers the scheduler's counters.  A failed registration leaves a NULL
 * handle, which the counters ignore: metrics never stop the daemon. */
static void s_metrics(scheduler_t *s)
{
    ent_metrics_t *m = ent_daemon_metrics(s->d);
    if (!m)
        return;
    const char *labels[] = { "outcome" };
    ent_metrics_family_t *f = ent_metrics_counter_family(
        m, "entretiens_scheduler_ingest_events_total",
        "Events received by scheduler.ingest, by outcome (rejected: invalid; conflict: an event id already "
        "ingested with a different payload; both kept as dead letters)",
        1, labels);
    static const char *const names[SCHED_INGEST_OUTCOMES] = { "accepted", "duplicate", "rejected", "conflict" };
    for (int o = 0; o < SCHED_INGEST_OUTCOMES; o++) {
        const char *v[] = { names[o] };
        s->m_ingest[o] = f ? ent_metrics_counter_child(f, v) : NULL;
    }
}

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
    s->rebuild_events = calloc(SCHED_MAX_FACTS, sizeof *s->rebuild_events);
    s->rebuild_heap = calloc(SCHED_MAX_FACTS, sizeof *s->rebuild_heap);
    if (!s->facts_buf || !s->sobl_buf || !s->arena.buf || !s->req_arena.buf || !s->rebuild_events ||
        !s->rebuild_heap)
        return -1;
    s->swept_on = s->sweep_today = ENT_DATE_NONE;
    s_reset(s);
    s_metrics(s);
    if (sched_policy_load(s) != 0)
        return -1;
    if (sched_ingest_register(s) || sched_queries_register(s) || sched_policy_register(s))
        return -1;
    if (ent_daemon_on_event(d, "records", sched_on_records_event, s) ||
        ent_daemon_every(d, 1000, sched_sweep, s) || ent_daemon_participant(d, s_reset, s_flush, s))
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
    free(s->rebuild_events);
    free(s->rebuild_heap);
    free(s->entities);
    for (size_t i = 0; i < s->n_campaigns; i++)
        entretiens__v1__campaign__free_unpacked(s->campaigns[i].c, NULL);
    memset(s, 0, sizeof *s);
}
