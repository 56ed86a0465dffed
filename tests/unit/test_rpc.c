/*  Unit tests of common/rpc inside the daemon runtime: method table,
 *  nested transactions, queries (read-only turns), and bad input answered
 *  with a status, never a crash. */
#include "common/daemon.h"
#include "common/rpc.h"
#include "keys_fixture.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

typedef struct {
    ent_daemon_t *d;
    MDB_dbi kv;
    char dir[128];
    char rpc[160];
    void (*client)(void *ctx, const char *endpoint);
    ent_curve_client_t curve;   /* the test client's key (CURVE is on) */
} s_fixture_t;

static s_fixture_t s_f;

/* test.put: writes key=payload; test.put_fail: writes then fails (must be
 * rolled back); test.get: returns the value or NOT_FOUND. */
static int s_put(ent_rpc_call_t *call, void *arg)
{
    s_fixture_t *f = arg;
    MDB_val k = { call->req->payload.len, call->req->payload.data }, v = { 1, "x" };
    int rc = mdb_put(call->txn, f->kv, &k, &v, 0);
    if (rc)
        return rc;
    if (strcmp(call->req->method, "test.put_fail") == 0)
        return ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "key", "refused after writing");
    return ent_rpc_ok(call, NULL);
}

static int s_get(ent_rpc_call_t *call, void *arg)
{
    s_fixture_t *f = arg;
    if (call->req->payload.len == 0)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "key", "empty key");
    MDB_val k = { call->req->payload.len, call->req->payload.data }, v;
    int rc = mdb_get(call->txn, f->kv, &k, &v);
    if (rc == MDB_NOTFOUND)
        return ent_rpc_fail(call, ENT_NOT_FOUND, "key", "no such key");
    if (rc)
        return rc;
    return ent_rpc_ok_bytes(call, v.mv_data, v.mv_size);
}

/* test.later: answered after the commit, from a zero timer on the loop
 * (as a worker thread's completion would), with the request echoed */
static ent_rpc_pending_t *s_pending;
static uv_timer_t s_later_timer;

static void s_later_fire(uv_timer_t *t)
{
    s_fixture_t *f = t->data;
    size_t len;
    const uint8_t *p = ent_rpc_pending_payload(s_pending, &len);
    Entretiens__V1__ClockSet echo = ENTRETIENS__V1__CLOCK_SET__INIT;
    echo.now_ms = (int64_t) len * 1000 + (len ? p[0] : 0);
    ent_rpc_pending_reply(ent_daemon_rpc(f->d), &s_pending, ENT_OK, NULL, NULL, &echo.base);
    uv_close((uv_handle_t *) t, NULL);
}

static void s_later_start(ent_rpc_pending_t *pending, void *arg)
{
    s_fixture_t *f = arg;
    s_pending = pending;
    uv_timer_init(ent_loop_uv(ent_daemon_loop(f->d)), &s_later_timer);
    s_later_timer.data = f;
    uv_timer_start(&s_later_timer, s_later_fire, 0, 0);
}

static int s_later(ent_rpc_call_t *call, void *arg)
{
    return ent_rpc_defer(call, s_later_start, arg);
}

/* test.query: test.get registered as a query (read-only turns);
 * test.query_put: a query that writes, against its contract */
static int s_query_put(ent_rpc_call_t *call, void *arg)
{
    s_fixture_t *f = arg;
    MDB_val k = { call->req->payload.len, call->req->payload.data }, v = { 1, "q" };
    int rc = mdb_put(call->txn, f->kv, &k, &v, 0);
    return rc ? rc : ent_rpc_ok(call, NULL);
}

/* test.slow_put: test.put that takes 300 ms (a long ingest's turn) */
static int s_slow_put(ent_rpc_call_t *call, void *arg)
{
    usleep(300000);
    return s_put(call, arg);
}

static int s_setup(ent_daemon_t *d, void *arg)
{
    s_fixture_t *f = arg;
    f->d = d;
    if (ent_store_dbi(ent_daemon_store(d), "kv", 0, &f->kv))
        return -1;
    ent_daemon_method(d, "test.put", s_put, f);
    ent_daemon_method(d, "test.put_fail", s_put, f);
    ent_daemon_method(d, "test.get", s_get, f);
    ent_daemon_method(d, "test.later", s_later, f);
    ent_daemon_method(d, "test.slow_put", s_slow_put, f);
    ent_daemon_query(d, "test.query", s_get, f);
    ent_daemon_query(d, "test.query_put", s_query_put, f);
    return 0;
}

static void *s_client_thread(void *arg)
{
    s_fixture_t *f = arg;
    void *ctx = zmq_ctx_new();
    f->client(ctx, f->rpc);
    zmq_ctx_term(ctx);
    raise(SIGTERM); /* stops the daemon's loop */
    return NULL;
}

/* Runs a daemon "unit" in this thread and client() in another. */
static void s_run(void (*client)(void *ctx, const char *endpoint), const char *now)
{
    memset(&s_f, 0, sizeof s_f);
    s_f.client = client;
    snprintf(s_f.dir, sizeof s_f.dir, "/tmp/ent-rpc-XXXXXX");
    cr_assert_not_null(mkdtemp(s_f.dir));
    snprintf(s_f.rpc, sizeof s_f.rpc, "ipc://%s/rpc.ipc", s_f.dir);
    /* the daemon's key and an operator's client key in <data dir>/keys */
    char keys[160];
    snprintf(keys, sizeof keys, "%s/keys", s_f.dir);
    fx_key(keys, "unit", "service:unit", false, true, "events.replay,health");
    fx_key(keys, "client", "admin:test", true, false, "*");
    fx_curve(keys, "client", "unit", &s_f.curve);
    unsetenv("ENTRETIENS_KEYS_DIR");
    unsetenv("ENTRETIENS_INSECURE");
    char http[64];
    snprintf(http, sizeof http, "127.0.0.1:%d", 20000 + getpid() % 6000);
    setenv("ENTRETIENS_DATA_DIR", s_f.dir, 1);
    setenv("ENTRETIENS_UNIT_RPC", s_f.rpc, 1);
    setenv("ENTRETIENS_UNIT_HTTP", http, 1);
    setenv("ENTRETIENS_LOG_LEVEL", "error", 1);
    if (now)
        setenv("ENTRETIENS_NOW", now, 1);
    else
        unsetenv("ENTRETIENS_NOW");
    const ent_daemon_spec_t spec = { .name = "unit", .summary = "rpc test", .max_dbs = 2, .schema_version = 1 };
    char *argv[] = { "unit", NULL };
    ent_daemon_t *d = NULL;
    cr_assert_eq(ent_daemon_new(&spec, 1, argv, &d), 0);
    cr_assert_not_null(d);
    cr_assert_eq(s_setup(d, &s_f), 0);
    cr_assert_eq(ent_daemon_start(d), 0);
    pthread_t th;
    pthread_create(&th, NULL, s_client_thread, &s_f);
    ent_daemon_run(d);
    pthread_join(th, NULL);
    ent_daemon_destroy(&d);
    cr_assert_null(d);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_f.dir);
    cr_assert_eq(system(cmd), 0);
}

static ent_rpc_result_t s_call(ent_rpc_client_t *c, const char *method, const char *payload)
{
    ent_rpc_result_t r;
    ent_rpc_client_call(c, method, NULL, (const uint8_t *) payload, payload ? strlen(payload) : 0, &r);
    return r;
}

/* ------------------------------------------------------------------ */

static void s_client_methods(void *ctx, const char *ep)
{
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep, 5000, &s_f.curve);
    cr_assert_not_null(c);
    ent_rpc_result_t r = s_call(c, "test.put", "alpha");
    cr_expect_eq(r.code, ENT_OK, "put: %s", r.message);
    r = s_call(c, "test.get", "alpha");
    cr_expect_eq(r.code, ENT_OK);
    cr_expect_eq(r.payload_len, 1);
    ent_rpc_result_clear(&r);
    /* a failing handler's writes are rolled back (nested transaction) */
    r = s_call(c, "test.put_fail", "beta");
    cr_expect_eq(r.code, ENT_FAILED_PRECONDITION);
    cr_expect_str_eq(r.field, "key");
    r = s_call(c, "test.get", "beta");
    cr_expect_eq(r.code, ENT_NOT_FOUND, "beta must not exist, got %s", ent_code_name(r.code));
    /* a deferred answer arrives after the turn, with the request's payload */
    r = s_call(c, "test.later", "xyz");
    cr_expect_eq(r.code, ENT_OK, "deferred call: %s", r.message);
    Entretiens__V1__ClockSet *later = entretiens__v1__clock_set__unpack(NULL, r.payload_len, r.payload);
    cr_expect_not_null(later);
    if (later) {
        cr_expect_eq(later->now_ms, 3 * 1000 + 'x', "the pending call kept the request payload");
        entretiens__v1__clock_set__free_unpacked(later, NULL);
    }
    ent_rpc_result_clear(&r);
    /* unknown method */
    r = s_call(c, "test.nope", NULL);
    cr_expect_eq(r.code, ENT_UNIMPLEMENTED);
    cr_expect_str_eq(r.field, "method");
    cr_expect(strstr(r.message, "test.nope") != NULL, "message: %s", r.message);
    /* empty method */
    r = s_call(c, "", NULL);
    cr_expect_eq(r.code, ENT_INVALID_ARGUMENT);
    cr_expect_str_eq(r.field, "method");
    /* built-ins */
    r = s_call(c, "health", NULL);
    cr_expect_eq(r.code, ENT_OK);
    Entretiens__V1__HealthReply *h = entretiens__v1__health_reply__unpack(NULL, r.payload_len, r.payload);
    cr_expect_not_null(h);
    if (h) {
        cr_expect_str_eq(h->service, "unit");
        cr_expect_eq(h->clock_pinned, 0);
        entretiens__v1__health_reply__free_unpacked(h, NULL);
    }
    ent_rpc_result_clear(&r);
    Entretiens__V1__ClockSet cs = ENTRETIENS__V1__CLOCK_SET__INIT;
    cs.now_ms = 1800000000000;
    ent_rpc_client_call_msg(c, "admin.clock.set", NULL, &cs.base, &r);
    cr_expect_eq(r.code, ENT_FAILED_PRECONDITION, "a real clock must not move");
    ent_rpc_result_clear(&r);
    ent_rpc_client_destroy(&c);
}

Test(rpc, methods_nested_transactions_and_status_codes)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_run(s_client_methods, NULL);
}

static void s_client_clock(void *ctx, const char *ep)
{
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep, 5000, &s_f.curve);
    ent_rpc_result_t r;
    Entretiens__V1__ClockSet cs = ENTRETIENS__V1__CLOCK_SET__INIT;
    cs.now_ms = 1800000000000; /* 2027-01-15 */
    ent_rpc_client_call_msg(c, "admin.clock.set", NULL, &cs.base, &r);
    cr_expect_eq(r.code, ENT_OK, "%s", r.message);
    Entretiens__V1__ClockState *st = entretiens__v1__clock_state__unpack(NULL, r.payload_len, r.payload);
    cr_expect_not_null(st);
    if (st) {
        cr_expect_eq(st->now_ms, 1800000000000);
        cr_expect_eq(st->pinned, 1);
        cr_expect_eq(st->today->year, 2027);
        entretiens__v1__clock_state__free_unpacked(st, NULL);
    }
    ent_rpc_result_clear(&r);
    cs.now_ms = -5;
    ent_rpc_client_call_msg(c, "admin.clock.set", NULL, &cs.base, &r);
    cr_expect_eq(r.code, ENT_INVALID_ARGUMENT);
    cr_expect_str_eq(r.field, "now_ms");
    ent_rpc_client_destroy(&c);
}

/* Sends a request on a raw DEALER without waiting (to put several in one
 * turn). */
static void s_send_raw(void *sock, uint64_t id, const char *method, const char *payload)
{
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = id;
    req.method = (char *) method;
    req.caller = "";
    req.payload.data = (uint8_t *) payload;
    req.payload.len = strlen(payload);
    size_t size = entretiens__v1__request__get_packed_size(&req);
    zmq_msg_t m;
    zmq_msg_init_size(&m, size);
    entretiens__v1__request__pack(&req, zmq_msg_data(&m));
    cr_assert_geq(zmq_msg_send(&m, sock, 0), 0);
}

static void *s_dealer(void *ctx, const char *ep)
{
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    cr_assert_not_null(sock);
    cr_assert_eq(ent_curve_apply_client(sock, &s_f.curve), 0);
    cr_assert_eq(zmq_connect(sock, ep), 0);
    int timeout = 5000, linger = 0;
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    return sock;
}

static void s_client_queries(void *ctx, const char *ep)
{
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep, 5000, &s_f.curve);
    cr_assert_not_null(c);
    ent_rpc_result_t r = s_call(c, "test.put", "gamma");
    cr_expect_eq(r.code, ENT_OK, "put: %s", r.message);
    /* a query alone runs in a read-only turn and reads what is committed */
    r = s_call(c, "test.query", "gamma");
    cr_expect_eq(r.code, ENT_OK, "query: %s", r.message);
    cr_expect_eq(r.payload_len, 1);
    ent_rpc_result_clear(&r);
    r = s_call(c, "test.query", "delta");
    cr_expect_eq(r.code, ENT_NOT_FOUND, "a query's refusal: %s", ent_code_name(r.code));
    cr_expect_str_eq(r.field, "key");
    r = s_call(c, "test.query", "");
    cr_expect_eq(r.code, ENT_INVALID_ARGUMENT);
    /* a query that writes is refused by the read-only transaction, and
     * nothing is stored */
    r = s_call(c, "test.query_put", "epsilon");
    cr_expect_eq(r.code, ENT_INTERNAL, "a write in a read-only turn must fail, got %s", ent_code_name(r.code));
    r = s_call(c, "test.get", "epsilon");
    cr_expect_eq(r.code, ENT_NOT_FOUND, "epsilon must not exist, got %s", ent_code_name(r.code));
    ent_rpc_client_destroy(&c);

    /* a write and queries sent together (one turn, or two): each query
     * sees the write sent before it, and all are answered */
    void *sock = s_dealer(ctx, ep);
    s_send_raw(sock, 1, "test.query", "zeta");
    s_send_raw(sock, 2, "test.put", "zeta");
    s_send_raw(sock, 3, "test.query", "zeta");
    s_send_raw(sock, 4, "test.query", "gamma");
    ent_code_t codes[5] = { 0 };
    for (int i = 0; i < 4; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        cr_assert_geq(zmq_msg_recv(&m, sock, 0), 0, "answer %d of 4", i + 1);
        Entretiens__V1__Reply *rep = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        zmq_msg_close(&m);
        cr_assert_not_null(rep);
        cr_assert(rep->request_id >= 1 && rep->request_id <= 4);
        codes[rep->request_id] = rep->status ? rep->status->code : ENT_OK;
        entretiens__v1__reply__free_unpacked(rep, NULL);
    }
    cr_expect_eq(codes[1], ENT_NOT_FOUND, "the query before the write");
    cr_expect_eq(codes[2], ENT_OK, "the write");
    cr_expect_eq(codes[3], ENT_OK, "the query after the write sees it");
    cr_expect_eq(codes[4], ENT_OK);
    zmq_close(sock);
}

Test(rpc, queries_run_read_only_and_see_what_was_written_before)
{
    alarm(120);
    s_run(s_client_queries, NULL);
}

/* Receives one reply: its request id and status code. */
static uint64_t s_recv_reply(void *sock, ent_code_t *code)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    cr_assert_geq(zmq_msg_recv(&m, sock, 0), 0, "a reply");
    Entretiens__V1__Reply *rep = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    zmq_msg_close(&m);
    cr_assert_not_null(rep);
    uint64_t id = rep->request_id;
    *code = rep->status ? rep->status->code : ENT_OK;
    entretiens__v1__reply__free_unpacked(rep, NULL);
    return id;
}

static void s_client_early(void *ctx, const char *ep)
{
    void *a = s_dealer(ctx, ep), *b = s_dealer(ctx, ep);
    ent_code_t code;
    /* both connected (CURVE handshakes done) */
    s_send_raw(a, 100, "health", "");
    s_send_raw(b, 101, "health", "");
    cr_assert_eq(s_recv_reply(a, &code), 100);
    cr_assert_eq(s_recv_reply(b, &code), 101);
    /* a's first slow write holds a turn; meanwhile a's second write and b's
     * query arrive, and are read together in the next turn */
    s_send_raw(a, 1, "test.slow_put", "eta");
    usleep(100000);
    s_send_raw(a, 2, "test.slow_put", "theta");
    s_send_raw(b, 3, "test.query", "eta");
    s_send_raw(b, 4, "test.query", "theta");
    cr_assert_eq(s_recv_reply(a, &code), 1);
    cr_expect_eq(code, ENT_OK);
    /* b's queries are answered from the committed state, before a's second
     * write has run: eta (committed) is found, theta (not yet) is not */
    uint64_t first = s_recv_reply(b, &code);
    cr_expect_eq(first, 3);
    cr_expect_eq(code, ENT_OK, "the query sees what was committed before it");
    uint64_t second = s_recv_reply(b, &code);
    cr_expect_eq(second, 4);
    cr_expect_eq(code, ENT_NOT_FOUND, "the query does not see a write not yet committed");
    zmq_pollitem_t pi = { .socket = a, .events = ZMQ_POLLIN };
    cr_expect_eq(zmq_poll(&pi, 1, 0), 0, "a's slow write was answered before b's queries: they waited for it");
    cr_assert_eq(s_recv_reply(a, &code), 2);
    cr_expect_eq(code, ENT_OK);
    zmq_close(a);
    zmq_close(b);
}

Test(rpc, another_clients_queries_do_not_wait_for_a_turns_writes)
{
    alarm(120);
    s_run(s_client_early, NULL);
}

Test(rpc, pinned_clock_moves_through_admin_clock_set)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_run(s_client_clock, "2026-03-01");
}

/* Sends raw frames on a DEALER and returns the decoded reply (NULL when
 * nothing came back within 1 s). */
static Entretiens__V1__Reply *s_raw(void *sock, zmq_msg_t *frames, int n)
{
    for (int i = 0; i < n; i++)
        zmq_msg_send(&frames[i], sock, i + 1 < n ? ZMQ_SNDMORE : 0);
    zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&it, 1, 1000) <= 0)
        return NULL;
    zmq_msg_t m;
    zmq_msg_init(&m);
    zmq_msg_recv(&m, sock, 0);
    Entretiens__V1__Reply *r = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    zmq_msg_close(&m);
    return r;
}

static void s_frame(zmq_msg_t *m, const void *data, size_t len)
{
    zmq_msg_init_size(m, len);
    if (len)
        memcpy(zmq_msg_data(m), data, len);
}

static void s_client_bad_input(void *ctx, const char *ep)
{
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(ent_curve_apply_client(d, &s_f.curve), 0);
    zmq_connect(d, ep);
    zmq_msg_t f[3];

    /* garbage protobuf */
    s_frame(&f[0], "\xff\xff\xff\xff\x0f garbage", 13);
    Entretiens__V1__Reply *r = s_raw(d, f, 1);
    cr_expect_not_null(r, "garbage must be answered");
    if (r) {
        cr_expect_eq(r->status->code, ENT_INVALID_ARGUMENT);
        cr_expect_str_eq(r->status->field, "payload");
        entretiens__v1__reply__free_unpacked(r, NULL);
    }
    /* three frames */
    s_frame(&f[0], "a", 1);
    s_frame(&f[1], "b", 1);
    s_frame(&f[2], "c", 1);
    r = s_raw(d, f, 3);
    cr_expect_not_null(r);
    if (r) {
        cr_expect_eq(r->status->code, ENT_INVALID_ARGUMENT);
        cr_expect_str_eq(r->status->field, "frames");
        entretiens__v1__reply__free_unpacked(r, NULL);
    }
    /* every truncation of a valid request gets an answer or is ignored,
     * and the server keeps serving */
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = 77;
    req.method = "test.get";
    req.caller = "";
    req.payload.data = (uint8_t *) "alpha";
    req.payload.len = 5;
    uint8_t buf[128];
    size_t len = entretiens__v1__request__pack(&req, buf);
    int answered = 0;
    for (size_t cut = 0; cut < len; cut++) {
        s_frame(&f[0], buf, cut);
        r = s_raw(d, f, 1);
        if (r) {
            answered++;
            cr_expect_neq(r->status->code, ENT_OK, "a truncated request (%zu of %zu bytes) succeeded", cut, len);
            entretiens__v1__reply__free_unpacked(r, NULL);
        }
    }
    cr_expect_eq(answered, (int) len, "every truncated request should be answered");
    /* a REQ-style empty delimiter is accepted and echoed */
    s_frame(&f[0], "", 0);
    s_frame(&f[1], buf, len);
    zmq_msg_send(&f[0], d, ZMQ_SNDMORE);
    zmq_msg_send(&f[1], d, 0);
    zmq_pollitem_t it = { d, 0, ZMQ_POLLIN, 0 };
    cr_expect_eq(zmq_poll(&it, 1, 1000), 1);
    zmq_msg_t m;
    zmq_msg_init(&m);
    zmq_msg_recv(&m, d, 0);
    cr_expect_eq(zmq_msg_size(&m), 0, "delimiter echoed first");
    cr_expect(zmq_msg_more(&m));
    zmq_msg_close(&m);
    zmq_msg_init(&m);
    zmq_msg_recv(&m, d, 0);
    r = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    zmq_msg_close(&m);
    cr_expect_not_null(r);
    if (r) {
        cr_expect_eq(r->request_id, 77);
        cr_expect_eq(r->status->code, ENT_NOT_FOUND);
        entretiens__v1__reply__free_unpacked(r, NULL);
    }
    zmq_close(d);

    /* an oversized message disconnects that peer (ZMQ_MAXMSGSIZE) ... */
    void *big = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(big, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(ent_curve_apply_client(big, &s_f.curve), 0);
    zmq_connect(big, ep);
    size_t huge = ENT_RPC_MAX_MESSAGE + 1024;
    s_frame(&f[0], NULL, 0);
    zmq_msg_close(&f[0]);
    zmq_msg_init_size(&f[0], huge);
    memset(zmq_msg_data(&f[0]), 'x', huge);
    r = s_raw(big, f, 1);
    cr_expect_null(r, "an oversized request must not be processed");
    zmq_close(big);
    /* ... and the server still answers others */
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep, 5000, &s_f.curve);
    ent_rpc_result_t res = s_call(c, "health", NULL);
    cr_expect_eq(res.code, ENT_OK, "server still serving after bad input: %s", res.message);
    ent_rpc_result_clear(&res);
    ent_rpc_client_destroy(&c);
}

Test(rpc, bad_input_gets_a_status_and_the_server_keeps_serving)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_run(s_client_bad_input, NULL);
}

static void s_client_timeout(void *ctx, const char *ep)
{
    (void) ep;
    char dead[200];
    snprintf(dead, sizeof dead, "ipc:///tmp/ent-nobody-%d.ipc", getpid());
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, dead, 200, &s_f.curve);
    ent_rpc_result_t r;
    cr_expect_eq(ent_rpc_client_call(c, "health", NULL, NULL, 0, &r), -1);
    cr_expect_eq(r.code, ENT_DEADLINE_EXCEEDED);
    ent_rpc_client_destroy(&c);
}

Test(rpc, client_times_out_when_nobody_answers)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_run(s_client_timeout, NULL);
}

Test(rpc, code_names)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    cr_expect_str_eq(ent_code_name(ENT_OK), "OK");
    cr_expect_str_eq(ent_code_name(ENT_FAILED_PRECONDITION), "FAILED_PRECONDITION");
    cr_expect_str_eq(ent_code_name((ent_code_t) 99), "UNKNOWN");
}

/* A daemon started without TZ names /etc/localtime in it (glibc then keeps
 * the zone it read instead of a stat of the file on every mktime), and
 * leaves a TZ the operator set as it is. */
Test(rpc, a_daemon_pins_its_zone_and_keeps_the_operators)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/ent-rpc-tz-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    setenv("ENTRETIENS_DATA_DIR", dir, 1);
    setenv("ENTRETIENS_INSECURE", "1", 1);
    setenv("ENTRETIENS_LOG_LEVEL", "error", 1);
    setenv("ENTRETIENS_UNIT_RPC", "inproc://tz", 1);
    setenv("ENTRETIENS_UNIT_HTTP", "127.0.0.1:0", 1);
    const ent_daemon_spec_t spec = { .name = "unit", .summary = "tz test", .max_dbs = 2, .schema_version = 1 };
    char *argv[] = { "unit", NULL };
    const char *zones[] = { NULL, "Europe/Paris" };
    const char *want[] = { ":/etc/localtime", "Europe/Paris" };
    for (int i = 0; i < 2; i++) {
        if (zones[i])
            setenv("TZ", zones[i], 1);
        else
            unsetenv("TZ");
        ent_daemon_t *d = NULL;
        cr_assert_eq(ent_daemon_new(&spec, 1, argv, &d), 0);
        cr_assert_not_null(getenv("TZ"));
        cr_assert_str_eq(getenv("TZ"), want[i]);
        ent_daemon_destroy(&d);
    }
    unsetenv("TZ");
    unsetenv("ENTRETIENS_INSECURE");
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
