/*  test_clock.c — the pinnable business clock (common/clock.h).
 *
 *  Criterion runs every test in its own process, so the clock's
 *  process-wide state starts real in each test. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/date.h"

static void s_paris(void)
{
    setenv("TZ", "Europe/Paris", 1);
    tzset();
}

/* Unix ms of a UTC date-time, computed without the code under test's
 * parser (and independent of TZ). */
static int64_t s_utc_ms(int y, int mo, int d, int h, int mi, int s, int ms)
{
    return ((int64_t) ent_date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000 + ms;
}

static int64_t s_parse_ok(const char *text)
{
    int64_t ms = INT64_MIN;
    cr_assert_eq(ent_clock_parse(text, &ms), 0, "\"%s\" refused", text);
    return ms;
}

Test(clock, parse_date_is_local_midnight, .init = s_paris)
{
    /* 2026-03-15 00:00 CET (UTC+1) = 2026-03-14T23:00:00Z */
    cr_assert_eq(s_parse_ok("2026-03-15"), INT64_C(1773529200000));
    cr_assert_eq(s_parse_ok("2026-03-15"), s_utc_ms(2026, 3, 14, 23, 0, 0, 0));
    /* summer: 2026-07-01 00:00 CEST (UTC+2) = 2026-06-30T22:00:00Z */
    cr_assert_eq(s_parse_ok("2026-07-01"), s_utc_ms(2026, 6, 30, 22, 0, 0, 0));
}

Test(clock, parse_date_follows_the_time_zone)
{
    setenv("TZ", "UTC", 1);
    tzset();
    cr_assert_eq(s_parse_ok("2026-03-15"), s_utc_ms(2026, 3, 15, 0, 0, 0, 0));
    setenv("TZ", "America/New_York", 1);
    tzset();
    /* EDT (UTC-4) since 2026-03-08 */
    cr_assert_eq(s_parse_ok("2026-03-15"), s_utc_ms(2026, 3, 15, 4, 0, 0, 0));
}

Test(clock, parse_utc_forms, .init = s_paris)
{
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00Z"), INT64_C(1773567000000));
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00Z"), s_utc_ms(2026, 3, 15, 9, 30, 0, 0));
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00.250Z"), INT64_C(1773567000250));
    cr_assert_eq(s_parse_ok("2026-03-15T09:30Z"), INT64_C(1773567000000), "seconds are optional");
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:07Z"), INT64_C(1773567007000));
    /* a fraction of fewer than three digits is tenths / hundredths */
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00.5Z"), INT64_C(1773567000500));
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00.05Z"), INT64_C(1773567000050));
}

Test(clock, parse_offsets_equal_the_utc_form, .init = s_paris)
{
    int64_t z = s_parse_ok("2026-03-15T09:30:00Z");
    cr_assert_eq(s_parse_ok("2026-03-15T10:30:00+01:00"), z);
    cr_assert_eq(s_parse_ok("2026-03-15T05:00:00-04:30"), z);
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00+00:00"), z);
    cr_assert_eq(s_parse_ok("2026-03-15T10:30:00.250+01:00"), z + 250);
    /* an offset may move the instant to another UTC day */
    cr_assert_eq(s_parse_ok("2026-03-16T00:30:00+02:00"), s_utc_ms(2026, 3, 15, 22, 30, 0, 0));
    cr_assert_eq(s_parse_ok("2026-03-14T23:00:00-10:00"), s_utc_ms(2026, 3, 15, 9, 0, 0, 0));
}

Test(clock, parse_offset_is_independent_of_tz)
{
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    cr_assert_eq(s_parse_ok("2026-03-15T10:30:00+01:00"), INT64_C(1773567000000));
    cr_assert_eq(s_parse_ok("2026-03-15T09:30:00Z"), INT64_C(1773567000000));
}

Test(clock, parse_local_date_time, .init = s_paris)
{
    /* 2026-07-01 00:30 CEST (UTC+2) = 2026-06-30T22:30:00Z */
    cr_assert_eq(s_parse_ok("2026-07-01T00:30"), INT64_C(1782858600000));
    cr_assert_eq(s_parse_ok("2026-07-01T00:30"), s_utc_ms(2026, 6, 30, 22, 30, 0, 0));
    /* winter: UTC+1 */
    cr_assert_eq(s_parse_ok("2026-03-15T10:30:00"), s_parse_ok("2026-03-15T09:30:00Z"));
    cr_assert_eq(s_parse_ok("2026-03-15T10:30:00.125"), s_parse_ok("2026-03-15T09:30:00.125Z"));
    /* the local forms are consistent with the date form */
    cr_assert_eq(s_parse_ok("2026-07-01T00:00"), s_parse_ok("2026-07-01"));
}

Test(clock, parse_rejects_malformed, .init = s_paris)
{
    const char *bad[] = {
        "2026-13-01",                /* month 13 */
        "2026-02-30",                /* impossible day */
        "2026-03-15T25:00Z",         /* hour 25 */
        "2026-03-15T09:60Z",         /* minute 60 */
        "2026-03-15X",               /* junk after the date */
        "2026-03-15T",               /* no time */
        "2026-03-15T9:30Z",          /* one-digit hour */
        "2026-03-15T09:30:00+0100",  /* offset without colon */
        "2026-03-15T09:30:00+01",    /* truncated offset */
        "2026-03-15T09:30:00.Z",     /* empty fraction */
        "2026-03-15T09:30:00Zjunk",  /* junk after Z */
        "2026-03-15T09:30:00+01:00x",/* junk after the offset */
        "2026-03-15T09:30:0Z",       /* one-digit seconds */
        "",
        "2026-3-15",
        "15/03/2026",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 0;
        cr_assert_eq(ent_clock_parse(bad[i], &ms), -1, "\"%s\" accepted", bad[i]);
    }
}

Test(clock, init_null_is_the_real_clock)
{
    cr_assert_eq(ent_clock_init(NULL), 0);
    cr_assert_not(ent_clock_pinned());
    /* compare with the same clock (time() may read a coarser one that lags
     * by a tick, which made this flaky at second boundaries) */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t before = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t now = ent_clock_now_ms();
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t after = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    cr_assert_geq(now, before);
    cr_assert_leq(now, after);
    /* moving a real clock is refused, and the clock stays real */
    cr_assert_eq(ent_clock_set(INT64_C(1773567000000)), -1);
    cr_assert_not(ent_clock_pinned());
    cr_assert_geq(ent_clock_now_ms(), before, "set must not have moved the real clock");
}

Test(clock, init_empty_is_the_real_clock)
{
    cr_assert_eq(ent_clock_init(""), 0);
    cr_assert_not(ent_clock_pinned());
    int64_t diff = ent_clock_now_ms() - (int64_t) time(NULL) * 1000;
    cr_assert(diff > -2000 && diff < 2000, "real clock off by %lld ms", (long long) diff);
    cr_assert_eq(ent_clock_set(0), -1);
}

Test(clock, real_clock_today_is_local_today, .init = s_paris)
{
    cr_assert_eq(ent_clock_init(NULL), 0);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    int32_t expected = ent_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    int32_t today = ent_clock_today();
    /* tolerate a midnight crossing between the two reads */
    cr_assert(today == expected || today == expected + 1, "today %d, expected %d", today, expected);
}

Test(clock, pinned_date, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-03-15"), 0);
    cr_assert(ent_clock_pinned());
    cr_assert_eq(ent_clock_now_ms(), INT64_C(1773529200000));
    cr_assert_eq(ent_clock_today(), ent_date_from_ymd(2026, 3, 15));
    /* it stands still */
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    cr_assert_eq(ent_clock_now_ms(), INT64_C(1773529200000));
}

Test(clock, pinned_date_time, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-03-15T09:30:00.250Z"), 0);
    cr_assert(ent_clock_pinned());
    cr_assert_eq(ent_clock_now_ms(), INT64_C(1773567000250));
    cr_assert_eq(ent_clock_today(), ent_date_from_ymd(2026, 3, 15));
}

Test(clock, today_is_the_local_date, .init = s_paris)
{
    /* 23:30 UTC is already the next day in Paris */
    cr_assert_eq(ent_clock_init("2026-03-15T23:30:00Z"), 0);
    cr_assert_eq(ent_clock_today(), ent_date_from_ymd(2026, 3, 16));
    /* and 22:59 UTC is still the same day (UTC+1 in March) */
    cr_assert_eq(ent_clock_set(s_utc_ms(2026, 3, 15, 22, 59, 59, 999)), 0);
    cr_assert_eq(ent_clock_today(), ent_date_from_ymd(2026, 3, 15));
}

Test(clock, set_moves_a_pinned_clock_both_ways, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-03-15"), 0);
    int64_t start = ent_clock_now_ms();

    int64_t later = start + INT64_C(45) * 86400 * 1000; /* +45 days */
    cr_assert_eq(ent_clock_set(later), 0);
    cr_assert(ent_clock_pinned());
    cr_assert_eq(ent_clock_now_ms(), later);
    cr_assert_eq(ent_clock_today(), ent_date_from_ymd(2026, 4, 29));

    int64_t earlier = s_parse_ok("2025-12-31T12:00:00Z");
    cr_assert_eq(ent_clock_set(earlier), 0, "moving backwards is allowed");
    cr_assert_eq(ent_clock_now_ms(), earlier);
    cr_assert_eq(ent_clock_today(), ent_date_from_ymd(2025, 12, 31));
}

Test(clock, malformed_init_leaves_the_clock_real, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-13-01"), -1);
    cr_assert_not(ent_clock_pinned());
    int64_t diff = ent_clock_now_ms() - (int64_t) time(NULL) * 1000;
    cr_assert(diff > -2000 && diff < 2000, "clock not real: off by %lld ms", (long long) diff);
    cr_assert_eq(ent_clock_set(0), -1);
}

Test(clock, malformed_init_unpins_a_pinned_clock, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-03-15"), 0);
    cr_assert(ent_clock_pinned());
    cr_assert_eq(ent_clock_init("yesterday"), -1);
    cr_assert_not(ent_clock_pinned(), "a malformed value must leave the clock real");
    cr_assert_neq(ent_clock_now_ms(), INT64_C(1773529200000));
    cr_assert_eq(ent_clock_set(0), -1);
}

Test(clock, init_null_unpins, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-03-15"), 0);
    cr_assert_eq(ent_clock_init(NULL), 0);
    cr_assert_not(ent_clock_pinned());
    cr_assert_eq(ent_clock_set(0), -1);
}

/* --- each region's "today" (ent_clock_today_in / ent_clock_today_all) --- */

static int32_t D(int y, int m, int d)
{
    return ent_date_from_ymd(y, m, d);
}

/* Pins the instant (UTC) and checks every region's date against want[]
 * (metropole, alsace_moselle, guadeloupe, martinique, guyane, reunion,
 * mayotte). */
static void s_expect_days(int64_t at, const int32_t want[ENT_REGION_COUNT])
{
    cr_assert_eq(ent_clock_set(at), 0);
    ent_today_t all;
    ent_clock_today_all(&all);
    for (int r = 0; r < ENT_REGION_COUNT; r++) {
        cr_expect_eq(ent_clock_today_in((ent_region_t) r), want[r], "%s at %lld: %d, want %d",
                     ent_region_name((ent_region_t) r), (long long) at, ent_clock_today_in((ent_region_t) r), want[r]);
        cr_expect_eq(all.day[r], want[r], "today_all disagrees for %s", ent_region_name((ent_region_t) r));
    }
}

Test(clock_regions, around_midnight_utc, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-12-05T12:00:00Z"), 0);
    cr_assert_not(ent_clock_whole_day(), "a date-time pins an instant");
    int32_t d5 = D(2026, 12, 5), d6 = D(2026, 12, 6);
    /* 20:00 UTC: La Réunion (UTC+4) turns to the 6th, Mayotte (UTC+3) not yet */
    s_expect_days(s_utc_ms(2026, 12, 5, 19, 59, 59, 999), (int32_t[]) { d5, d5, d5, d5, d5, d5, d5 });
    s_expect_days(s_utc_ms(2026, 12, 5, 20, 0, 0, 0), (int32_t[]) { d5, d5, d5, d5, d5, d6, d5 });
    /* 21:00 UTC: Mayotte too */
    s_expect_days(s_utc_ms(2026, 12, 5, 21, 0, 0, 0), (int32_t[]) { d5, d5, d5, d5, d5, d6, d6 });
    /* 21:30 UTC: Paris (22:30 CET) is still on the 5th */
    s_expect_days(s_utc_ms(2026, 12, 5, 21, 30, 0, 0), (int32_t[]) { d5, d5, d5, d5, d5, d6, d6 });
    /* midnight UTC: the Antilles and Guyane still on the 5th, Paris on the 6th since 23:00 UTC */
    s_expect_days(s_utc_ms(2026, 12, 6, 0, 0, 0, 0), (int32_t[]) { d6, d6, d5, d5, d5, d6, d6 });
    /* 03:00 UTC: Guyane (UTC-3) turns */
    s_expect_days(s_utc_ms(2026, 12, 6, 2, 59, 59, 999), (int32_t[]) { d6, d6, d5, d5, d5, d6, d6 });
    s_expect_days(s_utc_ms(2026, 12, 6, 3, 0, 0, 0), (int32_t[]) { d6, d6, d5, d5, d6, d6, d6 });
    /* 03:30 UTC: Guadeloupe (23:30) is still on the 5th; 04:00 UTC: the Antilles turn */
    s_expect_days(s_utc_ms(2026, 12, 6, 3, 30, 0, 0), (int32_t[]) { d6, d6, d5, d5, d6, d6, d6 });
    s_expect_days(s_utc_ms(2026, 12, 6, 4, 0, 0, 0), (int32_t[]) { d6, d6, d6, d6, d6, d6, d6 });
}

Test(clock_regions, around_paris_midnight_both_directions, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-12-05T12:00:00Z"), 0);
    int32_t d4 = D(2026, 12, 4), d5 = D(2026, 12, 5);
    /* 23:59:59 CET = 22:59:59 UTC: Paris on the 4th, the Indian Ocean already on the 5th */
    s_expect_days(s_utc_ms(2026, 12, 4, 22, 59, 59, 999), (int32_t[]) { d4, d4, d4, d4, d4, d5, d5 });
    /* 00:00 CET: Paris turns; the Antilles (19:00) and Guyane (20:00) are still on the 4th */
    s_expect_days(s_utc_ms(2026, 12, 4, 23, 0, 0, 0), (int32_t[]) { d5, d5, d4, d4, d4, d5, d5 });
    /* 01:00 in Paris on the 5th: an Antilles obligation due the 4th is not late there (20:00) */
    cr_assert_eq(ent_clock_set(s_parse_ok("2026-12-05T01:00:00+01:00")), 0);
    cr_expect_eq(ent_clock_today_in(ENT_REGION_METROPOLE), d5);
    cr_expect_eq(ent_clock_today_in(ENT_REGION_MARTINIQUE), d4);
}

Test(clock_regions, paris_summer_time, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-07-01T12:00:00Z"), 0);
    int32_t j1 = D(2026, 7, 1), j2 = D(2026, 7, 2);
    /* CEST (UTC+2): Paris turns at 22:00 UTC in summer, not 23:00 */
    s_expect_days(s_utc_ms(2026, 7, 1, 21, 59, 59, 999), (int32_t[]) { j1, j1, j1, j1, j1, j2, j2 });
    s_expect_days(s_utc_ms(2026, 7, 1, 22, 0, 0, 0), (int32_t[]) { j2, j2, j1, j1, j1, j2, j2 });
    /* the night the clocks go forward (29 March 2026, 01:00 UTC): midnight
     * is still 23:00 UTC the evening before, and the overseas regions,
     * which keep no summer time, do not move */
    int32_t m28 = D(2026, 3, 28), m29 = D(2026, 3, 29);
    s_expect_days(s_utc_ms(2026, 3, 28, 22, 59, 0, 0), (int32_t[]) { m28, m28, m28, m28, m28, m29, m29 });
    s_expect_days(s_utc_ms(2026, 3, 28, 23, 0, 0, 0), (int32_t[]) { m29, m29, m28, m28, m28, m29, m29 });
    s_expect_days(s_utc_ms(2026, 3, 29, 22, 0, 0, 0), (int32_t[]) { D(2026, 3, 30), D(2026, 3, 30), m29, m29, m29,
                                                                    D(2026, 3, 30), D(2026, 3, 30) });
    /* the night they go back (25 October 2026, 01:00 UTC): 23:00 UTC is
     * 00:00 CET, the first winter midnight */
    int32_t o25 = D(2026, 10, 25), o26 = D(2026, 10, 26);
    s_expect_days(s_utc_ms(2026, 10, 25, 22, 59, 0, 0), (int32_t[]) { o25, o25, o25, o25, o25, o26, o26 });
    s_expect_days(s_utc_ms(2026, 10, 25, 23, 0, 0, 0), (int32_t[]) { o26, o26, o25, o25, o25, o26, o26 });
}

Test(clock_regions, a_pinned_day_is_that_day_everywhere, .init = s_paris)
{
    /* "2026-12-05" is 23:00 UTC on the 4th, 19:00 on the 4th in
     * Guadeloupe: a whole-day pin still means the 5th for everyone, so a
     * test that pins a date means one day */
    cr_assert_eq(ent_clock_init("2026-12-05"), 0);
    cr_assert(ent_clock_whole_day());
    ent_today_t all;
    ent_clock_today_all(&all);
    for (int r = 0; r < ENT_REGION_COUNT; r++) {
        cr_expect_eq(ent_clock_today_in((ent_region_t) r), D(2026, 12, 5), "%s", ent_region_name((ent_region_t) r));
        cr_expect_eq(all.day[r], D(2026, 12, 5));
    }
    /* clock set to a date keeps the whole day, to an instant makes it one */
    cr_assert_eq(ent_clock_set_day(s_parse_ok("2026-12-09"), true), 0);
    cr_expect(ent_clock_whole_day());
    cr_expect_eq(ent_clock_today_in(ENT_REGION_GUADELOUPE), D(2026, 12, 9));
    cr_assert_eq(ent_clock_set(s_parse_ok("2026-12-09")), 0);
    cr_expect_not(ent_clock_whole_day());
    cr_expect_eq(ent_clock_today_in(ENT_REGION_GUADELOUPE), D(2026, 12, 8), "local midnight in Paris, 19:00 the day before");
    cr_expect_eq(ent_clock_today_in(ENT_REGION_METROPOLE), D(2026, 12, 9));
    /* a real clock is never whole-day */
    cr_assert_eq(ent_clock_init(NULL), 0);
    cr_expect_not(ent_clock_whole_day());
    cr_expect_eq(ent_clock_set_day(0, true), -1, "a real clock does not move");
}

Test(clock_regions, a_region_out_of_range_is_metropolitan, .init = s_paris)
{
    cr_assert_eq(ent_clock_init("2026-12-05T23:30:00Z"), 0);
    cr_expect_eq(ent_clock_today_in((ent_region_t) 99), ent_clock_today());
    cr_expect_eq(ent_clock_today_in((ent_region_t) -1), ent_clock_today());
}

Test(clock_regions, the_real_clock_gives_each_region_its_date, .init = s_paris)
{
    cr_assert_eq(ent_clock_init(NULL), 0);
    time_t t = time(NULL);
    int32_t reunion = ent_clock_today_in(ENT_REGION_REUNION);
    int32_t want = ent_date_from_ymd(1970, 1, 1) + (int32_t) ((t + 4 * 3600) / 86400);
    cr_expect(reunion == want || reunion == want + 1, "reunion %d, want %d", reunion, want);
    int32_t paris = ent_clock_today_in(ENT_REGION_METROPOLE), local = ent_clock_today();
    cr_expect(paris == local || paris + 1 == local, "metropolitan France is the process' date");
}

/* The stamp changes at every region's midnight and only then: five times a
 * day (Réunion, Mayotte, Paris, Guyane, the Antilles together). */
Test(clock_regions, the_stamp_changes_at_each_regional_midnight, .init = s_paris)
{
    int64_t start = s_utc_ms(2026, 12, 5, 12, 0, 0, 0);
    ent_today_t prev, cur;
    ent_clock_today_at(start, &prev);
    int changes = 0;
    for (int64_t at = start + 60000; at <= start + INT64_C(86400000); at += 60000) {
        ent_clock_today_at(at, &cur);
        bool moved = memcmp(&cur, &prev, sizeof cur) != 0;
        cr_assert_eq(ent_today_stamp(&cur) != ent_today_stamp(&prev), moved, "stamp and dates disagree at %lld",
                     (long long) at);
        changes += moved;
        prev = cur;
    }
    cr_expect_eq(changes, 5);
}
