/*  store.c — interviews in LMDB: the record, its indexes, its audit chain
 *  and its events, always written together (records.h). */
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
    uint64_t n;
    int rc = ent_store_meta_get_u64(txn, r->store, "interview_seq", &n);
    if (rc)
        return rc;
    n++;
    snprintf(out, REC_ID_MAX + 1, "IV%08" PRIu64, n);
    return ent_store_meta_put_u64(txn, r->store, "interview_seq", n);
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

static int s_put_empty(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len)
{
    MDB_val k = { len, (void *) key }, v = { 0, (void *) "" };
    return mdb_put(txn, dbi, &k, &v, 0);
}

static int s_del(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t len)
{
    MDB_val k = { len, (void *) key };
    int rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
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
        if ((rc = s_put_empty(txn, r->by_employee, k1, l1)))
            return rc;
    }
    if (!b || strcmp(rec_str(b->manager_id), rec_str(a->manager_id)) != 0) {
        if (b && b->manager_id && *b->manager_id) {
            l1 = s_pair_key(k1, b->manager_id, b->id);
            if ((rc = s_del(txn, r->by_manager, k1, l1)))
                return rc;
        }
        if (a->manager_id && *a->manager_id) {
            l2 = s_pair_key(k2, a->manager_id, a->id);
            if ((rc = s_put_empty(txn, r->by_manager, k2, l2)))
                return rc;
        }
    }
    bool due_changed = !b || ent_pbdate_day(b->due_date) != ent_pbdate_day(a->due_date);
    if (due_changed || s_status_of(b) != s_status_of(a)) {
        if (b) {
            l1 = s_status_key(k1, b);
            if ((rc = s_del(txn, r->by_status, k1, l1)))
                return rc;
        }
        l2 = s_status_key(k2, a);
        if ((rc = s_put_empty(txn, r->by_status, k2, l2)))
            return rc;
    }
    if (due_changed) {
        if (b) {
            l1 = s_due_key(k1, b);
            if ((rc = s_del(txn, r->by_due, k1, l1)))
                return rc;
        }
        l2 = s_due_key(k2, a);
        if ((rc = s_put_empty(txn, r->by_due, k2, l2)))
            return rc;
    }
    return 0;
}

/* ----------------------------------------------------------------- audit */

static const uint8_t s_zero[REC_HASH_LEN];
static const uint8_t s_head_key[1] = { 0 };

static int s_global_head(records_t *r, MDB_txn *txn, uint64_t *seq, uint8_t hash[REC_HASH_LEN])
{
    MDB_val k = { 1, (void *) s_head_key }, v;
    int rc = mdb_get(txn, r->audit_idx, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *seq = 0;
        memset(hash, 0, REC_HASH_LEN);
        return 0;
    }
    if (rc)
        return rc;
    if (v.mv_size != 8 + REC_HASH_LEN)
        return MDB_CORRUPTED;
    *seq = ent_be64_get(v.mv_data);
    memcpy(hash, (uint8_t *) v.mv_data + 8, REC_HASH_LEN);
    return 0;
}

/* The last link of an interview's chain: *n (0 when none) and its hash. */
static int s_interview_head(records_t *r, MDB_txn *txn, const char *id, uint32_t *n, uint8_t hash[REC_HASH_LEN],
                            uint64_t *seq)
{
    uint8_t key[REC_ID_MAX + 6];
    size_t il = strlen(id);
    memcpy(key, id, il);
    key[il] = 0;
    ent_be32_put(key + il + 1, UINT32_MAX);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->audit_idx, &cur);
    if (rc)
        return rc;
    MDB_val k = { il + 5, key }, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(cur, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
    *n = 0;
    memset(hash, 0, REC_HASH_LEN);
    if (seq)
        *seq = 0;
    if (rc == 0 && k.mv_size == il + 5 && memcmp(k.mv_data, key, il + 1) == 0 && v.mv_size == 8 + REC_HASH_LEN) {
        *n = ent_be32_get((uint8_t *) k.mv_data + il + 1);
        memcpy(hash, (uint8_t *) v.mv_data + 8, REC_HASH_LEN);
        if (seq)
            *seq = ent_be64_get(v.mv_data);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

static char *s_details_text(json_t *details)
{
    char *s = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : strdup("{}");
    return s;
}

/* Appends one record; interview_id NULL for global-only records. */
static int s_audit_append(records_t *r, MDB_txn *txn, const char *interview_id, const char *actor, const char *action,
                          json_t *details, const uint8_t digest[REC_HASH_LEN], uint32_t *iseq_out)
{
    uint64_t seq;
    uint8_t prev[REC_HASH_LEN], prev_i[REC_HASH_LEN];
    uint32_t n = 0;
    int rc = s_global_head(r, txn, &seq, prev);
    if (!rc && interview_id)
        rc = s_interview_head(r, txn, interview_id, &n, prev_i, NULL);
    if (rc)
        return rc;
    char *text = s_details_text(details);
    if (!text)
        return ENOMEM;
    Entretiens__V1__AuditRecord rec = ENTRETIENS__V1__AUDIT_RECORD__INIT;
    rec.seq = seq + 1;
    rec.interview_id = (char *) rec_str(interview_id);
    rec.interview_seq = interview_id ? n + 1 : 0;
    rec.actor = (char *) rec_str(actor);
    rec.action = (char *) action;
    rec.at_ms = ent_clock_now_ms();
    rec.details = text;
    rec.state_digest = (ProtobufCBinaryData) { REC_HASH_LEN, (uint8_t *) digest };
    uint8_t hashes[4 * REC_HASH_LEN];
    rc = rec_audit_seal(&rec, prev, interview_id ? prev_i : NULL, hashes);
    if (rc) {
        free(text);
        return rc;
    }
    uint8_t key[8];
    ent_be64_put(key, rec.seq);
    MDB_val k = { 8, key }, v = { entretiens__v1__audit_record__get_packed_size(&rec), NULL };
    rc = mdb_put(txn, r->audit, &k, &v, MDB_APPEND | MDB_RESERVE);
    if (!rc)
        entretiens__v1__audit_record__pack(&rec, v.mv_data);
    uint8_t val[8 + REC_HASH_LEN];
    if (!rc && interview_id) {
        uint8_t ik[REC_ID_MAX + 6];
        size_t il = strlen(interview_id);
        memcpy(ik, interview_id, il);
        ik[il] = 0;
        ent_be32_put(ik + il + 1, n + 1);
        memcpy(val, key, 8);
        memcpy(val + 8, hashes + 3 * REC_HASH_LEN, REC_HASH_LEN);
        MDB_val k2 = { il + 5, ik }, v2 = { sizeof val, val };
        rc = mdb_put(txn, r->audit_idx, &k2, &v2, 0);
    }
    if (!rc) {
        memcpy(val, key, 8);
        memcpy(val + 8, hashes + REC_HASH_LEN, REC_HASH_LEN);
        MDB_val k3 = { 1, (void *) s_head_key }, v3 = { sizeof val, val };
        rc = mdb_put(txn, r->audit_idx, &k3, &v3, 0);
    }
    if (iseq_out)
        *iseq_out = n + 1;
    free(text);
    json_decref(details);
    return rc;
}

int rec_audit_global(records_t *r, MDB_txn *txn, const char *actor, const char *action, json_t *details,
                     const uint8_t state_digest[REC_HASH_LEN])
{
    return s_audit_append(r, txn, NULL, actor, action, details, state_digest ? state_digest : s_zero, NULL);
}

/* The state digest: SHA-256(be64(len(header)) || header || content). */
static void s_state_digest(uint8_t out[REC_HASH_LEN], const void *hdr, size_t hlen, const void *content, size_t clen)
{
    uint8_t lenb[8];
    ent_be64_put(lenb, hlen);
    rec_sha256(out, lenb, 8, hdr, hlen, content, clen, NULL, 0);
}

/* The state digest of an interview as stored, from its header (hv, read
 * from interviews at key k) and its content.  The header is copied first:
 * reading the content may move what hv points to. */
static int s_stored_digest(records_t *r, MDB_txn *txn, MDB_val *k, const MDB_val *hv, uint8_t out[REC_HASH_LEN])
{
    uint8_t *hcopy = malloc(hv->mv_size ? hv->mv_size : 1);
    if (!hcopy)
        return ENOMEM;
    memcpy(hcopy, hv->mv_data, hv->mv_size);
    MDB_val cv;
    int c = mdb_get(txn, r->content, k, &cv);
    if (c == 0 || c == MDB_NOTFOUND)
        s_state_digest(out, hcopy, hv->mv_size, c ? NULL : cv.mv_data, c ? 0 : cv.mv_size);
    free(hcopy);
    return c == MDB_NOTFOUND ? 0 : c;
}

int rec_audit_note(records_t *r, MDB_txn *txn, const char *interview_id, const char *actor, const char *action,
                   json_t *details)
{
    /* the state is unchanged: the record carries the digest of the state
     * as stored, so that verification still matches it */
    MDB_val k = { strlen(interview_id), (void *) interview_id }, hv;
    uint8_t digest[REC_HASH_LEN];
    int rc = mdb_get(txn, r->interviews, &k, &hv);
    if (!rc)
        rc = s_stored_digest(r, txn, &k, &hv, digest);
    if (rc) {
        json_decref(details);
        return rc;
    }
    return s_audit_append(r, txn, interview_id, actor, action, details, digest, NULL);
}

/* --------------------------------------------------------------- digests */

void rec_report_digest(const rec_iv_t *iv, const rec_content_t *c, char out[2 * REC_HASH_LEN + 1])
{
    char held[ENT_DATE_STRLEN];
    char *head = NULL;
    int n = asprintf(&head,
                     "entretiens-report-v1\ninterview:%s\nemployee:%s\ninterviewer:%s\ntype:%s\ntemplate:%s@%u\n"
                     "held_on:%s\nreopen_count:%u\n",
                     rec_str(iv->id), rec_str(iv->employee_id), rec_str(iv->manager_id), rec_str(iv->type),
                     rec_str(iv->template_id), iv->template_version, ent_date_format(ent_pbdate_day(iv->held_on), held),
                     iv->reopen_count);
    const char *ea = iv->employee_shared && c && c->employee_answers ? c->employee_answers : "";
    const char *ma = c && c->manager_answers ? c->manager_answers : "";
    uint8_t d[REC_HASH_LEN];
    rec_sha256(d, head, n > 0 ? (size_t) n : 0, "employee_answers:", 17, ea, strlen(ea), NULL, 0);
    /* chained so that the two answer maps cannot trade bytes */
    rec_sha256(d, d, REC_HASH_LEN, "manager_answers:", 16, ma, strlen(ma), NULL, 0);
    free(head);
    rec_hex(d, REC_HASH_LEN, out);
}

/* ---------------------------------------------------------------- events */

static int s_event(records_t *r, MDB_txn *txn, const rec_change_t *ch, uint32_t iseq)
{
    const rec_iv_t *iv = ch->after;
    Entretiens__V1__InterviewEvent ev = ENTRETIENS__V1__INTERVIEW_EVENT__INIT;
    ev.interview_id = iv->id;
    ev.obligation_id = iv->obligation_id;
    ev.employee_id = iv->employee_id;
    ev.type = iv->type;
    ev.held_on = iv->held_on;
    ev.due_date = iv->due_date;
    ev.manager_id = iv->manager_id;
    ev.entity = iv->entity;
    ev.department = iv->department;
    ev.status = iv->status;
    ev.site = iv->site;
    ev.scheduled_start_ms = iv->scheduled_start_ms;
    ev.duration_min = iv->duration_min;
    ev.place = iv->place;
    ev.video_link = iv->video_link;
    ev.template_id = iv->template_id;
    ev.template_version = iv->template_version;
    ev.locale = iv->locale;
    ev.actor = (char *) rec_str(ch->actor);
    ev.at_ms = iv->updated_at_ms;
    ev.reopen_count = iv->reopen_count;
    ev.reason = (char *) rec_str(ch->reason);
    ev.signed_by_employee = iv->employee_signature != NULL;
    ev.signed_by_manager = iv->manager_signature != NULL;
    ev.previous_manager_id = (char *) rec_str(ch->previous_manager);
    rec_extract_t x = { 0 };
    int rc = 0;
    if (strcmp(ch->event, "records.interview.closed") == 0) {
        /* what was signed: the report's visible answers */
        rec_content_t *c = NULL;
        const rec_content_t *cc = ch->content;
        if (!cc && (rc = rec_content_get(r, txn, iv->id, &c)) != 0)
            return rc;
        if (!cc)
            cc = c;
        json_t *tmpl = NULL;
        rc = rec_template_doc(r, txn, iv->template_id, iv->template_version, &tmpl);
        if (rc == MDB_NOTFOUND || rc == MDB_CORRUPTED)
            rc = 0; /* no template, or one that cannot be read (logged): the event carries no answers */
        if (tmpl) {
            json_t *ma = cc->manager_answers && *cc->manager_answers ? json_loads(cc->manager_answers, 0, NULL) : NULL;
            json_t *ea = iv->employee_shared && cc->employee_answers && *cc->employee_answers
                ? json_loads(cc->employee_answers, 0, NULL) : NULL;
            rc = rec_extract(tmpl, ma, &x);
            if (!rc)
                rc = rec_extract(tmpl, ea, &x);
            json_decref(ma);
            json_decref(ea);
            json_decref(tmpl);
        }
        rec_content_free(c);
        ev.n_ratings = x.n_ratings, ev.ratings = x.ratings;
        ev.n_training_needs = x.n_training_needs, ev.training_needs = x.training_needs;
        ev.n_mobility_wishes = x.n_mobility_wishes, ev.mobility_wishes = x.mobility_wishes;
        ev.n_objectives = x.n_objectives, ev.objectives = x.objectives;
        ev.n_competencies = x.n_competencies, ev.competencies = x.competencies;
        ev.n_action_items = x.n_action_items, ev.action_items = x.action_items;
    }
    char key[160];
    snprintf(key, sizeof key, "%s:%s:%u", iv->id, ch->event + sizeof "records.interview." - 1, iseq);
    if (!rc)
        rc = ent_outbox_append_msg(ent_daemon_outbox(r->d), txn, ch->event, key, rec_str(ch->trace_id),
                                   iv->updated_at_ms, &ev.base, NULL);
    rec_extract_free(&x);
    return rc;
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
    } else {
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
        s_state_digest(digest, hdr, hlen, cbuf, clen);
    if (!rc)
        rc = s_index(r, txn, ch->before, a);
    if (!rc) {
        MDB_val k = { strlen(a->id), a->id }, v = { hlen, hdr };
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
        rc = s_audit_append(r, txn, a->id, ch->actor, ch->action, details, digest, &iseq);
    else
        json_decref(details);
    if (!rc && ch->event)
        rc = s_event(r, txn, ch, iseq);
    if (!rc && ch->event2) {
        rec_change_t second = *ch;
        second.event = ch->event2;
        rc = s_event(r, txn, &second, iseq);
    }
    return rc;
}

/* ---------------------------------------------------------------- verify */

/* Checks one interview's chain (full) or only its state against its last
 * record (quick).  Returns 0 (checked), 1 (broken: rep filled), or an
 * LMDB code. */
static int s_verify_interview(records_t *r, MDB_txn *txn, const char *id, bool full,
                              Entretiens__V1__AuditVerifyReply *rep, char *reason, size_t rsize, char *broken_id,
                              uint64_t *records)
{
    uint8_t key[REC_ID_MAX + 6];
    size_t il = strlen(id);
    memcpy(key, id, il);
    key[il] = 0;
    uint8_t prev_i[REC_HASH_LEN];
    memset(prev_i, 0, sizeof prev_i);
    uint8_t last_digest[REC_HASH_LEN];
    bool have_last = false;
    uint64_t last_seq = 0;
    uint32_t expect = 1, last_n = 0;
    int rc = 0, broken = 0;
    const char *why = NULL;
    if (full) {
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(txn, r->audit_idx, &cur)))
            return rc;
        ent_be32_put(key + il + 1, 0);
        MDB_val k = { il + 5, key }, v;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size != il + 5 || memcmp(k.mv_data, key, il + 1) != 0)
                break;
            uint32_t n = ent_be32_get((uint8_t *) k.mv_data + il + 1);
            uint64_t seq = v.mv_size == 8 + REC_HASH_LEN ? ent_be64_get(v.mv_data) : 0;
            last_seq = seq;
            last_n = n;
            if (n != expect) {
                why = "a link of the interview's chain is missing";
                broken = 1;
                break;
            }
            uint8_t sk[8];
            ent_be64_put(sk, seq);
            MDB_val ak = { 8, sk }, av;
            int g = mdb_get(txn, r->audit, &ak, &av);
            Entretiens__V1__AuditRecord *rec = g == 0 ? entretiens__v1__audit_record__unpack(NULL, av.mv_size, av.mv_data) : NULL;
            if (!rec) {
                why = g == 0 ? "the record cannot be read" : "the record the index points to is missing";
                broken = 1;
                break;
            }
            (*records)++;
            if (strcmp(rec_str(rec->interview_id), id) != 0 || rec->interview_seq != n)
                why = "the record belongs to another chain";
            else if (rec->prev_hash.len == REC_HASH_LEN && rec_audit_check(rec, rec->prev_hash.data, prev_i, &why) == 0) {
                if (memcmp(rec->interview_hash.data, (uint8_t *) v.mv_data + 8, REC_HASH_LEN) != 0)
                    why = "the interview index does not hold the record's hash";
                else
                    why = NULL;
            } else if (!why)
                why = "the record has no hash";
            if (!why) {
                memcpy(prev_i, rec->interview_hash.data, REC_HASH_LEN);
                if (rec->state_digest.len == REC_HASH_LEN) {
                    memcpy(last_digest, rec->state_digest.data, REC_HASH_LEN);
                    have_last = true;
                }
            }
            entretiens__v1__audit_record__free_unpacked(rec, NULL);
            if (why) {
                broken = 1;
                break;
            }
            expect++;
        }
        mdb_cursor_close(cur);
        if (rc && rc != MDB_NOTFOUND && !broken)
            return rc;
        rc = 0;
    } else {
        uint8_t h[REC_HASH_LEN];
        if ((rc = s_interview_head(r, txn, id, &last_n, h, &last_seq)))
            return rc;
        if (last_n) {
            uint8_t sk[8];
            ent_be64_put(sk, last_seq);
            MDB_val ak = { 8, sk }, av;
            Entretiens__V1__AuditRecord *rec = mdb_get(txn, r->audit, &ak, &av) == 0
                ? entretiens__v1__audit_record__unpack(NULL, av.mv_size, av.mv_data) : NULL;
            if (rec && rec->state_digest.len == REC_HASH_LEN) {
                memcpy(last_digest, rec->state_digest.data, REC_HASH_LEN);
                have_last = true;
            } else {
                why = "its last audit record cannot be read";
                broken = 1;
            }
            if (rec)
                entretiens__v1__audit_record__free_unpacked(rec, NULL);
        }
    }
    if (!broken) {
        MDB_val k = { il, (void *) id }, hv;
        int g = mdb_get(txn, r->interviews, &k, &hv);
        if (g == MDB_NOTFOUND) {
            why = last_n ? "the interview was deleted" : "no such interview";
            broken = 1;
        } else if (g) {
            return g;
        } else if (!have_last) {
            why = "the interview has no audit record";
            broken = 1;
        } else {
            uint8_t d[REC_HASH_LEN];
            int c = s_stored_digest(r, txn, &k, &hv, d);
            if (c)
                return c;
            if (memcmp(d, last_digest, REC_HASH_LEN) != 0) {
                why = "the stored interview does not match the digest of its last audit record: it was changed "
                      "outside records";
                broken = 1;
            }
        }
    }
    if (broken) {
        rep->ok = false;
        rep->broken_seq = last_seq;
        rep->broken_interview_seq = last_n;
        snprintf(broken_id, REC_ID_MAX + 1, "%s", id);
        snprintf(reason, rsize, "interview %s, link %u (record %" PRIu64 "): %s", id, last_n, last_seq, why);
        return 1;
    }
    return rc;
}

/* Adds id to rep->purged when the stored header hv says it was purged. */
static int s_note_purged(Entretiens__V1__AuditVerifyReply *rep, const MDB_val *hv, const char *id)
{
    Entretiens__V1__Interview *iv = entretiens__v1__interview__unpack(NULL, hv->mv_size, hv->mv_data);
    bool purged = iv && iv->purged;
    if (iv)
        entretiens__v1__interview__free_unpacked(iv, NULL);
    if (!purged)
        return 0;
    char **a = realloc(rep->purged, (rep->n_purged + 1) * sizeof *a);
    if (!a)
        return ENOMEM;
    rep->purged = a;
    if (!(a[rep->n_purged] = strdup(id)))
        return ENOMEM;
    rep->n_purged++;
    return 0;
}

void rec_audit_verify_free(Entretiens__V1__AuditVerifyReply *rep)
{
    for (size_t i = 0; i < rep->n_purged; i++)
        free(rep->purged[i]);
    free(rep->purged);
    rep->purged = NULL;
    rep->n_purged = 0;
}

int rec_audit_verify(records_t *r, MDB_txn *txn, const char *interview_id, Entretiens__V1__AuditVerifyReply *rep,
                     char *reason, size_t rsize, char *head, char *broken_id)
{
    rep->ok = true;
    reason[0] = head[0] = broken_id[0] = '\0';
    uint64_t records = 0;
    int rc;
    if (interview_id && *interview_id) {
        rc = s_verify_interview(r, txn, interview_id, true, rep, reason, rsize, broken_id, &records);
        rep->records = records;
        rep->interviews = 1;
        uint32_t n;
        uint8_t h[REC_HASH_LEN];
        if (rc == 0 && s_interview_head(r, txn, interview_id, &n, h, NULL) == 0)
            rec_hex(h, REC_HASH_LEN, head);
        MDB_val k = { strlen(interview_id), (void *) interview_id }, hv;
        if (rc == 0 && mdb_get(txn, r->interviews, &k, &hv) == 0)
            rc = s_note_purged(rep, &hv, interview_id);
        return rc == 1 ? 0 : rc;
    }
    /* the global chain: every record, in order */
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, r->audit, &cur)))
        return rc;
    uint8_t prev[REC_HASH_LEN];
    memset(prev, 0, sizeof prev);
    uint64_t expect = 1;
    MDB_val k, v;
    const char *why = NULL;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t seq = k.mv_size == 8 ? ent_be64_get(k.mv_data) : 0;
        Entretiens__V1__AuditRecord *rec = entretiens__v1__audit_record__unpack(NULL, v.mv_size, v.mv_data);
        records++;
        if (seq != expect)
            why = "a record is missing before this one";
        else if (!rec)
            why = "the record cannot be read";
        else if (rec->seq != seq)
            why = "the record's seq is not its key";
        else
            rec_audit_check(rec, prev, NULL, &why) == 0 ? (void) (why = NULL) : (void) 0;
        if (why) {
            rep->ok = false;
            rep->broken_seq = seq;
            if (rec) {
                snprintf(broken_id, REC_ID_MAX + 1, "%s", rec_str(rec->interview_id));
                rep->broken_interview_seq = rec->interview_seq;
            }
            snprintf(reason, rsize, "record %" PRIu64 "%s%s: %s", seq, broken_id[0] ? " of interview " : "", broken_id, why);
            if (rec)
                entretiens__v1__audit_record__free_unpacked(rec, NULL);
            break;
        }
        memcpy(prev, rec->hash.data, REC_HASH_LEN);
        entretiens__v1__audit_record__free_unpacked(rec, NULL);
        expect++;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    rep->records = records;
    if (!rep->ok)
        return 0;
    uint64_t hseq;
    uint8_t hh[REC_HASH_LEN];
    if ((rc = s_global_head(r, txn, &hseq, hh)))
        return rc;
    if (hseq != expect - 1 || memcmp(hh, prev, REC_HASH_LEN) != 0) {
        rep->ok = false;
        rep->broken_seq = expect - 1;
        snprintf(reason, rsize, "the chain's head (record %" PRIu64 ") does not match its last record (%" PRIu64
                 "): records were removed at the end", hseq, expect - 1);
        return 0;
    }
    rec_hex(prev, REC_HASH_LEN, head);
    /* every interview's stored state against its last record */
    if ((rc = mdb_cursor_open(txn, r->interviews, &cur)))
        return rc;
    char id[REC_ID_MAX + 1];
    uint64_t n = 0, dummy = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t l = k.mv_size < REC_ID_MAX ? k.mv_size : REC_ID_MAX;
        memcpy(id, k.mv_data, l);
        id[l] = '\0';
        n++;
        int x = s_verify_interview(r, txn, id, false, rep, reason, rsize, broken_id, &dummy);
        if (x == 0)
            x = s_note_purged(rep, &v, id);
        if (x == 1) {
            rc = 0;
            break;
        }
        if (x) {
            rc = x;
            break;
        }
    }
    mdb_cursor_close(cur);
    rep->interviews = n;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int rec_audit_list(records_t *r, MDB_txn *txn, const char *interview_id, Entretiens__V1__AuditRecord ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    uint8_t key[REC_ID_MAX + 6];
    size_t il = strlen(interview_id);
    if (il == 0 || il > REC_ID_MAX)
        return 0;
    memcpy(key, interview_id, il);
    key[il] = 0;
    ent_be32_put(key + il + 1, 0);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->audit_idx, &cur);
    if (rc)
        return rc;
    MDB_val k = { il + 5, key }, v;
    size_t cap = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != il + 5 || memcmp(k.mv_data, key, il + 1) != 0 || v.mv_size != 8 + REC_HASH_LEN)
            break;
        MDB_val ak = { 8, v.mv_data }, av;
        int g = mdb_get(txn, r->audit, &ak, &av);
        if (g && g != MDB_NOTFOUND) {
            rc = g;
            break;
        }
        Entretiens__V1__AuditRecord *rec = g == 0 ? entretiens__v1__audit_record__unpack(NULL, av.mv_size, av.mv_data)
                                                  : NULL;
        if (!rec) {
            /* a trail with a hole is not shown as if whole: the caller says
             * so (audit verify names the break) */
            ent_log_error("records.audit", "interview %s: audit record %llu %s", interview_id,
                          (unsigned long long) ent_be64_get(v.mv_data), g ? "is missing" : "cannot be read");
            rc = MDB_CORRUPTED;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            Entretiens__V1__AuditRecord **a = realloc(*out, cap * sizeof *a);
            if (!a) {
                entretiens__v1__audit_record__free_unpacked(rec, NULL);
                rc = ENOMEM;
                break;
            }
            *out = a;
        }
        (*out)[(*n)++] = rec;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}
