/*  date.c — civil dates as day numbers since 1970-01-01.
 *
 *  Conversions use Howard Hinnant's era-based formulas (a 400-year
 *  Gregorian cycle is exactly 146097 days), so they are branch-light
 *  integer arithmetic: deadline recomputation calls them millions of times.
 *  Internals use int64_t so that any int32_t day number (even garbage such
 *  as ENT_DATE_NONE) converts without signed overflow.
 */
#include "common/date.h"

#include "common/tzmemo.h"

#include <stddef.h>
#include <time.h>

/* Days from 0000-03-01 to 1970-01-01: shifts the era origin to the epoch. */
#define S_EPOCH_SHIFT 719468
#define S_DAYS_PER_ERA 146097

/* Floor division for a positive divisor (C division truncates toward 0). */
static int64_t s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) < 0)
        q--;
    return q;
}

static bool s_is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int s_days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2)
        return s_is_leap(year) ? 29 : 28;
    return days[month - 1];
}

/* Any proleptic Gregorian year; month 1-12, day 1-31. */
static int64_t s_days_from_civil(int64_t y, int m, int d)
{
    /* Count years from March so that the leap day is the last of the year. */
    y -= m <= 2;
    int64_t era = s_floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * S_DAYS_PER_ERA + doe - S_EPOCH_SHIFT;
}

static void s_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += S_EPOCH_SHIFT;
    int64_t era = s_floor_div(z, S_DAYS_PER_ERA);
    int64_t doe = z - era * S_DAYS_PER_ERA;                                /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                      /* [0, 11], March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int32_t ent_date_from_ymd(int year, int month, int day)
{
    return (int32_t)s_days_from_civil(year, month, day);
}

void ent_date_to_ymd(int32_t date, int *year, int *month, int *day)
{
    int64_t y;
    s_civil_from_days(date, &y, month, day);
    *year = (int)y;
}

bool ent_date_valid(int year, int month, int day)
{
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    return day <= s_days_in_month(year, month);
}

int ent_date_days_in_month(int year, int month)
{
    /* Out-of-range months have no days rather than reading past the table. */
    if (month < 1 || month > 12)
        return 0;
    return s_days_in_month(year, month);
}

static bool s_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Value of n digits at text, or -1 if any of them is not a digit. */
static int s_digits(const char *text, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!s_is_digit(text[i]))
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

int ent_date_parse(const char *text, int32_t *out)
{
    if (text == NULL || out == NULL)
        return -1;
    /* Check character by character before indexing further, so a short
     * string stops at its NUL (which is neither a digit nor '-'). */
    int year = s_digits(text, 4);
    if (year < 0 || text[4] != '-')
        return -1;
    int month = s_digits(text + 5, 2);
    if (month < 0 || text[7] != '-')
        return -1;
    int day = s_digits(text + 8, 2);
    if (day < 0 || text[10] != '\0')
        return -1;
    if (!ent_date_valid(year, month, day))
        return -1;
    *out = ent_date_from_ymd(year, month, day);
    return 0;
}

char *ent_date_format(int32_t date, char *buf)
{
    int year, month, day;
    if (date == ENT_DATE_NONE) {
        buf[0] = '\0';
        return buf;
    }
    ent_date_to_ymd(date, &year, &month, &day);
    /* Only 4-digit years fit the wire format and the buffer; anything else
     * is not a date this project can hold, so it prints like "no date". */
    if (year < 1 || year > 9999) {
        buf[0] = '\0';
        return buf;
    }
    buf[0] = (char)('0' + year / 1000);
    buf[1] = (char)('0' + year / 100 % 10);
    buf[2] = (char)('0' + year / 10 % 10);
    buf[3] = (char)('0' + year % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + month / 10);
    buf[6] = (char)('0' + month % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + day / 10);
    buf[9] = (char)('0' + day % 10);
    buf[10] = '\0';
    return buf;
}

int ent_date_weekday(int32_t date)
{
    /* Day 0 (1970-01-01) was a Thursday, ISO 4. */
    int64_t r = ((int64_t)date + 3) % 7;
    if (r < 0)
        r += 7;
    return (int)r + 1;
}

int32_t ent_date_add_months(int32_t date, int months)
{
    int64_t y;
    int m, d;
    s_civil_from_days(date, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = s_floor_div(total, 12);
    int nm = (int)(total - ny * 12) + 1;
    int dim = s_days_in_month(ny, nm);
    if (d > dim)
        d = dim; /* de quantième à quantième: no such day -> end of month */
    return (int32_t)s_days_from_civil(ny, nm, d);
}

int32_t ent_date_add_years(int32_t date, int years)
{
    return ent_date_add_months(date, years * 12);
}

int ent_date_years_between(int32_t from, int32_t to)
{
    int64_t fy, ty;
    int fm, fd, tm, td;
    s_civil_from_days(from, &fy, &fm, &fd);
    s_civil_from_days(to, &ty, &tm, &td);
    int years = (int)(ty - fy);
    /* The anniversary in year ty, clamped like ent_date_add_years, so that
     * n years have elapsed exactly when ent_date_add_years(from, n) <= to:
     * someone born on 29 February gains a year on 28 February of common
     * years (CPC art. 641, "à défaut d'un quantième identique"). */
    int ad = fd;
    int dim = s_days_in_month(ty, fm);
    if (ad > dim)
        ad = dim;
    if (tm < fm || (tm == fm && td < ad))
        years--;
    return years;
}

/* The local dates of the last unix minutes converted, per thread: the
 * notifier asks the date of the same instants (an event's time, a reminder
 * at 9:00) several times per event, and localtime_r costs a lock, a tzset
 * and a zone-table search each time.  Keyed by the minute, which holds
 * because an offset from UTC and its changes fall on whole minutes (every
 * zone since 1972; before, some were not — Paris was +0:09:21 until 1911):
 * a conversion whose local seconds differ from the UTC seconds (an offset
 * not whole minutes, a leap second of a "right/" zone) is not kept.
 * Direct-mapped; emptied when TZ changes (tzmemo.h). */
static _Thread_local struct {
    ent_tzmemo_key_t tz;
    int64_t minute[ENT_TZMEMO_SLOTS];
    int32_t date[ENT_TZMEMO_SLOTS];
} s_memo;

int32_t ent_date_from_unix_ms(int64_t unix_ms)
{
    /* Floor, so that 1969-12-31T23:59:59.500Z stays on its own second. */
    int64_t secs64 = s_floor_div(unix_ms, 1000);
    int64_t minute = s_floor_div(secs64, 60);
    size_t slot = ent_tzmemo_slot((uint64_t)minute);
    if (!ent_tzmemo_same(&s_memo.tz)) {
        /* no minute is INT64_MIN (ms / 60000 is far from it): empty */
        for (size_t i = 0; i < ENT_TZMEMO_SLOTS; i++)
            s_memo.minute[i] = INT64_MIN;
    } else if (s_memo.minute[slot] == minute) {
        return s_memo.date[slot];
    }
    time_t secs = (time_t)secs64;
    struct tm tm;
    if (localtime_r(&secs, &tm) == NULL)
        return ENT_DATE_NONE;
    int32_t date = (int32_t)s_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    if (tm.tm_sec == secs64 - minute * 60 && s_memo.tz.filled) {
        s_memo.minute[slot] = minute;
        s_memo.date[slot] = date;
    }
    return date;
}

int64_t ent_date_to_unix_ms(int32_t date)
{
    int64_t y;
    int m, d;
    s_civil_from_days(date, &y, &m, &d);
    struct tm tm = {0};
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    /* Let mktime decide whether DST applies at that local midnight. */
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return (int64_t)t * 1000;
}
