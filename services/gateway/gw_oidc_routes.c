/*  gw_oidc_routes.c — people signing in with their organisation's identity
 *  provider (OpenID Connect, authorisation code with PKCE) and machines
 *  presenting its JWT access tokens, on oidc.h / jwt.h.
 *
 *  Sign-in, in a browser:
 *    GET /api/v1/auth/oidc/login     302 to the provider; the state, nonce
 *        and PKCE verifier travel in a short-lived cookie (ent_oidc, 10
 *        minutes, HttpOnly, SameSite=Lax, Path=/api/v1/auth/oidc), which
 *        binds the answer to the browser that asked (no login CSRF) and
 *        keeps nothing on the server;
 *    GET /api/v1/auth/oidc/callback  the provider's answer: state checked
 *        against the cookie, the code exchanged (client_secret_basic,
 *        code_verifier), the ID token verified (signature by the JWKS, iss,
 *        aud, exp, nonce), its claims mapped to a principal; then a session
 *        exactly like a local login's and 302 to "/".
 *  The provider is fetched (discovery, JWKS) at the first sign-in, not at
 *  start: an unreachable issuer refuses OIDC sign-ins (503) and leaves the
 *  gateway, local accounts and API keys working.
 *
 *  Machines: a bearer token that is not an API key is verified as a JWT
 *  access token of the issuer for ENTRETIENS_OIDC_AUDIENCE; its "scope"
 *  (or scp / roles) gives the same scopes as API keys (ingest read write).
 *
 *  Secrets (client secret, codes, tokens, verifiers) are never logged.
 */
#include "gw_api.h"
#include "oidc.h"

#include "common/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OIDC_COOKIE "ent_oidc"
#define OIDC_COOKIE_PATH "/api/v1/auth/oidc"
#define OIDC_PENDING_S 600

/* The configuration, copied from the environment at setup. */
struct gw_oidc_conf {
    char *issuer, *client_id, *client_secret, *redirect_uri, *employee_claim, *groups_claim, *hr_groups,
        *admin_groups, *manager_groups, *ca_file, *scopes, *audience;
};

static const char *s_get(gw_t *gw, const char *name)
{
    const char *v = ent_config_get(ent_daemon_config(gw->d), name);
    return v && *v ? v : NULL;
}

static void s_conf_free(struct gw_oidc_conf *c)
{
    if (!c)
        return;
    char **fields[] = { &c->issuer,         &c->client_id,    &c->client_secret,  &c->redirect_uri,
                        &c->employee_claim, &c->groups_claim, &c->hr_groups,      &c->admin_groups,
                        &c->manager_groups, &c->ca_file,      &c->scopes,         &c->audience };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        if (*fields[i])
            sodium_memzero(*fields[i], strlen(*fields[i]));
        free(*fields[i]);
    }
    free(c);
}

/* The provider, fetched on first use.  NULL (logged) while it cannot be
 * reached; err receives why. */
static gw_oidc_t *s_provider(gw_t *gw, char *err, size_t errlen)
{
    pthread_mutex_lock(&gw->oidc_mu);
    if (!gw->oidc) {
        const struct gw_oidc_conf *c = gw->oidc_conf;
        gw_oidc_config_t cfg = { .issuer = c->issuer,
                                 .client_id = c->client_id,
                                 .client_secret = c->client_secret,
                                 .redirect_uri = c->redirect_uri,
                                 .employee_claim = c->employee_claim,
                                 .groups_claim = c->groups_claim,
                                 .hr_groups = c->hr_groups,
                                 .admin_groups = c->admin_groups,
                                 .manager_groups = c->manager_groups,
                                 .ca_file = c->ca_file,
                                 .scopes = c->scopes };
        gw->oidc = gw_oidc_new(&cfg, err, errlen);
        if (gw->oidc)
            ent_log_info("auth.oidc.ready", "OpenID provider %s: discovery and keys fetched", c->issuer);
        else
            ent_log_error("auth.oidc.unavailable", "OpenID provider %s: %s", c->issuer, err);
    }
    gw_oidc_t *o = gw->oidc;
    pthread_mutex_unlock(&gw->oidc_mu);
    return o;
}

/* Verifies a machine's JWT access token (gw_bearer_fn). */
static int s_bearer(void *arg, const char *token, char *principal, char *scopes, size_t scopes_size,
                    const char **why)
{
    gw_t *gw = arg;
    char err[256];
    gw_oidc_t *o = s_provider(gw, err, sizeof err);
    if (!o) {
        *why = "the identity provider cannot be reached to check this token";
        return -1;
    }
    gw_bearer_t b;
    int rc = gw_oidc_verify_bearer(o, token, gw->oidc_conf->audience, time(NULL), &b, err, sizeof err);
    if (rc) {
        ent_log_warn("auth.bearer.refused", "JWT bearer token refused: %s (%s)", gw_oidc_strerror(rc), err);
        *why = gw_oidc_strerror(rc);
        return -1;
    }
    snprintf(principal, ENT_PRINCIPAL_MAX + 1, "%s", b.principal);
    snprintf(scopes, scopes_size, "%s", b.scopes);
    return 0;
}

int gw_oidc_setup(gw_t *gw)
{
    pthread_mutex_init(&gw->oidc_mu, NULL);
    const char *issuer = s_get(gw, "ENTRETIENS_OIDC_ISSUER");
    if (!issuer)
        return 0;
    const char *required[] = { "ENTRETIENS_OIDC_CLIENT_ID", "ENTRETIENS_OIDC_CLIENT_SECRET",
                               "ENTRETIENS_OIDC_REDIRECT_URI" };
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!s_get(gw, required[i])) {
            ent_log_error("config.invalid", "ENTRETIENS_OIDC_ISSUER is set: %s is required too", required[i]);
            return ENT_DAEMON_CONFIG_ERROR;
        }
    struct gw_oidc_conf *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    struct {
        char **field;
        const char *name;
    } map[] = {
        { &c->issuer, "ENTRETIENS_OIDC_ISSUER" },
        { &c->client_id, "ENTRETIENS_OIDC_CLIENT_ID" },
        { &c->client_secret, "ENTRETIENS_OIDC_CLIENT_SECRET" },
        { &c->redirect_uri, "ENTRETIENS_OIDC_REDIRECT_URI" },
        { &c->employee_claim, "ENTRETIENS_OIDC_EMPLOYEE_CLAIM" },
        { &c->groups_claim, "ENTRETIENS_OIDC_GROUPS_CLAIM" },
        { &c->hr_groups, "ENTRETIENS_OIDC_HR_GROUPS" },
        { &c->admin_groups, "ENTRETIENS_OIDC_ADMIN_GROUPS" },
        { &c->manager_groups, "ENTRETIENS_OIDC_MANAGER_GROUPS" },
        { &c->ca_file, "ENTRETIENS_OIDC_CA_FILE" },
        { &c->scopes, "ENTRETIENS_OIDC_SCOPES" },
        { &c->audience, "ENTRETIENS_OIDC_AUDIENCE" },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        const char *v = s_get(gw, map[i].name);
        if (v && !(*map[i].field = strdup(v))) {
            s_conf_free(c);
            return -1;
        }
    }
    gw->oidc_conf = c;
    if (c->audience) {
        gw->bearer = s_bearer;
        gw->bearer_arg = gw;
    }
    ent_log_info("auth.oidc.config", "OpenID Connect sign-in with %s (client %s, callback %s); JWT bearer tokens %s",
                 c->issuer, c->client_id, c->redirect_uri, c->audience ? "for the audience set" : "not accepted");
    return 0;
}

void gw_oidc_close(gw_t *gw)
{
    gw_oidc_destroy(&gw->oidc);
    s_conf_free(gw->oidc_conf);
    gw->oidc_conf = NULL;
}

/* A script or a single-page application asks for JSON (Accept) instead of
 * a redirect: it navigates itself. */
static bool s_wants_json(const gw_req_t *r)
{
    const char *accept = gw_req_header(r, "Accept");
    return accept && strstr(accept, "application/json") != NULL;
}

static int s_off(gw_resp_t *out)
{
    return gw_resp_problem(out, 404, "NOT_FOUND", NULL,
                           "sign-in with OpenID Connect is not configured (ENTRETIENS_OIDC_ISSUER)");
}

int gw_route_oidc_login(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    gw_t *gw = r->gw;
    if (!gw->oidc_conf)
        return s_off(out);
    char err[256];
    gw_oidc_t *o = s_provider(gw, err, sizeof err);
    if (!o)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the identity provider cannot be reached: try again");
    gw_oidc_pending_t p;
    if (gw_oidc_begin(o, &p) != 0)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "the sign-in could not be prepared");
    snprintf(out->cookie, sizeof out->cookie, OIDC_COOKIE "=%s.%s.%s; Path=" OIDC_COOKIE_PATH
             "; Max-Age=%d; HttpOnly; SameSite=Lax%s", p.state, p.nonce, p.code_verifier, OIDC_PENDING_S,
             gw->secure_cookies ? "; Secure" : "");
    if (s_wants_json(r)) {
        json_t *j = json_pack("{s:s}", "authorization_url", p.url);
        sodium_memzero(&p, sizeof p);
        return j ? gw_resp_json(out, 200, j) : gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    }
    out->location = strdup(p.url);
    sodium_memzero(&p, sizeof p);
    if (!out->location)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    out->status = 302;
    return 0;
}

/* The pending sign-in of this browser, from its cookie.  Returns 0, or -1
 * when there is none or it is not ours. */
static int s_pending(const gw_req_t *r, gw_oidc_pending_t *p)
{
    memset(p, 0, sizeof *p);
    const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, OIDC_COOKIE);
    if (!v)
        return -1;
    char *fields[3] = { p->state, p->nonce, p->code_verifier };
    for (int i = 0; i < 3; i++) {
        size_t n = strcspn(v, ".");
        if (n == 0 || n >= sizeof p->state || (i < 2 && v[n] != '.') || (i == 2 && v[n] != '\0'))
            return -1;
        memcpy(fields[i], v, n);
        fields[i][n] = '\0';
        v += n + (i < 2);
    }
    return 0;
}

int gw_route_oidc_callback(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    gw_t *gw = r->gw;
    if (!gw->oidc_conf)
        return s_off(out);
    const char *error = gw_req_query(r, "error");
    if (error) {
        gw_count(gw, GW_C_LOGIN_FAILED);
        ent_log_warn("auth.oidc.refused", "the provider refused a sign-in from %s: %.64s", r->addr, error);
        return gw_resp_problem(out, 401, "UNAUTHENTICATED", NULL, "the identity provider refused the sign-in: %.64s",
                               error);
    }
    gw_oidc_pending_t p;
    if (s_pending(r, &p) != 0) {
        gw_count(gw, GW_C_LOGIN_FAILED);
        ent_log_warn("auth.oidc.failed", "sign-in from %s refused: no sign-in in progress in this browser", r->addr);
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", OIDC_COOKIE,
                               "no sign-in in progress in this browser: start again from /api/v1/auth/oidc/login");
    }
    char err[256];
    gw_oidc_t *o = s_provider(gw, err, sizeof err);
    if (!o) {
        sodium_memzero(&p, sizeof p);
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the identity provider cannot be reached: try again");
    }
    gw_oidc_identity_t id;
    int rc = gw_oidc_finish(o, &p, gw_req_query(r, "state"), gw_req_query(r, "code"), time(NULL), &id, err,
                            sizeof err);
    sodium_memzero(&p, sizeof p);
    if (rc) {
        gw_count(gw, GW_C_LOGIN_FAILED);
        ent_log_warn("auth.oidc.failed", "sign-in from %s refused: %s (%s)", r->addr, gw_oidc_strerror(rc), err);
        return gw_resp_problem(out, 401, "UNAUTHENTICATED", NULL, "sign-in refused: %s", gw_oidc_strerror(rc));
    }
    char login[128], csrf[GW_TOKEN_TEXT];
    snprintf(login, sizeof login, "oidc:%.120s", id.subject);
    if ((rc = gw_session_begin(gw, out, id.principal, login, csrf)) != 0) {
        ent_log_error("gateway.store", "session store: %s", rc > 0 ? mdb_strerror(rc) : "no randomness");
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the session store is unavailable");
    }
    gw_count(gw, GW_C_LOGIN_OK);
    ent_log_info("auth.login", "login '%s' (%s) from %s with OpenID Connect", login, id.principal, r->addr);
    json_t *o2 = json_pack("{s:s, s:s, s:s}", "principal", id.principal, "login", login, "csrf_token", csrf);
    sodium_memzero(csrf, sizeof csrf);
    if (!o2)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    if (!s_wants_json(r))
        out->location = strdup("/");
    return gw_resp_json(out, out->location ? 302 : 200, o2);
}
