/*  test_notifier_channel.c — the senders (services/notifier/channel.h):
 *  the webhook against a real HTTP server in the test (libmicrohttpd),
 *  its signature and idempotency key, how answers are classified, the
 *  file outbox, an SMTP server that is not there, and the thread pool. */
#include <criterion/criterion.h>

#include <errno.h>
#include <ftw.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

Test(channel, hmac_sha256_matches_rfc_4231)
{
    char hex[65];
    const char *data = "what do ya want for nothing?";
    ntf_hmac_sha256_hex("Jefe", data, strlen(data), hex);
    cr_expect_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
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

Test(channel, the_webhook_is_signed_and_keyed)
{
    s_recv_t r = { .status = 200 };
    char url[128];
    struct MHD_Daemon *d = s_serve(&r, url, sizeof url);
    ntf_channel_config_t cfg = { .webhook_url = url, .webhook_secret = "s3cret", .timeout_ms = 5000 };
    ntf_sender_t *s = ntf_sender_new(&cfg);
    const char *body = "{\"id\":\"o:E1|d-7|E1\",\"kind\":\"reminder\"}";
    ntf_job_t *j = ntf_job_new(NTF_CH_WEBHOOK, "o:E1|d-7|E1", "0123456789abcdef0123456789abcdef", body, strlen(body));
    ntf_sender_send(s, j);
    cr_expect_eq(j->outcome, NTF_SEND_OK, "%s", j->error);
    char want[80], hex[65];
    ntf_hmac_sha256_hex("s3cret", body, strlen(body), hex);
    snprintf(want, sizeof want, "sha256=%s", hex);
    pthread_mutex_lock(&r.mu);
    cr_expect_str_eq(r.body, body);
    cr_expect_str_eq(r.key, "0123456789abcdef0123456789abcdef");
    cr_expect_str_eq(r.sig, want);
    cr_expect(strncmp(r.ctype, "application/json", 16) == 0);
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
