/*  report_pdf.c — the written report of an interview as a PDF (report_pdf.h).
 *
 *  Layout: the flowing A4 document of pdf_doc.h (plain text, never
 *  markup, so that nothing an employee wrote is interpreted).
 */
#include "common/report_pdf.h"
#include "common/calendar.h"
#include "common/pdf_doc.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The chrome in the reader's language. */
typedef struct {
    const char *title, *employee, *interviewer, *entity, *due, *scheduled, *held, *reported, *closed, *tmpl,
        *version, *status, *emp_answer, *mgr_answer, *no_answer, *carried, *signatures, *signed_by, *on, *not_signed,
        *comment, *digest, *digest_sig, *page, *yes, *no, *weight, *measure, *due_short, *attainment,
        *comment_short, *priority, *modality, *expected, *assessed, *owner, *horizon, *scale,
        *sep; /* between a field's name and its value: " : " in French typography */
} s_words_t;

static const s_words_t s_fr = {
    "Compte rendu d'entretien", "Salarié(e)", "Responsable de l'entretien", "Entité / service", "Échéance",
    "Prévu le", "Tenu le", "Compte rendu rédigé le", "Clos le", "Modèle", "version", "Statut",
    "Réponse du salarié", "Réponse du responsable", "(sans réponse)",
    "Objectifs reportés de l'entretien précédent", "Signatures", "Signé par", "le", "Non signé",
    "Commentaire du salarié", "Empreinte SHA-256 du contenu signé", "empreinte signée", "page", "oui", "non",
    "poids", "mesure", "échéance", "atteinte", "commentaire", "priorité", "modalité", "attendu", "évalué",
    "responsable", "horizon", "échelle", " : ",
};

static const s_words_t s_en = {
    "Interview report", "Employee", "Interviewer", "Entity / department", "Due date", "Scheduled for",
    "Held on", "Report written on", "Closed on", "Template", "version", "Status", "Employee's answer",
    "Interviewer's answer", "(no answer)", "Objectives carried from the previous interview", "Signatures",
    "Signed by", "on", "Not signed", "Employee's comment", "SHA-256 digest of the signed content",
    "signed digest", "page", "yes", "no", "weight", "measure", "due", "attainment", "comment", "priority",
    "modality", "expected", "assessed", "owner", "horizon", "scale", ": ",
};

/* Wire values of the structured answers (rec template.c) and their words. */
typedef struct {
    const char *wire, *fr, *en;
} s_label_t;

static const s_label_t s_enums[] = {
    { "high", "haute", "high" },
    { "medium", "moyenne", "medium" },
    { "low", "basse", "low" },
    { "classroom", "présentiel", "classroom" },
    { "e_learning", "à distance", "e-learning" },
    { "on_the_job", "en situation de travail", "on the job" },
    { "coaching", "accompagnement", "coaching" },
    { "cpf", "CPF", "CPF" },
    { "other", "autre", "other" },
    { "none", "aucune", "none" },
    { "internal_same_job", "interne, même métier", "internal, same job" },
    { "internal_new_job", "interne, autre métier", "internal, new job" },
    { "geographic", "géographique", "geographic" },
    { "external", "externe", "external" },
    { "leave", "départ", "leave" },
    { "6_months", "6 mois", "6 months" },
    { "1_year", "1 an", "1 year" },
    { "2_years", "2 ans", "2 years" },
    { "later", "plus tard", "later" },
    { "reported", "compte rendu rédigé, à signer", "report written, to be signed" },
    { "signed_employee", "signé par le salarié", "signed by the employee" },
    { "signed_manager", "signé par le responsable", "signed by the interviewer" },
    { "closed", "signé par les deux parties, clos", "signed by both, closed" },
};

static const char *s_enum(const char *wire, ics_lang_t lang)
{
    if (!wire)
        return "";
    for (size_t i = 0; i < sizeof s_enums / sizeof *s_enums; i++)
        if (strcmp(s_enums[i].wire, wire) == 0)
            return lang == ICS_LANG_FR ? s_enums[i].fr : s_enums[i].en;
    return wire;
}

bool report_pdf_ready(const char *status)
{
    static const char *const ok[] = { "reported", "signed_employee", "signed_manager", "closed" };
    for (size_t i = 0; status && i < sizeof ok / sizeof *ok; i++)
        if (strcmp(status, ok[i]) == 0)
            return true;
    return false;
}

int report_pdf_filename(const char *id, ics_lang_t lang, char *out, size_t size)
{
    const char *prefix = lang == ICS_LANG_FR ? "entretien-" : "interview-";
    size_t pl = strlen(prefix), il = id ? strlen(id) : 0;
    if (size == 0)
        return -1;
    out[0] = '\0';
    if (pl + il + sizeof ".pdf" > size)
        return -1;
    memcpy(out, prefix, pl);
    for (size_t i = 0; i < il; i++) {
        char c = id[i];
        bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
        out[pl + i] = safe ? c : '_';
    }
    memcpy(out + pl + il, ".pdf", sizeof ".pdf");
    return 0;
}

/* ------------------------------------------------------------- the pages */

typedef struct {
    pdf_doc_t pd;
    const s_words_t *w;
    ics_lang_t lang;
    ent_region_t region; /* the employee's: the report's instants are in its legal time */
} s_doc_t;

/* ---------------------------------------------------- composing text */

static void s_line(s_doc_t *d, pdf_style_t st, double indent, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    PDF_PUT(&d->pd, "%s%s%s", label, d->w->sep, value);
    pdf_doc_flush(&d->pd, st, indent);
}

static const char *s_jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* YYYY-MM-DD of a Date (empty when unset). */
static const char *s_date(const Entretiens__V1__Date *dt, char out[16])
{
    out[0] = '\0';
    if (dt && dt->year > 0 && dt->year <= 9999 && dt->month >= 1 && dt->month <= 12 && dt->day >= 1 && dt->day <= 31)
        snprintf(out, 16, "%04d-%02d-%02d", (int) dt->year, (int) dt->month, (int) dt->day);
    return out;
}

/* "YYYY-MM-DD HH:MM UTC+hh:mm" of Unix ms in the legal time of the
 * employee's region (empty when 0): an overseas department's fixed offset,
 * else the process' zone (deployments set TZ=Europe/Paris: summer time
 * included).  The offset is printed so that the instant stays exact for a
 * reader elsewhere; "UTC" alone when it is zero. */
static const char *s_instant(ent_region_t region, int64_t ms, char out[40])
{
    out[0] = '\0';
    if (ms <= 0)
        return out;
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    int off = 0;
    if (ent_region_utc_offset(region, &off)) {
        t += off;
        if (!gmtime_r(&t, &tm))
            return out;
    } else {
        if (!localtime_r(&t, &tm))
            return out;
        off = (int) tm.tm_gmtoff;
    }
    size_t n = strftime(out, 40, "%Y-%m-%d %H:%M UTC", &tm);
    if (n && off)
        snprintf(out + n, 40 - n, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 3600, abs(off) % 3600 / 60);
    return out;
}

/* The label of a level of a scale ({min, max, levels: [{value, label}]}). */
static const char *s_level(const json_t *scale, json_int_t v)
{
    size_t i;
    json_t *lv;
    json_array_foreach(json_object_get(scale, "levels"), i, lv)
        if (json_integer_value(json_object_get(lv, "value")) == v)
            return s_jstr(lv, "label");
    return "";
}

static const char *s_option(const json_t *q, const char *value)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(q, "options"), i, o)
        if (value && strcmp(s_jstr(o, "value"), value) == 0)
            return s_jstr(o, "label");
    return value ? value : "";
}

/* ", <word> <value>" when value is set. */
static void s_part(s_doc_t *d, const char *word, const char *value)
{
    if (value && *value)
        PDF_PUT(&d->pd, " — %s%s%s", word, d->w->sep, value);
}

static void s_part_int(s_doc_t *d, const char *word, const json_t *v, const char *unit)
{
    if (json_is_integer(v))
        PDF_PUT(&d->pd, " — %s%s%lld%s", word, d->w->sep, (long long) json_integer_value(v), unit);
}

/* One list entry of a structured answer, as one paragraph. */
static void s_item(s_doc_t *d, const char *kind, const json_t *q, const json_t *it)
{
    const s_words_t *w = d->w;
    if (strcmp(kind, "objectives") == 0) {
        PDF_PUT(&d->pd, "• %s", s_jstr(it, "title"));
        s_part_int(d, w->weight, json_object_get(it, "weight"), " %");
        s_part(d, w->measure, s_jstr(it, "measure"));
        s_part(d, w->due_short, s_jstr(it, "due_date"));
        s_part_int(d, w->attainment, json_object_get(it, "attainment"), " %");
        s_part(d, w->comment_short, s_jstr(it, "comment"));
    } else if (strcmp(kind, "training_needs") == 0) {
        PDF_PUT(&d->pd, "• %s", s_jstr(it, "theme"));
        s_part(d, w->priority, s_enum(s_jstr(it, "priority"), d->lang));
        s_part(d, w->modality, s_enum(s_jstr(it, "modality"), d->lang));
        s_part(d, w->comment_short, s_jstr(it, "comment"));
    } else if (strcmp(kind, "competencies") == 0) {
        const json_t *scale = json_object_get(q, "scale");
        json_t *e = json_object_get(it, "expected_level"), *a = json_object_get(it, "assessed_level");
        PDF_PUT(&d->pd, "• %s", s_jstr(it, "item"));
        if (json_is_integer(e))
            PDF_PUT(&d->pd, " — %s%s%lld %s", w->expected, d->w->sep, (long long) json_integer_value(e), s_level(scale, json_integer_value(e)));
        if (json_is_integer(a))
            PDF_PUT(&d->pd, " — %s%s%lld %s", w->assessed, d->w->sep, (long long) json_integer_value(a), s_level(scale, json_integer_value(a)));
        s_part(d, w->comment_short, s_jstr(it, "comment"));
    } else if (strcmp(kind, "action_items") == 0) {
        PDF_PUT(&d->pd, "• %s", s_jstr(it, "title"));
        s_part(d, w->owner, s_jstr(it, "owner"));
        s_part(d, w->due_short, s_jstr(it, "due_date"));
    }
}

/* One answer to question q, under its label. */
static void s_value(s_doc_t *d, const json_t *q, const json_t *v, double indent)
{
    const char *kind = s_jstr(q, "kind");
    if (json_is_array(v) && strcmp(kind, "multiple_choice") != 0) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) {
            s_item(d, kind, q, it);
            pdf_doc_flush(&d->pd, PDF_BODY, indent);
        }
        if (json_array_size(v) == 0) {
            PDF_PUT(&d->pd, "%s", d->w->no_answer);
            pdf_doc_flush(&d->pd, PDF_BODY, indent);
        }
        return;
    }
    if (json_is_string(v) && strcmp(kind, "single_choice") == 0) {
        PDF_PUT(&d->pd, "%s", s_option(q, json_string_value(v)));
    } else if (json_is_string(v)) {
        PDF_PUT(&d->pd, "%s", json_string_value(v));
    } else if (json_is_integer(v)) {
        const json_t *scale = json_object_get(q, "scale");
        const char *label = s_level(scale, json_integer_value(v));
        PDF_PUT(&d->pd, "%lld%s%s (%s %lld–%lld)", (long long) json_integer_value(v), *label ? " — " : "", label, d->w->scale,
            (long long) json_integer_value(json_object_get(scale, "min")),
            (long long) json_integer_value(json_object_get(scale, "max")));
    } else if (json_is_boolean(v)) {
        PDF_PUT(&d->pd, "%s", json_is_true(v) ? d->w->yes : d->w->no);
    } else if (json_is_array(v)) { /* multiple_choice */
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
            PDF_PUT(&d->pd, "%s%s", i ? ", " : "", s_option(q, json_string_value(it)));
    } else if (json_is_object(v)) { /* mobility_wish */
        PDF_PUT(&d->pd, "%s", s_enum(s_jstr(v, "kind"), d->lang));
        s_part(d, d->w->horizon, s_enum(s_jstr(v, "horizon"), d->lang));
        s_part(d, d->w->comment_short, s_jstr(v, "comment"));
    }
    pdf_doc_flush(&d->pd, PDF_BODY, indent);
}

/* A question with the answers the report holds: the interviewer's, and the
 * employee's when her preparation was shared (the report's signed content,
 * rec_report_digest). */
static void s_question(s_doc_t *d, const json_t *q, const json_t *emp, const json_t *mgr)
{
    const char *id = s_jstr(q, "id");
    const json_t *ev = json_object_get(emp, id), *mv = json_object_get(mgr, id);
    pdf_doc_heading(&d->pd, PDF_H2, s_jstr(q, "label"), 40);
    bool both = ev && mv;
    if (!ev && !mv) {
        PDF_PUT(&d->pd, "%s", d->w->no_answer);
        pdf_doc_flush(&d->pd, PDF_SMALL, 12);
        return;
    }
    if (ev) {
        if (both) {
            PDF_PUT(&d->pd, "%s", d->w->emp_answer);
            pdf_doc_flush(&d->pd, PDF_SMALL, 12);
        }
        s_value(d, q, ev, 12);
    }
    if (mv) {
        if (both) {
            PDF_PUT(&d->pd, "%s", d->w->mgr_answer);
            pdf_doc_flush(&d->pd, PDF_SMALL, 12);
        }
        s_value(d, q, mv, 12);
    }
}

static json_t *s_answers(const char *text)
{
    json_t *j = text && *text ? json_loads(text, 0, NULL) : NULL;
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j ? j : json_object();
}

static void s_signature(s_doc_t *d, const char *who, const Entretiens__V1__Signature *s, const char *digest)
{
    char when[40];
    PDF_PUT(&d->pd, "%s", who);
    pdf_doc_flush(&d->pd, PDF_H2, 0);
    if (!s) {
        PDF_PUT(&d->pd, "%s", d->w->not_signed);
        pdf_doc_flush(&d->pd, PDF_BODY, 12);
        return;
    }
    PDF_PUT(&d->pd, "%s %s %s %s", d->w->signed_by, s->by ? s->by : "", d->w->on, s_instant(d->region, s->at_ms, when));
    pdf_doc_flush(&d->pd, PDF_BODY, 12);
    if (s->digest && *s->digest && (!digest || strcmp(s->digest, digest) != 0)) {
        PDF_PUT(&d->pd, "%s%s%s", d->w->digest_sig, d->w->sep, s->digest);
        pdf_doc_flush(&d->pd, PDF_MONO, 12);
    }
}

/* The body of the document. */
static int s_compose(s_doc_t *d, const Entretiens__V1__InterviewView *v, const json_t *tmpl)
{
    const Entretiens__V1__Interview *iv = v->interview;
    const s_words_t *w = d->w;
    char a[32], b[40];
    pdf_doc_draw(&d->pd, PDF_TITLE, 0, w->title);
    pdf_doc_draw(&d->pd, PDF_H1, 0, ics_type_title(iv->type, d->lang));
    if (iv->title && *iv->title)
        pdf_doc_draw(&d->pd, PDF_BODY, 0, iv->title);
    d->pd.y += 6;
    PDF_PUT(&d->pd, "%s%s%s %s (%s)", w->employee, d->w->sep, iv->first_name ? iv->first_name : "", iv->last_name ? iv->last_name : "",
        iv->employee_id ? iv->employee_id : "");
    pdf_doc_flush(&d->pd, PDF_BODY, 0);
    if (v->interviewer_name && *v->interviewer_name) {
        PDF_PUT(&d->pd, "%s%s%s (%s)", w->interviewer, d->w->sep, v->interviewer_name, iv->manager_id ? iv->manager_id : "");
        pdf_doc_flush(&d->pd, PDF_BODY, 0);
    } else
        s_line(d, PDF_BODY, 0, w->interviewer, iv->manager_id);
    if ((iv->entity && *iv->entity) || (iv->department && *iv->department)) {
        PDF_PUT(&d->pd, "%s%s%s%s%s", w->entity, d->w->sep, iv->entity ? iv->entity : "", iv->department && *iv->department ? " / " : "",
            iv->department ? iv->department : "");
        pdf_doc_flush(&d->pd, PDF_BODY, 0);
    }
    s_line(d, PDF_BODY, 0, w->due, s_date(iv->due_date, a));
    s_line(d, PDF_BODY, 0, w->scheduled, s_instant(d->region, iv->scheduled_start_ms, b));
    s_line(d, PDF_BODY, 0, w->held, s_date(iv->held_on, a));
    s_line(d, PDF_BODY, 0, w->reported, s_instant(d->region, iv->reported_at_ms, b));
    s_line(d, PDF_BODY, 0, w->closed, s_instant(d->region, iv->closed_at_ms, b));
    PDF_PUT(&d->pd, "%s%s%s, %s %u — %s", w->tmpl, d->w->sep, iv->template_id ? iv->template_id : "", w->version, iv->template_version,
        s_jstr(tmpl, "title"));
    pdf_doc_flush(&d->pd, PDF_BODY, 0);
    s_line(d, PDF_BODY, 0, w->status, s_enum(iv->status, d->lang));
    s_line(d, PDF_BODY, 0, "ID", iv->id);

    json_t *emp = iv->employee_shared ? s_answers(v->employee_answers) : json_object();
    json_t *mgr = s_answers(v->manager_answers);
    size_t i, j;
    json_t *sec, *q;
    json_array_foreach(json_object_get(tmpl, "sections"), i, sec) {
        pdf_doc_heading(&d->pd, PDF_H1, s_jstr(sec, "title"), 70);
        json_array_foreach(json_object_get(sec, "questions"), j, q)
            s_question(d, q, emp, mgr);
    }
    json_decref(emp);
    json_decref(mgr);

    if (iv->n_carried_objectives) {
        pdf_doc_heading(&d->pd, PDF_H1, w->carried, 60);
        for (size_t k = 0; k < iv->n_carried_objectives; k++) {
            const Entretiens__V1__Objective *o = iv->carried_objectives[k];
            PDF_PUT(&d->pd, "• %s", o->title ? o->title : "");
            if (o->weight)
                PDF_PUT(&d->pd, " — %s%s%u %%", w->weight, d->w->sep, o->weight);
            s_part(d, w->measure, o->measure);
            s_part(d, w->due_short, s_date(o->due_date, a));
            if (o->attainment >= 0)
                PDF_PUT(&d->pd, " — %s%s%d %%", w->attainment, d->w->sep, (int) o->attainment);
            pdf_doc_flush(&d->pd, PDF_BODY, 12);
        }
    }

    pdf_doc_heading(&d->pd, PDF_H1, w->signatures, 120);
    const char *digest = v->report_digest && *v->report_digest ? v->report_digest : NULL;
    s_signature(d, w->employee, iv->employee_signature, digest);
    const char *comment = iv->employee_signature ? iv->employee_signature->comment : NULL;
    if (comment && *comment) {
        PDF_PUT(&d->pd, "%s", w->comment);
        pdf_doc_flush(&d->pd, PDF_H2, 12);
        pdf_doc_draw(&d->pd, PDF_BODY, 24, comment);
    }
    s_signature(d, w->interviewer, iv->manager_signature, digest);
    if (digest) {
        d->pd.y += 8;
        pdf_doc_draw(&d->pd, PDF_H2, 0, w->digest);
        pdf_doc_draw(&d->pd, PDF_MONO, 0, digest);
    }
    return d->pd.failed ? ENOMEM : 0;
}

/* The PDF's dates: the last signature, else the report's writing, else the
 * last change: a property of the interview, so the bytes do not depend on
 * when the report is downloaded. */
static void s_pdf_date(const Entretiens__V1__Interview *iv, char out[32])
{
    int64_t ms = iv->reported_at_ms;
    if (iv->employee_signature && iv->employee_signature->at_ms > ms)
        ms = iv->employee_signature->at_ms;
    if (iv->manager_signature && iv->manager_signature->at_ms > ms)
        ms = iv->manager_signature->at_ms;
    if (ms <= 0)
        ms = iv->updated_at_ms;
    time_t t = (time_t) (ms > 0 ? ms / 1000 : 0);
    struct tm tm;
    out[0] = '\0';
    if (gmtime_r(&t, &tm))
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int s_render(const Entretiens__V1__InterviewView *view, ics_lang_t lang, uint8_t **out, size_t *len,
                    const char **why);

int report_pdf_render(const Entretiens__V1__InterviewView *view, ics_lang_t lang, uint8_t **out, size_t *len,
                      const char **why)
{
    pdf_doc_lock();
    int rc = s_render(view, lang, out, len, why);
    pdf_doc_unlock();
    return rc;
}

static int s_render(const Entretiens__V1__InterviewView *view, ics_lang_t lang, uint8_t **out, size_t *len,
                    const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *out = NULL;
    *len = 0;
    *why = NULL;
    if (!view || !view->interview) {
        *why = "the view holds no interview";
        return EINVAL;
    }
    const Entretiens__V1__Interview *iv = view->interview;
    if (!report_pdf_ready(iv->status)) {
        *why = "the interview has no written report yet (it must be reported or signed)";
        return EINVAL;
    }
    json_t *tmpl = view->template_json && *view->template_json ? json_loads(view->template_json, 0, NULL) : NULL;
    if (!json_is_object(tmpl)) {
        json_decref(tmpl);
        *why = "the interview's template document is missing or unreadable";
        return EINVAL;
    }
    s_doc_t d = { .lang = lang, .w = lang == ICS_LANG_FR ? &s_fr : &s_en, .region = ENT_REGION_METROPOLE };
    if (view->region && *view->region && ent_region_parse(view->region, &d.region) != 0)
        d.region = ENT_REGION_METROPOLE;
    char footer[256], date[32];
    snprintf(footer, sizeof footer, "%s — %s", ics_type_title(iv->type, lang), iv->id ? iv->id : "");
    s_pdf_date(iv, date);
    int rc = pdf_doc_open(&d.pd, footer, date, footer, d.w->page, why);
    if (!rc)
        rc = s_compose(&d, view, tmpl);
    if (!rc)
        rc = pdf_doc_finish(&d.pd, out, len, why);
    json_decref(tmpl);
    pdf_doc_free(&d.pd);
    return rc;
}
