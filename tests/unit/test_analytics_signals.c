/*  test_analytics_signals.c — disengagement signals (a low engagement
 *  rating, a wish to leave, no interview for a long time, repeated
 *  overdue), each with its plain reason, for HR and admin only. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

#define EMP(...) fx_employee((fx_emp_t){ __VA_ARGS__ })
#define OBL(...) fx_obligation((fx_obl_t){ __VA_ARGS__ })
#define IV(...) fx_interview((fx_iv_t){ __VA_ARGS__ })

TestSuite(signals, .init = fx_setup, .fini = fx_teardown);

static const Entretiens__V1__SignalEmployee *s_find(const Entretiens__V1__SignalsReply *r, const char *id)
{
    for (size_t i = 0; i < r->n_flagged; i++)
        if (strcmp(r->flagged[i]->employee_id, id) == 0)
            return r->flagged[i];
    return NULL;
}

static const Entretiens__V1__SignalFigure *s_kind(const Entretiens__V1__SignalEmployee *e, const char *kind)
{
    for (size_t i = 0; e && i < e->n_signals; i++)
        if (strcmp(e->signals[i]->kind, kind) == 0)
            return e->signals[i];
    return NULL;
}

Test(signals, hr_and_admin_only)
{
    EMP(.id = "E1", .entity = "ACME", .hired = "2025-06-01");
    uint8_t *p;
    size_t l;
    char field[128];
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    cr_assert_eq(fx_call("analytics.signals", "manager:E7", &q, &p, &l, field), ENT_PERMISSION_DENIED);
    cr_assert_str_eq(field, "caller");
    cr_assert_eq(fx_call("analytics.signals", "employee:E1", &q, &p, &l, field), ENT_PERMISSION_DENIED);
    cr_assert_eq(fx_call("analytics.signals", "", &q, &p, &l, field), ENT_PERMISSION_DENIED);
    cr_assert_eq(fx_call("analytics.signals", "hrx:alice", &q, &p, &l, field), ENT_PERMISSION_DENIED);
    cr_assert_eq(fx_call("analytics.signals", "admin:root", &q, &p, &l, field), ENT_OK);
    free(p);
    cr_assert_eq(fx_call("analytics.signals", "hr:alice", &q, &p, &l, field), ENT_OK);
    free(p);
}

/* An interview in the scheduler's history (imported from the HRIS, or an
 * obligation met before the platform) counts as an interview: nobody with
 * one in the last 24 months is flagged. */
Test(signals, history_interviews_count)
{
    EMP(.id = "E1", .entity = "ACME", .hired = "2010-01-04", .last_interview = "2026-01-15");
    EMP(.id = "E2", .entity = "ACME", .hired = "2010-01-04");
    OBL(.verb = "changed", .status = "met", .employee = "E2", .id = "E2/professional/2022-01-04", .due = "2024-01-04",
        .met_on = "2025-06-01");
    EMP(.id = "E3", .entity = "ACME", .hired = "2010-01-04", .last_interview = "2023-01-15");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.status = "no_interview";
    Entretiens__V1__SignalsReply *r = FX_SIGNALS(&q);
    cr_assert_eq(r->no_interview, 1);
    cr_assert_eq(r->n_flagged, 1);
    cr_assert_str_eq(r->flagged[0]->employee_id, "E3");
    cr_assert_not_null(strstr(r->flagged[0]->signals[0]->reason, "2023-01-15"), "%s",
                       r->flagged[0]->signals[0]->reason);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
}

Test(signals, each_signal_with_its_reason)
{
    EMP(.id = "E1", .entity = "ACME", .department = "sales", .manager = "M1", .hired = "2025-01-06");
    EMP(.id = "E2", .entity = "ACME", .department = "sales", .manager = "M1", .hired = "2025-01-06");
    EMP(.id = "E3", .entity = "ACME", .department = "legal", .manager = "M1", .hired = "2019-05-01");
    EMP(.id = "E4", .entity = "ACME", .department = "legal", .manager = "M1", .hired = "2025-01-06");
    EMP(.id = "E5", .entity = "ACME", .department = "legal", .manager = "M1", .hired = "2025-01-06");
    /* E1: engagement 1 on 1-5 */
    IV(.verb = "created", .id = "i1", .employee = "E1", .entity = "ACME", .manager = "M1");
    IV(.verb = "closed", .id = "i1", .held = "2026-02-02", .ratings = { { "engagement", "q-eng", 1, 1, 5 } });
    /* E2: wishes to leave */
    IV(.verb = "created", .id = "i2", .employee = "E2", .entity = "ACME", .manager = "M1");
    IV(.verb = "closed", .id = "i2", .held = "2026-02-03", .ratings = { { "engagement", "q-eng", 4, 1, 5 } },
       .wishes = { { "external", "6_months" } });
    /* E3: hired in 2019, never interviewed (seen by analytics) */
    /* E4: two deadlines went overdue */
    OBL(.verb = "overdue", .employee = "E4", .id = "E4/annual_review/a", .type = "annual_review", .due = "2025-12-31");
    OBL(.verb = "overdue", .employee = "E4", .id = "E4/professional/a", .due = "2026-01-06");
    OBL(.verb = "met", .employee = "E4", .id = "E4/professional/a", .due = "2026-01-06", .met_on = "2026-02-01");
    /* E5: one overdue only: no signal */
    OBL(.verb = "overdue", .employee = "E5", .id = "E5/professional/a", .due = "2026-01-06");

    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__SignalsReply *r = FX_SIGNALS(&q);
    cr_assert_eq(r->employees, 5);
    cr_assert_eq(r->low_engagement, 1);
    cr_assert_eq(r->wish_to_leave, 1);
    cr_assert_eq(r->repeated_overdue, 1);
    cr_assert_eq(r->no_interview, 1);
    cr_assert_eq(r->stale_months, 24);
    cr_assert_eq(r->n_flagged, 4);
    const Entretiens__V1__SignalFigure *s = s_kind(s_find(r, "E1"), "low_engagement");
    cr_assert_not_null(s);
    cr_assert_not_null(strstr(s->reason, "engagement rated 1 on a 1-5 scale"), "%s", s->reason);
    cr_assert_not_null(strstr(s->reason, "2026-02-02"), "%s", s->reason);
    s = s_kind(s_find(r, "E2"), "wish_to_leave");
    cr_assert_not_null(s);
    cr_assert_not_null(strstr(s->reason, "external"), "%s", s->reason);
    cr_assert_not_null(strstr(s->reason, "6_months"), "%s", s->reason);
    cr_assert_null(s_kind(s_find(r, "E2"), "low_engagement"));
    s = s_kind(s_find(r, "E3"), "no_interview");
    cr_assert_not_null(s);
    cr_assert_not_null(strstr(s->reason, "since the hire on 2019-05-01 (82 months)"), "%s", s->reason);
    s = s_kind(s_find(r, "E4"), "repeated_overdue");
    cr_assert_not_null(s);
    cr_assert_not_null(strstr(s->reason, "2 interviews went overdue"), "%s", s->reason);
    cr_assert_not_null(strstr(s->reason, "annual_review due 2025-12-31"), "%s", s->reason);
    cr_assert_null(s_find(r, "E5"));
    cr_assert_str_eq(s_find(r, "E1")->department, "sales");
    entretiens__v1__signals_reply__free_unpacked(r, NULL);

    /* one kind only, and a filter */
    q.status = "no_interview";
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->n_flagged, 1);
    cr_assert_str_eq(r->flagged[0]->employee_id, "E3");
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    q.status = NULL;
    q.entity = "ACME";
    q.department = "legal";
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->n_flagged, 2);
    cr_assert_eq(r->low_engagement, 0);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
}

Test(signals, the_latest_answers_speak)
{
    EMP(.id = "E1", .entity = "ACME", .hired = "2025-01-06");
    IV(.verb = "created", .id = "a", .employee = "E1", .entity = "ACME");
    IV(.verb = "closed", .id = "a", .held = "2025-06-02", .ratings = { { "engagement", "q", 2, 0, 10 } });
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__SignalsReply *r = FX_SIGNALS(&q);
    cr_assert_eq(r->low_engagement, 1);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    /* a later interview with a better answer clears it */
    IV(.verb = "created", .id = "b", .employee = "E1", .entity = "ACME");
    IV(.verb = "closed", .id = "b", .held = "2026-01-20", .ratings = { { "engagement", "q", 7, 0, 10 } });
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->low_engagement, 0);
    cr_assert_eq(r->n_flagged, 0);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    /* and if that interview is cancelled, the earlier answers speak again */
    IV(.verb = "cancelled", .id = "b");
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->low_engagement, 1);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
}

Test(signals, no_interview_follows_the_clock)
{
    EMP(.id = "E1", .entity = "ACME", .hired = "2024-06-01");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__SignalsReply *r = FX_SIGNALS(&q);
    cr_assert_eq(r->no_interview, 0);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    q.stale_months = 12;
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->no_interview, 1);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    q.stale_months = 0;
    fx_today("2026-06-02");
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->no_interview, 1, "24 months after the hire");
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    /* an interview held (records) resets it */
    IV(.verb = "created", .id = "i", .employee = "E1", .entity = "ACME");
    IV(.verb = "held", .id = "i", .held = "2026-05-30");
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->no_interview, 0);
    cr_assert_eq(r->n_flagged, 0);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
}

/* records purged E2's content (crypto-shredding): analytics drops its copy
 * of what she signed and the signals drawn from it; what it added to the
 * anonymous aggregates stays counted. */
Test(signals, a_purge_drops_the_copy_of_the_content)
{
    EMP(.id = "E1", .entity = "ACME", .manager = "M1", .hired = "2025-01-06");
    EMP(.id = "E2", .entity = "ACME", .manager = "M1", .hired = "2025-01-06");
    IV(.verb = "created", .id = "i1", .employee = "E1", .entity = "ACME", .manager = "M1");
    IV(.verb = "closed", .id = "i1", .held = "2026-02-02", .ratings = { { "engagement", "q-eng", 1, 1, 5 } });
    IV(.verb = "created", .id = "i2", .employee = "E2", .entity = "ACME", .manager = "M1");
    IV(.verb = "closed", .id = "i2", .held = "2026-02-03", .ratings = { { "engagement", "q-eng", 4, 1, 5 } },
       .wishes = { { "external", "6_months" } });
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__AnswersReply *a0 = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(a0->total->respondents, 2);
    Entretiens__V1__SignalsReply *r = FX_SIGNALS(&q);
    cr_assert_eq(r->wish_to_leave, 1);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);

    IV(.verb = "purged", .id = "i2", .status = "closed");
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->wish_to_leave, 0, "a signal drawn from purged content");
    cr_assert_null(s_kind(s_find(r, "E2"), "wish_to_leave"));
    cr_assert_not_null(s_kind(s_find(r, "E1"), "low_engagement"), "another's signal stays");
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
    Entretiens__V1__AnswersReply *a1 = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(a1->total->respondents, a0->total->respondents, "the anonymous sums stay");
    cr_assert_eq(a1->total->n_ratings, a0->total->n_ratings);
    entretiens__v1__answers_reply__free_unpacked(a0, NULL);
    entretiens__v1__answers_reply__free_unpacked(a1, NULL);
    /* the same event again changes nothing */
    IV(.verb = "purged", .id = "i2", .status = "closed");
    r = FX_SIGNALS(&q);
    cr_assert_eq(r->wish_to_leave, 0);
    cr_assert_eq(r->low_engagement, 1);
    entretiens__v1__signals_reply__free_unpacked(r, NULL);
}
