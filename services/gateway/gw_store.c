/*  gw_store.c — accounts, sessions and API keys in LMDB (gw_store.h). */
#include "gw_store.h"

#include "common/grants.h"
#include "common/log.h"
#include "common/store.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_store_open(gw_store_t *st, struct ent_store *store)
{
    memset(st, 0, sizeof *st);
    st->env = ent_store_env(store);
    struct { const char *name; MDB_dbi *dbi; } dbs[] = {
        { "accounts", &st->accounts }, { "sessions", &st->sessions }, { "apikeys", &st->apikeys },
        { "caltokens", &st->caltokens }, { "webhooks", &st->webhooks }, { "wh_pending", &st->wh_pending },
        { "wh_dead", &st->wh_dead }, { ENT_GRANTS_DB, &st->grants } };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
        int rc = ent_store_dbi(store, dbs[i].name, 0, dbs[i].dbi);
        if (rc) {
            ent_log_error("gateway.store", "cannot open database %s: %s", dbs[i].name, mdb_strerror(rc));
            return rc;
        }
    }
    return 0;
}

static int s_begin(gw_store_t *st, unsigned flags, MDB_txn **txn)
{
    ent_store_thread_hold();
    int rc = mdb_txn_begin(st->env, NULL, flags, txn);
    if (rc)
        ent_store_thread_release();
    return rc;
}

int gw_store_read(gw_store_t *st, MDB_txn **txn)
{
    return s_begin(st, MDB_RDONLY, txn);
}

int gw_store_write(gw_store_t *st, MDB_txn **txn)
{
    return s_begin(st, 0, txn);
}

int gw_store_commit(MDB_txn *txn)
{
    int rc = mdb_txn_commit(txn);
    ent_store_thread_release();
    return rc;
}

void gw_store_abort(MDB_txn *txn)
{
    mdb_txn_abort(txn);
    ent_store_thread_release();
}

/* Packs msg under key. */
static int s_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const ProtobufCMessage *msg)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    MDB_val k = { klen, (void *) key }, v = { n, NULL };
    int rc = mdb_put(txn, dbi, &k, &v, MDB_RESERVE);
    if (rc)
        return rc;
    protobuf_c_message_pack(msg, v.mv_data);
    return 0;
}

/* Unpacks the value under key with desc. */
static int s_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const ProtobufCMessageDescriptor *desc,
                 ProtobufCMessage **out)
{
    *out = NULL;
    if (klen == 0 || klen > 511)
        return MDB_NOTFOUND;
    MDB_val k = { klen, (void *) key }, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc)
        return rc;
    *out = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
    if (!*out) {
        ent_log_error("gateway.store", "a stored %s does not unpack", desc->short_name);
        return EINVAL;
    }
    return 0;
}

int gw_account_get(MDB_txn *txn, const gw_store_t *st, const char *login, Entretiens__V1__Account **out)
{
    return s_get(txn, st->accounts, login, strlen(login), &entretiens__v1__account__descriptor,
                 (ProtobufCMessage **) out);
}

int gw_account_put(MDB_txn *txn, const gw_store_t *st, const Entretiens__V1__Account *a)
{
    return s_put(txn, st->accounts, a->login, strlen(a->login), &a->base);
}

/* Appends every value of dbi, unpacked with desc, to a malloc'd array. */
static int s_all(MDB_txn *txn, MDB_dbi dbi, const ProtobufCMessageDescriptor *desc, ProtobufCMessage ***items,
                 size_t *n)
{
    MDB_cursor *cur;
    *items = NULL;
    *n = 0;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    size_t cap = 0;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
        if (!m) {
            ent_log_error("gateway.store", "a stored %s does not unpack", desc->short_name);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            ProtobufCMessage **grown = realloc(*items, cap * sizeof *grown);
            if (!grown) {
                protobuf_c_message_free_unpacked(m, NULL);
                rc = ENOMEM;
                break;
            }
            *items = grown;
        }
        (*items)[(*n)++] = m;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int gw_account_list(MDB_txn *txn, const gw_store_t *st, Entretiens__V1__UserList **out)
{
    *out = malloc(sizeof **out);
    if (!*out)
        return ENOMEM;
    entretiens__v1__user_list__init(*out);
    int rc = s_all(txn, st->accounts, &entretiens__v1__account__descriptor, (ProtobufCMessage ***) &(*out)->accounts,
                   &(*out)->n_accounts);
    for (size_t i = 0; i < (*out)->n_accounts; i++) {
        Entretiens__V1__Account *a = (*out)->accounts[i];
        /* the unpacked string is owned by the message: blank it in place */
        if (a->password_hash)
            a->password_hash[0] = '\0';
    }
    return rc;
}

int gw_session_get(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                   Entretiens__V1__Session **out)
{
    return s_get(txn, st->sessions, hash, GW_HASH_BYTES, &entretiens__v1__session__descriptor,
                 (ProtobufCMessage **) out);
}

int gw_session_put(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                   const Entretiens__V1__Session *s)
{
    return s_put(txn, st->sessions, hash, GW_HASH_BYTES, &s->base);
}

int gw_session_del(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES])
{
    MDB_val k = { GW_HASH_BYTES, (void *) hash };
    return mdb_del(txn, st->sessions, &k, NULL);
}

/* Deletes every value of dbi (unpacked with desc) whose string field at
 * offset equals text; an unreadable value goes too. */
static int s_del_where(MDB_txn *txn, MDB_dbi dbi, const ProtobufCMessageDescriptor *desc, size_t offset,
                       const char *text, size_t *n)
{
    MDB_cursor *cur;
    *n = 0;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
        bool match = !m || strcmp(*(char **) ((char *) m + offset), text) == 0;
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
        if (match) {
            rc = mdb_cursor_del(cur, 0);
            if (rc)
                break;
            (*n)++;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int gw_session_del_login(MDB_txn *txn, const gw_store_t *st, const char *login, size_t *n)
{
    return s_del_where(txn, st->sessions, &entretiens__v1__session__descriptor,
                       offsetof(Entretiens__V1__Session, login), login, n);
}

int gw_caltoken_get(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                    Entretiens__V1__CalendarToken **out)
{
    return s_get(txn, st->caltokens, hash, GW_HASH_BYTES, &entretiens__v1__calendar_token__descriptor,
                 (ProtobufCMessage **) out);
}

int gw_caltoken_put(MDB_txn *txn, const gw_store_t *st, const uint8_t hash[GW_HASH_BYTES],
                    const Entretiens__V1__CalendarToken *t)
{
    return s_put(txn, st->caltokens, hash, GW_HASH_BYTES, &t->base);
}

int gw_caltoken_del_principal(MDB_txn *txn, const gw_store_t *st, const char *principal, size_t *n)
{
    return s_del_where(txn, st->caltokens, &entretiens__v1__calendar_token__descriptor,
                       offsetof(Entretiens__V1__CalendarToken, principal), principal, n);
}

int gw_apikey_get(MDB_txn *txn, const gw_store_t *st, const char *id, Entretiens__V1__ApiKey **out)
{
    return s_get(txn, st->apikeys, id, strlen(id), &entretiens__v1__api_key__descriptor, (ProtobufCMessage **) out);
}

int gw_apikey_put(MDB_txn *txn, const gw_store_t *st, const Entretiens__V1__ApiKey *k)
{
    return s_put(txn, st->apikeys, k->id, strlen(k->id), &k->base);
}

int gw_apikey_list(MDB_txn *txn, const gw_store_t *st, Entretiens__V1__ApiKeyList **out)
{
    *out = malloc(sizeof **out);
    if (!*out)
        return ENOMEM;
    entretiens__v1__api_key_list__init(*out);
    int rc = s_all(txn, st->apikeys, &entretiens__v1__api_key__descriptor, (ProtobufCMessage ***) &(*out)->keys,
                   &(*out)->n_keys);
    for (size_t i = 0; i < (*out)->n_keys; i++)
        (*out)->keys[i]->secret_hash.len = 0;
    return rc;
}

/* ------------------------------------------------------------- webhooks */

int gw_webhook_get(MDB_txn *txn, const gw_store_t *st, const char *id, Entretiens__V1__Webhook **out)
{
    return s_get(txn, st->webhooks, id, strlen(id), &entretiens__v1__webhook__descriptor, (ProtobufCMessage **) out);
}

int gw_webhook_put(MDB_txn *txn, const gw_store_t *st, const Entretiens__V1__Webhook *w)
{
    return s_put(txn, st->webhooks, w->id, strlen(w->id), &w->base);
}

int gw_webhook_list(MDB_txn *txn, const gw_store_t *st, Entretiens__V1__Webhook ***out, size_t *n)
{
    int rc = s_all(txn, st->webhooks, &entretiens__v1__webhook__descriptor, (ProtobufCMessage ***) out, n);
    if (rc) {
        gw_webhook_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void gw_webhook_list_free(Entretiens__V1__Webhook **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        entretiens__v1__webhook__free_unpacked(items[i], NULL);
    free(items);
}

/* "<webhook id>/<event id>" into key; returns its length, 0 when too long. */
static size_t s_delivery_key(char key[512], const char *webhook_id, const char *event_id)
{
    int n = snprintf(key, 512, "%s/%s", webhook_id, event_id);
    return n > 0 && n < 512 ? (size_t) n : 0;
}

/* Deletes every key of dbi starting with prefix. */
static int s_del_prefix(MDB_txn *txn, MDB_dbi dbi, const char *prefix)
{
    MDB_cursor *cur;
    size_t pl = strlen(prefix);
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    MDB_val k = { pl, (void *) prefix }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)
            break;
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

int gw_webhook_del(MDB_txn *txn, const gw_store_t *st, const char *id)
{
    MDB_val k = { strlen(id), (void *) id };
    int rc = mdb_del(txn, st->webhooks, &k, NULL);
    if (rc)
        return rc;
    char prefix[512];
    if (!s_delivery_key(prefix, id, ""))
        return EINVAL;
    if ((rc = s_del_prefix(txn, st->wh_pending, prefix)) != 0)
        return rc;
    return s_del_prefix(txn, st->wh_dead, prefix);
}

int gw_delivery_put(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const Entretiens__V1__WebhookDelivery *d)
{
    (void) st;
    char key[512];
    size_t kl = s_delivery_key(key, d->webhook_id, d->event_id);
    return kl ? s_put(txn, dbi, key, kl, &d->base) : EINVAL;
}

int gw_delivery_del(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const char *webhook_id, const char *event_id)
{
    (void) st;
    char key[512];
    size_t kl = s_delivery_key(key, webhook_id, event_id);
    if (!kl)
        return MDB_NOTFOUND;
    MDB_val k = { kl, key };
    return mdb_del(txn, dbi, &k, NULL);
}

int gw_delivery_get(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const char *webhook_id, const char *event_id,
                    Entretiens__V1__WebhookDelivery **out)
{
    (void) st;
    char key[512];
    size_t kl = s_delivery_key(key, webhook_id, event_id);
    *out = NULL;
    return kl ? s_get(txn, dbi, key, kl, &entretiens__v1__webhook_delivery__descriptor, (ProtobufCMessage **) out)
              : MDB_NOTFOUND;
}

int gw_delivery_list(MDB_txn *txn, const gw_store_t *st, MDB_dbi dbi, const char *webhook_id, const char *after,
                     size_t max, Entretiens__V1__WebhookDelivery ***out, size_t *n)
{
    (void) st;
    char prefix[512] = "";
    size_t pl = webhook_id ? s_delivery_key(prefix, webhook_id, "") : 0;
    MDB_cursor *cur;
    *out = NULL;
    *n = 0;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    size_t al = after ? strlen(after) : 0;
    MDB_val k = al ? (MDB_val) { al, (void *) after } : (MDB_val) { pl, prefix }, v;
    MDB_cursor_op op = k.mv_size ? MDB_SET_RANGE : MDB_FIRST;
    size_t cap = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, op); rc == 0 && *n < max; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (al && k.mv_size == al && memcmp(k.mv_data, after, al) == 0)
            continue; /* strictly after */
        if (pl && (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0))
            break;
        Entretiens__V1__WebhookDelivery *d = entretiens__v1__webhook_delivery__unpack(NULL, v.mv_size, v.mv_data);
        if (!d) {
            ent_log_error("gateway.store", "a stored WebhookDelivery does not unpack");
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            Entretiens__V1__WebhookDelivery **grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                entretiens__v1__webhook_delivery__free_unpacked(d, NULL);
                rc = ENOMEM;
                break;
            }
            *out = grown;
        }
        (*out)[(*n)++] = d;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) {
        gw_delivery_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

void gw_delivery_list_free(Entretiens__V1__WebhookDelivery **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        entretiens__v1__webhook_delivery__free_unpacked(items[i], NULL);
    free(items);
}
