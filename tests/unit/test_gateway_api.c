/*  Unit tests of the gateway's pure modules: the rate limiter
 *  (gw_ratelimit), the status table and problem details (gw_problem),
 *  protobuf <-> JSON (gw_pbjson) and route patterns (gw_api). */
#include "gw_api.h"
#include "gw_pbjson.h"
#include "gw_problem.h"
#include "gw_ratelimit.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <criterion/criterion.h>
#include <string.h>

Test(ratelimit, burst_refill_retry_after)
{
    gw_ratelimit_t *rl = gw_ratelimit_new(2, 4, 64);
    cr_assert_not_null(rl);
    uint32_t retry = 0;
    int64_t t = 1000000;
    for (int i = 0; i < 4; i++)
        cr_expect(gw_ratelimit_take(rl, "1.2.3.4", t, &retry), "burst token %d", i);
    cr_expect_not(gw_ratelimit_take(rl, "1.2.3.4", t, &retry));
    cr_expect_geq(retry, 1);
    cr_expect(gw_ratelimit_take(rl, "5.6.7.8", t, &retry), "another key has its own bucket");
    cr_expect(gw_ratelimit_take(rl, "1.2.3.4", t + 500, &retry), "one token back after 0.5 s at 2/s");
    cr_expect_not(gw_ratelimit_take(rl, "1.2.3.4", t + 500, &retry));
    /* many keys: the table does not grow, and an evicted key starts full */
    for (int i = 0; i < 10000; i++) {
        char k[32];
        snprintf(k, sizeof k, "10.0.%d.%d", i / 256, i % 256);
        gw_ratelimit_take(rl, k, t + 600, NULL);
    }
    gw_ratelimit_destroy(&rl);
    cr_expect_null(rl);
    gw_ratelimit_t *off = gw_ratelimit_new(0, 0, 64);
    for (int i = 0; i < 1000; i++)
        cr_expect(gw_ratelimit_take(off, "x", t, NULL));
    gw_ratelimit_destroy(&off);
}

Test(problem, status_table)
{
    cr_expect_eq(gw_problem_status(ENT_OK), 200);
    cr_expect_eq(gw_problem_status(ENT_INVALID_ARGUMENT), 400);
    cr_expect_eq(gw_problem_status(ENT_UNAUTHENTICATED), 401);
    cr_expect_eq(gw_problem_status(ENT_PERMISSION_DENIED), 403);
    cr_expect_eq(gw_problem_status(ENT_NOT_FOUND), 404);
    cr_expect_eq(gw_problem_status(ENT_ALREADY_EXISTS), 409);
    cr_expect_eq(gw_problem_status(ENT_FAILED_PRECONDITION), 409);
    cr_expect_eq(gw_problem_status(ENT_RESOURCE_EXHAUSTED), 429);
    cr_expect_eq(gw_problem_status(ENT_UNAVAILABLE), 503);
    cr_expect_eq(gw_problem_status(ENT_DEADLINE_EXCEEDED), 504);
    cr_expect_eq(gw_problem_status(ENT_INTERNAL), 500);
    cr_expect_eq(gw_problem_status((ent_code_t) 99), 500);
}

Test(problem, document)
{
    ent_rpc_result_t r = { .code = ENT_FAILED_PRECONDITION };
    snprintf(r.field, sizeof r.field, "status");
    snprintf(r.message, sizeof r.message, "the interview is signed \xff");
    json_t *p = gw_problem_from_rpc(&r);
    cr_assert_not_null(p);
    cr_expect_eq(json_integer_value(json_object_get(p, "status")), 409);
    cr_expect_str_eq(json_string_value(json_object_get(p, "code")), "FAILED_PRECONDITION");
    cr_expect_str_eq(json_string_value(json_object_get(p, "field")), "status");
    cr_expect_str_eq(json_string_value(json_object_get(p, "title")), "Conflict");
    cr_expect_not_null(json_string_value(json_object_get(p, "detail")), "invalid UTF-8 is replaced, not dropped");
    cr_expect_not_null(strstr(json_string_value(json_object_get(p, "type")), "FAILED-PRECONDITION"));
    json_decref(p);
    p = gw_problem_new(428, "PRECONDITION_REQUIRED", NULL, "");
    cr_expect_null(json_object_get(p, "field"));
    cr_expect_null(json_object_get(p, "detail"));
    json_decref(p);
}

Test(pbjson, message_to_json)
{
    Entretiens__V1__InterviewListReply rep = ENTRETIENS__V1__INTERVIEW_LIST_REPLY__INIT;
    Entretiens__V1__InterviewSummary s = ENTRETIENS__V1__INTERVIEW_SUMMARY__INIT;
    Entretiens__V1__Date due = ENTRETIENS__V1__DATE__INIT;
    due.year = 2026;
    due.month = 3;
    due.day = 2;
    s.id = "iv1";
    s.employee_id = "E1";
    s.due_date = &due;
    s.scheduled_start_ms = 1774252800000;
    Entretiens__V1__InterviewSummary *items[] = { &s };
    rep.interviews = items;
    rep.n_interviews = 1;
    json_t *o = gw_pbjson_from_message(&rep.base);
    cr_assert_not_null(o);
    json_t *iv = json_array_get(json_object_get(o, "interviews"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(iv, "due_date")), "2026-03-02");
    cr_expect_eq(json_integer_value(json_object_get(iv, "scheduled_start_ms")), 1774252800000);
    cr_expect_null(json_object_get(iv, "manager_id"), "defaults are left out");
    cr_expect_null(json_object_get(o, "truncated"));
    json_decref(o);
    Entretiens__V1__InterviewView v = ENTRETIENS__V1__INTERVIEW_VIEW__INIT;
    v.employee_answers = "{\"q1\": 3}";
    o = gw_pbjson_from_message(&v.base);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(o, "employee_answers"), "q1")), 3,
                 "answers are embedded as JSON");
    cr_expect(json_is_array(json_object_get(o, "withheld")), "repeated fields are always arrays");
    json_decref(o);
}

Test(pbjson, json_to_message)
{
    gw_pbjson_error_t err;
    ProtobufCMessage *m = NULL;
    json_t *in = json_pack("{s:s, s:i, s:s, s:b}", "employee_id", "E1", "limit", 5, "due_before", "2026-12-31", "tree",
                           1);
    cr_assert_eq(gw_pbjson_to_message(in, &entretiens__v1__interview_list_request__descriptor, &m, &err), 0,
                 "%s: %s", err.field, err.reason);
    Entretiens__V1__InterviewListRequest *q = (Entretiens__V1__InterviewListRequest *) m;
    cr_expect_str_eq(q->employee_id, "E1");
    cr_expect_eq(q->limit, 5);
    cr_expect(q->tree);
    cr_assert_not_null(q->due_before);
    cr_expect_eq(q->due_before->month, 12);
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(in);
    struct { const char *json; const char *field; } bad[] = {
        { "{\"nope\": 1}", "nope" },
        { "{\"limit\": -1}", "limit" },
        { "{\"limit\": \"5\"}", "limit" },
        { "{\"limit\": 4294967296}", "limit" },
        { "{\"due_before\": \"2026-02-30\"}", "due_before" },
        { "{\"tree\": \"yes\"}", "tree" },
        { "{\"employee_id\": 5}", "employee_id" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = json_loads(bad[i].json, 0, NULL);
        m = NULL;
        cr_expect_eq(gw_pbjson_to_message(j, &entretiens__v1__interview_list_request__descriptor, &m, &err), -1,
                     "%s accepted", bad[i].json);
        cr_expect_str_eq(err.field, bad[i].field, "%s", bad[i].json);
        cr_expect_null(m);
        json_decref(j);
    }
    /* a JSON object for a string field (answers) is passed as its text */
    in = json_pack("{s:s, s:{s:i}}", "id", "iv1", "answers", "q1", 4);
    cr_assert_eq(gw_pbjson_to_message(in, &entretiens__v1__answer_request__descriptor, &m, &err), 0);
    cr_expect_str_eq(((Entretiens__V1__AnswerRequest *) m)->answers, "{\"q1\":4}");
    protobuf_c_message_free_unpacked(m, NULL);
    json_decref(in);
    /* repeated nested messages, error path inside one */
    in = json_loads("{\"events\": [{\"event_id\": \"a\"}, {\"event_id\": \"b\", \"bogus\": 1}]}", 0, NULL);
    cr_expect_eq(gw_pbjson_to_message(in, &entretiens__v1__ingest_request__descriptor, &m, &err), -1);
    cr_expect_str_eq(err.field, "events.bogus");
    json_decref(in);
}

Test(routes, patterns)
{
    char p[GW_MAX_PARAMS][160];
    cr_expect(gw_route_match("/api/v1/interviews/{id}/schedule", "/api/v1/interviews/iv-42/schedule", p));
    cr_expect_str_eq(p[0], "iv-42");
    cr_expect_not(gw_route_match("/api/v1/interviews/{id}", "/api/v1/interviews/", p));
    cr_expect_not(gw_route_match("/api/v1/interviews/{id}", "/api/v1/interviews/a/b", p));
    cr_expect_not(gw_route_match("/api/v1/me", "/api/v1/me/", p));
    cr_expect(gw_route_match("/api/v1/calendar/{token}.ics", "/api/v1/calendar/abc.ics", p));
    cr_expect_str_eq(p[0], "abc");
    cr_expect_not(gw_route_match("/api/v1/calendar/{token}.ics", "/api/v1/calendar/.ics", p));
    cr_expect_not(gw_route_match("/api/v1/calendar/{token}.ics", "/api/v1/calendar/abc.ical", p));
}
