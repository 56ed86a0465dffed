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

/* ------------------------------------------------------------ sched_event_diff */

Test(validate, identical_events_do_not_differ)
{
    Entretiens__V1__Date d = s_d(2026, 3, 15), d2 = s_d(2026, 3, 15);
    Entretiens__V1__Flag f = ENTRETIENS__V1__FLAG__INIT, f2 = ENTRETIENS__V1__FLAG__INIT;
    Entretiens__V1__EmployeeEvent a = s_event("hired", &d), b = s_event("hired", &d2);
    a.entity = b.entity = "ACME-FR";
    a.forfait_jours = &f;
    b.forfait_jours = &f2;
    a.trial_months = b.trial_months = 4;
    cr_assert_null(sched_event_diff(&a, &b), "equal events reported as differing on %s", sched_event_diff(&a, &b));
    /* an absent string is the empty string (the wire cannot tell them apart) */
    a.site = NULL;
    b.site = "";
    cr_assert_null(sched_event_diff(&a, &b));
}

Test(validate, the_first_differing_field_is_named)
{
    Entretiens__V1__Date d = s_d(2026, 9, 1), d2 = s_d(2026, 9, 1);
    Entretiens__V1__EmployeeEvent a = s_event("position_changed", &d), b = s_event("position_changed", &d2);
    a.position = "Chef de projet";
    b.position = "Directrice";
    cr_assert_str_eq(sched_event_diff(&a, &b), "position");
    /* by field number: the date (5) before the position (30) */
    d2.day = 2;
    cr_assert_str_eq(sched_event_diff(&a, &b), "effective_date");
    b.employee_id = "E2";
    cr_assert_str_eq(sched_event_diff(&a, &b), "employee_id");
    b.type = "updated";
    cr_assert_str_eq(sched_event_diff(&a, &b), "type");
}

Test(validate, presence_of_a_message_is_a_difference)
{
    Entretiens__V1__Date d = s_d(2026, 3, 15), birth = s_d(1990, 1, 1);
    Entretiens__V1__Flag no = ENTRETIENS__V1__FLAG__INIT;
    Entretiens__V1__EmployeeEvent a = s_event("hired", &d), b = s_event("hired", &d);
    b.forfait_jours = &no; /* "false", given, is not "not given" */
    cr_assert_str_eq(sched_event_diff(&a, &b), "forfait_jours");
    b.forfait_jours = NULL;
    b.birth_date = &birth;
    cr_assert_str_eq(sched_event_diff(&a, &b), "birth_date");
    b.birth_date = NULL;
    b.trial_months = 2;
    cr_assert_str_eq(sched_event_diff(&a, &b), "trial_months");
}

Test(validate, a_packed_and_unpacked_copy_does_not_differ)
{
    /* the stored copy is the packed event: unpacking it must give no diff */
    Entretiens__V1__Date d = s_d(2026, 3, 15), b = s_d(1990, 5, 1);
    Entretiens__V1__Flag yes = ENTRETIENS__V1__FLAG__INIT;
    yes.value = 1;
    Entretiens__V1__EmployeeEvent e = s_event("hired", &d);
    e.entity = "ACME-FR";
    e.first_name = "Éloïse";
    e.birth_date = &b;
    e.forfait_jours = &yes;
    e.trial_months = 3;
    uint8_t buf[512];
    size_t len = entretiens__v1__employee_event__pack(&e, buf);
    Entretiens__V1__EmployeeEvent *copy = entretiens__v1__employee_event__unpack(NULL, len, buf);
    cr_assert_not_null(copy);
    cr_assert_null(sched_event_diff(copy, &e), "differs on %s", sched_event_diff(copy, &e));
    copy->forfait_jours->value = 0;
    cr_assert_str_eq(sched_event_diff(copy, &e), "forfait_jours");
    entretiens__v1__employee_event__free_unpacked(copy, NULL);
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
