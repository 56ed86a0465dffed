/*  test_rules.c — the scheduler's legal-rules engine (services/scheduler/rules.h).
 *
 *  Every case builds an employee history, computes its obligations on a
 *  given "today" and checks type, dates, status, rule and exposure.  The
 *  cases of issue 3 come first, then the rules of the legal research §8 one
 *  by one, then the engine's contracts (errors, buffer, determinism).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "rules.h"
#include "ruleset.h"
#include "trial.h"

/* ---- Helpers ------------------------------------------------------------ */

static int32_t D(const char *text)
{
    int32_t d = 0;
    cr_assert_eq(ent_date_parse(text, &d), 0, "bad test literal %s", text);
    return d;
}

static const char *S(int32_t date, char *buf)
{
    return ent_date_format(date, buf);
}

#define MAXF 64
#define MAXO 128

typedef struct hist {
    sch_fact_t f[MAXF];
    uint32_t n;
    int32_t birth;
} hist_t;

static void h_init(hist_t *h)
{
    memset(h, 0, sizeof *h);
    h->birth = ENT_DATE_NONE;
}

static void h_hire(hist_t *h, const char *date, sch_category_t cat, sch_contract_t contract,
                   const char *end, int trial_months, bool forfait)
{
    cr_assert_lt(h->n, MAXF);
    h->f[h->n++] = sch_fact_contract(SCH_FACT_HIRED, D(date), cat, contract,
                                     end ? D(end) : ENT_DATE_NONE, trial_months, forfait);
}

static void h_update(hist_t *h, const char *date, sch_category_t cat, sch_contract_t contract,
                     const char *end, bool forfait)
{
    cr_assert_lt(h->n, MAXF);
    h->f[h->n++] = sch_fact_contract(SCH_FACT_UPDATED, D(date), cat, contract,
                                     end ? D(end) : ENT_DATE_NONE, 0, forfait);
}

/* A permanent ouvrier/employé hired on `date` (the usual starting point). */
static void h_cdi(hist_t *h, const char *date)
{
    h_hire(h, date, SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 0, false);
}

static void h_add(hist_t *h, sch_fact_kind_t kind, const char *date, int arg)
{
    cr_assert_lt(h->n, MAXF);
    h->f[h->n++] = sch_fact_make(kind, D(date), arg);
}

static void h_held(hist_t *h, const char *date, sch_type_t type)
{
    h_add(h, SCH_FACT_INTERVIEW_HELD, date, type);
}

static void h_leave(hist_t *h, const char *from, const char *back, sch_leave_t kind)
{
    h_add(h, SCH_FACT_LEAVE_STARTED, from, kind);
    h_add(h, SCH_FACT_LEAVE_ENDED, back, kind);
}

static sch_employee_t h_emp(const hist_t *h)
{
    sch_employee_t e = {.facts = h->f, .nfacts = h->n, .birth_date = h->birth, .entity = 7,
                        .department = 3};
    return e;
}

static sch_policy_t pol(void)
{
    sch_policy_t p;
    sch_policy_defaults(&p);
    p.headcount = 120;
    return p;
}

typedef struct result {
    sch_obligation_t o[MAXO];
    int n;
} result_t;

static void run_p(result_t *r, const sch_policy_t *p, const hist_t *h, const char *today)
{
    sch_employee_t e = h_emp(h);
    r->n = sch_rules_compute(p, &e, D(today), r->o, MAXO);
    cr_assert_geq(r->n, 0, "compute failed: %d", r->n);
}

static void run(result_t *r, const hist_t *h, const char *today)
{
    sch_policy_t p = pol();
    run_p(r, &p, h, today);
}

/* Number of obligations of a type (any status when status < 0). */
static int count_of(const result_t *r, sch_type_t type, int status)
{
    int k = 0;
    for (int i = 0; i < r->n; i++)
        if (r->o[i].type == type && (status < 0 || r->o[i].status == status))
            k++;
    return k;
}

/* The obligation of a type with that anchor; fails the test when absent. */
static const sch_obligation_t *get(const result_t *r, sch_type_t type, const char *anchor)
{
    for (int i = 0; i < r->n; i++)
        if (r->o[i].type == type && r->o[i].anchor == D(anchor))
            return &r->o[i];
    cr_assert_fail("no %s anchored on %s among %d obligations", sch_type_name(type), anchor, r->n);
    return NULL;
}

/* The one obligation of a type with that status; fails unless exactly one. */
static const sch_obligation_t *only(const result_t *r, sch_type_t type, sch_status_t status)
{
    const sch_obligation_t *found = NULL;
    int k = 0;
    for (int i = 0; i < r->n; i++)
        if (r->o[i].type == type && r->o[i].status == status) {
            found = &r->o[i];
            k++;
        }
    cr_assert_eq(k, 1, "%d %s obligations with status %s, expected 1", k, sch_type_name(type),
                 sch_status_name(status));
    return found;
}

#define assert_date(got, want)                                                                     \
    do {                                                                                           \
        char b_[ENT_DATE_STRLEN];                                                                  \
        cr_assert_eq((got), D(want), "got %s, want %s", S((got), b_), want);                       \
    } while (0)

static void assert_rule(const sch_obligation_t *o, const char *id)
{
    cr_assert_str_eq(sch_rule_get(o->rule)->id, id);
}

static void assert_reason_has(const sch_obligation_t *o, const char *needle)
{
    char buf[1024];
    size_t len = sch_obligation_reason(o, buf, sizeof buf);
    cr_assert_lt(len, sizeof buf);
    cr_assert_not_null(strstr(buf, needle), "reason \"%s\" lacks \"%s\"", buf, needle);
}

/* ---- Issue 3: the cases it requires ------------------------------------- */

Test(issue3, hire_2026_first_professional_within_one_year)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-03-15");
    result_t r;
    run(&r, &h, "2026-04-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2026-03-15");
    assert_date(o->due_date, "2027-03-15");
    assert_date(o->window_start, "2026-03-15");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    assert_rule(o, "epp.first.2025");
    cr_assert_str_eq(sch_rule_get(o->rule)->basis,
                     "Code du travail L6315-1 I as amended by loi 2025-989 art. 3");
    assert_reason_has(o, "Hired 2026-03-15: first professional interview due within one year, "
                         "by 2027-03-15 (Code du travail L6315-1 I as amended by loi 2025-989");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL, -1), 1);
}

Test(issue3, hire_2024_first_professional_by_two_years)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2024-03-15");
    result_t r;
    run(&r, &h, "2026-01-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2024-03-15");
    assert_date(o->due_date, "2026-03-15");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    assert_rule(o, "epp.first.transition");
    /* The day after the deadline it is overdue. */
    run(&r, &h, "2026-03-16");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2024-03-15")->status, SCH_STATUS_OVERDUE);
    run(&r, &h, "2026-03-15");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2024-03-15")->status, SCH_STATUS_UPCOMING);
}

Test(issue3, last_interview_2024_next_due_2028)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-06-01");
    h_held(&h, "2022-05-20", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2024-06-10", SCH_TYPE_PROFESSIONAL);
    result_t r;
    run(&r, &h, "2026-01-10");
    const sch_obligation_t *next = get(&r, SCH_TYPE_PROFESSIONAL, "2024-06-10");
    assert_date(next->due_date, "2028-06-10");
    cr_assert_eq(next->status, SCH_STATUS_UPCOMING);
    assert_rule(next, "epp.periodic.transition");
    assert_reason_has(next, "2025-10-26");
    /* History: the two interviews met the first and the second deadlines. */
    const sch_obligation_t *first = get(&r, SCH_TYPE_PROFESSIONAL, "2020-06-01");
    cr_assert_eq(first->status, SCH_STATUS_MET);
    assert_date(first->met_on, "2022-05-20");
    assert_date(first->due_date, "2022-06-01");
    const sch_obligation_t *second = get(&r, SCH_TYPE_PROFESSIONAL, "2022-05-20");
    cr_assert_eq(second->status, SCH_STATUS_MET);
    assert_date(second->due_date, "2024-05-20");
    assert_date(second->met_on, "2024-06-10");
    cr_assert(second->flags & SCH_OBL_LATE);
    assert_rule(second, "epp.periodic.2014");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL, -1), 3);
}

Test(issue3, last_interview_2023_overdue_then_met_late)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2021-05-03");
    h_held(&h, "2023-05-01", SCH_TYPE_PROFESSIONAL);
    result_t r;
    run(&r, &h, "2026-01-10");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2023-05-01");
    assert_date(o->due_date, "2025-05-01");
    cr_assert_eq(o->status, SCH_STATUS_OVERDUE);
    assert_rule(o, "epp.periodic.2014");
    assert_reason_has(o, "Overdue: the deadline was 2025-05-01");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL, SCH_STATUS_UPCOMING), 0);

    h_held(&h, "2026-02-02", SCH_TYPE_PROFESSIONAL);
    run(&r, &h, "2026-03-01");
    o = get(&r, SCH_TYPE_PROFESSIONAL, "2023-05-01");
    cr_assert_eq(o->status, SCH_STATUS_MET);
    assert_date(o->met_on, "2026-02-02");
    cr_assert(o->flags & SCH_OBL_LATE);
    const sch_obligation_t *next = get(&r, SCH_TYPE_PROFESSIONAL, "2026-02-02");
    assert_date(next->due_date, "2030-02-02");
    cr_assert_eq(next->status, SCH_STATUS_UPCOMING);
    assert_rule(next, "epp.periodic.2025");
}

Test(issue3, parental_return_after_recent_interview_not_owed)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_held(&h, "2021-12-01", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2023-11-20", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2025-10-15", SCH_TYPE_PROFESSIONAL);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2025-11-03", SCH_LEAVE_PARENTAL);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-09-01", SCH_LEAVE_PARENTAL);
    result_t r;
    run(&r, &h, "2026-09-02");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_RETURN, SCH_STATUS_UPCOMING), 0);
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_RETURN, SCH_STATUS_OVERDUE), 0);
    const sch_obligation_t *o = only(&r, SCH_TYPE_PROFESSIONAL_RETURN, SCH_STATUS_WAIVED);
    assert_date(o->anchor, "2026-09-01");
    assert_date(o->met_on, "2025-10-15");
    assert_rule(o, "epp.return.2025");
    assert_reason_has(o, "no return professional interview owed, one was held on 2025-10-15");
}

Test(issue3, cadre_trial_four_months)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4, false);
    sch_employee_t e = h_emp(&h);
    assert_date(sch_trial_end(NULL, &e, D("2026-04-07")), "2026-08-06");
    result_t r;
    run(&r, &h, "2026-04-08");
    const sch_obligation_t *o = get(&r, SCH_TYPE_END_OF_TRIAL, "2026-04-07");
    assert_date(o->ref_date, "2026-08-06");
    /* 1 month's notice would need notifying by 07-06, before 3 months of
     * presence (07-07): the 2-week notice applies up to 07-06. */
    assert_date(o->due_date, "2026-07-06");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    assert_rule(o, "trial.cadre");
}

/* ---- First interview and the 2025 transition (R-EPP-1) ------------------ */

Test(first, art2222_caps_at_2026_10_26)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2024-12-01");
    result_t r;
    run(&r, &h, "2025-12-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2024-12-01")->due_date, "2026-10-26");
}

Test(first, strict_new_uses_one_year_when_after_reform)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2024-12-01");
    sch_policy_t p = pol();
    p.first_transition = SCH_FIRST_STRICT_NEW;
    result_t r;
    run_p(&r, &p, &h, "2025-11-15");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2024-12-01");
    assert_date(o->due_date, "2025-12-01");
    cr_assert(o->flags & SCH_OBL_STRICT_NEW);
    assert_reason_has(o, "strict_new");
}

Test(first, strict_new_falls_back_to_two_years)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2024-03-15");
    sch_policy_t p = pol();
    p.first_transition = SCH_FIRST_STRICT_NEW;
    result_t r;
    run_p(&r, &p, &h, "2025-11-15");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2024-03-15")->due_date, "2026-03-15");
}

Test(first, expired_before_reform_stays_under_old_law)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2023-06-01");
    sch_policy_t p = pol();
    for (int opt = 0; opt < SCH_FIRST_COUNT; opt++) {
        p.first_transition = (uint8_t)opt;
        result_t r;
        run_p(&r, &p, &h, "2025-11-15");
        const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2023-06-01");
        assert_date(o->due_date, "2025-06-01");
        cr_assert_eq(o->status, SCH_STATUS_OVERDUE);
        assert_rule(o, "epp.first.2014");
    }
}

Test(first, staff_in_post_in_2014)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2010-05-05");
    result_t r;
    run(&r, &h, "2014-06-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2010-05-05");
    assert_date(o->due_date, "2016-03-07");
    cr_assert_eq(o->cause, SCH_CAUSE_LAW_2014);
    assert_reason_has(o, "In post when law 2014-288 took effect");
}

Test(first, leap_day_hire_clamps_to_month_end)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2024-02-29");
    result_t r;
    run(&r, &h, "2025-01-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2024-02-29")->due_date, "2026-02-28");

    h_init(&h);
    h_cdi(&h, "2028-02-29");
    run(&r, &h, "2028-03-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2028-02-29")->due_date, "2029-02-28");
}

/* ---- Periodic cycle (R-EPP-2) ------------------------------------------- */

Test(periodic, leap_day_interview_keeps_day_in_leap_year)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2023-01-02");
    h_held(&h, "2024-02-29", SCH_TYPE_PROFESSIONAL);
    result_t r;
    run(&r, &h, "2026-01-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2024-02-29")->due_date, "2028-02-29");
}

Test(periodic, shorter_company_periodicity)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-01-06");
    h_held(&h, "2026-02-02", SCH_TYPE_PROFESSIONAL);
    sch_policy_t p = pol();
    p.periodicity_years = 2;
    result_t r;
    run_p(&r, &p, &h, "2026-03-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2026-02-02");
    assert_date(o->due_date, "2028-02-02");
    assert_reason_has(o, "within 2 years");
    p.periodicity_years = 0; /* 0 = the statutory 4 */
    run_p(&r, &p, &h, "2026-03-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-02-02")->due_date, "2030-02-02");
}

Test(periodic, missed_deadlines_accrue_one_link_per_cycle)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2016-09-01");
    result_t r;
    run(&r, &h, "2026-01-10");
    /* Under the former law: 2018-09-01, then 2020-09-01 (deferred to
     * 2021-06-30 by ordonnance 2020-1501), 2023-06-30 and 2025-06-30 all
     * missed.  The open link stays the 2025-06-30 one until the next
     * deadline (2029-06-30: its two years were still running on
     * 2025-10-26, so it runs four) has passed too. */
    const sch_obligation_t *a = get(&r, SCH_TYPE_PROFESSIONAL, "2016-09-01");
    assert_date(a->due_date, "2018-09-01");
    cr_assert_eq(a->status, SCH_STATUS_OVERDUE);
    const sch_obligation_t *b = get(&r, SCH_TYPE_PROFESSIONAL, "2018-09-01");
    assert_date(b->due_date, "2021-06-30");
    cr_assert(b->flags & SCH_OBL_COVID);
    cr_assert_eq(b->cause, SCH_CAUSE_MISSED);
    assert_reason_has(b, "passed with no interview");
    assert_reason_has(b, "deferred to 2021-06-30 by Ordonnance 2020-1501");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2021-06-30")->due_date, "2023-06-30");
    const sch_obligation_t *open = get(&r, SCH_TYPE_PROFESSIONAL, "2023-06-30");
    assert_date(open->due_date, "2025-06-30");
    assert_rule(open, "epp.periodic.2014");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL, SCH_STATUS_OVERDUE), 4);
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL, -1), 4);
    /* Once 2029-06-30 has passed, the next link appears, overdue too. */
    run(&r, &h, "2029-07-01");
    const sch_obligation_t *next = get(&r, SCH_TYPE_PROFESSIONAL, "2025-06-30");
    assert_date(next->due_date, "2029-06-30");
    assert_rule(next, "epp.periodic.transition");
    cr_assert_eq(next->status, SCH_STATUS_OVERDUE);
    /* An interview before 2029-06-30 would have met the 2025 link late. */
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL);
    run(&r, &h, "2026-06-02");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2023-06-30")->status, SCH_STATUS_MET);
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-06-01")->due_date, "2030-06-01");
}

Test(periodic, same_day_interviews_start_one_cycle)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-12-01", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2026-12-01", SCH_TYPE_PROFESSIONAL_RETURN);
    result_t r;
    run(&r, &h, "2027-01-01");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL, -1), 2);
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-12-01")->due_date, "2030-12-01");
}

Test(periodic, special_interviews_reset_cycle_only_by_option)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL);
    h_add(&h, SCH_FACT_MEDICAL_VISIT, "2028-03-01", SCH_VISIT_MID_CAREER);
    h_held(&h, "2028-04-01", SCH_TYPE_PROFESSIONAL_MID_CAREER);
    result_t r;
    run(&r, &h, "2028-05-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-06-01")->due_date, "2030-06-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2026-06-01")->status, SCH_STATUS_UPCOMING);

    sch_policy_t p = pol();
    p.special_cycle = SCH_SPECIAL_RESETS_CYCLE;
    run_p(&r, &p, &h, "2028-05-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2026-06-01")->status, SCH_STATUS_MET);
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2028-04-01")->due_date, "2032-04-01");
}

Test(periodic, suspensions_option_pushes_deadline)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL);
    h_leave(&h, "2027-01-04", "2027-07-05", SCH_LEAVE_SABBATICAL); /* 182 days */
    result_t r;
    run(&r, &h, "2027-08-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-06-01")->due_date, "2030-06-01");
    sch_policy_t p = pol();
    p.suspensions = SCH_SUSPENSIONS_EXTEND;
    run_p(&r, &p, &h, "2027-08-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-06-01")->due_date, "2030-11-30");
}

/* ---- Recap and CPF exposure (R-EPP-3, R-EPP-8) -------------------------- */

/* Hired 2026-01-05, first interview on time 2027-01-04, then nothing. */
static void recap_history(hist_t *h)
{
    h_init(h);
    h_cdi(h, "2026-01-05");
    h_held(h, "2027-01-04", SCH_TYPE_PROFESSIONAL);
}

Test(recap, conservative_is_seven_years_after_first_interview)
{
    hist_t h;
    recap_history(&h);
    result_t r;
    sch_policy_t p = pol();
    p.recap_deadline = SCH_RECAP_CONSERVATIVE;
    run_p(&r, &p, &h, "2027-02-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05");
    assert_date(o->due_date, "2034-01-04");
    assert_date(o->window_start, "2033-01-05");
    assert_rule(o, "epp.recap.2025");
    cr_assert_eq(o->penalty_eur, 0);
    assert_reason_has(o, "7 years after the first interview");
    assert_reason_has(o, "option conservative");
}

Test(recap, seniority_and_completed_years_options)
{
    hist_t h;
    recap_history(&h);
    sch_policy_t p = pol();
    result_t r;
    p.recap_deadline = SCH_RECAP_SENIORITY;
    cr_assert_eq(SCH_RECAP_SENIORITY, 0); /* the default */
    run_p(&r, &p, &h, "2027-02-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->due_date, "2034-01-05");
    p.recap_deadline = SCH_RECAP_COMPLETED_YEARS;
    run_p(&r, &p, &h, "2027-02-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->due_date, "2035-01-04");
}

Test(recap, penalty_exposure_for_fifty_plus)
{
    hist_t h;
    recap_history(&h);
    result_t r;
    run(&r, &h, "2034-06-01");
    /* The 2031-01-04 interview was missed and no training took place. */
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2027-01-04")->status, SCH_STATUS_OVERDUE);
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05");
    cr_assert_eq(o->status, SCH_STATUS_OVERDUE);
    cr_assert_eq(o->penalty_eur, 3000);
    assert_reason_has(o, "CPF top-up exposure: EUR 3000");

    sch_policy_t p = pol();
    p.headcount = 49;
    run_p(&r, &p, &h, "2034-06-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 0);
    p.headcount = 50;
    run_p(&r, &p, &h, "2034-06-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 3000);
}

Test(recap, non_mandatory_training_removes_exposure)
{
    hist_t h;
    recap_history(&h);
    h_add(&h, SCH_FACT_TRAINING_COMPLETED, "2029-05-10", 1); /* mandatory: does not count */
    result_t r;
    run(&r, &h, "2034-06-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 3000);
    recap_history(&h);
    h_add(&h, SCH_FACT_TRAINING_COMPLETED, "2029-05-10", 0);
    run(&r, &h, "2034-06-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 0);
}

Test(recap, met_on_time_no_exposure_and_cycle_restarts)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2027-01-04", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2031-01-03", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2034-01-03", SCH_TYPE_PROFESSIONAL_RECAP);
    result_t r;
    sch_policy_t p = pol();
    p.recap_deadline = SCH_RECAP_CONSERVATIVE;
    run_p(&r, &p, &h, "2034-02-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05");
    cr_assert_eq(o->status, SCH_STATUS_MET);
    assert_date(o->met_on, "2034-01-03");
    cr_assert_eq(o->penalty_eur, 0);
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2034-01-03")->due_date, "2038-01-03");
    /* Next recap: 8 years after the previous one (conservative). */
    const sch_obligation_t *next = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2034-01-05");
    assert_date(next->due_date, "2042-01-03");
    cr_assert_eq(next->status, SCH_STATUS_UPCOMING);
}

Test(recap, late_interview_counts_as_missed_by_option)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2027-03-01", SCH_TYPE_PROFESSIONAL); /* late: due 2027-01-05 */
    h_held(&h, "2031-02-01", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2034-01-03", SCH_TYPE_PROFESSIONAL_RECAP);
    result_t r;
    run(&r, &h, "2034-02-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 3000);
    sch_policy_t p = pol();
    p.late_interview = SCH_LATE_IS_MET;
    run_p(&r, &p, &h, "2034-02-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 0);
}

Test(recap, transition_moves_six_years_to_eight)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_held(&h, "2021-12-15", SCH_TYPE_PROFESSIONAL);
    result_t r;
    run(&r, &h, "2026-01-10");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2020-01-06");
    assert_date(o->due_date, "2028-01-06");
    assert_rule(o, "epp.recap.transition");
}

Test(recap, former_six_year_recap_then_transition)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2016-02-01");
    h_held(&h, "2018-01-15", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2019-12-10", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2021-11-20", SCH_TYPE_PROFESSIONAL_RECAP);
    result_t r;
    run(&r, &h, "2026-01-10");
    const sch_obligation_t *first = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2016-02-01");
    assert_date(first->due_date, "2022-02-01");
    assert_rule(first, "epp.recap.2014");
    cr_assert_eq(first->status, SCH_STATUS_MET);
    const sch_obligation_t *second = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2022-02-01");
    assert_rule(second, "epp.recap.transition");
    assert_date(second->due_date, "2030-02-01"); /* the end of the eight years */
    sch_policy_t p = pol();
    p.recap_deadline = SCH_RECAP_CONSERVATIVE;
    run_p(&r, &p, &h, "2026-01-10");
    second = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2022-02-01");
    assert_date(second->due_date, "2029-11-20"); /* min(2030-02-01, 2021-11-20 + 8 y) */
}

Test(recap, covid_deferral_of_2020_recap)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2010-01-04");
    result_t r;
    run(&r, &h, "2020-06-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2010-01-04");
    assert_date(o->ref_date, "2014-03-07"); /* the period starts with the 2014 law */
    /* Ordonnance 2020-387 first moved it to 2020-12-31; 2020-1501 then
     * moved every such deadline to 2021-06-30. */
    assert_date(o->due_date, "2021-06-30");
    cr_assert(o->flags & SCH_OBL_COVID);
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    assert_reason_has(o, "deferred to 2021-06-30 by Ordonnance 2020-1501");
}

/* ---- Return from leave (R-EPP-5, R-HEALTH-1, return-to-work policy) ----- */

Test(returns, parental_return_owed_without_recent_interview)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_held(&h, "2025-08-01", SCH_TYPE_PROFESSIONAL);
    h_leave(&h, "2025-11-03", "2026-09-01", SCH_LEAVE_PARENTAL);
    result_t r;
    run(&r, &h, "2026-09-01");
    const sch_obligation_t *o = only(&r, SCH_TYPE_PROFESSIONAL_RETURN, SCH_STATUS_UPCOMING);
    assert_date(o->anchor, "2026-09-01");
    assert_date(o->due_date, "2026-09-01"); /* at the return, no delay (issue 11) */
    cr_assert_eq(o->detail, SCH_LEAVE_PARENTAL);
    assert_reason_has(o, "Back from parental leave on 2026-09-01");
    /* An interview after the return meets it and restarts the cycle. */
    h_held(&h, "2026-09-15", SCH_TYPE_PROFESSIONAL_RETURN);
    run(&r, &h, "2026-10-02");
    o = only(&r, SCH_TYPE_PROFESSIONAL_RETURN, SCH_STATUS_MET);
    assert_date(o->met_on, "2026-09-15");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2026-09-15")->due_date, "2030-09-15");
}

Test(returns, maternity_then_parental_is_one_return)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_held(&h, "2024-11-05", SCH_TYPE_PROFESSIONAL);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-01-05", SCH_LEAVE_MATERNITY);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-04-27", SCH_LEAVE_MATERNITY);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-04-27", SCH_LEAVE_PARENTAL);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-10-05", SCH_LEAVE_PARENTAL);
    result_t r;
    run(&r, &h, "2026-10-05");
    /* No day back on 04-27: one return, owing what either leave owes. */
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_RETURN, -1), 1);
    const sch_obligation_t *epp = get(&r, SCH_TYPE_PROFESSIONAL_RETURN, "2026-10-05");
    cr_assert_eq(epp->status, SCH_STATUS_UPCOMING);
    assert_date(epp->ref_date, "2026-01-05");
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, -1), 1);
    const sch_obligation_t *v = get(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, "2026-10-05");
    cr_assert_eq(v->detail, SCH_LEAVE_MATERNITY);
    assert_date(v->due_date, "2026-10-13");
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_TO_WORK, -1), 1);
    assert_reason_has(get(&r, SCH_TYPE_RETURN_TO_WORK, "2026-10-05"), "after 273 days");
}

Test(returns, two_leaves_ending_the_same_day)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-01-05", SCH_LEAVE_MATERNITY);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-03-02", SCH_LEAVE_SICK);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-04-27", SCH_LEAVE_MATERNITY);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-04-27", SCH_LEAVE_SICK);
    result_t r;
    run(&r, &h, "2026-04-28");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_RETURN, -1), 1);
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, -1), 1);
    cr_assert_eq(get(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, "2026-04-27")->detail,
                 SCH_LEAVE_MATERNITY);
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_TO_WORK, -1), 1);
}

Test(returns, former_regime_has_no_twelve_month_exception)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_held(&h, "2025-01-10", SCH_TYPE_PROFESSIONAL);
    h_leave(&h, "2025-02-03", "2025-06-02", SCH_LEAVE_MATERNITY);
    result_t r;
    run(&r, &h, "2025-06-02");
    const sch_obligation_t *o = only(&r, SCH_TYPE_PROFESSIONAL_RETURN, SCH_STATUS_UPCOMING);
    assert_rule(o, "epp.return.2014");
    /* Maternity also owes the return medical visit within 8 days. */
    const sch_obligation_t *v = only(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, SCH_STATUS_UPCOMING);
    assert_date(v->due_date, "2025-06-10");
    assert_rule(v, "visit.return.2022");
}

Test(returns, long_sick_leave_is_long_illness_beyond_six_months)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-11-03");
    h_leave(&h, "2026-01-05", "2026-07-05", SCH_LEAVE_SICK); /* exactly 6 months */
    result_t r;
    run(&r, &h, "2026-07-06");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_RETURN, -1), 0);
    h_init(&h);
    h_cdi(&h, "2025-11-03");
    h_leave(&h, "2026-01-05", "2026-07-06", SCH_LEAVE_SICK); /* one day more */
    run(&r, &h, "2026-07-07");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_RETURN, -1), 1);
}

Test(returns, return_to_work_threshold)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-11-03");
    h_leave(&h, "2026-01-05", "2026-02-03", SCH_LEAVE_UNPAID); /* 29 days */
    h_leave(&h, "2026-03-02", "2026-04-01", SCH_LEAVE_PATERNITY); /* 30 days */
    result_t r;
    run(&r, &h, "2026-04-02");
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_TO_WORK, -1), 1);
    const sch_obligation_t *o = get(&r, SCH_TYPE_RETURN_TO_WORK, "2026-04-01");
    assert_date(o->due_date, "2026-04-09");
    assert_reason_has(o, "after 30 days of paternity leave");
    sch_policy_t p = pol();
    p.return_to_work_min_days = 90;
    run_p(&r, &p, &h, "2026-04-02");
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_TO_WORK, -1), 0);
    p.return_to_work_min_days = 29;
    p.return_to_work_days = 15;
    run_p(&r, &p, &h, "2026-04-02");
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_TO_WORK, -1), 2);
    assert_date(get(&r, SCH_TYPE_RETURN_TO_WORK, "2026-02-03")->due_date, "2026-02-18");
}

Test(returns, return_to_work_met_by_interview_once)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-11-03");
    h_leave(&h, "2026-01-05", "2026-03-02", SCH_LEAVE_SICK);
    h_held(&h, "2026-03-04", SCH_TYPE_RETURN_TO_WORK);
    h_leave(&h, "2026-04-01", "2026-06-01", SCH_LEAVE_SICK);
    result_t r;
    run(&r, &h, "2026-06-02");
    cr_assert_eq(get(&r, SCH_TYPE_RETURN_TO_WORK, "2026-03-02")->status, SCH_STATUS_MET);
    cr_assert_eq(get(&r, SCH_TYPE_RETURN_TO_WORK, "2026-06-01")->status, SCH_STATUS_UPCOMING);
}

Test(returns, medical_visit_thresholds)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-01-06");
    h_leave(&h, "2025-02-03", "2025-03-05", SCH_LEAVE_WORK_ACCIDENT);   /* 30 days: owed */
    h_leave(&h, "2025-04-01", "2025-04-30", SCH_LEAVE_WORK_ACCIDENT);   /* 29 days: not */
    h_leave(&h, "2025-06-02", "2025-07-31", SCH_LEAVE_SICK);            /* 59 days: not */
    h_leave(&h, "2025-09-01", "2025-10-31", SCH_LEAVE_SICK);            /* 60 days: owed */
    h_leave(&h, "2025-11-03", "2025-11-08", SCH_LEAVE_OCCUPATIONAL_DISEASE); /* any length */
    h_add(&h, SCH_FACT_MEDICAL_VISIT, "2025-11-10", SCH_VISIT_RETURN);
    result_t r;
    run(&r, &h, "2025-12-01");
    cr_assert_eq(count_of(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, -1), 3);
    const sch_obligation_t *a = get(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, "2025-03-05");
    assert_date(a->due_date, "2025-03-13");
    cr_assert_eq(a->status, SCH_STATUS_OVERDUE);
    cr_assert_eq(get(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, "2025-10-31")->status,
                 SCH_STATUS_OVERDUE);
    const sch_obligation_t *c = get(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, "2025-11-08");
    cr_assert_eq(c->status, SCH_STATUS_MET);
    assert_date(c->met_on, "2025-11-10");
    assert_reason_has(a, "R4624-31");
}

Test(returns, medical_visit_before_2022_decree)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_leave(&h, "2021-06-01", "2021-07-06", SCH_LEAVE_SICK); /* 35 days, started before 2022-04 */
    result_t r;
    run(&r, &h, "2021-07-07");
    const sch_obligation_t *o = only(&r, SCH_TYPE_RETURN_MEDICAL_VISIT, SCH_STATUS_UPCOMING);
    assert_rule(o, "visit.return.2012");
    assert_date(o->due_date, "2021-07-14");
}

/* ---- Mid-career, end of career (R-EPP-6, R-EPP-7) ------------------------ */

Test(career, mid_career_within_two_months_of_visit)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2015-01-05");
    h_add(&h, SCH_FACT_MEDICAL_VISIT, "2026-05-10", SCH_VISIT_MID_CAREER);
    result_t r;
    run(&r, &h, "2026-05-11");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_MID_CAREER, "2026-05-10");
    assert_date(o->due_date, "2026-07-10");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    assert_rule(o, "epp.mid_career.2025");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL_MID_CAREER);
    run(&r, &h, "2026-08-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_MID_CAREER, "2026-05-10")->status, SCH_STATUS_MET);
}

Test(career, no_mid_career_interview_before_reform)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2015-01-05");
    h_add(&h, SCH_FACT_MEDICAL_VISIT, "2025-05-10", SCH_VISIT_MID_CAREER);
    result_t r;
    run(&r, &h, "2025-12-01");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_MID_CAREER, -1), 0);
}

Test(career, end_of_career_two_years_before_sixty)
{
    hist_t h;
    h_init(&h);
    h.birth = D("1968-03-10");
    h_cdi(&h, "2015-01-05");
    result_t r;
    run(&r, &h, "2026-01-10");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2015-01-05");
    assert_date(o->due_date, "2028-03-09");
    assert_date(o->window_start, "2026-03-10");
    assert_date(o->ref_date, "2028-03-10");
    assert_reason_has(o, "60th birthday on 2028-03-10");
    /* Held before the window: does not count; inside: meets it. */
    h_held(&h, "2026-02-01", SCH_TYPE_PROFESSIONAL_END_OF_CAREER);
    run(&r, &h, "2026-04-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2015-01-05")->status,
                 SCH_STATUS_UPCOMING);
    h_held(&h, "2026-04-15", SCH_TYPE_PROFESSIONAL_END_OF_CAREER);
    run(&r, &h, "2026-05-01");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2015-01-05")->status,
                 SCH_STATUS_MET);
}

Test(career, end_of_career_edge_cases)
{
    hist_t h;
    result_t r;
    /* Sixty before the reform: no such interview. */
    h_init(&h);
    h.birth = D("1965-01-01");
    h_cdi(&h, "2015-01-05");
    run(&r, &h, "2026-01-10");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, -1), 0);
    /* Hired at 61: none. */
    h_init(&h);
    h.birth = D("1965-01-01");
    h_cdi(&h, "2026-02-02");
    run(&r, &h, "2026-03-01");
    cr_assert_eq(count_of(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, -1), 0);
    /* Born on 29 February: the 60th birthday of 2028 exists. */
    h_init(&h);
    h.birth = D("1968-02-29");
    h_cdi(&h, "2020-01-06");
    run(&r, &h, "2026-03-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2020-01-06")->due_date, "2028-02-28");
    /* Hired at 59: the window opens at hire. */
    h_init(&h);
    h.birth = D("1967-06-15");
    h_cdi(&h, "2026-09-01");
    run(&r, &h, "2026-09-02");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2026-09-01");
    assert_date(o->window_start, "2026-09-01");
    assert_date(o->due_date, "2027-06-14");
}

/* ---- Mobility, contracts, workload ---------------------------------------- */

Test(mobility, interview_around_position_change)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-01-06");
    h_held(&h, "2026-04-20", SCH_TYPE_INTERNAL_MOBILITY);
    h_add(&h, SCH_FACT_POSITION_CHANGED, "2026-05-04", 0);
    h_add(&h, SCH_FACT_POSITION_CHANGED, "2026-09-01", 0);
    result_t r;
    run(&r, &h, "2026-10-15");
    const sch_obligation_t *a = get(&r, SCH_TYPE_INTERNAL_MOBILITY, "2026-05-04");
    assert_date(a->due_date, "2026-06-03");
    cr_assert_eq(a->status, SCH_STATUS_MET);
    assert_date(a->met_on, "2026-04-20");
    /* The same interview cannot also serve the second change. */
    const sch_obligation_t *b = get(&r, SCH_TYPE_INTERNAL_MOBILITY, "2026-09-01");
    cr_assert_eq(b->status, SCH_STATUS_OVERDUE);
    assert_rule(b, "internal_mobility.policy");
}

Test(contract, end_of_contract_before_term)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-08-31", 0,
           false);
    result_t r;
    run(&r, &h, "2026-03-03");
    const sch_obligation_t *o = get(&r, SCH_TYPE_END_OF_CONTRACT, "2026-03-02");
    assert_date(o->due_date, "2026-08-01");
    assert_date(o->ref_date, "2026-08-31");
    /* Extended: same obligation (anchor), later deadline. */
    h_update(&h, "2026-07-01", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-12-31",
             false);
    run(&r, &h, "2026-07-02");
    assert_date(get(&r, SCH_TYPE_END_OF_CONTRACT, "2026-03-02")->due_date, "2026-12-01");
    /* Converted to a permanent contract: no longer owed. */
    h_update(&h, "2026-10-01", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, false);
    run(&r, &h, "2026-10-02");
    cr_assert_eq(count_of(&r, SCH_TYPE_END_OF_CONTRACT, -1), 0);
}

Test(workload, yearly_interview_on_forfait_jours)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-01-05", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 0, true);
    h_held(&h, "2026-12-01", SCH_TYPE_WORKLOAD_REVIEW);
    result_t r;
    run(&r, &h, "2027-01-10");
    const sch_obligation_t *a = get(&r, SCH_TYPE_WORKLOAD_REVIEW, "2026-01-05");
    cr_assert_eq(a->status, SCH_STATUS_MET);
    assert_date(a->due_date, "2027-01-05");
    const sch_obligation_t *b = get(&r, SCH_TYPE_WORKLOAD_REVIEW, "2026-12-01");
    assert_date(b->due_date, "2027-12-01");
    cr_assert_eq(b->status, SCH_STATUS_UPCOMING);
    assert_rule(b, "workload.forfait_jours");
    /* Agreement ended before the next one fell due: nothing more owed. */
    h_update(&h, "2027-06-01", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, false);
    run(&r, &h, "2028-06-01");
    cr_assert_eq(count_of(&r, SCH_TYPE_WORKLOAD_REVIEW, -1), 1);
}

Test(workload, none_without_forfait)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-01-05", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 0, false);
    result_t r;
    run(&r, &h, "2027-01-10");
    cr_assert_eq(count_of(&r, SCH_TYPE_WORKLOAD_REVIEW, -1), 0);
}

/* ---- Leaving, rehire ------------------------------------------------------- */

Test(left, cancels_pending_obligations)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-01-05", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 0, true);
    h_add(&h, SCH_FACT_LEFT, "2026-06-30", 0);
    h_held(&h, "2026-07-10", SCH_TYPE_PROFESSIONAL); /* after leaving: ignored */
    result_t r;
    run(&r, &h, "2026-07-15");
    cr_assert_gt(r.n, 0);
    for (int i = 0; i < r.n; i++) {
        cr_assert_eq(r.o[i].status, SCH_STATUS_CANCELLED, "%s is %s",
                     sch_type_name(r.o[i].type), sch_status_name(r.o[i].status));
        assert_date(r.o[i].cancelled_on, "2026-06-30");
    }
    assert_reason_has(get(&r, SCH_TYPE_PROFESSIONAL, "2026-01-05"), "Cancelled: left on 2026-06-30");
}

Test(left, announced_departure_keeps_what_falls_before)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-01-05", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4, false);
    h_add(&h, SCH_FACT_LEFT, "2026-06-30", 0);
    result_t r;
    run(&r, &h, "2026-02-01");
    /* The trial decision falls before the leaving date: still owed. */
    cr_assert_eq(get(&r, SCH_TYPE_END_OF_TRIAL, "2026-01-05")->status, SCH_STATUS_UPCOMING);
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2026-01-05")->status, SCH_STATUS_CANCELLED);
}

Test(left, rehire_starts_a_new_employment)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_add(&h, SCH_FACT_LEFT, "2026-03-31", 0);
    h_cdi(&h, "2027-02-01");
    result_t r;
    run(&r, &h, "2027-02-02");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL, "2026-01-05")->status, SCH_STATUS_CANCELLED);
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2027-02-01");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    assert_date(o->due_date, "2028-02-01");
}

/* ---- Engine contracts ------------------------------------------------------- */

static void busy_history(hist_t *h)
{
    h_init(h);
    h->birth = D("1980-07-14");
    h_hire(h, "2018-09-03", SCH_CAT_MAITRISE_TECHNICIEN, SCH_CONTRACT_PERMANENT, NULL, 3, true);
    h_held(h, "2019-09-01", SCH_TYPE_WORKLOAD_REVIEW);
    h_held(h, "2020-08-20", SCH_TYPE_PROFESSIONAL);
    h_add(h, SCH_FACT_POSITION_CHANGED, "2021-03-01", 0);
    h_leave(h, "2022-01-10", "2022-05-02", SCH_LEAVE_MATERNITY);
    h_leave(h, "2022-05-02", "2023-05-02", SCH_LEAVE_PARENTAL);
    h_add(h, SCH_FACT_TRAINING_COMPLETED, "2023-10-10", 0);
    h_held(h, "2024-03-05", SCH_TYPE_PROFESSIONAL);
    h_add(h, SCH_FACT_MEDICAL_VISIT, "2025-11-20", SCH_VISIT_MID_CAREER);
}

Test(engine, deterministic_output)
{
    hist_t h;
    busy_history(&h);
    result_t a, b;
    memset(&a, 0xAB, sizeof a);
    memset(&b, 0x00, sizeof b);
    run(&a, &h, "2026-01-15");
    run(&b, &h, "2026-01-15");
    cr_assert_eq(a.n, b.n);
    cr_assert_gt(a.n, 8);
    cr_assert_eq(memcmp(a.o, b.o, (size_t)a.n * sizeof a.o[0]), 0);
}

Test(engine, sorted_and_unique_keys)
{
    hist_t h;
    busy_history(&h);
    result_t r;
    run(&r, &h, "2026-01-15");
    for (int i = 1; i < r.n; i++)
        cr_assert_leq(r.o[i - 1].due_date, r.o[i].due_date);
    for (int i = 0; i < r.n; i++)
        for (int j = i + 1; j < r.n; j++)
            cr_assert(r.o[i].type != r.o[j].type || r.o[i].anchor != r.o[j].anchor,
                      "duplicate key %s", sch_type_name(r.o[i].type));
}

Test(engine, too_small_buffer_is_reported)
{
    hist_t h;
    busy_history(&h);
    sch_policy_t p = pol();
    sch_employee_t e = h_emp(&h);
    sch_obligation_t o[4];
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), o, 4), SCH_ENOSPC);
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), NULL, 0), SCH_ENOSPC);
    int cap = sch_rules_capacity(&e, D("2026-01-15"));
    result_t r;
    run(&r, &h, "2026-01-15");
    cr_assert_geq(cap, r.n);
    /* Exactly enough is enough. */
    sch_obligation_t exact[MAXO];
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), exact, r.n), r.n);
}

Test(engine, invalid_input)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2025-01-05", SCH_TYPE_PROFESSIONAL); /* before the previous fact */
    sch_policy_t p = pol();
    sch_employee_t e = h_emp(&h);
    sch_obligation_t o[8];
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), o, 8), SCH_EINVAL);
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-02-01", SCH_LEAVE_COUNT);
    e = h_emp(&h);
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), o, 8), SCH_EINVAL);
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    e = h_emp(&h);
    cr_assert_eq(sch_rules_compute(NULL, &e, D("2026-01-15"), o, 8), SCH_EINVAL);
    cr_assert_eq(sch_rules_compute(&p, NULL, D("2026-01-15"), o, 8), SCH_EINVAL);
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), NULL, 8), SCH_EINVAL);
    p.periodicity_years = 5;
    cr_assert_eq(sch_policy_check(&p), SCH_EINVAL);
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), o, 8), SCH_EINVAL);
    p = pol();
    p.recap_deadline = SCH_RECAP_COUNT;
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), o, 8), SCH_EINVAL);
    p = pol();
    cr_assert_eq(sch_policy_check(&p), 0);
    cr_assert_gt(sch_rules_compute(&p, &e, D("2026-01-15"), o, 8), 0);
}

Test(engine, facts_before_hire_and_empty_history)
{
    hist_t h;
    h_init(&h);
    sch_policy_t p = pol();
    sch_employee_t e = h_emp(&h);
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), NULL, 0), 0);
    h_held(&h, "2025-01-05", SCH_TYPE_PROFESSIONAL);
    e = h_emp(&h);
    sch_obligation_t o[4];
    cr_assert_eq(sch_rules_compute(&p, &e, D("2026-01-15"), o, 4), 0);
}

Test(engine, history_horizon_cuts_old_obligations)
{
    hist_t h;
    busy_history(&h);
    result_t all, cut;
    run(&all, &h, "2026-01-15");
    sch_policy_t p = pol();
    p.history_from = D("2024-01-01");
    run_p(&cut, &p, &h, "2026-01-15");
    cr_assert_lt(cut.n, all.n);
    int expected = 0;
    for (int i = 0; i < all.n; i++)
        if (all.o[i].due_date >= D("2024-01-01"))
            expected++;
    cr_assert_eq(cut.n, expected);
    for (int i = 0; i < cut.n; i++)
        cr_assert_geq(cut.o[i].due_date, D("2024-01-01"));
}

Test(engine, capacity_always_enough_on_random_histories)
{
    /* A deterministic LCG drives random, sorted histories. */
    uint32_t seed = 12345;
    sch_policy_t p = pol();
    for (int round = 0; round < 2000; round++) {
        sch_fact_t f[40];
        uint32_t n = 0;
        int32_t d = D("2008-01-01");
        for (int k = 0; k < 40; k++) {
            seed = seed * 1103515245u + 12345u;
            d += (int32_t)((seed >> 8) % 400);
            uint32_t kind = (seed >> 20) % SCH_FACT_COUNT;
            if (k == 0)
                kind = SCH_FACT_HIRED;
            sch_fact_t x = sch_fact_make((sch_fact_kind_t)kind, d, 0);
            switch (kind) {
            case SCH_FACT_HIRED:
            case SCH_FACT_UPDATED:
                x = sch_fact_contract((sch_fact_kind_t)kind, d, (sch_category_t)(seed % 3),
                                      (sch_contract_t)((seed >> 3) % 3),
                                      d + (int32_t)((seed >> 5) % 700), (int)((seed >> 12) % 5),
                                      (seed >> 4) & 1);
                break;
            case SCH_FACT_LEAVE_STARTED:
            case SCH_FACT_LEAVE_ENDED:
                x.arg = (uint8_t)((seed >> 13) % SCH_LEAVE_COUNT);
                break;
            case SCH_FACT_MEDICAL_VISIT:
                x.arg = (uint8_t)((seed >> 13) % SCH_VISIT_COUNT);
                break;
            case SCH_FACT_INTERVIEW_HELD:
                x.arg = (uint8_t)((seed >> 13) % SCH_TYPE_COUNT);
                break;
            default:
                x.arg = (uint8_t)((seed >> 13) % 3);
                break;
            }
            f[n++] = x;
        }
        sch_employee_t e = {.facts = f, .nfacts = n, .birth_date = D("1970-01-01") + round * 7};
        int32_t today = d + (int32_t)(seed % 2000);
        p.recap_deadline = (uint8_t)(round % SCH_RECAP_COUNT);
        p.suspensions = (uint8_t)(round % 2);
        int cap = sch_rules_capacity(&e, today);
        static sch_obligation_t o[1024];
        cr_assert_leq(cap, 1024);
        int got = sch_rules_compute(&p, &e, today, o, cap);
        cr_assert_geq(got, 0, "round %d: %d (capacity %d)", round, got, cap);
        for (int i = 1; i < got; i++)
            cr_assert_leq(o[i - 1].due_date, o[i].due_date);
        for (int i = 0; i < got; i++) {
            cr_assert_leq(o[i].window_start, o[i].due_date, "round %d %s", round,
                          sch_type_name(o[i].type));
            cr_assert_lt(o[i].status, SCH_STATUS_COUNT);
            cr_assert_not_null(sch_rule_get(o[i].rule));
            for (int j = i + 1; j < got; j++)
                cr_assert(o[i].type != o[j].type || o[i].anchor != o[j].anchor,
                          "round %d: duplicate %s", round, sch_type_name(o[i].type));
        }
    }
}

/* Not a benchmark (tests are not timed): checks that a large batch runs
 * through the engine with one stack buffer and no per-employee setup. */
Test(engine, batch_of_employees_with_one_buffer)
{
    enum { EMPLOYEES = 20000 };
    sch_policy_t p = pol();
    sch_obligation_t o[64];
    long total = 0;
    for (int i = 0; i < EMPLOYEES; i++) {
        int32_t hire = D("2012-01-02") + (i * 37) % 5000;
        sch_fact_t f[4] = {
            sch_fact_contract(SCH_FACT_HIRED, hire, (sch_category_t)(i % 3),
                              SCH_CONTRACT_PERMANENT, ENT_DATE_NONE, 0, i % 5 == 0),
            sch_fact_make(SCH_FACT_INTERVIEW_HELD, hire + 300 + i % 200, SCH_TYPE_PROFESSIONAL),
            sch_fact_make(SCH_FACT_LEAVE_STARTED, hire + 900, SCH_LEAVE_SICK),
            sch_fact_make(SCH_FACT_LEAVE_ENDED, hire + 900 + i % 120, SCH_LEAVE_SICK),
        };
        sch_employee_t e = {.facts = f, .nfacts = 4, .birth_date = D("1965-01-01") + i % 9000};
        int n = sch_rules_compute(&p, &e, D("2026-01-15"), o, 64);
        cr_assert_gt(n, 0);
        total += n;
    }
    cr_assert_gt(total, EMPLOYEES * 3L);
}

/* ---- Campaign eligibility ------------------------------------------------------ */

Test(campaign, eligibility_filter)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2025-06-02");
    h_add(&h, SCH_FACT_LEFT, "2026-03-31", 0);
    sch_employee_t e = h_emp(&h); /* entity 7, department 3 */
    sch_campaign_filter_t any = {0, 0, ENT_DATE_NONE};
    cr_assert(sch_campaign_eligible(&any, &e, D("2026-01-15")));
    cr_assert(sch_campaign_eligible(&any, &e, D("2026-03-31"))); /* last day still employed */
    cr_assert_not(sch_campaign_eligible(&any, &e, D("2026-04-01")));
    cr_assert_not(sch_campaign_eligible(&any, &e, D("2025-06-01")));
    sch_campaign_filter_t f = {7, 3, D("2025-07-01")};
    cr_assert(sch_campaign_eligible(&f, &e, D("2026-01-15")));
    f.hired_before = D("2025-06-02");
    cr_assert_not(sch_campaign_eligible(&f, &e, D("2026-01-15")));
    f.hired_before = ENT_DATE_NONE;
    f.entity = 8;
    cr_assert_not(sch_campaign_eligible(&f, &e, D("2026-01-15")));
    f.entity = 0;
    f.department = 4;
    cr_assert_not(sch_campaign_eligible(&f, &e, D("2026-01-15")));
    cr_assert_not(sch_campaign_eligible(NULL, &e, D("2026-01-15")));
}

/* ---- Names, rule table, reasons ------------------------------------------------ */

Test(names, wire_names_round_trip)
{
    static const char *types[] = {
        "annual_review",     "professional",         "professional_recap",
        "professional_return", "professional_mid_career", "professional_end_of_career",
        "return_to_work",    "return_medical_visit", "internal_mobility",
        "end_of_trial",      "end_of_contract",      "workload_review"};
    for (int i = 0; i < (int)(sizeof types / sizeof types[0]); i++) {
        sch_type_t t;
        cr_assert_eq(sch_type_parse(types[i], &t), 0, "%s", types[i]);
        cr_assert_eq((int)t, i);
        cr_assert_str_eq(sch_type_name(t), types[i]);
    }
    sch_type_t t;
    cr_assert_eq(sch_type_parse("Professional", &t), -1);
    cr_assert_eq(sch_type_parse(NULL, &t), -1);
    cr_assert_null(sch_type_name(SCH_TYPE_COUNT));
    cr_assert_null(sch_type_name(-1));
    static const char *statuses[] = {"upcoming", "overdue", "met", "waived", "cancelled"};
    for (int i = 0; i < SCH_STATUS_COUNT; i++) {
        sch_status_t s;
        cr_assert_eq(sch_status_parse(statuses[i], &s), 0);
        cr_assert_eq((int)s, i);
    }
    for (int i = 0; i < SCH_LEAVE_COUNT; i++) {
        sch_leave_t l;
        cr_assert_eq(sch_leave_parse(sch_leave_name(i), &l), 0);
        cr_assert_eq((int)l, i);
    }
    sch_leave_t l;
    cr_assert_eq(sch_leave_parse("occupational_disease", &l), 0);
    cr_assert_eq(l, SCH_LEAVE_OCCUPATIONAL_DISEASE);
    for (int i = 0; i < SCH_FACT_COUNT; i++) {
        sch_fact_kind_t k;
        cr_assert_eq(sch_fact_kind_parse(sch_fact_kind_name(i), &k), 0);
        cr_assert_eq((int)k, i);
    }
    sch_category_t c;
    cr_assert_eq(sch_category_parse("maitrise_technicien", &c), 0);
    cr_assert_eq(c, SCH_CAT_MAITRISE_TECHNICIEN);
    sch_contract_t ct;
    cr_assert_eq(sch_contract_parse("fixed_term", &ct), 0);
    cr_assert_eq(ct, SCH_CONTRACT_FIXED_TERM);
    sch_visit_t v;
    cr_assert_eq(sch_visit_parse("mid_career", &v), 0);
    cr_assert_eq(v, SCH_VISIT_MID_CAREER);
    sch_first_transition_t ft;
    cr_assert_eq(sch_first_transition_parse("strict_new", &ft), 0);
    cr_assert_eq(ft, SCH_FIRST_STRICT_NEW);
    cr_assert_str_eq(sch_first_transition_name(SCH_FIRST_ART2222), "art2222");
    sch_recap_deadline_t rd;
    cr_assert_eq(sch_recap_deadline_parse("conservative", &rd), 0);
    cr_assert_eq(rd, SCH_RECAP_CONSERVATIVE);
    cr_assert_eq(sch_recap_deadline_parse("completed_years", &rd), 0);
    cr_assert_eq(rd, SCH_RECAP_COMPLETED_YEARS);
    sch_late_interview_t li;
    cr_assert_eq(sch_late_interview_parse("met", &li), 0);
    cr_assert_eq(li, SCH_LATE_IS_MET);
    sch_special_cycle_t sc;
    cr_assert_eq(sch_special_cycle_parse("resets_cycle", &sc), 0);
    cr_assert_eq(sc, SCH_SPECIAL_RESETS_CYCLE);
    sch_suspensions_t su;
    cr_assert_eq(sch_suspensions_parse("extend", &su), 0);
    cr_assert_eq(su, SCH_SUSPENSIONS_EXTEND);
    cr_assert_str_eq(sch_recap_deadline_name(0), "seniority");
    sch_special_interviews_t si;
    cr_assert_eq(sch_special_interviews_parse("content", &si), 0);
    cr_assert_eq(si, SCH_SPECIAL_CONTENT);
    cr_assert_str_eq(sch_special_interviews_name(0), "separate");
    sch_convocation_deadline_t cd;
    cr_assert_eq(sch_convocation_deadline_parse("next_working_day", &cd), 0);
    cr_assert_eq(cd, SCH_CONVOCATION_NEXT_WORKING_DAY);
    cr_assert_str_eq(sch_convocation_deadline_name(0), "no_extension");
    cr_assert_eq(sch_convocation_deadline_parse("later", &cd), -1);
}

Test(policy, new_options_checked)
{
    sch_policy_t p = pol();
    cr_assert_eq(sch_policy_check(&p), 0);
    p.special_interviews = SCH_SPECIAL_INTERVIEWS_COUNT;
    cr_assert_eq(sch_policy_check(&p), SCH_EINVAL);
    p = pol();
    p.convocation_deadline = SCH_CONVOCATION_COUNT;
    cr_assert_eq(sch_policy_check(&p), SCH_EINVAL);
    p = pol();
    p.good_friday = ENT_GOOD_FRIDAY_COUNT;
    cr_assert_eq(sch_policy_check(&p), SCH_EINVAL);
    p = pol();
    p.branch_trial_renewal = 2;
    cr_assert_eq(sch_policy_check(&p), SCH_EINVAL);
    p = pol();
    p.legacy_branch_trial = 2;
    cr_assert_eq(sch_policy_check(&p), SCH_EINVAL);
}

Test(ruleset, table_is_well_formed)
{
    size_t n = 0;
    const sch_rule_t *t = sch_rules_table(&n);
    cr_assert_eq(n, (size_t)SCH_R_COUNT);
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(t[i].id, "row %zu has no id", i);
        cr_assert_not_null(t[i].basis, "%s", t[i].id);
        cr_assert_not_null(t[i].summary, "%s", t[i].id);
        cr_assert_not_null(t[i].applies_to, "%s", t[i].id);
        cr_assert(t[i].certainty >= 'A' && t[i].certainty <= 'D', "%s", t[i].id);
        cr_assert_leq(t[i].effective_from, t[i].effective_to, "%s", t[i].id);
        cr_assert_eq(sch_rule_find(t[i].id), (int)i, "%s not unique", t[i].id);
        cr_assert_eq(sch_rule_get((int)i), &t[i]);
    }
    cr_assert_null(sch_rule_get(SCH_R_COUNT));
    cr_assert_eq(sch_rule_find("no.such.rule"), -1);
    cr_assert_eq(sch_rule_find("epp.first.2025"), SCH_R_EPP_FIRST_2025);
    /* The old regime ends the day before the new one starts. */
    cr_assert_eq(sch_rule_get(SCH_R_EPP_PERIODIC_2014)->effective_to + 1,
                 sch_rule_get(SCH_R_EPP_PERIODIC_2025)->effective_from);
    cr_assert_eq(sch_rule_get(SCH_R_EPP_PERIODIC_2025)->effective_from, D("2025-10-26"));
    cr_assert(sch_rule_in_force(sch_rule_get(SCH_R_VISIT_RETURN_2022), D("2022-04-01")));
    cr_assert_not(sch_rule_in_force(sch_rule_get(SCH_R_VISIT_RETURN_2022), D("2022-03-31")));
}

Test(ruleset, literal_dates_match_date_module)
{
    cr_assert_eq(SCH_YMD(1970, 1, 1), 0);
    cr_assert_eq(SCH_YMD(2014, 3, 7), D("2014-03-07"));
    cr_assert_eq(SCH_YMD(2025, 10, 26), D("2025-10-26"));
    cr_assert_eq(SCH_YMD(2020, 2, 29), D("2020-02-29"));
    cr_assert_eq(SCH_YMD(2000, 3, 1), D("2000-03-01"));
    cr_assert_eq(SCH_YMD(2099, 12, 31), D("2099-12-31"));
    cr_assert_eq(SCH_YMD(1900, 1, 1), D("1900-01-01"));
}

Test(reason, snprintf_contract_in_both_languages)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-03-15");
    result_t r;
    run(&r, &h, "2026-04-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2026-03-15");
    char full[512];
    size_t len = sch_obligation_reason(o, full, sizeof full);
    cr_assert_eq(len, strlen(full));
    cr_assert_eq(sch_obligation_reason(o, NULL, 0), len);
    char small[16];
    memset(small, 'x', sizeof small);
    cr_assert_eq(sch_obligation_reason(o, small, sizeof small), len);
    cr_assert_eq(strlen(small), sizeof small - 1);
    cr_assert_eq(strncmp(small, full, sizeof small - 1), 0);
    cr_assert_eq(full[len - 1], '.');
    /* in French, with French dates; English stays the default */
    char fr[1024], en[1024];
    len = sch_obligation_reason_lang(o, SCH_LANG_FR, fr, sizeof fr);
    cr_assert_eq(len, strlen(fr));
    cr_assert_eq(sch_obligation_reason_lang(o, SCH_LANG_FR, NULL, 0), len, "same snprintf contract");
    cr_expect(strncmp(fr, "Embauche le 15/03/2026 : premier entretien professionnel dû dans l'année, au plus tard "
                          "le 15/03/2027 (", 100) == 0, "%s", fr);
    sch_obligation_reason_lang(o, SCH_LANG_EN, en, sizeof en);
    sch_obligation_reason(o, fr, sizeof fr);
    cr_expect_str_eq(en, fr, "English stays the default");
}

Test(reason, every_type_has_a_sentence_in_english_and_french)
{
    hist_t h;
    busy_history(&h);
    h_add(&h, SCH_FACT_LEFT, "2026-12-31", 0);
    result_t r;
    run(&r, &h, "2026-01-15");
    for (int i = 0; i < r.n; i++) {
        char buf[1024];
        size_t len = sch_obligation_reason(&r.o[i], buf, sizeof buf);
        cr_assert_gt(len, 40);
        cr_assert_lt(len, sizeof buf);
        cr_assert_not_null(strstr(buf, sch_rule_get(r.o[i].rule)->basis), "%s", buf);
        /* and in French */
        char fr[1024];
        len = sch_obligation_reason_lang(&r.o[i], SCH_LANG_FR, fr, sizeof fr);
        cr_assert_lt(len, sizeof fr);
        cr_expect_str_neq(fr, buf, "type %s has no French sentence", sch_type_name(r.o[i].type));
        /* the legal basis is quoted as written, in both */
        const char *basis = sch_rule_get(r.o[i].rule)->basis;
        char *b = strstr(fr, basis);
        cr_assert_not_null(b, "%s", fr);
        memmove(b, b + strlen(basis), strlen(b + strlen(basis)) + 1);
        cr_expect_not(strstr(fr, " due by") || strstr(fr, " due within") || strstr(fr, "Hired") ||
                          strstr(fr, "Overdue") || strstr(fr, " held "),
                      "English left in: %s", fr);
        /* dates as a French reader writes them: no ISO date outside the basis */
        size_t n = strlen(fr);
        for (size_t k = 0; k + 10 <= n; k++)
            cr_expect_not(fr[k] >= '0' && fr[k] <= '9' && fr[k + 4] == '-' && fr[k + 7] == '-', "an ISO date in %s", fr);
    }
}

/* ---- Issue 18: a labour lawyer's review, and issue 11 ------------------- */

/* 1. L1221-23: a trial period is not presumed. */
Test(issue18, no_trial_when_the_contract_stipulates_none)
{
    hist_t h;
    h_init(&h);
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 0, false);
    result_t r;
    run(&r, &h, "2026-04-08");
    cr_assert_eq(count_of(&r, SCH_TYPE_END_OF_TRIAL, -1), 0);
    sch_employee_t e = h_emp(&h);
    cr_assert_eq(sch_trial_end(NULL, &e, D("2026-04-08")), ENT_DATE_NONE);
    /* Stipulated: 3 months for this cadre, ends 2026-07-06. */
    h_init(&h);
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 3, false);
    run(&r, &h, "2026-04-08");
    assert_date(get(&r, SCH_TYPE_END_OF_TRIAL, "2026-04-07")->ref_date, "2026-07-06");
}

/* 3. L6315-1 II, L6323-13: the top-up needs missed interviews of L6315-1 I
 *    and no training; a recap not held is not one of those interviews. */
Test(issue18, missing_recap_alone_owes_no_top_up)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2027-01-04", SCH_TYPE_PROFESSIONAL);
    h_held(&h, "2031-01-03", SCH_TYPE_PROFESSIONAL);
    result_t r;
    run(&r, &h, "2034-06-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05");
    cr_assert_eq(o->status, SCH_STATUS_OVERDUE); /* a breach of its own */
    cr_assert_eq(o->penalty_eur, 0);
    cr_assert_eq(sch_obligation_penalty_if_inspected(o), 0);
    /* A return interview missed in the period does count. */
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2027-01-04", SCH_TYPE_PROFESSIONAL);
    h_leave(&h, "2028-01-03", "2029-01-07", SCH_LEAVE_PARENTAL);
    h_held(&h, "2031-01-03", SCH_TYPE_PROFESSIONAL);
    run(&r, &h, "2034-06-01");
    /* (met late by the 2031 interview, which counts as missed by default) */
    cr_assert(get(&r, SCH_TYPE_PROFESSIONAL_RETURN, "2029-01-07")->flags & SCH_OBL_LATE);
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->penalty_eur, 3000);
}

/* 5. "7 years after the first interview" opens the recap's window; the
 *    deadline is the end of the eight-year period. */
Test(issue18, recap_window_from_seven_years_due_at_eight)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL);
    result_t r;
    run(&r, &h, "2026-07-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05");
    assert_date(o->due_date, "2034-01-05");
    assert_date(o->window_start, "2033-06-01");
    cr_assert_not(o->flags & SCH_OBL_EARLY);
    assert_reason_has(o, "due by 2034-01-05; it may be held from 2033-06-01, 7 years after the "
                         "first interview");
    /* A recap held before the window does not count; one in it does. */
    h_held(&h, "2033-05-02", SCH_TYPE_PROFESSIONAL_RECAP);
    run(&r, &h, "2033-05-03");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->status, SCH_STATUS_UPCOMING);
    h_held(&h, "2033-09-01", SCH_TYPE_PROFESSIONAL_RECAP);
    run(&r, &h, "2033-09-02");
    cr_assert_eq(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->status, SCH_STATUS_MET);
    /* The former default stays as option conservative. */
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL);
    sch_policy_t p = pol();
    p.recap_deadline = SCH_RECAP_CONSERVATIVE;
    run_p(&r, &p, &h, "2026-07-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05")->due_date, "2033-06-01");
}

/* 6. L6323-13: an unpaid top-up found by an inspection, the formal notice
 *    not complied with, is paid with 100 % more. */
Test(issue18, exposure_if_inspected_is_doubled)
{
    hist_t h;
    recap_history(&h);
    result_t r;
    run(&r, &h, "2034-06-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2026-01-05");
    cr_assert_eq(o->penalty_eur, 3000);
    cr_assert_eq(sch_obligation_penalty_if_inspected(o), 6000);
    cr_assert_eq(sch_rule_get(o->rule)->surcharge_pct, 100);
    assert_reason_has(o, "CPF top-up exposure: EUR 3000");
    assert_reason_has(o, "EUR 6000 if an inspection finds it unpaid");
    cr_assert_eq(sch_obligation_penalty_if_inspected(NULL), 0);
    cr_assert_eq(sch_rule_get(SCH_R_EPP_RECAP_2014)->surcharge_pct, 100);
    cr_assert_eq(sch_rule_get(SCH_R_EPP_RECAP_TRANSITION)->surcharge_pct, 100);
}

/* 7. Mid- and end-of-career interviews: their own, or the content of the
 *    professional interview held in their window. */
static void career_history(hist_t *h)
{
    h_init(h);
    h->birth = D("1968-03-10");
    h_cdi(h, "2026-01-05");
    h_held(h, "2026-12-01", SCH_TYPE_PROFESSIONAL); /* next due 2030-12-01 */
}

Test(issue18, end_of_career_default_says_one_may_suffice)
{
    hist_t h;
    career_history(&h);
    /* The end-of-career window is 2026-03-10..2028-03-09; the professional
     * interview of 2026-12-01 was held in it. */
    result_t r;
    run(&r, &h, "2027-01-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2026-01-05");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING); /* separate: still owed */
    cr_assert(o->flags & SCH_OBL_ONE_MAY_SUFFICE);
    assert_reason_has(o, "option special_interviews=separate");
    assert_reason_has(o, "one interview covering both would do");
    /* Reading content: that interview meets it. */
    sch_policy_t p = pol();
    p.special_interviews = SCH_SPECIAL_CONTENT;
    run_p(&r, &p, &h, "2027-01-01");
    o = get(&r, SCH_TYPE_PROFESSIONAL_END_OF_CAREER, "2026-01-05");
    cr_assert_eq(o->status, SCH_STATUS_MET);
    assert_date(o->met_on, "2026-12-01");
    assert_reason_has(o, "special_interviews=content");
}

Test(issue18, special_interviews_no_overlap_no_note)
{
    /* A mid-career visit whose two months hold no professional interview:
     * nothing to say. */
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL);
    h_add(&h, SCH_FACT_MEDICAL_VISIT, "2027-03-01", SCH_VISIT_MID_CAREER);
    result_t r;
    run(&r, &h, "2027-03-02");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_MID_CAREER, "2027-03-01");
    cr_assert_not(o->flags & SCH_OBL_ONE_MAY_SUFFICE);
    /* Under content, an end_of_career or mid_career interview restarts the
     * cycle like any professional interview. */
    h_held(&h, "2027-04-01", SCH_TYPE_PROFESSIONAL_MID_CAREER);
    sch_policy_t p = pol();
    p.special_interviews = SCH_SPECIAL_CONTENT;
    run_p(&r, &p, &h, "2027-04-02");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2027-04-01")->due_date, "2031-04-01");
    /* A periodic interview due in the two months makes the note appear. */
    h_init(&h);
    h_cdi(&h, "2026-01-05");
    h_held(&h, "2026-06-01", SCH_TYPE_PROFESSIONAL); /* next due 2030-06-01 */
    h_add(&h, SCH_FACT_MEDICAL_VISIT, "2030-05-01", SCH_VISIT_MID_CAREER);
    run(&r, &h, "2030-05-02");
    cr_assert(get(&r, SCH_TYPE_PROFESSIONAL_MID_CAREER, "2030-05-01")->flags &
              SCH_OBL_ONE_MAY_SUFFICE);
}

/* 9. Ordonnance 2020-1501: every professional interview due from
 *    2020-01-01 to 2021-06-30 could be held until 2021-06-30. */
Test(issue18, covid_deferral_to_june_2021)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2018-09-01"); /* first interview due 2020-09-01 */
    result_t r;
    run(&r, &h, "2020-06-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL, "2018-09-01");
    assert_date(o->due_date, "2021-06-30");
    cr_assert(o->flags & SCH_OBL_COVID);
    assert_reason_has(o, "deferred to 2021-06-30 by Ordonnance 2020-1501");
    /* A deadline of 2021-05-15 too (2020-387 covered only 2020 recaps). */
    h_init(&h);
    h_cdi(&h, "2019-05-15");
    run(&r, &h, "2021-01-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2019-05-15")->due_date, "2021-06-30");
    /* Not one of 2021-07-01. */
    h_init(&h);
    h_cdi(&h, "2019-07-01");
    run(&r, &h, "2021-01-01");
    assert_date(get(&r, SCH_TYPE_PROFESSIONAL, "2019-07-01")->due_date, "2021-07-01");
    /* Return interviews too. */
    h_init(&h);
    h_cdi(&h, "2015-01-05");
    h_leave(&h, "2019-10-01", "2020-10-01", SCH_LEAVE_PARENTAL);
    run(&r, &h, "2020-10-02");
    const sch_obligation_t *ret = get(&r, SCH_TYPE_PROFESSIONAL_RETURN, "2020-10-01");
    assert_date(ret->due_date, "2021-06-30");
    cr_assert_eq(ret->status, SCH_STATUS_UPCOMING);
    /* Both rows are in the table with their sources. */
    const sch_rule_t *a = sch_rule_get(SCH_R_EPP_COVID_2020), *b = sch_rule_get(SCH_R_EPP_COVID_2021);
    cr_assert_str_eq(a->id, "epp.covid.2020");
    cr_assert_str_eq(b->id, "epp.covid.2021");
    cr_assert_not_null(strstr(a->basis, "2020-387"));
    cr_assert_not_null(strstr(b->basis, "2020-1501"));
    assert_date(a->effective_to, "2020-12-31");
    assert_date(b->effective_to, "2021-06-30");
    assert_date(b->sanction_from, "2020-03-12");
}

Test(issue18, covid_suspends_the_top_up_of_a_recap_held_then)
{
    /* In post since 2012: first interview due 2016-03-07 missed, recap of
     * the period 2014-03-07..2020-03-07 held on 2021-03-01, within the
     * deferral and while the sanction was suspended: no top-up. */
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2012-01-09");
    h_held(&h, "2021-03-01", SCH_TYPE_PROFESSIONAL_RECAP);
    result_t r;
    run(&r, &h, "2021-04-01");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2012-01-09");
    cr_assert_eq(o->status, SCH_STATUS_MET);
    cr_assert_eq(o->penalty_eur, 0);
    /* Not held by 2021-06-30: the sanction applies again. */
    h_init(&h);
    h_cdi(&h, "2012-01-09");
    run(&r, &h, "2021-07-01");
    o = get(&r, SCH_TYPE_PROFESSIONAL_RECAP, "2012-01-09");
    cr_assert_eq(o->status, SCH_STATUS_OVERDUE);
    cr_assert_eq(o->penalty_eur, 3000);
}

/* 10. L6315-1 I: the return interview is offered at the return, with no
 *     delay; 30 days stays as option return_interview_days. */
Test(issue18, return_interview_due_on_the_return_date)
{
    hist_t h;
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_held(&h, "2025-08-01", SCH_TYPE_PROFESSIONAL);
    h_leave(&h, "2025-11-03", "2026-09-01", SCH_LEAVE_PARENTAL);
    result_t r;
    run(&r, &h, "2026-09-02");
    const sch_obligation_t *o = get(&r, SCH_TYPE_PROFESSIONAL_RETURN, "2026-09-01");
    assert_date(o->due_date, "2026-09-01");
    cr_assert_eq(o->status, SCH_STATUS_OVERDUE);
    sch_policy_t p = pol();
    cr_assert_eq(p.return_interview_days, 0);
    p.return_interview_days = 30;
    run_p(&r, &p, &h, "2026-09-02");
    o = get(&r, SCH_TYPE_PROFESSIONAL_RETURN, "2026-09-01");
    assert_date(o->due_date, "2026-10-01");
    cr_assert_eq(o->status, SCH_STATUS_UPCOMING);
    /* The company's return-to-work interview keeps its own options. */
    h_init(&h);
    h_cdi(&h, "2020-01-06");
    h_leave(&h, "2026-01-05", "2026-03-02", SCH_LEAVE_SICK);
    run(&r, &h, "2026-03-02");
    assert_date(get(&r, SCH_TYPE_RETURN_TO_WORK, "2026-03-02")->due_date, "2026-03-10");
}
