/*  trial.h — trial period (période d'essai) arithmetic.
 *
 *  A trial period is never presumed (L1221-23): there is one only when the
 *  contract stipulates it, for the duration it stipulates, within the legal
 *  maximum.  Permanent contracts (L1221-19..21): at most 2 / 3 / 4 months by
 *  category (ouvrier_employe / maitrise_technicien / cadre), renewable once
 *  up to 4 / 6 / 8 months in total when the contract and an extended branch
 *  agreement provide for it.  Fixed-term contracts (L1242-10): at most one
 *  day per week of contract, 2 weeks when the contract lasts 6 months or
 *  less, 1 month otherwise.  A trial counted in months ends on the
 *  eve of the same day number (start 2026-04-07 + 4 months ends
 *  2026-08-06), is never moved for weekends or holidays (CPC 641/642 do not
 *  apply: Cass. soc. 28/04/2011) and is extended by the calendar days of
 *  absence inside it (Cass. soc. 11/09/2019).  The employer's notice
 *  (L1221-25) cannot extend it, so a decision must be notified early
 *  enough: sch_trial_t.notify_by.
 *
 *  Numbers come from the rule table (SCH_R_TRIAL_*); the notice schedule of
 *  L1221-25 is the small table in trial.c.
 */
#ifndef SCH_TRIAL_H
#define SCH_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

/* Leaves that extend a trial period: every absence but a part-time
 * parental period and a union mandate, which are not absences from work. */
#define SCH_TRIAL_ABSENCE_KINDS                                                                    \
    (((1u << SCH_LEAVE_COUNT) - 1u) &                                                              \
     ~(SCH_LEAVE_BIT(SCH_LEAVE_PARENTAL_PART_TIME) | SCH_LEAVE_BIT(SCH_LEAVE_UNION_MANDATE)))

typedef struct sch_trial {
    int32_t start;        /* first day of the contract */
    int32_t initial_end;  /* last day of the initial period, absences included */
    int32_t end;          /* last day of the trial: renewal and absences included */
    int32_t notify_by;    /* last day the employer can notify the end with its full notice */
    int32_t renewed_on;   /* date of the renewal applied, or ENT_DATE_NONE */
    int32_t refused_on;   /* date of a renewal recorded but not applied, or ENT_DATE_NONE */
    int32_t absence_days; /* calendar days of absence added */
    uint16_t rule;        /* sch_rule_id_t: SCH_R_TRIAL_<category>, SCH_R_TRIAL_FIXED_TERM or
                           * SCH_R_TRIAL_LEGACY_BRANCH */
    uint8_t months;       /* length in months when stipulated in months, else 0 */
    uint8_t days;         /* length in days when stipulated in days (or fixed-term), else 0 */
    uint8_t refused_why;  /* SCH_RENEWAL_NO_* bits when refused_on is set */
    bool provisional;     /* a leave has not ended yet: end counts it through `today` */
} sch_trial_t;

/* Maximum initial length in months for a category (L1221-19), and the
 * maximum including the renewal (L1221-21); 0 for a value out of range. */
int sch_trial_default_months(sch_category_t category);
int sch_trial_max_months(sch_category_t category);

/* Length in days of the trial of a fixed-term contract running from start
 * to contract_end inclusive (L1242-10); 0 when the contract is shorter than
 * a week or contract_end < start. */
int sch_trial_fixed_term_days(int32_t start, int32_t contract_end);

/* Last day of the employer's notice (L1221-25) when the end of a trial that
 * began on `start` is notified on `notified_on` (>= start): 24 h under 8
 * days of presence, 48 h from the 8th day, 2 weeks from 1 month of
 * presence, 1 month from 3 months.  The contract may end on that day. */
int32_t sch_trial_notice_end(int32_t start, int32_t notified_on);

/* Latest date >= start on which a notification still ends its notice on or
 * before `end`; ENT_DATE_NONE when even a notification on `start` would not
 * (end < start + 1 day). */
int32_t sch_trial_latest_notification(int32_t start, int32_t end);

/* Trial of the employment whose HIRED fact is facts[0], facts[0..n) being
 * that employment's facts in date order, for an entity with `policy`
 * (NULL = sch_policy_defaults()).  Uses the HIRED snapshot: category,
 * contract, contract_end and the trial the contract stipulates (trial_days,
 * else trial_months; none when both are 0).  The stipulated length is capped
 * at the legal maximum: the category's for permanent and apprentice
 * contracts (not capped for a permanent contract started before 2023-09-09
 * when policy->legacy_branch_trial is set), L1242-10's for fixed-term ones.
 * The first TRIAL_RENEWED dated on or before the initial end is applied to
 * a permanent contract whose HIRED fact has SCH_FACT_TRIAL_RENEWABLE when
 * policy->branch_trial_renewal is set; otherwise it is reported in
 * refused_on / refused_why.  Leaves extend the trial.
 *
 * Returns 1 and fills *out when there is a trial, 0 (out->end =
 * ENT_DATE_NONE) when there is none (no trial stipulated, fixed-term
 * contract without an end or under a week), SCH_EINVAL when an argument
 * other than policy is NULL, n == 0, facts[0] is not HIRED or its category
 * is unknown. */
int sch_trial_from_facts(const sch_policy_t *policy, const sch_fact_t *facts, uint32_t n,
                         int32_t today, sch_trial_t *out);

/* Trial of the employee's latest employment (sch_last_employment()): as
 * sch_trial_from_facts() on its facts.  Returns 0 when the employee was
 * never hired, SCH_EINVAL when emp or out is NULL. */
int sch_trial_compute(const sch_policy_t *policy, const sch_employee_t *emp, int32_t today,
                      sch_trial_t *out);

/* Last day of the current trial period, or ENT_DATE_NONE when there is
 * none (or emp is NULL).  This is what `employee show` displays. */
int32_t sch_trial_end(const sch_policy_t *policy, const sch_employee_t *emp, int32_t today);

#endif
