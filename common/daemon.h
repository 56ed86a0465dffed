/*  daemon.h — the runtime every entretiens daemon is built on.
 *
 *  One process = one libuv loop = one LMDB store = one thread.  The daemon:
 *    - reads its configuration (environment, flags, --help) and pins the
 *      clock when ENTRETIENS_NOW is set;
 *    - opens its store under ENTRETIENS_DATA_DIR/<name>/ and migrates it;
 *    - binds a ROUTER for its methods (ENTRETIENS_<NAME>_RPC), a PUB for
 *      its events (ENTRETIENS_<NAME>_PUB) and an HTTP endpoint for
 *      /healthz, /readyz and /metrics (ENTRETIENS_<NAME>_HTTP);
 *    - subscribes to the producers it consumes (their PUB + RPC endpoints
 *      from the same configuration contract);
 *    - runs turns: everything received in one loop iteration (requests,
 *      events, replayed events, periodic work) is applied in ONE write
 *      transaction, then the events are published and the replies sent.
 *      On MDB_MAP_FULL the map grows and the turn runs again on the same
 *      inputs; if the store fails otherwise, nothing of the turn is kept,
 *      requests are answered UNAVAILABLE and events are fetched again;
 *    - on SIGTERM/SIGINT: not ready any more, finishes the current turn,
 *      closes its sockets with a bounded linger, syncs and closes the store.
 *
 *  Trust: unless ENTRETIENS_INSECURE=1, the daemon refuses to start
 *  without its keys (ENTRETIENS_KEYS_DIR: every NAME.pub and its own
 *  <name>.secret, keys.h); it binds the ZAP handler (zap.h) before any
 *  socket, makes its ROUTER and PUB CurveZMQ servers, binds each request to
 *  the client's key (rpc.h), subscribes with its own key, and re-reads the
 *  keys directory on SIGHUP.
 *
 *  Built-in methods on every daemon: "health" (HealthReply),
 *  "admin.clock.show" (ClockState), "admin.clock.set" (ClockSet; operators
 *  only; refused with FAILED_PRECONDITION unless the clock is pinned; runs
 *  every periodic work right away, in the same transaction, so the reply
 *  means its effects are committed), "admin.backup" (BackupRequest;
 *  operators only; the copy is written mode 0600) and, for producers,
 *  "events.replay" (ReplayRequest -> ReplayReply; daemons' keys only).
 */
#ifndef ENT_DAEMON_H
#define ENT_DAEMON_H

#include "common/config.h"
#include "common/loop.h"
#include "common/metrics.h"
#include "common/outbox.h"
#include "common/rpc.h"
#include "common/store.h"
#include "common/subscriber.h"

#include <stdbool.h>

typedef struct ent_daemon ent_daemon_t;

typedef struct {
    const char *name;                 /* "scheduler": store dir, endpoints, metric prefix */
    const char *summary;              /* first line of --help */
    const ent_config_var_t *vars;     /* the daemon's own variables (may be NULL) */
    size_t n_vars;
    unsigned max_dbs;                 /* named databases the service adds */
    unsigned schema_version;          /* the store schema this binary writes */
    ent_store_migrate_fn migrate;     /* steps to schema_version (may be NULL) */
    void *migrate_arg;
    bool publishes;                   /* has an outbox and a PUB socket */
    const char *const *consumes;      /* producers it subscribes to, NULL-terminated */
    /* the endpoint kind of /healthz /readyz /metrics: NULL = "HTTP"
     * (ENTRETIENS_<NAME>_HTTP); the gateway serves its API on _HTTP and
     * these on "OPS_HTTP" (ENTRETIENS_GATEWAY_OPS_HTTP) */
    const char *http_kind;
    /* /readyz does not wait for the consumed producers (heard, caught up):
     * the gateway serves its API whether or not its webhook feed lags;
     * the lag shows in the consumer metrics */
    bool ready_ignores_consumers;
    /* the store is a projection of the consumed producers' events (it can
     * be thrown away and rebuilt from them): a rebuild — every cursor at 0
     * when the daemon starts — is a bulk load (store.h: commits not synced
     * one by one, the store synced once every producer is caught up) */
    bool projection;
} ent_daemon_spec_t;

/* Work run inside a turn's transaction (periodic work, clock changes).
 * Returns 0 or an LMDB code (MDB_MAP_FULL: the turn is redone). */
typedef int (*ent_daemon_work_fn)(MDB_txn *txn, void *arg);

/* Service state outside the store follows the turn: reset when the turn is
 * aborted (it will run again), flush after it ends (committed or not). */
typedef void (*ent_daemon_reset_fn)(void *arg);
typedef void (*ent_daemon_flush_fn)(void *arg, bool committed);

/* Reads the configuration and opens the store.  Returns 0 and *out, or an
 * exit status: 0 with *out NULL after --help, 2 on a configuration error,
 * 1 when the store cannot be opened (each logged). */
int ent_daemon_new(const ent_daemon_spec_t *spec, int argc, char **argv, ent_daemon_t **out);

ent_store_t *ent_daemon_store(ent_daemon_t *d);
ent_loop_t *ent_daemon_loop(ent_daemon_t *d);
ent_metrics_t *ent_daemon_metrics(ent_daemon_t *d);
const ent_config_t *ent_daemon_config(ent_daemon_t *d);
const char *ent_daemon_name(const ent_daemon_t *d);

/* The RPC server (for ent_rpc_pending_reply after ent_rpc_defer). */
ent_rpc_server_t *ent_daemon_rpc(ent_daemon_t *d);

/* The outbox (NULL until ent_daemon_start, or when the spec does not publish). */
ent_outbox_t *ent_daemon_outbox(ent_daemon_t *d);

/* Registers a method open to any key (the handler authorises the caller),
 * or to an audience (rpc.h).  Before or after start.  Returns 0 or -1
 * (taken). */
int ent_daemon_method(ent_daemon_t *d, const char *method, ent_rpc_fn fn, void *arg);
int ent_daemon_method_for(ent_daemon_t *d, const char *method, ent_rpc_audience_t audience, ent_rpc_fn fn,
                          void *arg);

/* Registers a query: a method open to any key that only reads the store
 * (rpc.h, ent_rpc_server_register_read: no nested transaction, and a turn
 * of queries only runs in a read-only transaction).  Returns 0 or -1
 * (taken). */
int ent_daemon_query(ent_daemon_t *d, const char *method, ent_rpc_fn fn, void *arg);

/* True when the daemon runs without keys (ENTRETIENS_INSECURE=1). */
bool ent_daemon_insecure(const ent_daemon_t *d);

/* The CURVE settings for this daemon to call another one (server: its key
 * name, e.g. "scheduler").  Returns 0 with out filled, 1 when the daemon
 * runs without keys (connect in the clear), or -1 (logged) when the keys
 * directory has no such key. */
int ent_daemon_client_curve(ent_daemon_t *d, const char *server, ent_curve_client_t *out);

/* Registers the apply function for a producer listed in spec->consumes.
 * Before start.  Returns 0, or -1 when the producer is not consumed. */
int ent_daemon_on_event(ent_daemon_t *d, const char *producer, ent_event_fn fn, void *arg);

/* Lets the consumer of producer say, in each turn, whether it needs the
 * events at all (subscriber.h ent_subscriber_set_wanted: while it does
 * not, the producer's publisher filters them out and the cursor follows
 * the head; the types of keep, NULL-terminated and static, are applied
 * all the same, fetched by filtered replay).  Before start.  Returns 0, or
 * -1 when the producer is not consumed. */
int ent_daemon_events_wanted(ent_daemon_t *d, const char *producer, ent_event_wanted_fn fn, void *arg,
                             char *const *keep);

/* The only event types of producer that the apply function does anything
 * with (NULL-terminated, static): replays ask for those types alone, in
 * fixed seq ranges read ahead (subscriber.h ent_subscriber_set_applied);
 * live events still come, all of them.  Before start.  Returns 0, or -1
 * when the producer is not consumed. */
int ent_daemon_applied_types(ent_daemon_t *d, const char *producer, char *const *types);

/* How many replay pages of producer are asked ahead while a backlog
 * waits, hence the most events of it one turn applies (subscriber.h
 * ent_subscriber_set_read_ahead; 4 pages of 4,096 events by default).
 * Before start.  Returns 0, or -1 when the producer is not consumed. */
int ent_daemon_read_ahead(ent_daemon_t *d, const char *producer, size_t pages);

/* Runs fn inside a turn every interval_ms (and at every clock change).
 * Before start.  Returns 0 or -1 (more than 8). */
int ent_daemon_every(ent_daemon_t *d, unsigned interval_ms, ent_daemon_work_fn fn, void *arg);

/* Adds a participant in the turn protocol (see the typedefs).  Returns 0 or -1. */
int ent_daemon_participant(ent_daemon_t *d, ent_daemon_reset_fn reset, ent_daemon_flush_fn flush, void *arg);

/* Writes a service deferred while the turn's events were applied: fn runs
 * in every turn that has work, after the events and the periodic work and
 * before the RPC requests, so that the requests and the commit see it
 * (analytics merges its counter deltas over a whole turn and writes them
 * here).  A turn of queries only (no event, no periodic work, every
 * request a query) has nothing deferred: it runs in a read-only
 * transaction and fn is not called.  Returns 0, or an LMDB code that
 * aborts the turn (the turn's participants are reset; MDB_MAP_FULL grows
 * the map and runs it again). */
typedef int (*ent_daemon_settle_fn)(MDB_txn *txn, void *arg);

/* Registers fn (before start).  Returns 0, or -1 when more than 8 are. */
int ent_daemon_on_settle(ent_daemon_t *d, ent_daemon_settle_fn fn, void *arg);

/* A store of the service's beside the daemon's own, whose writes must be
 * durable before the turn's commit (records' keystore: a data key before
 * any content sealed under it).  begin(arg) runs when a write turn has
 * opened its transaction, precommit(arg) after the turn's work (events,
 * periodic work, settles, requests) and before the commit: the service
 * gathers its writes of the turn and makes them durable there at once,
 * instead of once each.  A precommit error aborts the turn (its
 * participants are reset) and is logged as the turn's failure; the
 * participant's reset must then undo what begin started.  Not called in a
 * turn of queries only (read-only transaction).  Registers (before start);
 * returns 0, or -1 when more than 8 are. */
typedef void (*ent_daemon_begin_fn)(void *arg);
typedef int (*ent_daemon_precommit_fn)(void *arg);
int ent_daemon_on_commit(ent_daemon_t *d, ent_daemon_begin_fn begin, ent_daemon_precommit_fn precommit, void *arg);

/* Offloaded work: a method whose answer takes long to compute from a
 * stable view of the store (a backup, the whole audit chain's check) hands
 * it to a libuv worker thread, so that the loop goes on serving.  The job
 * runs after the turn commits; run(job, arg) fills code (ENT_OK set
 * before), field, message and reply, and may open read-only transactions
 * on job->store's environment, holding ent_store_thread_hold for each
 * (common/store.h).  The answer is sent on the loop thread; reply is then
 * freed with free_reply.  A daemon stopping while jobs run leaves their
 * callers unanswered (they time out).  The spec must outlive the daemon. */
typedef struct {
    ent_store_t *store;             /* the daemon's */
    const uint8_t *payload;         /* the request's payload (valid during run) */
    size_t payload_len;
    ent_code_t code;
    char field[64];
    char message[512];
    ProtobufCMessage *reply;        /* NULL: an empty payload */
} ent_offload_job_t;
typedef void (*ent_offload_fn)(ent_offload_job_t *job, void *arg);
typedef struct {
    ent_daemon_t *d;
    ent_offload_fn run;
    void *arg;
    void (*free_reply)(ProtobufCMessage *reply);
} ent_daemon_offload_t;

/* Called by a method handler in place of answering: returns what the
 * handler returns (0). */
int ent_daemon_offload(ent_rpc_call_t *call, const ent_daemon_offload_t *spec);

/* Binds the sockets and the HTTP endpoint, connects the subscribers.
 * Returns 0, or -1 (logged) when an endpoint cannot be bound. */
int ent_daemon_start(ent_daemon_t *d);

/* Serves until SIGTERM/SIGINT (ent_daemon_start first).  Returns 0. */
int ent_daemon_run(ent_daemon_t *d);

/* Closes everything (store synced) and frees; *d_p = NULL; safe on NULL. */
void ent_daemon_destroy(ent_daemon_t **d_p);

/* A service's set-up: registers methods, event handlers, periodic work.
 * Returns 0, -1 to abort start-up (after logging why: exit status 1), or
 * ENT_DAEMON_CONFIG_ERROR for a configuration it refuses (exit status 2,
 * which systemd and the docs treat as "do not retry"). */
#define ENT_DAEMON_CONFIG_ERROR 2
typedef int (*ent_daemon_setup_fn)(ent_daemon_t *d, void *arg);

/* The whole life of a daemon process: new, setup, start, run, destroy.
 * Returns the process exit status. */
int ent_daemon_main(const ent_daemon_spec_t *spec, int argc, char **argv, ent_daemon_setup_fn setup, void *arg);

#endif
