/*  jwt.h — compact JWS (RFC 7515) parsing and verification, JWKS (RFC 7517)
 *  parsing, and the claims checks of RFC 7519 / OpenID Connect, on OpenSSL.
 *
 *  What is accepted.  Signatures RS256 (RSASSA-PKCS1-v1_5 + SHA-256),
 *  PS256 (RSASSA-PSS + SHA-256, salt 32) and ES256 (ECDSA P-256 + SHA-256,
 *  the 64-byte R||S form of RFC 7518 3.4).  Everything else is refused
 *  before any key is touched: "none" (an unsigned token), HS256/384/512
 *  (a verifier holding public keys must never treat one as an HMAC secret:
 *  the classic key-confusion attack), and any other algorithm.  A "crit"
 *  header is refused (no extension is understood).
 *
 *  Keys.  A JWKS gives RSA keys (n, e; modulus of 2048 bits at least) and
 *  EC P-256 keys (x, y; the point must be on the curve).  Keys for
 *  encryption ("use":"enc") and other types (oct, OKP, other curves) are
 *  skipped: a provider's set may hold them and they can never verify a
 *  token here.  A token naming a kid is checked with that key only; a
 *  token without a kid with each key of the right type in turn.  A key
 *  whose "alg" is set is used only for that algorithm.
 *
 *  Claims.  Times are compared with the REAL wall clock, never the
 *  product's pinned business clock (clock.h): a token's exp is the
 *  issuer's real time.  The caller passes `now` (time(NULL) in
 *  production) so that tests can move it.  A leeway of GW_JWT_LEEWAY
 *  seconds absorbs clock skew between the issuer and us.
 *
 *  Base64url is decoded strictly: no padding, no characters outside the
 *  URL-safe alphabet, no non-zero unused bits (so one token has one
 *  spelling).
 *
 *  Errors are returned as gw_jwt_err_t (0 = success); each function that
 *  can fail also writes a sentence into err (may be NULL) that names the
 *  field and the reason, never the token or any part of it.
 *
 *  Thread safety: a gw_jwks_t is immutable once built and may be read by
 *  several threads; a gw_jwt_t belongs to one thread.
 */
#ifndef GW_JWT_H
#define GW_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#define GW_JWT_LEEWAY 60        /* seconds of clock skew tolerated on exp, nbf, iat */
#define GW_JWT_MAX_LEN 16384    /* longest token accepted (bytes) */
#define GW_JWT_RSA_MIN_BITS 2048
#define GW_JWT_TIME_MAX 253402300799LL /* 9999-12-31T23:59:59Z: later times are clamped to it */

typedef enum {
    GW_JWT_OK = 0,
    GW_JWT_EMALFORMED,  /* not three base64url segments of JSON objects, or too long */
    GW_JWT_EALG,        /* alg missing, "none", HS*, unknown, or not the key's alg/type */
    GW_JWT_ECRIT,       /* a "crit" header (an extension we do not understand) */
    GW_JWT_EKID,        /* the kid is not in the key set (or no key of the alg's type) */
    GW_JWT_ESIG,        /* the signature does not verify */
    GW_JWT_EISS,        /* iss missing or not the expected issuer */
    GW_JWT_EAUD,        /* aud missing or does not contain the expected audience */
    GW_JWT_EEXP,        /* exp missing, not a number, or passed (beyond the leeway) */
    GW_JWT_ENBF,        /* nbf in the future (beyond the leeway) */
    GW_JWT_EIAT,        /* iat missing when required, not a number, or in the future */
    GW_JWT_ECLAIM,      /* another claim is missing or wrong (sub, nonce, azp, typ...) */
    GW_JWT_EJWKS,       /* the key set could not be used (gw_jwks_new) */
    GW_JWT_ENOMEM,      /* out of memory, or an OpenSSL failure unrelated to the input */
    GW_JWT_ERR_COUNT
} gw_jwt_err_t;

/* A short stable name for each error ("malformed", "alg", "kid", "signature",
 * "iss", "aud", "expired", "not_yet_valid", "iat", "claim", "jwks", "nomem";
 * "?" out of range), for logs and metrics labels. */
const char *gw_jwt_strerror(int err);

/* Writes a printf-formatted reason into err (errlen bytes, truncated);
 * does nothing when err is NULL or errlen 0.  Shared by oidc.c. */
void gw_jwt_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- base64url */

/* Decodes base64url without padding into a new buffer (NUL-terminated for
 * convenience; *out_len excludes the NUL).  Returns GW_JWT_OK, or
 * GW_JWT_EMALFORMED (a character outside the alphabet, '=', a length of
 * 4k+1, non-zero unused bits) or GW_JWT_ENOMEM, with *out NULL. */
int gw_b64url_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len);

/* Encodes len bytes as base64url without padding into out, which must hold
 * GW_B64URL_LEN(len) + 1 bytes.  Returns the encoded length. */
#define GW_B64URL_LEN(n) ((((n) + 2) / 3) * 4)
size_t gw_b64url_encode(const unsigned char *in, size_t len, char *out);

/* ---------------------------------------------------------------- key sets */

typedef struct gw_jwks gw_jwks_t;

/* Parses a JWKS document ({"keys":[...]}) into OpenSSL public keys.
 * Returns the set, or NULL with the reason in err:
 *   not JSON / no "keys" array / a usable key with a missing or malformed
 *   member (n, e, x, y, crv: not base64url, wrong length, point not on the
 *   curve, RSA modulus under GW_JWT_RSA_MIN_BITS) / no usable signing key at
 *   all / out of memory.
 * A key that cannot be built is an error for the whole set rather than
 * skipped: a provider publishing a broken key is misconfigured and saying
 * so beats failing later on "unknown kid". */
gw_jwks_t *gw_jwks_new(const char *json, char *err, size_t errlen);

/* Number of usable signing keys in the set. */
size_t gw_jwks_count(const gw_jwks_t *jwks);

/* True when the set holds a key with this kid. */
bool gw_jwks_has_kid(const gw_jwks_t *jwks, const char *kid);

/* Frees the set and sets *jwks_p to NULL.  Safe on NULL. */
void gw_jwks_destroy(gw_jwks_t **jwks_p);

/* ---------------------------------------------------------------- tokens */

typedef struct {
    json_t *header;            /* the decoded JOSE header (owned) */
    json_t *claims;            /* the decoded payload (owned) */
    char alg[16];              /* header alg */
    char kid[128];             /* header kid, "" when absent */
} gw_jwt_t;

/* Decodes a compact JWS WITHOUT verifying it: three segments, base64url,
 * JSON objects, a string alg.  Useful to read the kid before choosing a
 * key set; never trust the claims of a token only decoded.  Fills *out
 * (released with gw_jwt_clear).  Returns GW_JWT_OK, GW_JWT_EMALFORMED,
 * GW_JWT_ENOMEM; *out is cleared on error. */
int gw_jwt_decode(const char *token, gw_jwt_t *out, char *err, size_t errlen);

/* Decodes and verifies the signature of token with a key of jwks.
 * Returns GW_JWT_OK with *out filled (gw_jwt_clear releases it), or:
 *   GW_JWT_EMALFORMED  see gw_jwt_decode; also a signature of the wrong size;
 *   GW_JWT_EALG        none, HS*, an unsupported alg, or the kid's key is of
 *                      another type or declares another alg;
 *   GW_JWT_ECRIT       a "crit" header;
 *   GW_JWT_EKID        the kid is not in jwks, or no key of the alg's type;
 *   GW_JWT_ESIG        the signature does not verify;
 *   GW_JWT_ENOMEM.
 * *out is cleared on error.  No claim is checked here. */
int gw_jwt_verify(const gw_jwks_t *jwks, const char *token, gw_jwt_t *out,
                  char *err, size_t errlen);

/* What the claims must say. */
typedef struct {
    const char *issuer;        /* required: iss must equal it exactly */
    const char *audience;      /* required: aud (string or array) must contain it */
    time_t now;                /* the real time (time(NULL)), not the business clock */
    long leeway;               /* seconds; GW_JWT_LEEWAY unless a test says otherwise */
    bool require_iat;          /* ID tokens: iat must be present */
} gw_jwt_expect_t;

/* Checks iss, aud, exp (required), nbf (when present: now + leeway >= nbf),
 * iat (when present or required: a number, iat <= now + leeway).  exp has
 * passed when now >= exp + leeway.  Returns GW_JWT_OK, GW_JWT_EISS,
 * GW_JWT_EAUD, GW_JWT_EEXP, GW_JWT_ENBF, GW_JWT_EIAT (each with its reason
 * in err), or GW_JWT_ECLAIM when expect lacks issuer or audience. */
int gw_jwt_check_claims(const gw_jwt_t *jwt, const gw_jwt_expect_t *expect,
                        char *err, size_t errlen);

/* A string claim, or NULL when absent or not a string.  Valid while jwt is. */
const char *gw_jwt_claim_string(const gw_jwt_t *jwt, const char *name);

/* A NumericDate claim (exp, nbf, iat) as time_t, fractions dropped and
 * clamped to [0, GW_JWT_TIME_MAX] (absurd values cannot overflow); 0 when
 * absent or not a number. */
time_t gw_jwt_claim_time(const gw_jwt_t *jwt, const char *name);

/* Releases what *jwt holds and zeroes it.  Safe on a zeroed struct. */
void gw_jwt_clear(gw_jwt_t *jwt);

#endif
