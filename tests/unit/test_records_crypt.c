/*  test_records_crypt.c — content at rest (services/records/rec_crypt.h) on a
 *  real LMDB keystore: round trip, a wrong master key, a ciphertext moved to
 *  another interview, field or employee, an altered byte, a shredded key
 *  (and a new key for the same employee after it), keys kept across a
 *  reopen, a turn's keys committed together or dropped with the turn,
 *  master key files (mode, format). */
#include "rec_crypt.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[64];

static int s_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st, (void) flag, (void) ftw;
    return remove(path);
}

static void s_setup(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/ent-crypt-XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
}

static void s_teardown(void)
{
    nftw(s_dir, s_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static const unsigned char s_master[ENT_MASTER_KEY_LEN] = "0123456789abcdef0123456789abcdef";

static rec_crypt_t *s_open(const unsigned char *master)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/ks", s_dir);
    rec_crypt_t *c = NULL;
    cr_assert_eq(rec_crypt_open(dir, master, true, &c), 0);
    return c;
}

static const char s_text[] = "{\"q1\":\"I would like to train as a welder\"}";

static void s_seal(rec_crypt_t *c, const char *emp, const char *iv, const char *field, uint8_t **v, size_t *n)
{
    cr_assert_eq(rec_crypt_seal(c, emp, iv, field, (const uint8_t *) s_text, strlen(s_text), v, n), 0);
    cr_assert(rec_crypt_is_sealed(*v, *n));
    cr_assert_null(memmem(*v, *n, "welder", 6), "the plaintext shows through");
}

Test(records_crypt, round_trip, .init = s_setup, .fini = s_teardown)
{
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v = NULL, *pt = NULL;
    size_t n = 0, ptl = 0;
    s_seal(c, "E1", "IV00000001", "content", &v, &n);
    char emp[REC_CRYPT_EMPLOYEE_MAX + 1];
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, emp), 0);
    cr_assert_eq(ptl, strlen(s_text));
    cr_assert_str_eq((char *) pt, s_text);
    cr_assert_str_eq(emp, "E1");
    free(pt);
    /* two seals of the same text differ (random nonce) */
    uint8_t *v2 = NULL;
    size_t n2 = 0;
    s_seal(c, "E1", "IV00000001", "content", &v2, &n2);
    cr_assert(n == n2 && memcmp(v, v2, n) != 0);
    /* an empty plaintext too */
    free(v2);
    cr_assert_eq(rec_crypt_seal(c, "E1", "IV00000001", "header", (const uint8_t *) "", 0, &v2, &n2), 0);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "header", v2, n2, &pt, &ptl, NULL), 0);
    cr_assert_eq(ptl, 0);
    free(pt);
    free(v2);
    /* the key survives a reopen */
    rec_crypt_destroy(&c);
    cr_assert_null(c);
    c = s_open(s_master);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), 0);
    free(pt);
    free(v);
    rec_crypt_destroy(&c);
}

Test(records_crypt, wrong_master_key_refused, .init = s_setup, .fini = s_teardown)
{
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v = NULL, *pt = NULL;
    size_t n = 0, ptl = 0;
    s_seal(c, "E1", "IV00000001", "content", &v, &n);
    rec_crypt_destroy(&c);
    unsigned char other[ENT_MASTER_KEY_LEN];
    memcpy(other, s_master, sizeof other);
    other[0] ^= 1;
    c = s_open(other);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_FORGED);
    cr_assert_null(pt);
    /* and a seal under the wrong master does not replace the key */
    uint8_t *v2 = NULL;
    size_t n2 = 0;
    cr_assert_eq(rec_crypt_seal(c, "E1", "IV00000002", "content", (const uint8_t *) "x", 1, &v2, &n2), REC_CRYPT_FORGED);
    cr_assert_null(v2);
    free(v);
    rec_crypt_destroy(&c);
}

Test(records_crypt, moved_or_altered_ciphertext_refused, .init = s_setup, .fini = s_teardown)
{
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v = NULL, *pt = NULL;
    size_t n = 0, ptl = 0;
    s_seal(c, "E1", "IV00000001", "content", &v, &n);
    /* another interview, another field */
    cr_assert_eq(rec_crypt_open_value(c, "IV00000002", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_FORGED);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "header", v, n, &pt, &ptl, NULL), REC_CRYPT_FORGED);
    /* one byte of the ciphertext, of the nonce */
    v[n - 20] ^= 0x40;
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_FORGED);
    v[n - 20] ^= 0x40;
    v[n - strlen(s_text) - 16 - 1] ^= 1;
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_FORGED);
    v[n - strlen(s_text) - 16 - 1] ^= 1;
    /* the employee named in the header changed to another who has a key */
    uint8_t *w = NULL;
    size_t wn = 0;
    s_seal(c, "E2", "IV00000009", "content", &w, &wn);
    v[4 + 8 + 1 + 1] = '2'; /* "E1" -> "E2" */
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_SHREDDED,
                 "a key id that is not the employee's key reads as another key's ciphertext");
    v[4 + 8 + 1 + 1] = '1';
    /* truncated, not sealed */
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, 10, &pt, &ptl, NULL), EINVAL);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", (const uint8_t *) "\x0a\x02{}", 4, &pt, &ptl, NULL),
                 EINVAL);
    cr_assert_not(rec_crypt_is_sealed((const uint8_t *) "\x0a\x02{}", 4));
    /* still fine when put back */
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), 0);
    free(pt);
    free(v);
    free(w);
    rec_crypt_destroy(&c);
}

Test(records_crypt, shredded_key_makes_content_unreadable, .init = s_setup, .fini = s_teardown)
{
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v = NULL, *w = NULL, *pt = NULL;
    size_t n = 0, wn = 0, ptl = 0;
    s_seal(c, "E1", "IV00000001", "content", &v, &n);
    s_seal(c, "E2", "IV00000002", "content", &w, &wn);
    cr_assert(rec_crypt_has_key(c, "E1"));
    bool existed = false;
    cr_assert_eq(rec_crypt_shred(c, "E1", &existed), 0);
    cr_assert(existed);
    cr_assert_not(rec_crypt_has_key(c, "E1"));
    cr_assert_eq(rec_crypt_shred(c, "E1", &existed), 0);
    cr_assert_not(existed);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    /* the other employee is untouched */
    cr_assert_eq(rec_crypt_open_value(c, "IV00000002", "content", w, wn, &pt, &ptl, NULL), 0);
    free(pt);
    /* a new key for E1 (a re-hire) does not open what the old one sealed */
    uint8_t *v2 = NULL;
    size_t n2 = 0;
    s_seal(c, "E1", "IV00000003", "content", &v2, &n2);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    /* and after a reopen too */
    rec_crypt_destroy(&c);
    c = s_open(s_master);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000003", "content", v2, n2, &pt, &ptl, NULL), 0);
    free(pt);
    free(v);
    free(v2);
    free(w);
    rec_crypt_destroy(&c);
}

/* More employees than the keys kept in memory: each value still opens
 * (keys evicted are read again from the keystore), and a shred reaches a
 * key whether it is in memory or not. */
Test(records_crypt, keys_in_memory_evicted_and_shredded, .init = s_setup, .fini = s_teardown)
{
    enum { N = 150 };
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v[N], *pt = NULL;
    size_t n[N], ptl = 0;
    char emp[16], iv[16];
    for (int i = 0; i < N; i++) {
        snprintf(emp, sizeof emp, "E%d", i), snprintf(iv, sizeof iv, "IV%08d", i);
        s_seal(c, emp, iv, "content", &v[i], &n[i]);
    }
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++) {
            snprintf(iv, sizeof iv, "IV%08d", i);
            cr_assert_eq(rec_crypt_open_value(c, iv, "content", v[i], n[i], &pt, &ptl, NULL), 0, "%s", iv);
            cr_assert_str_eq((char *) pt, s_text);
            free(pt);
        }
    bool existed = false;
    /* E0 was evicted long ago, E149 was just used */
    cr_assert_eq(rec_crypt_shred(c, "E0", &existed), 0);
    cr_assert_eq(rec_crypt_shred(c, "E149", &existed), 0);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000000", "content", v[0], n[0], &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000149", "content", v[N - 1], n[N - 1], &pt, &ptl, NULL),
                 REC_CRYPT_SHREDDED);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000148", "content", v[N - 2], n[N - 2], &pt, &ptl, NULL), 0);
    free(pt);
    for (int i = 0; i < N; i++)
        free(v[i]);
    rec_crypt_destroy(&c);
}

/* The keys a turn creates share one keystore transaction: committed, they
 * are there after a reopen; keys created in the batch and pushed out of
 * memory are found again in it (not created twice); a shred inside the
 * batch commits what came before and reaches a key of the batch. */
Test(records_crypt, a_turns_keys_committed_together, .init = s_setup, .fini = s_teardown)
{
    enum { N = 100 }; /* more than the 64 kept in memory */
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v[N], *again = NULL, *pt = NULL;
    size_t n[N], na = 0, ptl = 0;
    char emp[16], iv[16];
    rec_crypt_batch_begin(c);
    for (int i = 0; i < N; i++) {
        snprintf(emp, sizeof emp, "E%d", i), snprintf(iv, sizeof iv, "IV%08d", i);
        s_seal(c, emp, iv, "content", &v[i], &n[i]);
    }
    /* E0 left memory: its key comes from the batch, the same one */
    s_seal(c, "E0", "IV00000000", "header", &again, &na);
    cr_assert_eq(memcmp(again + 4, v[0] + 4, 8), 0, "E0 got a second key");
    free(again);
    bool existed = false;
    cr_assert_eq(rec_crypt_shred(c, "E1", &existed), 0);
    cr_assert(existed, "the batch's key of E1 is shredded");
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v[1], n[1], &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    s_seal(c, "E100", "IV00000100", "content", &again, &na); /* after the shred: a batch again */
    cr_assert_eq(rec_crypt_batch_commit(c), 0);
    cr_assert_eq(rec_crypt_batch_commit(c), 0, "nothing left: a no-op");
    rec_crypt_destroy(&c);
    c = s_open(s_master);
    for (int i = 0; i < N; i++) {
        snprintf(iv, sizeof iv, "IV%08d", i);
        int rc = rec_crypt_open_value(c, iv, "content", v[i], n[i], &pt, &ptl, NULL);
        cr_assert_eq(rc, i == 1 ? REC_CRYPT_SHREDDED : 0, "%s: %d", iv, rc);
        if (!rc)
            free(pt);
    }
    cr_assert_eq(rec_crypt_open_value(c, "IV00000100", "content", again, na, &pt, &ptl, NULL), 0);
    free(pt);
    free(again);
    for (int i = 0; i < N; i++)
        free(v[i]);
    rec_crypt_destroy(&c);
}

/* An aborted turn's keys are not stored and not used: what was sealed
 * under them does not open, in memory or after a reopen, and the next
 * seal for the same employee makes a new key that is stored. */
Test(records_crypt, an_aborted_turns_keys_are_dropped, .init = s_setup, .fini = s_teardown)
{
    rec_crypt_t *c = s_open(s_master);
    uint8_t *old = NULL, *kept = NULL, *v = NULL, *pt = NULL;
    size_t nold = 0, nkept = 0, n = 0, ptl = 0;
    s_seal(c, "E7", "IV00000007", "content", &kept, &nkept); /* outside a turn: committed at once */
    rec_crypt_batch_begin(c);
    s_seal(c, "E1", "IV00000001", "content", &old, &nold);
    cr_assert(rec_crypt_has_key(c, "E1"));
    rec_crypt_batch_abort(c);
    cr_assert(!rec_crypt_has_key(c, "E1"), "the dropped key is still in memory");
    cr_assert(rec_crypt_has_key(c, "E7"), "a committed key went with the batch");
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", old, nold, &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    /* not batching any more: the next key is committed at once */
    s_seal(c, "E1", "IV00000001", "content", &v, &n);
    rec_crypt_destroy(&c);
    c = s_open(s_master);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", old, nold, &pt, &ptl, NULL), REC_CRYPT_SHREDDED);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000001", "content", v, n, &pt, &ptl, NULL), 0);
    free(pt);
    cr_assert_eq(rec_crypt_open_value(c, "IV00000007", "content", kept, nkept, &pt, &ptl, NULL), 0);
    free(pt);
    /* destroyed with a batch open: its keys are not stored either */
    rec_crypt_batch_begin(c);
    uint8_t *lost = NULL;
    size_t nlost = 0;
    s_seal(c, "E9", "IV00000009", "content", &lost, &nlost);
    rec_crypt_destroy(&c);
    c = s_open(s_master);
    cr_assert(!rec_crypt_has_key(c, "E9"));
    free(lost);
    free(old);
    free(kept);
    free(v);
    rec_crypt_destroy(&c);
}

Test(records_crypt, bad_employee_refused, .init = s_setup, .fini = s_teardown)
{
    rec_crypt_t *c = s_open(s_master);
    uint8_t *v = NULL;
    size_t n = 0;
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(rec_crypt_seal(c, "", "IV1", "content", (const uint8_t *) "x", 1, &v, &n), EINVAL);
    cr_assert_eq(rec_crypt_seal(c, big, "IV1", "content", (const uint8_t *) "x", 1, &v, &n), EINVAL);
    cr_assert_null(v);
    rec_crypt_destroy(&c);
}

Test(records_crypt, master_key_file, .init = s_setup, .fini = s_teardown)
{
    char err[512], path[256];
    unsigned char a[ENT_MASTER_KEY_LEN], b[ENT_MASTER_KEY_LEN];
    cr_assert_not(ent_master_key_exists(s_dir, "records"));
    cr_assert_neq(ent_master_key_load(s_dir, "records", a, err, sizeof err), 0);
    cr_assert(strstr(err, "keys init"), "%s", err);
    cr_assert_eq(ent_master_key_create(s_dir, "records", err, sizeof err), 0, "%s", err);
    cr_assert(ent_master_key_exists(s_dir, "records"));
    snprintf(path, sizeof path, "%s/records.master", s_dir);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(ent_master_key_load(s_dir, "records", a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(ent_master_key_load(s_dir, "records", b, err, sizeof err), 0);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    /* never replaced */
    cr_assert_neq(ent_master_key_create(s_dir, "records", err, sizeof err), 0);
    cr_assert_eq(ent_master_key_load(s_dir, "records", b, err, sizeof err), 0);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    /* readable by others: refused */
    cr_assert_eq(chmod(path, 0644), 0);
    cr_assert_neq(ent_master_key_load(s_dir, "records", b, err, sizeof err), 0);
    cr_assert(strstr(err, "chmod 600"), "%s", err);
    /* malformed */
    cr_assert_eq(unlink(path), 0);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("master=abcd\n", f);
    fclose(f);
    cr_assert_eq(chmod(path, 0600), 0);
    cr_assert_neq(ent_master_key_load(s_dir, "records", b, err, sizeof err), 0);
    cr_assert(strstr(err, "not a master key file"), "%s", err);
}
