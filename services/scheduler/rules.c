/*  rules.c — the legal-rules engine (see rules.h and docs/policies.md).
 *
 *  Shape: sch_rules_compute() splits the history into employments (HIRED ..
 *  LEFT) and runs one small module per family of obligations over that
 *  employment's facts.  Each module walks the facts once (a few look
 *  backwards or forwards from a fact, bounded by a window), writes
 *  obligations straight into the caller's array, and never allocates.
 *  Statuses, penalties and cancellations are settled per employment at the
 *  end, then the whole output is cut to the history horizon and sorted.
 *
 *  Chains (the professional cycle, the recap periods, the workload review)
 *  are driven by "links": the open obligation of the chain.  An interview
 *  held meets the open link even late, unless the next link's deadline had
 *  already passed by then, in which case the open link is missed for good
 *  and the next one (anchored on the missed deadline) takes over.
 */
#include "rules.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/calendar.h"
#include "trial.h"

#define S_NONE ENT_DATE_NONE

/* The recap window opens a year before the nominal deadline, and the
 * "completed years" reading of the ministry Q&A adds one more year (minus
 * a day) to the 8 years. */
#define S_RECAP_YEAR_MONTHS 12

/* sch_obligation_t.detail of a mid- or end-of-career obligation computed
 * with option special_interviews = content (the reason says so). */
#define S_DETAIL_CONTENT 1

/* Leaves whose end owes a return professional interview (L6315-1 I);
 * ordinary sick leave qualifies only beyond the rule's `months` (long
 * illness, sick leave over 6 months). */
#define S_RETURN_EPP_KINDS                                                                         \
    (SCH_LEAVE_BIT(SCH_LEAVE_MATERNITY) | SCH_LEAVE_BIT(SCH_LEAVE_ADOPTION) |                       \
     SCH_LEAVE_BIT(SCH_LEAVE_PARENTAL) | SCH_LEAVE_BIT(SCH_LEAVE_PARENTAL_PART_TIME) |              \
     SCH_LEAVE_BIT(SCH_LEAVE_CAREGIVER) | SCH_LEAVE_BIT(SCH_LEAVE_SABBATICAL) |                     \
     SCH_LEAVE_BIT(SCH_LEAVE_SECURE_MOBILITY) | SCH_LEAVE_BIT(SCH_LEAVE_LONG_ILLNESS) |             \
     SCH_LEAVE_BIT(SCH_LEAVE_UNION_MANDATE))

/* Not absences from work, so no return-to-work interview after them. */
#define S_RTW_EXCLUDED_KINDS                                                                       \
    (SCH_LEAVE_BIT(SCH_LEAVE_PARENTAL_PART_TIME) | SCH_LEAVE_BIT(SCH_LEAVE_UNION_MANDATE))

/* Suspensions that may push EPP deadlines back (ministry Q&A n° 1): of
 * the leaves the product knows, sabbatical and unpaid leave. */
#define S_SUSPENSION_KINDS (SCH_LEAVE_BIT(SCH_LEAVE_SABBATICAL) | SCH_LEAVE_BIT(SCH_LEAVE_UNPAID))

/* ---- Context ------------------------------------------------------------ */

typedef struct s_ctx {
    const sch_policy_t *pol;
    const sch_employee_t *emp;
    const sch_fact_t *f; /* facts of the current employment; f[0] is its HIRED */
    uint32_t n;
    int32_t hire;
    int32_t left;  /* last day of the employment, or S_NONE */
    int32_t today;
    int32_t limit; /* min(today, left): chains do not grow past it */
    int32_t law2014;
    int32_t reform;
    int period_months;
    sch_obligation_t *out;
    int max;
    int count;
    bool full;
} s_ctx_t;

/* An obligation being built (the open link of a chain, or a one-off). */
typedef struct s_link {
    int32_t anchor, ws, due, ref;
    uint16_t rule;
    uint8_t type, cause, detail, flags;
} s_link_t;

typedef void (*s_next_fn)(const s_ctx_t *c, int32_t anchor, uint8_t cause, s_link_t *out);
typedef bool (*s_meets_fn)(const s_ctx_t *c, const sch_fact_t *f);

static int32_t s_max(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static int32_t s_min(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

static bool s_interview(const sch_fact_t *f, sch_type_t type)
{
    return f->kind == SCH_FACT_INTERVIEW_HELD && f->arg == type;
}

/* Any entretien (de parcours) professionnel: what the return exception
 * and the return interview accept. */
static bool s_any_epp(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    if (f->kind != SCH_FACT_INTERVIEW_HELD)
        return false;
    return f->arg >= SCH_TYPE_PROFESSIONAL && f->arg <= SCH_TYPE_PROFESSIONAL_END_OF_CAREER;
}

/* An interview that restarts the professional cycle (R-EPP-2). */
static bool s_cycle_epp(const s_ctx_t *c, const sch_fact_t *f)
{
    if (f->kind != SCH_FACT_INTERVIEW_HELD)
        return false;
    switch (f->arg) {
    case SCH_TYPE_PROFESSIONAL:
    case SCH_TYPE_PROFESSIONAL_RECAP:
    case SCH_TYPE_PROFESSIONAL_RETURN:
        return true;
    case SCH_TYPE_PROFESSIONAL_MID_CAREER:
    case SCH_TYPE_PROFESSIONAL_END_OF_CAREER:
        /* Read as the content of a professional interview, they are one. */
        return c->pol->special_cycle == SCH_SPECIAL_RESETS_CYCLE ||
               c->pol->special_interviews == SCH_SPECIAL_CONTENT;
    default:
        return false;
    }
}

static bool s_meets_rtw(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    return s_interview(f, SCH_TYPE_RETURN_TO_WORK);
}

static bool s_meets_visit(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    return f->kind == SCH_FACT_MEDICAL_VISIT && f->arg == SCH_VISIT_RETURN;
}

/* Option special_interviews: an interview of the type itself, or (content)
 * any professional interview held in the window. */
static bool s_meets_special(const s_ctx_t *c, const sch_fact_t *f, sch_type_t type)
{
    if (c->pol->special_interviews == SCH_SPECIAL_CONTENT)
        return s_any_epp(c, f);
    return s_interview(f, type);
}

static bool s_meets_mid_career(const s_ctx_t *c, const sch_fact_t *f)
{
    return s_meets_special(c, f, SCH_TYPE_PROFESSIONAL_MID_CAREER);
}

static bool s_meets_mobility(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    return s_interview(f, SCH_TYPE_INTERNAL_MOBILITY);
}

/* Date of the first fact satisfying `meets`, dated in [ws, stop), looking
 * from the trigger at index k backwards (while dates stay >= ws) and then
 * forwards.  `stop` is where the next trigger of the same kind takes over,
 * so that an interview held for a later trigger is not credited to an
 * earlier, missed one.  With `consumed`, facts below *consumed are skipped
 * and the fact found is used up (one interview meets one obligation).
 * S_NONE when none. */
static int32_t s_find(const s_ctx_t *c, uint32_t k, int32_t ws, int32_t stop, uint32_t *consumed,
                      s_meets_fn meets)
{
    uint32_t lo = consumed != NULL ? *consumed : 0;
    uint32_t i = k;
    while (i > lo && c->f[i - 1].date >= ws)
        i--;
    if (i < lo)
        i = lo;
    for (; i < c->n && c->f[i].date < stop; i++) {
        if (c->f[i].date >= ws && meets(c, &c->f[i])) {
            if (consumed != NULL)
                *consumed = i + 1;
            return c->f[i].date;
        }
    }
    return S_NONE;
}

/* Date of the first fact after index k satisfying `is`, or INT32_MAX. */
static int32_t s_next_date(const s_ctx_t *c, uint32_t k, s_meets_fn is)
{
    for (uint32_t i = k + 1; i < c->n; i++) {
        if (is(c, &c->f[i]))
            return c->f[i].date;
    }
    return INT32_MAX;
}

static sch_obligation_t *s_emit(s_ctx_t *c, const s_link_t *l, int32_t met_on, bool waived)
{
    if (c->count >= c->max) {
        c->full = true;
        return NULL;
    }
    sch_obligation_t *o = &c->out[c->count++];
    uint8_t status = SCH_STATUS_UPCOMING;
    uint8_t flags = l->flags;
    if (waived) {
        status = SCH_STATUS_WAIVED;
    } else if (met_on != S_NONE) {
        status = SCH_STATUS_MET;
        if (met_on > l->due)
            flags |= SCH_OBL_LATE;
    }
    *o = (sch_obligation_t){.due_date = l->due,
                            .window_start = l->ws > l->due ? l->due : l->ws,
                            .anchor = l->anchor,
                            .met_on = met_on,
                            .cancelled_on = S_NONE,
                            .ref_date = l->ref,
                            .penalty_eur = 0,
                            .rule = l->rule,
                            .type = l->type,
                            .status = status,
                            .cause = l->cause,
                            .detail = l->detail,
                            .flags = flags};
    return o;
}

/* The COVID ordinances, the later first: a former-regime deadline of an
 * interview of `type` falling in a row's period could be met until its
 * last day.  Ordonnance 2020-1501 replaced 2020-387 for every deadline the
 * latter covered, so 2020-387 is kept for the record and would apply only
 * to a deadline 2020-1501 does not cover. */
static const uint16_t S_COVID_ROWS[] = {SCH_R_EPP_COVID_2021, SCH_R_EPP_COVID_2020};
#define S_COVID_COUNT ((int)(sizeof S_COVID_ROWS / sizeof S_COVID_ROWS[0]))

static const sch_rule_t *s_covid_row(int32_t due, sch_type_t type)
{
    for (int i = 0; i < S_COVID_COUNT; i++) {
        const sch_rule_t *r = sch_rule_get(S_COVID_ROWS[i]);
        if ((r->type < 0 || r->type == (int)type) && sch_rule_in_force(r, due))
            return r;
    }
    return NULL;
}

static int32_t s_covid(int32_t due, sch_type_t type, uint8_t *flags)
{
    const sch_rule_t *r = s_covid_row(due, type);
    if (r != NULL) {
        *flags |= SCH_OBL_COVID;
        return r->effective_to;
    }
    return due;
}

/* Option `suspensions`: sabbatical and unpaid leave push the deadline. */
static int32_t s_suspend(const s_ctx_t *c, int32_t from, int32_t due)
{
    if (c->pol->suspensions != SCH_SUSPENSIONS_EXTEND)
        return due;
    return sch_extend_by_absence(c->f, c->n, S_SUSPENSION_KINDS, from, due, c->today, NULL);
}

/* Emits the open link while the next link's deadline is before `until`
 * (the open one is then missed for good) and moves on to the next link. */
static void s_chain_advance(s_ctx_t *c, s_link_t *cur, int32_t until, s_next_fn next)
{
    /* Every next link falls due after the open one: nothing to do while
     * the open one is not even due (the common case, kept cheap). */
    while (!c->full && until > cur->due) {
        s_link_t nx;
        next(c, cur->due, SCH_CAUSE_MISSED, &nx);
        if (nx.due >= until || nx.due <= cur->due)
            return;
        s_emit(c, cur, S_NONE, false);
        *cur = nx;
    }
}

/* ---- Professional interview cycle (R-EPP-1, R-EPP-2) -------------------- */

static void s_first_link(const s_ctx_t *c, s_link_t *l)
{
    const sch_rule_t *old = sch_rule_get(SCH_R_EPP_FIRST_2014);
    const sch_rule_t *neu = sch_rule_get(SCH_R_EPP_FIRST_2025);
    int32_t h = c->hire;
    int32_t s0 = s_max(h, c->law2014);
    *l = (s_link_t){.anchor = h,
                    .ws = s0,
                    .ref = S_NONE,
                    .type = SCH_TYPE_PROFESSIONAL,
                    .cause = s0 > h ? SCH_CAUSE_LAW_2014 : SCH_CAUSE_HIRE};
    if (h >= c->reform) {
        l->rule = SCH_R_EPP_FIRST_2025;
        l->due = ent_date_add_months(h, neu->months);
    } else {
        int32_t old_due = ent_date_add_months(s0, old->months);
        if (old_due < c->reform) {
            /* Expired before the reform: the former deadline stands. */
            l->rule = SCH_R_EPP_FIRST_2014;
            l->due = s_covid(old_due, SCH_TYPE_PROFESSIONAL, &l->flags);
        } else if (c->pol->first_transition == SCH_FIRST_STRICT_NEW) {
            int32_t new_due = ent_date_add_months(h, neu->months);
            l->rule = SCH_R_EPP_FIRST_TRANSITION;
            l->flags |= SCH_OBL_STRICT_NEW;
            l->due = new_due >= c->reform ? new_due : old_due;
        } else {
            const sch_rule_t *tr = sch_rule_get(SCH_R_EPP_FIRST_TRANSITION);
            l->rule = SCH_R_EPP_FIRST_TRANSITION;
            l->due = s_min(old_due, ent_date_add_months(c->reform, tr->months));
        }
    }
    l->detail = (uint8_t)(sch_rule_get(l->rule)->months);
    l->due = s_suspend(c, l->anchor, l->due);
}

static void s_periodic_link(const s_ctx_t *c, int32_t a, uint8_t cause, s_link_t *l)
{
    const sch_rule_t *old = sch_rule_get(SCH_R_EPP_PERIODIC_2014);
    /* From the reform on, the former deadline is never needed. */
    int32_t old_due = a >= c->reform ? c->reform : ent_date_add_months(a, old->months);
    *l = (s_link_t){.anchor = a, .ws = a + 1, .ref = S_NONE, .type = SCH_TYPE_PROFESSIONAL,
                    .cause = cause};
    if (old_due < c->reform) {
        l->rule = SCH_R_EPP_PERIODIC_2014;
        l->due = s_covid(old_due, SCH_TYPE_PROFESSIONAL, &l->flags);
        l->detail = (uint8_t)old->months;
    } else {
        /* New law, or art. 2222: a deadline still running on the reform
         * day now runs the new (or agreed, shorter) cycle from the same
         * starting point. */
        l->rule = a >= c->reform ? SCH_R_EPP_PERIODIC_2025 : SCH_R_EPP_PERIODIC_TRANSITION;
        l->due = ent_date_add_months(a, c->period_months);
        l->detail = (uint8_t)c->period_months;
    }
    l->due = s_suspend(c, a, l->due);
}

static void s_professional(s_ctx_t *c)
{
    s_link_t cur;
    s_first_link(c, &cur);
    int32_t first_ws = cur.ws;
    /* An interview on the hire day is the information owed at hire, not
     * the first interview (and would share the first link's anchor). */
    int32_t last = c->hire;
    for (uint32_t i = 0; i < c->n && !c->full; i++) {
        const sch_fact_t *f = &c->f[i];
        /* Interviews before the 2014 law predate the obligation; a second
         * interview on the same day does not start another cycle. */
        if (!s_cycle_epp(c, f) || f->date < first_ws || f->date == last)
            continue;
        s_chain_advance(c, &cur, f->date, s_periodic_link);
        s_emit(c, &cur, f->date, false);
        s_periodic_link(c, f->date, SCH_CAUSE_HELD, &cur);
        last = f->date;
    }
    s_chain_advance(c, &cur, c->limit, s_periodic_link);
    s_emit(c, &cur, S_NONE, false);
}

/* ---- Recap, état des lieux (R-EPP-3) ------------------------------------ */

/* The recap of the seniority period starting at s (the k-th, 1-based).
 * *next_s receives the start of the following period. */
static void s_recap_link(const s_ctx_t *c, int32_t s, int k, int32_t first_epp, int32_t prev_met,
                         s_link_t *l, int32_t *next_s)
{
    const sch_rule_t *old = sch_rule_get(SCH_R_EPP_RECAP_2014);
    /* A period starting on or after the reform never needs the former one. */
    int32_t old_nominal = s >= c->reform ? c->reform : ent_date_add_months(s, old->months);
    *l = (s_link_t){.anchor = s, .ref = s, .type = SCH_TYPE_PROFESSIONAL_RECAP,
                    .cause = SCH_CAUSE_SENIORITY, .detail = (uint8_t)(k > 255 ? 255 : k)};
    if (old_nominal < c->reform) {
        l->rule = SCH_R_EPP_RECAP_2014;
        l->due = s_covid(old_nominal, SCH_TYPE_PROFESSIONAL_RECAP, &l->flags);
        l->ws = ent_date_add_months(old_nominal, -old->alt_months);
        *next_s = old_nominal;
    } else {
        /* New law, or art. 2222: a six-year period running on the reform
         * day now lasts eight years from the same start. */
        l->rule = s >= c->reform ? SCH_R_EPP_RECAP_2025 : SCH_R_EPP_RECAP_TRANSITION;
        const sch_rule_t *r = sch_rule_get(l->rule);
        int32_t nominal = ent_date_add_months(s, r->months);
        int32_t first7 = S_NONE;
        if (k == 1 && first_epp != S_NONE)
            first7 = ent_date_add_months(first_epp, r->alt_months);
        switch (c->pol->recap_deadline) {
        case SCH_RECAP_COMPLETED_YEARS:
            l->due = ent_date_add_months(s, r->months + S_RECAP_YEAR_MONTHS) - 1;
            break;
        default: /* SCH_RECAP_SENIORITY: the end of the period; "7 years after
                  * the first interview" only opens the window (below) */
            l->due = nominal;
            break;
        case SCH_RECAP_CONSERVATIVE: /* the earliest of the readings */
            l->due = nominal;
            if (first7 != S_NONE && first7 < l->due) {
                l->due = first7;
                l->flags |= SCH_OBL_EARLY;
            }
            if (k > 1 && prev_met != S_NONE &&
                ent_date_add_months(prev_met, r->months) < l->due) {
                l->due = ent_date_add_months(prev_met, r->months);
                l->flags |= SCH_OBL_EARLY;
            }
            break;
        }
        /* The first recap may be held from 7 years after the first
         * interview (L6315-1 II): that opens its window.  Without that date
         * (no first interview, a later recap, or one held so late that the
         * date falls after the period), the window is the last year of the
         * period, a product choice.  Option conservative keeps the window
         * it always had: the last year, or from the 7-year date if earlier. */
        l->ws = ent_date_add_months(nominal, -S_RECAP_YEAR_MONTHS);
        if (c->pol->recap_deadline == SCH_RECAP_CONSERVATIVE) {
            if (first7 != S_NONE && first7 < l->ws)
                l->ws = first7;
        } else if (first7 != S_NONE && first7 <= nominal) {
            l->ws = first7;
        }
        *next_s = nominal;
    }
    l->due = s_suspend(c, s, l->due);
    if (l->ws > l->due)
        l->ws = l->due;
}

static void s_recap(s_ctx_t *c)
{
    int32_t s = s_max(c->hire, c->law2014);
    /* The first period is anchored on the hire date, which identifies the
     * employment (staff of 2014 share the period start 2014-03-07). */
    int32_t anchor = c->hire;
    int32_t first_epp = S_NONE;
    for (uint32_t i = 0; i < c->n; i++) {
        if (c->f[i].date >= s && s_cycle_epp(c, &c->f[i])) {
            first_epp = c->f[i].date;
            break;
        }
    }
    int32_t prev_met = S_NONE;
    uint32_t idx = 0;
    for (int k = 1; !c->full; k++) {
        s_link_t cur, nx;
        int32_t ns, nns;
        s_recap_link(c, s, k, first_epp, prev_met, &cur, &ns);
        cur.anchor = anchor;
        /* The next period's deadline bounds how late this recap can still
         * be met (its nominal reading: the previous recap is not known).
         * Only needed once the open recap is overdue on `today` or an
         * interview came after its deadline. */
        bool need_next = c->limit > cur.due;
        for (uint32_t i = idx; i < c->n && !need_next; i++)
            if (c->f[i].date > cur.due && s_interview(&c->f[i], SCH_TYPE_PROFESSIONAL_RECAP))
                need_next = true;
        if (need_next)
            s_recap_link(c, ns, k + 1, first_epp, S_NONE, &nx, &nns);
        else
            nx.due = INT32_MAX;
        int32_t held = S_NONE;
        for (; idx < c->n; idx++) {
            const sch_fact_t *f = &c->f[idx];
            if (f->date >= cur.ws && s_interview(f, SCH_TYPE_PROFESSIONAL_RECAP)) {
                held = f->date;
                break;
            }
        }
        if (held != S_NONE && held <= nx.due) {
            s_emit(c, &cur, held, false);
            prev_met = held;
            idx++;
        } else {
            s_emit(c, &cur, S_NONE, false);
            if (nx.due >= c->limit)
                return; /* the open recap */
        }
        s = ns;
        anchor = ns;
    }
}

/* ---- Returns from leave (R-EPP-5, R-HEALTH-1, return-to-work policy) ----- */

/* A continuous absence: leaves that follow each other with no day back at
 * work in between (maternity then parental leave) end in one return, which
 * owes what any of them owes. */
typedef struct s_stretch {
    int32_t start;     /* first day of absence, S_NONE when a leave's start is unknown */
    bool start_known;  /* false as soon as one leave of the stretch lacks its start */
    int epp_kind;      /* leave owing a return EPP, or -1 */
    int visit_kind;    /* leave owing a return medical visit, or -1 */
    uint16_t visit_rule;
    int first_kind;    /* first leave of the stretch (for the sentence) */
    int leaves;        /* how many leaves it chains */
} s_stretch_t;

static void s_stretch_reset(s_stretch_t *st)
{
    *st = (s_stretch_t){.start = S_NONE, .start_known = true, .epp_kind = -1, .visit_kind = -1,
                        .first_kind = -1};
}

/* Absences from work: a part-time parental period and a union mandate are
 * not (the employee works). */
static bool s_absence_start(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    return f->kind == SCH_FACT_LEAVE_STARTED && (SCH_TRIAL_ABSENCE_KINDS & SCH_LEAVE_BIT(f->arg));
}

/* True when the stretch goes on past leave k: another absence starts on
 * the day it ends, or another leave ending that day comes later in the
 * facts (the return is settled once, at the last of them). */
static bool s_continues(const s_ctx_t *c, uint32_t k)
{
    int32_t r = c->f[k].date;
    for (uint32_t i = k; i-- > 0 && c->f[i].date == r;)
        if (s_absence_start(c, &c->f[i]))
            return true;
    for (uint32_t i = k + 1; i < c->n && c->f[i].date == r; i++)
        if (s_absence_start(c, &c->f[i]) || c->f[i].kind == SCH_FACT_LEAVE_ENDED)
            return true;
    return false;
}

/* Adds leave (kind, s, r) to the stretch: what it owes on its own. */
static void s_stretch_add(s_stretch_t *st, uint8_t kind, int32_t s, int32_t r)
{
    if (st->first_kind < 0)
        st->first_kind = kind;
    st->leaves++;
    if (s == S_NONE)
        st->start_known = false;
    else if (st->start == S_NONE || s < st->start)
        st->start = s;
    int64_t len = s != S_NONE ? (int64_t)r - s : -1;

    const sch_rule_t *ret = sch_rule_get(SCH_R_EPP_RETURN_2025);
    bool epp = (S_RETURN_EPP_KINDS & SCH_LEAVE_BIT(kind)) != 0 ||
               (kind == SCH_LEAVE_SICK && s != S_NONE && r > ent_date_add_months(s, ret->months));
    if (epp && st->epp_kind < 0)
        st->epp_kind = kind;

    /* Decree 2022-372 applies to leaves starting after 2022-03-31. */
    int32_t sel = s != S_NONE ? s : r;
    uint16_t id;
    if (sch_rule_in_force(sch_rule_get(SCH_R_VISIT_RETURN_2022), sel))
        id = SCH_R_VISIT_RETURN_2022;
    else if (sch_rule_in_force(sch_rule_get(SCH_R_VISIT_RETURN_2012), sel))
        id = SCH_R_VISIT_RETURN_2012;
    else
        return;
    const sch_rule_t *rule = sch_rule_get(id);
    bool visit;
    switch (kind) {
    case SCH_LEAVE_MATERNITY:
    case SCH_LEAVE_OCCUPATIONAL_DISEASE:
        visit = true;
        break;
    case SCH_LEAVE_WORK_ACCIDENT:
        visit = len >= rule->threshold_days;
        break;
    case SCH_LEAVE_SICK:
        visit = len >= rule->threshold2_days;
        break;
    case SCH_LEAVE_LONG_ILLNESS:
        /* Over 6 months by definition, even when its start is unknown. */
        visit = len < 0 || len >= rule->threshold2_days;
        break;
    default:
        visit = false;
        break;
    }
    if (visit && st->visit_kind < 0) {
        st->visit_kind = kind;
        st->visit_rule = id;
    }
}

static void s_return_epp(s_ctx_t *c, uint32_t k, const s_stretch_t *st, int32_t r)
{
    uint16_t id;
    if (r >= c->reform)
        id = SCH_R_EPP_RETURN_2025;
    else if (r >= c->law2014)
        id = SCH_R_EPP_RETURN_2014;
    else
        return;
    const sch_rule_t *rule = sch_rule_get(id);
    /* At the employee's request it may be held during the leave. */
    /* L6315-1 I: offered at the return, with no delay; the option
     * return_interview_days allows one. */
    s_link_t l = {.anchor = r,
                  .ws = st->start != S_NONE ? st->start : r,
                  .due = r + c->pol->return_interview_days,
                  .ref = st->start,
                  .rule = id,
                  .type = SCH_TYPE_PROFESSIONAL_RETURN,
                  .cause = SCH_CAUSE_RETURN,
                  .detail = (uint8_t)st->epp_kind,
                  .flags = st->leaves > 1 ? SCH_OBL_CHAINED : 0};
    if (id == SCH_R_EPP_RETURN_2014)
        l.due = s_covid(l.due, SCH_TYPE_PROFESSIONAL_RETURN, &l.flags);
    if (rule->alt_months > 0) {
        /* Not owed after an interview in the months before the return. */
        int32_t from = ent_date_add_months(r, -rule->alt_months);
        for (uint32_t i = k; i-- > 0;) {
            const sch_fact_t *f = &c->f[i];
            if (f->date < from)
                break;
            if (f->date < r && s_any_epp(c, f)) {
                s_emit(c, &l, f->date, true);
                return;
            }
        }
    }
    s_emit(c, &l, s_find(c, k, l.ws, INT32_MAX, NULL, s_any_epp), false);
}

static void s_returns(s_ctx_t *c)
{
    int32_t open[SCH_LEAVE_COUNT];
    for (int i = 0; i < SCH_LEAVE_COUNT; i++)
        open[i] = S_NONE;
    s_stretch_t st;
    s_stretch_reset(&st);
    uint32_t used_rtw = 0, used_visit = 0;
    for (uint32_t i = 0; i < c->n && !c->full; i++) {
        const sch_fact_t *f = &c->f[i];
        if (f->kind == SCH_FACT_LEAVE_STARTED) {
            if (open[f->arg] == S_NONE)
                open[f->arg] = f->date;
            continue;
        }
        if (f->kind != SCH_FACT_LEAVE_ENDED)
            continue;
        int32_t r = f->date;
        s_stretch_add(&st, f->arg, open[f->arg], r);
        open[f->arg] = S_NONE;
        if (s_continues(c, i))
            continue;
        /* What a return visit or interview found after the next absence
         * begins belongs to the next return. */
        int32_t stop = s_next_date(c, i, s_absence_start);
        if (st.epp_kind >= 0)
            s_return_epp(c, i, &st, r);
        int64_t len = st.start_known && st.start != S_NONE ? (int64_t)r - st.start : -1;
        if (len >= 0 && len >= c->pol->return_to_work_min_days &&
            (S_RTW_EXCLUDED_KINDS & SCH_LEAVE_BIT(st.first_kind)) == 0) {
            s_link_t l = {.anchor = r,
                          .ws = r,
                          .due = r + c->pol->return_to_work_days,
                          .ref = st.start,
                          .rule = SCH_R_RETURN_TO_WORK,
                          .type = SCH_TYPE_RETURN_TO_WORK,
                          .cause = SCH_CAUSE_RETURN,
                          .detail = (uint8_t)st.first_kind,
                          .flags = st.leaves > 1 ? SCH_OBL_CHAINED : 0};
            s_emit(c, &l, s_find(c, i, r, stop, &used_rtw, s_meets_rtw), false);
        }
        if (st.visit_kind >= 0) {
            s_link_t l = {.anchor = r,
                          .ws = r,
                          .due = r + sch_rule_get(st.visit_rule)->days,
                          .ref = st.start_known ? st.start : S_NONE,
                          .rule = st.visit_rule,
                          .type = SCH_TYPE_RETURN_MEDICAL_VISIT,
                          .cause = SCH_CAUSE_RETURN,
                          .detail = (uint8_t)st.visit_kind,
                          .flags = st.leaves > 1 ? SCH_OBL_CHAINED : 0};
            s_emit(c, &l, s_find(c, i, r, stop, &used_visit, s_meets_visit), false);
        }
        s_stretch_reset(&st);
    }
}

/* ---- Mid-career, end of career (R-EPP-6, R-EPP-7) ------------------------ */

static bool s_mid_career_visit(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    return f->kind == SCH_FACT_MEDICAL_VISIT && f->arg == SCH_VISIT_MID_CAREER;
}

static void s_mid_career(s_ctx_t *c)
{
    const sch_rule_t *rule = sch_rule_get(SCH_R_EPP_MID_CAREER_2025);
    int32_t last = S_NONE;
    uint32_t used = 0;
    for (uint32_t i = 0; i < c->n && !c->full; i++) {
        const sch_fact_t *f = &c->f[i];
        if (!s_mid_career_visit(c, f) || f->date == last)
            continue;
        last = f->date;
        if (!sch_rule_in_force(rule, f->date))
            continue;
        s_link_t l = {.anchor = f->date,
                      .ws = f->date,
                      .due = ent_date_add_months(f->date, rule->months),
                      .ref = S_NONE,
                      .rule = SCH_R_EPP_MID_CAREER_2025,
                      .type = SCH_TYPE_PROFESSIONAL_MID_CAREER,
                      .cause = SCH_CAUSE_VISIT,
                      .detail = c->pol->special_interviews == SCH_SPECIAL_CONTENT ? S_DETAIL_CONTENT : 0};
        int32_t stop = s_next_date(c, i, s_mid_career_visit);
        s_emit(c, &l, s_find(c, i, f->date, stop, &used, s_meets_mid_career), false);
    }
}

static void s_end_of_career(s_ctx_t *c)
{
    int32_t birth = c->emp->birth_date;
    if (birth == S_NONE)
        return;
    const sch_rule_t *rule = sch_rule_get(SCH_R_EPP_END_OF_CAREER_2025);
    int32_t b60 = ent_date_add_years(birth, rule->age_years);
    int32_t due = b60 - 1;
    if (due < c->hire || !sch_rule_in_force(rule, due))
        return;
    /* Anchored on the employment, so that a corrected birth date moves the
     * deadline of the same obligation. */
    s_link_t l = {.anchor = c->hire,
                  .ws = s_max(ent_date_add_months(b60, -rule->months), c->hire),
                  .due = due,
                  .ref = b60,
                  .rule = SCH_R_EPP_END_OF_CAREER_2025,
                  .type = SCH_TYPE_PROFESSIONAL_END_OF_CAREER,
                  .cause = SCH_CAUSE_BIRTHDAY,
                  .detail = c->pol->special_interviews == SCH_SPECIAL_CONTENT ? S_DETAIL_CONTENT : 0};
    int32_t met = S_NONE;
    for (uint32_t i = 0; i < c->n; i++) {
        if (c->f[i].date >= l.ws &&
            s_meets_special(c, &c->f[i], SCH_TYPE_PROFESSIONAL_END_OF_CAREER)) {
            met = c->f[i].date;
            break;
        }
    }
    s_emit(c, &l, met, false);
}

/* ---- Internal mobility (company policy) ---------------------------------- */

static bool s_position_change(const s_ctx_t *c, const sch_fact_t *f)
{
    (void)c;
    return f->kind == SCH_FACT_POSITION_CHANGED;
}

static void s_mobility(s_ctx_t *c)
{
    int32_t last = S_NONE;
    uint32_t used = 0;
    for (uint32_t i = 0; i < c->n && !c->full; i++) {
        const sch_fact_t *f = &c->f[i];
        if (f->kind != SCH_FACT_POSITION_CHANGED || f->date == last)
            continue;
        last = f->date;
        s_link_t l = {.anchor = f->date,
                      .ws = s_max(f->date - c->pol->mobility_before_days, c->hire),
                      .due = f->date + c->pol->mobility_days,
                      .ref = S_NONE,
                      .rule = SCH_R_MOBILITY,
                      .type = SCH_TYPE_INTERNAL_MOBILITY,
                      .cause = SCH_CAUSE_POSITION};
        /* An interview in the run-up to the next change is for that one. */
        int32_t next = s_next_date(c, i, s_position_change);
        int32_t stop = next == INT32_MAX ? INT32_MAX
                                         : s_max(next - c->pol->mobility_before_days, f->date + 1);
        s_emit(c, &l, s_find(c, i, l.ws, stop, &used, s_meets_mobility), false);
    }
}

/* ---- Trial period and end of contract ------------------------------------ */

static int32_t s_first_interview_in(const s_ctx_t *c, sch_type_t type, int32_t from, int32_t to)
{
    for (uint32_t i = 0; i < c->n; i++) {
        const sch_fact_t *f = &c->f[i];
        if (f->date > to)
            break;
        if (f->date >= from && s_interview(f, type))
            return f->date;
    }
    return S_NONE;
}

static void s_trial(s_ctx_t *c)
{
    sch_trial_t t;
    if (sch_trial_from_facts(c->pol, c->f, c->n, c->today, &t) != 1)
        return;
    /* Early enough to decide and still give the whole notice (L1221-25). */
    int32_t due = t.notify_by != S_NONE ? t.notify_by - c->pol->trial_decision_days : t.start;
    due = s_max(due, t.start);
    s_link_t l = {.anchor = c->hire,
                  .ws = s_max(ent_date_add_months(due, -1), t.start),
                  .due = due,
                  .ref = t.end,
                  .rule = t.rule,
                  .type = SCH_TYPE_END_OF_TRIAL,
                  .cause = SCH_CAUSE_HIRE,
                  .detail = t.refused_why,
                  .flags = (uint8_t)((t.provisional ? SCH_OBL_PROVISIONAL : 0) |
                                     (t.refused_on != S_NONE ? SCH_OBL_RENEWAL_IGNORED : 0))};
    s_emit(c, &l, s_first_interview_in(c, SCH_TYPE_END_OF_TRIAL, l.ws, t.end), false);
}

static void s_contract_end(s_ctx_t *c)
{
    /* The fixed-term (or apprentice) spell in force at the end of the
     * history: a conversion to a permanent contract removes it. */
    int32_t start = S_NONE, end = S_NONE;
    for (uint32_t i = 0; i < c->n; i++) {
        const sch_fact_t *f = &c->f[i];
        if (f->kind != SCH_FACT_HIRED && f->kind != SCH_FACT_UPDATED)
            continue;
        if (f->contract == SCH_CONTRACT_PERMANENT) {
            start = S_NONE;
        } else {
            if (start == S_NONE)
                start = f->date;
            end = f->contract_end;
        }
    }
    if (start == S_NONE || end == S_NONE || end < start)
        return;
    int32_t due = s_max(end - c->pol->end_of_contract_days, start);
    s_link_t l = {.anchor = start,
                  .ws = s_max(ent_date_add_months(due, -1), start),
                  .due = due,
                  .ref = end,
                  .rule = SCH_R_CONTRACT_END,
                  .type = SCH_TYPE_END_OF_CONTRACT,
                  .cause = SCH_CAUSE_HIRE};
    s_emit(c, &l, s_first_interview_in(c, SCH_TYPE_END_OF_CONTRACT, l.ws, end), false);
}

/* ---- Forfait-jours workload review (L3121-65) ---------------------------- */

static void s_workload_link(const s_ctx_t *c, int32_t a, uint8_t cause, s_link_t *l)
{
    (void)c;
    const sch_rule_t *r = sch_rule_get(SCH_R_WORKLOAD);
    /* An agreement older than the rule counts from the rule's start, but
     * stays anchored on its own start. */
    int32_t base = s_max(a, r->effective_from);
    *l = (s_link_t){.anchor = a,
                    .ws = cause == SCH_CAUSE_FORFAIT ? base : a + 1,
                    .due = ent_date_add_months(base, r->months),
                    .ref = S_NONE,
                    .rule = SCH_R_WORKLOAD,
                    .type = SCH_TYPE_WORKLOAD_REVIEW,
                    .cause = cause};
}

static void s_workload(s_ctx_t *c)
{
    bool on = false;
    int32_t last = S_NONE;
    s_link_t cur = {0};
    for (uint32_t i = 0; i < c->n && !c->full; i++) {
        const sch_fact_t *f = &c->f[i];
        if (f->kind == SCH_FACT_HIRED || f->kind == SCH_FACT_UPDATED) {
            if (f->forfait_jours && !on) {
                on = true;
                last = f->date; /* an interview on the first day opens nothing */
                s_workload_link(c, f->date, SCH_CAUSE_FORFAIT, &cur);
            } else if (!f->forfait_jours && on) {
                /* The agreement ended: only what fell due before it stays. */
                on = false;
                s_chain_advance(c, &cur, f->date, s_workload_link);
                if (cur.due < f->date)
                    s_emit(c, &cur, S_NONE, false);
            }
            continue;
        }
        if (!on || !s_interview(f, SCH_TYPE_WORKLOAD_REVIEW) || f->date < cur.ws ||
            f->date == last)
            continue;
        s_chain_advance(c, &cur, f->date, s_workload_link);
        s_emit(c, &cur, f->date, false);
        s_workload_link(c, f->date, SCH_CAUSE_HELD, &cur);
        last = f->date;
    }
    if (on) {
        s_chain_advance(c, &cur, c->limit, s_workload_link);
        s_emit(c, &cur, S_NONE, false);
    }
}

/* ---- Settlement: CPF exposure, statuses, cancellation ---------------------- */

/* A deadline counted as missed for the CPF top-up (R-EPP-8). */
static bool s_missed(const s_ctx_t *c, const sch_obligation_t *o)
{
    if (o->status == SCH_STATUS_WAIVED)
        return false;
    if (o->met_on != S_NONE)
        return o->met_on > o->due_date && c->pol->late_interview == SCH_LATE_IS_MISSED;
    return o->due_date < c->today;
}

static bool s_counts_for_penalty(uint8_t type)
{
    /* The interviews of L6315-1 I, mid- and end-of-career included (Q&A
     * 11).  Not the recap itself: the top-up is owed when those interviews
     * were missed (and no training took place), and a recap not held is a
     * breach of its own, reported overdue, not one of them. */
    return type == SCH_TYPE_PROFESSIONAL || type == SCH_TYPE_PROFESSIONAL_RETURN ||
           type == SCH_TYPE_PROFESSIONAL_MID_CAREER || type == SCH_TYPE_PROFESSIONAL_END_OF_CAREER;
}

/* Ordonnance 2020-1501: no CPF sanction for a recap held while it was
 * suspended (a recap not held is assessed after its deadline, which the
 * same ordinance deferred to the end of the suspension). */
static bool s_sanction_suspended(const sch_obligation_t *o)
{
    if (o->met_on == S_NONE)
        return false;
    for (int i = 0; i < S_COVID_COUNT; i++) {
        const sch_rule_t *r = sch_rule_get(S_COVID_ROWS[i]);
        if (r->sanction_from != 0 && o->met_on >= r->sanction_from && o->met_on <= r->effective_to)
            return true;
    }
    return false;
}

static bool s_training_between(const s_ctx_t *c, int32_t from, int32_t to)
{
    for (uint32_t i = 0; i < c->n; i++) {
        const sch_fact_t *f = &c->f[i];
        if (f->date > to)
            break;
        if (f->kind == SCH_FACT_TRAINING_COMPLETED && f->arg == 0 && f->date >= from)
            return true;
    }
    return false;
}

static void s_penalties(s_ctx_t *c, int base)
{
    for (int i = base; i < c->count; i++) {
        sch_obligation_t *o = &c->out[i];
        if (o->type != SCH_TYPE_PROFESSIONAL_RECAP)
            continue;
        const sch_rule_t *r = sch_rule_get(o->rule);
        if (r->amount_eur <= 0 || c->pol->headcount < (uint32_t)r->min_headcount ||
            s_sanction_suspended(o))
            continue;
        int32_t from = o->ref_date; /* the period start */
        int32_t to = o->met_on != S_NONE ? o->met_on : o->due_date;
        bool missed = false;
        for (int j = base; j < c->count && !missed; j++) {
            const sch_obligation_t *p = &c->out[j];
            if (s_counts_for_penalty(p->type) && p->due_date >= from && p->due_date <= to)
                missed = s_missed(c, p);
        }
        if (missed && !s_training_between(c, from, to))
            o->penalty_eur = r->amount_eur;
    }
}

/* Option special_interviews = separate: a mid- or end-of-career interview
 * whose window also holds a professional interview (due or held) is one the
 * other reading would not ask for separately; the reason says so. */
static void s_mark_overlaps(s_ctx_t *c, int base)
{
    if (c->pol->special_interviews != SCH_SPECIAL_SEPARATE)
        return;
    for (int i = base; i < c->count; i++) {
        sch_obligation_t *o = &c->out[i];
        if (o->type != SCH_TYPE_PROFESSIONAL_MID_CAREER &&
            o->type != SCH_TYPE_PROFESSIONAL_END_OF_CAREER)
            continue;
        bool overlap = false;
        for (int j = base; j < c->count && !overlap; j++) {
            const sch_obligation_t *p = &c->out[j];
            overlap = (p->type == SCH_TYPE_PROFESSIONAL || p->type == SCH_TYPE_PROFESSIONAL_RECAP) &&
                      p->due_date >= o->window_start && p->due_date <= o->due_date;
        }
        for (uint32_t k = 0; k < c->n && !overlap; k++) {
            const sch_fact_t *f = &c->f[k];
            overlap = f->date >= o->window_start && f->date <= o->due_date && s_any_epp(c, f) &&
                      f->arg != o->type;
        }
        if (overlap)
            o->flags |= SCH_OBL_ONE_MAY_SUFFICE;
    }
}

static void s_close(s_ctx_t *c, int base)
{
    for (int i = base; i < c->count; i++) {
        sch_obligation_t *o = &c->out[i];
        if (o->status == SCH_STATUS_MET || o->status == SCH_STATUS_WAIVED)
            continue;
        if (c->left != S_NONE && (o->due_date > c->left || c->today > c->left)) {
            o->status = SCH_STATUS_CANCELLED;
            o->cancelled_on = c->left;
        } else {
            o->status = o->due_date < c->today ? SCH_STATUS_OVERDUE : SCH_STATUS_UPCOMING;
        }
    }
}

/* ---- Entry points ---------------------------------------------------------- */

void sch_policy_defaults(sch_policy_t *policy)
{
    *policy = (sch_policy_t){.headcount = 0,
                             .region = 0,
                             .periodicity_years = 4,
                             .first_transition = SCH_FIRST_ART2222,
                             .recap_deadline = SCH_RECAP_SENIORITY,
                             .late_interview = SCH_LATE_IS_MISSED,
                             .special_cycle = SCH_SPECIAL_KEEPS_CYCLE,
                             .suspensions = SCH_SUSPENSIONS_IGNORED,
                             .special_interviews = SCH_SPECIAL_SEPARATE,
                             .convocation_deadline = SCH_CONVOCATION_NO_EXTENSION,
                             .good_friday = ENT_GOOD_FRIDAY_UNKNOWN,
                             .branch_trial_renewal = 0,
                             .legacy_branch_trial = 0,
                             .return_interview_days = 0,
                             .return_to_work_min_days = 30,
                             .return_to_work_days = 8,
                             .mobility_days = 30,
                             .mobility_before_days = 30,
                             .end_of_contract_days = 30,
                             .trial_decision_days = 0,
                             .history_from = S_NONE};
}

int sch_policy_check(const sch_policy_t *p)
{
    /* An agreement may shorten the cycle, never lengthen it (L6315-1 III). */
    if (p == NULL || 12 * p->periodicity_years > sch_rule_get(SCH_R_EPP_PERIODIC_2025)->months ||
        p->first_transition >= SCH_FIRST_COUNT ||
        p->recap_deadline >= SCH_RECAP_COUNT || p->late_interview >= SCH_LATE_COUNT ||
        p->special_cycle >= SCH_SPECIAL_COUNT || p->suspensions >= SCH_SUSPENSIONS_COUNT ||
        p->special_interviews >= SCH_SPECIAL_INTERVIEWS_COUNT ||
        p->convocation_deadline >= SCH_CONVOCATION_COUNT || p->good_friday >= ENT_GOOD_FRIDAY_COUNT ||
        p->branch_trial_renewal > 1 || p->legacy_branch_trial > 1 || p->region >= ENT_REGION_COUNT)
        return SCH_EINVAL;
    return 0;
}

static bool s_fact_valid(const sch_fact_t *f)
{
    switch (f->kind) {
    case SCH_FACT_HIRED:
    case SCH_FACT_UPDATED:
        return f->category < SCH_CAT_COUNT && f->contract < SCH_CONTRACT_COUNT;
    case SCH_FACT_LEAVE_STARTED:
    case SCH_FACT_LEAVE_ENDED:
        return f->arg < SCH_LEAVE_COUNT;
    case SCH_FACT_MEDICAL_VISIT:
        return f->arg < SCH_VISIT_COUNT;
    case SCH_FACT_INTERVIEW_HELD:
        return f->arg < SCH_TYPE_COUNT;
    case SCH_FACT_POSITION_CHANGED:
    case SCH_FACT_TRIAL_RENEWED:
    case SCH_FACT_LEFT:
    case SCH_FACT_TRAINING_COMPLETED:
        return true;
    default:
        return false;
    }
}

static int s_compare(const sch_obligation_t *a, const sch_obligation_t *b)
{
    if (a->due_date != b->due_date)
        return a->due_date < b->due_date ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->anchor != b->anchor)
        return a->anchor < b->anchor ? -1 : 1;
    return 0;
}

/* Insertion sort: outputs are a handful of obligations, mostly produced
 * in near order, and it is stable (ties keep the modules' order). */
static void s_sort(sch_obligation_t *o, int n)
{
    for (int i = 1; i < n; i++) {
        sch_obligation_t x = o[i];
        int j = i;
        while (j > 0 && s_compare(&o[j - 1], &x) > 0) {
            o[j] = o[j - 1];
            j--;
        }
        o[j] = x;
    }
}

/* The employment whose HIRED fact is facts[i]: it ends with its first LEFT
 * (a HIRED before that restates the contract, like UPDATED: a fixed-term
 * contract converted in place keeps its seniority; so does a rehire on the
 * very day the contract ended).  Facts dated after the LEFT are ignored up
 * to the next HIRED, which starts the next employment.  Sets *end (one past
 * its last fact) and *next (the next employment's HIRED, or n); returns
 * the leaving date or S_NONE. */
static int32_t s_employment(const sch_fact_t *facts, uint32_t n, uint32_t i, uint32_t *end,
                            uint32_t *next)
{
    for (uint32_t k = i + 1; k < n; k++) {
        if (facts[k].kind != SCH_FACT_LEFT)
            continue;
        uint32_t e = k + 1;
        while (e < n && facts[e].date <= facts[k].date && facts[e].kind != SCH_FACT_HIRED)
            e++;
        uint32_t j = e;
        while (j < n && facts[j].kind != SCH_FACT_HIRED)
            j++;
        if (j < n && facts[j].date == facts[k].date)
            continue;
        *end = e;
        *next = j;
        return facts[k].date;
    }
    *end = *next = n;
    return S_NONE;
}

int sch_last_employment(const sch_employee_t *emp, uint32_t *from, uint32_t *to, int32_t *left)
{
    if (emp == NULL || (emp->facts == NULL && emp->nfacts > 0))
        return SCH_EINVAL;
    uint32_t n = emp->nfacts, i = 0;
    while (i < n && emp->facts[i].kind != SCH_FACT_HIRED)
        i++;
    if (i == n)
        return 0;
    for (;;) {
        uint32_t end, next;
        int32_t l = s_employment(emp->facts, n, i, &end, &next);
        if (next == n) {
            if (from != NULL)
                *from = i;
            if (to != NULL)
                *to = end;
            if (left != NULL)
                *left = l;
            return 1;
        }
        i = next;
    }
}

int sch_rules_compute(const sch_policy_t *policy, const sch_employee_t *emp, int32_t today,
                      sch_obligation_t *out, int max)
{
    if (sch_policy_check(policy) != 0 || emp == NULL || max < 0 || (out == NULL && max > 0) ||
        (emp->facts == NULL && emp->nfacts > 0) || today == S_NONE)
        return SCH_EINVAL;
    const sch_fact_t *facts = emp->facts;
    uint32_t n = emp->nfacts;
    for (uint32_t i = 0; i < n; i++) {
        if (!s_fact_valid(&facts[i]) || facts[i].date == S_NONE ||
            (i > 0 && facts[i].date < facts[i - 1].date))
            return SCH_EINVAL;
    }

    s_ctx_t c = {.pol = policy,
                 .emp = emp,
                 .today = today,
                 .law2014 = sch_rule_get(SCH_R_EPP_FIRST_2014)->effective_from,
                 .reform = sch_rule_get(SCH_R_EPP_PERIODIC_2025)->effective_from,
                 .period_months = policy->periodicity_years
                                      ? 12 * policy->periodicity_years
                                      : sch_rule_get(SCH_R_EPP_PERIODIC_2025)->months,
                 .out = out,
                 .max = max};

    uint32_t i = 0;
    while (i < n && facts[i].kind != SCH_FACT_HIRED)
        i++;
    while (i < n) {
        uint32_t end, j;
        int32_t left = s_employment(facts, n, i, &end, &j);
        c.f = facts + i;
        c.n = end - i;
        c.hire = facts[i].date;
        c.left = left;
        c.limit = left != S_NONE && left < today ? left : today;

        int base = c.count;
        s_professional(&c);
        s_recap(&c);
        s_returns(&c);
        s_mid_career(&c);
        s_end_of_career(&c);
        s_mobility(&c);
        s_trial(&c);
        s_contract_end(&c);
        s_workload(&c);
        if (c.full)
            return SCH_ENOSPC;
        s_penalties(&c, base);
        s_mark_overlaps(&c, base);
        s_close(&c, base);
        i = j;
    }

    int count = c.count;
    if (policy->history_from != S_NONE) {
        int w = 0;
        for (int r = 0; r < count; r++) {
            if (out[r].due_date >= policy->history_from)
                out[w++] = out[r];
        }
        count = w;
    }
    s_sort(out, count);
    return count;
}

int sch_rules_capacity(const sch_employee_t *emp, int32_t today)
{
    if (emp == NULL || emp->facts == NULL || emp->nfacts == 0)
        return 0;
    int64_t hires = 0;
    int32_t first = S_NONE, last = today;
    for (uint32_t i = 0; i < emp->nfacts; i++) {
        if (emp->facts[i].kind == SCH_FACT_HIRED) {
            hires++;
            if (first == S_NONE)
                first = emp->facts[i].date;
        }
        if (emp->facts[i].date > last)
            last = emp->facts[i].date;
    }
    if (hires == 0)
        return 0;
    /* Per fact: at most 3 obligations (a leave end).  Per employment: the
     * one-off obligations and the open link of each chain.  Per year of
     * history: at most one missed link of each yearly-or-slower chain. */
    int64_t years = ((int64_t)last - first) / 365 + 2;
    if (years < 2)
        years = 2;
    int64_t cap = 4 * (int64_t)emp->nfacts + 16 * hires + 3 * years;
    return cap > INT_MAX ? INT_MAX : (int)cap;
}

/* ---- Absences ------------------------------------------------------------- */

/* Extends `end` by the absence [us, ue] when it starts within the period
 * [from, end]: the period is suspended from the first day of absence and
 * resumes the day after it, so every day of the absence from `from` on
 * counts, including those past the original end. */
static int32_t s_absorb(int32_t us, int32_t ue, int32_t from, int32_t end)
{
    if (ue < from || us > end)
        return end;
    return end + (ue - s_max(us, from) + 1);
}

int32_t sch_extend_by_absence(const sch_fact_t *facts, uint32_t n, uint32_t kinds, int32_t from,
                              int32_t end, int32_t today, bool *provisional)
{
    if (facts == NULL || from == S_NONE || end == S_NONE)
        return end;
    /* Walk the union of the selected leaves, so that overlapping leaves
     * (sick leave during parental leave) are not counted twice. */
    uint32_t open = 0;
    int32_t ustart = S_NONE;
    for (uint32_t i = 0; i < n; i++) {
        const sch_fact_t *f = &facts[i];
        if ((f->kind != SCH_FACT_LEAVE_STARTED && f->kind != SCH_FACT_LEAVE_ENDED) ||
            f->arg >= SCH_LEAVE_COUNT || (kinds & SCH_LEAVE_BIT(f->arg)) == 0)
            continue;
        uint32_t bit = SCH_LEAVE_BIT(f->arg);
        if (f->kind == SCH_FACT_LEAVE_STARTED) {
            if (open == 0)
                ustart = f->date;
            open |= bit;
        } else if (open & bit) {
            open &= ~bit;
            if (open == 0)
                end = s_absorb(ustart, f->date - 1, from, end);
        }
    }
    if (open != 0 && ustart <= end) {
        if (today >= ustart)
            end = s_absorb(ustart, today, from, end);
        if (provisional != NULL)
            *provisional = true;
    }
    return end;
}

/* ---- Campaign eligibility -------------------------------------------------- */

bool sch_campaign_eligible(const sch_campaign_filter_t *filter, const sch_employee_t *emp,
                           int32_t on)
{
    if (filter == NULL || emp == NULL || (emp->facts == NULL && emp->nfacts > 0) || on == S_NONE)
        return false;
    if (filter->entity != 0 && filter->entity != emp->entity)
        return false;
    if (filter->department != 0 && filter->department != emp->department)
        return false;
    /* The employment in progress on `on`: the last HIRED on or before it. */
    int32_t hire = S_NONE;
    bool gone = false;
    for (uint32_t i = 0; i < emp->nfacts && emp->facts[i].date <= on; i++) {
        const sch_fact_t *f = &emp->facts[i];
        if (f->kind == SCH_FACT_HIRED) {
            hire = f->date;
            gone = false;
        } else if (f->kind == SCH_FACT_LEFT && hire != S_NONE && f->date < on) {
            gone = true;
        }
    }
    if (hire == S_NONE || gone)
        return false;
    return filter->hired_before == S_NONE || hire < filter->hired_before;
}

/* ---- Names ------------------------------------------------------------------ */

static const char *const S_TYPE_NAMES[SCH_TYPE_COUNT] = {
    "annual_review",           "professional",          "professional_recap",
    "professional_return",     "professional_mid_career", "professional_end_of_career",
    "return_to_work",          "return_medical_visit",  "internal_mobility",
    "end_of_trial",            "end_of_contract",       "workload_review",
    "corrective"};
static const char *const S_STATUS_NAMES[SCH_STATUS_COUNT] = {"upcoming", "overdue", "met",
                                                             "waived", "cancelled"};
static const char *const S_FACT_NAMES[SCH_FACT_COUNT] = {
    "hired",        "updated",       "position_changed", "trial_renewed",      "left",
    "leave_started", "leave_ended",  "medical_visit",    "training_completed", "interview_held"};
static const char *const S_CATEGORY_NAMES[SCH_CAT_COUNT] = {"ouvrier_employe", "maitrise_technicien",
                                                            "cadre"};
static const char *const S_CONTRACT_NAMES[SCH_CONTRACT_COUNT] = {"permanent", "fixed_term",
                                                                 "apprentice"};
static const char *const S_LEAVE_NAMES[SCH_LEAVE_COUNT] = {
    "maternity",    "paternity",       "adoption",      "parental",
    "parental_part_time", "caregiver", "sabbatical",    "secure_mobility",
    "long_illness", "sick",            "work_accident", "occupational_disease",
    "union_mandate", "unpaid"};
static const char *const S_LEAVE_WORDS[SCH_LEAVE_COUNT] = {
    "maternity leave",    "paternity leave",  "adoption leave",  "parental leave",
    "part-time parental leave", "caregiver leave", "sabbatical leave", "secure-mobility leave",
    "long illness",       "sick leave",       "work-accident leave", "occupational-disease leave",
    "a union mandate",    "unpaid leave"};
/* The same in French, after "de retour de" / "après" ("d'un congé..."). */
static const char *const S_LEAVE_WORDS_FR[SCH_LEAVE_COUNT] = {
    "congé de maternité",    "congé de paternité",   "congé d'adoption",     "congé parental d'éducation",
    "congé parental à temps partiel", "congé de proche aidant", "congé sabbatique", "période de mobilité volontaire sécurisée",
    "affection de longue durée", "arrêt maladie",   "arrêt pour accident du travail", "arrêt pour maladie professionnelle",
    "mandat syndical",       "congé sans solde"};
static const char *const S_VISIT_NAMES[SCH_VISIT_COUNT] = {"mid_career", "return", "other"};
static const char *const S_FIRST_NAMES[SCH_FIRST_COUNT] = {"art2222", "strict_new"};
static const char *const S_RECAP_NAMES[SCH_RECAP_COUNT] = {"seniority", "conservative",
                                                           "completed_years"};
static const char *const S_LATE_NAMES[SCH_LATE_COUNT] = {"missed", "met"};
static const char *const S_SPECIAL_NAMES[SCH_SPECIAL_COUNT] = {"keeps_cycle", "resets_cycle"};
static const char *const S_SUSPENSION_NAMES[SCH_SUSPENSIONS_COUNT] = {"ignored", "extend"};
static const char *const S_SPECIAL_INTERVIEWS_NAMES[SCH_SPECIAL_INTERVIEWS_COUNT] = {"separate",
                                                                                      "content"};
static const char *const S_CONVOCATION_NAMES[SCH_CONVOCATION_COUNT] = {"no_extension",
                                                                        "next_working_day"};

static const char *s_name(const char *const *names, int count, int v)
{
    return v >= 0 && v < count ? names[v] : NULL;
}

static int s_parse(const char *const *names, int count, const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0)
            return i;
    }
    return -1;
}

#define S_NAMES(fn, type, names, count)                                                            \
    const char *sch_##fn##_name(int v)                                                             \
    {                                                                                              \
        return s_name(names, count, v);                                                            \
    }                                                                                              \
    int sch_##fn##_parse(const char *name, type *out)                                              \
    {                                                                                              \
        int v = s_parse(names, count, name);                                                       \
        if (v < 0 || out == NULL)                                                                  \
            return -1;                                                                             \
        *out = (type)v;                                                                            \
        return 0;                                                                                  \
    }

S_NAMES(type, sch_type_t, S_TYPE_NAMES, SCH_TYPE_COUNT)
S_NAMES(status, sch_status_t, S_STATUS_NAMES, SCH_STATUS_COUNT)
S_NAMES(fact_kind, sch_fact_kind_t, S_FACT_NAMES, SCH_FACT_COUNT)
S_NAMES(category, sch_category_t, S_CATEGORY_NAMES, SCH_CAT_COUNT)
S_NAMES(contract, sch_contract_t, S_CONTRACT_NAMES, SCH_CONTRACT_COUNT)
S_NAMES(leave, sch_leave_t, S_LEAVE_NAMES, SCH_LEAVE_COUNT)
S_NAMES(visit, sch_visit_t, S_VISIT_NAMES, SCH_VISIT_COUNT)
S_NAMES(first_transition, sch_first_transition_t, S_FIRST_NAMES, SCH_FIRST_COUNT)
S_NAMES(recap_deadline, sch_recap_deadline_t, S_RECAP_NAMES, SCH_RECAP_COUNT)
S_NAMES(late_interview, sch_late_interview_t, S_LATE_NAMES, SCH_LATE_COUNT)
S_NAMES(special_cycle, sch_special_cycle_t, S_SPECIAL_NAMES, SCH_SPECIAL_COUNT)
S_NAMES(suspensions, sch_suspensions_t, S_SUSPENSION_NAMES, SCH_SUSPENSIONS_COUNT)
S_NAMES(special_interviews, sch_special_interviews_t, S_SPECIAL_INTERVIEWS_NAMES,
        SCH_SPECIAL_INTERVIEWS_COUNT)
S_NAMES(convocation_deadline, sch_convocation_deadline_t, S_CONVOCATION_NAMES,
        SCH_CONVOCATION_COUNT)

/* ---- Reasons ---------------------------------------------------------------- */

typedef struct s_sb {
    char *buf;
    size_t size;
    size_t len;
    bool fr;      /* French sentences and dd/mm/yyyy dates, else English and ISO dates */
} s_sb_t;

/* The sentence in the reader's language: both are format strings with the
 * same conversions in the same order (the compiler checks both). */
#define T(in_en, in_fr) (sb->fr ? (in_fr) : (in_en))

__attribute__((format(printf, 2, 3))) static void s_put(s_sb_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = sb->len < sb->size ? sb->buf + sb->len : NULL;
    size_t room = sb->len < sb->size ? sb->size - sb->len : 0;
    int w = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (w > 0)
        sb->len += (size_t)w;
}

/* Up to 4 formatted dates per sentence, each in its own slot. */
typedef struct s_dates {
    char d[4][ENT_DATE_STRLEN];
    int next;
    bool fr;
} s_dates_t;

static const char *s_d(s_dates_t *ds, int32_t date)
{
    char *b = ds->d[ds->next++ & 3];
    if (!ds->fr)
        return ent_date_format(date, b);
    int y, m, d;
    ent_date_to_ymd(date, &y, &m, &d);
    snprintf(b, ENT_DATE_STRLEN, "%02u/%02u/%04u", (unsigned) d % 100u, (unsigned) m % 100u, (unsigned) y % 10000u);
    return b;
}

static const char *s_leave_words(const s_sb_t *sb, uint8_t kind)
{
    if (sb->fr)
        return kind < SCH_LEAVE_COUNT ? S_LEAVE_WORDS_FR[kind] : "congé";
    return kind < SCH_LEAVE_COUNT ? S_LEAVE_WORDS[kind] : "leave";
}

static void s_reason_professional(s_sb_t *sb, const sch_obligation_t *o, s_dates_t *ds)
{
    int years = o->detail / 12;
    switch (o->rule) {
    case SCH_R_EPP_FIRST_2025:
        s_put(sb, T("Hired %s: first professional interview due within one year, by %s",
          "Embauche le %s : premier entretien professionnel dû dans l'année, au plus tard le %s"),
              s_d(ds, o->anchor), s_d(ds, o->due_date));
        return;
    case SCH_R_EPP_FIRST_2014:
        if (o->cause == SCH_CAUSE_LAW_2014)
            s_put(sb, T("In post when law 2014-288 took effect (2014-03-07): first professional "
                      "interview due within two years, by %s",
          "En poste à l'entrée en vigueur de la loi 2014-288 (07/03/2014) : premier "
                      "entretien professionnel dû dans les deux ans, au plus tard le %s"), s_d(ds, o->due_date));
        else
            s_put(sb, T("Hired %s: first professional interview due within two years, by %s",
          "Embauche le %s : premier entretien professionnel dû dans les deux ans, au plus tard le %s"),
                  s_d(ds, o->anchor), s_d(ds, o->due_date));
        return;
    case SCH_R_EPP_FIRST_TRANSITION:
        if (o->flags & SCH_OBL_STRICT_NEW)
            s_put(sb, T("Hired %s, before the 2025-10-26 reform: first professional interview due "
                      "one year after hire, or two years where that year ended before the "
                      "reform (option strict_new), by %s",
          "Embauche le %s, avant la réforme du 26/10/2025 : premier entretien professionnel "
                      "dû un an après l'embauche, ou deux ans si cette année s'est achevée avant "
                      "la réforme (option strict_new), au plus tard le %s"), s_d(ds, o->anchor), s_d(ds, o->due_date));
        else
            s_put(sb, T("Hired %s, before the 2025-10-26 reform: first professional interview due "
                      "by the earlier of hire + 2 years and 2026-10-26 (option art2222), %s",
          "Embauche le %s, avant la réforme du 26/10/2025 : premier entretien professionnel "
                      "dû au plus tôt de l'embauche + 2 ans et du 26/10/2026 (option art2222), le %s"),
                  s_d(ds, o->anchor), s_d(ds, o->due_date));
        return;
    default:
        break;
    }
    if (o->cause == SCH_CAUSE_MISSED)
        s_put(sb, T("Professional interview deadline of %s passed with no interview: next one due "
                  "%d years after it, by %s",
          "Échéance d'entretien professionnel du %s passée sans entretien : le suivant est dû "
                  "%d ans après, au plus tard le %s"), s_d(ds, o->anchor), years, s_d(ds, o->due_date));
    else if (o->rule == SCH_R_EPP_PERIODIC_TRANSITION)
        s_put(sb, T("Professional interview held %s, whose two-year deadline was still running on "
                  "2025-10-26: next one due %d years after it, by %s",
          "Entretien professionnel tenu le %s, dont le délai de deux ans courait encore le "
                  "26/10/2025 : le suivant est dû %d ans après, au plus tard le %s"), s_d(ds, o->anchor), years,
              s_d(ds, o->due_date));
    else
        s_put(sb, T("Professional interview held %s: next one due within %d years, by %s",
          "Entretien professionnel tenu le %s : le suivant est dû dans les %d ans, au plus tard le %s"),
              s_d(ds, o->anchor), years, s_d(ds, o->due_date));
}

static void s_reason_recap(s_sb_t *sb, const sch_obligation_t *o, s_dates_t *ds)
{
    if (o->rule == SCH_R_EPP_RECAP_2014)
        s_put(sb, T("Six-year seniority period from %s: recap interview (état des lieux) due by %s",
          "Période de six ans d'ancienneté depuis le %s : entretien d'état des lieux récapitulatif dû au plus tard le %s"),
              s_d(ds, o->ref_date), s_d(ds, o->due_date));
    else if (o->rule == SCH_R_EPP_RECAP_TRANSITION)
        s_put(sb, T("Six-year seniority period from %s was still running on 2025-10-26 and now "
                  "lasts eight years: recap interview (état des lieux) due by %s",
          "La période de six ans d'ancienneté depuis le %s courait encore le 26/10/2025 et "
                  "dure désormais huit ans : entretien d'état des lieux récapitulatif dû au plus tard le %s"),
              s_d(ds, o->ref_date), s_d(ds, o->due_date));
    else
        s_put(sb, T("Eight-year seniority period from %s: recap interview (état des lieux) due by %s",
          "Période de huit ans d'ancienneté depuis le %s : entretien d'état des lieux récapitulatif dû au plus tard le %s"),
              s_d(ds, o->ref_date), s_d(ds, o->due_date));
    if (o->flags & SCH_OBL_EARLY) {
        s_put(sb, T(", 8 years after the previous recap or 7 years after the first interview, "
                  "earlier than the end of the period (option conservative)",
          ", 8 ans après le précédent état des lieux ou 7 ans après le premier entretien, "
                  "avant la fin de la période (option conservative)"));
        return;
    }
    if (o->rule == SCH_R_EPP_RECAP_2014)
        return;
    /* The window opens a year before the end of the period, or earlier
     * when the first recap may be held 7 years after the first interview:
     * a permission, not the deadline. */
    int32_t last_year = ent_date_add_months(ent_date_add_months(o->ref_date, sch_rule_get(o->rule)->months),
                                            -S_RECAP_YEAR_MONTHS);
    if (o->window_start != last_year && o->detail == 1)
        s_put(sb, T("; it may be held from %s, 7 years after the first interview",
          " ; il peut être tenu à partir du %s, 7 ans après le premier entretien"),
              s_d(ds, o->window_start));
    else
        s_put(sb, T("; it may be held from %s",
          " ; il peut être tenu à partir du %s"), s_d(ds, o->window_start));
}

/* The mid- and end-of-career interviews under option special_interviews. */
static void s_reason_special(s_sb_t *sb, const sch_obligation_t *o)
{
    if (o->detail == S_DETAIL_CONTENT)
        s_put(sb, T("; any professional interview held in this window meets it if it covers this "
                  "content (option special_interviews=content)",
          " ; tout entretien professionnel tenu dans cette fenêtre y satisfait s'il en couvre "
                  "le contenu (option special_interviews=content)"));
    else if (o->flags & SCH_OBL_ONE_MAY_SUFFICE)
        s_put(sb, T("; counted as an interview of its own (option special_interviews=separate), "
                  "although a professional interview also falls due or was held in this window: "
                  "under the reading that it is the content of that interview "
                  "(special_interviews=content), one interview covering both would do",
          " ; compté comme un entretien distinct (option special_interviews=separate), "
                  "bien qu'un entretien professionnel soit aussi dû ou tenu dans cette fenêtre : "
                  "selon la lecture qui en fait le contenu de cet entretien "
                  "(special_interviews=content), un seul entretien couvrant les deux suffirait"));
}

size_t sch_obligation_reason_lang(const sch_obligation_t *o, sch_lang_t lang, char *buf, size_t size)
{
    s_sb_t sbv = {buf, buf != NULL ? size : 0, 0, lang == SCH_LANG_FR};
    s_sb_t *sb = &sbv;
    s_dates_t ds = {.next = 0, .fr = sb->fr};
    if (sb->size > 0)
        buf[0] = '\0';
    if (o == NULL)
        return 0;
    const sch_rule_t *rule = sch_rule_get(o->rule);
    switch (o->type) {
    case SCH_TYPE_PROFESSIONAL:
        s_reason_professional(sb, o, &ds);
        break;
    case SCH_TYPE_PROFESSIONAL_RECAP:
        s_reason_recap(sb, o, &ds);
        break;
    case SCH_TYPE_PROFESSIONAL_RETURN:
        if (o->status == SCH_STATUS_WAIVED)
            s_put(sb, T("Back from %s on %s: no return professional interview owed, one was held "
                       "on %s, within the 12 months before the return",
          "Retour de %s le %s : pas d'entretien professionnel de reprise dû, un entretien a été "
                       "tenu le %s, dans les 12 mois précédant la reprise"),
                  s_leave_words(sb, o->detail), s_d(&ds, o->anchor), s_d(&ds, o->met_on));
        else
            s_put(sb, T("Back from %s%s on %s: return professional interview due by %s",
          "Retour de %s%s le %s : entretien professionnel de reprise dû au plus tard le %s"),
                  s_leave_words(sb, o->detail),
                  (o->flags & SCH_OBL_CHAINED) ? T(" and the leave that followed it", " et de l'absence qui a suivi") : "",
                  s_d(&ds, o->anchor), s_d(&ds, o->due_date));
        break;
    case SCH_TYPE_PROFESSIONAL_MID_CAREER:
        s_put(sb, T("Mid-career medical visit on %s: mid-career professional interview due within "
                   "two months, by %s",
          "Visite médicale de mi-carrière le %s : entretien professionnel de mi-carrière dû dans "
                   "les deux mois, au plus tard le %s"), s_d(&ds, o->anchor), s_d(&ds, o->due_date));
        s_reason_special(sb, o);
        break;
    case SCH_TYPE_PROFESSIONAL_END_OF_CAREER:
        s_put(sb, T("60th birthday on %s: end-of-career professional interview due in the two "
                   "years before it, between %s and %s",
          "60 ans le %s : entretien professionnel de fin de carrière dû dans les deux "
                   "années qui précèdent, entre le %s et le %s"), s_d(&ds, o->ref_date),
              s_d(&ds, o->window_start), s_d(&ds, o->due_date));
        s_reason_special(sb, o);
        break;
    case SCH_TYPE_RETURN_TO_WORK:
    case SCH_TYPE_RETURN_MEDICAL_VISIT:
        s_put(sb, T("Back on %s after ",
          "Reprise le %s après "), s_d(&ds, o->anchor));
        if (o->ref_date != S_NONE)
            s_put(sb, T("%d days of ",
          "%d jours de "), (int)(o->anchor - o->ref_date));
        s_put(sb, T("%s%s: ", "%s%s : "), s_leave_words(sb, o->detail),
              (o->flags & SCH_OBL_CHAINED) ? T(" and the leave that followed it", " et de l'absence qui a suivi") : "");
        if (o->type == SCH_TYPE_RETURN_TO_WORK)
            s_put(sb, T("return-to-work interview due by %s",
          "entretien de reprise dû au plus tard le %s"), s_d(&ds, o->due_date));
        else
            s_put(sb, T("occupational-health return visit due within 8 days, by %s",
          "visite de reprise auprès de la médecine du travail due dans les 8 jours, au plus tard le %s"),
                  s_d(&ds, o->due_date));
        break;
    case SCH_TYPE_INTERNAL_MOBILITY:
        s_put(sb, T("Position changed on %s: internal mobility interview due by %s",
          "Changement de poste le %s : entretien de mobilité interne dû au plus tard le %s"),
              s_d(&ds, o->anchor), s_d(&ds, o->due_date));
        break;
    case SCH_TYPE_END_OF_TRIAL:
        s_put(sb, T("Trial period from %s ends %s: end-of-trial interview due by %s, the last day "
                   "a decision can be notified with the full employer's notice",
          "Période d'essai commencée le %s, terminée le %s : entretien de fin d'essai dû au plus tard le %s, "
                   "dernier jour pour notifier une décision en respectant tout le délai de prévenance"),
              s_d(&ds, o->anchor), s_d(&ds, o->ref_date), s_d(&ds, o->due_date));
        if (o->flags & SCH_OBL_PROVISIONAL)
            s_put(sb, T(" (provisional: a leave has not ended yet)",
          " (provisoire : une absence n'est pas terminée)"));
        if (o->flags & SCH_OBL_RENEWAL_IGNORED)
            s_put(sb, T("; a renewal was recorded but not applied: %s%s%s (L1221-21, L1221-23)",
          " ; un renouvellement a été enregistré mais non appliqué : %s%s%s (L1221-21, L1221-23)"),
                  (o->detail & SCH_RENEWAL_NO_CLAUSE) ? T("the contract does not provide for it", "le contrat ne le prévoit pas") : "",
                  (o->detail & SCH_RENEWAL_NO_CLAUSE) && (o->detail & SCH_RENEWAL_NO_AGREEMENT)
                      ? T(" and ", " et ")
                      : "",
                  (o->detail & SCH_RENEWAL_NO_AGREEMENT)
                      ? T("no extended branch agreement allowing it is declared for the entity "
                          "(option branch_trial_renewal)",
                          "aucun accord de branche étendu le permettant n'est déclaré pour l'entité "
                          "(option branch_trial_renewal)")
                      : "");
        break;
    case SCH_TYPE_END_OF_CONTRACT:
        s_put(sb, T("Contract ends %s: end-of-contract interview due by %s",
          "Fin de contrat le %s : entretien de fin de contrat dû au plus tard le %s"), s_d(&ds, o->ref_date),
              s_d(&ds, o->due_date));
        break;
    case SCH_TYPE_WORKLOAD_REVIEW:
        if (o->cause == SCH_CAUSE_FORFAIT)
            s_put(sb, T("On a forfait-jours agreement since %s: yearly workload interview due by %s",
          "Au forfait jours depuis le %s : entretien annuel de charge de travail dû au plus tard le %s"),
                  s_d(&ds, o->anchor), s_d(&ds, o->due_date));
        else if (o->cause == SCH_CAUSE_MISSED)
            s_put(sb, T("Workload interview deadline of %s passed with no interview: next one due "
                       "by %s",
          "Échéance d'entretien de charge de travail du %s passée sans entretien : le suivant est dû "
                       "au plus tard le %s"), s_d(&ds, o->anchor), s_d(&ds, o->due_date));
        else
            s_put(sb, T("Workload interview held %s: next one due by %s",
          "Entretien de charge de travail tenu le %s : le suivant est dû au plus tard le %s"), s_d(&ds, o->anchor),
                  s_d(&ds, o->due_date));
        break;
    default:
        s_put(sb, T("%s due by %s",
          "%s dû au plus tard le %s"), sch_type_name(o->type) ? sch_type_name(o->type) : T("interview", "entretien"),
              s_d(&ds, o->due_date));
        break;
    }
    if (o->flags & SCH_OBL_COVID) {
        /* The row that deferred it: the one whose end is the due date. */
        const sch_rule_t *cov = NULL;
        for (int i = 0; i < S_COVID_COUNT && cov == NULL; i++)
            if (sch_rule_get(S_COVID_ROWS[i])->effective_to == o->due_date)
                cov = sch_rule_get(S_COVID_ROWS[i]);
        if (cov != NULL)
            s_put(sb, T(" (deadline deferred to %s by %s)",
          " (échéance reportée au %s par %s)"), s_d(&ds, cov->effective_to), cov->basis);
    }
    s_put(sb, " (%s).", rule != NULL ? rule->basis : T("unknown rule", "règle inconnue"));
    switch (o->status) {
    case SCH_STATUS_MET:
        s_put(sb, T(" Met on %s%s.",
          " Réalisé le %s%s."), s_d(&ds, o->met_on),
              (o->flags & SCH_OBL_LATE) ? T(", after the deadline", ", après l'échéance") : "");
        break;
    case SCH_STATUS_OVERDUE:
        s_put(sb, T(" Overdue: the deadline was %s.",
          " En retard : l'échéance était le %s."), s_d(&ds, o->due_date));
        break;
    case SCH_STATUS_CANCELLED:
        s_put(sb, T(" Cancelled: left on %s.",
          " Annulé : départ le %s."), s_d(&ds, o->cancelled_on));
        break;
    default:
        break;
    }
    if (o->penalty_eur > 0)
        s_put(sb, T(" CPF top-up exposure: EUR %d (entity of 50+, interviews missed and no "
                   "non-mandatory training in the period; L6323-13); EUR %d if an inspection "
                   "finds it unpaid and the formal notice is not complied with.",
          " Exposition à l'abondement CPF : %d EUR (entreprise de 50 salariés ou plus, entretiens "
                   "manqués et aucune formation non obligatoire sur la période ; L6323-13) ; %d EUR "
                   "si un contrôle constate qu'il n'a pas été versé et que la mise en demeure reste sans effet."),
              (int)o->penalty_eur, (int)sch_obligation_penalty_if_inspected(o));
    return sb->len;
}

size_t sch_obligation_reason(const sch_obligation_t *o, char *buf, size_t size)
{
    return sch_obligation_reason_lang(o, SCH_LANG_EN, buf, size);
}

const sch_rule_t *sch_obligation_rule(const sch_obligation_t *ob)
{
    return ob != NULL ? sch_rule_get(ob->rule) : NULL;
}

int32_t sch_obligation_penalty_if_inspected(const sch_obligation_t *ob)
{
    const sch_rule_t *r = sch_obligation_rule(ob);
    if (r == NULL || ob->penalty_eur <= 0)
        return 0;
    return (int32_t)((int64_t)ob->penalty_eur * (100 + r->surcharge_pct) / 100);
}
