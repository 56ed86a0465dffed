/*  audit_chain.c — records' tamper-evident trail: each change of an
 *  interview appends a record chained to the interview's previous one and
 *  to the global head (SHA-256), holding the digest of the state written;
 *  the report's digest; the verification of one interview's chain or of
 *  the whole trail; the listing of an interview's records (records.h).
 *  Written only through rec_commit (store.c), in the same transaction as
 *  the change it records.
 */
#include "records.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- audit */

static const uint8_t s_zero[REC_HASH_LEN];
static const uint8_t s_head_key[1] = { 0 };

/* The global chain's head (seq 0 and zeros when empty).  turn: for a
 * record appended on the loop thread, through the turn's memo while the
 * events create (idxbatch.c); else (the verification, on a worker thread
 * too) as committed in txn, the memo never touched. */
static int s_global_head(records_t *r, MDB_txn *txn, bool turn, uint64_t *seq, uint8_t hash[REC_HASH_LEN])
{
    uint8_t v[8 + REC_HASH_LEN];
    size_t len = sizeof v;
    int rc;
    if (turn) {
        rc = rec_memo_get(r, txn, REC_MEMO_AUDIT_HEAD, r->audit_idx, s_head_key, sizeof s_head_key, v, &len);
    } else {
        MDB_val k = { sizeof s_head_key, (void *) s_head_key }, d;
        rc = mdb_get(txn, r->audit_idx, &k, &d);
        if (!rc && d.mv_size > sizeof v)
            rc = MDB_CORRUPTED;
        if (!rc) {
            memcpy(v, d.mv_data, d.mv_size);
            len = d.mv_size;
        }
    }
    if (rc == MDB_NOTFOUND) {
        *seq = 0;
        memset(hash, 0, REC_HASH_LEN);
        return 0;
    }
    if (rc)
        return rc;
    if (len != 8 + REC_HASH_LEN)
        return MDB_CORRUPTED;
    *seq = ent_be64_get(v);
    memcpy(hash, v + 8, REC_HASH_LEN);
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

/* True when s needs no escape in JSON (printable ASCII, no quote, no
 * backslash). */
static bool s_plain(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return false;
    }
    return true;
}

char *rec_details_flat(const rec_detail_t *d, size_t n)
{
    enum { MAX_KEYS = 16 };
    const rec_detail_t *f[MAX_KEYS];
    size_t len = 3;
    if (n > MAX_KEYS)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!s_plain(d[i].key, strlen(d[i].key)) || (d[i].str && !s_plain(d[i].str, strlen(d[i].str))))
            return NULL;
        len += strlen(d[i].key) + 4 + (d[i].str ? strlen(d[i].str) + 2 : 24);
        /* sorted by key as JSON_SORT_KEYS does (strcmp), by insertion: a
         * handful of keys */
        size_t j = i;
        for (; j > 0 && strcmp(f[j - 1]->key, d[i].key) > 0; j--)
            f[j] = f[j - 1];
        f[j] = &d[i];
    }
    char *out = malloc(len), *p = out;
    if (!out)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(f[i]->key);
        if (i)
            *p++ = ',';
        *p++ = '"';
        memcpy(p, f[i]->key, kl);
        p += kl;
        *p++ = '"';
        *p++ = ':';
        if (f[i]->str) {
            size_t sl = strlen(f[i]->str);
            *p++ = '"';
            memcpy(p, f[i]->str, sl);
            p += sl;
            *p++ = '"';
        } else {
            p += snprintf(p, 24, "%" JSON_INTEGER_FORMAT, (json_int_t) f[i]->num);
        }
    }
    *p++ = '}';
    *p = '\0';
    return out;
}

json_t *rec_details_json(const rec_detail_t *d, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        if (json_object_set_new(o, d[i].key, d[i].str ? json_string(d[i].str) : json_integer((json_int_t) d[i].num))) {
            json_decref(o);
            o = NULL;
        }
    return o;
}

/* A flat object of plain strings and integers written directly (NULL when
 * details is anything else, or on ENOMEM).  A string with a NUL inside is
 * not plain: jansson writes it escaped. */
static char *s_flat_text(json_t *details)
{
    enum { MAX_KEYS = 16 };
    rec_detail_t f[MAX_KEYS];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(details, k, v) {
        if (n == MAX_KEYS)
            return NULL;
        if (json_is_string(v)) {
            if (strlen(json_string_value(v)) != json_string_length(v))
                return NULL;
            f[n++] = (rec_detail_t) { .key = k, .str = json_string_value(v) };
        } else if (json_is_integer(v)) {
            f[n++] = (rec_detail_t) { .key = k, .num = json_integer_value(v) };
        } else {
            return NULL;
        }
    }
    return rec_details_flat(f, n);
}

char *rec_details_text(json_t *details)
{
    if (!details)
        return strdup("{}");
    char *s = s_flat_text(details);
    return s ? s : json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

/* Appends one record; interview_id NULL for global-only records. */
/* The reason of the record numbered iseq in interview_id's chain: sealed
 * into *sealed (details say so) when encryption is on, else in details in
 * clear.  Returns 0, ENOMEM or a keystore code. */
static int s_reason(records_t *r, const char *interview_id, uint32_t iseq, const char *employee, const char *reason,
                    json_t **details, uint8_t **sealed, size_t *sealed_len)
{
    if (!*details && !(*details = json_object()))
        return ENOMEM;
    if (!r->crypt || !r->encrypt || !interview_id || !employee || !*employee)
        return json_object_set_new(*details, "reason", json_string(reason)) ? ENOMEM : 0;
    char field[32];
    rec_audit_reason_field(iseq, field);
    int rc = rec_crypt_seal(r->crypt, employee, interview_id, field, (const uint8_t *) reason, strlen(reason), sealed,
                            sealed_len);
    if (!rc && json_object_set_new(*details, "reason", json_string("sealed")))
        rc = ENOMEM;
    return rc;
}

void rec_audit_reason_field(uint32_t iseq, char out[32])
{
    snprintf(out, 32, "reason@%" PRIu32, iseq);
}

int rec_audit_append(records_t *r, MDB_txn *txn, const char *interview_id, const char *actor, const char *action,
                     json_t *details, const rec_detail_t *flat, size_t n_flat, const char *employee,
                     const char *reason, const uint8_t digest[REC_HASH_LEN], bool first, uint32_t *iseq_out)
{
    uint64_t seq = 0;
    uint8_t prev[REC_HASH_LEN], prev_i[REC_HASH_LEN];
    uint32_t n = 0;
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    int rc = s_global_head(r, txn, true, &seq, prev);
    if (!rc && interview_id && !first)
        rc = s_interview_head(r, txn, interview_id, &n, prev_i, NULL);
    else if (interview_id)
        memset(prev_i, 0, REC_HASH_LEN); /* a new interview's chain starts from zeros */
    bool has_reason = reason && *reason;
    char *text = NULL;
    if (!rc && !details && flat && !has_reason)
        text = rec_details_flat(flat, n_flat);
    if (!rc && !text && !details && flat && !(details = rec_details_json(flat, n_flat)))
        rc = ENOMEM; /* not plain (or a reason to add): through jansson */
    if (!rc && has_reason)
        rc = s_reason(r, interview_id, n + 1, employee, reason, &details, &sealed, &sealed_len);
    if (!rc && !text)
        text = rec_details_text(details);
    if (!text) {
        json_decref(details);
        free(sealed);
        return rc ? rc : ENOMEM;
    }
    Entretiens__V1__AuditRecord rec = ENTRETIENS__V1__AUDIT_RECORD__INIT;
    rec.seq = seq + 1;
    rec.interview_id = (char *) rec_str(interview_id);
    rec.interview_seq = interview_id ? n + 1 : 0;
    rec.actor = (char *) rec_str(actor);
    rec.action = (char *) action;
    rec.at_ms = ent_clock_now_ms();
    rec.details = text;
    rec.state_digest = (ProtobufCBinaryData) { REC_HASH_LEN, (uint8_t *) digest };
    rec.sealed_reason = (ProtobufCBinaryData) { sealed_len, sealed };
    uint8_t hashes[4 * REC_HASH_LEN], buf[1024], *packed = NULL;
    size_t plen = 0;
    rc = rec_audit_seal_packed(r->md, &rec, prev, interview_id ? prev_i : NULL, hashes, buf, sizeof buf, &packed, &plen);
    if (rc) {
        free(text);
        free(sealed);
        json_decref(details);
        return rc;
    }
    uint8_t key[8];
    ent_be64_put(key, rec.seq);
    MDB_val k = { 8, key }, v = { plen, packed };
    rc = mdb_put(txn, r->audit, &k, &v, MDB_APPEND);
    if (packed != buf)
        free(packed);
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
        /* a new interview has the highest id: its chain goes at the end
         * (MDB_APPEND refuses a key that is not, then the plain put) */
        rc = mdb_put(txn, r->audit_idx, &k2, &v2, first ? MDB_APPEND : 0);
        if (rc == MDB_KEYEXIST && first)
            rc = mdb_put(txn, r->audit_idx, &k2, &v2, 0);
    }
    if (!rc) {
        memcpy(val, key, 8);
        memcpy(val + 8, hashes + REC_HASH_LEN, REC_HASH_LEN);
        rc = rec_memo_put(r, txn, REC_MEMO_AUDIT_HEAD, r->audit_idx, s_head_key, sizeof s_head_key, val, sizeof val);
    }
    if (iseq_out)
        *iseq_out = n + 1;
    free(text);
    free(sealed);
    json_decref(details);
    return rc;
}

int rec_audit_global(records_t *r, MDB_txn *txn, const char *actor, const char *action, json_t *details,
                     const uint8_t state_digest[REC_HASH_LEN])
{
    return rec_audit_append(r, txn, NULL, actor, action, details, NULL, 0, NULL, NULL,
                            state_digest ? state_digest : s_zero, false, NULL);
}

/* The state digest: SHA-256(be64(len(header)) || header || content). */
void rec_state_digest(EVP_MD_CTX *ctx, uint8_t out[REC_HASH_LEN], const void *hdr, size_t hlen, const void *content,
                      size_t clen)
{
    uint8_t lenb[8];
    ent_be64_put(lenb, hlen);
    rec_sha256_with(ctx, out, lenb, 8, hdr, hlen, content, clen, NULL, 0);
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
        rec_state_digest(NULL, out, hcopy, hv->mv_size, c ? NULL : cv.mv_data, c ? 0 : cv.mv_size);
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
    return rec_audit_append(r, txn, interview_id, actor, action, details, NULL, 0, NULL, NULL, digest, false, NULL);
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
    if ((rc = s_global_head(r, txn, false, &hseq, hh)))
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
