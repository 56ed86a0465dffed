/*  grants.c — the grants database every daemon keeps (grants.h). */
#include "common/grants.h"

#include "common/log.h"
#include "common/subscriber.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ent_grants_open(ent_store_t *store, MDB_dbi *out)
{
    return ent_store_dbi(store, ENT_GRANTS_DB, MDB_CREATE, out);
}

bool ent_grants_is_event(const Entretiens__V1__EventEnvelope *ev)
{
    return ev->type && (strcmp(ev->type, ENT_GRANT_EVENT_GRANTED) == 0 || strcmp(ev->type, ENT_GRANT_EVENT_REVOKED) == 0);
}

int ent_grants_put(MDB_txn *txn, MDB_dbi dbi, const Entretiens__V1__AccessGrant *g)
{
    size_t len = entretiens__v1__access_grant__get_packed_size(g);
    MDB_val k = { strlen(g->principal), g->principal }, v = { len, NULL };
    int rc = mdb_put(txn, dbi, &k, &v, MDB_RESERVE);
    if (rc == 0)
        entretiens__v1__access_grant__pack(g, v.mv_data);
    return rc;
}

int ent_grants_del(MDB_txn *txn, MDB_dbi dbi, const char *principal)
{
    MDB_val k = { strlen(principal), (void *) principal };
    return k.mv_size ? mdb_del(txn, dbi, &k, NULL) : MDB_NOTFOUND;
}

int ent_grants_apply(MDB_txn *txn, MDB_dbi dbi, const Entretiens__V1__EventEnvelope *ev)
{
    Entretiens__V1__AccessGrant *g = entretiens__v1__access_grant__unpack(NULL, ev->payload.len, ev->payload.data);
    ent_principal_t p;
    if (!g || !g->principal || ent_principal_parse(g->principal, &p, NULL) != 0) {
        if (g)
            entretiens__v1__access_grant__free_unpacked(g, NULL);
        return ENT_EVENT_SKIP;
    }
    int rc;
    if (strcmp(ev->type, ENT_GRANT_EVENT_GRANTED) == 0) {
        rc = ent_grants_put(txn, dbi, g);
    } else {
        rc = ent_grants_del(txn, dbi, g->principal);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    entretiens__v1__access_grant__free_unpacked(g, NULL);
    return rc;
}

int ent_grants_scope(MDB_txn *txn, MDB_dbi dbi, const char *principal, ent_grant_scope_t *out)
{
    memset(out, 0, sizeof *out);
    if (!principal || !*principal)
        return 0;
    MDB_val k = { strlen(principal), (void *) principal }, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    out->grant = entretiens__v1__access_grant__unpack(NULL, v.mv_size, v.mv_data);
    if (!out->grant) {
        ent_log_error("grants.corrupt", "the grant of %.80s cannot be read", principal);
        return MDB_CORRUPTED;
    }
    out->scope.granted = true;
    out->scope.entities = out->grant->entities;
    out->scope.n_entities = out->grant->n_entities;
    out->scope.content = out->grant->content;
    for (size_t i = 0; i < out->grant->n_entities; i++)
        if (strcmp(out->grant->entities[i], "*") == 0)
            out->scope.all = true;
    return 0;
}

void ent_grants_scope_free(ent_grant_scope_t *s)
{
    if (s->grant)
        entretiens__v1__access_grant__free_unpacked(s->grant, NULL);
    memset(s, 0, sizeof *s);
}
