/*  discipline.h — deadlines of a disciplinary procedure.
 *
 *  Pure functions of a date and the region whose public holidays apply
 *  (common/calendar.h).  Every result is the first or the last allowed date
 *  (inclusive).  Counting conventions, from the legal research §4 and §7:
 *
 *  - a delay in jours ouvrables starts the day AFTER the triggering day and
 *    counts Monday to Saturday, skipping Sundays and public holidays;
 *  - the delays of L1232-2 and L1332-2 are "full days" (jours francs): the
 *    act is allowed only on the day after the n-th day;
 *  - a delay whose last day is a Saturday, Sunday or public holiday runs to
 *    the next working day (CPC art. 642; R1231-1; R1332-3), so the act is
 *    allowed the day after that;
 *  - a delay in months ends on the same day number (clamped to the month
 *    end) and is extended the same way.
 *
 *  Worked example (the issue's): interview on Thursday 2026-03-12; the 2
 *  jours ouvrables are Friday 13 and Saturday 14; the delay ends on a
 *  Saturday, so it runs to Monday 16; the earliest sanction is Tuesday
 *  2026-03-17.
 */
#ifndef SCH_DISCIPLINE_H
#define SCH_DISCIPLINE_H

#include <stdint.h>

#include "common/calendar.h"

/* Last day to convene the employee: 2 months after the day the employer
 * learned of the facts (L1332-4), extended to the next working day.
 * Returns ENT_DATE_NONE for ENT_DATE_NONE or an invalid region. */
int32_t sch_disc_convocation_by(ent_region_t region, int32_t facts_known);

/* Earliest day for a dismissal interview: after 5 full jours ouvrables from
 * the presentation of the letter (L1232-2).  Returns ENT_DATE_NONE for
 * ENT_DATE_NONE or an invalid region. */
int32_t sch_disc_interview_not_before(ent_region_t region, int32_t letter_presented);

/* Earliest day to notify a sanction (or a dismissal letter, L1232-6): after
 * 2 full jours ouvrables from the interview (L1332-2).  Returns
 * ENT_DATE_NONE for ENT_DATE_NONE or an invalid region. */
int32_t sch_disc_sanction_not_before(ent_region_t region, int32_t interview);

/* Last day to notify a sanction: 1 month after the interview (L1332-2,
 * R1332-3), extended to the next working day.  Returns ENT_DATE_NONE for
 * ENT_DATE_NONE or an invalid region. */
int32_t sch_disc_sanction_not_after(ent_region_t region, int32_t interview);

#endif
