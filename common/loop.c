/*  loop.c — ZeroMQ on libuv with the prepare/check/idle pattern (loop.h). */
#include "common/loop.h"

#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_TURN_HOOKS 8

struct ent_zwatch {
    uv_poll_t poll;          /* wakes the loop when ZMQ_FD signals; no-op callback */
    void *sock;
    ent_zwatch_fn fn;
    void *arg;
    ent_loop_t *loop;
    ent_zwatch_t *next;
    bool dead;               /* unwatched; freed by the poll's close callback */
    /* The check phase skips a socket the prepare phase just found without
     * input and whose descriptor did not signal since: nothing can have
     * arrived without signalling, and each ZMQ_EVENTS costs a poll() and a
     * getpid() (libzmq's mailbox): with those of the check phase, a third of
     * a request's system calls.  Only a socket another callback of the poll phase
     * touched (and so drained its edge) could be missed, and then only
     * until the next prepare, which looks at every socket: a turn later,
     * never a lost wake-up. */
    bool quiet;              /* prepare: no input; reset when unsure */
    bool fired;              /* its descriptor signalled since the prepare */
};

struct ent_loop {
    uv_loop_t uv;
    void *zctx;
    int budget;
    uv_prepare_t prepare;
    uv_check_t check;
    uv_idle_t idle;
    uv_signal_t sigterm;
    uv_signal_t sigint;
    bool signals_on;
    ent_stop_fn stop_fn;
    void *stop_arg;
    ent_zwatch_t *watches;
    struct { ent_turn_fn fn; void *arg; } hooks[MAX_TURN_HOOKS];
    int n_hooks;
    bool wake;               /* one more non-blocking turn was asked for */
    bool stopping;
};

static int s_zevents(void *sock)
{
    int ev = 0;
    size_t len = sizeof ev;
    return zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) == 0 ? ev : 0;
}

static void s_on_poll(uv_poll_t *h, int status, int events)
{
    (void) status, (void) events;
    ent_zwatch_t *w = h->data;
    w->fired = true;
}

static void s_noop_idle(uv_idle_t *h)
{
    (void) h;
}

/* Before blocking: if any socket still holds messages (its edge may have
 * been consumed by our own calls), keep an idle handle so the poll returns
 * at once and the check phase runs again. */
static void s_on_prepare(uv_prepare_t *h)
{
    ent_loop_t *loop = h->data;
    bool work = loop->wake;
    for (ent_zwatch_t *w = loop->watches; w; w = w->next) {
        w->fired = false;
        /* once work is found the poll will not block: the rest are looked
         * at by the check phase */
        w->quiet = !work && !w->dead && !(s_zevents(w->sock) & ZMQ_POLLIN);
        if (!w->quiet && !w->dead)
            work = true;
    }
    if (work)
        uv_idle_start(&loop->idle, s_noop_idle);
    else
        uv_idle_stop(&loop->idle);
}

static void s_on_check(uv_check_t *h)
{
    ent_loop_t *loop = h->data;
    loop->wake = false;
    for (ent_zwatch_t *w = loop->watches; w; w = w->next) {
        if (w->dead || (w->quiet && !w->fired))
            continue;
        /* no ZMQ_EVENTS first: the callback's first receive processes the
         * socket's commands the same way, and says EAGAIN when empty */
        w->fn(w->sock, loop->budget, w->arg);
    }
    for (int i = 0; i < loop->n_hooks; i++)
        loop->hooks[i].fn(loop->hooks[i].arg);
    if (loop->stopping)
        uv_stop(&loop->uv);
}

ent_loop_t *ent_loop_new(int budget)
{
    ent_loop_t *loop = calloc(1, sizeof *loop);
    if (!loop)
        return NULL;
    loop->budget = budget > 0 ? budget : 256;
    if (uv_loop_init(&loop->uv) != 0) {
        free(loop);
        return NULL;
    }
    loop->zctx = zmq_ctx_new();
    if (!loop->zctx) {
        uv_loop_close(&loop->uv);
        free(loop);
        return NULL;
    }
    uv_prepare_init(&loop->uv, &loop->prepare);
    uv_check_init(&loop->uv, &loop->check);
    uv_idle_init(&loop->uv, &loop->idle);
    loop->prepare.data = loop->check.data = loop->idle.data = loop;
    uv_prepare_start(&loop->prepare, s_on_prepare);
    uv_check_start(&loop->check, s_on_check);
    /* prepare/check alone must not keep the loop alive */
    uv_unref((uv_handle_t *) &loop->prepare);
    uv_unref((uv_handle_t *) &loop->check);
    return loop;
}

uv_loop_t *ent_loop_uv(ent_loop_t *loop)
{
    return &loop->uv;
}

void *ent_loop_zctx(ent_loop_t *loop)
{
    return loop->zctx;
}

ent_zwatch_t *ent_loop_watch(ent_loop_t *loop, void *sock, ent_zwatch_fn fn, void *arg)
{
    int fd;
    size_t len = sizeof fd;
    if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) != 0)
        return NULL;
    ent_zwatch_t *w = calloc(1, sizeof *w);
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    w->sock = sock;
    w->fn = fn;
    w->arg = arg;
    w->loop = loop;
    if (uv_poll_init(&loop->uv, &w->poll, fd) != 0) {
        free(w);
        errno = EINVAL;
        return NULL;
    }
    w->poll.data = w;
    /* READABLE only: ZeroMQ signals every kind of event as readability */
    uv_poll_start(&w->poll, UV_READABLE, s_on_poll);
    /* append: sockets are served in the order they were watched */
    ent_zwatch_t **tail = &loop->watches;
    while (*tail)
        tail = &(*tail)->next;
    *tail = w;
    loop->wake = true;
    return w;
}

static void s_free_watch(uv_handle_t *h)
{
    free(h->data);
}

void ent_loop_unwatch(ent_loop_t *loop, ent_zwatch_t **w_p)
{
    if (!w_p || !*w_p)
        return;
    ent_zwatch_t *w = *w_p;
    for (ent_zwatch_t **p = &loop->watches; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    w->dead = true;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *) &w->poll, s_free_watch);
    *w_p = NULL;
}

int ent_loop_on_turn(ent_loop_t *loop, ent_turn_fn fn, void *arg)
{
    if (loop->n_hooks >= MAX_TURN_HOOKS)
        return -1;
    loop->hooks[loop->n_hooks].fn = fn;
    loop->hooks[loop->n_hooks].arg = arg;
    loop->n_hooks++;
    return 0;
}

static void s_on_signal(uv_signal_t *h, int signum)
{
    ent_loop_t *loop = h->data;
    if (loop->stop_fn)
        loop->stop_fn(signum, loop->stop_arg);
    else
        ent_loop_stop(loop);
}

int ent_loop_on_stop(ent_loop_t *loop, ent_stop_fn fn, void *arg)
{
    loop->stop_fn = fn;
    loop->stop_arg = arg;
    if (loop->signals_on)
        return 0;
    if (uv_signal_init(&loop->uv, &loop->sigterm) || uv_signal_init(&loop->uv, &loop->sigint))
        return -1;
    loop->sigterm.data = loop->sigint.data = loop;
    uv_signal_start(&loop->sigterm, s_on_signal, SIGTERM);
    uv_signal_start(&loop->sigint, s_on_signal, SIGINT);
    /* a signal watcher alone must not keep the loop alive */
    uv_unref((uv_handle_t *) &loop->sigterm);
    uv_unref((uv_handle_t *) &loop->sigint);
    loop->signals_on = true;
    return 0;
}

void ent_loop_wake(ent_loop_t *loop)
{
    loop->wake = true;
}

int ent_loop_run(ent_loop_t *loop)
{
    loop->stopping = false;
    /* the check handle is unref'd; a referenced idle keeps us turning while
     * sockets are watched, and poll handles keep the loop alive */
    uv_run(&loop->uv, UV_RUN_DEFAULT);
    return 0;
}

void ent_loop_stop(ent_loop_t *loop)
{
    loop->stopping = true;
    loop->wake = true;
    uv_stop(&loop->uv);
}

static void s_close_if_open(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void ent_loop_destroy(ent_loop_t **loop_p)
{
    if (!loop_p || !*loop_p)
        return;
    ent_loop_t *loop = *loop_p;
    while (loop->watches) {
        ent_zwatch_t *w = loop->watches;
        ent_loop_unwatch(loop, &w);
    }
    s_close_if_open((uv_handle_t *) &loop->prepare);
    s_close_if_open((uv_handle_t *) &loop->check);
    s_close_if_open((uv_handle_t *) &loop->idle);
    if (loop->signals_on) {
        s_close_if_open((uv_handle_t *) &loop->sigterm);
        s_close_if_open((uv_handle_t *) &loop->sigint);
    }
    /* let the close callbacks run; handles of other modules must have been
     * closed by their owners before this call */
    uv_run(&loop->uv, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop->uv) != 0)
        ent_log_warn("loop.close", "libuv loop still had open handles at close");
    zmq_ctx_term(loop->zctx);
    free(loop);
    *loop_p = NULL;
}
