/*  gw_hook_deliver.c — the webhook delivery thread (gw_hooks.h).
 *
 *  Why a thread of its own: an HTTP POST blocks for as long as the
 *  receiver takes (up to ENTRETIENS_GATEWAY_WEBHOOK_TIMEOUT_MS), and the
 *  loop serves the probes and consumes the events, the API workers serve
 *  people: a slow or dead receiver must hold neither.  The thread reads the
 *  queue in its own LMDB read transactions and records the outcomes of a
 *  run of POSTs (up to RECORD_BATCH) in one short write transaction (LMDB
 *  serialises it with the loop's turns and the workers; one fsync per run,
 *  not per delivery), so what is pending survives a crash.
 *
 *  Each pass takes, per subscription, the deliveries that are due among the
 *  first PASS_MAX of its queue, in queue order, and POSTs them one by one.  A 2xx removes it; a failure counts an
 *  attempt and sets the next one after a backoff (doubling from
 *  ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MS up to _BACKOFF_MAX_MS); after
 *  ENTRETIENS_GATEWAY_WEBHOOK_ATTEMPTS attempts, or at once for an answer
 *  that says the request will never be taken (4xx but 408, 425, 429), it
 *  moves to the dead letters.  After a failure the rest of that
 *  subscription waits for the next pass: a receiver that is down costs one
 *  attempt per pass, not one per queued event.
 *
 *  Exactly once for a receiver that dedupes by webhook-id: a delivery is
 *  removed only after its 2xx; a crash between the 2xx and the commit of
 *  its run sends it again with the same id and body.
 */
#include "gateway.h"

#include "common/log.h"
#include "common/webhook_sign.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASS_MAX 256            /* deliveries read per subscription per pass */
#define IDLE_WAIT_MS 1000       /* longest sleep between passes */
#define RECORD_BATCH 64         /* outcomes recorded in one write transaction */

static size_t s_discard(char *p, size_t size, size_t n, void *arg)
{
    (void) p;
    (void) arg;
    return size * n;
}

/* Ends a POST in flight when the gateway stops (SIGTERM), rather than
 * holding the shutdown for up to the receiver's timeout. */
static int s_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void) dltotal, (void) dlnow, (void) ultotal, (void) ulnow;
    return atomic_load(&((gw_t *) arg)->stopping) ? 1 : 0;
}

typedef enum { S_OK = 0, S_RETRY, S_PERMANENT } s_outcome_t;

/* POSTs one delivery.  why (128 bytes) says what failed. */
static s_outcome_t s_post(gw_t *gw, CURL *h, const Entretiens__V1__Webhook *w,
                          const Entretiens__V1__WebhookDelivery *d, char *why, size_t whylen)
{
    ent_webhook_key_t key;
    struct curl_slist *hd = NULL;
    char sig[ENT_WEBHOOK_SIG_SIZE], hsig[32 + ENT_WEBHOOK_SIG_SIZE], hid[160], hidem[160], hts[48], hkind[96];
    s_outcome_t out = S_RETRY;
    if (w->secret.len == 0 || w->secret.len > ENT_WEBHOOK_KEY_MAX) {
        snprintf(why, whylen, "the subscription has no usable secret");
        return S_PERMANENT;
    }
    memset(&key, 0, sizeof key);
    memcpy(key.bytes, w->secret.data, w->secret.len);
    key.len = w->secret.len;
    /* signed with the attempt's own time (real clock): the receiver
     * refuses a captured request once its timestamp is stale */
    int64_t now = (int64_t) time(NULL);
    int rc = ent_webhook_sign(&key, d->event_id, now, d->body.data, d->body.len, sig);
    explicit_bzero(&key, sizeof key);
    if (rc) {
        snprintf(why, whylen, "cannot sign (%s)", strerror(rc));
        return rc == EINVAL ? S_PERMANENT : S_RETRY;
    }
    snprintf(hid, sizeof hid, "webhook-id: %s", d->event_id);
    snprintf(hidem, sizeof hidem, "Idempotency-Key: %s", d->event_id);
    snprintf(hts, sizeof hts, "webhook-timestamp: %lld", (long long) now);
    snprintf(hsig, sizeof hsig, "webhook-signature: %s", sig);
    snprintf(hkind, sizeof hkind, "X-Entretiens-Event: %s", d->kind);
    const char *lines[] = { "Content-Type: application/json; charset=utf-8", hid, hidem, hts, hsig, hkind,
                            "User-Agent: entretiens-gateway", "Expect:" };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        struct curl_slist *n = curl_slist_append(hd, lines[i]);
        if (!n) {
            snprintf(why, whylen, "out of memory");
            curl_slist_free_all(hd);
            return S_RETRY;
        }
        hd = n;
    }
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, w->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *) d->body.data);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) d->body.len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, s_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, gw);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) gw->hook_timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long) (gw->hook_timeout_ms < 10000 ? gw->hook_timeout_ms : 10000));
    CURLcode cc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hd);
    if (cc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(cc));
        out = cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL ? S_PERMANENT : S_RETRY;
    } else if (code >= 200 && code < 300) {
        out = S_OK;
    } else {
        snprintf(why, whylen, "HTTP %ld", code);
        out = code >= 500 || code == 408 || code == 425 || code == 429 ? S_RETRY : S_PERMANENT;
    }
    return out;
}

/* The delay before attempt n + 1 after n failed ones. */
static int64_t s_backoff(const gw_t *gw, uint32_t attempts)
{
    int64_t b = gw->hook_backoff_ms;
    for (uint32_t i = 1; i < attempts && b < gw->hook_backoff_max_ms; i++)
        b *= 2;
    return b < gw->hook_backoff_max_ms ? b : gw->hook_backoff_max_ms;
}

/* The outcome of one POST, waiting to be recorded. */
typedef struct {
    const Entretiens__V1__WebhookDelivery *sent;
    s_outcome_t oc;
    char why[160];
    /* filled by s_outcome, for the log after the commit */
    bool gone;                 /* deleted or resubmitted meanwhile: nothing recorded */
    bool dead;
    uint32_t attempts;
    int64_t next_ms;
} s_result_t;

/* Writes one outcome in txn.  The delivery is read again: the
 * subscription may have been deleted, or the delivery resubmitted, while
 * the POST ran.  Returns 0 or an LMDB code. */
static int s_outcome(gw_t *gw, MDB_txn *txn, s_result_t *res)
{
    Entretiens__V1__WebhookDelivery *d = NULL;
    char *stored_error = NULL;  /* the unpacked last_error, put back before the free */
    int rc = gw_delivery_get(txn, &gw->st, gw->st.wh_pending, res->sent->webhook_id, res->sent->event_id, &d);
    if (rc == MDB_NOTFOUND) {
        res->gone = true;
        return 0;
    }
    if (rc)
        return rc;
    if (res->oc == S_OK) {
        rc = gw_delivery_del(txn, &gw->st, gw->st.wh_pending, d->webhook_id, d->event_id);
    } else {
        d->attempts++;
        stored_error = d->last_error;
        d->last_error = res->why; /* owned by res: the stored one is put back before the free */
        if (res->oc == S_PERMANENT || d->attempts >= gw->hook_attempts) {
            d->dead_ms = gw_now_ms();
            res->dead = true;
            rc = gw_delivery_put(txn, &gw->st, gw->st.wh_dead, d);
            if (!rc)
                rc = gw_delivery_del(txn, &gw->st, gw->st.wh_pending, d->webhook_id, d->event_id);
        } else {
            d->next_attempt_ms = gw_now_ms() + s_backoff(gw, d->attempts);
            rc = gw_delivery_put(txn, &gw->st, gw->st.wh_pending, d);
        }
        res->attempts = d->attempts;
        res->next_ms = d->next_attempt_ms;
        d->last_error = stored_error;
    }
    entretiens__v1__webhook_delivery__free_unpacked(d, NULL);
    return rc;
}

/* Records the outcomes of a run of POSTs in ONE write transaction (one
 * fsync for the run, not one per delivery), then counts and logs them.
 * Returns 0 or an LMDB code: nothing of the run is recorded, and its
 * deliveries are sent again on a later pass (at least once). */
static int s_record(gw_t *gw, s_result_t *res, size_t n)
{
    MDB_txn *txn = NULL;
    int rc = gw_store_write(&gw->st, &txn);
    for (size_t i = 0; !rc && i < n; i++)
        rc = s_outcome(gw, txn, &res[i]);
    if (rc) {
        if (txn)
            gw_store_abort(txn);
        return rc;
    }
    if ((rc = gw_store_commit(txn)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const s_result_t *r = &res[i];
        if (r->gone)
            continue;
        if (r->oc == S_OK) {
            gw_count(gw, GW_C_HOOK_OK);
            continue;
        }
        gw_count(gw, GW_C_HOOK_FAILED);
        if (r->dead) {
            gw_count(gw, GW_C_HOOK_DEAD);
            ent_log_warn("webhook.dead", "webhook %s: event %s (%s) is a dead letter after %u attempt(s): %s",
                         r->sent->webhook_id, r->sent->event_id, r->sent->kind, r->attempts, r->why);
        } else {
            ent_log_info("webhook.retry", "webhook %s: event %s attempt %u failed (%s); next in %lld ms",
                         r->sent->webhook_id, r->sent->event_id, r->attempts, r->why,
                         (long long) (r->next_ms - gw_now_ms()));
        }
    }
    return 0;
}

/* One pass over every subscription.  Returns the ms until the next
 * delivery falls due (IDLE_WAIT_MS at most). */
static int64_t s_pass(gw_t *gw, CURL *h)
{
    s_result_t res[RECORD_BATCH];
    int64_t wait = IDLE_WAIT_MS;
    MDB_txn *txn;
    Entretiens__V1__Webhook **subs = NULL;
    size_t n = 0;
    if (gw_store_read(&gw->st, &txn) != 0)
        return wait;
    MDB_stat sp, sd;
    if (mdb_stat(txn, gw->st.wh_pending, &sp) == 0)
        atomic_store(&gw->hook_depth, sp.ms_entries);
    if (mdb_stat(txn, gw->st.wh_dead, &sd) == 0)
        atomic_store(&gw->hook_dead, sd.ms_entries);
    int rc = gw_webhook_list(txn, &gw->st, &subs, &n);
    gw_store_abort(txn);
    if (rc)
        return wait;
    for (size_t i = 0; i < n && !atomic_load(&gw->stopping); i++) {
        Entretiens__V1__WebhookDelivery **items = NULL;
        size_t m = 0;
        if (gw_store_read(&gw->st, &txn) != 0)
            break;
        rc = gw_delivery_list(txn, &gw->st, gw->st.wh_pending, subs[i]->id, NULL, PASS_MAX, &items, &m);
        gw_store_abort(txn);
        if (rc)
            continue;
        size_t nr = 0, sent = 0;
        bool failed = false;
        for (size_t j = 0; j < m && !failed && !atomic_load(&gw->stopping); j++) {
            int64_t now = gw_now_ms();
            if (items[j]->next_attempt_ms > now) {
                if (items[j]->next_attempt_ms - now < wait)
                    wait = items[j]->next_attempt_ms - now;
                continue;
            }
            s_result_t *r = &res[nr];
            memset(r, 0, sizeof *r);
            r->sent = items[j];
            r->oc = s_post(gw, h, subs[i], items[j], r->why, sizeof r->why);
            if (r->oc != S_OK && atomic_load(&gw->stopping))
                break; /* cut short by the shutdown: not an attempt, sent again at the next start */
            nr++;
            sent++;
            /* after a failure the rest of this subscription waits for the next pass */
            failed = r->oc != S_OK;
            if (nr == RECORD_BATCH || failed || j + 1 == m) {
                if ((rc = s_record(gw, res, nr)) != 0) {
                    ent_log_error("webhook.store", "webhook %s: cannot record the outcome of %zu deliveries: %s",
                                  subs[i]->id, nr, mdb_strerror(rc));
                    failed = true;
                }
                nr = 0;
            }
        }
        if (nr && (rc = s_record(gw, res, nr)) != 0)
            ent_log_error("webhook.store", "webhook %s: cannot record the outcome of %zu deliveries: %s", subs[i]->id,
                          nr, mdb_strerror(rc));
        if (failed && wait > gw->hook_backoff_ms)
            wait = gw->hook_backoff_ms;
        if (m == PASS_MAX && !failed && sent)
            wait = 0; /* all went through and more wait behind these: go on at once */
        gw_delivery_list_free(items, m);
    }
    gw_webhook_list_free(subs, n);
    return wait;
}

static void *s_main(void *arg)
{
    gw_t *gw = arg;
    CURL *h = curl_easy_init();
    if (!h) {
        ent_log_error("webhook.curl", "curl_easy_init failed: no webhook is delivered");
        return NULL;
    }
    while (!atomic_load(&gw->stopping)) {
        int64_t wait = s_pass(gw, h);
        pthread_mutex_lock(&gw->hook_mu);
        if (!gw->hook_kick && !atomic_load(&gw->stopping) && wait > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += wait / 1000;
            ts.tv_nsec += (wait % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&gw->hook_cv, &gw->hook_mu, &ts);
        }
        gw->hook_kick = false;
        pthread_mutex_unlock(&gw->hook_mu);
    }
    curl_easy_cleanup(h);
    return NULL;
}

void gw_hooks_kick(gw_t *gw)
{
    pthread_mutex_lock(&gw->hook_mu);
    gw->hook_kick = true;
    pthread_cond_signal(&gw->hook_cv);
    pthread_mutex_unlock(&gw->hook_mu);
}

int gw_hooks_start(gw_t *gw)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ent_log_error("webhook.curl", "libcurl could not start");
        return -1;
    }
    if (pthread_create(&gw->hook_thread, NULL, s_main, gw) != 0) {
        ent_log_error("webhook.thread", "cannot start the delivery thread");
        curl_global_cleanup();
        return -1;
    }
    gw->hook_thread_on = true;
    return 0;
}

void gw_hooks_stop(gw_t *gw)
{
    if (!gw->hook_thread_on)
        return;
    atomic_store(&gw->stopping, true);
    gw_hooks_kick(gw);
    pthread_join(gw->hook_thread, NULL);
    gw->hook_thread_on = false;
    curl_global_cleanup();
}
