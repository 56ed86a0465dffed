/*  policy.c — entity policies, options and campaigns: stored as data,
 *  cached in memory, applied by recomputing every employee (scheduler.h). */
#include "scheduler.h"

#include "common/calendar.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sch_policy_t *sched_policy_for(scheduler_t *s, const char *entity)
{
    for (size_t i = 0; i < s->n_entities; i++)
        if (strcmp(s->entities[i].id, entity) == 0)
            return &s->entities[i].policy;
    return &s->defaults;
}

/* Applies options to a policy; returns the offending field or NULL. */
static const char *s_options(const Entretiens__V1__PolicyOptions *o, sch_policy_t *p)
{
    if (!o)
        return NULL;
    sch_first_transition_t ft;
    sch_recap_deadline_t rd;
    sch_late_interview_t li;
    sch_special_cycle_t sc;
    sch_suspensions_t su;
    sch_special_interviews_t si;
    sch_convocation_deadline_t cd;
    if (o->first_interview_transition && *o->first_interview_transition) {
        if (sch_first_transition_parse(o->first_interview_transition, &ft))
            return "options.first_interview_transition";
        p->first_transition = (uint8_t) ft;
    }
    if (o->recap_deadline && *o->recap_deadline) {
        if (sch_recap_deadline_parse(o->recap_deadline, &rd))
            return "options.recap_deadline";
        p->recap_deadline = (uint8_t) rd;
    }
    if (o->late_interview && *o->late_interview) {
        if (sch_late_interview_parse(o->late_interview, &li))
            return "options.late_interview";
        p->late_interview = (uint8_t) li;
    }
    if (o->special_cycle && *o->special_cycle) {
        if (sch_special_cycle_parse(o->special_cycle, &sc))
            return "options.special_cycle";
        p->special_cycle = (uint8_t) sc;
    }
    if (o->suspensions && *o->suspensions) {
        if (sch_suspensions_parse(o->suspensions, &su))
            return "options.suspensions";
        p->suspensions = (uint8_t) su;
    }
    if (o->return_to_work_min_days) {
        if (o->return_to_work_min_days > 3650)
            return "options.return_to_work_min_days";
        p->return_to_work_min_days = (uint16_t) o->return_to_work_min_days;
    }
    if (o->special_interviews && *o->special_interviews) {
        if (sch_special_interviews_parse(o->special_interviews, &si))
            return "options.special_interviews";
        p->special_interviews = (uint8_t) si;
    }
    if (o->convocation_deadline && *o->convocation_deadline) {
        if (sch_convocation_deadline_parse(o->convocation_deadline, &cd))
            return "options.convocation_deadline";
        p->convocation_deadline = (uint8_t) cd;
    }
    /* 0 is the default (on the return date), so absent and 0 agree */
    if (o->return_interview_days > 365)
        return "options.return_interview_days";
    p->return_interview_days = (uint16_t) o->return_interview_days;
    return NULL;
}

/* Fills an entity's policy; returns the offending field or NULL. */
static const char *s_entity(const Entretiens__V1__EntityPolicy *e, const sch_policy_t *defaults, sched_entity_policy_t *out)
{
    if (!e->id || !*e->id || strlen(e->id) > SCHED_ID_MAX)
        return "entities.id";
    snprintf(out->id, sizeof out->id, "%s", e->id);
    out->policy = *defaults;
    out->policy.headcount = e->headcount;
    ent_region_t r = ENT_REGION_METROPOLE;
    if (e->region && *e->region && ent_region_parse(e->region, &r))
        return "entities.region";
    out->policy.region = (uint8_t) r;
    if (e->periodicity_years > 4)
        return "entities.periodicity_years";
    out->policy.periodicity_years = (uint8_t) e->periodicity_years;
    ent_good_friday_t gf = ENT_GOOD_FRIDAY_UNKNOWN;
    if (e->good_friday && ent_good_friday_parse(e->good_friday, &gf))
        return "entities.good_friday";
    out->policy.good_friday = (uint8_t) gf;
    out->policy.branch_trial_renewal = e->branch_trial_renewal ? 1 : 0;
    out->policy.legacy_branch_trial = e->legacy_branch_trial ? 1 : 0;
    return sch_policy_check(&out->policy) ? "entities" : NULL;
}

static void s_clear_campaigns(scheduler_t *s)
{
    for (size_t i = 0; i < s->n_campaigns; i++)
        entretiens__v1__campaign__free_unpacked(s->campaigns[i].c, NULL);
    s->n_campaigns = 0;
}

static int s_campaign_cmp(const void *a, const void *b)
{
    const sched_campaign_t *x = a, *y = b;
    if (x->c->created_at_ms != y->c->created_at_ms)
        return x->c->created_at_ms < y->c->created_at_ms ? -1 : 1;
    return strcmp(x->c->id, y->c->id);
}

void sched_campaign_fill(sched_campaign_t *cp)
{
    sch_type_t t = SCH_TYPE_ANNUAL_REVIEW;
    if (cp->c->type && *cp->c->type)
        sch_type_parse(cp->c->type, &t);
    cp->type = (int) t;
    cp->start = ent_pbdate_day(cp->c->window_start);
    cp->end = ent_pbdate_day(cp->c->window_end);
    cp->hired_before = ent_pbdate_day(cp->c->hired_before);
    cp->hired_after = ent_pbdate_day(cp->c->hired_after);
    sch_category_t cat;
    cp->category = cp->c->category && *cp->c->category && !sch_category_parse(cp->c->category, &cat) ? (int) cat : -1;
    cp->state = cp->c->state && strcmp(cp->c->state, "closed") == 0      ? SCHED_CAMPAIGN_CLOSED
                : cp->c->state && strcmp(cp->c->state, "cancelled") == 0 ? SCHED_CAMPAIGN_CANCELLED
                                                                         : SCHED_CAMPAIGN_OPEN;
    cp->closed_on = cp->state == SCHED_CAMPAIGN_OPEN ? ENT_DATE_NONE : ent_pbdate_day(cp->c->closed_on);
}

/* Loads the cache from txn (the turn's, or a read-only one). */
static int s_load(scheduler_t *s, MDB_txn *txn)
{
    sch_policy_defaults(&s->defaults);
    free(s->entities);
    s->entities = NULL;
    s->n_entities = 0;
    s_clear_campaigns(s);
    MDB_val k = { sizeof SCHED_OPTIONS_KEY - 1, SCHED_OPTIONS_KEY }, v;
    if (mdb_get(txn, s->policies, &k, &v) == 0) {
        Entretiens__V1__PolicyOptions *o = entretiens__v1__policy_options__unpack(NULL, v.mv_size, v.mv_data);
        if (o) {
            s_options(o, &s->defaults);
            entretiens__v1__policy_options__free_unpacked(o, NULL);
        }
    }
    MDB_stat st;
    mdb_stat(txn, s->policies, &st);
    s->entities = calloc(st.ms_entries + 1, sizeof *s->entities);
    if (!s->entities)
        return ENOMEM;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->policies, &cur);
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == sizeof SCHED_OPTIONS_KEY - 1 && memcmp(k.mv_data, SCHED_OPTIONS_KEY, k.mv_size) == 0)
            continue;
        Entretiens__V1__EntityPolicy *e = entretiens__v1__entity_policy__unpack(NULL, v.mv_size, v.mv_data);
        if (e && !s_entity(e, &s->defaults, &s->entities[s->n_entities]))
            s->n_entities++;
        if (e)
            entretiens__v1__entity_policy__free_unpacked(e, NULL);
    }
    mdb_cursor_close(cur);
    rc = mdb_cursor_open(txn, s->campaigns_db, &cur);
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && s->n_campaigns < SCHED_MAX_CAMPAIGNS;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Entretiens__V1__Campaign *c = entretiens__v1__campaign__unpack(NULL, v.mv_size, v.mv_data);
        if (!c)
            continue;
        s->campaigns[s->n_campaigns].c = c;
        sched_campaign_fill(&s->campaigns[s->n_campaigns]);
        s->n_campaigns++;
    }
    mdb_cursor_close(cur);
    qsort(s->campaigns, s->n_campaigns, sizeof *s->campaigns, s_campaign_cmp);
    uint64_t version = 0;
    ent_store_meta_get_u64(txn, s->store, "policy_version", &version);
    s->policy_version = version;
    return 0;
}

int sched_policy_load(scheduler_t *s)
{
    MDB_txn *txn;
    int rc = ent_store_read(s->store, &txn);
    if (rc)
        return rc;
    rc = s_load(s, txn);
    mdb_txn_abort(txn);
    return rc;
}

int sched_recompute_all(scheduler_t *s, MDB_txn *txn)
{
    ent_today_t today;
    ent_clock_today_all(&today);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->facts, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    char id[SCHED_ID_MAX + 1];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t len = k.mv_size < SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(id, k.mv_data, len);
        id[len] = '\0';
        if ((rc = sched_recompute(s, txn, id, &today)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_put_msg(MDB_txn *txn, MDB_dbi dbi, const char *key, const ProtobufCMessage *msg)
{
    MDB_val k = { strlen(key), (void *) key }, v = { protobuf_c_message_get_packed_size(msg), NULL };
    int rc = mdb_put(txn, dbi, &k, &v, MDB_RESERVE);
    if (!rc)
        protobuf_c_message_pack(msg, v.mv_data);
    return rc;
}

/* Refuses the call unless the caller is an administrator or HR (all: with
 * every entity in scope).  Returns 0 with *ok, or an LMDB code. */
static int s_hr_only(scheduler_t *s, ent_rpc_call_t *call, bool all, bool *ok)
{
    sched_caller_t who;
    int rc = sched_caller_load(s, call->txn, call->caller, &who);
    *ok = !rc && (all ? sched_caller_hr_all(&who) : sched_caller_hr(&who));
    sched_caller_free(&who);
    if (!rc && !*ok)
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s: %s", call->caller,
                          all ? "policies and campaigns are set by an administrator or HR with every entity in scope"
                              : "for administrators and HR with a grant");
    return rc;
}

#define HR_ONLY(all)                                 \
    do {                                             \
        bool ok_;                                    \
        int rc_ = s_hr_only(s, call, (all), &ok_);   \
        if (rc_ || !ok_)                             \
            return rc_;                              \
    } while (0)

static int s_policy_apply(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    HR_ONLY(true);
    Entretiens__V1__Policy *p = ent_rpc_unpack(call, &entretiens__v1__policy__descriptor);
    if (!p)
        return 0; /* answered INVALID_ARGUMENT */
    int rc = 0;
    sch_policy_t defaults;
    sch_policy_defaults(&defaults);
    const char *bad = s_options(p->options, &defaults);
    sched_entity_policy_t tmp;
    for (size_t i = 0; !bad && i < p->n_entities; i++) {
        bad = s_entity(p->entities[i], &defaults, &tmp);
        for (size_t j = 0; !bad && j < i; j++)
            if (strcmp(p->entities[i]->id, p->entities[j]->id) == 0)
                bad = "entities.id";
    }
    if (bad) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, bad, "invalid value (see docs/policies.md for the options)");
        goto done;
    }
    /* a policy file replaces the previous one as a whole */
    if ((rc = mdb_drop(call->txn, s->policies, 0)) != 0)
        goto done;
    Entretiens__V1__PolicyOptions none = ENTRETIENS__V1__POLICY_OPTIONS__INIT;
    if ((rc = s_put_msg(call->txn, s->policies, SCHED_OPTIONS_KEY, p->options ? &p->options->base : &none.base)) != 0)
        goto done;
    for (size_t i = 0; i < p->n_entities; i++)
        if ((rc = s_put_msg(call->txn, s->policies, p->entities[i]->id, &p->entities[i]->base)) != 0)
            goto done;
    uint64_t version = 0;
    ent_store_meta_get_u64(call->txn, s->store, "policy_version", &version);
    if ((rc = ent_store_meta_put_u64(call->txn, s->store, "policy_version", version + 1)) != 0)
        goto done;
    /* the cache follows this transaction now; the reset hook reloads the
     * committed state if the turn is aborted */
    s->policy_dirty = true;
    if ((rc = s_load(s, call->txn)) != 0 || (rc = sched_recompute_all(s, call->txn)) != 0)
        goto done;
    ent_log_info("policy.applied", "policy version %llu: %zu entities", (unsigned long long) (version + 1), p->n_entities);
    p->version = version + 1;
    p->applied_at_ms = ent_clock_now_ms();
    /* analytics reads the declared headcounts from this (the 50-employee
     * rule of the CPF top-up is the policy's, not a count of employees) */
    char key[32];
    snprintf(key, sizeof key, "policy:%llu", (unsigned long long) p->version);
    if ((rc = ent_outbox_append_msg(ent_daemon_outbox(s->d), call->txn, "scheduler.policy.applied", key, "",
                                    p->applied_at_ms, &p->base, NULL)) != 0)
        goto done;
    rc = ent_rpc_ok(call, &p->base);
done:
    entretiens__v1__policy__free_unpacked(p, NULL);
    return rc;
}

static int s_policy_show(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    HR_ONLY(false);
    Entretiens__V1__Policy p = ENTRETIENS__V1__POLICY__INIT;
    Entretiens__V1__PolicyOptions o = ENTRETIENS__V1__POLICY_OPTIONS__INIT;
    o.first_interview_transition = (char *) sch_first_transition_name(s->defaults.first_transition);
    o.recap_deadline = (char *) sch_recap_deadline_name(s->defaults.recap_deadline);
    o.late_interview = (char *) sch_late_interview_name(s->defaults.late_interview);
    o.special_cycle = (char *) sch_special_cycle_name(s->defaults.special_cycle);
    o.suspensions = (char *) sch_suspensions_name(s->defaults.suspensions);
    o.return_to_work_min_days = s->defaults.return_to_work_min_days;
    o.special_interviews = (char *) sch_special_interviews_name(s->defaults.special_interviews);
    o.convocation_deadline = (char *) sch_convocation_deadline_name(s->defaults.convocation_deadline);
    o.return_interview_days = s->defaults.return_interview_days;
    p.options = &o;
    p.version = s->policy_version;
    Entretiens__V1__EntityPolicy *es = calloc(s->n_entities + 1, sizeof *es);
    Entretiens__V1__EntityPolicy **ep = calloc(s->n_entities + 1, sizeof *ep);
    int rc;
    if (!es || !ep) {
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    } else {
        for (size_t i = 0; i < s->n_entities; i++) {
            entretiens__v1__entity_policy__init(&es[i]);
            es[i].id = s->entities[i].id;
            es[i].headcount = s->entities[i].policy.headcount;
            es[i].region = (char *) ent_region_name((ent_region_t) s->entities[i].policy.region);
            es[i].periodicity_years = s->entities[i].policy.periodicity_years ? s->entities[i].policy.periodicity_years : 4;
            es[i].good_friday = (char *) ent_good_friday_name((ent_good_friday_t) s->entities[i].policy.good_friday);
            es[i].branch_trial_renewal = s->entities[i].policy.branch_trial_renewal != 0;
            es[i].legacy_branch_trial = s->entities[i].policy.legacy_branch_trial != 0;
            ep[i] = &es[i];
        }
        p.n_entities = s->n_entities;
        p.entities = ep;
        rc = ent_rpc_ok(call, &p.base);
    }
    free(es);
    free(ep);
    return rc;
}

/* ------------------------------------------------------------ campaigns */

typedef struct {
    uint32_t eligible, met, upcoming, overdue, cancelled;
} s_progress_t;

/* Every campaign's progress (counts[n - 1] for campaign number n): the
 * employees it concerns (any status) and its obligations by status, from
 * one scan of the stored obligations (the due index holds actionable ones
 * only).  scope NULL counts everyone; else only the employees whose
 * entity (their facts' head) the scope covers: HR granted some entities
 * sees the figures of her people, not the organisation's.  Returns 0 or an
 * LMDB code. */
static int s_campaigns_progress(scheduler_t *s, MDB_txn *txn, const ent_scope_t *scope, s_progress_t *counts)
{
    memset(counts, 0, s->n_campaigns * sizeof *counts);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->obligations, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t no = v.mv_size / sizeof(sched_obl_t);
        uint64_t seen = 0; /* one obligation per employee and campaign */
        int covered = scope ? -1 : 1; /* -1: not looked up yet */
        for (size_t i = 0; i < no; i++) {
            sched_obl_t o;
            memcpy(&o, (const uint8_t *) v.mv_data + i * sizeof o, sizeof o); /* values are not aligned */
            if (!o.campaign || o.campaign > s->n_campaigns || (seen >> (o.campaign - 1) & 1))
                continue;
            seen |= UINT64_C(1) << (o.campaign - 1);
            if (covered < 0) {
                MDB_val fv;
                sched_facts_head_t h;
                size_t nf;
                int frc = mdb_get(txn, s->facts, &k, &fv);
                if (frc && frc != MDB_NOTFOUND) {
                    rc = frc;
                    goto done;
                }
                covered = !frc && sched_facts_parse(&fv, &h, &nf) && ent_scope_covers(scope, h.entity);
            }
            if (!covered)
                break;
            s_progress_t *c = &counts[o.campaign - 1];
            c->eligible++;
            switch (o.o.status) {
            case SCH_STATUS_MET:
                c->met++;
                break;
            case SCH_STATUS_UPCOMING:
                c->upcoming++;
                break;
            case SCH_STATUS_OVERDUE:
                c->overdue++;
                break;
            default:
                c->cancelled++;
            }
        }
    }
    if (rc == MDB_NOTFOUND)
        rc = 0;
done:
    mdb_cursor_close(cur);
    return rc;
}

static void s_progress_set(Entretiens__V1__Campaign *c, const s_progress_t *p)
{
    c->eligible = p->eligible;
    c->met = p->met;
    c->upcoming = p->upcoming;
    c->overdue = p->overdue;
    c->cancelled = p->cancelled;
}

/* The organisation-wide progress of campaign number into c (create and
 * change answer HR with every entity, and log it). */
static int s_campaign_progress(scheduler_t *s, MDB_txn *txn, size_t number, Entretiens__V1__Campaign *c)
{
    s_progress_t counts[SCHED_MAX_CAMPAIGNS];
    int rc = s_campaigns_progress(s, txn, NULL, counts);
    if (!rc)
        s_progress_set(c, &counts[number - 1]);
    return rc;
}

int sched_campaign_check(ent_rpc_call_t *call, const Entretiens__V1__Campaign *c, bool need_id)
{
    sch_type_t t;
    sch_category_t cat;
    int32_t start = ent_pbdate_day(c->window_start), end = ent_pbdate_day(c->window_end);
    int32_t before = ent_pbdate_day(c->hired_before), after = ent_pbdate_day(c->hired_after);
    if ((need_id || (c->id && *c->id)) && (!c->id || !*c->id || strlen(c->id) > SCHED_ID_MAX || strspn(c->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(c->id)))
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "id", "1-64 letters, digits, '-', '_' or '.'");
    if (c->type && *c->type && sch_type_parse(c->type, &t))
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "type", "unknown interview type '%.40s'", c->type);
    if (start == ENT_DATE_NONE || end == ENT_DATE_NONE)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, start == ENT_DATE_NONE ? "window_start" : "window_end",
                            "a valid date is required");
    if (end < start)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "window_end", "the window ends before it starts");
    if (c->category && *c->category && sch_category_parse(c->category, &cat))
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "category",
                            "ouvrier_employe, maitrise_technicien or cadre, not '%.40s'", c->category);
    if ((c->hired_before && before == ENT_DATE_NONE) || (c->hired_after && after == ENT_DATE_NONE))
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, c->hired_after && after == ENT_DATE_NONE ? "hired_after" : "hired_before",
                            "a valid date is required");
    if (before != ENT_DATE_NONE && after != ENT_DATE_NONE && after >= before)
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "hired_after", "nobody is hired on or after it and before hired_before");
    const char *ids[] = { c->entity, c->department, c->site };
    const char *names[] = { "entity", "department", "site" };
    for (size_t i = 0; i < 3; i++)
        if (ids[i] && strlen(ids[i]) > 255)
            return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, names[i], "at most 255 bytes");
    return 0;
}

static int s_campaign_create(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    HR_ONLY(true);
    Entretiens__V1__Campaign *c = ent_rpc_unpack(call, &entretiens__v1__campaign__descriptor);
    if (!c)
        return 0; /* answered INVALID_ARGUMENT */
    int rc = sched_campaign_check(call, c, true);
    MDB_val k = { c->id ? strlen(c->id) : 0, c->id }, v;
    if (rc || call->code != ENT_OK)
        goto refused;
    if (s->n_campaigns >= SCHED_MAX_CAMPAIGNS)
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "at most %d campaigns", SCHED_MAX_CAMPAIGNS);
    else if (mdb_get(call->txn, s->campaigns_db, &k, &v) == 0)
        rc = ent_rpc_fail(call, ENT_ALREADY_EXISTS, "id",
                          "campaign '%s' exists (campaign extend moves its end, close ends it, cancel withdraws it)",
                          c->id);
refused:
    if (call->code != ENT_OK || rc) {
        entretiens__v1__campaign__free_unpacked(c, NULL);
        return rc;
    }
    char *given_type = c->type; /* restored before free_unpacked, which frees it */
    if (!c->type || !*c->type)
        c->type = "annual_review";
    c->created_at_ms = ent_clock_now_ms();
    rc = s_put_msg(call->txn, s->campaigns_db, c->id, &c->base);
    if (!rc) {
        s->policy_dirty = true;
        rc = s_load(s, call->txn);
    }
    if (!rc)
        rc = sched_recompute_all(s, call->txn);
    for (size_t i = 0; !rc && i < s->n_campaigns; i++)
        if (strcmp(s->campaigns[i].c->id, c->id) == 0)
            rc = s_campaign_progress(s, call->txn, i + 1, c);
    if (!rc) {
        ent_log_info("campaign.created", "campaign %s: %u employees", c->id, c->eligible);
        rc = ent_rpc_ok(call, &c->base);
    }
    c->type = given_type;
    entretiens__v1__campaign__free_unpacked(c, NULL);
    return rc;
}

/* scheduler.campaign.list: administrators and HR with every entity see
 * every campaign with the organisation's figures; HR granted some entities
 * sees the campaigns that may concern her people (no entity filter, or one
 * of hers) with the figures of her people only; a campaign on another
 * entity is NOT_FOUND to her, as to someone it does not exist for. */
static int s_campaign_list(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    sched_caller_t who;
    int rc = sched_caller_load(s, call->txn, call->caller, &who);
    if (rc)
        return rc;
    Entretiens__V1__CampaignRequest *req = NULL;
    if (!sched_caller_hr(&who)) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s: for administrators and HR with a grant",
                          call->caller);
        goto done;
    }
    req = ent_rpc_unpack(call, &entretiens__v1__campaign_request__descriptor);
    if (!req)
        goto done; /* answered INVALID_ARGUMENT */
    const ent_scope_t *scope = sched_caller_hr_all(&who) ? NULL : &who.hr.scope;
    s_progress_t counts[SCHED_MAX_CAMPAIGNS];
    if ((rc = s_campaigns_progress(s, call->txn, scope, counts)))
        goto done;
    /* shallow copies: the figures are the caller's, the cached campaigns
     * keep theirs */
    Entretiens__V1__Campaign rows[SCHED_MAX_CAMPAIGNS], *list[SCHED_MAX_CAMPAIGNS];
    Entretiens__V1__CampaignList rep = ENTRETIENS__V1__CAMPAIGN_LIST__INIT;
    for (size_t i = 0; i < s->n_campaigns; i++) {
        const Entretiens__V1__Campaign *c = s->campaigns[i].c;
        if (req->id && *req->id && strcmp(req->id, c->id) != 0)
            continue;
        if (scope && c->entity && *c->entity && !ent_scope_covers(scope, c->entity))
            continue;
        rows[rep.n_campaigns] = *c;
        s_progress_set(&rows[rep.n_campaigns], &counts[i]);
        list[rep.n_campaigns] = &rows[rep.n_campaigns];
        rep.n_campaigns++;
    }
    if (req->id && *req->id && rep.n_campaigns == 0)
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no campaign '%.64s'", req->id);
    else {
        rep.campaigns = list;
        rc = ent_rpc_ok(call, &rep.base);
    }
done:
    if (req)
        entretiens__v1__campaign_request__free_unpacked(req, NULL);
    sched_caller_free(&who);
    return rc;
}

/* close | extend | cancel: the campaign's life, audited (who, when, why in
 * the stored campaign, the log and the event scheduler.campaign.changed),
 * its obligations recomputed in the same transaction. */
static int s_campaign_change(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    HR_ONLY(true);
    Entretiens__V1__CampaignChange *req = ent_rpc_unpack(call, &entretiens__v1__campaign_change__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    int rc = 0;
    Entretiens__V1__Campaign *c = NULL;
    size_t number = 0;
    for (size_t i = 0; i < s->n_campaigns; i++)
        if (req->id && strcmp(s->campaigns[i].c->id, req->id) == 0)
            number = i + 1;
    const char *action = req->action ? req->action : "";
    bool extend = strcmp(action, "extend") == 0, close = strcmp(action, "close") == 0,
         cancel = strcmp(action, "cancel") == 0;
    int32_t new_end = ent_pbdate_day(req->window_end);
    if (!number) {
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no campaign '%.64s'", req->id ? req->id : "");
        goto done;
    }
    const sched_campaign_t *cp = &s->campaigns[number - 1];
    if (!extend && !close && !cancel)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "action", "close, extend or cancel, not '%.20s'", action);
    else if (req->note && strlen(req->note) > 500)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "note", "at most 500 bytes");
    else if (cp->state != SCHED_CAMPAIGN_OPEN)
        rc = ent_rpc_fail(call, ENT_FAILED_PRECONDITION, "state", "campaign '%s' is already %s", cp->c->id,
                          cp->c->state);
    else if (extend && new_end == ENT_DATE_NONE)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "window_end", "extend needs the new end date");
    else if (extend && new_end <= cp->end)
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "window_end", "the new end must be after the current one");
    if (rc || call->code != ENT_OK)
        goto done;
    /* a copy to change: the cache is reloaded from the store below */
    size_t len = entretiens__v1__campaign__get_packed_size(cp->c);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        rc = ENOMEM;
        goto done;
    }
    entretiens__v1__campaign__pack(cp->c, buf);
    c = entretiens__v1__campaign__unpack(NULL, len, buf);
    free(buf);
    if (!c) {
        rc = ENOMEM;
        goto done;
    }
    Entretiens__V1__Date end = ENTRETIENS__V1__DATE__INIT, from = ENTRETIENS__V1__DATE__INIT,
                         today = ENTRETIENS__V1__DATE__INIT;
    Entretiens__V1__Date *old_end = c->window_end, *old_from = c->extended_from, *old_closed = c->closed_on;
    char *old_state = c->state, *old_by = c->state_changed_by, *old_note = c->note;
    if (extend) {
        if (!c->extended_from) {
            from = *c->window_end;
            c->extended_from = &from;
        }
        ent_pbdate_set(new_end, &end);
        c->window_end = &end;
    } else {
        c->state = close ? "closed" : "cancelled";
        ent_pbdate_set(ent_clock_today(), &today);
        c->closed_on = &today;
    }
    c->state_changed_at_ms = ent_clock_now_ms();
    c->state_changed_by = (char *) call->caller;
    c->note = req->note ? req->note : "";
    rc = s_put_msg(call->txn, s->campaigns_db, c->id, &c->base);
    char key[SCHED_ID_MAX + 64];
    snprintf(key, sizeof key, "campaign:%s:%s:%lld", c->id, action, (long long) c->state_changed_at_ms);
    if (!rc)
        rc = ent_outbox_append_msg(ent_daemon_outbox(s->d), call->txn, "scheduler.campaign.changed", key, "",
                                   c->state_changed_at_ms, &c->base, NULL);
    /* back to what c owns, so that free_unpacked frees only that */
    c->window_end = old_end;
    c->extended_from = old_from;
    c->closed_on = old_closed;
    c->state = old_state;
    c->state_changed_by = old_by;
    c->note = old_note;
    if (!rc) {
        s->policy_dirty = true;
        rc = s_load(s, call->txn);
    }
    if (!rc)
        rc = sched_recompute_all(s, call->txn);
    if (rc)
        goto done;
    for (size_t i = 0; i < s->n_campaigns; i++)
        if (strcmp(s->campaigns[i].c->id, req->id) == 0) {
            if ((rc = s_campaign_progress(s, call->txn, i + 1, s->campaigns[i].c)))
                goto done;
            ent_log_info("campaign.changed", "campaign %s %s by %s: %u employees, %u met, %u cancelled", req->id,
                         extend ? "extended" : s->campaigns[i].c->state, call->caller, s->campaigns[i].c->eligible,
                         s->campaigns[i].c->met, s->campaigns[i].c->cancelled);
            rc = ent_rpc_ok(call, &s->campaigns[i].c->base);
        }
done:
    if (c)
        entretiens__v1__campaign__free_unpacked(c, NULL);
    entretiens__v1__campaign_change__free_unpacked(req, NULL);
    return rc;
}

int sched_policy_register(scheduler_t *s)
{
    if (ent_daemon_method(s->d, "scheduler.policy.apply", s_policy_apply, s) ||
        ent_daemon_method(s->d, "scheduler.policy.show", s_policy_show, s) ||
        ent_daemon_method(s->d, "scheduler.campaign.create", s_campaign_create, s) ||
        ent_daemon_method(s->d, "scheduler.campaign.list", s_campaign_list, s) ||
        ent_daemon_method(s->d, "scheduler.campaign.change", s_campaign_change, s))
        return -1;
    return 0;
}
