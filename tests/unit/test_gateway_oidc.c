/*  test_gateway_oidc.c — services/gateway/oidc.h without a network: an
 *  instance built from documents (discovery + JWKS made here), ID tokens
 *  and access tokens signed here (gateway_jwt_fixture.h).  The flow with
 *  a real provider is tests/integration/test_oidc_login.sh. */
#include <criterion/criterion.h>

#include <microhttpd.h>
#include <openssl/sha.h>
#include <stdatomic.h>
#include <time.h>

#include "gateway_jwt_fixture.h"
#include "oidc.h"

static fx_key_t rsa, ec;
static char *jwks_doc;
static gw_oidc_t *oidc;
static gw_oidc_pending_t pending;
static char err[512];
static const time_t NOW = 1796400000;

static char *discovery(const char *issuer)
{
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:[s, s]}", "issuer", issuer,
                          "authorization_endpoint", FX_ISSUER "/protocol/openid-connect/auth",
                          "token_endpoint", "http://127.0.0.1:1/token", "jwks_uri",
                          FX_ISSUER "/certs", "code_challenge_methods_supported", "S256",
                          "token_endpoint_auth_methods_supported", "client_secret_post",
                          "client_secret_basic");
    char *text = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return text;
}

static gw_oidc_config_t config(void)
{
    return (gw_oidc_config_t){.issuer = FX_ISSUER, .client_id = FX_CLIENT,
                              .client_secret = "s3cret", .redirect_uri =
                                  "https://entretiens.example.test/auth/callback"};
}

static gw_oidc_t *instance(const gw_oidc_config_t *c)
{
    char *d = discovery(FX_ISSUER);
    gw_oidc_t *o = gw_oidc_new_from_documents(c, d, jwks_doc, err, sizeof err);
    free(d);
    cr_assert(o, "%s", err);
    return o;
}

static void setup(void)
{
    rsa = fx_key_new(false, "rsa-1");
    ec = fx_key_new(true, "ec-1");
    fx_key_t both[2] = {rsa, ec};
    jwks_doc = fx_jwks(both, 2);
    gw_oidc_config_t c = config();
    oidc = instance(&c);
    cr_assert_eq(gw_oidc_begin(oidc, &pending), 0);
}

static void teardown(void)
{
    gw_oidc_destroy(&oidc);
    cr_assert_null(oidc);
    free(jwks_doc);
    fx_key_free(&rsa);
    fx_key_free(&ec);
}

TestSuite(oidc, .init = setup, .fini = teardown);

/* rc must be want, and err (the reason) must contain reason when given. */
static void expect_rc(int rc, int want, const char *reason)
{
    cr_assert_eq(rc, want, "got %s (%s), want %s", gw_oidc_strerror(rc), err,
                 gw_oidc_strerror(want));
    if (reason)
        cr_assert(strstr(err, reason), "reason \"%s\" lacks \"%s\"", err, reason);
}

/* ID token claims for this login: fx_claims + nonce. */
static json_t *id_claims(void)
{
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "nonce", json_string(pending.nonce));
    return c;
}

/* Verifies an ID token signed by key with claims (consumed); expects want. */
static void expect_id(const fx_key_t *key, json_t *claims, int want, const char *reason,
                      gw_oidc_identity_t *out)
{
    char *token = fx_sign(key, key->ec ? "ES256" : "RS256", claims);
    gw_oidc_identity_t id;
    int rc = gw_oidc_verify_id_token(oidc, &pending, token, NULL, NOW, &id, err, sizeof err);
    free(token);
    expect_rc(rc, want, reason);
    if (rc != 0)
        cr_assert_eq(id.principal[0], '\0', "a refused login leaves no principal");
    if (out)
        *out = id;
}

/* ------------------------------------------------------------ configuration */

static void expect_new_error(const gw_oidc_config_t *c, const char *disc, const char *reason)
{
    char why[512] = "";
    gw_oidc_t *o = gw_oidc_new_from_documents(c, disc, jwks_doc, why, sizeof why);
    cr_assert_null(o, "accepted");
    cr_assert(strstr(why, reason), "reason \"%s\" lacks \"%s\"", why, reason);
}

Test(oidc, configuration_and_discovery_refused)
{
    gw_oidc_config_t c = config();
    char *good = discovery(FX_ISSUER);
    c.client_secret = NULL;
    expect_new_error(&c, good, "client secret");
    c = config();
    c.issuer = "http://idp.example.test";
    expect_new_error(&c, good, "must be https");
    c = config();
    c.scopes = "profile email";
    expect_new_error(&c, good, "must include openid");
    c.scopes = "openidish profile";
    expect_new_error(&c, good, "must include openid");
    c = config();
    char *other = discovery("https://evil.example.test");
    expect_new_error(&c, other, "discovery names issuer \"https://evil.example.test\"");
    free(other);
    expect_new_error(&c, "<html>", "not a JSON object");
    json_t *d = json_loads(good, 0, NULL);
    json_object_del(d, "token_endpoint");
    char *text = json_dumps(d, 0);
    expect_new_error(&c, text, "token_endpoint missing");
    free(text);
    json_object_set_new(d, "token_endpoint", json_string("http://idp.example.test/token"));
    text = json_dumps(d, 0);
    expect_new_error(&c, text, "token_endpoint is neither https nor loopback http");
    free(text);
    json_object_set_new(d, "token_endpoint", json_string(FX_ISSUER "/token"));
    json_object_set_new(d, "code_challenge_methods_supported", json_pack("[s]", "plain"));
    text = json_dumps(d, 0);
    expect_new_error(&c, text, "PKCE S256");
    free(text);
    json_decref(d);
    char why[512] = "";
    cr_assert_null(gw_oidc_new_from_documents(&c, good, "{\"keys\":[]}", why, sizeof why));
    cr_assert(strstr(why, "JWKS: "), "%s", why);
    free(good);
}

/* ------------------------------------------------------------ begin */

/* The value of name in url's query (not decoded: our values are plain). */
static void query_value(const char *url, const char *name, char *out, size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(url, key);
    cr_assert(p, "no %s in %s", name, url);
    p += strlen(key);
    snprintf(out, size, "%.*s", (int)strcspn(p, "&"), p);
}

Test(oidc, begin_builds_the_authorisation_url_with_pkce_s256)
{
    const char *url = pending.url;
    const char *endpoint = FX_ISSUER "/protocol/openid-connect/auth?";
    cr_assert(strncmp(url, endpoint, strlen(endpoint)) == 0, "%s", url);
    char v[512];
    query_value(url, "response_type", v, sizeof v);
    cr_assert_str_eq(v, "code");
    query_value(url, "client_id", v, sizeof v);
    cr_assert_str_eq(v, FX_CLIENT);
    query_value(url, "redirect_uri", v, sizeof v);
    cr_assert_str_eq(v, "https%3A%2F%2Fentretiens.example.test%2Fauth%2Fcallback");
    query_value(url, "scope", v, sizeof v);
    cr_assert_str_eq(v, "openid%20profile%20email");
    query_value(url, "state", v, sizeof v);
    cr_assert_str_eq(v, pending.state);
    query_value(url, "nonce", v, sizeof v);
    cr_assert_str_eq(v, pending.nonce);
    query_value(url, "code_challenge_method", v, sizeof v);
    cr_assert_str_eq(v, "S256");
    cr_assert_null(strstr(url, pending.code_verifier), "the verifier never leaves the gateway");

    /* code_challenge = base64url(SHA-256(code_verifier)), computed here */
    cr_assert_eq(strlen(pending.code_verifier), 43);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)pending.code_verifier, 43, digest);
    char *want = fx_b64(digest, sizeof digest);
    query_value(url, "code_challenge", v, sizeof v);
    cr_assert_str_eq(v, want);
    free(want);

    /* each login draws new values */
    gw_oidc_pending_t again;
    cr_assert_eq(gw_oidc_begin(oidc, &again), 0);
    cr_assert_str_neq(again.state, pending.state);
    cr_assert_str_neq(again.nonce, pending.nonce);
    cr_assert_str_neq(again.code_verifier, pending.code_verifier);
    cr_assert_str_neq(pending.state, pending.nonce);
}

Test(oidc, wrong_state_refused_before_anything_is_sent)
{
    /* the token endpoint is 127.0.0.1:1 (nothing listens): a wrong state
     * must be refused before any request */
    gw_oidc_identity_t id;
    char state[44];
    snprintf(state, sizeof state, "%s", pending.state);
    state[0] = state[0] == 'A' ? 'B' : 'A';
    cr_assert_eq(gw_oidc_finish(oidc, &pending, state, "code", NOW, &id, err, sizeof err),
                 GW_OIDC_ESTATE, "%s", err);
    cr_assert_eq(gw_oidc_finish(oidc, &pending, NULL, "code", NOW, &id, err, sizeof err),
                 GW_OIDC_ESTATE);
    cr_assert_eq(gw_oidc_finish(oidc, &pending, "", "code", NOW, &id, err, sizeof err),
                 GW_OIDC_ESTATE);
    /* the right state reaches the token endpoint, which is unreachable */
    cr_assert_eq(gw_oidc_finish(oidc, &pending, pending.state, "code", NOW, &id, err, sizeof err),
                 GW_OIDC_EFETCH, "%s", err);
    cr_assert_null(strstr(err, "code="), "%s", err);
    cr_assert_null(strstr(err, "s3cret"), "%s", err);
}

/* ------------------------------------------------------------ ID tokens */

Test(oidc, valid_id_token_gives_the_identity)
{
    json_t *c = id_claims();
    json_object_set_new(c, "employee_id", json_string("E42"));
    json_object_set_new(c, "given_name", json_string("Emma"));
    json_object_set_new(c, "family_name", json_string("Martin"));
    json_object_set_new(c, "email", json_string("emma@example.test"));
    gw_oidc_identity_t id;
    expect_id(&rsa, c, 0, NULL, &id);
    cr_assert_str_eq(id.principal, "employee:E42");
    cr_assert_str_eq(id.subject, "user-1");
    cr_assert_str_eq(id.name, "Emma Martin");
    cr_assert_str_eq(id.email, "emma@example.test");
    cr_assert_eq(id.expires, NOW + 300);
    c = id_claims();
    json_object_set_new(c, "employee_id", json_string("E42"));
    expect_id(&ec, c, 0, NULL, NULL); /* ES256 too */
}

/* claims with name set to value (NULL: removed); returns claims. */
static json_t *with(json_t *claims, const char *name, json_t *value)
{
    if (value)
        json_object_set_new(claims, name, value);
    else
        json_object_del(claims, name);
    return claims;
}

Test(oidc, id_token_refusals)
{
    json_t *e42 = json_string("E42");
    expect_id(&rsa, with(with(id_claims(), "employee_id", json_incref(e42)), "nonce",
                         json_string("another-login")),
              GW_OIDC_ENONCE, "nonce", NULL);
    expect_id(&rsa, with(fx_claims(NOW), "employee_id", json_incref(e42)), GW_OIDC_ENONCE,
              "nonce missing", NULL);
    expect_id(&rsa, with(id_claims(), "aud", json_string("another-app")), GW_JWT_EAUD,
              "aud does not contain", NULL);
    expect_id(&rsa, with(id_claims(), "aud", json_pack("[s, s]", FX_CLIENT, "another-app")),
              GW_JWT_ECLAIM, "azp missing", NULL);
    expect_id(&rsa, with(id_claims(), "azp", json_string("another-app")), GW_JWT_ECLAIM,
              "azp is not our client id", NULL);
    expect_id(&rsa, with(id_claims(), "iss", json_string("https://evil.example.test")),
              GW_JWT_EISS, "iss", NULL);
    expect_id(&rsa, with(id_claims(), "exp", json_integer(NOW - 3600)), GW_JWT_EEXP,
              "expired at", NULL);
    expect_id(&rsa, with(id_claims(), "iat", NULL), GW_JWT_EIAT, "iat missing", NULL);
    expect_id(&rsa, with(with(id_claims(), "sub", NULL), "employee_id", json_incref(e42)),
              GW_JWT_ECLAIM, "sub missing", NULL);
    json_decref(e42);
    /* an instance built from documents does not fetch again: unknown kid */
    fx_key_t rotated = fx_key_new(false, "rsa-2");
    expect_id(&rotated, id_claims(), GW_JWT_EKID, "kid \"rsa-2\"", NULL);
    fx_key_free(&rotated);
}

Test(oidc, at_hash_checked_when_present)
{
    const char *access = "an-access-token";
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)access, strlen(access), digest);
    char *half = fx_b64(digest, 16);
    json_t *c = id_claims();
    json_object_set_new(c, "employee_id", json_string("E42"));
    json_object_set_new(c, "at_hash", json_string(half));
    free(half);
    char *token = fx_sign(&rsa, "RS256", c);
    gw_oidc_identity_t id;
    cr_assert_eq(gw_oidc_verify_id_token(oidc, &pending, token, access, NOW, &id, err, sizeof err),
                 0, "%s", err);
    cr_assert_eq(gw_oidc_verify_id_token(oidc, &pending, token, "another-token", NOW, &id, err,
                                         sizeof err),
                 GW_JWT_ECLAIM);
    cr_assert(strstr(err, "at_hash"), "%s", err);
    free(token);
}

/* ------------------------------------------------------------ principal mapping */

/* Maps claims (consumed) with o; expects want ("" for a refusal). */
static void expect_map(const gw_oidc_t *o, json_t *claims, const char *want, const char *reason)
{
    char principal[ENT_PRINCIPAL_MAX + 1] = "junk";
    char why[512] = "";
    int rc = gw_oidc_map_principal(o, claims, principal, sizeof principal, why, sizeof why);
    json_decref(claims);
    if (*want) {
        cr_assert_eq(rc, 0, "refused: %s (want %s)", why, want);
        cr_assert_str_eq(principal, want);
    } else {
        cr_assert_eq(rc, GW_OIDC_EPRINCIPAL, "mapped to %s", principal);
        cr_assert_eq(principal[0], '\0');
        cr_assert(strstr(why, reason), "reason \"%s\" lacks \"%s\"", why, reason);
    }
}

Test(oidc, principal_mapping)
{
    /* admin wins over HR, HR over the employee claim */
    expect_map(oidc, json_pack("{s:s, s:s, s:[s, s]}", "sub", "u1", "preferred_username", "alice",
                               "groups", "hr", "entretiens-admin"),
               "admin:alice", NULL);
    expect_map(oidc, json_pack("{s:s, s:s, s:s, s:[s]}", "sub", "u1", "preferred_username",
                               "helene.rh", "employee_id", "E7", "groups", "hr"),
               "hr:helene.rh", NULL);
    expect_map(oidc, json_pack("{s:s, s:s, s:b, s:[s]}", "sub", "u1", "email", "rh@example.test",
                               "email_verified", 1, "groups", "hr"),
               "hr:rh@example.test", NULL);
    /* an unverified address is not an id: sub is used */
    expect_map(oidc, json_pack("{s:s, s:s, s:b, s:[s]}", "sub", "u1", "email", "boss@example.test",
                               "email_verified", 0, "groups", "hr"),
               "hr:u1", NULL);
    expect_map(oidc, json_pack("{s:s, s:s, s:[s]}", "sub", "u2", "email", "boss@example.test",
                               "groups", "entretiens-admin"),
               "admin:u2", NULL);
    expect_map(oidc, json_pack("{s:s, s:s}", "sub", "0a7f-44", "groups", "hr"), "hr:0a7f-44",
               NULL);
    expect_map(oidc, json_pack("{s:s, s:s, s:[s]}", "sub", "u1", "employee_id", "E42", "groups",
                               "staff"),
               "employee:E42", NULL);
    expect_map(oidc, json_pack("{s:s, s:i}", "sub", "u1", "employee_id", 4217), "employee:4217",
               NULL);
    /* refusals */
    expect_map(oidc, json_pack("{s:s, s:[s]}", "sub", "u1", "groups", "staff"), "",
               "no employee_id claim and no HR or administrator group");
    expect_map(oidc, json_pack("{s:s, s:s}", "sub", "u1", "employee_id", "E 42"), "",
               "the employee_id claim is not a valid employee id");
    expect_map(oidc, json_pack("{s:s, s:s, s:[s]}", "sub", "u1", "preferred_username",
                               "Hélène", "groups", "hr"),
               "", "the preferred_username claim is not a valid hr id");
    expect_map(oidc, json_pack("{s:s, s:s, s:[s]}", "sub", "u1", "preferred_username",
                               "a123456789b123456789c123456789d123456789e123456789f123456789g1234",
                               "groups", "entretiens-admin"),
               "", "longer than 64");
    /* no fall-through: preferred_username is used even when email would do */
    expect_map(oidc, json_pack("{s:s, s:s, s:s, s:b, s:[s]}", "sub", "u1", "preferred_username",
                               "x y", "email", "ok@example.test", "email_verified", 1, "groups",
                               "hr"),
               "", "preferred_username");
    /* group names are exact: case, and Keycloak's full paths */
    expect_map(oidc, json_pack("{s:s, s:[s, s], s:s}", "sub", "u1", "groups", "HR", "/hr",
                               "employee_id", "E1"),
               "employee:E1", NULL);
}

Test(oidc, principal_mapping_with_configured_claims_and_groups)
{
    gw_oidc_config_t c = config();
    c.employee_claim = "matricule";
    c.groups_claim = "roles";
    c.hr_groups = " rh , drh,";
    c.admin_groups = "root";
    gw_oidc_t *o = instance(&c);
    expect_map(o, json_pack("{s:s, s:s, s:s}", "sub", "u1", "preferred_username", "paul", "roles",
                            "drh"),
               "hr:paul", NULL);
    expect_map(o, json_pack("{s:s, s:s, s:[s]}", "sub", "u1", "preferred_username", "root1",
                            "roles", "root"),
               "admin:root1", NULL);
    expect_map(o, json_pack("{s:s, s:s, s:[s]}", "sub", "u1", "matricule", "M-77", "groups",
                            "hr"),
               "employee:M-77", NULL);
    expect_map(o, json_pack("{s:s, s:s}", "sub", "u1", "employee_id", "E1"), "",
               "no matricule claim");
    gw_oidc_destroy(&o);
}

/* ------------------------------------------------------------ bearer tokens */

#define AUD "urn:entretiens:api"

static json_t *at_claims(void)
{
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "aud", json_string(AUD));
    json_object_set_new(c, "client_id", json_string("hris"));
    json_object_set_new(c, "scope", json_string("ingest  read"));
    return c;
}

static void expect_bearer(char *token, int want, const char *reason, gw_bearer_t *out)
{
    gw_bearer_t b;
    int rc = gw_oidc_verify_bearer(oidc, token, AUD, NOW, &b, err, sizeof err);
    free(token);
    expect_rc(rc, want, reason);
    if (rc != 0)
        cr_assert_eq(b.principal[0], '\0');
    if (out)
        *out = b;
}

static char *at_token(const fx_key_t *k, json_t *claims, const char *typ)
{
    const char *alg = k->ec ? "ES256" : "RS256";
    return fx_sign_raw(k, alg, json_pack("{s:s, s:s, s:s}", "alg", alg, "kid", k->kid, "typ", typ),
                       claims);
}

Test(oidc, bearer_accepted_with_its_scopes)
{
    gw_bearer_t b;
    expect_bearer(at_token(&ec, at_claims(), "at+jwt"), 0, NULL, &b);
    cr_assert_str_eq(b.principal, "service:hris");
    cr_assert_str_eq(b.scopes, "ingest read");
    cr_assert(gw_bearer_has_scope(&b, "ingest"));
    cr_assert(gw_bearer_has_scope(&b, "read"));
    cr_assert_not(gw_bearer_has_scope(&b, "inges"));
    cr_assert_not(gw_bearer_has_scope(&b, "admin"));
    cr_assert_not(gw_bearer_has_scope(&b, ""));
    cr_assert_eq(b.expires, NOW + 300);
    /* scp (Entra ID, Okta) as an array; no client_id: azp, then sub */
    json_t *c = at_claims();
    json_object_del(c, "scope");
    json_object_del(c, "client_id");
    json_object_set_new(c, "scp", json_pack("[s, s]", "ingest", "stats"));
    json_object_set_new(c, "azp", json_string("payroll"));
    expect_bearer(at_token(&rsa, c, "JWT"), 0, NULL, &b);
    cr_assert_str_eq(b.principal, "service:payroll");
    cr_assert_str_eq(b.scopes, "ingest stats");
    /* roles (Entra ID's app-only tokens) when neither scope nor scp */
    c = with(with(at_claims(), "scope", NULL), "roles", json_pack("[s]", "ingest"));
    expect_bearer(at_token(&rsa, c, "JWT"), 0, NULL, &b);
    cr_assert_str_eq(b.scopes, "ingest");
    c = with(at_claims(), "roles", json_pack("[s]", "admin")); /* scope wins */
    expect_bearer(at_token(&rsa, c, "JWT"), 0, NULL, &b);
    cr_assert_not(gw_bearer_has_scope(&b, "admin"));
    c = with(with(at_claims(), "scope", NULL), "scp", json_string("ingest   stats"));
    expect_bearer(at_token(&rsa, c, "JWT"), 0, NULL, &b);
    cr_assert_str_eq(b.scopes, "ingest stats");
    c = at_claims();
    json_object_del(c, "client_id");
    json_object_del(c, "scope");
    expect_bearer(at_token(&rsa, c, "application/at+jwt"), 0, NULL, &b);
    cr_assert_str_eq(b.principal, "service:user-1");
    cr_assert_str_eq(b.scopes, "");
    cr_assert_not(gw_bearer_has_scope(&b, "ingest"));
}

Test(oidc, bearer_refusals)
{
    json_t *c = at_claims();
    json_object_set_new(c, "aud", json_string(FX_CLIENT)); /* an ID token's audience */
    expect_bearer(at_token(&ec, c, "at+jwt"), GW_JWT_EAUD, "aud does not contain", NULL);
    expect_bearer(at_token(&ec, at_claims(), "logout+jwt"), GW_JWT_ECLAIM, "typ", NULL);
    c = at_claims();
    json_object_set_new(c, "exp", json_integer(NOW - 61));
    expect_bearer(at_token(&ec, c, "at+jwt"), GW_JWT_EEXP, "expired", NULL);
    c = at_claims();
    json_object_set_new(c, "client_id", json_string("hris system"));
    expect_bearer(at_token(&ec, c, "at+jwt"), GW_OIDC_EPRINCIPAL, "client_id claim", NULL);
    c = at_claims();
    json_object_del(c, "client_id");
    json_object_del(c, "sub");
    expect_bearer(at_token(&ec, c, "at+jwt"), GW_OIDC_EPRINCIPAL, "no client_id, azp or sub",
                  NULL);
    expect_bearer(fx_none(at_claims()), GW_JWT_EALG, "none", NULL);
    char many[1500];
    memset(many, 'a', sizeof many - 1);
    many[sizeof many - 1] = '\0';
    expect_bearer(at_token(&ec, with(at_claims(), "scope", json_string(many)), "at+jwt"),
                  GW_JWT_ECLAIM, "scope list longer than", NULL);
    gw_bearer_t b;
    char *token = at_token(&ec, at_claims(), "at+jwt");
    cr_assert_eq(gw_oidc_verify_bearer(oidc, token, NULL, NOW, &b, err, sizeof err),
                 GW_OIDC_ECONFIG);
    free(token);
}

Test(oidc, strerror_names_both_families)
{
    cr_assert_str_eq(gw_oidc_strerror(0), "ok");
    cr_assert_str_eq(gw_oidc_strerror(GW_JWT_ESIG), "signature");
    cr_assert_str_eq(gw_oidc_strerror(GW_OIDC_ESTATE), "state");
    cr_assert_str_eq(gw_oidc_strerror(GW_OIDC_EPRINCIPAL), "principal");
    cr_assert_str_eq(gw_oidc_strerror(50), "?");
    cr_assert_str_eq(gw_oidc_strerror(GW_OIDC_ERR_END), "?");
}

/* ------------------------------------------------------------ over HTTP */

/* A real issuer on a loopback port (libmicrohttpd, its own thread): the
 * discovery document names `served_issuer`; /jwks serves `served_jwks`,
 * which a test may change (a key rotation), and counts its requests. */
static struct MHD_Daemon *httpd;
static char issuer_url[64];
static char *served_issuer;
static _Atomic(char *) served_jwks;
static atomic_int jwks_requests;

static enum MHD_Result s_serve(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **state)
{
    (void)cls, (void)method, (void)version, (void)data, (void)size, (void)state;
    char *body = NULL;
    unsigned status = MHD_HTTP_OK;
    if (strcmp(url, "/.well-known/openid-configuration") == 0) {
        json_t *d = json_pack("{s:s, s:s+, s:s+, s:s+}", "issuer", served_issuer,
                              "authorization_endpoint", issuer_url, "/auth", "token_endpoint",
                              issuer_url, "/token", "jwks_uri", issuer_url, "/jwks");
        body = json_dumps(d, JSON_COMPACT);
        json_decref(d);
    } else if (strcmp(url, "/jwks") == 0) {
        atomic_fetch_add(&jwks_requests, 1);
        body = strdup(atomic_load(&served_jwks));
    } else {
        status = MHD_HTTP_NOT_FOUND;
        body = strdup("{}");
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static void http_setup(void)
{
    setup();
    httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                             s_serve, NULL, MHD_OPTION_SOCK_ADDR, NULL, MHD_OPTION_END);
    cr_assert(httpd, "cannot start the test issuer");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(httpd, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(issuer_url, sizeof issuer_url, "http://127.0.0.1:%u", (unsigned)info->port);
    served_issuer = issuer_url;
    atomic_store(&served_jwks, jwks_doc);
}

static void http_teardown(void)
{
    MHD_stop_daemon(httpd);
    teardown();
}

TestSuite(oidc_http, .init = http_setup, .fini = http_teardown);

static gw_oidc_t *fetched(const char *issuer, char *why, size_t size)
{
    gw_oidc_config_t c = config();
    c.issuer = issuer;
    return gw_oidc_new(&c, why, size);
}

Test(oidc_http, discovery_and_jwks_fetched)
{
    gw_oidc_t *o = fetched(issuer_url, err, sizeof err);
    cr_assert(o, "%s", err);
    cr_assert_eq(atomic_load(&jwks_requests), 1);
    char token_endpoint[128];
    snprintf(token_endpoint, sizeof token_endpoint, "%s/token", issuer_url);
    cr_assert_str_eq(gw_oidc_token_endpoint(o), token_endpoint);
    cr_assert_str_eq(gw_oidc_issuer(o), issuer_url);
    gw_oidc_destroy(&o);
}

Test(oidc_http, discovery_refusals)
{
    /* the document names another issuer than the one configured */
    char localhost[64];
    snprintf(localhost, sizeof localhost, "http://localhost:%s", strrchr(issuer_url, ':') + 1);
    cr_assert_null(fetched(localhost, err, sizeof err));
    cr_assert(strstr(err, "discovery names issuer"), "%s", err);
    /* no discovery at that path */
    char nowhere[96];
    snprintf(nowhere, sizeof nowhere, "%s/realms/none", issuer_url);
    cr_assert_null(fetched(nowhere, err, sizeof err));
    cr_assert(strstr(err, "HTTP 404"), "%s", err);
    /* a JWKS that is not one */
    atomic_store(&served_jwks, "<html>");
    cr_assert_null(fetched(issuer_url, err, sizeof err));
    cr_assert(strstr(err, "JWKS: "), "%s", err);
    /* nothing listening */
    cr_assert_null(fetched("http://127.0.0.1:1", err, sizeof err));
    cr_assert(strstr(err, "GET http://127.0.0.1:1/.well-known/openid-configuration"), "%s", err);
}

Test(oidc_http, unknown_kid_fetches_the_jwks_again_once)
{
    gw_oidc_t *o = fetched(issuer_url, err, sizeof err);
    cr_assert(o, "%s", err);
    /* the issuer rotates to a new key */
    fx_key_t next = fx_key_new(true, "ec-2");
    fx_key_t all[3] = {rsa, ec, next};
    char *rotated = fx_jwks(all, 3);
    atomic_store(&served_jwks, rotated);
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "iss", json_string(issuer_url));
    json_object_set_new(c, "aud", json_string(AUD));
    json_object_set_new(c, "client_id", json_string("hris"));
    char *token = fx_sign(&next, "ES256", c);
    gw_bearer_t b;
    cr_assert_eq(gw_oidc_verify_bearer(o, token, AUD, NOW, &b, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(b.principal, "service:hris");
    cr_assert_eq(atomic_load(&jwks_requests), 2);
    free(token);
    /* a made-up kid right after: refused without asking the issuer again */
    fx_key_t ghost = fx_key_new(true, "ghost");
    c = fx_claims(NOW);
    json_object_set_new(c, "iss", json_string(issuer_url));
    json_object_set_new(c, "aud", json_string(AUD));
    token = fx_sign(&ghost, "ES256", c);
    cr_assert_eq(gw_oidc_verify_bearer(o, token, AUD, NOW, &b, err, sizeof err), GW_JWT_EKID);
    cr_assert_eq(atomic_load(&jwks_requests), 2);
    free(token);
    fx_key_free(&ghost);
    fx_key_free(&next);
    gw_oidc_destroy(&o);
    atomic_store(&served_jwks, jwks_doc);
    free(rotated);
}
