/*  ent-bench-runtime — the runtime's figures against its ceilings, in one run:
 *
 *    1. raw ZeroMQ PUSH/PULL msg/s between two processes (the ceiling of
 *       any event stream), and raw ZeroMQ REQ/REP round trip;
 *    2. raw LMDB batched put/s with synced commits (the ceiling of durable
 *       writes);
 *    3. the runtime's durable event throughput: outbox commit -> PUB -> SUB
 *       -> cursor commit, between two real daemon processes (ent-testpeer);
 *    4. the runtime's RPC round trip p50/p99 (health, to a real daemon);
 *  3 and 4 twice, CURVE off (ENTRETIENS_INSECURE=1) then on (keys made for
 *  the run), side by side.
 *
 *  Everything on 127.0.0.1 TCP.  Usage: ent-bench-runtime [--events N]
 *  [--peer PATH/ent-testpeer].
 */
#include "bench_util.h"
#include "common/rpc.h"
#include "common/store.h"

#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MSG_SIZE 100


static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static void s_percentiles(double *v, size_t n, double *p50, double *p99, double *p999)
{
    qsort(v, n, sizeof *v, s_cmp_double);
    *p50 = v[n / 2];
    *p99 = v[(size_t) ((double) n * 0.99)];
    *p999 = v[(size_t) ((double) n * 0.999)];
}

static int s_port(int i)
{
    return 10000 + (getpid() % 400) * 10 + i; /* below the ephemeral range */
}

/* ---------------------------------------------------------- raw ZeroMQ */

static double s_raw_pushpull(long n)
{
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", s_port(0));
    pid_t child = bench_fork();
    if (child == 0) {
        void *ctx = zmq_ctx_new();
        void *push = zmq_socket(ctx, ZMQ_PUSH);
        zmq_connect(push, ep);
        char buf[MSG_SIZE] = { 0 };
        for (long i = 0; i < n; i++)
            zmq_send(push, buf, sizeof buf, 0);
        sleep(2); /* keep the socket open until everything is delivered */
        zmq_close(push);
        zmq_ctx_term(ctx);
        _exit(0);
    }
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(pull, ep);
    char buf[MSG_SIZE];
    zmq_recv(pull, buf, sizeof buf, 0);
    double t0 = bench_now();
    for (long i = 1; i < n; i++)
        zmq_recv(pull, buf, sizeof buf, 0);
    double dt = bench_now() - t0;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    int linger = 0;
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return (double) (n - 1) / dt;
}

static void s_raw_reqrep(int n, double *p50, double *p99, double *p999)
{
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", s_port(1));
    pid_t child = bench_fork();
    if (child == 0) {
        void *ctx = zmq_ctx_new();
        void *rep = zmq_socket(ctx, ZMQ_REP);
        zmq_bind(rep, ep);
        char buf[MSG_SIZE];
        for (int i = 0; i < n + 100; i++) {
            int len = zmq_recv(rep, buf, sizeof buf, 0);
            zmq_send(rep, buf, len > 0 ? (size_t) len : 0, 0);
        }
        sleep(1);
        _exit(0);
    }
    void *ctx = zmq_ctx_new();
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_connect(req, ep);
    char buf[MSG_SIZE] = { 0 };
    double *lat = malloc((size_t) n * sizeof *lat);
    for (int i = 0; i < 100 + n; i++) {
        double t0 = bench_now();
        zmq_send(req, buf, sizeof buf, 0);
        zmq_recv(req, buf, sizeof buf, 0);
        if (i >= 100)
            lat[i - 100] = (bench_now() - t0) * 1e6;
    }
    s_percentiles(lat, (size_t) n, p50, p99, p999);
    free(lat);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    int linger = 0;
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(req);
    zmq_ctx_term(ctx);
}

/* ---------------------------------------------------------- raw LMDB */

static double s_raw_lmdb(const char *dir, long n, int batch)
{
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, (size_t) 4 << 30);
    mkdir(dir, 0750);
    if (mdb_env_open(env, dir, 0, 0640) != 0)
        return 0;
    mdb_txn_begin(env, NULL, 0, &txn);
    mdb_dbi_open(txn, NULL, 0, &dbi);
    mdb_txn_commit(txn);
    uint8_t key[16] = { 0 }, val[MSG_SIZE] = { 0 };
    double t0 = bench_now();
    for (long i = 0; i < n;) {
        mdb_txn_begin(env, NULL, 0, &txn);
        for (int j = 0; j < batch && i < n; j++, i++) {
            ent_be64_put(key, (uint64_t) i);
            MDB_val k = { sizeof key, key }, v = { sizeof val, val };
            mdb_put(txn, dbi, &k, &v, MDB_APPEND);
        }
        mdb_txn_commit(txn);
    }
    double dt = bench_now() - t0;
    mdb_env_close(env);
    return (double) n / dt;
}

/* ---------------------------------------------------------- the runtime */

static pid_t s_spawn(const char *peer, const char *mode, const char *logfile)
{
    pid_t pid = bench_fork();
    if (pid == 0) {
        FILE *f = freopen(logfile, "w", stderr);
        (void) f;
        execl(peer, peer, mode, (char *) NULL);
        _exit(127);
    }
    return pid;
}

static uint64_t s_cursor(ent_rpc_client_t *c, bool *up)
{
    ent_rpc_result_t r;
    uint64_t cursor = 0;
    *up = false;
    if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) == 0 && r.code == ENT_OK) {
        *up = true;
        Entretiens__V1__HealthReply *h = entretiens__v1__health_reply__unpack(NULL, r.payload_len, r.payload);
        if (h && h->n_consumers)
            cursor = h->consumers[0]->cursor;
        if (h)
            entretiens__v1__health_reply__free_unpacked(h, NULL);
    }
    ent_rpc_result_clear(&r);
    return cursor;
}

typedef struct {
    double durable;            /* events/s */
    double p50, p99, p999;     /* RPC round trip, us */
} s_result_t;

/* Durable events between a producer and a consumer process, then the RPC
 * round trip to the consumer; with CURVE (keys made for the run) or in
 * the clear (ENTRETIENS_INSECURE=1).  Returns 0 when every event arrived. */
static int s_runtime(const char *peer, const char *dir, const char *tag, bool curve, long events, s_result_t *res)
{
    memset(res, 0, sizeof *res);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/%s", dir, tag);
    mkdir(sub, 0700);
    char env[600];
    snprintf(env, sizeof env, "%s/var", sub);
    setenv("ENTRETIENS_DATA_DIR", env, 1);
    ent_curve_client_t cc;
    if (curve) {
        if (bench_keys(sub) != 0 || bench_curve("consumer", &cc) != 0)
            return -1;
    } else {
        setenv("ENTRETIENS_INSECURE", "1", 1);
    }
    char ep[6][64];
    int base = curve ? 8 : 2;
    for (int i = 0; i < 6; i++)
        snprintf(ep[i], sizeof ep[i], i % 3 == 2 ? "127.0.0.1:%d" : "tcp://127.0.0.1:%d", s_port(base + i));
    setenv("ENTRETIENS_PRODUCER_RPC", ep[0], 1);
    setenv("ENTRETIENS_PRODUCER_PUB", ep[1], 1);
    setenv("ENTRETIENS_PRODUCER_HTTP", ep[2], 1);
    setenv("ENTRETIENS_CONSUMER_RPC", ep[3], 1);
    setenv("ENTRETIENS_CONSUMER_PUB", ep[4], 1);
    setenv("ENTRETIENS_CONSUMER_HTTP", ep[5], 1);
    char n[32];
    snprintf(n, sizeof n, "%ld", events);
    setenv("ENT_PEER_EVENTS", n, 1);
    setenv("ENT_PEER_BATCH", "4000", 1);
    setenv("ENT_PEER_INTERVAL_MS", "1", 1);
    setenv("ENTRETIENS_LOG_LEVEL", "warn", 1);
    char log1[700], log2[700];
    snprintf(log1, sizeof log1, "%s/consumer.log", sub);
    snprintf(log2, sizeof log2, "%s/producer.log", sub);
    pid_t consumer = s_spawn(peer, "consumer", log1);
    void *ctx = zmq_ctx_new();
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep[3], 1000, curve ? &cc : NULL);
    bool up = false;
    for (int i = 0; i < 100 && !up; i++) {
        s_cursor(c, &up);
        if (!up)
            usleep(50000);
    }
    double t0 = bench_now();
    pid_t producer = s_spawn(peer, "producer", log2);
    uint64_t cursor = 0;
    while (cursor < (uint64_t) events && bench_now() - t0 < 120) {
        usleep(2000);
        cursor = s_cursor(c, &up);
    }
    double dt = bench_now() - t0;
    res->durable = (double) cursor / dt;
    printf("%-52s %12.0f events/s  (%llu events in %.2f s)\n",
           curve ? "durable events, CURVE on" : "durable events, CURVE off", res->durable,
           (unsigned long long) cursor, dt);
    fflush(stdout);

    /* RPC round trip to a real daemon (the consumer, idle now) */
    int calls = 50000;
    double *lat = malloc((size_t) calls * sizeof *lat);
    ent_rpc_result_t r;
    for (int i = 0; i < 1000; i++) {
        ent_rpc_client_call(c, "health", NULL, NULL, 0, &r);
        ent_rpc_result_clear(&r);
    }
    for (int i = 0; i < calls; i++) {
        double s = bench_now();
        ent_rpc_client_call(c, "health", NULL, NULL, 0, &r);
        lat[i] = (bench_now() - s) * 1e6;
        ent_rpc_result_clear(&r);
    }
    s_percentiles(lat, (size_t) calls, &res->p50, &res->p99, &res->p999);
    free(lat);
    printf("%-52s p50 %6.1f us  p99 %6.1f us  p99.9 %6.1f us\n",
           curve ? "RPC round trip (health), CURVE on" : "RPC round trip (health), CURVE off", res->p50, res->p99,
           res->p999);
    fflush(stdout);
    ent_rpc_client_destroy(&c);
    zmq_ctx_term(ctx);
    kill(producer, SIGTERM);
    kill(consumer, SIGTERM);
    waitpid(producer, NULL, 0);
    waitpid(consumer, NULL, 0);
    unsetenv("ENTRETIENS_INSECURE");
    return cursor == (uint64_t) events ? 0 : -1;
}

int main(int argc, char **argv)
{
    long events = 1000000;
    char peer[4096];
    snprintf(peer, sizeof peer, "%s", argv[0]);
    char *slash = strrchr(peer, '/');
    snprintf(slash ? slash + 1 : peer, sizeof peer - (size_t) (slash ? slash + 1 - peer : 0),
             "../integration/ent-testpeer");
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--events") == 0)
            events = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--peer") == 0)
            snprintf(peer, sizeof peer, "%s", argv[i + 1]);
    }
    if (access(peer, X_OK) != 0) {
        fprintf(stderr, "cannot run %s (give --peer PATH)\n", peer);
        return 2;
    }
    char dir[] = "/tmp/ent-bench-XXXXXX";
    if (!bench_mkdtemp(dir))
        return 1;
    printf("entretiens runtime benchmark — %ld events, 127.0.0.1 TCP, %d-byte messages\n\n", events, MSG_SIZE);

    double push = s_raw_pushpull(2000000);
    printf("%-52s %12.0f msg/s\n", "raw ZeroMQ PUSH/PULL (2 processes)", push);
    fflush(stdout);
    double p50, p99, p999;
    s_raw_reqrep(20000, &p50, &p99, &p999);
    printf("%-52s p50 %6.1f us  p99 %6.1f us  p99.9 %6.1f us\n", "raw ZeroMQ REQ/REP round trip", p50, p99, p999);
    fflush(stdout);
    char ldir[256];
    snprintf(ldir, sizeof ldir, "%s/lmdb", dir);
    double lput = s_raw_lmdb(ldir, 1000000, 1000);
    printf("%-52s %12.0f put/s\n", "raw LMDB put, 1000 per synced commit", lput);
    fflush(stdout);

    /* the runtime between real daemon processes, CURVE off then on */
    s_result_t off, on;
    bool ok = s_runtime(peer, dir, "plain", false, events, &off) == 0;
    ok = s_runtime(peer, dir, "curve", true, events, &on) == 0 && ok;
    printf("\n%-52s %14s %14s\n", "", "CURVE off", "CURVE on");
    printf("%-52s %8.0f ev/s %8.0f ev/s\n", "durable events: outbox commit -> PUB -> SUB -> cursor", off.durable,
           on.durable);
    printf("%-52s %12.0f%% %12.0f%%\n", "  as a share of raw ZeroMQ PUSH/PULL", 100.0 * off.durable / push,
           100.0 * on.durable / push);
    printf("%-52s %9.1f us %11.1f us\n", "RPC round trip (health) p50", off.p50, on.p50);
    printf("%-52s %9.1f us %11.1f us\n", "RPC round trip (health) p99", off.p99, on.p99);
    printf("%-52s %9.1f us %11.1f us\n", "RPC round trip (health) p99.9", off.p999, on.p999);
    printf("%-52s %12s %14s\n", "targets with CURVE: p99 < 200 us, events >= 15% of raw", "",
           on.p99 < 200 && on.durable >= 0.15 * push ? "met" : "NOT MET");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return ok ? 0 : 1;
}
