/*  clock.c — pinnable business clock (see clock.h). */
#include "common/clock.h"

#include "common/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool s_pinned;
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
    if (!pinned || !*pinned)
        return 0;
    int64_t ms;
    if (ent_clock_parse(pinned, &ms) != 0)
        return -1;
    s_pinned = true;
    s_pinned_ms = ms;
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

int ent_clock_set(int64_t unix_ms)
{
    if (!s_pinned)
        return -1;
    s_pinned_ms = unix_ms;
    return 0;
}
