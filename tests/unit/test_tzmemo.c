/*  test_tzmemo.c — the per-thread memos of local-time conversions
 *  (ent_date_from_unix_ms, ent_region_local_ms for the process' zone) give
 *  what localtime_r / mktime give, before and after they are filled, across
 *  the days the clocks move, before the epoch, and when TZ changes. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/calendar.h"
#include "common/date.h"
#include "common/tzmemo.h"

static void s_tz(const char *tz)
{
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
}

static int32_t s_d(const char *text)
{
    int32_t d = 0;
    cr_assert_eq(ent_date_parse(text, &d), 0, "bad test literal %s", text);
    return d;
}

/* The date localtime_r gives, the memo's reference (floor to the second). */
static int32_t s_ref_date(int64_t ms)
{
    time_t secs = (time_t) (ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    struct tm tm;
    cr_assert_not_null(localtime_r(&secs, &tm));
    return ent_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The instant mktime gives for hour:00 on date in the process' zone. */
static int64_t s_ref_local(int32_t date, int hour)
{
    int y, m, d;
    ent_date_to_ymd(date, &y, &m, &d);
    struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hour, .tm_isdst = -1 };
    return (int64_t) mktime(&tm) * 1000;
}

static int64_t s_utc_ms(int y, int mo, int d, int h, int mi)
{
    return ((int64_t) ent_date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60) * 1000;
}

/* Every minute (and its last millisecond) from `from` for `minutes`, twice:
 * the second pass answers from the memo. */
static void s_minutes_match(int64_t from, int minutes)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < minutes; i++) {
            int64_t ms = from + (int64_t) i * 60000;
            cr_assert_eq(ent_date_from_unix_ms(ms), s_ref_date(ms), "pass %d, %lld ms", pass, (long long) ms);
            cr_assert_eq(ent_date_from_unix_ms(ms + 59999), s_ref_date(ms + 59999), "pass %d, %lld ms + 59999",
                         pass, (long long) ms);
        }
}

/* ------------------------------------------------------------ the key */

Test(tzmemo, key_follows_tz)
{
    ent_tzmemo_key_t k;
    memset(&k, 0, sizeof k);
    s_tz("Europe/Paris");
    cr_assert_not(ent_tzmemo_same(&k), "a key never taken is not the same");
    cr_assert(ent_tzmemo_same(&k));
    s_tz("Europe/Paris"); /* set again to the same zone: still the same */
    cr_assert(ent_tzmemo_same(&k));
    s_tz("UTC");
    cr_assert_not(ent_tzmemo_same(&k));
    cr_assert(ent_tzmemo_same(&k));
    s_tz(NULL);
    cr_assert_not(ent_tzmemo_same(&k), "unset is not UTC");
    cr_assert(ent_tzmemo_same(&k));
    s_tz("");
    cr_assert_not(ent_tzmemo_same(&k), "empty is not unset");
    cr_assert(ent_tzmemo_same(&k));
}

Test(tzmemo, key_follows_environ_changes)
{
    ent_tzmemo_key_t k;
    memset(&k, 0, sizeof k);
    setenv("ENT_TZMEMO_A", "1", 1); /* entries before and after TZ's */
    s_tz("Europe/Paris");
    setenv("ENT_TZMEMO_B", "2", 1);
    ent_tzmemo_same(&k);
    cr_assert(ent_tzmemo_same(&k));
    unsetenv("ENT_TZMEMO_A"); /* the entries after it move down */
    cr_assert(ent_tzmemo_same(&k), "TZ moved, but is the same");
    cr_assert(ent_tzmemo_same(&k));
    unsetenv("ENT_TZMEMO_B");
    setenv("ENT_TZMEMO_C", "3", 1); /* the array may be moved */
    cr_assert(ent_tzmemo_same(&k));
    /* a putenv'd string changed in place */
    static char tz[] = "TZ=Europe/Paris";
    putenv(tz);
    cr_assert(ent_tzmemo_same(&k), "the same value from another string");
    memcpy(tz + 3, "UTC\0", 4);
    cr_assert_not(ent_tzmemo_same(&k), "changed in place");
    cr_assert_str_eq(k.value, "UTC");
    cr_assert(ent_tzmemo_same(&k));
    unsetenv("TZ");
    cr_assert_not(ent_tzmemo_same(&k), "unset");
    cr_assert(ent_tzmemo_same(&k));
    setenv("TZ", "Asia/Tokyo", 1);
    cr_assert_not(ent_tzmemo_same(&k), "set again");
    cr_assert_str_eq(k.value, "Asia/Tokyo");
    clearenv();
    cr_assert_not(ent_tzmemo_same(&k), "the environment cleared");
    cr_assert(ent_tzmemo_same(&k));
    setenv("TZ", "UTC", 1);
    cr_assert_not(ent_tzmemo_same(&k));
    cr_assert_str_eq(k.value, "UTC");
}

Test(tzmemo, key_too_long_is_never_the_same)
{
    char tz[ENT_TZMEMO_MAX + 8];
    memset(tz, 'A', sizeof tz - 1);
    tz[sizeof tz - 1] = '\0';
    setenv("TZ", tz, 1); /* not a zone: only the key is looked at */
    ent_tzmemo_key_t k;
    memset(&k, 0, sizeof k);
    cr_assert_not(ent_tzmemo_same(&k));
    cr_assert_not(ent_tzmemo_same(&k));
    cr_assert_not(k.filled);
}

/* ------------------------------------------------------------ dates */

Test(tzmemo, date_paris_dst_days)
{
    s_tz("Europe/Paris");
    /* 2026-03-29: 02:00 CET -> 03:00 CEST; 2026-10-25: 03:00 CEST -> 02:00 CET;
     * two days around each, every minute: both local midnights included */
    s_minutes_match(s_utc_ms(2026, 3, 28, 0, 0), 2 * 1440);
    s_minutes_match(s_utc_ms(2026, 10, 24, 0, 0), 2 * 1440);
    /* midnight after the change: 22:00Z in summer, 23:00Z in winter */
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 3, 29, 21, 59)), s_d("2026-03-29"));
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 3, 29, 22, 0)), s_d("2026-03-30"));
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 10, 25, 22, 59)), s_d("2026-10-25"));
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 10, 25, 23, 0)), s_d("2026-10-26"));
}

Test(tzmemo, date_follows_a_tz_switch)
{
    int64_t ms = s_utc_ms(2026, 6, 30, 22, 30); /* 00:30 CEST on 1 July */
    s_tz("Europe/Paris");
    cr_assert_eq(ent_date_from_unix_ms(ms), s_d("2026-07-01"));
    cr_assert_eq(ent_date_from_unix_ms(ms), s_d("2026-07-01"), "from the memo");
    s_tz("UTC");
    cr_assert_eq(ent_date_from_unix_ms(ms), s_d("2026-06-30"), "not Paris' answer kept");
    cr_assert_eq(ent_date_from_unix_ms(ms), s_d("2026-06-30"));
    s_tz("Indian/Reunion"); /* UTC+4 */
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 6, 30, 20, 0)), s_d("2026-07-01"));
    s_tz("America/Martinique"); /* UTC-4 */
    cr_assert_eq(ent_date_from_unix_ms(s_utc_ms(2026, 7, 1, 3, 59)), s_d("2026-06-30"));
    s_tz("Europe/Paris");
    cr_assert_eq(ent_date_from_unix_ms(ms), s_d("2026-07-01"));
}

Test(tzmemo, date_negative_times_floor)
{
    s_tz("UTC");
    for (int pass = 0; pass < 2; pass++) {
        cr_assert_eq(ent_date_from_unix_ms(-1), -1);
        cr_assert_eq(ent_date_from_unix_ms(-60000), -1);
        cr_assert_eq(ent_date_from_unix_ms(-60001), -1);
        cr_assert_eq(ent_date_from_unix_ms(-86400000), -1);
        cr_assert_eq(ent_date_from_unix_ms(-86400001), -2);
        cr_assert_eq(ent_date_from_unix_ms(0), 0);
        cr_assert_eq(ent_date_from_unix_ms(59999), 0);
    }
    s_minutes_match(-3 * 86400000LL, 3 * 1440);
    s_tz("Europe/Paris");
    s_minutes_match(-2 * 86400000LL, 2 * 1440);
    cr_assert_eq(ent_date_from_unix_ms(-1), 0, "already 1970-01-01 in Paris");
}

Test(tzmemo, date_offset_not_whole_minutes)
{
    /* Paris kept its mean solar time, +0:09:21, until 1911: local midnight
     * falls 39 s into a UTC minute, which must not be memoised as a whole */
    s_tz("Europe/Paris");
    int64_t minute = s_utc_ms(1900, 5, 31, 23, 50); /* 23:59:21 .. 00:00:20 local */
    for (int pass = 0; pass < 2; pass++)
        for (int s = 0; s < 60; s++) {
            int64_t ms = minute + s * 1000;
            cr_assert_eq(ent_date_from_unix_ms(ms), s_ref_date(ms), "pass %d, second %d", pass, s);
        }
    cr_assert_eq(ent_date_from_unix_ms(minute + 38000), s_d("1900-05-31"));
    cr_assert_eq(ent_date_from_unix_ms(minute + 39000), s_d("1900-06-01"));
    cr_assert_eq(ent_date_from_unix_ms(minute + 38000), s_d("1900-05-31"), "after the later second");
}

Test(tzmemo, date_many_minutes_share_slots)
{
    /* more minutes than slots, a day apart (the reminders' 9:00s): every
     * answer right after the others evicted it */
    s_tz("Europe/Paris");
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < 2000; i++) {
            int64_t ms = s_utc_ms(2020, 1, 1, 8, 0) + (int64_t) i * 86400000;
            cr_assert_eq(ent_date_from_unix_ms(ms), s_ref_date(ms), "pass %d day %d", pass, i);
        }
}

/* ------------------------------------------------------------ regions */

Test(tzmemo, local_ms_paris_dst_days)
{
    s_tz("Europe/Paris");
    for (int pass = 0; pass < 2; pass++)
        for (int32_t day = s_d("2026-03-27"); day <= s_d("2026-03-31"); day++)
            for (int h = 0; h < 24; h++) {
                cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, day, h), s_ref_local(day, h),
                             "pass %d day %d hour %d", pass, day, h);
                cr_assert_eq(ent_region_local_ms(ENT_REGION_ALSACE_MOSELLE, day, h), s_ref_local(day, h));
            }
    /* 9:00 is 8:00Z in winter, 7:00Z in summer, either side of each change */
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, s_d("2026-03-28"), 9), s_utc_ms(2026, 3, 28, 8, 0));
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, s_d("2026-03-29"), 9), s_utc_ms(2026, 3, 29, 7, 0));
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, s_d("2026-10-25"), 9), s_utc_ms(2026, 10, 25, 8, 0));
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, s_d("2026-10-24"), 9), s_utc_ms(2026, 10, 24, 7, 0));
    /* the hour that does not exist in spring is what mktime makes of it, memo or not */
    int64_t skipped = s_ref_local(s_d("2026-03-29"), 2);
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, s_d("2026-03-29"), 2), skipped);
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, s_d("2026-03-29"), 2), skipped);
}

Test(tzmemo, local_ms_follows_a_tz_switch)
{
    int32_t day = s_d("2026-07-15");
    s_tz("Europe/Paris");
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, day, 9), s_utc_ms(2026, 7, 15, 7, 0));
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, day, 9), s_utc_ms(2026, 7, 15, 7, 0));
    s_tz("UTC");
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, day, 9), s_utc_ms(2026, 7, 15, 9, 0),
                 "not Paris' answer kept");
    s_tz("Europe/Paris");
    cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, day, 9), s_utc_ms(2026, 7, 15, 7, 0));
}

Test(tzmemo, local_ms_fixed_regions_ignore_tz)
{
    /* the overseas departments' offsets are fixed, whatever TZ says */
    int32_t day = s_d("2026-07-15");
    const char *zones[] = { "Europe/Paris", "UTC", "Asia/Tokyo" };
    for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
        s_tz(zones[i]);
        for (int pass = 0; pass < 2; pass++) {
            cr_assert_eq(ent_region_local_ms(ENT_REGION_REUNION, day, 9), s_utc_ms(2026, 7, 15, 5, 0));
            cr_assert_eq(ent_region_local_ms(ENT_REGION_GUADELOUPE, day, 9), s_utc_ms(2026, 7, 15, 13, 0));
            cr_assert_eq(ent_region_local_ms(ENT_REGION_GUYANE, day, 9), s_utc_ms(2026, 7, 15, 12, 0));
            cr_assert_eq(ent_region_local_ms(ENT_REGION_MAYOTTE, day, 9), s_utc_ms(2026, 7, 15, 6, 0));
        }
    }
}

Test(tzmemo, local_ms_many_days_and_hours)
{
    /* more (date, hour)s than slots: answers right after evictions, and a
     * date and an hour that pack alike are told apart */
    s_tz("Europe/Paris");
    for (int pass = 0; pass < 2; pass++)
        for (int32_t day = s_d("2025-01-01"); day < s_d("2026-01-01"); day++)
            for (int h = 0; h < 24; h += 9)
                cr_assert_eq(ent_region_local_ms(ENT_REGION_METROPOLE, day, h), s_ref_local(day, h),
                             "pass %d day %d hour %d", pass, day, h);
}
