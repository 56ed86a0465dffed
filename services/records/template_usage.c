/*  template_usage.c — how many interviews each template version carries
 *  (records.h, "template usage").
 *
 *  The template of an interview is fixed at its creation, so a count per
 *  (template id, version, campaign) kept beside the interviews answers
 *  "which interviews and campaigns use this version" without reading a
 *  million interviews: template_usage key id \0 be32(version) \0 campaign
 *  (empty for an interview not made for a campaign) -> be64(count).  A store
 *  written before the counts existed is counted once at start
 *  (meta "template_usage_built"). */
#include "records.h"

#include "common/log.h"
#include "common/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define USAGE_KEY_MAX (REC_ID_MAX + 4 + REC_ID_MAX + 2)
static const char s_campaign_mark[] = "/campaign-";

/* The campaign of an obligation id "E/type/campaign-ID" ("" when none). */
static const char *s_campaign_of(const char *obligation_id)
{
    const char *m = obligation_id ? strstr(obligation_id, s_campaign_mark) : NULL;
    return m ? m + sizeof s_campaign_mark - 1 : "";
}

static size_t s_key(uint8_t *key, const char *id, uint32_t version, const char *campaign)
{
    size_t il = strnlen(id, REC_ID_MAX), cl = strnlen(campaign, REC_ID_MAX);
    memcpy(key, id, il);
    key[il] = 0;
    ent_be32_put(key + il + 1, version);
    key[il + 5] = 0;
    memcpy(key + il + 6, campaign, cl);
    return il + 6 + cl;
}

static int s_add(records_t *r, MDB_txn *txn, const char *id, uint32_t version, const char *campaign, uint64_t n)
{
    uint8_t key[USAGE_KEY_MAX], val[8];
    MDB_val k = { s_key(key, id, version, campaign), key }, v;
    uint64_t count = 0;
    int rc = mdb_get(txn, r->template_usage, &k, &v);
    if (rc == 0 && v.mv_size == 8)
        count = ent_be64_get(v.mv_data);
    else if (rc && rc != MDB_NOTFOUND)
        return rc;
    ent_be64_put(val, count + n);
    v = (MDB_val) { 8, val };
    return mdb_put(txn, r->template_usage, &k, &v, 0);
}

int rec_template_usage_add(records_t *r, MDB_txn *txn, const rec_iv_t *iv)
{
    if (!iv->template_id || !iv->template_id[0])
        return 0;
    return s_add(r, txn, iv->template_id, iv->template_version, s_campaign_of(iv->obligation_id), 1);
}

/* ------------------------------------------------------------ at start */

typedef struct {
    records_t *r;
    MDB_txn *txn;
    size_t counted;
} s_build_t;

static int s_count_one(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void) k;
    s_build_t *b = arg;
    /* the header's clear fields are enough: template and obligation are never sealed */
    rec_iv_t *iv = entretiens__v1__interview__unpack(NULL, v->mv_size, v->mv_data);
    if (!iv)
        return 0; /* an unreadable record is said by the reads that need it */
    int rc = rec_template_usage_add(b->r, b->txn, iv);
    entretiens__v1__interview__free_unpacked(iv, NULL);
    b->counted += rc == 0;
    return rc;
}

int rec_template_usage_build(records_t *r)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        MDB_txn *txn;
        uint64_t built = 0;
        int rc = ent_store_begin(r->store, &txn);
        if (!rc)
            rc = ent_store_meta_get_u64(txn, r->store, "template_usage_built", &built);
        if (!rc && built) {
            ent_store_abort(r->store, 0);
            return 0;
        }
        s_build_t b = { .r = r, .txn = txn };
        if (!rc && (rc = mdb_drop(txn, r->template_usage, 0)) == 0 &&
            (rc = ent_store_walk(txn, r->interviews, s_count_one, &b)) == 0)
            rc = ent_store_meta_put_u64(txn, r->store, "template_usage_built", 1);
        if (rc) {
            ent_store_abort(r->store, rc);
            if (rc == MDB_MAP_FULL)
                continue;
            ent_log_error("records.template_usage", "cannot count the interviews of each template version (%d)", rc);
            return rc;
        }
        rc = ent_store_commit(r->store);
        if (rc == MDB_MAP_FULL)
            continue;
        if (!rc)
            ent_log_info("records.template_usage", "interviews counted by template version: %zu", b.counted);
        return rc;
    }
    return MDB_MAP_FULL;
}

/* ------------------------------------------------------------ reading */

int rec_template_usage_fill(records_t *r, MDB_txn *txn, Entretiens__V1__Template *t, bool campaigns)
{
    uint8_t key[USAGE_KEY_MAX];
    size_t pl = s_key(key, t->id, t->version, "");
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->template_usage, &cur);
    if (rc)
        return rc;
    MDB_val k = { pl, key }, v;
    uint64_t total = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < pl || memcmp(k.mv_data, key, pl) != 0 || v.mv_size != 8)
            break;
        uint64_t n = ent_be64_get(v.mv_data);
        total += n;
        if (!campaigns || k.mv_size == pl)
            continue;
        Entretiens__V1__TemplateCampaignUse *u = malloc(sizeof *u);
        void *grown = u ? realloc(t->campaigns, (t->n_campaigns + 1) * sizeof *t->campaigns) : NULL;
        char *cid = grown ? strndup((const char *) k.mv_data + pl, k.mv_size - pl) : NULL;
        if (grown)
            t->campaigns = grown;
        if (!cid) {
            free(u);
            rc = ENOMEM;
            break;
        }
        entretiens__v1__template_campaign_use__init(u);
        u->campaign_id = cid;
        u->interviews = n > UINT32_MAX ? UINT32_MAX : (uint32_t) n;
        t->campaigns[t->n_campaigns++] = u;
    }
    mdb_cursor_close(cur);
    t->interviews = total > UINT32_MAX ? UINT32_MAX : (uint32_t) total;
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}
