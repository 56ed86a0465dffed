/*  test_records_templates.c — interview templates (services/records/template.h
 *  and the table the build embeds, rec_default_templates.h): the embedded defaults equal their JSON files,
 *  cover every type in French and English, pass validation, and the
 *  professional ones hold the five themes of L6315-1 and no rating; the
 *  validation names the offending field of a bad document. */
#include "rec_default_templates.h"
#include "rec_template.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *s_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t) n + 1);
    *len = fread(buf, 1, (size_t) n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char *s_dir(void)
{
    /* this file is tests/unit/test_records_templates.c */
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *p = strstr(dir, "tests/unit/test_records_templates.c");
    cr_assert_not_null(p, "cannot locate the source tree from %s", __FILE__);
    snprintf(p, sizeof dir - (size_t) (p - dir), "services/records/templates");
    return dir;
}

Test(records_templates, every_file_is_embedded)
{
    /* every JSON file of the folder is in the table (the build embeds them all) */
    DIR *d = opendir(s_dir());
    cr_assert_not_null(d, "cannot list %s", s_dir());
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        files++;
        bool found = false;
        for (size_t i = 0; i < rec_n_default_templates && !found; i++)
            found = strcmp(rec_default_templates[i].file, e->d_name) == 0;
        cr_expect(found, "%s is not embedded", e->d_name);
    }
    closedir(d);
    cr_assert_eq(files, rec_n_default_templates, "%zu files, %zu embedded", files, rec_n_default_templates);
}

Test(records_templates, embedded_copies_equal_the_files)
{
    cr_assert_gt(rec_n_default_templates, 0);
    for (size_t i = 0; i < rec_n_default_templates; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", s_dir(), rec_default_templates[i].file);
        size_t len;
        char *disk = s_read(path, &len);
        cr_assert_not_null(disk, "cannot read %s", path);
        cr_assert_eq(len, strlen(rec_default_templates[i].json),
                     "%s differs from its embedded copy (rebuild)", path);
        cr_assert_eq(memcmp(disk, rec_default_templates[i].json, len), 0,
                     "%s differs from its embedded copy (rebuild)", path);
        free(disk);
    }
}

Test(records_templates, every_type_in_french_and_english)
{
    for (int t = 0; t < REC_N_TYPES; t++)
        for (int l = 0; l < 2; l++) {
            const char *locale = l ? "en" : "fr";
            int found = 0;
            for (size_t i = 0; i < rec_n_default_templates; i++) {
                json_t *doc = json_loads(rec_default_templates[i].json, 0, NULL);
                cr_assert_not_null(doc, "%s is not JSON", rec_default_templates[i].file);
                if (strcmp(json_string_value(json_object_get(doc, "type")), rec_types[t]) == 0 &&
                    strcmp(json_string_value(json_object_get(doc, "locale")), locale) == 0)
                    found++;
                json_decref(doc);
            }
            cr_assert_eq(found, 1, "%d default templates for %s/%s, expected 1", found, rec_types[t], locale);
        }
    cr_assert_eq(rec_n_default_templates, 2 * REC_N_TYPES);
}

static void s_each_question(const json_t *doc, void (*fn)(const json_t *q, const json_t *sec, void *), void *arg)
{
    size_t i, j;
    json_t *sec, *q;
    json_array_foreach(json_object_get(doc, "sections"), i, sec)
        json_array_foreach(json_object_get(sec, "questions"), j, q)
            fn(q, sec, arg);
}

static void s_no_rating(const json_t *q, const json_t *sec, void *arg)
{
    (void) sec;
    cr_assert_str_neq(json_string_value(json_object_get(q, "kind")), "rating", "%s: a rating in a professional interview",
                      (const char *) arg);
}

Test(records_templates, defaults_are_valid_and_professional_ones_follow_the_law)
{
    static const char *const themes[] = { "skills", "career_path", "training", "career_wishes", "cpf_cep" };
    for (size_t i = 0; i < rec_n_default_templates; i++) {
        const char *file = rec_default_templates[i].file;
        json_t *doc = json_loads(rec_default_templates[i].json, 0, NULL);
        rec_err_t err = { 0 };
        cr_assert_eq(rec_template_check(doc, &err), 0, "%s: %s: %s", file, err.field, err.reason);
        cr_assert_gt(rec_template_questions(doc), 3);
        const char *type = json_string_value(json_object_get(doc, "type"));
        char id[128];
        snprintf(id, sizeof id, "%s.%s", type, json_string_value(json_object_get(doc, "locale")));
        cr_assert_str_eq(json_string_value(json_object_get(doc, "id")), id, "%s: id", file);
        if (rec_type_professional(type)) {
            s_each_question(doc, s_no_rating, (void *) file);
            for (size_t t = 0; t < 5; t++) {
                bool found = false;
                size_t k;
                json_t *sec;
                json_array_foreach(json_object_get(doc, "sections"), k, sec)
                    found = found || (json_object_get(sec, "theme") && strcmp(json_string_value(json_object_get(sec, "theme")), themes[t]) == 0);
                cr_assert(found, "%s lacks the theme %s", file, themes[t]);
            }
        }
        json_decref(doc);
    }
}

/* ------------------------------------------------------------ validation */

static const char *s_good =
    "{\"id\":\"t1\",\"type\":\"annual_review\",\"locale\":\"fr\",\"title\":\"T\",\"sections\":[{\"id\":\"s1\",\"title\":\"S\","
    "\"questions\":[{\"id\":\"q1\",\"kind\":\"rating\",\"label\":\"L\",\"who\":\"manager\",\"required\":true,\"topic\":\"engagement\","
    "\"scale\":{\"min\":1,\"max\":3,\"levels\":[{\"value\":1,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"},{\"value\":3,\"label\":\"c\"}]}},"
    "{\"id\":\"q2\",\"kind\":\"single_choice\",\"label\":\"L\",\"who\":\"both\",\"options\":[{\"value\":\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}]}]}]}";

/* Applies a JSON-path-ish edit to the good document and expects a refusal on field. */
static void s_refused(const char *what, void (*edit)(json_t *doc), const char *field)
{
    json_t *doc = json_loads(s_good, 0, NULL);
    cr_assert_not_null(doc);
    edit(doc);
    rec_err_t err = { 0 };
    cr_assert_eq(rec_template_check(doc, &err), -1, "%s must be refused", what);
    cr_assert_str_eq(err.field, field, "%s: refused on %s (%s), expected %s", what, err.field, err.reason, field);
    cr_assert_gt(strlen(err.reason), 3);
    json_decref(doc);
}

static json_t *s_q(json_t *doc, size_t i)
{
    return json_array_get(json_object_get(json_array_get(json_object_get(doc, "sections"), 0), "questions"), i);
}

static void e_type(json_t *d) { json_object_set_new(d, "type", json_string("return_medical_visit")); }
static void e_locale(json_t *d) { json_object_set_new(d, "locale", json_string("de")); }
static void e_unknown_key(json_t *d) { json_object_set_new(d, "colour", json_string("blue")); }
static void e_no_sections(json_t *d) { json_object_set_new(d, "sections", json_array()); }
static void e_kind(json_t *d) { json_object_set_new(s_q(d, 0), "kind", json_string("slider")); }
static void e_who(json_t *d) { json_object_set_new(s_q(d, 0), "who", json_string("hr")); }
static void e_after_report(json_t *d) /* only an employee's question stays open after the report */
{
    json_object_set_new(s_q(d, 0), "who", json_string("manager"));
    json_object_set_new(s_q(d, 0), "after_report", json_true());
}
static void e_after_report_kind(json_t *d) { json_object_set_new(s_q(d, 0), "after_report", json_string("yes")); }
static void e_scale(json_t *d) { json_object_set_new(json_object_get(s_q(d, 0), "scale"), "max", json_integer(1)); }
static void e_levels(json_t *d) { json_array_remove(json_object_get(json_object_get(s_q(d, 0), "scale"), "levels"), 2); }
static void e_dup(json_t *d) { json_object_set_new(s_q(d, 1), "id", json_string("q1")); }
static void e_options(json_t *d) { json_array_remove(json_object_get(s_q(d, 1), "options"), 1); }
static void e_professional(json_t *d)
{
    json_object_set_new(d, "type", json_string("professional"));
}
static void e_category(json_t *d) { json_object_set_new(d, "category", json_string("boss")); }
static void e_label(json_t *d) { json_object_set_new(s_q(d, 1), "label", json_string("")); }

Test(records_templates, validation_names_the_field)
{
    json_t *doc = json_loads(s_good, 0, NULL);
    rec_err_t err = { 0 };
    cr_assert_eq(rec_template_check(doc, &err), 0, "%s: %s", err.field, err.reason);
    cr_assert_eq(rec_template_questions(doc), 2);
    json_decref(doc);
    s_refused("a medical visit", e_type, "type");
    s_refused("an unknown locale", e_locale, "locale");
    s_refused("an unknown key", e_unknown_key, "colour");
    s_refused("no sections", e_no_sections, "sections");
    s_refused("an unknown kind", e_kind, "sections[0].questions[0].kind");
    s_refused("who hr", e_who, "sections[0].questions[0].who");
    s_refused("min == max", e_scale, "sections[0].questions[0].scale");
    s_refused("a level without a label", e_levels, "sections[0].questions[0].scale.levels");
    s_refused("a duplicate question id", e_dup, "sections[0].questions[1].id");
    s_refused("one option", e_options, "sections[0].questions[1].options");
    s_refused("a rating in a professional interview", e_professional, "sections[0].questions[0].kind");
    s_refused("an unknown category", e_category, "category");
    s_refused("an empty label", e_label, "sections[0].questions[1].label");
    s_refused("a manager's question after the report", e_after_report, "sections[0].questions[0].after_report");
    s_refused("after_report not a boolean", e_after_report_kind, "sections[0].questions[0].after_report");
}

static void e_prof_no_rating(json_t *d)
{
    json_object_set_new(d, "type", json_string("professional"));
    json_array_remove(json_object_get(json_array_get(json_object_get(d, "sections"), 0), "questions"), 0);
}

Test(records_templates, professional_needs_the_five_themes)
{
    s_refused("a professional interview without its themes", e_prof_no_rating, "sections");
}

Test(records_templates, types)
{
    cr_assert(rec_type_known("corrective"));
    cr_assert_not(rec_type_known("return_medical_visit"));
    cr_assert_not(rec_type_known(NULL));
    cr_assert(rec_type_professional("professional_mid_career"));
    cr_assert_not(rec_type_professional("annual_review"));
}
