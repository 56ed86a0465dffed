/*  directory.c — the employees records knows (a projection of the
 *  scheduler's employee.upserted): who manages whom (records.h). */
#include "records.h"

#include "common/calendar.h"
#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"
#include "common/pbfast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int s_dir_get(records_t *r, MDB_txn *txn, const char *employee_id, ProtobufCAllocator *al,
                     Entretiens__V1__Employee **out)
{
    *out = NULL;
    if (!employee_id || !*employee_id || strlen(employee_id) > REC_ID_MAX)
        return MDB_NOTFOUND;
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, r->directory, &k, &v);
    if (rc)
        return rc;
    *out = ent_pbfast_unpack_or_pbc(&entretiens__v1__employee__descriptor, al, v.mv_size, v.mv_data);
    return *out ? 0 : MDB_CORRUPTED;
}

int rec_dir_get(records_t *r, MDB_txn *txn, const char *employee_id, Entretiens__V1__Employee **out)
{
    return s_dir_get(r, txn, employee_id, NULL, out);
}

int rec_dir_peek(records_t *r, MDB_txn *txn, const char *employee_id, Entretiens__V1__Employee **out)
{
    return s_dir_get(r, txn, employee_id, r->arena ? ent_pbarena_allocator(r->arena) : NULL, out);
}

void rec_dir_unpeek(records_t *r, Entretiens__V1__Employee *e)
{
    if (e)
        entretiens__v1__employee__free_unpacked(e, r->arena ? ent_pbarena_allocator(r->arena) : NULL);
}

int32_t rec_employee_today(const Entretiens__V1__Employee *e)
{
    ent_region_t region = ENT_REGION_METROPOLE;
    if (e && e->region && *e->region && ent_region_parse(e->region, &region) != 0)
        region = ENT_REGION_METROPOLE;
    return ent_clock_today_in(region);
}

int32_t rec_dir_today(records_t *r, MDB_txn *txn, const char *employee_id, int *err)
{
    *err = 0;
    Entretiens__V1__Employee *e = NULL;
    int rc = rec_dir_get(r, txn, employee_id, &e);
    if (rc && rc != MDB_NOTFOUND) {
        *err = rc;
        return ENT_DATE_NONE;
    }
    int32_t today = rec_employee_today(e);
    if (e)
        entretiens__v1__employee__free_unpacked(e, NULL);
    return today;
}

/* The manager of an employee into buf ("" when none or unknown). */
static int s_manager_of(records_t *r, MDB_txn *txn, const char *employee_id, char *buf, size_t size)
{
    buf[0] = '\0';
    Entretiens__V1__Employee *e = NULL;
    int rc = rec_dir_get(r, txn, employee_id, &e);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (e->manager_id && strlen(e->manager_id) < size)
        strcpy(buf, e->manager_id);
    entretiens__v1__employee__free_unpacked(e, NULL);
    return 0;
}

bool rec_dir_above(records_t *r, MDB_txn *txn, const char *manager_id, const char *employee_id)
{
    if (!manager_id || !*manager_id || !employee_id)
        return false;
    char cur[REC_ID_MAX + 1], next[REC_ID_MAX + 1];
    snprintf(cur, sizeof cur, "%s", employee_id);
    for (int depth = 0; depth < REC_TREE_DEPTH; depth++) {
        if (s_manager_of(r, txn, cur, next, sizeof next) != 0 || !next[0])
            return false;
        if (strcmp(next, manager_id) == 0)
            return true;
        if (strcmp(next, employee_id) == 0)
            return false; /* a loop in the HR data */
        memcpy(cur, next, sizeof cur);
    }
    return false;
}

static int s_reports_key(uint8_t *key, const char *manager, const char *employee)
{
    size_t m = strlen(manager), e = strlen(employee);
    memcpy(key, manager, m);
    key[m] = 0;
    memcpy(key + m + 1, employee, e);
    return (int) (m + 1 + e);
}

/* The open interviews of an employee follow the directory: a new manager
 * becomes the interviewer of those not yet held (unless HR chose one), and
 * entity / department / site move with the employee. */
static int s_follow(records_t *r, MDB_txn *txn, const Entretiens__V1__Employee *e, const char *trace_id)
{
    size_t el = strlen(e->employee_id);
    uint8_t key[REC_ID_MAX + 2];
    memcpy(key, e->employee_id, el);
    key[el] = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->by_employee, &cur);
    if (rc)
        return rc;
    char (*ids)[REC_ID_MAX + 1] = NULL;
    size_t n = 0, cap = 0;
    MDB_val k = { el + 1, key }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= el + 1 || memcmp(k.mv_data, key, el + 1) != 0)
            break;
        size_t il = k.mv_size - el - 1;
        if (il > REC_ID_MAX)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            void *p = realloc(ids, cap * sizeof *ids);
            if (!p) {
                rc = ENOMEM;
                break;
            }
            ids = p;
        }
        memcpy(ids[n], (char *) k.mv_data + el + 1, il);
        ids[n++][il] = '\0';
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rec_iv_t *iv = NULL;
        if ((rc = rec_iv_get(r, txn, ids[i], &iv)))
            break;
        rec_state_t st;
        rec_state_parse(iv->status, &st);
        if (st == REC_S_CLOSED || st == REC_S_CANCELLED) {
            rec_iv_free(iv);
            continue;
        }
        bool move_mgr = !iv->reassigned && rec_state_before_meeting(st) &&
                        strcmp(rec_str(iv->manager_id), rec_str(e->manager_id)) != 0;
        bool move_org = strcmp(rec_str(iv->entity), rec_str(e->entity)) || strcmp(rec_str(iv->department), rec_str(e->department)) ||
                        strcmp(rec_str(iv->site), rec_str(e->site));
        if (!move_mgr && !move_org) {
            rec_iv_free(iv);
            continue;
        }
        rec_iv_t *before = rec_iv_dup(iv);
        if (!before) {
            rec_iv_free(iv);
            rc = ENOMEM;
            break;
        }
        json_t *det = json_object();
        if (move_mgr) {
            json_object_set_new(det, "manager_id", json_pack("[ss]", rec_str(iv->manager_id), rec_str(e->manager_id)));
            rec_set_str(&iv->manager_id, e->manager_id);
            rec_set_str(&iv->reason, "the manager changed in the HR directory");
        }
        if (move_org) {
            json_object_set_new(det, "entity", json_pack("[ss]", rec_str(iv->entity), rec_str(e->entity)));
            json_object_set_new(det, "department", json_pack("[ss]", rec_str(iv->department), rec_str(e->department)));
            rec_set_str(&iv->entity, e->entity);
            rec_set_str(&iv->department, e->department);
            rec_set_str(&iv->site, e->site);
        }
        rec_change_t ch = {
            .before = before, .after = iv, .actor = "scheduler", .action = move_mgr ? "reassign" : "directory",
            .details = det, .event = move_mgr ? "records.interview.reassigned" : NULL,
            .reason = move_mgr ? "the manager changed in the HR directory" : NULL,
            .previous_manager = before->manager_id, .trace_id = trace_id,
        };
        rc = rec_commit(r, txn, &ch);
        rec_iv_free(before);
        rec_iv_free(iv);
    }
    free(ids);
    return rc;
}

int rec_dir_upsert(records_t *r, MDB_txn *txn, const Entretiens__V1__Employee *e, const ProtobufCBinaryData *packed,
                   const char *trace_id)
{
    if (!e || !e->employee_id || !*e->employee_id || strlen(e->employee_id) > REC_ID_MAX ||
        (e->manager_id && strlen(e->manager_id) > REC_ID_MAX))
        return ENT_EVENT_SKIP;
    Entretiens__V1__Employee *old = NULL;
    int rc = rec_dir_peek(r, txn, e->employee_id, &old);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    rc = 0;
    uint8_t key[2 * REC_ID_MAX + 2];
    if (old && old->manager_id && *old->manager_id && strcmp(old->manager_id, rec_str(e->manager_id)) != 0)
        rc = rec_idx_del(r, txn, r->reports, key, (size_t) s_reports_key(key, old->manager_id, e->employee_id));
    if (!rc && e->manager_id && *e->manager_id)
        rc = rec_idx_put(r, txn, r->reports, key, (size_t) s_reports_key(key, e->manager_id, e->employee_id));
    bool changed = !old || strcmp(rec_str(old->manager_id), rec_str(e->manager_id)) ||
                   strcmp(rec_str(old->entity), rec_str(e->entity)) || strcmp(rec_str(old->department), rec_str(e->department)) ||
                   strcmp(rec_str(old->site), rec_str(e->site));
    rec_dir_unpeek(r, old);
    if (!rc) {
        MDB_val k = { strlen(e->employee_id), e->employee_id },
                v = { packed ? packed->len : entretiens__v1__employee__get_packed_size(e), NULL };
        rc = mdb_put(txn, r->directory, &k, &v, MDB_RESERVE);
        if (!rc && packed)
            memcpy(v.mv_data, packed->data, v.mv_size);
        else if (!rc)
            entretiens__v1__employee__pack(e, v.mv_data);
    }
    if (!rc && changed)
        rc = s_follow(r, txn, e, trace_id);
    return rc;
}
