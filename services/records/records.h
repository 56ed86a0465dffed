/*  records.h — the records service: store layout and the functions its
 *  modules share.  One instance per process, loop thread only.  Nothing is
 *  kept in memory between turns: every piece of state is in LMDB, so a turn
 *  that is redone (map full) or lost (crash) leaves nothing to undo.
 *
 *  Store (named databases of records' LMDB environment):
 *    interviews     id -> packed Interview (metadata, progress, signatures;
 *                   its free text sealed in Interview.sealed, atrest.c)
 *    content        id -> sealed packed InterviewContent (answers, notes)
 *    by_obligation  obligation_id -> interview id (creation is idempotent)
 *    by_employee    employee \0 id -> ""
 *    by_manager     interviewer \0 id -> ""
 *    by_status      status byte, be32(due), id -> ""
 *    by_due         be32(due), id -> ""
 *    templates      template id \0 be32(version) -> packed Template
 *    template_sel   type \0 locale \0 entity \0 category \0 id -> be32(latest version)
 *    directory      employee id -> packed Employee (from scheduler.employee.upserted)
 *    reports        manager \0 employee -> "" (the management tree, downwards)
 *    grants         principal -> packed AccessGrant (HR scopes)
 *    audit          be64(seq) -> packed AuditRecord (the global chain)
 *    audit_idx      interview \0 be32(n) -> be64(seq) + interview hash (each
 *                   interview's chain); "\0" -> be64(head seq) + head hash
 *    retention      employee -> one byte: the retention parts already purged
 *                   (bit per rec_part_t; purge.c)
 *  Meta counters: "interview_seq"; "atrest_pending" (1: values written in
 *  clear before schema 2 are still to be sealed, done at start).
 *  The employees' data keys are in another environment (rec_crypt.h).
 */
#ifndef REC_RECORDS_H
#define REC_RECORDS_H

#include "rec_access.h"
#include "common/pbdate.h"
#include "rec_audit.h"
#include "rec_crypt.h"
#include "rec_lifecycle.h"
#include "rec_retention.h"
#include "rec_template.h"

#include "common/daemon.h"
#include "common/pbarena.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define REC_ID_MAX 64
#define REC_LIST_DEFAULT 1000
#define REC_LIST_MAX 50000
#define REC_TREE_DEPTH 64       /* management chains are followed this far */
#define REC_READ_AHEAD_PAGES 32 /* the scheduler's replay pages asked ahead in a catch-up */

/* Where the retention sweep's pass stands (purge.c): the next directory
 * key, whether a pass is under way, and when the last one started. */
typedef struct {
    char next[REC_ID_MAX + 1];
    bool running;
    int32_t day;          /* the business day the pass started on */
    int64_t at_ms;        /* ... and the monotonic time */
    size_t seen, turns;   /* employees looked at and turns taken by this pass */
} rec_sweep_pos_t;

typedef struct records {
    ent_daemon_t *d;
    ent_store_t *store;
    ent_daemon_offload_t verify_spec; /* the whole chain's audit verify, on a worker (methods.c) */
    MDB_dbi interviews, content, by_obligation, by_employee, by_manager, by_status, by_due, templates, template_sel, directory,
        reports, grants, audit, audit_idx, deferred, deferred_idx, reads, retention, template_usage;
    int horizon_days;     /* ENTRETIENS_RECORDS_HORIZON_DAYS; 0 = no horizon */
    rec_crypt_t *crypt;   /* the keystore (rec_crypt.h); NULL only in unit tests of other parts */
    bool encrypt;         /* ENTRETIENS_RECORDS_ENCRYPT: seal what is written (reads open both) */
    rec_retention_t retention_cfg; /* ENTRETIENS_RETENTION_* */
    ent_pbarena_t *arena; /* the scheduler's event being applied is unpacked into it; NULL: the heap */
    size_t retention_chunk;              /* ENTRETIENS_RECORDS_RETENTION_CHUNK: employees a turn */
    rec_sweep_pos_t retention_pos, turn_retention_pos; /* committed, and this turn's */
    struct rec_idxq *idxq; /* index writes queued during a turn's events (idxbatch.c); NULL: none */
    EVP_MD_CTX *md;        /* the loop thread's SHA-256 context, reused by every commit; NULL: one per hash */
} records_t;

/* Records' own configuration variables (ENTRETIENS_RECORDS_HORIZON_DAYS). */
extern const ent_config_var_t rec_config_vars[];
extern const size_t rec_n_config_vars;

/* The bytes of field 1, a message, when it is the only field of the
 * packed message p (EmployeeUpserted.employee, ObligationEvent.obligation):
 * what can be stored without unpacking and packing it again.  Returns
 * true and *out pointing into p, or false (another layout: pack it). */
bool rec_sole_field1(const ProtobufCBinaryData *p, ProtobufCBinaryData *out);

/* ---- idxbatch.c: index writes of a turn's events, sorted ---------------- */

/* rec_idxq_new / rec_idxq_destroy: the queue (r->idxq; 0 or ENOMEM /
 * destroy accepts none).  rec_idx_collect: from now until the turn's
 * settle step, the writes to by_manager, by_status, by_due, deferred_idx
 * and reports are queued (called when an event is applied).
 * rec_idx_put (an empty value) / rec_idx_del (a missing key is not an
 * error): queued then, else written at once, and always at once for
 * another database; 0, ENOMEM or an LMDB code.  rec_idx_settle: writes the
 * queue, sorted by key, one cursor per index (a reader of those indexes
 * after the events, in the same turn, calls it first); 0 or an LMDB code
 * (the turn is then aborted).  rec_idx_settle_turn: the same, as the
 * daemon's settle step, and the queueing stops for the rest of the turn
 * (its requests).  rec_idx_reset / rec_idx_flush: the turn's participant
 * (an aborted turn's queue is dropped with its transaction). */
/* Memos: a value of a few bytes that every creation reads and writes again
 * (the interview counter, the audit chain's head), kept for the turn's
 * events and written once at the settle step (rec_idx_settle), dropped
 * with an aborted turn.  which names the slot (one key each).
 * rec_memo_get copies the value into val (room *vlen, set to its length):
 * 0, MDB_NOTFOUND, MDB_CORRUPTED (longer than *vlen), or an LMDB code.
 * rec_memo_put: 0 or an LMDB code.  While the events are not being applied
 * (requests, unit tests) both read and write the store directly. */
enum { REC_MEMO_IV_SEQ, REC_MEMO_AUDIT_HEAD, REC_MEMO_N };
#define REC_MEMO_KEY_MAX 16
#define REC_MEMO_VAL_MAX 48
int rec_memo_get(records_t *r, MDB_txn *txn, int which, MDB_dbi dbi, const void *key, size_t klen, void *val,
                 size_t *vlen);
int rec_memo_put(records_t *r, MDB_txn *txn, int which, MDB_dbi dbi, const void *key, size_t klen, const void *val,
                 size_t vlen);
int rec_idxq_new(records_t *r);
void rec_idxq_destroy(records_t *r);
void rec_idx_collect(records_t *r);
int rec_idx_put(records_t *r, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len);
int rec_idx_del(records_t *r, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len);
int rec_idx_settle(records_t *r, MDB_txn *txn);
int rec_idx_settle_turn(MDB_txn *txn, void *arg);
void rec_idx_reset(void *arg);
void rec_idx_flush(void *arg, bool committed);

/* ---- deferred.c: obligations beyond the horizon ------------------------- */

/* True when o's window (else its due date) opens after today + the horizon. */
bool rec_beyond_horizon(const records_t *r, const Entretiens__V1__Obligation *o);

/* Keeps o aside (replacing a previous version of it) / forgets it.
 * packed: o as packed by the scheduler, of which the fields a release
 * reads are stored (rec_deferred_trim; NULL, or bytes that do not walk:
 * o is packed here, whole).  Return 0, EINVAL (an obligation id over 250
 * bytes) or an LMDB code. */
int rec_deferred_put(records_t *r, MDB_txn *txn, const Entretiens__V1__Obligation *o, const ProtobufCBinaryData *packed);
int rec_deferred_drop(records_t *r, MDB_txn *txn, const char *obligation_id);

/* Copies into out (room bytes) the fields of the packed Obligation in
 * (n bytes) that a deferred obligation keeps: every field but the id (the
 * key of `deferred`), the status, rule, basis, reason, penalties, anchor,
 * met date and the manager's names; fields this version does not know are
 * kept.  Returns the bytes written, or 0 when in is not a message of
 * varint and length-delimited fields, or does not fit in room (the caller
 * then stores the obligation whole). */
size_t rec_deferred_trim(const uint8_t *in, size_t n, uint8_t *out, size_t room);

/* Periodic work (ent_daemon_work_fn, also run at every clock change):
 * creates the interviews of the kept obligations whose window now opens
 * within the horizon.  Returns 0 or an LMDB code. */
int rec_deferred_release(MDB_txn *txn, void *arg);

/* interviews.c: the interview of an obligation the scheduler says is due
 * (created, restored or its due date moved).  Returns 0, ENT_EVENT_SKIP
 * for an unusable obligation, or an LMDB code. */
int rec_obligation_due(records_t *r, MDB_txn *txn, const Entretiens__V1__Obligation *o, const char *trace_id);

/* ---- grants.c: HR grants as events (common/grants.h) -------------------- */

/* Appends a grant event (records.access.granted / .revoked, payload a
 * packed AccessGrant) to txn.  Returns 0 or an LMDB code. */
int rec_grant_publish(records_t *r, MDB_txn *txn, const char *type, const uint8_t *packed, size_t len);

/* Periodic work (ent_daemon_work_fn): the first time it runs on a store,
 * publishes every grant already there, then never again. */
int rec_grants_announce(MDB_txn *txn, void *arg);

typedef Entretiens__V1__Interview rec_iv_t;
typedef Entretiens__V1__InterviewContent rec_content_t;

/* ---- atrest.c: the stored form of headers and content -------------------- */

/* The header as stored (malloc'd): with r->crypt and r->encrypt, its free
 * text (title, reason, signature comments, carried items) sealed into
 * Interview.sealed and blanked.  Returns 0, ENOMEM or a keystore code. */
int rec_header_pack(records_t *r, const rec_iv_t *iv, uint8_t **out, size_t *len);

/* After unpacking a stored header: opens iv->sealed into the fields and
 * empties it.  Returns 0, REC_CRYPT_SHREDDED (the free text stays empty),
 * REC_CRYPT_FORGED, MDB_CORRUPTED or ENOMEM; sealed is emptied in every case. */
int rec_header_open(records_t *r, rec_iv_t *iv);

/* The content as stored (malloc'd; sealed under iv's employee unless
 * encryption is off).  Returns 0, ENOMEM or a keystore code. */
int rec_content_pack(records_t *r, const rec_iv_t *iv, const rec_content_t *c, uint8_t **out, size_t *len);

/* A stored content value (sealed, or clear from before schema 2) unpacked.
 * Returns 0, REC_CRYPT_SHREDDED (purged), REC_CRYPT_FORGED, MDB_CORRUPTED. */
int rec_content_unpack(records_t *r, const char *id, const uint8_t *v, size_t n, rec_content_t **out);

/* ---- reads.c: the record of reads ------------------------------------------ */

/* Records that principal read the parts what[0..n) of interview id (none
 * when n is 0).  Returns 0 or an LMDB code. */
int rec_reads_put(records_t *r, MDB_txn *txn, const char *id, const char *principal, const char *const *what, size_t n);

/* The reads of interview id, oldest first (free with rec_reads_free).
 * Returns 0, ENOMEM or an LMDB code. */
int rec_reads_list(records_t *r, MDB_txn *txn, const char *id, Entretiens__V1__InterviewRead ***out, size_t *n);
void rec_reads_free(Entretiens__V1__InterviewRead **reads, size_t n);

/* ---- view.c: what a relation sees of an interview ------------------------- */

#define REC_VIEW_WITHHELD_MAX 10

/* An InterviewView and the storage it points into (besides iv and c,
 * which must outlive it). */
typedef struct {
    Entretiens__V1__InterviewView v;
    Entretiens__V1__Interview shown;
    const char *withheld[REC_VIEW_WITHHELD_MAX];
    char digest[2 * REC_HASH_LEN + 1];
} rec_view_t;

/* What rel sees of iv and its content c (rec_access.h); archived: the
 * employee left and rel is not HR nor an administrator — no content, and
 * "archived" among the withheld.  No template, no warnings. */
void rec_view_fill(rec_view_t *view, const rec_iv_t *iv, const rec_content_t *c, rec_relation_t rel, bool archived);

/* The parts of content a view by rel shows, for the record of reads
 * (records.interview.reads): only what holds something; none for a view of
 * the progress alone. */
typedef struct {
    const char *what[4];
    size_t n;
    char digest[2 * REC_HASH_LEN + 1]; /* the report's digest as the view showed it ("" when not shown) */
} rec_read_parts_t;
void rec_read_parts(rec_relation_t rel, const rec_iv_t *iv, const rec_content_t *c, rec_read_parts_t *out);

/* True when iv's employee left (the directory's departure is today or
 * before): the interview is in the intermediate archive (rec_retention.h). */
bool rec_archived(records_t *r, MDB_txn *txn, const rec_iv_t *iv);

/* ---- template_usage.c: interviews per template version ------------------ */

/* Counts iv (just created) under its template version and campaign, in txn.
 * Returns 0 or an LMDB code. */
int rec_template_usage_add(records_t *r, MDB_txn *txn, const rec_iv_t *iv);
/* At start: counts every stored interview once, for a store written before
 * the counts existed (meta "template_usage_built"), in its own transaction.
 * Returns 0 or an LMDB code (said in the log). */
int rec_template_usage_build(records_t *r);
/* Sets t->interviews (every campaign and none) and, when campaigns, appends
 * one TemplateCampaignUse per campaign to t->campaigns (malloc'd: freed by
 * the message's free_unpacked).  Returns 0, ENOMEM or an LMDB code. */
int rec_template_usage_fill(records_t *r, MDB_txn *txn, Entretiens__V1__Template *t, bool campaigns);

/* ---- purge.c: crypto-shredding and retention ------------------------------ */

#define REC_PURGE_IDS_MAX 256

typedef struct {
    size_t n;                                  /* interviews purged now */
    bool key_destroyed;                        /* it had a data key (false after a redone turn) */
    char ids[REC_PURGE_IDS_MAX][REC_ID_MAX + 1]; /* the first REC_PURGE_IDS_MAX of them */
} rec_purge_result_t;

/* Purges every interview of employee: destroys the data key (committed at
 * once in the keystore), then rewrites each interview not purged yet
 * without content, free text or names (Interview.purged), each with an
 * audit record "purge" (actor, reason).  What stays is the proof: type,
 * dates, status, signatures' principals and digests.  Returns 0 or an
 * error code (the key may be gone even then: a redo finishes the work). */
int rec_purge_employee(records_t *r, MDB_txn *txn, const char *employee, const char *actor, const char *reason,
                       rec_purge_result_t *res);

/* Removes from employee's interviews the private notes (notes) and the
 * preparations never shared (preparation); an audit record "purge" per
 * interview changed.  Returns 0 or an error code. */
int rec_purge_parts(records_t *r, MDB_txn *txn, const char *employee, bool notes, bool preparation, const char *actor,
                    size_t *changed);

/* Periodic work (every second, and at every clock change): applies the
 * retention periods to the departed employees of the directory
 * (rec_retention.h) in passes — one an hour and one at each new business
 * day — of r->retention_chunk employees a turn on the real clock, so that
 * requests keep being answered at a million employees; the whole pass in
 * one turn on a pinned clock (a clock change's reply means it is done).
 * Returns 0 or an LMDB code. */
int rec_retention_sweep(MDB_txn *txn, void *arg);

/* The sweep's position follows the turn (ent_daemon_participant): reset
 * when a turn is aborted, kept when it commits. */
void rec_retention_reset(void *arg);
void rec_retention_flush(void *arg, bool committed);

/* ---- store.c: interviews, indexes, audit, events ------------------------ */


/* Loads an interview (unpacked, its free text opened; free with
 * rec_iv_free).  Returns 0 (also when the free text was sealed under a
 * destroyed key: it is then empty), MDB_NOTFOUND, MDB_CORRUPTED (does not
 * open: altered) or an LMDB code. */
int rec_iv_get(records_t *r, MDB_txn *txn, const char *id, rec_iv_t **out);
void rec_iv_free(rec_iv_t *iv);
/* A deep copy (for "before" images). */
rec_iv_t *rec_iv_dup(const rec_iv_t *iv);

/* Loads the content (an empty one when none was stored).  Returns 0,
 * REC_CRYPT_SHREDDED (sealed under a destroyed key: purged), REC_CRYPT_FORGED
 * or an LMDB code. */
int rec_content_get(records_t *r, MDB_txn *txn, const char *id, rec_content_t **out);
void rec_content_free(rec_content_t *c);

/* One change of an interview: what it was (NULL when new), what it is,
 * the content when it changed (NULL: unchanged), who, what, and the event. */
/* One field of an audit record's details given without jansson: a string
 * (str not NULL) or an integer (num). */
typedef struct {
    const char *key;
    const char *str;
    int64_t num;
} rec_detail_t;

typedef struct {
    const rec_iv_t *before;
    rec_iv_t *after;
    const rec_content_t *content;
    const char *actor;
    const char *action;           /* audit action: "create", "schedule", "answer" ... */
    json_t *details;              /* audit details (stolen; may be NULL) */
    const rec_detail_t *flat;     /* or, when details is NULL, the details as fields (not stolen): a
                                   * creation's, written without building a JSON object */
    size_t n_flat;
    const char *event;            /* "records.interview.created" ..., NULL for none */
    const char *event2;           /* a second event of the same change (.closed after .signed) */
    const char *reason;           /* the change's free-text reason: sealed in the audit record, only
                                   * "given" in the event */
    const char *previous_manager; /* .reassigned */
    const char *trace_id;
    bool quiet;                   /* not a change of the interview (re-sealing): updated_at_ms kept */
    bool drop_content;            /* the content is removed (purge); content must be NULL */
} rec_change_t;

/* Stores the change: interview (+ content), indexes, one audit record
 * chained globally and in the interview's chain, and the event in the
 * outbox, all in txn.  Sets after->updated_at_ms.  Returns 0 or an LMDB /
 * errno code. */
int rec_commit(records_t *r, MDB_txn *txn, rec_change_t *ch);

/* The parts of rec_commit in their own modules.  rec_state_digest: the
 * SHA-256 of a header and its content as stored (audit_chain.c), hashed
 * in ctx (rec_sha256_with: a context kept on the caller's thread, or NULL).
 * rec_audit_append: the interview's next audit record (and the global
 * head), holding details (taken; when NULL, the n_flat fields of flat,
 * not taken) and digest; a reason (NULL / "" = none)
 * is sealed under employee's data key when encryption is on (details get
 * "reason": "sealed"), else written in details in clear; *iseq_out its
 * number in the interview's chain; first when the record is the first of
 * a new interview (its chain, known empty, is not looked up); 0 or an LMDB
 * code / ENOMEM / a keystore code.  rec_event_publish: the
 * change's event in the outbox (iv_events.c); 0 or an LMDB code / ENOMEM. */
void rec_state_digest(EVP_MD_CTX *ctx, uint8_t out[REC_HASH_LEN], const void *hdr, size_t hlen, const void *content,
                      size_t clen);
int rec_audit_append(records_t *r, MDB_txn *txn, const char *interview_id, const char *actor, const char *action,
                     json_t *details, const rec_detail_t *flat, size_t n_flat, const char *employee,
                     const char *reason, const uint8_t digest[REC_HASH_LEN], bool first, uint32_t *iseq_out);
int rec_event_publish(records_t *r, MDB_txn *txn, const rec_change_t *ch, uint32_t iseq);

/* The text of an audit record's details: what json_dumps writes with
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII, byte for byte ("{}"
 * for NULL).  A flat object of plain ASCII strings and integers (what a
 * creation writes) is written without jansson's sorting and dumping
 * (about 8 % of a creation's CPU time).  malloc'd; NULL on ENOMEM. */
char *rec_details_text(json_t *details);

/* rec_details_flat: the same text for n fields (at most 16; keys unique),
 * written directly (sorted by key here); NULL when a key or a string is
 * not plain printable ASCII without quote or backslash (then
 * rec_details_json and rec_details_text give it), or on ENOMEM.  malloc'd.
 * rec_details_json: the fields as a JSON object (NULL on ENOMEM). */
char *rec_details_flat(const rec_detail_t *d, size_t n);
json_t *rec_details_json(const rec_detail_t *d, size_t n);

/* The field a sealed reason is bound to (rec_crypt.h): "reason@<iseq>", the
 * record's place in its interview's chain, so that a sealed reason copied
 * onto another record does not open. */
void rec_audit_reason_field(uint32_t iseq, char out[32]);

/* Appends an audit record that belongs to no interview (templates, grants).
 * Returns 0 or an error code. */
int rec_audit_global(records_t *r, MDB_txn *txn, const char *actor, const char *action, json_t *details,
                     const uint8_t state_digest[REC_HASH_LEN]);

/* Appends to an interview's chain (and the global one) a record of an act
 * that changes nothing stored (a download of the report): its state digest
 * is that of the interview as stored, so rec_audit_verify still matches.
 * details is stolen (may be NULL).  Returns 0, MDB_NOTFOUND (no such
 * interview), or an LMDB / errno code. */
int rec_audit_note(records_t *r, MDB_txn *txn, const char *interview_id, const char *actor, const char *action,
                   json_t *details);

/* The digest of what a signature covers: the interview's identity, template,
 * held date, and the answers visible in the report (hex, 65 bytes). */
void rec_report_digest(const rec_iv_t *iv, const rec_content_t *c, char out[2 * REC_HASH_LEN + 1]);

/* Verifies the global chain (interview_id NULL or "") and every
 * interview's chain and state, or one interview's.  Fills rep, and
 * rep->purged with the interviews verified whose content was purged (free
 * with rec_audit_verify_free). */
void rec_audit_verify_free(Entretiens__V1__AuditVerifyReply *rep);
int rec_audit_verify(records_t *r, MDB_txn *txn, const char *interview_id, Entretiens__V1__AuditVerifyReply *rep,
                     char *reason, size_t reason_size, char *head, char *broken_id);

/* The audit records of one interview, in order: *out and its *n records
 * are the caller's to free, also on error (those read so far).  Returns 0;
 * MDB_CORRUPTED (logged) when the index names a record that is missing or
 * cannot be read — a trail with a hole is never listed as if it were
 * whole; ENOMEM; or another LMDB code. */
int rec_audit_list(records_t *r, MDB_txn *txn, const char *interview_id, Entretiens__V1__AuditRecord ***out, size_t *n);

/* The next interview id ("IV00000042").  Returns 0 or an LMDB code. */
int rec_next_id(records_t *r, MDB_txn *txn, char out[REC_ID_MAX + 1]);

/* ---- directory.c --------------------------------------------------------- */

/* The employee's directory entry (unpacked; free with
 * entretiens__v1__employee__free_unpacked).  0, MDB_NOTFOUND or LMDB code. */
int rec_dir_get(records_t *r, MDB_txn *txn, const char *employee_id, Entretiens__V1__Employee **out);

/* The same, unpacked into r->arena (the block of the event being applied;
 * the heap when it is full): for an entry read and dropped at once, as a
 * creation does.  Free with rec_dir_unpeek (NULL accepted) before the next
 * event resets the arena. */
int rec_dir_peek(records_t *r, MDB_txn *txn, const char *employee_id, Entretiens__V1__Employee **out);
void rec_dir_unpeek(records_t *r, Entretiens__V1__Employee *e);

/* Today in the employee's region (common/clock.h ent_clock_today_in): the
 * date her interviews' dates are checked against ("held" not in the
 * future, a deadline not in the past).  The region is her directory
 * entry's; metropolitan France when the entry has none (the scheduler,
 * which knows the entities' policies, falls back to the entity's region
 * instead) or e is NULL. */
int32_t rec_employee_today(const Entretiens__V1__Employee *e);

/* rec_employee_today of the directory entry of employee_id (metropolitan
 * France when she is not in the directory).  Returns the day number, or
 * ENT_DATE_NONE with *err set to an LMDB code when the entry cannot be
 * read. */
int32_t rec_dir_today(records_t *r, MDB_txn *txn, const char *employee_id, int *err);

/* True when manager_id is above employee_id in the tree (up to REC_TREE_DEPTH). */
bool rec_dir_above(records_t *r, MDB_txn *txn, const char *manager_id, const char *employee_id);

/* Applies scheduler.employee.upserted: the entry, the tree, and the open
 * interviews of the employee (interviewer, entity, department follow).
 * packed: e as packed by the scheduler, stored as it is (NULL: e is packed
 * here).  Returns 0, ENT_EVENT_SKIP (no usable id) or an LMDB code. */
int rec_dir_upsert(records_t *r, MDB_txn *txn, const Entretiens__V1__Employee *e, const ProtobufCBinaryData *packed,
                   const char *trace_id);

/* ---- templates.c ---------------------------------------------------------- */

/* Imports one document (JSON text).  Fills res (outcome created,
 * new_version, unchanged or rejected with field and reason; strings owned by
 * the caller's buffers).  Returns 0 or an LMDB code. */
typedef struct {
    char id[REC_ID_MAX + 1];
    uint32_t version;
    const char *outcome;
    char field[160];
    char reason[320];
} rec_import_result_t;
int rec_template_import(records_t *r, MDB_txn *txn, const char *text, size_t len, const char *actor,
                        rec_import_result_t *res);

/* Loads a template version (0 = latest).  Returns 0 and *out (the
 * caller frees it), MDB_NOTFOUND (no such id or version), MDB_CORRUPTED
 * (the stored record does not unpack) or another LMDB code. */
int rec_template_get(records_t *r, MDB_txn *txn, const char *id, uint32_t version, Entretiens__V1__Template **out);

/* The parsed document of a version, with its "version" set: 0 and *out
 * (decref it); MDB_NOTFOUND; MDB_CORRUPTED (logged: the record or its
 * document cannot be read); ENOMEM; or another LMDB code.  *out is NULL on
 * error. */
int rec_template_doc(records_t *r, MDB_txn *txn, const char *id, uint32_t version, json_t **out);

/* Chooses the template of a new interview: type, locale (then fr, then
 * any), most specific entity / category.  id empty when none. */
int rec_template_choose(records_t *r, MDB_txn *txn, const char *type, const char *locale, const char *entity,
                        const char *category, char id[REC_ID_MAX + 1], uint32_t *version);

/* Imports the embedded default templates (rec_default_templates.h) that are not
 * there yet.  Returns 0 or an error code. */
int rec_templates_defaults(records_t *r, MDB_txn *txn);

int rec_templates_register(records_t *r);

/* ---- interviews.c: creation, scheduler events ----------------------------- */

typedef struct {
    const char *employee_id;
    const char *type;
    int32_t due;                  /* day number */
    const char *obligation_id;    /* NULL / "" for ad hoc */
    const char *manager_id;       /* NULL: the directory's */
    const char *title;
    const char *template_id;      /* NULL: chosen */
    const char *actor;
    const char *trace_id;
    /* fallbacks when the employee is not in the directory (from the obligation) */
    const Entretiens__V1__Obligation *obligation;
} rec_create_t;

/* Creates an interview (publishes records.interview.created).  Returns 0
 * with out (caller frees) or an error code; ENOENT when the template id
 * given does not exist. */
int rec_create(records_t *r, MDB_txn *txn, const rec_create_t *c, rec_iv_t **out);

/* Applies one of the scheduler's events (employee.upserted, and
 * interview.due / .cancelled / .met); any other type changes nothing. */
int rec_on_scheduler_event(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);

/* The scheduler's event types rec_on_scheduler_event applies,
 * NULL-terminated: a replay asks for those alone (common/daemon.h
 * ent_daemon_applied_types). */
extern char *const rec_scheduler_types[];

/* After iv closed: its objectives and action items go to the employee's
 * open interviews of the same type that have none carried yet. */
int rec_carry_forward(records_t *r, MDB_txn *txn, const rec_iv_t *closed, const char *trace_id);

/* The ids of an employee's interviews (malloc'd array of REC_ID_MAX + 1
 * strings).  Returns 0 or an LMDB code. */
int rec_employee_interviews(records_t *r, MDB_txn *txn, const char *employee_id, char (**ids)[REC_ID_MAX + 1],
                            size_t *n);

/* ---- methods.c: RPC ---------------------------------------------------------- */

int rec_methods_register(records_t *r);


/* ---- progress.c: a campaign's interviews by group --------------------------- */

/* records.interview.progress.  Returns 0 or -1. */
int rec_progress_register(records_t *r);

/* ---- subject.c: the data subject's rights ---------------------------------- */

/* records.subject.erase and records.subject.export.  Returns 0 or -1. */
int rec_subject_register(records_t *r);

/* ---- service.c -------------------------------------------------------------- */

/* The store schema this binary writes: 2 = content at rest sealed. */
#define REC_SCHEMA_VERSION 2

/* ent_store_migrate_fn: 1 -> 2 marks the clear values for sealing at start. */
int rec_migrate(MDB_txn *txn, unsigned from, void *arg);

/* Reads the configuration, opens the keystore (the master key must be in
 * the keys directory), seals what an older binary left in clear, registers
 * methods and work.  Returns 0, ENT_DAEMON_CONFIG_ERROR or -1 (logged). */
int rec_setup(ent_daemon_t *d, void *arg);

/* The offloaded run of the whole chain's audit verify (methods.c):
 * r->verify_spec's run and free_reply. */
void rec_audit_verify_run(ent_offload_job_t *job, void *arg);
void rec_audit_verify_reply_free(ProtobufCMessage *reply);

/* Closes what rec_setup opened (the keystore).  Safe after a failed setup. */
void rec_teardown(records_t *r);

/* ---- shared conversions ---------------------------------------------------- */

int32_t ent_pbdate_day(const Entretiens__V1__Date *d);                 /* ENT_DATE_NONE when absent/invalid */
Entretiens__V1__Date *rec_date_new(int32_t day);                 /* malloc'd, NULL for NONE */
const char *rec_str(const char *s);                              /* "" for NULL */
char *rec_strdup(const char *s);                                 /* never NULL unless OOM; "" for NULL */
void rec_set_str(char **field, const char *value);               /* frees the old, dups the new */

#endif
