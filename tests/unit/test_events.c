/*  Unit tests of common/outbox + common/subscriber: the consumer applies
 *  each event exactly once and in order, whatever the transport does
 *  (late start, duplicates, gaps, short replay pages). */
#include "common/daemon.h"
#include "common/outbox.h"
#include "common/rpc.h"
#include "common/zap.h"
#include "keys_fixture.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_SEEN 64

static uint64_t s_seen[MAX_SEEN];
static int s_n_seen;
static uint64_t s_last, s_applied, s_disorder; /* every event applied, in order? */
/* The bounded filtered replay's cases: every third event is of a type the
 * consumer does not apply (s_mixed), and the consumer says so (s_only):
 * the events it applies must be every other one, in order. */
static bool s_mixed, s_only;
static uint64_t s_wrong_type;     /* events of the other type applied while s_only */
static uint64_t s_things(uint64_t head) /* the events of prod.thing up to head */
{
    return head - head / 3;
}
static char *const S_APPLIED[] = { "prod.thing", NULL };
static char s_metrics_buf[65536];
static char s_dir[64];
static char s_pub[128], s_rpc[128], s_cons_rpc[128];
static ent_curve_client_t s_client;   /* the test's key to call the consumer */

static const char *s_type_of(uint64_t seq);

static int s_apply(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    (void) txn, (void) arg;
    if (strcmp(ev->type, "prod.bad") == 0)
        return ENT_EVENT_SKIP;
    if (s_n_seen < MAX_SEEN)
        s_seen[s_n_seen++] = ev->seq;
    /* in order, and nothing left out between the last one and this one
     * but, for a consumer of some types, events of the others */
    bool ok = ev->seq > s_last;
    for (uint64_t t = s_last + 1; ok && t < ev->seq; t++)
        if (!s_only || strcmp(s_type_of(t), "prod.thing") == 0)
            ok = false;
    if (!ok)
        s_disorder++;
    if (s_only && strcmp(ev->type, "prod.thing") != 0)
        s_wrong_type++;
    s_last = ev->seq;
    s_applied++;
    return 0;
}

static size_t s_read_ahead; /* pages the consumer asks ahead (0: the default) */

/* The live arena's case (s_live): events come live by the thousand in one
 * frame, with payloads the apply function checks byte for byte (a live
 * event read after its arena was reused would differ), and one apply fails
 * once (s_fail_at, s_fail_rc) so that the turn is redone or lost. */
#define LIVE_MAX 8192
static bool s_live;
static uint64_t s_fail_at;
static int s_fail_rc, s_failed;
static unsigned s_live_count[LIVE_MAX]; /* applications of each seq, aborted turns included */
static uint64_t s_bad_payload;

static uint8_t s_payload_byte(uint64_t seq, size_t i)
{
    return (uint8_t) (seq * 7 + i);
}

static size_t s_payload_len(uint64_t seq)
{
    return 500 + seq % 300;
}

static int s_live_apply(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    (void) txn, (void) arg;
    if (ev->seq == s_fail_at && !s_failed) {
        s_failed++;
        return s_fail_rc;
    }
    if (ev->seq < LIVE_MAX)
        s_live_count[ev->seq]++;
    /* replayed events come without a payload (s_answer_as) */
    bool ok = !ev->payload.len || ev->payload.len == s_payload_len(ev->seq);
    for (size_t i = 0; ok && i < ev->payload.len; i++)
        ok = ev->payload.data[i] == s_payload_byte(ev->seq, i);
    if (!ok || strcmp(ev->type, "prod.thing") != 0 || strcmp(ev->producer, "prod") != 0)
        s_bad_payload++;
    return 0;
}

static int s_setup(ent_daemon_t *d, void *arg)
{
    (void) arg;
    if (s_read_ahead && ent_daemon_read_ahead(d, "prod", s_read_ahead) != 0)
        return -1;
    if (s_only && ent_daemon_applied_types(d, "prod", S_APPLIED) != 0)
        return -1;
    if (ent_daemon_read_ahead(d, "nobody", 8) != -1)
        return -1; /* a producer not consumed is refused */
    return ent_daemon_on_event(d, "prod", s_live ? s_live_apply : s_apply, NULL);
}

static void *s_consumer(void *arg)
{
    (void) arg;
    static const char *const consumes[] = { "prod", NULL };
    const ent_daemon_spec_t spec = { .name = "cons", .summary = "test", .max_dbs = 1, .schema_version = 1,
                                     .consumes = consumes };
    char *argv[] = { "cons", NULL };
    ent_daemon_main(&spec, 1, argv, s_setup, NULL);
    return NULL;
}

/* The scripted producer: events 1..head exist; replay pages hold 3. */
static size_t s_pack_event(uint64_t seq, const char *type, uint8_t *buf)
{
    Entretiens__V1__EventEnvelope e = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    e.producer = "prod";
    e.seq = seq;
    e.type = (char *) type;
    return entretiens__v1__event_envelope__pack(&e, buf);
}

static const char *s_type_of(uint64_t seq)
{
    if (s_mixed)
        return seq % 3 == 0 ? "prod.other" : "prod.thing";
    return seq == 5 ? "prod.bad" : "prod.thing";
}

static void s_serve_replays(void *router, uint64_t head, int wait_ms)
{
    zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
    while (zmq_poll(&it, 1, wait_ms) > 0) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        zmq_msg_recv(&id, router, 0);
        zmq_msg_recv(&body, router, 0);
        Entretiens__V1__Request *rq = entretiens__v1__request__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
        cr_assert_not_null(rq);
        cr_assert_str_eq(rq->method, "events.replay");
        const char *uid = zmq_msg_gets(&body, "User-Id");
        cr_assert_not_null(uid, "the replay request came over CURVE");
        cr_assert_str_eq(uid, "cons", "the consumer asks with its own key");
        Entretiens__V1__ReplayRequest *rr =
            entretiens__v1__replay_request__unpack(NULL, rq->payload.len, rq->payload.data);
        cr_assert_not_null(rr);
        uint8_t bufs[3][64];
        ProtobufCBinaryData evs[3];
        Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
        rep.head_seq = head;
        rep.events = evs;
        for (uint64_t s = rr->from_seq; s <= head && rep.n_events < 3; s++) {
            evs[rep.n_events].len = s_pack_event(s, s_type_of(s), bufs[rep.n_events]);
            evs[rep.n_events].data = bufs[rep.n_events];
            rep.n_events++;
        }
        uint8_t payload[512];
        Entretiens__V1__Reply reply = ENTRETIENS__V1__REPLY__INIT;
        reply.request_id = rq->request_id;
        reply.payload.data = payload;
        reply.payload.len = entretiens__v1__replay_reply__pack(&rep, payload);
        uint8_t out[640];
        size_t len = entretiens__v1__reply__pack(&reply, out);
        zmq_msg_send(&id, router, ZMQ_SNDMORE);
        zmq_send(router, out, len, 0);
        zmq_msg_close(&body);
        entretiens__v1__replay_request__free_unpacked(rr, NULL);
        entretiens__v1__request__free_unpacked(rq, NULL);
    }
}

/* Publishes event seq as a producer does: one frame (topic, NUL,
 * envelope; common/outbox.c), or two (topic, then envelope) as producers
 * of earlier versions did, which a consumer still accepts during an
 * upgrade. */
static void s_publish_as(void *pub, uint64_t seq, bool one_frame)
{
    uint8_t buf[64], frame[128];
    size_t len = s_pack_event(seq, s_type_of(seq), buf);
    const char *topic = s_type_of(seq);
    size_t tl = strlen(topic);
    if (one_frame) {
        memcpy(frame, topic, tl);
        frame[tl] = 0;
        memcpy(frame + tl + 1, buf, len);
        zmq_send(pub, frame, tl + 1 + len, 0);
        return;
    }
    zmq_send(pub, topic, tl, ZMQ_SNDMORE);
    zmq_send(pub, buf, len, 0);
}

static void s_publish(void *pub, uint64_t seq)
{
    s_publish_as(pub, seq, true);
}

static size_t s_curl_body(char *p, size_t size, size_t n, void *arg)
{
    size_t *len = arg, room = 65535 - *len, take = size * n < room ? size * n : room;
    memcpy(s_metrics_buf + *len, p, take);
    *len += take;
    return size * n;
}

/* The value of the consumer's counter `name`{producer="prod"} on its
 * /metrics, or -1 when it cannot be read. */
static long s_consumer_metric(const char *http, const char *name)
{
    char url[128], want[160];
    snprintf(url, sizeof url, "http://%s/metrics", http);
    snprintf(want, sizeof want, "\n%s{producer=\"prod\"} ", name);
    size_t len = 1;
    s_metrics_buf[0] = '\n';
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s_curl_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    s_metrics_buf[len] = '\0';
    const char *at = rc == CURLE_OK ? strstr(s_metrics_buf, want) : NULL;
    return at ? strtol(at + strlen(want), NULL, 10) : -1;
}

static uint64_t s_consumer_cursor(void *ctx)
{
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, s_cons_rpc, 1000, &s_client);
    ent_rpc_result_t r;
    uint64_t cursor = 0;
    if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) == 0) {
        Entretiens__V1__HealthReply *h = entretiens__v1__health_reply__unpack(NULL, r.payload_len, r.payload);
        if (h && h->n_consumers == 1)
            cursor = h->consumers[0]->cursor;
        if (h)
            entretiens__v1__health_reply__free_unpacked(h, NULL);
        ent_rpc_result_clear(&r);
    }
    ent_rpc_client_destroy(&c);
    return cursor;
}

/* The scripted producer's world: a store directory, keys, a ZAP handler
 * and the producer's PUB and ROUTER bound as CURVE servers (the consumer
 * subscribes with its own key).  http gets the consumer's metrics address. */
typedef struct {
    void *ctx, *pub, *router;
    ent_zap_t *zap;
    ent_keyring_t *ring;
    char http[64];
} s_world_t;

static bool s_xpub; /* the producer's PUB is an XPUB (its subscriptions read by the test) */

static void s_world_start(s_world_t *w)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/ent-events-XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
    snprintf(s_pub, sizeof s_pub, "ipc://%s/pub.ipc", s_dir);
    snprintf(s_rpc, sizeof s_rpc, "ipc://%s/rpc.ipc", s_dir);
    snprintf(s_cons_rpc, sizeof s_cons_rpc, "ipc://%s/cons.ipc", s_dir);
    snprintf(w->http, sizeof w->http, "127.0.0.1:%d", 26000 + getpid() % 6000);
    setenv("ENTRETIENS_DATA_DIR", s_dir, 1);
    setenv("ENTRETIENS_PROD_PUB", s_pub, 1);
    setenv("ENTRETIENS_PROD_RPC", s_rpc, 1);
    setenv("ENTRETIENS_CONS_RPC", s_cons_rpc, 1);
    setenv("ENTRETIENS_CONS_HTTP", w->http, 1);
    setenv("ENTRETIENS_LOG_LEVEL", "error", 1);
    unsetenv("ENTRETIENS_INSECURE");
    unsetenv("ENTRETIENS_KEYS_DIR");
    /* CURVE everywhere: the scripted producer's sockets are CURVE servers
     * behind a ZAP handler, and the consumer subscribes with its own key */
    char keys[128], err[512];
    snprintf(keys, sizeof keys, "%s/keys", s_dir);
    fx_key(keys, "prod", "service:prod", false, true, "events.replay,health");
    fx_key(keys, "cons", "service:cons", false, true, "events.replay,health");
    fx_key(keys, "client", "admin:test", true, false, "*");
    fx_curve(keys, "client", "cons", &s_client);
    ent_keyring_t *ring = ent_keyring_load(keys, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    ent_keypair_t prod;
    cr_assert_eq(ent_keypair_load(keys, "prod", &prod, err, sizeof err), 0, "%s", err);

    void *ctx = zmq_ctx_new();
    ent_zap_t *zap = ent_zap_new(ctx, ring);
    cr_assert_not_null(zap);
    /* XPUB sends as PUB does, and shows the consumer's subscriptions */
    void *pub = zmq_socket(ctx, s_xpub ? ZMQ_XPUB : ZMQ_PUB);
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    ent_curve_server_t srv = { 0 };
    memcpy(srv.secret_key, prod.secret_key, sizeof srv.secret_key);
    ent_zap_domain(srv.domain, sizeof srv.domain, ENT_ZAP_DOMAIN_EVENTS, s_pub);
    cr_assert_eq(ent_curve_apply_server(pub, &srv), 0);
    ent_zap_domain(srv.domain, sizeof srv.domain, ENT_ZAP_DOMAIN_RPC, s_rpc);
    cr_assert_eq(ent_curve_apply_server(router, &srv), 0);
    cr_assert_eq(zmq_bind(pub, s_pub), 0);
    cr_assert_eq(zmq_bind(router, s_rpc), 0);

    w->ctx = ctx, w->pub = pub, w->router = router, w->zap = zap, w->ring = ring;
}

static void s_world_stop(s_world_t *w)
{
    int linger = 0;
    zmq_setsockopt(w->pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(w->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(w->pub);
    zmq_close(w->router);
    ent_zap_stats_t zs;
    ent_zap_stats(w->zap, &zs);
    cr_expect_gt(zs.allowed, 0, "the consumer connected with its key");
    cr_expect_eq(zs.denied, 0);
    ent_zap_destroy(&w->zap);
    zmq_ctx_term(w->ctx);
    ent_keyring_destroy(&w->ring);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    cr_assert_eq(system(cmd), 0);
}

Test(events, late_start_duplicates_gaps_and_poison_events_apply_once_in_order)
{
    alarm(60);
    s_world_t w;
    s_world_start(&w);
    void *ctx = w.ctx, *pub = w.pub, *router = w.router;
    const char *http = w.http;
    /* ten events exist before the consumer starts: it must fetch them
     * through replay, three per page, and skip the poison event 5 */
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);
    uint64_t cursor = 0;
    for (int i = 0; i < 200 && cursor < 10; i++) {
        s_serve_replays(router, 10, 20);
        cursor = s_consumer_cursor(ctx);
    }
    cr_assert_eq(cursor, 10, "consumer caught up to %llu of 10", (unsigned long long) cursor);

    /* live, with no replay served: 11 is published until it arrives (the
     * subscription takes a moment to reach the PUB; the repeats are
     * duplicates), then a duplicate, a gap (13), the missing one (12) */
    for (int i = 0; i < 200 && cursor < 11; i++) {
        s_publish(pub, 11);
        usleep(20000);
        cursor = s_consumer_cursor(ctx);
    }
    cr_assert_eq(cursor, 11, "event 11 never arrived live (cursor %llu)", (unsigned long long) cursor);
    s_publish(pub, 11);
    s_publish_as(pub, 13, false);
    /* a frame without the topic's NUL is malformed: dropped, nothing applied */
    zmq_send(pub, "prod.thing-without-separator", 28, 0);
    s_publish_as(pub, 12, false); /* an earlier producer's two frames */
    for (int i = 0; i < 200 && cursor < 12; i++) {
        usleep(10000);
        cursor = s_consumer_cursor(ctx);
    }
    cr_assert_geq(cursor, 12, "event 12 was not applied live after the gap");
    /* 13 came before 12: dropped as a gap, fetched again through replay */
    for (int i = 0; i < 200 && cursor < 13; i++) {
        s_serve_replays(router, 13, 20);
        cursor = s_consumer_cursor(ctx);
    }
    cr_assert_eq(cursor, 13);
    /* the counters say what happened (the daemon syncs them every second) */
    long dups = -1, gaps = -1, bad = -1;
    for (int i = 0; i < 100 && (dups < 1 || gaps < 1 || bad < 1); i++) {
        usleep(50000);
        dups = s_consumer_metric(http, "entretiens_cons_events_duplicates_total");
        gaps = s_consumer_metric(http, "entretiens_cons_events_gaps_total");
        bad = s_consumer_metric(http, "entretiens_cons_events_malformed_total");
    }
    cr_assert_geq(dups, 1, "no duplicate counted (%ld)", dups);
    cr_assert_geq(gaps, 1, "no gap counted (%ld)", gaps);
    cr_assert_eq(bad, 1, "the frame without a separator was not counted once as malformed (%ld)", bad);
    raise(SIGTERM);
    pthread_join(th, NULL);

    int expect = 0;
    for (uint64_t s = 1; s <= 13; s++) {
        if (s == 5)
            continue; /* skipped, never applied */
        cr_expect_lt(expect, s_n_seen);
        if (expect < s_n_seen)
            cr_expect_eq(s_seen[expect], s, "position %d holds %llu, expected %llu", expect,
                         (unsigned long long) s_seen[expect], (unsigned long long) s);
        expect++;
    }
    cr_expect_eq(s_n_seen, 12, "applied %d events, expected 12 (13 minus the poison one)", s_n_seen);

    /* the cursor survived in the store: a restarted consumer re-applies nothing */
    s_n_seen = 0;
    pthread_create(&th, NULL, s_consumer, NULL);
    cursor = 0;
    for (int i = 0; i < 200 && cursor != 13; i++) {
        s_serve_replays(router, 13, 20);
        cursor = s_consumer_cursor(ctx); /* answers once the daemon runs */
    }
    cr_expect_eq(cursor, 13);
    for (int i = 0; i < 10; i++)
        s_serve_replays(router, 13, 20);
    raise(SIGTERM);
    pthread_join(th, NULL);
    cr_expect_eq(s_n_seen, 0, "a restarted consumer applied %d events again", s_n_seen);

    s_world_stop(&w);
}

/* One events.replay request received by the scripted producer. */
typedef struct {
    zmq_msg_t id;
    uint64_t request_id, from, to;
    size_t n_types;
    char type[32]; /* the first type asked */
} s_req_t;

/* Waits up to wait_ms for the next replay request.  Returns 0 or -1. */
static int s_next_request(void *router, int wait_ms, s_req_t *q)
{
    zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&it, 1, wait_ms) <= 0)
        return -1;
    zmq_msg_t body;
    zmq_msg_init(&q->id);
    zmq_msg_init(&body);
    zmq_msg_recv(&q->id, router, 0);
    zmq_msg_recv(&body, router, 0);
    Entretiens__V1__Request *rq = entretiens__v1__request__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
    cr_assert_not_null(rq);
    cr_assert_str_eq(rq->method, "events.replay");
    Entretiens__V1__ReplayRequest *rr = entretiens__v1__replay_request__unpack(NULL, rq->payload.len, rq->payload.data);
    cr_assert_not_null(rr);
    q->request_id = rq->request_id;
    q->from = rr->from_seq;
    q->to = rr->to_seq;
    q->n_types = rr->n_types;
    snprintf(q->type, sizeof q->type, "%s", rr->n_types ? rr->types[0] : "");
    entretiens__v1__replay_request__free_unpacked(rr, NULL);
    entretiens__v1__request__free_unpacked(rq, NULL);
    zmq_msg_close(&body);
    return 0;
}

/* How the scripted producer answers: as this version does (the types
 * asked, up to to_seq), as one that predates to_seq (the types asked, up
 * to 4,096 of them), as one that predates types (every event). */
typedef enum { ANSWER_BOUNDED, ANSWER_UNBOUNDED, ANSWER_EVERY } s_answer_t;

/* Answers q with the events from q->from on, at most max of them and
 * looking at no more than max seqs (a page cut short, as by the
 * producer's byte limit). */
static void s_answer_as(void *router, s_req_t *q, uint64_t head, size_t max, s_answer_t how)
{
    bool filter = how != ANSWER_EVERY && q->n_types > 0;
    uint64_t last = head;
    if (how == ANSWER_BOUNDED && q->to && q->to < last)
        last = q->to;
    if (max < 4096 && q->from + max - 1 < last)
        last = q->from + max - 1;
    size_t n = q->from <= last ? (size_t) (last - q->from + 1) : 0;
    n = n < max ? n : max;
    uint8_t *bufs = malloc(n * 64 + 1);
    ProtobufCBinaryData *evs = calloc(n + 1, sizeof *evs);
    cr_assert(bufs && evs);
    Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
    rep.head_seq = head;
    rep.events = evs;
    uint64_t scanned = last;
    for (uint64_t seq = q->from; seq <= last && rep.n_events < n; seq++) {
        /* the pages of the backlog cases hold no poison event */
        const char *type = s_mixed ? s_type_of(seq) : "prod.thing";
        scanned = seq;
        if (filter && strcmp(type, q->type) != 0)
            continue;
        evs[rep.n_events].data = bufs + rep.n_events * 64;
        evs[rep.n_events].len = s_pack_event(seq, type, evs[rep.n_events].data);
        rep.n_events++;
    }
    rep.scanned_to = filter ? scanned : 0;
    Entretiens__V1__Reply reply = ENTRETIENS__V1__REPLY__INIT;
    reply.request_id = q->request_id;
    reply.payload.len = entretiens__v1__replay_reply__get_packed_size(&rep);
    reply.payload.data = malloc(reply.payload.len + 1);
    cr_assert_not_null(reply.payload.data);
    entretiens__v1__replay_reply__pack(&rep, reply.payload.data);
    size_t len = entretiens__v1__reply__get_packed_size(&reply);
    uint8_t *out = malloc(len + 1);
    cr_assert_not_null(out);
    entretiens__v1__reply__pack(&reply, out);
    zmq_msg_send(&q->id, router, ZMQ_SNDMORE);
    zmq_send(router, out, len, 0);
    zmq_msg_close(&q->id);
    free(out);
    free(reply.payload.data);
    free(evs);
    free(bufs);
}

/* Answers q with every event from q->from on, at most max of them. */
static void s_answer_page(void *router, s_req_t *q, uint64_t head, size_t max)
{
    s_answer_as(router, q, head, max, ANSWER_EVERY);
}

#define PAGE 4096 /* the consumer's replay page (subscriber.c) */

/* Answers every request in full pages (as how says) until the consumer's
 * cursor reaches head; checks that each event was applied once, in order
 * (expected of them). */
static void s_serve_as_until_caught_up(s_world_t *w, uint64_t head, s_answer_t how, uint64_t expected)
{
    s_req_t q;
    uint64_t cursor = 0;
    for (int i = 0; i < 300 && cursor < head; i++) {
        while (s_next_request(w->router, 20, &q) == 0)
            s_answer_as(w->router, &q, head, PAGE, how);
        cursor = s_consumer_cursor(w->ctx);
    }
    cr_assert_eq(cursor, head, "consumer caught up to %llu of %llu", (unsigned long long) cursor,
                 (unsigned long long) head);
    cr_expect_eq(s_applied, expected, "applied %llu events, expected %llu", (unsigned long long) s_applied,
                 (unsigned long long) expected);
    cr_expect_eq(s_disorder, 0, "%llu events were applied out of order or twice", (unsigned long long) s_disorder);
}

static void s_serve_until_caught_up(s_world_t *w, uint64_t head)
{
    s_serve_as_until_caught_up(w, head, ANSWER_BOUNDED, head);
}

Test(events, a_backlog_is_read_ahead_and_a_short_page_is_fetched_again)
{
    alarm(60);
    s_world_t w;
    s_world_start(&w);
    const uint64_t head = 4 * PAGE + 100;
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);

    /* the first page, full: the consumer asks for the next pages before it
     * has applied this one (without read-ahead it would ask for page 3 only
     * once page 2 came back) */
    s_req_t q, pending[8];
    size_t np = 0;
    cr_assert_eq(s_next_request(w.router, 10000, &q), 0, "no replay request at start");
    cr_assert_eq(q.from, 1);
    s_answer_page(w.router, &q, head, PAGE);
    bool third = false;
    for (int i = 0; i < 50 && !third && np < 8; i++) {
        if (s_next_request(w.router, 100, &pending[np]) != 0)
            continue;
        third = pending[np].from == 2 * PAGE + 1;
        np++;
    }
    cr_assert(third, "page 3 was not asked while page 2 was unanswered (%zu requests seen)", np);
    cr_assert_eq(pending[0].from, PAGE + 1, "page 2 asked from %llu", (unsigned long long) pending[0].from);

    /* page 2 comes back short (as when the producer's byte limit cuts it):
     * page 3 then starts after a hole, which the consumer must not apply;
     * it asks again from the first missing event */
    for (size_t i = 0; i < np; i++)
        s_answer_page(w.router, &pending[i], head, pending[i].from == PAGE + 1 ? 10 : PAGE);
    s_serve_until_caught_up(&w, head);
    raise(SIGTERM);
    pthread_join(th, NULL);
    s_world_stop(&w);
}

/* Reads the XPUB's subscription messages for up to wait_ms until one
 * equals want (a 0 or 1 byte, then the topic).  True when it came. */
static bool s_subscription(void *xpub, const char *want, size_t want_len, int wait_ms)
{
    zmq_pollitem_t it = { xpub, 0, ZMQ_POLLIN, 0 };
    for (int i = 0; i < wait_ms / 20; i++) {
        while (zmq_poll(&it, 1, 20) > 0) {
            char m[64];
            int n = zmq_recv(xpub, m, sizeof m, 0);
            if (n == (int) want_len && memcmp(m, want, want_len) == 0)
                return true;
        }
    }
    return false;
}

/* Far behind the head a consumer stops receiving the live events (its
 * producer would seal each frame for it, and it would open, unpack and
 * drop them): it subscribes to the heartbeats only and follows by replay;
 * near the head it receives the events again, and a live one is applied.
 * Every event once, in order. */
Test(events, far_behind_a_consumer_takes_heartbeats_only_and_the_events_again_near_the_head)
{
    alarm(90);
    s_xpub = true;
    s_world_t w;
    s_world_start(&w);
    const uint64_t head = 10 * PAGE; /* beyond 8 pages: LAGGING_FROM (subscriber.c) */
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);
    static const char sub_events[] = "\x01prod.", unsub_events[] = "\x00prod.", sub_beats[] = "\x01prod.$heartbeat",
                      unsub_beats[] = "\x00prod.$heartbeat";
    cr_assert(s_subscription(w.pub, sub_events, sizeof sub_events - 1, 10000), "the consumer subscribes at start");
    /* the first page says how far the head is: after that turn the
     * consumer drops the events' subscription and keeps the heartbeats */
    s_req_t q;
    cr_assert_eq(s_next_request(w.router, 10000, &q), 0, "no replay request at start");
    s_answer_page(w.router, &q, head, PAGE);
    cr_assert(s_subscription(w.pub, sub_beats, sizeof sub_beats - 1, 5000),
              "far behind, the consumer subscribes to the heartbeats");
    cr_assert(s_subscription(w.pub, unsub_events, sizeof unsub_events - 1, 5000),
              "far behind, the consumer drops the events' subscription");
    long live = -1;
    for (int i = 0; i < 100 && live != 0; i++) {
        live = s_consumer_metric(w.http, "entretiens_cons_consumer_live");
        if (live != 0)
            usleep(20000);
    }
    cr_assert_eq(live, 0, "entretiens_cons_consumer_live is %ld while far behind", live);
    /* the rest by replay; near the head the events are wanted live again */
    s_serve_until_caught_up(&w, head);
    cr_assert(s_subscription(w.pub, sub_events, sizeof sub_events - 1, 5000),
              "near the head, the consumer subscribes to the events again");
    cr_assert(s_subscription(w.pub, unsub_beats, sizeof unsub_beats - 1, 5000),
              "and drops the heartbeats' own subscription");
    cr_assert_eq(s_consumer_metric(w.http, "entretiens_cons_consumer_live"), 1);
    /* a live event after the head is applied as it comes (no replay asked
     * for it: the router's requests are not answered from here on) */
    uint64_t cursor = 0;
    for (int i = 0; i < 200 && cursor != head + 1; i++) {
        s_publish(w.pub, head + 1);
        usleep(20000);
        cursor = s_consumer_cursor(w.ctx);
    }
    cr_assert_eq(cursor, head + 1, "the live event after the head was not applied (cursor %llu)",
                 (unsigned long long) cursor);
    cr_expect_eq(s_applied, head + 1);
    cr_expect_eq(s_disorder, 0);
    raise(SIGTERM);
    pthread_join(th, NULL);
    s_xpub = false;
    s_world_stop(&w);
}

/* Answers the first page in full and collects the requests that follow
 * while none of them is answered: how many pages the consumer keeps in
 * flight.  Then serves everything and checks every event applied once. */
static void s_read_ahead_case(size_t pages, size_t expected)
{
    alarm(60);
    s_read_ahead = pages;
    s_world_t w;
    s_world_start(&w);
    const uint64_t head = 12 * PAGE;
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);
    s_req_t q, pending[16];
    size_t np = 0;
    cr_assert_eq(s_next_request(w.router, 10000, &q), 0, "no replay request at start");
    s_answer_page(w.router, &q, head, PAGE);
    /* the requests come at once; wait a little beyond the last one */
    for (int idle = 0; idle < 5 && np < 16;)
        if (s_next_request(w.router, 100, &pending[np]) == 0)
            np++, idle = 0;
        else
            idle++;
    cr_expect_eq(np, expected, "%zu pages in flight (asked ahead: %zu), expected %zu", np, pages, expected);
    for (size_t i = 0; i < np; i++) {
        cr_expect_eq(pending[i].from, 1 + (i + 1) * PAGE, "request %zu from %llu", i,
                     (unsigned long long) pending[i].from);
        s_answer_page(w.router, &pending[i], head, PAGE);
    }
    s_serve_until_caught_up(&w, head);
    raise(SIGTERM);
    pthread_join(th, NULL);
    s_world_stop(&w);
}

Test(events, a_consumer_keeps_four_pages_in_flight_by_default)
{
    s_read_ahead_case(0, 4);
}

Test(events, a_consumer_may_ask_more_pages_ahead)
{
    s_read_ahead_case(8, 8);
}

/* A consumer of some types: its replays ask for those types over fixed
 * seq ranges, several at once; a page that stops short of its bound (the
 * byte limit) leaves a hole that the next pages must not jump. */
Test(events, a_consumer_of_some_types_asks_bounded_ranges_of_them_ahead)
{
    alarm(60);
    s_mixed = s_only = true;
    s_world_t w;
    s_world_start(&w);
    const uint64_t head = 5 * PAGE + 100;
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);
    s_req_t q, pending[8];
    size_t np = 0;
    cr_assert_eq(s_next_request(w.router, 10000, &q), 0, "no replay request at start");
    cr_assert_eq(q.from, 1);
    cr_assert_eq(q.to, PAGE, "the first range ends at %llu", (unsigned long long) q.to);
    cr_assert_eq(q.n_types, 1);
    cr_assert_str_eq(q.type, "prod.thing", "only the type applied is asked");
    s_answer_as(w.router, &q, head, PAGE, ANSWER_BOUNDED);
    /* the next ranges are asked before this one is applied */
    for (int idle = 0; idle < 5 && np < 8;)
        if (s_next_request(w.router, 100, &pending[np]) == 0)
            np++, idle = 0;
        else
            idle++;
    cr_assert_eq(np, 4, "%zu ranges in flight, expected 4", np);
    for (size_t i = 0; i < np; i++) {
        cr_expect_eq(pending[i].from, 1 + (i + 1) * PAGE);
        cr_expect_eq(pending[i].to, (i + 2) * PAGE, "range %zu ends at %llu", i, (unsigned long long) pending[i].to);
        cr_expect_eq(pending[i].n_types, 1);
        /* the second range comes back cut short after 10 seqs */
        s_answer_as(w.router, &pending[i], head, i == 0 ? 10 : PAGE, ANSWER_BOUNDED);
    }
    s_serve_as_until_caught_up(&w, head, ANSWER_BOUNDED, s_things(head));
    cr_expect_eq(s_wrong_type, 0, "%llu events of another type applied", (unsigned long long) s_wrong_type);
    long gaps = -1;
    for (int i = 0; i < 40 && gaps < 1; i++) {
        usleep(50000);
        gaps = s_consumer_metric(w.http, "entretiens_cons_events_gaps_total");
    }
    cr_expect_geq(gaps, 1, "the hole after the short range was not seen (%ld)", gaps);
    raise(SIGTERM);
    pthread_join(th, NULL);
    s_world_stop(&w);
}

/* A consumer of some types catches up with a producer answering as how
 * says; others: whether events of the other types reach it. */
static void s_catch_up_case(uint64_t head, s_answer_t how, uint64_t expected, bool others)
{
    alarm(60);
    s_mixed = s_only = true;
    s_world_t w;
    s_world_start(&w);
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);
    s_serve_as_until_caught_up(&w, head, how, expected);
    if (others)
        cr_expect_gt(s_wrong_type, 0, "the other type's events came and were applied (a no-op for such a consumer)");
    else
        cr_expect_eq(s_wrong_type, 0, "%llu events of another type applied", (unsigned long long) s_wrong_type);
    raise(SIGTERM);
    pthread_join(th, NULL);
    s_world_stop(&w);
}

/* Against a producer that predates to_seq: its filtered pages run past the
 * bound (up to 4,096 matches), overlapping the ranges asked after them. */
Test(events, a_consumer_of_some_types_is_right_with_a_producer_that_ignores_the_bound)
{
    s_catch_up_case(6 * PAGE + 7, ANSWER_UNBOUNDED, s_things(6 * PAGE + 7), false);
}

/* Against a producer that predates types: an old-style reply, every
 * event and no scanned_to: all applied, seq by seq. */
Test(events, a_consumer_of_some_types_is_right_with_a_producer_that_sends_every_event)
{
    s_catch_up_case(3 * PAGE + 5, ANSWER_EVERY, 3 * PAGE + 5, true);
}

/* Publishes events from..to in one batch frame (as outbox.c, larger), each
 * with its payload; a piece that is not an envelope after the event
 * `junk_after` (0: none). */
static void s_publish_batch(void *pub, uint64_t from, uint64_t to, uint64_t junk_after)
{
    size_t n = (size_t) (to - from + 1) + (junk_after ? 1 : 0), k = 0;
    ProtobufCBinaryData *evs = calloc(n, sizeof *evs);
    cr_assert_not_null(evs);
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff }; /* a field 31 of an unknown wire type */
    for (uint64_t seq = from; seq <= to; seq++) {
        Entretiens__V1__EventEnvelope e = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
        e.producer = "prod";
        e.seq = seq;
        e.type = "prod.thing";
        uint8_t payload[1024];
        e.payload.len = s_payload_len(seq);
        e.payload.data = payload;
        for (size_t i = 0; i < e.payload.len; i++)
            payload[i] = s_payload_byte(seq, i);
        evs[k].len = entretiens__v1__event_envelope__get_packed_size(&e);
        evs[k].data = malloc(evs[k].len);
        cr_assert_not_null(evs[k].data);
        entretiens__v1__event_envelope__pack(&e, evs[k].data);
        k++;
        if (seq == junk_after) {
            evs[k].len = sizeof junk;
            evs[k].data = malloc(sizeof junk);
            cr_assert_not_null(evs[k].data);
            memcpy(evs[k].data, junk, sizeof junk);
            k++;
        }
    }
    Entretiens__V1__EventBatch b = ENTRETIENS__V1__EVENT_BATCH__INIT;
    b.n_events = k;
    b.events = evs;
    static const char topic[] = "prod" ENT_OUTBOX_BATCH_SUFFIX;
    size_t tl = sizeof topic, bl = entretiens__v1__event_batch__get_packed_size(&b);
    uint8_t *frame = malloc(tl + bl);
    cr_assert_not_null(frame);
    memcpy(frame, topic, tl); /* with its NUL */
    entretiens__v1__event_batch__pack(&b, frame + tl);
    cr_assert_eq(zmq_send(pub, frame, tl + bl, 0), (int) (tl + bl));
    free(frame);
    for (size_t i = 0; i < k; i++)
        free(evs[i].data);
    free(evs);
}

/* Waits until the consumer's cursor reaches head, answering replay
 * requests (whole pages, no payloads) when serve. */
static uint64_t s_live_wait(s_world_t *w, uint64_t head, bool serve)
{
    uint64_t cursor = 0;
    s_req_t q;
    for (int i = 0; i < 500 && cursor < head; i++) {
        while (s_next_request(w->router, serve ? 20 : 0, &q) == 0) {
            if (serve)
                s_answer_page(w->router, &q, head, PAGE);
            else
                zmq_msg_close(&q.id);
        }
        if (!serve)
            usleep(20000);
        cursor = s_consumer_cursor(w->ctx);
    }
    return cursor;
}


/* After a turn failed once at s_fail_at: every event of [from, to] read as
 * published, those before the failure applied twice (the failed turn and
 * the one that applied them again), the others once. */
static void s_expect_one_failed_turn(uint64_t from, uint64_t to)
{
    cr_expect_eq(s_failed, 1);
    cr_expect_eq(s_bad_payload, 0, "%llu events read differently", (unsigned long long) s_bad_payload);
    for (uint64_t seq = from; seq <= to; seq++)
        cr_assert_eq(s_live_count[seq], seq < s_fail_at ? 2u : 1u, "event %llu applied %u times",
                     (unsigned long long) seq, s_live_count[seq]);
}

Test(events, thousands_of_live_events_in_one_turn_a_malformed_one_and_failed_turns)
{
    alarm(120);
    s_live = true;
    s_world_t w;
    s_world_start(&w);
    pthread_t th;
    pthread_create(&th, NULL, s_consumer, NULL);
    /* event 1 published until it arrives live (the subscription takes a
     * moment to reach the PUB; the start's replay answered empty) */
    uint64_t cursor = 0;
    s_req_t q;
    for (int i = 0; i < 300 && cursor < 1; i++) {
        while (s_next_request(w.router, 0, &q) == 0)
            s_answer_page(w.router, &q, 0, PAGE);
        s_publish_batch(w.pub, 1, 1, 0);
        usleep(20000);
        cursor = s_consumer_cursor(w.ctx);
    }
    cr_assert_eq(cursor, 1, "event 1 never arrived live");

    /* 3,000 events of 500-800 bytes in one frame: one turn, past the
     * arena's first chunks and past what its reset keeps; the apply of 1,500
     * runs out of map once: the turn is redone from the same live events */
    const uint64_t a = 2, b = 3001;
    s_fail_at = 1500;
    s_fail_rc = MDB_MAP_FULL;
    s_publish_batch(w.pub, a, b, 700);
    cursor = s_live_wait(&w, b, false);
    cr_assert_eq(cursor, b, "the live batch was applied up to %llu of %llu", (unsigned long long) cursor,
                 (unsigned long long) b);
    s_expect_one_failed_turn(a, b);
    long bad = -1;
    for (int i = 0; i < 100 && bad < 1; i++) {
        usleep(50000);
        bad = s_consumer_metric(w.http, "entretiens_cons_events_malformed_total");
    }
    cr_expect_eq(bad, 1, "the piece that is not an envelope was not counted once as malformed (%ld)", bad);

    /* the next turn's events in the reset arena; one apply fails for good:
     * the turn is lost, its events come again by replay */
    const uint64_t c = b + 1, e = b + 2000;
    s_failed = 0;
    s_fail_at = c + 1000;
    s_fail_rc = MDB_TXN_FULL;
    s_publish_batch(w.pub, c, e, 0);
    cursor = s_live_wait(&w, e, true);
    cr_assert_eq(cursor, e, "after the lost turn, applied up to %llu of %llu", (unsigned long long) cursor,
                 (unsigned long long) e);
    s_expect_one_failed_turn(c, e);
    raise(SIGTERM);
    pthread_join(th, NULL);
    s_world_stop(&w);
}
