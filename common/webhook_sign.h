/*  webhook_sign.h — signatures of outgoing webhooks, the Standard Webhooks
 *  way (https://www.standardwebhooks.com): webhook-signature "v1,<base64
 *  HMAC-SHA256 of id.timestamp.body>", and the deprecated hex HMAC of the
 *  body alone.  Shared by the notifier's webhook channel and the gateway's
 *  event webhooks, so that a receiver checks both with the same code.
 */
#ifndef ENT_WEBHOOK_SIGN_H
#define ENT_WEBHOOK_SIGN_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256's block size: HMAC hashes a longer key first (RFC 2104), so a key
 * is kept in at most this many bytes whatever the length of the secret. */
#define ENT_WEBHOOK_KEY_MAX 64
/* Fewest key bytes a "whsec_" secret may carry (the Standard Webhooks spec). */
#define ENT_WEBHOOK_KEY_MIN 24
/* Most key bytes a "whsec_" secret may carry. */
#define ENT_WEBHOOK_WHSEC_MAX 512
/* "v1," + 44 base64 characters + NUL. */
#define ENT_WEBHOOK_SIG_SIZE 48

/* The bytes HMAC-SHA256 is keyed with. */
typedef struct {
    unsigned char bytes[ENT_WEBHOOK_KEY_MAX];
    size_t len;
} ent_webhook_key_t;

/* Reads a configured secret into a key:
 *   "whsec_<base64>"  the Standard Webhooks form: the key is the decoded
 *                     bytes (standard alphabet, padded, no spaces or line
 *                     breaks; 24 to 512 bytes);
 *   any other string  the form used before: the key is the string's bytes
 *                     as they are.
 * Returns 0; EINVAL when secret is NULL or empty, or a "whsec_" secret is
 * not such base64 or decodes to too few or too many bytes (*out is then
 * zeroed); ENOMEM; EIO when OpenSSL cannot hash a long key. */
int ent_webhook_key_parse(const char *secret, ent_webhook_key_t *out);

/* Signs one attempt the Standard Webhooks way: out = "v1," followed by the
 * base64 of HMAC-SHA256(key, msg_id "." timestamp "." body), timestamp in
 * decimal Unix seconds.
 * Returns 0; EINVAL when msg_id is empty or holds a '.', a space or a
 * control character ('.' separates the signed parts: a message id holding
 * one could make two different messages sign the same bytes; the others
 * cannot go into a header), or timestamp is negative; EIO when OpenSSL
 * fails.  out is an empty string on error. */
int ent_webhook_sign(const ent_webhook_key_t *key, const char *msg_id, int64_t timestamp, const void *body,
                     size_t len, char out[ENT_WEBHOOK_SIG_SIZE]);

/* hex(HMAC-SHA256(key, data)) into out (65 bytes): the deprecated
 * X-Entretiens-Signature.  Returns 0, or EIO when OpenSSL fails (out is
 * then an empty string). */
int ent_hmac_sha256_hex(const ent_webhook_key_t *key, const void *data, size_t len, char out[65]);

#endif
