/*  Unit tests of common/loop: ZeroMQ on libuv with prepare/check/idle. */
#include "common/loop.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define REQUESTS 200000
#define IN_FLIGHT 100

typedef struct {
    char endpoint[128];
    int requests;
    int window;
    int received;            /* replies the client got */
    uv_async_t done;         /* the client tells the loop it finished */
} s_echo_t;

/* Echo server: [id][body] -> [id][body], at most budget per call. */
static void s_on_router(void *sock, int budget, void *arg)
{
    (void) arg;
    for (int i = 0; i < budget; i++) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        if (zmq_msg_recv(&id, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            return;
        }
        zmq_msg_init(&body);
        zmq_msg_recv(&body, sock, 0);
        zmq_msg_send(&id, sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_msg_send(&body, sock, ZMQ_DONTWAIT);
    }
}

static void *s_client(void *arg)
{
    s_echo_t *e = arg;
    void *ctx = zmq_ctx_new();
    void *d = zmq_socket(ctx, ZMQ_DEALER);
    zmq_connect(d, e->endpoint);
    int sent = 0, got = 0;
    while (got < e->requests) {
        while (sent < e->requests && sent - got < e->window) {
            zmq_send(d, &sent, sizeof sent, 0);
            sent++;
        }
        zmq_pollitem_t it = { d, 0, ZMQ_POLLIN, 0 };
        /* a stalled server shows as a 5 s silence: stop and report */
        if (zmq_poll(&it, 1, 5000) <= 0)
            break;
        int v;
        while (zmq_recv(d, &v, sizeof v, ZMQ_DONTWAIT) >= 0)
            got++;
    }
    e->received = got;
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(d);
    zmq_ctx_term(ctx);
    uv_async_send(&e->done);
    return NULL;
}

static void s_on_done(uv_async_t *a)
{
    ent_loop_stop(a->data);
}

static void s_run_echo(s_echo_t *e)
{
    ent_loop_t *loop = ent_loop_new(256);
    cr_assert_not_null(loop);
    void *router = zmq_socket(ent_loop_zctx(loop), ZMQ_ROUTER);
    cr_assert_eq(zmq_bind(router, e->endpoint), 0, "bind %s: %s", e->endpoint, zmq_strerror(errno));
    ent_zwatch_t *w = ent_loop_watch(loop, router, s_on_router, NULL);
    cr_assert_not_null(w);
    uv_async_init(ent_loop_uv(loop), &e->done, s_on_done);
    e->done.data = loop;
    pthread_t th;
    pthread_create(&th, NULL, s_client, e);
    ent_loop_run(loop);
    pthread_join(th, NULL);
    uv_close((uv_handle_t *) &e->done, NULL);
    ent_loop_unwatch(loop, &w);
    cr_assert_null(w);
    int linger = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(router);
    ent_loop_destroy(&loop);
    cr_assert_null(loop);
}

Test(loop, router_serves_200000_requests_with_100_in_flight)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_echo_t e = { .requests = REQUESTS, .window = IN_FLIGHT };
    snprintf(e.endpoint, sizeof e.endpoint, "ipc:///tmp/ent-loop-%d.ipc", getpid());
    s_run_echo(&e);
    unlink(e.endpoint + 6);
    cr_assert_eq(e.received, REQUESTS, "got %d of %d replies: the loop stalled", e.received, REQUESTS);
}

Test(loop, tcp_loopback_serves_every_request)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_echo_t e = { .requests = 50000, .window = 500 };
    snprintf(e.endpoint, sizeof e.endpoint, "tcp://127.0.0.1:%d", 14000 + getpid() % 6000);
    s_run_echo(&e);
    cr_assert_eq(e.received, 50000, "got %d of 50000 replies", e.received);
}

/* --- turn hooks, wake, stop -------------------------------------------- */

typedef struct {
    ent_loop_t *loop;
    int turns;
    int timer_fired;
    int stop_signal;
} s_hooks_t;

static void s_turn(void *arg)
{
    s_hooks_t *h = arg;
    h->turns++;
}

static void s_on_timer(uv_timer_t *t)
{
    s_hooks_t *h = t->data;
    h->timer_fired++;
    ent_loop_wake(h->loop);
    if (h->timer_fired == 3)
        uv_timer_stop(t);
}

static void s_on_stop(int signum, void *arg)
{
    s_hooks_t *h = arg;
    h->stop_signal = signum;
    ent_loop_stop(h->loop);
}

static void s_raise_term(uv_timer_t *t)
{
    (void) t;
    raise(SIGTERM);
}

Test(loop, turn_hooks_run_after_timers_and_sigterm_stops_the_loop)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    s_hooks_t h = { 0 };
    h.loop = ent_loop_new(0);
    cr_assert_not_null(h.loop);
    cr_assert_eq(ent_loop_on_turn(h.loop, s_turn, &h), 0);
    cr_assert_eq(ent_loop_on_stop(h.loop, s_on_stop, &h), 0);
    uv_timer_t t, term;
    uv_timer_init(ent_loop_uv(h.loop), &t);
    uv_timer_init(ent_loop_uv(h.loop), &term);
    t.data = &h;
    uv_timer_start(&t, s_on_timer, 5, 5);
    uv_timer_start(&term, s_raise_term, 100, 0);
    ent_loop_run(h.loop);
    cr_assert_eq(h.stop_signal, SIGTERM);
    cr_assert_eq(h.timer_fired, 3);
    /* each timer expiry is followed by a check phase running the hooks */
    cr_assert_geq(h.turns, 3, "turns=%d", h.turns);
    uv_close((uv_handle_t *) &t, NULL);
    uv_close((uv_handle_t *) &term, NULL);
    ent_loop_destroy(&h.loop);
}

Test(loop, at_most_eight_turn_hooks)
{
    alarm(120); /* watchdog: .timeout leaks inside Criterion under LSan */
    ent_loop_t *loop = ent_loop_new(0);
    s_hooks_t h = { 0 };
    for (int i = 0; i < 8; i++)
        cr_assert_eq(ent_loop_on_turn(loop, s_turn, &h), 0);
    cr_assert_eq(ent_loop_on_turn(loop, s_turn, &h), -1);
    ent_loop_destroy(&loop);
    ent_loop_destroy(&loop); /* safe on NULL */
}
