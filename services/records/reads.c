/*  reads.c — the record of reads (records.h): who read which parts of an
 *  interview's content, and when.
 *
 *  The database `reads`: interview id, NUL, be64(business ms), principal ->
 *  InterviewRead.  A read of content leaves a trace (GDPR accountability:
 *  who consulted what); a view of the progress alone does not. */
#include "records.h"

#include "common/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rec_reads_put(records_t *r, MDB_txn *txn, const char *id, const char *principal, const char *const *what, size_t n)
{
    if (n == 0)
        return 0;
    int64_t now = ent_clock_now_ms();
    size_t il = strlen(id), pl = strlen(principal);
    uint8_t key[REC_ID_MAX + 1 + 8 + ENT_PRINCIPAL_MAX + 1];
    if (il > REC_ID_MAX || pl > ENT_PRINCIPAL_MAX)
        return 0;
    memcpy(key, id, il);
    key[il] = 0;
    ent_be64_put(key + il + 1, (uint64_t) now);
    memcpy(key + il + 9, principal, pl);
    Entretiens__V1__InterviewRead rd = ENTRETIENS__V1__INTERVIEW_READ__INIT;
    rd.principal = (char *) principal;
    rd.at_ms = now;
    rd.what = (char **) what;
    rd.n_what = n;
    uint8_t buf[512];
    size_t len = entretiens__v1__interview_read__get_packed_size(&rd);
    if (len > sizeof buf)
        return 0;
    entretiens__v1__interview_read__pack(&rd, buf);
    MDB_val k = { il + 9 + pl, key }, v = { len, buf };
    return mdb_put(txn, r->reads, &k, &v, 0);
}

int rec_reads_list(records_t *r, MDB_txn *txn, const char *id, Entretiens__V1__InterviewRead ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t il = strlen(id), cap = 64, n = 0;
    Entretiens__V1__InterviewRead **reads = calloc(cap, sizeof *reads);
    MDB_cursor *cur = NULL;
    if (!reads)
        return ENOMEM;
    int rc = mdb_cursor_open(txn, r->reads, &cur);
    if (rc) {
        free(reads);
        return rc;
    }
    MDB_val k = { il + 1, (void *) id }, v; /* the id and its NUL: this interview's keys only */
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < il + 1 || memcmp(k.mv_data, id, il + 1) != 0)
            break;
        Entretiens__V1__InterviewRead *one = entretiens__v1__interview_read__unpack(NULL, v.mv_size, v.mv_data);
        if (!one)
            continue; /* not ours: skipped, the rest still answers */
        if (n == cap) {
            Entretiens__V1__InterviewRead **more = realloc(reads, 2 * cap * sizeof *reads);
            if (!more) {
                entretiens__v1__interview_read__free_unpacked(one, NULL);
                rc = ENOMEM;
                break;
            }
            reads = more;
            cap *= 2;
        }
        reads[n++] = one;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) {
        rec_reads_free(reads, n);
        return rc;
    }
    *out = reads;
    *n_out = n;
    return 0;
}

void rec_reads_free(Entretiens__V1__InterviewRead **reads, size_t n)
{
    for (size_t i = 0; i < n; i++)
        entretiens__v1__interview_read__free_unpacked(reads[i], NULL);
    free(reads);
}
