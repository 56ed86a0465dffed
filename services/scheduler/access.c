/*  access.c — who may read the scheduler's data (scheduler.h): the rules
 *  of common/principal.h applied to employees, their obligations and their
 *  history.  Deny by default: a principal that does not parse, a service,
 *  HR without a grant see nothing. */
#include "scheduler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_CACHE 8192   /* verdicts kept per call (a due listing's managers) */
#define LINE_DEPTH 64     /* management chains are followed this far */

struct sched_line_cache {
    char (*id)[SCHED_ID_MAX + 1];
    uint8_t *state;       /* 0 empty, 1 the principal is at or above, 2 not */
};

int sched_caller_load(scheduler_t *s, MDB_txn *txn, const char *caller, sched_caller_t *out)
{
    memset(out, 0, sizeof *out);
    if (ent_principal_parse(caller, &out->p, &out->why) != 0)
        return 0;
    if (out->p.role == ENT_ROLE_SERVICE) {
        out->why = "a service's key has no access to employees' deadlines";
        return 0;
    }
    if (out->p.role == ENT_ROLE_HR) {
        int rc = ent_grants_scope(txn, s->grants, caller, &out->hr);
        if (rc)
            return rc;
        if (!out->hr.scope.granted) {
            out->why = "HR sees nothing until an administrator grants entities (records.access.grant)";
            return 0;
        }
    }
    out->valid = true;
    return 0;
}

void sched_caller_free(sched_caller_t *c)
{
    ent_grants_scope_free(&c->hr);
    if (c->line) {
        free(c->line->id);
        free(c->line->state);
        free(c->line);
    }
    memset(c, 0, sizeof *c);
}

bool sched_caller_hr(const sched_caller_t *c)
{
    return c->valid && (c->p.role == ENT_ROLE_ADMIN || (c->p.role == ENT_ROLE_HR && c->hr.scope.granted));
}

bool sched_caller_hr_all(const sched_caller_t *c)
{
    return c->valid && (c->p.role == ENT_ROLE_ADMIN || (c->p.role == ENT_ROLE_HR && c->hr.scope.all));
}

static size_t s_hash(const char *id)
{
    size_t h = 1469598103934665603u;
    for (; *id; id++)
        h = (h ^ (unsigned char) *id) * 1099511628211u;
    return h;
}

/* The slot of id (found or empty); NULL when the cache is full. */
static size_t *s_slot(struct sched_line_cache *lc, const char *id, size_t *slot)
{
    size_t h = s_hash(id) & (LINE_CACHE - 1);
    for (size_t i = 0; i < LINE_CACHE; i++, h = (h + 1) & (LINE_CACHE - 1))
        if (!lc->state[h] || strcmp(lc->id[h], id) == 0) {
            *slot = h;
            return slot;
        }
    return NULL;
}

/* True when the principal (a manager) is `manager` or above it. */
static int s_at_or_above(scheduler_t *s, MDB_txn *txn, sched_caller_t *c, const char *manager, bool *out)
{
    *out = false;
    if (!c->line) {
        c->line = calloc(1, sizeof *c->line);
        if (c->line) {
            c->line->id = calloc(LINE_CACHE, sizeof *c->line->id);
            c->line->state = calloc(LINE_CACHE, 1);
        }
        if (!c->line || !c->line->id || !c->line->state)
            return ENOMEM;
    }
    char path[LINE_DEPTH][SCHED_ID_MAX + 1];
    int depth = 0, rc = 0;
    bool verdict = false;
    char cur[SCHED_ID_MAX + 1];
    snprintf(cur, sizeof cur, "%s", manager ? manager : "");
    while (cur[0] && depth < LINE_DEPTH) {
        if (strcmp(cur, c->p.id) == 0) {
            verdict = true;
            break;
        }
        size_t slot;
        if (s_slot(c->line, cur, &slot) && c->line->state[slot]) {
            verdict = c->line->state[slot] == 1;
            break;
        }
        memcpy(path[depth++], cur, sizeof cur);
        Entretiens__V1__Employee *e = NULL;
        rc = sched_employee_get(s, txn, cur, &e);
        if (rc == MDB_NOTFOUND) {
            rc = 0;
            break;
        }
        if (rc)
            return rc;
        /* a cycle in bad data ends at LINE_DEPTH */
        snprintf(cur, sizeof cur, "%s", e->manager_id ? e->manager_id : "");
        entretiens__v1__employee__free_unpacked(e, NULL);
    }
    for (int i = 0; i < depth; i++) {
        size_t slot;
        if (s_slot(c->line, path[i], &slot) && !c->line->state[slot]) {
            memcpy(c->line->id[slot], path[i], sizeof path[i]);
            c->line->state[slot] = verdict ? 1 : 2;
        }
    }
    *out = verdict;
    return rc;
}

int sched_caller_relation(scheduler_t *s, MDB_txn *txn, sched_caller_t *c, const Entretiens__V1__Employee *emp,
                          ent_relation_t *out)
{
    *out = ENT_REL_NONE;
    if (!c->valid)
        return 0;
    ent_subject_t subj = { .employee_id = emp->employee_id, .entity = emp->entity };
    if (c->p.role == ENT_ROLE_MANAGER && strcmp(c->p.id, emp->employee_id ? emp->employee_id : "") != 0) {
        int rc = s_at_or_above(s, txn, c, emp->manager_id, &subj.in_line);
        if (rc)
            return rc;
    }
    *out = ent_principal_relation(&c->p, &c->hr.scope, &subj);
    return 0;
}

/* ------------------------------------------------------------- health */

static bool s_health_leave(int leave)
{
    return leave == SCH_LEAVE_SICK || leave == SCH_LEAVE_LONG_ILLNESS || leave == SCH_LEAVE_WORK_ACCIDENT ||
           leave == SCH_LEAVE_OCCUPATIONAL_DISEASE;
}

bool sched_obligation_hidden(const sched_obl_t *o)
{
    return o->o.type == SCH_TYPE_RETURN_MEDICAL_VISIT;
}

bool sched_obligation_health(const sched_obl_t *o)
{
    return sched_obligation_hidden(o) || (o->o.cause == SCH_CAUSE_RETURN && s_health_leave(o->o.detail));
}

void sched_obligation_redact(sched_obl_msg_t *m, sch_lang_t lang)
{
    snprintf(m->reason, sizeof m->reason, "%s",
             lang == SCH_LANG_FR
                 ? "Retour d'une absence : l'entretien est dû ; le motif de l'absence n'est montré qu'au salarié "
                   "et aux RH."
                 : "Return from a leave of absence: the interview is due; why the employee was absent is shown to "
                   "the employee and HR only.");
    m->msg.reason = m->reason;
}

bool sched_event_redact(Entretiens__V1__EmployeeEvent *ev)
{
    if (ev->type && strcmp(ev->type, "medical_visit") == 0)
        return false;
    sch_leave_t lk;
    if (ev->leave_kind && *ev->leave_kind && sch_leave_parse(ev->leave_kind, &lk) == 0 && s_health_leave(lk)) {
        ev->leave_kind[0] = '\0'; /* emptied in place: the message still owns it */
    }
    return true;
}
