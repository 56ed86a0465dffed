/*  test_notifier_plan.c — reminder plans (services/notifier/plan.h): the
 *  plan syntax, business-day fire times, what a subject's state calls for,
 *  and how a new state rewrites a plan without ever sending twice. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "plan.h"

static int32_t D(const char *s)
{
    int32_t d;
    cr_assert_eq(ent_date_parse(s, &d), 0, "bad date %s", s);
    return d;
}

/* The local date of a fire time. */
static int32_t s_day(int64_t ms) { return ent_date_from_unix_ms(ms); }

static void s_tz(void)
{
    setenv("TZ", "Europe/Paris", 1);
    tzset();
}

TestSuite(plans, .init = s_tz);

Test(plans, default_plan)
{
    ntf_plans_t p;
    char err[128];
    cr_assert_eq(ntf_plans_parse(NULL, &p, err, sizeof err), 0, "%s", err);
    const ntf_plan_t *d = ntf_plans_for(&p, "professional");
    cr_assert_eq(d->n, 5);
    int32_t offs[] = { -30, -7, -1, 1, 7 };
    uint8_t to[] = { 3, 3, 3, 2, 4 };
    for (int i = 0; i < 5; i++) {
        cr_expect_eq(d->steps[i].offset, offs[i]);
        cr_expect_eq(d->steps[i].to, to[i], "step %d", i);
    }
}

Test(plans, per_type_plans_and_none)
{
    ntf_plans_t p;
    char err[128];
    cr_assert_eq(ntf_plans_parse("end_of_trial=-14:m,-3:em,+1:m ; corrective=none", &p, err, sizeof err), 0, "%s", err);
    const ntf_plan_t *t = ntf_plans_for(&p, "end_of_trial");
    cr_assert_eq(t->n, 3);
    cr_expect_eq(t->steps[0].offset, -14);
    cr_expect_eq(t->steps[0].to, NTF_TO_MANAGER);
    cr_expect_eq(t->steps[1].to, NTF_TO_EMPLOYEE | NTF_TO_MANAGER);
    cr_expect_eq(ntf_plans_for(&p, "corrective")->n, 0);
    cr_expect_eq(ntf_plans_for(&p, "annual_review")->n, 5, "other types keep the default");
    cr_assert_eq(ntf_plans_parse("default=-2:e", &p, err, sizeof err), 0);
    cr_expect_eq(ntf_plans_for(&p, "annual_review")->n, 1, "default replaced");
}

Test(plans, bad_plans_are_refused_with_a_reason)
{
    ntf_plans_t p;
    char err[128];
    const char *bad[] = { "professional", "professional=-7", "professional=-7:q", "professional=abc:e",
                          "professional=-3:x", "professional=-7:e,-7:m", "professional=-400:e",
                          "x=1:e,2:e,3:e,4:e,5:e,6:e,7:e,8:e,9:e" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        cr_expect_eq(ntf_plans_parse(bad[i], &p, err, sizeof err), -1, "accepted '%s'", bad[i]);
        cr_expect_neq(err[0], '\0', "no reason for '%s'", bad[i]);
    }
}

Test(plans, fire_times_fall_on_business_days_at_the_hour)
{
    /* 2026-04-07 is a Tuesday; the day before is Easter Monday (a holiday
     * everywhere), the Friday before is Good Friday (a holiday in
     * Alsace-Moselle only) */
    int64_t f = ntf_step_fire_ms(D("2026-04-07"), -1, ENT_REGION_METROPOLE, 9);
    cr_expect_eq(s_day(f), D("2026-04-03"), "before Easter Monday: the Friday");
    f = ntf_step_fire_ms(D("2026-04-07"), -1, ENT_REGION_ALSACE_MOSELLE, 9);
    cr_expect_eq(s_day(f), D("2026-04-02"), "Good Friday too in Alsace-Moselle");
    /* after the due date, later: Saturday 2026-03-07 -> Monday 9th */
    f = ntf_step_fire_ms(D("2026-03-06"), 1, ENT_REGION_METROPOLE, 9);
    cr_expect_eq(s_day(f), D("2026-03-09"));
    /* the hour is local: 09:00 in Paris is 08:00 UTC in winter, 07:00 in summer */
    cr_expect_eq(ntf_local_ms(D("2026-01-15"), 9) % 86400000, 8 * 3600000);
    cr_expect_eq(ntf_local_ms(D("2026-07-15"), 9) % 86400000, 7 * 3600000);
    /* ... and the recipient's: 09:00 in La Réunion (UTC+4) is 05:00 UTC, in
     * Guadeloupe (UTC-4) 13:00 UTC, winter and summer alike */
    int64_t midnight_utc = (int64_t) (D("2026-07-15") - D("1970-01-01")) * 86400000;
    f = ntf_step_fire_ms(D("2026-07-15"), 0, ENT_REGION_REUNION, 9);
    cr_expect_eq(f - midnight_utc, 5 * 3600000, "La Réunion: %lld", (long long) (f - midnight_utc));
    f = ntf_step_fire_ms(D("2026-07-15"), 0, ENT_REGION_GUADELOUPE, 9);
    cr_expect_eq(f - midnight_utc, 13 * 3600000, "Guadeloupe: %lld", (long long) (f - midnight_utc));
    f = ntf_step_fire_ms(D("2026-07-15"), 0, ENT_REGION_GUYANE, 9);
    cr_expect_eq(f - midnight_utc, 12 * 3600000);
    f = ntf_step_fire_ms(D("2026-07-15"), 0, ENT_REGION_MAYOTTE, 9);
    cr_expect_eq(f - midnight_utc, 6 * 3600000);
    midnight_utc = (int64_t) (D("2026-01-15") - D("1970-01-01")) * 86400000;
    f = ntf_step_fire_ms(D("2026-01-15"), 0, ENT_REGION_MARTINIQUE, 9);
    cr_expect_eq(f - midnight_utc, 13 * 3600000);
    /* a business day stays put */
    cr_expect_eq(ntf_business_day(ENT_REGION_METROPOLE, D("2026-03-04"), -1), D("2026-03-04"));
    /* 14 July 2026 is a Tuesday holiday */
    cr_expect_eq(ntf_business_day(ENT_REGION_METROPOLE, D("2026-07-14"), 1), D("2026-07-15"));
}

/* An obligation subject, actionable, due on due. */
static void s_obligation(ntf_subject_t *s, const char *due, const char *status)
{
    ntf_subject_init(s, "o:E1/professional/2026-01-05");
    strcpy(s->employee_id, "E1");
    strcpy(s->type, "professional");
    strcpy(s->obligation_id, "E1/professional/2026-01-05");
    strcpy(s->obligation_status, status);
    s->actionable = true;
    s->due = D(due);
}

static ntf_plan_ctx_t s_ctx(const ntf_plans_t *p, const char *manager)
{
    ntf_plan_ctx_t c = { .plans = p, .hour = 9, .manager_id = manager, .employee_region = ENT_REGION_METROPOLE,
                         .manager_region = ENT_REGION_METROPOLE };
    return c;
}

static const ntf_item_t *s_find(const ntf_subject_t *s, int kind, int32_t offset, const char *to)
{
    for (size_t i = 0; i < s->n_items; i++)
        if (s->items[i].kind == kind && s->items[i].offset == offset && strcmp(s->items[i].recipient, to) == 0)
            return &s->items[i];
    return NULL;
}

Test(plans, an_obligation_wants_every_step_for_each_recipient)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    s_obligation(s, "2026-06-15", "upcoming");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_assert_eq(n, 8, "3 steps x 2 + overdue to the manager + the escalation: got %d", n);
    int kinds[NTF_KIND_COUNT] = { 0 };
    for (int i = 0; i < n; i++)
        kinds[w[i].kind]++;
    cr_expect_eq(kinds[NTF_KIND_REMINDER], 6);
    cr_expect_eq(kinds[NTF_KIND_OVERDUE], 1);
    cr_expect_eq(kinds[NTF_KIND_ESCALATION], 1);
    /* no manager known: the manager's items are not wanted */
    c = s_ctx(&p, "");
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 4);
    /* met, cancelled, not actionable: nothing */
    c = s_ctx(&p, "M1");
    strcpy(s->obligation_status, "met");
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 0);
    strcpy(s->obligation_status, "overdue");
    s->actionable = false;
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 0);
    free(s);
}

Test(plans, a_scheduled_interview_replaces_the_reminders_and_held_ends_the_plan)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    s_obligation(s, "2026-06-15", "upcoming");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    s->scheduled_start_ms = ntf_local_ms(D("2026-06-10"), 14);
    strcpy(s->interview_status, "scheduled");
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_expect_eq(n, 2, "only overdue + escalation remain: %d", n);
    /* scheduled after the due date: the reminders stay */
    s->scheduled_start_ms = ntf_local_ms(D("2026-06-20"), 14);
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 8);
    strcpy(s->interview_status, "held");
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 0);
    free(s);
}

Test(plans, steps_past_when_the_obligation_appears_are_not_owed)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    s_obligation(s, "2026-03-20", "upcoming");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    /* heard of on Thursday 2026-03-12 at 11:00: d-30 is past, d-7 (Friday 13th) ahead */
    int64_t at = ntf_local_ms(D("2026-03-12"), 11);
    ntf_merge_stats_t st;
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.added, 6);
    cr_expect_null(s_find(s, NTF_KIND_REMINDER, -30, "E1"));
    const ntf_item_t *d7 = s_find(s, NTF_KIND_REMINDER, -7, "E1");
    cr_assert_not_null(d7);
    cr_expect_eq(d7->fire_ms, ntf_local_ms(D("2026-03-13"), 9));
    cr_expect_eq(d7->late, 0);
    /* a step due the very day it is heard of, after the hour: fires at once */
    s_obligation(s, "2026-03-19", "upcoming");
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    d7 = s_find(s, NTF_KIND_REMINDER, -7, "E1");
    cr_assert_not_null(d7, "d-7 falls today: still owed");
    cr_expect_eq(d7->fire_ms, at);
    free(s);
}

Test(plans, events_caught_up_late_are_planned_late)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    s_obligation(s, "2026-03-20", "upcoming");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    /* the event happened on 03-12, the notifier applies it on 03-16 */
    int64_t at = ntf_local_ms(D("2026-03-12"), 8), now = ntf_local_ms(D("2026-03-16"), 10);
    ntf_plan_merge(s, w, n, at, now, 30LL * 86400000, 60000, NULL);
    const ntf_item_t *d7 = s_find(s, NTF_KIND_REMINDER, -7, "E1");
    cr_assert_not_null(d7);
    cr_expect(d7->late, "came due while the notifier was behind");
    cr_expect_eq(d7->fire_ms, ntf_local_ms(D("2026-03-13"), 9), "keeps its planned time");
    const ntf_item_t *d1 = s_find(s, NTF_KIND_REMINDER, -1, "E1");
    cr_assert_not_null(d1);
    cr_expect_not(d1->late);
    /* more than max_late behind: not planned at all */
    s_obligation(s, "2026-03-20", "upcoming");
    now = ntf_local_ms(D("2026-05-30"), 10);
    ntf_merge_stats_t st;
    ntf_plan_merge(s, w, n, at, now, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.added, 0);
    free(s);
}

static int s_count_kind(const ntf_item_t *w, int n, int kind)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += w[i].kind == kind;
    return k;
}

Test(plans, the_backlog_found_overdue_gets_one_catch_up_for_the_manager_and_hr)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    /* overdue for nine months when the notifier first hears of it
     * (Thursday 2026-03-12, an installation's history load) */
    s_obligation(s, "2025-06-16", "overdue");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    c.ref_day = D("2026-03-12");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_expect_eq(s_count_kind(w, n, NTF_KIND_CATCHUP), 2);
    int64_t at = ntf_local_ms(D("2026-03-12"), 11);
    ntf_merge_stats_t st;
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.added, 2, "only the catch-ups: every day step is past (%d)", st.added);
    const ntf_item_t *m = s_find(s, NTF_KIND_CATCHUP, 0, "M1");
    const ntf_item_t *hr = s_find(s, NTF_KIND_CATCHUP, 0, "hr");
    cr_assert_not_null(m);
    cr_assert_not_null(hr);
    cr_expect_eq(m->role, NTF_ROLE_MANAGER);
    cr_expect_eq(hr->role, NTF_ROLE_HR);
    cr_expect_eq(m->fire_ms, ntf_local_ms(D("2026-03-13"), 9), "the next business morning");
    cr_expect_not(m->late);
    char id[NTF_NID_MAX + 1];
    cr_assert_eq(ntf_item_id(s->key, m, id, sizeof id), 0);
    cr_expect_str_eq(id, "o:E1/professional/2026-01-05|catchup@2025-06-16|M1");
    /* sent, then planned again by a later event: never a second one */
    for (size_t i = 0; i < s->n_items; i++)
        s->items[i].status = NTF_ITEM_FIRED;
    c.ref_day = D("2026-04-02");
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    at = ntf_local_ms(D("2026-04-02"), 11);
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.added, 0);
    /* no longer actionable (superseded): no catch-up */
    s_obligation(s, "2025-06-16", "overdue");
    s->actionable = false;
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 0);
    free(s);
}

Test(plans, an_obligation_followed_since_before_its_due_date_gets_no_catch_up)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    /* overdue since yesterday: its d+1 step is today, the usual plan applies */
    s_obligation(s, "2026-03-11", "overdue");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    c.ref_day = D("2026-03-12");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_expect_eq(s_count_kind(w, n, NTF_KIND_CATCHUP), 0);
    /* long overdue, but a reminder already went out for it */
    s_obligation(s, "2025-06-16", "overdue");
    s->items[0] = (ntf_item_t) { .kind = NTF_KIND_OVERDUE, .role = NTF_ROLE_MANAGER, .status = NTF_ITEM_FIRED,
                                 .offset = 1, .ref = D("2025-06-16"), .fire_ms = ntf_local_ms(D("2025-06-17"), 9) };
    strcpy(s->items[0].recipient, "M1");
    s->n_items = 1;
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_expect_eq(s_count_kind(w, n, NTF_KIND_CATCHUP), 0);
    free(s);
}

Test(plans, no_reminder_before_the_window_opens)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    /* a campaign open from 2026-06-01 to 2026-06-15: no d-30 */
    s_obligation(s, "2026-06-15", "upcoming");
    s->window_start = D("2026-06-01");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_expect_eq(n, 6, "d-7 and d-1 for two, the overdue notice and the escalation: %d", n);
    for (int i = 0; i < n; i++)
        cr_expect_neq(w[i].offset, -30);
    /* a window that opened long before: the whole plan */
    s->window_start = D("2025-06-15");
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 8);
    free(s);
}

Test(plans, a_medical_visit_is_never_told_to_the_managers)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    s_obligation(s, "2026-06-15", "upcoming");
    strcpy(s->type, "return_medical_visit");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    int to_hr = 0, to_employee = 0;
    for (int i = 0; i < n; i++) {
        cr_expect_str_neq(w[i].recipient, "M1", "the manager is told of a medical visit");
        cr_expect_str_neq(w[i].recipient, "escalation", "the manager's manager is told of a medical visit");
        to_hr += strcmp(w[i].recipient, "hr") == 0 && w[i].role == NTF_ROLE_HR;
        to_employee += strcmp(w[i].recipient, "E1") == 0;
    }
    cr_expect_eq(to_employee, 3, "the employee keeps her reminders");
    cr_expect_eq(to_hr, 5, "what the managers would get goes to HR: %d", to_hr);
    /* overdue long ago: the catch-up goes to HR alone */
    s_obligation(s, "2025-06-16", "overdue");
    strcpy(s->type, "return_medical_visit");
    c.ref_day = D("2026-03-12");
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_expect_eq(s_count_kind(w, n, NTF_KIND_CATCHUP), 1);
    for (int i = 0; i < n; i++)
        cr_expect_str_neq(w[i].recipient, "M1");
    free(s);
}

Test(plans, a_moved_due_date_rewrites_pending_steps_and_keeps_fired_ones)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    s_obligation(s, "2026-06-15", "upcoming");
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int64_t at = ntf_local_ms(D("2026-05-01"), 10);
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, NULL);
    size_t first = s->n_items;
    cr_assert_eq(first, 8);
    ntf_item_t *d30 = (ntf_item_t *) s_find(s, NTF_KIND_REMINDER, -30, "E1");
    d30->status = NTF_ITEM_FIRED;
    char id[NTF_NID_MAX + 1];
    cr_assert_eq(ntf_item_id(s->key, d30, id, sizeof id), 0);
    cr_expect_str_eq(id, "o:E1/professional/2026-01-05|d-30@2026-06-15|E1");
    /* the due date moves: a new plan, the old pending steps cancelled */
    s->due = D("2026-09-15");
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    ntf_merge_stats_t st;
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.cancelled, 7);
    cr_expect_eq(st.added, 8);
    cr_expect_eq(ntf_subject_pending(s), 8);
    cr_expect_eq(d30->status, NTF_ITEM_FIRED, "what went out stays as it was");
    /* the same state again changes nothing */
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.added + st.cancelled + st.restored, 0);
    /* met: every pending step is cancelled */
    strcpy(s->obligation_status, "met");
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.cancelled, 8);
    cr_expect_eq(ntf_subject_next_fire(s), 0);
    free(s);
}

Test(plans, interview_notices_follow_its_life)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s);
    ntf_subject_init(s, "i:IV1");
    strcpy(s->employee_id, "E1");
    strcpy(s->interviewer_id, "M1");
    strcpy(s->interview_id, "IV1");
    ntf_plan_ctx_t c = s_ctx(&p, "M0");
    ntf_item_t w[NTF_MAX_WANTS];
    int64_t t0 = ntf_local_ms(D("2026-03-02"), 10);
    cr_expect_eq(ntf_plan_wants(s, &c, w, NTF_MAX_WANTS), 0, "created: nothing to say yet");
    s->scheduled_start_ms = ntf_local_ms(D("2026-03-20"), 14);
    s->scheduled_at_ms = t0;
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_assert_eq(n, 2);
    cr_expect_eq(w[0].kind, NTF_KIND_INVITATION);
    cr_expect_str_eq(w[1].recipient, "M1", "the interviewer, not the directory's manager");
    ntf_plan_merge(s, w, n, t0, t0, 30LL * 86400000, 60000, NULL);
    for (size_t i = 0; i < s->n_items; i++)
        s->items[i].status = NTF_ITEM_FIRED;
    /* rescheduled: a new invitation each, same UID, next SEQUENCE */
    s->scheduled_start_ms = ntf_local_ms(D("2026-03-23"), 14);
    s->sequence = 1;
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    ntf_merge_stats_t st;
    ntf_plan_merge(s, w, n, t0 + 1000, t0 + 1000, 30LL * 86400000, 60000, &st);
    cr_expect_eq(st.added, 2);
    for (size_t i = 0; i < s->n_items; i++)
        s->items[i].status = NTF_ITEM_FIRED;
    /* cancelled: a cancellation to each one invited */
    s->cancelled_at_ms = t0 + 2000;
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_assert_eq(n, 2);
    cr_expect_eq(w[0].kind, NTF_KIND_CANCELLATION);
    cr_expect_eq(w[0].ref, s->scheduled_start_ms);
    /* held, then signed, then reopened */
    s->cancelled_at_ms = 0;
    s->held_at_ms = t0 + 3000;
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_assert_eq(n, 2);
    cr_expect_eq(w[0].kind, NTF_KIND_SIGN_REQUEST);
    cr_expect_eq(w[0].fire_ms, t0 + 3000);
    s->signed_at_ms = t0 + 4000;
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_assert_eq(n, 2);
    cr_expect_eq(w[0].kind, NTF_KIND_SIGNED);
    s->signed_at_ms = 0;
    s->reopen_count = 1;
    s->reopened_at_ms = t0 + 5000;
    n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    cr_assert_eq(n, 2);
    char step[64];
    cr_expect_str_eq(ntf_item_step(&w[0], step, sizeof step), "sign#1");
    cr_expect_eq(w[0].fire_ms, t0 + 5000);
    free(s);
}

Test(plans, a_full_plan_drops_old_items_first)
{
    ntf_subject_t *s = malloc(sizeof *s);
    ntf_subject_init(s, "i:IV9");
    strcpy(s->employee_id, "E9");
    int64_t t0 = ntf_local_ms(D("2026-03-02"), 10);
    ntf_item_t w;
    memset(&w, 0, sizeof w);
    w.kind = NTF_KIND_INVITATION;
    strcpy(w.recipient, "E9");
    for (int i = 0; i < NTF_MAX_ITEMS + 10; i++) {
        w.ref = i + 1;
        w.fire_ms = t0;
        ntf_plan_merge(s, &w, 1, t0, t0, 30LL * 86400000, 60000, NULL);
        cr_assert_leq(s->n_items, NTF_MAX_ITEMS);
        cr_assert_eq(ntf_subject_pending(s), 1, "round %d", i);
    }
    free(s);
}

Test(plans, subjects_survive_the_store_and_garbage_is_refused)
{
    ntf_plans_t p;
    ntf_plans_parse(NULL, &p, NULL, 0);
    ntf_subject_t *s = malloc(sizeof *s), *t = malloc(sizeof *t);
    s_obligation(s, "2026-06-15", "upcoming");
    strcpy(s->place, "Salle 3 — étage 2");
    s->sequence = 3;
    ntf_plan_ctx_t c = s_ctx(&p, "M1");
    ntf_item_t w[NTF_MAX_WANTS];
    int n = ntf_plan_wants(s, &c, w, NTF_MAX_WANTS);
    int64_t at = ntf_local_ms(D("2026-05-01"), 10);
    ntf_plan_merge(s, w, n, at, at, 30LL * 86400000, 60000, NULL);
    size_t len;
    uint8_t *buf = ntf_subject_pack(s, &len);
    cr_assert_not_null(buf);
    cr_assert_eq(ntf_subject_unpack(buf, len, NULL, t), 0);
    cr_expect_str_eq(t->key, s->key);
    cr_expect_eq(t->due, s->due);
    cr_expect_str_eq(t->place, s->place);
    cr_expect_eq(t->sequence, 3);
    cr_assert_eq(t->n_items, s->n_items);
    for (size_t i = 0; i < s->n_items; i++)
        cr_expect(ntf_item_same(&t->items[i], &s->items[i]) && t->items[i].fire_ms == s->items[i].fire_ms);
    free(buf);
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t) (i * 37 + 11);
    cr_expect_eq(ntf_subject_unpack(junk, sizeof junk, NULL, t), -1);
    free(s);
    free(t);
}

Test(plans, copy_cuts_on_a_character_boundary)
{
    char buf[6];
    cr_expect(ntf_copy(buf, sizeof buf, "abc"));
    cr_expect_not(ntf_copy(buf, sizeof buf, "abcdé"));  /* é is 2 bytes: would end at byte 6 */
    cr_expect_str_eq(buf, "abcd");
}
