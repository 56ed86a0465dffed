/*  hand_pack.c — the scheduler's most packed messages, by hand (hand_pack.h). */
#include "hand_pack.h"

#include "common/pbwire.h"

#include <errno.h>
#include <string.h>

/* The room kept before an Obligation for its tag and length, the length
 * being known only once the body is written. */
#define HEAD_ROOM SCHED_PACK_HEAD_MAX

/* A Date field: NULL is not written, an all-zero date is (empty). */
static void s_date(ent_pbw_t *w, unsigned field, const Entretiens__V1__Date *d)
{
    if (d)
        ent_pbw_ymd(w, field, d->year, d->month, d->day);
}

/* The Obligation's fields, in field-number order (protobuf-c's). */
static void s_obligation(ent_pbw_t *w, const Entretiens__V1__Obligation *o)
{
    ent_pbw_string(w, 1, o->obligation_id);
    ent_pbw_string(w, 2, o->employee_id);
    ent_pbw_string(w, 3, o->type);
    s_date(w, 4, o->due_date);
    s_date(w, 5, o->window_start);
    ent_pbw_string(w, 6, o->status);
    ent_pbw_string(w, 7, o->rule);
    ent_pbw_string(w, 8, o->basis);
    ent_pbw_string(w, 9, o->reason);
    ent_pbw_int32(w, 10, o->penalty_eur);
    s_date(w, 11, o->anchor);
    s_date(w, 12, o->met_on);
    ent_pbw_bool(w, 13, o->actionable);
    ent_pbw_int32(w, 14, o->penalty_if_inspected_eur);
    ent_pbw_string(w, 20, o->manager_id);
    ent_pbw_string(w, 21, o->entity);
    ent_pbw_string(w, 22, o->department);
    ent_pbw_string(w, 23, o->site);
    ent_pbw_string(w, 24, o->first_name);
    ent_pbw_string(w, 25, o->last_name);
    ent_pbw_string(w, 26, o->locale);
    ent_pbw_string(w, 27, o->manager_first_name);
    ent_pbw_string(w, 28, o->manager_last_name);
}

/* The Employee's fields, in field-number order. */
static void s_employee(ent_pbw_t *w, const Entretiens__V1__Employee *e)
{
    ent_pbw_string(w, 1, e->employee_id);
    ent_pbw_string(w, 2, e->entity);
    ent_pbw_string(w, 3, e->department);
    ent_pbw_string(w, 4, e->site);
    ent_pbw_string(w, 5, e->region);
    ent_pbw_string(w, 6, e->manager_id);
    ent_pbw_string(w, 7, e->email);
    ent_pbw_string(w, 8, e->locale);
    s_date(w, 9, e->birth_date);
    ent_pbw_string(w, 10, e->category);
    ent_pbw_string(w, 11, e->contract);
    s_date(w, 12, e->contract_end);
    ent_pbw_uint32(w, 13, e->trial_months);
    ent_pbw_bool(w, 14, e->forfait_jours);
    ent_pbw_string(w, 15, e->first_name);
    ent_pbw_string(w, 16, e->last_name);
    ent_pbw_string(w, 17, e->position);
    s_date(w, 18, e->hired_on);
    s_date(w, 19, e->left_on);
    s_date(w, 20, e->trial_end);
    ent_pbw_bool(w, 21, e->employed);
    ent_pbw_uint32(w, 22, e->trial_days);
    ent_pbw_bool(w, 23, e->trial_renewable);
    s_date(w, 24, e->last_interview_on);
}

int sched_employee_pack(const Entretiens__V1__Employee *e, uint8_t *buf, size_t cap, size_t *len)
{
    ent_pbw_t w;
    ent_pbw_init(&w, buf, cap);
    s_employee(&w, e);
    if (w.full)
        return ENOSPC;
    *len = (size_t) (w.p - buf);
    return 0;
}

size_t sched_employee_upserted_head(size_t emp_len, uint8_t head[SCHED_PACK_HEAD_MAX])
{
    head[0] = (1 << 3) | ENT_PB_LEN; /* EmployeeUpserted.employee */
    return 1 + ent_pb_varint_put(head + 1, emp_len);
}

int sched_obligation_event_pack(const Entretiens__V1__ObligationEvent *ev, uint8_t *buf, size_t cap, size_t *len)
{
    *len = 0;
    if (!ev->obligation)
        return 0; /* an empty message */
    if (cap < HEAD_ROOM)
        return ENOSPC;
    /* the body after the room for its head, then moved down to it */
    ent_pbw_t w;
    ent_pbw_init(&w, buf + HEAD_ROOM, cap - HEAD_ROOM);
    s_obligation(&w, ev->obligation);
    if (w.full)
        return ENOSPC;
    size_t n = (size_t) (w.p - (buf + HEAD_ROOM));
    if (n > UINT32_MAX)
        return ENOSPC;
    buf[0] = (1 << 3) | ENT_PB_LEN; /* ObligationEvent.obligation */
    size_t head = 1 + ent_pb_varint_put(buf + 1, n);
    memmove(buf + head, buf + HEAD_ROOM, n);
    *len = head + n;
    return 0;
}

int sched_obligations_reply_pack(Entretiens__V1__Obligation *const *obls, size_t n, uint8_t *buf, size_t cap,
                                 size_t *len)
{
    *len = 0;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        /* each element of the repeated field 1 is written as an
         * ObligationEvent's only field is: tag 1, length, the obligation */
        Entretiens__V1__ObligationEvent ev = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
        ev.obligation = obls[i];
        size_t one = 0;
        if (!obls[i] || sched_obligation_event_pack(&ev, buf + off, cap - off, &one) != 0)
            return ENOSPC;
        off += one;
    }
    *len = off;
    return 0;
}
