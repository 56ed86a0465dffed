/*  queries.c — the notifier's methods (notifier.h, docs/notifier.md):
 *
 *    notifier.list       NotificationListRequest -> NotificationListReply
 *    notifier.show       PreviewRequest{notification_id} -> PreviewReply
 *    notifier.preview    PreviewRequest{interview_id | obligation_id} -> PreviewReply
 *    notifier.retry      NotificationRequest{id | all_dead} -> RetryReply
 *    notifier.contact    ContactRequest -> Contact
 *    notifier.prefs.set  PrefsRequest -> Contact
 *    notifier.stats      -> NotifierStats
 *    notifier.templates  -> TemplatesReply
 *
 *  Who asks is the principal bound to the client's key (common/rpc.h).
 *  Deny by default: "employee:X" and "manager:X" see only what is
 *  addressed to them and set only their own preferences; administrators
 *  and HR holding a grant see every message; anyone else (a service, HR
 *  without a grant, a caller that does not parse) is refused.  Previews,
 *  retries and the delivery statistics are for HR and administrators.
 */
#include "notifier.h"

#include "common/clock.h"
#include "common/grants.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 100
#define LIST_MAX 5000
#define SCAN_MAX 2000000   /* records looked at by one list call */
#define RETRY_ALL_MAX 10000

/* The principal's own id when it is restricted to its own notifications
 * (the gate below has already refused everyone else). */
static const char *s_self(const ent_rpc_call_t *call)
{
    ent_principal_t p;
    if (ent_principal_parse(call->caller, &p, NULL) != 0 || !ent_principal_is_person(&p))
        return NULL;
    return strchr(call->caller, ':') + 1;
}

/* The door of every method: returns 0 when the caller may go on (persons:
 * whether employees and managers may call this method at all), 1 after
 * refusing the call, or an LMDB code. */
static int s_gate(notifier_t *n, ent_rpc_call_t *call, bool persons)
{
    ent_principal_t p;
    const char *why = "";
    if (ent_principal_parse(call->caller, &p, &why) != 0) {
        ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
        return 1;
    }
    switch (p.role) {
    case ENT_ROLE_ADMIN:
        return 0;
    case ENT_ROLE_EMPLOYEE:
    case ENT_ROLE_MANAGER:
        if (persons)
            return 0;
        ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s: for HR and administrators", call->caller);
        return 1;
    case ENT_ROLE_HR: {
        ent_grant_scope_t hr;
        int rc = ent_grants_scope(call->txn, n->grants, call->caller, &hr);
        bool granted = hr.scope.granted;
        ent_grants_scope_free(&hr);
        if (rc)
            return rc;
        if (granted)
            return 0;
        ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                     "%s has no access grant (an administrator grants entities: records.access.grant)", call->caller);
        return 1;
    }
    default:
        ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s has no access to notifications", call->caller);
        return 1;
    }
}

typedef struct {
    const char *name;
    ent_rpc_fn fn;
    bool persons;
} s_method_t;

static const s_method_t *s_method_of(const char *name);

/* Every method goes through the gate first. */
static int s_dispatch(ent_rpc_call_t *call, void *arg)
{
    const s_method_t *m = s_method_of(call->req->method);
    if (!m)
        return ent_rpc_fail(call, ENT_UNIMPLEMENTED, "method", "unknown method");
    int rc = s_gate(arg, call, m->persons);
    if (rc)
        return rc == 1 ? 0 : rc;
    return m->fn(call, arg);
}

static bool s_too_long(const char *s, size_t max)
{
    return s && strlen(s) > max;
}

/* ------------------------------------------------------------ list */

typedef struct {
    ntf_notif_t *items;
    size_t n, cap, limit;
    bool truncated;
    int status;                 /* -1 = any */
    const char *recipient;      /* NULL = any */
    const char *after;          /* NULL = from the start */
    size_t scanned;
} s_list_t;

/* Takes nf (moves it) when it passes the filters.  Returns 1 when the
 * list is full (stop), 0 to go on, or ENOMEM. */
static int s_offer(s_list_t *l, ntf_notif_t *nf)
{
    bool keep = (l->status < 0 || nf->status == l->status) &&
                (!l->recipient || strcmp(nf->recipient_id, l->recipient) == 0) &&
                (!l->after || strcmp(nf->id, l->after) > 0);
    if (!keep) {
        ntf_notif_clear(nf);
        return 0;
    }
    if (l->n == l->limit) {
        l->truncated = true;
        ntf_notif_clear(nf);
        return 1;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        ntf_notif_t *it = realloc(l->items, cap * sizeof *it);
        if (!it) {
            ntf_notif_clear(nf);
            return ENOMEM;
        }
        l->items = it;
        l->cap = cap;
    }
    l->items[l->n++] = *nf; /* the items array now owns nf's digest ids */
    return 0;
}

static void s_list_free(s_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        ntf_notif_clear(&l->items[i]);
    free(l->items);
}

static int s_cmp_id(const void *a, const void *b)
{
    return strcmp(((const ntf_notif_t *) a)->id, ((const ntf_notif_t *) b)->id);
}

/* The items of one subject, planned or materialised, into the list. */
static int s_list_subject(notifier_t *n, MDB_txn *txn, const char *key, s_list_t *l, ntf_subject_t *s)
{
    int rc = ntf_subject_get(n, txn, key, s);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    for (size_t i = 0; i < s->n_items; i++) {
        ntf_notif_t nf;
        ntf_notif_from_item(s, &s->items[i], &nf);
        if (s->items[i].status == NTF_ITEM_FIRED) {
            ntf_notif_t rec;
            rc = ntf_notif_get(n, txn, nf.id, &rec);
            if (rc && rc != MDB_NOTFOUND)
                return rc;
            if (rc == MDB_NOTFOUND)
                continue; /* a dead letter deleted by the retention sweep (retention.c) */
            nf = rec;
        }
        rc = s_offer(l, &nf);
        if (rc)
            return rc == 1 ? 0 : rc;
    }
    return 0;
}

/* Every record of an index (keys = notification ids) into the list. */
static int s_list_index(notifier_t *n, MDB_txn *txn, MDB_dbi dbi, size_t skip, s_list_t *l)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    if (l->after && skip == 0) {
        k.mv_size = strlen(l->after);
        k.mv_data = (void *) l->after;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    char id[NTF_NID_MAX + 1];
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (++l->scanned > SCAN_MAX) {
            l->truncated = true;
            break;
        }
        if (k.mv_size < skip || k.mv_size - skip > NTF_NID_MAX)
            continue;
        memcpy(id, (uint8_t *) k.mv_data + skip, k.mv_size - skip);
        id[k.mv_size - skip] = '\0';
        ntf_notif_t nf;
        if (dbi == n->notifs) {
            if (ntf_notif_unpack(v.mv_data, v.mv_size, &nf) != 0)
                continue;
        } else {
            int g = ntf_notif_get(n, txn, id, &nf);
            if (g == MDB_NOTFOUND)
                continue;
            if (g) {
                rc = g;
                break;
            }
        }
        int o = s_offer(l, &nf);
        if (o == 1)
            break;
        if (o) {
            rc = o;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Planned items still pending, subject by subject. */
static int s_list_pending(notifier_t *n, MDB_txn *txn, s_list_t *l, ntf_subject_t *s)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, n->subjects, &cur);
    if (rc)
        return rc;
    char key[NTF_KEY_MAX + 1];
    MDB_val k, v;
    if (l->after) {
        const char *bar = strchr(l->after, '|');
        size_t len = bar ? (size_t) (bar - l->after) : strlen(l->after);
        if (len > NTF_KEY_MAX)
            len = NTF_KEY_MAX;
        memcpy(key, l->after, len);
        key[len] = '\0';
        k.mv_size = len;
        k.mv_data = key;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    for (; rc == 0 && !l->truncated; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (++l->scanned > SCAN_MAX) {
            l->truncated = true;
            break;
        }
        if (ntf_subject_unpack(v.mv_data, v.mv_size, n->rd_arena, s) != 0)
            continue;
        for (size_t i = 0; i < s->n_items && !l->truncated; i++) {
            if (s->items[i].status != NTF_ITEM_PENDING)
                continue;
            ntf_notif_t nf;
            ntf_notif_from_item(s, &s->items[i], &nf);
            int o = s_offer(l, &nf);
            if (o && o != 1) {
                mdb_cursor_close(cur);
                return o;
            }
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_reply_list(ent_rpc_call_t *call, s_list_t *l)
{
    Entretiens__V1__NotificationListReply rep = ENTRETIENS__V1__NOTIFICATION_LIST_REPLY__INIT;
    size_t n = l->n;
    Entretiens__V1__Notification *msgs = calloc(n ? n : 1, sizeof *msgs);
    Entretiens__V1__Notification **pm = calloc(n ? n : 1, sizeof *pm);
    Entretiens__V1__Date *dates = calloc(n ? n : 1, sizeof *dates);
    Entretiens__V1__Delivery *del = calloc((n ? n : 1) * NTF_CH_COUNT, sizeof *del);
    Entretiens__V1__Delivery **pdel = calloc((n ? n : 1) * NTF_CH_COUNT, sizeof *pdel);
    int rc;
    if (!msgs || !pm || !dates || !del || !pdel) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++) {
            ntf_notif_msg(&l->items[i], &msgs[i], &dates[i], del + i * NTF_CH_COUNT, pdel + i * NTF_CH_COUNT);
            pm[i] = &msgs[i];
        }
        rep.n_notifications = n;
        rep.notifications = pm;
        rep.truncated = l->truncated;
        rc = ent_rpc_ok(call, &rep.base);
    }
    free(msgs);
    free(pm);
    free(dates);
    free(del);
    free(pdel);
    return rc;
}

static int s_list(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__NotificationListRequest *req = ent_rpc_unpack(call, &entretiens__v1__notification_list_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    int rc = 0;
    s_list_t l = { .status = -1, .limit = req->limit ? req->limit : LIST_DEFAULT };
    ntf_subject_t *s = NULL;
    if (l.limit > LIST_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "limit", "limit must be at most %d", LIST_MAX);
        goto done;
    }
    if (req->status && *req->status && (l.status = ntf_status_parse(req->status)) < 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "status",
                          "status must be pending, sending, sent, failed, dead, cancelled or digested");
        goto done;
    }
    if (s_too_long(req->employee_id, NTF_ID_MAX) || s_too_long(req->recipient_id, NTF_ID_MAX) ||
        s_too_long(req->subject, NTF_KEY_MAX) || s_too_long(req->after_id, NTF_NID_MAX)) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "employee_id", "an id is too long");
        goto done;
    }
    l.recipient = req->recipient_id && *req->recipient_id ? req->recipient_id : NULL;
    l.after = req->after_id && *req->after_id ? req->after_id : NULL;
    const char *self = s_self(call);
    if (self) {
        if (l.recipient && strcmp(l.recipient, self) != 0) {
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "recipient_id", "%s may only list its own notifications",
                              call->caller);
            goto done;
        }
        l.recipient = self;
    }
    if (!(s = malloc(sizeof *s))) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
        goto done;
    }
    size_t limit = l.limit;
    bool sort = (req->subject && *req->subject) || (req->employee_id && *req->employee_id) ||
                l.status == NTF_ST_FAILED;
    if (sort)
        l.limit = LIST_MAX; /* gathered whole, ordered by id, then cut */
    if (req->subject && *req->subject) {
        rc = s_list_subject(n, call->txn, req->subject, &l, s);
    } else if (req->employee_id && *req->employee_id) {
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(call->txn, n->emp_subjects, &cur)) != 0)
            goto done;
        MDB_val k = { strlen(req->employee_id), req->employee_id }, v;
        char key[NTF_KEY_MAX + 1];
        for (int g = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); g == 0 && !rc && !l.truncated;
             g = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
            if (v.mv_size > NTF_KEY_MAX)
                continue;
            memcpy(key, v.mv_data, v.mv_size);
            key[v.mv_size] = '\0';
            /* the cursor stays valid: listing only reads */
            rc = s_list_subject(n, call->txn, key, &l, s);
        }
        mdb_cursor_close(cur);
    } else if (l.status == NTF_ST_PENDING) {
        rc = s_list_pending(n, call->txn, &l, s);
    } else if (l.status == NTF_ST_DEAD) {
        rc = s_list_index(n, call->txn, n->dead, 0, &l);
    } else if (l.status == NTF_ST_SENDING) {
        rc = s_list_index(n, call->txn, n->sending, 0, &l);
    } else if (l.status == NTF_ST_FAILED) {
        rc = s_list_index(n, call->txn, n->retries, 8, &l);
    } else {
        rc = s_list_index(n, call->txn, n->notifs, 0, &l);
    }
    if (rc)
        goto done;
    if (sort) {
        /* one order across subjects (and the time-ordered retry index) */
        if (l.n > 1)
            qsort(l.items, l.n, sizeof *l.items, s_cmp_id);
        if (l.n > limit) {
            for (size_t i = limit; i < l.n; i++)
                ntf_notif_clear(&l.items[i]);
            l.n = limit;
            l.truncated = true;
        }
    }
    rc = s_reply_list(call, &l);
done:
    free(s);
    s_list_free(&l);
    entretiens__v1__notification_list_request__free_unpacked(req, NULL);
    return rc;
}

/* ------------------------------------------------------------ preview / show */

typedef struct {
    Entretiens__V1__RenderedMessage *msgs;
    ntf_preview_t *pvs;
    ntf_notif_t *nfs;
    size_t n, cap;
} s_rendered_t;

static void s_rendered_free(s_rendered_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        ntf_preview_free(&r->pvs[i]);
        ntf_notif_clear(&r->nfs[i]);
    }
    free(r->msgs);
    free(r->pvs);
    free(r->nfs);
}

/* Renders nf (moved into r) as a RenderedMessage. */
static int s_render_one(notifier_t *n, MDB_txn *txn, s_rendered_t *r, ntf_notif_t *nf)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        void *a = realloc(r->msgs, cap * sizeof *r->msgs);
        if (a)
            r->msgs = a;
        void *b = realloc(r->pvs, cap * sizeof *r->pvs);
        if (b)
            r->pvs = b;
        void *c = realloc(r->nfs, cap * sizeof *r->nfs);
        if (c)
            r->nfs = c;
        if (!a || !b || !c) {
            ntf_notif_clear(nf);
            return ENOMEM;
        }
        r->cap = cap;
    }
    ntf_preview_t *pv = &r->pvs[r->n];
    int rc = ntf_preview(n, txn, nf, pv);
    if (rc) {
        ntf_notif_clear(nf);
        return rc;
    }
    r->nfs[r->n] = *nf;
    r->n++;
    return 0;
}

/* Every item of a subject, rendered.  Fired ones as they went out. */
static int s_render_subject(notifier_t *n, MDB_txn *txn, const char *key, s_rendered_t *r, ntf_subject_t *s)
{
    int rc = ntf_subject_get(n, txn, key, s);
    if (rc)
        return rc == MDB_NOTFOUND ? 0 : rc;
    for (size_t i = 0; i < s->n_items && !rc; i++) {
        ntf_notif_t nf;
        ntf_notif_from_item(s, &s->items[i], &nf);
        if (s->items[i].status == NTF_ITEM_FIRED) {
            ntf_notif_t rec;
            rc = ntf_notif_get(n, txn, nf.id, &rec);
            if (rc && rc != MDB_NOTFOUND)
                return rc;
            if (rc == MDB_NOTFOUND) {
                rc = 0;
                continue; /* a dead letter deleted by the retention sweep (retention.c) */
            }
            nf = rec;
        } else if ((rc = ntf_resolve_recipient(n, txn, s, &nf)) != 0) {
            return rc;
        }
        rc = s_render_one(n, txn, r, &nf);
    }
    return rc;
}

static int s_reply_rendered(ent_rpc_call_t *call, s_rendered_t *r, bool with_records)
{
    Entretiens__V1__PreviewReply rep = ENTRETIENS__V1__PREVIEW_REPLY__INIT;
    size_t n = r->n ? r->n : 1;
    Entretiens__V1__RenderedMessage **pm = calloc(n, sizeof *pm);
    Entretiens__V1__Notification *recs = calloc(n, sizeof *recs), **prec = calloc(n, sizeof *prec);
    Entretiens__V1__Date *dates = calloc(n, sizeof *dates);
    Entretiens__V1__Delivery *del = calloc(n * NTF_CH_COUNT, sizeof *del), **pdel = calloc(n * NTF_CH_COUNT, sizeof *pdel);
    int rc;
    if (!pm || !recs || !prec || !dates || !del || !pdel) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    } else {
        for (size_t i = 0; i < r->n; i++) {
            /* filled now: the arrays do not move any more */
            const ntf_notif_t *nf = &r->nfs[i];
            ntf_preview_t *pv = &r->pvs[i];
            Entretiens__V1__RenderedMessage *m = &r->msgs[i];
            entretiens__v1__rendered_message__init(m);
            m->notification_id = (char *) nf->id;
            m->status = (char *) ntf_status_name(nf->status);
            m->fire_at_ms = nf->fire_ms;
            m->kind = (char *) ntf_kind_name(nf->kind);
            m->recipient_id = (char *) nf->recipient_id;
            m->locale = pv->locale;
            m->n_to = pv->n_to;
            m->to = pv->to;
            m->n_cc = pv->n_cc;
            m->cc = pv->cc;
            m->subject = pv->subject ? pv->subject : "";
            m->text = pv->text ? pv->text : "";
            m->ical = pv->ical ? pv->ical : "";
            m->message_id = (char *) nf->key;
            m->late = nf->late;
            m->error = pv->error ? pv->error : "";
            pm[i] = m;
            ntf_notif_msg(&r->nfs[i], &recs[i], &dates[i], del + i * NTF_CH_COUNT, pdel + i * NTF_CH_COUNT);
            prec[i] = &recs[i];
        }
        rep.n_messages = r->n;
        rep.messages = pm;
        if (with_records) {
            rep.n_notifications = r->n;
            rep.notifications = prec;
        }
        rc = ent_rpc_ok(call, &rep.base);
    }
    free(pm);
    free(recs);
    free(prec);
    free(dates);
    free(del);
    free(pdel);
    return rc;
}

static int s_preview(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__PreviewRequest *req = ent_rpc_unpack(call, &entretiens__v1__preview_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    s_rendered_t r = { 0 };
    ntf_subject_t *s = malloc(sizeof *s);
    int rc = 0;
    bool iv = req->interview_id && *req->interview_id, ob = req->obligation_id && *req->obligation_id;
    if (!s) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
        goto done;
    }
    if (iv == ob || s_too_long(req->interview_id, NTF_IID_MAX) || s_too_long(req->obligation_id, NTF_KEY_MAX - 2)) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, iv ? "obligation_id" : "interview_id",
                          "give one interview_id or one obligation_id");
        goto done;
    }
    if (s_self(call)) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, NULL, "%s may not preview others' messages", call->caller);
        goto done;
    }
    char key[NTF_KEY_MAX + 8], other[NTF_KEY_MAX + 8] = "";
    snprintf(key, sizeof key, "%s:%s", iv ? "i" : "o", iv ? req->interview_id : req->obligation_id);
    rc = ntf_subject_get(n, call->txn, key, s);
    if (rc == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, iv ? "interview_id" : "obligation_id", "the notifier has not heard of %s",
                          key + 2);
        goto done;
    }
    if (rc)
        goto done;
    if (iv && s->obligation_id[0])
        snprintf(other, sizeof other, "o:%s", s->obligation_id);
    else if (!iv && s->interview_id[0])
        snprintf(other, sizeof other, "i:%s", s->interview_id);
    if ((rc = s_render_subject(n, call->txn, key, &r, s)) != 0)
        goto done;
    if (other[0] && (rc = s_render_subject(n, call->txn, other, &r, s)) != 0)
        goto done;
    rc = s_reply_rendered(call, &r, true);
done:
    if (rc == ENOMEM)
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    free(s);
    s_rendered_free(&r);
    entretiens__v1__preview_request__free_unpacked(req, NULL);
    return rc;
}

static int s_show(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__PreviewRequest *req = ent_rpc_unpack(call, &entretiens__v1__preview_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    s_rendered_t r = { 0 };
    ntf_subject_t *s = malloc(sizeof *s);
    int rc = 0;
    const char *id = req->notification_id;
    if (!s) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
        goto done;
    }
    if (!id || !*id || strlen(id) > NTF_NID_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "notification_id", "a notification id is required");
        goto done;
    }
    ntf_notif_t nf;
    rc = ntf_notif_get(n, call->txn, id, &nf);
    if (rc == MDB_NOTFOUND) {
        /* not sent yet: a planned item of its subject */
        const char *bar = strchr(id, '|');
        char key[NTF_KEY_MAX + 1];
        size_t kl = bar ? (size_t) (bar - id) : 0;
        rc = MDB_NOTFOUND;
        if (kl && kl <= NTF_KEY_MAX) {
            memcpy(key, id, kl);
            key[kl] = '\0';
            rc = ntf_subject_get(n, call->txn, key, s);
            for (size_t i = 0; rc == 0 && i < s->n_items; i++) {
                char iid[NTF_NID_MAX + 1];
                if (ntf_item_id(s->key, &s->items[i], iid, sizeof iid) == 0 && strcmp(iid, id) == 0) {
                    if (s->items[i].status == NTF_ITEM_FIRED)
                        break; /* fired, its record deleted by the retention sweep: gone */
                    ntf_notif_from_item(s, &s->items[i], &nf);
                    rc = ntf_resolve_recipient(n, call->txn, s, &nf);
                    goto found;
                }
            }
            if (rc == 0)
                rc = MDB_NOTFOUND;
        }
        if (rc == MDB_NOTFOUND)
            rc = ent_rpc_fail(call, ENT_NOT_FOUND, "notification_id", "no notification %s", id);
        goto done;
    }
    if (rc)
        goto done;
found:
    if (rc)
        goto done;
    {
        const char *self = s_self(call);
        if (self && strcmp(self, nf.recipient_id) != 0) {
            ntf_notif_clear(&nf);
            rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "notification_id", "%s is not addressed to %s", id,
                              call->caller);
            goto done;
        }
    }
    if ((rc = s_render_one(n, call->txn, &r, &nf)) != 0)
        goto done;
    rc = s_reply_rendered(call, &r, true);
done:
    if (rc == ENOMEM)
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    free(s);
    s_rendered_free(&r);
    entretiens__v1__preview_request__free_unpacked(req, NULL);
    return rc;
}

/* ------------------------------------------------------------ retry */

static int s_retry_method(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__NotificationRequest *req = ent_rpc_unpack(call, &entretiens__v1__notification_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    Entretiens__V1__RetryReply rep = ENTRETIENS__V1__RETRY_REPLY__INIT;
    char **ids = NULL;
    size_t nid = 0;
    int rc = 0;
    if (s_self(call)) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, NULL, "%s may not retry deliveries", call->caller);
        goto done;
    }
    bool one = req->id && *req->id;
    if (one == req->all_dead) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "id", "give one notification id, or all_dead");
        goto done;
    }
    if (one) {
        if (strlen(req->id) > NTF_NID_MAX) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "id", "the id is too long");
            goto done;
        }
        rc = ntf_retry(n, call->txn, req->id);
        if (rc == MDB_NOTFOUND) {
            rc = ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no notification %s (a planned one has not been sent yet)",
                              req->id);
            goto done;
        }
        if (rc == EINVAL) {
            ntf_notif_t nf;
            const char *st = "?";
            if (ntf_notif_get(n, call->txn, req->id, &nf) == 0) {
                st = ntf_status_name(nf.status);
                ntf_notif_clear(&nf);
            }
            rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "id", "%s is %s: only failed or dead ones are retried",
                              req->id, st);
            goto done;
        }
        if (rc)
            goto done;
        ids = malloc(sizeof *ids);
        if (!ids || !(ids[0] = strdup(req->id))) {
            free(ids);
            ids = NULL;
            rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
            goto done;
        }
        nid = 1;
    } else {
        /* collect first: retrying moves them out of the index being read */
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(call->txn, n->dead, &cur)) != 0)
            goto done;
        ids = calloc(RETRY_ALL_MAX, sizeof *ids);
        MDB_val k, v;
        int g = ids ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : ENOMEM;
        for (; g == 0 && nid < RETRY_ALL_MAX; g = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            char *id = malloc(k.mv_size + 1);
            if (!id) {
                g = ENOMEM;
                break;
            }
            memcpy(id, k.mv_data, k.mv_size);
            id[k.mv_size] = '\0';
            ids[nid++] = id;
        }
        mdb_cursor_close(cur);
        if (g && g != MDB_NOTFOUND) {
            rc = g == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : g;
            goto done;
        }
        for (size_t i = 0; i < nid && !rc; i++) {
            rc = ntf_retry(n, call->txn, ids[i]);
            if (rc == MDB_NOTFOUND || rc == EINVAL)
                rc = 0;
        }
        if (rc)
            goto done;
    }
    ent_log_info("notification.retry", "%zu notification(s) put back for sending by %s", nid,
                 call->caller && *call->caller ? call->caller : "(anonymous)");
    rep.retried = (uint32_t) nid;
    rep.n_ids = nid;
    rep.ids = ids;
    rc = ent_rpc_ok(call, &rep.base);
done:
    for (size_t i = 0; i < nid; i++)
        free(ids[i]);
    free(ids);
    entretiens__v1__notification_request__free_unpacked(req, NULL);
    return rc;
}

/* ------------------------------------------------------------ directory, prefs */

static int s_contact(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__ContactRequest *req = ent_rpc_unpack(call, &entretiens__v1__contact_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    ntf_contact_t c;
    const char *self = s_self(call);
    int rc;
    if (self && req->employee_id && strcmp(self, req->employee_id) != 0) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "employee_id", "%s may only see its own contact", call->caller);
    } else if ((rc = ntf_contact_get(n, call->txn, req->employee_id, &c)) == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "employee_id", "no contact %s", req->employee_id ? req->employee_id : "");
    } else if (rc == 0) {
        Entretiens__V1__Contact m;
        Entretiens__V1__Date left;
        ntf_contact_msg(&c, &m, &left);
        rc = ent_rpc_ok(call, &m.base);
    }
    entretiens__v1__contact_request__free_unpacked(req, NULL);
    return rc;
}

static int s_prefs_set(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__PrefsRequest *req = ent_rpc_unpack(call, &entretiens__v1__prefs_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    const char *self = s_self(call);
    int rc;
    const char *loc = req->locale ? req->locale : "";
    if (self && req->recipient_id && strcmp(self, req->recipient_id) != 0) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "recipient_id", "%s may only set its own preferences",
                          call->caller);
    } else if (*loc && strcmp(loc, "fr") != 0 && strcmp(loc, "en") != 0 && strcmp(loc, "hris") != 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "locale", "fr, en, or hris (the HR system's); not '%.16s'", loc);
    } else if ((rc = ntf_prefs_set(n, call->txn, req->recipient_id, req->digest, loc)) == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "recipient_id", "no contact %s in the directory",
                          req->recipient_id ? req->recipient_id : "");
    } else if (rc == 0) {
        ntf_contact_t c;
        if ((rc = ntf_contact_get(n, call->txn, req->recipient_id, &c)) == 0) {
            Entretiens__V1__Contact m;
            Entretiens__V1__Date left;
            ntf_contact_msg(&c, &m, &left);
            rc = ent_rpc_ok(call, &m.base);
            ent_log_info("notifier.prefs", "%s: daily digest %s, messages in %s", c.employee_id,
                         c.digest ? "on" : "off", c.preferred_locale[0] ? c.preferred_locale : "the HRIS's locale");
        }
    }
    entretiens__v1__prefs_request__free_unpacked(req, NULL);
    return rc;
}

/* ------------------------------------------------------------ stats, templates */

static int s_stats(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__NotifierStats st = ENTRETIENS__V1__NOTIFIER_STATS__INIT;
    Entretiens__V1__StatusCount counts[NTF_ST_COUNT], *pc[NTF_ST_COUNT];
    size_t nc = 0;
    for (int i = NTF_ST_SENDING; i < NTF_ST_COUNT; i++) {
        entretiens__v1__status_count__init(&counts[nc]);
        counts[nc].status = (char *) ntf_status_name(i);
        counts[nc].count = (uint64_t) n->counts[i];
        pc[nc] = &counts[nc];
        nc++;
    }
    st.n_counts = nc;
    st.counts = pc;
    st.planned = (uint64_t) n->counts[NTF_CNT_PLANNED];
    st.subjects = (uint64_t) n->counts[NTF_CNT_SUBJECTS];
    st.contacts = (uint64_t) n->counts[NTF_CNT_CONTACTS];
    st.in_flight = n->in_flight;
    st.dead_letters = (uint64_t) n->counts[NTF_ST_DEAD];
    MDB_cursor *cur;
    int rc = mdb_cursor_open(call->txn, n->timers, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    if (mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0 && k.mv_size >= 8)
        st.next_fire_ms = (int64_t) ent_be64_get(k.mv_data);
    mdb_cursor_close(cur);
    char *ch[NTF_CH_COUNT];
    size_t nch = 0;
    for (int c = 0; c < NTF_CH_COUNT; c++)
        if (n->channels & (1u << c))
            ch[nch++] = (char *) ntf_channel_name(c);
    st.n_channels = nch;
    st.channels = ch;
    st.started_ms = n->started_ms;
    st.gate_open = n->gate_open;
    return ent_rpc_ok(call, &st.base);
}

static int s_templates(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__TemplatesReply rep = ENTRETIENS__V1__TEMPLATES_REPLY__INIT;
    char *json = ntf_templates_json(n->templates);
    if (!json)
        return ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    rep.json = json;
    int rc = ent_rpc_ok(call, &rep.base);
    free(json);
    return rc;
}

static const s_method_t s_methods[] = {
    { "notifier.list", s_list, true },           { "notifier.show", s_show, true },
    { "notifier.preview", s_preview, false },    { "notifier.retry", s_retry_method, false },
    { "notifier.contact", s_contact, true },     { "notifier.prefs.set", s_prefs_set, true },
    { "notifier.stats", s_stats, false },        { "notifier.templates", s_templates, true },
};

static const s_method_t *s_method_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof s_methods / sizeof *s_methods; i++)
        if (strcmp(s_methods[i].name, name) == 0)
            return &s_methods[i];
    return NULL;
}

int ntf_queries_register(notifier_t *n)
{
    for (size_t i = 0; i < sizeof s_methods / sizeof *s_methods; i++)
        if (ent_daemon_method(n->d, s_methods[i].name, s_dispatch, n) != 0)
            return -1;
    return 0;
}
