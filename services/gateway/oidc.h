/*  oidc.h — OpenID Connect sign-in (authorisation-code flow with PKCE) and
 *  OAuth2 bearer tokens (JWT access tokens) for the gateway.
 *
 *  The flow.  gw_oidc_begin draws a state, a nonce and a PKCE code_verifier
 *  and builds the URL of the issuer's authorisation endpoint; the gateway
 *  keeps the pending values server-side (its session store) and redirects
 *  the browser.  The issuer sends the browser back to redirect_uri with
 *  ?code=&state=; gw_oidc_finish checks the state (constant time), trades
 *  the code at the token endpoint (client_secret_basic, code_verifier),
 *  verifies the ID token and maps its claims to a principal.
 *
 *  The ID token must be signed (RS256, PS256, ES256: jwt.h) by a key of the
 *  issuer's JWKS; iss = the configured issuer, aud contains client_id, azp
 *  (required when aud has several values) = client_id, exp and iat present,
 *  nonce = the pending nonce, sub present, at_hash (when present) matches
 *  the access token.  Times are the REAL clock, passed as `now`
 *  (time(NULL) in production; never the business clock of clock.h), with
 *  GW_JWT_LEEWAY seconds of leeway.  A token (ID or access) signed with a
 *  kid the set does not hold makes an instance built by gw_oidc_new fetch
 *  the JWKS again and verify once more (key rotation): the first time at
 *  once, then at most once per GW_OIDC_JWKS_REFRESH_MIN seconds, so that
 *  tokens with made-up kids cannot make us hammer the issuer.
 *
 *  Principal mapping (the first rule that applies):
 *    1. a group of the groups claim is in admin_groups  → admin:<id>
 *    2. a group of the groups claim is in hr_groups     → hr:<id>
 *    3. the employee claim is present                   → employee:<value>
 *       (a JSON string, or an integer written in decimal; the gateway may
 *       later upgrade it to manager:<value> from the directory)
 *    4. otherwise the login is refused (GW_OIDC_EPRINCIPAL).
 *  <id> for admin and HR is preferred_username, else email (only when
 *  email_verified is true: an unchecked address could name another HR
 *  officer and inherit her grants), else sub — the first present, with no
 *  fall-through when it breaks the grammar.  Every id must satisfy the grammar of
 *  ent_principal_parse (1 to 64 letters, digits, . _ @ -), or the login is
 *  refused with the reason.  The groups claim is an array of strings or a
 *  single string; group names are compared exactly (case and a leading
 *  "/" of Keycloak's full paths included).
 *
 *  Bearer tokens (machines).  gw_oidc_verify_bearer checks a JWT access
 *  token (RFC 9068): signature by the issuer's JWKS, iss, aud contains the
 *  given audience, exp (nbf, iat when present); typ, when present, is
 *  at+jwt, application/at+jwt or JWT.  Scopes come from "scope" (space
 *  separated), else "scp" (array or string), else "roles" (array: Entra
 *  ID's application permissions).  The principal is
 *  service:<client_id>, else service:<azp>, else service:<sub>.
 *
 *  Nothing here logs or returns in err a token, a code, a secret, a state,
 *  a nonce or a verifier.
 *
 *  Errors.  Functions return 0 on success; a gw_jwt_err_t (1 to
 *  GW_JWT_ERR_COUNT - 1) when a token is refused for that reason; or a
 *  GW_OIDC_E* code (>= 100) below.  gw_oidc_strerror names both.  err (may
 *  be NULL) receives a sentence for logs and for the person signing in.
 *
 *  Thread safety.  gw_oidc_finish and gw_oidc_new block on the network
 *  (timeouts: 5 s to connect, 15 s in all): the gateway runs them off its
 *  loop (uv_queue_work).  After gw_oidc_new, every function may be called
 *  from several threads at once; gw_oidc_destroy from one, after the others.
 */
#ifndef GW_OIDC_H
#define GW_OIDC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "common/principal.h"
#include "jwt.h"

#define GW_OIDC_JWKS_REFRESH_MIN 10   /* least seconds between two fetches caused by unknown kids */
#define GW_OIDC_URL_MAX 4096
#define GW_OIDC_DOC_MAX (1024 * 1024) /* largest discovery, JWKS or token response */

enum {
    GW_OIDC_ECONFIG = 100,  /* the configuration is incomplete or unsafe */
    GW_OIDC_EFETCH,         /* the issuer could not be reached, or answered an HTTP error */
    GW_OIDC_EDISCOVERY,     /* the discovery document is unusable or names another issuer */
    GW_OIDC_ESTATE,         /* the state returned is not the pending one (or missing) */
    GW_OIDC_EPROVIDER,      /* the token endpoint refused the code (invalid_grant...) */
    GW_OIDC_ENONCE,         /* the ID token's nonce is not the pending one */
    GW_OIDC_EPRINCIPAL,     /* the claims map to no principal, or to an invalid one */
    GW_OIDC_ENOMEM,         /* out of memory, or no randomness */
    GW_OIDC_ERR_END
};

/* Returns a short stable name ("config", "fetch", ... or a gw_jwt_strerror
 * name) for logs and metrics labels; "?" when unknown. */
const char *gw_oidc_strerror(int err);

typedef struct {
    const char *issuer;          /* required; https, or http on a loopback host */
    const char *client_id;       /* required */
    const char *client_secret;   /* required (client_secret_basic) */
    const char *redirect_uri;    /* required: the gateway's callback, as registered */
    const char *employee_claim;  /* default "employee_id" */
    const char *groups_claim;    /* default "groups" */
    const char *hr_groups;       /* comma list, default "hr" */
    const char *admin_groups;    /* comma list, default "entretiens-admin" */
    const char *manager_groups;  /* comma list, default "managers": employee -> manager:<employee claim> */
    const char *ca_file;         /* optional CA bundle for the issuer's TLS */
    const char *scopes;          /* requested scopes, default "openid profile email" */
} gw_oidc_config_t;

typedef struct gw_oidc gw_oidc_t;

/* Fetches <issuer>/.well-known/openid-configuration, checks it (issuer equal
 * to the configured one byte for byte; authorization_endpoint,
 * token_endpoint, jwks_uri present, https or loopback http; S256 and
 * client_secret_basic among the supported methods when those are listed),
 * then fetches and parses the JWKS.  The configuration is copied.
 * Returns the instance, or NULL with the reason in err:
 *   a required field missing, an issuer neither https nor loopback http;
 *   the issuer unreachable or answering non-200; a document that is not
 *   JSON or lacks a field; another issuer named; a JWKS gw_jwks_new refuses;
 *   out of memory. */
gw_oidc_t *gw_oidc_new(const gw_oidc_config_t *config, char *err, size_t errlen);

/* As gw_oidc_new, with the two documents given instead of fetched (unit
 * tests, offline checks).  Such an instance never fetches the JWKS again;
 * gw_oidc_finish still needs the token endpoint. */
gw_oidc_t *gw_oidc_new_from_documents(const gw_oidc_config_t *config,
                                      const char *discovery_json, const char *jwks_json,
                                      char *err, size_t errlen);

/* Frees the instance and sets *oidc_p to NULL.  Safe on NULL. */
void gw_oidc_destroy(gw_oidc_t **oidc_p);

/* The endpoints the discovery document gave (valid while oidc lives). */
const char *gw_oidc_token_endpoint(const gw_oidc_t *oidc);
const char *gw_oidc_issuer(const gw_oidc_t *oidc);

/* ------------------------------------------------------------- sign-in */

/* What the gateway keeps between gw_oidc_begin and gw_oidc_finish: secrets
 * of one login attempt.  Store them server-side only (never in a cookie),
 * use them once, and expire them (ten minutes is plenty). */
typedef struct {
    char state[44];              /* 32 random bytes, base64url */
    char nonce[44];              /* 32 random bytes, base64url */
    char code_verifier[44];      /* 32 random bytes, base64url (RFC 7636: 43 chars) */
    char url[GW_OIDC_URL_MAX];   /* the authorisation URL to redirect the browser to */
} gw_oidc_pending_t;

/* Draws state, nonce and code_verifier with OpenSSL's CSPRNG and builds
 * url: authorization_endpoint?response_type=code&client_id&redirect_uri&
 * scope&state&nonce&code_challenge=BASE64URL(SHA256(code_verifier))&
 * code_challenge_method=S256.  Returns 0, GW_OIDC_ENOMEM (no randomness),
 * or GW_OIDC_ECONFIG (the URL would exceed GW_OIDC_URL_MAX). */
int gw_oidc_begin(gw_oidc_t *oidc, gw_oidc_pending_t *out);

/* Who signed in. */
typedef struct {
    char subject[256];                     /* sub */
    char principal[ENT_PRINCIPAL_MAX + 1]; /* "employee:E42", "hr:alice", "admin:bob" */
    char name[256];                        /* name, else given + family, else "" */
    char email[256];                       /* email, else "" */
    time_t expires;                        /* the ID token's exp */
} gw_oidc_identity_t;

/* Completes a login: gw_oidc_exchange then gw_oidc_verify_id_token (below).
 * now is the real time.  Returns 0 with *out filled, or what those two
 * return; *out is zeroed on error. */
int gw_oidc_finish(gw_oidc_t *oidc, const gw_oidc_pending_t *pending, const char *state,
                   const char *code, time_t now, gw_oidc_identity_t *out,
                   char *err, size_t errlen);

/* The tokens of a code exchange (each NULL when absent).  Secrets:
 * gw_oidc_tokens_clear wipes and frees them. */
typedef struct {
    char *id_token;
    char *access_token;
} gw_oidc_tokens_t;

/* Checks state against pending->state (constant time), then POSTs
 * grant_type=authorization_code, code, redirect_uri and code_verifier to the
 * token endpoint with client_secret_basic.  Returns 0 with *out filled, or:
 *   GW_OIDC_ESTATE     state missing or not the pending one (nothing sent);
 *   GW_OIDC_EPROVIDER  the endpoint answered an OAuth error (err names it:
 *                      invalid_grant for a used or expired code...), or no
 *                      id_token;
 *   GW_OIDC_EFETCH     the endpoint unreachable or an HTTP error without an
 *                      OAuth error body;
 *   GW_OIDC_ENOMEM. */
int gw_oidc_exchange(gw_oidc_t *oidc, const gw_oidc_pending_t *pending, const char *state,
                     const char *code, gw_oidc_tokens_t *out, char *err, size_t errlen);

void gw_oidc_tokens_clear(gw_oidc_tokens_t *tokens);

/* Verifies an ID token as described at the top (access_token, may be NULL,
 * is only used for at_hash) and maps it to a principal.  Returns 0 with
 * *out filled, or:
 *   a gw_jwt_err_t  signature, alg, kid, iss, aud, exp, iat...; also
 *                   GW_JWT_ECLAIM for sub missing, azp wrong, at_hash wrong;
 *   GW_OIDC_ENONCE  nonce missing or not pending->nonce;
 *   GW_OIDC_EPRINCIPAL  no mapping applies, or the id breaks the grammar;
 *   GW_OIDC_ENOMEM. */
int gw_oidc_verify_id_token(gw_oidc_t *oidc, const gw_oidc_pending_t *pending,
                            const char *id_token, const char *access_token, time_t now,
                            gw_oidc_identity_t *out, char *err, size_t errlen);

/* The mapping alone, on verified claims: writes "role:id" into principal
 * (ENT_PRINCIPAL_MAX + 1 bytes).  Returns 0, or GW_OIDC_EPRINCIPAL with the
 * reason in err. */
int gw_oidc_map_principal(const gw_oidc_t *oidc, const json_t *claims, char *principal,
                          size_t size, char *err, size_t errlen);

/* ------------------------------------------------------------- machines */

typedef struct {
    char principal[ENT_PRINCIPAL_MAX + 1]; /* "service:<client_id>" */
    char subject[256];                     /* sub, "" when absent */
    char scopes[1024];                     /* granted scopes, space separated */
    time_t expires;                        /* exp */
} gw_bearer_t;

/* Verifies a JWT access token for audience (the gateway's resource
 * identifier, required).  Returns 0 with *out filled, or:
 *   a gw_jwt_err_t  malformed, alg, kid, signature, iss, aud, expired...;
 *                   GW_JWT_ECLAIM for a typ that is not an access token's,
 *                   a scope list too long;
 *   GW_OIDC_EPRINCIPAL  no client_id, azp or sub, or one breaking the grammar;
 *   GW_OIDC_ECONFIG  audience NULL or empty;
 *   GW_OIDC_ENOMEM.
 * *out is zeroed on error. */
int gw_oidc_verify_bearer(gw_oidc_t *oidc, const char *token, const char *audience,
                          time_t now, gw_bearer_t *out, char *err, size_t errlen);

/* True when scope is one of bearer->scopes (exact word match). */
bool gw_bearer_has_scope(const gw_bearer_t *bearer, const char *scope);

#endif
