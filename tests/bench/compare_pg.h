/*  compare_pg.h — the PostgreSQL peer of `./tests/bench/run.sh compare`:
 *  the same three works as the scheduler's, written as a DBA would on a
 *  stock cluster (durable commits), through libpq over TCP loopback, one
 *  connection.
 *
 *    - ingest: batches of events, each in its own transaction: COPY into a
 *      temporary staging table, then ONE statement that inserts the new
 *      events (ON CONFLICT (source, event_id) DO NOTHING: idempotent) and
 *      upserts the touched employees' state from them (set-based);
 *      acknowledged when COMMIT returns; or, pipelined (libpq's pipeline
 *      mode, several batches in flight on the one connection), each batch
 *      as one statement reading the batch from one text array per column
 *      (COPY cannot run in a pipeline) followed by a Sync: its own durable
 *      transaction, acknowledged when its Sync's result comes back;
 *    - recompute: the next professional-interview due date and status of
 *      every employee in post, from each one's history (the latest
 *      professional interview, read through a partial index), written where
 *      it changed, in one transaction;
 *    - point query: one employee's obligations with the employee's and the
 *      manager's attributes, a prepared statement.
 *
 *  The schema and statements are in compare_pg.c, in full.
 */
#ifndef ENT_COMPARE_PG_H
#define ENT_COMPARE_PG_H

#include "proto/scheduler.pb-c.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cmp_pg cmp_pg_t;

/* Connects with the libpq connection string, creates the schema (dropping
 * an earlier one) and prepares the statements.  Returns NULL (printed). */
cmp_pg_t *cmp_pg_new(const char *conninfo);

/* The backend's process id (to find it in /proc). */
int cmp_pg_backend_pid(const cmp_pg_t *pg);

/* Adds one event to the batch being built (not sent yet).  Returns 0, or
 * -1 when memory is short. */
int cmp_pg_batch_add(cmp_pg_t *pg, const Entretiens__V1__EmployeeEvent *ev);

/* Sends the batch in one transaction and waits for the commit; *inserted
 * gets the events that were new.  Empties the batch.  Returns 0, or -1
 * (printed, the transaction rolled back). */
int cmp_pg_batch_commit(cmp_pg_t *pg, size_t *inserted);

/* The pipelined ingest: after cmp_pg_pipeline_begin the batches built
 * with cmp_pg_batch_add are sent with cmp_pg_pipeline_send (not waiting;
 * empties the batch) and their commits are waited for, oldest first, with
 * cmp_pg_pipeline_recv (*inserted: the events that were new); no other
 * call until cmp_pg_pipeline_end, once every batch sent was received.
 * Each returns 0, or -1 (printed; a failed batch rolled back alone). */
int cmp_pg_pipeline_begin(cmp_pg_t *pg);
int cmp_pg_pipeline_send(cmp_pg_t *pg);
int cmp_pg_pipeline_recv(cmp_pg_t *pg, size_t *inserted);
int cmp_pg_pipeline_end(cmp_pg_t *pg);

/* Empties the events and employees (another ingest from scratch).
 * Returns 0 or -1 (printed). */
int cmp_pg_reset(cmp_pg_t *pg);

/* ANALYZE of every table (what autovacuum would have done after a load). */
int cmp_pg_analyze(cmp_pg_t *pg);

/* Recomputes every employee's next professional interview as of today
 * (a day number, common/date.h) in one transaction; *changed gets the
 * employees whose due date or status changed.  Returns 0 or -1 (printed). */
int cmp_pg_recompute(cmp_pg_t *pg, int32_t today, size_t *changed);

/* Loading the obligations the point query reads: begin, one row per
 * obligation (rows), end (commit).  Each returns 0 or -1 (printed). */
int cmp_pg_obligations_begin(cmp_pg_t *pg);
int cmp_pg_obligations_add(cmp_pg_t *pg, const Entretiens__V1__Obligation *o);
int cmp_pg_obligations_end(cmp_pg_t *pg);

/* One employee's obligations: the prepared statement, every value read.
 * Returns the rows, or -1 (printed). */
int cmp_pg_obligations(cmp_pg_t *pg, const char *employee_id);

/* Closes the connection and frees; *pg_p set to NULL; safe on NULL. */
void cmp_pg_destroy(cmp_pg_t **pg_p);

#endif
