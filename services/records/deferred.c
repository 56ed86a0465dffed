/*  deferred.c — obligations whose window opens beyond the horizon wait
 *  here instead of becoming interviews years ahead (records.h).
 *
 *  The scheduler announces every obligation as soon as it knows it, up to
 *  the professional recap eight years away or the end-of-career interview
 *  thirty years away.  An interview planned in 2050 is noise in every list
 *  and reminder plan, so records keeps such obligations aside (`deferred`:
 *  obligation id -> packed Obligation; `deferred_idx`: be32(window) +
 *  obligation id) and creates their interviews when the business clock
 *  brings the window within ENTRETIENS_RECORDS_HORIZON_DAYS. */
#include "records.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"
#include "common/pbwire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The date that decides: the window's opening, else the due date. */
static int32_t s_opens(const Entretiens__V1__Obligation *o)
{
    int32_t w = ent_pbdate_day(o->window_start);
    return w != ENT_DATE_NONE ? w : ent_pbdate_day(o->due_date);
}

static size_t s_idx_key(int32_t day, const char *obligation_id, uint8_t *key)
{
    ent_key_day_put(key, day);
    size_t n = strlen(obligation_id);
    memcpy(key + 4, obligation_id, n);
    return 4 + n;
}

bool rec_beyond_horizon(const records_t *r, const Entretiens__V1__Obligation *o)
{
    int32_t opens = s_opens(o);
    /* the process' date, not the employee's: a horizon of months does not
     * hinge on the day a time zone makes */
    return r->horizon_days > 0 && opens != ENT_DATE_NONE && opens > ent_clock_today() + r->horizon_days;
}

int rec_deferred_drop(records_t *r, MDB_txn *txn, const char *obligation_id)
{
    MDB_val k = { strlen(obligation_id), (void *) obligation_id }, v;
    int rc = mdb_get(txn, r->deferred, &k, &v);
    if (rc)
        return rc == MDB_NOTFOUND ? 0 : rc;
    Entretiens__V1__Obligation *old = entretiens__v1__obligation__unpack(NULL, v.mv_size, v.mv_data);
    if (old) {
        uint8_t key[4 + 256];
        rc = rec_idx_del(r, txn, r->deferred_idx, key, s_idx_key(s_opens(old), obligation_id, key));
        entretiens__v1__obligation__free_unpacked(old, NULL);
        if (rc)
            return rc;
    }
    rc = mdb_del(txn, r->deferred, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Whether field f of Obligation is kept aside with a deferred obligation:
 * what its release reads (employee, type, due date, window) and what a
 * creation takes from the obligation when the directory lacks the employee
 * (manager, entity, department, site, names, locale).  Dropped: the id (it
 * is the key), and the status, rule, basis, reason, penalties, anchor, met
 * date and managers' names, which the scheduler sends again with the
 * obligation's next change and no creation reads.  A field this version
 * does not know is kept. */
static bool s_kept_field(uint64_t f)
{
    return !(f == 1 || (f >= 6 && f <= 14) || f == 27 || f == 28);
}

size_t rec_deferred_trim(const uint8_t *in, size_t n, uint8_t *out, size_t room)
{
    const uint8_t *p = in, *end = in + n;
    size_t len = 0;
    while (p < end) {
        const uint8_t *field = p;
        uint64_t tag, v;
        if (!ent_pb_varint_get(&p, end, &tag))
            return 0;
        switch (tag & 7) {
        case ENT_PB_VARINT:
            if (!ent_pb_varint_get(&p, end, &v))
                return 0;
            break;
        case ENT_PB_LEN:
            if (!ent_pb_varint_get(&p, end, &v) || v > (uint64_t) (end - p))
                return 0;
            p += v;
            break;
        default:
            return 0; /* not a wire type protobuf-c writes for this message */
        }
        if (!s_kept_field(tag >> 3))
            continue;
        size_t flen = (size_t) (p - field);
        if (flen > room - len)
            return 0;
        memcpy(out + len, field, flen);
        len += flen;
    }
    return len;
}

int rec_deferred_put(records_t *r, MDB_txn *txn, const Entretiens__V1__Obligation *o, const ProtobufCBinaryData *packed)
{
    if (strlen(o->obligation_id) > 250)
        return EINVAL;
    int rc = rec_deferred_drop(r, txn, o->obligation_id);
    if (rc)
        return rc;
    /* the fields a release reads, copied from the event's bytes (about
     * half of them: a catch-up keeps hundreds of thousands aside); a
     * message that does not walk is kept whole, packed again */
    uint8_t trimmed[1024];
    size_t len = packed ? rec_deferred_trim(packed->data, packed->len, trimmed, sizeof trimmed) : 0;
    size_t whole = len ? 0 : entretiens__v1__obligation__get_packed_size(o);
    MDB_val k = { strlen(o->obligation_id), o->obligation_id }, v = { len ? len : whole, NULL };
    if ((rc = mdb_put(txn, r->deferred, &k, &v, MDB_RESERVE)))
        return rc;
    if (len)
        memcpy(v.mv_data, trimmed, len);
    else
        entretiens__v1__obligation__pack(o, v.mv_data);
    uint8_t key[4 + 256];
    return rec_idx_put(r, txn, r->deferred_idx, key, s_idx_key(s_opens(o), o->obligation_id, key));
}

int rec_deferred_release(MDB_txn *txn, void *arg)
{
    records_t *r = arg;
    if (r->horizon_days <= 0)
        return 0;
    int32_t until = ent_clock_today() + r->horizon_days;
    size_t released = 0;
    /* the index as the turn's events left it, and what the release does
     * to it written at once: it is read again after each interview */
    int qrc = rec_idx_settle_turn(txn, r);
    if (qrc)
        return qrc;
    for (;;) {
        /* one at a time: creating an interview writes to other databases,
         * and the cursor is opened again on a clean index */
        MDB_cursor *cur;
        int rc = mdb_cursor_open(txn, r->deferred_idx, &cur);
        if (rc)
            return rc;
        MDB_val k, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        char id[257] = "";
        bool ripe = false;
        if (rc == 0 && k.mv_size > 4 && k.mv_size - 4 < sizeof id) {
            const uint8_t *p = k.mv_data;
            int32_t day = ent_key_day_get(p);
            ripe = day <= until;
            memcpy(id, p + 4, k.mv_size - 4);
            id[k.mv_size - 4] = '\0';
        }
        mdb_cursor_close(cur);
        if (rc == MDB_NOTFOUND || (rc == 0 && !ripe))
            break;
        if (rc)
            return rc;
        MDB_val ok = { strlen(id), id };
        if ((rc = mdb_get(txn, r->deferred, &ok, &v))) {
            if (rc != MDB_NOTFOUND)
                return rc;
            /* an index entry without its obligation (should not happen):
             * drop it rather than loop on it */
            uint8_t key[4 + 256];
            MDB_val ik = { k.mv_size, key };
            memcpy(key, k.mv_data, k.mv_size);
            if ((rc = mdb_del(txn, r->deferred_idx, &ik, NULL)))
                return rc;
            continue;
        }
        Entretiens__V1__Obligation *o = entretiens__v1__obligation__unpack(NULL, v.mv_size, v.mv_data);
        if ((rc = rec_deferred_drop(r, txn, id)) == 0 && o) {
            /* the id is the key (rec_deferred_trim); a value kept whole by
             * an earlier version carries it too */
            char *own = o->obligation_id;
            o->obligation_id = id;
            rc = rec_obligation_due(r, txn, o, "");
            o->obligation_id = own;
        }
        if (o)
            entretiens__v1__obligation__free_unpacked(o, NULL);
        if (rc == ENT_EVENT_SKIP)
            rc = 0;
        if (rc)
            return rc;
        released++;
    }
    if (released)
        ent_log_info("records.horizon", "%zu interviews created: their window opens within %d days", released,
                     r->horizon_days);
    return 0;
}
