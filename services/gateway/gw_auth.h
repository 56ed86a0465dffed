/*  gw_auth.h — the gateway's credential rules, without I/O: random tokens
 *  and their hashes, lockout after repeated failed logins, session
 *  timeouts, API key tokens and scopes.  Every time here is the real wall
 *  clock in Unix ms (never the business clock a test may pin).
 */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include "proto/gateway.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_TOKEN_BYTES 32                   /* 256-bit session ids, CSRF tokens, key secrets */
#define GW_TOKEN_TEXT 44                    /* base64url without padding (43) + NUL */
#define GW_HASH_BYTES 32                    /* SHA-256 */
#define GW_KEY_ID_TEXT 17                   /* 8 random bytes in hex + NUL */
#define GW_APIKEY_TEXT (3 + 16 + 1 + 43 + 1) /* "ek_" id "_" secret NUL */

/* The real time in Unix ms. */
int64_t gw_now_ms(void);

/* A fresh random token (GW_TOKEN_BYTES from libsodium's CSPRNG) as
 * base64url text in out.  Returns 0, or -1 when libsodium cannot start. */
int gw_token_new(char out[GW_TOKEN_TEXT]);

/* SHA-256 of text: what the store keeps of a session id or an API key, so
 * that a copy of the store gives no usable credential. */
void gw_token_hash(const char *text, size_t len, uint8_t out[GW_HASH_BYTES]);

/* Constant-time comparison of two NUL-terminated strings (a CSRF token). */
bool gw_token_equal(const char *a, const char *b);

/* ------------------------------------------------------------- lockout */

typedef struct {
    uint32_t max_failures;   /* consecutive failures that lock (default 5) */
    uint32_t lock_seconds;   /* how long (default 900) */
} gw_lockout_t;

/* True when the account is locked at now; *retry_after_s (may be NULL)
 * gets the seconds left (at least 1). */
bool gw_lockout_locked(const Entretiens__V1__Account *a, int64_t now_ms, uint32_t *retry_after_s);

/* Records a failed login: one more failure; at max_failures the account
 * is locked for lock_seconds and the count starts again.  Returns true
 * when this failure locked it. */
bool gw_lockout_fail(Entretiens__V1__Account *a, const gw_lockout_t *policy, int64_t now_ms);

/* Records a successful login: failures forgotten, last_login_ms = now. */
void gw_lockout_success(Entretiens__V1__Account *a, int64_t now_ms);

/* ------------------------------------------------------------- sessions */

typedef struct {
    uint32_t idle_seconds;       /* without a request (default 1800) */
    uint32_t absolute_seconds;   /* since login, whatever the activity (default 43200) */
} gw_session_policy_t;

typedef enum {
    GW_SESSION_VALID = 0,
    GW_SESSION_IDLE,         /* idle timeout passed */
    GW_SESSION_EXPIRED,      /* absolute timeout passed */
} gw_session_state_t;

gw_session_state_t gw_session_check(const Entretiens__V1__Session *s, const gw_session_policy_t *p,
                                    int64_t now_ms);

/* True when last_seen_ms is old enough to be written again (once a minute:
 * a write per request would cost an fsync per request). */
bool gw_session_touch_due(const Entretiens__V1__Session *s, int64_t now_ms);

/* ------------------------------------------------------------- API keys */

/* A fresh key: id (hex) and the whole token "ek_<id>_<secret>" shown once.
 * Returns 0 or -1 (no CSPRNG). */
int gw_apikey_new(char id[GW_KEY_ID_TEXT], char token[GW_APIKEY_TEXT]);

/* Splits a presented token: copies its id into id.  Returns 0, or -1 when
 * the text is not of the form "ek_<16 hex>_<43 base64url>". */
int gw_apikey_parse(const char *token, char id[GW_KEY_ID_TEXT]);

/* The scopes a key may hold: "ingest" (POST /events, /imports), "read"
 * (GET routes), "write" (state-changing routes other than ingest).  */
bool gw_scope_valid(const char *scope);

/* True when the key's scopes include scope. */
bool gw_apikey_allows(const Entretiens__V1__ApiKey *k, const char *scope);

#endif
