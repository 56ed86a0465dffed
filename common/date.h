/*  date.h — civil dates (no time zone) as day numbers.
 *
 *  A civil date is held as an int32_t: the number of days since 1970-01-01
 *  (proleptic Gregorian).  Day numbers compare, subtract and hash like
 *  integers, which is what deadline arithmetic needs.  ENT_DATE_NONE marks
 *  "no date" (an absent optional field).
 *
 *  Month and year arithmetic follows French practice for legal delays
 *  ("de quantième à quantième"): the day number is kept and clamped to the
 *  last day of the target month (2024-02-29 + 1 year = 2025-02-28,
 *  2026-01-31 + 1 month = 2026-02-28).
 */
#ifndef ENT_DATE_H
#define ENT_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define ENT_DATE_NONE INT32_MIN
#define ENT_DATE_STRLEN 11 /* "YYYY-MM-DD" + NUL */

/* Day number of year/month/day.  The caller guarantees a valid date
 * (see ent_date_valid); years 1..9999. */
int32_t ent_date_from_ymd(int year, int month, int day);

/* Splits a day number into year, month (1-12) and day (1-31). */
void ent_date_to_ymd(int32_t date, int *year, int *month, int *day);

/* True when year/month/day name a real day between 0001-01-01 and 9999-12-31. */
bool ent_date_valid(int year, int month, int day);

/* Days in a month (28..31). */
int ent_date_days_in_month(int year, int month);

/* Parses exactly "YYYY-MM-DD" (no trailing characters).
 * Returns 0 and sets *out, or -1 (EINVAL semantics) on any malformed or
 * impossible date (2026-02-30 is refused). */
int ent_date_parse(const char *text, int32_t *out);

/* Writes "YYYY-MM-DD" into buf (at least ENT_DATE_STRLEN bytes) and returns buf.
 * ENT_DATE_NONE is written as the empty string. */
char *ent_date_format(int32_t date, char *buf);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int ent_date_weekday(int32_t date);

/* Adds (or subtracts, when negative) months / years keeping the day number,
 * clamped to the end of the target month. */
int32_t ent_date_add_months(int32_t date, int months);
int32_t ent_date_add_years(int32_t date, int years);

/* Whole years between from and to (age on `to`).  A year counts as complete
 * exactly when ent_date_add_years(from, n) <= to, so someone born on
 * 29 February turns a year older on 28 February of common years (CPC art.
 * 641).  Negative when to < from (rounded down). */
int ent_date_years_between(int32_t from, int32_t to);

/* Day number of today's date from a Unix time in milliseconds, in the
 * process' local time zone (TZ; deployments set TZ=Europe/Paris).  The
 * answers are memoised per thread by unix minute, and forgotten when TZ
 * changes: this assumes offsets from UTC that are whole minutes, checked
 * on each conversion (one that is not is not memoised; date.c). */
int32_t ent_date_from_unix_ms(int64_t unix_ms);

/* Unix milliseconds of local midnight starting the given date. */
int64_t ent_date_to_unix_ms(int32_t date);

#endif
