/*  queries.c — scheduler.obligations, scheduler.employee, scheduler.due and
 *  scheduler.disciplinary (scheduler.h). */
#include "scheduler.h"
#include "discipline.h"
#include "trial.h"

#include "common/calendar.h"
#include "common/clock.h"
#include "common/date.h"

#include <stdlib.h>
#include <string.h>

static int s_obligations(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__ObligationsRequest *req =
        entretiens__v1__obligations_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not an ObligationsRequest");
    if (!req->employee_id || !*req->employee_id || strlen(req->employee_id) > SCHED_ID_MAX) {
        entretiens__v1__obligations_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "employee_id", "an employee id is required");
    }
    Entretiens__V1__Employee *emp = NULL;
    int rc = sched_employee_get(s, call->txn, req->employee_id, &emp);
    if (rc == MDB_NOTFOUND) {
        ent_rpc_fail(call, ENT_NOT_FOUND, "employee_id", "no employee '%s'", req->employee_id);
        entretiens__v1__obligations_request__free_unpacked(req, NULL);
        return 0;
    }
    int n = rc ? rc : sched_obligations_load(s, call->txn, req->employee_id);
    if (n < 0 || rc) {
        entretiens__v1__obligations_request__free_unpacked(req, NULL);
        if (emp)
            entretiens__v1__employee__free_unpacked(emp, NULL);
        return rc ? rc : n;
    }
    sched_obl_msg_t *msgs = calloc((size_t) n + 1, sizeof *msgs);
    Entretiens__V1__Obligation **ptrs = calloc((size_t) n + 1, sizeof *ptrs);
    if (!msgs || !ptrs) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    } else {
        for (int i = 0; i < n; i++) {
            sched_obligation_msg(s, req->employee_id, &s->sobl_buf[i], emp, &msgs[i]);
            ptrs[i] = &msgs[i].msg;
        }
        Entretiens__V1__ObligationsReply rep = ENTRETIENS__V1__OBLIGATIONS_REPLY__INIT;
        rep.n_obligations = (size_t) n;
        rep.obligations = ptrs;
        rc = ent_rpc_ok(call, &rep.base);
    }
    free(msgs);
    free(ptrs);
    entretiens__v1__employee__free_unpacked(emp, NULL);
    entretiens__v1__obligations_request__free_unpacked(req, NULL);
    return rc;
}

static int s_employee(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__EmployeeRequest *req =
        entretiens__v1__employee_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not an EmployeeRequest");
    Entretiens__V1__Employee *emp = NULL;
    int rc = req->employee_id && *req->employee_id && strlen(req->employee_id) <= SCHED_ID_MAX
        ? sched_employee_get(s, call->txn, req->employee_id, &emp) : MDB_NOTFOUND;
    if (rc == MDB_NOTFOUND) {
        ent_rpc_fail(call, ENT_NOT_FOUND, "employee_id", "no employee '%s'", req->employee_id ? req->employee_id : "");
        entretiens__v1__employee_request__free_unpacked(req, NULL);
        return 0;
    }
    Entretiens__V1__EmployeeEvent **hist = NULL;
    size_t n = 0;
    if (!rc)
        rc = sched_history_list(s, call->txn, req->employee_id, &hist, &n);
    Entretiens__V1__Date trial;
    if (!rc) {
        /* the trial end is computed from the facts on today's date */
        MDB_val k = { strlen(req->employee_id), req->employee_id }, v;
        if (mdb_get(call->txn, s->facts, &k, &v) == 0 && v.mv_size >= 6) {
            const uint8_t *p = v.mv_data;
            size_t el = p[4], dl = p[5 + el];
            size_t head = (4 + 1 + el + 1 + dl + 3) & ~(size_t) 3;
            size_t nf = (v.mv_size - head) / sizeof(sch_fact_t);
            if (nf > SCHED_MAX_FACTS)
                nf = SCHED_MAX_FACTS;
            memcpy(s->facts_buf, p + head, nf * sizeof(sch_fact_t));
            sch_employee_t e = { .facts = s->facts_buf, .nfacts = (uint32_t) nf, .birth_date = sched_date(emp->birth_date) };
            emp->trial_end = sched_date_ptr(sch_trial_end(&e, ent_clock_today()), &trial);
        }
        Entretiens__V1__EmployeeReply rep = ENTRETIENS__V1__EMPLOYEE_REPLY__INIT;
        rep.employee = emp;
        rep.n_history = n;
        rep.history = hist;
        rc = ent_rpc_ok(call, &rep.base);
        emp->trial_end = NULL; /* points to the stack: not to be freed */
    }
    for (size_t i = 0; i < n; i++)
        entretiens__v1__employee_event__free_unpacked(hist[i], NULL);
    free(hist);
    if (emp)
        entretiens__v1__employee__free_unpacked(emp, NULL);
    entretiens__v1__employee_request__free_unpacked(req, NULL);
    return rc;
}

static bool s_match(const char *filter, const char *value)
{
    return !filter || !*filter || (value && strcmp(filter, value) == 0);
}

static int s_due(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__DueRequest *req =
        entretiens__v1__due_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not a DueRequest");
    int32_t from = sched_date(req->from), to = sched_date(req->to);
    int type = -1;
    int rc = 0;
    if (from == ENT_DATE_NONE || to == ENT_DATE_NONE) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, from == ENT_DATE_NONE ? "from" : "to", "a valid date is required");
        goto done;
    }
    if (to < from) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "to", "the end of the period is before its start");
        goto done;
    }
    if (req->type && *req->type) {
        sch_type_t t;
        if (sch_type_parse(req->type, &t) != 0) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "type", "unknown interview type '%.40s'", req->type);
            goto done;
        }
        type = (int) t;
    }
    size_t limit = req->limit ? req->limit : 10000, cap = 64, n = 0;
    sched_obl_msg_t **msgs = calloc(cap, sizeof *msgs);
    Entretiens__V1__Employee **emps = calloc(cap, sizeof *emps);
    Entretiens__V1__DueReply rep = ENTRETIENS__V1__DUE_REPLY__INIT;
    MDB_cursor *cur = NULL;
    if (!msgs || !emps || (rc = mdb_cursor_open(call->txn, s->due_index, &cur)) != 0)
        goto out;
    uint8_t start[4];
    uint32_t u = (uint32_t) from ^ 0x80000000u;
    start[0] = (uint8_t) (u >> 24), start[1] = (uint8_t) (u >> 16), start[2] = (uint8_t) (u >> 8), start[3] = (uint8_t) u;
    MDB_val k = { 4, start }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *p = k.mv_data;
        int32_t due = (int32_t) (((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]) ^ 0x80000000u);
        if (due > to)
            break;
        if (type >= 0 && p[4] != type)
            continue;
        uint8_t status = *(const uint8_t *) v.mv_data;
        if (!req->include_met && (status == SCH_STATUS_MET || status == SCH_STATUS_WAIVED || status == SCH_STATUS_CANCELLED))
            continue;
        char id[SCHED_ID_MAX + 1];
        size_t idl = strnlen((const char *) p + 5, k.mv_size - 5);
        if (idl > SCHED_ID_MAX)
            continue;
        memcpy(id, p + 5, idl);
        id[idl] = '\0';
        const uint8_t *q = p + 6 + idl;
        int32_t anchor = (int32_t) (((uint32_t) q[0] << 24 | (uint32_t) q[1] << 16 | (uint32_t) q[2] << 8 | q[3]) ^ 0x80000000u);
        uint32_t campaign = ((uint32_t) q[4] << 24 | (uint32_t) q[5] << 16 | (uint32_t) q[6] << 8 | q[7]) ^ 0x80000000u;
        Entretiens__V1__Employee *emp = NULL;
        if (sched_employee_get(s, call->txn, id, &emp) != 0)
            continue;
        if (!s_match(req->entity, emp->entity) || !s_match(req->department, emp->department) ||
            !s_match(req->manager_id, emp->manager_id)) {
            entretiens__v1__employee__free_unpacked(emp, NULL);
            continue;
        }
        int no = sched_obligations_load(s, call->txn, id);
        const sched_obl_t *found = NULL;
        for (int i = 0; i < no; i++)
            if (s->sobl_buf[i].o.type == p[4] && s->sobl_buf[i].o.anchor == anchor && s->sobl_buf[i].campaign == campaign)
                found = &s->sobl_buf[i];
        if (!found) {
            entretiens__v1__employee__free_unpacked(emp, NULL);
            continue;
        }
        if (n == limit) {
            rep.truncated = true;
            entretiens__v1__employee__free_unpacked(emp, NULL);
            break;
        }
        if (n == cap) {
            cap *= 2;
            sched_obl_msg_t **m2 = realloc(msgs, cap * sizeof *m2);
            Entretiens__V1__Employee **e2 = m2 ? realloc(emps, cap * sizeof *e2) : NULL;
            if (m2)
                msgs = m2;
            if (e2)
                emps = e2;
            if (!m2 || !e2) {
                entretiens__v1__employee__free_unpacked(emp, NULL);
                rc = ENOMEM;
                break;
            }
        }
        msgs[n] = malloc(sizeof **msgs);
        if (!msgs[n]) {
            entretiens__v1__employee__free_unpacked(emp, NULL);
            rc = ENOMEM;
            break;
        }
        emps[n] = emp;
        sched_obligation_msg(s, emp->employee_id, found, emp, msgs[n]);
        n++;
    }
    if (rc == MDB_NOTFOUND)
        rc = 0;
out:
    if (cur)
        mdb_cursor_close(cur);
    if (!rc && msgs) {
        Entretiens__V1__Obligation **ptrs = calloc(n + 1, sizeof *ptrs);
        if (!ptrs) {
            rc = ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++)
                ptrs[i] = &msgs[i]->msg;
            rep.n_obligations = n;
            rep.obligations = ptrs;
            rc = ent_rpc_ok(call, &rep.base);
            free(ptrs);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(msgs[i]);
        entretiens__v1__employee__free_unpacked(emps[i], NULL);
    }
    free(msgs);
    free(emps);
    if (rc == ENOMEM)
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
done:
    entretiens__v1__due_request__free_unpacked(req, NULL);
    return rc;
}

static int s_disciplinary(ent_rpc_call_t *call, void *arg)
{
    (void) arg;
    Entretiens__V1__DisciplinaryRequest *req =
        entretiens__v1__disciplinary_request__unpack(NULL, call->req->payload.len, call->req->payload.data);
    if (!req)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not a DisciplinaryRequest");
    ent_region_t region = ENT_REGION_METROPOLE;
    int rc = 0;
    int32_t facts = sched_date(req->facts_known), letter = sched_date(req->letter_presented),
            interview = sched_date(req->interview);
    if (req->region && *req->region && ent_region_parse(req->region, &region) != 0)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "region", "unknown region '%.40s'", req->region);
    else if ((req->facts_known && facts == ENT_DATE_NONE) || (req->letter_presented && letter == ENT_DATE_NONE) ||
             (req->interview && interview == ENT_DATE_NONE))
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, req->facts_known && facts == ENT_DATE_NONE ? "facts_known"
                          : req->letter_presented && letter == ENT_DATE_NONE ? "letter_presented" : "interview",
                          "not a valid date");
    else if (facts == ENT_DATE_NONE && letter == ENT_DATE_NONE && interview == ENT_DATE_NONE)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "facts_known",
                          "give facts_known, letter_presented or interview");
    else {
        Entretiens__V1__DisciplinaryReply rep = ENTRETIENS__V1__DISCIPLINARY_REPLY__INIT;
        Entretiens__V1__Date a, b, c, d;
        if (facts != ENT_DATE_NONE)
            rep.convocation_by = sched_date_ptr(sch_disc_convocation_by(region, facts), &a);
        if (letter != ENT_DATE_NONE)
            rep.interview_not_before = sched_date_ptr(sch_disc_interview_not_before(region, letter), &b);
        if (interview != ENT_DATE_NONE) {
            rep.sanction_not_before = sched_date_ptr(sch_disc_sanction_not_before(region, interview), &c);
            rep.sanction_not_after = sched_date_ptr(sch_disc_sanction_not_after(region, interview), &d);
        }
        rep.basis = "Code du travail L1332-4 (2 months), L1232-2 (5 jours ouvrables), L1332-2 (2 jours "
                    "ouvrables to 1 month); Code de procedure civile art. 641-642";
        rc = ent_rpc_ok(call, &rep.base);
    }
    entretiens__v1__disciplinary_request__free_unpacked(req, NULL);
    return rc;
}

int sched_queries_register(scheduler_t *s)
{
    if (ent_daemon_method(s->d, "scheduler.obligations", s_obligations, s) ||
        ent_daemon_method(s->d, "scheduler.employee", s_employee, s) ||
        ent_daemon_method(s->d, "scheduler.due", s_due, s) ||
        ent_daemon_method(s->d, "scheduler.disciplinary", s_disciplinary, s))
        return -1;
    return 0;
}
