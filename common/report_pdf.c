/*  report_pdf.c — the written report of an interview as a PDF (report_pdf.h).
 *
 *  Layout: A4 pages, one column; every paragraph is a PangoLayout laid out
 *  line by line so that a long answer flows onto the next page.  Text is
 *  composed in memory streams (open_memstream) and drawn as plain text,
 *  never as Pango markup, so that nothing an employee wrote is interpreted.
 */
#include "common/report_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 56.0
#define FOOTER_H 28.0
#define BODY_W (PAGE_W - 2 * MARGIN)

typedef enum { ST_TITLE, ST_H1, ST_H2, ST_BODY, ST_SMALL, ST_MONO } s_style_t;

static const struct {
    const char *font;
    double space_after;
} s_styles[] = {
    [ST_TITLE] = { "DejaVu Sans Bold 16", 4 },  [ST_H1] = { "DejaVu Sans Bold 12.5", 6 },
    [ST_H2] = { "DejaVu Sans Bold 10", 2 },     [ST_BODY] = { "DejaVu Sans 9.5", 3 },
    [ST_SMALL] = { "DejaVu Sans 8", 2 },        [ST_MONO] = { "DejaVu Sans Mono 8", 2 },
};

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
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fonts;
    PangoContext *pango;
    PangoFontDescription *desc[sizeof s_styles / sizeof *s_styles];
    double y;                 /* top of the next line on the current page */
    int page;                 /* from 1 */
    const char *footer;       /* "<kind> — <id>" */
    const s_words_t *w;
    ics_lang_t lang;
    FILE *buf;                /* the paragraph being composed */
    char *text;
    size_t text_len;
    uint8_t *pdf;             /* the document written so far */
    size_t pdf_len, pdf_cap;
    bool failed;              /* out of memory while writing */
} s_doc_t;

static cairo_status_t s_write(void *closure, const unsigned char *data, unsigned int length)
{
    s_doc_t *d = closure;
    if (d->pdf_len + length > d->pdf_cap) {
        size_t cap = d->pdf_cap ? d->pdf_cap : 65536;
        while (cap < d->pdf_len + length)
            cap *= 2;
        uint8_t *p = realloc(d->pdf, cap);
        if (!p) {
            d->failed = true;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        d->pdf = p;
        d->pdf_cap = cap;
    }
    memcpy(d->pdf + d->pdf_len, data, length);
    d->pdf_len += length;
    return CAIRO_STATUS_SUCCESS;
}

static void s_page_break(s_doc_t *d);

/* Draws one paragraph at indent, flowing onto new pages as needed. */
static void s_draw(s_doc_t *d, s_style_t st, double indent, const char *text)
{
    PangoLayout *l = pango_layout_new(d->pango);
    if (!l) {
        d->failed = true;
        return;
    }
    /* answers are stored as validated JSON strings (UTF-8); make_valid
     * still guards against a view built by hand */
    gchar *valid = g_utf8_make_valid(text ? text : "", -1);
    pango_layout_set_font_description(l, d->desc[st]);
    pango_layout_set_width(l, (int) ((BODY_W - indent) * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(l, valid, -1);
    g_free(valid);
    PangoLayoutIter *it = pango_layout_get_iter(l);
    double bottom = PAGE_H - MARGIN - FOOTER_H, shift = 0, last = 0;
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        double top = (double) r.y / PANGO_SCALE - shift, h = (double) r.height / PANGO_SCALE;
        if (d->y + top + h > bottom && d->y + top > MARGIN) {
            /* the line goes to the next page (unless it already starts
             * one): what follows is measured from it */
            s_page_break(d);
            shift += top;
            top = 0;
        }
        double base = (double) pango_layout_iter_get_baseline(it) / PANGO_SCALE - shift;
        cairo_move_to(d->cr, MARGIN + indent, d->y + base);
        pango_cairo_show_layout_line(d->cr, pango_layout_iter_get_line_readonly(it));
        last = top + h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    g_object_unref(l);
    d->y += last + s_styles[st].space_after;
}

static void s_footer(s_doc_t *d)
{
    char text[512];
    snprintf(text, sizeof text, "%s — %s %d", d->footer, d->w->page, d->page);
    double y = d->y;
    d->y = PAGE_H - MARGIN - FOOTER_H + 12;
    PangoLayout *l = pango_layout_new(d->pango);
    if (!l) {
        d->failed = true;
        return;
    }
    pango_layout_set_font_description(l, d->desc[ST_SMALL]);
    pango_layout_set_text(l, text, -1);
    cairo_move_to(d->cr, MARGIN, d->y);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
    d->y = y;
}

static void s_page_break(s_doc_t *d)
{
    s_footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = MARGIN;
}

/* A heading stays with at least `need` points of what follows it. */
static void s_heading(s_doc_t *d, s_style_t st, const char *text, double need)
{
    if (d->y + need > PAGE_H - MARGIN - FOOTER_H)
        s_page_break(d);
    d->y += st == ST_H1 ? 8 : 3;
    s_draw(d, st, 0, text);
}

/* ---------------------------------------------------- composing text */

/* Starts a paragraph: d->buf collects it until s_flush. */
static FILE *s_para(s_doc_t *d)
{
    if (!d->buf) {
        d->buf = open_memstream(&d->text, &d->text_len);
        if (!d->buf)
            d->failed = true;
    }
    return d->buf;
}

/* Draws the paragraph composed since s_para, if any. */
static void s_flush(s_doc_t *d, s_style_t st, double indent)
{
    if (!d->buf)
        return;
    fclose(d->buf);
    d->buf = NULL;
    if (d->text && *d->text)
        s_draw(d, st, indent, d->text);
    free(d->text);
    d->text = NULL;
    d->text_len = 0;
}

#define PUT(d, ...)                                                                                                    \
    do {                                                                                                               \
        FILE *f_ = s_para(d);                                                                                          \
        if (f_)                                                                                                        \
            fprintf(f_, __VA_ARGS__);                                                                                  \
    } while (0)

static void s_line(s_doc_t *d, s_style_t st, double indent, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    PUT(d, "%s%s%s", label, d->w->sep, value);
    s_flush(d, st, indent);
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

/* "YYYY-MM-DD HH:MM UTC" of Unix ms (empty when 0). */
static const char *s_instant(int64_t ms, char out[32])
{
    out[0] = '\0';
    if (ms <= 0)
        return out;
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
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
        PUT(d, " — %s%s%s", word, d->w->sep, value);
}

static void s_part_int(s_doc_t *d, const char *word, const json_t *v, const char *unit)
{
    if (json_is_integer(v))
        PUT(d, " — %s%s%lld%s", word, d->w->sep, (long long) json_integer_value(v), unit);
}

/* One list entry of a structured answer, as one paragraph. */
static void s_item(s_doc_t *d, const char *kind, const json_t *q, const json_t *it)
{
    const s_words_t *w = d->w;
    if (strcmp(kind, "objectives") == 0) {
        PUT(d, "• %s", s_jstr(it, "title"));
        s_part_int(d, w->weight, json_object_get(it, "weight"), " %");
        s_part(d, w->measure, s_jstr(it, "measure"));
        s_part(d, w->due_short, s_jstr(it, "due_date"));
        s_part_int(d, w->attainment, json_object_get(it, "attainment"), " %");
        s_part(d, w->comment_short, s_jstr(it, "comment"));
    } else if (strcmp(kind, "training_needs") == 0) {
        PUT(d, "• %s", s_jstr(it, "theme"));
        s_part(d, w->priority, s_enum(s_jstr(it, "priority"), d->lang));
        s_part(d, w->modality, s_enum(s_jstr(it, "modality"), d->lang));
        s_part(d, w->comment_short, s_jstr(it, "comment"));
    } else if (strcmp(kind, "competencies") == 0) {
        const json_t *scale = json_object_get(q, "scale");
        json_t *e = json_object_get(it, "expected_level"), *a = json_object_get(it, "assessed_level");
        PUT(d, "• %s", s_jstr(it, "item"));
        if (json_is_integer(e))
            PUT(d, " — %s%s%lld %s", w->expected, d->w->sep, (long long) json_integer_value(e), s_level(scale, json_integer_value(e)));
        if (json_is_integer(a))
            PUT(d, " — %s%s%lld %s", w->assessed, d->w->sep, (long long) json_integer_value(a), s_level(scale, json_integer_value(a)));
        s_part(d, w->comment_short, s_jstr(it, "comment"));
    } else if (strcmp(kind, "action_items") == 0) {
        PUT(d, "• %s", s_jstr(it, "title"));
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
            s_flush(d, ST_BODY, indent);
        }
        if (json_array_size(v) == 0) {
            PUT(d, "%s", d->w->no_answer);
            s_flush(d, ST_BODY, indent);
        }
        return;
    }
    if (json_is_string(v) && strcmp(kind, "single_choice") == 0) {
        PUT(d, "%s", s_option(q, json_string_value(v)));
    } else if (json_is_string(v)) {
        PUT(d, "%s", json_string_value(v));
    } else if (json_is_integer(v)) {
        const json_t *scale = json_object_get(q, "scale");
        const char *label = s_level(scale, json_integer_value(v));
        PUT(d, "%lld%s%s (%s %lld–%lld)", (long long) json_integer_value(v), *label ? " — " : "", label, d->w->scale,
            (long long) json_integer_value(json_object_get(scale, "min")),
            (long long) json_integer_value(json_object_get(scale, "max")));
    } else if (json_is_boolean(v)) {
        PUT(d, "%s", json_is_true(v) ? d->w->yes : d->w->no);
    } else if (json_is_array(v)) { /* multiple_choice */
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
            PUT(d, "%s%s", i ? ", " : "", s_option(q, json_string_value(it)));
    } else if (json_is_object(v)) { /* mobility_wish */
        PUT(d, "%s", s_enum(s_jstr(v, "kind"), d->lang));
        s_part(d, d->w->horizon, s_enum(s_jstr(v, "horizon"), d->lang));
        s_part(d, d->w->comment_short, s_jstr(v, "comment"));
    }
    s_flush(d, ST_BODY, indent);
}

/* A question with the answers the report holds: the interviewer's, and the
 * employee's when her preparation was shared (the report's signed content,
 * rec_report_digest). */
static void s_question(s_doc_t *d, const json_t *q, const json_t *emp, const json_t *mgr)
{
    const char *id = s_jstr(q, "id");
    const json_t *ev = json_object_get(emp, id), *mv = json_object_get(mgr, id);
    s_heading(d, ST_H2, s_jstr(q, "label"), 40);
    bool both = ev && mv;
    if (!ev && !mv) {
        PUT(d, "%s", d->w->no_answer);
        s_flush(d, ST_SMALL, 12);
        return;
    }
    if (ev) {
        if (both) {
            PUT(d, "%s", d->w->emp_answer);
            s_flush(d, ST_SMALL, 12);
        }
        s_value(d, q, ev, 12);
    }
    if (mv) {
        if (both) {
            PUT(d, "%s", d->w->mgr_answer);
            s_flush(d, ST_SMALL, 12);
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
    char when[32];
    PUT(d, "%s", who);
    s_flush(d, ST_H2, 0);
    if (!s) {
        PUT(d, "%s", d->w->not_signed);
        s_flush(d, ST_BODY, 12);
        return;
    }
    PUT(d, "%s %s %s %s", d->w->signed_by, s->by ? s->by : "", d->w->on, s_instant(s->at_ms, when));
    s_flush(d, ST_BODY, 12);
    if (s->digest && *s->digest && (!digest || strcmp(s->digest, digest) != 0)) {
        PUT(d, "%s%s%s", d->w->digest_sig, d->w->sep, s->digest);
        s_flush(d, ST_MONO, 12);
    }
}

/* The body of the document. */
static int s_compose(s_doc_t *d, const Entretiens__V1__InterviewView *v, const json_t *tmpl)
{
    const Entretiens__V1__Interview *iv = v->interview;
    const s_words_t *w = d->w;
    char a[32], b[32];
    s_draw(d, ST_TITLE, 0, w->title);
    s_draw(d, ST_H1, 0, ics_type_title(iv->type, d->lang));
    if (iv->title && *iv->title)
        s_draw(d, ST_BODY, 0, iv->title);
    d->y += 6;
    PUT(d, "%s%s%s %s (%s)", w->employee, d->w->sep, iv->first_name ? iv->first_name : "", iv->last_name ? iv->last_name : "",
        iv->employee_id ? iv->employee_id : "");
    s_flush(d, ST_BODY, 0);
    s_line(d, ST_BODY, 0, w->interviewer, iv->manager_id);
    if ((iv->entity && *iv->entity) || (iv->department && *iv->department)) {
        PUT(d, "%s%s%s%s%s", w->entity, d->w->sep, iv->entity ? iv->entity : "", iv->department && *iv->department ? " / " : "",
            iv->department ? iv->department : "");
        s_flush(d, ST_BODY, 0);
    }
    s_line(d, ST_BODY, 0, w->due, s_date(iv->due_date, a));
    s_line(d, ST_BODY, 0, w->scheduled, s_instant(iv->scheduled_start_ms, b));
    s_line(d, ST_BODY, 0, w->held, s_date(iv->held_on, a));
    s_line(d, ST_BODY, 0, w->reported, s_instant(iv->reported_at_ms, b));
    s_line(d, ST_BODY, 0, w->closed, s_instant(iv->closed_at_ms, b));
    PUT(d, "%s%s%s, %s %u — %s", w->tmpl, d->w->sep, iv->template_id ? iv->template_id : "", w->version, iv->template_version,
        s_jstr(tmpl, "title"));
    s_flush(d, ST_BODY, 0);
    s_line(d, ST_BODY, 0, w->status, s_enum(iv->status, d->lang));
    s_line(d, ST_BODY, 0, "ID", iv->id);

    json_t *emp = iv->employee_shared ? s_answers(v->employee_answers) : json_object();
    json_t *mgr = s_answers(v->manager_answers);
    size_t i, j;
    json_t *sec, *q;
    json_array_foreach(json_object_get(tmpl, "sections"), i, sec) {
        s_heading(d, ST_H1, s_jstr(sec, "title"), 70);
        json_array_foreach(json_object_get(sec, "questions"), j, q)
            s_question(d, q, emp, mgr);
    }
    json_decref(emp);
    json_decref(mgr);

    if (iv->n_carried_objectives) {
        s_heading(d, ST_H1, w->carried, 60);
        for (size_t k = 0; k < iv->n_carried_objectives; k++) {
            const Entretiens__V1__Objective *o = iv->carried_objectives[k];
            PUT(d, "• %s", o->title ? o->title : "");
            if (o->weight)
                PUT(d, " — %s%s%u %%", w->weight, d->w->sep, o->weight);
            s_part(d, w->measure, o->measure);
            s_part(d, w->due_short, s_date(o->due_date, a));
            if (o->attainment >= 0)
                PUT(d, " — %s%s%d %%", w->attainment, d->w->sep, (int) o->attainment);
            s_flush(d, ST_BODY, 12);
        }
    }

    s_heading(d, ST_H1, w->signatures, 120);
    const char *digest = v->report_digest && *v->report_digest ? v->report_digest : NULL;
    s_signature(d, w->employee, iv->employee_signature, digest);
    const char *comment = iv->employee_signature ? iv->employee_signature->comment : NULL;
    if (comment && *comment) {
        PUT(d, "%s", w->comment);
        s_flush(d, ST_H2, 12);
        s_draw(d, ST_BODY, 24, comment);
    }
    s_signature(d, w->interviewer, iv->manager_signature, digest);
    if (digest) {
        d->y += 8;
        s_draw(d, ST_H2, 0, w->digest);
        s_draw(d, ST_MONO, 0, digest);
    }
    return d->failed ? ENOMEM : 0;
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

static void s_doc_free(s_doc_t *d)
{
    if (d->buf)
        fclose(d->buf);
    free(d->text);
    for (size_t i = 0; i < sizeof d->desc / sizeof *d->desc; i++)
        if (d->desc[i])
            pango_font_description_free(d->desc[i]);
    if (d->pango)
        g_object_unref(d->pango);
    if (d->fonts)
        g_object_unref(d->fonts);
    if (d->cr)
        cairo_destroy(d->cr);
    if (d->surface)
        cairo_surface_destroy(d->surface);
    free(d->pdf);
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer: fontconfig leaks a few hundred bytes while parsing its
 * XML configuration, once per process (FcInitLoadConfigAndFonts, from
 * pango's initialisation thread); no API frees them and they are not ours.
 * Suppressed by library name, in the sanitizer builds only, so that any
 * leak of our own is still reported. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

/* One rendering at a time: the gateway renders from its worker threads, and
 * fontconfig's and cairo's font caches are process-wide. */
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

static int s_render(const Entretiens__V1__InterviewView *view, ics_lang_t lang, uint8_t **out, size_t *len,
                    const char **why);

int report_pdf_render(const Entretiens__V1__InterviewView *view, ics_lang_t lang, uint8_t **out, size_t *len,
                      const char **why)
{
    pthread_mutex_lock(&s_lock);
    int rc = s_render(view, lang, out, len, why);
    pthread_mutex_unlock(&s_lock);
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
    s_doc_t d = { .lang = lang, .w = lang == ICS_LANG_FR ? &s_fr : &s_en, .page = 1, .y = MARGIN };
    char footer[256], date[32];
    snprintf(footer, sizeof footer, "%s — %s", ics_type_title(iv->type, lang), iv->id ? iv->id : "");
    d.footer = footer;
    int rc = 0;
    d.surface = cairo_pdf_surface_create_for_stream(s_write, &d, PAGE_W, PAGE_H);
    if (cairo_surface_status(d.surface) != CAIRO_STATUS_SUCCESS) {
        rc = EIO;
        *why = "cairo could not create the PDF surface";
        goto done;
    }
    cairo_pdf_surface_restrict_to_version(d.surface, CAIRO_PDF_VERSION_1_5);
    s_pdf_date(iv, date);
    cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_MOD_DATE, date);
    cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_TITLE, footer);
    cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_CREATOR, "entretiens");
    d.cr = cairo_create(d.surface);
    /* a font map of our own: nothing cached between renderings but
     * fontconfig's configuration, and no state shared between threads */
    d.fonts = pango_cairo_font_map_new();
    d.pango = d.fonts ? pango_font_map_create_context(d.fonts) : NULL;
    if (!d.pango) {
        rc = ENOMEM;
        goto done;
    }
    /* no hinting metrics: the layout does not depend on the device */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(d.pango, fo);
    pango_cairo_context_set_resolution(d.pango, 72); /* font sizes in points = PDF user units */
    cairo_font_options_destroy(fo);
    pango_cairo_update_context(d.cr, d.pango);
    for (size_t i = 0; i < sizeof s_styles / sizeof *s_styles; i++)
        d.desc[i] = pango_font_description_from_string(s_styles[i].font);
    cairo_set_source_rgb(d.cr, 0, 0, 0);
    rc = s_compose(&d, view, tmpl);
    if (!rc) {
        s_footer(&d);
        cairo_show_page(d.cr);
        cairo_destroy(d.cr);
        d.cr = NULL;
        cairo_surface_finish(d.surface);
        if (d.failed) {
            rc = ENOMEM;
        } else if (cairo_surface_status(d.surface) != CAIRO_STATUS_SUCCESS) {
            rc = EIO;
            *why = cairo_status_to_string(cairo_surface_status(d.surface));
        }
    }
    if (!rc) {
        *out = d.pdf;
        *len = d.pdf_len;
        d.pdf = NULL;
    }
done:
    json_decref(tmpl);
    s_doc_free(&d);
    return rc;
}
