/*  access.c — confidentiality rules (rec_access.h). */
#include "rec_access.h"

#include <stdio.h>
#include <string.h>

static const char *const s_rels[REC_REL_COUNT] = { "none", "employee", "interviewer", "line", "hr", "hr_content", "admin" };
static const char *const s_data[REC_D_COUNT] = {
    "progress", "shared_content", "employee_preparation", "manager_preparation", "manager_notes", "signatures", "audit",
    "reasons",
};

/* rows: relations; columns: data (progress, shared, emp private, mgr private, notes, signatures, audit,
 * reasons).  A reason typed by HR can hold health data: the employee and HR
 * with the content permission only (as health reasons, docs/records.md). */
static const bool s_matrix[REC_REL_COUNT][REC_D_COUNT] = {
    [REC_REL_NONE] = { 0, 0, 0, 0, 0, 0, 0, 0 },
    [REC_REL_EMPLOYEE] = { 1, 1, 1, 0, 0, 1, 1, 1 },
    [REC_REL_INTERVIEWER] = { 1, 1, 0, 1, 1, 1, 1, 0 },
    [REC_REL_LINE] = { 1, 1, 0, 0, 0, 1, 0, 0 },
    [REC_REL_HR] = { 1, 0, 0, 0, 0, 1, 1, 0 },
    [REC_REL_HR_CONTENT] = { 1, 1, 0, 0, 0, 1, 1, 1 },
    [REC_REL_ADMIN] = { 1, 0, 0, 0, 0, 1, 1, 0 },
};

const char *rec_relation_name(rec_relation_t r)
{
    return (unsigned) r < REC_REL_COUNT ? s_rels[r] : "?";
}

const char *rec_data_name(rec_data_t d)
{
    return (unsigned) d < REC_D_COUNT ? s_data[d] : "?";
}

static bool s_eq(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

rec_relation_t rec_relation(const ent_principal_t *p, const rec_facts_t *f)
{
    switch (p->role) {
    case ENT_ROLE_ADMIN:
        return REC_REL_ADMIN;
    case ENT_ROLE_HR:
        return f->hr_in_scope ? (f->hr_content ? REC_REL_HR_CONTENT : REC_REL_HR) : REC_REL_NONE;
    case ENT_ROLE_EMPLOYEE:
        return s_eq(p->id, f->employee_id) ? REC_REL_EMPLOYEE : REC_REL_NONE;
    case ENT_ROLE_MANAGER:
        if (s_eq(p->id, f->employee_id))
            return REC_REL_EMPLOYEE; /* a manager's own interview */
        if (s_eq(p->id, f->manager_id))
            return REC_REL_INTERVIEWER;
        return f->in_line ? REC_REL_LINE : REC_REL_NONE;
    default:
        return REC_REL_NONE;
    }
}

bool rec_may_read(rec_relation_t rel, rec_data_t data)
{
    if ((unsigned) rel >= REC_REL_COUNT || (unsigned) data >= REC_D_COUNT)
        return false;
    return s_matrix[rel][data];
}

rec_actor_t rec_actor_of(rec_relation_t rel)
{
    switch (rel) {
    case REC_REL_EMPLOYEE:
        return REC_ACT_EMPLOYEE;
    case REC_REL_INTERVIEWER:
        return REC_ACT_INTERVIEWER;
    case REC_REL_LINE:
        return REC_ACT_LINE;
    case REC_REL_HR:
    case REC_REL_HR_CONTENT:
        return REC_ACT_HR;
    case REC_REL_ADMIN:
        return REC_ACT_ADMIN;
    default:
        return REC_ACT_COUNT;
    }
}
