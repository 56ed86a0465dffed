/*  Unit tests of services/ctl/orggen: the generated organisation is
 *  deterministic (same seed, same bytes), its histories obey the calendar
 *  (nothing before the hire, after leaving or after today; a leave ends
 *  after it starts; real dates), it is what the issue asks for (entities
 *  under and over 50 employees, one in Alsace-Moselle, every category and
 *  contract), and the scheduler accepts every event. */
#include "orggen.h"
#include "validate.h"

#include "common/date.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a test holds, released by s_fini even when an assertion ends the
 * test early (so that a failure is not also reported as a leak). */
static orggen_t *s_g;
static void *s_mem[4];

static void s_fini(void)
{
    orggen_destroy(&s_g);
    for (size_t i = 0; i < sizeof s_mem / sizeof *s_mem; i++) {
        free(s_mem[i]);
        s_mem[i] = NULL;
    }
}

static int32_t s_today(void)
{
    return ent_date_from_ymd(2026, 11, 26);
}

static int32_t s_day(const Entretiens__V1__Date *d)
{
    cr_assert_not_null(d, "every event has its date");
    cr_assert(ent_date_valid(d->year, d->month, d->day), "%04d-%02d-%02d is not a real day", d->year, d->month, d->day);
    return ent_date_from_ymd(d->year, d->month, d->day);
}

/* Every event of (seed, n) packed end to end: the bytes a run produces. */
static char *s_bytes(uint64_t seed, size_t n, size_t *len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    orggen_t *g = orggen_new(seed, n, s_today());
    cr_assert_not_null(g);
    const Entretiens__V1__EmployeeEvent *ev;
    uint8_t tmp[4096];
    while (orggen_next(g, &ev)) {
        size_t size = protobuf_c_message_get_packed_size(&ev->base);
        cr_assert_leq(size, sizeof tmp);
        protobuf_c_message_pack(&ev->base, tmp);
        fwrite(&size, sizeof size, 1, m);
        fwrite(tmp, 1, size, m);
    }
    orggen_destroy(&g);
    cr_assert_null(g);
    fclose(m);
    return buf;
}

Test(orggen, the_same_seed_gives_the_same_bytes, .fini = s_fini)
{
    size_t la, lb, lc;
    char *a = s_mem[0] = s_bytes(42, 500, &la), *b = s_mem[1] = s_bytes(42, 500, &lb),
         *c = s_mem[2] = s_bytes(43, 500, &lc);
    cr_assert_gt(la, 500 * 20, "500 employees make more than a few bytes");
    cr_assert_eq(la, lb);
    cr_assert_eq(memcmp(a, b, la), 0, "seed 42 twice: identical events");
    cr_assert(lc != la || memcmp(a, c, la) != 0, "seed 43 gives another organisation");
}

typedef struct {
    char id[24];
    int32_t hired, left;
    size_t events;
} s_emp_t;

Test(orggen, histories_obey_the_calendar, .fini = s_fini)
{
    const size_t n = 2000;
    const int32_t today = s_today();
    orggen_t *g = s_g = orggen_new(7, n, today);
    cr_assert_not_null(g);
    s_emp_t *emps = s_mem[0] = calloc(n, sizeof *emps);
    size_t ne = 0;
    s_emp_t *cur = NULL;
    int32_t prev = 0;
    bool on_leave = false;
    int32_t leave_start = 0;
    size_t leaves = 0, returns = 0, leavers = 0, held = 0, total = 0;
    const Entretiens__V1__EmployeeEvent *ev;
    while (orggen_next(g, &ev)) {
        total++;
        int32_t d = s_day(ev->effective_date);
        cr_assert_leq(d, today, "%s %s on %d: after today", ev->employee_id, ev->type, d);
        if (!cur || strcmp(cur->id, ev->employee_id) != 0) {
            /* a new employee: their history starts with the hire */
            cr_assert_lt(ne, n, "more employees than asked");
            cur = &emps[ne++];
            snprintf(cur->id, sizeof cur->id, "%s", ev->employee_id);
            cr_assert_str_eq(ev->type, "hired", "%s's history starts with %s", ev->employee_id, ev->type);
            cur->hired = d;
            cur->left = ENT_DATE_NONE;
            prev = d;
            on_leave = false;
            cr_assert_geq(d, ent_date_add_years(today, -16), "hires are spread over 15 years");
        } else {
            cr_assert_str_neq(ev->type, "hired", "%s is hired twice", ev->employee_id);
            cr_assert_geq(d, cur->hired, "%s: %s before the hire", ev->employee_id, ev->type);
            cr_assert_geq(d, prev, "%s: events out of date order", ev->employee_id);
            cr_assert_eq(cur->left, ENT_DATE_NONE, "%s: %s on %04d-%02d-%02d after leaving", ev->employee_id, ev->type,
                         ev->effective_date->year, ev->effective_date->month, ev->effective_date->day);
            prev = d;
        }
        cur->events++;
        if (strcmp(ev->type, "leave_started") == 0) {
            cr_assert_not(on_leave, "%s starts a leave while on leave", ev->employee_id);
            on_leave = true;
            leave_start = d;
            leaves++;
        } else if (strcmp(ev->type, "leave_ended") == 0) {
            cr_assert(on_leave, "%s: a leave ends that never started", ev->employee_id);
            cr_assert_gt(d, leave_start, "%s: a leave ends before it starts", ev->employee_id);
            on_leave = false;
            returns++;
        } else if (strcmp(ev->type, "left") == 0) {
            cur->left = d;
            leavers++;
        } else if (strcmp(ev->type, "interview_held") == 0) {
            held++;
        }
        /* the scheduler takes every event as it is */
        const char *field = NULL, *why = NULL;
        char reason[256];
        cr_assert(sched_event_valid(ev, &field, &why, reason, sizeof reason), "%s %s refused: %s: %s", ev->employee_id,
                  ev->type, field, reason);
    }
    cr_assert_eq(ne, n, "one history per employee");
    cr_assert_eq(orggen_count(g), total);
    /* the history the issue describes: leaves with returns, leavers, interviews */
    cr_assert_gt(leaves, n / 20);
    cr_assert_gt(returns, 0);
    cr_assert_gt(leavers, n / 50);
    cr_assert_gt(held, n / 4);
}

Test(orggen, managers_are_colleagues_in_post, .fini = s_fini)
{
    const size_t n = 2000;
    orggen_t *g = s_g = orggen_new(11, n, s_today());
    cr_assert_not_null(g);
    char (*ids)[24] = s_mem[0] = calloc(n, sizeof *ids), (*mgrs)[24] = s_mem[1] = calloc(n, sizeof *mgrs);
    size_t k = 0;
    const Entretiens__V1__EmployeeEvent *ev;
    while (orggen_next(g, &ev))
        if (strcmp(ev->type, "hired") == 0) {
            cr_assert_lt(k, n);
            snprintf(ids[k], sizeof ids[k], "%s", ev->employee_id);
            snprintf(mgrs[k], sizeof mgrs[k], "%s", ev->manager_id ? ev->manager_id : "");
            cr_assert_str_neq(mgrs[k], ids[k], "nobody manages themselves");
            k++;
        }
    cr_assert_eq(k, n);
    size_t managed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!mgrs[i][0])
            continue;
        managed++;
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = strcmp(ids[j], mgrs[i]) == 0;
        cr_assert(found, "%s's manager %s is not an employee", ids[i], mgrs[i]);
    }
    cr_assert_gt(managed, n / 2, "most people have a manager");
}

Test(orggen, two_thousand_employees_make_the_organisation_of_the_issue, .fini = s_fini)
{
    const size_t n = 2000;
    orggen_t *g = s_g = orggen_new(2026, n, s_today());
    cr_assert_not_null(g);
    orggen_entity_t ents[16];
    size_t ne = orggen_entities(g, ents, 16);
    cr_assert_geq(ne, 3);
    size_t sum = 0, small = 0, large = 0, alsace = 0;
    for (size_t i = 0; i < ne; i++) {
        sum += ents[i].headcount;
        if (ents[i].headcount > 0 && ents[i].headcount < 50)
            small++;
        if (ents[i].headcount >= 50)
            large++;
        if (strcmp(ents[i].region, "alsace_moselle") == 0 && ents[i].headcount > 0)
            alsace++;
    }
    cr_assert_eq(sum, n, "the entities' headcounts add up");
    cr_assert_geq(small, 1, "an entity under 50 employees");
    cr_assert_geq(large, 1, "an entity of 50 and more");
    cr_assert_geq(alsace, 1, "an entity in Alsace-Moselle");

    /* the events agree with the announced headcounts; every category and
     * contract is represented */
    size_t hired_in[16] = { 0 };
    bool cat[3] = { 0 }, con[3] = { 0 };
    static const char *const cats[] = { "ouvrier_employe", "maitrise_technicien", "cadre" };
    static const char *const cons[] = { "permanent", "fixed_term", "apprentice" };
    const Entretiens__V1__EmployeeEvent *ev;
    while (orggen_next(g, &ev)) {
        if (strcmp(ev->type, "hired") != 0)
            continue;
        bool known = false;
        for (size_t i = 0; i < ne; i++)
            if (strcmp(ev->entity, ents[i].id) == 0) {
                hired_in[i]++;
                known = true;
                cr_assert_str_eq(ev->region, ents[i].region, "%s: the entity's region", ev->employee_id);
            }
        cr_assert(known, "%s works for an unknown entity %s", ev->employee_id, ev->entity);
        for (int i = 0; i < 3; i++) {
            cat[i] |= strcmp(ev->category, cats[i]) == 0;
            con[i] |= strcmp(ev->contract, cons[i]) == 0;
        }
    }
    for (size_t i = 0; i < ne; i++)
        cr_assert_eq(hired_in[i], ents[i].headcount, "%s: %zu hired, %zu announced", ents[i].id, hired_in[i],
                     ents[i].headcount);
    for (int i = 0; i < 3; i++) {
        cr_assert(cat[i], "no %s", cats[i]);
        cr_assert(con[i], "no %s contract", cons[i]);
    }
}
