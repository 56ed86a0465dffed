/*  clock.h — the business clock every daemon reads "now" and "today" from.
 *
 *  Real time by default.  When ENTRETIENS_NOW is set (a date, or an ISO
 *  date-time) the clock is pinned: it stands still at that instant until
 *  ent_clock_set moves it, so tests (and `entretiensctl clock set`) can run
 *  months of deadlines in seconds.  Moving the clock is refused while it is
 *  real: production never jumps in time.
 *
 *  The clock is per process (one daemon = one process = one clock), used
 *  from the loop thread only.
 */
#ifndef ENT_CLOCK_H
#define ENT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Parses "YYYY-MM-DD" (local midnight), "YYYY-MM-DDTHH:MM[:SS[.mmm]]" (local
 * time) or the same followed by "Z" or "+HH:MM"/"-HH:MM".
 * Returns 0 and the Unix time in ms, or -1 when malformed. */
int ent_clock_parse(const char *text, int64_t *unix_ms);

/* Reads ENTRETIENS_NOW (pass its value, NULL or "" = real clock).
 * Returns 0, or -1 when the value is malformed (the clock stays real). */
int ent_clock_init(const char *pinned);

/* True when the clock is pinned. */
bool ent_clock_pinned(void);

/* Current instant, Unix ms (pinned value, or the real time). */
int64_t ent_clock_now_ms(void);

/* Today's civil date (day number, see date.h) in the local time zone. */
int32_t ent_clock_today(void);

/* Moves a pinned clock to unix_ms.  Returns 0, or -1 (EPERM semantics) when
 * the clock is real.  Moving backwards is allowed (tests rewind). */
int ent_clock_set(int64_t unix_ms);

#endif
