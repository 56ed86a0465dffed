/*  retention.c — how long the notifier keeps what it holds about a person,
 *  and its dead letters (notifier.h; docs/data-protection.md "Retention").
 *
 *  About a person who left (her contact's departure day, from the HRIS
 *  through the scheduler's employee.upserted): once
 *  ENTRETIENS_RETENTION_NOTIFICATIONS_YEARS have passed since that day, on
 *  the business clock, everything goes in one transaction — her subjects
 *  and their plans (reminders still pending included, with their timers),
 *  every notification of those subjects (sent, failed, dead, cancelled,
 *  digested, to her or to her managers, with their delivery history), the
 *  digests and catch-ups addressed to her, and her contact.  The plan is
 *  the index the lists and the subject export read notifications through,
 *  so both share one period: what remains is always complete.
 *
 *  Dead letters (undeliverable notifications kept for an operator to send
 *  again): once ENTRETIENS_RETENTION_NOTIFIER_DEADLETTER_DAYS have passed
 *  since the notification died, it is deleted with its record.
 *
 *  Log lines and metrics carry counts only, never an id or an address.
 */
#include "notifier.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"
#include "common/retention.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_BUDGET 10000            /* records deleted per turn: requests keep being answered */
#define S_DEAD_CHUNK 1000         /* dead letters looked at per turn */
#define S_CHUNK 20000             /* contacts looked at per turn on the real clock */
#define S_PASS_MS (3600 * 1000LL) /* a pass at least hourly (real time), and at every new business day */

typedef struct {
    size_t people, notifications, subjects, dead;
    size_t budget;                /* deletions left in this turn */
    bool more;                    /* the dead letters' chunk was full: others may be due */
} s_tally_t;

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ntf_dead_put(notifier_t *n, MDB_txn *txn, const char *id, int64_t died_ms)
{
    uint8_t at[8];
    ent_be64_put(at, (uint64_t) died_ms);
    MDB_val k = { strlen(id), (void *) id }, v = { sizeof at, at };
    return mdb_put(txn, n->dead, &k, &v, 0);
}

static int s_del_key(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t len)
{
    MDB_val k = { len, (void *) key };
    int rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Removes the notification the cursor (on notifs) stands on, with its
 * entries in the sending / retries / dead indexes and its status count.
 * One that cannot be read loses its record and the entries keyed by its id
 * alone (a retry entry needs its time: it is dropped when the retry finds
 * no record). */
static int s_notif_del(notifier_t *n, MDB_txn *txn, MDB_cursor *cur, const MDB_val *k, const MDB_val *v)
{
    ntf_notif_t nf;
    bool readable = ntf_notif_unpack(v->mv_data, v->mv_size, &nf) == 0;
    /* the key is copied first: the page it points into may move once
     * other databases are written in this transaction */
    uint8_t key[8 + NTF_NID_MAX];
    size_t len = k->mv_size <= NTF_NID_MAX ? k->mv_size : NTF_NID_MAX;
    memcpy(key + 8, k->mv_data, len);
    int rc = s_del_key(txn, n->sending, key + 8, len);
    if (!rc)
        rc = s_del_key(txn, n->dead, key + 8, len);
    if (!rc && readable && nf.status == NTF_ST_FAILED) {
        ent_be64_put(key, (uint64_t) nf.next_try_ms);
        rc = s_del_key(txn, n->retries, key, 8 + len);
    }
    if (!rc)
        rc = mdb_cursor_del(cur, 0);
    if (!rc && readable)
        rc = ntf_count_add(n, txn, nf.status, -1);
    if (readable)
        ntf_notif_clear(&nf);
    return rc;
}

/* Deletes every notification whose id starts with prefix (seeking again
 * after each deletion: a cursor is never trusted past a delete). */
static int s_notifs_del_prefix(notifier_t *n, MDB_txn *txn, const char *prefix, s_tally_t *t)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, n->notifs, &cur);
    if (rc)
        return rc;
    size_t plen = strlen(prefix);
    for (;;) {
        MDB_val k = { plen, (void *) prefix }, v;
        if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)) != 0)
            break;
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        if ((rc = s_notif_del(n, txn, cur, &k, &v)) != 0)
            break;
        t->notifications++;
        if (t->budget)
            t->budget--;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* A list of ids (subject keys, employee ids), grown as needed. */
typedef struct {
    char (*v)[NTF_KEY_MAX + 1];
    size_t n, cap;
} s_ids_t;

static int s_ids_push(s_ids_t *l, const MDB_val *id)
{
    if (id->mv_size == 0 || id->mv_size > NTF_KEY_MAX)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *p = realloc(l->v, cap * sizeof *l->v);
        if (!p)
            return ENOMEM;
        l->v = p;
        l->cap = cap;
    }
    memcpy(l->v[l->n], id->mv_data, id->mv_size);
    l->v[l->n++][id->mv_size] = '\0';
    return 0;
}

/* The subject keys of an employee into keys. */
static int s_subject_keys(notifier_t *n, MDB_txn *txn, const char *employee, s_ids_t *keys)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, n->emp_subjects, &cur);
    if (rc)
        return rc;
    MDB_val k = { strlen(employee), (void *) employee }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
        if ((rc = s_ids_push(keys, &v)) != 0)
            break;
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Removes a subject: its timer, its pending count, its record and every
 * notification it produced. */
static int s_subject_del(notifier_t *n, MDB_txn *txn, const char *key, s_tally_t *t)
{
    ntf_subject_t *s = &n->subj[0];
    int rc = ntf_subject_get(n, txn, key, s);
    if (rc == 0) {
        if (s->timer_ms) {
            uint8_t tk[8 + NTF_KEY_MAX];
            rc = s_del_key(txn, n->timers, tk, ntf_timer_key(s->timer_ms, s->key, tk));
        }
        if (!rc)
            rc = ntf_count_add(n, txn, NTF_CNT_PLANNED, -(int64_t) ntf_subject_pending(s));
        if (!rc)
            rc = ntf_count_add(n, txn, NTF_CNT_SUBJECTS, -1);
    } else if (rc == MDB_NOTFOUND) {
        rc = 0; /* gone, or unreadable (logged): its key still goes */
    }
    if (!rc)
        rc = s_del_key(txn, n->subjects, key, strlen(key));
    if (rc)
        return rc;
    t->subjects++;
    char prefix[NTF_KEY_MAX + 2];
    size_t len = strlen(key);
    memcpy(prefix, key, len);
    memcpy(prefix + len, "|", 2);
    return s_notifs_del_prefix(n, txn, prefix, t);
}

/* Everything the notifier holds about one person. */
static int s_person_del(notifier_t *n, MDB_txn *txn, const char *employee, s_tally_t *t)
{
    s_ids_t keys = { 0 };
    int rc = s_subject_keys(n, txn, employee, &keys);
    for (size_t i = 0; i < keys.n && !rc; i++)
        rc = s_subject_del(n, txn, keys.v[i], t);
    free(keys.v);
    if (!rc)
        rc = s_del_key(txn, n->emp_subjects, employee, strlen(employee));
    /* the digests and catch-ups addressed to her: "<kind>|<recipient>|<date>" */
    static const char *const kinds[] = { "digest|", "catchup|" };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds && !rc; i++) {
        char prefix[16 + NTF_ID_MAX];
        size_t kl = strlen(kinds[i]), el = strlen(employee);
        memcpy(prefix, kinds[i], kl);
        memcpy(prefix + kl, employee, el);
        memcpy(prefix + kl + el, "|", 2);
        rc = s_notifs_del_prefix(n, txn, prefix, t);
    }
    if (!rc) {
        MDB_val k = { strlen(employee), (void *) employee };
        ntf_contact_forget(n, employee);
        rc = mdb_del(txn, n->contacts, &k, NULL);
        if (rc == 0)
            rc = ntf_count_add(n, txn, NTF_CNT_CONTACTS, -1);
        else if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    if (!rc)
        t->people++;
    return rc;
}

/* Walks the contacts after the pass' resume point (at most `scan` of
 * them), listing those whose period is over today, at most max (each
 * costs one deletion at least); the pass' walk ends at the last one. */
static int s_departed(notifier_t *n, MDB_txn *txn, int32_t today, size_t scan, size_t max, s_ids_t *ids)
{
    struct ntf_retention_pass *p = &n->turn_retention;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, n->contacts, &cur);
    if (rc)
        return rc;
    size_t seen = 0;
    MDB_val k = { strlen(p->next), p->next }, v;
    rc = mdb_cursor_get(cur, &k, &v, k.mv_size ? MDB_SET_RANGE : MDB_FIRST);
    if (rc == 0 && k.mv_size == strlen(p->next) && memcmp(k.mv_data, p->next, k.mv_size) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT); /* resume after it */
    for (; rc == 0 && seen < scan && ids->n < max; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 0 || k.mv_size > NTF_ID_MAX)
            continue;
        seen++;
        memcpy(p->next, k.mv_data, k.mv_size);
        p->next[k.mv_size] = '\0';
        Entretiens__V1__Contact *c = entretiens__v1__contact__unpack(NULL, v.mv_size, v.mv_data);
        if (!c)
            continue; /* unreadable: no departure day to count from, kept */
        bool due = ent_retention_departed_due(ent_pbdate_day(c->left_on), n->cfg.retention_years, today);
        entretiens__v1__contact__free_unpacked(c, NULL);
        if (due && (rc = s_ids_push(ids, &k)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) {
        rc = 0;
        p->running = false;
    }
    return rc;
}

/* The dead letters past their period (at most the budget).  Entries
 * written before they were dated are dated now: kept a whole period from
 * today, never less. */
static int s_dead_sweep(notifier_t *n, MDB_txn *txn, int64_t now_ms, s_tally_t *t)
{
    size_t cap = t->budget < S_DEAD_CHUNK ? t->budget : S_DEAD_CHUNK;
    char (*ids)[NTF_NID_MAX + 1] = malloc(S_DEAD_CHUNK * sizeof *ids);
    bool *undated = malloc(S_DEAD_CHUNK * sizeof *undated);
    MDB_cursor *cur = NULL;
    size_t m = 0;
    int rc = ids && undated ? mdb_cursor_open(txn, n->dead, &cur) : ENOMEM;
    if (rc)
        goto done;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && m < cap;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 0 || k.mv_size > NTF_NID_MAX)
            continue;
        bool dated = v.mv_size == 8;
        if (dated && !ent_retention_expired((int64_t) ent_be64_get(v.mv_data), now_ms, n->cfg.deadletter_days))
            continue;
        memcpy(ids[m], k.mv_data, k.mv_size);
        ids[m][k.mv_size] = '\0';
        undated[m++] = !dated;
    }
    mdb_cursor_close(cur);
    cur = NULL;
    if (rc == 0)
        t->more = true; /* stopped at the chunk: others may be due */
    else if (rc != MDB_NOTFOUND)
        goto done;
    rc = mdb_cursor_open(txn, n->notifs, &cur);
    for (size_t i = 0; i < m && !rc; i++) {
        if (undated[i]) {
            rc = ntf_dead_put(n, txn, ids[i], now_ms);
            continue;
        }
        MDB_val nk = { strlen(ids[i]), ids[i] }, nv;
        int g = mdb_cursor_get(cur, &nk, &nv, MDB_SET_KEY);
        if (g == 0)
            rc = s_notif_del(n, txn, cur, &nk, &nv); /* the dead entry with it */
        else if (g == MDB_NOTFOUND)
            rc = s_del_key(txn, n->dead, ids[i], strlen(ids[i]));
        else
            rc = g;
        if (!rc) {
            t->dead++;
            t->budget--;
        }
    }
done:
    if (cur)
        mdb_cursor_close(cur);
    free(ids);
    free(undated);
    return rc;
}

int ntf_retention_sweep(MDB_txn *txn, void *arg)
{
    notifier_t *n = arg;
    struct ntf_retention_pass *p = &n->turn_retention;
    int32_t today = ent_clock_today();
    int64_t mono = s_mono_ms();
    if (!p->running && !p->dead) {
        if (p->day == today && mono - p->at < S_PASS_MS)
            return 0;
        /* a new pass: at start, hourly, and at every new business day (so
         * at every clock change) */
        p->running = p->dead = true;
        p->next[0] = '\0';
        p->day = today;
        p->at = mono;
    }
    /* a pinned clock (tests, demonstrations) does the whole pass in this
     * turn, so that a clock change's reply means it is done */
    bool pinned = ent_clock_pinned();
    s_tally_t t = { .budget = S_BUDGET };
    int rc = 0;
    while (!rc && p->running && t.budget) {
        s_ids_t ids = { 0 };
        rc = s_departed(n, txn, today, pinned ? SIZE_MAX : S_CHUNK, t.budget, &ids);
        for (size_t i = 0; i < ids.n && !rc; i++)
            rc = s_person_del(n, txn, ids.v[i], &t);
        free(ids.v);
        if (!pinned)
            break;
    }
    while (!rc && !p->running && p->dead && t.budget) {
        t.more = false;
        rc = s_dead_sweep(n, txn, ent_clock_now_ms(), &t);
        p->dead = t.more;
        if (!pinned)
            break;
    }
    if (rc)
        return rc;
    n->turn_stats.purged[NTF_PURGE_NOTIFICATIONS] += (double) t.notifications;
    n->turn_stats.purged[NTF_PURGE_DEADLETTERS] += (double) t.dead;
    if (t.people)
        ent_log_info("retention.notifications",
                     "%zu people who left %d years ago or more: %zu notifications and %zu plans deleted", t.people,
                     n->cfg.retention_years, t.notifications, t.subjects);
    if (t.dead)
        ent_log_info("retention.deadletters", "%zu dead letter%s older than %u days deleted", t.dead,
                     t.dead == 1 ? "" : "s", n->cfg.deadletter_days);
    return 0;
}
