/*  test_records_answers.c — answers validated against a template
 *  (services/records/template.h): unknown question, wrong kind, off the
 *  scale, who answers what, nested fields, required at submission, merge
 *  semantics, and what a closed interview tells analytics. */
#include "rec_template.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *s_tmpl =
    "{\"id\":\"t\",\"type\":\"annual_review\",\"locale\":\"en\",\"title\":\"T\",\"sections\":[{\"id\":\"s\",\"title\":\"S\",\"questions\":["
    "{\"id\":\"q1\",\"kind\":\"text\",\"label\":\"L\",\"who\":\"employee\",\"required\":true},"
    "{\"id\":\"q2\",\"kind\":\"rating\",\"label\":\"L\",\"who\":\"both\",\"topic\":\"engagement\",\"scale\":{\"min\":1,\"max\":4,"
    "\"levels\":[{\"value\":1,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"},{\"value\":3,\"label\":\"c\"},{\"value\":4,\"label\":\"d\"}]}},"
    "{\"id\":\"q3\",\"kind\":\"objectives\",\"label\":\"L\",\"who\":\"manager\",\"required\":true},"
    "{\"id\":\"q4\",\"kind\":\"boolean\",\"label\":\"L\",\"who\":\"manager\"},"
    "{\"id\":\"q5\",\"kind\":\"multiple_choice\",\"label\":\"L\",\"who\":\"employee\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},{\"value\":\"b\",\"label\":\"B\"}]},"
    "{\"id\":\"q6\",\"kind\":\"training_needs\",\"label\":\"L\",\"who\":\"both\"},"
    "{\"id\":\"q7\",\"kind\":\"mobility_wish\",\"label\":\"L\",\"who\":\"employee\"},"
    "{\"id\":\"q8\",\"kind\":\"competencies\",\"label\":\"L\",\"who\":\"manager\",\"scale\":{\"min\":1,\"max\":2,"
    "\"levels\":[{\"value\":1,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"}]}},"
    "{\"id\":\"q9\",\"kind\":\"action_items\",\"label\":\"L\",\"who\":\"manager\"},"
    "{\"id\":\"q10\",\"kind\":\"objectives\",\"label\":\"L\",\"who\":\"manager\",\"mode\":\"review\"},"
    "{\"id\":\"q11\",\"kind\":\"single_choice\",\"label\":\"L\",\"who\":\"both\",\"required\":true,\"options\":[{\"value\":\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}]}"
    "]}]}";

static json_t *s_template(void)
{
    json_t *t = json_loads(s_tmpl, 0, NULL);
    cr_assert_not_null(t);
    rec_err_t err = { 0 };
    cr_assert_eq(rec_template_check(t, &err), 0, "%s: %s", err.field, err.reason);
    return t;
}

static void s_bad(rec_party_t party, const char *answers, const char *field, bool denied)
{
    json_t *t = s_template(), *stored = json_object(), *ch = json_loads(answers, 0, NULL);
    cr_assert_not_null(ch, "test JSON: %s", answers);
    rec_err_t err = { 0 };
    cr_assert_eq(rec_answers_merge(t, party, stored, ch, &err), -1, "%s must be refused", answers);
    cr_assert_str_eq(err.field, field, "%s: refused on %s (%s), expected %s", answers, err.field, err.reason, field);
    cr_assert_eq(err.denied, denied, "%s: denied flag", answers);
    cr_assert_eq(json_object_size(stored), 0, "nothing is stored when a value is refused");
    json_decref(t), json_decref(stored), json_decref(ch);
}

static void s_good(rec_party_t party, const char *answers)
{
    json_t *t = s_template(), *stored = json_object(), *ch = json_loads(answers, 0, NULL);
    cr_assert_not_null(ch, "test JSON: %s", answers);
    rec_err_t err = { 0 };
    cr_assert_eq(rec_answers_merge(t, party, stored, ch, &err), 0, "%s refused: %s: %s", answers, err.field, err.reason);
    json_decref(t), json_decref(stored), json_decref(ch);
}

Test(records_answers, refusals_name_the_field)
{
    s_bad(REC_PARTY_EMPLOYEE, "{\"nope\":\"x\"}", "answers.nope", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q1\":3}", "answers.q1", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q2\":5}", "answers.q2", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q2\":0}", "answers.q2", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q2\":\"3\"}", "answers.q2", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q2\":2.5}", "answers.q2", false);
    s_bad(REC_PARTY_MANAGER, "{\"q4\":\"yes\"}", "answers.q4", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q5\":[\"a\",\"c\"]}", "answers.q5[1]", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q5\":[\"a\",\"a\"]}", "answers.q5[1]", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q5\":\"a\"}", "answers.q5", false);
    s_bad(REC_PARTY_MANAGER, "{\"q3\":[{\"title\":\"\"}]}", "answers.q3[0].title", false);
    s_bad(REC_PARTY_MANAGER, "{\"q3\":[{\"title\":\"A\",\"due_date\":\"2026-02-30\"}]}", "answers.q3[0].due_date", false);
    s_bad(REC_PARTY_MANAGER, "{\"q3\":[{\"title\":\"A\",\"weight\":101}]}", "answers.q3[0].weight", false);
    s_bad(REC_PARTY_MANAGER, "{\"q3\":[{\"title\":\"A\",\"weight\":60},{\"title\":\"B\",\"weight\":50}]}", "answers.q3", false);
    s_bad(REC_PARTY_MANAGER, "{\"q3\":[{\"title\":\"A\",\"colour\":1}]}", "answers.q3[0].colour", false);
    s_bad(REC_PARTY_MANAGER, "{\"q10\":[{\"title\":\"A\"}]}", "answers.q10[0].attainment", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q6\":[{\"theme\":\"x\",\"priority\":\"urgent\"}]}", "answers.q6[0].priority", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q6\":[{\"theme\":\"x\",\"priority\":\"low\",\"modality\":\"tv\"}]}", "answers.q6[0].modality", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q7\":{\"kind\":\"internal_new_job\"}}", "answers.q7.horizon", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q7\":{\"kind\":\"moon\",\"horizon\":\"later\"}}", "answers.q7.kind", false);
    s_bad(REC_PARTY_MANAGER, "{\"q8\":[{\"item\":\"x\",\"assessed_level\":3}]}", "answers.q8[0].assessed_level", false);
    s_bad(REC_PARTY_MANAGER, "{\"q9\":[{\"title\":\"x\",\"owner\":\"E1\"}]}", "answers.q9[0].due_date", false);
    s_bad(REC_PARTY_EMPLOYEE, "{\"q11\":\"z\"}", "answers.q11", false);
}

Test(records_answers, who_answers_what)
{
    s_bad(REC_PARTY_EMPLOYEE, "{\"q3\":[]}", "answers.q3", true);
    s_bad(REC_PARTY_MANAGER, "{\"q1\":\"mine\"}", "answers.q1", true);
    s_good(REC_PARTY_EMPLOYEE, "{\"q2\":3}");
    s_good(REC_PARTY_MANAGER, "{\"q2\":4}");
}

Test(records_answers, valid_values)
{
    s_good(REC_PARTY_EMPLOYEE, "{\"q1\":\"J'ai appris\",\"q2\":1,\"q5\":[\"b\",\"a\"],\"q6\":[{\"theme\":\"Excel\",\"priority\":\"high\",\"modality\":\"e_learning\"}],"
                               "\"q7\":{\"kind\":\"none\"},\"q11\":\"x\"}");
    s_good(REC_PARTY_MANAGER, "{\"q3\":[{\"title\":\"A\",\"measure\":\"m\",\"due_date\":\"2026-12-31\",\"weight\":60},{\"title\":\"B\",\"weight\":40}],"
                              "\"q4\":false,\"q8\":[{\"item\":\"x\",\"expected_level\":2,\"assessed_level\":1}],"
                              "\"q9\":[{\"title\":\"t\",\"owner\":\"E1\",\"due_date\":\"2026-06-30\"}],\"q10\":[{\"title\":\"old\",\"attainment\":80}]}");
}

Test(records_answers, merge_and_remove)
{
    json_t *t = s_template(), *stored = json_object();
    rec_err_t err;
    json_t *a = json_loads("{\"q1\":\"first\",\"q2\":2}", 0, NULL), *b = json_loads("{\"q1\":null,\"q2\":3}", 0, NULL);
    cr_assert_eq(rec_answers_merge(t, REC_PARTY_EMPLOYEE, stored, a, &err), 0);
    cr_assert_eq(rec_answers_merge(t, REC_PARTY_EMPLOYEE, stored, b, &err), 0);
    cr_assert_null(json_object_get(stored, "q1"), "null removes an answer");
    cr_assert_eq(json_integer_value(json_object_get(stored, "q2")), 3);
    json_t *c = json_loads("[1]", 0, NULL);
    cr_assert_eq(rec_answers_merge(t, REC_PARTY_EMPLOYEE, stored, c, &err), -1);
    cr_assert_str_eq(err.field, "answers");
    json_decref(a), json_decref(b), json_decref(c), json_decref(stored), json_decref(t);
}

Test(records_answers, required_at_submission)
{
    json_t *t = s_template();
    json_t *emp = json_loads("{\"q1\":\"\"}", 0, NULL), *mgr = json_loads("{\"q3\":[{\"title\":\"A\"}]}", 0, NULL);
    rec_err_t err = { 0 };
    cr_assert_eq(rec_answers_complete(t, REC_PARTY_EMPLOYEE, emp, NULL, &err), -1);
    cr_assert_str_eq(err.field, "answers.q1", "an empty text is no answer");
    json_object_set_new(emp, "q1", json_string("done"));
    cr_assert_eq(rec_answers_complete(t, REC_PARTY_EMPLOYEE, emp, NULL, &err), -1);
    cr_assert_str_eq(err.field, "answers.q11", "a question both answer is required of each");
    json_object_set_new(emp, "q11", json_string("x"));
    cr_assert_eq(rec_answers_complete(t, REC_PARTY_EMPLOYEE, emp, NULL, &err), 0, "%s", err.reason);
    cr_assert_eq(rec_answers_complete(t, REC_PARTY_MANAGER, mgr, NULL, &err), -1);
    cr_assert_str_eq(err.field, "answers.q11");
    cr_assert_eq(rec_answers_complete(t, REC_PARTY_MANAGER, mgr, emp, &err), 0,
                 "the employee's shared answer fills a question both answer: %s", err.reason);
    json_t *none = json_object();
    cr_assert_eq(rec_answers_complete(t, REC_PARTY_MANAGER, none, emp, &err), -1);
    cr_assert_str_eq(err.field, "answers.q3");
    json_decref(none), json_decref(emp), json_decref(mgr), json_decref(t);
}

Test(records_answers, extraction_for_analytics)
{
    json_t *t = s_template();
    json_t *mgr = json_loads("{\"q2\":4,\"q3\":[{\"title\":\"A\",\"due_date\":\"2026-12-31\",\"weight\":60}],"
                             "\"q9\":[{\"title\":\"t\",\"owner\":\"E1\",\"due_date\":\"2026-06-30\"}],\"q10\":[{\"title\":\"old\",\"attainment\":80}],"
                             "\"q8\":[{\"item\":\"x\",\"expected_level\":2,\"assessed_level\":1}],\"q6\":[{\"theme\":\"Lean\",\"priority\":\"low\"}]}", 0, NULL);
    json_t *emp = json_loads("{\"q2\":1,\"q6\":[{\"theme\":\"Excel\",\"priority\":\"high\",\"modality\":\"e_learning\"}],"
                             "\"q7\":{\"kind\":\"geographic\",\"horizon\":\"1_year\"}}", 0, NULL);
    rec_extract_t x = { 0 };
    cr_assert_eq(rec_extract(t, mgr, &x), 0);
    cr_assert_eq(rec_extract(t, emp, &x), 0);
    cr_assert_eq(x.n_ratings, 1, "a question both rated counts once");
    cr_assert_eq(x.ratings[0]->value, 4, "the manager's level");
    cr_assert_str_eq(x.ratings[0]->topic, "engagement");
    cr_assert_eq(x.ratings[0]->scale_max, 4);
    cr_assert_eq(x.n_training_needs, 2);
    cr_assert_eq(x.n_mobility_wishes, 1);
    cr_assert_str_eq(x.mobility_wishes[0]->kind, "geographic");
    cr_assert_eq(x.n_objectives, 2);
    cr_assert_eq(x.objectives[0]->attainment, -1, "a new objective is not reviewed yet");
    cr_assert_eq(x.objectives[0]->due_date->year, 2026);
    cr_assert_eq(x.objectives[1]->attainment, 80);
    cr_assert_eq(x.n_competencies, 1);
    cr_assert_eq(x.n_action_items, 1);
    cr_assert_str_eq(x.action_items[0]->owner, "E1");
    rec_extract_free(&x);
    cr_assert_eq(rec_extract(t, NULL, &x), 0);
    cr_assert_eq(x.n_ratings, 0);
    json_decref(mgr), json_decref(emp), json_decref(t);
}
