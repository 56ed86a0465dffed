/*  jwt.c — see jwt.h. */
#include "jwt.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

void gw_jwt_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *gw_jwt_strerror(int err)
{
    static const char *names[GW_JWT_ERR_COUNT] = {
        [GW_JWT_OK] = "ok",
        [GW_JWT_EMALFORMED] = "malformed",
        [GW_JWT_EALG] = "alg",
        [GW_JWT_ECRIT] = "crit",
        [GW_JWT_EKID] = "kid",
        [GW_JWT_ESIG] = "signature",
        [GW_JWT_EISS] = "iss",
        [GW_JWT_EAUD] = "aud",
        [GW_JWT_EEXP] = "expired",
        [GW_JWT_ENBF] = "not_yet_valid",
        [GW_JWT_EIAT] = "iat",
        [GW_JWT_ECLAIM] = "claim",
        [GW_JWT_EJWKS] = "jwks",
        [GW_JWT_ENOMEM] = "nomem",
    };
    if (err < 0 || err >= GW_JWT_ERR_COUNT)
        return "?";
    return names[err];
}

/* ------------------------------------------------------------ base64url */

static int s_b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

int gw_b64url_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (in_len % 4 == 1)
        return GW_JWT_EMALFORMED;
    unsigned char *buf = malloc(in_len / 4 * 3 + 3);
    if (!buf)
        return GW_JWT_ENOMEM;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < in_len; i++) {
        int v = s_b64_value(in[i]);
        if (v < 0)
            goto malformed;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* the unused low bits of the last character must be zero: otherwise
     * several spellings would decode to the same bytes */
    if (acc != 0)
        goto malformed;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return GW_JWT_OK;
malformed:
    free(buf);
    return GW_JWT_EMALFORMED;
}

size_t gw_b64url_encode(const unsigned char *in, size_t len, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = 0;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[n++] = alphabet[v >> 18 & 63];
        out[n++] = alphabet[v >> 12 & 63];
        out[n++] = alphabet[v >> 6 & 63];
        out[n++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[n++] = alphabet[v >> 18 & 63];
        out[n++] = alphabet[v >> 12 & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[n++] = alphabet[v >> 18 & 63];
        out[n++] = alphabet[v >> 12 & 63];
        out[n++] = alphabet[v >> 6 & 63];
    }
    out[n] = '\0';
    return n;
}

/* ------------------------------------------------------------ key sets */

typedef enum { S_KTY_RSA, S_KTY_EC } s_kty_t;

typedef struct {
    char *kid;                 /* NULL when the key has none */
    s_kty_t kty;
    char alg[16];              /* "" when the key does not restrict it */
    EVP_PKEY *pkey;
} s_key_t;

struct gw_jwks {
    s_key_t *keys;
    size_t n;
};

/* Decodes the members a and b of jwk (n and e, or x and y) as base64url
 * into bytes[0], bytes[1] (freed by the caller, also on error). */
static int s_jwk_pair(json_t *jwk, const char *a, const char *b, unsigned char *bytes[2],
                      size_t len[2], size_t index, char *err, size_t errlen)
{
    const char *names[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        const char *text = json_string_value(json_object_get(jwk, names[i]));
        if (!text) {
            gw_jwt_errf(err, errlen, "key %zu: \"%s\" missing or not a string", index, names[i]);
            return GW_JWT_EJWKS;
        }
        int rc = gw_b64url_decode(text, strlen(text), &bytes[i], &len[i]);
        if (rc == GW_JWT_ENOMEM) {
            gw_jwt_errf(err, errlen, "out of memory");
            return rc;
        }
        if (rc != GW_JWT_OK || len[i] == 0) {
            gw_jwt_errf(err, errlen, "key %zu: \"%s\" is not base64url", index, names[i]);
            return GW_JWT_EJWKS;
        }
    }
    return GW_JWT_OK;
}

/* Builds a public key from the parameters in bld, then has OpenSSL check
 * it (an EC point off the curve, an even RSA exponent); invalid names what
 * is wrong for err. */
static int s_pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out, size_t index,
                           const char *invalid, char *err, size_t errlen)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    if (!params) {
        gw_jwt_errf(err, errlen, "out of memory");
        return GW_JWT_ENOMEM;
    }
    ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto fail;
    EVP_PKEY_CTX_free(ctx);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!ctx || EVP_PKEY_public_check(ctx) != 1)
        goto fail;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    *out = pkey;
    return GW_JWT_OK;
fail:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    ERR_clear_error();
    gw_jwt_errf(err, errlen, "key %zu: %s", index, invalid);
    return GW_JWT_EJWKS;
}

static int s_jwk_rsa(json_t *jwk, size_t index, EVP_PKEY **out, char *err, size_t errlen)
{
    unsigned char *ne[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    int rc = s_jwk_pair(jwk, "n", "e", ne, len, index, err, errlen);
    if (rc != GW_JWT_OK)
        goto fail;
    rc = GW_JWT_ENOMEM;
    n = BN_bin2bn(ne[0], (int)len[0], NULL);
    e = BN_bin2bn(ne[1], (int)len[1], NULL);
    bld = OSSL_PARAM_BLD_new();
    if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
        gw_jwt_errf(err, errlen, "out of memory");
        goto fail;
    }
    rc = GW_JWT_EJWKS;
    if (BN_num_bits(n) < GW_JWT_RSA_MIN_BITS) {
        gw_jwt_errf(err, errlen, "key %zu: RSA modulus of %d bits, at least %d required", index,
                    BN_num_bits(n), GW_JWT_RSA_MIN_BITS);
        goto fail;
    }
    rc = s_pkey_fromdata("RSA", bld, out, index, "not a valid RSA public key", err, errlen);
fail:
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    free(ne[0]);
    free(ne[1]);
    return rc;
}

static int s_jwk_ec(json_t *jwk, size_t index, EVP_PKEY **out, char *err, size_t errlen)
{
    unsigned char *xy[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    unsigned char point[65];
    OSSL_PARAM_BLD *bld = NULL;
    int rc = s_jwk_pair(jwk, "x", "y", xy, len, index, err, errlen);
    if (rc != GW_JWT_OK)
        goto fail;
    rc = GW_JWT_EJWKS;
    if (len[0] != 32 || len[1] != 32) {
        gw_jwt_errf(err, errlen, "key %zu: P-256 coordinates must be 32 bytes (x %zu, y %zu)",
                    index, len[0], len[1]);
        goto fail;
    }
    point[0] = 0x04; /* uncompressed point: 04 || x || y (SEC 1) */
    memcpy(point + 1, xy[0], 32);
    memcpy(point + 33, xy[1], 32);
    rc = GW_JWT_ENOMEM;
    bld = OSSL_PARAM_BLD_new();
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point)) {
        gw_jwt_errf(err, errlen, "out of memory");
        goto fail;
    }
    rc = s_pkey_fromdata("EC", bld, out, index, "the point is not on the P-256 curve", err,
                         errlen);
fail:
    OSSL_PARAM_BLD_free(bld);
    free(xy[0]);
    free(xy[1]);
    return rc;
}

/* True when jwk is meant for signatures (no "use", or "sig"; no
 * "key_ops", or one with "verify"). */
static bool s_jwk_for_signing(json_t *jwk)
{
    const char *use = json_string_value(json_object_get(jwk, "use"));
    if (use && strcmp(use, "sig") != 0)
        return false;
    json_t *ops = json_object_get(jwk, "key_ops");
    if (json_is_array(ops)) {
        size_t i;
        json_t *op;
        json_array_foreach(ops, i, op) {
            if (json_is_string(op) && strcmp(json_string_value(op), "verify") == 0)
                return true;
        }
        return false;
    }
    return true;
}

static bool s_alg_is_rsa(const char *alg)
{
    return strcmp(alg, "RS256") == 0 || strcmp(alg, "PS256") == 0;
}

gw_jwks_t *gw_jwks_new(const char *json, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json ? json_loads(json, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    gw_jwks_t *jwks = NULL;
    if (!root) {
        gw_jwt_errf(err, errlen, "JWKS is not JSON (%s)", json ? jerr.text : "no document");
        goto fail;
    }
    json_t *keys = json_object_get(root, "keys");
    if (!json_is_array(keys)) {
        gw_jwt_errf(err, errlen, "JWKS has no \"keys\" array");
        goto fail;
    }
    jwks = calloc(1, sizeof *jwks);
    if (!jwks || (json_array_size(keys) &&
                  !(jwks->keys = calloc(json_array_size(keys), sizeof *jwks->keys)))) {
        gw_jwt_errf(err, errlen, "out of memory");
        goto fail;
    }
    size_t index;
    json_t *jwk;
    json_array_foreach(keys, index, jwk) {
        if (!json_is_object(jwk)) {
            gw_jwt_errf(err, errlen, "key %zu is not an object", index);
            goto fail;
        }
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        const char *alg = json_string_value(json_object_get(jwk, "alg"));
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        json_t *kid = json_object_get(jwk, "kid");
        if (!kty) {
            gw_jwt_errf(err, errlen, "key %zu: \"kty\" missing", index);
            goto fail;
        }
        if (kid && !json_is_string(kid)) {
            gw_jwt_errf(err, errlen, "key %zu: \"kid\" is not a string", index);
            goto fail;
        }
        if (!s_jwk_for_signing(jwk))
            continue;
        s_key_t *key = &jwks->keys[jwks->n];
        if (strcmp(kty, "RSA") == 0) {
            if (alg && !s_alg_is_rsa(alg))
                continue;  /* RS512, RSA-OAEP...: never used here */
            if (s_jwk_rsa(jwk, index, &key->pkey, err, errlen) != GW_JWT_OK)
                goto fail;
            key->kty = S_KTY_RSA;
        } else if (strcmp(kty, "EC") == 0) {
            if (!crv || strcmp(crv, "P-256") != 0 || (alg && strcmp(alg, "ES256") != 0))
                continue;  /* P-384, P-521: never used here */
            if (s_jwk_ec(jwk, index, &key->pkey, err, errlen) != GW_JWT_OK)
                goto fail;
            key->kty = S_KTY_EC;
        } else {
            continue;  /* oct (a shared secret has no place in a public set), OKP */
        }
        jwks->n++;
        if (alg)
            snprintf(key->alg, sizeof key->alg, "%s", alg);
        if (kid && !(key->kid = strdup(json_string_value(kid)))) {
            gw_jwt_errf(err, errlen, "out of memory");
            goto fail;
        }
    }
    if (jwks->n == 0) {
        gw_jwt_errf(err, errlen, "JWKS holds no usable signing key (RSA or EC P-256)");
        goto fail;
    }
    json_decref(root);
    return jwks;
fail:
    json_decref(root);
    gw_jwks_destroy(&jwks);
    return NULL;
}

size_t gw_jwks_count(const gw_jwks_t *jwks)
{
    return jwks ? jwks->n : 0;
}

bool gw_jwks_has_kid(const gw_jwks_t *jwks, const char *kid)
{
    for (size_t i = 0; jwks && kid && i < jwks->n; i++)
        if (jwks->keys[i].kid && strcmp(jwks->keys[i].kid, kid) == 0)
            return true;
    return false;
}

void gw_jwks_destroy(gw_jwks_t **jwks_p)
{
    if (!jwks_p || !*jwks_p)
        return;
    gw_jwks_t *jwks = *jwks_p;
    for (size_t i = 0; i < jwks->n; i++) {
        free(jwks->keys[i].kid);
        EVP_PKEY_free(jwks->keys[i].pkey);
    }
    free(jwks->keys);
    free(jwks);
    *jwks_p = NULL;
}

/* ------------------------------------------------------------ tokens */

void gw_jwt_clear(gw_jwt_t *jwt)
{
    if (!jwt)
        return;
    json_decref(jwt->header);
    json_decref(jwt->claims);
    memset(jwt, 0, sizeof *jwt);
}

static int s_segment_json(const char *seg, size_t len, const char *what, json_t **out,
                          char *err, size_t errlen)
{
    unsigned char *bytes = NULL;
    size_t n = 0;
    int rc = gw_b64url_decode(seg, len, &bytes, &n);
    if (rc != GW_JWT_OK) {
        if (rc == GW_JWT_ENOMEM)
            gw_jwt_errf(err, errlen, "out of memory");
        else
            gw_jwt_errf(err, errlen, "%s is not base64url", what);
        return rc;
    }
    json_error_t jerr;
    /* duplicate members are refused: two readers of one token must never
     * see two different values */
    *out = json_loadb((const char *)bytes, n, JSON_REJECT_DUPLICATES, &jerr);
    free(bytes);
    if (!*out || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        gw_jwt_errf(err, errlen, "%s is not a JSON object", what);
        return GW_JWT_EMALFORMED;
    }
    return GW_JWT_OK;
}

int gw_jwt_decode(const char *token, gw_jwt_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!token || !*token) {
        gw_jwt_errf(err, errlen, "no token");
        return GW_JWT_EMALFORMED;
    }
    size_t len = strnlen(token, GW_JWT_MAX_LEN + 1);
    if (len > GW_JWT_MAX_LEN) {
        gw_jwt_errf(err, errlen, "token longer than %d bytes", GW_JWT_MAX_LEN);
        return GW_JWT_EMALFORMED;
    }
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot1 || !dot2 || strchr(dot2 + 1, '.')) {
        gw_jwt_errf(err, errlen, "not a compact JWS (three segments separated by dots)");
        return GW_JWT_EMALFORMED;
    }
    int rc = s_segment_json(token, (size_t)(dot1 - token), "header", &out->header, err, errlen);
    if (rc != GW_JWT_OK)
        goto fail;
    rc = s_segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload", &out->claims, err,
                        errlen);
    if (rc != GW_JWT_OK)
        goto fail;
    rc = GW_JWT_EMALFORMED;
    const char *alg = json_string_value(json_object_get(out->header, "alg"));
    if (!alg || strlen(alg) >= sizeof out->alg) {
        gw_jwt_errf(err, errlen, "header alg missing or not a short string");
        goto fail;
    }
    snprintf(out->alg, sizeof out->alg, "%s", alg);
    json_t *kid = json_object_get(out->header, "kid");
    if (kid && (!json_is_string(kid) || strlen(json_string_value(kid)) >= sizeof out->kid)) {
        gw_jwt_errf(err, errlen, "header kid not a string of less than %zu bytes", sizeof out->kid);
        goto fail;
    }
    if (kid)
        snprintf(out->kid, sizeof out->kid, "%s", json_string_value(kid));
    return GW_JWT_OK;
fail:
    gw_jwt_clear(out);
    return rc;
}

/* ES256 signatures are R || S (32 bytes each); OpenSSL wants DER. */
static int s_ecdsa_to_der(const unsigned char *sig, unsigned char **der, size_t *der_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL);
    BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL);
    if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
        ECDSA_SIG_free(es);
        BN_free(r);
        BN_free(s);
        return GW_JWT_ENOMEM;
    }
    *der = NULL;
    int n = i2d_ECDSA_SIG(es, der);
    ECDSA_SIG_free(es);
    if (n <= 0)
        return GW_JWT_ENOMEM;
    *der_len = (size_t)n;
    return GW_JWT_OK;
}

/* 1 verified, 0 not, -1 OpenSSL failure. */
static int s_verify_with(const s_key_t *key, const char *alg, const unsigned char *data,
                         size_t data_len, const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = -1;
    if (!md || EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key->pkey) != 1)
        goto done;
    if (strcmp(alg, "PS256") == 0 &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) <= 0))
        goto done;
    /* EVP_DigestVerify: 1 good, 0 bad, negative for malformed signatures,
     * which are bad signatures too */
    ok = EVP_DigestVerify(md, sig, sig_len, data, data_len) == 1 ? 1 : 0;
done:
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return ok;
}

int gw_jwt_verify(const gw_jwks_t *jwks, const char *token, gw_jwt_t *out, char *err,
                  size_t errlen)
{
    unsigned char *sig = NULL, *der = NULL;
    size_t sig_len = 0, der_len = 0;
    int rc = gw_jwt_decode(token, out, err, errlen);
    if (rc != GW_JWT_OK)
        return rc;
    rc = GW_JWT_EALG;
    s_kty_t kty;
    if (s_alg_is_rsa(out->alg)) {
        kty = S_KTY_RSA;
    } else if (strcmp(out->alg, "ES256") == 0) {
        kty = S_KTY_EC;
    } else {
        gw_jwt_errf(err, errlen, "alg \"%.20s\" refused (RS256, PS256, ES256 only)", out->alg);
        goto fail;
    }
    if (json_object_get(out->header, "crit")) {
        gw_jwt_errf(err, errlen, "header crit names extensions we do not understand");
        rc = GW_JWT_ECRIT;
        goto fail;
    }
    const char *dot2 = strrchr(token, '.');
    rc = gw_b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig, &sig_len);
    if (rc != GW_JWT_OK) {
        gw_jwt_errf(err, errlen, rc == GW_JWT_ENOMEM ? "out of memory" : "signature is not base64url");
        goto fail;
    }
    if (kty == S_KTY_EC) {
        rc = GW_JWT_EMALFORMED;
        if (sig_len != 64) {
            gw_jwt_errf(err, errlen, "ES256 signature of %zu bytes (64 expected)", sig_len);
            goto fail;
        }
        rc = s_ecdsa_to_der(sig, &der, &der_len);
        if (rc != GW_JWT_OK) {
            gw_jwt_errf(err, errlen, "out of memory");
            goto fail;
        }
    }
    const unsigned char *data = (const unsigned char *)token;
    size_t data_len = (size_t)(dot2 - token);
    size_t tried = 0, named = 0;
    for (size_t i = 0; jwks && i < jwks->n; i++) {
        const s_key_t *key = &jwks->keys[i];
        if (out->kid[0] && (!key->kid || strcmp(key->kid, out->kid) != 0))
            continue;
        named++;
        if (key->kty != kty || (key->alg[0] && strcmp(key->alg, out->alg) != 0))
            continue;
        tried++;
        int ok = kty == S_KTY_EC ? s_verify_with(key, out->alg, data, data_len, der, der_len)
                                 : s_verify_with(key, out->alg, data, data_len, sig, sig_len);
        if (ok < 0) {
            rc = GW_JWT_ENOMEM;
            gw_jwt_errf(err, errlen, "OpenSSL could not run the verification");
            goto fail;
        }
        if (ok == 1) {
            free(sig);
            OPENSSL_free(der);
            return GW_JWT_OK;
        }
    }
    if (tried > 0) {
        rc = GW_JWT_ESIG;
        gw_jwt_errf(err, errlen, "signature does not verify");
    } else if (out->kid[0] && named > 0) {
        rc = GW_JWT_EALG;
        gw_jwt_errf(err, errlen, "key \"%.64s\" is not for alg %s", out->kid, out->alg);
    } else {
        rc = GW_JWT_EKID;
        if (out->kid[0])
            gw_jwt_errf(err, errlen, "kid \"%.64s\" is not in the issuer's key set", out->kid);
        else
            gw_jwt_errf(err, errlen, "no key for alg %s in the issuer's key set", out->alg);
    }
fail:
    free(sig);
    OPENSSL_free(der);
    gw_jwt_clear(out);
    return rc;
}

/* ------------------------------------------------------------ claims */

static void s_iso(time_t t, char *buf, size_t size)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "%lld", (long long)t);
}

/* A NumericDate as time_t, clamped: converting a double beyond time_t's
 * range is undefined behaviour, and a token may say exp = 1e300. */
static time_t s_clamp_time(double t)
{
    if (!(t > 0))
        return 0;
    if (t > (double)GW_JWT_TIME_MAX)
        return (time_t)GW_JWT_TIME_MAX;
    return (time_t)t;
}

time_t gw_jwt_claim_time(const gw_jwt_t *jwt, const char *name)
{
    json_t *v = json_object_get(jwt->claims, name);
    return json_is_number(v) ? s_clamp_time(json_number_value(v)) : 0;
}

/* Reads a NumericDate claim.  Returns 1 present (in *out), 0 absent, -1 not a number. */
static int s_numeric_date(const gw_jwt_t *jwt, const char *name, double *out)
{
    json_t *v = json_object_get(jwt->claims, name);
    if (!v)
        return 0;
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 1;
}

static bool s_aud_contains(json_t *aud, const char *audience)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), audience) == 0;
    size_t i;
    json_t *v;
    if (json_is_array(aud))
        json_array_foreach(aud, i, v) {
            if (json_is_string(v) && strcmp(json_string_value(v), audience) == 0)
                return true;
        }
    return false;
}

int gw_jwt_check_claims(const gw_jwt_t *jwt, const gw_jwt_expect_t *expect, char *err,
                        size_t errlen)
{
    if (!expect->issuer || !expect->audience) {
        gw_jwt_errf(err, errlen, "no expected issuer or audience given");
        return GW_JWT_ECLAIM;
    }
    const char *iss = gw_jwt_claim_string(jwt, "iss");
    if (!iss || strcmp(iss, expect->issuer) != 0) {
        gw_jwt_errf(err, errlen, "iss is %s%.100s%s, expected \"%.200s\"", iss ? "\"" : "",
                    iss ? iss : "missing", iss ? "\"" : "", expect->issuer);
        return GW_JWT_EISS;
    }
    if (!s_aud_contains(json_object_get(jwt->claims, "aud"), expect->audience)) {
        gw_jwt_errf(err, errlen, "aud does not contain \"%.200s\"", expect->audience);
        return GW_JWT_EAUD;
    }
    double now = (double)expect->now, leeway = (double)expect->leeway;
    double exp = 0, nbf = 0, iat = 0;
    char at[32], clock[32];
    s_iso(expect->now, clock, sizeof clock);
    int has = s_numeric_date(jwt, "exp", &exp);
    if (has <= 0) {
        gw_jwt_errf(err, errlen, "exp %s", has == 0 ? "missing" : "is not a number");
        return GW_JWT_EEXP;
    }
    if (now >= exp + leeway) {
        s_iso(s_clamp_time(exp), at, sizeof at);
        gw_jwt_errf(err, errlen, "expired at %s (now %s, leeway %ld s)", at, clock, expect->leeway);
        return GW_JWT_EEXP;
    }
    has = s_numeric_date(jwt, "nbf", &nbf);
    if (has < 0) {
        gw_jwt_errf(err, errlen, "nbf is not a number");
        return GW_JWT_ENBF;
    }
    if (has > 0 && now + leeway < nbf) {
        s_iso(s_clamp_time(nbf), at, sizeof at);
        gw_jwt_errf(err, errlen, "not valid before %s (now %s, leeway %ld s)", at, clock,
                    expect->leeway);
        return GW_JWT_ENBF;
    }
    has = s_numeric_date(jwt, "iat", &iat);
    if (has < 0 || (has == 0 && expect->require_iat)) {
        gw_jwt_errf(err, errlen, "iat %s", has == 0 ? "missing" : "is not a number");
        return GW_JWT_EIAT;
    }
    if (has > 0 && iat > now + leeway) {
        s_iso(s_clamp_time(iat), at, sizeof at);
        gw_jwt_errf(err, errlen, "issued in the future, at %s (now %s, leeway %ld s)", at, clock,
                    expect->leeway);
        return GW_JWT_EIAT;
    }
    return GW_JWT_OK;
}

const char *gw_jwt_claim_string(const gw_jwt_t *jwt, const char *name)
{
    return json_string_value(json_object_get(jwt->claims, name));
}
