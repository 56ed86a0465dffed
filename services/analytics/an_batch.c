/*  an_batch.c — merged counter deltas (an_batch.h). */
#include "an_batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS 32          /* the widest row */
#define MAX_ENTRIES 8192   /* applied early beyond this (a very large event) */

typedef struct {
    MDB_dbi dbi;
    uint16_t klen;
    uint8_t n;
    int64_t d[FIELDS];
    uint8_t key[AN_KEY_MAX];
} s_entry_t;

struct an_batch {
    s_entry_t *v;
    size_t n, cap;
    uint32_t *slots;       /* open addressing: index + 1, 0 = empty */
    size_t nslots;         /* power of two, >= 2 * cap */
    size_t *order;         /* apply order */
    MDB_dbi hook_dbi;
    an_batch_hook_fn hook;
    void *hook_arg;
};

static uint64_t s_hash(MDB_dbi dbi, const uint8_t *k, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ dbi;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 1099511628211ull;
    return h;
}

an_batch_t *an_batch_new(void)
{
    return calloc(1, sizeof(an_batch_t));
}

void an_batch_destroy(an_batch_t **b_p)
{
    if (!b_p || !*b_p)
        return;
    an_batch_t *b = *b_p;
    free(b->v);
    free(b->slots);
    free(b->order);
    free(b);
    *b_p = NULL;
}

void an_batch_hook(an_batch_t *b, MDB_dbi dbi, an_batch_hook_fn fn, void *arg)
{
    b->hook_dbi = dbi;
    b->hook = fn;
    b->hook_arg = arg;
}

void an_batch_clear(an_batch_t *b)
{
    if (b->n)
        memset(b->slots, 0, b->nslots * sizeof *b->slots);
    b->n = 0;
}

size_t an_batch_size(const an_batch_t *b)
{
    return b->n;
}

static void s_index(an_batch_t *b, size_t i)
{
    const s_entry_t *e = &b->v[i];
    size_t mask = b->nslots - 1, s = (size_t) s_hash(e->dbi, e->key, e->klen) & mask;
    while (b->slots[s])
        s = (s + 1) & mask;
    b->slots[s] = (uint32_t) i + 1;
}

static int s_grow(an_batch_t *b)
{
    size_t cap = b->cap ? b->cap * 2 : 256;
    s_entry_t *v = realloc(b->v, cap * sizeof *v);
    if (!v)
        return ENOMEM;
    b->v = v;
    size_t *order = realloc(b->order, cap * sizeof *order);
    if (!order)
        return ENOMEM;
    b->order = order;
    uint32_t *slots = calloc(cap * 2, sizeof *slots);
    if (!slots)
        return ENOMEM;
    free(b->slots);
    b->slots = slots;
    b->nslots = cap * 2;
    b->cap = cap;
    for (size_t i = 0; i < b->n; i++)
        s_index(b, i);
    return 0;
}

int an_batch_add(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n,
                 int sign)
{
    if (key->overflow || n > FIELDS || n == 0)
        return 0;
    if (b->nslots) {
        size_t mask = b->nslots - 1, s = (size_t) s_hash(dbi, key->b, key->n) & mask;
        for (; b->slots[s]; s = (s + 1) & mask) {
            s_entry_t *e = &b->v[b->slots[s] - 1];
            if (e->dbi == dbi && e->klen == key->n && memcmp(e->key, key->b, key->n) == 0) {
                for (size_t i = 0; i < n; i++)
                    e->d[i] += sign < 0 ? -delta[i] : delta[i];
                if (n > e->n)
                    e->n = (uint8_t) n;
                return 0;
            }
        }
    }
    if (b->n >= MAX_ENTRIES) {
        int rc = an_batch_apply(b, txn);
        if (rc)
            return rc;
    }
    if (b->n == b->cap) {
        int rc = s_grow(b);
        if (rc)
            return rc;
    }
    s_entry_t *e = &b->v[b->n];
    e->dbi = dbi;
    e->klen = (uint16_t) key->n;
    e->n = (uint8_t) n;
    memset(e->d, 0, sizeof e->d);
    for (size_t i = 0; i < n; i++)
        e->d[i] = sign < 0 ? -delta[i] : delta[i];
    memcpy(e->key, key->b, key->n);
    s_index(b, b->n++);
    return 0;
}

static const an_batch_t *s_sorting;

/* Database, then LMDB's default key order (bytes, then the shorter first). */
static int s_cmp(const void *x, const void *y)
{
    const s_entry_t *a = &s_sorting->v[*(const size_t *) x], *b = &s_sorting->v[*(const size_t *) y];
    if (a->dbi != b->dbi)
        return a->dbi < b->dbi ? -1 : 1;
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->key, b->key, n);
    if (c)
        return c;
    return a->klen < b->klen ? -1 : a->klen > b->klen;
}

int an_batch_apply(an_batch_t *b, MDB_txn *txn)
{
    if (!b->n)
        return 0;
    for (size_t i = 0; i < b->n; i++)
        b->order[i] = i;
    s_sorting = b;
    qsort(b->order, b->n, sizeof *b->order, s_cmp);
    s_sorting = NULL;
    MDB_cursor *cur = NULL;
    MDB_dbi cur_dbi = 0;
    int rc = 0;
    for (size_t oi = 0; oi < b->n && !rc; oi++) {
        const s_entry_t *e = &b->v[b->order[oi]];
        bool any = false;
        for (size_t i = 0; i < e->n && !any; i++)
            any = e->d[i] != 0;
        if (!any)
            continue; /* retracted and added back: nothing to write */
        if (!cur || cur_dbi != e->dbi) {
            if (cur)
                mdb_cursor_close(cur);
            cur = NULL;
            if ((rc = mdb_cursor_open(txn, e->dbi, &cur)) != 0)
                break;
            cur_dbi = e->dbi;
        }
        int64_t old[FIELDS] = { 0 }, neu[FIELDS];
        MDB_val k = { e->klen, (void *) e->key }, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY);
        bool found = rc == 0;
        if (rc && rc != MDB_NOTFOUND)
            break;
        rc = 0;
        size_t have = found ? v.mv_size / sizeof(int64_t) : 0;
        if (have > e->n)
            have = e->n; /* a wider stored row: not written by this version */
        if (found)
            memcpy(old, v.mv_data, have * sizeof(int64_t));
        bool zero = true;
        for (size_t i = 0; i < e->n; i++) {
            neu[i] = old[i] + e->d[i];
            zero = zero && neu[i] == 0;
        }
        MDB_val nv = { e->n * sizeof(int64_t), neu };
        k.mv_size = e->klen;
        k.mv_data = (void *) e->key;
        if (found && zero)
            rc = mdb_cursor_del(cur, 0);
        else if (found && v.mv_size == nv.mv_size)
            rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT);
        else if (!zero)
            rc = mdb_cursor_put(cur, &k, &nv, 0);
        if (!rc && b->hook && e->dbi == b->hook_dbi)
            rc = b->hook(txn, e->key, e->klen, old, neu, e->n, b->hook_arg);
    }
    if (cur)
        mdb_cursor_close(cur);
    an_batch_clear(b);
    return rc;
}
