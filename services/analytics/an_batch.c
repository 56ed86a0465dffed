/*  an_batch.c — merged counter deltas (an_batch.h).
 *
 *  Layout: a turn merges tens of thousands of rows, so an entry is small
 *  (32 bytes: hash, offsets, sizes) and its key and deltas live in two
 *  growing arenas.  The open-addressing table holds, per slot, the entry's
 *  index and 32 bits of its hash: a probe compares those in the table and
 *  reads an entry (another cache line) only when they match, and the key
 *  bytes only when the whole hash does.  Index rows (an_batch_set) are not
 *  in the table: each operation is appended, and the sort, stable, leaves
 *  a row's operations in their order, the last one written.
 *
 *  Applying sorts the rows into the store's order.  A sort key carries the
 *  database and the key's first 32 bytes as four big-endian words, so most
 *  comparisons are integer compares; only rows whose first 32 bytes agree
 *  compare the rest of their key bytes (a library qsort calling memcmp
 *  through a function pointer was 13 % of the apply; with 16 bytes, keys
 *  sharing a long scope prefix still fell back to memcmp — and to two
 *  random reads, the entry and its key — in a fifth of the apply).
 */
#include "an_batch.h"

#include "common/msort.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS 32                  /* the widest row */
/* Applied early beyond this many rows.  A turn of a rebuild (the replay
 * pages of both producers, analytics.h) makes about 530,000 rows at a
 * million employees: below this cap it is merged whole, each row written
 * once; above, rows shared by the two halves are written twice (with the
 * cap at 262,144 that early application was a sixth of the apply).  About
 * 250 bytes a row at most (entry, slots, key, deltas, sort keys): some
 * 250 MiB while such a turn is merged, kept for the next turn. */
#define MAX_ENTRIES (1u << 20)
#define SHRINK_ABOVE (1u << 16)    /* rows of capacity kept whatever a turn uses */

enum { S_COUNTER, S_PUT, S_DEL };

typedef struct {
    uint64_t hash;
    uint32_t key_off;   /* into keys */
    uint32_t d_off;     /* S_COUNTER: into deltas, in int64 units; S_PUT: the value, into keys */
    MDB_dbi dbi;
    uint16_t klen;
    uint8_t n;          /* S_COUNTER: fields */
    uint8_t kind;
    uint16_t vlen;      /* S_PUT */
} s_entry_t;

/* The store's order of a row: database, then the key's bytes (an_batch_apply). */
#define SORT_WORDS 4       /* key bytes in a sort key: 8 per word */

typedef struct {
    uint64_t w[SORT_WORDS];   /* key bytes 0-31, big-endian words, zero-padded */
    uint32_t dbi;
    uint32_t i;               /* the entry */
} s_sortkey_t;

struct an_batch {
    s_entry_t *v;
    size_t n, cap;
    uint64_t *slots;       /* open addressing: hash >> 32 << 32 | index + 1; 0 = empty */
    size_t nslots;         /* power of two, >= 2 * cap */
    uint8_t *keys;
    size_t keys_len, keys_cap;
    int64_t *deltas;
    size_t d_len, d_cap;
    s_sortkey_t *order, *tmp;  /* an_batch_apply's sort, kept for the next turn */
    size_t order_cap;
    unsigned small_applies;    /* applications in a row that used under a sixteenth of cap */
    MDB_dbi hook_dbi;
    an_batch_hook_fn hook;
    void *hook_arg;
    struct s_worker *w;        /* merging on a worker thread (an_batch_thread), or NULL */
    size_t max_entries;        /* MAX_ENTRIES (tests lower it: an_batch_limit) */
};

static int s_apply_now(an_batch_t *b, MDB_txn *txn);
static void s_clear_table(an_batch_t *b);
static int s_log_keys(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const uint8_t *const *kp, const size_t *kl,
                      size_t nkeys, const int64_t *delta, size_t n, int sign);
static void s_worker_stop(an_batch_t *b);
static int s_drain(an_batch_t *b, MDB_txn *txn);

/* 8 bytes at a time, each mixed by a multiply (keys are 20 to 80 bytes:
 * a byte-wise hash was a fifth of the cost of applying an event). */
static uint64_t s_hash(MDB_dbi dbi, const uint8_t *k, size_t n)
{
    const uint64_t m = 0x9e3779b97f4a7c15ull;
    uint64_t h = (0x243f6a8885a308d3ull ^ dbi ^ ((uint64_t) n << 32)) * m;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = (h ^ w) * m;
        h ^= h >> 31;
    }
    uint64_t w = 0;
    memcpy(&w, k + i, n - i);
    h = (h ^ w) * m;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

an_batch_t *an_batch_new(void)
{
    an_batch_t *b = calloc(1, sizeof(an_batch_t));
    if (b)
        b->max_entries = MAX_ENTRIES;
    return b;
}

void an_batch_limit(an_batch_t *b, size_t rows)
{
    b->max_entries = rows && rows < MAX_ENTRIES ? rows : MAX_ENTRIES;
}

/* Frees the arrays of an empty batch (they grow again as needed). */
static void s_release(an_batch_t *b)
{
    free(b->v);
    free(b->slots);
    free(b->keys);
    free(b->deltas);
    free(b->order);
    free(b->tmp);
    b->v = NULL;
    b->slots = NULL;
    b->keys = NULL;
    b->deltas = NULL;
    b->order = b->tmp = NULL;
    b->n = b->cap = b->nslots = b->keys_len = b->keys_cap = b->d_len = b->d_cap = b->order_cap = 0;
    b->small_applies = 0;
}

void an_batch_destroy(an_batch_t **b_p)
{
    if (!b_p || !*b_p)
        return;
    an_batch_t *b = *b_p;
    s_worker_stop(b);
    s_release(b);
    free(b);
    *b_p = NULL;
}

void an_batch_hook(an_batch_t *b, MDB_dbi dbi, an_batch_hook_fn fn, void *arg)
{
    b->hook_dbi = dbi;
    b->hook = fn;
    b->hook_arg = arg;
}

/* Empties the table (the worker idle or absent). */
static void s_clear_table(an_batch_t *b)
{
    if (b->n)
        memset(b->slots, 0, b->nslots * sizeof *b->slots);
    b->n = 0;
    b->keys_len = 0;
    b->d_len = 0;
}

size_t an_batch_size(const an_batch_t *b)
{
    return b->n;
}

size_t an_batch_bytes(const an_batch_t *b)
{
    return b->cap * sizeof *b->v + b->nslots * sizeof *b->slots + b->keys_cap + b->d_cap * sizeof *b->deltas +
           2 * b->order_cap * sizeof *b->order;
}

static uint64_t s_slot(uint64_t hash, size_t i)
{
    return (hash >> 32 << 32) | (uint64_t) (i + 1);
}

static void s_index(an_batch_t *b, size_t i)
{
    size_t mask = b->nslots - 1, s = (size_t) b->v[i].hash & mask;
    while (b->slots[s])
        s = (s + 1) & mask;
    b->slots[s] = s_slot(b->v[i].hash, i);
}

static int s_grow(an_batch_t *b)
{
    size_t cap = b->cap ? b->cap * 2 : 1024;
    s_entry_t *v = realloc(b->v, cap * sizeof *v);
    if (!v)
        return ENOMEM;
    b->v = v;
    uint64_t *slots = calloc(cap * 2, sizeof *slots);
    if (!slots)
        return ENOMEM;
    free(b->slots);
    b->slots = slots;
    b->nslots = cap * 2;
    b->cap = cap;
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].kind == S_COUNTER)
            s_index(b, i);
    return 0;
}

/* Room for more bytes in an arena of elements of size esz.  Returns 0 or ENOMEM. */
static int s_reserve(void **arena, size_t *cap, size_t len, size_t more, size_t esz)
{
    if (len + more <= *cap)
        return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < len + more)
        c *= 2;
    void *p = realloc(*arena, c * esz);
    if (!p)
        return ENOMEM;
    *arena = p;
    *cap = c;
    return 0;
}

/* The pending entry of (dbi, key) whose hash is h, or NULL. */
static s_entry_t *s_find_h(an_batch_t *b, MDB_dbi dbi, const uint8_t *kb, size_t kn, uint64_t h)
{
    if (!b->nslots)
        return NULL;
    size_t mask = b->nslots - 1, s = (size_t) h & mask;
    uint64_t tag = h >> 32 << 32;
    for (; b->slots[s]; s = (s + 1) & mask) {
        if ((b->slots[s] >> 32 << 32) != tag)
            continue;
        s_entry_t *e = &b->v[(uint32_t) b->slots[s] - 1];
        if (e->hash == h && e->dbi == dbi && e->klen == kn && memcmp(b->keys + e->key_off, kb, kn) == 0)
            return e;
    }
    return NULL;
}

/* A new entry for (dbi, key) with room for more_keys bytes after the key
 * and more_d deltas, applying the batch first when it is full; found in
 * the table when kind is S_COUNTER.  Returns 0 and *out, ENOMEM, or an
 * LMDB code from the early application. */
static int s_new_entry(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const uint8_t *kb, size_t kn, uint64_t h,
                       uint8_t kind, size_t more_keys, size_t more_d, s_entry_t **out)
{
    if (b->n >= b->max_entries) {
        /* the worker (txn NULL) never gets here: it stops before a record
         * that could fill the table, and the loop applies it */
        int rc = txn ? s_apply_now(b, txn) : EAGAIN;
        if (rc)
            return rc;
    }
    if (b->n == b->cap) {
        int rc = s_grow(b);
        if (rc)
            return rc;
    }
    if (s_reserve((void **) &b->keys, &b->keys_cap, b->keys_len, kn + more_keys, 1) ||
        s_reserve((void **) &b->deltas, &b->d_cap, b->d_len, more_d, sizeof *b->deltas))
        return ENOMEM;
    s_entry_t *e = &b->v[b->n];
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->dbi = dbi;
    e->klen = (uint16_t) kn;
    e->key_off = (uint32_t) b->keys_len;
    e->kind = kind;
    memcpy(b->keys + b->keys_len, kb, kn);
    b->keys_len += kn;
    if (kind == S_COUNTER)
        s_index(b, b->n);
    b->n++;
    *out = e;
    return 0;
}

/* an_batch_add with the key's hash known. */
static int s_add_h(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const uint8_t *kb, size_t kn, uint64_t h,
                   const int64_t *delta, size_t n, int sign)
{
    s_entry_t *e = s_find_h(b, dbi, kb, kn, h);
    if (e) {
        if (n > e->n) { /* a wider row than the first delta's: move its fields */
            if (s_reserve((void **) &b->deltas, &b->d_cap, b->d_len, n, sizeof *b->deltas))
                return ENOMEM;
            int64_t *wide = b->deltas + b->d_len;
            memcpy(wide, b->deltas + e->d_off, e->n * sizeof *wide);
            memset(wide + e->n, 0, (n - e->n) * sizeof *wide);
            e->d_off = (uint32_t) b->d_len;
            b->d_len += n;
            e->n = (uint8_t) n;
        }
        int64_t *d = b->deltas + e->d_off;
        for (size_t i = 0; i < n; i++)
            d[i] += sign < 0 ? -delta[i] : delta[i];
        return 0;
    }
    int rc = s_new_entry(b, txn, dbi, kb, kn, h, S_COUNTER, 0, n, &e);
    if (rc)
        return rc;
    e->n = (uint8_t) n;
    e->d_off = (uint32_t) b->d_len;
    int64_t *d = b->deltas + b->d_len;
    for (size_t i = 0; i < n; i++)
        d[i] = sign < 0 ? -delta[i] : delta[i];
    b->d_len += n;
    return 0;
}

/* Merges delta into the rows (dbi, kp[i]) of kl[i] bytes, i < nkeys: every
 * key's slot is asked of memory before the first is probed (the table is
 * larger than the cache, and its misses then overlap). */
static int s_merge_keys(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const uint8_t *const *kp, const size_t *kl,
                        size_t nkeys, const int64_t *delta, size_t n, int sign)
{
    uint64_t h[AN_BATCH_MANY];
    for (size_t i = 0; i < nkeys; i++) {
        h[i] = s_hash(dbi, kp[i], kl[i]);
        if (b->nslots)
            __builtin_prefetch(&b->slots[(size_t) h[i] & (b->nslots - 1)]);
    }
    for (size_t i = 0; i < nkeys; i++) {
        int rc = s_add_h(b, txn, dbi, kp[i], kl[i], h[i], delta, n, sign);
        if (rc)
            return rc;
    }
    return 0;
}

int an_batch_add(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n,
                 int sign)
{
    return an_batch_add_many(b, txn, dbi, key, 1, delta, n, sign);
}

int an_batch_add_many(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *keys, size_t nkeys,
                      const int64_t *delta, size_t n, int sign)
{
    if (n > FIELDS || n == 0)
        return 0;
    if (nkeys > AN_BATCH_MANY)
        nkeys = AN_BATCH_MANY;
    const uint8_t *kp[AN_BATCH_MANY];
    size_t kl[AN_BATCH_MANY], m = 0;
    for (size_t i = 0; i < nkeys; i++)
        if (!keys[i].overflow) {
            kp[m] = keys[i].b;
            kl[m++] = keys[i].n;
        }
    if (!m)
        return 0;
    if (b->w)
        return s_log_keys(b, txn, dbi, kp, kl, m, delta, n, sign);
    return s_merge_keys(b, txn, dbi, kp, kl, m, delta, n, sign);
}

int an_batch_set(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const void *val, size_t vlen,
                 int sign)
{
    if (key->overflow || vlen > UINT16_MAX)
        return 0;
    if (b->w) { /* the table is the worker's while it merges */
        int rc = s_drain(b, txn);
        if (rc)
            return rc;
    }
    /* appended, not looked up: most index rows of a turn are set once, and
     * the sort being stable, the operations on one key stay in the order
     * they came, of which an_batch_apply writes the last */
    s_entry_t *e;
    int rc = s_new_entry(b, txn, dbi, key->b, key->n, 0, sign < 0 ? S_DEL : S_PUT, sign < 0 ? 0 : vlen, 0, &e);
    if (rc)
        return rc;
    if (sign >= 0) {
        e->d_off = (uint32_t) b->keys_len;
        e->vlen = (uint16_t) vlen;
        if (vlen)
            memcpy(b->keys + b->keys_len, val, vlen);
        b->keys_len += vlen;
    }
    return 0;
}

/* Bytes [off, off + 8) of a key as a big-endian word, zero-padded. */
static uint64_t s_be_word(const uint8_t *k, size_t klen, size_t off)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (off + 8 <= klen) { /* the common case: one load, bytes swapped */
        uint64_t v;
        memcpy(&v, k + off, 8);
        return __builtin_bswap64(v);
    }
#endif
    uint8_t w[8] = { 0 };
    if (off < klen)
        memcpy(w, k + off, klen - off < 8 ? klen - off : 8);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | w[i];
    return v;
}

/* Database, then LMDB's default key order (bytes, then the shorter first).
 * Equal words only say that the first 32 bytes agree (a shorter key is
 * zero-padded): the key bytes beyond them, then the lengths, decide. */
static int s_cmp(const an_batch_t *b, const s_sortkey_t *x, const s_sortkey_t *y)
{
    if (x->dbi != y->dbi)
        return x->dbi < y->dbi ? -1 : 1;
    for (int i = 0; i < SORT_WORDS; i++)
        if (x->w[i] != y->w[i])
            return x->w[i] < y->w[i] ? -1 : 1;
    const s_entry_t *ex = &b->v[x->i], *ey = &b->v[y->i];
    size_t n = ex->klen < ey->klen ? ex->klen : ey->klen, from = 8 * SORT_WORDS;
    if (n > from) {
        int c = memcmp(b->keys + ex->key_off + from, b->keys + ey->key_off + from, n - from);
        if (c)
            return c;
    }
    return ex->klen < ey->klen ? -1 : ex->klen > ey->klen;
}

/* s_keys_sort / s_keys_merge (common/msort.h): stable, runs of 8 by
 * insertion first (short runs are cheaper that way). */
#define S_BEFORE(b, x, y) (s_cmp((b), (x), (y)) < 0)
ENT_MSORT_DEFINE(s_keys, s_sortkey_t, const an_batch_t *, S_BEFORE, 8)

/* A turn's rows are sorted in two halves at once above this many (a
 * rebuild's turns: hundreds of thousands of rows, seconds of sorting over
 * a million employees); below, one thread costs less than starting one. */
#define SORT_PARALLEL_MIN (1u << 16)

typedef struct {
    const an_batch_t *b;
    s_sortkey_t *a, *tmp, *out;
    size_t first, n;          /* the entries whose keys a receives */
} s_half_t;

/* Fills the sort keys of entries [first, first + n) into a. */
static void s_keys_fill(const an_batch_t *b, s_sortkey_t *a, size_t first, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const s_entry_t *e = &b->v[first + i];
        const uint8_t *k = b->keys + e->key_off;
        s_sortkey_t *o = &a[i];
        for (int w = 0; w < SORT_WORDS; w++)
            o->w[w] = s_be_word(k, e->klen, (size_t) w * 8);
        o->dbi = e->dbi;
        o->i = (uint32_t) (first + i);
    }
}

static void *s_sort_half(void *arg)
{
    s_half_t *h = arg;
    s_keys_fill(h->b, h->a, h->first, h->n);
    h->out = s_keys_sort(h->b, h->a, h->tmp, h->n);
    return NULL;
}

/* s_keys_sort, with the upper half sorted on a second thread while this one
 * sorts the lower half, then the halves merged.  The batch is only read
 * while they sort.  Without a thread (pthread_create failed) the upper
 * half is sorted here, after the lower: the same result, later. */
static s_sortkey_t *s_sort_parallel(const an_batch_t *b, s_sortkey_t *a, s_sortkey_t *tmp, size_t n)
{
    if (n < SORT_PARALLEL_MIN) {
        s_keys_fill(b, a, 0, n);
        return s_keys_sort(b, a, tmp, n);
    }
    size_t mid = n / 2;
    s_half_t hi = { .b = b, .a = a + mid, .tmp = tmp + mid, .first = mid, .n = n - mid };
    pthread_t th;
    bool threaded = pthread_create(&th, NULL, s_sort_half, &hi) == 0;
    s_half_t low = { .b = b, .a = a, .tmp = tmp, .first = 0, .n = mid };
    s_sort_half(&low);
    s_sortkey_t *lo = low.out;
    if (threaded)
        pthread_join(th, NULL);
    else
        s_sort_half(&hi);
    /* each half ended in a or in tmp (its number of passes): gather both in
     * tmp, then merge them into a */
    if (lo != tmp)
        memcpy(tmp, lo, mid * sizeof *tmp);
    if (hi.out != tmp + mid)
        memcpy(tmp + mid, hi.out, (n - mid) * sizeof *tmp);
    s_keys_merge(b, tmp, 0, mid, n, a);
    return a;
}

/* The entries' indexes in the store's order, or NULL when out of memory. */
static const s_sortkey_t *s_order(an_batch_t *b)
{
    if (b->order_cap < b->n) {
        free(b->order);
        free(b->tmp);
        b->order = malloc(b->cap * sizeof *b->order);
        b->tmp = malloc(b->cap * sizeof *b->tmp);
        b->order_cap = b->order && b->tmp ? b->cap : 0;
        if (!b->order_cap)
            return NULL;
    }
    return s_sort_parallel(b, b->order, b->tmp, b->n);
}

/* Whether two entries name the same row. */
static bool s_same_key(const an_batch_t *b, const s_entry_t *x, const s_entry_t *y)
{
    return x->dbi == y->dbi && x->klen == y->klen && memcmp(b->keys + x->key_off, b->keys + y->key_off, x->klen) == 0;
}

/* One cursor at a time, on the database of the row being written (the rows
 * are sorted by database). */
static int s_cursor(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur, MDB_dbi *cur_dbi)
{
    if (*cur && *cur_dbi == dbi)
        return 0;
    if (*cur)
        mdb_cursor_close(*cur);
    *cur = NULL;
    *cur_dbi = dbi;
    return mdb_cursor_open(txn, dbi, cur);
}

/* Applies the table (the worker idle or absent). */
static int s_apply_now(an_batch_t *b, MDB_txn *txn)
{
    if (!b->n)
        return 0;
    const s_sortkey_t *order = s_order(b);
    if (!order) {
        s_clear_table(b);
        return ENOMEM;
    }
    MDB_cursor *cur = NULL;
    MDB_dbi cur_dbi = 0;
    int rc = 0;
    for (size_t oi = 0; oi < b->n && !rc; oi++) {
        /* in key order the entries, keys and deltas are read at random:
         * ask for them ahead (the entry first, then what it points to) */
        if (oi + 16 < b->n)
            __builtin_prefetch(&b->v[order[oi + 16].i]);
        if (oi + 8 < b->n) {
            const s_entry_t *ahead = &b->v[order[oi + 8].i];
            __builtin_prefetch(b->keys + ahead->key_off);
            if (ahead->kind == S_COUNTER)
                __builtin_prefetch(b->deltas + ahead->d_off);
        }
        const s_entry_t *e = &b->v[order[oi].i];
        if (e->kind != S_COUNTER) {
            if (oi + 1 < b->n && s_same_key(b, e, &b->v[order[oi + 1].i]))
                continue; /* a later operation on this row wins */
            if ((rc = s_cursor(txn, e->dbi, &cur, &cur_dbi)) != 0)
                break;
            MDB_val k = { e->klen, b->keys + e->key_off }, v = { e->vlen, b->keys + e->d_off };
            if (e->kind == S_PUT) {
                rc = mdb_cursor_put(cur, &k, &v, 0);
            } else {
                rc = mdb_cursor_get(cur, &k, &v, MDB_SET);
                rc = rc == 0 ? mdb_cursor_del(cur, 0) : rc == MDB_NOTFOUND ? 0 : rc;
            }
            continue;
        }
        const int64_t *d = b->deltas + e->d_off;
        bool any = false;
        for (size_t i = 0; i < e->n && !any; i++)
            any = d[i] != 0;
        if (!any)
            continue; /* retracted and added back: nothing to write */
        if ((rc = s_cursor(txn, e->dbi, &cur, &cur_dbi)) != 0)
            break;
        int64_t old[FIELDS] = { 0 }, neu[FIELDS];
        uint8_t *kb = b->keys + e->key_off;
        MDB_val k = { e->klen, kb }, v;
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
            neu[i] = old[i] + d[i];
            zero = zero && neu[i] == 0;
        }
        MDB_val nv = { e->n * sizeof(int64_t), neu };
        k.mv_size = e->klen;
        k.mv_data = kb;
        if (found && zero)
            rc = mdb_cursor_del(cur, 0);
        else if (found && v.mv_size == nv.mv_size)
            rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT);
        else if (!zero)
            rc = mdb_cursor_put(cur, &k, &nv, 0);
        if (!rc && b->hook && e->dbi == b->hook_dbi)
            rc = b->hook(txn, kb, e->klen, old, neu, e->n, b->hook_arg);
    }
    if (cur)
        mdb_cursor_close(cur);
    size_t used = b->n;
    s_clear_table(b);
    /* a rebuild's turns grow the arrays to hundreds of MiB; once caught up
     * a turn merges a few rows: give the memory back.  Not after one small
     * application: in a rebuild a batch that filled up (MAX_ENTRIES) is
     * applied early and its turn's remainder can be small, and releasing
     * there made the next turn fault the arrays in and grow them again
     * (ten doublings, each rehashed) — measured, docs/analytics.md. */
    if (b->cap > SHRINK_ABOVE && used < b->cap / 16) {
        if (++b->small_applies >= AN_BATCH_SHRINK_AFTER)
            s_release(b);
    } else {
        b->small_applies = 0;
    }
    return rc;
}

/* ------------------------------------------------ merging on a worker
 *
 * The loop appends each add to a log (records in chunks) and a worker
 * thread merges the chunks into the table, in their order, while the loop
 * goes on with the next events: the merge (hashing, probing, comparing
 * keys: a fifth of a rebuild's loop) runs on the second core.  The table
 * is the worker's while it merges and the loop's otherwise: the loop
 * applies or clears it only when the worker is idle (every chunk merged)
 * or stopped on a full table.  The worker never applies: before a record
 * that could take the table past MAX_ENTRIES it stops, and the loop
 * applies the table early (as the direct path does) and lets it go on.
 * One mutex, two conditions. */

#define LOG_CHUNK (256u << 10)   /* bytes of records in a chunk */
#define LOG_QUEUED_MAX 8         /* chunks handed over and not yet merged: the loop waits beyond */

typedef struct s_chunk {
    struct s_chunk *next;
    size_t len;
    uint64_t data[LOG_CHUNK / 8];   /* records, each 8-byte aligned */
} s_chunk_t;

/* A record: this header, the n deltas, then nkeys times a 16-bit length
 * and the key's bytes; the whole padded to 8 bytes. */
typedef struct {
    MDB_dbi dbi;
    uint8_t n, nkeys;
    int8_t sign;
    uint8_t pad;
} s_rec_t;

struct s_worker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t work;          /* to the worker: a chunk, a go after full, stop */
    pthread_cond_t idle;          /* to the loop: a chunk merged, or full */
    s_chunk_t *cur;               /* the loop's chunk being filled */
    s_chunk_t *head, *tail;       /* handed over; head is the one being merged */
    size_t queued;
    s_chunk_t *spare;             /* merged chunks, for reuse */
    size_t resume;                /* where in head the worker stopped when full */
    bool busy, full, stop;
    int err;                      /* the first error of a merge (ENOMEM) */
};

/* Merges the records of c from *off; stops before a record that could fill
 * the table (returns 1, *off at it).  Returns 0, 1, or ENOMEM. */
static int s_merge_chunk(an_batch_t *b, const s_chunk_t *c, size_t *off)
{
    const uint8_t *base = (const uint8_t *) c->data;
    while (*off < c->len) {
        const uint8_t *p = base + *off;
        s_rec_t r;
        memcpy(&r, p, sizeof r);
        if (b->n + r.nkeys > b->max_entries)
            return 1;
        int64_t d[FIELDS];
        memcpy(d, p + sizeof r, r.n * sizeof *d);
        const uint8_t *k = p + sizeof r + r.n * sizeof *d;
        const uint8_t *kp[AN_BATCH_MANY];
        size_t kl[AN_BATCH_MANY];
        for (size_t i = 0; i < r.nkeys; i++) {
            uint16_t len;
            memcpy(&len, k, sizeof len);
            kp[i] = k + sizeof len;
            kl[i] = len;
            k += sizeof len + len;
        }
        *off += ((size_t) (k - p) + 7) & ~(size_t) 7;
        int rc = s_merge_keys(b, NULL, r.dbi, kp, kl, r.nkeys, d, r.n, r.sign);
        if (rc)
            return rc;
    }
    return 0;
}

static void *s_worker_main(void *arg)
{
    an_batch_t *b = arg;
    struct s_worker *w = b->w;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && (!w->head || w->full))
            pthread_cond_wait(&w->work, &w->mu);
        if (w->stop)
            break;
        s_chunk_t *c = w->head;
        size_t off = w->resume;
        w->busy = true;
        pthread_mutex_unlock(&w->mu);
        int rc = s_merge_chunk(b, c, &off);
        pthread_mutex_lock(&w->mu);
        w->busy = false;
        if (rc == 1) {
            w->full = true;
            w->resume = off;
        } else {
            if (rc && !w->err)
                w->err = rc; /* the rest of the chunk is dropped: the turn fails */
            w->head = c->next;
            if (!w->head)
                w->tail = NULL;
            w->queued--;
            w->resume = 0;
            c->next = w->spare;
            w->spare = c;
        }
        pthread_cond_signal(&w->idle);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* With the mutex held: waits until at most `queued` chunks are left to
 * merge (0: every one, the worker idle).  Each time the worker stops on a
 * full table, the loop applies it in txn — or, txn NULL, empties it (the
 * turn is being dropped) — and lets the worker go on.  Returns 0 or the
 * first error of an early application. */
static int s_wait_locked(an_batch_t *b, MDB_txn *txn, size_t queued)
{
    struct s_worker *w = b->w;
    int rc = 0;
    for (;;) {
        if (w->full) {
            pthread_mutex_unlock(&w->mu);
            int r = 0;
            if (txn)
                r = s_apply_now(b, txn);
            else
                s_clear_table(b);
            pthread_mutex_lock(&w->mu);
            if (r && !rc)
                rc = r;
            w->full = false;
            pthread_cond_signal(&w->work);
            continue;
        }
        if (queued ? w->queued <= queued : !w->queued && !w->busy)
            return rc;
        pthread_cond_wait(&w->idle, &w->mu);
    }
}

/* Hands the chunk being filled to the worker (waiting while too many are
 * queued) and takes an empty one.  Returns 0, ENOMEM, or an LMDB code of an
 * early application. */
static int s_hand_over(an_batch_t *b, MDB_txn *txn)
{
    struct s_worker *w = b->w;
    pthread_mutex_lock(&w->mu);
    int rc = s_wait_locked(b, txn, LOG_QUEUED_MAX - 1);
    if (w->cur && w->cur->len) {
        w->cur->next = NULL;
        if (w->tail)
            w->tail->next = w->cur;
        else
            w->head = w->cur;
        w->tail = w->cur;
        w->queued++;
        w->cur = NULL;
        pthread_cond_signal(&w->work);
    }
    if (!w->cur && w->spare) {
        w->cur = w->spare;
        w->spare = w->cur->next;
    }
    pthread_mutex_unlock(&w->mu);
    if (!w->cur && !(w->cur = malloc(sizeof *w->cur)))
        return rc ? rc : ENOMEM;
    w->cur->len = 0;
    return rc;
}

/* Waits until the worker merged every record appended.  Returns 0, the
 * worker's error, or an LMDB code of an early application. */
static int s_drain(an_batch_t *b, MDB_txn *txn)
{
    struct s_worker *w = b->w;
    pthread_mutex_lock(&w->mu);
    bool idle = !w->queued && !w->busy && !w->full;
    int werr = w->err;
    w->err = 0;
    pthread_mutex_unlock(&w->mu);
    if (idle) {
        /* nothing left to the worker (a live turn's few adds, a rebuild
         * turn's last chunk): the table is the loop's, merged here without
         * a wake-up of the worker and back, which costs more than the
         * merge */
        size_t off = 0;
        int rc = 0;
        if (w->cur)
            while ((rc = s_merge_chunk(b, w->cur, &off)) == 1)
                if ((rc = s_apply_now(b, txn)) != 0)
                    break;
        if (w->cur)
            w->cur->len = 0;
        return werr ? werr : rc;
    }
    int rc = w->cur && w->cur->len ? s_hand_over(b, txn) : 0;
    pthread_mutex_lock(&w->mu);
    int r = s_wait_locked(b, txn, 0);
    int err = w->err;
    w->err = 0;
    pthread_mutex_unlock(&w->mu);
    return werr ? werr : rc ? rc : r ? r : err;
}

static int s_log_keys(an_batch_t *b, MDB_txn *txn, MDB_dbi dbi, const uint8_t *const *kp, const size_t *kl,
                      size_t nkeys, const int64_t *delta, size_t n, int sign)
{
    struct s_worker *w = b->w;
    size_t need = sizeof(s_rec_t) + n * sizeof *delta;
    for (size_t i = 0; i < nkeys; i++)
        need += sizeof(uint16_t) + kl[i];
    need = (need + 7) & ~(size_t) 7;
    if (!w->cur || w->cur->len + need > LOG_CHUNK) {
        int rc = s_hand_over(b, txn);
        if (rc)
            return rc;
    }
    uint8_t *p = (uint8_t *) w->cur->data + w->cur->len;
    s_rec_t r = { .dbi = dbi, .n = (uint8_t) n, .nkeys = (uint8_t) nkeys, .sign = (int8_t) (sign < 0 ? -1 : 1) };
    memcpy(p, &r, sizeof r);
    uint8_t *q = p + sizeof r;
    memcpy(q, delta, n * sizeof *delta);
    q += n * sizeof *delta;
    for (size_t i = 0; i < nkeys; i++) {
        uint16_t len = (uint16_t) kl[i];
        memcpy(q, &len, sizeof len);
        memcpy(q + sizeof len, kp[i], kl[i]);
        q += sizeof len + kl[i];
    }
    w->cur->len += need;
    return 0;
}

int an_batch_thread(an_batch_t *b)
{
    if (b->w)
        return 0;
    struct s_worker *w = calloc(1, sizeof *w);
    if (!w)
        return ENOMEM;
    int rc = pthread_mutex_init(&w->mu, NULL);
    if (rc) {
        free(w);
        return rc;
    }
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->idle, NULL);
    b->w = w;
    if ((rc = pthread_create(&w->th, NULL, s_worker_main, b)) != 0) {
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->idle);
        pthread_mutex_destroy(&w->mu);
        free(w);
        b->w = NULL;
    }
    return rc;
}

static void s_chunks_free(s_chunk_t *c)
{
    while (c) {
        s_chunk_t *next = c->next;
        free(c);
        c = next;
    }
}

/* Stops and joins the worker (what it had not merged is dropped). */
static void s_worker_stop(an_batch_t *b)
{
    struct s_worker *w = b->w;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    s_chunks_free(w->head);
    s_chunks_free(w->spare);
    free(w->cur);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->idle);
    pthread_mutex_destroy(&w->mu);
    free(w);
    b->w = NULL;
}

int an_batch_apply(an_batch_t *b, MDB_txn *txn)
{
    if (b->w) {
        int rc = s_drain(b, txn);
        if (rc) {
            s_clear_table(b);
            return rc;
        }
    }
    return s_apply_now(b, txn);
}

void an_batch_clear(an_batch_t *b)
{
    if (b->w) {
        struct s_worker *w = b->w;
        /* what was appended is merged, then dropped with the rest */
        if (w->cur)
            w->cur->len = 0;
        pthread_mutex_lock(&w->mu);
        s_wait_locked(b, NULL, 0);
        w->err = 0;
        pthread_mutex_unlock(&w->mu);
    }
    s_clear_table(b);
}
