/*  calendar.h — French public holidays and business-day arithmetic.
 *
 *  Holidays depend on the region: every region has the 11 national public
 *  holidays (Code du travail L3133-1), including the Easter-based Easter
 *  Monday, Ascension Thursday and Whit Monday; Alsace-Moselle adds Good
 *  Friday and 26 December (L3134-13); each overseas department adds the
 *  day of the abolition of slavery (law 83-550 and decree 83-1003).
 *
 *  Kinds of day used by French delays:
 *  - "jours ouvrables": every day but Sunday and public holidays (the legal
 *    default: Monday to Saturday);
 *  - "jours ouvrés": the days the company works, here Monday to Friday
 *    that are not public holidays.
 */
#ifndef ENT_CALENDAR_H
#define ENT_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    ENT_REGION_METROPOLE = 0,
    ENT_REGION_ALSACE_MOSELLE,
    ENT_REGION_GUADELOUPE,
    ENT_REGION_MARTINIQUE,
    ENT_REGION_GUYANE,
    ENT_REGION_REUNION,
    ENT_REGION_MAYOTTE,
    ENT_REGION_COUNT
} ent_region_t;

/* Parses the wire name ("metropole", "alsace_moselle", "guadeloupe",
 * "martinique", "guyane", "reunion", "mayotte").  Returns 0 or -1. */
int ent_region_parse(const char *name, ent_region_t *out);

/* Wire name of a region ("metropole" ...); "unknown" when out of range. */
const char *ent_region_name(ent_region_t region);

/* Day number (see date.h) of Easter Sunday of the given Gregorian year. */
int32_t ent_calendar_easter(int year);

/* True when date is a public holiday in the region. */
bool ent_calendar_is_holiday(ent_region_t region, int32_t date);

/* Writes the holidays of a year in the region, sorted, into out (at most
 * max entries) and returns how many there are (at most 16), like snprintf:
 * a return above max means out was too small.  Two holidays on the same
 * day count once (Ascension fell on 1 May in 2008). */
int ent_calendar_holidays(ent_region_t region, int year, int32_t *out, int max);

/* Jours ouvrables: not a Sunday and not a public holiday. */
bool ent_calendar_is_ouvrable(ent_region_t region, int32_t date);

/* Jours ouvrés: Monday to Friday and not a public holiday. */
bool ent_calendar_is_ouvre(ent_region_t region, int32_t date);

/* A delay that would end on a Saturday, a Sunday or a public holiday is
 * extended to the next working day (Code de procédure civile art. 642):
 * returns date itself when it is Monday-Friday and not a holiday, else the
 * next such day. */
int32_t ent_calendar_extend_deadline(ent_region_t region, int32_t date);

/* The n-th ouvrable / ouvré day after date (date itself not counted);
 * n >= 0, n == 0 returns date. */
int32_t ent_calendar_add_ouvrables(ent_region_t region, int32_t date, int n);
int32_t ent_calendar_add_ouvres(ent_region_t region, int32_t date, int n);

#endif
