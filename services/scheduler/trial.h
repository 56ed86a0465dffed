/*  trial.h — trial period (période d'essai) arithmetic.
 *
 *  Permanent contracts (L1221-19..21): 2 / 3 / 4 months by category
 *  (ouvrier_employe / maitrise_technicien / cadre), renewable once up to
 *  4 / 6 / 8 months in total.  Fixed-term contracts (L1242-10): one day per
 *  week of contract, at most 2 weeks when the contract lasts 6 months or
 *  less, at most 1 month otherwise.  A trial counted in months ends on the
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
    int32_t absence_days; /* calendar days of absence added */
    uint16_t rule;        /* sch_rule_id_t: SCH_R_TRIAL_<category> or SCH_R_TRIAL_FIXED_TERM */
    uint8_t months;       /* length in months (permanent contracts), else 0 */
    uint8_t days;         /* length in days (fixed-term contracts), else 0 */
    bool provisional;     /* a leave has not ended yet: end counts it through `today` */
} sch_trial_t;

/* Default (and maximum initial) length in months for a category, and the
 * maximum including the renewal; 0 for a value out of range. */
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
 * that employment's facts in date order.  Uses the HIRED snapshot (category,
 * contract, contract_end, trial_months: 0 = the category default, larger
 * values are capped to it; apprentices have a trial only when trial_months
 * is given), the first TRIAL_RENEWED dated on or before the initial end
 * (permanent contracts only) and the leaves.
 *
 * Returns 1 and fills *out when there is a trial, 0 (out->end =
 * ENT_DATE_NONE) when there is none (fixed-term contract without an end,
 * apprentice without trial_months, fixed-term under a week), SCH_EINVAL
 * when an argument is NULL, n == 0 or facts[0] is not HIRED. */
int sch_trial_from_facts(const sch_fact_t *facts, uint32_t n, int32_t today, sch_trial_t *out);

/* Trial of the employee's latest employment (sch_last_employment()): as
 * sch_trial_from_facts() on its facts.  Returns 0 when the employee was
 * never hired, SCH_EINVAL when emp or out is NULL. */
int sch_trial_compute(const sch_employee_t *emp, int32_t today, sch_trial_t *out);

/* Last day of the current trial period, or ENT_DATE_NONE when there is
 * none (or emp is NULL).  This is what `employee show` displays. */
int32_t sch_trial_end(const sch_employee_t *emp, int32_t today);

#endif
