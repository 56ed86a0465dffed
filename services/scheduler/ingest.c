/*  ingest.c — scheduler.ingest (batches of EmployeeEvent, answered after
 *  commit, idempotent on source + event_id), the dead-letter table, and
 *  records' completed interviews (scheduler.h).
 *
 *  An event id seen before is a duplicate when the event is the same as the
 *  stored one, field by field, and a conflict otherwise: the first version is
 *  kept, the second is answered "conflict" with the first differing field and
 *  kept as a dead letter, so that a correction sent under a reused id is never
 *  silently dropped.
 *
 *  Events are judged against the store too (validate.h sched_event_check):
 *  plausible dates, the policy's entities, and a hire before anything else
 *  about an employee.  Such an event whose hire is later in the same batch
 *  is judged again at the end of the batch; a manager nobody hired is a
 *  warning on the accepted event (docs/scheduler.md, "Validation"). */
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

static bool s_set_has(const s_set_t *set, const char *id)
{
    size_t i = s_hash(id) & (set->cap - 1);
    for (; set->slots[i]; i = (i + 1) & (set->cap - 1))
        if (strcmp(set->slots[i], id) == 0)
            return true;
    return false;
}

static void s_set_free(s_set_t *set)
{
    free(set->slots);
    free(set->order);
}

/* What the checks of validate.h look up (sched_refs_t.arg): the policy's
 * entities, and who is hired, remembered for the batch so that an
 * employee's events cost one lookup. */
typedef struct {
    scheduler_t *s;
    MDB_txn *txn;
    s_set_t hired;  /* hires accepted in this batch, and employees found hired in the store */
    int rc;         /* the first LMDB error of a lookup: the batch fails with it */
} s_refs_ctx_t;

static bool s_refs_entity(void *arg, const char *entity)
{
    const scheduler_t *s = ((s_refs_ctx_t *) arg)->s;
    /* a policy that declares no entity knows them all (docs/scheduler.md):
     * a store used without a policy keeps taking any entity */
    if (s->n_entities == 0)
        return true;
    for (size_t i = 0; i < s->n_entities; i++)
        if (strcmp(s->entities[i].id, entity) == 0)
            return true;
    return false;
}

static bool s_refs_hired(void *arg, const char *employee_id)
{
    s_refs_ctx_t *c = arg;
    if (s_set_has(&c->hired, employee_id))
        return true;
    Entretiens__V1__Employee *emp = NULL;
    int rc = sched_employee_get(c->s, c->txn, employee_id, &emp);
    bool hired;
    if (rc == MDB_CORRUPTED) {
        /* the record exists but cannot be read (logged where it is used):
         * refusing every event of that employee would not repair it */
        hired = true;
    } else if (rc == MDB_NOTFOUND || rc == MDB_BAD_VALSIZE) {
        return false;
    } else if (rc) {
        if (!c->rc)
            c->rc = rc;
        return false;
    } else {
        /* a record without a hire is what events before this check left
         * behind: still nobody hired */
        hired = emp->hired_on != NULL;
        entretiens__v1__employee__free_unpacked(emp, NULL);
    }
    if (hired)
        s_set_add(&c->hired, employee_id); /* ids live in the request, as long as the set */
    return hired;
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
    /* the employee as a field, unless the id is the rejected value itself
     * (a rejected value is never logged) */
    bool id_rejected = field && strcmp(field, "employee_id") == 0;
    ent_log_employee_set(!id_rejected && ev->employee_id && sched_text_ok(ev->employee_id, 128) ? ev->employee_id
                                                                                              : NULL);
    if (strcmp(outcome, "conflict") == 0)
        /* the field only: the values (names, e-mails) stay out of the logs */
        ent_log_warn("ingest.conflict",
                     "event %.64s from %.64s conflicts with the event stored under that id: %s differs; "
                     "the stored one is kept, this one is dead letter %llu",
                     eid, src, field, (unsigned long long) id);
    else
        ent_log_warn("ingest.rejected", "event %.64s from %.64s rejected: %s: %s", eid, src, field, why);
    ent_log_employee_set(NULL);
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
    if (!old && rc == MDB_NOTFOUND && seen->mv_size <= SCHED_ID_MAX) {
        /* the history of someone who left long ago was deleted by the
         * retention sweep: the event was applied then, its content is gone
         * on purpose */
        bool purged;
        if ((rc = sched_history_purged(s, txn, employee, &purged)) != 0)
            return rc;
        if (purged) {
            *out = SCHED_INGEST_DUPLICATE;
            return 0;
        }
    }
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
    ent_today_t today;
    ent_clock_today_all(&today);
    for (size_t i = 0; i < dirty->n; i++) {
        sched_touch(s, dirty->order[i]);
        int rc = sched_history_rebuild(s, txn, dirty->order[i]);
        if (rc == ENOENT)
            continue;
        if (!rc)
            rc = sched_recompute(s, txn, dirty->order[i], &today);
        if (rc)
            return rc;
    }
    return 0;
}

/* An accepted event's warnings (validate.h sched_event_warn), collected
 * while the batch is judged and attached to the results at the end. */
typedef struct {
    size_t index;
    sched_warning_t w;
} s_warned_t;

/* Judges and applies a batch (the ingest's contract: each event accepted,
 * duplicate, rejected or in conflict, the refused ones kept as dead
 * letters), in the call's transaction, and answers the IngestReply. */
static int s_ingest_events(scheduler_t *s, ent_rpc_call_t *call, const Entretiens__V1__IngestRequest *req)
{
    size_t n = req->n_events ? req->n_events : 1;
    Entretiens__V1__IngestReply rep = ENTRETIENS__V1__INGEST_REPLY__INIT;
    Entretiens__V1__EventResult *results = calloc(n, sizeof *results);
    Entretiens__V1__EventResult **ptrs = calloc(n, sizeof *ptrs);
    char (*reasons)[256] = calloc(n, 256);
    size_t *deferred = calloc(n, sizeof *deferred);
    bool *accepted = calloc(n, sizeof *accepted);
    size_t ndeferred = 0;
    s_warned_t *warned = NULL;
    size_t nwarned = 0;
    Entretiens__V1__EventWarning *wmsgs = NULL, **wptrs = NULL;
    s_set_t dirty = { 0 };
    s_refs_ctx_t rx = { .s = s, .txn = call->txn };
    /* the plausible range of dates is years wide: the process' date */
    sched_refs_t refs = { .today = ent_clock_today(), .entity_known = s_refs_entity, .hired = s_refs_hired, .arg = &rx };
    uint64_t counts[SCHED_INGEST_OUTCOMES] = { 0 };
    int rc = (!results || !ptrs || !reasons || !deferred || !accepted) ? ENOMEM : s_set_init(&dirty, req->n_events);
    /* every event names an employee and may name a manager */
    if (!rc)
        rc = s_set_init(&rx.hired, 2 * req->n_events);
    for (size_t i = 0; i < req->n_events && !rc; i++) {
        entretiens__v1__event_result__init(&results[i]);
        ptrs[i] = &results[i];
        results[i].index = (uint32_t) i;
        results[i].event_id =
            req->events[i]->event_id && sched_text_ok(req->events[i]->event_id, 128) ? req->events[i]->event_id : "";
    }
    /* two passes: an event about someone not hired yet waits for the end of
     * the batch, where a hire sent after it in the same batch is known (HR
     * systems do not sort their exports); the second pass rejects it if the
     * hire still is not there */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        size_t todo = pass == 0 ? req->n_events : ndeferred;
        for (size_t j = 0; j < todo && !rc; j++) {
            size_t i = pass == 0 ? j : deferred[j];
            const Entretiens__V1__EmployeeEvent *ev = req->events[i];
            Entretiens__V1__EventResult *r = &results[i];
            const char *field = NULL, *why = NULL;
            sched_check_t check = sched_event_check(ev, &refs, &field, &why, reasons[i], sizeof reasons[i]);
            if (rx.rc) {
                rc = rx.rc;
                break;
            }
            if (check == SCHED_CHECK_NOT_HIRED && pass == 0) {
                deferred[ndeferred++] = i;
                continue;
            }
            if (check != SCHED_CHECK_OK) {
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
                accepted[i] = true;
                s_set_add(&dirty, ev->employee_id);
                if (sched_event_kind(ev->type) == SCH_FACT_HIRED)
                    s_set_add(&rx.hired, ev->employee_id);
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
    }
    /* managers, once every hire of the batch is known: a warning each, the
     * event stays accepted (a manager's hire may come in a later batch) */
    for (size_t i = 0; i < req->n_events && !rc; i++) {
        sched_warning_t w;
        if (!accepted[i] || !sched_event_warn(req->events[i], &refs, &w)) {
            rc = rx.rc;
            continue;
        }
        if (nwarned % 64 == 0) {
            s_warned_t *grown = realloc(warned, (nwarned + 64) * sizeof *grown);
            if (!grown) {
                rc = ENOMEM;
                break;
            }
            warned = grown;
        }
        warned[nwarned].index = i;
        warned[nwarned++].w = w;
        const Entretiens__V1__EmployeeEvent *ev = req->events[i];
        /* the field and the fixed sentence only, as for rejections */
        ent_log_employee_set(ev->employee_id && sched_text_ok(ev->employee_id, 128) ? ev->employee_id : NULL);
        ent_log_info("ingest.warning", "event %.64s from %.64s accepted with a warning: %s: %s",
                     ev->event_id && sched_text_ok(ev->event_id, 128) ? ev->event_id : "-",
                     ev->source && sched_text_ok(ev->source, 64) ? ev->source : "-", w.field, w.why);
        ent_log_employee_set(NULL);
    }
    if (!rc && nwarned) {
        wmsgs = calloc(nwarned, sizeof *wmsgs);
        wptrs = calloc(nwarned, sizeof *wptrs);
        if (!wmsgs || !wptrs)
            rc = ENOMEM;
        for (size_t k = 0; k < nwarned && !rc; k++) {
            entretiens__v1__event_warning__init(&wmsgs[k]);
            wmsgs[k].field = (char *) warned[k].w.field;
            wmsgs[k].reason = warned[k].w.reason;
            wptrs[k] = &wmsgs[k];
            /* one warning per event at most: sched_event_warn has one */
            results[warned[k].index].n_warnings = 1;
            results[warned[k].index].warnings = &wptrs[k];
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
        sched_metrics_ingest(s, call->caller, counts);
    s_set_free(&dirty);
    s_set_free(&rx.hired);
    free(results);
    free(ptrs);
    free(reasons);
    free(deferred);
    free(accepted);
    free(warned);
    free(wmsgs);
    free(wptrs);
    if (rc == ENOMEM)
        return ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    return rc;
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
        if (alloc != &arena)
            entretiens__v1__ingest_request__free_unpacked(req, alloc);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "events", "%zu events in one batch; at most %d", n, MAX_BATCH);
    }
    int rc = s_ingest_events(s, call, req);
    /* unpacked into the arena, the request is freed by the arena's next
     * reset: walking its thousands of fields to free nothing was a few
     * percent of the ingest's time */
    if (alloc != &arena)
        entretiens__v1__ingest_request__free_unpacked(req, alloc);
    return rc;
}

static int s_deadletters(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__DeadLettersRequest *req = ent_rpc_unpack(call, &entretiens__v1__dead_letters_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
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

static int s_deadletter_resubmit(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__DeadLetterResubmit *q = ent_rpc_unpack(call, &entretiens__v1__dead_letter_resubmit__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    uint64_t id = q->id;
    entretiens__v1__dead_letter_resubmit__free_unpacked(q, NULL);
    uint8_t key[8];
    ent_be64_put(key, id);
    MDB_val k = { 8, key }, v;
    int rc = mdb_get(call->txn, s->deadletters, &k, &v);
    if (rc == MDB_NOTFOUND)
        return ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no dead letter %llu (resubmitted or expired already?)",
                            (unsigned long long) id);
    if (rc)
        return rc;
    Entretiens__V1__DeadLetter *dl = entretiens__v1__dead_letter__unpack(NULL, v.mv_size, v.mv_data);
    if (!dl || !dl->event) {
        if (dl)
            entretiens__v1__dead_letter__free_unpacked(dl, NULL);
        return ent_rpc_fail(call, ENTRETIENS__V1__CODE__DATA_LOSS, "id", "dead letter %llu cannot be read",
                            (unsigned long long) id);
    }
    /* out first: refused again, the ingest keeps a new letter with today's reason */
    rc = mdb_del(call->txn, s->deadletters, &k, NULL);
    if (!rc) {
        Entretiens__V1__EmployeeEvent *events[1] = { dl->event };
        Entretiens__V1__IngestRequest req = ENTRETIENS__V1__INGEST_REQUEST__INIT;
        req.n_events = 1;
        req.events = events;
        rc = s_ingest_events(s, call, &req);
    }
    if (!rc && call->code == ENT_OK)
        ent_log_info("deadletter.resubmitted", "dead letter %llu (event %.64s from %.64s) resubmitted",
                     (unsigned long long) id, dl->event->event_id && sched_text_ok(dl->event->event_id, 128) ? dl->event->event_id : "-",
                     dl->event->source && sched_text_ok(dl->event->source, 64) ? dl->event->source : "-");
    entretiens__v1__dead_letter__free_unpacked(dl, NULL);
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
    bool purged = false;
    int rc = e.employee_id && *e.employee_id && strlen(e.employee_id) <= SCHED_ID_MAX
                 ? sched_history_purged(s, txn, e.employee_id, &purged)
                 : 0;
    if (rc || purged) {
        /* her history was deleted by the retention sweep and her
         * obligations are frozen: a late interview does not start a new one */
        if (purged) {
            ent_log_employee_set(e.employee_id);
            ent_log_warn("records.event_after_retention", "interview %s held after the retention deleted the "
                                                          "employee's history: not applied",
                         ie->interview_id ? ie->interview_id : "");
            ent_log_employee_set(NULL);
        }
    } else if (!sched_event_valid(&e, &field, &why, reason, sizeof reason)) {
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
            else if (!rc) {
                ent_today_t today;
                ent_clock_today_all(&today);
                rc = sched_recompute(s, txn, e.employee_id, &today);
            }
        }
    }
    entretiens__v1__interview_event__free_unpacked(ie, NULL);
    return rc;
}

int sched_ingest_register(scheduler_t *s)
{
    /* ingest: only keys whose allow list names it (an HRIS connector) and
     * operators; the dead letters hold HR data as received: operators, and
     * the gateway for a signed-in administrator (ENT_RPC_ADMINS) */
    if (ent_daemon_method_for(s->d, "scheduler.ingest", ENT_RPC_NAMED, s_ingest, s) ||
        ent_daemon_method_for(s->d, "scheduler.deadletters", ENT_RPC_ADMINS, s_deadletters, s) ||
        ent_daemon_method_for(s->d, "scheduler.deadletters.resubmit", ENT_RPC_ADMINS, s_deadletter_resubmit, s))
        return -1;
    return 0;
}
