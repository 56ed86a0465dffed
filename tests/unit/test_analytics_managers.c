/*  test_analytics_managers.c — managers' follow-up: per manager, what is
 *  overdue among their reports' deadlines and which interviews wait for
 *  their signature; the ranking (most to do first) and the detail. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

#define EMP(...) fx_employee((fx_emp_t){ __VA_ARGS__ })
#define OBL(...) fx_obligation((fx_obl_t){ __VA_ARGS__ })
#define IV(...) fx_interview((fx_iv_t){ __VA_ARGS__ })

TestSuite(managers, .init = fx_setup, .fini = fx_teardown);

static void s_org(void)
{
    EMP(.id = "E1", .entity = "ACME", .department = "sales", .manager = "M1");
    EMP(.id = "E2", .entity = "ACME", .department = "sales", .manager = "M1");
    EMP(.id = "E3", .entity = "ACME", .department = "legal", .manager = "M2");
    EMP(.id = "E4", .entity = "BETA", .department = "legal", .manager = "M3");
    OBL(.verb = "overdue", .employee = "E1", .id = "o1", .due = "2026-01-10");
    OBL(.verb = "overdue", .employee = "E2", .id = "o2", .due = "2026-02-10");
    OBL(.employee = "E2", .id = "o3", .due = "2026-05-10", .type = "annual_review");
    OBL(.verb = "overdue", .employee = "E3", .id = "o4", .due = "2026-02-01");
    OBL(.employee = "E4", .id = "o5", .due = "2026-06-01");
    /* interviews held, waiting for signatures */
    IV(.verb = "created", .id = "i1", .employee = "E3", .entity = "ACME", .department = "legal", .manager = "M2");
    IV(.verb = "held", .id = "i1", .held = "2026-02-20");
    IV(.verb = "created", .id = "i2", .employee = "E4", .entity = "BETA", .department = "legal", .manager = "M2");
    IV(.verb = "held", .id = "i2", .held = "2026-02-21");
    IV(.verb = "signed", .id = "i2", .signed_manager = true);
}

/* Everyone's overdue deadlines count in the selection's total, with or
 * without a manager (the same count as the tour's and compliance's); only
 * what can still be acted on counts at all. */
Test(managers, total_counts_every_actionable_overdue)
{
    s_org();
    EMP(.id = "CEO", .entity = "ACME", .department = "board");
    OBL(.verb = "overdue", .employee = "CEO", .id = "c1", .due = "2026-01-20");
    /* missed for good (history, superseded): not a to-do */
    OBL(.verb = "changed", .status = "overdue", .not_actionable = true, .employee = "E1", .id = "h1",
        .type = "end_of_trial", .due = "2019-01-20");
    OBL(.verb = "cancelled", .status = "overdue", .employee = "E3", .id = "o4", .due = "2026-02-01");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__ManagersReply *r = FX_MANAGERS(&q);
    cr_assert_eq(r->total->overdue, 3, "o1, o2 and the CEO's c1");
    for (size_t i = 0; i < r->n_managers; i++)
        cr_assert_str_neq(r->managers[i]->manager_id, "", "no row for 'no manager'");
    entretiens__v1__managers_reply__free_unpacked(r, NULL);
    Entretiens__V1__ComplianceReply *c = FX_COMPLIANCE(&q);
    cr_assert_eq(c->total->overdue_deadlines, 3);
    entretiens__v1__compliance_reply__free_unpacked(c, NULL);
    q.manager_id = "M2";
    r = FX_MANAGERS(&q);
    cr_assert_eq(r->total->overdue, 0, "M2's o4 lapsed: off the to-do");
    for (size_t i = 0; i < r->n_items; i++)
        cr_assert_str_neq(r->items[i]->id, "o4");
    entretiens__v1__managers_reply__free_unpacked(r, NULL);
}

Test(managers, ranking_and_totals)
{
    s_org();
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__ManagersReply *r = FX_MANAGERS(&q);
    cr_assert_eq(r->total->overdue, 3);
    cr_assert_eq(r->total->upcoming, 2);
    cr_assert_eq(r->total->awaiting_signature, 1);
    cr_assert_eq(r->total->awaiting_employee_signature, 1);
    /* M1: 2 overdue; M2: 1 overdue + 1 to sign (2, fewer overdue); M3: nothing to do */
    cr_assert_eq(r->n_managers, 2);
    cr_assert_str_eq(r->managers[0]->manager_id, "M1");
    cr_assert_eq(r->managers[0]->overdue, 2);
    cr_assert_eq(r->managers[0]->upcoming, 1);
    cr_assert_str_eq(r->managers[1]->manager_id, "M2");
    cr_assert_eq(r->managers[1]->overdue, 1);
    cr_assert_eq(r->managers[1]->awaiting_signature, 1);
    cr_assert_eq(r->managers[1]->awaiting_employee_signature, 1);
    entretiens__v1__managers_reply__free_unpacked(r, NULL);

    /* within an entity: M2's BETA interview is outside */
    q.entity = "ACME";
    r = FX_MANAGERS(&q);
    cr_assert_eq(r->total->awaiting_employee_signature, 0);
    cr_assert_eq(r->n_managers, 2);
    entretiens__v1__managers_reply__free_unpacked(r, NULL);

    /* the manager signs: M2 drops behind; the limit truncates */
    IV(.verb = "signed", .id = "i1", .signed_manager = true);
    Entretiens__V1__StatsQuery ql = ENTRETIENS__V1__STATS_QUERY__INIT;
    ql.limit = 1;
    r = FX_MANAGERS(&ql);
    cr_assert_eq(r->n_managers, 1);
    cr_assert(r->truncated);
    cr_assert_str_eq(r->managers[0]->manager_id, "M1");
    entretiens__v1__managers_reply__free_unpacked(r, NULL);

    /* closed: nothing waits any more */
    IV(.verb = "closed", .id = "i1", .signed_employee = true, .signed_manager = true);
    IV(.verb = "closed", .id = "i2", .signed_employee = true, .signed_manager = true);
    OBL(.verb = "met", .employee = "E3", .id = "o4", .due = "2026-02-01", .met_on = "2026-02-20");
    r = FX_MANAGERS(&q);
    cr_assert_eq(r->total->awaiting_signature, 0);
    cr_assert_eq(r->n_managers, 1);
    entretiens__v1__managers_reply__free_unpacked(r, NULL);
    cr_assert_eq(fx_count(fx.a.mgr_items), 4, "o1 o2 o3 o5 remain open");
}

Test(managers, detail_of_one_manager)
{
    s_org();
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.manager_id = "M2";
    uint8_t *p;
    size_t l;
    cr_assert_eq(fx_call("analytics.managers", "manager:M1", &q, &p, &l, NULL), ENT_PERMISSION_DENIED);
    cr_assert_eq(fx_call("analytics.managers", "manager:M2", &q, &p, &l, NULL), ENT_OK);
    Entretiens__V1__ManagersReply *r = entretiens__v1__managers_reply__unpack(NULL, l, p);
    free(p);
    cr_assert_eq(r->n_managers, 1);
    cr_assert_eq(r->n_items, 3);
    cr_assert_str_eq(r->items[0]->kind, "overdue");
    cr_assert_str_eq(r->items[0]->id, "o4");
    cr_assert_str_eq(r->items[0]->employee_id, "E3");
    cr_assert_eq(r->items[0]->date->month, 2);
    cr_assert_str_eq(r->items[1]->kind, "awaiting_signature");
    cr_assert_str_eq(r->items[1]->id, "i1");
    cr_assert_str_eq(r->items[2]->kind, "awaiting_employee_signature");
    cr_assert_str_eq(r->items[2]->id, "i2");
    entretiens__v1__managers_reply__free_unpacked(r, NULL);

    /* reassigned: the interview waits for its new interviewer */
    IV(.verb = "reassigned", .id = "i1", .manager = "M9");
    r = FX_MANAGERS(&q);
    cr_assert_eq(r->n_items, 2);
    entretiens__v1__managers_reply__free_unpacked(r, NULL);
    q.manager_id = "M9";
    r = FX_MANAGERS(&q);
    cr_assert_eq(r->managers[0]->awaiting_signature, 1);
    cr_assert_str_eq(r->items[0]->id, "i1");
    entretiens__v1__managers_reply__free_unpacked(r, NULL);

    /* E1 changes manager: their overdue deadline goes with them */
    EMP(.id = "E1", .entity = "ACME", .department = "sales", .manager = "M9");
    r = FX_MANAGERS(&q);
    cr_assert_eq(r->managers[0]->overdue, 1);
    entretiens__v1__managers_reply__free_unpacked(r, NULL);
}
