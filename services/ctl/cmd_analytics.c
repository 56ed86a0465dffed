/*  cmd_analytics.c — entretiensctl stats: the analytics daemon's figures.
 *
 *    stats completion|compliance|training|mobility|competencies|ratings|
 *          objectives|signals|managers [filters] [--by G] [--csv]
 *
 *  One analytics.<kind> call per command (a StatsQuery).  The --json and
 *  --csv shapes are a contract (docs/cli.md, docs/analytics.md).
 *  Exit statuses: 0 done, 1 the daemon refused or failed, 2 usage.
 */
#include "args.h"
#include "ctl.h"
#include "common/event_json.h"
#include "table.h"

#include "proto/analytics.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAEMON "analytics"
#define USAGE                                                                                                   \
    "stats completion|compliance|training|mobility|competencies|ratings|objectives|signals|managers\n"          \
    "      [--entity E] [--department D] [--site S] [--manager M] [--type T] [--from YYYY-MM] [--to YYYY-MM]\n" \
    "      [--by entity|department|site|type|month] [--limit N] [--csv]"

typedef enum { OUT_TABLE, OUT_JSON, OUT_CSV } s_out_t;

/* "YYYY-MM" or "YYYY-MM-DD" (the day is ignored by the daemon). */
static int s_month_arg(const char *opt, const char *text, Entretiens__V1__Date *out)
{
    entretiens__v1__date__init(out);
    char buf[16];
    if (strlen(text) == 7) {
        snprintf(buf, sizeof buf, "%s-01", text);
        text = buf;
    }
    if (ent_pbdate_parse(text, out) == 0)
        return 0;
    return ctl_bad("stats", "%s '%s' is not a month YYYY-MM (or a date YYYY-MM-DD)", opt, text);
}

static int s_uint_arg(const char *opt, const char *text, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : 0;
    if (!(text[0] >= '0' && text[0] <= '9') || errno || *end || v < 1 || v > max)
        return ctl_bad("stats", "%s '%s' must be a whole number from 1 to %u", opt, text, max);
    *out = (uint32_t) v;
    return 0;
}

/* --------------------------------------------------------------- output */

/* A rate as JSON: rounded to 4 decimals, null when its denominator is 0. */
static json_t *s_rate(double r, uint64_t den)
{
    return den ? json_real(round(r * 10000.0) / 10000.0) : json_null();
}

static void s_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (s) {
        printf("%s\n", s);
        free(s);
    }
    json_decref(v);
}

/* One CSV field (RFC 4180: quoted when it holds a comma, quote or newline). */
static void s_csv(const char *s, bool last)
{
    char *clean = ent_utf8_sanitize(s ? s : "", s ? strlen(s) : 0, false);
    const char *t = clean ? clean : "";
    if (strpbrk(t, ",\"\r\n")) {
        putchar('"');
        for (const char *p = t; *p; p++) {
            if (*p == '"')
                putchar('"');
            putchar(*p);
        }
        putchar('"');
    } else {
        fputs(t, stdout);
    }
    putchar(last ? '\n' : ',');
    free(clean);
}

static void s_csvf(bool last, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_csvf(bool last, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s_csv(buf, last);
}

static void s_csv_header(const char *const *cols)
{
    for (size_t i = 0; cols[i]; i++)
        s_csv(cols[i], cols[i + 1] == NULL);
}

static const char *s_date(const Entretiens__V1__Date *d, char *buf)
{
    return d ? ent_pbdate_str(d, buf) : "";
}

static const char *s_group_label(const char *g)
{
    return g && *g ? g : "-";
}

static void s_table_print(ctl_t *ctl, ctl_table_t *t)
{
    ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
}

static void s_pct(ctl_table_t *t, double r, uint64_t den)
{
    if (den)
        ctl_table_cellf(t, CTL_PLAIN, "%.1f%%", r * 100.0);
    else
        ctl_table_cell(t, "-", CTL_DIM);
}

/* ----------------------------------------------------------- completion */

static json_t *s_comp_json(const Entretiens__V1__CompletionFigures *f, bool with_group)
{
    json_t *o = json_object();
    if (with_group)
        json_object_set_new(o, "group", ent_json_str(f->group));
    json_object_set_new(o, "owed", json_integer((json_int_t) f->owed));
    json_object_set_new(o, "upcoming", json_integer((json_int_t) f->upcoming));
    json_object_set_new(o, "overdue", json_integer((json_int_t) f->overdue));
    json_object_set_new(o, "met", json_integer((json_int_t) f->met));
    json_object_set_new(o, "lapsed", json_integer((json_int_t) f->lapsed));
    json_object_set_new(o, "cancelled", json_integer((json_int_t) f->cancelled));
    json_object_set_new(o, "interviews", json_integer((json_int_t) f->interviews));
    json_object_set_new(o, "scheduled", json_integer((json_int_t) f->scheduled));
    json_object_set_new(o, "held", json_integer((json_int_t) f->held));
    json_object_set_new(o, "signed", json_integer((json_int_t) f->fully_signed));
    json_object_set_new(o, "closed", json_integer((json_int_t) f->closed));
    json_object_set_new(o, "interviews_cancelled", json_integer((json_int_t) f->interviews_cancelled));
    json_object_set_new(o, "completion_rate", s_rate(f->completion_rate, f->owed));
    json_object_set_new(o, "overdue_rate", s_rate(f->overdue_rate, f->owed));
    json_object_set_new(o, "signature_rate", s_rate(f->signature_rate, f->held));
    return o;
}

static void s_comp_csv_row(const char *row, const Entretiens__V1__CompletionFigures *f)
{
    s_csv(row, false);
    s_csv(f->group, false);
    s_csvf(false, "%" PRIu64, f->owed);
    s_csvf(false, "%" PRIu64, f->upcoming);
    s_csvf(false, "%" PRIu64, f->overdue);
    s_csvf(false, "%" PRIu64, f->met);
    s_csvf(false, "%" PRIu64, f->lapsed);
    s_csvf(false, "%" PRIu64, f->cancelled);
    s_csvf(false, "%" PRIu64, f->interviews);
    s_csvf(false, "%" PRIu64, f->scheduled);
    s_csvf(false, "%" PRIu64, f->held);
    s_csvf(false, "%" PRIu64, f->fully_signed);
    s_csvf(false, "%" PRIu64, f->closed);
    s_csvf(false, "%" PRIu64, f->interviews_cancelled);
    if (f->owed) {
        s_csvf(false, "%.4f", f->completion_rate);
        s_csvf(false, "%.4f", f->overdue_rate);
    } else {
        s_csv("", false);
        s_csv("", false);
    }
    if (f->held)
        s_csvf(true, "%.4f", f->signature_rate);
    else
        s_csv("", true);
}

static void s_comp_table_row(ctl_table_t *t, const char *label, const Entretiens__V1__CompletionFigures *f)
{
    ctl_table_row(t);
    ctl_table_cell(t, label, label[0] == '(' ? CTL_BOLD : CTL_PLAIN);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->owed);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->met);
    ctl_table_cellf(t, f->overdue ? CTL_RED : CTL_PLAIN, "%" PRIu64, f->overdue);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->upcoming);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->lapsed);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->scheduled);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->held);
    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->fully_signed);
    s_pct(t, f->completion_rate, f->owed);
    s_pct(t, f->signature_rate, f->held);
}

static int s_completion_out(ctl_t *ctl, s_out_t out, const Entretiens__V1__CompletionReply *r)
{
    if (out == OUT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "group_by", ent_json_str(r->group_by));
        json_object_set_new(o, "total", s_comp_json(r->total, false));
        json_t *g = json_array();
        for (size_t i = 0; i < r->n_groups; i++)
            json_array_append_new(g, s_comp_json(r->groups[i], true));
        json_object_set_new(o, "groups", g);
        s_print_json(o);
    } else if (out == OUT_CSV) {
        static const char *const cols[] = { "row", "group", "owed", "upcoming", "overdue", "met", "lapsed",
                                            "cancelled", "interviews", "scheduled", "held", "signed", "closed",
                                            "interviews_cancelled", "completion_rate", "overdue_rate",
                                            "signature_rate", NULL };
        s_csv_header(cols);
        s_comp_csv_row("total", r->total);
        for (size_t i = 0; i < r->n_groups; i++)
            s_comp_csv_row("group", r->groups[i]);
    } else {
        ctl_lang_t l = ctl->lang;
        ctl_table_t *t = ctl_table_new(r->group_by && *r->group_by ? r->group_by : ctl_l(l, "SCOPE", "PÉRIMÈTRE"),
                                       ctl_l(l, "OWED", "DUS"), ctl_l(l, "MET", "RÉALISÉS"),
                                       ctl_l(l, "OVERDUE", "EN RETARD"), ctl_l(l, "UPCOMING", "À VENIR"),
                                       ctl_l(l, "LAPSED", "MANQUÉS"), ctl_l(l, "SCHEDULED", "PLANIFIÉS"),
                                       ctl_l(l, "HELD", "TENUS"), ctl_l(l, "SIGNED", "SIGNÉS"),
                                       ctl_l(l, "COMPLETION", "RÉALISATION"), ctl_l(l, "SIGNATURE", "SIGNATURE"),
                                       NULL);
        for (size_t i = 0; i < r->n_groups; i++)
            s_comp_table_row(t, s_group_label(r->groups[i]->group), r->groups[i]);
        s_comp_table_row(t, "(total)", r->total);
        s_table_print(ctl, t);
    }
    return CTL_OK;
}

/* ----------------------------------------------------------- compliance */

static json_t *s_compl_json(const Entretiens__V1__ComplianceFigures *f, bool with_group)
{
    json_t *o = json_object();
    if (with_group)
        json_object_set_new(o, "group", ent_json_str(f->group));
    json_object_set_new(o, "employees", json_integer((json_int_t) f->employees));
    json_object_set_new(o, "up_to_date", json_integer((json_int_t) f->up_to_date));
    json_object_set_new(o, "due_soon", json_integer((json_int_t) f->due_soon));
    json_object_set_new(o, "overdue", json_integer((json_int_t) f->overdue));
    json_object_set_new(o, "at_risk", json_integer((json_int_t) f->at_risk));
    json_object_set_new(o, "exposure_eur", json_integer((json_int_t) f->exposure_eur));
    json_object_set_new(o, "owed_count", json_integer((json_int_t) f->owed_count));
    json_object_set_new(o, "owed_eur", json_integer((json_int_t) f->owed_eur));
    json_object_set_new(o, "exposure_if_inspected_eur", json_integer((json_int_t) f->exposure_if_inspected_eur));
    json_object_set_new(o, "owed_if_inspected_eur", json_integer((json_int_t) f->owed_if_inspected_eur));
    json_object_set_new(o, "overdue_deadlines", json_integer((json_int_t) f->overdue_deadlines));
    return o;
}

static void s_compl_csv_row(const char *row, const Entretiens__V1__ComplianceFigures *f)
{
    s_csv(row, false);
    s_csv(f->group, false);
    s_csvf(false, "%" PRIu64, f->employees);
    s_csvf(false, "%" PRIu64, f->up_to_date);
    s_csvf(false, "%" PRIu64, f->due_soon);
    s_csvf(false, "%" PRIu64, f->overdue);
    s_csvf(false, "%" PRIu64, f->at_risk);
    s_csvf(false, "%" PRId64, f->exposure_eur);
    s_csvf(false, "%" PRIu64, f->owed_count);
    s_csvf(false, "%" PRId64, f->owed_eur);
    s_csv("", false);
    s_csv("", false);
    s_csvf(false, "%" PRId64, f->exposure_if_inspected_eur);
    s_csvf(false, "%" PRId64, f->owed_if_inspected_eur);
    s_csvf(false, "%" PRIu64, f->overdue_deadlines);
    s_csv("", false);
    s_csv("", true);
}

static int s_compliance_out(ctl_t *ctl, s_out_t out, const Entretiens__V1__ComplianceReply *r, bool list)
{
    char d1[ENT_PBDATE_BUFLEN];
    if (out == OUT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "today", ent_json_pbdate(r->today));
        json_object_set_new(o, "within_days", json_integer(r->within_days));
        json_object_set_new(o, "group_by", ent_json_str(r->group_by));
        json_object_set_new(o, "total", s_compl_json(r->total, false));
        json_t *g = json_array();
        for (size_t i = 0; i < r->n_groups; i++)
            json_array_append_new(g, s_compl_json(r->groups[i], true));
        json_object_set_new(o, "groups", g);
        json_t *e = json_array();
        for (size_t i = 0; i < r->n_entities; i++) {
            const Entretiens__V1__EntityExposure *x = r->entities[i];
            json_t *xo = json_object();
            json_object_set_new(xo, "entity", ent_json_str(x->entity));
            json_object_set_new(xo, "headcount", json_integer((json_int_t) x->headcount));
            json_object_set_new(xo, "subject", json_boolean(x->subject));
            json_object_set_new(xo, "at_risk", json_integer((json_int_t) x->at_risk));
            json_object_set_new(xo, "exposure_eur", json_integer((json_int_t) x->exposure_eur));
            json_object_set_new(xo, "owed_count", json_integer((json_int_t) x->owed_count));
            json_object_set_new(xo, "owed_eur", json_integer((json_int_t) x->owed_eur));
            json_object_set_new(xo, "exposure_if_inspected_eur", json_integer((json_int_t) x->exposure_if_inspected_eur));
            json_object_set_new(xo, "owed_if_inspected_eur", json_integer((json_int_t) x->owed_if_inspected_eur));
            json_object_set_new(xo, "declared", json_boolean(x->declared));
            json_object_set_new(xo, "declared_headcount", json_integer((json_int_t) x->declared_headcount));
            json_object_set_new(xo, "headcount_differs", json_boolean(x->headcount_differs));
            json_array_append_new(e, xo);
        }
        json_object_set_new(o, "entities", e);
        if (list) {
            json_t *l = json_array();
            for (size_t i = 0; i < r->n_employees; i++) {
                const Entretiens__V1__ComplianceEmployee *x = r->employees[i];
                json_t *xo = json_object();
                json_object_set_new(xo, "employee_id", ent_json_str(x->employee_id));
                json_object_set_new(xo, "entity", ent_json_str(x->entity));
                json_object_set_new(xo, "department", ent_json_str(x->department));
                json_object_set_new(xo, "site", ent_json_str(x->site));
                json_object_set_new(xo, "manager_id", ent_json_str(x->manager_id));
                json_object_set_new(xo, "status", ent_json_str(x->status));
                json_object_set_new(xo, "next_due", ent_json_pbdate(x->next_due));
                json_object_set_new(xo, "next_type", ent_json_str(x->next_type));
                json_object_set_new(xo, "penalty_eur", json_integer(x->penalty_eur));
                json_object_set_new(xo, "penalty_if_inspected_eur", json_integer(x->penalty_if_inspected_eur));
                json_array_append_new(l, xo);
            }
            json_object_set_new(o, "employees", l);
            json_object_set_new(o, "truncated", json_boolean(r->truncated));
        }
        s_print_json(o);
    } else if (out == OUT_CSV && list) {
        static const char *const cols[] = { "employee_id", "entity", "department", "site", "manager_id", "status",
                                            "next_due", "next_type", "penalty_eur", "penalty_if_inspected_eur",
                                            NULL };
        s_csv_header(cols);
        for (size_t i = 0; i < r->n_employees; i++) {
            const Entretiens__V1__ComplianceEmployee *x = r->employees[i];
            s_csv(x->employee_id, false);
            s_csv(x->entity, false);
            s_csv(x->department, false);
            s_csv(x->site, false);
            s_csv(x->manager_id, false);
            s_csv(x->status, false);
            s_csv(s_date(x->next_due, d1), false);
            s_csv(x->next_type, false);
            s_csvf(false, "%d", x->penalty_eur);
            s_csvf(true, "%d", x->penalty_if_inspected_eur);
        }
    } else if (out == OUT_CSV) {
        static const char *const cols[] = { "row", "group", "employees", "up_to_date", "due_soon", "overdue",
                                            "at_risk", "exposure_eur", "owed_count", "owed_eur", "headcount",
                                            "subject", "exposure_if_inspected_eur", "owed_if_inspected_eur",
                                            "overdue_deadlines", "declared_headcount", "headcount_differs", NULL };
        s_csv_header(cols);
        s_compl_csv_row("total", r->total);
        for (size_t i = 0; i < r->n_groups; i++)
            s_compl_csv_row("group", r->groups[i]);
        for (size_t i = 0; i < r->n_entities; i++) {
            const Entretiens__V1__EntityExposure *x = r->entities[i];
            s_csv("entity", false);
            s_csv(x->entity, false);
            for (int k = 0; k < 4; k++)
                s_csv("", false);
            s_csvf(false, "%" PRIu64, x->at_risk);
            s_csvf(false, "%" PRId64, x->exposure_eur);
            s_csvf(false, "%" PRIu64, x->owed_count);
            s_csvf(false, "%" PRId64, x->owed_eur);
            s_csvf(false, "%" PRIu64, x->headcount);
            s_csv(x->subject ? "true" : "false", false);
            s_csvf(false, "%" PRId64, x->exposure_if_inspected_eur);
            s_csvf(false, "%" PRId64, x->owed_if_inspected_eur);
            s_csv("", false);
            if (x->declared)
                s_csvf(false, "%" PRIu64, x->declared_headcount);
            else
                s_csv("", false);
            s_csv(x->headcount_differs ? "true" : "false", true);
        }
    } else {
        ctl_lang_t l = ctl->lang;
        printf(ctl_l(l, "professional interviews on %s (due soon = within %u days)\n",
                     "entretiens professionnels au %s (bientôt dus = dans les %u jours)\n"),
               ent_pbdate_str(r->today, d1), r->within_days);
        ctl_table_t *t = ctl_table_new(r->group_by && *r->group_by ? r->group_by : ctl_l(l, "SCOPE", "PÉRIMÈTRE"),
                                       ctl_l(l, "EMPLOYEES", "SALARIÉS"), ctl_l(l, "UP TO DATE", "À JOUR"),
                                       ctl_l(l, "DUE SOON", "BIENTÔT DUS"), ctl_l(l, "OVERDUE", "EN RETARD"),
                                       ctl_l(l, "AT RISK", "À RISQUE"), ctl_l(l, "EXPOSURE €", "EXPOSITION €"),
                                       ctl_l(l, "IF INSPECTED €", "SI CONTRÔLE €"), NULL);
        for (size_t i = 0; i <= r->n_groups; i++) {
            const Entretiens__V1__ComplianceFigures *f = i < r->n_groups ? r->groups[i] : r->total;
            ctl_table_row(t);
            ctl_table_cell(t, i < r->n_groups ? s_group_label(f->group) : "(total)",
                           i < r->n_groups ? CTL_PLAIN : CTL_BOLD);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->employees);
            ctl_table_cellf(t, CTL_GREEN, "%" PRIu64, f->up_to_date);
            ctl_table_cellf(t, f->due_soon ? CTL_YELLOW : CTL_PLAIN, "%" PRIu64, f->due_soon);
            ctl_table_cellf(t, f->overdue ? CTL_RED : CTL_PLAIN, "%" PRIu64, f->overdue);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->at_risk);
            ctl_table_cellf(t, f->exposure_eur ? CTL_RED : CTL_PLAIN, "%" PRId64, f->exposure_eur);
            ctl_table_cellf(t, f->exposure_if_inspected_eur ? CTL_RED : CTL_PLAIN, "%" PRId64,
                            f->exposure_if_inspected_eur);
        }
        s_table_print(ctl, t);
        /* the same count as the tour's and stats managers' (docs/analytics.md) */
        printf(ctl_l(l, "overdue deadlines, every type, still to hold: %" PRIu64 "\n",
                     "échéances en retard, tous types, encore à tenir : %" PRIu64 "\n"),
               r->total->overdue_deadlines);
        if (r->n_entities) {
            printf("%s", ctl_l(l,
                               "\nCPF top-up at the professional recap (entities of 50 or more by the policy's headcount):\n"
                               "owed when the recap's deadline has passed, at risk while it is ahead; if inspected:\n"
                               "unpaid after an inspection's formal notice, plus 100 % (L6323-13)\n",
                               "\nAbondement CPF à l'état des lieux (entités de 50 salariés ou plus selon l'effectif déclaré) :\n"
                               "dû une fois l'échéance de l'état des lieux passée, à risque tant qu'elle est à venir ; si\n"
                               "contrôle : non versé après mise en demeure, majoré de 100 % (L6323-13)\n"));
            t = ctl_table_new(ctl_l(l, "ENTITY", "ENTITÉ"), ctl_l(l, "DECLARED", "DÉCLARÉ"),
                              ctl_l(l, "COUNTED", "COMPTÉ"), "50+", ctl_l(l, "AT RISK", "À RISQUE"),
                              ctl_l(l, "EXPOSURE €", "EXPOSITION €"), ctl_l(l, "IF INSPECTED €", "SI CONTRÔLE €"),
                              ctl_l(l, "OWED", "DUS"), ctl_l(l, "OWED €", "DÛ €"),
                              ctl_l(l, "OWED IF INSPECTED €", "DÛ SI CONTRÔLE €"), NULL);
            for (size_t i = 0; i < r->n_entities; i++) {
                const Entretiens__V1__EntityExposure *x = r->entities[i];
                ctl_table_row(t);
                ctl_table_cell(t, x->entity, CTL_PLAIN);
                if (x->declared)
                    ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, x->declared_headcount);
                else
                    ctl_table_cell(t, "-", CTL_DIM);
                ctl_table_cellf(t, x->headcount_differs ? CTL_YELLOW : CTL_PLAIN, "%" PRIu64, x->headcount);
                ctl_table_cell(t, x->subject ? ctl_l(l, "yes", "oui") : ctl_l(l, "no", "non"),
                               x->subject ? CTL_PLAIN : CTL_DIM);
                ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, x->at_risk);
                ctl_table_cellf(t, x->exposure_eur ? CTL_RED : CTL_PLAIN, "%" PRId64, x->exposure_eur);
                ctl_table_cellf(t, x->exposure_if_inspected_eur ? CTL_RED : CTL_PLAIN, "%" PRId64,
                                x->exposure_if_inspected_eur);
                ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, x->owed_count);
                ctl_table_cellf(t, CTL_PLAIN, "%" PRId64, x->owed_eur);
                ctl_table_cellf(t, CTL_PLAIN, "%" PRId64, x->owed_if_inspected_eur);
            }
            s_table_print(ctl, t);
            fflush(stdout); /* the warnings follow the table they are about */
            for (size_t i = 0; i < r->n_entities; i++) {
                const Entretiens__V1__EntityExposure *x = r->entities[i];
                if (x->headcount_differs)
                    fprintf(stderr,
                            ctl_l(l,
                                  "warning: %s: the policy declares %" PRIu64 " employees, %" PRIu64
                                  " are employed in the data; the policy's figure decides the 50-employee rule\n",
                                  "attention : %s : la politique déclare %" PRIu64 " salariés, les données en comptent %" PRIu64
                                  " ; l'effectif déclaré décide du seuil de 50 salariés\n"),
                            x->entity, x->declared_headcount, x->headcount);
            }
        }
        if (list) {
            printf("\n");
            t = ctl_table_new(ctl_l(l, "EMPLOYEE", "SALARIÉ"), ctl_l(l, "ENTITY", "ENTITÉ"),
                              ctl_l(l, "DEPARTMENT", "SERVICE"), "MANAGER", ctl_l(l, "STATUS", "STATUT"),
                              ctl_l(l, "NEXT DUE", "PROCHAINE ÉCHÉANCE"), "TYPE",
                              ctl_l(l, "PENALTY €", "PÉNALITÉ €"), NULL);
            for (size_t i = 0; i < r->n_employees; i++) {
                const Entretiens__V1__ComplianceEmployee *x = r->employees[i];
                ctl_table_row(t);
                ctl_table_cell(t, x->employee_id, CTL_PLAIN);
                ctl_table_cell(t, x->entity, CTL_PLAIN);
                ctl_table_cell(t, x->department, CTL_PLAIN);
                ctl_table_cell(t, x->manager_id, CTL_PLAIN);
                ctl_table_cell(t, x->status,
                               strcmp(x->status, "overdue") == 0 || strcmp(x->status, "at_risk") == 0 ||
                                       strcmp(x->status, "owed") == 0
                                   ? CTL_RED
                                                                                                     : CTL_YELLOW);
                ctl_table_cell(t, s_date(x->next_due, d1), CTL_PLAIN);
                ctl_table_cell(t, x->next_type, CTL_PLAIN);
                if (x->penalty_eur)
                    ctl_table_cellf(t, CTL_RED, "%d", x->penalty_eur);
                else
                    ctl_table_cell(t, "", CTL_PLAIN);
            }
            s_table_print(ctl, t);
            if (r->truncated)
                fprintf(stderr, "(more employees: raise --limit)\n");
        }
    }
    return CTL_OK;
}

/* -------------------------------------------------------------- answers */

typedef enum { A_TRAINING, A_MOBILITY, A_COMPETENCIES, A_RATINGS, A_OBJECTIVES } s_akind_t;

static json_t *s_answers_json(s_akind_t kind, const Entretiens__V1__AnswerFigures *f, bool with_group)
{
    json_t *o = json_object();
    if (with_group)
        json_object_set_new(o, "group", ent_json_str(f->group));
    json_object_set_new(o, "respondents", json_integer((json_int_t) f->respondents));
    json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
    if (f->suppressed)
        return o;
    json_t *a = json_array();
    switch (kind) {
    case A_TRAINING:
        for (size_t i = 0; i < f->n_training; i++) {
            const Entretiens__V1__TrainingFigure *t = f->training[i];
            json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:I}", "theme", ent_json_str(t->theme), "priority",
                                               ent_json_str(t->priority), "modality", ent_json_str(t->modality),
                                               "count", (json_int_t) t->count));
        }
        json_object_set_new(o, "training", a);
        break;
    case A_MOBILITY:
        json_object_set_new(o, "wish_to_leave", json_integer((json_int_t) f->wish_to_leave));
        for (size_t i = 0; i < f->n_mobility; i++) {
            const Entretiens__V1__MobilityFigure *m = f->mobility[i];
            json_array_append_new(a, json_pack("{s:o, s:o, s:I}", "kind", ent_json_str(m->kind), "horizon",
                                               ent_json_str(m->horizon), "count", (json_int_t) m->count));
        }
        json_object_set_new(o, "mobility", a);
        break;
    case A_COMPETENCIES:
        for (size_t i = 0; i < f->n_competencies; i++) {
            const Entretiens__V1__CompetencyFigure *c = f->competencies[i];
            json_t *co = json_object();
            json_object_set_new(co, "item", ent_json_str(c->item));
            json_object_set_new(co, "count", json_integer((json_int_t) c->count));
            json_object_set_new(co, "suppressed", json_boolean(c->suppressed));
            if (!c->suppressed) {
                json_object_set_new(co, "mean_expected", json_real(round(c->mean_expected * 100.0) / 100.0));
                json_object_set_new(co, "mean_assessed", json_real(round(c->mean_assessed * 100.0) / 100.0));
                json_object_set_new(co, "below", json_integer((json_int_t) c->below));
                json_object_set_new(co, "meets", json_integer((json_int_t) c->meets));
                json_object_set_new(co, "above", json_integer((json_int_t) c->above));
            }
            json_array_append_new(a, co);
        }
        json_object_set_new(o, "competencies", a);
        break;
    case A_RATINGS:
        for (size_t i = 0; i < f->n_ratings; i++) {
            const Entretiens__V1__RatingFigure *r = f->ratings[i];
            json_t *ro = json_object();
            json_object_set_new(ro, "topic", ent_json_str(r->topic));
            json_object_set_new(ro, "question_id", ent_json_str(r->question_id));
            json_object_set_new(ro, "scale_min", json_integer(r->scale_min));
            json_object_set_new(ro, "scale_max", json_integer(r->scale_max));
            json_object_set_new(ro, "count", json_integer((json_int_t) r->count));
            json_object_set_new(ro, "suppressed", json_boolean(r->suppressed));
            if (!r->suppressed) {
                json_object_set_new(ro, "mean", json_real(round(r->mean * 100.0) / 100.0));
                json_t *h = json_array();
                for (size_t k = 0; k < r->n_histogram; k++)
                    json_array_append_new(h, json_integer((json_int_t) r->histogram[k]));
                json_object_set_new(ro, "histogram", h);
            }
            json_array_append_new(a, ro);
        }
        json_object_set_new(o, "ratings", a);
        break;
    case A_OBJECTIVES:
        json_decref(a);
        json_object_set_new(o, "objectives", json_integer((json_int_t) f->objectives));
        json_object_set_new(o, "objectives_reviewed", json_integer((json_int_t) f->objectives_reviewed));
        json_object_set_new(o, "mean_attainment",
                            f->objectives_reviewed ? json_real(round(f->mean_attainment * 10.0) / 10.0) : json_null());
        json_object_set_new(o, "objectives_attained", json_integer((json_int_t) f->objectives_attained));
        break;
    }
    return o;
}

static const char *const *s_answers_cols(s_akind_t kind)
{
    static const char *const training[] = { "row", "group", "respondents", "suppressed", "theme", "priority",
                                            "modality", "count", NULL };
    static const char *const mobility[] = { "row", "group", "respondents", "suppressed", "kind", "horizon", "count",
                                            NULL };
    static const char *const competencies[] = { "row", "group", "respondents", "suppressed", "item", "count",
                                                "mean_expected", "mean_assessed", "below", "meets", "above",
                                                "item_suppressed", NULL };
    static const char *const ratings[] = { "row", "group", "respondents", "suppressed", "topic", "question_id",
                                           "scale_min", "scale_max", "count", "mean", "histogram", "item_suppressed",
                                           NULL };
    static const char *const objectives[] = { "row", "group", "respondents", "suppressed", "objectives",
                                              "objectives_reviewed", "mean_attainment", "objectives_attained", NULL };
    switch (kind) {
    case A_TRAINING: return training;
    case A_MOBILITY: return mobility;
    case A_COMPETENCIES: return competencies;
    case A_RATINGS: return ratings;
    default: return objectives;
    }
}

/* Rows of one group: one per item (a suppressed group: one row, items empty). */
static void s_answers_csv(s_akind_t kind, const char *row, const Entretiens__V1__AnswerFigures *f)
{
    size_t ncols = 0;
    const char *const *cols = s_answers_cols(kind);
    while (cols[ncols])
        ncols++;
    size_t items = f->suppressed ? 0
                   : kind == A_TRAINING ? f->n_training
                   : kind == A_MOBILITY ? f->n_mobility
                   : kind == A_COMPETENCIES ? f->n_competencies
                   : kind == A_RATINGS ? f->n_ratings
                                      : 1;
    for (size_t i = 0; i < (items ? items : 1); i++) {
        s_csv(row, false);
        s_csv(f->group, false);
        s_csvf(false, "%" PRIu64, f->respondents);
        s_csv(f->suppressed ? "true" : "false", false);
        if (!items) {
            for (size_t k = 4; k < ncols; k++)
                s_csv("", k + 1 == ncols);
            continue;
        }
        switch (kind) {
        case A_TRAINING:
            s_csv(f->training[i]->theme, false);
            s_csv(f->training[i]->priority, false);
            s_csv(f->training[i]->modality, false);
            s_csvf(true, "%" PRIu64, f->training[i]->count);
            break;
        case A_MOBILITY:
            s_csv(f->mobility[i]->kind, false);
            s_csv(f->mobility[i]->horizon, false);
            s_csvf(true, "%" PRIu64, f->mobility[i]->count);
            break;
        case A_COMPETENCIES: {
            const Entretiens__V1__CompetencyFigure *c = f->competencies[i];
            s_csv(c->item, false);
            s_csvf(false, "%" PRIu64, c->count);
            if (c->suppressed) {
                for (int k = 0; k < 5; k++)
                    s_csv("", false);
            } else {
                s_csvf(false, "%.2f", c->mean_expected);
                s_csvf(false, "%.2f", c->mean_assessed);
                s_csvf(false, "%" PRIu64, c->below);
                s_csvf(false, "%" PRIu64, c->meets);
                s_csvf(false, "%" PRIu64, c->above);
            }
            s_csv(c->suppressed ? "true" : "false", true);
            break;
        }
        case A_RATINGS: {
            const Entretiens__V1__RatingFigure *r = f->ratings[i];
            s_csv(r->topic, false);
            s_csv(r->question_id, false);
            s_csvf(false, "%d", r->scale_min);
            s_csvf(false, "%d", r->scale_max);
            s_csvf(false, "%" PRIu64, r->count);
            if (r->suppressed) {
                s_csv("", false);
                s_csv("", false);
            } else {
                s_csvf(false, "%.2f", r->mean);
                char h[256] = "";
                size_t used = 0;
                for (size_t k = 0; k < r->n_histogram && used < sizeof h; k++)
                    used += (size_t) snprintf(h + used, sizeof h - used, "%s%" PRIu64, k ? ";" : "", r->histogram[k]);
                s_csv(h, false);
            }
            s_csv(r->suppressed ? "true" : "false", true);
            break;
        }
        default:
            s_csvf(false, "%" PRIu64, f->objectives);
            s_csvf(false, "%" PRIu64, f->objectives_reviewed);
            if (f->objectives_reviewed)
                s_csvf(false, "%.1f", f->mean_attainment);
            else
                s_csv("", false);
            s_csvf(true, "%" PRIu64, f->objectives_attained);
            break;
        }
    }
}

static void s_answers_table(ctl_t *ctl, s_akind_t kind, const Entretiens__V1__AnswerFigures *f, const char *title,
                            uint32_t min_group)
{
    printf("%s: %" PRIu64 " respondent%s", title, f->respondents, f->respondents == 1 ? "" : "s");
    if (f->suppressed) {
        printf(" (fewer than %u: not reported)\n", min_group);
        return;
    }
    printf("\n");
    ctl_table_t *t = NULL;
    switch (kind) {
    case A_TRAINING:
        t = ctl_table_new("THEME", "PRIORITY", "MODALITY", "NEEDS", NULL);
        for (size_t i = 0; i < f->n_training; i++) {
            ctl_table_row(t);
            ctl_table_cell(t, f->training[i]->theme, CTL_PLAIN);
            ctl_table_cell(t, f->training[i]->priority,
                           strcmp(f->training[i]->priority, "high") == 0 ? CTL_BOLD : CTL_PLAIN);
            ctl_table_cell(t, f->training[i]->modality, CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->training[i]->count);
        }
        break;
    case A_MOBILITY:
        printf("wishing to leave: %" PRIu64 "\n", f->wish_to_leave);
        t = ctl_table_new("KIND", "HORIZON", "WISHES", NULL);
        for (size_t i = 0; i < f->n_mobility; i++) {
            ctl_table_row(t);
            ctl_table_cell(t, f->mobility[i]->kind, CTL_PLAIN);
            ctl_table_cell(t, f->mobility[i]->horizon, CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->mobility[i]->count);
        }
        break;
    case A_COMPETENCIES:
        t = ctl_table_new("COMPETENCY", "ANSWERS", "EXPECTED", "ASSESSED", "BELOW", "MEETS", "ABOVE", NULL);
        for (size_t i = 0; i < f->n_competencies; i++) {
            const Entretiens__V1__CompetencyFigure *c = f->competencies[i];
            ctl_table_row(t);
            ctl_table_cell(t, c->item, CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, c->count);
            if (c->suppressed) {
                ctl_table_cell(t, "(too few)", CTL_DIM);
                continue;
            }
            ctl_table_cellf(t, CTL_PLAIN, "%.2f", c->mean_expected);
            ctl_table_cellf(t, c->mean_assessed < c->mean_expected ? CTL_YELLOW : CTL_PLAIN, "%.2f",
                            c->mean_assessed);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, c->below);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, c->meets);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, c->above);
        }
        break;
    case A_RATINGS:
        t = ctl_table_new("TOPIC", "QUESTION", "SCALE", "ANSWERS", "MEAN", "HISTOGRAM (lowest level first)", NULL);
        for (size_t i = 0; i < f->n_ratings; i++) {
            const Entretiens__V1__RatingFigure *r = f->ratings[i];
            ctl_table_row(t);
            ctl_table_cell(t, r->topic, CTL_PLAIN);
            ctl_table_cell(t, r->question_id, CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%d-%d", r->scale_min, r->scale_max);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, r->count);
            if (r->suppressed) {
                ctl_table_cell(t, "(too few)", CTL_DIM);
                continue;
            }
            ctl_table_cellf(t, CTL_PLAIN, "%.2f", r->mean);
            char h[256] = "";
            size_t used = 0;
            for (size_t k = 0; k < r->n_histogram && used < sizeof h; k++)
                used += (size_t) snprintf(h + used, sizeof h - used, "%s%" PRIu64, k ? " " : "", r->histogram[k]);
            ctl_table_cell(t, h, CTL_PLAIN);
        }
        break;
    case A_OBJECTIVES:
        printf("objectives %" PRIu64 ", reviewed %" PRIu64 ", attained (100 %%+) %" PRIu64, f->objectives,
               f->objectives_reviewed, f->objectives_attained);
        if (f->objectives_reviewed)
            printf(", mean attainment %.1f %%", f->mean_attainment);
        printf("\n");
        return;
    }
    s_table_print(ctl, t);
}

static int s_answers_out(ctl_t *ctl, s_out_t out, s_akind_t kind, const Entretiens__V1__AnswersReply *r)
{
    if (out == OUT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "min_group", json_integer(r->min_group));
        json_object_set_new(o, "group_by", ent_json_str(r->group_by));
        json_object_set_new(o, "total", s_answers_json(kind, r->total, false));
        json_t *g = json_array();
        for (size_t i = 0; i < r->n_groups; i++)
            json_array_append_new(g, s_answers_json(kind, r->groups[i], true));
        json_object_set_new(o, "groups", g);
        s_print_json(o);
    } else if (out == OUT_CSV) {
        s_csv_header(s_answers_cols(kind));
        s_answers_csv(kind, "total", r->total);
        for (size_t i = 0; i < r->n_groups; i++)
            s_answers_csv(kind, "group", r->groups[i]);
    } else {
        s_answers_table(ctl, kind, r->total, "all", r->min_group);
        for (size_t i = 0; i < r->n_groups; i++) {
            char title[256];
            snprintf(title, sizeof title, "\n%s %s", r->group_by, s_group_label(r->groups[i]->group));
            s_answers_table(ctl, kind, r->groups[i], title, r->min_group);
        }
    }
    return CTL_OK;
}

/* -------------------------------------------------------------- signals */

static int s_signals_out(ctl_t *ctl, s_out_t out, const Entretiens__V1__SignalsReply *r)
{
    char d1[ENT_PBDATE_BUFLEN];
    if (out == OUT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "today", ent_json_pbdate(r->today));
        json_object_set_new(o, "stale_months", json_integer(r->stale_months));
        json_object_set_new(o, "employees", json_integer((json_int_t) r->employees));
        json_object_set_new(o, "counts",
                            json_pack("{s:I, s:I, s:I, s:I}", "low_engagement", (json_int_t) r->low_engagement,
                                      "wish_to_leave", (json_int_t) r->wish_to_leave, "no_interview",
                                      (json_int_t) r->no_interview, "repeated_overdue",
                                      (json_int_t) r->repeated_overdue));
        json_t *l = json_array();
        for (size_t i = 0; i < r->n_flagged; i++) {
            const Entretiens__V1__SignalEmployee *e = r->flagged[i];
            json_t *eo = json_object();
            json_object_set_new(eo, "employee_id", ent_json_str(e->employee_id));
            json_object_set_new(eo, "entity", ent_json_str(e->entity));
            json_object_set_new(eo, "department", ent_json_str(e->department));
            json_object_set_new(eo, "site", ent_json_str(e->site));
            json_object_set_new(eo, "manager_id", ent_json_str(e->manager_id));
            json_t *sa = json_array();
            for (size_t k = 0; k < e->n_signals; k++)
                json_array_append_new(sa, json_pack("{s:o, s:o, s:o}", "kind", ent_json_str(e->signals[k]->kind),
                                                    "reason", ent_json_str(e->signals[k]->reason), "since",
                                                    ent_json_pbdate(e->signals[k]->since)));
            json_object_set_new(eo, "signals", sa);
            json_array_append_new(l, eo);
        }
        json_object_set_new(o, "flagged", l);
        json_object_set_new(o, "truncated", json_boolean(r->truncated));
        s_print_json(o);
    } else if (out == OUT_CSV) {
        static const char *const cols[] = { "employee_id", "entity", "department", "site", "manager_id", "kind",
                                            "since", "reason", NULL };
        s_csv_header(cols);
        for (size_t i = 0; i < r->n_flagged; i++) {
            const Entretiens__V1__SignalEmployee *e = r->flagged[i];
            for (size_t k = 0; k < e->n_signals; k++) {
                s_csv(e->employee_id, false);
                s_csv(e->entity, false);
                s_csv(e->department, false);
                s_csv(e->site, false);
                s_csv(e->manager_id, false);
                s_csv(e->signals[k]->kind, false);
                s_csv(s_date(e->signals[k]->since, d1), false);
                s_csv(e->signals[k]->reason, true);
            }
        }
    } else {
        printf("%" PRIu64 " employees on %s: low engagement %" PRIu64 ", wish to leave %" PRIu64
               ", no interview for %u months %" PRIu64 ", repeated overdue %" PRIu64 "\n",
               r->employees, ent_pbdate_str(r->today, d1), r->low_engagement, r->wish_to_leave, r->stale_months,
               r->no_interview, r->repeated_overdue);
        ctl_table_t *t = ctl_table_new("EMPLOYEE", "DEPARTMENT", "MANAGER", "SIGNAL", "REASON", NULL);
        for (size_t i = 0; i < r->n_flagged; i++) {
            const Entretiens__V1__SignalEmployee *e = r->flagged[i];
            for (size_t k = 0; k < e->n_signals; k++) {
                ctl_table_row(t);
                ctl_table_cell(t, k ? "" : e->employee_id, CTL_PLAIN);
                ctl_table_cell(t, k ? "" : e->department, CTL_PLAIN);
                ctl_table_cell(t, k ? "" : e->manager_id, CTL_PLAIN);
                ctl_table_cell(t, e->signals[k]->kind, CTL_YELLOW);
                ctl_table_cell(t, e->signals[k]->reason, CTL_PLAIN);
            }
        }
        s_table_print(ctl, t);
        if (r->truncated)
            fprintf(stderr, "(more employees: raise --limit)\n");
    }
    return CTL_OK;
}

/* ------------------------------------------------------------- managers */

static json_t *s_mgr_json(const Entretiens__V1__ManagerFigures *f, bool with_id)
{
    json_t *o = json_object();
    if (with_id)
        json_object_set_new(o, "manager_id", ent_json_str(f->manager_id));
    json_object_set_new(o, "overdue", json_integer((json_int_t) f->overdue));
    json_object_set_new(o, "upcoming", json_integer((json_int_t) f->upcoming));
    json_object_set_new(o, "awaiting_signature", json_integer((json_int_t) f->awaiting_signature));
    json_object_set_new(o, "awaiting_employee_signature", json_integer((json_int_t) f->awaiting_employee_signature));
    return o;
}

static int s_managers_out(ctl_t *ctl, s_out_t out, const Entretiens__V1__ManagersReply *r, bool detail)
{
    char d1[ENT_PBDATE_BUFLEN];
    if (out == OUT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "total", r->total ? s_mgr_json(r->total, false) : json_null());
        json_t *m = json_array();
        for (size_t i = 0; i < r->n_managers; i++)
            json_array_append_new(m, s_mgr_json(r->managers[i], true));
        json_object_set_new(o, "managers", m);
        json_t *it = json_array();
        for (size_t i = 0; i < r->n_items; i++) {
            const Entretiens__V1__ManagerItem *x = r->items[i];
            json_array_append_new(it, json_pack("{s:o, s:o, s:o, s:o, s:o}", "kind", ent_json_str(x->kind), "id",
                                                ent_json_str(x->id), "employee_id", ent_json_str(x->employee_id),
                                                "type", ent_json_str(x->type), "date", ent_json_pbdate(x->date)));
        }
        json_object_set_new(o, "items", it);
        json_object_set_new(o, "truncated", json_boolean(r->truncated));
        s_print_json(o);
    } else if (out == OUT_CSV && detail) {
        static const char *const cols[] = { "kind", "id", "employee_id", "type", "date", NULL };
        s_csv_header(cols);
        for (size_t i = 0; i < r->n_items; i++) {
            const Entretiens__V1__ManagerItem *x = r->items[i];
            s_csv(x->kind, false);
            s_csv(x->id, false);
            s_csv(x->employee_id, false);
            s_csv(x->type, false);
            s_csv(s_date(x->date, d1), true);
        }
    } else if (out == OUT_CSV) {
        static const char *const cols[] = { "manager_id", "overdue", "upcoming", "awaiting_signature",
                                            "awaiting_employee_signature", NULL };
        s_csv_header(cols);
        for (size_t i = 0; i < r->n_managers; i++) {
            const Entretiens__V1__ManagerFigures *f = r->managers[i];
            s_csv(f->manager_id, false);
            s_csvf(false, "%" PRIu64, f->overdue);
            s_csvf(false, "%" PRIu64, f->upcoming);
            s_csvf(false, "%" PRIu64, f->awaiting_signature);
            s_csvf(true, "%" PRIu64, f->awaiting_employee_signature);
        }
    } else {
        ctl_table_t *t = ctl_table_new("MANAGER", "OVERDUE", "TO SIGN", "EMPLOYEE TO SIGN", "UPCOMING", NULL);
        for (size_t i = 0; i <= r->n_managers; i++) {
            const Entretiens__V1__ManagerFigures *f = i < r->n_managers ? r->managers[i] : r->total;
            if (!f || (i == r->n_managers && detail))
                break;
            ctl_table_row(t);
            ctl_table_cell(t, i < r->n_managers ? f->manager_id : "(total)", i < r->n_managers ? CTL_PLAIN : CTL_BOLD);
            ctl_table_cellf(t, f->overdue ? CTL_RED : CTL_PLAIN, "%" PRIu64, f->overdue);
            ctl_table_cellf(t, f->awaiting_signature ? CTL_YELLOW : CTL_PLAIN, "%" PRIu64, f->awaiting_signature);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->awaiting_employee_signature);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, f->upcoming);
        }
        s_table_print(ctl, t);
        if (detail && r->n_items) {
            printf("\n");
            t = ctl_table_new("WHAT", "DATE", "EMPLOYEE", "TYPE", "ID", NULL);
            for (size_t i = 0; i < r->n_items; i++) {
                const Entretiens__V1__ManagerItem *x = r->items[i];
                ctl_table_row(t);
                ctl_table_cell(t, x->kind, strcmp(x->kind, "overdue") == 0 ? CTL_RED
                                           : strcmp(x->kind, "upcoming") == 0 ? CTL_PLAIN
                                                                              : CTL_YELLOW);
                ctl_table_cell(t, s_date(x->date, d1), CTL_PLAIN);
                ctl_table_cell(t, x->employee_id, CTL_PLAIN);
                ctl_table_cell(t, x->type, CTL_PLAIN);
                ctl_table_cell(t, x->id, CTL_DIM);
            }
            s_table_print(ctl, t);
        }
        if (r->truncated)
            fprintf(stderr, "(more: raise --limit)\n");
    }
    return CTL_OK;
}

/* -------------------------------------------------------------- command */

static const struct {
    const char *name, *method;
} s_kinds[] = {
    { "completion", "analytics.completion" },     { "compliance", "analytics.compliance" },
    { "training", "analytics.training" },         { "mobility", "analytics.mobility" },
    { "competencies", "analytics.competencies" }, { "ratings", "analytics.ratings" },
    { "objectives", "analytics.objectives" },     { "signals", "analytics.signals" },
    { "managers", "analytics.managers" },
};

int ctl_cmd_stats(ctl_t *ctl, int argc, char **argv)
{
    if (argc < 2)
        return ctl_usage(USAGE);
    int kind = -1;
    for (size_t i = 0; i < sizeof s_kinds / sizeof *s_kinds; i++)
        if (strcmp(argv[1], s_kinds[i].name) == 0)
            kind = (int) i;
    if (kind < 0) {
        ctl_bad("stats", "unknown figures '%s'", argv[1]);
        return ctl_usage(USAGE);
    }
    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    Entretiens__V1__Date from, to;
    bool csv = false, list = false;
    const char *entity = NULL, *department = NULL, *site = NULL, *manager = NULL, *type = NULL, *by = NULL,
               *topic = NULL, *status_s = NULL, *kind_s = NULL, *limit = NULL, *within = NULL, *stale = NULL,
               *from_s = NULL, *to_s = NULL;
    ctl_opt_t opts[] = {
        CTL_OPT("--entity", &entity),     CTL_OPT("--department", &department), CTL_OPT("--site", &site),
        CTL_OPT("--manager", &manager),   CTL_OPT("--type", &type),             CTL_OPT("--by", &by),
        CTL_OPT("--topic", &topic),       CTL_OPT("--status", &status_s),         CTL_OPT("--kind", &kind_s),
        CTL_OPT("--limit", &limit),       CTL_OPT("--within", &within),         CTL_OPT("--stale-months", &stale),
        CTL_OPT("--from", &from_s),       CTL_OPT("--to", &to_s),               CTL_FLAG("--list", &list),
        CTL_FLAG("--csv", &csv),
    };
    if (ctl_args_parse("stats", USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, NULL, 0, NULL))
        return CTL_USAGE;
    if (status_s && kind_s) /* --kind is the signals' name for --status */
        return ctl_bad("stats", "--kind given twice (it is --status under another name)");
    struct {
        const char *v;
        char **field;
    } strs[] = { { entity, &q.entity }, { department, &q.department }, { site, &q.site }, { manager, &q.manager_id },
                 { type, &q.type }, { by, &q.group_by }, { topic, &q.topic }, { status_s ? status_s : kind_s, &q.status } };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        if (strs[i].v)
            *strs[i].field = (char *) strs[i].v;
    if ((limit && s_uint_arg("--limit", limit, 10000, &q.limit)) ||
        (within && s_uint_arg("--within", within, 3660, &q.within_days)) ||
        (stale && s_uint_arg("--stale-months", stale, 1200, &q.stale_months)))
        return CTL_USAGE;
    q.list = list;
    if (from_s) {
        if (s_month_arg("--from", from_s, &from))
            return CTL_USAGE;
        q.from = &from;
    }
    if (to_s) {
        if (s_month_arg("--to", to_s, &to))
            return CTL_USAGE;
        q.to = &to;
    }
    if (csv && ctl->json)
        return ctl_bad("stats", "--csv and --json are exclusive");
    s_out_t out = ctl->json ? OUT_JSON : csv ? OUT_CSV : OUT_TABLE;
    ent_rpc_result_t res;
    if (ctl_call(ctl, DAEMON, s_kinds[kind].method, &q.base, &res) != 0)
        return CTL_FAILED;
    int status = CTL_FAILED;
    const char *method = s_kinds[kind].method;
    switch (kind) {
    case 0: {
        Entretiens__V1__CompletionReply *r = entretiens__v1__completion_reply__unpack(NULL, res.payload_len, res.payload);
        if (r) {
            status = s_completion_out(ctl, out, r);
            entretiens__v1__completion_reply__free_unpacked(r, NULL);
        }
        break;
    }
    case 1: {
        Entretiens__V1__ComplianceReply *r = entretiens__v1__compliance_reply__unpack(NULL, res.payload_len, res.payload);
        if (r) {
            status = s_compliance_out(ctl, out, r, q.list);
            entretiens__v1__compliance_reply__free_unpacked(r, NULL);
        }
        break;
    }
    case 7: {
        Entretiens__V1__SignalsReply *r = entretiens__v1__signals_reply__unpack(NULL, res.payload_len, res.payload);
        if (r) {
            status = s_signals_out(ctl, out, r);
            entretiens__v1__signals_reply__free_unpacked(r, NULL);
        }
        break;
    }
    case 8: {
        Entretiens__V1__ManagersReply *r = entretiens__v1__managers_reply__unpack(NULL, res.payload_len, res.payload);
        if (r) {
            status = s_managers_out(ctl, out, r, q.manager_id && *q.manager_id);
            entretiens__v1__managers_reply__free_unpacked(r, NULL);
        }
        break;
    }
    default: {
        Entretiens__V1__AnswersReply *r = entretiens__v1__answers_reply__unpack(NULL, res.payload_len, res.payload);
        if (r) {
            static const s_akind_t map[] = { [2] = A_TRAINING, [3] = A_MOBILITY, [4] = A_COMPETENCIES,
                                             [5] = A_RATINGS, [6] = A_OBJECTIVES };
            status = s_answers_out(ctl, out, map[kind], r);
            entretiens__v1__answers_reply__free_unpacked(r, NULL);
        }
        break;
    }
    }
    if (status == CTL_FAILED)
        fprintf(stderr, "entretiensctl: %s %s: the reply cannot be read\n", DAEMON, method);
    ent_rpc_result_clear(&res);
    return status;
}

const char *ctl_analytics_details(const char *command)
{
    if (strcmp(command, "stats") != 0)
        return NULL;
    return "figures (docs/analytics.md defines each one):\n"
           "  completion    obligations owed / met / overdue / lapsed, interviews scheduled / held / signed, rates\n"
           "  compliance    professional-interview status per employee (up to date, due soon, overdue), the\n"
           "                overdue deadlines of every type, and the EUR 3,000 CPF top-ups per entity: owed\n"
           "                (recap deadline passed) and at risk (ahead)   [--within DAYS] [--list]\n"
           "                [--status overdue|due_soon|at_risk|owed]\n"
           "  training      training needs by theme, priority, modality\n"
           "  mobility      mobility wishes by kind and horizon (and how many wish to leave)\n"
           "  competencies  expected vs assessed levels per competency\n"
           "  ratings       per question: answers, mean, histogram                  [--topic T]\n"
           "  objectives    objectives set, reviewed, attainment\n"
           "  signals       disengagement signals with their reasons (HR, admin)   [--kind K] [--stale-months N]\n"
           "  managers      per manager: overdue, to sign; with --manager M, the items\n"
           "\n"
           "filters: --entity E, --department D, --site S, --manager M: one of them, or --entity with\n"
           "         --department, or --entity with --site.  --type T (interview type), --from/--to YYYY-MM\n"
           "         (whole months: due month for completion, held month for answers).\n"
           "--by     entity | department | site | type | month: one row per group.\n"
           "answer figures (training, mobility, competencies, ratings, objectives) of a group with fewer\n"
           "respondents than the daemon's minimum group (ENTRETIENS_ANALYTICS_MIN_GROUP, 5) are\n"
           "reported as suppressed.\n"
           "output:  a table; --json (docs/cli.md); --csv (one table, header line first)\n"
           "exit:    0 done, 1 refused (PERMISSION_DENIED, INVALID_ARGUMENT) or daemon error, 2 usage\n";
}
