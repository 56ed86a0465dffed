/*  audit.c — SHA-256 chaining of the audit trail (rec_audit.h). */
#include "rec_audit.h"

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

void rec_sha256(uint8_t out[REC_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen, const void *c,
                size_t clen, const void *d, size_t dlen)
{
    pthread_once(&s_md_once, s_md_fetch);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    if (!ctx || EVP_DigestInit_ex(ctx, s_md ? s_md : EVP_sha256(), NULL) != 1) {
        memset(out, 0, REC_HASH_LEN);
        EVP_MD_CTX_free(ctx);
        return;
    }
    if (a && alen)
        EVP_DigestUpdate(ctx, a, alen);
    if (b && blen)
        EVP_DigestUpdate(ctx, b, blen);
    if (c && clen)
        EVP_DigestUpdate(ctx, c, clen);
    if (d && dlen)
        EVP_DigestUpdate(ctx, d, dlen);
    EVP_DigestFinal_ex(ctx, out, &n);
    EVP_MD_CTX_free(ctx);
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

/* The body: the record packed without its hashes.  malloc'd. */
static uint8_t *s_body(const Entretiens__V1__AuditRecord *r, size_t *len)
{
    Entretiens__V1__AuditRecord b = *r;
    b.prev_hash.len = b.hash.len = b.prev_interview_hash.len = b.interview_hash.len = 0;
    b.prev_hash.data = b.hash.data = b.prev_interview_hash.data = b.interview_hash.data = NULL;
    *len = entretiens__v1__audit_record__get_packed_size(&b);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        entretiens__v1__audit_record__pack(&b, buf);
    return buf;
}

int rec_audit_seal(Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN], const uint8_t *prev_i,
                   uint8_t store[4 * REC_HASH_LEN])
{
    size_t len;
    uint8_t *body = s_body(r, &len);
    if (!body)
        return ENOMEM;
    memcpy(store, prev, REC_HASH_LEN);
    rec_sha256(store + REC_HASH_LEN, prev, REC_HASH_LEN, body, len, NULL, 0, NULL, 0);
    r->prev_hash = (ProtobufCBinaryData) { REC_HASH_LEN, store };
    r->hash = (ProtobufCBinaryData) { REC_HASH_LEN, store + REC_HASH_LEN };
    if (prev_i) {
        memcpy(store + 2 * REC_HASH_LEN, prev_i, REC_HASH_LEN);
        rec_sha256(store + 3 * REC_HASH_LEN, prev_i, REC_HASH_LEN, body, len, NULL, 0, NULL, 0);
        r->prev_interview_hash = (ProtobufCBinaryData) { REC_HASH_LEN, store + 2 * REC_HASH_LEN };
        r->interview_hash = (ProtobufCBinaryData) { REC_HASH_LEN, store + 3 * REC_HASH_LEN };
    } else {
        r->prev_interview_hash = (ProtobufCBinaryData) { 0, NULL };
        r->interview_hash = (ProtobufCBinaryData) { 0, NULL };
    }
    free(body);
    return 0;
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
