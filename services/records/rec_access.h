/*  rec_access.h — who may see what, pure (no store).
 *
 *  The principal (common/principal.h: employee:E42, manager:E7, hr:alice,
 *  admin:root, service:x) is the one the RPC layer bound to the client's
 *  key (ent_rpc_call_t.caller), never a field of the request.
 *  The daemon works out the caller's relation to an interview (the
 *  interviewed employee, the interviewer, a manager above the employee, HR
 *  with the interview's entity in scope — with or without the content
 *  permission —, an administrator, or nobody) and asks rec_may_read for
 *  each kind of data.  The matrix is in docs/records.md and checked cell by
 *  cell by tests/unit/test_records_access.c.
 */
#ifndef REC_ACCESS_H
#define REC_ACCESS_H

#include "common/principal.h"
#include "rec_lifecycle.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    REC_REL_NONE = 0,
    REC_REL_EMPLOYEE,      /* the interviewed employee */
    REC_REL_INTERVIEWER,
    REC_REL_LINE,          /* a manager above the employee (transitively) */
    REC_REL_HR,            /* HR, entity in scope, progress only */
    REC_REL_HR_CONTENT,    /* HR, entity in scope, with the content permission */
    REC_REL_ADMIN,
    REC_REL_COUNT
} rec_relation_t;

const char *rec_relation_name(rec_relation_t r);

/* The facts the daemon gathered about one interview. */
typedef struct {
    const char *employee_id;
    const char *manager_id;   /* the interviewer */
    bool in_line;             /* the caller's id is above the employee in the tree */
    bool hr_in_scope;         /* HR: a grant covers the interview's entity */
    bool hr_content;          /* HR: that grant carries the content permission */
} rec_facts_t;

/* The relation of p (parsed by common/principal.h) to an interview; a
 * service principal has none (deny by default). */
rec_relation_t rec_relation(const ent_principal_t *p, const rec_facts_t *f);

/* The kinds of data of an interview. */
typedef enum {
    REC_D_PROGRESS = 0,     /* metadata: type, status, dates, participants, schedule */
    REC_D_SHARED,           /* shared content: the report and shared preparations */
    REC_D_EMPLOYEE_PRIVATE, /* the employee's preparation before it is shared */
    REC_D_MANAGER_PRIVATE,  /* the interviewer's preparation before it is shared */
    REC_D_MANAGER_NOTES,    /* the interviewer's private notes */
    REC_D_SIGNATURES,       /* who signed, when, the digest, the employee's comment */
    REC_D_AUDIT,            /* the interview's audit trail */
    REC_D_REASONS,          /* the free-text reasons of a cancel, reopen, reassignment (may hold health data) */
    REC_D_COUNT
} rec_data_t;

const char *rec_data_name(rec_data_t d);

bool rec_may_read(rec_relation_t rel, rec_data_t data);

/* The lifecycle actor of a relation (REC_ACT_COUNT for none: refused). */
rec_actor_t rec_actor_of(rec_relation_t rel);

#endif
