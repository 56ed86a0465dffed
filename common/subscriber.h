/*  subscriber.h — the consumer side of reliable events, one per producer.
 *
 *  A SUB socket receives the producer's live events (topic prefix
 *  "<producer>.") and heartbeats; a DEALER asks the producer's RPC endpoint
 *  for events.replay.  The subscriber applies an event only when its seq is
 *  exactly cursor + 1, and advances cursors[producer] in the SAME write
 *  transaction as the event's effects:
 *    seq <= cursor      a duplicate: skipped (counted);
 *    seq == cursor + 1  applied;
 *    seq >  cursor + 1  a gap: the event is dropped and replay is asked from
 *                       cursor + 1 (the replay brings it back in order).
 *  Replay is also asked at start and whenever a heartbeat shows a head
 *  beyond the cursor, so a consumer that was down, slow or dropped by PUB
 *  catches up.  Hence every event is applied exactly once, in order.
 */
#ifndef ENT_SUBSCRIBER_H
#define ENT_SUBSCRIBER_H

#include "common/keys.h"
#include "common/loop.h"
#include "common/store.h"
#include "proto/envelope.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ent_subscriber ent_subscriber_t;

/* Returned by an apply function for an event it cannot use (bad payload, a
 * newer type): the event is skipped with a log line and a metric, and the
 * cursor moves on — one poison event must not stop the stream. */
#define ENT_EVENT_SKIP 1

/* Applies one event inside the turn's transaction.  Returns 0, ENT_EVENT_SKIP,
 * or an LMDB code (the turn is aborted; MDB_MAP_FULL grows and redoes it).
 * Changes to memory must be safe to repeat (a turn may run twice). */
typedef int (*ent_event_fn)(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);

/* Says, inside the turn's transaction, whether the consumer needs the
 * producer's events now (*wanted), or whether applying any of them would
 * change nothing (no webhook subscription names their kinds, say).
 * Returns 0 or an LMDB code that aborts the turn. */
typedef int (*ent_event_wanted_fn)(MDB_txn *txn, void *arg, bool *wanted);

/* Connects to the producer's PUB and RPC endpoints and loads the cursor.
 * Both sockets are watched on loop; nothing is asked before
 * ent_subscriber_start.  curve (may be NULL: plain) holds this
 * daemon's own key pair and the producer's public key, used for both.
 * Returns NULL (logged) on failure. */
ent_subscriber_t *ent_subscriber_new(ent_loop_t *loop, ent_store_t *store, const char *producer,
                                     const char *pub_endpoint, const char *rpc_endpoint,
                                     const ent_curve_client_t *curve, ent_event_fn apply, void *arg);

/* Lets the consumer say when it needs the events (fn NULL: always, the
 * default).  In a turn where fn answers false, the subscriber applies
 * nothing, moves its cursor to the head it heard (in the turn's txn: the
 * same decision as applying them one by one), and then receives only the
 * producer's heartbeats: the publisher filters the events out, so that
 * neither side encrypts, sends or decodes them.  The first turn where fn
 * answers true again subscribes to the events and asks replay from the
 * cursor, so that nothing committed after the last skipping turn is missed.
 * keep (NULL-terminated, may be NULL; must outlive the subscriber): event
 * types applied even while the others are not wanted.  Then the cursor
 * does not jump to the head: the subscriber asks events.replay for those
 * types only (the producer looks at the events and sends the matching ones
 * with how far it looked), applies them in order, and moves its cursor to
 * where the producer looked.  Before the loop runs. */
void ent_subscriber_set_wanted(ent_subscriber_t *sub, ent_event_wanted_fn fn, void *arg, char *const *keep);

/* The most replay pages a consumer may keep in flight. */
#define ENT_SUBSCRIBER_READ_AHEAD_MAX 32

/* How many replay pages (4,096 events each) are asked ahead while a
 * backlog waits, hence the most a turn applies from this producer (one
 * transaction, one commit).  4 by default; pages is clamped to
 * [1, ENT_SUBSCRIBER_READ_AHEAD_MAX].  More pages amortise the commit over
 * more events (a consumer whose events rewrite the same rows: analytics),
 * at the price of longer turns during a catch-up (requests wait for the
 * turn) and of the pages held in memory (each at most about 8 MiB).
 * Before the loop runs. */
void ent_subscriber_set_read_ahead(ent_subscriber_t *sub, size_t pages);

/* types (NULL-terminated, may be NULL; must outlive the subscriber): the
 * only types the apply function does anything with — an event of another
 * type would be applied as a no-op.  Then every replay (the catch-up at
 * start, after a gap, when a heartbeat tells a head beyond the cursor)
 * asks for those types only, over fixed ranges of seqs (ReplayRequest
 * to_seq), several ranges in flight (read-ahead), and the cursor moves to
 * where the producer looked (scanned_to): the other events are neither
 * read, sent, decrypted nor unpacked.  Live events still come, all of
 * them (a gap is seen only when every seq comes).  A producer that
 * predates to_seq answers longer pages, one at a time; one that predates
 * types answers every event: both applied as they come, in order.  Before
 * ent_subscriber_start. */
void ent_subscriber_set_applied(ent_subscriber_t *sub, char *const *types);

/* Asks the producer for what was committed while this consumer was away
 * (the first replay).  After the ent_subscriber_set_* calls, before the
 * loop runs. */
void ent_subscriber_start(ent_subscriber_t *sub);

/* True when live events, heartbeats or replay replies wait in this turn,
 * or, while the events are not wanted, when the head moved past the cursor. */
bool ent_subscriber_pending(const ent_subscriber_t *sub);

/* Applies the waiting events in txn (replayed ones first, then live ones).
 * Returns 0 or an LMDB code that aborts the turn. */
int ent_subscriber_process(ent_subscriber_t *sub, MDB_txn *txn);

/* The turn was aborted: the in-memory cursor goes back to the committed one. */
void ent_subscriber_reset(ent_subscriber_t *sub);

/* After the turn: drops the queued inputs; when committed the cursor is
 * kept, and a replay is requested if a gap or a newer head was seen. */
void ent_subscriber_flush(ent_subscriber_t *sub, bool committed);

/* Periodic check (call every second): re-sends a replay request that got no
 * answer, asks one when the known head is beyond the cursor. */
void ent_subscriber_tick(ent_subscriber_t *sub);

typedef struct {
    uint64_t cursor;          /* last applied seq */
    uint64_t head;            /* producer's last committed seq as last heard */
    bool heard;               /* a heartbeat or replay reply was received */
    uint64_t applied;
    uint64_t skipped;         /* ENT_EVENT_SKIP */
    uint64_t duplicates;
    uint64_t gaps;
    uint64_t replays;         /* replay requests sent */
    uint64_t malformed;       /* frames that were not an event */
    bool live;                /* receiving the live events (false: far behind, by replay only; or not wanted) */
} ent_subscriber_stats_t;
void ent_subscriber_stats(const ent_subscriber_t *sub, ent_subscriber_stats_t *out);
const char *ent_subscriber_producer(const ent_subscriber_t *sub);

/* Unwatches and closes both sockets and frees; *sub_p set to NULL. */
void ent_subscriber_destroy(ent_subscriber_t **sub_p);

#endif
