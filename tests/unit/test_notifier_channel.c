/*  test_notifier_channel.c — the senders (services/notifier/channel.h):
 *  the Standard Webhooks signature (a vector of the spec's reference
 *  library, and signatures recomputed here with OpenSSL's one-shot HMAC,
 *  not the code under test), the webhook against a real HTTP server in the
 *  test (libmicrohttpd), its headers and idempotency key, how answers are
 *  classified, the file outbox, an SMTP server that is not there, and the
 *  thread pool. */
#include <criterion/criterion.h>

#include <errno.h>
#include <ftw.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"

/* ------------------------------------------------------------ an HTTP receiver */

typedef struct {
    unsigned status;
    char body[4096];
    size_t len;
    char key[80];
    char sig[120];
    char ctype[80];
    char wid[80];
    char wts[40];
    char wsig[200];
    int posts;
    pthread_mutex_t mu;
} s_recv_t;

typedef struct {
    char buf[4096];
    size_t len;
} s_conn_t;

static enum MHD_Result s_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void) url, (void) version;
    s_recv_t *r = cls;
    if (!*con_cls) {
        *con_cls = calloc(1, sizeof(s_conn_t));
        return MHD_YES;
    }
    s_conn_t *cc = *con_cls;
    if (*upload_size) {
        size_t n = *upload_size < sizeof cc->buf - cc->len - 1 ? *upload_size : sizeof cc->buf - cc->len - 1;
        memcpy(cc->buf + cc->len, upload, n);
        cc->len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    if (strcmp(method, "POST") == 0)
        r->posts++;
    memcpy(r->body, cc->buf, cc->len);
    r->len = cc->len;
    r->body[r->len] = '\0';
    const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    const char *s = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Entretiens-Signature");
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    const char *wid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
    const char *wts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-timestamp");
    const char *wsig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-signature");
    snprintf(r->wid, sizeof r->wid, "%s", wid ? wid : "");
    snprintf(r->wts, sizeof r->wts, "%s", wts ? wts : "");
    snprintf(r->wsig, sizeof r->wsig, "%s", wsig ? wsig : "");
    snprintf(r->key, sizeof r->key, "%s", k ? k : "");
    snprintf(r->sig, sizeof r->sig, "%s", s ? s : "");
    snprintf(r->ctype, sizeof r->ctype, "%s", t ? t : "");
    unsigned status = r->status;
    pthread_mutex_unlock(&r->mu);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void s_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void) cls, (void) c, (void) toe;
    free(*con_cls);
    *con_cls = NULL;
}

static struct MHD_Daemon *s_serve(s_recv_t *r, char *url, size_t size)
{
    pthread_mutex_init(&r->mu, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, s_handler, r,
                                            MHD_OPTION_NOTIFY_COMPLETED, s_done, NULL, MHD_OPTION_END);
    cr_assert_not_null(d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(url, size, "http://127.0.0.1:%u/hook", (unsigned) info->port);
    return d;
}

/* ------------------------------------------------------------ tests */

/* "v1," + base64(HMAC-SHA256(key, id.ts.body)), computed with OpenSSL's
 * one-shot HMAC() over one buffer: independent of the code under test. */
static void s_v1(const void *key, size_t klen, const char *id, const char *ts, const char *body, char out[64])
{
    char msg[8192];
    int n = snprintf(msg, sizeof msg, "%s.%s.%s", id, ts, body);
    cr_assert(n > 0 && (size_t) n < sizeof msg);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    cr_assert_not_null(HMAC(EVP_sha256(), key, (int) klen, (const unsigned char *) msg, (size_t) n, md, &mdlen));
    cr_assert_eq(mdlen, 32);
    memcpy(out, "v1,", 3);
    EVP_EncodeBlock((unsigned char *) out + 3, md, 32);
}

/* The key bytes of a whsec_ secret, decoded here with EVP_DecodeBlock. */
static size_t s_whsec_bytes(const char *secret, unsigned char *out)
{
    const char *b64 = secret + 6;
    int n = EVP_DecodeBlock(out, (const unsigned char *) b64, (int) strlen(b64));
    cr_assert(n > 0);
    size_t len = (size_t) n;
    for (const char *p = b64 + strlen(b64); p > b64 && p[-1] == '='; p--)
        len--;
    return len;
}

Test(channel, hmac_sha256_matches_rfc_4231)
{
    char hex[65];
    ent_webhook_key_t k;
    const char *data = "what do ya want for nothing?";
    cr_assert_eq(ent_webhook_key_parse("Jefe", &k), 0);
    cr_assert_eq(ent_hmac_sha256_hex(&k, data, strlen(data), hex), 0);
    cr_expect_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(channel, the_signature_is_the_standard_webhooks_one)
{
    /* the vector of the spec's reference library (standard-webhooks,
     * libraries/go/webhook_test.go, TestWebhookSign) */
    const char *body = "{\"test\": 2432232314}";
    ent_webhook_key_t k;
    char sig[ENT_WEBHOOK_SIG_SIZE], want[64];
    cr_assert_eq(ent_webhook_key_parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &k), 0);
    cr_expect_eq(k.len, 24, "the key is the decoded bytes");
    cr_assert_eq(ent_webhook_sign(&k, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body), sig), 0);
    cr_expect_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* and recomputed here with the decoded key */
    unsigned char raw[64];
    size_t rlen = s_whsec_bytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", raw);
    s_v1(raw, rlen, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body, want);
    cr_expect_str_eq(sig, want);

    /* a secret without the prefix is the form used before: its own bytes
     * are the key (not base64), whatever it looks like */
    cr_assert_eq(ent_webhook_key_parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &k), 0);
    cr_expect_eq(k.len, 32);
    cr_assert_eq(ent_webhook_sign(&k, "0123456789abcdef0123456789abcdef", 1774425600, body, strlen(body), sig), 0);
    s_v1("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 32, "0123456789abcdef0123456789abcdef", "1774425600", body, want);
    cr_expect_str_eq(sig, want);
    cr_expect_str_neq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

    /* the timestamp is signed: another second, another signature */
    char other[ENT_WEBHOOK_SIG_SIZE];
    cr_assert_eq(ent_webhook_sign(&k, "0123456789abcdef0123456789abcdef", 1774425601, body, strlen(body), other), 0);
    cr_expect_str_neq(sig, other);
}

Test(channel, a_long_secret_signs_as_hmac_does)
{
    /* keys longer than SHA-256's block are kept as their hash, which is
     * what HMAC itself does with them */
    char secret[201];
    memset(secret, 'k', 200);
    secret[200] = '\0';
    ent_webhook_key_t k;
    char sig[ENT_WEBHOOK_SIG_SIZE], want[64];
    cr_assert_eq(ent_webhook_key_parse(secret, &k), 0);
    cr_expect_eq(k.len, 32);
    cr_assert_eq(ent_webhook_sign(&k, "abc", 1, "{}", 2, sig), 0);
    s_v1(secret, 200, "abc", "1", "{}", want);
    cr_expect_str_eq(sig, want);
}

Test(channel, secrets_and_ids_that_cannot_sign)
{
    ent_webhook_key_t k;
    char sig[ENT_WEBHOOK_SIG_SIZE];
    const char *bad[] = {
        NULL,
        "",
        "whsec_",
        "whsec_not base64 at all!",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",   /* not a whole number of quanta */
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", /* a line break */
        "whsec_czNjcmV0ZB==",                       /* stray bits: not how these bytes are written */
        "whsec_czNjcmV0",                           /* 6 bytes: fewer than 24 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        k.len = 99;
        cr_expect_eq(ent_webhook_key_parse(bad[i], &k), EINVAL, "secret %zu", i);
        cr_expect_eq(k.len, 0, "secret %zu leaves no key", i);
    }
    cr_assert_eq(ent_webhook_key_parse("s3cret", &k), 0);
    const char *ids[] = { "", "a.b", "a b", "a\r\nX-Evil: 1" };
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        cr_expect_eq(ent_webhook_sign(&k, ids[i], 1, "{}", 2, sig), EINVAL, "id %zu", i);
        cr_expect_str_eq(sig, "");
    }
    cr_expect_eq(ent_webhook_sign(&k, NULL, 1, "{}", 2, sig), EINVAL);
    cr_expect_eq(ent_webhook_sign(&k, "abc", -1, "{}", 2, sig), EINVAL);
}

Test(channel, names_and_masks)
{
    cr_expect_eq(ntf_channel_parse("webhook"), NTF_CH_WEBHOOK);
    cr_expect_eq(ntf_channel_parse("fax"), -1);
    cr_expect_str_eq(ntf_channel_name(NTF_CH_FILE), "file");
    cr_expect_eq(ntf_tls_parse("required"), NTF_TLS_REQUIRED);
    cr_expect_eq(ntf_tls_parse("maybe"), -1);
    ntf_channel_config_t cfg = { .webhook_url = "http://x", .outbox_dir = "/tmp" };
    cr_expect_eq(ntf_channel_mask(&cfg), (1u << NTF_CH_WEBHOOK) | (1u << NTF_CH_FILE));
}

/* The signatures of webhook-signature, split at spaces. */
static size_t s_split(const char *header, char out[4][64])
{
    size_t n = 0;
    char buf[200];
    snprintf(buf, sizeof buf, "%s", header);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && n < 4; t = strtok_r(NULL, " ", &save))
        snprintf(out[n++], 64, "%s", t);
    return n;
}

Test(channel, the_webhook_is_signed_and_keyed)
{
    s_recv_t r = { .status = 200 };
    char url[128];
    struct MHD_Daemon *d = s_serve(&r, url, sizeof url);
    ntf_channel_config_t cfg = { .webhook_url = url, .webhook_secret = "s3cret", .timeout_ms = 5000 };
    ntf_sender_t *s = ntf_sender_new(&cfg);
    const char *body = "{\"id\":\"o:E1|d-7|E1\",\"kind\":\"reminder\"}";
    const char *key = "0123456789abcdef0123456789abcdef";
    ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, "o:E1|d-7|E1", key, body, strlen(body));
    time_t t0 = time(NULL);
    ntf_sender_send(s, j);
    time_t t1 = time(NULL);
    cr_expect_eq(j->outcome, NTF_SEND_OK, "%s", j->error);
    char want[80], hex[65], v1[64], sigs[4][64];
    ent_webhook_key_t k;
    cr_assert_eq(ent_webhook_key_parse("s3cret", &k), 0);
    cr_assert_eq(ent_hmac_sha256_hex(&k, body, strlen(body), hex), 0);
    snprintf(want, sizeof want, "sha256=%s", hex);
    pthread_mutex_lock(&r.mu);
    cr_expect_str_eq(r.body, body);
    cr_expect_str_eq(r.key, key);
    cr_expect_str_eq(r.sig, want, "the deprecated header is still sent");
    cr_expect(strncmp(r.ctype, "application/json", 16) == 0);
    /* Standard Webhooks: the id is the message key, the timestamp this
     * attempt's, the signature over both and the body */
    cr_expect_str_eq(r.wid, key);
    long long ts1 = atoll(r.wts);
    cr_expect(ts1 >= (long long) t0 && ts1 <= (long long) t1, "timestamp %s not within [%lld, %lld]", r.wts,
              (long long) t0, (long long) t1);
    s_v1("s3cret", 6, key, r.wts, body, v1);
    cr_expect_eq(s_split(r.wsig, sigs), 1, "one secret, one signature: %s", r.wsig);
    cr_expect_str_eq(sigs[0], v1);
    pthread_mutex_unlock(&r.mu);

    /* a retry of the same message: the same id, a timestamp of its own,
     * signed anew */
    sleep(1);
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_OK, "%s", j->error);
    pthread_mutex_lock(&r.mu);
    cr_expect_str_eq(r.wid, key);
    cr_expect_gt(atoll(r.wts), ts1, "the retry carries its own time");
    s_v1("s3cret", 6, key, r.wts, body, v1);
    cr_expect_eq(s_split(r.wsig, sigs), 1);
    cr_expect_str_eq(sigs[0], v1);
    pthread_mutex_unlock(&r.mu);

    /* busy or down: try again later; refused: never */
    unsigned codes[] = { 503, 500, 429, 408, 400, 404, 301 };
    ntf_outcome_t want_o[] = { NTF_SEND_RETRY, NTF_SEND_RETRY, NTF_SEND_RETRY, NTF_SEND_RETRY,
                               NTF_SEND_PERMANENT, NTF_SEND_PERMANENT, NTF_SEND_PERMANENT };
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        pthread_mutex_lock(&r.mu);
        r.status = codes[i];
        pthread_mutex_unlock(&r.mu);
        ntf_sender_send(s, j);
        cr_expect_eq(j->outcome, want_o[i], "HTTP %u", codes[i]);
        cr_expect(strstr(j->error, "HTTP"), "%s", j->error);
    }
    ntf_job_free(j);
    ntf_sender_destroy(&s);
    MHD_stop_daemon(d);
}

Test(channel, during_a_rotation_both_secrets_sign)
{
    s_recv_t r = { .status = 200 };
    char url[128];
    struct MHD_Daemon *d = s_serve(&r, url, sizeof url);
    const char *cur = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    ntf_channel_config_t cfg = { .webhook_url = url, .webhook_secret = cur, .webhook_secret_previous = "s3cret",
                                 .timeout_ms = 5000 };
    ntf_sender_t *s = ntf_sender_new(&cfg);
    const char *body = "{\"id\":\"x\"}";
    const char *key = "fedcba9876543210fedcba9876543210";
    ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, "x", key, body, strlen(body));
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_OK, "%s", j->error);
    unsigned char raw[64];
    size_t rlen = s_whsec_bytes(cur, raw);
    char v_cur[64], v_prev[64], sigs[4][64], hex[65], want[80];
    pthread_mutex_lock(&r.mu);
    s_v1(raw, rlen, key, r.wts, body, v_cur);
    s_v1("s3cret", 6, key, r.wts, body, v_prev);
    cr_assert_eq(s_split(r.wsig, sigs), 2, "%s", r.wsig);
    cr_expect_str_eq(sigs[0], v_cur, "the current secret first");
    cr_expect_str_eq(sigs[1], v_prev);
    /* the deprecated header: the current key (the decoded bytes) only */
    ent_webhook_key_t k;
    cr_assert_eq(ent_webhook_key_parse(cur, &k), 0);
    cr_assert_eq(ent_hmac_sha256_hex(&k, body, strlen(body), hex), 0);
    snprintf(want, sizeof want, "sha256=%s", hex);
    cr_expect_str_eq(r.sig, want);
    pthread_mutex_unlock(&r.mu);
    ntf_job_free(j);
    ntf_sender_destroy(&s);
    MHD_stop_daemon(d);
}

Test(channel, without_a_secret_the_webhook_is_identified_but_unsigned)
{
    s_recv_t r = { .status = 200 };
    char url[128];
    struct MHD_Daemon *d = s_serve(&r, url, sizeof url);
    ntf_channel_config_t cfg = { .webhook_url = url, .timeout_ms = 5000 };
    ntf_sender_t *s = ntf_sender_new(&cfg);
    ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, "x", "0123456789abcdef0123456789abcdef", "{}", 2);
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_OK, "%s", j->error);
    pthread_mutex_lock(&r.mu);
    cr_expect_str_eq(r.wid, "0123456789abcdef0123456789abcdef");
    cr_expect_neq(r.wts[0], '\0');
    cr_expect_str_eq(r.wsig, "");
    cr_expect_str_eq(r.sig, "");
    pthread_mutex_unlock(&r.mu);
    ntf_job_free(j);
    ntf_sender_destroy(&s);
    MHD_stop_daemon(d);
}

Test(channel, a_receiver_that_is_not_there_is_retried)
{
    ntf_channel_config_t cfg = { .webhook_url = "http://127.0.0.1:1/hook", .smtp_url = "smtp://127.0.0.1:1",
                                 .smtp_from = "a@b.c", .timeout_ms = 2000 };
    ntf_sender_t *s = ntf_sender_new(&cfg);
    ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, "x", "k", "{}", 2);
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_RETRY);
    j->channel = NTF_CH_SMTP;
    ntf_job_add_rcpt(j, "e1@acme.test");
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_RETRY, "%s", j->error);
    cr_expect(strstr(j->error, "smtp"), "%s", j->error);
    /* a channel that is not configured can never work */
    j->channel = NTF_CH_FILE;
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_PERMANENT);
    ntf_job_free(j);
    ntf_sender_destroy(&s);
}

static int s_rm(const char *p, const struct stat *st, int t, struct FTW *f)
{
    (void) st, (void) t, (void) f;
    return remove(p);
}

Test(channel, the_file_outbox_writes_one_whole_file_per_message)
{
    char dir[] = "/tmp/ent_test_outbox_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ntf_channel_config_t cfg = { .outbox_dir = dir, .timeout_ms = 1000 };
    ntf_sender_t *s = ntf_sender_new(&cfg);
    const char *mail = "Subject: x\r\n\r\nhello\r\n";
    ntf_job_t *j = ntf_job_new(NTF_CH_FILE, "id", "0123456789abcdef0123456789abcdef", mail, strlen(mail));
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_OK, "%s", j->error);
    ntf_sender_send(s, j); /* a resend overwrites: still one file */
    char path[256];
    snprintf(path, sizeof path, "%s/0123456789abcdef0123456789abcdef.eml", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char buf[128] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    cr_expect_eq(n, strlen(mail));
    cr_expect_str_eq(buf, mail);
    int files = 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    cr_assert(fscanf(p, "%d", &files) == 1);
    pclose(p);
    cr_expect_eq(files, 1, "no temporary file left");
    /* an outbox that cannot be written: retried (the disk may come back) */
    cfg.outbox_dir = "/nonexistent/outbox";
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_RETRY);
    ntf_job_free(j);
    ntf_sender_destroy(&s);
    nftw(dir, s_rm, 8, FTW_DEPTH | FTW_PHYS);
}

Test(channel, the_pool_sends_everything_and_hands_it_back)
{
    s_recv_t r = { .status = 200 };
    char url[128];
    struct MHD_Daemon *d = s_serve(&r, url, sizeof url);
    ntf_channel_config_t cfg = { .webhook_url = url, .timeout_ms = 5000 };
    ntf_pool_t *p = ntf_pool_new(&cfg, 3);
    cr_assert_not_null(p);
    ntf_job_t *list = NULL;
    for (int i = 0; i < 50; i++) {
        char id[16];
        snprintf(id, sizeof id, "n%d", i);
        ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, id, "k", "{}", 2);
        j->next = list;
        list = j;
    }
    ntf_pool_submit(p, list);
    cr_expect_eq(ntf_pool_wait(p, 10000), 0);
    ntf_job_t *done = ntf_pool_take(p);
    int n = 0, ok = 0;
    for (ntf_job_t *j = done; j; j = j->next, n++)
        ok += j->outcome == NTF_SEND_OK;
    cr_expect_eq(n, 50);
    cr_expect_eq(ok, 50);
    cr_expect_eq(r.posts, 50);
    cr_expect_null(ntf_pool_take(p));
    ntf_job_list_free(done);
    /* jobs still queued at stop are dropped, never half-sent */
    list = NULL;
    for (int i = 0; i < 20; i++) {
        ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, "q", "k", "{}", 2);
        j->next = list;
        list = j;
    }
    ntf_pool_submit(p, list);
    ntf_pool_destroy(&p);
    cr_expect_null(p);
    MHD_stop_daemon(d);
}
