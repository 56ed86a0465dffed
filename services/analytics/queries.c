/*  queries.c — the analytics.* methods: every figure is read from the
 *  counter rows of the projections (analytics.h), never by scanning
 *  employees.  The bounded scans here walk months of a group (completion,
 *  answers), days of a group (the compliance and "last contact"
 *  histograms), distinct groups (group_by) or the first `limit` entries of
 *  an index.  docs/analytics.md defines each figure. */
#include "analytics.h"
#include "an_keys.h"
#include "an_state.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/grants.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const an_methods[] = {
    "analytics.completion", "analytics.compliance", "analytics.training",
    "analytics.mobility",   "analytics.competencies", "analytics.ratings",
    "analytics.objectives", "analytics.signals",     "analytics.managers",
    NULL,
};

enum { M_COMPLETION, M_COMPLIANCE, M_TRAINING, M_MOBILITY, M_COMPETENCIES, M_RATINGS, M_OBJECTIVES, M_SIGNALS,
       M_MANAGERS };

#define RC(x)                 \
    do {                      \
        int rc_ = (x);        \
        if (rc_)              \
            return rc_;       \
    } while (0)

/* --------------------------------------------------------------- arena */

/* Replies are trees of small protobuf-c structures: they are built in an
 * arena and freed at once after packing. */
typedef struct s_chunk {
    struct s_chunk *next;
    size_t used, cap;
    max_align_t data[];
} s_chunk_t;

typedef struct {
    s_chunk_t *head;
    bool failed;
} s_arena_t;

static void *s_alloc(s_arena_t *ar, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!ar->head || ar->head->cap - ar->head->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        s_chunk_t *c = malloc(sizeof *c + cap);
        if (!c) {
            ar->failed = true;
            return NULL;
        }
        c->next = ar->head;
        c->used = 0;
        c->cap = cap;
        ar->head = c;
    }
    void *p = (uint8_t *) ar->head->data + ar->head->used;
    ar->head->used += n;
    memset(p, 0, n);
    return p;
}

static char *s_strndup(s_arena_t *ar, const char *s, size_t n)
{
    char *p = s_alloc(ar, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p ? p : (char *) "";
}

static char *s_strdup(s_arena_t *ar, const char *s)
{
    return s_strndup(ar, s ? s : "", s ? strlen(s) : 0);
}

static void s_arena_free(s_arena_t *ar)
{
    while (ar->head) {
        s_chunk_t *n = ar->head->next;
        free(ar->head);
        ar->head = n;
    }
}

/* A growing array of pointers (a repeated field) in the arena. */
typedef struct {
    void **items;
    size_t n, cap;
} s_vec_t;

static void s_push(s_arena_t *ar, s_vec_t *v, void *item)
{
    if (!item)
        return;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **ni = s_alloc(ar, cap * sizeof *ni);
        if (!ni)
            return;
        if (v->n)
            memcpy(ni, v->items, v->n * sizeof *ni);
        v->items = ni;
        v->cap = cap;
    }
    v->items[v->n++] = item;
}

static Entretiens__V1__Date *s_date_msg(s_arena_t *ar, int32_t day)
{
    if (day == ENT_DATE_NONE || day == AN_DAY_NONE_KEY)
        return NULL;
    Entretiens__V1__Date *d = s_alloc(ar, sizeof *d);
    if (!d)
        return NULL;
    ent_pbdate_set(day, d);
    return d;
}

/* ------------------------------------------------------------- context */

enum { BY_NONE, BY_ENTITY, BY_DEPARTMENT, BY_SITE, BY_TYPE, BY_MONTH };
enum { ROLE_OTHER, ROLE_HR, ROLE_ADMIN, ROLE_MANAGER };

typedef struct {
    analytics_t *a;
    MDB_txn *txn;
    const Entretiens__V1__StatsQuery *q;
    s_arena_t ar;
    an_scope_t scope;          /* the filters' group */
    char type[AN_TYPE_MAX + 1];/* AN_ALL_TYPES when not filtered */
    uint32_t m0, m1;           /* months, inclusive */
    int by;
    uint32_t limit;
    int32_t today;
    int role;
    char caller_id[AN_EMP_MAX + 1];
    ent_principal_t p;         /* the bound caller (common/principal.h) */
    bool p_ok;
    ent_grant_scope_t hr;      /* HR: the grant */
    /* an error answer */
    ent_code_t code;
    const char *field;
    char message[256];
} s_ctx_t;

static int s_refuse(s_ctx_t *c, ent_code_t code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int s_refuse(s_ctx_t *c, ent_code_t code, const char *field, const char *fmt, ...)
{
    c->code = code;
    c->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    return -1;
}

static bool s_given(const char *s)
{
    return s && *s;
}

static bool s_is_hr(const s_ctx_t *c)
{
    return c->role == ROLE_HR || c->role == ROLE_ADMIN;
}

/* Reads the bound caller and, for HR, the grant.  Returns 0 or an LMDB code. */
static int s_caller(s_ctx_t *c, const char *caller)
{
    c->role = ROLE_OTHER;
    c->caller_id[0] = '\0';
    c->p_ok = ent_principal_parse(caller, &c->p, NULL) == 0;
    if (!c->p_ok)
        return 0;
    an_copy(c->caller_id, sizeof c->caller_id, c->p.id);
    if (c->p.role == ENT_ROLE_HR) {
        c->role = ROLE_HR;
        return ent_grants_scope(c->txn, c->a->grants, caller, &c->hr);
    }
    c->role = c->p.role == ENT_ROLE_ADMIN ? ROLE_ADMIN : c->p.role == ENT_ROLE_MANAGER ? ROLE_MANAGER : ROLE_OTHER;
    return 0;
}

/* Who may ask what (deny by default): administrators everything; HR within
 * its grant (a query over several entities needs every entity in scope);
 * a manager the figures of their own team; nobody else anything.  The
 * methods check finer rules (signals, lists) themselves. */
static int s_authorise(s_ctx_t *c, int method)
{
    switch (c->p_ok ? c->p.role : ENT_ROLE_COUNT) {
    case ENT_ROLE_ADMIN:
        return 0;
    case ENT_ROLE_HR: {
        if (!c->hr.scope.granted)
            return s_refuse(c, ENT_PERMISSION_DENIED, "caller",
                            "%s has no access grant (an administrator grants entities: records.access.grant)",
                            c->p.id);
        if (c->hr.scope.all)
            return 0;
        char entity[AN_ATTR_MAX + 1];
        const char *sep = memchr(c->scope.value, AN_SCOPE_SEP, c->scope.len);
        size_t n = sep ? (size_t) (sep - c->scope.value) : c->scope.len;
        bool by_entity = c->scope.kind == AN_SK_ENTITY || c->scope.kind == AN_SK_ENT_DEPT || c->scope.kind == AN_SK_ENT_SITE;
        if (!by_entity || n > AN_ATTR_MAX)
            return s_refuse(c, ENT_PERMISSION_DENIED, "entity",
                            "HR %s is granted some entities only: name one of them (entity)", c->p.id);
        memcpy(entity, c->scope.value, n);
        entity[n] = '\0';
        if (!ent_scope_covers(&c->hr.scope, entity))
            return s_refuse(c, ENT_PERMISSION_DENIED, "entity", "entity '%s' is not in %s's grant", entity, c->p.id);
        return 0;
    }
    case ENT_ROLE_MANAGER:
        if (method == M_SIGNALS)
            return s_refuse(c, ENT_PERMISSION_DENIED, "caller", "disengagement signals are for HR and admin only");
        if (c->scope.kind == AN_SK_MANAGER && c->q->manager_id &&
            strcmp(c->q->manager_id, c->p.id) == 0)
            return 0;
        return s_refuse(c, ENT_PERMISSION_DENIED, "manager_id",
                        "a manager sees the figures of their own team (manager_id = their own id)");
    default:
        return s_refuse(c, ENT_PERMISSION_DENIED, "caller",
                        "statistics are for HR (within their grant), administrators and managers (their own team)");
    }
}

static void s_set_scope(an_scope_t *s, uint8_t kind, const char *a, const char *b)
{
    s->kind = kind;
    s->len = (size_t) snprintf(s->value, sizeof s->value, "%s%s%s", a, b ? "\x1f" : "", b ? b : "");
}

static int s_month_arg(s_ctx_t *c, const Entretiens__V1__Date *d, const char *field, uint32_t *out)
{
    if (!d)
        return 0;
    if (d->year < 1 || d->year > 9999 || d->month < 1 || d->month > 12)
        return s_refuse(c, ENT_INVALID_ARGUMENT, field, "%s must be a month between 0001-01 and 9999-12", field);
    *out = (uint32_t) (d->year * 12 + d->month - 1);
    return 0;
}

/* Checks the query against what the method accepts and resolves it. */
static int s_resolve(s_ctx_t *c, int method)
{
    const Entretiens__V1__StatsQuery *q = c->q;
    struct { const char *v, *field; size_t max; } strs[] = {
        { q->entity, "entity", AN_ATTR_MAX },     { q->department, "department", AN_ATTR_MAX },
        { q->site, "site", AN_ATTR_MAX },         { q->manager_id, "manager_id", AN_EMP_MAX },
        { q->type, "type", AN_TYPE_MAX },         { q->topic, "topic", AN_ITEM_MAX },
        { q->status, "status", 32 },              { q->group_by, "group_by", 32 },
    };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        if (strs[i].v && (strlen(strs[i].v) > strs[i].max || strchr(strs[i].v, AN_SCOPE_SEP)))
            return s_refuse(c, ENT_INVALID_ARGUMENT, strs[i].field, "%s is longer than %zu bytes or holds a control byte",
                            strs[i].field, strs[i].max);
    bool e = s_given(q->entity), d = s_given(q->department), s = s_given(q->site), m = s_given(q->manager_id);
    if (m && (e || d || s))
        return s_refuse(c, ENT_INVALID_ARGUMENT, "manager_id",
                        "manager_id cannot be combined with entity, department or site");
    if (d && s)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "site",
                        "department and site cannot be combined (entity with department, or entity with site)");
    if (e && d)
        s_set_scope(&c->scope, AN_SK_ENT_DEPT, q->entity, q->department);
    else if (e && s)
        s_set_scope(&c->scope, AN_SK_ENT_SITE, q->entity, q->site);
    else if (e)
        s_set_scope(&c->scope, AN_SK_ENTITY, q->entity, NULL);
    else if (d)
        s_set_scope(&c->scope, AN_SK_DEPARTMENT, q->department, NULL);
    else if (s)
        s_set_scope(&c->scope, AN_SK_SITE, q->site, NULL);
    else if (m)
        s_set_scope(&c->scope, AN_SK_MANAGER, q->manager_id, NULL);
    else
        s_set_scope(&c->scope, AN_SK_ALL, "", NULL);

    bool periodic = method != M_COMPLIANCE && method != M_SIGNALS && method != M_MANAGERS;
    if (s_given(q->type) && !periodic)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "type",
                        "type does not apply here (compliance is about professional interviews; signals and "
                        "managers cover every type)");
    an_copy(c->type, sizeof c->type, s_given(q->type) ? q->type : AN_ALL_TYPES);
    c->m0 = 0;
    c->m1 = UINT32_MAX;
    if ((q->from || q->to) && !periodic)
        return s_refuse(c, ENT_INVALID_ARGUMENT, q->from ? "from" : "to",
                        "a period does not apply here: the figures are as of today");
    if (s_month_arg(c, q->from, "from", &c->m0) || s_month_arg(c, q->to, "to", &c->m1))
        return -1;
    if (c->m0 > c->m1)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "to", "the period ends before it starts");

    const char *by = q->group_by ? q->group_by : "";
    static const struct { const char *name; int by; } s_by[] = {
        { "", BY_NONE },           { "entity", BY_ENTITY }, { "department", BY_DEPARTMENT },
        { "site", BY_SITE },       { "type", BY_TYPE },     { "month", BY_MONTH },
    };
    c->by = -1;
    for (size_t i = 0; i < sizeof s_by / sizeof *s_by; i++)
        if (strcmp(by, s_by[i].name) == 0)
            c->by = s_by[i].by;
    if (c->by < 0)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "group_by",
                        "group_by '%s' is not one of entity, department, site, type, month", by);
    if (c->by != BY_NONE && (method == M_SIGNALS || method == M_MANAGERS))
        return s_refuse(c, ENT_INVALID_ARGUMENT, "group_by", "group_by does not apply here");
    if ((c->by == BY_TYPE || c->by == BY_MONTH) && method == M_COMPLIANCE)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "group_by", "compliance groups by entity, department or site");
    if (c->by == BY_TYPE && s_given(q->type))
        return s_refuse(c, ENT_INVALID_ARGUMENT, "group_by", "group_by type with a type filter gives one group");
    if (m && (c->by == BY_ENTITY || c->by == BY_DEPARTMENT || c->by == BY_SITE))
        return s_refuse(c, ENT_INVALID_ARGUMENT, "group_by", "a manager's figures are not split by %s", by);
    if ((d && c->by == BY_SITE) || (s && c->by == BY_DEPARTMENT))
        return s_refuse(c, ENT_INVALID_ARGUMENT, "group_by",
                        "departments and sites are crossed only within an entity (add --entity, drop the other filter)");
    if (q->limit > AN_MAX_LIMIT)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "limit", "limit is at most %d", AN_MAX_LIMIT);
    c->limit = q->limit ? q->limit : AN_DEFAULT_LIMIT;
    return 0;
}

/* ------------------------------------------------------------- scanning */

static bool s_has_prefix(const MDB_val *k, const an_key_t *p)
{
    return k->mv_size >= p->n && memcmp(k->mv_data, p->b, p->n) == 0;
}

/* One group of a group_by: its scope and its label. */
typedef int (*s_group_fn)(s_ctx_t *c, const an_scope_t *sc, const char *label, void *arg);

/* Calls fn for every distinct scope value of kind `kind` in dbi that starts
 * with prefix and ends with suffix, jumping from one value to the next (a
 * seek per group, not a walk over the group's rows).  part: 0 the whole
 * value is the label, 1 the part before the separator, 2 after it. */
static int s_each_value(s_ctx_t *c, MDB_dbi dbi, uint8_t kind, const char *prefix, const char *suffix, int part,
                        s_group_fn fn, void *arg)
{
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, dbi, &cur));
    an_key_t seek;
    an_key_init(&seek);
    an_key_u8(&seek, kind);
    an_key_raw(&seek, prefix, strlen(prefix));
    size_t plen = strlen(prefix), slen = strlen(suffix);
    MDB_val k = an_key_val(&seek), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0) {
        const uint8_t *kb = k.mv_data;
        if (k.mv_size < 2 || kb[0] != kind)
            break;
        size_t vl = strnlen((const char *) kb + 1, k.mv_size - 1);
        if (vl < plen || memcmp(kb + 1, prefix, plen) != 0)
            break;
        if (vl <= AN_SCOPE_MAX && (slen == 0 || (vl >= slen && memcmp(kb + 1 + vl - slen, suffix, slen) == 0))) {
            an_scope_t sc;
            sc.kind = kind;
            sc.len = vl;
            memcpy(sc.value, kb + 1, vl);
            sc.value[vl] = '\0';
            char label[AN_SCOPE_MAX + 1];
            const char *sep = memchr(sc.value, AN_SCOPE_SEP, vl);
            if (part == 1 && sep)
                snprintf(label, sizeof label, "%.*s", (int) (sep - sc.value), sc.value);
            else if (part == 2 && sep)
                snprintf(label, sizeof label, "%s", sep + 1);
            else
                snprintf(label, sizeof label, "%s", sc.value);
            rc = fn(c, &sc, label, arg);
            if (rc)
                break;
            /* re-seek: fn may have used other cursors of the transaction */
            an_key_init(&seek);
            an_key_u8(&seek, kind);
            an_key_raw(&seek, sc.value, vl);
        } else {
            an_key_init(&seek);
            an_key_u8(&seek, kind);
            an_key_raw(&seek, kb + 1, vl);
        }
        an_key_u8(&seek, 1); /* past every key of this value ([kind][value][\0]...) */
        k = an_key_val(&seek);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The groups of c->by (entity, department, site) under the query's filters. */
static int s_each_group(s_ctx_t *c, MDB_dbi dbi, s_group_fn fn, void *arg)
{
    const Entretiens__V1__StatsQuery *q = c->q;
    char fix[AN_SCOPE_MAX + 2];
    switch (c->scope.kind) {
    case AN_SK_ALL:
        return s_each_value(c, dbi, c->by == BY_ENTITY ? AN_SK_ENTITY : c->by == BY_DEPARTMENT ? AN_SK_DEPARTMENT
                                                                                                : AN_SK_SITE,
                            "", "", 0, fn, arg);
    case AN_SK_ENTITY:
        if (c->by == BY_ENTITY)
            return fn(c, &c->scope, q->entity, arg);
        snprintf(fix, sizeof fix, "%s\x1f", q->entity);
        return s_each_value(c, dbi, c->by == BY_DEPARTMENT ? AN_SK_ENT_DEPT : AN_SK_ENT_SITE, fix, "", 2, fn, arg);
    case AN_SK_DEPARTMENT:
        if (c->by == BY_DEPARTMENT)
            return fn(c, &c->scope, q->department, arg);
        snprintf(fix, sizeof fix, "\x1f%s", q->department);
        return s_each_value(c, dbi, AN_SK_ENT_DEPT, "", fix, 1, fn, arg);
    case AN_SK_SITE:
        if (c->by == BY_SITE)
            return fn(c, &c->scope, q->site, arg);
        snprintf(fix, sizeof fix, "\x1f%s", q->site);
        return s_each_value(c, dbi, AN_SK_ENT_SITE, "", fix, 1, fn, arg);
    case AN_SK_ENT_DEPT:
    case AN_SK_ENT_SITE:
        return fn(c, &c->scope,
                  c->by == BY_ENTITY ? q->entity : c->by == BY_DEPARTMENT ? q->department : q->site, arg);
    default:
        return 0;
    }
}

/* Calls fn(type) for every type with rows under [scope] in dbi. */
static int s_each_type(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc,
                       int (*fn)(s_ctx_t *c, const an_scope_t *sc, const char *type, void *arg), void *arg)
{
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, sc);
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, dbi, &cur));
    MDB_val k = an_key_val(&p), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size > p.n) {
        const char *t = (const char *) k.mv_data + p.n;
        size_t tl = strnlen(t, k.mv_size - p.n);
        char type[AN_TYPE_MAX + 1];
        an_copy(type, tl < sizeof type ? tl + 1 : sizeof type, t);
        rc = fn(c, sc, type, arg);
        if (rc)
            break;
        an_key_t seek = p;
        an_key_raw(&seek, t, tl);
        an_key_u8(&seek, 1);
        k = an_key_val(&seek);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ------------------------------------------------ every type: summed */

/* Rows summed under byte keys, kept in the store's key order (bytes, then
 * the shorter first): what the rows of every type add up to, per month or
 * per answer item.  Typed figures are stored per type only (project.c,
 * s_bases), so a query for every type merges the types' rows here; a
 * scope holds a few hundred months or items at most. */
typedef struct {
    uint8_t *keys;                 /* the keys' bytes, one after the other */
    size_t keys_len, keys_cap;
    uint32_t *off, *len;           /* per entry, in key order */
    int64_t *sums;                 /* per entry, width fields */
    size_t n, cap, width;
    bool failed;                   /* out of memory: the answer is ENOMEM */
} s_tab_t;

static void s_tab_free(s_tab_t *t)
{
    free(t->keys);
    free(t->off);
    free(t->len);
    free(t->sums);
    memset(t, 0, sizeof *t);
}

static int s_tab_cmp(const s_tab_t *t, size_t i, const uint8_t *key, size_t klen)
{
    size_t n = t->len[i] < klen ? t->len[i] : klen;
    int c = memcmp(t->keys + t->off[i], key, n);
    return c ? c : t->len[i] < klen ? -1 : t->len[i] > klen;
}

/* Adds row[0..width) to the entry of key (created, zero, when absent). */
static void s_tab_add(s_tab_t *t, const uint8_t *key, size_t klen, const int64_t *row)
{
    if (t->failed)
        return;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = s_tab_cmp(t, mid, key, klen);
        if (c == 0) {
            for (size_t f = 0; f < t->width; f++)
                t->sums[mid * t->width + f] += row[f];
            return;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        uint32_t *off = realloc(t->off, cap * sizeof *off);
        if (off)
            t->off = off;
        uint32_t *len = realloc(t->len, cap * sizeof *len);
        if (len)
            t->len = len;
        int64_t *sums = realloc(t->sums, cap * t->width * sizeof *sums);
        if (sums)
            t->sums = sums;
        if (!off || !len || !sums) {
            t->failed = true;
            return;
        }
        t->cap = cap;
    }
    if (t->keys_len + klen > t->keys_cap) {
        size_t cap = t->keys_cap ? t->keys_cap * 2 : 4096;
        while (cap < t->keys_len + klen)
            cap *= 2;
        uint8_t *keys = realloc(t->keys, cap);
        if (!keys) {
            t->failed = true;
            return;
        }
        t->keys = keys;
        t->keys_cap = cap;
    }
    memmove(t->off + lo + 1, t->off + lo, (t->n - lo) * sizeof *t->off);
    memmove(t->len + lo + 1, t->len + lo, (t->n - lo) * sizeof *t->len);
    memmove(t->sums + (lo + 1) * t->width, t->sums + lo * t->width, (t->n - lo) * t->width * sizeof *t->sums);
    memcpy(t->keys + t->keys_len, key, klen);
    t->off[lo] = (uint32_t) t->keys_len;
    t->len[lo] = (uint32_t) klen;
    memcpy(t->sums + lo * t->width, row, t->width * sizeof *t->sums);
    t->keys_len += klen;
    t->n++;
}

static int s_sum_months_of(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, const char *type, uint32_t m0,
                           uint32_t m1, int64_t *out, size_t n,
                           int (*per_month)(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg), void *arg);

/* Every type's months into a table keyed by be32(month). */
typedef struct {
    MDB_dbi dbi;
    uint32_t m0, m1;
    s_tab_t tab;
} s_months_t;

static int s_months_collect(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg)
{
    (void) c;
    s_months_t *m = arg;
    uint8_t key[4];
    ent_be32_put(key, month);
    s_tab_add(&m->tab, key, sizeof key, row);
    return m->tab.failed ? ENOMEM : 0;
}

static int s_months_type(s_ctx_t *c, const an_scope_t *sc, const char *type, void *arg)
{
    s_months_t *m = arg;
    int64_t row[(int) AN_C_N > (int) AN_A_N ? (int) AN_C_N : (int) AN_A_N];
    return s_sum_months_of(c, m->dbi, sc, type, m->m0, m->m1, row, m->tab.width, s_months_collect, m);
}

/* s_sum_months for every type: the months of all types merged, in order. */
static int s_sum_months_all(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, uint32_t m0, uint32_t m1, int64_t *out,
                            size_t n, int (*per_month)(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg),
                            void *arg)
{
    memset(out, 0, n * sizeof *out);
    s_months_t m = { .dbi = dbi, .m0 = m0, .m1 = m1, .tab = { .width = n } };
    int rc = s_each_type(c, dbi, sc, s_months_type, &m);
    for (size_t i = 0; !rc && i < m.tab.n; i++) {
        const int64_t *row = m.tab.sums + i * n;
        for (size_t f = 0; f < n; f++)
            out[f] += row[f];
        if (per_month)
            rc = per_month(c, ent_be32_get(m.tab.keys + m.tab.off[i]), row, arg);
    }
    s_tab_free(&m.tab);
    return rc;
}

/* Sums the rows [scope][type\0][be32 month] for months in [m0, m1]; calls
 * per_month (may be NULL) with each month's row.  type AN_ALL_TYPES: the
 * sum of every type's rows, month by month. */
static int s_sum_months(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, const char *type, uint32_t m0, uint32_t m1,
                        int64_t *out, size_t n,
                        int (*per_month)(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg), void *arg)
{
    if (strcmp(type, AN_ALL_TYPES) == 0)
        return s_sum_months_all(c, dbi, sc, m0, m1, out, n, per_month, arg);
    return s_sum_months_of(c, dbi, sc, type, m0, m1, out, n, per_month, arg);
}

/* s_sum_months for one type. */
static int s_sum_months_of(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, const char *type, uint32_t m0,
                           uint32_t m1, int64_t *out, size_t n,
                           int (*per_month)(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg), void *arg)
{
    memset(out, 0, n * sizeof *out);
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, sc);
    an_key_str(&p, type);
    an_key_t seek = p;
    an_key_be32(&seek, m0);
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, dbi, &cur));
    MDB_val k = an_key_val(&seek), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size == p.n + 4) {
        uint32_t month = ent_be32_get((const uint8_t *) k.mv_data + p.n);
        if (month > m1)
            break;
        if (per_month) {
            int64_t row[(int) AN_C_N > (int) AN_A_N ? (int) AN_C_N : (int) AN_A_N] = { 0 };
            an_counter_accumulate(&v, row, n);
            for (size_t i = 0; i < n; i++)
                out[i] += row[i];
            rc = per_month(c, month, row, arg);
            if (rc)
                break;
        } else {
            an_counter_accumulate(&v, out, n);
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ----------------------------------------------------------- completion */

static double s_rate(int64_t num, int64_t den)
{
    return den > 0 ? (double) num / (double) den : 0.0;
}

static Entretiens__V1__CompletionFigures *s_comp_fig(s_ctx_t *c, const char *label, const int64_t *r)
{
    Entretiens__V1__CompletionFigures *f = s_alloc(&c->ar, sizeof *f);
    if (!f)
        return NULL;
    entretiens__v1__completion_figures__init(f);
    f->group = s_strdup(&c->ar, label);
    f->owed = (uint64_t) r[AN_C_OWED];
    f->upcoming = (uint64_t) r[AN_C_UPCOMING];
    f->overdue = (uint64_t) r[AN_C_OVERDUE];
    f->met = (uint64_t) r[AN_C_MET];
    f->lapsed = (uint64_t) r[AN_C_LAPSED];
    f->cancelled = (uint64_t) r[AN_C_CANCELLED];
    f->interviews = (uint64_t) r[AN_C_INTERVIEWS];
    f->scheduled = (uint64_t) r[AN_C_SCHEDULED];
    f->held = (uint64_t) r[AN_C_HELD];
    f->fully_signed = (uint64_t) r[AN_C_SIGNED];
    f->closed = (uint64_t) r[AN_C_CLOSED];
    f->interviews_cancelled = (uint64_t) r[AN_C_IV_CANCELLED];
    f->completion_rate = s_rate(r[AN_C_MET], r[AN_C_OWED]);
    f->overdue_rate = s_rate(r[AN_C_OVERDUE] + r[AN_C_LAPSED], r[AN_C_OWED]);
    f->signature_rate = s_rate(r[AN_C_SIGNED], r[AN_C_HELD]);
    return f;
}

static int s_comp_month(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg)
{
    char label[8];
    s_push(&c->ar, arg, s_comp_fig(c, an_month_str(month, label), row));
    return 0;
}

static int s_comp_group(s_ctx_t *c, const an_scope_t *sc, const char *label, void *arg)
{
    int64_t row[AN_C_N];
    RC(s_sum_months(c, c->a->completion, sc, c->type, c->m0, c->m1, row, AN_C_N, NULL, NULL));
    s_push(&c->ar, arg, s_comp_fig(c, label, row));
    return 0;
}

static int s_comp_type(s_ctx_t *c, const an_scope_t *sc, const char *type, void *arg)
{
    int64_t row[AN_C_N];
    RC(s_sum_months(c, c->a->completion, sc, type, c->m0, c->m1, row, AN_C_N, NULL, NULL));
    s_push(&c->ar, arg, s_comp_fig(c, type, row));
    return 0;
}

static int s_completion(s_ctx_t *c, ProtobufCMessage **out)
{
    Entretiens__V1__CompletionReply *r = s_alloc(&c->ar, sizeof *r);
    if (!r)
        return ENOMEM;
    entretiens__v1__completion_reply__init(r);
    s_vec_t groups = { 0 };
    int64_t total[AN_C_N];
    RC(s_sum_months(c, c->a->completion, &c->scope, c->type, c->m0, c->m1, total, AN_C_N,
                    c->by == BY_MONTH ? s_comp_month : NULL, &groups));
    r->total = s_comp_fig(c, "", total);
    if (c->by == BY_ENTITY || c->by == BY_DEPARTMENT || c->by == BY_SITE)
        RC(s_each_group(c, c->a->completion, s_comp_group, &groups));
    else if (c->by == BY_TYPE)
        RC(s_each_type(c, c->a->completion, &c->scope, s_comp_type, &groups));
    r->groups = (Entretiens__V1__CompletionFigures **) groups.items;
    r->n_groups = groups.n;
    r->group_by = s_strdup(&c->ar, c->q->group_by);
    *out = &r->base;
    return 0;
}

/* ----------------------------------------------------------- compliance */

/* The CPF top-ups of a scope: owed (deadline before today) and at risk
 * (today or later), from the rows by due day. */
typedef struct {
    int64_t at_risk, exposure_eur, owed, owed_eur;
} s_risk_t;

static int s_risk_sum(s_ctx_t *c, const an_scope_t *sc, s_risk_t *out)
{
    memset(out, 0, sizeof *out);
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, sc);
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, c->a->risk, &cur));
    MDB_val k = an_key_val(&p), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size == p.n + 4) {
        int32_t day = ent_key_day_get((const uint8_t *) k.mv_data + p.n);
        int64_t row[AN_R_N] = { 0 };
        an_counter_accumulate(&v, row, AN_R_N);
        if (day < c->today) {
            out->owed += row[AN_R_COUNT];
            out->owed_eur += row[AN_R_EUR];
        } else {
            out->at_risk += row[AN_R_COUNT];
            out->exposure_eur += row[AN_R_EUR];
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_compl_counts(s_ctx_t *c, const an_scope_t *sc, const char *label, Entretiens__V1__ComplianceFigures **out)
{
    Entretiens__V1__ComplianceFigures *f = s_alloc(&c->ar, sizeof *f);
    if (!f)
        return ENOMEM;
    entretiens__v1__compliance_figures__init(f);
    f->group = s_strdup(&c->ar, label);
    uint32_t within = c->q->within_days ? c->q->within_days : AN_DEFAULT_WITHIN_DAYS;
    int32_t soon = c->today + (int32_t) within;
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, sc);
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, c->a->prof_hist, &cur));
    MDB_val k = an_key_val(&p), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size == p.n + 4) {
        int32_t day = ent_key_day_get((const uint8_t *) k.mv_data + p.n);
        int64_t n = 0;
        an_counter_accumulate(&v, &n, 1);
        f->employees += (uint64_t) n;
        if (day == AN_DAY_NONE_KEY || day > soon)
            f->up_to_date += (uint64_t) n;
        else if (day < c->today)
            f->overdue += (uint64_t) n;
        else
            f->due_soon += (uint64_t) n;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND && rc)
        return rc;
    s_risk_t risk;
    RC(s_risk_sum(c, sc, &risk));
    f->at_risk = (uint64_t) risk.at_risk;
    f->exposure_eur = risk.exposure_eur;
    f->owed_count = (uint64_t) risk.owed;
    f->owed_eur = risk.owed_eur;
    /* the to-do count: actionable obligations of every type the scheduler
     * has marked overdue (completion rows, every month) */
    int64_t comp[AN_C_N];
    RC(s_sum_months(c, c->a->completion, sc, AN_ALL_TYPES, 0, UINT32_MAX, comp, AN_C_N, NULL, NULL));
    f->overdue_deadlines = (uint64_t) comp[AN_C_OVERDUE];
    f->exposure_if_inspected_eur = an_if_inspected(f->exposure_eur);
    f->owed_if_inspected_eur = an_if_inspected(f->owed_eur);
    *out = f;
    return 0;
}

static int s_compl_group(s_ctx_t *c, const an_scope_t *sc, const char *label, void *arg)
{
    Entretiens__V1__ComplianceFigures *f;
    RC(s_compl_counts(c, sc, label, &f));
    s_push(&c->ar, arg, f);
    return 0;
}

/* The declared headcount of entity in the scheduler's last policy; *any
 * says whether that policy declares any entity at all. */
static int s_declared(s_ctx_t *c, const char *entity, protobuf_c_boolean *declared, uint64_t *headcount, bool *any)
{
    *declared = false;
    *headcount = 0;
    MDB_val k = { strlen(entity), (void *) entity }, v;
    int rc = mdb_get(c->txn, c->a->policy, &k, &v);
    if (rc == 0 && v.mv_size == sizeof(uint32_t)) {
        uint32_t h;
        memcpy(&h, v.mv_data, sizeof h);
        *declared = true;
        *headcount = h;
    } else if (rc && rc != MDB_NOTFOUND) {
        return rc;
    }
    MDB_stat st;
    RC(mdb_stat(c->txn, c->a->policy, &st));
    *any = st.ms_entries > 0;
    return 0;
}

static int s_entity_row(s_ctx_t *c, const an_scope_t *sc, const char *entity, void *arg)
{
    Entretiens__V1__EntityExposure *x = s_alloc(&c->ar, sizeof *x);
    if (!x)
        return ENOMEM;
    entretiens__v1__entity_exposure__init(x);
    x->entity = s_strdup(&c->ar, entity);
    an_scope_t es;
    s_set_scope(&es, AN_SK_ENTITY, entity, NULL);
    an_key_t k;
    an_key_init(&k);
    an_key_scope(&k, &es);
    int64_t head = 0;
    RC(an_counter_get(c->txn, c->a->headcount, &k, &head, 1));
    s_risk_t risk;
    RC(s_risk_sum(c, sc, &risk));
    x->headcount = (uint64_t) head;
    /* the policy's effectif governs, as in the scheduler's rule (an entity
     * the policy does not declare has none: 0); the count is shown beside */
    bool any_policy = false;
    RC(s_declared(c, entity, &x->declared, &x->declared_headcount, &any_policy));
    x->subject = any_policy ? x->declared_headcount >= 50 : head >= 50;
    x->headcount_differs = x->declared && x->declared_headcount != (uint64_t) head;
    x->at_risk = (uint64_t) risk.at_risk;
    x->exposure_eur = risk.exposure_eur;
    x->owed_count = (uint64_t) risk.owed;
    x->owed_eur = risk.owed_eur;
    x->exposure_if_inspected_eur = an_if_inspected(x->exposure_eur);
    x->owed_if_inspected_eur = an_if_inspected(x->owed_eur);
    s_push(&c->ar, arg, x);
    return 0;
}

/* The exposure per entity within the filters (none for a manager filter). */
static int s_entities(s_ctx_t *c, s_vec_t *out)
{
    const Entretiens__V1__StatsQuery *q = c->q;
    char fix[AN_SCOPE_MAX + 2];
    switch (c->scope.kind) {
    case AN_SK_ALL:
        return s_each_value(c, c->a->headcount, AN_SK_ENTITY, "", "", 0, s_entity_row, out);
    case AN_SK_ENTITY:
    case AN_SK_ENT_DEPT:
    case AN_SK_ENT_SITE:
        return s_entity_row(c, &c->scope, q->entity, out);
    case AN_SK_DEPARTMENT:
        snprintf(fix, sizeof fix, "\x1f%s", q->department);
        return s_each_value(c, c->a->headcount, AN_SK_ENT_DEPT, "", fix, 1, s_entity_row, out);
    case AN_SK_SITE:
        snprintf(fix, sizeof fix, "\x1f%s", q->site);
        return s_each_value(c, c->a->headcount, AN_SK_ENT_SITE, "", fix, 1, s_entity_row, out);
    default:
        return 0;
    }
}

static int s_compl_employee(s_ctx_t *c, const char *employee, const char *status, int32_t due, const char *type,
                            int32_t penalty, s_vec_t *out)
{
    an_emp_t e;
    RC(an_emp_get(c->txn, c->a->employees, employee, &e));
    Entretiens__V1__ComplianceEmployee *x = s_alloc(&c->ar, sizeof *x);
    if (!x)
        return ENOMEM;
    entretiens__v1__compliance_employee__init(x);
    x->employee_id = s_strdup(&c->ar, employee);
    x->entity = s_strdup(&c->ar, e.attrs.entity);
    x->department = s_strdup(&c->ar, e.attrs.department);
    x->site = s_strdup(&c->ar, e.attrs.site);
    x->manager_id = s_strdup(&c->ar, e.attrs.manager);
    x->status = (char *) status;
    x->next_due = s_date_msg(&c->ar, due);
    x->next_type = s_strdup(&c->ar, type);
    x->penalty_eur = penalty >= 0 ? penalty : e.penalty;
    x->penalty_if_inspected_eur = (int32_t) an_if_inspected(x->penalty_eur);
    s_push(&c->ar, out, x);
    return 0;
}

/* Lists employees of an index [scope][day][employee \0 ...] with days in
 * [lo, hi], in day order, up to c->limit. */
static int s_compl_list(s_ctx_t *c, bool at_risk, int32_t lo, int32_t hi, s_vec_t *out,
                        protobuf_c_boolean *truncated)
{
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, &c->scope);
    an_key_t seek = p;
    an_key_day(&seek, lo);
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, at_risk ? c->a->risk_idx : c->a->prof_idx, &cur));
    MDB_val k = an_key_val(&seek), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    uint32_t within = c->q->within_days ? c->q->within_days : AN_DEFAULT_WITHIN_DAYS;
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size > p.n + 4) {
        const uint8_t *kb = k.mv_data;
        int32_t day = ent_key_day_get(kb + p.n);
        if (day > hi)
            break;
        if (out->n >= c->limit) {
            *truncated = true;
            break;
        }
        char emp[AN_EMP_MAX + 1], type[AN_TYPE_MAX + 1] = "professional_recap";
        size_t el = strnlen((const char *) kb + p.n + 4, k.mv_size - p.n - 4);
        an_copy(emp, el < sizeof emp ? el + 1 : sizeof emp, (const char *) kb + p.n + 4);
        int32_t penalty = -1; /* the employee's own top-ups (s_compl_employee) */
        if (at_risk) {
            if (v.mv_size == sizeof penalty)
                memcpy(&penalty, v.mv_data, sizeof penalty);
        } else {
            size_t tl = v.mv_size < sizeof type - 1 ? v.mv_size : sizeof type - 1;
            memcpy(type, v.mv_data, tl);
            type[tl] = '\0';
        }
        const char *status = at_risk ? (day < c->today ? "owed" : "at_risk")
                             : day < c->today ? "overdue"
                             : day <= c->today + (int32_t) within ? "due_soon"
                                                                  : "up_to_date";
        rc = s_compl_employee(c, emp, status, day, type, penalty, out);
        if (rc)
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_compliance(s_ctx_t *c, ProtobufCMessage **out)
{
    const Entretiens__V1__StatsQuery *q = c->q;
    const char *st = q->status ? q->status : "";
    if (*st && strcmp(st, "overdue") && strcmp(st, "due_soon") && strcmp(st, "at_risk") && strcmp(st, "owed"))
        return s_refuse(c, ENT_INVALID_ARGUMENT, "status", "status '%s' is not overdue, due_soon, at_risk or owed",
                        st);
    if (q->within_days > 3660)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "within_days", "within_days is at most 3660");
    if (q->list && !s_is_hr(c) &&
        !(c->role == ROLE_MANAGER && c->scope.kind == AN_SK_MANAGER && strcmp(c->caller_id, q->manager_id) == 0))
        return s_refuse(c, ENT_PERMISSION_DENIED, "caller",
                        "the list of employees is for HR and admin (or a manager, for their own reports)");
    Entretiens__V1__ComplianceReply *r = s_alloc(&c->ar, sizeof *r);
    if (!r)
        return ENOMEM;
    entretiens__v1__compliance_reply__init(r);
    RC(s_compl_counts(c, &c->scope, "", &r->total));
    s_vec_t groups = { 0 }, ents = { 0 }, emps = { 0 };
    if (c->by != BY_NONE)
        RC(s_each_group(c, c->a->prof_hist, s_compl_group, &groups));
    RC(s_entities(c, &ents));
    uint32_t within = q->within_days ? q->within_days : AN_DEFAULT_WITHIN_DAYS;
    if (q->list) {
        if (strcmp(st, "at_risk") == 0)
            RC(s_compl_list(c, true, c->today, INT32_MAX, &emps, &r->truncated));
        else if (strcmp(st, "owed") == 0)
            RC(s_compl_list(c, true, INT32_MIN, c->today - 1, &emps, &r->truncated));
        else if (strcmp(st, "overdue") == 0)
            RC(s_compl_list(c, false, INT32_MIN, c->today - 1, &emps, &r->truncated));
        else if (strcmp(st, "due_soon") == 0)
            RC(s_compl_list(c, false, c->today, c->today + (int32_t) within, &emps, &r->truncated));
        else
            RC(s_compl_list(c, false, INT32_MIN, c->today + (int32_t) within, &emps, &r->truncated));
    }
    r->groups = (Entretiens__V1__ComplianceFigures **) groups.items;
    r->n_groups = groups.n;
    r->entities = (Entretiens__V1__EntityExposure **) ents.items;
    r->n_entities = ents.n;
    r->employees = (Entretiens__V1__ComplianceEmployee **) emps.items;
    r->n_employees = emps.n;
    r->today = s_date_msg(&c->ar, c->today);
    r->within_days = within;
    r->group_by = s_strdup(&c->ar, q->group_by);
    *out = &r->base;
    return 0;
}

/* -------------------------------------------------------------- answers */

typedef int (*s_item_fn)(s_ctx_t *c, const uint8_t *item, size_t len, const int64_t *sum, void *arg);

static int s_scan_items_of(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, const char *type, uint32_t m0,
                           uint32_t m1, size_t n, s_item_fn fn, void *arg);

/* Every type's items into a table keyed by the item's bytes. */
typedef struct {
    MDB_dbi dbi;
    uint32_t m0, m1;
    s_tab_t tab;
} s_items_t;

static int s_items_collect(s_ctx_t *c, const uint8_t *item, size_t len, const int64_t *sum, void *arg)
{
    (void) c;
    s_items_t *it = arg;
    s_tab_add(&it->tab, item, len, sum);
    return it->tab.failed ? ENOMEM : 0;
}

static int s_items_type(s_ctx_t *c, const an_scope_t *sc, const char *type, void *arg)
{
    s_items_t *it = arg;
    return s_scan_items_of(c, it->dbi, sc, type, it->m0, it->m1, it->tab.width, s_items_collect, it);
}

/* Calls fn for each item with a row in the period, its fields summed over
 * the period (rows [scope][type\0] item [be32 month]).  type AN_ALL_TYPES:
 * the items of every type merged, in item order, summed over the types. */
static int s_scan_items(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, const char *type, uint32_t m0, uint32_t m1,
                        size_t n, s_item_fn fn, void *arg)
{
    if (strcmp(type, AN_ALL_TYPES) != 0)
        return s_scan_items_of(c, dbi, sc, type, m0, m1, n, fn, arg);
    s_items_t it = { .dbi = dbi, .m0 = m0, .m1 = m1, .tab = { .width = n } };
    int rc = s_each_type(c, dbi, sc, s_items_type, &it);
    for (size_t i = 0; !rc && i < it.tab.n; i++)
        rc = fn(c, it.tab.keys + it.tab.off[i], it.tab.len[i], it.tab.sums + i * n, arg);
    s_tab_free(&it.tab);
    return rc;
}

/* s_scan_items for one type (rows of an item are contiguous, months
 * ascending). */
static int s_scan_items_of(s_ctx_t *c, MDB_dbi dbi, const an_scope_t *sc, const char *type, uint32_t m0,
                           uint32_t m1, size_t n, s_item_fn fn, void *arg)
{
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, sc);
    an_key_str(&p, type);
    MDB_cursor *cur;
    RC(mdb_cursor_open(c->txn, dbi, &cur));
    MDB_val k = an_key_val(&p), v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    uint8_t item[AN_KEY_MAX];
    size_t ilen = 0;
    bool have = false, any = false;
    int64_t sum[AN_T_N] = { 0 };
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size >= p.n + 4) {
        const uint8_t *kb = k.mv_data;
        size_t len = k.mv_size - p.n - 4;
        uint32_t month = ent_be32_get(kb + k.mv_size - 4);
        if (!have || len != ilen || memcmp(item, kb + p.n, len) != 0) {
            if (have && any)
                if ((rc = fn(c, item, ilen, sum, arg)))
                    break;
            memcpy(item, kb + p.n, len);
            ilen = len;
            have = true;
            any = false;
            memset(sum, 0, sizeof sum);
        }
        if (month >= m0 && month <= m1) {
            an_counter_accumulate(&v, sum, n);
            any = true;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (!rc && have && any)
        rc = fn(c, item, ilen, sum, arg);
    return rc;
}

/* The NUL-separated strings of an item key part. */
static size_t s_item_parts(const uint8_t *item, size_t len, const char **parts, size_t max)
{
    size_t n = 0, off = 0;
    while (off < len && n < max) {
        const char *s = (const char *) item + off;
        size_t l = strnlen(s, len - off);
        if (off + l >= len)
            break; /* not terminated: the rest is binary (rating scales) */
        parts[n++] = s;
        off += l + 1;
    }
    return n;
}

typedef struct {
    int method;
    Entretiens__V1__AnswerFigures *f;
    s_vec_t items;
} s_ans_t;

static int s_item(s_ctx_t *c, const uint8_t *item, size_t len, const int64_t *sum, void *arg)
{
    s_ans_t *st = arg;
    const char *parts[3];
    size_t np = s_item_parts(item, len, parts, 3);
    switch (st->method) {
    case M_TRAINING: {
        if (np < 3)
            return 0;
        Entretiens__V1__TrainingFigure *t = s_alloc(&c->ar, sizeof *t);
        if (!t)
            return ENOMEM;
        entretiens__v1__training_figure__init(t);
        t->theme = s_strdup(&c->ar, parts[0]);
        t->priority = s_strdup(&c->ar, parts[1]);
        t->modality = s_strdup(&c->ar, parts[2]);
        t->count = (uint64_t) sum[0];
        s_push(&c->ar, &st->items, t);
        break;
    }
    case M_MOBILITY: {
        if (np < 2)
            return 0;
        Entretiens__V1__MobilityFigure *m = s_alloc(&c->ar, sizeof *m);
        if (!m)
            return ENOMEM;
        entretiens__v1__mobility_figure__init(m);
        m->kind = s_strdup(&c->ar, parts[0]);
        m->horizon = s_strdup(&c->ar, parts[1]);
        m->count = (uint64_t) sum[0];
        s_push(&c->ar, &st->items, m);
        break;
    }
    case M_COMPETENCIES: {
        if (np < 1)
            return 0;
        Entretiens__V1__CompetencyFigure *k = s_alloc(&c->ar, sizeof *k);
        if (!k)
            return ENOMEM;
        entretiens__v1__competency_figure__init(k);
        k->item = s_strdup(&c->ar, parts[0]);
        k->count = (uint64_t) sum[AN_K_COUNT];
        if (sum[AN_K_COUNT] < (int64_t) c->a->min_group) {
            k->suppressed = true;
        } else {
            k->mean_expected = (double) sum[AN_K_EXPECTED_SUM] / (double) sum[AN_K_COUNT];
            k->mean_assessed = (double) sum[AN_K_ASSESSED_SUM] / (double) sum[AN_K_COUNT];
            k->below = (uint64_t) sum[AN_K_BELOW];
            k->meets = (uint64_t) sum[AN_K_MEETS];
            k->above = (uint64_t) sum[AN_K_ABOVE];
        }
        s_push(&c->ar, &st->items, k);
        break;
    }
    case M_RATINGS: {
        if (np < 2)
            return 0;
        size_t used = (size_t) (parts[1] - (const char *) item) + strlen(parts[1]) + 1;
        if (len != used + 8)
            return 0;
        if (s_given(c->q->topic) && strcmp(parts[0], c->q->topic) != 0)
            return 0;
        Entretiens__V1__RatingFigure *r = s_alloc(&c->ar, sizeof *r);
        if (!r)
            return ENOMEM;
        entretiens__v1__rating_figure__init(r);
        r->topic = s_strdup(&c->ar, parts[0]);
        r->question_id = s_strdup(&c->ar, parts[1]);
        r->scale_min = ent_key_day_get(item + used);
        r->scale_max = ent_key_day_get(item + used + 4);
        r->count = (uint64_t) sum[AN_T_COUNT];
        if (sum[AN_T_COUNT] < (int64_t) c->a->min_group) {
            r->suppressed = true;
        } else {
            r->mean = (double) sum[AN_T_SUM] / (double) sum[AN_T_COUNT];
            int64_t levels = (int64_t) r->scale_max - r->scale_min + 1;
            if (levels < 1)
                levels = 1;
            if (levels > AN_HIST)
                levels = AN_HIST;
            r->histogram = s_alloc(&c->ar, (size_t) levels * sizeof *r->histogram);
            if (!r->histogram)
                return ENOMEM;
            for (int64_t i = 0; i < levels; i++)
                r->histogram[i] = (uint64_t) sum[AN_T_HIST + i];
            r->n_histogram = (size_t) levels;
        }
        s_push(&c->ar, &st->items, r);
        break;
    }
    default:
        break;
    }
    return 0;
}

/* The answer figures of one group over [m0, m1] for one type. */
static int s_answer_fig(s_ctx_t *c, int method, const an_scope_t *sc, const char *type, const char *label, uint32_t m0,
                        uint32_t m1, Entretiens__V1__AnswerFigures **out)
{
    Entretiens__V1__AnswerFigures *f = s_alloc(&c->ar, sizeof *f);
    if (!f)
        return ENOMEM;
    entretiens__v1__answer_figures__init(f);
    f->group = s_strdup(&c->ar, label);
    int64_t row[AN_A_N];
    RC(s_sum_months(c, c->a->answers, sc, type, m0, m1, row, AN_A_N, NULL, NULL));
    f->respondents = (uint64_t) row[AN_A_RESPONDENTS];
    *out = f;
    if (row[AN_A_RESPONDENTS] < (int64_t) c->a->min_group) {
        /* so that answers cannot be traced back to a person */
        f->suppressed = true;
        return 0;
    }
    f->objectives = (uint64_t) row[AN_A_OBJECTIVES];
    f->objectives_reviewed = (uint64_t) row[AN_A_REVIEWED];
    f->mean_attainment = s_rate(row[AN_A_ATTAINMENT_SUM], row[AN_A_REVIEWED]);
    f->objectives_attained = (uint64_t) row[AN_A_ATTAINED];
    f->wish_to_leave = (uint64_t) row[AN_A_WISH_TO_LEAVE];
    s_ans_t st = { .method = method, .f = f };
    MDB_dbi dbi;
    size_t n;
    switch (method) {
    case M_TRAINING: dbi = c->a->training; n = 1; break;
    case M_MOBILITY: dbi = c->a->mobility; n = 1; break;
    case M_COMPETENCIES: dbi = c->a->competencies; n = AN_K_N; break;
    case M_RATINGS: dbi = c->a->ratings; n = AN_T_N; break;
    default: return 0;
    }
    RC(s_scan_items(c, dbi, sc, type, m0, m1, n, s_item, &st));
    switch (method) {
    case M_TRAINING:
        f->training = (Entretiens__V1__TrainingFigure **) st.items.items;
        f->n_training = st.items.n;
        break;
    case M_MOBILITY:
        f->mobility = (Entretiens__V1__MobilityFigure **) st.items.items;
        f->n_mobility = st.items.n;
        break;
    case M_COMPETENCIES:
        f->competencies = (Entretiens__V1__CompetencyFigure **) st.items.items;
        f->n_competencies = st.items.n;
        break;
    default:
        f->ratings = (Entretiens__V1__RatingFigure **) st.items.items;
        f->n_ratings = st.items.n;
        break;
    }
    return 0;
}

typedef struct {
    int method;
    s_vec_t groups;
    const an_scope_t *sc;
} s_ansg_t;

static int s_ans_group(s_ctx_t *c, const an_scope_t *sc, const char *label, void *arg)
{
    s_ansg_t *g = arg;
    Entretiens__V1__AnswerFigures *f;
    RC(s_answer_fig(c, g->method, sc, c->type, label, c->m0, c->m1, &f));
    s_push(&c->ar, &g->groups, f);
    return 0;
}

static int s_ans_type(s_ctx_t *c, const an_scope_t *sc, const char *type, void *arg)
{
    s_ansg_t *g = arg;
    Entretiens__V1__AnswerFigures *f;
    RC(s_answer_fig(c, g->method, sc, type, type, c->m0, c->m1, &f));
    s_push(&c->ar, &g->groups, f);
    return 0;
}

static int s_ans_month(s_ctx_t *c, uint32_t month, const int64_t *row, void *arg)
{
    (void) row;
    s_ansg_t *g = arg;
    char label[8];
    Entretiens__V1__AnswerFigures *f;
    RC(s_answer_fig(c, g->method, g->sc, c->type, an_month_str(month, label), month, month, &f));
    s_push(&c->ar, &g->groups, f);
    return 0;
}

static int s_answers(s_ctx_t *c, int method, ProtobufCMessage **out)
{
    Entretiens__V1__AnswersReply *r = s_alloc(&c->ar, sizeof *r);
    if (!r)
        return ENOMEM;
    entretiens__v1__answers_reply__init(r);
    RC(s_answer_fig(c, method, &c->scope, c->type, "", c->m0, c->m1, &r->total));
    s_ansg_t g = { .method = method, .sc = &c->scope };
    if (c->by == BY_ENTITY || c->by == BY_DEPARTMENT || c->by == BY_SITE) {
        RC(s_each_group(c, c->a->answers, s_ans_group, &g));
    } else if (c->by == BY_TYPE) {
        RC(s_each_type(c, c->a->answers, &c->scope, s_ans_type, &g));
    } else if (c->by == BY_MONTH) {
        int64_t row[AN_A_N];
        RC(s_sum_months(c, c->a->answers, &c->scope, c->type, c->m0, c->m1, row, AN_A_N, s_ans_month, &g));
    }
    r->groups = (Entretiens__V1__AnswerFigures **) g.groups.items;
    r->n_groups = g.groups.n;
    r->min_group = c->a->min_group;
    r->group_by = s_strdup(&c->ar, c->q->group_by);
    *out = &r->base;
    return 0;
}

/* -------------------------------------------------------------- signals */

static const char *const s_kinds[] = { "low_engagement", "wish_to_leave", "repeated_overdue", "no_interview" };

static int s_signal(s_ctx_t *c, s_vec_t *v, const char *kind, int32_t since, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int s_signal(s_ctx_t *c, s_vec_t *v, const char *kind, int32_t since, const char *fmt, ...)
{
    Entretiens__V1__SignalFigure *s = s_alloc(&c->ar, sizeof *s);
    if (!s)
        return ENOMEM;
    entretiens__v1__signal_figure__init(s);
    s->kind = (char *) kind;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s->reason = s_strdup(&c->ar, buf);
    s->since = s_date_msg(&c->ar, since);
    s_push(&c->ar, v, s);
    return 0;
}

/* The reasons of an employee's signals, in plain words. */
static int s_flagged(s_ctx_t *c, const char *employee, int32_t cutoff, s_vec_t *out)
{
    an_emp_t e;
    RC(an_emp_get(c->txn, c->a->employees, employee, &e));
    Entretiens__V1__SignalEmployee *x = s_alloc(&c->ar, sizeof *x);
    if (!x)
        return ENOMEM;
    entretiens__v1__signal_employee__init(x);
    x->employee_id = s_strdup(&c->ar, employee);
    x->entity = s_strdup(&c->ar, e.attrs.entity);
    x->department = s_strdup(&c->ar, e.attrs.department);
    x->site = s_strdup(&c->ar, e.attrs.site);
    x->manager_id = s_strdup(&c->ar, e.attrs.manager);
    s_vec_t sig = { 0 };
    char d1[ENT_DATE_STRLEN], d2[ENT_DATE_STRLEN];
    an_key_t pk;
    an_key_emp(&pk, employee, NULL);
    MDB_cursor *cur;
    MDB_val k, v;
    int rc;
    if (e.flags & (AN_FLAG_LOW_ENGAGEMENT | AN_FLAG_WISH_TO_LEAVE)) {
        /* the latest closed interview, as the projection chose it */
        an_ivsum_t best, s;
        bool have = false;
        RC(mdb_cursor_open(c->txn, c->a->emp_iv, &cur));
        k = an_key_val(&pk);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        while (rc == 0 && s_has_prefix(&k, &pk)) {
            if (an_ivsum_decode(&v, &s) && s.content_on != ENT_DATE_NONE &&
                (!have || s.content_on >= best.content_on)) {
                best = s;
                have = true;
            }
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND && rc)
            return rc;
        if (have && best.low_engagement && (e.flags & AN_FLAG_LOW_ENGAGEMENT))
            RC(s_signal(c, &sig, "low_engagement", best.content_on,
                        "engagement rated %d on a %d-%d scale (question %s) in the %s interview of %s",
                        best.eng_value, best.eng_min, best.eng_max, best.eng_question, best.type,
                        ent_date_format(best.content_on, d1)));
        if (have && best.wish_to_leave && (e.flags & AN_FLAG_WISH_TO_LEAVE))
            RC(s_signal(c, &sig, "wish_to_leave", best.content_on,
                        "wishes to leave (%s, horizon %s), said in the %s interview of %s", best.leave_kind,
                        best.leave_horizon[0] ? best.leave_horizon : "not given", best.type,
                        ent_date_format(best.content_on, d1)));
    }
    if (e.flags & AN_FLAG_REPEATED_OVERDUE) {
        char list[256] = "";
        size_t used = 0, shown = 0;
        int32_t first = ENT_DATE_NONE;
        RC(mdb_cursor_open(c->txn, c->a->obligations, &cur));
        k = an_key_val(&pk);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        while (rc == 0 && s_has_prefix(&k, &pk)) {
            an_obl_t o;
            if (an_obl_decode(&k, &v, &o) && o.ever_overdue) {
                if (first == ENT_DATE_NONE || o.due < first)
                    first = o.due;
                if (shown < 3 && used < sizeof list)
                    used += (size_t) snprintf(list + used, sizeof list - used, "%s%s due %s", shown ? ", " : "",
                                              o.type, ent_date_format(o.due, d1));
                shown++;
            }
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND && rc)
            return rc;
        RC(s_signal(c, &sig, "repeated_overdue", first, "%u interviews went overdue: %s%s", e.overdue_ever, list,
                    shown > 3 ? ", ..." : ""));
    }
    int32_t contact = an_emp_last_contact(&e);
    if (contact != ENT_DATE_NONE && contact < cutoff) {
        int months = 0;
        while (ent_date_add_months(contact, months + 1) <= c->today && months < 1200)
            months++;
        bool hire = contact == e.hired_on && e.last_held != contact && e.last_met != contact;
        RC(s_signal(c, &sig, "no_interview", contact,
                    hire ? "no interview since the hire on %s (%d months)" : "no interview since %s (%d months)",
                    ent_date_format(contact, d2), months));
    }
    x->signals = (Entretiens__V1__SignalFigure **) sig.items;
    x->n_signals = sig.n;
    s_push(&c->ar, out, x);
    return 0;
}

static int s_signals(s_ctx_t *c, ProtobufCMessage **out)
{
    const Entretiens__V1__StatsQuery *q = c->q;
    if (!s_is_hr(c))
        return s_refuse(c, ENT_PERMISSION_DENIED, "caller", "disengagement signals are for HR and admin only");
    const char *kind = q->status ? q->status : "";
    int want = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(kind, s_kinds[i]) == 0)
            want = i;
    if (*kind && want < 0)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "status",
                        "status '%s' is not low_engagement, wish_to_leave, repeated_overdue or no_interview", kind);
    if (q->stale_months > 1200)
        return s_refuse(c, ENT_INVALID_ARGUMENT, "stale_months", "stale_months is at most 1200");
    uint32_t stale = q->stale_months ? q->stale_months : c->a->stale_months;
    int32_t cutoff = ent_date_add_months(c->today, -(int) stale);
    Entretiens__V1__SignalsReply *r = s_alloc(&c->ar, sizeof *r);
    if (!r)
        return ENOMEM;
    entretiens__v1__signals_reply__init(r);
    r->stale_months = stale;
    r->today = s_date_msg(&c->ar, c->today);
    an_key_t p;
    an_key_init(&p);
    an_key_scope(&p, &c->scope);
    int64_t head = 0, sig[AN_S_N];
    RC(an_counter_get(c->txn, c->a->headcount, &p, &head, 1));
    RC(an_counter_get(c->txn, c->a->signals, &p, sig, AN_S_N));
    r->employees = (uint64_t) head;
    r->low_engagement = (uint64_t) sig[AN_S_LOW_ENGAGEMENT];
    r->wish_to_leave = (uint64_t) sig[AN_S_WISH_TO_LEAVE];
    r->repeated_overdue = (uint64_t) sig[AN_S_REPEATED_OVERDUE];
    MDB_cursor *cur;
    MDB_val k, v;
    int rc;
    /* no interview since the cutoff: the days of the histogram before it */
    RC(mdb_cursor_open(c->txn, c->a->contact_hist, &cur));
    k = an_key_val(&p);
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size == p.n + 4) {
        if (ent_key_day_get((const uint8_t *) k.mv_data + p.n) >= cutoff)
            break;
        int64_t n = 0;
        an_counter_accumulate(&v, &n, 1);
        r->no_interview += (uint64_t) n;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND && rc)
        return rc;

    /* the list: flagged by their answers or deadlines (employee order),
     * then those not seen for too long (oldest first) */
    s_vec_t list = { 0 };
    static const uint8_t s_bits[3] = { AN_FLAG_LOW_ENGAGEMENT, AN_FLAG_WISH_TO_LEAVE, AN_FLAG_REPEATED_OVERDUE };
    if (want != 3) {
        RC(mdb_cursor_open(c->txn, c->a->signal_idx, &cur));
        k = an_key_val(&p);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        while (rc == 0 && s_has_prefix(&k, &p)) {
            uint8_t flags = v.mv_size ? *(const uint8_t *) v.mv_data : 0;
            if (want < 0 || (flags & s_bits[want])) {
                if (list.n >= c->limit) {
                    r->truncated = true;
                    break;
                }
                char emp[AN_EMP_MAX + 1];
                size_t el = strnlen((const char *) k.mv_data + p.n, k.mv_size - p.n);
                an_copy(emp, el < sizeof emp ? el + 1 : sizeof emp, (const char *) k.mv_data + p.n);
                if ((rc = s_flagged(c, emp, cutoff, &list)))
                    break;
            }
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND && rc)
            return rc;
    }
    if ((want < 0 || want == 3) && !r->truncated) {
        RC(mdb_cursor_open(c->txn, c->a->contact_idx, &cur));
        k = an_key_val(&p);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size > p.n + 4) {
            if (ent_key_day_get((const uint8_t *) k.mv_data + p.n) >= cutoff)
                break;
            char emp[AN_EMP_MAX + 1];
            const char *ep = (const char *) k.mv_data + p.n + 4;
            size_t el = strnlen(ep, k.mv_size - p.n - 4);
            an_copy(emp, el < sizeof emp ? el + 1 : sizeof emp, ep);
            bool listed = false;
            if (want < 0) {
                /* already listed above when flagged otherwise */
                an_key_t sk = p;
                an_key_str(&sk, emp);
                MDB_val skv = an_key_val(&sk), sv;
                int g = mdb_get(c->txn, c->a->signal_idx, &skv, &sv);
                if (g && g != MDB_NOTFOUND) {
                    rc = g;
                    break;
                }
                listed = g == 0;
            }
            if (!listed) {
                if (list.n >= c->limit) {
                    r->truncated = true;
                    break;
                }
                if ((rc = s_flagged(c, emp, cutoff, &list)))
                    break;
            }
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND && rc)
            return rc;
    }
    r->flagged = (Entretiens__V1__SignalEmployee **) list.items;
    r->n_flagged = list.n;
    *out = &r->base;
    return 0;
}

/* ------------------------------------------------------------- managers */

static int s_mgr_fig(s_ctx_t *c, const an_scope_t *sc, const char *manager, Entretiens__V1__ManagerFigures **out)
{
    an_key_t k;
    an_key_init(&k);
    an_key_scope(&k, sc);
    an_key_str(&k, manager);
    int64_t row[AN_M_N];
    RC(an_counter_get(c->txn, c->a->mgr, &k, row, AN_M_N));
    Entretiens__V1__ManagerFigures *f = s_alloc(&c->ar, sizeof *f);
    if (!f)
        return ENOMEM;
    entretiens__v1__manager_figures__init(f);
    f->manager_id = s_strdup(&c->ar, manager);
    f->overdue = (uint64_t) row[AN_M_OVERDUE];
    f->upcoming = (uint64_t) row[AN_M_UPCOMING];
    f->awaiting_signature = (uint64_t) row[AN_M_AWAITING];
    f->awaiting_employee_signature = (uint64_t) row[AN_M_AWAITING_EMPLOYEE];
    *out = f;
    return 0;
}

static int s_managers(s_ctx_t *c, ProtobufCMessage **out)
{
    Entretiens__V1__ManagersReply *r = s_alloc(&c->ar, sizeof *r);
    if (!r)
        return ENOMEM;
    entretiens__v1__managers_reply__init(r);
    s_vec_t rows = { 0 }, items = { 0 };
    MDB_cursor *cur;
    MDB_val k, v;
    int rc;
    if (c->scope.kind == AN_SK_MANAGER) {
        const char *m = c->q->manager_id;
        if (!s_is_hr(c) && !(c->role == ROLE_MANAGER && strcmp(c->caller_id, m) == 0))
            return s_refuse(c, ENT_PERMISSION_DENIED, "caller",
                            "a manager's follow-up is for HR, admin and that manager");
        an_scope_t all;
        s_set_scope(&all, AN_SK_ALL, "", NULL);
        Entretiens__V1__ManagerFigures *f;
        RC(s_mgr_fig(c, &all, m, &f));
        s_push(&c->ar, &rows, f);
        r->total = f;
        static const struct { uint8_t kind; const char *name; } s_item_kinds[] = {
            { AN_ITEM_OVERDUE, "overdue" },
            { AN_ITEM_AWAITING, "awaiting_signature" },
            { AN_ITEM_AWAITING_EMPLOYEE, "awaiting_employee_signature" },
            { AN_ITEM_UPCOMING, "upcoming" },
        };
        for (size_t i = 0; i < 4 && !r->truncated; i++) {
            an_key_t p;
            an_key_init(&p);
            an_key_str(&p, m);
            an_key_u8(&p, s_item_kinds[i].kind);
            RC(mdb_cursor_open(c->txn, c->a->mgr_items, &cur));
            k = an_key_val(&p);
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
            while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size > p.n + 4) {
                if (items.n >= c->limit) {
                    r->truncated = true;
                    break;
                }
                Entretiens__V1__ManagerItem *it = s_alloc(&c->ar, sizeof *it);
                if (!it) {
                    rc = ENOMEM;
                    break;
                }
                entretiens__v1__manager_item__init(it);
                it->kind = (char *) s_item_kinds[i].name;
                const uint8_t *kb = k.mv_data;
                it->date = s_date_msg(&c->ar, ent_key_day_get(kb + p.n));
                it->id = s_strndup(&c->ar, (const char *) kb + p.n + 4,
                                   strnlen((const char *) kb + p.n + 4, k.mv_size - p.n - 4));
                const char *parts[2];
                size_t np = s_item_parts(v.mv_data, v.mv_size, parts, 2);
                it->employee_id = s_strdup(&c->ar, np > 0 ? parts[0] : "");
                it->type = s_strdup(&c->ar, np > 1 ? parts[1] : "");
                s_push(&c->ar, &items, it);
                rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            }
            mdb_cursor_close(cur);
            if (rc != MDB_NOTFOUND && rc)
                return rc;
        }
    } else {
        RC(s_mgr_fig(c, &c->scope, "", &r->total));
        an_key_t p;
        an_key_init(&p);
        an_key_scope(&p, &c->scope);
        RC(mdb_cursor_open(c->txn, c->a->mgr_rank, &cur));
        k = an_key_val(&p);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        while (rc == 0 && s_has_prefix(&k, &p) && k.mv_size > p.n + 8) {
            if (rows.n >= c->limit) {
                r->truncated = true;
                break;
            }
            char m[AN_EMP_MAX + 1];
            const char *mp = (const char *) k.mv_data + p.n + 8;
            size_t ml = strnlen(mp, k.mv_size - p.n - 8);
            an_copy(m, ml < sizeof m ? ml + 1 : sizeof m, mp);
            Entretiens__V1__ManagerFigures *f;
            if ((rc = s_mgr_fig(c, &c->scope, m, &f)))
                break;
            s_push(&c->ar, &rows, f);
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND && rc)
            return rc;
    }
    r->managers = (Entretiens__V1__ManagerFigures **) rows.items;
    r->n_managers = rows.n;
    r->items = (Entretiens__V1__ManagerItem **) items.items;
    r->n_items = items.n;
    *out = &r->base;
    return 0;
}

/* ------------------------------------------------------------------ rpc */

int an_rpc(ent_rpc_call_t *call, void *arg)
{
    analytics_t *a = arg;
    const char *name = call->req->method ? call->req->method : "";
    int method = -1;
    for (int i = 0; an_methods[i]; i++)
        if (strcmp(name, an_methods[i]) == 0)
            method = i;
    if (method < 0)
        return ent_rpc_fail(call, ENT_UNIMPLEMENTED, "method", "unknown method '%s'", name);
    Entretiens__V1__StatsQuery *q = ent_rpc_unpack(call, &entretiens__v1__stats_query__descriptor);
    if (!q)
        return 0; /* answered INVALID_ARGUMENT */
    /* the process' date: the figures are sums over a scope by due day, kept
     * without the people's regions, so an overseas deadline turns overdue
     * here on Paris' midnight (docs/analytics.md) */
    s_ctx_t c = { .a = a, .txn = call->txn, .q = q, .today = ent_clock_today() };
    ProtobufCMessage *reply = NULL;
    int rc = s_caller(&c, call->caller);
    if (!rc && s_resolve(&c, method) == 0 && s_authorise(&c, method) == 0) {
        switch (method) {
        case M_COMPLETION: rc = s_completion(&c, &reply); break;
        case M_COMPLIANCE: rc = s_compliance(&c, &reply); break;
        case M_SIGNALS: rc = s_signals(&c, &reply); break;
        case M_MANAGERS: rc = s_managers(&c, &reply); break;
        default: rc = s_answers(&c, method, &reply); break;
        }
    }
    if (rc == -1)
        rc = 0; /* refused: c.code says why */
    if (!rc && c.ar.failed)
        rc = ENOMEM;
    if (rc) {
        ent_log_error("analytics.query", "%s failed: %s", name, mdb_strerror(rc));
    } else if (c.code != ENT_OK) {
        ent_log_info("analytics.refused", "%s for '%s': %s (%s)", name, call->caller ? call->caller : "",
                     c.message, c.field ? c.field : "");
        rc = ent_rpc_fail(call, c.code, c.field, "%s", c.message);
    } else {
        rc = ent_rpc_ok(call, reply);
    }
    s_arena_free(&c.ar);
    ent_grants_scope_free(&c.hr);
    entretiens__v1__stats_query__free_unpacked(q, NULL);
    return rc;
}
