/*  service.c — the analytics service on the daemon runtime (analytics.h). */
#include "analytics.h"
#include "an_batch.h"

#include "common/pbarena.h"
#include "common/grants.h"
#include "common/log.h"

#include <errno.h>
#include <string.h>

const ent_config_var_t an_config_vars[] = {
    { "ENTRETIENS_ANALYTICS_MIN_GROUP", "5",
      "Smallest group whose answer-derived figures (ratings, training needs, mobility, competencies, objectives) "
      "are reported; smaller groups are marked suppressed" },
    { "ENTRETIENS_ANALYTICS_STALE_MONTHS", "24",
      "Months without an interview after which an employee is flagged (signals: no_interview)" },
};
const size_t an_n_config_vars = sizeof an_config_vars / sizeof an_config_vars[0];

int an_open(analytics_t *a, ent_store_t *store, uint32_t min_group, uint32_t stale_months)
{
    memset(a, 0, sizeof *a);
    a->store = store;
    a->min_group = min_group ? min_group : AN_DEFAULT_MIN_GROUP;
    a->stale_months = stale_months ? stale_months : AN_DEFAULT_STALE_MONTHS;
    struct { const char *name; MDB_dbi *dbi; } dbs[] = {
        { "employees", &a->employees },       { "obligations", &a->obligations },
        { "interviews", &a->interviews },     { "emp_iv", &a->emp_iv },
        { "completion", &a->completion },     { "headcount", &a->headcount },
        { "prof_hist", &a->prof_hist },       { "prof_idx", &a->prof_idx },
        { "contact_hist", &a->contact_hist }, { "contact_idx", &a->contact_idx },
        { "signals", &a->signals },           { "signal_idx", &a->signal_idx },
        { "risk", &a->risk },                 { "risk_idx", &a->risk_idx },
        { "answers", &a->answers },           { "training", &a->training },
        { "mobility", &a->mobility },         { "competencies", &a->competencies },
        { "ratings", &a->ratings },           { "mgr", &a->mgr },
        { "mgr_rank", &a->mgr_rank },         { "mgr_items", &a->mgr_items },
        { "policy", &a->policy },             { ENT_GRANTS_DB, &a->grants },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
        int rc = ent_store_dbi(store, dbs[i].name, 0, dbs[i].dbi);
        if (rc) {
            ent_log_error("analytics.store", "cannot open database %s: %s", dbs[i].name, mdb_strerror(rc));
            return rc;
        }
    }
    a->batch = an_batch_new();
    a->ixbatch = an_batch_new();
    a->arena = ent_pbarena_new(64 * 1024);
    if (!a->batch || !a->ixbatch || !a->arena)
        return ENOMEM;
    an_batch_hook(a->batch, a->mgr, an_mgr_rank, a);
    /* the counters' merge beside the loop, on the second core (an_batch.h) */
    int rc = an_batch_thread(a->batch);
    if (rc)
        ent_log_warn("analytics.batch", "counters merged on the loop's thread: no worker (%s)", strerror(rc));
    return 0;
}

void an_close(analytics_t *a)
{
    an_batch_destroy(&a->batch);
    an_batch_destroy(&a->ixbatch);
    ent_pbarena_destroy(&a->arena);
}

/* True when none of the state databases holds a record (a store just
 * created, on its way through the steps). */
static int s_store_empty(MDB_txn *txn, bool *empty)
{
    static const char *const names[] = { "employees", "obligations", "interviews" };
    *empty = true;
    for (size_t i = 0; i < sizeof names / sizeof *names && *empty; i++) {
        MDB_dbi dbi;
        int rc = mdb_dbi_open(txn, names[i], 0, &dbi);
        if (rc == MDB_NOTFOUND)
            continue;
        if (rc)
            return rc;
        MDB_stat st;
        if ((rc = mdb_stat(txn, dbi, &st)) != 0)
            return rc;
        *empty = st.ms_entries == 0;
    }
    return 0;
}

int an_migrate(MDB_txn *txn, unsigned from, void *arg)
{
    (void) arg;
    /* 0 -> 1: a new store; the databases are created by an_open.  Later
     * layouts need no data migration: the store is a projection, so a
     * change of layout is shipped as "delete the store, replay"
     * (docs/analytics.md).  1 -> 2 (risk by day, the policy's headcounts)
     * and 2 -> 3 (typed rows per type only): only an empty store passes. */
    if (from == 0)
        return 0;
    bool empty = false;
    int rc = s_store_empty(txn, &empty);
    if (rc)
        return rc;
    if ((from == 1 || from == 2) && empty)
        return 0;
    ent_log_error("analytics.store", "the store has layout %u, this binary needs %u: stop the daemon, delete the "
                  "store and start it again to rebuild it from the producers (docs/analytics.md, Rebuild)",
                  from, AN_SCHEMA_VERSION);
    return MDB_VERSION_MISMATCH;
}

static int s_config_u32(ent_daemon_t *d, const char *name, uint32_t def, uint32_t *out)
{
    bool ok = true;
    int64_t v = ent_config_get_int(ent_daemon_config(d), name, def, &ok);
    if (!ok || v < 1 || v > 1000000) {
        ent_log_error("config.invalid", "%s must be a whole number from 1 to 1000000", name);
        return -1;
    }
    *out = (uint32_t) v;
    return 0;
}

int an_setup(ent_daemon_t *d, void *arg)
{
    analytics_t *a = arg;
    uint32_t min_group, stale;
    if (s_config_u32(d, "ENTRETIENS_ANALYTICS_MIN_GROUP", AN_DEFAULT_MIN_GROUP, &min_group) ||
        s_config_u32(d, "ENTRETIENS_ANALYTICS_STALE_MONTHS", AN_DEFAULT_STALE_MONTHS, &stale))
        return ENT_DAEMON_CONFIG_ERROR;
    if (an_open(a, ent_daemon_store(d), min_group, stale))
        return -1;
    /* every statistics method only reads: in a turn of queries only they
     * run in one read-only transaction (no writer lock, no commit) */
    for (int i = 0; an_methods[i]; i++)
        if (ent_daemon_query(d, an_methods[i], an_rpc, a))
            return -1;
    if (ent_daemon_on_event(d, "scheduler", an_apply_scheduler, a) ||
        ent_daemon_on_event(d, "records", an_apply_records, a) || ent_daemon_on_settle(d, an_settle, a) ||
        ent_daemon_participant(d, an_turn_reset, NULL, a) ||
        ent_daemon_read_ahead(d, "scheduler", AN_READ_AHEAD_PAGES) ||
        ent_daemon_read_ahead(d, "records", AN_READ_AHEAD_PAGES))
        return -1;
    ent_log_info("analytics.config", "minimum group %u, no interview after %u months", a->min_group,
                 a->stale_months);
    return 0;
}
