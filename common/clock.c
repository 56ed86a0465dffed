/*  clock.c — pinnable business clock (see clock.h). */
#include "common/clock.h"

#include "common/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool s_pinned;
static bool s_whole_day; /* pinned by a date alone: the same day everywhere */
static int64_t s_pinned_ms;

static int s_digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

int ent_clock_parse(const char *text, int64_t *unix_ms)
{
    if (!text || strlen(text) < 10)
        return -1;
    char day[11];
    memcpy(day, text, 10);
    day[10] = '\0';
    int32_t date;
    if (ent_date_parse(day, &date) != 0)
        return -1;
    const char *p = text + 10;
    if (*p == '\0') {
        *unix_ms = ent_date_to_unix_ms(date);
        return 0;
    }
    if (*p != 'T' && *p != ' ')
        return -1;
    p++;
    int hh, mm, ss = 0, ms = 0;
    if (s_digits(p, 2, &hh) || p[2] != ':' || s_digits(p + 3, 2, &mm))
        return -1;
    p += 5;
    if (*p == ':') {
        if (s_digits(p + 1, 2, &ss))
            return -1;
        p += 3;
        if (*p == '.') {
            p++;
            int n = 0, frac = 0;
            while (*p >= '0' && *p <= '9') {
                if (n < 3) {
                    frac = frac * 10 + (*p - '0');
                    n++;
                }
                p++;
            }
            if (n == 0)
                return -1;
            while (n++ < 3)
                frac *= 10;
            ms = frac;
        }
    }
    if (hh > 23 || mm > 59 || ss > 60)
        return -1;
    int y, mo, d;
    ent_date_to_ymd(date, &y, &mo, &d);
    if (*p == '\0') {
        /* local time: let mktime apply the zone and its DST rule */
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = hh, .tm_min = mm, .tm_sec = ss, .tm_isdst = -1 };
        time_t t = mktime(&tm);
        if (t == (time_t) -1)
            return -1;
        *unix_ms = (int64_t) t * 1000 + ms;
        return 0;
    }
    int offset_min = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (s_digits(p + 1, 2, &oh) || p[3] != ':' || s_digits(p + 4, 2, &om))
            return -1;
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int64_t days = ent_date_from_ymd(y, mo, d);
    int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - (int64_t) offset_min * 60;
    *unix_ms = secs * 1000 + ms;
    return 0;
}

int ent_clock_init(const char *pinned)
{
    s_pinned = false;
    s_whole_day = false;
    if (!pinned || !*pinned)
        return 0;
    int64_t ms;
    if (ent_clock_parse(pinned, &ms) != 0)
        return -1;
    s_pinned = true;
    s_pinned_ms = ms;
    s_whole_day = strlen(pinned) == 10; /* "YYYY-MM-DD": ent_clock_parse took nothing else */
    return 0;
}

bool ent_clock_pinned(void)
{
    return s_pinned;
}

int64_t ent_clock_now_ms(void)
{
    if (s_pinned)
        return s_pinned_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int32_t ent_clock_today(void)
{
    return ent_date_from_unix_ms(ent_clock_now_ms());
}

bool ent_clock_whole_day(void)
{
    return s_pinned && s_whole_day;
}

/* Floor division: dates before 1970 have negative seconds. */
static int64_t s_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The date at unix_ms in a region of fixed offset (seconds east of UTC). */
static int32_t s_day_at_offset(int64_t unix_ms, int offset)
{
    int64_t secs = s_floor_div(unix_ms, 1000) + offset;
    return (int32_t) (ent_date_from_ymd(1970, 1, 1) + s_floor_div(secs, 86400));
}

void ent_clock_today_at(int64_t unix_ms, ent_today_t *out)
{
    int32_t local = ent_date_from_unix_ms(unix_ms);
    for (int r = 0; r < ENT_REGION_COUNT; r++) {
        int offset;
        out->day[r] = ent_region_utc_offset((ent_region_t) r, &offset) ? s_day_at_offset(unix_ms, offset) : local;
    }
}

void ent_clock_today_all(ent_today_t *out)
{
    if (ent_clock_whole_day()) {
        int32_t day = ent_clock_today();
        for (int r = 0; r < ENT_REGION_COUNT; r++)
            out->day[r] = day;
        return;
    }
    ent_clock_today_at(ent_clock_now_ms(), out);
}

int32_t ent_clock_today_in(ent_region_t region)
{
    int offset;
    if (ent_clock_whole_day() || (int) region < 0 || region >= ENT_REGION_COUNT ||
        !ent_region_utc_offset(region, &offset))
        return ent_clock_today();
    return s_day_at_offset(ent_clock_now_ms(), offset);
}

int32_t ent_today_stamp(const ent_today_t *today)
{
    int64_t sum = 0;
    for (int r = 0; r < ENT_REGION_COUNT; r++)
        sum += today->day[r];
    return (int32_t) sum;
}

int ent_clock_set(int64_t unix_ms)
{
    return ent_clock_set_day(unix_ms, false);
}

int ent_clock_set_day(int64_t unix_ms, bool whole_day)
{
    if (!s_pinned)
        return -1;
    s_pinned_ms = unix_ms;
    s_whole_day = whole_day;
    return 0;
}
