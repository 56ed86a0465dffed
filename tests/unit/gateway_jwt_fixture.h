/*  gateway_jwt_fixture.h — signing keys and tokens made in the test with
 *  OpenSSL (header only), for test_gateway_jwt.c and test_gateway_oidc.c.
 *  The signing side here is written independently of services/gateway/jwt.c
 *  (which only verifies), so a test token is a real JWS any library would
 *  accept. */
#ifndef TEST_GATEWAY_JWT_FIXTURE_H
#define TEST_GATEWAY_JWT_FIXTURE_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_ISSUER "https://idp.example.test/realms/acme"
#define FX_CLIENT "entretiens-gateway"

typedef struct {
    EVP_PKEY *pkey;
    char kid[32];
    bool ec;
} fx_key_t;

/* base64url without padding, written independently of gw_b64url_encode
 * (EVP_EncodeBlock, then the alphabet swapped and '=' dropped). */
static inline char *fx_b64(const unsigned char *in, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    cr_assert(out);
    int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

static inline fx_key_t fx_key_new(bool ec, const char *kid)
{
    fx_key_t k = {.ec = ec};
    k.pkey = ec ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    cr_assert(k.pkey, "key generation failed");
    snprintf(k.kid, sizeof k.kid, "%s", kid);
    return k;
}

static inline void fx_key_free(fx_key_t *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

static inline char *fx_bn_b64(EVP_PKEY *pkey, const char *param, int pad)
{
    BIGNUM *bn = NULL;
    cr_assert(EVP_PKEY_get_bn_param(pkey, param, &bn) == 1);
    int n = pad ? pad : BN_num_bytes(bn);
    unsigned char *buf = malloc((size_t)n);
    cr_assert(BN_bn2binpad(bn, buf, n) == n);
    char *out = fx_b64(buf, (size_t)n);
    free(buf);
    BN_free(bn);
    return out;
}

/* The public JWK of k (alg may be NULL: not restricted). */
static inline json_t *fx_jwk(const fx_key_t *k, const char *alg)
{
    json_t *jwk;
    if (k->ec) {
        char *x = fx_bn_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32);
        char *y = fx_bn_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
        jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x,
                        "y", y, "kid", k->kid, "use", "sig");
        free(x);
        free(y);
    } else {
        char *n = fx_bn_b64(k->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        char *e = fx_bn_b64(k->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        jwk = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "n", n, "e", e, "kid", k->kid,
                        "use", "sig");
        free(n);
        free(e);
    }
    if (alg)
        json_object_set_new(jwk, "alg", json_string(alg));
    return jwk;
}

/* {"keys":[...]} of n keys, as text (to free). */
static inline char *fx_jwks(const fx_key_t *keys, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, fx_jwk(&keys[i], NULL));
    json_t *doc = json_pack("{s:o}", "keys", arr);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static inline char *fx_json_b64(const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    char *out = fx_b64((unsigned char *)text, strlen(text));
    free(text);
    return out;
}

/* "base64url(header).base64url(claims)"; takes ownership of both. */
static inline char *fx_input(json_t *header, json_t *claims)
{
    char *h = fx_json_b64(header), *p = fx_json_b64(claims);
    json_decref(header);
    json_decref(claims);
    size_t len = strlen(h) + strlen(p) + 2;
    char *input = malloc(len);
    snprintf(input, len, "%s.%s", h, p);
    free(h);
    free(p);
    return input;
}

/* input + "." + base64url(sig); frees input. */
static inline char *fx_join(char *input, const unsigned char *sig, size_t sig_len)
{
    char *s = fx_b64(sig, sig_len);
    size_t len = strlen(input) + 1 + strlen(s) + 1;
    char *token = malloc(len);
    snprintf(token, len, "%s.%s", input, s);
    free(input);
    free(s);
    return token;
}

/* Signs header.payload with k as alg (RS256, PS256, ES256); returns the
 * compact token (to free).  Takes ownership of header and claims. */
static inline char *fx_sign_raw(const fx_key_t *k, const char *alg, json_t *header, json_t *claims)
{
    char *input = fx_input(header, claims);
    size_t in_len = strlen(input);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    cr_assert(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, k->pkey) == 1);
    if (strcmp(alg, "PS256") == 0) {
        cr_assert(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
        cr_assert(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0);
    }
    size_t sig_len = 0;
    cr_assert(EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)input, in_len) == 1);
    unsigned char *sig = malloc(sig_len);
    cr_assert(EVP_DigestSign(md, sig, &sig_len, (unsigned char *)input, in_len) == 1);
    EVP_MD_CTX_free(md);
    if (k->ec) { /* DER -> R || S */
        const unsigned char *der = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &der, (long)sig_len);
        cr_assert(es);
        unsigned char *rs = malloc(64);
        BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32);
        ECDSA_SIG_free(es);
        free(sig);
        sig = rs;
        sig_len = 64;
    }
    char *token = fx_join(input, sig, sig_len);
    free(sig);
    return token;
}

/* A token with header {"alg", "kid", "typ":"JWT"}. */
static inline char *fx_sign(const fx_key_t *k, const char *alg, json_t *claims)
{
    return fx_sign_raw(k, alg, json_pack("{s:s, s:s, s:s}", "alg", alg, "kid", k->kid, "typ", "JWT"),
                       claims);
}

/* Claims valid at now for FX_ISSUER / FX_CLIENT (iat now, exp now + 300). */
static inline json_t *fx_claims(time_t now)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", FX_ISSUER, "aud", FX_CLIENT, "sub",
                     "user-1", "iat", (json_int_t)now, "exp", (json_int_t)now + 300);
}

/* HS256 over header.payload with secret: the key-confusion forgery (the
 * attacker uses the issuer's public key as the HMAC secret). */
static inline char *fx_hs256(const char *kid, json_t *claims, const unsigned char *secret,
                             size_t secret_len)
{
    char *input = fx_input(json_pack("{s:s, s:s}", "alg", "HS256", "kid", kid), claims);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret, (int)secret_len, (unsigned char *)input, strlen(input), mac,
         &mac_len);
    return fx_join(input, mac, mac_len);
}

/* An unsigned token: alg none, empty signature. */
static inline char *fx_none(json_t *claims)
{
    return fx_join(fx_input(json_pack("{s:s}", "alg", "none"), claims), NULL, 0);
}

#endif
