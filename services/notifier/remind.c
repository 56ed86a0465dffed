/*  remind.c — notifier.campaign.remind: HR reminds the late ones of a
 *  campaign in one action (notifier.h, docs/notifier.md).
 *
 *  The late ones are the campaign's obligations ("o:<employee>/<type>/
 *  campaign-<id>" subjects) still owed — upcoming or overdue, actionable —
 *  whose interview is not held yet.  Each gets, now, the plan's step of the
 *  day: a reminder before the due date, an overdue notice after it
 *  ("d-N@<due>" / "d+N@<due>"), to the employee and to the interviewer (or
 *  the manager the obligation names).  Its notification id is the plan's,
 *  so a person is reminded once a day whoever asks: a double click, a
 *  second HR or the plan's own reminder of that day sends nothing more.
 *  The step of the day is the recipient's day: in her region's time (La
 *  Réunion is on the next day from 20:00 UTC), as for the plan's own steps.
 *  Who asked and how many went out is logged (campaign.reminded) and
 *  published (notifier.campaign.reminded), in the same transaction.
 */
#include "notifier.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/grants.h"
#include "common/log.h"
#include "common/principal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REMIND_IDS_MAX 20000

/* Still to hold: owed now and no interview held (a held one waits for its
 * report and signatures, which the plan's own steps ask for). */
static bool s_late(const ntf_subject_t *s)
{
    static const char *const done[] = { "held", "reported", "signed_employee", "signed_manager", "closed", "cancelled" };
    if (!s->actionable || (strcmp(s->obligation_status, "upcoming") != 0 && strcmp(s->obligation_status, "overdue") != 0))
        return false;
    for (size_t i = 0; i < sizeof done / sizeof *done; i++)
        if (strcmp(s->interview_status, done[i]) == 0)
            return false;
    return true;
}

/* The reply's list of ids sent (owned strings). */
typedef struct {
    char **ids;
    size_t n, cap;
} s_ids_t;

static int s_ids_add(s_ids_t *l, const char *id)
{
    if (l->n == REMIND_IDS_MAX)
        return 0; /* counted, not listed */
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **grown = realloc(l->ids, cap * sizeof *grown);
        if (!grown)
            return ENOMEM;
        l->ids = grown;
        l->cap = cap;
    }
    if (!(l->ids[l->n] = strdup(id)))
        return ENOMEM;
    l->n++;
    return 0;
}

static void s_ids_free(s_ids_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
    memset(l, 0, sizeof *l);
}

/* The region of person (her contact's), or fallback when she has none or
 * is unknown (a manager: the employee's, as the plan does).  Returns 0
 * with *out, or an LMDB code. */
static int s_region_of(notifier_t *n, MDB_txn *txn, const char *person, ent_region_t fallback, ent_region_t *out)
{
    ntf_contact_t *c = malloc(sizeof *c); /* 1 KiB: not on the stack of a loop */
    if (!c)
        return ENOMEM;
    int rc = ntf_contact_get(n, txn, person, c);
    *out = rc == 0 && c->region[0] ? ntf_region(c->region) : fallback;
    free(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Sends the day's step of s to one recipient (today: her date); counts it
 * in rep. */
static int s_remind_one(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, ntf_role_t role, const char *recipient,
                        int32_t today, Entretiens__V1__CampaignRemindReply *rep, s_ids_t *ids)
{
    ntf_item_t it;
    memset(&it, 0, sizeof it);
    int32_t offset = today - s->due;
    it.kind = (uint8_t) (offset > 0 ? NTF_KIND_OVERDUE : NTF_KIND_REMINDER);
    it.role = (uint8_t) role;
    it.offset = offset;
    it.ref = s->due;
    it.fire_ms = ent_clock_now_ms();
    it.status = NTF_ITEM_FIRED;
    ntf_copy(it.recipient, sizeof it.recipient, recipient);
    ntf_notif_t nf;
    bool fired = false;
    int rc = ntf_fire_now(n, txn, s, &it, &nf, &fired);
    if (!rc && fired) {
        rep->sent++;
        rc = s_ids_add(ids, nf.id);
    } else if (!rc && nf.id[0]) {
        rep->already++;
    }
    ntf_notif_clear(&nf);
    return rc;
}

static int s_remind(ent_rpc_call_t *call, void *arg)
{
    notifier_t *n = arg;
    Entretiens__V1__CampaignRemindRequest *q = ent_rpc_unpack(call, &entretiens__v1__campaign_remind_request__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    Entretiens__V1__CampaignRemindReply rep = ENTRETIENS__V1__CAMPAIGN_REMIND_REPLY__INIT;
    Entretiens__V1__Date on = ENTRETIENS__V1__DATE__INIT;
    ent_principal_t p;
    ent_grant_scope_t hr;
    memset(&hr, 0, sizeof hr);
    s_ids_t ids = { 0 };
    ntf_subject_t *s = NULL;
    MDB_cursor *cur = NULL;
    const char *why = "";
    int rc = 0;
    if (ent_principal_parse(call->caller, &p, &why) != 0) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
        goto done;
    }
    if (p.role == ENT_ROLE_HR && (rc = ent_grants_scope(call->txn, n->grants, call->caller, &hr)) != 0)
        goto done;
    if (p.role != ENT_ROLE_ADMIN && !(p.role == ENT_ROLE_HR && hr.scope.granted)) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller",
                          "%s: reminding a campaign is for administrators and HR with a grant", call->caller);
        goto done;
    }
    if (!q->campaign_id || !*q->campaign_id || strlen(q->campaign_id) > NTF_ID_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "campaign_id", "a campaign id (1-64 bytes) is required");
        goto done;
    }
    char suffix[NTF_ID_MAX + 16];
    size_t sl = (size_t) snprintf(suffix, sizeof suffix, "/campaign-%s", q->campaign_id);
    int32_t today = ent_clock_today(); /* the day of the action (reply, key): the process' */
    if (!(s = malloc(sizeof *s))) {
        rc = ENOMEM;
        goto done;
    }
    if ((rc = mdb_cursor_open(call->txn, n->subjects, &cur)) != 0)
        goto done;
    MDB_val k = { 2, "o:" }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < 2 || memcmp(k.mv_data, "o:", 2) != 0)
            break; /* past the obligations */
        if (k.mv_size <= sl || memcmp((const char *) k.mv_data + k.mv_size - sl, suffix, sl) != 0)
            continue;
        if (ntf_subject_unpack(v.mv_data, v.mv_size, n->rd_arena, s) != 0 || !s_late(s) || s->due == ENT_DATE_NONE)
            continue;
        if (p.role != ENT_ROLE_ADMIN && !ent_scope_covers(&hr.scope, s->entity))
            continue;
        rep.late++;
        /* the subject is copied: sending does not write it, and the cursor
         * stays on the subjects' database */
        ent_region_t er, mr;
        if ((rc = s_region_of(n, call->txn, s->employee_id, ENT_REGION_METROPOLE, &er)) != 0 ||
            (rc = s_remind_one(n, call->txn, s, NTF_ROLE_EMPLOYEE, s->employee_id, ent_clock_today_in(er), &rep,
                               &ids)) != 0)
            break;
        const char *who = s->interviewer_id[0] ? s->interviewer_id : s->manager_id;
        if (who[0] && strcmp(who, s->employee_id) != 0 &&
            ((rc = s_region_of(n, call->txn, who, er, &mr)) != 0 ||
             (rc = s_remind_one(n, call->txn, s, NTF_ROLE_MANAGER, who, ent_clock_today_in(mr), &rep, &ids)) != 0))
            break;
    }
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc)
        goto done;
    rep.campaign_id = q->campaign_id;
    rep.on = ent_pbdate_ptr(today, &on);
    rep.asked_by = (char *) call->caller;
    rep.notification_ids = ids.ids;
    rep.n_notification_ids = ids.n;
    ent_log_info("campaign.reminded", "campaign %s: %u reminders sent for %u late, %u already sent today, asked by %s",
                 q->campaign_id, rep.sent, rep.late, rep.already, call->caller);
    ent_outbox_t *ob = n->outbox ? n->outbox : n->d ? ent_daemon_outbox(n->d) : NULL;
    char key[NTF_ID_MAX + 64], day[ENT_DATE_STRLEN];
    snprintf(key, sizeof key, "remind:%s:%s:%lld", q->campaign_id, ent_date_format(today, day),
             (long long) ent_clock_now_ms());
    if (ob && (rc = ent_outbox_append_msg(ob, call->txn, "notifier.campaign.reminded", key, "", ent_clock_now_ms(),
                                          &rep.base, NULL)) != 0)
        goto done;
    rc = ent_rpc_ok(call, &rep.base);
done:
    if (cur)
        mdb_cursor_close(cur);
    free(s);
    s_ids_free(&ids);
    ent_grants_scope_free(&hr);
    entretiens__v1__campaign_remind_request__free_unpacked(q, NULL);
    return rc;
}

int ntf_remind_register(notifier_t *n)
{
    return ent_daemon_method(n->d, "notifier.campaign.remind", s_remind, n) ? -1 : 0;
}
