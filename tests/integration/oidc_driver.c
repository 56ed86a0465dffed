/*  ent-oidc-driver — drives the gateway's OIDC module (services/gateway/oidc.h)
 *  against a real OpenID provider, without a browser, for
 *  tests/integration/test_oidc_login.sh.
 *
 *    ent-oidc-driver login ACCOUNT [--now-offset S] [--wrong-state]
 *                    [--tamper-claims] [--flip-byte] [--replay]
 *        gw_oidc_begin, GET the authorisation URL, the provider's login form
 *        (POST login=ACCOUNT) and consent form (cookies kept), read the code
 *        from the Location sent to the redirect URI (not followed), then
 *        gw_oidc_finish with now = time(NULL) + S.  --wrong-state hands back
 *        another state; --tamper-claims re-encodes the ID token's payload with
 *        the admin group added (signature unchanged); --flip-byte flips one
 *        byte of the signature; --replay trades the same code a second time
 *        and reports that second result.
 *    ent-oidc-driver bearer [--scope S] [--audience A] [--now-offset S] [--flip-byte]
 *        client_credentials at the token endpoint with OIDC_MACHINE_CLIENT_ID /
 *        _SECRET, then gw_oidc_verify_bearer for A (default $OIDC_RESOURCE).
 *
 *  Configuration: the gateway's ENTRETIENS_OIDC_* variables.  Prints one JSON
 *  object: the identity (or bearer), or {"error": name, "reason": text};
 *  exits 0 when accepted, 1 when refused, 2 on a driver failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "jwt.h"
#include "oidc.h"

static void die(const char *what)
{
    fprintf(stderr, "oidc-driver: %s\n", what);
    exit(2);
}

typedef struct {
    char *data;
    size_t len;
} buf_t;

/* GET (form NULL) or POST url; *status, *location (absolute, or NULL) and
 * the body (libcurl's default writer into a memory stream). */
static void http(CURL *curl, const char *url, const char *form, long *status, char **location,
                 buf_t *body)
{
    free(body->data);
    body->data = NULL;
    body->len = 0;
    FILE *stream = open_memstream(&body->data, &body->len);
    if (!stream)
        die("out of memory");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (form)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, stream);
    CURLcode rc = curl_easy_perform(curl);
    fclose(stream);
    if (rc != CURLE_OK) {
        fprintf(stderr, "oidc-driver: %s: %s\n", url, curl_easy_strerror(rc));
        exit(2);
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    char *loc = NULL;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &loc);
    *location = loc ? strdup(loc) : NULL;
}

/* Resolves a form's action against the page's URL. */
static char *resolve(const char *base, const char *ref)
{
    CURLU *u = curl_url();
    char *out = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK)
        die("cannot resolve a form action");
    curl_url_cleanup(u);
    char *copy = strdup(out);
    curl_free(out);
    return copy;
}

/* The value of query parameter name in url (decoded), or NULL. */
static char *query_param(CURL *curl, const char *url, const char *name)
{
    const char *q = strchr(url, '?');
    size_t n = strlen(name);
    for (const char *p = q ? q + 1 : NULL; p && *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            int outlen = 0;
            char *v = curl_easy_unescape(curl, p + n + 1, (int)(len - n - 1), &outlen);
            char *copy = v ? strdup(v) : NULL;
            curl_free(v);
            return copy;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Follows the provider from the authorisation URL to the redirect to
 * redirect_uri, whose URL it returns. */
static char *authorize(CURL *curl, const char *url, const char *account, const char *redirect_uri)
{
    char *current = strdup(url);
    buf_t body = {0};
    for (int step = 0; step < 12; step++) {
        long status = 0;
        char *location = NULL;
        http(curl, current, NULL, &status, &location, &body);
        for (;;) {
            if (status >= 300 && status < 400 && location) {
                if (strncmp(location, redirect_uri, strlen(redirect_uri)) == 0) {
                    free(current);
                    free(body.data);
                    return location;  /* the code: not followed */
                }
                free(current);
                current = location;
                break;
            }
            free(location);
            if (status != 200 || !body.data) {
                fprintf(stderr, "oidc-driver: %s answered %ld: %.300s\n", current, status,
                        body.data ? body.data : "");
                exit(2);
            }
            /* a form of the provider: login (with the account) or consent */
            const char *action = strstr(body.data, "action=\"");
            if (!action)
                die("a page without a form");
            action += strlen("action=\"");
            char *target = strndup(action, strcspn(action, "\""));
            char *post = resolve(current, target);
            char form[256] = "";
            if (strstr(target, "/login")) {
                char *escaped = curl_easy_escape(curl, account, 0);
                snprintf(form, sizeof form, "login=%s", escaped);
                curl_free(escaped);
            }
            free(target);
            free(current);
            current = post;
            http(curl, current, form, &status, &location, &body);
        }
    }
    die("too many steps before the redirect to the redirect URI");
    return NULL;
}

static int print_refusal(int rc, const char *why)
{
    json_t *o = json_pack("{s:s, s:s}", "error", gw_oidc_strerror(rc), "reason", why);
    char *text = json_dumps(o, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(o);
    return 1;
}

/* Re-encodes the payload of token with the admin group added: a forged
 * privilege with the original signature. */
static void tamper_claims(char **token)
{
    char *dot1 = strchr(*token, '.'), *dot2 = strrchr(*token, '.');
    unsigned char *payload = NULL;
    size_t len = 0;
    if (gw_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload, &len) != GW_JWT_OK)
        die("cannot decode the ID token");
    json_t *claims = json_loadb((char *)payload, len, 0, NULL);
    free(payload);
    json_object_set_new(claims, "groups", json_pack("[s]", "entretiens-admin"));
    char *text = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    size_t n = strlen(text);
    char *out = malloc((size_t)(dot1 - *token) + GW_B64URL_LEN(n) + strlen(dot2) + 2);
    size_t at = (size_t)(dot1 - *token) + 1;
    memcpy(out, *token, at);
    at += gw_b64url_encode((unsigned char *)text, n, out + at);
    strcpy(out + at, dot2);
    free(text);
    free(*token);
    *token = out;
}

/* Flips one bit of a character in the middle of the signature (another
 * character of the alphabet, so that the token still decodes). */
static void flip_byte(char *token)
{
    char *sig = strrchr(token, '.') + 1;
    char *c = sig + strlen(sig) / 2;
    *c = *c == 'A' ? 'B' : 'A';
}

static void env_config(gw_oidc_config_t *c)
{
    c->issuer = getenv("ENTRETIENS_OIDC_ISSUER");
    c->client_id = getenv("ENTRETIENS_OIDC_CLIENT_ID");
    c->client_secret = getenv("ENTRETIENS_OIDC_CLIENT_SECRET");
    c->redirect_uri = getenv("ENTRETIENS_OIDC_REDIRECT_URI");
    c->employee_claim = getenv("ENTRETIENS_OIDC_EMPLOYEE_CLAIM");
    c->groups_claim = getenv("ENTRETIENS_OIDC_GROUPS_CLAIM");
    c->hr_groups = getenv("ENTRETIENS_OIDC_HR_GROUPS");
    c->admin_groups = getenv("ENTRETIENS_OIDC_ADMIN_GROUPS");
    c->ca_file = getenv("ENTRETIENS_OIDC_CA_FILE");
    c->scopes = getenv("ENTRETIENS_OIDC_SCOPES");
}

static int do_login(gw_oidc_t *oidc, const gw_oidc_config_t *c, int argc, char **argv)
{
    const char *account = argv[2];
    long offset = 0;
    int wrong_state = 0, tamper = 0, flip = 0, replay = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--now-offset") == 0 && i + 1 < argc)
            offset = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--wrong-state") == 0)
            wrong_state = 1;
        else if (strcmp(argv[i], "--tamper-claims") == 0)
            tamper = 1;
        else if (strcmp(argv[i], "--flip-byte") == 0)
            flip = 1;
        else if (strcmp(argv[i], "--replay") == 0)
            replay = 1;
        else
            die("unknown login option");
    }
    static gw_oidc_pending_t pending;
    if (gw_oidc_begin(oidc, &pending) != 0)
        die("gw_oidc_begin failed");
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "");  /* the cookie engine, in memory */
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    char *back = authorize(curl, pending.url, account, c->redirect_uri);
    char *code = query_param(curl, back, "code");
    char *state = query_param(curl, back, "state");
    if (!code || !state) {
        fprintf(stderr, "oidc-driver: the provider came back without a code: %s\n", back);
        exit(2);
    }
    if (wrong_state)
        state[0] = state[0] == 'A' ? 'B' : 'A';
    char why[512] = "";
    gw_oidc_identity_t id;
    time_t now = time(NULL) + offset;
    int rc;
    if (tamper || flip) {
        gw_oidc_tokens_t tokens;
        rc = gw_oidc_exchange(oidc, &pending, state, code, &tokens, why, sizeof why);
        if (rc == 0) {
            if (tamper)
                tamper_claims(&tokens.id_token);
            if (flip)
                flip_byte(tokens.id_token);
            rc = gw_oidc_verify_id_token(oidc, &pending, tokens.id_token, tokens.access_token,
                                         now, &id, why, sizeof why);
            gw_oidc_tokens_clear(&tokens);
        }
    } else {
        rc = gw_oidc_finish(oidc, &pending, state, code, now, &id, why, sizeof why);
        if (replay) {
            fprintf(stderr, "oidc-driver: first exchange: %s %s\n", gw_oidc_strerror(rc), why);
            if (rc != 0)
                exit(2);
            rc = gw_oidc_finish(oidc, &pending, state, code, now, &id, why, sizeof why);
        }
    }
    free(back);
    free(code);
    free(state);
    curl_easy_cleanup(curl);
    if (rc != 0)
        return print_refusal(rc, why);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "principal", id.principal, "subject",
                          id.subject, "name", id.name, "email", id.email, "expires",
                          (json_int_t)id.expires);
    char *text = json_dumps(o, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(o);
    return 0;
}

static int do_bearer(gw_oidc_t *oidc, int argc, char **argv)
{
    const char *scope = "ingest";
    const char *audience = getenv("OIDC_RESOURCE");
    long offset = 0;
    int flip = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--scope") == 0 && i + 1 < argc)
            scope = argv[++i];
        else if (strcmp(argv[i], "--audience") == 0 && i + 1 < argc)
            audience = argv[++i];
        else if (strcmp(argv[i], "--now-offset") == 0 && i + 1 < argc)
            offset = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--flip-byte") == 0)
            flip = 1;
        else
            die("unknown bearer option");
    }
    const char *id = getenv("OIDC_MACHINE_CLIENT_ID"), *secret = getenv("OIDC_MACHINE_CLIENT_SECRET");
    if (!id || !secret)
        die("OIDC_MACHINE_CLIENT_ID and OIDC_MACHINE_CLIENT_SECRET are needed");
    CURL *curl = curl_easy_init();
    char *escaped = curl_easy_escape(curl, scope, 0);
    char form[512];
    snprintf(form, sizeof form, "grant_type=client_credentials&scope=%s", escaped);
    curl_free(escaped);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, id);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, secret);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    long status = 0;
    char *location = NULL;
    buf_t body = {0};
    http(curl, gw_oidc_token_endpoint(oidc), form, &status, &location, &body);
    free(location);
    curl_easy_cleanup(curl);
    json_t *doc = json_loads(body.data ? body.data : "", 0, NULL);
    const char *token = json_string_value(json_object_get(doc, "access_token"));
    if (status != 200 || !token) {
        fprintf(stderr, "oidc-driver: client_credentials answered %ld: %s\n", status,
                body.data ? body.data : "");
        exit(2);
    }
    char *copy = strdup(token);
    json_decref(doc);
    free(body.data);
    if (flip)
        flip_byte(copy);
    gw_bearer_t bearer;
    char why[512] = "";
    int rc = gw_oidc_verify_bearer(oidc, copy, audience, time(NULL) + offset, &bearer, why,
                                   sizeof why);
    free(copy);
    if (rc != 0)
        return print_refusal(rc, why);
    json_t *o = json_pack("{s:s, s:s, s:b, s:b}", "principal", bearer.principal, "scopes",
                          bearer.scopes, "ingest", gw_bearer_has_scope(&bearer, "ingest"),
                          "read", gw_bearer_has_scope(&bearer, "read"));
    char *text = json_dumps(o, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(o);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "login") == 0 && argc < 3) ||
        (strcmp(argv[1], "login") != 0 && strcmp(argv[1], "bearer") != 0)) {
        fprintf(stderr, "usage: ent-oidc-driver login ACCOUNT [options] | bearer [options]\n");
        return 2;
    }
    gw_oidc_config_t config = {0};
    env_config(&config);
    char why[512];
    gw_oidc_t *oidc = gw_oidc_new(&config, why, sizeof why);
    if (!oidc) {
        fprintf(stderr, "oidc-driver: gw_oidc_new: %s\n", why);
        return 2;
    }
    int rc = strcmp(argv[1], "login") == 0 ? do_login(oidc, &config, argc, argv)
                                           : do_bearer(oidc, argc, argv);
    gw_oidc_destroy(&oidc);
    return rc;
}
