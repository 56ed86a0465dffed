/*  test_date.c — civil dates as day numbers. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"

/* Day number of a literal known-good date; aborts the test on a typo. */
static int32_t s_d(const char *text)
{
    int32_t d = 0;
    cr_assert_eq(ent_date_parse(text, &d), 0, "bad test literal %s", text);
    return d;
}

static void s_paris(void)
{
    setenv("TZ", "Europe/Paris", 1);
    tzset();
}

/* 2026-03-29T00:30:00Z etc. as Unix milliseconds, independent of TZ. */
static int64_t s_utc_ms(int y, int mo, int d, int h, int mi)
{
    return ((int64_t)ent_date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60) * 1000;
}

Test(date, epoch_and_known_numbers)
{
    cr_assert_eq(ent_date_from_ymd(1970, 1, 1), 0);
    cr_assert_eq(ent_date_from_ymd(1970, 1, 2), 1);
    cr_assert_eq(ent_date_from_ymd(1969, 12, 31), -1);
    cr_assert_eq(ent_date_from_ymd(2000, 3, 1), 11017);
    cr_assert_eq(ent_date_from_ymd(2026, 3, 12), 20524);
    cr_assert_eq(ent_date_from_ymd(1, 1, 1), -719162);
    cr_assert_eq(ent_date_from_ymd(9999, 12, 31), 2932896);
}

Test(date, round_trip_every_day_1900_2100)
{
    int32_t expected = ent_date_from_ymd(1900, 1, 1);
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            int dim = ent_date_days_in_month(y, m);
            for (int d = 1; d <= dim; d++) {
                int32_t n = ent_date_from_ymd(y, m, d);
                /* Consecutive days must get consecutive numbers. */
                cr_assert_eq(n, expected, "%04d-%02d-%02d -> %d, want %d", y, m, d, n, expected);
                int yy, mm, dd;
                ent_date_to_ymd(n, &yy, &mm, &dd);
                cr_assert(yy == y && mm == m && dd == d, "%d -> %04d-%02d-%02d, want %04d-%02d-%02d",
                          n, yy, mm, dd, y, m, d);
                expected++;
            }
        }
    }
    cr_assert_eq(expected, ent_date_from_ymd(2101, 1, 1));
}

Test(date, round_trip_full_range_sampled)
{
    /* Every 7th day over 0001..9999 exercises the 400-year era boundaries. */
    for (int32_t n = ent_date_from_ymd(1, 1, 1); n <= ent_date_from_ymd(9999, 12, 31); n += 7) {
        int y, m, d;
        ent_date_to_ymd(n, &y, &m, &d);
        cr_assert(ent_date_valid(y, m, d), "%d -> %d-%d-%d", n, y, m, d);
        cr_assert_eq(ent_date_from_ymd(y, m, d), n);
    }
}

Test(date, leap_years)
{
    cr_assert_eq(ent_date_days_in_month(1900, 2), 28);
    cr_assert_eq(ent_date_days_in_month(2000, 2), 29);
    cr_assert_eq(ent_date_days_in_month(2024, 2), 29);
    cr_assert_eq(ent_date_days_in_month(2026, 2), 28);
    cr_assert_eq(ent_date_days_in_month(2100, 2), 28);
    cr_assert_not(ent_date_valid(1900, 2, 29));
    cr_assert(ent_date_valid(2000, 2, 29));
    cr_assert(ent_date_valid(2024, 2, 29));
    cr_assert_not(ent_date_valid(2026, 2, 29));
    /* Year lengths through day numbers. */
    cr_assert_eq(ent_date_from_ymd(1901, 1, 1) - ent_date_from_ymd(1900, 1, 1), 365);
    cr_assert_eq(ent_date_from_ymd(2001, 1, 1) - ent_date_from_ymd(2000, 1, 1), 366);
    cr_assert_eq(ent_date_from_ymd(2025, 1, 1) - ent_date_from_ymd(2024, 1, 1), 366);
}

Test(date, days_in_month)
{
    static const int want[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++)
        cr_assert_eq(ent_date_days_in_month(2026, m), want[m - 1], "month %d", m);
}

Test(date, valid)
{
    cr_assert(ent_date_valid(1, 1, 1));
    cr_assert(ent_date_valid(9999, 12, 31));
    cr_assert_not(ent_date_valid(0, 12, 31));
    cr_assert_not(ent_date_valid(10000, 1, 1));
    cr_assert_not(ent_date_valid(2026, 0, 1));
    cr_assert_not(ent_date_valid(2026, 13, 1));
    cr_assert_not(ent_date_valid(2026, 1, 0));
    cr_assert_not(ent_date_valid(2026, 4, 31));
    cr_assert(ent_date_valid(2026, 4, 30));
}

Test(date, parse_and_format)
{
    int32_t d = -5;
    cr_assert_eq(ent_date_parse("2026-03-12", &d), 0);
    cr_assert_eq(d, ent_date_from_ymd(2026, 3, 12));
    cr_assert_eq(ent_date_parse("1970-01-01", &d), 0);
    cr_assert_eq(d, 0);
    cr_assert_eq(ent_date_parse("0001-01-01", &d), 0);
    cr_assert_eq(d, ent_date_from_ymd(1, 1, 1));
    cr_assert_eq(ent_date_parse("9999-12-31", &d), 0);
    cr_assert_eq(d, ent_date_from_ymd(9999, 12, 31));

    char buf[ENT_DATE_STRLEN];
    cr_assert_str_eq(ent_date_format(ent_date_from_ymd(2026, 3, 12), buf), "2026-03-12");
    cr_assert_str_eq(ent_date_format(0, buf), "1970-01-01");
    cr_assert_str_eq(ent_date_format(ent_date_from_ymd(1, 1, 1), buf), "0001-01-01");
    cr_assert_str_eq(ent_date_format(ent_date_from_ymd(9999, 12, 31), buf), "9999-12-31");
    cr_assert_eq(ent_date_format(0, buf), buf);

    memset(buf, 'x', sizeof buf);
    cr_assert_str_eq(ent_date_format(ENT_DATE_NONE, buf), "");
}

Test(date, format_parse_round_trip)
{
    char buf[ENT_DATE_STRLEN];
    for (int32_t n = ent_date_from_ymd(1900, 1, 1); n <= ent_date_from_ymd(2100, 12, 31); n++) {
        int32_t back = ENT_DATE_NONE;
        cr_assert_eq(ent_date_parse(ent_date_format(n, buf), &back), 0, "%s", buf);
        cr_assert_eq(back, n, "%s", buf);
    }
}

Test(date, parse_rejects)
{
    static const char *const bad[] = {
        "",            "2026",         "2026-03",     "2026-03-1",   "2026-03-12 ",
        "2026-03-12x", "2026-03-120",  " 2026-03-12", "2026/03/12",  "2026-3-12",
        "26-03-12",    "2026-02-30",   "2026-02-29",  "1900-02-29",  "2026-13-01",
        "2026-00-10",  "2026-01-00",   "2026-01-32",  "2026-04-31",  "0000-01-01",
        "+026-03-12",  "2026-+3-12",   "2026-03--1",  "2026-0a-12",  "２026-03-12",
        "2026-03-12\n", "12-03-2026",  "20260312",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d = 12345;
        cr_assert_eq(ent_date_parse(bad[i], &d), -1, "accepted \"%s\"", bad[i]);
        cr_assert_eq(d, 12345, "\"%s\" wrote its output", bad[i]);
    }
    int32_t d;
    cr_assert_eq(ent_date_parse(NULL, &d), -1);
}

Test(date, weekday)
{
    cr_assert_eq(ent_date_weekday(0), 4); /* 1970-01-01, Thursday */
    cr_assert_eq(ent_date_weekday(-1), 3);
    cr_assert_eq(ent_date_weekday(-4), 7);
    cr_assert_eq(ent_date_weekday(s_d("2026-03-12")), 4);
    cr_assert_eq(ent_date_weekday(s_d("2026-11-26")), 4);
    cr_assert_eq(ent_date_weekday(s_d("2026-03-16")), 1);
    cr_assert_eq(ent_date_weekday(s_d("2026-03-15")), 7);
    cr_assert_eq(ent_date_weekday(s_d("2026-03-14")), 6);
    cr_assert_eq(ent_date_weekday(s_d("2000-01-01")), 6);
    cr_assert_eq(ent_date_weekday(s_d("1900-01-01")), 1);
    cr_assert_eq(ent_date_weekday(s_d("0001-01-01")), 1);
    /* Consecutive days cycle 1..7. */
    int32_t monday = s_d("2026-03-16");
    for (int i = 0; i < 70; i++)
        cr_assert_eq(ent_date_weekday(monday + i), i % 7 + 1);
}

Test(date, add_months_clamps)
{
    cr_assert_eq(ent_date_add_months(s_d("2026-01-31"), 1), s_d("2026-02-28"));
    cr_assert_eq(ent_date_add_months(s_d("2024-01-31"), 1), s_d("2024-02-29"));
    cr_assert_eq(ent_date_add_months(s_d("2026-01-31"), 2), s_d("2026-03-31"));
    cr_assert_eq(ent_date_add_months(s_d("2026-03-31"), 1), s_d("2026-04-30"));
    cr_assert_eq(ent_date_add_months(s_d("2026-03-12"), 0), s_d("2026-03-12"));
    cr_assert_eq(ent_date_add_months(s_d("2026-03-12"), 6), s_d("2026-09-12"));
    cr_assert_eq(ent_date_add_months(s_d("2026-11-30"), 3), s_d("2027-02-28"));
    cr_assert_eq(ent_date_add_months(s_d("2026-12-15"), 1), s_d("2027-01-15"));
    cr_assert_eq(ent_date_add_months(s_d("2026-03-12"), 24), s_d("2028-03-12"));
}

Test(date, add_months_negative)
{
    cr_assert_eq(ent_date_add_months(s_d("2026-03-31"), -1), s_d("2026-02-28"));
    cr_assert_eq(ent_date_add_months(s_d("2026-01-15"), -1), s_d("2025-12-15"));
    cr_assert_eq(ent_date_add_months(s_d("2026-01-15"), -12), s_d("2025-01-15"));
    cr_assert_eq(ent_date_add_months(s_d("2026-01-15"), -13), s_d("2024-12-15"));
    cr_assert_eq(ent_date_add_months(s_d("2024-05-31"), -3), s_d("2024-02-29"));
    cr_assert_eq(ent_date_add_months(s_d("1970-01-31"), -2), s_d("1969-11-30"));
}

Test(date, add_years)
{
    cr_assert_eq(ent_date_add_years(s_d("2024-02-29"), 1), s_d("2025-02-28"));
    cr_assert_eq(ent_date_add_years(s_d("2024-02-29"), 4), s_d("2028-02-29"));
    cr_assert_eq(ent_date_add_years(s_d("2024-02-29"), -1), s_d("2023-02-28"));
    cr_assert_eq(ent_date_add_years(s_d("2000-02-29"), 100), s_d("2100-02-28"));
    cr_assert_eq(ent_date_add_years(s_d("2026-03-12"), 2), s_d("2028-03-12"));
    cr_assert_eq(ent_date_add_years(s_d("2026-03-12"), -6), s_d("2020-03-12"));
}

Test(date, years_between_birthdays)
{
    int32_t birth = s_d("1980-06-15");
    cr_assert_eq(ent_date_years_between(birth, birth), 0);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-06-14")), 45);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-06-15")), 46);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-06-16")), 46);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-05-31")), 45);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-12-31")), 46);
    cr_assert_eq(ent_date_years_between(birth, s_d("1981-06-14")), 0);
    cr_assert_eq(ent_date_years_between(birth, s_d("1981-06-15")), 1);
}

Test(date, years_between_29_february)
{
    int32_t birth = s_d("2000-02-29");
    /* Leap year: the birthday exists. */
    cr_assert_eq(ent_date_years_between(birth, s_d("2024-02-28")), 23);
    cr_assert_eq(ent_date_years_between(birth, s_d("2024-02-29")), 24);
    /* Common year: the year is complete on 28 February, the clamped
     * anniversary ent_date_add_years gives. */
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-02-27")), 25);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-02-28")), 26);
    cr_assert_eq(ent_date_years_between(birth, s_d("2026-03-01")), 26);
    /* Agrees with ent_date_add_years over many years. */
    for (int n = 0; n < 60; n++) {
        int32_t anniv = ent_date_add_years(birth, n);
        cr_assert_eq(ent_date_years_between(birth, anniv), n, "n=%d", n);
        cr_assert_eq(ent_date_years_between(birth, anniv - 1), n - 1, "n=%d", n);
    }
}

Test(date, from_unix_ms_paris)
{
    s_paris();
    /* 00:30Z on the DST switch day is 01:30 CET, still 29 March. */
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 3, 29, 0, 30)), s_d("2026-03-29"));
    /* 22:30Z in summer is 00:30 CEST the next day. */
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 6, 30, 22, 30)), s_d("2026-07-01"));
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 6, 30, 21, 59)), s_d("2026-06-30"));
    /* Winter: UTC+1. */
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 12, 31, 23, 0)), s_d("2027-01-01"));
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 12, 31, 22, 59)), s_d("2026-12-31"));
    /* Just before the epoch in UTC is already 1970-01-01 in Paris. */
    cr_assert_eq(ent_date_from_unix_ms(-1), 0);
}

Test(date, from_unix_ms_utc)
{
    setenv("TZ", "UTC", 1);
    tzset();
    cr_assert_eq(ent_date_from_unix_ms(0), 0);
    cr_assert_eq(ent_date_from_unix_ms(-1), -1);
    cr_assert_eq(ent_date_from_unix_ms(86399999), 0);
    cr_assert_eq(ent_date_from_unix_ms(86400000), 1);
}

Test(date, to_unix_ms_paris)
{
    s_paris();
    /* Winter midnight is 23:00Z the day before; summer midnight 22:00Z. */
    cr_assert_eq(ent_date_to_unix_ms(s_d("2026-03-29")), s_utc_ms(2026, 3, 28, 23, 0));
    cr_assert_eq(ent_date_to_unix_ms(s_d("2026-03-30")), s_utc_ms(2026, 3, 29, 22, 0));
    cr_assert_eq(ent_date_to_unix_ms(s_d("2026-07-01")), s_utc_ms(2026, 6, 30, 22, 0));
    cr_assert_eq(ent_date_to_unix_ms(s_d("2026-10-25")), s_utc_ms(2026, 10, 24, 22, 0));
    cr_assert_eq(ent_date_to_unix_ms(s_d("2026-10-26")), s_utc_ms(2026, 10, 25, 23, 0));
    /* Round trip through local midnight for two years of days. */
    for (int32_t n = s_d("2025-01-01"); n < s_d("2027-01-01"); n++)
        cr_assert_eq(ent_date_from_unix_ms(ent_date_to_unix_ms(n)), n, "day %d", n);
}
