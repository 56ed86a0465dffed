/*  ruleset.h — the legal and company rules, shipped as data.
 *
 *  Every deadline the scheduler computes comes from one row of a static
 *  table (ruleset.c): an identifier such as "epp.first.2025", the interview
 *  type it creates, the dates between which that version of the rule is in
 *  force, its legal basis and its numeric parameters (delays in months or
 *  days, thresholds, amounts).  The engine (rules.c, trial.c, discipline.c)
 *  reads every number from this table, so a change of law is a new row
 *  with new effective dates, not new code.  docs/policies.md is the prose
 *  version of the same table.
 *
 *  Effective dates are inclusive.  Which date selects a version depends on
 *  the rule and is written in the row's `applies_to` (for the professional
 *  interview it is the deadline under the former law, which is how the
 *  transition of Code civil art. 2222 works; for the return medical visit it
 *  is the first day of the leave, as decree 2022-372 says).
 */
#ifndef SCH_RULESET_H
#define SCH_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Day number (see common/date.h) of a literal Gregorian date, as an integer
 * constant expression, so that the rule table can be a static initializer.
 * Valid for years 1..9999 (the same formula as date.c; test_rules checks
 * that both agree). */
#define SCH_S_Y(y, m) ((y) - ((m) <= 2))
#define SCH_YMD(y, m, d)                                                                      \
    ((int32_t)((SCH_S_Y(y, m) / 400) * 146097 + (SCH_S_Y(y, m) % 400) * 365 +                 \
               (SCH_S_Y(y, m) % 400) / 4 - (SCH_S_Y(y, m) % 400) / 100 +                      \
               (153 * ((m) > 2 ? (m) - 3 : (m) + 9) + 2) / 5 + (d) - 1 - 719468))

/* Index of every row of the rule table.  Obligations carry this index
 * (sch_obligation_t.rule), never a string, so that compute stays free of
 * string handling; sch_rule_get() turns it into the row. */
typedef enum sch_rule_id {
    /* Entretien professionnel, former regime (loi 2014-288, as amended 2018). */
    SCH_R_EPP_FIRST_2014 = 0,
    SCH_R_EPP_PERIODIC_2014,
    SCH_R_EPP_RECAP_2014,
    SCH_R_EPP_RETURN_2014,
    SCH_R_EPP_COVID_2020,
    /* Entretien de parcours professionnel, loi 2025-989 and its transition. */
    SCH_R_EPP_FIRST_2025,
    SCH_R_EPP_FIRST_TRANSITION,
    SCH_R_EPP_PERIODIC_2025,
    SCH_R_EPP_PERIODIC_TRANSITION,
    SCH_R_EPP_RECAP_2025,
    SCH_R_EPP_RECAP_TRANSITION,
    SCH_R_EPP_RETURN_2025,
    SCH_R_EPP_MID_CAREER_2025,
    SCH_R_EPP_END_OF_CAREER_2025,
    /* Trial period and fixed-term contracts. */
    SCH_R_TRIAL_OUVRIER_EMPLOYE,
    SCH_R_TRIAL_MAITRISE_TECHNICIEN,
    SCH_R_TRIAL_CADRE,
    SCH_R_TRIAL_FIXED_TERM,
    SCH_R_TRIAL_NOTICE,
    SCH_R_CONTRACT_END,
    /* Occupational health and returns. */
    SCH_R_VISIT_RETURN_2012,
    SCH_R_VISIT_RETURN_2022,
    SCH_R_RETURN_TO_WORK,
    /* Company practice and other statutory interviews. */
    SCH_R_MOBILITY,
    SCH_R_WORKLOAD,
    /* Disciplinary deadlines (pure functions of discipline.h). */
    SCH_R_DISC_CONVOCATION,
    SCH_R_DISC_DISMISSAL_INTERVIEW,
    SCH_R_DISC_SANCTION,
    /* Rows added later go last: stored obligations carry these indexes.
     * Ordonnance 2020-1501 (supersedes SCH_R_EPP_COVID_2020). */
    SCH_R_EPP_COVID_2021,
    /* Longer trial periods of pre-2008 branch agreements, for contracts
     * started before 2023-09-09 (option legacy_branch_trial). */
    SCH_R_TRIAL_LEGACY_BRANCH,
    SCH_R_COUNT
} sch_rule_id_t;

/* One version of one rule.  Numeric parameters that a rule does not use
 * are 0; what each one means for each rule is in ruleset.c next to the
 * row and in docs/policies.md. */
typedef struct sch_rule {
    const char *id;          /* stable identifier, e.g. "epp.first.2025" */
    int type;                /* sch_type_t it creates (rules.h), or -1 (none) */
    int32_t effective_from;  /* first day in force (inclusive), INT32_MIN = always */
    int32_t effective_to;    /* last day in force (inclusive), INT32_MAX = open */
    int16_t months;          /* main delay, in months */
    int16_t alt_months;      /* secondary delay, in months */
    int16_t days;            /* main delay, in days (or jours ouvrables) */
    int16_t threshold_days;  /* first length threshold, in days */
    int16_t threshold2_days; /* second length threshold, in days */
    int16_t age_years;       /* age that triggers the rule */
    int32_t amount_eur;      /* money at stake (CPF top-up) */
    int32_t min_headcount;   /* smallest entity the amount applies to */
    int16_t surcharge_pct;   /* added to amount_eur when an inspection finds it unpaid and the
                              * formal notice is not complied with (L6323-13: 100) */
    int32_t sanction_from;   /* COVID rows: first day the CPF sanction was suspended (to
                              * effective_to); 0 when unused */
    char certainty;          /* 'A'..'D', the scale of the legal research */
    const char *basis;       /* legal basis, e.g. "Code du travail L6315-1 (loi 2025-989)" */
    const char *applies_to;  /* which date selects this version */
    const char *summary;     /* the rule in plain words */
} sch_rule_t;

/* The row with index id.  Returns NULL when id is not a sch_rule_id_t. */
const sch_rule_t *sch_rule_get(int id);

/* The whole table, in sch_rule_id_t order; *count receives SCH_R_COUNT.
 * The table is static and immutable: safe to share between threads. */
const sch_rule_t *sch_rules_table(size_t *count);

/* Looks a row up by its string identifier.  Returns the sch_rule_id_t, or
 * -1 when no row has that id or id is NULL. */
int sch_rule_find(const char *id);

/* True when the row is in force on date (effective_from <= date <=
 * effective_to). */
bool sch_rule_in_force(const sch_rule_t *rule, int32_t date);

#endif
