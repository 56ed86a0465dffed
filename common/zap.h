/*  zap.h — the ZAP handler (ZeroMQ RFC 27): who may complete a CurveZMQ
 *  handshake with this process's server sockets.
 *
 *  libzmq asks the handler bound on inproc://zeromq.zap.01 of the socket's
 *  context about every new CURVE connection.  This handler admits a client
 *  only when its public key is in the key ring (keys.h), and tells libzmq
 *  the key's name as the connection's User-Id, which the RPC server reads
 *  on every message to find the principal (rpc.h).  The ZAP domain of each
 *  server socket says what is being joined:
 *    "rpc <endpoint>"     any key of the ring;
 *    "events <endpoint>"  only daemons' own keys (daemon=yes): events are
 *                         for the daemons, never for clients;
 *  anything else is refused.  Every refusal is logged (event
 *  "zap.denied": key fingerprint, domain, peer address; at most 20 lines a
 *  second, the rest counted) and counted.
 *
 *  NO FAIL-OPEN.  A CURVE server socket whose context has no handler
 *  accepts any client that knows the server key (libzmq 4.3 makes ZAP
 *  optional).  Hence: create the handler before any server socket (ent_zap_new
 *  returns only once it is bound), answer 500 (refusal) to a request it
 *  cannot read, and if the handler's socket fails the process aborts rather
 *  than serve unauthenticated clients.
 *
 *  THREADING.  The handler runs on its own thread with its own REP socket;
 *  it shares only the key ring (locked lookups) and atomic counters.
 */
#ifndef ENT_ZAP_H
#define ENT_ZAP_H

#include "common/keys.h"

#include <stdbool.h>
#include <stdint.h>

#define ENT_ZAP_DOMAIN_RPC "rpc"
#define ENT_ZAP_DOMAIN_EVENTS "events"

typedef struct ent_zap ent_zap_t;

/* Binds the handler in zctx and starts its thread.  ring is borrowed and
 * must outlive the handler.  Returns NULL (logged) when the endpoint is
 * already bound in this context or the thread cannot start. */
ent_zap_t *ent_zap_new(void *zctx, ent_keyring_t *ring);

typedef struct {
    uint64_t allowed;
    uint64_t denied;      /* unknown key, a client key on an events endpoint, unknown domain */
    uint64_t malformed;   /* requests that were not ZAP 1.0 (answered 500) */
} ent_zap_stats_t;

void ent_zap_stats(const ent_zap_t *zap, ent_zap_stats_t *out);

/* Writes "<kind> <endpoint>" into out (size bytes). */
void ent_zap_domain(char *out, size_t size, const char *kind, const char *endpoint);

/* Stops the thread (within about 100 ms), closes its socket and frees;
 * *zap_p set to NULL; safe on NULL.  Call before terminating the context. */
void ent_zap_destroy(ent_zap_t **zap_p);

#endif
