/*  methods.c — records' RPC methods: interviews (get, list, create and the
 *  lifecycle), audit, HR access grants, stats (records.h, docs/records.md).
 *
 *  Every method starts from Request.caller ("role:id"): unknown or missing
 *  callers are refused with PERMISSION_DENIED, and so is whatever the
 *  caller's relation to the interview does not allow (rec_access.h).  A
 *  transition the current state does not allow is FAILED_PRECONDITION with
 *  that state in the message (rec_lifecycle.h).
 */
#include "records.h"
#include "rec_sensitive.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/grants.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The caller, checked once per call. */
typedef struct {
    ent_principal_t p;
    ent_grant_scope_t hr;                 /* HR: the grant (common/grants.h) */
} s_caller_t;

static void s_caller_free(s_caller_t *c)
{
    ent_grants_scope_free(&c->hr);
}

/* Returns 0 with *ok set when the caller is known; else answers the call
 * (PERMISSION_DENIED) and leaves *ok false; or returns an LMDB code. */
static int s_caller(records_t *r, ent_rpc_call_t *call, s_caller_t *c, bool *ok)
{
    *ok = false;
    memset(c, 0, sizeof *c);
    const char *why;
    if (ent_principal_parse(call->caller, &c->p, &why) != 0)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
    int rc = 0;
    if (c->p.role == ENT_ROLE_SERVICE) {
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                            "'%s' is a service: it has no access to interviews", call->caller);
    } else if (c->p.role == ENT_ROLE_EMPLOYEE || c->p.role == ENT_ROLE_MANAGER) {
        MDB_val k = { strlen(c->p.id), c->p.id }, v;
        rc = mdb_get(call->txn, r->directory, &k, &v);
        if (rc == MDB_NOTFOUND)
            return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "unknown principal '%s': no such employee",
                                call->caller);
    } else if (c->p.role == ENT_ROLE_HR) {
        rc = ent_grants_scope(call->txn, r->grants, call->caller, &c->hr);
        if (!rc && !c->hr.scope.granted)
            return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                                "'%s' has no access grant (an administrator grants entities: records.access.grant)",
                                call->caller);
    }
    if (!rc)
        *ok = true;
    return rc;
}

static rec_relation_t s_relation(records_t *r, MDB_txn *txn, const s_caller_t *c, const rec_iv_t *iv)
{
    rec_facts_t f = { .employee_id = iv->employee_id, .manager_id = iv->manager_id };
    if (c->p.role == ENT_ROLE_HR) {
        f.hr_in_scope = ent_scope_covers(&c->hr.scope, rec_str(iv->entity));
        f.hr_content = c->hr.scope.content;
    } else if (c->p.role == ENT_ROLE_MANAGER && strcmp(c->p.id, rec_str(iv->employee_id)) &&
               strcmp(c->p.id, rec_str(iv->manager_id))) {
        f.in_line = rec_dir_above(r, txn, c->p.id, iv->employee_id);
    }
    return rec_relation(&c->p, &f);
}

/* ---------------------------------------------------------------- views */

/* Answers the call with what the caller may see of iv. */
#define S_MAX_WARNINGS 8

/* The relation under which rel reads iv's content — its answers, notes,
 * and the reasons sealed in its audit trail: in the intermediate archive
 * (the employee left) only HR and administrators see content
 * (rec_retention.h), so the employee, the interviewer and the line read as
 * nobody (*archived true). */
static rec_relation_t s_content_rel(records_t *r, MDB_txn *txn, const rec_iv_t *iv, rec_relation_t rel, bool *archived)
{
    *archived = (rel == REC_REL_EMPLOYEE || rel == REC_REL_INTERVIEWER || rel == REC_REL_LINE) &&
        rec_archived(r, txn, iv);
    return *archived ? REC_REL_NONE : rel;
}

/* Answers the caller's view of iv; read (may be NULL) receives the parts of
 * content shown, from the content the view itself read. */
static int s_view(records_t *r, ent_rpc_call_t *call, const rec_iv_t *iv, rec_relation_t rel, bool with_template,
                  char *const *warnings, size_t n_warnings, rec_read_parts_t *read)
{
    bool archived;
    rec_relation_t shown_rel = rel;
    rel = s_content_rel(r, call->txn, iv, rel, &archived);
    rec_content_t *c = NULL;
    int rc = rec_content_get(r, call->txn, iv->id, &c);
    if (rc == REC_CRYPT_SHREDDED) /* a store (a backup) from before the purge of this employee */
        return ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "id",
                            "the content of interview %s was purged: its employee's key was destroyed", iv->id);
    if (rc == REC_CRYPT_FORGED)
        return ent_rpc_fail(call, ENTRETIENS__V1__CODE__DATA_LOSS, "id",
                            "the content of interview %s does not open: changed outside records, moved, or sealed "
                            "under another master key (see audit verify)", iv->id);
    if (rc)
        return rc;
    if (read)
        rec_read_parts(rel, iv, c, read);
    rec_view_t view;
    rec_view_fill(&view, iv, c, rel, archived);
    Entretiens__V1__InterviewView *vp = &view.v;
    vp->relation = (char *) rec_relation_name(shown_rel);
    if (read && vp->report_digest)
        snprintf(read->digest, sizeof read->digest, "%s", vp->report_digest);
    Entretiens__V1__Template *t = NULL;
    Entretiens__V1__Employee *mgr = NULL, *emp = NULL;
    char *interviewer = NULL;
    if (with_template) {
        if (iv->template_id[0] && rec_template_get(r, call->txn, iv->template_id, iv->template_version, &t) == 0)
            vp->template_json = t->document;
        /* whom the report names as interviewer, and whose time its
         * instants are in: the directory's, as of the reading; a missing
         * entry leaves them empty (the id and metropolitan time stand) */
        if (iv->manager_id && iv->manager_id[0] && rec_dir_get(r, call->txn, iv->manager_id, &mgr) == 0 &&
            asprintf(&interviewer, "%s%s%s", mgr->first_name ? mgr->first_name : "",
                     mgr->first_name && *mgr->first_name && mgr->last_name && *mgr->last_name ? " " : "",
                     mgr->last_name ? mgr->last_name : "") >= 0)
            vp->interviewer_name = interviewer;
        if (iv->employee_id && rec_dir_get(r, call->txn, iv->employee_id, &emp) == 0 && emp->region)
            vp->region = emp->region;
    }
    vp->warnings = (char **) warnings;
    vp->n_warnings = n_warnings;
    rc = ent_rpc_ok(call, &vp->base);
    free(interviewer);
    if (mgr)
        entretiens__v1__employee__free_unpacked(mgr, NULL);
    if (emp)
        entretiens__v1__employee__free_unpacked(emp, NULL);
    if (t)
        entretiens__v1__template__free_unpacked(t, NULL);
    rec_content_free(c);
    return rc;
}

/* ------------------------------------------------------- common preamble */

typedef struct {
    s_caller_t c;
    rec_iv_t *iv;
    rec_relation_t rel;
    rec_state_t st;
    char *warnings[S_MAX_WARNINGS];  /* owned; for the reply of a write */
    size_t n_warnings;
} s_ctx_t;

static void s_ctx_free(s_ctx_t *x)
{
    s_caller_free(&x->c);
    rec_iv_free(x->iv);
    x->iv = NULL;
    for (size_t i = 0; i < x->n_warnings; i++)
        free(x->warnings[i]);
    x->n_warnings = 0;
}

/* Notes a warning when text (written at field) seems to hold sensitive
 * data; the text itself is neither logged nor repeated. */
static void s_warn_sensitive(s_ctx_t *x, const char *field, const char *text)
{
    const char *word, *category = rec_sensitive_find(text, &word);
    if (!category || x->n_warnings >= S_MAX_WARNINGS)
        return;
    char *w = NULL;
    if (asprintf(&w, "%s: seems to hold %s data (\"%s\"): comment zones must not hold health, trade-union, "
                     "religious, political, origin or sex-life data, nor offences (GDPR art. 9 and 10, CNIL); "
                     "please reread", field, category, word) >= 0)
        x->warnings[x->n_warnings++] = w;
}

/* The same for every string inside an answer value (lists, objects). */
static void s_warn_answer(s_ctx_t *x, const char *field, const json_t *v)
{
    if (json_is_string(v)) {
        s_warn_sensitive(x, field, json_string_value(v));
    } else if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
            s_warn_answer(x, field, e);
    } else if (json_is_object(v)) {
        const char *k;
        const json_t *e;
        json_object_foreach((json_t *) v, k, e)
            s_warn_answer(x, field, e);
    }
}

/* Caller, interview, relation; the caller must at least see its progress.
 * *ok false: the call was answered. */
static int s_open(records_t *r, ent_rpc_call_t *call, const char *id, s_ctx_t *x, bool *ok)
{
    memset(x, 0, sizeof *x);
    int rc = s_caller(r, call, &x->c, ok);
    if (rc || !*ok)
        return rc;
    *ok = false;
    rc = rec_iv_get(r, call->txn, id, &x->iv);
    if (rc == MDB_NOTFOUND)
        return ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no interview '%.64s'", rec_str(id));
    if (rc)
        return rc;
    ent_log_employee_set(x->iv->employee_id); /* a field of the call's lines (cleared after it) */
    x->rel = s_relation(r, call->txn, &x->c, x->iv);
    if (!rec_may_read(x->rel, REC_D_PROGRESS))
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "id", "%s may not see interview %s", call->caller, x->iv->id);
    rec_state_parse(x->iv->status, &x->st);
    *ok = true;
    return 0;
}

/* Checks action against the state and the caller.  *ok false: answered. */
static int s_check(ent_rpc_call_t *call, s_ctx_t *x, rec_action_t action, rec_state_t *next, bool *ok)
{
    *ok = false;
    rec_actor_t actor = rec_actor_of(x->rel);
    rec_context_t ctx = { .employee_shared = x->iv->employee_shared, .manager_shared = x->iv->manager_shared,
                          .adhoc = !x->iv->obligation_id[0] };
    rec_transition_t t = actor == REC_ACT_COUNT ? (rec_transition_t) { REC_T_DENIED, x->st, "not a party" }
                                                : rec_transition(x->st, action, actor, &ctx);
    if (t.verdict == REC_T_DENIED)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s (%s) may not %s interview %s: %s",
                            call->caller, rec_relation_name(x->rel), rec_action_name(action), x->iv->id, t.why);
    if (t.verdict == REC_T_STATE)
        return ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "status", "interview %s is %s: cannot %s: %s", x->iv->id,
                            x->iv->status, rec_action_name(action), t.why);
    *next = t.next;
    *ok = true;
    return 0;
}

/* Commits a change made on x->iv (before = a copy taken earlier), then
 * answers with the caller's view. */
static int s_finish(records_t *r, ent_rpc_call_t *call, s_ctx_t *x, rec_iv_t *before, const rec_content_t *content,
                    const char *action, json_t *det, const char *event, const char *event2, const char *reason,
                    const char *prev_mgr)
{
    rec_change_t ch = { .before = before, .after = x->iv, .content = content, .actor = call->caller,
                        .action = action, .details = det, .event = event, .event2 = event2, .reason = reason,
                        .previous_manager = prev_mgr };
    int rc = rec_commit(r, call->txn, &ch);
    if (!rc)
        rc = s_view(r, call, x->iv, x->rel, false, x->warnings, x->n_warnings, NULL);
    return rc;
}

static void s_set_status(rec_iv_t *iv, json_t *det, rec_state_t next)
{
    if (strcmp(iv->status, rec_state_name(next)) != 0) {
        json_object_set_new(det, "status", json_pack("[ss]", iv->status, rec_state_name(next)));
        rec_set_str(&iv->status, rec_state_name(next));
    }
}

/* Free text must be valid UTF-8 (it goes into JSON: audit details, the CLI). */
static bool s_utf8(const char *text)
{
    if (!text || !*text)
        return true;
    json_t *j = json_string(text);
    json_decref(j);
    return j != NULL;
}

#define UNPACK(type, var, what)                                                                                        \
    Entretiens__V1__##type *var = ent_rpc_unpack(call, &entretiens__v1__##what##__descriptor);                          \
    if (!var)                                                                                                          \
        return 0; /* answered INVALID_ARGUMENT */

/* -------------------------------------------------------------------- get */

static int s_read_record(records_t *r, ent_rpc_call_t *call, const s_ctx_t *x, const rec_read_parts_t *read);

static int s_get(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(InterviewRequest, req, interview_request)
    s_ctx_t x;
    bool ok;
    rec_read_parts_t read = { .n = 0 };
    int rc = s_open(r, call, req->id, &x, &ok);
    if (!rc && ok)
        rc = s_view(r, call, x.iv, x.rel, true, NULL, 0, &read);
    if (!rc && ok && call->code == ENT_OK)
        rc = s_read_record(r, call, &x, &read);
    s_ctx_free(&x);
    entretiens__v1__interview_request__free_unpacked(req, NULL);
    return rc;
}

/* ------------------------------------------------------------------ export */

/* records.interview.export: the report of an interview reported or signed,
 * for rendering (the PDF of `entretiensctl interview pdf` and the
 * gateway's report.pdf): the same view as records.interview.get, for
 * readers of the shared content only, and one audit record "export" by the
 * caller in the interview's chain (a download of the report is accounted
 * for like a change: who, when, which report). */
static int s_export(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(InterviewRequest, req, interview_request)
    s_ctx_t x;
    bool ok;
    rec_read_parts_t read = { .n = 0, .digest = "" };
    int rc = s_open(r, call, req->id, &x, &ok);
    if (rc || !ok)
        goto done;
    if (!rec_may_read(x.rel, REC_D_SHARED)) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s (%s) may not read the report of interview %s",
                          call->caller, rec_relation_name(x.rel), x.iv->id);
        goto done;
    }
    if (x.st != REC_S_REPORTED && x.st != REC_S_SIGNED_EMPLOYEE && x.st != REC_S_SIGNED_MANAGER && x.st != REC_S_CLOSED) {
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "status",
                          "interview %s is %s: its report is not written yet (it must be reported or signed)",
                          x.iv->id, x.iv->status);
        goto done;
    }
    rc = s_view(r, call, x.iv, x.rel, true, NULL, 0, &read);
    if (!rc && call->code == ENT_OK)
        rc = s_read_record(r, call, &x, &read);
    if (!rc && call->code == ENT_OK)
        rc = rec_audit_note(r, call->txn, x.iv->id, call->caller, "export",
                            json_pack("{ssssss}", "format", "pdf", "status", x.iv->status, "report_digest", read.digest));
done:
    s_ctx_free(&x);
    entretiens__v1__interview_request__free_unpacked(req, NULL);
    return rc;
}

/* -------------------------------------------------------------- reads */

/* Records what the view showed (reads.c). */
static int s_read_record(records_t *r, ent_rpc_call_t *call, const s_ctx_t *x, const rec_read_parts_t *read)
{
    return rec_reads_put(r, call->txn, x->iv->id, call->caller, read->what, read->n);
}

/* records.interview.reads: the employee for her own interviews, HR with the
 * content permission and administrators (the DPO's role); nobody else. */
static int s_reads(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(InterviewRequest, req, interview_request)
    s_ctx_t x;
    bool ok;
    int rc = s_open(r, call, req->id, &x, &ok);
    if (rc || !ok)
        goto done;
    if (x.rel != REC_REL_EMPLOYEE && x.rel != REC_REL_HR_CONTENT && x.rel != REC_REL_ADMIN) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                          "who read an interview is shown to the employee, HR with the content permission and "
                          "administrators");
        goto done;
    }
    Entretiens__V1__InterviewRead **reads = NULL;
    size_t n = 0;
    if ((rc = rec_reads_list(r, call->txn, x.iv->id, &reads, &n)) == 0) {
        Entretiens__V1__InterviewReadsReply rep = ENTRETIENS__V1__INTERVIEW_READS_REPLY__INIT;
        rep.id = x.iv->id;
        rep.reads = reads;
        rep.n_reads = n;
        rc = ent_rpc_ok(call, &rep.base);
    }
    rec_reads_free(reads, n);
done:
    s_ctx_free(&x);
    entretiens__v1__interview_request__free_unpacked(req, NULL);
    return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
}

/* ------------------------------------------------------------------- list */

typedef struct {
    Entretiens__V1__InterviewSummary *items;
    Entretiens__V1__InterviewSummary **ptrs;
    rec_iv_t **ivs;
    size_t n, cap, limit;
    bool truncated;
} s_list_t;

static bool s_list_full(s_list_t *l)
{
    if (l->n >= l->limit) {
        l->truncated = true;
        return true;
    }
    return false;
}

/* Adds iv when it passes the filters and the caller may see it (takes iv). */
static int s_list_add(records_t *r, MDB_txn *txn, const s_caller_t *c, const Entretiens__V1__InterviewListRequest *q,
                      int32_t due_before, s_list_t *l, rec_iv_t *iv)
{
    if ((q->status && *q->status && strcmp(q->status, iv->status)) || (q->type && *q->type && strcmp(q->type, iv->type)) ||
        (q->entity && *q->entity && strcmp(q->entity, iv->entity)) ||
        (due_before != ENT_DATE_NONE && ent_pbdate_day(iv->due_date) > due_before) ||
        !rec_may_read(s_relation(r, txn, c, iv), REC_D_PROGRESS)) {
        rec_iv_free(iv);
        return 0;
    }
    if (s_list_full(l)) {
        rec_iv_free(iv);
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        void *a = realloc(l->items, cap * sizeof *l->items), *b = a ? realloc(l->ptrs, cap * sizeof *l->ptrs) : NULL;
        if (a)
            l->items = a;
        if (b)
            l->ptrs = b;
        void *cc = b ? realloc(l->ivs, cap * sizeof *l->ivs) : NULL;
        if (!cc) {
            rec_iv_free(iv);
            return ENOMEM;
        }
        l->ivs = cc;
        l->cap = cap;
    }
    Entretiens__V1__InterviewSummary *s = &l->items[l->n];
    entretiens__v1__interview_summary__init(s);
    s->id = iv->id;
    s->employee_id = iv->employee_id;
    s->manager_id = iv->manager_id;
    s->type = iv->type;
    s->status = iv->status;
    s->due_date = iv->due_date;
    s->scheduled_start_ms = iv->scheduled_start_ms;
    s->held_on = iv->held_on;
    s->entity = iv->entity;
    s->first_name = iv->first_name;
    s->last_name = iv->last_name;
    s->obligation_id = iv->obligation_id;
    s->duration_min = iv->duration_min;
    s->place = iv->place;
    s->video_link = iv->video_link;
    s->title = iv->title;
    l->ivs[l->n++] = iv;
    return 0;
}

/* The same, for an interview found by id in an index (gone ones skipped). */
static int s_list_add_id(records_t *r, MDB_txn *txn, const s_caller_t *c, const Entretiens__V1__InterviewListRequest *q,
                         int32_t due_before, s_list_t *l, const char *id)
{
    rec_iv_t *iv = NULL;
    int g = rec_iv_get(r, txn, id, &iv);
    if (g == MDB_NOTFOUND)
        return 0;
    return g ? g : s_list_add(r, txn, c, q, due_before, l, iv);
}

/* Every interview under a key prefix of an index "<prefix>\0<id>". */
static int s_list_prefix(records_t *r, MDB_txn *txn, MDB_dbi dbi, const char *prefix, const s_caller_t *c,
                         const Entretiens__V1__InterviewListRequest *q, int32_t due_before, s_list_t *l)
{
    size_t pl = strlen(prefix);
    if (pl == 0 || pl > REC_ID_MAX)
        return 0;
    uint8_t key[REC_ID_MAX + 2];
    memcpy(key, prefix, pl);
    key[pl] = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    MDB_val k = { pl + 1, key }, v;
    char id[REC_ID_MAX + 1];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && !l->truncated; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= pl + 1 || memcmp(k.mv_data, key, pl + 1) != 0)
            break;
        size_t il = k.mv_size - pl - 1;
        if (il > REC_ID_MAX)
            continue;
        memcpy(id, (char *) k.mv_data + pl + 1, il);
        id[il] = '\0';
        int g = s_list_add_id(r, txn, c, q, due_before, l, id);
        if (g) {
            rc = g;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every interview of the employees under manager (breadth first). */
static int s_list_tree(records_t *r, MDB_txn *txn, const char *manager, const s_caller_t *c,
                       const Entretiens__V1__InterviewListRequest *q, int32_t due_before, s_list_t *l)
{
    size_t cap = 64, head = 0, tail = 0;
    char (*queue)[REC_ID_MAX + 1] = malloc(cap * sizeof *queue);
    if (!queue)
        return ENOMEM;
    snprintf(queue[tail++], REC_ID_MAX + 1, "%s", manager);
    MDB_cursor *cur = NULL; /* tested below: left unset when the open fails */
    int rc = mdb_cursor_open(txn, r->reports, &cur);
    size_t visited = 0;
    while (!rc && head < tail && !l->truncated && visited < 200000) {
        char m[REC_ID_MAX + 1];
        memcpy(m, queue[head++], sizeof m);
        visited++;
        size_t ml = strlen(m);
        uint8_t key[REC_ID_MAX + 2];
        memcpy(key, m, ml);
        key[ml] = 0;
        MDB_val k = { ml + 1, key }, v;
        int g;
        for (g = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); g == 0; g = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size <= ml + 1 || memcmp(k.mv_data, key, ml + 1) != 0)
                break;
            size_t el = k.mv_size - ml - 1;
            if (el > REC_ID_MAX)
                continue;
            if (tail == cap) {
                cap *= 2;
                void *p = realloc(queue, cap * sizeof *queue);
                if (!p) {
                    g = ENOMEM;
                    break;
                }
                queue = p;
            }
            memcpy(queue[tail], (char *) k.mv_data + ml + 1, el);
            queue[tail++][el] = '\0';
        }
        if (g && g != MDB_NOTFOUND) {
            rc = g;
            break;
        }
    }
    if (cur)
        mdb_cursor_close(cur);
    for (size_t i = 1; i < tail && !rc && !l->truncated; i++)
        rc = s_list_prefix(r, txn, r->by_employee, queue[i], c, q, due_before, l);
    free(queue);
    return rc;
}

/* Interviews by due date (optionally of one status), earliest first. */
static int s_list_due(records_t *r, MDB_txn *txn, const s_caller_t *c, const Entretiens__V1__InterviewListRequest *q,
                      int32_t due_before, s_list_t *l)
{
    rec_state_t st;
    bool by_status = q->status && *q->status && rec_state_parse(q->status, &st) == 0;
    MDB_dbi dbi = by_status ? r->by_status : r->by_due;
    size_t off = by_status ? 1 : 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    uint8_t start[1] = { (uint8_t) (by_status ? st : 0) };
    MDB_val k = { 1, start }, v;
    char id[REC_ID_MAX + 1];
    for (rc = by_status ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
         rc == 0 && !l->truncated; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *p = k.mv_data;
        if (k.mv_size < off + 4 || (by_status && p[0] != (uint8_t) st))
            break;
        int32_t due = ent_key_day_get(p + off);
        if (due_before != ENT_DATE_NONE && due > due_before)
            break;
        size_t il = k.mv_size - off - 4;
        if (il > REC_ID_MAX)
            continue;
        memcpy(id, p + off + 4, il);
        id[il] = '\0';
        int g = s_list_add_id(r, txn, c, q, due_before, l, id);
        if (g) {
            rc = g;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_list(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(InterviewListRequest, q, interview_list_request)
    s_caller_t c;
    bool ok;
    s_list_t l = { 0 };
    int rc = s_caller(r, call, &c, &ok);
    if (rc || !ok)
        goto done;
    l.limit = q->limit ? q->limit : REC_LIST_DEFAULT;
    if (l.limit > REC_LIST_MAX)
        l.limit = REC_LIST_MAX;
    int32_t due_before = ENT_DATE_NONE;
    if (q->due_before && (due_before = ent_pbdate_day(q->due_before)) == ENT_DATE_NONE) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "due_before", "not a valid date");
        goto done;
    }
    rec_state_t st;
    if (q->status && *q->status && rec_state_parse(q->status, &st) != 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "status", "unknown status '%.40s'", q->status);
        goto done;
    }
    if (q->type && *q->type && !rec_type_known(q->type)) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "type", "unknown interview type '%.40s'", q->type);
        goto done;
    }
    const char *emp = q->employee_id && *q->employee_id ? q->employee_id : NULL;
    const char *mgr = q->manager_id && *q->manager_id ? q->manager_id : NULL;
    /* an employee sees their own interviews; a manager those they conduct
     * and those of the people under them */
    if (c.p.role == ENT_ROLE_EMPLOYEE) {
        if ((emp && strcmp(emp, c.p.id)) || mgr) {
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, emp ? "employee_id" : "manager_id",
                              "an employee sees their own interviews only");
            goto done;
        }
        emp = c.p.id;
    } else if (c.p.role == ENT_ROLE_MANAGER) {
        if (!emp && !mgr)
            mgr = c.p.id;
        if (mgr && strcmp(mgr, c.p.id) && !rec_dir_above(r, call->txn, c.p.id, mgr)) {
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "manager_id", "%s is not under %s", mgr, c.p.id);
            goto done;
        }
        if (emp && strcmp(emp, c.p.id) && !rec_dir_above(r, call->txn, c.p.id, emp)) {
            /* an employee they interview but do not manage in the tree is
             * still visible item by item (reassigned interviews) */
        }
    }
    if (emp)
        rc = s_list_prefix(r, call->txn, r->by_employee, emp, &c, q, due_before, &l);
    else if (mgr && q->tree)
        rc = s_list_tree(r, call->txn, mgr, &c, q, due_before, &l);
    else if (mgr)
        rc = s_list_prefix(r, call->txn, r->by_manager, mgr, &c, q, due_before, &l);
    else
        rc = s_list_due(r, call->txn, &c, q, due_before, &l);
    if (!rc) {
        for (size_t i = 0; i < l.n; i++)
            l.ptrs[i] = &l.items[i];
        Entretiens__V1__InterviewListReply rep = ENTRETIENS__V1__INTERVIEW_LIST_REPLY__INIT;
        rep.n_interviews = l.n;
        rep.interviews = l.ptrs;
        rep.truncated = l.truncated;
        rc = ent_rpc_ok(call, &rep.base);
    }
done:
    for (size_t i = 0; i < l.n; i++)
        rec_iv_free(l.ivs[i]);
    free(l.items), free(l.ptrs), free(l.ivs);
    s_caller_free(&c);
    entretiens__v1__interview_list_request__free_unpacked(q, NULL);
    return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
}

/* ----------------------------------------------------------------- create */

static int s_create(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(InterviewCreateRequest, q, interview_create_request)
    s_caller_t c;
    bool ok;
    Entretiens__V1__Employee *e = NULL;
    rec_iv_t *iv = NULL;
    int rc = s_caller(r, call, &c, &ok);
    if (rc || !ok)
        goto done;
    if (!q->type || !rec_type_known(q->type)) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "type", "unknown interview type '%.40s'%s", rec_str(q->type),
                          q->type && strcmp(q->type, "return_medical_visit") == 0
                              ? " (a medical visit is organised with the occupational health service)" : "");
        goto done;
    }
    rc = rec_dir_get(r, call->txn, q->employee_id, &e);
    if (rc == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "employee_id", "no employee '%.64s' in the directory", rec_str(q->employee_id));
        goto done;
    }
    if (rc)
        goto done;
    /* who may open an interview: HR of the entity, or a manager above the employee */
    bool allowed = false;
    if (c.p.role == ENT_ROLE_HR)
        allowed = ent_scope_covers(&c.hr.scope, rec_str(e->entity));
    else if (c.p.role == ENT_ROLE_MANAGER)
        allowed = strcmp(c.p.id, rec_str(e->manager_id)) == 0 || rec_dir_above(r, call->txn, c.p.id, e->employee_id);
    if (!allowed) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                          "%s may not open an interview for %s (HR of its entity or a manager above the employee)",
                          call->caller, e->employee_id);
        goto done;
    }
    if (q->manager_id && *q->manager_id) {
        if (c.p.role != ENT_ROLE_HR) {
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "manager_id", "only HR chooses another interviewer");
            goto done;
        }
        Entretiens__V1__Employee *m = NULL;
        int g = rec_dir_get(r, call->txn, q->manager_id, &m);
        if (m)
            entretiens__v1__employee__free_unpacked(m, NULL);
        if (g == MDB_NOTFOUND || strcmp(q->manager_id, e->employee_id) == 0) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "manager_id", "the interviewer must be another known employee");
            goto done;
        }
        if (g) {
            rc = g;
            goto done;
        }
    }
    if (q->title && (strlen(q->title) > 500 || !s_utf8(q->title))) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "title", "at most 500 bytes of UTF-8");
        goto done;
    }
    int32_t today = rec_employee_today(e), due = q->due_date ? ent_pbdate_day(q->due_date) : today + 30;
    if (due == ENT_DATE_NONE) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "due_date", "not a valid date");
        goto done;
    }
    rec_create_t cr = { .employee_id = e->employee_id, .type = q->type, .due = due, .manager_id = q->manager_id,
                        .title = q->title, .template_id = q->template_id, .actor = call->caller };
    rc = rec_create(r, call->txn, &cr, &iv);
    if (rc == ENOENT) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "template_id", "no template '%.64s'", rec_str(q->template_id));
        goto done;
    }
    if (rc == EINVAL) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "template_id", "template '%.64s' is not for %s interviews",
                          rec_str(q->template_id), q->type);
        goto done;
    }
    if (!rc) {
        s_caller_t *cc = &c;
        rc = s_view(r, call, iv, s_relation(r, call->txn, cc, iv), false, NULL, 0, NULL);
    }
done:
    rec_iv_free(iv);
    if (e)
        entretiens__v1__employee__free_unpacked(e, NULL);
    s_caller_free(&c);
    entretiens__v1__interview_create_request__free_unpacked(q, NULL);
    return rc;
}

/* --------------------------------------------------------------- schedule */

static bool s_url_ok(const char *s)
{
    return (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) && strlen(s) <= 1000 && !strpbrk(s, " \t\r\n");
}

static int s_schedule(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(ScheduleRequest, q, schedule_request)
    s_ctx_t x;
    bool ok;
    rec_state_t next;
    rec_iv_t *before = NULL;
    int rc = s_open(r, call, q->id, &x, &ok);
    if (rc || !ok || (rc = s_check(call, &x, REC_A_SCHEDULE, &next, &ok)) || !ok)
        goto done;
    /* a move without a duration keeps the one already set (60 the first time) */
    uint32_t dur = q->duration_min ? q->duration_min : x.iv->duration_min ? x.iv->duration_min : 60;
    if (q->start_ms <= 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "start_ms", "a start time is required");
        goto done;
    }
    if (dur > 480) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "duration_min", "at most 480 minutes");
        goto done;
    }
    if (q->video_link && *q->video_link && (!s_url_ok(q->video_link) || !s_utf8(q->video_link))) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "video_link", "an http(s) URL is expected");
        goto done;
    }
    if (q->place && (strlen(q->place) > 300 || !s_utf8(q->place))) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "place", "at most 300 bytes of UTF-8");
        goto done;
    }
    if (!(before = rec_iv_dup(x.iv))) {
        rc = ENOMEM;
        goto done;
    }
    json_t *det = json_object();
    json_object_set_new(det, "scheduled_start_ms", json_pack("[II]", (json_int_t) x.iv->scheduled_start_ms, (json_int_t) q->start_ms));
    json_object_set_new(det, "duration_min", json_integer(dur));
    json_object_set_new(det, "place", json_string(rec_str(q->place)));
    json_object_set_new(det, "video_link", json_string(rec_str(q->video_link)));
    s_set_status(x.iv, det, next);
    x.iv->scheduled_start_ms = q->start_ms;
    x.iv->duration_min = dur;
    rec_set_str(&x.iv->place, q->place);
    rec_set_str(&x.iv->video_link, q->video_link);
    rc = s_finish(r, call, &x, before, NULL, "schedule", det, "records.interview.scheduled", NULL, NULL, NULL);
done:
    rec_iv_free(before);
    s_ctx_free(&x);
    entretiens__v1__schedule_request__free_unpacked(q, NULL);
    return rc;
}

/* ----------------------------------------------------------------- answer */

static char *s_canon(const json_t *j)
{
    return json_object_size(j) ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : strdup("");
}

/* Answers the error of a template lookup (rec_template_doc) for interview
 * id: no template is a precondition, an unreadable one a data loss, others
 * a store error that aborts the turn.  Returns what the handler returns. */
static int s_template_fail(ent_rpc_call_t *call, const char *id, int rc)
{
    if (rc == MDB_NOTFOUND)
        return ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "template_id", "interview %s has no template", id);
    if (rc == MDB_CORRUPTED)
        return ent_rpc_fail(call, ENTRETIENS__V1__CODE__DATA_LOSS, "template_id",
                            "the template of interview %s cannot be read", id);
    if (rc == ENOMEM)
        return ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    return rc;
}

/* Submission: the party's required questions are answered. *ok false: answered. */
static int s_complete(records_t *r, ent_rpc_call_t *call, const rec_iv_t *iv, const rec_content_t *c, rec_party_t party,
                      bool *ok)
{
    *ok = false;
    json_t *tmpl = NULL;
    int trc = rec_template_doc(r, call->txn, iv->template_id, iv->template_version, &tmpl);
    if (trc)
        return s_template_fail(call, iv->id, trc);
    const char *text = party == REC_PARTY_EMPLOYEE ? c->employee_answers : c->manager_answers;
    /* the report may rely on the employee's shared answers to questions both answer */
    const char *otext = party == REC_PARTY_MANAGER && iv->employee_shared ? c->employee_answers : NULL;
    json_t *ans = text && *text ? json_loads(text, 0, NULL) : json_object();
    json_t *other = otext && *otext ? json_loads(otext, 0, NULL) : NULL;
    rec_err_t err;
    int rc = 0;
    if (rec_answers_complete(tmpl, party, ans, other, &err) != 0)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, err.field, "%s", err.reason);
    else
        *ok = true;
    json_decref(ans);
    json_decref(other);
    json_decref(tmpl);
    return rc;
}

static int s_answer(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(AnswerRequest, q, answer_request)
    s_ctx_t x;
    bool ok;
    rec_state_t next;
    rec_iv_t *before = NULL;
    rec_content_t *c = NULL;
    json_t *tmpl = NULL, *stored = NULL, *changes = NULL;
    char *canon = NULL;
    int rc = s_open(r, call, q->id, &x, &ok);
    if (rc || !ok || (rc = s_check(call, &x, REC_A_ANSWER, &next, &ok)) || !ok)
        goto done;
    rec_party_t party = x.rel == REC_REL_EMPLOYEE ? REC_PARTY_EMPLOYEE : REC_PARTY_MANAGER;
    if (q->notes && *q->notes && party != REC_PARTY_MANAGER) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "notes", "private notes are the interviewer's");
        goto done;
    }
    if (q->notes && (strlen(q->notes) > 20000 || !s_utf8(q->notes))) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "notes", "at most 20,000 bytes of UTF-8");
        goto done;
    }
    if ((rc = rec_template_doc(r, call->txn, x.iv->template_id, x.iv->template_version, &tmpl)) != 0) {
        rc = s_template_fail(call, x.iv->id, rc);
        goto done;
    }
    if ((rc = rec_content_get(r, call->txn, x.iv->id, &c)))
        goto done;
    char **slot = party == REC_PARTY_EMPLOYEE ? &c->employee_answers : &c->manager_answers;
    stored = *slot && **slot ? json_loads(*slot, 0, NULL) : json_object();
    if (!stored) {
        /* never overwrite answers that cannot be read with a fresh {}: the
         * party would lose them silently */
        ent_log_error("records.answers", "interview %s: the stored answers are not JSON", x.iv->id);
        rc = ent_rpc_fail(call, ENTRETIENS__V1__CODE__DATA_LOSS, "answers",
                          "the stored answers of %s cannot be read: nothing was changed", x.iv->id);
        goto done;
    }
    json_error_t jerr;
    if (q->answers && *q->answers) {
        changes = json_loads(q->answers, JSON_REJECT_DUPLICATES, &jerr);
        if (!changes) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "answers", "not JSON: %s", jerr.text);
            goto done;
        }
    } else {
        changes = json_object();
    }
    if (party == REC_PARTY_EMPLOYEE && strcmp(x.iv->status, "reported") == 0) {
        /* the report is written: only the employee's comment stays open */
        const char *k;
        json_t *kv;
        json_object_foreach(changes, k, kv) {
            (void) kv;
            if (!rec_template_after_report(tmpl, k)) {
                rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "answers",
                                  "interview %s is reported: the report is written; the employee may still answer "
                                  "the comment questions only (not answers.%.80s)", x.iv->id, k);
                goto done;
            }
        }
    }
    rec_err_t err;
    if (rec_answers_merge(tmpl, party, stored, changes, &err) != 0) {
        rc = ent_rpc_fail(call, err.denied ? ENT_PERMISSION_DENIED : ENT_INVALID_ARGUMENT, err.field, "%s", err.reason);
        goto done;
    }
    if (!(canon = s_canon(stored)) || !(before = rec_iv_dup(x.iv))) {
        rc = ENOMEM;
        goto done;
    }
    {
        const char *k;
        json_t *v;
        json_object_foreach(changes, k, v) {
            char field[160];
            snprintf(field, sizeof field, "answers.%.80s", k);
            s_warn_answer(&x, field, v);
        }
        if (q->notes && *q->notes)
            s_warn_sensitive(&x, "notes", q->notes);
    }
    json_t *det = json_object();
    json_object_set_new(det, "party", json_string(rec_party_name(party)));
    json_t *qs = json_array();
    const char *key;
    json_t *val;
    json_object_foreach(changes, key, val) {
        (void) val;
        json_array_append_new(qs, json_string(key));
    }
    json_object_set_new(det, "questions", qs);
    uint8_t d[REC_HASH_LEN];
    char hex[2 * REC_HASH_LEN + 1];
    rec_sha256(d, canon, strlen(canon), NULL, 0, NULL, 0, NULL, 0);
    json_object_set_new(det, "answers_digest", json_string(rec_hex(d, REC_HASH_LEN, hex)));
    rec_set_str(slot, canon);
    int64_t now = ent_clock_now_ms();
    if (party == REC_PARTY_EMPLOYEE)
        c->employee_updated_ms = now;
    else
        c->manager_updated_ms = now;
    if (q->notes && *q->notes) {
        rec_set_str(&c->manager_notes, q->notes);
        json_object_set_new(det, "notes_changed", json_true());
    }
    s_set_status(x.iv, det, next);
    const char *event = NULL, *action = "answer";
    if (q->submit) {
        /* before the meeting: share one's preparation; held: write the report */
        rec_state_t st2 = next;
        rec_action_t a2 = rec_state_before_meeting(st2) ? REC_A_SHARE : REC_A_REPORT;
        rec_state_t saved = x.st;
        x.st = st2;
        rc = s_check(call, &x, a2, &next, &ok);
        x.st = saved;
        if (rc || !ok) {
            json_decref(det);
            goto done;
        }
        if ((a2 == REC_A_REPORT || party == REC_PARTY_EMPLOYEE) && ((rc = s_complete(r, call, x.iv, c, party, &ok)) || !ok)) {
            json_decref(det);
            goto done;
        }
        if (a2 == REC_A_SHARE) {
            if (party == REC_PARTY_EMPLOYEE)
                x.iv->employee_shared = true;
            else
                x.iv->manager_shared = true;
            json_object_set_new(det, "shared", json_string(rec_party_name(party)));
            event = "records.interview.shared";
            action = "answer+share";
        } else {
            x.iv->manager_shared = true;
            x.iv->reported_at_ms = now;
            event = "records.interview.reported";
            action = "answer+report";
        }
        s_set_status(x.iv, det, next);
    }
    rc = s_finish(r, call, &x, before, c, action, det, event, NULL, NULL, NULL);
done:
    free(canon);
    json_decref(tmpl), json_decref(stored), json_decref(changes);
    rec_content_free(c);
    rec_iv_free(before);
    s_ctx_free(&x);
    entretiens__v1__answer_request__free_unpacked(q, NULL);
    return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
}

/* ------------------------------------------------------------ transitions */

static int s_transition(ent_rpc_call_t *call, records_t *r, rec_action_t action)
{
    UNPACK(TransitionRequest, q, transition_request)
    s_ctx_t x;
    bool ok;
    rec_state_t next;
    rec_iv_t *before = NULL;
    rec_content_t *c = NULL;
    json_t *det = NULL;
    int rc = s_open(r, call, q->id, &x, &ok);
    if (rc || !ok || (rc = s_check(call, &x, action, &next, &ok)) || !ok)
        goto done;
    const char *reason = q->reason && *q->reason ? q->reason : NULL;
    if ((action == REC_A_CANCEL || action == REC_A_REOPEN || action == REC_A_STEP_BACK) && !reason) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "reason", "a reason is required to %s", rec_action_name(action));
        goto done;
    }
    if ((reason && (strlen(reason) > 2000 || !s_utf8(reason))) || (q->comment && (strlen(q->comment) > 5000 || !s_utf8(q->comment)))) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, reason && (strlen(reason) > 2000 || !s_utf8(reason)) ? "reason" : "comment",
                          "too long or not UTF-8 (reason: 2,000 bytes, comment: 5,000)");
        goto done;
    }
    if (q->comment && *q->comment && action != REC_A_SIGN) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "comment", "a comment goes with a signature");
        goto done;
    }
    s_warn_sensitive(&x, "comment", q->comment);
    if (!(before = rec_iv_dup(x.iv)) || !(det = json_object())) {
        rc = ENOMEM;
        goto done;
    }
    const char *event = NULL, *event2 = NULL;
    int64_t now = ent_clock_now_ms();
    rec_party_t party = x.rel == REC_REL_EMPLOYEE ? REC_PARTY_EMPLOYEE : REC_PARTY_MANAGER;
    switch (action) {
    case REC_A_SHARE:
        /* the employee's preparation is complete when shared; the interviewer's
         * conclusion comes after the meeting, so theirs is not checked here */
        if (party == REC_PARTY_EMPLOYEE &&
            ((rc = rec_content_get(r, call->txn, x.iv->id, &c)) || (rc = s_complete(r, call, x.iv, c, party, &ok)) || !ok))
            goto done;
        if (party == REC_PARTY_EMPLOYEE)
            x.iv->employee_shared = true;
        else
            x.iv->manager_shared = true;
        json_object_set_new(det, "shared", json_string(rec_party_name(party)));
        event = "records.interview.shared";
        break;
    case REC_A_HOLD: {
        /* "not in the future" on her calendar: at 21:30 UTC it is already
         * tomorrow in La Réunion */
        int32_t today = rec_dir_today(r, call->txn, x.iv->employee_id, &rc);
        if (rc)
            goto done;
        int32_t on = q->on ? ent_pbdate_day(q->on) : today;
        if (on == ENT_DATE_NONE || on > today) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "on", "the day it was held: a valid date, not in the future");
            goto done;
        }
        /* held before the obligation's window, it would not count for it:
         * said now rather than found later as an obligation still open */
        int32_t win = ent_pbdate_day(x.iv->window_start);
        if (win != ENT_DATE_NONE && on < win) {
            char w[ENT_DATE_STRLEN];
            rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "on",
                              "the window of obligation %s opens on %s: an interview held before would not count for "
                              "it; hold it from that date, or open an ad-hoc interview",
                              rec_str(x.iv->obligation_id), ent_date_format(win, w));
            goto done;
        }
        free(x.iv->held_on);
        x.iv->held_on = rec_date_new(on);
        char d[ENT_DATE_STRLEN];
        json_object_set_new(det, "held_on", json_string(ent_date_format(on, d)));
        event = "records.interview.held";
        break;
    }
    case REC_A_REPORT:
        if ((rc = rec_content_get(r, call->txn, x.iv->id, &c)) ||
            (rc = s_complete(r, call, x.iv, c, REC_PARTY_MANAGER, &ok)) || !ok)
            goto done;
        x.iv->manager_shared = true;
        x.iv->reported_at_ms = now;
        event = "records.interview.reported";
        break;
    case REC_A_SIGN: {
        if ((rc = rec_content_get(r, call->txn, x.iv->id, &c)))
            goto done;
        char digest[2 * REC_HASH_LEN + 1];
        rec_report_digest(x.iv, c, digest);
        const Entretiens__V1__Signature *other = party == REC_PARTY_EMPLOYEE ? x.iv->manager_signature : x.iv->employee_signature;
        if (other && strcmp(other->digest, digest) != 0) {
            rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "status",
                              "interview %s is %s: the report changed since the other signature", x.iv->id, x.iv->status);
            goto done;
        }
        Entretiens__V1__Signature *sig = malloc(sizeof *sig);
        if (!sig) {
            rc = ENOMEM;
            goto done;
        }
        entretiens__v1__signature__init(sig);
        rec_set_str(&sig->by, call->caller);
        sig->at_ms = now;
        rec_set_str(&sig->digest, digest);
        rec_set_str(&sig->comment, q->comment);
        if (party == REC_PARTY_EMPLOYEE)
            x.iv->employee_signature = sig;
        else
            x.iv->manager_signature = sig;
        json_object_set_new(det, "signed_by", json_string(rec_party_name(party)));
        json_object_set_new(det, "digest", json_string(digest));
        if (q->comment && *q->comment)
            json_object_set_new(det, "comment", json_true());
        event = "records.interview.signed";
        if (next == REC_S_CLOSED) {
            x.iv->closed_at_ms = now;
            event2 = "records.interview.closed";
        }
        break;
    }
    case REC_A_CANCEL:
        rec_set_str(&x.iv->cancelled_by, call->caller);
        event = "records.interview.cancelled";
        break;
    case REC_A_REOPEN: {
        json_t *old = json_object();
        if (x.iv->employee_signature)
            json_object_set_new(old, "employee", json_string(x.iv->employee_signature->digest));
        if (x.iv->manager_signature)
            json_object_set_new(old, "manager", json_string(x.iv->manager_signature->digest));
        json_object_set_new(det, "signatures_cleared", old);
        if (x.iv->employee_signature)
            entretiens__v1__signature__free_unpacked(x.iv->employee_signature, NULL);
        if (x.iv->manager_signature)
            entretiens__v1__signature__free_unpacked(x.iv->manager_signature, NULL);
        x.iv->employee_signature = x.iv->manager_signature = NULL;
        x.iv->reopen_count++;
        x.iv->closed_at_ms = 0;
        event = "records.interview.reopened";
        break;
    }
    case REC_A_STEP_BACK:
        /* what the milestone set is undone; answers and notes stay */
        if (next == REC_S_PLANNED && x.iv->scheduled_start_ms) {
            json_object_set_new(det, "meeting_withdrawn", json_integer(x.iv->scheduled_start_ms));
            x.iv->scheduled_start_ms = 0;
            rec_set_str(&x.iv->place, "");
            rec_set_str(&x.iv->video_link, "");
        } else if (next == REC_S_PREPARATION) {
            x.iv->employee_shared = x.iv->manager_shared = false;
            json_object_set_new(det, "shares_withdrawn", json_true());
        } else if (next == REC_S_HELD) {
            x.iv->reported_at_ms = 0;
            json_object_set_new(det, "report_withdrawn", json_true());
        }
        event = "records.interview.stepped_back";
        break;
    default:
        break;
    }
    if (reason) /* sealed in the audit record by rec_commit, with the header */
        rec_set_str(&x.iv->reason, reason);
    s_set_status(x.iv, det, next);
    rc = s_finish(r, call, &x, before, NULL, rec_action_name(action), det, event, event2, reason, NULL);
    det = NULL;
    if (!rc && next == REC_S_CLOSED)
        rc = rec_carry_forward(r, call->txn, x.iv, NULL);
done:
    json_decref(det);
    rec_content_free(c);
    rec_iv_free(before);
    s_ctx_free(&x);
    entretiens__v1__transition_request__free_unpacked(q, NULL);
    return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
}

static int s_share(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_SHARE); }
static int s_hold(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_HOLD); }
static int s_report(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_REPORT); }
static int s_sign(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_SIGN); }
static int s_cancel(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_CANCEL); }
static int s_reopen(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_REOPEN); }
static int s_step_back(ent_rpc_call_t *call, void *arg) { return s_transition(call, arg, REC_A_STEP_BACK); }

/* Opens interview id for an HR operation that needs a reason (reassign,
 * move_due): the caller's relation, the state and the reason checked.
 * *ok false: answered (x to free all the same). */
static int s_open_with_reason(records_t *r, ent_rpc_call_t *call, const char *id, rec_action_t action,
                              const char *reason, s_ctx_t *x, bool *ok)
{
    rec_state_t next;
    int rc = s_open(r, call, id, x, ok);
    if (rc || !*ok || (rc = s_check(call, x, action, &next, ok)) || !*ok)
        return rc;
    if (!reason || !*reason || strlen(reason) > 2000 || !s_utf8(reason)) {
        *ok = false;
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "reason", "a reason (at most 2,000 bytes) is required");
    }
    return 0;
}

/* records.interview.move_due: HR sets the deadline by hand.  Not in the
 * past (a deadline already missed is no deadline); an interview owed by law
 * or policy not after its obligation's date (the law's deadline is not
 * HR's to push: a campaign is extended instead); the scheduler's later
 * announcements keep the moved date (due_moved) while it is not after the
 * law's (records' interviews.c). */
static int s_move_due(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(MoveDueRequest, q, move_due_request)
    s_ctx_t x;
    bool ok;
    rec_iv_t *before = NULL;
    int rc = s_open_with_reason(r, call, q->id, REC_A_MOVE_DUE, q->reason, &x, &ok);
    if (rc || !ok)
        goto done;
    /* "not in the past" on the employee's calendar, not the process' */
    int32_t due = ent_pbdate_day(q->due_date), today = rec_dir_today(r, call->txn, x.iv->employee_id, &rc);
    if (rc)
        goto done;
    char a[ENT_DATE_STRLEN], b[ENT_DATE_STRLEN];
    if (due == ENT_DATE_NONE || due < today) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "due_date", "the new deadline: a valid date, today (%s) or later",
                          ent_date_format(today, a));
        goto done;
    }
    int32_t legal = ent_pbdate_day(x.iv->legal_due_date);
    if (legal == ENT_DATE_NONE && x.iv->obligation_id[0] && !x.iv->due_moved)
        legal = ent_pbdate_day(x.iv->due_date); /* an older record: its date is still the law's */
    if (x.iv->obligation_id[0] && legal != ENT_DATE_NONE && due > legal) {
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "due_date",
                          "interview %s is owed by obligation %s, due by %s: a deadline after it would be late by law "
                          "(extend its campaign, if it has one)",
                          x.iv->id, x.iv->obligation_id, ent_date_format(legal, a));
        goto done;
    }
    int32_t old = ent_pbdate_day(x.iv->due_date);
    if (due == old) {
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "due_date", "interview %s is already due on %s", x.iv->id,
                          ent_date_format(due, a));
        goto done;
    }
    if (!(before = rec_iv_dup(x.iv))) {
        rc = ENOMEM;
        goto done;
    }
    if (legal != ENT_DATE_NONE && !x.iv->legal_due_date)
        x.iv->legal_due_date = rec_date_new(legal);
    free(x.iv->due_date);
    x.iv->due_date = rec_date_new(due);
    x.iv->due_moved = true;
    rec_set_str(&x.iv->reason, q->reason);
    json_t *det = json_pack("{s[ss]}", "due_date", old == ENT_DATE_NONE ? "" : ent_date_format(old, a),
                            ent_date_format(due, b)); /* + the reason, sealed by rec_commit */
    rc = s_finish(r, call, &x, before, NULL, "move_due", det, "records.interview.due_moved", NULL, q->reason, NULL);
done:
    rec_iv_free(before);
    s_ctx_free(&x);
    entretiens__v1__move_due_request__free_unpacked(q, NULL);
    return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
}

static int s_reassign(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(ReassignRequest, q, reassign_request)
    s_ctx_t x;
    bool ok;
    rec_iv_t *before = NULL;
    int rc = s_open_with_reason(r, call, q->id, REC_A_REASSIGN, q->reason, &x, &ok);
    if (rc || !ok)
        goto done;
    Entretiens__V1__Employee *m = NULL;
    int g = rec_dir_get(r, call->txn, q->to, &m);
    if (m)
        entretiens__v1__employee__free_unpacked(m, NULL);
    if (g == MDB_NOTFOUND || strcmp(rec_str(q->to), x.iv->employee_id) == 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "to", "the interviewer must be another known employee");
        goto done;
    }
    if (g) {
        rc = g;
        goto done;
    }
    if (strcmp(q->to, x.iv->manager_id) == 0) {
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "to", "interview %s is %s: %s already conducts it", x.iv->id,
                          x.iv->status, q->to);
        goto done;
    }
    if (!(before = rec_iv_dup(x.iv))) {
        rc = ENOMEM;
        goto done;
    }
    json_t *det = json_pack("{s[ss]}", "manager_id", x.iv->manager_id, q->to); /* + the reason, sealed */
    rec_set_str(&x.iv->manager_id, q->to);
    rec_set_str(&x.iv->reason, q->reason);
    x.iv->reassigned = true;
    rc = s_finish(r, call, &x, before, NULL, "reassign", det, "records.interview.reassigned", NULL, q->reason,
                  before->manager_id);
done:
    rec_iv_free(before);
    s_ctx_free(&x);
    entretiens__v1__reassign_request__free_unpacked(q, NULL);
    return rc;
}

/* ------------------------------------------------------------------ audit */

static int s_audit_verify(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(AuditRequest, q, audit_request)
    int rc = 0;
    bool ok;
    if (q->interview_id && *q->interview_id) {
        s_ctx_t x;
        rc = s_open(r, call, q->interview_id, &x, &ok);
        if (!rc && ok && !rec_may_read(x.rel, REC_D_AUDIT)) {
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "interview_id", "%s may not read the audit trail of %s",
                              call->caller, x.iv->id);
            ok = false;
        }
        s_ctx_free(&x);
    } else {
        s_caller_t c;
        rc = s_caller(r, call, &c, &ok);
        if (!rc && ok && c.p.role != ENT_ROLE_ADMIN) {
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "the whole trail is verified by an administrator");
            ok = false;
        }
        s_caller_free(&c);
    }
    if (!rc && ok && !(q->interview_id && *q->interview_id)) {
        /* the whole chain: seconds at a million interviews, on a worker
         * thread from a read transaction, while the loop goes on serving */
        entretiens__v1__audit_request__free_unpacked(q, NULL);
        return ent_daemon_offload(call, &r->verify_spec);
    }
    if (!rc && ok) {
        Entretiens__V1__AuditVerifyReply rep = ENTRETIENS__V1__AUDIT_VERIFY_REPLY__INIT;
        char reason[512], head[2 * REC_HASH_LEN + 1], broken[REC_ID_MAX + 1];
        rc = rec_audit_verify(r, call->txn, q->interview_id, &rep, reason, sizeof reason, head, broken);
        rep.reason = reason;
        rep.head_hash = head;
        rep.broken_interview_id = broken;
        if (!rc)
            rc = ent_rpc_ok(call, &rep.base);
        if (!rep.ok)
            ent_log_warn("audit.broken", "audit verify: %s", reason);
        rec_audit_verify_free(&rep);
    }
    entretiens__v1__audit_request__free_unpacked(q, NULL);
    return rc;
}

/* The whole chain's verification as offloaded work: its own read
 * transaction (holding the resize lock), the reply kept for the loop. */
typedef struct {
    Entretiens__V1__AuditVerifyReply rep; /* first: the reply's base */
    char reason[512], head[2 * REC_HASH_LEN + 1], broken[REC_ID_MAX + 1];
} s_verify_t;

void rec_audit_verify_reply_free(ProtobufCMessage *reply)
{
    s_verify_t *v = (s_verify_t *) reply;
    rec_audit_verify_free(&v->rep);
    free(v);
}

void rec_audit_verify_run(ent_offload_job_t *job, void *arg)
{
    records_t *r = arg;
    s_verify_t *v = calloc(1, sizeof *v);
    if (!v) {
        job->code = ENT_RESOURCE_EXHAUSTED;
        snprintf(job->message, sizeof job->message, "out of memory");
        return;
    }
    entretiens__v1__audit_verify_reply__init(&v->rep);
    ent_store_thread_hold();
    MDB_txn *txn;
    int rc = mdb_txn_begin(ent_store_env(job->store), NULL, MDB_RDONLY, &txn);
    if (!rc) {
        rc = rec_audit_verify(r, txn, "", &v->rep, v->reason, sizeof v->reason, v->head, v->broken);
        mdb_txn_abort(txn);
    }
    ent_store_thread_release();
    if (rc) {
        job->code = ENT_UNAVAILABLE;
        snprintf(job->message, sizeof job->message, "the audit chain cannot be read: %s", mdb_strerror(rc));
        rec_audit_verify_reply_free(&v->rep.base);
        return;
    }
    v->rep.reason = v->reason;
    v->rep.head_hash = v->head;
    v->rep.broken_interview_id = v->broken;
    if (!v->rep.ok)
        ent_log_warn("audit.broken", "audit verify: %s", v->reason);
    job->reply = &v->rep.base;
}

/* The reason sealed in rec as the reader may see it: details.reason gets
 * the text (the employee, HR with the content permission), "withheld"
 * (others) or "purged" (the key is gone); the sealed bytes are never sent.
 * Returns 0 or ENOMEM. */
static int s_open_reason(records_t *r, Entretiens__V1__AuditRecord *rec, rec_relation_t rel)
{
    if (!rec->sealed_reason.len)
        return 0;
    const char *shown = "withheld";
    uint8_t *pt = NULL;
    size_t n = 0;
    if (rec_may_read(rel, REC_D_REASONS)) {
        char field[32];
        rec_audit_reason_field(rec->interview_seq, field);
        int o = r->crypt ? rec_crypt_open_value(r->crypt, rec->interview_id, field, rec->sealed_reason.data,
                                                rec->sealed_reason.len, &pt, &n, NULL)
                         : REC_CRYPT_FORGED;
        if (o == ENOMEM)
            return ENOMEM;
        shown = o == 0 ? (const char *) pt : o == REC_CRYPT_SHREDDED ? "purged" : "unreadable";
        if (o && o != REC_CRYPT_SHREDDED)
            ent_log_warn("records.audit", "interview %s: the reason of audit record %" PRIu64 " does not open (%d)",
                         rec->interview_id, rec->seq, o);
    }
    json_t *det = rec->details && *rec->details ? json_loads(rec->details, 0, NULL) : json_object();
    char *text = NULL;
    if (det && !json_object_set_new(det, "reason", json_string(shown)))
        text = json_dumps(det, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(det);
    if (pt) {
        sodium_memzero(pt, n);
        free(pt);
    }
    if (!text)
        return ENOMEM;
    free(rec->details); /* unpacked with the default allocator */
    rec->details = text;
    free(rec->sealed_reason.data);
    rec->sealed_reason = (ProtobufCBinaryData) { 0, NULL };
    return 0;
}

static int s_audit_list(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    UNPACK(AuditRequest, q, audit_request)
    s_ctx_t x;
    bool ok;
    int rc = s_open(r, call, q->interview_id, &x, &ok);
    if (!rc && ok && !rec_may_read(x.rel, REC_D_AUDIT))
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "interview_id", "%s may not read the audit trail of %s",
                          call->caller, x.iv->id);
    else if (!rc && ok) {
        Entretiens__V1__AuditRecord **recs = NULL;
        size_t n = 0;
        rc = rec_audit_list(r, call->txn, x.iv->id, &recs, &n);
        bool archived;
        rec_relation_t reader = s_content_rel(r, call->txn, x.iv, x.rel, &archived);
        for (size_t i = 0; !rc && i < n; i++)
            rc = s_open_reason(r, recs[i], reader);
        if (!rc) {
            Entretiens__V1__AuditList rep = ENTRETIENS__V1__AUDIT_LIST__INIT;
            rep.n_records = n;
            rep.records = recs;
            rc = ent_rpc_ok(call, &rep.base);
        } else if (rc == MDB_CORRUPTED) {
            rc = ent_rpc_fail(call, ENTRETIENS__V1__CODE__DATA_LOSS, "interview_id",
                              "the audit trail of %s has a record that is missing or unreadable after %zu: "
                              "run audit verify", x.iv->id, n);
        } else if (rc == ENOMEM) {
            rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            entretiens__v1__audit_record__free_unpacked(recs[i], NULL);
        free(recs);
    }
    s_ctx_free(&x);
    entretiens__v1__audit_request__free_unpacked(q, NULL);
    return rc;
}

/* ----------------------------------------------------------------- access */

static int s_admin_only(records_t *r, ent_rpc_call_t *call, bool *ok)
{
    s_caller_t c;
    int rc = s_caller(r, call, &c, ok);
    if (!rc && *ok && c.p.role != ENT_ROLE_ADMIN) {
        *ok = false;
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "access grants are managed by an administrator");
    }
    s_caller_free(&c);
    return rc;
}

static int s_grant(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    bool ok;
    int rc = s_admin_only(r, call, &ok);
    if (rc || !ok)
        return rc;
    UNPACK(AccessGrant, g, access_grant)
    ent_principal_t p;
    if (ent_principal_parse(g->principal, &p, NULL) != 0 || p.role != ENT_ROLE_HR) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "principal", "grants are for HR principals (hr:ID)");
        goto done;
    }
    if (g->n_entities == 0 || g->n_entities > 1000) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "entities", "1 to 1,000 entities (\"*\" = all)");
        goto done;
    }
    for (size_t i = 0; i < g->n_entities; i++)
        if (!g->entities[i][0] || strlen(g->entities[i]) > REC_ID_MAX) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "entities", "an entity id has 1 to 64 characters");
            goto done;
        }
    rec_set_str(&g->granted_by, call->caller);
    g->granted_at_ms = ent_clock_now_ms();
    size_t len = entretiens__v1__access_grant__get_packed_size(g);
    uint8_t *packed = malloc(len ? len : 1);
    if (!packed) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
        goto done;
    }
    entretiens__v1__access_grant__pack(g, packed);
    uint8_t d[REC_HASH_LEN];
    rec_sha256(d, packed, len, NULL, 0, NULL, 0, NULL, 0);
    /* the grant, and the event that gives it to the other daemons */
    rc = ent_grants_put(call->txn, r->grants, g);
    if (!rc)
        rc = rec_grant_publish(r, call->txn, ENT_GRANT_EVENT_GRANTED, packed, len);
    free(packed);
    if (rc)
        goto done;
    json_t *ents = json_array();
    for (size_t i = 0; i < g->n_entities; i++)
        json_array_append_new(ents, json_string(g->entities[i]));
    json_t *det = json_pack("{ss so sb}", "principal", g->principal, "entities", ents, "content", (int) g->content);
    if ((rc = rec_audit_global(r, call->txn, call->caller, "access.grant", det, d)))
        goto done;
    rc = ent_rpc_ok(call, &g->base);
done:
    entretiens__v1__access_grant__free_unpacked(g, NULL);
    return rc;
}

static int s_revoke(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    bool ok;
    int rc = s_admin_only(r, call, &ok);
    if (rc || !ok)
        return rc;
    UNPACK(AccessGrant, g, access_grant)
    rc = ent_grants_del(call->txn, r->grants, rec_str(g->principal));
    if (rc == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "principal", "'%.64s' has no grant", rec_str(g->principal));
    } else if (!rc) {
        Entretiens__V1__AccessGrant only = ENTRETIENS__V1__ACCESS_GRANT__INIT;
        only.principal = g->principal;
        uint8_t packed[256];
        size_t len = entretiens__v1__access_grant__get_packed_size(&only);
        if (len > sizeof packed)
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "principal", "a principal has at most 64 characters");
        else if (!(rc = rec_grant_publish(r, call->txn, ENT_GRANT_EVENT_REVOKED, packed,
                                          entretiens__v1__access_grant__pack(&only, packed))) &&
                 !(rc = rec_audit_global(r, call->txn, call->caller, "access.revoke",
                                         json_pack("{ss}", "principal", g->principal), NULL)))
            rc = ent_rpc_ok(call, NULL);
    }
    entretiens__v1__access_grant__free_unpacked(g, NULL);
    return rc;
}

static int s_grants(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    bool ok;
    int rc = s_admin_only(r, call, &ok);
    if (rc || !ok)
        return rc;
    Entretiens__V1__AccessList rep = ENTRETIENS__V1__ACCESS_LIST__INIT;
    Entretiens__V1__AccessGrant **items = NULL;
    size_t n = 0;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(call->txn, r->grants, &cur)))
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Entretiens__V1__AccessGrant *g = entretiens__v1__access_grant__unpack(NULL, v.mv_size, v.mv_data);
        void *p = g ? realloc(items, (n + 1) * sizeof *items) : NULL;
        if (!p) {
            if (g)
                entretiens__v1__access_grant__free_unpacked(g, NULL);
            continue;
        }
        items = p;
        items[n++] = g;
    }
    mdb_cursor_close(cur);
    rep.n_grants = n;
    rep.grants = items;
    rc = ent_rpc_ok(call, &rep.base);
    for (size_t i = 0; i < n; i++)
        entretiens__v1__access_grant__free_unpacked(items[i], NULL);
    free(items);
    return rc;
}

/* ------------------------------------------------------------------ stats */

static int s_stats(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    s_caller_t c;
    bool ok;
    int rc = s_caller(r, call, &c, &ok);
    if (!rc && ok && c.p.role != ENT_ROLE_ADMIN && c.p.role != ENT_ROLE_HR)
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "statistics are for HR and administrators");
    else if (!rc && ok) {
        Entretiens__V1__RecordsStats rep = ENTRETIENS__V1__RECORDS_STATS__INIT;
        MDB_stat st;
        mdb_stat(call->txn, r->interviews, &st);
        rep.interviews = st.ms_entries;
        mdb_stat(call->txn, r->templates, &st);
        rep.templates = st.ms_entries;
        mdb_stat(call->txn, r->audit, &st);
        rep.audit_records = st.ms_entries;
        mdb_stat(call->txn, r->directory, &st);
        rep.employees = st.ms_entries;
        rc = ent_rpc_ok(call, &rep.base);
    }
    s_caller_free(&c);
    return rc;
}

int rec_methods_register(records_t *r)
{
    static const struct {
        const char *name;
        ent_rpc_fn fn;
    } m[] = {
        { "records.interview.get", s_get },
        { "records.interview.create", s_create },   { "records.interview.schedule", s_schedule },
        { "records.interview.answer", s_answer },   { "records.interview.share", s_share },
        { "records.interview.hold", s_hold },       { "records.interview.report", s_report },
        { "records.interview.sign", s_sign },       { "records.interview.cancel", s_cancel },
        { "records.interview.reopen", s_reopen },   { "records.interview.reassign", s_reassign },
        { "records.interview.step_back", s_step_back }, { "records.interview.move_due", s_move_due },
        { "records.audit.verify", s_audit_verify }, { "records.audit.list", s_audit_list },
        { "records.stats", s_stats },               { "records.interview.reads", s_reads },
        { "records.interview.export", s_export },
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (ent_daemon_method(r->d, m[i].name, m[i].fn, r))
            return -1;
    /* the list a web page loads reads only (a turn of such queries runs in
     * a read-only transaction: daemon.h); records.interview.get is not
     * one: a read of confidential parts is written to the read log */
    if (ent_daemon_query(r->d, "records.interview.list", s_list, r))
        return -1;
    /* grants are the operators' (keys bound to an admin principal); their
     * list also a signed-in administrator's, through the gateway */
    if (ent_daemon_method_for(r->d, "records.access.grant", ENT_RPC_ADMINS, s_grant, r) ||
        ent_daemon_method_for(r->d, "records.access.revoke", ENT_RPC_ADMINS, s_revoke, r) ||
        ent_daemon_method_for(r->d, "records.access.list", ENT_RPC_ADMINS, s_grants, r))
            return -1;
    return 0;
}
