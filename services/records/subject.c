/*  subject.c — the data subject's rights on records (records.h,
 *  docs/data-protection.md):
 *    records.subject.erase   crypto-shredding on request, refused while a
 *                            legal duty to keep applies (rec_retention.h);
 *                            HR with the content permission on the
 *                            employee's entity, or an administrator;
 *    records.subject.export  what records holds about the employee, as she
 *                            may see it; the same callers, or the employee
 *                            herself.  Each interview exported is a read.
 */
#include "records.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/grants.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether call's caller may act on employee's records (the directory entry,
 * when known, goes to *dir: caller frees).  *ok false: answered. */
static int s_authorise(records_t *r, ent_rpc_call_t *call, const char *employee, const char *what, bool may_self,
                       Entretiens__V1__Employee **dir, bool *ok)
{
    *ok = false;
    *dir = NULL;
    if (!employee || !*employee || strlen(employee) > REC_ID_MAX)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "employee_id", "an employee id of 1 to %d bytes", REC_ID_MAX);
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(call->caller, &p, &why) != 0)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
    int rc = rec_dir_get(r, call->txn, employee, dir);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    bool allowed = p.role == ENT_ROLE_ADMIN || (may_self && p.role == ENT_ROLE_EMPLOYEE && strcmp(p.id, employee) == 0);
    if (!allowed && p.role == ENT_ROLE_HR) {
        ent_grant_scope_t s = { 0 };
        if ((rc = ent_grants_scope(call->txn, r->grants, call->caller, &s)) != 0)
            return rc;
        allowed = s.scope.granted && s.scope.content && ent_scope_covers(&s.scope, *dir ? (*dir)->entity : NULL);
        ent_grants_scope_free(&s);
    }
    if (!allowed)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                            "%s may not %s the records of %s: HR with the content permission on the employee's "
                            "entity%s, or an administrator", call->caller, what, employee,
                            may_self ? ", the employee herself" : "");
    *ok = true;
    return 0;
}

/* ------------------------------------------------------------------ erase */

static int s_erase(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    Entretiens__V1__SubjectEraseRequest *q = ent_rpc_unpack(call, &entretiens__v1__subject_erase_request__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    Entretiens__V1__Employee *e = NULL;
    bool ok;
    int rc = s_authorise(r, call, q->employee_id, "erase", false, &e, &ok);
    if (rc || !ok)
        goto done;
    json_t *reason_ok = q->reason && *q->reason && strlen(q->reason) <= 2000 ? json_string(q->reason) : NULL;
    json_decref(reason_ok);
    if (!reason_ok) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "reason",
                          "a reason is required (the request's reference): 1 to 2,000 bytes of UTF-8");
        goto done;
    }
    if (!e) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "employee_id",
                          "no employee '%s' in records' directory: the retention rules count from the departure "
                          "the HRIS sent", q->employee_id);
        goto done;
    }
    int32_t left = ent_pbdate_day(e->left_on), today = ent_clock_today();
    char d1[ENT_DATE_STRLEN], d2[ENT_DATE_STRLEN];
    switch (rec_retention_phase(&r->retention_cfg, left, today)) {
    case REC_PHASE_ACTIVE:
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "employee_id",
                          "%s is employed (no departure on or before today): the interviews are kept while employed "
                          "as the proof of the employer's interview obligations (L6315-1; GDPR art. 17(3)(b))",
                          q->employee_id);
        goto done;
    case REC_PHASE_ARCHIVE:
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "employee_id",
                          "%s left on %s: the content is kept in the intermediate archive until %s "
                          "(ENTRETIENS_RETENTION_CONTENT_YEARS=%d, the limitation period for claims, L1134-5; "
                          "GDPR art. 17(3)(e)), then purged by the retention sweep", q->employee_id,
                          ent_date_format(left, d1),
                          ent_date_format(rec_retention_purge_day(&r->retention_cfg, REC_PART_CONTENT, left), d2),
                          r->retention_cfg.years[REC_PART_CONTENT]);
        goto done;
    case REC_PHASE_PURGED:
        break;
    }
    rec_purge_result_t *res = malloc(sizeof *res);
    if (!res) {
        rc = ENOMEM;
        goto done;
    }
    rc = rec_purge_employee(r, call->txn, q->employee_id, call->caller, q->reason, res);
    /* the request itself, in the global chain, even when nothing was left */
    if (!rc)
        rc = rec_audit_global(r, call->txn, call->caller, "subject.erase",
                              json_pack("{ss ss sI}", "employee_id", q->employee_id, "reason", q->reason, "interviews",
                                        (json_int_t) res->n),
                              NULL);
    if (!rc) {
        Entretiens__V1__SubjectEraseReply rep = ENTRETIENS__V1__SUBJECT_ERASE_REPLY__INIT;
        char *ids[REC_PURGE_IDS_MAX];
        rep.employee_id = q->employee_id;
        rep.interviews = (uint32_t) res->n;
        rep.key_destroyed = res->key_destroyed;
        rep.n_interview_ids = res->n < REC_PURGE_IDS_MAX ? res->n : REC_PURGE_IDS_MAX;
        for (size_t i = 0; i < rep.n_interview_ids; i++)
            ids[i] = res->ids[i];
        rep.interview_ids = ids;
        rc = ent_rpc_ok(call, &rep.base);
    }
    free(res);
done:
    if (e)
        entretiens__v1__employee__free_unpacked(e, NULL);
    entretiens__v1__subject_erase_request__free_unpacked(q, NULL);
    return rc;
}

/* ----------------------------------------------------------------- export */

typedef struct {
    rec_iv_t *iv;
    rec_content_t *c;
    rec_view_t view;
    Entretiens__V1__InterviewView *vp;
    Entretiens__V1__InterviewReadsReply reads;
    Entretiens__V1__InterviewReadsReply *rp;
} s_item_t;

static void s_items_free(s_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rec_iv_free(items[i].iv);
        rec_content_free(items[i].c);
        rec_reads_free(items[i].reads.reads, items[i].reads.n_reads);
    }
    free(items);
}

/* One interview of the export: the employee's view, its reads, and the
 * caller's read of it.  A content that no longer opens (a store from before
 * a purge) is exported without content. */
static int s_export_one(records_t *r, ent_rpc_call_t *call, const char *id, s_item_t *it)
{
    int rc = rec_iv_get(r, call->txn, id, &it->iv);
    if (!rc) {
        rc = rec_content_get(r, call->txn, id, &it->c);
        if (rc == REC_CRYPT_SHREDDED || rc == REC_CRYPT_FORGED) /* exported empty */
            rc = (it->c = entretiens__v1__interview_content__unpack(NULL, 0, (const uint8_t *) "")) ? 0 : ENOMEM;
    }
    if (!rc) {
        rec_view_fill(&it->view, it->iv, it->c, REC_REL_EMPLOYEE, false);
        it->vp = &it->view.v;
        Entretiens__V1__InterviewReadsReply init = ENTRETIENS__V1__INTERVIEW_READS_REPLY__INIT;
        it->reads = init;
        it->reads.id = it->iv->id;
        it->rp = &it->reads;
        rc = rec_reads_list(r, call->txn, id, &it->reads.reads, &it->reads.n_reads);
    }
    if (!rc) {
        rec_read_parts_t parts;
        rec_read_parts(REC_REL_EMPLOYEE, it->iv, it->c, &parts);
        rc = rec_reads_put(r, call->txn, id, call->caller, parts.what, parts.n);
    }
    return rc;
}

static int s_export(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    Entretiens__V1__SubjectExportRequest *q = ent_rpc_unpack(call, &entretiens__v1__subject_export_request__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    Entretiens__V1__Employee *e = NULL;
    char(*ids)[REC_ID_MAX + 1] = NULL;
    s_item_t *items = NULL;
    Entretiens__V1__InterviewView **views = NULL;
    Entretiens__V1__InterviewReadsReply **reads = NULL;
    size_t n = 0, done_n = 0;
    bool ok;
    int rc = s_authorise(r, call, q->employee_id, "export", true, &e, &ok);
    if (rc || !ok)
        goto done;
    if ((rc = rec_employee_interviews(r, call->txn, q->employee_id, &ids, &n)))
        goto done;
    items = calloc(n ? n : 1, sizeof *items);
    views = calloc(n ? n : 1, sizeof *views);
    reads = calloc(n ? n : 1, sizeof *reads);
    if (!items || !views || !reads) {
        rc = ENOMEM;
        goto done;
    }
    for (; done_n < n && !rc; done_n++) {
        rc = s_export_one(r, call, ids[done_n], &items[done_n]);
        views[done_n] = items[done_n].vp;
        reads[done_n] = items[done_n].rp;
    }
    if (!rc) {
        Entretiens__V1__SubjectExportReply rep = ENTRETIENS__V1__SUBJECT_EXPORT_REPLY__INIT;
        rep.employee_id = q->employee_id;
        rep.employee = e;
        rep.interviews = views;
        rep.n_interviews = n;
        rep.reads = reads;
        rep.n_reads = n;
        rc = ent_rpc_ok(call, &rep.base);
        ent_log_info("records.export", "subject export of %zu interviews by %s", n, call->caller);
    }
done:
    if (items)
        s_items_free(items, done_n);
    free(views);
    free(reads);
    free(ids);
    if (e)
        entretiens__v1__employee__free_unpacked(e, NULL);
    entretiens__v1__subject_export_request__free_unpacked(q, NULL);
    return rc;
}

int rec_subject_register(records_t *r)
{
    return ent_daemon_method(r->d, "records.subject.erase", s_erase, r) ||
        ent_daemon_method(r->d, "records.subject.export", s_export, r) ? -1 : 0;
}
