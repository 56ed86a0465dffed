/*  clock.h — the business clock every daemon reads "now" and "today" from.
 *
 *  Real time by default.  When ENTRETIENS_NOW is set (a date, or an ISO
 *  date-time) the clock is pinned: it stands still at that instant until
 *  ent_clock_set moves it, so tests (and `entretiensctl clock set`) can run
 *  months of deadlines in seconds.  Moving the clock is refused while it is
 *  real: production never jumps in time.
 *
 *  "Today" is a person's, not the process': the same instant is already
 *  the 6th in La Réunion (UTC+4) while still the 5th in Guadeloupe (UTC-4).
 *  ent_clock_today_in gives a region's date.  A clock pinned to a date
 *  alone (ENTRETIENS_NOW=YYYY-MM-DD, `clock set YYYY-MM-DD`) is that
 *  calendar day in every region, so a test that pins a day means the same
 *  day for everyone; a clock pinned to a date-time is that instant, and
 *  each region's date follows from it as with the real clock.
 *
 *  The clock is per process (one daemon = one process = one clock), used
 *  from the loop thread only.
 */
#ifndef ENT_CLOCK_H
#define ENT_CLOCK_H

#include "common/calendar.h"

#include <stdbool.h>
#include <stdint.h>

/* Parses "YYYY-MM-DD" (local midnight), "YYYY-MM-DDTHH:MM[:SS[.mmm]]" (local
 * time) or the same followed by "Z" or "+HH:MM"/"-HH:MM".
 * Returns 0 and the Unix time in ms, or -1 when malformed. */
int ent_clock_parse(const char *text, int64_t *unix_ms);

/* Reads ENTRETIENS_NOW (pass its value, NULL or "" = real clock).  A date
 * alone pins the whole day (see above), a date-time pins the instant.
 * Returns 0, or -1 when the value is malformed (the clock stays real). */
int ent_clock_init(const char *pinned);

/* True when the clock is pinned. */
bool ent_clock_pinned(void);

/* Current instant, Unix ms (pinned value, or the real time). */
int64_t ent_clock_now_ms(void);

/* True when the clock is pinned to a whole day (a date without a time):
 * every region is then on the process' date. */
bool ent_clock_whole_day(void);

/* Today's civil date (day number, see date.h) in the local time zone: the
 * process' date, for what is about the process (log files, retention
 * sweeps, metrics).  What is about a person uses ent_clock_today_in. */
int32_t ent_clock_today(void);

/* Today's date in a region's legal time: metropolitan France and
 * Alsace-Moselle are the process' zone (TZ=Europe/Paris, summer time
 * included), the overseas departments UTC + their fixed offset
 * (ent_region_utc_offset).  On a clock pinned to a whole day, that day in
 * every region.  A region out of range counts as metropolitan France. */
int32_t ent_clock_today_in(ent_region_t region);

/* Every region's date at one instant (one read of the clock, one
 * localtime_r): for loops over many people, which index it by region. */
typedef struct {
    int32_t day[ENT_REGION_COUNT];
} ent_today_t;

/* Fills *out with each region's date now (as ent_clock_today_in). */
void ent_clock_today_all(ent_today_t *out);

/* The regional dates at unix_ms, the clock's pinning aside. */
void ent_clock_today_at(int64_t unix_ms, ent_today_t *out);

/* A number that changes exactly when some region's date changes: the sum
 * of the regional dates.  Each date only moves forward with time, so two
 * instants with the same stamp have the same dates everywhere; a periodic
 * "a new day began" check compares stamps to catch every region's
 * midnight (Mayotte 21:00 UTC, La Réunion 20:00 UTC, the Antilles 04:00
 * UTC, Guyane 03:00 UTC, Paris 23:00 or 22:00 UTC). */
int32_t ent_today_stamp(const ent_today_t *today);

/* Moves a pinned clock to the instant unix_ms (each region on its own
 * date, see above).  Returns 0, or -1 (EPERM semantics) when the clock is
 * real.  Moving backwards is allowed (tests rewind). */
int ent_clock_set(int64_t unix_ms);

/* ent_clock_set, then pins the whole day of the process' date at unix_ms
 * when whole_day is true (`clock set YYYY-MM-DD`).  Returns as
 * ent_clock_set. */
int ent_clock_set_day(int64_t unix_ms, bool whole_day);

#endif
