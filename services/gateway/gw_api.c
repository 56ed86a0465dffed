/*  gw_api.c — the API server: libmicrohttpd with its own thread pool,
 *  bodies with a size limit, security headers, rate limits, deny by
 *  default, CSRF, dispatch to the routes (gw_api.h, docs/gateway.md).
 */
#include "gw_api.h"
#include "gw_web.h"

#include "common/event_json.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct gw_thread {
    gw_t *gw;
    ent_rpc_client_t *c[GW_DAEMONS];
    ent_rpc_client_t *ingest;
};

/* The state of one request across MHD's calls (its body arrives in pieces). */
typedef struct {
    char *body;
    size_t len, cap;
    bool too_large;
} s_conn_t;

/* ------------------------------------------------------------- helpers */

int gw_resp_problem(gw_resp_t *out, unsigned status, const char *code, const char *field, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    json_decref(out->json);
    out->status = status;
    out->json = gw_problem_new(status, code, field, detail);
    return 0;
}

int gw_resp_json(gw_resp_t *out, unsigned status, json_t *json)
{
    json_decref(out->json);
    out->status = json ? status : 500;
    out->json = json ? json : gw_problem_new(500, "INTERNAL", NULL, "out of memory");
    return 0;
}

const char *gw_req_query(const gw_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *gw_req_header(const gw_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result s_query_add(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    json_object_set_new(cls, key, ent_json_str(value ? value : ""));
    return MHD_YES;
}

json_t *gw_req_query_object(const gw_req_t *r)
{
    json_t *o = json_object();
    if (o)
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, s_query_add, o);
    return o;
}

bool gw_route_match(const char *pattern, const char *path, char params[GW_MAX_PARAMS][GW_MAX_PARAM])
{
    int np = 0;
    const char *p = pattern, *s = path;
    while (*p) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (!end || np >= GW_MAX_PARAMS)
                return false;
            size_t n = strcspn(s, "/");
            if (n == 0 || n >= GW_MAX_PARAM)
                return false;
            /* a suffix after the parameter in the same segment (".ics") */
            const char *after = end + 1;
            size_t suffix = strcspn(after, "/");
            if (suffix) {
                if (n <= suffix || strncmp(s + n - suffix, after, suffix) != 0)
                    return false;
                n -= suffix;
            }
            memcpy(params[np], s, n);
            params[np][n] = '\0';
            np++;
            s += n + suffix;
            p = after + suffix;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

/* ------------------------------------------------------------- clients */

static void s_thread_free(void *arg)
{
    gw_thread_t *th = arg;
    for (int i = 0; i < GW_DAEMONS; i++)
        ent_rpc_client_destroy(&th->c[i]);
    ent_rpc_client_destroy(&th->ingest);
    free(th);
}

static gw_thread_t *s_thread(gw_t *gw)
{
    gw_thread_t *th = pthread_getspecific(gw->tls);
    if (th)
        return th;
    th = calloc(1, sizeof *th);
    if (!th)
        return NULL;
    th->gw = gw;
    if (pthread_setspecific(gw->tls, th) != 0) {
        free(th);
        return NULL;
    }
    return th;
}

int gw_call(gw_req_t *r, int daemon, const char *method, const ProtobufCMessage *msg, bool ingest,
            ent_rpc_result_t *out)
{
    gw_t *gw = r->gw;
    memset(out, 0, sizeof *out);
    gw_thread_t *th = s_thread(gw);
    ent_rpc_client_t **slot = th ? (ingest ? &th->ingest : &th->c[daemon]) : NULL;
    if (slot && !*slot)
        *slot = ent_rpc_client_new(gw->zctx, gw->endpoints[daemon], ingest ? gw->ingest_timeout_ms : gw->rpc_timeout_ms,
                                   gw->has_curve[daemon] ? &gw->curve[daemon] : NULL);
    if (!slot || !*slot) {
        out->code = ENT_UNAVAILABLE;
        snprintf(out->message, sizeof out->message, "cannot reach %s", gw_daemon_names[daemon]);
        return -1;
    }
    int rc = ent_rpc_client_call_msg(*slot, method, r->principal, msg, out);
    if (rc != 0 && out->code == ENT_DEADLINE_EXCEEDED)
        snprintf(out->message, sizeof out->message, "%s did not answer in time", gw_daemon_names[daemon]);
    return rc;
}

/* ------------------------------------------------------------- checks */

static bool s_state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* The Origin of a browser's request must be ours: the configured origin,
 * else the Host the request was sent to.  No Origin (curl, an HRIS) is
 * let through: the CSRF token is still required for sessions. */
static bool s_origin_ok(gw_req_t *r)
{
    const char *origin = gw_req_header(r, "Origin");
    if (!origin)
        return true;
    if (r->gw->origin[0])
        return strcmp(origin, r->gw->origin) == 0;
    const char *host = gw_req_header(r, "Host");
    const char *o = strstr(origin, "://");
    return host && o && strcmp(o + 3, host) == 0;
}

static const gw_route_t *s_route(gw_req_t *r, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < gw_n_routes; i++) {
        char params[GW_MAX_PARAMS][GW_MAX_PARAM];
        if (!gw_route_match(gw_routes[i].pattern, r->path, params))
            continue;
        *path_known = true;
        if (strcmp(gw_routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(gw_routes[i].method, "GET") == 0)) {
            memcpy(r->params, params, sizeof params);
            return &gw_routes[i];
        }
    }
    return NULL;
}

/* Public routes: no credential needed. */
static bool s_public(const gw_route_t *rt)
{
    return rt->fn == gw_route_login || strcmp(rt->scope, "public") == 0;
}

static void s_handle(gw_req_t *r, gw_resp_t *out)
{
    gw_t *gw = r->gw;
    uint32_t retry = 0;
    int64_t now = gw_now_ms();
    if (!gw_ratelimit_take(gw->rl_addr, r->addr, now, &retry)) {
        gw_count(gw, GW_C_RATE_LIMITED);
        out->retry_after = retry;
        gw_resp_problem(out, 429, "RESOURCE_EXHAUSTED", NULL, "too many requests from this address");
        return;
    }
    if (gw_web_wants(gw, r->method, r->path)) { /* the pages: public, like any web site's */
        gw_web_serve(r, out);
        return;
    }
    bool known;
    const gw_route_t *rt = s_route(r, &known);
    if (!rt) {
        if (known)
            gw_resp_problem(out, 405, "METHOD_NOT_ALLOWED", NULL, "%s is not allowed on %s", r->method, r->path);
        else
            gw_resp_problem(out, 404, "NOT_FOUND", NULL, "no such route");
        return;
    }
    if (s_public(rt)) {
        if (s_state_changing(r->method) && !s_origin_ok(r)) {
            gw_count(gw, GW_C_CSRF);
            gw_resp_problem(out, 403, "CSRF", "Origin", "cross-site request refused");
            return;
        }
        rt->fn(r, out, rt->arg);
        return;
    }
    if (gw_authenticate(r, out, rt->scope) != 0)
        return;
    if (r->auth == GW_AUTH_NONE) { /* deny by default */
        gw_count(gw, GW_C_UNAUTHENTICATED);
        gw_resp_problem(out, 401, "UNAUTHENTICATED", NULL, "sign in (session cookie) or send an API key");
        return;
    }
    if (!gw_ratelimit_take(gw->rl_principal, r->principal, now, &retry)) {
        gw_count(gw, GW_C_RATE_LIMITED);
        out->retry_after = retry;
        gw_resp_problem(out, 429, "RESOURCE_EXHAUSTED", NULL, "too many requests for this principal");
        return;
    }
    if (r->auth == GW_AUTH_SESSION && s_state_changing(r->method)) {
        const char *token = gw_req_header(r, "X-CSRF-Token");
        if (!s_origin_ok(r) || !gw_token_equal(token, r->csrf)) {
            gw_count(gw, GW_C_CSRF);
            ent_log_warn("auth.csrf", "%s %s by %s from %s refused: %s", r->method, r->path, r->principal, r->addr,
                         !s_origin_ok(r) ? "foreign Origin" : token ? "wrong CSRF token" : "no CSRF token");
            gw_resp_problem(out, 403, "CSRF", !s_origin_ok(r) ? "Origin" : "X-CSRF-Token",
                            "state-changing requests need the session's X-CSRF-Token from the same origin");
            return;
        }
    }
    rt->fn(r, out, rt->arg);
}

/* ------------------------------------------------------------- MHD */

static void s_headers(gw_t *gw, struct MHD_Response *resp, const gw_resp_t *out)
{
    MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cache-Control", out->cache_control ? out->cache_control : "no-store");
    if (out->content_encoding)
        MHD_add_response_header(resp, "Content-Encoding", out->content_encoding);
    if (out->vary_encoding)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (gw->secure_cookies)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (out->etag[0])
        MHD_add_response_header(resp, "ETag", out->etag);
    if (out->cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", out->cookie);
    if (out->location)
        MHD_add_response_header(resp, "Location", out->location);
    if (out->disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", out->disposition);
    if (out->retry_after) {
        char v[16];
        snprintf(v, sizeof v, "%u", out->retry_after);
        MHD_add_response_header(resp, "Retry-After", v);
    }
    if (out->trace[0]) {
        char span[33], tp[64];
        ent_trace_new(span);
        snprintf(tp, sizeof tp, "00-%s-%.16s-01", out->trace, span);
        MHD_add_response_header(resp, "traceparent", tp);
    }
}

static enum MHD_Result s_send(gw_t *gw, struct MHD_Connection *conn, gw_resp_t *out, bool head)
{
    char *body = NULL;
    size_t len = 0;
    const char *ctype = "application/json";
    if (out->text) {
        body = out->text;
        len = out->text_len;
        out->text = NULL;
        ctype = out->content_type ? out->content_type : "text/plain; charset=utf-8";
    } else if (out->json) {
        body = json_dumps(out->json, JSON_COMPACT);
        len = body ? strlen(body) : 0;
        if (out->status >= 400)
            ctype = "application/problem+json";
    }
    if (!out->status)
        out->status = 500;
    if (out->status >= 500)
        gw_count(gw, GW_C_ERRORS_5XX);
    struct MHD_Response *resp;
    if (out->has_file) { /* MHD closes the descriptor with the response */
        out->has_file = false;
        resp = MHD_create_response_from_fd((size_t) out->file_size, out->file_fd);
        if (!resp)
            close(out->file_fd);
        ctype = out->content_type;
    } else if (head || out->status == 204) {
        free(body);
        resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(len, body ? body : (void *) "", body ? MHD_RESPMEM_MUST_FREE
                                                                                   : MHD_RESPMEM_PERSISTENT);
        if (!resp)
            free(body);
    }
    if (!resp)
        return MHD_NO;
    if (out->status != 204)
        MHD_add_response_header(resp, "Content-Type", ctype);
    s_headers(gw, resp, out);
    enum MHD_Result rc = MHD_queue_response(conn, out->status, resp);
    MHD_destroy_response(resp);
    json_decref(out->json);
    out->json = NULL;
    free(out->location);
    out->location = NULL;
    return rc;
}

static void s_addr(struct MHD_Connection *conn, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, size, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *) (const void *) sa)->sin_addr, buf, (socklen_t) size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) (const void *) sa)->sin6_addr, buf, (socklen_t) size);
}

/* /healthz and /readyz on the API port (the probes of the ops port are
 * the loop's own): alive while the loop beats.  /metrics is only on the
 * ops port: a scraper pointed at the API port gets a 404 that says where
 * they are, not the web application's page (a 200 no scraper can parse). */
static bool s_probe(gw_t *gw, const char *url, gw_resp_t *out)
{
    if (strcmp(url, "/metrics") == 0) {
        gw_resp_problem(out, 404, "NOT_FOUND", NULL,
                        "/metrics is served on the operations port (ENTRETIENS_GATEWAY_OPS_HTTP), not the API's");
        return true;
    }
    bool health = strcmp(url, "/healthz") == 0, ready = strcmp(url, "/readyz") == 0;
    if (!health && !ready)
        return false;
    int64_t beat = atomic_load(&gw->loop_beat_ms);
    bool ok = gw_now_ms() - beat < 5000 && !(ready && atomic_load(&gw->stopping));
    out->status = ok ? 200 : 503;
    out->text = strdup(ok ? (health ? "ok\n" : "ready\n") : "not ready: the loop does not turn or is stopping\n");
    out->text_len = out->text ? strlen(out->text) : 0;
    out->content_type = "text/plain; charset=utf-8";
    return true;
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **con_cls)
{
    (void) version;
    gw_t *gw = cls;
    s_conn_t *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        *con_cls = c;
        gw_count(gw, GW_C_REQUESTS);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > gw->max_body)
            c->too_large = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!c->too_large && c->len + *upload_data_size > gw->max_body)
            c->too_large = true;
        if (!c->too_large) {
            if (c->len + *upload_data_size + 1 > c->cap) {
                size_t cap = c->cap ? c->cap : 16384;
                while (cap < c->len + *upload_data_size + 1)
                    cap *= 2;
                char *grown = realloc(c->body, cap);
                if (!grown) {
                    c->too_large = true;
                } else {
                    c->body = grown;
                    c->cap = cap;
                }
            }
            if (!c->too_large) {
                memcpy(c->body + c->len, upload_data, *upload_data_size);
                c->len += *upload_data_size;
                c->body[c->len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    gw_resp_t out = { 0 };
    bool head = strcmp(method, "HEAD") == 0;
    if (s_probe(gw, url, &out))
        return s_send(gw, conn, &out, head);
    /* the request's trace: the client's W3C traceparent, or a new one; on
     * this thread's log lines and on every call to the daemons it makes */
    if (ent_traceparent_parse(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "traceparent"), out.trace) != 0)
        ent_trace_new(out.trace);
    ent_log_trace_set(out.trace);
    if (c->too_large) {
        ent_log_trace_set(NULL);
        gw_resp_problem(&out, 413, "RESOURCE_EXHAUSTED", "body", "the body is larger than %zu bytes", gw->max_body);
        return s_send(gw, conn, &out, head);
    }
    gw_req_t *r = calloc(1, sizeof *r);
    if (!r)
        return MHD_NO;
    r->gw = gw;
    r->conn = conn;
    r->method = method;
    r->path = url;
    r->body = c->body;
    r->body_len = c->len;
    s_addr(conn, r->addr, sizeof r->addr);
    s_handle(r, &out);
    explicit_bzero(r->csrf, sizeof r->csrf);
    free(r);
    enum MHD_Result sent = s_send(gw, conn, &out, head);
    ent_log_trace_set(NULL);
    return sent;
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void) cls;
    (void) conn;
    (void) toe;
    s_conn_t *c = *con_cls;
    if (!c)
        return;
    if (c->body)
        explicit_bzero(c->body, c->len); /* passwords pass through here */
    free(c->body);
    free(c);
    *con_cls = NULL;
}

static int s_parse_hostport(const char *text, struct sockaddr_in *sa)
{
    char host[128];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t) (colon - text) >= sizeof host)
        return -1;
    memcpy(host, text, (size_t) (colon - text));
    host[colon - text] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t) port);
    if (strcmp(host, "") == 0 || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0)
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0)
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return -1;
    return 0;
}

int gw_api_start(gw_t *gw)
{
    const char *ep = ent_config_get(ent_daemon_config(gw->d), "ENTRETIENS_GATEWAY_HTTP");
    struct sockaddr_in sa;
    if (!ep || s_parse_hostport(ep, &sa) != 0) {
        ent_log_error("config.invalid", "ENTRETIENS_GATEWAY_HTTP must be HOST:PORT (IPv4), not '%s'", ep ? ep : "");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    if (gw->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        ent_log_error("config.invalid", "ENTRETIENS_GATEWAY_TLS_CERT is set but this libmicrohttpd has no TLS");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    if (pthread_key_create(&gw->tls, s_thread_free) != 0)
        return -1;
    gw->tls_on = true;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    /* the TLS options only with MHD_USE_TLS (MHD refuses them otherwise) */
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_HTTPS_MEM_KEY, 0, gw->tls_key },
        { MHD_OPTION_HTTPS_MEM_CERT, 0, gw->tls_cert },
        { MHD_OPTION_END, 0, NULL },
    };
    if (gw->tls_cert)
        flags |= MHD_USE_TLS;
    else
        tls[0].option = MHD_OPTION_END;
    gw->mhd = MHD_start_daemon(flags, 0, NULL, NULL,
                               s_access, gw, MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                               MHD_OPTION_ARRAY, tls,
                               MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) gw->threads,
                               MHD_OPTION_NOTIFY_COMPLETED, s_completed, gw,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 30,
                               MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 1000,
                               MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1, MHD_OPTION_END);
    if (!gw->mhd) {
        ent_log_error("http.bind", "cannot serve the API on %s: %s", ep, strerror(errno));
        return -1;
    }
    ent_log_info("gateway.api", "API on %s://%s/api/v1 (%u worker threads)", gw->tls_cert ? "https" : "http", ep,
                 gw->threads);
    return 0;
}

void gw_api_stop(gw_t *gw)
{
    atomic_store(&gw->stopping, true);
    if (gw->mhd) {
        MHD_stop_daemon(gw->mhd); /* joins the workers: their clients close */
        gw->mhd = NULL;
    }
    if (gw->tls_on) {
        /* this (main) thread may have made clients too (never in practice) */
        gw_thread_t *th = pthread_getspecific(gw->tls);
        if (th) {
            s_thread_free(th);
            pthread_setspecific(gw->tls, NULL);
        }
        pthread_key_delete(gw->tls);
        gw->tls_on = false;
    }
}
