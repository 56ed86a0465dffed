/*  history.c — each employee's lifecycle history, folded into facts for the
 *  rules engine and into the employee's current attributes (scheduler.h). */
#include "hand_pack.h"
#include "scheduler.h"
#include "common/pbdate.h"
#include "validate.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"
#include "common/pbfast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* employee_id \0 be32(date) rank \0 source \0 event_id */
static size_t s_history_key(const Entretiens__V1__EmployeeEvent *ev, uint8_t *key, size_t size)
{
    size_t e = strlen(ev->employee_id), so = strlen(ev->source), id = strlen(ev->event_id);
    if (e + so + id + 8 > size)
        return 0;
    uint8_t *p = key;
    memcpy(p, ev->employee_id, e + 1);
    p += e + 1;
    ent_key_day_put(p, ent_pbdate_day(ev->effective_date));
    p[4] = (uint8_t) sched_event_rank(sched_event_kind(ev->type));
    p += 5;
    memcpy(p, ev->source, so + 1);
    p += so + 1;
    memcpy(p, ev->event_id, id);
    p += id;
    return (size_t) (p - key);
}

int sched_history_put(scheduler_t *s, MDB_txn *txn, const Entretiens__V1__EmployeeEvent *ev)
{
    uint8_t key[512];
    size_t klen = s_history_key(ev, key, sizeof key);
    if (!klen)
        return MDB_BAD_VALSIZE;
    size_t len = entretiens__v1__employee_event__get_packed_size(ev);
    MDB_val k = { klen, key }, v = { len, NULL };
    int rc = mdb_put(txn, s->history, &k, &v, MDB_RESERVE);
    if (rc)
        return rc;
    entretiens__v1__employee_event__pack(ev, v.mv_data);
    return 0;
}

int sched_history_find(scheduler_t *s, MDB_txn *txn, const char *employee_id,
                       const Entretiens__V1__EmployeeEvent *ev, MDB_val *out)
{
    /* first the key the event would have under employee_id: an identical
     * re-send (the common case) is found by one lookup */
    Entretiens__V1__EmployeeEvent probe = *ev;
    probe.employee_id = (char *) employee_id;
    uint8_t key[512];
    size_t klen = s_history_key(&probe, key, sizeof key);
    if (!klen)
        return MDB_BAD_VALSIZE;
    MDB_val k = { klen, key };
    int rc = mdb_get(txn, s->history, &k, out);
    if (rc != MDB_NOTFOUND)
        return rc;
    /* its date or type changed, so its rank: scan the employee's history for
     * "\0 source \0 event_id" after the 5 bytes of date and rank */
    size_t plen = strlen(employee_id) + 1, slen = klen - plen - 5;
    const uint8_t *suffix = key + plen + 5;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, s->history, &cur)) != 0)
        return rc;
    MDB_val v;
    k.mv_size = plen;
    k.mv_data = key;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, employee_id, plen) != 0) {
            rc = MDB_NOTFOUND;
            break;
        }
        if (k.mv_size == plen + 5 + slen && memcmp((const uint8_t *) k.mv_data + plen + 5, suffix, slen) == 0) {
            *out = v;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc;
}

int sched_history_list(scheduler_t *s, MDB_txn *txn, const char *employee_id,
                       Entretiens__V1__EmployeeEvent ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t plen = strlen(employee_id) + 1, cap = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->history, &cur);
    if (rc)
        return rc;
    MDB_val k = { plen, (void *) employee_id }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, employee_id, plen) != 0)
            break;
        Entretiens__V1__EmployeeEvent *ev = entretiens__v1__employee_event__unpack(NULL, v.mv_size, v.mv_data);
        if (!ev) {
            ent_log_error("history.corrupt", "undecodable history entry for %s", employee_id);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            Entretiens__V1__EmployeeEvent **a = realloc(*out, cap * sizeof *a);
            if (!a) {
                entretiens__v1__employee_event__free_unpacked(ev, NULL);
                rc = ENOMEM;
                break;
            }
            *out = a;
        }
        (*out)[(*n)++] = ev;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int sched_employee_get_with(scheduler_t *s, MDB_txn *txn, const char *employee_id, ProtobufCAllocator *alloc,
                            Entretiens__V1__Employee **out)
{
    MDB_val k = { strlen(employee_id), (void *) employee_id }, v;
    int rc = mdb_get(txn, s->employees, &k, &v);
    if (rc)
        return rc;
    /* in one pass into an arena (common/pbfast.h), else protobuf-c */
    *out = ent_pbfast_unpack_or_pbc(&entretiens__v1__employee__descriptor, alloc, v.mv_size, v.mv_data);
    return *out ? 0 : MDB_CORRUPTED;
}

int sched_employee_get(scheduler_t *s, MDB_txn *txn, const char *employee_id, Entretiens__V1__Employee **out)
{
    return sched_employee_get_with(s, txn, employee_id, NULL, out);
}


/* A bump allocator for the events of one rebuild: unpacking a history is
 * the ingest's hottest path, and malloc/free per field was a tenth of it.
 * Reset at each rebuild; an event that does not fit is unpacked with malloc. */
void *sched_arena_alloc(void *data, size_t size)
{
    sched_arena_t *a = data;
    size_t at = (a->used + 15) & ~(size_t) 15;
    if (at + size > a->cap)
        return NULL;
    a->used = at + size;
    return a->buf + at;
}

void sched_arena_free(void *data, void *p)
{
    (void) data, (void) p; /* released all at once by the next reset */
}

static bool s_set(const char *v)
{
    return v && *v;
}

#define TAKE(field) do { if (s_set(ev->field)) emp.field = ev->field; } while (0)

int sched_history_rebuild(scheduler_t *s, MDB_txn *txn, const char *employee_id)
{
    /* the employee's events, unpacked into the arena (or with malloc when
     * it is full: those are freed at the end) */
    Entretiens__V1__EmployeeEvent **evs = s->rebuild_events;
    bool *heap = s->rebuild_heap;
    size_t n = 0, plen = strlen(employee_id) + 1;
    ProtobufCAllocator arena = { sched_arena_alloc, sched_arena_free, &s->arena };
    s->arena.used = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->history, &cur);
    if (rc)
        return rc;
    MDB_val hk = { plen, (void *) employee_id }, hv;
    for (rc = mdb_cursor_get(cur, &hk, &hv, MDB_SET_RANGE); rc == 0 && n < SCHED_MAX_FACTS;
         rc = mdb_cursor_get(cur, &hk, &hv, MDB_NEXT)) {
        if (hk.mv_size < plen || memcmp(hk.mv_data, employee_id, plen) != 0)
            break;
        Entretiens__V1__EmployeeEvent *ev = entretiens__v1__employee_event__unpack(&arena, hv.mv_size, hv.mv_data);
        heap[n] = ev == NULL;
        if (!ev)
            ev = entretiens__v1__employee_event__unpack(NULL, hv.mv_size, hv.mv_data);
        if (!ev) {
            ent_log_error("history.corrupt", "undecodable history entry for %s", employee_id);
            continue;
        }
        evs[n++] = ev;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND)
        goto done;
    rc = 0;
    if (n == 0)
        return ENOENT;
    Entretiens__V1__Employee emp = ENTRETIENS__V1__EMPLOYEE__INIT;
    Entretiens__V1__Date hired_on, left_on, birth, cend, last_iv;
    int32_t last_interview = ENT_DATE_NONE;
    emp.employee_id = (char *) employee_id;
    int32_t birth_date = ENT_DATE_NONE, contract_end = ENT_DATE_NONE, hired = ENT_DATE_NONE, left = ENT_DATE_NONE;
    sch_category_t cat = SCH_CAT_OUVRIER_EMPLOYE;
    sch_contract_t con = SCH_CONTRACT_PERMANENT;
    int trial_months = 0, trial_days = 0;
    bool forfait = false, renewable = false;
    size_t nf = 0;
    for (size_t i = 0; i < n && nf < SCHED_MAX_FACTS; i++) {
        const Entretiens__V1__EmployeeEvent *ev = evs[i];
        int kind = sched_event_kind(ev->type);
        int32_t date = ent_pbdate_day(ev->effective_date);
        if (kind < 0 || date == ENT_DATE_NONE)
            continue;
        sch_fact_t f = sch_fact_make((sch_fact_kind_t) kind, date, 0);
        switch (kind) {
        case SCH_FACT_HIRED:
            /* a new employment: its contract is what this event says */
            cat = SCH_CAT_OUVRIER_EMPLOYE;
            con = SCH_CONTRACT_PERMANENT;
            contract_end = ENT_DATE_NONE;
            trial_months = 0;
            trial_days = 0;
            renewable = false;
            forfait = false;
            hired = date;
            left = ENT_DATE_NONE;
            /* fall through */
        case SCH_FACT_UPDATED: {
            TAKE(entity);
            TAKE(department);
            TAKE(site);
            TAKE(region);
            TAKE(manager_id);
            TAKE(email);
            TAKE(locale);
            TAKE(first_name);
            TAKE(last_name);
            TAKE(position);
            if (s_set(ev->category))
                sch_category_parse(ev->category, &cat);
            if (s_set(ev->contract))
                sch_contract_parse(ev->contract, &con);
            if (ev->contract_end)
                contract_end = ent_pbdate_day(ev->contract_end);
            if (ev->trial_months)
                trial_months = (int) ev->trial_months;
            if (ev->trial_days)
                trial_days = (int) ev->trial_days;
            if (ev->trial_renewable)
                renewable = ev->trial_renewable->value;
            if (ev->forfait_jours)
                forfait = ev->forfait_jours->value;
            if (ev->birth_date)
                birth_date = ent_pbdate_day(ev->birth_date);
            f = sch_fact_contract((sch_fact_kind_t) kind, date, cat, con,
                                  con == SCH_CONTRACT_PERMANENT ? ENT_DATE_NONE : contract_end, trial_months,
                                  forfait);
            f.trial_days = (uint8_t) trial_days;
            f.flags = renewable ? SCH_FACT_TRIAL_RENEWABLE : 0;
            break;
        }
        case SCH_FACT_POSITION_CHANGED:
            TAKE(department);
            TAKE(position);
            TAKE(manager_id);
            TAKE(site);
            break;
        case SCH_FACT_TRIAL_RENEWED:
            f.arg = (uint8_t) ev->months;
            break;
        case SCH_FACT_LEFT:
            left = date;
            break;
        case SCH_FACT_LEAVE_STARTED:
        case SCH_FACT_LEAVE_ENDED: {
            sch_leave_t lk = SCH_LEAVE_SICK;
            sch_leave_parse(ev->leave_kind, &lk);
            f.arg = (uint8_t) lk;
            break;
        }
        case SCH_FACT_MEDICAL_VISIT: {
            sch_visit_t vk = SCH_VISIT_OTHER;
            sch_visit_parse(ev->visit_kind, &vk);
            f.arg = (uint8_t) vk;
            break;
        }
        case SCH_FACT_TRAINING_COMPLETED:
            f.arg = ev->mandatory && ev->mandatory->value ? 1 : 0;
            break;
        case SCH_FACT_INTERVIEW_HELD: {
            sch_type_t t = SCH_TYPE_PROFESSIONAL;
            sch_type_parse(ev->interview_type, &t);
            f.arg = (uint8_t) t;
            /* history in date order: the last one is the latest */
            last_interview = date;
            break;
        }
        default:
            break;
        }
        s->facts_buf[nf++] = f;
    }
    emp.category = (char *) sch_category_name(cat);
    emp.contract = (char *) sch_contract_name(con);
    emp.contract_end = con == SCH_CONTRACT_PERMANENT ? NULL : ent_pbdate_ptr(contract_end, &cend);
    emp.trial_months = (uint32_t) trial_months;
    emp.trial_days = (uint32_t) trial_days;
    emp.trial_renewable = renewable;
    emp.forfait_jours = forfait;
    emp.birth_date = ent_pbdate_ptr(birth_date, &birth);
    emp.hired_on = ent_pbdate_ptr(hired, &hired_on);
    emp.left_on = ent_pbdate_ptr(left, &left_on);
    emp.last_interview_on = ent_pbdate_ptr(last_interview, &last_iv);
    emp.employed = hired != ENT_DATE_NONE && left == ENT_DATE_NONE;

    /* facts, behind what the engine and the campaigns need of the
     * attributes (the head: birth date, entity, department, site), then
     * her region (the tail: whose "today" judges her deadlines) */
    MDB_val k = { strlen(employee_id), (void *) employee_id };
    size_t head = sched_facts_head_len(emp.entity, emp.department, emp.site);
    MDB_val fv = { head + nf * sizeof(sch_fact_t) + SCHED_FACTS_TAIL, NULL };
    rc = mdb_put(txn, s->facts, &k, &fv, MDB_RESERVE);
    if (!rc) {
        sched_facts_head_write(fv.mv_data, birth_date, emp.entity, emp.department, emp.site);
        memcpy((uint8_t *) fv.mv_data + head, s->facts_buf, nf * sizeof(sch_fact_t));
        sched_facts_tail_write((uint8_t *) fv.mv_data + head + nf * sizeof(sch_fact_t), emp.region);
    }
    /* attributes: publish only when they changed */
    if (!rc) {
        /* packed once, by hand (hand_pack.h), after room for the head of
         * the EmployeeUpserted that carries the same bytes */
        uint8_t stack[2048], *heap = NULL, *buf = stack + SCHED_PACK_HEAD_MAX;
        size_t len;
        if (sched_employee_pack(&emp, buf, sizeof stack - SCHED_PACK_HEAD_MAX, &len) != 0) {
            len = entretiens__v1__employee__get_packed_size(&emp);
            heap = malloc(SCHED_PACK_HEAD_MAX + len);
            buf = heap ? heap + SCHED_PACK_HEAD_MAX : NULL;
            if (buf)
                entretiens__v1__employee__pack(&emp, buf);
        }
        if (!buf) {
            rc = ENOMEM;
        } else {
            MDB_val old;
            int g = mdb_get(txn, s->employees, &k, &old);
            if (g == MDB_NOTFOUND || (g == 0 && (old.mv_size != len || memcmp(old.mv_data, buf, len) != 0))) {
                MDB_val nv = { len, buf };
                rc = mdb_put(txn, s->employees, &k, &nv, 0);
                if (!rc) {
                    uint8_t head[SCHED_PACK_HEAD_MAX];
                    size_t hl = sched_employee_upserted_head(len, head);
                    memcpy(buf - hl, head, hl);
                    rc = ent_outbox_append(ent_daemon_outbox(s->d), txn, "scheduler.employee.upserted", employee_id,
                                           "", ent_clock_now_ms(), buf - hl, hl + len, NULL);
                }
            } else if (g) {
                rc = g;
            }
            free(heap);
        }
    }
done:
    for (size_t i = 0; i < n; i++)
        if (heap[i])
            entretiens__v1__employee_event__free_unpacked(evs[i], NULL);
    return rc;
}
