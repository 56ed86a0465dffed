/*  gw_hook_routes.c — /api/v1/webhooks: subscriptions and their dead
 *  letters (gw_hooks.h, docs/api.md "Webhooks").
 *
 *  Who: an administrator (every subscription, every event) or HR with a
 *  grant (its own subscriptions; events of its granted entities only,
 *  decided when each event is consumed: gw_hook_events.c).  Anyone else,
 *  and HR without a grant, gets 403: a subscription sends data about many
 *  people to another system.  The secret is given (or generated) at
 *  creation, answered that once, stored as key bytes, never returned
 *  again nor logged.
 */
#include "gw_api.h"

#include "common/event_json.h"
#include "common/grants.h"
#include "common/log.h"
#include "common/webhook_sign.h"
#include "gw_hooks.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX 2048
#define DESCRIPTION_MAX 200
#define SECRET_RAW_MIN 16       /* a secret given as text: at least this many bytes */
#define DEAD_PAGE_MAX 1000

/* 0 when r's principal may manage webhooks (admin, or HR holding a grant
 * in the gateway's copy), else 403 with out filled. */
static unsigned s_allowed(gw_req_t *r, gw_resp_t *out)
{
    if (r->who.role == ENT_ROLE_ADMIN)
        return 0;
    if (r->who.role == ENT_ROLE_HR) {
        MDB_txn *txn;
        ent_grant_scope_t sc = { 0 };
        bool granted = false;
        if (gw_store_read(&r->gw->st, &txn) == 0) {
            if (ent_grants_scope(txn, r->gw->st.grants, r->principal, &sc) == 0)
                granted = sc.scope.granted;
            ent_grants_scope_free(&sc);
            gw_store_abort(txn);
        }
        if (granted)
            return 0;
        gw_count(r->gw, GW_C_FORBIDDEN);
        gw_resp_problem(out, 403, "PERMISSION_DENIED", NULL,
                        "HR manages webhooks once an administrator granted it entities (access grant)");
        return 403;
    }
    gw_count(r->gw, GW_C_FORBIDDEN);
    gw_resp_problem(out, 403, "PERMISSION_DENIED", NULL, "webhooks are for administrators and HR");
    return 403;
}

/* True when r may see the subscription w (admin: all; HR: its own). */
static bool s_owns(const gw_req_t *r, const Entretiens__V1__Webhook *w)
{
    return r->who.role == ENT_ROLE_ADMIN || strcmp(w->created_by, r->principal) == 0;
}

/* The subscription's JSON: everything but the secret. */
static json_t *s_webhook_json(const Entretiens__V1__Webhook *w)
{
    json_t *kinds = json_array();
    for (size_t i = 0; i < w->n_kinds; i++)
        json_array_append_new(kinds, ent_json_str(w->kinds[i]));
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:I}", "id", ent_json_str(w->id), "url", ent_json_str(w->url),
                          "kinds", kinds, "created_by", ent_json_str(w->created_by), "created_ms",
                          (json_int_t) w->created_ms);
    if (o && w->description && *w->description)
        json_object_set_new(o, "description", ent_json_str(w->description));
    return o;
}

static json_t *s_delivery_json(const Entretiens__V1__WebhookDelivery *d)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:I, s:I}", "webhook_id", ent_json_str(d->webhook_id), "event_id",
                          ent_json_str(d->event_id), "kind", ent_json_str(d->kind), "attempts",
                          (json_int_t) d->attempts, "enqueued_ms", (json_int_t) d->enqueued_ms);
    if (!o)
        return NULL;
    if (d->last_error && *d->last_error)
        json_object_set_new(o, "last_error", ent_json_str(d->last_error));
    if (d->dead_ms)
        json_object_set_new(o, "dead_ms", json_integer((json_int_t) d->dead_ms));
    else
        json_object_set_new(o, "next_attempt_ms", json_integer((json_int_t) d->next_attempt_ms));
    json_error_t jerr;
    json_t *body = json_loadb((const char *) d->body.data, d->body.len, 0, &jerr);
    if (body)
        json_object_set_new(o, "body", body);
    return o;
}

/* Checks the URL with libcurl's parser: http or https, a host, no
 * credentials in it (they would be shown by every list).  NULL when fine,
 * else why. */
static const char *s_url_problem(const char *url)
{
    if (!url || !*url)
        return "a url is required";
    if (strlen(url) > URL_MAX)
        return "the url is longer than 2048 characters";
    for (const unsigned char *p = (const unsigned char *) url; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "the url holds a space or a control character";
    CURLU *u = curl_url();
    if (!u)
        return "out of memory";
    const char *why = NULL;
    char *scheme = NULL, *host = NULL, *user = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        why = "not a URL";
    else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
             (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        why = "the url must be http:// or https://";
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host)
        why = "the url has no host";
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
        why = "the url must not hold credentials (the signature authenticates the gateway)";
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_url_cleanup(u);
    return why;
}

/* The secret: given ("whsec_<base64>" or any text of 16 bytes or more,
 * read as the notifier reads its secret) or generated (24 random bytes,
 * answered once as whsec_...).  Returns 0 or 400 with out filled. */
static unsigned s_secret(json_t *given, ent_webhook_key_t *key, char *text, size_t text_size, gw_resp_t *out)
{
    text[0] = '\0';
    if (given && !json_is_null(given)) {
        const char *s = json_string_value(given);
        if (!s || (strncmp(s, "whsec_", 6) != 0 && strlen(s) < SECRET_RAW_MIN) || ent_webhook_key_parse(s, key) != 0)
            return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "secret",
                                   "the secret is whsec_<base64 of 24 to 512 bytes>, or a text of at least %d "
                                   "bytes; leave it out to get one generated", SECRET_RAW_MIN), 400;
        return 0;
    }
    unsigned char raw[24];
    randombytes_buf(raw, sizeof raw);
    memcpy(text, "whsec_", 6);
    sodium_bin2base64(text + 6, text_size - 6, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    memcpy(key->bytes, raw, sizeof raw);
    key->len = sizeof raw;
    sodium_memzero(raw, sizeof raw);
    return 0;
}

/* Commits txn when rc is 0, else aborts it.  Returns the outcome. */
static int s_end(MDB_txn *txn, int rc)
{
    if (rc) {
        gw_store_abort(txn);
        return rc;
    }
    return gw_store_commit(txn);
}

/* POST /api/v1/webhooks {"url", "kinds": [...], "secret"?, "description"?} */
int gw_route_webhook_create(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    if (s_allowed(r, out))
        return 0;
    json_error_t jerr;
    json_t *in = r->body && r->body_len ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
    if (!json_is_object(in)) {
        json_decref(in);
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "a JSON object: url, kinds, secret");
    }
    const char *url = json_string_value(json_object_get(in, "url"));
    const char *desc = json_string_value(json_object_get(in, "description"));
    json_t *kinds = json_object_get(in, "kinds");
    const char *why = s_url_problem(url);
    ent_webhook_key_t key;
    char secret_text[64];
    char id[24] = "wh_";
    unsigned char idraw[8];
    Entretiens__V1__Webhook w = ENTRETIENS__V1__WEBHOOK__INIT;
    char *kind_ptrs[32];
    MDB_txn *txn;
    int rc;
    memset(&key, 0, sizeof key);
    if (why) {
        gw_resp_problem(out, 400, "INVALID_ARGUMENT", "url", "%s", why);
        goto done;
    }
    if (!json_is_array(kinds) || json_array_size(kinds) == 0 || json_array_size(kinds) > 32) {
        gw_resp_problem(out, 400, "INVALID_ARGUMENT", "kinds", "kinds is a list of 1 to 32 of: %s",
                        gw_hook_kind_list());
        goto done;
    }
    for (size_t i = 0; i < json_array_size(kinds); i++) {
        const char *k = json_string_value(json_array_get(kinds, i));
        if (!gw_hook_kind_known(k)) {
            gw_resp_problem(out, 400, "INVALID_ARGUMENT", "kinds", "unknown kind '%.60s'; the kinds are: %s",
                            k ? k : "(not a string)", gw_hook_kind_list());
            goto done;
        }
        kind_ptrs[i] = (char *) k;
    }
    if (desc && strlen(desc) > DESCRIPTION_MAX) {
        gw_resp_problem(out, 400, "INVALID_ARGUMENT", "description", "at most %d bytes", DESCRIPTION_MAX);
        goto done;
    }
    if (s_secret(json_object_get(in, "secret"), &key, secret_text, sizeof secret_text, out))
        goto done;
    randombytes_buf(idraw, sizeof idraw);
    sodium_bin2hex(id + 3, sizeof id - 3, idraw, sizeof idraw);
    w.id = id;
    w.url = (char *) url;
    w.kinds = kind_ptrs;
    w.n_kinds = json_array_size(kinds);
    w.secret.data = key.bytes;
    w.secret.len = key.len;
    w.created_by = r->principal;
    w.created_ms = gw_now_ms();
    w.description = (char *) (desc ? desc : "");
    rc = gw_store_write(&r->gw->st, &txn);
    if (!rc)
        rc = s_end(txn, gw_webhook_put(txn, &r->gw->st, &w));
    if (rc) {
        ent_log_error("gateway.store", "webhook create: %s", mdb_strerror(rc));
        gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
        goto done;
    }
    json_t *o = s_webhook_json(&w);
    if (o && secret_text[0])
        json_object_set_new(o, "secret", json_string(secret_text));
    ent_log_info("webhook.created", "webhook %s created by %s for %zu kind(s)", id, r->principal, w.n_kinds);
    gw_resp_json(out, 201, o);
done:
    sodium_memzero(&key, sizeof key);
    sodium_memzero(secret_text, sizeof secret_text);
    json_decref(in); /* the given secret stays in the request body, which the API frees */
    return 0;
}

/* GET /api/v1/webhooks: the caller's subscriptions (an administrator's:
 * all), with how many deliveries wait and how many are dead. */
int gw_route_webhook_list(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    if (s_allowed(r, out))
        return 0;
    MDB_txn *txn;
    Entretiens__V1__Webhook **subs = NULL;
    size_t n = 0;
    int rc = gw_store_read(&r->gw->st, &txn);
    if (rc)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    rc = gw_webhook_list(txn, &r->gw->st, &subs, &n);
    json_t *arr = json_array();
    for (size_t i = 0; !rc && i < n; i++) {
        if (!s_owns(r, subs[i]))
            continue;
        json_t *o = s_webhook_json(subs[i]);
        MDB_dbi dbis[2] = { r->gw->st.wh_pending, r->gw->st.wh_dead };
        const char *names[2] = { "pending", "dead" };
        for (int k = 0; k < 2 && o; k++) {
            Entretiens__V1__WebhookDelivery **items = NULL;
            size_t m = 0;
            if (gw_delivery_list(txn, &r->gw->st, dbis[k], subs[i]->id, NULL, SIZE_MAX, &items, &m) == 0)
                json_object_set_new(o, names[k], json_integer((json_int_t) m));
            gw_delivery_list_free(items, m);
        }
        json_array_append_new(arr, o);
    }
    gw_store_abort(txn);
    gw_webhook_list_free(subs, n);
    if (rc) {
        json_decref(arr);
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    }
    return gw_resp_json(out, 200, json_pack("{s:o}", "webhooks", arr));
}

/* Reads subscription {id} for r: 0, or 404 (absent or not the caller's:
 * the same answer) / 503 with out filled. */
static unsigned s_find(gw_req_t *r, gw_resp_t *out, MDB_txn *txn, Entretiens__V1__Webhook **w)
{
    int rc = gw_webhook_get(txn, &r->gw->st, r->params[0], w);
    if (rc == 0 && !s_owns(r, *w)) {
        entretiens__v1__webhook__free_unpacked(*w, NULL);
        *w = NULL;
        rc = MDB_NOTFOUND;
    }
    if (rc == MDB_NOTFOUND)
        return gw_resp_problem(out, 404, "NOT_FOUND", "id", "no such webhook"), 404;
    if (rc)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable"), 503;
    return 0;
}

/* The checks of every route on one subscription: the caller may manage
 * webhooks, a transaction is open (write or read) and subscription {id}
 * is the caller's.  Returns 0 with *txn open (and *w, when w is not NULL,
 * to free), or an HTTP status with out filled and nothing open. */
static unsigned s_begin(gw_req_t *r, gw_resp_t *out, bool write, MDB_txn **txn, Entretiens__V1__Webhook **w)
{
    Entretiens__V1__Webhook *found = NULL;
    unsigned st = s_allowed(r, out);
    if (st)
        return st;
    if ((write ? gw_store_write : gw_store_read)(&r->gw->st, txn) != 0)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable"), 503;
    if ((st = s_find(r, out, *txn, &found)) != 0) {
        gw_store_abort(*txn);
        return st;
    }
    if (w)
        *w = found;
    else
        entretiens__v1__webhook__free_unpacked(found, NULL);
    return 0;
}

/* DELETE /api/v1/webhooks/{id}: the subscription, its queue and its dead
 * letters. */
int gw_route_webhook_delete(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    MDB_txn *txn;
    if (s_begin(r, out, true, &txn, NULL))
        return 0;
    if (s_end(txn, gw_webhook_del(txn, &r->gw->st, r->params[0])) != 0)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    ent_log_info("webhook.deleted", "webhook %s deleted by %s", r->params[0], r->principal);
    out->status = 204;
    return 0;
}

/* GET /api/v1/webhooks/{id}/dead-letters[?limit&after]: the deliveries
 * given up, oldest event first, with their last error and body. */
int gw_route_webhook_dead(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    const char *ls = gw_req_query(r, "limit"), *after = gw_req_query(r, "after");
    long limit = ls ? strtol(ls, NULL, 10) : 100;
    if (limit < 1 || limit > DEAD_PAGE_MAX)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "limit", "limit is from 1 to %d", DEAD_PAGE_MAX);
    MDB_txn *txn;
    Entretiens__V1__Webhook *w = NULL;
    if (s_begin(r, out, false, &txn, &w))
        return 0;
    char from[512] = "";
    if (after && *after)
        snprintf(from, sizeof from, "%s/%s", w->id, after);
    Entretiens__V1__WebhookDelivery **items = NULL;
    size_t m = 0;
    int rc = gw_delivery_list(txn, &r->gw->st, r->gw->st.wh_dead, w->id, from, (size_t) limit + 1, &items, &m);
    gw_store_abort(txn);
    entretiens__v1__webhook__free_unpacked(w, NULL);
    if (rc)
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    json_t *arr = json_array();
    for (size_t i = 0; i < m && i < (size_t) limit; i++)
        json_array_append_new(arr, s_delivery_json(items[i]));
    json_t *o = json_pack("{s:o}", "dead_letters", arr);
    if (m > (size_t) limit)
        json_object_set_new(o, "next_after", ent_json_str(items[limit - 1]->event_id));
    gw_delivery_list_free(items, m);
    return gw_resp_json(out, 200, o);
}

/* POST /api/v1/webhooks/{id}/dead-letters/{event_id}/resubmit: back in
 * the queue, attempts from zero, due now. */
int gw_route_webhook_resubmit(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    MDB_txn *txn;
    Entretiens__V1__WebhookDelivery *d = NULL;
    if (s_begin(r, out, true, &txn, NULL))
        return 0;
    int rc = gw_delivery_get(txn, &r->gw->st, r->gw->st.wh_dead, r->params[0], r->params[1], &d);
    if (rc == MDB_NOTFOUND) {
        gw_store_abort(txn);
        return gw_resp_problem(out, 404, "NOT_FOUND", "event_id", "no such dead letter");
    }
    if (!rc) {
        d->attempts = 0;
        d->dead_ms = 0;
        d->next_attempt_ms = gw_now_ms();
        rc = gw_delivery_put(txn, &r->gw->st, r->gw->st.wh_pending, d);
        if (!rc)
            rc = gw_delivery_del(txn, &r->gw->st, r->gw->st.wh_dead, d->webhook_id, d->event_id);
    }
    if (s_end(txn, rc) != 0) {
        if (d)
            entretiens__v1__webhook_delivery__free_unpacked(d, NULL);
        return gw_resp_problem(out, 503, "UNAVAILABLE", NULL, "the store is unavailable");
    }
    ent_log_info("webhook.resubmitted", "webhook %s: event %s resubmitted by %s", d->webhook_id, d->event_id,
                 r->principal);
    json_t *o = s_delivery_json(d);
    entretiens__v1__webhook_delivery__free_unpacked(d, NULL);
    gw_hooks_kick(r->gw);
    return gw_resp_json(out, 200, o);
}
