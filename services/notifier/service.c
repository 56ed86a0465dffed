/*  service.c — the notifier on the daemon runtime: configuration, set-up,
 *  metrics, shutdown (notifier.h). */
#include "notifier.h"

#include "common/clock.h"
#include "common/log.h"
#include "common/retention.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const ent_config_var_t ntf_config_vars[] = {
    { "ENTRETIENS_SMTP_URL", NULL,
      "SMTP relay as a libcurl URL: smtp://host:port (STARTTLS, see ENTRETIENS_SMTP_TLS) or smtps://host:465; "
      "unset = no e-mail (secret: may carry credentials)" },
    { "ENTRETIENS_SMTP_FROM", "entretiens <entretiens@localhost>", "sender of the e-mails (\"Name <addr>\" or addr)" },
    { "ENTRETIENS_SMTP_USER", NULL, "SMTP login (secret)" },
    { "ENTRETIENS_SMTP_PASSWORD", NULL, "SMTP password (secret)" },
    { "ENTRETIENS_SMTP_TLS", "auto",
      "TLS on smtp://: auto (required when credentials are set, else used when offered), try, required, off" },
    { "ENTRETIENS_WEBHOOK_URL", NULL, "URL receiving every notification as a JSON POST; unset = no webhook (secret)" },
    { "ENTRETIENS_WEBHOOK_SECRET", NULL,
      "key of the webhook signatures (Standard Webhooks webhook-signature, and the deprecated "
      "X-Entretiens-Signature): whsec_<base64 of the key bytes>, or any other string whose bytes are the key (secret)" },
    { "ENTRETIENS_WEBHOOK_SECRET_PREVIOUS", NULL,
      "during a rotation, the secret being replaced: webhook-signature carries a signature under each (secret)" },
    { "ENTRETIENS_OUTBOX_DIR", NULL,
      "directory receiving one .eml file per message; when neither SMTP nor webhook is set: <data dir>/notifier/outbox" },
    { "ENTRETIENS_HR_EMAIL", NULL, "HR address copied on escalations (their recipient when no manager's manager is known)" },
    { "ENTRETIENS_HR_LOCALE", "fr", "language of the messages to HR (fr, en)" },
    { "ENTRETIENS_NOTIFIER_HOUR", "9", "local hour (0-23) reminders go out, on business days of the recipient's region" },
    { "ENTRETIENS_NOTIFIER_PLANS", NTF_DEFAULT_PLANS,
      "reminder plans: TYPE=OFFSET:RECIPIENTS,...;TYPE=... (e employee, m manager, x escalation; docs/notifier.md)" },
    { "ENTRETIENS_NOTIFIER_MAX_TRIES", "8", "send attempts per channel before a notification is dead" },
    { "ENTRETIENS_NOTIFIER_BACKOFF_MS", "30000", "delay before the first retry, doubled at each failure" },
    { "ENTRETIENS_NOTIFIER_BACKOFF_MAX_MS", "3600000", "longest delay between two retries" },
    { "ENTRETIENS_NOTIFIER_WORKERS", "4", "sender threads (SMTP and HTTP calls block: never on the loop)" },
    { "ENTRETIENS_NOTIFIER_MAX_IN_FLIGHT", "1000", "messages handed to the senders at once" },
    { "ENTRETIENS_NOTIFIER_TICK_MS", "200", "how often outcomes are recorded and due notifications fired" },
    { "ENTRETIENS_NOTIFIER_SEND_TIMEOUT_MS", "30000", "timeout of one SMTP or HTTP send" },
    { "ENTRETIENS_NOTIFIER_MAX_LATE_DAYS", "30", "a notification planned more than this late is not sent" },
    { "ENTRETIENS_NOTIFIER_DRAIN_MS", "5000", "at SIGTERM, how long running sends may take to finish" },
    { "ENTRETIENS_NOTIFIER_CATCHUP_MS", "30000",
      "at start, how long sending waits for the events published while the notifier was down" },
    { "ENTRETIENS_PUBLIC_URL", "http://127.0.0.1:7500",
      "the address people reach entretiens at (the gateway: web application and API); messages link to "
      "<URL>/interviews/<id> and <URL>/api/v1/interviews/<id>/report.pdf" },
    { "ENTRETIENS_NOTIFIER_TEMPLATES", NULL, "JSON file replacing or adding message templates (docs/notifier.md)" },
    /* retention (retention.c; defaults and sources in docs/data-protection.md) */
    { "ENTRETIENS_RETENTION_NOTIFICATIONS_YEARS", "2",
      "years after a person's departure her notifications (with their delivery history), plans and contact are "
      "kept, then deleted (1 to 100)" },
    { "ENTRETIENS_RETENTION_NOTIFIER_DEADLETTER_DAYS", "365",
      "days an undeliverable notification stays in the dead-letter list, then is deleted (1 to 36500)" },
};
const size_t ntf_config_nvars = sizeof ntf_config_vars / sizeof ntf_config_vars[0];

/* ------------------------------------------------------------ configuration */

static int s_int(const ent_config_t *cfg, const char *name, int64_t min, int64_t max, int64_t *out)
{
    bool ok = true;
    int64_t v = ent_config_get_int(cfg, name, 0, &ok);
    if (!ok || v < min || v > max) {
        ent_log_error("config.invalid", "%s must be an integer from %lld to %lld", name, (long long) min,
                      (long long) max);
        return -1;
    }
    *out = v;
    return 0;
}

static const char *s_str(const ent_config_t *cfg, const char *name)
{
    const char *v = ent_config_get(cfg, name);
    return v && *v ? v : NULL;
}

/* An http(s) URL or unset.  Returns 0, or -1 (logged). */
static int s_http_url(const char *name, const char *url)
{
    if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        ent_log_error("config.invalid", "%s must start with http:// or https://", name);
        return -1;
    }
    return 0;
}

/* The webhook secrets are read once here so that a bad one stops the
 * daemon at start rather than killing every webhook later.  The messages
 * name the variable, never its value (a secret). */
static int s_webhook_secrets_ok(const ntf_channel_config_t *ch)
{
    const char *names[2] = { "ENTRETIENS_WEBHOOK_SECRET", "ENTRETIENS_WEBHOOK_SECRET_PREVIOUS" };
    const char *values[2] = { ch->webhook_secret, ch->webhook_secret_previous };
    if (values[1] && !values[0]) {
        ent_log_error("config.invalid", "ENTRETIENS_WEBHOOK_SECRET_PREVIOUS is set without ENTRETIENS_WEBHOOK_SECRET: "
                                        "set the new secret, keep the old one as the previous");
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        ent_webhook_key_t key;
        if (!values[i])
            continue;
        int rc = ent_webhook_key_parse(values[i], &key);
        OPENSSL_cleanse(&key, sizeof key);
        if (rc == EINVAL) {
            ent_log_error("config.invalid", "%s: a whsec_ secret must be whsec_ followed by the standard base64 (padded, "
                                            "no spaces or line breaks) of %d to %d bytes",
                          names[i], ENT_WEBHOOK_KEY_MIN, ENT_WEBHOOK_WHSEC_MAX);
            return -1;
        }
        if (rc) {
            ent_log_error("config.invalid", "%s cannot be read: %s", names[i], strerror(rc));
            return -1;
        }
    }
    return 0;
}

int ntf_config_read(const ent_config_t *cfg, ntf_config_t *out)
{
    memset(out, 0, sizeof *out);
    int64_t hour, tries, backoff, backoff_max, workers, inflight, tick, timeout, late_days, drain, catchup;
    if (s_int(cfg, "ENTRETIENS_NOTIFIER_HOUR", 0, 23, &hour) || s_int(cfg, "ENTRETIENS_NOTIFIER_MAX_TRIES", 1, 1000, &tries) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_BACKOFF_MS", 1, INT64_C(86400000), &backoff) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_BACKOFF_MAX_MS", 1, INT64_C(604800000), &backoff_max) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_WORKERS", 1, 64, &workers) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_MAX_IN_FLIGHT", 1, 100000, &inflight) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_TICK_MS", 10, 60000, &tick) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_SEND_TIMEOUT_MS", 100, 600000, &timeout) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_MAX_LATE_DAYS", 0, 3650, &late_days) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_DRAIN_MS", 0, 600000, &drain) ||
        s_int(cfg, "ENTRETIENS_NOTIFIER_CATCHUP_MS", 0, 3600000, &catchup))
        return -1;
    out->hour = (int) hour;
    out->max_tries = (unsigned) tries;
    out->backoff_ms = backoff;
    out->backoff_max_ms = backoff_max < backoff ? backoff : backoff_max;
    out->workers = (unsigned) workers;
    out->max_in_flight = (unsigned) inflight;
    out->tick_ms = (unsigned) tick;
    out->grace_ms = 60000;
    out->max_late_ms = late_days * INT64_C(86400000);
    out->drain_ms = drain;
    out->catchup_ms = catchup;
    out->hr_email = s_str(cfg, "ENTRETIENS_HR_EMAIL");
    out->hr_locale = s_str(cfg, "ENTRETIENS_HR_LOCALE");
    if (out->hr_email && !ntf_email_valid(out->hr_email)) {
        ent_log_error("config.invalid", "ENTRETIENS_HR_EMAIL is not an e-mail address");
        return -1;
    }
    char err[256];
    if (ntf_plans_parse(s_str(cfg, "ENTRETIENS_NOTIFIER_PLANS"), &out->plans, err, sizeof err) != 0) {
        ent_log_error("config.invalid", "ENTRETIENS_NOTIFIER_PLANS: %s", err);
        return -1;
    }
    ntf_channel_config_t *ch = &out->ch;
    ch->smtp_url = s_str(cfg, "ENTRETIENS_SMTP_URL");
    ch->smtp_from = s_str(cfg, "ENTRETIENS_SMTP_FROM");
    ch->smtp_user = s_str(cfg, "ENTRETIENS_SMTP_USER");
    ch->smtp_password = s_str(cfg, "ENTRETIENS_SMTP_PASSWORD");
    ch->webhook_url = s_str(cfg, "ENTRETIENS_WEBHOOK_URL");
    ch->webhook_secret = s_str(cfg, "ENTRETIENS_WEBHOOK_SECRET");
    ch->webhook_secret_previous = s_str(cfg, "ENTRETIENS_WEBHOOK_SECRET_PREVIOUS");
    ch->outbox_dir = s_str(cfg, "ENTRETIENS_OUTBOX_DIR");
    ch->timeout_ms = (long) timeout;
    const char *tls = s_str(cfg, "ENTRETIENS_SMTP_TLS");
    int t = ntf_tls_parse(tls ? tls : "auto");
    if (t < 0) {
        ent_log_error("config.invalid", "ENTRETIENS_SMTP_TLS must be auto, try, required or off");
        return -1;
    }
    ch->smtp_tls = (ntf_tls_t) t;
    char from[256];
    if (!ch->smtp_from || !ntf_email_valid(ntf_email_addr(ch->smtp_from, from, sizeof from))) {
        ent_log_error("config.invalid", "ENTRETIENS_SMTP_FROM must be an address or \"Name <address>\"");
        return -1;
    }
    if (ch->smtp_url && strncmp(ch->smtp_url, "smtp://", 7) != 0 && strncmp(ch->smtp_url, "smtps://", 8) != 0) {
        ent_log_error("config.invalid", "ENTRETIENS_SMTP_URL must start with smtp:// or smtps://");
        return -1;
    }
    if (s_http_url("ENTRETIENS_WEBHOOK_URL", ch->webhook_url) != 0)
        return -1;
    if (s_webhook_secrets_ok(ch) != 0)
        return -1;
    out->templates_path = s_str(cfg, "ENTRETIENS_NOTIFIER_TEMPLATES");
    out->public_url = s_str(cfg, "ENTRETIENS_PUBLIC_URL");
    if (s_http_url("ENTRETIENS_PUBLIC_URL", out->public_url) != 0)
        return -1;
    int64_t years, days;
    if (ent_retention_option(cfg, "ENTRETIENS_RETENTION_NOTIFICATIONS_YEARS", "years", 1, ENT_RETENTION_YEARS_MAX,
                             &years, err, sizeof err) != 0 ||
        ent_retention_option(cfg, "ENTRETIENS_RETENTION_NOTIFIER_DEADLETTER_DAYS", "days", 1, ENT_RETENTION_DAYS_MAX,
                             &days, err, sizeof err) != 0) {
        ent_log_error("config.invalid", "%s", err);
        return -1;
    }
    out->retention_years = (int) years;
    out->deadletter_days = (uint32_t) days;
    return 0;
}

/* ------------------------------------------------------------ metrics */

static double s_count_gauge(void *arg)
{
    const struct ntf_gauge_arg *g = arg;
    return (double) g->n->counts[g->counter];
}

static double s_in_flight(void *arg) { return (double) ((notifier_t *) arg)->in_flight; }
static double s_gate_open(void *arg) { return ((notifier_t *) arg)->gate_open ? 1 : 0; }

static void s_metrics(notifier_t *n)
{
    ent_metrics_t *m = ent_daemon_metrics(n->d);
    if (!m)
        return;
    const char *lc[] = { "channel", "outcome" };
    ent_metrics_family_t *fd = ent_metrics_counter_family(m, "entretiens_notifier_deliveries_total",
                                                          "Delivery attempts by channel and outcome (sent, failed: "
                                                          "will be retried, dead: given up)", 2, lc);
    const char *l1[] = { "channel" };
    static const double bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30 };
    ent_metrics_family_t *fs = ent_metrics_histogram_family(m, "entretiens_notifier_delivery_seconds",
                                                            "Time of one send attempt", 1, l1, bounds,
                                                            sizeof bounds / sizeof *bounds);
    for (int c = 0; c < NTF_CH_COUNT; c++) {
        if (!(n->channels & (1u << c)))
            continue;
        const char *v[][2] = { { ntf_channel_name(c), "sent" }, { ntf_channel_name(c), "failed" },
                               { ntf_channel_name(c), "dead" } };
        n->m_sent[c] = ent_metrics_counter_child(fd, v[0]);
        n->m_failed[c] = ent_metrics_counter_child(fd, v[1]);
        n->m_dead[c] = ent_metrics_counter_child(fd, v[2]);
        const char *hv[] = { ntf_channel_name(c) };
        n->m_seconds[c] = ent_metrics_histogram_child(fs, hv);
    }
    n->m_fired = ent_metrics_counter(m, "entretiens_notifier_fired_total", "Planned notifications whose time came");
    n->m_late = ent_metrics_counter(m, "entretiens_notifier_late_total",
                                    "Notifications sent late (due while the notifier was down)");
    n->m_digests = ent_metrics_counter(m, "entretiens_notifier_digests_total", "Daily digests built");
    const char *lk[] = { "kind" };
    ent_metrics_family_t *fp = ent_metrics_counter_family(m, "entretiens_notifier_retention_purged_total",
                                                          "Records deleted by the retention sweep: notifications of "
                                                          "people who left, dead letters past their period", 1, lk);
    const char *kinds[NTF_PURGE_KINDS][1] = { { "notifications" }, { "deadletters" } };
    for (int i = 0; i < NTF_PURGE_KINDS; i++)
        n->m_purged[i] = ent_metrics_counter_child(fp, kinds[i]);
    const char *ls[] = { "status" };
    ent_metrics_family_t *fn = ent_metrics_gauge_family(m, "entretiens_notifier_notifications",
                                                        "Notifications in the delivery log, by status", 1, ls);
    for (int i = 0; i < NTF_CNT_COUNT; i++) {
        n->gauge_args[i].n = n;
        n->gauge_args[i].counter = i;
    }
    for (int i = NTF_ST_SENDING; i < NTF_ST_COUNT; i++) {
        const char *v[] = { ntf_status_name(i) };
        ent_metrics_gauge_bind(fn, v, s_count_gauge, &n->gauge_args[i]);
    }
    ent_metrics_gauge_callback(m, "entretiens_notifier_dead_letters",
                               "Notifications in the dead-letter list (entretiensctl notifications list --status dead)",
                               s_count_gauge, &n->gauge_args[NTF_ST_DEAD]);
    ent_metrics_gauge_callback(m, "entretiens_notifier_planned", "Planned notifications not due yet", s_count_gauge,
                               &n->gauge_args[NTF_CNT_PLANNED]);
    ent_metrics_gauge_callback(m, "entretiens_notifier_subjects", "Obligations and interviews with a plan",
                               s_count_gauge, &n->gauge_args[NTF_CNT_SUBJECTS]);
    ent_metrics_gauge_callback(m, "entretiens_notifier_contacts", "Employees in the contact directory", s_count_gauge,
                               &n->gauge_args[NTF_CNT_CONTACTS]);
    ent_metrics_gauge_callback(m, "entretiens_notifier_in_flight", "Messages with the senders, outcome not recorded",
                               s_in_flight, n);
    ent_metrics_gauge_callback(m, "entretiens_notifier_gate_open",
                               "1 once the events published while the notifier was down are applied", s_gate_open, n);
}

/* ------------------------------------------------------------ set-up */

static int64_t s_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ntf_init(notifier_t *n, ent_store_t *store, const ntf_config_t *cfg, bool start_pool)
{
    ent_daemon_t *d = n->d;
    memset(n, 0, sizeof *n);
    n->d = d;
    n->store = store;
    n->cfg = *cfg;
    n->gate_open = true;
    n->started_ms = ent_clock_now_ms();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ent_log_error("notifier.curl", "libcurl could not be initialised");
        return -1;
    }
    n->subj = malloc(2 * sizeof *n->subj);
    /* a subject of NTF_MAX_ITEMS items unpacks in about 12 KiB; an event's
     * payload in under 2 (larger ones spill to the heap: pbarena.h) */
    n->rd_arena = ent_pbarena_new(16u << 10);
    n->ev_arena = ent_pbarena_new(8u << 10);
    if (!n->subj || !n->rd_arena || !n->ev_arena)
        return -1;
    if (ntf_store_open(n) != 0 || ntf_counts_load(n) != 0)
        return -1;
    char err[512];
    if (ntf_templates_new(cfg->templates_path, &n->templates, err, sizeof err) != 0) {
        ent_log_error("config.invalid", "ENTRETIENS_NOTIFIER_TEMPLATES: %s", err);
        return -1;
    }
    n->channels = ntf_channel_mask(&n->cfg.ch);
    if (start_pool && !(n->pool = ntf_pool_new(&n->cfg.ch, n->cfg.workers))) {
        ent_log_error("notifier.pool", "cannot start %u sender threads", n->cfg.workers);
        return -1;
    }
    return 0;
}

/* The head of a producer now (0 when it does not answer). */
static uint64_t s_head(notifier_t *n, const char *producer)
{
    const char *ep = ent_config_endpoint(ent_daemon_config(n->d), producer, "RPC");
    ent_curve_client_t curve;
    int crc = ent_daemon_client_curve(n->d, producer, &curve);
    if (crc < 0)
        return 0;
    ent_rpc_client_t *c = ent_rpc_client_new(ent_loop_zctx(ent_daemon_loop(n->d)), ep, 1000, crc == 0 ? &curve : NULL);
    explicit_bzero(&curve, sizeof curve);
    uint64_t head = 0;
    if (!c)
        return 0;
    ent_rpc_result_t r;
    if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) == 0 && r.code == ENT_OK) {
        Entretiens__V1__HealthReply *h = entretiens__v1__health_reply__unpack(NULL, r.payload_len, r.payload);
        if (h) {
            head = h->head_seq;
            entretiens__v1__health_reply__free_unpacked(h, NULL);
        }
    }
    ent_rpc_result_clear(&r);
    ent_rpc_client_destroy(&c);
    return head;
}

int ntf_setup(ent_daemon_t *d, void *arg)
{
    notifier_t *n = arg;
    memset(n, 0, sizeof *n);
    n->d = d;
    const ent_config_t *cfg = ent_daemon_config(d);
    ntf_config_t c;
    if (ntf_config_read(cfg, &c) != 0)
        return ENT_DAEMON_CONFIG_ERROR; /* exit 2: systemd does not retry a bad configuration */
    /* nothing configured: messages land as files, never nowhere */
    if (!c.ch.smtp_url && !c.ch.webhook_url && !c.ch.outbox_dir) {
        size_t len = strlen(ent_config_get(cfg, "ENTRETIENS_DATA_DIR")) + 32;
        char *path = malloc(len);
        if (!path)
            return -1;
        snprintf(path, len, "%s/notifier/outbox", ent_config_get(cfg, "ENTRETIENS_DATA_DIR"));
        c.ch.outbox_dir = path;
        if (ntf_init(n, ent_daemon_store(d), &c, true) != 0) {
            n->outbox_path = path;
            return -1;
        }
        n->outbox_path = path;
    } else if (ntf_init(n, ent_daemon_store(d), &c, true) != 0) {
        return -1;
    }
    if (n->cfg.ch.outbox_dir && ent_mkdirs(n->cfg.ch.outbox_dir, 0750) != 0) {
        ent_log_error("config.invalid", "cannot create the outbox directory %s: %s", n->cfg.ch.outbox_dir,
                      strerror(errno));
        return -1;
    }
    /* the gate: what the producers published while we were down is
     * applied before anything is sent, so that a reminder cancelled in the
     * meantime does not go out */
    static const char *const producers[2] = { "scheduler", "records" };
    for (int i = 0; i < 2; i++) {
        n->gate_producer[i] = producers[i];
        n->gate_head[i] = s_head(n, producers[i]);
    }
    n->gate_open = false;
    n->gate_deadline_ms = s_real_ms() + n->cfg.catchup_ms;
    s_metrics(n);
    if (ent_daemon_on_event(d, "scheduler", ntf_on_scheduler, n) ||
        ent_daemon_applied_types(d, "scheduler", ntf_scheduler_types) ||
        ent_daemon_on_event(d, "records", ntf_on_records, n) ||
        ent_daemon_every(d, n->cfg.tick_ms, ntf_work, n) || ent_daemon_every(d, n->cfg.tick_ms, ntf_retention_sweep, n) ||
        ent_daemon_participant(d, ntf_turn_reset, ntf_turn_flush, n) ||
        ntf_queries_register(n) != 0 || ntf_remind_register(n) != 0)
        return -1;
    char chans[64] = "";
    for (int i = 0; i < NTF_CH_COUNT; i++)
        if (n->channels & (1u << i))
            snprintf(chans + strlen(chans), sizeof chans - strlen(chans), "%s%s", chans[0] ? "," : "",
                     ntf_channel_name(i));
    ent_log_info("notifier.config", "channels %s, reminders at %02d:00, %u tries, %u workers; %lld contacts, "
                                    "%lld subjects, %lld planned, %lld sending, %lld dead",
                 chans, n->cfg.hour, n->cfg.max_tries, n->cfg.workers, (long long) n->counts[NTF_CNT_CONTACTS],
                 (long long) n->counts[NTF_CNT_SUBJECTS], (long long) n->counts[NTF_CNT_PLANNED],
                 (long long) n->counts[NTF_ST_SENDING], (long long) n->counts[NTF_ST_DEAD]);
    return 0;
}

void ntf_drain(notifier_t *n)
{
    if (!n->pool)
        return;
    size_t left = ntf_pool_wait(n->pool, (int) n->cfg.drain_ms);
    if (left)
        ent_log_warn("notifier.drain", "%zu sends unfinished at stop: they go again at the next start", left);
    /* record the outcomes of what finished, as a last turn would */
    MDB_txn *txn;
    if (ent_store_begin(n->store, &txn) != 0)
        return;
    int rc = ntf_results_apply(n, txn);
    n->results_done = rc == 0;
    bool committed = false;
    if (rc == 0)
        committed = ent_store_commit(n->store) == 0;
    else
        ent_store_abort(n->store, rc);
    ent_outbox_t *ob = n->d ? ent_daemon_outbox(n->d) : n->outbox;
    if (ob) {
        if (committed)
            ent_outbox_flush(ob);
        else
            ent_outbox_reset(ob);
    }
    /* no new jobs may start now */
    ntf_job_list_free(n->turn_jobs);
    n->turn_jobs = NULL;
    n->turn_njobs = 0;
    ntf_turn_flush(n, committed);
}

void ntf_teardown(notifier_t *n)
{
    ntf_pool_destroy(&n->pool);
    ntf_job_list_free(n->turn_jobs);
    ntf_job_list_free(n->results);
    ntf_templates_destroy(&n->templates);
    free(n->subj);
    ent_pbarena_destroy(&n->rd_arena);
    ent_pbarena_destroy(&n->ev_arena);
    free(n->outbox_path);
    if (n->store)
        curl_global_cleanup();
    memset(n, 0, sizeof *n);
}
