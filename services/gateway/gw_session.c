/*  gw_session.c — local login, sessions, logout, /me, and the
 *  authentication of every request (gw_api.h).  Passwords are verified
 *  outside any transaction (Argon2id takes ~0.1 s); the account is read
 *  again inside the write transaction that records the outcome, so that
 *  concurrent failures all count.
 */
#include "gw_api.h"

#include "common/event_json.h"

#include "common/log.h"
#include "common/password.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define BAD_LOGIN "login or password incorrect"

static int s_store_error(gw_resp_t *out, int rc)
{
    ent_log_error("gateway.store", "session store: %s", mdb_strerror(rc));
    return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the session store is unavailable");
}

/* Writes the outcome of a login attempt; on success creates the session.
 * Returns 0, or an LMDB code. */
static int s_record_attempt(gw_t *gw, const char *login, bool ok, bool *locked_now, Entretiens__V1__Session *sess,
                            const uint8_t hash[GW_HASH_BYTES])
{
    MDB_txn *txn;
    int rc = gw_store_write(&gw->st, &txn);
    if (rc)
        return rc;
    Entretiens__V1__Account *a = NULL;
    rc = gw_account_get(txn, &gw->st, login, &a);
    if (rc)
        goto fail;
    int64_t now = gw_now_ms();
    if (ok)
        gw_lockout_success(a, now);
    else
        *locked_now = gw_lockout_fail(a, &gw->lockout, now);
    rc = gw_account_put(txn, &gw->st, a);
    if (!rc && ok)
        rc = gw_session_put(txn, &gw->st, hash, sess);
    entretiens__v1__account__free_unpacked(a, NULL);
    if (rc)
        goto fail;
    return gw_store_commit(txn);
fail:
    gw_store_abort(txn);
    return rc;
}

static void s_cookie(gw_t *gw, gw_resp_t *out, const char *value, long max_age)
{
    snprintf(out->cookie, sizeof out->cookie, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", GW_COOKIE,
             value, max_age, gw->secure_cookies ? "; Secure" : "");
}

int gw_session_begin(gw_t *gw, gw_resp_t *out, const char *principal, const char *login, char csrf[GW_TOKEN_TEXT])
{
    char token[GW_TOKEN_TEXT];
    uint8_t hash[GW_HASH_BYTES];
    if (gw_token_new(token) != 0 || gw_token_new(csrf) != 0)
        return -1;
    gw_token_hash(token, strlen(token), hash);
    int64_t now = gw_now_ms();
    Entretiens__V1__Session sess = ENTRETIENS__V1__SESSION__INIT;
    sess.principal = (char *) principal;
    sess.login = (char *) login;
    sess.created_ms = now;
    sess.last_seen_ms = now;
    sess.csrf_token = csrf;
    MDB_txn *txn;
    int rc = gw_store_write(&gw->st, &txn);
    if (!rc) {
        rc = gw_session_put(txn, &gw->st, hash, &sess);
        if (rc)
            gw_store_abort(txn);
        else
            rc = gw_store_commit(txn);
    }
    if (rc) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    s_cookie(gw, out, token, (long) gw->sessions.absolute_seconds);
    sodium_memzero(token, sizeof token);
    return 0;
}

int gw_route_login(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    gw_t *gw = r->gw;
    json_t *body = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
    const char *login = json_string_value(json_object_get(body, "login"));
    const char *password = json_string_value(json_object_get(body, "password"));
    size_t plen = password ? json_string_length(json_object_get(body, "password")) : 0;
    if (!body || !json_is_object(body)) {
        json_decref(body);
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "a JSON object {\"login\", \"password\"}");
    }
    if (!login || !*login || strlen(login) > 64) {
        json_decref(body);
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "login", "a login of 1 to 64 characters is required");
    }
    if (!password || plen == 0 || plen > ENT_PASSWORD_MAX) {
        json_decref(body);
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "password", "a password is required");
    }
    char who[72];
    snprintf(who, sizeof who, "%s", login);
    MDB_txn *txn;
    Entretiens__V1__Account *a = NULL;
    int rc = gw_store_read(&gw->st, &txn);
    if (rc) {
        json_decref(body);
        return s_store_error(out, rc);
    }
    rc = gw_account_get(txn, &gw->st, login, &a);
    gw_store_abort(txn);
    int64_t now = gw_now_ms();
    uint32_t retry = 0;
    if (rc == 0 && gw_lockout_locked(a, now, &retry)) {
        entretiens__v1__account__free_unpacked(a, NULL);
        json_decref(body);
        gw_count(gw, GW_C_LOGIN_LOCKED);
        ent_log_warn("auth.login.locked", "login '%s' from %s refused: locked for %u more seconds", who, r->addr,
                     retry);
        out->retry_after = retry;
        return gw_resp_problem(out, 429, "LOCKED", "login",
                               "too many failed attempts: try again in %u seconds", retry);
    }
    bool ok = false;
    if (rc == 0 && !a->disabled)
        ok = ent_password_verify(a->password_hash, password, plen);
    else
        ent_password_burn(password, plen); /* the same time as a wrong password */
    json_decref(body);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return s_store_error(out, rc);
    if (rc == MDB_NOTFOUND || a->disabled) {
        gw_count(gw, GW_C_LOGIN_FAILED);
        ent_log_warn("auth.login.failed", "login '%s' from %s refused: %s", who, r->addr,
                     rc == MDB_NOTFOUND ? "no such account" : "account disabled");
        entretiens__v1__account__free_unpacked(a, NULL);
        return gw_resp_problem(out, 401, "UNAUTHENTICATED", NULL, BAD_LOGIN);
    }
    char token[GW_TOKEN_TEXT], csrf[GW_TOKEN_TEXT];
    uint8_t hash[GW_HASH_BYTES];
    Entretiens__V1__Session sess = ENTRETIENS__V1__SESSION__INIT;
    if (ok) {
        if (gw_token_new(token) != 0 || gw_token_new(csrf) != 0) {
            entretiens__v1__account__free_unpacked(a, NULL);
            return gw_resp_problem(out, 500, "INTERNAL", NULL, "no random source");
        }
        gw_token_hash(token, strlen(token), hash);
        sess.principal = a->principal;
        sess.login = a->login;
        sess.created_ms = now;
        sess.last_seen_ms = now;
        sess.csrf_token = csrf;
    }
    bool locked_now = false;
    rc = s_record_attempt(gw, who, ok, &locked_now, &sess, hash); /* login died with body */
    char principal[ENT_PRINCIPAL_MAX + 1];
    snprintf(principal, sizeof principal, "%s", a->principal);
    entretiens__v1__account__free_unpacked(a, NULL);
    if (rc)
        return s_store_error(out, rc);
    if (!ok) {
        gw_count(gw, GW_C_LOGIN_FAILED);
        ent_log_warn("auth.login.failed", "login '%s' from %s refused: wrong password%s", who, r->addr,
                     locked_now ? "; the account is locked" : "");
        return gw_resp_problem(out, 401, "UNAUTHENTICATED", NULL, BAD_LOGIN);
    }
    gw_count(gw, GW_C_LOGIN_OK);
    ent_log_info("auth.login", "login '%s' (%s) from %s", who, principal, r->addr);
    s_cookie(gw, out, token, (long) gw->sessions.absolute_seconds);
    sodium_memzero(token, sizeof token);
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "principal", principal, "login", who, "csrf_token", csrf,
                          "idle_timeout_s", (json_int_t) gw->sessions.idle_seconds, "absolute_timeout_s",
                          (json_int_t) gw->sessions.absolute_seconds);
    return gw_resp_json(out, 200, o);
}

int gw_route_logout(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    if (r->auth != GW_AUTH_SESSION)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", NULL, "logout ends a session; API keys are revoked");
    MDB_txn *txn;
    int rc = gw_store_write(&r->gw->st, &txn);
    if (!rc) {
        rc = gw_session_del(txn, &r->gw->st, r->session_hash);
        if (rc && rc != MDB_NOTFOUND) {
            gw_store_abort(txn);
        } else {
            rc = gw_store_commit(txn);
        }
    }
    if (rc)
        return s_store_error(out, rc);
    gw_count(r->gw, GW_C_LOGOUT);
    ent_log_info("auth.logout", "logout '%s' (%s)", r->login, r->principal);
    s_cookie(r->gw, out, "", 0);
    out->status = 204;
    return 0;
}

int gw_route_me(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "principal", r->principal, "role", ent_role_name(r->who.role), "id",
                          r->who.id, "auth", r->auth == GW_AUTH_SESSION ? "session" : "api_key");
    if (r->auth == GW_AUTH_SESSION) {
        json_object_set_new(o, "login", ent_json_str(r->login));
        json_object_set_new(o, "csrf_token", json_string(r->csrf));
    }
    return gw_resp_json(out, 200, o);
}

/* ------------------------------------------------------------- who */

static unsigned s_unauth(gw_req_t *r, gw_resp_t *out, const char *why)
{
    gw_count(r->gw, GW_C_UNAUTHENTICATED);
    ent_log_warn("auth.refused", "%s %s from %s: %s", r->method, r->path, r->addr, why);
    gw_resp_problem(out, 401, "UNAUTHENTICATED", NULL, "%s", why);
    return 401;
}

static unsigned s_set_principal(gw_req_t *r, gw_resp_t *out, const char *principal)
{
    const char *why;
    if (ent_principal_parse(principal, &r->who, &why) != 0)
        return s_unauth(r, out, "the credential names no valid principal");
    snprintf(r->principal, sizeof r->principal, "%s", principal);
    return 0;
}

static unsigned s_session(gw_req_t *r, gw_resp_t *out, const char *cookie)
{
    gw_t *gw = r->gw;
    gw_token_hash(cookie, strlen(cookie), r->session_hash);
    MDB_txn *txn;
    Entretiens__V1__Session *s = NULL;
    int rc = gw_store_read(&gw->st, &txn);
    if (rc) {
        s_store_error(out, rc);
        return 503;
    }
    rc = gw_session_get(txn, &gw->st, r->session_hash, &s);
    gw_store_abort(txn);
    if (rc == MDB_NOTFOUND)
        return s_unauth(r, out, "no such session (signed out, expired or never issued)");
    if (rc) {
        s_store_error(out, rc);
        return 503;
    }
    int64_t now = gw_now_ms();
    gw_session_state_t state = gw_session_check(s, &gw->sessions, now);
    bool touch = state == GW_SESSION_VALID && gw_session_touch_due(s, now);
    if (state != GW_SESSION_VALID || touch) {
        rc = gw_store_write(&gw->st, &txn);
        if (!rc) {
            s->last_seen_ms = now;
            rc = state == GW_SESSION_VALID ? gw_session_put(txn, &gw->st, r->session_hash, s)
                                           : gw_session_del(txn, &gw->st, r->session_hash);
            if (rc && rc != MDB_NOTFOUND)
                gw_store_abort(txn);
            else
                rc = gw_store_commit(txn);
        }
        if (rc)
            ent_log_warn("gateway.store", "session update: %s", mdb_strerror(rc));
    }
    unsigned status = 0;
    if (state != GW_SESSION_VALID) {
        ent_log_info("auth.session.expired", "session of '%s' ended: %s", s->login,
                     state == GW_SESSION_IDLE ? "idle timeout" : "absolute timeout");
        status = s_unauth(r, out, state == GW_SESSION_IDLE ? "the session timed out (idle)" : "the session expired");
    } else {
        r->auth = GW_AUTH_SESSION;
        snprintf(r->login, sizeof r->login, "%s", s->login);
        snprintf(r->csrf, sizeof r->csrf, "%s", s->csrf_token);
        status = s_set_principal(r, out, s->principal);
    }
    entretiens__v1__session__free_unpacked(s, NULL);
    return status;
}

/* True when the space-separated list has scope. */
static bool s_has_scope(const char *list, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, scope, n) == 0)
            return true;
        p += len;
    }
    return false;
}

/* A bearer token that is not an API key: the OAuth2 verifier's (gw_t.bearer;
 * oidc.h / jwt.h), refused while none is wired in. */
static unsigned s_bearer(gw_req_t *r, gw_resp_t *out, const char *token, const char *scope)
{
    char principal[ENT_PRINCIPAL_MAX + 1] = "", scopes[512] = "";
    const char *why = "unknown bearer token";
    if (!r->gw->bearer || r->gw->bearer(r->gw->bearer_arg, token, principal, scopes, sizeof scopes, &why) != 0)
        return s_unauth(r, out, why);
    unsigned status = s_set_principal(r, out, principal);
    if (status)
        return status;
    r->auth = GW_AUTH_APIKEY; /* the same rules: scopes, no cookie, no CSRF */
    snprintf(r->login, sizeof r->login, "bearer:%s", principal);
    if (scope && !s_has_scope(scopes, scope)) {
        gw_count(r->gw, GW_C_FORBIDDEN);
        gw_resp_problem(out, 403, "PERMISSION_DENIED", NULL, "this token does not have the scope '%s'", scope);
        return 403;
    }
    return 0;
}

static unsigned s_apikey(gw_req_t *r, gw_resp_t *out, const char *token, const char *scope)
{
    gw_t *gw = r->gw;
    char id[GW_KEY_ID_TEXT];
    if (gw_apikey_parse(token, id) != 0)
        return s_bearer(r, out, token, scope);
    MDB_txn *txn;
    Entretiens__V1__ApiKey *k = NULL;
    int rc = gw_store_read(&gw->st, &txn);
    if (rc) {
        s_store_error(out, rc);
        return 503;
    }
    rc = gw_apikey_get(txn, &gw->st, id, &k);
    gw_store_abort(txn);
    if (rc == MDB_NOTFOUND)
        return s_unauth(r, out, "unknown API key");
    if (rc) {
        s_store_error(out, rc);
        return 503;
    }
    uint8_t h[GW_HASH_BYTES];
    gw_token_hash(token, strlen(token), h);
    unsigned status = 0;
    if (k->secret_hash.len != GW_HASH_BYTES || sodium_memcmp(h, k->secret_hash.data, GW_HASH_BYTES) != 0)
        status = s_unauth(r, out, "unknown API key");
    else if (k->revoked)
        status = s_unauth(r, out, "the API key was revoked");
    else if ((status = s_set_principal(r, out, k->principal)) == 0) {
        r->auth = GW_AUTH_APIKEY;
        snprintf(r->login, sizeof r->login, "apikey:%s", k->id);
        if (scope && !gw_apikey_allows(k, scope)) {
            gw_count(gw, GW_C_FORBIDDEN);
            ent_log_warn("auth.scope", "API key %s (%s) lacks scope %s for %s %s", k->id, k->principal, scope,
                         r->method, r->path);
            gw_resp_problem(out, 403, "PERMISSION_DENIED", NULL, "this API key does not have the scope '%s'", scope);
            status = 403;
        }
    }
    entretiens__v1__api_key__free_unpacked(k, NULL);
    return status;
}

unsigned gw_authenticate(gw_req_t *r, gw_resp_t *out, const char *scope)
{
    r->auth = GW_AUTH_NONE;
    const char *authz = gw_req_header(r, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return s_unauth(r, out, "Authorization must be 'Bearer <token>'");
        return s_apikey(r, out, authz + 7, scope);
    }
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, GW_COOKIE);
    if (cookie && *cookie)
        return s_session(r, out, cookie);
    return 0;
}
