/*  test_analytics_compliance.c — the professional-interview status of each
 *  employee (up to date, due within the window, overdue: decided at query
 *  time from a day histogram, so the figures follow the clock without any
 *  event), the €3,000 CPF top-up at the recap per entity (owed once the
 *  recap's deadline has passed, at risk until then; the policy's headcount
 *  decides the 50-employee rule), the to-do count of overdue deadlines,
 *  and the employee list (HR only) with each employee's top-up. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

#define EMP(...) fx_employee((fx_emp_t){ __VA_ARGS__ })
#define OBL(...) fx_obligation((fx_obl_t){ __VA_ARGS__ })

TestSuite(compliance, .init = fx_setup, .fini = fx_teardown);

/* today = 2026-03-02 (the fixture) */
static void s_org(void)
{
    EMP(.id = "E1", .entity = "ACME", .department = "sales", .manager = "M1");
    EMP(.id = "E2", .entity = "ACME", .department = "sales", .manager = "M1");
    EMP(.id = "E3", .entity = "ACME", .department = "legal", .manager = "M2");
    EMP(.id = "E4", .entity = "LAB", .department = "sales", .manager = "M2");
    EMP(.id = "E5", .entity = "LAB", .department = "sales", .manager = "M2");
    OBL(.verb = "overdue", .employee = "E1", .id = "E1/professional/a", .due = "2026-01-15");
    OBL(.employee = "E2", .id = "E2/professional/a", .due = "2026-04-15");            /* in 44 days */
    OBL(.employee = "E3", .id = "E3/professional/a", .due = "2026-09-15");            /* in 197 days */
    /* E3's annual review does not count: compliance is about professional interviews */
    OBL(.verb = "overdue", .employee = "E3", .id = "E3/annual_review/a", .type = "annual_review", .due = "2026-01-01");
    /* E4: two open professional obligations, the earliest counts */
    OBL(.employee = "E4", .id = "E4/professional_recap/a", .type = "professional_recap", .due = "2026-12-01",
        .penalty = 3000);
    OBL(.employee = "E4", .id = "E4/professional_mid_career/a", .type = "professional_mid_career", .due = "2026-05-01");
    /* E5 has nothing open: up to date */
}

Test(compliance, statuses_follow_the_clock)
{
    s_org();
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__ComplianceReply *r = FX_COMPLIANCE(&q);
    Entretiens__V1__ComplianceFigures *t = r->total;
    cr_assert_eq(t->employees, 5);
    cr_assert_eq(t->overdue, 1);
    cr_assert_eq(t->due_soon, 2);    /* E2 (44 days), E4 (60 days) */
    cr_assert_eq(t->up_to_date, 2);  /* E3 (197 days), E5 */
    cr_assert_eq(r->within_days, 90);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* a wider window */
    q.within_days = 200;
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->due_soon, 3);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* four months later, without any event: E2 and E4 are late, E3 is near */
    fx_today("2026-07-01");
    q.within_days = 0;
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->overdue, 3);
    cr_assert_eq(r->total->due_soon, 1);
    cr_assert_eq(r->total->up_to_date, 1);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* met, and the next one appears four years later */
    OBL(.verb = "met", .employee = "E1", .id = "E1/professional/a", .due = "2026-01-15", .met_on = "2026-06-20");
    OBL(.employee = "E1", .id = "E1/professional/b", .due = "2030-06-20");
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->overdue, 2);
    cr_assert_eq(r->total->due_soon, 1);
    cr_assert_eq(r->total->up_to_date, 2);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
}

Test(compliance, leavers_are_not_counted)
{
    s_org();
    EMP(.id = "E1", .entity = "ACME", .department = "sales", .manager = "M1", .left = "2026-02-28", .left_company = true);
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__ComplianceReply *r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->employees, 4);
    cr_assert_eq(r->total->overdue, 0);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
}

Test(compliance, exposure_per_entity)
{
    s_org();
    /* ACME gets 50 employees: subject to the top-up */
    char id[16];
    for (int i = 0; i < 47; i++) {
        snprintf(id, sizeof id, "X%02d", i);
        EMP(.id = id, .entity = "ACME", .department = "ops");
    }
    OBL(.employee = "X01", .id = "X01/professional_recap/a", .type = "professional_recap", .due = "2027-01-01",
        .penalty = 3000);
    OBL(.verb = "overdue", .employee = "X02", .id = "X02/professional_recap/a", .type = "professional_recap",
        .due = "2026-01-01", .penalty = 3000);
    /* a recap held with the top-up due: its deadline has passed, it is owed */
    OBL(.employee = "X03", .id = "X03/professional_recap/a", .type = "professional_recap", .due = "2026-02-01",
        .penalty = 3000);
    OBL(.verb = "met", .employee = "X03", .id = "X03/professional_recap/a", .type = "professional_recap",
        .due = "2026-02-01", .met_on = "2026-02-01", .penalty = 3000);
    /* a recap missed before the platform, no longer actionable (the history
     * the scheduler publishes as scheduler.obligation.changed): owed too */
    OBL(.verb = "changed", .status = "overdue", .not_actionable = true, .employee = "X04",
        .id = "X04/professional_recap/a", .type = "professional_recap", .due = "2019-05-01", .penalty = 3000);
    /* a recap cancelled (the employee left before it) owes nothing */
    OBL(.verb = "changed", .status = "cancelled", .employee = "X05", .id = "X05/professional_recap/a",
        .type = "professional_recap", .due = "2025-05-01", .penalty = 3000);
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__ComplianceReply *r = FX_COMPLIANCE(&q);
    /* at risk: X01 (2027-01-01), E4 (2026-12-01); owed: X02, X03, X04 */
    cr_assert_eq(r->total->at_risk, 2);
    cr_assert_eq(r->total->exposure_eur, 6000);
    cr_assert_eq(r->total->owed_count, 3);
    cr_assert_eq(r->total->owed_eur, 9000);
    /* issue 18: what an inspection would make of them (L6323-13, + 100 %) */
    cr_assert_eq(r->total->exposure_if_inspected_eur, 12000);
    cr_assert_eq(r->total->owed_if_inspected_eur, 18000);
    /* the to-do: E1's professional, E3's review, X02's recap (X04's is history) */
    cr_assert_eq(r->total->overdue_deadlines, 3);
    cr_assert_eq(r->n_entities, 2);
    cr_assert_str_eq(r->entities[0]->entity, "ACME");
    cr_assert_eq(r->entities[0]->headcount, 50);
    cr_assert(r->entities[0]->subject, "no policy declares the entities: the count decides");
    cr_assert_not(r->entities[0]->declared);
    cr_assert_eq(r->entities[0]->at_risk, 1);
    cr_assert_eq(r->entities[0]->exposure_eur, 3000);
    cr_assert_eq(r->entities[0]->owed_count, 3);
    cr_assert_eq(r->entities[0]->owed_eur, 9000);
    cr_assert_eq(r->entities[0]->exposure_if_inspected_eur, 6000);
    cr_assert_eq(r->entities[0]->owed_if_inspected_eur, 18000);
    cr_assert_str_eq(r->entities[1]->entity, "LAB");
    cr_assert_eq(r->entities[1]->headcount, 2);
    cr_assert_not(r->entities[1]->subject);
    cr_assert_eq(r->entities[1]->exposure_eur, 3000);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* the policy's effectif governs the 50-employee rule; the count is
     * shown beside it and the difference flagged */
    Entretiens__V1__EntityPolicy acme = ENTRETIENS__V1__ENTITY_POLICY__INIT, lab = ENTRETIENS__V1__ENTITY_POLICY__INIT;
    acme.id = "ACME";
    acme.headcount = 48;
    lab.id = "LAB";
    lab.headcount = 120;
    Entretiens__V1__EntityPolicy *eps[] = { &acme, &lab };
    Entretiens__V1__Policy pol = ENTRETIENS__V1__POLICY__INIT;
    pol.entities = eps;
    pol.n_entities = 2;
    cr_assert_eq(fx_apply("scheduler", "scheduler.policy.applied", &pol.base), 0);
    r = FX_COMPLIANCE(&q);
    cr_assert(r->entities[0]->declared);
    cr_assert_eq(r->entities[0]->declared_headcount, 48);
    cr_assert_eq(r->entities[0]->headcount, 50);
    cr_assert_not(r->entities[0]->subject, "the policy says 48");
    cr_assert(r->entities[0]->headcount_differs);
    cr_assert_eq(r->entities[1]->declared_headcount, 120);
    cr_assert(r->entities[1]->subject);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    /* a policy agreeing with the count: no warning; an entity it leaves out has none */
    acme.headcount = 50;
    pol.n_entities = 1;
    cr_assert_eq(fx_apply("scheduler", "scheduler.policy.applied", &pol.base), 0);
    r = FX_COMPLIANCE(&q);
    cr_assert(r->entities[0]->subject);
    cr_assert_not(r->entities[0]->headcount_differs);
    cr_assert_not(r->entities[1]->declared);
    cr_assert_not(r->entities[1]->subject, "a policy that leaves LAB out gives it no headcount");
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* the top-ups per entity within a department */
    q.department = "ops";
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->n_entities, 1);
    cr_assert_eq(r->entities[0]->headcount, 50, "headcount is the entity's");
    cr_assert_eq(r->entities[0]->exposure_eur, 3000);
    cr_assert_eq(r->entities[0]->owed_eur, 9000);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* time passes, without any event: E4's recap deadline passes, it is owed */
    fx_today("2026-12-02");
    q.department = NULL;
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->at_risk, 1);
    cr_assert_eq(r->total->owed_count, 4);
    cr_assert_eq(r->total->owed_eur, 12000);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* the risk leaves with the recap once it is cancelled */
    OBL(.verb = "cancelled", .employee = "X01", .id = "X01/professional_recap/a", .type = "professional_recap",
        .due = "2027-01-01", .penalty = 3000);
    q.entity = "ACME";
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->at_risk, 0);
    cr_assert_eq(r->total->exposure_eur, 0);
    cr_assert_eq(r->total->owed_count, 3);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    /* and the owed one with an obligation the scheduler removed */
    OBL(.verb = "removed", .status = "overdue", .not_actionable = true, .employee = "X04",
        .id = "X04/professional_recap/a", .type = "professional_recap", .due = "2019-05-01", .penalty = 3000);
    r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->total->owed_count, 2);
    cr_assert_eq(r->total->owed_eur, 6000);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
}

Test(compliance, groups_and_lists)
{
    s_org();
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.group_by = "entity";
    Entretiens__V1__ComplianceReply *r = FX_COMPLIANCE(&q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "ACME");
    cr_assert_eq(r->groups[0]->employees, 3);
    cr_assert_eq(r->groups[0]->overdue, 1);
    cr_assert_str_eq(r->groups[1]->group, "LAB");
    cr_assert_eq(r->groups[1]->due_soon, 1);
    cr_assert_eq(r->groups[1]->at_risk, 1);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);

    /* the list of employees: HR only */
    Entretiens__V1__StatsQuery ql = ENTRETIENS__V1__STATS_QUERY__INIT;
    ql.list = true;
    uint8_t *p;
    size_t l;
    char field[128];
    cr_assert_eq(fx_call("analytics.compliance", "manager:M1", &ql, &p, &l, field), ENT_PERMISSION_DENIED);
    cr_assert_eq(fx_call("analytics.compliance", "employee:E1", &ql, &p, &l, field), ENT_PERMISSION_DENIED);
    r = FX_COMPLIANCE(&ql);
    cr_assert_eq(r->n_employees, 3, "overdue and due soon, by due date");
    cr_assert_str_eq(r->employees[0]->employee_id, "E1");
    cr_assert_str_eq(r->employees[0]->status, "overdue");
    cr_assert_str_eq(r->employees[1]->employee_id, "E2");
    cr_assert_str_eq(r->employees[1]->status, "due_soon");
    cr_assert_str_eq(r->employees[2]->employee_id, "E4");
    cr_assert_str_eq(r->employees[2]->next_type, "professional_mid_career");
    cr_assert_str_eq(r->employees[2]->entity, "LAB");
    cr_assert_eq(r->employees[2]->penalty_eur, 3000, "each employee listed carries their top-ups");
    cr_assert_eq(r->employees[0]->penalty_eur, 0);
    cr_assert_not(r->truncated);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    ql.limit = 2;
    r = FX_COMPLIANCE(&ql);
    cr_assert_eq(r->n_employees, 2);
    cr_assert(r->truncated);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    ql.limit = 0;
    ql.status = "at_risk";
    r = FX_COMPLIANCE(&ql);
    cr_assert_eq(r->n_employees, 1);
    cr_assert_str_eq(r->employees[0]->employee_id, "E4");
    cr_assert_eq(r->employees[0]->penalty_eur, 3000);
    cr_assert_eq(r->employees[0]->penalty_if_inspected_eur, 6000);
    cr_assert_str_eq(r->employees[0]->status, "at_risk");
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    /* owed: the recaps whose deadline has passed (none yet) */
    ql.status = "owed";
    r = FX_COMPLIANCE(&ql);
    cr_assert_eq(r->n_employees, 0);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    fx_today("2026-12-02");
    r = FX_COMPLIANCE(&ql);
    cr_assert_eq(r->n_employees, 1);
    cr_assert_str_eq(r->employees[0]->status, "owed");
    cr_assert_eq(r->employees[0]->penalty_eur, 3000);
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    fx_today("2026-03-02");
    /* a manager may list their own reports */
    ql.status = NULL;
    ql.manager_id = "M2";
    cr_assert_eq(fx_call("analytics.compliance", "manager:M2", &ql, &p, &l, field), ENT_OK);
    r = entretiens__v1__compliance_reply__unpack(NULL, l, p);
    free(p);
    cr_assert_eq(r->n_employees, 1);
    cr_assert_str_eq(r->employees[0]->employee_id, "E4");
    entretiens__v1__compliance_reply__free_unpacked(r, NULL);
    /* no period nor type here */
    Entretiens__V1__StatsQuery qb = ENTRETIENS__V1__STATS_QUERY__INIT;
    qb.type = "professional";
    cr_assert_eq(fx_call("analytics.compliance", NULL, &qb, &p, &l, field), ENT_INVALID_ARGUMENT);
    cr_assert_str_eq(field, "type");
}
