/*  Unit tests of the gateway's credential rules: Argon2id passwords
 *  (common/password), tokens, lockout, session timeouts and API keys
 *  (gw_auth), and the session store on a real LMDB (gw_store). */
#include "common/password.h"
#include "common/store.h"
#include "gw_auth.h"
#include "gw_store.h"

#include <criterion/criterion.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(password, hash_and_verify)
{
    char h[ENT_PASSWORD_HASH_MAX];
    cr_assert_eq(ent_password_hash("correct horse battery", 21, h), 0);
    cr_expect(strncmp(h, "$argon2id$", 10) == 0, "not Argon2id: %s", h);
    cr_expect(ent_password_verify(h, "correct horse battery", 21));
    cr_expect_not(ent_password_verify(h, "correct horse batterz", 21));
    cr_expect_not(ent_password_verify(h, "correct horse battery", 20));
    cr_expect_not(ent_password_verify("$argon2id$garbage", "correct horse battery", 21));
    cr_expect_not(ent_password_verify("", "x", 1));
    char h2[ENT_PASSWORD_HASH_MAX];
    cr_assert_eq(ent_password_hash("correct horse battery", 21, h2), 0);
    cr_expect_str_neq(h, h2, "two hashes of one password must differ (salt)");
    ent_password_burn("anything at all", 15); /* must not crash, whatever it returns */
}

Test(password, weakness)
{
    cr_expect_not_null(ent_password_weakness("short", 5));
    cr_expect_not_null(ent_password_weakness("          ", 10));
    cr_expect_not_null(ent_password_weakness("with\0nul-byte", 13));
    cr_expect_null(ent_password_weakness("long enough pass", 16));
    char h[ENT_PASSWORD_HASH_MAX];
    cr_expect_eq(ent_password_hash("short", 5, h), -1);
}

Test(tokens, random_hash_compare)
{
    char a[GW_TOKEN_TEXT], b[GW_TOKEN_TEXT];
    cr_assert_eq(gw_token_new(a), 0);
    cr_assert_eq(gw_token_new(b), 0);
    cr_expect_eq(strlen(a), 43);
    cr_expect_str_neq(a, b);
    uint8_t h1[GW_HASH_BYTES], h2[GW_HASH_BYTES];
    gw_token_hash(a, strlen(a), h1);
    gw_token_hash(a, strlen(a), h2);
    cr_expect(memcmp(h1, h2, sizeof h1) == 0);
    gw_token_hash(b, strlen(b), h2);
    cr_expect(memcmp(h1, h2, sizeof h1) != 0);
    cr_expect(gw_token_equal(a, a));
    cr_expect_not(gw_token_equal(a, b));
    cr_expect_not(gw_token_equal(a, NULL));
    cr_expect_not(gw_token_equal("", ""));
}

Test(lockout, locks_after_max_then_expires)
{
    Entretiens__V1__Account a = ENTRETIENS__V1__ACCOUNT__INIT;
    gw_lockout_t pol = { .max_failures = 3, .lock_seconds = 60 };
    int64_t now = 1000000;
    uint32_t retry = 0;
    cr_expect_not(gw_lockout_fail(&a, &pol, now));
    cr_expect_not(gw_lockout_fail(&a, &pol, now));
    cr_expect_not(gw_lockout_locked(&a, now, &retry));
    cr_expect(gw_lockout_fail(&a, &pol, now), "the third failure locks");
    cr_expect(gw_lockout_locked(&a, now + 1000, &retry));
    cr_expect_eq(retry, 59);
    cr_expect(gw_lockout_locked(&a, now + 59999, &retry));
    cr_expect_eq(retry, 1);
    cr_expect_not(gw_lockout_locked(&a, now + 60000, NULL), "unlocked after lock_seconds");
    cr_expect_eq(a.failures, 0, "the count starts again after a lock");
    gw_lockout_fail(&a, &pol, now + 61000);
    gw_lockout_success(&a, now + 62000);
    cr_expect_eq(a.failures, 0);
    cr_expect_eq(a.last_login_ms, now + 62000);
}

Test(session, idle_and_absolute)
{
    Entretiens__V1__Session s = ENTRETIENS__V1__SESSION__INIT;
    gw_session_policy_t p = { .idle_seconds = 10, .absolute_seconds = 100 };
    s.created_ms = 1000000;
    s.last_seen_ms = 1000000;
    cr_expect_eq(gw_session_check(&s, &p, 1000000 + 9999), GW_SESSION_VALID);
    cr_expect_eq(gw_session_check(&s, &p, 1000000 + 10000), GW_SESSION_IDLE);
    s.last_seen_ms = 1000000 + 95000;
    cr_expect_eq(gw_session_check(&s, &p, 1000000 + 99999), GW_SESSION_VALID);
    cr_expect_eq(gw_session_check(&s, &p, 1000000 + 100000), GW_SESSION_EXPIRED, "activity does not extend it");
    cr_expect_eq(gw_session_check(&s, &p, 1000000 - 120000), GW_SESSION_EXPIRED, "a session from the future");
    s.last_seen_ms = 0;
    cr_expect(gw_session_touch_due(&s, 60000));
    s.last_seen_ms = 30000;
    cr_expect_not(gw_session_touch_due(&s, 60000));
}

Test(apikey, format_and_scopes)
{
    char id[GW_KEY_ID_TEXT], token[GW_APIKEY_TEXT], parsed[GW_KEY_ID_TEXT];
    cr_assert_eq(gw_apikey_new(id, token), 0);
    cr_expect_eq(strlen(id), 16);
    cr_expect(strncmp(token, "ek_", 3) == 0);
    cr_assert_eq(gw_apikey_parse(token, parsed), 0);
    cr_expect_str_eq(parsed, id);
    const char *bad[] = { "", "ek_", "xx_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                          "ek_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                          "ek_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                          "ek_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "eyJhbGciOi.jwt.token" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(gw_apikey_parse(bad[i], parsed), -1, "'%s' parsed", bad[i]);
    char *scopes[] = { "ingest" };
    Entretiens__V1__ApiKey k = ENTRETIENS__V1__API_KEY__INIT;
    k.scopes = scopes;
    k.n_scopes = 1;
    cr_expect(gw_apikey_allows(&k, "ingest"));
    cr_expect_not(gw_apikey_allows(&k, "read"));
    cr_expect(gw_scope_valid("write"));
    cr_expect_not(gw_scope_valid("admin"));
}

/* The store: sessions by hash, every session of a login ended at once,
 * accounts listed without their hashes. */
Test(store, sessions_and_accounts)
{
    char dir[] = "/tmp/gw-store-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    int err = 0;
    ent_store_t *store = ent_store_open(dir, GW_MAX_DBS + 4, 16, true, &err);
    cr_assert_not_null(store, "open: %d", err);
    gw_store_t st;
    cr_assert_eq(gw_store_open(&st, store), 0);
    MDB_txn *txn;
    cr_assert_eq(gw_store_write(&st, &txn), 0);
    Entretiens__V1__Account a = ENTRETIENS__V1__ACCOUNT__INIT;
    a.login = "emma";
    a.principal = "employee:E1";
    a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$salt$hash";
    cr_assert_eq(gw_account_put(txn, &st, &a), 0);
    uint8_t h[3][GW_HASH_BYTES];
    const char *logins[] = { "emma", "emma", "marc" };
    for (int i = 0; i < 3; i++) {
        char tok[GW_TOKEN_TEXT];
        cr_assert_eq(gw_token_new(tok), 0);
        gw_token_hash(tok, strlen(tok), h[i]);
        Entretiens__V1__Session s = ENTRETIENS__V1__SESSION__INIT;
        s.login = (char *) logins[i];
        s.principal = "employee:E1";
        s.csrf_token = "c";
        cr_assert_eq(gw_session_put(txn, &st, h[i], &s), 0);
    }
    size_t n = 0;
    cr_assert_eq(gw_session_del_login(txn, &st, "emma", &n), 0);
    cr_expect_eq(n, 2);
    cr_assert_eq(gw_store_commit(txn), 0);
    cr_assert_eq(gw_store_read(&st, &txn), 0);
    Entretiens__V1__Session *s = NULL;
    cr_expect_eq(gw_session_get(txn, &st, h[0], &s), MDB_NOTFOUND);
    cr_expect_eq(gw_session_get(txn, &st, h[2], &s), 0);
    cr_expect_str_eq(s->login, "marc");
    entretiens__v1__session__free_unpacked(s, NULL);
    Entretiens__V1__UserList *l = NULL;
    cr_assert_eq(gw_account_list(txn, &st, &l), 0);
    cr_assert_eq(l->n_accounts, 1);
    cr_expect_str_eq(l->accounts[0]->password_hash, "", "a listed account carries no hash");
    entretiens__v1__user_list__free_unpacked(l, NULL);
    Entretiens__V1__Account *got = NULL;
    cr_expect_eq(gw_account_get(txn, &st, "nobody", &got), MDB_NOTFOUND);
    cr_expect_eq(gw_account_get(txn, &st, "", &got), MDB_NOTFOUND);
    gw_store_abort(txn);
    ent_store_close(&store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}
