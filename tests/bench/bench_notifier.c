/*  ent-bench-notifier — the notifier's planning and sending:
 *
 *    1. planning: reminders planned for N employees (default 1,000,000).
 *       The events are generated here, not by a scheduler: per employee an
 *       EmployeeUpserted (a manager for every ten) and two ObligationEvents
 *       (a professional interview due within four years, an annual review
 *       due this year), applied through the notifier's own consumer
 *       (ntf_on_scheduler) in transactions of 1,024 events — a daemon turn's
 *       budget — on a fully synced store.  Reported: time, events/s, the
 *       plan items stored, the store's size and the process's memory.
 *    2. sending: M messages (default 20,000) due at once, rendered (text,
 *       MIME) and delivered to a local SMTP server (aiosmtpd, accepting and
 *       discarding) by the sender threads, each outcome recorded in the
 *       store as the daemon's periodic work does.  Reported: messages/s.
 *
 *  Usage: ent-bench-notifier [--employees N] [--messages M] [--workers W]
 *                            [--sink tests/integration/notifier/smtp_sink.py]
 */
#include "bench_util.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"
#include "notifier.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1024



static ntf_config_t s_config(void)
{
    ntf_config_t c;
    memset(&c, 0, sizeof c);
    c.hour = 9;
    c.max_tries = 8;
    c.backoff_ms = 1000;
    c.backoff_max_ms = 60000;
    c.max_in_flight = 1000;
    c.workers = 4;
    c.tick_ms = 200;
    c.grace_ms = 60000;
    c.max_late_ms = 30LL * 86400000;
    c.drain_ms = 5000;
    c.hr_email = "rh@acme.test";
    c.hr_locale = "fr";
    ntf_plans_parse(NULL, &c.plans, NULL, 0);
    c.ch.smtp_from = "entretiens <noreply@acme.test>";
    c.ch.timeout_ms = 30000;
    return c;
}

typedef struct {
    ent_store_t *store;
    ent_outbox_t *ob;
    notifier_t n;
    MDB_txn *txn;
    size_t in_txn;
    char dir[128];
} s_bench_t;

static int s_open(s_bench_t *b, const char *name, const ntf_config_t *cfg, bool pool)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/ent-bench-notifier-%s-XXXXXX", name);
    if (!bench_mkdtemp(b->dir))
        return -1;
    int err = 0;
    b->store = ent_store_open(b->dir, 16, 1024, false, &err);
    if (!b->store || ent_store_migrate(b->store, 1, NULL, NULL) != 0)
        return -1;
    b->ob = ent_outbox_new(NULL, b->store, "notifier", NULL, NULL);
    memset(&b->n, 0, sizeof b->n);
    if (!b->ob || ntf_init(&b->n, b->store, cfg, pool) != 0)
        return -1;
    b->n.outbox = b->ob;
    return 0;
}

static void s_close(s_bench_t *b)
{
    ntf_teardown(&b->n);
    ent_outbox_destroy(&b->ob);
    ent_store_close(&b->store);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", b->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", b->dir);
}

/* Applies one event; commits every BATCH events (a daemon turn). */
static void s_apply(s_bench_t *b, const char *type, const ProtobufCMessage *msg)
{
    static uint8_t buf[4096];
    if (!b->txn && ent_store_begin(b->store, &b->txn) != 0) {
        fprintf(stderr, "begin failed\n");
        exit(1);
    }
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    ev.type = (char *) type;
    ev.occurred_at_ms = ent_clock_now_ms();
    ev.payload.len = protobuf_c_message_pack(msg, buf);
    ev.payload.data = buf;
    int rc = ntf_on_scheduler(b->txn, &ev, &b->n);
    if (rc && rc != ENT_EVENT_SKIP) {
        fprintf(stderr, "apply failed: %s\n", mdb_strerror(rc));
        exit(1);
    }
    if (++b->in_txn == BATCH) {
        rc = ent_store_commit(b->store);
        b->txn = NULL;
        b->in_txn = 0;
        ntf_turn_flush(&b->n, rc == 0);
        ent_outbox_flush(b->ob);
        if (rc) {
            fprintf(stderr, "commit failed: %s (a map growth would redo the turn; not expected here)\n", mdb_strerror(rc));
            exit(1);
        }
    }
}

static void s_commit(s_bench_t *b)
{
    if (!b->txn)
        return;
    int rc = ent_store_commit(b->store);
    b->txn = NULL;
    b->in_txn = 0;
    ntf_turn_flush(&b->n, rc == 0);
    ent_outbox_flush(b->ob);
}

static void s_employee(s_bench_t *b, size_t i, size_t managers)
{
    char id[32], mgr[32], email[64];
    bool is_mgr = i < managers;
    snprintf(id, sizeof id, is_mgr ? "M%06zu" : "E%07zu", i);
    snprintf(mgr, sizeof mgr, is_mgr ? "D%03zu" : "M%06zu", is_mgr ? i % 100 : i % managers);
    snprintf(email, sizeof email, "%s@acme.test", id);
    Entretiens__V1__Employee e = ENTRETIENS__V1__EMPLOYEE__INIT;
    e.employee_id = id;
    e.manager_id = mgr;
    e.email = email;
    e.locale = i % 4 ? "fr" : "en";
    e.region = i % 13 ? "metropole" : "alsace_moselle";
    e.first_name = "Prénom";
    e.last_name = id;
    e.entity = "acme";
    e.employed = true;
    Entretiens__V1__EmployeeUpserted up = ENTRETIENS__V1__EMPLOYEE_UPSERTED__INIT;
    up.employee = &e;
    s_apply(b, "scheduler.employee.upserted", &up.base);
}

static void s_obligation(s_bench_t *b, size_t i, size_t managers, const char *type, int32_t due)
{
    char id[32], oid[96], mgr[32];
    snprintf(id, sizeof id, i < managers ? "M%06zu" : "E%07zu", i);
    snprintf(mgr, sizeof mgr, i < managers ? "D%03zu" : "M%06zu", i < managers ? i % 100 : i % managers);
    snprintf(oid, sizeof oid, "%s/%s/2020-01-06", id, type);
    int y, m, d;
    ent_date_to_ymd(due, &y, &m, &d);
    Entretiens__V1__Date dd = ENTRETIENS__V1__DATE__INIT;
    dd.year = y;
    dd.month = m;
    dd.day = d;
    Entretiens__V1__Obligation o = ENTRETIENS__V1__OBLIGATION__INIT;
    o.obligation_id = oid;
    o.employee_id = id;
    o.type = (char *) type;
    o.due_date = &dd;
    o.status = "upcoming";
    o.actionable = true;
    o.manager_id = mgr;
    Entretiens__V1__ObligationEvent oe = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    oe.obligation = &o;
    s_apply(b, "scheduler.interview.due", &oe.base);
}

static int s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *) &a, &len) != 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static int s_wait_port(int port, double seconds)
{
    double until = bench_now() + seconds;
    while (bench_now() < until) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int ok = connect(fd, (struct sockaddr *) &a, sizeof a) == 0;
        close(fd);
        if (ok)
            return 0;
        usleep(50000);
    }
    return -1;
}

int main(int argc, char **argv)
{
    size_t employees = 1000000, messages = 20000;
    unsigned workers = 4;
    const char *sink = "tests/integration/notifier/smtp_sink.py";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--employees") == 0)
            employees = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--messages") == 0)
            messages = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--workers") == 0)
            workers = (unsigned) strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--sink") == 0)
            sink = argv[i + 1];
    }
    if (employees < 20 || messages < 20) {
        fprintf(stderr, "usage: ent-bench-notifier [--employees N>=20] [--messages M>=20] [--workers W] [--sink PATH]\n");
        return 2;
    }
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    ent_log_init("bench", ENT_LOG_WARN);
    ent_clock_init("2026-03-02T09:00");
    int32_t today = ent_clock_today();
    printf("entretiens notifier benchmark — %zu employees planned, %zu messages sent (today 2026-03-02)\n\n", employees,
           messages);

    /* ------------------------------------------------ 1. planning */
    s_bench_t b;
    memset(&b, 0, sizeof b);
    ntf_config_t cfg = s_config();
    if (s_open(&b, "plan", &cfg, false) != 0) {
        fprintf(stderr, "cannot open a store\n");
        return 1;
    }
    size_t managers = employees / 10;
    long rss0 = bench_status_kb(0, "VmRSS:");
    double t0 = bench_now();
    for (size_t i = 0; i < employees; i++) {
        s_employee(&b, i, managers);
        /* professional: due within four years; annual review: this year */
        s_obligation(&b, i, managers, "professional", today + 20 + (int32_t) ((i * 7919) % 1440));
        s_obligation(&b, i, managers, "annual_review", today + 60 + (int32_t) (i % 240));
    }
    s_commit(&b);
    double dt = bench_now() - t0;
    size_t events = employees * 3;
    printf("%-46s %10.1f s  (%zu events, %.0f events/s, %.0f employees/s)\n", "plan reminders (1,024 events a commit)",
           dt, events, (double) events / dt, (double) employees / dt);
    printf("%-46s %lld plan items in %lld subjects, %lld contacts\n", "planned", (long long) b.n.counts[NTF_CNT_PLANNED],
           (long long) b.n.counts[NTF_CNT_SUBJECTS], (long long) b.n.counts[NTF_CNT_CONTACTS]);
    ent_store_stats_t st;
    ent_store_stats(b.store, &st);
    printf("%-46s %zu MiB used in the LMDB map (%.0f bytes per employee)\n", "store", st.map_used >> 20,
           (double) st.map_used / (double) employees);
    printf("%-46s peak %ld MiB; now private %ld MiB + LMDB pages %ld MiB (was %ld MiB before)\n",
           "process resident memory", bench_status_kb(0, "VmHWM:") / 1024, bench_status_kb(0, "RssAnon:") / 1024,
           bench_status_kb(0, "RssFile:") / 1024, rss0 / 1024);
    /* the next scan's cost does not depend on the plan's size */
    MDB_txn *txn;
    ent_clock_set(ent_date_to_unix_ms(today) + 8 * 3600000); /* 08:00: nothing due */
    t0 = bench_now();
    int scans = 1000;
    for (int i = 0; i < scans; i++) {
        ent_store_begin(b.store, &txn);
        ntf_work(txn, &b.n);
        ent_store_commit(b.store);
        ntf_turn_flush(&b.n, true);
    }
    printf("%-46s %10.1f us  (the periodic work when nothing is due)\n", "due scan over the whole plan",
           (bench_now() - t0) / scans * 1e6);
    s_close(&b);

    /* ------------------------------------------------ 2. sending */
    int port = s_free_port();
    char sport[16];
    snprintf(sport, sizeof sport, "%d", port);
    pid_t pid = bench_fork();
    if (pid == 0) {
        execl("/usr/bin/python3", "python3", sink, "--port", sport, "--discard", (char *) NULL);
        _exit(127);
    }
    if (pid < 0 || s_wait_port(port, 10) != 0) {
        fprintf(stderr, "the SMTP sink (%s) did not start\n", sink);
        if (pid > 0)
            kill(pid, SIGTERM);
        return 1;
    }
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    cfg = s_config();
    cfg.ch.smtp_url = url;
    cfg.workers = workers;
    ent_clock_set(ent_date_to_unix_ms(today) + 8 * 3600000);
    memset(&b, 0, sizeof b);
    if (s_open(&b, "send", &cfg, true) != 0) {
        kill(pid, SIGTERM);
        return 1;
    }
    /* each employee: a reminder 7 days before a due date a week away, to
     * them and to their manager — two messages due at 09:00 today */
    managers = messages / 20 ? messages / 20 : 1;
    size_t emps = managers + messages / 2;
    for (size_t i = 0; i < emps; i++)
        s_employee(&b, i, managers);
    for (size_t i = managers; i < emps; i++)
        s_obligation(&b, i, managers, "annual_review", today + 7);
    s_commit(&b);
    size_t due = (size_t) b.n.counts[NTF_CNT_PLANNED];
    ent_clock_set(ent_date_to_unix_ms(today) + 9 * 3600000);
    t0 = bench_now();
    size_t expect = 2 * (emps - managers);
    while ((size_t) (b.n.counts[NTF_ST_SENT] + b.n.counts[NTF_ST_DEAD]) < expect && bench_now() - t0 < 600) {
        ent_store_begin(b.store, &txn);
        if (ntf_work(txn, &b.n) != 0) {
            ent_store_abort(b.store, 0);
            ntf_turn_flush(&b.n, false);
            continue;
        }
        int rc = ent_store_commit(b.store);
        ntf_turn_flush(&b.n, rc == 0);
        ent_outbox_flush(b.ob);
        usleep(2000);
    }
    dt = bench_now() - t0;
    printf("%-46s %10.0f messages/s  (%lld sent, %lld dead of %zu in %.2f s, %u sender threads; %zu planned before)\n",
           "SMTP delivery to aiosmtpd (rendered, recorded)", (double) b.n.counts[NTF_ST_SENT] / dt,
           (long long) b.n.counts[NTF_ST_SENT], (long long) b.n.counts[NTF_ST_DEAD], expect, dt, workers, due);
    s_close(&b);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return 0;
}
