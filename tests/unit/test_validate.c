/*  Unit tests of services/scheduler/validate: every rejection names its
 *  field and says why; valid events of every type pass. */
#include "validate.h"

#include <criterion/criterion.h>
#include <string.h>

static Entretiens__V1__Date s_d(int y, int m, int d)
{
    Entretiens__V1__Date x = ENTRETIENS__V1__DATE__INIT;
    x.year = y;
    x.month = m;
    x.day = d;
    return x;
}

static Entretiens__V1__EmployeeEvent s_event(const char *type, Entretiens__V1__Date *date)
{
    Entretiens__V1__EmployeeEvent e = ENTRETIENS__V1__EMPLOYEE_EVENT__INIT;
    e.event_id = "ev-1";
    e.source = "hris";
    e.type = (char *) type;
    e.employee_id = "E1";
    e.effective_date = date;
    return e;
}

static void s_rejects(const Entretiens__V1__EmployeeEvent *e, const char *field)
{
    const char *f = NULL, *why = NULL;
    char reason[256] = "";
    cr_assert_not(sched_event_valid(e, &f, &why, reason, sizeof reason), "expected a rejection on %s", field);
    cr_assert_str_eq(f, field, "rejected on %s (%s), expected %s", f, reason, field);
    cr_assert_gt(strlen(reason), 5, "a reason must be given");
    cr_assert_not_null(why, "a reason for the log must be given");
    cr_assert_gt(strlen(why), 5, "a reason for the log must be given");
}

static void s_accepts(const Entretiens__V1__EmployeeEvent *e)
{
    const char *f = NULL, *why = NULL;
    char reason[256] = "";
    cr_assert(sched_event_valid(e, &f, &why, reason, sizeof reason), "rejected: %s: %s", f ? f : "?", reason);
}

Test(validate, a_complete_hire_passes)
{
    Entretiens__V1__Date d = s_d(2026, 3, 15), b = s_d(1990, 5, 1);
    Entretiens__V1__EmployeeEvent e = s_event("hired", &d);
    e.entity = "ACME-FR";
    e.region = "alsace_moselle";
    e.category = "cadre";
    e.contract = "permanent";
    e.locale = "fr";
    e.email = "a.b@example.org";
    e.birth_date = &b;
    e.manager_id = "M1";
    e.first_name = "Éloïse";
    s_accepts(&e);
}

Test(validate, every_common_field_is_checked)
{
    Entretiens__V1__Date d = s_d(2026, 3, 15), bad = s_d(2026, 2, 30);
    Entretiens__V1__EmployeeEvent e = s_event("left", &d);
    e.event_id = "";
    s_rejects(&e, "event_id");
    e = s_event("left", &d);
    e.source = NULL;
    s_rejects(&e, "source");
    e = s_event("left", &d);
    e.employee_id = "has space";
    s_rejects(&e, "employee_id");
    e = s_event("promoted", &d);
    s_rejects(&e, "type");
    e = s_event("left", NULL);
    s_rejects(&e, "effective_date");
    e = s_event("left", &bad);
    s_rejects(&e, "effective_date");
    e = s_event("left", &d);
    e.department = "bad\x01control";
    s_rejects(&e, "department");
    e = s_event("left", &d);
    e.last_name = "\xc3\x28"; /* invalid UTF-8 */
    s_rejects(&e, "last_name");
    e = s_event("left", &d);
    s_accepts(&e);
}

Test(validate, hire_specific_rules)
{
    Entretiens__V1__Date d = s_d(2026, 3, 15), late = s_d(2027, 1, 1), early = s_d(2026, 1, 1);
    Entretiens__V1__EmployeeEvent e = s_event("hired", &d);
    s_rejects(&e, "entity");
    e.entity = "ACME";
    e.region = "bretagne";
    s_rejects(&e, "region");
    e.region = "reunion";
    e.category = "boss";
    s_rejects(&e, "category");
    e.category = "cadre";
    e.contract = "fixed_term";
    s_rejects(&e, "contract_end");
    e.contract_end = &early;
    s_rejects(&e, "contract_end");
    e.contract_end = &late;
    s_accepts(&e);
    e.locale = "de";
    s_rejects(&e, "locale");
    e.locale = "en";
    e.email = "nobody";
    s_rejects(&e, "email");
    e.email = NULL;
    e.birth_date = &late;
    s_rejects(&e, "birth_date");
    e.birth_date = NULL;
    e.trial_months = 20;
    s_rejects(&e, "trial_months");
    e.trial_months = 4;
    e.manager_id = "E1";
    s_rejects(&e, "manager_id");
}

Test(validate, type_specific_fields)
{
    Entretiens__V1__Date d = s_d(2026, 3, 15);
    Entretiens__V1__EmployeeEvent e = s_event("leave_started", &d);
    s_rejects(&e, "leave_kind");
    e.leave_kind = "holiday";
    s_rejects(&e, "leave_kind");
    e.leave_kind = "parental_part_time";
    s_accepts(&e);
    e = s_event("medical_visit", &d);
    s_rejects(&e, "visit_kind");
    e.visit_kind = "mid_career";
    s_accepts(&e);
    e = s_event("interview_held", &d);
    s_rejects(&e, "interview_type");
    e.interview_type = "professional_recap";
    s_accepts(&e);
    e = s_event("trial_renewed", &d);
    e.months = 9;
    s_rejects(&e, "months");
    e.months = 2;
    s_accepts(&e);
}

Test(validate, same_day_order_does_not_depend_on_arrival)
{
    /* hired sorts first and left last among events of one day */
    cr_assert_lt(sched_event_rank(sched_event_kind("hired")), sched_event_rank(sched_event_kind("interview_held")));
    cr_assert_lt(sched_event_rank(sched_event_kind("interview_held")), sched_event_rank(sched_event_kind("left")));
    cr_assert_lt(sched_event_rank(sched_event_kind("leave_ended")), sched_event_rank(sched_event_kind("leave_started")));
    cr_assert_eq(sched_event_kind("nope"), -1);
}

/* The sentence for the logs quotes nothing from the event, whatever was
 * sent where; the reply may quote a code, never an e-mail address or a name. */
Test(validate, the_log_reason_quotes_nothing_from_the_event)
{
    static const char mark[] = "PiiMark7f3a";
    Entretiens__V1__Date d = s_d(2026, 3, 15), bad = s_d(2026, 2, 30);
    Entretiens__V1__EmployeeEvent e;
    const char *f, *why;
    char reason[256];
    struct {
        const char *field;
        bool reply_may_quote;
    } cases[] = {
        { "email", false },   { "first_name", false }, { "region", true },   { "category", true },
        { "contract", true }, { "locale", true },      { "type", true },     { "leave_kind", true },
        { "interview_type", true }, { "contract_end", true }, { "effective_date", true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *c = cases[i].field;
        e = s_event("hired", &d);
        e.entity = "ACME";
        if (strcmp(c, "email") == 0)
            e.email = "PiiMark7f3a.jane.doe.example";
        else if (strcmp(c, "first_name") == 0)
            e.first_name = "PiiMark7f3a\x07Jane";
        else if (strcmp(c, "region") == 0)
            e.region = "PiiMark7f3a";
        else if (strcmp(c, "category") == 0)
            e.category = "PiiMark7f3a";
        else if (strcmp(c, "contract") == 0)
            e.contract = "PiiMark7f3a";
        else if (strcmp(c, "locale") == 0)
            e.locale = "PiiMark7f3a";
        else if (strcmp(c, "type") == 0)
            e.type = "PiiMark7f3a";
        else if (strcmp(c, "leave_kind") == 0) {
            e.type = "leave_started";
            e.leave_kind = "PiiMark7f3a";
        } else if (strcmp(c, "interview_type") == 0) {
            e.type = "interview_held";
            e.interview_type = "PiiMark7f3a";
        } else if (strcmp(c, "contract_end") == 0) {
            /* fixed_term without an end date: the reply names the contract */
            e.contract = "fixed_term";
        } else if (strcmp(c, "effective_date") == 0)
            e.effective_date = &bad;
        f = why = NULL;
        reason[0] = '\0';
        cr_assert_not(sched_event_valid(&e, &f, &why, reason, sizeof reason), "%s: accepted", c);
        cr_expect_str_eq(f, c);
        cr_expect_null(strstr(why, mark), "%s: the log reason quotes the value: %s", c, why);
        cr_expect_null(strstr(why, "fixed_term"), "%s: %s", c, why);
        cr_expect_null(strstr(why, "2026"), "%s: %s", c, why);
        if (!cases[i].reply_may_quote)
            cr_expect_null(strstr(reason, mark), "%s: the reply quotes personal data: %s", c, reason);
    }
}
