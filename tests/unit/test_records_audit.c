/*  test_records_audit.c — the tamper-evident trail (services/records/audit.h
 *  and the chain in store.c): sealing and checking records, then a real
 *  LMDB store where interviews and global records are chained, verified,
 *  tampered with behind records' back, and the first broken link named. */
#include "records.h"

#include "store_fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ pure parts */

static Entretiens__V1__AuditRecord s_rec(uint64_t seq, const char *actor)
{
    Entretiens__V1__AuditRecord r = ENTRETIENS__V1__AUDIT_RECORD__INIT;
    r.seq = seq;
    r.interview_id = "IV00000001";
    r.interview_seq = (uint32_t) seq;
    r.actor = (char *) actor;
    r.action = "answer";
    r.at_ms = 1772400000000 + (int64_t) seq;
    r.details = "{\"party\":\"employee\"}";
    return r;
}

Test(records_audit, seal_and_check_a_chain)
{
    uint8_t prev[REC_HASH_LEN] = { 0 }, prev_i[REC_HASH_LEN] = { 0 };
    uint8_t store[3][4 * REC_HASH_LEN];
    Entretiens__V1__AuditRecord r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = s_rec((uint64_t) i + 1, "employee:E1");
        cr_assert_eq(rec_audit_seal(&r[i], prev, prev_i, store[i]), 0);
        const char *why = NULL;
        cr_assert_eq(rec_audit_check(&r[i], prev, prev_i, &why), 0, "%s", why ? why : "");
        memcpy(prev, r[i].hash.data, REC_HASH_LEN);
        memcpy(prev_i, r[i].interview_hash.data, REC_HASH_LEN);
    }
    /* a changed field breaks the record's hash */
    const char *why = NULL;
    Entretiens__V1__AuditRecord t = r[1];
    t.actor = "employee:E2";
    cr_assert_eq(rec_audit_check(&t, r[0].hash.data, r[0].interview_hash.data, &why), -1);
    cr_assert(strstr(why, "changed"), "%s", why);
    /* a record checked against the wrong predecessor (one removed) */
    cr_assert_eq(rec_audit_check(&r[2], r[0].hash.data, r[0].interview_hash.data, &why), -1);
    cr_assert(strstr(why, "previous"), "%s", why);
    /* the interview chain is checked too */
    uint8_t zero[REC_HASH_LEN] = { 0 };
    cr_assert_eq(rec_audit_check(&r[1], r[0].hash.data, zero, &why), -1);
    cr_assert(strstr(why, "interview"), "%s", why);
}

/* The record sealed and packed in one packing is, byte for byte, the
 * record sealed then packed by protobuf-c: global records and an
 * interview's, without a sealed reason and with one of every varint
 * length, details of 0 to 300 bytes, a buffer too small and one large
 * enough; and a kept context hashes as a fresh one. */
Test(records_audit, sealed_and_packed_in_one_pass_as_protobuf_c_packs_it)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    cr_assert_not_null(ctx);
    static uint8_t reason[20000];
    for (size_t i = 0; i < sizeof reason; i++)
        reason[i] = (uint8_t) (i * 7 + 3);
    static char details[301];
    memset(details, 'x', sizeof details - 1);
    size_t reason_lens[] = { 0, 1, 127, 128, 300, 16383, 16384, 20000 };
    size_t details_lens[] = { 0, 21, 300 };
    int checked = 0;
    for (int with_iv = 0; with_iv < 2; with_iv++)
        for (size_t ri = 0; ri < sizeof reason_lens / sizeof *reason_lens; ri++)
            for (size_t di = 0; di < sizeof details_lens / sizeof *details_lens; di++)
                for (size_t cap = 16; cap <= 65536; cap *= 4096) {
                    Entretiens__V1__AuditRecord a = s_rec(40 + ri, "hr:H1");
                    if (!with_iv) {
                        a.interview_id = "";
                        a.interview_seq = 0;
                    }
                    char d[301];
                    memcpy(d, details, details_lens[di]);
                    d[details_lens[di]] = '\0';
                    a.details = d;
                    uint8_t digest[REC_HASH_LEN];
                    memset(digest, 0xa5, sizeof digest);
                    a.state_digest = (ProtobufCBinaryData) { REC_HASH_LEN, digest };
                    a.sealed_reason = (ProtobufCBinaryData) { reason_lens[ri], reason_lens[ri] ? reason : NULL };
                    Entretiens__V1__AuditRecord b = a;
                    uint8_t prev[REC_HASH_LEN], prev_i[REC_HASH_LEN], sa[4 * REC_HASH_LEN], sb[4 * REC_HASH_LEN];
                    memset(prev, 0x11 * (int) ri, sizeof prev);
                    memset(prev_i, 0x22, sizeof prev_i);
                    cr_assert_eq(rec_audit_seal(&a, prev, with_iv ? prev_i : NULL, sa), 0);
                    size_t want_len = entretiens__v1__audit_record__get_packed_size(&a);
                    uint8_t *want = malloc(want_len);
                    entretiens__v1__audit_record__pack(&a, want);
                    uint8_t *buf = malloc(cap), *got = NULL;
                    size_t got_len = 0;
                    cr_assert_eq(rec_audit_seal_packed(ctx, &b, prev, with_iv ? prev_i : NULL, sb, buf, cap, &got, &got_len), 0);
                    cr_assert_eq(got_len, want_len, "length %zu, protobuf-c %zu (reason %zu, details %zu, interview %d)",
                                 got_len, want_len, reason_lens[ri], details_lens[di], with_iv);
                    cr_assert_eq(memcmp(got, want, want_len), 0, "bytes differ (reason %zu, details %zu, interview %d)",
                                 reason_lens[ri], details_lens[di], with_iv);
                    cr_assert_eq(got == buf, want_len <= cap, "the caller's buffer is used when the record fits");
                    cr_assert_eq(memcmp(sa, sb, with_iv ? sizeof sa : 2 * REC_HASH_LEN), 0);
                    cr_assert_eq(b.hash.len, REC_HASH_LEN);
                    cr_assert_eq(b.interview_hash.len, with_iv ? REC_HASH_LEN : 0);
                    const char *why = NULL;
                    cr_assert_eq(rec_audit_check(&b, prev, with_iv ? prev_i : NULL, &why), 0, "%s", why ? why : "");
                    if (got != buf)
                        free(got);
                    free(buf);
                    free(want);
                    checked++;
                }
    cr_assert_eq(checked, 2 * 8 * 3 * 2);
    EVP_MD_CTX_free(ctx);
}

Test(records_audit, sha256_and_hex)
{
    uint8_t d[REC_HASH_LEN];
    char hex[2 * REC_HASH_LEN + 1];
    rec_sha256(d, "abc", 3, NULL, 0, NULL, 0, NULL, 0);
    cr_assert_str_eq(rec_hex(d, REC_HASH_LEN, hex), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rec_sha256(d, "a", 1, "b", 1, NULL, 0, "c", 1);
    cr_assert_str_eq(rec_hex(d, REC_HASH_LEN, hex), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                     "pieces hash as their concatenation");
}

/* A creation's details, written from its fields, are what jansson writes
 * from the same object (records_audit checks the object path). */
Test(records_audit, flat_details_are_json_dumps_byte_for_byte)
{
    rec_detail_t d[] = {
        { .key = "type", .str = "professional" },
        { .key = "employee_id", .str = "E000123" },
        { .key = "due_date", .str = "2027-03-01" },
        { .key = "manager_id", .str = "M01" },
        { .key = "template_id", .str = "default-professional" },
        { .key = "template_version", .num = 3 },
        { .key = "obligation_id", .str = "E000123/professional/2027-03-01" },
        { .key = "carried_from", .str = "IV00000001" },
    };
    for (size_t n = 0; n <= 8; n++) {
        json_t *o = rec_details_json(d, n);
        cr_assert_not_null(o);
        char *want = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII), *got = rec_details_flat(d, n);
        cr_assert_not_null(got, "%zu fields", n);
        cr_expect_str_eq(got, want, "%zu fields", n);
        free(want);
        free(got);
        json_decref(o);
    }
    /* not plain: refused here, jansson writes it */
    rec_detail_t accent[] = { { .key = "manager_id", .str = "H\xc3\xa9l\xc3\xa8ne" } };
    cr_expect_null(rec_details_flat(accent, 1));
    rec_detail_t quote[] = { { .key = "a\"b", .str = "x" } };
    cr_expect_null(rec_details_flat(quote, 1));
    rec_detail_t many[17];
    for (size_t i = 0; i < 17; i++)
        many[i] = (rec_detail_t) { .key = "k", .num = (int64_t) i };
    cr_expect_null(rec_details_flat(many, 17), "more than 16 fields: jansson");
}

/* ------------------------------------------------------------ in a store */

static char s_root[64];
static ent_store_t *s_store;
static records_t s_r;

static void s_open(void)
{
    s_store = fx_store_open(s_root, "audit");
    memset(&s_r, 0, sizeof s_r);
    s_r.store = s_store;
    struct { const char *n; MDB_dbi *d; } dbs[] = {
        { "interviews", &s_r.interviews }, { "content", &s_r.content }, { "by_obligation", &s_r.by_obligation },
        { "by_employee", &s_r.by_employee }, { "by_manager", &s_r.by_manager }, { "by_status", &s_r.by_status },
        { "by_due", &s_r.by_due }, { "templates", &s_r.templates }, { "template_sel", &s_r.template_sel },
        { "directory", &s_r.directory }, { "reports", &s_r.reports }, { "grants", &s_r.grants },
        { "audit", &s_r.audit }, { "audit_idx", &s_r.audit_idx },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof *dbs; i++)
        cr_assert_eq(ent_store_dbi(s_store, dbs[i].n, 0, dbs[i].d), 0);
}

static void s_close(void)
{
    fx_store_close(&s_store, s_root);
}

static rec_iv_t *s_new_iv(const char *id, const char *employee)
{
    rec_iv_t *iv = malloc(sizeof *iv);
    entretiens__v1__interview__init(iv);
    rec_set_str(&iv->id, id);
    rec_set_str(&iv->employee_id, employee);
    rec_set_str(&iv->manager_id, "M1");
    rec_set_str(&iv->type, "corrective");
    rec_set_str(&iv->status, "planned");
    iv->due_date = rec_date_new(20600);
    return iv;
}

/* Builds: interview A (create, schedule), a global record, interview B (create). */
static void s_build(void)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_iv_t *a = s_new_iv("IVA", "E1");
    rec_change_t ch = { .after = a, .actor = "hr:alice", .action = "create", .details = json_pack("{ss}", "type", "corrective") };
    cr_assert_eq(rec_commit(&s_r, txn, &ch), 0);
    rec_iv_t *before = rec_iv_dup(a);
    rec_set_str(&a->status, "scheduled");
    rec_set_str(&a->place, "Room 1");
    a->scheduled_start_ms = 1772450000000;
    rec_content_t *c = NULL;
    cr_assert_eq(rec_content_get(&s_r, txn, "IVA", &c), 0);
    rec_set_str(&c->manager_answers, "{\"q\":\"Bon travail\"}");
    rec_change_t ch2 = { .before = before, .after = a, .content = c, .actor = "manager:M1", .action = "schedule" };
    cr_assert_eq(rec_commit(&s_r, txn, &ch2), 0);
    uint8_t d[REC_HASH_LEN] = { 1 };
    cr_assert_eq(rec_audit_global(&s_r, txn, "admin:root", "access.grant", json_pack("{ss}", "principal", "hr:alice"), d), 0);
    rec_iv_t *b = s_new_iv("IVB", "E2");
    rec_change_t ch3 = { .after = b, .actor = "scheduler", .action = "create" };
    cr_assert_eq(rec_commit(&s_r, txn, &ch3), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    rec_iv_free(a), rec_iv_free(before), rec_iv_free(b), rec_content_free(c);
}

static Entretiens__V1__AuditVerifyReply s_verify(const char *id, char *reason)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    Entretiens__V1__AuditVerifyReply rep = ENTRETIENS__V1__AUDIT_VERIFY_REPLY__INIT;
    char head[65], broken[REC_ID_MAX + 1];
    cr_assert_eq(rec_audit_verify(&s_r, txn, id, &rep, reason, 512, head, broken), 0);
    ent_store_abort(s_store, 0);
    return rep;
}

/* Rewrites the value under key in dbi with fn, behind records' back. */
static void s_tamper(MDB_dbi dbi, const void *key, size_t klen, const char *from, const char *to)
{
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    MDB_val k = { klen, (void *) key }, v;
    cr_assert_eq(mdb_get(txn, dbi, &k, &v), 0);
    uint8_t *copy = malloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    uint8_t *p = memmem(copy, v.mv_size, from, strlen(from));
    cr_assert_not_null(p, "'%s' not in the value", from);
    cr_assert_eq(strlen(from), strlen(to));
    memcpy(p, to, strlen(to));
    MDB_val nv = { v.mv_size, copy };
    cr_assert_eq(mdb_put(txn, dbi, &k, &nv, 0), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    free(copy);
}

Test(records_audit, an_intact_store_verifies, .init = s_open, .fini = s_close)
{
    s_build();
    char reason[512];
    Entretiens__V1__AuditVerifyReply rep = s_verify(NULL, reason);
    cr_assert(rep.ok, "%s", reason);
    cr_assert_eq(rep.records, 4);
    cr_assert_eq(rep.interviews, 2);
    rep = s_verify("IVA", reason);
    cr_assert(rep.ok, "%s", reason);
    cr_assert_eq(rep.records, 2, "IVA has two links");
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    Entretiens__V1__AuditRecord **recs;
    size_t n;
    cr_assert_eq(rec_audit_list(&s_r, txn, "IVA", &recs, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(recs[0]->action, "create");
    cr_assert_str_eq(recs[1]->actor, "manager:M1");
    cr_assert_eq(recs[1]->seq, 2);
    cr_assert_eq(recs[1]->interview_seq, 2);
    for (size_t i = 0; i < n; i++)
        entretiens__v1__audit_record__free_unpacked(recs[i], NULL);
    free(recs);
    ent_store_abort(s_store, 0);
}

Test(records_audit, a_changed_record_is_the_first_broken_link, .init = s_open, .fini = s_close)
{
    s_build();
    uint8_t key[8];
    ent_be64_put(key, 2);
    s_tamper(s_r.audit, key, 8, "manager:M1", "manager:M2");
    char reason[512];
    Entretiens__V1__AuditVerifyReply rep = s_verify(NULL, reason);
    cr_assert_not(rep.ok);
    cr_assert_eq(rep.broken_seq, 2, "record 2 was changed: %s", reason);
    cr_assert(strstr(reason, "record 2"), "%s", reason);
    rep = s_verify("IVA", reason);
    cr_assert_not(rep.ok);
    cr_assert_eq(rep.broken_interview_seq, 2, "%s", reason);
    rep = s_verify("IVB", reason);
    cr_assert(rep.ok, "IVB's own chain is intact: %s", reason);
}

Test(records_audit, a_changed_interview_is_caught, .init = s_open, .fini = s_close)
{
    s_build();
    s_tamper(s_r.content, "IVA", 3, "Bon travail", "Mal travail");
    char reason[512];
    Entretiens__V1__AuditVerifyReply rep = s_verify(NULL, reason);
    cr_assert_not(rep.ok);
    cr_assert(strstr(reason, "IVA"), "the interview is named: %s", reason);
    cr_assert(strstr(reason, "outside records"), "%s", reason);
    cr_assert_eq(rep.broken_seq, 2, "its last record: %s", reason);
    s_tamper(s_r.content, "IVA", 3, "Mal travail", "Bon travail");
    rep = s_verify(NULL, reason);
    cr_assert(rep.ok, "restored: %s", reason);
    s_tamper(s_r.interviews, "IVB", 3, "corrective", "correctivX");
    rep = s_verify("IVB", reason);
    cr_assert_not(rep.ok);
    cr_assert(strstr(reason, "IVB"), "%s", reason);
}

Test(records_audit, a_removed_record_is_caught, .init = s_open, .fini = s_close)
{
    s_build();
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    uint8_t key[8];
    ent_be64_put(key, 3);
    MDB_val k = { 8, key };
    cr_assert_eq(mdb_del(txn, s_r.audit, &k, NULL), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    char reason[512];
    Entretiens__V1__AuditVerifyReply rep = s_verify(NULL, reason);
    cr_assert_not(rep.ok);
    cr_assert_eq(rep.broken_seq, 4, "the record after the gap: %s", reason);
    cr_assert(strstr(reason, "missing"), "%s", reason);
}

Test(records_audit, report_digest_covers_what_is_signed)
{
    rec_iv_t *iv = s_new_iv("IVX", "E1");
    rec_content_t c = ENTRETIENS__V1__INTERVIEW_CONTENT__INIT;
    c.manager_answers = "{\"q\":1}";
    c.employee_answers = "{\"p\":\"private\"}";
    c.manager_notes = "notes";
    char d1[65], d2[65];
    rec_report_digest(iv, &c, d1);
    c.employee_answers = "{\"p\":\"changed\"}";
    c.manager_notes = "other notes";
    rec_report_digest(iv, &c, d2);
    cr_assert_str_eq(d1, d2, "unshared preparation and private notes are not in the report");
    iv->employee_shared = true;
    rec_report_digest(iv, &c, d2);
    cr_assert_str_neq(d1, d2, "a shared preparation is");
    c.manager_answers = "{\"q\":2}";
    char d3[65];
    rec_report_digest(iv, &c, d3);
    cr_assert_str_neq(d2, d3);
    rec_iv_free(iv);
}

/* rec_details_text writes what json_dumps writes (the audit records of a
 * store must not depend on which path wrote them): flat objects written
 * directly, everything else through jansson. */
Test(records_audit, details_text_is_json_dumps_byte_for_byte)
{
    json_t *cases[] = {
        json_pack("{ss ss ss ss ss sI ss}", "type", "professional", "employee_id", "E000123", "due_date", "2027-03-01",
                  "manager_id", "M01", "template_id", "default-professional", "template_version", (json_int_t) 3,
                  "obligation_id", "E000123/professional/2027-03-01"),
        json_pack("{sI sI}", "b", (json_int_t) -9223372036854775807LL - 1, "a", (json_int_t) 0),
        json_object(),
        json_pack("{ss}", "quote", "say \"no\" \\ here"),
        json_pack("{ss}", "accent", "H\xc3\xa9l\xc3\xa8ne"),
        json_pack("{ss}", "control", "a\tb\nc\x01"),
        json_pack("{ss}", "slash", "a/b~\x7f"),
        json_pack("{s[ss]}", "status", "planned", "cancelled"),
        json_pack("{sb sn}", "flag", 1, "none"),
        json_pack("{sf}", "real", 1.5),
        json_pack("{ss#}", "nul", "a\0b", (int) 3),
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_assert_not_null(cases[i], "case %zu", i);
        char *want = json_dumps(cases[i], JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        char *got = rec_details_text(cases[i]);
        cr_assert(want && got);
        cr_expect_str_eq(got, want, "case %zu", i);
        free(want);
        free(got);
        json_decref(cases[i]);
    }
    /* more keys than the direct path takes: jansson */
    json_t *many = json_object();
    for (int i = 0; i < 20; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%02d", 19 - i);
        json_object_set_new(many, k, json_integer(i));
    }
    char *want = json_dumps(many, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII), *got = rec_details_text(many);
    cr_expect_str_eq(got, want);
    free(want);
    free(got);
    json_decref(many);
    got = rec_details_text(NULL);
    cr_expect_str_eq(got, "{}");
    free(got);
}

/* While a turn's events create, the chain's head stays in the turn's memo
 * (idxbatch.c) until the settle step; the verification — on a worker,
 * reading what is committed — never sees that memo: it finds the committed
 * chain whole while the turn is open, and the new record once it is
 * committed. */
Test(records_audit, the_verification_reads_the_committed_head_not_the_turns_memo, .init = s_open, .fini = s_close)
{
    s_build();
    cr_assert_eq(rec_idxq_new(&s_r), 0);
    MDB_txn *txn;
    cr_assert_eq(ent_store_begin(s_store, &txn), 0);
    rec_idx_collect(&s_r); /* the events of a turn */
    rec_iv_t *c = s_new_iv("IVC", "E3");
    rec_change_t ch = { .after = c, .actor = "scheduler", .action = "create" };
    cr_assert_eq(rec_commit(&s_r, txn, &ch), 0);

    MDB_txn *rd;
    cr_assert_eq(ent_store_read(s_store, &rd), 0);
    Entretiens__V1__AuditVerifyReply rep = ENTRETIENS__V1__AUDIT_VERIFY_REPLY__INIT;
    char reason[512] = "", head[65], broken[REC_ID_MAX + 1];
    cr_assert_eq(rec_audit_verify(&s_r, rd, "", &rep, reason, sizeof reason, head, broken), 0);
    mdb_txn_abort(rd);
    cr_assert(rep.ok, "the committed chain, read while a turn holds its head: %s", reason);
    cr_assert_eq(rep.records, 4);

    cr_assert_eq(rec_idx_settle_turn(txn, &s_r), 0);
    cr_assert_eq(ent_store_commit(s_store), 0);
    rec_idx_flush(&s_r, true);
    rep = s_verify(NULL, reason);
    cr_assert(rep.ok, "%s", reason);
    cr_assert_eq(rep.records, 5);
    rec_iv_free(c);
    rec_idxq_destroy(&s_r);
}
