/*  http.c — /healthz, /readyz, /metrics and routes on libmicrohttpd, driven
 *  by the caller's libuv loop.  See http.h for contracts.
 *
 *  Why MHD_USE_EPOLL: in external polling mode MHD exposes ONE descriptor
 *  (its epoll set) that becomes readable whenever any of its sockets has an
 *  event, so libuv watches a single fd whatever the number of connections;
 *  microhttpd.h documents this as the supported external-loop integration
 *  (MHD_DAEMON_INFO_EPOLL_FD + MHD_get_timeout + MHD_run).  MHD registers
 *  client sockets edge-triggered in its own set, and MHD_run() drains it
 *  with a zero timeout; work MHD has buffered without a socket event
 *  (pipelined requests, a partially drained ready list) is signalled by
 *  MHD_get_timeout() returning 0, hence the timer re-armed after every run.
 *
 *  Why a run that closed a connection is followed by another one at once:
 *  when its connection table is full, MHD_run() takes the listening socket
 *  out of the epoll set, and puts it back only at the start of a later run
 *  that finds a free slot (MHD_epoll(), 0.9.75 and 1.0 alike).  Neither the
 *  epoll descriptor nor MHD_get_timeout() tells that a slot has freed.  So
 *  if one run closed every connection (all timed out together, or all
 *  dropped while the loop was busy elsewhere), nothing ever called MHD_run()
 *  again: the epoll set held no socket, MHD_get_timeout() said "no timeout",
 *  and the daemon stopped accepting for good while the kernel queued new
 *  connections, probes included.  MHD_OPTION_NOTIFY_CONNECTION tells us when
 *  a run closed one.
 */
#include "common/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define S_TEXT_PLAIN "text/plain; charset=utf-8"
#define S_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct {
    char *prefix;
    size_t len;
    ent_http_route_fn fn;
    void *arg;
} s_route_t;

struct ent_http {
    uv_loop_t *loop;
    struct MHD_Daemon *daemon;
    uv_poll_t poll;
    uv_timer_t timer;
    int open_handles;           /* uv handles initialised and not yet closed */
    bool poll_inited;
    bool timer_inited;
    int port;
    unsigned int max_connections;
    bool closed_in_run;         /* MHD closed a connection in the current run */
    ent_metrics_t *metrics;
    ent_http_ready_fn ready;
    void *ready_arg;
    s_route_t *routes;
    size_t nroutes;
    size_t cap_routes;
};

/* Per-request context, created by the URI callback and freed when MHD
 * reports the request complete.  One allocation holds both. */
typedef struct {
    bool headers_seen;          /* the access handler's first call happened */
    char query[];               /* raw query, "" when none */
} s_request_t;

/* ------------------------------------------------------------------------
 * Address parsing
 * ------------------------------------------------------------------------ */

static int
s_parse_host_port(const char *host_port, struct sockaddr_in *sa)
{
    const char *colon = strrchr(host_port, ':');
    if (colon == NULL || colon == host_port) {
        fprintf(stderr, "ent_http: '%s': expected host:port\n", host_port);
        return -1;
    }
    char host[64];
    size_t hlen = (size_t) (colon - host_port);
    if (hlen >= sizeof host) {
        fprintf(stderr, "ent_http: '%s': host too long\n", host_port);
        return -1;
    }
    memcpy(host, host_port, hlen);
    host[hlen] = '\0';

    const char *p = colon + 1;
    unsigned long port = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        port = port * 10 + (unsigned long) (*p - '0');
    if (digits == 0 || *p != '\0' || port > 65535) {
        fprintf(stderr, "ent_http: '%s': port must be a number 0..65535\n", host_port);
        return -1;
    }

    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t) port);
    if (strcmp(host, "localhost") == 0)
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        fprintf(stderr, "ent_http: '%s': host must be an IPv4 address or localhost\n",
                host_port);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------ */

/* Queues a response.  `owned` bodies are malloc'd and handed to MHD, which
 * frees them with free() once sent; they are freed here if MHD refuses. */
static enum MHD_Result
s_reply(struct MHD_Connection *c, unsigned int status, const char *content_type,
        char *body, size_t len, bool owned, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        if (owned)
            free(body);
        return MHD_NO;          /* MHD closes the connection */
    }
    if (content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);    /* the connection holds its own reference */
    return ret;
}

static enum MHD_Result
s_reply_static(struct MHD_Connection *c, unsigned int status, const char *text)
{
    return s_reply(c, status, S_TEXT_PLAIN, (char *) text, strlen(text), false, NULL);
}

static enum MHD_Result
s_serve_readyz(ent_http_t *h, struct MHD_Connection *c)
{
    char reason[ENT_HTTP_REASON_SIZE] = "";
    bool ready = h->ready == NULL || h->ready(h->ready_arg, reason, sizeof reason) == 1;
    reason[sizeof reason - 1] = '\0';   /* a careless callback must not overrun */
    if (ready && !reason[0])
        return s_reply_static(c, MHD_HTTP_OK, "ready\n");
    /* not ready: the reason; ready with a note (a daemon without keys):
     * "ready: <note>" */
    const char *text = reason[0] ? reason : "not ready";
    size_t len = strlen(text), pre = ready ? sizeof "ready: " - 1 : 0;
    char *body = malloc(pre + len + 2);
    if (body == NULL)
        return s_reply_static(c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, ready ? "ready\n" : "not ready\n");
    memcpy(body, "ready: ", pre);
    memcpy(body + pre, text, len);
    body[pre + len] = '\n';
    body[pre + len + 1] = '\0';
    return s_reply(c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, S_TEXT_PLAIN, body, pre + len + 1, true,
                   NULL);
}

static enum MHD_Result
s_serve_metrics(ent_http_t *h, struct MHD_Connection *c)
{
    if (h->metrics == NULL)
        return s_reply_static(c, MHD_HTTP_NOT_FOUND, "not found\n");
    char *body = NULL;
    size_t len = 0;
    if (ent_metrics_render(h->metrics, &body, &len) != 0)
        return s_reply_static(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "metrics rendering failed\n");
    return s_reply(c, MHD_HTTP_OK, S_METRICS_TYPE, body, len, true, NULL);
}

static bool
s_prefix_matches(const s_route_t *r, const char *path)
{
    if (strncmp(path, r->prefix, r->len) != 0)
        return false;
    return r->prefix[r->len - 1] == '/' || path[r->len] == '\0' || path[r->len] == '/';
}

static const s_route_t *
s_route_find(const ent_http_t *h, const char *path)
{
    const s_route_t *best = NULL;
    for (size_t i = 0; i < h->nroutes; i++)
        if (s_prefix_matches(&h->routes[i], path) && (best == NULL || h->routes[i].len > best->len))
            best = &h->routes[i];
    return best;
}

static enum MHD_Result
s_serve_route(const s_route_t *r, struct MHD_Connection *c, const char *method,
              const char *path, const char *query)
{
    ent_http_response_t resp = { .status = MHD_HTTP_OK, .content_type = S_TEXT_PLAIN };
    int rc = r->fn(r->arg, method, path, query, &resp);
    if (rc != 0 || resp.status < 100 || resp.status > 599 || (resp.body == NULL && resp.len)) {
        free(resp.body);
        return s_reply_static(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
    }
    if (resp.body == NULL)
        return s_reply(c, (unsigned int) resp.status, resp.content_type, (char *) "", 0, false,
                       NULL);
    return s_reply(c, (unsigned int) resp.status, resp.content_type, resp.body, resp.len, true,
                   NULL);
}

/* ------------------------------------------------------------------------
 * MHD callbacks (all on the loop thread, inside MHD_run)
 * ------------------------------------------------------------------------ */

/* Called once per request with the raw request target, before MHD
 * percent-decodes the path and splits the query in place: the only moment
 * the raw query can be copied.  The return value becomes the request's
 * context (*req_cls), freed in s_on_completed. */
static void *
s_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void) cls;
    (void) c;
    const char *q = strchr(uri, '?');
    q = q ? q + 1 : "";
    size_t len = strlen(q);
    s_request_t *req = malloc(sizeof *req + len + 1);
    if (req == NULL)
        return NULL;            /* the handler answers 500 */
    req->headers_seen = false;
    memcpy(req->query, q, len + 1);
    return req;
}

static void
s_on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
               enum MHD_RequestTerminationCode toe)
{
    (void) cls;
    (void) c;
    (void) toe;
    free(*req_cls);
    *req_cls = NULL;
}

/* MHD calls this once when the headers are in, then once per chunk of
 * body, then a last time with *upload_data_size == 0.  A response queued
 * before that last call is an "early" response after which MHD refuses
 * the rest of the request and closes the connection (Connection: close),
 * so GET/HEAD are answered on the last call to keep connections alive,
 * while refusals are answered at once precisely so that MHD does not read
 * a body we do not want. */
static enum MHD_Result
s_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
             const char *version, const char *upload_data, size_t *upload_data_size,
             void **req_cls)
{
    ent_http_t *h = cls;
    s_request_t *req = *req_cls;
    (void) version;
    (void) upload_data;

    if (req == NULL)
        return s_reply_static(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return s_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, S_TEXT_PLAIN,
                       (char *) "method not allowed\n", 19, false, "GET, HEAD");
    if (!req->headers_seen) {
        /* MHD only accepts a response on this first call or on the last
         * one, so a body must be spotted from the headers, now */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if ((cl && strcmp(cl, "0") != 0) ||
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
            return s_reply_static(c, MHD_HTTP_BAD_REQUEST, "request body not accepted\n");
        req->headers_seen = true;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;  /* unannounced body bytes: cannot happen; drop */
        return MHD_YES;
    }

    if (strcmp(url, "/healthz") == 0)
        return s_reply_static(c, MHD_HTTP_OK, "ok\n");
    if (strcmp(url, "/readyz") == 0)
        return s_serve_readyz(h, c);
    if (strcmp(url, "/metrics") == 0)
        return s_serve_metrics(h, c);

    const s_route_t *r = s_route_find(h, url);
    if (r == NULL)
        return s_reply_static(c, MHD_HTTP_NOT_FOUND, "not found\n");
    return s_serve_route(r, c, method, url, req->query);
}

/* Connection opened or closed (from MHD_run, or MHD_stop_daemon): notes
 * that the current run closed one, for s_run. */
static void
s_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                enum MHD_ConnectionNotificationCode toe)
{
    ent_http_t *h = cls;
    (void) c;
    (void) socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
        h->closed_in_run = true;
}

static void
s_on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void) cls;
    fputs("ent_http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* ------------------------------------------------------------------------
 * libuv glue
 * ------------------------------------------------------------------------ */

static void s_on_timer(uv_timer_t *t);

/* MHD_get_timeout says how long MHD may be left alone: MHD_NO = until a
 * socket event, 0 = it has buffered work right now. */
static void
s_rearm(ent_http_t *h)
{
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(h->daemon, &ms) == MHD_YES)
        uv_timer_start(&h->timer, s_on_timer, (uint64_t) ms, 0);
    else
        uv_timer_stop(&h->timer);
}

/* One MHD run, then the timer for the next.  A run that closed a
 * connection may have freed a slot of a full table: run again on the next
 * loop turn, which puts the listening socket back into MHD's epoll set (see
 * the top of this file).  This adds one cheap run per batch of closes and
 * cannot spin: the re-run closes nothing new unless clients keep leaving. */
static void
s_run(ent_http_t *h)
{
    h->closed_in_run = false;
    MHD_run(h->daemon);
    if (h->closed_in_run)
        uv_timer_start(&h->timer, s_on_timer, 0, 0);
    else
        s_rearm(h);
}

static void
s_on_poll(uv_poll_t *p, int status, int events)
{
    ent_http_t *h = p->data;
    (void) events;
    if (status < 0)
        fprintf(stderr, "ent_http: poll error: %s\n", uv_strerror(status));
    s_run(h);
}

static void
s_on_timer(uv_timer_t *t)
{
    s_run(t->data);
}

/* ENT_HTTP_MAX_CONNECTIONS, lowered so that the connections cannot take the
 * last ENT_HTTP_FD_RESERVE descriptors RLIMIT_NOFILE allows (see http.h). */
static unsigned int
s_connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return ENT_HTTP_MAX_CONNECTIONS;
    rlim_t room = rl.rlim_cur > ENT_HTTP_FD_RESERVE ? rl.rlim_cur - ENT_HTTP_FD_RESERVE : 0;
    if (room < ENT_HTTP_MIN_CONNECTIONS)
        return ENT_HTTP_MIN_CONNECTIONS;
    return room < ENT_HTTP_MAX_CONNECTIONS ? (unsigned int) room : ENT_HTTP_MAX_CONNECTIONS;
}

static void
s_free(ent_http_t *h)
{
    for (size_t i = 0; i < h->nroutes; i++)
        free(h->routes[i].prefix);
    free(h->routes);
    free(h);
}

static void
s_on_closed(uv_handle_t *handle)
{
    ent_http_t *h = handle->data;
    if (--h->open_handles == 0)
        s_free(h);
}

/* Shared by destroy and by a failed new: the uv handles can only be freed
 * from their close callbacks, so the last callback frees h. */
static void
s_shutdown(ent_http_t *h)
{
    if (h->poll_inited) {
        /* stop watching before MHD closes the epoll fd: libuv must not
         * hold a closed (and maybe reused) descriptor */
        uv_poll_stop(&h->poll);
        uv_close((uv_handle_t *) &h->poll, s_on_closed);
    }
    if (h->timer_inited)
        uv_close((uv_handle_t *) &h->timer, s_on_closed);
    if (h->daemon) {
        MHD_stop_daemon(h->daemon);
        h->daemon = NULL;
    }
    if (h->open_handles == 0)
        s_free(h);
}

/* ------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------ */

ent_http_t *
ent_http_new(uv_loop_t *loop, const char *host_port, ent_metrics_t *metrics,
             ent_http_ready_fn ready, void *ready_arg)
{
    ent_http_t *h = NULL;
    struct sockaddr_in sa;
    int rc;

    if (loop == NULL || host_port == NULL) {
        fprintf(stderr, "ent_http: loop and host:port are required\n");
        goto fail;
    }
    if (s_parse_host_port(host_port, &sa) != 0)
        goto fail;

    h = calloc(1, sizeof *h);
    if (h == NULL) {
        fprintf(stderr, "ent_http: out of memory\n");
        goto fail;
    }
    h->loop = loop;
    h->metrics = metrics;
    h->ready = ready;
    h->ready_arg = ready_arg;
    h->max_connections = s_connection_limit();

    /* No MHD_OPTION_PER_IP_CONNECTION_LIMIT: see http.h (probes share the
     * address of whoever fills the table). */
    h->daemon = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG, ntohs(sa.sin_port), NULL, NULL, s_on_request, h,
        /* first, or MHD prints the messages of the options before it itself */
        MHD_OPTION_EXTERNAL_LOGGER, s_on_mhd_log, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
        MHD_OPTION_URI_LOG_CALLBACK, s_on_uri, h,
        MHD_OPTION_NOTIFY_COMPLETED, s_on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, s_on_connection, h,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) ENT_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, h->max_connections,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int) ENT_HTTP_LISTEN_BACKLOG,
        MHD_OPTION_END);
    if (h->daemon == NULL) {
        /* MHD has logged its own reason through s_on_mhd_log */
        fprintf(stderr, "ent_http: cannot listen on %s\n", host_port);
        goto fail;
    }

    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (info == NULL || info->epoll_fd < 0) {
        fprintf(stderr, "ent_http: libmicrohttpd gave no epoll descriptor\n");
        goto fail;
    }

    uv_timer_init(loop, &h->timer);     /* cannot fail on Linux */
    h->timer.data = h;
    h->timer_inited = true;
    h->open_handles++;

    rc = uv_poll_init(loop, &h->poll, info->epoll_fd);
    if (rc != 0) {
        fprintf(stderr, "ent_http: uv_poll_init: %s\n", uv_strerror(rc));
        goto fail;
    }
    h->poll.data = h;
    h->poll_inited = true;
    h->open_handles++;

    rc = uv_poll_start(&h->poll, UV_READABLE, s_on_poll);
    if (rc != 0) {
        fprintf(stderr, "ent_http: uv_poll_start: %s\n", uv_strerror(rc));
        goto fail;
    }
    s_rearm(h);
    return h;

fail:
    if (h)
        s_shutdown(h);
    return NULL;
}

int
ent_http_port(const ent_http_t *h)
{
    return h ? h->port : -1;
}

unsigned int
ent_http_max_connections(const ent_http_t *h)
{
    return h ? h->max_connections : 0;
}

int
ent_http_route(ent_http_t *h, const char *path_prefix, ent_http_route_fn fn, void *arg)
{
    if (h == NULL || path_prefix == NULL || fn == NULL || path_prefix[0] != '/')
        return EINVAL;
    if (strcmp(path_prefix, "/healthz") == 0 || strcmp(path_prefix, "/readyz") == 0 ||
        strcmp(path_prefix, "/metrics") == 0)
        return EINVAL;
    for (size_t i = 0; i < h->nroutes; i++)
        if (strcmp(h->routes[i].prefix, path_prefix) == 0)
            return EEXIST;

    if (h->nroutes == h->cap_routes) {
        size_t cap = h->cap_routes ? h->cap_routes * 2 : 4;
        s_route_t *routes = realloc(h->routes, cap * sizeof *routes);
        if (routes == NULL)
            return ENOMEM;
        h->routes = routes;
        h->cap_routes = cap;
    }
    char *copy = strdup(path_prefix);
    if (copy == NULL)
        return ENOMEM;
    h->routes[h->nroutes++] = (s_route_t) {
        .prefix = copy, .len = strlen(copy), .fn = fn, .arg = arg
    };
    return 0;
}

void
ent_http_destroy(ent_http_t **p)
{
    if (p == NULL || *p == NULL)
        return;
    ent_http_t *h = *p;
    *p = NULL;
    s_shutdown(h);
}
