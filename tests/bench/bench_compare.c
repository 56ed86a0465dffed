/*  ent-bench-compare — the scheduler against PostgreSQL at their own game,
 *  on the same machine, the same events, the same durability
 *  (`./tests/bench/run.sh compare`, which starts the throw-away cluster).
 *
 *    0. the organisation of N employees (the shared generator, seed 42) is
 *       written to one file of events that both sides read;
 *    1. ingest: batches of 1,000 events, each acknowledged after its commit
 *       (PostgreSQL: one transaction per batch, compare_pg.h; scheduler:
 *       one scheduler.ingest per batch), twice from an empty store: one
 *       batch in flight, then --in-flight batches outstanding on the one
 *       connection (PostgreSQL: libpq's pipeline mode; the scheduler: its
 *       group commit, whose commits per batch its /metrics count);
 *       with --probe 1, a third ingest (pipelined, into a store thrown
 *       away) has another client calling `health` one call at a time beside
 *       it, whose latencies are printed: what the ingest's turns cost the
 *       other callers;
 *    2. recompute: after a first computation as of 2026-11-26 (PostgreSQL's
 *       untimed, the scheduler's part of its ingest), everything again as of
 *       the next day: PostgreSQL its one rule, the scheduler every rule;
 *    3. point query: one employee's obligations, p50/p99 over --calls random
 *       employees (the same ids on both sides, after 1,000 untimed calls),
 *       CURVE on for the scheduler, a prepared statement over TCP for
 *       PostgreSQL.  Both read the same obligations: PostgreSQL's table is
 *       loaded from the scheduler's answers first (untimed), and the totals
 *       of obligations answered must be equal;
 *    4. memory: Pss of the scheduler and of every PostgreSQL process, and
 *       the scheduler's share of its mapped store apart.
 *
 *  Usage: ent-bench-compare --pg CONNINFO --pg-pid POSTMASTER_PID
 *           [--employees N] [--calls N] [--in-flight N (default 4)] [--probe 0|1]
 *           [--scheduler PATH]
 */
#include "bench_util.h"
#include "compare_pg.h"
#include "common/date.h"
#include "common/rpc.h"
#include "orggen.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define BATCH 1000
#define WARMUP 1000

typedef struct {
    size_t employees;
    int calls;
    int in_flight;
    int probe; /* 1: a third, probed, pipelined ingest (s_sched_ingest_probed) */
    const char *conninfo;
    pid_t pg_pid;
    char sched[4096];
} s_opts_t;

/* ------------------------------------------------------------ the events */

/* Writes every generated event to path: u32 length (host order), packed
 * EmployeeEvent.  Returns the count, or 0 (printed). */
static size_t s_write_events(const char *path, size_t employees, int32_t today)
{
    FILE *f = fopen(path, "wb");
    orggen_t *g = orggen_new(42, employees, today);
    size_t n = 0;
    const Entretiens__V1__EmployeeEvent *ev;
    uint8_t *buf = NULL;
    size_t cap = 0;
    while (f && g && orggen_next(g, &ev)) {
        size_t len = entretiens__v1__employee_event__get_packed_size(ev);
        if (len > cap) {
            uint8_t *b = realloc(buf, len);
            if (!b)
                break;
            buf = b;
            cap = len;
        }
        entretiens__v1__employee_event__pack(ev, buf);
        uint32_t l = (uint32_t) len;
        if (fwrite(&l, sizeof l, 1, f) != 1 || fwrite(buf, 1, len, f) != len)
            break;
        n++;
    }
    bool complete = f && g && n == orggen_count(g) && !orggen_next(g, &ev);
    free(buf);
    orggen_destroy(&g);
    if (!f || fclose(f) != 0 || !complete) {
        fprintf(stderr, "compare: cannot write %s\n", path);
        return 0;
    }
    return n;
}

/* The next event of the file (free it), NULL at the end. */
static Entretiens__V1__EmployeeEvent *s_read_event(FILE *f, uint8_t **buf, size_t *cap)
{
    uint32_t len;
    if (fread(&len, sizeof len, 1, f) != 1)
        return NULL;
    if (len > *cap) {
        uint8_t *b = realloc(*buf, len);
        if (!b)
            return NULL;
        *buf = b;
        *cap = len;
    }
    if (fread(*buf, 1, len, f) != len)
        return NULL;
    return entretiens__v1__employee_event__unpack(NULL, len, *buf);
}

/* The i-th random employee id of the point queries (the same sequence on
 * both sides). */
static void s_random_id(uint64_t *rng, size_t employees, char *out, size_t size)
{
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    snprintf(out, size, "E%06zu", (size_t) (*rng >> 33) % employees + 1);
}

/* ------------------------------------------------------------ PostgreSQL */

/* One ingest of the whole file. */
typedef struct {
    int in_flight;
    double s;         /* wall time */
    size_t inserted;  /* events new to the store */
    double cpu_s;     /* the server's CPU time (PostgreSQL: its backend; the scheduler: every thread) */
    double batches;   /* the scheduler's scheduler.ingest calls and its commits meanwhile (/metrics) */
    double commits;
} s_ingest_t;

typedef struct {
    s_ingest_t ing[2]; /* one batch in flight, then --in-flight */
    double recompute_s, p50, p99;
    double cpu_us; /* the server's CPU time per point query (every thread) */
    size_t changed, rows;
    long pss_kb;
    int procs;
} s_side_t;

/* Adds up to BATCH events of f to PostgreSQL's batch; returns how many (0
 * at the end of the file), or -1. */
static int s_pg_fill(cmp_pg_t *pg, FILE *f, uint8_t **buf, size_t *cap)
{
    int n = 0;
    Entretiens__V1__EmployeeEvent *ev;
    while (n < BATCH && (ev = s_read_event(f, buf, cap))) {
        int rc = cmp_pg_batch_add(pg, ev);
        entretiens__v1__employee_event__free_unpacked(ev, NULL);
        if (rc)
            return -1;
        n++;
    }
    return n;
}

/* The file into PostgreSQL, batch after batch: with one in flight, each
 * through COPY in its transaction; with more, pipelined. */
static int s_pg_ingest(cmp_pg_t *pg, const char *file, int in_flight, s_ingest_t *out)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return -1;
    pid_t backend = (pid_t) cmp_pg_backend_pid(pg);
    uint8_t *buf = NULL;
    size_t cap = 0, n;
    int rc = 0, outstanding = 0, got;
    bool more = true;
    out->in_flight = in_flight;
    long long cpu0 = bench_cpu_ns(backend);
    double t0 = bench_now();
    if (in_flight == 1) {
        while (!rc && (got = s_pg_fill(pg, f, &buf, &cap)) != 0) {
            rc = got < 0 || cmp_pg_batch_commit(pg, &n);
            out->inserted += rc ? 0 : n;
        }
    } else {
        rc = cmp_pg_pipeline_begin(pg);
        while (!rc && (more || outstanding)) {
            while (!rc && more && outstanding < in_flight) {
                got = s_pg_fill(pg, f, &buf, &cap);
                if (got <= 0) {
                    rc = got < 0;
                    more = false;
                } else if (!(rc = cmp_pg_pipeline_send(pg))) {
                    outstanding++;
                }
            }
            if (!rc && outstanding) {
                rc = cmp_pg_pipeline_recv(pg, &n);
                out->inserted += n;
                outstanding--;
            }
        }
        /* after a failure the pipeline is not drained: the connection is
         * given up with it */
        if (!rc)
            rc = cmp_pg_pipeline_end(pg);
    }
    out->s = bench_now() - t0;
    out->cpu_s = (double) (bench_cpu_ns(backend) - cpu0) / 1e9;
    free(buf);
    fclose(f);
    return rc;
}

/* One employee's obligations on one side: returns how many, or -1. */
typedef int (*s_query_fn)(void *side, const char *employee_id);

/* p50/p99 of --calls point queries on random employees (after WARMUP
 * untimed ones), the obligations answered, and the server's CPU time per
 * query (server: the process answering). */
static int s_measure(const s_opts_t *o, s_query_fn query, void *side, pid_t server, s_side_t *out)
{
    double *lat = malloc((size_t) o->calls * sizeof *lat);
    if (!lat)
        return -1;
    uint64_t rng = 11;
    char id[24];
    int rc = 0;
    for (int i = 0; i < WARMUP && !rc; i++) {
        s_random_id(&rng, o->employees, id, sizeof id);
        rc = query(side, id) < 0;
    }
    rng = 7;
    long long cpu0 = bench_cpu_ns(server);
    for (int i = 0; i < o->calls && !rc; i++) {
        s_random_id(&rng, o->employees, id, sizeof id);
        double s = bench_now();
        int rows = query(side, id);
        lat[i] = (bench_now() - s) * 1e6;
        if (rows < 0)
            rc = -1;
        else
            out->rows += (size_t) rows;
    }
    out->cpu_us = (double) (bench_cpu_ns(server) - cpu0) / 1e3 / o->calls;
    if (!rc) {
        qsort(lat, (size_t) o->calls, sizeof *lat, bench_cmp_double);
        out->p50 = lat[o->calls / 2];
        out->p99 = lat[(int) (o->calls * 0.99)];
    }
    free(lat);
    return rc;
}

static int s_pg_query(void *side, const char *employee_id)
{
    return cmp_pg_obligations(side, employee_id);
}

/* ------------------------------------------------------------ scheduler */

/* One batch of up to BATCH events from f, packed as an IngestRequest into
 * *data (free it).  Returns the events in it (0 at the end of the file). */
static size_t s_sched_batch(FILE *f, uint8_t **data, size_t *len, uint8_t **buf, size_t *cap)
{
    Entretiens__V1__EmployeeEvent *evs[BATCH];
    size_t n = 0;
    while (n < BATCH && (evs[n] = s_read_event(f, buf, cap)))
        n++;
    *data = NULL;
    *len = 0;
    if (n) {
        Entretiens__V1__IngestRequest rq = ENTRETIENS__V1__INGEST_REQUEST__INIT;
        rq.n_events = n;
        rq.events = evs;
        *len = entretiens__v1__ingest_request__get_packed_size(&rq);
        *data = malloc(*len);
        if (*data)
            entretiens__v1__ingest_request__pack(&rq, *data);
        else
            n = 0;
    }
    for (size_t i = 0; i < n; i++)
        entretiens__v1__employee_event__free_unpacked(evs[i], NULL);
    return n;
}

/* The file into the scheduler, in_flight batches outstanding on the
 * DEALER. */
static int s_sched_ingest(void *sock, pid_t pid, const char *file, int in_flight, s_ingest_t *out)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return -1;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int outstanding = 0, rc = 0;
    uint64_t id = 1;
    bool more = true;
    out->in_flight = in_flight;
    long long cpu0 = bench_cpu_ns(pid);
    double t0 = bench_now();
    while (!rc && (more || outstanding)) {
        while (more && outstanding < in_flight) {
            uint8_t *data;
            size_t len;
            if (!s_sched_batch(f, &data, &len, &buf, &cap)) {
                more = false;
                break;
            }
            bench_send_request(sock, id++, "scheduler.ingest", "", data, len);
            free(data);
            outstanding++;
        }
        if (outstanding) {
            rc = bench_recv_ok(sock, &out->inserted);
            outstanding--;
        }
    }
    out->s = bench_now() - t0;
    out->cpu_s = (double) (bench_cpu_ns(pid) - cpu0) / 1e9;
    free(buf);
    fclose(f);
    return rc;
}

/* One employee's obligations (the reply unpacked, as a client would);
 * returns how many, or -1. */
static int s_sched_obligations(ent_rpc_client_t *c, const char *id, Entretiens__V1__ObligationsReply **keep)
{
    Entretiens__V1__ObligationsRequest q = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
    q.employee_id = (char *) id;
    ent_rpc_result_t r;
    int n = -1;
    if (ent_rpc_client_call_msg(c, "scheduler.obligations", NULL, &q.base, &r) == 0 && r.code == ENT_OK) {
        Entretiens__V1__ObligationsReply *rep =
            entretiens__v1__obligations_reply__unpack(NULL, r.payload_len, r.payload);
        if (rep) {
            n = (int) rep->n_obligations;
            if (keep)
                *keep = rep;
            else
                entretiens__v1__obligations_reply__free_unpacked(rep, NULL);
        }
    }
    ent_rpc_result_clear(&r);
    return n;
}

static int s_sched_query(void *side, const char *employee_id)
{
    return s_sched_obligations(side, employee_id, NULL);
}

/* Values of the scheduler's /metrics: each names[i] is the whole series
 * name up to the value (labels included); values[i] gets its value, 0 when
 * absent (a method never called).  Returns 0, or -1 when unreadable. */
static int s_metrics(const char *http, const char *const *names, double *values, int n)
{
    char cmd[256], line[1024];
    snprintf(cmd, sizeof cmd, "curl -sf http://%s/metrics", http);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    for (int i = 0; i < n; i++)
        values[i] = 0;
    while (fgets(line, sizeof line, f))
        for (int i = 0; i < n; i++)
            if (strncmp(line, names[i], strlen(names[i])) == 0 && line[strlen(names[i])] == ' ')
                values[i] = atof(line + strlen(names[i]));
    return pclose(f) == 0 ? 0 : -1;
}

/* The scheduler's own account of a method from its /metrics: the sum and
 * count of entretiens_scheduler_rpc_duration_seconds (receipt to reply,
 * inside the daemon; 0 and 0 before the method's first call).  Returns 0,
 * or -1 when unreadable. */
static int s_server_time(const char *http, const char *method, double *sum, double *count)
{
    char want_sum[160], want_count[160];
    snprintf(want_sum, sizeof want_sum, "entretiens_scheduler_rpc_duration_seconds_sum{method=\"%s\"}", method);
    snprintf(want_count, sizeof want_count, "entretiens_scheduler_rpc_duration_seconds_count{method=\"%s\"}",
             method);
    const char *names[] = { want_sum, want_count };
    double v[2];
    int rc = s_metrics(http, names, v, 2);
    *sum = v[0];
    *count = v[1];
    return rc;
}

/* The scheduler's ingest calls and commits so far (its /metrics). */
static int s_commits(const char *http, double *batches, double *commits)
{
    static const char *const names[] = {
        "entretiens_scheduler_rpc_duration_seconds_count{method=\"scheduler.ingest\"}",
        "entretiens_scheduler_lmdb_commits_total",
    };
    double v[2];
    int rc = s_metrics(http, names, v, 2);
    *batches = v[0];
    *commits = v[1];
    return rc;
}

/* p50/p99 of the bare round trip (health: no store, no payload), the
 * transport's floor under every method. */
static int s_health(ent_rpc_client_t *c, int calls, double *p50, double *p99)
{
    double *lat = malloc((size_t) calls * sizeof *lat);
    if (!lat)
        return -1;
    int rc = 0;
    for (int i = 0; i < calls + WARMUP && !rc; i++) {
        ent_rpc_result_t r;
        double s = bench_now();
        rc = ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) || r.code != ENT_OK;
        if (i >= WARMUP)
            lat[i - WARMUP] = (bench_now() - s) * 1e6;
        ent_rpc_result_clear(&r);
    }
    if (!rc) {
        qsort(lat, (size_t) calls, sizeof *lat, bench_cmp_double);
        *p50 = lat[calls / 2];
        *p99 = lat[(int) (calls * 0.99)];
    }
    free(lat);
    return rc;
}

/* Every employee's obligations, from the scheduler into PostgreSQL's
 * table, so that both point queries read the same rows. */
#define COPY_IN_FLIGHT 64

/* One obligations answer from the DEALER into PostgreSQL's COPY. */
static int s_copy_one(void *sock, cmp_pg_t *pg, size_t *total)
{
    Entretiens__V1__Reply *r = bench_recv_reply(sock);
    Entretiens__V1__ObligationsReply *rep =
        r && r->status && r->status->code == ENT_OK
            ? entretiens__v1__obligations_reply__unpack(NULL, r->payload.len, r->payload.data)
            : NULL;
    int rc = rep ? 0 : -1;
    if (rc)
        fprintf(stderr, "compare: obligations of an employee failed: %s\n",
                r && r->status && r->status->message ? r->status->message : "?");
    for (size_t i = 0; rep && i < rep->n_obligations && !rc; i++)
        rc = cmp_pg_obligations_add(pg, rep->obligations[i]);
    if (rep) {
        *total += rep->n_obligations;
        entretiens__v1__obligations_reply__free_unpacked(rep, NULL);
    }
    if (r)
        entretiens__v1__reply__free_unpacked(r, NULL);
    return rc;
}

/* Every employee's obligations, from the scheduler (COPY_IN_FLIGHT asked at
 * a time on the DEALER) into PostgreSQL's table, so that both point
 * queries read the same rows. */
static int s_copy_obligations(void *sock, cmp_pg_t *pg, size_t employees, size_t *total)
{
    int rc = cmp_pg_obligations_begin(pg);
    size_t sent = 0, received = 0;
    *total = 0;
    while (!rc && received < employees) {
        while (sent < employees && sent - received < COPY_IN_FLIGHT) {
            char id[24];
            snprintf(id, sizeof id, "E%06zu", ++sent);
            Entretiens__V1__ObligationsRequest q = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
            q.employee_id = id;
            uint8_t buf[64];
            size_t len = entretiens__v1__obligations_request__pack(&q, buf);
            bench_send_request(sock, 1000000 + sent, "scheduler.obligations", "", buf, len);
        }
        rc = s_copy_one(sock, pg, total);
        received++;
    }
    if (!rc)
        rc = cmp_pg_obligations_end(pg);
    return rc;
}

/* A scheduler under test: its process and the benchmark's connections to
 * it (a DEALER for the pipelined ingest and the copy, a client for the
 * calls one at a time). */
typedef struct {
    pid_t pid;
    char rpc[64], http[64];
    void *ctx, *sock;
    ent_rpc_client_t *c;
} s_sched_t;

/* Stops the daemon and closes the connections; safe on a half-opened one. */
static void s_sched_close(s_sched_t *t)
{
    ent_rpc_client_destroy(&t->c);
    if (t->sock) {
        int linger = 0;
        zmq_setsockopt(t->sock, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(t->sock);
        t->sock = NULL;
    }
    if (t->ctx) {
        zmq_ctx_term(t->ctx);
        t->ctx = NULL;
    }
    if (t->pid > 0) {
        kill(t->pid, SIGTERM);
        waitpid(t->pid, NULL, 0);
        t->pid = -1;
    }
}

/* Starts the scheduler at path with its store in dir and waits until it
 * answers.  Returns 0, or -1 (close it still). */
static int s_sched_open(const char *dir, const char *path, s_sched_t *t)
{
    ent_curve_client_t curve;
    if ((t->pid = bench_scheduler_start(dir, path, t->rpc, sizeof t->rpc)) < 0 || bench_curve("scheduler", &curve))
        return -1;
    /* bench_scheduler_start's */
    snprintf(t->http, sizeof t->http, "127.0.0.1:%d", atoi(strrchr(t->rpc, ':') + 1) + 2);
    t->ctx = zmq_ctx_new();
    t->sock = zmq_socket(t->ctx, ZMQ_DEALER);
    ent_curve_apply_client(t->sock, &curve);
    zmq_connect(t->sock, t->rpc);
    t->c = ent_rpc_client_new(t->ctx, t->rpc, 300000, &curve);
    int up = -1;
    for (int i = 0; i < 100 && up; i++) {
        ent_rpc_result_t r = { 0 };
        up = ent_rpc_client_call(t->c, "health", NULL, NULL, 0, &r);
        ent_rpc_result_clear(&r);
        if (up)
            usleep(50000);
    }
    return up ? -1 : 0;
}

/* Beside the pipelined ingest, another client calls `health` one call at a
 * time: its latencies say whether the ingest's turns hold other callers'
 * answers back (they wait for the turn in progress and the commit of the
 * one that carries them, never for the batches behind). */
#define PROBE_MAX 200000
typedef struct {
    void *ctx;
    const char *rpc;
    ent_curve_client_t curve;
    atomic_bool stop;
    double *lat;
    int n, failed;
} s_probe_t;

static void *s_probe_run(void *arg)
{
    s_probe_t *p = arg;
    ent_rpc_client_t *c = ent_rpc_client_new(p->ctx, p->rpc, 300000, &p->curve);
    while (c && !atomic_load(&p->stop) && p->n < PROBE_MAX) {
        ent_rpc_result_t r;
        double s = bench_now();
        if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) || r.code != ENT_OK)
            p->failed++;
        else
            p->lat[p->n++] = (bench_now() - s) * 1e6;
        ent_rpc_result_clear(&r);
    }
    if (!c)
        p->failed++;
    ent_rpc_client_destroy(&c);
    return NULL;
}

/* The file into a scheduler, in_flight batches outstanding, with its
 * commits counted. */
static int s_sched_ingest_counted(s_sched_t *t, const char *file, int in_flight, s_ingest_t *out)
{
    double b0, c0, b1, c1;
    if (s_commits(t->http, &b0, &c0) || s_sched_ingest(t->sock, t->pid, file, in_flight, out) ||
        s_commits(t->http, &b1, &c1))
        return -1;
    out->batches = b1 - b0;
    out->commits = c1 - c0;
    return 0;
}

/* The pipelined ingest with the health prober beside it; prints the
 * prober's latencies.  Returns 0 or -1. */
static int s_sched_ingest_probed(s_sched_t *t, const char *file, int in_flight, s_ingest_t *out)
{
    s_probe_t p = { .ctx = t->ctx, .rpc = t->rpc };
    pthread_t th;
    atomic_init(&p.stop, false);
    if (bench_curve("scheduler", &p.curve) || !(p.lat = malloc(PROBE_MAX * sizeof *p.lat)))
        return -1;
    if (pthread_create(&th, NULL, s_probe_run, &p) != 0) {
        free(p.lat);
        return -1;
    }
    int rc = s_sched_ingest_counted(t, file, in_flight, out);
    atomic_store(&p.stop, true);
    pthread_join(th, NULL);
    if (p.n > 0) {
        qsort(p.lat, (size_t) p.n, sizeof *p.lat, bench_cmp_double);
        printf("%-44s %d calls (%d failed): p50 %.0f us, p99 %.0f us, max %.0f us\n",
               "  health beside it, one call at a time", p.n, p.failed, p.lat[p.n / 2], p.lat[(int) (p.n * 0.99)],
               p.lat[p.n - 1]);
    }
    if (p.failed)
        rc = -1;
    free(p.lat);
    return rc;
}

static void s_print_ingest(const char *who, const s_ingest_t *in)
{
    char what[64];
    snprintf(what, sizeof what, "%s ingest, %d in flight", who, in->in_flight);
    printf("%-44s %zu new in %.2f s, %.0f ev/s, server CPU %.2f s (%.2f us/event)", what, in->inserted, in->s,
           (double) in->inserted / in->s, in->cpu_s, in->cpu_s * 1e6 / (double) (in->inserted ? in->inserted : 1));
    if (in->batches > 0)
        printf(", %.0f batches in %.0f commits", in->batches, in->commits);
    printf("\n");
    fflush(stdout);
}

/* ------------------------------------------------------------ report */

/* One line of the table: both figures with the given decimals and the
 * ratio, above 1 when the scheduler does better. */
static void s_row(const char *what, const char *unit, int digits, double pg, double sched, bool higher_better)
{
    double ratio = higher_better ? sched / pg : pg / sched;
    printf("%-44s %14.*f %14.*f %8.2fx %s\n", what, digits, pg, digits, sched, ratio, unit);
}

static void s_opts(int argc, char **argv, s_opts_t *o)
{
    o->employees = 200000;
    o->calls = 20000;
    o->in_flight = 4;
    o->probe = 0;
    o->conninfo = NULL;
    o->pg_pid = 0;
    snprintf(o->sched, sizeof o->sched, "%s", argv[0]);
    char *slash = strrchr(o->sched, '/');
    snprintf(slash ? slash + 1 : o->sched, sizeof o->sched - (size_t) (slash ? slash + 1 - o->sched : 0),
             "../../services/entretiens-scheduler");
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--employees") == 0)
            o->employees = (size_t) atol(argv[i + 1]);
        else if (strcmp(argv[i], "--calls") == 0)
            o->calls = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--in-flight") == 0)
            o->in_flight = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--probe") == 0)
            o->probe = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--pg") == 0)
            o->conninfo = argv[i + 1];
        else if (strcmp(argv[i], "--pg-pid") == 0)
            o->pg_pid = (pid_t) atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--scheduler") == 0)
            snprintf(o->sched, sizeof o->sched, "%s", argv[i + 1]);
    }
}

int main(int argc, char **argv)
{
    s_opts_t o;
    s_opts(argc, argv, &o);
    if (!o.conninfo || o.pg_pid <= 0 || o.employees == 0 || o.calls < 100 || o.in_flight < 1) {
        fprintf(stderr, "usage: ent-bench-compare --pg CONNINFO --pg-pid PID [--employees N] [--calls N>=100] "
                        "[--in-flight N>=1] [--probe 0|1] [--scheduler PATH]\n");
        return 2;
    }
    int32_t today = ent_date_from_ymd(2026, 11, 26);
    printf("entretiens scheduler vs PostgreSQL — %zu employees (generator seed 42, today 2026-11-26), "
           "batches of %d events, 1 then %d in flight on each side's one connection, %d point queries\n\n",
           o.employees, BATCH, o.in_flight, o.calls);
    fflush(stdout);

    char dir[] = "/tmp/ent-bench-compare-XXXXXX";
    if (!bench_mkdtemp(dir))
        return 1;
    char file[sizeof dir + 16];
    snprintf(file, sizeof file, "%s/events.bin", dir);
    double t0 = bench_now();
    size_t events = s_write_events(file, o.employees, today);
    if (!events)
        return 1;
    printf("%-44s %zu events in %s (%.1f s, not measured)\n", "generated", events, file, bench_now() - t0);
    fflush(stdout);

    int status = 1;
    s_side_t pgs = { 0 }, sch = { 0 };
    cmp_pg_t *pg = NULL;
    s_sched_t first = { .pid = -1 }, t = { .pid = -1 };
    int flights[2] = { 1, o.in_flight };
    int runs = o.in_flight > 1 ? 2 : 1;
    char cmd[128];

    /* PostgreSQL: ingest (pipelined first, emptied, then one batch at a
     * time: the store the rest reads), the recompute as of today (untimed)
     * and of the next day (timed) */
    if (!(pg = cmp_pg_new(o.conninfo)))
        goto done;
    for (int k = runs - 1; k >= 0; k--) {
        if (s_pg_ingest(pg, file, flights[k], &pgs.ing[k]) || (k && cmp_pg_reset(pg)))
            goto done;
        s_print_ingest("postgresql", &pgs.ing[k]);
    }
    if (cmp_pg_analyze(pg) || cmp_pg_recompute(pg, today, &pgs.changed))
        goto done;
    t0 = bench_now();
    if (cmp_pg_recompute(pg, today + 1, &pgs.changed))
        goto done;
    pgs.recompute_s = bench_now() - t0;
    printf("%-44s %.3f s (%zu employees changed)\n", "postgresql recompute (one rule, +1 day)", pgs.recompute_s,
           pgs.changed);
    fflush(stdout);

    /* the scheduler: ingest one batch at a time into a store thrown away,
     * then pipelined into the one the rest reads; recompute, point queries */
    char sdir[sizeof dir + 16];
    if (runs == 2) {
        snprintf(sdir, sizeof sdir, "%s/sched1", dir);
        if (s_sched_open(sdir, o.sched, &first) || s_sched_ingest_counted(&first, file, 1, &sch.ing[0]))
            goto done;
        s_print_ingest("scheduler", &sch.ing[0]);
        s_sched_close(&first);
        snprintf(cmd, sizeof cmd, "rm -rf %s", sdir);
        if (system(cmd) != 0)
            goto done;
    }
    if (o.probe) {
        /* not a figure of the table: the prober's calls share the daemon */
        s_ingest_t probed = { 0 };
        snprintf(sdir, sizeof sdir, "%s/sched-probe", dir);
        if (s_sched_open(sdir, o.sched, &first) || s_sched_ingest_probed(&first, file, o.in_flight, &probed))
            goto done;
        s_print_ingest("scheduler (probed)", &probed);
        s_sched_close(&first);
        snprintf(cmd, sizeof cmd, "rm -rf %s", sdir);
        if (system(cmd) != 0)
            goto done;
    }
    snprintf(sdir, sizeof sdir, "%s/sched", dir);
    if (s_sched_open(sdir, o.sched, &t) || s_sched_ingest_counted(&t, file, o.in_flight, &sch.ing[runs - 1]))
        goto done;
    s_print_ingest("scheduler", &sch.ing[runs - 1]);
    ent_rpc_result_t r = { 0 };
    Entretiens__V1__ClockSet cs = ENTRETIENS__V1__CLOCK_SET__INIT;
    cs.now_ms = ent_date_to_unix_ms(today + 1);
    t0 = bench_now();
    int crc = ent_rpc_client_call_msg(t.c, "admin.clock.set", NULL, &cs.base, &r);
    sch.recompute_s = bench_now() - t0;
    bool clock_ok = crc == 0 && r.code == ENT_OK;
    ent_rpc_result_clear(&r);
    if (!clock_ok)
        goto done;
    printf("%-44s %.3f s\n", "scheduler recompute (every rule, +1 day)", sch.recompute_s);
    fflush(stdout);
    double sum0 = 0, n0 = 0, sum1 = 0, n1 = 0, h50 = 0, h99 = 0;
    bool server_time = s_server_time(t.http, "scheduler.obligations", &sum0, &n0) == 0;
    if (s_measure(&o, s_sched_query, t.c, t.pid, &sch))
        goto done;
    server_time = server_time && s_server_time(t.http, "scheduler.obligations", &sum1, &n1) == 0 && n1 > n0;
    if (s_health(t.c, o.calls, &h50, &h99))
        goto done;

    /* PostgreSQL's point query, on the scheduler's obligations */
    size_t total;
    t0 = bench_now();
    if (s_copy_obligations(t.sock, pg, o.employees, &total) || cmp_pg_analyze(pg))
        goto done;
    printf("%-44s %zu obligations (%.1f s, not measured)\n", "obligations copied to postgresql", total,
           bench_now() - t0);
    if (s_measure(&o, s_pg_query, pg, (pid_t) cmp_pg_backend_pid(pg), &pgs))
        goto done;
    if (pgs.rows != sch.rows) {
        fprintf(stderr, "compare: the point queries differ: postgresql answered %zu rows, the scheduler %zu\n",
                pgs.rows, sch.rows);
        goto done;
    }

    /* memory, both still running */
    sch.pss_kb = bench_pss_kb(t.pid);
    long store_kb = bench_pss_file_kb(t.pid, "/data.mdb");
    pgs.pss_kb = bench_pss_family_kb(o.pg_pid, &pgs.procs);

    printf("\n%-44s %14s %14s %9s\n", "work", "PostgreSQL", "scheduler", "ratio (>1: scheduler better)");
    for (int k = 0; k < runs; k++) {
        char what[64];
        snprintf(what, sizeof what, "ingest, %d in flight, acked after commit", flights[k]);
        s_row(what, "events/s", 0, (double) pgs.ing[k].inserted / pgs.ing[k].s,
              (double) sch.ing[k].inserted / sch.ing[k].s, true);
        snprintf(what, sizeof what, "  server CPU per event, %d in flight", flights[k]);
        s_row(what, "us (pg: its backend; scheduler: every thread)", 2,
              pgs.ing[k].cpu_s * 1e6 / (double) pgs.ing[k].inserted,
              sch.ing[k].cpu_s * 1e6 / (double) sch.ing[k].inserted, false);
        snprintf(what, sizeof what, "  scheduler batches per commit, %d in flight", flights[k]);
        printf("%-44s %14s %14.2f %9s (%.0f scheduler.ingest in %.0f commits)\n", what, "",
               sch.ing[k].commits > 0 ? sch.ing[k].batches / sch.ing[k].commits : 0, "", sch.ing[k].batches,
               sch.ing[k].commits);
    }
    s_row("recompute +1 day (pg: 1 rule; sched: all)", "s", 3, pgs.recompute_s, sch.recompute_s, false);
    s_row("obligations of one employee, p50", "us", 1, pgs.p50, sch.p50, false);
    s_row("obligations of one employee, p99", "us", 1, pgs.p99, sch.p99, false);
    s_row("server CPU per point query (every thread)", "us", 1, pgs.cpu_us, sch.cpu_us, false);
    printf("%-44s %14s %14.1f %9s us mean inside the daemon, receipt to reply (its /metrics)\n",
           "  of which the scheduler's own time", "", server_time ? (sum1 - sum0) / (n1 - n0) * 1e6 : -1.0, "");
    printf("%-44s %14s %14s %9s us p50 %.1f, p99 %.1f (CURVE; the transport under every call)\n",
           "  bare round trip (health)", "", "", "", h50, h99);
    printf("%-44s %14.1f %14.1f %9s (the same %zu rows on both sides)\n", "obligations per answer",
           (double) pgs.rows / o.calls, (double) sch.rows / o.calls, "", pgs.rows);
    printf("%-44s %14.1f %14.1f %9s MiB (pg: %d processes)\n", "Pss", pgs.pss_kb / 1024.0, sch.pss_kb / 1024.0, "",
           pgs.procs);
    printf("%-44s %14s %14.1f %9s MiB (store map %.1f MiB; private anonymous %.1f MiB)\n",
           "scheduler Pss apart from its mapped store", "", (sch.pss_kb - store_kb) / 1024.0, "", store_kb / 1024.0,
           bench_status_kb(t.pid, "RssAnon:") / 1024.0);
    status = 0;
done:
    if (status)
        fprintf(stderr, "compare: stopped on the error above\n");
    s_sched_close(&first);
    s_sched_close(&t);
    cmp_pg_destroy(&pg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "compare: cannot remove %s\n", dir);
    return status;
}
