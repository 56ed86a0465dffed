/*  grants.h — HR scopes (AccessGrant) as every daemon keeps them.
 *
 *  Records owns the grants (records.access.grant / .revoke, operators only)
 *  and publishes each change as an event:
 *    records.access.granted   payload AccessGrant (principal, entities, content)
 *    records.access.revoked   payload AccessGrant (principal only)
 *  Records and every daemon that consumes records keep the same database:
 *  key = the principal ("hr:alice"), value = the packed AccessGrant.  The
 *  daemons then decide with principal.h on the same data.
 */
#ifndef ENT_GRANTS_H
#define ENT_GRANTS_H

#include "common/principal.h"
#include "common/store.h"
#include "proto/records.pb-c.h"

#include <stdbool.h>

#define ENT_GRANTS_DB "grants"
#define ENT_GRANT_EVENT_GRANTED "records.access.granted"
#define ENT_GRANT_EVENT_REVOKED "records.access.revoked"

/* Opens (creates) the grants database of a store (one named database:
 * count it in the daemon's max_dbs).  Returns 0 or an LMDB code. */
int ent_grants_open(ent_store_t *store, MDB_dbi *out);

/* True when ev is a grant event (the caller passes it to ent_grants_apply). */
bool ent_grants_is_event(const Entretiens__V1__EventEnvelope *ev);

/* Applies a grant event in txn.  Returns 0, ENT_EVENT_SKIP-compatible 1
 * when the payload is not a valid AccessGrant, or an LMDB code. */
int ent_grants_apply(MDB_txn *txn, MDB_dbi dbi, const Entretiens__V1__EventEnvelope *ev);

/* Stores / deletes one grant (records' own writes).  Returns 0,
 * MDB_NOTFOUND (delete of a missing grant) or an LMDB code. */
int ent_grants_put(MDB_txn *txn, MDB_dbi dbi, const Entretiens__V1__AccessGrant *g);
int ent_grants_del(MDB_txn *txn, MDB_dbi dbi, const char *principal);

/* A principal's scope, loaded from the database.  The scope points into
 * the holder, which owns the unpacked grant. */
typedef struct {
    ent_scope_t scope;
    Entretiens__V1__AccessGrant *grant;
} ent_grant_scope_t;

/* Loads the scope of principal (no grant: scope.granted false).  Returns
 * 0 or an LMDB code (MDB_CORRUPTED for an unreadable value). */
int ent_grants_scope(MDB_txn *txn, MDB_dbi dbi, const char *principal, ent_grant_scope_t *out);

/* Frees what ent_grants_scope loaded; safe on a zeroed holder. */
void ent_grants_scope_free(ent_grant_scope_t *s);

#endif
