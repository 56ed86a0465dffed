/*  cmd_keys.c — entretiensctl keys init | add | list: the CurveZMQ keys of
 *  the daemons and of their clients (common/keys.h, docs/operations.md
 *  "Security").  These commands work on files only; they call no daemon.
 */
#include "args.h"
#include "ctl.h"

#include <stdio.h>
#include <string.h>

/* The master key that wraps records' per-employee data keys. */
#define REC_MASTER_NAME "records"

#define KEYS_USAGE "keys init DIR | keys add DIR NAME --principal P [--assert] [--allow M,...] [--daemon] | keys list [DIR]"

/* The daemons a deployment runs: each gets a daemon key at init. */
static const char *const s_daemons[] = { "scheduler", "records", "notifier", "analytics" };
/* What a daemon's key may call on the others: replay their events, read
 * their heads. */
#define DAEMON_ALLOW "events.replay,health"
/* The gateway acts for signed-in people (assert=yes) on the methods of the
 * API's use cases only: never the operators' (grants, policies, clock,
 * backups), which also need an admin key (ENT_RPC_OPERATOR).  The HRIS dead
 * letters and the list of grants are named so that a signed-in
 * administrator reads them (ENT_RPC_ADMINS: the daemons refuse anyone
 * else). */
#define GATEWAY_ALLOW                                                                                              \
    "events.replay,health,scheduler.ingest,scheduler.obligations,scheduler.due,scheduler.employee,scheduler.employee.search,"               \
    "scheduler.campaign.*,records.interview.*,records.subject.export,records.template.list,records.template.show,records.template.import," \
    "notifier.list,notifier.show,notifier.retry,notifier.contact,notifier.prefs.set,notifier.campaign.remind,analytics.*," \
    "scheduler.deadletters,scheduler.deadletters.resubmit,records.access.list,records.access.grant,records.access.revoke"

static json_t *s_key_json(const ent_key_t *k)
{
    char fp[ENT_KEY_FINGERPRINT];
    ent_key_fingerprint(k->public_key, fp);
    return json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "name", k->name, "principal", k->principal, "public",
                     k->public_key, "assert", k->may_assert, "daemon", k->daemon, "allow", k->allow, "fingerprint",
                     fp);
}

/* Creates one key (pair + records).  Returns 0, or -1 (said). */
static int s_create(const char *dir, ent_key_t *key)
{
    ent_keypair_t pair;
    char err[512];
    if (ent_keypair_new(&pair) != 0) {
        fprintf(stderr, "entretiensctl: keys: this libzmq has no CURVE support\n");
        return -1;
    }
    memcpy(key->public_key, pair.public_key, sizeof key->public_key);
    int rc = ent_key_write(dir, key, &pair, err, sizeof err);
    explicit_bzero(&pair, sizeof pair);
    if (rc != 0)
        fprintf(stderr, "entretiensctl: keys: %s\n", err);
    return rc;
}

static bool s_exists(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

/* keys init DIR: a key for each daemon, the gateway's and the operator's; keys that
 * already exist are kept (so that a second run is harmless). */
static int s_init(ctl_t *ctl, const char *dir)
{
    json_t *created = json_array(), *kept = json_array();
    int rc = CTL_OK;
    size_t widened = 0; /* methods added to an existing gateway key */
    size_t nd = sizeof s_daemons / sizeof *s_daemons;
    for (size_t i = 0; i <= nd + 1; i++) {
        bool operator = i == nd + 1, gateway = i == nd;
        ent_key_t k = { .daemon = !operator, .may_assert = operator || gateway };
        snprintf(k.name, sizeof k.name, "%s", operator ? "operator" : gateway ? "gateway" : s_daemons[i]);
        if (operator)
            snprintf(k.principal, sizeof k.principal, "admin:operator");
        else
            snprintf(k.principal, sizeof k.principal, "service:%s", k.name);
        snprintf(k.allow, sizeof k.allow, "%s", operator ? "*" : gateway ? GATEWAY_ALLOW : DAEMON_ALLOW);
        if (s_exists(dir, k.name)) {
            json_array_append_new(kept, json_string(k.name));
            /* an older installation's gateway key gets the methods this
             * version's gateway calls (its other content untouched) */
            if (gateway) {
                char err[512];
                if (ent_key_widen_allow(dir, k.name, GATEWAY_ALLOW, &widened, err, sizeof err) != 0) {
                    fprintf(stderr, "entretiensctl: keys: %s\n", err);
                    rc = CTL_FAILED;
                    break;
                }
            }
            continue;
        }
        if (s_create(dir, &k) != 0) {
            rc = CTL_FAILED;
            break;
        }
        json_array_append_new(created, json_string(k.name));
    }
    /* records' master key (content at rest, rec_crypt.h): its own field in
     * the JSON, so that "created" and "existing" keep listing key pairs */
    bool master_existed = ent_master_key_exists(dir, REC_MASTER_NAME), master_ok = master_existed;
    if (rc == CTL_OK && !master_existed) {
        char err[512];
        master_ok = ent_master_key_create(dir, REC_MASTER_NAME, err, sizeof err) == 0;
        if (!master_ok) {
            fprintf(stderr, "entretiensctl: keys: %s\n", err);
            rc = CTL_FAILED;
        }
    }
    if (ctl->json) {
        ctl_print_json(json_pack("{s:s, s:o, s:o, s:{s:s, s:b, s:b}, s:I}", "dir", dir, "created", created, "existing",
                                 kept, "master", "name", REC_MASTER_NAME, "created", !master_existed && master_ok,
                                 "present", master_ok, "gateway_methods_added", (json_int_t) widened));
    } else {
        if (master_ok)
            printf("%s %s/%s.master (records' master key: content at rest)\n",
                   master_existed ? "kept   " : "created", dir, REC_MASTER_NAME);
        size_t i;
        json_t *v;
        json_array_foreach(created, i, v) printf("created %s/%s.pub and %s.secret\n", dir, json_string_value(v),
                                                 json_string_value(v));
        json_array_foreach(kept, i, v) printf("kept    %s/%s.pub (already there)\n", dir, json_string_value(v));
        if (widened)
            printf("updated %s/gateway.pub: %zu method(s) of this version's API added to its allow list; send SIGHUP "
                   "to the daemons (or restart them) to read it\n", dir, widened);
        json_decref(created);
        json_decref(kept);
    }
    return rc;
}

static int s_add(ctl_t *ctl, int argc, char **argv)
{
    static const char usage[] = "keys add DIR NAME --principal P [--assert] [--allow METHOD,...] [--daemon]";
    const char *principal = NULL, *allow = NULL, *pos[2];
    bool may_assert = false, daemon = false;
    int npos = 0;
    ctl_opt_t opts[] = { CTL_OPT("--principal", &principal), CTL_OPT("--allow", &allow),
                         CTL_FLAG("--assert", &may_assert), CTL_FLAG("--daemon", &daemon) };
    int rc = ctl_args_parse("keys add", usage, argc, argv, 2, opts, sizeof opts / sizeof *opts, pos, 2, &npos);
    if (rc)
        return rc;
    if (npos != 2)
        return ctl_usage(usage);
    ent_key_t k = { .may_assert = may_assert, .daemon = daemon };
    if (!ent_key_name_valid(pos[1]))
        return ctl_bad("keys add", "a key name has 1 to 64 of letters, digits, . _ - (not starting with .)");
    snprintf(k.name, sizeof k.name, "%s", pos[1]);
    if (!principal && daemon)
        snprintf(k.principal, sizeof k.principal, "service:%s", pos[1]);
    else if (principal && strlen(principal) < sizeof k.principal)
        snprintf(k.principal, sizeof k.principal, "%s", principal);
    else
        return ctl_bad("keys add", "--principal ROLE:ID is required (e.g. service:hris)");
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(k.principal, &p, &why) != 0)
        return ctl_bad("keys add", "--principal: %s", why);
    if (allow && (!*allow || strlen(allow) >= sizeof k.allow))
        return ctl_bad("keys add", "--allow: a comma-separated list of methods (or *), at most %zu bytes",
                       sizeof k.allow - 1);
    snprintf(k.allow, sizeof k.allow, "%s", allow ? allow : daemon ? DAEMON_ALLOW : "*");
    if (s_create(pos[0], &k) != 0)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *o = s_key_json(&k);
        json_object_set_new(o, "dir", json_string(pos[0]));
        ctl_print_json(o);
    } else {
        char fp[ENT_KEY_FINGERPRINT];
        ent_key_fingerprint(k.public_key, fp);
        printf("created %s/%s.pub and %s.secret (mode 0600): %s acts as %s%s, may call %s (fingerprint %s)\n",
               pos[0], k.name, k.name, k.name, k.principal, k.may_assert ? " and may act for others" : "", k.allow,
               fp);
        printf("copy %s.pub into every daemon's keys directory and send SIGHUP (or restart) to admit it\n",
               k.name);
    }
    return CTL_OK;
}

static int s_list(ctl_t *ctl, const char *dir)
{
    char err[512];
    ent_keyring_t *ring = ent_keyring_load(dir, err, sizeof err);
    if (!ring) {
        fprintf(stderr, "entretiensctl: keys list: %s\n", err);
        return CTL_FAILED;
    }
    json_t *arr = json_array();
    ent_key_t k;
    if (!ctl->json)
        printf("%-16s %-24s %-6s %-6s %-16s %s\n", "NAME", "PRINCIPAL", "ASSERT", "DAEMON", "FINGERPRINT", "ALLOW");
    for (size_t i = 0; ent_keyring_at(ring, i, &k) == 0; i++) {
        json_t *o = s_key_json(&k);
        if (!ctl->json)
            printf("%-16s %-24s %-6s %-6s %-16s %s\n", k.name, k.principal, k.may_assert ? "yes" : "no",
                   k.daemon ? "yes" : "no", json_string_value(json_object_get(o, "fingerprint")), k.allow);
        json_array_append_new(arr, o);
    }
    ent_keyring_destroy(&ring);
    if (ctl->json)
        ctl_print_json(arr);
    else
        json_decref(arr);
    return CTL_OK;
}

int ctl_cmd_keys(ctl_t *ctl, int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "init") == 0 && argc == 3)
        return s_init(ctl, argv[2]);
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return s_add(ctl, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0 && argc <= 3) {
        char dir[4096];
        return s_list(ctl, argc == 3 ? argv[2] : ent_config_keys_dir(ctl->cfg, dir, sizeof dir));
    }
    return ctl_usage(KEYS_USAGE);
}

const char *ctl_keys_details(const char *command)
{
    if (strcmp(command, "keys") != 0)
        return NULL;
    return "  keys init DIR\n"
           "      creates a key for each daemon (scheduler, records, notifier, analytics: principal\n"
           "      service:NAME, daemon=yes, allow " DAEMON_ALLOW ") and the operator's key (admin:operator,\n"
           "      may act for others with --as, allow *) and the gateway's (service:gateway, daemon=yes,\n"
           "      may act for the signed-in principal, allow the API's methods only); keys already there\n"
           "      are kept; and records' master key (records.master, mode 0600: it wraps the per-employee\n"
           "      keys of the content at rest; losing it loses that content), kept when there.\n"
           "  keys add DIR NAME --principal P [--assert] [--allow M,...] [--daemon]\n"
           "      a client key bound to principal P (e.g. --principal service:hris --allow scheduler.ingest);\n"
           "      --assert lets it act for other principals (the gateway); --daemon makes a daemon's key.\n"
           "  keys list [DIR]\n"
           "      the public records: name, principal, assert, daemon, allow, fingerprint (DIR: ENTRETIENS_KEYS_DIR).\n"
           "  Secret keys (NAME.secret) are written mode 0600 and never printed.  Exit: 0, 1 failed, 2 usage.\n";
}
