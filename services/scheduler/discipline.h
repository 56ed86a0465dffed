/*  discipline.h — deadlines of a disciplinary procedure.
 *
 *  Pure functions of a date and the policy of the employee's entity: its
 *  region (whose public holidays apply, common/calendar.h), whether Good
 *  Friday is a holiday where the employee works (Alsace-Moselle) and the
 *  option convocation_deadline.  Every result is the first or the last
 *  allowed date (inclusive).  Counting conventions, from the legal research
 *  §4 and §7:
 *
 *  - a delay in jours ouvrables starts the day AFTER the triggering day and
 *    counts Monday to Saturday, skipping Sundays and public holidays;
 *  - the delays of L1232-2 and L1332-2 are "full days" (jours francs): the
 *    act is allowed only on the day after the n-th day;
 *  - a procedural delay whose last day is a Saturday, Sunday or public
 *    holiday runs to the next working day (CPC art. 642; R1231-1; R1332-3),
 *    so the act is allowed the day after that;
 *  - a delay in months ends on the same day number (clamped to the month
 *    end);
 *  - the two months of L1332-4 are a limitation period, not a procedural
 *    delay: they end on their last day whatever day it is (Code civil art.
 *    2229), unless the option says otherwise;
 *  - Good Friday in Alsace-Moselle, when the policy does not know whether
 *    it is a holiday, counts as one for the "not before" dates and as a
 *    working day for the "not after" dates: each date is then on its safe
 *    side, and sch_disc_note() says so.
 *
 *  Worked example (the issue's): interview on Thursday 2026-03-12; the 2
 *  jours ouvrables are Friday 13 and Saturday 14; the delay ends on a
 *  Saturday, so it runs to Monday 16; the earliest sanction is Tuesday
 *  2026-03-17.
 */
#ifndef SCH_DISCIPLINE_H
#define SCH_DISCIPLINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/calendar.h"
#include "rules.h"

/* Last day to convene the employee: 2 months after the day the employer
 * learned of the facts (L1332-4), not extended (option no_extension, the
 * default) or extended to the next working day (next_working_day).
 * Returns ENT_DATE_NONE for ENT_DATE_NONE, a NULL policy or one
 * sch_policy_check() refuses. */
int32_t sch_disc_convocation_by(const sch_policy_t *policy, int32_t facts_known);

/* Earliest day for a dismissal interview: after 5 full jours ouvrables from
 * the presentation of the letter (L1232-2).  Returns ENT_DATE_NONE as
 * above. */
int32_t sch_disc_interview_not_before(const sch_policy_t *policy, int32_t letter_presented);

/* Earliest day to notify a sanction (or a dismissal letter, L1232-6): after
 * 2 full jours ouvrables from the interview (L1332-2).  Returns
 * ENT_DATE_NONE as above. */
int32_t sch_disc_sanction_not_before(const sch_policy_t *policy, int32_t interview);

/* Last day to notify a sanction: 1 month after the interview (L1332-2,
 * R1332-3), extended to the next working day.  Returns ENT_DATE_NONE as
 * above. */
int32_t sch_disc_sanction_not_after(const sch_policy_t *policy, int32_t interview);

/* Writes the sentence that goes with the dates above when the choice made
 * for an unknown Good Friday changed one of them (each date given as
 * ENT_DATE_NONE is skipped), e.g. "Good Friday 2026-04-03 counted as a
 * holiday for interview_not_before and as a working day for
 * sanction_not_after: ...".  Same contract as snprintf (buf may be NULL
 * when size is 0); returns 0 and writes "" when nothing changed or policy
 * is NULL. */
size_t sch_disc_note(const sch_policy_t *policy, int32_t facts_known, int32_t letter_presented,
                     int32_t interview, char *buf, size_t size);

#endif
