/*  scheduler.h — the scheduler service: its store layout and the state
 *  shared by its modules (ingest, history, recompute, queries, policy,
 *  campaigns).  One instance per process, used on the loop thread only.
 *
 *  Store (named databases of the scheduler's LMDB environment):
 *    employees     employee_id -> packed Employee (current attributes)
 *    history       employee_id \0 be32(date) rank \0 source \0 event_id
 *                  -> packed EmployeeEvent.  The key order is the order the
 *                  rules read facts in: it depends on the events only, never
 *                  on their arrival order.
 *    facts         employee_id -> sch_fact_t[] (the history folded for the
 *                  rules engine, in history order)
 *    obligations   employee_id -> sched_obl_t[] (last computed)
 *    due_index     be32(year*12 + month - 1 of due) employee_id \0 type be32(due)
 *                  be32(anchor) be32(campaign) -> status byte, for actionable
 *                  obligations only (schema 2; schema 1 had no month bucket)
 *    idempotency   source \0 event_id -> employee_id (the format of every
 *                  version).  The event itself is in that employee's
 *                  history: a second arrival is compared with it field by
 *                  field (sched_history_find, sched_event_diff), a duplicate
 *                  when equal, a conflict (dead-lettered) when not
 *    deadletters   be64(id) -> packed DeadLetter
 *    policies      entity -> packed EntityPolicy; SCHED_OPTIONS_KEY -> packed
 *                  PolicyOptions (entity ids cannot contain '*')
 *    campaigns     campaign id -> packed Campaign
 *    grants        HR scopes, a copy of records' (common/grants.h)
 */
#ifndef SCHED_SCHEDULER_H
#define SCHED_SCHEDULER_H

#include "common/pbarena.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/pbdate.h"
#include "common/grants.h"
#include "common/principal.h"
#include "proto/scheduler.pb-c.h"
#include "rules.h"

#include <stdbool.h>
#include <stdint.h>

#define SCHED_ID_MAX 64          /* employee ids, entity ids, event ids */
#define SCHED_MAX_FACTS 4096     /* per employee; more is refused at ingest */
#define SCHED_MAX_OBLIGATIONS 2048
#define SCHED_MAX_CAMPAIGNS 64
#define SCHED_OPTIONS_KEY "*options"
#define SCHED_STALE_DAYS 365     /* an overdue one-off interview stops being asked for */

/* A stored obligation: the engine's record plus what the daemon adds. */
typedef struct {
    sch_obligation_t o;
    uint8_t actionable;   /* an interview is owed for it now (not superseded) */
    uint8_t reserved[3];
    uint32_t campaign;    /* 0 = a rule of the engine; n = campaigns[n - 1] */
} sched_obl_t;

typedef struct {
    char id[SCHED_ID_MAX + 1];
    sch_policy_t policy;
} sched_entity_policy_t;

typedef enum { SCHED_CAMPAIGN_OPEN = 0, SCHED_CAMPAIGN_CLOSED, SCHED_CAMPAIGN_CANCELLED } sched_campaign_state_t;

typedef struct {
    Entretiens__V1__Campaign *c;   /* unpacked, owned */
    int32_t start, end, hired_before, hired_after;
    int category;                  /* sch_category_t, -1 = any */
    int type;                      /* sch_type_t */
    int state;                     /* sched_campaign_state_t */
    int32_t closed_on;             /* closed or cancelled: the day; else ENT_DATE_NONE */
} sched_campaign_t;

typedef struct {
    uint8_t *buf;
    size_t used, cap;
} sched_arena_t;

/* What scheduler.ingest made of an event (EventResult.outcome). */
typedef enum {
    SCHED_INGEST_ACCEPTED,
    SCHED_INGEST_DUPLICATE,    /* source + event_id seen, same payload */
    SCHED_INGEST_REJECTED,     /* invalid */
    SCHED_INGEST_CONFLICT,     /* source + event_id seen, another payload */
    SCHED_INGEST_OUTCOMES
} sched_ingest_outcome_t;

/* protobuf-c allocator functions over a sched_arena_t: allocation bumps a
 * pointer (NULL when the arena is full: the caller unpacks with malloc
 * instead); free does nothing, the arena is reset as a whole. */
void *sched_arena_alloc(void *data, size_t size);
void sched_arena_free(void *data, void *p);


/* Buffers of one recompute (one per thread of the sweep). */
typedef struct {
    sch_fact_t *facts;
    sch_obligation_t *obl;
    sched_obl_t *fresh;
} sched_work_t;

/* What the retention sweep deletes (retention.c), as metric labels. */
enum { SCHED_PURGE_DEADLETTERS, SCHED_PURGE_HISTORY, SCHED_PURGE_KINDS };

typedef struct scheduler {
    ent_daemon_t *d;
    ent_store_t *store;
    MDB_dbi employees, history, facts, obligations, due_index, idempotency, deadletters, policies,
        campaigns_db, grants;
    /* policy cache, reloaded after a commit that changed it */
    sch_policy_t defaults;          /* options applied to entities without a row */
    sched_entity_policy_t *entities;
    size_t n_entities;
    uint64_t policy_version;
    bool policy_dirty;              /* changed in this turn: reload after commit */
    sched_campaign_t campaigns[SCHED_MAX_CAMPAIGNS];
    size_t n_campaigns;
    bool campaigns_dirty;
    /* the daily sweep: every employee recomputed when the date changes */
    uint32_t deadletter_days;       /* ENTRETIENS_RETENTION_DEADLETTER_DAYS */
    int history_years;              /* ENTRETIENS_RETENTION_OBLIGATIONS_YEARS after departure */
    size_t turn_retention_purged[SCHED_PURGE_KINDS]; /* counted in the turn, added once committed */
    /* the retention pass over the employees (retention.c): in progress,
     * resumed after retention_next; started on retention_day at
     * retention_at (monotonic ms) */
    bool retention_running, turn_retention_running;
    char retention_next[SCHED_ID_MAX + 1], turn_retention_next[SCHED_ID_MAX + 1];
    int32_t retention_day, turn_retention_day;
    int64_t retention_at, turn_retention_at;
    ent_metrics_counter_t *m_purged[SCHED_PURGE_KINDS];
    size_t sweep_chunk;             /* ENTRETIENS_SCHEDULER_SWEEP_CHUNK: employees per turn, real clock */
    int32_t swept_on;               /* the day stamp (ent_today_stamp) of the last complete sweep */
    int32_t sweep_today;            /* the day stamp of the sweep in progress, or NONE */
    char sweep_next[SCHED_ID_MAX + 1]; /* resume after this employee id */
    int32_t turn_swept_on, turn_sweep_today;
    char turn_sweep_next[SCHED_ID_MAX + 1];
    /* the history backfill of a store from before scheduler.obligation.*
     * (meta SCHED_META_BACKFILL): resume after this employee id */
    char backfill_next[SCHED_ID_MAX + 1], turn_backfill_next[SCHED_ID_MAX + 1];
    /* scratch buffers (no allocation per event) */
    sch_fact_t *facts_buf;          /* history rebuild */
    sched_obl_t *sobl_buf;          /* stored obligations being read */
    sched_work_t work;              /* recompute on the loop thread */
    /* employees changed in this turn (the parallel sweep reads a snapshot
     * that does not see them) */
    char (*touched)[SCHED_ID_MAX + 1];
    size_t n_touched, cap_touched;
    uint64_t next_deadletter;
    /* history rebuild: events unpacked into an arena */
    sched_arena_t arena;
    /* ingest: the request unpacked into its own arena */
    sched_arena_t req_arena;
    /* point queries (scheduler.obligations): the employee's and her
     * manager's records unpacked into an arena, about 30 of a call's 37
     * allocations otherwise (docs/performance.md) */
    ent_pbarena_t *query_arena;
    /* recompute: the employee's record for the events it publishes */
    ent_pbarena_t *publish_arena;
    Entretiens__V1__EmployeeEvent **rebuild_events;
    bool *rebuild_heap;
} scheduler_t;

/* --- history.c --------------------------------------------------------- */

/* Stores ev (validated) in the employee's history.  Returns 0 or LMDB code. */
int sched_history_put(scheduler_t *s, MDB_txn *txn, const Entretiens__V1__EmployeeEvent *ev);

/* Refolds the employee's history into facts[] and the current Employee
 * attributes, stores both, and publishes employee.upserted when the
 * attributes changed.  Returns 0, ENOENT (no history), or an LMDB code. */
int sched_history_rebuild(scheduler_t *s, MDB_txn *txn, const char *employee_id);

/* Loads the employee record (unpacked; free with
 * entretiens__v1__employee__free_unpacked).  Returns 0, MDB_NOTFOUND, or
 * an LMDB code. */
int sched_employee_get(scheduler_t *s, MDB_txn *txn, const char *employee_id,
                       Entretiens__V1__Employee **out);

/* sched_employee_get unpacking with alloc: NULL (malloc) or an arena's
 * (common/pbarena.h: read in one pass, common/pbfast.h); free the record
 * with the same allocator. */
int sched_employee_get_with(scheduler_t *s, MDB_txn *txn, const char *employee_id, ProtobufCAllocator *alloc,
                            Entretiens__V1__Employee **out);

/* The stored (packed) copy of the event with ev's source and event_id in
 * the history of employee_id, which need not be ev's: *out points into the
 * store, valid until the next write in txn.  ev's date and type are only a
 * hint (one lookup when they are unchanged, else a scan of that employee's
 * history).  Returns 0, MDB_NOTFOUND, MDB_BAD_VALSIZE (ids too long for a
 * key), or an LMDB code. */
int sched_history_find(scheduler_t *s, MDB_txn *txn, const char *employee_id,
                       const Entretiens__V1__EmployeeEvent *ev, MDB_val *out);

/* The history events of an employee in order (unpacked, caller frees each
 * and the array).  Returns 0 or an LMDB code. */
int sched_history_list(scheduler_t *s, MDB_txn *txn, const char *employee_id,
                       Entretiens__V1__EmployeeEvent ***out, size_t *n);

/* --- recompute.c ------------------------------------------------------- */

/* Recomputes the employee's obligations on her region's date in `today`
 * (sched_today_of), stores them, updates the due index and publishes
 * interview.due / .overdue / .met / .cancelled for what changed.
 * Returns 0 or an LMDB code. */
int sched_recompute(scheduler_t *s, MDB_txn *txn, const char *employee_id, const ent_today_t *today);

/* What the head of a facts value says of the employee: her birth date and
 * the attributes the campaigns filter on (current values, from the HR
 * events applied so far); and, from the value's tail, her own region. */
typedef struct {
    int32_t birth;
    char entity[256], department[256], site[256];
    int region; /* ent_region_t of her events, -1 when they gave none (the entity's applies) */
} sched_facts_head_t;

/* The tail of a facts value, after the facts: [u8 'R'][u8 region + 1][0][0]
 * (region + 1 = 0: none given).  A value written before the region was kept
 * has no tail: its size is then a whole number of facts, and one with a
 * tail never is (sizeof(sch_fact_t) is a multiple of 8). */
#define SCHED_FACTS_TAIL 4

/* Writes the tail for a region wire name (NULL, "" or unknown: none) into
 * p (SCHED_FACTS_TAIL bytes). */
void sched_facts_tail_write(uint8_t *p, const char *region);

/* "Today" for the employee of head h under policy: her own region's date
 * when her events gave one, else her entity's region's. */
int32_t sched_today_of(const ent_today_t *today, const sched_facts_head_t *h, const sch_policy_t *policy);

/* The one decoder of a facts value (the layout in recompute.c: birth date,
 * entity, department, site, then the aligned sch_fact_t[]): fills *h (site
 * "" in a value written before the site was kept, which migration 3 -> 4
 * rewrites) and *nfacts, and returns the (possibly unaligned) first fact —
 * copy the facts before use.  Returns NULL when the value is short or its
 * sizes do not add up: never reads past it. */
const uint8_t *sched_facts_parse(const MDB_val *v, sched_facts_head_t *h, size_t *nfacts);

/* The size of the head for these attributes (each cut at 255 bytes;
 * NULL = ""), a multiple of 4: the facts follow it. */
size_t sched_facts_head_len(const char *entity, const char *department, const char *site);

/* Writes the head into p (sched_facts_head_len bytes, padding zeroed). */
void sched_facts_head_write(uint8_t *p, int32_t birth, const char *entity, const char *department, const char *site);

/* Fills cp's parsed fields (type, window, filters, state) from cp->c. */
void sched_campaign_fill(sched_campaign_t *cp);

/* Checks a campaign as create and preview take it (id — which preview
 * may leave empty: need_id false —, type, window, category, hire dates,
 * filter lengths).  Returns 0 with call answered
 * INVALID_ARGUMENT (call->code set) when it is refused, or an error code. */
int sched_campaign_check(ent_rpc_call_t *call, const Entretiens__V1__Campaign *c, bool need_id);

/* Registers scheduler.campaign.preview and .members (campaign_members.c). */
int sched_campaign_members_register(scheduler_t *s);

/* Whether the employee (the head and facts of her facts value) is in the
 * population of campaign cp: its filters (entity, department, site, the
 * category during the window, hired before / on or after), employed during
 * the window, not hired after the campaign closed.  On true, *hired_on and
 * *left_on are the employment it counts (left: ENT_DATE_NONE when none). */
bool sched_campaign_member(const sched_campaign_t *cp, const sched_facts_head_t *h, const sch_fact_t *facts,
                           size_t nf, int32_t *hired_on, int32_t *left_on);

/* Writes the due-index key of an obligation into key (>= SCHED_ID_MAX + 20
 * bytes) and returns its length. */
size_t sched_index_key(const char *employee_id, const sched_obl_t *o, uint8_t *key);

/* Store migrations (ent_store_migrate_fn): 1 -> 2 rebuilds the due index;
 * 2 -> 3 asks for the history backfill (SCHED_META_BACKFILL = 1) when the
 * store holds obligations, which were stored before the scheduler published
 * scheduler.obligation.changed; 3 -> 4 rewrites each facts head with the
 * employee's site (campaign filters); 4 -> 5 (and 3 -> 4 since) adds the
 * tail with her region (whose date judges her deadlines).  Returns 0 or an LMDB code
 * (MDB_INCOMPATIBLE for an unknown version). */
int sched_migrate(MDB_txn *txn, unsigned from, void *arg);
#define SCHED_SCHEMA_VERSION 5
#define SCHED_META_BACKFILL "history_backfill"

/* While meta SCHED_META_BACKFILL is set, publishes every stored obligation
 * as scheduler.obligation.changed, 20,000 employees per call, resuming
 * after s->turn_backfill_next; clears the flag with the last ones.  Called
 * by the sweep.  Returns 0 or an LMDB code. */
int sched_backfill(scheduler_t *s, MDB_txn *txn);

/* Loads the stored obligations of an employee into s->sobl_buf.  Returns
 * the count (>= 0) or a negative LMDB code. */
int sched_obligations_load(scheduler_t *s, MDB_txn *txn, const char *employee_id);

/* Fills an Obligation message (strings point into buffers the caller keeps
 * alive: reason (>= 512 bytes), obligation_id (>= 128 bytes), dates). */
typedef struct {
    Entretiens__V1__Obligation msg;
    Entretiens__V1__Date due, window, anchor, met;
    char id[160];
    char reason[768];
    char rule[64];
} sched_obl_msg_t;
void sched_obligation_msg(scheduler_t *s, const char *employee_id, const sched_obl_t *o,
                          const Entretiens__V1__Employee *emp, sch_lang_t lang, sched_obl_msg_t *out);

/* The language a request asks for: "fr" (any case, or "fr-FR", "fr_FR...")
 * is French; anything else, empty included, English (the wire's default,
 * which scripts already read). */
sch_lang_t sched_lang(const char *lang);

/* Notes that an employee changed in this turn (see touched). */
void sched_touch(scheduler_t *s, const char *employee_id);

/* Allocates / frees a recompute's buffers.  Returns 0 or ENOMEM. */
int sched_work_init(sched_work_t *w);
void sched_work_free(sched_work_t *w);

/* The daily sweep (periodic work): recomputes every employee once per new
 * date, in chunks when the clock is real; with a pinned clock, at once, the
 * comparison spread over two threads.  Returns 0 or an LMDB code. */
int sched_sweep(MDB_txn *txn, void *arg);

/* --- policy.c ---------------------------------------------------------- */

/* The policy of an entity (the default one when it has no row). */
const sch_policy_t *sched_policy_for(scheduler_t *s, const char *entity);

/* Loads policies and campaigns from the store into memory. */
int sched_policy_load(scheduler_t *s);

/* Registers policy.apply, policy.show and campaign.* methods. */
int sched_policy_register(scheduler_t *s);

/* Recomputes every employee now (after a policy or campaign change). */
int sched_recompute_all(scheduler_t *s, MDB_txn *txn);

/* --- ingest.c / queries.c ---------------------------------------------- */

int sched_ingest_register(scheduler_t *s);
int sched_queries_register(scheduler_t *s);
/* search.c: scheduler.employee.search.  Returns 0 or -1. */
int sched_search_register(scheduler_t *s);

/* Applies records' events (an interview completed counts as held). */
int sched_on_records_event(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);

/* --- access.c: who may read what (common/principal.h) ------------------ */

/* The caller of one request, checked once. */
typedef struct {
    ent_principal_t p;
    bool valid;                 /* false: refuse, why says why */
    const char *why;
    ent_grant_scope_t hr;       /* HR: the grant */
    struct sched_line_cache *line; /* managers: verdicts of this call */
} sched_caller_t;

/* Parses the bound caller (ent_rpc_call_t.caller) and loads an HR grant.
 * Returns 0 (out->valid tells whether it may see anything) or an LMDB
 * code.  Free with sched_caller_free. */
int sched_caller_load(scheduler_t *s, MDB_txn *txn, const char *caller, sched_caller_t *out);
void sched_caller_free(sched_caller_t *c);

/* Administrators, and HR with a grant (any entity / every entity "*"). */
bool sched_caller_hr(const sched_caller_t *c);
bool sched_caller_hr_all(const sched_caller_t *c);

/* The caller's relation to an employee (a manager: walks the reporting
 * line, cached for the call).  Returns 0 or an LMDB code / ENOMEM. */
int sched_caller_relation(scheduler_t *s, MDB_txn *txn, sched_caller_t *c, const Entretiens__V1__Employee *emp,
                          ent_relation_t *out);

/* Health-related data (principal.h, ent_relation_sees_health): the
 * return medical visit is hidden from whoever may not see health, a
 * return after sickness, a work accident or an occupational disease shows
 * with a neutral reason, and a history event keeps the fact of an absence
 * but not its kind (returns false for events to drop: medical visits). */
bool sched_obligation_hidden(const sched_obl_t *o);
bool sched_obligation_health(const sched_obl_t *o);
void sched_obligation_redact(sched_obl_msg_t *m, sch_lang_t lang);
bool sched_event_redact(Entretiens__V1__EmployeeEvent *ev);

/* --- service.c -------------------------------------------------------- */

/* Daemon set-up (ent_daemon_setup_fn): arg is a scheduler_t to fill. */
int sched_setup(ent_daemon_t *d, void *arg);

/* The scheduler's own settings (service.c): the retention periods, the
 * real-clock sweep's chunk.  retention.c: the periods, read by
 * sched_retention_config (-1, logged, when out of range); the periodic
 * work (ent_daemon_work_fn, every second: a pass starts hourly and at
 * every new business day, so at every clock change) deleting the dead
 * letters past their period, and the history, facts and identifying
 * attributes of people who left more than history_years ago (their
 * obligations stay, frozen).  At most 10,000 deletions a turn; on the real
 * clock 20,000 employees a turn, a pinned clock does the pass at once.
 * Returns 0 or an LMDB code. */
extern const ent_config_var_t sched_config_vars[];
extern const size_t sched_n_config_vars;
int sched_retention_config(scheduler_t *s);
/* *out: the retention sweep deleted the employee's history (her record
 * stays, her facts are gone).  Returns 0 or an LMDB code. */
int sched_history_purged(scheduler_t *s, MDB_txn *txn, const char *employee_id, bool *out);
int sched_retention_sweep(MDB_txn *txn, void *arg);

/* Frees what sched_setup allocated. */
void sched_teardown(scheduler_t *s);

/* Counts one scheduler.ingest call's outcomes for the metrics, under the
 * caller's principal (the authenticated key's, never the events' own
 * `source` field: the label set stays bounded by the keys directory).
 * Counted in the turn, added once it is committed (a turn may run twice). */
void sched_metrics_ingest(scheduler_t *s, const char *caller, const uint64_t counts[SCHED_INGEST_OUTCOMES]);

/* --- conversions shared by the modules --------------------------------- */


/* Signed 32-bit integers (dates, months) as 4 big-endian bytes with the
 * sign bit flipped, so that keys sort like the numbers. */

#endif
