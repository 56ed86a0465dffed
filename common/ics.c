/*  ics.c — the shared calendar as iCalendar through libical (see ics.h). */
#include "common/ics.h"
#include "common/pbdate.h"

#include "common/event_json.h"

#include "common/date.h"

#include <libical/ical.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ICS_UID_DOMAIN "@entretiens"
#define ICS_SEQ_EPOCH_MS 1577836800000LL /* 2020-01-01T00:00:00Z */

struct ics_cal {
    icalcomponent *root;
    ics_lang_t lang;
    struct icaltimetype stamp;
    size_t count;
};

/* ------------------------------------------------------------- wording */

static const struct {
    const char *type, *fr, *en;
} s_types[] = {
    { "professional", "Entretien professionnel", "Professional interview" },
    { "professional_recap", "Entretien professionnel récapitulatif (état des lieux)",
      "Professional recap interview (état des lieux)" },
    { "professional_return", "Entretien professionnel de retour", "Return professional interview" },
    { "professional_mid_career", "Entretien professionnel de mi-carrière", "Mid-career professional interview" },
    { "professional_end_of_career", "Entretien professionnel de fin de carrière",
      "End-of-career professional interview" },
    { "annual_review", "Entretien annuel d'évaluation", "Annual review" },
    { "return_to_work", "Entretien de reprise", "Return-to-work interview" },
    { "return_medical_visit", "Visite médicale de reprise", "Return-to-work medical visit" },
    { "internal_mobility", "Entretien de mobilité interne", "Internal mobility interview" },
    { "end_of_trial", "Entretien de fin de période d'essai", "End-of-trial interview" },
    { "end_of_contract", "Entretien de fin de contrat", "End-of-contract interview" },
    { "workload_review", "Entretien sur la charge de travail (forfait jours)", "Workload review (forfait jours)" },
    { "corrective", "Entretien de recadrage", "Corrective interview" },
};

/* Labels, indexed by language. */
typedef struct {
    const char *calname, *overdue_tag, *cancelled_tag, *deadline, *interview, *upcoming, *overdue, *rule, *due,
        *window, *status, *employee, *manager, *interviewer, *entity, *department, *site, *penalty, *reference,
        *place, *video, *duration;
    const char *sep; /* between a label and its value: French puts a space before the colon */
} s_words_t;

static const s_words_t s_words[2] = {
    [ICS_LANG_FR] = { "Entretiens — échéances et rendez-vous", "[EN RETARD] ", "[ANNULÉ] ", "Échéance",
                      "Entretien planifié", "À venir", "En retard", "Règle", "Échéance", "Possible à partir du",
                      "Statut", "Salarié", "Manager", "Conduit par", "Entité", "Service", "Site",
                      "Pénalité encourue (EUR)", "Référence", "Lieu", "Visio", "Durée (min)", " : " },
    [ICS_LANG_EN] = { "Interviews — deadlines and meetings", "[OVERDUE] ", "[CANCELLED] ", "Deadline",
                      "Scheduled interview", "Upcoming", "Overdue", "Rule", "Due", "Can be held from", "Status",
                      "Employee", "Manager", "Interviewer", "Entity", "Department", "Site", "Exposure (EUR)",
                      "Reference", "Place", "Video", "Duration (min)", ": " },
};

int ics_lang_parse(const char *text, ics_lang_t *out)
{
    if (text && strcasecmp(text, "fr") == 0)
        *out = ICS_LANG_FR;
    else if (text && strcasecmp(text, "en") == 0)
        *out = ICS_LANG_EN;
    else
        return -1;
    return 0;
}

const char *ics_type_title(const char *type, ics_lang_t lang)
{
    if (!type)
        return "";
    for (size_t i = 0; i < sizeof s_types / sizeof *s_types; i++)
        if (strcmp(s_types[i].type, type) == 0)
            return lang == ICS_LANG_EN ? s_types[i].en : s_types[i].fr;
    return type;
}

int ics_uid(const char *id, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    if (size)
        out[0] = '\0';
    if (!id || !*id || size == 0)
        return -1;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *) id; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                     *p == '_' || *p == '-';
        size_t need = plain ? 1 : 3;
        if (o + need >= size)
            goto fail;
        if (plain) {
            out[o++] = (char) *p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (o + sizeof ICS_UID_DOMAIN > size)
        goto fail;
    memcpy(out + o, ICS_UID_DOMAIN, sizeof ICS_UID_DOMAIN);
    return 0;
fail:
    out[0] = '\0';
    return -1;
}

/* ------------------------------------------------------------- helpers */

/* Text safe for iCalendar, which allows no control character but tab in
 * TEXT (RFC 5545 §3.3.11; a line break is written "\n" by libical):
 * ill-formed UTF-8 becomes U+FFFD, controls a space, line breaks too unless
 * newlines.  malloc'd, NULL when out of memory. */
static char *s_clean_text(const char *s, bool newlines)
{
    char *out = ent_utf8_sanitize(s ? s : "", s ? strlen(s) : 0, false);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; out[i]; i++) {
        unsigned char c = (unsigned char) out[i];
        if (c == 0xc2 && (unsigned char) out[i + 1] >= 0x80 && (unsigned char) out[i + 1] <= 0x9f) {
            out[o++] = ' '; /* a C1 control (U+0080-U+009F) */
            i++;
        } else if ((c < 0x20 && c != '\t' && !(newlines && c == '\n')) || c == 0x7f) {
            out[o++] = ' ';
        } else {
            out[o++] = (char) c;
        }
    }
    out[o] = '\0';
    return out;
}

static char *s_clean(const char *s)
{
    return s_clean_text(s, false);
}

static bool s_set(const char *s)
{
    return s && *s;
}

/* Adds prop to comp; -2 when prop is NULL (libical ran out of memory). */
static int s_add(icalcomponent *comp, icalproperty *prop)
{
    if (!prop)
        return -2;
    icalcomponent_add_property(comp, prop);
    return 0;
}

/* Adds a TEXT property built by ctor from a sanitised copy of text (line
 * breaks kept for DESCRIPTION only). */
static int s_add_text(icalcomponent *comp, icalproperty *(*ctor)(const char *), const char *text)
{
    char *clean = s_clean_text(text, ctor == icalproperty_new_description);
    if (!clean)
        return -2;
    int rc = s_add(comp, ctor(clean));
    free(clean);
    return rc;
}

static struct icaltimetype s_utc(int64_t unix_ms)
{
    return icaltime_from_timet_with_zone((time_t) (unix_ms / 1000), 0, icaltimezone_get_utc_timezone());
}

static struct icaltimetype s_day(int32_t day)
{
    struct icaltimetype t = icaltime_null_date();
    int y, m, d;
    ent_date_to_ymd(day, &y, &m, &d);
    t.year = y;
    t.month = m;
    t.day = d;
    t.is_date = 1;
    return t;
}

/* "<title> — <first> <last> (<id>)" (or "<title> — <id>" without a name)
 * written to m; the pieces are sanitised later with the whole text. */
static void s_title(FILE *m, const char *prefix, const char *type, ics_lang_t lang, const char *first, const char *last,
                    const char *id)
{
    fprintf(m, "%s%s — ", prefix, ics_type_title(type, lang));
    if (s_set(first) || s_set(last))
        fprintf(m, "%s%s%s (%s)", s_set(first) ? first : "", s_set(first) && s_set(last) ? " " : "",
                s_set(last) ? last : "", s_set(id) ? id : "?");
    else
        fputs(s_set(id) ? id : "?", m);
}

/* "label: value\n" when value is set. */
static void s_line(FILE *m, const s_words_t *w, const char *label, const char *value)
{
    if (s_set(value))
        fprintf(m, "%s%s%s\n", label, w->sep, value);
}

/* Closes a memstream and returns its text (NULL on failure).  The buffer
 * variable is only up to date after fclose: it is read through buf then. */
static char *s_close(FILE *m, char **buf)
{
    if (fclose(m) != 0) {
        free(*buf);
        *buf = NULL;
    }
    return *buf;
}

/* CATEGORIES: a comma-separated list of values (c may be NULL); a comma
 * inside a value would split it, so it becomes a space.  malloc'd. */
static char *s_categories(const char *a, const char *b, const char *c)
{
    char *out = NULL;
    if (asprintf(&out, "%s,%s%s%s", a, b, c ? "," : "", c ? c : "") < 0)
        return NULL;
    size_t la = strlen(a), lb = strlen(b);
    for (size_t i = 0; out[i]; i++)
        if (out[i] == ',' && i != la && i != la + 1 + lb)
            out[i] = ' ';
    return out;
}

/* Properties every entry has. */
static int s_common(ics_cal_t *cal, icalcomponent *ev, const char *id, int sequence)
{
    char uid[512];
    if (ics_uid(id, uid, sizeof uid) != 0)
        return -1;
    int rc = s_add(ev, icalproperty_new_uid(uid));
    if (!rc)
        rc = s_add(ev, icalproperty_new_dtstamp(cal->stamp));
    if (!rc)
        rc = s_add(ev, icalproperty_new_sequence(sequence));
    return rc;
}

/* ------------------------------------------------------------ calendar */

ics_cal_t *ics_cal_new(ics_lang_t lang, const char *name, int64_t stamp_ms)
{
    ics_cal_t *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    cal->lang = lang == ICS_LANG_EN ? ICS_LANG_EN : ICS_LANG_FR;
    cal->stamp = s_utc(stamp_ms);
    cal->root = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    if (!cal->root)
        goto fail;
    char *clean = s_clean(s_set(name) ? name : s_words[cal->lang].calname);
    icalproperty *x = clean ? icalproperty_new_x(clean) : NULL;
    free(clean);
    if (x)
        icalproperty_set_x_name(x, "X-WR-CALNAME");
    if (s_add(cal->root, icalproperty_new_version("2.0")) ||
        s_add(cal->root, icalproperty_new_prodid(cal->lang == ICS_LANG_EN ? "-//entretiens//calendar export//EN"
                                                                          : "-//entretiens//calendar export//FR")) ||
        s_add(cal->root, icalproperty_new_calscale("GREGORIAN")) ||
        s_add(cal->root, icalproperty_new_method(ICAL_METHOD_PUBLISH)) || s_add(cal->root, x))
        goto fail;
    return cal;
fail:
    ics_cal_destroy(&cal);
    return NULL;
}

/* "First Last (ID)", or the id alone. */
static void s_who(FILE *m, const s_words_t *w, const char *label, const ics_person_t *p)
{
    if (!p || (!s_set(p->id) && !s_set(p->name)))
        return;
    fprintf(m, "%s%s", label, w->sep);
    if (s_set(p->name))
        fprintf(m, "%s%s%s%s", p->name, s_set(p->id) ? " (" : "", s_set(p->id) ? p->id : "", s_set(p->id) ? ")" : "");
    else
        fputs(p->id, m);
    if (s_set(p->email))
        fprintf(m, " <%s>", p->email);
    fputc('\n', m);
}

int ics_cal_add_deadline(ics_cal_t *cal, const Entretiens__V1__Obligation *o)
{
    int32_t due = ent_pbdate_day(o->due_date);
    if (!s_set(o->obligation_id) || due == ENT_DATE_NONE)
        return -1;
    const s_words_t *w = &s_words[cal->lang];
    bool overdue = o->status && strcmp(o->status, "overdue") == 0;
    const char *type = ics_type_title(o->type, cal->lang);
    char *summary = NULL, *desc = NULL, *cats = NULL;
    size_t len;
    int rc = -2;
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    if (!ev)
        return -2;

    FILE *m = open_memstream(&summary, &len);
    if (!m)
        goto fail;
    s_title(m, overdue ? w->overdue_tag : "", o->type, cal->lang, o->first_name, o->last_name, o->employee_id);
    if (!s_close(m, &summary))
        goto fail;

    /* DESCRIPTION: why it is owed first (what a reader needs), then the
     * facts an HR officer looks up */
    if (!(m = open_memstream(&desc, &len)))
        goto fail;
    if (s_set(o->reason))
        fprintf(m, "%s\n\n", o->reason);
    char dbuf[ENT_DATE_STRLEN], wbuf[ENT_DATE_STRLEN], nbuf[32];
    s_line(m, w, w->due, ent_date_format(due, dbuf));
    int32_t win = ent_pbdate_day(o->window_start);
    s_line(m, w, w->window, win == ENT_DATE_NONE ? NULL : ent_date_format(win, wbuf));
    s_line(m, w, w->status, overdue ? w->overdue : s_set(o->status) && strcmp(o->status, "upcoming") != 0 ? o->status
                                                                                                        : w->upcoming);
    if (s_set(o->rule))
        fprintf(m, "%s%s%s%s%s%s\n", w->rule, w->sep, o->rule, s_set(o->basis) ? " (" : "", s_set(o->basis) ? o->basis : "",
                s_set(o->basis) ? ")" : "");
    if (o->penalty_eur > 0) {
        snprintf(nbuf, sizeof nbuf, "%d", o->penalty_eur);
        s_line(m, w, w->penalty, nbuf);
    }
    char *name = NULL;
    if (asprintf(&name, "%s%s%s", s_set(o->first_name) ? o->first_name : "",
                 s_set(o->first_name) && s_set(o->last_name) ? " " : "", s_set(o->last_name) ? o->last_name : "") < 0) {
        fclose(m);
        free(desc);
        desc = NULL;
        goto fail;
    }
    ics_person_t emp = { o->employee_id, name, NULL };
    s_who(m, w, w->employee, &emp);
    free(name);
    s_line(m, w, w->manager, o->manager_id);
    s_line(m, w, w->entity, o->entity);
    s_line(m, w, w->department, o->department);
    s_line(m, w, w->site, o->site);
    s_line(m, w, w->reference, o->obligation_id);
    if (!s_close(m, &desc))
        goto fail;

    if (!(cats = s_categories(w->deadline, type, overdue ? w->overdue : w->upcoming)))
        goto fail;

    struct icaltimetype start = s_day(due), end = s_day(due + 1);
    rc = s_common(cal, ev, o->obligation_id, 0);
    if (!rc)
        rc = s_add(ev, icalproperty_new_dtstart(start));
    if (!rc)
        rc = s_add(ev, icalproperty_new_dtend(end));
    if (!rc)
        rc = s_add_text(ev, icalproperty_new_summary, summary);
    if (!rc)
        rc = s_add_text(ev, icalproperty_new_description, desc);
    if (!rc)
        rc = s_add_text(ev, icalproperty_new_categories, cats);
    if (!rc)
        rc = s_add(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
    if (!rc)
        rc = s_add(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
    if (rc)
        goto fail;
    icalcomponent_add_component(cal->root, ev);
    cal->count++;
    free(summary);
    free(desc);
    free(cats);
    return 0;
fail:
    icalcomponent_free(ev);
    free(summary);
    free(desc);
    free(cats);
    return rc == -1 ? -1 : -2;
}

/* "mailto:" + address, or NULL when there is none (or out of memory). */
static char *s_mailto(const char *email)
{
    if (!s_set(email))
        return NULL;
    char *clean = s_clean(email), *out = NULL;
    if (clean && asprintf(&out, "mailto:%s", clean) < 0)
        out = NULL;
    free(clean);
    return out;
}

/* ORGANIZER or ATTENDEE with CN when the person has an address. */
static int s_person(icalcomponent *ev, const ics_person_t *p, bool organizer)
{
    if (!p || !s_set(p->email))
        return 0;
    char *mailto = s_mailto(p->email);
    if (!mailto)
        return -2;
    icalproperty *prop = organizer ? icalproperty_new_organizer(mailto) : icalproperty_new_attendee(mailto);
    free(mailto);
    if (!prop)
        return -2;
    if (s_set(p->name)) {
        char *cn = s_clean(p->name);
        /* a double quote cannot appear in a quoted parameter value (RFC
         * 5545 §3.1: QSAFE-CHAR); an apostrophe reads the same */
        for (char *c = cn; c && *c; c++)
            if (*c == '"')
                *c = '\'';
        icalparameter *par = cn ? icalparameter_new_cn(cn) : NULL;
        free(cn);
        if (!par) {
            icalproperty_free(prop);
            return -2;
        }
        icalproperty_add_parameter(prop, par);
    }
    if (!organizer) {
        icalparameter *role = icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT);
        if (!role) {
            icalproperty_free(prop);
            return -2;
        }
        icalproperty_add_parameter(prop, role);
    }
    icalcomponent_add_property(ev, prop);
    return 0;
}

int ics_cal_add_interview(ics_cal_t *cal, const Entretiens__V1__Interview *iv, const ics_person_t *employee,
                          const ics_person_t *interviewer)
{
    if (!s_set(iv->id) || iv->scheduled_start_ms == 0)
        return -1;
    const s_words_t *w = &s_words[cal->lang];
    bool cancelled = iv->status && strcmp(iv->status, "cancelled") == 0;
    uint32_t minutes = iv->duration_min ? iv->duration_min : 60;
    /* the employee's name as records knows it when the caller has none */
    char *fullname = NULL;
    if (asprintf(&fullname, "%s%s%s", s_set(iv->first_name) ? iv->first_name : "",
                 s_set(iv->first_name) && s_set(iv->last_name) ? " " : "", s_set(iv->last_name) ? iv->last_name : "") < 0)
        return -2;
    ics_person_t emp = { iv->employee_id, fullname, NULL }, itv = { iv->manager_id, NULL, NULL };
    if (employee) {
        emp.email = employee->email;
        if (s_set(employee->name))
            emp.name = employee->name;
    }
    if (interviewer) {
        itv.email = interviewer->email;
        itv.name = interviewer->name;
    }
    char *summary = NULL, *desc = NULL, *cats = NULL, dbuf[ENT_DATE_STRLEN], nbuf[16];
    size_t len;
    int rc = -2;
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    if (!ev) {
        free(fullname);
        return -2;
    }
    FILE *m = open_memstream(&summary, &len);
    if (!m)
        goto fail;
    /* the title carries the names of the summary line of a deadline */
    fprintf(m, "%s%s — ", cancelled ? w->cancelled_tag : "", ics_type_title(iv->type, cal->lang));
    if (s_set(emp.name))
        fprintf(m, "%s (%s)", emp.name, s_set(iv->employee_id) ? iv->employee_id : "?");
    else
        fputs(s_set(iv->employee_id) ? iv->employee_id : "?", m);
    if (!s_close(m, &summary))
        goto fail;

    if (!(m = open_memstream(&desc, &len)))
        goto fail;
    if (s_set(iv->title))
        fprintf(m, "%s\n\n", iv->title);
    s_who(m, w, w->employee, &emp);
    s_who(m, w, w->interviewer, &itv);
    s_line(m, w, w->place, iv->place);
    s_line(m, w, w->video, iv->video_link);
    snprintf(nbuf, sizeof nbuf, "%u", minutes);
    s_line(m, w, w->duration, nbuf);
    int32_t due = ent_pbdate_day(iv->due_date);
    s_line(m, w, w->due, due == ENT_DATE_NONE ? NULL : ent_date_format(due, dbuf));
    s_line(m, w, w->status, iv->status);
    s_line(m, w, w->entity, iv->entity);
    s_line(m, w, w->department, iv->department);
    s_line(m, w, w->site, iv->site);
    s_line(m, w, w->reference, iv->id);
    if (!s_close(m, &desc))
        goto fail;
    if (!(cats = s_categories(w->interview, ics_type_title(iv->type, cal->lang), NULL)))
        goto fail;

    /* each change in records moves updated_at forward: a later export of a
     * rescheduled interview carries a higher SEQUENCE */
    int64_t seq = iv->updated_at_ms > ICS_SEQ_EPOCH_MS ? (iv->updated_at_ms - ICS_SEQ_EPOCH_MS) / 60000 : 0;
    rc = s_common(cal, ev, iv->id, seq > INT_MAX ? INT_MAX : (int) seq);
    if (!rc)
        rc = s_add(ev, icalproperty_new_dtstart(s_utc(iv->scheduled_start_ms)));
    if (!rc)
        rc = s_add(ev, icalproperty_new_dtend(s_utc(iv->scheduled_start_ms + (int64_t) minutes * 60000)));
    if (!rc)
        rc = s_add_text(ev, icalproperty_new_summary, summary);
    if (!rc)
        rc = s_add_text(ev, icalproperty_new_description, desc);
    if (!rc)
        rc = s_add_text(ev, icalproperty_new_categories, cats);
    if (!rc && (s_set(iv->place) || s_set(iv->video_link)))
        rc = s_add_text(ev, icalproperty_new_location, s_set(iv->place) ? iv->place : iv->video_link);
    if (!rc && s_set(iv->video_link))
        rc = s_add_text(ev, icalproperty_new_url, iv->video_link);
    if (!rc && iv->updated_at_ms > 0)
        rc = s_add(ev, icalproperty_new_lastmodified(s_utc(iv->updated_at_ms)));
    if (!rc)
        rc = s_add(ev, icalproperty_new_status(cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    if (!rc)
        rc = s_add(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
    if (!rc)
        rc = s_person(ev, &itv, true);
    if (!rc)
        rc = s_person(ev, &emp, false);
    if (rc)
        goto fail;
    icalcomponent_add_component(cal->root, ev);
    cal->count++;
    free(fullname);
    free(summary);
    free(desc);
    free(cats);
    return 0;
fail:
    icalcomponent_free(ev);
    free(fullname);
    free(summary);
    free(desc);
    free(cats);
    return rc == -1 ? -1 : -2;
}

size_t ics_cal_count(const ics_cal_t *cal)
{
    return cal ? cal->count : 0;
}

char *ics_cal_text(const ics_cal_t *cal)
{
    return cal && cal->root ? icalcomponent_as_ical_string_r(cal->root) : NULL;
}

void ics_text_free(char *text)
{
    if (text)
        icalmemory_free_buffer(text);
}

void ics_cal_destroy(ics_cal_t **cal_p)
{
    if (!cal_p || !*cal_p)
        return;
    if ((*cal_p)->root)
        icalcomponent_free((*cal_p)->root);
    free(*cal_p);
    *cal_p = NULL;
}
