/*  gw_admin.c — the gateway's operator methods (proto/gateway.proto),
 *  called by entretiensctl user ... / apikey ... with the operator's key:
 *  audience ENT_RPC_OPERATOR (keys bound to an admin principal).  They run
 *  in the daemon's turns, in the turn's transaction.
 */
#include "gateway.h"

#include "common/log.h"
#include "common/password.h"
#include "gw_store.h"

#include <string.h>

static bool s_login_valid(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    if (n == 0 || n > 64)
        return false;
    for (const char *p = login; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '_' || *p == '@' || *p == '-'))
            return false;
    return true;
}

static bool s_hash_valid(const char *h)
{
    return h && strncmp(h, "$argon2id$", 10) == 0 && strlen(h) < ENT_PASSWORD_HASH_MAX;
}

#define UNPACK(type, name, call)                                                                                   \
    Entretiens__V1__##type *name = ent_rpc_unpack(call, &entretiens__v1__##name##__descriptor);                   \
    if (!name)                                                                                                     \
        return 0; /* answered INVALID_ARGUMENT */

static int s_user_set(ent_rpc_call_t *call, gw_t *gw, bool add)
{
    Entretiens__V1__UserSetRequest *q = ent_rpc_unpack(call, &entretiens__v1__user_set_request__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    int rc = 0;
    Entretiens__V1__Account *a = NULL;
    ent_principal_t p;
    const char *why = NULL;
    if (!s_login_valid(q->login)) {
        ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "login", "a login has 1 to 64 of letters, digits, . _ @ -");
        goto done;
    }
    if (!s_hash_valid(q->password_hash)) {
        ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "password_hash", "an Argon2id hash (crypto_pwhash_str) is expected");
        goto done;
    }
    if (add && ent_principal_parse(q->principal, &p, &why) != 0) {
        ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "principal", "%s", why);
        goto done;
    }
    if (add && p.role == ENT_ROLE_SERVICE) {
        ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "principal", "a machine signs in with an API key, not a password");
        goto done;
    }
    rc = gw_account_get(call->txn, &gw->st, q->login, &a);
    if (rc && rc != MDB_NOTFOUND)
        goto done;
    if (add && rc == 0) {
        rc = 0;
        ent_rpc_fail(call, ENT_ALREADY_EXISTS, "login", "an account '%s' exists (user passwd changes its password)",
                     q->login);
        goto done;
    }
    if (!add && rc == MDB_NOTFOUND) {
        rc = 0;
        ent_rpc_fail(call, ENT_NOT_FOUND, "login", "no account '%s'", q->login);
        goto done;
    }
    Entretiens__V1__Account fresh = ENTRETIENS__V1__ACCOUNT__INIT;
    Entretiens__V1__Account *w = add ? &fresh : a;
    if (add) {
        fresh.login = q->login;
        fresh.principal = q->principal;
        fresh.created_ms = gw_now_ms();
    }
    char *old_hash = w->password_hash;
    w->password_hash = q->password_hash;
    w->failures = 0;
    w->locked_until_ms = 0;     /* a new password unlocks */
    rc = gw_account_put(call->txn, &gw->st, w);
    w->password_hash = old_hash;
    size_t ended = 0;
    if (!rc && !add)
        rc = gw_session_del_login(call->txn, &gw->st, q->login, &ended); /* a new password ends every session */
    if (rc)
        goto done;
    ent_log_info(add ? "auth.user.added" : "auth.user.password", "account '%s' %s by %s%s", q->login,
                 add ? "created" : "given a new password", call->caller, ended ? "; its sessions ended" : "");
    rc = ent_rpc_ok(call, NULL);
done:
    if (a)
        entretiens__v1__account__free_unpacked(a, NULL);
    entretiens__v1__user_set_request__free_unpacked(q, NULL);
    return rc;
}

static int s_user_add(ent_rpc_call_t *call, void *arg) { return s_user_set(call, arg, true); }
static int s_user_passwd(ent_rpc_call_t *call, void *arg) { return s_user_set(call, arg, false); }

static int s_user_enable(ent_rpc_call_t *call, gw_t *gw, bool disable)
{
    UNPACK(UserRequest, user_request, call);
    Entretiens__V1__Account *a = NULL;
    int rc = gw_account_get(call->txn, &gw->st, user_request->login, &a);
    size_t ended = 0;
    if (rc == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "login", "no account '%s'", user_request->login);
        goto done;
    }
    if (rc)
        goto done;
    a->disabled = disable;
    a->failures = 0;
    a->locked_until_ms = 0;
    rc = gw_account_put(call->txn, &gw->st, a);
    if (!rc && disable)
        rc = gw_session_del_login(call->txn, &gw->st, a->login, &ended);
    if (rc)
        goto done;
    ent_log_info(disable ? "auth.user.disabled" : "auth.user.enabled", "account '%s' %s by %s (%zu sessions ended)",
                 a->login, disable ? "disabled" : "enabled", call->caller, ended);
    rc = ent_rpc_ok(call, NULL);
done:
    if (a)
        entretiens__v1__account__free_unpacked(a, NULL);
    entretiens__v1__user_request__free_unpacked(user_request, NULL);
    return rc;
}

static int s_user_disable(ent_rpc_call_t *call, void *arg) { return s_user_enable(call, arg, true); }
static int s_user_enable_m(ent_rpc_call_t *call, void *arg) { return s_user_enable(call, arg, false); }

static int s_user_list(ent_rpc_call_t *call, void *arg)
{
    gw_t *gw = arg;
    Entretiens__V1__UserList *l = NULL;
    int rc = gw_account_list(call->txn, &gw->st, &l);
    if (!rc)
        rc = ent_rpc_ok(call, &l->base);
    if (l)
        entretiens__v1__user_list__free_unpacked(l, NULL);
    return rc;
}

static int s_key_create(ent_rpc_call_t *call, void *arg)
{
    gw_t *gw = arg;
    UNPACK(ApiKeyCreateRequest, api_key_create_request, call);
    Entretiens__V1__ApiKeyCreateRequest *q = api_key_create_request;
    int rc = 0;
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(q->principal, &p, &why) != 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "principal", "%s", why);
        goto done;
    }
    if (q->n_scopes == 0) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "scopes", "at least one scope: ingest, read, write");
        goto done;
    }
    for (size_t i = 0; i < q->n_scopes; i++)
        if (!gw_scope_valid(q->scopes[i])) {
            rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "scopes", "unknown scope '%s' (ingest, read, write)",
                              q->scopes[i]);
            goto done;
        }
    char id[GW_KEY_ID_TEXT], token[GW_APIKEY_TEXT];
    if (gw_apikey_new(id, token) != 0) {
        rc = ent_rpc_fail(call, ENT_INTERNAL, NULL, "no random source");
        goto done;
    }
    uint8_t h[GW_HASH_BYTES];
    gw_token_hash(token, strlen(token), h);
    Entretiens__V1__ApiKey k = ENTRETIENS__V1__API_KEY__INIT;
    k.id = id;
    k.principal = q->principal;
    k.scopes = q->scopes;
    k.n_scopes = q->n_scopes;
    k.secret_hash.data = h;
    k.secret_hash.len = sizeof h;
    k.created_ms = gw_now_ms();
    k.label = q->label;
    rc = gw_apikey_put(call->txn, &gw->st, &k);
    if (rc)
        goto done;
    k.secret_hash.len = 0;
    Entretiens__V1__ApiKeyCreateReply rep = ENTRETIENS__V1__API_KEY_CREATE_REPLY__INIT;
    rep.key = &k;
    rep.token = token;
    ent_log_info("auth.apikey.created", "API key %s for %s created by %s", id, q->principal, call->caller);
    rc = ent_rpc_ok(call, &rep.base);
    explicit_bzero(token, sizeof token);
done:
    entretiens__v1__api_key_create_request__free_unpacked(q, NULL);
    return rc;
}

static int s_key_list(ent_rpc_call_t *call, void *arg)
{
    gw_t *gw = arg;
    Entretiens__V1__ApiKeyList *l = NULL;
    int rc = gw_apikey_list(call->txn, &gw->st, &l);
    if (!rc)
        rc = ent_rpc_ok(call, &l->base);
    if (l)
        entretiens__v1__api_key_list__free_unpacked(l, NULL);
    return rc;
}

static int s_key_revoke(ent_rpc_call_t *call, void *arg)
{
    gw_t *gw = arg;
    UNPACK(ApiKeyRequest, api_key_request, call);
    Entretiens__V1__ApiKey *k = NULL;
    int rc = gw_apikey_get(call->txn, &gw->st, api_key_request->id, &k);
    if (rc == MDB_NOTFOUND) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no API key '%s'", api_key_request->id);
        goto done;
    }
    if (rc)
        goto done;
    k->revoked = true;
    rc = gw_apikey_put(call->txn, &gw->st, k);
    if (rc)
        goto done;
    ent_log_info("auth.apikey.revoked", "API key %s (%s) revoked by %s", k->id, k->principal, call->caller);
    rc = ent_rpc_ok(call, NULL);
done:
    if (k)
        entretiens__v1__api_key__free_unpacked(k, NULL);
    entretiens__v1__api_key_request__free_unpacked(api_key_request, NULL);
    return rc;
}

int gw_admin_register(gw_t *gw)
{
    static const struct { const char *name; ent_rpc_fn fn; } methods[] = {
        { "gateway.user.add", s_user_add },         { "gateway.user.passwd", s_user_passwd },
        { "gateway.user.disable", s_user_disable }, { "gateway.user.enable", s_user_enable_m },
        { "gateway.user.list", s_user_list },       { "gateway.apikey.create", s_key_create },
        { "gateway.apikey.list", s_key_list },      { "gateway.apikey.revoke", s_key_revoke },
    };
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        if (ent_daemon_method_for(gw->d, methods[i].name, ENT_RPC_OPERATOR, methods[i].fn, gw) != 0)
            return -1;
    return 0;
}
