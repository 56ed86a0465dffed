/*  test_discipline.c — disciplinary deadlines (services/scheduler/discipline.h). */
#include <criterion/criterion.h>

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

#define MET ENT_REGION_METROPOLE
#define AM ENT_REGION_ALSACE_MOSELLE

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

Test(convocation, within_two_months_of_knowledge)
{
    assert_date(sch_disc_convocation_by(MET, D("2026-01-06")), "2026-03-06");
    /* 2026-05-16 is a Saturday -> Monday 18. */
    assert_date(sch_disc_convocation_by(MET, D("2026-03-16")), "2026-05-18");
    /* 1 May is a holiday (Friday) -> Monday 4. */
    assert_date(sch_disc_convocation_by(MET, D("2026-03-01")), "2026-05-04");
    /* Clamped to the month end: 2025-12-31 + 2 months = 2026-02-28 (Saturday). */
    assert_date(sch_disc_convocation_by(MET, D("2025-12-31")), "2026-03-02");
}

Test(discipline, invalid_input)
{
    cr_assert_eq(sch_disc_convocation_by(MET, ENT_DATE_NONE), ENT_DATE_NONE);
    cr_assert_eq(sch_disc_interview_not_before(ENT_REGION_COUNT, D("2026-03-02")), ENT_DATE_NONE);
    cr_assert_eq(sch_disc_sanction_not_before((ent_region_t)-1, D("2026-03-02")), ENT_DATE_NONE);
    cr_assert_eq(sch_disc_sanction_not_after(MET, ENT_DATE_NONE), ENT_DATE_NONE);
}
