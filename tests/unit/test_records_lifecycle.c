/*  test_records_lifecycle.c — the interview state machine
 *  (services/records/lifecycle.h): every (state, action, actor) triple is
 *  checked against the table below, written from docs/records.md and not
 *  from the code: a triple in the table is allowed and leads to the given
 *  state; any other is refused — PERMISSION_DENIED when that actor may never
 *  perform the action, FAILED_PRECONDITION (REC_T_STATE) otherwise. */
#include "rec_lifecycle.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

enum { P = REC_S_PLANNED, SC = REC_S_SCHEDULED, PR = REC_S_PREPARATION, SH = REC_S_SHARED, HE = REC_S_HELD,
       RE = REC_S_REPORTED, SE = REC_S_SIGNED_EMPLOYEE, SM = REC_S_SIGNED_MANAGER, CL = REC_S_CLOSED, CA = REC_S_CANCELLED };
enum { EMP = REC_ACT_EMPLOYEE, INT = REC_ACT_INTERVIEWER, LIN = REC_ACT_LINE, HR = REC_ACT_HR, ADM = REC_ACT_ADMIN,
       SYS = REC_ACT_SYSTEM };

/* Allowed transitions with a context where no one shared and the interview
 * is owed by an obligation (not ad hoc). */
static const struct { int state, action, actor, next; } s_allowed[] = {
    /* schedule: interviewer or HR, before the meeting */
    { P, REC_A_SCHEDULE, INT, SC }, { P, REC_A_SCHEDULE, HR, SC },
    { SC, REC_A_SCHEDULE, INT, SC }, { SC, REC_A_SCHEDULE, HR, SC },
    { PR, REC_A_SCHEDULE, INT, PR }, { PR, REC_A_SCHEDULE, HR, PR },
    { SH, REC_A_SCHEDULE, INT, SH }, { SH, REC_A_SCHEDULE, HR, SH },
    /* answer: the two parties; scheduled moves to preparation; planned
     * stays planned (preparing before the meeting is set) */
    { P, REC_A_ANSWER, EMP, P }, { P, REC_A_ANSWER, INT, P },
    { SC, REC_A_ANSWER, EMP, PR }, { SC, REC_A_ANSWER, INT, PR },
    { PR, REC_A_ANSWER, EMP, PR }, { PR, REC_A_ANSWER, INT, PR },
    { SH, REC_A_ANSWER, EMP, SH }, { SH, REC_A_ANSWER, INT, SH },
    { HE, REC_A_ANSWER, EMP, HE }, { HE, REC_A_ANSWER, INT, HE },
    { RE, REC_A_ANSWER, INT, RE }, { RE, REC_A_ANSWER, EMP, RE }, /* the employee: comment questions only */
    /* share: nobody shared yet -> preparation */
    { SC, REC_A_SHARE, EMP, PR }, { SC, REC_A_SHARE, INT, PR },
    { PR, REC_A_SHARE, EMP, PR }, { PR, REC_A_SHARE, INT, PR },
    /* hold: interviewer or HR, once scheduled */
    { SC, REC_A_HOLD, INT, HE }, { SC, REC_A_HOLD, HR, HE },
    { PR, REC_A_HOLD, INT, HE }, { PR, REC_A_HOLD, HR, HE },
    { SH, REC_A_HOLD, INT, HE }, { SH, REC_A_HOLD, HR, HE },
    /* report */
    { HE, REC_A_REPORT, INT, RE },
    /* signatures, either order */
    { RE, REC_A_SIGN, EMP, SE }, { RE, REC_A_SIGN, INT, SM },
    { SE, REC_A_SIGN, INT, CL }, { SM, REC_A_SIGN, EMP, CL },
    /* cancel: HR and the scheduler (the interviewer only for ad-hoc ones) */
    { P, REC_A_CANCEL, HR, CA }, { SC, REC_A_CANCEL, HR, CA }, { PR, REC_A_CANCEL, HR, CA }, { SH, REC_A_CANCEL, HR, CA },
    { P, REC_A_CANCEL, SYS, CA }, { SC, REC_A_CANCEL, SYS, CA }, { PR, REC_A_CANCEL, SYS, CA }, { SH, REC_A_CANCEL, SYS, CA },
    /* reopen: HR, signed or closed -> held */
    { SE, REC_A_REOPEN, HR, HE }, { SM, REC_A_REOPEN, HR, HE }, { CL, REC_A_REOPEN, HR, HE },
    /* reassign: HR until the report, the scheduler (directory) before the meeting */
    { P, REC_A_REASSIGN, HR, P }, { SC, REC_A_REASSIGN, HR, SC }, { PR, REC_A_REASSIGN, HR, PR }, { SH, REC_A_REASSIGN, HR, SH },
    { HE, REC_A_REASSIGN, HR, HE }, { RE, REC_A_REASSIGN, HR, RE },
    { P, REC_A_REASSIGN, SYS, P }, { SC, REC_A_REASSIGN, SYS, SC }, { PR, REC_A_REASSIGN, SYS, PR }, { SH, REC_A_REASSIGN, SYS, SH },
    /* the scheduler moves the due date before the meeting, restores a cancelled one */
    { P, REC_A_MOVE_DUE, SYS, P }, { SC, REC_A_MOVE_DUE, SYS, SC }, { PR, REC_A_MOVE_DUE, SYS, PR }, { SH, REC_A_MOVE_DUE, SYS, SH },
    { CA, REC_A_RESTORE, SYS, P },
    /* HR moves the due date (a deadline by hand) before the meeting */
    { P, REC_A_MOVE_DUE, HR, P }, { SC, REC_A_MOVE_DUE, HR, SC }, { PR, REC_A_MOVE_DUE, HR, PR }, { SH, REC_A_MOVE_DUE, HR, SH },
    /* step back: HR, one milestone, never across the meeting or a signature */
    { SC, REC_A_STEP_BACK, HR, P }, { PR, REC_A_STEP_BACK, HR, P }, { SH, REC_A_STEP_BACK, HR, PR }, { RE, REC_A_STEP_BACK, HR, HE },
};

/* Who may ever perform each action (else PERMISSION_DENIED). */
static bool s_may(int action, int actor)
{
    switch (action) {
    case REC_A_SCHEDULE:
    case REC_A_HOLD:
        return actor == INT || actor == HR;
    case REC_A_ANSWER:
    case REC_A_SHARE:
    case REC_A_SIGN:
        return actor == EMP || actor == INT;
    case REC_A_REPORT:
        return actor == INT;
    case REC_A_CANCEL:
        return actor == HR || actor == SYS; /* the interviewer only ad hoc: checked below */
    case REC_A_REOPEN:
        return actor == HR;
    case REC_A_REASSIGN:
        return actor == HR || actor == SYS;
    case REC_A_MOVE_DUE:
        return actor == HR || actor == SYS;
    case REC_A_RESTORE:
        return actor == SYS;
    case REC_A_STEP_BACK:
        return actor == HR;
    default:
        return false;
    }
}

Test(records_lifecycle, every_triple)
{
    rec_context_t ctx = { .employee_shared = false, .manager_shared = false, .adhoc = false };
    int checked = 0, allowed = 0;
    for (int s = 0; s < REC_S_COUNT; s++)
        for (int a = 0; a < REC_A_COUNT; a++)
            for (int who = 0; who < REC_ACT_COUNT; who++) {
                rec_transition_t t = rec_transition((rec_state_t) s, (rec_action_t) a, (rec_actor_t) who, &ctx);
                int expect_next = -1;
                for (size_t i = 0; i < sizeof s_allowed / sizeof *s_allowed; i++)
                    if (s_allowed[i].state == s && s_allowed[i].action == a && s_allowed[i].actor == who)
                        expect_next = s_allowed[i].next;
                const char *what = rec_action_name((rec_action_t) a);
                if (expect_next >= 0) {
                    cr_assert_eq(t.verdict, REC_T_OK, "%s by %s in %s should be allowed (%s)", what,
                                 rec_actor_name((rec_actor_t) who), rec_state_name((rec_state_t) s), t.why ? t.why : "");
                    cr_assert_eq((int) t.next, expect_next, "%s by %s in %s should lead to %s, not %s", what,
                                 rec_actor_name((rec_actor_t) who), rec_state_name((rec_state_t) s),
                                 rec_state_name((rec_state_t) expect_next), rec_state_name(t.next));
                    allowed++;
                } else {
                    rec_verdict_t want = s_may(a, who) ? REC_T_STATE : REC_T_DENIED;
                    if (a == REC_A_CANCEL && who == INT)
                        want = REC_T_DENIED; /* not ad hoc */
                    cr_assert_eq(t.verdict, want, "%s by %s in %s should be %s, got %d", what,
                                 rec_actor_name((rec_actor_t) who), rec_state_name((rec_state_t) s),
                                 want == REC_T_STATE ? "FAILED_PRECONDITION" : "PERMISSION_DENIED", t.verdict);
                    cr_assert_not_null(t.why, "a refusal says why");
                    cr_assert_eq((int) t.next, s, "a refusal keeps the state");
                }
                checked++;
            }
    cr_assert_eq(checked, REC_S_COUNT * REC_A_COUNT * REC_ACT_COUNT);
    cr_assert_eq(allowed, (int) (sizeof s_allowed / sizeof *s_allowed), "every allowed transition was seen once");
}

Test(records_lifecycle, share_depends_on_the_other_party)
{
    rec_context_t other = { .employee_shared = true };
    rec_transition_t t = rec_transition(REC_S_PREPARATION, REC_A_SHARE, REC_ACT_INTERVIEWER, &other);
    cr_assert_eq(t.verdict, REC_T_OK);
    cr_assert_eq(t.next, REC_S_SHARED, "both shared: shared");
    t = rec_transition(REC_S_PREPARATION, REC_A_SHARE, REC_ACT_EMPLOYEE, &other);
    cr_assert_eq(t.verdict, REC_T_STATE, "the employee already shared");
    rec_context_t mgr = { .manager_shared = true };
    t = rec_transition(REC_S_SCHEDULED, REC_A_SHARE, REC_ACT_EMPLOYEE, &mgr);
    cr_assert_eq(t.next, REC_S_SHARED);
    t = rec_transition(REC_S_SHARED, REC_A_SHARE, REC_ACT_EMPLOYEE, &mgr);
    cr_assert_eq(t.verdict, REC_T_STATE, "shared is after both shares");
}

Test(records_lifecycle, the_interviewer_cancels_ad_hoc_interviews_only)
{
    rec_context_t adhoc = { .adhoc = true };
    for (int s = 0; s < REC_S_COUNT; s++) {
        rec_transition_t t = rec_transition((rec_state_t) s, REC_A_CANCEL, REC_ACT_INTERVIEWER, &adhoc);
        if (rec_state_before_meeting((rec_state_t) s)) {
            cr_assert_eq(t.verdict, REC_T_OK, "%s", rec_state_name((rec_state_t) s));
            cr_assert_eq(t.next, REC_S_CANCELLED);
        } else {
            cr_assert_eq(t.verdict, REC_T_STATE, "%s", rec_state_name((rec_state_t) s));
        }
    }
}

Test(records_lifecycle, names_round_trip)
{
    for (int s = 0; s < REC_S_COUNT; s++) {
        rec_state_t back;
        cr_assert_eq(rec_state_parse(rec_state_name((rec_state_t) s), &back), 0);
        cr_assert_eq((int) back, s);
    }
    rec_state_t x;
    cr_assert_eq(rec_state_parse("signed", &x), -1);
    cr_assert_eq(rec_state_parse(NULL, &x), -1);
    cr_assert_str_eq(rec_state_name(REC_S_SIGNED_EMPLOYEE), "signed_employee");
    cr_assert_str_eq(rec_action_name(REC_A_MOVE_DUE), "move_due");
    cr_assert_str_eq(rec_action_name(REC_A_STEP_BACK), "step_back");
    cr_assert(rec_state_frozen(REC_S_CLOSED) && rec_state_frozen(REC_S_SIGNED_MANAGER) && !rec_state_frozen(REC_S_REPORTED));
}

Test(records_lifecycle, out_of_range_is_refused)
{
    rec_transition_t t = rec_transition(REC_S_COUNT, REC_A_SIGN, REC_ACT_EMPLOYEE, NULL);
    cr_assert_eq(t.verdict, REC_T_DENIED);
    t = rec_transition(REC_S_REPORTED, REC_A_COUNT, REC_ACT_EMPLOYEE, NULL);
    cr_assert_eq(t.verdict, REC_T_DENIED);
    t = rec_transition(REC_S_REPORTED, REC_A_SIGN, REC_ACT_COUNT, NULL);
    cr_assert_eq(t.verdict, REC_T_DENIED);
}
