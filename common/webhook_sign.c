/*  webhook_sign.c — HMAC-SHA256 webhook signatures (webhook_sign.h). */
#include "common/webhook_sign.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const void *p;
    size_t n;
} s_part_t;

/* HMAC-SHA256 of the concatenated parts into md (32 bytes), without copying
 * them together: a body is signed as it is.  Returns 0 or EIO. */
static int s_hmac(const ent_webhook_key_t *key, const s_part_t *parts, size_t n, unsigned char md[32])
{
    int rc = EIO;
    size_t outl = 0;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *) "SHA256", 0),
                            OSSL_PARAM_construct_end() };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!mac || !(ctx = EVP_MAC_CTX_new(mac)))
        goto fail;
    if (!EVP_MAC_init(ctx, key->bytes, key->len, params))
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (parts[i].n && !EVP_MAC_update(ctx, parts[i].p, parts[i].n))
            goto fail;
    if (!EVP_MAC_final(ctx, md, &outl, 32) || outl != 32)
        goto fail;
    rc = 0;
fail:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}

/* Strict base64: only what EVP_EncodeBlock itself would write for the
 * decoded bytes is accepted, so one secret has one spelling (no spaces,
 * line breaks, missing padding or stray bits that decoders treat
 * differently).  Returns 0 or EINVAL. */
static int s_base64_decode(const char *in, unsigned char *out, size_t cap, size_t *len)
{
    int rc = EINVAL, l1 = 0, l2 = 0;
    size_t n = strlen(in);
    char *again = NULL;
    EVP_ENCODE_CTX *ctx = NULL;
    *len = 0;
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap || n > INT32_MAX)
        goto fail;
    if (!(ctx = EVP_ENCODE_CTX_new()) || !(again = malloc(n + 1))) {
        rc = ENOMEM;
        goto fail;
    }
    EVP_DecodeInit(ctx);
    if (EVP_DecodeUpdate(ctx, out, &l1, (const unsigned char *) in, (int) n) < 0 ||
        EVP_DecodeFinal(ctx, out + l1, &l2) < 0)
        goto fail;
    *len = (size_t) l1 + (size_t) l2;
    if (EVP_EncodeBlock((unsigned char *) again, out, (int) *len) != (int) n || memcmp(again, in, n) != 0)
        goto fail;
    rc = 0;
fail:
    if (rc) {
        OPENSSL_cleanse(out, cap);
        *len = 0;
    }
    if (again) {
        OPENSSL_cleanse(again, n + 1);
        free(again);
    }
    EVP_ENCODE_CTX_free(ctx);
    return rc;
}

int ent_webhook_key_parse(const char *secret, ent_webhook_key_t *out)
{
    static const char prefix[] = "whsec_";
    unsigned char buf[ENT_WEBHOOK_WHSEC_MAX + 3];
    const unsigned char *raw;
    size_t len;
    int rc = EINVAL;
    memset(out, 0, sizeof *out);
    if (!secret || !*secret)
        return EINVAL;
    if (strncmp(secret, prefix, sizeof prefix - 1) == 0) {
        if ((rc = s_base64_decode(secret + sizeof prefix - 1, buf, sizeof buf, &len)) != 0)
            goto fail;
        rc = EINVAL;
        if (len < ENT_WEBHOOK_KEY_MIN || len > ENT_WEBHOOK_WHSEC_MAX)
            goto fail;
        raw = buf;
    } else {
        /* the form used before whsec_: the string's own bytes, as
         * X-Entretiens-Signature has always been keyed */
        raw = (const unsigned char *) secret;
        len = strlen(secret);
    }
    if (len <= ENT_WEBHOOK_KEY_MAX) {
        memcpy(out->bytes, raw, len);
        out->len = len;
    } else {
        /* HMAC keys a longer key by its hash (RFC 2104 §2): the same MAC
         * from a fixed-size key */
        unsigned int mdlen = 0;
        rc = EIO;
        if (!EVP_Digest(raw, len, out->bytes, &mdlen, EVP_sha256(), NULL))
            goto fail;
        out->len = mdlen;
    }
    rc = 0;
fail:
    OPENSSL_cleanse(buf, sizeof buf);
    if (rc)
        OPENSSL_cleanse(out, sizeof *out);
    return rc;
}

int ent_webhook_sign(const ent_webhook_key_t *key, const char *msg_id, int64_t timestamp, const void *body,
                     size_t len, char out[ENT_WEBHOOK_SIG_SIZE])
{
    out[0] = '\0';
    if (!msg_id || !*msg_id || timestamp < 0)
        return EINVAL;
    for (const unsigned char *p = (const unsigned char *) msg_id; *p; p++)
        if (*p == '.' || *p <= ' ' || *p == 0x7f)
            return EINVAL;
    char ts[24];
    int tn = snprintf(ts, sizeof ts, "%lld", (long long) timestamp);
    const s_part_t parts[] = { { msg_id, strlen(msg_id) }, { ".", 1 }, { ts, (size_t) tn }, { ".", 1 },
                               { body, len } };
    unsigned char md[32];
    int rc = s_hmac(key, parts, sizeof parts / sizeof *parts, md);
    if (rc)
        return rc;
    memcpy(out, "v1,", 3);
    /* 32 bytes are 44 base64 characters and a NUL: exactly what is left */
    EVP_EncodeBlock((unsigned char *) out + 3, md, (int) sizeof md);
    return 0;
}

int ent_hmac_sha256_hex(const ent_webhook_key_t *key, const void *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    const s_part_t part = { data, len };
    out[0] = '\0';
    int rc = s_hmac(key, &part, 1, md);
    if (rc)
        return rc;
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}
