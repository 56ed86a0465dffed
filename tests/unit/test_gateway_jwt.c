/*  test_gateway_jwt.c — services/gateway/jwt.h: JWS verification, JWKS
 *  parsing and claims checks, with RSA and EC keys made here with OpenSSL
 *  and tokens signed here (gateway_jwt_fixture.h). */
#include <criterion/criterion.h>

#include <time.h>

#include "gateway_jwt_fixture.h"
#include "jwt.h"

static fx_key_t rsa, ec;
static gw_jwks_t *jwks;
static char err[512];
static const time_t NOW = 1796400000; /* 2026-12-04T... UTC: any fixed real time */

static void setup(void)
{
    rsa = fx_key_new(false, "rsa-1");
    ec = fx_key_new(true, "ec-1");
    fx_key_t both[2] = {rsa, ec};
    char *doc = fx_jwks(both, 2);
    jwks = gw_jwks_new(doc, err, sizeof err);
    free(doc);
    cr_assert(jwks, "%s", err);
    cr_assert_eq(gw_jwks_count(jwks), 2);
    err[0] = '\0';
}

static void teardown(void)
{
    gw_jwks_destroy(&jwks);
    cr_assert_null(jwks);
    fx_key_free(&rsa);
    fx_key_free(&ec);
}

TestSuite(jwt, .init = setup, .fini = teardown);

/* Verifies token, expecting want; frees the token. */
static void expect_verify(char *token, int want, const char *reason)
{
    gw_jwt_t jwt;
    int rc = gw_jwt_verify(jwks, token, &jwt, err, sizeof err);
    free(token);
    cr_assert_eq(rc, want, "got %s (%s), want %s", gw_jwt_strerror(rc), err,
                 gw_jwt_strerror(want));
    if (reason)
        cr_assert(strstr(err, reason), "reason \"%s\" lacks \"%s\"", err, reason);
    if (rc == GW_JWT_OK)
        gw_jwt_clear(&jwt);
    else
        cr_assert(jwt.header == NULL && jwt.claims == NULL, "a refused token is cleared");
}

/* ------------------------------------------------------------ base64url */

Test(jwt, b64url_round_trip_and_strictness)
{
    const unsigned char bytes[] = {0xfb, 0xff, 0x00, 0x10, 0x7e};
    for (size_t len = 0; len <= sizeof bytes; len++) {
        char enc[16];
        size_t n = gw_b64url_encode(bytes, len, enc);
        cr_assert_eq(n, strlen(enc));
        char *ref = fx_b64(bytes, len);
        cr_assert_str_eq(enc, ref, "length %zu", len);
        free(ref);
        unsigned char *dec = NULL;
        size_t dec_len = 0;
        cr_assert_eq(gw_b64url_decode(enc, n, &dec, &dec_len), GW_JWT_OK);
        cr_assert_eq(dec_len, len);
        cr_assert_arr_eq(dec, bytes, len);
        free(dec);
    }
    static const char *bad[] = {"AA==", "+/8", "A", "AAAAA", "AB", "A B", "A.B"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        unsigned char *dec = (unsigned char *)"x";
        size_t dec_len = 9;
        cr_assert_eq(gw_b64url_decode(bad[i], strlen(bad[i]), &dec, &dec_len), GW_JWT_EMALFORMED,
                     "\"%s\" accepted", bad[i]);
        cr_assert_null(dec);
        cr_assert_eq(dec_len, 0);
    }
}

/* ------------------------------------------------------------ signatures */

Test(jwt, rs256_es256_ps256_accepted)
{
    gw_jwt_t jwt;
    char *token = fx_sign(&rsa, "RS256", fx_claims(NOW));
    cr_assert_eq(gw_jwt_verify(jwks, token, &jwt, err, sizeof err), GW_JWT_OK, "%s", err);
    cr_assert_str_eq(jwt.alg, "RS256");
    cr_assert_str_eq(jwt.kid, "rsa-1");
    cr_assert_str_eq(gw_jwt_claim_string(&jwt, "sub"), "user-1");
    gw_jwt_expect_t expect = {FX_ISSUER, FX_CLIENT, NOW, GW_JWT_LEEWAY, true};
    cr_assert_eq(gw_jwt_check_claims(&jwt, &expect, err, sizeof err), GW_JWT_OK, "%s", err);
    gw_jwt_clear(&jwt);
    free(token);
    expect_verify(fx_sign(&ec, "ES256", fx_claims(NOW)), GW_JWT_OK, NULL);
    expect_verify(fx_sign(&rsa, "PS256", fx_claims(NOW)), GW_JWT_OK, NULL);
}

Test(jwt, token_without_kid_tries_the_keys_of_its_type)
{
    expect_verify(fx_sign_raw(&ec, "ES256", json_pack("{s:s}", "alg", "ES256"), fx_claims(NOW)),
                  GW_JWT_OK, NULL);
    fx_key_t stranger = fx_key_new(false, "x");
    expect_verify(fx_sign_raw(&stranger, "RS256", json_pack("{s:s}", "alg", "RS256"),
                              fx_claims(NOW)),
                  GW_JWT_ESIG, "does not verify");
    fx_key_free(&stranger);
}

/* Replaces the payload of token by claims (signature kept). */
static char *swap_payload(char *token, json_t *claims)
{
    char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    char *p = fx_json_b64(claims);
    json_decref(claims);
    size_t len = (size_t)(dot1 - token) + strlen(p) + strlen(dot2) + 2;
    char *out = malloc(len);
    snprintf(out, len, "%.*s.%s%s", (int)(dot1 - token), token, p, dot2);
    free(p);
    free(token);
    return out;
}

Test(jwt, tampered_payload_refused)
{
    json_t *forged = fx_claims(NOW);
    json_object_set_new(forged, "sub", json_string("admin"));
    expect_verify(swap_payload(fx_sign(&rsa, "RS256", fx_claims(NOW)), forged), GW_JWT_ESIG,
                  "signature does not verify");
    forged = fx_claims(NOW);
    json_object_set_new(forged, "exp", json_integer(NOW + 86400 * 365));
    expect_verify(swap_payload(fx_sign(&ec, "ES256", fx_claims(NOW)), forged), GW_JWT_ESIG,
                  "signature does not verify");
}

Test(jwt, tampered_signature_refused)
{
    char *token = fx_sign(&rsa, "RS256", fx_claims(NOW));
    char *c = strrchr(token, '.') + 10;
    *c = *c == 'A' ? 'B' : 'A';
    expect_verify(token, GW_JWT_ESIG, "signature does not verify");
    token = fx_sign(&ec, "ES256", fx_claims(NOW));
    c = strrchr(token, '.') + 10;
    *c = *c == 'A' ? 'B' : 'A';
    expect_verify(token, GW_JWT_ESIG, "signature does not verify");
}

Test(jwt, alg_none_refused)
{
    expect_verify(fx_none(fx_claims(NOW)), GW_JWT_EALG, "\"none\" refused");
    /* even with a signature segment, even with a kid of the set */
    expect_verify(fx_sign_raw(&rsa, "RS256", json_pack("{s:s, s:s}", "alg", "none", "kid", "rsa-1"),
                              fx_claims(NOW)),
                  GW_JWT_EALG, "refused");
}

Test(jwt, hs256_with_the_public_key_as_secret_refused)
{
    /* the classic confusion: the attacker HMACs with the public key the
     * issuer publishes; a verifier that took "alg" at its word would accept */
    json_t *jwk = fx_jwk(&rsa, NULL);
    const char *n = json_string_value(json_object_get(jwk, "n"));
    expect_verify(fx_hs256("rsa-1", fx_claims(NOW), (const unsigned char *)n, strlen(n)),
                  GW_JWT_EALG, "HS256");
    json_decref(jwk);
}

Test(jwt, unknown_kid_refused)
{
    fx_key_t other = fx_key_new(false, "rotated-2");
    expect_verify(fx_sign(&other, "RS256", fx_claims(NOW)), GW_JWT_EKID,
                  "kid \"rotated-2\" is not in the issuer's key set");
    fx_key_free(&other);
    cr_assert(gw_jwks_has_kid(jwks, "rsa-1"));
    cr_assert_not(gw_jwks_has_kid(jwks, "rotated-2"));
}

Test(jwt, kid_of_another_key_type_refused)
{
    /* an RS256 token naming the EC key: no RSA key under that kid */
    expect_verify(fx_sign_raw(&rsa, "RS256", json_pack("{s:s, s:s}", "alg", "RS256", "kid", "ec-1"),
                              fx_claims(NOW)),
                  GW_JWT_EALG, "not for alg RS256");
}

Test(jwt, key_restricted_to_an_alg)
{
    json_t *keys = json_pack("{s:[o]}", "keys", fx_jwk(&rsa, "RS256"));
    char *doc = json_dumps(keys, JSON_COMPACT);
    json_decref(keys);
    gw_jwks_t *only = gw_jwks_new(doc, err, sizeof err);
    free(doc);
    cr_assert(only, "%s", err);
    char *token = fx_sign(&rsa, "PS256", fx_claims(NOW));
    gw_jwt_t jwt;
    cr_assert_eq(gw_jwt_verify(only, token, &jwt, err, sizeof err), GW_JWT_EALG, "%s", err);
    free(token);
    gw_jwks_destroy(&only);
}

Test(jwt, crit_header_refused)
{
    expect_verify(fx_sign_raw(&rsa, "RS256",
                              json_pack("{s:s, s:s, s:[s], s:b}", "alg", "RS256", "kid", "rsa-1",
                                        "crit", "exp2", "exp2", 1),
                              fx_claims(NOW)),
                  GW_JWT_ECRIT, "crit");
}

Test(jwt, malformed_tokens_refused)
{
    expect_verify(strdup(""), GW_JWT_EMALFORMED, "no token");
    expect_verify(strdup("abc.def"), GW_JWT_EMALFORMED, "three segments");
    expect_verify(strdup("a.b.c.d"), GW_JWT_EMALFORMED, "three segments");
    expect_verify(strdup("eyJhbGciOiJSUzI1NiJ9.!!!.sig"), GW_JWT_EMALFORMED, "payload is not base64url");
    /* a payload that is base64url of something that is not a JSON object */
    char *arr = fx_b64((const unsigned char *)"[1,2]", 5);
    char token[256];
    snprintf(token, sizeof token, "eyJhbGciOiJSUzI1NiJ9.%s.AAAA", arr);
    free(arr);
    expect_verify(strdup(token), GW_JWT_EMALFORMED, "payload is not a JSON object");
    /* duplicate members: two readers could see two different subs */
    const char *dup = "{\"sub\":\"a\",\"sub\":\"admin\"}";
    char *p = fx_b64((const unsigned char *)dup, strlen(dup));
    snprintf(token, sizeof token, "eyJhbGciOiJSUzI1NiJ9.%s.AAAA", p);
    free(p);
    expect_verify(strdup(token), GW_JWT_EMALFORMED, "payload is not a JSON object");
    /* a header without alg */
    char *h = fx_b64((const unsigned char *)"{\"kid\":\"rsa-1\"}", 15);
    snprintf(token, sizeof token, "%s.e30.AAAA", h);
    free(h);
    expect_verify(strdup(token), GW_JWT_EMALFORMED, "alg missing");
    /* an ES256 signature that is not 64 bytes */
    char *es = fx_sign(&ec, "ES256", fx_claims(NOW));
    strcpy(strrchr(es, '.') + 1, "AAAA");
    expect_verify(es, GW_JWT_EMALFORMED, "64 expected");
    /* too long */
    char *huge = malloc(GW_JWT_MAX_LEN + 10);
    memset(huge, 'A', GW_JWT_MAX_LEN + 9);
    huge[GW_JWT_MAX_LEN + 9] = '\0';
    expect_verify(huge, GW_JWT_EMALFORMED, "longer than");
}

/* ------------------------------------------------------------ claims */

/* Checks claims (consumed) at now; expects want with reason. */
static void expect_claims(json_t *claims, time_t now, bool require_iat, int want,
                          const char *reason)
{
    char *token = fx_sign(&rsa, "RS256", claims);
    gw_jwt_t jwt;
    cr_assert_eq(gw_jwt_verify(jwks, token, &jwt, err, sizeof err), GW_JWT_OK, "%s", err);
    free(token);
    gw_jwt_expect_t expect = {FX_ISSUER, FX_CLIENT, now, GW_JWT_LEEWAY, require_iat};
    int rc = gw_jwt_check_claims(&jwt, &expect, err, sizeof err);
    gw_jwt_clear(&jwt);
    cr_assert_eq(rc, want, "got %s (%s), want %s", gw_jwt_strerror(rc), err,
                 gw_jwt_strerror(want));
    if (reason)
        cr_assert(strstr(err, reason), "reason \"%s\" lacks \"%s\"", err, reason);
}

Test(jwt, expired_refused_beyond_the_leeway)
{
    /* exp = NOW + 300 */
    expect_claims(fx_claims(NOW), NOW + 300 + GW_JWT_LEEWAY - 1, false, GW_JWT_OK, NULL);
    expect_claims(fx_claims(NOW), NOW + 300 + GW_JWT_LEEWAY, false, GW_JWT_EEXP, "expired at");
    expect_claims(fx_claims(NOW), NOW + 86400, false, GW_JWT_EEXP, "leeway 60 s");
    json_t *c = fx_claims(NOW);
    json_object_del(c, "exp");
    expect_claims(c, NOW, false, GW_JWT_EEXP, "exp missing");
    c = fx_claims(NOW);
    json_object_set_new(c, "exp", json_string("tomorrow"));
    expect_claims(c, NOW, false, GW_JWT_EEXP, "not a number");
}

Test(jwt, absurd_times_neither_overflow_nor_pass)
{
    /* 1e300 and -1e300 do not fit a time_t: converting them unchecked is
     * undefined behaviour (the sanitizer build would stop here) */
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "exp", json_real(-1e300));
    expect_claims(c, NOW, false, GW_JWT_EEXP, "expired at 1970-01-01T00:00:00Z");
    c = fx_claims(NOW);
    json_object_set_new(c, "nbf", json_real(1e300));
    expect_claims(c, NOW, false, GW_JWT_ENBF, "not valid before 9999-12-31T23:59:59Z");
    c = fx_claims(NOW);
    json_object_set_new(c, "exp", json_real(1e300));
    char *token = fx_sign(&rsa, "RS256", c);
    gw_jwt_t jwt;
    cr_assert_eq(gw_jwt_verify(jwks, token, &jwt, err, sizeof err), GW_JWT_OK, "%s", err);
    free(token);
    cr_assert_eq(gw_jwt_claim_time(&jwt, "exp"), (time_t)GW_JWT_TIME_MAX);
    cr_assert_eq(gw_jwt_claim_time(&jwt, "iat"), NOW);
    cr_assert_eq(gw_jwt_claim_time(&jwt, "sub"), 0);
    cr_assert_eq(gw_jwt_claim_time(&jwt, "nbf"), 0);
    gw_jwt_clear(&jwt);
}

Test(jwt, not_yet_valid_refused)
{
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "nbf", json_integer(NOW + 120));
    expect_claims(c, NOW, false, GW_JWT_ENBF, "not valid before");
    c = fx_claims(NOW);
    json_object_set_new(c, "nbf", json_integer(NOW + 30)); /* within the leeway */
    expect_claims(c, NOW, false, GW_JWT_OK, NULL);
    c = fx_claims(NOW);
    json_object_set_new(c, "iat", json_integer(NOW + 600));
    expect_claims(c, NOW, false, GW_JWT_EIAT, "issued in the future");
    c = fx_claims(NOW);
    json_object_del(c, "iat");
    expect_claims(json_deep_copy(c), NOW, false, GW_JWT_OK, NULL);
    expect_claims(c, NOW, true, GW_JWT_EIAT, "iat missing");
}

Test(jwt, wrong_issuer_refused)
{
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "iss", json_string("https://evil.example.test"));
    expect_claims(c, NOW, false, GW_JWT_EISS, "expected \"" FX_ISSUER "\"");
    c = fx_claims(NOW);
    json_object_set_new(c, "iss", json_string(FX_ISSUER "/")); /* exact comparison */
    expect_claims(c, NOW, false, GW_JWT_EISS, NULL);
    c = fx_claims(NOW);
    json_object_del(c, "iss");
    expect_claims(c, NOW, false, GW_JWT_EISS, "iss is missing");
}

Test(jwt, wrong_audience_refused)
{
    json_t *c = fx_claims(NOW);
    json_object_set_new(c, "aud", json_string("another-client"));
    expect_claims(c, NOW, false, GW_JWT_EAUD, "aud does not contain");
    c = fx_claims(NOW);
    json_object_set_new(c, "aud", json_pack("[s, s]", "another-client", FX_CLIENT));
    expect_claims(c, NOW, false, GW_JWT_OK, NULL);
    c = fx_claims(NOW);
    json_object_set_new(c, "aud", json_pack("[s, i]", "another-client", 7));
    expect_claims(c, NOW, false, GW_JWT_EAUD, NULL);
    c = fx_claims(NOW);
    json_object_del(c, "aud");
    expect_claims(c, NOW, false, GW_JWT_EAUD, NULL);
}

/* ------------------------------------------------------------ key sets */

static void expect_jwks_error(const char *doc, const char *reason)
{
    char why[256] = "";
    gw_jwks_t *set = gw_jwks_new(doc, why, sizeof why);
    cr_assert_null(set, "accepted: %s", doc);
    cr_assert(strstr(why, reason), "reason \"%s\" lacks \"%s\" (%s)", why, reason, doc);
}

Test(jwt, jwks_parsing_errors)
{
    expect_jwks_error("not json", "not JSON");
    expect_jwks_error(NULL, "not JSON");
    expect_jwks_error("{\"keys\":{}}", "no \"keys\" array");
    expect_jwks_error("{\"keys\":[]}", "no usable signing key");
    expect_jwks_error("{\"keys\":[1]}", "key 0 is not an object");
    expect_jwks_error("{\"keys\":[{\"n\":\"AQAB\"}]}", "\"kty\" missing");
    expect_jwks_error("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\"}]}", "\"e\" missing");
    expect_jwks_error("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"A+B/\",\"e\":\"AQAB\"}]}",
                      "\"n\" is not base64url");
    expect_jwks_error("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", "no usable signing key");
    expect_jwks_error("{\"keys\":[{\"kty\":\"RSA\",\"kid\":7,\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
                      "\"kid\" is not a string");

    /* a 1024-bit RSA key */
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    fx_key_t weak = {.pkey = small, .kid = "weak"};
    char *doc = fx_jwks(&weak, 1);
    expect_jwks_error(doc, "RSA modulus of 1024 bits");
    free(doc);
    EVP_PKEY_free(small);

    /* an EC point moved off the curve, and a short coordinate */
    json_t *jwk = fx_jwk(&ec, NULL);
    char y[64];
    snprintf(y, sizeof y, "%s", json_string_value(json_object_get(jwk, "y")));
    y[5] = y[5] == 'A' ? 'B' : 'A';
    json_object_set_new(jwk, "y", json_string(y));
    json_t *set = json_pack("{s:[O]}", "keys", jwk);
    doc = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    expect_jwks_error(doc, "not on the P-256 curve");
    free(doc);
    json_object_set_new(jwk, "x", json_string("AQAB"));
    set = json_pack("{s:[o]}", "keys", jwk);
    doc = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    expect_jwks_error(doc, "must be 32 bytes");
    free(doc);
}

Test(jwt, jwks_skips_keys_it_cannot_use)
{
    /* an encryption key, a P-384 key, an RS512-only key, a symmetric key:
     * none can verify here, none stops the set from loading */
    json_t *sig = fx_jwk(&rsa, NULL);
    json_t *enc = fx_jwk(&rsa, NULL);
    json_object_set_new(enc, "use", json_string("enc"));
    json_object_set_new(enc, "kid", json_string("enc-1"));
    json_t *rs512 = fx_jwk(&rsa, "RS512");
    json_object_set_new(rs512, "kid", json_string("rs512"));
    json_t *p384 = fx_jwk(&ec, NULL);
    json_object_set_new(p384, "crv", json_string("P-384"));
    json_object_set_new(p384, "kid", json_string("p384"));
    json_t *oct = json_pack("{s:s, s:s, s:s}", "kty", "oct", "k", "c2VjcmV0", "kid", "hmac");
    json_t *set = json_pack("{s:[o, o, o, o, o]}", "keys", enc, rs512, p384, oct, sig);
    char *doc = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    gw_jwks_t *keys = gw_jwks_new(doc, err, sizeof err);
    free(doc);
    cr_assert(keys, "%s", err);
    cr_assert_eq(gw_jwks_count(keys), 1);
    cr_assert(gw_jwks_has_kid(keys, "rsa-1"));
    cr_assert_not(gw_jwks_has_kid(keys, "hmac"));
    /* a token naming the symmetric key is refused as an unknown kid */
    char *token = fx_hs256("hmac", fx_claims(NOW), (const unsigned char *)"secret", 6);
    gw_jwt_t jwt;
    cr_assert_eq(gw_jwt_verify(keys, token, &jwt, err, sizeof err), GW_JWT_EALG, "%s", err);
    free(token);
    gw_jwks_destroy(&keys);
}

Test(jwt, strerror_names)
{
    cr_assert_str_eq(gw_jwt_strerror(GW_JWT_EEXP), "expired");
    cr_assert_str_eq(gw_jwt_strerror(GW_JWT_ESIG), "signature");
    cr_assert_str_eq(gw_jwt_strerror(-1), "?");
    cr_assert_str_eq(gw_jwt_strerror(GW_JWT_ERR_COUNT), "?");
}
