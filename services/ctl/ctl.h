/*  ctl.h — what every entretiensctl command shares: configuration (the same
 *  ENTRETIENS_* contract as the daemons), one RPC client per daemon, the
 *  caller identity (--as), and output (--json or tables for humans).
 */
#ifndef ENT_CTL_H
#define ENT_CTL_H

#include "lang.h"
#include "common/config.h"
#include "common/keys.h"
#include "common/msg_json.h"
#include "common/rpc.h"
#include "proto/notifier.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <jansson.h>
#include <stdbool.h>

#define CTL_DAEMONS 4
extern const char *const ctl_daemon_names[CTL_DAEMONS]; /* scheduler records notifier analytics */
/* The clients: one per daemon, and the gateway's (user, apikey commands). */
#define CTL_CLIENTS (CTL_DAEMONS + 1)

typedef struct {
    ent_config_t *cfg;
    void *zctx;
    bool json;                 /* --json: machine-readable output on stdout */
    const char *as;            /* --as ID: the caller principal */
    ctl_lang_t lang;           /* --lang, ENTRETIENS_LANG or the locale (lang.h) */
    bool lang_given;           /* --lang was on the command line (wherever it stood) */
    int timeout_ms;
    bool color;                /* stdout is a TTY */
    ent_rpc_client_t *clients[CTL_CLIENTS];
    /* the client key (ENTRETIENS_KEYS_DIR, ENTRETIENS_CLIENT_KEY), loaded
     * on the first call; none with ENTRETIENS_INSECURE=1 */
    bool keys_loaded, insecure;
    ent_keyring_t *ring;
    ent_keypair_t own;
} ctl_t;

/* Writes len bytes of data to path through a temporary file (path.tmp.PID)
 * renamed over it, so that an interrupted run never leaves half a file;
 * "-" = stdout.  cmd names the command in the error.  Returns 0, or -1
 * (printed on stderr). */
int ctl_write_file(const char *cmd, const char *path, const void *data, size_t len);

/* Exit statuses of every command. */
enum { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2 };

/* The client of a daemon ("scheduler" ... or "gateway"), connected on first use with the
 * client key; NULL (said on stderr) for an unknown name or when the key
 * cannot be loaded. */
ent_rpc_client_t *ctl_client(ctl_t *ctl, const char *daemon);

/* A new client of a daemon with its own timeout (the caller destroys it);
 * NULL as for ctl_client. */
ent_rpc_client_t *ctl_client_new(ctl_t *ctl, const char *daemon, int timeout_ms);

/* The CLI's own configuration variables (ENTRETIENS_CLIENT_KEY,
 * ENTRETIENS_AS, ENTRETIENS_LANG, ENTRETIENS_CTL_CONFIG). */
const ent_config_var_t *ctl_config_vars(size_t *n);

/* config path | show | set | unset (cmd_config.c): the saved defaults. */
#define CTL_CONFIG_USAGE "config path | config show | config set NAME VALUE | config unset NAME"
int ctl_cmd_config(ctl_t *ctl, int argc, char **argv);
const char *ctl_config_details(const char *command);
/* The settings the CLI reads (ENTRETIENS_... names), *n their number: what
 * --help and `config show` list. */
const char *const *ctl_config_settings(size_t *n);
/* The saved-defaults file (written into buf, returned), or NULL when there
 * is none (no ENTRETIENS_CTL_CONFIG, XDG_CONFIG_HOME nor HOME). */
const char *ctl_config_path(const ent_config_t *cfg, char *buf, size_t size);

/* Calls method on daemon.  Returns 0 when the service answered OK (out
 * holds the payload), else prints the error (service, code, field, message)
 * on stderr and returns -1. */
int ctl_call(ctl_t *ctl, const char *daemon, const char *method, const ProtobufCMessage *msg,
             ent_rpc_result_t *out);

/* Prints a JSON value on stdout (indented) and releases it. */
void ctl_print_json(json_t *value);

/* A command: argv[0] is the command's own name (e.g. "clock"). */
typedef int (*ctl_cmd_fn)(ctl_t *ctl, int argc, char **argv);

typedef struct {
    const char *name;
    ctl_cmd_fn fn;
    const char *usage;     /* "clock show | clock set DATE" */
    const char *help;      /* one line */
} ctl_command_t;

/* Commands, one file per family. */
int ctl_cmd_health(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_clock(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_backup(ctl_t *ctl, int argc, char **argv);

/* cmd_keys.c: CurveZMQ keys (docs/cli.md, docs/operations.md "Security"). */
int ctl_cmd_keys(ctl_t *ctl, int argc, char **argv);
const char *ctl_keys_details(const char *command);

/* cmd_scheduler.c: the scheduler's commands (docs/cli.md). */
int ctl_cmd_demo(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_ingest(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_policy(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_obligations(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_employee(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_due(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_deadlines(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_campaign(ctl_t *ctl, int argc, char **argv);
/* cmd_campaign.c: campaign progress|remind (records', the notifier's).
 * *handled false: argv is another campaign subcommand, nothing done. */
int ctl_campaign_more(ctl_t *ctl, int argc, char **argv, bool *handled);
int ctl_cmd_deadletters(ctl_t *ctl, int argc, char **argv);
/* The long help of a scheduler command (arguments, output, exit statuses)
 * printed by COMMAND --help, or NULL. */
const char *ctl_scheduler_details(const char *command);

/* cmd_records.c: records' commands (docs/cli.md). */
int ctl_cmd_interview(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_template(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_audit(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_access(ctl_t *ctl, int argc, char **argv);
const char *ctl_records_details(const char *command);

/* cmd_calendar.c: calendar export (iCalendar); cmd_import.c: import
 * employees (HRIS CSV) (docs/cli.md). */
int ctl_cmd_calendar(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_import(ctl_t *ctl, int argc, char **argv);
const char *ctl_calendar_details(const char *command);
const char *ctl_import_details(const char *command);

/* cmd_analytics.c: stats (docs/cli.md, docs/analytics.md). */
int ctl_cmd_stats(ctl_t *ctl, int argc, char **argv);
const char *ctl_analytics_details(const char *command);

/* cmd_gateway.c: the gateway's local accounts and API keys (docs/cli.md,
 * docs/gateway.md). */
int ctl_cmd_user(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_apikey(ctl_t *ctl, int argc, char **argv);
const char *ctl_gateway_details(const char *command);

/* cmd_notifier.c: notifications (docs/cli.md, docs/notifier.md). */
int ctl_cmd_notifications(ctl_t *ctl, int argc, char **argv);

/* The data subject's rights (cmd_subject.c, docs/data-protection.md). */
int ctl_cmd_subject(ctl_t *ctl, int argc, char **argv);
const char *ctl_subject_details(const char *command);

const char *ctl_notifier_details(const char *command);

#endif
