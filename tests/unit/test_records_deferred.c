/*  test_records_deferred.c — what records keeps of an obligation whose
 *  window opens beyond the horizon (services/records/deferred.c): only the
 *  fields its release reads (rec_deferred_trim), the id being the key; a
 *  field this version does not know is kept; bytes that do not walk are
 *  refused (the caller keeps the obligation whole); on a real LMDB store,
 *  a put keeps the trimmed value and its index entry, a drop removes both,
 *  whether the value was trimmed or kept whole by an earlier version. */
#include "records.h"

#include "common/pbwire.h"

#include "store_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Entretiens__V1__Date s_date(int y, int m, int d)
{
    Entretiens__V1__Date x = ENTRETIENS__V1__DATE__INIT;
    x.year = y, x.month = m, x.day = d;
    return x;
}

/* Every field of Obligation set, packed into *out (malloc'd). */
static size_t s_full(uint8_t **out)
{
    static Entretiens__V1__Date due, win, anchor, met;
    due = s_date(2031, 4, 23), win = s_date(2030, 10, 23), anchor = s_date(2023, 4, 23), met = s_date(2031, 1, 2);
    Entretiens__V1__Obligation o = ENTRETIENS__V1__OBLIGATION__INIT;
    o.obligation_id = "E000001/professional_recap/2023-04-23";
    o.employee_id = "E000001";
    o.type = "professional_recap";
    o.due_date = &due;
    o.window_start = &win;
    o.status = "upcoming";
    o.rule = "epp.recap";
    o.basis = "L6315-1 II";
    o.reason = "the eight-year recap of the professional interviews";
    o.penalty_eur = 3000;
    o.anchor = &anchor;
    o.met_on = &met;
    o.actionable = true;
    o.penalty_if_inspected_eur = 6000;
    o.manager_id = "E000042";
    o.entity = "ACME-FR";
    o.department = "sales";
    o.site = "Paris";
    o.first_name = "Hugo";
    o.last_name = "Fournier";
    o.locale = "fr";
    o.manager_first_name = "Inès";
    o.manager_last_name = "Martin";
    size_t n = entretiens__v1__obligation__get_packed_size(&o);
    *out = malloc(n + 64);
    cr_assert_not_null(*out);
    entretiens__v1__obligation__pack(&o, *out);
    return n;
}

static void s_expect_date(const Entretiens__V1__Date *d, int y, int m, int day)
{
    cr_assert_not_null(d);
    cr_expect(d->year == y && d->month == m && d->day == day, "date %d-%d-%d", d->year, d->month, d->day);
}

Test(records_deferred, trim_keeps_what_a_release_reads)
{
    uint8_t *full, out[1024];
    size_t n = s_full(&full);
    size_t len = rec_deferred_trim(full, n, out, sizeof out);
    cr_assert_gt(len, 0);
    cr_expect_lt(len, n * 3 / 4, "trimmed %zu of %zu bytes", len, n);
    Entretiens__V1__Obligation *o = entretiens__v1__obligation__unpack(NULL, len, out);
    cr_assert_not_null(o);
    /* kept */
    cr_expect_str_eq(o->employee_id, "E000001");
    cr_expect_str_eq(o->type, "professional_recap");
    s_expect_date(o->due_date, 2031, 4, 23);
    s_expect_date(o->window_start, 2030, 10, 23);
    cr_expect_str_eq(o->manager_id, "E000042");
    cr_expect_str_eq(o->entity, "ACME-FR");
    cr_expect_str_eq(o->department, "sales");
    cr_expect_str_eq(o->site, "Paris");
    cr_expect_str_eq(o->first_name, "Hugo");
    cr_expect_str_eq(o->last_name, "Fournier");
    cr_expect_str_eq(o->locale, "fr");
    /* dropped: the key, and what no creation reads */
    cr_expect_str_eq(o->obligation_id, "");
    cr_expect_str_eq(o->status, "");
    cr_expect_str_eq(o->rule, "");
    cr_expect_str_eq(o->basis, "");
    cr_expect_str_eq(o->reason, "");
    cr_expect_eq(o->penalty_eur, 0);
    cr_expect_eq(o->penalty_if_inspected_eur, 0);
    cr_expect_null(o->anchor);
    cr_expect_null(o->met_on);
    cr_expect(!o->actionable);
    cr_expect_str_eq(o->manager_first_name, "");
    cr_expect_str_eq(o->manager_last_name, "");
    entretiens__v1__obligation__free_unpacked(o, NULL);
    free(full);
}

Test(records_deferred, trim_keeps_unknown_fields_and_refuses_what_does_not_walk)
{
    uint8_t *full, out[1024];
    size_t n = s_full(&full);
    /* a later scheduler's fields 40 (varint 150) and 41 (string "new"):
     * their tags, 320 and 330, are two-byte varints */
    uint8_t extra[] = { 0xc0, 0x02, 0x96, 0x01, 0xca, 0x02, 3, 'n', 'e', 'w' };
    memcpy(full + n, extra, sizeof extra);
    size_t len = rec_deferred_trim(full, n + sizeof extra, out, sizeof out);
    cr_assert_gt(len, sizeof extra);
    cr_expect_eq(memcmp(out + len - sizeof extra, extra, sizeof extra), 0, "the unknown fields, as they came");
    const uint8_t *s;
    size_t sl;
    cr_expect_eq(ent_pb_field_bytes(out, len, 41, &s, &sl), 1);
    /* a length past the end, a cut varint, a fixed 32-bit field, no room */
    uint8_t cut[] = { 2 << 3 | 2, 9, 'E', '0' };
    cr_expect_eq(rec_deferred_trim(cut, sizeof cut, out, sizeof out), 0);
    uint8_t cut_varint[] = { 10 << 3 | 0, 0x96 };
    cr_expect_eq(rec_deferred_trim(cut_varint, sizeof cut_varint, out, sizeof out), 0);
    uint8_t fixed[] = { 2 << 3 | 5, 1, 2, 3, 4 };
    cr_expect_eq(rec_deferred_trim(fixed, sizeof fixed, out, sizeof out), 0);
    cr_expect_eq(rec_deferred_trim(full, n, out, 16), 0);
    free(full);
}

/* ------------------------------------------------------- on a real store */

static char s_root[64];
static ent_store_t *s_store;
static records_t s_r;

static void s_open(void)
{
    s_store = fx_store_open(s_root, "deferred");
    memset(&s_r, 0, sizeof s_r);
    s_r.store = s_store;
    cr_assert_eq(ent_store_dbi(s_store, "deferred", 0, &s_r.deferred), 0);
    cr_assert_eq(ent_store_dbi(s_store, "deferred_idx", 0, &s_r.deferred_idx), 0);
}

static void s_close(void)
{
    fx_store_close(&s_store, s_root);
}

static size_t s_count(MDB_txn *txn, MDB_dbi dbi)
{
    MDB_stat st;
    cr_assert_eq(mdb_stat(txn, dbi, &st), 0);
    return st.ms_entries;
}

Test(records_deferred, put_keeps_the_trimmed_value_drop_removes_it, .init = s_open, .fini = s_close)
{
    uint8_t *full, want[1024];
    size_t n = s_full(&full);
    size_t wl = rec_deferred_trim(full, n, want, sizeof want);
    Entretiens__V1__Obligation *o = entretiens__v1__obligation__unpack(NULL, n, full);
    cr_assert_not_null(o);
    ProtobufCBinaryData packed = { n, full };
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    cr_assert_eq(rec_deferred_put(&s_r, txn, o, &packed), 0);
    MDB_val k = { strlen(o->obligation_id), o->obligation_id }, v;
    cr_assert_eq(mdb_get(txn, s_r.deferred, &k, &v), 0);
    cr_expect_eq(v.mv_size, wl);
    cr_expect_eq(memcmp(v.mv_data, want, wl), 0);
    cr_expect_eq(s_count(txn, s_r.deferred_idx), 1);
    /* put again (a new version of it): still one of each */
    cr_assert_eq(rec_deferred_put(&s_r, txn, o, &packed), 0);
    cr_expect_eq(s_count(txn, s_r.deferred), 1);
    cr_expect_eq(s_count(txn, s_r.deferred_idx), 1);
    cr_assert_eq(rec_deferred_drop(&s_r, txn, o->obligation_id), 0);
    cr_expect_eq(s_count(txn, s_r.deferred), 0);
    cr_expect_eq(s_count(txn, s_r.deferred_idx), 0);
    /* without the event's bytes (or from an earlier version): kept whole,
     * and dropped the same way */
    cr_assert_eq(rec_deferred_put(&s_r, txn, o, NULL), 0);
    cr_assert_eq(mdb_get(txn, s_r.deferred, &k, &v), 0);
    cr_expect_eq(v.mv_size, n);
    cr_expect_eq(s_count(txn, s_r.deferred_idx), 1);
    cr_assert_eq(rec_deferred_drop(&s_r, txn, o->obligation_id), 0);
    cr_expect_eq(s_count(txn, s_r.deferred), 0);
    cr_expect_eq(s_count(txn, s_r.deferred_idx), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    entretiens__v1__obligation__free_unpacked(o, NULL);
    free(full);
}
