/*  ent-bench-analytics — the analytics projections on an organisation of N
 *  employees (default 1,000,000) from the shared generator:
 *
 *    1. apply throughput: the events the scheduler and records publish for
 *       that organisation (employee upserted; professional, recap and
 *       annual-review deadlines going due, overdue, met; interviews
 *       created, scheduled, held, signed, closed with their answers, some
 *       reopened and closed again) are applied by the service's own apply
 *       functions in transactions as the daemon's turns make them when
 *       it rebuilds, as a bulk load (common/store.h: the commits are not
 *       synced one by one; the store is synced once at the end, and that
 *       sync is timed with the apply): a turn applies the replay
 *       pages it read ahead of each producer (AN_READ_AHEAD_PAGES, so
 *       AN_TURN_EVENTS of each), the scheduler's and records' in the same
 *       transaction; the feed interleaves them employee by employee and
 *       commits when one producer's share is full: events/s and the CPU
 *       time of the apply;
 *    2. queries: the real daemon is started on that store and every query
 *       is timed through RPC (round trip, p50/p99), with filters drawn at
 *       random (entities, departments, managers);
 *    3. the store's size and the daemon's resident memory.
 *
 *  The events are derived from the generator's employees by fixed rules (a
 *  hash of the employee's index), not computed by the scheduler's rules
 *  engine: the point is the projections' cost, at the scheduler's volume.
 *
 *  --sync-each syncs every commit instead (what a catch-up of a store that
 *  is not empty does, and the daemon's rebuild before 2026-12-06).
 *
 *  --nosync applies without fsync, the final one included
 *  (ENTRETIENS_NOSYNC=1): the projections' CPU cost alone.
 *
 *  --turn N: at most N events of a producer per transaction instead (4096:
 *  one replay page per turn, as before 2026-12-05).
 *
 *  The apply runs in this process with the malloc the daemon has (glibc's
 *  tunables of common/malloc_tunables.h; ENTRETIENS_MALLOC_TUNABLES=0 in
 *  the environment measures glibc's defaults instead).
 *
 *  Usage: ent-bench-analytics [--employees N] [--calls C] [--sync-each | --nosync] [--turn N] [--analytics PATH]
 *                             [--keep]
 */
#include "bench_util.h"
#include "an_batch.h"
#include "analytics.h"
#include "orggen.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/malloc_tunables.h"
#include "common/rpc.h"
#include "common/store.h"
#include "proto/analytics.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define TURN AN_TURN_EVENTS  /* a producer's events per transaction by default: what the daemon's turn applies of each producer in a rebuild or catch-up */
#define MAP_MB 65536          /* address space, not disk */



static uint64_t s_hash(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* ------------------------------------------------------------ the feed */

typedef struct {
    ent_store_t *store;
    analytics_t *a;
    MDB_txn *txn;
    size_t in_s, in_r, turn;   /* each producer's events in the transaction; the most of one */
    uint64_t seq_s, seq_r;
    size_t events, scheduler_events, records_events, failures;
    uint8_t *buf;
    size_t cap;
    int64_t now_ms;
    double turn_t0, longest; /* when the open transaction began; the longest turn, begin to synced commit */
} s_feed_t;

static void s_commit(s_feed_t *f)
{
    if (!f->txn)
        return;
    /* the counters merged over the turn, written as the daemon's turn does */
    int rc = an_settle(f->txn, f->a);
    if (rc) {
        fprintf(stderr, "settle failed: %s\n", mdb_strerror(rc));
        exit(1);
    }
    rc = ent_store_commit(f->store);
    if (rc) {
        fprintf(stderr, "commit failed: %s\n", mdb_strerror(rc));
        exit(1);
    }
    f->txn = NULL;
    f->in_s = f->in_r = 0;
    double took = bench_now() - f->turn_t0;
    if (took > f->longest)
        f->longest = took;
}

static void s_emit(s_feed_t *f, const char *type, const ProtobufCMessage *m)
{
    bool sched = strncmp(type, "scheduler.", 10) == 0;
    size_t len = protobuf_c_message_get_packed_size(m);
    if (len > f->cap) {
        f->cap = len * 2;
        f->buf = realloc(f->buf, f->cap);
    }
    protobuf_c_message_pack(m, f->buf);
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    ev.producer = sched ? "scheduler" : "records";
    ev.seq = sched ? ++f->seq_s : ++f->seq_r;
    ev.type = (char *) type;
    ev.occurred_at_ms = f->now_ms;
    ev.payload.data = f->buf;
    ev.payload.len = len;
    if (!f->txn) {
        if (ent_store_begin(f->store, &f->txn) != 0) {
            fprintf(stderr, "begin failed\n");
            exit(1);
        }
        f->turn_t0 = bench_now();
    }
    int rc = sched ? an_apply_scheduler(f->txn, &ev, f->a) : an_apply_records(f->txn, &ev, f->a);
    if (rc && rc != ENT_EVENT_SKIP) {
        fprintf(stderr, "apply %s failed: %s\n", type, mdb_strerror(rc));
        exit(1);
    }
    f->failures += rc == ENT_EVENT_SKIP;
    f->events++;
    if (sched)
        f->scheduler_events++;
    else
        f->records_events++;
    /* the daemon's turn takes the replay pages that came of every producer
     * in one transaction: a rebuild reads both logs at once, up to
     * AN_READ_AHEAD_PAGES pages of each; the feed interleaves them by
     * employee, so the turn ends when one producer's share is full */
    if ((sched ? ++f->in_s : ++f->in_r) == f->turn)
        s_commit(f);
}

static void s_date(int32_t day, Entretiens__V1__Date *out)
{
    entretiens__v1__date__init(out);
    int y, m, d;
    ent_date_to_ymd(day, &y, &m, &d);
    out->year = y;
    out->month = m;
    out->day = d;
}

typedef struct {
    char id[24], entity[32], department[32], site[32], manager[24];
    int32_t hired, left;
    size_t index;
} s_emp_t;

static void s_obligation(s_feed_t *f, const s_emp_t *e, const char *verb, const char *type, const char *anchor,
                         int32_t due, const char *status, int32_t met_on, int penalty)
{
    Entretiens__V1__Obligation o = ENTRETIENS__V1__OBLIGATION__INIT;
    Entretiens__V1__Date d, m;
    char id[96], t[64];
    snprintf(id, sizeof id, "%s/%s/%s", e->id, type, anchor);
    o.obligation_id = id;
    o.employee_id = (char *) e->id;
    o.type = (char *) type;
    s_date(due, &d);
    o.due_date = &d;
    if (met_on != ENT_DATE_NONE) {
        s_date(met_on, &m);
        o.met_on = &m;
    }
    o.status = (char *) status;
    o.penalty_eur = penalty;
    o.actionable = strcmp(status, "upcoming") == 0 || strcmp(status, "overdue") == 0;
    o.manager_id = (char *) e->manager;
    o.entity = (char *) e->entity;
    o.department = (char *) e->department;
    o.site = (char *) e->site;
    Entretiens__V1__ObligationEvent ev = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    ev.obligation = &o;
    snprintf(t, sizeof t, "scheduler.interview.%s", verb);
    s_emit(f, t, &ev.base);
}

static const char *const s_themes[] = { "excel", "english", "negotiation", "leadership", "safety", "sql",
                                        "project management", "customer care", "python", "labour law",
                                        "public speaking", "time management" };
static const char *const s_priorities[] = { "high", "medium", "low" };
static const char *const s_modalities[] = { "classroom", "e_learning", "on_the_job", "coaching", "cpf" };
static const char *const s_kinds[] = { "none", "internal_same_job", "internal_new_job", "geographic", "external",
                                       "leave" };
static const char *const s_horizons[] = { "6_months", "1_year", "2_years", "later" };
static const char *const s_competencies[] = { "Technical mastery of the job", "Organisation and prioritisation",
                                              "Communication and teamwork", "Service orientation",
                                              "Autonomy and initiative" };
static const char *const s_questions[][2] = { { "engagement", "engagement" }, { "workload", "workload" },
                                              { "work_life_balance", "work_life_balance" },
                                              { "management", "support" }, { "performance", "overall" } };

/* records.interview.<verb> of e's annual review; variant changes the answers */
static void s_interview(s_feed_t *f, const s_emp_t *e, const char *verb, int32_t due, int32_t held, bool sig_e,
                        bool sig_m, int variant)
{
    Entretiens__V1__InterviewEvent m = ENTRETIENS__V1__INTERVIEW_EVENT__INIT;
    Entretiens__V1__Date dd, hd;
    char id[48], t[64];
    snprintf(id, sizeof id, "IV-%s-AR", e->id);
    m.interview_id = id;
    m.employee_id = (char *) e->id;
    m.type = "annual_review";
    s_date(due, &dd);
    m.due_date = &dd;
    if (held != ENT_DATE_NONE) {
        s_date(held, &hd);
        m.held_on = &hd;
    }
    m.status = (char *) verb;
    m.manager_id = (char *) e->manager;
    m.entity = (char *) e->entity;
    m.department = (char *) e->department;
    m.site = (char *) e->site;
    m.signed_by_employee = sig_e;
    m.signed_by_manager = sig_m;
    m.at_ms = f->now_ms;
    Entretiens__V1__RatingAnswer ra[5], *pra[5];
    Entretiens__V1__TrainingNeed tn[2], *ptn[2];
    Entretiens__V1__MobilityWish mw, *pmw[1];
    Entretiens__V1__Objective ob[3], *pob[3];
    Entretiens__V1__Competency cp[4], *pcp[4];
    if (strcmp(verb, "closed") == 0) {
        uint64_t h = s_hash(e->index * 31 + (uint64_t) variant);
        for (int i = 0; i < 5; i++) {
            entretiens__v1__rating_answer__init(&ra[i]);
            ra[i].topic = (char *) s_questions[i][0];
            ra[i].question_id = (char *) s_questions[i][1];
            ra[i].scale_min = 1;
            ra[i].scale_max = i == 4 ? 4 : 5;
            ra[i].value = 1 + (int) ((h >> (i * 5)) % (uint64_t) ra[i].scale_max);
            pra[i] = &ra[i];
        }
        for (int i = 0; i < 2; i++) {
            entretiens__v1__training_need__init(&tn[i]);
            tn[i].theme = (char *) s_themes[(h >> (30 + i * 4)) % 12];
            tn[i].priority = (char *) s_priorities[(h >> (38 + i * 2)) % 3];
            tn[i].modality = (char *) s_modalities[(h >> (42 + i * 3)) % 5];
            ptn[i] = &tn[i];
        }
        entretiens__v1__mobility_wish__init(&mw);
        mw.kind = (char *) s_kinds[(h >> 48) % 6];
        mw.horizon = (char *) s_horizons[(h >> 52) % 4];
        pmw[0] = &mw;
        for (int i = 0; i < 3; i++) {
            entretiens__v1__objective__init(&ob[i]);
            ob[i].title = "objective";
            ob[i].weight = 30;
            ob[i].attainment = i == 2 ? -1 : (int32_t) ((h >> (i * 7)) % 121);
            pob[i] = &ob[i];
        }
        for (int i = 0; i < 4; i++) {
            entretiens__v1__competency__init(&cp[i]);
            cp[i].item = (char *) s_competencies[(h >> (56 + i)) % 5 == 4 ? 4 : (size_t) i];
            cp[i].expected_level = 3;
            cp[i].assessed_level = 1 + (int32_t) ((h >> (i * 3 + 11)) % 4);
            pcp[i] = &cp[i];
        }
        m.n_ratings = 5, m.ratings = pra;
        m.n_training_needs = 2, m.training_needs = ptn;
        m.n_mobility_wishes = 1, m.mobility_wishes = pmw;
        m.n_objectives = 3, m.objectives = pob;
        m.n_competencies = 4, m.competencies = pcp;
    }
    snprintf(t, sizeof t, "records.interview.%s", verb);
    s_emit(f, t, &m.base);
}

/* The events the scheduler and records publish for one employee. */
static void s_employee(s_feed_t *f, const s_emp_t *e, int32_t today)
{
    Entretiens__V1__Employee m = ENTRETIENS__V1__EMPLOYEE__INIT;
    Entretiens__V1__Date hd, ld;
    m.employee_id = (char *) e->id;
    m.entity = (char *) e->entity;
    m.department = (char *) e->department;
    m.site = (char *) e->site;
    m.manager_id = (char *) e->manager;
    s_date(e->hired, &hd);
    m.hired_on = &hd;
    if (e->left != ENT_DATE_NONE) {
        s_date(e->left, &ld);
        m.left_on = &ld;
    }
    m.employed = e->left == ENT_DATE_NONE;
    Entretiens__V1__EmployeeUpserted up = ENTRETIENS__V1__EMPLOYEE_UPSERTED__INIT;
    up.employee = &m;
    s_emit(f, "scheduler.employee.upserted", &up.base);
    if (!m.employed)
        return;
    uint64_t h = s_hash(e->index);
    char anchor[16];
    /* the professional interview: every two years from the hire, the next
     * one from 400 days ago on */
    int32_t due = ent_date_add_years(e->hired, 2);
    while (due < today - 400)
        due = ent_date_add_years(due, 2);
    ent_date_format(ent_date_add_years(due, -2), anchor);
    s_obligation(f, e, "due", "professional", anchor, due, "upcoming", ENT_DATE_NONE, 0);
    if (due < today) {
        s_obligation(f, e, "overdue", "professional", anchor, due, "overdue", ENT_DATE_NONE, 0);
        if (h % 10 < 4) {
            int32_t met = due + 20 < today ? due + 20 : today;
            s_obligation(f, e, "met", "professional", anchor, due, "met", met, 0);
            ent_date_format(met, anchor);
            s_obligation(f, e, "due", "professional", anchor, ent_date_add_years(met, 2), "upcoming",
                         ENT_DATE_NONE, 0);
        }
    }
    /* the eight-year recap, with the CPF top-up exposure for one in three */
    if (today - e->hired > 4 * 365) {
        int32_t recap = ent_date_add_years(e->hired, 8);
        while (recap < today - 200)
            recap = ent_date_add_years(recap, 8);
        ent_date_format(e->hired, anchor);
        s_obligation(f, e, "due", "professional_recap", anchor, recap, recap < today ? "overdue" : "upcoming",
                     ENT_DATE_NONE, h % 3 == 0 && strcmp(e->entity, "ACME-LAB") != 0 ? 3000 : 0);
    }
    /* this year's review campaign */
    int32_t end = ent_date_from_ymd(2026, 12, 31);
    s_obligation(f, e, "due", "annual_review", "campaign-2026", end, "upcoming", ENT_DATE_NONE, 0);
    /* records: half of the reviews held and signed; some held and waiting
     * for the manager's signature; one in twenty reopened and closed again */
    if (h % 2 == 0 || h % 7 == 0) {
        int32_t held = today - (int32_t) ((h >> 20) % 200);
        s_interview(f, e, "created", end, ENT_DATE_NONE, false, false, 0);
        s_interview(f, e, "scheduled", end, ENT_DATE_NONE, false, false, 0);
        s_interview(f, e, "held", end, held, false, false, 0);
        if (h % 2 == 0) {
            s_interview(f, e, "signed", end, held, true, true, 0);
            s_interview(f, e, "closed", end, held, true, true, 0);
            if (h % 20 == 0) {
                s_interview(f, e, "reopened", end, held, false, false, 0);
                s_interview(f, e, "closed", end, held, true, true, 1);
            }
        }
    }
}

/* ------------------------------------------------------------- queries */

typedef struct {
    const char *label, *method, *caller;
    int filter;   /* 0 none, 1 entity, 2 department, 3 manager, 4 entity+department */
    const char *group_by, *status;
    bool list;
} s_query_t;

static const s_query_t s_queries[] = {
    { "completion", "analytics.completion", "hr:b", 0, "", "", false },
    { "completion --by entity", "analytics.completion", "hr:b", 0, "entity", "", false },
    { "completion --by month", "analytics.completion", "hr:b", 0, "month", "", false },
    { "completion --by type", "analytics.completion", "hr:b", 0, "type", "", false },
    { "completion --entity E --by department", "analytics.completion", "hr:b", 1, "department", "", false },
    { "completion --manager M", "analytics.completion", "hr:b", 3, "", "", false },
    { "compliance (+ exposure per entity)", "analytics.compliance", "hr:b", 0, "", "", false },
    { "compliance --by department", "analytics.compliance", "hr:b", 0, "department", "", false },
    { "compliance --department D --by entity", "analytics.compliance", "hr:b", 2, "entity", "", false },
    { "compliance --list (100 overdue/due soon)", "analytics.compliance", "hr:b", 1, "", "", true },
    { "compliance --list --status at_risk (100)", "analytics.compliance", "hr:b", 0, "", "at_risk", true },
    { "training --by department", "analytics.training", "hr:b", 0, "department", "", false },
    { "training --entity E --department D", "analytics.training", "hr:b", 4, "", "", false },
    { "mobility", "analytics.mobility", "hr:b", 0, "", "", false },
    { "competencies --entity E", "analytics.competencies", "hr:b", 1, "", "", false },
    { "ratings", "analytics.ratings", "hr:b", 0, "", "", false },
    { "ratings --by month", "analytics.ratings", "hr:b", 0, "month", "", false },
    { "ratings --manager M", "analytics.ratings", "hr:b", 3, "", "", false },
    { "objectives --by entity", "analytics.objectives", "hr:b", 0, "entity", "", false },
    { "signals (100 listed, with reasons)", "analytics.signals", "hr:b", 0, "", "", false },
    { "signals --department D --kind wish_to_leave", "analytics.signals", "hr:b", 2, "", "wish_to_leave", false },
    { "managers (top 100)", "analytics.managers", "hr:b", 0, "", "", false },
    { "managers --manager M (items)", "analytics.managers", "hr:b", 3, "", "", false },
};

static const char *const s_departments[] = { "sales", "engineering", "operations", "finance", "hr",
                                             "support", "marketing", "legal" };


static int s_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st, (void) type, (void) ftw;
    return remove(path);
}

static double s_secs(const struct timeval *tv)
{
    return (double) tv->tv_sec + (double) tv->tv_usec / 1e6;
}

static off_t s_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

int main(int argc, char **argv)
{
    /* the apply runs in this process: give it the malloc the analytics
     * daemon has (ENTRETIENS_MALLOC_TUNABLES, common/malloc_tunables.h) */
    const char *tune = getenv("ENTRETIENS_MALLOC_TUNABLES");
    bool tuned = !tune || strcmp(tune, "0") != 0;
    int terr = ent_malloc_tunables_reexec(tuned, argv);
    if (terr)
        fprintf(stderr, "malloc's tunables not set (%s): glibc's defaults\n", strerror(terr));
    size_t employees = 1000000, turn = TURN;
    int calls = 1000;
    bool keep = false, nosync = false, sync_each = false;
    char exe[4096];
    snprintf(exe, sizeof exe, "%s", argv[0]);
    char *slash = strrchr(exe, '/');
    snprintf(slash ? slash + 1 : exe, sizeof exe - (size_t) (slash ? slash + 1 - exe : 0),
             "../../services/entretiens-analytics");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--employees") == 0 && i + 1 < argc)
            employees = (size_t) atol(argv[++i]);
        else if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
            calls = atoi(argv[++i]);
        else if (strcmp(argv[i], "--analytics") == 0 && i + 1 < argc)
            snprintf(exe, sizeof exe, "%s", argv[++i]);
        else if (strcmp(argv[i], "--keep") == 0)
            keep = true;
        else if (strcmp(argv[i], "--nosync") == 0)
            nosync = true;
        else if (strcmp(argv[i], "--sync-each") == 0)
            sync_each = true;
        else if (strcmp(argv[i], "--turn") == 0 && i + 1 < argc)
            turn = (size_t) atol(argv[++i]);
    }
    if (!employees || calls < 1 || !turn)
        return 2;
    int32_t today = ent_date_from_ymd(2026, 11, 26);
    ent_clock_init("2026-11-26");
    printf("entretiens analytics benchmark — %zu employees (generator seed 42, today 2026-11-26)\n\n", employees);

    char root[] = "/tmp/ent-bench-analytics-XXXXXX";
    if (!bench_mkdtemp(root))
        return 1;
    char dir[sizeof root + 16];
    snprintf(dir, sizeof dir, "%s/analytics", root);
    int err = 0;
    ent_store_t *store = ent_store_open(dir, AN_MAX_DBS, MAP_MB, nosync, &err);
    if (!store || ent_store_migrate(store, AN_SCHEMA_VERSION, an_migrate, NULL) != 0) {
        fprintf(stderr, "cannot open the store in %s: %s\n", dir, mdb_strerror(err));
        return 1;
    }
    static analytics_t a;
    if (an_open(&a, store, 0, 0) != 0)
        return 1;

    /* 1. apply: generation included (orggen and packing are cheap next to
     * the projections; the figure is the end-to-end apply rate) */
    s_feed_t f = { .store = store, .a = &a, .now_ms = ent_clock_now_ms(), .turn = turn };
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    bool bulk = !nosync && !sync_each;
    long long wb0 = bench_io_bytes(0, "write_bytes:");
    orggen_t *g = orggen_new(42, employees, today);
    const Entretiens__V1__EmployeeEvent *ev;
    s_emp_t cur = { .left = ENT_DATE_NONE }, next;
    bool have = false;
    size_t n = 0;
    double t0 = bench_now(), last = t0;
    /* the daemon's rebuild: a bulk load (its marker's write and sync timed) */
    if (bulk && (err = ent_store_bulk_begin(store)) != 0) {
        fprintf(stderr, "cannot start a bulk load: %s\n", mdb_strerror(err));
        return 1;
    }
    for (;;) {
        int more = orggen_next(g, &ev);
        if (more && strcmp(ev->type, "hired") == 0 && (!have || strcmp(ev->employee_id, cur.id) != 0)) {
            memset(&next, 0, sizeof next);
            snprintf(next.id, sizeof next.id, "%s", ev->employee_id);
            snprintf(next.entity, sizeof next.entity, "%s", ev->entity ? ev->entity : "");
            snprintf(next.department, sizeof next.department, "%s", ev->department ? ev->department : "");
            snprintf(next.site, sizeof next.site, "%s", ev->site ? ev->site : "");
            snprintf(next.manager, sizeof next.manager, "%s", ev->manager_id ? ev->manager_id : "");
            next.hired = ent_date_from_ymd(ev->effective_date->year, ev->effective_date->month,
                                           ev->effective_date->day);
            next.left = ENT_DATE_NONE;
            next.index = n;
            if (have)
                s_employee(&f, &cur, today);
            cur = next;
            have = true;
            n++;
            if (n % 100000 == 0) {
                double now = bench_now();
                fprintf(stderr, "  %zu employees, %zu events, %.0f events/s\n", n, f.events,
                        (double) f.events / (now - t0));
                last = now;
            }
        } else if (more && strcmp(ev->type, "left") == 0 && have && strcmp(ev->employee_id, cur.id) == 0) {
            cur.left = ent_date_from_ymd(ev->effective_date->year, ev->effective_date->month,
                                         ev->effective_date->day);
        } else if (more && strcmp(ev->type, "position_changed") == 0 && have && ev->department && *ev->department) {
            snprintf(cur.department, sizeof cur.department, "%s", ev->department);
        }
        if (!more)
            break;
    }
    (void) last;
    if (have)
        s_employee(&f, &cur, today);
    /* the HR principal the queries are asked as sees every entity */
    Entretiens__V1__AccessGrant grant = ENTRETIENS__V1__ACCESS_GRANT__INIT;
    char *every[] = { "*" };
    grant.principal = "hr:b";
    grant.n_entities = 1;
    grant.entities = every;
    s_emit(&f, "records.access.granted", &grant.base);
    s_commit(&f);
    double sync_t = bench_now();
    if (bulk && (err = ent_store_bulk_end(store)) != 0) {
        fprintf(stderr, "cannot end the bulk load: %s\n", mdb_strerror(err));
        return 1;
    }
    sync_t = bench_now() - sync_t;
    double dt = bench_now() - t0;
    getrusage(RUSAGE_SELF, &ru1);
    long long wb1 = bench_io_bytes(0, "write_bytes:");
    orggen_destroy(&g);
    free(f.buf);
    char label[96];
    snprintf(label, sizeof label, "apply (%zu of each producer a commit, %s)", turn,
             nosync ? "nosync" : sync_each ? "each synced" : "rebuild");
    printf("%-46s %10.0f events/s  (%zu events: %zu scheduler, %zu records, in %.1f s; %zu skipped)\n", label,
           (double) f.events / dt, f.events, f.scheduler_events, f.records_events, dt, f.failures);
    if (bulk)
        printf("%-46s %.2f s (the store synced once, at the end: common/store.h, bulk load)\n",
               "apply final sync", sync_t);
    /* the CPU time is the steadier figure on a shared machine */
    printf("%-46s %.2f s user, %.2f s system\n", "apply CPU time",
           s_secs(&ru1.ru_utime) - s_secs(&ru0.ru_utime), s_secs(&ru1.ru_stime) - s_secs(&ru0.ru_stime));
    /* what the rebuild costs the volume: the page cache's writeback
     * (docs/performance.md, "The ninth session") */
    if (wb0 >= 0 && wb1 >= 0)
        printf("%-46s %.0f MiB (%.2f KiB per event)\n", "apply written to storage", (double) (wb1 - wb0) / 1048576.0,
               f.events ? (double) (wb1 - wb0) / 1024.0 / (double) f.events : 0.0);
    /* the daemon answers a query between turns: one that comes during a
     * rebuild waits for the turn in progress, at worst this long */
    printf("%-46s %.2f s (a query during a rebuild waits for the turn in progress)\n", "longest turn", f.longest);
    /* the turn's merge buffers are kept for the next turn (an_batch.h):
     * what the daemon holds for them in a rebuild */
    printf("%-46s %zu MiB for the turn's merge buffers; %ld MiB anonymous in the process\n", "apply memory",
           an_batch_bytes(a.batch) >> 20, bench_status_kb(0, "RssAnon:") >> 10);
    printf("%-46s %s\n", "apply malloc",
           ent_malloc_tunables_applied() ? "the daemons' tunables (ENTRETIENS_MALLOC_TUNABLES=1)"
           : getenv("GLIBC_TUNABLES")    ? "GLIBC_TUNABLES as given to the bench"
                                         : "glibc's defaults");
    ent_store_stats_t ss;
    ent_store_stats(store, &ss);
    an_close(&a);
    ent_store_close(&store);
    char data[sizeof dir + 16];
    snprintf(data, sizeof data, "%s/data.mdb", dir);
    printf("%-46s %ld MiB\n", "store size", (long) (s_file_size(data) >> 20));
    fflush(stdout);

    /* 2. the daemon on that store; queries through RPC */
    int port = 38000 + (int) (getpid() % 500) * 8;
    char rpc[64], http[64], e1[64], e2[64], e3[64], e4[64], mapmb[16];
    snprintf(rpc, sizeof rpc, "tcp://127.0.0.1:%d", port);
    snprintf(http, sizeof http, "127.0.0.1:%d", port + 1);
    snprintf(e1, sizeof e1, "tcp://127.0.0.1:%d", port + 2); /* nobody there: no producer */
    snprintf(e2, sizeof e2, "tcp://127.0.0.1:%d", port + 3);
    snprintf(e3, sizeof e3, "tcp://127.0.0.1:%d", port + 4);
    snprintf(e4, sizeof e4, "tcp://127.0.0.1:%d", port + 5);
    snprintf(mapmb, sizeof mapmb, "%d", MAP_MB);
    setenv("ENTRETIENS_DATA_DIR", root, 1);
    setenv("ENTRETIENS_ANALYTICS_RPC", rpc, 1);
    setenv("ENTRETIENS_ANALYTICS_HTTP", http, 1);
    setenv("ENTRETIENS_SCHEDULER_PUB", e1, 1);
    setenv("ENTRETIENS_SCHEDULER_RPC", e2, 1);
    setenv("ENTRETIENS_RECORDS_PUB", e3, 1);
    setenv("ENTRETIENS_RECORDS_RPC", e4, 1);
    setenv("ENTRETIENS_NOW", "2026-11-26", 1);
    setenv("ENTRETIENS_LOG_LEVEL", "warn", 1);
    setenv("ENTRETIENS_MAP_SIZE_MB", mapmb, 1);
    ent_curve_client_t curve;
    if (bench_keys(root) != 0 || bench_curve("analytics", &curve) != 0)
        return 1;
    pid_t pid = bench_fork();
    if (pid == 0) {
        execl(exe, exe, (char *) NULL);
        _exit(127);
    }
    void *ctx = zmq_ctx_new();
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, rpc, 60000, &curve);
    ent_rpc_result_t r;
    int up = bench_wait_up(ctx, rpc, &curve, pid, exe);
    if (up == -1) {
        fprintf(stderr, "(port %d)\n", port);
        return 1;
    }
    if (up != 0) {
        kill(pid, SIGKILL);
        return 1;
    }
    orggen_entity_t ents[8];
    orggen_t *probe = orggen_new(42, employees, today);
    size_t nents = orggen_entities(probe, ents, 8);
    orggen_destroy(&probe);
    double *lat = malloc((size_t) calls * sizeof *lat);
    uint64_t rng = 11;
    double worst_p99 = 0;
    for (size_t qi = 0; qi < sizeof s_queries / sizeof *s_queries; qi++) {
        const s_query_t *sq = &s_queries[qi];
        int failures = 0;
        size_t bytes = 0;
        for (int i = 0; i < calls; i++) {
            rng = s_hash(rng);
            Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
            char mgr[24];
            snprintf(mgr, sizeof mgr, "E%06zu", (size_t) (rng >> 20) % (employees / 8 ? employees / 8 : 1) * 8 + 1);
            if (sq->filter == 1 || sq->filter == 4)
                q.entity = (char *) ents[(rng >> 8) % (nents - 1)].id; /* not the tiny one */
            if (sq->filter == 2 || sq->filter == 4)
                q.department = (char *) s_departments[(rng >> 40) % 8];
            if (sq->filter == 3)
                q.manager_id = mgr;
            q.group_by = (char *) sq->group_by;
            q.status = (char *) sq->status;
            q.list = sq->list;
            double s = bench_now();
            ent_rpc_client_call_msg(c, sq->method, sq->caller, &q.base, &r);
            lat[i] = (bench_now() - s) * 1e3;
            failures += r.code != ENT_OK;
            bytes += r.payload_len;
            ent_rpc_result_clear(&r);
        }
        qsort(lat, (size_t) calls, sizeof *lat, bench_cmp_double);
        double p99 = lat[(int) (calls * 0.99)];
        if (p99 > worst_p99)
            worst_p99 = p99;
        printf("%-46s p50 %7.3f ms  p99 %7.3f ms  (%d calls, %zu B/reply, %d not OK)\n", sq->label,
               lat[calls / 2], p99, calls, bytes / (size_t) calls, failures);
        fflush(stdout);
    }
    printf("%-46s %.3f ms (target: 10 ms)\n", "worst p99", worst_p99);
    printf("%-46s peak %ld MiB; now private %ld MiB + LMDB pages %ld MiB\n", "analytics resident memory",
           bench_status_kb(pid, "VmHWM:") / 1024, bench_status_kb(pid, "RssAnon:") / 1024,
           bench_status_kb(pid, "RssFile:") / 1024);
    free(lat);
    ent_rpc_client_destroy(&c);
    zmq_ctx_term(ctx);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    (void) ss;
    if (keep)
        printf("store kept in %s\n", root);
    else
        nftw(root, s_rm, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
