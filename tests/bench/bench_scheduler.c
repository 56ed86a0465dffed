/*  ent-bench-scheduler — the scheduler on an organisation of N employees
 *  (default 1,000,000) from the shared generator, through a real daemon:
 *
 *    1. ingest throughput: every event sent in batches of 5,000 with 4
 *       batches in flight, counted when acknowledged (after commit);
 *    2. full recompute: the pinned clock moves one day, which makes the
 *       daemon recompute every rule for every employee before it answers;
 *    3. point query: p50/p99 of scheduler.obligations for random employees;
 *    4. memory: the daemon's peak resident set (VmHWM), and its private
 *       (RssAnon) and file-backed (RssFile: LMDB pages in the page cache)
 *       parts.
 *
 *  Usage: ent-bench-scheduler [--employees N] [--scheduler PATH]
 */
#include "bench_util.h"
#include "common/date.h"
#include "common/rpc.h"
#include "orggen.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define BATCH 5000
#define IN_FLIGHT 4



typedef struct {
    uint8_t *data;
    size_t len;
    size_t events;
} s_batch_t;


/* Sends one packed Request frame on a DEALER. */

int main(int argc, char **argv)
{
    size_t employees = 1000000;
    char sched[4096];
    snprintf(sched, sizeof sched, "%s", argv[0]);
    char *slash = strrchr(sched, '/');
    snprintf(slash ? slash + 1 : sched, sizeof sched - (size_t) (slash ? slash + 1 - sched : 0),
             "../../services/entretiens-scheduler");
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--employees") == 0)
            employees = (size_t) atol(argv[i + 1]);
        else if (strcmp(argv[i], "--scheduler") == 0)
            snprintf(sched, sizeof sched, "%s", argv[i + 1]);
    }
    int32_t today = ent_date_from_ymd(2026, 11, 26);
    printf("entretiens scheduler benchmark — %zu employees (generator seed 42, today 2026-11-26)\n\n", employees);

    /* generate and pack every batch first: generation is not measured */
    double t0 = bench_now();
    orggen_t *g = orggen_new(42, employees, today);
    size_t cap = 1024, nb = 0, total = 0;
    s_batch_t *batches = calloc(cap, sizeof *batches);
    const Entretiens__V1__EmployeeEvent *ev;
    Entretiens__V1__EmployeeEvent **buf = calloc(BATCH, sizeof *buf);
    Entretiens__V1__EmployeeEvent *copies = calloc(BATCH, sizeof *copies);
    size_t in = 0;
    for (;;) {
        int more = orggen_next(g, &ev);
        if (more) {
            /* pack immediately: the generator reuses its storage per employee */
            size_t len = entretiens__v1__employee_event__get_packed_size(ev);
            uint8_t *p = malloc(len);
            entretiens__v1__employee_event__pack(ev, p);
            copies[in].base.descriptor = NULL;
            buf[in] = entretiens__v1__employee_event__unpack(NULL, len, p);
            free(p);
            in++;
        }
        if (in == BATCH || (!more && in)) {
            Entretiens__V1__IngestRequest rq = ENTRETIENS__V1__INGEST_REQUEST__INIT;
            rq.n_events = in;
            rq.events = buf;
            if (nb == cap) {
                cap *= 2;
                batches = realloc(batches, cap * sizeof *batches);
            }
            batches[nb].len = entretiens__v1__ingest_request__get_packed_size(&rq);
            batches[nb].data = malloc(batches[nb].len);
            entretiens__v1__ingest_request__pack(&rq, batches[nb].data);
            batches[nb].events = in;
            total += in;
            nb++;
            for (size_t i = 0; i < in; i++)
                entretiens__v1__employee_event__free_unpacked(buf[i], NULL);
            in = 0;
        }
        if (!more)
            break;
    }
    orggen_destroy(&g);
    free(buf);
    free(copies);
    printf("%-46s %zu events in %zu batches (%.1f s, not measured)\n", "generated", total, nb, bench_now() - t0);

    char dir[] = "/tmp/ent-bench-sched-XXXXXX";
    if (!bench_mkdtemp(dir))
        return 1;
    char rpc[64];
    ent_curve_client_t curve;
    pid_t pid = bench_scheduler_start(dir, sched, rpc, sizeof rpc);
    if (pid < 0 || bench_curve("scheduler", &curve) != 0)
        return 1;
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    ent_curve_apply_client(sock, &curve);
    zmq_connect(sock, rpc);
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, rpc, 120000, &curve);
    ent_rpc_result_t r;
    for (int i = 0; i < 100; i++) {
        if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) == 0)
            break;
        usleep(50000);
    }
    ent_rpc_result_clear(&r);

    /* 1. ingest */
    long long wb0 = bench_io_bytes(pid, "write_bytes:");
    t0 = bench_now();
    size_t sent = 0, acked = 0, accepted = 0;
    uint64_t id = 1;
    while (acked < nb) {
        while (sent < nb && sent - acked < IN_FLIGHT) {
            bench_send_request(sock, id++, "scheduler.ingest", "", batches[sent].data, batches[sent].len);
            sent++;
        }
        if (bench_recv_ok(sock, &accepted) != 0)
            break;
        acked++;
    }
    double dt = bench_now() - t0;
    printf("%-46s %10.0f events/s  (%zu accepted in %.2f s)\n", "ingest, committed and acknowledged",
           (double) accepted / dt, accepted, dt);
    long long wb1 = bench_io_bytes(pid, "write_bytes:");
    if (wb0 >= 0 && wb1 >= 0)
        printf("%-46s %.0f MiB (%.2f KiB per event)\n", "  written to storage", (double) (wb1 - wb0) / 1048576.0,
               accepted ? (double) (wb1 - wb0) / 1024.0 / (double) accepted : 0.0);
    fflush(stdout);

    /* 2. full recompute: one day later, every employee's rules again */
    Entretiens__V1__ClockSet cs = ENTRETIENS__V1__CLOCK_SET__INIT;
    cs.now_ms = ent_date_to_unix_ms(today + 1);
    t0 = bench_now();
    ent_rpc_client_call_msg(c, "admin.clock.set", NULL, &cs.base, &r);
    dt = bench_now() - t0;
    printf("%-46s %10.3f s  (%zu employees, %s)\n", "full recompute of every rule (clock +1 day)", dt, employees,
           ent_code_name(r.code));
    ent_rpc_result_clear(&r);
    fflush(stdout);

    /* 3. point queries */
    int calls = 20000;
    double *lat = malloc((size_t) calls * sizeof *lat);
    uint64_t rng = 7;
    int failures = 0;
    for (int i = 0; i < calls; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        char emp[24];
        snprintf(emp, sizeof emp, "E%06zu", (size_t) (rng >> 33) % employees + 1);
        Entretiens__V1__ObligationsRequest q = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
        q.employee_id = emp;
        double s = bench_now();
        ent_rpc_client_call_msg(c, "scheduler.obligations", NULL, &q.base, &r);
        lat[i] = (bench_now() - s) * 1e6;
        failures += r.code != ENT_OK;
        ent_rpc_result_clear(&r);
    }
    qsort(lat, (size_t) calls, sizeof *lat, bench_cmp_double);
    printf("%-46s p50 %6.1f us  p99 %6.1f us  (%d calls, %d not OK)\n", "obligations --employee (RPC round trip)",
           lat[calls / 2], lat[(int) (calls * 0.99)], calls, failures);
    free(lat);

    /* 4. memory */
    printf("%-46s peak %ld MiB; now private %ld MiB + LMDB pages %ld MiB\n", "scheduler resident memory",
           bench_status_kb(pid, "VmHWM:") / 1024, bench_status_kb(pid, "RssAnon:") / 1024, bench_status_kb(pid, "RssFile:") / 1024);

    ent_rpc_client_destroy(&c);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "du -sh %s/scheduler | cut -f1", dir);
    printf("%-46s ", "store size");
    fflush(stdout);
    if (system(cmd) != 0)
        printf("?\n");
    if (getenv("BENCH_STAT")) {
        /* where the bytes go: pages per named database */
        snprintf(cmd, sizeof cmd, "mdb_stat -a %s/scheduler | grep -E 'Status of|Branch pages|Leaf pages|Overflow pages|Entries'", dir);
        if (system(cmd) != 0)
            printf("(mdb_stat failed)\n");
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    for (size_t i = 0; i < nb; i++)
        free(batches[i].data);
    free(batches);
    return 0;
}
