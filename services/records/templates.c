/*  templates.c — template versions in the store, their choice for a new
 *  interview, the defaults, and the template.* methods (records.h). */
#include "records.h"
#include "rec_default_templates.h"

#include "common/clock.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* templates key: id \0 be32(version); template_sel key: type \0 locale \0
 * entity \0 category \0 id -> be32(latest version) */

static size_t s_key(uint8_t *key, const char *id, uint32_t version)
{
    size_t l = strlen(id);
    memcpy(key, id, l);
    key[l] = 0;
    key[l + 1] = (uint8_t) (version >> 24), key[l + 2] = (uint8_t) (version >> 16);
    key[l + 3] = (uint8_t) (version >> 8), key[l + 4] = (uint8_t) version;
    return l + 5;
}

static uint32_t s_version_of_key(const MDB_val *k)
{
    const uint8_t *p = (const uint8_t *) k->mv_data + k->mv_size - 4;
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* Latest version of id (0 when none). */
static int s_latest(records_t *r, MDB_txn *txn, const char *id, uint32_t *version)
{
    *version = 0;
    uint8_t key[REC_ID_MAX + 6];
    size_t l = s_key(key, id, UINT32_MAX);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->templates, &cur);
    if (rc)
        return rc;
    MDB_val k = { l, key }, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = mdb_cursor_get(cur, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
    if (rc == 0 && k.mv_size == l && memcmp(k.mv_data, key, l - 4) == 0)
        *version = s_version_of_key(&k);
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : rc;
}

int rec_template_get(records_t *r, MDB_txn *txn, const char *id, uint32_t version, Entretiens__V1__Template **out)
{
    *out = NULL;
    if (!id || !*id || strlen(id) > REC_ID_MAX)
        return MDB_NOTFOUND;
    int rc = 0;
    if (version == 0 && (rc = s_latest(r, txn, id, &version)) != 0)
        return rc;
    if (version == 0)
        return MDB_NOTFOUND;
    uint8_t key[REC_ID_MAX + 6];
    MDB_val k = { s_key(key, id, version), key }, v;
    if ((rc = mdb_get(txn, r->templates, &k, &v)))
        return rc;
    *out = entretiens__v1__template__unpack(NULL, v.mv_size, v.mv_data);
    return *out ? 0 : MDB_CORRUPTED;
}

int rec_template_doc(records_t *r, MDB_txn *txn, const char *id, uint32_t version, json_t **out)
{
    *out = NULL;
    Entretiens__V1__Template *t = NULL;
    int rc = rec_template_get(r, txn, id, version, &t);
    if (rc == MDB_CORRUPTED)
        ent_log_error("records.template", "template %s v%u cannot be read", id ? id : "", version);
    if (rc)
        return rc;
    json_error_t err;
    json_t *doc = json_loads(t->document, 0, &err);
    if (!doc) {
        ent_log_error("records.template", "template %s v%u: its stored document is not JSON: %s", id, t->version,
                      err.text);
        rc = MDB_CORRUPTED;
    } else if (json_object_set_new(doc, "version", json_integer(t->version)) != 0) {
        json_decref(doc);
        doc = NULL;
        rc = ENOMEM;
    }
    entretiens__v1__template__free_unpacked(t, NULL);
    *out = doc;
    return rc;
}

static size_t s_sel_key(uint8_t *key, size_t size, const char *type, const char *locale, const char *entity,
                        const char *category, const char *id)
{
    int n = snprintf((char *) key, size, "%s%c%s%c%s%c%s%c%s", type, 0, locale, 0, rec_str(entity), 0,
                     rec_str(category), 0, id);
    return n > 0 && (size_t) n < size ? (size_t) n : 0;
}

int rec_template_choose(records_t *r, MDB_txn *txn, const char *type, const char *locale, const char *entity,
                        const char *category, char id[REC_ID_MAX + 1], uint32_t *version)
{
    id[0] = '\0';
    *version = 0;
    const char *locales[3] = { locale && *locale ? locale : "fr", "fr", "en" };
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->template_sel, &cur);
    if (rc)
        return rc;
    for (int li = 0; li < 3 && !id[0]; li++) {
        uint8_t prefix[160];
        int pl = snprintf((char *) prefix, sizeof prefix, "%s%c%s%c", type, 0, locales[li], 0);
        if (pl <= 0 || (size_t) pl >= sizeof prefix)
            break;
        int best = -1;
        MDB_val k = { (size_t) pl, prefix }, v;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size < (size_t) pl || memcmp(k.mv_data, prefix, (size_t) pl) != 0)
                break;
            /* entity \0 category \0 id */
            const char *p = (const char *) k.mv_data + pl, *end = (const char *) k.mv_data + k.mv_size;
            const char *e = p, *c = memchr(e, 0, (size_t) (end - e));
            if (!c)
                continue;
            c++;
            const char *i = memchr(c, 0, (size_t) (end - c));
            if (!i)
                continue;
            i++;
            size_t el = strlen(e), cl = strlen(c), il = (size_t) (end - i);
            int score = 0;
            if (el) {
                if (!entity || strlen(entity) != el || memcmp(entity, e, el) != 0)
                    continue;
                score += 2;
            }
            if (cl) {
                if (!category || strlen(category) != cl || memcmp(category, c, cl) != 0)
                    continue;
                score += 1;
            }
            if (score > best && il <= REC_ID_MAX && v.mv_size == 4) {
                best = score;
                memcpy(id, i, il);
                id[il] = '\0';
                const uint8_t *vp = v.mv_data;
                *version = (uint32_t) vp[0] << 24 | (uint32_t) vp[1] << 16 | (uint32_t) vp[2] << 8 | vp[3];
            }
        }
        if (rc == MDB_NOTFOUND)
            rc = 0;
        if (rc)
            break;
    }
    mdb_cursor_close(cur);
    return rc;
}

static const char *s_jstr(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s ? s : "";
}

int rec_template_import(records_t *r, MDB_txn *txn, const char *text, size_t len, const char *actor,
                        rec_import_result_t *res)
{
    memset(res, 0, sizeof *res);
    res->outcome = "rejected";
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        snprintf(res->field, sizeof res->field, "document");
        snprintf(res->reason, sizeof res->reason, "not JSON: line %d: %s", jerr.line, jerr.text);
        return 0;
    }
    rec_err_t err;
    if (rec_template_check(doc, &err) != 0) {
        snprintf(res->id, sizeof res->id, "%.64s", s_jstr(doc, "id"));
        snprintf(res->field, sizeof res->field, "%s", err.field);
        snprintf(res->reason, sizeof res->reason, "%s", err.reason);
        json_decref(doc);
        return 0;
    }
    const char *id = s_jstr(doc, "id");
    snprintf(res->id, sizeof res->id, "%s", id);
    char *canon = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    char *stored = json_dumps(doc, JSON_COMPACT);
    uint8_t digest[REC_HASH_LEN];
    char hex[2 * REC_HASH_LEN + 1];
    int rc = canon && stored ? 0 : ENOMEM;
    if (!rc) {
        rec_sha256(digest, canon, strlen(canon), NULL, 0, NULL, 0, NULL, 0);
        rec_hex(digest, REC_HASH_LEN, hex);
    }
    uint32_t latest = 0;
    Entretiens__V1__Template *old = NULL;
    if (!rc)
        rc = s_latest(r, txn, id, &latest);
    if (!rc && latest && (rc = rec_template_get(r, txn, id, latest, &old)) == 0 && strcmp(old->digest, hex) == 0) {
        res->version = latest;
        res->outcome = "unchanged";
        goto done;
    }
    if (rc)
        goto done;
    Entretiens__V1__Template t = ENTRETIENS__V1__TEMPLATE__INIT;
    t.id = (char *) id;
    t.version = latest + 1;
    t.type = (char *) s_jstr(doc, "type");
    t.locale = (char *) s_jstr(doc, "locale");
    t.entity = (char *) s_jstr(doc, "entity");
    t.category = (char *) s_jstr(doc, "category");
    t.title = (char *) s_jstr(doc, "title");
    t.document = stored;
    t.digest = hex;
    t.imported_at_ms = ent_clock_now_ms();
    t.imported_by = (char *) rec_str(actor);
    t.questions = (uint32_t) rec_template_questions(doc);
    uint8_t key[REC_ID_MAX + 6];
    MDB_val k = { s_key(key, id, t.version), key }, v = { entretiens__v1__template__get_packed_size(&t), NULL };
    if ((rc = mdb_put(txn, r->templates, &k, &v, MDB_RESERVE | MDB_NOOVERWRITE)))
        goto done;
    entretiens__v1__template__pack(&t, v.mv_data);
    uint8_t sk[600];
    if (old) {
        MDB_val ok = { s_sel_key(sk, sizeof sk, old->type, old->locale, old->entity, old->category, id), sk };
        if (ok.mv_size && (rc = mdb_del(txn, r->template_sel, &ok, NULL)) == MDB_NOTFOUND)
            rc = 0;
        if (rc)
            goto done;
    }
    uint8_t ver[4] = { (uint8_t) (t.version >> 24), (uint8_t) (t.version >> 16), (uint8_t) (t.version >> 8),
                       (uint8_t) t.version };
    MDB_val nk = { s_sel_key(sk, sizeof sk, t.type, t.locale, t.entity, t.category, id), sk }, nv = { 4, ver };
    if (!nk.mv_size) {
        rc = EINVAL;
        goto done;
    }
    if ((rc = mdb_put(txn, r->template_sel, &nk, &nv, 0)))
        goto done;
    json_t *det = json_pack("{ss sI ss ss ss}", "template_id", id, "version", (json_int_t) t.version, "digest", hex,
                            "type", t.type, "locale", t.locale);
    if ((rc = rec_audit_global(r, txn, actor, "template.import", det, digest)))
        goto done;
    res->version = t.version;
    res->outcome = latest ? "new_version" : "created";
done:
    if (old)
        entretiens__v1__template__free_unpacked(old, NULL);
    free(canon);
    free(stored);
    json_decref(doc);
    return rc;
}

int rec_templates_defaults(records_t *r, MDB_txn *txn)
{
    for (size_t i = 0; i < rec_n_default_templates; i++) {
        json_t *doc = json_loads(rec_default_templates[i].json, 0, NULL);
        const char *id = doc ? json_string_value(json_object_get(doc, "id")) : NULL;
        uint32_t latest = 0;
        int rc = id ? s_latest(r, txn, id, &latest) : 0;
        json_decref(doc);
        if (rc)
            return rc;
        if (!id || latest)
            continue;
        rec_import_result_t res;
        const char *j = rec_default_templates[i].json;
        if ((rc = rec_template_import(r, txn, j, strlen(j), "records", &res)))
            return rc;
        if (strcmp(res.outcome, "rejected") == 0)
            ent_log_error("templates.default", "default template %s refused: %s: %s", rec_default_templates[i].file,
                          res.field, res.reason);
    }
    return 0;
}

/* ---------------------------------------------------------------- methods */

static int s_admin(ent_rpc_call_t *call, bool hr_too)
{
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(call->caller, &p, &why) != 0)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
    if (p.role == ENT_ROLE_ADMIN || (hr_too && p.role == ENT_ROLE_HR))
        return 1;
    return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "templates are managed by %s", hr_too ? "HR or an administrator" : "an administrator");
}

static int s_import(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    int a = s_admin(call, true);
    if (a != 1)
        return a;
    Entretiens__V1__TemplateImportRequest *req = ent_rpc_unpack(call, &entretiens__v1__template_import_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    if (req->n_documents == 0 || req->n_documents > 500) {
        entretiens__v1__template_import_request__free_unpacked(req, NULL);
        return ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "documents", "1 to 500 documents per call");
    }
    rec_import_result_t *res = calloc(req->n_documents, sizeof *res);
    Entretiens__V1__TemplateImportResult *items = calloc(req->n_documents, sizeof *items);
    Entretiens__V1__TemplateImportResult **ptrs = calloc(req->n_documents, sizeof *ptrs);
    int rc = res && items && ptrs ? 0 : ENOMEM;
    for (size_t i = 0; i < req->n_documents && !rc; i++) {
        rc = rec_template_import(r, call->txn, req->documents[i], strlen(req->documents[i]), call->caller, &res[i]);
        entretiens__v1__template_import_result__init(&items[i]);
        items[i].id = res[i].id;
        items[i].version = res[i].version;
        items[i].outcome = (char *) res[i].outcome;
        items[i].field = res[i].field;
        items[i].reason = res[i].reason;
        ptrs[i] = &items[i];
    }
    if (!rc) {
        Entretiens__V1__TemplateImportReply rep = ENTRETIENS__V1__TEMPLATE_IMPORT_REPLY__INIT;
        rep.n_results = req->n_documents;
        rep.results = ptrs;
        rc = ent_rpc_ok(call, &rep.base);
    }
    free(res), free(items), free(ptrs);
    entretiens__v1__template_import_request__free_unpacked(req, NULL);
    return rc == ENOMEM ? ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory") : rc;
}

static int s_list(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(call->caller, &p, &why) != 0)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
    Entretiens__V1__TemplateListRequest *req = ent_rpc_unpack(call, &entretiens__v1__template_list_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    Entretiens__V1__TemplateList rep = ENTRETIENS__V1__TEMPLATE_LIST__INIT;
    Entretiens__V1__Template **items = NULL;
    size_t n = 0, cap = 0;
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(call->txn, r->templates, &cur);
    MDB_val k, v;
    for (rc = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Entretiens__V1__Template *t = entretiens__v1__template__unpack(NULL, v.mv_size, v.mv_data);
        if (!t)
            continue;
        if (!req->all_versions && n > 0 && strcmp(items[n - 1]->id, t->id) == 0) {
            /* a later version of the same id (keys sort by id, then version) */
            entretiens__v1__template__free_unpacked(items[--n], NULL);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            void *q = realloc(items, cap * sizeof *items);
            if (!q) {
                entretiens__v1__template__free_unpacked(t, NULL);
                rc = ENOMEM;
                break;
            }
            items = q;
        }
        free(t->document);
        t->document = (char *) protobuf_c_empty_string;
        items[n++] = t;
    }
    if (cur)
        mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        Entretiens__V1__Template *t = items[i];
        if ((req->type && *req->type && strcmp(req->type, t->type)) || (req->locale && *req->locale && strcmp(req->locale, t->locale)))
            entretiens__v1__template__free_unpacked(t, NULL);
        else
            items[kept++] = t;
    }
    n = kept;
    /* the use of the versions answered only (not of those a later version
     * or the filters dropped) */
    for (size_t i = 0; i < n && !rc; i++)
        rc = rec_template_usage_fill(r, call->txn, items[i], false);
    if (!rc) {
        rep.n_templates = n;
        rep.templates = items;
        rc = ent_rpc_ok(call, &rep.base);
    }
    for (size_t i = 0; i < n; i++)
        entretiens__v1__template__free_unpacked(items[i], NULL);
    free(items);
    entretiens__v1__template_list_request__free_unpacked(req, NULL);
    return rc;
}

static int s_show(ent_rpc_call_t *call, void *arg)
{
    records_t *r = arg;
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(call->caller, &p, &why) != 0)
        return ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", why);
    Entretiens__V1__TemplateRequest *req = ent_rpc_unpack(call, &entretiens__v1__template_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    Entretiens__V1__Template *t = NULL;
    int rc = rec_template_get(r, call->txn, req->id, req->version, &t);
    if (rc == MDB_NOTFOUND)
        rc = ent_rpc_fail(call, ENT_NOT_FOUND, "id", "no template '%.64s'%s", rec_str(req->id), req->version ? " in that version" : "");
    else if (!rc && (rc = rec_template_usage_fill(r, call->txn, t, true)) == 0)
        rc = ent_rpc_ok(call, &t->base);
    if (t)
        entretiens__v1__template__free_unpacked(t, NULL);
    entretiens__v1__template_request__free_unpacked(req, NULL);
    return rc;
}

int rec_templates_register(records_t *r)
{
    if (ent_daemon_method(r->d, "records.template.import", s_import, r) ||
        ent_daemon_method(r->d, "records.template.list", s_list, r) ||
        ent_daemon_method(r->d, "records.template.show", s_show, r))
        return -1;
    return 0;
}
