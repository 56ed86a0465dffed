/*  ruleset.c — the rule table (see ruleset.h and docs/policies.md).
 *
 *  One row per version of a rule, in sch_rule_id_t order (a designated
 *  initializer per row so that a reordering of the enum cannot silently
 *  shift the data).  Certainty letters follow the legal research
 *  (/work/shared/research/legal-rules.md): A = article read verbatim,
 *  B = several reputable secondary sources, C = one source or inference,
 *  D = unverified.  Company-practice rows hold no numbers: theirs come from
 *  sch_policy_t, whose defaults are in rules.c.
 */
#include "ruleset.h"

#include <string.h>

#include "rules.h"

#define S_OPEN INT32_MAX

/* Law 2014-288 (5 March 2014) took effect on 7 March 2014; law 2025-989
 * (24 October 2025, JO of the 25th) on 26 October 2025. */
#define S_LAW_2014 SCH_YMD(2014, 3, 7)
#define S_REFORM SCH_YMD(2025, 10, 26)
#define S_BEFORE_REFORM SCH_YMD(2025, 10, 25)

static const sch_rule_t s_rules[SCH_R_COUNT] = {
    [SCH_R_EPP_FIRST_2014] = {
        .id = "epp.first.2014", .type = SCH_TYPE_PROFESSIONAL,
        .effective_from = S_LAW_2014, .effective_to = S_BEFORE_REFORM,
        .months = 24, .certainty = 'A',
        .basis = "Code du travail L6315-1 I (loi 2014-288)",
        .applies_to = "the former two-year deadline (hire + 24 months, or 2014-03-07 + 24 months "
                      "for staff in post then) when it fell before 2025-10-26",
        .summary = "First professional interview within two years of hire; staff in post on "
                   "2014-03-07 by 2016-03-07."},
    [SCH_R_EPP_PERIODIC_2014] = {
        .id = "epp.periodic.2014", .type = SCH_TYPE_PROFESSIONAL,
        .effective_from = S_LAW_2014, .effective_to = S_BEFORE_REFORM,
        .months = 24, .certainty = 'A',
        .basis = "Code du travail L6315-1 I (loi 2014-288, version of 2020-01-01)",
        .applies_to = "a deadline (previous interview + 24 months) that fell before 2025-10-26",
        .summary = "A professional interview every two years from the previous one."},
    [SCH_R_EPP_RECAP_2014] = {
        .id = "epp.recap.2014", .type = SCH_TYPE_PROFESSIONAL_RECAP,
        .effective_from = S_LAW_2014, .effective_to = S_BEFORE_REFORM,
        .months = 72, .alt_months = 12, .amount_eur = 3000, .min_headcount = 50,
        .surcharge_pct = 100, .certainty = 'A',
        .basis = "Code du travail L6315-1 II and L6323-13 (loi 2014-288, as amended by loi 2018-771)",
        .applies_to = "a six-year seniority period that ended before 2025-10-26",
        .summary = "Every six years of seniority the professional interview makes a recap (état "
                   "des lieux); in entities of 50+ a missed interview with no non-mandatory "
                   "training in the period costs a EUR 3,000 CPF top-up, doubled when an "
                   "inspection finds it unpaid and the formal notice is not complied with."},
    [SCH_R_EPP_RETURN_2014] = {
        .id = "epp.return.2014", .type = SCH_TYPE_PROFESSIONAL_RETURN,
        .effective_from = S_LAW_2014, .effective_to = S_BEFORE_REFORM,
        .months = 6, .certainty = 'A',
        .basis = "Code du travail L6315-1 I (loi 2014-288); L1225-27; L1225-57",
        .applies_to = "the return date",
        .summary = "A professional interview on return from maternity, adoption, parental "
                   "(incl. part-time), caregiver, sabbatical or secure-mobility leave, long illness "
                   "(sick leave over 6 months) or a union mandate; no exception; due on the "
                   "return date (option return_interview_days for a delay)."},
    /* The COVID rows: effective_from..effective_to is the range of former
     * deadlines a row covers, and effective_to is also the date they were
     * deferred to.  type -1 = every professional interview of L6315-1
     * (first, periodic, recap, return).  When two rows cover a deadline the
     * later ordinance wins (rules.c). */
    [SCH_R_EPP_COVID_2020] = {
        .id = "epp.covid.2020", .type = SCH_TYPE_PROFESSIONAL_RECAP,
        .effective_from = SCH_YMD(2020, 1, 1), .effective_to = SCH_YMD(2020, 12, 31),
        .certainty = 'B',
        .basis = "Ordonnance 2020-387 of 1 April 2020, art. 1",
        .applies_to = "former-regime recap (six-year) deadlines falling in 2020",
        .summary = "Recaps due in 2020 could be held until 2020-12-31; superseded on "
                   "2020-12-03 by ordonnance 2020-1501 (epp.covid.2021), which covers every such "
                   "deadline."},
    [SCH_R_EPP_FIRST_2025] = {
        .id = "epp.first.2025", .type = SCH_TYPE_PROFESSIONAL,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 12, .certainty = 'A',
        .basis = "Code du travail L6315-1 I as amended by loi 2025-989 art. 3",
        .applies_to = "hires on or after 2025-10-26",
        .summary = "First professional interview within the first year after hire."},
    [SCH_R_EPP_FIRST_TRANSITION] = {
        .id = "epp.first.transition", .type = SCH_TYPE_PROFESSIONAL,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 12, .certainty = 'D',
        .basis = "Code civil art. 2222; Code du travail L6315-1 I as amended by loi 2025-989",
        .applies_to = "hires before 2025-10-26 whose two-year deadline had not expired then",
        .summary = "Option art2222 (default): the earlier of hire + 2 years and 2026-10-26 "
                   "(2025-10-26 + 12 months); option strict_new: hire + 1 year when that is on "
                   "or after 2025-10-26, else hire + 2 years."},
    [SCH_R_EPP_PERIODIC_2025] = {
        .id = "epp.periodic.2025", .type = SCH_TYPE_PROFESSIONAL,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 48, .certainty = 'A',
        .basis = "Code du travail L6315-1 I and III as amended by loi 2025-989 art. 3",
        .applies_to = "a cycle starting on or after 2025-10-26",
        .summary = "A professional interview every 4 years from the last one held (a company "
                   "or branch agreement may set a shorter cycle)."},
    [SCH_R_EPP_PERIODIC_TRANSITION] = {
        .id = "epp.periodic.transition", .type = SCH_TYPE_PROFESSIONAL,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 48, .certainty = 'B',
        .basis = "Code civil art. 2222 (ministry Q&A n° 2, Feb 2026); Code du travail L6315-1 as "
                 "amended by loi 2025-989",
        .applies_to = "a cycle started before 2025-10-26 whose two-year deadline had not expired "
                      "on that day",
        .summary = "Deadlines not expired on 2025-10-26 run 4 years from the last interview "
                   "held; those already expired stay breaches of the former law."},
    [SCH_R_EPP_RECAP_2025] = {
        .id = "epp.recap.2025", .type = SCH_TYPE_PROFESSIONAL_RECAP,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 96, .alt_months = 84, .amount_eur = 3000, .min_headcount = 50,
        .surcharge_pct = 100, .certainty = 'B',
        .basis = "Code du travail L6315-1 II and L6323-13 as amended by loi 2025-989; Cass. soc. "
                 "21/01/2026 n° 24-12.972",
        .applies_to = "a seniority period starting on or after 2025-10-26",
        .summary = "Every 8 years of seniority the interview makes a recap, due by the end of the "
                   "period; the first may be held from 7 years after the first interview; EUR "
                   "3,000 CPF top-up in entities of 50+ when interviews were missed and no "
                   "non-mandatory training took place (doubled after an inspection's formal "
                   "notice left unanswered)."},
    [SCH_R_EPP_RECAP_TRANSITION] = {
        .id = "epp.recap.transition", .type = SCH_TYPE_PROFESSIONAL_RECAP,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 96, .alt_months = 84, .amount_eur = 3000, .min_headcount = 50,
        .surcharge_pct = 100, .certainty = 'B',
        .basis = "Code civil art. 2222 (ministry Q&A n° 2, Feb 2026); Code du travail L6315-1 II",
        .applies_to = "a six-year period started before 2025-10-26 that had not ended then",
        .summary = "A recap period running on 2025-10-26 lasts 8 years instead of 6 from the "
                   "same start."},
    [SCH_R_EPP_RETURN_2025] = {
        .id = "epp.return.2025", .type = SCH_TYPE_PROFESSIONAL_RETURN,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 6, .alt_months = 12, .certainty = 'B',
        .basis = "Code du travail L6315-1 I as amended by loi 2025-989; L1225-27; L1225-57",
        .applies_to = "the return date",
        .summary = "A professional interview on return from the listed leaves, not owed when "
                   "one was held in the 12 months before the return; due on the return date "
                   "(option return_interview_days for a delay)."},
    [SCH_R_EPP_MID_CAREER_2025] = {
        .id = "epp.mid_career.2025", .type = SCH_TYPE_PROFESSIONAL_MID_CAREER,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 2, .age_years = 45, .certainty = 'B',
        .basis = "Code du travail L6315-1 I as amended by loi 2025-989; L4624-2-2",
        .applies_to = "the date of the mid-career medical visit",
        .summary = "A mid-career professional interview within 2 months after the mid-career "
                   "medical visit (due by default in the calendar year of the 45th birthday)."},
    [SCH_R_EPP_END_OF_CAREER_2025] = {
        .id = "epp.end_of_career.2025", .type = SCH_TYPE_PROFESSIONAL_END_OF_CAREER,
        .effective_from = S_REFORM, .effective_to = S_OPEN,
        .months = 24, .age_years = 60, .certainty = 'B',
        .basis = "Code du travail L6315-1 I as amended by loi 2025-989",
        .applies_to = "the day before the 60th birthday (the deadline)",
        .summary = "An end-of-career professional interview during the 2 years before the "
                   "60th birthday."},
    [SCH_R_TRIAL_OUVRIER_EMPLOYE] = {
        .id = "trial.ouvrier_employe", .type = SCH_TYPE_END_OF_TRIAL,
        .effective_from = SCH_YMD(2008, 6, 27), .effective_to = S_OPEN,
        .months = 2, .alt_months = 4, .certainty = 'B',
        .basis = "Code du travail L1221-19, L1221-21, L1221-23, L1221-25 (loi 2008-596)",
        .applies_to = "the start of the contract",
        .summary = "Workers and employees: trial period of at most 2 months, renewable once "
                   "up to 4 months in total, when the contract stipulates it (none otherwise) and, "
                   "for a renewal, when the contract and an extended branch agreement provide for it."},
    [SCH_R_TRIAL_MAITRISE_TECHNICIEN] = {
        .id = "trial.maitrise_technicien", .type = SCH_TYPE_END_OF_TRIAL,
        .effective_from = SCH_YMD(2008, 6, 27), .effective_to = S_OPEN,
        .months = 3, .alt_months = 6, .certainty = 'B',
        .basis = "Code du travail L1221-19, L1221-21, L1221-23, L1221-25 (loi 2008-596)",
        .applies_to = "the start of the contract",
        .summary = "Supervisors and technicians: trial period of at most 3 months, renewable "
                   "once up to 6 months in total, when the contract stipulates it (none otherwise) "
                   "and, for a renewal, when the contract and an extended branch agreement "
                   "provide for it."},
    [SCH_R_TRIAL_CADRE] = {
        .id = "trial.cadre", .type = SCH_TYPE_END_OF_TRIAL,
        .effective_from = SCH_YMD(2008, 6, 27), .effective_to = S_OPEN,
        .months = 4, .alt_months = 8, .certainty = 'B',
        .basis = "Code du travail L1221-19, L1221-21, L1221-23, L1221-25 (loi 2008-596)",
        .applies_to = "the start of the contract",
        .summary = "Executives: trial period of at most 4 months, renewable once up to 8 "
                   "months in total, when the contract stipulates it (none otherwise) and, for a "
                   "renewal, when the contract and an extended branch agreement provide for it."},
    [SCH_R_TRIAL_FIXED_TERM] = {
        .id = "trial.fixed_term", .type = SCH_TYPE_END_OF_TRIAL,
        .effective_from = SCH_YMD(2008, 6, 27), .effective_to = S_OPEN,
        .months = 6, .alt_months = 1, .days = 1, .threshold_days = 14, .certainty = 'A',
        .basis = "Code du travail L1242-10; L1242-12; L1221-25",
        .applies_to = "the start of the contract",
        .summary = "Fixed-term contracts: the trial the contract stipulates (none otherwise), at "
                   "most 1 day per week of contract, 2 weeks when the contract lasts 6 months or "
                   "less, 1 month otherwise."},
    [SCH_R_TRIAL_NOTICE] = {
        .id = "trial.notice", .type = -1,
        .effective_from = SCH_YMD(2008, 6, 27), .effective_to = S_OPEN,
        .certainty = 'A',
        .basis = "Code du travail L1221-25",
        .applies_to = "the date the employer notifies the end of the trial",
        .summary = "Employer's notice: 24 hours under 8 days of presence, 48 hours from 8 days, "
                   "2 weeks after 1 month, 1 month after 3 months; the notice never extends the "
                   "trial period."},
    [SCH_R_CONTRACT_END] = {
        .id = "contract.end", .type = SCH_TYPE_END_OF_CONTRACT,
        .effective_from = INT32_MIN, .effective_to = S_OPEN,
        .certainty = 'C',
        .basis = "Company policy; Code du travail L1243-11-1 (CDI offer notified before the term)",
        .applies_to = "the end of the fixed-term or apprentice contract",
        .summary = "An end-of-contract interview before the contract ends (no statutory "
                   "interview; the law requires a CDI offer to be notified before the term)."},
    [SCH_R_VISIT_RETURN_2012] = {
        .id = "visit.return.2012", .type = SCH_TYPE_RETURN_MEDICAL_VISIT,
        .effective_from = SCH_YMD(2012, 7, 1), .effective_to = SCH_YMD(2022, 3, 31),
        .days = 8, .threshold_days = 30, .threshold2_days = 30, .certainty = 'B',
        .basis = "Code du travail R4624-31 (décret 2012-135)",
        .applies_to = "the first day of the leave",
        .summary = "Return medical visit within 8 days after maternity leave, an occupational "
                   "disease, or 30+ days of absence for a work accident or sickness."},
    [SCH_R_VISIT_RETURN_2022] = {
        .id = "visit.return.2022", .type = SCH_TYPE_RETURN_MEDICAL_VISIT,
        .effective_from = SCH_YMD(2022, 4, 1), .effective_to = S_OPEN,
        .days = 8, .threshold_days = 30, .threshold2_days = 60, .certainty = 'A',
        .basis = "Code du travail R4624-31 (décret 2022-372)",
        .applies_to = "the first day of the leave",
        .summary = "Return medical visit on the day of return and within 8 days after it, after "
                   "maternity leave, an occupational disease, a work accident of 30+ days or "
                   "a non-occupational sickness or accident of 60+ days."},
    [SCH_R_RETURN_TO_WORK] = {
        .id = "return_to_work.policy", .type = SCH_TYPE_RETURN_TO_WORK,
        .effective_from = INT32_MIN, .effective_to = S_OPEN,
        .certainty = 'C',
        .basis = "Company policy (no statutory return-to-work interview; see L1226-1-3, "
                 "R4624-31)",
        .applies_to = "the return date",
        .summary = "A return-to-work interview after a leave of at least the configured "
                   "length, any kind but part-time parental leave and union mandates."},
    [SCH_R_MOBILITY] = {
        .id = "internal_mobility.policy", .type = SCH_TYPE_INTERNAL_MOBILITY,
        .effective_from = INT32_MIN, .effective_to = S_OPEN,
        .certainty = 'C',
        .basis = "Company policy (a position change is not a statutory interview trigger)",
        .applies_to = "the date of the position change",
        .summary = "An internal mobility interview around each change of position."},
    [SCH_R_WORKLOAD] = {
        .id = "workload.forfait_jours", .type = SCH_TYPE_WORKLOAD_REVIEW,
        .effective_from = SCH_YMD(2008, 8, 22), .effective_to = S_OPEN,
        .months = 12, .certainty = 'B',
        .basis = "Code du travail L3121-64 and L3121-65 (formerly L3121-46, loi 2008-789)",
        .applies_to = "the start of the forfait-jours agreement and each interview held",
        .summary = "Staff on a forfait annuel en jours: a workload interview every year "
                   "(read as 12 months after the previous one)."},
    [SCH_R_DISC_CONVOCATION] = {
        .id = "discipline.convocation", .type = -1,
        .effective_from = INT32_MIN, .effective_to = S_OPEN,
        .months = 2, .certainty = 'B',
        .basis = "Code du travail L1332-4; Code civil art. 2229",
        .applies_to = "the day the employer learned of the facts",
        .summary = "Disciplinary proceedings start within 2 months of the employer learning "
                   "of the facts: a limitation period, which ends on its last day even a "
                   "Saturday, Sunday or holiday (option convocation_deadline=next_working_day "
                   "for the other reading)."},
    [SCH_R_DISC_DISMISSAL_INTERVIEW] = {
        .id = "discipline.dismissal_interview", .type = -1,
        .effective_from = INT32_MIN, .effective_to = S_OPEN,
        .days = 5, .certainty = 'A',
        .basis = "Code du travail L1232-2; R1231-1; Cass. soc. 10/07/2019",
        .applies_to = "the day the convocation letter is presented",
        .summary = "A dismissal interview no earlier than after 5 full jours ouvrables from the "
                   "presentation of the letter (that day, Sundays and holidays not counted; a "
                   "delay ending on a Saturday, Sunday or holiday runs to the next working day)."},
    [SCH_R_DISC_SANCTION] = {
        .id = "discipline.sanction", .type = -1,
        .effective_from = INT32_MIN, .effective_to = S_OPEN,
        .months = 1, .days = 2, .certainty = 'A',
        .basis = "Code du travail L1332-2; R1332-3; L1232-6",
        .applies_to = "the day fixed for the interview",
        .summary = "A sanction (or dismissal letter) no earlier than after 2 full jours "
                   "ouvrables and no later than 1 month after the interview; a last day on a "
                   "Saturday, Sunday or holiday moves to the next working day."},
    [SCH_R_EPP_COVID_2021] = {
        .id = "epp.covid.2021", .type = -1,
        .effective_from = SCH_YMD(2020, 1, 1), .effective_to = SCH_YMD(2021, 6, 30),
        .sanction_from = SCH_YMD(2020, 3, 12), .certainty = 'B',
        .basis = "Ordonnance 2020-1501 of 2 December 2020, amending ordonnance 2020-387 art. 1",
        .applies_to = "former-regime professional deadlines (first, periodic, recap, return) "
                      "falling from 2020-01-01 to 2021-06-30",
        .summary = "Every professional interview due from 2020-01-01 to 2021-06-30 could be held "
                   "until 2021-06-30, and the CPF top-up sanction was suspended from 2020-03-12 "
                   "to 2021-06-30."},
    [SCH_R_TRIAL_LEGACY_BRANCH] = {
        .id = "trial.legacy_branch", .type = SCH_TYPE_END_OF_TRIAL,
        .effective_from = SCH_YMD(2008, 6, 27), .effective_to = SCH_YMD(2023, 9, 8),
        .certainty = 'C',
        .basis = "Code du travail L1221-22 (before loi 2023-171 art. 19); L1221-23; L1221-25",
        .applies_to = "the start of a permanent contract, in an entity with option "
                      "legacy_branch_trial",
        .summary = "A branch agreement concluded before 2008-06-26 could set longer trial "
                   "periods; they stopped applying to contracts concluded from 2023-09-09, so "
                   "a contract started before keeps the longer trial it stipulates."},
};

const sch_rule_t *sch_rule_get(int id)
{
    if (id < 0 || id >= SCH_R_COUNT)
        return NULL;
    return &s_rules[id];
}

const sch_rule_t *sch_rules_table(size_t *count)
{
    if (count != NULL)
        *count = SCH_R_COUNT;
    return s_rules;
}

int sch_rule_find(const char *id)
{
    if (id == NULL)
        return -1;
    for (int i = 0; i < SCH_R_COUNT; i++) {
        if (strcmp(s_rules[i].id, id) == 0)
            return i;
    }
    return -1;
}

bool sch_rule_in_force(const sch_rule_t *rule, int32_t date)
{
    return rule != NULL && date >= rule->effective_from && date <= rule->effective_to;
}
