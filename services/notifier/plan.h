/*  plan.h — reminder plans: what a subject (an obligation or an interview)
 *  owes to whom and when, as a list of planned items, and how a new state
 *  of the subject rewrites that list.
 *
 *  A SUBJECT is an obligation ("o:<obligation_id>", from the scheduler's
 *  events) or an interview ("i:<interview_id>", from records' events).
 *  Its PLAN is a list of ITEMS; each item is one notification to one
 *  recipient, identified by (kind, offset, ref, recipient), which gives the
 *  notification id "<subject>|<step>|<recipient>":
 *
 *    reminder      d-30@2027-03-01   N days before the due date (N >= 0)
 *    overdue       d+1@2027-03-01    N days after it, employee or manager
 *    escalation    d+7@2027-03-01    N days after it, the manager's manager + HR
 *    invitation    invite@<start ms> the interview was scheduled (or moved)
 *    cancellation  cancel@<start ms> a scheduled interview was cancelled
 *    sign_request  sign#<reopen>     the interview was held (or reopened)
 *    signed        signed#<reopen>   both parties signed
 *
 *  The due date is part of a day step's identity: when the due date moves,
 *  the old steps are cancelled and new ones planned, while those already
 *  sent stay sent.  Everything here is pure (no store, no clock): the
 *  caller passes "now" and the time of the event that caused the change.
 */
#ifndef NTF_PLAN_H
#define NTF_PLAN_H

#include "common/calendar.h"
#include "common/pbarena.h"
#include "proto/notifier.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTF_ID_MAX 64        /* employee ids (as the scheduler's) */
#define NTF_IID_MAX 128      /* interview ids */
#define NTF_KEY_MAX 200      /* subject keys: "o:" + obligation id */
#define NTF_NID_MAX 320      /* notification ids */
#define NTF_MAX_ITEMS 64     /* plan items kept per subject */
#define NTF_MAX_STEPS 8      /* day steps per plan */
#define NTF_MAX_PLANS 16     /* interview types with their own plan */
#define NTF_MAX_WANTS 32

typedef enum {
    NTF_KIND_REMINDER = 0,
    NTF_KIND_OVERDUE,
    NTF_KIND_ESCALATION,
    NTF_KIND_INVITATION,
    NTF_KIND_CANCELLATION,
    NTF_KIND_SIGN_REQUEST,
    NTF_KIND_SIGNED,
    NTF_KIND_DIGEST,
    /* an obligation already overdue past its reminders when the notifier
     * first heard of it (the backlog found at installation): one item to
     * the manager and one to HR, always carried by a digest (after DIGEST:
     * kinds are stored by number) */
    NTF_KIND_CATCHUP,
    NTF_KIND_COUNT
} ntf_kind_t;

typedef enum {
    NTF_ROLE_EMPLOYEE = 0,
    NTF_ROLE_MANAGER,
    NTF_ROLE_ESCALATION,   /* the manager's manager, HR in copy */
    NTF_ROLE_HR,           /* an escalation with no manager's manager known */
    NTF_ROLE_COUNT
} ntf_role_t;

typedef enum { NTF_ITEM_PENDING = 0, NTF_ITEM_FIRED, NTF_ITEM_CANCELLED, NTF_ITEM_COUNT } ntf_item_status_t;

/* Wire names ("reminder", "employee", "pending"...); "?" when out of range. */
const char *ntf_kind_name(int kind);
const char *ntf_role_name(int role);
const char *ntf_item_status_name(int status);
/* Parses a wire name; returns the value or -1. */
int ntf_kind_parse(const char *name);
int ntf_role_parse(const char *name);
int ntf_item_status_parse(const char *name);

/* --------------------------------------------------------------- plans */

/* Recipients of a day step (bit mask). */
#define NTF_TO_EMPLOYEE 1u
#define NTF_TO_MANAGER 2u
#define NTF_TO_ESCALATION 4u

typedef struct {
    int32_t offset;        /* days from the due date: < 0 before, > 0 after */
    uint8_t to;            /* NTF_TO_* */
} ntf_step_t;

typedef struct {
    char type[48];         /* interview type, "default" for the fallback */
    ntf_step_t steps[NTF_MAX_STEPS];
    int n;                 /* 0 = no reminders for this type */
} ntf_plan_t;

typedef struct {
    ntf_plan_t def;
    ntf_plan_t types[NTF_MAX_PLANS];
    int n;
} ntf_plans_t;

/* The default plans: 30, 7 and 1 day before the due date to the employee
 * and the manager, 1 day after it to the manager, 7 days after it the
 * escalation. */
extern const char NTF_DEFAULT_PLANS[];

/* Parses "TYPE=STEP,STEP...;TYPE=..." where TYPE is an interview type or
 * "default", and STEP is a signed day offset, ':' and the recipients
 * ("e" employee, "m" manager, "x" escalation), e.g.
 * "default=-30:em,-7:em,-1:em,+1:m,+7:x;end_of_trial=-7:m,+1:m;corrective=none".
 * Types not listed use "default" (itself defaulting to NTF_DEFAULT_PLANS).
 * Returns 0, or -1 with a reason in err. */
int ntf_plans_parse(const char *text, ntf_plans_t *out, char *err, size_t errsz);

/* The plan of an interview type (the default plan when it has none). */
const ntf_plan_t *ntf_plans_for(const ntf_plans_t *plans, const char *type);

/* --------------------------------------------------------------- time */

/* Unix ms of `hour`:00 local time on date (day number, common/date.h). */
int64_t ntf_local_ms(int32_t date, int hour);

/* date itself when it is a business day (jours ouvrés) of region, else
 * the nearest one in direction (-1 earlier, +1 later). */
int32_t ntf_business_day(ent_region_t region, int32_t date, int direction);

/* When a day step fires: due + offset moved to a business day (earlier for
 * steps before or on the due date, later for steps after it), at hour. */
int64_t ntf_step_fire_ms(int32_t due, int32_t offset, ent_region_t region, int hour);

/* Region from its wire name; metropole when empty or unknown. */
ent_region_t ntf_region(const char *name);

/* --------------------------------------------------------------- subjects */

typedef struct {
    uint8_t kind;          /* ntf_kind_t */
    uint8_t role;          /* ntf_role_t */
    uint8_t status;        /* ntf_item_status_t */
    uint8_t late;
    int32_t offset;
    int64_t ref;           /* day steps: the due date; invitation/cancellation: start ms; sign: reopen count */
    int64_t fire_ms;
    char recipient[NTF_ID_MAX + 1];  /* employee id or "escalation" */
} ntf_item_t;

typedef struct {
    char key[NTF_KEY_MAX + 1];
    char employee_id[NTF_ID_MAX + 1];
    char type[48];
    int32_t due;                       /* ENT_DATE_NONE when unknown */
    char obligation_status[16];
    bool actionable;
    int64_t since_ms;
    char manager_id[NTF_ID_MAX + 1];
    char obligation_id[NTF_KEY_MAX + 1];
    char interview_id[NTF_IID_MAX + 1];
    char interview_status[24];
    char interviewer_id[NTF_ID_MAX + 1];
    int64_t scheduled_start_ms;
    uint32_t duration_min;
    char place[256];
    char video_link[512];
    int64_t scheduled_at_ms;
    uint32_t sequence;
    int64_t held_at_ms;
    int64_t signed_at_ms;
    int64_t cancelled_at_ms;
    uint32_t reopen_count;
    int64_t reopened_at_ms;
    char locale[16];
    char first_name[128];
    char last_name[128];
    char entity[NTF_ID_MAX + 1];
    int64_t updated_at_ms;
    int64_t timer_ms;
    int32_t penalty_eur;               /* the obligation's penalty if missed */
    int32_t window_start;              /* no reminder before it; ENT_DATE_NONE when unknown */
    char trace[33];                    /* the trace of the last work that changed it ("" = none) */
    ntf_item_t items[NTF_MAX_ITEMS];
    size_t n_items;
} ntf_subject_t;

/* True for "o:" subjects. */
bool ntf_subject_is_obligation(const ntf_subject_t *s);

/* Resets s to an empty subject with the given key. */
void ntf_subject_init(ntf_subject_t *s, const char *key);

/* The step name of an item ("d-30@2027-03-01", "invite@1767600000000",
 * "sign#0") into buf; returns buf. */
char *ntf_item_step(const ntf_item_t *it, char *buf, size_t size);

/* "<subject key>|<step>|<recipient>" into buf.  Returns 0, or -1 when it
 * does not fit. */
int ntf_item_id(const char *subject_key, const ntf_item_t *it, char *buf, size_t size);

/* Same identity (kind, offset, ref, recipient). */
bool ntf_item_same(const ntf_item_t *a, const ntf_item_t *b);

/* What the plan decides, given the recipients the caller resolved. */
typedef struct {
    const ntf_plans_t *plans;
    int hour;                    /* local hour of day steps */
    const char *manager_id;      /* the employee's manager (or the interviewer), "" when unknown */
    ent_region_t employee_region;
    ent_region_t manager_region;
    int32_t ref_day;             /* the day of the event that caused the planning: an overdue
                                  * obligation none of whose day steps falls on or after it
                                  * (and none was sent) gets a catch-up item instead */
} ntf_plan_ctx_t;

/* The items the subject's current state calls for (fire_ms is the ideal
 * time, before the event-time floor applied by ntf_plan_merge).  Returns
 * their number (at most max). */
int ntf_plan_wants(const ntf_subject_t *s, const ntf_plan_ctx_t *ctx, ntf_item_t *out, int max);

typedef struct {
    int added;       /* new pending items */
    int cancelled;   /* pending items no longer called for */
    int restored;    /* cancelled items called for again */
} ntf_merge_stats_t;

/* Rewrites the plan of s to the wants:
 *  - a pending item no longer wanted is cancelled (sent ones never change);
 *  - a wanted item not in the plan (or cancelled) becomes pending when it is
 *    still owed: a day step whose day is not before the day of ref_ms (the
 *    time of the event that caused the change: a step that was already past
 *    when the obligation appeared is not owed), and anything not more than
 *    max_late_ms before now_ms;
 *  - its fire time is max(ideal, ref_ms), and it is marked late when that
 *    is more than grace_ms before now_ms (events caught up after downtime).
 * When the plan is full, cancelled then fired items are dropped, oldest
 * first.  Returns 0. */
int ntf_plan_merge(ntf_subject_t *s, const ntf_item_t *wants, int n, int64_t ref_ms, int64_t now_ms,
                   int64_t max_late_ms, int64_t grace_ms, ntf_merge_stats_t *st);

/* Earliest fire time of the pending items, 0 when none. */
int64_t ntf_subject_next_fire(const ntf_subject_t *s);

/* Number of pending items. */
size_t ntf_subject_pending(const ntf_subject_t *s);

/* --------------------------------------------------------------- storage */

/* Packs s as a Subject message into a malloc'd buffer.  NULL on ENOMEM. */
uint8_t *ntf_subject_pack(const ntf_subject_t *s, size_t *len);

/* The packed size of s; s is packed into buf only when that size is at
 * most cap (buf may be NULL when cap is 0: the size alone).  Lets the hot
 * path pack into a buffer of its stack, without a malloc. */
size_t ntf_subject_pack_into(const ntf_subject_t *s, uint8_t *buf, size_t cap);

/* Unpacks a stored Subject.  arena (may be NULL: the heap) holds the
 * message while it is read, and is reset before the return: nothing else
 * may live in it.  Returns 0, or -1 when it is not one or a field does not
 * fit (a corrupt value: logged by the caller). */
int ntf_subject_unpack(const void *data, size_t len, ent_pbarena_t *arena, ntf_subject_t *out);

/* Copies src into dst (size bytes), cutting on a UTF-8 boundary.  Returns
 * true when it fitted whole. */
bool ntf_copy(char *dst, size_t size, const char *src);

#endif
