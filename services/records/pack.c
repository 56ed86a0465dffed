/*  pack.c — the interview header and its event, packed by hand (rec_pack.h). */
#include "rec_pack.h"

#include "common/pbwire.h"

#include <errno.h>

/* A Date field: NULL is not written, an all-zero date is (empty). */
static void s_date(ent_pbw_t *w, unsigned field, const Entretiens__V1__Date *d)
{
    if (d)
        ent_pbw_ymd(w, field, d->year, d->month, d->day);
}

/* A Signature field: NULL is not written.  Its body goes through a buffer
 * of its own (its length comes first); one that does not fit makes the
 * whole message ENOSPC. */
static void s_signature(ent_pbw_t *w, unsigned field, const Entretiens__V1__Signature *sg)
{
    if (!sg)
        return;
    uint8_t body[1024];
    ent_pbw_t b;
    ent_pbw_init(&b, body, sizeof body);
    ent_pbw_string(&b, 1, sg->by);
    ent_pbw_int64(&b, 2, sg->at_ms);
    ent_pbw_string(&b, 3, sg->digest);
    ent_pbw_string(&b, 4, sg->comment);
    if (b.full) {
        w->full = true;
        return;
    }
    ent_pbw_message(w, field, body, (size_t) (b.p - body));
}

int rec_interview_pack(const Entretiens__V1__Interview *iv, uint8_t *buf, size_t cap, size_t *len)
{
    if (iv->n_carried_objectives || iv->n_carried_action_items)
        return ENOTSUP;
    ent_pbw_t w;
    ent_pbw_init(&w, buf, cap);
    /* in field-number order, as protobuf-c writes them */
    ent_pbw_string(&w, 1, iv->id);
    ent_pbw_string(&w, 2, iv->obligation_id);
    ent_pbw_string(&w, 3, iv->employee_id);
    ent_pbw_string(&w, 4, iv->manager_id);
    ent_pbw_string(&w, 5, iv->type);
    ent_pbw_string(&w, 6, iv->status);
    s_date(&w, 7, iv->due_date);
    ent_pbw_string(&w, 8, iv->entity);
    ent_pbw_string(&w, 9, iv->department);
    ent_pbw_string(&w, 10, iv->site);
    ent_pbw_string(&w, 11, iv->locale);
    ent_pbw_string(&w, 12, iv->category);
    ent_pbw_string(&w, 13, iv->first_name);
    ent_pbw_string(&w, 14, iv->last_name);
    ent_pbw_string(&w, 15, iv->template_id);
    ent_pbw_uint32(&w, 16, iv->template_version);
    ent_pbw_int64(&w, 17, iv->created_at_ms);
    ent_pbw_string(&w, 18, iv->created_by);
    ent_pbw_int64(&w, 19, iv->updated_at_ms);
    ent_pbw_int64(&w, 20, iv->scheduled_start_ms);
    ent_pbw_uint32(&w, 21, iv->duration_min);
    ent_pbw_string(&w, 22, iv->place);
    ent_pbw_string(&w, 23, iv->video_link);
    s_date(&w, 24, iv->held_on);
    ent_pbw_bool(&w, 25, iv->employee_shared);
    ent_pbw_bool(&w, 26, iv->manager_shared);
    s_signature(&w, 27, iv->employee_signature);
    s_signature(&w, 28, iv->manager_signature);
    ent_pbw_uint32(&w, 29, iv->reopen_count);
    ent_pbw_string(&w, 30, iv->reason);
    ent_pbw_bool(&w, 31, iv->reassigned);
    ent_pbw_int64(&w, 32, iv->closed_at_ms);
    ent_pbw_string(&w, 33, iv->title);
    /* 34 and 35, the carried lists: empty here (ENOTSUP above) */
    ent_pbw_string(&w, 36, iv->carried_from);
    ent_pbw_int64(&w, 37, iv->reported_at_ms);
    ent_pbw_string(&w, 38, iv->cancelled_by);
    s_date(&w, 39, iv->window_start);
    ent_pbw_bytes(&w, 40, iv->sealed.data, iv->sealed.len);
    ent_pbw_bool(&w, 41, iv->purged);
    ent_pbw_int64(&w, 42, iv->purged_at_ms);
    ent_pbw_bool(&w, 43, iv->due_moved);
    s_date(&w, 44, iv->legal_due_date);
    if (w.full)
        return ENOSPC;
    *len = (size_t) (w.p - buf);
    return 0;
}

int rec_interview_event_pack(const Entretiens__V1__InterviewEvent *ev, uint8_t *buf, size_t cap, size_t *len)
{
    if (ev->n_ratings || ev->n_training_needs || ev->n_mobility_wishes || ev->n_objectives || ev->n_competencies ||
        ev->n_action_items)
        return ENOTSUP;
    ent_pbw_t w;
    ent_pbw_init(&w, buf, cap);
    ent_pbw_string(&w, 1, ev->interview_id);
    ent_pbw_string(&w, 2, ev->obligation_id);
    ent_pbw_string(&w, 3, ev->employee_id);
    ent_pbw_string(&w, 4, ev->type);
    s_date(&w, 5, ev->held_on);
    s_date(&w, 6, ev->due_date);
    ent_pbw_string(&w, 7, ev->manager_id);
    ent_pbw_string(&w, 8, ev->entity);
    ent_pbw_string(&w, 9, ev->department);
    ent_pbw_string(&w, 10, ev->status);
    ent_pbw_string(&w, 11, ev->site);
    ent_pbw_int64(&w, 12, ev->scheduled_start_ms);
    ent_pbw_uint32(&w, 13, ev->duration_min);
    ent_pbw_string(&w, 14, ev->place);
    ent_pbw_string(&w, 15, ev->video_link);
    ent_pbw_string(&w, 16, ev->template_id);
    ent_pbw_uint32(&w, 17, ev->template_version);
    ent_pbw_string(&w, 18, ev->locale);
    ent_pbw_string(&w, 19, ev->actor);
    ent_pbw_int64(&w, 20, ev->at_ms);
    ent_pbw_uint32(&w, 21, ev->reopen_count);
    ent_pbw_string(&w, 22, ev->reason);
    /* 30 to 35, a closed report's content: empty here (ENOTSUP above) */
    ent_pbw_bool(&w, 36, ev->signed_by_employee);
    ent_pbw_bool(&w, 37, ev->signed_by_manager);
    ent_pbw_string(&w, 38, ev->previous_manager_id);
    ent_pbw_bool(&w, 39, ev->reason_given);
    if (w.full)
        return ENOSPC;
    *len = (size_t) (w.p - buf);
    return 0;
}
