/*  calendar.c — French public holidays and business-day arithmetic.
 *
 *  Holidays are not cached: ent_calendar_is_holiday answers from the month and
 *  day, and only computes Easter (a few integer operations) for dates in
 *  March-June, the only months an Easter-based holiday can fall in
 *  (Good Friday >= 20 March, Whit Monday <= 14 June).
 */
#include "common/calendar.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/tzmemo.h"

/* Offsets from Easter Sunday. */
#define S_GOOD_FRIDAY (-2)
#define S_EASTER_MONDAY 1
#define S_ASCENSION 39
#define S_WHIT_MONDAY 50

static const char *const s_region_names[ENT_REGION_COUNT] = {
    [ENT_REGION_METROPOLE] = "metropole",
    [ENT_REGION_ALSACE_MOSELLE] = "alsace_moselle",
    [ENT_REGION_GUADELOUPE] = "guadeloupe",
    [ENT_REGION_MARTINIQUE] = "martinique",
    [ENT_REGION_GUYANE] = "guyane",
    [ENT_REGION_REUNION] = "reunion",
    [ENT_REGION_MAYOTTE] = "mayotte",
};

/* Fixed national holidays (L3133-1), as month * 100 + day. */
static const int s_national_fixed[] = {101, 501, 508, 714, 815, 1101, 1111, 1225};
#define S_NATIONAL_FIXED_COUNT ((int)(sizeof s_national_fixed / sizeof s_national_fixed[0]))

/* The abolition-of-slavery day of an overseas region (month * 100 + day),
 * 0 for regions without one. */
static int s_abolition_day(ent_region_t region)
{
    switch (region) {
    case ENT_REGION_GUADELOUPE: return 527;
    case ENT_REGION_MARTINIQUE: return 522;
    case ENT_REGION_GUYANE: return 610;
    case ENT_REGION_REUNION: return 1220;
    case ENT_REGION_MAYOTTE: return 427;
    default: return 0;
    }
}

int ent_region_parse(const char *name, ent_region_t *out)
{
    if (name == NULL || out == NULL)
        return -1;
    for (int r = 0; r < ENT_REGION_COUNT; r++) {
        if (strcmp(name, s_region_names[r]) == 0) {
            *out = (ent_region_t)r;
            return 0;
        }
    }
    return -1;
}

const char *ent_region_name(ent_region_t region)
{
    /* Never NULL, so a corrupt value can still be logged safely. */
    if ((int)region < 0 || region >= ENT_REGION_COUNT)
        return "unknown";
    return s_region_names[region];
}

int32_t ent_calendar_easter(int year)
{
    /* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
    int a = year % 19;
    int b = year / 100;
    int c = year % 100;
    int d = b / 4;
    int e = b % 4;
    int f = (b + 8) / 25;
    int g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return ent_date_from_ymd(year, month, day);
}

static const char *const s_good_friday_names[ENT_GOOD_FRIDAY_COUNT] = {
    [ENT_GOOD_FRIDAY_UNKNOWN] = "unknown",
    [ENT_GOOD_FRIDAY_HOLIDAY] = "holiday",
    [ENT_GOOD_FRIDAY_WORKING] = "working",
};

int ent_good_friday_parse(const char *name, ent_good_friday_t *out)
{
    if (name == NULL || out == NULL)
        return -1;
    if (*name == '\0') {
        *out = ENT_GOOD_FRIDAY_UNKNOWN;
        return 0;
    }
    for (int v = 0; v < ENT_GOOD_FRIDAY_COUNT; v++) {
        if (strcmp(name, s_good_friday_names[v]) == 0) {
            *out = (ent_good_friday_t)v;
            return 0;
        }
    }
    return -1;
}

const char *ent_good_friday_name(ent_good_friday_t value)
{
    if ((int)value < 0 || value >= ENT_GOOD_FRIDAY_COUNT)
        return "unknown";
    return s_good_friday_names[value];
}

bool ent_calendar_is_holiday(ent_region_t region, int32_t date)
{
    return ent_calendar_is_holiday_gf(region, true, date);
}

bool ent_calendar_is_holiday_gf(ent_region_t region, bool good_friday, int32_t date)
{
    int year, month, day;
    ent_date_to_ymd(date, &year, &month, &day);
    int md = month * 100 + day;

    for (int i = 0; i < S_NATIONAL_FIXED_COUNT; i++)
        if (md == s_national_fixed[i])
            return true;
    if (region == ENT_REGION_ALSACE_MOSELLE && md == 1226)
        return true;
    int abolition = s_abolition_day(region);
    if (abolition != 0 && md == abolition)
        return true;

    if (month < 3 || month > 6)
        return false;
    int32_t offset = date - ent_calendar_easter(year);
    if (offset == S_EASTER_MONDAY || offset == S_ASCENSION || offset == S_WHIT_MONDAY)
        return true;
    return good_friday && region == ENT_REGION_ALSACE_MOSELLE && offset == S_GOOD_FRIDAY;
}

int ent_calendar_holidays(ent_region_t region, int year, int32_t *out, int max)
{
    int32_t days[16];
    int n = 0;
    int32_t easter = ent_calendar_easter(year);

    for (int i = 0; i < S_NATIONAL_FIXED_COUNT; i++)
        days[n++] = ent_date_from_ymd(year, s_national_fixed[i] / 100, s_national_fixed[i] % 100);
    days[n++] = easter + S_EASTER_MONDAY;
    days[n++] = easter + S_ASCENSION;
    days[n++] = easter + S_WHIT_MONDAY;
    if (region == ENT_REGION_ALSACE_MOSELLE) {
        days[n++] = easter + S_GOOD_FRIDAY;
        days[n++] = ent_date_from_ymd(year, 12, 26);
    }
    int abolition = s_abolition_day(region);
    if (abolition != 0)
        days[n++] = ent_date_from_ymd(year, abolition / 100, abolition % 100);

    /* Insertion sort (at most 13 items), dropping duplicates: Ascension can
     * fall on 1 or 8 May (2008) or on an abolition day, and a day off that
     * two rules grant is still one day. */
    int count = 0;
    for (int i = 0; i < n; i++) {
        int32_t v = days[i];
        int j = count;
        while (j > 0 && days[j - 1] > v)
            j--;
        if (j > 0 && days[j - 1] == v)
            continue;
        memmove(&days[j + 1], &days[j], (size_t)(count - j) * sizeof days[0]);
        days[j] = v;
        count++;
    }

    /* Like snprintf: report the full count even when out is too small. */
    for (int i = 0; i < count && i < max; i++)
        out[i] = days[i];
    return count;
}

bool ent_calendar_is_ouvrable(ent_region_t region, int32_t date)
{
    return ent_calendar_is_ouvrable_gf(region, true, date);
}

bool ent_calendar_is_ouvrable_gf(ent_region_t region, bool good_friday, int32_t date)
{
    return ent_date_weekday(date) != 7 && !ent_calendar_is_holiday_gf(region, good_friday, date);
}

bool ent_calendar_is_ouvre(ent_region_t region, int32_t date)
{
    return ent_calendar_is_ouvre_gf(region, true, date);
}

bool ent_calendar_is_ouvre_gf(ent_region_t region, bool good_friday, int32_t date)
{
    return ent_date_weekday(date) <= 5 && !ent_calendar_is_holiday_gf(region, good_friday, date);
}

int32_t ent_calendar_extend_deadline(ent_region_t region, int32_t date)
{
    return ent_calendar_extend_deadline_gf(region, true, date);
}

int32_t ent_calendar_extend_deadline_gf(ent_region_t region, bool good_friday, int32_t date)
{
    while (!ent_calendar_is_ouvre_gf(region, good_friday, date))
        date++;
    return date;
}

int32_t ent_calendar_add_ouvrables(ent_region_t region, int32_t date, int n)
{
    return ent_calendar_add_ouvrables_gf(region, true, date, n);
}

int32_t ent_calendar_add_ouvrables_gf(ent_region_t region, bool good_friday, int32_t date, int n)
{
    while (n > 0) {
        date++;
        if (ent_calendar_is_ouvrable_gf(region, good_friday, date))
            n--;
    }
    return date;
}

int32_t ent_calendar_add_ouvres(ent_region_t region, int32_t date, int n)
{
    while (n > 0) {
        date++;
        if (ent_calendar_is_ouvre(region, date))
            n--;
    }
    return date;
}

bool ent_region_utc_offset(ent_region_t region, int *seconds)
{
    switch (region) {
    case ENT_REGION_GUADELOUPE:
    case ENT_REGION_MARTINIQUE:
        *seconds = -4 * 3600;
        return true;
    case ENT_REGION_GUYANE:
        *seconds = -3 * 3600;
        return true;
    case ENT_REGION_REUNION:
        *seconds = 4 * 3600;
        return true;
    case ENT_REGION_MAYOTTE:
        *seconds = 3 * 3600;
        return true;
    default:
        return false;
    }
}

/* The instants of the last (date, hour)s of the process' zone converted,
 * per thread: the notifier plans every reminder step at the same hour of
 * a few thousand days, and mktime costs a tzset and a search of the zone
 * each time.  Its answer is kept as it is, the hour the clocks skip
 * included.  For an hour they repeat (autumn), glibc's mktime may answer
 * either instant depending on its previous calls; the memo keeps the
 * first answer (the hours planned, 9:00 and midnight, are never repeated
 * in France's zones).  Direct-mapped; emptied when TZ changes (tzmemo.h). */
static _Thread_local struct {
    ent_tzmemo_key_t tz;
    bool used[ENT_TZMEMO_SLOTS];
    int32_t date[ENT_TZMEMO_SLOTS];
    int hour[ENT_TZMEMO_SLOTS];
    int64_t ms[ENT_TZMEMO_SLOTS];
} s_local;

int64_t ent_region_local_ms(ent_region_t region, int32_t date, int hour)
{
    int offset;
    if (ent_region_utc_offset(region, &offset)) {
        int64_t days = (int64_t) date - ent_date_from_ymd(1970, 1, 1);
        return (days * 86400 + (int64_t) hour * 3600 - offset) * 1000;
    }
    /* the process' zone: mktime finds whether summer time applies at that
     * hour (midnight + hours would be wrong on the days the clocks move) */
    size_t slot = ent_tzmemo_slot((uint64_t) (uint32_t) date * 64u + (uint64_t) (unsigned) hour);
    if (!ent_tzmemo_same(&s_local.tz)) {
        for (size_t i = 0; i < ENT_TZMEMO_SLOTS; i++)
            s_local.used[i] = false;
    } else if (s_local.used[slot] && s_local.date[slot] == date && s_local.hour[slot] == hour) {
        return s_local.ms[slot];
    }
    int y, m, d;
    ent_date_to_ymd(date, &y, &m, &d);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = hour;
    tm.tm_isdst = -1;
    int64_t ms = (int64_t) mktime(&tm) * 1000;
    if (s_local.tz.filled) {
        s_local.used[slot] = true;
        s_local.date[slot] = date;
        s_local.hour[slot] = hour;
        s_local.ms[slot] = ms;
    }
    return ms;
}
