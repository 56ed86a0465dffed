/*  an_keys.h — the analytics store's building blocks: keys, scopes,
 *  additive counters, listing indexes and the small binary codec of the
 *  state records.
 *
 *  Every aggregate is a counter row: a key naming the group (a scope, then
 *  family-specific parts such as the type, an item, a month or a day) and a
 *  value of n native int64 fields (the store never leaves the machine that
 *  writes it: a rebuild replaces it).  Rows are only ever
 *  changed by adding a delta (an_counter_add), so a contribution is retracted
 *  by adding its negation, and a row whose fields all reach zero is deleted:
 *  the store then holds exactly the rows of the current state, whatever the
 *  order the contributions came in (what makes a rebuild identical).
 *
 *  Scopes.  A contribution is written once per scope of its group:
 *    'A' ""                     the whole organisation
 *    'e' entity   'd' department   's' site   'm' manager
 *    'E' entity \x1f department    'S' entity \x1f site
 *  A scope in a key is [kind][value][\0].  A scope whose attribute is empty
 *  is left out (an employee without a manager has no 'm' row).
 *
 *  Dates in keys are big-endian with the sign bit flipped (they sort as
 *  integers); months are year * 12 + month - 1, big-endian.
 *
 *  Error codes: LMDB's, 0 on success.
 */
#ifndef AN_KEYS_H
#define AN_KEYS_H

#include "proto/envelope.pb-c.h"
#include "common/pbdate.h"
#include "common/store.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AN_ATTR_MAX 96      /* entity, department, site (bytes, longer ones are cut) */
#define AN_EMP_MAX 64       /* employee and manager ids */
#define AN_ID_MAX 160       /* obligation and interview ids */
#define AN_TYPE_MAX 48      /* interview types */
#define AN_ITEM_MAX 64      /* answer items: theme, question id, competency ... */
#define AN_KEY_MAX 511      /* LMDB's default maximum key size */
#define AN_SCOPES 7
#define AN_SCOPE_MAX (2 * AN_ATTR_MAX + 1)
#define AN_DAY_NONE_KEY INT32_MAX /* "no date" in day-ordered keys: sorts last */
#define AN_ALL_TYPES "*"

/* Scope kinds. */
enum {
    AN_SK_ALL = 'A',
    AN_SK_ENTITY = 'e',
    AN_SK_DEPARTMENT = 'd',
    AN_SK_SITE = 's',
    AN_SK_MANAGER = 'm',
    AN_SK_ENT_DEPT = 'E',
    AN_SK_ENT_SITE = 'S',
};
#define AN_SCOPE_SEP '\x1f'

/* ----------------------------------------------------------- families */

/* completion rows: scope, type, month -> int64[AN_C_N] */
enum {
    AN_C_OWED, AN_C_UPCOMING, AN_C_OVERDUE, AN_C_MET, AN_C_LAPSED, AN_C_CANCELLED,
    AN_C_INTERVIEWS, AN_C_SCHEDULED, AN_C_HELD, AN_C_SIGNED, AN_C_CLOSED, AN_C_IV_CANCELLED,
    AN_C_N
};
/* risk rows: scope, day(due) -> int64[AN_R_N]: the CPF top-ups whose recap
 * is due that day.  Owed (deadline passed) or at risk (still ahead) is
 * decided at query time against today. */
enum { AN_R_COUNT, AN_R_EUR, AN_R_N };
/* signal rows: scope -> int64[AN_S_N] */
enum { AN_S_LOW_ENGAGEMENT, AN_S_WISH_TO_LEAVE, AN_S_REPEATED_OVERDUE, AN_S_N };
/* answers rows: scope, type, month -> int64[AN_A_N] */
enum { AN_A_RESPONDENTS, AN_A_OBJECTIVES, AN_A_REVIEWED, AN_A_ATTAINMENT_SUM, AN_A_ATTAINED, AN_A_WISH_TO_LEAVE, AN_A_N };
/* competency rows: scope, type, item, month -> int64[AN_K_N] */
enum { AN_K_COUNT, AN_K_EXPECTED_SUM, AN_K_ASSESSED_SUM, AN_K_BELOW, AN_K_MEETS, AN_K_ABOVE, AN_K_N };
/* rating rows: scope, type, topic, question, scale min, scale max, month -> int64[AN_T_N] */
#define AN_HIST 16
enum { AN_T_COUNT, AN_T_SUM, AN_T_HIST, AN_T_N = AN_T_HIST + AN_HIST };
/* manager rows: scope, manager -> int64[AN_M_N] */
enum { AN_M_OVERDUE, AN_M_UPCOMING, AN_M_AWAITING, AN_M_AWAITING_EMPLOYEE, AN_M_N };
/* manager item kinds (the byte after the manager in mgr_items keys), in listing order */
#define AN_ITEM_OVERDUE 'o'
#define AN_ITEM_AWAITING 's'
#define AN_ITEM_AWAITING_EMPLOYEE 't'
#define AN_ITEM_UPCOMING 'u'

/* employee flags (sig_idx values) */
#define AN_FLAG_LOW_ENGAGEMENT 0x01
#define AN_FLAG_WISH_TO_LEAVE 0x02
#define AN_FLAG_REPEATED_OVERDUE 0x04

/* ---------------------------------------------------------------- keys */

typedef struct {
    uint8_t b[AN_KEY_MAX];
    size_t n;
    bool overflow;          /* a part did not fit: the key must not be used */
} an_key_t;

void an_key_init(an_key_t *k);
void an_key_u8(an_key_t *k, uint8_t v);
void an_key_raw(an_key_t *k, const void *p, size_t n);
/* Appends s (NULL = "") and its terminating NUL. */
void an_key_str(an_key_t *k, const char *s);
void an_key_be32(an_key_t *k, uint32_t v);
void an_key_be64(an_key_t *k, uint64_t v);
/* A day number, sign bit flipped so that keys sort like the dates. */
void an_key_day(an_key_t *k, int32_t day);
/* (read back with ent_key_day_get / ent_be32_get, common/store.h) */
MDB_val an_key_val(const an_key_t *k);

/* -------------------------------------------------------------- scopes */

typedef struct {
    char entity[AN_ATTR_MAX + 1];
    char department[AN_ATTR_MAX + 1];
    char site[AN_ATTR_MAX + 1];
    char manager[AN_EMP_MAX + 1];
} an_attrs_t;

typedef struct {
    uint8_t kind;
    size_t len;
    char value[AN_SCOPE_MAX + 1];
} an_scope_t;

/* The scopes of a group (at most AN_SCOPES); the manager scope only when
 * with_manager.  Returns how many were written. */
size_t an_scopes(const an_attrs_t *at, an_scope_t out[AN_SCOPES], bool with_manager);

/* Appends [kind][value][\0]. */
void an_key_scope(an_key_t *k, const an_scope_t *s);

bool an_attrs_equal(const an_attrs_t *a, const an_attrs_t *b);

/* ------------------------------------------------------------ counters */

/* Adds delta[0..n) to the row at key (absent = zeros); deletes the row when
 * every field becomes zero.  A shorter stored value is read as zero-padded. */
int an_counter_add(MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n);

/* Same, scaling delta by sign (+1 / -1) without a temporary at the caller. */
int an_counter_addv(MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, const int64_t *delta, size_t n, int sign);

/* Reads a row into out[0..n) (zeros when absent).  Returns 0 or an LMDB code. */
int an_counter_get(MDB_txn *txn, MDB_dbi dbi, const an_key_t *key, int64_t *out, size_t n);

/* Adds the int64 fields of a raw row value to acc[0..n). */
void an_counter_accumulate(const MDB_val *v, int64_t *acc, size_t n);


/* --------------------------------------------------------------- codec */

typedef struct {
    uint8_t *p;             /* malloc'd */
    size_t n, cap;
    bool failed;            /* out of memory */
} an_wbuf_t;

void an_w_u8(an_wbuf_t *w, uint8_t v);
void an_w_i32(an_wbuf_t *w, int32_t v);
void an_w_str(an_wbuf_t *w, const char *s);      /* u16 length + bytes */
void an_w_bytes(an_wbuf_t *w, const void *p, size_t n); /* u32 length + bytes */
void an_wbuf_free(an_wbuf_t *w);

typedef struct {
    const uint8_t *p;
    size_t n, off;
    bool bad;               /* truncated or too long for the destination */
} an_rbuf_t;

uint8_t an_r_u8(an_rbuf_t *r);
int32_t an_r_i32(an_rbuf_t *r);
void an_r_str(an_rbuf_t *r, char *out, size_t cap);
void an_r_bytes(an_rbuf_t *r, const uint8_t **p, size_t *n);

/* ---------------------------------------------------------------- misc */

/* Copies src (NULL = "") into dst of cap bytes, cut at a UTF-8 character
 * boundary when too long.  Deterministic: the same input gives the same cut. */
void an_copy(char *dst, size_t cap, const char *src);

/* Day number of a Date message, ENT_DATE_NONE when absent or not a real day. */
int32_t ent_pbdate_day(const Entretiens__V1__Date *d);

/* year * 12 + month - 1 of a day number (0 for ENT_DATE_NONE). */
uint32_t an_month(int32_t day);

/* "YYYY-MM" of a month index into buf (8 bytes). */
const char *an_month_str(uint32_t month, char buf[8]);

#endif
