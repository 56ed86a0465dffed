/*  test_analytics_rebuild.c — the projections depend only on each
 *  producer's events in that producer's order: replaying the scheduler's
 *  and records' streams from scratch, interleaved differently (all the
 *  scheduler first, all records first, alternating, one by one), gives a
 *  store with the same bytes in every analytics database. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

/* A small history touching every aggregate, as two streams. */
typedef struct {
    bool sched;
    fx_emp_t emp;
    fx_obl_t obl;
    fx_iv_t iv;
    int kind; /* 0 employee, 1 obligation, 2 interview */
} s_step_t;

static s_step_t s_sched[32], s_rec[32];
static size_t s_ns, s_nr;

#define S_EMP(...) (s_sched[s_ns++] = (s_step_t){ .sched = true, .kind = 0, .emp = { __VA_ARGS__ } })
#define S_OBL(...) (s_sched[s_ns++] = (s_step_t){ .sched = true, .kind = 1, .obl = { __VA_ARGS__ } })
#define S_IV(...) (s_rec[s_nr++] = (s_step_t){ .kind = 2, .iv = { __VA_ARGS__ } })

static void s_streams(void)
{
    s_ns = s_nr = 0;
    S_EMP(.id = "E1", .entity = "ACME", .department = "sales", .site = "Paris", .manager = "M1", .hired = "2019-01-07");
    S_EMP(.id = "E2", .entity = "ACME", .department = "sales", .site = "Paris", .manager = "M1", .hired = "2025-01-07");
    S_EMP(.id = "E3", .entity = "LAB", .department = "legal", .site = "Lyon", .manager = "M2", .hired = "2025-01-07");
    S_OBL(.employee = "E1", .id = "E1/p/a", .due = "2026-01-07");
    S_OBL(.verb = "overdue", .employee = "E1", .id = "E1/p/a", .due = "2026-01-07");
    S_OBL(.employee = "E1", .id = "E1/r/a", .type = "professional_recap", .due = "2027-01-07", .penalty = 3000);
    S_OBL(.employee = "E2", .id = "E2/a/a", .type = "annual_review", .due = "2026-03-31");
    S_OBL(.verb = "overdue", .employee = "E3", .id = "E3/a/a", .type = "annual_review", .due = "2026-01-31");
    S_OBL(.verb = "overdue", .employee = "E3", .id = "E3/p/a", .due = "2026-02-01");
    /* E2 moves to another manager and department */
    S_EMP(.id = "E2", .entity = "ACME", .department = "legal", .site = "Paris", .manager = "M2", .hired = "2025-01-07");
    S_OBL(.verb = "met", .employee = "E2", .id = "E2/a/a", .type = "annual_review", .due = "2026-03-31",
          .met_on = "2026-02-20");
    S_OBL(.verb = "cancelled", .employee = "E3", .id = "E3/a/a", .type = "annual_review", .due = "2026-01-31",
          .status = "overdue");
    /* history (scheduler.obligation.*): met and missed before the platform,
     * a missed recap with its top-up, one removed; the last interview */
    S_OBL(.verb = "changed", .status = "met", .employee = "E1", .id = "E1/p/h", .due = "2021-01-07",
          .met_on = "2020-12-01");
    S_OBL(.verb = "changed", .status = "overdue", .not_actionable = true, .employee = "E1", .id = "E1/r/h",
          .type = "professional_recap", .due = "2025-01-07", .penalty = 3000);
    S_OBL(.verb = "changed", .status = "met", .employee = "E3", .id = "E3/x/h", .due = "2025-06-01",
          .met_on = "2025-05-01");
    S_OBL(.verb = "removed", .status = "met", .employee = "E3", .id = "E3/x/h", .due = "2025-06-01");
    S_EMP(.id = "E1", .entity = "ACME", .department = "sales", .site = "Paris", .manager = "M1", .hired = "2019-01-07",
          .last_interview = "2020-12-01");

    S_IV(.verb = "created", .id = "i1", .employee = "E2", .entity = "ACME", .department = "sales", .manager = "M1",
         .due = "2026-03-31");
    S_IV(.verb = "scheduled", .id = "i1");
    S_IV(.verb = "held", .id = "i1", .held = "2026-02-20");
    S_IV(.verb = "closed", .id = "i1", .held = "2026-02-20", .signed_employee = true, .signed_manager = true,
         .ratings = { { "engagement", "q-eng", 1, 1, 5 } }, .needs = { { "excel", "high", "classroom" } },
         .wishes = { { "external", "1_year" } }, .comps = { { "sql", 3, 2 } }, .objectives = { { "x", 90 } });
    S_IV(.verb = "reopened", .id = "i1");
    S_IV(.verb = "closed", .id = "i1", .held = "2026-02-20", .signed_employee = true, .signed_manager = true,
         .ratings = { { "engagement", "q-eng", 4, 1, 5 } }, .needs = { { "excel", "low", "classroom" } });
    S_IV(.verb = "created", .id = "i2", .employee = "E3", .entity = "LAB", .department = "legal", .manager = "M2");
    S_IV(.verb = "held", .id = "i2", .held = "2026-02-25");
    S_IV(.verb = "created", .id = "i3", .employee = "E9", .entity = "LAB", .manager = "M2"); /* not (yet) known */
    S_IV(.verb = "closed", .id = "i3", .held = "2026-02-26", .wishes = { { "leave", "6_months" } });
    S_IV(.verb = "reassigned", .id = "i2", .manager = "M3");
}

static void s_step(const s_step_t *s)
{
    if (s->kind == 0)
        fx_employee(s->emp);
    else if (s->kind == 1)
        fx_obligation(s->obl);
    else
        fx_interview(s->iv);
}

/* order: 0 scheduler first, 1 records first, 2 alternating, 3 three
 * scheduler events for one records event */
static bool s_take_sched(int order, size_t i, size_t j)
{
    if (i >= s_ns)
        return false;
    if (j >= s_nr)
        return true;
    switch (order) {
    case 0: return true;
    case 1: return false;
    case 2: return (i + j) % 2 == 0;
    default: return (i + j) % 4 != 3;
    }
}

static uint64_t s_replay(int order)
{
    size_t i = 0, j = 0;
    while (i < s_ns || j < s_nr) {
        if (s_take_sched(order, i, j))
            s_step(&s_sched[i++]);
        else
            s_step(&s_rec[j++]);
    }
    fx_turn_end(); /* the last turn, when events are applied turn by turn */
    return fx_digest();
}

TestSuite(rebuild, .init = fx_setup, .fini = fx_teardown);

Test(rebuild, any_interleaving_gives_the_same_store)
{
    s_streams();
    uint64_t want = s_replay(0);
    cr_assert_gt(fx_count(fx.a.completion), 0);
    cr_assert_gt(fx_count(fx.a.ratings), 0);
    cr_assert_gt(fx_count(fx.a.mgr_rank), 0);
    for (int order = 1; order < 4; order++) {
        fx_teardown();
        fx_setup();
        cr_assert_eq(s_replay(order), want, "interleaving %d differs", order);
    }
}

/* The daemon merges the counter deltas of a whole turn and writes them
 * once (an_settle): turns of any size give the bytes of one event per
 * transaction, the manager ranking (written by the batch's hook from the
 * net change) included. */
Test(rebuild, turns_of_any_size_give_the_same_store)
{
    s_streams();
    uint64_t want = s_replay(2);
    static const unsigned sizes[] = { 2, 3, 7, 64 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        fx_teardown();
        fx_setup();
        fx.turn = sizes[i];
        uint64_t got = s_replay(2);
        cr_assert_eq(got, want, "turns of %u events differ", sizes[i]);
    }
}

Test(rebuild, queries_agree_after_a_rebuild)
{
    s_streams();
    s_replay(2);
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.group_by = "department";
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    size_t n1 = entretiens__v1__completion_reply__get_packed_size(r);
    uint8_t *b1 = malloc(n1);
    entretiens__v1__completion_reply__pack(r, b1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    fx_teardown();
    fx_setup();
    s_replay(1);
    r = FX_COMPLETION(&q);
    size_t n2 = entretiens__v1__completion_reply__get_packed_size(r);
    uint8_t *b2 = malloc(n2);
    entretiens__v1__completion_reply__pack(r, b2);
    cr_assert_eq(r->n_groups, 2);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(b1, b2, n1), 0);
    free(b1);
    free(b2);
}

Test(rebuild, everything_retracted_leaves_no_counter)
{
    /* an employee who leaves, whose obligations are cancelled and whose
     * interview is cancelled leaves no aggregate row behind */
    fx_employee((fx_emp_t){ .id = "E1", .entity = "ACME", .department = "sales", .manager = "M1" });
    fx_obligation((fx_obl_t){ .employee = "E1", .id = "o", .due = "2026-06-01", .penalty = 3000,
                              .type = "professional_recap" });
    fx_interview((fx_iv_t){ .verb = "created", .id = "i", .employee = "E1", .entity = "ACME", .manager = "M1" });
    fx_interview((fx_iv_t){ .verb = "held", .id = "i", .held = "2026-02-01" });
    fx_interview((fx_iv_t){ .verb = "closed", .id = "i", .held = "2026-02-01",
                            .ratings = { { "engagement", "q", 1, 1, 5 } } });
    cr_assert_gt(fx_count(fx.a.risk_idx), 0);
    fx_interview((fx_iv_t){ .verb = "cancelled", .id = "i" });
    fx_obligation((fx_obl_t){ .verb = "cancelled", .employee = "E1", .id = "o", .due = "2026-06-01",
                              .type = "professional_recap" });
    fx_employee((fx_emp_t){ .id = "E1", .entity = "ACME", .department = "sales", .manager = "M1",
                            .left_company = true, .left = "2026-03-01" });
    cr_assert_eq(fx_count(fx.a.headcount), 0);
    cr_assert_eq(fx_count(fx.a.prof_hist), 0);
    cr_assert_eq(fx_count(fx.a.contact_idx), 0);
    cr_assert_eq(fx_count(fx.a.signal_idx), 0);
    cr_assert_eq(fx_count(fx.a.risk), 0);
    cr_assert_eq(fx_count(fx.a.risk_idx), 0);
    cr_assert_eq(fx_count(fx.a.answers), 0);
    cr_assert_eq(fx_count(fx.a.ratings), 0);
    cr_assert_eq(fx_count(fx.a.mgr), 0);
    cr_assert_eq(fx_count(fx.a.mgr_rank), 0);
    cr_assert_eq(fx_count(fx.a.mgr_items), 0);
    /* what remains: the cancelled obligation and interview, as such */
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__CompletionReply *r = FX_COMPLETION(&q);
    cr_assert_eq(r->total->owed, 0);
    cr_assert_eq(r->total->cancelled, 1);
    cr_assert_eq(r->total->interviews_cancelled, 1);
    entretiens__v1__completion_reply__free_unpacked(r, NULL);
}
