/*  progress.c — records.interview.progress: the interviews of one campaign
 *  counted by entity, department or interviewer in one call (records.h,
 *  docs/records.md).  A campaign's interviews are those whose obligation id
 *  ends with "/campaign-<id>" (the scheduler's naming); they are found by
 *  a walk of by_obligation, and only their clear header is read (status,
 *  entity, department, interviewer): nothing sealed is opened.
 *  Administrators see every interview; HR with a grant those of its
 *  entities; anyone else is refused.
 */
#include "records.h"

#include "common/grants.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRESS_LIST_MAX 20000

typedef enum { S_BY_ENTITY, S_BY_DEPARTMENT, S_BY_MANAGER } s_by_t;
typedef enum { S_PLANNED, S_SCHEDULED, S_HELD, S_CLOSED, S_CANCELLED } s_stage_t;

/* One interview of the campaign: its header (owned) and its stage. */
typedef struct {
    rec_iv_t *iv;
    const char *group;
    s_stage_t stage;
} s_row_t;

typedef struct {
    s_row_t *rows;
    size_t n, cap;
} s_rows_t;

static void s_rows_free(s_rows_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        entretiens__v1__interview__free_unpacked(r->rows[i].iv, NULL);
    free(r->rows);
    memset(r, 0, sizeof *r);
}

static s_stage_t s_stage(const char *status)
{
    rec_state_t st = REC_S_PLANNED;
    rec_state_parse(status, &st);
    switch (st) {
    case REC_S_PLANNED:
        return S_PLANNED;
    case REC_S_SCHEDULED:
    case REC_S_PREPARATION:
    case REC_S_SHARED:
        return S_SCHEDULED;
    case REC_S_CLOSED:
        return S_CLOSED;
    case REC_S_CANCELLED:
        return S_CANCELLED;
    default:
        return S_HELD; /* held, reported, signed by one */
    }
}

static void s_count(Entretiens__V1__ProgressCounts *c, s_stage_t stage)
{
    uint32_t *by[] = { &c->planned, &c->scheduled, &c->held, &c->closed, &c->cancelled };
    (*by[stage])++;
    c->total++;
}

static int s_by_group(const void *a, const void *b)
{
    const s_row_t *x = a, *y = b;
    int d = strcmp(x->group, y->group);
    return d ? d : strcmp(x->iv->employee_id, y->iv->employee_id);
}

static int s_by_employee(const void *a, const void *b)
{
    const s_row_t *x = a, *y = b;
    int d = strcmp(x->iv->employee_id, y->iv->employee_id);
    return d ? d : strcmp(x->iv->id, y->iv->id);
}

/* True when the obligation id k is the campaign's ("…/campaign-<id>"). */
static bool s_of_campaign(const MDB_val *k, const char *suffix, size_t sl)
{
    return k->mv_size > sl && memcmp((const char *) k->mv_data + k->mv_size - sl, suffix, sl) == 0;
}

/* Gathers the campaign's interviews the caller may count into rows.
 * Returns 0 or an LMDB code / ENOMEM. */
static int s_gather(records_t *r, MDB_txn *txn, const char *campaign, s_by_t by, const ent_principal_t *p,
                    const ent_grant_scope_t *hr, s_rows_t *rows)
{
    char suffix[REC_ID_MAX + 16];
    int sl = snprintf(suffix, sizeof suffix, "/campaign-%s", campaign);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->by_obligation, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!s_of_campaign(&k, suffix, (size_t) sl))
            continue;
        MDB_val hv;
        if ((rc = mdb_get(txn, r->interviews, &v, &hv)) != 0) {
            if (rc == MDB_NOTFOUND)
                continue; /* an index entry without its interview: nothing to count */
            break;
        }
        rec_iv_t *iv = entretiens__v1__interview__unpack(NULL, hv.mv_size, hv.mv_data);
        if (!iv)
            continue;
        if (p->role != ENT_ROLE_ADMIN && !ent_scope_covers(&hr->scope, rec_str(iv->entity))) {
            entretiens__v1__interview__free_unpacked(iv, NULL);
            continue;
        }
        if (rows->n == rows->cap) {
            size_t cap = rows->cap ? rows->cap * 2 : 256;
            s_row_t *grown = realloc(rows->rows, cap * sizeof *grown);
            if (!grown) {
                entretiens__v1__interview__free_unpacked(iv, NULL);
                rc = ENOMEM;
                break;
            }
            rows->rows = grown;
            rows->cap = cap;
        }
        const char *group = by == S_BY_DEPARTMENT ? iv->department : by == S_BY_MANAGER ? iv->manager_id : iv->entity;
        rows->rows[rows->n++] = (s_row_t) { iv, rec_str(group), s_stage(iv->status) };
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The answer: the groups (rows sorted by group), the total, the list. */
static int s_reply(ent_rpc_call_t *call, const char *campaign, const char *by_name, s_rows_t *rows, bool list)
{
    Entretiens__V1__CampaignProgress rep = ENTRETIENS__V1__CAMPAIGN_PROGRESS__INIT;
    Entretiens__V1__ProgressCounts total = ENTRETIENS__V1__PROGRESS_COUNTS__INIT;
    Entretiens__V1__ProgressCounts *groups = NULL, **gp = NULL;
    Entretiens__V1__CampaignProgressItem *items = NULL, **ip = NULL;
    int rc = 0;
    size_t ng = 0, ni = list ? (rows->n < PROGRESS_LIST_MAX ? rows->n : PROGRESS_LIST_MAX) : 0;
    if (rows->n) /* no rows: no array (qsort wants one) */
        qsort(rows->rows, rows->n, sizeof *rows->rows, s_by_group);
    groups = calloc(rows->n + 1, sizeof *groups);
    gp = calloc(rows->n + 1, sizeof *gp);
    items = calloc(ni + 1, sizeof *items);
    ip = calloc(ni + 1, sizeof *ip);
    if (!groups || !gp || !items || !ip) {
        rc = ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < rows->n; i++) {
        if (ng == 0 || strcmp(groups[ng - 1].group, rows->rows[i].group) != 0) {
            entretiens__v1__progress_counts__init(&groups[ng]);
            groups[ng].group = (char *) rows->rows[i].group;
            gp[ng] = &groups[ng];
            ng++;
        }
        s_count(&groups[ng - 1], rows->rows[i].stage);
        s_count(&total, rows->rows[i].stage);
    }
    if (list) {
        if (rows->n)
            qsort(rows->rows, rows->n, sizeof *rows->rows, s_by_employee);
        for (size_t i = 0; i < ni; i++) {
            const rec_iv_t *iv = rows->rows[i].iv;
            Entretiens__V1__CampaignProgressItem *it = &items[i];
            entretiens__v1__campaign_progress_item__init(it);
            it->interview_id = iv->id;
            it->employee_id = iv->employee_id;
            it->status = iv->status;
            it->entity = iv->entity;
            it->department = iv->department;
            it->manager_id = iv->manager_id;
            it->first_name = iv->first_name;
            it->last_name = iv->last_name;
            ip[i] = it;
        }
        rep.interviews = ip;
        rep.n_interviews = ni;
        rep.truncated = ni < rows->n;
    }
    rep.campaign_id = (char *) campaign;
    rep.group_by = (char *) by_name;
    rep.groups = gp;
    rep.n_groups = ng;
    rep.total = &total;
    rc = ent_rpc_ok(call, &rep.base);
done:
    free(groups);
    free(gp);
    free(items);
    free(ip);
    return rc;
}

static int s_progress(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    Entretiens__V1__CampaignProgressRequest *q =
        ent_rpc_unpack(call, &entretiens__v1__campaign_progress_request__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    ent_principal_t p;
    ent_grant_scope_t hr;
    memset(&hr, 0, sizeof hr);
    s_rows_t rows = { 0 };
    const char *why = NULL, *by_name = q->group_by && *q->group_by ? q->group_by : "entity";
    s_by_t by = strcmp(by_name, "department") == 0 ? S_BY_DEPARTMENT
                : strcmp(by_name, "manager") == 0  ? S_BY_MANAGER
                                                   : S_BY_ENTITY;
    int rc = 0;
    if (ent_principal_parse(call->caller, &p, &why) != 0) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
        goto done;
    }
    if (p.role == ENT_ROLE_HR && (rc = ent_grants_scope(call->txn, r->grants, call->caller, &hr)) != 0)
        goto done;
    if (p.role != ENT_ROLE_ADMIN && !(p.role == ENT_ROLE_HR && hr.scope.granted)) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                          "%s: a campaign's progress is for administrators and HR with a grant", call->caller);
        goto done;
    }
    if (!q->campaign_id || !*q->campaign_id || strlen(q->campaign_id) > REC_ID_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "campaign_id", "a campaign id (1-64 bytes) is required");
        goto done;
    }
    if (by == S_BY_ENTITY && strcmp(by_name, "entity") != 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "group_by", "entity, department or manager, not '%.40s'", by_name);
        goto done;
    }
    if ((rc = s_gather(r, call->txn, q->campaign_id, by, &p, &hr, &rows)) == 0)
        rc = s_reply(call, q->campaign_id, by_name, &rows, q->list);
done:
    s_rows_free(&rows);
    ent_grants_scope_free(&hr);
    entretiens__v1__campaign_progress_request__free_unpacked(q, NULL);
    return rc;
}

int rec_progress_register(records_t *r)
{
    return ent_daemon_method(r->d, "records.interview.progress", s_progress, r) ? -1 : 0;
}
