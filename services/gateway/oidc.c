/*  oidc.c — see oidc.h. */
#include "oidc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/log.h"

#define S_MAX_GROUPS 64

struct gw_oidc {
    /* configuration, copied */
    char *issuer, *client_id, *client_secret, *redirect_uri;
    char *employee_claim, *groups_claim, *scopes, *ca_file;
    char *hr_groups[S_MAX_GROUPS];
    size_t n_hr_groups;
    char *manager_groups[S_MAX_GROUPS];
    size_t n_manager_groups;
    char *admin_groups[S_MAX_GROUPS];
    size_t n_admin_groups;
    /* discovery */
    char *authorization_endpoint, *token_endpoint, *jwks_uri;
    /* keys: swapped under the lock when fetched again */
    pthread_mutex_t lock;
    gw_jwks_t *jwks;
    bool online;               /* built by gw_oidc_new: may fetch the JWKS again */
    bool refreshed;            /* an unknown kid has made us fetch it again */
    struct timespec last_refresh; /* CLOCK_MONOTONIC of that fetch */
    bool curl_inited;
};

const char *gw_oidc_strerror(int err)
{
    static const char *names[] = {
        [GW_OIDC_ECONFIG - GW_OIDC_ECONFIG] = "config",
        [GW_OIDC_EFETCH - GW_OIDC_ECONFIG] = "fetch",
        [GW_OIDC_EDISCOVERY - GW_OIDC_ECONFIG] = "discovery",
        [GW_OIDC_ESTATE - GW_OIDC_ECONFIG] = "state",
        [GW_OIDC_EPROVIDER - GW_OIDC_ECONFIG] = "provider",
        [GW_OIDC_ENONCE - GW_OIDC_ECONFIG] = "nonce",
        [GW_OIDC_EPRINCIPAL - GW_OIDC_ECONFIG] = "principal",
        [GW_OIDC_ENOMEM - GW_OIDC_ECONFIG] = "nomem",
    };
    if (err >= 0 && err < GW_JWT_ERR_COUNT)
        return gw_jwt_strerror(err);
    if (err >= GW_OIDC_ECONFIG && err < GW_OIDC_ERR_END)
        return names[err - GW_OIDC_ECONFIG];
    return "?";
}

/* ------------------------------------------------------------ configuration */

/* https://..., or http:// on a loopback host (tests, a provider on the same
 * machine): anything else would let a network attacker read codes and
 * forge documents. */
static bool s_url_safe(const char *url)
{
    if (!url)
        return false;
    if (strncmp(url, "https://", 8) == 0)
        return url[8] != '\0';
    if (strncmp(url, "http://", 7) != 0)
        return false;
    const char *host = url + 7;
    static const char *loopback[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < sizeof loopback / sizeof *loopback; i++) {
        size_t n = strlen(loopback[i]);
        if (strncmp(host, loopback[i], n) == 0 &&
            (host[n] == '\0' || host[n] == ':' || host[n] == '/'))
            return true;
    }
    return false;
}

static int s_split_groups(const char *list, char **out, size_t *n)
{
    *n = 0;
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        const char *last = end;
        while (last > p && last[-1] == ' ')
            last--;
        if (last > p) {
            if (*n == S_MAX_GROUPS)
                return GW_OIDC_ECONFIG;
            if (!(out[*n] = strndup(p, (size_t)(last - p))))
                return GW_OIDC_ENOMEM;
            (*n)++;
        }
        p = end;
    }
    return 0;
}

/* True when word is one of the space-separated words of list. */
static bool s_has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    if (n == 0)
        return false;
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

static int s_dup(char **dst, const char *src, const char *def)
{
    const char *v = src && *src ? src : def;
    *dst = NULL;
    if (!v)
        return 0;
    *dst = strdup(v);
    return *dst ? 0 : GW_OIDC_ENOMEM;
}

void gw_oidc_destroy(gw_oidc_t **oidc_p)
{
    if (!oidc_p || !*oidc_p)
        return;
    gw_oidc_t *o = *oidc_p;
    if (o->client_secret)
        OPENSSL_cleanse(o->client_secret, strlen(o->client_secret));
    free(o->issuer);
    free(o->client_id);
    free(o->client_secret);
    free(o->redirect_uri);
    free(o->employee_claim);
    free(o->groups_claim);
    free(o->scopes);
    free(o->ca_file);
    for (size_t i = 0; i < o->n_hr_groups; i++)
        free(o->hr_groups[i]);
    for (size_t i = 0; i < o->n_manager_groups; i++)
        free(o->manager_groups[i]);
    for (size_t i = 0; i < o->n_admin_groups; i++)
        free(o->admin_groups[i]);
    free(o->authorization_endpoint);
    free(o->token_endpoint);
    free(o->jwks_uri);
    gw_jwks_destroy(&o->jwks);
    pthread_mutex_destroy(&o->lock);
    if (o->curl_inited)
        curl_global_cleanup();
    free(o);
    *oidc_p = NULL;
}

static gw_oidc_t *s_new(const gw_oidc_config_t *c, char *err, size_t errlen)
{
    if (!c || !c->issuer || !*c->issuer || !c->client_id || !*c->client_id ||
        !c->client_secret || !*c->client_secret || !c->redirect_uri || !*c->redirect_uri) {
        gw_jwt_errf(err, errlen, "OIDC needs the issuer, client id, client secret and redirect URI");
        return NULL;
    }
    if (!s_url_safe(c->issuer)) {
        gw_jwt_errf(err, errlen, "issuer \"%.200s\" must be https (http only on a loopback host)",
                    c->issuer);
        return NULL;
    }
    gw_oidc_t *o = calloc(1, sizeof *o);
    if (!o) {
        gw_jwt_errf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&o->lock, NULL);
    int rc = 0;
    if ((rc = s_dup(&o->issuer, c->issuer, NULL)) || (rc = s_dup(&o->client_id, c->client_id, NULL)) ||
        (rc = s_dup(&o->client_secret, c->client_secret, NULL)) ||
        (rc = s_dup(&o->redirect_uri, c->redirect_uri, NULL)) ||
        (rc = s_dup(&o->employee_claim, c->employee_claim, "employee_id")) ||
        (rc = s_dup(&o->groups_claim, c->groups_claim, "groups")) ||
        (rc = s_dup(&o->scopes, c->scopes, "openid profile email")) ||
        (rc = s_dup(&o->ca_file, c->ca_file, NULL)) ||
        (rc = s_split_groups(c->hr_groups && *c->hr_groups ? c->hr_groups : "hr",
                             o->hr_groups, &o->n_hr_groups)) ||
        (rc = s_split_groups(c->manager_groups && *c->manager_groups ? c->manager_groups : "managers",
                             o->manager_groups, &o->n_manager_groups)) ||
        (rc = s_split_groups(c->admin_groups && *c->admin_groups ? c->admin_groups
                                                                 : "entretiens-admin",
                             o->admin_groups, &o->n_admin_groups))) {
        gw_jwt_errf(err, errlen, "%s",
                    rc == GW_OIDC_ECONFIG ? "more than 64 groups in a list" : "out of memory");
        goto fail;
    }
    if (!s_has_word(o->scopes, "openid")) {
        gw_jwt_errf(err, errlen, "the requested scopes must include openid");
        goto fail;
    }
    /* every instance may reach the token endpoint, also one built from
     * documents; curl counts these calls */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        gw_jwt_errf(err, errlen, "libcurl could not start");
        goto fail;
    }
    o->curl_inited = true;
    return o;
fail:
    gw_oidc_destroy(&o);
    return NULL;
}

const char *gw_oidc_token_endpoint(const gw_oidc_t *oidc)
{
    return oidc->token_endpoint;
}

const char *gw_oidc_issuer(const gw_oidc_t *oidc)
{
    return oidc->issuer;
}

/* ------------------------------------------------------------ HTTP */

typedef struct {
    char *data;
    size_t len;
    bool too_big;
} s_buf_t;

static size_t s_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    s_buf_t *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n > GW_OIDC_DOC_MAX) {
        b->too_big = true;
        return 0; /* aborts the transfer */
    }
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* GET (form NULL) or POST form; auth is an Authorization header value or
 * NULL.  Returns 0 with *status and body (to free), or GW_OIDC_EFETCH /
 * GW_OIDC_ENOMEM.  Redirects are not followed: a discovery or token
 * endpoint that redirects is not the one configured. */
static int s_http(const gw_oidc_t *o, const char *url, const char *form, const char *auth,
                  long *status, char **body, char *err, size_t errlen)
{
    *body = NULL;
    *status = 0;
    s_buf_t buf = {0};
    struct curl_slist *headers = NULL;
    char *auth_header = NULL;
    int rc = GW_OIDC_ENOMEM;
    CURL *curl = curl_easy_init();
    if (!curl) {
        gw_jwt_errf(err, errlen, "out of memory");
        goto done;
    }
    headers = curl_slist_append(headers, "Accept: application/json");
    if (auth) {
        size_t n = strlen("Authorization: ") + strlen(auth) + 1;
        if (!(auth_header = malloc(n)))
            goto done;
        snprintf(auth_header, n, "Authorization: %s", auth);
        struct curl_slist *h = curl_slist_append(headers, auth_header);
        if (!h)
            goto done;
        headers = h;
    }
    if (!headers)
        goto done;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
    if (o->ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, o->ca_file);
    if (form)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
    CURLcode cc = curl_easy_perform(curl);
    if (cc != CURLE_OK) {
        rc = GW_OIDC_EFETCH;
        /* the URL is configuration or the issuer's own document: no secret */
        gw_jwt_errf(err, errlen, "%s %.200s: %s", form ? "POST" : "GET", url,
                    buf.too_big ? "answer larger than 1 MiB" : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    *body = buf.data ? buf.data : strdup("");
    buf.data = NULL;
    rc = *body ? 0 : GW_OIDC_ENOMEM;
done:
    if (rc == GW_OIDC_ENOMEM)
        gw_jwt_errf(err, errlen, "out of memory");
    if (auth_header) {
        OPENSSL_cleanse(auth_header, strlen(auth_header));
        free(auth_header);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(buf.data);
    return rc;
}

/* GET a JSON document that must answer 200. */
static int s_get_document(const gw_oidc_t *o, const char *url, char **body, char *err,
                          size_t errlen)
{
    long status = 0;
    int rc = s_http(o, url, NULL, NULL, &status, body, err, errlen);
    if (rc != 0)
        return rc;
    if (status != 200) {
        gw_jwt_errf(err, errlen, "GET %.200s: HTTP %ld", url, status);
        free(*body);
        *body = NULL;
        return GW_OIDC_EFETCH;
    }
    return 0;
}

/* ------------------------------------------------------------ documents */

static bool s_list_has(json_t *list, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
            return true;
    }
    return false;
}

static int s_read_discovery(gw_oidc_t *o, const char *json, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *d = json ? json_loads(json, 0, &jerr) : NULL;
    int rc = GW_OIDC_EDISCOVERY;
    if (!json_is_object(d)) {
        gw_jwt_errf(err, errlen, "discovery document is not a JSON object");
        goto done;
    }
    const char *issuer = json_string_value(json_object_get(d, "issuer"));
    /* OpenID Connect Discovery 4.3: the issuer must be identical, else a
     * provider could pass its tokens off as another's */
    if (!issuer || strcmp(issuer, o->issuer) != 0) {
        gw_jwt_errf(err, errlen, "discovery names issuer \"%.200s\", configured \"%.200s\"",
                    issuer ? issuer : "(none)", o->issuer);
        goto done;
    }
    static const char *fields[] = {"authorization_endpoint", "token_endpoint", "jwks_uri"};
    char **dst[] = {&o->authorization_endpoint, &o->token_endpoint, &o->jwks_uri};
    for (size_t i = 0; i < 3; i++) {
        const char *v = json_string_value(json_object_get(d, fields[i]));
        if (!s_url_safe(v)) {
            gw_jwt_errf(err, errlen, "discovery: %s %s", fields[i],
                        v ? "is neither https nor loopback http" : "missing");
            goto done;
        }
        if (!(*dst[i] = strdup(v))) {
            rc = GW_OIDC_ENOMEM;
            gw_jwt_errf(err, errlen, "out of memory");
            goto done;
        }
    }
    json_t *methods = json_object_get(d, "code_challenge_methods_supported");
    if (json_is_array(methods) && !s_list_has(methods, "S256")) {
        gw_jwt_errf(err, errlen, "discovery: the issuer does not support PKCE S256");
        goto done;
    }
    methods = json_object_get(d, "token_endpoint_auth_methods_supported");
    if (json_is_array(methods) && !s_list_has(methods, "client_secret_basic")) {
        gw_jwt_errf(err, errlen, "discovery: the token endpoint does not take client_secret_basic");
        goto done;
    }
    methods = json_object_get(d, "response_types_supported");
    if (json_is_array(methods) && !s_list_has(methods, "code")) {
        gw_jwt_errf(err, errlen, "discovery: the issuer does not support response_type code");
        goto done;
    }
    rc = 0;
done:
    json_decref(d);
    return rc;
}

static int s_set_jwks(gw_oidc_t *o, const char *json, char *err, size_t errlen)
{
    char why[256];
    gw_jwks_t *jwks = gw_jwks_new(json, why, sizeof why);
    if (!jwks) {
        gw_jwt_errf(err, errlen, "JWKS: %s", why);
        return GW_JWT_EJWKS;
    }
    pthread_mutex_lock(&o->lock);
    gw_jwks_t *old = o->jwks;
    o->jwks = jwks;
    pthread_mutex_unlock(&o->lock);
    gw_jwks_destroy(&old);
    return 0;
}

static int s_fetch_jwks(gw_oidc_t *o, char *err, size_t errlen)
{
    char *body = NULL;
    int rc = s_get_document(o, o->jwks_uri, &body, err, errlen);
    if (rc == 0)
        rc = s_set_jwks(o, body, err, errlen);
    free(body);
    return rc;
}

gw_oidc_t *gw_oidc_new_from_documents(const gw_oidc_config_t *config,
                                      const char *discovery_json, const char *jwks_json,
                                      char *err, size_t errlen)
{
    gw_oidc_t *o = s_new(config, err, errlen);
    if (!o)
        return NULL;
    if (s_read_discovery(o, discovery_json, err, errlen) != 0 ||
        s_set_jwks(o, jwks_json, err, errlen) != 0)
        gw_oidc_destroy(&o);
    return o;
}

gw_oidc_t *gw_oidc_new(const gw_oidc_config_t *config, char *err, size_t errlen)
{
    char *body = NULL;
    char url[GW_OIDC_URL_MAX];
    gw_oidc_t *o = s_new(config, err, errlen);
    if (!o)
        return NULL;
    size_t n = strlen(o->issuer);
    /* the issuer may end with '/': no "//.well-known" */
    snprintf(url, sizeof url, "%.*s/.well-known/openid-configuration",
             (int)(n && o->issuer[n - 1] == '/' ? n - 1 : n), o->issuer);
    if (s_get_document(o, url, &body, err, errlen) != 0 ||
        s_read_discovery(o, body, err, errlen) != 0 || s_fetch_jwks(o, err, errlen) != 0)
        goto fail;
    free(body);
    o->online = true;
    ent_log_info("oidc.ready", "issuer %s: discovery and %zu signing keys loaded", o->issuer,
                 gw_jwks_count(o->jwks));
    return o;
fail:
    free(body);
    gw_oidc_destroy(&o);
    return NULL;
}

/* ------------------------------------------------------------ sign-in */

static int s_random_b64(char *out)
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return GW_OIDC_ENOMEM;
    gw_b64url_encode(bytes, sizeof bytes, out);
    OPENSSL_cleanse(bytes, sizeof bytes);
    return 0;
}

/* Appends value percent-encoded (RFC 3986 unreserved characters kept) at
 * url + *len.  Returns false when it does not fit. */
static bool s_percent_encode(char *url, size_t size, size_t *len, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = *len;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (n + 4 >= size)
            return false;
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            url[n++] = (char)*p;
        } else {
            url[n++] = '%';
            url[n++] = hex[*p >> 4];
            url[n++] = hex[*p & 15];
        }
    }
    url[n] = '\0';
    *len = n;
    return true;
}

/* Appends "&name=value" ("name=value" first or after '?').  Returns false
 * when it does not fit. */
static bool s_append_param(char *url, size_t size, size_t *len, const char *name,
                           const char *value)
{
    size_t n = *len;
    bool first = n == 0 || url[n - 1] == '?' || url[n - 1] == '&';
    int w = snprintf(url + n, size - n, "%s%s=", first ? "" : "&", name);
    if (w < 0 || (size_t)w >= size - n)
        return false;
    *len = n + (size_t)w;
    return s_percent_encode(url, size, len, value);
}

/* base64url(SHA-256(verifier)): RFC 7636 4.2. */
static void s_pkce_challenge(const char *verifier, char out[44])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)verifier, strlen(verifier), digest);
    gw_b64url_encode(digest, sizeof digest, out);
}

int gw_oidc_begin(gw_oidc_t *oidc, gw_oidc_pending_t *out)
{
    memset(out, 0, sizeof *out);
    char challenge[44];
    if (s_random_b64(out->state) || s_random_b64(out->nonce) ||
        s_random_b64(out->code_verifier)) {
        memset(out, 0, sizeof *out);
        return GW_OIDC_ENOMEM;
    }
    s_pkce_challenge(out->code_verifier, challenge);
    size_t len = (size_t)snprintf(out->url, sizeof out->url, "%s%c",
                                  oidc->authorization_endpoint,
                                  strchr(oidc->authorization_endpoint, '?') ? '&' : '?');
    if (len >= sizeof out->url ||
        !s_append_param(out->url, sizeof out->url, &len, "response_type", "code") ||
        !s_append_param(out->url, sizeof out->url, &len, "client_id", oidc->client_id) ||
        !s_append_param(out->url, sizeof out->url, &len, "redirect_uri", oidc->redirect_uri) ||
        !s_append_param(out->url, sizeof out->url, &len, "scope", oidc->scopes) ||
        !s_append_param(out->url, sizeof out->url, &len, "state", out->state) ||
        !s_append_param(out->url, sizeof out->url, &len, "nonce", out->nonce) ||
        !s_append_param(out->url, sizeof out->url, &len, "code_challenge", challenge) ||
        !s_append_param(out->url, sizeof out->url, &len, "code_challenge_method", "S256")) {
        memset(out, 0, sizeof *out);
        return GW_OIDC_ECONFIG;
    }
    return 0;
}

/* Constant-time equality of two strings (the lengths are not secret: every
 * value we draw has the same length). */
static bool s_secret_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t n = strlen(a);
    return n == strlen(b) && n > 0 && CRYPTO_memcmp(a, b, n) == 0;
}

void gw_oidc_tokens_clear(gw_oidc_tokens_t *t)
{
    if (!t)
        return;
    if (t->id_token) {
        OPENSSL_cleanse(t->id_token, strlen(t->id_token));
        free(t->id_token);
    }
    if (t->access_token) {
        OPENSSL_cleanse(t->access_token, strlen(t->access_token));
        free(t->access_token);
    }
    t->id_token = t->access_token = NULL;
}

/* "Basic base64(urlencode(id):urlencode(secret))", RFC 6749 2.3.1. */
static char *s_basic_auth(const gw_oidc_t *o)
{
    size_t cap = 3 * (strlen(o->client_id) + strlen(o->client_secret)) + 16;
    char *plain = malloc(cap);
    char *out = NULL;
    size_t len = 0;
    if (!plain)
        return NULL;
    if (!s_percent_encode(plain, cap, &len, o->client_id) || len + 1 >= cap)
        goto done;
    plain[len++] = ':';
    if (!s_percent_encode(plain, cap, &len, o->client_secret))
        goto done;
    out = malloc(6 + 4 * ((len + 2) / 3) + 1);
    if (!out)
        goto done;
    memcpy(out, "Basic ", 6);
    EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)plain, (int)len);
done:
    OPENSSL_cleanse(plain, cap);
    free(plain);
    return out;
}

static char *s_form(const char *const *pairs, size_t n_pairs)
{
    size_t cap = 64;
    for (size_t i = 0; i < n_pairs; i++)
        cap += 3 * strlen(pairs[i]) + 2;
    char *form = malloc(cap);
    size_t len = 0;
    if (!form)
        return NULL;
    form[0] = '\0';
    for (size_t i = 0; i + 1 < n_pairs; i += 2)
        if (!s_append_param(form, cap, &len, pairs[i], pairs[i + 1])) {
            free(form);
            return NULL;
        }
    return form;
}

int gw_oidc_exchange(gw_oidc_t *oidc, const gw_oidc_pending_t *pending, const char *state,
                     const char *code, gw_oidc_tokens_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!pending || !s_secret_equal(state, pending->state)) {
        gw_jwt_errf(err, errlen, "the state returned is not the one of this login attempt");
        return GW_OIDC_ESTATE;
    }
    if (!code || !*code) {
        gw_jwt_errf(err, errlen, "no code returned by the issuer");
        return GW_OIDC_EPROVIDER;
    }
    char *auth = s_basic_auth(oidc);
    const char *pairs[] = {"grant_type", "authorization_code", "code", code,
                           "redirect_uri", oidc->redirect_uri,
                           "code_verifier", pending->code_verifier};
    char *form = s_form(pairs, sizeof pairs / sizeof *pairs);
    char *body = NULL;
    json_t *doc = NULL;
    long status = 0;
    int rc = GW_OIDC_ENOMEM;
    if (!auth || !form) {
        gw_jwt_errf(err, errlen, "out of memory");
        goto done;
    }
    rc = s_http(oidc, oidc->token_endpoint, form, auth, &status, &body, err, errlen);
    if (rc != 0)
        goto done;
    doc = json_loads(body, 0, NULL);
    const char *oauth_error = json_string_value(json_object_get(doc, "error"));
    if (oauth_error) {
        const char *desc = json_string_value(json_object_get(doc, "error_description"));
        gw_jwt_errf(err, errlen, "the token endpoint refused the code: %.64s%s%.200s%s", oauth_error,
                    desc ? " (" : "", desc ? desc : "", desc ? ")" : "");
        rc = GW_OIDC_EPROVIDER;
        goto done;
    }
    if (status != 200 || !json_is_object(doc)) {
        gw_jwt_errf(err, errlen, "the token endpoint answered HTTP %ld without a JSON body", status);
        rc = GW_OIDC_EFETCH;
        goto done;
    }
    const char *id_token = json_string_value(json_object_get(doc, "id_token"));
    const char *access_token = json_string_value(json_object_get(doc, "access_token"));
    if (!id_token) {
        gw_jwt_errf(err, errlen, "the token endpoint returned no id_token (is openid in the scopes?)");
        rc = GW_OIDC_EPROVIDER;
        goto done;
    }
    rc = GW_OIDC_ENOMEM;
    if (!(out->id_token = strdup(id_token)) ||
        (access_token && !(out->access_token = strdup(access_token)))) {
        gw_oidc_tokens_clear(out);
        gw_jwt_errf(err, errlen, "out of memory");
        goto done;
    }
    rc = 0;
done:
    if (auth) {
        OPENSSL_cleanse(auth, strlen(auth));
        free(auth);
    }
    if (form) {
        OPENSSL_cleanse(form, strlen(form));
        free(form);
    }
    if (body) {
        OPENSSL_cleanse(body, strlen(body));
        free(body);
    }
    json_decref(doc);
    return rc;
}

/* Verifies the signature with the current key set; on an unknown kid, an
 * online instance fetches the set again (once, throttled) and retries. */
static int s_verify_signature(gw_oidc_t *o, const char *token, gw_jwt_t *jwt, char *err,
                              size_t errlen)
{
    bool refresh = false;
    pthread_mutex_lock(&o->lock);
    int rc = gw_jwt_verify(o->jwks, token, jwt, err, errlen);
    if (rc == GW_JWT_EKID && o->online) {
        /* the first unknown kid fetches at once (a rotation is seen on the
         * first token of the new key); later ones at most every
         * GW_OIDC_JWKS_REFRESH_MIN s.  Decided under the lock, so that
         * threads meeting the same new kid fetch once. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!o->refreshed || now.tv_sec - o->last_refresh.tv_sec >= GW_OIDC_JWKS_REFRESH_MIN) {
            refresh = true;
            o->refreshed = true;
            o->last_refresh = now;
        }
    }
    pthread_mutex_unlock(&o->lock);
    if (!refresh)
        return rc;
    char why[256];
    if (s_fetch_jwks(o, why, sizeof why) != 0) {
        ent_log_warn("oidc.jwks_refresh_failed", "issuer %s: %s", o->issuer, why);
        return rc;
    }
    ent_log_info("oidc.jwks_refreshed", "issuer %s: an unknown kid made us fetch the JWKS again",
                 o->issuer);
    pthread_mutex_lock(&o->lock);
    rc = gw_jwt_verify(o->jwks, token, jwt, err, errlen);
    pthread_mutex_unlock(&o->lock);
    return rc;
}

/* Signature, then iss, aud, exp, nbf, iat.  *jwt is cleared on error. */
static int s_verify_token(gw_oidc_t *o, const char *token, const char *audience, time_t now,
                          bool require_iat, gw_jwt_t *jwt, char *err, size_t errlen)
{
    int rc = s_verify_signature(o, token, jwt, err, errlen);
    if (rc != 0)
        return rc;
    gw_jwt_expect_t expect = {.issuer = o->issuer, .audience = audience, .now = now,
                              .leeway = GW_JWT_LEEWAY, .require_iat = require_iat};
    rc = gw_jwt_check_claims(jwt, &expect, err, errlen);
    if (rc != 0)
        gw_jwt_clear(jwt);
    return rc;
}

/* The end of a verification: the token is released, the result zeroed on
 * error (no half-filled identity reaches a caller who ignores rc). */
static int s_verified(int rc, void *out, size_t size, gw_jwt_t *jwt)
{
    if (rc != 0)
        memset(out, 0, size);
    gw_jwt_clear(jwt);
    return rc;
}

static bool s_in_list(char *const *list, size_t n, const char *group)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], group) == 0)
            return true;
    return false;
}

/* True when one of the claim's groups is in list. */
static bool s_member(const json_t *groups, char *const *list, size_t n)
{
    if (json_is_string(groups))
        return s_in_list(list, n, json_string_value(groups));
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g) {
        if (json_is_string(g) && s_in_list(list, n, json_string_value(g)))
            return true;
    }
    return false;
}

/* Formats role:id and checks it with the product's grammar; from names the
 * claim the id came from, for the reason. */
static int s_principal(const char *role, const char *id, const char *from, char *out,
                       size_t size, char *err, size_t errlen)
{
    ent_principal_t p;
    const char *why = "longer than 64 characters (1 to 64 letters, digits, . _ @ -)";
    char text[ENT_PRINCIPAL_MAX + 2];
    if (strlen(id) <= ENT_PRINCIPAL_ID_MAX) {
        snprintf(text, sizeof text, "%s:%s", role, id);
        if (ent_principal_parse(text, &p, &why) == 0) {
            ent_principal_format(&p, out, size);
            return 0;
        }
    }
    gw_jwt_errf(err, errlen, "the %s claim is not a valid %s id: %s", from, role,
                why ? why : "invalid");
    return GW_OIDC_EPRINCIPAL;
}

int gw_oidc_map_principal(const gw_oidc_t *oidc, const json_t *claims, char *principal,
                          size_t size, char *err, size_t errlen)
{
    principal[0] = '\0';
    const json_t *groups = json_object_get(claims, oidc->groups_claim);
    const char *role = NULL;
    if (s_member(groups, oidc->admin_groups, oidc->n_admin_groups))
        role = "admin";
    else if (s_member(groups, oidc->hr_groups, oidc->n_hr_groups))
        role = "hr";
    if (role) {
        static const char *id_claims[] = {"preferred_username", "email", "sub"};
        for (size_t i = 0; i < 3; i++) {
            const char *id = json_string_value(json_object_get(claims, id_claims[i]));
            /* an address the user typed and nobody checked could name
             * another HR officer (and inherit her grants) */
            if (id && i == 1 && !json_is_true(json_object_get(claims, "email_verified")))
                id = NULL;
            if (id)
                return s_principal(role, id, id_claims[i], principal, size, err, errlen);
        }
        gw_jwt_errf(err, errlen,
                    "no preferred_username, verified email or sub to name the %s principal", role);
        return GW_OIDC_EPRINCIPAL;
    }
    const json_t *employee = json_object_get(claims, oidc->employee_claim);
    char number[32];
    const char *value = json_string_value(employee);
    if (json_is_integer(employee)) {
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(employee));
        value = number;
    }
    /* a person who manages others signs in as a manager under her own
     * employee id (she sees her team); the directory, not the token,
     * decides whom: the reporting line the HRIS sent */
    if (value)
        return s_principal(s_member(groups, oidc->manager_groups, oidc->n_manager_groups) ? "manager" : "employee",
                           value, oidc->employee_claim, principal, size, err, errlen);
    gw_jwt_errf(err, errlen, "no %s claim and no HR or administrator group in %s: this account "
                "has no role here", oidc->employee_claim, oidc->groups_claim);
    return GW_OIDC_EPRINCIPAL;
}

/* at_hash: base64url of the left half of SHA-256(access token), for the
 * SHA-256 algorithms we accept (OpenID Connect Core 3.1.3.6). */
static bool s_at_hash_ok(const char *at_hash, const char *access_token)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char expect[GW_B64URL_LEN(SHA256_DIGEST_LENGTH / 2) + 1];
    SHA256((const unsigned char *)access_token, strlen(access_token), digest);
    gw_b64url_encode(digest, SHA256_DIGEST_LENGTH / 2, expect);
    return strcmp(at_hash, expect) == 0;
}

static void s_copy_claim(const gw_jwt_t *jwt, const char *name, char *out, size_t size)
{
    const char *v = gw_jwt_claim_string(jwt, name);
    snprintf(out, size, "%s", v ? v : "");
}

int gw_oidc_verify_id_token(gw_oidc_t *oidc, const gw_oidc_pending_t *pending,
                            const char *id_token, const char *access_token, time_t now,
                            gw_oidc_identity_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    gw_jwt_t jwt;
    int rc = s_verify_token(oidc, id_token, oidc->client_id, now, true, &jwt, err, errlen);
    if (rc != 0)
        return rc;
    rc = GW_JWT_ECLAIM;
    json_t *aud = json_object_get(jwt.claims, "aud");
    const char *azp = gw_jwt_claim_string(&jwt, "azp");
    if ((json_is_array(aud) && json_array_size(aud) > 1 && !azp) ||
        (azp && strcmp(azp, oidc->client_id) != 0)) {
        gw_jwt_errf(err, errlen, "azp %s (the token was issued to another client)",
                    azp ? "is not our client id" : "missing while aud names several clients");
        goto done;
    }
    if (!pending || !s_secret_equal(gw_jwt_claim_string(&jwt, "nonce"), pending->nonce)) {
        gw_jwt_errf(err, errlen, "nonce missing or not the one of this login attempt");
        rc = GW_OIDC_ENONCE;
        goto done;
    }
    const char *sub = gw_jwt_claim_string(&jwt, "sub");
    if (!sub || !*sub || strlen(sub) >= sizeof out->subject) {
        gw_jwt_errf(err, errlen, "sub missing, empty or longer than 255 bytes");
        goto done;
    }
    const char *at_hash = gw_jwt_claim_string(&jwt, "at_hash");
    if (at_hash && access_token && !s_at_hash_ok(at_hash, access_token)) {
        gw_jwt_errf(err, errlen, "at_hash does not match the access token");
        goto done;
    }
    rc = gw_oidc_map_principal(oidc, jwt.claims, out->principal, sizeof out->principal, err,
                               errlen);
    if (rc != 0)
        goto done;
    snprintf(out->subject, sizeof out->subject, "%s", sub);
    s_copy_claim(&jwt, "email", out->email, sizeof out->email);
    const char *name = gw_jwt_claim_string(&jwt, "name");
    const char *given = gw_jwt_claim_string(&jwt, "given_name");
    const char *family = gw_jwt_claim_string(&jwt, "family_name");
    if (name)
        snprintf(out->name, sizeof out->name, "%s", name);
    else if (given || family)
        snprintf(out->name, sizeof out->name, "%s%s%s", given ? given : "",
                 given && family ? " " : "", family ? family : "");
    out->expires = gw_jwt_claim_time(&jwt, "exp");
done:
    return s_verified(rc, out, sizeof *out, &jwt);
}

int gw_oidc_finish(gw_oidc_t *oidc, const gw_oidc_pending_t *pending, const char *state,
                   const char *code, time_t now, gw_oidc_identity_t *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    gw_oidc_tokens_t tokens;
    int rc = gw_oidc_exchange(oidc, pending, state, code, &tokens, err, errlen);
    if (rc != 0)
        return rc;
    rc = gw_oidc_verify_id_token(oidc, pending, tokens.id_token, tokens.access_token, now, out,
                                 err, errlen);
    gw_oidc_tokens_clear(&tokens);
    return rc;
}

/* ------------------------------------------------------------ machines */

/* Appends the space-separated words of text to list (runs of spaces
 * collapsed, so that gw_bearer_has_scope sees single words).  Returns false
 * when they do not fit. */
static bool s_add_words(char *list, size_t size, const char *text)
{
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        size_t n = strlen(list);
        if (len) {
            int w = snprintf(list + n, size - n, "%s%.*s", n ? " " : "", (int)len, p);
            if (w < 0 || (size_t)w >= size - n)
                return false;
        }
        p += len;
    }
    return true;
}

/* Scopes from "scope" (a space-separated string, RFC 9068), else "scp" (a
 * string or an array: Entra ID, Okta), else "roles" (an array: the
 * application permissions of Entra ID's app-only tokens, granted for this
 * API since aud names it). */
static int s_bearer_scopes(const gw_jwt_t *jwt, gw_bearer_t *out, char *err, size_t errlen)
{
    const char *scope = gw_jwt_claim_string(jwt, "scope");
    json_t *scp = json_object_get(jwt->claims, "scp");
    json_t *roles = json_object_get(jwt->claims, "roles");
    const char *text = scope ? scope : json_string_value(scp);
    json_t *list = NULL;
    if (!scope && json_is_array(scp))
        list = scp;
    else if (!scope && !scp && json_is_array(roles))
        list = roles;
    bool ok = true;
    if (text) {
        ok = s_add_words(out->scopes, sizeof out->scopes, text);
    } else if (list) {
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
            if (json_is_string(v) && ok)
                ok = s_add_words(out->scopes, sizeof out->scopes, json_string_value(v));
        }
    }
    if (!ok) {
        gw_jwt_errf(err, errlen, "scope list longer than %zu bytes", sizeof out->scopes - 1);
        return GW_JWT_ECLAIM;
    }
    return 0;
}

int gw_oidc_verify_bearer(gw_oidc_t *oidc, const char *token, const char *audience,
                          time_t now, gw_bearer_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!audience || !*audience) {
        gw_jwt_errf(err, errlen, "no audience to check bearer tokens against");
        return GW_OIDC_ECONFIG;
    }
    gw_jwt_t jwt;
    int rc = s_verify_token(oidc, token, audience, now, false, &jwt, err, errlen);
    if (rc != 0)
        return rc;
    rc = GW_JWT_ECLAIM;
    const char *typ = json_string_value(json_object_get(jwt.header, "typ"));
    if (typ && strcasecmp(typ, "at+jwt") != 0 && strcasecmp(typ, "application/at+jwt") != 0 &&
        strcasecmp(typ, "JWT") != 0) {
        gw_jwt_errf(err, errlen, "typ \"%.32s\" is not an access token's", typ);
        goto done;
    }
    rc = s_bearer_scopes(&jwt, out, err, errlen);
    if (rc != 0)
        goto done;
    static const char *id_claims[] = {"client_id", "azp", "sub"};
    const char *id = NULL, *from = NULL;
    for (size_t i = 0; i < 3 && !id; i++)
        id = gw_jwt_claim_string(&jwt, from = id_claims[i]);
    if (!id) {
        gw_jwt_errf(err, errlen, "no client_id, azp or sub to name the service");
        rc = GW_OIDC_EPRINCIPAL;
        goto done;
    }
    rc = s_principal("service", id, from, out->principal, sizeof out->principal, err, errlen);
    if (rc != 0)
        goto done;
    s_copy_claim(&jwt, "sub", out->subject, sizeof out->subject);
    out->expires = gw_jwt_claim_time(&jwt, "exp");
done:
    return s_verified(rc, out, sizeof *out, &jwt);
}

bool gw_bearer_has_scope(const gw_bearer_t *bearer, const char *scope)
{
    return s_has_word(bearer->scopes, scope);
}
