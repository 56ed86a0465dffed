/*  gw_store.c — accounts, sessions and API keys in LMDB (gw_store.h). */
#include "gw_store.h"

#include "common/log.h"
#include "common/store.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int gw_store_open(gw_store_t *st, struct ent_store *store)
{
    memset(st, 0, sizeof *st);
    st->env = ent_store_env(store);
    struct { const char *name; MDB_dbi *dbi; } dbs[] = {
        { "accounts", &st->accounts }, { "sessions", &st->sessions }, { "apikeys", &st->apikeys },
        { "caltokens", &st->caltokens } };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
        int rc = ent_store_dbi(store, dbs[i].name, 0, dbs[i].dbi);
        if (rc) {
            ent_log_error("gateway.store", "cannot open database %s: %s", dbs[i].name, mdb_strerror(rc));
            return rc;
        }
    }
    return 0;
}

int gw_store_read(gw_store_t *st, MDB_txn **txn)
{
    return mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
}

int gw_store_write(gw_store_t *st, MDB_txn **txn)
{
    return mdb_txn_begin(st->env, NULL, 0, txn);
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
