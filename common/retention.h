/*  retention.h — the cutoffs every retention sweep shares, as pure
 *  functions of dates and times on the business clock (no store, no clock
 *  read): "kept N years after the departure day" and "kept N days after an
 *  instant" (docs/data-protection.md "Retention": each kind's option,
 *  default and source).
 *
 *  Both are inclusive of the whole period: what is due on day D is kept
 *  on D - 1 and goes on D (years), or goes once strictly more than N days
 *  have passed (days).
 */
#ifndef ENT_RETENTION_H
#define ENT_RETENTION_H

#include "common/config.h"

#include <stdbool.h>
#include <stdint.h>

#define ENT_RETENTION_YEARS_MAX 100
#define ENT_RETENTION_DAYS_MAX 36500

/* The day the records of someone who left on left_on go, years later (same
 * day of the year; 29 February gives 28 February).  ENT_DATE_NONE when
 * left_on is ENT_DATE_NONE (still employed: nothing goes) or years < 1. */
int32_t ent_retention_purge_day(int32_t left_on, int years);

/* True when today is on or after that day. */
bool ent_retention_departed_due(int32_t left_on, int years, int32_t today);

/* True when more than days whole days (of 86,400,000 ms) have passed from
 * at_ms to now_ms.  False for days < 1 or a time in the future. */
bool ent_retention_expired(int64_t at_ms, int64_t now_ms, uint32_t days);

/* Reads a retention option from cfg: a whole number from min to max (the
 * table's default when unset).  Returns 0, or -1 with the variable, its
 * unit and its bounds in err (never the value: options are not secret, but
 * the messages stay one shape). */
int ent_retention_option(const ent_config_t *cfg, const char *name, const char *unit, int64_t min, int64_t max,
                         int64_t *out, char *err, size_t errsize);

#endif
