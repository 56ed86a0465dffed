/*  test_records_access.c — confidentiality (services/records/access.h):
 *  each relation × each kind of data, principals, relations. */
#include "rec_access.h"

#include <criterion/criterion.h>
#include <string.h>

/* The matrix of docs/records.md, written out: rows relations, columns
 * progress, shared content, employee's private preparation, interviewer's
 * private preparation, interviewer's notes, signatures, audit trail, free-text
 * reasons (cancel, reopen, reassign). */
static const struct {
    rec_relation_t rel;
    bool may[REC_D_COUNT];
} s_expected[] = {
    { REC_REL_NONE, { 0, 0, 0, 0, 0, 0, 0, 0 } },
    { REC_REL_EMPLOYEE, { 1, 1, 1, 0, 0, 1, 1, 1 } },
    { REC_REL_INTERVIEWER, { 1, 1, 0, 1, 1, 1, 1, 0 } },
    { REC_REL_LINE, { 1, 1, 0, 0, 0, 1, 0, 0 } },
    { REC_REL_HR, { 1, 0, 0, 0, 0, 1, 1, 0 } },
    { REC_REL_HR_CONTENT, { 1, 1, 0, 0, 0, 1, 1, 1 } },
    { REC_REL_ADMIN, { 1, 0, 0, 0, 0, 1, 1, 0 } },
};

Test(records_access, matrix_each_role_each_kind_of_data)
{
    cr_assert_eq(sizeof s_expected / sizeof *s_expected, REC_REL_COUNT);
    for (size_t i = 0; i < REC_REL_COUNT; i++)
        for (int d = 0; d < REC_D_COUNT; d++)
            cr_assert_eq(rec_may_read(s_expected[i].rel, (rec_data_t) d), s_expected[i].may[d], "%s reading %s",
                         rec_relation_name(s_expected[i].rel), rec_data_name((rec_data_t) d));
    cr_assert_not(rec_may_read(REC_REL_COUNT, REC_D_PROGRESS));
    cr_assert_not(rec_may_read(REC_REL_ADMIN, REC_D_COUNT));
}

Test(records_access, the_rules_in_words)
{
    /* a manager's private notes are never shown to the employee */
    cr_assert_not(rec_may_read(REC_REL_EMPLOYEE, REC_D_MANAGER_NOTES));
    /* the employee's preparation is theirs until shared, even for HR with content */
    for (int r = 0; r < REC_REL_COUNT; r++)
        cr_assert_eq(rec_may_read((rec_relation_t) r, REC_D_EMPLOYEE_PRIVATE), r == REC_REL_EMPLOYEE);
    /* a free-text reason (it may hold health data): the employee and HR with content */
    for (int r = 0; r < REC_REL_COUNT; r++)
        cr_assert_eq(rec_may_read((rec_relation_t) r, REC_D_REASONS), r == REC_REL_EMPLOYEE || r == REC_REL_HR_CONTENT,
                     "%s", rec_relation_name((rec_relation_t) r));
    /* HR sees content only with the content permission */
    cr_assert_not(rec_may_read(REC_REL_HR, REC_D_SHARED));
    cr_assert(rec_may_read(REC_REL_HR_CONTENT, REC_D_SHARED));
    /* everyone related sees progress; nobody unrelated sees anything */
    for (int d = 0; d < REC_D_COUNT; d++)
        cr_assert_not(rec_may_read(REC_REL_NONE, (rec_data_t) d));
}

Test(records_access, principals)
{
    ent_principal_t p;
    const char *why;
    cr_assert_eq(ent_principal_parse("employee:E42", &p, &why), 0);
    cr_assert_eq(p.role, ENT_ROLE_EMPLOYEE);
    cr_assert_str_eq(p.id, "E42");
    cr_assert_eq(ent_principal_parse("manager:E7", &p, NULL), 0);
    cr_assert_eq(p.role, ENT_ROLE_MANAGER);
    cr_assert_eq(ent_principal_parse("hr:alice.martin@acme", &p, NULL), 0);
    cr_assert_eq(p.role, ENT_ROLE_HR);
    cr_assert_eq(ent_principal_parse("admin:root", &p, NULL), 0);
    cr_assert_eq(p.role, ENT_ROLE_ADMIN);
    const char *bad[] = { NULL, "", "E42", "boss:E1", "employee:", "employee:E 42", "employee:E42;drop",
                          "manager:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ":E1", "Employee:E1" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why = NULL;
        cr_assert_eq(ent_principal_parse(bad[i], &p, &why), -1, "'%s' must be refused", bad[i] ? bad[i] : "(null)");
        cr_assert_not_null(why);
    }
}

Test(records_access, relations)
{
    ent_principal_t p;
    rec_facts_t f = { .employee_id = "E1", .manager_id = "M1" };
    ent_principal_parse("employee:E1", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_EMPLOYEE);
    ent_principal_parse("employee:M1", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_NONE, "the employee role never conducts an interview");
    ent_principal_parse("employee:E2", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_NONE);
    ent_principal_parse("manager:M1", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_INTERVIEWER);
    ent_principal_parse("manager:E1", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_EMPLOYEE, "a manager's own interview");
    ent_principal_parse("manager:BOSS", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_NONE);
    f.in_line = true;
    cr_assert_eq(rec_relation(&p, &f), REC_REL_LINE);
    ent_principal_parse("hr:alice", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_NONE, "HR out of scope");
    f.hr_in_scope = true;
    cr_assert_eq(rec_relation(&p, &f), REC_REL_HR);
    f.hr_content = true;
    cr_assert_eq(rec_relation(&p, &f), REC_REL_HR_CONTENT);
    ent_principal_parse("admin:root", &p, NULL);
    cr_assert_eq(rec_relation(&p, &f), REC_REL_ADMIN);
    rec_facts_t empty = { .employee_id = "E1", .manager_id = "" };
    ent_principal_parse("manager:X", &p, NULL);
    cr_assert_eq(rec_relation(&p, &empty), REC_REL_NONE, "an empty interviewer matches nobody");
}

Test(records_access, actors_of_relations)
{
    cr_assert_eq(rec_actor_of(REC_REL_EMPLOYEE), REC_ACT_EMPLOYEE);
    cr_assert_eq(rec_actor_of(REC_REL_INTERVIEWER), REC_ACT_INTERVIEWER);
    cr_assert_eq(rec_actor_of(REC_REL_LINE), REC_ACT_LINE);
    cr_assert_eq(rec_actor_of(REC_REL_HR), REC_ACT_HR);
    cr_assert_eq(rec_actor_of(REC_REL_HR_CONTENT), REC_ACT_HR);
    cr_assert_eq(rec_actor_of(REC_REL_ADMIN), REC_ACT_ADMIN);
    cr_assert_eq(rec_actor_of(REC_REL_NONE), REC_ACT_COUNT);
}
