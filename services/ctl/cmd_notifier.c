/*  cmd_notifier.c — entretiensctl notifications ... (the notifier's commands):
 *
 *    notifications list [--employee ID] [--recipient ID] [--subject KEY]
 *                       [--status S] [--limit N] [--after ID]   notifier.list
 *    notifications show ID                                       notifier.show
 *    notifications preview --interview ID | --obligation ID      notifier.preview
 *    notifications retry ID | --all-dead                         notifier.retry
 *    notifications stats                                         notifier.stats
 *    notifications digest --manager ID on|off                    notifier.prefs.set
 *    notifications contact ID                                    notifier.contact
 *    notifications templates                                     notifier.templates
 *
 *  The JSON printed with --json is a contract (docs/cli.md).  Exit
 *  statuses: 0 done, 1 failed (daemon error, not found), 2 usage.
 */
#include "args.h"
#include "ctl.h"
#include "common/event_json.h"
#include "table.h"

#include "proto/notifier.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAEMON "notifier"

static const char S_USAGE[] =
    "notifications list [--employee ID] [--recipient ID] [--subject KEY] [--status S] [--limit N] [--after ID]\n"
    "       notifications show ID\n"
    "       notifications preview --interview ID | --obligation ID\n"
    "       notifications retry ID | --all-dead\n"
    "       notifications stats\n"
    "       notifications digest --manager ID on|off\n"
    "       notifications contact ID\n"
    "       notifications templates";

static const char S_DETAILS[] =
    "subcommands:\n"
    "  list       the delivery log, by id.  --status pending lists the planned\n"
    "             notifications not due yet; --employee and --subject list everything\n"
    "             planned and sent about an employee or a subject (o:OBLIGATION_ID,\n"
    "             i:INTERVIEW_ID).  Statuses: pending sending sent failed dead\n"
    "             cancelled digested.  --limit (default 100, at most 5000), --after ID\n"
    "             pages (the output says when more remain).\n"
    "  show       one notification: its record and its message as sent (or as it\n"
    "             would be sent).\n"
    "  preview    every message an interview or an obligation has sent and will send,\n"
    "             rendered (recipients, subject, text, iCalendar).\n"
    "  retry      puts a failed or dead notification back for sending now (attempts\n"
    "             reset); --all-dead empties the dead-letter list the same way.\n"
    "  stats      counts by status, the dead-letter list, what is planned and in\n"
    "             flight, the next fire time and the channels.\n"
    "  digest     a manager receives one daily digest instead of one message per\n"
    "             reminder (on), or not (off).\n"
    "  contact    what the directory knows of an employee (e-mail, locale, manager).\n"
    "  templates  the effective message templates, as JSON (the format of\n"
    "             ENTRETIENS_NOTIFIER_TEMPLATES).\n"
    "\n"
    "exit status: 0 done, 1 failed (daemon error, not found), 2 usage.\n"
    "JSON shapes: docs/cli.md.\n";

const char *ctl_notifier_details(const char *command)
{
    return strcmp(command, "notifications") == 0 ? S_DETAILS : NULL;
}

/* ------------------------------------------------------------ JSON forms */

static json_t *s_strings(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, ent_json_str(v[i]));
    return a;
}

static json_t *s_message_json(const Entretiens__V1__RenderedMessage *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "notification_id", ent_json_str(m->notification_id));
    json_object_set_new(o, "status", ent_json_str(m->status));
    json_object_set_new(o, "kind", ent_json_str(m->kind));
    json_object_set_new(o, "recipient_id", ent_json_str(m->recipient_id));
    json_object_set_new(o, "fire_at", ent_msgjson_time(m->fire_at_ms));
    json_object_set_new(o, "late", json_boolean(m->late));
    json_object_set_new(o, "locale", ent_json_str(m->locale));
    json_object_set_new(o, "to", s_strings(m->to, m->n_to));
    json_object_set_new(o, "cc", s_strings(m->cc, m->n_cc));
    json_object_set_new(o, "subject", ent_json_str(m->subject));
    json_object_set_new(o, "text", ent_json_str(m->text));
    json_object_set_new(o, "ical", m->ical && *m->ical ? ent_json_str(m->ical) : json_null());
    json_object_set_new(o, "message_id", ent_json_str(m->message_id));
    json_object_set_new(o, "error", m->error && *m->error ? ent_json_str(m->error) : json_null());
    return o;
}

static json_t *s_contact_json(const Entretiens__V1__Contact *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "employee_id", ent_json_str(c->employee_id));
    json_object_set_new(o, "email", ent_json_str(c->email));
    json_object_set_new(o, "locale", ent_json_str(c->locale));
    json_object_set_new(o, "manager_id", ent_json_str(c->manager_id));
    json_object_set_new(o, "entity", ent_json_str(c->entity));
    json_object_set_new(o, "department", ent_json_str(c->department));
    json_object_set_new(o, "region", ent_json_str(c->region));
    json_object_set_new(o, "first_name", ent_json_str(c->first_name));
    json_object_set_new(o, "last_name", ent_json_str(c->last_name));
    json_object_set_new(o, "employed", json_boolean(c->employed));
    json_object_set_new(o, "digest", json_boolean(c->digest));
    json_object_set_new(o, "left_on", ent_json_pbdate(c->left_on));
    return o;
}

static ctl_color_t s_status_color(const char *st)
{
    if (strcmp(st, "sent") == 0)
        return CTL_GREEN;
    if (strcmp(st, "dead") == 0)
        return CTL_RED;
    if (strcmp(st, "failed") == 0 || strcmp(st, "sending") == 0)
        return CTL_YELLOW;
    if (strcmp(st, "cancelled") == 0 || strcmp(st, "digested") == 0)
        return CTL_DIM;
    return CTL_PLAIN;
}

static const char *s_short_time(int64_t ms, char *buf, size_t size)
{
    if (ms <= 0)
        return "";
    char full[48];
    ent_time_str(ms, full, sizeof full);
    snprintf(buf, size, "%.16s", full); /* YYYY-MM-DDTHH:MM */
    return buf;
}

/* ------------------------------------------------------------ subcommands */

static int s_list(ctl_t *ctl, int argc, char **argv)
{
    const char *employee = NULL, *recipient = NULL, *subject = NULL, *status = NULL, *limit = NULL, *after = NULL;
    ctl_opt_t opts[] = { CTL_OPT("--employee", &employee), CTL_OPT("--recipient", &recipient),
                       CTL_OPT("--subject", &subject),   CTL_OPT("--status", &status),
                       CTL_OPT("--limit", &limit),       CTL_OPT("--after", &after) };
    int np;
    if (ctl_args_parse("notifications", S_USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, NULL, 0, &np) != 0)
        return ctl_usage(S_USAGE);
    Entretiens__V1__NotificationListRequest req = ENTRETIENS__V1__NOTIFICATION_LIST_REQUEST__INIT;
    if (limit) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(limit, &end, 10);
        if (errno || *end || v == 0 || v > 5000)
            return ctl_bad("notifications", "--limit must be 1..5000, not '%s'", limit);
        req.limit = (uint32_t) v;
    }
    static const char *const statuses[] = { "pending", "sending", "sent", "failed", "dead", "cancelled", "digested" };
    if (status) {
        bool ok = false;
        for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
            ok |= strcmp(status, statuses[i]) == 0;
        if (!ok)
            return ctl_bad("notifications", "--status must be pending, sending, sent, failed, dead, cancelled or digested, not '%s'",
                         status);
    }
    req.employee_id = (char *) (employee ? employee : "");
    req.recipient_id = (char *) (recipient ? recipient : "");
    req.subject = (char *) (subject ? subject : "");
    req.status = (char *) (status ? status : "");
    req.after_id = (char *) (after ? after : "");
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, "notifier.list", &req.base, &r) != 0)
        return CTL_FAILED;
    Entretiens__V1__NotificationListReply *rep =
        entretiens__v1__notification_list_reply__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!rep) {
        fprintf(stderr, "entretiensctl: notifications list: unreadable reply\n");
        return CTL_FAILED;
    }
    if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_notifications; i++)
            json_array_append_new(arr, ent_msgjson_notification(rep->notifications[i]));
        ctl_print_json(json_pack("{s:o, s:b}", "notifications", arr, "truncated", rep->truncated));
    } else {
        ctl_table_t *t = ctl_table_new("STATUS", "FIRE_AT", "KIND", "RECIPIENT", "EMPLOYEE", "TYPE", "DUE", "ID", NULL);
        for (size_t i = 0; i < rep->n_notifications; i++) {
            const Entretiens__V1__Notification *n = rep->notifications[i];
            char fire[32], due[ENT_PBDATE_BUFLEN];
            ctl_table_row(t);
            ctl_table_cellf(t, s_status_color(n->status), "%s%s", n->status, n->late ? " (late)" : "");
            ctl_table_cell(t, s_short_time(n->fire_at_ms, fire, sizeof fire), CTL_PLAIN);
            ctl_table_cell(t, n->kind, CTL_PLAIN);
            ctl_table_cell(t, n->recipient_id, CTL_PLAIN);
            ctl_table_cell(t, n->employee_id, CTL_PLAIN);
            ctl_table_cell(t, n->interview_type, CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(n->due_date, due), CTL_PLAIN);
            ctl_table_cell(t, n->id, CTL_PLAIN);
        }
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
        printf("%zu notification(s)%s\n", rep->n_notifications,
               rep->truncated ? "; more remain: --after the last ID" : "");
    }
    entretiens__v1__notification_list_reply__free_unpacked(rep, NULL);
    return CTL_OK;
}

static void s_print_message(const Entretiens__V1__RenderedMessage *m)
{
    char fire[48];
    printf("── %s\n", m->notification_id);
    printf("   status %s%s, %s, planned %s, locale %s\n", m->status, m->late ? " (late)" : "", m->kind,
           m->fire_at_ms > 0 ? ent_time_str(m->fire_at_ms, fire, sizeof fire) : "-", m->locale);
    printf("   To: ");
    for (size_t i = 0; i < m->n_to; i++) {
        printf("%s", i ? ", " : "");
        ent_fputs_clean(m->to[i], stdout);
    }
    if (m->error && *m->error) {
        printf("(");
        ent_fputs_clean(m->error, stdout);
        printf(")");
    }
    printf("\n");
    if (m->n_cc) {
        printf("   Cc: ");
        for (size_t i = 0; i < m->n_cc; i++) {
            printf("%s", i ? ", " : "");
            ent_fputs_clean(m->cc[i], stdout);
        }
        printf("\n");
    }
    printf("   Subject: ");
    ent_fputs_clean(m->subject, stdout);
    printf("\n\n");
    /* the text keeps its line breaks; every other control is cleaned */
    const char *p = m->text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen(p);
        char *line = ent_utf8_sanitize(p, len, true);
        if (line) {
            printf("   %s\n", line);
            free(line);
        }
        p = nl ? nl + 1 : p + len;
    }
    if (m->ical && *m->ical)
        printf("   [iCalendar attached: %zu bytes]\n", strlen(m->ical));
    printf("\n");
}

static int s_rendered(ctl_t *ctl, const char *method, const Entretiens__V1__PreviewRequest *req, bool show)
{
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, method, &req->base, &r) != 0)
        return CTL_FAILED;
    Entretiens__V1__PreviewReply *rep = entretiens__v1__preview_reply__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!rep) {
        fprintf(stderr, "entretiensctl: notifications: unreadable reply\n");
        return CTL_FAILED;
    }
    if (ctl->json) {
        if (show && rep->n_messages == 1 && rep->n_notifications == 1) {
            ctl_print_json(json_pack("{s:o, s:o}", "notification", ent_msgjson_notification(rep->notifications[0]),
                                     "message", s_message_json(rep->messages[0])));
        } else {
            json_t *arr = json_array();
            for (size_t i = 0; i < rep->n_messages; i++)
                json_array_append_new(arr, s_message_json(rep->messages[i]));
            ctl_print_json(json_pack("{s:o}", "messages", arr));
        }
    } else {
        for (size_t i = 0; i < rep->n_messages; i++)
            s_print_message(rep->messages[i]);
        if (show && rep->n_notifications == 1) {
            const Entretiens__V1__Notification *n = rep->notifications[0];
            printf("   attempts %u%s%s\n", n->attempts, n->last_error && *n->last_error ? ", last error: " : "",
                   n->last_error ? n->last_error : "");
            for (size_t i = 0; i < n->n_deliveries; i++)
                printf("   %-8s %-8s %u attempt(s)%s%s\n", n->deliveries[i]->channel, n->deliveries[i]->status,
                       n->deliveries[i]->attempts, *n->deliveries[i]->last_error ? "  " : "",
                       n->deliveries[i]->last_error);
        } else {
            printf("%zu message(s)\n", rep->n_messages);
        }
    }
    entretiens__v1__preview_reply__free_unpacked(rep, NULL);
    return CTL_OK;
}

static int s_show(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[1];
    int np;
    if (ctl_args_parse("notifications", S_USAGE, argc, argv, 2, NULL, 0, pos, 1, &np) != 0 || np != 1)
        return ctl_usage(S_USAGE);
    Entretiens__V1__PreviewRequest req = ENTRETIENS__V1__PREVIEW_REQUEST__INIT;
    req.notification_id = (char *) pos[0];
    return s_rendered(ctl, "notifier.show", &req, true);
}

static int s_preview(ctl_t *ctl, int argc, char **argv)
{
    const char *interview = NULL, *obligation = NULL;
    ctl_opt_t opts[] = { CTL_OPT("--interview", &interview), CTL_OPT("--obligation", &obligation) };
    int np;
    if (ctl_args_parse("notifications", S_USAGE, argc, argv, 2, opts, 2, NULL, 0, &np) != 0)
        return ctl_usage(S_USAGE);
    if (!interview == !obligation)
        return ctl_bad("notifications", "%s", "preview needs --interview ID or --obligation ID");
    Entretiens__V1__PreviewRequest req = ENTRETIENS__V1__PREVIEW_REQUEST__INIT;
    req.interview_id = (char *) (interview ? interview : "");
    req.obligation_id = (char *) (obligation ? obligation : "");
    return s_rendered(ctl, "notifier.preview", &req, false);
}

static int s_retry(ctl_t *ctl, int argc, char **argv)
{
    bool all = false;
    ctl_opt_t opts[] = { CTL_FLAG("--all-dead", &all) };
    const char *pos[1];
    int np;
    if (ctl_args_parse("notifications", S_USAGE, argc, argv, 2, opts, 1, pos, 1, &np) != 0 || (np == 1) == all)
        return ctl_usage(S_USAGE);
    Entretiens__V1__NotificationRequest req = ENTRETIENS__V1__NOTIFICATION_REQUEST__INIT;
    req.id = (char *) (np ? pos[0] : "");
    req.all_dead = all;
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, "notifier.retry", &req.base, &r) != 0)
        return CTL_FAILED;
    Entretiens__V1__RetryReply *rep = entretiens__v1__retry_reply__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        ctl_print_json(json_pack("{s:i, s:o}", "retried", (int) rep->retried, "ids", s_strings(rep->ids, rep->n_ids)));
    } else {
        for (size_t i = 0; i < rep->n_ids; i++) {
            printf("retrying ");
            ent_fputs_clean(rep->ids[i], stdout);
            printf("\n");
        }
        printf("%u notification(s) put back for sending\n", rep->retried);
    }
    entretiens__v1__retry_reply__free_unpacked(rep, NULL);
    return CTL_OK;
}

static int s_stats(ctl_t *ctl)
{
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, "notifier.stats", NULL, &r) != 0)
        return CTL_FAILED;
    Entretiens__V1__NotifierStats *st = entretiens__v1__notifier_stats__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!st)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *counts = json_object();
        for (size_t i = 0; i < st->n_counts; i++)
            json_object_set_new(counts, st->counts[i]->status, json_integer((json_int_t) st->counts[i]->count));
        ctl_print_json(json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:b}", "counts", counts, "planned",
                                 (json_int_t) st->planned, "subjects", (json_int_t) st->subjects, "contacts",
                                 (json_int_t) st->contacts, "in_flight", (json_int_t) st->in_flight, "dead_letters",
                                 (json_int_t) st->dead_letters, "next_fire", ent_msgjson_time(st->next_fire_ms), "channels",
                                 s_strings(st->channels, st->n_channels), "gate_open", st->gate_open));
    } else {
        char next[48];
        printf("channels      ");
        for (size_t i = 0; i < st->n_channels; i++)
            printf("%s%s", i ? ", " : "", st->channels[i]);
        printf("\nsending       %s\n", st->gate_open ? "yes" : "not yet: applying the events missed while down");
        printf("contacts      %" PRIu64 "\nsubjects      %" PRIu64 "\nplanned       %" PRIu64 "\n", st->contacts,
               st->subjects, st->planned);
        printf("next fire     %s\n", st->next_fire_ms > 0 ? ent_time_str(st->next_fire_ms, next, sizeof next) : "-");
        printf("in flight     %" PRIu64 "\n", st->in_flight);
        for (size_t i = 0; i < st->n_counts; i++)
            printf("%-13s %" PRIu64 "\n", st->counts[i]->status, st->counts[i]->count);
        printf("dead letters  %" PRIu64 "%s\n", st->dead_letters,
               st->dead_letters ? "  (notifications list --status dead; notifications retry ID)" : "");
    }
    entretiens__v1__notifier_stats__free_unpacked(st, NULL);
    return CTL_OK;
}

static int s_print_contact(ctl_t *ctl, const ent_rpc_result_t *r)
{
    Entretiens__V1__Contact *c = entretiens__v1__contact__unpack(NULL, r->payload_len, r->payload);
    if (!c)
        return CTL_FAILED;
    if (ctl->json) {
        ctl_print_json(s_contact_json(c));
    } else {
        printf("employee  %s\nname      %s %s\ne-mail    %s\nlocale    %s\nmanager   %s\nentity    %s\n"
               "region    %s\nemployed  %s\ndigest    %s\n",
               c->employee_id, c->first_name, c->last_name, c->email, c->locale, c->manager_id, c->entity, c->region,
               c->employed ? "yes" : "no", c->digest ? "on (one daily message)" : "off");
    }
    entretiens__v1__contact__free_unpacked(c, NULL);
    return CTL_OK;
}

static int s_digest(ctl_t *ctl, int argc, char **argv)
{
    const char *manager = NULL, *pos[1];
    ctl_opt_t opts[] = { CTL_OPT("--manager", &manager) };
    int np;
    if (ctl_args_parse("notifications", S_USAGE, argc, argv, 2, opts, 1, pos, 1, &np) != 0 || np != 1 || !manager)
        return ctl_usage(S_USAGE);
    if (strcmp(pos[0], "on") != 0 && strcmp(pos[0], "off") != 0)
        return ctl_bad("notifications", "digest takes on or off, not '%s'", pos[0]);
    Entretiens__V1__PrefsRequest req = ENTRETIENS__V1__PREFS_REQUEST__INIT;
    req.recipient_id = (char *) manager;
    req.digest = strcmp(pos[0], "on") == 0;
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, "notifier.prefs.set", &req.base, &r) != 0)
        return CTL_FAILED;
    int rc = s_print_contact(ctl, &r);
    ent_rpc_result_clear(&r);
    return rc;
}

static int s_contact(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[1];
    int np;
    if (ctl_args_parse("notifications", S_USAGE, argc, argv, 2, NULL, 0, pos, 1, &np) != 0 || np != 1)
        return ctl_usage(S_USAGE);
    Entretiens__V1__ContactRequest req = ENTRETIENS__V1__CONTACT_REQUEST__INIT;
    req.employee_id = (char *) pos[0];
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, "notifier.contact", &req.base, &r) != 0)
        return CTL_FAILED;
    int rc = s_print_contact(ctl, &r);
    ent_rpc_result_clear(&r);
    return rc;
}

static int s_templates(ctl_t *ctl)
{
    ent_rpc_result_t r;
    if (ctl_call(ctl, DAEMON, "notifier.templates", NULL, &r) != 0)
        return CTL_FAILED;
    Entretiens__V1__TemplatesReply *t = entretiens__v1__templates_reply__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!t)
        return CTL_FAILED;
    printf("%s\n", t->json);
    entretiens__v1__templates_reply__free_unpacked(t, NULL);
    return CTL_OK;
}

int ctl_cmd_notifications(ctl_t *ctl, int argc, char **argv)
{
    if (argc < 2)
        return ctl_usage(S_USAGE);
    const char *sub = argv[1];
    if (strcmp(sub, "list") == 0)
        return s_list(ctl, argc, argv);
    if (strcmp(sub, "show") == 0)
        return s_show(ctl, argc, argv);
    if (strcmp(sub, "preview") == 0)
        return s_preview(ctl, argc, argv);
    if (strcmp(sub, "retry") == 0)
        return s_retry(ctl, argc, argv);
    if (strcmp(sub, "digest") == 0)
        return s_digest(ctl, argc, argv);
    if (strcmp(sub, "contact") == 0)
        return s_contact(ctl, argc, argv);
    if (argc == 2 && strcmp(sub, "stats") == 0)
        return s_stats(ctl);
    if (argc == 2 && strcmp(sub, "templates") == 0)
        return s_templates(ctl);
    if (strcmp(sub, "stats") != 0 && strcmp(sub, "templates") != 0)
        fprintf(stderr, "entretiensctl: notifications: unknown subcommand '%s'\n", sub);
    return ctl_usage(S_USAGE);
}
