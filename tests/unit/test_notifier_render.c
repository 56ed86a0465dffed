/*  test_notifier_render.c — what the notifier writes (services/notifier/
 *  render.h): templates and their override file, French and English
 *  dates, the e-mail as it goes over SMTP, the iCalendar invitation. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "plan.h"
#include "render.h"

static int32_t D(const char *s)
{
    int32_t d;
    cr_assert_eq(ent_date_parse(s, &d), 0);
    return d;
}

static void s_tz(void)
{
    setenv("TZ", "Europe/Paris", 1);
    tzset();
}

TestSuite(render, .init = s_tz);

Test(render, placeholders_and_sections)
{
    ntf_var_t v[] = { { "employee_name", "Luc" }, { "place", "" }, { "late", "1" } };
    char *s = ntf_template_expand("Hi {{employee_name}}{{#place}} at {{place}}{{/place}}{{^place}}, no place{{/place}}"
                                  "{{#late}} (late){{/late}}.",
                                  v, 3);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "Hi Luc, no place (late).");
    free(s);
    s = ntf_template_expand("{{ employee_name }}:{{manager_name}}:", v, 3);
    cr_expect_str_eq(s, "Luc::", "spaces allowed in tags, unknown values empty");
    free(s);
}

Test(render, broken_templates_are_refused_with_a_reason)
{
    char err[160];
    const char *bad[] = { "{{nope}}", "{{#place}}open", "{{/place}}", "{{employee_name", "{{#place}}{{/late}}" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        cr_expect_eq(ntf_template_check(bad[i], err, sizeof err), -1, "accepted %s", bad[i]);
        cr_expect_neq(err[0], '\0');
    }
    cr_expect_eq(ntf_template_check("ok {{#late}}{{fire_date}}{{/late}}", err, sizeof err), 0, "%s", err);
}

Test(render, dates_in_french_and_english)
{
    char buf[96];
    cr_expect_str_eq(ntf_format_date(D("2027-03-01"), "fr", buf, sizeof buf), "1er mars 2027");
    cr_expect_str_eq(ntf_format_date(D("2027-08-15"), "fr", buf, sizeof buf), "15 août 2027");
    cr_expect_str_eq(ntf_format_date(D("2027-03-01"), "en", buf, sizeof buf), "1 March 2027");
    cr_expect_str_eq(ntf_format_date(D("2027-03-01"), "de", buf, sizeof buf), "2027-03-01");
    int64_t t = ntf_local_ms(D("2026-03-20"), 10);
    cr_expect_str_eq(ntf_format_start(t, "fr", buf, sizeof buf), "vendredi 20 mars 2026 à 10h00");
    cr_expect_str_eq(ntf_format_start(t, "en", buf, sizeof buf), "Friday 20 March 2026 at 10:00");
}

Test(render, a_reminder_in_each_language_says_what_to_do_next)
{
    ntf_templates_t *t;
    char err[256];
    cr_assert_eq(ntf_templates_new(NULL, &t, err, sizeof err), 0, "%s", err);
    ntf_render_in_t in = {
        .kind = NTF_KIND_REMINDER, .role = NTF_ROLE_MANAGER, .locale = "fr", .recipient_name = "Marie Martin",
        .employee_name = "John Smith", .employee_id = "E1", .manager_name = "Marie Martin", .type = "professional",
        .due_date = D("2026-10-26"), .fire_date = D("2026-10-19"),
    };
    ntf_rendered_t r;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "Rappel : entretien professionnel de John Smith à tenir avant le 26 octobre 2026");
    cr_expect(strstr(r.text, "Bonjour Marie Martin,"));
    cr_expect(strstr(r.text, "(dans 7 jours)"));
    cr_expect(strstr(r.text, "Prochaine étape"));
    cr_expect_null(strstr(r.text, "en retard"));
    ntf_rendered_clear(&r);
    in.locale = "en";
    in.role = NTF_ROLE_EMPLOYEE;
    in.recipient_name = "John Smith";
    in.late = true;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "Reminder: professional interview due by 26 October 2026");
    cr_expect(strstr(r.text, "(in 7 days)"));
    cr_expect(strstr(r.text, "Next step:"));
    cr_expect(strstr(r.text, "This message is late: it was planned for 19 October 2026."));
    ntf_rendered_clear(&r);
    /* an escalation goes to whoever escalates, HR has the same text */
    in.kind = NTF_KIND_ESCALATION;
    in.role = NTF_ROLE_HR;
    in.fire_date = D("2026-11-03");
    in.late = false;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect(strstr(r.subject, "Escalation: professional interview of John Smith"));
    cr_expect(strstr(r.text, "8 days ago"));
    ntf_rendered_clear(&r);
    cr_expect_str_eq(ntf_templates_locale(t, "en-GB"), "en");
    cr_expect_str_eq(ntf_templates_locale(t, "it"), "fr");
    cr_expect_str_eq(ntf_templates_locale(t, NULL), "fr");
    ntf_templates_destroy(&t);
    cr_expect_null(t);
}

Test(render, signature_messages_link_to_the_interview_and_its_pdf)
{
    ntf_templates_t *t;
    char err[256];
    cr_assert_eq(ntf_templates_new(NULL, &t, err, sizeof err), 0, "%s", err);
    ntf_render_in_t in = {
        .kind = NTF_KIND_SIGNED, .role = NTF_ROLE_EMPLOYEE, .locale = "fr", .recipient_name = "John Smith",
        .employee_name = "John Smith", .employee_id = "E1", .type = "professional", .due_date = D("2026-10-26"),
        .fire_date = D("2026-10-19"), .interview_id = "IV00000042", .public_url = "https://rh.example.com/",
    };
    ntf_rendered_t r;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect(strstr(r.text, "Le compte rendu : https://rh.example.com/interviews/IV00000042\n"), "%s", r.text);
    cr_expect(strstr(r.text, "Votre exemplaire en PDF : https://rh.example.com/api/v1/interviews/IV00000042/report.pdf\n"),
              "%s", r.text);
    ntf_rendered_clear(&r);
    in.locale = "en";
    in.role = NTF_ROLE_MANAGER;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect(strstr(r.text, "As a PDF: https://rh.example.com/api/v1/interviews/IV00000042/report.pdf"), "%s", r.text);
    ntf_rendered_clear(&r);
    /* please sign: the interview's page (where she signs), no PDF yet */
    in.kind = NTF_KIND_SIGN_REQUEST;
    in.role = NTF_ROLE_EMPLOYEE;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect(strstr(r.text, "The report: https://rh.example.com/interviews/IV00000042"), "%s", r.text);
    cr_expect_null(strstr(r.text, "report.pdf"));
    ntf_rendered_clear(&r);
    /* no public URL, or an id a URL would have to escape: no link at all */
    in.kind = NTF_KIND_SIGNED;
    in.public_url = NULL;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_null(strstr(r.text, "http"), "%s", r.text);
    cr_expect_null(strstr(r.text, "The report:"), "%s", r.text);
    ntf_rendered_clear(&r);
    in.public_url = "https://rh.example.com";
    in.interview_id = "IV/../x y";
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_null(strstr(r.text, "http"), "%s", r.text);
    ntf_rendered_clear(&r);
    ntf_templates_destroy(&t);
}

Test(render, a_digest_lists_its_items)
{
    ntf_templates_t *t;
    cr_assert_eq(ntf_templates_new(NULL, &t, NULL, 0), 0);
    ntf_digest_line_t lines[] = {
        { NTF_KIND_REMINDER, "John Smith", "professional", D("2026-10-26"), D("2026-10-19"), 0 },
        { NTF_KIND_OVERDUE, "Luc Durand", "end_of_trial", D("2026-10-01"), D("2026-10-19"), 0 },
    };
    ntf_render_in_t in = { .kind = NTF_KIND_DIGEST, .role = NTF_ROLE_MANAGER, .locale = "en",
                           .recipient_name = "Marie", .lines = lines, .n_lines = 2, .due_date = ENT_DATE_NONE };
    ntf_rendered_t r;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "Your interviews today: 2 item(s) to follow up");
    cr_expect(strstr(r.text, "- John Smith: professional interview, due by 26 October 2026 (in 7 days)"), "%s", r.text);
    cr_expect(strstr(r.text, "- Luc Durand: end-of-trial interview, OVERDUE, was due 1 October 2026 (18 days ago)"));
    ntf_rendered_clear(&r);
    ntf_templates_destroy(&t);
}

Test(render, a_catch_up_lists_the_backlog_with_its_exposure)
{
    ntf_templates_t *t;
    cr_assert_eq(ntf_templates_new(NULL, &t, NULL, 0), 0);
    ntf_digest_line_t lines[] = {
        { NTF_KIND_CATCHUP, "Zoé Martin (E000273)", "professional_recap", D("2025-03-01"), D("2026-10-19"), 3000 },
        { NTF_KIND_CATCHUP, "Luc Durand (E000003)", "professional", D("2026-01-10"), D("2026-10-19"), 0 },
    };
    ntf_render_in_t in = { .kind = NTF_KIND_CATCHUP, .role = NTF_ROLE_HR, .locale = "fr",
                           .recipient_name = "RH", .lines = lines, .n_lines = 2, .due_date = ENT_DATE_NONE };
    ntf_rendered_t r;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "Rattrapage : 2 entretien(s) en retard à organiser");
    cr_expect(strstr(r.text, "- Zoé Martin (E000273) : "), "%s", r.text);
    cr_expect(strstr(r.text, "en retard depuis le 1er mars 2025, exposition 3\u202f000\u00a0€\n"), "%s", r.text);
    cr_expect(strstr(r.text, "en retard depuis le 10 janvier 2026\n"), "no exposure shown when none: %s", r.text);
    cr_expect(strstr(r.text, "Exposition si rien n'est fait : 3\u202f000\u00a0€"), "%s", r.text);
    ntf_rendered_clear(&r);
    in.locale = "en";
    lines[1].penalty_eur = 1250000;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "Catch-up: 2 overdue interview(s) to arrange");
    cr_expect(strstr(r.text, "overdue since 10 January 2026, exposure €1,250,000\n"), "%s", r.text);
    cr_expect(strstr(r.text, "Exposure if nothing is done: €1,253,000 of CPF top-up."), "%s", r.text);
    ntf_rendered_clear(&r);
    ntf_templates_destroy(&t);
}

Test(render, hr_gets_the_managers_text_when_it_has_none_of_its_own)
{
    ntf_templates_t *t;
    cr_assert_eq(ntf_templates_new(NULL, &t, NULL, 0), 0);
    /* a medical visit's reminder goes to HR instead of the manager */
    ntf_render_in_t in = { .kind = NTF_KIND_REMINDER, .role = NTF_ROLE_HR, .locale = "fr", .recipient_name = "RH",
                           .employee_name = "Luc Durand", .employee_id = "E3", .type = "return_medical_visit",
                           .due_date = D("2026-10-26"), .fire_date = D("2026-10-19") };
    ntf_rendered_t r;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect(strstr(r.text, "Luc Durand"), "%s", r.text);
    ntf_rendered_clear(&r);
    /* no message at all for a kind: said as such, not as a lack of memory */
    in.kind = NTF_KIND_COUNT + 3;
    cr_expect_eq(ntf_render(t, &in, &r), NTF_RENDER_NO_TEMPLATE);
    ntf_templates_destroy(&t);
}

static char *s_write(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ent_test_tpl_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
    return path;
}

Test(render, an_override_file_replaces_and_adds)
{
    char *path = s_write("{\"fr\": {\"types\": {\"professional\": \"EPP\"},"
                         " \"messages\": {\"reminder.manager\": {\"subject\": \"[RH] {{type}} / {{employee_name}}\","
                         " \"body\": \"Faites-le.\\n\"}}},"
                         " \"de\": {\"messages\": {\"reminder\": {\"subject\": \"Erinnerung\", \"body\": \"Bitte.\\n\"}}}}");
    ntf_templates_t *t;
    char err[256];
    cr_assert_eq(ntf_templates_new(path, &t, err, sizeof err), 0, "%s", err);
    unlink(path);
    ntf_render_in_t in = { .kind = NTF_KIND_REMINDER, .role = NTF_ROLE_MANAGER, .locale = "fr",
                           .employee_name = "Luc", .type = "professional", .due_date = D("2026-10-26"),
                           .fire_date = D("2026-10-19") };
    ntf_rendered_t r;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "[RH] EPP / Luc");
    cr_expect(strncmp(r.text, "Faites-le.\n", 11) == 0);
    ntf_rendered_clear(&r);
    /* a new locale: its own messages, the French ones for the rest */
    cr_expect_str_eq(ntf_templates_locale(t, "de"), "de");
    in.locale = "de";
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect_str_eq(r.subject, "Erinnerung");
    ntf_rendered_clear(&r);
    in.kind = NTF_KIND_SIGNED;
    cr_assert_eq(ntf_render(t, &in, &r), 0);
    cr_expect(strstr(r.subject, "Signé"), "falls back to French: %s", r.subject);
    ntf_rendered_clear(&r);
    char *json = ntf_templates_json(t);
    cr_expect(strstr(json, "\"Erinnerung\""));
    free(json);
    ntf_templates_destroy(&t);
}

Test(render, a_bad_override_file_is_refused_with_a_reason)
{
    const char *bad[] = {
        "{\"fr\": {\"messages\": {\"reminder\": {\"subject\": \"{{nope}}\", \"body\": \"x\"}}}}",
        "{\"fr\": {\"messages\": {\"reminder\": {\"subject\": \"x\"}}}}",
        "{\"fr\": {\"colours\": {}}}",
        "[1, 2]",
        "{\"fr\": ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *path = s_write(bad[i]);
        ntf_templates_t *t = NULL;
        char err[256] = "";
        cr_expect_eq(ntf_templates_new(path, &t, err, sizeof err), -1, "accepted %s", bad[i]);
        cr_expect_null(t);
        cr_expect(strstr(err, path) != NULL || strstr(err, "out of memory"), "reason names the file: %s", err);
        unlink(path);
    }
    ntf_templates_t *t = NULL;
    char err[256];
    cr_expect_eq(ntf_templates_new("/nonexistent/t.json", &t, err, sizeof err), -1);
}

static char *s_b64decode(const char *in, size_t *outlen)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(strlen(in) + 1);
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = in; *p; p++) {
        const char *q = strchr(tbl, *p);
        if (!q || !*p)
            continue;
        acc = (acc << 6) | (uint32_t) (q - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char) ((acc >> bits) & 0xFF);
        }
    }
    out[n] = '\0';
    *outlen = n;
    return out;
}

Test(render, the_email_is_seven_bit_with_stable_ids)
{
    char key[33], key2[33];
    ntf_message_key("o:E1/professional/2026-01-05|d-7@2026-10-26|E1", key);
    ntf_message_key("o:E1/professional/2026-01-05|d-7@2026-10-26|E1", key2);
    cr_expect_str_eq(key, key2);
    cr_expect_eq(strlen(key), 32);
    ntf_message_key("o:E1/professional/2026-01-05|d-7@2026-10-26|M1", key2);
    cr_expect_str_neq(key, key2);
    ntf_mailbox_t to[] = { { "Éloïse Dupré", "eloise@acme.test" } };
    ntf_mailbox_t cc[] = { { NULL, "rh@acme.test" } };
    const char *text = "Bonjour Éloïse,\n\nÀ faire avant le 26 octobre.\n";
    ntf_mail_in_t in = { .from = "RH Acme <rh-noreply@acme.test>", .to = to, .n_to = 1, .cc = cc, .n_cc = 1,
                         .subject = "Rappel : entretien à tenir — très bientôt, avant le 26 octobre 2026, sans faute",
                         .text = text, .locale = "fr", .key = key, .date_ms = ntf_local_ms(D("2026-10-19"), 9),
                         .notification_id = "o:E1|d-7|E1", .kind = "reminder", .late = true };
    size_t len;
    char *mail = ntf_mail_build(&in, &len);
    cr_assert_not_null(mail);
    cr_expect_eq(strlen(mail), len);
    for (size_t i = 0; i < len; i++)
        cr_assert(((unsigned char) mail[i]) < 128, "8-bit byte at %zu", i);
    char want[128];
    snprintf(want, sizeof want, "Message-ID: <n.%s@acme.test>\r\n", key);
    cr_expect(strstr(mail, want), "%s", mail);
    cr_expect(strstr(mail, "From: \"RH Acme\" <rh-noreply@acme.test>\r\n"));
    cr_expect(strstr(mail, "To: =?UTF-8?B?"));
    cr_expect(strstr(mail, "Cc: <rh@acme.test>\r\n"));
    cr_expect(strstr(mail, "Subject: =?UTF-8?B?"));
    cr_expect(strstr(mail, "Date: Mon, 19 Oct 2026 09:00:00 +0200\r\n"), "%s", mail);
    cr_expect(strstr(mail, "X-Entretiens-Late: yes\r\n"));
    cr_expect(strstr(mail, "Content-Language: fr\r\n"));
    /* no header line over 998 characters; the body decodes to the text */
    for (char *l = mail, *e; (e = strstr(l, "\r\n")); l = e + 2)
        cr_assert_leq(e - l, 998);
    char *body = strstr(mail, "\r\n\r\n");
    cr_assert_not_null(body);
    size_t blen;
    char *dec = s_b64decode(body + 4, &blen);
    cr_expect_str_eq(dec, text);
    free(dec);
    free(mail);
}

Test(render, invitations_carry_an_icalendar_request)
{
    ntf_mailbox_t att[] = { { "John Smith", "e1@acme.test" }, { "Marie Martin", "m1@acme.test" } };
    ntf_ical_in_t ic = { .uid = "IV1@entretiens", .sequence = 2, .stamp_ms = ntf_local_ms(D("2026-03-02"), 9),
                         .start_ms = ntf_local_ms(D("2026-03-20"), 10), .duration_min = 45,
                         .summary = "Invitation : entretien de fin de période d'essai", .location = "Salle 3",
                         .organizer = "rh@acme.test", .attendees = att, .n_attendees = 2 };
    char *ics = ntf_ical_build(&ic);
    cr_assert_not_null(ics);
    cr_expect(strstr(ics, "METHOD:REQUEST"));
    cr_expect(strstr(ics, "UID:IV1@entretiens"));
    cr_expect(strstr(ics, "SEQUENCE:2"));
    cr_expect(strstr(ics, "DTSTART:20260320T090000Z"), "10:00 Paris is 09:00 UTC: %s", ics);
    cr_expect(strstr(ics, "DTEND:20260320T094500Z"));
    cr_expect(strstr(ics, "mailto:e1@acme.test"));
    cr_expect(strstr(ics, "STATUS:CONFIRMED"));
    free(ics);
    ic.cancel = true;
    ics = ntf_ical_build(&ic);
    cr_expect(strstr(ics, "METHOD:CANCEL"));
    cr_expect(strstr(ics, "STATUS:CANCELLED"));
    ntf_mailbox_t to[] = { { "John", "e1@acme.test" } };
    char key[33];
    ntf_message_key("x", key);
    ntf_mail_in_t in = { .from = "a@b.c", .to = to, .n_to = 1, .subject = "s", .text = "t\n", .locale = "en",
                         .key = key, .date_ms = 0, .notification_id = "x", .kind = "cancellation", .ical = ics,
                         .ical_method = "CANCEL" };
    char *mail = ntf_mail_build(&in, NULL);
    cr_expect(strstr(mail, "Content-Type: multipart/mixed; boundary="));
    cr_expect(strstr(mail, "Content-Type: text/calendar; charset=UTF-8; method=CANCEL"));
    cr_expect(strstr(mail, "filename=\"cancel.ics\""));
    free(mail);
    free(ics);
}

Test(render, addresses)
{
    cr_expect(ntf_email_valid("a.b-c+d@x.example.org"));
    const char *bad[] = { "", "a", "a@", "@b", "a b@c.d", "a@b@c", "<a@b>", "a,b@c", "é@x.fr", NULL };
    for (int i = 0; bad[i]; i++)
        cr_expect_not(ntf_email_valid(bad[i]), "%s", bad[i]);
    cr_expect_not(ntf_email_valid(NULL));
    char buf[64];
    cr_expect_str_eq(ntf_email_addr("RH <rh@acme.test>", buf, sizeof buf), "rh@acme.test");
    cr_expect_str_eq(ntf_email_addr("  rh@acme.test ", buf, sizeof buf), "rh@acme.test");
}
