/*  discipline.c — disciplinary deadlines (see discipline.h). */
#include "discipline.h"

#include <stdbool.h>

#include "common/date.h"
#include "ruleset.h"

static bool s_valid(ent_region_t region, int32_t date)
{
    return date != ENT_DATE_NONE && (int)region >= 0 && region < ENT_REGION_COUNT;
}

/* Day after a delay of n full jours ouvrables following `from`, the last
 * day being moved to the next working day when it is a Saturday, Sunday or
 * holiday.  ent_calendar_add_ouvrables never lands on a Sunday or holiday,
 * so only a Saturday actually moves. */
static int32_t s_after_ouvrables(ent_region_t region, int32_t from, int n)
{
    int32_t last = ent_calendar_add_ouvrables(region, from, n);
    return ent_calendar_extend_deadline(region, last) + 1;
}

int32_t sch_disc_convocation_by(ent_region_t region, int32_t facts_known)
{
    if (!s_valid(region, facts_known))
        return ENT_DATE_NONE;
    const sch_rule_t *r = sch_rule_get(SCH_R_DISC_CONVOCATION);
    return ent_calendar_extend_deadline(region, ent_date_add_months(facts_known, r->months));
}

int32_t sch_disc_interview_not_before(ent_region_t region, int32_t letter_presented)
{
    if (!s_valid(region, letter_presented))
        return ENT_DATE_NONE;
    return s_after_ouvrables(region, letter_presented,
                             sch_rule_get(SCH_R_DISC_DISMISSAL_INTERVIEW)->days);
}

int32_t sch_disc_sanction_not_before(ent_region_t region, int32_t interview)
{
    if (!s_valid(region, interview))
        return ENT_DATE_NONE;
    return s_after_ouvrables(region, interview, sch_rule_get(SCH_R_DISC_SANCTION)->days);
}

int32_t sch_disc_sanction_not_after(ent_region_t region, int32_t interview)
{
    if (!s_valid(region, interview))
        return ENT_DATE_NONE;
    const sch_rule_t *r = sch_rule_get(SCH_R_DISC_SANCTION);
    return ent_calendar_extend_deadline(region, ent_date_add_months(interview, r->months));
}
