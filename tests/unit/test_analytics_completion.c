/*  test_analytics_completion.c — the completion aggregate (owed, upcoming,
 *  overdue, met, lapsed, cancelled; the interview funnel; rates; groups,
 *  months, types, periods) and the query's argument checks. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

#define EMP(...) fx_employee((fx_emp_t){ __VA_ARGS__ })
#define OBL(...) fx_obligation((fx_obl_t){ __VA_ARGS__ })
#define IV(...) fx_interview((fx_iv_t){ __VA_ARGS__ })

TestSuite(completion, .init = fx_setup, .fini = fx_teardown);

static void s_org(void)
{
    EMP(.id = "E1", .entity = "ACME", .department = "sales", .site = "Paris", .manager = "M1");
    EMP(.id = "E2", .entity = "ACME", .department = "sales", .site = "Paris", .manager = "M1");
    EMP(.id = "E3", .entity = "ACME", .department = "legal", .site = "Lyon", .manager = "M2");
    EMP(.id = "E4", .entity = "BETA", .department = "sales", .site = "Lyon", .manager = "M2");
}

Test(completion, obligation_classes_and_rates)
{
    s_org();
    OBL(.employee = "E1", .id = "E1/professional/2020-01-06", .due = "2026-01-06");
    OBL(.employee = "E2", .id = "E2/professional/2020-01-06", .due = "2026-01-10");
    OBL(.employee = "E3", .id = "E3/professional/2020-01-06", .due = "2026-02-10");
    OBL(.employee = "E4", .id = "E4/professional/2020-01-06", .due = "2026-06-10");
    /* E1 met, E2 overdue, E3 overdue then superseded (lapsed), E4 cancelled while upcoming */
    OBL(.verb = "met", .employee = "E1", .id = "E1/professional/2020-01-06", .due = "2026-01-06", .met_on = "2026-01-02");
    OBL(.verb = "overdue", .employee = "E2", .id = "E2/professional/2020-01-06", .due = "2026-01-10");
    OBL(.verb = "overdue", .employee = "E3", .id = "E3/professional/2020-01-06", .due = "2026-02-10");
    OBL(.verb = "cancelled", .employee = "E3", .id = "E3/professional/2020-01-06", .due = "2026-02-10", .status = "overdue");
    OBL(.verb = "cancelled", .employee = "E4", .id = "E4/professional/2020-01-06", .due = "2026-06-10", .status = "upcoming");

    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    Entretiens__V1__CompletionFigures *t = r->total;
    cr_assert_eq(t->owed, 3);          /* met + overdue + lapsed; the cancelled one is not owed */
    cr_assert_eq(t->met, 1);
    cr_assert_eq(t->overdue, 1);
    cr_assert_eq(t->lapsed, 1);
    cr_assert_eq(t->cancelled, 1);
    cr_assert_eq(t->upcoming, 0);
    cr_assert_float_eq(t->completion_rate, 1.0 / 3, 1e-9);
    cr_assert_float_eq(t->overdue_rate, 2.0 / 3, 1e-9);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);

    /* filters: an entity with a department, a manager, a type */
    q.entity = "ACME";
    q.department = "sales";
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->owed, 2);
    cr_assert_eq(r->total->met, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    Entretiens__V1__StatsQuery q2 = ENTRETIENS__V1__STATS_QUERY__INIT;
    q2.manager_id = "M2";
    r = FX_COMPLETION(&q2);
    cr_assert_eq(r->total->lapsed, 1);
    cr_assert_eq(r->total->cancelled, 1);
    cr_assert_eq(r->total->owed, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    q2.manager_id = NULL;
    q2.type = "annual_review";
    r = FX_COMPLETION(&q2);
    cr_assert_eq(r->total->owed, 0);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
}

/* The history the scheduler publishes as scheduler.obligation.changed (met,
 * missed or cancelled before the platform, never actionable) counts like
 * the rest, class by its status; scheduler.obligation.removed takes an
 * obligation out. */
Test(completion, history_from_obligation_events)
{
    s_org();
    OBL(.verb = "changed", .status = "met", .employee = "E1", .id = "E1/professional/2014-01-06", .due = "2016-01-06",
        .met_on = "2015-11-02");
    OBL(.verb = "changed", .status = "met", .employee = "E1", .id = "E1/professional/2015-11-02", .due = "2017-11-02",
        .met_on = "2017-10-01");
    /* missed for good: overdue, no longer actionable */
    OBL(.verb = "changed", .status = "overdue", .not_actionable = true, .employee = "E2",
        .id = "E2/end_of_trial/2019-01-06", .type = "end_of_trial", .due = "2019-03-06");
    /* overdue and still actionable: the to-do's overdue */
    OBL(.verb = "changed", .status = "overdue", .employee = "E3", .id = "E3/professional/2020-01-06", .due = "2022-01-06");
    OBL(.verb = "changed", .status = "cancelled", .employee = "E4", .id = "E4/professional/2020-01-06", .due = "2022-01-06");
    OBL(.verb = "changed", .status = "waived", .employee = "E4", .id = "E4/professional/2022-01-06", .due = "2024-01-06");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->met, 2);
    cr_assert_eq(r->total->lapsed, 1);
    cr_assert_eq(r->total->overdue, 1);
    cr_assert_eq(r->total->cancelled, 2);
    cr_assert_eq(r->total->owed, 4);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    /* the scheduler's later event on the same obligation replaces the state */
    OBL(.verb = "met", .employee = "E3", .id = "E3/professional/2020-01-06", .due = "2022-01-06", .met_on = "2026-02-01");
    OBL(.verb = "removed", .status = "met", .employee = "E1", .id = "E1/professional/2015-11-02", .due = "2017-11-02");
    OBL(.verb = "removed", .status = "met", .employee = "E1", .id = "E1/never-seen", .due = "2017-11-02");
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->met, 2);
    cr_assert_eq(r->total->overdue, 0);
    cr_assert_eq(r->total->owed, 3);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    cr_assert_eq(fx_count(fx.a.obligations), 5, "the removed obligation is gone from the state");
}

Test(completion, an_event_repeated_or_moved_counts_once)
{
    s_org();
    for (int i = 0; i < 3; i++)
        OBL(.employee = "E1", .id = "E1/annual_review/campaign-2026", .type = "annual_review", .due = "2026-03-31");
    /* the due date moves to another month: the obligation moves, it is not added */
    OBL(.employee = "E1", .id = "E1/annual_review/campaign-2026", .type = "annual_review", .due = "2026-04-30");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.group_by = "month";
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->owed, 1);
    cr_assert_eq(r->n_groups, 1);
    cr_assert_str_eq(r->groups[0]->group, "2026-04");
    cr_assert_eq(r->groups[0]->upcoming, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
}

Test(completion, groups_months_types_and_period)
{
    s_org();
    OBL(.employee = "E1", .id = "o1", .due = "2026-01-06");
    OBL(.employee = "E2", .id = "o2", .due = "2026-02-06", .type = "annual_review");
    OBL(.employee = "E3", .id = "o3", .due = "2026-02-07");
    OBL(.employee = "E4", .id = "o4", .due = "2026-05-07");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.group_by = "entity";
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "ACME");
    cr_assert_eq(r->groups[0]->owed, 3);
    cr_assert_str_eq(r->groups[1]->group, "BETA");
    cr_assert_eq(r->groups[1]->owed, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);

    /* departments within an entity, then entities within a department */
    q.group_by = "department";
    q.entity = "ACME";
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "legal");
    cr_assert_eq(r->groups[0]->owed, 1);
    cr_assert_str_eq(r->groups[1]->group, "sales");
    cr_assert_eq(r->groups[1]->owed, 2);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    q.entity = NULL;
    q.department = "sales";
    q.group_by = "entity";
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "ACME");
    cr_assert_eq(r->groups[0]->owed, 2);
    cr_assert_str_eq(r->groups[1]->group, "BETA");
    entretiens__v1__completion_reply__free_unpacked(r, NULL);

    /* types */
    Entretiens__V1__StatsQuery qt = ENTRETIENS__V1__STATS_QUERY__INIT;
    qt.group_by = "type";
    r = FX_COMPLETION(&qt);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "annual_review");
    cr_assert_eq(r->groups[0]->owed, 1);
    cr_assert_str_eq(r->groups[1]->group, "professional");
    cr_assert_eq(r->groups[1]->owed, 3);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);

    /* a period, whole months */
    Entretiens__V1__StatsQuery qp = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__Date from, to;
    qp.from = fx_date("2026-02-01", &from);
    qp.to = fx_date("2026-04-15", &to);
    qp.group_by = "month";
    r = FX_COMPLETION(&qp);
    cr_assert_eq(r->total->owed, 2);
    cr_assert_eq(r->n_groups, 1);
    cr_assert_str_eq(r->groups[0]->group, "2026-02");
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
}

Test(completion, interview_funnel_and_signature_rate)
{
    s_org();
    const char *ids[] = { "i1", "i2", "i3", "i4", "i5" };
    for (int i = 0; i < 5; i++)
        IV(.verb = "created", .id = ids[i], .employee = "E1", .due = "2026-03-31", .entity = "ACME",
           .department = "sales", .manager = "M1");
    IV(.verb = "scheduled", .id = "i2");
    IV(.verb = "scheduled", .id = "i3");
    IV(.verb = "held", .id = "i3", .held = "2026-03-10");
    IV(.verb = "scheduled", .id = "i4");
    IV(.verb = "held", .id = "i4", .held = "2026-03-11");
    IV(.verb = "signed", .id = "i4", .signed_employee = true, .signed_manager = true);
    IV(.verb = "closed", .id = "i4", .signed_employee = true, .signed_manager = true);
    IV(.verb = "cancelled", .id = "i5");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    Entretiens__V1__CompletionFigures *t = r->total;
    cr_assert_eq(t->interviews, 4);
    cr_assert_eq(t->scheduled, 3);
    cr_assert_eq(t->held, 2);
    cr_assert_eq(t->fully_signed, 1);
    cr_assert_eq(t->closed, 1);
    cr_assert_eq(t->interviews_cancelled, 1);
    cr_assert_float_eq(t->signature_rate, 0.5, 1e-9);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);

    /* one signature only: still held, not signed */
    IV(.verb = "held", .id = "i2", .held = "2026-03-12");
    IV(.verb = "signed", .id = "i2", .signed_employee = true);
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->held, 3);
    cr_assert_eq(r->total->fully_signed, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);

    /* a reopened report needs new signatures */
    IV(.verb = "reopened", .id = "i4");
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->fully_signed, 0);
    cr_assert_eq(r->total->closed, 0);
    cr_assert_eq(r->total->held, 3);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
}

Test(completion, obligations_follow_their_employee)
{
    s_org();
    OBL(.employee = "E1", .id = "o1", .due = "2026-06-01", .entity = "ACME", .department = "sales");
    OBL(.verb = "overdue", .employee = "E2", .id = "o2", .due = "2026-01-01");
    /* E1 moves to legal under M2 */
    EMP(.id = "E1", .entity = "ACME", .department = "legal", .site = "Paris", .manager = "M2");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.entity = "ACME";
    q.department = "legal";
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->owed, 1);
    cr_assert_eq(r->total->upcoming, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    q.department = "sales";
    r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->owed, 1);
    cr_assert_eq(r->total->overdue, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    Entretiens__V1__StatsQuery qm = ENTRETIENS__V1__STATS_QUERY__INIT;
    qm.manager_id = "M2";
    r = FX_COMPLETION(&qm);
    cr_assert_eq(r->total->upcoming, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
}

Test(completion, refused_arguments_name_their_field)
{
    uint8_t *p;
    size_t l;
    char field[128];
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.manager_id = "M1";
    q.entity = "ACME";
    cr_assert_eq(fx_call("analytics.completion", NULL, &q, &p, &l, field), ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(field, "manager_id");
    Entretiens__V1__StatsQuery q2 = ENTRETIENS__V1__STATS_QUERY__INIT;
    q2.department = "sales";
    q2.site = "Paris";
    cr_assert_eq(fx_call("analytics.completion", NULL, &q2, &p, &l, field), ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(field, "site");
    Entretiens__V1__StatsQuery q3 = ENTRETIENS__V1__STATS_QUERY__INIT;
    q3.group_by = "planet";
    cr_assert_eq(fx_call("analytics.completion", NULL, &q3, &p, &l, field), ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(field, "group_by");
    Entretiens__V1__StatsQuery q4 = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__Date from, to;
    q4.from = fx_date("2026-05-01", &from);
    q4.to = fx_date("2026-01-01", &to);
    cr_assert_eq(fx_call("analytics.completion", NULL, &q4, &p, &l, field), ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(field, "to");
    Entretiens__V1__StatsQuery q5 = ENTRETIENS__V1__STATS_QUERY__INIT;
    q5.limit = 1000000;
    cr_assert_eq(fx_call("analytics.completion", NULL, &q5, &p, &l, field), ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(field, "limit");
    cr_assert_eq(fx_call("analytics.nothing", NULL, &q5, &p, &l, field), ENT_UNIMPLEMENTED);

    /* a payload that is not a StatsQuery */
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.method = "analytics.completion";
    req.caller = "hr:x";
    uint8_t junk[] = { 0xff, 0xff, 0xff, 0x0f };
    req.payload.data = junk;
    req.payload.len = sizeof junk;
    ent_rpc_call_t call = { .req = &req, .caller = req.caller };
    cr_assert_eq(ent_store_begin(fx.store, &call.txn), 0);
    cr_assert_eq(an_rpc(&call, &fx.a), 0);
    ent_store_abort(fx.store, 0);
    cr_assert_eq(call.code, ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(call.field, "payload");
    free(call.payload);
}

Test(completion, unusable_events_are_skipped_without_trace)
{
    s_org();
    uint64_t before = fx_digest();
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    uint8_t junk[] = { 0x0a, 0x7f, 0x01 };
    ev.type = "scheduler.interview.due";
    ev.seq = 99;
    ev.payload.data = junk;
    ev.payload.len = sizeof junk;
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(fx.store, &txn), 0);
    cr_assert_eq(an_apply_scheduler(txn, &ev, &fx.a), ENT_EVENT_SKIP);
    ev.type = "records.interview.closed";
    cr_assert_eq(an_apply_records(txn, &ev, &fx.a), ENT_EVENT_SKIP);
    /* an obligation without an employee */
    Entretiens__V1__Obligation o = ENTRETIENS__V1__OBLIGATION__INIT;
    o.obligation_id = "x";
    Entretiens__V1__ObligationEvent oe = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    oe.obligation = &o;
    uint8_t buf[64];
    ev.type = "scheduler.interview.due";
    ev.payload.len = entretiens__v1__obligation_event__pack(&oe, buf);
    ev.payload.data = buf;
    cr_assert_eq(an_apply_scheduler(txn, &ev, &fx.a), ENT_EVENT_SKIP);
    /* an event type of a newer producer: ignored */
    ev.type = "scheduler.something.new";
    cr_assert_eq(an_apply_scheduler(txn, &ev, &fx.a), 0);
    cr_assert_eq(ent_store_commit(fx.store), 0);
    cr_assert_eq(fx_digest(), before);
}
