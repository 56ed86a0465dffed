/*  store.c — the notifier's records in LMDB (notifier.h). */
#include "notifier.h"

#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const S_STATUS[NTF_ST_COUNT] = { "pending", "sending", "sent", "failed",
                                                    "dead",    "cancelled", "digested" };
static const char *const S_DL[NTF_DL_COUNT] = { "pending", "sent", "failed", "dead" };
static const char *const S_COUNTERS[NTF_CNT_COUNT] = { "ntf.n.pending",   "ntf.n.sending",  "ntf.n.sent",
                                                       "ntf.n.failed",    "ntf.n.dead",     "ntf.n.cancelled",
                                                       "ntf.n.digested",  "ntf.n.planned",  "ntf.n.subjects",
                                                       "ntf.n.contacts" };

const char *ntf_status_name(int st) { return st >= 0 && st < NTF_ST_COUNT ? S_STATUS[st] : "?"; }

int ntf_status_parse(const char *name)
{
    for (int i = 0; name && i < NTF_ST_COUNT; i++)
        if (strcmp(S_STATUS[i], name) == 0)
            return i;
    return -1;
}

static int s_dl_parse(const char *name)
{
    for (int i = 0; name && i < NTF_DL_COUNT; i++)
        if (strcmp(S_DL[i], name) == 0)
            return i;
    return -1;
}

int ntf_store_open(notifier_t *n)
{
    struct { const char *name; unsigned flags; MDB_dbi *dbi; } dbs[] = {
        { "contacts", 0, &n->contacts },          { "subjects", 0, &n->subjects },
        { "emp_subjects", MDB_DUPSORT, &n->emp_subjects }, { "timers", 0, &n->timers },
        { "notifs", 0, &n->notifs },              { "sending", 0, &n->sending },
        { "retries", 0, &n->retries },            { "dead", 0, &n->dead },
        { "grants", 0, &n->grants },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++) {
        int rc = ent_store_dbi(n->store, dbs[i].name, dbs[i].flags, dbs[i].dbi);
        if (rc) {
            ent_log_error("notifier.store", "cannot open database %s: %s", dbs[i].name, mdb_strerror(rc));
            return rc;
        }
    }
    return 0;
}

int ntf_counts_load(notifier_t *n)
{
    MDB_txn *txn;
    int rc = ent_store_read(n->store, &txn);
    if (rc)
        return rc;
    for (int i = 0; i < NTF_CNT_COUNT && !rc; i++) {
        uint64_t v = 0;
        rc = ent_store_meta_get_u64(txn, n->store, S_COUNTERS[i], &v);
        n->counts[i] = (int64_t) v;
    }
    mdb_txn_abort(txn);
    return rc;
}

int ntf_count_add(notifier_t *n, MDB_txn *txn, int counter, int64_t delta)
{
    if (delta == 0 || counter < 0 || counter >= NTF_CNT_COUNT)
        return 0;
    uint64_t v = 0;
    int rc = ent_store_meta_get_u64(txn, n->store, S_COUNTERS[counter], &v);
    if (rc)
        return rc;
    int64_t nv = (int64_t) v + delta;
    rc = ent_store_meta_put_u64(txn, n->store, S_COUNTERS[counter], nv < 0 ? 0 : (uint64_t) nv);
    if (!rc)
        n->turn_counts[counter] += delta;
    return rc;
}

/* ------------------------------------------------------------ contacts */

void ntf_contact_msg(const ntf_contact_t *c, Entretiens__V1__Contact *m, Entretiens__V1__Date *left)
{
    entretiens__v1__contact__init(m);
    m->employee_id = (char *) c->employee_id;
    m->email = (char *) c->email;
    m->locale = (char *) c->locale;
    m->manager_id = (char *) c->manager_id;
    m->entity = (char *) c->entity;
    m->region = (char *) c->region;
    m->first_name = (char *) c->first_name;
    m->last_name = (char *) c->last_name;
    m->employed = c->employed;
    m->department = (char *) c->department;
    m->digest = c->digest;
    m->preferred_locale = (char *) c->preferred_locale;
    m->left_on = ent_pbdate_ptr(c->left_on, left);
}

const char *ntf_contact_locale(const ntf_contact_t *c)
{
    if (c->preferred_locale[0])
        return c->preferred_locale;
    return c->locale[0] ? c->locale : NULL;
}

/* The memo of the contacts read in txn, emptied when txn is another write
 * transaction than the one it was filled in; NULL when txn is not the
 * turn's write transaction (a read-only one: nothing remembered). */
static struct ntf_contact_memo *s_memo(notifier_t *n, MDB_txn *txn)
{
    if (!n->store || txn != ent_store_txn(n->store))
        return NULL;
    struct ntf_contact_memo *m = &n->contact_memo;
    uint64_t serial = ent_store_txn_serial(n->store);
    if (m->serial != serial) {
        memset(m->used, 0, sizeof m->used);
        m->serial = serial;
    }
    return m;
}

void ntf_contact_forget(notifier_t *n, const char *employee_id)
{
    struct ntf_contact_memo *m = &n->contact_memo;
    for (int i = 0; i < NTF_CONTACT_MEMO; i++)
        if (m->used[i] && strcmp(m->key[i], employee_id) == 0)
            m->used[i] = false;
}

int ntf_contact_get(notifier_t *n, MDB_txn *txn, const char *employee_id, ntf_contact_t *out)
{
    memset(out, 0, sizeof *out);
    out->left_on = ENT_DATE_NONE;
    if (!employee_id || !*employee_id || strlen(employee_id) > NTF_ID_MAX)
        return MDB_NOTFOUND;
    struct ntf_contact_memo *memo = s_memo(n, txn);
    for (int i = 0; memo && i < NTF_CONTACT_MEMO; i++)
        if (memo->used[i] && strcmp(memo->key[i], employee_id) == 0) {
            *out = memo->c[i];
            return 0;
        }
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, n->contacts, &k, &v);
    if (rc)
        return rc;
    /* read into the arena, given back at once by its reset (a contact is a
     * dozen strings: a dozen mallocs and frees on the heap) */
    Entretiens__V1__Contact *m =
        entretiens__v1__contact__unpack(ent_pbarena_allocator(n->rd_arena), v.mv_size, v.mv_data);
    if (!m) {
        ent_pbarena_release(n->rd_arena, NULL);
        ent_log_error("notifier.corrupt", "contact %s cannot be read", employee_id);
        return MDB_NOTFOUND;
    }
    ntf_copy(out->employee_id, sizeof out->employee_id, m->employee_id);
    ntf_copy(out->email, sizeof out->email, m->email);
    ntf_copy(out->locale, sizeof out->locale, m->locale);
    ntf_copy(out->manager_id, sizeof out->manager_id, m->manager_id);
    ntf_copy(out->entity, sizeof out->entity, m->entity);
    ntf_copy(out->region, sizeof out->region, m->region);
    ntf_copy(out->first_name, sizeof out->first_name, m->first_name);
    ntf_copy(out->last_name, sizeof out->last_name, m->last_name);
    ntf_copy(out->department, sizeof out->department, m->department);
    out->employed = m->employed;
    out->digest = m->digest;
    ntf_copy(out->preferred_locale, sizeof out->preferred_locale, m->preferred_locale);
    out->left_on = ent_pbdate_day(m->left_on);
    ent_pbarena_release(n->rd_arena, &m->base);
    if (memo) {
        unsigned i = memo->next;
        memo->next = (i + 1) % NTF_CONTACT_MEMO;
        memcpy(memo->key[i], employee_id, strlen(employee_id) + 1);
        memo->c[i] = *out;
        memo->used[i] = true;
    }
    return 0;
}

int ntf_contact_put(notifier_t *n, MDB_txn *txn, const ntf_contact_t *c)
{
    Entretiens__V1__Contact m;
    Entretiens__V1__Date left;
    ntf_contact_msg(c, &m, &left);
    size_t size = entretiens__v1__contact__get_packed_size(&m);
    uint8_t stack[2048];
    uint8_t *buf = size <= sizeof stack ? stack : malloc(size);
    if (!buf)
        return ENOMEM;
    entretiens__v1__contact__pack(&m, buf);
    MDB_val k = { strlen(c->employee_id), (void *) c->employee_id }, v = { size, buf };
    ntf_contact_forget(n, c->employee_id);
    int rc = mdb_put(txn, n->contacts, &k, &v, 0);
    if (buf != stack)
        free(buf);
    return rc;
}

/* ------------------------------------------------------------ subjects */

size_t ntf_timer_key(int64_t ms, const char *subject_key, uint8_t *key)
{
    size_t len = strlen(subject_key);
    ent_be64_put(key, (uint64_t) ms);
    memcpy(key + 8, subject_key, len);
    return 8 + len;
}

int ntf_subject_get(notifier_t *n, MDB_txn *txn, const char *key, ntf_subject_t *out)
{
    if (!key || !*key || strlen(key) > NTF_KEY_MAX)
        return MDB_NOTFOUND;
    MDB_val k = { strlen(key), (void *) key }, v;
    int rc = mdb_get(txn, n->subjects, &k, &v);
    if (rc)
        return rc;
    if (ntf_subject_unpack(v.mv_data, v.mv_size, n->rd_arena, out) != 0) {
        ent_log_error("notifier.corrupt", "subject %s cannot be read: planned anew", key);
        return MDB_NOTFOUND;
    }
    return 0;
}

int ntf_subject_put(notifier_t *n, MDB_txn *txn, ntf_subject_t *s, size_t pending_before, bool fresh)
{
    uint8_t tk[8 + NTF_KEY_MAX];
    int64_t next = ntf_subject_next_fire(s);
    int rc = 0;
    if (s->timer_ms != next) {
        if (s->timer_ms) {
            MDB_val k = { ntf_timer_key(s->timer_ms, s->key, tk), tk };
            rc = mdb_del(txn, n->timers, &k, NULL);
            if (rc && rc != MDB_NOTFOUND)
                return rc;
        }
        if (next) {
            MDB_val k = { ntf_timer_key(next, s->key, tk), tk }, v = { 0, "" };
            rc = mdb_put(txn, n->timers, &k, &v, 0);
            if (rc)
                return rc;
        }
        s->timer_ms = next;
    }
    /* the work changing it now (an event applied, a request) is its trace */
    if (*ent_log_trace())
        memcpy(s->trace, ent_log_trace(), sizeof s->trace);
    /* packed on the stack: a subject is a few hundred bytes (a malloc and
     * a free per event otherwise); one with many long items on the heap */
    uint8_t stack[4096];
    size_t len = ntf_subject_pack_into(s, stack, sizeof stack);
    uint8_t *buf = stack;
    if (len > sizeof stack) {
        if (!(buf = ntf_subject_pack(s, &len)))
            return ENOMEM;
    }
    MDB_val k = { strlen(s->key), s->key }, v = { len, buf };
    rc = mdb_put(txn, n->subjects, &k, &v, 0);
    if (buf != stack)
        free(buf);
    if (rc)
        return rc;
    if (fresh) {
        if (s->employee_id[0]) {
            MDB_val ek = { strlen(s->employee_id), s->employee_id }, ev = { strlen(s->key), s->key };
            rc = mdb_put(txn, n->emp_subjects, &ek, &ev, MDB_NODUPDATA);
            if (rc && rc != MDB_KEYEXIST)
                return rc;
        }
        rc = ntf_count_add(n, txn, NTF_CNT_SUBJECTS, 1);
        if (rc)
            return rc;
    }
    return ntf_count_add(n, txn, NTF_CNT_PLANNED, (int64_t) ntf_subject_pending(s) - (int64_t) pending_before);
}

/* ------------------------------------------------------------ notifications */

void ntf_notif_init(ntf_notif_t *nf)
{
    memset(nf, 0, sizeof *nf);
    nf->due = ENT_DATE_NONE;
}

void ntf_notif_clear(ntf_notif_t *nf)
{
    for (size_t i = 0; i < nf->n_items; i++)
        free(nf->items[i]);
    free(nf->items);
    nf->items = NULL;
    nf->n_items = 0;
}

void ntf_notif_msg(const ntf_notif_t *nf, Entretiens__V1__Notification *m, Entretiens__V1__Date *due,
                   Entretiens__V1__Delivery *del, Entretiens__V1__Delivery **pdel)
{
    entretiens__v1__notification__init(m);
    m->id = (char *) nf->id;
    m->subject = (char *) nf->subject;
    m->kind = (char *) ntf_kind_name(nf->kind);
    m->step = (char *) nf->step;
    m->recipient_id = (char *) nf->recipient_id;
    m->role = (char *) ntf_role_name(nf->role);
    m->employee_id = (char *) nf->employee_id;
    m->interview_type = (char *) nf->type;
    if (nf->due != ENT_DATE_NONE) {
        ent_pbdate_set(nf->due, due);
        m->due_date = due;
    }
    m->fire_at_ms = nf->fire_ms;
    m->status = (char *) ntf_status_name(nf->status);
    m->late = nf->late;
    m->created_at_ms = nf->created_ms;
    m->dispatched_at_ms = nf->dispatched_ms;
    m->sent_at_ms = nf->sent_ms;
    m->message_id = (char *) nf->key;
    for (size_t i = 0; i < nf->n_del; i++) {
        entretiens__v1__delivery__init(&del[i]);
        del[i].channel = (char *) ntf_channel_name(nf->del[i].channel);
        del[i].status = (char *) S_DL[nf->del[i].status < NTF_DL_COUNT ? nf->del[i].status : 0];
        del[i].attempts = nf->del[i].attempts;
        del[i].last_error = (char *) nf->del[i].last_error;
        del[i].delivered_at_ms = nf->del[i].delivered_at_ms;
        del[i].next_try_ms = nf->del[i].next_try_ms;
        pdel[i] = &del[i];
    }
    m->n_deliveries = nf->n_del;
    m->deliveries = pdel;
    m->next_try_ms = nf->next_try_ms;
    m->digest_id = (char *) nf->digest_id;
    m->n_items = nf->n_items;
    m->items = nf->items;
    m->obligation_id = (char *) nf->obligation_id;
    m->interview_id = (char *) nf->interview_id;
    m->address = (char *) nf->address;
    m->locale = (char *) nf->locale;
    m->last_error = (char *) nf->last_error;
    m->attempts = nf->attempts;
    m->ref = nf->ref;
    m->offset_days = nf->offset;
    m->penalty_eur = nf->penalty_eur;
}

int ntf_notif_unpack(const void *data, size_t len, ntf_notif_t *out)
{
    ntf_notif_init(out);
    Entretiens__V1__Notification *m = entretiens__v1__notification__unpack(NULL, len, data);
    if (!m)
        return -1;
    int kind = ntf_kind_parse(m->kind), role = ntf_role_parse(m->role), st = ntf_status_parse(m->status);
    if (kind < 0 || role < 0 || st < 0 || m->n_deliveries > NTF_CH_COUNT ||
        !ntf_copy(out->id, sizeof out->id, m->id) || !ntf_copy(out->subject, sizeof out->subject, m->subject) ||
        !ntf_copy(out->recipient_id, sizeof out->recipient_id, m->recipient_id) ||
        !ntf_copy(out->employee_id, sizeof out->employee_id, m->employee_id))
        goto bad;
    out->kind = (uint8_t) kind;
    out->role = (uint8_t) role;
    out->status = (uint8_t) st;
    out->late = m->late;
    ntf_copy(out->step, sizeof out->step, m->step);
    ntf_copy(out->type, sizeof out->type, m->interview_type);
    if (m->due_date && ent_date_valid(m->due_date->year, m->due_date->month, m->due_date->day))
        out->due = ent_date_from_ymd(m->due_date->year, m->due_date->month, m->due_date->day);
    out->fire_ms = m->fire_at_ms;
    out->created_ms = m->created_at_ms;
    out->dispatched_ms = m->dispatched_at_ms;
    out->sent_ms = m->sent_at_ms;
    out->next_try_ms = m->next_try_ms;
    out->ref = m->ref;
    out->offset = m->offset_days;
    out->penalty_eur = m->penalty_eur;
    ntf_copy(out->key, sizeof out->key, m->message_id);
    for (size_t i = 0; i < m->n_deliveries; i++) {
        int ch = ntf_channel_parse(m->deliveries[i]->channel), ds = s_dl_parse(m->deliveries[i]->status);
        if (ch < 0 || ds < 0)
            goto bad;
        ntf_delivery_t *d = &out->del[i];
        d->channel = (uint8_t) ch;
        d->status = (uint8_t) ds;
        d->attempts = m->deliveries[i]->attempts;
        ntf_copy(d->last_error, sizeof d->last_error, m->deliveries[i]->last_error);
        d->delivered_at_ms = m->deliveries[i]->delivered_at_ms;
        d->next_try_ms = m->deliveries[i]->next_try_ms;
    }
    out->n_del = m->n_deliveries;
    ntf_copy(out->digest_id, sizeof out->digest_id, m->digest_id);
    if (m->n_items) {
        out->items = calloc(m->n_items, sizeof *out->items);
        if (!out->items)
            goto bad;
        for (size_t i = 0; i < m->n_items; i++) {
            if (!(out->items[i] = strdup(m->items[i])))
                goto bad;
            out->n_items++;
        }
    }
    ntf_copy(out->obligation_id, sizeof out->obligation_id, m->obligation_id);
    ntf_copy(out->interview_id, sizeof out->interview_id, m->interview_id);
    ntf_copy(out->address, sizeof out->address, m->address);
    ntf_copy(out->locale, sizeof out->locale, m->locale);
    ntf_copy(out->last_error, sizeof out->last_error, m->last_error);
    out->attempts = m->attempts;
    entretiens__v1__notification__free_unpacked(m, NULL);
    return 0;
bad:
    entretiens__v1__notification__free_unpacked(m, NULL);
    ntf_notif_clear(out);
    return -1;
}

int ntf_notif_get(notifier_t *n, MDB_txn *txn, const char *id, ntf_notif_t *out)
{
    ntf_notif_init(out);
    if (!id || !*id || strlen(id) > NTF_NID_MAX)
        return MDB_NOTFOUND;
    MDB_val k = { strlen(id), (void *) id }, v;
    int rc = mdb_get(txn, n->notifs, &k, &v);
    if (rc)
        return rc;
    if (ntf_notif_unpack(v.mv_data, v.mv_size, out) != 0) {
        ent_log_error("notifier.corrupt", "notification %s cannot be read", id);
        return MDB_NOTFOUND;
    }
    return 0;
}

int ntf_notif_put(notifier_t *n, MDB_txn *txn, const ntf_notif_t *nf, int status_before)
{
    Entretiens__V1__Notification m;
    Entretiens__V1__Date due;
    Entretiens__V1__Delivery del[NTF_CH_COUNT], *pdel[NTF_CH_COUNT];
    ntf_notif_msg(nf, &m, &due, del, pdel);
    size_t size = entretiens__v1__notification__get_packed_size(&m);
    uint8_t stack[4096];
    uint8_t *buf = size <= sizeof stack ? stack : malloc(size);
    if (!buf)
        return ENOMEM;
    entretiens__v1__notification__pack(&m, buf);
    MDB_val k = { strlen(nf->id), (void *) nf->id }, v = { size, buf };
    int rc = mdb_put(txn, n->notifs, &k, &v, 0);
    if (buf != stack)
        free(buf);
    if (rc)
        return rc;
    if (status_before != nf->status) {
        if (status_before >= 0 && status_before < NTF_ST_COUNT)
            rc = ntf_count_add(n, txn, status_before, -1);
        if (!rc)
            rc = ntf_count_add(n, txn, nf->status, 1);
    }
    return rc;
}

void ntf_notif_from_item(const ntf_subject_t *s, const ntf_item_t *it, ntf_notif_t *out)
{
    ntf_notif_init(out);
    if (ntf_item_id(s->key, it, out->id, sizeof out->id) != 0)
        out->id[0] = '\0';
    ntf_copy(out->subject, sizeof out->subject, s->key);
    out->kind = it->kind;
    out->role = it->role;
    out->status = it->status == NTF_ITEM_PENDING ? NTF_ST_PENDING
                : it->status == NTF_ITEM_CANCELLED ? NTF_ST_CANCELLED : NTF_ST_SENDING;
    out->late = it->late;
    ntf_item_step(it, out->step, sizeof out->step);
    ntf_copy(out->recipient_id, sizeof out->recipient_id, it->recipient);
    ntf_copy(out->employee_id, sizeof out->employee_id, s->employee_id);
    ntf_copy(out->type, sizeof out->type, s->type);
    bool day = it->kind == NTF_KIND_REMINDER || it->kind == NTF_KIND_OVERDUE || it->kind == NTF_KIND_ESCALATION ||
               it->kind == NTF_KIND_CATCHUP;
    out->due = day ? (int32_t) it->ref : s->due;
    out->fire_ms = it->fire_ms;
    out->ref = it->ref;
    out->offset = it->offset;
    out->penalty_eur = s->penalty_eur;
    ntf_message_key(out->id, out->key);
    ntf_copy(out->obligation_id, sizeof out->obligation_id, s->obligation_id);
    ntf_copy(out->interview_id, sizeof out->interview_id, s->interview_id);
    ntf_copy(out->locale, sizeof out->locale, s->locale);
}
