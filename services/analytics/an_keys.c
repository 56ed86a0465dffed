/*  an_keys.c — keys, scopes, counters and codec of the analytics store
 *  (an_keys.h). */
#include "an_keys.h"

#include "common/date.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- keys */

void an_key_init(an_key_t *k)
{
    k->n = 0;
    k->overflow = false;
}

void an_key_raw(an_key_t *k, const void *p, size_t n)
{
    if (k->overflow || n > sizeof k->b - k->n) {
        k->overflow = true;
        return;
    }
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

void an_key_u8(an_key_t *k, uint8_t v)
{
    an_key_raw(k, &v, 1);
}

void an_key_str(an_key_t *k, const char *s)
{
    if (!s)
        s = "";
    an_key_raw(k, s, strlen(s) + 1);
}

void an_key_be32(an_key_t *k, uint32_t v)
{
    uint8_t p[4];
    ent_be32_put(p, v);
    an_key_raw(k, p, 4);
}

void an_key_be64(an_key_t *k, uint64_t v)
{
    an_key_be32(k, (uint32_t) (v >> 32));
    an_key_be32(k, (uint32_t) v);
}

void an_key_day(an_key_t *k, int32_t day)
{
    uint8_t p[4];
    ent_key_day_put(p, day);
    an_key_raw(k, p, 4);
}

MDB_val an_key_val(const an_key_t *k)
{
    MDB_val v = { k->n, (void *) k->b };
    return v;
}

/* -------------------------------------------------------------- scopes */

static void s_scope(an_scope_t *s, uint8_t kind, const char *a, const char *b)
{
    s->kind = kind;
    size_t la = strlen(a);
    memcpy(s->value, a, la);
    s->len = la;
    if (b) {
        size_t lb = strlen(b);
        s->value[s->len++] = AN_SCOPE_SEP;
        memcpy(s->value + s->len, b, lb);
        s->len += lb;
    }
    s->value[s->len] = '\0';
}

size_t an_scopes(const an_attrs_t *at, an_scope_t out[AN_SCOPES], bool with_manager)
{
    size_t n = 0;
    s_scope(&out[n++], AN_SK_ALL, "", NULL);
    if (at->entity[0])
        s_scope(&out[n++], AN_SK_ENTITY, at->entity, NULL);
    if (at->department[0])
        s_scope(&out[n++], AN_SK_DEPARTMENT, at->department, NULL);
    if (at->site[0])
        s_scope(&out[n++], AN_SK_SITE, at->site, NULL);
    if (with_manager && at->manager[0])
        s_scope(&out[n++], AN_SK_MANAGER, at->manager, NULL);
    if (at->entity[0] && at->department[0])
        s_scope(&out[n++], AN_SK_ENT_DEPT, at->entity, at->department);
    if (at->entity[0] && at->site[0])
        s_scope(&out[n++], AN_SK_ENT_SITE, at->entity, at->site);
    return n;
}

void an_key_scope(an_key_t *k, const an_scope_t *s)
{
    an_key_u8(k, s->kind);
    an_key_raw(k, s->value, s->len);
    an_key_u8(k, 0);
}

bool an_attrs_equal(const an_attrs_t *a, const an_attrs_t *b)
{
    return strcmp(a->entity, b->entity) == 0 && strcmp(a->department, b->department) == 0 &&
           strcmp(a->site, b->site) == 0 && strcmp(a->manager, b->manager) == 0;
}

/* ------------------------------------------------------------ counters */

#define AN_COUNTER_MAX 32 /* the widest row (ratings: 2 + AN_HIST) */

void an_counter_accumulate(const MDB_val *v, int64_t *acc, size_t n)
{
    size_t have = v->mv_size / sizeof(int64_t);
    if (have > n)
        have = n;
    for (size_t i = 0; i < have; i++) {
        int64_t x;
        memcpy(&x, (const uint8_t *) v->mv_data + i * sizeof x, sizeof x);
        acc[i] += x;
    }
}

int an_counter_get(MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, int64_t *out, size_t n)
{
    memset(out, 0, n * sizeof *out);
    if (key->overflow)
        return 0;
    MDB_val k = an_key_val(key), v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    an_counter_accumulate(&v, out, n);
    return 0;
}

int an_counter_addv(MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n, int sign)
{
    if (key->overflow || n > AN_COUNTER_MAX)
        return 0; /* cannot happen with the key sizes of an_keys.h; never corrupt a row */
    bool any = false;
    for (size_t i = 0; i < n && !any; i++)
        any = delta[i] != 0;
    if (!any)
        return 0;
    int64_t row[AN_COUNTER_MAX];
    int rc = an_counter_get(txn, dbi, key, row, n);
    if (rc)
        return rc;
    bool zero = true;
    for (size_t i = 0; i < n; i++) {
        row[i] += sign < 0 ? -delta[i] : delta[i];
        if (row[i])
            zero = false;
    }
    MDB_val k = an_key_val(key);
    if (zero) {
        rc = mdb_del(txn, dbi, &k, NULL);
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    MDB_val v = { n * sizeof(int64_t), row };
    return mdb_put(txn, dbi, &k, &v, 0);
}

int an_counter_add(MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n)
{
    return an_counter_addv(txn, dbi, key, delta, n, 1);
}

/* --------------------------------------------------------------- codec */

static void s_w(an_wbuf_t *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (w->n + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->n + n)
            cap *= 2;
        uint8_t *np = realloc(w->p, cap);
        if (!np) {
            w->failed = true;
            return;
        }
        w->p = np;
        w->cap = cap;
    }
    memcpy(w->p + w->n, p, n);
    w->n += n;
}

void an_w_u8(an_wbuf_t *w, uint8_t v)
{
    s_w(w, &v, 1);
}

void an_w_i32(an_wbuf_t *w, int32_t v)
{
    s_w(w, &v, sizeof v);
}

void an_w_str(an_wbuf_t *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > UINT16_MAX)
        n = UINT16_MAX;
    uint16_t len = (uint16_t) n;
    s_w(w, &len, sizeof len);
    s_w(w, s, n);
}

void an_w_bytes(an_wbuf_t *w, const void *p, size_t n)
{
    uint32_t len = (uint32_t) n;
    s_w(w, &len, sizeof len);
    if (n)
        s_w(w, p, n);
}

void an_wbuf_free(an_wbuf_t *w)
{
    free(w->p);
    memset(w, 0, sizeof *w);
}

static const uint8_t *s_r(an_rbuf_t *r, size_t n)
{
    if (r->bad || n > r->n - r->off) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

uint8_t an_r_u8(an_rbuf_t *r)
{
    const uint8_t *p = s_r(r, 1);
    return p ? *p : 0;
}

int32_t an_r_i32(an_rbuf_t *r)
{
    const uint8_t *p = s_r(r, sizeof(int32_t));
    int32_t v = 0;
    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

void an_r_str(an_rbuf_t *r, char *out, size_t cap)
{
    out[0] = '\0';
    const uint8_t *lp = s_r(r, sizeof(uint16_t));
    if (!lp)
        return;
    uint16_t len;
    memcpy(&len, lp, sizeof len);
    const uint8_t *p = s_r(r, len);
    if (!p)
        return;
    if (len >= cap) {
        r->bad = true;
        return;
    }
    memcpy(out, p, len);
    out[len] = '\0';
}

void an_r_bytes(an_rbuf_t *r, const uint8_t **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    const uint8_t *lp = s_r(r, sizeof(uint32_t));
    if (!lp)
        return;
    uint32_t len;
    memcpy(&len, lp, sizeof len);
    const uint8_t *d = s_r(r, len);
    if (!d)
        return;
    *p = d;
    *n = len;
}

/* ---------------------------------------------------------------- misc */

void an_copy(char *dst, size_t cap, const char *src)
{
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        /* back off to the start of a UTF-8 sequence */
        while (n > 0 && ((unsigned char) src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

uint32_t an_month(int32_t day)
{
    if (day == ENT_DATE_NONE)
        return 0;
    int y, m, dd;
    ent_date_to_ymd(day, &y, &m, &dd);
    return (uint32_t) (y * 12 + m - 1);
}

const char *an_month_str(uint32_t month, char buf[8])
{
    snprintf(buf, 8, "%04u-%02u", (month / 12) % 10000, month % 12 + 1);
    return buf;
}
