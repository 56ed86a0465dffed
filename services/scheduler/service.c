/*  service.c — the scheduler's set-up on the daemon runtime (scheduler.h). */
#include "scheduler.h"

#include "common/log.h"

#include <stdlib.h>
#include <string.h>

static void s_reset(void *arg)
{
    scheduler_t *s = arg;
    s->n_touched = 0;
    s->turn_swept_on = s->swept_on;
    s->turn_sweep_today = s->sweep_today;
    memcpy(s->turn_sweep_next, s->sweep_next, sizeof s->sweep_next);
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
        s->swept_on = s->turn_swept_on;
        s->sweep_today = s->turn_sweep_today;
        memcpy(s->sweep_next, s->turn_sweep_next, sizeof s->sweep_next);
        s->policy_dirty = false;
    } else {
        s_reset(s);
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
