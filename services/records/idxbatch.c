/*  idxbatch.c — the index entries a turn's events write, collected and
 *  written once, sorted, before the turn's requests (records.h).
 *
 *  A creation from the scheduler's events puts one key into by_manager,
 *  by_status and by_due each, an obligation kept beyond the horizon one
 *  into deferred_idx, an employee one into reports, each at a random place
 *  of a large B-tree: one descent from the root and one page copied per
 *  put, about a fifth of the catch-up's CPU time.  While the events of a
 *  turn are applied these five indexes are written only (nothing the
 *  events do reads them; the requests that do come after), so
 *  their puts and deletes are queued and written at the end of the events
 *  (the daemon's settle step), sorted by key: one cursor walks forward
 *  through each B-tree, and LMDB's cursor stays on its leaf page while the
 *  keys fall into it.  The writes land in the same transaction as the
 *  interviews (durability unchanged).  Outside the events (the requests,
 *  the unit tests) nothing is queued: writes go straight to the store.  A
 *  reader of these indexes after the events, in the same turn (the status
 *  census, the release of deferred obligations), settles the queue first.
 */
#include "records.h"

#include "common/msort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t head;  /* the key's first 8 bytes, big-endian, zero-padded: most comparisons end here */
    uint64_t head2; /* the next 8 (a manager's or an employee's keys share their first 8) */
    size_t off;     /* of the key in keys */
    uint32_t seq;   /* order of arrival: a put and a delete of one key keep theirs */
    uint16_t len;
    uint8_t dbi;    /* index into s_dbis */
    uint8_t del;
} s_op_t;

/* A small value every creation reads and writes again (memos below). */
typedef struct {
    bool valid;     /* read (or written) in this turn's events */
    bool found;     /* the store has it (or it was written) */
    bool dirty;     /* written in the turn, not yet in the store */
    MDB_dbi dbi;
    uint8_t key[REC_MEMO_KEY_MAX], val[REC_MEMO_VAL_MAX];
    size_t klen, vlen;
} s_memo_t;

struct rec_idxq {
    s_memo_t memo[REC_MEMO_N];
    s_op_t *ops, *tmp; /* tmp: the merge sort's room, as large as ops */
    size_t n, cap;
    uint8_t *keys;
    size_t klen, kcap;
    bool on;        /* collecting (the events phase of a turn) */
};

/* The indexes collected, in the order they are written. */
static MDB_dbi *s_dbi_of(records_t *r, uint8_t i)
{
    MDB_dbi *dbis[] = { &r->by_manager, &r->by_status, &r->by_due, &r->deferred_idx, &r->reports };
    return dbis[i];
}

static int s_slot(records_t *r, MDB_dbi dbi)
{
    for (uint8_t i = 0; i < 5; i++)
        if (*s_dbi_of(r, i) == dbi)
            return i;
    return -1;
}

int rec_idxq_new(records_t *r)
{
    r->idxq = calloc(1, sizeof *r->idxq);
    return r->idxq ? 0 : ENOMEM;
}

void rec_idxq_destroy(records_t *r)
{
    if (!r->idxq)
        return;
    free(r->idxq->ops);
    free(r->idxq->tmp);
    free(r->idxq->keys);
    free(r->idxq);
    r->idxq = NULL;
}

void rec_idx_collect(records_t *r)
{
    if (r->idxq)
        r->idxq->on = true;
}

static void s_clear(struct rec_idxq *q)
{
    q->n = 0;
    q->klen = 0;
    for (int i = 0; i < REC_MEMO_N; i++)
        q->memo[i].valid = q->memo[i].dirty = false;
}

static int s_queue(struct rec_idxq *q, int slot, const uint8_t *key, size_t len, bool del)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 4096;
        s_op_t *ops = realloc(q->ops, cap * sizeof *ops);
        if (!ops)
            return ENOMEM;
        q->ops = ops;
        s_op_t *tmp = realloc(q->tmp, cap * sizeof *tmp);
        if (!tmp)
            return ENOMEM;
        q->tmp = tmp;
        q->cap = cap;
    }
    if (q->klen + len > q->kcap) {
        size_t cap = q->kcap ? q->kcap * 2 : 128 * 1024;
        while (cap < q->klen + len)
            cap *= 2;
        uint8_t *keys = realloc(q->keys, cap);
        if (!keys)
            return ENOMEM;
        q->keys = keys;
        q->kcap = cap;
    }
    memcpy(q->keys + q->klen, key, len);
    uint64_t head = 0, head2 = 0;
    for (size_t i = 0; i < 8; i++)
        head = head << 8 | (i < len ? key[i] : 0);
    for (size_t i = 8; i < 16; i++)
        head2 = head2 << 8 | (i < len ? key[i] : 0);
    q->ops[q->n] = (s_op_t) { .head = head, .head2 = head2, .off = q->klen, .seq = (uint32_t) q->n,
                              .len = (uint16_t) len, .dbi = (uint8_t) slot, .del = del };
    q->n++;
    q->klen += len;
    return 0;
}

static int s_write(MDB_txn *txn, MDB_dbi dbi, MDB_cursor *cur, const uint8_t *key, size_t len, bool del)
{
    MDB_val k = { len, (void *) key }, v = { 0, (void *) "" };
    if (!del)
        return cur ? mdb_cursor_put(cur, &k, &v, 0) : mdb_put(txn, dbi, &k, &v, 0);
    int rc = cur ? mdb_cursor_get(cur, &k, &v, MDB_SET) : mdb_del(txn, dbi, &k, NULL);
    if (!rc && cur)
        rc = mdb_cursor_del(cur, 0);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_op(records_t *r, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len, bool del)
{
    struct rec_idxq *q = r->idxq;
    int slot = s_slot(r, dbi);
    if (!q || !q->on || slot < 0 || len > UINT16_MAX)
        return s_write(txn, dbi, NULL, key, len, del);
    return s_queue(q, slot, key, len, del);
}

int rec_idx_put(records_t *r, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len)
{
    return s_op(r, txn, dbi, key, len, false);
}

int rec_idx_del(records_t *r, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len)
{
    return s_op(r, txn, dbi, key, len, true);
}

/* By index, then key as LMDB orders it (memcmp, then the shorter first),
 * then arrival.  The heads compare the first 16 bytes zero-padded, which
 * orders as memcmp-then-length does: a shorter key's padding is zeros. */
static inline bool s_before(const uint8_t *keys, const s_op_t *a, const s_op_t *b)
{
    if (a->dbi != b->dbi)
        return a->dbi < b->dbi;
    if (a->head != b->head)
        return a->head < b->head;
    if (a->head2 != b->head2)
        return a->head2 < b->head2;
    size_t n = a->len < b->len ? a->len : b->len;
    if (n > 16) {
        int c = memcmp(keys + a->off + 16, keys + b->off + 16, n - 16);
        if (c)
            return c < 0;
    }
    if (a->len != b->len)
        return a->len < b->len;
    return a->seq < b->seq;
}

/* s_ops_sort (common/msort.h): runs of 16 by insertion, then merged. */
ENT_MSORT_DEFINE(s_ops, s_op_t, const uint8_t *, s_before, 16)

int rec_idx_settle(records_t *r, MDB_txn *txn)
{
    struct rec_idxq *q = r->idxq;
    if (!q)
        return 0;
    for (int i = 0; i < REC_MEMO_N; i++) {
        s_memo_t *m = &q->memo[i];
        if (m->dirty) {
            MDB_val k = { m->klen, m->key }, v = { m->vlen, m->val };
            int rc = mdb_put(txn, m->dbi, &k, &v, 0);
            if (rc)
                return rc;
        }
        m->valid = m->dirty = false; /* read from the store again */
    }
    if (q->n == 0)
        return 0;
    s_op_t *sorted = s_ops_sort(q->keys, q->ops, q->tmp, q->n);
    if (sorted != q->ops)
        memcpy(q->ops, sorted, q->n * sizeof *q->ops);
    int rc = 0;
    for (size_t i = 0; i < q->n && !rc;) {
        uint8_t slot = q->ops[i].dbi;
        MDB_dbi dbi = *s_dbi_of(r, slot);
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(txn, dbi, &cur)))
            break;
        for (; i < q->n && q->ops[i].dbi == slot && !rc; i++)
            rc = s_write(txn, dbi, cur, q->keys + q->ops[i].off, q->ops[i].len, q->ops[i].del);
        mdb_cursor_close(cur);
    }
    s_clear(q);
    return rc;
}

int rec_idx_settle_turn(MDB_txn *txn, void *arg)
{
    records_t *r = arg;
    int rc = rec_idx_settle(r, txn);
    if (r->idxq)
        r->idxq->on = false; /* the requests write straight to the store */
    return rc;
}

void rec_idx_reset(void *arg)
{
    records_t *r = arg;
    if (r->idxq) {
        s_clear(r->idxq);
        r->idxq->on = false;
    }
}

void rec_idx_flush(void *arg, bool committed)
{
    (void) committed;
    rec_idx_reset(arg);
}

/* ------------------------------------------------------------------ memos */

static s_memo_t *s_memo(records_t *r, int which, MDB_dbi dbi, const void *key, size_t klen)
{
    struct rec_idxq *q = r->idxq;
    if (!q || !q->on || which < 0 || which >= REC_MEMO_N || klen > REC_MEMO_KEY_MAX)
        return NULL;
    s_memo_t *m = &q->memo[which];
    if (m->valid && (m->dbi != dbi || m->klen != klen || memcmp(m->key, key, klen) != 0))
        return NULL; /* another key under the same slot: a caller's mistake, served by the store */
    return m;
}

int rec_memo_get(records_t *r, MDB_txn *txn, int which, MDB_dbi dbi, const void *key, size_t klen, void *val,
                 size_t *vlen)
{
    s_memo_t *m = s_memo(r, which, dbi, key, klen);
    if (!m || !m->valid) {
        MDB_val k = { klen, (void *) key }, v;
        int rc = mdb_get(txn, dbi, &k, &v);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        if (!rc && (v.mv_size > *vlen || v.mv_size > REC_MEMO_VAL_MAX))
            return MDB_CORRUPTED;
        if (m) {
            *m = (s_memo_t) { .valid = true, .found = rc == 0, .dbi = dbi, .klen = klen, .vlen = rc ? 0 : v.mv_size };
            memcpy(m->key, key, klen);
            if (!rc)
                memcpy(m->val, v.mv_data, v.mv_size);
        }
        if (rc)
            return rc;
        memcpy(val, v.mv_data, v.mv_size);
        *vlen = v.mv_size;
        return 0;
    }
    if (!m->found)
        return MDB_NOTFOUND;
    if (m->vlen > *vlen)
        return MDB_CORRUPTED;
    memcpy(val, m->val, m->vlen);
    *vlen = m->vlen;
    return 0;
}

int rec_memo_put(records_t *r, MDB_txn *txn, int which, MDB_dbi dbi, const void *key, size_t klen, const void *val,
                 size_t vlen)
{
    s_memo_t *m = vlen <= REC_MEMO_VAL_MAX ? s_memo(r, which, dbi, key, klen) : NULL;
    if (!m) {
        MDB_val k = { klen, (void *) key }, v = { vlen, (void *) val };
        return mdb_put(txn, dbi, &k, &v, 0);
    }
    *m = (s_memo_t) { .valid = true, .found = true, .dirty = true, .dbi = dbi, .klen = klen, .vlen = vlen };
    memcpy(m->key, key, klen);
    memcpy(m->val, val, vlen);
    return 0;
}
