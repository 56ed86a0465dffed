/*  rec_crypt.h — content at rest: one data key per employee, wrapped by the
 *  master key, and crypto-shredding (docs/data-protection.md).
 *
 *  Every value records stores that holds what was said or written about a
 *  person (the answers, the preparations, the interviewer's notes, and the
 *  free-text parts of an interview's header: title, reasons, signature
 *  comments, carried objectives and action items) is sealed with
 *  XChaCha20-Poly1305 (libsodium, crypto_aead_xchacha20poly1305_ietf) under
 *  the data key of the employee the interview is about.  The additional
 *  data binds a ciphertext to its place: interview id, field and employee,
 *  so that a ciphertext copied to another interview or field is refused.
 *
 *  The data keys live in their own LMDB environment, the keystore
 *  (ENTRETIENS_RECORDS_KEYSTORE, default <data dir>/records-keys), NOT in
 *  records' store: a backup of records' store (entretiensctl backup, a copy
 *  of data.mdb) holds ciphertexts but no key.  Each key is kept wrapped
 *  (XChaCha20-Poly1305 under the master key, keys directory
 *  "records.master", additional data the employee id).  Shredding an
 *  employee's key makes every ciphertext of that employee unreadable
 *  everywhere: live store and every earlier backup of it.
 *
 *  A sealed value:  "\xE1enc" | key id (8) | len(employee) (1) | employee |
 *                   nonce (24) | ciphertext + tag (16)
 *  The key id is random per key: a ciphertext whose key was shredded (none
 *  now, or a newer one) is told apart from one that was altered.
 *
 *  One instance per records process, loop thread only.  The keystore is
 *  written in its own transactions, committed (and synced unless nosync)
 *  before the caller's turn commits: a key is durable before any content
 *  sealed under it, and a shred is durable even when the turn is redone.
 *  Inside a turn (rec_crypt_batch_begin) the turn's new keys share one
 *  transaction, committed once before the turn's (rec_crypt_batch_commit):
 *  a scheduler's recompute that cancels thousands of interviews, each
 *  reason sealed under a key created for it, syncs the keystore once, not
 *  once per employee.
 */
#ifndef REC_CRYPT_H
#define REC_CRYPT_H

#include "common/keys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_CRYPT_MASTER "records"          /* KEYS_DIR/records.master */
#define REC_CRYPT_EMPLOYEE_MAX 255

/* Errors (beyond errno and LMDB codes). */
#define REC_CRYPT_SHREDDED (-31001)          /* the key of this ciphertext was destroyed */
#define REC_CRYPT_FORGED   (-31002)          /* the ciphertext or its place was altered */

typedef struct rec_crypt rec_crypt_t;

/* Opens (creating) the keystore in directory dir with the master key
 * (copied; the caller wipes its own).  nosync as the daemon's store.
 * Returns 0 and *out, or an errno / LMDB code (EBUSY: another process has
 * the keystore open). */
int rec_crypt_open(const char *dir, const unsigned char master[ENT_MASTER_KEY_LEN], bool nosync, rec_crypt_t **out);

/* Closes and wipes the keys held in memory; *c_p = NULL.  Safe on NULL. */
void rec_crypt_destroy(rec_crypt_t **c_p);

/* True when v starts as a sealed value (else it is clear, from before
 * encryption at rest). */
bool rec_crypt_is_sealed(const uint8_t *v, size_t n);

/* Seals pt for employee (whose key is created when it has none) at
 * (interview id, field).  *out malloc'd (caller frees), *outlen set.
 * Returns 0, EINVAL (employee empty or over 255 bytes), ENOMEM, or an LMDB
 * code of the keystore. */
int rec_crypt_seal(rec_crypt_t *c, const char *employee, const char *interview_id, const char *field,
                   const uint8_t *pt, size_t n, uint8_t **out, size_t *outlen);

/* Opens a sealed value found at (interview id, field).  *out malloc'd
 * (n + 1 bytes, NUL-terminated for convenience), *outlen the plaintext's
 * length.  Returns 0, REC_CRYPT_SHREDDED (the employee's key is gone or was
 * replaced), REC_CRYPT_FORGED (authentication failed: altered or moved),
 * EINVAL (not a sealed value), ENOMEM, or an LMDB code.  When employee_out
 * is not NULL it receives the employee the value names (even on failure,
 * when the header could be read; "" otherwise). */
int rec_crypt_open_value(rec_crypt_t *c, const char *interview_id, const char *field, const uint8_t *v, size_t n,
                         uint8_t **out, size_t *outlen, char employee_out[REC_CRYPT_EMPLOYEE_MAX + 1]);

/* From now on, the keys rec_crypt_seal creates are written into one
 * keystore transaction (opened at the first), not committed each: the
 * daemon's turn begins (ent_daemon_on_commit). */
void rec_crypt_batch_begin(rec_crypt_t *c);

/* Commits the keys created since rec_crypt_batch_begin (synced unless
 * nosync) and ends the batch: before the turn commits anything sealed
 * under them.  Returns 0, or an LMDB code (the keys are then not stored
 * and are forgotten from memory: the caller aborts its turn). */
int rec_crypt_batch_commit(rec_crypt_t *c);

/* Drops the keys created since rec_crypt_batch_begin (the turn was
 * aborted: nothing sealed under them is stored) and forgets every key held
 * in memory; ends the batch.  Safe when none is open. */
void rec_crypt_batch_abort(rec_crypt_t *c);

/* Destroys employee's key (crypto-shredding); the keystore keeps no copy.
 * Commits a batch in progress first (it goes on afterwards).  *existed
 * tells whether there was one.  Returns 0 or an LMDB code. */
int rec_crypt_shred(rec_crypt_t *c, const char *employee, bool *existed);

/* True when employee has a key now.  Returns false on a keystore error. */
bool rec_crypt_has_key(rec_crypt_t *c, const char *employee);

#endif
