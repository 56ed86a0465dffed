/*  audit.c — SHA-256 chaining of the audit trail (rec_audit.h). */
#include "rec_audit.h"

#include "common/pbwire.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 fetched once: EVP_sha256() in EVP_DigestInit_ex looks the
 * algorithm up in the provider again at every call (about a tenth of the
 * hashing of a created interview).  Thread-safe: pthread_once, and an
 * EVP_MD is shared read-only (the audit verification runs on a worker). */
static pthread_once_t s_md_once = PTHREAD_ONCE_INIT;
static EVP_MD *s_md;

static void s_md_fetch(void)
{
    s_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void rec_sha256_with(EVP_MD_CTX *ctx, uint8_t out[REC_HASH_LEN], const void *a, size_t alen, const void *b,
                     size_t blen, const void *c, size_t clen, const void *d, size_t dlen)
{
    pthread_once(&s_md_once, s_md_fetch);
    EVP_MD_CTX *own = ctx ? NULL : EVP_MD_CTX_new();
    EVP_MD_CTX *x = ctx ? ctx : own;
    unsigned int n = 0;
    /* an initialisation starts the context over: a kept one is reused */
    if (!x || EVP_DigestInit_ex(x, s_md ? s_md : EVP_sha256(), NULL) != 1) {
        memset(out, 0, REC_HASH_LEN);
        EVP_MD_CTX_free(own);
        return;
    }
    if (a && alen)
        EVP_DigestUpdate(x, a, alen);
    if (b && blen)
        EVP_DigestUpdate(x, b, blen);
    if (c && clen)
        EVP_DigestUpdate(x, c, clen);
    if (d && dlen)
        EVP_DigestUpdate(x, d, dlen);
    EVP_DigestFinal_ex(x, out, &n);
    EVP_MD_CTX_free(own);
}

void rec_sha256(uint8_t out[REC_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen, const void *c,
                size_t clen, const void *d, size_t dlen)
{
    rec_sha256_with(NULL, out, a, alen, b, blen, c, clen, d, dlen);
}

char *rec_hex(const uint8_t *digest, size_t len, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hx[digest[i] >> 4];
        out[2 * i + 1] = hx[digest[i] & 15];
    }
    out[2 * len] = '\0';
    return out;
}

/* The body's message: r without its four hashes, in *b; returns its
 * packed size. */
static size_t s_body_of(const Entretiens__V1__AuditRecord *r, Entretiens__V1__AuditRecord *b)
{
    *b = *r;
    b->prev_hash.len = b->hash.len = b->prev_interview_hash.len = b->interview_hash.len = 0;
    b->prev_hash.data = b->hash.data = b->prev_interview_hash.data = b->interview_hash.data = NULL;
    return entretiens__v1__audit_record__get_packed_size(b);
}

/* The body: the record packed without its hashes.  malloc'd. */
static uint8_t *s_body(const Entretiens__V1__AuditRecord *r, size_t *len)
{
    Entretiens__V1__AuditRecord b;
    *len = s_body_of(r, &b);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        entretiens__v1__audit_record__pack(&b, buf);
    return buf;
}

int rec_audit_seal_packed(EVP_MD_CTX *ctx, Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN],
                          const uint8_t *prev_i, uint8_t store[4 * REC_HASH_LEN], uint8_t *buf, size_t cap,
                          uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    Entretiens__V1__AuditRecord b;
    size_t blen = s_body_of(r, &b);
    size_t nh = prev_i ? 4 : 2; /* the hash fields present: 9 and 10, and 11 and 12 in an interview's chain */
    size_t total = blen + nh * (2 + REC_HASH_LEN);
    uint8_t *p = total <= cap ? buf : malloc(total);
    if (!p)
        return ENOMEM;
    entretiens__v1__audit_record__pack(&b, p);
    memcpy(store, prev, REC_HASH_LEN);
    rec_sha256_with(ctx, store + REC_HASH_LEN, prev, REC_HASH_LEN, p, blen, NULL, 0, NULL, 0);
    r->prev_hash = (ProtobufCBinaryData) { REC_HASH_LEN, store };
    r->hash = (ProtobufCBinaryData) { REC_HASH_LEN, store + REC_HASH_LEN };
    if (prev_i) {
        memcpy(store + 2 * REC_HASH_LEN, prev_i, REC_HASH_LEN);
        rec_sha256_with(ctx, store + 3 * REC_HASH_LEN, prev_i, REC_HASH_LEN, p, blen, NULL, 0, NULL, 0);
        r->prev_interview_hash = (ProtobufCBinaryData) { REC_HASH_LEN, store + 2 * REC_HASH_LEN };
        r->interview_hash = (ProtobufCBinaryData) { REC_HASH_LEN, store + 3 * REC_HASH_LEN };
    } else {
        r->prev_interview_hash = (ProtobufCBinaryData) { 0, NULL };
        r->interview_hash = (ProtobufCBinaryData) { 0, NULL };
    }
    /* protobuf-c writes the fields in the order of their numbers, a bytes
     * field only when it is not empty: the whole record is the body with
     * fields 9 to 12 (tag, length 32, the hash) inserted before field 13,
     * the body's last when present (tag 106, a varint length, the bytes) */
    size_t tl = r->sealed_reason.len ? 1 + ent_pb_varint_len(r->sealed_reason.len) + r->sealed_reason.len : 0;
    memmove(p + blen - tl + nh * (2 + REC_HASH_LEN), p + blen - tl, tl);
    static const uint8_t tags[4] = { 9 << 3 | 2, 10 << 3 | 2, 11 << 3 | 2, 12 << 3 | 2 };
    uint8_t *w = p + blen - tl;
    for (size_t i = 0; i < nh; i++) {
        *w++ = tags[i];
        *w++ = REC_HASH_LEN;
        memcpy(w, store + i * REC_HASH_LEN, REC_HASH_LEN);
        w += REC_HASH_LEN;
    }
    *out = p;
    *len = total;
    return 0;
}

int rec_audit_seal(Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN], const uint8_t *prev_i,
                   uint8_t store[4 * REC_HASH_LEN])
{
    uint8_t buf[1024], *packed = NULL;
    size_t len = 0;
    int rc = rec_audit_seal_packed(NULL, r, prev, prev_i, store, buf, sizeof buf, &packed, &len);
    if (packed != buf)
        free(packed);
    return rc;
}

int rec_audit_check(const Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN], const uint8_t *prev_i,
                    const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (r->prev_hash.len != REC_HASH_LEN || r->hash.len != REC_HASH_LEN) {
        *why = "the record has no hash";
        return -1;
    }
    if (memcmp(r->prev_hash.data, prev, REC_HASH_LEN) != 0) {
        *why = "its previous hash is not the hash of the record before it (a record was removed, inserted or changed)";
        return -1;
    }
    size_t len;
    uint8_t *body = s_body(r, &len);
    if (!body) {
        *why = "out of memory";
        return -1;
    }
    uint8_t h[REC_HASH_LEN];
    rec_sha256(h, prev, REC_HASH_LEN, body, len, NULL, 0, NULL, 0);
    int rc = 0;
    if (memcmp(h, r->hash.data, REC_HASH_LEN) != 0) {
        *why = "hash mismatch: the record was changed after it was written";
        rc = -1;
    } else if (prev_i) {
        if (r->prev_interview_hash.len != REC_HASH_LEN || r->interview_hash.len != REC_HASH_LEN) {
            *why = "the record has no interview hash";
            rc = -1;
        } else if (memcmp(r->prev_interview_hash.data, prev_i, REC_HASH_LEN) != 0) {
            *why = "its previous interview hash is not the hash of the interview's record before it";
            rc = -1;
        } else {
            rec_sha256(h, prev_i, REC_HASH_LEN, body, len, NULL, 0, NULL, 0);
            if (memcmp(h, r->interview_hash.data, REC_HASH_LEN) != 0) {
                *why = "interview hash mismatch: the record was changed after it was written";
                rc = -1;
            }
        }
    }
    free(body);
    return rc;
}
