/*  msg_json.c — the JSON forms of the daemons' messages as entretiensctl
 *  prints them (--json, docs/cli.md) and the subject export writes them
 *  (common/subject_export.h): one copy, so that the employee's copy over
 *  the API and the CLI's are the same bytes.
 */
#include "msg_json.h"

#include "event_json.h"

#include <stdio.h>

json_t *ent_msgjson_time(int64_t ms)
{
    char buf[48];
    return ms > 0 ? ent_json_str(ent_time_str(ms, buf, sizeof buf)) : json_null();
}

/* A JSON text from records (answers) as a JSON value (null when empty). */
json_t *ent_msgjson_text(const char *text)
{
    if (!text || !*text)
        return json_null();
    json_t *j = json_loads(text, 0, NULL);
    return j ? j : ent_json_str(text);
}

static json_t *s_objective_json(const Entretiens__V1__Objective *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "title", ent_json_str(o->title));
    json_object_set_new(j, "measure", ent_json_str(o->measure));
    json_object_set_new(j, "due_date", ent_json_pbdate(o->due_date));
    json_object_set_new(j, "weight", json_integer(o->weight));
    json_object_set_new(j, "attainment", o->attainment >= 0 ? json_integer(o->attainment) : json_null());
    return j;
}

static json_t *s_action_json(const Entretiens__V1__ActionItem *a)
{
    json_t *j = json_object();
    json_object_set_new(j, "title", ent_json_str(a->title));
    json_object_set_new(j, "owner", ent_json_str(a->owner));
    json_object_set_new(j, "due_date", ent_json_pbdate(a->due_date));
    return j;
}

static json_t *s_signature_json(const Entretiens__V1__Signature *s)
{
    if (!s)
        return json_null();
    json_t *j = json_object();
    json_object_set_new(j, "by", ent_json_str(s->by));
    json_object_set_new(j, "at", ent_msgjson_time(s->at_ms));
    json_object_set_new(j, "digest", ent_json_str(s->digest));
    json_object_set_new(j, "comment", s->comment && *s->comment ? ent_json_str(s->comment) : json_null());
    return j;
}

static json_t *s_interview_json(const Entretiens__V1__Interview *iv)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", ent_json_str(iv->id));
    json_object_set_new(j, "type", ent_json_str(iv->type));
    json_object_set_new(j, "status", ent_json_str(iv->status));
    json_object_set_new(j, "employee_id", ent_json_str(iv->employee_id));
    json_object_set_new(j, "first_name", ent_json_str(iv->first_name));
    json_object_set_new(j, "last_name", ent_json_str(iv->last_name));
    json_object_set_new(j, "manager_id", ent_json_str(iv->manager_id));
    json_object_set_new(j, "obligation_id", iv->obligation_id && *iv->obligation_id ? ent_json_str(iv->obligation_id) : json_null());
    json_object_set_new(j, "due_date", ent_json_pbdate(iv->due_date));
    json_object_set_new(j, "entity", ent_json_str(iv->entity));
    json_object_set_new(j, "department", ent_json_str(iv->department));
    json_object_set_new(j, "site", ent_json_str(iv->site));
    json_object_set_new(j, "locale", ent_json_str(iv->locale));
    json_object_set_new(j, "title", iv->title && *iv->title ? ent_json_str(iv->title) : json_null());
    json_object_set_new(j, "template", json_pack("{s:o s:i}", "id", ent_json_str(iv->template_id), "version", (int) iv->template_version));
    json_object_set_new(j, "created_at", ent_msgjson_time(iv->created_at_ms));
    json_object_set_new(j, "created_by", ent_json_str(iv->created_by));
    json_object_set_new(j, "updated_at", ent_msgjson_time(iv->updated_at_ms));
    if (iv->scheduled_start_ms > 0) {
        json_t *s = json_object();
        json_object_set_new(s, "start", ent_msgjson_time(iv->scheduled_start_ms));
        json_object_set_new(s, "duration_min", json_integer(iv->duration_min));
        json_object_set_new(s, "place", iv->place && *iv->place ? ent_json_str(iv->place) : json_null());
        json_object_set_new(s, "video_link", iv->video_link && *iv->video_link ? ent_json_str(iv->video_link) : json_null());
        json_object_set_new(j, "schedule", s);
    } else {
        json_object_set_new(j, "schedule", json_null());
    }
    json_object_set_new(j, "held_on", ent_json_pbdate(iv->held_on));
    json_object_set_new(j, "employee_shared", json_boolean(iv->employee_shared));
    json_object_set_new(j, "manager_shared", json_boolean(iv->manager_shared));
    json_object_set_new(j, "signatures", json_pack("{s:o s:o}", "employee", s_signature_json(iv->employee_signature),
                                                   "manager", s_signature_json(iv->manager_signature)));
    json_object_set_new(j, "closed_at", ent_msgjson_time(iv->closed_at_ms));
    json_object_set_new(j, "reopen_count", json_integer(iv->reopen_count));
    json_object_set_new(j, "reason", iv->reason && *iv->reason ? ent_json_str(iv->reason) : json_null());
    json_object_set_new(j, "reassigned", json_boolean(iv->reassigned));
    json_t *obj = json_array(), *act = json_array();
    for (size_t i = 0; i < iv->n_carried_objectives; i++)
        json_array_append_new(obj, s_objective_json(iv->carried_objectives[i]));
    for (size_t i = 0; i < iv->n_carried_action_items; i++)
        json_array_append_new(act, s_action_json(iv->carried_action_items[i]));
    json_object_set_new(j, "carried", json_pack("{s:o s:o s:o}", "from",
                                                iv->carried_from && *iv->carried_from ? ent_json_str(iv->carried_from) : json_null(),
                                                "objectives", obj, "action_items", act));
    json_object_set_new(j, "purged", json_boolean(iv->purged));
    json_object_set_new(j, "purged_at", ent_msgjson_time(iv->purged_at_ms));
    return j;
}

json_t *ent_msgjson_interview_view(const Entretiens__V1__InterviewView *v)
{
    json_t *j = s_interview_json(v->interview);
    json_object_set_new(j, "answers", json_pack("{s:o s:o}", "employee", ent_msgjson_text(v->employee_answers), "manager",
                                                ent_msgjson_text(v->manager_answers)));
    json_object_set_new(j, "manager_notes", v->manager_notes && *v->manager_notes ? ent_json_str(v->manager_notes) : json_null());
    json_t *w = json_array();
    for (size_t i = 0; i < v->n_withheld; i++)
        json_array_append_new(w, ent_json_str(v->withheld[i]));
    json_object_set_new(j, "withheld", w);
    json_object_set_new(j, "relation", ent_json_str(v->relation));
    json_object_set_new(j, "report_digest", v->report_digest && *v->report_digest ? ent_json_str(v->report_digest) : json_null());
    /* added after the documented keys, as the contract wants */
    json_object_set_new(j, "window_start", v->interview && v->interview->window_start ? ent_json_pbdate(v->interview->window_start) : json_null());
    /* the deadline set by hand (records.interview.move_due) and the law's */
    json_object_set_new(j, "due_moved", json_boolean(v->interview && v->interview->due_moved));
    json_object_set_new(j, "legal_due_date", v->interview && v->interview->legal_due_date ? ent_json_pbdate(v->interview->legal_due_date) : json_null());
    json_t *warn = json_array();
    for (size_t i = 0; i < v->n_warnings; i++)
        json_array_append_new(warn, ent_json_str(v->warnings[i]));
    json_object_set_new(j, "warnings", warn);
    return j;
}

json_t *ent_msgjson_reads(const Entretiens__V1__InterviewReadsReply *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n_reads; i++) {
        const Entretiens__V1__InterviewRead *rd = l->reads[i];
        char tm[48];
        json_t *w = json_array();
        for (size_t k = 0; k < rd->n_what; k++)
            json_array_append_new(w, ent_json_str(rd->what[k]));
        json_array_append_new(a, json_pack("{s:o, s:o, s:o}", "principal", ent_json_str(rd->principal), "at",
                                           ent_json_str(rd->at_ms > 0 ? ent_time_str(rd->at_ms, tm, sizeof tm) : ""), "what", w));
    }
    return a;
}

json_t *ent_msgjson_obligation(const Entretiens__V1__Obligation *o, bool with_employee)
{
    json_t *j = json_object();
    json_object_set_new(j, "obligation_id", ent_json_str(o->obligation_id));
    json_object_set_new(j, "type", ent_json_str(o->type));
    json_object_set_new(j, "due_date", ent_json_pbdate(o->due_date));
    json_object_set_new(j, "window_start", ent_json_pbdate(o->window_start));
    json_object_set_new(j, "status", ent_json_str(o->status));
    json_object_set_new(j, "rule", ent_json_str(o->rule));
    json_object_set_new(j, "basis", ent_json_str(o->basis));
    json_object_set_new(j, "reason", ent_json_str(o->reason));
    if (o->penalty_eur > 0)
        json_object_set_new(j, "penalty_eur", json_integer(o->penalty_eur));
    if (o->penalty_if_inspected_eur > 0)
        json_object_set_new(j, "penalty_if_inspected_eur", json_integer(o->penalty_if_inspected_eur));
    json_object_set_new(j, "actionable", json_boolean(o->actionable));
    json_object_set_new(j, "anchor", ent_json_pbdate(o->anchor));
    if (o->met_on)
        json_object_set_new(j, "met_on", ent_json_pbdate(o->met_on));
    if (with_employee) {
        json_object_set_new(j, "employee_id", ent_json_str(o->employee_id));
        json_object_set_new(j, "manager_id", ent_json_str(o->manager_id));
        json_object_set_new(j, "entity", ent_json_str(o->entity));
        json_object_set_new(j, "department", ent_json_str(o->department));
        json_object_set_new(j, "site", ent_json_str(o->site));
        json_object_set_new(j, "first_name", ent_json_str(o->first_name));
        json_object_set_new(j, "last_name", ent_json_str(o->last_name));
        /* added after the documented keys, as the contract wants */
        json_object_set_new(j, "manager_first_name", ent_json_str(o->manager_first_name));
        json_object_set_new(j, "manager_last_name", ent_json_str(o->manager_last_name));
    }
    return j;
}

json_t *ent_msgjson_employee(const Entretiens__V1__Employee *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "employee_id", ent_json_str(e->employee_id));
    json_object_set_new(j, "entity", ent_json_str(e->entity));
    json_object_set_new(j, "department", ent_json_str(e->department));
    json_object_set_new(j, "site", ent_json_str(e->site));
    json_object_set_new(j, "region", ent_json_str(e->region));
    json_object_set_new(j, "manager_id", ent_json_str(e->manager_id));
    json_object_set_new(j, "email", ent_json_str(e->email));
    json_object_set_new(j, "locale", ent_json_str(e->locale));
    json_object_set_new(j, "birth_date", ent_json_pbdate(e->birth_date));
    json_object_set_new(j, "category", ent_json_str(e->category));
    json_object_set_new(j, "contract", ent_json_str(e->contract));
    json_object_set_new(j, "contract_end", ent_json_pbdate(e->contract_end));
    json_object_set_new(j, "trial_months", json_integer(e->trial_months));
    json_object_set_new(j, "trial_days", json_integer(e->trial_days));
    json_object_set_new(j, "trial_renewable", json_boolean(e->trial_renewable));
    json_object_set_new(j, "forfait_jours", json_boolean(e->forfait_jours));
    json_object_set_new(j, "first_name", ent_json_str(e->first_name));
    json_object_set_new(j, "last_name", ent_json_str(e->last_name));
    json_object_set_new(j, "position", ent_json_str(e->position));
    json_object_set_new(j, "hired_on", ent_json_pbdate(e->hired_on));
    json_object_set_new(j, "left_on", ent_json_pbdate(e->left_on));
    json_object_set_new(j, "trial_end", ent_json_pbdate(e->trial_end));
    json_object_set_new(j, "employed", json_boolean(e->employed));
    return j;
}

json_t *ent_msgjson_notification(const Entretiens__V1__Notification *n)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", ent_json_str(n->id));
    json_object_set_new(o, "status", ent_json_str(n->status));
    json_object_set_new(o, "kind", ent_json_str(n->kind));
    json_object_set_new(o, "step", ent_json_str(n->step));
    json_object_set_new(o, "role", ent_json_str(n->role));
    json_object_set_new(o, "recipient_id", ent_json_str(n->recipient_id));
    json_object_set_new(o, "employee_id", ent_json_str(n->employee_id));
    json_object_set_new(o, "interview_type", ent_json_str(n->interview_type));
    json_object_set_new(o, "due_date", ent_json_pbdate(n->due_date));
    json_object_set_new(o, "fire_at", ent_msgjson_time(n->fire_at_ms));
    json_object_set_new(o, "fire_at_ms", json_integer(n->fire_at_ms));
    json_object_set_new(o, "late", json_boolean(n->late));
    json_object_set_new(o, "message_id", ent_json_str(n->message_id));
    json_object_set_new(o, "subject", ent_json_str(n->subject));
    json_object_set_new(o, "obligation_id", ent_json_str(n->obligation_id));
    json_object_set_new(o, "interview_id", ent_json_str(n->interview_id));
    json_object_set_new(o, "dispatched_at", ent_msgjson_time(n->dispatched_at_ms));
    json_object_set_new(o, "dispatched_at_ms", json_integer(n->dispatched_at_ms));
    json_object_set_new(o, "sent_at", ent_msgjson_time(n->sent_at_ms));
    json_object_set_new(o, "attempts", json_integer(n->attempts));
    json_object_set_new(o, "last_error", ent_json_str(n->last_error));
    json_object_set_new(o, "address", ent_json_str(n->address));
    json_object_set_new(o, "locale", ent_json_str(n->locale));
    json_t *dl = json_array();
    for (size_t i = 0; i < n->n_deliveries; i++) {
        const Entretiens__V1__Delivery *d = n->deliveries[i];
        json_t *j = json_object();
        json_object_set_new(j, "channel", ent_json_str(d->channel));
        json_object_set_new(j, "status", ent_json_str(d->status));
        json_object_set_new(j, "attempts", json_integer(d->attempts));
        json_object_set_new(j, "last_error", ent_json_str(d->last_error));
        json_object_set_new(j, "next_try", ent_msgjson_time(d->next_try_ms));
        json_array_append_new(dl, j);
    }
    json_object_set_new(o, "deliveries", dl);
    json_object_set_new(o, "digest_id", n->digest_id && *n->digest_id ? ent_json_str(n->digest_id) : json_null());
    json_t *items = json_array();
    for (size_t i = 0; i < n->n_items; i++)
        json_array_append_new(items, ent_json_str(n->items[i]));
    json_object_set_new(o, "items", items);
    return o;
}

