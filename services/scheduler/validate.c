/*  validate.c — EmployeeEvent checks (see validate.h). */
#include "validate.h"

#include "common/calendar.h"
#include "common/date.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool sched_text_ok(const char *s, size_t max)
{
    if (!s)
        return true;
    size_t n = 0;
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        if (++n > max)
            return false;
        if (*p < 0x80) {
            if (*p < 0x20 && *p != '\t')
                return false;
            p++;
            continue;
        }
        int len = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        if (!len || (len == 2 && *p < 0xc2))
            return false;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += len;
    }
    return true;
}

/* A code the caller sent, quoted in a reply (REJECT_V; never in a log): at
 * most 40 bytes, never cutting a UTF-8 sequence, bytes that are not valid
 * UTF-8 or control characters as '?'. */
static const char *s_quote(const char *in, char *out)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *) (in ? in : "");
    while (*p && o < 40) {
        int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = len > 0 && o + (size_t) len <= 40;
        for (int i = 1; ok && i < len; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (!ok || (len == 1 && *p < 0x20)) {
            if (len == 0 || !ok) {
                if (len > 0 && o + (size_t) len > 40)
                    break; /* no room for the whole sequence */
                len = 1;
            }
            out[o++] = '?';
            p += len;
            continue;
        }
        memcpy(out + o, p, (size_t) len);
        o += (size_t) len;
        p += len;
    }
    out[o] = '\0';
    return out;
}

static bool s_id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("._:@-+", *p)))
            return false;
    return true;
}

int sched_event_kind(const char *type)
{
    sch_fact_kind_t k;
    return type && sch_fact_kind_parse(type, &k) == 0 ? (int) k : -1;
}

int sched_event_rank(int kind)
{
    static const int rank[SCH_FACT_COUNT] = {
        [SCH_FACT_HIRED] = 0, [SCH_FACT_UPDATED] = 1, [SCH_FACT_POSITION_CHANGED] = 2,
        [SCH_FACT_TRIAL_RENEWED] = 3, [SCH_FACT_LEAVE_ENDED] = 4, [SCH_FACT_LEAVE_STARTED] = 5,
        [SCH_FACT_MEDICAL_VISIT] = 6, [SCH_FACT_TRAINING_COMPLETED] = 7, [SCH_FACT_INTERVIEW_HELD] = 8,
        [SCH_FACT_LEFT] = 9,
    };
    return kind >= 0 && kind < SCH_FACT_COUNT ? rank[kind] : 15;
}

static bool s_date_ok(const Entretiens__V1__Date *d)
{
    return d && d->year >= 1900 && d->year <= 2200 && ent_date_valid(d->year, d->month, d->day);
}

static int s_date_cmp(const Entretiens__V1__Date *a, const Entretiens__V1__Date *b)
{
    int x = a->year * 10000 + a->month * 100 + a->day, y = b->year * 10000 + b->month * 100 + b->day;
    return (x > y) - (x < y);
}

#define Q(v) s_quote((v), qbuf)

/* A rejection whose sentence is fixed: the same for the log and the reply.
 * msg must be a string literal ("" msg "" refuses anything else), so no
 * value of the event can slip into a log through it. */
#define REJECT(f, msg)                                                                             \
    do {                                                                                           \
        *field = (f);                                                                              \
        *why = "" msg "";                                                                          \
        snprintf(reason, size, "%s", *why);                                                        \
        return false;                                                                              \
    } while (0)

/* A rejection whose reply quotes what the caller sent (a code, a number,
 * never an e-mail address, a name or free text), with the literal w, which
 * quotes nothing, for the log. */
#define REJECT_V(f, w, ...)                                                                        \
    do {                                                                                           \
        *field = (f);                                                                              \
        *why = "" w "";                                                                            \
        snprintf(reason, size, __VA_ARGS__);                                                       \
        return false;                                                                              \
    } while (0)

static bool s_attributes_ok(const Entretiens__V1__EmployeeEvent *ev, bool hired, const char **field,
                            const char **why, char *reason, size_t size)
{
    char qbuf[48];
    ent_region_t region;
    sch_category_t cat;
    sch_contract_t con;
    if (ev->region && *ev->region && ent_region_parse(ev->region, &region) != 0)
        REJECT_V("region", "unknown region",
                 "unknown region '%s' (metropole, alsace_moselle, guadeloupe, martinique, guyane, reunion, mayotte)",
                 Q(ev->region));
    if (ev->category && *ev->category && sch_category_parse(ev->category, &cat) != 0)
        REJECT_V("category", "unknown category", "unknown category '%s' (ouvrier_employe, maitrise_technicien, cadre)",
                 Q(ev->category));
    if (ev->contract && *ev->contract && sch_contract_parse(ev->contract, &con) != 0)
        REJECT_V("contract", "unknown contract", "unknown contract '%s' (permanent, fixed_term, apprentice)",
                 Q(ev->contract));
    if (ev->locale && *ev->locale && strcmp(ev->locale, "fr") != 0 && strcmp(ev->locale, "en") != 0)
        REJECT_V("locale", "locale must be fr or en", "locale must be fr or en, not '%s'", Q(ev->locale));
    if (ev->email && *ev->email && (!strchr(ev->email, '@') || strchr(ev->email, ' ')))
        /* the address itself stays out of the reply too: the caller has the
         * event id and the field, and the dead letter keeps the event */
        REJECT("email", "not an e-mail address (an @ and no spaces are needed)");
    if (ev->birth_date && !s_date_ok(ev->birth_date))
        REJECT("birth_date", "not a valid date between 1900 and 2200");
    if (ev->contract_end && !s_date_ok(ev->contract_end))
        REJECT("contract_end", "not a valid date between 1900 and 2200");
    if (ev->trial_months > 12)
        REJECT_V("trial_months", "a trial period beyond any legal maximum (8 months)",
                 "a trial period of %u months is beyond any legal maximum (8)", ev->trial_months);
    if (ev->trial_days > 250)
        REJECT_V("trial_days", "a trial period beyond any legal maximum (8 months)",
                 "a trial period of %u days is beyond any legal maximum (8 months)", ev->trial_days);
    if (ev->manager_id && *ev->manager_id && !s_id_ok(ev->manager_id))
        REJECT("manager_id", "must be 1-64 characters among letters, digits and ._:@-+");
    if (ev->manager_id && ev->employee_id && strcmp(ev->manager_id, ev->employee_id) == 0)
        REJECT("manager_id", "an employee cannot be their own manager");
    if (hired) {
        if (!ev->entity || !*ev->entity)
            REJECT("entity", "a hire needs the entity (the employer whose policy applies)");
        bool fixed = ev->contract && (strcmp(ev->contract, "fixed_term") == 0 || strcmp(ev->contract, "apprentice") == 0);
        if (fixed && !ev->contract_end)
            REJECT_V("contract_end", "a fixed-term or apprentice contract needs its end date",
                     "a %s contract needs its end date", Q(ev->contract));
    }
    if (ev->entity && *ev->entity && !s_id_ok(ev->entity))
        REJECT("entity", "must be 1-64 characters among letters, digits and ._:@-+");
    if (ev->birth_date && ev->effective_date && s_date_ok(ev->effective_date) &&
        s_date_cmp(ev->birth_date, ev->effective_date) >= 0)
        REJECT("birth_date", "born on or after the event date");
    if (ev->contract_end && ev->effective_date && s_date_ok(ev->effective_date) &&
        s_date_cmp(ev->contract_end, ev->effective_date) < 0)
        REJECT("contract_end", "the contract ends before it starts");
    return true;
}

bool sched_event_valid(const Entretiens__V1__EmployeeEvent *ev, const char **field, const char **why, char *reason,
                       size_t size)
{
    char qbuf[48];
    static const struct { const char *name; size_t off; } texts[] = {
        { "department", offsetof(Entretiens__V1__EmployeeEvent, department) },
        { "site", offsetof(Entretiens__V1__EmployeeEvent, site) },
        { "first_name", offsetof(Entretiens__V1__EmployeeEvent, first_name) },
        { "last_name", offsetof(Entretiens__V1__EmployeeEvent, last_name) },
        { "position", offsetof(Entretiens__V1__EmployeeEvent, position) },
        { "email", offsetof(Entretiens__V1__EmployeeEvent, email) },
    };
    if (!ev->event_id || !*ev->event_id)
        REJECT("event_id", "every event needs an event_id (unique per source)");
    if (!sched_text_ok(ev->event_id, 128))
        REJECT("event_id", "at most 128 characters of printable UTF-8");
    if (!ev->source || !*ev->source)
        REJECT("source", "every event needs its source system (e.g. hris, payroll)");
    if (!s_id_ok(ev->source))
        REJECT("source", "must be 1-64 characters among letters, digits and ._:@-+");
    if (!s_id_ok(ev->employee_id))
        REJECT("employee_id", "must be 1-64 characters among letters, digits and ._:@-+");
    int kind = sched_event_kind(ev->type);
    if (kind < 0)
        REJECT_V("type", "unknown event type", "unknown event type '%s'", Q(ev->type));
    if (!ev->effective_date)
        REJECT("effective_date", "every event needs its effective_date (YYYY-MM-DD)");
    if (!s_date_ok(ev->effective_date))
        REJECT_V("effective_date", "not a valid date between 1900 and 2200",
                 "%04d-%02d-%02d is not a valid date between 1900 and 2200", ev->effective_date->year,
                 ev->effective_date->month, ev->effective_date->day);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const char *t = *(const char *const *) ((const char *) ev + texts[i].off);
        if (!sched_text_ok(t, 256))
            REJECT(texts[i].name, "at most 256 characters of printable UTF-8");
    }
    switch (kind) {
    case SCH_FACT_HIRED:
        return s_attributes_ok(ev, true, field, why, reason, size);
    case SCH_FACT_UPDATED:
        return s_attributes_ok(ev, false, field, why, reason, size);
    case SCH_FACT_POSITION_CHANGED:
        if (ev->manager_id && *ev->manager_id && !s_id_ok(ev->manager_id))
            REJECT("manager_id", "must be 1-64 characters among letters, digits and ._:@-+");
        return true;
    case SCH_FACT_TRIAL_RENEWED:
        if (ev->months > 8)
            REJECT_V("months", "a renewal beyond the legal maximum", "a renewal of %u months exceeds the legal maximum",
                     ev->months);
        return true;
    case SCH_FACT_LEAVE_STARTED:
    case SCH_FACT_LEAVE_ENDED: {
        sch_leave_t lk;
        if (!ev->leave_kind || !*ev->leave_kind)
            REJECT("leave_kind", "a leave event needs its leave_kind");
        if (sch_leave_parse(ev->leave_kind, &lk) != 0)
            REJECT_V("leave_kind", "unknown leave_kind", "unknown leave_kind '%s'", Q(ev->leave_kind));
        return true;
    }
    case SCH_FACT_MEDICAL_VISIT: {
        sch_visit_t vk;
        if (!ev->visit_kind || sch_visit_parse(ev->visit_kind, &vk) != 0)
            REJECT("visit_kind", "visit_kind must be mid_career, return or other");
        return true;
    }
    case SCH_FACT_INTERVIEW_HELD: {
        sch_type_t t;
        if (!ev->interview_type || sch_type_parse(ev->interview_type, &t) != 0)
            REJECT_V("interview_type", "unknown interview_type", "unknown interview_type '%s'", Q(ev->interview_type));
        return true;
    }
    default:
        return true;
    }
}

/* ------------------------------------------------ checks against the store */

#define S_STR(x) #x
#define STR(x) S_STR(x)

/* Dates a typo would put out of any HR reality (a hire in 2200, a leave in
 * 1900): the rules would compute deadlines from them without a word. */
static bool s_dates_plausible(const Entretiens__V1__EmployeeEvent *ev, int32_t today, const char **field,
                              const char **why, char *reason, size_t size)
{
    const Entretiens__V1__Date *e = ev->effective_date;
    int32_t eff = ent_date_from_ymd(e->year, e->month, e->day);
    if (e->year < SCHED_EFFECTIVE_MIN_YEAR)
        REJECT_V("effective_date", "before " STR(SCHED_EFFECTIVE_MIN_YEAR) "-01-01: not a plausible date for an HR event",
                 "%04d-%02d-%02d is before " STR(SCHED_EFFECTIVE_MIN_YEAR)
                 "-01-01: not a plausible date for an HR event (a mistyped year?)",
                 e->year, e->month, e->day);
    if (today != ENT_DATE_NONE && eff > ent_date_add_years(today, SCHED_FUTURE_YEARS)) {
        char t[ENT_DATE_STRLEN];
        REJECT_V("effective_date",
                 "more than " STR(SCHED_FUTURE_YEARS) " years after today: not a plausible date for an HR event",
                 "%04d-%02d-%02d is more than " STR(SCHED_FUTURE_YEARS)
                 " years after today (%s): not a plausible date for an HR event (a mistyped year?)",
                 e->year, e->month, e->day, ent_date_format(today, t));
    }
    /* a birth date is personal data: the replies do not quote it either */
    if (ev->birth_date) {
        /* before 1900 it is not even a date here (s_date_ok) */
        int32_t birth = ent_date_from_ymd(ev->birth_date->year, ev->birth_date->month, ev->birth_date->day);
        if (ent_date_years_between(birth, eff) < SCHED_MIN_AGE)
            REJECT("birth_date", "less than " STR(SCHED_MIN_AGE) " years before the event date: nobody works that "
                                 "young (C. trav. L4153-1)");
    }
    if (ev->contract_end) {
        int32_t end = ent_date_from_ymd(ev->contract_end->year, ev->contract_end->month, ev->contract_end->day);
        if (end > ent_date_add_years(eff, SCHED_CONTRACT_MAX_YEARS))
            REJECT("contract_end", "more than " STR(SCHED_CONTRACT_MAX_YEARS) " years after the event date: no "
                                   "fixed-term or apprentice contract lasts that long");
    }
    return true;
}

sched_check_t sched_event_check(const Entretiens__V1__EmployeeEvent *ev, const sched_refs_t *refs,
                                const char **field, const char **why, char *reason, size_t size)
{
    char qbuf[48];
    if (!sched_event_valid(ev, field, why, reason, size) ||
        !s_dates_plausible(ev, refs->today, field, why, reason, size))
        return SCHED_CHECK_REJECTED;
    int kind = sched_event_kind(ev->type);
    /* only hires and updates set the entity (history.c) */
    if ((kind == SCH_FACT_HIRED || kind == SCH_FACT_UPDATED) && ev->entity && *ev->entity && refs->entity_known &&
        !refs->entity_known(refs->arg, ev->entity)) {
        *field = "entity";
        *why = "not an entity of the policy";
        snprintf(reason, size, "unknown entity '%s': not an entity of the policy (scheduler.policy.apply declares them)",
                 s_quote(ev->entity, qbuf));
        return SCHED_CHECK_REJECTED;
    }
    /* anything but a hire about someone never hired would create an
     * employee out of nothing (a mistyped id, an event sent before the hire) */
    if (kind != SCH_FACT_HIRED && refs->hired && !refs->hired(refs->arg, ev->employee_id)) {
        *field = "employee_id";
        *why = "the employee has never been hired: the hire must come first (same batch or an earlier one)";
        snprintf(reason, size,
                 "employee %s has never been hired: a%s %s event needs the hire first (in the same batch or an "
                 "earlier one); send it again after the hire",
                 s_quote(ev->employee_id, qbuf), strchr("aeiou", ev->type[0]) ? "n" : "", ev->type);
        return SCHED_CHECK_NOT_HIRED;
    }
    return SCHED_CHECK_OK;
}

bool sched_event_warn(const Entretiens__V1__EmployeeEvent *ev, const sched_refs_t *refs, sched_warning_t *w)
{
    int kind = sched_event_kind(ev->type);
    /* the kinds whose manager_id the history keeps (history.c) */
    if (kind != SCH_FACT_HIRED && kind != SCH_FACT_UPDATED && kind != SCH_FACT_POSITION_CHANGED)
        return false;
    if (!ev->manager_id || !*ev->manager_id || !refs->hired || refs->hired(refs->arg, ev->manager_id))
        return false;
    char qbuf[48];
    w->field = "manager_id";
    w->why = "the manager is not hired yet: accepted, the reporting line works once the manager's hire arrives";
    snprintf(w->reason, sizeof w->reason,
             "manager %s is not hired yet: the event is accepted, and the reporting line works once the manager's "
             "hire arrives",
             s_quote(ev->manager_id, qbuf));
    return true;
}

/* ------------------------------------------------------------ comparison */

static bool s_msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b);

/* The size of one value of field f as protobuf-c stores it. */
static size_t s_value_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    default:
        return 4;
    }
}

/* One value of field f: a points at it in one message, b in the other. */
static bool s_value_equal(const ProtobufCFieldDescriptor *f, const void *a, const void *b)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        return !*(const protobuf_c_boolean *) a == !*(const protobuf_c_boolean *) b;
    case PROTOBUF_C_TYPE_STRING: {
        /* an absent proto3 string and an empty one are the same value */
        const char *x = *(char *const *) a, *y = *(char *const *) b;
        return strcmp(x ? x : "", y ? y : "") == 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *x = a, *y = b;
        return x->len == y->len && (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        /* presence matters (a Flag{false} is not an absent Flag) */
        const ProtobufCMessage *x = *(ProtobufCMessage *const *) a, *y = *(ProtobufCMessage *const *) b;
        if (!x || !y)
            return x == y;
        return s_msg_equal(x, y);
    }
    default: /* the numbers: compared as stored, 8 or 4 bytes */
        return memcmp(a, b, s_value_size(f)) == 0;
    }
}

static bool s_field_equal(const ProtobufCFieldDescriptor *f, const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    const uint8_t *pa = (const uint8_t *) a, *pb = (const uint8_t *) b;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t ca = *(const uint32_t *) (pa + f->quantifier_offset),
                 cb = *(const uint32_t *) (pb + f->quantifier_offset);
        if ((ca == f->id) != (cb == f->id))
            return false;
        if (ca != f->id)
            return true; /* another member of the oneof is set in both */
        return s_value_equal(f, pa + f->offset, pb + f->offset);
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t na = *(const size_t *) (pa + f->quantifier_offset), nb = *(const size_t *) (pb + f->quantifier_offset);
        if (na != nb)
            return false;
        const uint8_t *xa = *(uint8_t *const *) (pa + f->offset), *xb = *(uint8_t *const *) (pb + f->offset);
        size_t size = s_value_size(f);
        for (size_t i = 0; i < na; i++)
            if (!s_value_equal(f, xa + i * size, xb + i * size))
                return false;
        return true;
    }
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
        f->type != PROTOBUF_C_TYPE_MESSAGE) {
        /* proto2 / proto3 "optional" scalars carry a has_ flag */
        protobuf_c_boolean ha = *(const protobuf_c_boolean *) (pa + f->quantifier_offset),
                           hb = *(const protobuf_c_boolean *) (pb + f->quantifier_offset);
        if (!ha || !hb)
            return !ha == !hb;
    }
    return s_value_equal(f, pa + f->offset, pb + f->offset);
}

/* The first field of a (in the descriptor's order: by field number) whose
 * value differs in b, or NULL.  a and b have the same descriptor. */
static const ProtobufCFieldDescriptor *s_first_diff(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    const ProtobufCMessageDescriptor *d = a->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (!s_field_equal(&d->fields[i], a, b))
            return &d->fields[i];
    return NULL;
}

static bool s_msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    return a->descriptor == b->descriptor && !s_first_diff(a, b);
}

const char *sched_event_diff(const Entretiens__V1__EmployeeEvent *a, const Entretiens__V1__EmployeeEvent *b)
{
    const ProtobufCFieldDescriptor *f = s_first_diff(&a->base, &b->base);
    return f ? f->name : NULL;
}
