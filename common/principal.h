/*  principal.h — who is asking, and what a principal may see: the one
 *  grammar and the one set of rules every daemon applies (deny by default).
 *
 *  A principal is "role:id".  Roles:
 *    employee:E42   a person, about her own data;
 *    manager:E7     a person who manages others (her id is an employee id);
 *                   she sees the people under her in the reporting line;
 *    hr:alice       an HR officer; sees nothing until an administrator
 *                   grants her a scope (entities, with or without the
 *                   content of interviews: records.access.grant);
 *    admin:root     an administrator (operators);
 *    service:hris   a machine (another system, a daemon); no relation to
 *                   anyone's data: only the methods its key allows.
 *  An id has 1 to 64 characters among letters, digits and . _ @ -.
 *
 *  The principal of a request never comes from the request itself: the
 *  RPC layer takes it from the authenticated CurveZMQ key (rpc.h), and
 *  only keys allowed to assert (the operator CLI, the gateway) may name
 *  another one.  This module only parses and decides.
 *
 *  Scopes.  An HR grant (proto AccessGrant) names entities ("*" = all) and
 *  whether interview content may be read.  Records owns the grants and
 *  publishes records.access.granted / .revoked; every other daemon keeps a
 *  copy (grants.h) and decides with the same functions below.
 */
#ifndef ENT_PRINCIPAL_H
#define ENT_PRINCIPAL_H

#include <stdbool.h>
#include <stddef.h>

#define ENT_PRINCIPAL_ID_MAX 64
#define ENT_PRINCIPAL_MAX (sizeof "employee:" - 1 + ENT_PRINCIPAL_ID_MAX) /* longest text form */
#define ENT_SCOPE_MAX_ENTITIES 1000
#define ENT_ENTITY_MAX 64

typedef enum {
    ENT_ROLE_EMPLOYEE = 0,
    ENT_ROLE_MANAGER,
    ENT_ROLE_HR,
    ENT_ROLE_ADMIN,
    ENT_ROLE_SERVICE,
    ENT_ROLE_COUNT
} ent_role_t;

typedef struct {
    ent_role_t role;
    char id[ENT_PRINCIPAL_ID_MAX + 1];
} ent_principal_t;

/* Parses "role:id".  Returns 0 with *out filled, or -1 with *why (may be
 * NULL) set to a static sentence saying what is wrong ("no principal",
 * "unknown role", ...).  out is zeroed in every case. */
int ent_principal_parse(const char *text, ent_principal_t *out, const char **why);

/* "employee" ... "service"; "?" out of range. */
const char *ent_role_name(ent_role_t role);

/* Writes "role:id" into buf (at least ENT_PRINCIPAL_MAX + 1 bytes).
 * Returns buf. */
char *ent_principal_format(const ent_principal_t *p, char *buf, size_t size);

/* True for the roles that act for a person (employee, manager): they see
 * their own data under their id. */
bool ent_principal_is_person(const ent_principal_t *p);

/* ------------------------------------------------------------- scopes */

/* An HR scope, as granted.  entities point into storage the caller keeps
 * alive (an unpacked AccessGrant). */
typedef struct {
    bool granted;              /* false: no grant at all (sees nothing) */
    bool all;                  /* "*" among the entities */
    char *const *entities;
    size_t n_entities;
    bool content;              /* may read the shared content of interviews */
} ent_scope_t;

/* True when the scope covers entity (an empty or NULL entity is covered
 * only by "*": data without an entity is not anyone's by default). */
bool ent_scope_covers(const ent_scope_t *scope, const char *entity);

/* ------------------------------------------------------------- relations */

/* How a principal relates to one person's data. */
typedef enum {
    ENT_REL_NONE = 0,   /* nothing: refuse (and do not say whether it exists) */
    ENT_REL_SELF,       /* the person herself */
    ENT_REL_LINE,       /* a manager above her in the reporting line */
    ENT_REL_HR,         /* HR whose scope covers her entity */
    ENT_REL_ADMIN,      /* an administrator */
    ENT_REL_COUNT
} ent_relation_t;

/* The facts a daemon gathered about the person. */
typedef struct {
    const char *employee_id;
    const char *entity;
    bool in_line;              /* the principal's id is above her (transitively) */
} ent_subject_t;

/* Decides the relation (deny by default: anything not listed is NONE).
 * scope is the principal's HR scope (may be NULL for non-HR). */
ent_relation_t ent_principal_relation(const ent_principal_t *p, const ent_scope_t *scope,
                                      const ent_subject_t *subject);

const char *ent_relation_name(ent_relation_t rel);

/* Health-related data (why someone was absent: sick leave, work accident,
 * occupational disease; the return medical visit) is for the person, HR
 * and administrators only: a line manager learns that a return interview
 * is due, not why. */
bool ent_relation_sees_health(ent_relation_t rel);

#endif
