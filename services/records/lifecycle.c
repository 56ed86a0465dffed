/*  lifecycle.c — the interview state machine (rec_lifecycle.h). */
#include "rec_lifecycle.h"

#include <string.h>

static const char *const s_states[REC_S_COUNT] = {
    "planned", "scheduled", "preparation", "shared", "held", "reported",
    "signed_employee", "signed_manager", "closed", "cancelled",
};
static const char *const s_actions[REC_A_COUNT] = {
    "schedule", "answer", "share", "hold", "report", "sign", "cancel", "reopen", "reassign", "move_due", "restore",
    "step_back",
};
static const char *const s_actors[REC_ACT_COUNT] = {
    "employee", "interviewer", "line", "hr", "admin", "system",
};

#define BIT(a) (1u << (a))
/* Who may ever perform each action. */
static const unsigned s_may[REC_A_COUNT] = {
    [REC_A_SCHEDULE] = BIT(REC_ACT_INTERVIEWER) | BIT(REC_ACT_HR),
    [REC_A_ANSWER] = BIT(REC_ACT_EMPLOYEE) | BIT(REC_ACT_INTERVIEWER),
    [REC_A_SHARE] = BIT(REC_ACT_EMPLOYEE) | BIT(REC_ACT_INTERVIEWER),
    [REC_A_HOLD] = BIT(REC_ACT_INTERVIEWER) | BIT(REC_ACT_HR),
    [REC_A_REPORT] = BIT(REC_ACT_INTERVIEWER),
    [REC_A_SIGN] = BIT(REC_ACT_EMPLOYEE) | BIT(REC_ACT_INTERVIEWER),
    [REC_A_CANCEL] = BIT(REC_ACT_INTERVIEWER) | BIT(REC_ACT_HR) | BIT(REC_ACT_SYSTEM),
    [REC_A_REOPEN] = BIT(REC_ACT_HR),
    [REC_A_REASSIGN] = BIT(REC_ACT_HR) | BIT(REC_ACT_SYSTEM),
    [REC_A_MOVE_DUE] = BIT(REC_ACT_HR) | BIT(REC_ACT_SYSTEM),
    [REC_A_RESTORE] = BIT(REC_ACT_SYSTEM),
    [REC_A_STEP_BACK] = BIT(REC_ACT_HR),
};

const char *rec_state_name(rec_state_t s)
{
    return (unsigned) s < REC_S_COUNT ? s_states[s] : "?";
}

int rec_state_parse(const char *name, rec_state_t *out)
{
    for (int i = 0; name && i < REC_S_COUNT; i++)
        if (strcmp(name, s_states[i]) == 0) {
            *out = (rec_state_t) i;
            return 0;
        }
    return -1;
}

const char *rec_action_name(rec_action_t a)
{
    return (unsigned) a < REC_A_COUNT ? s_actions[a] : "?";
}

const char *rec_actor_name(rec_actor_t a)
{
    return (unsigned) a < REC_ACT_COUNT ? s_actors[a] : "?";
}

bool rec_state_frozen(rec_state_t s)
{
    return s == REC_S_SIGNED_EMPLOYEE || s == REC_S_SIGNED_MANAGER || s == REC_S_CLOSED || s == REC_S_CANCELLED;
}

bool rec_state_before_meeting(rec_state_t s)
{
    return s == REC_S_PLANNED || s == REC_S_SCHEDULED || s == REC_S_PREPARATION || s == REC_S_SHARED;
}

static rec_transition_t s_ok(rec_state_t next)
{
    return (rec_transition_t) { REC_T_OK, next, NULL };
}

static rec_transition_t s_state(rec_state_t cur, const char *why)
{
    return (rec_transition_t) { REC_T_STATE, cur, why };
}

rec_transition_t rec_transition(rec_state_t st, rec_action_t action, rec_actor_t actor, const rec_context_t *ctx)
{
    static const rec_context_t none = { 0 };
    if (!ctx)
        ctx = &none;
    if ((unsigned) st >= REC_S_COUNT || (unsigned) action >= REC_A_COUNT || (unsigned) actor >= REC_ACT_COUNT)
        return (rec_transition_t) { REC_T_DENIED, st, "unknown state, action or actor" };
    if (!(s_may[action] & BIT(actor)))
        return (rec_transition_t) { REC_T_DENIED, st, "this actor may never do this" };
    bool before = rec_state_before_meeting(st);
    switch (action) {
    case REC_A_SCHEDULE:
        if (st == REC_S_PLANNED)
            return s_ok(REC_S_SCHEDULED);
        if (before)
            return s_ok(st);
        return s_state(st, "the meeting can no longer be moved");
    case REC_A_ANSWER:
        if (st == REC_S_SCHEDULED)
            return s_ok(REC_S_PREPARATION);
        /* planned: each party may start preparing before the meeting is
         * set (the answers stay private; the state moves at the schedule) */
        if (st == REC_S_PLANNED || st == REC_S_PREPARATION || st == REC_S_SHARED || st == REC_S_HELD)
            return s_ok(st);
        /* reported: the interviewer amends the report; the employee may
         * still answer the comment questions (answer checks which) */
        if (st == REC_S_REPORTED)
            return s_ok(st);
        return s_state(st, rec_state_frozen(st) ? "the content is frozen (signed or cancelled)" : "no answers now");
    case REC_A_SHARE: {
        if (st != REC_S_SCHEDULED && st != REC_S_PREPARATION)
            return s_state(st, st == REC_S_PLANNED ? "the interview must be scheduled first"
                                                   : "preparations can only be shared before the meeting");
        bool mine = actor == REC_ACT_EMPLOYEE ? ctx->employee_shared : ctx->manager_shared;
        bool theirs = actor == REC_ACT_EMPLOYEE ? ctx->manager_shared : ctx->employee_shared;
        if (mine)
            return s_state(st, "this preparation is already shared");
        return s_ok(theirs ? REC_S_SHARED : REC_S_PREPARATION);
    }
    case REC_A_HOLD:
        if (st == REC_S_SCHEDULED || st == REC_S_PREPARATION || st == REC_S_SHARED)
            return s_ok(REC_S_HELD);
        return s_state(st, st == REC_S_PLANNED ? "the interview must be scheduled before it is held"
                                               : "the interview was already held or is over");
    case REC_A_REPORT:
        if (st == REC_S_HELD)
            return s_ok(REC_S_REPORTED);
        return s_state(st, before ? "the interview has not been held" : "the report is already written");
    case REC_A_SIGN:
        if (actor == REC_ACT_EMPLOYEE) {
            if (st == REC_S_REPORTED)
                return s_ok(REC_S_SIGNED_EMPLOYEE);
            if (st == REC_S_SIGNED_MANAGER)
                return s_ok(REC_S_CLOSED);
            if (st == REC_S_SIGNED_EMPLOYEE || st == REC_S_CLOSED)
                return s_state(st, "the employee already signed");
        } else {
            if (st == REC_S_REPORTED)
                return s_ok(REC_S_SIGNED_MANAGER);
            if (st == REC_S_SIGNED_EMPLOYEE)
                return s_ok(REC_S_CLOSED);
            if (st == REC_S_SIGNED_MANAGER || st == REC_S_CLOSED)
                return s_state(st, "the interviewer already signed");
        }
        return s_state(st, "only a written report can be signed");
    case REC_A_CANCEL:
        if (actor == REC_ACT_INTERVIEWER && !ctx->adhoc)
            return (rec_transition_t) { REC_T_DENIED, st,
                                        "an interview owed by law or policy is cancelled by HR or the scheduler only" };
        if (before)
            return s_ok(REC_S_CANCELLED);
        return s_state(st, st == REC_S_CANCELLED ? "already cancelled" : "a held interview cannot be cancelled");
    case REC_A_REOPEN:
        if (st == REC_S_SIGNED_EMPLOYEE || st == REC_S_SIGNED_MANAGER || st == REC_S_CLOSED)
            return s_ok(REC_S_HELD);
        return s_state(st, "only a signed report can be reopened");
    case REC_A_REASSIGN:
        if (before)
            return s_ok(st);
        if (actor == REC_ACT_HR && (st == REC_S_HELD || st == REC_S_REPORTED))
            return s_ok(st);
        return s_state(st, actor == REC_ACT_SYSTEM ? "the interview has been held: its interviewer stays"
                                                   : "a signed, closed or cancelled interview keeps its interviewer");
    case REC_A_MOVE_DUE:
        if (before)
            return s_ok(st);
        return s_state(st, "the interview has been held or cancelled");
    case REC_A_RESTORE:
        if (st == REC_S_CANCELLED)
            return s_ok(REC_S_PLANNED);
        return s_state(st, "only a cancelled interview is restored");
    case REC_A_STEP_BACK:
        switch (st) {
        case REC_S_SCHEDULED:
        case REC_S_PREPARATION:
            return s_ok(REC_S_PLANNED);
        case REC_S_SHARED:
            return s_ok(REC_S_PREPARATION);
        case REC_S_REPORTED:
            return s_ok(REC_S_HELD);
        case REC_S_HELD:
            return s_state(st, "a held meeting counts for its obligation and stays held; the report can still be "
                               "written, or the interview reassigned");
        case REC_S_SIGNED_EMPLOYEE:
        case REC_S_SIGNED_MANAGER:
        case REC_S_CLOSED:
            return s_state(st, "a signed report is reopened, not stepped back");
        default:
            return s_state(st, st == REC_S_PLANNED ? "there is no earlier step" : "a cancelled interview has no step back");
        }
    default:
        break;
    }
    return (rec_transition_t) { REC_T_DENIED, st, "unknown action" };
}
