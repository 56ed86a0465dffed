/*  view.c — what a relation sees of one interview: the InterviewView of
 *  records.interview.get and of the subject export, from the matrix of
 *  rec_access.h (records.h). */
#include "records.h"

#include "common/clock.h"

#include <string.h>

static void s_withhold(rec_view_t *view, const char *what)
{
    if (view->v.n_withheld < REC_VIEW_WITHHELD_MAX)
        view->withheld[view->v.n_withheld++] = what;
}

void rec_view_fill(rec_view_t *view, const rec_iv_t *iv, const rec_content_t *c, rec_relation_t rel, bool archived)
{
    Entretiens__V1__InterviewView init = ENTRETIENS__V1__INTERVIEW_VIEW__INIT;
    view->v = init;
    view->shown = *iv; /* shallow: fields hidden by pointer */
    view->v.withheld = (char **) view->withheld;
    if (archived)
        rel = REC_REL_NONE;
    bool shared = rec_may_read(rel, REC_D_SHARED);
    if (!rec_may_read(rel, REC_D_SIGNATURES)) {
        view->shown.employee_signature = view->shown.manager_signature = NULL;
        s_withhold(view, "signatures");
    }
    if (!shared) {
        view->shown.n_carried_objectives = view->shown.n_carried_action_items = 0;
        view->shown.carried_objectives = NULL;
        view->shown.carried_action_items = NULL;
        s_withhold(view, "content");
    }
    view->v.interview = &view->shown;
    view->v.employee_answers = (char *) "";
    view->v.manager_answers = (char *) "";
    view->v.manager_notes = (char *) "";
    if (rec_may_read(rel, REC_D_EMPLOYEE_PRIVATE) || (shared && iv->employee_shared))
        view->v.employee_answers = c->employee_answers;
    else
        s_withhold(view, "employee_preparation");
    if (rec_may_read(rel, REC_D_MANAGER_PRIVATE) || (shared && iv->manager_shared))
        view->v.manager_answers = c->manager_answers;
    else
        s_withhold(view, "manager_preparation");
    if (rec_may_read(rel, REC_D_MANAGER_NOTES))
        view->v.manager_notes = c->manager_notes;
    else
        s_withhold(view, "manager_notes");
    if (!rec_may_read(rel, REC_D_AUDIT))
        s_withhold(view, "audit");
    if (!rec_may_read(rel, REC_D_REASONS) && iv->reason && *iv->reason) {
        view->shown.reason = (char *) "";
        s_withhold(view, "reason");
    }
    if (archived)
        s_withhold(view, "archived");
    view->v.relation = (char *) rec_relation_name(rel);
    if (shared) {
        rec_report_digest(iv, c, view->digest);
        view->v.report_digest = view->digest;
    }
}

bool rec_archived(records_t *r, MDB_txn *txn, const rec_iv_t *iv)
{
    Entretiens__V1__Employee *e = NULL;
    if (rec_dir_get(r, txn, iv->employee_id, &e) != 0)
        return false;
    int32_t left = ent_pbdate_day(e->left_on);
    entretiens__v1__employee__free_unpacked(e, NULL);
    return rec_retention_phase(&r->retention_cfg, left, ent_clock_today()) != REC_PHASE_ACTIVE;
}

void rec_read_parts(rec_relation_t rel, const rec_iv_t *iv, const rec_content_t *c, rec_read_parts_t *out)
{
    out->n = 0;
    out->digest[0] = '\0';
    if (rec_may_read(rel, REC_D_SHARED) && (iv->employee_shared || iv->manager_shared))
        out->what[out->n++] = "shared";
    if (rec_may_read(rel, REC_D_EMPLOYEE_PRIVATE) && c->employee_answers && strlen(c->employee_answers) > 2)
        out->what[out->n++] = "employee_preparation";
    if (rec_may_read(rel, REC_D_MANAGER_PRIVATE) && c->manager_answers && strlen(c->manager_answers) > 2)
        out->what[out->n++] = "manager_preparation";
    if (rec_may_read(rel, REC_D_MANAGER_NOTES) && c->manager_notes && *c->manager_notes)
        out->what[out->n++] = "manager_notes";
}
