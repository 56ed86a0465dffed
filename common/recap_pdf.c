/*  recap_pdf.c — the professional interview's recap as a PDF for the
 *  social partners (recap_pdf.h), on the flowing document of pdf_doc.h.
 */
#include "common/recap_pdf.h"
#include "common/pbdate.h"
#include "common/pdf_doc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *title, *scope_all, *scope_one, *as_of, *intro, *total, *due, *met, *upcoming, *missed, *lapsed,
        *owed, *at_risk, *people, *none, *rule, *reason, *topup, *truncated, *page, *status_overdue,
        *status_upcoming, *sep;
} s_words_t;

static const s_words_t s_fr = {
    "État des lieux récapitulatif des entretiens professionnels",
    "Toutes les entités visibles par le lecteur",
    "Entité",
    "Au",
    "Tous les six ans (périodes achevées avant le 26 octobre 2025), désormais tous les huit ans, l'entretien "
    "professionnel fait un état des lieux récapitulatif du parcours du salarié (article L6315-1 II du code du "
    "travail). Dans une entreprise d'au moins 50 salariés, un récapitulatif manqué sans formation non obligatoire "
    "ouvre un abondement de 3 000 € du CPF (L6323-13). Chiffres : les échéances de récapitulatif du planificateur ; "
    "« abondements dus » : échéance passée ; « à risque » : échéance à venir.",
    "Total",
    "récapitulatifs dus",
    "tenus",
    "à venir",
    "en retard",
    "manqués puis échus",
    "abondements dus",
    "abondements à risque",
    "Récapitulatifs à tenir (personnes, règle et raison du planificateur)",
    "aucun",
    "règle",
    "raison",
    "abondement",
    "liste tronquée : la suite est dans l'API (GET /due)",
    "page",
    "en retard",
    "à venir",
    " : ",
};

static const s_words_t s_en = {
    "Professional interview recap",
    "Every entity the reader may see",
    "Entity",
    "As of",
    "Every six years (periods that ended before 26 October 2025), now every eight years, the professional "
    "interview makes a recap of the employee's path (Labour Code L6315-1 II). In a company of 50 or more, a recap "
    "missed without non-mandatory training owes a EUR 3,000 CPF top-up (L6323-13). Figures: the scheduler's recap "
    "deadlines; \"top-ups owed\": the deadline has passed; \"at risk\": it is ahead.",
    "Total",
    "recaps due",
    "met",
    "upcoming",
    "overdue",
    "missed, then lapsed",
    "top-ups owed",
    "top-ups at risk",
    "Recaps to hold (people, the scheduler's rule and reason)",
    "none",
    "rule",
    "reason",
    "top-up",
    "list truncated: the rest is in the API (GET /due)",
    "page",
    "overdue",
    "upcoming",
    ": ",
};

static const char *s_str(const char *s)
{
    return s ? s : "";
}

/* YYYY-MM-DD of a Date (empty when unset or not a day). */
static const char *s_date(const Entretiens__V1__Date *dt, char out[ENT_DATE_STRLEN])
{
    return ent_date_format(ent_pbdate_day(dt), out);
}

/* One entity's (or the total's) figures: the recaps, then the top-ups. */
static void s_figures(pdf_doc_t *d, const s_words_t *w, const Entretiens__V1__CompletionFigures *c,
                      const Entretiens__V1__ComplianceFigures *x)
{
    PDF_PUT(d, "%llu %s — %llu %s — %llu %s — %llu %s — %llu %s", (unsigned long long) (c ? c->owed : 0), w->due,
            (unsigned long long) (c ? c->met : 0), w->met, (unsigned long long) (c ? c->upcoming : 0), w->upcoming,
            (unsigned long long) (c ? c->overdue : 0), w->missed, (unsigned long long) (c ? c->lapsed : 0), w->lapsed);
    pdf_doc_flush(d, PDF_BODY, 12);
    PDF_PUT(d, "%s%s%llu (%lld €) — %s%s%llu (%lld €)", w->owed, w->sep, (unsigned long long) (x ? x->owed_count : 0),
            (long long) (x ? x->owed_eur : 0), w->at_risk, w->sep, (unsigned long long) (x ? x->at_risk : 0),
            (long long) (x ? x->exposure_eur : 0));
    pdf_doc_flush(d, PDF_BODY, 12);
}

static const Entretiens__V1__CompletionFigures *s_recaps_of(const Entretiens__V1__CompletionReply *r, const char *g)
{
    for (size_t i = 0; i < r->n_groups; i++)
        if (strcmp(s_str(r->groups[i]->group), g) == 0)
            return r->groups[i];
    return NULL;
}

static const Entretiens__V1__ComplianceFigures *s_exposure_of(const Entretiens__V1__ComplianceReply *r, const char *g)
{
    for (size_t i = 0; i < r->n_groups; i++)
        if (strcmp(s_str(r->groups[i]->group), g) == 0)
            return r->groups[i];
    return NULL;
}

/* The entities, in the order analytics gave them: compliance's groups, then
 * any entity with recaps only. */
static void s_entities(pdf_doc_t *d, const s_words_t *w, const recap_pdf_input_t *in)
{
    for (size_t i = 0; i < in->exposure->n_groups; i++) {
        const char *g = s_str(in->exposure->groups[i]->group);
        pdf_doc_heading(d, PDF_H2, g, 50);
        s_figures(d, w, s_recaps_of(in->recaps, g), in->exposure->groups[i]);
    }
    for (size_t i = 0; i < in->recaps->n_groups; i++) {
        const char *g = s_str(in->recaps->groups[i]->group);
        if (s_exposure_of(in->exposure, g))
            continue;
        pdf_doc_heading(d, PDF_H2, g, 50);
        s_figures(d, w, in->recaps->groups[i], NULL);
    }
}

static void s_people(pdf_doc_t *d, const s_words_t *w, const Entretiens__V1__DueReply *due)
{
    pdf_doc_heading(d, PDF_H1, w->people, 60);
    if (!due || !due->n_obligations) {
        pdf_doc_draw(d, PDF_BODY, 0, w->none);
        return;
    }
    char a[ENT_DATE_STRLEN];
    for (size_t i = 0; i < due->n_obligations; i++) {
        const Entretiens__V1__Obligation *o = due->obligations[i];
        const char *st = s_str(o->status);
        PDF_PUT(d, "%s %s (%s) — %s — %s — %s", s_str(o->first_name), s_str(o->last_name), s_str(o->employee_id),
                s_str(o->entity), s_date(o->due_date, a),
                strcmp(st, "overdue") == 0 ? w->status_overdue : strcmp(st, "upcoming") == 0 ? w->status_upcoming : st);
        if (o->penalty_eur)
            PDF_PUT(d, " — %s%s%d €", w->topup, w->sep, (int) o->penalty_eur);
        pdf_doc_flush(d, PDF_BODY, 0);
        PDF_PUT(d, "%s%s%s — %s%s%s", w->rule, w->sep, s_str(o->rule), w->reason, w->sep, s_str(o->reason));
        pdf_doc_flush(d, PDF_SMALL, 12);
    }
    if (due->truncated || due->total > due->n_obligations)
        pdf_doc_draw(d, PDF_SMALL, 0, w->truncated);
}

int recap_pdf_render(const recap_pdf_input_t *in, ics_lang_t lang, uint8_t **out, size_t *len, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *out = NULL;
    *len = 0;
    *why = NULL;
    if (!in || !in->recaps || !in->exposure) {
        *why = "the recap needs analytics' recap completion and compliance";
        return EINVAL;
    }
    const s_words_t *w = lang == ICS_LANG_FR ? &s_fr : &s_en;
    char today[ENT_DATE_STRLEN], date[32], footer[256];
    s_date(in->exposure->today, today);
    snprintf(date, sizeof date, "%sT00:00:00Z", *today ? today : "1970-01-01");
    snprintf(footer, sizeof footer, "%s — %s", w->title, in->entity && *in->entity ? in->entity : w->scope_all);
    pdf_doc_lock();
    pdf_doc_t d;
    int rc = pdf_doc_open(&d, footer, date, footer, w->page, why);
    if (!rc) {
        pdf_doc_draw(&d, PDF_TITLE, 0, w->title);
        PDF_PUT(&d, "%s%s%s", in->entity && *in->entity ? w->scope_one : "", in->entity && *in->entity ? w->sep : "",
                in->entity && *in->entity ? in->entity : w->scope_all);
        pdf_doc_flush(&d, PDF_H1, 0);
        PDF_PUT(&d, "%s %s", w->as_of, today);
        pdf_doc_flush(&d, PDF_BODY, 0);
        pdf_doc_draw(&d, PDF_SMALL, 0, w->intro);
        pdf_doc_heading(&d, PDF_H1, w->total, 50);
        s_figures(&d, w, in->recaps->total, in->exposure->total);
        s_entities(&d, w, in);
        s_people(&d, w, in->due);
        rc = d.failed ? ENOMEM : pdf_doc_finish(&d, out, len, why);
    }
    pdf_doc_free(&d);
    pdf_doc_unlock();
    return rc;
}
