/*  orggen.h — a believable organisation, generated deterministically.
 *
 *  Feeds `entretiensctl demo generate`, the tests and every benchmark with
 *  the same histories: several entities (large ones, one of fewer than 50
 *  employees, one in Alsace-Moselle, one overseas), departments and sites, a
 *  management tree, hires spread over 15 years in every category and
 *  contract type, trial periods, maternity / parental / sick / sabbatical
 *  leaves with returns, position changes, trainings, mid-career medical
 *  visits, professional interviews held (and some missed), people who left.
 *  The same seed gives the same events, byte for byte.
 *
 *  Events come employee by employee, each employee's in date order; no
 *  event is dated after `today`, none before the hire, none after leaving.
 */
#ifndef CTL_ORGGEN_H
#define CTL_ORGGEN_H

#include "proto/scheduler.pb-c.h"

#include <stddef.h>
#include <stdint.h>

typedef struct orggen orggen_t;

/* employees >= 1; today: the day number (common/date.h) histories end on.
 * Returns NULL when out of memory or employees == 0. */
orggen_t *orggen_new(uint64_t seed, size_t employees, int32_t today);

/* The next event: returns 1 and points *ev at it (owned by the generator,
 * valid until the next call), or 0 when every employee has been produced. */
int orggen_next(orggen_t *g, const Entretiens__V1__EmployeeEvent **ev);

/* Events produced so far. */
size_t orggen_count(const orggen_t *g);

/* The entities the generator uses, with the headcount it will produce for
 * each, for a policy file: fills up to max, returns how many. */
typedef struct {
    const char *id;
    const char *region;
    size_t headcount;
} orggen_entity_t;
size_t orggen_entities(const orggen_t *g, orggen_entity_t *out, size_t max);

void orggen_destroy(orggen_t **g_p);

#endif
