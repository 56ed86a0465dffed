/*  test_notifier_apply.c — the notifier's core on a real store
 *  (services/notifier/notifier.h): scheduler and records events in, plans,
 *  firing on the pinned clock, digests, escalations, outcomes, retries,
 *  the dead-letter list, a crash between send and commit, downtime.
 *
 *  Records' InterviewEvent envelopes are fed to the consumer directly, as
 *  records would publish them.  Messages go through the real file channel
 *  on the real sender threads into a temporary outbox directory; each test
 *  mirrors the daemon's turn: one write transaction, then the flush hook. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/date.h"
#include "notifier.h"

static char s_root[64], s_outdir[128];
static ent_store_t *s_store;
static ent_outbox_t *s_ob;
static notifier_t s_n;

static int s_rm(const char *p, const struct stat *st, int t, struct FTW *f)
{
    (void) st, (void) t, (void) f;
    return remove(p);
}

static ntf_config_t s_config(void)
{
    ntf_config_t c;
    memset(&c, 0, sizeof c);
    c.hour = 9;
    c.max_tries = 3;
    c.backoff_ms = 1;
    c.backoff_max_ms = 4;
    c.max_in_flight = 1000;
    c.workers = 2;
    c.tick_ms = 50;
    c.grace_ms = 60000;
    c.max_late_ms = 30LL * 86400000;
    c.drain_ms = 2000;
    c.hr_email = "rh@acme.test";
    c.hr_locale = "fr";
    ntf_plans_parse(NULL, &c.plans, NULL, 0);
    c.ch.smtp_from = "entretiens <noreply@acme.test>";
    c.ch.outbox_dir = s_outdir;
    c.ch.timeout_ms = 2000;
    return c;
}

static void s_open(const ntf_config_t *c)
{
    int err = 0;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/store", s_root);
    s_store = ent_store_open(dir, 16, 64, true, &err);
    cr_assert_not_null(s_store, "store: %d", err);
    cr_assert_eq(ent_store_migrate(s_store, 1, NULL, NULL), 0);
    s_ob = ent_outbox_new(NULL, s_store, "notifier", NULL, NULL);
    cr_assert_not_null(s_ob);
    memset(&s_n, 0, sizeof s_n);
    cr_assert_eq(ntf_init(&s_n, s_store, c, true), 0);
    s_n.outbox = s_ob;
}

static void s_close(void)
{
    ntf_teardown(&s_n);
    ent_outbox_destroy(&s_ob);
    ent_store_close(&s_store);
}

static void s_setup(void)
{
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    snprintf(s_root, sizeof s_root, "/tmp/ent_test_ntf_XXXXXX");
    cr_assert_not_null(mkdtemp(s_root));
    snprintf(s_outdir, sizeof s_outdir, "%s/outbox", s_root);
    mkdir(s_outdir, 0750);
    cr_assert_eq(ent_clock_init("2026-03-02T09:00"), 0);
    ntf_config_t c = s_config();
    s_open(&c);
}

static void s_teardown(void)
{
    s_close();
    nftw(s_root, s_rm, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(notifier, .init = s_setup, .fini = s_teardown);

/* ------------------------------------------------------------ helpers */

static int64_t T(const char *iso)
{
    int64_t ms;
    cr_assert_eq(ent_clock_parse(iso, &ms), 0, "%s", iso);
    return ms;
}

static void s_date(const char *s, Entretiens__V1__Date *d)
{
    int32_t day;
    cr_assert_eq(ent_date_parse(s, &day), 0);
    int y, m, dd;
    ent_date_to_ymd(day, &y, &m, &dd);
    entretiens__v1__date__init(d);
    d->year = y;
    d->month = m;
    d->day = dd;
}

typedef int (*s_apply_fn)(MDB_txn *, const Entretiens__V1__EventEnvelope *, void *);

/* One turn applying an event (payload packed from msg). Returns the apply code. */
static int s_event(s_apply_fn fn, const char *type, const ProtobufCMessage *msg)
{
    uint8_t buf[8192];
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    ev.type = (char *) type;
    ev.occurred_at_ms = ent_clock_now_ms();
    ev.payload.len = msg ? protobuf_c_message_pack(msg, buf) : 0;
    ev.payload.data = buf;
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    int rc = fn(txn, &ev, &s_n);
    cr_assert(rc == 0 || rc == ENT_EVENT_SKIP, "apply: %d", rc);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    ent_outbox_flush(s_ob);
    return rc;
}

static void s_employee(const char *id, const char *manager, const char *locale, const char *region)
{
    Entretiens__V1__Employee e = ENTRETIENS__V1__EMPLOYEE__INIT;
    char email[64], first[32];
    snprintf(email, sizeof email, "%s@acme.test", id);
    snprintf(first, sizeof first, "First%s", id);
    for (char *c = email; *c; c++)
        *c = (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    e.employee_id = (char *) id;
    e.manager_id = (char *) manager;
    e.email = email;
    e.locale = (char *) locale;
    e.region = (char *) region;
    e.first_name = first;
    e.last_name = (char *) id;
    e.employed = true;
    Entretiens__V1__EmployeeUpserted up = ENTRETIENS__V1__EMPLOYEE_UPSERTED__INIT;
    up.employee = &e;
    cr_assert_eq(s_event(ntf_on_scheduler, "scheduler.employee.upserted", &up.base), 0);
}

static void s_obligation(const char *verb, const char *employee, const char *type, const char *due,
                         const char *status, bool actionable)
{
    Entretiens__V1__Obligation o = ENTRETIENS__V1__OBLIGATION__INIT;
    Entretiens__V1__Date d;
    s_date(due, &d);
    char id[128], ev[64];
    snprintf(id, sizeof id, "%s/%s/2026-01-05", employee, type);
    o.obligation_id = id;
    o.employee_id = (char *) employee;
    o.type = (char *) type;
    o.due_date = &d;
    o.status = (char *) status;
    o.actionable = actionable;
    Entretiens__V1__ObligationEvent oe = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    oe.obligation = &o;
    snprintf(ev, sizeof ev, "scheduler.interview.%s", verb);
    cr_assert_eq(s_event(ntf_on_scheduler, ev, &oe.base), 0);
}

typedef struct {
    const char *manager;
    int64_t start;
    bool signed_e, signed_m;
    uint32_t reopen;
    const char *previous;
} s_iv_t;

static void s_interview(const char *verb, const char *id, const char *obligation, const char *employee, s_iv_t x)
{
    Entretiens__V1__InterviewEvent iv = ENTRETIENS__V1__INTERVIEW_EVENT__INIT;
    Entretiens__V1__Date d;
    s_date("2026-04-01", &d);
    char ev[64];
    iv.interview_id = (char *) id;
    iv.obligation_id = (char *) (obligation ? obligation : "");
    iv.employee_id = (char *) employee;
    iv.type = "end_of_trial";
    iv.due_date = &d;
    iv.manager_id = (char *) (x.manager ? x.manager : "M1");
    iv.status = (char *) verb;
    iv.scheduled_start_ms = x.start;
    iv.duration_min = 45;
    iv.place = "Salle 3";
    iv.locale = "en";
    iv.signed_by_employee = x.signed_e;
    iv.signed_by_manager = x.signed_m;
    iv.reopen_count = x.reopen;
    iv.previous_manager_id = (char *) (x.previous ? x.previous : "");
    snprintf(ev, sizeof ev, "records.interview.%s", verb);
    cr_assert_eq(s_event(ntf_on_records, ev, &iv.base), 0);
}

/* One periodic turn: records outcomes, fires what is due. */
static void s_work(void)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_work(txn, &s_n), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    ent_outbox_flush(s_ob);
}

/* Turns until nothing is in flight (outcomes recorded). */
static void s_settle(void)
{
    for (int i = 0; i < 50; i++) {
        s_work();
        if (s_n.in_flight == 0 && i > 0)
            return;
        ntf_pool_wait(s_n.pool, 2000);
    }
    cr_assert_fail("still %zu in flight", s_n.in_flight);
}

static void s_at(const char *iso)
{
    ent_clock_set(T(iso));
    s_settle();
}

static int s_files(void)
{
    DIR *d = opendir(s_outdir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".eml") != NULL && e->d_name[0] != '.';
    closedir(d);
    return n;
}

static char *s_file_of(const char *id)
{
    char key[33], path[256];
    ntf_message_key(id, key);
    snprintf(path, sizeof path, "%s/%s.eml", s_outdir, key);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int s_status(const char *id)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    ntf_notif_t nf;
    int rc = ntf_notif_get(&s_n, txn, id, &nf);
    mdb_txn_abort(txn);
    if (rc)
        return -1;
    int st = nf.status;
    ntf_notif_clear(&nf);
    return st;
}

static bool s_late(const char *id)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    ntf_notif_t nf;
    int rc = ntf_notif_get(&s_n, txn, id, &nf);
    mdb_txn_abort(txn);
    cr_assert_eq(rc, 0, "no %s", id);
    bool late = nf.late;
    ntf_notif_clear(&nf);
    return late;
}

/* Events of a type in the notifier's outbox. */
static int s_events(const char *type)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    Entretiens__V1__ReplayReply rep = ENTRETIENS__V1__REPLAY_REPLY__INIT;
    cr_assert_eq(ent_outbox_replay(s_ob, txn, 1, 0, 4096, NULL, 0, &rep), 0);
    int n = 0;
    for (size_t i = 0; i < rep.n_events; i++) {
        Entretiens__V1__EventEnvelope *e =
            entretiens__v1__event_envelope__unpack(NULL, rep.events[i].len, rep.events[i].data);
        n += e && strcmp(e->type, type) == 0;
        if (e)
            entretiens__v1__event_envelope__free_unpacked(e, NULL);
    }
    free(rep.events);
    mdb_txn_abort(txn);
    return n;
}

#define OBL "o:E1/end_of_trial/2026-01-05"

static void s_org(void)
{
    s_employee("D1", "", "en", "metropole");
    s_employee("M1", "D1", "fr", "metropole");
    s_employee("E1", "M1", "en", "metropole");
}

/* ------------------------------------------------------------ tests */

Test(notifier, every_reminder_fires_once_on_its_day)
{
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_settle();
    /* 2026-04-01 - 30 = Monday 2 March: due now, to E1 and M1 */
    cr_expect_eq(s_files(), 2);
    cr_expect_eq(s_status(OBL "|d-30@2026-04-01|E1"), NTF_ST_SENT);
    cr_expect_eq(s_status(OBL "|d-30@2026-04-01|M1"), NTF_ST_SENT);
    cr_expect_eq(s_events("notifier.notification.sent"), 2);
    s_at("2026-03-24T23:00");
    cr_expect_eq(s_files(), 2, "nothing before 25 March");
    s_at("2026-03-25T08:59");
    cr_expect_eq(s_files(), 2, "nothing before 09:00");
    s_at("2026-03-25T09:00");
    cr_expect_eq(s_files(), 4);
    s_at("2026-03-25T15:00");
    s_settle();
    cr_expect_eq(s_files(), 4, "never twice");
    cr_expect_eq(s_events("notifier.notification.sent"), 4);
    char *m = s_file_of(OBL "|d-7@2026-04-01|E1");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "To: \"FirstE1 E1\" <e1@acme.test>"), "%s", m);
    cr_expect(strstr(m, "Content-Language: en"));
    cr_expect_null(strstr(m, "X-Entretiens-Late"));
    free(m);
    m = s_file_of(OBL "|d-7@2026-04-01|M1");
    cr_expect(strstr(m, "Content-Language: fr"), "the manager's own language");
    free(m);
    cr_expect_eq(s_n.counts[NTF_ST_SENT], 4);
}

Test(notifier, escalations_go_up_the_chain_with_hr_in_copy)
{
    s_org();
    s_employee("E2", "M2", "fr", "metropole"); /* M2 is unknown: no manager's manager */
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_obligation("due", "E2", "end_of_trial", "2026-04-01", "upcoming", true);
    s_at("2026-04-02T09:00");
    s_obligation("overdue", "E1", "end_of_trial", "2026-04-01", "overdue", true);
    cr_expect_eq(s_status(OBL "|d+1@2026-04-01|M1"), NTF_ST_SENT, "overdue: to the manager");
    cr_expect_eq(s_status(OBL "|d+1@2026-04-01|E1"), -1, "not to the employee (default plan)");
    s_at("2026-04-08T09:00");
    /* 1 April + 7 = Wednesday 8 April */
    char *m = s_file_of(OBL "|d+7@2026-04-01|escalation");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "<d1@acme.test>"), "to the manager's manager: %s", m);
    cr_expect(strstr(m, "Cc: <rh@acme.test>"));
    cr_expect(strstr(m, "Content-Language: en"));
    free(m);
    m = s_file_of("o:E2/end_of_trial/2026-01-05|d+7@2026-04-01|escalation");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "To: \"RH\" <rh@acme.test>"), "HR alone: %s", m);
    cr_expect_null(strstr(m, "Cc:"));
    free(m);
}

/* HR has no address configured: an escalation that only HR could receive
 * is dead with the reason, never "sent" to nobody (the outbox directory
 * stands for a mail relay and needs a recipient too). */
Test(notifier, an_escalation_without_an_address_is_dead_not_sent)
{
    s_n.cfg.hr_email = NULL;
    s_org();
    s_employee("E2", "M2", "fr", "metropole"); /* M2 unknown: nobody above, HR alone */
    s_obligation("due", "E2", "end_of_trial", "2026-04-01", "upcoming", true);
    s_at("2026-04-02T09:00");
    s_obligation("overdue", "E2", "end_of_trial", "2026-04-01", "overdue", true);
    s_at("2026-04-08T09:00");
    const char *id = "o:E2/end_of_trial/2026-01-05|d+7@2026-04-01|escalation";
    cr_expect_eq(s_status(id), NTF_ST_DEAD, "status %d", s_status(id));
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(s_store, &txn), 0);
    ntf_notif_t nf;
    cr_assert_eq(ntf_notif_get(&s_n, txn, id, &nf), 0);
    mdb_txn_abort(txn);
    bool said = false;
    for (size_t i = 0; i < nf.n_del; i++)
        said = said || (nf.del[i].channel == NTF_CH_FILE && strstr(nf.del[i].last_error, "no valid e-mail address"));
    cr_expect(said, "the delivery does not say why");
    ntf_notif_clear(&nf);
    cr_expect_null(s_file_of(id), "a message file was written for nobody");
}

Test(notifier, a_manager_can_have_one_daily_digest)
{
    s_org();
    s_employee("E2", "M1", "fr", "metropole");
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_prefs_set(&s_n, txn, "M1", true, NULL), 0);
    cr_assert_eq(ntf_prefs_set(&s_n, txn, "nobody", true, NULL), MDB_NOTFOUND);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_obligation("due", "E2", "professional", "2026-04-01", "upcoming", true);
    s_settle();
    /* E1 and E2 get their own; M1 one message for both */
    cr_expect_eq(s_files(), 3);
    cr_expect_eq(s_status(OBL "|d-30@2026-04-01|M1"), NTF_ST_DIGESTED);
    cr_expect_eq(s_status("o:E2/professional/2026-01-05|d-30@2026-04-01|M1"), NTF_ST_DIGESTED);
    cr_expect_eq(s_status("digest|M1|2026-03-02"), NTF_ST_SENT);
    char *m = s_file_of("digest|M1|2026-03-02");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "X-Entretiens-Kind: digest"));
    free(m);
    /* the next day's reminders make the next digest */
    s_at("2026-03-25T09:00");
    cr_expect_eq(s_status("digest|M1|2026-03-25"), NTF_ST_SENT);
    cr_expect_eq(s_n.counts[NTF_ST_DIGESTED], 4);
}

/* The language a person chose (notifier.prefs.set, the web page's
 * preferences) wins over the HRIS's, survives the HRIS's next upsert, and
 * "hris" gives the HRIS's back. */
Test(notifier, a_person_chooses_the_language_of_her_messages)
{
    s_org(); /* M1: French in the HRIS */
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_prefs_set(&s_n, txn, "M1", false, "en"), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    s_employee("M1", "D1", "fr", "metropole"); /* the HRIS says French again */
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_settle();
    char *m = s_file_of(OBL "|d-30@2026-04-01|M1");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "Content-Language: en"), "her choice, over the HRIS's: %.300s", m);
    free(m);
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_prefs_set(&s_n, txn, "M1", false, "hris"), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    s_at("2026-03-25T09:00");
    m = s_file_of(OBL "|d-7@2026-04-01|M1");
    cr_assert_not_null(m);
    cr_expect(strstr(m, "Content-Language: fr"), "back to the HRIS's language: %.300s", m);
    free(m);
}

Test(notifier, records_events_make_invitations_sign_requests_and_confirmations)
{
    s_org();
    s_employee("M2", "D1", "en", "metropole");
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_settle();
    int base = s_files();
    s_iv_t x = { .manager = "M1" };
    s_interview("created", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_files(), base, "created: nothing to say");
    x.start = T("2026-03-20T10:00");
    s_interview("scheduled", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    char id[128];
    snprintf(id, sizeof id, "i:IV1|invite@%lld|E1", (long long) x.start);
    char *m = s_file_of(id);
    cr_assert_not_null(m, "invitation to the employee");
    cr_expect(strstr(m, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST"));
    free(m);
    cr_expect_eq(s_files(), base + 2);
    /* the reminders before the due date are replaced by the invitation */
    cr_expect_eq(s_status(OBL "|d-7@2026-04-01|E1"), -1);
    /* moved: new invitations; reassigned: the new interviewer's own */
    x.start = T("2026-03-23T14:00");
    s_interview("scheduled", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_files(), base + 4);
    x.manager = "M2";
    x.previous = "M1";
    s_interview("reassigned", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_files(), base + 5, "only M2 is invited anew");
    snprintf(id, sizeof id, "i:IV1|invite@%lld|M2", (long long) x.start);
    cr_expect_eq(s_status(id), NTF_ST_SENT);
    /* held: please sign; the obligation's plan ends */
    s_interview("held", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_status("i:IV1|sign#0|E1"), NTF_ST_SENT);
    cr_expect_eq(s_status("i:IV1|sign#0|M2"), NTF_ST_SENT);
    s_at("2026-04-10T09:00");
    cr_expect_eq(s_status(OBL "|d+1@2026-04-01|M1"), -1, "held: no overdue notice");
    cr_expect_eq(s_status(OBL "|d+1@2026-04-01|M2"), -1);
    /* one signature is not the end; both are */
    x.signed_e = true;
    s_interview("signed", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_status("i:IV1|signed#0|E1"), -1);
    x.signed_m = true;
    s_interview("signed", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_status("i:IV1|signed#0|E1"), NTF_ST_SENT);
    cr_expect_eq(s_status("i:IV1|signed#0|M2"), NTF_ST_SENT);
    /* reopened: new signatures needed */
    x.reopen = 1;
    x.signed_e = x.signed_m = false;
    s_interview("reopened", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    cr_expect_eq(s_status("i:IV1|sign#1|E1"), NTF_ST_SENT);
}

Test(notifier, a_cancelled_interview_sends_a_cancellation_and_brings_reminders_back)
{
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_iv_t x = { .manager = "M1", .start = T("2026-03-20T10:00") };
    s_interview("scheduled", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    s_interview("cancelled", "IV1", "E1/end_of_trial/2026-01-05", "E1", x);
    s_settle();
    char id[128];
    snprintf(id, sizeof id, "i:IV1|cancel@%lld|M1", (long long) x.start);
    char *m = s_file_of(id);
    cr_assert_not_null(m);
    cr_expect(strstr(m, "method=CANCEL"));
    free(m);
    s_at("2026-03-25T09:00");
    cr_expect_eq(s_status(OBL "|d-7@2026-04-01|E1"), NTF_ST_SENT, "the reminder is back");
}

Test(notifier, a_new_manager_takes_over_the_plan)
{
    s_org();
    s_employee("M2", "D1", "en", "metropole");
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_at("2026-03-10T10:00");
    s_employee("E1", "M2", "en", "metropole");
    s_at("2026-03-25T09:00");
    cr_expect_eq(s_status(OBL "|d-7@2026-04-01|M2"), NTF_ST_SENT);
    cr_expect_eq(s_status(OBL "|d-7@2026-04-01|M1"), -1, "the former manager's pending reminders are cancelled");
    cr_expect_eq(s_status(OBL "|d-30@2026-04-01|M2"), -1, "what was past is not sent again");
}

Test(notifier, met_and_cancelled_obligations_stop_their_plans)
{
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_obligation("due", "E1", "professional", "2026-04-01", "upcoming", true);
    s_settle();
    int64_t planned = s_n.counts[NTF_CNT_PLANNED];
    s_obligation("met", "E1", "end_of_trial", "2026-04-01", "met", false);
    s_obligation("cancelled", "E1", "professional", "2026-04-01", "upcoming", true);
    cr_expect_eq(s_n.counts[NTF_CNT_PLANNED], planned - 12);
    int before = s_files();
    s_at("2026-04-15T09:00");
    cr_expect_eq(s_files(), before);
}

Test(notifier, a_failing_channel_is_retried_then_dead_then_retried_by_hand)
{
    ntf_config_t c = s_config();
    c.ch.outbox_dir = "/nonexistent/outbox"; /* every write fails */
    s_close();
    s_open(&c);
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    const char *id = OBL "|d-30@2026-04-01|E1";
    /* backoff: 1, 2, 4 ms; a loaded machine is slow, not wrong */
    for (int i = 0; i < 2000 && s_status(id) != NTF_ST_DEAD; i++) {
        s_settle();
        usleep(5000);
    }
    cr_assert_eq(s_status(id), NTF_ST_DEAD);
    MDB_txn *txn;
    ent_store_read(s_store, &txn);
    ntf_notif_t nf;
    cr_assert_eq(ntf_notif_get(&s_n, txn, id, &nf), 0);
    mdb_txn_abort(txn);
    cr_expect_eq(nf.del[0].attempts, 3);
    cr_expect(strstr(nf.last_error, "/nonexistent/outbox"), "%s", nf.last_error);
    ntf_notif_clear(&nf);
    cr_expect_eq(s_events("notifier.notification.failed"), 2);
    cr_expect_eq(s_n.counts[NTF_ST_DEAD], 2);
    /* the operator fixes the disk and asks again */
    s_n.cfg.ch.outbox_dir = s_outdir;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_expect_eq(ntf_retry(&s_n, txn, id), 0);
    cr_expect_eq(ntf_retry(&s_n, txn, "no such id"), MDB_NOTFOUND);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    s_settle();
    s_settle();
    cr_expect_eq(s_status(id), NTF_ST_SENT);
    cr_expect_eq(s_n.counts[NTF_ST_DEAD], 1);
    cr_expect_eq(s_files(), 1);
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_expect_eq(ntf_retry(&s_n, txn, id), EINVAL, "a sent one is not retried");
    ent_store_abort(s_store, 0);
}

Test(notifier, a_crash_between_send_and_commit_resends_the_same_message_once)
{
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_work(); /* fired and handed to the senders: "sending" committed */
    ntf_pool_wait(s_n.pool, 5000);
    cr_expect_eq(s_files(), 2, "sent");
    cr_expect_eq(s_status(OBL "|d-30@2026-04-01|E1"), NTF_ST_SENDING, "outcome not recorded");
    /* crash: the outcomes are lost with the process */
    ntf_config_t c = s_n.cfg;
    s_close();
    cr_assert_eq(ent_clock_set(T("2026-03-02T09:05")), 0);
    s_open(&c);
    s_settle();
    cr_expect_eq(s_status(OBL "|d-30@2026-04-01|E1"), NTF_ST_SENT);
    cr_expect_eq(s_files(), 2, "the same Message-ID, the same file: the copy is recognisable");
    cr_expect_eq(s_events("notifier.notification.sent"), 2, "recorded once");
    cr_expect_not(s_late(OBL "|d-30@2026-04-01|E1"));
}

Test(notifier, what_came_due_while_down_is_sent_on_start_marked_late)
{
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_settle();
    ntf_config_t c = s_n.cfg;
    s_close();
    /* down from 2 to 26 March: d-7 (25 March) passed meanwhile */
    cr_assert_eq(ent_clock_set(T("2026-03-26T11:00")), 0);
    s_open(&c);
    s_settle();
    const char *id = OBL "|d-7@2026-04-01|E1";
    cr_expect_eq(s_status(id), NTF_ST_SENT);
    cr_expect(s_late(id));
    char *m = s_file_of(id);
    cr_assert_not_null(m);
    cr_expect(strstr(m, "X-Entretiens-Late: yes"));
    free(m);
    s_at("2026-03-31T09:00");
    cr_expect_not(s_late(OBL "|d-1@2026-04-01|E1"), "up again: on time");
}

Test(notifier, bad_events_are_skipped_and_nothing_is_stored)
{
    uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01, 0x02 };
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    ev.payload.data = junk;
    ev.payload.len = sizeof junk;
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    ev.type = "scheduler.employee.upserted";
    cr_expect_eq(ntf_on_scheduler(txn, &ev, &s_n), ENT_EVENT_SKIP);
    ev.type = "scheduler.interview.due";
    cr_expect_eq(ntf_on_scheduler(txn, &ev, &s_n), ENT_EVENT_SKIP);
    ev.type = "records.interview.held";
    cr_expect_eq(ntf_on_records(txn, &ev, &s_n), ENT_EVENT_SKIP);
    ev.type = "scheduler.something.new";
    cr_expect_eq(ntf_on_scheduler(txn, &ev, &s_n), 0, "a newer kind of event is not poison");
    ev.type = "records.interview.archived";
    cr_expect_eq(ntf_on_records(txn, &ev, &s_n), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    /* well-formed but unusable: no ids, ids too long */
    Entretiens__V1__Obligation o = ENTRETIENS__V1__OBLIGATION__INIT;
    Entretiens__V1__ObligationEvent oe = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    oe.obligation = &o;
    cr_expect_eq(s_event(ntf_on_scheduler, "scheduler.interview.due", &oe.base), ENT_EVENT_SKIP);
    char longid[400];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    o.obligation_id = longid;
    o.employee_id = "E1";
    cr_expect_eq(s_event(ntf_on_scheduler, "scheduler.interview.due", &oe.base), ENT_EVENT_SKIP);
    cr_expect_eq(s_n.counts[NTF_CNT_SUBJECTS], 0);
}

Test(notifier, a_corrupt_subject_does_not_stop_the_others)
{
    s_org();
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_employee("E2", "M1", "fr", "metropole");
    s_obligation("due", "E2", "end_of_trial", "2026-04-01", "upcoming", true);
    s_settle();
    /* garbage behind the daemon's back */
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    MDB_val k = { strlen(OBL), OBL }, v = { 5, "\xff\xff\xff\xff\xff" };
    cr_assert_eq(mdb_put(txn, s_n.subjects, &k, &v, 0), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    s_at("2026-03-25T09:00");
    cr_expect_eq(s_status("o:E2/end_of_trial/2026-01-05|d-7@2026-04-01|E2"), NTF_ST_SENT);
    cr_expect_eq(s_status(OBL "|d-7@2026-04-01|E1"), -1);
    /* the next event about it plans it anew */
    s_obligation("due", "E1", "end_of_trial", "2026-04-01", "upcoming", true);
    s_at("2026-03-31T09:00");
    cr_expect_eq(s_status(OBL "|d-1@2026-04-01|E1"), NTF_ST_SENT);
}

/* The contacts read in a write transaction are remembered for it: a write
 * in the same transaction is read back, an aborted transaction's writes
 * are not seen by the next one (with or without the reset hook), a
 * read-only transaction reads the store, and more contacts than the memo
 * holds all read right. */
static ntf_contact_t s_contact(const char *id, const char *email, const char *manager)
{
    ntf_contact_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.employee_id, sizeof c.employee_id, "%s", id);
    snprintf(c.email, sizeof c.email, "%s", email);
    snprintf(c.manager_id, sizeof c.manager_id, "%s", manager);
    c.employed = true;
    c.left_on = ENT_DATE_NONE;
    return c;
}

Test(notifier, contacts_read_in_a_turn_follow_its_writes_and_not_an_aborted_one)
{
    MDB_txn *txn;
    ntf_contact_t c, got;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    for (int i = 0; i < 2 * NTF_CONTACT_MEMO; i++) {
        char id[16], email[32];
        snprintf(id, sizeof id, "C%d", i);
        snprintf(email, sizeof email, "c%d@acme.test", i);
        c = s_contact(id, email, "M");
        cr_assert_eq(ntf_contact_put(&s_n, txn, &c), 0);
    }
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);

    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    for (int round = 0; round < 3; round++) /* more than it holds, read again and again */
        for (int i = 0; i < 2 * NTF_CONTACT_MEMO; i++) {
            char id[16], email[32];
            snprintf(id, sizeof id, "C%d", i);
            snprintf(email, sizeof email, "c%d@acme.test", i);
            cr_assert_eq(ntf_contact_get(&s_n, txn, id, &got), 0);
            cr_assert_str_eq(got.email, email, "round %d", round);
        }
    /* written in the same transaction after being read: read as written */
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C0", &got), 0);
    c = s_contact("C0", "new@acme.test", "M2");
    cr_assert_eq(ntf_contact_put(&s_n, txn, &c), 0);
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C0", &got), 0);
    cr_expect_str_eq(got.email, "new@acme.test");
    cr_expect_str_eq(got.manager_id, "M2");
    cr_expect_eq(ntf_contact_get(&s_n, txn, "nobody", &got), MDB_NOTFOUND);
    /* the turn is lost */
    cr_assert_eq(ent_store_abort(s_store, 0), 0);
    ntf_turn_reset(&s_n);

    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C0", &got), 0);
    cr_expect_str_eq(got.email, "c0@acme.test", "the aborted write is not seen");
    cr_expect_str_eq(got.manager_id, "M");
    ent_store_abort(s_store, 0); /* without the reset hook: the next transaction still reads the store */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    c = s_contact("C1", "changed@acme.test", "M");
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C1", &got), 0);
    cr_assert_eq(ntf_contact_put(&s_n, txn, &c), 0);
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C1", &got), 0);
    cr_expect_str_eq(got.email, "changed@acme.test");
    ent_store_abort(s_store, 0);
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C1", &got), 0);
    cr_expect_str_eq(got.email, "c1@acme.test", "the aborted write is not seen");
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);

    /* a read-only transaction reads the store, not the memo */
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(ntf_contact_get(&s_n, txn, "C2", &got), 0);
    c = s_contact("C2", "committed@acme.test", "M");
    cr_assert_eq(ntf_contact_put(&s_n, txn, &c), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    MDB_txn *rd;
    cr_assert_eq(ent_store_read(s_store, &rd), 0);
    cr_assert_eq(ntf_contact_get(&s_n, rd, "C2", &got), 0);
    cr_expect_str_eq(got.email, "committed@acme.test");
    mdb_txn_abort(rd);
}

/* One turn applying an event whose payload is the given bytes. */
static int s_event_raw(const char *type, const uint8_t *payload, size_t len)
{
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    ev.type = (char *) type;
    ev.occurred_at_ms = ent_clock_now_ms();
    ev.payload.len = len;
    ev.payload.data = (uint8_t *) payload;
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    int rc = ntf_on_scheduler(txn, &ev, &s_n);
    cr_assert_eq(ent_store_commit(s_store), 0);
    ntf_turn_flush(&s_n, true);
    return rc;
}

/* The types named to the runtime (a catch-up replays those alone) are
 * exactly the ones ntf_on_scheduler applies: given a payload that cannot
 * be read, each named type is skipped as unreadable (the handler tried to
 * apply it), every other type the scheduler publishes is left alone (0,
 * nothing read). */
Test(notifier, the_scheduler_types_it_names_are_the_ones_it_applies)
{
    static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0xff };
    size_t named = 0;
    for (char *const *t = ntf_scheduler_types; *t; t++, named++)
        cr_expect_eq(s_event_raw(*t, garbage, sizeof garbage), ENT_EVENT_SKIP, "%s is named but not applied", *t);
    cr_assert_eq(named, 5);
    static const char *const others[] = { "scheduler.obligation.changed", "scheduler.obligation.removed",
                                           "scheduler.campaign.changed", "scheduler.policy.applied",
                                           "scheduler.interview.held" };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        for (char *const *t = ntf_scheduler_types; *t; t++)
            cr_assert_str_neq(*t, others[i]);
        cr_expect_eq(s_event_raw(others[i], garbage, sizeof garbage), 0, "%s is applied but not named", others[i]);
    }
}
