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
 *                                    order; prints "ok N" or the first fault.
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

typedef struct {
    ent_daemon_t *d;
    MDB_dbi applied;
    uint64_t total, batch;
} peer_t;

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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ent-testpeer producer|consumer [flags] | check DIR N\n");
        return 2;
    }
    peer_t p = { .total = s_env_u64("ENT_PEER_EVENTS", 100000), .batch = s_env_u64("ENT_PEER_BATCH", 500) };
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
