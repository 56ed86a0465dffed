/*  gw_store.h — the gateway's records in its LMDB store: accounts (key =
 *  login), sessions (key = SHA-256 of the session id), API keys (key = the
 *  key's id), calendar feed tokens (key = SHA-256 of the token), webhook
 *  subscriptions (key = id) and their deliveries, pending and dead (key =
 *  webhook id "/" event id), and the copy of the HR grants (common/grants.h).
 *  Values are the protobuf messages of proto/gateway.proto.
 *
 *  Every function works inside a transaction the caller owns: a nested
 *  transaction of a turn (operator RPC on the loop thread) or one an API
 *  worker thread began on the environment (gw_store_read / gw_store_write).
 *
 *  Errors: 0, MDB_NOTFOUND when there is no such record, ENOMEM, EINVAL
 *  (a stored value that does not unpack: logged), or another LMDB code.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include "gw_auth.h"
#include "proto/gateway.pb-c.h"

#include <lmdb.h>

#define GW_MAX_DBS 9

typedef struct {
    MDB_env *env;
    MDB_dbi accounts, sessions, apikeys, caltokens;
    MDB_dbi webhooks, wh_pending, wh_dead, grants;
} gw_store_t;

/* Opens (creating) the three databases of the daemon's store.  Start-up
 * only.  Returns 0 or an LMDB code (logged). */
struct ent_store;
int gw_store_open(gw_store_t *st, struct ent_store *store);

/* A read-only / read-write transaction on the environment for a worker
 * thread (the store is opened MDB_NOTLS, so threads may each hold readers;
 * LMDB serialises writers with the loop's turns).  Returns 0 or an LMDB
 * code. */
int gw_store_read(gw_store_t *st, MDB_txn **txn);
int gw_store_write(gw_store_t *st, MDB_txn **txn);

/* Ends a transaction gw_store_read or gw_store_write began: each holds the
 * store's resize lock until then (common/store.h, ent_store_thread_hold),
 * so that the loop never resizes the map under an open transaction.
 * gw_store_commit returns mdb_txn_commit's result. */
int gw_store_commit(MDB_txn *txn);
void gw_store_abort(MDB_txn *txn);

int gw_account_get(MDB_txn *txn, const gw_store_t *st, const char *login, Entretiens__V1__Account **out);
int gw_account_put(MDB_txn *txn, const gw_store_t *st, const Entretiens__V1__Account *a);
/* Every account, hashes stripped, in login order (out: a UserList to free
 * with entretiens__v1__user_list__free_unpacked). */
int gw_account_list(MDB_txn *txn, const gw_store_t *st, Entretiens__V1__UserList **out);

int gw_session_get(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                   Entretiens__V1__Session **out);
int gw_session_put(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                   const Entretiens__V1__Session *s);
int gw_session_del(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES]);
/* Deletes every session of login (disable, new password).  *n gets their number. */
int gw_session_del_login(MDB_txn *txn, const gw_store_t *st, const char *login, size_t *n);

int gw_apikey_get(MDB_txn *txn, const gw_store_t *st, const char *id, Entretiens__V1__ApiKey **out);
int gw_apikey_put(MDB_txn *txn, const gw_store_t *st, const Entretiens__V1__ApiKey *k);
/* Every key, hashes stripped (out: an ApiKeyList). */
int gw_apikey_list(MDB_txn *txn, const gw_store_t *st, Entretiens__V1__ApiKeyList **out);

int gw_caltoken_get(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                    Entretiens__V1__CalendarToken **out);
int gw_caltoken_put(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                    const Entretiens__V1__CalendarToken *t);
/* Deletes every token of principal.  *n gets their number. */
int gw_caltoken_del_principal(MDB_txn *txn, const gw_store_t *st, const char *principal, size_t *n);

/* Webhook subscriptions.  get: MDB_NOTFOUND when none.  list: every
 * subscription (out: a malloc'd array of n unpacked Webhooks; free with
 * gw_webhook_list_free). */
int gw_webhook_get(MDB_txn *txn, const gw_store_t *st, const char *id, Entretiens__V1__Webhook **out);
int gw_webhook_put(MDB_txn *txn, const gw_store_t *st, const Entretiens__V1__Webhook *w);
int gw_webhook_list(MDB_txn *txn, const gw_store_t *st, Entretiens__V1__Webhook ***out, size_t *n);
void gw_webhook_list_free(Entretiens__V1__Webhook **items, size_t n);
/* Deletes the subscription and every delivery it has, pending or dead.
 * Returns 0 or MDB_NOTFOUND when there is no such subscription. */
int gw_webhook_del(MDB_txn *txn, const gw_store_t *st, const char *id);

/* A delivery in dbi (st->wh_pending or st->wh_dead), keyed by webhook id
 * "/" event id: put (replaces), del (MDB_NOTFOUND when absent), get. */
int gw_delivery_put(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const Entretiens__V1__WebhookDelivery *d);
int gw_delivery_del(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const char *webhook_id, const char *event_id);
int gw_delivery_get(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const char *webhook_id, const char *event_id,
                    Entretiens__V1__WebhookDelivery **out);
/* The deliveries of dbi in key order (all subscriptions when webhook_id is
 * NULL), from the key after `after` ("" = the first), at most max.  out:
 * malloc'd array of n unpacked deliveries, gw_delivery_list_free. */
int gw_delivery_list(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const char *webhook_id, const char *after,
                     size_t max, Entretiens__V1__WebhookDelivery ***out, size_t *n);
void gw_delivery_list_free(Entretiens__V1__WebhookDelivery **items, size_t n);

#endif
