/*  apply.c — the scheduler's and records' events become the directory and
 *  the subjects' plans (notifier.h). */
#include "notifier.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/grants.h"
#include "common/log.h"
#include "common/pbfast.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLAN 512  /* subjects of one employee replanned on a manager change */

static bool s_id_ok(const char *id, size_t max)
{
    return id && *id && strlen(id) <= max;
}

/* ------------------------------------------------------------ plans */

void ntf_subject_manager(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, const ntf_contact_t *emp,
                         char *out, size_t size)
{
    (void) n, (void) txn;
    /* the interviewer when an interview says who it is, else the manager
     * the directory knows, else the one the obligation event carried */
    if (s->interviewer_id[0])
        ntf_copy(out, size, s->interviewer_id);
    else if (emp && emp->manager_id[0])
        ntf_copy(out, size, emp->manager_id);
    else
        ntf_copy(out, size, s->manager_id);
}

int ntf_replan(notifier_t *n, MDB_txn *txn, ntf_subject_t *s, size_t pending_before, bool fresh, int64_t ref_ms)
{
    ntf_contact_t emp, mgr;
    int rc = ntf_contact_get(n, txn, s->employee_id, &emp);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    bool have_emp = rc == 0;
    char manager[NTF_ID_MAX + 1];
    ntf_subject_manager(n, txn, s, have_emp ? &emp : NULL, manager, sizeof manager);
    rc = ntf_contact_get(n, txn, manager, &mgr);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    bool have_mgr = rc == 0;
    ntf_plan_ctx_t ctx = {
        .plans = &n->cfg.plans,
        .hour = n->cfg.hour,
        .manager_id = manager,
        .employee_region = ntf_region(have_emp ? emp.region : NULL),
        .manager_region = ntf_region(have_mgr ? mgr.region : (have_emp ? emp.region : NULL)),
        .ref_day = ent_date_from_unix_ms(ref_ms),
    };
    int nw = ntf_plan_wants(s, &ctx, n->wants, NTF_MAX_WANTS);
    ntf_merge_stats_t st;
    ntf_plan_merge(s, n->wants, nw, ref_ms, ent_clock_now_ms(), n->cfg.max_late_ms, n->cfg.grace_ms, &st);
    s->updated_at_ms = ent_clock_now_ms();
    return ntf_subject_put(n, txn, s, pending_before, fresh);
}

/* Loads a subject into s (or starts a fresh one).  *fresh and *pending
 * say what it was.  Returns 0 or an LMDB code. */
static int s_load(notifier_t *n, MDB_txn *txn, const char *key, ntf_subject_t *s, bool *fresh, size_t *pending)
{
    int rc = ntf_subject_get(n, txn, key, s);
    if (rc == MDB_NOTFOUND) {
        ntf_subject_init(s, key);
        *fresh = true;
        *pending = 0;
        return 0;
    }
    if (rc)
        return rc;
    *fresh = false;
    *pending = ntf_subject_pending(s);
    return 0;
}

/* ------------------------------------------------------------ directory */

int ntf_apply_employee(notifier_t *n, MDB_txn *txn, const Entretiens__V1__Employee *e, int64_t at_ms)
{
    if (!e || !s_id_ok(e->employee_id, NTF_ID_MAX)) {
        ent_log_warn("notifier.bad_event", "employee.upserted without a usable employee_id: skipped");
        return ENT_EVENT_SKIP;
    }
    ntf_contact_t old, c;
    int rc = ntf_contact_get(n, txn, e->employee_id, &old);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    bool known = rc == 0;
    memset(&c, 0, sizeof c);
    ntf_copy(c.employee_id, sizeof c.employee_id, e->employee_id);
    ntf_copy(c.email, sizeof c.email, e->email);
    ntf_copy(c.locale, sizeof c.locale, e->locale);
    if (s_id_ok(e->manager_id, NTF_ID_MAX))
        ntf_copy(c.manager_id, sizeof c.manager_id, e->manager_id);
    ntf_copy(c.entity, sizeof c.entity, e->entity);
    ntf_copy(c.region, sizeof c.region, e->region);
    ntf_copy(c.first_name, sizeof c.first_name, e->first_name);
    ntf_copy(c.last_name, sizeof c.last_name, e->last_name);
    ntf_copy(c.department, sizeof c.department, e->department);
    c.employed = e->employed;
    c.left_on = ent_pbdate_day(e->left_on);
    c.digest = known && old.digest; /* preferences, not HR attributes */
    if (known)
        memcpy(c.preferred_locale, old.preferred_locale, sizeof c.preferred_locale);
    if ((rc = ntf_contact_put(n, txn, &c)) != 0)
        return rc;
    if (!known)
        return ntf_count_add(n, txn, NTF_CNT_CONTACTS, 1);
    if (strcmp(old.manager_id, c.manager_id) == 0)
        return 0;
    /* a new manager: the plans of this employee's subjects are rewritten
     * (pending items for the previous manager are cancelled) */
    char (*keys)[NTF_KEY_MAX + 1] = malloc(MAX_REPLAN * sizeof *keys);
    if (!keys)
        return ENOMEM;
    size_t nk = 0;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, n->emp_subjects, &cur);
    if (rc) {
        free(keys);
        return rc;
    }
    MDB_val k = { strlen(c.employee_id), c.employee_id }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0 && nk < MAX_REPLAN;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
        if (v.mv_size <= NTF_KEY_MAX) {
            memcpy(keys[nk], v.mv_data, v.mv_size);
            keys[nk++][v.mv_size] = '\0';
        }
    }
    mdb_cursor_close(cur);
    rc = rc == MDB_NOTFOUND ? 0 : rc;
    for (size_t i = 0; i < nk && !rc; i++) {
        ntf_subject_t *s = &n->subj[0];
        bool fresh;
        size_t pending;
        rc = s_load(n, txn, keys[i], s, &fresh, &pending);
        if (!rc && !fresh)
            rc = ntf_replan(n, txn, s, pending, false, at_ms);
    }
    free(keys);
    return rc;
}

int ntf_prefs_set(notifier_t *n, MDB_txn *txn, const char *recipient_id, bool digest, const char *locale)
{
    ntf_contact_t c;
    int rc = ntf_contact_get(n, txn, recipient_id, &c);
    if (rc)
        return rc;
    c.digest = digest;
    if (locale && strcmp(locale, "hris") == 0)
        c.preferred_locale[0] = '\0';
    else if (locale && *locale)
        ntf_copy(c.preferred_locale, sizeof c.preferred_locale, locale);
    return ntf_contact_put(n, txn, &c);
}

/* ------------------------------------------------------------ obligations */

int ntf_apply_obligation(notifier_t *n, MDB_txn *txn, const char *type, const Entretiens__V1__Obligation *o,
                         int64_t at_ms)
{
    if (!o || !s_id_ok(o->obligation_id, NTF_KEY_MAX - 2) || !s_id_ok(o->employee_id, NTF_ID_MAX)) {
        ent_log_warn("notifier.bad_event", "interview.%s without usable obligation_id/employee_id: skipped", type);
        return ENT_EVENT_SKIP;
    }
    char key[NTF_KEY_MAX + 1];
    snprintf(key, sizeof key, "o:%s", o->obligation_id);
    ntf_subject_t *s = &n->subj[0];
    bool fresh;
    size_t pending;
    int rc = s_load(n, txn, key, s, &fresh, &pending);
    if (rc)
        return rc;
    ntf_copy(s->employee_id, sizeof s->employee_id, o->employee_id);
    ntf_copy(s->obligation_id, sizeof s->obligation_id, o->obligation_id);
    ntf_copy(s->type, sizeof s->type, o->type);
    ntf_copy(s->obligation_status, sizeof s->obligation_status, o->status);
    s->actionable = o->actionable;
    s->penalty_eur = o->penalty_eur;
    s->window_start = ent_pbdate_day(o->window_start);
    /* met and cancelled end the plan whatever the flag says */
    if (strcmp(type, "met") == 0 || strcmp(type, "cancelled") == 0)
        s->actionable = false;
    int32_t due = ent_pbdate_day(o->due_date);
    if (due != s->due) {
        s->due = due;
        s->since_ms = at_ms;
    }
    if (s_id_ok(o->manager_id, NTF_ID_MAX))
        ntf_copy(s->manager_id, sizeof s->manager_id, o->manager_id);
    ntf_copy(s->entity, sizeof s->entity, o->entity);
    ntf_copy(s->first_name, sizeof s->first_name, o->first_name);
    ntf_copy(s->last_name, sizeof s->last_name, o->last_name);
    ntf_copy(s->locale, sizeof s->locale, o->locale);
    return ntf_replan(n, txn, s, pending, fresh, at_ms);
}

/* ------------------------------------------------------------ interviews */

static void s_link(ntf_subject_t *o, const ntf_subject_t *i)
{
    /* what the obligation's plan needs to know of its interview */
    ntf_copy(o->interview_id, sizeof o->interview_id, i->interview_id);
    ntf_copy(o->interview_status, sizeof o->interview_status, i->interview_status);
    ntf_copy(o->interviewer_id, sizeof o->interviewer_id, i->interviewer_id);
    o->scheduled_start_ms = i->scheduled_start_ms;
    o->duration_min = i->duration_min;
    ntf_copy(o->place, sizeof o->place, i->place);
    ntf_copy(o->video_link, sizeof o->video_link, i->video_link);
    o->scheduled_at_ms = i->scheduled_at_ms;
    o->held_at_ms = i->held_at_ms;
    o->signed_at_ms = i->signed_at_ms;
    o->cancelled_at_ms = i->cancelled_at_ms;
    o->reopen_count = i->reopen_count;
}

int ntf_apply_interview(notifier_t *n, MDB_txn *txn, const char *type, const Entretiens__V1__InterviewEvent *iv,
                        int64_t at_ms)
{
    if (!iv || !s_id_ok(iv->interview_id, NTF_IID_MAX) || !s_id_ok(iv->employee_id, NTF_ID_MAX) ||
        (iv->obligation_id && *iv->obligation_id && strlen(iv->obligation_id) > NTF_KEY_MAX - 2)) {
        ent_log_warn("notifier.bad_event", "records.interview.%s without usable ids: skipped", type);
        return ENT_EVENT_SKIP;
    }
    char key[NTF_KEY_MAX + 1];
    snprintf(key, sizeof key, "i:%s", iv->interview_id);
    ntf_subject_t *s = &n->subj[1];
    bool fresh;
    size_t pending;
    int rc = s_load(n, txn, key, s, &fresh, &pending);
    if (rc)
        return rc;
    ntf_copy(s->employee_id, sizeof s->employee_id, iv->employee_id);
    ntf_copy(s->interview_id, sizeof s->interview_id, iv->interview_id);
    ntf_copy(s->obligation_id, sizeof s->obligation_id, iv->obligation_id);
    ntf_copy(s->type, sizeof s->type, iv->type);
    int32_t due = ent_pbdate_day(iv->due_date);
    if (due != ENT_DATE_NONE)
        s->due = due;
    ntf_copy(s->interview_status, sizeof s->interview_status, iv->status);
    if (s_id_ok(iv->manager_id, NTF_ID_MAX))
        ntf_copy(s->interviewer_id, sizeof s->interviewer_id, iv->manager_id);
    ntf_copy(s->entity, sizeof s->entity, iv->entity);
    if (iv->locale && *iv->locale)
        ntf_copy(s->locale, sizeof s->locale, iv->locale);
    /* events carry the state after the change: a new start is a
     * (re)scheduling, whatever the verb */
    if (iv->scheduled_start_ms > 0 && iv->scheduled_start_ms != s->scheduled_start_ms) {
        if (s->scheduled_start_ms)
            s->sequence++;
        s->scheduled_start_ms = iv->scheduled_start_ms;
        s->scheduled_at_ms = at_ms;
    }
    if (iv->scheduled_start_ms > 0) {
        s->duration_min = iv->duration_min;
        ntf_copy(s->place, sizeof s->place, iv->place);
        ntf_copy(s->video_link, sizeof s->video_link, iv->video_link);
    }
    /* HR stepped a scheduled interview back to planned: the meeting is
     * withdrawn, its reminders with it */
    if (strcmp(type, "stepped_back") == 0 && iv->scheduled_start_ms == 0 && s->scheduled_start_ms) {
        s->scheduled_start_ms = 0;
        s->scheduled_at_ms = 0;
        s->sequence++;
    }
    if (strcmp(type, "held") == 0 && s->held_at_ms == 0)
        s->held_at_ms = at_ms;
    else if (strcmp(type, "signed") == 0 && iv->signed_by_employee && iv->signed_by_manager && s->signed_at_ms == 0)
        s->signed_at_ms = at_ms;
    else if (strcmp(type, "closed") == 0 && s->signed_at_ms == 0)
        s->signed_at_ms = at_ms;
    else if (strcmp(type, "cancelled") == 0 && s->cancelled_at_ms == 0)
        s->cancelled_at_ms = at_ms;
    else if (strcmp(type, "reopened") == 0) {
        s->reopen_count = iv->reopen_count > s->reopen_count ? iv->reopen_count : s->reopen_count + 1;
        s->reopened_at_ms = at_ms;
        s->signed_at_ms = 0;
        if (s->held_at_ms == 0)
            s->held_at_ms = at_ms;
    }
    rc = ntf_replan(n, txn, s, pending, fresh, at_ms);
    if (rc || !iv->obligation_id || !*iv->obligation_id)
        return rc;
    char okey[NTF_KEY_MAX + 1];
    snprintf(okey, sizeof okey, "o:%s", iv->obligation_id);
    ntf_subject_t *o = &n->subj[0];
    rc = s_load(n, txn, okey, o, &fresh, &pending);
    if (rc)
        return rc;
    if (fresh) {
        /* records spoke first: the scheduler's event will fill the rest */
        ntf_copy(o->employee_id, sizeof o->employee_id, iv->employee_id);
        ntf_copy(o->obligation_id, sizeof o->obligation_id, iv->obligation_id);
        ntf_copy(o->type, sizeof o->type, iv->type);
        o->due = s->due;
    }
    s_link(o, s);
    return ntf_replan(n, txn, o, pending, fresh, at_ms);
}

/* ------------------------------------------------------------ consumers */

/* The scheduler's types ntf_on_scheduler applies, and only those: named
 * to the runtime (ent_daemon_applied_types), a catch-up's replays ask for
 * them alone, and the others (obligation.changed, half of the scheduler's
 * events) are not read, sealed, sent, opened nor unpacked for the
 * notifier.  Keep the two in step. */
char *const ntf_scheduler_types[] = { "scheduler.employee.upserted", "scheduler.interview.due",
                                      "scheduler.interview.overdue", "scheduler.interview.met",
                                      "scheduler.interview.cancelled", NULL };

int ntf_on_scheduler(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    notifier_t *n = arg;
    const char *type = ev->type ? ev->type : "";
    if (strcmp(type, "scheduler.employee.upserted") == 0) {
        Entretiens__V1__EmployeeUpserted *m =
            ent_pbfast_unpack_or_pbc(&entretiens__v1__employee_upserted__descriptor,
                ent_pbarena_allocator(n->ev_arena), ev->payload.len, ev->payload.data);
        if (!m) {
            ent_pbarena_release(n->ev_arena, NULL);
            ent_log_warn("notifier.bad_event", "seq %llu: not an EmployeeUpserted", (unsigned long long) ev->seq);
            return ENT_EVENT_SKIP;
        }
        int rc = ntf_apply_employee(n, txn, m->employee, ev->occurred_at_ms);
        ent_pbarena_release(n->ev_arena, &m->base);
        return rc;
    }
    static const char prefix[] = "scheduler.interview.";
    if (strncmp(type, prefix, sizeof prefix - 1) == 0) {
        const char *verb = type + sizeof prefix - 1;
        if (strcmp(verb, "due") != 0 && strcmp(verb, "overdue") != 0 && strcmp(verb, "met") != 0 &&
            strcmp(verb, "cancelled") != 0)
            return 0; /* a newer kind of event: nothing to remind */
        Entretiens__V1__ObligationEvent *m =
            ent_pbfast_unpack_or_pbc(&entretiens__v1__obligation_event__descriptor,
                ent_pbarena_allocator(n->ev_arena), ev->payload.len, ev->payload.data);
        if (!m) {
            ent_pbarena_release(n->ev_arena, NULL);
            ent_log_warn("notifier.bad_event", "seq %llu: not an ObligationEvent", (unsigned long long) ev->seq);
            return ENT_EVENT_SKIP;
        }
        int rc = ntf_apply_obligation(n, txn, verb, m->obligation, ev->occurred_at_ms);
        ent_pbarena_release(n->ev_arena, &m->base);
        return rc;
    }
    return 0;
}

int ntf_on_records(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    notifier_t *n = arg;
    if (ent_grants_is_event(ev))
        return ent_grants_apply(txn, n->grants, ev);
    static const char prefix[] = "records.interview.";
    const char *type = ev->type ? ev->type : "";
    if (strncmp(type, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *verb = type + sizeof prefix - 1;
    static const char *const verbs[] = { "created", "scheduled", "shared",   "held",       "reported",
                                         "signed",  "closed",    "cancelled", "reopened", "reassigned",
                                         "due_moved", "stepped_back" };
    bool known = false;
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs && !known; i++)
        known = strcmp(verb, verbs[i]) == 0;
    if (!known)
        return 0;
    Entretiens__V1__InterviewEvent *m =
        ent_pbfast_unpack_or_pbc(&entretiens__v1__interview_event__descriptor,
            ent_pbarena_allocator(n->ev_arena), ev->payload.len, ev->payload.data);
    if (!m) {
        ent_pbarena_release(n->ev_arena, NULL);
        ent_log_warn("notifier.bad_event", "seq %llu: not an InterviewEvent", (unsigned long long) ev->seq);
        return ENT_EVENT_SKIP;
    }
    int rc = ntf_apply_interview(n, txn, verb, m, ev->occurred_at_ms);
    ent_pbarena_release(n->ev_arena, &m->base);
    return rc;
}
