/*  template.c — template documents and answers (rec_template.h). */
#include "rec_template.h"
#include "common/pbdate.h"

#include "common/date.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* field paths ("sections[2].questions[0].scale.levels[1]") are cut at their
 * buffer's size, which is fine for a message: no truncation warnings */
#pragma GCC diagnostic ignored "-Wformat-truncation"

const char *const rec_types[REC_N_TYPES] = {
    "annual_review", "professional", "professional_recap", "professional_return", "professional_mid_career",
    "professional_end_of_career", "return_to_work", "internal_mobility", "corrective", "end_of_trial",
    "end_of_contract", "workload_review",
};

static const char *const s_kinds[] = { "text", "rating", "boolean", "single_choice", "multiple_choice", "objectives",
                                       "training_needs", "mobility_wish", "competencies", "action_items", NULL };
enum { K_TEXT, K_RATING, K_BOOLEAN, K_SINGLE, K_MULTIPLE, K_OBJECTIVES, K_TRAINING, K_MOBILITY, K_COMPETENCIES, K_ACTIONS };

static const char *const s_priorities[] = { "high", "medium", "low", NULL };
static const char *const s_modalities[] = { "classroom", "e_learning", "on_the_job", "coaching", "cpf", "other", NULL };
static const char *const s_mob_kinds[] = { "none", "internal_same_job", "internal_new_job", "geographic", "external",
                                           "leave", NULL };
static const char *const s_horizons[] = { "6_months", "1_year", "2_years", "later", NULL };
static const char *const s_categories[] = { "ouvrier_employe", "maitrise_technicien", "cadre", NULL };
static const char *const s_epp_themes[] = { "skills", "career_path", "training", "career_wishes", "cpf_cep", NULL };

#define MAX_TEXT 20000
#define MAX_ITEMS 50

static int s_err(rec_err_t *err, bool denied, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int s_err(rec_err_t *err, bool denied, const char *field, const char *fmt, ...)
{
    if (err) {
        snprintf(err->field, sizeof err->field, "%s", field);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->reason, sizeof err->reason, fmt, ap);
        va_end(ap);
        err->denied = denied;
    }
    return -1;
}

static int s_index(const char *const *set, const char *v)
{
    for (int i = 0; v && set[i]; i++)
        if (strcmp(set[i], v) == 0)
            return i;
    return -1;
}

bool rec_type_known(const char *type)
{
    for (int i = 0; type && i < REC_N_TYPES; i++)
        if (strcmp(type, rec_types[i]) == 0)
            return true;
    return false;
}

bool rec_type_professional(const char *type)
{
    return type && (strcmp(type, "professional") == 0 || strncmp(type, "professional_", 13) == 0);
}

const char *rec_party_name(rec_party_t p)
{
    return p == REC_PARTY_EMPLOYEE ? "employee" : "manager";
}

/* ------------------------------------------------------------ templates */

static bool s_ident(const char *s, size_t max, bool dots)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (dots && (c == '-' || c == '.'))))
            return false;
    }
    return true;
}

static bool s_nonempty_string(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0;
}

/* Only the listed keys. */
static int s_keys(const json_t *obj, const char *const *allowed, const char *where, rec_err_t *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) obj, key, v) {
        (void) v;
        if (s_index(allowed, key) < 0) {
            char f[160];
            snprintf(f, sizeof f, "%s%s%s", where, *where ? "." : "", key);
            return s_err(err, false, f, "unknown key '%.60s'", key);
        }
    }
    return 0;
}

static int s_scale_check(const json_t *scale, const char *where, rec_err_t *err)
{
    static const char *const keys[] = { "min", "max", "levels", NULL };
    char f[160];
    if (!json_is_object(scale))
        return s_err(err, false, where, "a scale object {min, max, levels} is required");
    if (s_keys(scale, keys, where, err))
        return -1;
    json_t *mn = json_object_get(scale, "min"), *mx = json_object_get(scale, "max"),
           *lv = json_object_get(scale, "levels");
    if (!json_is_integer(mn) || !json_is_integer(mx) || json_integer_value(mn) >= json_integer_value(mx) ||
        json_integer_value(mn) < 0 || json_integer_value(mx) - json_integer_value(mn) > 10)
        return s_err(err, false, where, "min and max must be whole numbers, min < max, at most 11 levels");
    json_int_t lo = json_integer_value(mn), hi = json_integer_value(mx);
    if (!json_is_array(lv) || json_array_size(lv) != (size_t) (hi - lo + 1)) {
        snprintf(f, sizeof f, "%s.levels", where);
        return s_err(err, false, f, "every level from %lld to %lld needs a label", (long long) lo, (long long) hi);
    }
    bool seen[11] = { false };
    size_t i;
    json_t *l;
    json_array_foreach(lv, i, l) {
        snprintf(f, sizeof f, "%s.levels[%zu]", where, i);
        static const char *const lkeys[] = { "value", "label", NULL };
        if (!json_is_object(l))
            return s_err(err, false, f, "{value, label} expected");
        if (s_keys(l, lkeys, f, err))
            return -1;
        json_t *v = json_object_get(l, "value");
        if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi ||
            seen[json_integer_value(v) - lo] || !s_nonempty_string(json_object_get(l, "label")))
            return s_err(err, false, f, "a distinct value within the scale and a label are required");
        seen[json_integer_value(v) - lo] = true;
    }
    return 0;
}

static int s_options_check(const json_t *opts, const char *where, rec_err_t *err)
{
    char f[160];
    if (!json_is_array(opts) || json_array_size(opts) < 2 || json_array_size(opts) > MAX_ITEMS)
        return s_err(err, false, where, "2 to %d options {value, label} are required", MAX_ITEMS);
    size_t i, j;
    json_t *o, *p;
    json_array_foreach(opts, i, o) {
        snprintf(f, sizeof f, "%s[%zu]", where, i);
        static const char *const okeys[] = { "value", "label", NULL };
        if (!json_is_object(o) || s_keys(o, okeys, f, err) != 0 ||
            !s_ident(json_string_value(json_object_get(o, "value")), 64, true) ||
            !s_nonempty_string(json_object_get(o, "label")))
            return s_err(err, false, f, "an option needs a value (a-z 0-9 _ - .) and a label");
        json_array_foreach(opts, j, p) {
            if (j < i && strcmp(json_string_value(json_object_get(p, "value")),
                                json_string_value(json_object_get(o, "value"))) == 0)
                return s_err(err, false, f, "option value '%s' appears twice", json_string_value(json_object_get(o, "value")));
        }
    }
    return 0;
}

static int s_question_check(const json_t *q, const char *where, const char *type, rec_err_t *err)
{
    static const char *const keys[] = { "id", "kind", "label", "help", "who", "required", "topic", "scale",
                                        "options", "items", "mode", "after_report", NULL };
    char f[200];
    if (!json_is_object(q))
        return s_err(err, false, where, "a question must be an object");
    if (s_keys(q, keys, where, err))
        return -1;
    snprintf(f, sizeof f, "%s.id", where);
    if (!s_ident(json_string_value(json_object_get(q, "id")), 64, false))
        return s_err(err, false, f, "a question id of a-z, 0-9 and _ is required");
    snprintf(f, sizeof f, "%s.kind", where);
    int kind = s_index(s_kinds, json_string_value(json_object_get(q, "kind")));
    if (kind < 0)
        return s_err(err, false, f, "kind must be text, rating, boolean, single_choice, multiple_choice, objectives, "
                                    "training_needs, mobility_wish, competencies or action_items");
    snprintf(f, sizeof f, "%s.label", where);
    if (!s_nonempty_string(json_object_get(q, "label")))
        return s_err(err, false, f, "a label is required");
    snprintf(f, sizeof f, "%s.help", where);
    if (json_object_get(q, "help") && !json_is_string(json_object_get(q, "help")))
        return s_err(err, false, f, "help must be a string");
    snprintf(f, sizeof f, "%s.who", where);
    const char *who = json_string_value(json_object_get(q, "who"));
    if (!who || (strcmp(who, "employee") && strcmp(who, "manager") && strcmp(who, "both")))
        return s_err(err, false, f, "who must be employee, manager or both");
    snprintf(f, sizeof f, "%s.required", where);
    if (json_object_get(q, "required") && !json_is_boolean(json_object_get(q, "required")))
        return s_err(err, false, f, "required must be true or false");
    /* after_report: the employee's comment on the written report, still
     * open once the interviewer wrote it (until the first signature) */
    json_t *after = json_object_get(q, "after_report");
    snprintf(f, sizeof f, "%s.after_report", where);
    if (after && !json_is_boolean(after))
        return s_err(err, false, f, "after_report must be true or false");
    if (json_is_true(after) && strcmp(who, "employee") != 0)
        return s_err(err, false, f, "only a question the employee answers stays open after the report");
    json_t *topic = json_object_get(q, "topic");
    snprintf(f, sizeof f, "%s.topic", where);
    if (topic && !s_ident(json_string_value(topic), 40, false))
        return s_err(err, false, f, "a topic is a short tag of a-z, 0-9 and _ (e.g. engagement)");
    json_t *scale = json_object_get(q, "scale"), *opts = json_object_get(q, "options"),
           *items = json_object_get(q, "items"), *mode = json_object_get(q, "mode");
    snprintf(f, sizeof f, "%s.scale", where);
    if (kind == K_RATING || kind == K_COMPETENCIES) {
        if (s_scale_check(scale, f, err))
            return -1;
    } else if (scale)
        return s_err(err, false, f, "only rating and competencies questions have a scale");
    snprintf(f, sizeof f, "%s.options", where);
    if (kind == K_SINGLE || kind == K_MULTIPLE) {
        if (s_options_check(opts, f, err))
            return -1;
    } else if (opts)
        return s_err(err, false, f, "only choice questions have options");
    snprintf(f, sizeof f, "%s.items", where);
    if (kind == K_COMPETENCIES && items) {
        if (!json_is_array(items) || json_array_size(items) > MAX_ITEMS)
            return s_err(err, false, f, "items must be an array of {item, expected_level}");
        json_int_t lo = json_integer_value(json_object_get(scale, "min")), hi = json_integer_value(json_object_get(scale, "max"));
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
            static const char *const ikeys[] = { "item", "expected_level", NULL };
            snprintf(f, sizeof f, "%s.items[%zu]", where, i);
            json_t *lvl = json_object_get(it, "expected_level");
            if (!json_is_object(it) || s_keys(it, ikeys, f, err) || !s_nonempty_string(json_object_get(it, "item")) ||
                (lvl && (!json_is_integer(lvl) || json_integer_value(lvl) < lo || json_integer_value(lvl) > hi)))
                return s_err(err, false, f, "{item, expected_level within the scale} expected");
        }
    } else if (items)
        return s_err(err, false, f, "only competencies questions list items");
    snprintf(f, sizeof f, "%s.mode", where);
    if (mode) {
        const char *m = json_string_value(mode);
        if (kind != K_OBJECTIVES || !m || (strcmp(m, "set") && strcmp(m, "review")))
            return s_err(err, false, f, "mode is set or review, for objectives questions only");
    }
    if (kind == K_RATING && rec_type_professional(type)) {
        snprintf(f, sizeof f, "%s.kind", where);
        return s_err(err, false, f, "a professional interview is not an evaluation of work: no rating questions");
    }
    return 0;
}

int rec_template_check(const json_t *doc, rec_err_t *err)
{
    static const char *const keys[] = { "id", "type", "locale", "entity", "category", "title", "description",
                                        "sections", NULL };
    if (!json_is_object(doc))
        return s_err(err, false, "document", "a template is a JSON object");
    if (s_keys(doc, keys, "", err))
        return -1;
    if (!s_ident(json_string_value(json_object_get(doc, "id")), 64, true))
        return s_err(err, false, "id", "an id of 1 to 64 characters a-z 0-9 _ - . is required");
    const char *type = json_string_value(json_object_get(doc, "type"));
    if (!rec_type_known(type))
        return s_err(err, false, "type", "unknown interview type '%.40s'%s", type ? type : "",
                     type && strcmp(type, "return_medical_visit") == 0
                         ? " (a medical visit is held by the occupational doctor, not an interview)" : "");
    const char *locale = json_string_value(json_object_get(doc, "locale"));
    if (!locale || (strcmp(locale, "fr") && strcmp(locale, "en")))
        return s_err(err, false, "locale", "locale must be fr or en");
    json_t *ent = json_object_get(doc, "entity"), *cat = json_object_get(doc, "category");
    if (ent && !json_is_null(ent) && !(json_is_string(ent) && json_string_length(ent) > 0 && json_string_length(ent) <= 64))
        return s_err(err, false, "entity", "entity must be an entity id or null");
    if (cat && !json_is_null(cat) && s_index(s_categories, json_string_value(cat)) < 0)
        return s_err(err, false, "category", "category must be ouvrier_employe, maitrise_technicien, cadre or null");
    if (!s_nonempty_string(json_object_get(doc, "title")))
        return s_err(err, false, "title", "a title is required");
    if (json_object_get(doc, "description") && !json_is_string(json_object_get(doc, "description")))
        return s_err(err, false, "description", "description must be a string");
    json_t *sections = json_object_get(doc, "sections");
    if (!json_is_array(sections) || json_array_size(sections) == 0 || json_array_size(sections) > 50)
        return s_err(err, false, "sections", "1 to 50 sections are required");
    bool themes[5] = { false };
    size_t nq = 0, i;
    json_t *sec;
    char f[160];
    json_array_foreach(sections, i, sec) {
        static const char *const skeys[] = { "id", "title", "description", "theme", "questions", NULL };
        snprintf(f, sizeof f, "sections[%zu]", i);
        if (!json_is_object(sec))
            return s_err(err, false, f, "a section must be an object");
        if (s_keys(sec, skeys, f, err))
            return -1;
        snprintf(f, sizeof f, "sections[%zu].id", i);
        if (!s_ident(json_string_value(json_object_get(sec, "id")), 64, false))
            return s_err(err, false, f, "a section id of a-z, 0-9 and _ is required");
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(sections, k), "id")),
                       json_string_value(json_object_get(sec, "id"))) == 0)
                return s_err(err, false, f, "section id '%s' appears twice", json_string_value(json_object_get(sec, "id")));
        snprintf(f, sizeof f, "sections[%zu].title", i);
        if (!s_nonempty_string(json_object_get(sec, "title")))
            return s_err(err, false, f, "a title is required");
        json_t *theme = json_object_get(sec, "theme");
        snprintf(f, sizeof f, "sections[%zu].theme", i);
        if (theme && !s_ident(json_string_value(theme), 40, false))
            return s_err(err, false, f, "a theme is a short tag of a-z, 0-9 and _");
        int t = theme ? s_index(s_epp_themes, json_string_value(theme)) : -1;
        if (t >= 0)
            themes[t] = true;
        json_t *qs = json_object_get(sec, "questions");
        snprintf(f, sizeof f, "sections[%zu].questions", i);
        if (!json_is_array(qs) || json_array_size(qs) == 0 || json_array_size(qs) > 100)
            return s_err(err, false, f, "1 to 100 questions are required");
        size_t j;
        json_t *q;
        json_array_foreach(qs, j, q) {
            snprintf(f, sizeof f, "sections[%zu].questions[%zu]", i, j);
            if (s_question_check(q, f, type, err))
                return -1;
            nq++;
        }
    }
    /* question ids are unique across the template */
    const char **ids = calloc(nq, sizeof *ids);
    if (!ids)
        return s_err(err, false, "document", "out of memory");
    size_t n = 0;
    int rc = 0;
    json_array_foreach(sections, i, sec) {
        size_t j;
        json_t *q;
        json_array_foreach(json_object_get(sec, "questions"), j, q) {
            const char *id = json_string_value(json_object_get(q, "id"));
            for (size_t k = 0; k < n && !rc; k++)
                if (strcmp(ids[k], id) == 0) {
                    snprintf(f, sizeof f, "sections[%zu].questions[%zu].id", i, j);
                    rc = s_err(err, false, f, "question id '%s' appears twice", id);
                }
            ids[n++] = id;
        }
    }
    free(ids);
    if (rc)
        return rc;
    if (rec_type_professional(type))
        for (int t = 0; s_epp_themes[t]; t++)
            if (!themes[t])
                return s_err(err, false, "sections",
                             "a professional interview must cover the five themes of L6315-1: no section has theme '%s'",
                             s_epp_themes[t]);
    return 0;
}

size_t rec_template_questions(const json_t *doc)
{
    size_t n = 0, i;
    json_t *sec;
    json_array_foreach(json_object_get(doc, "sections"), i, sec)
        n += json_array_size(json_object_get(sec, "questions"));
    return n;
}

/* -------------------------------------------------------------- answers */

static const json_t *s_question(const json_t *tmpl, const char *id)
{
    size_t i, j;
    json_t *sec, *q;
    json_array_foreach(json_object_get(tmpl, "sections"), i, sec)
        json_array_foreach(json_object_get(sec, "questions"), j, q)
            if (strcmp(json_string_value(json_object_get(q, "id")), id) == 0)
                return q;
    return NULL;
}

static bool s_answers(const json_t *q, rec_party_t party)
{
    const char *who = json_string_value(json_object_get(q, "who"));
    return who && (strcmp(who, "both") == 0 || strcmp(who, rec_party_name(party)) == 0);
}

static int s_date_check(const json_t *v, const char *f, bool required, rec_err_t *err)
{
    if (!v || json_is_null(v)) {
        if (required)
            return s_err(err, false, f, "a date (YYYY-MM-DD) is required");
        return 0;
    }
    int32_t d;
    if (!json_is_string(v) || ent_date_parse(json_string_value(v), &d) != 0)
        return s_err(err, false, f, "not a valid date (YYYY-MM-DD)");
    return 0;
}

static int s_str_check(const json_t *v, const char *f, bool required, size_t max, rec_err_t *err)
{
    if (!v || json_is_null(v)) {
        if (required)
            return s_err(err, false, f, "required");
        return 0;
    }
    if (!json_is_string(v) || (required && json_string_length(v) == 0))
        return s_err(err, false, f, required ? "a non-empty string is required" : "a string is expected");
    if (json_string_length(v) > max)
        return s_err(err, false, f, "longer than %zu bytes", max);
    return 0;
}

static int s_enum_check(const json_t *v, const char *f, bool required, const char *const *set, rec_err_t *err)
{
    if (!v || json_is_null(v))
        return required ? s_err(err, false, f, "required") : 0;
    if (s_index(set, json_string_value(v)) < 0) {
        char list[256] = "";
        for (int i = 0; set[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", set[i]);
        return s_err(err, false, f, "one of %s", list);
    }
    return 0;
}

static int s_level_check(const json_t *v, const json_t *scale, const char *f, bool required, rec_err_t *err)
{
    json_int_t lo = json_integer_value(json_object_get(scale, "min")), hi = json_integer_value(json_object_get(scale, "max"));
    if (!v || json_is_null(v))
        return required ? s_err(err, false, f, "a level from %lld to %lld is required", (long long) lo, (long long) hi) : 0;
    if (!json_is_integer(v))
        return s_err(err, false, f, "a whole number from %lld to %lld is expected", (long long) lo, (long long) hi);
    if (json_integer_value(v) < lo || json_integer_value(v) > hi)
        return s_err(err, false, f, "%lld is off the scale %lld..%lld", (long long) json_integer_value(v), (long long) lo,
                     (long long) hi);
    return 0;
}

/* An array of objects with the listed keys; each checked by fn. */
typedef int (*s_item_fn)(const json_t *item, const json_t *q, const char *f, rec_err_t *err);

static int s_list_check(const json_t *v, const json_t *q, const char *f, const char *const *keys, s_item_fn fn,
                        rec_err_t *err)
{
    if (!json_is_array(v))
        return s_err(err, false, f, "a list is expected");
    if (json_array_size(v) > MAX_ITEMS)
        return s_err(err, false, f, "at most %d entries", MAX_ITEMS);
    size_t i;
    json_t *it;
    char g[200];
    json_array_foreach(v, i, it) {
        snprintf(g, sizeof g, "%s[%zu]", f, i);
        if (!json_is_object(it))
            return s_err(err, false, g, "an object is expected");
        if (s_keys(it, keys, g, err) || fn(it, q, g, err))
            return -1;
    }
    return 0;
}

static int s_objective(const json_t *it, const json_t *q, const char *f, rec_err_t *err)
{
    char g[220];
    bool review = json_string_value(json_object_get(q, "mode")) && strcmp(json_string_value(json_object_get(q, "mode")), "review") == 0;
    snprintf(g, sizeof g, "%s.title", f);
    if (s_str_check(json_object_get(it, "title"), g, true, 500, err))
        return -1;
    snprintf(g, sizeof g, "%s.measure", f);
    if (s_str_check(json_object_get(it, "measure"), g, false, 2000, err))
        return -1;
    snprintf(g, sizeof g, "%s.comment", f);
    if (s_str_check(json_object_get(it, "comment"), g, false, 2000, err))
        return -1;
    snprintf(g, sizeof g, "%s.due_date", f);
    if (s_date_check(json_object_get(it, "due_date"), g, false, err))
        return -1;
    json_t *w = json_object_get(it, "weight"), *a = json_object_get(it, "attainment");
    snprintf(g, sizeof g, "%s.weight", f);
    if (w && !json_is_null(w) && (!json_is_integer(w) || json_integer_value(w) < 0 || json_integer_value(w) > 100))
        return s_err(err, false, g, "a weight is a whole percentage from 0 to 100");
    snprintf(g, sizeof g, "%s.attainment", f);
    if (review && (!a || json_is_null(a)))
        return s_err(err, false, g, "the attainment (0..100 %%) of a reviewed objective is required");
    if (a && !json_is_null(a) && (!json_is_integer(a) || json_integer_value(a) < 0 || json_integer_value(a) > 100))
        return s_err(err, false, g, "attainment is a whole percentage from 0 to 100");
    return 0;
}

static int s_training(const json_t *it, const json_t *q, const char *f, rec_err_t *err)
{
    (void) q;
    char g[220];
    snprintf(g, sizeof g, "%s.theme", f);
    if (s_str_check(json_object_get(it, "theme"), g, true, 300, err))
        return -1;
    snprintf(g, sizeof g, "%s.priority", f);
    if (s_enum_check(json_object_get(it, "priority"), g, true, s_priorities, err))
        return -1;
    snprintf(g, sizeof g, "%s.modality", f);
    if (s_enum_check(json_object_get(it, "modality"), g, false, s_modalities, err))
        return -1;
    snprintf(g, sizeof g, "%s.comment", f);
    return s_str_check(json_object_get(it, "comment"), g, false, 2000, err);
}

static int s_competency(const json_t *it, const json_t *q, const char *f, rec_err_t *err)
{
    char g[220];
    json_t *scale = json_object_get(q, "scale");
    snprintf(g, sizeof g, "%s.item", f);
    if (s_str_check(json_object_get(it, "item"), g, true, 300, err))
        return -1;
    snprintf(g, sizeof g, "%s.expected_level", f);
    if (s_level_check(json_object_get(it, "expected_level"), scale, g, false, err))
        return -1;
    snprintf(g, sizeof g, "%s.assessed_level", f);
    if (s_level_check(json_object_get(it, "assessed_level"), scale, g, true, err))
        return -1;
    snprintf(g, sizeof g, "%s.comment", f);
    return s_str_check(json_object_get(it, "comment"), g, false, 2000, err);
}

static int s_action(const json_t *it, const json_t *q, const char *f, rec_err_t *err)
{
    (void) q;
    char g[220];
    snprintf(g, sizeof g, "%s.title", f);
    if (s_str_check(json_object_get(it, "title"), g, true, 500, err))
        return -1;
    snprintf(g, sizeof g, "%s.owner", f);
    if (s_str_check(json_object_get(it, "owner"), g, true, 64, err))
        return -1;
    snprintf(g, sizeof g, "%s.due_date", f);
    return s_date_check(json_object_get(it, "due_date"), g, true, err);
}

static int s_value_check(const json_t *q, const json_t *v, const char *f, rec_err_t *err)
{
    int kind = s_index(s_kinds, json_string_value(json_object_get(q, "kind")));
    switch (kind) {
    case K_TEXT:
        return s_str_check(v, f, false, MAX_TEXT, err);
    case K_RATING: {
        json_t *scale = json_object_get(q, "scale");
        if (!json_is_integer(v))
            return s_err(err, false, f, "a rating is a whole number from %lld to %lld",
                         (long long) json_integer_value(json_object_get(scale, "min")),
                         (long long) json_integer_value(json_object_get(scale, "max")));
        return s_level_check(v, scale, f, true, err);
    }
    case K_BOOLEAN:
        return json_is_boolean(v) ? 0 : s_err(err, false, f, "true or false is expected");
    case K_SINGLE: {
        size_t i;
        json_t *o;
        if (json_is_string(v))
            json_array_foreach(json_object_get(q, "options"), i, o)
                if (strcmp(json_string_value(json_object_get(o, "value")), json_string_value(v)) == 0)
                    return 0;
        return s_err(err, false, f, "not one of the question's options");
    }
    case K_MULTIPLE: {
        if (!json_is_array(v))
            return s_err(err, false, f, "a list of the question's options is expected");
        size_t i, j, k;
        json_t *x, *o, *y;
        char g[200];
        json_array_foreach(v, i, x) {
            snprintf(g, sizeof g, "%s[%zu]", f, i);
            bool ok = false;
            if (json_is_string(x))
                json_array_foreach(json_object_get(q, "options"), j, o)
                    ok = ok || strcmp(json_string_value(json_object_get(o, "value")), json_string_value(x)) == 0;
            if (!ok)
                return s_err(err, false, g, "not one of the question's options");
            json_array_foreach(v, k, y)
                if (k < i && json_equal(x, y))
                    return s_err(err, false, g, "chosen twice");
        }
        return 0;
    }
    case K_OBJECTIVES: {
        static const char *const keys[] = { "title", "measure", "due_date", "weight", "attainment", "comment", NULL };
        if (s_list_check(v, q, f, keys, s_objective, err))
            return -1;
        json_int_t sum = 0;
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
            sum += json_integer_value(json_object_get(it, "weight"));
        if (sum > 100)
            return s_err(err, false, f, "the weights add up to %lld %%, more than 100 %%", (long long) sum);
        return 0;
    }
    case K_TRAINING: {
        static const char *const keys[] = { "theme", "priority", "modality", "comment", NULL };
        return s_list_check(v, q, f, keys, s_training, err);
    }
    case K_MOBILITY: {
        static const char *const keys[] = { "kind", "horizon", "comment", NULL };
        char g[200];
        if (!json_is_object(v))
            return s_err(err, false, f, "an object {kind, horizon, comment} is expected");
        if (s_keys(v, keys, f, err))
            return -1;
        snprintf(g, sizeof g, "%s.kind", f);
        if (s_enum_check(json_object_get(v, "kind"), g, true, s_mob_kinds, err))
            return -1;
        bool none = strcmp(json_string_value(json_object_get(v, "kind")), "none") == 0;
        snprintf(g, sizeof g, "%s.horizon", f);
        if (s_enum_check(json_object_get(v, "horizon"), g, !none, s_horizons, err))
            return -1;
        snprintf(g, sizeof g, "%s.comment", f);
        return s_str_check(json_object_get(v, "comment"), g, false, 2000, err);
    }
    case K_COMPETENCIES: {
        static const char *const keys[] = { "item", "expected_level", "assessed_level", "comment", NULL };
        return s_list_check(v, q, f, keys, s_competency, err);
    }
    case K_ACTIONS: {
        static const char *const keys[] = { "title", "owner", "due_date", NULL };
        return s_list_check(v, q, f, keys, s_action, err);
    }
    default:
        return s_err(err, false, f, "the template's question has an unknown kind");
    }
}

int rec_answers_merge(const json_t *tmpl, rec_party_t party, json_t *stored, const json_t *changes, rec_err_t *err)
{
    if (!json_is_object(changes))
        return s_err(err, false, "answers", "answers must be a JSON object: question id -> value");
    const char *key;
    json_t *v;
    char f[200];
    json_object_foreach((json_t *) changes, key, v) {
        snprintf(f, sizeof f, "answers.%.120s", key);
        const json_t *q = s_question(tmpl, key);
        if (!q)
            return s_err(err, false, f, "the template '%s' has no question '%.60s'",
                         json_string_value(json_object_get(tmpl, "id")), key);
        if (!s_answers(q, party))
            return s_err(err, true, f, "this question is answered by the %s", json_string_value(json_object_get(q, "who")));
        if (json_is_null(v))
            continue;
        if (s_value_check(q, v, f, err))
            return -1;
    }
    json_object_foreach((json_t *) changes, key, v) {
        if (json_is_null(v))
            json_object_del(stored, key);
        else
            json_object_set(stored, key, v);
    }
    return 0;
}

bool rec_template_after_report(const json_t *tmpl, const char *question)
{
    const json_t *q = s_question(tmpl, question);
    return q && json_is_true(json_object_get(q, "after_report"));
}

static bool s_empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

int rec_answers_complete(const json_t *tmpl, rec_party_t party, const json_t *stored, const json_t *other,
                         rec_err_t *err)
{
    size_t i, j;
    json_t *sec, *q;
    json_array_foreach(json_object_get(tmpl, "sections"), i, sec)
        json_array_foreach(json_object_get(sec, "questions"), j, q) {
            if (!json_is_true(json_object_get(q, "required")) || !s_answers(q, party))
                continue;
            const char *id = json_string_value(json_object_get(q, "id"));
            bool both = strcmp(json_string_value(json_object_get(q, "who")), "both") == 0;
            if (s_empty(json_object_get(stored, id)) && !(both && other && !s_empty(json_object_get(other, id)))) {
                char f[200];
                snprintf(f, sizeof f, "answers.%s", id);
                return s_err(err, false, f, "required: '%.200s' has no answer from the %s",
                             json_string_value(json_object_get(q, "label")), rec_party_name(party));
            }
        }
    return 0;
}

/* -------------------------------------------------------------- extract */

static int s_push(void ***arr, size_t *n, void *item)
{
    if (!item)
        return ENOMEM;
    void **a = realloc(*arr, (*n + 1) * sizeof *a);
    if (!a) {
        free(item);
        return ENOMEM;
    }
    a[(*n)++] = item;
    *arr = a;
    return 0;
}

static char *s_dup(const json_t *v)
{
    const char *s = json_string_value(v);
    return strdup(s ? s : "");
}

static Entretiens__V1__Date *s_date_msg(const json_t *v)
{
    int32_t d;
    if (!json_is_string(v) || ent_date_parse(json_string_value(v), &d) != 0)
        return NULL;
    Entretiens__V1__Date *m = malloc(sizeof *m);
    if (m)
        ent_pbdate_set(d, m);
    return m;
}

int rec_extract(const json_t *tmpl, const json_t *answers, rec_extract_t *x)
{
    if (!answers)
        return 0;
    size_t i, j, k;
    json_t *sec, *q, *it;
    json_array_foreach(json_object_get(tmpl, "sections"), i, sec)
        json_array_foreach(json_object_get(sec, "questions"), j, q) {
            const char *id = json_string_value(json_object_get(q, "id"));
            json_t *v = json_object_get(answers, id);
            if (s_empty(v))
                continue;
            int kind = s_index(s_kinds, json_string_value(json_object_get(q, "kind")));
            int rc = 0;
            if (kind == K_RATING && json_is_integer(v)) {
                bool taken = false;
                for (size_t r = 0; r < x->n_ratings; r++)
                    taken = taken || strcmp(x->ratings[r]->question_id, id) == 0;
                if (taken)
                    continue;
                Entretiens__V1__RatingAnswer *m = malloc(sizeof *m);
                if (m) {
                    entretiens__v1__rating_answer__init(m);
                    m->question_id = strdup(id);
                    m->topic = s_dup(json_object_get(q, "topic"));
                    m->value = (int32_t) json_integer_value(v);
                    m->scale_min = (int32_t) json_integer_value(json_object_get(json_object_get(q, "scale"), "min"));
                    m->scale_max = (int32_t) json_integer_value(json_object_get(json_object_get(q, "scale"), "max"));
                }
                rc = s_push((void ***) &x->ratings, &x->n_ratings, m);
            } else if (kind == K_TRAINING) {
                json_array_foreach(v, k, it) {
                    Entretiens__V1__TrainingNeed *m = malloc(sizeof *m);
                    if (m) {
                        entretiens__v1__training_need__init(m);
                        m->theme = s_dup(json_object_get(it, "theme"));
                        m->priority = s_dup(json_object_get(it, "priority"));
                        m->modality = s_dup(json_object_get(it, "modality"));
                    }
                    if ((rc = s_push((void ***) &x->training_needs, &x->n_training_needs, m)))
                        break;
                }
            } else if (kind == K_MOBILITY) {
                Entretiens__V1__MobilityWish *m = malloc(sizeof *m);
                if (m) {
                    entretiens__v1__mobility_wish__init(m);
                    m->kind = s_dup(json_object_get(v, "kind"));
                    m->horizon = s_dup(json_object_get(v, "horizon"));
                }
                rc = s_push((void ***) &x->mobility_wishes, &x->n_mobility_wishes, m);
            } else if (kind == K_OBJECTIVES) {
                json_array_foreach(v, k, it) {
                    Entretiens__V1__Objective *m = malloc(sizeof *m);
                    if (m) {
                        entretiens__v1__objective__init(m);
                        m->title = s_dup(json_object_get(it, "title"));
                        m->measure = s_dup(json_object_get(it, "measure"));
                        m->due_date = s_date_msg(json_object_get(it, "due_date"));
                        m->weight = (uint32_t) json_integer_value(json_object_get(it, "weight"));
                        json_t *a = json_object_get(it, "attainment");
                        m->attainment = json_is_integer(a) ? (int32_t) json_integer_value(a) : -1;
                    }
                    if ((rc = s_push((void ***) &x->objectives, &x->n_objectives, m)))
                        break;
                }
            } else if (kind == K_COMPETENCIES) {
                json_array_foreach(v, k, it) {
                    Entretiens__V1__Competency *m = malloc(sizeof *m);
                    if (m) {
                        entretiens__v1__competency__init(m);
                        m->item = s_dup(json_object_get(it, "item"));
                        m->expected_level = (int32_t) json_integer_value(json_object_get(it, "expected_level"));
                        m->assessed_level = (int32_t) json_integer_value(json_object_get(it, "assessed_level"));
                    }
                    if ((rc = s_push((void ***) &x->competencies, &x->n_competencies, m)))
                        break;
                }
            } else if (kind == K_ACTIONS) {
                json_array_foreach(v, k, it) {
                    Entretiens__V1__ActionItem *m = malloc(sizeof *m);
                    if (m) {
                        entretiens__v1__action_item__init(m);
                        m->title = s_dup(json_object_get(it, "title"));
                        m->owner = s_dup(json_object_get(it, "owner"));
                        m->due_date = s_date_msg(json_object_get(it, "due_date"));
                    }
                    if ((rc = s_push((void ***) &x->action_items, &x->n_action_items, m)))
                        break;
                }
            }
            if (rc)
                return rc;
        }
    return 0;
}

void rec_extract_free(rec_extract_t *x)
{
    /* protobuf-c's own free: safe on built messages (every string and date
     * malloc'd) and on unpacked ones (empty strings point to a constant) */
    for (size_t i = 0; i < x->n_ratings; i++)
        entretiens__v1__rating_answer__free_unpacked(x->ratings[i], NULL);
    for (size_t i = 0; i < x->n_training_needs; i++)
        entretiens__v1__training_need__free_unpacked(x->training_needs[i], NULL);
    for (size_t i = 0; i < x->n_mobility_wishes; i++)
        entretiens__v1__mobility_wish__free_unpacked(x->mobility_wishes[i], NULL);
    for (size_t i = 0; i < x->n_objectives; i++)
        entretiens__v1__objective__free_unpacked(x->objectives[i], NULL);
    for (size_t i = 0; i < x->n_competencies; i++)
        entretiens__v1__competency__free_unpacked(x->competencies[i], NULL);
    for (size_t i = 0; i < x->n_action_items; i++)
        entretiens__v1__action_item__free_unpacked(x->action_items[i], NULL);
    free(x->ratings), free(x->training_needs), free(x->mobility_wishes), free(x->objectives), free(x->competencies),
        free(x->action_items);
    memset(x, 0, sizeof *x);
}
