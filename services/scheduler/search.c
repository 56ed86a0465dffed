/*  search.c — scheduler.employee.search (scheduler.h, proto
 *  EmployeeSearchRequest): finding people by id prefix or a part of their
 *  name, for the API's and the CLI's search box.
 *
 *  Who sees whom follows the scheduler's rules (access.c), decided for
 *  each employee as scheduler.employee decides: an administrator everyone,
 *  HR its granted entities, a manager her reporting line and herself, an
 *  employee herself; a service's key and HR without a grant are refused.
 *  An answer holds summaries only (names, placement, dates of hire and
 *  leave): the rest of a record is read with scheduler.employee, which
 *  checks again.
 *
 *  The employees database is walked in employee_id order from `after`: no
 *  name index.  A call stops after SCAN_MAX records and answers next_after
 *  from there, so one request stays bounded whatever the store's size and
 *  the caller pages on.
 */
#include "scheduler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 1000
#define SCAN_MAX 100000
#define Q_MAX 128               /* bytes of the query */
#define FOLD_MAX 512            /* bytes of a folded name */

/* How each letter of U+00C0..U+00FF is searched (NULL: × and ÷, kept). */
static const char *const S_LATIN1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Appends in, lowercased and without the accents of the Latin-1 letters
 * (é -> e, Œ/œ -> oe, ß -> ss), to out (size bytes, NUL-terminated, cut
 * when full).  Other characters are kept as they are. */
static void s_fold(const char *in, char *out, size_t size)
{
    size_t o = strlen(out);
    for (const unsigned char *p = (const unsigned char *) (in ? in : ""); *p && o + 3 < size; p++) {
        const char *rep = NULL;
        char one[2] = { 0, 0 };
        if (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            rep = S_LATIN1[p[1] - 0x80];
            if (rep)
                p++;
        } else if (p[0] == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) {
            rep = "oe";
            p++;
        }
        if (!rep) {
            one[0] = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            rep = one;
        }
        for (; *rep && o + 1 < size; rep++)
            out[o++] = *rep;
    }
    out[o] = '\0';
}

/* True when e matches the folded query q (empty: everyone). */
static bool s_matches(const Entretiens__V1__Employee *e, const char *q)
{
    if (!*q)
        return true;
    char id[FOLD_MAX] = "", first[FOLD_MAX] = "", last[FOLD_MAX] = "", full[FOLD_MAX] = "", rev[FOLD_MAX] = "";
    s_fold(e->employee_id, id, sizeof id);
    if (strncmp(id, q, strlen(q)) == 0)
        return true;
    s_fold(e->first_name, first, sizeof first);
    s_fold(e->last_name, last, sizeof last);
    snprintf(full, sizeof full, "%s %s", first, last);
    snprintf(rev, sizeof rev, "%s %s", last, first);
    return strstr(full, q) || strstr(rev, q);
}

static bool s_same(const char *want, const char *have)
{
    return !want || !*want || strcmp(want, have ? have : "") == 0;
}

/* The summary an answer shows (pointers into e, which must outlive it). */
static void s_summary(const Entretiens__V1__Employee *e, Entretiens__V1__Employee *out)
{
    entretiens__v1__employee__init(out);
    out->employee_id = e->employee_id;
    out->first_name = e->first_name;
    out->last_name = e->last_name;
    out->entity = e->entity;
    out->department = e->department;
    out->site = e->site;
    out->manager_id = e->manager_id;
    out->position = e->position;
    out->hired_on = e->hired_on;
    out->left_on = e->left_on;
    out->employed = e->employed;
}

static int s_search(ent_rpc_call_t *call, void *arg)
{
    scheduler_t *s = arg;
    Entretiens__V1__EmployeeSearchRequest *req = ent_rpc_unpack(call, &entretiens__v1__employee_search_request__descriptor);
    if (!req)
        return 0; /* answered INVALID_ARGUMENT */
    sched_caller_t who;
    Entretiens__V1__Employee **found = NULL, *sums = NULL, **ptrs = NULL;
    size_t n = 0;
    char q[Q_MAX * 2] = "", next[SCHED_ID_MAX + 1] = "";
    MDB_cursor *cur = NULL;
    int rc = 0;
    uint32_t limit = req->limit ? req->limit : LIMIT_DEFAULT;
    memset(&who, 0, sizeof who);
    if (req->q && strlen(req->q) > Q_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "q", "at most %d bytes", Q_MAX);
        goto done;
    }
    if (limit > LIMIT_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "limit", "limit is from 1 to %d", LIMIT_MAX);
        goto done;
    }
    if (req->after && strlen(req->after) > SCHED_ID_MAX) {
        rc = ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "after", "not an employee id");
        goto done;
    }
    if ((rc = sched_caller_load(s, call->txn, call->caller, &who)) != 0)
        goto done;
    if (!who.valid) {
        rc = ent_rpc_fail(call, ENT_PERMISSION_DENIED, "caller", "%s", who.why);
        goto done;
    }
    s_fold(req->q, q, sizeof q);
    found = calloc(limit, sizeof *found);
    if (!found) {
        rc = ENOMEM;
        goto done;
    }
    if ((rc = mdb_cursor_open(call->txn, s->employees, &cur)) != 0)
        goto done;
    size_t al = req->after ? strlen(req->after) : 0;
    MDB_val k = { al, req->after }, v;
    size_t scanned = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, al ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (al && k.mv_size == al && memcmp(k.mv_data, req->after, al) == 0)
            continue;
        if (n == limit || scanned == SCAN_MAX) {
            /* more remain: the next page starts after the last one looked at */
            break;
        }
        scanned++;
        size_t kl = k.mv_size <= SCHED_ID_MAX ? k.mv_size : SCHED_ID_MAX;
        memcpy(next, k.mv_data, kl);
        next[kl] = '\0';
        Entretiens__V1__Employee *e = entretiens__v1__employee__unpack(NULL, v.mv_size, v.mv_data);
        if (!e)
            continue; /* an unreadable record is not anyone's to find */
        ent_relation_t rel = ENT_REL_NONE;
        bool keep = s_same(req->entity, e->entity) && s_same(req->department, e->department) && s_matches(e, q);
        if (keep && (rc = sched_caller_relation(s, call->txn, &who, e, &rel)) != 0) {
            entretiens__v1__employee__free_unpacked(e, NULL);
            break;
        }
        if (keep && rel != ENT_REL_NONE)
            found[n++] = e;
        else
            entretiens__v1__employee__free_unpacked(e, NULL);
    }
    bool more = rc == 0;
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc)
        goto done;
    sums = calloc(n ? n : 1, sizeof *sums);
    ptrs = calloc(n ? n : 1, sizeof *ptrs);
    if (!sums || !ptrs) {
        rc = ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        s_summary(found[i], &sums[i]);
        ptrs[i] = &sums[i];
    }
    Entretiens__V1__EmployeeSearchReply rep = ENTRETIENS__V1__EMPLOYEE_SEARCH_REPLY__INIT;
    rep.employees = ptrs;
    rep.n_employees = n;
    rep.next_after = more ? next : "";
    rc = ent_rpc_ok(call, &rep.base);
done:
    if (rc == ENOMEM)
        rc = ent_rpc_fail(call, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
    if (cur)
        mdb_cursor_close(cur);
    for (size_t i = 0; i < n; i++)
        entretiens__v1__employee__free_unpacked(found[i], NULL);
    free(found);
    free(sums);
    free(ptrs);
    sched_caller_free(&who);
    entretiens__v1__employee_search_request__free_unpacked(req, NULL);
    return rc;
}

int sched_search_register(scheduler_t *s)
{
    return ent_daemon_method(s->d, "scheduler.employee.search", s_search, s);
}
