/*  Unit tests of common/report_pdf: a signed interview's view rendered to a
 *  PDF, read back with poppler's pdftotext: the same bytes twice (and the
 *  PDF's dates from the interview, not the clock), the answers under their
 *  labels for every kind of question, the employee's comment, both
 *  signatures and the digest; what the report never holds (the manager's
 *  notes, an unshared preparation); refusals (no report yet, no template);
 *  long answers flowing onto more pages; the file name. */
#include "common/report_pdf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DIGEST "3f2a9c0d5e7b8a1f4c6d2e0b9a8f7e6d5c4b3a2918f7e6d5c4b3a29180f1e2d3"

static const char *s_template =
    "{\"id\":\"annual_review.en\",\"type\":\"annual_review\",\"locale\":\"en\",\"title\":\"Annual performance review\","
    "\"sections\":["
    "{\"id\":\"year\",\"title\":\"The year in review\",\"questions\":["
    "{\"id\":\"highlights\",\"kind\":\"text\",\"label\":\"Highlights of the year\",\"who\":\"employee\"},"
    "{\"id\":\"difficulties\",\"kind\":\"text\",\"label\":\"Difficulties met\",\"who\":\"both\"},"
    "{\"id\":\"overall\",\"kind\":\"rating\",\"label\":\"Overall assessment\",\"who\":\"manager\","
    "\"scale\":{\"min\":1,\"max\":4,\"levels\":[{\"value\":1,\"label\":\"Below expectations\"},"
    "{\"value\":3,\"label\":\"Meets expectations\"},{\"value\":4,\"label\":\"Exceeds expectations\"}]}},"
    "{\"id\":\"progress\",\"kind\":\"single_choice\",\"label\":\"Progression\",\"who\":\"manager\","
    "\"options\":[{\"value\":\"salary\",\"label\":\"Salary rise\"},{\"value\":\"none\",\"label\":\"None\"}]},"
    "{\"id\":\"areas\",\"kind\":\"multiple_choice\",\"label\":\"Areas\",\"who\":\"employee\","
    "\"options\":[{\"value\":\"tech\",\"label\":\"Technical skills\"},{\"value\":\"mgmt\",\"label\":\"People management\"}]},"
    "{\"id\":\"remote\",\"kind\":\"boolean\",\"label\":\"Wishes to work remotely\",\"who\":\"employee\"}]},"
    "{\"id\":\"next\",\"title\":\"The year ahead\",\"questions\":["
    "{\"id\":\"objectives\",\"kind\":\"objectives\",\"label\":\"Objectives for next year\",\"who\":\"manager\",\"mode\":\"set\"},"
    "{\"id\":\"training\",\"kind\":\"training_needs\",\"label\":\"Training wishes\",\"who\":\"both\"},"
    "{\"id\":\"mobility\",\"kind\":\"mobility_wish\",\"label\":\"Mobility\",\"who\":\"employee\"},"
    "{\"id\":\"skills\",\"kind\":\"competencies\",\"label\":\"Competencies\",\"who\":\"manager\","
    "\"scale\":{\"min\":1,\"max\":4,\"levels\":[{\"value\":2,\"label\":\"Practitioner\"},{\"value\":4,\"label\":\"Expert\"}]}},"
    "{\"id\":\"actions\",\"kind\":\"action_items\",\"label\":\"Action plan\",\"who\":\"manager\"},"
    "{\"id\":\"unanswered\",\"kind\":\"text\",\"label\":\"Anything else\",\"who\":\"both\"}]}]}";

static const char *s_emp_answers =
    "{\"areas\":[\"tech\",\"mgmt\"],\"difficulties\":\"EMP-DIFFICULTY the migration\",\"highlights\":\"Shipped the "
    "new billing system\",\"mobility\":{\"kind\":\"internal_new_job\",\"horizon\":\"2_years\",\"comment\":\"data team\"},"
    "\"remote\":true,\"training\":[{\"theme\":\"Advanced SQL\",\"priority\":\"high\",\"modality\":\"e_learning\"}]}";

static const char *s_mgr_answers =
    "{\"actions\":[{\"title\":\"Mentor a junior\",\"owner\":\"E000123\",\"due_date\":\"2027-06-30\"}],"
    "\"difficulties\":\"MGR-DIFFICULTY staffing\",\"objectives\":[{\"title\":\"Cut invoice errors by half\","
    "\"measure\":\"error rate\",\"due_date\":\"2027-12-31\",\"weight\":30},{\"title\":\"Lead the audit\",\"weight\":70}],"
    "\"overall\":3,\"progress\":\"salary\",\"skills\":[{\"item\":\"SQL\",\"expected_level\":4,\"assessed_level\":2}]}";

typedef struct {
    Entretiens__V1__InterviewView v;
    Entretiens__V1__Interview iv;
    Entretiens__V1__Signature es, ms;
    Entretiens__V1__Date held, due;
} s_fix_t;

static void s_fixture(s_fix_t *f)
{
    memset(f, 0, sizeof *f);
    entretiens__v1__interview_view__init(&f->v);
    entretiens__v1__interview__init(&f->iv);
    entretiens__v1__signature__init(&f->es);
    entretiens__v1__signature__init(&f->ms);
    entretiens__v1__date__init(&f->held);
    entretiens__v1__date__init(&f->due);
    f->held.year = 2026, f->held.month = 3, f->held.day = 20;
    f->due.year = 2026, f->due.month = 6, f->due.day = 30;
    f->iv.id = "iv-0042";
    f->iv.employee_id = "E000123";
    f->iv.manager_id = "E000042";
    f->iv.type = "annual_review";
    f->iv.status = "closed";
    f->iv.first_name = "Claire";
    f->iv.last_name = "Martin";
    f->iv.entity = "ACME-FR";
    f->iv.template_id = "annual_review.en";
    f->iv.template_version = 3;
    f->iv.held_on = &f->held;
    f->iv.due_date = &f->due;
    f->iv.employee_shared = true;
    f->iv.manager_shared = true;
    f->iv.reported_at_ms = 1774051200000LL; /* 2026-03-21 */
    f->iv.closed_at_ms = 1774310400000LL;
    f->iv.updated_at_ms = 1774310400000LL;
    f->es.by = "employee:E000123";
    f->es.at_ms = 1774224000000LL;
    f->es.digest = DIGEST;
    f->es.comment = "I disagree with point 2: the targets came late";
    f->ms.by = "manager:E000042";
    f->ms.at_ms = 1774310400000LL;
    f->ms.digest = DIGEST;
    f->iv.employee_signature = &f->es;
    f->iv.manager_signature = &f->ms;
    f->v.interview = &f->iv;
    f->v.employee_answers = (char *) s_emp_answers;
    f->v.manager_answers = (char *) s_mgr_answers;
    f->v.manager_notes = "";
    f->v.template_json = (char *) s_template;
    f->v.report_digest = DIGEST;
}

static uint8_t *s_render(const s_fix_t *f, ics_lang_t lang, size_t *len)
{
    uint8_t *pdf = NULL;
    const char *why = NULL;
    int rc = report_pdf_render(&f->v, lang, &pdf, len, &why);
    cr_assert_eq(rc, 0, "render: %d %s", rc, why ? why : "");
    cr_assert_not_null(pdf);
    cr_assert_gt(*len, 1000);
    cr_assert_eq(memcmp(pdf, "%PDF-", 5), 0);
    return pdf;
}

/* The text of a PDF, as pdftotext (poppler-utils) reads it; lines joined
 * with spaces so that a wrapped paragraph still matches. */
static char *s_text(const uint8_t *pdf, size_t len)
{
    char path[] = "/tmp/test_report_pdf.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, pdf, len), (ssize_t) len);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 %s -", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char *text = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&text, &n);
    int c;
    while ((c = fgetc(p)) != EOF)
        fputc(c == '\n' ? ' ' : c, m);
    fclose(m);
    cr_assert_eq(pclose(p), 0, "pdftotext failed");
    if (!getenv("TEST_REPORT_PDF_KEEP"))
        unlink(path);
    else
        fprintf(stderr, "kept %s\n", path);
    return text;
}

/* The text of the PDF of f in lang. */
static char *s_render_text(const s_fix_t *f, ics_lang_t lang)
{
    size_t len;
    uint8_t *pdf = s_render(f, lang, &len);
    char *t = s_text(pdf, len);
    free(pdf);
    return t;
}

static size_t s_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The instants of a metropolitan employee are in the process' zone:
 * pinned to UTC here, whatever the machine's /etc/localtime says. */
static void s_utc(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
}

TestSuite(report_pdf, .init = s_utc);

Test(report_pdf, same_view_same_bytes)
{
    s_fix_t f;
    s_fixture(&f);
    size_t a_len, b_len;
    uint8_t *a = s_render(&f, ICS_LANG_FR, &a_len);
    sleep(1); /* a PDF dated by the clock would differ now */
    uint8_t *b = s_render(&f, ICS_LANG_FR, &b_len);
    cr_assert_eq(a_len, b_len);
    cr_assert_eq(memcmp(a, b, a_len), 0, "two renderings of the same view differ");
    /* the dates are the last signature's (2026-03-24T00:00:00Z) */
    cr_assert_not_null(memmem(a, a_len, "/CreationDate (20260324000000Z)", 31), "CreationDate is not the last signature");
    /* another content gives other bytes */
    f.es.comment = "I agree";
    size_t c_len;
    uint8_t *c = s_render(&f, ICS_LANG_FR, &c_len);
    cr_assert(c_len != a_len || memcmp(a, c, a_len) != 0);
    free(a);
    free(b);
    free(c);
}

Test(report_pdf, holds_answers_labels_comment_signatures_digest)
{
    s_fix_t f;
    s_fixture(&f);
    char *t = s_render_text(&f, ICS_LANG_EN);
    const char *expect[] = {
        "Interview report", "Annual review", "Claire Martin (E000123)", "E000042", "annual_review.en, version 3",
        "Annual performance review", "Held on: 2026-03-20", "The year in review", "Highlights of the year",
        "Shipped the new billing system", "Employee's answer", "EMP-DIFFICULTY the migration",
        "Interviewer's answer", "MGR-DIFFICULTY staffing", "3 — Meets expectations (scale 1–4)", "Salary rise",
        "Technical skills, People management", "Wishes to work remotely", "yes", "Cut invoice errors by half",
        "weight: 30 %", "measure: error rate", "due: 2027-12-31", "Lead the audit", "weight: 70 %",
        "Advanced SQL", "priority: high", "modality: e-learning", "internal, new job", "horizon: 2 years",
        "data team", "SQL — expected: 4 Expert — assessed: 2 Practitioner", "Mentor a junior",
        "owner: E000123", "Anything else", "(no answer)", "Signed by employee:E000123 on 2026-03-23 00:00 UTC",
        "Employee's comment", "I disagree with point 2: the targets came late",
        "Signed by manager:E000042 on 2026-03-24 00:00 UTC", "SHA-256 digest of the signed content", DIGEST,
    };
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
        cr_expect_not_null(strstr(t, expect[i]), "missing: %s", expect[i]);
    /* the digest printed once: both signatures hold the report's */
    cr_expect_eq(s_count(t, DIGEST), 1);
    free(t);
}

Test(report_pdf, french_by_default_words)
{
    s_fix_t f;
    s_fixture(&f);
    f.iv.manager_signature = NULL;
    f.iv.status = "signed_employee";
    char *t = s_render_text(&f, ICS_LANG_FR);
    cr_expect_not_null(strstr(t, "Compte rendu d'entretien"));
    cr_expect_not_null(strstr(t, "Commentaire du salarié"));
    cr_expect_not_null(strstr(t, "Non signé"));
    cr_expect_not_null(strstr(t, "Empreinte SHA-256 du contenu signé"));
    cr_expect_not_null(strstr(t, "signé par le salarié"));
    /* the template's labels stay in the template's language */
    cr_expect_not_null(strstr(t, "Meets expectations"));
    free(t);
}

Test(report_pdf, never_prints_notes_nor_an_unshared_preparation)
{
    s_fix_t f;
    s_fixture(&f);
    /* a reader who may see the notes (the interviewer): still not in the report */
    f.v.manager_notes = "SECRET-NOTE burnout suspected";
    char *t = s_render_text(&f, ICS_LANG_EN);
    cr_expect_null(strstr(t, "SECRET-NOTE"));
    cr_expect_not_null(strstr(t, "MGR-DIFFICULTY"));
    free(t);
    /* the employee's own view of an unshared preparation: not signed, not printed */
    f.v.manager_notes = "";
    f.iv.employee_shared = false;
    t = s_render_text(&f, ICS_LANG_EN);
    cr_expect_null(strstr(t, "EMP-DIFFICULTY"));
    cr_expect_null(strstr(t, "Shipped the new billing system"));
    cr_expect_not_null(strstr(t, "MGR-DIFFICULTY"));
    free(t);
    /* a view where records withheld the manager's answers */
    f.v.manager_answers = "";
    t = s_render_text(&f, ICS_LANG_EN);
    cr_expect_null(strstr(t, "MGR-DIFFICULTY"));
    free(t);
}

Test(report_pdf, refuses_without_report_or_template)
{
    s_fix_t f;
    s_fixture(&f);
    uint8_t *pdf = (uint8_t *) "x";
    size_t len = 1;
    const char *why = NULL;
    const char *early[] = { "planned", "scheduled", "preparation", "shared", "held", "cancelled", "", NULL };
    for (size_t i = 0; i < sizeof early / sizeof *early; i++) {
        f.iv.status = (char *) early[i];
        cr_expect_eq(report_pdf_render(&f.v, ICS_LANG_EN, &pdf, &len, &why), EINVAL, "%s", early[i] ? early[i] : "NULL");
        cr_expect_null(pdf);
        cr_expect_eq(len, 0);
        cr_expect_not_null(why);
    }
    f.iv.status = "reported";
    f.v.template_json = "";
    cr_expect_eq(report_pdf_render(&f.v, ICS_LANG_EN, &pdf, &len, &why), EINVAL);
    cr_expect_not_null(strstr(why, "template"));
    f.v.template_json = "[1,2";
    cr_expect_eq(report_pdf_render(&f.v, ICS_LANG_EN, &pdf, &len, NULL), EINVAL);
    f.v.interview = NULL;
    cr_expect_eq(report_pdf_render(&f.v, ICS_LANG_EN, &pdf, &len, &why), EINVAL);
    cr_expect(report_pdf_ready("reported") && report_pdf_ready("signed_manager") && !report_pdf_ready("held"));
}

Test(report_pdf, long_answers_flow_onto_more_pages)
{
    s_fix_t f;
    s_fixture(&f);
    size_t n = 20000;
    char *big = malloc(n + 200);
    strcpy(big, "{\"highlights\":\"START ");
    size_t at = strlen(big);
    for (size_t i = 0; at < n; i++)
        at += (size_t) sprintf(big + at, "word%zu ", i);
    strcpy(big + at, "THE-END\"}");
    f.v.employee_answers = big;
    char *t = s_render_text(&f, ICS_LANG_EN);
    cr_expect_not_null(strstr(t, "START word0"));
    cr_expect_not_null(strstr(t, "THE-END"));
    cr_expect_not_null(strstr(t, "page 3"), "20 kB of text should take at least 3 pages");
    cr_expect_not_null(strstr(t, DIGEST));
    free(t);
    free(big);
}

Test(report_pdf, ill_formed_text_does_not_break_the_document)
{
    s_fix_t f;
    s_fixture(&f);
    f.es.comment = "bad \xff\xfe utf-8 <b>not markup</b> & co";
    char *t = s_render_text(&f, ICS_LANG_EN);
    cr_expect_not_null(strstr(t, "<b>not markup</b> & co"));
    free(t);
}

/* Renders f in lang and expects needle in the text. */
static void s_expect_text(const s_fix_t *f, ics_lang_t lang, const char *needle)
{
    char *t = s_render_text(f, lang);
    cr_expect_not_null(strstr(t, needle), "missing %s: %s", needle, t);
    cr_expect_null(strstr(t, "00:00 UTC "), "an instant left in UTC: %s", t);
    free(t);
}

Test(report_pdf, names_the_interviewer_and_shows_her_legal_time)
{
    s_fix_t f;
    s_fixture(&f);
    /* without a name from the directory: the id alone, as before */
    char *t = s_render_text(&f, ICS_LANG_EN);
    cr_expect_not_null(strstr(t, "Interviewer: E000042"), "%s", t);
    free(t);
    f.v.interviewer_name = "Marc Durand";
    /* La Réunion: UTC+4 all year, whatever the process' zone */
    f.v.region = "reunion";
    s_expect_text(&f, ICS_LANG_EN, "Interviewer: Marc Durand (E000042)");
    s_expect_text(&f, ICS_LANG_EN, "on 2026-03-23 04:00 UTC+04:00");
    /* Guadeloupe: UTC-4 (the day before) */
    f.v.region = "guadeloupe";
    s_expect_text(&f, ICS_LANG_FR, "2026-03-22 20:00 UTC-04:00");
    /* metropolitan France: the process' zone, summer time included
     * (2026-03-29 is the change: 23 March is winter time, UTC+1) */
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    f.v.region = "";
    s_expect_text(&f, ICS_LANG_EN, "on 2026-03-23 01:00 UTC+01:00");
    f.es.at_ms = 1776902400000LL; /* 2026-04-23 00:00 UTC: summer time */
    s_expect_text(&f, ICS_LANG_EN, "on 2026-04-23 02:00 UTC+02:00");
    /* an unknown region is metropolitan France's time, not an error */
    f.v.region = "atlantis";
    s_expect_text(&f, ICS_LANG_EN, "on 2026-04-23 02:00 UTC+02:00");
}

Test(report_pdf, file_name)
{
    char out[64];
    cr_assert_eq(report_pdf_filename("iv-0042", ICS_LANG_FR, out, sizeof out), 0);
    cr_expect_str_eq(out, "entretien-iv-0042.pdf");
    cr_assert_eq(report_pdf_filename("a/b\"c d\r\n", ICS_LANG_EN, out, sizeof out), 0);
    cr_expect_str_eq(out, "interview-a_b_c_d__.pdf");
    cr_expect_eq(report_pdf_filename("0123456789012345678901234567890123456789012345678901234567", ICS_LANG_EN, out,
                                     sizeof out), -1);
    cr_expect_str_eq(out, "");
}
