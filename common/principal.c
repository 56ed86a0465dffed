/*  principal.c — principal grammar, scopes and relations (principal.h). */
#include "common/principal.h"

#include <stdio.h>
#include <string.h>

static const char *const s_roles[ENT_ROLE_COUNT] = { "employee", "manager", "hr", "admin", "service" };
static const char *const s_rels[ENT_REL_COUNT] = { "none", "self", "line", "hr", "admin" };

const char *ent_role_name(ent_role_t role)
{
    return (unsigned) role < ENT_ROLE_COUNT ? s_roles[role] : "?";
}

const char *ent_relation_name(ent_relation_t rel)
{
    return (unsigned) rel < ENT_REL_COUNT ? s_rels[rel] : "?";
}

static bool s_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '-';
}

int ent_principal_parse(const char *text, ent_principal_t *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    memset(out, 0, sizeof *out);
    if (!text || !*text) {
        *why = "no principal: say who acts (role:id, e.g. employee:E42)";
        return -1;
    }
    const char *colon = strchr(text, ':');
    if (!colon) {
        *why = "a principal is role:id (employee, manager, hr, admin or service)";
        return -1;
    }
    size_t rl = (size_t) (colon - text);
    int role = -1;
    for (int i = 0; i < ENT_ROLE_COUNT; i++)
        if (strlen(s_roles[i]) == rl && strncmp(text, s_roles[i], rl) == 0)
            role = i;
    if (role < 0) {
        *why = "unknown role (employee, manager, hr, admin or service)";
        return -1;
    }
    const char *id = colon + 1;
    size_t n = strlen(id);
    if (n == 0 || n > ENT_PRINCIPAL_ID_MAX) {
        *why = "a principal's id has 1 to 64 characters";
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!s_id_char(id[i])) {
            *why = "a principal's id holds letters, digits and . _ @ - only";
            return -1;
        }
    out->role = (ent_role_t) role;
    memcpy(out->id, id, n + 1);
    return 0;
}

char *ent_principal_format(const ent_principal_t *p, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%s", ent_role_name(p->role), p->id);
    return buf;
}

bool ent_principal_is_person(const ent_principal_t *p)
{
    return p->role == ENT_ROLE_EMPLOYEE || p->role == ENT_ROLE_MANAGER;
}

bool ent_scope_covers(const ent_scope_t *scope, const char *entity)
{
    if (!scope || !scope->granted)
        return false;
    if (scope->all)
        return true;
    if (!entity || !*entity)
        return false;
    for (size_t i = 0; i < scope->n_entities; i++)
        if (scope->entities[i] && strcmp(scope->entities[i], entity) == 0)
            return true;
    return false;
}

static bool s_same(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

ent_relation_t ent_principal_relation(const ent_principal_t *p, const ent_scope_t *scope,
                                      const ent_subject_t *subject)
{
    switch (p->role) {
    case ENT_ROLE_ADMIN:
        return ENT_REL_ADMIN;
    case ENT_ROLE_HR:
        return ent_scope_covers(scope, subject->entity) ? ENT_REL_HR : ENT_REL_NONE;
    case ENT_ROLE_EMPLOYEE:
        return s_same(p->id, subject->employee_id) ? ENT_REL_SELF : ENT_REL_NONE;
    case ENT_ROLE_MANAGER:
        if (s_same(p->id, subject->employee_id))
            return ENT_REL_SELF;
        return subject->in_line ? ENT_REL_LINE : ENT_REL_NONE;
    default:
        return ENT_REL_NONE; /* services and anything new: nothing by default */
    }
}

bool ent_relation_sees_health(ent_relation_t rel)
{
    return rel == ENT_REL_SELF || rel == ENT_REL_HR || rel == ENT_REL_ADMIN;
}
