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

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t head;  /* the key's first 8 bytes, big-endian, zero-padded: most comparisons end here */
    size_t off;     /* of the key in keys */
    uint32_t seq;   /* order of arrival: a put and a delete of one key keep theirs */
    uint16_t len;
    uint8_t dbi;    /* index into s_dbis */
    uint8_t del;
} s_op_t;

struct rec_idxq {
    s_op_t *ops;
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
}

static int s_queue(struct rec_idxq *q, int slot, const uint8_t *key, size_t len, bool del)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 4096;
        s_op_t *ops = realloc(q->ops, cap * sizeof *ops);
        if (!ops)
            return ENOMEM;
        q->ops = ops;
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
    uint64_t head = 0;
    for (size_t i = 0; i < 8; i++)
        head = head << 8 | (i < len ? key[i] : 0);
    q->ops[q->n] = (s_op_t) { .head = head, .off = q->klen, .seq = (uint32_t) q->n, .len = (uint16_t) len,
                              .dbi = (uint8_t) slot, .del = del };
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

/* qsort has no argument: the keys of the queue being sorted. */
static const uint8_t *s_sort_keys;

/* By index, then key as LMDB orders it (memcmp, then the shorter first),
 * then arrival. */
static int s_cmp(const void *pa, const void *pb)
{
    const s_op_t *a = pa, *b = pb;
    if (a->dbi != b->dbi)
        return a->dbi < b->dbi ? -1 : 1;
    if (a->head != b->head) /* the order memcmp gives on those bytes */
        return a->head < b->head ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(s_sort_keys + a->off, s_sort_keys + b->off, n);
    if (c)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int rec_idx_settle(records_t *r, MDB_txn *txn)
{
    struct rec_idxq *q = r->idxq;
    if (!q || q->n == 0)
        return 0;
    s_sort_keys = q->keys;
    qsort(q->ops, q->n, sizeof *q->ops, s_cmp);
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
