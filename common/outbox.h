/*  outbox.h — the producer side of reliable events.
 *
 *  An event is written into the store's "outbox" database (key = big-endian
 *  seq, value = the packed EventEnvelope) in the SAME write transaction as
 *  the state change that caused it, and published on the PUB socket only
 *  after that transaction commits.  PUB may drop (slow subscriber, HWM,
 *  subscriber down): subscribers notice the gap from the seq numbers or the
 *  heartbeat and fetch what they missed with events.replay, which reads the
 *  outbox.  The outbox keeps every event: it is the producer's event log, so
 *  a consumer can be rebuilt from seq 1.
 *
 *  Frames on PUB, each one frame "topic NUL body": a turn's events as
 *  "<producer>.$batch" frames whose body is a packed EventBatch (the
 *  envelopes in seq order, up to 32 KiB a frame); heartbeats
 *  "<producer>.$heartbeat" with a packed Heartbeat every second.  Under
 *  CURVE every frame is a box of its own on both sides: one per turn's
 *  slice rather than one per event is what makes the bus cheap
 *  (docs/protocol.md, "Events").
 */
#ifndef ENT_OUTBOX_H
#define ENT_OUTBOX_H

#include "common/keys.h"
#include "common/store.h"
#include "proto/envelope.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ent_outbox ent_outbox_t;

/* The topic of a batch frame is the producer's name and this suffix. */
#define ENT_OUTBOX_BATCH_SUFFIX ".$batch"

/* Binds a PUB socket on endpoint (NULL: no socket, events are only stored
 * and replayed) and reads the last committed seq from the store.  curve
 * (may be NULL: plain) makes the PUB a CURVE server, whose ZAP domain
 * should admit only daemons (zap.h).  Returns NULL (logged) on a bind or
 * store error. */
ent_outbox_t *ent_outbox_new(void *zctx, ent_store_t *store, const char *producer, const char *endpoint,
                             const ent_curve_server_t *curve);

/* Packs env's fields but its payload — what ent_outbox_append writes
 * before the payload's field — into buf[0, cap), byte for byte what
 * protobuf-c packs for them, and sets *len.  Returns 0, or ENOSPC when it
 * does not fit (the outbox then packs with protobuf-c). */
int ent_outbox_envelope_head(const Entretiens__V1__EventEnvelope *env, uint8_t *buf, size_t cap, size_t *len);

/* Appends one event to txn (the turn's transaction) and returns its seq in
 * *seq (may be NULL).  type must start with "<producer>.".  The event is
 * published by ent_outbox_flush after the commit.
 * Returns 0, ENOMEM, or an LMDB code (MDB_MAP_FULL: the turn is redone). */
int ent_outbox_append(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                      const char *trace_id, int64_t occurred_at_ms, const uint8_t *payload,
                      size_t len, uint64_t *seq);

/* The same, packing a protobuf message. */
int ent_outbox_append_msg(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                          const char *trace_id, int64_t occurred_at_ms, const ProtobufCMessage *msg,
                          uint64_t *seq);

/* Forgets the events appended in this turn (the transaction was aborted). */
void ent_outbox_reset(ent_outbox_t *ob);

/* After the commit: publishes the turn's events in batch frames (never
 * blocks; PUB drops a frame at its HWM and replay covers it) and advances
 * the head. */
void ent_outbox_flush(ent_outbox_t *ob);

/* Publishes a heartbeat carrying the committed head. */
void ent_outbox_heartbeat(ent_outbox_t *ob);

/* Last committed seq (0 when nothing was ever published). */
uint64_t ent_outbox_head(const ent_outbox_t *ob);

/* Events published (sent on PUB) since start. */
uint64_t ent_outbox_published(const ent_outbox_t *ob);

/* Fills a ReplayReply with the committed events from from_seq (at most max,
 * capped at 4096 and about 8 MiB), up to to_seq when it is not 0 (a
 * consumer reading ahead asks for fixed seq ranges).  With n_types > 0,
 * only the events of those types, looking at 65,536 events at most, and
 * reply->scanned_to the last seq looked at (the bound, or the head, when
 * the whole range was looked at).  The events point into txn's pages: pack
 * the reply before ending txn; free reply->events with free().  Returns 0,
 * EINVAL (to_seq before from_seq), ENOMEM or an LMDB code. */
int ent_outbox_replay(ent_outbox_t *ob, MDB_txn *txn, uint64_t from_seq, uint64_t to_seq, uint32_t max,
                      char *const *types, size_t n_types, Entretiens__V1__ReplayReply *reply);

/* Closes the socket and frees; *ob_p set to NULL; safe on NULL. */
void ent_outbox_destroy(ent_outbox_t **ob_p);

#endif
