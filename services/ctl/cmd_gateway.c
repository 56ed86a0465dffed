/*  cmd_gateway.c — entretiensctl user ... and apikey ...: the gateway's
 *  local accounts and API keys, through its operator methods
 *  (proto/gateway.proto, ENTRETIENS_GATEWAY_RPC, the operator's key).
 *
 *  Passwords are read from a prompt (a terminal, echo off, asked twice) or
 *  from the first line of stdin (scripts), never from argv (ps and shell
 *  histories show argv), and hashed here with Argon2id: only the hash
 *  travels to the gateway.
 */
#include "args.h"
#include "ctl.h"

#include "common/event_json.h"
#include "common/password.h"
#include "proto/gateway.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define USER_USAGE "user add LOGIN --principal P | user passwd LOGIN | user disable LOGIN | user enable LOGIN | user list"
#define APIKEY_USAGE "apikey create --principal P --scope S [--scope S ...] [--label TEXT] | apikey list | apikey revoke ID"

/* One line from stdin into buf (without its newline), echo off when a
 * terminal.  Returns its length, or -1 at end of input. */
static ssize_t s_read_line(const char *prompt, char *buf, size_t size)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t) ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = false;
        }
    }
    char *got = fgets(buf, (int) size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return (ssize_t) n;
}

/* Reads and hashes a new password.  Returns 0, or CTL_USAGE / CTL_FAILED
 * after saying why. */
static int s_new_password(const char *cmd, char hash[ENT_PASSWORD_HASH_MAX])
{
    char pw[ENT_PASSWORD_MAX + 2], again[ENT_PASSWORD_MAX + 2];
    int rc = CTL_OK;
    ssize_t n = s_read_line("new password: ", pw, sizeof pw);
    if (n < 0) {
        rc = ctl_bad(cmd, "no password on stdin (a prompt on a terminal, else the first line of stdin)");
        goto done;
    }
    const char *weak = ent_password_weakness(pw, (size_t) n);
    if (weak) {
        rc = ctl_bad(cmd, "%s", weak);
        goto done;
    }
    if (isatty(STDIN_FILENO)) {
        ssize_t m = s_read_line("again: ", again, sizeof again);
        if (m != n || memcmp(pw, again, (size_t) n) != 0) {
            rc = ctl_bad(cmd, "the two passwords differ");
            goto done;
        }
    }
    if (ent_password_hash(pw, (size_t) n, hash) != 0) {
        fprintf(stderr, "entretiensctl: %s: cannot hash the password (out of memory?)\n", cmd);
        rc = CTL_FAILED;
    }
done:
    explicit_bzero(pw, sizeof pw);
    explicit_bzero(again, sizeof again);
    return rc;
}

static const char *s_time(int64_t ms, char *buf, size_t size)
{
    return ms ? ent_time_str(ms, buf, size) : "-";
}

static int s_user_list(ctl_t *ctl)
{
    Entretiens__V1__UserRequest q = ENTRETIENS__V1__USER_REQUEST__INIT;
    Entretiens__V1__UserList *l =
        ctl_call_unpack(ctl, "gateway", "gateway.user.list", &q.base, &entretiens__v1__user_list__descriptor);
    if (!l)
        return CTL_FAILED;
    int64_t now = (int64_t) time(NULL) * 1000;
    json_t *arr = json_array();
    for (size_t i = 0; i < l->n_accounts; i++) {
        Entretiens__V1__Account *a = l->accounts[i];
        char b2[48];
        bool locked = a->locked_until_ms > now;
        if (ctl->json) {
            json_array_append_new(arr, json_pack("{s:o, s:o, s:b, s:b, s:o, s:o}", "login", ent_json_str(a->login),
                                                 "principal", ent_json_str(a->principal), "disabled", a->disabled,
                                                 "locked", locked, "created", ent_msgjson_time(a->created_ms),
                                                 "last_login", ent_msgjson_time(a->last_login_ms)));
        } else {
            printf("%-24s %-24s %-9s last login %s\n", a->login, a->principal,
                   a->disabled ? "disabled" : locked ? "locked" : "active", s_time(a->last_login_ms, b2, sizeof b2));
        }
    }
    if (ctl->json)
        ctl_print_json(arr);
    else
        json_decref(arr);
    entretiens__v1__user_list__free_unpacked(l, NULL);
    return CTL_OK;
}

int ctl_cmd_user(ctl_t *ctl, int argc, char **argv)
{
    const char *principal = NULL, *pos[2];
    int np = 0;
    ctl_opt_t opts[] = { CTL_OPT("--principal", &principal) };
    int rc = ctl_args_parse("user", USER_USAGE, argc, argv, 1, opts, 1, pos, 2, &np);
    if (rc)
        return rc;
    if (np == 1 && strcmp(pos[0], "list") == 0)
        return s_user_list(ctl);
    if (np != 2)
        return ctl_usage(USER_USAGE);
    const char *verb = pos[0], *login = pos[1];
    bool add = strcmp(verb, "add") == 0, passwd = strcmp(verb, "passwd") == 0;
    if (add && !principal)
        return ctl_bad("user add", "--principal ROLE:ID is required (employee:E000123, manager:E7, hr:alice, admin:root)");
    if (!add && principal)
        return ctl_bad("user", "--principal is for user add only");
    ent_rpc_result_t r;
    if (add || passwd) {
        char hash[ENT_PASSWORD_HASH_MAX];
        rc = s_new_password(add ? "user add" : "user passwd", hash);
        if (rc)
            return rc;
        Entretiens__V1__UserSetRequest q = ENTRETIENS__V1__USER_SET_REQUEST__INIT;
        q.login = (char *) login;
        q.principal = (char *) (principal ? principal : "");
        q.password_hash = hash;
        rc = ctl_call(ctl, "gateway", add ? "gateway.user.add" : "gateway.user.passwd", &q.base, &r);
        explicit_bzero(hash, sizeof hash);
    } else if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) {
        Entretiens__V1__UserRequest q = ENTRETIENS__V1__USER_REQUEST__INIT;
        q.login = (char *) login;
        rc = ctl_call(ctl, "gateway", verb[0] == 'd' ? "gateway.user.disable" : "gateway.user.enable", &q.base, &r);
    } else {
        return ctl_usage(USER_USAGE);
    }
    if (rc != 0)
        return CTL_FAILED;
    ent_rpc_result_clear(&r);
    if (ctl->json)
        ctl_print_json(json_pack("{s:s, s:o}", "done", verb, "login", ent_json_str(login)));
    else
        printf("%s: account '%s'%s\n", verb, login,
               add ? " created" : passwd ? ": new password set, its sessions ended" : "");
    return CTL_OK;
}

static json_t *s_key_json(const Entretiens__V1__ApiKey *k)
{
    json_t *scopes = json_array();
    for (size_t i = 0; i < k->n_scopes; i++)
        json_array_append_new(scopes, ent_json_str(k->scopes[i]));
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:o}", "id", ent_json_str(k->id), "principal",
                     ent_json_str(k->principal), "scopes", scopes, "label", ent_json_str(k->label), "revoked",
                     k->revoked, "created", ent_msgjson_time(k->created_ms));
}

int ctl_cmd_apikey(ctl_t *ctl, int argc, char **argv)
{
    const char *principal = NULL, *label = NULL, *scopes[64], *pos[2];
    size_t nscopes = 0;
    int np = 0;
    ctl_opt_t opts[] = { CTL_OPT("--principal", &principal), CTL_OPT("--label", &label),
                         CTL_MANY("--scope", scopes, &nscopes) };
    int rc = ctl_args_parse("apikey", APIKEY_USAGE, argc, argv, 1, opts, 3, pos, 2, &np);
    if (rc)
        return rc;
    if (np == 1 && strcmp(pos[0], "create") == 0) {
        if (!principal || !nscopes)
            return ctl_bad("apikey create", "--principal ROLE:ID and at least one --scope (ingest, read, write)");
        Entretiens__V1__ApiKeyCreateRequest q = ENTRETIENS__V1__API_KEY_CREATE_REQUEST__INIT;
        q.principal = (char *) principal;
        q.scopes = (char **) scopes;
        q.n_scopes = nscopes;
        q.label = (char *) (label ? label : "");
        Entretiens__V1__ApiKeyCreateReply *rep = ctl_call_unpack(ctl, "gateway", "gateway.apikey.create", &q.base,
                                                                 &entretiens__v1__api_key_create_reply__descriptor);
        if (!rep || !rep->key)
            return CTL_FAILED;
        if (ctl->json) {
            json_t *o = s_key_json(rep->key);
            json_object_set_new(o, "token", json_string(rep->token));
            ctl_print_json(o);
        } else {
            printf("%s\n", rep->token);
            fprintf(stderr, "API key %s for %s created; the token above is shown once (stored hashed): "
                            "send it as 'Authorization: Bearer <token>'\n", rep->key->id, rep->key->principal);
        }
        explicit_bzero(rep->token, strlen(rep->token));
        entretiens__v1__api_key_create_reply__free_unpacked(rep, NULL);
        return CTL_OK;
    }
    if (principal || label || nscopes)
        return ctl_bad("apikey", "--principal, --scope and --label are for apikey create");
    if (np == 1 && strcmp(pos[0], "list") == 0) {
        Entretiens__V1__ApiKeyRequest q = ENTRETIENS__V1__API_KEY_REQUEST__INIT;
        Entretiens__V1__ApiKeyList *l = ctl_call_unpack(ctl, "gateway", "gateway.apikey.list", &q.base,
                                                        &entretiens__v1__api_key_list__descriptor);
        if (!l)
            return CTL_FAILED;
        json_t *arr = json_array();
        for (size_t i = 0; i < l->n_keys; i++)
            json_array_append_new(arr, s_key_json(l->keys[i]));
        if (ctl->json) {
            ctl_print_json(arr);
        } else {
            size_t i;
            json_t *v;
            json_array_foreach(arr, i, v) {
                char *sc = json_dumps(json_object_get(v, "scopes"), JSON_COMPACT);
                printf("%-16s %-24s %-24s %s%s\n", json_string_value(json_object_get(v, "id")),
                       json_string_value(json_object_get(v, "principal")), sc ? sc : "",
                       json_is_true(json_object_get(v, "revoked")) ? "revoked " : "",
                       json_string_value(json_object_get(v, "label")));
                free(sc);
            }
            json_decref(arr);
        }
        entretiens__v1__api_key_list__free_unpacked(l, NULL);
        return CTL_OK;
    }
    if (np == 2 && strcmp(pos[0], "revoke") == 0) {
        Entretiens__V1__ApiKeyRequest q = ENTRETIENS__V1__API_KEY_REQUEST__INIT;
        q.id = (char *) pos[1];
        ent_rpc_result_t r;
        if (ctl_call(ctl, "gateway", "gateway.apikey.revoke", &q.base, &r) != 0)
            return CTL_FAILED;
        ent_rpc_result_clear(&r);
        if (ctl->json)
            ctl_print_json(json_pack("{s:s, s:o}", "revoked", "yes", "id", ent_json_str(pos[1])));
        else
            printf("API key %s revoked\n", pos[1]);
        return CTL_OK;
    }
    return ctl_usage(APIKEY_USAGE);
}

const char *ctl_gateway_details(const char *command)
{
    if (strcmp(command, "user") == 0)
        return "  user add LOGIN --principal P     a local account of the gateway acting as P (employee:E000123,\n"
               "                                   manager:E7, hr:alice, admin:root); the password is read from a\n"
               "                                   prompt (a terminal) or the first line of stdin, never argv,\n"
               "                                   and hashed here (Argon2id): only the hash is sent\n"
               "  user passwd LOGIN                a new password (unlocks the account, ends its sessions)\n"
               "  user disable LOGIN | enable LOGIN  no more logins (sessions ended) / again\n"
               "  user list                        login, principal, state, last login (--json)\n"
               "  Calls the gateway (ENTRETIENS_GATEWAY_RPC) with the operator's key.  Exit: 0, 1 failed, 2 usage.\n";
    if (strcmp(command, "apikey") == 0)
        return "  apikey create --principal P --scope S [--scope S] [--label TEXT]\n"
               "      a key for another system; scopes: ingest (POST /api/v1/events, imports), read (GET),\n"
               "      write (other changes).  The token is printed once on stdout and stored hashed.\n"
               "  apikey list | apikey revoke ID\n"
               "  Calls the gateway (ENTRETIENS_GATEWAY_RPC) with the operator's key.  Exit: 0, 1 failed, 2 usage.\n";
    return NULL;
}
