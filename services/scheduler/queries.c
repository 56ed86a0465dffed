/*  queries.c — scheduler.obligations, scheduler.employee, scheduler.due and
 *  scheduler.disciplinary (scheduler.h). */
#include "scheduler.h"
#include "discipline.h"
#include "hand_pack.h"
#include "trial.h"

#include "common/calendar.h"
#include "common/clock.h"
#include "common/date.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Loads the employee a request is about and checks that the caller may see
 * her.  Returns 0 with *emp (free it) and *rel, or 0 with *emp NULL after
 * answering the call (NOT_FOUND for those who may see everyone, else
 * PERMISSION_DENIED: whether someone exists is not told to others), or an
 * LMDB code. */
static int s_subject_of(scheduler_t *s, ent_rpc_call_t *call, sched_caller_t *who, const char *employee_id,
                        ProtobufCAllocator *alloc, Entretiens__V1__Employee **emp, ent_relation_t *rel)
{
    *emp = NULL;
    *rel = ENT_REL_NONE;
    if (!who->valid)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", who->why);
    Entretiens__V1__Employee *e = NULL;
    int rc = sched_employee_get_with(s, call->txn, employee_id, alloc, &e);
    if (rc == MDB_NOTFOUND)
        return sched_caller_hr_all(who)
            ? ent_rpc_fail(call, ENT_NOT_FOUND, "employee_id", "no employee '%s'", employee_id)
            : ent_rpc_fail(call, ENT_PERMISSION_DENIED, "employee_id", "%s may not see employee '%s'", call->caller,
                           employee_id);
    if (!rc)
        rc = sched_caller_relation(s, call->txn, who, e, rel);
    if (!rc && *rel == ENT_REL_NONE) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "employee_id", "%s may not see employee '%s'", call->caller,
                          employee_id);
        entretiens__v1__employee__free_unpacked(e, alloc);
        return rc;
    }
    if (rc) {
        if (e)
            entretiens__v1__employee__free_unpacked(e, alloc);
        return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
    }
    *emp = e;
    return 0;
}

/* s_subject_of for the caller of the call. */
static int s_subject(scheduler_t *s, ent_rpc_call_t *call, const char *employee_id, ProtobufCAllocator *alloc,
                     Entretiens__V1__Employee **emp, ent_relation_t *rel)
{
    sched_caller_t who;
    *emp = NULL;
    int rc = sched_caller_load(s, call->txn, call->caller, &who);
    if (!rc)
        rc = s_subject_of(s, call, &who, employee_id, alloc, emp, rel);
    sched_caller_free(&who);
    return rc;
}

/* Points msg's manager name at mgr's (mgr stays alive with msg). */
static void s_manager_name(Entretiens__V1__Obligation *msg, const Entretiens__V1__Employee *mgr)
{
    if (!mgr)
        return;
    msg->manager_first_name = mgr->first_name;
    msg->manager_last_name = mgr->last_name;
}

/* The record of emp's manager (the caller frees it with alloc), NULL when
 * none is known.  Returns 0 or an LMDB code. */
static int s_manager_get(scheduler_t *s, MDB_txn *txn, const Entretiens__V1__Employee *emp, ProtobufCAllocator *alloc,
                         Entretiens__V1__Employee **out)
{
    *out = NULL;
    if (!emp || !emp->manager_id || !*emp->manager_id)
        return 0;
    int rc = sched_employee_get_with(s, txn, emp->manager_id, alloc, out);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_obligations(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__ObligationsRequest *req = ent_rpc_unpack(call, &entretiens__v1__obligations_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    if (!req->employee_id || !*req->employee_id || strlen(req->employee_id) > SCHED_ID_MAX) {
        entretiens__v1__obligations_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "employee_id", "an employee id is required");
    }
    /* the two records are unpacked into the query arena, free again here:
     * a call is over before the next one starts (one loop thread) */
    ent_pbarena_reset(s->query_arena);
    ProtobufCAllocator *alloc = ent_pbarena_allocator(s->query_arena);
    Entretiens__V1__Employee *emp = NULL;
    ent_relation_t rel = ENT_REL_NONE;
    int rc = s_subject(s, call, req->employee_id, alloc, &emp, &rel);
    if (rc || !emp) {
        entretiens__v1__obligations_request__free_unpacked(req, NULL);
        return rc;
    }
    Entretiens__V1__Employee *mgr = NULL;
    int n = s_manager_get(s, call->txn, emp, alloc, &mgr);
    if (n == 0)
        n = sched_obligations_load(s, call->txn, req->employee_id);
    else if (n > 0)
        n = -n;
    if (n < 0) {
        entretiens__v1__obligations_request__free_unpacked(req, NULL);
        entretiens__v1__employee__free_unpacked(emp, alloc);
        if (mgr)
            entretiens__v1__employee__free_unpacked(mgr, alloc);
        return n; /* as sched_obligations_load's: a negative LMDB code */
    }
    bool health = ent_relation_sees_health(rel);
    sch_lang_t lang = sched_lang(req->lang);
    sched_obl_msg_t *msgs = calloc((size_t) n + 1, sizeof *msgs);
    Entretiens__V1__Obligation **ptrs = calloc((size_t) n + 1, sizeof *ptrs);
    if (!msgs || !ptrs) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    } else {
        size_t shown = 0;
        for (int i = 0; i < n; i++) {
            const sched_obl_t *o = &s->sobl_buf[i];
            if (!health && sched_obligation_hidden(o))
                continue;
            sched_obligation_msg(s, req->employee_id, o, emp, lang, &msgs[shown]);
            s_manager_name(&msgs[shown].msg, mgr);
            if (!health && sched_obligation_health(o))
                sched_obligation_redact(&msgs[shown], lang);
            ptrs[shown] = &msgs[shown].msg;
            shown++;
        }
        /* by hand (hand_pack.h: the same bytes), else protobuf-c */
        uint8_t packed[16384];
        size_t plen = 0;
        if (sched_obligations_reply_pack(ptrs, shown, packed, sizeof packed, &plen) == 0) {
            rc = ent_rpc_ok_bytes(call, packed, plen);
        } else {
            Entretiens__V1__ObligationsReply rep = ENTRETIENS__V1__OBLIGATIONS_REPLY__INIT;
            rep.n_obligations = shown;
            rep.obligations = ptrs;
            rc = ent_rpc_ok(call, &rep.base);
        }
    }
    free(msgs);
    free(ptrs);
    entretiens__v1__employee__free_unpacked(emp, alloc);
    if (mgr)
        entretiens__v1__employee__free_unpacked(mgr, alloc);
    entretiens__v1__obligations_request__free_unpacked(req, NULL);
    return rc;
}

static int s_employee(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__EmployeeRequest *req = ent_rpc_unpack(call, &entretiens__v1__employee_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    if (!req->employee_id || !*req->employee_id || strlen(req->employee_id) > SCHED_ID_MAX) {
        entretiens__v1__employee_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "employee_id", "an employee id is required");
    }
    Entretiens__V1__Employee *emp = NULL;
    ent_relation_t rel = ENT_REL_NONE;
    int rc = s_subject(s, call, req->employee_id, NULL, &emp, &rel);
    if (rc || !emp) {
        entretiens__v1__employee_request__free_unpacked(req, NULL);
        return rc;
    }
    Entretiens__V1__EmployeeEvent **hist = NULL;
    size_t n = 0;
    rc = sched_history_list(s, call->txn, req->employee_id, &hist, &n);
    if (!rc && !ent_relation_sees_health(rel)) {
        /* a line manager sees the absences, not what they were */
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (sched_event_redact(hist[i]))
                hist[kept++] = hist[i];
            else
                entretiens__v1__employee_event__free_unpacked(hist[i], NULL);
        }
        n = kept;
    }
    Entretiens__V1__Date trial;
    if (!rc) {
        /* the trial end is computed from the facts on today's date */
        MDB_val k = { strlen(req->employee_id), req->employee_id }, v;
        sched_facts_head_t head;
        size_t nf = 0;
        const uint8_t *fp = mdb_get(call->txn, s->facts, &k, &v) == 0 ? sched_facts_parse(&v, &head, &nf) : NULL;
        if (fp) {
            if (nf > SCHED_MAX_FACTS)
                nf = SCHED_MAX_FACTS;
            memcpy(s->facts_buf, fp, nf * sizeof(sch_fact_t));
            sch_employee_t e = { .facts = s->facts_buf, .nfacts = (uint32_t) nf, .birth_date = ent_pbdate_day(emp->birth_date) };
            /* the entity's policy says whether a renewal can apply */
            const sch_policy_t *pol = sched_policy_for(s, emp->entity ? emp->entity : "");
            ent_today_t today;
            ent_clock_today_all(&today);
            emp->trial_end = ent_pbdate_ptr(sch_trial_end(pol, &e, sched_today_of(&today, &head, pol)), &trial);
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

/* One deadline of the calendar, with the employee its strings point into. */
typedef struct {
    sched_obl_msg_t m;
    Entretiens__V1__Employee *emp;
    Entretiens__V1__Employee *mgr;   /* the manager's record, for her name; NULL when unknown */
} s_due_item_t;

/* The calendar being built by scheduler.due: while collecting, the items
 * are a max-heap on (due date, obligation id) holding the `limit` earliest,
 * so that a cut answer is always the beginning of the whole one and the
 * next page starts after its last item. */
typedef struct {
    scheduler_t *s;
    sched_caller_t *who;          /* the caller: whose deadlines it may see */
    int err;                      /* an error met while filtering (LMDB code, ENOMEM) */
    const Entretiens__V1__DueRequest *req;
    int32_t from, to;
    int32_t after_due;            /* cursor: items after (after_due, after_id) */
    const char *after_id;
    int type;                     /* -1 = any */
    size_t limit, n;
    bool truncated;
    s_due_item_t **items;
    /* every match, every page: the exact total and its split */
    uint64_t total;
    uint64_t counts[SCH_TYPE_COUNT][SCH_STATUS_COUNT];
    bool counts_only;
    sch_lang_t lang;
} s_due_t;

static bool s_match(const char *filter, const char *value)
{
    return !filter || !*filter || (value && strcmp(filter, value) == 0);
}

/* The filters, then the caller's right to see the employee; *health is
 * set when the caller may see why she is owed a return interview. */
static bool s_due_employee_ok(s_due_t *c, MDB_txn *txn, const Entretiens__V1__Employee *emp, bool *health)
{
    if (!(s_match(c->req->entity, emp->entity) && s_match(c->req->department, emp->department) &&
          s_match(c->req->manager_id, emp->manager_id)))
        return false;
    ent_relation_t rel;
    int rc = sched_caller_relation(c->s, txn, c->who, emp, &rel);
    if (rc) {
        c->err = rc;
        return false;
    }
    *health = ent_relation_sees_health(rel);
    return rel != ENT_REL_NONE;
}

static int s_item_cmp(const s_due_item_t *x, const s_due_item_t *y)
{
    int dx = x->m.due.year * 10000 + x->m.due.month * 100 + x->m.due.day;
    int dy = y->m.due.year * 10000 + y->m.due.month * 100 + y->m.due.day;
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x->m.id, y->m.id);
}

static int s_due_cmp(const void *a, const void *b)
{
    return s_item_cmp(*(s_due_item_t *const *) a, *(s_due_item_t *const *) b);
}

static void s_item_free(s_due_item_t *it)
{
    if (!it)
        return;
    entretiens__v1__employee__free_unpacked(it->emp, NULL);
    if (it->mgr)
        entretiens__v1__employee__free_unpacked(it->mgr, NULL);
    free(it);
}

static void s_heap_up(s_due_item_t **h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s_item_cmp(h[p], h[i]) >= 0)
            break;
        s_due_item_t *t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
    }
}

static void s_heap_down(s_due_item_t **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && s_item_cmp(h[l], h[m]) > 0)
            m = l;
        if (r < n && s_item_cmp(h[r], h[m]) > 0)
            m = r;
        if (m == i)
            return;
        s_due_item_t *t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
}

/* Offers one deadline (health: whether the caller may see why a return
 * is owed); takes ownership of emp in every case.  Returns 0 or ENOMEM. */
static int s_due_add(s_due_t *c, Entretiens__V1__Employee *emp, const sched_obl_t *o, bool health)
{
    if (!health && sched_obligation_hidden(o)) {
        entretiens__v1__employee__free_unpacked(emp, NULL);
        return 0;
    }
    c->total++;
    if (o->o.type < SCH_TYPE_COUNT && o->o.status < SCH_STATUS_COUNT)
        c->counts[o->o.type][o->o.status]++;
    /* counted; kept only if it can be on this page (the reason sentences
     * of a message cost more than the count) */
    bool after_page = c->n == c->limit && c->n > 0 && o->o.due_date > ent_pbdate_day(c->items[0]->m.msg.due_date);
    if (c->counts_only || after_page) {
        if (after_page)
            c->truncated = true;
        entretiens__v1__employee__free_unpacked(emp, NULL);
        return 0;
    }
    s_due_item_t *it = malloc(sizeof *it);
    if (!it) {
        entretiens__v1__employee__free_unpacked(emp, NULL);
        return ENOMEM;
    }
    it->emp = emp;
    it->mgr = NULL; /* named for the page only, at the end */
    sched_obligation_msg(c->s, emp->employee_id, o, emp, c->lang, &it->m);
    if (!health && sched_obligation_health(o))
        sched_obligation_redact(&it->m, c->lang);
    if (c->after_id && (o->o.due_date < c->after_due ||
                        (o->o.due_date == c->after_due && strcmp(it->m.id, c->after_id) <= 0))) {
        s_item_free(it); /* on an earlier page */
        return 0;
    }
    if (c->n < c->limit) {
        c->items[c->n] = it;
        s_heap_up(c->items, c->n++);
        return 0;
    }
    c->truncated = true;
    if (c->n > 0 && s_item_cmp(it, c->items[0]) < 0) {
        s_item_free(c->items[0]);
        c->items[0] = it;
        s_heap_down(c->items, c->n, 0);
    } else {
        s_item_free(it);
    }
    return 0;
}

/* Actionable deadlines: a range scan of the due index, month by month;
 * once the heap is full, a later month cannot hold an earlier deadline. */
static int s_due_from_index(s_due_t *c, MDB_txn *txn)
{
    scheduler_t *s = c->s;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->due_index, &cur);
    if (rc)
        return rc;
    int y, m, d;
    ent_date_to_ymd(c->from, &y, &m, &d);
    int32_t first_month = y * 12 + m - 1;
    ent_date_to_ymd(c->to, &y, &m, &d);
    int32_t last_month = y * 12 + m - 1;
    uint8_t start[4];
    ent_key_day_put(start, first_month);
    MDB_val k = { 4, start }, v;
    int32_t month = first_month;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *p = k.mv_data;
        if (k.mv_size < 19)
            continue;
        int32_t km = ent_key_day_get(p);
        if (km > last_month)
            break;
        if (km != month) {
            month = km;
            /* full: a later month cannot hold an earlier deadline, but the
             * total counts every one */
            if (c->n >= c->limit)
                c->truncated = true;
        }
        size_t idl = strnlen((const char *) p + 4, k.mv_size - 4);
        if (idl > SCHED_ID_MAX || 4 + idl + 1 + 13 != k.mv_size)
            continue;
        const uint8_t *q = p + 5 + idl;
        int32_t due = ent_key_day_get(q + 1);
        if (due < c->from || due > c->to || (c->type >= 0 && q[0] != c->type))
            continue;
        char id[SCHED_ID_MAX + 1];
        memcpy(id, p + 4, idl);
        id[idl] = '\0';
        int32_t anchor = ent_key_day_get(q + 5);
        uint32_t campaign = (uint32_t) ent_key_day_get(q + 9);
        Entretiens__V1__Employee *emp = NULL;
        bool health = false;
        if (sched_employee_get(s, txn, id, &emp) != 0)
            continue;
        if (!s_due_employee_ok(c, txn, emp, &health)) {
            entretiens__v1__employee__free_unpacked(emp, NULL);
            if (c->err) {
                rc = c->err;
                break;
            }
            continue;
        }
        int no = sched_obligations_load(s, txn, id);
        const sched_obl_t *found = NULL;
        for (int i = 0; i < no; i++)
            if (s->sobl_buf[i].o.type == q[0] && s->sobl_buf[i].o.anchor == anchor && s->sobl_buf[i].campaign == campaign)
                found = &s->sobl_buf[i];
        if (!found) {
            entretiens__v1__employee__free_unpacked(emp, NULL);
            continue;
        }
        if ((rc = s_due_add(c, emp, found, health)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every deadline, met ones included: a scan of every employee's obligations
 * (the index holds actionable ones only). */
static int s_due_scan(s_due_t *c, MDB_txn *txn)
{
    scheduler_t *s = c->s;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->obligations, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t no = v.mv_size / sizeof(sched_obl_t);
        if (no > SCHED_MAX_OBLIGATIONS)
            no = SCHED_MAX_OBLIGATIONS;
        memcpy(s->sobl_buf, v.mv_data, no * sizeof(sched_obl_t));
        char id[SCHED_ID_MAX + 1];
        size_t len = k.mv_size < SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(id, k.mv_data, len);
        id[len] = '\0';
        for (size_t i = 0; i < no; i++) {
            const sched_obl_t *o = &s->sobl_buf[i];
            if (o->o.due_date < c->from || o->o.due_date > c->to || (c->type >= 0 && o->o.type != c->type))
                continue;
            Entretiens__V1__Employee *emp = NULL;
            bool health = false;
            if (sched_employee_get(s, txn, id, &emp) != 0)
                break;
            if (!s_due_employee_ok(c, txn, emp, &health)) {
                entretiens__v1__employee__free_unpacked(emp, NULL);
                rc = c->err;
                break;
            }
            if ((rc = s_due_add(c, emp, o, health)) != 0)
                break;
        }
        if (rc)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_due(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__DueRequest *req = ent_rpc_unpack(call, &entretiens__v1__due_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    sched_caller_t who;
    s_due_t c = { .s = s, .who = &who, .req = req, .from = ent_pbdate_day(req->from), .to = ent_pbdate_day(req->to),
                  .type = -1, .limit = req->limit ? req->limit : 10000, .counts_only = req->counts_only, .lang = sched_lang(req->lang) };
    int rc = sched_caller_load(s, call->txn, call->caller, &who);
    if (rc)
        goto done;
    if (!who.valid) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", who.why);
        goto done;
    }
    if (c.from == ENT_DATE_NONE || c.to == ENT_DATE_NONE) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, c.from == ENT_DATE_NONE ? "from" : "to", "a valid date is required");
        goto done;
    }
    if (c.to < c.from) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "to", "the end of the period is before its start");
        goto done;
    }
    if (req->type && *req->type) {
        sch_type_t t;
        if (sch_type_parse(req->type, &t) != 0) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "type", "unknown interview type '%.40s'", req->type);
            goto done;
        }
        c.type = (int) t;
    }
    if (req->after_obligation_id && *req->after_obligation_id) {
        c.after_due = ent_pbdate_day(req->after_due);
        if (c.after_due == ENT_DATE_NONE) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "after_due", "a page cursor needs the due date of its last item");
            goto done;
        }
        c.after_id = req->after_obligation_id;
        if (c.after_due > c.from)
            c.from = c.after_due;
    }
    c.items = calloc(c.limit ? c.limit : 1, sizeof *c.items);
    if (!c.items) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, "limit", "cannot hold %zu deadlines", c.limit);
        goto done;
    }
    if (c.from <= c.to)
        rc = req->include_met ? s_due_scan(&c, call->txn) : s_due_from_index(&c, call->txn);
    /* the managers' names, for the page only: one read per deadline shown
     * (a page is at most `limit` of them), none for those counted only */
    for (size_t i = 0; !rc && i < c.n; i++) {
        s_due_item_t *it = c.items[i];
        rc = s_manager_get(s, call->txn, it->emp, NULL, &it->mgr);
        s_manager_name(&it->m.msg, it->mgr);
    }
    if (!rc) {
        qsort(c.items, c.n, sizeof *c.items, s_due_cmp);
        Entretiens__V1__Obligation **ptrs = calloc(c.n + 1, sizeof *ptrs);
        if (!ptrs) {
            rc = ENOMEM;
        } else {
            for (size_t i = 0; i < c.n; i++)
                ptrs[i] = &c.items[i]->m.msg;
            Entretiens__V1__DueReply rep = ENTRETIENS__V1__DUE_REPLY__INIT;
            rep.n_obligations = c.n;
            rep.obligations = ptrs;
            rep.truncated = c.truncated;
            rep.total = c.total;
            Entretiens__V1__DueCount cnt[SCH_TYPE_COUNT * SCH_STATUS_COUNT], *pcnt[SCH_TYPE_COUNT * SCH_STATUS_COUNT];
            for (int t = 0; t < SCH_TYPE_COUNT; t++)
                for (int st = 0; st < SCH_STATUS_COUNT; st++) {
                    if (!c.counts[t][st])
                        continue;
                    Entretiens__V1__DueCount *dc = &cnt[rep.n_counts];
                    entretiens__v1__due_count__init(dc);
                    dc->type = (char *) sch_type_name(t);
                    dc->status = (char *) sch_status_name(st);
                    dc->count = c.counts[t][st];
                    pcnt[rep.n_counts++] = dc;
                }
            rep.counts = pcnt;
            rc = ent_rpc_ok(call, &rep.base);
            free(ptrs);
        }
    }
    if (rc == ENOMEM)
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
done:
    for (size_t i = 0; i < c.n; i++)
        s_item_free(c.items[i]);
    free(c.items);
    sched_caller_free(&who);
    entretiens__v1__due_request__free_unpacked(req, NULL);
    return rc;
}

static int s_disciplinary(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__DisciplinaryRequest *req = ent_rpc_unpack(call, &entretiens__v1__disciplinary_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    /* The entity's policy (region, Good Friday, convocation_deadline),
     * then what the request overrides. */
    sch_policy_t pol = *sched_policy_for(s, req->entity ? req->entity : "");
    ent_region_t region = (ent_region_t) pol.region;
    ent_good_friday_t gf = (ent_good_friday_t) pol.good_friday;
    int rc = 0;
    int32_t facts = ent_pbdate_day(req->facts_known), letter = ent_pbdate_day(req->letter_presented),
            interview = ent_pbdate_day(req->interview);
    int32_t max_day = ent_date_from_ymd(9000, 1, 1);
    if (req->region && *req->region && ent_region_parse(req->region, &region) != 0)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "region", "unknown region '%.40s'", req->region);
    else if (req->good_friday && *req->good_friday && ent_good_friday_parse(req->good_friday, &gf) != 0)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "good_friday", "'%.40s' is not unknown, holiday or working",
                          req->good_friday);
    else if ((req->facts_known && facts == ENT_DATE_NONE) || (req->letter_presented && letter == ENT_DATE_NONE) ||
             (req->interview && interview == ENT_DATE_NONE))
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, req->facts_known && facts == ENT_DATE_NONE ? "facts_known"
                          : req->letter_presented && letter == ENT_DATE_NONE ? "letter_presented" : "interview",
                          "not a valid date");
    else if ((facts != ENT_DATE_NONE && facts > max_day) || (letter != ENT_DATE_NONE && letter > max_day) ||
             (interview != ENT_DATE_NONE && interview > max_day))
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, facts > max_day ? "facts_known" : letter > max_day ? "letter_presented" : "interview",
                          "dates after 8999 are not supported");
    else if (facts == ENT_DATE_NONE && letter == ENT_DATE_NONE && interview == ENT_DATE_NONE)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "facts_known",
                          "give facts_known, letter_presented or interview");
    else {
        pol.region = (uint8_t) region;
        pol.good_friday = (uint8_t) gf;
        Entretiens__V1__DisciplinaryReply rep = ENTRETIENS__V1__DISCIPLINARY_REPLY__INIT;
        Entretiens__V1__Date a, b, c, d;
        char note[512];
        if (facts != ENT_DATE_NONE)
            rep.convocation_by = ent_pbdate_ptr(sch_disc_convocation_by(&pol, facts), &a);
        if (letter != ENT_DATE_NONE)
            rep.interview_not_before = ent_pbdate_ptr(sch_disc_interview_not_before(&pol, letter), &b);
        if (interview != ENT_DATE_NONE) {
            rep.sanction_not_before = ent_pbdate_ptr(sch_disc_sanction_not_before(&pol, interview), &c);
            rep.sanction_not_after = ent_pbdate_ptr(sch_disc_sanction_not_after(&pol, interview), &d);
        }
        rep.basis = pol.convocation_deadline == SCH_CONVOCATION_NEXT_WORKING_DAY
                        ? "Code du travail L1332-4 (2 months, extended to the next working day by option "
                          "convocation_deadline), L1232-2 (5 jours ouvrables), L1332-2 and R1332-3 (2 jours "
                          "ouvrables to 1 month); Code de procedure civile art. 641-642"
                        : "Code du travail L1332-4 (2 months, a limitation period: not extended, Code civil "
                          "art. 2229), L1232-2 (5 jours ouvrables), L1332-2 and R1332-3 (2 jours ouvrables "
                          "to 1 month); Code de procedure civile art. 641-642";
        if (sch_disc_note(&pol, facts, letter, interview, note, sizeof note) > 0)
            rep.note = note;
        rc = ent_rpc_ok(call, &rep.base);
    }
    entretiens__v1__disciplinary_request__free_unpacked(req, NULL);
    return rc;
}

int sched_queries_register(scheduler_t *s)
{
    /* the three queries the web pages make read the store only: a turn of
     * them runs in a read-only transaction (daemon.h, ent_daemon_query) */
    if (ent_daemon_query(s->d, "scheduler.obligations", s_obligations, s) ||
        ent_daemon_query(s->d, "scheduler.employee", s_employee, s) ||
        ent_daemon_query(s->d, "scheduler.due", s_due, s) ||
        ent_daemon_method(s->d, "scheduler.disciplinary", s_disciplinary, s))
        return -1;
    return 0;
}
