/*  campaign_members.c — who a campaign concerns (scheduler.h):
 *  scheduler.campaign.preview (the population of a campaign not created
 *  yet, from the same membership test as the recompute, nothing stored)
 *  and scheduler.campaign.members (the people a campaign's obligations
 *  name, with their status and whether they joined late).  Each member is
 *  listed only when the caller's grant covers her entity.
 */
#include "scheduler.h"

#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS_MAX 20000

/* The reply under construction: members point into the employees' records
 * (emps), freed with it. */
typedef struct {
    Entretiens__V1__CampaignMembers rep;
    Entretiens__V1__CampaignMember *rows;
    Entretiens__V1__CampaignMember **ptrs;
    Entretiens__V1__Employee **emps;
    Entretiens__V1__Date *hired;
    size_t limit;
} s_list_t;

static int s_list_init(s_list_t *l, uint32_t limit)
{
    memset(l, 0, sizeof *l);
    entretiens__v1__campaign_members__init(&l->rep);
    l->limit = limit && limit < MEMBERS_MAX ? limit : MEMBERS_MAX;
    l->rows = calloc(l->limit, sizeof *l->rows);
    l->ptrs = calloc(l->limit, sizeof *l->ptrs);
    l->emps = calloc(l->limit, sizeof *l->emps);
    l->hired = calloc(l->limit, sizeof *l->hired);
    return l->rows && l->ptrs && l->emps && l->hired ? 0 : ENOMEM;
}

static void s_list_free(s_list_t *l)
{
    for (size_t i = 0; i < l->rep.n_members; i++)
        if (l->emps[i])
            entretiens__v1__employee__free_unpacked(l->emps[i], NULL);
    free(l->rows);
    free(l->ptrs);
    free(l->emps);
    free(l->hired);
    memset(l, 0, sizeof *l);
}

/* Counts a member the caller may see and lists her while there is room.
 * Returns 0, or an LMDB code. */
static int s_list_add(scheduler_t *s, MDB_txn *txn, s_list_t *l, const char *employee_id, int32_t hired,
                      const char *status, bool late)
{
    l->rep.total++;
    if (late)
        l->rep.late++;
    if (l->rep.n_members == l->limit) {
        l->rep.truncated = true;
        return 0;
    }
    size_t i = l->rep.n_members++;
    Entretiens__V1__CampaignMember *m = &l->rows[i];
    entretiens__v1__campaign_member__init(m);
    l->ptrs[i] = m;
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, s->employees, &k, &v);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    Entretiens__V1__Employee *e = rc ? NULL : entretiens__v1__employee__unpack(NULL, v.mv_size, v.mv_data);
    l->emps[i] = e;
    m->employee_id = e ? e->employee_id : (char *) "";
    if (e) {
        m->first_name = e->first_name;
        m->last_name = e->last_name;
        m->entity = e->entity;
        m->department = e->department;
        m->site = e->site;
        m->category = e->category;
        m->manager_id = e->manager_id;
    }
    m->hired_on = ent_pbdate_ptr(hired, &l->hired[i]);
    m->status = (char *) (status ? status : "");
    m->late = late;
    return 0;
}

/* Answers the list once the scan ended with rc (MDB_NOTFOUND: the end). */
static int s_answer(ent_rpc_call_t *call, int rc, s_list_t *l)
{
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    l->rep.members = l->ptrs;
    return ent_rpc_ok(call, &l->rep.base);
}

/* The employee's facts read and checked against the campaign: the head
 * (her current entity, department, site) and the employment it counts.
 * Returns true when she is in its population. */
static bool s_member(scheduler_t *s, const sched_campaign_t *cp, MDB_val v, sched_facts_head_t *h, int32_t *hired)
{
    size_t nf;
    const uint8_t *fp = sched_facts_parse(&v, h, &nf);
    if (!fp)
        return false;
    if (nf > SCHED_MAX_FACTS)
        nf = SCHED_MAX_FACTS;
    memcpy(s->facts_buf, fp, nf * sizeof(sch_fact_t)); /* aligned copy */
    int32_t left;
    return sched_campaign_member(cp, h, s->facts_buf, nf, hired, &left);
}

/* Loads the caller; false (the call answered) unless administrator or HR
 * with a grant (all: every entity). */
static int s_caller(scheduler_t *s, ent_rpc_call_t *call, bool all, sched_caller_t *who, bool *ok)
{
    int rc = sched_caller_load(s, call->txn, call->caller, who);
    *ok = !rc && (all ? sched_caller_hr_all(who) : sched_caller_hr(who));
    if (!rc && !*ok)
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s: %s", call->caller,
                          all ? "campaigns are set by an administrator or HR with every entity in scope"
                              : "for administrators and HR with a grant");
    return rc;
}

static bool s_sees(const sched_caller_t *who, const char *entity)
{
    return who->p.role == ENT_ROLE_ADMIN || ent_scope_covers(&who->hr.scope, entity);
}

/* scheduler.campaign.preview: Campaign (as for create) -> CampaignMembers. */
static int s_preview(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    sched_caller_t who;
    memset(&who, 0, sizeof who);
    bool ok;
    int rc = s_caller(s, call, true, &who, &ok);
    Entretiens__V1__Campaign *c = NULL;
    MDB_cursor *cur = NULL;
    s_list_t l;
    memset(&l, 0, sizeof l);
    if (rc || !ok)
        goto done;
    if (!(c = ent_rpc_unpack(call, &entretiens__v1__campaign__descriptor)))
        goto done; /* answered INVALID_ARGUMENT */
    if ((rc = sched_campaign_check(call, c, false)) != 0 || call->code != ENT_OK)
        goto done;
    sched_campaign_t cp = { .c = c };
    sched_campaign_fill(&cp);
    cp.state = SCHED_CAMPAIGN_OPEN;
    cp.closed_on = ENT_DATE_NONE;
    if ((rc = s_list_init(&l, 0)) != 0 || (rc = mdb_cursor_open(call->txn, s->facts, &cur)) != 0)
        goto done;
    l.rep.campaign_id = c->id;
    MDB_val k, v;
    char id[SCHED_ID_MAX + 1];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        sched_facts_head_t h;
        int32_t hired;
        if (k.mv_size > SCHED_ID_MAX || !s_member(s, &cp, v, &h, &hired) || !s_sees(&who, h.entity))
            continue;
        memcpy(id, k.mv_data, k.mv_size);
        id[k.mv_size] = '\0';
        if ((rc = s_list_add(s, call->txn, &l, id, hired, NULL, false)) != 0)
            break;
    }
    rc = s_answer(call, rc, &l);
done:
    if (cur)
        mdb_cursor_close(cur);
    s_list_free(&l);
    if (c)
        entretiens__v1__campaign__free_unpacked(c, NULL);
    sched_caller_free(&who);
    return rc;
}

/* scheduler.campaign.members: CampaignMembersRequest -> CampaignMembers. */
static int s_members(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    sched_caller_t who;
    memset(&who, 0, sizeof who);
    bool ok;
    int rc = s_caller(s, call, false, &who, &ok);
    Entretiens__V1__CampaignMembersRequest *req = NULL;
    MDB_cursor *cur = NULL;
    s_list_t l;
    memset(&l, 0, sizeof l);
    if (rc || !ok)
        goto done;
    if (!(req = ent_rpc_unpack(call, &entretiens__v1__campaign_members_request__descriptor)))
        goto done; /* answered INVALID_ARGUMENT */
    size_t number = 0;
    for (size_t i = 0; i < s->n_campaigns; i++)
        if (strcmp(s->campaigns[i].c->id, req->id) == 0)
            number = i + 1;
    if (!number) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no campaign '%.64s'", req->id);
        goto done;
    }
    if (req->limit > MEMBERS_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "limit", "limit is from 1 to %d", MEMBERS_MAX);
        goto done;
    }
    const sched_campaign_t *cp = &s->campaigns[number - 1];
    /* opened: the later of its window's start and the day it was created */
    int32_t opened = ent_date_from_unix_ms(cp->c->created_at_ms);
    if (cp->start > opened)
        opened = cp->start;
    if ((rc = s_list_init(&l, req->limit)) != 0 || (rc = mdb_cursor_open(call->txn, s->obligations, &cur)) != 0)
        goto done;
    l.rep.campaign_id = cp->c->id;
    MDB_val k, v;
    char id[SCHED_ID_MAX + 1];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t no = v.mv_size / sizeof(sched_obl_t);
        const char *status = NULL;
        for (size_t i = 0; i < no && !status; i++) {
            sched_obl_t o;
            memcpy(&o, (const uint8_t *) v.mv_data + i * sizeof o, sizeof o); /* values are not aligned */
            if (o.campaign == number)
                status = sch_status_name(o.o.status);
        }
        if (!status || k.mv_size > SCHED_ID_MAX)
            continue;
        memcpy(id, k.mv_data, k.mv_size);
        id[k.mv_size] = '\0';
        MDB_val fk = { k.mv_size, id }, fv;
        sched_facts_head_t h;
        h.entity[0] = '\0'; /* facts missing or unreadable: no entity, seen by administrators only */
        int32_t hired = ENT_DATE_NONE;
        if ((rc = mdb_get(call->txn, s->facts, &fk, &fv)) != 0 && rc != MDB_NOTFOUND)
            break;
        if (rc == 0 && !s_member(s, cp, fv, &h, &hired))
            hired = ENT_DATE_NONE;
        rc = 0;
        if (!s_sees(&who, h.entity))
            continue;
        bool late = hired != ENT_DATE_NONE && hired > opened;
        if (req->late_only && !late)
            continue;
        if ((rc = s_list_add(s, call->txn, &l, id, hired, status, late)) != 0)
            break;
    }
    rc = s_answer(call, rc, &l);
done:
    if (cur)
        mdb_cursor_close(cur);
    s_list_free(&l);
    if (req)
        entretiens__v1__campaign_members_request__free_unpacked(req, NULL);
    sched_caller_free(&who);
    return rc;
}

int sched_campaign_members_register(scheduler_t *s)
{
    if (ent_daemon_method(s->d, "scheduler.campaign.preview", s_preview, s) ||
        ent_daemon_method(s->d, "scheduler.campaign.members", s_members, s))
        return -1;
    return 0;
}
