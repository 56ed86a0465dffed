/*  project.c — the projections: scheduler and records events applied to
 *  the state records and to the counters derived from them (analytics.h
 *  explains why every change is "retract the old contribution, add the
 *  new one"). */
#include "analytics.h"
#include "an_batch.h"
#include "an_keys.h"
#include "an_state.h"

#include "common/date.h"
#include "common/grants.h"
#include "common/log.h"
#include "common/pbarena.h"
#include "common/pbfast.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RC(x)                 \
    do {                      \
        int rc_ = (x);        \
        if (rc_)              \
            return rc_;       \
    } while (0)

/* ------------------------------------------------------------- helpers */

static bool s_professional(const char *type)
{
    /* professional, professional_recap, _return, _mid_career, _end_of_career */
    return strncmp(type, "professional", 12) == 0;
}

/* A type as stored in keys: "*" is reserved for "every type". */
static void s_type(char *dst, size_t cap, const char *src)
{
    an_copy(dst, cap, src);
    if (strcmp(dst, AN_ALL_TYPES) == 0)
        an_copy(dst, cap, "?");
}

static void s_attrs_from(an_attrs_t *at, const char *entity, const char *department, const char *site,
                         const char *manager)
{
    an_copy(at->entity, sizeof at->entity, entity);
    an_copy(at->department, sizeof at->department, department);
    an_copy(at->site, sizeof at->site, site);
    an_copy(at->manager, sizeof at->manager, manager);
}

static bool s_id_ok(const char *s, size_t max)
{
    return s && *s && strlen(s) <= max;
}

/* ------------------------------------------------------ manager rows */

static uint64_t s_score(const int64_t *row)
{
    int64_t overdue = row[AN_M_OVERDUE] > 0 ? row[AN_M_OVERDUE] : 0;
    int64_t todo = overdue + (row[AN_M_AWAITING] > 0 ? row[AN_M_AWAITING] : 0);
    if (todo > UINT32_MAX)
        todo = UINT32_MAX;
    if (overdue > UINT32_MAX)
        overdue = UINT32_MAX;
    return (uint64_t) todo << 32 | (uint64_t) overdue;
}

/* The ranking of managers (most to do first) follows their rows: called by
 * the batch for every manager row it changed.  key: [scope] manager \0. */
int an_mgr_rank(MDB_txn *txn, const uint8_t *key, size_t klen, const int64_t *old, const int64_t *neu, size_t n,
                void *arg)
{
    analytics_t *a = arg;
    if (n < AN_M_N || klen < 3)
        return 0;
    size_t sl = strnlen((const char *) key + 1, klen - 1) + 2; /* [kind][value]\0 */
    if (sl >= klen || key[sl] == '\0')
        return 0; /* the scope's total: not ranked */
    const char *manager = (const char *) key + sl;
    uint64_t so = s_score(old), sn = s_score(neu);
    if (so == sn)
        return 0;
    uint64_t scores[2] = { so, sn };
    for (int i = 0; i < 2; i++) {
        if (!scores[i])
            continue;
        an_key_t k;
        an_key_init(&k);
        an_key_raw(&k, key, sl);
        an_key_be64(&k, ~scores[i]);
        an_key_str(&k, manager);
        RC(an_batch_set(a->ixbatch, txn, a->mgr_rank, &k, "", 0, i == 0 ? -1 : 1));
    }
    return 0;
}

/* A counter delta of the event being applied: merged with the deltas of
 * every other event of the turn, written once by an_settle before the
 * turn's requests and its commit (the counters are read by queries only,
 * never while events are applied). */
static int s_add(analytics_t *a, MDB_txn *txn, MDB_dbi dbi, const an_key_t *k, const int64_t *d, size_t n, int sign)
{
    return an_batch_add(a->batch, txn, dbi, k, d, n, sign);
}

_Static_assert(AN_SCOPES <= AN_BATCH_MANY, "a contribution's rows fit one an_batch_add_many");

/* The keys a contribution of groups at is written under: [scope] per scope
 * (type NULL), or [scope][type] per scope.  Returns how many (at most
 * AN_SCOPES).  Typed figures are stored per type only: a query for every
 * type sums the types' rows (queries.c), which halves the rows a
 * contribution writes. */
static size_t s_bases(const an_attrs_t *at, const char *type, an_key_t out[AN_BATCH_MANY])
{
    an_scope_t sc[AN_SCOPES];
    size_t n = an_scopes(at, sc, true);
    for (size_t i = 0; i < n; i++) {
        an_key_init(&out[i]);
        an_key_scope(&out[i], &sc[i]);
        if (type)
            an_key_str(&out[i], type);
    }
    return n;
}

/* Adds sign * d to the rows base[i] + suffix of dbi, all at once
 * (an_batch_add_many: their cache misses overlap). */
static int s_add_rows(analytics_t *a, MDB_txn *txn, MDB_dbi dbi, const an_key_t *base, size_t nb,
                      const an_key_t *suffix, const int64_t *d, size_t n, int sign)
{
    an_key_t keys[AN_BATCH_MANY];
    for (size_t i = 0; i < nb; i++) {
        an_key_init(&keys[i]);
        an_key_raw(&keys[i], base[i].b, base[i].n);
        an_key_raw(&keys[i], suffix->b, suffix->n);
        keys[i].overflow = keys[i].overflow || base[i].overflow || suffix->overflow;
    }
    return an_batch_add_many(a->batch, txn, dbi, keys, nb, d, n, sign);
}

/* Adds sign * delta to a manager's rows (every scope of at but the manager
 * one) and to the scopes' totals; the ranking follows (an_mgr_rank).  An
 * employee without a manager counts in the totals only: the total is the
 * selection's to-do, the same count as the tour's and compliance's. */
static int s_mgr_add(analytics_t *a, MDB_txn *txn, const an_attrs_t *at, const int64_t *delta, int sign)
{
    an_scope_t sc[AN_SCOPES];
    size_t n = an_scopes(at, sc, false), nk = 0;
    an_key_t keys[AN_BATCH_MANY];
    for (size_t i = 0; i < n; i++) {
        an_key_t *k = &keys[nk];
        an_key_init(k);
        an_key_scope(k, &sc[i]);
        if (at->manager[0]) {
            keys[nk + 1] = *k;
            an_key_str(k, at->manager);
            k = &keys[++nk];
        }
        an_key_str(k, "");
        nk++;
    }
    return an_batch_add_many(a->batch, txn, a->mgr, keys, nk, delta, AN_M_N, sign);
}

static int s_mgr_item(analytics_t *a, MDB_txn *txn, const char *manager, uint8_t kind, int32_t day, const char *id,
                      const char *employee, const char *type, int sign)
{
    an_key_t k;
    an_key_init(&k);
    an_key_str(&k, manager);
    an_key_u8(&k, kind);
    an_key_day(&k, day == ENT_DATE_NONE ? AN_DAY_NONE_KEY : day);
    an_key_str(&k, id);
    char val[AN_EMP_MAX + AN_TYPE_MAX + 2];
    size_t el = strlen(employee), tl = strlen(type);
    memcpy(val, employee, el + 1);
    memcpy(val + el + 1, type, tl + 1);
    return an_batch_set(a->ixbatch, txn, a->mgr_items, &k, val, el + tl + 2, sign);
}

/* ---------------------------------------------------------- obligations */

static bool s_obl_open(const an_obl_t *o)
{
    return o->actionable && (o->cls == AN_CLS_UPCOMING || o->cls == AN_CLS_OVERDUE);
}

static const an_attrs_t *s_obl_attrs(const an_emp_t *e, const an_obl_t *o)
{
    return e->upserted ? &e->attrs : &o->own;
}

/* Adds sign * d to the completion rows of (groups at, type, month): one
 * per scope, for the type and for every type. */
static int s_completion_rows(analytics_t *a, MDB_txn *txn, const an_attrs_t *at, const char *type, uint32_t month,
                             const int64_t *d, int sign)
{
    an_key_t base[AN_BATCH_MANY], suffix;
    size_t nb = s_bases(at, type, base);
    an_key_init(&suffix);
    an_key_be32(&suffix, month);
    return s_add_rows(a, txn, a->completion, base, nb, &suffix, d, AN_C_N, sign);
}

/* The completion fields an obligation counts in (all zero when none). */
static void s_obl_cvec(const an_obl_t *o, int64_t d[AN_C_N])
{
    memset(d, 0, AN_C_N * sizeof *d);
    switch (o->cls) {
    case AN_CLS_UPCOMING: d[AN_C_OWED] = d[AN_C_UPCOMING] = 1; break;
    case AN_CLS_OVERDUE: d[AN_C_OWED] = d[AN_C_OVERDUE] = 1; break;
    case AN_CLS_MET: d[AN_C_OWED] = d[AN_C_MET] = 1; break;
    case AN_CLS_LAPSED: d[AN_C_OWED] = d[AN_C_LAPSED] = 1; break;
    case AN_CLS_CANCELLED: d[AN_C_CANCELLED] = 1; break;
    default: break;
    }
}

static bool s_any(const int64_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i])
            return true;
    return false;
}

/* d = d1 - d0 (the net change of rows whose keys stay the same). */
static void s_diff(int64_t *d, const int64_t *d0, const int64_t *d1, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = d1[i] - d0[i];
}

static int s_obl_completion(analytics_t *a, MDB_txn *txn, const an_obl_t *o, const an_attrs_t *at, int sign)
{
    int64_t d[AN_C_N];
    s_obl_cvec(o, d);
    if (!s_any(d, AN_C_N))
        return 0;
    return s_completion_rows(a, txn, at, o->type, an_month(o->due), d, sign);
}

/* The manager-row fields an obligation counts in (all zero when not open). */
static void s_obl_mvec(const an_obl_t *o, int64_t d[AN_M_N])
{
    memset(d, 0, AN_M_N * sizeof *d);
    if (s_obl_open(o))
        d[o->cls == AN_CLS_OVERDUE ? AN_M_OVERDUE : AN_M_UPCOMING] = 1;
}

static int s_obl_item(analytics_t *a, MDB_txn *txn, const an_obl_t *o, const an_attrs_t *at, int sign)
{
    if (!s_obl_open(o) || !at->manager[0])
        return 0;
    return s_mgr_item(a, txn, at->manager, o->cls == AN_CLS_OVERDUE ? AN_ITEM_OVERDUE : AN_ITEM_UPCOMING, o->due,
                      o->id, o->employee, o->type, sign);
}

static int s_obl_mgr(analytics_t *a, MDB_txn *txn, const an_obl_t *o, const an_attrs_t *at, int sign)
{
    if (!s_obl_open(o))
        return 0;
    int64_t d[AN_M_N];
    s_obl_mvec(o, d);
    RC(s_mgr_add(a, txn, at, d, sign));
    return s_obl_item(a, txn, o, at, sign);
}

/* A CPF top-up counts while its obligation is owed (upcoming, overdue, met,
 * missed): the scheduler's penalty_eur, whatever the status; a cancelled or
 * waived obligation owes nothing. */
static bool s_obl_penalised(const an_obl_t *o)
{
    return o->penalty > 0 && o->cls != AN_CLS_CANCELLED && o->cls != AN_CLS_NONE;
}

/* The keys [scope][day] of every scope of at (with the manager's): the
 * day-ordered histograms; an index row is the same key followed by its
 * ids.  Returns how many (at most AN_SCOPES). */
static size_t s_day_keys(const an_attrs_t *at, int32_t day, an_key_t out[AN_BATCH_MANY])
{
    an_scope_t sc[AN_SCOPES];
    size_t n = an_scopes(at, sc, true);
    for (size_t i = 0; i < n; i++) {
        an_key_init(&out[i]);
        an_key_scope(&out[i], &sc[i]);
        an_key_day(&out[i], day);
    }
    return n;
}

/* Top-ups by the day of their deadline: owed once it has passed, at risk
 * until then (decided when asked, so nothing stored depends on the clock). */
static int s_obl_risk(analytics_t *a, MDB_txn *txn, const an_obl_t *o, const an_attrs_t *at, int sign)
{
    if (!s_obl_penalised(o))
        return 0;
    int64_t d[AN_R_N] = { 0 };
    d[AN_R_COUNT] = 1;
    d[AN_R_EUR] = o->penalty;
    an_key_t keys[AN_BATCH_MANY];
    size_t n = s_day_keys(at, o->due == ENT_DATE_NONE ? AN_DAY_NONE_KEY : o->due, keys);
    RC(an_batch_add_many(a->batch, txn, a->risk, keys, n, d, AN_R_N, sign));
    for (size_t i = 0; i < n; i++) {
        an_key_str(&keys[i], o->employee);
        an_key_str(&keys[i], o->id);
        RC(an_batch_set(a->ixbatch, txn, a->risk_idx, &keys[i], &o->penalty, sizeof o->penalty, sign));
    }
    return 0;
}

/* Moves an obligation's contributions from (o0, at0) to (o1, at1), part by
 * part, touching only the parts whose inputs changed.  o0 or o1 may be NULL
 * (no contribution). */
static int s_obl_move(analytics_t *a, MDB_txn *txn, const an_obl_t *o0, const an_attrs_t *at0, const an_obl_t *o1,
                      const an_attrs_t *at1)
{
    bool same_at = o0 && o1 && an_attrs_equal(at0, at1);
    bool same_type = o0 && o1 && strcmp(o0->type, o1->type) == 0;
    /* completion: class, type, due month, groups.  Only the class moved:
     * the same rows, one net delta each (half the rows to merge) */
    if (same_at && same_type && an_month(o0->due) == an_month(o1->due)) {
        int64_t d0[AN_C_N], d1[AN_C_N], d[AN_C_N];
        s_obl_cvec(o0, d0);
        s_obl_cvec(o1, d1);
        s_diff(d, d0, d1, AN_C_N);
        if (s_any(d, AN_C_N))
            RC(s_completion_rows(a, txn, at1, o1->type, an_month(o1->due), d, 1));
    } else {
        if (o0)
            RC(s_obl_completion(a, txn, o0, at0, -1));
        if (o1)
            RC(s_obl_completion(a, txn, o1, at1, 1));
    }
    /* managers: open state, due date, groups */
    bool open0 = o0 && s_obl_open(o0), open1 = o1 && s_obl_open(o1);
    if (same_at && (open0 || open1)) {
        /* the same manager rows: one net delta each; the items by key */
        int64_t d0[AN_M_N], d1[AN_M_N], d[AN_M_N];
        s_obl_mvec(o0, d0);
        s_obl_mvec(o1, d1);
        s_diff(d, d0, d1, AN_M_N);
        if (s_any(d, AN_M_N))
            RC(s_mgr_add(a, txn, at1, d, 1));
        if (!(same_type && open0 == open1 && o0->cls == o1->cls && o0->due == o1->due)) {
            RC(s_obl_item(a, txn, o0, at0, -1));
            RC(s_obl_item(a, txn, o1, at1, 1));
        }
    } else if (!(same_at && same_type && open0 == open1 && (!open0 || (o0->cls == o1->cls && o0->due == o1->due)))) {
        if (o0)
            RC(s_obl_mgr(a, txn, o0, at0, -1));
        if (o1)
            RC(s_obl_mgr(a, txn, o1, at1, 1));
    }
    /* risk: CPF top-ups */
    bool pen0 = o0 && s_obl_penalised(o0), pen1 = o1 && s_obl_penalised(o1);
    if (!(same_at && pen0 == pen1 && (!pen0 || (o0->penalty == o1->penalty && o0->due == o1->due)))) {
        if (o0)
            RC(s_obl_risk(a, txn, o0, at0, -1));
        if (o1)
            RC(s_obl_risk(a, txn, o1, at1, 1));
    }
    return 0;
}

/* ------------------------------------------------------------ employees */

static bool s_emp_active(const an_emp_t *e)
{
    return e->upserted && e->employed;
}

static int s_emp_head(analytics_t *a, MDB_txn *txn, const an_emp_t *e, int sign)
{
    if (!s_emp_active(e))
        return 0;
    an_key_t base[AN_BATCH_MANY];
    size_t nb = s_bases(&e->attrs, NULL, base);
    const int64_t one = 1;
    return an_batch_add_many(a->batch, txn, a->headcount, base, nb, &one, 1, sign);
}

static int s_emp_prof(analytics_t *a, MDB_txn *txn, const an_emp_t *e, int sign)
{
    if (!s_emp_active(e))
        return 0;
    const int64_t one = 1;
    an_key_t keys[AN_BATCH_MANY];
    size_t n = s_day_keys(&e->attrs, e->next_due == ENT_DATE_NONE ? AN_DAY_NONE_KEY : e->next_due, keys);
    RC(an_batch_add_many(a->batch, txn, a->prof_hist, keys, n, &one, 1, sign));
    for (size_t i = 0; i < n && e->next_due != ENT_DATE_NONE; i++) {
        an_key_str(&keys[i], e->id);
        RC(an_batch_set(a->ixbatch, txn, a->prof_idx, &keys[i], e->next_type, strlen(e->next_type), sign));
    }
    return 0;
}

static int s_emp_contact(analytics_t *a, MDB_txn *txn, const an_emp_t *e, int sign)
{
    int32_t day = an_emp_last_contact(e);
    if (!s_emp_active(e) || day == ENT_DATE_NONE)
        return 0;
    const int64_t one = 1;
    an_key_t keys[AN_BATCH_MANY];
    size_t n = s_day_keys(&e->attrs, day, keys);
    RC(an_batch_add_many(a->batch, txn, a->contact_hist, keys, n, &one, 1, sign));
    for (size_t i = 0; i < n; i++) {
        an_key_str(&keys[i], e->id);
        RC(an_batch_set(a->ixbatch, txn, a->contact_idx, &keys[i], "", 0, sign));
    }
    return 0;
}

static int s_emp_signals(analytics_t *a, MDB_txn *txn, const an_emp_t *e, int sign)
{
    if (!s_emp_active(e) || !e->flags)
        return 0;
    int64_t d[AN_S_N] = { 0 };
    d[AN_S_LOW_ENGAGEMENT] = (e->flags & AN_FLAG_LOW_ENGAGEMENT) != 0;
    d[AN_S_WISH_TO_LEAVE] = (e->flags & AN_FLAG_WISH_TO_LEAVE) != 0;
    d[AN_S_REPEATED_OVERDUE] = (e->flags & AN_FLAG_REPEATED_OVERDUE) != 0;
    an_scope_t sc[AN_SCOPES];
    size_t n = an_scopes(&e->attrs, sc, true);
    for (size_t i = 0; i < n; i++) {
        an_key_t k;
        an_key_init(&k);
        an_key_scope(&k, &sc[i]);
        RC(s_add(a, txn, a->signals, &k, d, AN_S_N, sign));
        an_key_str(&k, e->id);
        RC(an_batch_set(a->ixbatch, txn, a->signal_idx, &k, &e->flags, 1, sign));
    }
    return 0;
}

/* Moves the employee-level contributions from e0 to e1 (part by part). */
static int s_emp_move(analytics_t *a, MDB_txn *txn, const an_emp_t *e0, const an_emp_t *e1)
{
    bool same = s_emp_active(e0) == s_emp_active(e1) && an_attrs_equal(&e0->attrs, &e1->attrs);
    if (!same) {
        RC(s_emp_head(a, txn, e0, -1));
        RC(s_emp_head(a, txn, e1, 1));
    }
    if (!same || e0->next_due != e1->next_due || strcmp(e0->next_type, e1->next_type) != 0) {
        RC(s_emp_prof(a, txn, e0, -1));
        RC(s_emp_prof(a, txn, e1, 1));
    }
    if (!same || an_emp_last_contact(e0) != an_emp_last_contact(e1)) {
        RC(s_emp_contact(a, txn, e0, -1));
        RC(s_emp_contact(a, txn, e1, 1));
    }
    if (!same || e0->flags != e1->flags) {
        RC(s_emp_signals(a, txn, e0, -1));
        RC(s_emp_signals(a, txn, e1, 1));
    }
    return 0;
}

/* Recomputes the derived facts of e from its obligations and interviews.
 * Reads only: every value it keeps is copied out of the cursor. */
static int s_emp_derive(analytics_t *a, MDB_txn *txn, an_emp_t *e)
{
    e->next_due = e->last_held = e->last_met = ENT_DATE_NONE;
    e->next_type[0] = '\0';
    e->overdue_ever = 0;
    e->flags = 0;
    e->penalty = 0;
    an_key_t pk;
    an_key_emp(&pk, e->id, NULL);
    MDB_cursor *cur;
    RC(mdb_cursor_open(txn, a->obligations, &cur));
    MDB_val k = an_key_val(&pk), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size > pk.n && memcmp(k.mv_data, pk.b, pk.n) == 0) {
        an_obl_t o;
        if (an_obl_decode(&k, &v, &o)) {
            if (o.ever_overdue)
                e->overdue_ever++;
            if (s_obl_penalised(&o))
                e->penalty += o.penalty;
            if (o.cls == AN_CLS_MET && o.met_on != ENT_DATE_NONE &&
                (e->last_met == ENT_DATE_NONE || o.met_on > e->last_met))
                e->last_met = o.met_on;
            if (s_professional(o.type) && s_obl_open(&o) && o.due != ENT_DATE_NONE &&
                (e->next_due == ENT_DATE_NONE || o.due < e->next_due ||
                 (o.due == e->next_due && strcmp(o.type, e->next_type) < 0))) {
                e->next_due = o.due;
                memcpy(e->next_type, o.type, sizeof e->next_type);
            }
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND && rc != 0)
        return rc;
    RC(mdb_cursor_open(txn, a->emp_iv, &cur));
    k = an_key_val(&pk);
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    int32_t latest = ENT_DATE_NONE;
    uint8_t latest_flags = 0;
    while (rc == 0 && k.mv_size > pk.n && memcmp(k.mv_data, pk.b, pk.n) == 0) {
        an_ivsum_t s;
        if (an_ivsum_decode(&v, &s)) {
            if (s.held_on != ENT_DATE_NONE && (e->last_held == ENT_DATE_NONE || s.held_on > e->last_held))
                e->last_held = s.held_on;
            /* the latest answers speak for the employee (ties: the later id) */
            if (s.content_on != ENT_DATE_NONE && (latest == ENT_DATE_NONE || s.content_on >= latest)) {
                latest = s.content_on;
                latest_flags = (uint8_t) ((s.low_engagement ? AN_FLAG_LOW_ENGAGEMENT : 0) |
                                          (s.wish_to_leave ? AN_FLAG_WISH_TO_LEAVE : 0));
            }
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND && rc != 0)
        return rc;
    e->flags = latest_flags;
    if (e->overdue_ever >= 2)
        e->flags |= AN_FLAG_REPEATED_OVERDUE;
    return 0;
}

static bool s_emp_same(const an_emp_t *x, const an_emp_t *y)
{
    return x->upserted == y->upserted && x->employed == y->employed && x->hired_on == y->hired_on &&
           x->left_on == y->left_on && an_attrs_equal(&x->attrs, &y->attrs) && x->next_due == y->next_due &&
           strcmp(x->next_type, y->next_type) == 0 && x->last_held == y->last_held && x->last_met == y->last_met &&
           x->overdue_ever == y->overdue_ever && x->flags == y->flags && x->last_interview == y->last_interview &&
           x->penalty == y->penalty;
}

/* e0: the employee as stored (or blank); e1: with new attributes.  Derives,
 * moves the contributions, stores. */
static int s_emp_commit(analytics_t *a, MDB_txn *txn, const an_emp_t *e0, an_emp_t *e1)
{
    RC(s_emp_derive(a, txn, e1));
    if (e0->present && s_emp_same(e0, e1))
        return 0;
    RC(s_emp_move(a, txn, e0, e1));
    e1->present = true;
    return an_emp_put(txn, a->employees, e1);
}

/* ------------------------------------------------- scheduler: employees */

/* The employee's obligations, copied (a few per employee). */
static int s_obl_list(analytics_t *a, MDB_txn *txn, const char *employee, an_obl_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    an_key_t pk;
    an_key_emp(&pk, employee, NULL);
    MDB_cursor *cur;
    RC(mdb_cursor_open(txn, a->obligations, &cur));
    MDB_val k = an_key_val(&pk), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size > pk.n && memcmp(k.mv_data, pk.b, pk.n) == 0) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            an_obl_t *np = realloc(*out, cap * sizeof *np);
            if (!np) {
                rc = ENOMEM;
                break;
            }
            *out = np;
        }
        if (an_obl_decode(&k, &v, &(*out)[*n]))
            (*n)++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int s_on_employee(analytics_t *a, MDB_txn *txn, const Entretiens__V1__Employee *m)
{
    if (!m || !s_id_ok(m->employee_id, AN_EMP_MAX)) {
        ent_log_warn("analytics.bad_event", "employee.upserted without a usable employee_id: skipped");
        return ENT_EVENT_SKIP;
    }
    an_emp_t e0, e1;
    RC(an_emp_get(txn, a->employees, m->employee_id, &e0));
    e1 = e0;
    e1.upserted = 1;
    e1.employed = m->employed;
    e1.hired_on = ent_pbdate_day(m->hired_on);
    e1.left_on = ent_pbdate_day(m->left_on);
    e1.last_interview = ent_pbdate_day(m->last_interview_on);
    s_attrs_from(&e1.attrs, m->entity, m->department, m->site, m->manager_id);
    /* the obligations follow their employee into the new groups */
    if (!e0.upserted || !an_attrs_equal(&e0.attrs, &e1.attrs)) {
        an_obl_t *obls;
        size_t n;
        RC(s_obl_list(a, txn, e1.id, &obls, &n));
        int rc = 0;
        for (size_t i = 0; i < n && !rc; i++)
            rc = s_obl_move(a, txn, &obls[i], s_obl_attrs(&e0, &obls[i]), &obls[i], s_obl_attrs(&e1, &obls[i]));
        free(obls);
        RC(rc);
    }
    return s_emp_commit(a, txn, &e0, &e1);
}

/* ----------------------------------------------- scheduler: obligations */

/* The class of an obligation from its own status (scheduler.obligation.changed):
 * overdue and no longer actionable is a miss for good ("lapsed"). */
static uint8_t s_class_of_status(const char *st, bool actionable)
{
    if (strcmp(st, "met") == 0)
        return AN_CLS_MET;
    if (strcmp(st, "overdue") == 0)
        return actionable ? AN_CLS_OVERDUE : AN_CLS_LAPSED;
    if (strcmp(st, "upcoming") == 0)
        return AN_CLS_UPCOMING;
    if (strcmp(st, "cancelled") == 0 || strcmp(st, "waived") == 0)
        return AN_CLS_CANCELLED;
    return AN_CLS_NONE;
}

/* scheduler.obligation.removed: the obligation left the scheduler's store
 * (the facts it came from changed); its contributions go with it. */
static int s_obl_remove(analytics_t *a, MDB_txn *txn, const Entretiens__V1__Obligation *m)
{
    an_obl_t o0;
    RC(an_obl_get(txn, a->obligations, m->employee_id, m->obligation_id, &o0));
    if (!o0.present)
        return 0;
    an_emp_t e0;
    RC(an_emp_get(txn, a->employees, o0.employee, &e0));
    RC(s_obl_move(a, txn, &o0, s_obl_attrs(&e0, &o0), NULL, NULL));
    an_key_t k;
    an_key_emp(&k, o0.employee, o0.id);
    MDB_val kv = an_key_val(&k);
    RC(mdb_del(txn, a->obligations, &kv, NULL));
    an_emp_t e1 = e0;
    return s_emp_commit(a, txn, &e0, &e1);
}

/* Whether obligations x (NULL: absent) and y add the same to their
 * employee's derived facts (s_emp_derive: obligations gone overdue, top-ups,
 * last met, next open professional deadline).  When they do, a change from
 * x to y leaves the stored employee as it is: most lifecycle steps of a
 * non-professional obligation, which need no re-derivation then. */
static bool s_obl_emp_same(const an_obl_t *x, const an_obl_t *y)
{
    bool xo = x && x->ever_overdue, yo = y->ever_overdue;
    int32_t xp = x && s_obl_penalised(x) ? x->penalty : 0, yp = s_obl_penalised(y) ? y->penalty : 0;
    int32_t xm = x && x->cls == AN_CLS_MET ? x->met_on : ENT_DATE_NONE;
    int32_t ym = y->cls == AN_CLS_MET ? y->met_on : ENT_DATE_NONE;
    bool xn = x && s_professional(x->type) && s_obl_open(x) && x->due != ENT_DATE_NONE;
    bool yn = s_professional(y->type) && s_obl_open(y) && y->due != ENT_DATE_NONE;
    return xo == yo && xp == yp && xm == ym && xn == yn && (!xn || (x->due == y->due && strcmp(x->type, y->type) == 0));
}

/* verb: due | overdue | met | cancelled (scheduler.interview.*, the
 * actionable obligations) or changed | removed (scheduler.obligation.*,
 * every other change). */
static int s_on_obligation(analytics_t *a, MDB_txn *txn, const char *verb, const Entretiens__V1__Obligation *m)
{
    if (!m || !s_id_ok(m->employee_id, AN_EMP_MAX) || !s_id_ok(m->obligation_id, AN_ID_MAX)) {
        ent_log_warn("analytics.bad_event", "obligation event without a usable employee_id / obligation_id: skipped");
        return ENT_EVENT_SKIP;
    }
    if (strcmp(verb, "removed") == 0)
        return s_obl_remove(a, txn, m);
    an_obl_t o0, o1;
    RC(an_obl_get(txn, a->obligations, m->employee_id, m->obligation_id, &o0));
    memset(&o1, 0, sizeof o1);
    an_copy(o1.employee, sizeof o1.employee, m->employee_id);
    an_copy(o1.id, sizeof o1.id, m->obligation_id);
    s_type(o1.type, sizeof o1.type, m->type);
    o1.due = ent_pbdate_day(m->due_date);
    o1.met_on = ent_pbdate_day(m->met_on);
    o1.penalty = m->penalty_eur > 0 ? m->penalty_eur : 0;
    s_attrs_from(&o1.own, m->entity, m->department, m->site, m->manager_id);
    const char *st = m->status ? m->status : "";
    if (strcmp(verb, "changed") == 0) {
        o1.cls = s_class_of_status(st, m->actionable);
        if (o1.cls == AN_CLS_NONE) {
            ent_log_warn("analytics.bad_event", "obligation %s: unknown status: skipped", m->obligation_id);
            return ENT_EVENT_SKIP;
        }
        o1.actionable = m->actionable && (o1.cls == AN_CLS_UPCOMING || o1.cls == AN_CLS_OVERDUE);
    } else if (strcmp(verb, "cancelled") == 0) {
        /* a cancelled obligation is no longer owed; one that was already
         * missed stays a miss ("lapsed") */
        o1.cls = strcmp(st, "overdue") == 0 ? AN_CLS_LAPSED : AN_CLS_CANCELLED;
        o1.actionable = 0;
    } else if (strcmp(verb, "met") == 0) {
        o1.cls = AN_CLS_MET;
        o1.actionable = 0;
    } else if (strcmp(verb, "due") == 0 || strcmp(verb, "overdue") == 0) {
        if (strcmp(st, "met") == 0)
            o1.cls = AN_CLS_MET;
        else if (strcmp(st, "cancelled") == 0 || strcmp(st, "waived") == 0)
            o1.cls = AN_CLS_CANCELLED;
        else if (strcmp(st, "overdue") == 0 || strcmp(verb, "overdue") == 0)
            o1.cls = AN_CLS_OVERDUE;
        else
            o1.cls = AN_CLS_UPCOMING;
        o1.actionable = o1.cls == AN_CLS_UPCOMING || o1.cls == AN_CLS_OVERDUE;
    } else {
        return 0; /* a newer event type: nothing to count */
    }
    o1.ever_overdue = o0.ever_overdue || o1.cls == AN_CLS_OVERDUE || o1.cls == AN_CLS_LAPSED;
    o1.present = true;
    if (o0.present && o0.cls == o1.cls && o0.actionable == o1.actionable && o0.ever_overdue == o1.ever_overdue &&
        o0.due == o1.due && o0.met_on == o1.met_on && o0.penalty == o1.penalty && strcmp(o0.type, o1.type) == 0 &&
        an_attrs_equal(&o0.own, &o1.own))
        return 0;
    an_emp_t e0;
    RC(an_emp_get(txn, a->employees, o1.employee, &e0));
    RC(s_obl_move(a, txn, o0.present ? &o0 : NULL, s_obl_attrs(&e0, &o0), &o1, s_obl_attrs(&e0, &o1)));
    RC(an_obl_put(txn, a->obligations, &o1));
    if (e0.present && s_obl_emp_same(o0.present ? &o0 : NULL, &o1))
        return 0; /* the employee's derived facts stay as stored */
    an_emp_t e1 = e0;
    return s_emp_commit(a, txn, &e0, &e1);
}

int an_settle(MDB_txn *txn, void *arg)
{
    analytics_t *a = arg;
    /* the counters first: their hook (an_mgr_rank) adds index rows */
    int rc = an_batch_apply(a->batch, txn);
    int rc2 = an_batch_apply(a->ixbatch, txn);
    return rc ? rc : rc2;
}

void an_turn_reset(void *arg)
{
    analytics_t *a = arg;
    an_batch_clear(a->batch);
    an_batch_clear(a->ixbatch);
}

/* scheduler.policy.applied: the declared headcount of each entity (the
 * policy replaces the previous one as a whole). */
static int s_on_policy(analytics_t *a, MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev)
{
    Entretiens__V1__Policy *p = entretiens__v1__policy__unpack(NULL, ev->payload.len, ev->payload.data);
    if (!p) {
        ent_log_warn("analytics.bad_event", "seq %llu scheduler.policy.applied: payload is not a Policy",
                     (unsigned long long) ev->seq);
        return ENT_EVENT_SKIP;
    }
    int rc = mdb_drop(txn, a->policy, 0);
    for (size_t i = 0; !rc && i < p->n_entities; i++) {
        const Entretiens__V1__EntityPolicy *e = p->entities[i];
        if (!s_id_ok(e->id, AN_ATTR_MAX))
            continue;
        uint32_t head = e->headcount;
        MDB_val k = { strlen(e->id), e->id }, v = { sizeof head, &head };
        rc = mdb_put(txn, a->policy, &k, &v, 0);
    }
    entretiens__v1__policy__free_unpacked(p, NULL);
    return rc;
}

int an_apply_scheduler(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    analytics_t *a = arg;
    const char *type = ev->type ? ev->type : "";
    if (strcmp(type, "scheduler.employee.upserted") == 0) {
        Entretiens__V1__EmployeeUpserted *m = ent_pbfast_unpack_or_pbc(&entretiens__v1__employee_upserted__descriptor,
            ent_pbarena_allocator(a->arena), ev->payload.len, ev->payload.data);
        if (!m) {
            ent_pbarena_reset(a->arena);
            ent_log_warn("analytics.bad_event", "seq %llu %s: payload is not an EmployeeUpserted",
                         (unsigned long long) ev->seq, type);
            return ENT_EVENT_SKIP;
        }
        int rc = s_on_employee(a, txn, m->employee);
        ent_pbarena_reset(a->arena); /* gives back the whole message (pbarena.h) */
        return rc;
    }
    if (strcmp(type, "scheduler.policy.applied") == 0)
        return s_on_policy(a, txn, ev);
    static const char prefix[] = "scheduler.interview.", prefix2[] = "scheduler.obligation.";
    const char *verb = strncmp(type, prefix, sizeof prefix - 1) == 0     ? type + sizeof prefix - 1
                       : strncmp(type, prefix2, sizeof prefix2 - 1) == 0 ? type + sizeof prefix2 - 1
                                                                          : NULL;
    if (verb) {
        Entretiens__V1__ObligationEvent *m = ent_pbfast_unpack_or_pbc(&entretiens__v1__obligation_event__descriptor,
            ent_pbarena_allocator(a->arena), ev->payload.len, ev->payload.data);
        if (!m) {
            ent_pbarena_reset(a->arena);
            ent_log_warn("analytics.bad_event", "seq %llu %s: payload is not an ObligationEvent",
                         (unsigned long long) ev->seq, type);
            return ENT_EVENT_SKIP;
        }
        int rc = s_on_obligation(a, txn, verb, m->obligation);
        ent_pbarena_reset(a->arena);
        return rc;
    }
    return 0;
}

/* ---------------------------------------------------------- interviews */

static int32_t s_iv_ref_day(const an_iv_t *iv)
{
    if (iv->due != ENT_DATE_NONE)
        return iv->due;
    if (iv->held_on != ENT_DATE_NONE)
        return iv->held_on;
    return iv->created_on;
}

/* The completion fields an interview counts in (all zero when none). */
static void s_iv_cvec(const an_iv_t *iv, int64_t d[AN_C_N])
{
    memset(d, 0, AN_C_N * sizeof *d);
    if (!iv->present || iv->stage == AN_ST_NONE)
        return;
    if (iv->stage == AN_ST_CANCELLED) {
        d[AN_C_IV_CANCELLED] = 1;
    } else {
        d[AN_C_INTERVIEWS] = 1;
        d[AN_C_SCHEDULED] = iv->stage >= AN_ST_SCHEDULED;
        d[AN_C_HELD] = iv->stage >= AN_ST_HELD;
        d[AN_C_SIGNED] = iv->stage >= AN_ST_SIGNED;
        d[AN_C_CLOSED] = iv->stage == AN_ST_CLOSED;
    }
}

static int s_iv_completion(analytics_t *a, MDB_txn *txn, const an_iv_t *iv, int sign)
{
    int64_t d[AN_C_N];
    s_iv_cvec(iv, d);
    if (!s_any(d, AN_C_N))
        return 0;
    return s_completion_rows(a, txn, &iv->attrs, iv->type, an_month(s_iv_ref_day(iv)), d, sign);
}

/* What the interviewer (or the employee) still has to sign, or 0. */
static uint8_t s_iv_awaiting(const an_iv_t *iv)
{
    if (!iv->present || iv->stage != AN_ST_HELD)
        return 0;
    if (!iv->sig_manager)
        return AN_ITEM_AWAITING;
    if (!iv->sig_employee)
        return AN_ITEM_AWAITING_EMPLOYEE;
    return 0;
}

static int s_iv_mgr(analytics_t *a, MDB_txn *txn, const an_iv_t *iv, int sign)
{
    uint8_t kind = s_iv_awaiting(iv);
    if (!kind || !iv->attrs.manager[0])
        return 0;
    int64_t d[AN_M_N] = { 0 };
    d[kind == AN_ITEM_AWAITING ? AN_M_AWAITING : AN_M_AWAITING_EMPLOYEE] = 1;
    RC(s_mgr_add(a, txn, &iv->attrs, d, sign));
    return s_mgr_item(a, txn, iv->attrs.manager, kind, iv->held_on, iv->id, iv->employee, iv->type, sign);
}

static bool s_leaving(const char *kind)
{
    return kind && (strcmp(kind, "external") == 0 || strcmp(kind, "leave") == 0);
}

/* The answers of one closed interview into the answer families. */
static int s_iv_content(analytics_t *a, MDB_txn *txn, const an_iv_t *iv, const Entretiens__V1__InterviewEvent *c,
                        int sign)
{
    if (!c)
        return 0;
    int64_t ans[AN_A_N] = { 0 };
    ans[AN_A_RESPONDENTS] = 1;
    for (size_t i = 0; i < c->n_objectives; i++) {
        const Entretiens__V1__Objective *o = c->objectives[i];
        ans[AN_A_OBJECTIVES]++;
        if (o->attainment >= 0) {
            int32_t at = o->attainment > 1000 ? 1000 : o->attainment; /* one wild value must not swamp a mean */
            ans[AN_A_REVIEWED]++;
            ans[AN_A_ATTAINMENT_SUM] += at;
            ans[AN_A_ATTAINED] += at >= 100;
        }
    }
    for (size_t i = 0; i < c->n_mobility_wishes; i++)
        if (s_leaving(c->mobility_wishes[i]->kind)) {
            ans[AN_A_WISH_TO_LEAVE] = 1;
            break;
        }
    /* item by item, each written under every scope and type at once */
    an_key_t base[AN_BATCH_MANY], k;
    size_t nb = s_bases(&iv->attrs, iv->type, base);
    uint32_t month = an_month(iv->content_on);
    char s1[AN_ITEM_MAX + 1], s2[AN_ITEM_MAX + 1], s3[AN_ITEM_MAX + 1];
    const int64_t one = 1;
    an_key_init(&k);
    an_key_be32(&k, month);
    RC(s_add_rows(a, txn, a->answers, base, nb, &k, ans, AN_A_N, sign));
    for (size_t j = 0; j < c->n_training_needs; j++) {
        const Entretiens__V1__TrainingNeed *tn = c->training_needs[j];
        an_copy(s1, sizeof s1, tn->theme);
        an_copy(s2, sizeof s2, tn->priority);
        an_copy(s3, sizeof s3, tn->modality);
        an_key_init(&k);
        an_key_str(&k, s1);
        an_key_str(&k, s2);
        an_key_str(&k, s3);
        an_key_be32(&k, month);
        RC(s_add_rows(a, txn, a->training, base, nb, &k, &one, 1, sign));
    }
    for (size_t j = 0; j < c->n_mobility_wishes; j++) {
        const Entretiens__V1__MobilityWish *mw = c->mobility_wishes[j];
        an_copy(s1, sizeof s1, mw->kind);
        an_copy(s2, sizeof s2, mw->horizon);
        an_key_init(&k);
        an_key_str(&k, s1);
        an_key_str(&k, s2);
        an_key_be32(&k, month);
        RC(s_add_rows(a, txn, a->mobility, base, nb, &k, &one, 1, sign));
    }
    for (size_t j = 0; j < c->n_competencies; j++) {
        const Entretiens__V1__Competency *cp = c->competencies[j];
        int64_t d[AN_K_N] = { 0 };
        d[AN_K_COUNT] = 1;
        d[AN_K_EXPECTED_SUM] = cp->expected_level;
        d[AN_K_ASSESSED_SUM] = cp->assessed_level;
        d[cp->assessed_level < cp->expected_level   ? AN_K_BELOW
          : cp->assessed_level == cp->expected_level ? AN_K_MEETS
                                                     : AN_K_ABOVE] = 1;
        an_copy(s1, sizeof s1, cp->item);
        an_key_init(&k);
        an_key_str(&k, s1);
        an_key_be32(&k, month);
        RC(s_add_rows(a, txn, a->competencies, base, nb, &k, d, AN_K_N, sign));
    }
    for (size_t j = 0; j < c->n_ratings; j++) {
        const Entretiens__V1__RatingAnswer *ra = c->ratings[j];
        int64_t d[AN_T_N] = { 0 };
        d[AN_T_COUNT] = 1;
        d[AN_T_SUM] = ra->value;
        int64_t bin = (int64_t) ra->value - ra->scale_min;
        d[AN_T_HIST + (bin < 0 ? 0 : bin >= AN_HIST ? AN_HIST - 1 : bin)] = 1;
        an_copy(s1, sizeof s1, ra->topic);
        an_copy(s2, sizeof s2, ra->question_id);
        an_key_init(&k);
        an_key_str(&k, s1);
        an_key_str(&k, s2);
        an_key_day(&k, ra->scale_min); /* sign-flipped: scales may start below zero */
        an_key_day(&k, ra->scale_max);
        an_key_be32(&k, month);
        RC(s_add_rows(a, txn, a->ratings, base, nb, &k, d, AN_T_N, sign));
    }
    return 0;
}

static bool s_same_content(const an_iv_t *x, const an_iv_t *y)
{
    return x->content_len == y->content_len && x->content_on == y->content_on &&
           (x->content_len == 0 || memcmp(x->content, y->content, x->content_len) == 0);
}

static void s_iv_summary(const an_iv_t *iv, const Entretiens__V1__InterviewEvent *c, an_ivsum_t *s)
{
    memset(s, 0, sizeof *s);
    memcpy(s->type, iv->type, sizeof s->type);
    bool held = iv->stage >= AN_ST_HELD && iv->stage != AN_ST_CANCELLED;
    s->held_on = held ? (iv->held_on != ENT_DATE_NONE ? iv->held_on : iv->content_on) : ENT_DATE_NONE;
    s->content_on = c ? iv->content_on : ENT_DATE_NONE;
    if (!c)
        return;
    /* the lowest engagement answer, when it is in the bottom quarter of its scale */
    double lowest = 2.0;
    for (size_t i = 0; i < c->n_ratings; i++) {
        const Entretiens__V1__RatingAnswer *r = c->ratings[i];
        if (!r->topic || strcmp(r->topic, "engagement") != 0 || r->scale_max <= r->scale_min)
            continue;
        double norm = ((double) r->value - r->scale_min) / ((double) r->scale_max - r->scale_min);
        if ((int64_t) (r->value - r->scale_min) * 4 <= (int64_t) (r->scale_max - r->scale_min) && norm < lowest) {
            lowest = norm;
            s->low_engagement = 1;
            s->eng_value = r->value;
            s->eng_min = r->scale_min;
            s->eng_max = r->scale_max;
            an_copy(s->eng_question, sizeof s->eng_question, r->question_id);
        }
    }
    for (size_t i = 0; i < c->n_mobility_wishes; i++)
        if (s_leaving(c->mobility_wishes[i]->kind)) {
            s->wish_to_leave = 1;
            an_copy(s->leave_kind, sizeof s->leave_kind, c->mobility_wishes[i]->kind);
            an_copy(s->leave_horizon, sizeof s->leave_horizon, c->mobility_wishes[i]->horizon);
            break;
        }
}

static uint8_t s_stage_of(const char *verb, const char *status, bool both_signed, uint8_t current)
{
    static const struct { const char *name; uint8_t stage; } s_map[] = {
        { "created", AN_ST_CREATED }, { "planned", AN_ST_CREATED },     { "scheduled", AN_ST_SCHEDULED },
        { "preparation", AN_ST_SCHEDULED }, { "shared", AN_ST_SHARED }, { "held", AN_ST_HELD },
        { "reported", AN_ST_HELD },     { "signed_employee", AN_ST_HELD }, { "signed_manager", AN_ST_HELD },
        { "written", AN_ST_HELD },      { "reopened", AN_ST_HELD },     { "signed", AN_ST_SIGNED },
        { "closed", AN_ST_CLOSED },     { "cancelled", AN_ST_CANCELLED },
    };
    if (strcmp(verb, "reassigned") == 0)
        return current;
    if (strcmp(verb, "created") == 0 && current != AN_ST_NONE)
        return current; /* a second "created" changes nothing */
    const char *names[2] = { verb, status };
    for (int n = 0; n < 2; n++)
        for (size_t i = 0; names[n] && i < sizeof s_map / sizeof *s_map; i++)
            if (strcmp(names[n], s_map[i].name) == 0) {
                uint8_t st = s_map[i].stage;
                /* "signed" by one party only: still waiting for the other */
                return st == AN_ST_SIGNED && !both_signed ? AN_ST_HELD : st;
            }
    return AN_ST_NONE; /* not a lifecycle change we know */
}

/* Into the event's arena: freed with the event (an_apply_records). */
static Entretiens__V1__InterviewEvent *s_unpack_content(analytics_t *a, const an_iv_t *iv)
{
    if (!iv->content_len)
        return NULL;
    return ent_pbfast_unpack_or_pbc(&entretiens__v1__interview_event__descriptor,
        ent_pbarena_allocator(a->arena), iv->content_len, iv->content);
}

/* Stores the interview's record, the employee's summary of it (from c, its
 * signed content, NULL when none) and her employee-level figures. */
static int s_iv_store(analytics_t *a, MDB_txn *txn, const an_iv_t *iv, const Entretiens__V1__InterviewEvent *c)
{
    int rc = an_iv_put(txn, a->interviews, iv);
    if (rc)
        return rc;
    an_ivsum_t sum;
    s_iv_summary(iv, c, &sum);
    an_wbuf_t w = { 0 };
    an_ivsum_encode(&sum, &w);
    an_key_t k;
    an_key_emp(&k, iv->employee, iv->id);
    bool same = false;
    if (w.failed) {
        rc = ENOMEM;
    } else {
        MDB_val kv = an_key_val(&k), v = { w.n, w.p }, old;
        rc = mdb_get(txn, a->emp_iv, &kv, &old);
        /* the summary as stored: the employee's figures, derived from her
         * summaries and obligations when they last changed, stay as they are
         * (most lifecycle steps change nothing the summary keeps) */
        same = rc == 0 && old.mv_size == v.mv_size && memcmp(old.mv_data, v.mv_data, v.mv_size) == 0;
        if (rc == 0 || rc == MDB_NOTFOUND)
            rc = same ? 0 : mdb_put(txn, a->emp_iv, &kv, &v, 0);
    }
    an_wbuf_free(&w);
    if (rc || same)
        return rc;
    an_emp_t e0, e1;
    if ((rc = an_emp_get(txn, a->employees, iv->employee, &e0)))
        return rc;
    e1 = e0;
    return s_emp_commit(a, txn, &e0, &e1);
}

static int s_on_interview(analytics_t *a, MDB_txn *txn, const char *verb, const Entretiens__V1__InterviewEvent *m,
                          const ProtobufCBinaryData *payload, int64_t occurred_ms)
{
    if (!s_id_ok(m->interview_id, AN_ID_MAX)) {
        ent_log_warn("analytics.bad_event", "interview event without a usable interview_id: skipped");
        return ENT_EVENT_SKIP;
    }
    an_iv_t i0, i1;
    RC(an_iv_get(txn, a->interviews, m->interview_id, &i0));
    if (!i0.present && !s_id_ok(m->employee_id, AN_EMP_MAX)) {
        ent_log_warn("analytics.bad_event", "interview %s: first event without a usable employee_id: skipped",
                     m->interview_id);
        return ENT_EVENT_SKIP;
    }
    if (strcmp(verb, "purged") == 0) {
        /* the content was crypto-shredded in records: the copy of what was
         * signed goes too; what it added to the aggregates stays counted
         * (anonymous sums, shown under the minimum-group rule) */
        int rc = 0;
        if (i0.present && i0.content_len) {
            an_iv_t i1 = i0;
            i1.owns_content = false;
            i1.content = NULL;
            i1.content_len = 0;
            rc = s_iv_store(a, txn, &i1, NULL); /* her summary and signals without it */
        }
        an_iv_clear(&i0);
        return rc;
    }
    uint8_t stage = s_stage_of(verb, m->status, m->signed_by_employee && m->signed_by_manager, i0.stage);
    if (stage == AN_ST_NONE && strcmp(verb, "reassigned") != 0) {
        an_iv_clear(&i0);
        return 0; /* a newer event type: nothing to count */
    }
    i1 = i0;
    i1.owns_content = false; /* i0 keeps ownership of its copy */
    if (!i0.present) {
        an_copy(i1.employee, sizeof i1.employee, m->employee_id);
        int64_t at = m->at_ms ? m->at_ms : occurred_ms;
        i1.created_on = ent_date_from_unix_ms(at);
    } else if (m->employee_id && *m->employee_id && strcmp(m->employee_id, i0.employee) != 0) {
        ent_log_warn("analytics.bad_event", "interview %s: employee changed from %s to %s: kept %s", i0.id,
                     i0.employee, m->employee_id, i0.employee);
    }
    if (m->type && *m->type)
        s_type(i1.type, sizeof i1.type, m->type);
    if (m->entity && *m->entity)
        an_copy(i1.attrs.entity, sizeof i1.attrs.entity, m->entity);
    if (m->department && *m->department)
        an_copy(i1.attrs.department, sizeof i1.attrs.department, m->department);
    if (m->site && *m->site)
        an_copy(i1.attrs.site, sizeof i1.attrs.site, m->site);
    if (m->manager_id && *m->manager_id)
        an_copy(i1.attrs.manager, sizeof i1.attrs.manager, m->manager_id);
    int32_t due = ent_pbdate_day(m->due_date), held = ent_pbdate_day(m->held_on);
    if (due != ENT_DATE_NONE)
        i1.due = due;
    if (held != ENT_DATE_NONE)
        i1.held_on = held;
    i1.sig_employee = m->signed_by_employee;
    i1.sig_manager = m->signed_by_manager;
    i1.stage = stage == AN_ST_NONE ? i0.stage : stage;
    if (stage == AN_ST_CLOSED) {
        /* what was signed: the close's payload, kept to be retracted on a correction */
        i1.content = payload->data;
        i1.content_len = payload->len;
        i1.content_on = i1.held_on != ENT_DATE_NONE ? i1.held_on
                        : m->at_ms                  ? ent_date_from_unix_ms(m->at_ms)
                                                    : i1.created_on;
    } else if (stage == AN_ST_CANCELLED) {
        i1.content = NULL;
        i1.content_len = 0;
        i1.content_on = ENT_DATE_NONE;
    }
    i1.present = true;

    int rc = 0;
    /* the answers as unpacked: c1 is the event itself when this event closes
     * it (the same bytes), c0 is read only when the answers' rows move */
    Entretiens__V1__InterviewEvent *c0 = NULL; /* in the event's arena */
    const Entretiens__V1__InterviewEvent *c1 = NULL;
    bool same_groups = i0.present && an_attrs_equal(&i0.attrs, &i1.attrs) && strcmp(i0.type, i1.type) == 0;
    /* completion: the same rows when only the stage moved (one net delta each) */
    if (same_groups && an_month(s_iv_ref_day(&i0)) == an_month(s_iv_ref_day(&i1))) {
        int64_t d0[AN_C_N], d1[AN_C_N], d[AN_C_N];
        s_iv_cvec(&i0, d0);
        s_iv_cvec(&i1, d1);
        s_diff(d, d0, d1, AN_C_N);
        if (s_any(d, AN_C_N) &&
            (rc = s_completion_rows(a, txn, &i1.attrs, i1.type, an_month(s_iv_ref_day(&i1)), d, 1)))
            goto done;
    } else if ((rc = s_iv_completion(a, txn, &i0, -1)) || (rc = s_iv_completion(a, txn, &i1, 1))) {
        goto done;
    }
    /* signatures awaited */
    if (!(same_groups && s_iv_awaiting(&i0) == s_iv_awaiting(&i1) && i0.held_on == i1.held_on)) {
        if ((rc = s_iv_mgr(a, txn, &i0, -1)) || (rc = s_iv_mgr(a, txn, &i1, 1)))
            goto done;
    }
    /* answers */
    if (i1.content_len && i1.content == payload->data && i1.content_len == payload->len)
        c1 = m;
    else
        c1 = s_unpack_content(a, &i1);
    if (i1.content_len && !c1) {
        ent_log_warn("analytics.bad_event", "interview %s: closed content cannot be read: answers not counted", i1.id);
        i1.content = NULL;
        i1.content_len = 0;
        i1.content_on = ENT_DATE_NONE;
    }
    if (!(same_groups && s_same_content(&i0, &i1))) {
        c0 = s_unpack_content(a, &i0);
        if ((rc = s_iv_content(a, txn, &i0, c0, -1)) || (rc = s_iv_content(a, txn, &i1, c1, 1)))
            goto done;
    }
    rc = s_iv_store(a, txn, &i1, c1);
done:
    an_iv_clear(&i0);
    return rc;
}

int an_apply_records(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    analytics_t *a = arg;
    if (ent_grants_is_event(ev))
        return ent_grants_apply(txn, a->grants, ev);
    static const char prefix[] = "records.interview.";
    const char *type = ev->type ? ev->type : "";
    if (strncmp(type, prefix, sizeof prefix - 1) != 0)
        return 0; /* templates, audit... nothing analytics counts */
    Entretiens__V1__InterviewEvent *m = ent_pbfast_unpack_or_pbc(&entretiens__v1__interview_event__descriptor,
        ent_pbarena_allocator(a->arena), ev->payload.len, ev->payload.data);
    if (!m) {
        ent_pbarena_reset(a->arena);
        ent_log_warn("analytics.bad_event", "seq %llu %s: payload is not an InterviewEvent",
                     (unsigned long long) ev->seq, type);
        return ENT_EVENT_SKIP;
    }
    int rc = s_on_interview(a, txn, type + sizeof prefix - 1, m, &ev->payload, ev->occurred_at_ms);
    ent_pbarena_reset(a->arena); /* gives back the whole message (pbarena.h) */
    return rc;
}
