/*  channel.c — SMTP, webhook and file senders on worker threads (channel.h). */
#include "channel.h"

#include "render.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const S_CHANNELS[NTF_CH_COUNT] = { "smtp", "webhook", "file" };

const char *ntf_channel_name(int channel)
{
    return channel >= 0 && channel < NTF_CH_COUNT ? S_CHANNELS[channel] : "?";
}

int ntf_channel_parse(const char *name)
{
    for (int i = 0; name && i < NTF_CH_COUNT; i++)
        if (strcmp(S_CHANNELS[i], name) == 0)
            return i;
    return -1;
}

int ntf_tls_parse(const char *name)
{
    static const char *const names[] = { "auto", "try", "required", "off" };
    for (int i = 0; name && i < 4; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

unsigned ntf_channel_mask(const ntf_channel_config_t *cfg)
{
    unsigned m = 0;
    if (cfg->smtp_url && *cfg->smtp_url)
        m |= 1u << NTF_CH_SMTP;
    if (cfg->webhook_url && *cfg->webhook_url)
        m |= 1u << NTF_CH_WEBHOOK;
    if (cfg->outbox_dir && *cfg->outbox_dir)
        m |= 1u << NTF_CH_FILE;
    return m;
}

/* ------------------------------------------------------------ jobs */

ntf_job_t *ntf_job_new(int channel, const char *notification_id, const char *key, const char *data, size_t len)
{
    ntf_job_t *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->channel = channel;
    j->notification_id = strdup(notification_id);
    j->data = malloc(len + 1);
    if (!j->notification_id || !j->data) {
        ntf_job_free(j);
        return NULL;
    }
    memcpy(j->data, data, len);
    j->data[len] = '\0';
    j->len = len;
    snprintf(j->key, sizeof j->key, "%s", key);
    return j;
}

int ntf_job_add_rcpt(ntf_job_t *job, const char *addr)
{
    char **r = realloc(job->rcpt, (job->n_rcpt + 1) * sizeof *r);
    if (!r)
        return ENOMEM;
    job->rcpt = r;
    if (!(r[job->n_rcpt] = strdup(addr)))
        return ENOMEM;
    job->n_rcpt++;
    return 0;
}

void ntf_job_free(ntf_job_t *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->n_rcpt; i++)
        free(job->rcpt[i]);
    free(job->rcpt);
    free(job->notification_id);
    free(job->data);
    free(job);
}

void ntf_job_list_free(ntf_job_t *list)
{
    while (list) {
        ntf_job_t *next = list->next;
        ntf_job_free(list);
        list = next;
    }
}

/* ------------------------------------------------------------ senders */

struct ntf_sender {
    const ntf_channel_config_t *cfg;
    CURL *smtp;
    CURL *http;
};

ntf_sender_t *ntf_sender_new(const ntf_channel_config_t *cfg)
{
    ntf_sender_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = cfg;
    return s;
}

void ntf_sender_destroy(ntf_sender_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    if ((*s_p)->smtp)
        curl_easy_cleanup((*s_p)->smtp);
    if ((*s_p)->http)
        curl_easy_cleanup((*s_p)->http);
    free(*s_p);
    *s_p = NULL;
}

static double s_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

typedef struct {
    const char *data;
    size_t len, off;
} s_upload_t;

static size_t s_read(char *buf, size_t size, size_t nitems, void *arg)
{
    s_upload_t *u = arg;
    size_t room = size * nitems, left = u->len - u->off;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

static size_t s_discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void) ptr, (void) arg;
    return size * nmemb;
}

static void s_fail(ntf_job_t *job, ntf_outcome_t outcome, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void s_fail(ntf_job_t *job, ntf_outcome_t outcome, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->error, sizeof job->error, fmt, ap);
    va_end(ap);
    job->outcome = outcome;
}

static void s_send_smtp(ntf_sender_t *s, ntf_job_t *job)
{
    const ntf_channel_config_t *cfg = s->cfg;
    if (!s->smtp && !(s->smtp = curl_easy_init())) {
        s_fail(job, NTF_SEND_RETRY, "curl_easy_init failed");
        return;
    }
    CURL *h = s->smtp;
    /* reset keeps the connection cache: the next message reuses the session */
    curl_easy_reset(h);
    char from[256], env[300];
    ntf_email_addr(cfg->smtp_from, from, sizeof from);
    snprintf(env, sizeof env, "<%s>", from);
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < job->n_rcpt; i++) {
        char r[300];
        snprintf(r, sizeof r, "<%s>", job->rcpt[i]);
        struct curl_slist *n = curl_slist_append(rcpt, r);
        if (!n) {
            curl_slist_free_all(rcpt);
            s_fail(job, NTF_SEND_RETRY, "out of memory");
            return;
        }
        rcpt = n;
    }
    s_upload_t up = { job->data, job->len, 0 };
    curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, env);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
    bool creds = cfg->smtp_user && *cfg->smtp_user;
    if (creds) {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password ? cfg->smtp_password : "");
    }
    long use_ssl = CURLUSESSL_TRY;
    switch (cfg->smtp_tls) {
    case NTF_TLS_AUTO:
        /* never send credentials in clear text unless told to */
        use_ssl = creds ? CURLUSESSL_ALL : CURLUSESSL_TRY;
        break;
    case NTF_TLS_TRY: use_ssl = CURLUSESSL_TRY; break;
    case NTF_TLS_REQUIRED: use_ssl = CURLUSESSL_ALL; break;
    case NTF_TLS_OFF: use_ssl = CURLUSESSL_NONE; break;
    }
    curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK) {
        job->outcome = NTF_SEND_OK;
        return;
    }
    /* 5xx is the server's final word on this message; 4xx and transport
     * errors may pass later */
    if (code >= 500 && code < 600) {
        s_fail(job, NTF_SEND_PERMANENT, "smtp %ld: %s", code, curl_easy_strerror(rc));
        return;
    }
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
        s_fail(job, NTF_SEND_PERMANENT, "smtp: %s", curl_easy_strerror(rc));
        return;
    }
    s_fail(job, NTF_SEND_RETRY, "smtp%s%ld: %s", code ? " " : "", code, curl_easy_strerror(rc));
    /* a failed session is not worth keeping */
    curl_easy_cleanup(s->smtp);
    s->smtp = NULL;
}

/* Appends a header line; false when out of memory (*hd is kept). */
static bool s_header(struct curl_slist **hd, const char *line)
{
    struct curl_slist *n = curl_slist_append(*hd, line);
    if (!n)
        return false;
    *hd = n;
    return true;
}

static void s_send_webhook(ntf_sender_t *s, ntf_job_t *job)
{
    const ntf_channel_config_t *cfg = s->cfg;
    /* the current secret first, then the one being rotated out: a receiver
     * holding either verifies one of the signatures */
    const char *secrets[2] = { cfg->webhook_secret, cfg->webhook_secret_previous };
    ent_webhook_key_t keys[2];
    size_t nkeys = 0;
    struct curl_slist *hd = NULL;
    char idem[64], wid[64], wts[48], legacy[100], hex[65];
    char wsig[32 + 2 * ENT_WEBHOOK_SIG_SIZE];
    CURL *h;
    int64_t now;
    if (!s->http && !(s->http = curl_easy_init())) {
        s_fail(job, NTF_SEND_RETRY, "curl_easy_init failed");
        goto done;
    }
    for (size_t i = 0; i < 2 && secrets[0] && *secrets[0]; i++) {
        if (!secrets[i] || !*secrets[i])
            continue;
        int rc = ent_webhook_key_parse(secrets[i], &keys[nkeys]);
        if (rc) {
            /* checked at start (ntf_config_read): only OpenSSL can fail here */
            s_fail(job, rc == EINVAL ? NTF_SEND_PERMANENT : NTF_SEND_RETRY, "webhook: %s is not a usable secret",
                   i ? "ENTRETIENS_WEBHOOK_SECRET_PREVIOUS" : "ENTRETIENS_WEBHOOK_SECRET");
            goto done;
        }
        nkeys++;
    }
    h = s->http;
    curl_easy_reset(h);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", job->key);
    /* webhook-id is the message key, like Idempotency-Key: the same on every
     * attempt of a message, so the receiver deduplicates retries */
    snprintf(wid, sizeof wid, "webhook-id: %s", job->key);
    const char *lines[] = { "Content-Type: application/json; charset=utf-8", idem, wid, "User-Agent: entretiens-notifier",
                            "Expect:" };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        if (!s_header(&hd, lines[i]))
            goto oom;
    /* the attempt's own time on the real clock (never the business clock,
     * which tests pin): the receiver compares it with its clock to refuse
     * a replay; a retry is signed anew with its own time */
    now = (int64_t) time(NULL);
    snprintf(wts, sizeof wts, "webhook-timestamp: %lld", (long long) now);
    if (!s_header(&hd, wts))
        goto oom;
    if (nkeys) {
        size_t off = (size_t) snprintf(wsig, sizeof wsig, "webhook-signature:");
        for (size_t i = 0; i < nkeys; i++) {
            char one[ENT_WEBHOOK_SIG_SIZE];
            int rc = ent_webhook_sign(&keys[i], job->key, now, job->data, job->len, one);
            if (rc) {
                s_fail(job, rc == EINVAL ? NTF_SEND_PERMANENT : NTF_SEND_RETRY,
                       "webhook: cannot sign message %.40s (%s)", job->key, strerror(rc));
                goto done;
            }
            off += (size_t) snprintf(wsig + off, sizeof wsig - off, " %s", one);
        }
        if (!s_header(&hd, wsig))
            goto oom;
        /* deprecated (docs/notifier.md): the body alone under the current
         * secret, for receivers written before webhook-signature */
        int rc = ent_hmac_sha256_hex(&keys[0], job->data, job->len, hex);
        if (rc) {
            s_fail(job, NTF_SEND_RETRY, "webhook: cannot sign (%s)", strerror(rc));
            goto done;
        }
        snprintf(legacy, sizeof legacy, "X-Entretiens-Signature: sha256=%s", hex);
        if (!s_header(&hd, legacy))
            goto oom;
    }
    curl_easy_setopt(h, CURLOPT_URL, cfg->webhook_url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, job->data);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) job->len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        s_fail(job, rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ? NTF_SEND_PERMANENT : NTF_SEND_RETRY,
               "webhook: %s", curl_easy_strerror(rc));
        goto done;
    }
    if (code >= 200 && code < 300) {
        job->outcome = NTF_SEND_OK;
        goto done;
    }
    /* the receiver may be busy or down (5xx, 408, 425, 429): try again;
     * any other answer (a 401 for a signature it refuses) says this request
     * will never be taken */
    bool again = code >= 500 || code == 408 || code == 425 || code == 429;
    s_fail(job, again ? NTF_SEND_RETRY : NTF_SEND_PERMANENT, "webhook: HTTP %ld", code);
    goto done;
oom:
    s_fail(job, NTF_SEND_RETRY, "out of memory");
done:
    curl_slist_free_all(hd);
    OPENSSL_cleanse(keys, sizeof keys);
}

static void s_send_file(ntf_sender_t *s, ntf_job_t *job)
{
    const char *dir = s->cfg->outbox_dir;
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.eml", dir, job->key);
    snprintf(tmp, sizeof tmp, "%s/.%s.eml.tmp", dir, job->key);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        s_fail(job, NTF_SEND_RETRY, "file: %s: %s", tmp, strerror(errno));
        return;
    }
    size_t off = 0;
    while (off < job->len) {
        ssize_t w = write(fd, job->data + off, job->len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            s_fail(job, NTF_SEND_RETRY, "file: write %s: %s", tmp, strerror(e));
            return;
        }
        off += (size_t) w;
    }
    /* durable before it is visible, visible whole: fsync, then rename */
    int synced = fsync(fd), se = errno;
    if (close(fd) != 0 && synced == 0) {
        synced = -1;
        se = errno;
    }
    if (synced != 0) {
        int e = se;
        unlink(tmp);
        s_fail(job, NTF_SEND_RETRY, "file: fsync %s: %s", tmp, strerror(e));
        return;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        s_fail(job, NTF_SEND_RETRY, "file: rename to %s: %s", path, strerror(e));
        return;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    job->outcome = NTF_SEND_OK;
}

void ntf_sender_send(ntf_sender_t *s, ntf_job_t *job)
{
    double t0 = s_mono();
    job->outcome = NTF_SEND_OK;
    job->error[0] = '\0';
    switch (job->channel) {
    case NTF_CH_SMTP:
        if (!s->cfg->smtp_url || !*s->cfg->smtp_url)
            s_fail(job, NTF_SEND_PERMANENT, "smtp is not configured");
        else
            s_send_smtp(s, job);
        break;
    case NTF_CH_WEBHOOK:
        if (!s->cfg->webhook_url || !*s->cfg->webhook_url)
            s_fail(job, NTF_SEND_PERMANENT, "webhook is not configured");
        else
            s_send_webhook(s, job);
        break;
    case NTF_CH_FILE:
        if (!s->cfg->outbox_dir || !*s->cfg->outbox_dir)
            s_fail(job, NTF_SEND_PERMANENT, "the file outbox is not configured");
        else
            s_send_file(s, job);
        break;
    default: s_fail(job, NTF_SEND_PERMANENT, "unknown channel %d", job->channel);
    }
    job->seconds = s_mono() - t0;
}

/* ------------------------------------------------------------ the pool */

struct ntf_pool {
    const ntf_channel_config_t *cfg;
    pthread_mutex_t mu;
    pthread_cond_t work;    /* a job was queued, or stop */
    pthread_cond_t idle;    /* a job finished */
    ntf_job_t *head, *tail; /* queued */
    ntf_job_t *done;        /* finished, newest first */
    size_t queued, running;
    bool stop;
    pthread_t *threads;
    unsigned n_threads;
};

static void *s_worker(void *arg)
{
    ntf_pool_t *p = arg;
    ntf_sender_t *s = ntf_sender_new(p->cfg);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !p->head)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        ntf_job_t *job = p->head;
        p->head = job->next;
        if (!p->head)
            p->tail = NULL;
        job->next = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->mu);
        if (s)
            ntf_sender_send(s, job);
        else
            s_fail(job, NTF_SEND_RETRY, "sender could not start");
        pthread_mutex_lock(&p->mu);
        job->next = p->done;
        p->done = job;
        p->running--;
        pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    ntf_sender_destroy(&s);
    return NULL;
}

ntf_pool_t *ntf_pool_new(const ntf_channel_config_t *cfg, unsigned workers)
{
    if (workers < 1)
        workers = 1;
    if (workers > 64)
        workers = 64;
    ntf_pool_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = cfg;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    p->threads = calloc(workers, sizeof *p->threads);
    if (!p->threads) {
        ntf_pool_destroy(&p);
        return NULL;
    }
    for (unsigned i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, s_worker, p) != 0) {
            ntf_pool_destroy(&p);
            return NULL;
        }
        p->n_threads++;
    }
    return p;
}

void ntf_pool_submit(ntf_pool_t *p, ntf_job_t *jobs)
{
    if (!jobs)
        return;
    pthread_mutex_lock(&p->mu);
    while (jobs) {
        ntf_job_t *next = jobs->next;
        jobs->next = NULL;
        if (p->tail)
            p->tail->next = jobs;
        else
            p->head = jobs;
        p->tail = jobs;
        p->queued++;
        jobs = next;
    }
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
}

ntf_job_t *ntf_pool_take(ntf_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    ntf_job_t *done = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->mu);
    /* oldest first, as they finished */
    ntf_job_t *rev = NULL;
    while (done) {
        ntf_job_t *next = done->next;
        done->next = rev;
        rev = done;
        done = next;
    }
    return rev;
}

size_t ntf_pool_busy(ntf_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->queued + p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

size_t ntf_pool_wait(ntf_pool_t *p, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while (p->queued + p->running > 0)
        if (pthread_cond_timedwait(&p->idle, &p->mu, &until) == ETIMEDOUT)
            break;
    size_t n = p->queued + p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void ntf_pool_destroy(ntf_pool_t **p_p)
{
    if (!p_p || !*p_p)
        return;
    ntf_pool_t *p = *p_p;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    ntf_job_list_free(p->head);
    ntf_job_list_free(p->done);
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    free(p);
    *p_p = NULL;
}
