/*  an_batch.h — the counter deltas of a turn's events, merged before they
 *  touch the store.
 *
 *  Applying an event retracts a state record's old contributions and adds
 *  its new ones; most of the rows involved are the same on both sides (an
 *  obligation going overdue keeps its groups, type and month: only the
 *  fields move).  The batch sums the deltas per (database, key) in memory,
 *  then applies each row once, in key order, with one cursor per database:
 *  fewer B-tree descents, and neighbouring keys land on pages already
 *  touched.  A row whose fields all become zero is deleted, as with
 *  an_counter_add.
 *
 *  The batch holds the deltas of every event of a turn (analytics.h,
 *  an_settle): the rows a turn's events share — an entity's month, a
 *  manager's totals — are written once per turn, not once per event.  It is
 *  emptied when applied and when the turn is aborted (an_turn_reset), so a
 *  turn that is redone starts from nothing.  Beyond 262,144 pending rows it
 *  is applied early, within the turn (the same result: the hook sees each
 *  row's net change either way).
 */
#ifndef AN_BATCH_H
#define AN_BATCH_H

#include "an_keys.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

typedef struct an_batch an_batch_t;

/* Called after a row of the hooked database changed: old and neu are its
 * fields before and after (zeros when absent).  Returns 0 or an LMDB code. */
typedef int (*an_batch_hook_fn)(MDB_txn *txn, const uint8_t *key, size_t klen, const int64_t *old,
                                const int64_t *neu, size_t n, void *arg);

/* Returns NULL when out of memory. */
an_batch_t *an_batch_new(void);

/* Frees; *b_p set to NULL; safe on NULL. */
void an_batch_destroy(an_batch_t **b_p);

/* Merges the adds on a worker thread from now on (an_batch.c: the loop
 * appends them to a log, the worker merges it into the table while the
 * loop goes on; an_batch_apply waits for it).  The other calls keep their
 * contracts; an_batch_set waits for the worker first; an_batch_size and
 * an_batch_bytes may only be called when nothing was added since the last
 * an_batch_apply or an_batch_clear.  Already threaded: 0.  Returns 0,
 * ENOMEM, or pthread's error (the batch then merges on the caller's thread
 * as before). */
int an_batch_thread(an_batch_t *b);

/* Applies early at `rows` pending rows instead of the default (tests;
 * 0 = the default). */
void an_batch_limit(an_batch_t *b, size_t rows);

/* Rows of dbi changed by an_batch_apply are reported to fn. */
void an_batch_hook(an_batch_t *b, MDB_dbi dbi, an_batch_hook_fn fn, void *arg);

/* Adds sign * delta[0..n) (n <= 32) to the pending row (dbi, key).  When
 * the batch is full it is applied in txn first.  Returns 0, ENOMEM, or an
 * LMDB code from that early application.  An overflowed key is ignored
 * (an_keys.h: it cannot happen with the sizes used). */
int an_batch_add(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n,
                 int sign);

/* The most keys an_batch_add_many takes (a contribution's rows: every
 * scope, for its type). */
#define AN_BATCH_MANY 16

/* an_batch_add for each of keys[0..nkeys) (nkeys <= AN_BATCH_MANY; the
 * rest are ignored) with the same delta, in that order: the same result as
 * nkeys calls, with the table's cache misses overlapped.  Returns 0,
 * ENOMEM, or an LMDB code from an early application (the keys before the
 * failing one are merged). */
int an_batch_add_many(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *keys, size_t nkeys,
                      const int64_t *delta, size_t n, int sign);

/* Sets (sign >= 0: the value val[0..vlen)) or deletes (sign < 0; absent is
 * not an error) the row (dbi, key) of an index, when the batch is applied;
 * the last call for a key wins.  A batch holds counters or index rows of
 * different databases, never both kinds for one database.  Returns 0,
 * ENOMEM, or an LMDB code from an early application. */
int an_batch_set(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const void *val, size_t vlen,
                 int sign);

/* Applications in a row, each using under a sixteenth of the arrays' room,
 * after which an_batch_apply gives the arrays back (a daemon caught up
 * after a rebuild).  One small application is not enough: in a rebuild a
 * full batch is applied early and the rest of its turn can be small. */
#define AN_BATCH_SHRINK_AFTER 8

/* Applies every pending row in txn and empties the batch; gives the
 * arrays back after AN_BATCH_SHRINK_AFTER small applications in a row.
 * Returns 0 or an LMDB code (the batch is emptied in every case). */
int an_batch_apply(an_batch_t *b, MDB_txn *txn);

/* Drops every pending row. */
void an_batch_clear(an_batch_t *b);

/* Pending rows (tests). */
size_t an_batch_size(const an_batch_t *b);

/* Bytes the batch holds allocated: its arrays keep their size from turn
 * to turn while turns stay large, and are freed by an an_batch_apply that
 * wrote less than a sixteenth of their capacity (above 65,536 rows). */
size_t an_batch_bytes(const an_batch_t *b);

#endif
