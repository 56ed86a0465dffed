/*  iv_events.c — the events records publishes for a change of an
 *  interview (records.interview.*), built from the change and, for a
 *  closed interview, from the answers its template names (records.h).
 *  Appended to the outbox by rec_commit (store.c), in the change's
 *  transaction.
 */
#include "records.h"
#include "rec_pack.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- events */

int rec_event_publish(records_t *r, MDB_txn *txn, const rec_change_t *ch, uint32_t iseq)
{
    const rec_iv_t *iv = ch->after;
    Entretiens__V1__InterviewEvent ev = ENTRETIENS__V1__INTERVIEW_EVENT__INIT;
    ev.interview_id = iv->id;
    ev.obligation_id = iv->obligation_id;
    ev.employee_id = iv->employee_id;
    ev.type = iv->type;
    ev.held_on = iv->held_on;
    ev.due_date = iv->due_date;
    ev.manager_id = iv->manager_id;
    ev.entity = iv->entity;
    ev.department = iv->department;
    ev.status = iv->status;
    ev.site = iv->site;
    ev.scheduled_start_ms = iv->scheduled_start_ms;
    ev.duration_min = iv->duration_min;
    ev.place = iv->place;
    ev.video_link = iv->video_link;
    ev.template_id = iv->template_id;
    ev.template_version = iv->template_version;
    ev.locale = iv->locale;
    ev.actor = (char *) rec_str(ch->actor);
    ev.at_ms = iv->updated_at_ms;
    ev.reopen_count = iv->reopen_count;
    /* the reason's text stays in records (sealed in the audit trail): events
     * are fanned out to other systems and webhooks (docs/protocol.md) */
    ev.reason_given = ch->reason && *ch->reason;
    ev.signed_by_employee = iv->employee_signature != NULL;
    ev.signed_by_manager = iv->manager_signature != NULL;
    ev.previous_manager_id = (char *) rec_str(ch->previous_manager);
    rec_extract_t x = { 0 };
    int rc = 0;
    if (strcmp(ch->event, "records.interview.closed") == 0) {
        /* what was signed: the report's visible answers */
        rec_content_t *c = NULL;
        const rec_content_t *cc = ch->content;
        if (!cc && (rc = rec_content_get(r, txn, iv->id, &c)) != 0)
            return rc;
        if (!cc)
            cc = c;
        json_t *tmpl = NULL;
        rc = rec_template_doc(r, txn, iv->template_id, iv->template_version, &tmpl);
        if (rc == MDB_NOTFOUND || rc == MDB_CORRUPTED)
            rc = 0; /* no template, or one that cannot be read (logged): the event carries no answers */
        if (tmpl) {
            json_t *ma = cc->manager_answers && *cc->manager_answers ? json_loads(cc->manager_answers, 0, NULL) : NULL;
            json_t *ea = iv->employee_shared && cc->employee_answers && *cc->employee_answers
                ? json_loads(cc->employee_answers, 0, NULL) : NULL;
            rc = rec_extract(tmpl, ma, &x);
            if (!rc)
                rc = rec_extract(tmpl, ea, &x);
            json_decref(ma);
            json_decref(ea);
            json_decref(tmpl);
        }
        rec_content_free(c);
        ev.n_ratings = x.n_ratings, ev.ratings = x.ratings;
        ev.n_training_needs = x.n_training_needs, ev.training_needs = x.training_needs;
        ev.n_mobility_wishes = x.n_mobility_wishes, ev.mobility_wishes = x.mobility_wishes;
        ev.n_objectives = x.n_objectives, ev.objectives = x.objectives;
        ev.n_competencies = x.n_competencies, ev.competencies = x.competencies;
        ev.n_action_items = x.n_action_items, ev.action_items = x.action_items;
    }
    char key[160];
    snprintf(key, sizeof key, "%s:%s:%u", iv->id, ch->event + sizeof "records.interview." - 1, iseq);
    /* by hand when it can (rec_pack.h: the same bytes), else protobuf-c */
    uint8_t packed[2048];
    size_t plen = 0;
    if (!rc && rec_interview_event_pack(&ev, packed, sizeof packed, &plen) == 0)
        rc = ent_outbox_append(ent_daemon_outbox(r->d), txn, ch->event, key, rec_str(ch->trace_id),
                               iv->updated_at_ms, packed, plen, NULL);
    else if (!rc)
        rc = ent_outbox_append_msg(ent_daemon_outbox(r->d), txn, ch->event, key, rec_str(ch->trace_id),
                                   iv->updated_at_ms, &ev.base, NULL);
    rec_extract_free(&x);
    return rc;
}
