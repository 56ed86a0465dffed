/*  rec_audit.h — the tamper-evident trail: SHA-256 chaining of AuditRecord,
 *  pure (OpenSSL libcrypto, no store).
 *
 *  Each record is chained twice: globally (hash = SHA-256(prev_hash ||
 *  body)) and within its interview (interview_hash = SHA-256(
 *  prev_interview_hash || body)), where body is the record packed with the
 *  four hash fields empty.  The body holds state_digest, the SHA-256 of the
 *  interview's stored state after the change, so a change to an interview
 *  made behind records' back is caught too (records.c compares it with the
 *  state actually stored).
 */
#ifndef REC_AUDIT_H
#define REC_AUDIT_H

#include "proto/records.pb-c.h"

#include <openssl/evp.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_HASH_LEN 32

/* SHA-256 of the concatenation of up to 4 buffers (NULL / 0 skipped).
 * rec_sha256_with: the same in ctx, a context the caller keeps from call
 * to call on one thread (NULL: one made and freed for the call); a context
 * that cannot be initialised gives 32 zero bytes. */
void rec_sha256_with(EVP_MD_CTX *ctx, uint8_t out[REC_HASH_LEN], const void *a, size_t alen, const void *b,
                     size_t blen, const void *c, size_t clen, const void *d, size_t dlen);
void rec_sha256(uint8_t out[REC_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen, const void *c,
                size_t clen, const void *d, size_t dlen);

/* Lower-case hex of a digest into out (2 * len + 1 bytes). */
char *rec_hex(const uint8_t *digest, size_t len, char *out);

/* Fills r's hash fields from the previous hashes (zeros for the first
 * record of a chain; prev_i NULL when the record belongs to no interview).
 * r's prev_hash / hash / prev_interview_hash / interview_hash point into
 * `store` (4 * 32 bytes, kept alive by the caller).  Returns 0 or ENOMEM. */
int rec_audit_seal(Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN], const uint8_t *prev_i,
                   uint8_t store[4 * REC_HASH_LEN]);

/* rec_audit_seal and the record packed, in one packing: fills r's hash
 * fields as rec_audit_seal does (hashed in ctx, as rec_sha256_with) and
 * sets *out / *len to exactly the bytes entretiens__v1__audit_record__pack
 * gives for r then.  *out is buf when the record fits in cap bytes, else
 * malloc'd (the caller frees it when it is not buf).  Returns 0 or ENOMEM
 * (then *out is NULL). */
int rec_audit_seal_packed(EVP_MD_CTX *ctx, Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN],
                          const uint8_t *prev_i, uint8_t store[4 * REC_HASH_LEN], uint8_t *buf, size_t cap,
                          uint8_t **out, size_t *len);

/* Checks a record against the previous hashes of its chains.  Returns 0,
 * or -1 with a reason ("hash mismatch: the record was changed after it was
 * written", "previous hash does not match record N-1"...). */
int rec_audit_check(const Entretiens__V1__AuditRecord *r, const uint8_t prev[REC_HASH_LEN], const uint8_t *prev_i,
                    const char **why);

#endif
