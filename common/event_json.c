/*  event_json.c — JSON <-> EmployeeEvent, dates, UTF-8 sanitiser
 *  (see event_json.h). */
#include "common/event_json.h"

#include "common/date.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ sanitiser */

/* Length of the well-formed sequence at p (left bytes available) and its
 * code point, or 0 with *bad set to the length of the maximal ill-formed
 * subpart (>= 1) (Unicode 15, table 3-7 and "U+FFFD substitution of maximal
 * subparts"). */
static size_t s_utf8_next(const unsigned char *p, size_t left, uint32_t *cp, size_t *bad)
{
    unsigned char b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf)
        need = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        need = 3;
        if (b == 0xe0)
            lo = 0xa0;
        else if (b == 0xed)
            hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        need = 4;
        if (b == 0xf0)
            lo = 0x90;
        else if (b == 0xf4)
            hi = 0x8f;
    } else {
        *bad = 1;
        return 0;
    }
    uint32_t c = need == 2 ? (b & 0x1fu) : need == 3 ? (b & 0x0fu) : (b & 0x07u);
    for (size_t j = 1; j < need; j++) {
        unsigned char min = j == 1 ? lo : 0x80, max = j == 1 ? hi : 0xbf;
        if (j >= left || p[j] < min || p[j] > max) {
            *bad = j;
            return 0;
        }
        c = (c << 6) | (p[j] & 0x3fu);
    }
    *cp = c;
    return need;
}

size_t ent_utf8_next(const char *s, size_t left, uint32_t *cp)
{
    size_t bad = 0;
    return s_utf8_next((const unsigned char *) s, left, cp, &bad);
}

char *ent_utf8_sanitize(const char *s, size_t len, bool controls)
{
    if (!s)
        s = "", len = 0;
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *) s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t bad = 0, n = s_utf8_next(p + i, len - i, &cp, &bad);
        bool replace = n == 0 || cp == 0 ||
            (controls && cp != '\t' && (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)));
        if (replace) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i += n ? n : bad;
        } else {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return out;
}

bool ent_utf8_valid(const char *s)
{
    if (!s)
        return true;
    const unsigned char *p = (const unsigned char *) s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t bad = 0, n = s_utf8_next(p + i, len - i, &cp, &bad);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

json_t *ent_json_str(const char *s)
{
    if (!s)
        s = "";
    if (ent_utf8_valid(s))
        return json_string(s);
    char *clean = ent_utf8_sanitize(s, strlen(s), false);
    json_t *j = clean ? json_string(clean) : NULL;
    free(clean);
    return j;
}

void ent_fputs_clean(const char *s, FILE *out)
{
    char *clean = ent_utf8_sanitize(s, s ? strlen(s) : 0, true);
    if (clean) {
        fputs(clean, out);
        free(clean);
    }
}

size_t ent_utf8_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

/* ---------------------------------------------------------------- dates */

const char *ent_pbdate_str(const Entretiens__V1__Date *d, char *buf)
{
    if (!d)
        buf[0] = '\0';
    else
        snprintf(buf, ENT_PBDATE_BUFLEN, "%04" PRId32 "-%02" PRId32 "-%02" PRId32, d->year, d->month, d->day);
    return buf;
}

json_t *ent_json_pbdate(const Entretiens__V1__Date *d)
{
    char buf[ENT_PBDATE_BUFLEN];
    return d ? json_string(ent_pbdate_str(d, buf)) : json_null();
}

int ent_pbdate_parse(const char *text, Entretiens__V1__Date *out)
{
    int32_t day;
    if (!text || ent_date_parse(text, &day) != 0)
        return -1;
    int y, m, d;
    ent_date_to_ymd(day, &y, &m, &d);
    entretiens__v1__date__init(out);
    out->year = y;
    out->month = m;
    out->day = d;
    return 0;
}

const char *ent_time_str(int64_t unix_ms, char *buf, size_t size)
{
    int64_t sec = unix_ms / 1000, ms = unix_ms % 1000;
    if (ms < 0)
        ms += 1000, sec--;
    time_t t = (time_t) sec;
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        snprintf(buf, size, "%" PRId64, unix_ms);
        return buf;
    }
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(buf, size, "%s.%03d%c%02ld:%02ld", date, (int) ms, sign, off / 60, off % 60);
    return buf;
}

/* --------------------------------------------------------------- events */

typedef enum { F_STR, F_DATE, F_U32, F_FLAG } s_kind_t;

#define EV(f) offsetof(Entretiens__V1__EmployeeEvent, f)
static const struct {
    const char *name;
    s_kind_t kind;
    size_t off;
} s_fields[] = {
    { "event_id", F_STR, EV(event_id) },          { "source", F_STR, EV(source) },
    { "type", F_STR, EV(type) },                  { "employee_id", F_STR, EV(employee_id) },
    { "effective_date", F_DATE, EV(effective_date) }, { "entity", F_STR, EV(entity) },
    { "department", F_STR, EV(department) },      { "site", F_STR, EV(site) },
    { "region", F_STR, EV(region) },              { "manager_id", F_STR, EV(manager_id) },
    { "email", F_STR, EV(email) },                { "locale", F_STR, EV(locale) },
    { "birth_date", F_DATE, EV(birth_date) },     { "category", F_STR, EV(category) },
    { "contract", F_STR, EV(contract) },          { "contract_end", F_DATE, EV(contract_end) },
    { "trial_months", F_U32, EV(trial_months) },  { "forfait_jours", F_FLAG, EV(forfait_jours) },
    { "trial_days", F_U32, EV(trial_days) },      { "trial_renewable", F_FLAG, EV(trial_renewable) },
    { "first_name", F_STR, EV(first_name) },      { "last_name", F_STR, EV(last_name) },
    { "position", F_STR, EV(position) },          { "months", F_U32, EV(months) },
    { "leave_kind", F_STR, EV(leave_kind) },      { "visit_kind", F_STR, EV(visit_kind) },
    { "mandatory", F_FLAG, EV(mandatory) },       { "interview_type", F_STR, EV(interview_type) },
};
#undef EV
#define N_FIELDS (sizeof s_fields / sizeof s_fields[0])

#define FIELD_PTR(ev, i) ((void *) ((char *) (ev) + s_fields[i].off))

static const char *s_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a decimal number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

void ent_evjson_free(Entretiens__V1__EmployeeEvent *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < N_FIELDS; i++) {
        void *p = FIELD_PTR(ev, i);
        switch (s_fields[i].kind) {
        case F_STR: {
            char *s = *(char **) p;
            if (s && s != protobuf_c_empty_string)
                free(s);
            break;
        }
        case F_DATE:
            free(*(Entretiens__V1__Date **) p);
            break;
        case F_FLAG:
            free(*(Entretiens__V1__Flag **) p);
            break;
        case F_U32:
            break;
        }
    }
    free(ev);
}

/* Copies at most size-1 bytes of s into buf, cut on a character boundary. */
static void s_copy(char *buf, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
}

#define REJECT(f, ...)                                                                             \
    do {                                                                                           \
        s_copy(err->field, sizeof err->field, (f));                                                \
        snprintf(err->reason, sizeof err->reason, __VA_ARGS__);                                    \
        goto fail;                                                                                 \
    } while (0)

int ent_evjson_from_json(const json_t *obj, Entretiens__V1__EmployeeEvent **out, ent_evjson_error_t *err)
{
    *out = NULL;
    memset(err, 0, sizeof *err);
    if (!json_is_object(obj)) {
        s_copy(err->field, sizeof err->field, "json");
        snprintf(err->reason, sizeof err->reason, "an event is a JSON object, not %s", s_json_type(obj));
        return -1;
    }
    const json_t *id = json_object_get(obj, "event_id");
    if (json_is_string(id))
        s_copy(err->event_id, sizeof err->event_id, json_string_value(id));
    Entretiens__V1__EmployeeEvent *ev = malloc(sizeof *ev);
    if (!ev) {
        s_copy(err->field, sizeof err->field, "json");
        snprintf(err->reason, sizeof err->reason, "out of memory");
        return -1;
    }
    entretiens__v1__employee_event__init(ev);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) obj, key, v) {
        size_t i = 0;
        while (i < N_FIELDS && strcmp(s_fields[i].name, key) != 0)
            i++;
        if (i == N_FIELDS)
            REJECT(key, "unknown field");
        if (json_is_null(v))
            continue; /* absent */
        void *p = FIELD_PTR(ev, i);
        switch (s_fields[i].kind) {
        case F_STR: {
            if (!json_is_string(v))
                REJECT(key, "expected a string, got %s", s_json_type(v));
            char *s = strdup(json_string_value(v));
            if (!s)
                REJECT(key, "out of memory");
            *(char **) p = s;
            break;
        }
        case F_DATE: {
            if (!json_is_string(v))
                REJECT(key, "expected a date string YYYY-MM-DD, got %s", s_json_type(v));
            Entretiens__V1__Date *d = malloc(sizeof *d);
            if (!d)
                REJECT(key, "out of memory");
            if (ent_pbdate_parse(json_string_value(v), d) != 0) {
                free(d);
                char shown[48];
                s_copy(shown, sizeof shown, json_string_value(v));
                REJECT(key, "'%s' is not a valid date (YYYY-MM-DD)", shown);
            }
            *(Entretiens__V1__Date **) p = d;
            break;
        }
        case F_U32: {
            if (!json_is_integer(v))
                REJECT(key, "expected an integer, got %s", s_json_type(v));
            json_int_t n = json_integer_value(v);
            if (n < 0 || n > (json_int_t) UINT32_MAX)
                REJECT(key, "%lld is out of range (0 to 4294967295)", (long long) n);
            *(uint32_t *) p = (uint32_t) n;
            break;
        }
        case F_FLAG: {
            if (!json_is_boolean(v))
                REJECT(key, "expected true or false, got %s", s_json_type(v));
            Entretiens__V1__Flag *f = malloc(sizeof *f);
            if (!f)
                REJECT(key, "out of memory");
            entretiens__v1__flag__init(f);
            f->value = json_is_true(v);
            *(Entretiens__V1__Flag **) p = f;
            break;
        }
        }
    }
    *out = ev;
    return 0;
fail:
    ent_evjson_free(ev);
    return -1;
}

int ent_evjson_parse(const char *text, size_t len, Entretiens__V1__EmployeeEvent **out, ent_evjson_error_t *err)
{
    json_error_t je;
    json_t *obj = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!obj) {
        *out = NULL;
        memset(err, 0, sizeof *err);
        s_copy(err->field, sizeof err->field, "json");
        /* a line's text: the column counts characters from 1 */
        snprintf(err->reason, sizeof err->reason, "invalid JSON at column %d: %s",
                 je.line <= 1 ? je.column : (int) je.position + 1, je.text);
        return -1;
    }
    int rc = ent_evjson_from_json(obj, out, err);
    json_decref(obj);
    return rc;
}

json_t *ent_evjson_to_json(const Entretiens__V1__EmployeeEvent *ev)
{
    json_t *o = json_object();
    if (!o || !ev)
        return o;
    for (size_t i = 0; i < N_FIELDS; i++) {
        const void *p = (const char *) ev + s_fields[i].off;
        json_t *v = NULL;
        switch (s_fields[i].kind) {
        case F_STR: {
            const char *s = *(char *const *) p;
            if (s && *s)
                v = ent_json_str(s);
            break;
        }
        case F_DATE: {
            const Entretiens__V1__Date *d = *(Entretiens__V1__Date *const *) p;
            if (d)
                v = ent_json_pbdate(d);
            break;
        }
        case F_U32: {
            uint32_t n = *(const uint32_t *) p;
            if (n)
                v = json_integer((json_int_t) n);
            break;
        }
        case F_FLAG: {
            const Entretiens__V1__Flag *f = *(Entretiens__V1__Flag *const *) p;
            if (f)
                v = json_boolean(f->value);
            break;
        }
        }
        if (v)
            json_object_set_new(o, s_fields[i].name, v);
    }
    return o;
}

/* ------------------------------------------------- the fast array parser */

/* A position in the text being parsed by ent_evjson_array_fast. */
typedef struct {
    const char *p, *end;
} s_cur_t;

static void s_ws(s_cur_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool s_lit(s_cur_t *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t) (c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* A plain JSON string at c->p (no escape, no control character, valid
 * UTF-8 — what jansson reads as the same bytes): its bytes in *s and *n,
 * the cursor after it.  False for anything else. */
static bool s_plain_str(s_cur_t *c, const char **s, size_t *n)
{
    if (c->p >= c->end || *c->p != '"')
        return false;
    *s = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char) *c->p;
        if (ch == '\\' || ch < 0x20)
            return false;
        if (ch < 0x80) {
            c->p++;
            continue;
        }
        uint32_t cp;
        size_t k = ent_utf8_next(c->p, (size_t) (c->end - c->p), &cp);
        if (!k)
            return false;
        c->p += k;
    }
    if (c->p >= c->end)
        return false;
    *n = (size_t) (c->p - *s);
    c->p++;
    return true;
}

/* A JSON integer from 0 to UINT32_MAX (no sign, fraction nor exponent). */
static bool s_u32(s_cur_t *c, uint32_t *out)
{
    const char *s = c->p;
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - s < 11)
        v = v * 10 + (uint64_t) (*c->p++ - '0');
    size_t n = (size_t) (c->p - s);
    if (n == 0 || (n > 1 && *s == '0') || v > UINT32_MAX)
        return false;
    *out = (uint32_t) v;
    return c->p == c->end || (*c->p != '.' && *c->p != 'e' && *c->p != 'E' && !(*c->p >= '0' && *c->p <= '9'));
}

/* Where the events' strings and dates go (blocks of the batch). */
typedef struct {
    char *strs;                      /* NUL-terminated copies, one after the other */
    Entretiens__V1__Date *dates;
    Entretiens__V1__Flag *flags;
} s_pool_t;

/* One plain event object at c->p into ev.  False when it is anything
 * else: an unknown or repeated field, a wrong type, a bad date... */
static bool s_fast_event(s_cur_t *c, Entretiens__V1__EmployeeEvent *ev, s_pool_t *pool)
{
    uint64_t seen = 0;
    if (c->p >= c->end || *c->p != '{')
        return false;
    c->p++;
    s_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return true;
    }
    for (;;) {
        const char *key, *s;
        size_t kn, n, i = 0;
        if (!s_plain_str(c, &key, &kn))
            return false;
        while (i < N_FIELDS && (strlen(s_fields[i].name) != kn || memcmp(s_fields[i].name, key, kn) != 0))
            i++;
        if (i == N_FIELDS || (seen & (1ull << i)))
            return false;
        seen |= 1ull << i;
        s_ws(c);
        if (c->p >= c->end || *c->p++ != ':')
            return false;
        s_ws(c);
        void *p = FIELD_PTR(ev, i);
        if (s_lit(c, "null")) {
            /* absent */
        } else if (s_fields[i].kind == F_STR || s_fields[i].kind == F_DATE) {
            if (!s_plain_str(c, &s, &n))
                return false;
            char *copy = pool->strs;
            memcpy(copy, s, n);
            copy[n] = '\0';
            pool->strs += n + 1;
            if (s_fields[i].kind == F_STR) {
                *(char **) p = copy;
            } else {
                if (ent_pbdate_parse(copy, pool->dates) != 0)
                    return false;
                *(Entretiens__V1__Date **) p = pool->dates++;
            }
        } else if (s_fields[i].kind == F_U32) {
            if (!s_u32(c, (uint32_t *) p))
                return false;
        } else {
            bool yes = s_lit(c, "true");
            if (!yes && !s_lit(c, "false"))
                return false;
            entretiens__v1__flag__init(pool->flags);
            pool->flags->value = yes;
            *(Entretiens__V1__Flag **) p = pool->flags++;
        }
        s_ws(c);
        if (c->p >= c->end)
            return false;
        if (*c->p == '}') {
            c->p++;
            return true;
        }
        if (*c->p++ != ',')
            return false;
        s_ws(c);
    }
}

int ent_evjson_array_fast(const char *text, size_t len, size_t max, ent_evjson_batch_t *out)
{
    memset(out, 0, sizeof *out);
    /* every event is an object: the number of '{' bounds their number */
    size_t cap = 0, ndates = 0, nflags = 0;
    for (const char *q = text; (q = memchr(q, '{', (size_t) (text + len - q))) != NULL; q++)
        cap++;
    if (cap > max)
        cap = max;
    for (size_t i = 0; i < N_FIELDS; i++) {
        ndates += s_fields[i].kind == F_DATE;
        nflags += s_fields[i].kind == F_FLAG;
    }
    size_t slots = cap ? cap : 1;
    out->blocks[0] = out->events = calloc(slots, sizeof *out->events);
    Entretiens__V1__EmployeeEvent *evs = out->blocks[1] = calloc(slots, sizeof *evs);
    /* a string's copy and its NUL fit in its quoted form */
    s_pool_t pool = { .strs = out->blocks[2] = malloc(len + 1) };
    pool.dates = out->blocks[3] = calloc(slots * ndates * sizeof *pool.dates + slots * nflags * sizeof *pool.flags, 1);
    if (!out->events || !evs || !pool.strs || !pool.dates) {
        ent_evjson_batch_free(out);
        return ENOMEM;
    }
    pool.flags = (Entretiens__V1__Flag *) (void *) (pool.dates + slots * ndates);
    s_cur_t c = { text, text + len };
    s_ws(&c);
    if (c.p >= c.end || *c.p++ != '[')
        goto other;
    s_ws(&c);
    if (c.p < c.end && *c.p == ']') {
        c.p++;
    } else {
        for (;;) {
            if (out->n == cap)
                goto other; /* more than max: the general path answers it */
            Entretiens__V1__EmployeeEvent *ev = &evs[out->n];
            entretiens__v1__employee_event__init(ev);
            if (!s_fast_event(&c, ev, &pool))
                goto other;
            out->events[out->n++] = ev;
            s_ws(&c);
            if (c.p < c.end && *c.p == ']') {
                c.p++;
                break;
            }
            if (c.p >= c.end || *c.p++ != ',')
                goto other;
            s_ws(&c);
        }
    }
    s_ws(&c);
    if (c.p == c.end)
        return 0;
other:
    ent_evjson_batch_free(out);
    return 1;
}

void ent_evjson_batch_free(ent_evjson_batch_t *b)
{
    for (size_t i = 0; i < sizeof b->blocks / sizeof b->blocks[0]; i++)
        free(b->blocks[i]);
    memset(b, 0, sizeof *b);
}
