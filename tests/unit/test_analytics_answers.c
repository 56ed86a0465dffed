/*  test_analytics_answers.c — the aggregates of what interviews said:
 *  ratings (count, mean, histogram), training needs, mobility wishes,
 *  competencies, objectives; corrections (reopened, signed and closed
 *  again: counted once, with the final answers); cancellations; the
 *  minimum-group rule. */
#include "analytics.h" /* links analytics_core (tests/CMakeLists.txt) */
#include "test_analytics_fixture.h"

#define EMP(...) fx_employee((fx_emp_t){ __VA_ARGS__ })
#define IV(...) fx_interview((fx_iv_t){ __VA_ARGS__ })

TestSuite(answers, .init = fx_setup, .fini = fx_teardown);

/* Closes interview id for employee emp with an engagement rating and a
 * training need. */
static void s_close(const char *id, const char *emp, const char *dept, const char *held, int engagement,
                    const char *theme)
{
    IV(.verb = "created", .id = id, .employee = emp, .entity = "ACME", .department = dept, .manager = "M1",
       .due = "2026-03-31");
    IV(.verb = "held", .id = id, .held = held);
    IV(.verb = "closed", .id = id, .held = held, .signed_employee = true, .signed_manager = true,
       .ratings = { { "engagement", "q-eng", engagement, 1, 5 }, { "workload", "q-load", 3, 1, 5 } },
       .needs = { { theme, "high", "classroom" } });
}

static const Entretiens__V1__RatingFigure *s_rating(const Entretiens__V1__AnswerFigures *f, const char *q)
{
    for (size_t i = 0; i < f->n_ratings; i++)
        if (strcmp(f->ratings[i]->question_id, q) == 0)
            return f->ratings[i];
    return NULL;
}

Test(answers, rating_distribution_and_minimum_group)
{
    const char *ids[] = { "i1", "i2", "i3", "i4", "i5" };
    const char *emps[] = { "E1", "E2", "E3", "E4", "E5" };
    const int eng[] = { 1, 4, 4, 5, 2 };
    for (int i = 0; i < 4; i++)
        s_close(ids[i], emps[i], "sales", "2026-02-10", eng[i], "excel");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    /* four respondents: below the minimum group of 5, nothing is reported */
    Entretiens__V1__AnswersReply *r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(r->min_group, 5);
    cr_assert_eq(r->total->respondents, 4);
    cr_assert(r->total->suppressed);
    cr_assert_eq(r->total->n_ratings, 0);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    Entretiens__V1__AnswersReply *t = FX_ANSWERS("analytics.training", &q);
    cr_assert(t->total->suppressed);
    cr_assert_eq(t->total->n_training, 0);
    entretiens__v1__answers_reply__free_unpacked(t, NULL);

    s_close(ids[4], emps[4], "legal", "2026-02-11", eng[4], "excel");
    r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_not(r->total->suppressed);
    cr_assert_eq(r->total->respondents, 5);
    const Entretiens__V1__RatingFigure *e = s_rating(r->total, "q-eng");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->topic, "engagement");
    cr_assert_eq(e->count, 5);
    cr_assert_float_eq(e->mean, 16.0 / 5, 1e-9);
    cr_assert_eq(e->scale_min, 1);
    cr_assert_eq(e->scale_max, 5);
    cr_assert_eq(e->n_histogram, 5);
    uint64_t want[5] = { 1, 1, 0, 2, 1 };
    for (int i = 0; i < 5; i++)
        cr_assert_eq(e->histogram[i], want[i], "level %d", i + 1);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* groups below the minimum are suppressed one by one */
    q.group_by = "department";
    r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "legal");
    cr_assert(r->groups[0]->suppressed);
    cr_assert_eq(r->groups[0]->n_ratings, 0);
    cr_assert_str_eq(r->groups[1]->group, "sales");
    cr_assert(r->groups[1]->suppressed);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* a topic filter */
    Entretiens__V1__StatsQuery qt = ENTRETIENS__V1__STATS_QUERY__INIT;
    qt.topic = "workload";
    r = FX_ANSWERS("analytics.ratings", &qt);
    cr_assert_eq(r->total->n_ratings, 1);
    cr_assert_str_eq(r->total->ratings[0]->question_id, "q-load");
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
}

Test(answers, minimum_group_is_configurable)
{
    fx_teardown();
    fx_open_min(2);
    s_close("i1", "E1", "sales", "2026-02-10", 3, "excel");
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__AnswersReply *r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->min_group, 2);
    cr_assert(r->total->suppressed);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    s_close("i2", "E2", "sales", "2026-02-10", 3, "excel");
    r = FX_ANSWERS("analytics.training", &q);
    cr_assert_not(r->total->suppressed);
    cr_assert_eq(r->total->n_training, 1);
    cr_assert_str_eq(r->total->training[0]->theme, "excel");
    cr_assert_eq(r->total->training[0]->count, 2);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
}

Test(answers, a_correction_counts_once_with_the_final_answers)
{
    fx_teardown();
    fx_open_min(1);
    s_close("i1", "E1", "sales", "2026-02-10", 2, "excel");
    IV(.verb = "reopened", .id = "i1");
    IV(.verb = "signed", .id = "i1", .signed_employee = true, .signed_manager = true);
    IV(.verb = "closed", .id = "i1", .held = "2026-02-10", .signed_employee = true, .signed_manager = true,
       .ratings = { { "engagement", "q-eng", 4, 1, 5 } }, .needs = { { "negotiation", "low", "coaching" } },
       .objectives = { { "grow", -1 }, { "ship", 80 } });
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__AnswersReply *r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(r->total->respondents, 1);
    cr_assert_eq(r->total->n_ratings, 1, "the workload answer of the first close is gone");
    cr_assert_eq(r->total->ratings[0]->count, 1);
    cr_assert_float_eq(r->total->ratings[0]->mean, 4.0, 1e-9);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->total->n_training, 1);
    cr_assert_str_eq(r->total->training[0]->theme, "negotiation");
    cr_assert_str_eq(r->total->training[0]->priority, "low");
    cr_assert_str_eq(r->total->training[0]->modality, "coaching");
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    r = FX_ANSWERS("analytics.objectives", &q);
    cr_assert_eq(r->total->objectives, 2);
    cr_assert_eq(r->total->objectives_reviewed, 1);
    cr_assert_float_eq(r->total->mean_attainment, 80.0, 1e-9);
    cr_assert_eq(r->total->objectives_attained, 0);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* same store bytes as if only the final version had ever been closed,
     * for the aggregates (the interview record itself differs) */
    size_t ratings = fx_count(fx.a.ratings), training = fx_count(fx.a.training);
    /* one question x 5 scopes (A e d m E; no site), the type's row only
     * (schema 3: every type is the sum of the types, made when asked) */
    cr_assert_eq(ratings, 5);
    cr_assert_eq(training, 5);

    /* cancelled after closing: its answers are withdrawn */
    IV(.verb = "cancelled", .id = "i1");
    r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(r->total->respondents, 0);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    cr_assert_eq(fx_count(fx.a.ratings), 0);
    cr_assert_eq(fx_count(fx.a.training), 0);
    cr_assert_eq(fx_count(fx.a.answers), 0);
}

Test(answers, training_mobility_competencies_objectives_by_group)
{
    fx_teardown();
    fx_open_min(2);
    const char *depts[] = { "sales", "sales", "legal", "legal", "legal" };
    char id[8], emp[8];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "i%d", i);
        snprintf(emp, sizeof emp, "E%d", i);
        IV(.verb = "created", .id = id, .employee = emp, .entity = "ACME", .department = depts[i], .manager = "M1",
           .type = i == 4 ? "professional" : "annual_review", .due = "2026-04-30");
        IV(.verb = "closed", .id = id, .held = i < 3 ? "2026-03-10" : "2026-04-10",
           .needs = { { "excel", i % 2 ? "high" : "low", "e_learning" }, { "english", "medium", "classroom" } },
           .wishes = { { i == 0 ? "external" : "internal_new_job", "1_year" } },
           .comps = { { "negotiation", 3, i } },
           .objectives = { { "a", i * 50 }, { "b", -1 } });
    }
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__AnswersReply *r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->total->respondents, 5);
    uint64_t excel = 0, english = 0;
    for (size_t i = 0; i < r->total->n_training; i++) {
        if (strcmp(r->total->training[i]->theme, "excel") == 0)
            excel += r->total->training[i]->count;
        if (strcmp(r->total->training[i]->theme, "english") == 0)
            english += r->total->training[i]->count;
    }
    cr_assert_eq(excel, 5);
    cr_assert_eq(english, 5);
    cr_assert_eq(r->total->n_training, 3); /* excel/low, excel/high, english/medium */
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    r = FX_ANSWERS("analytics.mobility", &q);
    cr_assert_eq(r->total->wish_to_leave, 1);
    cr_assert_eq(r->total->n_mobility, 2);
    cr_assert_str_eq(r->total->mobility[0]->kind, "external");
    cr_assert_eq(r->total->mobility[0]->count, 1);
    cr_assert_eq(r->total->mobility[1]->count, 4);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    r = FX_ANSWERS("analytics.competencies", &q);
    cr_assert_eq(r->total->n_competencies, 1);
    const Entretiens__V1__CompetencyFigure *c = r->total->competencies[0];
    cr_assert_eq(c->count, 5);
    cr_assert_float_eq(c->mean_expected, 3.0, 1e-9);
    cr_assert_float_eq(c->mean_assessed, 2.0, 1e-9);
    cr_assert_eq(c->below, 3);
    cr_assert_eq(c->meets, 1);
    cr_assert_eq(c->above, 1);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    r = FX_ANSWERS("analytics.objectives", &q);
    cr_assert_eq(r->total->objectives, 10);
    cr_assert_eq(r->total->objectives_reviewed, 5);
    cr_assert_float_eq(r->total->mean_attainment, 100.0, 1e-9);
    cr_assert_eq(r->total->objectives_attained, 3);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* by department, by type, by month, and a period of held dates */
    q.group_by = "department";
    r = FX_ANSWERS("analytics.objectives", &q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "legal");
    cr_assert_eq(r->groups[0]->respondents, 3);
    cr_assert_str_eq(r->groups[1]->group, "sales");
    cr_assert_eq(r->groups[1]->respondents, 2);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    q.group_by = "type";
    r = FX_ANSWERS("analytics.objectives", &q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "annual_review");
    cr_assert_eq(r->groups[0]->respondents, 4);
    cr_assert_str_eq(r->groups[1]->group, "professional");
    cr_assert(r->groups[1]->suppressed);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    q.group_by = "month";
    r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "2026-03");
    cr_assert_eq(r->groups[0]->respondents, 3);
    cr_assert_str_eq(r->groups[1]->group, "2026-04");
    cr_assert_eq(r->groups[1]->respondents, 2);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    Entretiens__V1__StatsQuery qp = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__Date from;
    qp.from = fx_date("2026-04-01", &from);
    qp.type = "annual_review";
    r = FX_ANSWERS("analytics.competencies", &qp);
    cr_assert_eq(r->total->respondents, 1);
    cr_assert(r->total->suppressed);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
}

Test(answers, per_question_suppression)
{
    fx_teardown();
    fx_open_min(2);
    IV(.verb = "created", .id = "i1", .employee = "E1", .entity = "ACME");
    IV(.verb = "closed", .id = "i1", .held = "2026-02-01", .ratings = { { "engagement", "q1", 3, 1, 4 }, { "x", "rare", 2, 1, 4 } });
    IV(.verb = "created", .id = "i2", .employee = "E2", .entity = "ACME");
    IV(.verb = "closed", .id = "i2", .held = "2026-02-01", .ratings = { { "engagement", "q1", 4, 1, 4 } });
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__AnswersReply *r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_not(r->total->suppressed);
    const Entretiens__V1__RatingFigure *rare = s_rating(r->total, "rare");
    cr_assert_not_null(rare);
    cr_assert(rare->suppressed, "one answer to a question is not reported");
    cr_assert_eq(rare->n_histogram, 0);
    const Entretiens__V1__RatingFigure *q1 = s_rating(r->total, "q1");
    cr_assert_not(q1->suppressed);
    cr_assert_float_eq(q1->mean, 3.5, 1e-9);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
}

/* Closes interview id of type for emp, held on held, with the needs given. */
static void s_close_typed(const char *id, const char *emp, const char *type, const char *held, int engagement,
                          fx_need_t n1, fx_need_t n2)
{
    IV(.verb = "created", .id = id, .employee = emp, .type = type, .entity = "ACME", .department = "sales",
       .manager = "M1", .due = "2026-03-31");
    IV(.verb = "closed", .id = id, .held = held, .signed_employee = true, .signed_manager = true,
       .ratings = { { "engagement", "q-eng", engagement, 1, 5 } }, .needs = { n1, n2 },
       .comps = { { "Autonomy", 3, 2 } });
}

/* Schema 3 stores the typed families per type only: every figure for every
 * type is the types' rows summed when asked — items merged in item order,
 * months merged in month order. */
Test(answers, every_type_is_the_sum_of_the_types)
{
    fx_teardown();
    fx_open_min(1);
    const fx_need_t excel = { "excel", "high", "classroom" }, sql = { "sql", "low", "e_learning" },
                    none = { 0 };
    s_close_typed("i1", "E1", "professional", "2026-02-10", 4, sql, none);
    s_close_typed("i2", "E2", "annual_review", "2026-02-12", 2, excel, sql);
    s_close_typed("i3", "E3", "professional", "2026-03-05", 5, excel, none);

    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__AnswersReply *r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->total->respondents, 3);
    cr_assert_eq(r->total->n_training, 2);
    cr_assert_str_eq(r->total->training[0]->theme, "excel");
    cr_assert_eq(r->total->training[0]->count, 2, "excel: one need of each type");
    cr_assert_str_eq(r->total->training[1]->theme, "sql");
    cr_assert_eq(r->total->training[1]->count, 2);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    r = FX_ANSWERS("analytics.ratings", &q);
    cr_assert_eq(r->total->n_ratings, 1);
    cr_assert_eq(r->total->ratings[0]->count, 3);
    cr_assert_float_eq(r->total->ratings[0]->mean, 11.0 / 3, 1e-9);
    cr_assert_eq(r->total->ratings[0]->histogram[1], 1, "the 2 of the annual review");
    cr_assert_eq(r->total->ratings[0]->histogram[3], 1);
    cr_assert_eq(r->total->ratings[0]->histogram[4], 1);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    r = FX_ANSWERS("analytics.competencies", &q);
    cr_assert_eq(r->total->n_competencies, 1);
    cr_assert_eq(r->total->competencies[0]->count, 3);
    cr_assert_eq(r->total->competencies[0]->below, 3);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* one type: its own rows only */
    q.type = "professional";
    r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->total->respondents, 2);
    cr_assert_eq(r->total->n_training, 2);
    cr_assert_eq(r->total->training[0]->count, 1);
    cr_assert_eq(r->total->training[1]->count, 1);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    q.type = NULL;

    /* by month: February holds one interview of each type */
    q.group_by = "month";
    r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "2026-02");
    cr_assert_eq(r->groups[0]->respondents, 2);
    cr_assert_eq(r->groups[0]->n_training, 2);
    cr_assert_eq(r->groups[0]->training[1]->count, 2, "sql in February: both types");
    cr_assert_str_eq(r->groups[1]->group, "2026-03");
    cr_assert_eq(r->groups[1]->respondents, 1);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* a period: March only */
    Entretiens__V1__Date from;
    q.group_by = NULL;
    q.from = fx_date("2026-03-01", &from);
    r = FX_ANSWERS("analytics.training", &q);
    cr_assert_eq(r->total->respondents, 1);
    cr_assert_eq(r->total->n_training, 1);
    cr_assert_str_eq(r->total->training[0]->theme, "excel");
    entretiens__v1__answers_reply__free_unpacked(r, NULL);
    q.from = NULL;

    /* by type: one group per type, in order */
    q.group_by = "type";
    r = FX_ANSWERS("analytics.objectives", &q);
    cr_assert_eq(r->total->respondents, 3);
    cr_assert_eq(r->n_groups, 2);
    cr_assert_str_eq(r->groups[0]->group, "annual_review");
    cr_assert_eq(r->groups[0]->respondents, 1);
    cr_assert_str_eq(r->groups[1]->group, "professional");
    cr_assert_eq(r->groups[1]->respondents, 2);
    entretiens__v1__answers_reply__free_unpacked(r, NULL);

    /* completion: the interviews of both types, month by month */
    Entretiens__V1__StatsQuery qc = ENTRETIENS__V1__STATS_QUERY__INIT;
    qc.group_by = "month";
    Entretiens__V1__CompletionReply *c = FX_COMPLETION(&qc);
    cr_assert_eq(c->total->interviews, 3);
    cr_assert_eq(c->total->closed, 3);
    cr_assert_eq(c->n_groups, 1, "every interview is due in March");
    cr_assert_str_eq(c->groups[0]->group, "2026-03");
    cr_assert_eq(c->groups[0]->interviews, 3);
    entretiens__v1__completion_reply__free_unpacked(c, NULL);
}
