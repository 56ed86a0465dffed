/*  csv_employees.c — HRIS CSV export -> `hired` events (see
 *  csv_employees.h). */
#include "common/csv_employees.h"
#include "common/pbdate.h"

#include "common/event_json.h"

#include "common/date.h"

#include <csv.h>

#include <errno.h>
#include <iconv.h>
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
#define NORM_MAX 160   /* a header or a value as compared (longer ones are cut) */

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

/* The header must name a column whose data HR exports carry, so that a
 * forgotten column (managers, contract ends) is noticed rather than read as
 * empty; region is optional because exports rarely have it (the rules use the
 * entity's region, from the policy). */
static const struct {
    const char *name;
    bool in_header;   /* the header must name it */
} s_cols[C_COUNT] = {
    [C_EMPLOYEE_ID] = { "employee_id", true }, [C_FIRST_NAME] = { "first_name", true },
    [C_LAST_NAME] = { "last_name", true },     [C_EMAIL] = { "email", true },
    [C_ENTITY] = { "entity", true },           [C_DEPARTMENT] = { "department", true },
    [C_SITE] = { "site", true },               [C_REGION] = { "region", false },
    [C_MANAGER_ID] = { "manager_id", true },   [C_HIRE_DATE] = { "hire_date", true },
    [C_BIRTH_DATE] = { "birth_date", true },   [C_CATEGORY] = { "category", true },
    [C_CONTRACT] = { "contract", true },       [C_CONTRACT_END] = { "contract_end", true },
    [C_TRIAL_MONTHS] = { "trial_months", true }, [C_LOCALE] = { "locale", false },
    [C_FORFAIT_JOURS] = { "forfait_jours", false },
};

/* The headers French HRIS exports and spreadsheets use (Silae, Sage, ADP,
 * PayFit, Excel templates), compared as s_norm makes them: accents, case,
 * spaces and punctuation do not matter. */
static const struct {
    int col;
    const char *header;
} s_aliases[] = {
    { C_EMPLOYEE_ID, "Matricule" },
    { C_EMPLOYEE_ID, "Matricule salarié" },
    { C_EMPLOYEE_ID, "N° matricule" },
    { C_EMPLOYEE_ID, "Numéro de matricule" },
    { C_EMPLOYEE_ID, "Numéro matricule" },
    { C_EMPLOYEE_ID, "Identifiant salarié" },
    { C_EMPLOYEE_ID, "ID salarié" },
    { C_EMPLOYEE_ID, "Code salarié" },
    { C_FIRST_NAME, "Prénom" },
    { C_FIRST_NAME, "Prénom usuel" },
    { C_LAST_NAME, "Nom" },
    { C_LAST_NAME, "Nom de famille" },
    { C_LAST_NAME, "Nom d'usage" },
    { C_LAST_NAME, "Nom usuel" },
    { C_EMAIL, "Courriel" },
    { C_EMAIL, "E-mail" },
    { C_EMAIL, "Mail" },
    { C_EMAIL, "Adresse e-mail" },
    { C_EMAIL, "Adresse mail" },
    { C_EMAIL, "Adresse électronique" },
    { C_EMAIL, "Courriel professionnel" },
    { C_EMAIL, "E-mail professionnel" },
    { C_EMAIL, "Mail professionnel" },
    { C_ENTITY, "Société" },
    { C_ENTITY, "Entité" },
    { C_ENTITY, "Entreprise" },
    { C_ENTITY, "Employeur" },
    { C_ENTITY, "Entité juridique" },
    { C_ENTITY, "Code société" },
    { C_ENTITY, "Code entité" },
    { C_DEPARTMENT, "Service" },
    { C_DEPARTMENT, "Département" },
    { C_DEPARTMENT, "Service / Département" },
    { C_DEPARTMENT, "Département / Service" },
    { C_SITE, "Établissement" },
    { C_SITE, "Site / Établissement" },
    { C_SITE, "Site de travail" },
    { C_SITE, "Lieu de travail" },
    { C_REGION, "Région" },
    { C_MANAGER_ID, "Responsable" },
    { C_MANAGER_ID, "Manager" },
    { C_MANAGER_ID, "Responsable (matricule)" },
    { C_MANAGER_ID, "Manager (matricule)" },
    { C_MANAGER_ID, "Matricule responsable" },
    { C_MANAGER_ID, "Matricule du responsable" },
    { C_MANAGER_ID, "Matricule manager" },
    { C_MANAGER_ID, "Matricule du manager" },
    { C_MANAGER_ID, "Responsable hiérarchique" },
    { C_MANAGER_ID, "Matricule N+1" },
    { C_MANAGER_ID, "N+1" },
    { C_HIRE_DATE, "Date d'entrée" },
    { C_HIRE_DATE, "Date d'embauche" },
    { C_HIRE_DATE, "Date entrée" },
    { C_HIRE_DATE, "Date embauche" },
    { C_HIRE_DATE, "Date d'entrée dans l'entreprise" },
    { C_HIRE_DATE, "Date d'arrivée" },
    { C_BIRTH_DATE, "Date de naissance" },
    { C_BIRTH_DATE, "Date naissance" },
    { C_BIRTH_DATE, "Né(e) le" },
    { C_CATEGORY, "Catégorie" },
    { C_CATEGORY, "Statut" },
    { C_CATEGORY, "Catégorie professionnelle" },
    { C_CATEGORY, "Catégorie socio-professionnelle" },
    { C_CATEGORY, "CSP" },
    { C_CONTRACT, "Type de contrat" },
    { C_CONTRACT, "Type contrat" },
    { C_CONTRACT, "Contrat" },
    { C_CONTRACT, "Nature du contrat" },
    { C_CONTRACT, "Nature de contrat" },
    { C_CONTRACT_END, "Date de fin de contrat" },
    { C_CONTRACT_END, "Date fin de contrat" },
    { C_CONTRACT_END, "Date fin contrat" },
    { C_CONTRACT_END, "Date de fin du contrat" },
    { C_CONTRACT_END, "Fin de contrat" },
    { C_CONTRACT_END, "Date de fin prévue" },
    { C_CONTRACT_END, "Date de fin de CDD" },
    { C_TRIAL_MONTHS, "Période d'essai (mois)" },
    { C_TRIAL_MONTHS, "Période d'essai" },
    { C_TRIAL_MONTHS, "Période d'essai en mois" },
    { C_TRIAL_MONTHS, "Durée de la période d'essai" },
    { C_TRIAL_MONTHS, "Durée de la période d'essai (mois)" },
    { C_TRIAL_MONTHS, "Durée période d'essai (mois)" },
    { C_TRIAL_MONTHS, "Essai (mois)" },
    { C_LOCALE, "Langue" },
    { C_LOCALE, "Langue de communication" },
    { C_LOCALE, "Langue préférée" },
    { C_FORFAIT_JOURS, "Forfait jours" },
    { C_FORFAIT_JOURS, "Forfait annuel en jours" },
    { C_FORFAIT_JOURS, "Au forfait jours" },
};

/* ------------------------------------------------------- normal form */

/* Latin-1 letters U+00C0-U+00FF without their accents, lower case; NULL
 * for × and ÷. */
static const char *const s_latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* A header or a value as it is compared: ASCII letters and digits in lower
 * case, accented Latin letters (and œ, æ) without their accents, and every
 * run of anything else (spaces, '_', '-', apostrophes, parentheses, '°',
 * bytes that are not UTF-8) one space, none at the ends.  So "Date
 * d'entrée", "DATE_D_ENTREE" and "date d’entrée" are the same, and so are
 * "hire_date" and "Hire Date".  Cut at size - 1 bytes. */
static const char *s_norm(const char *in, char *out, size_t size)
{
    size_t o = 0, left = strlen(in);
    bool sep = false;
    const char *p = in;
    while (left > 0) {
        uint32_t cp = 0;
        size_t n = ent_utf8_next(p, left, &cp);
        char one[2] = { 0 };
        const char *rep = NULL;
        if (n == 0)
            n = 1; /* not UTF-8: a separator */
        else if (cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')))
            one[0] = (char) cp, rep = one;
        else if (cp >= 'A' && cp <= 'Z')
            one[0] = (char) (cp - 'A' + 'a'), rep = one;
        else if (cp >= 0xc0 && cp <= 0xff)
            rep = s_latin1[cp - 0xc0];
        else if (cp == 0x152 || cp == 0x153)
            rep = "oe";
        else if (cp == 0x178)
            rep = "y";
        p += n, left -= n;
        if (!rep) {
            sep = o > 0;
            continue;
        }
        size_t rl = strlen(rep);
        if (o + (sep ? 1 : 0) + rl >= size)
            break;
        if (sep)
            out[o++] = ' ';
        sep = false;
        memcpy(out + o, rep, rl);
        o += rl;
    }
    out[o] = '\0';
    return out;
}

/* Our column named by a header (its normal form): our own name or a
 * built-in alias; -1 when none. */
static int s_column_named(const char *norm)
{
    char a[NORM_MAX];
    for (int c = 0; c < C_COUNT; c++)
        if (strcmp(norm, s_norm(s_cols[c].name, a, sizeof a)) == 0)
            return c;
    for (size_t i = 0; i < sizeof s_aliases / sizeof *s_aliases; i++)
        if (strcmp(norm, s_norm(s_aliases[i].header, a, sizeof a)) == 0)
            return s_aliases[i].col;
    return -1;
}

/* ----------------------------------------------------------- encodings */

/* Bytes that are not UTF-8, and multi-byte UTF-8 sequences, in data. */
static void s_utf8_scan(const char *data, size_t len, size_t *invalid, size_t *multibyte, size_t *first_bad)
{
    *invalid = *multibyte = 0;
    *first_bad = len;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ent_utf8_next(data + i, len - i, &cp);
        if (n == 0) {
            if (!*invalid)
                *first_bad = i;
            (*invalid)++;
            i++;
            continue;
        }
        *multibyte += n > 1;
        i += n;
    }
}

static size_t s_line_of(const char *data, size_t at)
{
    size_t line = 1;
    for (size_t i = 0; i < at; i++)
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= at || data[i + 1] != '\n')))
            line++;
    return line;
}

/* The text of data as UTF-8: data itself (*out NULL) when it is UTF-8 —
 * or mixes UTF-8 with other bytes: converting would garble its UTF-8, so
 * its bad fields are reported instead — else a malloc'd conversion from
 * Windows-1252, the encoding of Excel's French "CSV" and of most HRIS
 * exports that are not UTF-8 (Latin-1 is the same for letters).
 * Returns 0; -1 with err filled (a byte that is not a character of
 * Windows-1252 either, or no iconv for it); -2 when out of memory. */
static int s_decode(const char *data, size_t len, char **out, size_t *out_len, const char **encoding, char *err,
                    size_t errsize)
{
    *out = NULL;
    *out_len = 0;
    *encoding = "utf-8";
    size_t invalid, multibyte, first_bad;
    s_utf8_scan(data, len, &invalid, &multibyte, &first_bad);
    if (!invalid || multibyte)
        return 0;
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
    if (cd == (iconv_t) -1) {
        snprintf(err, errsize, "not UTF-8 (byte 0x%02x on line %zu), and this system cannot read Windows-1252 "
                 "(iconv: %s): save the file as CSV UTF-8", (unsigned char) data[first_bad], s_line_of(data, first_bad),
                 strerror(errno));
        return -1;
    }
    size_t cap = len * 3 + 1; /* at most 3 bytes of UTF-8 per byte of Windows-1252 */
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return -2;
    }
    char *in = (char *) data, *o = buf;
    size_t in_left = len, o_left = cap - 1;
    int rc = 0;
    if (iconv(cd, &in, &in_left, &o, &o_left) == (size_t) -1) {
        /* 0x81, 0x8d, 0x8f, 0x90 and 0x9d are no characters of Windows-1252 */
        size_t at = (size_t) (in - data);
        snprintf(err, errsize,
                 "neither UTF-8 nor Windows-1252: byte 0x%02x on line %zu is a character of neither; save the file "
                 "as CSV UTF-8",
                 at < len ? (unsigned char) data[at] : 0, s_line_of(data, at));
        free(buf);
        rc = -1;
    } else {
        *o = '\0';
        *out = buf;
        *out_len = (size_t) (o - buf);
        *encoding = "windows-1252";
    }
    iconv_close(cd);
    return rc;
}

/* ------------------------------------------------------------------ map */

typedef struct {
    char *norm;     /* the header, s_norm'ed */
    int col;        /* our column, or -1: ignored */
    size_t line;    /* in the map file */
} s_map_entry_t;

struct csv_emp_map {
    s_map_entry_t *e;
    size_t n;
};

void csv_emp_map_free(csv_emp_map_t **map)
{
    if (!map || !*map)
        return;
    for (size_t i = 0; i < (*map)->n; i++)
        free((*map)->e[i].norm);
    free((*map)->e);
    free(*map);
    *map = NULL;
}

static void s_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

int csv_emp_map_parse(const char *text, size_t len, csv_emp_map_t **out, char *err, size_t errsize)
{
    *out = NULL;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        text += 3, len -= 3;
    char *conv = NULL;
    size_t conv_len;
    const char *encoding;
    int rc = s_decode(text, len, &conv, &conv_len, &encoding, err, errsize);
    if (rc)
        return rc;
    if (conv)
        text = conv, len = conv_len;
    csv_emp_map_t *m = calloc(1, sizeof *m);
    if (!m) {
        free(conv);
        return -2;
    }
    size_t line = 0;
    for (size_t i = 0; i < len && !rc;) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        line++;
        const char *l = text + i;
        size_t n = j - i;
        i = j + 1;
        s_trim(&l, &n);
        if (n == 0 || l[0] == '#')
            continue;
        /* the last '=': our column names hold none, a header might */
        const char *eq = NULL;
        for (size_t k = 0; k < n; k++)
            if (l[k] == '=')
                eq = l + k;
        if (!eq) {
            snprintf(err, errsize, "line %zu: no '=': write HEADER = COLUMN (or HEADER = - to ignore it)", line);
            rc = -1;
            break;
        }
        const char *h = l, *c = eq + 1;
        size_t hn = (size_t) (eq - l), cn = n - hn - 1;
        s_trim(&h, &hn);
        s_trim(&c, &cn);
        char hbuf[512], cbuf[64], norm[NORM_MAX];
        snprintf(hbuf, sizeof hbuf, "%.*s", (int) (hn < sizeof hbuf ? hn : sizeof hbuf - 1), h);
        snprintf(cbuf, sizeof cbuf, "%.*s", (int) (cn < sizeof cbuf ? cn : sizeof cbuf - 1), c);
        s_norm(hbuf, norm, sizeof norm);
        if (!*norm) {
            snprintf(err, errsize, "line %zu: no header before '='", line);
            rc = -1;
            break;
        }
        int col = -2;
        if (strcmp(cbuf, "-") == 0)
            col = -1;
        for (int k = 0; k < C_COUNT && col == -2; k++)
            if (strcasecmp(cbuf, s_cols[k].name) == 0)
                col = k;
        if (col == -2) {
            char *clean = ent_utf8_sanitize(cbuf, strlen(cbuf), true);
            snprintf(err, errsize,
                     "line %zu: '%s' is not a column: employee_id, first_name, last_name, email, entity, department, "
                     "site, region, manager_id, hire_date, birth_date, category, contract, contract_end, "
                     "trial_months, locale, forfait_jours, or - to ignore the header",
                     line, clean ? clean : "?");
            free(clean);
            rc = -1;
            break;
        }
        for (size_t k = 0; k < m->n; k++)
            if (strcmp(m->e[k].norm, norm) == 0) {
                snprintf(err, errsize, "line %zu: this header is mapped on line %zu already", line, m->e[k].line);
                rc = -1;
            }
        if (rc)
            break;
        s_map_entry_t *e = realloc(m->e, (m->n + 1) * sizeof *e);
        if (!e || !(e[m->n].norm = strdup(norm))) {
            if (e)
                m->e = e;
            rc = -2;
            break;
        }
        m->e = e;
        m->e[m->n].col = col;
        m->e[m->n++].line = line;
    }
    free(conv);
    if (rc) {
        csv_emp_map_free(&m);
        return rc;
    }
    *out = m;
    return 0;
}

/* --------------------------------------------------------------- state */

typedef struct {
    char *id;
    size_t line;
} s_seen_t;

typedef struct {
    struct csv_parser p;
    unsigned char opts;
    csv_emp_report_t *rep;
    const csv_emp_options_t *opt;
    csv_emp_row_fn fn;
    void *ctx;
    size_t line;      /* physical line being fed */
    size_t row_line;  /* line where the current row starts */
    /* the header: field i of a row is column col_of[i] (-1: none) */
    bool header_done;
    int *col_of;
    size_t ncols;
    const char *header_of[C_COUNT]; /* the file's header of each column (in rep->columns) */
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
    char *clean = employee_id ? ent_utf8_sanitize(employee_id, strlen(employee_id), true) : NULL;
    snprintf(e->employee_id, sizeof e->employee_id, "%s", clean ? clean : "");
    free(clean);
    snprintf(e->field, sizeof e->field, "%s", field);
    /* the header as the user wrote it, so that a mapped column is found */
    for (int c = 0; c < C_COUNT; c++)
        if (strcmp(field, s_cols[c].name) == 0 && ps->header_of[c])
            snprintf(e->column, sizeof e->column, "%s", ps->header_of[c]);
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
    char *clean = ent_utf8_sanitize(v, cut ? 40 : n, true);
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
    if (memchr(v, '\0', len) || !ent_utf8_valid(v)) {
        ROW_ERROR(row, col, "not valid UTF-8: the file mixes UTF-8 and another encoding (save it as CSV UTF-8)");
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

/* A French or English word for a value, as s_norm makes it, and the value
 * it means; value NULL: refused, with why. */
typedef struct {
    const char *word;
    const char *value;
    const char *why;
} s_word_t;

/* The value v means: an entry of words whose word is v's normal form, or
 * whose word followed by a space starts it when prefix is set (for "CDI
 * temps partiel", "Cadre dirigeant").  Reports an unknown or refused value
 * and returns NULL.  Entries are tried in order: refusals go first. */
static const char *s_word(s_row_t *row, const char *col, const char *v, const s_word_t *words, bool prefix,
                          const char *what, const char *known)
{
    char norm[NORM_MAX], q[160];
    s_norm(v, norm, sizeof norm);
    const s_word_t *hit = NULL;
    for (const s_word_t *w = words; w->word && !hit; w++)
        if (strcmp(norm, w->word) == 0)
            hit = w;
    for (const s_word_t *w = words; prefix && w->word && !hit; w++) {
        size_t n = strlen(w->word);
        if (strncmp(norm, w->word, n) == 0 && norm[n] == ' ')
            hit = w;
    }
    if (hit && hit->value)
        return hit->value;
    if (hit)
        ROW_ERROR(row, col, "'%s': %s", s_q(v, q, sizeof q), hit->why);
    else
        ROW_ERROR(row, col, "unknown %s '%s' (%s)", what, s_q(v, q, sizeof q), known);
    return NULL;
}

#define INTERIM_WHY                                                                                \
    "a temp worker (intérim) is employed by the temping agency, not by the organisation: the agency owes their "  \
    "interviews; leave the row out"
#define STAGE_WHY                                                                                  \
    "an internship (stage) is not a contract of employment (C. éduc. L124-1): interns are owed no professional "   \
    "interview; leave the row out"
#define CONTRACTOR_WHY "a contractor is not an employee of the organisation; leave the row out"
#define ALTERNANCE_WHY                                                                             \
    "alternance is either an apprenticeship (Apprentissage) or a professionalisation contract (Contrat de "        \
    "professionnalisation): say which"

/* Contracts: ours, and what French exports write.  A professionalisation
 * contract is a fixed-term one (one signed as a CDI is written CDI). */
static const s_word_t s_contract_words[] = {
    { "interim", NULL, INTERIM_WHY },
    { "interimaire", NULL, INTERIM_WHY },
    { "cdi interimaire", NULL, INTERIM_WHY },
    { "contrat de mission", NULL, INTERIM_WHY },
    { "mission d interim", NULL, INTERIM_WHY },
    { "travail temporaire", NULL, INTERIM_WHY },
    { "contrat de travail temporaire", NULL, INTERIM_WHY },
    { "ctt", NULL, INTERIM_WHY },
    { "stage", NULL, STAGE_WHY },
    { "stagiaire", NULL, STAGE_WHY },
    { "convention de stage", NULL, STAGE_WHY },
    { "prestataire", NULL, CONTRACTOR_WHY },
    { "freelance", NULL, CONTRACTOR_WHY },
    { "independant", NULL, CONTRACTOR_WHY },
    { "auto entrepreneur", NULL, CONTRACTOR_WHY },
    { "alternance", NULL, ALTERNANCE_WHY },
    { "alternant", NULL, ALTERNANCE_WHY },
    { "contrat en alternance", NULL, ALTERNANCE_WHY },
    { "permanent", "permanent", NULL },
    { "cdi", "permanent", NULL },
    { "contrat a duree indeterminee", "permanent", NULL },
    { "duree indeterminee", "permanent", NULL },
    { "fixed term", "fixed_term", NULL },
    { "cdd", "fixed_term", NULL },
    { "contrat a duree determinee", "fixed_term", NULL },
    { "duree determinee", "fixed_term", NULL },
    { "contrat de professionnalisation", "fixed_term", NULL },
    { "professionnalisation", "fixed_term", NULL },
    { "contrat pro", "fixed_term", NULL },
    { "saisonnier", "fixed_term", NULL },
    { "contrat saisonnier", "fixed_term", NULL },
    { "apprentice", "apprentice", NULL },
    { "apprentissage", "apprentice", NULL },
    { "contrat d apprentissage", "apprentice", NULL },
    { "apprenti", "apprentice", NULL },
    { "apprentie", "apprentice", NULL },
    { NULL, NULL, NULL },
};

/* Categories: ours, and the French words for the three of the Code du
 * travail's trial periods (L1221-19).  "Non-cadre" and "ETAM" (employés,
 * techniciens, agents de maîtrise) are read as ouvrier_employe, the
 * category with the shortest trial period: a row that means a technician
 * or a supervisor says so. */
static const s_word_t s_category_words[] = {
    { "cadre", "cadre", NULL },
    { "cadres", "cadre", NULL },
    { "ingenieur et cadre", "cadre", NULL },
    { "ingenieurs et cadres", "cadre", NULL },
    { "ic", "cadre", NULL },
    { "maitrise technicien", "maitrise_technicien", NULL },
    { "agent de maitrise", "maitrise_technicien", NULL },
    { "agents de maitrise", "maitrise_technicien", NULL },
    { "am", "maitrise_technicien", NULL },
    { "maitrise", "maitrise_technicien", NULL },
    { "technicien", "maitrise_technicien", NULL },
    { "technicienne", "maitrise_technicien", NULL },
    { "techniciens", "maitrise_technicien", NULL },
    { "tam", "maitrise_technicien", NULL },
    { "technicien agent de maitrise", "maitrise_technicien", NULL },
    { "techniciens et agents de maitrise", "maitrise_technicien", NULL },
    { "agent de maitrise technicien", "maitrise_technicien", NULL },
    { "ouvrier employe", "ouvrier_employe", NULL },
    { "employe ouvrier", "ouvrier_employe", NULL },
    { "ouvrier", "ouvrier_employe", NULL },
    { "ouvriere", "ouvrier_employe", NULL },
    { "ouvriers", "ouvrier_employe", NULL },
    { "employe", "ouvrier_employe", NULL },
    { "employee", "ouvrier_employe", NULL },
    { "employes", "ouvrier_employe", NULL },
    { "non cadre", "ouvrier_employe", NULL },
    { "non cadres", "ouvrier_employe", NULL },
    { "etam", "ouvrier_employe", NULL },
    { NULL, NULL, NULL },
};

static const s_word_t s_region_words[] = {
    { "metropole", "metropole", NULL },
    { "france metropolitaine", "metropole", NULL },
    { "alsace moselle", "alsace_moselle", NULL },
    { "guadeloupe", "guadeloupe", NULL },
    { "martinique", "martinique", NULL },
    { "guyane", "guyane", NULL },
    { "reunion", "reunion", NULL },
    { "la reunion", "reunion", NULL },
    { "mayotte", "mayotte", NULL },
    { NULL, NULL, NULL },
};

/* "fr", "fr-FR", "fr_BE", "Français", "English"... */
static const s_word_t s_locale_words[] = {
    { "fr", "fr", NULL },      { "francais", "fr", NULL }, { "french", "fr", NULL },
    { "en", "en", NULL },      { "anglais", "en", NULL },  { "english", "en", NULL },
    { NULL, NULL, NULL },
};

/* A date as HR exports write it: dd/mm/yyyy (day and month of one or two
 * digits, '/', '.' or '-' between them, the French order), or yyyy-mm-dd;
 * a time of midnight after it is tolerated (spreadsheets add " 00:00:00").
 * Two-digit years are refused: 05/01/45 could be 1945 or 2045.  Checks
 * 1900-2200 (the scheduler's range).  Returns false after reporting. */
static bool s_date_ok(s_row_t *row, const char *col, const char *v, int32_t *out)
{
    char q[160], d[32];
    size_t n = strlen(v);
    /* a midnight time: " 00:00", " 00:00:00", "T00:00:00" */
    static const char *const midnight[] = { " 00:00:00", "T00:00:00", " 00:00", "T00:00", NULL };
    for (size_t i = 0; midnight[i]; i++) {
        size_t m = strlen(midnight[i]);
        if (n > m && strcmp(v + n - m, midnight[i]) == 0) {
            n -= m;
            break;
        }
    }
    snprintf(d, sizeof d, "%.*s", (int) (n < sizeof d ? n : sizeof d - 1), v);
    int parts[3] = { 0 }, digits[3] = { 0 }, k = 0;
    char sep = 0;
    bool shape = n > 0 && n < sizeof d;
    for (size_t i = 0; shape && d[i]; i++) {
        if (d[i] >= '0' && d[i] <= '9') {
            shape = digits[k] < 4;
            parts[k] = parts[k] * 10 + (d[i] - '0');
            digits[k]++;
        } else if (strchr("/.-", d[i]) && k < 2 && digits[k] && (!sep || d[i] == sep)) {
            sep = d[i];
            k++;
        } else {
            shape = false;
        }
    }
    shape = shape && k == 2 && digits[2];
    int y, m, dd;
    if (shape && digits[0] == 4 && sep == '-' && digits[1] == 2 && digits[2] == 2)
        y = parts[0], m = parts[1], dd = parts[2];
    else if (shape && digits[0] <= 2 && digits[1] <= 2 && digits[2] == 4)
        dd = parts[0], m = parts[1], y = parts[2];
    else if (shape && digits[0] <= 2 && digits[1] <= 2 && digits[2] == 2) {
        ROW_ERROR(row, col, "'%s' has a two-digit year: write it in full (dd/mm/yyyy), %02d could be 19%02d or 20%02d",
                  s_q(v, q, sizeof q), parts[2], parts[2], parts[2]);
        return false;
    } else {
        bool serial = n == 5;
        for (size_t i = 0; serial && i < n; i++)
            serial = v[i] >= '0' && v[i] <= '9';
        if (serial)
            ROW_ERROR(row, col, "'%s' is a spreadsheet's day number, not a date: format the column as a date "
                                "(dd/mm/yyyy) before saving", s_q(v, q, sizeof q));
        else
            ROW_ERROR(row, col, "'%s' is not a date (dd/mm/yyyy or yyyy-mm-dd)", s_q(v, q, sizeof q));
        return false;
    }
    if (!ent_date_valid(y, m, dd)) {
        ROW_ERROR(row, col, "'%s' is not a date (dd/mm/yyyy or yyyy-mm-dd): no such day", s_q(v, q, sizeof q));
        return false;
    }
    if (y < 1900 || y > 2200) {
        ROW_ERROR(row, col, "'%s' is not between 1900 and 2200", s_q(v, q, sizeof q));
        return false;
    }
    *out = ent_date_from_ymd(y, m, dd);
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

/* One of the policy's entities, when the caller could read them: the
 * scheduler refuses the others, and a file refused here sends nothing. */
static void s_entity_known(s_row_t *row, const csv_emp_options_t *opt, const char *v)
{
    if (!opt || !opt->entities || opt->n_entities == 0)
        return;
    const char *near = NULL;
    for (size_t i = 0; i < opt->n_entities; i++) {
        if (strcmp(v, opt->entities[i]) == 0)
            return;
        if (strcasecmp(v, opt->entities[i]) == 0)
            near = opt->entities[i];
    }
    char q[160], list[256] = "";
    size_t o = 0;
    for (size_t i = 0; i < opt->n_entities && o < sizeof list; i++)
        o += (size_t) snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", opt->entities[i]);
    if (near)
        ROW_ERROR(row, "entity", "unknown entity '%s': ids are exact, did you mean %s?", s_q(v, q, sizeof q), near);
    else
        ROW_ERROR(row, "entity", "unknown entity '%s': the scheduler's policy declares %s", s_q(v, q, sizeof q), list);
}

/* Months of a trial period: "4", "4 mois", "4 months". */
static bool s_trial_ok(s_row_t *row, const char *v, unsigned *out)
{
    char norm[NORM_MAX], q[160];
    s_norm(v, norm, sizeof norm);
    size_t n = 0;
    while (norm[n] >= '0' && norm[n] <= '9')
        n++;
    const char *unit = norm[n] == ' ' ? norm + n + 1 : norm + n;
    bool months = !*unit || strcmp(unit, "mois") == 0 || strcmp(unit, "month") == 0 || strcmp(unit, "months") == 0;
    unsigned t = n > 0 && n <= 3 ? (unsigned) atoi(norm) : TRIAL_MAX + 1;
    if (n > 0 && !months && (strncmp(unit, "jour", 4) == 0 || strncmp(unit, "semaine", 7) == 0 ||
                             strncmp(unit, "day", 3) == 0 || strncmp(unit, "week", 4) == 0)) {
        ROW_ERROR(row, "trial_months", "'%s': give the trial period in months", s_q(v, q, sizeof q));
        return false;
    }
    if (n == 0 || !months || t > TRIAL_MAX) {
        ROW_ERROR(row, "trial_months", "'%s' is not a number of months from 0 to %d", s_q(v, q, sizeof q), TRIAL_MAX);
        return false;
    }
    *out = t;
    return true;
}

/* Checks the current row and hands its event to fn. */
static void s_row_process(s_parser_t *ps)
{
    csv_emp_report_t *rep = ps->rep;
    const csv_emp_options_t *opt = ps->opt;
    const char *v[C_COUNT] = { 0 };
    size_t vl[C_COUNT] = { 0 };
    bool empty = true;
    for (size_t i = 0; i < ps->nf; i++)
        if (ps->flen[i])
            empty = false;
    if (empty)
        return; /* a blank line with spaces, or ",,,," left by a spreadsheet */
    rep->rows++;
    if (rep->header_bad)
        return; /* counted, not read: nobody knows what its fields are */
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
    char hired_s[ENT_DATE_STRLEN] = "", birth_s[ENT_DATE_STRLEN] = "", end_s[ENT_DATE_STRLEN] = "";

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
        else if (s_id_ok(&row, "entity", v[C_ENTITY]))
            s_entity_known(&row, opt, v[C_ENTITY]);
    }
    const char *region = NULL, *category = NULL, *contract = NULL;
    if (text[C_REGION] && *v[C_REGION])
        region = s_word(&row, "region", v[C_REGION], s_region_words, false, "region",
                        "metropole, alsace_moselle, guadeloupe, martinique, guyane, reunion, mayotte");
    if (text[C_MANAGER_ID] && *v[C_MANAGER_ID] && s_id_ok(&row, "manager_id", v[C_MANAGER_ID]) &&
        strcmp(v[C_MANAGER_ID], v[C_EMPLOYEE_ID]) == 0)
        ROW_ERROR(&row, "manager_id", "an employee cannot be their own manager");
    if (text[C_HIRE_DATE]) {
        if (!*v[C_HIRE_DATE]) {
            ROW_ERROR(&row, "hire_date", "required (dd/mm/yyyy or yyyy-mm-dd)");
        } else if (!s_date_ok(&row, "hire_date", v[C_HIRE_DATE], &hired)) {
            hired = ENT_DATE_NONE;
        } else {
            ent_date_format(hired, hired_s);
            char t[ENT_DATE_STRLEN];
            int y, m, d;
            ent_date_to_ymd(hired, &y, &m, &d);
            if (y < CSV_EMP_HIRE_MIN_YEAR) {
                ROW_ERROR(&row, "hire_date", "%s is before %d-01-01: not a plausible hire date (a mistyped year?)",
                          hired_s, CSV_EMP_HIRE_MIN_YEAR);
                hired = ENT_DATE_NONE;
            } else if (opt && opt->today != ENT_DATE_NONE &&
                       hired > ent_date_add_years(opt->today, CSV_EMP_FUTURE_YEARS)) {
                ROW_ERROR(&row, "hire_date",
                          "%s is more than %d years after the scheduler's today (%s): not a plausible hire date "
                          "(a mistyped year?)",
                          hired_s, CSV_EMP_FUTURE_YEARS, ent_date_format(opt->today, t));
                hired = ENT_DATE_NONE;
            }
        }
    }
    if (text[C_BIRTH_DATE] && *v[C_BIRTH_DATE] && s_date_ok(&row, "birth_date", v[C_BIRTH_DATE], &birth)) {
        ent_date_format(birth, birth_s);
        if (hired != ENT_DATE_NONE && ent_date_years_between(birth, hired) < CSV_EMP_MIN_AGE)
            ROW_ERROR(&row, "birth_date", "born %s: %d years old on the hire date %s (at least %d)", birth_s,
                      ent_date_years_between(birth, hired), hired_s, CSV_EMP_MIN_AGE);
    } else {
        birth = ENT_DATE_NONE;
    }
    if (text[C_CATEGORY]) {
        if (!*v[C_CATEGORY])
            ROW_ERROR(&row, "category", "required (ouvrier_employe, maitrise_technicien, cadre)");
        else
            category = s_word(&row, "category", v[C_CATEGORY], s_category_words, true, "category",
                              "ouvrier_employe, maitrise_technicien, cadre; Ouvrier, Employé, Non-cadre, ETAM, "
                              "Technicien, Agent de maîtrise, Cadre");
    }
    if (text[C_CONTRACT]) {
        if (!*v[C_CONTRACT])
            ROW_ERROR(&row, "contract", "required (permanent, fixed_term, apprentice)");
        else
            /* "CDI temps partiel", "CDD de remplacement": the first words
             * say the contract (refusals are matched first: "CDI
             * intérimaire" is intérim) */
            contract = s_word(&row, "contract", v[C_CONTRACT], s_contract_words, true, "contract",
                              "permanent, fixed_term, apprentice; CDI, CDD, Apprentissage, Contrat de "
                              "professionnalisation");
    }
    if (text[C_CONTRACT_END]) {
        bool fixed = contract && strcmp(contract, "permanent") != 0;
        if (*v[C_CONTRACT_END]) {
            if (!s_date_ok(&row, "contract_end", v[C_CONTRACT_END], &end)) {
                end = ENT_DATE_NONE;
            } else {
                ent_date_format(end, end_s);
                if (contract && !fixed)
                    ROW_ERROR(&row, "contract_end", "a permanent contract has no end date (leave it empty)");
                else if (hired != ENT_DATE_NONE && end < hired)
                    ROW_ERROR(&row, "contract_end", "the contract ends (%s) before the hire (%s)", end_s, hired_s);
                else if (hired != ENT_DATE_NONE && end > ent_date_add_years(hired, CSV_EMP_CONTRACT_MAX_YEARS))
                    ROW_ERROR(&row, "contract_end",
                              "the contract ends (%s) more than %d years after the hire (%s): no fixed-term or "
                              "apprentice contract lasts that long (a mistyped year?)",
                              end_s, CSV_EMP_CONTRACT_MAX_YEARS, hired_s);
            }
        } else if (fixed) {
            ROW_ERROR(&row, "contract_end", "a %s contract needs its end date", contract);
        }
    }
    unsigned trial = 0;
    if (text[C_TRIAL_MONTHS] && *v[C_TRIAL_MONTHS])
        s_trial_ok(&row, v[C_TRIAL_MONTHS], &trial);
    const char *locale = NULL;
    if (text[C_LOCALE] && *v[C_LOCALE])
        locale = s_word(&row, "locale", v[C_LOCALE], s_locale_words, true, "locale", "fr, en, français, anglais");
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

    char event_id[ID_MAX + 32];
    snprintf(event_id, sizeof event_id, "%s:hired:%s", v[C_EMPLOYEE_ID], hired_s);
    ev.event_id = event_id;
    ev.source = CSV_EMP_SOURCE;
    ev.type = "hired";
    ev.employee_id = (char *) v[C_EMPLOYEE_ID];
    ent_pbdate_set(hired, &hired_d);
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
        ent_pbdate_set(birth, &birth_d);
        ev.birth_date = &birth_d;
    }
    if (end != ENT_DATE_NONE) {
        ent_pbdate_set(end, &end_d);
        ev.contract_end = &end_d;
    }
    ev.trial_months = trial;
    if (has_forfait)
        ev.forfait_jours = &forfait;
    int rc = ps->fn(ps->ctx, row.line, &ev);
    if (rc)
        ps->stop = rc;
}

/* Reads the header row: every header names a column (through the map, our
 * names or the aliases), none twice, the required ones present. */
static void s_header_process(s_parser_t *ps)
{
    csv_emp_report_t *rep = ps->rep;
    ps->header_done = true;
    ps->ncols = ps->nf;
    ps->col_of = malloc((ps->nf ? ps->nf : 1) * sizeof *ps->col_of);
    rep->columns = calloc(ps->nf ? ps->nf : 1, sizeof *rep->columns);
    if (!ps->col_of || !rep->columns) {
        ps->stop = -1;
        return;
    }
    rep->ncolumns = ps->nf;
    size_t pos[C_COUNT];
    for (int c = 0; c < C_COUNT; c++)
        pos[c] = SIZE_MAX;
    const csv_emp_map_t *map = ps->opt ? ps->opt->map : NULL;
    char q[160], norm[NORM_MAX];
    for (size_t i = 0; i < ps->nf; i++) {
        const char *name = ps->buf + ps->off[i];
        csv_emp_column_t *col = &rep->columns[i];
        if (!(col->header = ent_utf8_sanitize(name, ps->flen[i], true))) {
            ps->stop = -1;
            return;
        }
        s_norm(name, norm, sizeof norm);
        /* the map first: it may also rename a header we know */
        int c = -2; /* -2 unknown, -1 ignored by the map */
        for (size_t k = 0; map && k < map->n && c == -2; k++)
            if (strcmp(norm, map->e[k].norm) == 0)
                c = map->e[k].col;
        if (c == -2 && *norm && s_column_named(norm) >= 0)
            c = s_column_named(norm);
        ps->col_of[i] = c >= 0 ? c : -1;
        col->column = c >= 0 ? s_cols[c].name : c == -1 ? "-" : NULL;
        if (c == -2) {
            if (*norm)
                s_error(ps, ps->row_line, NULL, "header",
                        "unknown column '%s' (field %zu): neither one of ours nor a known French header; name it in a "
                        "map (--map: '%s = COLUMN', or '%s = -' to ignore it)",
                        s_q(col->header, q, sizeof q), i + 1, col->header, col->header);
            else
                s_error(ps, ps->row_line, NULL, "header",
                        "field %zu of the header is empty: every column needs a name (or a map entry)", i + 1);
            rep->header_bad = true;
        } else if (c >= 0 && pos[c] != SIZE_MAX) {
            s_error(ps, ps->row_line, NULL, "header", "column '%s' appears twice: '%s' (field %zu) and '%s' (field %zu)",
                    s_cols[c].name, rep->columns[pos[c]].header, pos[c] + 1, col->header, i + 1);
            rep->header_bad = true;
        } else if (c >= 0) {
            pos[c] = i;
            ps->header_of[c] = col->header;
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
        rep->header_bad = true;
    }
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
        else
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

bool csv_emp_refused(const csv_emp_report_t *report)
{
    return report->bad || report->header_bad || report->file_bad;
}

const char *csv_emp_header_of(const csv_emp_report_t *report, const char *column)
{
    for (size_t i = 0; column && i < report->ncolumns; i++)
        if (report->columns[i].column && strcmp(report->columns[i].column, column) == 0)
            return report->columns[i].header;
    return NULL;
}

int csv_emp_parse(const char *data, size_t len, const csv_emp_options_t *opt, csv_emp_row_fn fn, void *ctx,
                  csv_emp_report_t *report)
{
    memset(report, 0, sizeof *report);
    report->encoding = "utf-8";
    s_parser_t ps = {
        .rep = report, .opt = opt, .fn = fn, .ctx = ctx, .opts = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL
    };
    int rc = 0;
    char *conv = NULL;
    if (len >= 2 && (memcmp(data, "\xff\xfe", 2) == 0 || memcmp(data, "\xfe\xff", 2) == 0)) {
        s_error(&ps, 1, NULL, "file", "the file is UTF-16: save it as CSV UTF-8");
        report->file_bad = true;
        goto done;
    }
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3, len -= 3; /* the byte-order mark spreadsheets write: UTF-8, said so */
    } else {
        char why[256];
        size_t conv_len;
        int d = s_decode(data, len, &conv, &conv_len, &report->encoding, why, sizeof why);
        if (d == -2) {
            rc = -1;
            goto done;
        }
        if (d) {
            s_error(&ps, 1, NULL, "file", "%s", why);
            report->file_bad = true;
            goto done;
        }
        if (conv)
            data = conv, len = conv_len;
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
            s_error(&ps, ps.row_line, NULL, ps.header_done ? "row" : "header",
                    "bad quoting%s: a field holding quotes must be quoted and its quotes doubled (\"\")",
                    ps.line != ps.row_line ? " (the row continues on later lines)" : "");
            if (ps.header_done)
                report->rows++, report->bad++;
            else
                ps.header_done = report->header_bad = true;
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
            report->rows++, report->bad++;
        else
            ps.header_done = report->header_bad = true;
    }
    csv_free(&ps.p);
    if (!rc && !ps.stop && !ps.header_done) {
        s_error(&ps, 1, NULL, "file", "the file is empty: a header row naming the columns is required");
        report->file_bad = true;
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
    free(conv);
    return rc;
}

void csv_emp_report_clear(csv_emp_report_t *report)
{
    if (!report)
        return;
    free(report->errors);
    for (size_t i = 0; i < report->ncolumns; i++)
        free(report->columns[i].header);
    free(report->columns);
    memset(report, 0, sizeof *report);
}
