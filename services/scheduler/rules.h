/*  rules.h — the scheduler's legal-rules engine.
 *
 *  Given one employee's history (an ordered array of facts: hired, leaves,
 *  interviews held, medical visits, ...), the policy of the employee's
 *  entity and today's date, sch_rules_compute() recomputes from scratch
 *  every interview the employee owes, owed, met or no longer owes: type,
 *  due date, window, status, the rule and legal basis that create it and,
 *  at the professional recap, the €3,000 CPF top-up the entity is exposed
 *  to.  The daemon stores the result and diffs it against the previous one.
 *
 *  The engine is pure and deterministic: the output depends only on its
 *  arguments (same input, same bytes out), it reads no clock, allocates no
 *  memory, formats no string (sch_obligation_reason() does that on demand)
 *  and does work roughly linear in the number of facts.  It is therefore
 *  safe to call from any number of threads at once.
 *
 *  Dates are civil dates held as int32_t day numbers (common/date.h);
 *  ENT_DATE_NONE means "no date".  A deadline is met by an interview held on
 *  or before it; months and years keep the day number, clamped to the end
 *  of the month (ent_date_add_months).  Every number used comes from the
 *  rule table of ruleset.h; every point the law leaves open is an option of
 *  sch_policy_t with a documented default (docs/policies.md).
 *
 *  What `today` changes: only the status of obligations (upcoming becomes
 *  overdue the day after its due date; unmet obligations of someone who has
 *  left become cancelled), the appearance of the next link of a chain once
 *  a deadline is definitively missed (see sch_rules_compute), the penalty
 *  exposure (which counts missed deadlines) and the provisional end of a
 *  trial period during a leave that has not ended yet.  Due dates and
 *  anchors otherwise depend on the facts only.
 */
#ifndef SCH_RULES_H
#define SCH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/calendar.h"
#include "common/date.h"
#include "ruleset.h"

/* ---- Errors ------------------------------------------------------------ */

/* The output array is too small; sch_rules_capacity() gives a size that is
 * always enough.  Nothing useful is left in the array. */
#define SCH_ENOSPC (-1)
/* A NULL pointer where one is required, facts not sorted by date, an
 * unknown enum value in a fact, or a policy value out of range. */
#define SCH_EINVAL (-2)

/* ---- Enumerations (wire names in snake_case, see the *_name functions) -- */

/* Interview / obligation types.  SCH_TYPE_CORRECTIVE is an interview type
 * records may report; no rule creates an obligation of that type. */
typedef enum sch_type {
    SCH_TYPE_ANNUAL_REVIEW = 0,
    SCH_TYPE_PROFESSIONAL,
    SCH_TYPE_PROFESSIONAL_RECAP,
    SCH_TYPE_PROFESSIONAL_RETURN,
    SCH_TYPE_PROFESSIONAL_MID_CAREER,
    SCH_TYPE_PROFESSIONAL_END_OF_CAREER,
    SCH_TYPE_RETURN_TO_WORK,
    SCH_TYPE_RETURN_MEDICAL_VISIT,
    SCH_TYPE_INTERNAL_MOBILITY,
    SCH_TYPE_END_OF_TRIAL,
    SCH_TYPE_END_OF_CONTRACT,
    SCH_TYPE_WORKLOAD_REVIEW,
    SCH_TYPE_CORRECTIVE,
    SCH_TYPE_COUNT
} sch_type_t;

typedef enum sch_status {
    SCH_STATUS_UPCOMING = 0, /* not met, due today or later */
    SCH_STATUS_OVERDUE,      /* not met, due date passed */
    SCH_STATUS_MET,          /* met_on holds the date it was held (maybe after due_date) */
    SCH_STATUS_WAIVED,       /* not owed after all: met_on holds the interview that made it unnecessary */
    SCH_STATUS_CANCELLED,    /* the employee left before meeting it: cancelled_on holds the leaving date */
    SCH_STATUS_COUNT
} sch_status_t;

typedef enum sch_fact_kind {
    SCH_FACT_HIRED = 0,
    SCH_FACT_UPDATED,
    SCH_FACT_POSITION_CHANGED,
    SCH_FACT_TRIAL_RENEWED,
    SCH_FACT_LEFT,
    SCH_FACT_LEAVE_STARTED,
    SCH_FACT_LEAVE_ENDED,
    SCH_FACT_MEDICAL_VISIT,
    SCH_FACT_TRAINING_COMPLETED,
    SCH_FACT_INTERVIEW_HELD,
    SCH_FACT_COUNT
} sch_fact_kind_t;

typedef enum sch_category {
    SCH_CAT_OUVRIER_EMPLOYE = 0,
    SCH_CAT_MAITRISE_TECHNICIEN,
    SCH_CAT_CADRE,
    SCH_CAT_COUNT
} sch_category_t;

typedef enum sch_contract {
    SCH_CONTRACT_PERMANENT = 0,
    SCH_CONTRACT_FIXED_TERM,
    SCH_CONTRACT_APPRENTICE,
    SCH_CONTRACT_COUNT
} sch_contract_t;

typedef enum sch_leave {
    SCH_LEAVE_MATERNITY = 0,
    SCH_LEAVE_PATERNITY,
    SCH_LEAVE_ADOPTION,
    SCH_LEAVE_PARENTAL,
    SCH_LEAVE_PARENTAL_PART_TIME,
    SCH_LEAVE_CAREGIVER,
    SCH_LEAVE_SABBATICAL,
    SCH_LEAVE_SECURE_MOBILITY,
    SCH_LEAVE_LONG_ILLNESS,
    SCH_LEAVE_SICK,
    SCH_LEAVE_WORK_ACCIDENT,
    SCH_LEAVE_OCCUPATIONAL_DISEASE,
    SCH_LEAVE_UNION_MANDATE,
    SCH_LEAVE_UNPAID,
    SCH_LEAVE_COUNT
} sch_leave_t;

typedef enum sch_visit {
    SCH_VISIT_MID_CAREER = 0,
    SCH_VISIT_RETURN,
    SCH_VISIT_OTHER,
    SCH_VISIT_COUNT
} sch_visit_t;

/* ---- Policy options (each an uncertain legal point; 0 is the default) -- */

/* First professional interview of staff hired before 2025-10-26 whose
 * former two-year deadline had not expired on that day. */
typedef enum sch_first_transition {
    SCH_FIRST_ART2222 = 0, /* earlier of hire + 2 years and 2026-10-26 */
    SCH_FIRST_STRICT_NEW,  /* hire + 1 year when that is on/after 2025-10-26, else hire + 2 years */
    SCH_FIRST_COUNT
} sch_first_transition_t;

/* Deadline of the recap (état des lieux) under the 2025 law.  "7 years
 * after the first interview" permits an earlier first recap: it opens the
 * window, it is not the deadline (issue 18), so the default is the end of
 * the eight-year period. */
typedef enum sch_recap_deadline {
    SCH_RECAP_SENIORITY = 0,    /* 8, 16, 24... years of seniority; the first recap's window
                                 * opens 7 years after the first interview when that is earlier
                                 * than the last year of the period */
    SCH_RECAP_CONSERVATIVE,     /* earliest reading: 7 years after the first interview for the
                                 * first recap (8 after the previous recap for later ones) when
                                 * that is earlier than 8 years of seniority */
    SCH_RECAP_COMPLETED_YEARS,  /* ministry Q&A: before 9 completed years (8 y + 1 y - 1 day) */
    SCH_RECAP_COUNT
} sch_recap_deadline_t;

/* Whether an interview held after its deadline still counts as "missed"
 * when the CPF top-up is assessed. */
typedef enum sch_late_interview {
    SCH_LATE_IS_MISSED = 0, /* conservative: the deadline was breached */
    SCH_LATE_IS_MET,
    SCH_LATE_COUNT
} sch_late_interview_t;

/* Whether mid-career and end-of-career interviews restart the 4-year cycle. */
typedef enum sch_special_cycle {
    SCH_SPECIAL_KEEPS_CYCLE = 0, /* conservative: they do not */
    SCH_SPECIAL_RESETS_CYCLE,
    SCH_SPECIAL_COUNT
} sch_special_cycle_t;

/* Whether sabbatical and unpaid leave push professional-interview and
 * recap deadlines back day for day (ministry Q&A n° 1, certainty C). */
typedef enum sch_suspensions {
    SCH_SUSPENSIONS_IGNORED = 0, /* conservative: deadlines do not move */
    SCH_SUSPENSIONS_EXTEND,
    SCH_SUSPENSIONS_COUNT
} sch_suspensions_t;

/* What the mid-career and end-of-career interviews of L6315-1 I are:
 * interviews of their own, or the content the professional interview held
 * in their window must cover (commentary disagrees: docs/policies.md). */
typedef enum sch_special_interviews {
    SCH_SPECIAL_SEPARATE = 0, /* conservative: only an interview of that type meets them */
    SCH_SPECIAL_CONTENT,      /* any professional interview held in the window meets them, and
                               * they restart the cycle like any professional interview */
    SCH_SPECIAL_INTERVIEWS_COUNT
} sch_special_interviews_t;

/* The last day to convene after the employer learned of the facts
 * (L1332-4, two months): a limitation period, which no text extends to the
 * next working day (R1332-3 is about the one-month sanction limit). */
typedef enum sch_convocation_deadline {
    SCH_CONVOCATION_NO_EXTENSION = 0, /* the same day number two months on, whatever the day */
    SCH_CONVOCATION_NEXT_WORKING_DAY, /* extended like a procedural delay (CPC 642 by analogy) */
    SCH_CONVOCATION_COUNT
} sch_convocation_deadline_t;

/* The policy of one entity.  Start from sch_policy_defaults(); every field
 * is then used as given (a zero delay means "due on the day"), except
 * periodicity_years where 0 also means the statutory 4. */
typedef struct sch_policy {
    uint32_t headcount;            /* employees of the entity (CPF top-up from 50) */
    uint8_t region;                /* ent_region_t of the entity (common/calendar.h) */
    uint8_t periodicity_years;     /* professional interview cycle, 1..4 (0 = 4) */
    uint8_t first_transition;      /* sch_first_transition_t */
    uint8_t recap_deadline;        /* sch_recap_deadline_t */
    uint8_t late_interview;        /* sch_late_interview_t */
    uint8_t special_cycle;         /* sch_special_cycle_t */
    uint8_t suspensions;           /* sch_suspensions_t */
    uint8_t special_interviews;    /* sch_special_interviews_t */
    uint8_t convocation_deadline;  /* sch_convocation_deadline_t */
    uint8_t good_friday;           /* ent_good_friday_t where the entity's staff work */
    uint8_t branch_trial_renewal;  /* 1: an extended branch agreement of the entity allows
                                    * renewing a trial period (L1221-21); default 0 */
    uint8_t legacy_branch_trial;   /* 1: a branch agreement concluded before 2008-06-26 set
                                    * longer trial periods, which contracts started before
                                    * 2023-09-09 keep (loi 2023-171 art. 19); default 0 */
    uint16_t return_interview_days; /* professional_return due = return + this (default 0: on
                                     * the return date, L6315-1 I sets no delay) */
    uint16_t return_to_work_min_days; /* shortest leave (calendar days) owing return_to_work (30) */
    uint16_t return_to_work_days;   /* return_to_work due = return + this (default 8) */
    uint16_t mobility_days;         /* internal_mobility due = change + this (default 30) */
    uint16_t mobility_before_days;  /* an interview up to this many days before the change counts (30) */
    uint16_t end_of_contract_days;  /* end_of_contract due = contract end - this (default 30) */
    uint16_t trial_decision_days;   /* end_of_trial due this many days before the last
                                     * notification date (default 0) */
    int32_t history_from;           /* obligations due before this date are left out of the
                                     * output (ENT_DATE_NONE, the default: keep all) */
} sch_policy_t;

/* Fills *policy with the defaults: headcount 0, metropole, 4 years, every
 * option 0 (Good Friday unknown, no branch agreement declared), the day
 * counts named above, no history cut.  policy != NULL. */
void sch_policy_defaults(sch_policy_t *policy);

/* Checks a policy.  Returns 0, or SCH_EINVAL when policy is NULL, the
 * periodicity is longer than the statutory cycle (4 years, from the rule
 * table), the region or the Good Friday setting is unknown, an option is
 * out of its enumeration or a yes/no setting is neither 0 nor 1. */
int sch_policy_check(const sch_policy_t *policy);

/* ---- Facts and employees ----------------------------------------------- */

/* One fact of an employee's history.  16 bytes, plain integers.
 *
 *  - HIRED / UPDATED: the contract as in force from `date` (an UPDATED fact
 *    restates all of category, contract, contract_end, trial_months,
 *    trial_days, flags and forfait_jours; the caller folds partial updates
 *    into a full snapshot).  A HIRED fact after a LEFT fact starts a new
 *    employment.  The trial period is the one the contract stipulates
 *    (trial_days, else trial_months; both 0 = no trial: L1221-23, L1242-12).
 *  - TRIAL_RENEWED: arg = months added by the renewal (0 = up to the
 *    category maximum); the total never exceeds 4 / 6 / 8 months.  Applied
 *    only when the contract provides for it (SCH_FACT_TRIAL_RENEWABLE) and
 *    the entity's branch agreement does (sch_policy_t.branch_trial_renewal).
 *  - LEFT: date = the last day of the contract.
 *  - LEAVE_STARTED: date = first day of absence; arg = sch_leave_t.
 *  - LEAVE_ENDED: date = first day back at work; arg = sch_leave_t.
 *  - MEDICAL_VISIT: arg = sch_visit_t.
 *  - TRAINING_COMPLETED: arg = 1 if the training was mandatory (L6321-2).
 *  - INTERVIEW_HELD: arg = sch_type_t (from imported history or records).
 *  - POSITION_CHANGED: no argument (department/position live elsewhere). */
typedef struct sch_fact {
    int32_t date;          /* effective date (day number) */
    int32_t contract_end;  /* HIRED/UPDATED: end of a fixed-term or apprentice contract */
    uint8_t kind;          /* sch_fact_kind_t */
    uint8_t arg;           /* see above */
    uint8_t category;      /* HIRED/UPDATED: sch_category_t */
    uint8_t contract;      /* HIRED/UPDATED: sch_contract_t */
    uint8_t trial_months;  /* HIRED/UPDATED: trial stipulated in months, 0 = none */
    uint8_t forfait_jours; /* HIRED/UPDATED: 1 when on a forfait annuel en jours */
    uint8_t trial_days;    /* HIRED/UPDATED: trial stipulated in days (a fixed-term contract's
                            * L1242-10 trial is counted in days), 0 = none; wins over
                            * trial_months */
    uint8_t flags;         /* HIRED/UPDATED: SCH_FACT_* bits */
} sch_fact_t;

/* sch_fact_t.flags */
#define SCH_FACT_TRIAL_RENEWABLE 0x01 /* the contract provides for renewing the trial */

/* An employee: identity attributes that apply to the whole history plus
 * the facts, sorted by date (ties in an order the caller keeps stable, so
 * that the output is reproducible). */
typedef struct sch_employee {
    const sch_fact_t *facts;
    uint32_t nfacts;
    int32_t birth_date;  /* ENT_DATE_NONE when unknown (no end-of-career rule then) */
    uint32_t entity;     /* caller's id of the entity (campaign filters only) */
    uint32_t department; /* caller's id of the department (campaign filters only) */
} sch_employee_t;

/* Fact constructors (for callers and tests). */
static inline sch_fact_t sch_fact_contract(sch_fact_kind_t kind, int32_t date, sch_category_t category,
                                           sch_contract_t contract, int32_t contract_end,
                                           int trial_months, bool forfait_jours)
{
    sch_fact_t f = {date, contract_end, (uint8_t)kind, 0, (uint8_t)category, (uint8_t)contract,
                    (uint8_t)trial_months, (uint8_t)(forfait_jours ? 1 : 0), 0, 0};
    return f;
}

static inline sch_fact_t sch_fact_make(sch_fact_kind_t kind, int32_t date, int arg)
{
    sch_fact_t f = {date, ENT_DATE_NONE, (uint8_t)kind, (uint8_t)arg, 0, 0, 0, 0, 0, 0};
    return f;
}

/* ---- Obligations ------------------------------------------------------- */

/* Why an obligation exists (drives the reason sentence). */
typedef enum sch_cause {
    SCH_CAUSE_HIRE = 0,   /* anchor = hire / contract start */
    SCH_CAUSE_LAW_2014,   /* in post when law 2014-288 took effect (2014-03-07) */
    SCH_CAUSE_HELD,       /* anchor = the previous interview held */
    SCH_CAUSE_MISSED,     /* anchor = a deadline that passed with no interview */
    SCH_CAUSE_SENIORITY,  /* anchor = start of a seniority period (recap) */
    SCH_CAUSE_RETURN,     /* anchor = first day back; detail = sch_leave_t */
    SCH_CAUSE_VISIT,      /* anchor = the mid-career medical visit */
    SCH_CAUSE_BIRTHDAY,   /* ref_date = the 60th birthday */
    SCH_CAUSE_POSITION,   /* anchor = the position change */
    SCH_CAUSE_FORFAIT,    /* anchor = start of the forfait-jours agreement */
    SCH_CAUSE_COUNT
} sch_cause_t;

/* sch_obligation_t.flags */
#define SCH_OBL_LATE 0x01       /* met after its due date */
#define SCH_OBL_COVID 0x02      /* deadline deferred by a COVID ordinance (2020-387, 2020-1501) */
#define SCH_OBL_STRICT_NEW 0x04 /* first interview computed with SCH_FIRST_STRICT_NEW */
#define SCH_OBL_PROVISIONAL 0x08 /* depends on a leave not ended yet (trial) */
#define SCH_OBL_EARLY 0x10      /* recap moved earlier by option conservative */
#define SCH_OBL_CHAINED 0x20    /* return after several leaves in a row (detail = the first) */
#define SCH_OBL_RENEWAL_IGNORED 0x40 /* end_of_trial: a renewal was recorded but not applied;
                                      * detail = SCH_RENEWAL_NO_* bits (why) */
#define SCH_OBL_ONE_MAY_SUFFICE 0x80 /* mid/end of career under option `separate`: a professional
                                      * interview falls due or was held in its window, which the
                                      * other reading would let meet both */

/* sch_obligation_t.detail of an end_of_trial with SCH_OBL_RENEWAL_IGNORED. */
#define SCH_RENEWAL_NO_CLAUSE 0x01    /* the contract does not provide for a renewal */
#define SCH_RENEWAL_NO_AGREEMENT 0x02 /* no branch agreement allowing it is declared */

/* One obligation.  (employee, type, anchor) identifies it across
 * recomputes: the anchor is the date of the fact that gives rise to it and
 * does not move when the due date does (a trial renewed, a contract
 * extended, a leave prolonged). */
typedef struct sch_obligation {
    int32_t due_date;     /* last day to hold it (inclusive) */
    int32_t window_start; /* first day an interview held counts for it */
    int32_t anchor;       /* stable key, see sch_cause_t */
    int32_t met_on;       /* MET: date held; WAIVED: the interview that made it unnecessary */
    int32_t cancelled_on; /* CANCELLED: the leaving date */
    int32_t ref_date;     /* type-specific second date: trial end (end_of_trial), contract
                           * end (end_of_contract), 60th birthday (end_of_career), first
                           * day of the absence (returns), start of the seniority period
                           * (recap); ENT_DATE_NONE when unused */
    int32_t penalty_eur;  /* CPF top-up exposure at a recap, else 0 (what is owed; see
                           * sch_obligation_penalty_if_inspected for the surcharge) */
    uint16_t rule;        /* sch_rule_id_t (ruleset.h): id, basis, parameters */
    uint8_t type;         /* sch_type_t */
    uint8_t status;       /* sch_status_t */
    uint8_t cause;        /* sch_cause_t */
    uint8_t detail;       /* cause-specific: sch_leave_t, cycle length in months, the
                           * recap's period number, SCH_RENEWAL_NO_* (end_of_trial with
                           * SCH_OBL_RENEWAL_IGNORED), 1 for a mid/end-of-career obligation
                           * computed with special_interviews = content... */
    uint8_t flags;        /* SCH_OBL_* */
    uint8_t reserved;
} sch_obligation_t;

/* Recomputes every obligation of one employee.
 *
 *  policy:  the employee's entity policy (sch_policy_check() must accept it)
 *  emp:     the employee; emp->facts sorted by date
 *  today:   the date statuses are judged on (the pinned or real clock)
 *  out/max: caller-provided array
 *
 *  Facts before the first HIRED fact are ignored; each HIRED starts an
 *  employment that a LEFT ends, and facts dated after the LEFT (up to the
 *  next HIRED) are ignored.  For each employment the output holds, within
 *  the horizon set by policy->history_from: every obligation whose due date
 *  has passed (met, overdue, waived or cancelled) since the rule existed,
 *  and the next one of each chain (professional cycle, recap, workload).  A
 *  chain link that is missed stays open (an interview held late meets it)
 *  until the next link's due date has also passed on `today`: it is then
 *  reported overdue for good and the next link, anchored on the missed
 *  deadline, takes over.  Obligations are sorted by (due_date, type,
 *  anchor).
 *
 *  Returns the number of obligations written (0..max), SCH_ENOSPC when max
 *  is too small (retry with sch_rules_capacity(emp, today)), or SCH_EINVAL
 *  (NULL policy/emp, out NULL with max > 0, max < 0, invalid policy,
 *  today == ENT_DATE_NONE, a fact dated ENT_DATE_NONE, unsorted facts or an
 *  unknown enum value in a fact). */
int sch_rules_compute(const sch_policy_t *policy, const sch_employee_t *emp, int32_t today,
                      sch_obligation_t *out, int max);

/* The latest employment of the employee: facts [*from, *to) (facts[*from]
 * is the HIRED that started it; a HIRED while employed only restates the
 * contract, and so does a rehire on the day the contract ended) and its
 * leaving date (*left, ENT_DATE_NONE while employed).  Any out pointer may
 * be NULL.  Returns 1, 0 when the employee was never hired, or SCH_EINVAL
 * when emp is NULL or has nfacts > 0 and no facts. */
int sch_last_employment(const sch_employee_t *emp, uint32_t *from, uint32_t *to, int32_t *left);

/* An output size that is always enough for sch_rules_compute(emp, today):
 * a small multiple of the number of facts plus a few links per year of
 * history.  emp may not be NULL. */
int sch_rules_capacity(const sch_employee_t *emp, int32_t today);

/* Writes the reason sentence of an obligation, e.g. "Hired 2026-03-15:
 * first professional interview due within one year, by 2027-03-15
 * (Code du travail L6315-1 as amended by loi 2025-989 art. 3).", followed
 * by its status ("Met on ...", "Overdue since ...", "Cancelled: left on
 * ...") and the CPF exposure where there is one.  Same contract as
 * snprintf: writes at most size bytes including the NUL (buf may be NULL
 * when size is 0) and returns the length of the whole sentence. */
size_t sch_obligation_reason(const sch_obligation_t *ob, char *buf, size_t size);

/* The language of a reason sentence. */
typedef enum { SCH_LANG_EN = 0, SCH_LANG_FR } sch_lang_t;

/* sch_obligation_reason in lang: French sentences write dates dd/mm/yyyy
 * ("Embauche le 15/03/2026 : premier entretien professionnel dû dans
 * l'année, au plus tard le 15/03/2027 (...)."); the legal basis in
 * parentheses is quoted as written.  Same contract as
 * sch_obligation_reason. */
size_t sch_obligation_reason_lang(const sch_obligation_t *ob, sch_lang_t lang, char *buf, size_t size);

/* The rule row of an obligation (never NULL for engine output). */
const sch_rule_t *sch_obligation_rule(const sch_obligation_t *ob);

/* What the entity would pay if an inspection found the CPF top-up of this
 * obligation unpaid and the formal notice (mise en demeure) that follows
 * were not complied with: penalty_eur plus the row's surcharge (L6323-13:
 * the shortfall "majorée de 100 %", paid to the Treasury).  0 when
 * penalty_eur is 0 or ob is NULL. */
int32_t sch_obligation_penalty_if_inspected(const sch_obligation_t *ob);

/* ---- Absences ---------------------------------------------------------- */

/* Bit of a leave kind in a kinds mask. */
#define SCH_LEAVE_BIT(kind) (1u << (kind))

/* Extends the period [from, end] by the calendar days of absence inside
 * it, absences being the union of the leaves whose kind is in `kinds`
 * (LEAVE_STARTED .. day before LEAVE_ENDED) among facts[0..n).  Days
 * added bring later absences into the period too (Cass. soc. 11/09/2019).
 * A leave with no end yet counts through `today` and sets *provisional
 * (when not NULL); a LEAVE_ENDED without a start is ignored.  Returns the
 * new end (end itself when nothing overlaps). */
int32_t sch_extend_by_absence(const sch_fact_t *facts, uint32_t n, uint32_t kinds, int32_t from,
                              int32_t end, int32_t today, bool *provisional);

/* ---- Campaign eligibility ---------------------------------------------- */

/* Filter of a campaign (annual_review or any type).  0 / ENT_DATE_NONE
 * fields do not filter. */
typedef struct sch_campaign_filter {
    uint32_t entity;      /* 0 = any */
    uint32_t department;  /* 0 = any */
    int32_t hired_before; /* only staff whose current employment began before this date */
} sch_campaign_filter_t;

/* True when the employee matches the filter and is employed on `on`
 * (hired on or before it, not left before it: the leaving date itself
 * still counts).  False when filter or emp is NULL. */
bool sch_campaign_eligible(const sch_campaign_filter_t *filter, const sch_employee_t *emp,
                           int32_t on);

/* ---- Names ------------------------------------------------------------- */

/* Each *_name returns the wire name ("professional_recap", "overdue", ...),
 * or NULL for a value out of range.  Each *_parse returns 0 and sets *out,
 * or -1 when name is NULL or unknown. */
const char *sch_type_name(int type);
int sch_type_parse(const char *name, sch_type_t *out);
const char *sch_status_name(int status);
int sch_status_parse(const char *name, sch_status_t *out);
const char *sch_fact_kind_name(int kind);
int sch_fact_kind_parse(const char *name, sch_fact_kind_t *out);
const char *sch_category_name(int category);
int sch_category_parse(const char *name, sch_category_t *out);
const char *sch_contract_name(int contract);
int sch_contract_parse(const char *name, sch_contract_t *out);
const char *sch_leave_name(int leave);
int sch_leave_parse(const char *name, sch_leave_t *out);
const char *sch_visit_name(int visit);
int sch_visit_parse(const char *name, sch_visit_t *out);
/* Option names: "art2222" | "strict_new"; "seniority" | "conservative" |
 * "completed_years"; "missed" | "met"; "keeps_cycle" | "resets_cycle";
 * "ignored" | "extend"; "separate" | "content"; "no_extension" |
 * "next_working_day". */
const char *sch_first_transition_name(int v);
int sch_first_transition_parse(const char *name, sch_first_transition_t *out);
const char *sch_recap_deadline_name(int v);
int sch_recap_deadline_parse(const char *name, sch_recap_deadline_t *out);
const char *sch_late_interview_name(int v);
int sch_late_interview_parse(const char *name, sch_late_interview_t *out);
const char *sch_special_cycle_name(int v);
int sch_special_cycle_parse(const char *name, sch_special_cycle_t *out);
const char *sch_suspensions_name(int v);
int sch_suspensions_parse(const char *name, sch_suspensions_t *out);
const char *sch_special_interviews_name(int v);
int sch_special_interviews_parse(const char *name, sch_special_interviews_t *out);
const char *sch_convocation_deadline_name(int v);
int sch_convocation_deadline_parse(const char *name, sch_convocation_deadline_t *out);

#endif
