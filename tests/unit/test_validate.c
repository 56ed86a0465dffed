/*  Unit tests of services/scheduler/validate: every rejection names its
 *  field and says why; valid events of every type pass; the checks against
 *  the scheduler's state (plausible dates, the policy's entities, a hire
 *  before anything else, managers as warnings). */
#include "validate.h"

#include "common/date.h"

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

/* ------------------------------------------------------ sched_event_check */

/* A tiny world for the lookups: the policy's entities and who is hired. */
typedef struct {
    const char *const *entities; /* NULL-terminated; NULL: no entity declared */
    const char *const *hired;    /* NULL-terminated */
    int entity_calls, hired_calls;
} s_world_t;

static bool s_in(const char *const *list, const char *v)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return true;
    return false;
}

static bool s_world_entity(void *arg, const char *entity)
{
    s_world_t *w = arg;
    w->entity_calls++;
    return !w->entities || s_in(w->entities, entity);
}

static bool s_world_hired(void *arg, const char *employee_id)
{
    s_world_t *w = arg;
    w->hired_calls++;
    return s_in(w->hired, employee_id);
}

static const char *const s_acme[] = { "ACME-FR", "ACME-BE", NULL };
static const char *const s_staff[] = { "E1", "M1", NULL };

static sched_refs_t s_refs(s_world_t *w)
{
    sched_refs_t r = { .today = ent_date_from_ymd(2026, 11, 26), .entity_known = s_world_entity,
                       .hired = s_world_hired, .arg = w };
    return r;
}

static sched_check_t s_check(const Entretiens__V1__EmployeeEvent *e, const sched_refs_t *r, const char **field,
                             char *reason)
{
    const char *why = NULL;
    *field = NULL;
    reason[0] = '\0';
    sched_check_t c = sched_event_check(e, r, field, &why, reason, 256);
    if (c != SCHED_CHECK_OK) {
        cr_assert_not_null(why, "a sentence for the log");
        cr_assert_gt(strlen(why), 5);
        cr_assert_gt(strlen(reason), 5);
    }
    return c;
}

static void s_check_rejects(const Entretiens__V1__EmployeeEvent *e, const sched_refs_t *r, const char *field,
                            const char *what)
{
    const char *f;
    char reason[256];
    sched_check_t c = s_check(e, r, &f, reason);
    cr_assert_eq(c, SCHED_CHECK_REJECTED, "expected a rejection on %s, got %d (%s)", field, c, reason);
    cr_assert_str_eq(f, field, "rejected on %s (%s), expected %s", f, reason, field);
    cr_assert(strstr(reason, what), "reason '%s' should say '%s'", reason, what);
}

static void s_check_accepts(const Entretiens__V1__EmployeeEvent *e, const sched_refs_t *r)
{
    const char *f;
    char reason[256];
    sched_check_t c = s_check(e, r, &f, reason);
    cr_assert_eq(c, SCHED_CHECK_OK, "rejected: %s: %s", f ? f : "?", reason);
}

Test(validate, effective_dates_must_be_plausible)
{
    s_world_t w = { .entities = s_acme, .hired = s_staff };
    sched_refs_t r = s_refs(&w);
    Entretiens__V1__Date d = s_d(1949, 12, 31);
    Entretiens__V1__EmployeeEvent e = s_event("leave_started", &d);
    e.leave_kind = "sick";
    s_check_rejects(&e, &r, "effective_date", "1949-12-31 is before 1950-01-01");
    d = s_d(1900, 1, 1); /* the leave in 1900 of issue 11 */
    s_check_rejects(&e, &r, "effective_date", "before 1950-01-01");
    d = s_d(1950, 1, 1);
    s_check_accepts(&e, &r);
    /* today 2026-11-26: up to 2028-11-26 */
    d = s_d(2028, 11, 26);
    s_check_accepts(&e, &r);
    d = s_d(2028, 11, 27);
    s_check_rejects(&e, &r, "effective_date", "more than 2 years after today (2026-11-26)");
    /* the hire dated 2200-12-31 of issue 11 */
    Entretiens__V1__Date far = s_d(2200, 12, 31);
    e = s_event("hired", &far);
    e.employee_id = "N1";
    e.entity = "ACME-FR";
    s_check_rejects(&e, &r, "effective_date", "2200-12-31");
    /* a date the event alone refuses keeps its own reason */
    Entretiens__V1__Date bad = s_d(2026, 2, 30);
    e.effective_date = &bad;
    s_check_rejects(&e, &r, "effective_date", "not a valid date");
}

Test(validate, birth_dates_and_contract_ends_must_be_plausible)
{
    s_world_t w = { .entities = s_acme, .hired = s_staff };
    sched_refs_t r = s_refs(&w);
    Entretiens__V1__Date d = s_d(2026, 3, 15), b = s_d(1899, 12, 31), end = s_d(2031, 3, 15);
    Entretiens__V1__EmployeeEvent e = s_event("hired", &d);
    e.employee_id = "N1";
    e.entity = "ACME-FR";
    e.birth_date = &b;
    s_check_rejects(&e, &r, "birth_date", "between 1900 and 2200");
    b = s_d(2012, 3, 16); /* 13 on the day of the hire */
    s_check_rejects(&e, &r, "birth_date", "less than 14 years");
    b = s_d(2012, 3, 15); /* 14 that day */
    s_check_accepts(&e, &r);
    /* an update carrying a birth date is judged on its own date */
    Entretiens__V1__Date later = s_d(2026, 9, 1);
    Entretiens__V1__EmployeeEvent u = s_event("updated", &later);
    b = s_d(2013, 1, 1);
    u.birth_date = &b;
    s_check_rejects(&u, &r, "birth_date", "less than 14 years");
    /* a contract ending more than 5 years after the event */
    e.birth_date = NULL;
    e.contract = "apprentice";
    e.contract_end = &end;
    s_check_accepts(&e, &r);
    end = s_d(2031, 3, 16);
    s_check_rejects(&e, &r, "contract_end", "more than 5 years");
    /* the birth date is personal data: no reply quotes it */
    e.contract_end = NULL;
    e.contract = "permanent";
    b = s_d(1899, 7, 14);
    e.birth_date = &b;
    const char *f;
    char reason[256];
    cr_assert_eq(s_check(&e, &r, &f, reason), SCHED_CHECK_REJECTED);
    cr_assert_null(strstr(reason, "1899-07-14"), "%s", reason);
    cr_assert_null(strstr(reason, "1899"), "%s", reason);
}

Test(validate, the_entity_must_be_one_of_the_policy)
{
    s_world_t w = { .entities = s_acme, .hired = s_staff };
    sched_refs_t r = s_refs(&w);
    Entretiens__V1__Date d = s_d(2026, 3, 15);
    Entretiens__V1__EmployeeEvent e = s_event("hired", &d);
    e.employee_id = "N1";
    e.entity = "ACME-XX";
    s_check_rejects(&e, &r, "entity", "unknown entity 'ACME-XX'");
    e.entity = "acme-fr"; /* ids are exact */
    s_check_rejects(&e, &r, "entity", "unknown entity 'acme-fr'");
    e.entity = "ACME-BE";
    s_check_accepts(&e, &r);
    /* an update moving someone to an unknown entity */
    Entretiens__V1__EmployeeEvent u = s_event("updated", &d);
    u.entity = "ACME-XX";
    s_check_rejects(&u, &r, "entity", "ACME-XX");
    /* a policy that declares no entity: any entity */
    s_world_t open = { .entities = NULL, .hired = s_staff };
    sched_refs_t ro = s_refs(&open);
    e.entity = "ANYTHING-42";
    s_check_accepts(&e, &ro);
    cr_assert_eq(open.entity_calls, 1);
    /* no lookup at all: the same */
    sched_refs_t none = { .today = ENT_DATE_NONE };
    s_check_accepts(&e, &none);
    /* the log sentence does not quote the entity */
    const char *f, *why;
    char reason[256];
    e.entity = "PiiMark7f3a";
    cr_assert_eq(sched_event_check(&e, &r, &f, &why, reason, sizeof reason), SCHED_CHECK_REJECTED);
    cr_assert_null(strstr(why, "PiiMark7f3a"), "%s", why);
}

Test(validate, every_event_but_a_hire_needs_a_hired_employee)
{
    s_world_t w = { .entities = s_acme, .hired = s_staff };
    sched_refs_t r = s_refs(&w);
    Entretiens__V1__Date d = s_d(2026, 3, 15);
    static const char *const types[] = { "updated",       "position_changed", "trial_renewed",      "left",
                                         "leave_started", "leave_ended",      "medical_visit",      "training_completed",
                                         "interview_held" };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        Entretiens__V1__EmployeeEvent e = s_event(types[i], &d);
        e.leave_kind = "sick";
        e.visit_kind = "other";
        e.interview_type = "professional";
        e.employee_id = "GHOST7";
        const char *f, *why;
        char reason[256];
        cr_assert_eq(sched_event_check(&e, &r, &f, &why, reason, sizeof reason), SCHED_CHECK_NOT_HIRED, "%s: %s",
                     types[i], reason);
        cr_assert_str_eq(f, "employee_id");
        cr_assert(strstr(reason, "never been hired"), "%s", reason);
        cr_assert(strstr(reason, types[i]), "the reply names the type: %s", reason);
        cr_assert_null(strstr(why, "GHOST7"), "the log sentence quotes nothing: %s", why);
        e.employee_id = "E1";
        s_check_accepts(&e, &r);
    }
    /* a hire needs nobody before it */
    Entretiens__V1__EmployeeEvent h = s_event("hired", &d);
    h.employee_id = "GHOST7";
    h.entity = "ACME-FR";
    int calls = w.hired_calls;
    s_check_accepts(&h, &r);
    cr_assert_eq(w.hired_calls, calls, "no lookup for a hire");
    /* an event invalid on its own is REJECTED, whoever it is about */
    Entretiens__V1__EmployeeEvent bad = s_event("leave_started", &d);
    bad.employee_id = "GHOST7";
    const char *f;
    char reason[256];
    cr_assert_eq(s_check(&bad, &r, &f, reason), SCHED_CHECK_REJECTED);
    cr_assert_str_eq(f, "leave_kind");
}

Test(validate, an_unknown_manager_is_a_warning)
{
    s_world_t w = { .entities = s_acme, .hired = s_staff };
    sched_refs_t r = s_refs(&w);
    Entretiens__V1__Date d = s_d(2026, 3, 15);
    Entretiens__V1__EmployeeEvent e = s_event("hired", &d);
    e.employee_id = "N1";
    e.entity = "ACME-FR";
    e.manager_id = "M404";
    s_check_accepts(&e, &r); /* not a reason to refuse */
    sched_warning_t warn;
    cr_assert(sched_event_warn(&e, &r, &warn));
    cr_assert_str_eq(warn.field, "manager_id");
    cr_assert(strstr(warn.reason, "M404"), "%s", warn.reason);
    cr_assert(strstr(warn.reason, "not hired yet"), "%s", warn.reason);
    cr_assert_null(strstr(warn.why, "M404"), "the log sentence quotes nothing: %s", warn.why);
    e.manager_id = "M1";
    cr_assert_not(sched_event_warn(&e, &r, &warn));
    e.manager_id = NULL;
    cr_assert_not(sched_event_warn(&e, &r, &warn));
    /* position changes and updates name managers too; other events do not */
    Entretiens__V1__EmployeeEvent p = s_event("position_changed", &d);
    p.manager_id = "M404";
    cr_assert(sched_event_warn(&p, &r, &warn));
    p.type = "updated";
    cr_assert(sched_event_warn(&p, &r, &warn));
    p.type = "left";
    cr_assert_not(sched_event_warn(&p, &r, &warn));
    /* without a lookup, nothing to say */
    sched_refs_t none = { .today = ENT_DATE_NONE };
    cr_assert_not(sched_event_warn(&e, &none, &warn));
}
