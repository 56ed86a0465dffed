/*  metrics.c — Prometheus metrics registry.  See metrics.h for contracts. */
#include "common/metrics.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef enum {
    S_COUNTER = 1,
    S_GAUGE,
    S_HISTOGRAM
} s_kind_t;

/* Common head of every child.  The kind-specific structs below start with
 * it, so the family can keep one list of heads and convert a head pointer
 * back to its containing struct (C11 6.7.2.1p15). */
typedef struct s_child {
    struct s_child *next;
    char *values[ENT_METRICS_MAX_LABELS];
    /* Counters and gauges: when set, the rendered value is fn(arg).  The
     * public API only binds gauges; the built-in CPU counter uses it too. */
    ent_metrics_gauge_fn fn;
    void *arg;
} s_child_t;

struct ent_metrics_counter {
    s_child_t head;
    double value;
};

struct ent_metrics_gauge {
    s_child_t head;
    double value;
};

struct ent_metrics_histogram {
    s_child_t head;
    const double *bounds;   /* the family's, kept here so observe needs no hop */
    size_t nbounds;
    double sum;
    uint64_t count;
    uint64_t buckets[];     /* nbounds + 1 entries, NOT cumulative: cumulated at render */
};

struct ent_metrics_family {
    struct ent_metrics_family *next;
    s_kind_t kind;
    bool builtin;           /* rendered after the user families */
    char *name;
    char *help;
    size_t nlabels;
    char *labels[ENT_METRICS_MAX_LABELS];
    double *bounds;
    size_t nbounds;
    s_child_t *children;
    s_child_t **children_tail;
};

struct ent_metrics {
    ent_metrics_family_t *families;
    ent_metrics_family_t **families_tail;
    size_t render_hint;     /* last output size, so a scrape reallocs rarely */
    long page_size;
    long clk_tck;
};

/* ------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------ */

static bool
s_metric_name_valid(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && p != s))
            return false;
    }
    return true;
}

static bool
s_label_name_valid(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    if (s[0] == '_' && s[1] == '_')
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && p != s))
            return false;
    }
    return true;
}

/* Prometheus rejects a whole scrape on one invalid UTF-8 byte, so bad text
 * is refused when it enters the registry rather than at render time. */
static bool
s_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        size_t n;
        uint32_t cp;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xE0) == 0xC0) {
            n = 1;
            cp = *p & 0x1F;
        } else if ((*p & 0xF0) == 0xE0) {
            n = 2;
            cp = *p & 0x0F;
        } else if ((*p & 0xF8) == 0xF0) {
            n = 3;
            cp = *p & 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        p += n + 1;
    }
    return true;
}

static bool
s_has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* True when a1 followed by a2 spells the same string as b1 followed by b2;
 * compares series names without building them. */
static bool
s_cat_eq(const char *a1, const char *a2, const char *b1, const char *b2)
{
    for (;;) {
        if (*a1 == '\0' && a2 != NULL) {
            a1 = a2;
            a2 = NULL;
        }
        if (*b1 == '\0' && b2 != NULL) {
            b1 = b2;
            b2 = NULL;
        }
        if (*a1 != *b1)
            return false;
        if (*a1 == '\0')
            return true;
        a1++;
        b1++;
    }
}

/* True when registering `name` of `kind` would write a series name (or a
 * TYPE line) that family f already writes: a histogram "x" also owns
 * "x_bucket", "x_sum" and "x_count". */
static bool
s_clashes(const ent_metrics_family_t *f, const char *name, s_kind_t kind)
{
    static const char *const sfx[] = { "", "_bucket", "_sum", "_count" };
    size_t nf = f->kind == S_HISTOGRAM ? 4 : 1;
    size_t nn = kind == S_HISTOGRAM ? 4 : 1;

    for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < nn; j++)
            if (s_cat_eq(f->name, sfx[i], name, sfx[j]))
                return true;
    return false;
}

static bool
s_name_taken(const ent_metrics_t *m, const char *name, s_kind_t kind)
{
    for (const ent_metrics_family_t *f = m->families; f; f = f->next)
        if (s_clashes(f, name, kind))
            return true;
    return false;
}

/* ------------------------------------------------------------------------
 * Families and children
 * ------------------------------------------------------------------------ */

static void
s_child_free(s_child_t *c, size_t nlabels)
{
    for (size_t i = 0; i < nlabels; i++)
        free(c->values[i]);
    free(c);
}

static void
s_family_free(ent_metrics_family_t *f)
{
    if (f == NULL)
        return;
    s_child_t *c = f->children;
    while (c) {
        s_child_t *next = c->next;
        s_child_free(c, f->nlabels);
        c = next;
    }
    for (size_t i = 0; i < f->nlabels; i++)
        free(f->labels[i]);
    free(f->bounds);
    free(f->help);
    free(f->name);
    free(f);
}

static ent_metrics_family_t *
s_family_new(ent_metrics_t *m, s_kind_t kind, const char *name, const char *help,
             size_t nlabels, const char *const *labels, const double *bounds, size_t nbounds)
{
    ent_metrics_family_t *f = NULL;
    int err = EINVAL;

    if (m == NULL || name == NULL || help == NULL || *help == '\0' || !s_utf8_valid(help))
        goto fail;
    if (!s_metric_name_valid(name))
        goto fail;
    if (kind == S_COUNTER && !s_has_suffix(name, "_total"))
        goto fail;
    if (nlabels > ENT_METRICS_MAX_LABELS || (nlabels > 0 && labels == NULL))
        goto fail;
    for (size_t i = 0; i < nlabels; i++) {
        if (!s_label_name_valid(labels[i]))
            goto fail;
        if (kind == S_HISTOGRAM && strcmp(labels[i], "le") == 0)
            goto fail;
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                goto fail;
    }
    if (kind == S_HISTOGRAM) {
        if (nbounds > ENT_METRICS_MAX_BUCKETS || (nbounds > 0 && bounds == NULL))
            goto fail;
        for (size_t i = 0; i < nbounds; i++) {
            if (!isfinite(bounds[i]))
                goto fail;
            if (i > 0 && !(bounds[i] > bounds[i - 1]))
                goto fail;
        }
    }
    if (s_name_taken(m, name, kind)) {
        err = EEXIST;
        goto fail;
    }

    err = ENOMEM;
    f = calloc(1, sizeof *f);
    if (f == NULL)
        goto fail;
    f->kind = kind;
    f->children_tail = &f->children;
    f->name = strdup(name);
    f->help = strdup(help);
    if (f->name == NULL || f->help == NULL)
        goto fail;
    for (size_t i = 0; i < nlabels; i++) {
        f->labels[i] = strdup(labels[i]);
        if (f->labels[i] == NULL)
            goto fail;
        f->nlabels = i + 1;     /* so s_family_free frees exactly what exists */
    }
    if (kind == S_HISTOGRAM && nbounds > 0) {
        f->bounds = malloc(nbounds * sizeof *f->bounds);
        if (f->bounds == NULL)
            goto fail;
        memcpy(f->bounds, bounds, nbounds * sizeof *f->bounds);
    }
    f->nbounds = kind == S_HISTOGRAM ? nbounds : 0;

    *m->families_tail = f;
    m->families_tail = &f->next;
    return f;

fail:
    s_family_free(f);
    errno = err;
    return NULL;
}

static bool
s_values_match(const s_child_t *c, size_t n, const char *const *values)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c->values[i], values[i]) != 0)
            return false;
    return true;
}

static s_child_t *
s_child_get(ent_metrics_family_t *f, s_kind_t kind, const char *const *values)
{
    s_child_t *c = NULL;
    int err = EINVAL;

    if (f == NULL || f->kind != kind || (f->nlabels > 0 && values == NULL))
        goto fail;
    for (size_t i = 0; i < f->nlabels; i++)
        if (values[i] == NULL || !s_utf8_valid(values[i]))
            goto fail;

    for (s_child_t *it = f->children; it; it = it->next)
        if (s_values_match(it, f->nlabels, values))
            return it;

    err = ENOMEM;
    size_t size;
    switch (kind) {
    case S_COUNTER:
        size = sizeof(ent_metrics_counter_t);
        break;
    case S_GAUGE:
        size = sizeof(ent_metrics_gauge_t);
        break;
    default:
        size = sizeof(ent_metrics_histogram_t) + (f->nbounds + 1) * sizeof(uint64_t);
        break;
    }
    c = calloc(1, size);
    if (c == NULL)
        goto fail;
    for (size_t i = 0; i < f->nlabels; i++) {
        c->values[i] = strdup(values[i]);
        if (c->values[i] == NULL) {
            s_child_free(c, i);
            c = NULL;
            goto fail;
        }
    }
    if (kind == S_HISTOGRAM) {
        ent_metrics_histogram_t *h = (ent_metrics_histogram_t *) c;
        h->bounds = f->bounds;
        h->nbounds = f->nbounds;
    }
    *f->children_tail = c;
    f->children_tail = &c->next;
    return c;

fail:
    errno = err;
    return NULL;
}

ent_metrics_family_t *
ent_metrics_counter_family(ent_metrics_t *m, const char *name, const char *help,
                           size_t nlabels, const char *const *labels)
{
    return s_family_new(m, S_COUNTER, name, help, nlabels, labels, NULL, 0);
}

ent_metrics_family_t *
ent_metrics_gauge_family(ent_metrics_t *m, const char *name, const char *help,
                         size_t nlabels, const char *const *labels)
{
    return s_family_new(m, S_GAUGE, name, help, nlabels, labels, NULL, 0);
}

ent_metrics_family_t *
ent_metrics_histogram_family(ent_metrics_t *m, const char *name, const char *help,
                             size_t nlabels, const char *const *labels,
                             const double *bounds, size_t nbounds)
{
    return s_family_new(m, S_HISTOGRAM, name, help, nlabels, labels, bounds, nbounds);
}

ent_metrics_counter_t *
ent_metrics_counter_child(ent_metrics_family_t *f, const char *const *values)
{
    return (ent_metrics_counter_t *) s_child_get(f, S_COUNTER, values);
}

ent_metrics_gauge_t *
ent_metrics_gauge_child(ent_metrics_family_t *f, const char *const *values)
{
    return (ent_metrics_gauge_t *) s_child_get(f, S_GAUGE, values);
}

ent_metrics_histogram_t *
ent_metrics_histogram_child(ent_metrics_family_t *f, const char *const *values)
{
    return (ent_metrics_histogram_t *) s_child_get(f, S_HISTOGRAM, values);
}

ent_metrics_gauge_t *
ent_metrics_gauge_bind(ent_metrics_family_t *f, const char *const *values,
                       ent_metrics_gauge_fn fn, void *arg)
{
    ent_metrics_gauge_t *g = ent_metrics_gauge_child(f, values);
    if (g == NULL)
        return NULL;
    g->head.fn = fn;
    g->head.arg = fn ? arg : NULL;
    return g;
}

/* The shortcuts leave the family registered when the child allocation
 * fails: it then renders as HELP/TYPE with no sample, which is valid, and
 * the registry still frees it. */

ent_metrics_counter_t *
ent_metrics_counter(ent_metrics_t *m, const char *name, const char *help)
{
    ent_metrics_family_t *f = ent_metrics_counter_family(m, name, help, 0, NULL);
    return f ? ent_metrics_counter_child(f, NULL) : NULL;   /* keep the family's errno */
}

ent_metrics_gauge_t *
ent_metrics_gauge(ent_metrics_t *m, const char *name, const char *help)
{
    ent_metrics_family_t *f = ent_metrics_gauge_family(m, name, help, 0, NULL);
    return f ? ent_metrics_gauge_child(f, NULL) : NULL;
}

ent_metrics_gauge_t *
ent_metrics_gauge_callback(ent_metrics_t *m, const char *name, const char *help,
                           ent_metrics_gauge_fn fn, void *arg)
{
    if (fn == NULL) {
        errno = EINVAL;
        return NULL;
    }
    ent_metrics_family_t *f = ent_metrics_gauge_family(m, name, help, 0, NULL);
    return f ? ent_metrics_gauge_bind(f, NULL, fn, arg) : NULL;
}

ent_metrics_histogram_t *
ent_metrics_histogram(ent_metrics_t *m, const char *name, const char *help,
                      const double *bounds, size_t nbounds)
{
    ent_metrics_family_t *f = ent_metrics_histogram_family(m, name, help, 0, NULL, bounds,
                                                           nbounds);
    return f ? ent_metrics_histogram_child(f, NULL) : NULL;
}

/* ------------------------------------------------------------------------
 * Hot path
 * ------------------------------------------------------------------------ */

void
ent_metrics_counter_inc(ent_metrics_counter_t *c)
{
    if (c)
        c->value += 1.0;
}

void
ent_metrics_counter_add(ent_metrics_counter_t *c, double v)
{
    if (c && v >= 0.0)          /* false for NaN too */
        c->value += v;
}

double
ent_metrics_counter_value(const ent_metrics_counter_t *c)
{
    return c ? c->value : 0.0;
}

void
ent_metrics_gauge_set(ent_metrics_gauge_t *g, double v)
{
    if (g)
        g->value = v;
}

void
ent_metrics_gauge_add(ent_metrics_gauge_t *g, double v)
{
    if (g)
        g->value += v;
}

double
ent_metrics_gauge_value(const ent_metrics_gauge_t *g)
{
    return g ? g->value : 0.0;
}

void
ent_metrics_histogram_observe(ent_metrics_histogram_t *h, double v)
{
    if (h == NULL || isnan(v))
        return;
    size_t i = 0;
    while (i < h->nbounds && v > h->bounds[i])
        i++;
    h->buckets[i]++;
    h->count++;
    h->sum += v;
}

/* ------------------------------------------------------------------------
 * Built-in process metrics (Linux /proc)
 * ------------------------------------------------------------------------ */

/* Reads the fields after the command name of /proc/self/stat.  The command
 * name is in parentheses and may itself contain spaces or ')', so the
 * fields start after the LAST ')'.  Returns a pointer into buf just past
 * that ')', or NULL. */
static const char *
s_proc_stat_fields(char *buf, size_t size)
{
    FILE *fp = fopen("/proc/self/stat", "r");
    if (fp == NULL)
        return NULL;
    size_t n = fread(buf, 1, size - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p ? p + 1 : NULL;
}

/* Field number `field` (1-based as in proc(5)) of /proc/self/stat, which must
 * be 3 or more (after the command name). */
static bool
s_proc_stat_field(const char *fields, int field, unsigned long long *out)
{
    const char *p = fields;
    for (int i = 3; i <= field; i++) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return false;
        if (i == field) {
            char *end;
            errno = 0;
            *out = strtoull(p, &end, 10);
            return end != p && errno == 0;
        }
        while (*p && *p != ' ')
            p++;
    }
    return false;
}

static double
s_process_cpu_seconds(void *arg)
{
    const ent_metrics_t *m = arg;
    char buf[1024];
    unsigned long long utime, stime;
    const char *fields = s_proc_stat_fields(buf, sizeof buf);
    if (fields == NULL || m->clk_tck <= 0 || !s_proc_stat_field(fields, 14, &utime) ||
        !s_proc_stat_field(fields, 15, &stime))
        return NAN;
    return (double) (utime + stime) / (double) m->clk_tck;
}

static double
s_process_resident_bytes(void *arg)
{
    const ent_metrics_t *m = arg;
    unsigned long long size, resident;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (fp == NULL)
        return NAN;
    int n = fscanf(fp, "%llu %llu", &size, &resident);
    fclose(fp);
    if (n != 2 || m->page_size <= 0)
        return NAN;
    return (double) resident * (double) m->page_size;
}

static double
s_process_open_fds(void *arg)
{
    (void) arg;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return NAN;
    int self = dirfd(d);
    double n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        /* the directory stream's own descriptor is ours, not the process' */
        if (atoi(e->d_name) == self)
            continue;
        n++;
    }
    closedir(d);
    return n;
}

/* Process start in Unix seconds: boot time (/proc/stat btime) plus the
 * start tick of this process (/proc/self/stat field 22).  Falls back to
 * "now" — the registry is created at daemon start, so the error is small. */
static double
s_process_start_time(const ent_metrics_t *m)
{
    char buf[1024];
    unsigned long long start_ticks, btime = 0;
    bool have_btime = false;
    const char *fields = s_proc_stat_fields(buf, sizeof buf);

    FILE *fp = fopen("/proc/stat", "r");
    if (fp) {
        char line[256];
        while (fgets(line, sizeof line, fp))
            if (sscanf(line, "btime %llu", &btime) == 1) {
                have_btime = true;
                break;
            }
        fclose(fp);
    }
    if (fields && have_btime && m->clk_tck > 0 && s_proc_stat_field(fields, 22, &start_ticks))
        return (double) btime + (double) start_ticks / (double) m->clk_tck;

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
s_builtins_add(ent_metrics_t *m, const char *prefix, const char *version)
{
    char name[256];
    ent_metrics_family_t *f;
    ent_metrics_counter_t *cpu;
    ent_metrics_gauge_t *g;
    int n = snprintf(name, sizeof name, "%s_build_info", prefix);
    if (n < 0 || (size_t) n >= sizeof name)
        return EINVAL;

    /* Registered through the public path so that user names colliding with
     * them are refused as duplicates. */
    f = ent_metrics_gauge_family(m, name,
                                 "Build information of this daemon; the value is always 1.",
                                 1, (const char *const[]) { "version" });
    g = ent_metrics_gauge_child(f, (const char *const[]) { version });
    if (g == NULL)
        return errno;
    ent_metrics_gauge_set(g, 1.0);
    f->builtin = true;

    f = ent_metrics_counter_family(m, "process_cpu_seconds_total",
                                   "Total user and system CPU time spent in seconds.", 0, NULL);
    cpu = ent_metrics_counter_child(f, NULL);
    if (cpu == NULL)
        return errno;
    cpu->head.fn = s_process_cpu_seconds;
    cpu->head.arg = m;
    f->builtin = true;

    f = ent_metrics_gauge_family(m, "process_resident_memory_bytes",
                                 "Resident memory size in bytes.", 0, NULL);
    if (ent_metrics_gauge_bind(f, NULL, s_process_resident_bytes, m) == NULL)
        return errno;
    f->builtin = true;

    f = ent_metrics_gauge_family(m, "process_start_time_seconds",
                                 "Start time of the process since unix epoch in seconds.", 0,
                                 NULL);
    g = ent_metrics_gauge_child(f, NULL);
    if (g == NULL)
        return errno;
    ent_metrics_gauge_set(g, s_process_start_time(m));
    f->builtin = true;

    f = ent_metrics_gauge_family(m, "process_open_fds", "Number of open file descriptors.", 0,
                                 NULL);
    if (ent_metrics_gauge_bind(f, NULL, s_process_open_fds, m) == NULL)
        return errno;
    f->builtin = true;
    return 0;
}

/* ------------------------------------------------------------------------
 * Registry
 * ------------------------------------------------------------------------ */

ent_metrics_t *
ent_metrics_new(const char *prefix, const char *version)
{
    ent_metrics_t *m = NULL;
    int err = EINVAL;

    if (!s_metric_name_valid(prefix) || version == NULL || !s_utf8_valid(version))
        goto fail;
    err = ENOMEM;
    m = calloc(1, sizeof *m);
    if (m == NULL)
        goto fail;
    m->families_tail = &m->families;
    m->render_hint = 4096;
    m->page_size = sysconf(_SC_PAGESIZE);
    m->clk_tck = sysconf(_SC_CLK_TCK);
    err = s_builtins_add(m, prefix, version);
    if (err != 0)
        goto fail;
    return m;

fail:
    ent_metrics_destroy(&m);
    errno = err;
    return NULL;
}

void
ent_metrics_destroy(ent_metrics_t **p)
{
    if (p == NULL || *p == NULL)
        return;
    ent_metrics_t *m = *p;
    ent_metrics_family_t *f = m->families;
    while (f) {
        ent_metrics_family_t *next = f->next;
        s_family_free(f);
        f = next;
    }
    free(m);
    *p = NULL;
}

/* ------------------------------------------------------------------------
 * Rendering
 * ------------------------------------------------------------------------ */

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    bool oom;           /* sticky: checked once at the end */
} s_buf_t;

static void
s_buf_reserve(s_buf_t *b, size_t extra)
{
    if (b->oom)
        return;
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (data == NULL) {
        b->oom = true;
        return;
    }
    b->data = data;
    b->cap = cap;
}

static void
s_buf_put(s_buf_t *b, const char *s, size_t n)
{
    s_buf_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void
s_buf_str(s_buf_t *b, const char *s)
{
    s_buf_put(b, s, strlen(s));
}

/* Escapes `\` and newline, plus `"` when quote is true (label values). */
static void
s_buf_escaped(s_buf_t *b, const char *s, bool quote)
{
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *rep = NULL;
        if (*p == '\\')
            rep = "\\\\";
        else if (*p == '\n')
            rep = "\\n";
        else if (*p == '"' && quote)
            rep = "\\\"";
        else if (*p != '\0')
            continue;
        s_buf_put(b, run, (size_t) (p - run));
        if (rep == NULL)
            return;
        s_buf_str(b, rep);
        run = p + 1;
    }
}

/* Shortest text that reads back as v.  The printf family follows
 * LC_NUMERIC and a French locale would write "0,5", which Prometheus
 * rejects, so the locale's decimal point is replaced by '.'. */
static void
s_format_double(char out[40], double v)
{
    if (isnan(v)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v)
        snprintf(tmp, sizeof tmp, "%.17g", v);

    const char *dp = localeconv()->decimal_point;
    size_t dplen = (dp && *dp) ? strlen(dp) : 1;
    bool plain = dp == NULL || strcmp(dp, ".") == 0;
    size_t o = 0;
    for (size_t i = 0; tmp[i] && o < 39;) {
        if (!plain && strncmp(tmp + i, dp, dplen) == 0) {
            out[o++] = '.';
            i += dplen;
        } else {
            out[o++] = tmp[i++];
        }
    }
    out[o] = '\0';
}

static void
s_buf_double(s_buf_t *b, double v)
{
    char tmp[40];
    s_format_double(tmp, v);
    s_buf_str(b, tmp);
}

static void
s_buf_u64(s_buf_t *b, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    s_buf_put(b, tmp, (size_t) n);
}

/* Writes `{a="x",b="y"}` (plus le="..." for buckets), or nothing when the
 * sample has no labels at all. */
static void
s_buf_labels(s_buf_t *b, const ent_metrics_family_t *f, const s_child_t *c, const char *le)
{
    if (f->nlabels == 0 && le == NULL)
        return;
    s_buf_put(b, "{", 1);
    for (size_t i = 0; i < f->nlabels; i++) {
        if (i > 0)
            s_buf_put(b, ",", 1);
        s_buf_str(b, f->labels[i]);
        s_buf_put(b, "=\"", 2);
        s_buf_escaped(b, c->values[i], true);
        s_buf_put(b, "\"", 1);
    }
    if (le) {
        if (f->nlabels > 0)
            s_buf_put(b, ",", 1);
        s_buf_put(b, "le=\"", 4);
        s_buf_str(b, le);
        s_buf_put(b, "\"", 1);
    }
    s_buf_put(b, "}", 1);
}

static void
s_render_histogram(s_buf_t *b, const ent_metrics_family_t *f, const s_child_t *c)
{
    const ent_metrics_histogram_t *h = (const ent_metrics_histogram_t *) c;
    uint64_t cumulative = 0;
    char le[40];

    for (size_t i = 0; i <= f->nbounds; i++) {
        cumulative += h->buckets[i];
        if (i < f->nbounds)
            s_format_double(le, f->bounds[i]);
        else
            strcpy(le, "+Inf");
        s_buf_str(b, f->name);
        s_buf_put(b, "_bucket", 7);
        s_buf_labels(b, f, c, le);
        s_buf_put(b, " ", 1);
        s_buf_u64(b, cumulative);
        s_buf_put(b, "\n", 1);
    }
    s_buf_str(b, f->name);
    s_buf_put(b, "_sum", 4);
    s_buf_labels(b, f, c, NULL);
    s_buf_put(b, " ", 1);
    s_buf_double(b, h->sum);
    s_buf_put(b, "\n", 1);

    s_buf_str(b, f->name);
    s_buf_put(b, "_count", 6);
    s_buf_labels(b, f, c, NULL);
    s_buf_put(b, " ", 1);
    s_buf_u64(b, h->count);
    s_buf_put(b, "\n", 1);
}

static void
s_render_family(s_buf_t *b, const ent_metrics_family_t *f)
{
    static const char *const types[] = { [S_COUNTER] = "counter",
                                         [S_GAUGE] = "gauge",
                                         [S_HISTOGRAM] = "histogram" };
    s_buf_put(b, "# HELP ", 7);
    s_buf_str(b, f->name);
    s_buf_put(b, " ", 1);
    s_buf_escaped(b, f->help, false);
    s_buf_put(b, "\n# TYPE ", 8);
    s_buf_str(b, f->name);
    s_buf_put(b, " ", 1);
    s_buf_str(b, types[f->kind]);
    s_buf_put(b, "\n", 1);

    for (const s_child_t *c = f->children; c; c = c->next) {
        if (f->kind == S_HISTOGRAM) {
            s_render_histogram(b, f, c);
            continue;
        }
        double v = f->kind == S_COUNTER ? ((const ent_metrics_counter_t *) c)->value
                                        : ((const ent_metrics_gauge_t *) c)->value;
        if (c->fn)
            v = c->fn(c->arg);
        s_buf_str(b, f->name);
        s_buf_labels(b, f, c, NULL);
        s_buf_put(b, " ", 1);
        s_buf_double(b, v);
        s_buf_put(b, "\n", 1);
    }
}

int
ent_metrics_render(ent_metrics_t *m, char **out, size_t *len)
{
    if (m == NULL || out == NULL || len == NULL)
        return EINVAL;

    s_buf_t b = { 0 };
    s_buf_reserve(&b, m->render_hint);
    /* user families first, in registration order, then the built-ins */
    for (int pass = 0; pass < 2; pass++)
        for (const ent_metrics_family_t *f = m->families; f; f = f->next)
            if (f->builtin == (pass == 1))
                s_render_family(&b, f);
    if (b.len == 0)
        s_buf_reserve(&b, 0);   /* still hand out an empty string */
    if (b.oom) {
        free(b.data);
        *out = NULL;
        *len = 0;
        return ENOMEM;
    }
    m->render_hint = b.len + b.len / 8 + 64;
    *out = b.data;
    *len = b.len;
    return 0;
}

double ent_metrics_gauge_read(void *arg)
{
    return *(const double *) arg;
}
