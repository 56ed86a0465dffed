/*  crypt.c — per-employee data keys, sealing and crypto-shredding
 *  (rec_crypt.h). */
#include "rec_crypt.h"

#include <errno.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_MAGIC "\xE1" "enc"
#define S_MAGIC_LEN 4
#define S_KID 8
#define S_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define S_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define S_KEY crypto_aead_xchacha20poly1305_ietf_KEYBYTES
/* a keystore record: key id | nonce | wrapped key + tag */
#define S_RECORD (S_KID + S_NONCE + S_KEY + S_TAG)
#define S_MAP_SIZE ((size_t) 256 << 20)   /* 256 MiB: a few million keys */
/* Unwrapped data keys kept in memory, least recently used out: a show
 * opens the header and the content under the same key, and a turn often
 * touches the same people again.  Small: a key in memory is a key a memory
 * dump can show (the slots are sodium_malloc'd: locked, guarded, wiped). */
#define S_CACHE 64

typedef struct {
    char employee[REC_CRYPT_EMPLOYEE_MAX + 1]; /* "" = free */
    uint8_t kid[S_KID];
    unsigned char key[S_KEY];
    uint64_t used;
} s_slot_t;

struct rec_crypt {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *rd;          /* a read transaction kept reset between uses */
    bool batching;        /* in a turn: new keys go into batch (rec_crypt_batch_begin) */
    MDB_txn *batch;       /* the turn's new keys, committed before the turn (NULL: none yet) */
    unsigned char master[S_KEY];
    s_slot_t *cache;      /* S_CACHE slots (sodium_malloc) */
    uint64_t tick;
};

int rec_crypt_open(const char *dir, const unsigned char master[ENT_MASTER_KEY_LEN], bool nosync, rec_crypt_t **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return ENOSYS;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return errno;
    rec_crypt_t *c = calloc(1, sizeof *c);
    if (!c)
        return ENOMEM;
    (void) sodium_mlock(c->master, sizeof c->master); /* best effort: kept out of swap */
    int rc = ENOMEM;
    if (!(c->cache = sodium_allocarray(S_CACHE, sizeof *c->cache)))
        goto fail;
    sodium_memzero(c->cache, S_CACHE * sizeof *c->cache);
    memcpy(c->master, master, S_KEY);
    if ((rc = mdb_env_create(&c->env)) != 0)
        goto fail;
    if ((rc = mdb_env_set_mapsize(c->env, S_MAP_SIZE)) != 0 ||
        (rc = mdb_env_open(c->env, dir, MDB_NOTLS | (nosync ? MDB_NOSYNC : 0), 0600)) != 0)
        goto fail;
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0)
        goto fail;
    if ((rc = mdb_dbi_open(txn, NULL, 0, &c->dbi)) != 0 || (rc = mdb_txn_commit(txn)) != 0) {
        if (rc)
            mdb_txn_abort(txn);
        goto fail;
    }
    if ((rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &c->rd)) != 0)
        goto fail;
    mdb_txn_reset(c->rd);
    *out = c;
    return 0;
fail:
    rec_crypt_destroy(&c);
    return rc;
}

void rec_crypt_destroy(rec_crypt_t **c_p)
{
    rec_crypt_t *c = *c_p;
    if (!c)
        return;
    if (c->rd)
        mdb_txn_abort(c->rd);
    if (c->batch)
        mdb_txn_abort(c->batch); /* never committed: not durable, nothing sealed under them was */
    if (c->env)
        mdb_env_close(c->env);
    sodium_munlock(c->master, sizeof c->master); /* also wipes it */
    sodium_free(c->cache);                       /* wipes the cached keys */
    free(c);
    *c_p = NULL;
}

bool rec_crypt_is_sealed(const uint8_t *v, size_t n)
{
    return n >= S_MAGIC_LEN && memcmp(v, S_MAGIC, S_MAGIC_LEN) == 0;
}

/* The additional data of a wrapped key: its employee. */
static size_t s_key_ad(uint8_t *ad, const char *employee)
{
    static const char tag[] = "entretiens-data-key-v1";
    size_t el = strlen(employee);
    memcpy(ad, tag, sizeof tag); /* with its NUL: a separator */
    memcpy(ad + sizeof tag, employee, el);
    return sizeof tag + el;
}

/* The additional data of a sealed value: interview, field, employee, key id;
 * in buf (S_AD_BUF bytes) when it fits, as it always does for records' ids,
 * else malloc'd (free *ad when it is not buf). */
#define S_AD_BUF 512
static int s_value_ad(uint8_t **ad, size_t *len, uint8_t buf[S_AD_BUF], const char *interview_id, const char *field,
                      const char *employee, const uint8_t kid[S_KID])
{
    static const char tag[] = "entretiens-content-v1";
    size_t il = strlen(interview_id), fl = strlen(field), el = strlen(employee);
    *len = sizeof tag + il + 1 + fl + 1 + el + 1 + S_KID;
    uint8_t *p = *ad = *len <= S_AD_BUF ? buf : malloc(*len);
    if (!p)
        return ENOMEM;
    memcpy(p, tag, sizeof tag), p += sizeof tag;
    memcpy(p, interview_id, il + 1), p += il + 1;
    memcpy(p, field, fl + 1), p += fl + 1;
    memcpy(p, employee, el + 1), p += el + 1;
    memcpy(p, kid, S_KID);
    return 0;
}

/* The cache's slot of employee, or NULL. */
static s_slot_t *s_cached(rec_crypt_t *c, const char *employee)
{
    for (size_t i = 0; i < S_CACHE; i++)
        if (c->cache[i].employee[0] && strcmp(c->cache[i].employee, employee) == 0)
            return &c->cache[i];
    return NULL;
}

static void s_forget(s_slot_t *s)
{
    sodium_memzero(s, sizeof *s);
}

/* Keeps employee's key, in a free slot or the least recently used one
 * (wiped first). */
static void s_remember(rec_crypt_t *c, const char *employee, const unsigned char key[S_KEY], const uint8_t kid[S_KID])
{
    s_slot_t *s = s_cached(c, employee);
    for (size_t i = 0; !s && i < S_CACHE; i++)
        if (!c->cache[i].employee[0])
            s = &c->cache[i];
    if (!s) { /* every slot taken: the least recently used */
        s = &c->cache[0];
        for (size_t i = 1; i < S_CACHE; i++)
            if (c->cache[i].used < s->used)
                s = &c->cache[i];
    }
    s_forget(s);
    snprintf(s->employee, sizeof s->employee, "%s", employee);
    memcpy(s->key, key, S_KEY);
    memcpy(s->kid, kid, S_KID);
    s->used = ++c->tick;
}

/* The employee's key and its id.  Returns 0, MDB_NOTFOUND, REC_CRYPT_FORGED
 * (the record does not open under the master key) or an LMDB code. */
static int s_key_get(rec_crypt_t *c, const char *employee, unsigned char key[S_KEY], uint8_t kid[S_KID])
{
    s_slot_t *s = s_cached(c, employee);
    if (s) {
        memcpy(key, s->key, S_KEY);
        memcpy(kid, s->kid, S_KID);
        s->used = ++c->tick;
        return 0;
    }
    /* the turn's new keys first (a key created earlier in the turn and
     * since pushed out of the cache is there, not yet in the committed
     * keystore) */
    MDB_txn *t = c->batch ? c->batch : c->rd;
    int rc = c->batch ? 0 : mdb_txn_renew(c->rd);
    if (rc)
        return rc;
    MDB_val k = { strlen(employee), (void *) employee }, v;
    rc = mdb_get(t, c->dbi, &k, &v);
    if (!rc && v.mv_size != S_RECORD)
        rc = REC_CRYPT_FORGED;
    if (!rc) {
        const uint8_t *p = v.mv_data;
        uint8_t ad[64 + REC_CRYPT_EMPLOYEE_MAX];
        size_t adl = s_key_ad(ad, employee);
        unsigned long long kl = 0;
        memcpy(kid, p, S_KID);
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, &kl, NULL, p + S_KID + S_NONCE, S_KEY + S_TAG, ad, adl,
                                                       p + S_KID, c->master) != 0 || kl != S_KEY)
            rc = REC_CRYPT_FORGED;
    }
    if (!c->batch)
        mdb_txn_reset(c->rd);
    if (!rc)
        s_remember(c, employee, key, kid);
    return rc;
}

/* Forgets every key held in memory (the turn's new keys among them). */
static void s_forget_all(rec_crypt_t *c)
{
    sodium_memzero(c->cache, S_CACHE * sizeof *c->cache);
}

void rec_crypt_batch_begin(rec_crypt_t *c)
{
    c->batching = true;
}

/* Commits the batch's keys, if any; batching goes on as it was. */
static int s_batch_flush(rec_crypt_t *c)
{
    if (!c->batch)
        return 0;
    int rc = mdb_txn_commit(c->batch); /* synced, unless nosync */
    c->batch = NULL;                   /* freed by LMDB even on failure */
    if (rc)
        s_forget_all(c); /* the turn's keys are not in the keystore: none may be used */
    return rc;
}

int rec_crypt_batch_commit(rec_crypt_t *c)
{
    c->batching = false;
    return s_batch_flush(c);
}

void rec_crypt_batch_abort(rec_crypt_t *c)
{
    c->batching = false;
    if (!c->batch)
        return;
    mdb_txn_abort(c->batch);
    c->batch = NULL;
    s_forget_all(c);
}

/* Creates employee's key: in the turn's batch while batching, else in its
 * own committed transaction. */
static int s_key_create(rec_crypt_t *c, const char *employee, unsigned char key[S_KEY], uint8_t kid[S_KID])
{
    uint8_t rec[S_RECORD], ad[64 + REC_CRYPT_EMPLOYEE_MAX];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    randombytes_buf(kid, S_KID);
    memcpy(rec, kid, S_KID);
    randombytes_buf(rec + S_KID, S_NONCE);
    size_t adl = s_key_ad(ad, employee);
    crypto_aead_xchacha20poly1305_ietf_encrypt(rec + S_KID + S_NONCE, NULL, key, S_KEY, ad, adl, NULL, rec + S_KID,
                                               c->master);
    MDB_val k = { strlen(employee), (void *) employee }, v = { sizeof rec, rec };
    int rc;
    if (c->batching) {
        if (!c->batch && (rc = mdb_txn_begin(c->env, NULL, 0, &c->batch)) != 0) {
            c->batch = NULL;
            return rc;
        }
        /* a failed put leaves the batch as it was: the turn aborts and
         * rec_crypt_batch_abort drops it */
        if ((rc = mdb_put(c->batch, c->dbi, &k, &v, MDB_NOOVERWRITE)) == 0)
            s_remember(c, employee, key, kid);
        return rc;
    }
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0)
        return rc;
    rc = mdb_put(txn, c->dbi, &k, &v, MDB_NOOVERWRITE);
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    rc = mdb_txn_commit(txn);
    if (!rc)
        s_remember(c, employee, key, kid);
    return rc;
}

int rec_crypt_seal(rec_crypt_t *c, const char *employee, const char *interview_id, const char *field,
                   const uint8_t *pt, size_t n, uint8_t **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    size_t el = employee ? strlen(employee) : 0;
    if (el == 0 || el > REC_CRYPT_EMPLOYEE_MAX)
        return EINVAL;
    unsigned char key[S_KEY];
    uint8_t kid[S_KID];
    int rc = s_key_get(c, employee, key, kid);
    if (rc == MDB_NOTFOUND)
        rc = s_key_create(c, employee, key, kid);
    if (rc)
        goto done;
    uint8_t *ad = NULL, adbuf[S_AD_BUF];
    size_t adl = 0;
    if ((rc = s_value_ad(&ad, &adl, adbuf, interview_id, field, employee, kid)) != 0)
        goto done;
    size_t len = S_MAGIC_LEN + S_KID + 1 + el + S_NONCE + n + S_TAG;
    uint8_t *v = malloc(len), *p = v;
    if (!v) {
        if (ad != adbuf)
            free(ad);
        rc = ENOMEM;
        goto done;
    }
    memcpy(p, S_MAGIC, S_MAGIC_LEN), p += S_MAGIC_LEN;
    memcpy(p, kid, S_KID), p += S_KID;
    *p++ = (uint8_t) el;
    memcpy(p, employee, el), p += el;
    randombytes_buf(p, S_NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(p + S_NONCE, NULL, pt, n, ad, adl, NULL, p, key);
    if (ad != adbuf)
        free(ad);
    *out = v;
    *outlen = len;
done:
    sodium_memzero(key, sizeof key);
    return rc;
}

int rec_crypt_open_value(rec_crypt_t *c, const char *interview_id, const char *field, const uint8_t *v, size_t n,
                         uint8_t **out, size_t *outlen, char employee_out[REC_CRYPT_EMPLOYEE_MAX + 1])
{
    *out = NULL;
    *outlen = 0;
    if (employee_out)
        employee_out[0] = '\0';
    if (!rec_crypt_is_sealed(v, n) || n < S_MAGIC_LEN + S_KID + 1)
        return EINVAL;
    const uint8_t *kid = v + S_MAGIC_LEN;
    size_t el = v[S_MAGIC_LEN + S_KID], head = S_MAGIC_LEN + S_KID + 1 + el + S_NONCE;
    if (el == 0 || n < head + S_TAG)
        return EINVAL;
    char employee[REC_CRYPT_EMPLOYEE_MAX + 1];
    memcpy(employee, v + S_MAGIC_LEN + S_KID + 1, el);
    employee[el] = '\0';
    if (strlen(employee) != el)
        return REC_CRYPT_FORGED;
    if (employee_out)
        memcpy(employee_out, employee, el + 1);
    unsigned char key[S_KEY];
    uint8_t cur[S_KID];
    int rc = s_key_get(c, employee, key, cur);
    if (rc == MDB_NOTFOUND || (!rc && sodium_memcmp(cur, kid, S_KID) != 0))
        rc = REC_CRYPT_SHREDDED;
    uint8_t *ad = NULL, *pt = NULL, adbuf[S_AD_BUF];
    size_t adl = 0;
    if (!rc)
        rc = s_value_ad(&ad, &adl, adbuf, interview_id, field, employee, kid);
    if (!rc && !(pt = malloc(n - head - S_TAG + 1)))
        rc = ENOMEM;
    unsigned long long ptl = 0;
    if (!rc && crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptl, NULL, v + head, n - head, ad, adl,
                                                          v + head - S_NONCE, key) != 0)
        rc = REC_CRYPT_FORGED;
    if (ad != adbuf)
        free(ad);
    sodium_memzero(key, sizeof key);
    if (rc) {
        free(pt);
        return rc;
    }
    pt[ptl] = '\0';
    *out = pt;
    *outlen = (size_t) ptl;
    return 0;
}

int rec_crypt_shred(rec_crypt_t *c, const char *employee, bool *existed)
{
    *existed = false;
    if (!employee || !*employee || strlen(employee) > REC_CRYPT_EMPLOYEE_MAX)
        return 0;
    /* the turn's new keys first (the keystore has one writer at a time);
     * batching goes on, in a new batch */
    int rc = s_batch_flush(c);
    if (rc)
        return rc;
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0)
        return rc;
    s_slot_t *s = s_cached(c, employee);
    if (s)
        s_forget(s); /* gone from memory before the keystore: never used again */
    MDB_val k = { strlen(employee), (void *) employee };
    rc = mdb_del(txn, c->dbi, &k, NULL);
    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return 0;
    }
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    *existed = true;
    /* LMDB reuses the freed page later but does not clear it: the wrapped
     * key stays on disk until then.  It is wrapped under the master key;
     * the environment is compacted by the next copy (docs/data-protection.md). */
    return mdb_txn_commit(txn);
}

bool rec_crypt_has_key(rec_crypt_t *c, const char *employee)
{
    unsigned char key[S_KEY];
    uint8_t kid[S_KID];
    bool has = employee && *employee && strlen(employee) <= REC_CRYPT_EMPLOYEE_MAX &&
        s_key_get(c, employee, key, kid) == 0;
    sodium_memzero(key, sizeof key);
    return has;
}
