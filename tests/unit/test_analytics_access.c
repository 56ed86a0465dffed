/*  test_analytics_access.c — who may ask analytics what (deny by default):
 *  HR within the entities of its grant (a grant that arrives and leaves
 *  with records' events), a manager the figures of their own team,
 *  administrators everything, nobody else anything. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

#define EMP(...) fx_employee((fx_emp_t){ __VA_ARGS__ })

TestSuite(access, .init = fx_setup, .fini = fx_teardown);

static ent_code_t s_ask(const char *method, const char *caller, const char *entity, const char *department,
                        const char *manager, char *field)
{
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.entity = (char *) entity;
    q.department = (char *) department;
    q.manager_id = (char *) manager;
    uint8_t *p = NULL;
    size_t l;
    ent_code_t code = fx_call(method, caller, &q, &p, &l, field);
    free(p);
    return code;
}

Test(access, hr_sees_the_entities_of_its_grant_only)
{
    EMP(.id = "E1", .entity = "ACME-FR", .department = "sales", .manager = "M1", .hired = "2025-06-01");
    EMP(.id = "E2", .entity = "ACME-DE", .department = "sales", .manager = "M2", .hired = "2025-06-01");
    char field[128];
    /* no grant: nothing */
    cr_expect_eq(s_ask("analytics.completion", "hr:nobody", "ACME-FR", NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "caller");
    static const char *const fr[] = { "ACME-FR", NULL };
    fx_grant("hr:fr", fr);
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", "ACME-FR", NULL, NULL, field), ENT_OK);
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", "ACME-FR", "sales", NULL, field), ENT_OK);
    cr_expect_eq(s_ask("analytics.signals", "hr:fr", "ACME-FR", NULL, NULL, field), ENT_OK);
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", "ACME-DE", NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "entity");
    /* the whole organisation, a department across entities, a manager:
     * every entity is needed */
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", NULL, NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "entity");
    cr_expect_eq(s_ask("analytics.signals", "hr:fr", NULL, NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", NULL, "sales", NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", NULL, NULL, "M1", field), ENT_PERMISSION_DENIED);
    cr_expect_eq(s_ask("analytics.completion", "hr:test", NULL, NULL, NULL, field), ENT_OK, "'*' sees all");
    /* a revoked grant stops at once */
    Entretiens__V1__AccessGrant g = ENTRETIENS__V1__ACCESS_GRANT__INIT;
    g.principal = "hr:fr";
    cr_assert_eq(fx_apply("records", "records.access.revoked", &g.base), 0);
    cr_expect_eq(s_ask("analytics.completion", "hr:fr", "ACME-FR", NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "caller");
    /* a grant event that is not a grant is skipped, nothing changes */
    Entretiens__V1__AccessGrant bad = ENTRETIENS__V1__ACCESS_GRANT__INIT;
    bad.principal = "not a principal";
    cr_expect_eq(fx_apply("records", "records.access.granted", &bad.base), ENT_EVENT_SKIP);
}

Test(access, managers_their_team_others_nothing)
{
    EMP(.id = "E1", .entity = "ACME-FR", .department = "sales", .manager = "M1", .hired = "2025-06-01");
    char field[128];
    cr_expect_eq(s_ask("analytics.completion", "manager:M1", NULL, NULL, "M1", field), ENT_OK);
    cr_expect_eq(s_ask("analytics.completion", "manager:M1", NULL, NULL, "M2", field), ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "manager_id");
    cr_expect_eq(s_ask("analytics.completion", "manager:M1", "ACME-FR", NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_eq(s_ask("analytics.completion", "manager:M1", NULL, NULL, NULL, field), ENT_PERMISSION_DENIED);
    cr_expect_eq(s_ask("analytics.signals", "manager:M1", NULL, NULL, "M1", field), ENT_PERMISSION_DENIED);
    const char *nobody[] = { "employee:E1", "service:hris", "", "E1", "root:x" };
    for (size_t i = 0; i < sizeof nobody / sizeof *nobody; i++) {
        cr_expect_eq(s_ask("analytics.completion", nobody[i], "ACME-FR", NULL, NULL, field), ENT_PERMISSION_DENIED,
                     "'%s' was answered", nobody[i]);
        cr_expect_str_eq(field, "caller");
    }
    cr_expect_eq(s_ask("analytics.completion", "admin:root", NULL, NULL, NULL, field), ENT_OK);
}
