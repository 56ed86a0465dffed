/*  Unit tests of services/ctl/ics: calendars built from Obligation and
 *  Interview messages, serialised, then parsed back with libical: the
 *  number of events, UIDs (stable across exports), all-day dates, timed
 *  interviews with their people, titles in both languages, and the form
 *  calendar clients need (CRLF, folding, PUBLISH). */
#include "common/ics.h"
#include "common/event_json.h"

#include <criterion/criterion.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAMP_MS 1774915200000LL /* 2026-03-31T00:00:00Z */

typedef struct {
    Entretiens__V1__Obligation o;
    Entretiens__V1__Date due, win;
} s_obl_t;

static void s_obl(s_obl_t *x, const char *id, const char *emp, const char *type, int y, int m, int d, const char *status)
{
    memset(x, 0, sizeof *x);
    entretiens__v1__obligation__init(&x->o);
    entretiens__v1__date__init(&x->due);
    entretiens__v1__date__init(&x->win);
    x->due.year = y, x->due.month = m, x->due.day = d;
    x->win.year = y - 1, x->win.month = m, x->win.day = 1;
    x->o.obligation_id = (char *) id;
    x->o.employee_id = (char *) emp;
    x->o.type = (char *) type;
    x->o.due_date = &x->due;
    x->o.window_start = &x->win;
    x->o.status = (char *) status;
    x->o.actionable = true;
    x->o.rule = "epp.first.2025";
    x->o.basis = "Code du travail L6315-1";
    x->o.reason = "Hired 2026-02-02: first professional interview due within one year";
    x->o.first_name = "Claire";
    x->o.last_name = "Martin";
    x->o.manager_id = "M1";
    x->o.entity = "ACME-FR";
}

/* Three deadlines: one overdue, one on the last day of a year. */
static ics_cal_t *s_build(ics_lang_t lang, int64_t stamp, bool reversed)
{
    static s_obl_t a, b, c;
    s_obl(&a, "E000123/professional/2026-02-02", "E000123", "professional", 2027, 2, 2, "upcoming");
    s_obl(&b, "E000124/end_of_trial/2026-09-01", "E000124", "end_of_trial", 2026, 12, 31, "upcoming");
    s_obl(&c, "E000125/annual_review/campaign-ar-2026", "E000125", "annual_review", 2026, 3, 1, "overdue");
    b.o.first_name = "Paul";
    b.o.last_name = "Petit";
    c.o.first_name = c.o.last_name = NULL;
    ics_cal_t *cal = ics_cal_new(lang, "Test", stamp);
    cr_assert_not_null(cal);
    const Entretiens__V1__Obligation *list[] = { &a.o, &b.o, &c.o };
    for (int i = 0; i < 3; i++)
        cr_assert_eq(ics_cal_add_deadline(cal, list[reversed ? 2 - i : i]), 0);
    cr_assert_eq(ics_cal_count(cal), 3);
    return cal;
}

/* The text of cal parsed back (the caller frees both). */
static icalcomponent *s_roundtrip(ics_cal_t *cal, char **text)
{
    *text = ics_cal_text(cal);
    cr_assert_not_null(*text);
    icalcomponent *root = icalparser_parse_string(*text);
    cr_assert_not_null(root, "libical cannot parse its own output");
    cr_assert_eq(icalcomponent_isa(root), ICAL_VCALENDAR_COMPONENT);
    return root;
}

static icalcomponent *s_event(icalcomponent *root, const char *uid)
{
    for (icalcomponent *e = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); e;
         e = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
        if (strcmp(icalcomponent_get_uid(e), uid) == 0)
            return e;
    cr_assert_fail("no event %s", uid);
    return NULL;
}

static size_t s_count(icalcomponent *root, icalcomponent_kind kind)
{
    return (size_t) icalcomponent_count_components(root, kind);
}

/* Every CATEGORIES value of e, joined by '|'. */
static void s_categories(icalcomponent *e, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (icalproperty *p = icalcomponent_get_first_property(e, ICAL_CATEGORIES_PROPERTY); p && o < size;
         p = icalcomponent_get_next_property(e, ICAL_CATEGORIES_PROPERTY))
        o += (size_t) snprintf(out + o, size - o, "%s|", icalproperty_get_categories(p));
}

Test(ics, deadlines_are_all_day_events_on_their_due_date)
{
    ics_cal_t *cal = s_build(ICS_LANG_FR, STAMP_MS, false);
    char *text;
    icalcomponent *root = s_roundtrip(cal, &text);
    cr_assert_eq(s_count(root, ICAL_VEVENT_COMPONENT), 3);
    cr_assert_eq(s_count(root, ICAL_VTODO_COMPONENT), 0);

    icalcomponent *e = s_event(root, "E000123%2Fprofessional%2F2026-02-02@entretiens");
    struct icaltimetype s = icalcomponent_get_dtstart(e), t = icalcomponent_get_dtend(e);
    cr_assert(s.is_date, "DTSTART is a DATE (all day)");
    cr_assert(t.is_date, "DTEND is a DATE");
    cr_assert_eq(s.year, 2027);
    cr_assert_eq(s.month, 2);
    cr_assert_eq(s.day, 2);
    cr_assert_eq(t.year, 2027);
    cr_assert_eq(t.month, 2);
    cr_assert_eq(t.day, 3);
    cr_assert_str_eq(icalcomponent_get_summary(e), "Entretien professionnel — Claire Martin (E000123)");
    cr_assert(strstr(icalcomponent_get_description(e), "first professional interview due within one year"),
              "the reason is in the description");
    cr_assert(strstr(icalcomponent_get_description(e), "epp.first.2025"), "and the rule");
    cr_assert(strstr(icalcomponent_get_description(e), "E000123/professional/2026-02-02"), "and the obligation id");
    icalproperty *tr = icalcomponent_get_first_property(e, ICAL_TRANSP_PROPERTY);
    cr_assert_not_null(tr);
    cr_assert_eq(icalproperty_get_transp(tr), ICAL_TRANSP_TRANSPARENT, "a deadline blocks nobody's time");
    icalproperty *seq = icalcomponent_get_first_property(e, ICAL_SEQUENCE_PROPERTY);
    cr_assert_not_null(seq);
    cr_assert_eq(icalproperty_get_sequence(seq), 0);
    struct icaltimetype st = icalcomponent_get_dtstamp(e);
    cr_assert_eq(st.year, 2026);
    cr_assert_eq(st.month, 3);
    cr_assert_eq(st.day, 31);

    /* the last day of a year ends on the first of the next */
    e = s_event(root, "E000124%2Fend_of_trial%2F2026-09-01@entretiens");
    t = icalcomponent_get_dtend(e);
    cr_assert_eq(t.year, 2027);
    cr_assert_eq(t.month, 1);
    cr_assert_eq(t.day, 1);
    cr_assert_str_eq(icalcomponent_get_summary(e), "Entretien de fin de période d'essai — Paul Petit (E000124)");

    /* overdue: in the title and the categories; no name: the id alone */
    e = s_event(root, "E000125%2Fannual_review%2Fcampaign-ar-2026@entretiens");
    cr_assert_str_eq(icalcomponent_get_summary(e), "[EN RETARD] Entretien annuel d'évaluation — E000125");
    char cats[512];
    s_categories(e, cats, sizeof cats);
    cr_assert(strstr(cats, "En retard"), "categories: %s", cats);
    cr_assert(strstr(cats, "Échéance"), "categories: %s", cats);
    s_categories(s_event(root, "E000123%2Fprofessional%2F2026-02-02@entretiens"), cats, sizeof cats);
    cr_assert_null(strstr(cats, "En retard"), "an upcoming deadline is not overdue: %s", cats);
    icalcomponent_free(root);
    ics_text_free(text);
    ics_cal_destroy(&cal);
}

Test(ics, english_titles_and_every_type_named_in_both_languages)
{
    ics_cal_t *cal = s_build(ICS_LANG_EN, STAMP_MS, false);
    char *text;
    icalcomponent *root = s_roundtrip(cal, &text);
    cr_assert_str_eq(icalcomponent_get_summary(s_event(root, "E000123%2Fprofessional%2F2026-02-02@entretiens")),
                     "Professional interview — Claire Martin (E000123)");
    cr_assert_str_eq(
        icalcomponent_get_summary(s_event(root, "E000125%2Fannual_review%2Fcampaign-ar-2026@entretiens")),
        "[OVERDUE] Annual review — E000125");
    cr_assert(strstr(icalcomponent_get_description(s_event(root, "E000123%2Fprofessional%2F2026-02-02@entretiens")),
                     "Due: 2027-02-02"));
    icalproperty *x = icalcomponent_get_first_property(root, ICAL_X_PROPERTY);
    cr_assert_not_null(x);
    cr_assert_str_eq(icalproperty_get_x_name(x), "X-WR-CALNAME");
    cr_assert_str_eq(icalproperty_get_x(x), "Test");
    icalcomponent_free(root);
    ics_text_free(text);
    ics_cal_destroy(&cal);

    static const char *const types[] = { "professional", "professional_recap", "professional_return",
                                         "professional_mid_career", "professional_end_of_career", "annual_review",
                                         "return_to_work", "return_medical_visit", "internal_mobility",
                                         "end_of_trial", "end_of_contract", "workload_review", "corrective" };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        const char *fr = ics_type_title(types[i], ICS_LANG_FR), *en = ics_type_title(types[i], ICS_LANG_EN);
        cr_assert_str_neq(fr, types[i], "%s has a French title", types[i]);
        cr_assert_str_neq(en, types[i], "%s has an English title", types[i]);
        cr_assert_str_neq(fr, en, "%s: the titles differ", types[i]);
        cr_assert_null(strchr(fr, ','), "titles go in CATEGORIES, where ',' separates values");
        cr_assert_null(strchr(en, ','));
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(fr, ics_type_title(types[j], ICS_LANG_FR), "two types share a title");
    }
    cr_assert_str_eq(ics_type_title("brand_new_type", ICS_LANG_FR), "brand_new_type");
    ics_lang_t l;
    cr_assert_eq(ics_lang_parse("EN", &l), 0);
    cr_assert_eq(l, ICS_LANG_EN);
    cr_assert_eq(ics_lang_parse("de", &l), -1);
}

/* The sorted UIDs of a calendar's events, joined. */
static char *s_uids(icalcomponent *root)
{
    const char *u[16];
    size_t n = 0;
    for (icalcomponent *e = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); e && n < 16;
         e = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
        u[n++] = icalcomponent_get_uid(e);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(u[j - 1], u[j]) > 0; j--) {
            const char *t = u[j];
            u[j] = u[j - 1];
            u[j - 1] = t;
        }
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < n; i++)
        strcat(strcat(out, u[i]), " ");
    return out;
}

Test(ics, uids_are_stable_across_exports)
{
    /* a later export: another instant, another order, another language */
    ics_cal_t *a = s_build(ICS_LANG_FR, STAMP_MS, false), *b = s_build(ICS_LANG_EN, STAMP_MS + 86400000LL * 30, true);
    char *ta, *tb;
    icalcomponent *ra = s_roundtrip(a, &ta), *rb = s_roundtrip(b, &tb);
    char *ua = s_uids(ra), *ub = s_uids(rb);
    cr_assert_str_eq(ua, ub);
    cr_assert(strstr(ua, "E000124%2Fend_of_trial%2F2026-09-01@entretiens"));
    cr_assert_str_neq(ta, tb, "the exports differ (DTSTAMP, titles) but not their UIDs");
    struct icaltimetype sa = icalcomponent_get_dtstamp(icalcomponent_get_first_component(ra, ICAL_VEVENT_COMPONENT));
    struct icaltimetype sb = icalcomponent_get_dtstamp(icalcomponent_get_first_component(rb, ICAL_VEVENT_COMPONENT));
    cr_assert_gt(icaltime_compare(sb, sa), 0, "the later export has the later DTSTAMP: it supersedes");
    /* the same state at the same instant gives the same bytes */
    ics_cal_t *c = s_build(ICS_LANG_FR, STAMP_MS, false);
    char *tc = ics_cal_text(c);
    cr_assert_str_eq(ta, tc);
    free(ua), free(ub);
    icalcomponent_free(ra), icalcomponent_free(rb);
    ics_text_free(ta), ics_text_free(tb), ics_text_free(tc);
    ics_cal_destroy(&a), ics_cal_destroy(&b), ics_cal_destroy(&c);
}

Test(ics, uids_are_escaped_and_distinct)
{
    char a[128], b[128], c[16];
    cr_assert_eq(ics_uid("E1/professional/2026-01-05", a, sizeof a), 0);
    cr_assert_str_eq(a, "E1%2Fprofessional%2F2026-01-05@entretiens");
    cr_assert_eq(ics_uid("E1%2Fprofessional%2F2026-01-05", b, sizeof b), 0);
    cr_assert_str_neq(a, b, "'%%' is escaped too: distinct ids, distinct UIDs");
    cr_assert_eq(ics_uid("a b@c;d,é", a, sizeof a), 0);
    cr_assert_str_eq(a, "a%20b%40c%3Bd%2C%C3%A9@entretiens");
    cr_assert_eq(ics_uid("IV00000042", a, sizeof a), 0);
    cr_assert_str_eq(a, "IV00000042@entretiens");
    cr_assert_eq(ics_uid("a-long-identifier", c, sizeof c), -1, "too long for the buffer");
    cr_assert_str_eq(c, "");
    cr_assert_eq(ics_uid("", a, sizeof a), -1);
    cr_assert_eq(ics_uid(NULL, a, sizeof a), -1);
}

Test(ics, the_text_is_what_calendar_clients_import)
{
    s_obl_t x;
    s_obl(&x, "E9/professional/2026-01-05", "E9", "professional_recap", 2027, 1, 5, "upcoming");
    x.o.first_name = "Marie-Éléonore Françoise";
    x.o.last_name = "de La Tour d'Auvergne-Lauraguais";
    x.o.reason = "Line one\nline two; with, punctuation \x01 and a bad byte \xff here: été à Noël "
                 "éééééééééééééééééééééééééééééééééééééééééééééééééé";
    ics_cal_t *cal = ics_cal_new(ICS_LANG_FR, NULL, STAMP_MS);
    cr_assert_eq(ics_cal_add_deadline(cal, &x.o), 0);
    char *text = ics_cal_text(cal);
    cr_assert(ent_utf8_valid(text), "valid UTF-8 whatever the daemon sent");
    cr_assert(strstr(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "starts like a calendar");
    cr_assert(strstr(text, "\r\nPRODID:-//entretiens//"));
    cr_assert(strstr(text, "\r\nCALSCALE:GREGORIAN\r\n"));
    cr_assert(strstr(text, "\r\nMETHOD:PUBLISH\r\n"));
    cr_assert(strstr(text, "\r\nX-WR-CALNAME:Entretiens"));
    cr_assert(strstr(text, "DTSTART;VALUE=DATE:20270105\r\n"));
    /* every line ends with CRLF and is at most 75 octets (RFC 5545 §3.1) */
    size_t lines = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "the text ends with a line end");
        cr_assert(nl > p && nl[-1] == '\r', "line %zu ends with CRLF", lines + 1);
        cr_assert_leq((size_t) (nl - 1 - p), 75, "line %zu has %zu octets", lines + 1, (size_t) (nl - 1 - p));
        for (const char *c = p; c < nl - 1; c++)
            cr_assert((unsigned char) *c >= 0x20 || *c == '\t', "a control character on line %zu", lines + 1);
        lines++;
        p = nl + 1;
    }
    cr_assert_gt(lines, 12);
    /* folding never cut a character: the title comes back whole */
    icalcomponent *root = icalparser_parse_string(text);
    icalcomponent *e = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
    cr_assert_str_eq(icalcomponent_get_summary(e), "Entretien professionnel récapitulatif (état des lieux) — "
                                                   "Marie-Éléonore Françoise de La Tour d'Auvergne-Lauraguais (E9)");
    const char *d = icalcomponent_get_description(e);
    cr_assert(strstr(d, "Line one\nline two; with, punctuation   and a bad byte \xef\xbf\xbd here"), "description: %s", d);
    icalcomponent_free(root);
    ics_text_free(text);
    ics_cal_destroy(&cal);
}

Test(ics, scheduled_interviews_are_timed_events_with_their_people)
{
    Entretiens__V1__Interview iv = ENTRETIENS__V1__INTERVIEW__INIT, iv2 = ENTRETIENS__V1__INTERVIEW__INIT,
                              iv3 = ENTRETIENS__V1__INTERVIEW__INIT;
    Entretiens__V1__Date due = ENTRETIENS__V1__DATE__INIT;
    due.year = 2026, due.month = 5, due.day = 1;
    iv.id = "IV00000005";
    iv.type = "end_of_trial";
    iv.status = "scheduled";
    iv.employee_id = "E1";
    iv.manager_id = "M1";
    iv.first_name = "Claire";
    iv.last_name = "Martin";
    iv.due_date = &due;
    iv.scheduled_start_ms = 1776679200000LL; /* 2026-04-20T10:00:00Z */
    iv.duration_min = 45;
    iv.place = "Salle 3, 2e étage";
    iv.video_link = "https://meet.example/abc";
    iv.updated_at_ms = 1775000000000LL;
    iv2 = iv;
    iv2.id = "IV00000006";
    iv2.status = "cancelled";
    iv2.duration_min = 0;
    iv2.place = NULL;
    iv2.updated_at_ms = 1775000600000LL;
    iv3 = iv;
    iv3.id = "IV00000007";
    iv3.scheduled_start_ms = 0;
    ics_person_t emp = { "E1", NULL, "claire@acme.example" }, mgr = { "M1", "Jean \"JD\" Dupont", "jean@acme.example" };

    ics_cal_t *cal = ics_cal_new(ICS_LANG_EN, NULL, STAMP_MS);
    cr_assert_eq(ics_cal_add_interview(cal, &iv, &emp, &mgr), 0);
    cr_assert_eq(ics_cal_add_interview(cal, &iv2, NULL, NULL), 0);
    cr_assert_eq(ics_cal_add_interview(cal, &iv3, &emp, &mgr), -1, "not scheduled: nothing to show");
    cr_assert_eq(ics_cal_count(cal), 2);
    char *text;
    icalcomponent *root = s_roundtrip(cal, &text);
    cr_assert_eq(s_count(root, ICAL_VEVENT_COMPONENT), 2);
    icalcomponent *e = s_event(root, "IV00000005@entretiens");
    struct icaltimetype s = icalcomponent_get_dtstart(e), t = icalcomponent_get_dtend(e);
    cr_assert_not(s.is_date, "a meeting has a time");
    cr_assert(icaltime_is_utc(s));
    cr_assert_eq(s.hour, 10);
    cr_assert_eq(s.minute, 0);
    cr_assert_eq(s.day, 20);
    cr_assert_eq(t.hour, 10);
    cr_assert_eq(t.minute, 45);
    cr_assert_str_eq(icalcomponent_get_summary(e), "End-of-trial interview — Claire Martin (E1)");
    cr_assert_str_eq(icalcomponent_get_location(e), "Salle 3, 2e étage");
    cr_assert_eq(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
    icalproperty *url = icalcomponent_get_first_property(e, ICAL_URL_PROPERTY);
    cr_assert_not_null(url);
    cr_assert_str_eq(icalproperty_get_url(url), "https://meet.example/abc");
    icalproperty *org = icalcomponent_get_first_property(e, ICAL_ORGANIZER_PROPERTY);
    cr_assert_not_null(org);
    cr_assert_str_eq(icalproperty_get_organizer(org), "mailto:jean@acme.example");
    icalparameter *cn = icalproperty_get_first_parameter(org, ICAL_CN_PARAMETER);
    cr_assert_not_null(cn);
    cr_assert_str_eq(icalparameter_get_cn(cn), "Jean 'JD' Dupont", "no double quote inside a quoted parameter");
    icalproperty *att = icalcomponent_get_first_property(e, ICAL_ATTENDEE_PROPERTY);
    cr_assert_not_null(att);
    cr_assert_str_eq(icalproperty_get_attendee(att), "mailto:claire@acme.example");
    cn = icalproperty_get_first_parameter(att, ICAL_CN_PARAMETER);
    cr_assert_not_null(cn);
    cr_assert_str_eq(icalparameter_get_cn(cn), "Claire Martin", "records' name when none is given");
    cr_assert(strstr(icalcomponent_get_description(e), "Interviewer: Jean \"JD\" Dupont (M1) <jean@acme.example>"),
              "%s", icalcomponent_get_description(e));
    int seq5 = icalproperty_get_sequence(icalcomponent_get_first_property(e, ICAL_SEQUENCE_PROPERTY));

    e = s_event(root, "IV00000006@entretiens");
    cr_assert_eq(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED, "an import cancels the earlier copy");
    cr_assert_str_eq(icalcomponent_get_summary(e), "[CANCELLED] End-of-trial interview — Claire Martin (E1)");
    t = icalcomponent_get_dtend(e);
    cr_assert_eq(t.hour, 11, "60 minutes by default");
    cr_assert_str_eq(icalcomponent_get_location(e), "https://meet.example/abc", "the video link when no place");
    cr_assert_null(icalcomponent_get_first_property(e, ICAL_ATTENDEE_PROPERTY), "no address, no attendee");
    int seq6 = icalproperty_get_sequence(icalcomponent_get_first_property(e, ICAL_SEQUENCE_PROPERTY));
    cr_assert_eq(seq6 - seq5, 10, "SEQUENCE counts minutes of records' updated_at: a later change is higher");
    icalcomponent_free(root);
    ics_text_free(text);
    ics_cal_destroy(&cal);
}

Test(ics, incomplete_items_are_left_out)
{
    s_obl_t x;
    s_obl(&x, "E1/professional/2026-01-05", "E1", "professional", 2027, 1, 5, "upcoming");
    ics_cal_t *cal = ics_cal_new(ICS_LANG_FR, NULL, STAMP_MS);
    x.o.obligation_id = "";
    cr_assert_eq(ics_cal_add_deadline(cal, &x.o), -1);
    x.o.obligation_id = "E1/professional/2026-01-05";
    x.due.month = 2, x.due.day = 30;
    cr_assert_eq(ics_cal_add_deadline(cal, &x.o), -1, "an impossible due date");
    x.o.due_date = NULL;
    cr_assert_eq(ics_cal_add_deadline(cal, &x.o), -1);
    cr_assert_eq(ics_cal_count(cal), 0);
    char *text;
    icalcomponent *root = s_roundtrip(cal, &text);
    cr_assert_eq(s_count(root, ICAL_VEVENT_COMPONENT), 0);
    icalcomponent_free(root);
    ics_text_free(text);
    ics_cal_destroy(&cal);
}
