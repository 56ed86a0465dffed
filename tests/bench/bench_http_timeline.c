/*  bench_http_timeline.c — the per-request timing of one HTTP keep-alive
 *  connection (tests/bench/gateway.sh).  wrk gives a distribution; to find
 *  *why* 1 % of requests are slow, each slow request has to be put beside
 *  what the machine and the daemons were doing at that moment.  This client
 *  sends GETs one after the other for a number of seconds and writes, per
 *  request, when it started (CLOCK_REALTIME, µs: comparable with the
 *  daemons' logs and perf's timestamps) and how long it took.
 *
 *  Usage: ent-bench-http-timeline HOST:PORT PATH COOKIE SECONDS [LOG]
 *    COOKIE is sent as "Cookie: COOKIE" (e.g. ent_session=...).
 *  Prints one line: requests, non-2xx answers, p50 p90 p99 p99.9 max, the
 *  requests over 1 and 2 ms, and how many distinct 100 ms windows the
 *  requests over 2 ms fall in (a few windows: something stalled now and
 *  then; as many windows as requests: a steady tail).
 *  LOG gets "start_us duration_us status" per request.
 *  Exit status 0, 1 when the connection fails, 2 on bad arguments.
 *  Only what the gateway sends is understood: a response with
 *  Content-Length (no chunked encoding).
 */
/* strcasestr: _GNU_SOURCE comes from the build (CMakeLists.txt) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUESTS (4u << 20) /* 4 M: far above 10 s at one connection */
#define BUF_SIZE (1u << 20)

typedef struct {
    int64_t start_us; /* CLOCK_REALTIME */
    int64_t dur_us;   /* CLOCK_MONOTONIC */
    int status;
} s_req_t;

static int64_t s_us(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (int64_t) t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int s_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* Connects to "a.b.c.d:port" with TCP_NODELAY.  Returns the socket or -1. */
static int s_connect(const char *hostport)
{
    char host[64];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t) (colon - hostport) >= sizeof host)
        return -1;
    memcpy(host, hostport, (size_t) (colon - hostport));
    host[colon - hostport] = '\0';
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(colon + 1)) };
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads one response (headers and a Content-Length body) into buf.
 * Returns its status code, or -1 when the connection fails or the answer
 * is not one this client understands. */
static int s_read_response(int fd, char *buf, size_t size)
{
    size_t got = 0;
    const char *body = NULL;
    long clen = 0;
    int status = -1;
    for (;;) {
        if (got + 1 >= size)
            return -1;
        ssize_t k = read(fd, buf + got, size - got - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t) k;
        buf[got] = '\0';
        if (!body && (body = strstr(buf, "\r\n\r\n")) != NULL) {
            body += 4;
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            clen = cl ? strtol(cl + 17, NULL, 10) : 0;
            if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
                return -1;
        }
        if (body && (long) (got - (size_t) (body - buf)) >= clen)
            return status;
    }
}

static void s_report(s_req_t *reqs, size_t n, unsigned non2xx)
{
    int64_t *d = malloc((n ? n : 1) * sizeof *d);
    if (!d) {
        fprintf(stderr, "out of memory\n");
        return;
    }
    size_t over1 = 0, over2 = 0, windows = 0;
    int64_t last_window = -1;
    for (size_t i = 0; i < n; i++) {
        d[i] = reqs[i].dur_us;
        over1 += reqs[i].dur_us > 1000;
        if (reqs[i].dur_us > 2000) {
            over2++;
            int64_t w = reqs[i].start_us / 100000; /* requests are in time order */
            windows += w != last_window;
            last_window = w;
        }
    }
    qsort(d, n, sizeof *d, s_cmp_i64);
    if (n)
        printf("%zu requests, %u non-2xx: p50 %lld µs, p90 %lld µs, p99 %lld µs, p99.9 %lld µs, max %lld µs; "
               "%zu over 1 ms, %zu over 2 ms in %zu windows of 100 ms\n",
               n, non2xx, (long long) d[n / 2], (long long) d[n * 9 / 10], (long long) d[n * 99 / 100],
               (long long) d[n * 999 / 1000], (long long) d[n - 1], over1, over2, windows);
    free(d);
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6 || atof(argv[4]) <= 0) {
        fprintf(stderr, "usage: %s HOST:PORT PATH COOKIE SECONDS [LOG]\n", argv[0]);
        return 2;
    }
    int rc = 1;
    char *buf = malloc(BUF_SIZE), req[4096];
    s_req_t *reqs = malloc(MAX_REQUESTS * sizeof *reqs);
    int fd = s_connect(argv[1]);
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n\r\n", argv[2], argv[1],
                       argv[3]);
    if (!buf || !reqs || fd < 0 || len < 0 || (size_t) len >= sizeof req) {
        fprintf(stderr, "%s: cannot connect to %s or out of memory\n", argv[0], argv[1]);
        goto done;
    }
    size_t n = 0;
    unsigned non2xx = 0;
    int64_t end = s_us(CLOCK_MONOTONIC) + (int64_t) (atof(argv[4]) * 1e6);
    while (n < MAX_REQUESTS && s_us(CLOCK_MONOTONIC) < end) {
        s_req_t *r = &reqs[n];
        r->start_us = s_us(CLOCK_REALTIME);
        int64_t t0 = s_us(CLOCK_MONOTONIC);
        if (write(fd, req, (size_t) len) != len || (r->status = s_read_response(fd, buf, BUF_SIZE)) < 0) {
            fprintf(stderr, "%s: request %zu: the connection failed\n", argv[0], n + 1);
            goto done;
        }
        r->dur_us = s_us(CLOCK_MONOTONIC) - t0;
        non2xx += r->status / 100 != 2;
        n++;
    }
    if (argc == 6) {
        FILE *f = fopen(argv[5], "w");
        if (!f) {
            fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[5]);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%lld %lld %d\n", (long long) reqs[i].start_us, (long long) reqs[i].dur_us, reqs[i].status);
        if (fclose(f) != 0)
            goto done;
    }
    s_report(reqs, n, non2xx);
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(reqs);
    free(buf);
    return rc;
}
