/*  service.c — records' set-up on the daemon runtime (records.h). */
#include "records.h"

#include "common/log.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ent_config_var_t rec_config_vars[] = {
    { "ENTRETIENS_RECORDS_HORIZON_DAYS", "365",
      "create an obligation's interview when its window opens within this many days (0 = at once)" },
    { "ENTRETIENS_RECORDS_KEYSTORE", NULL,
      "the employees' data keys (an LMDB directory kept apart from records' store and its backups); "
      "default <data dir>/records-keys" },
    /* retention (rec_retention.h; defaults and sources in docs/data-protection.md) */
    { "ENTRETIENS_RETENTION_CONTENT_YEARS", "5",
      "years after departure an interview's content stays in the intermediate archive (HR and administrators "
      "only) before it is purged (L1134-5: 5-year limitation for discrimination claims)" },
    { "ENTRETIENS_RETENTION_NOTES_YEARS", "2",
      "years after departure the interviewer's private notes are kept (L1471-1: 2-year limitation for claims "
      "on the performance of the contract); at most the content's" },
    { "ENTRETIENS_RETENTION_PREPARATION_YEARS", "2",
      "years after departure a preparation never shared is kept (L1471-1); at most the content's" },
    { "ENTRETIENS_RECORDS_RETENTION_CHUNK", "20000",
      "employees the retention sweep looks at per turn on the real clock (1 to 1000000): a pass over a large "
      "directory is spread over turns so that requests keep being answered" },
    { "ENTRETIENS_RECORDS_ENCRYPT", "1",
      "1 = seal content and free text at rest (docs/data-protection.md); 0 writes them in clear, for "
      "measurements only (what is sealed stays readable)" },
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
    /* the index as this turn's events left it (idxbatch.c) */
    int rc = rec_idx_settle(r, txn);
    if (!rc)
        rc = ent_store_walk(txn, r->by_status, s_count_status, NULL);
    s_m.turn_done = rc == 0;
    return rc;
}

/* The keystore follows the turn: the data keys a turn creates are written
 * together and committed (synced) once, before the turn's own commit
 * (rec_crypt.h); an aborted turn drops them. */
static void s_keys_begin(void *arg)
{
    records_t *r = arg;
    if (r->crypt)
        rec_crypt_batch_begin(r->crypt);
}

static int s_keys_precommit(void *arg)
{
    records_t *r = arg;
    int rc = r->crypt ? rec_crypt_batch_commit(r->crypt) : 0;
    if (rc)
        ent_log_error("records.keystore", "cannot commit the turn's new data keys: %s", mdb_strerror(rc));
    return rc;
}

static void s_keys_reset(void *arg)
{
    records_t *r = arg;
    if (r->crypt)
        rec_crypt_batch_abort(r->crypt);
}

static void s_keys_flush(void *arg, bool committed)
{
    (void) committed;
    s_keys_reset(arg); /* committed before the turn: nothing left open, unless the turn never got there */
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

/* Interviews stored, every status: the entries of the interviews database
 * (mdb_stat, O(1)), read at each scrape in a read-only transaction of the
 * loop thread (no turn is open while /metrics renders: http.h).  Exact,
 * where the census above is a minute old.  -1 when the store cannot be
 * read (never a wrong count). */
static double s_stored_gauge(void *arg)
{
    records_t *r = arg;
    MDB_txn *txn = NULL;
    MDB_stat st;
    int rc = ent_store_read(r->store, &txn);
    if (!rc)
        rc = mdb_stat(txn, r->interviews, &st);
    if (txn)
        mdb_txn_abort(txn);
    return rc ? -1.0 : (double) st.ms_entries;
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
    if (m)
        ent_metrics_gauge_callback(m, "entretiens_records_interviews_stored",
                                   "Interviews stored, every status, exact at each scrape", s_stored_gauge, r);
}

/* ------------------------------------------------------- schema and keys */

int rec_migrate(MDB_txn *txn, unsigned from, void *arg)
{
    (void) arg;
    if (from != 1)
        return 0; /* 0 -> 1: the first layout */
    /* 1 -> 2: content at rest is sealed.  The values written in clear are
     * sealed at start (rec_setup), once the keystore is open: mark them. */
    MDB_dbi meta;
    int rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta);
    if (rc)
        return rc;
    uint8_t one[8];
    ent_be64_put(one, 1);
    MDB_val k = { sizeof "atrest_pending" - 1, (void *) "atrest_pending" }, v = { 8, one };
    return mdb_put(txn, meta, &k, &v, 0);
}

/* The master key from the keys directory, then the keystore. */
static int s_open_keystore(records_t *r)
{
    const ent_config_t *cfg = ent_daemon_config(r->d);
    char keys[4096], dir[4096], err[512];
    ent_config_keys_dir(cfg, keys, sizeof keys);
    const char *ks = ent_config_get(cfg, "ENTRETIENS_RECORDS_KEYSTORE");
    if (ks && *ks)
        snprintf(dir, sizeof dir, "%s", ks);
    else
        snprintf(dir, sizeof dir, "%s/records-keys", ent_config_get(cfg, "ENTRETIENS_DATA_DIR"));
    unsigned char master[ENT_MASTER_KEY_LEN];
    if (ent_master_key_load(keys, REC_CRYPT_MASTER, master, err, sizeof err) != 0) {
        ent_log_error("config.invalid", "records needs its master key: %s", err);
        return ENT_DAEMON_CONFIG_ERROR;
    }
    bool ok = true;
    int64_t nosync = ent_config_get_int(cfg, "ENTRETIENS_NOSYNC", 0, &ok);
    int rc = rec_crypt_open(dir, master, ok && nosync != 0, &r->crypt);
    sodium_memzero(master, sizeof master);
    if (rc) {
        ent_log_error("records.keystore", "cannot open the keystore %s: %s", dir,
                      rc > 0 ? strerror(rc) : mdb_strerror(rc));
        return -1;
    }
    ent_log_info("records.keystore", "employees' data keys in %s", dir);
    return 0;
}

/* Seals, in one transaction, the interviews in ids[0..n) still holding
 * clear values; each re-sealing is an audit record ("seal"). */
static int s_seal_batch(records_t *r, MDB_txn *txn, char (*ids)[REC_ID_MAX + 1], size_t n, size_t *sealed)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        MDB_val k = { strlen(ids[i]), ids[i] }, hv, cv;
        if ((rc = mdb_get(txn, r->interviews, &k, &hv)))
            break;
        Entretiens__V1__Interview *raw = entretiens__v1__interview__unpack(NULL, hv.mv_size, hv.mv_data);
        if (!raw) {
            rc = MDB_CORRUPTED;
            break;
        }
        bool clear_text = !raw->sealed.len &&
            ((raw->title && *raw->title) || (raw->reason && *raw->reason) || raw->n_carried_objectives ||
             raw->n_carried_action_items || (raw->employee_signature && *rec_str(raw->employee_signature->comment)) ||
             (raw->manager_signature && *rec_str(raw->manager_signature->comment)));
        entretiens__v1__interview__free_unpacked(raw, NULL);
        int c = mdb_get(txn, r->content, &k, &cv);
        if (c && c != MDB_NOTFOUND) {
            rc = c;
            break;
        }
        bool clear_content = c == 0 && cv.mv_size > 0 && !rec_crypt_is_sealed(cv.mv_data, cv.mv_size);
        if (!clear_text && !clear_content)
            continue;
        rec_iv_t *iv = NULL;
        rec_content_t *content = NULL;
        if ((rc = rec_iv_get(r, txn, ids[i], &iv)) || (c == 0 && (rc = rec_content_get(r, txn, ids[i], &content)))) {
            rec_iv_free(iv);
            break;
        }
        rec_change_t ch = { .before = iv, .after = iv, .content = content, .actor = "records", .action = "seal",
                            .details = json_pack("{ss}", "reason", "content at rest sealed (schema 2)"),
                            .quiet = true };
        rc = rec_commit(r, txn, &ch);
        rec_content_free(content);
        rec_iv_free(iv);
        (*sealed)++;
    }
    return rc;
}

/* Seals what an older binary (schema 1 -> 2) or a run with encryption off
 * wrote in clear, by batches of S_SEAL_BATCH interviews per transaction; a
 * restart resumes.  With encryption off, marks the store for the next run. */
#define S_SEAL_BATCH 2000
static int s_seal_pending(records_t *r)
{
    MDB_txn *txn;
    uint64_t pending = 0;
    int rc = ent_store_read(r->store, &txn);
    if (rc)
        return rc;
    rc = ent_store_meta_get_u64(txn, r->store, "atrest_pending", &pending);
    mdb_txn_abort(txn);
    if (rc)
        return rc;
    if (!r->encrypt && !pending) {
        /* what this run writes in clear is sealed by the next run with encryption on */
        if ((rc = ent_store_begin(r->store, &txn)) == 0 &&
            (rc = ent_store_meta_put_u64(txn, r->store, "atrest_pending", 1)) == 0)
            return ent_store_commit(r->store);
        ent_store_abort(r->store, rc);
        return rc;
    }
    if (!r->encrypt || !pending)
        return 0;
    char (*ids)[REC_ID_MAX + 1] = malloc(S_SEAL_BATCH * sizeof *ids);
    if (!ids)
        return ENOMEM;
    char last[REC_ID_MAX + 1] = "";
    size_t sealed = 0, seen = 0;
    for (bool done = false; !done && !rc;) {
        /* the next batch of ids after last */
        size_t n = 0;
        if ((rc = ent_store_read(r->store, &txn)))
            break;
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(txn, r->interviews, &cur)) == 0) {
            MDB_val k, v;
            rc = ent_store_cursor_after(cur, last, &k, &v);
            for (; rc == 0 && n < S_SEAL_BATCH; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                size_t l = k.mv_size < REC_ID_MAX ? k.mv_size : REC_ID_MAX;
                memcpy(ids[n], k.mv_data, l);
                ids[n++][l] = '\0';
            }
            done = rc == MDB_NOTFOUND;
            rc = rc == MDB_NOTFOUND ? 0 : rc;
            mdb_cursor_close(cur);
        }
        mdb_txn_abort(txn);
        if (rc)
            break;
        if (n)
            memcpy(last, ids[n - 1], sizeof last);
        seen += n;
        for (int attempt = 0; attempt < 4; attempt++) {
            size_t batch_sealed = 0;
            if ((rc = ent_store_begin(r->store, &txn)) == 0 && (rc = s_seal_batch(r, txn, ids, n, &batch_sealed)) == 0 &&
                done)
                rc = ent_store_meta_put_u64(txn, r->store, "atrest_pending", 0);
            if (rc) {
                ent_store_abort(r->store, rc);
                if (rc == MDB_MAP_FULL)
                    continue;
                break;
            }
            rc = ent_store_commit(r->store);
            if (rc == MDB_MAP_FULL)
                continue;
            if (!rc)
                sealed += batch_sealed;
            break;
        }
    }
    free(ids);
    if (rc)
        ent_log_error("records.seal", "sealing the content written in clear failed (%d); it resumes at the next start",
                      rc);
    else
        ent_log_info("records.seal", "content at rest: %zu of %zu interviews sealed (they were in clear)", sealed,
                     seen);
    return rc;
}

void rec_teardown(records_t *r)
{
    ent_pbarena_destroy(&r->arena);
    rec_idxq_destroy(r);
    EVP_MD_CTX_free(r->md);
    r->md = NULL;
    rec_crypt_destroy(&r->crypt);
}

int rec_setup(ent_daemon_t *d, void *arg)
{
    records_t *r = arg;
    memset(r, 0, sizeof *r);
    r->d = d;
    r->store = ent_daemon_store(d);
    r->verify_spec = (ent_daemon_offload_t) { .d = d, .run = rec_audit_verify_run, .arg = r,
                                              .free_reply = rec_audit_verify_reply_free };
    bool ok = true;
    int64_t horizon = ent_config_get_int(ent_daemon_config(d), "ENTRETIENS_RECORDS_HORIZON_DAYS", 365, &ok);
    if (!ok || horizon < 0 || horizon > 36500) {
        ent_log_error("config.invalid", "ENTRETIENS_RECORDS_HORIZON_DAYS must be a number of days from 0 to 36500");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    r->horizon_days = (int) horizon;
    int64_t chunk = ent_config_get_int(ent_daemon_config(d), "ENTRETIENS_RECORDS_RETENTION_CHUNK", 20000, &ok);
    if (!ok || chunk < 1 || chunk > 1000000) {
        ent_log_error("config.invalid", "ENTRETIENS_RECORDS_RETENTION_CHUNK must be a whole number from 1 to 1000000");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    r->retention_chunk = (size_t) chunk;
    int64_t encrypt = ent_config_get_int(ent_daemon_config(d), "ENTRETIENS_RECORDS_ENCRYPT", 1, &ok);
    if (!ok || (encrypt != 0 && encrypt != 1)) {
        ent_log_error("config.invalid", "ENTRETIENS_RECORDS_ENCRYPT must be 1 (seal content at rest) or 0");
        return ENT_DAEMON_CONFIG_ERROR;
    }
    r->encrypt = encrypt == 1;
    if (!r->encrypt)
        ent_log_warn("records.clear", "ENTRETIENS_RECORDS_ENCRYPT=0: content is written in clear (measurements only)");
    char err[256];
    if (rec_retention_load(ent_daemon_config(d), &r->retention_cfg, err, sizeof err) != 0) {
        ent_log_error("config.invalid", "%s", err);
        return ENT_DAEMON_CONFIG_ERROR;
    }
    int krc = s_open_keystore(r);
    if (krc)
        return krc;
    if (!(r->arena = ent_pbarena_new(16 * 1024)) || rec_idxq_new(r) != 0 || !(r->md = EVP_MD_CTX_new()))
        return -1;
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
        { "reads", &r->reads },           { "retention", &r->retention },
        { "template_usage", &r->template_usage },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++)
        if (ent_store_dbi(r->store, dbs[i].name, 0, dbs[i].dbi) != 0) {
            ent_log_error("records.store", "cannot open database %s", dbs[i].name);
            return -1;
        }
    if (s_seal_pending(r) != 0 || rec_template_usage_build(r) != 0)
        return -1;
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
    if (rec_methods_register(r) || rec_templates_register(r) || rec_subject_register(r) || rec_progress_register(r))
        return -1;
    /* a catch-up asks the scheduler for the four types records applies
     * alone (half its events are obligation.changed, nothing for records),
     * 32 ranges of 4,096 seqs ahead, all applied in one turn: the index
     * pages its random inserts touch are copied and written once for all
     * of them (docs/records.md, Performance) */
    if (ent_daemon_on_event(d, "scheduler", rec_on_scheduler_event, r) ||
        ent_daemon_applied_types(d, "scheduler", rec_scheduler_types) ||
        ent_daemon_read_ahead(d, "scheduler", REC_READ_AHEAD_PAGES) ||
        ent_daemon_on_settle(d, rec_idx_settle_turn, r) || ent_daemon_participant(d, rec_idx_reset, rec_idx_flush, r) ||
        ent_daemon_on_commit(d, s_keys_begin, s_keys_precommit, r) ||
        ent_daemon_participant(d, s_keys_reset, s_keys_flush, r))
        return -1;
    if (ent_daemon_every(d, 3600 * 1000, rec_grants_announce, r) ||
        ent_daemon_every(d, 3600 * 1000, rec_deferred_release, r) ||
        ent_daemon_every(d, 1000, rec_retention_sweep, r) ||
        ent_daemon_participant(d, rec_retention_reset, rec_retention_flush, r))
        return -1;
    s_metrics(r);
    if (ent_daemon_every(d, REC_CENSUS_MS, s_census, r) ||
        ent_daemon_participant(d, s_census_reset, s_census_flush, r))
        return -1;
    return 0;
}
