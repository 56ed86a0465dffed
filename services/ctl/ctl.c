/*  ctl.c — shared plumbing of entretiensctl (see ctl.h). */
#include "ctl.h"

#include "common/event_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const ctl_daemon_names[CTL_DAEMONS] = { "scheduler", "records", "notifier", "analytics" };

static const ent_config_var_t s_vars[] = {
    { "ENTRETIENS_CLIENT_KEY", "operator",
      "the CLI's key: a name in ENTRETIENS_KEYS_DIR (NAME.secret) or the path of a .secret file" },
    { "ENTRETIENS_AS", NULL, "the principal to act as when --as is not given (employee:ID, manager:ID, hr:ID, admin:ID)" },
    { "ENTRETIENS_LANG", NULL, "fr | en: language of tables, labels and reasons when --lang is not given; else the locale" },
    { "ENTRETIENS_CTL_CONFIG", NULL,
      "file of saved defaults (NAME=VALUE); default $XDG_CONFIG_HOME/entretiens/entretiensctl.conf or "
      "~/.config/entretiens/entretiensctl.conf" },
};

const ent_config_var_t *ctl_config_vars(size_t *n)
{
    *n = sizeof s_vars / sizeof s_vars[0];
    return s_vars;
}

/* Loads the key ring and the client key once.  Returns 0, or -1 (said). */
static int s_keys(ctl_t *ctl)
{
    if (ctl->keys_loaded)
        return ctl->ring || ctl->insecure ? 0 : -1;
    ctl->keys_loaded = true;
    bool ok;
    if (ent_config_get_int(ctl->cfg, "ENTRETIENS_INSECURE", 0, &ok) == 1 && ok) {
        ctl->insecure = true;
        return 0;
    }
    char dir[4096], err[512];
    ent_config_keys_dir(ctl->cfg, dir, sizeof dir);
    const char *key = ent_config_get(ctl->cfg, "ENTRETIENS_CLIENT_KEY");
    ent_keyring_t *ring = ent_keyring_load(dir, err, sizeof err);
    int rc = ring ? 0 : -1;
    if (!rc)
        rc = ent_keypair_load_client(dir, key, &ctl->own, err, sizeof err);
    if (rc) {
        fprintf(stderr,
                "entretiensctl: no client key: %s\n  (ENTRETIENS_KEYS_DIR=%s, ENTRETIENS_CLIENT_KEY=%s; create keys "
                "with `entretiensctl keys init DIR`)\n",
                err, dir, key);
        ent_keyring_destroy(&ring);
        return -1;
    }
    ctl->ring = ring;
    return 0;
}

ent_rpc_client_t *ctl_client_new(ctl_t *ctl, const char *daemon, int timeout_ms)
{
    if (s_keys(ctl) != 0)
        return NULL;
    ent_curve_client_t curve;
    if (!ctl->insecure && ent_keyring_client(ctl->ring, &ctl->own, daemon, &curve) != 0) {
        fprintf(stderr, "entretiensctl: the keys directory has no public key for %s (%s.pub)\n", daemon, daemon);
        return NULL;
    }
    ent_rpc_client_t *c = ent_rpc_client_new(ctl->zctx, ent_config_endpoint(ctl->cfg, daemon, "RPC"), timeout_ms,
                                             ctl->insecure ? NULL : &curve);
    explicit_bzero(&curve, sizeof curve);
    return c;
}

ent_rpc_client_t *ctl_client(ctl_t *ctl, const char *daemon)
{
    for (int i = 0; i < CTL_DAEMONS; i++)
        if (strcmp(ctl_daemon_names[i], daemon) == 0) {
            if (!ctl->clients[i])
                ctl->clients[i] = ctl_client_new(ctl, daemon, ctl->timeout_ms);
            return ctl->clients[i];
        }
    if (strcmp(daemon, "gateway") == 0) {
        if (!ctl->clients[CTL_DAEMONS])
            ctl->clients[CTL_DAEMONS] = ctl_client_new(ctl, daemon, ctl->timeout_ms);
        return ctl->clients[CTL_DAEMONS];
    }
    return NULL;
}

int ctl_call(ctl_t *ctl, const char *daemon, const char *method, const ProtobufCMessage *msg,
             ent_rpc_result_t *out)
{
    ent_rpc_client_t *c = ctl_client(ctl, daemon);
    if (!c) {
        memset(out, 0, sizeof *out);
        fprintf(stderr, "entretiensctl: cannot reach %s\n", daemon);
        return -1;
    }
    ent_rpc_client_call_msg(c, method, ctl->as ? ctl->as : "", msg, out);
    if (out->code == ENT_OK)
        return 0;
    fprintf(stderr, "entretiensctl: %s %s: %s%s%s%s: %s\n", daemon, method, ent_code_name(out->code),
            out->field[0] ? " (field " : "", out->field, out->field[0] ? ")" : "", out->message);
    ent_rpc_result_clear(out);
    return -1;
}

void ctl_print_json(json_t *value)
{
    if (!value)
        return;
    char *s = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        printf("%s\n", s);
        free(s);
    }
    json_decref(value);
}

int ctl_write_file(const char *cmd, const char *path, const void *data, size_t len)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "entretiensctl: %s: writing stdout failed: %s\n", cmd, strerror(errno));
            return -1;
        }
        return 0;
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.%ld", path, (long) getpid()) < 0)
        return -1;
    FILE *f = fopen(tmp, "wb");
    int rc = 0;
    if (!f || fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (!rc && rename(tmp, path) != 0)
        rc = -1;
    if (rc) {
        fprintf(stderr, "entretiensctl: %s: cannot write '", cmd);
        ent_fputs_clean(path, stderr);
        fprintf(stderr, "': %s\n", strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

