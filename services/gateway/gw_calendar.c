/*  gw_calendar.c — the calendar feed: a per-person secret URL serving her
 *  deadlines and interviews as iCalendar (common/ics.h, the CLI's
 *  `calendar export` builder), for subscriptions from Outlook, Google
 *  Calendar or Thunderbird, which cannot sign in: the token in the URL is
 *  the credential.  Stored hashed (database "caltokens"), revocable.  The
 *  feed is built by asking the daemons AS the token's principal, so it
 *  shows exactly what she would see signed in.  HR and administrators get
 *  the organisation's deadlines (what GET /due answers them) instead,
 *  narrowed by the URL's filters (?type=&entity=&department=&manager_id=).
 *  ?lang=fr|en (French by default) sets the titles and the reasons.
 */
#include "gw_api.h"
#include "common/pbdate.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/event_json.h"
#include "common/ics.h"
#include "common/log.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FEED_MAX_INTERVIEWS 500
#define ORG_FEED_MAX 5000

int gw_route_caltoken_create(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    if (!ent_principal_is_person(&r->who) && r->who.role != ENT_ROLE_HR && r->who.role != ENT_ROLE_ADMIN)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", NULL,
                               "a calendar feed is for people (their deadlines and interviews) and for HR and "
                               "administrators (the organisation's deadlines)");
    char token[GW_TOKEN_TEXT];
    uint8_t h[GW_HASH_BYTES];
    if (gw_token_new(token) != 0)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "no random source");
    gw_token_hash(token, strlen(token), h);
    Entretiens__V1__CalendarToken t = ENTRETIENS__V1__CALENDAR_TOKEN__INIT;
    t.principal = r->principal;
    t.created_ms = gw_now_ms();
    MDB_txn *txn;
    int rc = gw_store_write(&r->gw->st, &txn);
    if (!rc) {
        rc = gw_caltoken_put(txn, &r->gw->st, h, &t);
        if (rc)
            gw_store_abort(txn);
        else
            rc = gw_store_commit(txn);
    }
    if (rc) {
        explicit_bzero(token, sizeof token);
        ent_log_error("gateway.store", "calendar token: %s", mdb_strerror(rc));
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    }
    char path[128];
    snprintf(path, sizeof path, "/api/v1/calendar/%s.ics", token);
    json_t *o = json_pack("{s:s, s:s}", "token", token, "path", path);
    if (r->gw->origin[0]) {
        char url[512];
        snprintf(url, sizeof url, "%s%s", r->gw->origin, path);
        json_object_set_new(o, "url", json_string(url));
        const char *host = strstr(r->gw->origin, "://");
        snprintf(url, sizeof url, "webcal://%s%s", host ? host + 3 : r->gw->origin, path);
        json_object_set_new(o, "webcal", json_string(url));
    }
    explicit_bzero(token, sizeof token);
    explicit_bzero(path, sizeof path);
    ent_log_info("gateway.calendar.token", "calendar feed token created for %s", r->principal);
    return gw_resp_json(out, 201, o);
}

int gw_route_caltoken_delete(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    MDB_txn *txn;
    size_t n = 0;
    int rc = gw_store_write(&r->gw->st, &txn);
    if (!rc) {
        rc = gw_caltoken_del_principal(txn, &r->gw->st, r->principal, &n);
        if (rc)
            gw_store_abort(txn);
        else
            rc = gw_store_commit(txn);
    }
    if (rc)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    ent_log_info("gateway.calendar.revoked", "%zu calendar feed token(s) of %s revoked", n, r->principal);
    out->status = 204;
    return 0;
}

/* Calls method with msg and unpacks the reply as desc; NULL when refused or
 * unreadable (the feed leaves that part out rather than failing whole). */
static void *s_get(gw_req_t *r, int daemon, const char *method, const ProtobufCMessage *msg,
                   const ProtobufCMessageDescriptor *desc)
{
    ent_rpc_result_t res;
    gw_call(r, daemon, method, msg, false, &res);
    void *m = res.code == ENT_OK ? protobuf_c_message_unpack(desc, NULL, res.payload_len, res.payload) : NULL;
    if (res.code != ENT_OK)
        ent_log_info("gateway.calendar.partial", "%s for %s: %s", method, r->principal, ent_code_name(res.code));
    ent_rpc_result_clear(&res);
    return m;
}

static void s_add_interviews(gw_req_t *r, ics_cal_t *cal, Entretiens__V1__InterviewListRequest *q, size_t *budget)
{
    Entretiens__V1__InterviewListReply *l =
        s_get(r, 1, "records.interview.list", &q->base, &entretiens__v1__interview_list_reply__descriptor);
    for (size_t i = 0; l && i < l->n_interviews && *budget; i++) {
        if (!l->interviews[i]->scheduled_start_ms)
            continue; /* only meetings go in a calendar; deadlines come from the scheduler */
        Entretiens__V1__InterviewRequest g = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
        g.id = l->interviews[i]->id;
        Entretiens__V1__InterviewView *v =
            s_get(r, 1, "records.interview.get", &g.base, &entretiens__v1__interview_view__descriptor);
        if (v && v->interview) {
            ics_cal_add_interview(cal, v->interview, NULL, NULL);
            (*budget)--;
        }
        if (v)
            entretiens__v1__interview_view__free_unpacked(v, NULL);
    }
    if (l)
        entretiens__v1__interview_list_reply__free_unpacked(l, NULL);
}

/* The filters of HR's and administrators' feed, from the feed URL's query
 * (?type=&entity=&department=&manager_id=: what GET /due takes). */
static const char *const s_org_filters[] = { "type", "entity", "department", "manager_id" };

/* HR's and administrators' feed: the organisation's deadlines still to
 * hold that the scheduler lets them see (HR: the granted entities), from a
 * year back to a year ahead, at most ORG_FEED_MAX (the earliest first),
 * narrowed by the URL's filters; they hold no interviews of their own.
 * Returns 0, or the status of the problem written in out (a filter the
 * scheduler refuses: the feed says why rather than serving an empty
 * calendar). */
static unsigned s_add_organisation(gw_req_t *r, ics_cal_t *cal, int32_t today, const char *lang, gw_resp_t *out)
{
    Entretiens__V1__Date from, to;
    ent_pbdate_set(today - 365, &from);
    ent_pbdate_set(today + 365, &to);
    Entretiens__V1__DueRequest dq = ENTRETIENS__V1__DUE_REQUEST__INIT;
    dq.from = &from;
    dq.to = &to;
    dq.limit = ORG_FEED_MAX;
    dq.lang = (char *) lang;
    char **fields[] = { &dq.type, &dq.entity, &dq.department, &dq.manager_id };
    for (size_t i = 0; i < sizeof s_org_filters / sizeof *s_org_filters; i++) {
        const char *v = gw_req_query(r, s_org_filters[i]);
        if (v && *v)
            *fields[i] = (char *) v;
    }
    ent_rpc_result_t res;
    gw_call(r, 0, "scheduler.due", &dq.base, false, &res);
    if (res.code != ENT_OK) {
        ent_log_info("gateway.calendar.refused", "scheduler.due for %s: %s", r->principal, ent_code_name(res.code));
        gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
        ent_rpc_result_clear(&res);
        return out->status;
    }
    Entretiens__V1__DueReply *due = entretiens__v1__due_reply__unpack(NULL, res.payload_len, res.payload);
    ent_rpc_result_clear(&res);
    if (!due) {
        gw_resp_problem(out, 502, "INTERNAL", NULL, "the scheduler answered an unreadable list");
        return 502;
    }
    for (size_t i = 0; i < due->n_obligations; i++)
        ics_cal_add_deadline(cal, due->obligations[i]);
    entretiens__v1__due_reply__free_unpacked(due, NULL);
    return 0;
}

/* Refuses a query argument the feed does not know (a misspelt filter
 * would otherwise serve everything): lang for every feed, the filters
 * for HR's and administrators'.  Returns 0 or the problem's status. */
static unsigned s_check_query(gw_req_t *r, bool org, gw_resp_t *out)
{
    json_t *q = gw_req_query_object(r);
    const char *k;
    json_t *v;
    unsigned status = 0;
    json_object_foreach(q, k, v) {
        bool known = strcmp(k, "lang") == 0;
        for (size_t i = 0; org && !known && i < sizeof s_org_filters / sizeof *s_org_filters; i++)
            known = strcmp(k, s_org_filters[i]) == 0;
        if (!known) {
            gw_resp_problem(out, 400, "INVALID_ARGUMENT", k,
                            org ? "a calendar feed takes lang, type, entity, department and manager_id"
                                : "a person's calendar feed takes lang only (filters are for HR's and "
                                  "administrators' feeds)");
            status = 400;
            break;
        }
    }
    json_decref(q);
    return status;
}

int gw_route_calendar(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    const char *token = r->params[0];
    uint8_t h[GW_HASH_BYTES];
    gw_token_hash(token, strlen(token), h);
    MDB_txn *txn;
    Entretiens__V1__CalendarToken *t = NULL;
    int rc = gw_store_read(&r->gw->st, &txn);
    if (rc)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    rc = gw_caltoken_get(txn, &r->gw->st, h, &t);
    gw_store_abort(txn);
    if (rc == MDB_NOTFOUND)
        return gw_resp_problem(out, 404, "NOT_FOUND", NULL, "no such calendar (revoked, or never issued)");
    if (rc)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    const char *why;
    int prc = ent_principal_parse(t->principal, &r->who, &why);
    snprintf(r->principal, sizeof r->principal, "%s", t->principal);
    entretiens__v1__calendar_token__free_unpacked(t, NULL);
    if (prc != 0)
        return gw_resp_problem(out, 404, "NOT_FOUND", NULL, "no such calendar");
    bool org = r->who.role == ENT_ROLE_HR || r->who.role == ENT_ROLE_ADMIN;
    if (s_check_query(r, org, out))
        return 0;
    /* the feed's language: its titles and the deadlines' reasons */
    ics_lang_t lang = ICS_LANG_FR;
    const char *lq = gw_req_query(r, "lang");
    if (lq && ics_lang_parse(lq, &lang) != 0)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "lang", "fr or en, not '%.16s'", lq);
    /* the feed's dates are the business clock's (a pinned clock in tests
     * and demonstrations, as the daemons have it); its stamp is the real
     * time of the answer */
    int32_t today = ent_clock_today();
    int64_t now = gw_now_ms();
    char name[160];
    snprintf(name, sizeof name, "entretiens — %s", r->principal);
    ics_cal_t *cal = ics_cal_new(lang, name, now);
    if (!cal)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    if (org) {
        if (s_add_organisation(r, cal, today, lang == ICS_LANG_EN ? "en" : "fr", out)) {
            ics_cal_destroy(&cal);
            return 0;
        }
        goto text;
    }
    /* her own deadlines, and her team's for a manager (every one still open
     * since 2000, overdue ones included, up to two years ahead) */
    const char *reasons = lang == ICS_LANG_EN ? "en" : "fr";
    Entretiens__V1__ObligationsRequest oq = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
    oq.employee_id = r->who.id;
    oq.lang = (char *) reasons;
    Entretiens__V1__ObligationsReply *ob =
        s_get(r, 0, "scheduler.obligations", &oq.base, &entretiens__v1__obligations_reply__descriptor);
    for (size_t i = 0; ob && i < ob->n_obligations; i++)
        ics_cal_add_deadline(cal, ob->obligations[i]);
    if (ob)
        entretiens__v1__obligations_reply__free_unpacked(ob, NULL);
    if (r->who.role == ENT_ROLE_MANAGER) {
        Entretiens__V1__Date from, to;
        ent_pbdate_set(ent_date_from_ymd(2000, 1, 1), &from);
        ent_pbdate_set(today + 730, &to);
        Entretiens__V1__DueRequest dq = ENTRETIENS__V1__DUE_REQUEST__INIT;
        dq.from = &from;
        dq.to = &to;
        dq.manager_id = r->who.id;
        dq.limit = 5000;
        dq.lang = (char *) reasons;
        Entretiens__V1__DueReply *due = s_get(r, 0, "scheduler.due", &dq.base, &entretiens__v1__due_reply__descriptor);
        for (size_t i = 0; due && i < due->n_obligations; i++)
            ics_cal_add_deadline(cal, due->obligations[i]);
        if (due)
            entretiens__v1__due_reply__free_unpacked(due, NULL);
    }
    size_t budget = FEED_MAX_INTERVIEWS;
    Entretiens__V1__InterviewListRequest iq = ENTRETIENS__V1__INTERVIEW_LIST_REQUEST__INIT;
    iq.employee_id = r->who.id;
    s_add_interviews(r, cal, &iq, &budget);
    if (r->who.role == ENT_ROLE_MANAGER) {
        Entretiens__V1__InterviewListRequest mq = ENTRETIENS__V1__INTERVIEW_LIST_REQUEST__INIT;
        mq.manager_id = r->who.id;
        mq.tree = true;
        s_add_interviews(r, cal, &mq, &budget);
    }
text:;
    char *text = ics_cal_text(cal);
    ics_cal_destroy(&cal);
    if (!text)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    out->status = 200;
    out->text_len = strlen(text);
    out->text = malloc(out->text_len + 1);
    if (out->text)
        memcpy(out->text, text, out->text_len + 1);
    ics_text_free(text);
    out->content_type = "text/calendar; charset=utf-8";
    return out->text ? 0 : gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
}
