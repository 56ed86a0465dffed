/*  recompute.c — an employee's obligations recomputed from their facts,
 *  diffed against the stored ones, indexed by due date and published
 *  (scheduler.h). */
#include "hand_pack.h"
#include "scheduler.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* facts value: [int32 birth][u8 len|0x80][entity][u8 len][department][u8 len][site][pad to 4][sch_fact_t...]
 * [tail: 'R', region + 1, 0, 0]
 * (written by history.c and migrate.c through sched_facts_head_write and
 * sched_facts_tail_write; the tail is SCHED_FACTS_TAIL, scheduler.h).  The
 * 0x80 bit of the entity's length says a site follows: entity ids are at
 * most 64 bytes (validate.c), and a value written before the site was kept
 * has the bit clear and no site. */
#define S_HEAD_SITE 0x80

static size_t s_cut(const char *x)
{
    size_t n = x ? strlen(x) : 0;
    return n > 255 ? 255 : n;
}

size_t sched_facts_head_len(const char *entity, const char *department, const char *site)
{
    size_t el = s_cut(entity);
    if (el > 127)
        el = 127; /* the length byte keeps its top bit for the site flag */
    return (4 + 1 + el + 1 + s_cut(department) + 1 + s_cut(site) + 3) & ~(size_t) 3;
}

void sched_facts_head_write(uint8_t *p, int32_t birth, const char *entity, const char *department, const char *site)
{
    size_t el = s_cut(entity), dl = s_cut(department), sl = s_cut(site);
    if (el > 127)
        el = 127;
    memset(p, 0, sched_facts_head_len(entity, department, site));
    memcpy(p, &birth, 4);
    p += 4;
    *p++ = (uint8_t) (el | S_HEAD_SITE);
    if (el)
        memcpy(p, entity, el);
    p += el;
    *p++ = (uint8_t) dl;
    if (dl)
        memcpy(p, department, dl);
    p += dl;
    *p++ = (uint8_t) sl;
    if (sl)
        memcpy(p, site, sl);
}

_Static_assert(sizeof(sch_fact_t) % 8 == 0 && SCHED_FACTS_TAIL < 8, "a tail must never look like facts");

void sched_facts_tail_write(uint8_t *p, const char *region)
{
    ent_region_t r;
    p[0] = 'R';
    p[1] = region && *region && ent_region_parse(region, &r) == 0 ? (uint8_t) (r + 1) : 0;
    p[2] = p[3] = 0;
}

int32_t sched_today_of(const ent_today_t *today, const sched_facts_head_t *h, const sch_policy_t *policy)
{
    int r = h->region >= 0 ? h->region : (policy ? policy->region : ENT_REGION_METROPOLE);
    return today->day[r >= 0 && r < ENT_REGION_COUNT ? r : ENT_REGION_METROPOLE];
}

size_t sched_index_key(const char *employee_id, const sched_obl_t *o, uint8_t *key)
{
    /* month bucket first, then the employee: a batch of consecutive hires
     * lands on neighbouring keys of each month instead of on one random
     * page per deadline (the index was half of the ingest's cost) */
    int y, m, d;
    ent_date_to_ymd(o->o.due_date, &y, &m, &d);
    size_t e = strlen(employee_id);
    ent_key_day_put(key, y * 12 + (m - 1));
    memcpy(key + 4, employee_id, e + 1);
    uint8_t *p = key + 5 + e;
    p[0] = o->o.type;
    ent_key_day_put(p + 1, o->o.due_date);
    ent_key_day_put(p + 5, o->o.anchor);
    ent_key_day_put(p + 9, (int32_t) o->campaign);
    return 5 + e + 13;
}

int sched_obligations_load(scheduler_t *s, MDB_txn *txn, const char *employee_id)
{
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, s->obligations, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc > 0 ? -rc : rc;
    size_t n = v.mv_size / sizeof(sched_obl_t);
    if (n > SCHED_MAX_OBLIGATIONS)
        n = SCHED_MAX_OBLIGATIONS;
    memcpy(s->sobl_buf, v.mv_data, n * sizeof(sched_obl_t));
    return (int) n;
}

static bool s_same_key(const sched_obl_t *a, const sched_obl_t *b)
{
    return a->o.type == b->o.type && a->o.anchor == b->o.anchor && a->campaign == b->campaign;
}

static const char *s_campaign_id(scheduler_t *s, uint32_t campaign)
{
    return campaign && campaign <= s->n_campaigns ? s->campaigns[campaign - 1].c->id : "?";
}

sch_lang_t sched_lang(const char *lang)
{
    return lang && (lang[0] == 'f' || lang[0] == 'F') && (lang[1] == 'r' || lang[1] == 'R') &&
                   (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_')
               ? SCH_LANG_FR
               : SCH_LANG_EN;
}

/* Appends text to buf (size bytes, *at used) as snprintf would, cut where
 * it no longer fits: obligation ids and outbox keys are built for every
 * obligation published, and printf's formatting was a tenth of the
 * ingest's own time. */
static void s_cat(char *buf, size_t size, size_t *at, const char *text)
{
    size_t n = strlen(text);
    if (*at + n >= size)
        n = size - 1 - *at;
    memcpy(buf + *at, text, n);
    *at += n;
    buf[*at] = '\0';
}

/* Every field of an obligation's message but its reason and basis (the
 * prose, which events do not carry). */
static void s_obligation_fields(scheduler_t *s, const char *employee_id, const sched_obl_t *o,
                                const Entretiens__V1__Employee *emp, sched_obl_msg_t *out)
{
    Entretiens__V1__Obligation *m = &out->msg;
    entretiens__v1__obligation__init(m);
    char anchor[ENT_DATE_STRLEN];
    const char *type = sch_type_name(o->o.type);
    size_t at = 0;
    /* employee/type/anchor, or employee/type/campaign-ID */
    s_cat(out->id, sizeof out->id, &at, employee_id);
    s_cat(out->id, sizeof out->id, &at, "/");
    s_cat(out->id, sizeof out->id, &at, type ? type : "?");
    s_cat(out->id, sizeof out->id, &at, o->campaign ? "/campaign-" : "/");
    s_cat(out->id, sizeof out->id, &at,
          o->campaign ? s_campaign_id(s, o->campaign) : ent_date_format(o->o.anchor, anchor));
    m->obligation_id = out->id;
    m->employee_id = (char *) employee_id;
    m->type = (char *) (type ? type : "");
    m->due_date = ent_pbdate_ptr(o->o.due_date, &out->due);
    m->window_start = ent_pbdate_ptr(o->o.window_start, &out->window);
    m->anchor = ent_pbdate_ptr(o->o.anchor, &out->anchor);
    m->met_on = o->o.status == SCH_STATUS_MET || o->o.status == SCH_STATUS_WAIVED
        ? ent_pbdate_ptr(o->o.met_on, &out->met) : NULL;
    m->status = (char *) sch_status_name(o->o.status);
    m->penalty_eur = o->o.penalty_eur;
    m->penalty_if_inspected_eur = sch_obligation_penalty_if_inspected(&o->o);
    m->actionable = o->actionable;
    at = 0;
    if (o->campaign) {
        s_cat(out->rule, sizeof out->rule, &at, "campaign.");
        s_cat(out->rule, sizeof out->rule, &at, s->campaigns[o->campaign - 1].c->id);
    } else {
        const sch_rule_t *r = sch_obligation_rule(&o->o);
        s_cat(out->rule, sizeof out->rule, &at, r ? r->id : "");
    }
    m->rule = out->rule;
    out->reason[0] = '\0';
    m->reason = out->reason;
    m->basis = "";
    if (emp) {
        m->manager_id = emp->manager_id;
        m->entity = emp->entity;
        m->department = emp->department;
        m->site = emp->site;
        m->first_name = emp->first_name;
        m->last_name = emp->last_name;
        m->locale = emp->locale;
    }
}

void sched_obligation_msg(scheduler_t *s, const char *employee_id, const sched_obl_t *o,
                          const Entretiens__V1__Employee *emp, sch_lang_t lang, sched_obl_msg_t *out)
{
    s_obligation_fields(s, employee_id, o, emp, out);
    Entretiens__V1__Obligation *m = &out->msg;
    if (o->campaign) {
        const Entretiens__V1__Campaign *c = s->campaigns[o->campaign - 1].c;
        const char *type = sch_type_name(o->o.type);
        char due[ENT_DATE_STRLEN];
        snprintf(out->reason, sizeof out->reason,
                 lang == SCH_LANG_FR ? "Campagne « %s » (%s) : entretien %s dû au plus tard le %s."
                                     : "Campaign '%s' (%s): %s interview due by %s.",
                 c->title && *c->title ? c->title : c->id, c->id, type ? type : "?",
                 ent_date_format(o->o.due_date, due));
        m->basis = "company campaign";
    } else {
        const sch_rule_t *r = sch_obligation_rule(&o->o);
        m->basis = (char *) (r ? r->basis : "");
        sch_obligation_reason_lang(&o->o, lang, out->reason, sizeof out->reason);
    }
}

/* The employee's record for the events of one recompute, read once, into
 * the scheduler's publish arena (s_employee_release frees it). */
static int s_employee_load(scheduler_t *s, MDB_txn *txn, const char *employee_id, Entretiens__V1__Employee **emp)
{
    int rc = sched_employee_get_with(s, txn, employee_id, ent_pbarena_allocator(s->publish_arena), emp);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static void s_employee_release(scheduler_t *s, Entretiens__V1__Employee **emp)
{
    if (*emp)
        entretiens__v1__employee__free_unpacked(*emp, ent_pbarena_allocator(s->publish_arena));
    *emp = NULL;
    ent_pbarena_reset(s->publish_arena);
}

static int s_publish(scheduler_t *s, MDB_txn *txn, const char *type, const char *employee_id,
                     const sched_obl_t *o, Entretiens__V1__Employee **emp, bool *emp_read)
{
    if (!*emp_read) {
        int rc = s_employee_load(s, txn, employee_id, emp);
        if (rc)
            return rc;
        *emp_read = true;
    }
    /* events carry the rule id, not its prose: the reason and basis are
     * what make the outbox large, and scheduler.obligations serves them */
    sched_obl_msg_t m;
    s_obligation_fields(s, employee_id, o, *emp, &m);
    Entretiens__V1__ObligationEvent ev = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    ev.obligation = &m.msg;
    /* obligation id : what happened (the type after "scheduler.interview.") : due date */
    char key[256], due[ENT_DATE_STRLEN];
    size_t at = 0;
    s_cat(key, sizeof key, &at, m.id);
    s_cat(key, sizeof key, &at, ":");
    s_cat(key, sizeof key, &at, type + sizeof "scheduler.interview." - 1);
    s_cat(key, sizeof key, &at, ":");
    s_cat(key, sizeof key, &at, ent_date_format(o->o.due_date, due));
    /* packed by hand (hand_pack.h: protobuf-c's packing was a sixth of the
     * ingest's CPU); protobuf-c for one that does not fit */
    uint8_t buf[2048];
    size_t len;
    if (sched_obligation_event_pack(&ev, buf, sizeof buf, &len) == 0)
        return ent_outbox_append(ent_daemon_outbox(s->d), txn, type, key, "", ent_clock_now_ms(), buf, len, NULL);
    return ent_outbox_append_msg(ent_daemon_outbox(s->d), txn, type, key, "", ent_clock_now_ms(), &ev.base, NULL);
}

const uint8_t *sched_facts_parse(const MDB_val *v, sched_facts_head_t *h, size_t *nfacts)
{
    const uint8_t *p = v->mv_data, *end = p + v->mv_size;
    if (v->mv_size < 6)
        return NULL;
    memcpy(&h->birth, p, 4);
    p += 4;
    bool has_site = (*p & S_HEAD_SITE) != 0;
    size_t el = *p++ & (has_site ? 0x7f : 0xff);
    if (p + el + 1 > end)
        return NULL;
    memcpy(h->entity, p, el);
    h->entity[el] = '\0';
    p += el;
    size_t dl = *p++;
    if (p + dl + (has_site ? 1 : 0) > end)
        return NULL;
    memcpy(h->department, p, dl);
    h->department[dl] = '\0';
    p += dl;
    h->site[0] = '\0';
    if (has_site) {
        size_t sl = *p++;
        if (p + sl > end)
            return NULL;
        memcpy(h->site, p, sl);
        h->site[sl] = '\0';
        p += sl;
    }
    size_t off = (size_t) (p - (const uint8_t *) v->mv_data);
    off = (off + 3) & ~(size_t) 3;
    if (off > v->mv_size)
        return NULL;
    size_t rest = (v->mv_size - off) % sizeof(sch_fact_t);
    h->region = -1;
    if (rest == SCHED_FACTS_TAIL) {
        const uint8_t *tail = (const uint8_t *) v->mv_data + v->mv_size - SCHED_FACTS_TAIL;
        if (tail[0] != 'R' || tail[1] > ENT_REGION_COUNT)
            return NULL;
        h->region = (int) tail[1] - 1;
    } else if (rest != 0) {
        return NULL;
    }
    *nfacts = (v->mv_size - off - rest) / sizeof(sch_fact_t);
    return (const uint8_t *) v->mv_data + off;
}

bool sched_campaign_member(const sched_campaign_t *cp, const sched_facts_head_t *h, const sch_fact_t *facts,
                           size_t nf, int32_t *hired_on, int32_t *left_on)
{
    if (cp->c->entity && *cp->c->entity && strcmp(cp->c->entity, h->entity) != 0)
        return false;
    if (cp->c->department && *cp->c->department && strcmp(cp->c->department, h->department) != 0)
        return false;
    if (cp->c->site && *cp->c->site && strcmp(cp->c->site, h->site) != 0)
        return false;
    /* the employment in force during the window (the latest hire before its
     * end) and its category then */
    int32_t hired = ENT_DATE_NONE, left = ENT_DATE_NONE;
    int category = -1;
    for (size_t i = 0; i < nf; i++) {
        if (facts[i].date > cp->end)
            break;
        if (facts[i].kind == SCH_FACT_HIRED) {
            hired = facts[i].date;
            left = ENT_DATE_NONE;
        } else if (facts[i].kind == SCH_FACT_LEFT) {
            left = facts[i].date;
        }
        if (facts[i].kind == SCH_FACT_HIRED || facts[i].kind == SCH_FACT_UPDATED)
            category = facts[i].category;
    }
    if (hired == ENT_DATE_NONE || (left != ENT_DATE_NONE && left < cp->start))
        return false;
    if (cp->hired_before != ENT_DATE_NONE && hired >= cp->hired_before)
        return false;
    if (cp->hired_after != ENT_DATE_NONE && hired < cp->hired_after)
        return false;
    if (cp->category >= 0 && category != cp->category)
        return false;
    /* late joiners join an open campaign; nobody joins once it is over */
    if (cp->closed_on != ENT_DATE_NONE && hired > cp->closed_on)
        return false;
    *hired_on = hired;
    *left_on = left;
    return true;
}

/* Campaign obligations of an employee (appended to out). */
static int s_campaigns(scheduler_t *s, const sch_fact_t *facts, size_t nf, const sched_facts_head_t *h,
                       int32_t today, sched_obl_t *out, int room)
{
    int n = 0;
    for (size_t c = 0; c < s->n_campaigns && n < room; c++) {
        const sched_campaign_t *cp = &s->campaigns[c];
        int32_t hired, left, held = ENT_DATE_NONE;
        if (!sched_campaign_member(cp, h, facts, nf, &hired, &left))
            continue;
        for (size_t i = 0; i < nf; i++)
            if (facts[i].kind == SCH_FACT_INTERVIEW_HELD && facts[i].arg == cp->type &&
                facts[i].date >= cp->start && facts[i].date <= cp->end)
                held = facts[i].date;
        sched_obl_t *o = &out[n++];
        memset(o, 0, sizeof *o);
        o->o.due_date = cp->end;
        o->o.window_start = cp->start;
        o->o.anchor = cp->start;
        o->o.met_on = held;
        o->o.cancelled_on = ENT_DATE_NONE;
        o->o.ref_date = ENT_DATE_NONE;
        o->o.type = (uint8_t) cp->type;
        o->o.rule = UINT16_MAX;
        o->campaign = (uint32_t) c + 1;
        if (held != ENT_DATE_NONE)
            o->o.status = SCH_STATUS_MET;
        else if (left != ENT_DATE_NONE && left <= cp->end) {
            o->o.status = SCH_STATUS_CANCELLED;
            o->o.cancelled_on = left;
        } else if (cp->state == SCHED_CAMPAIGN_CANCELLED) {
            o->o.status = SCH_STATUS_CANCELLED;
            o->o.cancelled_on = cp->closed_on;
        } else if (cp->state == SCHED_CAMPAIGN_CLOSED) {
            o->o.status = SCH_STATUS_OVERDUE; /* missed: counted as such, asked of nobody (s_compute) */
        } else
            o->o.status = today > cp->end ? SCH_STATUS_OVERDUE : SCH_STATUS_UPCOMING;
    }
    return n;
}

/* The last day an overdue one-off obligation is still worth holding: an
 * end-of-trial interview after the trial has ended, an end-of-contract one
 * after the contract, an end-of-career one after the 60th birthday cannot
 * serve their purpose; a return, mobility or mid-career interview is stale
 * a year after its deadline.  ENT_DATE_NONE for the chains (professional,
 * recap, workload, campaigns), which a later link supersedes instead. */
static int32_t s_action_cutoff(const sch_obligation_t *o)
{
    switch (o->type) {
    case SCH_TYPE_END_OF_TRIAL:
    case SCH_TYPE_END_OF_CONTRACT:
    case SCH_TYPE_PROFESSIONAL_END_OF_CAREER:
        return o->ref_date != ENT_DATE_NONE ? o->ref_date : o->due_date + SCHED_STALE_DAYS;
    case SCH_TYPE_RETURN_TO_WORK:
    case SCH_TYPE_RETURN_MEDICAL_VISIT:
    case SCH_TYPE_PROFESSIONAL_RETURN:
    case SCH_TYPE_PROFESSIONAL_MID_CAREER:
    case SCH_TYPE_INTERNAL_MOBILITY:
        return o->due_date + SCHED_STALE_DAYS;
    default:
        return ENT_DATE_NONE;
    }
}

/* Computes an employee's obligations from the facts value v into
 * w->fresh (engine output, campaigns, actionable flags).  Reads the
 * scheduler's policy and campaigns only: safe from the sweep's threads.
 * Returns the count, or -1 when the facts cannot be used. */
static int s_compute(const scheduler_t *s, sched_work_t *w, const char *employee_id, MDB_val v,
                     const ent_today_t *days)
{
    sched_facts_head_t head, *h = &head;
    size_t nf;
    const uint8_t *fp = sched_facts_parse(&v, h, &nf);
    if (!fp) {
        ent_log_error("facts.corrupt", "facts of %s cannot be read", employee_id);
        return -1;
    }
    if (nf > SCHED_MAX_FACTS)
        nf = SCHED_MAX_FACTS;
    memcpy(w->facts, fp, nf * sizeof(sch_fact_t)); /* aligned copy */
    sch_employee_t emp = { .facts = w->facts, .nfacts = (uint32_t) nf, .birth_date = h->birth };
    const sch_policy_t *policy = sched_policy_for((scheduler_t *) s, h->entity);
    /* overdue or not is judged on her date, not the process' (La Réunion
     * is already tomorrow at 21:00 UTC, Guadeloupe still yesterday at
     * 03:00 UTC) */
    int32_t today = sched_today_of(days, h, policy);
    int n = sch_rules_compute(policy, &emp, today, w->obl, SCHED_MAX_OBLIGATIONS);
    if (n < 0) {
        ent_log_error("rules.failed", "rules engine refused %s (%d)", employee_id, n);
        return -1;
    }
    sched_obl_t *fresh = w->fresh;
    int nn = 0;
    for (int i = 0; i < n; i++) {
        memset(&fresh[nn], 0, sizeof fresh[nn]);
        fresh[nn++].o = w->obl[i];
    }
    nn += s_campaigns((scheduler_t *) s, w->facts, nf, h, today, fresh + nn, SCHED_MAX_OBLIGATIONS - nn);
    for (int i = 0; i < nn; i++) {
        sched_obl_t *o = &fresh[i];
        if (o->o.status == SCH_STATUS_UPCOMING)
            o->actionable = 1;
        else if (o->o.status == SCH_STATUS_OVERDUE) {
            o->actionable = 1;
            for (int j = 0; j < nn; j++)
                if (j != i && fresh[j].o.type == o->o.type && fresh[j].campaign == o->campaign &&
                    fresh[j].o.due_date > o->o.due_date && !o->campaign)
                    o->actionable = 0; /* superseded by a later link of its chain */
            int32_t cutoff = s_action_cutoff(&o->o);
            if (cutoff != ENT_DATE_NONE && today > cutoff)
                o->actionable = 0; /* missed for good: it stays overdue, nobody is asked to hold it */
            if (o->campaign && s->campaigns[o->campaign - 1].state == SCHED_CAMPAIGN_CLOSED)
                o->actionable = 0; /* the campaign is over */
        }
    }
    return nn;
}

/* Recomputes from the employee's facts value v (already read). */
static int s_recompute(scheduler_t *s, MDB_txn *txn, const char *employee_id, MDB_val v, const ent_today_t *today)
{
    MDB_val k = { strlen(employee_id), (void *) employee_id };
    int rc;
    int nn = s_compute(s, &s->work, employee_id, v, today);
    if (nn < 0)
        return 0;
    sched_obl_t *fresh = s->work.fresh;
    int no = sched_obligations_load(s, txn, employee_id);
    if (no < 0)
        return no;
    sched_obl_t *old = s->sobl_buf;
    if (no == nn && memcmp(old, fresh, (size_t) nn * sizeof *fresh) == 0)
        return 0; /* nothing changed: the common case of the daily sweep */

    Entretiens__V1__Employee *e = NULL;
    bool e_read = false;
    uint8_t key[128];
    MDB_val ik, iv;
    rc = 0;
    for (int i = 0; i < no && !rc; i++) {
        const sched_obl_t *o = &old[i], *f = NULL;
        for (int j = 0; j < nn; j++)
            if (s_same_key(o, &fresh[j]))
                f = &fresh[j];
        /* only actionable obligations are in the due index: history would
         * make it large and its inserts random (write amplification) */
        if (o->actionable && (!f || !f->actionable || f->o.due_date != o->o.due_date || f->o.status != o->o.status)) {
            ik.mv_size = sched_index_key(employee_id, o, key);
            ik.mv_data = key;
            rc = mdb_del(txn, s->due_index, &ik, NULL);
            if (rc == MDB_NOTFOUND)
                rc = 0;
        }
        if (!rc && !f && o->actionable)
            rc = s_publish(s, txn, "scheduler.interview.cancelled", employee_id, o, &e, &e_read);
        /* after the .cancelled above: a consumer that knows both ends with
         * the obligation gone, as it is gone from the store */
        if (!rc && !f)
            rc = s_publish(s, txn, "scheduler.obligation.removed", employee_id, o, &e, &e_read);
    }
    for (int j = 0; j < nn && !rc; j++) {
        const sched_obl_t *f = &fresh[j], *o = NULL;
        for (int i = 0; i < no; i++)
            if (s_same_key(&old[i], f))
                o = &old[i];
        if (f->actionable && (!o || !o->actionable || f->o.due_date != o->o.due_date || f->o.status != o->o.status)) {
            ik.mv_size = sched_index_key(employee_id, f, key);
            ik.mv_data = key;
            uint8_t st = f->o.status;
            iv.mv_size = 1;
            iv.mv_data = &st;
            rc = mdb_put(txn, s->due_index, &ik, &iv, 0);
            if (rc)
                break;
        }
        if (f->actionable && (!o || !o->actionable || o->o.due_date != f->o.due_date ||
                              o->o.penalty_eur != f->o.penalty_eur))
            rc = s_publish(s, txn, "scheduler.interview.due", employee_id, f, &e, &e_read);
        else if (f->actionable && o && o->o.status == SCH_STATUS_UPCOMING && f->o.status == SCH_STATUS_OVERDUE)
            rc = s_publish(s, txn, "scheduler.interview.overdue", employee_id, f, &e, &e_read);
        else if (o && o->actionable && f->o.status == SCH_STATUS_MET)
            rc = s_publish(s, txn, "scheduler.interview.met", employee_id, f, &e, &e_read);
        else if (o && o->actionable && !f->actionable)
            rc = s_publish(s, txn, "scheduler.interview.cancelled", employee_id, f, &e, &e_read);
        else if (!o || memcmp(o, f, sizeof *f) != 0)
            /* every other change, history included (met, missed, cancelled
             * before the platform; a penalty appearing on a missed recap):
             * the interview.* events above are for the to-do consumers
             * (records, notifier) and leave these out, so the obligation's
             * full state goes out under a type of its own (analytics) */
            rc = s_publish(s, txn, "scheduler.obligation.changed", employee_id, f, &e, &e_read);
    }
    s_employee_release(s, &e);
    if (rc)
        return rc;
    MDB_val nv = { (size_t) nn * sizeof *fresh, fresh };
    return mdb_put(txn, s->obligations, &k, &nv, 0);
}

int sched_recompute(scheduler_t *s, MDB_txn *txn, const char *employee_id, const ent_today_t *today)
{
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, s->facts, &k, &v);
    if (rc)
        return rc == MDB_NOTFOUND ? 0 : rc;
    return s_recompute(s, txn, employee_id, v, today);
}

/* ------------------------------------------------------------ the sweep */

int sched_work_init(sched_work_t *w)
{
    w->facts = calloc(SCHED_MAX_FACTS, sizeof *w->facts);
    w->obl = calloc(SCHED_MAX_OBLIGATIONS, sizeof *w->obl);
    w->fresh = calloc(SCHED_MAX_OBLIGATIONS, sizeof *w->fresh);
    if (w->facts && w->obl && w->fresh)
        return 0;
    sched_work_free(w);
    return ENOMEM;
}

void sched_work_free(sched_work_t *w)
{
    free(w->facts);
    free(w->obl);
    free(w->fresh);
    memset(w, 0, sizeof *w);
}

void sched_touch(scheduler_t *s, const char *employee_id)
{
    if (s->n_touched == s->cap_touched) {
        size_t cap = s->cap_touched ? s->cap_touched * 2 : 256;
        char (*t)[SCHED_ID_MAX + 1] = realloc(s->touched, cap * sizeof *t);
        if (!t)
            return; /* the chunked sweep of the next day catches them up */
        s->touched = t;
        s->cap_touched = cap;
    }
    /* as snprintf "%s" would, without its formatting (once per employee
     * of every batch) */
    size_t at = 0;
    s_cat(s->touched[s->n_touched++], SCHED_ID_MAX + 1, &at, employee_id);
}

/* One thread of the parallel sweep: in a read-only snapshot, computes every
 * `parts`-th employee and lists those whose obligations would change. */
typedef struct {
    const scheduler_t *s;
    MDB_env *env;
    int part, parts;
    ent_today_t today;
    sched_work_t w;
    char (*changed)[SCHED_ID_MAX + 1];
    size_t n, cap;
    int rc;
} s_part_t;

static void *s_part_run(void *arg)
{
    s_part_t *p = arg;
    MDB_txn *txn;
    MDB_cursor *fc = NULL, *oc = NULL;
    p->rc = mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn);
    if (p->rc)
        return NULL;
    if ((p->rc = mdb_cursor_open(txn, p->s->facts, &fc)) || (p->rc = mdb_cursor_open(txn, p->s->obligations, &oc)))
        goto done;
    MDB_val k, v, ok, ov;
    size_t i = 0;
    int orc = mdb_cursor_get(oc, &ok, &ov, MDB_FIRST);
    char id[SCHED_ID_MAX + 1];
    for (int rc = mdb_cursor_get(fc, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(fc, &k, &v, MDB_NEXT), i++) {
        if ((int) (i % (size_t) p->parts) != p->part)
            continue;
        size_t len = k.mv_size < SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(id, k.mv_data, len);
        id[len] = '\0';
        int nn = s_compute(p->s, &p->w, id, v, &p->today);
        if (nn < 0)
            continue;
        /* both databases are keyed by employee id: walk them together */
        while (orc == 0) {
            int c = memcmp(ok.mv_data, k.mv_data, ok.mv_size < k.mv_size ? ok.mv_size : k.mv_size);
            if (c > 0 || (c == 0 && ok.mv_size >= k.mv_size))
                break;
            orc = mdb_cursor_get(oc, &ok, &ov, MDB_NEXT);
        }
        bool same = orc == 0 && ok.mv_size == k.mv_size && memcmp(ok.mv_data, k.mv_data, k.mv_size) == 0 &&
                    ov.mv_size == (size_t) nn * sizeof(sched_obl_t) && memcmp(ov.mv_data, p->w.fresh, ov.mv_size) == 0;
        if (same)
            continue;
        if (p->n == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 1024;
            char (*c2)[SCHED_ID_MAX + 1] = realloc(p->changed, cap * sizeof *c2);
            if (!c2) {
                p->rc = ENOMEM;
                goto done;
            }
            p->changed = c2;
            p->cap = cap;
        }
        memcpy(p->changed[p->n++], id, len + 1);
    }
done:
    if (fc)
        mdb_cursor_close(fc);
    if (oc)
        mdb_cursor_close(oc);
    mdb_txn_abort(txn);
    return NULL;
}

/* Every employee at once: the comparison runs on two threads over the last
 * committed snapshot; the loop thread then recomputes, in its transaction,
 * those that change and those changed earlier in this turn (which the
 * snapshot does not show). */
static int s_sweep_parallel(scheduler_t *s, MDB_txn *txn, const ent_today_t *today)
{
    enum { PARTS = 2 };
    s_part_t parts[PARTS];
    pthread_t th[PARTS];
    memset(parts, 0, sizeof parts);
    int rc = 0;
    for (int i = 0; i < PARTS; i++) {
        parts[i] = (s_part_t) { .s = s, .env = mdb_txn_env(txn), .part = i, .parts = PARTS, .today = *today };
        if (sched_work_init(&parts[i].w) != 0)
            rc = ENOMEM;
    }
    int started = 0;
    for (int i = 0; i < PARTS && !rc; i++, started++)
        if (pthread_create(&th[i], NULL, s_part_run, &parts[i]) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (!rc && started < PARTS)
        rc = EAGAIN;
    for (int i = 0; i < PARTS && !rc; i++)
        rc = parts[i].rc;
    for (int i = 0; i < PARTS && !rc; i++)
        for (size_t j = 0; j < parts[i].n && !rc; j++)
            rc = sched_recompute(s, txn, parts[i].changed[j], today);
    for (size_t j = 0; j < s->n_touched && !rc; j++)
        rc = sched_recompute(s, txn, s->touched[j], today);
    for (int i = 0; i < PARTS; i++) {
        sched_work_free(&parts[i].w);
        free(parts[i].changed);
    }
    return rc;
}

int sched_backfill(scheduler_t *s, MDB_txn *txn)
{
    uint64_t pending = 0;
    int rc = ent_store_meta_get_u64(txn, s->store, SCHED_META_BACKFILL, &pending);
    if (rc || !pending)
        return rc;
    size_t budget = 20000, done = 0, published = 0;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, s->obligations, &cur)) != 0)
        return rc;
    char *next = s->turn_backfill_next;
    MDB_val k, v;
    rc = ent_store_cursor_after(cur, next, &k, &v);
    char id[SCHED_ID_MAX + 1];
    while (rc == 0 && done < budget) {
        size_t len = k.mv_size < SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(id, k.mv_data, len);
        id[len] = '\0';
        size_t n = v.mv_size / sizeof(sched_obl_t);
        if (n > SCHED_MAX_OBLIGATIONS)
            n = SCHED_MAX_OBLIGATIONS;
        memcpy(s->sobl_buf, v.mv_data, n * sizeof(sched_obl_t));
        Entretiens__V1__Employee *e = NULL;
        bool e_read = false;
        /* the outbox is another database: the cursor stays valid */
        for (size_t i = 0; i < n && !rc; i++)
            rc = s_publish(s, txn, "scheduler.obligation.changed", id, &s->sobl_buf[i], &e, &e_read);
        s_employee_release(s, &e);
        if (rc)
            break;
        published += n;
        memcpy(next, id, len + 1);
        done++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) {
        /* every employee published: the store is like a new one now */
        next[0] = '\0';
        rc = ent_store_meta_put_u64(txn, s->store, SCHED_META_BACKFILL, 0);
        if (!rc)
            ent_log_info("scheduler.backfill", "history published: the last %zu obligations of %zu employees",
                         published, done);
    }
    return rc;
}

int sched_sweep(MDB_txn *txn, void *arg)
{
    scheduler_t *s = arg;
    int rc = sched_backfill(s, txn);
    if (rc)
        return rc;
    /* a new day in any region sweeps: the stamp changes at each region's
     * midnight (ent_today_stamp), not only at the process' */
    ent_today_t today;
    ent_clock_today_all(&today);
    int32_t stamp = ent_today_stamp(&today);
    if (s->turn_sweep_today == ENT_DATE_NONE) {
        if (s->turn_swept_on == stamp)
            return 0;
        s->turn_sweep_today = stamp;
        s->turn_sweep_next[0] = '\0';
    } else if (s->turn_sweep_today != stamp) {
        s->turn_sweep_today = stamp; /* the date moved during a sweep: start over */
        s->turn_sweep_next[0] = '\0';
    }
    if (ent_clock_pinned()) {
        /* a pinned clock (tests, demonstrations) sweeps at once so that
         * clock.set's reply means every deadline reflects the new date */
        rc = s_sweep_parallel(s, txn, &today);
        if (!rc) {
            s->turn_swept_on = stamp;
            s->turn_sweep_today = ENT_DATE_NONE;
        }
        return rc;
    }
    /* the real clock: a chunk of employees per turn (20,000 by default),
     * so requests keep being answered while a new day is swept */
    size_t budget = s->sweep_chunk ? s->sweep_chunk : 20000;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, s->facts, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    rc = ent_store_cursor_after(cur, s->turn_sweep_next, &k, &v);
    size_t done = 0;
    char id[SCHED_ID_MAX + 1];
    while (rc == 0 && done < budget) {
        size_t len = k.mv_size < SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(id, k.mv_data, len);
        id[len] = '\0';
        /* the cursor stays valid: recompute writes other databases only,
         * and reads the facts value the cursor already holds */
        rc = s_recompute(s, txn, id, v, &today);
        if (rc)
            break;
        memcpy(s->turn_sweep_next, id, len + 1);
        done++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) {
        s->turn_swept_on = stamp;
        s->turn_sweep_today = ENT_DATE_NONE;
        rc = 0;
    }
    return rc;
}
