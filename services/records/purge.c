/*  purge.c — removing an employee's content: crypto-shredding of the whole
 *  (the data key destroyed, then each interview rewritten without its
 *  content and free text), the retention parts (private notes, preparations
 *  never shared), and the periodic sweep that applies the retention periods
 *  on the business clock (records.h, rec_retention.h). */
#include "records.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void s_clear(char **field)
{
    rec_set_str(field, "");
}

/* Blanks what the header holds of the person beyond the proof. */
static void s_blank_header(rec_iv_t *iv)
{
    s_clear(&iv->title);
    s_clear(&iv->reason);
    s_clear(&iv->first_name);
    s_clear(&iv->last_name);
    if (iv->employee_signature)
        s_clear(&iv->employee_signature->comment);
    if (iv->manager_signature)
        s_clear(&iv->manager_signature->comment);
    for (size_t i = 0; i < iv->n_carried_objectives; i++)
        entretiens__v1__objective__free_unpacked(iv->carried_objectives[i], NULL);
    for (size_t i = 0; i < iv->n_carried_action_items; i++)
        entretiens__v1__action_item__free_unpacked(iv->carried_action_items[i], NULL);
    free(iv->carried_objectives);
    free(iv->carried_action_items);
    iv->carried_objectives = NULL, iv->n_carried_objectives = 0;
    iv->carried_action_items = NULL, iv->n_carried_action_items = 0;
}

int rec_purge_employee(records_t *r, MDB_txn *txn, const char *employee, const char *actor, const char *reason,
                       rec_purge_result_t *res)
{
    memset(res, 0, sizeof *res);
    char(*ids)[REC_ID_MAX + 1] = NULL;
    size_t n = 0;
    int rc = rec_employee_interviews(r, txn, employee, &ids, &n);
    if (rc)
        return rc;
    /* the key first, in its own committed transaction: even if this turn is
     * lost, the content is unreadable from now on (rec_crypt.h) */
    if (r->crypt && (rc = rec_crypt_shred(r->crypt, employee, &res->key_destroyed)) != 0) {
        free(ids);
        return rc;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        rec_iv_t *iv = NULL, *before = NULL;
        if ((rc = rec_iv_get(r, txn, ids[i], &iv)))
            break;
        if (iv->purged) {
            rec_iv_free(iv);
            continue;
        }
        if (!(before = rec_iv_dup(iv))) {
            rec_iv_free(iv);
            rc = ENOMEM;
            break;
        }
        s_blank_header(iv);
        iv->purged = true;
        iv->purged_at_ms = ent_clock_now_ms();
        json_t *det = json_pack("{ss s[s]}", "reason", rec_str(reason), "parts", "content");
        /* published too: the copies other daemons keep of what was signed
         * (analytics) go with it, and a DPO's systems hear of it */
        rec_change_t ch = { .before = before, .after = iv, .actor = actor, .action = "purge", .details = det,
                            .drop_content = true, .event = "records.interview.purged" };
        rc = rec_commit(r, txn, &ch);
        if (!rc && res->n < REC_PURGE_IDS_MAX)
            memcpy(res->ids[res->n], ids[i], sizeof res->ids[0]);
        if (!rc)
            res->n++;
        rec_iv_free(before);
        rec_iv_free(iv);
    }
    free(ids);
    if (!rc)
        ent_log_info("records.purged", "employee's content purged: %zu interviews, key %s", res->n,
                     res->key_destroyed ? "destroyed" : "absent");
    return rc;
}

static bool s_prepared(const char *answers)
{
    return answers && *answers && strcmp(answers, "{}") != 0;
}

int rec_purge_parts(records_t *r, MDB_txn *txn, const char *employee, bool notes, bool preparation, const char *actor,
                    size_t *changed)
{
    *changed = 0;
    char(*ids)[REC_ID_MAX + 1] = NULL;
    size_t n = 0;
    int rc = rec_employee_interviews(r, txn, employee, &ids, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        rec_iv_t *iv = NULL;
        rec_content_t *c = NULL;
        if ((rc = rec_iv_get(r, txn, ids[i], &iv)))
            break;
        if (iv->purged || (rc = rec_content_get(r, txn, ids[i], &c)) != 0) {
            /* shredded: nothing left to remove; forged (logged): left to
             * audit verify, the others still go */
            rc = rc == REC_CRYPT_SHREDDED || rc == REC_CRYPT_FORGED ? 0 : rc;
            rec_iv_free(iv);
            continue;
        }
        json_t *parts = json_array();
        if (notes && c->manager_notes && *c->manager_notes) {
            s_clear(&c->manager_notes);
            json_array_append_new(parts, json_string("manager_notes"));
        }
        if (preparation && !iv->employee_shared && s_prepared(c->employee_answers)) {
            s_clear(&c->employee_answers);
            json_array_append_new(parts, json_string("employee_preparation"));
        }
        if (preparation && !iv->manager_shared && s_prepared(c->manager_answers)) {
            s_clear(&c->manager_answers);
            json_array_append_new(parts, json_string("manager_preparation"));
        }
        if (json_array_size(parts)) {
            rec_iv_t *before = rec_iv_dup(iv);
            rec_change_t ch = { .before = before ? before : iv, .after = iv, .content = c, .actor = actor,
                                .action = "purge", .details = json_pack("{ss so}", "reason", "retention", "parts", parts),
                                .quiet = true };
            parts = NULL;
            rc = before ? rec_commit(r, txn, &ch) : ENOMEM;
            if (!before)
                json_decref(ch.details);
            rec_iv_free(before);
            if (!rc)
                (*changed)++;
        }
        json_decref(parts);
        rec_content_free(c);
        rec_iv_free(iv);
    }
    free(ids);
    return rc;
}

/* ------------------------------------------------------------- the sweep */

/* The parts done for an employee (retention db: employee -> one byte). */
static int s_done_get(records_t *r, MDB_txn *txn, const char *employee, uint8_t *mask)
{
    MDB_val k = { strlen(employee), (void *) employee }, v;
    int rc = mdb_get(txn, r->retention, &k, &v);
    *mask = rc == 0 && v.mv_size == 1 ? *(const uint8_t *) v.mv_data : 0;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_done_put(records_t *r, MDB_txn *txn, const char *employee, uint8_t mask)
{
    MDB_val k = { strlen(employee), (void *) employee }, v = { 1, &mask };
    if (mask)
        return mdb_put(txn, r->retention, &k, &v, 0);
    int rc = mdb_del(txn, r->retention, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

typedef struct {
    char (*ids)[REC_ID_MAX + 1];
    int32_t *left;
    size_t n, cap;
} s_departed_t;

static int s_collect(const MDB_val *k, const MDB_val *v, void *arg)
{
    s_departed_t *d = arg;
    if (k->mv_size == 0 || k->mv_size > REC_ID_MAX)
        return 0;
    Entretiens__V1__Employee *e = entretiens__v1__employee__unpack(NULL, v->mv_size, v->mv_data);
    if (!e)
        return 0; /* unreadable: the directory's own problem, not a reason to stop purging others */
    int32_t left = ent_pbdate_day(e->left_on);
    entretiens__v1__employee__free_unpacked(e, NULL);
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        void *a = realloc(d->ids, cap * sizeof *d->ids), *b = a ? realloc(d->left, cap * sizeof *d->left) : NULL;
        if (a)
            d->ids = a;
        if (!b)
            return ENOMEM;
        d->left = b;
        d->cap = cap;
    }
    memcpy(d->ids[d->n], k->mv_data, k->mv_size);
    d->ids[d->n][k->mv_size] = '\0';
    d->left[d->n++] = left;
    return 0;
}

/* Collects the directory's entries after pos->next, at most budget of
 * them, into d; *end when the walk reached the last one.  pos->next moves
 * to the last key collected. */
static int s_collect_chunk(records_t *r, MDB_txn *txn, rec_sweep_pos_t *pos, size_t budget, s_departed_t *d,
                           bool *end)
{
    *end = false;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->directory, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    rc = ent_store_cursor_after(cur, pos->next, &k, &v);
    for (size_t seen = 0; rc == 0 && seen < budget; seen++) {
        if ((rc = s_collect(&k, &v, d)) != 0)
            break;
        pos->seen++;
        if (k.mv_size <= REC_ID_MAX) {
            memcpy(pos->next, k.mv_data, k.mv_size);
            pos->next[k.mv_size] = '\0';
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND) {
        *end = true;
        rc = 0;
    }
    return rc;
}

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define S_PASS_MS (3600 * 1000) /* a pass an hour, and one at each new business day */

int rec_retention_sweep(MDB_txn *txn, void *arg)
{
    records_t *r = arg;
    rec_sweep_pos_t *pos = &r->turn_retention_pos;
    /* retention periods are counted in years: the process' date */
    int32_t today = ent_clock_today();
    int64_t mono = s_mono_ms();
    if (!pos->running) {
        if (pos->day == today && pos->at_ms && mono - pos->at_ms < S_PASS_MS)
            return 0;
        pos->running = true;
        pos->next[0] = '\0';
        pos->day = today;
        pos->at_ms = mono;
        pos->seen = pos->turns = 0;
    }
    pos->turns++;
    size_t budget = ent_clock_pinned() ? SIZE_MAX : r->retention_chunk ? r->retention_chunk : 20000;
    s_departed_t d = { 0 };
    bool end = false;
    int rc = s_collect_chunk(r, txn, pos, budget, &d, &end);
    size_t purged = 0, parts = 0;
    for (size_t i = 0; i < d.n && !rc; i++) {
        uint8_t done = 0, due = 0;
        if ((rc = s_done_get(r, txn, d.ids[i], &done)))
            break;
        if (rec_retention_phase(&r->retention_cfg, d.left[i], today) == REC_PHASE_ACTIVE) {
            if (done) /* re-hired: a later departure counts again */
                rc = s_done_put(r, txn, d.ids[i], 0);
            continue;
        }
        for (int p = 0; p < REC_PART_COUNT; p++)
            if (today >= rec_retention_purge_day(&r->retention_cfg, (rec_part_t) p, d.left[i]))
                due |= (uint8_t) (1u << p);
        if (!(due & ~done))
            continue;
        if (due & (1u << REC_PART_CONTENT)) {
            rec_purge_result_t res;
            rc = rec_purge_employee(r, txn, d.ids[i], "records", "retention", &res);
            purged += res.n;
            due = (uint8_t) ((1u << REC_PART_COUNT) - 1); /* everything went with the key */
        } else {
            size_t n = 0;
            rc = rec_purge_parts(r, txn, d.ids[i], due & (1u << REC_PART_NOTES) && !(done & (1u << REC_PART_NOTES)),
                                 due & (1u << REC_PART_PREPARATION) && !(done & (1u << REC_PART_PREPARATION)),
                                 "records", &n);
            parts += n;
        }
        if (rc == MDB_CORRUPTED || rc == REC_CRYPT_FORGED) {
            /* one person's altered record must not stop everyone's purge:
             * said, left for the next sweep (and for audit verify) */
            ent_log_error("records.retention", "retention of an employee's records stopped on an unreadable "
                                               "interview (%d); retried at the next sweep", rc);
            rc = 0;
            continue;
        }
        if (!rc)
            rc = s_done_put(r, txn, d.ids[i], done | due);
    }
    free(d.ids);
    free(d.left);
    if (!rc && end) {
        pos->running = false; /* the last employee: the pass is over */
        ent_log_info("records.retention_pass", "retention pass over %zu employees in %zu turns", pos->seen,
                     pos->turns);
    }
    if (!rc && (purged || parts))
        ent_log_info("records.retention", "retention sweep: %zu interviews purged, %zu had notes or preparations removed",
                     purged, parts);
    return rc;
}

void rec_retention_reset(void *arg)
{
    records_t *r = arg;
    r->turn_retention_pos = r->retention_pos;
}

void rec_retention_flush(void *arg, bool committed)
{
    records_t *r = arg;
    if (committed)
        r->retention_pos = r->turn_retention_pos;
    else
        r->turn_retention_pos = r->retention_pos;
}
