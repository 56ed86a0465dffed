/*  password.h — password hashing for local accounts (Argon2id, libsodium).
 *
 *  The CLI hashes (entretiensctl user add|passwd) so that a password never
 *  leaves the operator's machine; the gateway verifies at login.  The hash
 *  is libsodium's crypto_pwhash_str string ("$argon2id$v=19$m=...,t=...,
 *  p=1$salt$hash"): it carries its own salt and cost, so the cost can be
 *  raised later without invalidating stored hashes.
 *
 *  Cost: OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (64 MiB, about 0.1 s
 *  on one core), libsodium's advice for online logins.
 */
#ifndef ENT_PASSWORD_H
#define ENT_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a hash string (crypto_pwhash_STRBYTES). */
#define ENT_PASSWORD_HASH_MAX 128
/* Shortest and longest password accepted (bytes). */
#define ENT_PASSWORD_MIN 10
#define ENT_PASSWORD_MAX 1024

/* Initialises libsodium (idempotent, thread-safe).  Returns 0, or -1 when
 * the library cannot be initialised (no entropy source). */
int ent_password_init(void);

/* Checks a new password's form: ENT_PASSWORD_MIN..MAX bytes, no NUL, not
 * only spaces.  Returns NULL when acceptable, else a static sentence. */
const char *ent_password_weakness(const char *password, size_t len);

/* Hashes password (len bytes) into out (ENT_PASSWORD_HASH_MAX bytes).
 * Returns 0, or -1 when memory is short (Argon2id needs 64 MiB) or the
 * password is refused by ent_password_weakness. */
int ent_password_hash(const char *password, size_t len, char out[ENT_PASSWORD_HASH_MAX]);

/* True when password matches hash (a string from ent_password_hash).  A
 * malformed hash never matches.  Takes the same time whatever the result. */
bool ent_password_verify(const char *hash, const char *password, size_t len);

/* Spends the time of one verification without any hash, so that a login
 * for an unknown account cannot be told from a wrong password by timing. */
void ent_password_burn(const char *password, size_t len);

#endif
