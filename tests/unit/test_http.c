/*  test_http.c — the HTTP endpoint over real sockets.
 *
 *  Each test runs the libuv loop on the test thread while a second thread
 *  fetches with libcurl.  The fetching thread only records what it saw
 *  (Criterion assertions belong to the test thread); when it is done it
 *  wakes the loop through a uv_async_t whose callback destroys the server
 *  and closes the async handle, so uv_run() returning proves that the server
 *  left no handle behind.  The assertions run after the join. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "common/http.h"
#include "common/metrics.h"

#define PROMTOOL "/usr/bin/promtool"
#define MAX_RESP 32
#define FULL_ROUNDS 3

typedef struct {
    int curl_rc;
    long status;
    char *body;
    size_t len;
    char content_type[128];
    char allow[64];
    long new_connections;
} s_resp_t;

typedef struct s_ctx s_ctx_t;
typedef void (*s_scenario_fn)(s_ctx_t *ctx);

struct s_ctx {
    uv_loop_t loop;
    uv_async_t done;
    pthread_t loop_thread;
    ent_http_t *http;
    ent_metrics_t *metrics;
    ent_metrics_counter_t *scrapes;     /* incremented by the route, on the loop */
    int port;
    atomic_int ready;                   /* flipped by the fetching thread */
    atomic_int off_loop_calls;          /* callbacks seen outside the loop thread */
    atomic_int route_calls;
    s_scenario_fn scenario;
    s_resp_t resp[MAX_RESP];
    int nresp;
    /* keep-alive scenario */
    int ka_ok;
    long ka_connections;
    /* open-connection-at-destroy scenario */
    int raw_fd;
    /* full-table scenario: the fetching thread stops the loop between two
     * MHD runs with `pause`, whose callback waits on `resume` */
    long fetch_timeout_s;               /* curl's timeout, 10 s when 0 */
    uv_async_t pause;
    bool pause_inited;
    sem_t paused;
    sem_t resume;
    int full_accepted[FULL_ROUNDS];     /* server sockets seen when full */
    int full_paused[FULL_ROUNDS];       /* 1 when the loop did stop */
    /* route arguments seen by the handler (written on the loop thread,
     * read after the join) */
    char seen_method[16];
    char seen_path[128];
    char seen_query[128];
};

/* ------------------------------------------------------------------------
 * Server-side callbacks (loop thread)
 * ------------------------------------------------------------------------ */

static void
s_check_thread(s_ctx_t *ctx)
{
    if (!pthread_equal(pthread_self(), ctx->loop_thread))
        atomic_fetch_add(&ctx->off_loop_calls, 1);
}

static int
s_ready(void *arg, char *reason, size_t size)
{
    s_ctx_t *ctx = arg;
    s_check_thread(ctx);
    if (atomic_load(&ctx->ready))
        return 1;
    snprintf(reason, size, "store not open");
    return 0;
}

static int
s_route_calendar(void *arg, const char *method, const char *path, const char *query,
                 ent_http_response_t *resp)
{
    s_ctx_t *ctx = arg;
    s_check_thread(ctx);
    atomic_fetch_add(&ctx->route_calls, 1);
    ent_metrics_counter_inc(ctx->scrapes);
    snprintf(ctx->seen_method, sizeof ctx->seen_method, "%s", method);
    snprintf(ctx->seen_path, sizeof ctx->seen_path, "%s", path);
    snprintf(ctx->seen_query, sizeof ctx->seen_query, "%s", query);
    resp->content_type = "text/calendar; charset=utf-8";
    resp->body = strdup("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    resp->len = strlen(resp->body);
    return 0;
}

static int
s_route_private(void *arg, const char *method, const char *path, const char *query,
                ent_http_response_t *resp)
{
    (void) method;
    (void) path;
    (void) query;
    s_check_thread(arg);
    resp->status = 403;
    resp->body = strdup("forbidden\n");
    resp->len = strlen(resp->body);
    return 0;
}

static int
s_route_failing(void *arg, const char *method, const char *path, const char *query,
                ent_http_response_t *resp)
{
    (void) arg;
    (void) method;
    (void) path;
    (void) query;
    resp->body = strdup("partial");     /* must be freed by the server */
    resp->len = 7;
    return -1;
}

static void
s_on_done(uv_async_t *a)
{
    s_ctx_t *ctx = a->data;
    ent_http_destroy(&ctx->http);
    uv_close((uv_handle_t *) a, NULL);
    if (ctx->pause_inited)
        uv_close((uv_handle_t *) &ctx->pause, NULL);
}

/* Holds the loop between two libuv callbacks, hence between two MHD runs,
 * until the fetching thread says so (at most 10 s, so that a lost post
 * cannot hang the test). */
static void
s_on_pause(uv_async_t *a)
{
    s_ctx_t *ctx = a->data;
    sem_post(&ctx->paused);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (sem_timedwait(&ctx->resume, &until) != 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------------
 * Client side (fetching thread)
 * ------------------------------------------------------------------------ */

static size_t
s_on_body(char *data, size_t size, size_t n, void *arg)
{
    s_resp_t *r = arg;
    size_t add = size * n;
    char *body = realloc(r->body, r->len + add + 1);
    if (body == NULL)
        return 0;
    memcpy(body + r->len, data, add);
    r->body = body;
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

static size_t
s_on_header(char *data, size_t size, size_t n, void *arg)
{
    s_resp_t *r = arg;
    size_t len = size * n;
    if (len > 7 && strncasecmp(data, "Allow: ", 7) == 0) {
        size_t v = len - 7;
        while (v > 0 && (data[7 + v - 1] == '\r' || data[7 + v - 1] == '\n'))
            v--;
        if (v >= sizeof r->allow)
            v = sizeof r->allow - 1;
        memcpy(r->allow, data + 7, v);
        r->allow[v] = '\0';
    }
    return len;
}

/* One request on `curl` (a fresh handle when NULL). */
static void
s_fetch_with(s_ctx_t *ctx, CURL *curl, const char *method, const char *target, s_resp_t *r)
{
    bool own = curl == NULL;
    if (own)
        curl = curl_easy_init();
    memset(r, 0, sizeof *r);
    if (curl == NULL) {
        r->curl_rc = -1;
        return;
    }
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", ctx->port, target);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, ctx->fetch_timeout_s ? ctx->fetch_timeout_s : 10L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "GET+body") == 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "GET");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "a=1&b=2");
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "a=1&b=2");
    }
    r->curl_rc = (int) curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &r->new_connections);
    char *ct = NULL;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        snprintf(r->content_type, sizeof r->content_type, "%s", ct);
    if (own)
        curl_easy_cleanup(curl);
}

static s_resp_t *
s_fetch(s_ctx_t *ctx, const char *method, const char *target)
{
    s_resp_t *r = &ctx->resp[ctx->nresp < MAX_RESP - 1 ? ctx->nresp++ : MAX_RESP - 1];
    s_fetch_with(ctx, NULL, method, target, r);
    return r;
}

static void *
s_fetcher(void *arg)
{
    s_ctx_t *ctx = arg;
    ctx->scenario(ctx);
    uv_async_send(&ctx->done);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Harness (test thread)
 * ------------------------------------------------------------------------ */

/* A hung loop must fail the test rather than the CI job.  SIGALRM kills
 * the test process, which Criterion reports as a crash.  (Criterion's own
 * .timeout leaks an allocation in its runner under LeakSanitizer.) */
static void
s_watchdog(void)
{
    alarm(60);
}

static s_ctx_t *
s_setup(void)
{
    s_watchdog();
    s_ctx_t *ctx = calloc(1, sizeof *ctx);
    cr_assert_not_null(ctx);
    cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    cr_assert_eq(uv_loop_init(&ctx->loop), 0);
    ctx->loop_thread = pthread_self();
    ctx->raw_fd = -1;
    atomic_init(&ctx->ready, 1);
    atomic_init(&ctx->off_loop_calls, 0);
    atomic_init(&ctx->route_calls, 0);
    ctx->metrics = ent_metrics_new("entretiens_test", "9.9.9");
    cr_assert_not_null(ctx->metrics);
    ctx->scrapes = ent_metrics_counter(ctx->metrics, "test_route_calls_total", "Route calls.");
    cr_assert_not_null(ctx->scrapes);
    ctx->http = ent_http_new(&ctx->loop, "127.0.0.1:0", ctx->metrics, s_ready, ctx);
    cr_assert_not_null(ctx->http);
    ctx->port = ent_http_port(ctx->http);
    cr_assert(ctx->port > 0 && ctx->port < 65536, "port %d", ctx->port);
    return ctx;
}

/* Runs `scenario` on a second thread while the loop turns here; returns
 * once the server is destroyed and the loop has nothing left. */
static void
s_run(s_ctx_t *ctx, s_scenario_fn scenario)
{
    ctx->scenario = scenario;
    cr_assert_eq(uv_async_init(&ctx->loop, &ctx->done, s_on_done), 0);
    ctx->done.data = ctx;
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, s_fetcher, ctx), 0);
    int rc = uv_run(&ctx->loop, UV_RUN_DEFAULT);
    pthread_join(t, NULL);
    cr_assert_eq(rc, 0, "uv_run must return because no handle is left");
    cr_assert_null(ctx->http);
    cr_assert_eq(uv_loop_close(&ctx->loop), 0, "a handle is still open on the loop");
    cr_assert_eq(atomic_load(&ctx->off_loop_calls), 0, "a callback ran off the loop thread");
}

static void
s_teardown(s_ctx_t *ctx)
{
    for (int i = 0; i < MAX_RESP; i++)
        free(ctx->resp[i].body);
    if (ctx->raw_fd >= 0)
        close(ctx->raw_fd);
    ent_metrics_destroy(&ctx->metrics);
    curl_global_cleanup();
    free(ctx);
}

static void
s_assert_resp(const s_resp_t *r, long status, const char *body)
{
    cr_assert_eq(r->curl_rc, 0, "curl: %s", curl_easy_strerror((CURLcode) r->curl_rc));
    cr_assert_eq(r->status, status, "status %ld, expected %ld", r->status, status);
    if (body)
        cr_assert(r->body && strcmp(r->body, body) == 0, "body '%s', expected '%s'",
                  r->body ? r->body : "(none)", body);
}

static void
s_assert_promtool_ok(const char *text)
{
    cr_assert(access(PROMTOOL, X_OK) == 0,
              PROMTOOL " is missing: the test script must install prometheus' promtool");
    char path[] = "/tmp/ent_test_http_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t) len);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, PROMTOOL " check metrics < %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char output[4096] = "";
    size_t got = fread(output, 1, sizeof output - 1, p);
    output[got] = '\0';
    int status = pclose(p);
    unlink(path);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "promtool check metrics failed (status %d):\n%s", status, output);
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void
s_scenario_health(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/healthz");
    s_fetch(ctx, "HEAD", "/healthz");
}

Test(http, healthz_answers_ok)
{
    s_ctx_t *ctx = s_setup();
    s_run(ctx, s_scenario_health);
    s_assert_resp(&ctx->resp[0], 200, "ok\n");
    cr_assert_str_eq(ctx->resp[0].content_type, "text/plain; charset=utf-8");
    s_assert_resp(&ctx->resp[1], 200, NULL);
    cr_assert_eq(ctx->resp[1].len, 0, "HEAD must not carry a body");
    s_teardown(ctx);
}

static void
s_scenario_ready(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/readyz");
    atomic_store(&ctx->ready, 0);
    s_fetch(ctx, "GET", "/readyz");
    atomic_store(&ctx->ready, 1);
    s_fetch(ctx, "GET", "/readyz");
}

Test(http, readyz_follows_the_ready_callback)
{
    s_ctx_t *ctx = s_setup();
    s_run(ctx, s_scenario_ready);
    s_assert_resp(&ctx->resp[0], 200, "ready\n");
    s_assert_resp(&ctx->resp[1], 503, "store not open\n");
    s_assert_resp(&ctx->resp[2], 200, "ready\n");
    s_teardown(ctx);
}

static void
s_scenario_metrics(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/metrics");
    s_fetch(ctx, "GET", "/calendar");   /* increments the counter on the loop */
    s_fetch(ctx, "GET", "/metrics");
}

Test(http, metrics_are_served_and_valid)
{
    s_ctx_t *ctx = s_setup();
    ent_metrics_counter_add(ctx->scrapes, 7);
    cr_assert_eq(ent_http_route(ctx->http, "/calendar", s_route_calendar, ctx), 0);
    s_run(ctx, s_scenario_metrics);

    const s_resp_t *r = &ctx->resp[0];
    s_assert_resp(r, 200, NULL);
    cr_assert_str_eq(r->content_type, "text/plain; version=0.0.4; charset=utf-8");
    cr_assert_not_null(strstr(r->body, "\ntest_route_calls_total 7\n"), "%s", r->body);
    cr_assert_not_null(strstr(r->body, "\nentretiens_test_build_info{version=\"9.9.9\"} 1\n"));
    cr_assert_not_null(strstr(r->body, "\nprocess_open_fds "));
    s_assert_promtool_ok(r->body);

    s_assert_resp(&ctx->resp[2], 200, NULL);
    cr_assert_not_null(strstr(ctx->resp[2].body, "\ntest_route_calls_total 8\n"),
                       "the scrape must show the live value");
    s_teardown(ctx);
}

static void
s_scenario_big_metrics(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/metrics");
}

Test(http, large_metrics_body_is_delivered_whole)
{
    s_ctx_t *ctx = s_setup();
    /* well over a socket buffer, so MHD must wait for EPOLLOUT and the loop
     * must wake it up again */
    ent_metrics_family_t *f = ent_metrics_gauge_family(
        ctx->metrics, "test_big", "Many series.", 1, (const char *const[]) { "k" });
    cr_assert_not_null(f);
    char value[160];
    const int n = 4000;
    for (int i = 0; i < n; i++) {
        snprintf(value, sizeof value, "%06d-%0120d", i, 0);
        ent_metrics_gauge_set(ent_metrics_gauge_child(f, (const char *const[]) { value }), i);
    }
    s_run(ctx, s_scenario_big_metrics);
    const s_resp_t *r = &ctx->resp[0];
    s_assert_resp(r, 200, NULL);
    cr_assert(r->len > 500 * 1000, "body only %zu bytes", r->len);
    int lines = 0;
    for (const char *p = r->body; (p = strstr(p, "\ntest_big{")) != NULL; p++)
        lines++;
    cr_assert_eq(lines, n);
    snprintf(value, sizeof value, "\ntest_big{k=\"%06d-%0120d\"} %d\n", n - 1, 0, n - 1);
    cr_assert_not_null(strstr(r->body, value));
    cr_assert_eq(r->body[r->len - 1], '\n');
    s_teardown(ctx);
}

static void
s_scenario_errors(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/nope");
    s_fetch(ctx, "GET", "/healthzz");
    s_fetch(ctx, "GET", "/metrics/x");
    s_fetch(ctx, "GET", "/");
    s_fetch(ctx, "POST", "/healthz");
    s_fetch(ctx, "DELETE", "/nope");
    s_fetch(ctx, "PUT", "/metrics");
    s_fetch(ctx, "GET+body", "/healthz");
    s_fetch(ctx, "GET", "/healthz");    /* still serving after all that */
}

Test(http, unknown_paths_404_and_other_methods_405)
{
    s_ctx_t *ctx = s_setup();
    s_run(ctx, s_scenario_errors);
    s_assert_resp(&ctx->resp[0], 404, NULL);
    s_assert_resp(&ctx->resp[1], 404, NULL);
    s_assert_resp(&ctx->resp[2], 404, NULL);
    s_assert_resp(&ctx->resp[3], 404, NULL);
    for (int i = 4; i <= 6; i++) {
        s_assert_resp(&ctx->resp[i], 405, NULL);
        cr_assert_str_eq(ctx->resp[i].allow, "GET, HEAD", "request %d", i);
    }
    s_assert_resp(&ctx->resp[7], 400, NULL);
    s_assert_resp(&ctx->resp[8], 200, "ok\n");
    s_teardown(ctx);
}

static void
s_scenario_routes(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/calendar/2026.ics?from=2026-01-01&who=J%C3%A9r%C3%B4me");
    s_fetch(ctx, "GET", "/calendarx");
    s_fetch(ctx, "GET", "/calendar/private/x");
    s_fetch(ctx, "GET", "/fail");
    s_fetch(ctx, "HEAD", "/calendar");
}

Test(http, routes_answer)
{
    s_ctx_t *ctx = s_setup();
    cr_assert_eq(ent_http_route(ctx->http, "/calendar", s_route_calendar, ctx), 0);
    cr_assert_eq(ent_http_route(ctx->http, "/calendar/private", s_route_private, ctx), 0);
    cr_assert_eq(ent_http_route(ctx->http, "/fail", s_route_failing, ctx), 0);
    cr_assert_eq(ent_http_route(ctx->http, "/calendar", s_route_calendar, ctx), EEXIST);
    cr_assert_eq(ent_http_route(ctx->http, "/metrics", s_route_calendar, ctx), EINVAL);
    cr_assert_eq(ent_http_route(ctx->http, "calendar", s_route_calendar, ctx), EINVAL);
    cr_assert_eq(ent_http_route(ctx->http, "/x", NULL, ctx), EINVAL);
    cr_assert_eq(ent_http_route(NULL, "/x", s_route_calendar, ctx), EINVAL);
    s_run(ctx, s_scenario_routes);

    const s_resp_t *r = &ctx->resp[0];
    s_assert_resp(r, 200, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    cr_assert_str_eq(r->content_type, "text/calendar; charset=utf-8");
    s_assert_resp(&ctx->resp[1], 404, NULL);       /* a prefix is not a string prefix */
    s_assert_resp(&ctx->resp[2], 403, "forbidden\n");   /* longest prefix wins */
    s_assert_resp(&ctx->resp[3], 500, NULL);
    s_assert_resp(&ctx->resp[4], 200, NULL);
    cr_assert_eq(ctx->resp[4].len, 0);
    cr_assert_eq(atomic_load(&ctx->route_calls), 2);
    /* the last call was the HEAD on /calendar */
    cr_assert_str_eq(ctx->seen_method, "HEAD");
    cr_assert_str_eq(ctx->seen_path, "/calendar");
    cr_assert_str_eq(ctx->seen_query, "");
    s_teardown(ctx);
}

static void
s_scenario_query(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/calendar/2026.ics?from=2026-01-01&who=J%C3%A9r%C3%B4me");
}

Test(http, route_gets_decoded_path_and_raw_query)
{
    s_ctx_t *ctx = s_setup();
    cr_assert_eq(ent_http_route(ctx->http, "/calendar/", s_route_calendar, ctx), 0);
    s_run(ctx, s_scenario_query);
    s_assert_resp(&ctx->resp[0], 200, NULL);
    cr_assert_str_eq(ctx->seen_method, "GET");
    cr_assert_str_eq(ctx->seen_path, "/calendar/2026.ics");
    cr_assert_str_eq(ctx->seen_query, "from=2026-01-01&who=J%C3%A9r%C3%B4me");
    s_teardown(ctx);
}

static void
s_scenario_keepalive(s_ctx_t *ctx)
{
    CURL *a = curl_easy_init();
    CURL *b = curl_easy_init();
    s_resp_t r;
    ctx->ka_ok = 0;
    ctx->ka_connections = 0;
    for (int i = 0; i < 200 && a && b; i++) {
        /* a second client in the middle, while a's connection sits idle */
        s_fetch_with(ctx, i == 100 ? b : a, "GET", "/healthz", &r);
        if (r.curl_rc == 0 && r.status == 200 && r.body && strcmp(r.body, "ok\n") == 0)
            ctx->ka_ok++;
        if (i != 100)
            ctx->ka_connections += r.new_connections;
        free(r.body);
    }
    curl_easy_cleanup(a);
    curl_easy_cleanup(b);
}

Test(http, keep_alive_sequential_requests)
{
    s_ctx_t *ctx = s_setup();
    s_run(ctx, s_scenario_keepalive);
    cr_assert_eq(ctx->ka_ok, 200, "only %d of 200 requests answered", ctx->ka_ok);
    cr_assert_eq(ctx->ka_connections, 1, "%ld connections for 199 requests on one handle",
                 ctx->ka_connections);
    s_teardown(ctx);
}

static void
s_scenario_hold_connection(s_ctx_t *ctx)
{
    /* a client that connects and says nothing: destroy must not wait */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) ctx->port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0)
        ctx->raw_fd = fd;
    else if (fd >= 0)
        close(fd);
    s_fetch(ctx, "GET", "/healthz");    /* the server has accepted by now */
}

Test(http, destroy_with_open_connection_closes_it)
{
    s_ctx_t *ctx = s_setup();
    s_run(ctx, s_scenario_hold_connection);
    s_assert_resp(&ctx->resp[0], 200, "ok\n");
    cr_assert(ctx->raw_fd >= 0, "connect failed");
    /* the server is gone: the idle connection must read EOF (or a reset) */
    struct timeval tv = { .tv_sec = 5 };
    setsockopt(ctx->raw_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    ssize_t n = recv(ctx->raw_fd, &c, 1, 0);
    cr_assert(n == 0 || (n < 0 && errno == ECONNRESET), "recv %zd errno %d", n, errno);
    s_teardown(ctx);
}

Test(http, destroy_without_running_then_one_loop_turn_frees_all)
{
    uv_loop_t loop;
    s_watchdog();
    cr_assert_eq(uv_loop_init(&loop), 0);
    ent_http_t *h = ent_http_new(&loop, "localhost:0", NULL, NULL, NULL);
    cr_assert_not_null(h);
    int port = ent_http_port(h);
    cr_assert(port > 0);
    cr_assert_eq(uv_loop_close(&loop), UV_EBUSY, "the server's handles are on the loop");
    ent_http_destroy(&h);
    cr_assert_null(h);
    ent_http_destroy(&h);       /* safe on *p == NULL */
    ent_http_destroy(NULL);
    cr_assert_eq(uv_run(&loop, UV_RUN_NOWAIT), 0);
    cr_assert_eq(uv_loop_close(&loop), 0);
    cr_assert_eq(ent_http_port(NULL), -1);

    /* the port is closed */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_neq(connect(fd, (struct sockaddr *) &sa, sizeof sa), 0);
    cr_assert_eq(errno, ECONNREFUSED);
    close(fd);
}

static void
s_scenario_no_registry(s_ctx_t *ctx)
{
    s_fetch(ctx, "GET", "/metrics");
    s_fetch(ctx, "GET", "/readyz");
}

Test(http, without_registry_or_ready_callback)
{
    s_ctx_t *ctx = s_setup();
    ent_http_destroy(&ctx->http);
    ctx->http = ent_http_new(&ctx->loop, "127.0.0.1:0", NULL, NULL, NULL);
    cr_assert_not_null(ctx->http);
    ctx->port = ent_http_port(ctx->http);
    s_run(ctx, s_scenario_no_registry);
    s_assert_resp(&ctx->resp[0], 404, NULL);
    s_assert_resp(&ctx->resp[1], 200, "ready\n");
    s_teardown(ctx);
}

Test(http, bad_addresses_are_refused)
{
    uv_loop_t loop;
    s_watchdog();
    cr_assert_eq(uv_loop_init(&loop), 0);
    const char *bad[] = { "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536",
                          "127.0.0.1:99999999999", "127.0.0.1:80x", "127.0.0.1:-1",
                          "example.com:80", "::1:80", "[::1]:80", "256.0.0.1:80", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_null(ent_http_new(&loop, bad[i], NULL, NULL, NULL), "'%s' accepted", bad[i]);
    cr_assert_null(ent_http_new(&loop, NULL, NULL, NULL, NULL));
    cr_assert_null(ent_http_new(NULL, "127.0.0.1:0", NULL, NULL, NULL));

    /* a port already in use */
    ent_http_t *a = ent_http_new(&loop, "127.0.0.1:0", NULL, NULL, NULL);
    cr_assert_not_null(a);
    char again[32];
    snprintf(again, sizeof again, "127.0.0.1:%d", ent_http_port(a));
    cr_assert_null(ent_http_new(&loop, again, NULL, NULL, NULL));
    ent_http_destroy(&a);
    cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    cr_assert_eq(uv_loop_close(&loop), 0, "a refused server must leave no handle");
}

Test(http, binds_only_the_given_host)
{
    uv_loop_t loop;
    s_watchdog();
    cr_assert_eq(uv_loop_init(&loop), 0);
    /* all of 127.0.0.0/8 is loopback on Linux: a server on 127.0.0.2 must
     * not be reachable through 127.0.0.1 */
    ent_http_t *h = ent_http_new(&loop, "127.0.0.2:0", NULL, NULL, NULL);
    cr_assert_not_null(h);
    int port = ent_http_port(h);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_neq(connect(fd, (struct sockaddr *) &sa, sizeof sa), 0,
                  "127.0.0.1 reached a server bound to 127.0.0.2");
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *) &sa, sizeof sa), 0, "errno %d", errno);
    close(fd);

    ent_http_destroy(&h);
    cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    cr_assert_eq(uv_loop_close(&loop), 0);
}

/* ------------------------------------------------------------------------
 * Connection limit: a full table must never stop the server for good
 * ------------------------------------------------------------------------ */

/* Sets the soft RLIMIT_NOFILE (the hard one stays), which ent_http_new
 * reads.  Criterion runs each test in its own process. */
static void
s_limit_fds(rlim_t soft)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    cr_assert(rl.rlim_max == RLIM_INFINITY || soft <= rl.rlim_max,
              "hard RLIMIT_NOFILE %llu is below %llu", (unsigned long long) rl.rlim_max,
              (unsigned long long) soft);
    rl.rlim_cur = soft;
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0, "errno %d", errno);
}

Test(http, connection_limit_follows_the_descriptor_limit)
{
    uv_loop_t loop;
    s_watchdog();
    cr_assert_eq(uv_loop_init(&loop), 0);
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    const struct {
        rlim_t soft;
        unsigned int want;
    } cases[] = {
        { ENT_HTTP_FD_RESERVE + 100, 100 },
        { ENT_HTTP_FD_RESERVE + ENT_HTTP_MIN_CONNECTIONS - 1, ENT_HTTP_MIN_CONNECTIONS },
        { ENT_HTTP_FD_RESERVE - 100, ENT_HTTP_MIN_CONNECTIONS },
        { ENT_HTTP_FD_RESERVE + ENT_HTTP_MAX_CONNECTIONS, ENT_HTTP_MAX_CONNECTIONS },
        { ENT_HTTP_FD_RESERVE + ENT_HTTP_MAX_CONNECTIONS + 1000, ENT_HTTP_MAX_CONNECTIONS },
    };
    int checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (rl.rlim_max != RLIM_INFINITY && cases[i].soft > rl.rlim_max)
            continue;           /* cannot raise the soft limit that far here */
        s_limit_fds(cases[i].soft);
        ent_http_t *h = ent_http_new(&loop, "127.0.0.1:0", NULL, NULL, NULL);
        cr_assert_not_null(h);
        cr_assert_eq(ent_http_max_connections(h), cases[i].want, "soft limit %llu: %u, want %u",
                     (unsigned long long) cases[i].soft, ent_http_max_connections(h),
                     cases[i].want);
        ent_http_destroy(&h);
        checked++;
    }
    cr_assert(checked >= 3, "only %d cases fit under the hard RLIMIT_NOFILE", checked);
    cr_assert_eq(ent_http_max_connections(NULL), 0);
    cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    cr_assert_eq(uv_loop_close(&loop), 0);
}

/* Sockets open in this process, the server's accepted ones included (the
 * server runs in the test process).  Sockets only: rendering /metrics
 * opens files under /proc for a moment. */
static int
s_count_sockets(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    char path[300], target[64];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len > 0 && (size_t) len >= 7 && strncmp(target, "socket:", 7) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static void
s_sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Resets a connection: RST, not FIN. */
static void
s_close_rst(int fd)
{
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

/* One connection of a hostile client, kind 0..4: idle; half a request
 * line; pipelined /metrics never read (tiny receive window); closed at
 * once; reset at once.  Returns the held fd, or -1 when it was closed. */
static int
s_connect_kind(int port, int kind)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (kind == 2) {
        int small = 2048;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    static const char partial[] = "GET /hea";
    static const char metrics[] = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";
    switch (kind) {
    case 1:
        (void) !send(fd, partial, sizeof partial - 1, MSG_NOSIGNAL);
        return fd;
    case 2:
        for (int i = 0; i < 32; i++)
            (void) !send(fd, metrics, sizeof metrics - 1, MSG_NOSIGNAL);
        return fd;
    case 3:
        close(fd);
        return -1;
    case 4:
        s_close_rst(fd);
        return -1;
    default:
        return fd;
    }
}

/* Each round: twice the limit in hostile connections (more than a table's
 * worth held, the rest queued in the kernel or closed at once), wait until
 * the server's table is full, stop the loop, drop every connection, let
 * the loop go, then GET /healthz.  Dropping them while the loop is stopped
 * makes one MHD run see every close at once: the case where the table goes
 * from full to empty in one run, after which nothing but our re-run puts
 * the listening socket back.  "Accepted" counts every socket the server
 * holds, so a connection a round leaves in the table until the idle
 * timeout counts towards the next round's full table (libmicrohttpd 0.9.75
 * does that with half a request line whose FIN came before the accept). */
static void
s_scenario_full_table(s_ctx_t *ctx)
{
    const int limit = (int) ent_http_max_connections(ctx->http);   /* set before the loop ran */
    const int n = 2 * limit;
    int *fds = calloc((size_t) n, sizeof *fds);
    const int base = s_count_sockets();
    for (int round = 0; round < FULL_ROUNDS && fds; round++) {
        int held = 0;
        for (int i = 0; i < n; i++) {
            fds[i] = s_connect_kind(ctx->port, i % 5);
            held += fds[i] >= 0;
        }
        int accepted = 0;       /* the server's sockets: its table */
        for (int i = 0; i < 500; i++) {
            accepted = s_count_sockets() - base - held;
            if (accepted >= limit)
                break;
            s_sleep_ms(10);
        }
        ctx->full_accepted[round] = accepted;

        uv_async_send(&ctx->pause);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        int rc;
        while ((rc = sem_timedwait(&ctx->paused, &until)) != 0 && errno == EINTR)
            ;
        ctx->full_paused[round] = rc == 0;
        for (int i = 0; i < n; i++) {
            if (fds[i] < 0)
                continue;
            if (i % 2)
                s_close_rst(fds[i]);
            else
                close(fds[i]);
        }
        sem_post(&ctx->resume);
        s_fetch(ctx, "GET", "/healthz");
    }
    free(fds);
}

Test(http, accepts_again_when_a_full_table_empties_at_once)
{
    const int limit = 32;
    s_limit_fds(ENT_HTTP_FD_RESERVE + limit);
    s_ctx_t *ctx = s_setup();
    cr_assert_eq(ent_http_max_connections(ctx->http), (unsigned int) limit);
    cr_assert_eq(sem_init(&ctx->paused, 0, 0), 0);
    cr_assert_eq(sem_init(&ctx->resume, 0, 0), 0);
    cr_assert_eq(uv_async_init(&ctx->loop, &ctx->pause, s_on_pause), 0);
    ctx->pause.data = ctx;
    ctx->pause_inited = true;
    /* well under the idle timeout: an answer must not need one to expire */
    ctx->fetch_timeout_s = ENT_HTTP_IDLE_TIMEOUT_S / 2;
    s_run(ctx, s_scenario_full_table);
    for (int r = 0; r < FULL_ROUNDS; r++) {
        cr_assert_eq(ctx->full_accepted[r], limit, "round %d: the table held %d, not %d", r,
                     ctx->full_accepted[r], limit);
        cr_assert(ctx->full_paused[r], "round %d: the loop did not stop", r);
        s_assert_resp(&ctx->resp[r], 200, "ok\n");
    }
    sem_destroy(&ctx->paused);
    sem_destroy(&ctx->resume);
    s_teardown(ctx);
}
