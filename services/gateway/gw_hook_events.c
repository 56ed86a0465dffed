/*  gw_hook_events.c — the domain events the webhooks carry: the gateway
 *  consumes the scheduler's and records' durable event streams
 *  (common/subscriber.h) and, in the SAME write transaction as the
 *  consumer's cursor, queues one delivery per matching subscription
 *  (database "wh_pending").  A crash before the commit replays the event
 *  (nothing queued twice, nothing lost); after it, the queue holds it until
 *  the delivery thread (gw_hook_deliver.c) got a 2xx or gave up.
 *
 *  The body of each delivery is fixed here, once: every attempt sends the
 *  same bytes under the same event id.  It carries identifiers and states,
 *  never an interview's content (answers, ratings, objectives, reasons).
 *  Records' grant events keep the gateway's copy of the HR grants
 *  (common/grants.h): an HR subscription receives only the events of the
 *  entities its creator is granted at the time the event is consumed.
 */
#include "gateway.h"

#include "common/grants.h"
#include "common/log.h"
#include "gw_hooks.h"
#include "gw_pbjson.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { P_OBLIGATION = 0, P_INTERVIEW } s_payload_t;

typedef struct {
    const char *source;        /* the producer's event type */
    const char *kind;          /* what subscribers name */
    s_payload_t payload;
} s_kind_t;

static const s_kind_t S_KINDS[] = {
    { "scheduler.interview.due", "obligation.due", P_OBLIGATION },
    { "scheduler.interview.overdue", "obligation.overdue", P_OBLIGATION },
    { "scheduler.interview.met", "obligation.met", P_OBLIGATION },
    { "scheduler.interview.cancelled", "obligation.cancelled", P_OBLIGATION },
    { "records.interview.created", "interview.created", P_INTERVIEW },
    { "records.interview.scheduled", "interview.scheduled", P_INTERVIEW },
    { "records.interview.held", "interview.held", P_INTERVIEW },
    { "records.interview.signed", "interview.signed", P_INTERVIEW },
    { "records.interview.closed", "interview.closed", P_INTERVIEW },
    { "records.interview.cancelled", "interview.cancelled", P_INTERVIEW },
    { "records.interview.reopened", "interview.reopened", P_INTERVIEW },
    { "records.interview.reassigned", "interview.reassigned", P_INTERVIEW },
    { "records.interview.due_moved", "interview.due_moved", P_INTERVIEW },
    { "records.interview.stepped_back", "interview.stepped_back", P_INTERVIEW },
    { "records.interview.purged", "interview.purged", P_INTERVIEW },
};
#define N_KINDS (sizeof S_KINDS / sizeof S_KINDS[0])

/* What leaves the gateway of each payload: identifiers, dates, states. */
static const char *const S_OBLIGATION_FIELDS[] = { "obligation_id", "employee_id", "type", "due_date", "window_start",
                                                   "status", "rule", "anchor", "met_on", "penalty_eur", "manager_id",
                                                   "entity", "department", "site", NULL };
static const char *const S_INTERVIEW_FIELDS[] = { "interview_id", "obligation_id", "employee_id", "type", "status",
                                                  "due_date", "held_on", "scheduled_start_ms", "duration_min",
                                                  "manager_id", "entity", "department", "site", "template_id",
                                                  "reopen_count", "at_ms", "reason_given", NULL };

bool gw_hook_kind_known(const char *kind)
{
    for (size_t i = 0; kind && i < N_KINDS; i++)
        if (strcmp(S_KINDS[i].kind, kind) == 0)
            return true;
    return false;
}

const char *gw_hook_kind_list(void)
{
    return "obligation.due obligation.overdue obligation.met obligation.cancelled interview.created "
           "interview.scheduled interview.held interview.signed interview.closed interview.cancelled "
           "interview.reopened interview.reassigned interview.due_moved interview.stepped_back interview.purged";
}

static const s_kind_t *s_kind_of(const char *source)
{
    for (size_t i = 0; source && i < N_KINDS; i++)
        if (strcmp(S_KINDS[i].source, source) == 0)
            return &S_KINDS[i];
    return NULL;
}

/* The payload's JSON, kept to the listed fields; entity gets the entity
 * (for the HR scope check), pointing into the returned object. */
static json_t *s_data(const s_kind_t *k, const Entretiens__V1__EventEnvelope *ev, const char **entity)
{
    ProtobufCMessage *m = NULL;
    const ProtobufCMessage *shown = NULL;
    const char *const *fields;
    if (k->payload == P_OBLIGATION) {
        Entretiens__V1__ObligationEvent *oe =
            entretiens__v1__obligation_event__unpack(NULL, ev->payload.len, ev->payload.data);
        m = oe ? &oe->base : NULL;
        shown = oe && oe->obligation ? &oe->obligation->base : NULL;
        fields = S_OBLIGATION_FIELDS;
    } else {
        Entretiens__V1__InterviewEvent *ie =
            entretiens__v1__interview_event__unpack(NULL, ev->payload.len, ev->payload.data);
        m = ie ? &ie->base : NULL;
        shown = m;
        fields = S_INTERVIEW_FIELDS;
    }
    if (!m || !shown) {
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
        return NULL;
    }
    json_t *all = gw_pbjson_from_message(shown);
    protobuf_c_message_free_unpacked(m, NULL);
    json_t *data = json_object();
    if (!all || !data) {
        json_decref(all);
        json_decref(data);
        return NULL;
    }
    for (size_t i = 0; fields[i]; i++) {
        json_t *v = json_object_get(all, fields[i]);
        if (v)
            json_object_set(data, fields[i], v);
    }
    json_decref(all);
    *entity = json_string_value(json_object_get(data, "entity"));
    return data;
}

/* True when the subscription's creator may receive an event about entity:
 * an administrator every event, HR those of its granted entities (the
 * grant as it is now), anyone else nothing (deny by default). */
static int s_may_receive(gw_t *gw, MDB_txn *txn, const Entretiens__V1__Webhook *w, const char *entity, bool *yes)
{
    ent_principal_t p;
    *yes = false;
    if (ent_principal_parse(w->created_by, &p, NULL) != 0)
        return 0;
    if (p.role == ENT_ROLE_ADMIN) {
        *yes = true;
        return 0;
    }
    if (p.role != ENT_ROLE_HR)
        return 0;
    ent_grant_scope_t sc = { 0 };
    int rc = ent_grants_scope(txn, gw->st.grants, w->created_by, &sc);
    if (rc == 0)
        *yes = sc.scope.granted && ent_scope_covers(&sc.scope, entity);
    ent_grants_scope_free(&sc);
    return rc == MDB_CORRUPTED ? 0 : rc;
}

static bool s_wants(const Entretiens__V1__Webhook *w, const char *kind)
{
    for (size_t i = 0; i < w->n_kinds; i++)
        if (strcmp(w->kinds[i], kind) == 0)
            return true;
    return false;
}

/* One event of either producer, in the consumer's turn. */
static int s_apply(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    gw_t *gw = arg;
    if (ent_grants_is_event(ev))
        return ent_grants_apply(txn, gw->st.grants, ev);
    const s_kind_t *k = s_kind_of(ev->type);
    if (!k)
        return 0; /* not a domain event the webhooks carry */
    Entretiens__V1__Webhook **subs = NULL;
    size_t n = 0;
    int rc = gw_webhook_list(txn, &gw->st, &subs, &n);
    if (rc || n == 0)
        return rc;
    const char *entity = NULL;
    char event_id[96];
    snprintf(event_id, sizeof event_id, "%s-%020llu", ev->producer, (unsigned long long) ev->seq);
    json_t *data = s_data(k, ev, &entity);
    char *body = NULL;
    if (data) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:o}", "id", event_id, "type", k->kind, "source", ev->type,
                              "occurred_at_ms", (json_int_t) ev->occurred_at_ms, "data", json_incref(data));
        body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
    }
    if (!body) {
        json_decref(data);
        gw_webhook_list_free(subs, n);
        ent_log_warn("webhook.event_unreadable", "%s event %llu (%s) has an unreadable payload: not delivered",
                     ev->producer, (unsigned long long) ev->seq, ev->type);
        return data ? ENOMEM : ENT_EVENT_SKIP;
    }
    int64_t now = gw_now_ms();
    for (size_t i = 0; i < n && !rc; i++) {
        bool yes = false;
        if (!s_wants(subs[i], k->kind) || (rc = s_may_receive(gw, txn, subs[i], entity, &yes)) != 0 || !yes)
            continue;
        Entretiens__V1__WebhookDelivery d = ENTRETIENS__V1__WEBHOOK_DELIVERY__INIT;
        d.webhook_id = subs[i]->id;
        d.event_id = event_id;
        d.kind = (char *) k->kind;
        d.body.data = (uint8_t *) body;
        d.body.len = strlen(body);
        d.next_attempt_ms = now;
        d.enqueued_ms = now;
        rc = gw_delivery_put(txn, &gw->st, gw->st.wh_pending, &d);
        if (!rc) {
            gw->hook_turn_enqueued = true;
            gw_count(gw, GW_C_HOOK_ENQUEUED);
        }
    }
    free(body);
    json_decref(data);
    gw_webhook_list_free(subs, n);
    return rc;
}

/* A producer's events are wanted while a subscription names one of the
 * kinds of its payload: otherwise applying them queues nothing, and the
 * gateway need not receive them (subscriber.h ent_subscriber_set_wanted),
 * except records' grant events (S_GRANT_TYPES), which keep the HR scopes:
 * those come by filtered replay. */
static int s_wanted(gw_t *gw, MDB_txn *txn, s_payload_t payload, bool *wanted)
{
    Entretiens__V1__Webhook **subs = NULL;
    size_t n = 0;
    *wanted = true;
    int rc = gw_webhook_list(txn, &gw->st, &subs, &n);
    if (rc)
        return rc;
    *wanted = false;
    for (size_t i = 0; i < n && !*wanted; i++)
        for (size_t j = 0; j < N_KINDS && !*wanted; j++)
            *wanted = S_KINDS[j].payload == payload && s_wants(subs[i], S_KINDS[j].kind);
    gw_webhook_list_free(subs, n);
    return 0;
}

static int s_scheduler_wanted(MDB_txn *txn, void *arg, bool *wanted)
{
    return s_wanted(arg, txn, P_OBLIGATION, wanted);
}

static int s_records_wanted(MDB_txn *txn, void *arg, bool *wanted)
{
    return s_wanted(arg, txn, P_INTERVIEW, wanted);
}

static char *const S_GRANT_TYPES[] = { ENT_GRANT_EVENT_GRANTED, ENT_GRANT_EVENT_REVOKED, NULL };

static void s_reset(void *arg)
{
    ((gw_t *) arg)->hook_turn_enqueued = false;
}

static void s_flush(void *arg, bool committed)
{
    gw_t *gw = arg;
    if (committed && gw->hook_turn_enqueued)
        gw_hooks_kick(gw);
    gw->hook_turn_enqueued = false;
}

int gw_hooks_setup(gw_t *gw)
{
    pthread_mutex_init(&gw->hook_mu, NULL);
    pthread_cond_init(&gw->hook_cv, NULL);
    if (ent_daemon_on_event(gw->d, "scheduler", s_apply, gw) != 0 ||
        ent_daemon_events_wanted(gw->d, "scheduler", s_scheduler_wanted, gw, NULL) != 0 ||
        ent_daemon_on_event(gw->d, "records", s_apply, gw) != 0 ||
        ent_daemon_events_wanted(gw->d, "records", s_records_wanted, gw, S_GRANT_TYPES) != 0 ||
        ent_daemon_participant(gw->d, s_reset, s_flush, gw) != 0) {
        ent_log_error("webhook.setup", "the gateway cannot consume the daemons' events");
        return -1;
    }
    return 0;
}
