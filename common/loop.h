/*  loop.h — ZeroMQ sockets on a libuv loop, one thread, bounded turns.
 *
 *  ZMQ_FD is edge-triggered, and every zmq_send / zmq_recv / ZMQ_EVENTS call
 *  may consume the edge while messages are still queued, so a plain
 *  uv_poll callback stalls under load (measured: 783 of 200,000 requests).
 *  This module uses the prepare/check/idle pattern instead:
 *    - a uv_poll on each ZMQ_FD (readable only) whose callback only notes
 *      that the socket signalled: it wakes the loop;
 *    - one uv_prepare asks ZMQ_EVENTS of every socket before the loop blocks
 *      and starts a no-op uv_idle when one has work, so the poll does not
 *      block;
 *    - one uv_check hands each socket that signalled or was found with work
 *      to its callback, which takes at most `budget` messages (the first
 *      receive processes the socket's pending commands, so no ZMQ_EVENTS
 *      is asked first: each costs libzmq a poll() and a getpid()), then
 *      runs the turn hooks (the daemon
 *      commits its LMDB transaction there and only then sends replies and
 *      events: group commit, Redis' beforeSleep order).
 *  Timers, signals and other uv handles share the same loop.
 *
 *  One process, one loop, one ZeroMQ context (created here).  Nothing here is
 *  thread-safe: call everything from the loop thread.
 */
#ifndef ENT_LOOP_H
#define ENT_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

typedef struct ent_loop ent_loop_t;
typedef struct ent_zwatch ent_zwatch_t;

/* Called in the check phase when the socket may have input (it signalled,
 * or the prepare phase found input or did not look).  It must receive at
 * most `budget` messages with ZMQ_DONTWAIT and return at the first EAGAIN,
 * which may be the first receive. */
typedef void (*ent_zwatch_fn)(void *sock, int budget, void *arg);

/* Called once at the end of every check phase, after the sockets. */
typedef void (*ent_turn_fn)(void *arg);

/* Called when SIGTERM or SIGINT arrives (once per signal). */
typedef void (*ent_stop_fn)(int signum, void *arg);

/* Creates a loop with its own uv_loop_t and ZeroMQ context.
 * budget: messages taken per socket per turn (<= 0: 256).
 * Returns NULL when libuv or ZeroMQ cannot be initialised. */
ent_loop_t *ent_loop_new(int budget);

uv_loop_t *ent_loop_uv(ent_loop_t *loop);
void *ent_loop_zctx(ent_loop_t *loop);

/* Watches a ZeroMQ socket for incoming messages.  The socket stays owned by
 * the caller, who must unwatch it before closing it.  Returns the watch, or
 * NULL (errno set) when ZMQ_FD cannot be read or memory is short. */
ent_zwatch_t *ent_loop_watch(ent_loop_t *loop, void *sock, ent_zwatch_fn fn, void *arg);

/* Stops watching (the uv handle is closed asynchronously; the socket may be
 * closed right after this call returns).  *w is set to NULL. */
void ent_loop_unwatch(ent_loop_t *loop, ent_zwatch_t **w);

/* Registers a hook run at the end of each turn, in registration order.
 * Returns 0, or -1 when more than 8 hooks are registered. */
int ent_loop_on_turn(ent_loop_t *loop, ent_turn_fn fn, void *arg);

/* Installs SIGTERM/SIGINT handling: fn(arg) is called on the loop thread
 * when either signal arrives (the handler asks the loop to stop; the turn
 * in progress finishes first).  A second call replaces fn and arg; the
 * signal watchers do not keep the loop alive on their own.  Returns 0, or
 * -1 when libuv cannot install the watchers. */
int ent_loop_on_stop(ent_loop_t *loop, ent_stop_fn fn, void *arg);

/* Asks for one more turn even if no socket is readable (e.g. work queued by
 * a timer): the next poll will not block. */
void ent_loop_wake(ent_loop_t *loop);

/* Runs until ent_loop_stop.  Returns 0. */
int ent_loop_run(ent_loop_t *loop);

/* Makes ent_loop_run return after the current turn. */
void ent_loop_stop(ent_loop_t *loop);

/* Closes every handle, runs the loop until they are closed, terminates the
 * ZeroMQ context (all sockets must be closed by then) and frees the loop.
 * *loop_p is set to NULL; safe on NULL. */
void ent_loop_destroy(ent_loop_t **loop_p);

#endif
