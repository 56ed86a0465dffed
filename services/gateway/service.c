/*  service.c — the gateway on the daemon runtime (gateway.h): its
 *  configuration, store, operator methods, the loop's heartbeat and the
 *  counters the workers keep. */
#include "gateway.h"
#include "gw_web.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/password.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* gw_openapi.c, generated at build time from openapi.json */
extern const char gw_openapi_json[];
extern const size_t gw_openapi_json_len;

const char *const gw_daemon_names[GW_DAEMONS] = { "scheduler", "records", "notifier", "analytics" };

const ent_config_var_t gw_config_vars[] = {
    { "ENTRETIENS_GATEWAY_THREADS", "4", "API worker threads (each holds its own RPC clients)" },
    { "ENTRETIENS_GATEWAY_MAX_BODY", "16777216", "largest request body in bytes (413 beyond)" },
    { "ENTRETIENS_GATEWAY_MAX_EVENTS", "10000", "most events in one POST /api/v1/events (413 beyond)" },
    { "ENTRETIENS_GATEWAY_INGEST_TIMEOUT_MS", "60000", "RPC timeout of scheduler.ingest calls" },
    { "ENTRETIENS_GATEWAY_SESSION_IDLE_S", "1800", "a session ends after this many seconds without a request" },
    { "ENTRETIENS_GATEWAY_SESSION_MAX_S", "43200", "a session ends this many seconds after login, whatever" },
    { "ENTRETIENS_GATEWAY_LOCKOUT_FAILURES", "5", "consecutive failed logins that lock an account" },
    { "ENTRETIENS_GATEWAY_LOCKOUT_S", "900", "how long a locked account stays locked (seconds)" },
    { "ENTRETIENS_GATEWAY_SECURE_COOKIES", "0", "1 = cookies marked Secure and HSTS sent (behind TLS)" },
    { "ENTRETIENS_GATEWAY_ORIGIN", NULL,
      "the public origin browsers use (https://hr.example.com); default: the request's Host" },
    { "ENTRETIENS_GATEWAY_TLS_CERT", NULL, "PEM certificate (chain) file: serve the API over HTTPS (GnuTLS)" },
    { "ENTRETIENS_GATEWAY_TLS_KEY", NULL, "PEM private key file of ENTRETIENS_GATEWAY_TLS_CERT" },
    { "ENTRETIENS_GATEWAY_WEB_DIR", NULL,
      "directory of the web application's pages (\"\" = none); default: the build tree's web/ when run from it, "
      "else <prefix>/share/entretiens/web beside <prefix>/bin" },
    { "ENTRETIENS_GATEWAY_RATE_ADDR", "200", "requests per second per client address (0 = no limit)" },
    { "ENTRETIENS_GATEWAY_RATE_PRINCIPAL", "100", "requests per second per principal (0 = no limit)" },
    { "ENTRETIENS_GATEWAY_WEBHOOK_ATTEMPTS", "10", "attempts of a webhook delivery before it is a dead letter" },
    { "ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MS", "1000", "wait before the second attempt of a webhook delivery (doubles each time)" },
    { "ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MAX_MS", "3600000", "longest wait between two attempts of a webhook delivery" },
    { "ENTRETIENS_GATEWAY_WEBHOOK_TIMEOUT_MS", "10000", "how long a webhook receiver has to answer one POST" },
    { "ENTRETIENS_OIDC_ISSUER", NULL, "OpenID provider's issuer URL: sign-in with it (docs/gateway-oidc.md); unset = off" },
    { "ENTRETIENS_OIDC_CLIENT_ID", NULL, "the gateway's client id at the provider" },
    { "ENTRETIENS_OIDC_CLIENT_SECRET", NULL, "its client secret (secret; never logged)" },
    { "ENTRETIENS_OIDC_REDIRECT_URI", NULL, "https://<gateway>/api/v1/auth/oidc/callback, exactly as registered" },
    { "ENTRETIENS_OIDC_EMPLOYEE_CLAIM", "employee_id", "the claim holding the employee id" },
    { "ENTRETIENS_OIDC_GROUPS_CLAIM", "groups", "the claim holding the groups" },
    { "ENTRETIENS_OIDC_HR_GROUPS", "hr", "comma-separated groups signed in as HR (hr:<id>)" },
    { "ENTRETIENS_OIDC_ADMIN_GROUPS", "entretiens-admin", "comma-separated groups signed in as administrators" },
    { "ENTRETIENS_OIDC_MANAGER_GROUPS", "managers", "comma-separated groups signed in as managers (manager:<employee id>)" },
    { "ENTRETIENS_OIDC_CA_FILE", NULL, "CA bundle for the provider's TLS (a private CA)" },
    { "ENTRETIENS_OIDC_SCOPES", "openid profile email", "scopes asked for at sign-in" },
    { "ENTRETIENS_OIDC_AUDIENCE", NULL, "the API's resource id: machines' JWT access tokens for it are accepted; unset = not" },
};
const size_t gw_n_config_vars = sizeof gw_config_vars / sizeof gw_config_vars[0];

int gw_migrate(MDB_txn *txn, unsigned from, void *arg)
{
    (void) txn;
    (void) arg;
    return from == 0 ? 0 : MDB_VERSION_MISMATCH; /* 0 -> 1: databases created by gw_store_open */
}

static int s_u32(ent_daemon_t *d, const char *name, int64_t def, int64_t lo, int64_t hi, uint32_t *out)
{
    bool ok = true;
    int64_t v = ent_config_get_int(ent_daemon_config(d), name, def, &ok);
    if (!ok || v < lo || v > hi) {
        ent_log_error("config.invalid", "%s must be a whole number from %lld to %lld", name, (long long) lo,
                      (long long) hi);
        return -1;
    }
    *out = (uint32_t) v;
    return 0;
}

/* Reads a small PEM file whole.  Returns 0, or -1 (logged, no content). */
static int s_read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t n = 0;
    if (f) {
        buf = calloc(1, 1 << 20);
        n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
        fclose(f);
    }
    if (!buf || n == 0 || n >= (1 << 20) - 1) {
        ent_log_error("config.invalid", "cannot read the PEM file %s", path);
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

static const char *const s_counter_names[GW_C_COUNT][2] = {
    { "logins_total", "Successful local logins" },
    { "login_failures_total", "Failed local logins (unknown login, wrong password, disabled account)" },
    { "login_locked_total", "Logins refused because the account is locked" },
    { "logouts_total", "Sessions ended by logout" },
    { "unauthenticated_total", "Requests refused 401 (no, forged, expired or revoked credential)" },
    { "forbidden_total", "Requests refused 403 by the gateway (API key scope)" },
    { "csrf_refused_total", "State-changing requests refused for a missing or wrong CSRF token or Origin" },
    { "rate_limited_total", "Requests refused 429 by the rate limits" },
    { "http_requests_total", "API requests received" },
    { "http_errors_5xx_total", "API answers with a 5xx status" },
    { "webhook_enqueued_total", "Webhook deliveries queued (one per event and matching subscription)" },
    { "webhook_deliveries_ok_total", "Webhook POSTs answered 2xx" },
    { "webhook_deliveries_failed_total", "Webhook POSTs that failed (each attempt)" },
    { "webhook_deliveries_dead_total", "Webhook deliveries given up (dead letters)" },
};

/* Every 250 ms on the loop: the heartbeat the API's probes read, and the
 * workers' counters copied into the registry (confined to this thread). */
static void s_on_beat(uv_timer_t *t)
{
    gw_t *gw = t->data;
    atomic_store(&gw->loop_beat_ms, gw_now_ms());
    for (int i = 0; i < GW_C_COUNT; i++) {
        uint64_t v = atomic_load_explicit(&gw->counters[i], memory_order_relaxed);
        if (v != gw->counters_seen[i]) {
            ent_metrics_counter_add(gw->m_counters[i], (double) (v - gw->counters_seen[i]));
            gw->counters_seen[i] = v;
        }
    }
}

static double s_hook_depth(void *arg)
{
    return (double) atomic_load(&((gw_t *) arg)->hook_depth);
}

static double s_hook_dead(void *arg)
{
    return (double) atomic_load(&((gw_t *) arg)->hook_dead);
}

int gw_setup(ent_daemon_t *d, void *arg)
{
    gw_t *gw = arg;
    gw->d = d;
    uint32_t max_body, idle, maxs, fails, lock_s, secure, rate_addr, rate_p, ingest_to, timeout;
    uint32_t hook_attempts, hook_backoff, hook_backoff_max, hook_timeout;
    if (s_u32(d, "ENTRETIENS_GATEWAY_THREADS", 4, 1, 256, &gw->threads) ||
        s_u32(d, "ENTRETIENS_GATEWAY_MAX_BODY", 16 << 20, 1024, 1 << 30, &max_body) ||
        s_u32(d, "ENTRETIENS_GATEWAY_MAX_EVENTS", 10000, 1, 100000, &gw->max_events) ||
        s_u32(d, "ENTRETIENS_GATEWAY_INGEST_TIMEOUT_MS", 60000, 100, 3600000, &ingest_to) ||
        s_u32(d, "ENTRETIENS_RPC_TIMEOUT_MS", 5000, 10, 3600000, &timeout) ||
        s_u32(d, "ENTRETIENS_GATEWAY_SESSION_IDLE_S", 1800, 1, 86400 * 30, &idle) ||
        s_u32(d, "ENTRETIENS_GATEWAY_SESSION_MAX_S", 43200, 1, 86400 * 90, &maxs) ||
        s_u32(d, "ENTRETIENS_GATEWAY_LOCKOUT_FAILURES", 5, 1, 1000, &fails) ||
        s_u32(d, "ENTRETIENS_GATEWAY_LOCKOUT_S", 900, 1, 86400, &lock_s) ||
        s_u32(d, "ENTRETIENS_GATEWAY_SECURE_COOKIES", 0, 0, 1, &secure) ||
        s_u32(d, "ENTRETIENS_GATEWAY_RATE_ADDR", 200, 0, 1000000, &rate_addr) ||
        s_u32(d, "ENTRETIENS_GATEWAY_RATE_PRINCIPAL", 100, 0, 1000000, &rate_p) ||
        s_u32(d, "ENTRETIENS_GATEWAY_WEBHOOK_ATTEMPTS", 10, 1, 1000, &hook_attempts) ||
        s_u32(d, "ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MS", 1000, 10, 86400000, &hook_backoff) ||
        s_u32(d, "ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MAX_MS", 3600000, 10, 86400000, &hook_backoff_max) ||
        s_u32(d, "ENTRETIENS_GATEWAY_WEBHOOK_TIMEOUT_MS", 10000, 100, 600000, &hook_timeout))
        return ENT_DAEMON_CONFIG_ERROR;
    const char *origin = ent_config_get(ent_daemon_config(d), "ENTRETIENS_GATEWAY_ORIGIN");
    if (origin && *origin) {
        if ((strncmp(origin, "https://", 8) != 0 && strncmp(origin, "http://", 7) != 0) ||
            strlen(origin) >= sizeof gw->origin || origin[strlen(origin) - 1] == '/') {
            ent_log_error("config.invalid", "ENTRETIENS_GATEWAY_ORIGIN must be scheme://host[:port] without a path");
            return ENT_DAEMON_CONFIG_ERROR;
        }
        snprintf(gw->origin, sizeof gw->origin, "%s", origin);
    }
    const char *cert = ent_config_get(ent_daemon_config(d), "ENTRETIENS_GATEWAY_TLS_CERT");
    const char *key = ent_config_get(ent_daemon_config(d), "ENTRETIENS_GATEWAY_TLS_KEY");
    if ((cert && *cert) != (key && *key)) {
        ent_log_error("config.invalid", "ENTRETIENS_GATEWAY_TLS_CERT and ENTRETIENS_GATEWAY_TLS_KEY go together");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    if (cert && *cert) {
        if (s_read_file(cert, &gw->tls_cert) != 0 || s_read_file(key, &gw->tls_key) != 0)
            return ENT_DAEMON_CONFIG_ERROR;
        secure = 1; /* over TLS cookies are Secure and HSTS is sent */
    }
    gw->max_body = max_body;
    gw->ingest_timeout_ms = (int) ingest_to;
    gw->rpc_timeout_ms = (int) timeout;
    gw->sessions = (gw_session_policy_t) { .idle_seconds = idle, .absolute_seconds = maxs };
    gw->lockout = (gw_lockout_t) { .max_failures = fails, .lock_seconds = lock_s };
    gw->secure_cookies = secure != 0;
    gw->hook_attempts = hook_attempts;
    gw->hook_backoff_ms = hook_backoff;
    gw->hook_backoff_max_ms = hook_backoff_max < hook_backoff ? hook_backoff : hook_backoff_max;
    gw->hook_timeout_ms = hook_timeout;
    if (ent_password_init() != 0) {
        ent_log_error("gateway.sodium", "libsodium cannot start (no entropy source)");
        return -1;
    }
    if (gw_store_open(&gw->st, ent_daemon_store(d)) != 0)
        return -1;
    gw->zctx = ent_loop_zctx(ent_daemon_loop(d));
    for (int i = 0; i < GW_DAEMONS; i++) {
        snprintf(gw->endpoints[i], sizeof gw->endpoints[i], "%s",
                 ent_config_endpoint(ent_daemon_config(d), gw_daemon_names[i], "RPC"));
        int rc = ent_daemon_client_curve(d, gw_daemon_names[i], &gw->curve[i]);
        if (rc < 0)
            return ENT_DAEMON_CONFIG_ERROR;
        gw->has_curve[i] = rc == 0;
    }
    gw->rl_addr = gw_ratelimit_new(rate_addr, rate_addr * 2, 16384);
    gw->rl_principal = gw_ratelimit_new(rate_p, rate_p * 2, 16384);
    if (!gw->rl_addr || !gw->rl_principal)
        return -1;
    for (int i = 0; i < GW_ETAG_STRIPES; i++)
        pthread_mutex_init(&gw->etag_mu[i], NULL);
    if (gw_web_open(gw) != 0)
        return ENT_DAEMON_CONFIG_ERROR;
    gw->openapi = (char *) gw_openapi_json;
    gw->openapi_len = gw_openapi_json_len;
    ent_metrics_t *m = ent_daemon_metrics(d);
    for (int i = 0; i < GW_C_COUNT; i++) {
        char name[128];
        snprintf(name, sizeof name, "entretiens_gateway_%s", s_counter_names[i][0]);
        gw->m_counters[i] = ent_metrics_counter(m, name, s_counter_names[i][1]);
    }
    ent_metrics_gauge_callback(m, "entretiens_gateway_webhook_queue_depth",
                               "Webhook deliveries waiting (pending or retrying), as last counted", s_hook_depth, gw);
    ent_metrics_gauge_callback(m, "entretiens_gateway_webhook_dead_letters",
                               "Webhook deliveries given up and kept as dead letters", s_hook_dead, gw);
    if (gw_hooks_setup(gw) != 0)
        return -1;
    int orc = gw_oidc_setup(gw);
    if (orc != 0)
        return orc;
    if (gw_admin_register(gw) != 0)
        return -1;
    atomic_store(&gw->loop_beat_ms, gw_now_ms());
    uv_timer_init(ent_loop_uv(ent_daemon_loop(d)), &gw->beat);
    gw->beat.data = gw;
    uv_timer_start(&gw->beat, s_on_beat, 250, 250);
    gw->beat_on = true;
    ent_log_info("gateway.config", "sessions idle %us / absolute %us; lockout after %u failures for %us; rate %u/s "
                 "per address, %u/s per principal; secure cookies %s",
                 idle, maxs, fails, lock_s, rate_addr, rate_p, secure ? "on" : "off");
    return 0;
}

void gw_stop(gw_t *gw)
{
    gw_api_stop(gw);
    gw_hooks_stop(gw);
    if (gw->beat_on) {
        uv_timer_stop(&gw->beat);
        uv_close((uv_handle_t *) &gw->beat, NULL);
        gw->beat_on = false;
    }
}

void gw_close(gw_t *gw)
{
    if (gw->tls_key)
        explicit_bzero(gw->tls_key, strlen(gw->tls_key));
    free(gw->tls_key);
    free(gw->tls_cert);
    gw->tls_key = gw->tls_cert = NULL;
    gw_web_close(gw);
    gw_ratelimit_destroy(&gw->rl_addr);
    gw_ratelimit_destroy(&gw->rl_principal);
    gw_oidc_close(gw);
    for (int i = 0; i < GW_DAEMONS; i++)
        explicit_bzero(&gw->curve[i], sizeof gw->curve[i]);
}
