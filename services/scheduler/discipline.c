/*  discipline.c — disciplinary deadlines (see discipline.h). */
#include "discipline.h"

#include <stdbool.h>
#include <stdio.h>

#include "common/date.h"
#include "ruleset.h"

/* Which way an unknown Good Friday is read: as a holiday for a "not
 * before" date (fewer working days, a later earliest date), as a working
 * day for a "not after" date (no extension over it, an earlier latest
 * date). */
typedef enum { S_NOT_BEFORE, S_NOT_AFTER } s_side_t;

static bool s_good_friday(const sch_policy_t *p, s_side_t side)
{
    switch (p->good_friday) {
    case ENT_GOOD_FRIDAY_HOLIDAY:
        return true;
    case ENT_GOOD_FRIDAY_WORKING:
        return false;
    default:
        return side == S_NOT_BEFORE;
    }
}

static bool s_valid(const sch_policy_t *p, int32_t date)
{
    return p != NULL && sch_policy_check(p) == 0 && date != ENT_DATE_NONE;
}

/* Day after a delay of n full jours ouvrables following `from`, the last
 * day being moved to the next working day when it is a Saturday, Sunday or
 * holiday.  ent_calendar_add_ouvrables_gf never lands on a Sunday or
 * holiday, so only a Saturday actually moves. */
static int32_t s_after_ouvrables(ent_region_t region, bool gf, int32_t from, int n)
{
    int32_t last = ent_calendar_add_ouvrables_gf(region, gf, from, n);
    return ent_calendar_extend_deadline_gf(region, gf, last) + 1;
}

static int32_t s_convocation_by(const sch_policy_t *p, bool gf, int32_t facts_known)
{
    const sch_rule_t *r = sch_rule_get(SCH_R_DISC_CONVOCATION);
    int32_t last = ent_date_add_months(facts_known, r->months);
    if (p->convocation_deadline != SCH_CONVOCATION_NEXT_WORKING_DAY)
        return last;
    return ent_calendar_extend_deadline_gf((ent_region_t)p->region, gf, last);
}

static int32_t s_interview_not_before(const sch_policy_t *p, bool gf, int32_t letter)
{
    return s_after_ouvrables((ent_region_t)p->region, gf, letter,
                             sch_rule_get(SCH_R_DISC_DISMISSAL_INTERVIEW)->days);
}

static int32_t s_sanction_not_before(const sch_policy_t *p, bool gf, int32_t interview)
{
    return s_after_ouvrables((ent_region_t)p->region, gf, interview,
                             sch_rule_get(SCH_R_DISC_SANCTION)->days);
}

static int32_t s_sanction_not_after(const sch_policy_t *p, bool gf, int32_t interview)
{
    const sch_rule_t *r = sch_rule_get(SCH_R_DISC_SANCTION);
    return ent_calendar_extend_deadline_gf((ent_region_t)p->region, gf,
                                           ent_date_add_months(interview, r->months));
}

int32_t sch_disc_convocation_by(const sch_policy_t *policy, int32_t facts_known)
{
    if (!s_valid(policy, facts_known))
        return ENT_DATE_NONE;
    return s_convocation_by(policy, s_good_friday(policy, S_NOT_AFTER), facts_known);
}

int32_t sch_disc_interview_not_before(const sch_policy_t *policy, int32_t letter_presented)
{
    if (!s_valid(policy, letter_presented))
        return ENT_DATE_NONE;
    return s_interview_not_before(policy, s_good_friday(policy, S_NOT_BEFORE), letter_presented);
}

int32_t sch_disc_sanction_not_before(const sch_policy_t *policy, int32_t interview)
{
    if (!s_valid(policy, interview))
        return ENT_DATE_NONE;
    return s_sanction_not_before(policy, s_good_friday(policy, S_NOT_BEFORE), interview);
}

int32_t sch_disc_sanction_not_after(const sch_policy_t *policy, int32_t interview)
{
    if (!s_valid(policy, interview))
        return ENT_DATE_NONE;
    return s_sanction_not_after(policy, s_good_friday(policy, S_NOT_AFTER), interview);
}

size_t sch_disc_note(const sch_policy_t *policy, int32_t facts_known, int32_t letter_presented,
                     int32_t interview, char *buf, size_t size)
{
    if (buf != NULL && size > 0)
        buf[0] = '\0';
    if (policy == NULL || sch_policy_check(policy) != 0 ||
        policy->region != ENT_REGION_ALSACE_MOSELLE || policy->good_friday != ENT_GOOD_FRIDAY_UNKNOWN)
        return 0;
    /* Each date as computed (unknown: the safe side) against the other
     * reading; a difference is what the note reports. */
    const char *before = NULL, *before2 = NULL, *after = NULL, *after2 = NULL;
    int32_t gf_date = ENT_DATE_NONE;
    int32_t d = letter_presented;
    if (d != ENT_DATE_NONE && s_interview_not_before(policy, true, d) != s_interview_not_before(policy, false, d)) {
        before = "interview_not_before";
        gf_date = d;
    }
    d = interview;
    if (d != ENT_DATE_NONE && s_sanction_not_before(policy, true, d) != s_sanction_not_before(policy, false, d)) {
        *(before ? &before2 : &before) = "sanction_not_before";
        gf_date = d;
    }
    d = facts_known;
    if (d != ENT_DATE_NONE && s_convocation_by(policy, false, d) != s_convocation_by(policy, true, d)) {
        after = "convocation_by";
        gf_date = d;
    }
    d = interview;
    if (d != ENT_DATE_NONE && s_sanction_not_after(policy, false, d) != s_sanction_not_after(policy, true, d)) {
        *(after ? &after2 : &after) = "sanction_not_after";
        gf_date = d;
    }
    if (before == NULL && after == NULL)
        return 0;
    /* Name the Good Friday concerned: the one of the year of the date that
     * moved (a delay of two months at most cannot reach another year's). */
    int y, m, dd;
    ent_date_to_ymd(gf_date, &y, &m, &dd);
    int32_t gf = ent_calendar_easter(y) - 2;
    if (gf < gf_date)
        gf = ent_calendar_easter(y + 1) - 2;
    char gfs[ENT_DATE_STRLEN];
    ent_date_format(gf, gfs);
    char holiday[64] = "", working[64] = "";
    if (before)
        snprintf(holiday, sizeof holiday, "as a holiday for %s%s%s", before, before2 ? " and " : "",
                 before2 ? before2 : "");
    if (after)
        snprintf(working, sizeof working, "as a working day for %s%s%s", after, after2 ? " and " : "",
                 after2 ? after2 : "");
    int w = snprintf(buf, buf != NULL ? size : 0,
                     "Good Friday %s is a public holiday in Alsace-Moselle only in communes with a "
                     "Protestant temple or a mixed church (L3134-13), and the entity's setting is "
                     "unknown: it was counted %s%s%s, the safe side of each date; set good_friday "
                     "for the entity to settle it.",
                     gfs, holiday, before && after ? " and " : "", working);
    return w > 0 ? (size_t)w : 0;
}
