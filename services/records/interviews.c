/*  interviews.c — interviews created from the scheduler's obligations (and
 *  by hand), cancelled with them, and what one interview carries into the
 *  next (records.h). */
#include "records.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"
#include "common/pbfast.h"
#include "common/pbwire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rec_employee_interviews(records_t *r, MDB_txn *txn, const char *employee_id, char (**ids)[REC_ID_MAX + 1],
                            size_t *n)
{
    *ids = NULL;
    *n = 0;
    size_t el = strlen(employee_id), cap = 0;
    if (el == 0 || el > REC_ID_MAX)
        return 0;
    uint8_t key[REC_ID_MAX + 2];
    memcpy(key, employee_id, el);
    key[el] = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, r->by_employee, &cur);
    if (rc)
        return rc;
    MDB_val k = { el + 1, key }, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= el + 1 || memcmp(k.mv_data, key, el + 1) != 0)
            break;
        size_t il = k.mv_size - el - 1;
        if (il > REC_ID_MAX)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            void *p = realloc(*ids, cap * sizeof **ids);
            if (!p) {
                rc = ENOMEM;
                break;
            }
            *ids = p;
        }
        memcpy((*ids)[*n], (char *) k.mv_data + el + 1, il);
        (*ids)[(*n)++][il] = '\0';
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Whether the stored interview id may be a closed one of type: its type
 * and status read from the packed header without unpacking it (neither is
 * ever sealed).  True also when it cannot be read that way (rec_iv_get
 * then says what is wrong, as before). */
static bool s_closed_of_type(records_t *r, MDB_txn *txn, const char *id, const char *type)
{
    MDB_val k = { strlen(id), (void *) id }, v;
    if (mdb_get(txn, r->interviews, &k, &v) != 0)
        return true;
    const uint8_t *t, *st;
    size_t tl, sl;
    int ft = ent_pb_field_bytes(v.mv_data, v.mv_size, 5, &t, &tl); /* Interview.type */
    int fs = ent_pb_field_bytes(v.mv_data, v.mv_size, 6, &st, &sl); /* Interview.status */
    if (ft < 0 || fs < 0)
        return true;
    return ent_pb_bytes_are(t, tl, type) && ent_pb_bytes_are(st, sl, "closed");
}

/* The objectives and action items of a closed interview, from the answers
 * visible in its report. */
static int s_carried(records_t *r, MDB_txn *txn, const rec_iv_t *prev, rec_extract_t *x)
{
    rec_content_t *c = NULL;
    int rc = rec_content_get(r, txn, prev->id, &c);
    if (rc)
        return rc;
    json_t *tmpl = NULL;
    rc = rec_template_doc(r, txn, prev->template_id, prev->template_version, &tmpl);
    if (rc == MDB_NOTFOUND || rc == MDB_CORRUPTED)
        rc = 0; /* no template, or one that cannot be read (logged): nothing is carried */
    if (tmpl) {
        json_t *ma = c->manager_answers && *c->manager_answers ? json_loads(c->manager_answers, 0, NULL) : NULL;
        json_t *ea = prev->employee_shared && c->employee_answers && *c->employee_answers
            ? json_loads(c->employee_answers, 0, NULL) : NULL;
        rc = rec_extract(tmpl, ma, x);
        if (!rc)
            rc = rec_extract(tmpl, ea, x);
        json_decref(ma);
        json_decref(ea);
        json_decref(tmpl);
    }
    rec_content_free(c);
    return rc;
}

/* Moves the objectives / action items of x into iv (x keeps the rest). */
static void s_take(rec_iv_t *iv, rec_extract_t *x, const char *from)
{
    /* what an older interview carried is replaced */
    rec_extract_t old = { 0 };
    old.objectives = iv->carried_objectives, old.n_objectives = iv->n_carried_objectives;
    old.action_items = iv->carried_action_items, old.n_action_items = iv->n_carried_action_items;
    rec_extract_free(&old);
    iv->carried_objectives = x->objectives;
    iv->n_carried_objectives = x->n_objectives;
    iv->carried_action_items = x->action_items;
    iv->n_carried_action_items = x->n_action_items;
    x->objectives = NULL, x->n_objectives = 0;
    x->action_items = NULL, x->n_action_items = 0;
    rec_set_str(&iv->carried_from, from);
}

int rec_create(records_t *r, MDB_txn *txn, const rec_create_t *c, rec_iv_t **out)
{
    *out = NULL;
    Entretiens__V1__Employee *e = NULL;
    int rc = rec_dir_peek(r, txn, c->employee_id, &e);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    const Entretiens__V1__Obligation *o = c->obligation;
#define PICK(field) (e && e->field && *e->field ? e->field : o && o->field ? o->field : "")
    rec_iv_t *iv = malloc(sizeof *iv);
    if (!iv) {
        rec_dir_unpeek(r, e);
        return ENOMEM;
    }
    entretiens__v1__interview__init(iv);
    char id[REC_ID_MAX + 1];
    if ((rc = rec_next_id(r, txn, id)))
        goto fail;
    rec_set_str(&iv->id, id);
    rec_set_str(&iv->obligation_id, c->obligation_id);
    rec_set_str(&iv->employee_id, c->employee_id);
    rec_set_str(&iv->manager_id, c->manager_id && *c->manager_id ? c->manager_id : PICK(manager_id));
    iv->reassigned = c->manager_id && *c->manager_id;
    rec_set_str(&iv->type, c->type);
    rec_set_str(&iv->status, rec_state_name(REC_S_PLANNED));
    iv->due_date = rec_date_new(c->due);
    if (o)
        iv->legal_due_date = rec_date_new(c->due); /* the law's date, kept if HR moves the deadline */
    if (o && ent_pbdate_day(o->window_start) != ENT_DATE_NONE)
        iv->window_start = rec_date_new(ent_pbdate_day(o->window_start));
    rec_set_str(&iv->entity, PICK(entity));
    rec_set_str(&iv->department, PICK(department));
    rec_set_str(&iv->site, PICK(site));
    rec_set_str(&iv->locale, PICK(locale));
    rec_set_str(&iv->first_name, PICK(first_name));
    rec_set_str(&iv->last_name, PICK(last_name));
    rec_set_str(&iv->category, e ? e->category : "");
    rec_set_str(&iv->title, c->title);
    rec_set_str(&iv->created_by, c->actor);
    iv->created_at_ms = ent_clock_now_ms();
#undef PICK
    char tid[REC_ID_MAX + 1];
    uint32_t tver = 0;
    if (c->template_id && *c->template_id) {
        Entretiens__V1__Template *t = NULL;
        rc = rec_template_get(r, txn, c->template_id, 0, &t);
        if (rc == MDB_NOTFOUND) {
            rc = ENOENT;
            goto fail;
        }
        if (rc)
            goto fail;
        bool same = strcmp(t->type, c->type) == 0;
        snprintf(tid, sizeof tid, "%s", t->id);
        tver = t->version;
        entretiens__v1__template__free_unpacked(t, NULL);
        if (!same) {
            rc = EINVAL;
            goto fail;
        }
    } else if ((rc = rec_template_choose(r, txn, c->type, iv->locale, iv->entity, iv->category, tid, &tver))) {
        goto fail;
    }
    rec_set_str(&iv->template_id, tid);
    iv->template_version = tver;
    /* objectives and action items of the previous closed interview of this type */
    char (*ids)[REC_ID_MAX + 1] = NULL;
    size_t n = 0;
    if ((rc = rec_employee_interviews(r, txn, c->employee_id, &ids, &n)))
        goto fail;
    rec_iv_t *prev = NULL;
    for (size_t i = 0; i < n && !rc; i++) {
        rec_iv_t *x = NULL;
        if (!s_closed_of_type(r, txn, ids[i], c->type))
            continue; /* most of them: not unpacked */
        if ((rc = rec_iv_get(r, txn, ids[i], &x)))
            break;
        if (strcmp(x->type, c->type) == 0 && strcmp(x->status, "closed") == 0 &&
            (!prev || x->closed_at_ms > prev->closed_at_ms)) {
            rec_iv_free(prev);
            prev = x;
        } else {
            rec_iv_free(x);
        }
    }
    free(ids);
    if (!rc && prev) {
        rec_extract_t x = { 0 };
        rc = s_carried(r, txn, prev, &x);
        if (!rc)
            s_take(iv, &x, prev->id);
        rec_extract_free(&x);
    }
    rec_iv_free(prev);
    if (rc)
        goto fail;
    char due[ENT_DATE_STRLEN];
    /* the details as fields: the audit writes their text without a JSON
     * object in between (a creation's most frequent record) */
    rec_detail_t det[] = {
        { .key = "type", .str = c->type },
        { .key = "employee_id", .str = c->employee_id },
        { .key = "due_date", .str = ent_date_format(c->due, due) },
        { .key = "manager_id", .str = iv->manager_id },
        { .key = "template_id", .str = tid },
        { .key = "template_version", .num = tver },
        { .key = "obligation_id", .str = rec_str(c->obligation_id) },
        { .key = "carried_from", .str = iv->carried_from },
    };
    rec_change_t ch = { .after = iv, .actor = c->actor, .action = "create", .flat = det,
                        .n_flat = sizeof det / sizeof *det - (iv->carried_from[0] ? 0 : 1),
                        .event = "records.interview.created", .trace_id = c->trace_id };
    if ((rc = rec_commit(r, txn, &ch)) || (rc = rec_template_usage_add(r, txn, iv)))
        goto fail;
    rec_dir_unpeek(r, e);
    *out = iv;
    return 0;
fail:
    rec_dir_unpeek(r, e);
    rec_iv_free(iv);
    return rc;
}

int rec_carry_forward(records_t *r, MDB_txn *txn, const rec_iv_t *closed, const char *trace_id)
{
    char (*ids)[REC_ID_MAX + 1] = NULL;
    size_t n = 0;
    int rc = rec_employee_interviews(r, txn, closed->employee_id, &ids, &n);
    rec_extract_t x = { 0 };
    bool loaded = false;
    for (size_t i = 0; i < n && !rc; i++) {
        if (strcmp(ids[i], closed->id) == 0)
            continue;
        rec_iv_t *iv = NULL;
        if ((rc = rec_iv_get(r, txn, ids[i], &iv)))
            break;
        rec_state_t st;
        rec_state_parse(iv->status, &st);
        if (strcmp(iv->type, closed->type) != 0 || !rec_state_before_meeting(st) ||
            strcmp(iv->carried_from, closed->id) == 0) {
            rec_iv_free(iv);
            continue;
        }
        if (!loaded) {
            loaded = true;
            if ((rc = s_carried(r, txn, closed, &x))) {
                rec_iv_free(iv);
                break;
            }
        }
        if (x.n_objectives == 0 && x.n_action_items == 0) {
            rec_iv_free(iv);
            break;
        }
        rec_iv_t *before = rec_iv_dup(iv);
        /* each interview gets its own copy */
        rec_extract_t copy = { 0 };
        uint8_t *buf = NULL;
        Entretiens__V1__Interview tmp = ENTRETIENS__V1__INTERVIEW__INIT;
        tmp.carried_objectives = x.objectives, tmp.n_carried_objectives = x.n_objectives;
        tmp.carried_action_items = x.action_items, tmp.n_carried_action_items = x.n_action_items;
        size_t len = entretiens__v1__interview__get_packed_size(&tmp);
        rec_iv_t *dup = (buf = malloc(len ? len : 1)) != NULL
            ? (entretiens__v1__interview__pack(&tmp, buf), entretiens__v1__interview__unpack(NULL, len, buf)) : NULL;
        free(buf);
        if (!before || !dup) {
            rec_iv_free(before), rec_iv_free(dup), rec_iv_free(iv);
            rc = ENOMEM;
            break;
        }
        copy.objectives = dup->carried_objectives, copy.n_objectives = dup->n_carried_objectives;
        copy.action_items = dup->carried_action_items, copy.n_action_items = dup->n_carried_action_items;
        s_take(iv, &copy, closed->id);
        dup->carried_objectives = NULL, dup->n_carried_objectives = 0;
        dup->carried_action_items = NULL, dup->n_carried_action_items = 0;
        rec_iv_free(dup);
        json_t *det = json_pack("{ss sI sI}", "carried_from", closed->id, "objectives", (json_int_t) iv->n_carried_objectives,
                                "action_items", (json_int_t) iv->n_carried_action_items);
        rec_change_t ch = { .before = before, .after = iv, .actor = "records", .action = "carry", .details = det,
                            .trace_id = trace_id };
        rc = rec_commit(r, txn, &ch);
        rec_iv_free(before);
        rec_iv_free(iv);
    }
    rec_extract_free(&x);
    free(ids);
    return rc;
}

/* ------------------------------------------------------ scheduler events */

static int s_find(records_t *r, MDB_txn *txn, const char *obligation_id, rec_iv_t **iv)
{
    *iv = NULL;
    MDB_val k = { strlen(obligation_id), (void *) obligation_id }, v;
    int rc = mdb_get(txn, r->by_obligation, &k, &v);
    if (rc)
        return rc;
    char id[REC_ID_MAX + 1];
    if (v.mv_size > REC_ID_MAX)
        return MDB_CORRUPTED;
    memcpy(id, v.mv_data, v.mv_size);
    id[v.mv_size] = '\0';
    return rec_iv_get(r, txn, id, iv);
}

static int s_system_change(records_t *r, MDB_txn *txn, rec_iv_t *iv, rec_action_t action, const char *reason,
                           const char *event, json_t *det, const char *trace_id)
{
    rec_state_t st;
    rec_state_parse(iv->status, &st);
    rec_context_t ctx = { .adhoc = !iv->obligation_id[0] };
    rec_transition_t t = rec_transition(st, action, REC_ACT_SYSTEM, &ctx);
    if (t.verdict != REC_T_OK) {
        json_decref(det);
        ent_log_info("records.event_ignored", "interview %s is %s: %s not applied (%s)", iv->id, iv->status,
                     rec_action_name(action), t.why ? t.why : "");
        return 0;
    }
    rec_iv_t *before = rec_iv_dup(iv);
    if (!before) {
        json_decref(det);
        return ENOMEM;
    }
    if (!det)
        det = json_object();
    json_object_set_new(det, "status", json_pack("[ss]", iv->status, rec_state_name(t.next)));
    rec_set_str(&iv->status, rec_state_name(t.next));
    if (reason) {
        rec_set_str(&iv->reason, reason);
        json_object_set_new(det, "reason", json_string(reason));
    }
    rec_change_t ch = { .before = before, .after = iv, .actor = "scheduler", .action = rec_action_name(action),
                        .details = det, .event = event, .reason = reason, .trace_id = trace_id };
    int rc = rec_commit(r, txn, &ch);
    rec_iv_free(before);
    return rc;
}

int rec_obligation_due(records_t *r, MDB_txn *txn, const Entretiens__V1__Obligation *o, const char *trace_id)
{
    int32_t due = ent_pbdate_day(o->due_date);
    if (due == ENT_DATE_NONE || !o->employee_id || !*o->employee_id || strlen(o->employee_id) > REC_ID_MAX ||
        strlen(o->obligation_id) > 200)
        return ENT_EVENT_SKIP;
    rec_iv_t *iv = NULL;
    int rc = s_find(r, txn, o->obligation_id, &iv);
    if (rc == MDB_NOTFOUND) {
        rec_create_t c = { .employee_id = o->employee_id, .type = o->type, .due = due,
                           .obligation_id = o->obligation_id, .actor = "scheduler", .trace_id = trace_id,
                           .obligation = o };
        rc = rec_create(r, txn, &c, &iv);
        rec_iv_free(iv);
        return rc == ENOENT || rc == EINVAL ? ENT_EVENT_SKIP : rc;
    }
    if (rc)
        return rc;
    /* the same obligation never makes a second interview */
    int32_t old = ent_pbdate_day(iv->due_date);
    /* the window follows the obligation (kept with the next commit) */
    int32_t win = ent_pbdate_day(o->window_start);
    if (win != ENT_DATE_NONE && win != ent_pbdate_day(iv->window_start)) {
        free(iv->window_start);
        iv->window_start = rec_date_new(win);
    }
    if (strcmp(iv->status, "cancelled") == 0) {
        if (strcmp(iv->cancelled_by, "scheduler") != 0) {
            /* cancelled by a person: their decision stands */
            rec_iv_free(iv);
            return 0;
        }
        rec_set_str(&iv->cancelled_by, "");
        rc = s_system_change(r, txn, iv, REC_A_RESTORE, "the obligation is owed again", NULL, NULL, trace_id);
        if (rc || old == due) {
            rec_iv_free(iv);
            return rc;
        }
    }
    /* the law's date, kept beside a deadline HR moved by hand */
    bool legal_changed = ent_pbdate_day(iv->legal_due_date) != due;
    if (legal_changed) {
        free(iv->legal_due_date);
        iv->legal_due_date = rec_date_new(due);
    }
    if (iv->due_moved && old != ENT_DATE_NONE && old <= due) {
        /* HR's deadline stands while it is not after the law's */
        if (legal_changed) {
            rec_iv_t *keep = rec_iv_dup(iv);
            free(keep ? keep->legal_due_date : NULL);
            if (keep)
                keep->legal_due_date = NULL;
            rec_change_t ch = { .before = keep, .after = iv, .actor = "scheduler", .action = "legal_due",
                                .details = NULL, .trace_id = trace_id };
            rc = keep ? rec_commit(r, txn, &ch) : ENOMEM;
            rec_iv_free(keep);
        }
        rec_iv_free(iv);
        return rc;
    }
    if (old != due) {
        iv->due_moved = false; /* the law's date again */
        char a[ENT_DATE_STRLEN], b[ENT_DATE_STRLEN];
        json_t *det = json_pack("{s[ss]}", "due_date", ent_date_format(old, a), ent_date_format(due, b));
        /* the transition may refuse (held): then the due date is kept */
        rec_iv_t *keep = rec_iv_dup(iv);
        free(iv->due_date);
        iv->due_date = rec_date_new(due);
        rec_state_t st;
        rec_state_parse(iv->status, &st);
        rec_context_t ctx = { 0 };
        if (rec_transition(st, REC_A_MOVE_DUE, REC_ACT_SYSTEM, &ctx).verdict == REC_T_OK && keep) {
            rec_change_t ch = { .before = keep, .after = iv, .actor = "scheduler", .action = "move_due",
                                .details = det, .trace_id = trace_id };
            rc = rec_commit(r, txn, &ch);
        } else {
            json_decref(det);
            rc = keep ? 0 : ENOMEM;
        }
        rec_iv_free(keep);
    }
    rec_iv_free(iv);
    return rc;
}

/* An obligation announced due: an interview now, or kept aside while its
 * window opens beyond the horizon (deferred.c) and no interview exists. */
static int s_offer(records_t *r, MDB_txn *txn, const Entretiens__V1__Obligation *o, const ProtobufCBinaryData *packed,
                   const char *trace_id)
{
    if (rec_beyond_horizon(r, o) && o->employee_id && *o->employee_id && ent_pbdate_day(o->due_date) != ENT_DATE_NONE) {
        rec_iv_t *iv = NULL;
        int rc = s_find(r, txn, o->obligation_id, &iv);
        rec_iv_free(iv);
        if (rc == MDB_NOTFOUND) {
            rc = rec_deferred_put(r, txn, o, packed);
            return rc == EINVAL ? ENT_EVENT_SKIP : rc;
        }
        if (rc)
            return rc;
    }
    int rc = rec_deferred_drop(r, txn, o->obligation_id);
    return rc ? rc : rec_obligation_due(r, txn, o, trace_id);
}

/* The employee's other interview of iv's type held on day, into by (""
 * when none): what met an obligation when records held it — two campaigns
 * of one type over the same people, the first interview held meets both.
 * Returns 0 or an LMDB code. */
static int s_held_by(records_t *r, MDB_txn *txn, const rec_iv_t *iv, int32_t day, char by[REC_ID_MAX + 1])
{
    by[0] = '\0';
    char (*ids)[REC_ID_MAX + 1] = NULL;
    size_t n = 0;
    int rc = rec_employee_interviews(r, txn, iv->employee_id, &ids, &n);
    for (size_t i = 0; !rc && i < n && !by[0]; i++) {
        if (strcmp(ids[i], iv->id) == 0)
            continue;
        rec_iv_t *other = NULL;
        rc = rec_iv_get(r, txn, ids[i], &other);
        if (rc == MDB_NOTFOUND)
            rc = 0;
        else if (!rc && other->type && iv->type && strcmp(other->type, iv->type) == 0 &&
                 ent_pbdate_day(other->held_on) == day)
            snprintf(by, REC_ID_MAX + 1, "%s", other->id);
        rec_iv_free(other);
    }
    free(ids);
    return rc;
}

static int s_gone(records_t *r, MDB_txn *txn, const Entretiens__V1__Obligation *o, bool met, const char *trace_id)
{
    rec_iv_t *iv = NULL;
    int rc = rec_deferred_drop(r, txn, o->obligation_id);
    if (rc)
        return rc;
    rc = s_find(r, txn, o->obligation_id, &iv);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    rec_state_t st;
    rec_state_parse(iv->status, &st);
    if (rec_state_before_meeting(st)) {
        char reason[160], d[ENT_DATE_STRLEN], by[REC_ID_MAX + 1] = "";
        int32_t met_on = ent_pbdate_day(o->met_on);
        if (met && met_on != ENT_DATE_NONE && (rc = s_held_by(r, txn, iv, met_on, by)) != 0) {
            rec_iv_free(iv);
            return rc;
        }
        if (met && by[0])
            snprintf(reason, sizeof reason, "the obligation was met by interview %s, held on %s", by,
                     ent_date_format(met_on, d));
        else if (met)
            snprintf(reason, sizeof reason, "the obligation was met by an interview held outside records%s%s",
                     met_on != ENT_DATE_NONE ? " on " : "", met_on != ENT_DATE_NONE ? ent_date_format(met_on, d) : "");
        else
            snprintf(reason, sizeof reason, "the obligation is no longer owed (%s)", rec_str(o->status));
        rec_set_str(&iv->cancelled_by, "scheduler");
        rc = s_system_change(r, txn, iv, REC_A_CANCEL, reason, "records.interview.cancelled", NULL, trace_id);
    }
    rec_iv_free(iv);
    return rc;
}

bool rec_sole_field1(const ProtobufCBinaryData *p, ProtobufCBinaryData *out)
{
    /* tag 1, wire type 2 (length-delimited), then a varint length that
     * covers exactly the rest */
    if (p->len < 2 || p->data[0] != 0x0a)
        return false;
    const uint8_t *q = p->data + 1, *end = p->data + p->len;
    uint64_t len = 0;
    if (!ent_pb_varint_get(&q, end, &len) || len != (uint64_t) (end - q))
        return false;
    out->data = (uint8_t *) q;
    out->len = (size_t) len;
    return true;
}

#define T_UPSERTED "scheduler.employee.upserted"
#define T_DUE "scheduler.interview.due"
#define T_CANCELLED "scheduler.interview.cancelled"
#define T_MET "scheduler.interview.met"

/* Every type the function below looks at: a type it ignores missing here
 * costs nothing, a type it applies missing here would be lost in a replay
 * (test_records_ingest replays the scheduler's whole log). */
char *const rec_scheduler_types[] = { T_UPSERTED, T_DUE, T_CANCELLED, T_MET, NULL };

int rec_on_scheduler_event(MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, void *arg)
{
    records_t *r = arg;
    const char *type = ev->type ? ev->type : "";
    const char *trace = ev->trace_id;
    /* the event's message lives while it is applied: the arena's block,
     * given back whole by the next event's reset (no free_unpacked walk) */
    ProtobufCAllocator *al = r->arena ? ent_pbarena_allocator(r->arena) : NULL;
    if (r->arena)
        ent_pbarena_reset(r->arena);
    rec_idx_collect(r); /* written sorted at the end of the turn's events */
    if (strcmp(type, T_UPSERTED) == 0) {
        Entretiens__V1__EmployeeUpserted *u =
            ent_pbfast_unpack_or_pbc(&entretiens__v1__employee_upserted__descriptor,
                al, ev->payload.len, ev->payload.data);
        if (!u)
            return ENT_EVENT_SKIP;
        ProtobufCBinaryData packed;
        int rc = rec_dir_upsert(r, txn, u->employee, rec_sole_field1(&ev->payload, &packed) ? &packed : NULL, trace);
        if (!al)
            entretiens__v1__employee_upserted__free_unpacked(u, NULL);
        return rc;
    }
    bool due = strcmp(type, T_DUE) == 0, cancelled = strcmp(type, T_CANCELLED) == 0, met = strcmp(type, T_MET) == 0;
    if (!due && !cancelled && !met)
        return 0; /* overdue, and whatever else the scheduler says, is not records' business */
    Entretiens__V1__ObligationEvent *oe = ent_pbfast_unpack_or_pbc(&entretiens__v1__obligation_event__descriptor,
        al, ev->payload.len, ev->payload.data);
    if (!oe || !oe->obligation || !oe->obligation->obligation_id || !*oe->obligation->obligation_id) {
        if (oe && !al)
            entretiens__v1__obligation_event__free_unpacked(oe, NULL);
        return ENT_EVENT_SKIP;
    }
    const Entretiens__V1__Obligation *o = oe->obligation;
    int rc = 0;
    if (strcmp(rec_str(o->type), "return_medical_visit") == 0) {
        rc = 0; /* a visit to the occupational doctor: not an interview (docs/records.md) */
    } else if (!rec_type_known(o->type)) {
        ent_log_warn("records.unknown_type", "obligation %s has an unknown type '%s'", o->obligation_id, rec_str(o->type));
        rc = ENT_EVENT_SKIP;
    } else if (due) {
        ProtobufCBinaryData packed;
        rc = s_offer(r, txn, o, rec_sole_field1(&ev->payload, &packed) ? &packed : NULL, trace);
    } else {
        rc = s_gone(r, txn, o, met, trace);
    }
    if (!al)
        entretiens__v1__obligation_event__free_unpacked(oe, NULL);
    return rc;
}
