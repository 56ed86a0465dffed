/*  csv_employees.c — HRIS CSV export -> `hired` events (see
 *  csv_employees.h). */
#include "csv_employees.h"

#include "json_events.h"

#include "common/date.h"

#include <csv.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_MAX 256   /* the scheduler's limit for names, department, site, email */
#define ID_MAX 64      /* employee, manager and entity ids */
#define TRIAL_MAX 12   /* the scheduler refuses longer trial periods */
#define MIN_AGE 14     /* nobody is hired younger in France (C. trav. L4153-1) */

/* libcsv's parser states (csv.c): the one between rows. */
#define S_ROW_NOT_BEGUN 0

/* ------------------------------------------------------------- columns */

enum {
    C_EMPLOYEE_ID,
    C_FIRST_NAME,
    C_LAST_NAME,
    C_EMAIL,
    C_ENTITY,
    C_DEPARTMENT,
    C_SITE,
    C_REGION,
    C_MANAGER_ID,
    C_HIRE_DATE,
    C_BIRTH_DATE,
    C_CATEGORY,
    C_CONTRACT,
    C_CONTRACT_END,
    C_TRIAL_MONTHS,
    C_LOCALE,
    C_FORFAIT_JOURS,
    C_COUNT
};

static const struct {
    const char *name;
    bool in_header;   /* the header must name it */
} s_cols[C_COUNT] = {
    [C_EMPLOYEE_ID] = { "employee_id", true }, [C_FIRST_NAME] = { "first_name", true },
    [C_LAST_NAME] = { "last_name", true },     [C_EMAIL] = { "email", true },
    [C_ENTITY] = { "entity", true },           [C_DEPARTMENT] = { "department", true },
    [C_SITE] = { "site", true },               [C_REGION] = { "region", true },
    [C_MANAGER_ID] = { "manager_id", true },   [C_HIRE_DATE] = { "hire_date", true },
    [C_BIRTH_DATE] = { "birth_date", true },   [C_CATEGORY] = { "category", true },
    [C_CONTRACT] = { "contract", true },       [C_CONTRACT_END] = { "contract_end", true },
    [C_TRIAL_MONTHS] = { "trial_months", true }, [C_LOCALE] = { "locale", false },
    [C_FORFAIT_JOURS] = { "forfait_jours", false },
};

static const char *const s_regions[] = { "metropole", "alsace_moselle", "guadeloupe", "martinique",
                                         "guyane",    "reunion",        "mayotte",    NULL };
static const char *const s_categories[] = { "ouvrier_employe", "maitrise_technicien", "cadre", NULL };
static const char *const s_contracts[] = { "permanent", "fixed_term", "apprentice", NULL };

/* --------------------------------------------------------------- state */

typedef struct {
    char *id;
    size_t line;
} s_seen_t;

typedef struct {
    struct csv_parser p;
    unsigned char opts;
    csv_emp_report_t *rep;
    csv_emp_row_fn fn;
    void *ctx;
    size_t line;      /* physical line being fed */
    size_t row_line;  /* line where the current row starts */
    /* the header: field i of a row is column col_of[i] (-1: none) */
    bool header_done, header_bad;
    int *col_of;
    size_t ncols;
    /* the current row's fields, each NUL-terminated in buf */
    char *buf;
    size_t blen, bcap;
    size_t *off, *flen;
    size_t nf, fcap;
    bool row_dropped;  /* a parse error: the rest of the row is ignored */
    /* employee ids seen (open addressing, power-of-two size) */
    s_seen_t *seen;
    size_t nseen, seen_cap;
    int stop;          /* -1 out of memory, or fn's non-zero result */
} s_parser_t;

/* ------------------------------------------------------------- errors */

static void s_error(s_parser_t *ps, size_t line, const char *employee_id, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void s_error(s_parser_t *ps, size_t line, const char *employee_id, const char *field, const char *fmt, ...)
{
    csv_emp_report_t *r = ps->rep;
    r->n_errors++;
    if (r->kept >= CSV_EMP_MAX_ERRORS)
        return;
    if (r->kept % 64 == 0) {
        csv_emp_error_t *e = realloc(r->errors, (r->kept + 64) * sizeof *e);
        if (!e) {
            ps->stop = -1;
            return;
        }
        r->errors = e;
    }
    csv_emp_error_t *e = &r->errors[r->kept++];
    memset(e, 0, sizeof *e);
    e->line = line;
    /* ids in messages are shown sanitised: the file may hold anything */
    char *clean = employee_id ? ctl_utf8_sanitize(employee_id, strlen(employee_id), true) : NULL;
    snprintf(e->employee_id, sizeof e->employee_id, "%s", clean ? clean : "");
    free(clean);
    snprintf(e->field, sizeof e->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof e->reason, fmt, ap);
    va_end(ap);
}

/* A value quoted in a reason: at most 40 bytes of it, sanitised, into out
 * (at least 160 bytes: 40 U+FFFD of 3 bytes and "…"). */
static const char *s_q(const char *v, char *out, size_t size)
{
    size_t n = strlen(v);
    bool cut = n > 40;
    char *clean = ctl_utf8_sanitize(v, cut ? 40 : n, true);
    snprintf(out, size, "%s%s", clean ? clean : "?", cut ? "…" : "");
    free(clean);
    return out;
}

/* --------------------------------------------------------------- ids seen */

static uint64_t s_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 1099511628211ull;
    return h;
}

/* The line where id was first seen, or 0 after recording it at line.
 * SIZE_MAX when out of memory. */
static size_t s_seen(s_parser_t *ps, const char *id, size_t line)
{
    if (ps->nseen * 2 >= ps->seen_cap) {
        size_t cap = ps->seen_cap ? ps->seen_cap * 2 : 1024;
        s_seen_t *t = calloc(cap, sizeof *t);
        if (!t)
            return SIZE_MAX;
        for (size_t i = 0; i < ps->seen_cap; i++)
            if (ps->seen[i].id) {
                size_t k = s_hash(ps->seen[i].id) & (cap - 1);
                while (t[k].id)
                    k = (k + 1) & (cap - 1);
                t[k] = ps->seen[i];
            }
        free(ps->seen);
        ps->seen = t;
        ps->seen_cap = cap;
    }
    size_t k = s_hash(id) & (ps->seen_cap - 1);
    while (ps->seen[k].id) {
        if (strcmp(ps->seen[k].id, id) == 0)
            return ps->seen[k].line;
        k = (k + 1) & (ps->seen_cap - 1);
    }
    if (!(ps->seen[k].id = strdup(id)))
        return SIZE_MAX;
    ps->seen[k].line = line;
    ps->nseen++;
    return 0;
}

/* ------------------------------------------------------------- checks */

typedef struct {
    s_parser_t *ps;
    size_t line;
    const char *employee_id;   /* for the messages */
    bool bad;
} s_row_t;

#define ROW_ERROR(row, field, ...)                                                                 \
    do {                                                                                           \
        (row)->bad = true;                                                                         \
        s_error((row)->ps, (row)->line, (row)->employee_id, (field), __VA_ARGS__);                 \
    } while (0)

/* Printable UTF-8 of at most max code points: no control characters
 * (a quoted line break would end up in someone's name). */
static bool s_text_ok(s_row_t *row, const char *col, const char *v, size_t len, size_t max)
{
    if (memchr(v, '\0', len) || !ctl_utf8_valid(v)) {
        ROW_ERROR(row, col, "not valid UTF-8 (save the file as UTF-8)");
        return false;
    }
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
        if ((*p & 0xc0) != 0x80)
            n++;
        if (*p < 0x20 || *p == 0x7f) {
            ROW_ERROR(row, col, "holds a line break or another control character");
            return false;
        }
    }
    if (n > max) {
        ROW_ERROR(row, col, "%zu characters, at most %zu", n, max);
        return false;
    }
    return true;
}

static bool s_id_ok(s_row_t *row, const char *col, const char *v)
{
    char q[160];
    size_t n = strlen(v);
    bool ok = n > 0 && n <= ID_MAX;
    for (const char *p = v; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._:@-+", *p);
    if (!ok)
        ROW_ERROR(row, col, "'%s' is not an id: 1-%d characters among letters, digits and ._:@-+", s_q(v, q, sizeof q),
                  ID_MAX);
    return ok;
}

/* One of the names in list (case-insensitive): the canonical spelling, or
 * NULL after reporting. */
static const char *s_enum(s_row_t *row, const char *col, const char *v, const char *const *list, const char *what)
{
    for (size_t i = 0; list[i]; i++)
        if (strcasecmp(v, list[i]) == 0)
            return list[i];
    char q[160], names[256] = "";
    size_t o = 0;
    for (size_t i = 0; list[i] && o < sizeof names; i++)
        o += (size_t) snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "", list[i]);
    ROW_ERROR(row, col, "unknown %s '%s' (%s)", what, s_q(v, q, sizeof q), names);
    return NULL;
}

/* A date YYYY-MM-DD between 1900 and 2200 (the scheduler's range). */
static bool s_date_ok(s_row_t *row, const char *col, const char *v, int32_t *out)
{
    char q[160];
    int y, m, d;
    if (ent_date_parse(v, out) != 0) {
        ROW_ERROR(row, col, "'%s' is not a date YYYY-MM-DD", s_q(v, q, sizeof q));
        return false;
    }
    ent_date_to_ymd(*out, &y, &m, &d);
    if (y < 1900 || y > 2200) {
        ROW_ERROR(row, col, "%s is not between 1900 and 2200", v);
        return false;
    }
    return true;
}

/* An address the scheduler and a mail server take: one '@' between a
 * non-empty local part and a domain, no spaces or list separators. */
static bool s_email_ok(s_row_t *row, const char *v)
{
    char q[160];
    const char *at = strchr(v, '@');
    bool ok = at && at != v && at[1] && !strchr(at + 1, '@') && !strpbrk(v, " \t,;<>\"()[]\\");
    if (!ok)
        ROW_ERROR(row, "email", "'%s' is not an e-mail address", s_q(v, q, sizeof q));
    return ok;
}

static void s_set_date(Entretiens__V1__Date *d, int32_t day)
{
    int y, m, dd;
    ent_date_to_ymd(day, &y, &m, &dd);
    entretiens__v1__date__init(d);
    d->year = y;
    d->month = m;
    d->day = dd;
}

/* Checks the current row and hands its event to fn. */
static void s_row_process(s_parser_t *ps)
{
    csv_emp_report_t *rep = ps->rep;
    const char *v[C_COUNT] = { 0 };
    size_t vl[C_COUNT] = { 0 };
    bool empty = true;
    for (size_t i = 0; i < ps->nf; i++)
        if (ps->flen[i])
            empty = false;
    if (empty)
        return; /* a blank line with spaces, or ",,,," left by a spreadsheet */
    rep->rows++;
    s_row_t row = { .ps = ps, .line = ps->row_line };
    if (ps->nf != ps->ncols) {
        /* the employee id is still named when its column came through */
        for (size_t i = 0; i < ps->nf && i < ps->ncols; i++)
            if (ps->col_of[i] == C_EMPLOYEE_ID && ps->flen[i] <= ID_MAX)
                row.employee_id = ps->buf + ps->off[i];
        ROW_ERROR(&row, "row", "%zu field%s where the header has %zu (a field holding '%c' must be quoted)", ps->nf,
                  ps->nf == 1 ? "" : "s", ps->ncols, rep->delimiter);
        rep->bad++;
        return;
    }
    for (size_t i = 0; i < ps->nf; i++)
        if (ps->col_of[i] >= 0) {
            v[ps->col_of[i]] = ps->buf + ps->off[i];
            vl[ps->col_of[i]] = ps->flen[i];
        }
    for (int c = 0; c < C_COUNT; c++)
        if (!v[c])
            v[c] = "";
    char q[160];
    /* text first: later checks read the values as strings */
    bool text[C_COUNT];
    for (int c = 0; c < C_COUNT; c++)
        text[c] = s_text_ok(&row, s_cols[c].name, v[c], vl[c], TEXT_MAX);
    if (text[C_EMPLOYEE_ID] && vl[C_EMPLOYEE_ID] <= ID_MAX)
        row.employee_id = v[C_EMPLOYEE_ID];

    Entretiens__V1__EmployeeEvent ev = ENTRETIENS__V1__EMPLOYEE_EVENT__INIT;
    Entretiens__V1__Date hired_d, birth_d, end_d;
    Entretiens__V1__Flag forfait = ENTRETIENS__V1__FLAG__INIT;
    int32_t hired = ENT_DATE_NONE, birth = ENT_DATE_NONE, end = ENT_DATE_NONE;

    if (text[C_EMPLOYEE_ID]) {
        if (!*v[C_EMPLOYEE_ID])
            ROW_ERROR(&row, "employee_id", "required");
        else if (s_id_ok(&row, "employee_id", v[C_EMPLOYEE_ID])) {
            size_t first = s_seen(ps, v[C_EMPLOYEE_ID], row.line);
            if (first == SIZE_MAX) {
                ps->stop = -1;
                return;
            }
            if (first)
                ROW_ERROR(&row, "employee_id", "employee %s is already on line %zu", v[C_EMPLOYEE_ID], first);
        }
    }
    if (text[C_FIRST_NAME] && !*v[C_FIRST_NAME])
        ROW_ERROR(&row, "first_name", "required");
    if (text[C_LAST_NAME] && !*v[C_LAST_NAME])
        ROW_ERROR(&row, "last_name", "required");
    if (text[C_EMAIL] && *v[C_EMAIL])
        s_email_ok(&row, v[C_EMAIL]);
    if (text[C_ENTITY]) {
        if (!*v[C_ENTITY])
            ROW_ERROR(&row, "entity", "required: the employer whose policy applies");
        else
            s_id_ok(&row, "entity", v[C_ENTITY]);
    }
    const char *region = NULL, *category = NULL, *contract = NULL;
    if (text[C_REGION] && *v[C_REGION])
        region = s_enum(&row, "region", v[C_REGION], s_regions, "region");
    if (text[C_MANAGER_ID] && *v[C_MANAGER_ID] && s_id_ok(&row, "manager_id", v[C_MANAGER_ID]) &&
        strcmp(v[C_MANAGER_ID], v[C_EMPLOYEE_ID]) == 0)
        ROW_ERROR(&row, "manager_id", "an employee cannot be their own manager");
    if (text[C_HIRE_DATE]) {
        if (!*v[C_HIRE_DATE])
            ROW_ERROR(&row, "hire_date", "required (YYYY-MM-DD)");
        else if (!s_date_ok(&row, "hire_date", v[C_HIRE_DATE], &hired))
            hired = ENT_DATE_NONE;
    }
    if (text[C_BIRTH_DATE] && *v[C_BIRTH_DATE] && s_date_ok(&row, "birth_date", v[C_BIRTH_DATE], &birth)) {
        if (hired != ENT_DATE_NONE && ent_date_years_between(birth, hired) < MIN_AGE)
            ROW_ERROR(&row, "birth_date", "born %s: %d years old on the hire date %s (at least %d)", v[C_BIRTH_DATE],
                      ent_date_years_between(birth, hired), v[C_HIRE_DATE], MIN_AGE);
    } else {
        birth = ENT_DATE_NONE;
    }
    if (text[C_CATEGORY]) {
        if (!*v[C_CATEGORY])
            ROW_ERROR(&row, "category", "required (ouvrier_employe, maitrise_technicien, cadre)");
        else
            category = s_enum(&row, "category", v[C_CATEGORY], s_categories, "category");
    }
    if (text[C_CONTRACT]) {
        if (!*v[C_CONTRACT])
            ROW_ERROR(&row, "contract", "required (permanent, fixed_term, apprentice)");
        else
            contract = s_enum(&row, "contract", v[C_CONTRACT], s_contracts, "contract");
    }
    if (text[C_CONTRACT_END]) {
        bool fixed = contract && strcmp(contract, "permanent") != 0;
        if (*v[C_CONTRACT_END]) {
            if (!s_date_ok(&row, "contract_end", v[C_CONTRACT_END], &end))
                end = ENT_DATE_NONE;
            else if (contract && !fixed)
                ROW_ERROR(&row, "contract_end", "a permanent contract has no end date (leave it empty)");
            else if (hired != ENT_DATE_NONE && end < hired)
                ROW_ERROR(&row, "contract_end", "the contract ends (%s) before the hire (%s)", v[C_CONTRACT_END],
                          v[C_HIRE_DATE]);
        } else if (fixed) {
            ROW_ERROR(&row, "contract_end", "a %s contract needs its end date", contract);
        }
    }
    unsigned trial = 0;
    if (text[C_TRIAL_MONTHS] && *v[C_TRIAL_MONTHS]) {
        const char *t = v[C_TRIAL_MONTHS];
        bool digits = strlen(t) <= 3;
        for (const char *p = t; digits && *p; p++)
            digits = *p >= '0' && *p <= '9';
        trial = digits ? (unsigned) atoi(t) : 0;
        if (!digits || trial > TRIAL_MAX)
            ROW_ERROR(&row, "trial_months", "'%s' is not a number of months from 0 to %d", s_q(t, q, sizeof q),
                      TRIAL_MAX);
    }
    const char *locale = NULL;
    if (text[C_LOCALE] && *v[C_LOCALE]) {
        static const char *const locales[] = { "fr", "en", NULL };
        locale = s_enum(&row, "locale", v[C_LOCALE], locales, "locale");
    }
    bool has_forfait = false;
    if (text[C_FORFAIT_JOURS] && *v[C_FORFAIT_JOURS]) {
        static const char *const yes[] = { "true", "yes", "oui", "1", NULL }, *const no[] = { "false", "no", "non", "0", NULL };
        for (size_t i = 0; yes[i]; i++) {
            if (strcasecmp(v[C_FORFAIT_JOURS], yes[i]) == 0) {
                forfait.value = true;
                has_forfait = true;
            }
            if (strcasecmp(v[C_FORFAIT_JOURS], no[i]) == 0)
                has_forfait = true;
        }
        if (!has_forfait)
            ROW_ERROR(&row, "forfait_jours", "'%s' is not a yes/no value (true, false, yes, no, oui, non, 1, 0)",
                      s_q(v[C_FORFAIT_JOURS], q, sizeof q));
    }
    if (row.bad) {
        rep->bad++;
        return;
    }
    rep->valid++;
    if (!ps->fn)
        return;

    char event_id[ID_MAX + 32], date[ENT_DATE_STRLEN];
    snprintf(event_id, sizeof event_id, "%s:hired:%s", v[C_EMPLOYEE_ID], ent_date_format(hired, date));
    ev.event_id = event_id;
    ev.source = CSV_EMP_SOURCE;
    ev.type = "hired";
    ev.employee_id = (char *) v[C_EMPLOYEE_ID];
    s_set_date(&hired_d, hired);
    ev.effective_date = &hired_d;
    /* empty optional values stay absent (NULL), as in an ingest file */
#define OPT(c) (*v[c] ? (char *) v[c] : NULL)
    ev.first_name = OPT(C_FIRST_NAME);
    ev.last_name = OPT(C_LAST_NAME);
    ev.email = OPT(C_EMAIL);
    ev.entity = OPT(C_ENTITY);
    ev.department = OPT(C_DEPARTMENT);
    ev.site = OPT(C_SITE);
    ev.manager_id = OPT(C_MANAGER_ID);
#undef OPT
    ev.region = (char *) region;
    ev.category = (char *) category;
    ev.contract = (char *) contract;
    ev.locale = (char *) locale;
    if (birth != ENT_DATE_NONE) {
        s_set_date(&birth_d, birth);
        ev.birth_date = &birth_d;
    }
    if (end != ENT_DATE_NONE) {
        s_set_date(&end_d, end);
        ev.contract_end = &end_d;
    }
    ev.trial_months = trial;
    if (has_forfait)
        ev.forfait_jours = &forfait;
    int rc = ps->fn(ps->ctx, row.line, &ev);
    if (rc)
        ps->stop = rc;
}

/* Reads the header row: every column known, none twice, the required ones
 * present. */
static void s_header_process(s_parser_t *ps)
{
    ps->header_done = true;
    ps->ncols = ps->nf;
    ps->col_of = malloc((ps->nf ? ps->nf : 1) * sizeof *ps->col_of);
    if (!ps->col_of) {
        ps->stop = -1;
        return;
    }
    size_t pos[C_COUNT];
    for (int c = 0; c < C_COUNT; c++)
        pos[c] = SIZE_MAX;
    char q[160];
    for (size_t i = 0; i < ps->nf; i++) {
        const char *name = ps->buf + ps->off[i];
        ps->col_of[i] = -1;
        for (int c = 0; c < C_COUNT; c++)
            if (strcasecmp(name, s_cols[c].name) == 0)
                ps->col_of[i] = c;
        int c = ps->col_of[i];
        if (c < 0) {
            s_error(ps, ps->row_line, NULL, "header", "unknown column '%s' (field %zu)", s_q(name, q, sizeof q), i + 1);
            ps->header_bad = true;
        } else if (pos[c] != SIZE_MAX) {
            s_error(ps, ps->row_line, NULL, "header", "column '%s' appears twice (fields %zu and %zu)", s_cols[c].name,
                    pos[c] + 1, i + 1);
            ps->header_bad = true;
        } else {
            pos[c] = i;
        }
    }
    char missing[512] = "";
    size_t o = 0, nmissing = 0;
    for (int c = 0; c < C_COUNT; c++)
        if (s_cols[c].in_header && pos[c] == SIZE_MAX && o < sizeof missing) {
            o += (size_t) snprintf(missing + o, sizeof missing - o, "%s%s", nmissing ? ", " : "", s_cols[c].name);
            nmissing++;
        }
    if (nmissing) {
        s_error(ps, ps->row_line, NULL, "header", "missing column%s: %s", nmissing == 1 ? "" : "s", missing);
        ps->header_bad = true;
    }
    if (ps->header_bad)
        ps->rep->bad++;
}

/* ---------------------------------------------------- libcsv callbacks */

static void s_on_field(void *s, size_t len, void *data)
{
    s_parser_t *ps = data;
    if (ps->stop || ps->row_dropped)
        return;
    if (ps->nf == ps->fcap) {
        size_t cap = ps->fcap ? ps->fcap * 2 : 32;
        size_t *off = realloc(ps->off, cap * sizeof *off);
        if (off)
            ps->off = off;
        size_t *fl = off ? realloc(ps->flen, cap * sizeof *fl) : NULL;
        if (!fl) {
            ps->stop = -1;
            return;
        }
        ps->flen = fl;
        ps->fcap = cap;
    }
    if (ps->blen + len + 1 > ps->bcap) {
        size_t cap = ps->bcap ? ps->bcap : 1024;
        while (cap < ps->blen + len + 1)
            cap *= 2;
        char *b = realloc(ps->buf, cap);
        if (!b) {
            ps->stop = -1;
            return;
        }
        ps->buf = b;
        ps->bcap = cap;
    }
    memcpy(ps->buf + ps->blen, s ? s : "", len);
    ps->buf[ps->blen + len] = '\0';
    ps->off[ps->nf] = ps->blen;
    ps->flen[ps->nf++] = len;
    ps->blen += len + 1;
}

static void s_row_reset(s_parser_t *ps)
{
    ps->nf = 0;
    ps->blen = 0;
    ps->row_dropped = false;
}

static void s_on_row(int c, void *data)
{
    (void) c;
    s_parser_t *ps = data;
    if (!ps->stop && !ps->row_dropped) {
        if (!ps->header_done)
            s_header_process(ps);
        else if (!ps->header_bad)
            s_row_process(ps);
    }
    s_row_reset(ps);
}

/* ------------------------------------------------------------- parsing */

/* The delimiter of the header line (outside quotes): the most frequent of
 * ',' ';' and tab, ',' on a tie. */
static char s_delimiter(const char *data, size_t len)
{
    size_t n[3] = { 0 };
    bool quoted = false;
    for (size_t i = 0; i < len && (quoted || (data[i] != '\n' && data[i] != '\r')); i++) {
        if (data[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            n[0] += data[i] == ',', n[1] += data[i] == ';', n[2] += data[i] == '\t';
    }
    return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] && n[2] > n[1] ? '\t' : ',';
}

/* Tabs are field content, not blanks around fields, when they delimit. */
static int s_is_space_no_tab(unsigned char c)
{
    return c == ' ';
}

static int s_parser_init(s_parser_t *ps)
{
    if (csv_init(&ps->p, ps->opts) != 0)
        return -1;
    csv_set_delim(&ps->p, (unsigned char) ps->rep->delimiter);
    if (ps->rep->delimiter == '\t')
        csv_set_space_func(&ps->p, s_is_space_no_tab);
    return 0;
}

int csv_emp_parse(const char *data, size_t len, csv_emp_row_fn fn, void *ctx, csv_emp_report_t *report)
{
    memset(report, 0, sizeof *report);
    s_parser_t ps = { .rep = report, .fn = fn, .ctx = ctx, .opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL };
    int rc = 0;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        data += 3, len -= 3; /* the byte-order mark spreadsheets write */
    if (len >= 2 && (memcmp(data, "\xff\xfe", 2) == 0 || memcmp(data, "\xfe\xff", 2) == 0)) {
        s_error(&ps, 1, NULL, "file", "the file is UTF-16: save it as CSV UTF-8");
        report->bad++;
        goto done;
    }
    report->delimiter = s_delimiter(data, len);
    if (s_parser_init(&ps) != 0) {
        rc = -1;
        goto done;
    }
    /* libcsv counts no lines: it is fed one physical line at a time, and a
     * row starts on the line being fed when the parser is between rows */
    size_t i = 0;
    while (i < len && !ps.stop) {
        size_t j = i;
        while (j < len && data[j] != '\n' && !(data[j] == '\r' && (j + 1 >= len || data[j + 1] != '\n')))
            j++;
        if (j < len)
            j++; /* the line end goes to libcsv: it ends rows */
        ps.line++;
        if (ps.p.pstate == S_ROW_NOT_BEGUN)
            ps.row_line = ps.line;
        size_t used = csv_parse(&ps.p, data + i, j - i, s_on_field, s_on_row, &ps);
        if (used != j - i && !ps.stop) {
            if (csv_error(&ps.p) == CSV_ENOMEM) {
                rc = -1;
                break;
            }
            /* strict mode: a quote inside an unquoted field, or text after
             * a closing quote; the row is dropped and parsing starts again
             * on the next line */
            s_error(&ps, ps.row_line, NULL, "row",
                    "bad quoting%s: a field holding quotes must be quoted and its quotes doubled (\"\")",
                    ps.line != ps.row_line ? " (the row continues on later lines)" : "");
            if (ps.header_done)
                report->rows++, report->bad++;
            else
                ps.header_done = ps.header_bad = true, report->bad++;
            s_row_reset(&ps);
            csv_free(&ps.p);
            if (s_parser_init(&ps) != 0) {
                rc = -1;
                break;
            }
        }
        i = j;
    }
    if (!rc && !ps.stop && csv_fini(&ps.p, s_on_field, s_on_row, &ps) != 0) {
        s_error(&ps, ps.row_line, NULL, ps.header_done ? "row" : "header",
                "a quoted field is not closed: its quote runs to the end of the file");
        if (ps.header_done)
            report->rows++;
        else
            ps.header_done = ps.header_bad = true;
        report->bad++;
    }
    csv_free(&ps.p);
    if (!rc && !ps.stop && !ps.header_done) {
        s_error(&ps, 1, NULL, "file", "the file is empty: a header row naming the columns is required");
        report->bad++;
    }
    if (!rc)
        rc = ps.stop;
done:
    for (size_t k = 0; k < ps.seen_cap; k++)
        free(ps.seen[k].id);
    free(ps.seen);
    free(ps.col_of);
    free(ps.buf);
    free(ps.off);
    free(ps.flen);
    return rc;
}

void csv_emp_report_clear(csv_emp_report_t *report)
{
    if (!report)
        return;
    free(report->errors);
    memset(report, 0, sizeof *report);
}
