/*  http.h — the daemon's HTTP endpoint: /healthz, /readyz, /metrics and
 *  routes added later (e.g. a calendar export).
 *
 *  The server is libmicrohttpd in "external polling" mode driven by the
 *  caller's libuv loop: MHD is started with MHD_USE_EPOLL and no internal
 *  thread; its epoll descriptor (MHD_DAEMON_INFO_EPOLL_FD) is watched by a
 *  uv_poll_t whose callback calls MHD_run(), and a uv_timer_t re-armed from
 *  MHD_get_timeout() after every run makes MHD process connection timeouts
 *  and data it already buffered.  Every callback below (ready, routes,
 *  metrics rendering) therefore runs on the loop thread, which is why the
 *  metrics registry needs no lock and why an answer from /healthz proves the
 *  loop is turning.
 *
 *  THREADING.  Every function here must be called on the loop thread.
 *  Callbacks must not block: while one runs, the whole daemon waits.
 *
 *  PROTOCOL.
 *    - Only GET and HEAD are served; any other method gets 405 with
 *      "Allow: GET, HEAD" (checked before the path), a GET/HEAD carrying a
 *      body gets 400.  Both are answered before the body is read, so MHD
 *      closes those connections.  HEAD answers like GET without the body.
 *    - GET /healthz  200 "ok\n".
 *    - GET /readyz   200 "ready\n" (or "ready: <note>\n" when the ready
 *                    callback wrote one), or 503 with the reason the ready
 *                    callback wrote, followed by "\n".
 *    - GET /metrics  200, Content-Type "text/plain; version=0.0.4;
 *                    charset=utf-8", body from ent_metrics_render(); 404
 *                    when the server was created without a registry; 500 if
 *                    rendering fails.
 *    - Otherwise the route with the longest matching prefix, else 404.
 *  The three built-in paths match exactly and cannot be overridden.
 *  HTTP keep-alive is supported.
 *
 *  CONNECTIONS, TIMEOUTS, BACKLOG.  /healthz is the liveness probe: no mix
 *  of idle, half-sent, unread or dropped connections may keep it from
 *  answering, or Kubernetes restarts a healthy daemon.  Hence:
 *    - At most ent_http_max_connections() connections are open at once:
 *      ENT_HTTP_MAX_CONNECTIONS, or fewer when the soft RLIMIT_NOFILE
 *      (read once, by ent_http_new) would not leave ENT_HTTP_FD_RESERVE
 *      descriptors to the rest of the process (libzmq can abort when it
 *      cannot get one), never fewer than ENT_HTTP_MIN_CONNECTIONS.  A probe
 *      or a scrape needs one connection; the margin is for bursts.
 *    - A connection that neither sends nor accepts a byte for
 *      ENT_HTTP_IDLE_TIMEOUT_S seconds is closed, whatever its state: idle
 *      keep-alive, half a request line, a response the client does not
 *      read, or a client gone unnoticed (libmicrohttpd 0.9.75 misses the
 *      FIN of half a request line that came before the accept).  That
 *      bounds how long a silent connection holds a slot; a client trickling
 *      a byte every few seconds keeps its slot, and only the limit bounds
 *      those.
 *    - Connections beyond the limit wait in the kernel's accept queue
 *      (ENT_HTTP_LISTEN_BACKLOG, capped by net.core.somaxconn) and are
 *      accepted in arrival order as soon as a slot frees, whichever run of
 *      the loop frees it.  A connection its client closed while it was
 *      queued costs one accept.
 *    - No per-IP limit: every Kubernetes probe comes from the node's
 *      address (and every test from 127.0.0.1), so a per-IP cap would lock
 *      the probes out together with the client that filled it.
 */
#ifndef ENT_HTTP_H
#define ENT_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "common/metrics.h"

/* Seconds without a byte either way after which a connection is closed:
 * far above a scrape's or a probe's pauses on a LAN, far below the
 * liveness probe's failure window (6 x 10 s in deploy/k8s). */
#define ENT_HTTP_IDLE_TIMEOUT_S 10
/* Connections open at once: a burst of a thousand held connections still
 * leaves room for the probes.  Each costs a descriptor and at most 32 KiB
 * of MHD buffer (its default), so 32 MiB when all are taken. */
#define ENT_HTTP_MAX_CONNECTIONS 1024
/* Descriptors left to ZeroMQ, LMDB, logs when RLIMIT_NOFILE is low. */
#define ENT_HTTP_FD_RESERVE 256
/* Floor of the connection limit, however low RLIMIT_NOFILE is. */
#define ENT_HTTP_MIN_CONNECTIONS 16
/* listen(2) backlog: a burst larger than the accept queue makes the kernel
 * drop SYNs, and a dropped probe SYN is retried only after 1 s. */
#define ENT_HTTP_LISTEN_BACKLOG 4096
/* Size of the reason buffer handed to the ready callback. */
#define ENT_HTTP_REASON_SIZE 256

typedef struct ent_http ent_http_t;

/* Readiness probe, called on each GET /readyz.  Returns 1 when ready, 0
 * when not, and then writes a short NUL-terminated human-readable reason
 * (UTF-8, at most reason_size bytes including the NUL) into `reason`
 * (e.g. "lmdb not open").  An empty reason is answered as "not ready".
 * Ready with a reason written (a warning, e.g. running without keys) is
 * answered 200 "ready: <reason>". */
typedef int (*ent_http_ready_fn)(void *arg, char *reason, size_t reason_size);

/* Response filled by a route.  On entry: status 200, content_type
 * "text/plain; charset=utf-8", body NULL, len 0. */
typedef struct {
    int status;                 /* HTTP status, 100..599 */
    const char *content_type;   /* must stay valid after the route returns
                                   (a string literal); NULL sends none */
    char *body;                 /* malloc'd; ownership passes to the server,
                                   which frees it in every case */
    size_t len;                 /* bytes of body */
} ent_http_response_t;

/* Route handler for GET/HEAD on a registered prefix.
 *   method  "GET" or "HEAD" (fill the body anyway: the server drops it);
 *   path    the percent-decoded path without the query ("/cal/2026.ics");
 *   query   the raw query after '?', still percent-encoded, "" when none.
 * Returns 0 when `resp` is filled; any other value answers 500 (a body
 * already stored in resp is freed). */
typedef int (*ent_http_route_fn)(void *arg, const char *method, const char *path,
                                 const char *query, ent_http_response_t *resp);

/* Starts the endpoint on `loop`, listening on `host_port`:
 * "A.B.C.D:port" (IPv4 literal) or "localhost:port" (bound to 127.0.0.1),
 * port 0..65535, 0 = let the kernel pick one (see ent_http_port).  Only that
 * address is bound.  `metrics` (may be NULL: /metrics then answers 404) and
 * `ready` (may be NULL: always ready) are borrowed and must outlive the
 * server.  The server's handles keep the loop alive until ent_http_destroy.
 * Returns NULL on failure after writing the reason to stderr:
 *   loop or host_port NULL, host_port malformed or host not an IPv4
 *   literal/"localhost", port out of range, bind/listen failure (address
 *   in use, permission), out of memory, libuv refusing the epoll fd. */
ent_http_t *ent_http_new(uv_loop_t *loop, const char *host_port, ent_metrics_t *metrics,
                         ent_http_ready_fn ready, void *ready_arg);

/* The port actually bound (useful after asking for port 0), or -1 when h
 * is NULL. */
int ent_http_port(const ent_http_t *h);

/* The connection limit in force (see CONNECTIONS above), or 0 when h is
 * NULL. */
unsigned int ent_http_max_connections(const ent_http_t *h);

/* Adds a route: GET/HEAD requests whose path equals `path_prefix` or
 * continues it with '/' (or any continuation when the prefix ends in '/')
 * go to fn(arg, ...).  The longest matching prefix wins.  May be called at
 * any time on the loop thread; the prefix is copied, `arg` borrowed.
 * Returns:
 *   0       success;
 *   EINVAL  h, path_prefix or fn NULL, prefix not starting with '/', or
 *           prefix equal to /healthz, /readyz or /metrics;
 *   EEXIST  the prefix is already routed;
 *   ENOMEM  out of memory. */
int ent_http_route(ent_http_t *h, const char *path_prefix, ent_http_route_fn fn, void *arg);

/* Stops the server: stops polling, stops MHD at once (the listening socket
 * and every client connection are closed before this returns, requests in
 * flight are dropped), and uv_close()s the server's uv_poll_t and
 * uv_timer_t.  Sets *p to NULL; safe on NULL and *p == NULL.
 *
 * What the caller must do next: let the loop run so the two close
 * callbacks fire — they free the server's memory.  Either keep the loop
 * running (uv_run returns by itself once no other handle is left) or, if
 * the loop is no longer running, call uv_run(loop, UV_RUN_NOWAIT) once (or
 * UV_RUN_DEFAULT) before uv_loop_close(); otherwise uv_loop_close returns
 * UV_EBUSY and the memory leaks.
 *
 * Must not be called from inside a ready or route callback of the same
 * server (MHD is running then); defer it, e.g. with a uv_async_t or a
 * zero timer. */
void ent_http_destroy(ent_http_t **p);

#endif
