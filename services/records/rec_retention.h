/*  rec_retention.h — how long records keeps what, as data: the named
 *  retention options and the phase of an employee's records on a day
 *  (docs/data-protection.md "Retention": defaults and their sources).
 *
 *  Phases, on the business clock:
 *    active    while employed (no departure, or a departure still ahead):
 *              the interviews prove the employer's obligations (L6315-1);
 *    archive   from the departure day, for the longest period below: the
 *              intermediate archive, read by HR and administrators only;
 *    purge     from departure + years (same day of the year; 29 February
 *              gives 28 February): each part is removed on its own day.
 *  A re-hire clears the departure (the scheduler's directory entry): the
 *  records are active again.
 *  Parts with their own period (ENTRETIENS_RETENTION_*_YEARS):
 *    content      everything of the interview (answers, shared reports,
 *                 free text): crypto-shredding of the employee's key;
 *    notes        the interviewer's private notes;
 *    preparation  a party's preparation never shared.
 *  A part's period longer than content's is cut to content's: shredding
 *  the key removes everything.  Pure functions: no store, no clock.
 */
#ifndef REC_RETENTION_H
#define REC_RETENTION_H

#include "common/config.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { REC_PHASE_ACTIVE, REC_PHASE_ARCHIVE, REC_PHASE_PURGED } rec_phase_t;

typedef enum { REC_PART_CONTENT, REC_PART_NOTES, REC_PART_PREPARATION, REC_PART_COUNT } rec_part_t;

typedef struct {
    int years[REC_PART_COUNT];   /* after the departure day */
} rec_retention_t;

/* Reads the options from cfg (1 to 100 years each).  Returns 0, or -1 with
 * the variable at fault and why in err. */
int rec_retention_load(const ent_config_t *cfg, rec_retention_t *out, char *err, size_t errsize);

/* "content", "notes", "preparation". */
const char *rec_part_name(rec_part_t part);

/* The day part is purged for someone who left on left_on (ENT_DATE_NONE:
 * never, while employed). */
int32_t rec_retention_purge_day(const rec_retention_t *ret, rec_part_t part, int32_t left_on);

/* The phase of an employee's records on today, from the departure day
 * (ENT_DATE_NONE: none known, active: nothing is purged without a date to
 * count from). */
rec_phase_t rec_retention_phase(const rec_retention_t *ret, int32_t left_on, int32_t today);

/* "active", "archive", "purged". */
const char *rec_phase_name(rec_phase_t phase);

#endif
