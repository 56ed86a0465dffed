/*  calendar.h — French public holidays and business-day arithmetic.
 *
 *  Holidays depend on the region: every region has the 11 national public
 *  holidays (Code du travail L3133-1), including the Easter-based Easter
 *  Monday, Ascension Thursday and Whit Monday; Alsace-Moselle adds Good
 *  Friday and 26 December (L3134-13); each overseas department adds the
 *  day of the abolition of slavery (law 83-550 and decree 83-1003).
 *
 *  Good Friday is a public holiday in Alsace-Moselle only in the communes
 *  that have a Protestant temple or a mixed church (L3134-13, from the
 *  ordinance of 16 August 1892).  The functions taking a region alone count
 *  it department-wide, as practice does (reminders, the notifier); the
 *  *_gf variants let the caller decide, for legal delays where the choice
 *  must be the safe one (see ent_good_friday_t).
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

/* The region's legal time as a fixed offset east of UTC, in seconds, for
 * the overseas departments, which keep no summer time (Guadeloupe and
 * Martinique UTC-4, Guyane UTC-3, La Réunion UTC+4, Mayotte UTC+3).
 * Returns true with *seconds set, or false for metropolitan France and
 * Alsace-Moselle, whose time is the process' (TZ=Europe/Paris, with its
 * summer time). */
bool ent_region_utc_offset(ent_region_t region, int *seconds);

/* Unix milliseconds of `hour`:00 on `date` in the region's legal time.
 * For the process' zone the answers are memoised per thread, and
 * forgotten when TZ changes (calendar.c). */
int64_t ent_region_local_ms(ent_region_t region, int32_t date, int hour);

/* Whether Good Friday is a public holiday where an Alsace-Moselle
 * employee works (a setting of the entity: docs/policies.md).  UNKNOWN
 * leaves the choice to the computation: a "not before" date counts it as a
 * holiday and a "not after" date as a working day, the safe side of each. */
typedef enum {
    ENT_GOOD_FRIDAY_UNKNOWN = 0,
    ENT_GOOD_FRIDAY_HOLIDAY,   /* the commune has a Protestant temple or a mixed church */
    ENT_GOOD_FRIDAY_WORKING,   /* it has neither */
    ENT_GOOD_FRIDAY_COUNT
} ent_good_friday_t;

/* Parses "unknown", "holiday" or "working" (the empty string is unknown).
 * Returns 0 or -1 (NULL or another name). */
int ent_good_friday_parse(const char *name, ent_good_friday_t *out);

/* Wire name of a Good Friday setting; "unknown" when out of range. */
const char *ent_good_friday_name(ent_good_friday_t value);

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

/* The same with Good Friday counted as a holiday in Alsace-Moselle only
 * when good_friday is true (other regions never have it).  The functions
 * above are these with good_friday = true. */
bool ent_calendar_is_holiday_gf(ent_region_t region, bool good_friday, int32_t date);
bool ent_calendar_is_ouvrable_gf(ent_region_t region, bool good_friday, int32_t date);
bool ent_calendar_is_ouvre_gf(ent_region_t region, bool good_friday, int32_t date);
int32_t ent_calendar_extend_deadline_gf(ent_region_t region, bool good_friday, int32_t date);
int32_t ent_calendar_add_ouvrables_gf(ent_region_t region, bool good_friday, int32_t date, int n);

#endif
