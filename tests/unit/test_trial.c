/*  test_trial.c — trial period arithmetic (services/scheduler/trial.h). */
#include <criterion/criterion.h>

#include <string.h>

#include "common/date.h"
#include "rules.h"
#include "trial.h"

static int32_t D(const char *text)
{
    int32_t d = 0;
    cr_assert_eq(ent_date_parse(text, &d), 0, "bad test literal %s", text);
    return d;
}

#define assert_date(got, want)                                                                     \
    do {                                                                                           \
        char b_[ENT_DATE_STRLEN];                                                                  \
        cr_assert_eq((got), D(want), "got %s, want %s", ent_date_format((got), b_), want);         \
    } while (0)

typedef struct hist {
    sch_fact_t f[32];
    uint32_t n;
} hist_t;

static void h_hire(hist_t *h, const char *date, sch_category_t cat, sch_contract_t contract,
                   const char *end, int months)
{
    h->n = 0;
    h->f[h->n++] = sch_fact_contract(SCH_FACT_HIRED, D(date), cat, contract,
                                     end ? D(end) : ENT_DATE_NONE, months, false);
    /* Most cases are about the arithmetic: the contract provides for a
     * renewal; the cases about the conditions clear the flag. */
    h->f[0].flags = SCH_FACT_TRIAL_RENEWABLE;
}

/* The policy the cases run under: an entity whose extended branch
 * agreement allows renewals (the conditions have cases of their own). */
static sch_policy_t pol_renewal(void)
{
    sch_policy_t p;
    sch_policy_defaults(&p);
    p.branch_trial_renewal = 1;
    return p;
}

static void h_add(hist_t *h, sch_fact_kind_t kind, const char *date, int arg)
{
    cr_assert_lt(h->n, 32);
    h->f[h->n++] = sch_fact_make(kind, D(date), arg);
}

static void h_leave(hist_t *h, const char *from, const char *back, sch_leave_t kind)
{
    h_add(h, SCH_FACT_LEAVE_STARTED, from, kind);
    h_add(h, SCH_FACT_LEAVE_ENDED, back, kind);
}

static sch_trial_t trial(const hist_t *h, const char *today)
{
    sch_trial_t t;
    memset(&t, 0x5A, sizeof t);
    sch_policy_t p = pol_renewal();
    cr_assert_eq(sch_trial_from_facts(&p, h->f, h->n, D(today), &t), 1);
    return t;
}

/* The trial end `employee show` displays, under the defaults. */
static int32_t trial_end_or_none(const hist_t *h)
{
    sch_employee_t e = {.facts = h->f, .nfacts = h->n, .birth_date = ENT_DATE_NONE};
    return sch_trial_end(NULL, &e, h->f[0].date);
}

static int32_t trial_end(const hist_t *h, const char *today)
{
    sch_employee_t e = {.facts = h->f, .nfacts = h->n, .birth_date = ENT_DATE_NONE};
    sch_policy_t p = pol_renewal();
    return sch_trial_end(&p, &e, D(today));
}

Test(trial, category_defaults_and_maxima)
{
    cr_assert_eq(sch_trial_default_months(SCH_CAT_OUVRIER_EMPLOYE), 2);
    cr_assert_eq(sch_trial_default_months(SCH_CAT_MAITRISE_TECHNICIEN), 3);
    cr_assert_eq(sch_trial_default_months(SCH_CAT_CADRE), 4);
    cr_assert_eq(sch_trial_max_months(SCH_CAT_OUVRIER_EMPLOYE), 4);
    cr_assert_eq(sch_trial_max_months(SCH_CAT_MAITRISE_TECHNICIEN), 6);
    cr_assert_eq(sch_trial_max_months(SCH_CAT_CADRE), 8);
    cr_assert_eq(sch_trial_default_months(SCH_CAT_COUNT), 0);
    cr_assert_eq(sch_trial_max_months(SCH_CAT_COUNT), 0);
}

Test(trial, ends_on_the_eve_of_the_same_day_number)
{
    hist_t h;
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    assert_date(trial_end(&h, "2026-04-07"), "2026-08-06");
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    sch_trial_t t = trial(&h, "2026-01-05");
    assert_date(t.end, "2026-03-04");
    cr_assert_eq(t.months, 2);
    cr_assert_eq(t.rule, SCH_R_TRIAL_OUVRIER_EMPLOYE);
    /* Never moved for a holiday or weekend: 2026-03-09 + 2 months ends on
     * Friday 05-08, a public holiday, and stays there. */
    h_hire(&h, "2026-03-09", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    assert_date(trial_end(&h, "2026-03-09"), "2026-05-08");
    h_hire(&h, "2026-02-08", SCH_CAT_MAITRISE_TECHNICIEN, SCH_CONTRACT_PERMANENT, NULL, 3);
    assert_date(trial_end(&h, "2026-02-08"), "2026-05-07");
}

Test(trial, month_end_starts)
{
    hist_t h;
    /* No 31 April: three months from 31 January end with April. */
    h_hire(&h, "2026-01-31", SCH_CAT_MAITRISE_TECHNICIEN, SCH_CONTRACT_PERMANENT, NULL, 3);
    assert_date(trial_end(&h, "2026-01-31"), "2026-04-30");
    h_hire(&h, "2025-12-30", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    assert_date(trial_end(&h, "2026-01-01"), "2026-02-28");
    h_hire(&h, "2026-01-28", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    assert_date(trial_end(&h, "2026-01-28"), "2026-03-27");
    h_hire(&h, "2027-12-29", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    assert_date(trial_end(&h, "2027-12-29"), "2028-02-28"); /* leap year: 02-29 exists */
}

Test(trial, contract_months_shorter_or_capped)
{
    hist_t h;
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 3);
    assert_date(trial_end(&h, "2026-04-07"), "2026-07-06");
    h_hire(&h, "2026-04-07", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 6);
    assert_date(trial_end(&h, "2026-04-07"), "2026-06-06");
}

Test(trial, renewal)
{
    hist_t h;
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-07-01", 4);
    sch_trial_t t = trial(&h, "2026-07-02");
    assert_date(t.end, "2026-12-06");
    assert_date(t.initial_end, "2026-08-06");
    assert_date(t.renewed_on, "2026-07-01");
    cr_assert_eq(t.months, 8);

    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-07-01", 0); /* up to the maximum */
    assert_date(trial(&h, "2026-07-02").end, "2026-12-06");

    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-07-01", 2);
    assert_date(trial(&h, "2026-07-02").end, "2026-10-06");

    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-02-20", 5); /* capped: 4 months in all */
    assert_date(trial(&h, "2026-02-21").end, "2026-05-04");
}

Test(trial, renewal_after_the_end_or_twice_is_ignored)
{
    hist_t h;
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-08-07", 4);
    sch_trial_t t = trial(&h, "2026-08-08");
    assert_date(t.end, "2026-08-06");
    cr_assert_eq(t.renewed_on, ENT_DATE_NONE);

    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-06-01", 2);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-07-01", 2);
    assert_date(trial(&h, "2026-07-02").end, "2026-10-06");
}

Test(trial, absences_extend_by_calendar_days)
{
    hist_t h;
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_leave(&h, "2026-02-02", "2026-02-09", SCH_LEAVE_SICK); /* 7 days incl. a weekend */
    sch_trial_t t = trial(&h, "2026-02-10");
    assert_date(t.end, "2026-03-11");
    cr_assert_eq(t.absence_days, 7);
    cr_assert_not(t.provisional);

    /* A leave straddling the end: every day of it counts. */
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_leave(&h, "2026-03-01", "2026-03-10", SCH_LEAVE_SICK);
    assert_date(trial(&h, "2026-03-11").end, "2026-03-13");

    /* After the end: nothing. */
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_leave(&h, "2026-03-05", "2026-03-10", SCH_LEAVE_SICK);
    assert_date(trial(&h, "2026-03-11").end, "2026-03-04");

    /* Overlapping leaves are counted once: 02-02..02-11. */
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-02-02", SCH_LEAVE_SICK);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-02-05", SCH_LEAVE_WORK_ACCIDENT);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-02-09", SCH_LEAVE_SICK);
    h_add(&h, SCH_FACT_LEAVE_ENDED, "2026-02-12", SCH_LEAVE_WORK_ACCIDENT);
    assert_date(trial(&h, "2026-02-13").end, "2026-03-14");

    /* A union mandate is not an absence from work. */
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_leave(&h, "2026-02-02", "2026-02-09", SCH_LEAVE_UNION_MANDATE);
    assert_date(trial(&h, "2026-02-10").end, "2026-03-04");
}

Test(trial, open_leave_counts_through_today)
{
    hist_t h;
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_add(&h, SCH_FACT_LEAVE_STARTED, "2026-02-02", SCH_LEAVE_SICK);
    sch_trial_t t = trial(&h, "2026-02-10"); /* 02-02..02-10 = 9 days so far */
    assert_date(t.end, "2026-03-13");
    cr_assert(t.provisional);
    assert_date(trial(&h, "2026-02-20").end, "2026-03-23");
}

Test(trial, renewal_date_checked_against_extended_initial_end)
{
    hist_t h;
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 2);
    h_leave(&h, "2026-02-02", "2026-02-09", SCH_LEAVE_SICK); /* initial end 03-04 -> 03-11 */
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-03-10", 2);
    sch_trial_t t = trial(&h, "2026-03-11");
    assert_date(t.renewed_on, "2026-03-10");
    assert_date(t.end, "2026-05-11"); /* 4 months: 05-04, + 7 days of absence */
}

Test(trial, fixed_term_one_day_per_week)
{
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-03-02"), D("2026-05-29")), 12);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-03-02"), D("2026-07-31")), 14);
    /* 6 months or less: capped at 2 weeks; longer: at 1 month. */
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-01-05"), D("2026-07-04")), 14);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-01-05"), D("2026-07-05")), 26);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-01-05"), D("2026-12-31")), 31);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-02-02"), D("2027-01-31")), 28);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-03-02"), D("2026-03-07")), 0);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-03-02"), D("2026-03-08")), 1);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-03-02"), D("2026-03-01")), 0);
    cr_assert_eq(sch_trial_fixed_term_days(D("2026-03-02"), ENT_DATE_NONE), 0);

    hist_t h;
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-05-29", 0);
    h.f[0].trial_days = 14; /* stipulated beyond the maximum: capped */
    sch_trial_t t = trial(&h, "2026-03-02");
    assert_date(t.end, "2026-03-13");
    cr_assert_eq(t.days, 12);
    cr_assert_eq(t.rule, SCH_R_TRIAL_FIXED_TERM);
    /* No renewal for a fixed-term trial. */
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-03-05", 1);
    assert_date(trial(&h, "2026-03-06").end, "2026-03-13");
}

Test(trial, no_trial_cases)
{
    hist_t h;
    sch_trial_t t;
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, NULL, 0);
    h.f[0].trial_days = 10;
    cr_assert_eq(sch_trial_from_facts(NULL, h.f, h.n, D("2026-03-02"), &t), 0);
    cr_assert_eq(t.end, ENT_DATE_NONE);
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_APPRENTICE, "2028-02-29", 0);
    cr_assert_eq(sch_trial_from_facts(NULL, h.f, h.n, D("2026-03-02"), &t), 0);
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_APPRENTICE, "2028-02-29", 2);
    cr_assert_eq(sch_trial_from_facts(NULL, h.f, h.n, D("2026-03-02"), &t), 1);
    assert_date(t.end, "2026-05-01");
    cr_assert_eq(sch_trial_from_facts(NULL, NULL, 1, D("2026-03-02"), &t), SCH_EINVAL);
    cr_assert_eq(sch_trial_from_facts(NULL, h.f, 0, D("2026-03-02"), &t), SCH_EINVAL);
    h_add(&h, SCH_FACT_LEFT, "2026-03-05", 0);
    cr_assert_eq(sch_trial_from_facts(NULL, h.f + 1, 1, D("2026-03-02"), &t), SCH_EINVAL);
    sch_employee_t none = {.facts = NULL, .nfacts = 0, .birth_date = ENT_DATE_NONE};
    cr_assert_eq(sch_trial_compute(NULL, &none, D("2026-03-02"), &t), 0);
    cr_assert_eq(sch_trial_end(NULL, &none, D("2026-03-02")), ENT_DATE_NONE);
    cr_assert_eq(sch_trial_end(NULL, NULL, D("2026-03-02")), ENT_DATE_NONE);
}

Test(trial, current_employment_after_rehire)
{
    hist_t h;
    h_hire(&h, "2025-01-06", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_LEFT, "2025-06-30", 0);
    h.f[h.n++] = sch_fact_contract(SCH_FACT_HIRED, D("2026-04-07"), SCH_CAT_OUVRIER_EMPLOYE,
                                   SCH_CONTRACT_PERMANENT, ENT_DATE_NONE, 2, false);
    assert_date(trial_end(&h, "2026-04-08"), "2026-06-06");
    /* A HIRED restating the contract of someone still employed (a
     * fixed-term contract converted) opens no new trial. */
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-06-30", 0);
    h.f[0].trial_days = 14;
    h.f[h.n++] = sch_fact_contract(SCH_FACT_HIRED, D("2026-05-04"), SCH_CAT_OUVRIER_EMPLOYE,
                                   SCH_CONTRACT_PERMANENT, ENT_DATE_NONE, 2, false);
    assert_date(trial_end(&h, "2026-05-05"), "2026-01-18"); /* the fixed-term one: 14 days */
}

Test(notice, employer_notice_by_presence)
{
    int32_t start = D("2026-04-07");
    assert_date(sch_trial_notice_end(start, D("2026-04-10")), "2026-04-11"); /* 24 h */
    assert_date(sch_trial_notice_end(start, D("2026-04-13")), "2026-04-14"); /* day 7: 24 h */
    assert_date(sch_trial_notice_end(start, D("2026-04-14")), "2026-04-16"); /* day 8: 48 h */
    assert_date(sch_trial_notice_end(start, D("2026-05-06")), "2026-05-08");
    assert_date(sch_trial_notice_end(start, D("2026-05-07")), "2026-05-21"); /* 1 month: 2 weeks */
    assert_date(sch_trial_notice_end(start, D("2026-07-06")), "2026-07-20");
    assert_date(sch_trial_notice_end(start, D("2026-07-07")), "2026-08-07"); /* 3 months: 1 month */
}

Test(notice, latest_notification_date)
{
    /* Cadre, 4 months: 1 month's notice is out of reach, 2 weeks fit up to
     * the day before 3 months of presence. */
    assert_date(sch_trial_latest_notification(D("2026-04-07"), D("2026-08-06")), "2026-07-06");
    /* Renewed to 8 months: a month before the end. */
    assert_date(sch_trial_latest_notification(D("2026-04-07"), D("2026-12-06")), "2026-11-06");
    /* Ouvrier, 2 months: two weeks before the end. */
    assert_date(sch_trial_latest_notification(D("2026-01-05"), D("2026-03-04")), "2026-02-18");
    /* Fixed-term, 12 days: 48 h before the end. */
    assert_date(sch_trial_latest_notification(D("2026-03-02"), D("2026-03-13")), "2026-03-11");
    /* A 1-day trial leaves no room for 24 h of notice. */
    cr_assert_eq(sch_trial_latest_notification(D("2026-03-02"), D("2026-03-02")), ENT_DATE_NONE);
    /* Month-end: a notification on 2026-01-31 with 1 month ends 02-28. */
    assert_date(sch_trial_latest_notification(D("2025-10-31"), D("2026-02-28")), "2026-01-31");
}

Test(notice, engine_end_of_trial_interview)
{
    hist_t h;
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-07-01", 4);
    h_add(&h, SCH_FACT_INTERVIEW_HELD, "2026-10-20", SCH_TYPE_END_OF_TRIAL);
    sch_employee_t e = {.facts = h.f, .nfacts = h.n, .birth_date = ENT_DATE_NONE};
    sch_policy_t p = pol_renewal();
    sch_obligation_t o[16];
    int n = sch_rules_compute(&p, &e, D("2026-11-01"), o, 16);
    cr_assert_gt(n, 0);
    const sch_obligation_t *t = NULL;
    for (int i = 0; i < n; i++)
        if (o[i].type == SCH_TYPE_END_OF_TRIAL)
            t = &o[i];
    cr_assert_not_null(t);
    assert_date(t->anchor, "2026-04-07"); /* same obligation as before the renewal */
    assert_date(t->ref_date, "2026-12-06");
    assert_date(t->due_date, "2026-11-06");
    assert_date(t->window_start, "2026-10-06");
    cr_assert_eq(t->status, SCH_STATUS_MET);
    /* The policy can ask for the interview some days before the notification. */
    p.trial_decision_days = 7;
    n = sch_rules_compute(&p, &e, D("2026-11-01"), o, 16);
    for (int i = 0; i < n; i++)
        if (o[i].type == SCH_TYPE_END_OF_TRIAL)
            assert_date(o[i].due_date, "2026-10-30");
}

/* ---- Issue 18: a trial period is not presumed (L1221-23) ---------------- */

Test(issue18, no_trial_unless_stipulated)
{
    hist_t h;
    sch_trial_t t;
    sch_policy_t p = pol_renewal();
    static const sch_category_t cats[] = {SCH_CAT_OUVRIER_EMPLOYE, SCH_CAT_MAITRISE_TECHNICIEN,
                                          SCH_CAT_CADRE};
    for (int i = 0; i < 3; i++) {
        h_hire(&h, "2026-04-07", cats[i], SCH_CONTRACT_PERMANENT, NULL, 0);
        cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2026-04-08"), &t), 0);
        cr_assert_eq(t.end, ENT_DATE_NONE);
        cr_assert_eq(trial_end_or_none(&h), ENT_DATE_NONE);
    }
    /* A renewal cannot create a trial that was never stipulated. */
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 0);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-06-01", 4);
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2026-06-02"), &t), 0);
    /* Nor a fixed-term contract's: L1242-10 is a maximum. */
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-12-31", 0);
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2026-03-02"), &t), 0);
}

Test(issue18, stipulated_in_days)
{
    hist_t h;
    /* A fixed-term contract of 10 months: L1242-10 allows up to 1 month;
     * the contract stipulates 2 weeks, so the trial is 2 weeks. */
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-12-31", 0);
    h.f[0].trial_days = 14;
    sch_trial_t t = trial(&h, "2026-03-02");
    assert_date(t.end, "2026-03-15");
    cr_assert_eq(t.days, 14);
    /* Stipulated in months: 1 month, within the maximum. */
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-12-31", 1);
    assert_date(trial(&h, "2026-03-02").end, "2026-04-01");
    /* A short fixed-term contract caps a stipulation in months: 12 days. */
    h_hire(&h, "2026-03-02", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_FIXED_TERM, "2026-05-29", 1);
    assert_date(trial(&h, "2026-03-02").end, "2026-03-13");
    /* A permanent contract may stipulate days too, within its category's
     * maximum: 45 days for an ouvrier is within 2 months... */
    h_hire(&h, "2026-01-05", SCH_CAT_OUVRIER_EMPLOYE, SCH_CONTRACT_PERMANENT, NULL, 0);
    h.f[0].trial_days = 45;
    t = trial(&h, "2026-01-05");
    assert_date(t.end, "2026-02-18");
    cr_assert_eq(t.months, 0);
    cr_assert_eq(t.days, 45);
    /* ...and 90 days is capped at 2 months. */
    h.f[0].trial_days = 90;
    assert_date(trial(&h, "2026-01-05").end, "2026-03-04");
}

Test(issue18, renewal_needs_contract_and_branch_agreement)
{
    hist_t h;
    sch_trial_t t;
    sch_policy_t yes = pol_renewal(), no;
    sch_policy_defaults(&no);
    h_hire(&h, "2026-04-07", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 4);
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2026-07-01", 4);
    /* Both: renewed to 8 months. */
    cr_assert_eq(sch_trial_from_facts(&yes, h.f, h.n, D("2026-07-02"), &t), 1);
    assert_date(t.end, "2026-12-06");
    cr_assert_eq(t.refused_on, ENT_DATE_NONE);
    /* No branch agreement declared (the default): not applied, and said. */
    cr_assert_eq(sch_trial_from_facts(&no, h.f, h.n, D("2026-07-02"), &t), 1);
    assert_date(t.end, "2026-08-06");
    assert_date(t.refused_on, "2026-07-01");
    cr_assert_eq(t.refused_why, SCH_RENEWAL_NO_AGREEMENT);
    cr_assert_eq(t.renewed_on, ENT_DATE_NONE);
    /* The contract does not provide for it. */
    h.f[0].flags = 0;
    cr_assert_eq(sch_trial_from_facts(&yes, h.f, h.n, D("2026-07-02"), &t), 1);
    assert_date(t.end, "2026-08-06");
    cr_assert_eq(t.refused_why, SCH_RENEWAL_NO_CLAUSE);
    cr_assert_eq(sch_trial_from_facts(&no, h.f, h.n, D("2026-07-02"), &t), 1);
    cr_assert_eq(t.refused_why, SCH_RENEWAL_NO_CLAUSE | SCH_RENEWAL_NO_AGREEMENT);
    /* The engine's obligation says why in its reason. */
    sch_employee_t e = {.facts = h.f, .nfacts = h.n, .birth_date = ENT_DATE_NONE};
    sch_obligation_t o[16];
    int n = sch_rules_compute(&no, &e, D("2026-07-02"), o, 16);
    const sch_obligation_t *ob = NULL;
    for (int i = 0; i < n; i++)
        if (o[i].type == SCH_TYPE_END_OF_TRIAL)
            ob = &o[i];
    cr_assert_not_null(ob);
    cr_assert(ob->flags & SCH_OBL_RENEWAL_IGNORED);
    assert_date(ob->ref_date, "2026-08-06");
    char buf[1024];
    sch_obligation_reason(ob, buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "a renewal was recorded but not applied: the contract does not "
                                   "provide for it and no extended branch agreement"), "%s", buf);
}

/* ---- Issue 18: contracts under a pre-2008 branch agreement -------------- */

Test(issue18, legacy_branch_trial_before_2023_09_09)
{
    hist_t h;
    sch_trial_t t;
    sch_policy_t p = pol_renewal();
    /* A cadre hired 2023-03-01 with 6 months stipulated under an agreement
     * of before 2008: capped at 4 months by default... */
    h_hire(&h, "2023-03-01", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 6);
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2023-03-02"), &t), 1);
    assert_date(t.end, "2023-06-30");
    cr_assert_eq(t.rule, SCH_R_TRIAL_CADRE);
    /* ...kept with the entity's option legacy_branch_trial. */
    p.legacy_branch_trial = 1;
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2023-03-02"), &t), 1);
    assert_date(t.end, "2023-08-31");
    cr_assert_eq(t.months, 6);
    cr_assert_eq(t.rule, SCH_R_TRIAL_LEGACY_BRANCH);
    /* A renewal stays within the larger of 8 months and that duration. */
    h_add(&h, SCH_FACT_TRIAL_RENEWED, "2023-08-01", 0);
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2023-08-02"), &t), 1);
    assert_date(t.end, "2023-10-31");
    /* The last day before the reform still qualifies; the day of it does not. */
    h_hire(&h, "2023-09-08", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 6);
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2023-09-08"), &t), 1);
    assert_date(t.end, "2024-03-07");
    h_hire(&h, "2023-09-09", SCH_CAT_CADRE, SCH_CONTRACT_PERMANENT, NULL, 6);
    cr_assert_eq(sch_trial_from_facts(&p, h.f, h.n, D("2023-09-09"), &t), 1);
    assert_date(t.end, "2024-01-08");
    cr_assert_eq(t.rule, SCH_R_TRIAL_CADRE);
}
