/*  ingest.c — scheduler.ingest (batches of EmployeeEvent, answered after
 *  commit, idempotent on source + event_id), the dead-letter table, and
 *  records' completed interviews (scheduler.h).
 *
 *  An event id seen before is a duplicate when the event is the same as the
 *  stored one, field by field, and a conflict otherwise: the first version is
 *  kept, the second is answered "conflict" with the first differing field and
 *  kept as a dead letter, so that a correction sent under a reused id is never
 *  silently dropped. */
#include "scheduler.h"
#include "validate.h"

#include "common/clock.h"
#include "common/log.h"
#include "proto/records.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 10000

/* A small set of employee ids touched by a batch (pointers into the batch). */
typedef struct {
    const char **slots;
    size_t cap, n;
    const char **order;
} s_set_t;

static uint64_t s_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t) *s) * 1099511628211ull;
    return h;
}

static int s_set_init(s_set_t *set, size_t n)
{
    set->cap = 16;
    while (set->cap < n * 2)
        set->cap *= 2;
    set->n = 0;
    set->slots = calloc(set->cap, sizeof *set->slots);
    set->order = calloc(n ? n : 1, sizeof *set->order);
    return set->slots && set->order ? 0 : ENOMEM;
}

static void s_set_add(s_set_t *set, const char *id)
{
    size_t i = s_hash(id) & (set->cap - 1);
    while (set->slots[i]) {
        if (strcmp(set->slots[i], id) == 0)
            return;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = id;
    set->order[set->n++] = id;
}

static void s_set_free(s_set_t *set)
{
    free(set->slots);
    free(set->order);
}

/* Keeps ev in the dead-letter table with its outcome ("rejected" or
 * "conflict"), field and the reason answered (reason), and logs it with
 * why, which quotes nothing from the event (validate.h).  Returns 0 or an
 * LMDB code. */
static int s_deadletter(scheduler_t *s, MDB_txn *txn, const char *caller, const Entretiens__V1__EmployeeEvent *ev,
                        const char *outcome, const char *field, const char *why, const char *reason)
{
    uint64_t id;
    int rc = ent_store_meta_get_u64(txn, s->store, "deadletter_seq", &id);
    if (rc)
        return rc;
    id++;
    Entretiens__V1__DeadLetter dl = ENTRETIENS__V1__DEAD_LETTER__INIT;
    dl.id = id;
    dl.received_at_ms = ent_clock_now_ms();
    dl.caller = (char *) (caller ? caller : "");
    dl.event = (Entretiens__V1__EmployeeEvent *) ev;
    dl.field = (char *) field;
    dl.reason = (char *) reason;
    dl.outcome = (char *) outcome;
    /* the rejected event may hold invalid UTF-8: keep it as received, the
     * listing sanitises on output */
    uint8_t key[8];
    ent_be64_put(key, id);
    MDB_val k = { 8, key }, v = { entretiens__v1__dead_letter__get_packed_size(&dl), NULL };
    if ((rc = mdb_put(txn, s->deadletters, &k, &v, MDB_RESERVE)) != 0)
        return rc;
    entretiens__v1__dead_letter__pack(&dl, v.mv_data);
    const char *eid = ev->event_id && sched_text_ok(ev->event_id, 128) ? ev->event_id : "-";
    const char *src = ev->source && sched_text_ok(ev->source, 64) ? ev->source : "-";
    if (strcmp(outcome, "conflict") == 0)
        /* the field only: the values (names, e-mails) stay out of the logs */
        ent_log_warn("ingest.conflict",
                     "event %.64s from %.64s conflicts with the event stored under that id: %s differs; "
                     "the stored one is kept, this one is dead letter %llu",
                     eid, src, field, (unsigned long long) id);
    else
        ent_log_warn("ingest.rejected", "event %.64s from %.64s rejected: %s: %s", eid, src, field, why);
    return ent_store_meta_put_u64(txn, s->store, "deadletter_seq", id);
}

/* An event whose source + event_id is already recorded under the employee
 * in `seen` (the idempotency value): compares it with the stored copy.
 * *out is DUPLICATE, or CONFLICT with *field and reason filled.  Returns 0
 * or an LMDB code. */
static int s_compare(scheduler_t *s, MDB_txn *txn, const Entretiens__V1__EmployeeEvent *ev, const MDB_val *seen,
                     sched_ingest_outcome_t *out, const char **field, char *reason, size_t size)
{
    char employee[SCHED_ID_MAX + 1];
    MDB_val stored;
    int rc = MDB_NOTFOUND;
    if (seen->mv_size <= SCHED_ID_MAX) {
        memcpy(employee, seen->mv_data, seen->mv_size);
        employee[seen->mv_size] = '\0';
        rc = sched_history_find(s, txn, employee, ev, &stored);
    }
    Entretiens__V1__EmployeeEvent *old = NULL;
    if (rc == 0)
        old = entretiens__v1__employee_event__unpack(NULL, stored.mv_size, stored.mv_data);
    else if (rc != MDB_NOTFOUND && rc != MDB_BAD_VALSIZE)
        return rc;
    if (!old) {
        /* nothing to compare with (a store damaged by hand?): applying it
         * would break idempotency, dropping it could lose a correction */
        ent_log_error("ingest.unverifiable", "event %.64s from %.64s: its id is recorded but the stored event %s",
                      ev->event_id, ev->source, rc == 0 ? "cannot be decoded" : "is missing from the history");
        *out = SCHED_INGEST_CONFLICT;
        *field = "event_id";
        snprintf(reason, size, "already ingested from this source, but the stored event cannot be read to "
                               "compare: not applied");
        return 0;
    }
    const char *diff = sched_event_diff(old, ev);
    entretiens__v1__employee_event__free_unpacked(old, NULL);
    if (!diff) {
        *out = SCHED_INGEST_DUPLICATE;
        return 0;
    }
    *out = SCHED_INGEST_CONFLICT;
    *field = diff;
    snprintf(reason, size, "event id already ingested from this source with a different %s: the first version is "
                           "kept; a correction needs an event id of its own", diff);
    return 0;
}

/* Applies one valid event: idempotency on source + event_id, then history.
 * *out is ACCEPTED (stored), DUPLICATE (seen, same event) or CONFLICT (seen,
 * another event: *field names the first differing field, reason says why;
 * nothing is stored).  Returns 0 or an LMDB code. */
static int s_apply(scheduler_t *s, MDB_txn *txn, const Entretiens__V1__EmployeeEvent *ev,
                   sched_ingest_outcome_t *out, const char **field, char *reason, size_t size)
{
    uint8_t key[300];
    size_t so = strlen(ev->source), id = strlen(ev->event_id);
    memcpy(key, ev->source, so + 1);
    memcpy(key + so + 1, ev->event_id, id);
    MDB_val k = { so + 1 + id, key }, v = { strlen(ev->employee_id), ev->employee_id };
    int rc = mdb_put(txn, s->idempotency, &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) /* v now holds the stored value */
        return s_compare(s, txn, ev, &v, out, field, reason, size);
    if (rc)
        return rc;
    *out = SCHED_INGEST_ACCEPTED;
    return sched_history_put(s, txn, ev);
}

static int s_refresh(scheduler_t *s, MDB_txn *txn, s_set_t *dirty)
{
    int32_t today = ent_clock_today();
    for (size_t i = 0; i < dirty->n; i++) {
        sched_touch(s, dirty->order[i]);
        int rc = sched_history_rebuild(s, txn, dirty->order[i]);
        if (rc == ENOENT)
            continue;
        if (!rc)
            rc = sched_recompute(s, txn, dirty->order[i], today);
        if (rc)
            return rc;
    }
    return 0;
}

static int s_ingest(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    /* a batch is thousands of small strings: unpack it into an arena rather
     * than with a malloc each (too big for the arena: malloc after all) */
    ProtobufCAllocator arena = { sched_arena_alloc, sched_arena_free, &s->req_arena };
    ProtobufCAllocator *alloc = &arena;
    s->req_arena.used = 0;
    Entretiens__V1__IngestRequest *req =
        entretiens__v1__ingest_request__unpack(alloc, call->req->payload.len, call->req->payload.data);
    if (!req) {
        alloc = NULL;
        req = entretiens__v1__ingest_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    }
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not an IngestRequest");
    if (req->n_events > MAX_BATCH) {
        size_t n = req->n_events;
        entretiens__v1__ingest_request__free_unpacked(req, alloc);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "events", "%zu events in one batch; at most %d", n, MAX_BATCH);
    }
    Entretiens__V1__IngestReply rep = ENTRETIENS__V1__INGEST_REPLY__INIT;
    Entretiens__V1__EventResult *results = calloc(req->n_events ? req->n_events : 1, sizeof *results);
    Entretiens__V1__EventResult **ptrs = calloc(req->n_events ? req->n_events : 1, sizeof *ptrs);
    char (*reasons)[256] = calloc(req->n_events ? req->n_events : 1, 256);
    s_set_t dirty = { 0 };
    uint64_t counts[SCHED_INGEST_OUTCOMES] = { 0 };
    int rc = (!results || !ptrs || !reasons) ? ENOMEM : s_set_init(&dirty, req->n_events);
    for (size_t i = 0; i < req->n_events && !rc; i++) {
        const Entretiens__V1__EmployeeEvent *ev = req->events[i];
        Entretiens__V1__EventResult *r = &results[i];
        entretiens__v1__event_result__init(r);
        ptrs[i] = r;
        r->index = (uint32_t) i;
        r->event_id = ev->event_id && sched_text_ok(ev->event_id, 128) ? ev->event_id : "";
        const char *field = NULL, *why = NULL;
        if (!sched_event_valid(ev, &field, &why, reasons[i], sizeof reasons[i])) {
            r->outcome = "rejected";
            r->field = (char *) field;
            r->reason = reasons[i];
            rep.rejected++;
            counts[SCHED_INGEST_REJECTED]++;
            rc = s_deadletter(s, call->txn, call->caller, ev, "rejected", field, why, reasons[i]);
            continue;
        }
        sched_ingest_outcome_t outcome;
        rc = s_apply(s, call->txn, ev, &outcome, &field, reasons[i], sizeof reasons[i]);
        if (rc)
            break;
        counts[outcome]++;
        switch (outcome) {
        case SCHED_INGEST_ACCEPTED:
            r->outcome = "accepted";
            rep.accepted++;
            s_set_add(&dirty, ev->employee_id);
            break;
        case SCHED_INGEST_DUPLICATE:
            r->outcome = "duplicate";
            rep.duplicates++;
            break;
        default:
            /* counted in rejected too: a client that does not know
             * conflicts still sees the event was not applied */
            r->outcome = "conflict";
            r->field = (char *) field;
            r->reason = reasons[i];
            rep.rejected++;
            rep.conflicts++;
            rc = s_deadletter(s, call->txn, call->caller, ev, "conflict", field, "differs from the stored event",
                              reasons[i]);
            break;
        }
    }
    if (!rc)
        rc = s_refresh(s, call->txn, &dirty);
    if (!rc) {
        rep.n_results = req->n_events;
        rep.results = ptrs;
        rc = ent_rpc_ok(call, &rep.base);
    }
    if (!rc)
        for (int o = 0; o < SCHED_INGEST_OUTCOMES; o++)
            s->turn_ingest[o] += counts[o];
    s_set_free(&dirty);
    free(results);
    free(ptrs);
    free(reasons);
    entretiens__v1__ingest_request__free_unpacked(req, alloc);
    if (rc == ENOMEM)
        return ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    return rc;
}

static int s_deadletters(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__DeadLettersRequest *req =
        entretiens__v1__dead_letters_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not a DeadLettersRequest");
    size_t limit = req->limit ? req->limit : 100;
    if (limit > 10000)
        limit = 10000;
    uint64_t after = req->after_id;
    entretiens__v1__dead_letters_request__free_unpacked(req, NULL);
    Entretiens__V1__DeadLettersReply rep = ENTRETIENS__V1__DEAD_LETTERS_REPLY__INIT;
    Entretiens__V1__DeadLetter **items = calloc(limit, sizeof *items);
    if (!items)
        return ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    MDB_stat st;
    mdb_stat(call->txn, s->deadletters, &st);
    rep.total = st.ms_entries;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(call->txn, s->deadletters, &cur);
    if (!rc) {
        uint8_t key[8];
        ent_be64_put(key, after + 1);
        MDB_val k = { 8, key }, v;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && rep.n_letters < limit;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            Entretiens__V1__DeadLetter *dl = entretiens__v1__dead_letter__unpack(NULL, v.mv_size, v.mv_data);
            if (dl)
                items[rep.n_letters++] = dl;
        }
        mdb_cursor_close(cur);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    rep.letters = items;
    if (!rc)
        rc = ent_rpc_ok(call, &rep.base);
    for (size_t i = 0; i < rep.n_letters; i++)
        entretiens__v1__dead_letter__free_unpacked(items[i], NULL);
    free(items);
    return rc;
}

int sched_on_records_event(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    scheduler_t *s = arg;
    if (ent_grants_is_event(ev))
        return ent_grants_apply(txn, s->grants, ev);
    /* an interview held in records counts exactly like an imported
     * interview_held event (idempotent on its interview id) */
    if (strcmp(ev->type, "records.interview.held") != 0)
        return 0;
    Entretiens__V1__InterviewEvent *ie = entretiens__v1__interview_event__unpack(NULL, ev->payload.len, ev->payload.data);
    if (!ie)
        return ENT_EVENT_SKIP;
    Entretiens__V1__EmployeeEvent e = ENTRETIENS__V1__EMPLOYEE_EVENT__INIT;
    e.event_id = ie->interview_id;
    e.source = "records";
    e.type = "interview_held";
    e.employee_id = ie->employee_id;
    e.effective_date = ie->held_on;
    e.interview_type = ie->type;
    const char *field, *why;
    char reason[256];
    int rc = 0;
    if (!sched_event_valid(&e, &field, &why, reason, sizeof reason)) {
        ent_log_warn("records.event_invalid", "records interview %s not usable: %s: %s",
                     ie->interview_id ? ie->interview_id : "", field, why);
        rc = ENT_EVENT_SKIP;
    } else {
        sched_ingest_outcome_t outcome;
        rc = s_apply(s, txn, &e, &outcome, &field, reason, sizeof reason);
        if (!rc && outcome == SCHED_INGEST_CONFLICT)
            /* the same interview held again with another date or type:
             * kept aside like an ingested conflict (the stream goes on) */
            rc = s_deadletter(s, txn, "service:records", &e, "conflict", field, "differs from the stored event",
                              reason);
        if (!rc && outcome == SCHED_INGEST_ACCEPTED) {
            sched_touch(s, e.employee_id);
            rc = sched_history_rebuild(s, txn, e.employee_id);
            if (rc == ENOENT)
                rc = 0;
            else if (!rc)
                rc = sched_recompute(s, txn, e.employee_id, ent_clock_today());
        }
    }
    entretiens__v1__interview_event__free_unpacked(ie, NULL);
    return rc;
}

int sched_ingest_register(scheduler_t *s)
{
    /* ingest: only keys whose allow list names it (an HRIS connector) and
     * operators; the dead letters hold HR data as received: operators */
    if (ent_daemon_method_for(s->d, "scheduler.ingest", ENT_RPC_NAMED, s_ingest, s) ||
        ent_daemon_method_for(s->d, "scheduler.deadletters", ENT_RPC_OPERATOR, s_deadletters, s))
        return -1;
    return 0;
}
