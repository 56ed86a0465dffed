/*  service.c — records' set-up on the daemon runtime (records.h). */
#include "records.h"

#include "common/log.h"

#include <string.h>

const ent_config_var_t rec_config_vars[] = {
    { "ENTRETIENS_RECORDS_HORIZON_DAYS", "365",
      "create an obligation's interview when its window opens within this many days (0 = at once)" },
};
const size_t rec_n_config_vars = sizeof rec_config_vars / sizeof rec_config_vars[0];

/* ------------------------------------------------------------ metrics
 *
 * Interviews by status, from the by_status index (store.c: the key starts
 * with the state): a keys-only walk inside a turn once a minute (and at
 * every clock change), published when that turn commits.  By status only:
 * the type is inside each stored Interview, and unpacking every one each
 * minute would cost the daemon seconds at a million interviews.  One
 * records daemon per process, so the state is kept here. */
#define REC_CENSUS_MS 60000

static struct {
    double by_status[REC_S_COUNT], turn_by_status[REC_S_COUNT];
    bool turn_done;
} s_m;

static int s_count_status(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void) v;
    (void) arg;
    if (k->mv_size > 0 && *(const uint8_t *) k->mv_data < REC_S_COUNT)
        s_m.turn_by_status[*(const uint8_t *) k->mv_data]++;
    return 0;
}

static int s_census(MDB_txn *txn, void *arg)
{
    records_t *r = arg;
    memset(s_m.turn_by_status, 0, sizeof s_m.turn_by_status);
    int rc = ent_store_walk(txn, r->by_status, s_count_status, NULL);
    s_m.turn_done = rc == 0;
    return rc;
}

static void s_census_reset(void *arg)
{
    (void) arg;
    s_m.turn_done = false;
}

static void s_census_flush(void *arg, bool committed)
{
    (void) arg;
    if (committed && s_m.turn_done)
        memcpy(s_m.by_status, s_m.turn_by_status, sizeof s_m.by_status);
    s_m.turn_done = false;
}

/* A failed registration leaves the gauges out: metrics never stop the daemon. */
static void s_metrics(records_t *r)
{
    memset(&s_m, 0, sizeof s_m);
    ent_metrics_t *m = ent_daemon_metrics(r->d);
    const char *l[] = { "status" };
    ent_metrics_family_t *f = m ? ent_metrics_gauge_family(m, "entretiens_records_interviews",
                                                           "Interviews by status, counted once a minute", 1, l)
                                : NULL;
    for (int st = 0; st < REC_S_COUNT && f; st++) {
        const char *v[] = { rec_state_name((rec_state_t) st) };
        ent_metrics_gauge_bind(f, v, ent_metrics_gauge_read, &s_m.by_status[st]);
    }
}

int rec_setup(ent_daemon_t *d, void *arg)
{
    records_t *r = arg;
    memset(r, 0, sizeof *r);
    r->d = d;
    r->store = ent_daemon_store(d);
    bool ok = true;
    int64_t horizon = ent_config_get_int(ent_daemon_config(d), "ENTRETIENS_RECORDS_HORIZON_DAYS", 365, &ok);
    if (!ok || horizon < 0 || horizon > 36500) {
        ent_log_error("config.invalid", "ENTRETIENS_RECORDS_HORIZON_DAYS must be a number of days from 0 to 36500");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    r->horizon_days = (int) horizon;
    struct {
        const char *name;
        MDB_dbi *dbi;
    } dbs[] = {
        { "interviews", &r->interviews }, { "content", &r->content },       { "by_obligation", &r->by_obligation },
        { "by_employee", &r->by_employee }, { "by_manager", &r->by_manager }, { "by_status", &r->by_status },
        { "by_due", &r->by_due },         { "templates", &r->templates },   { "template_sel", &r->template_sel },
        { "directory", &r->directory },   { "reports", &r->reports },       { "grants", &r->grants },
        { "audit", &r->audit },           { "audit_idx", &r->audit_idx },
        { "deferred", &r->deferred },     { "deferred_idx", &r->deferred_idx },
        { "reads", &r->reads },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++)
        if (ent_store_dbi(r->store, dbs[i].name, 0, dbs[i].dbi) != 0) {
            ent_log_error("records.store", "cannot open database %s", dbs[i].name);
            return -1;
        }
    /* the default templates, at first start (and for any default id missing) */
    for (int attempt = 0; attempt < 4; attempt++) {
        MDB_txn *txn;
        int rc = ent_store_begin(r->store, &txn);
        if (!rc)
            rc = rec_templates_defaults(r, txn);
        if (rc) {
            ent_store_abort(r->store, rc);
            if (rc == MDB_MAP_FULL)
                continue;
            ent_log_error("records.templates", "cannot import the default templates (%d)", rc);
            return -1;
        }
        rc = ent_store_commit(r->store);
        if (rc == MDB_MAP_FULL)
            continue;
        if (rc) {
            ent_log_error("records.templates", "cannot commit the default templates (%d)", rc);
            return -1;
        }
        break;
    }
    if (rec_methods_register(r) || rec_templates_register(r))
        return -1;
    if (ent_daemon_on_event(d, "scheduler", rec_on_scheduler_event, r))
        return -1;
    if (ent_daemon_every(d, 3600 * 1000, rec_grants_announce, r) ||
        ent_daemon_every(d, 3600 * 1000, rec_deferred_release, r))
        return -1;
    s_metrics(r);
    if (ent_daemon_every(d, REC_CENSUS_MS, s_census, r) ||
        ent_daemon_participant(d, s_census_reset, s_census_flush, r))
        return -1;
    return 0;
}
