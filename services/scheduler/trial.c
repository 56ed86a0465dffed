/*  trial.c — trial period arithmetic (see trial.h). */
#include "trial.h"

#include <stddef.h>

#include "common/date.h"
#include "ruleset.h"

/* L1221-25 notice schedule: from `months` months + `days` days of presence
 * on, the employer owes `notice_months` months + `notice_days` days.  The
 * presence boundaries follow the legal research (R-TRIAL-3, certainty C):
 * "from 8 days" = on the 8th day (start + 7), "after 1 / 3 months" = from
 * the same day number 1 / 3 months later. */
static const struct {
    int months, days;
    int notice_months, notice_days;
} S_NOTICE[] = {
    {0, 0, 0, 1},  /* 24 hours */
    {0, 7, 0, 2},  /* 48 hours */
    {1, 0, 0, 14}, /* 2 weeks */
    {3, 0, 1, 0},  /* 1 month */
};
#define S_NOTICE_COUNT ((int)(sizeof S_NOTICE / sizeof S_NOTICE[0]))

static int32_t s_tier_start(int32_t start, int i)
{
    return ent_date_add_months(start, S_NOTICE[i].months) + S_NOTICE[i].days;
}

static int32_t s_notice_end(int i, int32_t notified_on)
{
    return ent_date_add_months(notified_on, S_NOTICE[i].notice_months) + S_NOTICE[i].notice_days;
}

/* Last day of a period of `months` months starting on `start`, counted
 * from date to date: the eve of the same day number (2026-04-07 + 4 months
 * ends 2026-08-06).  When the target month has no such day number
 * (2026-01-31 + 1 month) the last full month ends with that month, so the
 * period ends on its last day (2026-02-28). */
static int32_t s_months_end(int32_t start, int months)
{
    int y, m, d;
    ent_date_to_ymd(start, &y, &m, &d);
    int32_t same = ent_date_add_months(start, months);
    int ty, tm, td;
    ent_date_to_ymd(same, &ty, &tm, &td);
    return td < d ? same : same - 1;
}

static const sch_rule_t *s_category_rule(sch_category_t category)
{
    switch (category) {
    case SCH_CAT_OUVRIER_EMPLOYE:
        return sch_rule_get(SCH_R_TRIAL_OUVRIER_EMPLOYE);
    case SCH_CAT_MAITRISE_TECHNICIEN:
        return sch_rule_get(SCH_R_TRIAL_MAITRISE_TECHNICIEN);
    case SCH_CAT_CADRE:
        return sch_rule_get(SCH_R_TRIAL_CADRE);
    default:
        return NULL;
    }
}

int sch_trial_default_months(sch_category_t category)
{
    const sch_rule_t *r = s_category_rule(category);
    return r ? r->months : 0;
}

int sch_trial_max_months(sch_category_t category)
{
    const sch_rule_t *r = s_category_rule(category);
    return r ? r->alt_months : 0;
}

int sch_trial_fixed_term_days(int32_t start, int32_t contract_end)
{
    const sch_rule_t *r = sch_rule_get(SCH_R_TRIAL_FIXED_TERM);
    if (start == ENT_DATE_NONE || contract_end == ENT_DATE_NONE || contract_end < start)
        return 0;
    int64_t length = (int64_t)contract_end - start + 1;
    int64_t days = length / 7 * r->days; /* one day per full week */
    /* "6 months or less": the contract ends no later than the eve of the
     * same day number 6 months on. */
    if (contract_end < ent_date_add_months(start, r->months)) {
        if (days > r->threshold_days)
            days = r->threshold_days;
    } else {
        int64_t month = (int64_t)s_months_end(start, r->alt_months) - start + 1;
        if (days > month)
            days = month;
    }
    return (int)days;
}

int32_t sch_trial_notice_end(int32_t start, int32_t notified_on)
{
    int tier = 0;
    for (int i = 1; i < S_NOTICE_COUNT; i++) {
        if (notified_on >= s_tier_start(start, i))
            tier = i;
    }
    return s_notice_end(tier, notified_on);
}

int32_t sch_trial_latest_notification(int32_t start, int32_t end)
{
    int32_t tier_start[S_NOTICE_COUNT];
    for (int i = 0; i < S_NOTICE_COUNT; i++)
        tier_start[i] = S_NOTICE[i].months ? s_tier_start(start, i) : start + S_NOTICE[i].days;
    int32_t best = ENT_DATE_NONE;
    for (int i = 0; i < S_NOTICE_COUNT; i++) {
        int32_t lo = tier_start[i];
        int32_t hi = i + 1 < S_NOTICE_COUNT ? tier_start[i + 1] - 1 : end;
        if (lo > hi || lo > end)
            continue;
        /* Latest N in [lo, hi] with s_notice_end(i, N) <= end.  A notice in
         * days inverts exactly; one in months starts from the inverse and
         * walks to the exact boundary, which month clamping can shift. */
        int32_t n;
        if (S_NOTICE[i].notice_months == 0) {
            n = end - S_NOTICE[i].notice_days;
        } else {
            n = ent_date_add_months(end, -S_NOTICE[i].notice_months) - S_NOTICE[i].notice_days;
            while (s_notice_end(i, n) > end)
                n--;
            while (s_notice_end(i, n + 1) <= end)
                n++;
        }
        if (n > hi)
            n = hi;
        if (n >= lo && (best == ENT_DATE_NONE || n > best))
            best = n;
    }
    return best;
}

/* Contracts concluded from this day no longer get the longer trial of a
 * pre-2008 branch agreement (loi 2023-171 art. 19: six months after its
 * promulgation).  The product knows the start of the contract, not its
 * signature: a contract signed before but started on or after this day is
 * treated as a new one, whose trial ends earlier (the safe side). */
static int32_t s_legacy_until(void)
{
    return sch_rule_get(SCH_R_TRIAL_LEGACY_BRANCH)->effective_to;
}

/* The initial trial of a fixed-term contract: what it stipulates, within
 * L1242-10.  Returns the last day (before absences) or ENT_DATE_NONE. */
static int32_t s_fixed_term_end(const sch_fact_t *h, sch_trial_t *out)
{
    int max = sch_trial_fixed_term_days(h->date, h->contract_end);
    int days = h->trial_days;
    if (days == 0 && h->trial_months > 0)
        days = (int)(s_months_end(h->date, h->trial_months) - h->date + 1);
    if (days > max)
        days = max;
    if (days <= 0)
        return ENT_DATE_NONE;
    out->rule = SCH_R_TRIAL_FIXED_TERM;
    out->days = (uint8_t)days;
    return h->date + days - 1;
}

int sch_trial_from_facts(const sch_policy_t *policy, const sch_fact_t *facts, uint32_t n,
                         int32_t today, sch_trial_t *out)
{
    if (facts == NULL || out == NULL || n == 0 || facts[0].kind != SCH_FACT_HIRED)
        return SCH_EINVAL;
    sch_policy_t defaults;
    if (policy == NULL) {
        sch_policy_defaults(&defaults);
        policy = &defaults;
    }
    const sch_fact_t *h = &facts[0];
    *out = (sch_trial_t){.start = h->date,
                         .initial_end = ENT_DATE_NONE,
                         .end = ENT_DATE_NONE,
                         .notify_by = ENT_DATE_NONE,
                         .renewed_on = ENT_DATE_NONE,
                         .refused_on = ENT_DATE_NONE};
    int32_t start = h->date;
    int32_t end0;
    bool prov = false;

    if (h->contract == SCH_CONTRACT_FIXED_TERM) {
        end0 = s_fixed_term_end(h, out);
        if (end0 == ENT_DATE_NONE)
            return 0;
        out->initial_end = sch_extend_by_absence(facts, n, SCH_TRIAL_ABSENCE_KINDS, start, end0,
                                                 today, &prov);
    } else {
        const sch_rule_t *r = s_category_rule((sch_category_t)h->category);
        if (r == NULL)
            return SCH_EINVAL;
        /* Not presumed (L1221-23): nothing stipulated, no trial. */
        if (h->trial_days == 0 && h->trial_months == 0)
            return 0;
        int32_t cap_end = s_months_end(start, r->months);
        int cap_total = r->alt_months;
        bool legacy = policy->legacy_branch_trial && h->contract == SCH_CONTRACT_PERMANENT &&
                      start <= s_legacy_until();
        out->rule = (uint16_t)(r - sch_rule_get(0));
        int months = h->trial_days ? 0 : h->trial_months;
        if (months > 0) {
            if (legacy && months > r->months) {
                /* The longer duration of the agreement, as the contract
                 * stipulates it; its own renewal limits are not known, so a
                 * renewal may not take the total past the larger of the
                 * statutory total and this duration. */
                out->rule = SCH_R_TRIAL_LEGACY_BRANCH;
                if (months > cap_total)
                    cap_total = months;
            } else if (months > r->months) {
                months = r->months; /* longer pre-2008 durations stopped on 2023-09-09 */
            }
            end0 = s_months_end(start, months);
        } else {
            end0 = start + h->trial_days - 1;
            if (end0 > cap_end)
                end0 = cap_end;
            out->days = (uint8_t)(end0 - start + 1);
        }
        out->initial_end = sch_extend_by_absence(facts, n, SCH_TRIAL_ABSENCE_KINDS, start, end0,
                                                 today, &prov);
        /* A renewal must be agreed before the initial period ends; only
         * one is allowed, and only when both the contract and an extended
         * branch agreement provide for it (L1221-21, L1221-23).  Apprentices
         * have none. */
        for (uint32_t i = 1; i < n && h->contract == SCH_CONTRACT_PERMANENT; i++) {
            if (facts[i].kind != SCH_FACT_TRIAL_RENEWED)
                continue;
            if (facts[i].date > out->initial_end)
                break;
            uint8_t why = 0;
            if (!(h->flags & SCH_FACT_TRIAL_RENEWABLE))
                why |= SCH_RENEWAL_NO_CLAUSE;
            if (!policy->branch_trial_renewal)
                why |= SCH_RENEWAL_NO_AGREEMENT;
            if (why) {
                out->refused_on = facts[i].date;
                out->refused_why = why;
                break;
            }
            int32_t total_end = s_months_end(start, cap_total);
            int32_t renewed;
            if (facts[i].arg == 0)
                renewed = total_end;
            else if (months > 0)
                renewed = s_months_end(start, months + facts[i].arg);
            else
                renewed = s_months_end(end0 + 1, facts[i].arg);
            if (renewed > total_end)
                renewed = total_end;
            out->renewed_on = facts[i].date;
            if (months > 0) {
                int total = facts[i].arg ? months + facts[i].arg : cap_total;
                months = total > cap_total ? cap_total : total;
            } else {
                out->days = (uint8_t)(renewed - start + 1 > 255 ? 255 : renewed - start + 1);
            }
            end0 = renewed;
            break;
        }
        out->months = (uint8_t)months;
    }
    prov = false;
    out->end = sch_extend_by_absence(facts, n, SCH_TRIAL_ABSENCE_KINDS, start, end0, today, &prov);
    out->absence_days = out->end - end0;
    out->provisional = prov;
    out->notify_by = sch_trial_latest_notification(start, out->end);
    return 1;
}

int sch_trial_compute(const sch_policy_t *policy, const sch_employee_t *emp, int32_t today,
                      sch_trial_t *out)
{
    if (out == NULL)
        return SCH_EINVAL;
    *out = (sch_trial_t){.start = ENT_DATE_NONE,
                         .initial_end = ENT_DATE_NONE,
                         .end = ENT_DATE_NONE,
                         .notify_by = ENT_DATE_NONE,
                         .renewed_on = ENT_DATE_NONE,
                         .refused_on = ENT_DATE_NONE};
    uint32_t from, to;
    int rc = sch_last_employment(emp, &from, &to, NULL);
    if (rc != 1)
        return rc;
    return sch_trial_from_facts(policy, emp->facts + from, to - from, today, out);
}

int32_t sch_trial_end(const sch_policy_t *policy, const sch_employee_t *emp, int32_t today)
{
    sch_trial_t t;
    if (sch_trial_compute(policy, emp, today, &t) != 1)
        return ENT_DATE_NONE;
    return t.end;
}
