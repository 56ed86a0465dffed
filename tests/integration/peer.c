/*  ent-testpeer — a producer and a consumer built on the daemon runtime.
 *
 *    ent-testpeer producer [flags]   daemon "producer": publishes event k
 *                                    (payload = k) for k = 1..ENT_PEER_EVENTS,
 *                                    ENT_PEER_BATCH per ENT_PEER_INTERVAL_MS;
 *    ent-testpeer consumer [flags]   daemon "consumer": applies producer's
 *                                    events, appending each payload to the
 *                                    "applied" database;
 *    ent-testpeer check DIR N        opens DIR (a consumer store) read-only and
 *                                    verifies it holds 1..N exactly once, in
 *                                    order; prints "ok N" or the first fault;
 *    ent-testpeer fuzz ENDPOINT [DAEMON]  bad input to a daemon's RPC (see s_fuzz);
 *    ent-testpeer sub DAEMON SECONDS subscribes to DAEMON's events with the
 *                                    client key and prints how many frames
 *                                    arrived ("frames N");
 *    ent-testpeer replay DAEMON [--from N] [--to N] [TYPE...]  asks
 *                                    DAEMON's events.replay from seq 1 (or
 *                                    N), up to N when --to, with the client
 *                                    key (only those types, if any); prints
 *                                    the status code name, the number of
 *                                    events, the last one's seq, scanned_to
 *                                    and the head ("OK 3 7 9 12").
 *
 *  Client keys follow the CLI's contract: ENTRETIENS_KEYS_DIR (default
 *  <ENTRETIENS_DATA_DIR>/keys), ENTRETIENS_CLIENT_KEY (a name there or a
 *  .secret path, default "operator"), ENTRETIENS_INSECURE=1 for none.
 *
 *  Endpoints follow the configuration contract: ENTRETIENS_PRODUCER_RPC,
 *  ENTRETIENS_PRODUCER_PUB, ENTRETIENS_CONSUMER_HTTP, ...
 */
#include "common/daemon.h"
#include "common/clock.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

typedef struct {
    ent_daemon_t *d;
    MDB_dbi applied;
    uint64_t total, batch;
} peer_t;

/* The client's CURVE settings to reach daemon.  Returns 0 (filled), 1
 * when ENTRETIENS_INSECURE=1 (connect in the clear), -1 (printed) when the
 * keys cannot be read. */
static int s_curve(const char *daemon, ent_curve_client_t *out)
{
    const char *insecure = getenv("ENTRETIENS_INSECURE");
    if (insecure && strcmp(insecure, "1") == 0)
        return 1;
    char dir[4096], err[512];
    const char *kd = getenv("ENTRETIENS_KEYS_DIR");
    const char *dd = getenv("ENTRETIENS_DATA_DIR");
    if (kd && *kd)
        snprintf(dir, sizeof dir, "%s", kd);
    else
        snprintf(dir, sizeof dir, "%s/keys", dd && *dd ? dd : "./var");
    const char *name = getenv("ENTRETIENS_CLIENT_KEY");
    if (!name || !*name)
        name = "operator";
    ent_keypair_t own;
    int rc = ent_keypair_load_client(dir, name, &own, err, sizeof err);
    ent_keyring_t *ring = rc ? NULL : ent_keyring_load(dir, err, sizeof err);
    if (!ring || ent_keyring_client(ring, &own, daemon, out) != 0) {
        printf("no keys to reach %s: %s\n", daemon, ring ? "no such daemon key" : err);
        ent_keyring_destroy(&ring);
        return -1;
    }
    ent_keyring_destroy(&ring);
    return 0;
}

static const char *s_endpoint(const char *daemon, const char *kind)
{
    char env[96];
    size_t j = (size_t) snprintf(env, sizeof env, "ENTRETIENS_");
    for (const char *p = daemon; *p && j + 1 < sizeof env; p++)
        env[j++] = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    snprintf(env + j, sizeof env - j, "_%s", kind);
    return getenv(env);
}

static uint64_t s_env_u64(const char *name, uint64_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : def;
}

static int s_produce(MDB_txn *txn, void *arg)
{
    peer_t *p = arg;
    ent_store_t *store = ent_daemon_store(p->d);
    uint64_t done;
    int rc = ent_store_meta_get_u64(txn, store, "produced", &done);
    if (rc)
        return rc;
    uint64_t n = p->total - done < p->batch ? p->total - done : p->batch;
    for (uint64_t i = 1; i <= n; i++) {
        uint8_t payload[8];
        ent_be64_put(payload, done + i);
        char key[32];
        snprintf(key, sizeof key, "k%llu", (unsigned long long) (done + i));
        rc = ent_outbox_append(ent_daemon_outbox(p->d), txn, "producer.test.event", key, "", ent_clock_now_ms(),
                               payload, sizeof payload, NULL);
        if (rc)
            return rc;
    }
    return n ? ent_store_meta_put_u64(txn, store, "produced", done + n) : 0;
}

static int s_producer_setup(ent_daemon_t *d, void *arg)
{
    peer_t *p = arg;
    p->d = d;
    unsigned interval = (unsigned) s_env_u64("ENT_PEER_INTERVAL_MS", 10);
    return ent_daemon_every(d, interval, s_produce, p);
}

static int s_apply(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    peer_t *p = arg;
    if (ev->payload.len != 8)
        return ENT_EVENT_SKIP;
    ent_store_t *store = ent_daemon_store(p->d);
    uint64_t count;
    int rc = ent_store_meta_get_u64(txn, store, "count", &count);
    if (rc)
        return rc;
    uint8_t key[8];
    ent_be64_put(key, count + 1);
    MDB_val k = { 8, key }, v = { 8, ev->payload.data };
    if ((rc = mdb_put(txn, p->applied, &k, &v, MDB_APPEND)) != 0)
        return rc;
    return ent_store_meta_put_u64(txn, store, "count", count + 1);
}

static int s_consumer_setup(ent_daemon_t *d, void *arg)
{
    peer_t *p = arg;
    p->d = d;
    if (ent_store_dbi(ent_daemon_store(d), "applied", 0, &p->applied) != 0)
        return -1;
    return ent_daemon_on_event(d, "producer", s_apply, p);
}

static int s_check(const char *dir, uint64_t expected)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta, applied;
    if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
        mdb_env_open(env, dir, MDB_RDONLY, 0640)) {
        printf("cannot open %s\n", dir);
        return 1;
    }
    int rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc || mdb_dbi_open(txn, "meta", 0, &meta) || mdb_dbi_open(txn, "applied", 0, &applied)) {
        printf("store %s has no applied events\n", dir);
        mdb_env_close(env);
        return 1;
    }
    MDB_cursor *cur;
    mdb_cursor_open(txn, applied, &cur);
    MDB_val k, v;
    uint64_t i = 0;
    int fault = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        i++;
        uint64_t got = ent_be64_get(v.mv_data);
        if (got != i) {
            printf("position %llu holds event %llu (expected %llu): %s\n", (unsigned long long) i,
                   (unsigned long long) got, (unsigned long long) i, got < i ? "duplicate" : "gap");
            fault = 1;
            break;
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    if (!fault && i != expected) {
        printf("holds %llu events, expected %llu\n", (unsigned long long) i, (unsigned long long) expected);
        fault = 1;
    }
    if (!fault)
        printf("ok %llu\n", (unsigned long long) i);
    return fault;
}

/* Sends bad input to a daemon's RPC endpoint and checks each answer:
 * garbage protobuf, extra frames, unknown method, truncated requests, an
 * oversized message; then a health call must still succeed. */
static int s_reply(void *sock, Entretiens__V1__Code want, const char *what)
{
    zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&it, 1, 2000) <= 0) {
        printf("%s: no answer\n", what);
        return 1;
    }
    zmq_msg_t m;
    zmq_msg_init(&m);
    zmq_msg_recv(&m, sock, 0);
    Entretiens__V1__Reply *r = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    zmq_msg_close(&m);
    int bad = !r || !r->status || r->status->code != want;
    if (bad)
        printf("%s: got %s, expected %s\n", what, r && r->status ? ent_code_name(r->status->code) : "nothing",
               ent_code_name(want));
    if (r)
        entretiens__v1__reply__free_unpacked(r, NULL);
    return bad;
}

static int s_fuzz(const char *endpoint, const char *daemon)
{
    ent_curve_client_t curve;
    int crc = s_curve(daemon, &curve);
    if (crc < 0)
        return 1;
    const ent_curve_client_t *cc = crc == 0 ? &curve : NULL;
    void *ctx = zmq_ctx_new();
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0, faults = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    if (cc)
        ent_curve_apply_client(d, cc);
    zmq_connect(d, endpoint);
    zmq_send(d, "\xff\xfe garbage \x01", 12, 0);
    faults += s_reply(d, ENTRETIENS__V1__CODE__INVALID_ARGUMENT, "garbage protobuf");
    zmq_send(d, "a", 1, ZMQ_SNDMORE);
    zmq_send(d, "b", 1, ZMQ_SNDMORE);
    zmq_send(d, "c", 1, 0);
    faults += s_reply(d, ENTRETIENS__V1__CODE__INVALID_ARGUMENT, "three frames");
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = 9;
    req.method = "no.such.method";
    uint8_t buf[256];
    size_t len = entretiens__v1__request__pack(&req, buf);
    zmq_send(d, buf, len, 0);
    faults += s_reply(d, ENTRETIENS__V1__CODE__UNIMPLEMENTED, "unknown method");
    req.method = "health";
    len = entretiens__v1__request__pack(&req, buf);
    for (size_t cut = 1; cut < len; cut++) { /* truncated: never OK */
        zmq_send(d, buf, cut, 0);
        zmq_pollitem_t it = { d, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, 2000) <= 0) {
            printf("truncated %zu: no answer\n", cut);
            faults++;
            continue;
        }
        zmq_msg_t m;
        zmq_msg_init(&m);
        zmq_msg_recv(&m, d, 0);
        Entretiens__V1__Reply *r = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        zmq_msg_close(&m);
        if (!r || (r->status && r->status->code == ENTRETIENS__V1__CODE__OK && cut < len)) {
            /* a prefix that still names "health" completely may be valid */
            if (!r || !r->status || strcmp(req.method, "health") != 0 || cut < 4) {
                printf("truncated %zu: unexpected answer\n", cut);
                faults++;
            }
        }
        if (r)
            entretiens__v1__reply__free_unpacked(r, NULL);
    }
    zmq_close(d);
    /* oversized: the peer is disconnected, nothing is processed */
    void *big = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(big, ZMQ_LINGER, &linger, sizeof linger);
    if (cc)
        ent_curve_apply_client(big, cc);
    zmq_connect(big, endpoint);
    size_t huge = ENT_RPC_MAX_MESSAGE + 4096;
    char *blob = calloc(1, huge);
    zmq_send(big, blob, huge, 0);
    free(blob);
    zmq_pollitem_t it = { big, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&it, 1, 1000) > 0) {
        printf("oversized message was answered\n");
        faults++;
    }
    zmq_close(big);
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, endpoint, 3000, cc);
    ent_rpc_result_t r;
    if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) != 0 || r.code != ENT_OK) {
        printf("daemon stopped serving after bad input: %s\n", r.message);
        faults++;
    }
    ent_rpc_result_clear(&r);
    ent_rpc_client_destroy(&c);
    zmq_ctx_term(ctx);
    if (!faults)
        printf("ok\n");
    return faults ? 1 : 0;
}

/* Subscribes to every event of daemon for seconds; prints "frames N". */
static int s_sub(const char *daemon, int seconds)
{
    ent_curve_client_t curve;
    int crc = s_curve(daemon, &curve);
    const char *ep = s_endpoint(daemon, "PUB");
    if (crc < 0 || !ep)
        return 2;
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    if (crc == 0)
        ent_curve_apply_client(sub, &curve);
    zmq_connect(sub, ep);
    long frames = 0;
    zmq_pollitem_t it = { sub, 0, ZMQ_POLLIN, 0 };
    for (int i = 0; i < seconds * 10; i++)
        while (zmq_poll(&it, 1, 100) > 0) {
            char buf[64];
            if (zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
                frames++;
        }
    printf("frames %ld\n", frames);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    return 0;
}

/* Asks daemon's events.replay from from up to to (0: the head; of the n
 * types, if any); prints "<CODE> <events> <last seq> <scanned_to> <head>". */
static int s_replay_ask(const char *daemon, uint64_t from, uint64_t to, char **types, size_t n_types)
{
    ent_curve_client_t curve;
    int crc = s_curve(daemon, &curve);
    const char *ep = s_endpoint(daemon, "RPC");
    if (crc < 0 || !ep)
        return 2;
    void *ctx = zmq_ctx_new();
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep, 3000, crc == 0 ? &curve : NULL);
    Entretiens__V1__ReplayRequest rq = ENTRETIENS__V1__REPLAY_REQUEST__INIT;
    rq.from_seq = from;
    rq.to_seq = to;
    rq.max = 100;
    rq.types = types;
    rq.n_types = n_types;
    ent_rpc_result_t r;
    ent_rpc_client_call_msg(c, "events.replay", NULL, &rq.base, &r);
    size_t n = 0;
    uint64_t last = 0, scanned = 0, head = 0;
    if (r.code == ENT_OK) {
        Entretiens__V1__ReplayReply *rep = entretiens__v1__replay_reply__unpack(NULL, r.payload_len, r.payload);
        n = rep ? rep->n_events : 0;
        if (n) {
            Entretiens__V1__EventEnvelope *e = entretiens__v1__event_envelope__unpack(
                NULL, rep->events[n - 1].len, rep->events[n - 1].data);
            last = e ? e->seq : 0;
            if (e)
                entretiens__v1__event_envelope__free_unpacked(e, NULL);
        }
        if (rep) {
            scanned = rep->scanned_to;
            head = rep->head_seq;
            entretiens__v1__replay_reply__free_unpacked(rep, NULL);
        }
    }
    printf("%s %zu %llu %llu %llu\n", ent_code_name(r.code), n, (unsigned long long) last,
           (unsigned long long) scanned, (unsigned long long) head);
    ent_rpc_result_clear(&r);
    ent_rpc_client_destroy(&c);
    zmq_ctx_term(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ent-testpeer producer|consumer [flags] | check DIR N\n");
        return 2;
    }
    peer_t p = { .total = s_env_u64("ENT_PEER_EVENTS", 100000), .batch = s_env_u64("ENT_PEER_BATCH", 500) };
    if (strcmp(argv[1], "fuzz") == 0)
        return argc == 3 || argc == 4 ? s_fuzz(argv[2], argc == 4 ? argv[3] : "scheduler") : 2;
    if (strcmp(argv[1], "sub") == 0)
        return argc == 4 ? s_sub(argv[2], atoi(argv[3])) : 2;
    if (strcmp(argv[1], "replay") == 0) {
        if (argc < 3)
            return 2;
        uint64_t from = 1, to = 0;
        int i = 3;
        for (; i + 1 < argc && argv[i][0] == '-'; i += 2)
            if (strcmp(argv[i], "--from") == 0)
                from = strtoull(argv[i + 1], NULL, 10);
            else if (strcmp(argv[i], "--to") == 0)
                to = strtoull(argv[i + 1], NULL, 10);
            else
                return 2;
        return s_replay_ask(argv[2], from, to, argv + i, (size_t) (argc - i));
    }
    if (strcmp(argv[1], "check") == 0)
        return argc == 4 ? s_check(argv[2], strtoull(argv[3], NULL, 10)) : 2;
    if (strcmp(argv[1], "producer") == 0) {
        const ent_daemon_spec_t spec = { .name = "producer", .summary = "test producer", .max_dbs = 2,
                                         .schema_version = 1, .publishes = true };
        return ent_daemon_main(&spec, argc - 1, argv + 1, s_producer_setup, &p);
    }
    if (strcmp(argv[1], "consumer") == 0) {
        static const char *const consumes[] = { "producer", NULL };
        const ent_daemon_spec_t spec = { .name = "consumer", .summary = "test consumer", .max_dbs = 2,
                                         .schema_version = 1, .consumes = consumes };
        return ent_daemon_main(&spec, argc - 1, argv + 1, s_consumer_setup, &p);
    }
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
