/*  test_analytics_fixture.h — what the analytics unit tests share: a real
 *  LMDB store in a fresh directory with the analytics databases, events
 *  built as the scheduler and records publish them (EventEnvelope with the
 *  real payload messages) and applied by the service's own apply functions
 *  inside a write transaction, and queries run through the service's RPC
 *  handler inside a transaction, as the daemon does.
 *
 *  Included by tests/unit/test_analytics_*.c only (each one Criterion
 *  executable: a fork per test, so every test opens its own store).
 */
#ifndef TEST_ANALYTICS_FIXTURE_H
#define TEST_ANALYTICS_FIXTURE_H

#include <criterion/criterion.h>

#include "analytics.h"
#include "an_keys.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/rpc.h"
#include "common/store.h"
#include "proto/analytics.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char dir[64];
    ent_store_t *store;
    analytics_t a;
    uint64_t seq_sched, seq_rec;
    /* turn > 0: events are applied turn by turn in one transaction each,
     * as the daemon does when it catches up (fx_turn_end ends the last) */
    unsigned turn, in_turn;
    MDB_txn *turn_txn;
} fx_t;

static fx_t fx;

static inline int fx_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st, (void) type, (void) ftw;
    return remove(path);
}

static inline void fx_grant(const char *principal, const char *const *entities);

/* Opens a fresh store with the given minimum group (0 = default). */
static inline void fx_open_min(uint32_t min_group)
{
    snprintf(fx.dir, sizeof fx.dir, "/tmp/ent_test_analytics_XXXXXX");
    cr_assert_not_null(mkdtemp(fx.dir), "mkdtemp: %s", strerror(errno));
    int err = 0;
    fx.store = ent_store_open(fx.dir, AN_MAX_DBS, 64, true, &err);
    cr_assert_not_null(fx.store, "ent_store_open: %s", mdb_strerror(err));
    cr_assert_eq(ent_store_migrate(fx.store, AN_SCHEMA_VERSION, an_migrate, NULL), 0);
    cr_assert_eq(an_open(&fx.a, fx.store, min_group, 0), 0);
    fx.seq_sched = fx.seq_rec = 0;
    fx.turn = fx.in_turn = 0;
    fx.turn_txn = NULL;
    cr_assert_eq(ent_clock_init("2026-03-02"), 0);
    /* the HR principals the tests ask as see every entity */
    static const char *const all[] = { "*", NULL };
    fx_grant("hr:test", all);
    fx_grant("hr:alice", all);
}

static inline void fx_setup(void)
{
    fx_open_min(0);
}

static inline void fx_teardown(void)
{
    an_close(&fx.a);
    ent_store_close(&fx.store);
    if (fx.dir[0])
        nftw(fx.dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int32_t fx_day(const char *iso)
{
    int32_t d;
    cr_assert_eq(ent_date_parse(iso, &d), 0, "bad date %s", iso);
    return d;
}

static inline Entretiens__V1__Date *fx_date(const char *iso, Entretiens__V1__Date *out)
{
    if (!iso)
        return NULL;
    entretiens__v1__date__init(out);
    int y, m, d;
    ent_date_to_ymd(fx_day(iso), &y, &m, &d);
    out->year = y;
    out->month = m;
    out->day = d;
    return out;
}

static inline void fx_today(const char *iso)
{
    int64_t ms;
    cr_assert_eq(ent_clock_parse(iso, &ms), 0);
    cr_assert_eq(ent_clock_set(ms), 0);
}

/* Ends the open turn (fx.turn > 0): the merged counters written, committed. */
static inline void fx_turn_end(void)
{
    if (!fx.turn_txn)
        return;
    cr_assert_eq(an_settle(fx.turn_txn, &fx.a), 0);
    cr_assert_eq(ent_store_commit(fx.store), 0);
    fx.turn_txn = NULL;
    fx.in_turn = 0;
}

/* Applies one envelope in its own transaction (or in the open turn when
 * fx.turn > 0); returns the apply result. */
static inline int fx_apply(const char *producer, const char *type, const ProtobufCMessage *msg)
{
    Entretiens__V1__EventEnvelope ev = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    bool sched = strcmp(producer, "scheduler") == 0;
    ev.producer = (char *) producer;
    ev.seq = sched ? ++fx.seq_sched : ++fx.seq_rec;
    ev.type = (char *) type;
    ev.occurred_at_ms = ent_clock_now_ms();
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(len ? len : 1);
    cr_assert_not_null(buf);
    protobuf_c_message_pack(msg, buf);
    ev.payload.data = buf;
    ev.payload.len = len;
    if (fx.turn) {
        if (!fx.turn_txn)
            cr_assert_eq(ent_store_begin(fx.store, &fx.turn_txn), 0);
        int rc = sched ? an_apply_scheduler(fx.turn_txn, &ev, &fx.a) : an_apply_records(fx.turn_txn, &ev, &fx.a);
        free(buf);
        cr_assert(rc == 0 || rc == ENT_EVENT_SKIP, "apply in a turn: %d", rc);
        if (++fx.in_turn == fx.turn)
            fx_turn_end();
        return rc;
    }
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(fx.store, &txn), 0);
    int rc = sched ? an_apply_scheduler(txn, &ev, &fx.a) : an_apply_records(txn, &ev, &fx.a);
    /* the turn's end as the daemon runs it: the merged counters written */
    int settled = rc == 0 || rc == ENT_EVENT_SKIP ? an_settle(txn, &fx.a) : 0;
    if ((rc == 0 || rc == ENT_EVENT_SKIP) && settled == 0) {
        cr_assert_eq(ent_store_commit(fx.store), 0);
    } else {
        ent_store_abort(fx.store, rc ? rc : settled);
        an_turn_reset(&fx.a);
        if (!rc)
            rc = settled;
    }
    free(buf);
    return rc;
}

/* records.access.granted: gives principal the entities (NULL-terminated;
 * "*" = all), as records publishes it. */
static inline void fx_grant(const char *principal, const char *const *entities)
{
    Entretiens__V1__AccessGrant g = ENTRETIENS__V1__ACCESS_GRANT__INIT;
    g.principal = (char *) principal;
    size_t n = 0;
    while (entities[n])
        n++;
    g.n_entities = n;
    g.entities = (char **) entities;
    cr_assert_eq(fx_apply("records", "records.access.granted", &g.base), 0);
}

/* scheduler.employee.upserted */
typedef struct {
    const char *id, *entity, *department, *site, *manager, *hired, *left;
    bool left_company;
    const char *last_interview;  /* the scheduler's history (Employee.last_interview_on) */
} fx_emp_t;

static inline void fx_employee(fx_emp_t e)
{
    Entretiens__V1__Employee m = ENTRETIENS__V1__EMPLOYEE__INIT;
    Entretiens__V1__Date h, l, li;
    m.employee_id = (char *) e.id;
    m.last_interview_on = fx_date(e.last_interview, &li);
    m.entity = (char *) (e.entity ? e.entity : "");
    m.department = (char *) (e.department ? e.department : "");
    m.site = (char *) (e.site ? e.site : "");
    m.manager_id = (char *) (e.manager ? e.manager : "");
    m.hired_on = fx_date(e.hired ? e.hired : "2020-01-06", &h);
    m.left_on = fx_date(e.left, &l);
    m.employed = !e.left_company;
    Entretiens__V1__EmployeeUpserted up = ENTRETIENS__V1__EMPLOYEE_UPSERTED__INIT;
    up.employee = &m;
    cr_assert_eq(fx_apply("scheduler", "scheduler.employee.upserted", &up.base), 0);
}

/* scheduler.interview.<verb>, or scheduler.obligation.changed / .removed
 * for verb "changed" / "removed" (status given, actionable unless
 * not_actionable) */
typedef struct {
    const char *verb, *employee, *id, *type, *due, *status, *met_on;
    int penalty;
    bool not_actionable;
    const char *entity, *department, *site, *manager;
} fx_obl_t;

static inline void fx_obligation(fx_obl_t o)
{
    Entretiens__V1__Obligation m = ENTRETIENS__V1__OBLIGATION__INIT;
    Entretiens__V1__Date d, mo;
    m.obligation_id = (char *) o.id;
    m.employee_id = (char *) o.employee;
    m.type = (char *) (o.type ? o.type : "professional");
    m.due_date = fx_date(o.due, &d);
    m.met_on = fx_date(o.met_on, &mo);
    const char *verb = o.verb ? o.verb : "due";
    m.status = (char *) (o.status ? o.status
                         : strcmp(verb, "overdue") == 0 ? "overdue"
                         : strcmp(verb, "met") == 0     ? "met"
                         : strcmp(verb, "cancelled") == 0 ? "cancelled"
                                                          : "upcoming");
    m.penalty_eur = o.penalty;
    bool history = strcmp(verb, "changed") == 0 || strcmp(verb, "removed") == 0;
    m.actionable = !o.not_actionable && (strcmp(verb, "due") == 0 || strcmp(verb, "overdue") == 0 ||
                                         (history && (strcmp(m.status, "upcoming") == 0 ||
                                                      strcmp(m.status, "overdue") == 0)));
    m.entity = (char *) (o.entity ? o.entity : "");
    m.department = (char *) (o.department ? o.department : "");
    m.site = (char *) (o.site ? o.site : "");
    m.manager_id = (char *) (o.manager ? o.manager : "");
    Entretiens__V1__ObligationEvent ev = ENTRETIENS__V1__OBLIGATION_EVENT__INIT;
    ev.obligation = &m;
    char type[64];
    snprintf(type, sizeof type, "scheduler.%s.%s", history ? "obligation" : "interview", verb);
    cr_assert_eq(fx_apply("scheduler", type, &ev.base), 0);
}

/* records.interview.<verb>, with the content of a close */
#define FX_MAX_ITEMS 8
typedef struct {
    const char *topic, *question;
    int value, min, max;
} fx_rating_t;
typedef struct {
    const char *theme, *priority, *modality;
} fx_need_t;
typedef struct {
    const char *kind, *horizon;
} fx_wish_t;
typedef struct {
    const char *item;
    int expected, assessed;
} fx_comp_t;
typedef struct {
    const char *title;
    int attainment;
} fx_objective_t;

typedef struct {
    const char *verb, *id, *employee, *type, *due, *held, *status;
    const char *entity, *department, *site, *manager;
    bool signed_employee, signed_manager;
    fx_rating_t ratings[FX_MAX_ITEMS];
    fx_need_t needs[FX_MAX_ITEMS];
    fx_wish_t wishes[FX_MAX_ITEMS];
    fx_comp_t comps[FX_MAX_ITEMS];
    fx_objective_t objectives[FX_MAX_ITEMS];
} fx_iv_t;

static inline int fx_interview_rc(const fx_iv_t *iv)
{
    Entretiens__V1__InterviewEvent m = ENTRETIENS__V1__INTERVIEW_EVENT__INIT;
    Entretiens__V1__Date d, h;
    m.interview_id = (char *) iv->id;
    m.employee_id = (char *) (iv->employee ? iv->employee : "");
    m.type = (char *) (iv->type ? iv->type : "");
    m.due_date = fx_date(iv->due, &d);
    m.held_on = fx_date(iv->held, &h);
    m.status = (char *) (iv->status ? iv->status : iv->verb);
    m.entity = (char *) (iv->entity ? iv->entity : "");
    m.department = (char *) (iv->department ? iv->department : "");
    m.site = (char *) (iv->site ? iv->site : "");
    m.manager_id = (char *) (iv->manager ? iv->manager : "");
    m.signed_by_employee = iv->signed_employee;
    m.signed_by_manager = iv->signed_manager;
    Entretiens__V1__RatingAnswer ra[FX_MAX_ITEMS], *pra[FX_MAX_ITEMS];
    Entretiens__V1__TrainingNeed tn[FX_MAX_ITEMS], *ptn[FX_MAX_ITEMS];
    Entretiens__V1__MobilityWish mw[FX_MAX_ITEMS], *pmw[FX_MAX_ITEMS];
    Entretiens__V1__Competency cp[FX_MAX_ITEMS], *pcp[FX_MAX_ITEMS];
    Entretiens__V1__Objective ob[FX_MAX_ITEMS], *pob[FX_MAX_ITEMS];
    for (int i = 0; i < FX_MAX_ITEMS && iv->ratings[i].question; i++) {
        entretiens__v1__rating_answer__init(&ra[i]);
        ra[i].topic = (char *) (iv->ratings[i].topic ? iv->ratings[i].topic : "");
        ra[i].question_id = (char *) iv->ratings[i].question;
        ra[i].value = iv->ratings[i].value;
        ra[i].scale_min = iv->ratings[i].min;
        ra[i].scale_max = iv->ratings[i].max;
        pra[i] = &ra[i];
        m.n_ratings = (size_t) i + 1;
    }
    m.ratings = pra;
    for (int i = 0; i < FX_MAX_ITEMS && iv->needs[i].theme; i++) {
        entretiens__v1__training_need__init(&tn[i]);
        tn[i].theme = (char *) iv->needs[i].theme;
        tn[i].priority = (char *) (iv->needs[i].priority ? iv->needs[i].priority : "medium");
        tn[i].modality = (char *) (iv->needs[i].modality ? iv->needs[i].modality : "classroom");
        ptn[i] = &tn[i];
        m.n_training_needs = (size_t) i + 1;
    }
    m.training_needs = ptn;
    for (int i = 0; i < FX_MAX_ITEMS && iv->wishes[i].kind; i++) {
        entretiens__v1__mobility_wish__init(&mw[i]);
        mw[i].kind = (char *) iv->wishes[i].kind;
        mw[i].horizon = (char *) (iv->wishes[i].horizon ? iv->wishes[i].horizon : "1_year");
        pmw[i] = &mw[i];
        m.n_mobility_wishes = (size_t) i + 1;
    }
    m.mobility_wishes = pmw;
    for (int i = 0; i < FX_MAX_ITEMS && iv->comps[i].item; i++) {
        entretiens__v1__competency__init(&cp[i]);
        cp[i].item = (char *) iv->comps[i].item;
        cp[i].expected_level = iv->comps[i].expected;
        cp[i].assessed_level = iv->comps[i].assessed;
        pcp[i] = &cp[i];
        m.n_competencies = (size_t) i + 1;
    }
    m.competencies = pcp;
    for (int i = 0; i < FX_MAX_ITEMS && iv->objectives[i].title; i++) {
        entretiens__v1__objective__init(&ob[i]);
        ob[i].title = (char *) iv->objectives[i].title;
        ob[i].attainment = iv->objectives[i].attainment;
        pob[i] = &ob[i];
        m.n_objectives = (size_t) i + 1;
    }
    m.objectives = pob;
    char type[64];
    snprintf(type, sizeof type, "records.interview.%s", iv->verb);
    return fx_apply("records", type, &m.base);
}

static inline void fx_interview(fx_iv_t iv)
{
    cr_assert_eq(fx_interview_rc(&iv), 0, "records.interview.%s %s", iv.verb, iv.id);
}

/* Runs a method through the service's handler, in a transaction, as the
 * daemon does.  Returns the status code; *payload (malloc'd) on OK. */
static inline ent_code_t fx_call(const char *method, const char *caller, const Entretiens__V1__StatsQuery *q,
                                 uint8_t **payload, size_t *len, char *field)
{
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.method = (char *) method;
    req.caller = (char *) (caller ? caller : "hr:test");
    uint8_t *qb = NULL;
    size_t ql = 0;
    if (q) {
        ql = protobuf_c_message_get_packed_size(&q->base);
        qb = malloc(ql ? ql : 1);
        protobuf_c_message_pack(&q->base, qb);
    }
    req.payload.data = qb;
    req.payload.len = ql;
    ent_rpc_call_t call = { .req = &req, .caller = req.caller }; /* as the RPC layer binds it */
    cr_assert_eq(ent_store_begin(fx.store, &call.txn), 0);
    int rc = an_rpc(&call, &fx.a);
    cr_assert_eq(rc, 0, "an_rpc: %s", mdb_strerror(rc));
    ent_store_abort(fx.store, 0);
    free(qb);
    if (field)
        snprintf(field, 128, "%s", call.field);
    if (call.code == ENT_OK) {
        *payload = call.payload;
        *len = call.payload_len;
    } else {
        free(call.payload);
        *payload = NULL;
        *len = 0;
    }
    return call.code;
}

#define FX_QUERY(fn, method, Type, q, caller)                                                          \
    ({                                                                                                 \
        uint8_t *p_;                                                                                   \
        size_t l_;                                                                                     \
        ent_code_t c_ = fx_call(method, caller, q, &p_, &l_, NULL);                                    \
        cr_assert_eq(c_, ENT_OK, "%s: %s", method, ent_code_name(c_));                                 \
        Type *r_ = fn##__unpack(NULL, l_, p_);                                                         \
        free(p_);                                                                                      \
        cr_assert_not_null(r_, "%s: reply does not unpack", method);                                   \
        r_;                                                                                            \
    })

#define FX_COMPLETION(q) \
    FX_QUERY(entretiens__v1__completion_reply, "analytics.completion", Entretiens__V1__CompletionReply, q, NULL)
#define FX_COMPLIANCE(q) \
    FX_QUERY(entretiens__v1__compliance_reply, "analytics.compliance", Entretiens__V1__ComplianceReply, q, NULL)
#define FX_ANSWERS(method, q) \
    FX_QUERY(entretiens__v1__answers_reply, method, Entretiens__V1__AnswersReply, q, NULL)
#define FX_SIGNALS(q) \
    FX_QUERY(entretiens__v1__signals_reply, "analytics.signals", Entretiens__V1__SignalsReply, q, NULL)
#define FX_MANAGERS(q) \
    FX_QUERY(entretiens__v1__managers_reply, "analytics.managers", Entretiens__V1__ManagersReply, q, NULL)

/* A digest of every analytics database (key and value bytes, in order):
 * two stores with the same digest hold the same projections. */
static inline uint64_t fx_digest(void)
{
    const analytics_t *a = &fx.a;
    const MDB_dbi dbis[] = { a->employees, a->obligations, a->interviews, a->emp_iv, a->completion,
                             a->headcount, a->prof_hist, a->prof_idx, a->contact_hist, a->contact_idx,
                             a->signals, a->signal_idx, a->risk, a->risk_idx, a->answers, a->training,
                             a->mobility, a->competencies, a->ratings, a->mgr, a->mgr_rank, a->mgr_items,
                             a->policy };
    size_t n = sizeof dbis / sizeof *dbis;
    uint64_t h = 1469598103934665603ull;
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(fx.store, &txn), 0);
    for (size_t i = 0; i < n; i++) {
        MDB_cursor *cur;
        cr_assert_eq(mdb_cursor_open(txn, dbis[i], &cur), 0);
        MDB_val k, v;
        int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        while (rc == 0) {
            const uint8_t *parts[2] = { k.mv_data, v.mv_data };
            size_t lens[2] = { k.mv_size, v.mv_size };
            for (int p = 0; p < 2; p++) {
                for (size_t b = 0; b < lens[p]; b++)
                    h = (h ^ parts[p][b]) * 1099511628211ull;
                h = (h ^ 0xff) * 1099511628211ull;
            }
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        h = (h ^ i) * 1099511628211ull;
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return h;
}

/* Entries of one database. */
static inline size_t fx_count(MDB_dbi dbi)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_read(fx.store, &txn), 0);
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, dbi, &st), 0);
    mdb_txn_abort(txn);
    return st.ms_entries;
}

#endif
