/*  password.c — Argon2id hashing through libsodium (password.h). */
#include "common/password.h"

#include <sodium.h>
#include <string.h>

int ent_password_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

const char *ent_password_weakness(const char *password, size_t len)
{
    if (!password || len < ENT_PASSWORD_MIN)
        return "a password has at least 10 characters";
    if (len > ENT_PASSWORD_MAX)
        return "a password has at most 1024 bytes";
    if (memchr(password, '\0', len))
        return "a password may not contain a NUL byte";
    size_t spaces = 0;
    for (size_t i = 0; i < len; i++)
        spaces += password[i] == ' ' || password[i] == '\t';
    if (spaces == len)
        return "a password may not be only spaces";
    return NULL;
}

int ent_password_hash(const char *password, size_t len, char out[ENT_PASSWORD_HASH_MAX])
{
    _Static_assert(crypto_pwhash_STRBYTES <= ENT_PASSWORD_HASH_MAX, "hash buffer too small");
    if (ent_password_init() != 0 || ent_password_weakness(password, len))
        return -1;
    if (crypto_pwhash_str_alg(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return -1;
    return 0;
}

bool ent_password_verify(const char *hash, const char *password, size_t len)
{
    if (!hash || !password || ent_password_init() != 0)
        return false;
    char buf[ENT_PASSWORD_HASH_MAX];
    size_t n = strnlen(hash, sizeof buf);
    if (n == 0 || n >= sizeof buf || len > ENT_PASSWORD_MAX)
        return false;
    memcpy(buf, hash, n + 1);
    return crypto_pwhash_str_verify(buf, password, len) == 0;
}

void ent_password_burn(const char *password, size_t len)
{
    /* a fixed hash of a random string, same cost as real ones */
    static char dummy[ENT_PASSWORD_HASH_MAX];
    static int ready;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        char h[ENT_PASSWORD_HASH_MAX];
        unsigned char r[16];
        if (ent_password_init() != 0)
            return;
        randombytes_buf(r, sizeof r);
        if (crypto_pwhash_str_alg(h, (const char *) r, sizeof r, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
            return;
        memcpy(dummy, h, sizeof dummy);
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    (void) ent_password_verify(dummy, password, len);
}
