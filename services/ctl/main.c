/*  entretiensctl — the command line of entretiens.
 *
 *    entretiensctl [ENTRETIENS_* flags] [--json] [--as ID] COMMAND [args]
 *
 *  Every command talks to the daemons over their RPC endpoints (the same
 *  ENTRETIENS_<NAME>_RPC variables as the daemons) and accepts --json.
 */
#include "ctl.h"
#include "common/log.h"

#include "common/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static const ctl_command_t s_commands[] = {
    { "health", ctl_cmd_health, "health", "state of every daemon: up, clock, event heads and cursors" },
    { "clock", ctl_cmd_clock, "clock show | clock set DATE [--only D,...]", "show or move the pinned business clock of every daemon" },
    { "backup", ctl_cmd_backup, "backup DAEMON DIR",
      "hot, compacted copy of a daemon's store into an empty directory (on its host)" },
    { "keys", ctl_cmd_keys, "keys init DIR | keys add DIR NAME --principal P ... | keys list [DIR]",
      "CurveZMQ keys of the daemons and their clients (files only)" },
    /* a demonstration organisation (cmd_demo.c) */
    { "demo", ctl_cmd_demo, "demo generate --employees N [--seed S] [--start D]",
      "write a believable organisation's history as JSON-lines events" },
    /* the scheduler (cmd_scheduler.c, docs/cli.md) */
    { "ingest", ctl_cmd_ingest, "ingest FILE",
      "send employee events (JSON lines, - = stdin) to the scheduler" },
    { "policy", ctl_cmd_policy, "policy apply FILE | policy show",
      "replace or show the entity policies and options" },
    { "obligations", ctl_cmd_obligations, "obligations --employee ID",
      "what an employee is owed, by when, and why" },
    { "employee", ctl_cmd_employee,
      "employee show ID | employee search [QUERY] [--entity E] [--department D] [--limit N] [--after ID]",
      "an employee's current attributes, trial end and history; find people by id or name" },
    { "due", ctl_cmd_due, "due --from D --to D [filters]",
      "the calendar of deadlines in a period" },
    { "deadlines", ctl_cmd_deadlines, "deadlines disciplinary --facts-known D ...",
      "legal deadlines of a disciplinary procedure" },
    { "campaign", ctl_cmd_campaign, "campaign create|list|show",
      "interview campaigns (annual reviews...)" },
    { "deadletters", ctl_cmd_deadletters, "deadletters [--limit N] [--after ID] | deadletters resubmit ID",
      "events the scheduler rejected" },
    /* records (cmd_records.c, docs/cli.md) */
    { "interview", ctl_cmd_interview, "interview list|show|create|schedule|answer|...",
      "interviews: lifecycle, answers, signatures (records)" },
    { "template", ctl_cmd_template, "template import|list|show", "interview templates (records)" },
    { "audit", ctl_cmd_audit, "audit verify [--interview ID] | audit show ID", "the tamper-evident trail (records)" },
    { "access", ctl_cmd_access, "access grant|revoke|list", "HR scopes: entities and content permission (records)" },
    { "subject", ctl_cmd_subject, "subject export EMPLOYEE --out DIR | subject erase EMPLOYEE --reason TEXT",
      "the data subject's rights: everything held about a person in a zip; erasure where no duty to keep applies" },
    /* the shared calendar and the HRIS import (cmd_calendar.c, cmd_import.c, docs/cli.md) */
    { "calendar", ctl_cmd_calendar, "calendar export [filters] [--from D] [--to D] [--lang fr|en] --out FILE.ics",
      "deadlines and scheduled interviews as an iCalendar file (Outlook, Google, Thunderbird)" },
    { "import", ctl_cmd_import, "import employees [--map MAP] FILE.csv",
      "hire employees from an HRIS export (CSV): every row checked, nothing half-applied" },
    /* analytics (cmd_analytics.c, docs/analytics.md) */
    { "stats", ctl_cmd_stats, "stats completion|compliance|training|ratings|objectives|signals|managers ...",
      "figures for HR: completion, legal exposure, needs, signals (analytics)" },
    /* the gateway (cmd_gateway.c, docs/gateway.md) */
    { "user", ctl_cmd_user, "user add LOGIN --principal P | user passwd LOGIN | user disable|enable LOGIN | user list",
      "local accounts of the gateway (password read from stdin or a prompt)" },
    { "config", ctl_cmd_config, CTL_CONFIG_USAGE,
      "saved defaults of this CLI (--as, the client key, endpoints, language) in a file" },
    { "apikey", ctl_cmd_apikey, "apikey create --principal P --scope S [--scope S] [--label L] | apikey list | "
      "apikey revoke ID", "API keys of the gateway for other systems (shown once, stored hashed)" },
    /* notifier (cmd_notifier.c, docs/notifier.md) */
    { "notifications", ctl_cmd_notifications, "notifications list|show|preview|retry|stats|digest|contact|templates",
      "reminders and notices: the delivery log, previews, retries, dead letters (notifier)" },
};
#define N_COMMANDS (sizeof s_commands / sizeof s_commands[0])

static void s_usage(FILE *out, ent_config_t *cfg)
{
    fprintf(out, "usage: entretiensctl [--json] [--lang fr|en] [--as ID] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strlen(s_commands[i].usage) <= 40)
            fprintf(out, "  %-40s %s\n", s_commands[i].usage, s_commands[i].help);
        else /* a long synopsis gets its own line */
            fprintf(out, "  %s\n  %-40s %s\n", s_commands[i].usage, "", s_commands[i].help);
    }
    fprintf(out, "\noptions:\n  %-40s %s\n  %-40s %s\n  %-40s %s\n  %-40s %s\n  %-40s %s\n\n", "--json", "machine-readable output",
            "--lang fr|en", "language of tables, labels and reasons (default: ENTRETIENS_LANG, else the locale; --json keys never change)",
            "--as ID", "act as this principal (employee:ID, manager:ID, hr:ID, admin:ID; the client key must be allowed to assert)", "COMMAND --help",
            "help of one command", "--version", "version and source revision");
    if (cfg && out == stdout) {
        /* only the settings the CLI reads: the daemons' own (stores, HTTP
         * ports, timers) are in each daemon's --help */
        size_t n;
        const char *const *names = ctl_config_settings(&n);
        fprintf(out, "settings (environment variable, or flag before the command; saved defaults: `config set`):\n");
        ent_config_print_vars(cfg, names, n);
    }
}

int main(int argc, char **argv)
{
    ctl_t ctl = { .timeout_ms = 5000, .color = isatty(STDOUT_FILENO) };
    size_t n_vars;
    const ent_config_var_t *vars = ctl_config_vars(&n_vars);
    ctl.cfg = ent_config_new("entretiensctl", "The command line of entretiens.", vars, n_vars);
    if (!ctl.cfg)
        return CTL_FAILED;
    /* --help is the CLI's, not the configuration's: hide it from the
     * configuration parser (which would print only the variables) */
    char **cfg_argv = calloc((size_t) argc + 1, sizeof *cfg_argv);
    if (!cfg_argv) {
        ent_config_destroy(&ctl.cfg);
        return CTL_FAILED;
    }
    int cfg_argc = 0;
    for (int i = 0; i < argc; i++)
        if (i == 0 || (strcmp(argv[i], "--help") != 0 && strcmp(argv[i], "-h") != 0))
            cfg_argv[cfg_argc++] = argv[i];
    int first = 1;
    int rc = ent_config_load(ctl.cfg, cfg_argc, cfg_argv, &first);
    if (rc != 0) {
        free(cfg_argv);
        ent_config_destroy(&ctl.cfg);
        return rc == 1 ? CTL_OK : CTL_USAGE;
    }
    /* map the index back to argv: configuration flags come first */
    int skipped = 0;
    for (int i = 1; i < argc && i - skipped < first; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            skipped++;
    first += skipped;
    free(cfg_argv);
    bool ok = true;
    int64_t t = ent_config_get_int(ctl.cfg, "ENTRETIENS_RPC_TIMEOUT_MS", 5000, &ok);
    if (ok && t > 0)
        ctl.timeout_ms = (int) t;
    /* global options may stand anywhere; they are removed from argv */
    char **args = calloc((size_t) argc + 1, sizeof *args);
    if (!args) {
        ent_config_destroy(&ctl.cfg);
        return CTL_FAILED;
    }
    int n = 0;
    int status = CTL_USAGE;
    bool help = false;
    const char *lang = NULL;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            ctl.json = true;
        else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            lang = argv[++i];
        else if (strncmp(argv[i], "--lang=", 7) == 0)
            lang = argv[i] + 7;
        else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
            ctl.as = argv[++i];
        else if (strncmp(argv[i], "--as=", 5) == 0)
            ctl.as = argv[i] + 5;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            help = true;
        else if (strcmp(argv[i], "--version") == 0 && n == 0) {
            /* after other global options (before them, the configuration
             * parser has printed it already) */
            ent_version_print(stdout, "entretiensctl");
            status = CTL_OK;
            goto done;
        } else
            args[n++] = argv[i];
    }
    /* the saved defaults (cmd_config.c) rank below the environment and the
     * flags; a broken file stops every command but `config` (which fixes it) */
    char conf_buf[4096], conf_err[4400];
    const char *conf = ctl_config_path(ctl.cfg, conf_buf, sizeof conf_buf);
    if (conf && ent_config_load_file(ctl.cfg, conf, conf_err, sizeof conf_err) < 0) {
        fprintf(stderr, "entretiensctl: saved defaults: %s\n", conf_err);
        if (n == 0 || strcmp(args[0], "config") != 0)
            goto done;
    }
    /* one trace for everything this command does (W3C traceparent from the
     * environment, as OpenTelemetry passes it to a child process, else a new
     * one): the daemons log it on every line of the work it causes */
    char trace[33];
    if (ent_traceparent_parse(getenv("TRACEPARENT"), trace) != 0)
        ent_trace_new(trace);
    ent_log_trace_set(trace);
    if (!ctl.as) {
        const char *as = ent_config_get(ctl.cfg, "ENTRETIENS_AS");
        ctl.as = as && *as ? as : NULL;
    }
    /* --lang before the command, or a saved ENTRETIENS_LANG, went through the
     * configuration; the environment's is read by ctl_lang_detect with the locale */
    const char *lang_src = ent_config_source(ctl.cfg, "ENTRETIENS_LANG");
    if (!lang && (strcmp(lang_src, "flag") == 0 || strcmp(lang_src, "file") == 0))
        lang = ent_config_get(ctl.cfg, "ENTRETIENS_LANG");
    ctl.lang_given = lang != NULL && strcmp(lang_src, "file") != 0;
    if (ctl_lang_detect(lang, &ctl.lang) != 0) {
        fprintf(stderr, "entretiensctl: --lang '%s': fr or en\n", lang);
        goto done;
    }
    if (n == 0) {
        s_usage(help ? stdout : stderr, ctl.cfg);
        status = help ? CTL_OK : CTL_USAGE;
        goto done;
    }
    const ctl_command_t *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(args[0], s_commands[i].name) == 0)
            cmd = &s_commands[i];
    if (!cmd) {
        fprintf(stderr, "entretiensctl: unknown command '%s'\n", args[0]);
        s_usage(stderr, NULL);
        goto done;
    }
    if (help) {
        printf("usage: entretiensctl %s [--json]\n%s\n", cmd->usage, cmd->help);
        const char *details = ctl_scheduler_details(cmd->name);
        if (!details)
            details = ctl_records_details(cmd->name);
        if (!details)
            details = ctl_calendar_details(cmd->name);
        if (!details)
            details = ctl_import_details(cmd->name);
        if (!details)
            details = ctl_analytics_details(cmd->name);
        if (!details)
            details = ctl_notifier_details(cmd->name);
        if (!details)
            details = ctl_keys_details(cmd->name);
        if (!details)
            details = ctl_gateway_details(cmd->name);
        if (!details)
            details = ctl_config_details(cmd->name);
        if (!details)
            details = ctl_subject_details(cmd->name);
        if (details)
            printf("\n%s", details);
        status = CTL_OK;
        goto done;
    }
    ctl.zctx = zmq_ctx_new();
    status = cmd->fn(&ctl, n, args);
done:
    for (int i = 0; i < CTL_CLIENTS; i++)
        ent_rpc_client_destroy(&ctl.clients[i]);
    if (ctl.zctx)
        zmq_ctx_term(ctl.zctx);
    ent_keyring_destroy(&ctl.ring);
    explicit_bzero(&ctl.own, sizeof ctl.own);
    free(args);
    ent_config_destroy(&ctl.cfg);
    return status;
}
