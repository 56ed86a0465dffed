/*  an_state.h — the state records of the analytics store: what the events
 *  said last about each employee, obligation and interview (analytics.h has
 *  the layout).  Encoded with the codec of an_keys.h; decoding checks
 *  lengths, so a damaged value reads as "bad", never past its end.
 */
#ifndef AN_STATE_H
#define AN_STATE_H

#include "an_keys.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>

/* Obligation classes (docs/analytics.md, "completion"). */
enum { AN_CLS_NONE = 0, AN_CLS_UPCOMING, AN_CLS_OVERDUE, AN_CLS_MET, AN_CLS_LAPSED, AN_CLS_CANCELLED };

/* Interview stages, in lifecycle order (cancelled apart). */
enum {
    AN_ST_NONE = 0,
    AN_ST_CREATED = 1,
    AN_ST_SCHEDULED = 2,
    AN_ST_SHARED = 3,
    AN_ST_HELD = 4,       /* held, report written, partly signed, reopened */
    AN_ST_SIGNED = 5,     /* signed by both */
    AN_ST_CLOSED = 6,
    AN_ST_CANCELLED = 9,
};

typedef struct {
    bool present;               /* stored */
    char id[AN_EMP_MAX + 1];
    uint8_t upserted;           /* a scheduler.employee.upserted was seen */
    uint8_t employed;
    int32_t hired_on, left_on;
    an_attrs_t attrs;
    /* derived from the employee's obligations and interviews */
    int32_t next_due;           /* next open professional deadline */
    char next_type[AN_TYPE_MAX + 1];
    int32_t last_held;          /* last interview held (records) */
    int32_t last_met;           /* last obligation met (scheduler) */
    int32_t last_interview;     /* last interview of the scheduler's history (employee.upserted) */
    int32_t penalty;            /* CPF top-ups of the employee's owed obligations, EUR */
    uint32_t overdue_ever;      /* obligations that went overdue */
    uint8_t flags;              /* AN_FLAG_* */
} an_emp_t;

typedef struct {
    bool present;
    char employee[AN_EMP_MAX + 1];
    char id[AN_ID_MAX + 1];
    char type[AN_TYPE_MAX + 1];
    uint8_t cls;                /* AN_CLS_* */
    uint8_t actionable;
    uint8_t ever_overdue;
    int32_t due, met_on, penalty;
    an_attrs_t own;             /* the groups its last event carried */
} an_obl_t;

typedef struct {
    bool present;
    char id[AN_ID_MAX + 1];
    char employee[AN_EMP_MAX + 1];
    char type[AN_TYPE_MAX + 1];
    an_attrs_t attrs;           /* manager = the interviewer */
    uint8_t stage;              /* AN_ST_* */
    uint8_t sig_employee, sig_manager;
    int32_t due, held_on, created_on, content_on;
    uint8_t *content;           /* packed InterviewEvent of the last close */
    size_t content_len;
    bool owns_content;          /* content is malloc'd by an_iv_get */
} an_iv_t;

/* What the employee-level figures need of one interview (emp_iv values). */
typedef struct {
    char type[AN_TYPE_MAX + 1];
    int32_t held_on;            /* ENT_DATE_NONE unless held */
    int32_t content_on;         /* ENT_DATE_NONE unless closed with answers */
    uint8_t low_engagement, wish_to_leave;
    int32_t eng_value, eng_min, eng_max;
    char eng_question[AN_ITEM_MAX + 1];
    char leave_kind[AN_ITEM_MAX + 1], leave_horizon[AN_ITEM_MAX + 1];
} an_ivsum_t;

/* Loads; *out->present false (zeroed record with the id) when absent.
 * Returns 0 or an LMDB code; a value that does not decode is logged and
 * read as absent. */
int an_emp_get(MDB_txn *txn, MDB_dbi dbi, const char *id, an_emp_t *out);
int an_emp_put(MDB_txn *txn, MDB_dbi dbi, const an_emp_t *e);
bool an_emp_decode(const MDB_val *v, an_emp_t *out);

int an_obl_get(MDB_txn *txn, MDB_dbi dbi, const char *employee, const char *id, an_obl_t *out);
int an_obl_put(MDB_txn *txn, MDB_dbi dbi, const an_obl_t *o);
/* Decodes a value of the obligations database (employee and id from the key). */
bool an_obl_decode(const MDB_val *k, const MDB_val *v, an_obl_t *out);

/* The content (if any) is copied: release with an_iv_clear. */
int an_iv_get(MDB_txn *txn, MDB_dbi dbi, const char *id, an_iv_t *out);
int an_iv_put(MDB_txn *txn, MDB_dbi dbi, const an_iv_t *iv);
void an_iv_clear(an_iv_t *iv);

void an_ivsum_encode(const an_ivsum_t *s, an_wbuf_t *w);
bool an_ivsum_decode(const MDB_val *v, an_ivsum_t *out);

/* Last interview or hire, whichever is later (ENT_DATE_NONE when none). */
int32_t an_emp_last_contact(const an_emp_t *e);

/* Key of the per-employee databases: employee \0 [id \0]. */
void an_key_emp(an_key_t *k, const char *employee, const char *id);

#endif
