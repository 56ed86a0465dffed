/*  pbdate.h — the protobuf Date of the messages (proto/envelope.proto:
 *  year, month, day) and the day numbers of date.h, both ways.
 *
 *  One conversion for every daemon, the CLI and the formats: a Date that is
 *  absent, unset (year 0) or not a real calendar day (31 February) is no
 *  date (ENT_DATE_NONE); no date is written as an unset Date.
 */
#ifndef ENT_PBDATE_H
#define ENT_PBDATE_H

#include "common/date.h"
#include "proto/envelope.pb-c.h"

#include <stdint.h>

/* The day number of d, or ENT_DATE_NONE when d is NULL or not a valid
 * date.  Never fails otherwise. */
int32_t ent_pbdate_day(const Entretiens__V1__Date *d);

/* Initialises *out and fills it with day (left unset, all zeros, for
 * ENT_DATE_NONE). */
void ent_pbdate_set(int32_t day, Entretiens__V1__Date *out);

/* storage filled with day and returned, or NULL for ENT_DATE_NONE: for an
 * optional message field (a NULL Date is "no date" on the wire). */
Entretiens__V1__Date *ent_pbdate_ptr(int32_t day, Entretiens__V1__Date *storage);

#endif
