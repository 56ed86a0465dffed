/*  test_calendar.c — French public holidays and business days. */
#include <criterion/criterion.h>

#include <stddef.h>

#include "common/calendar.h"
#include "common/date.h"

static int32_t s_d(const char *text)
{
    int32_t d = 0;
    cr_assert_eq(ent_date_parse(text, &d), 0, "bad test literal %s", text);
    return d;
}

static bool s_contains(const int32_t *days, int n, int32_t d)
{
    for (int i = 0; i < n; i++)
        if (days[i] == d)
            return true;
    return false;
}

Test(calendar, easter)
{
    static const struct {
        int year;
        const char *date;
    } cases[] = {
        {2024, "2024-03-31"}, {2025, "2025-04-20"}, {2026, "2026-04-05"},
        {2027, "2027-03-28"}, {2038, "2038-04-25"}, {2285, "2285-03-22"},
        {2000, "2000-04-23"}, {2008, "2008-03-23"}, {2011, "2011-04-24"},
        {1818, "1818-03-22"}, {1943, "1943-04-25"}, {2019, "2019-04-21"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[ENT_DATE_STRLEN];
        ent_date_format(ent_calendar_easter(cases[i].year), got);
        cr_assert_str_eq(got, cases[i].date, "Easter %d", cases[i].year);
    }
}

Test(calendar, easter_is_a_sunday_in_range)
{
    for (int y = 1583; y <= 4099; y++) {
        int32_t e = ent_calendar_easter(y);
        cr_assert_eq(ent_date_weekday(e), 7, "Easter %d", y);
        cr_assert(e >= ent_date_from_ymd(y, 3, 22) && e <= ent_date_from_ymd(y, 4, 25), "Easter %d", y);
    }
}

Test(calendar, metropole_2026)
{
    static const char *const want[] = {
        "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
        "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
    };
    int32_t got[16];
    int n = ent_calendar_holidays(ENT_REGION_METROPOLE, 2026, got, 16);
    cr_assert_eq(n, 11);
    for (int i = 0; i < n; i++) {
        char buf[ENT_DATE_STRLEN];
        cr_assert_str_eq(ent_date_format(got[i], buf), want[i], "holiday %d", i);
        cr_assert(ent_calendar_is_holiday(ENT_REGION_METROPOLE, got[i]), "%s", want[i]);
    }
    cr_assert_not(s_contains(got, n, s_d("2026-04-03")));
    cr_assert_not(s_contains(got, n, s_d("2026-12-26")));
    cr_assert_not(ent_calendar_is_holiday(ENT_REGION_METROPOLE, s_d("2026-04-03")));
    cr_assert_not(ent_calendar_is_holiday(ENT_REGION_METROPOLE, s_d("2026-12-26")));
    cr_assert_not(ent_calendar_is_holiday(ENT_REGION_METROPOLE, s_d("2026-04-05")));
}

Test(calendar, is_holiday_matches_list_every_region)
{
    /* Every day of several years: is_holiday agrees with the list. */
    for (int r = 0; r < ENT_REGION_COUNT; r++) {
        for (int y = 2024; y <= 2030; y++) {
            int32_t days[16];
            int n = ent_calendar_holidays((ent_region_t)r, y, days, 16);
            int seen = 0;
            for (int32_t d = ent_date_from_ymd(y, 1, 1); d <= ent_date_from_ymd(y, 12, 31); d++) {
                bool h = ent_calendar_is_holiday((ent_region_t)r, d);
                cr_assert_eq(h, s_contains(days, n, d), "region %d day %d", r, d);
                seen += h;
            }
            cr_assert_eq(seen, n, "region %d year %d", r, y);
        }
    }
}

Test(calendar, alsace_moselle_2026)
{
    int32_t got[16];
    int n = ent_calendar_holidays(ENT_REGION_ALSACE_MOSELLE, 2026, got, 16);
    cr_assert_eq(n, 13);
    cr_assert(s_contains(got, n, s_d("2026-04-03")));
    cr_assert(s_contains(got, n, s_d("2026-12-26")));
    cr_assert(ent_calendar_is_holiday(ENT_REGION_ALSACE_MOSELLE, s_d("2026-04-03")));
    cr_assert(ent_calendar_is_holiday(ENT_REGION_ALSACE_MOSELLE, s_d("2026-12-26")));
    cr_assert(ent_calendar_is_holiday(ENT_REGION_ALSACE_MOSELLE, s_d("2026-05-25")));
    for (int i = 1; i < n; i++)
        cr_assert_lt(got[i - 1], got[i], "not sorted at %d", i);
}

Test(calendar, overseas_abolition_days)
{
    static const struct {
        ent_region_t region;
        const char *day;
    } cases[] = {
        {ENT_REGION_GUADELOUPE, "2026-05-27"}, {ENT_REGION_MARTINIQUE, "2026-05-22"},
        {ENT_REGION_GUYANE, "2026-06-10"},     {ENT_REGION_REUNION, "2026-12-20"},
        {ENT_REGION_MAYOTTE, "2026-04-27"},
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < ncases; i++) {
        int32_t got[16];
        int n = ent_calendar_holidays(cases[i].region, 2026, got, 16);
        cr_assert_eq(n, 12, "%s", ent_region_name(cases[i].region));
        for (int j = 1; j < n; j++)
            cr_assert_lt(got[j - 1], got[j]);
        /* Each region has its own day and none of the others'. */
        for (size_t k = 0; k < ncases; k++) {
            int32_t d = s_d(cases[k].day);
            bool want = k == i;
            cr_assert_eq(s_contains(got, n, d), want, "%s / %s", ent_region_name(cases[i].region),
                         cases[k].day);
            cr_assert_eq(ent_calendar_is_holiday(cases[i].region, d), want, "%s / %s",
                         ent_region_name(cases[i].region), cases[k].day);
        }
        cr_assert_not(ent_calendar_is_holiday(ENT_REGION_METROPOLE, s_d(cases[i].day)));
        cr_assert_not(ent_calendar_is_holiday(cases[i].region, s_d("2026-04-03")));
        cr_assert_not(ent_calendar_is_holiday(cases[i].region, s_d("2026-12-26")));
    }
}

Test(calendar, coinciding_holidays_counted_once)
{
    /* 2008: Easter 23 March, Ascension on 1 May. */
    int32_t got[16];
    int n = ent_calendar_holidays(ENT_REGION_METROPOLE, 2008, got, 16);
    cr_assert_eq(n, 10);
    cr_assert(s_contains(got, n, s_d("2008-05-01")));
    cr_assert(s_contains(got, n, s_d("2008-05-12")));
    for (int i = 1; i < n; i++)
        cr_assert_lt(got[i - 1], got[i]);
}

Test(calendar, holidays_small_buffer)
{
    int32_t got[4] = {0, 0, 0, -7};
    int n = ent_calendar_holidays(ENT_REGION_METROPOLE, 2026, got, 3);
    cr_assert_eq(n, 11);
    cr_assert_eq(got[0], s_d("2026-01-01"));
    cr_assert_eq(got[2], s_d("2026-05-01"));
    cr_assert_eq(got[3], -7, "wrote past max");
}

Test(calendar, ouvrable_ouvre_week_with_holiday)
{
    /* Week of Ascension 2026: Mon 11 May .. Sun 17 May, Thursday 14 off. */
    static const struct {
        const char *day;
        bool ouvrable, ouvre;
    } week[] = {
        {"2026-05-11", true, true},   {"2026-05-12", true, true},   {"2026-05-13", true, true},
        {"2026-05-14", false, false}, {"2026-05-15", true, true},   {"2026-05-16", true, false},
        {"2026-05-17", false, false},
    };
    for (size_t i = 0; i < sizeof week / sizeof week[0]; i++) {
        int32_t d = s_d(week[i].day);
        cr_assert_eq(ent_calendar_is_ouvrable(ENT_REGION_METROPOLE, d), week[i].ouvrable, "%s", week[i].day);
        cr_assert_eq(ent_calendar_is_ouvre(ENT_REGION_METROPOLE, d), week[i].ouvre, "%s", week[i].day);
    }
}

Test(calendar, ouvrable_regional_holiday)
{
    /* Good Friday 2026 is worked except in Alsace-Moselle. */
    int32_t gf = s_d("2026-04-03");
    cr_assert(ent_calendar_is_ouvre(ENT_REGION_METROPOLE, gf));
    cr_assert(ent_calendar_is_ouvrable(ENT_REGION_METROPOLE, gf));
    cr_assert_not(ent_calendar_is_ouvre(ENT_REGION_ALSACE_MOSELLE, gf));
    cr_assert_not(ent_calendar_is_ouvrable(ENT_REGION_ALSACE_MOSELLE, gf));
}

Test(calendar, extend_deadline)
{
    const ent_region_t m = ENT_REGION_METROPOLE;
    /* A working day stays put. */
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-03-12")), s_d("2026-03-12"));
    /* Saturday and Sunday go to Monday. */
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-03-14")), s_d("2026-03-16"));
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-03-15")), s_d("2026-03-16"));
    /* Saturday before Easter Monday goes to Tuesday. */
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-04-04")), s_d("2026-04-07"));
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-04-06")), s_d("2026-04-07"));
    /* Holiday on a weekday goes to the next day. */
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-05-14")), s_d("2026-05-15"));
    /* Alsace-Moselle: Good Friday 2026 -> Tuesday after Easter Monday. */
    cr_assert_eq(ent_calendar_extend_deadline(ENT_REGION_ALSACE_MOSELLE, s_d("2026-04-03")), s_d("2026-04-07"));
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-04-03")), s_d("2026-04-03"));
    /* Christmas 2026 (Friday): Monday 28 in metropole; 26 is a Saturday anyway. */
    cr_assert_eq(ent_calendar_extend_deadline(m, s_d("2026-12-25")), s_d("2026-12-28"));
}

Test(calendar, add_ouvrables)
{
    ent_region_t m = ENT_REGION_METROPOLE;
    int32_t thu = s_d("2026-03-12");
    cr_assert_eq(ent_calendar_add_ouvrables(m, thu, 0), thu);
    cr_assert_eq(ent_calendar_add_ouvrables(m, thu, 1), s_d("2026-03-13"));
    cr_assert_eq(ent_calendar_add_ouvrables(m, thu, 2), s_d("2026-03-14"));
    cr_assert_eq(ent_calendar_add_ouvrables(m, thu, 3), s_d("2026-03-16"));
    /* From a Saturday: Sunday and Easter Monday skipped. */
    cr_assert_eq(ent_calendar_add_ouvrables(m, s_d("2026-04-04"), 1), s_d("2026-04-07"));
    /* Sunday start: date itself not counted. */
    cr_assert_eq(ent_calendar_add_ouvrables(m, s_d("2026-03-15"), 1), s_d("2026-03-16"));
    /* A week of ouvrables (6) from a Monday lands on the next Monday. */
    cr_assert_eq(ent_calendar_add_ouvrables(m, s_d("2026-03-16"), 6), s_d("2026-03-23"));
}

Test(calendar, add_ouvres)
{
    ent_region_t m = ENT_REGION_METROPOLE;
    int32_t thu = s_d("2026-03-12");
    cr_assert_eq(ent_calendar_add_ouvres(m, thu, 0), thu);
    cr_assert_eq(ent_calendar_add_ouvres(m, thu, 1), s_d("2026-03-13"));
    cr_assert_eq(ent_calendar_add_ouvres(m, thu, 2), s_d("2026-03-16"));
    cr_assert_eq(ent_calendar_add_ouvres(m, thu, 5), s_d("2026-03-19"));
    /* Ascension week: Wed 13 May + 1 skips Thursday 14. */
    cr_assert_eq(ent_calendar_add_ouvres(m, s_d("2026-05-13"), 1), s_d("2026-05-15"));
    /* Alsace-Moselle: Thursday 2 April 2026 + 1 skips Good Friday and Easter Monday. */
    cr_assert_eq(ent_calendar_add_ouvres(ENT_REGION_ALSACE_MOSELLE, s_d("2026-04-02"), 1), s_d("2026-04-07"));
    cr_assert_eq(ent_calendar_add_ouvres(m, s_d("2026-04-02"), 1), s_d("2026-04-03"));
}

Test(calendar, region_names)
{
    static const char *const names[ENT_REGION_COUNT] = {
        "metropole", "alsace_moselle", "guadeloupe", "martinique", "guyane", "reunion", "mayotte",
    };
    for (int r = 0; r < ENT_REGION_COUNT; r++) {
        cr_assert_str_eq(ent_region_name((ent_region_t)r), names[r]);
        ent_region_t got = ENT_REGION_COUNT;
        cr_assert_eq(ent_region_parse(names[r], &got), 0, "%s", names[r]);
        cr_assert_eq(got, (ent_region_t)r);
    }
    static const char *const bad[] = {
        "", "Metropole", "metropole ", "alsace-moselle", "la_reunion", "réunion", "corse", "france",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ent_region_t got = ENT_REGION_MAYOTTE;
        cr_assert_eq(ent_region_parse(bad[i], &got), -1, "accepted \"%s\"", bad[i]);
        cr_assert_eq(got, ENT_REGION_MAYOTTE);
    }
    ent_region_t got;
    cr_assert_eq(ent_region_parse(NULL, &got), -1);
    cr_assert_not_null(ent_region_name(ENT_REGION_COUNT));
}

/* Issue 18: Good Friday is a holiday in Alsace-Moselle only in communes
 * with a Protestant temple or a mixed church (L3134-13). */
Test(calendar, good_friday_decided_by_the_caller)
{
    int32_t gf = s_d("2026-04-03");
    cr_assert(ent_calendar_is_holiday(ENT_REGION_ALSACE_MOSELLE, gf)); /* department-wide */
    cr_assert(ent_calendar_is_holiday_gf(ENT_REGION_ALSACE_MOSELLE, true, gf));
    cr_assert_not(ent_calendar_is_holiday_gf(ENT_REGION_ALSACE_MOSELLE, false, gf));
    cr_assert_not(ent_calendar_is_holiday_gf(ENT_REGION_METROPOLE, true, gf));
    /* The other Alsace-Moselle holiday does not depend on it. */
    cr_assert(ent_calendar_is_holiday_gf(ENT_REGION_ALSACE_MOSELLE, false, s_d("2026-12-26")));
    cr_assert(ent_calendar_is_ouvre_gf(ENT_REGION_ALSACE_MOSELLE, false, gf));
    cr_assert_not(ent_calendar_is_ouvre_gf(ENT_REGION_ALSACE_MOSELLE, true, gf));
    cr_assert_eq(ent_calendar_extend_deadline_gf(ENT_REGION_ALSACE_MOSELLE, false, gf), gf);
    cr_assert_eq(ent_calendar_extend_deadline_gf(ENT_REGION_ALSACE_MOSELLE, true, gf), s_d("2026-04-07"));
    /* Thursday 2026-04-02 + 1 jour ouvrable: Friday, or Saturday. */
    cr_assert_eq(ent_calendar_add_ouvrables_gf(ENT_REGION_ALSACE_MOSELLE, false, s_d("2026-04-02"), 1), gf);
    cr_assert_eq(ent_calendar_add_ouvrables_gf(ENT_REGION_ALSACE_MOSELLE, true, s_d("2026-04-02"), 1),
                 s_d("2026-04-04"));
    ent_good_friday_t v;
    cr_assert_eq(ent_good_friday_parse("holiday", &v), 0);
    cr_assert_eq(v, ENT_GOOD_FRIDAY_HOLIDAY);
    cr_assert_eq(ent_good_friday_parse("working", &v), 0);
    cr_assert_eq(v, ENT_GOOD_FRIDAY_WORKING);
    cr_assert_eq(ent_good_friday_parse("", &v), 0);
    cr_assert_eq(v, ENT_GOOD_FRIDAY_UNKNOWN);
    cr_assert_eq(ent_good_friday_parse("sometimes", &v), -1);
    cr_assert_eq(ent_good_friday_parse(NULL, &v), -1);
    cr_assert_str_eq(ent_good_friday_name(ENT_GOOD_FRIDAY_UNKNOWN), "unknown");
    cr_assert_str_eq(ent_good_friday_name(ENT_GOOD_FRIDAY_COUNT), "unknown");
}
