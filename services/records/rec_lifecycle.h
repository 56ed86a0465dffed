/*  rec_lifecycle.h — the interview state machine, pure (no store, no clock).
 *
 *    planned ─schedule─> scheduled ─answer─> preparation ─share(both)─> shared
 *    (answering while planned is allowed and keeps it planned)
 *        │                  │  └──────────share──────────┘                 │
 *        │                  └─────────────── hold ─────────────────────────┴─> held
 *    held ─report─> reported ─sign(employee)─> signed_employee ─sign(interviewer)─> closed
 *                            └sign(interviewer)> signed_manager ─sign(employee)──> closed
 *    planned..shared ─cancel─> cancelled ─restore(system)─> planned
 *    signed_employee | signed_manager | closed ─reopen(hr)─> held   (signatures cleared)
 *    step_back(hr), one milestone back before any signature:
 *      scheduled | preparation ─> planned (the meeting withdrawn, answers kept)
 *      shared ─> preparation (both preparations private again)
 *      reported ─> held (the report withdrawn for rewriting)
 *    a held meeting is never undone: the scheduler counted it for the
 *    obligation (its proof), so held has no step back
 *
 *  Every action is checked twice: against the actor (may this kind of actor
 *  ever do it? if not: REC_T_DENIED, answered PERMISSION_DENIED) and against
 *  the current state (REC_T_STATE, answered FAILED_PRECONDITION with the
 *  state).  docs/records.md has the full table; tests/unit/test_records_lifecycle.c
 *  checks every (state, action, actor) triple.
 */
#ifndef REC_LIFECYCLE_H
#define REC_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    REC_S_PLANNED = 0,
    REC_S_SCHEDULED,
    REC_S_PREPARATION,
    REC_S_SHARED,
    REC_S_HELD,
    REC_S_REPORTED,
    REC_S_SIGNED_EMPLOYEE,
    REC_S_SIGNED_MANAGER,
    REC_S_CLOSED,
    REC_S_CANCELLED,
    REC_S_COUNT
} rec_state_t;

typedef enum {
    REC_A_SCHEDULE = 0, /* set or move the meeting (start, duration, place) */
    REC_A_ANSWER,       /* save one's answers (preparation, report writing) */
    REC_A_SHARE,        /* make one's preparation visible to the other party */
    REC_A_HOLD,         /* the meeting took place */
    REC_A_REPORT,       /* the interviewer's report is written */
    REC_A_SIGN,
    REC_A_CANCEL,
    REC_A_REOPEN,
    REC_A_REASSIGN,     /* change the interviewer */
    REC_A_MOVE_DUE,     /* the due date moved: the obligation's (scheduler) or by HR */
    REC_A_RESTORE,      /* a cancelled obligation is owed again (scheduler) */
    REC_A_STEP_BACK,    /* HR undoes the last milestone before any signature */
    REC_A_COUNT
} rec_action_t;

/* Who acts, relative to the interview. */
typedef enum {
    REC_ACT_EMPLOYEE = 0, /* the interviewed employee */
    REC_ACT_INTERVIEWER,  /* the interview's manager */
    REC_ACT_LINE,         /* a manager above the employee */
    REC_ACT_HR,           /* HR with the interview's entity in scope */
    REC_ACT_ADMIN,
    REC_ACT_SYSTEM,       /* the scheduler's events */
    REC_ACT_COUNT
} rec_actor_t;

typedef enum { REC_T_OK = 0, REC_T_DENIED, REC_T_STATE } rec_verdict_t;

/* What the state alone does not say. */
typedef struct {
    bool employee_shared;   /* the employee already shared their preparation */
    bool manager_shared;    /* the interviewer already shared theirs */
    bool adhoc;             /* not created for an obligation */
} rec_context_t;

typedef struct {
    rec_verdict_t verdict;
    rec_state_t next;       /* when OK */
    const char *why;        /* when refused: a sentence for the message */
} rec_transition_t;

rec_transition_t rec_transition(rec_state_t state, rec_action_t action, rec_actor_t actor, const rec_context_t *ctx);

/* Wire names ("planned", "signed_employee", "schedule", "interviewer"...). */
const char *rec_state_name(rec_state_t s);
int rec_state_parse(const char *name, rec_state_t *out);
const char *rec_action_name(rec_action_t a);
const char *rec_actor_name(rec_actor_t a);

/* True when the content can no longer change (a signature is on it). */
bool rec_state_frozen(rec_state_t s);
/* True for the states before the meeting (an open obligation follows them). */
bool rec_state_before_meeting(rec_state_t s);

#endif
