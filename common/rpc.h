/*  rpc.h — request/reply over ZeroMQ: a ROUTER server with a method table
 *  (run inside the daemon's turn, replies sent after the commit) and a
 *  blocking DEALER client with timeouts (CLI, tests, benchmarks).
 *
 *  Wire: the client sends one frame, a packed entretiens.v1.Request; the
 *  server answers one frame, a packed Reply with the same request_id.  A REQ
 *  client's empty delimiter frame is accepted and echoed.  Anything else
 *  (extra frames, garbage protobuf, a missing method) is answered with a
 *  status when a reply is possible, and always logged and counted; the
 *  server never stops on input.
 */
#ifndef ENT_RPC_H
#define ENT_RPC_H

#include "common/keys.h"
#include "proto/envelope.pb-c.h"

#include <lmdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENT_RPC_MAX_MESSAGE (64u << 20) /* ZMQ_MAXMSGSIZE on every RPC socket */

typedef Entretiens__V1__Code ent_code_t;
#define ENT_OK                  ENTRETIENS__V1__CODE__OK
#define ENT_INVALID_ARGUMENT    ENTRETIENS__V1__CODE__INVALID_ARGUMENT
#define ENT_DEADLINE_EXCEEDED   ENTRETIENS__V1__CODE__DEADLINE_EXCEEDED
#define ENT_NOT_FOUND           ENTRETIENS__V1__CODE__NOT_FOUND
#define ENT_ALREADY_EXISTS      ENTRETIENS__V1__CODE__ALREADY_EXISTS
#define ENT_PERMISSION_DENIED   ENTRETIENS__V1__CODE__PERMISSION_DENIED
#define ENT_RESOURCE_EXHAUSTED  ENTRETIENS__V1__CODE__RESOURCE_EXHAUSTED
#define ENT_FAILED_PRECONDITION ENTRETIENS__V1__CODE__FAILED_PRECONDITION
#define ENT_UNIMPLEMENTED       ENTRETIENS__V1__CODE__UNIMPLEMENTED
#define ENT_INTERNAL            ENTRETIENS__V1__CODE__INTERNAL
#define ENT_UNAVAILABLE         ENTRETIENS__V1__CODE__UNAVAILABLE
#define ENT_UNAUTHENTICATED     ENTRETIENS__V1__CODE__UNAUTHENTICATED

/* "INVALID_ARGUMENT" ... */
const char *ent_code_name(ent_code_t code);

/* ---------------------------------------------------------------- server */

typedef struct ent_rpc_server ent_rpc_server_t;

/* One call as seen by a method handler. */
typedef struct ent_rpc_pending ent_rpc_pending_t;

/* Starts work whose answer comes later (see ent_rpc_defer).  Called on the
 * loop thread after the turn committed; takes ownership of pending, which
 * must end in ent_rpc_pending_reply or ent_rpc_pending_drop. */
typedef void (*ent_rpc_start_fn)(ent_rpc_pending_t *pending, void *arg);

typedef struct {
    const Entretiens__V1__Request *req;   /* method, payload (never trust req->caller) */
    /* WHO ASKS: the principal bound to the client's authenticated key, or
     * the one a key allowed to assert named in Request.caller ("" when the
     * request named none and the server runs without keys).  Handlers
     * authorise on this, never on the request's own fields. */
    const char *caller;
    const char *key;       /* the client key's name ("" without keys) */
    MDB_txn *txn;          /* a nested transaction of the turn: discarded
                              unless the handler answers OK */
    /* the answer, set through ent_rpc_ok / ent_rpc_fail */
    ent_code_t code;
    char message[512];
    char field[128];
    uint8_t *payload;      /* malloc'd, owned by the server after return */
    size_t payload_len;
    ent_rpc_start_fn start; /* set by ent_rpc_defer */
    void *start_arg;
} ent_rpc_call_t;

/* A method.  Returns 0 with the answer in call (OK or an error status), or
 * an LMDB error code when the store failed: MDB_MAP_FULL makes the daemon
 * grow the map and run the whole turn again; any other code answers this
 * call INTERNAL.  Handlers change memory outside the store only in ways that
 * are safe to repeat (the turn may run twice). */
typedef int (*ent_rpc_fn)(ent_rpc_call_t *call, void *arg);

/* Binds a ROUTER on endpoint with ZMQ_ROUTER_MANDATORY (a reply to a gone
 * client fails loudly instead of vanishing), ZMQ_MAXMSGSIZE, large HWMs and
 * a bounded linger.  curve (may be NULL: plain TCP, no authentication)
 * makes it a CURVE server; the ZAP handler (zap.h) must already be bound in
 * zctx.  Returns NULL (logged) when the bind fails. */
ent_rpc_server_t *ent_rpc_server_new(void *zctx, const char *endpoint, const ent_curve_server_t *curve);

/* Binds every request to its key (call before serving).  With a ring, the
 * User-Id the ZAP handler gave the connection names the client's key, and
 * each request is refused PERMISSION_DENIED (logged "rpc.denied", field
 * named) when:
 *   - the key is no longer in the ring (removed, then SIGHUP);
 *   - the key's allow list does not cover the method;
 *   - the method's audience excludes the key (ent_rpc_audience_t);
 *   - Request.caller names another principal than the key's and the key
 *     may not assert (an asserted caller must also parse: principal.h).
 * Without a ring (ENTRETIENS_INSECURE=1) Request.caller is taken as given. */
void ent_rpc_server_identity(ent_rpc_server_t *srv, ent_keyring_t *ring);

/* Who may call a method, beyond the key's allow list. */
typedef enum {
    ENT_RPC_ANYONE = 0,    /* any key; the handler authorises the principal */
    ENT_RPC_OPERATOR,      /* keys bound to an admin principal (operators) */
    ENT_RPC_DAEMONS,       /* daemons' own keys (daemon=yes) */
    ENT_RPC_NAMED,         /* keys whose allow list names the method itself
                              (not through "*"), and operators */
    ENT_RPC_ADMINS,        /* operators, and keys whose allow list names the
                              method itself acting for an admin principal
                              (the gateway for a signed-in administrator) */
} ent_rpc_audience_t;

/* The ROUTER socket (to watch it on the loop). */
void *ent_rpc_server_socket(ent_rpc_server_t *srv);

/* Registers a method ("scheduler.ingest") open to ENT_RPC_ANYONE, or to the
 * given audience.  Returns 0, or -1 when the name is already registered or
 * memory is short. */
int ent_rpc_server_register(ent_rpc_server_t *srv, const char *method, ent_rpc_fn fn, void *arg);
int ent_rpc_server_register_for(ent_rpc_server_t *srv, const char *method, ent_rpc_audience_t audience,
                                ent_rpc_fn fn, void *arg);

/* Registers a method that only reads the store (a query).  A turn whose
 * requests are all queries runs them in one read-only transaction
 * (ent_rpc_server_process_read): no writer lock, no nested transactions,
 * no commit; in a turn with other work a query runs as any method, in a
 * nested transaction of the turn's.  The handler must not write (in a
 * read-only turn LMDB refuses: EACCES, answered INTERNAL) and must close
 * every cursor it opens (a read-only transaction does not close them).
 * Returns as ent_rpc_server_register. */
int ent_rpc_server_register_read(ent_rpc_server_t *srv, const char *method, ent_rpc_audience_t audience,
                                 ent_rpc_fn fn, void *arg);

/* True when every request waiting in this turn is for a read-only method
 * (or was answered at receipt): the turn may run in a read-only
 * transaction. */
bool ent_rpc_server_read_only(const ent_rpc_server_t *srv);

/* Loop callback: takes up to budget requests from the socket into the
 * turn's queue (see loop.h ent_zwatch_fn). */
void ent_rpc_server_on_readable(void *sock, int budget, void *arg);

/* Requests waiting in this turn. */
size_t ent_rpc_server_pending(const ent_rpc_server_t *srv);

/* Runs every queued request against txn (each in a nested transaction).
 * Returns 0, or MDB_MAP_FULL / another LMDB code that aborts the turn.
 * Safe to call again after ent_rpc_server_reset (the turn is redone). */
int ent_rpc_server_process(ent_rpc_server_t *srv, MDB_txn *txn);

/* As ent_rpc_server_process, for a turn of queries only
 * (ent_rpc_server_read_only): txn is a read-only transaction, used by every
 * request directly.  Returns 0, an LMDB code, or EINVAL when a request
 * waiting is not for a query. */
int ent_rpc_server_process_read(ent_rpc_server_t *srv, MDB_txn *txn);

/* In a turn with writes: the queries that may be answered before them —
 * a query whose client sent only queries before it in this turn (a
 * client's own requests stay in its order: its query after its write sees
 * that write) — run in txn, a read-only transaction on the last committed
 * state, are answered at once (their replies sent, or their deferred start
 * begun), and leave the queue; the rest wait for the turn as before.  So a
 * page's query is not held behind another client's ingest or a catch-up of
 * events, and never sees what is not committed.  ent_rpc_server_early_reads
 * says whether any would be taken.  Returns 0, or an LMDB code (the
 * queries then stay in the queue, unanswered). */
bool ent_rpc_server_early_reads(const ent_rpc_server_t *srv);
int ent_rpc_server_answer_early_reads(ent_rpc_server_t *srv, MDB_txn *txn);

/* Forgets the answers of this turn (the turn will be redone). */
void ent_rpc_server_reset(ent_rpc_server_t *srv);

/* After the commit: sends every answer and empties the queue.  When the
 * turn failed (committed == false) every queued request is answered
 * UNAVAILABLE instead. */
void ent_rpc_server_flush(ent_rpc_server_t *srv, bool committed);

typedef struct {
    uint64_t requests;
    uint64_t denied;         /* refused by the key binding (not by handlers) */
    uint64_t malformed;      /* frames that were not a Request */
    uint64_t unknown_method;
    uint64_t replies_dropped;/* peer gone or at its HWM */
} ent_rpc_server_stats_t;
/* Copies the server's counters since it was created into *out.  Never fails. */
void ent_rpc_server_stats(const ent_rpc_server_t *srv, ent_rpc_server_stats_t *out);

/* Observer called after each answered request (metrics): method ("" when
 * unknown), code and seconds from receipt to reply. */
typedef void (*ent_rpc_observe_fn)(void *arg, const char *method, ent_code_t code, double seconds);
void ent_rpc_server_observe(ent_rpc_server_t *srv, ent_rpc_observe_fn fn, void *arg);

/* Unbinds, closes the socket and frees; the socket must be unwatched first.
 * *srv_p is set to NULL; safe on NULL. */
void ent_rpc_server_destroy(ent_rpc_server_t **srv_p);

/* Handler helpers.  ent_rpc_ok packs msg (NULL = empty payload) and sets
 * OK; returns 0, or ENOMEM.  ent_rpc_fail sets an error status with the
 * offending field (NULL when none) and returns 0. */
int ent_rpc_ok(ent_rpc_call_t *call, const ProtobufCMessage *msg);
int ent_rpc_ok_bytes(ent_rpc_call_t *call, const uint8_t *data, size_t len);
int ent_rpc_fail(ent_rpc_call_t *call, ent_code_t code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The request's payload unpacked as desc (the caller frees it with
 * protobuf_c_message_free_unpacked or the type's own free), or NULL when
 * it is not one, after answering INVALID_ARGUMENT (field "payload",
 * "not a <Type>"): the handler then returns 0. */
void *ent_rpc_unpack(ent_rpc_call_t *call, const ProtobufCMessageDescriptor *desc);

/* Answers later: after the turn commits, start(pending, arg) is called
 * instead of sending a reply, and the work it starts (e.g. on a worker
 * thread) replies with ent_rpc_pending_reply.  The handler itself must not
 * start anything (the turn may run twice).  If the turn fails, the call is
 * answered UNAVAILABLE and start is not called.  Returns 0. */
int ent_rpc_defer(ent_rpc_call_t *call, ent_rpc_start_fn start, void *arg);

/* The request's payload, kept with the pending call. */
const uint8_t *ent_rpc_pending_payload(const ent_rpc_pending_t *p, size_t *len);

/* Sends the answer of a deferred call (msg NULL = empty payload) and frees
 * it; *p is set to NULL.  The server must still exist. */
void ent_rpc_pending_reply(ent_rpc_server_t *srv, ent_rpc_pending_t **p, ent_code_t code, const char *field,
                           const char *message, const ProtobufCMessage *msg);

/* Frees a deferred call without answering it (shutdown: the client times
 * out); *p is set to NULL; safe on NULL. */
void ent_rpc_pending_drop(ent_rpc_pending_t **p);

/* ---------------------------------------------------------------- client */

typedef struct ent_rpc_client ent_rpc_client_t;

typedef struct {
    ent_code_t code;
    char message[512];
    char field[128];
    uint8_t *payload;      /* malloc'd; free with ent_rpc_result_clear */
    size_t payload_len;
} ent_rpc_result_t;

/* Connects a DEALER to endpoint.  timeout_ms bounds each call.  curve (may
 * be NULL: plain) makes it a CURVE client; a handshake the server refuses
 * then ends the call at once with UNAUTHENTICATED instead of a timeout.
 * Returns NULL when the socket cannot be created or connected. */
ent_rpc_client_t *ent_rpc_client_new(void *zctx, const char *endpoint, int timeout_ms,
                                     const ent_curve_client_t *curve);

/* Sends one request and waits for its reply (replies to earlier, timed-out
 * requests are dropped by request_id).  caller (may be NULL) is the
 * principal to act for: honoured only for keys allowed to assert (see
 * ent_rpc_server_identity).  Returns 0 with out filled (out->code is the
 * service's status), or -1 with out->code DEADLINE_EXCEEDED when no answer
 * came in time, UNAUTHENTICATED when the server refused this client's key
 * at the handshake, or INTERNAL on a local failure.  Never retries:
 * callers retry idempotent methods only. */
int ent_rpc_client_call(ent_rpc_client_t *c, const char *method, const char *caller,
                        const uint8_t *payload, size_t len, ent_rpc_result_t *out);

/* The same, packing msg (NULL = empty payload). */
int ent_rpc_client_call_msg(ent_rpc_client_t *c, const char *method, const char *caller,
                            const ProtobufCMessage *msg, ent_rpc_result_t *out);

/* Frees the payload a call put in *r and empties it (the status and the
 * error texts are inline); safe on a cleared or zeroed result. */
void ent_rpc_result_clear(ent_rpc_result_t *r);

/* Closes and frees; *c_p set to NULL; safe on NULL. */
void ent_rpc_client_destroy(ent_rpc_client_t **c_p);

#endif
