/*  render.c — templates, localised dates, e-mail, iCalendar (render.h). */
#include "render.h"

#include "plan.h"
#include "templates.h"

#include "common/date.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libical/ical.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ntf_templates {
    json_t *root;   /* { locale: { "types": {..}, "messages": { key: { subject, body } } } } */
};

const char *const ntf_template_vars[] = {
    "recipient_name", "employee_name", "employee_id", "manager_name", "type",     "due_date",
    "when",           "fire_date",     "late",        "start",        "duration", "place",
    "video_link",     "reopened",      "count",       "items",        "kind",     "penalty",
    "total_penalty",  "interview_url", "report_url", NULL,
};

/* ------------------------------------------------------------ strings */

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} s_sb_t;

static void s_put(s_sb_t *sb, const char *s, size_t n)
{
    if (sb->oom)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap < sb->len + n + 1)
            cap *= 2;
        char *nb = realloc(sb->buf, cap);
        if (!nb) {
            sb->oom = true;
            return;
        }
        sb->buf = nb;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static void s_puts(s_sb_t *sb, const char *s) { s_put(sb, s, strlen(s)); }

static void s_printf(s_sb_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_printf(s_sb_t *sb, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        s_put(sb, tmp, (size_t) n < sizeof tmp ? (size_t) n : sizeof tmp - 1);
}

static char *s_done(s_sb_t *sb, size_t *len)
{
    if (sb->oom) {
        free(sb->buf);
        return NULL;
    }
    if (!sb->buf)
        s_put(sb, "", 0);
    if (sb->oom)
        return NULL;
    if (len)
        *len = sb->len;
    return sb->buf;
}

/* ------------------------------------------------------------ engine */

static bool s_known_var(const char *name, size_t len)
{
    for (const char *const *v = ntf_template_vars; *v; v++)
        if (strlen(*v) == len && memcmp(*v, name, len) == 0)
            return true;
    return false;
}

static const char *s_lookup(const ntf_var_t *vars, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (vars[i].name && strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
            return vars[i].value ? vars[i].value : "";
    return "";
}

typedef struct {
    const ntf_var_t *vars;
    size_t n;
    s_sb_t *out;          /* NULL: check only */
    char *err;
    size_t errsz;
    int depth;
} s_tpl_t;

/* Renders from p until the end or the closing tag of `section` (len
 * slen); emit says whether text is kept.  Returns the position after what
 * was consumed, or NULL on a syntax error (reported in t->err). */
static const char *s_walk(s_tpl_t *t, const char *p, const char *section, size_t slen, bool emit)
{
    if (++t->depth > 16) {
        if (t->err)
            snprintf(t->err, t->errsz, "sections nested more than 16 deep");
        return NULL;
    }
    for (;;) {
        const char *open = strstr(p, "{{");
        if (!open) {
            if (emit && t->out)
                s_puts(t->out, p);
            if (section) {
                if (t->err)
                    snprintf(t->err, t->errsz, "section '%.*s' is not closed", (int) slen, section);
                return NULL;
            }
            t->depth--;
            return p + strlen(p);
        }
        if (emit && t->out)
            s_put(t->out, p, (size_t) (open - p));
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            if (t->err)
                snprintf(t->err, t->errsz, "'{{' without '}}'");
            return NULL;
        }
        const char *name = open + 2;
        char sigil = 0;
        if (*name == '#' || *name == '^' || *name == '/')
            sigil = *name++;
        while (name < close && isspace((unsigned char) *name))
            name++;
        const char *nend = close;
        while (nend > name && isspace((unsigned char) nend[-1]))
            nend--;
        size_t nlen = (size_t) (nend - name);
        if (!s_known_var(name, nlen)) {
            if (t->err)
                snprintf(t->err, t->errsz, "unknown placeholder '%.*s'", (int) nlen, name);
            return NULL;
        }
        p = close + 2;
        if (sigil == '/') {
            if (!section || nlen != slen || memcmp(name, section, slen) != 0) {
                if (t->err)
                    snprintf(t->err, t->errsz, "'{{/%.*s}}' closes no open section", (int) nlen, name);
                return NULL;
            }
            t->depth--;
            return p;
        }
        if (sigil == '#' || sigil == '^') {
            bool set = *s_lookup(t->vars, t->n, name, nlen) != '\0';
            bool inner = emit && (sigil == '#' ? set : !set);
            p = s_walk(t, p, name, nlen, inner);
            if (!p)
                return NULL;
            continue;
        }
        if (emit && t->out)
            s_puts(t->out, s_lookup(t->vars, t->n, name, nlen));
    }
}

char *ntf_template_expand(const char *tmpl, const ntf_var_t *vars, size_t n)
{
    s_sb_t sb = { 0 };
    s_tpl_t t = { .vars = vars, .n = n, .out = &sb };
    if (!s_walk(&t, tmpl ? tmpl : "", NULL, 0, true)) {
        /* templates are checked at load: a syntax error here means a
         * template was not; show it raw rather than lose the message */
        free(sb.buf);
        sb = (s_sb_t) { 0 };
        s_puts(&sb, tmpl ? tmpl : "");
    }
    return s_done(&sb, NULL);
}

int ntf_template_check(const char *tmpl, char *err, size_t errsz)
{
    s_tpl_t t = { .err = err, .errsz = errsz };
    return s_walk(&t, tmpl ? tmpl : "", NULL, 0, true) ? 0 : -1;
}

/* ------------------------------------------------------------ template sets */

static json_t *s_locale_obj(json_t *root, const char *locale)
{
    json_t *l = json_object_get(root, locale);
    if (!l) {
        l = json_pack("{s:{}, s:{}}", "types", "messages");
        if (!l || json_object_set_new(root, locale, l) != 0)
            return NULL;
    }
    return l;
}

static int s_set_message(json_t *root, const char *locale, const char *key, const char *subject, const char *body)
{
    json_t *l = s_locale_obj(root, locale);
    json_t *msgs = l ? json_object_get(l, "messages") : NULL;
    if (!msgs)
        return -1;
    return json_object_set_new(msgs, key, json_pack("{s:s, s:s}", "subject", subject, "body", body));
}

static int s_fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int s_fail(char *err, size_t errsz, const char *fmt, ...)
{
    if (err && errsz) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Merges an override document into root, checking every template. */
static int s_merge(json_t *root, json_t *doc, const char *path, char *err, size_t errsz)
{
    if (!json_is_object(doc))
        return s_fail(err, errsz, "%s: the top level must be an object of locales", path);
    const char *locale;
    json_t *lv;
    json_object_foreach(doc, locale, lv) {
        if (!json_is_object(lv) || strlen(locale) == 0 || strlen(locale) >= 16)
            return s_fail(err, errsz, "%s: locale '%s' must map to an object", path, locale);
        json_t *l = s_locale_obj(root, locale);
        if (!l)
            return s_fail(err, errsz, "out of memory");
        const char *k;
        json_t *v;
        json_object_foreach(lv, k, v) {
            if (strcmp(k, "types") != 0 && strcmp(k, "messages") != 0)
                return s_fail(err, errsz, "%s: %s.%s: only \"types\" and \"messages\" are known", path, locale, k);
            if (!json_is_object(v))
                return s_fail(err, errsz, "%s: %s.%s must be an object", path, locale, k);
        }
        json_t *types = json_object_get(lv, "types");
        json_object_foreach(types, k, v) {
            if (!json_is_string(v))
                return s_fail(err, errsz, "%s: %s.types.%s must be a string", path, locale, k);
            json_object_set(json_object_get(l, "types"), k, v);
        }
        json_t *msgs = json_object_get(lv, "messages");
        json_object_foreach(msgs, k, v) {
            json_t *subj = json_object_get(v, "subject"), *body = json_object_get(v, "body");
            if (!json_is_object(v) || !json_is_string(subj) || !json_is_string(body))
                return s_fail(err, errsz, "%s: %s.messages.%s needs string \"subject\" and \"body\"", path,
                              locale, k);
            char why[160];
            if (ntf_template_check(json_string_value(subj), why, sizeof why) != 0 ||
                ntf_template_check(json_string_value(body), why, sizeof why) != 0)
                return s_fail(err, errsz, "%s: %s.messages.%s: %s", path, locale, k, why);
            if (s_set_message(root, locale, k, json_string_value(subj), json_string_value(body)) != 0)
                return s_fail(err, errsz, "out of memory");
        }
    }
    return 0;
}

int ntf_templates_new(const char *path, ntf_templates_t **out, char *err, size_t errsz)
{
    *out = NULL;
    ntf_templates_t *t = calloc(1, sizeof *t);
    if (!t || !(t->root = json_object()))
        goto oom;
    for (const ntf_builtin_type_t *b = ntf_builtin_types; b->locale; b++) {
        json_t *l = s_locale_obj(t->root, b->locale);
        if (!l || json_object_set_new(json_object_get(l, "types"), b->type, json_string(b->label)) != 0)
            goto oom;
    }
    for (const ntf_builtin_message_t *m = ntf_builtin_messages; m->locale; m++) {
        char why[160];
        if (ntf_template_check(m->subject, why, sizeof why) || ntf_template_check(m->body, why, sizeof why)) {
            s_fail(err, errsz, "built-in template %s.%s: %s", m->locale, m->key, why);
            goto fail;
        }
        if (s_set_message(t->root, m->locale, m->key, m->subject, m->body) != 0)
            goto oom;
    }
    if (path && *path) {
        json_error_t je;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!doc) {
            s_fail(err, errsz, "%s:%d: %s", path, je.line, je.text);
            goto fail;
        }
        int rc = s_merge(t->root, doc, path, err, errsz);
        json_decref(doc);
        if (rc)
            goto fail;
    }
    *out = t;
    return 0;
oom:
    s_fail(err, errsz, "out of memory");
fail:
    ntf_templates_destroy(&t);
    return -1;
}

void ntf_templates_destroy(ntf_templates_t **t_p)
{
    if (!t_p || !*t_p)
        return;
    json_decref((*t_p)->root);
    free(*t_p);
    *t_p = NULL;
}

char *ntf_templates_json(const ntf_templates_t *t)
{
    return json_dumps(t->root, JSON_INDENT(2) | JSON_SORT_KEYS);
}

const char *ntf_templates_locale(const ntf_templates_t *t, const char *wanted)
{
    if (wanted && *wanted) {
        if (json_object_get(t->root, wanted))
            return json_object_iter_key(json_object_iter_at(t->root, wanted));
        char lang[8];
        size_t i = 0;
        while (wanted[i] && wanted[i] != '-' && wanted[i] != '_' && i < sizeof lang - 1) {
            lang[i] = (char) tolower((unsigned char) wanted[i]);
            i++;
        }
        lang[i] = '\0';
        if (json_object_get(t->root, lang))
            return json_object_iter_key(json_object_iter_at(t->root, lang));
    }
    return "fr";
}

const char *ntf_templates_type(const ntf_templates_t *t, const char *locale, const char *type)
{
    json_t *v = json_object_get(json_object_get(json_object_get(t->root, locale), "types"), type ? type : "");
    if (!v)
        v = json_object_get(json_object_get(json_object_get(t->root, "fr"), "types"), type ? type : "");
    return json_is_string(v) ? json_string_value(v) : (type ? type : "");
}

/* The message of key in locale, else in "fr".  Returns the object or NULL. */
static json_t *s_message_in(const ntf_templates_t *t, const char *locale, const char *key)
{
    return json_object_get(json_object_get(json_object_get(t->root, locale), "messages"), key);
}

static json_t *s_message(const ntf_templates_t *t, const char *locale, const char *key)
{
    json_t *m = s_message_in(t, locale, key);
    return m ? m : s_message_in(t, "fr", key);
}

/* "<kind>.<role>", then "<kind>", in the locale, then the same in "fr";
 * then, for someone who is neither the employee nor her manager (HR
 * receiving what the managers do not: a medical visit), the manager's
 * text, which speaks of the employee in the third person. */
static json_t *s_message_for(const ntf_templates_t *t, const char *locale, int kind, int role)
{
    char key[64], mkey[64];
    snprintf(key, sizeof key, "%s.%s", ntf_kind_name(kind), ntf_role_name(role == NTF_ROLE_HR ? NTF_ROLE_ESCALATION : role));
    snprintf(mkey, sizeof mkey, "%s.%s", ntf_kind_name(kind), ntf_role_name(NTF_ROLE_MANAGER));
    const char *locs[2] = { locale, "fr" };
    for (int i = 0; i < 2; i++) {
        json_t *m = s_message_in(t, locs[i], key);
        if (!m)
            m = s_message_in(t, locs[i], ntf_kind_name(kind));
        if (m)
            return m;
    }
    if (role == NTF_ROLE_HR || role == NTF_ROLE_ESCALATION)
        for (int i = 0; i < 2; i++) {
            json_t *m = s_message_in(t, locs[i], mkey);
            if (m)
                return m;
        }
    return NULL;
}

/* ------------------------------------------------------------ dates */

static const char *const S_FR_MONTHS[12] = { "janvier", "février", "mars",      "avril",   "mai",      "juin",
                                             "juillet", "août",    "septembre", "octobre", "novembre", "décembre" };
static const char *const S_EN_MONTHS[12] = { "January", "February", "March",     "April",   "May",      "June",
                                             "July",    "August",   "September", "October", "November", "December" };
static const char *const S_FR_DAYS[7] = { "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche" };
static const char *const S_EN_DAYS[7] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };

char *ntf_format_eur(int64_t eur, const char *locale, char *buf, size_t size)
{
    if (eur <= 0) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    bool fr = !locale || strcmp(locale, "en") != 0;
    /* groups of three digits: a narrow no-break space in French, a comma in English */
    char digits[24], grouped[48];
    int nd = snprintf(digits, sizeof digits, "%" PRId64, eur);
    size_t g = 0;
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0) {
            const char *sep = fr ? "\u202f" : ",";
            memcpy(grouped + g, sep, strlen(sep));
            g += strlen(sep);
        }
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    snprintf(buf, size, fr ? "%s\u00a0€" : "€%s", grouped);
    return buf;
}

char *ntf_format_date(int32_t date, const char *locale, char *buf, size_t size)
{
    if (date == ENT_DATE_NONE) {
        snprintf(buf, size, "?");
        return buf;
    }
    int y, m, d;
    ent_date_to_ymd(date, &y, &m, &d);
    if (locale && strcmp(locale, "fr") == 0)
        snprintf(buf, size, "%d%s %s %d", d, d == 1 ? "er" : "", S_FR_MONTHS[m - 1], y);
    else if (locale && strcmp(locale, "en") == 0)
        snprintf(buf, size, "%d %s %d", d, S_EN_MONTHS[m - 1], y);
    else
        ent_date_format(date, buf);
    return buf;
}

char *ntf_format_start(int64_t unix_ms, const char *locale, char *buf, size_t size)
{
    time_t t = (time_t) (unix_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    int32_t day = ent_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    char date[64];
    ntf_format_date(day, locale, date, sizeof date);
    int wd = ent_date_weekday(day) - 1;
    if (locale && strcmp(locale, "fr") == 0)
        snprintf(buf, size, "%s %s à %02dh%02d", S_FR_DAYS[wd], date, tm.tm_hour, tm.tm_min);
    else if (locale && strcmp(locale, "en") == 0)
        snprintf(buf, size, "%s %s at %02d:%02d", S_EN_DAYS[wd], date, tm.tm_hour, tm.tm_min);
    else
        snprintf(buf, size, "%s %02d:%02d", date, tm.tm_hour, tm.tm_min);
    return buf;
}

/* "in 7 days", "tomorrow", "today", "yesterday", "7 days ago". */
static char *s_when(int32_t from, int32_t to, const char *locale, char *buf, size_t size)
{
    if (from == ENT_DATE_NONE || to == ENT_DATE_NONE) {
        buf[0] = '\0';
        return buf;
    }
    int32_t n = to - from;
    bool fr = locale && strcmp(locale, "fr") == 0;
    if (n == 0)
        snprintf(buf, size, fr ? "aujourd'hui" : "today");
    else if (n == 1)
        snprintf(buf, size, fr ? "demain" : "tomorrow");
    else if (n == -1)
        snprintf(buf, size, fr ? "hier" : "yesterday");
    else if (n > 0)
        snprintf(buf, size, fr ? "dans %" PRId32 " jours" : "in %" PRId32 " days", n);
    else
        snprintf(buf, size, fr ? "il y a %" PRId32 " jours" : "%" PRId32 " days ago", -n);
    return buf;
}

/* ------------------------------------------------------------ render */

void ntf_rendered_clear(ntf_rendered_t *r)
{
    free(r->subject);
    free(r->text);
    r->subject = r->text = NULL;
}

/* The links of an interview under the public URL, or "" (no id, no URL, or
 * an id with a character a URL would need to escape: records' ids never
 * have one). */
static void s_links(const ntf_render_in_t *in, char *page, char *pdf, size_t size)
{
    page[0] = pdf[0] = '\0';
    const char *id = in->interview_id, *base = in->public_url;
    if (!id || !*id || !base || !*base || id[strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")])
        return;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    int a = snprintf(page, size, "%.*s/interviews/%s", (int) bl, base, id);
    int b = snprintf(pdf, size, "%.*s/api/v1/interviews/%s/report.pdf", (int) bl, base, id);
    if (a < 0 || (size_t) a >= size || b < 0 || (size_t) b >= size)
        page[0] = pdf[0] = '\0';
}

int ntf_render(const ntf_templates_t *t, const ntf_render_in_t *in, ntf_rendered_t *out)
{
    memset(out, 0, sizeof *out);
    const char *loc = in->locale && *in->locale ? in->locale : "fr";
    json_t *msg = s_message_for(t, loc, in->kind, in->role);
    if (!msg)
        return NTF_RENDER_NO_TEMPLATE;
    char due[64], fire[64], start[96], when[48], duration[16], reopened[4], count[16];
    ntf_format_date(in->due_date, loc, due, sizeof due);
    ntf_format_date(in->fire_date, loc, fire, sizeof fire);
    if (in->start_ms > 0)
        ntf_format_start(in->start_ms, loc, start, sizeof start);
    else
        start[0] = '\0';
    s_when(in->fire_date, in->due_date, loc, when, sizeof when);
    if (in->duration_min)
        snprintf(duration, sizeof duration, "%u", in->duration_min);
    else
        duration[0] = '\0';
    snprintf(reopened, sizeof reopened, "%s", in->reopen_count ? "1" : "");
    snprintf(count, sizeof count, "%zu", in->n_lines);
    const char *type = ntf_templates_type(t, loc, in->type);
    char page[512], pdf[512];
    s_links(in, page, pdf, sizeof page);

    /* a digest lists its lines, each from its own small template */
    s_sb_t items = { 0 };
    int64_t total_penalty = 0;
    for (size_t i = 0; i < in->n_lines; i++) {
        const ntf_digest_line_t *l = &in->lines[i];
        char key[64], ldue[64], lwhen[48], lpen[48];
        total_penalty += l->penalty_eur > 0 ? l->penalty_eur : 0;
        snprintf(key, sizeof key, "digest_item.%s", ntf_kind_name(l->kind));
        json_t *lm = s_message(t, loc, key);
        if (!lm)
            continue;
        ntf_var_t lv[] = {
            { "employee_name", l->employee_name },
            { "type", ntf_templates_type(t, loc, l->type) },
            { "due_date", ntf_format_date(l->due_date, loc, ldue, sizeof ldue) },
            { "when", s_when(l->fire_date, l->due_date, loc, lwhen, sizeof lwhen) },
            { "kind", ntf_kind_name(l->kind) },
            { "penalty", ntf_format_eur(l->penalty_eur, loc, lpen, sizeof lpen) },
        };
        char *line = ntf_template_expand(json_string_value(json_object_get(lm, "body")), lv, sizeof lv / sizeof *lv);
        if (line) {
            s_puts(&items, line);
            free(line);
        } else {
            items.oom = true;
        }
    }
    char *items_text = s_done(&items, NULL);
    if (!items_text)
        return -1;
    char total[48];
    ntf_format_eur(total_penalty, loc, total, sizeof total);

    ntf_var_t vars[] = {
        { "recipient_name", in->recipient_name },
        { "employee_name", in->employee_name },
        { "employee_id", in->employee_id },
        { "manager_name", in->manager_name },
        { "type", type },
        { "due_date", due },
        { "when", when },
        { "fire_date", fire },
        { "late", in->late ? "1" : "" },
        { "start", start },
        { "duration", duration },
        { "place", in->place },
        { "video_link", in->video_link },
        { "reopened", reopened },
        { "count", count },
        { "items", items_text },
        { "kind", ntf_kind_name(in->kind) },
        { "total_penalty", total },
        { "interview_url", page },
        { "report_url", pdf },
    };
    size_t nv = sizeof vars / sizeof *vars;
    out->subject = ntf_template_expand(json_string_value(json_object_get(msg, "subject")), vars, nv);
    char *body = ntf_template_expand(json_string_value(json_object_get(msg, "body")), vars, nv);
    json_t *footer = s_message(t, loc, "footer");
    char *foot = footer ? ntf_template_expand(json_string_value(json_object_get(footer, "body")), vars, nv) : NULL;
    free(items_text);
    if (!out->subject || !body || (footer && !foot)) {
        free(body);
        free(foot);
        ntf_rendered_clear(out);
        return -1;
    }
    /* a subject is one line: a name with a newline must not break it */
    for (char *c = out->subject; *c; c++)
        if (*c == '\r' || *c == '\n' || *c == '\t')
            *c = ' ';
    s_sb_t text = { 0 };
    s_puts(&text, body);
    if (foot)
        s_puts(&text, foot);
    free(body);
    free(foot);
    out->text = s_done(&text, NULL);
    if (!out->text) {
        ntf_rendered_clear(out);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ identity */

void ntf_message_key(const char *notification_id, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(notification_id, strlen(notification_id), md, &len, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
}

bool ntf_email_valid(const char *addr)
{
    if (!addr)
        return false;
    size_t len = strlen(addr);
    if (len < 3 || len > 254)
        return false;
    const char *at = strrchr(addr, '@');
    if (!at || at == addr || at[1] == '\0' || strchr(addr, '@') != at)
        return false;
    for (const char *c = addr; *c; c++) {
        unsigned char u = (unsigned char) *c;
        if (u <= ' ' || u >= 127 || strchr("<>()[]\\,;:\"", u))
            return false;
    }
    return true;
}

char *ntf_email_addr(const char *mailbox, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!mailbox)
        return buf;
    const char *lt = strrchr(mailbox, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt) {
        size_t n = (size_t) (gt - lt - 1);
        if (n < size) {
            memcpy(buf, lt + 1, n);
            buf[n] = '\0';
        }
    } else {
        while (isspace((unsigned char) *mailbox))
            mailbox++;
        ntf_copy(buf, size, mailbox);
        size_t n = strlen(buf);
        while (n > 0 && isspace((unsigned char) buf[n - 1]))
            buf[--n] = '\0';
    }
    return buf;
}

/* ------------------------------------------------------------ e-mail */

static bool s_ascii_plain(const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 32 || (unsigned char) *s > 126)
            return false;
    return true;
}

static void s_base64(s_sb_t *sb, const unsigned char *data, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t) data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t) data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        out[0] = tbl[(v >> 18) & 63];
        out[1] = tbl[(v >> 12) & 63];
        out[2] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
        out[3] = i + 2 < len ? tbl[v & 63] : '=';
        s_put(sb, out, 4);
    }
}

/* A body part in base64, 76 columns, CRLF. */
static void s_base64_lines(s_sb_t *sb, const char *text)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i += 57) {
        s_base64(sb, (const unsigned char *) text + i, len - i < 57 ? len - i : 57);
        s_puts(sb, "\r\n");
    }
}

/* A header value: plain when printable ASCII, else RFC 2047 encoded
 * words of at most 45 input bytes (cut on UTF-8 boundaries), folded. */
static void s_header_text(s_sb_t *sb, const char *text)
{
    if (s_ascii_plain(text) && strlen(text) < 900) {
        s_puts(sb, text);
        return;
    }
    size_t len = strlen(text), i = 0;
    bool first = true;
    while (i < len) {
        size_t n = len - i < 45 ? len - i : 45;
        while (i + n < len && n > 0 && ((unsigned char) text[i + n] & 0xC0) == 0x80)
            n--;
        if (n == 0)
            n = len - i < 45 ? len - i : 45;
        if (!first)
            s_puts(sb, "\r\n ");
        s_puts(sb, "=?UTF-8?B?");
        /* control characters never reach a header */
        unsigned char chunk[64];
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char) text[i + k];
            chunk[k] = c < 32 || c == 127 ? ' ' : c;
        }
        s_base64(sb, chunk, n);
        s_puts(sb, "?=");
        i += n;
        first = false;
    }
}

static void s_mailbox(s_sb_t *sb, const ntf_mailbox_t *m)
{
    if (m->name && *m->name) {
        if (s_ascii_plain(m->name)) {
            s_puts(sb, "\"");
            for (const char *c = m->name; *c; c++) {
                if (*c == '"' || *c == '\\')
                    s_puts(sb, "\\");
                s_put(sb, c, 1);
            }
            s_puts(sb, "\" ");
        } else {
            s_header_text(sb, m->name);
            s_puts(sb, " ");
        }
    }
    s_printf(sb, "<%s>", m->addr);
}

static void s_mailboxes(s_sb_t *sb, const char *header, const ntf_mailbox_t *m, size_t n)
{
    if (!n)
        return;
    s_puts(sb, header);
    for (size_t i = 0; i < n; i++) {
        if (i)
            s_puts(sb, ",\r\n ");
        s_mailbox(sb, &m[i]);
    }
    s_puts(sb, "\r\n");
}

char *ntf_mail_build(const ntf_mail_in_t *in, size_t *len)
{
    s_sb_t sb = { 0 };
    char addr[256], domain[256] = "entretiens.invalid";
    ntf_email_addr(in->from, addr, sizeof addr);
    const char *at = strrchr(addr, '@');
    if (at && at[1])
        ntf_copy(domain, sizeof domain, at + 1);
    s_puts(&sb, "From: ");
    const char *lt = in->from ? strrchr(in->from, '<') : NULL;
    if (lt && lt > in->from) {
        char name[256];
        size_t nl = (size_t) (lt - in->from);
        if (nl >= sizeof name)
            nl = sizeof name - 1;
        memcpy(name, in->from, nl);
        while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '"'))
            nl--;
        name[nl] = '\0';
        const char *nm = name;
        while (*nm == '"')
            nm++;
        ntf_mailbox_t fm = { nm, addr };
        s_mailbox(&sb, &fm);
    } else {
        s_printf(&sb, "<%s>", addr);
    }
    s_puts(&sb, "\r\n");
    s_mailboxes(&sb, "To: ", in->to, in->n_to);
    s_mailboxes(&sb, "Cc: ", in->cc, in->n_cc);
    s_puts(&sb, "Subject: ");
    s_header_text(&sb, in->subject ? in->subject : "");
    s_puts(&sb, "\r\n");
    char date[64];
    time_t t = (time_t) (in->date_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    /* RFC 5322 wants English names whatever the locale of the process */
    static const char *const wd[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const mo[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    long off = tm.tm_gmtoff / 60;
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
             labs(off) / 60, labs(off) % 60);
    s_printf(&sb, "Date: %s\r\n", date);
    s_printf(&sb, "Message-ID: <n.%s@%s>\r\n", in->key, domain);
    s_puts(&sb, "MIME-Version: 1.0\r\n");
    s_printf(&sb, "Content-Language: %s\r\n", in->locale && s_ascii_plain(in->locale) ? in->locale : "fr");
    s_puts(&sb, "Auto-Submitted: auto-generated\r\n");
    s_puts(&sb, "X-Entretiens-Notification: ");
    s_header_text(&sb, in->notification_id ? in->notification_id : "");
    s_puts(&sb, "\r\n");
    s_printf(&sb, "X-Entretiens-Kind: %s\r\n", in->kind ? in->kind : "");
    if (in->late)
        s_puts(&sb, "X-Entretiens-Late: yes\r\n");
    if (in->ical) {
        const char *method = in->ical_method ? in->ical_method : "REQUEST";
        s_printf(&sb, "Content-Type: multipart/mixed; boundary=\"=_entretiens_%s\"\r\n\r\n", in->key);
        s_printf(&sb, "--=_entretiens_%s\r\n", in->key);
        s_puts(&sb, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        s_base64_lines(&sb, in->text ? in->text : "");
        s_printf(&sb, "--=_entretiens_%s\r\n", in->key);
        s_printf(&sb, "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n", method);
        s_puts(&sb, "Content-Transfer-Encoding: base64\r\n");
        s_printf(&sb, "Content-Disposition: attachment; filename=\"%s.ics\"\r\n\r\n",
                 strcmp(method, "CANCEL") == 0 ? "cancel" : "invite");
        s_base64_lines(&sb, in->ical);
        s_printf(&sb, "--=_entretiens_%s--\r\n", in->key);
    } else {
        s_puts(&sb, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        s_base64_lines(&sb, in->text ? in->text : "");
    }
    return s_done(&sb, len);
}

/* ------------------------------------------------------------ iCalendar */

static struct icaltimetype s_ical_time(int64_t ms)
{
    return icaltime_from_timet_with_zone((time_t) (ms / 1000), 0, icaltimezone_get_utc_timezone());
}

char *ntf_ical_build(const ntf_ical_in_t *in)
{
    icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    if (!cal || !ev) {
        if (cal)
            icalcomponent_free(cal);
        if (ev)
            icalcomponent_free(ev);
        return NULL;
    }
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//entretiens//notifier//EN"));
    icalcomponent_add_property(cal, icalproperty_new_method(in->cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent_add_property(ev, icalproperty_new_uid(in->uid));
    icalcomponent_add_property(ev, icalproperty_new_sequence((int) in->sequence));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(s_ical_time(in->stamp_ms)));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(s_ical_time(in->start_ms)));
    unsigned minutes = in->duration_min ? in->duration_min : 60;
    icalcomponent_add_property(ev, icalproperty_new_dtend(s_ical_time(in->start_ms + (int64_t) minutes * 60000)));
    icalcomponent_add_property(ev, icalproperty_new_summary(in->summary ? in->summary : ""));
    if (in->description && *in->description)
        icalcomponent_add_property(ev, icalproperty_new_description(in->description));
    if (in->location && *in->location)
        icalcomponent_add_property(ev, icalproperty_new_location(in->location));
    icalcomponent_add_property(ev, icalproperty_new_status(in->cancel ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    char mailto[300];
    if (in->organizer && *in->organizer) {
        snprintf(mailto, sizeof mailto, "mailto:%s", in->organizer);
        icalcomponent_add_property(ev, icalproperty_new_organizer(mailto));
    }
    for (size_t i = 0; i < in->n_attendees; i++) {
        snprintf(mailto, sizeof mailto, "mailto:%s", in->attendees[i].addr);
        icalproperty *p = icalproperty_new_attendee(mailto);
        if (in->attendees[i].name && *in->attendees[i].name)
            icalproperty_add_parameter(p, icalparameter_new_cn(in->attendees[i].name));
        icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter(p, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
        icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
        icalcomponent_add_property(ev, p);
    }
    icalcomponent_add_component(cal, ev);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    if (!text)
        return NULL;
    char *copy = strdup(text);
    icalmemory_free_buffer(text);
    return copy;
}
