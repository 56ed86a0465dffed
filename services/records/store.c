/*  store.c — interviews in LMDB: the record and its indexes, and the
 *  commit that writes them with their audit record (audit_chain.c) and
 *  their events (iv_events.c), always together (records.h). */
#include "records.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

Entretiens__V1__Date *rec_date_new(int32_t day)
{
    if (day == ENT_DATE_NONE)
        return NULL;
    Entretiens__V1__Date *m = malloc(sizeof *m);
    if (!m)
        return NULL;
    ent_pbdate_set(day, m);
    return m;
}

const char *rec_str(const char *s)
{
    return s ? s : "";
}

char *rec_strdup(const char *s)
{
    return strdup(s ? s : "");
}

void rec_set_str(char **field, const char *value)
{
    char *n = rec_strdup(value);
    if (!n)
        return; /* out of memory: the old value stays */
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = n;
}

/* ---------------------------------------------------------- interviews */

int rec_iv_get(records_t *r, MDB_txn *txn, const char *id, rec_iv_t **out)
{
    *out = NULL;
    if (!id || !*id || strlen(id) > REC_ID_MAX)
        return MDB_NOTFOUND;
    MDB_val k = { strlen(id), (void *) id }, v;
    int rc = mdb_get(txn, r->interviews, &k, &v);
    if (rc)
        return rc;
    *out = entretiens__v1__interview__unpack(NULL, v.mv_size, v.mv_data);
    if (!*out) {
        ent_log_error("records.corrupt", "interview %s cannot be read", id);
        return MDB_CORRUPTED;
    }
    rc = rec_header_open(r, *out);
    if (rc == REC_CRYPT_SHREDDED) /* purged: what stays is the metadata */
        rc = 0;
    if (rc) {
        rec_iv_free(*out);
        *out = NULL;
        return rc == ENOMEM ? ENOMEM : MDB_CORRUPTED;
    }
    return 0;
}

void rec_iv_free(rec_iv_t *iv)
{
    if (iv)
        entretiens__v1__interview__free_unpacked(iv, NULL);
}

rec_iv_t *rec_iv_dup(const rec_iv_t *iv)
{
    size_t n = entretiens__v1__interview__get_packed_size(iv);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    entretiens__v1__interview__pack(iv, buf);
    rec_iv_t *c = entretiens__v1__interview__unpack(NULL, n, buf);
    free(buf);
    return c;
}

int rec_content_get(records_t *r, MDB_txn *txn, const char *id, rec_content_t **out)
{
    MDB_val k = { strlen(id), (void *) id }, v;
    int rc = mdb_get(txn, r->content, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *out = entretiens__v1__interview_content__unpack(NULL, 0, (const uint8_t *) "");
        return *out ? 0 : ENOMEM;
    }
    if (rc)
        return rc;
    return rec_content_unpack(r, id, v.mv_data, v.mv_size, out);
}

void rec_content_free(rec_content_t *c)
{
    if (c)
        entretiens__v1__interview_content__free_unpacked(c, NULL);
}

int rec_next_id(records_t *r, MDB_txn *txn, char out[REC_ID_MAX + 1])
{
    /* the counter stays in the turn's memo while the events create (idxbatch.c) */
    static const char key[] = "interview_seq";
    uint8_t buf[8];
    size_t len = sizeof buf;
    MDB_dbi meta = ent_store_meta(r->store);
    int rc = rec_memo_get(r, txn, REC_MEMO_IV_SEQ, meta, key, sizeof key - 1, buf, &len);
    uint64_t n = 0;
    if (rc == 0 && len != 8)
        return MDB_CORRUPTED;
    if (rc == 0)
        n = ent_be64_get(buf);
    else if (rc != MDB_NOTFOUND)
        return rc;
    n++;
    snprintf(out, REC_ID_MAX + 1, "IV%08" PRIu64, n);
    ent_be64_put(buf, n);
    return rec_memo_put(r, txn, REC_MEMO_IV_SEQ, meta, key, sizeof key - 1, buf, 8);
}

/* --------------------------------------------------------------- indexes */

static size_t s_pair_key(uint8_t *key, const char *a, const char *id)
{
    size_t al = strlen(a), il = strlen(id);
    memcpy(key, a, al);
    key[al] = 0;
    memcpy(key + al + 1, id, il);
    return al + 1 + il;
}

static int s_status_of(const rec_iv_t *iv)
{
    rec_state_t s;
    return rec_state_parse(iv->status, &s) == 0 ? (int) s : 0;
}

static size_t s_status_key(uint8_t *key, const rec_iv_t *iv)
{
    key[0] = (uint8_t) s_status_of(iv);
    ent_key_day_put(key + 1, ent_pbdate_day(iv->due_date));
    size_t il = strlen(iv->id);
    memcpy(key + 5, iv->id, il);
    return 5 + il;
}

static size_t s_due_key(uint8_t *key, const rec_iv_t *iv)
{
    ent_key_day_put(key, ent_pbdate_day(iv->due_date));
    size_t il = strlen(iv->id);
    memcpy(key + 4, iv->id, il);
    return 4 + il;
}

/* The indexes follow the change from b (NULL: a new interview) to a; by
 * manager, status and due date are queued while a turn's events are
 * applied (idxbatch.c). */
static int s_index(records_t *r, MDB_txn *txn, const rec_iv_t *b, const rec_iv_t *a)
{
    uint8_t k1[256], k2[256];
    size_t l1, l2;
    int rc = 0;
    if (!b) {
        if (a->obligation_id && *a->obligation_id) {
            MDB_val k = { strlen(a->obligation_id), a->obligation_id }, v = { strlen(a->id), a->id };
            if ((rc = mdb_put(txn, r->by_obligation, &k, &v, 0)))
                return rc;
        }
        l1 = s_pair_key(k1, a->employee_id, a->id);
        if ((rc = rec_idx_put(r, txn, r->by_employee, k1, l1)))
            return rc;
    }
    if (!b || strcmp(rec_str(b->manager_id), rec_str(a->manager_id)) != 0) {
        if (b && b->manager_id && *b->manager_id) {
            l1 = s_pair_key(k1, b->manager_id, b->id);
            if ((rc = rec_idx_del(r, txn, r->by_manager, k1, l1)))
                return rc;
        }
        if (a->manager_id && *a->manager_id) {
            l2 = s_pair_key(k2, a->manager_id, a->id);
            if ((rc = rec_idx_put(r, txn, r->by_manager, k2, l2)))
                return rc;
        }
    }
    bool due_changed = !b || ent_pbdate_day(b->due_date) != ent_pbdate_day(a->due_date);
    if (due_changed || s_status_of(b) != s_status_of(a)) {
        if (b) {
            l1 = s_status_key(k1, b);
            if ((rc = rec_idx_del(r, txn, r->by_status, k1, l1)))
                return rc;
        }
        l2 = s_status_key(k2, a);
        if ((rc = rec_idx_put(r, txn, r->by_status, k2, l2)))
            return rc;
    }
    if (due_changed) {
        if (b) {
            l1 = s_due_key(k1, b);
            if ((rc = rec_idx_del(r, txn, r->by_due, k1, l1)))
                return rc;
        }
        l2 = s_due_key(k2, a);
        if ((rc = rec_idx_put(r, txn, r->by_due, k2, l2)))
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- commit */

int rec_commit(records_t *r, MDB_txn *txn, rec_change_t *ch)
{
    rec_iv_t *a = ch->after;
    if (!ch->quiet)
        a->updated_at_ms = ent_clock_now_ms();
    size_t hlen = 0, clen = 0;
    uint8_t *hdr = NULL, *cbuf = NULL;
    int rc = rec_header_pack(r, a, &hdr, &hlen);
    if (rc) {
        json_decref(ch->details);
        return rc;
    }
    MDB_val ck = { strlen(a->id), a->id }, cv;
    if (ch->drop_content) {
        rc = mdb_del(txn, r->content, &ck, NULL);
        rc = rc == MDB_NOTFOUND ? 0 : rc;
    } else if (ch->content) {
        rc = rec_content_pack(r, a, ch->content, &cbuf, &clen);
    } else if (ch->before) { /* a new interview has no content yet */
        rc = mdb_get(txn, r->content, &ck, &cv);
        if (rc == 0) {
            clen = cv.mv_size;
            cbuf = malloc(clen ? clen : 1);
            if (!cbuf)
                rc = ENOMEM;
            else
                memcpy(cbuf, cv.mv_data, clen);
        } else if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    uint8_t digest[REC_HASH_LEN];
    if (!rc)
        rec_state_digest(r->md, digest, hdr, hlen, cbuf, clen);
    if (!rc)
        rc = s_index(r, txn, ch->before, a);
    if (!rc) {
        MDB_val k = { strlen(a->id), a->id }, v = { hlen, hdr };
        /* ids grow (rec_next_id): a new interview goes at the end, which
         * also fills the pages instead of splitting them in halves */
        rc = mdb_put(txn, r->interviews, &k, &v, ch->before ? 0 : MDB_APPEND);
        if (rc == MDB_KEYEXIST && !ch->before)
            rc = mdb_put(txn, r->interviews, &k, &v, 0);
    }
    if (!rc && ch->content) {
        cv.mv_size = clen, cv.mv_data = cbuf;
        rc = mdb_put(txn, r->content, &ck, &cv, 0);
    }
    free(hdr);
    free(cbuf);
    uint32_t iseq = 0;
    json_t *details = ch->details;
    ch->details = NULL;
    if (!rc)
        rc = rec_audit_append(r, txn, a->id, ch->actor, ch->action, details, ch->flat, ch->n_flat, a->employee_id,
                              ch->reason, digest, !ch->before, &iseq);
    else
        json_decref(details);
    if (!rc && ch->event)
        rc = rec_event_publish(r, txn, ch, iseq);
    if (!rc && ch->event2) {
        rec_change_t second = *ch;
        second.event = ch->event2;
        rc = rec_event_publish(r, txn, &second, iseq);
    }
    return rc;
}
