/*  an_state.c — encoding of the analytics state records (an_state.h). */
#include "an_state.h"

#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EMP_VERSION 2
#define OBL_VERSION 1
#define IV_VERSION 1
#define IVSUM_VERSION 1

void an_key_emp(an_key_t *k, const char *employee, const char *id)
{
    an_key_init(k);
    an_key_str(k, employee);
    if (id)
        an_key_str(k, id);
}

static void s_w_attrs(an_wbuf_t *w, const an_attrs_t *a)
{
    an_w_str(w, a->entity);
    an_w_str(w, a->department);
    an_w_str(w, a->site);
    an_w_str(w, a->manager);
}

static void s_r_attrs(an_rbuf_t *r, an_attrs_t *a)
{
    an_r_str(r, a->entity, sizeof a->entity);
    an_r_str(r, a->department, sizeof a->department);
    an_r_str(r, a->site, sizeof a->site);
    an_r_str(r, a->manager, sizeof a->manager);
}

static int s_put(MDB_txn *txn, MDB_dbi dbi, const an_key_t *k, an_wbuf_t *w)
{
    if (w->failed || k->overflow) {
        an_wbuf_free(w);
        return ENOMEM;
    }
    MDB_val kv = an_key_val(k), v = { w->n, w->p };
    int rc = mdb_put(txn, dbi, &kv, &v, 0);
    an_wbuf_free(w);
    return rc;
}

/* ------------------------------------------------------------ employee */

int32_t an_emp_last_contact(const an_emp_t *e)
{
    int32_t d = e->hired_on;
    if (e->last_held != ENT_DATE_NONE && (d == ENT_DATE_NONE || e->last_held > d))
        d = e->last_held;
    if (e->last_met != ENT_DATE_NONE && (d == ENT_DATE_NONE || e->last_met > d))
        d = e->last_met;
    if (e->last_interview != ENT_DATE_NONE && (d == ENT_DATE_NONE || e->last_interview > d))
        d = e->last_interview;
    return d;
}

static void s_emp_blank(an_emp_t *e, const char *id)
{
    memset(e, 0, sizeof *e);
    an_copy(e->id, sizeof e->id, id);
    e->hired_on = e->left_on = e->next_due = e->last_held = e->last_met = e->last_interview = ENT_DATE_NONE;
}

bool an_emp_decode(const MDB_val *v, an_emp_t *e)
{
    an_rbuf_t r = { .p = v->mv_data, .n = v->mv_size };
    if (an_r_u8(&r) != EMP_VERSION)
        return false;
    e->upserted = an_r_u8(&r);
    e->employed = an_r_u8(&r);
    e->hired_on = an_r_i32(&r);
    e->left_on = an_r_i32(&r);
    s_r_attrs(&r, &e->attrs);
    e->next_due = an_r_i32(&r);
    an_r_str(&r, e->next_type, sizeof e->next_type);
    e->last_held = an_r_i32(&r);
    e->last_met = an_r_i32(&r);
    e->overdue_ever = (uint32_t) an_r_i32(&r);
    e->flags = an_r_u8(&r);
    e->last_interview = an_r_i32(&r);
    e->penalty = an_r_i32(&r);
    return !r.bad;
}

int an_emp_get(MDB_txn *txn, MDB_dbi dbi, const char *id, an_emp_t *out)
{
    s_emp_blank(out, id);
    an_key_t k;
    an_key_emp(&k, id, NULL);
    MDB_val kv = an_key_val(&k), v;
    int rc = mdb_get(txn, dbi, &kv, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (!an_emp_decode(&v, out)) {
        ent_log_error("analytics.corrupt", "employee record of %s cannot be read: rebuilt from its next events", id);
        s_emp_blank(out, id);
        return 0;
    }
    out->present = true;
    return 0;
}

int an_emp_put(MDB_txn *txn, MDB_dbi dbi, const an_emp_t *e)
{
    an_wbuf_t w = { 0 };
    an_w_u8(&w, EMP_VERSION);
    an_w_u8(&w, e->upserted);
    an_w_u8(&w, e->employed);
    an_w_i32(&w, e->hired_on);
    an_w_i32(&w, e->left_on);
    s_w_attrs(&w, &e->attrs);
    an_w_i32(&w, e->next_due);
    an_w_str(&w, e->next_type);
    an_w_i32(&w, e->last_held);
    an_w_i32(&w, e->last_met);
    an_w_i32(&w, (int32_t) e->overdue_ever);
    an_w_u8(&w, e->flags);
    an_w_i32(&w, e->last_interview);
    an_w_i32(&w, e->penalty);
    an_key_t k;
    an_key_emp(&k, e->id, NULL);
    return s_put(txn, dbi, &k, &w);
}

/* ---------------------------------------------------------- obligation */

bool an_obl_decode(const MDB_val *k, const MDB_val *v, an_obl_t *o)
{
    memset(o, 0, sizeof *o);
    /* key: employee \0 id \0 */
    const char *kp = k->mv_data;
    size_t el = strnlen(kp, k->mv_size);
    if (el >= k->mv_size || el > AN_EMP_MAX)
        return false;
    const char *ip = kp + el + 1;
    size_t il = strnlen(ip, k->mv_size - el - 1);
    if (il > AN_ID_MAX)
        return false;
    memcpy(o->employee, kp, el);
    memcpy(o->id, ip, il);
    an_rbuf_t r = { .p = v->mv_data, .n = v->mv_size };
    if (an_r_u8(&r) != OBL_VERSION)
        return false;
    an_r_str(&r, o->type, sizeof o->type);
    o->cls = an_r_u8(&r);
    o->actionable = an_r_u8(&r);
    o->ever_overdue = an_r_u8(&r);
    o->due = an_r_i32(&r);
    o->met_on = an_r_i32(&r);
    o->penalty = an_r_i32(&r);
    s_r_attrs(&r, &o->own);
    o->present = !r.bad;
    return !r.bad;
}

int an_obl_get(MDB_txn *txn, MDB_dbi dbi, const char *employee, const char *id, an_obl_t *out)
{
    memset(out, 0, sizeof *out);
    an_copy(out->employee, sizeof out->employee, employee);
    an_copy(out->id, sizeof out->id, id);
    out->due = out->met_on = ENT_DATE_NONE;
    an_key_t k;
    an_key_emp(&k, employee, id);
    MDB_val kv = an_key_val(&k), v;
    int rc = mdb_get(txn, dbi, &kv, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    an_obl_t tmp;
    if (!an_obl_decode(&kv, &v, &tmp)) {
        ent_log_error("analytics.corrupt", "obligation record %s cannot be read", id);
        return 0;
    }
    *out = tmp;
    return 0;
}

int an_obl_put(MDB_txn *txn, MDB_dbi dbi, const an_obl_t *o)
{
    an_wbuf_t w = { 0 };
    an_w_u8(&w, OBL_VERSION);
    an_w_str(&w, o->type);
    an_w_u8(&w, o->cls);
    an_w_u8(&w, o->actionable);
    an_w_u8(&w, o->ever_overdue);
    an_w_i32(&w, o->due);
    an_w_i32(&w, o->met_on);
    an_w_i32(&w, o->penalty);
    s_w_attrs(&w, &o->own);
    an_key_t k;
    an_key_emp(&k, o->employee, o->id);
    return s_put(txn, dbi, &k, &w);
}

/* ----------------------------------------------------------- interview */

void an_iv_clear(an_iv_t *iv)
{
    if (iv->owns_content)
        free(iv->content);
    iv->content = NULL;
    iv->content_len = 0;
    iv->owns_content = false;
}

int an_iv_get(MDB_txn *txn, MDB_dbi dbi, const char *id, an_iv_t *out)
{
    memset(out, 0, sizeof *out);
    an_copy(out->id, sizeof out->id, id);
    out->due = out->held_on = out->created_on = out->content_on = ENT_DATE_NONE;
    an_key_t k;
    an_key_init(&k);
    an_key_str(&k, id);
    MDB_val kv = an_key_val(&k), v;
    int rc = mdb_get(txn, dbi, &kv, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    an_rbuf_t r = { .p = v.mv_data, .n = v.mv_size };
    an_iv_t t = *out;
    if (an_r_u8(&r) != IV_VERSION)
        r.bad = true;
    an_r_str(&r, t.employee, sizeof t.employee);
    an_r_str(&r, t.type, sizeof t.type);
    s_r_attrs(&r, &t.attrs);
    t.stage = an_r_u8(&r);
    t.sig_employee = an_r_u8(&r);
    t.sig_manager = an_r_u8(&r);
    t.due = an_r_i32(&r);
    t.held_on = an_r_i32(&r);
    t.created_on = an_r_i32(&r);
    t.content_on = an_r_i32(&r);
    const uint8_t *cp;
    size_t cn;
    an_r_bytes(&r, &cp, &cn);
    if (r.bad) {
        ent_log_error("analytics.corrupt", "interview record %s cannot be read", id);
        return 0;
    }
    if (cn) {
        /* copied: a write anywhere in the transaction may move the page */
        t.content = malloc(cn);
        if (!t.content)
            return ENOMEM;
        memcpy(t.content, cp, cn);
        t.content_len = cn;
        t.owns_content = true;
    }
    t.present = true;
    *out = t;
    return 0;
}

int an_iv_put(MDB_txn *txn, MDB_dbi dbi, const an_iv_t *iv)
{
    an_wbuf_t w = { 0 };
    an_w_u8(&w, IV_VERSION);
    an_w_str(&w, iv->employee);
    an_w_str(&w, iv->type);
    s_w_attrs(&w, &iv->attrs);
    an_w_u8(&w, iv->stage);
    an_w_u8(&w, iv->sig_employee);
    an_w_u8(&w, iv->sig_manager);
    an_w_i32(&w, iv->due);
    an_w_i32(&w, iv->held_on);
    an_w_i32(&w, iv->created_on);
    an_w_i32(&w, iv->content_on);
    an_w_bytes(&w, iv->content, iv->content_len);
    an_key_t k;
    an_key_init(&k);
    an_key_str(&k, iv->id);
    return s_put(txn, dbi, &k, &w);
}

void an_ivsum_encode(const an_ivsum_t *s, an_wbuf_t *w)
{
    an_w_u8(w, IVSUM_VERSION);
    an_w_str(w, s->type);
    an_w_i32(w, s->held_on);
    an_w_i32(w, s->content_on);
    an_w_u8(w, s->low_engagement);
    an_w_u8(w, s->wish_to_leave);
    an_w_i32(w, s->eng_value);
    an_w_i32(w, s->eng_min);
    an_w_i32(w, s->eng_max);
    an_w_str(w, s->eng_question);
    an_w_str(w, s->leave_kind);
    an_w_str(w, s->leave_horizon);
}

bool an_ivsum_decode(const MDB_val *v, an_ivsum_t *s)
{
    memset(s, 0, sizeof *s);
    an_rbuf_t r = { .p = v->mv_data, .n = v->mv_size };
    if (an_r_u8(&r) != IVSUM_VERSION)
        return false;
    an_r_str(&r, s->type, sizeof s->type);
    s->held_on = an_r_i32(&r);
    s->content_on = an_r_i32(&r);
    s->low_engagement = an_r_u8(&r);
    s->wish_to_leave = an_r_u8(&r);
    s->eng_value = an_r_i32(&r);
    s->eng_min = an_r_i32(&r);
    s->eng_max = an_r_i32(&r);
    an_r_str(&r, s->eng_question, sizeof s->eng_question);
    an_r_str(&r, s->leave_kind, sizeof s->leave_kind);
    an_r_str(&r, s->leave_horizon, sizeof s->leave_horizon);
    return !r.bad;
}
