/*  test_discipline.c — disciplinary deadlines (services/scheduler/discipline.h). */
#include <criterion/criterion.h>

#include <string.h>

#include "common/calendar.h"
#include "common/date.h"
#include "discipline.h"

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

/* The policy of an entity in a region, with a Good Friday setting and a
 * convocation_deadline option (each call its own copy). */
static const sch_policy_t *P(ent_region_t region, ent_good_friday_t gf, sch_convocation_deadline_t cd)
{
    static sch_policy_t pols[16];
    static int next;
    sch_policy_t *p = &pols[next++ & 15];
    sch_policy_defaults(p);
    p->region = (uint8_t)region;
    p->good_friday = (uint8_t)gf;
    p->convocation_deadline = (uint8_t)cd;
    return p;
}

#define MET P(ENT_REGION_METROPOLE, ENT_GOOD_FRIDAY_UNKNOWN, SCH_CONVOCATION_NO_EXTENSION)
#define AM P(ENT_REGION_ALSACE_MOSELLE, ENT_GOOD_FRIDAY_UNKNOWN, SCH_CONVOCATION_NO_EXTENSION)
#define AM_HOLIDAY P(ENT_REGION_ALSACE_MOSELLE, ENT_GOOD_FRIDAY_HOLIDAY, SCH_CONVOCATION_NO_EXTENSION)
#define AM_WORKING P(ENT_REGION_ALSACE_MOSELLE, ENT_GOOD_FRIDAY_WORKING, SCH_CONVOCATION_NO_EXTENSION)
#define MET_NWD P(ENT_REGION_METROPOLE, ENT_GOOD_FRIDAY_UNKNOWN, SCH_CONVOCATION_NEXT_WORKING_DAY)

Test(sanction, thursday_interview_earliest_tuesday)
{
    /* Issue 3: Friday 13 and Saturday 14 are the 2 jours ouvrables; the
     * delay ends on a Saturday and runs to Monday 16; sanction from 17. */
    cr_assert_eq(ent_date_weekday(D("2026-03-12")), 4);
    assert_date(sch_disc_sanction_not_before(MET, D("2026-03-12")), "2026-03-17");
    cr_assert_eq(ent_date_weekday(sch_disc_sanction_not_before(MET, D("2026-03-12"))), 2);
}

Test(sanction, not_before_other_weekdays)
{
    /* Monday: Tue, Wed -> from Thursday. */
    assert_date(sch_disc_sanction_not_before(MET, D("2026-03-09")), "2026-03-12");
    /* Friday: Sat, Mon (Sunday skipped) -> from Tuesday. */
    assert_date(sch_disc_sanction_not_before(MET, D("2026-03-13")), "2026-03-17");
    /* Wednesday: Thu, Fri -> from Saturday (a jour ouvrable). */
    assert_date(sch_disc_sanction_not_before(MET, D("2026-03-11")), "2026-03-14");
}

Test(sanction, not_before_with_regional_holidays)
{
    /* Wednesday 2026-04-01: metropole counts Thu 2 and Fri 3 -> Saturday 4.
     * Alsace-Moselle: Good Friday (04-03) is a holiday, so Thu 2 and Sat 4;
     * the delay ends on a Saturday, runs to Tuesday 7 (Easter Monday 6 is a
     * holiday) -> Wednesday 8. */
    assert_date(sch_disc_sanction_not_before(MET, D("2026-04-01")), "2026-04-04");
    assert_date(sch_disc_sanction_not_before(AM, D("2026-04-01")), "2026-04-08");
    /* Tuesday 2025-12-23: metropole counts Wed 24 and Fri 26 (Christmas
     * skipped) -> Saturday 27; in Alsace-Moselle 26 December is a holiday
     * too, so Wed 24 and Sat 27 -> runs to Monday 29 -> Tuesday 30. */
    assert_date(sch_disc_sanction_not_before(MET, D("2025-12-23")), "2025-12-27");
    assert_date(sch_disc_sanction_not_before(AM, D("2025-12-23")), "2025-12-30");
}

Test(sanction, not_after_one_month_extended)
{
    /* 2026-04-12 is a Sunday -> Monday 13. */
    assert_date(sch_disc_sanction_not_after(MET, D("2026-03-12")), "2026-04-13");
    /* 2026-04-06 is Easter Monday -> Tuesday 7. */
    assert_date(sch_disc_sanction_not_after(MET, D("2026-03-06")), "2026-04-07");
    /* 31 January + 1 month = 28 February 2026, a Saturday -> Monday 2 March. */
    assert_date(sch_disc_sanction_not_after(MET, D("2026-01-31")), "2026-03-02");
    /* A plain weekday stays. */
    assert_date(sch_disc_sanction_not_after(MET, D("2026-03-10")), "2026-04-10");
}

Test(dismissal, interview_after_five_full_jours_ouvrables)
{
    /* Letter presented Monday 2026-03-02: Tue..Sat are the 5 days, the last
     * is a Saturday -> runs to Monday 9 -> interview from Tuesday 10. */
    assert_date(sch_disc_interview_not_before(MET, D("2026-03-02")), "2026-03-10");
    /* Wednesday 2026-04-29: Thu 30, (Fri 1 May holiday), Sat 2, Mon 4,
     * Tue 5, Wed 6 -> interview from Thursday 7. */
    assert_date(sch_disc_interview_not_before(MET, D("2026-04-29")), "2026-05-07");
    /* Thursday 2026-03-05: Fri 6, Sat 7, Mon 9, Tue 10, Wed 11 -> Thursday 12. */
    assert_date(sch_disc_interview_not_before(MET, D("2026-03-05")), "2026-03-12");
    /* Alsace-Moselle, letter Monday 2026-03-30: Tue 31, Wed 1, Thu 2,
     * (Good Friday), Sat 4, (Sun), (Easter Monday), Tue 7 -> Wednesday 8;
     * metropole: Tue..Sat 4 -> runs to Tuesday 7 (Easter Monday) -> Wednesday 8. */
    assert_date(sch_disc_interview_not_before(AM, D("2026-03-30")), "2026-04-08");
    assert_date(sch_disc_interview_not_before(MET, D("2026-03-30")), "2026-04-08");
}

Test(convocation, two_months_not_extended)
{
    /* Issue 18: L1332-4 is a limitation period; no text moves its last day
     * (R1332-3 is about the one-month sanction limit, R1231-1 about
     * dismissal delays), and Code civil art. 2229 ends it on that day. */
    assert_date(sch_disc_convocation_by(MET, D("2026-01-06")), "2026-03-06");
    /* 2026-05-16 is a Saturday: still the last day. */
    assert_date(sch_disc_convocation_by(MET, D("2026-03-16")), "2026-05-16");
    /* 1 May is a holiday (Friday): still the last day. */
    assert_date(sch_disc_convocation_by(MET, D("2026-03-01")), "2026-05-01");
    /* Clamped to the month end: 2025-12-31 + 2 months = 2026-02-28 (Saturday). */
    assert_date(sch_disc_convocation_by(MET, D("2025-12-31")), "2026-02-28");
}

Test(convocation, next_working_day_by_option)
{
    /* The other reading (option convocation_deadline=next_working_day). */
    assert_date(sch_disc_convocation_by(MET_NWD, D("2026-03-16")), "2026-05-18");
    assert_date(sch_disc_convocation_by(MET_NWD, D("2026-03-01")), "2026-05-04");
    assert_date(sch_disc_convocation_by(MET_NWD, D("2025-12-31")), "2026-03-02");
    assert_date(sch_disc_convocation_by(MET_NWD, D("2026-01-06")), "2026-03-06");
}

Test(good_friday, unknown_counts_for_not_before_only)
{
    /* Good Friday 2026-04-03.  Interview Tuesday 2026-03-03: + 1 month is
     * Good Friday.  Where it is a holiday, the limit runs over Saturday,
     * Sunday and Easter Monday to Tuesday 7 April; where it is not, or
     * unknown (a latest date is safe earlier), it stays on the 3rd. */
    assert_date(sch_disc_sanction_not_after(AM_HOLIDAY, D("2026-03-03")), "2026-04-07");
    assert_date(sch_disc_sanction_not_after(AM_WORKING, D("2026-03-03")), "2026-04-03");
    assert_date(sch_disc_sanction_not_after(AM, D("2026-03-03")), "2026-04-03");
    assert_date(sch_disc_sanction_not_after(MET, D("2026-03-03")), "2026-04-03");
    /* Interview Wednesday 2026-04-01: counting Good Friday as a holiday
     * gives Thu 2 and Sat 4 -> runs to Tuesday 7 -> Wednesday 8; as a
     * working day Thu 2 and Fri 3 -> Saturday 4.  Unknown: a later earliest
     * date is safe, so the 8th. */
    assert_date(sch_disc_sanction_not_before(AM_HOLIDAY, D("2026-04-01")), "2026-04-08");
    assert_date(sch_disc_sanction_not_before(AM_WORKING, D("2026-04-01")), "2026-04-04");
    assert_date(sch_disc_sanction_not_before(AM, D("2026-04-01")), "2026-04-08");
    /* The two-month limit extended by option over Good Friday. */
    sch_policy_t p = *AM;
    p.convocation_deadline = SCH_CONVOCATION_NEXT_WORKING_DAY;
    assert_date(sch_disc_convocation_by(&p, D("2026-02-03")), "2026-04-03");
    p.good_friday = ENT_GOOD_FRIDAY_HOLIDAY;
    assert_date(sch_disc_convocation_by(&p, D("2026-02-03")), "2026-04-07");
}

Test(good_friday, note_says_which_way)
{
    char buf[512];
    /* Unknown Good Friday changed sanction_not_after (and not the rest). */
    size_t n = sch_disc_note(AM, ENT_DATE_NONE, ENT_DATE_NONE, D("2026-03-03"), buf, sizeof buf);
    cr_assert_gt(n, 0);
    cr_assert_eq(n, strlen(buf));
    cr_assert_not_null(strstr(buf, "Good Friday 2026-04-03"), "%s", buf);
    cr_assert_not_null(strstr(buf, "as a working day for sanction_not_after"), "%s", buf);
    cr_assert_null(strstr(buf, "as a holiday for"), "%s", buf);
    cr_assert_not_null(strstr(buf, "L3134-13"), "%s", buf);
    n = sch_disc_note(AM, ENT_DATE_NONE, ENT_DATE_NONE, D("2026-04-01"), buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "as a holiday for sanction_not_before"), "%s", buf);
    /* Nothing to say: a known setting, another region, a date far from Easter. */
    cr_assert_eq(sch_disc_note(AM_HOLIDAY, ENT_DATE_NONE, ENT_DATE_NONE, D("2026-03-03"), buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "");
    cr_assert_eq(sch_disc_note(MET, ENT_DATE_NONE, ENT_DATE_NONE, D("2026-03-03"), buf, sizeof buf), 0);
    cr_assert_eq(sch_disc_note(AM, D("2026-06-01"), D("2026-06-01"), D("2026-06-01"), buf, sizeof buf), 0);
    /* snprintf contract */
    size_t full = sch_disc_note(AM, ENT_DATE_NONE, ENT_DATE_NONE, D("2026-03-03"), NULL, 0);
    cr_assert_gt(full, 20);
    char small[8];
    cr_assert_eq(sch_disc_note(AM, ENT_DATE_NONE, ENT_DATE_NONE, D("2026-03-03"), small, sizeof small), full);
    cr_assert_eq(strlen(small), sizeof small - 1);
}

Test(discipline, invalid_input)
{
    cr_assert_eq(sch_disc_convocation_by(MET, ENT_DATE_NONE), ENT_DATE_NONE);
    cr_assert_eq(sch_disc_convocation_by(NULL, D("2026-03-02")), ENT_DATE_NONE);
    sch_policy_t bad = *MET;
    bad.region = ENT_REGION_COUNT;
    cr_assert_eq(sch_disc_interview_not_before(&bad, D("2026-03-02")), ENT_DATE_NONE);
    bad = *MET;
    bad.good_friday = ENT_GOOD_FRIDAY_COUNT;
    cr_assert_eq(sch_disc_sanction_not_before(&bad, D("2026-03-02")), ENT_DATE_NONE);
    cr_assert_eq(sch_disc_sanction_not_after(MET, ENT_DATE_NONE), ENT_DATE_NONE);
    cr_assert_eq(sch_disc_note(NULL, D("2026-03-02"), ENT_DATE_NONE, ENT_DATE_NONE, NULL, 0), 0);
}
