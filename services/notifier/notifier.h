/*  notifier.h — the notifier service: its store, its state and the parts
 *  its modules share (apply, dispatch, queries, service).  One instance per
 *  process, used on the loop thread (the sender threads only see jobs,
 *  channel.h).
 *
 *  Store (named databases of the notifier's LMDB environment):
 *    contacts      employee_id -> packed Contact (the directory)
 *    subjects      subject key ("o:<obligation>" | "i:<interview>") -> packed
 *                  Subject: what is known of it and its plan (plan.h)
 *    emp_subjects  employee_id -> subject key (MDB_DUPSORT)
 *    timers        be64(fire ms) subject key -> "" : one entry per subject
 *                  with pending items, at its earliest fire time (business
 *                  clock)
 *    notifs        notification id -> packed Notification (materialised
 *                  when its time came: the delivery log)
 *    sending       notification id -> "" : handed to the senders, outcome not
 *                  recorded yet (re-sent after a crash)
 *    retries       be64(next try ms, real clock) notification id -> ""
 *    dead          notification id -> be64(business ms it died; "" before
 *                  this version: dated by the first retention sweep that
 *                  sees it) : the dead-letter list
 *    meta          "ntf.n.<status>" counters (plus the runtime's keys)
 *
 *  The life of a notification:
 *    planned (an item of its subject's plan, pending, in "timers")
 *      -> its time comes (a turn's periodic work): the Notification is
 *         written with status "sending" and put in "sending", the item is
 *         marked fired and the subject's timer moves to its next item — one
 *         transaction;
 *      -> after that commit, its message is rendered into jobs (one per
 *         channel) handed to the sender threads;
 *      -> a later turn records each outcome: "sent" (every channel has it:
 *         notifier.notification.sent), "failed" (in "retries" with
 *         exponential backoff), or "dead" (tries exhausted or a permanent
 *         refusal: in "dead", notifier.notification.failed).
 *  A crash after a send and before the commit of its outcome leaves it in
 *  "sending": it is sent again at start, with the same Message-ID and
 *  Idempotency-Key, so the receiver can drop the copy.
 */
#ifndef NTF_NOTIFIER_H
#define NTF_NOTIFIER_H

#include "channel.h"
#include "common/pbdate.h"
#include "plan.h"
#include "render.h"

#include "common/daemon.h"
#include "proto/notifier.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <stdbool.h>
#include <stdint.h>

/* Notification statuses (materialised ones; "pending" names planned items). */
typedef enum {
    NTF_ST_PENDING = 0,
    NTF_ST_SENDING,
    NTF_ST_SENT,
    NTF_ST_FAILED,
    NTF_ST_DEAD,
    NTF_ST_CANCELLED,
    NTF_ST_DIGESTED,
    NTF_ST_COUNT
} ntf_status_t;

const char *ntf_status_name(int status);
int ntf_status_parse(const char *name);

/* Per-channel delivery states. */
typedef enum { NTF_DL_PENDING = 0, NTF_DL_SENT, NTF_DL_FAILED, NTF_DL_DEAD, NTF_DL_COUNT } ntf_dl_status_t;

/* Counters kept in meta (and mirrored in memory for /metrics). */
enum {
    NTF_CNT_PLANNED = NTF_ST_COUNT,  /* pending plan items */
    NTF_CNT_SUBJECTS,
    NTF_CNT_CONTACTS,
    NTF_CNT_COUNT
};

typedef struct {
    char employee_id[NTF_ID_MAX + 1];
    char email[256];
    char locale[16];
    char manager_id[NTF_ID_MAX + 1];
    char entity[NTF_ID_MAX + 1];
    char region[24];
    char first_name[128];
    char last_name[128];
    char department[128];
    bool employed;
    bool digest;
    char preferred_locale[8]; /* the person's choice ("" = the HRIS's locale) */
    int32_t left_on;          /* departure day (ENT_DATE_NONE while employed): retention.c */
} ntf_contact_t;

#define NTF_CONTACT_MEMO 4 /* contacts remembered per write transaction (store.c) */

typedef struct {
    uint8_t channel;
    uint8_t status;              /* ntf_dl_status_t */
    uint32_t attempts;
    char last_error[256];
    int64_t delivered_at_ms;     /* real time */
    int64_t next_try_ms;         /* real time */
} ntf_delivery_t;

typedef struct {
    char id[NTF_NID_MAX + 1];
    char subject[NTF_KEY_MAX + 1];
    uint8_t kind, role, status;
    bool late;
    char step[64];
    char recipient_id[NTF_ID_MAX + 1];
    char employee_id[NTF_ID_MAX + 1];
    char type[48];
    int32_t due;
    int64_t fire_ms, created_ms, dispatched_ms, sent_ms, next_try_ms;
    int64_t ref;
    int32_t offset;
    int32_t penalty_eur;         /* catch-up: the obligation's penalty when planned */
    char key[33];
    ntf_delivery_t del[NTF_CH_COUNT];
    size_t n_del;
    char digest_id[NTF_NID_MAX + 1];
    char **items;                /* digest: malloc'd ids */
    size_t n_items;
    char obligation_id[NTF_KEY_MAX + 1];
    char interview_id[NTF_IID_MAX + 1];
    char address[256];
    char locale[16];
    char last_error[256];
    uint32_t attempts;
} ntf_notif_t;

typedef struct {
    int hour;                    /* local hour of reminders and digests */
    unsigned max_tries;          /* per channel, then dead */
    int64_t backoff_ms;          /* first retry delay, doubled each time */
    int64_t backoff_max_ms;
    unsigned max_in_flight;      /* jobs handed to the senders at once */
    unsigned workers;
    unsigned tick_ms;            /* period of the due scan / outcome recording */
    int64_t grace_ms;            /* how late is "late" */
    int64_t max_late_ms;         /* older than this when planned: not sent */
    int64_t drain_ms;            /* at SIGTERM, how long sends may finish */
    int64_t catchup_ms;          /* at start, how long to wait for the producers' heads */
    const char *hr_email;
    const char *hr_locale;
    ntf_plans_t plans;
    ntf_channel_config_t ch;
    const char *templates_path;
    const char *public_url;      /* ENTRETIENS_PUBLIC_URL: links in messages */
    int retention_years;         /* ENTRETIENS_RETENTION_NOTIFICATIONS_YEARS after departure */
    uint32_t deadletter_days;    /* ENTRETIENS_RETENTION_NOTIFIER_DEADLETTER_DAYS after dying */
} ntf_config_t;

/* What the retention sweep purges (retention.c), as metric labels. */
enum { NTF_PURGE_NOTIFICATIONS, NTF_PURGE_DEADLETTERS, NTF_PURGE_KINDS };

typedef struct {
    double sent[NTF_CH_COUNT], failed[NTF_CH_COUNT], dead[NTF_CH_COUNT];
    double late, digests, planned, fired;
    double purged[NTF_PURGE_KINDS];
} ntf_turn_stats_t;

typedef struct notifier {
    ent_daemon_t *d;             /* NULL in unit tests */
    ent_store_t *store;
    ent_outbox_t *outbox;        /* NULL: events are not written (unit tests) */
    MDB_dbi contacts, subjects, emp_subjects, timers, notifs, sending, retries, dead;
    MDB_dbi grants;               /* HR scopes, a copy of records' (common/grants.h) */
    ntf_config_t cfg;
    ntf_templates_t *templates;
    ntf_pool_t *pool;            /* NULL: nothing is sent (jobs are dropped) */
    unsigned channels;           /* 1 << NTF_CH_* */
    int64_t started_ms;          /* business clock when the process started */

    /* the start gate: fire nothing before the events published while we
     * were down are applied (producer heads asked at start) */
    const char *gate_producer[2];
    uint64_t gate_head[2];
    bool gate_open;
    int64_t gate_deadline_ms;    /* real clock */

    /* turn state (participant hooks: reset on abort, flush after) */
    ntf_job_t *turn_jobs;        /* rendered this turn, submitted after commit */
    size_t turn_njobs;
    ntf_job_t *results;          /* outcomes taken from the pool, recorded this turn */
    size_t n_results;
    bool results_done;           /* recorded already in this turn */
    bool recovered, turn_recovered;
    char recover_after[NTF_NID_MAX + 1], turn_recover_after[NTF_NID_MAX + 1];
    size_t in_flight;            /* submitted, outcome not committed */
    int64_t counts[NTF_CNT_COUNT];
    int64_t turn_counts[NTF_CNT_COUNT];
    ntf_turn_stats_t turn_stats;

    /* metrics */
    ent_metrics_counter_t *m_sent[NTF_CH_COUNT], *m_failed[NTF_CH_COUNT], *m_dead[NTF_CH_COUNT];
    ent_metrics_counter_t *m_late, *m_digests, *m_fired;
    ent_metrics_counter_t *m_purged[NTF_PURGE_KINDS];
    /* the retention pass (retention.c), committed and as this turn sees it */
    struct ntf_retention_pass {
        bool running;            /* walking the contacts, resumed after next */
        bool dead;               /* the dead letters still to look at in this pass */
        char next[NTF_ID_MAX + 1];
        int32_t day;             /* business day the pass started */
        int64_t at;              /* monotonic ms it started */
    } retention, turn_retention;
    ent_metrics_histogram_t *m_seconds[NTF_CH_COUNT];
    struct ntf_gauge_arg { struct notifier *n; int counter; } gauge_args[NTF_CNT_COUNT];
    char *outbox_path;           /* the default file outbox (owned) */

    /* scratch (no allocation per event) */
    ntf_subject_t *subj;         /* two subjects: an interview and its obligation */
    ent_pbarena_t *rd_arena;     /* a stored subject or contact while it is read (reset after
                                  * each); NULL: the heap (unit tests that build a notifier_t) */
    ent_pbarena_t *ev_arena;     /* the payload of the event being applied (reset after it) */
    /* the contacts read in the current write transaction (store.c): every
     * subject replanned reads its employee and manager, the same few over
     * a turn (a team's manager for each of its members' events) */
    struct ntf_contact_memo {
        uint64_t serial;         /* ent_store_txn_serial they were read in */
        bool used[NTF_CONTACT_MEMO];
        char key[NTF_CONTACT_MEMO][NTF_ID_MAX + 1];
        ntf_contact_t c[NTF_CONTACT_MEMO];
        unsigned next;           /* the slot filled next */
    } contact_memo;
    ntf_item_t wants[NTF_MAX_WANTS];
} notifier_t;

/* --- store.c ----------------------------------------------------------- */

/* Opens the databases.  Returns 0 or an LMDB code. */
int ntf_store_open(notifier_t *n);

/* Loads the meta counters into n->counts (a read transaction). */
int ntf_counts_load(notifier_t *n);

/* Adds delta to a counter in meta (and to the turn's delta). */
int ntf_count_add(notifier_t *n, MDB_txn *txn, int counter, int64_t delta);

int ntf_contact_get(notifier_t *n, MDB_txn *txn, const char *employee_id, ntf_contact_t *out);
int ntf_contact_put(notifier_t *n, MDB_txn *txn, const ntf_contact_t *c);
/* Forgets what ntf_contact_get remembered of employee_id in this turn:
 * every write of the contacts database calls it (ntf_contact_put does). */
void ntf_contact_forget(notifier_t *n, const char *employee_id);
/* Fills m pointing into c (and into left, the storage of its departure
 * day): valid while both are. */
void ntf_contact_msg(const ntf_contact_t *c, Entretiens__V1__Contact *m, Entretiens__V1__Date *left);

/* Loads a subject.  Returns 0, MDB_NOTFOUND (also for a value that cannot
 * be read: logged), or an LMDB code. */
int ntf_subject_get(notifier_t *n, MDB_txn *txn, const char *key, ntf_subject_t *out);

/* Stores s, moves its timer to its next fire time, indexes it by employee
 * and adjusts the planned counter (pending_before: its pending items when
 * loaded; fresh: it was not stored).  Returns 0 or an LMDB code. */
int ntf_subject_put(notifier_t *n, MDB_txn *txn, ntf_subject_t *s, size_t pending_before, bool fresh);

/* Timer key be64(ms) + subject key into key (>= 8 + NTF_KEY_MAX bytes). */
size_t ntf_timer_key(int64_t ms, const char *subject_key, uint8_t *key);

/* Notifications. get: 0, MDB_NOTFOUND or an LMDB code (free with
 * ntf_notif_clear). */
int ntf_notif_get(notifier_t *n, MDB_txn *txn, const char *id, ntf_notif_t *out);
/* Writes the record; status_before (NTF_ST_COUNT when new) keeps counters. */
int ntf_notif_put(notifier_t *n, MDB_txn *txn, const ntf_notif_t *nf, int status_before);
void ntf_notif_init(ntf_notif_t *nf);
void ntf_notif_clear(ntf_notif_t *nf);
int ntf_notif_unpack(const void *data, size_t len, ntf_notif_t *out);
/* Fills a Notification message pointing into nf (and storage the caller
 * keeps: del, pdel).  Valid while nf is. */
void ntf_notif_msg(const ntf_notif_t *nf, Entretiens__V1__Notification *m, Entretiens__V1__Date *due,
                   Entretiens__V1__Delivery *del, Entretiens__V1__Delivery **pdel);

/* A planned item seen as a notification (status pending/cancelled/fired). */
void ntf_notif_from_item(const ntf_subject_t *s, const ntf_item_t *it, ntf_notif_t *out);

/* --- apply.c ----------------------------------------------------------- */

/* Consumers (ent_event_fn): scheduler and records events. */
/* The scheduler's event types ntf_on_scheduler applies (NULL-terminated);
 * it returns 0 without a write for any other. */
extern char *const ntf_scheduler_types[];
int ntf_on_scheduler(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);
int ntf_on_records(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg);

/* Applies one event by type (for tests and the consumers).  Returns 0,
 * ENT_EVENT_SKIP or an LMDB code. */
int ntf_apply_employee(notifier_t *n, MDB_txn *txn, const Entretiens__V1__Employee *e, int64_t at_ms);
int ntf_apply_obligation(notifier_t *n, MDB_txn *txn, const char *type, const Entretiens__V1__Obligation *o,
                         int64_t at_ms);
int ntf_apply_interview(notifier_t *n, MDB_txn *txn, const char *type, const Entretiens__V1__InterviewEvent *iv,
                        int64_t at_ms);

/* Recomputes the plan of the subject in n->subj (loaded; pending_before its
 * pending items when loaded) with ref_ms as the time of the cause, and
 * stores it.  Returns 0 or an LMDB code. */
int ntf_replan(notifier_t *n, MDB_txn *txn, ntf_subject_t *s, size_t pending_before, bool fresh, int64_t ref_ms);

/* The manager to whom a subject's manager items go ("" when unknown). */
void ntf_subject_manager(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, const ntf_contact_t *emp,
                         char *out, size_t size);

/* Sets the digest preference of a recipient and replans nothing (digests
 * are decided when items fire).  Returns 0, MDB_NOTFOUND or an LMDB code. */
/* locale: NULL or "" keeps the preferred locale, "hris" clears it, "fr" or
 * "en" sets it (the caller checked it). */
int ntf_prefs_set(notifier_t *n, MDB_txn *txn, const char *recipient_id, bool digest, const char *locale);

/* The locale a contact's messages are written in: her own choice, else
 * the HRIS's, else NULL (the templates' default). */
const char *ntf_contact_locale(const ntf_contact_t *c);

/* --- dispatch.c -------------------------------------------------------- */

/* The periodic work (ent_daemon_work_fn): records the senders' outcomes,
 * re-sends what a crash left in flight, retries, fires what is due. */
int ntf_work(MDB_txn *txn, void *arg);

/* Records finished jobs (n->results) in txn. */
int ntf_results_apply(notifier_t *n, MDB_txn *txn);

/* Puts a failed or dead notification back for sending now.  Returns 0,
 * MDB_NOTFOUND, EINVAL (not failed/dead) or an LMDB code. */
int ntf_retry(notifier_t *n, MDB_txn *txn, const char *id);

/* Renders a notification as it would be sent (for preview and show).
 * Fills out (strings malloc'd in *owned, freed by the caller with
 * ntf_preview_free).  Returns 0 or an LMDB code. */
typedef struct {
    char *to[2];
    char *cc[1];
    size_t n_to, n_cc;
    char *subject, *text, *ical, *error;
    char locale[16];
} ntf_preview_t;
int ntf_preview(notifier_t *n, MDB_txn *txn, const ntf_notif_t *nf, ntf_preview_t *out);
void ntf_preview_free(ntf_preview_t *p);

/* An escalation's recipient ("escalation" in the plan) resolved now: the
 * manager's manager, or "hr" (role hr) when there is none.  Other
 * notifications are left as they are.  Returns 0 or an LMDB code. */
int ntf_resolve_recipient(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, ntf_notif_t *nf);

/* Sends the notification of item it of subject s now (rendered into jobs
 * handed to the senders after the commit), never folded into a digest:
 * what someone asked for at once (notifier.campaign.remind).  When a
 * notification with its id exists (the step went out already), nothing is
 * sent and *fired stays false.  nf receives the notification (clear it with
 * ntf_notif_clear).  Returns 0 or an LMDB code / ENOMEM. */
int ntf_fire_now(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, const ntf_item_t *it, ntf_notif_t *nf,
                 bool *fired);

/* remind.c: notifier.campaign.remind.  Returns 0 or -1. */
int ntf_remind_register(notifier_t *n);

/* Turn hooks (participants). */
void ntf_turn_reset(void *arg);
void ntf_turn_flush(void *arg, bool committed);

/* The business-clock time when fired items count as late (start of process). */
bool ntf_is_late(const notifier_t *n, int64_t fire_ms);

/* --- retention.c ------------------------------------------------------- */

/* Puts id in the dead-letter list, dated died_ms (business clock): its
 * retention counts from then.  Returns 0 or an LMDB code. */
int ntf_dead_put(notifier_t *n, MDB_txn *txn, const char *id, int64_t died_ms);

/* Periodic work (ent_daemon_work_fn, every tick; a pass at most hourly
 * and at every new business day, so at every clock change): deletes what
 * the notifier holds about people who left more than
 * cfg.retention_years ago — their subjects and plans (pending reminders
 * included), their notifications with their delivery history, the digests
 * addressed to them, their contact — and the dead letters older than
 * cfg.deadletter_days.  At most 10,000 deletions a turn; on the real clock
 * 20,000 contacts a turn (the pass goes on at the next tick), a pinned
 * clock does the pass at once.  Logs counts only.  Returns 0 or an LMDB
 * code. */
int ntf_retention_sweep(MDB_txn *txn, void *arg);

/* --- queries.c --------------------------------------------------------- */

int ntf_queries_register(notifier_t *n);

/* --- service.c --------------------------------------------------------- */

/* The daemon's variables (for the spec and --help). */
extern const ent_config_var_t ntf_config_vars[];
extern const size_t ntf_config_nvars;

/* Reads the configuration.  Returns 0 or -1 (logged). */
int ntf_config_read(const ent_config_t *cfg, ntf_config_t *out);

/* Daemon set-up (ent_daemon_setup_fn): arg is a notifier_t to fill. */
int ntf_setup(ent_daemon_t *d, void *arg);

/* Core set-up without a daemon (tests, benchmark): store open, config
 * given, no pool unless start_pool.  Returns 0 or -1. */
int ntf_init(notifier_t *n, ent_store_t *store, const ntf_config_t *cfg, bool start_pool);

/* After the loop stopped: lets running sends finish (cfg.drain_ms) and
 * records their outcomes in a last transaction. */
void ntf_drain(notifier_t *n);

/* Frees what ntf_setup / ntf_init allocated. */
void ntf_teardown(notifier_t *n);

#endif
