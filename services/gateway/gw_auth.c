/*  gw_auth.c — tokens, lockout, session timeouts, API keys (gw_auth.h). */
#include "gw_auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t gw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gw_token_new(char out[GW_TOKEN_TEXT])
{
    unsigned char raw[GW_TOKEN_BYTES];
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, GW_TOKEN_TEXT, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

void gw_token_hash(const char *text, size_t len, uint8_t out[GW_HASH_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *) text, len);
}

bool gw_token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb || la == 0)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}

bool gw_lockout_locked(const Entretiens__V1__Account *a, int64_t now_ms, uint32_t *retry_after_s)
{
    if (a->locked_until_ms <= now_ms)
        return false;
    if (retry_after_s) {
        int64_t left = (a->locked_until_ms - now_ms + 999) / 1000;
        *retry_after_s = left < 1 ? 1 : (uint32_t) left;
    }
    return true;
}

bool gw_lockout_fail(Entretiens__V1__Account *a, const gw_lockout_t *policy, int64_t now_ms)
{
    a->failures++;
    if (policy->max_failures && a->failures >= policy->max_failures) {
        a->failures = 0;
        a->locked_until_ms = now_ms + (int64_t) policy->lock_seconds * 1000;
        return true;
    }
    return false;
}

void gw_lockout_success(Entretiens__V1__Account *a, int64_t now_ms)
{
    a->failures = 0;
    a->locked_until_ms = 0;
    a->last_login_ms = now_ms;
}

gw_session_state_t gw_session_check(const Entretiens__V1__Session *s, const gw_session_policy_t *p, int64_t now_ms)
{
    if (now_ms >= s->created_ms + (int64_t) p->absolute_seconds * 1000 || now_ms < s->created_ms - 60000)
        return GW_SESSION_EXPIRED;
    if (now_ms >= s->last_seen_ms + (int64_t) p->idle_seconds * 1000)
        return GW_SESSION_IDLE;
    return GW_SESSION_VALID;
}

bool gw_session_touch_due(const Entretiens__V1__Session *s, int64_t now_ms)
{
    return now_ms - s->last_seen_ms >= 60000;
}

int gw_apikey_new(char id[GW_KEY_ID_TEXT], char token[GW_APIKEY_TEXT])
{
    unsigned char raw[8];
    char secret[GW_TOKEN_TEXT];
    if (sodium_init() < 0 || gw_token_new(secret) != 0)
        return -1;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, GW_KEY_ID_TEXT, raw, sizeof raw);
    snprintf(token, GW_APIKEY_TEXT, "ek_%s_%s", id, secret);
    sodium_memzero(secret, sizeof secret);
    return 0;
}

int gw_apikey_parse(const char *token, char id[GW_KEY_ID_TEXT])
{
    if (!token || strlen(token) != GW_APIKEY_TEXT - 1 || strncmp(token, "ek_", 3) != 0 || token[19] != '_')
        return -1;
    for (int i = 3; i < 19; i++)
        if (!strchr("0123456789abcdef", token[i]) || !token[i])
            return -1;
    for (const char *p = token + 20; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return -1;
    memcpy(id, token + 3, 16);
    id[16] = '\0';
    return 0;
}

bool gw_scope_valid(const char *scope)
{
    return scope && (strcmp(scope, "ingest") == 0 || strcmp(scope, "read") == 0 || strcmp(scope, "write") == 0);
}

bool gw_apikey_allows(const Entretiens__V1__ApiKey *k, const char *scope)
{
    for (size_t i = 0; i < k->n_scopes; i++)
        if (strcmp(k->scopes[i], scope) == 0)
            return true;
    return false;
}
