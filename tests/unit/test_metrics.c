/*  test_metrics.c — Prometheus registry: exact text, escaping, histogram
 *  cumulation, callbacks, name validation, process metrics, and the whole
 *  output checked by promtool. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/metrics.h"

#define PROMTOOL "/usr/bin/promtool"

static ent_metrics_t *
s_registry(void)
{
    ent_metrics_t *m = ent_metrics_new("ent_test", "1.2.3");
    cr_assert_not_null(m, "ent_metrics_new: %s", strerror(errno));
    return m;
}

/* Renders m; the caller frees. */
static char *
s_render(ent_metrics_t *m)
{
    char *out = NULL;
    size_t len = 0;
    int rc = ent_metrics_render(m, &out, &len);
    cr_assert_eq(rc, 0, "render: %s", strerror(rc));
    cr_assert_not_null(out);
    cr_assert_eq(strlen(out), len, "len must match the NUL-terminated text");
    cr_assert(len > 0 && out[len - 1] == '\n', "output must end with a newline");
    return out;
}

/* User families come first: the text must start with `expected` and the
 * built-in families must follow right after. */
static void
s_assert_user_text(const char *out, const char *expected)
{
    size_t n = strlen(expected);
    cr_assert(strncmp(out, expected, n) == 0, "expected:\n%s\ngot:\n%.*s", expected,
              (int) (n + 80), out);
    cr_assert(strncmp(out + n, "# HELP ent_test_build_info ", 27) == 0,
              "built-ins must follow the user families, got:\n%.200s", out + n);
}

/* Value of the sample line that starts with `series` followed by a space
 * ("name" or "name{labels}"); fails the test when absent. */
static double
s_sample(const char *out, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ') {
            char *end;
            double v = strtod(p + n + 1, &end);
            cr_assert(end != p + n + 1 && *end == '\n', "bad sample line for %s", series);
            return v;
        }
    }
    cr_assert_fail("series %s not found in:\n%s", series, out);
    return NAN;
}

/* Runs promtool check metrics on text; fails with promtool's output. */
static void
s_assert_promtool_ok(const char *text)
{
    cr_assert(access(PROMTOOL, X_OK) == 0,
              PROMTOOL " is missing: the test script must install prometheus' promtool");
    char path[] = "/tmp/ent_test_metrics_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
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
              "promtool check metrics failed (status %d):\n%s\ninput:\n%s", status, output,
              text);
}

Test(metrics, counter_without_labels_exact_text)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_counter_t *c = ent_metrics_counter(m, "jobs_done_total", "Jobs done.");
    cr_assert_not_null(c);
    ent_metrics_counter_inc(c);
    ent_metrics_counter_inc(c);
    ent_metrics_counter_add(c, 2.5);
    ent_metrics_counter_add(c, -7);     /* counters never go down */
    ent_metrics_counter_add(c, NAN);
    cr_assert_float_eq(ent_metrics_counter_value(c), 4.5, 1e-12);

    char *out = s_render(m);
    s_assert_user_text(out, "# HELP jobs_done_total Jobs done.\n"
                            "# TYPE jobs_done_total counter\n"
                            "jobs_done_total 4.5\n");
    free(out);
    ent_metrics_destroy(&m);
    cr_assert_null(m);
}

Test(metrics, labelled_counter_exact_text_and_stable_children)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_family_t *f = ent_metrics_counter_family(
        m, "rpc_requests_total", "RPC requests by method and code.", 2,
        (const char *const[]) { "method", "code" });
    cr_assert_not_null(f);
    ent_metrics_counter_t *ok = ent_metrics_counter_child(f, (const char *const[]) { "Book", "0" });
    ent_metrics_counter_t *err =
        ent_metrics_counter_child(f, (const char *const[]) { "Cancel", "404" });
    cr_assert_not_null(ok);
    cr_assert_not_null(err);
    cr_assert_neq(ok, err);
    cr_assert_eq(ent_metrics_counter_child(f, (const char *const[]) { "Book", "0" }), ok,
                 "the same tuple must give the same handle");
    for (int i = 0; i < 3; i++)
        ent_metrics_counter_inc(ok);
    ent_metrics_counter_inc(err);

    char *out = s_render(m);
    s_assert_user_text(out, "# HELP rpc_requests_total RPC requests by method and code.\n"
                            "# TYPE rpc_requests_total counter\n"
                            "rpc_requests_total{method=\"Book\",code=\"0\"} 3\n"
                            "rpc_requests_total{method=\"Cancel\",code=\"404\"} 1\n");
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, gauges_exact_text)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_gauge_t *g = ent_metrics_gauge(m, "queue_depth", "Jobs waiting.");
    cr_assert_not_null(g);
    ent_metrics_gauge_set(g, 10);
    ent_metrics_gauge_add(g, -12.5);
    cr_assert_float_eq(ent_metrics_gauge_value(g), -2.5, 1e-12);

    ent_metrics_family_t *f =
        ent_metrics_gauge_family(m, "peers_up", "Peers reachable.", 1, (const char *const[]) { "peer" });
    cr_assert_not_null(f);
    ent_metrics_gauge_set(ent_metrics_gauge_child(f, (const char *const[]) { "records" }), 1);
    ent_metrics_gauge_set(ent_metrics_gauge_child(f, (const char *const[]) { "notifier" }), 0);
    /* a family with labels but no child yet renders HELP/TYPE only */
    cr_assert_not_null(ent_metrics_gauge_family(m, "empty_family", "No child yet.", 1,
                                                (const char *const[]) { "x" }));

    char *out = s_render(m);
    s_assert_user_text(out, "# HELP queue_depth Jobs waiting.\n"
                            "# TYPE queue_depth gauge\n"
                            "queue_depth -2.5\n"
                            "# HELP peers_up Peers reachable.\n"
                            "# TYPE peers_up gauge\n"
                            "peers_up{peer=\"records\"} 1\n"
                            "peers_up{peer=\"notifier\"} 0\n"
                            "# HELP empty_family No child yet.\n"
                            "# TYPE empty_family gauge\n");
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, special_values_and_precision)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_gauge_t *a = ent_metrics_gauge(m, "a", "a.");
    ent_metrics_gauge_t *b = ent_metrics_gauge(m, "b", "b.");
    ent_metrics_gauge_t *c = ent_metrics_gauge(m, "c", "c.");
    ent_metrics_gauge_t *d = ent_metrics_gauge(m, "d", "d.");
    ent_metrics_gauge_t *e = ent_metrics_gauge(m, "e", "e.");
    ent_metrics_gauge_set(a, NAN);
    ent_metrics_gauge_set(b, INFINITY);
    ent_metrics_gauge_set(c, -INFINITY);
    ent_metrics_gauge_set(d, 0.1 + 0.2);    /* needs 17 digits to read back */
    ent_metrics_gauge_set(e, 1e300);
    char *out = s_render(m);
    s_assert_user_text(out, "# HELP a a.\n# TYPE a gauge\na NaN\n"
                            "# HELP b b.\n# TYPE b gauge\nb +Inf\n"
                            "# HELP c c.\n# TYPE c gauge\nc -Inf\n"
                            "# HELP d d.\n# TYPE d gauge\nd 0.30000000000000004\n"
                            "# HELP e e.\n# TYPE e gauge\ne 1e+300\n");
    cr_assert_eq(s_sample(out, "d"), 0.1 + 0.2, "value must round-trip exactly");
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, histogram_exact_text)
{
    ent_metrics_t *m = s_registry();
    const double bounds[] = { 0.25, 0.5, 1 };
    ent_metrics_histogram_t *h =
        ent_metrics_histogram(m, "rpc_duration_seconds", "RPC latency.", bounds, 3);
    cr_assert_not_null(h);
    ent_metrics_histogram_observe(h, 0.25);    /* on a bound: counted in that bucket */
    ent_metrics_histogram_observe(h, 0.5);
    ent_metrics_histogram_observe(h, 0.75);
    ent_metrics_histogram_observe(h, 2);
    ent_metrics_histogram_observe(h, 4);
    ent_metrics_histogram_observe(h, NAN);     /* ignored */

    ent_metrics_family_t *f = ent_metrics_histogram_family(
        m, "store_txn_seconds", "Txn latency.", 1, (const char *const[]) { "kind" }, bounds, 1);
    ent_metrics_histogram_t *w = ent_metrics_histogram_child(f, (const char *const[]) { "write" });
    cr_assert_not_null(w);
    ent_metrics_histogram_observe(w, 0.125);
    ent_metrics_histogram_observe(w, 8);

    char *out = s_render(m);
    s_assert_user_text(out, "# HELP rpc_duration_seconds RPC latency.\n"
                            "# TYPE rpc_duration_seconds histogram\n"
                            "rpc_duration_seconds_bucket{le=\"0.25\"} 1\n"
                            "rpc_duration_seconds_bucket{le=\"0.5\"} 2\n"
                            "rpc_duration_seconds_bucket{le=\"1\"} 3\n"
                            "rpc_duration_seconds_bucket{le=\"+Inf\"} 5\n"
                            "rpc_duration_seconds_sum 7.5\n"
                            "rpc_duration_seconds_count 5\n"
                            "# HELP store_txn_seconds Txn latency.\n"
                            "# TYPE store_txn_seconds histogram\n"
                            "store_txn_seconds_bucket{kind=\"write\",le=\"0.25\"} 1\n"
                            "store_txn_seconds_bucket{kind=\"write\",le=\"+Inf\"} 2\n"
                            "store_txn_seconds_sum{kind=\"write\"} 8.125\n"
                            "store_txn_seconds_count{kind=\"write\"} 2\n");
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, histogram_buckets_are_cumulative_and_inf_equals_count)
{
    ent_metrics_t *m = s_registry();
    const double bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5 };
    ent_metrics_histogram_t *h = ent_metrics_histogram(m, "lat_seconds", "Latency.", bounds, 8);
    cr_assert_not_null(h);
    unsigned seed = 42;
    size_t expected[9] = { 0 };
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        double v = (double) rand_r(&seed) / RAND_MAX * 10.0;
        ent_metrics_histogram_observe(h, v);
        for (size_t b = 0; b < 8; b++)
            if (v <= bounds[b])
                expected[b]++;
    }
    char *out = s_render(m);
    const char *les[] = { "0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "5" };
    double prev = 0;
    for (size_t b = 0; b < 8; b++) {
        char series[64];
        snprintf(series, sizeof series, "lat_seconds_bucket{le=\"%s\"}", les[b]);
        double v = s_sample(out, series);
        cr_assert_eq(v, (double) expected[b], "%s: %g != %zu", series, v, expected[b]);
        cr_assert(v >= prev, "buckets must be cumulative");
        prev = v;
    }
    double inf = s_sample(out, "lat_seconds_bucket{le=\"+Inf\"}");
    cr_assert(inf >= prev);
    cr_assert_eq(inf, (double) n);
    cr_assert_eq(s_sample(out, "lat_seconds_count"), inf, "+Inf bucket must equal _count");
    cr_assert(s_sample(out, "lat_seconds_sum") > 0);
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, escaping_of_help_and_label_values)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_family_t *f = ent_metrics_gauge_family(
        m, "weird", "Back\\slash, \"quotes\" stay,\nnew line.", 1, (const char *const[]) { "v" });
    cr_assert_not_null(f);
    ent_metrics_gauge_set(
        ent_metrics_gauge_child(f, (const char *const[]) { "a\"b\\c\nd é" }), 1);
    char *out = s_render(m);
    s_assert_user_text(out, "# HELP weird Back\\\\slash, \"quotes\" stay,\\nnew line.\n"
                            "# TYPE weird gauge\n"
                            "weird{v=\"a\\\"b\\\\c\\nd é\"} 1\n");
    s_assert_promtool_ok(out);
    free(out);
    ent_metrics_destroy(&m);
}

static double
s_counting_callback(void *arg)
{
    int *calls = arg;
    return ++*calls * 10.0;
}

static double
s_half(void *arg)
{
    return *(double *) arg / 2;
}

Test(metrics, callback_gauges_are_evaluated_at_render)
{
    ent_metrics_t *m = s_registry();
    int calls = 0;
    cr_assert_not_null(ent_metrics_gauge_callback(m, "map_used_bytes", "LMDB map used.",
                                                  s_counting_callback, &calls));
    double lag = 9;
    ent_metrics_family_t *f = ent_metrics_gauge_family(m, "consumer_lag", "Lag.", 1,
                                                       (const char *const[]) { "consumer" });
    ent_metrics_gauge_t *g =
        ent_metrics_gauge_bind(f, (const char *const[]) { "analytics" }, s_half, &lag);
    cr_assert_not_null(g);
    ent_metrics_gauge_set(g, 1000);   /* hidden while a callback is bound */
    cr_assert_eq(calls, 0, "callbacks run only at render");

    char *out = s_render(m);
    cr_assert_eq(calls, 1);
    cr_assert_eq(s_sample(out, "map_used_bytes"), 10);
    cr_assert_eq(s_sample(out, "consumer_lag{consumer=\"analytics\"}"), 4.5);
    free(out);

    lag = 20;
    out = s_render(m);
    cr_assert_eq(calls, 2);
    cr_assert_eq(s_sample(out, "map_used_bytes"), 20);
    cr_assert_eq(s_sample(out, "consumer_lag{consumer=\"analytics\"}"), 10);
    free(out);

    /* unbinding shows the stored value again */
    cr_assert_eq(ent_metrics_gauge_bind(f, (const char *const[]) { "analytics" }, NULL, NULL), g);
    out = s_render(m);
    cr_assert_eq(s_sample(out, "consumer_lag{consumer=\"analytics\"}"), 1000);
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, bad_names_and_arguments_are_refused)
{
    ent_metrics_t *m = s_registry();
    const char *bad_names[] = { "", "1abc", "a-b", "a b", "é", "a.b", "a{b}" };
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        errno = 0;
        cr_assert_null(ent_metrics_gauge(m, bad_names[i], "h."), "'%s' accepted", bad_names[i]);
        cr_assert_eq(errno, EINVAL);
    }
    cr_assert_not_null(ent_metrics_gauge(m, "ok:name_1", "colons are legal in metric names"));
    cr_assert_not_null(ent_metrics_gauge(m, "_under", "leading underscore is legal"));

    cr_assert_null(ent_metrics_gauge(m, NULL, "h."));
    cr_assert_null(ent_metrics_gauge(m, "nohelp", NULL));
    cr_assert_null(ent_metrics_gauge(m, "nohelp", ""));
    cr_assert_null(ent_metrics_gauge(m, "badhelp", "\xff"));
    cr_assert_null(ent_metrics_gauge(NULL, "x", "h."));
    errno = 0;
    cr_assert_null(ent_metrics_counter(m, "requests", "counters need _total"));
    cr_assert_eq(errno, EINVAL);

    /* labels */
    cr_assert_null(ent_metrics_gauge_family(m, "l1", "h.", 1, (const char *const[]) { "__x" }));
    cr_assert_null(ent_metrics_gauge_family(m, "l2", "h.", 1, (const char *const[]) { "1a" }));
    cr_assert_null(ent_metrics_gauge_family(m, "l3", "h.", 1, (const char *const[]) { "a:b" }));
    cr_assert_null(ent_metrics_gauge_family(m, "l4", "h.", 2, (const char *const[]) { "a", "a" }));
    cr_assert_null(ent_metrics_gauge_family(m, "l5", "h.", 4,
                                            (const char *const[]) { "a", "b", "c", "d" }));
    cr_assert_null(ent_metrics_gauge_family(m, "l6", "h.", 1, NULL));
    cr_assert_not_null(ent_metrics_gauge_family(m, "l7", "h.", 3,
                                                (const char *const[]) { "a", "b", "c" }));

    /* histograms */
    const double inc[] = { 1, 2 }, dec[] = { 2, 1 }, dup[] = { 1, 1 }, nan[] = { NAN },
                 inf[] = { 1, INFINITY };
    cr_assert_null(ent_metrics_histogram(m, "h1", "h.", dec, 2));
    cr_assert_null(ent_metrics_histogram(m, "h2", "h.", dup, 2));
    cr_assert_null(ent_metrics_histogram(m, "h3", "h.", nan, 1));
    cr_assert_null(ent_metrics_histogram(m, "h4", "h.", inf, 2));
    cr_assert_null(ent_metrics_histogram(m, "h5", "h.", NULL, 2));
    cr_assert_null(ent_metrics_histogram_family(m, "h6", "h.", 1, (const char *const[]) { "le" },
                                                inc, 2));
    cr_assert_not_null(ent_metrics_histogram(m, "h7", "no bounds: only +Inf", NULL, 0));
    cr_assert_not_null(ent_metrics_histogram(m, "h8", "h.", inc, 2));

    /* duplicates, including the series a histogram owns and the built-ins */
    const char *taken[] = { "ok:name_1", "h8", "h8_bucket", "h8_sum", "h8_count",
                            "process_open_fds", "process_resident_memory_bytes",
                            "ent_test_build_info" };
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++) {
        errno = 0;
        cr_assert_null(ent_metrics_gauge(m, taken[i], "h."), "'%s' accepted twice", taken[i]);
        cr_assert_eq(errno, EEXIST, "'%s': errno %d", taken[i], errno);
    }
    cr_assert_not_null(ent_metrics_gauge(m, "g", "h."));
    errno = 0;
    cr_assert_null(ent_metrics_histogram(m, "g", "h.", inc, 2));
    cr_assert_eq(errno, EEXIST);
    cr_assert_not_null(ent_metrics_gauge(m, "x_count", "h."));
    errno = 0;
    cr_assert_null(ent_metrics_histogram(m, "x", "would write x_count", inc, 2));
    cr_assert_eq(errno, EEXIST);

    /* children */
    ent_metrics_family_t *f = ent_metrics_counter_family(m, "c_total", "h.", 1,
                                                         (const char *const[]) { "k" });
    cr_assert_not_null(f);
    errno = 0;
    cr_assert_null(ent_metrics_gauge_child(f, (const char *const[]) { "v" }), "kind mismatch");
    cr_assert_eq(errno, EINVAL);
    cr_assert_null(ent_metrics_counter_child(f, NULL));
    cr_assert_null(ent_metrics_counter_child(f, (const char *const[]) { NULL }));
    cr_assert_null(ent_metrics_counter_child(f, (const char *const[]) { "\xc3\x28" }));
    cr_assert_null(ent_metrics_counter_child(NULL, NULL));

    /* registry */
    cr_assert_null(ent_metrics_new("bad-prefix", "1"));
    cr_assert_null(ent_metrics_new(NULL, "1"));
    cr_assert_null(ent_metrics_new("ok", NULL));
    char *out = NULL;
    size_t len;
    cr_assert_eq(ent_metrics_render(NULL, &out, &len), EINVAL);
    cr_assert_eq(ent_metrics_render(m, NULL, &len), EINVAL);
    cr_assert_eq(ent_metrics_render(m, &out, NULL), EINVAL);

    /* refusals leave nothing behind: no HELP line for a refused family
     * (promtool is not run here: ':' and a gauge named x_count are legal
     * but its linter frowns on them) */
    out = s_render(m);
    cr_assert_null(strstr(out, "# HELP l1 "));
    cr_assert_null(strstr(out, "# HELP h1 "));
    cr_assert_null(strstr(out, "# HELP requests "));
    cr_assert_not_null(strstr(out, "# HELP h8 h.\n# TYPE h8 histogram\n"));
    free(out);
    ent_metrics_destroy(&m);
    ent_metrics_destroy(&m);   /* safe on *p == NULL */
    ent_metrics_destroy(NULL);
}

Test(metrics, hot_path_tolerates_null_handles)
{
    ent_metrics_counter_inc(NULL);
    ent_metrics_counter_add(NULL, 1);
    ent_metrics_gauge_set(NULL, 1);
    ent_metrics_gauge_add(NULL, 1);
    ent_metrics_histogram_observe(NULL, 1);
    cr_assert_eq(ent_metrics_counter_value(NULL), 0);
    cr_assert_eq(ent_metrics_gauge_value(NULL), 0);
}

Test(metrics, process_and_build_info_metrics)
{
    ent_metrics_t *m = s_registry();
    char *out = s_render(m);
    cr_assert_eq(s_sample(out, "ent_test_build_info{version=\"1.2.3\"}"), 1);
    cr_assert_not_null(strstr(out, "# TYPE ent_test_build_info gauge\n"));
    double rss = s_sample(out, "process_resident_memory_bytes");
    cr_assert(rss > 1024 * 1024 && rss < 64.0 * 1024 * 1024 * 1024, "rss %g", rss);
    double start = s_sample(out, "process_start_time_seconds");
    double now = (double) time(NULL);
    cr_assert(start <= now + 1 && start > now - 3600, "start %f now %f", start, now);
    cr_assert(s_sample(out, "process_cpu_seconds_total") >= 0);
    double fds = s_sample(out, "process_open_fds");
    cr_assert(fds >= 3, "fds %g", fds);
    free(out);

    /* the count follows the process' descriptors */
    int extra[3];
    for (int i = 0; i < 3; i++) {
        extra[i] = open("/dev/null", O_RDONLY);
        cr_assert(extra[i] >= 0);
    }
    out = s_render(m);
    cr_assert_eq(s_sample(out, "process_open_fds"), fds + 3);
    free(out);
    for (int i = 0; i < 3; i++)
        close(extra[i]);
    ent_metrics_destroy(&m);

    /* the version label is escaped */
    m = ent_metrics_new("entretiens_scheduler", "0.1.0 \"rc\"");
    cr_assert_not_null(m);
    out = s_render(m);
    cr_assert_eq(s_sample(out, "entretiens_scheduler_build_info{version=\"0.1.0 \\\"rc\\\"\"}"),
                 1);
    free(out);
    ent_metrics_destroy(&m);
}

static double
s_const(void *arg)
{
    (void) arg;
    return 0.75;
}

Test(metrics, full_registry_passes_promtool)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_family_t *req = ent_metrics_counter_family(
        m, "entretiens_rpc_requests_total", "RPC requests handled, by method and status code.",
        2, (const char *const[]) { "method", "code" });
    const char *methods[] = { "BookInterview", "CancelInterview", "ListSlots" };
    const char *codes[] = { "0", "404", "500" };
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            ent_metrics_counter_add(
                ent_metrics_counter_child(req, (const char *const[]) { methods[i], codes[j] }),
                i * 3 + j);
    const double lat[] = { 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5 };
    ent_metrics_family_t *h = ent_metrics_histogram_family(
        m, "entretiens_rpc_duration_seconds", "RPC handling time.", 1,
        (const char *const[]) { "method" }, lat, 9);
    for (int i = 0; i < 3; i++) {
        ent_metrics_histogram_t *c =
            ent_metrics_histogram_child(h, (const char *const[]) { methods[i] });
        for (int k = 0; k < 50; k++)
            ent_metrics_histogram_observe(c, k * 0.013 * (i + 1));
    }
    ent_metrics_gauge_set(ent_metrics_gauge(m, "entretiens_queue_depth", "Jobs waiting.\nSecond line \\ end."), 3);
    cr_assert_not_null(ent_metrics_gauge_callback(m, "entretiens_lmdb_map_used_ratio",
                                                  "LMDB map used / map size.", s_const, NULL));
    ent_metrics_gauge_set(
        ent_metrics_gauge_child(
            ent_metrics_gauge_family(m, "entretiens_peer_up", "Peer reachable.", 3,
                                     (const char *const[]) { "peer", "addr", "note" }),
            (const char *const[]) { "records", "tcp://127.0.0.1:7001", "quote \" back \\ nl \n" }),
        1);
    cr_assert_not_null(ent_metrics_histogram(m, "entretiens_empty_seconds", "Never observed.",
                                             lat, 9));
    char *out = s_render(m);
    s_assert_promtool_ok(out);
    free(out);
    ent_metrics_destroy(&m);
}

Test(metrics, promtool_rejects_broken_text)
{
    /* proves the promtool helper can fail: a counter without _total and an
     * unescaped quote must both be reported */
    cr_assert(access(PROMTOOL, X_OK) == 0, PROMTOOL " is missing");
    int status = system("printf '# HELP x h\\n# TYPE x counter\\nx{a=\"\"\"} 1\\n' | "
                        PROMTOOL " check metrics >/dev/null 2>&1");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0, "promtool accepted broken text");
}

Test(metrics, increments_are_cheap)
{
    ent_metrics_t *m = s_registry();
    ent_metrics_family_t *f = ent_metrics_counter_family(
        m, "hot_total", "Hot counter.", 2, (const char *const[]) { "method", "code" });
    ent_metrics_counter_t *c = ent_metrics_counter_child(f, (const char *const[]) { "Book", "0" });
    cr_assert_not_null(c);
    const long n = 10 * 1000 * 1000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++)
        ent_metrics_counter_inc(c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_eq(ent_metrics_counter_value(c), (double) n);
    /* 10M increments = 10 s of traffic at 1M/s; allow 100 ns each even
     * under sanitizers on a loaded CI machine */
    cr_assert(secs < 1.0, "10M increments took %.3f s", secs);
    ent_metrics_destroy(&m);
}

Test(metrics, gauge_read_follows_the_variable)
{
    ent_metrics_t *m = s_registry();
    static double value = 3;
    cr_assert_not_null(ent_metrics_gauge_callback(m, "ent_test_bound", "A gauge bound to a variable",
                                                  ent_metrics_gauge_read, &value));
    char *out = s_render(m);
    cr_assert_eq(s_sample(out, "ent_test_bound"), 3);
    free(out);
    value = 42.5; /* the owner updates it; the next render shows it */
    out = s_render(m);
    cr_assert_eq(s_sample(out, "ent_test_bound"), 42.5);
    free(out);
    ent_metrics_destroy(&m);
}
