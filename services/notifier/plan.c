/*  plan.c — reminder plans (plan.h). */
#include "plan.h"

#include "common/date.h"
#include "common/log.h"
#include "common/pbdate.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char NTF_DEFAULT_PLANS[] = "default=-30:em,-7:em,-1:em,+1:m,+7:x";

static const char *const S_KINDS[NTF_KIND_COUNT] = { "reminder", "overdue", "escalation", "invitation",
                                                     "cancellation", "sign_request", "signed", "digest",
                                                     "catchup" };
static const char *const S_ROLES[NTF_ROLE_COUNT] = { "employee", "manager", "escalation", "hr" };
static const char *const S_ITEM_STATUS[NTF_ITEM_COUNT] = { "pending", "fired", "cancelled" };

const char *ntf_kind_name(int kind) { return kind >= 0 && kind < NTF_KIND_COUNT ? S_KINDS[kind] : "?"; }
const char *ntf_role_name(int role) { return role >= 0 && role < NTF_ROLE_COUNT ? S_ROLES[role] : "?"; }
const char *ntf_item_status_name(int st) { return st >= 0 && st < NTF_ITEM_COUNT ? S_ITEM_STATUS[st] : "?"; }

static int s_parse_name(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int ntf_kind_parse(const char *name) { return s_parse_name(S_KINDS, NTF_KIND_COUNT, name); }
int ntf_role_parse(const char *name) { return s_parse_name(S_ROLES, NTF_ROLE_COUNT, name); }
int ntf_item_status_parse(const char *name) { return s_parse_name(S_ITEM_STATUS, NTF_ITEM_COUNT, name); }

bool ntf_copy(char *dst, size_t size, const char *src)
{
    if (!src)
        src = "";
    size_t len = strlen(src);
    if (len < size) {
        memcpy(dst, src, len + 1);
        return true;
    }
    size_t cut = size - 1;
    /* do not split a UTF-8 sequence: back up over continuation bytes */
    while (cut > 0 && ((unsigned char) src[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(dst, src, cut);
    dst[cut] = '\0';
    return false;
}

/* --------------------------------------------------------------- plans */

static int s_fail(char *err, size_t errsz, const char *fmt, const char *what)
{
    if (err && errsz)
        snprintf(err, errsz, fmt, what);
    return -1;
}

/* Parses "STEP,STEP" or "none" into p. */
static int s_parse_steps(const char *text, size_t len, ntf_plan_t *p, char *err, size_t errsz)
{
    char buf[256];
    if (len >= sizeof buf)
        return s_fail(err, errsz, "plan of %s is too long", p->type);
    memcpy(buf, text, len);
    buf[len] = '\0';
    p->n = 0;
    if (strcmp(buf, "none") == 0 || buf[0] == '\0')
        return 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char) *tok))
            tok++;
        if (p->n >= NTF_MAX_STEPS)
            return s_fail(err, errsz, "plan of %s has more than 8 steps", p->type);
        char *end;
        errno = 0;
        long off = strtol(tok, &end, 10);
        if (end == tok || errno || off < -366 || off > 366 || *end != ':')
            return s_fail(err, errsz, "step '%s' must be a day offset (-366..366), ':' and recipients", tok);
        uint8_t to = 0;
        for (const char *c = end + 1; *c && !isspace((unsigned char) *c); c++) {
            if (*c == 'e')
                to |= NTF_TO_EMPLOYEE;
            else if (*c == 'm')
                to |= NTF_TO_MANAGER;
            else if (*c == 'x')
                to |= NTF_TO_ESCALATION;
            else
                return s_fail(err, errsz, "step '%s': recipients are e (employee), m (manager), x (escalation)", tok);
        }
        if (!to)
            return s_fail(err, errsz, "step '%s' names no recipient", tok);
        if ((to & NTF_TO_ESCALATION) && off <= 0)
            return s_fail(err, errsz, "step '%s': an escalation comes after the due date", tok);
        for (int i = 0; i < p->n; i++)
            if (p->steps[i].offset == off)
                return s_fail(err, errsz, "step '%s' repeats a day offset", tok);
        p->steps[p->n].offset = (int32_t) off;
        p->steps[p->n].to = to;
        p->n++;
    }
    return 0;
}

static int s_parse_into(const char *text, ntf_plans_t *out, char *err, size_t errsz)
{
    const char *p = text;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t) (semi - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (len == 0) {
            p += semi ? 1 : 0;
            if (!semi)
                break;
            continue;
        }
        if (!eq)
            return s_fail(err, errsz, "'%s...' must be TYPE=STEPS", p);
        char type[48];
        size_t tl = (size_t) (eq - p);
        while (tl > 0 && isspace((unsigned char) p[tl - 1]))
            tl--;
        const char *ts = p;
        while (tl > 0 && isspace((unsigned char) *ts))
            ts++, tl--;
        if (tl == 0 || tl >= sizeof type)
            return s_fail(err, errsz, "bad interview type in '%s'", p);
        memcpy(type, ts, tl);
        type[tl] = '\0';
        ntf_plan_t *plan = NULL;
        if (strcmp(type, "default") == 0) {
            plan = &out->def;
        } else {
            for (int i = 0; i < out->n; i++)
                if (strcmp(out->types[i].type, type) == 0)
                    plan = &out->types[i];
            if (!plan) {
                if (out->n >= NTF_MAX_PLANS)
                    return s_fail(err, errsz, "more than 16 interview types have a plan (at %s)", type);
                plan = &out->types[out->n++];
            }
        }
        memcpy(plan->type, type, tl + 1);
        const char *steps = eq + 1;
        if (s_parse_steps(steps, len - (size_t) (steps - p), plan, err, errsz) != 0)
            return -1;
        if (!semi)
            break;
        p = semi + 1;
    }
    return 0;
}

int ntf_plans_parse(const char *text, ntf_plans_t *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (s_parse_into(NTF_DEFAULT_PLANS, out, err, errsz) != 0)
        return -1;
    if (text && s_parse_into(text, out, err, errsz) != 0)
        return -1;
    return 0;
}

const ntf_plan_t *ntf_plans_for(const ntf_plans_t *plans, const char *type)
{
    for (int i = 0; type && i < plans->n; i++)
        if (strcmp(plans->types[i].type, type) == 0)
            return &plans->types[i];
    return &plans->def;
}

/* --------------------------------------------------------------- time */

int64_t ntf_local_ms(int32_t date, int hour)
{
    return ent_region_local_ms(ENT_REGION_METROPOLE, date, hour);
}

int32_t ntf_business_day(ent_region_t region, int32_t date, int direction)
{
    /* at most a long weekend plus a holiday or two: bounded anyway */
    for (int i = 0; i < 14 && !ent_calendar_is_ouvre(region, date); i++)
        date += direction < 0 ? -1 : 1;
    return date;
}

int64_t ntf_step_fire_ms(int32_t due, int32_t offset, ent_region_t region, int hour)
{
    int32_t day = ntf_business_day(region, due + offset, offset <= 0 ? -1 : 1);
    /* the recipient's own clock: 9:00 in La Réunion is not 9:00 in Paris */
    return ent_region_local_ms(region, day, hour);
}

ent_region_t ntf_region(const char *name)
{
    ent_region_t r;
    if (!name || !*name || ent_region_parse(name, &r) != 0)
        return ENT_REGION_METROPOLE;
    return r;
}

/* --------------------------------------------------------------- items */

bool ntf_subject_is_obligation(const ntf_subject_t *s)
{
    return s->key[0] == 'o' && s->key[1] == ':';
}

void ntf_subject_init(ntf_subject_t *s, const char *key)
{
    /* the item array is most of the struct: clear only what is used */
    size_t head = offsetof(ntf_subject_t, items);
    memset(s, 0, head);
    s->n_items = 0;
    ntf_copy(s->key, sizeof s->key, key);
    s->due = ENT_DATE_NONE;
    s->window_start = ENT_DATE_NONE;
}

char *ntf_item_step(const ntf_item_t *it, char *buf, size_t size)
{
    char due[ENT_DATE_STRLEN];
    switch (it->kind) {
    case NTF_KIND_REMINDER:
    case NTF_KIND_OVERDUE:
    case NTF_KIND_ESCALATION:
        snprintf(buf, size, "d%+" PRId32 "@%s", it->offset, ent_date_format((int32_t) it->ref, due));
        break;
    case NTF_KIND_INVITATION:
        snprintf(buf, size, "invite@%" PRId64, it->ref);
        break;
    case NTF_KIND_CANCELLATION:
        snprintf(buf, size, "cancel@%" PRId64, it->ref);
        break;
    case NTF_KIND_CATCHUP:
        snprintf(buf, size, "catchup@%s", ent_date_format((int32_t) it->ref, due));
        break;
    case NTF_KIND_SIGN_REQUEST:
        snprintf(buf, size, "sign#%" PRId64, it->ref);
        break;
    case NTF_KIND_SIGNED:
        snprintf(buf, size, "signed#%" PRId64, it->ref);
        break;
    default:
        snprintf(buf, size, "?");
    }
    return buf;
}

int ntf_item_id(const char *subject_key, const ntf_item_t *it, char *buf, size_t size)
{
    char step[64];
    int n = snprintf(buf, size, "%s|%s|%s", subject_key, ntf_item_step(it, step, sizeof step), it->recipient);
    return n < 0 || (size_t) n >= size ? -1 : 0;
}

bool ntf_item_same(const ntf_item_t *a, const ntf_item_t *b)
{
    return a->kind == b->kind && a->offset == b->offset && a->ref == b->ref &&
           strcmp(a->recipient, b->recipient) == 0;
}

static ntf_item_t *s_want(ntf_item_t *out, int *n, int max, ntf_kind_t kind, ntf_role_t role, int32_t offset,
                          int64_t ref, const char *recipient, int64_t fire)
{
    if (*n >= max || !recipient || !*recipient)
        return NULL;
    ntf_item_t *it = &out[(*n)++];
    memset(it, 0, sizeof *it);
    it->kind = (uint8_t) kind;
    it->role = (uint8_t) role;
    it->offset = offset;
    it->ref = ref;
    it->fire_ms = fire;
    it->status = NTF_ITEM_PENDING;
    ntf_copy(it->recipient, sizeof it->recipient, recipient);
    return it;
}

static bool s_interview_held(const ntf_subject_t *s)
{
    return s->held_at_ms > 0 || strcmp(s->interview_status, "held") == 0 ||
           strcmp(s->interview_status, "signed") == 0 || strcmp(s->interview_status, "closed") == 0;
}

static bool s_day_kind(int kind)
{
    return kind == NTF_KIND_REMINDER || kind == NTF_KIND_OVERDUE || kind == NTF_KIND_ESCALATION;
}

/* Does an overdue obligation need a catch-up?  Yes when no day step of its
 * plan falls on or after the day of the event that made us plan it (those
 * before are not owed: ntf_plan_merge) and none was ever sent: the backlog
 * found at installation, or an obligation the HRIS made known only after
 * its reminders' days.  Without it, such an obligation would never be
 * chased, however much it costs. */
static bool s_wants_catchup(const ntf_subject_t *s, const ntf_plan_ctx_t *ctx, const ntf_item_t *wants, int n)
{
    if (strcmp(s->obligation_status, "overdue") != 0 || ctx->ref_day == ENT_DATE_NONE || ctx->ref_day == 0)
        return false;
    for (int i = 0; i < n; i++)
        if (s_day_kind(wants[i].kind) && ent_date_from_unix_ms(wants[i].fire_ms) >= ctx->ref_day)
            return false;
    for (size_t i = 0; i < s->n_items; i++)
        if (s_day_kind(s->items[i].kind) && s->items[i].status == NTF_ITEM_FIRED)
            return false;
    return true;
}

static int s_obligation_wants(const ntf_subject_t *s, const ntf_plan_ctx_t *ctx, ntf_item_t *out, int max)
{
    bool active = s->actionable && s->due != ENT_DATE_NONE &&
                  (strcmp(s->obligation_status, "upcoming") == 0 || strcmp(s->obligation_status, "overdue") == 0);
    if (!active || s_interview_held(s))
        return 0;
    /* an interview set for a time on or before the due date replaces the
     * "please schedule it" reminders (its invitation says when) */
    bool scheduled = s->scheduled_start_ms > 0 && s->cancelled_at_ms == 0 &&
                     strcmp(s->interview_status, "cancelled") != 0 &&
                     s->scheduled_start_ms < ntf_local_ms(s->due + 1, 0);
    const ntf_plan_t *plan = ntf_plans_for(ctx->plans, s->type);
    /* a medical visit says something of the employee's health: her manager
     * and his own manager are not told of it (the scheduler hides it from
     * them too); what they would receive goes to HR, who organises it */
    bool health = strcmp(s->type, "return_medical_visit") == 0;
    int n = 0;
    for (int i = 0; i < plan->n; i++) {
        const ntf_step_t *st = &plan->steps[i];
        if (scheduled && st->offset <= 0)
            continue;
        ntf_kind_t kind = st->offset <= 0 ? NTF_KIND_REMINDER : NTF_KIND_OVERDUE;
        /* nobody is asked to hold it before it may be held (a campaign
         * that opens two weeks before its end gets no d-30) */
        if (kind == NTF_KIND_REMINDER && s->window_start != ENT_DATE_NONE && s->due + st->offset < s->window_start)
            continue;
        if (st->to & NTF_TO_EMPLOYEE)
            s_want(out, &n, max, kind, NTF_ROLE_EMPLOYEE, st->offset, s->due, s->employee_id,
                   ntf_step_fire_ms(s->due, st->offset, ctx->employee_region, ctx->hour));
        if (health) {
            if (st->to & (NTF_TO_MANAGER | NTF_TO_ESCALATION))
                s_want(out, &n, max, (st->to & NTF_TO_ESCALATION) ? NTF_KIND_ESCALATION : kind, NTF_ROLE_HR,
                       st->offset, s->due, "hr", ntf_step_fire_ms(s->due, st->offset, ctx->employee_region, ctx->hour));
            continue;
        }
        if ((st->to & NTF_TO_MANAGER) && strcmp(ctx->manager_id, s->employee_id) != 0)
            s_want(out, &n, max, kind, NTF_ROLE_MANAGER, st->offset, s->due, ctx->manager_id,
                   ntf_step_fire_ms(s->due, st->offset, ctx->manager_region, ctx->hour));
        if (st->to & NTF_TO_ESCALATION)
            s_want(out, &n, max, NTF_KIND_ESCALATION, NTF_ROLE_ESCALATION, st->offset, s->due, "escalation",
                   ntf_step_fire_ms(s->due, st->offset, ctx->employee_region, ctx->hour));
    }
    if (s_wants_catchup(s, ctx, out, n)) {
        /* the next business morning after the event: the whole backlog of an
         * installation goes out together, in one digest per recipient */
        int64_t fire = ntf_step_fire_ms(ctx->ref_day, 1, ctx->employee_region, ctx->hour);
        if (!health && *ctx->manager_id && strcmp(ctx->manager_id, s->employee_id) != 0)
            s_want(out, &n, max, NTF_KIND_CATCHUP, NTF_ROLE_MANAGER, 0, s->due, ctx->manager_id, fire);
        s_want(out, &n, max, NTF_KIND_CATCHUP, NTF_ROLE_HR, 0, s->due, "hr", fire);
    }
    return n;
}

static bool s_has_fired(const ntf_subject_t *s, ntf_kind_t kind, const char *recipient)
{
    for (size_t i = 0; i < s->n_items; i++)
        if (s->items[i].kind == kind && s->items[i].status == NTF_ITEM_FIRED &&
            strcmp(s->items[i].recipient, recipient) == 0)
            return true;
    return false;
}

static int s_interview_wants(const ntf_subject_t *s, const ntf_plan_ctx_t *ctx, ntf_item_t *out, int max)
{
    const char *who[2] = { s->employee_id, s->interviewer_id[0] ? s->interviewer_id : ctx->manager_id };
    ntf_role_t roles[2] = { NTF_ROLE_EMPLOYEE, NTF_ROLE_MANAGER };
    int nwho = who[1] && *who[1] && strcmp(who[1], who[0]) != 0 ? 2 : 1;
    bool cancelled = s->cancelled_at_ms > 0 || strcmp(s->interview_status, "cancelled") == 0;
    int n = 0;
    for (int r = 0; r < nwho; r++) {
        if (s->scheduled_start_ms > 0 && !cancelled && s->held_at_ms == 0)
            s_want(out, &n, max, NTF_KIND_INVITATION, roles[r], 0, s->scheduled_start_ms, who[r],
                   s->scheduled_at_ms);
        /* a cancellation only to whom an invitation went out */
        if (cancelled && s->scheduled_start_ms > 0 && s_has_fired(s, NTF_KIND_INVITATION, who[r]))
            s_want(out, &n, max, NTF_KIND_CANCELLATION, roles[r], 0, s->scheduled_start_ms, who[r],
                   s->cancelled_at_ms);
        if (s->held_at_ms > 0 && s->signed_at_ms == 0 && !cancelled) {
            int64_t at = s->reopen_count > 0 && s->reopened_at_ms > s->held_at_ms ? s->reopened_at_ms : s->held_at_ms;
            s_want(out, &n, max, NTF_KIND_SIGN_REQUEST, roles[r], 0, s->reopen_count, who[r], at);
        }
        if (s->signed_at_ms > 0)
            s_want(out, &n, max, NTF_KIND_SIGNED, roles[r], 0, s->reopen_count, who[r], s->signed_at_ms);
    }
    return n;
}

int ntf_plan_wants(const ntf_subject_t *s, const ntf_plan_ctx_t *ctx, ntf_item_t *out, int max)
{
    return ntf_subject_is_obligation(s) ? s_obligation_wants(s, ctx, out, max) : s_interview_wants(s, ctx, out, max);
}

/* Is a wanted item still owed when planned at ref_ms? */
static bool s_owed(const ntf_item_t *w, int64_t ref_ms, int64_t now_ms, int64_t max_late_ms)
{
    if (s_day_kind(w->kind) && ent_date_from_unix_ms(w->fire_ms) < ent_date_from_unix_ms(ref_ms))
        return false;
    int64_t fire = w->fire_ms > ref_ms ? w->fire_ms : ref_ms;
    return fire >= now_ms - max_late_ms;
}

/* Makes room for one item: drops the oldest cancelled, else the oldest
 * fired one.  Returns false when every item is pending. */
static bool s_make_room(ntf_subject_t *s)
{
    for (int pass = 0; pass < 2; pass++) {
        uint8_t victim = pass == 0 ? NTF_ITEM_CANCELLED : NTF_ITEM_FIRED;
        for (size_t i = 0; i < s->n_items; i++)
            if (s->items[i].status == victim) {
                memmove(&s->items[i], &s->items[i + 1], (s->n_items - i - 1) * sizeof s->items[0]);
                s->n_items--;
                return true;
            }
    }
    return false;
}

int ntf_plan_merge(ntf_subject_t *s, const ntf_item_t *wants, int n, int64_t ref_ms, int64_t now_ms,
                   int64_t max_late_ms, int64_t grace_ms, ntf_merge_stats_t *st)
{
    ntf_merge_stats_t local = { 0, 0, 0 };
    for (size_t i = 0; i < s->n_items; i++) {
        ntf_item_t *e = &s->items[i];
        const ntf_item_t *w = NULL;
        for (int j = 0; j < n && !w; j++)
            if (ntf_item_same(e, &wants[j]))
                w = &wants[j];
        if (!w) {
            if (e->status == NTF_ITEM_PENDING) {
                e->status = NTF_ITEM_CANCELLED;
                local.cancelled++;
            }
        } else if (e->status == NTF_ITEM_CANCELLED && s_owed(w, ref_ms, now_ms, max_late_ms)) {
            e->status = NTF_ITEM_PENDING;
            e->role = w->role;
            e->fire_ms = w->fire_ms > ref_ms ? w->fire_ms : ref_ms;
            e->late = e->fire_ms + grace_ms < now_ms;
            local.restored++;
        }
    }
    for (int j = 0; j < n; j++) {
        const ntf_item_t *w = &wants[j];
        bool known = false;
        for (size_t i = 0; i < s->n_items && !known; i++)
            known = ntf_item_same(&s->items[i], w);
        if (known || !s_owed(w, ref_ms, now_ms, max_late_ms))
            continue;
        if (s->n_items >= NTF_MAX_ITEMS && !s_make_room(s))
            break;
        ntf_item_t *e = &s->items[s->n_items++];
        *e = *w;
        e->status = NTF_ITEM_PENDING;
        e->fire_ms = w->fire_ms > ref_ms ? w->fire_ms : ref_ms;
        e->late = e->fire_ms + grace_ms < now_ms;
        local.added++;
    }
    if (st)
        *st = local;
    return 0;
}

int64_t ntf_subject_next_fire(const ntf_subject_t *s)
{
    int64_t next = 0;
    for (size_t i = 0; i < s->n_items; i++)
        if (s->items[i].status == NTF_ITEM_PENDING && (next == 0 || s->items[i].fire_ms < next))
            next = s->items[i].fire_ms;
    return next;
}

size_t ntf_subject_pending(const ntf_subject_t *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_items; i++)
        n += s->items[i].status == NTF_ITEM_PENDING;
    return n;
}

/* --------------------------------------------------------------- storage */

size_t ntf_subject_pack_into(const ntf_subject_t *s, uint8_t *buf, size_t cap)
{
    Entretiens__V1__Subject m = ENTRETIENS__V1__SUBJECT__INIT;
    Entretiens__V1__Date due = ENTRETIENS__V1__DATE__INIT;
    Entretiens__V1__PlanItem items[NTF_MAX_ITEMS];
    Entretiens__V1__PlanItem *pitems[NTF_MAX_ITEMS];
    m.trace_id = (char *) s->trace;
    m.key = (char *) s->key;
    m.employee_id = (char *) s->employee_id;
    m.type = (char *) s->type;
    if (s->due != ENT_DATE_NONE) {
        ent_pbdate_set(s->due, &due);
        m.due_date = &due;
    }
    m.obligation_status = (char *) s->obligation_status;
    m.actionable = s->actionable;
    m.penalty_eur = s->penalty_eur;
    Entretiens__V1__Date ws = ENTRETIENS__V1__DATE__INIT;
    if (s->window_start != ENT_DATE_NONE) {
        ent_pbdate_set(s->window_start, &ws);
        m.window_start = &ws;
    }
    m.since_ms = s->since_ms;
    m.manager_id = (char *) s->manager_id;
    m.obligation_id = (char *) s->obligation_id;
    m.interview_id = (char *) s->interview_id;
    m.interview_status = (char *) s->interview_status;
    m.interviewer_id = (char *) s->interviewer_id;
    m.scheduled_start_ms = s->scheduled_start_ms;
    m.duration_min = s->duration_min;
    m.place = (char *) s->place;
    m.video_link = (char *) s->video_link;
    m.scheduled_at_ms = s->scheduled_at_ms;
    m.sequence = s->sequence;
    m.held_at_ms = s->held_at_ms;
    m.signed_at_ms = s->signed_at_ms;
    m.cancelled_at_ms = s->cancelled_at_ms;
    m.reopen_count = s->reopen_count;
    m.reopened_at_ms = s->reopened_at_ms;
    m.locale = (char *) s->locale;
    m.first_name = (char *) s->first_name;
    m.last_name = (char *) s->last_name;
    m.entity = (char *) s->entity;
    m.updated_at_ms = s->updated_at_ms;
    m.timer_ms = s->timer_ms;
    for (size_t i = 0; i < s->n_items; i++) {
        const ntf_item_t *it = &s->items[i];
        Entretiens__V1__PlanItem *p = &items[i];
        entretiens__v1__plan_item__init(p);
        p->kind = it->kind;
        p->role = it->role;
        p->offset_days = it->offset;
        p->ref = it->ref;
        /* the employee's own items need not repeat the id */
        p->recipient_id = strcmp(it->recipient, s->employee_id) == 0 ? "" : (char *) it->recipient;
        p->fire_at_ms = it->fire_ms;
        p->status = it->status;
        p->late = it->late;
        pitems[i] = p;
    }
    m.n_items = s->n_items;
    m.items = pitems;
    size_t size = entretiens__v1__subject__get_packed_size(&m);
    if (size <= cap)
        entretiens__v1__subject__pack(&m, buf);
    return size;
}

uint8_t *ntf_subject_pack(const ntf_subject_t *s, size_t *len)
{
    size_t size = ntf_subject_pack_into(s, NULL, 0);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return NULL;
    *len = ntf_subject_pack_into(s, buf, size);
    return buf;
}

#define COPY_ID(dst, src)                       \
    do {                                        \
        if (!ntf_copy((dst), sizeof(dst), (src))) \
            goto bad;                           \
    } while (0)

int ntf_subject_unpack(const void *data, size_t len, ent_pbarena_t *arena, ntf_subject_t *out)
{
    /* with an arena, its reset gives back the whole message at once (no
     * free_unpacked walk, no free per string and per item) */
    Entretiens__V1__Subject *m = entretiens__v1__subject__unpack(ent_pbarena_allocator(arena), len, data);
    if (!m) {
        ent_pbarena_release(arena, NULL);
        return -1;
    }
    ntf_subject_init(out, "");
    if (ent_trace_valid(m->trace_id))
        memcpy(out->trace, m->trace_id, sizeof out->trace);
    COPY_ID(out->key, m->key);
    COPY_ID(out->employee_id, m->employee_id);
    COPY_ID(out->type, m->type);
    if (m->due_date && ent_date_valid(m->due_date->year, m->due_date->month, m->due_date->day))
        out->due = ent_date_from_ymd(m->due_date->year, m->due_date->month, m->due_date->day);
    COPY_ID(out->obligation_status, m->obligation_status);
    out->actionable = m->actionable;
    out->penalty_eur = m->penalty_eur;
    if (m->window_start && ent_date_valid(m->window_start->year, m->window_start->month, m->window_start->day))
        out->window_start = ent_date_from_ymd(m->window_start->year, m->window_start->month, m->window_start->day);
    out->since_ms = m->since_ms;
    COPY_ID(out->manager_id, m->manager_id);
    COPY_ID(out->obligation_id, m->obligation_id);
    COPY_ID(out->interview_id, m->interview_id);
    COPY_ID(out->interview_status, m->interview_status);
    COPY_ID(out->interviewer_id, m->interviewer_id);
    out->scheduled_start_ms = m->scheduled_start_ms;
    out->duration_min = m->duration_min;
    ntf_copy(out->place, sizeof out->place, m->place);
    ntf_copy(out->video_link, sizeof out->video_link, m->video_link);
    out->scheduled_at_ms = m->scheduled_at_ms;
    out->sequence = m->sequence;
    out->held_at_ms = m->held_at_ms;
    out->signed_at_ms = m->signed_at_ms;
    out->cancelled_at_ms = m->cancelled_at_ms;
    out->reopen_count = m->reopen_count;
    out->reopened_at_ms = m->reopened_at_ms;
    ntf_copy(out->locale, sizeof out->locale, m->locale);
    ntf_copy(out->first_name, sizeof out->first_name, m->first_name);
    ntf_copy(out->last_name, sizeof out->last_name, m->last_name);
    COPY_ID(out->entity, m->entity);
    out->updated_at_ms = m->updated_at_ms;
    out->timer_ms = m->timer_ms;
    if (m->n_items > NTF_MAX_ITEMS)
        goto bad;
    for (size_t i = 0; i < m->n_items; i++) {
        const Entretiens__V1__PlanItem *p = m->items[i];
        ntf_item_t *it = &out->items[i];
        memset(it, 0, sizeof *it);
        if (p->kind >= NTF_KIND_COUNT || p->kind == NTF_KIND_DIGEST || p->role >= NTF_ROLE_COUNT || p->status >= NTF_ITEM_COUNT)
            goto bad;
        it->kind = (uint8_t) p->kind;
        it->role = (uint8_t) p->role;
        it->status = (uint8_t) p->status;
        it->late = p->late;
        it->offset = p->offset_days;
        it->ref = p->ref;
        it->fire_ms = p->fire_at_ms;
        COPY_ID(it->recipient, p->recipient_id && *p->recipient_id ? p->recipient_id : out->employee_id);
    }
    out->n_items = m->n_items;
    ent_pbarena_release(arena, &m->base);
    return 0;
bad:
    ent_pbarena_release(arena, &m->base);
    return -1;
}
