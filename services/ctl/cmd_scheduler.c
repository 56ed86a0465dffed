/*  cmd_scheduler.c — the scheduler's commands of entretiensctl:
 *
 *    ingest FILE                      scheduler.ingest (batches of 1,000)
 *    policy apply FILE | policy show  scheduler.policy.apply / .show
 *    obligations --employee ID        scheduler.obligations
 *    employee show ID                 scheduler.employee
 *    employee search [QUERY] ...      scheduler.employee.search
 *    due --from D --to D [filters]    scheduler.due
 *    deadlines disciplinary ...       scheduler.disciplinary
 *    campaign create|list|show        scheduler.campaign.create / .list
 *    deadletters                      scheduler.deadletters
 *
 *  The JSON shapes printed with --json are a contract (docs/cli.md).
 *  Exit statuses: 0 done, 1 failed (daemon error, rejected input), 2 usage.
 */
#include "args.h"
#include "ctl.h"
#include "common/event_json.h"
#include "table.h"

#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAEMON "scheduler"
#define INGEST_BATCH 1000        /* events per scheduler.ingest call (daemon max 10,000) */
#define PROGRESS_MIN_LINES 10000 /* progress on a TTY only for longer files */
#define DUE_MAX_LIMIT 50000      /* keeps a due reply well under the 64 MiB RPC cap */
#define DEADLETTERS_MAX_LIMIT 10000

/* ------------------------------------------------------------- helpers */

static int s_date_arg(const char *cmd, const char *opt, const char *text, Entretiens__V1__Date *out)
{
    if (ent_pbdate_parse(text, out) == 0)
        return 0;
    ctl_bad(cmd, "%s '%s' is not a valid date (YYYY-MM-DD)", opt, text);
    return -1;
}

/* An option's unsigned integer in [min, max], or -1 (message printed). */
static int s_uint_arg(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
    if (!(text[0] >= '0' && text[0] <= '9') || errno || *end || v < min || v > max) {
        ctl_bad(cmd, "%s '%s' must be a whole number from %" PRIu64 " to %" PRIu64, opt, text, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static void s_free(void *m)
{
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
}

static const char *s_or(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

static ctl_color_t s_status_color(const char *status)
{
    if (!status)
        return CTL_PLAIN;
    if (strcmp(status, "overdue") == 0)
        return CTL_RED;
    if (strcmp(status, "upcoming") == 0)
        return CTL_YELLOW;
    if (strcmp(status, "met") == 0)
        return CTL_GREEN;
    return CTL_DIM;
}

/* Prints "label  value" lines (value sanitised). */
static void s_kv(const char *label, const char *value)
{
    printf("%-22s ", label);
    ent_fputs_clean(value && *value ? value : "-", stdout);
    fputc('\n', stdout);
}

static void s_kv_date(const char *label, const Entretiens__V1__Date *d)
{
    char buf[ENT_PBDATE_BUFLEN];
    s_kv(label, ent_pbdate_str(d, buf));
}

/* "First Last (ID)", "ID" when no name is known, "" without an id. */
static void s_person(char *buf, size_t size, const char *id, const char *first, const char *last)
{
    bool f = first && *first, l = last && *last;
    if (!id || !*id)
        snprintf(buf, size, "%s", "");
    else if (!f && !l)
        snprintf(buf, size, "%s", id);
    else
        snprintf(buf, size, "%s%s%s (%s)", f ? first : "", f && l ? " " : "", l ? last : "", id);
}

/* ---------------------------------------------------------------- ingest */

#define INGEST_USAGE "ingest FILE   (JSON lines, - for stdin)"

typedef struct {
    size_t line;
    char *event_id, *field, *reason;
    bool conflict;       /* the scheduler's "conflict" (else "rejected") */
} s_rejection_t;

/* A warning the scheduler attached to an accepted event. */
typedef struct {
    size_t line;
    char *event_id, *field, *reason;
} s_warning_t;

typedef struct {
    /* the batch being filled */
    Entretiens__V1__EmployeeEvent *events[INGEST_BATCH];
    size_t lines[INGEST_BATCH];
    size_t n;
    /* totals */
    uint64_t accepted, duplicates, rejected, conflicts; /* conflicts are counted in rejected too */
    s_rejection_t *rej;
    size_t nrej, caprej;
    s_warning_t *warn;
    size_t nwarn, capwarn;
    size_t acked_line;   /* every line up to this one has been answered */
    bool oom;
} s_ingest_t;

static void s_reject(s_ingest_t *in, size_t line, const char *event_id, const char *field, const char *reason,
                     bool conflict)
{
    in->rejected++;
    in->conflicts += conflict;
    if (in->nrej == in->caprej) {
        size_t cap = in->caprej ? in->caprej * 2 : 64;
        s_rejection_t *r = realloc(in->rej, cap * sizeof *r);
        if (!r) {
            in->oom = true;
            return;
        }
        in->rej = r;
        in->caprej = cap;
    }
    s_rejection_t *r = &in->rej[in->nrej];
    r->line = line;
    r->event_id = strdup(event_id ? event_id : "");
    r->field = strdup(field ? field : "");
    r->reason = strdup(reason ? reason : "");
    r->conflict = conflict;
    if (!r->event_id || !r->field || !r->reason) {
        free(r->event_id), free(r->field), free(r->reason);
        in->oom = true;
        return;
    }
    in->nrej++;
}

static void s_warn(s_ingest_t *in, size_t line, const char *event_id, const char *field, const char *reason)
{
    if (in->nwarn == in->capwarn) {
        size_t cap = in->capwarn ? in->capwarn * 2 : 64;
        s_warning_t *w = realloc(in->warn, cap * sizeof *w);
        if (!w) {
            in->oom = true;
            return;
        }
        in->warn = w;
        in->capwarn = cap;
    }
    s_warning_t *w = &in->warn[in->nwarn];
    w->line = line;
    w->event_id = strdup(event_id ? event_id : "");
    w->field = strdup(field ? field : "");
    w->reason = strdup(reason ? reason : "");
    if (!w->event_id || !w->field || !w->reason) {
        free(w->event_id), free(w->field), free(w->reason);
        in->oom = true;
        return;
    }
    in->nwarn++;
}

static void s_batch_clear(s_ingest_t *in)
{
    for (size_t i = 0; i < in->n; i++)
        ent_evjson_free(in->events[i]);
    in->n = 0;
}

/* Sends the batch; returns 0, or -1 when the call failed (printed). */
static int s_ingest_flush(ctl_t *ctl, s_ingest_t *in)
{
    if (in->n == 0)
        return 0;
    Entretiens__V1__IngestRequest req = ENTRETIENS__V1__INGEST_REQUEST__INIT;
    req.n_events = in->n;
    req.events = in->events;
    Entretiens__V1__IngestReply *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.ingest", &req.base, &entretiens__v1__ingest_reply__descriptor);
    if (!rep) {
        s_batch_clear(in);
        return -1;
    }
    uint64_t acc = 0, dup = 0, rej = 0, conf = 0;
    bool *seen = calloc(in->n, sizeof *seen);
    for (size_t i = 0; i < rep->n_results; i++) {
        const Entretiens__V1__EventResult *r = rep->results[i];
        if (r->index >= in->n || (seen && seen[r->index])) {
            fprintf(stderr, "entretiensctl: ingest: the scheduler answered for event %u of a batch of %zu\n",
                    r->index, in->n);
            continue;
        }
        if (seen)
            seen[r->index] = true;
        const char *outcome = r->outcome ? r->outcome : "";
        /* accepted events may carry warnings (an unknown manager) */
        for (size_t k = 0; k < r->n_warnings; k++)
            s_warn(in, in->lines[r->index], in->events[r->index]->event_id, r->warnings[k]->field,
                   r->warnings[k]->reason);
        if (strcmp(outcome, "accepted") == 0)
            acc++;
        else if (strcmp(outcome, "duplicate") == 0)
            dup++;
        else {
            /* anything else was not applied: "rejected", "conflict", or an
             * outcome a newer scheduler may add */
            bool conflict = strcmp(outcome, "conflict") == 0;
            rej++;
            conf += conflict;
            const Entretiens__V1__EmployeeEvent *ev = in->events[r->index];
            s_reject(in, in->lines[r->index], ev->event_id, r->field, r->reason && *r->reason ? r->reason : outcome,
                     conflict);
        }
    }
    if (rep->n_results != in->n || acc != rep->accepted || dup != rep->duplicates || rej != rep->rejected ||
        conf != rep->conflicts)
        fprintf(stderr, "entretiensctl: ingest: inconsistent reply for the batch ending at line %zu: "
                        "%zu results for %zu events; counts %u/%u/%u/%u, results %" PRIu64 "/%" PRIu64 "/%" PRIu64
                        "/%" PRIu64 "\n",
                in->lines[in->n - 1], rep->n_results, in->n, rep->accepted, rep->duplicates, rep->rejected,
                rep->conflicts, acc, dup, rej, conf);
    free(seen);
    in->accepted += acc;
    in->duplicates += dup;
    in->acked_line = in->lines[in->n - 1];
    s_free(rep);
    s_batch_clear(in);
    return 0;
}

static bool s_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' && s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

/* Lines of a regular file (0 when it cannot be counted cheaply). */
static size_t s_count_lines(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    char buf[65536];
    size_t n = 0, r;
    int last = '\n';
    while ((r = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t i = 0; i < r; i++)
            n += buf[i] == '\n';
        last = buf[r - 1];
    }
    if (last != '\n')
        n++;
    rewind(f);
    return n;
}

static int s_rej_cmp(const void *a, const void *b)
{
    const s_rejection_t *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static int s_warn_cmp(const void *a, const void *b)
{
    const s_warning_t *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

int ctl_cmd_ingest(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[1];
    int np = 0;
    if (ctl_args_parse("ingest", INGEST_USAGE, argc, argv, 1, NULL, 0, pos, 1, &np) != 0)
        return CTL_USAGE;
    if (np != 1)
        return ctl_usage(INGEST_USAGE);
    const char *path = pos[0];
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    if (!f)
        return ctl_bad("ingest", "cannot open '%s': %s", path, strerror(errno));
    bool tty = isatty(STDERR_FILENO);
    size_t total_lines = tty ? s_count_lines(f) : 0;
    bool progress = false;

    s_ingest_t *in = calloc(1, sizeof *in);
    if (!in) {
        if (!from_stdin)
            fclose(f);
        return CTL_FAILED;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int status = CTL_OK;
    bool failed = false;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *text = line;
        size_t n = (size_t) len;
        if (lineno == 1 && n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
            text += 3, n -= 3; /* a UTF-8 byte order mark */
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
            n--;
        if (s_blank(text, n))
            continue;
        Entretiens__V1__EmployeeEvent *ev;
        ent_evjson_error_t err;
        if (ent_evjson_parse(text, n, &ev, &err) != 0) {
            s_reject(in, lineno, err.event_id, err.field, err.reason, false);
        } else {
            in->events[in->n] = ev;
            in->lines[in->n++] = lineno;
            if (in->n == INGEST_BATCH && s_ingest_flush(ctl, in) != 0) {
                failed = true;
                break;
            }
        }
        if (tty && (lineno > PROGRESS_MIN_LINES || total_lines > PROGRESS_MIN_LINES) && lineno % INGEST_BATCH == 0) {
            progress = true;
            if (total_lines > PROGRESS_MIN_LINES)
                fprintf(stderr, "\ringest: line %zu of %zu (%zu%%)", lineno, total_lines, lineno * 100 / total_lines);
            else
                fprintf(stderr, "\ringest: line %zu", lineno);
            fflush(stderr);
        }
    }
    bool read_error = !failed && ferror(f);
    if (!failed && !read_error && s_ingest_flush(ctl, in) != 0)
        failed = true;
    if (progress)
        fputs("\r\033[K", stderr);
    free(line);
    s_batch_clear(in);
    if (!from_stdin)
        fclose(f);

    if (read_error || failed || in->oom) {
        if (read_error)
            fprintf(stderr, "entretiensctl: ingest: reading '%s' failed at line %zu: %s\n", path, lineno + 1,
                    strerror(errno));
        if (in->oom)
            fprintf(stderr, "entretiensctl: ingest: out of memory\n");
        char done[64] = "no line was answered";
        if (in->acked_line)
            snprintf(done, sizeof done, "lines 1-%zu were answered", in->acked_line);
        fprintf(stderr,
                "entretiensctl: ingest: stopped at line %zu; %s (so far: accepted %" PRIu64 ", duplicate %" PRIu64
                ", rejected %" PRIu64 ", of which conflict %" PRIu64
                "). Ingest is idempotent: the file can be sent again.\n",
                lineno, done, in->accepted, in->duplicates, in->rejected, in->conflicts);
        status = CTL_FAILED;
    } else {
        if (in->nrej > 1)
            qsort(in->rej, in->nrej, sizeof *in->rej, s_rej_cmp);
        if (in->nwarn > 1)
            qsort(in->warn, in->nwarn, sizeof *in->warn, s_warn_cmp);
        if (ctl->json) {
            json_t *rejs = json_array();
            for (size_t i = 0; i < in->nrej; i++)
                json_array_append_new(rejs, json_pack("{s:I, s:o, s:o, s:o, s:s}", "line",
                                                      (json_int_t) in->rej[i].line, "event_id",
                                                      ent_json_str(in->rej[i].event_id), "field",
                                                      ent_json_str(in->rej[i].field), "reason",
                                                      ent_json_str(in->rej[i].reason), "outcome",
                                                      in->rej[i].conflict ? "conflict" : "rejected"));
            json_t *warns = json_array();
            for (size_t i = 0; i < in->nwarn; i++)
                json_array_append_new(warns, json_pack("{s:I, s:o, s:o, s:o}", "line", (json_int_t) in->warn[i].line,
                                                       "event_id", ent_json_str(in->warn[i].event_id), "field",
                                                       ent_json_str(in->warn[i].field), "reason",
                                                       ent_json_str(in->warn[i].reason)));
            ctl_print_json(json_pack("{s:I, s:I, s:I, s:o, s:I, s:o}", "accepted", (json_int_t) in->accepted,
                                     "duplicates", (json_int_t) in->duplicates, "rejected", (json_int_t) in->rejected,
                                     "rejections", rejs, "conflicts", (json_int_t) in->conflicts, "warnings", warns));
        } else {
            bool color = ctl_use_color(ctl->color);
            printf("accepted %" PRIu64 ", duplicate %" PRIu64 ", %srejected %" PRIu64 "%s", in->accepted,
                   in->duplicates, color && in->rejected ? ctl_color_on(CTL_RED) : "", in->rejected,
                   color && in->rejected ? CTL_COLOR_OFF : "");
            /* after the contract's prefix, and only when there are some */
            if (in->conflicts)
                printf(" (conflict %" PRIu64 ")", in->conflicts);
            putchar('\n');
            for (size_t i = 0; i < in->nrej; i++) {
                printf("line %zu: event ", in->rej[i].line);
                ent_fputs_clean(in->rej[i].event_id[0] ? in->rej[i].event_id : "-", stdout);
                fputs(": ", stdout);
                ent_fputs_clean(in->rej[i].field, stdout);
                fputs(": ", stdout);
                ent_fputs_clean(in->rej[i].reason, stdout);
                fputc('\n', stdout);
            }
            /* notices, on stderr: stdout keeps the contract's lines only */
            for (size_t i = 0; i < in->nwarn; i++) {
                fprintf(stderr, "warning: line %zu: event ", in->warn[i].line);
                ent_fputs_clean(in->warn[i].event_id[0] ? in->warn[i].event_id : "-", stderr);
                fputs(": ", stderr);
                ent_fputs_clean(in->warn[i].field, stderr);
                fputs(": ", stderr);
                ent_fputs_clean(in->warn[i].reason, stderr);
                fputc('\n', stderr);
            }
        }
        /* warnings do not change the status: the events were applied */
        status = in->rejected ? CTL_FAILED : CTL_OK;
    }
    for (size_t i = 0; i < in->nrej; i++) {
        free(in->rej[i].event_id);
        free(in->rej[i].field);
        free(in->rej[i].reason);
    }
    free(in->rej);
    for (size_t i = 0; i < in->nwarn; i++) {
        free(in->warn[i].event_id);
        free(in->warn[i].field);
        free(in->warn[i].reason);
    }
    free(in->warn);
    free(in);
    return status;
}

/* ---------------------------------------------------------------- policy */

#define POLICY_USAGE "policy apply FILE | policy show"

typedef struct {
    char *where;   /* malloc'd "entities[1].region" */
    const char *what;
} s_perr_t;

static int s_perr(s_perr_t *e, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int s_perr(s_perr_t *e, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->where, fmt, ap) < 0)
        e->where = NULL;
    va_end(ap);
    e->what = what;
    return -1;
}

/* A string member (NULL/absent/null = keep *out); -1 on a wrong type. */
static int s_pstr(json_t *v, char **out)
{
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = (char *) json_string_value(v);
    return 0;
}

/* A boolean member (NULL/absent/null = keep *out); -1 on a wrong type. */
static int s_pbool(json_t *v, protobuf_c_boolean *out)
{
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return -1;
    *out = json_is_true(v);
    return 0;
}

static int s_pu32(json_t *v, uint32_t *out)
{
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t) UINT32_MAX)
        return -1;
    *out = (uint32_t) json_integer_value(v);
    return 0;
}

/* The policy proto built from the file; its strings point into root, which
 * must outlive it.  Free with s_policy_free. */
typedef struct {
    Entretiens__V1__Policy p;
    Entretiens__V1__PolicyOptions o;
    Entretiens__V1__EntityPolicy *es;
    Entretiens__V1__EntityPolicy **ep;
} s_policy_t;

static void s_policy_free(s_policy_t *sp)
{
    free(sp->es);
    free(sp->ep);
}

static int s_policy_from_json(json_t *root, s_policy_t *sp, s_perr_t *e)
{
    memset(sp, 0, sizeof *sp);
    entretiens__v1__policy__init(&sp->p);
    entretiens__v1__policy_options__init(&sp->o);
    if (!json_is_object(root))
        return s_perr(e, "a policy is a JSON object", "%s", "(file)");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "entities") == 0) {
            if (!json_is_array(v) && !json_is_null(v))
                return s_perr(e, "expected an array", "entities");
        } else if (strcmp(key, "options") == 0) {
            if (!json_is_object(v) && !json_is_null(v))
                return s_perr(e, "expected an object", "options");
        } else if (strcmp(key, "version") == 0) {
            if (!json_is_integer(v) && !json_is_null(v))
                return s_perr(e, "expected an integer (ignored: the scheduler numbers versions)", "version");
        } else {
            return s_perr(e, "unknown key", "%s", key);
        }
    }
    json_t *ents = json_object_get(root, "entities");
    size_t n = json_is_array(ents) ? json_array_size(ents) : 0;
    sp->es = calloc(n + 1, sizeof *sp->es);
    sp->ep = calloc(n + 1, sizeof *sp->ep);
    if (!sp->es || !sp->ep)
        return s_perr(e, "out of memory", "%s", "(file)");
    for (size_t i = 0; i < n; i++) {
        json_t *ent = json_array_get(ents, i);
        Entretiens__V1__EntityPolicy *ep = &sp->es[i];
        entretiens__v1__entity_policy__init(ep);
        sp->ep[i] = ep;
        if (!json_is_object(ent))
            return s_perr(e, "expected an object", "entities[%zu]", i);
        json_object_foreach(ent, key, v) {
            int bad = 0;
            if (strcmp(key, "id") == 0)
                bad = s_pstr(v, &ep->id);
            else if (strcmp(key, "region") == 0)
                bad = s_pstr(v, &ep->region);
            else if (strcmp(key, "headcount") == 0)
                bad = s_pu32(v, &ep->headcount);
            else if (strcmp(key, "periodicity_years") == 0)
                bad = s_pu32(v, &ep->periodicity_years);
            else if (strcmp(key, "good_friday") == 0)
                bad = s_pstr(v, &ep->good_friday);
            else if (strcmp(key, "branch_trial_renewal") == 0)
                bad = s_pbool(v, &ep->branch_trial_renewal);
            else if (strcmp(key, "legacy_branch_trial") == 0)
                bad = s_pbool(v, &ep->legacy_branch_trial);
            else
                return s_perr(e, "unknown key", "entities[%zu].%s", i, key);
            bool str = strcmp(key, "id") == 0 || strcmp(key, "region") == 0 || strcmp(key, "good_friday") == 0;
            bool flag = strcmp(key, "branch_trial_renewal") == 0 || strcmp(key, "legacy_branch_trial") == 0;
            if (bad)
                return s_perr(e,
                              str ? "expected a string"
                              : flag ? "expected true or false"
                                     : "expected a whole number from 0 to 4294967295",
                              "entities[%zu].%s", i, key);
        }
        if (!ep->id || !*ep->id)
            return s_perr(e, "every entity needs its id", "entities[%zu].id", i);
    }
    sp->p.n_entities = n;
    sp->p.entities = sp->ep;
    json_t *opts = json_object_get(root, "options");
    if (json_is_object(opts)) {
        static const char *const strs[] = { "first_interview_transition", "recap_deadline", "late_interview",
                                            "special_cycle", "suspensions", "special_interviews",
                                            "convocation_deadline" };
        char **dst[] = { &sp->o.first_interview_transition, &sp->o.recap_deadline, &sp->o.late_interview,
                         &sp->o.special_cycle, &sp->o.suspensions, &sp->o.special_interviews,
                         &sp->o.convocation_deadline };
        const size_t nstrs = sizeof strs / sizeof *strs;
        json_object_foreach(opts, key, v) {
            size_t k = 0;
            while (k < nstrs && strcmp(key, strs[k]) != 0)
                k++;
            if (k < nstrs) {
                if (s_pstr(v, dst[k]))
                    return s_perr(e, "expected a string", "options.%s", key);
            } else if (strcmp(key, "return_to_work_min_days") == 0) {
                if (s_pu32(v, &sp->o.return_to_work_min_days))
                    return s_perr(e, "expected a whole number from 0 to 4294967295", "options.%s", key);
            } else if (strcmp(key, "return_interview_days") == 0) {
                if (s_pu32(v, &sp->o.return_interview_days))
                    return s_perr(e, "expected a whole number from 0 to 4294967295", "options.%s", key);
            } else {
                return s_perr(e, "unknown key", "options.%s", key);
            }
        }
        sp->p.options = &sp->o;
    }
    return 0;
}

static json_t *s_policy_json(const Entretiens__V1__Policy *p)
{
    json_t *ents = json_array();
    for (size_t i = 0; i < p->n_entities; i++) {
        const Entretiens__V1__EntityPolicy *e = p->entities[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", ent_json_str(e->id));
        json_object_set_new(o, "headcount", json_integer(e->headcount));
        json_object_set_new(o, "region", ent_json_str(e->region));
        json_object_set_new(o, "periodicity_years", json_integer(e->periodicity_years));
        json_object_set_new(o, "good_friday", ent_json_str(s_or(e->good_friday, "unknown")));
        json_object_set_new(o, "branch_trial_renewal", json_boolean(e->branch_trial_renewal));
        json_object_set_new(o, "legacy_branch_trial", json_boolean(e->legacy_branch_trial));
        json_array_append_new(ents, o);
    }
    json_t *opts = json_object();
    const Entretiens__V1__PolicyOptions *o = p->options;
    json_object_set_new(opts, "first_interview_transition", ent_json_str(o ? o->first_interview_transition : ""));
    json_object_set_new(opts, "recap_deadline", ent_json_str(o ? o->recap_deadline : ""));
    json_object_set_new(opts, "late_interview", ent_json_str(o ? o->late_interview : ""));
    json_object_set_new(opts, "special_cycle", ent_json_str(o ? o->special_cycle : ""));
    json_object_set_new(opts, "suspensions", ent_json_str(o ? o->suspensions : ""));
    json_object_set_new(opts, "return_to_work_min_days", json_integer(o ? o->return_to_work_min_days : 0));
    json_object_set_new(opts, "special_interviews", ent_json_str(o ? o->special_interviews : ""));
    json_object_set_new(opts, "convocation_deadline", ent_json_str(o ? o->convocation_deadline : ""));
    json_object_set_new(opts, "return_interview_days", json_integer(o ? o->return_interview_days : 0));
    json_t *j = json_object();
    json_object_set_new(j, "entities", ents);
    json_object_set_new(j, "options", opts);
    json_object_set_new(j, "version", json_integer((json_int_t) p->version));
    return j;
}

static void s_policy_print(const Entretiens__V1__Policy *p, bool color)
{
    printf("policy version %" PRIu64 "\n\noptions\n", p->version);
    const Entretiens__V1__PolicyOptions *o = p->options;
    char days[16], rdays[16];
    snprintf(days, sizeof days, "%u", o ? o->return_to_work_min_days : 0);
    snprintf(rdays, sizeof rdays, "%u", o ? o->return_interview_days : 0);
    const char *rows[][2] = {
        { "first_interview_transition", o ? o->first_interview_transition : "" },
        { "recap_deadline", o ? o->recap_deadline : "" },
        { "late_interview", o ? o->late_interview : "" },
        { "special_cycle", o ? o->special_cycle : "" },
        { "suspensions", o ? o->suspensions : "" },
        { "return_to_work_min_days", days },
        { "special_interviews", o ? o->special_interviews : "" },
        { "convocation_deadline", o ? o->convocation_deadline : "" },
        { "return_interview_days", rdays },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        printf("  %-28s ", rows[i][0]);
        ent_fputs_clean(s_or(rows[i][1], "-"), stdout);
        fputc('\n', stdout);
    }
    printf("\nentities\n");
    if (p->n_entities == 0) {
        printf("  (none: every employee gets the options above, region metropole, a 4-year period)\n");
        return;
    }
    ctl_table_t *t = ctl_table_new("  ENTITY", "HEADCOUNT", "REGION", "PERIODICITY_YEARS", "GOOD_FRIDAY",
                                   "TRIAL_RENEWAL", "LEGACY_TRIAL", NULL);
    for (size_t i = 0; i < p->n_entities; i++) {
        const Entretiens__V1__EntityPolicy *e = p->entities[i];
        ctl_table_row(t);
        ctl_table_cellf(t, CTL_PLAIN, "  %s", e->id);
        ctl_table_cellf(t, CTL_PLAIN, "%u", e->headcount);
        ctl_table_cell(t, e->region, CTL_PLAIN);
        ctl_table_cellf(t, CTL_PLAIN, "%u", e->periodicity_years);
        ctl_table_cell(t, s_or(e->good_friday, "unknown"), CTL_PLAIN);
        ctl_table_cell(t, e->branch_trial_renewal ? "yes" : "no", CTL_PLAIN);
        ctl_table_cell(t, e->legacy_branch_trial ? "yes" : "no", CTL_PLAIN);
    }
    ctl_table_print(t, stdout, ctl_term_width(), color);
}

static int s_policy_show(ctl_t *ctl, const char *applied_note)
{
    Entretiens__V1__Policy *p = ctl_call_unpack(ctl, DAEMON, "scheduler.policy.show", NULL, &entretiens__v1__policy__descriptor);
    if (!p)
        return CTL_FAILED;
    if (ctl->json) {
        ctl_print_json(s_policy_json(p));
    } else {
        if (applied_note)
            printf("%s\n\n", applied_note);
        s_policy_print(p, ctl_use_color(ctl->color));
    }
    s_free(p);
    return CTL_OK;
}

int ctl_cmd_policy(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[2];
    int np = 0;
    if (ctl_args_parse("policy", POLICY_USAGE, argc, argv, 1, NULL, 0, pos, 2, &np) != 0)
        return CTL_USAGE;
    if (np == 1 && strcmp(pos[0], "show") == 0)
        return s_policy_show(ctl, NULL);
    if (np != 2 || strcmp(pos[0], "apply") != 0)
        return ctl_usage(POLICY_USAGE);
    const char *path = pos[1];
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    if (!f)
        return ctl_bad("policy apply", "cannot open '%s': %s", path, strerror(errno));
    json_error_t je;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    if (!from_stdin)
        fclose(f);
    if (!root) {
        fprintf(stderr, "entretiensctl: policy apply: %s: line %d column %d: ", path, je.line, je.column);
        ent_fputs_clean(je.text, stderr);
        fputc('\n', stderr);
        return CTL_FAILED;
    }
    s_policy_t sp;
    s_perr_t e = { 0 };
    int status = CTL_OK;
    if (s_policy_from_json(root, &sp, &e) != 0) {
        fprintf(stderr, "entretiensctl: policy apply: %s: ", path);
        ent_fputs_clean(e.where ? e.where : "?", stderr);
        fprintf(stderr, ": %s\n", e.what);
        free(e.where);
        status = CTL_FAILED;
    } else {
        Entretiens__V1__Policy *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.policy.apply", &sp.p.base, &entretiens__v1__policy__descriptor);
        if (!rep) {
            status = CTL_FAILED;
        } else {
            char note[160];
            char when[48];
            snprintf(note, sizeof note, "policy version %" PRIu64 " applied at %s (%zu entit%s)", rep->version,
                     ent_time_str(rep->applied_at_ms, when, sizeof when), rep->n_entities,
                     rep->n_entities == 1 ? "y" : "ies");
            s_free(rep);
            /* print the policy in force, with every option's effective value */
            status = s_policy_show(ctl, note);
        }
    }
    s_policy_free(&sp);
    json_decref(root);
    return status;
}

/* ----------------------------------------------------------- obligations */

#define OBLIGATIONS_USAGE "obligations --employee ID"

int ctl_cmd_obligations(ctl_t *ctl, int argc, char **argv)
{
    const char *employee = NULL;
    ctl_opt_t opts[] = { CTL_OPT("--employee", &employee) };
    if (ctl_args_parse("obligations", OBLIGATIONS_USAGE, argc, argv, 1, opts, 1, NULL, 0, NULL) != 0)
        return CTL_USAGE;
    if (!employee || !*employee)
        return ctl_usage(OBLIGATIONS_USAGE);
    Entretiens__V1__ObligationsRequest req = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
    req.employee_id = (char *) employee;
    req.lang = (char *) ctl_lang_code(ctl->lang);
    Entretiens__V1__ObligationsReply *rep =
        ctl_call_unpack(ctl, DAEMON, "scheduler.obligations", &req.base, &entretiens__v1__obligations_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_obligations; i++)
            json_array_append_new(arr, ent_msgjson_obligation(rep->obligations[i], false));
        ctl_print_json(arr);
    } else if (rep->n_obligations == 0) {
        printf("%s", ctl_l(ctl->lang, "no obligations for employee ", "aucune obligation pour le salarié "));
        ent_fputs_clean(employee, stdout);
        fputc('\n', stdout);
    } else {
        ctl_lang_t l = ctl->lang;
        ctl_table_t *t = ctl_table_new(ctl_l(l, "TYPE", "TYPE"), ctl_l(l, "DUE", "ÉCHÉANCE"), ctl_l(l, "WINDOW", "FENÊTRE"),
                                       ctl_l(l, "STATUS", "STATUT"), ctl_l(l, "ACTIONABLE", "À TRAITER"),
                                       ctl_l(l, "RULE", "RÈGLE"), ctl_l(l, "PENALTY", "PÉNALITÉ"),
                                       ctl_l(l, "REASON", "MOTIF"), NULL);
        for (size_t i = 0; i < rep->n_obligations; i++) {
            const Entretiens__V1__Obligation *o = rep->obligations[i];
            char due[ENT_PBDATE_BUFLEN], win[ENT_PBDATE_BUFLEN];
            ctl_table_row(t);
            ctl_table_cell(t, ctl_type_label(l, o->type), CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(o->due_date, due), CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(o->window_start, win), CTL_PLAIN);
            ctl_table_cell(t, ctl_status_label(l, o->status), s_status_color(o->status));
            /* overdue but no longer worth holding (superseded, past its
             * purpose) stays in the history, out of the to-do views */
            ctl_table_cell(t, o->actionable ? ctl_l(l, "yes", "oui") : ctl_l(l, "no", "non"), CTL_PLAIN);
            ctl_table_cell(t, o->rule, CTL_PLAIN);
            if (o->penalty_eur > 0)
                ctl_table_cellf(t, CTL_RED, "%d EUR", o->penalty_eur);
            else
                ctl_table_cell(t, "", CTL_PLAIN);
            ctl_table_cell(t, o->reason, CTL_PLAIN);
        }
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    }
    s_free(rep);
    return CTL_OK;
}

/* -------------------------------------------------------------- employee */

#define EMPLOYEE_USAGE "employee show ID | employee search [QUERY] [--entity E] [--department D] [--limit N] [--after ID]"

/* "key=value ..." of the fields of an event beyond the five every event has. */
static char *s_event_details(const Entretiens__V1__EmployeeEvent *ev)
{
    json_t *j = ent_evjson_to_json(ev);
    char *out = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&out, &size);
    if (!m) {
        json_decref(j);
        return NULL;
    }
    const char *key;
    json_t *v;
    bool first = true;
    json_object_foreach(j, key, v) {
        if (!strcmp(key, "event_id") || !strcmp(key, "source") || !strcmp(key, "type") || !strcmp(key, "employee_id") ||
            !strcmp(key, "effective_date"))
            continue;
        fprintf(m, "%s%s=", first ? "" : " ", key);
        first = false;
        if (json_is_string(v))
            fputs(json_string_value(v), m);
        else if (json_is_integer(v))
            fprintf(m, "%lld", (long long) json_integer_value(v));
        else
            fputs(json_is_true(v) ? "true" : "false", m);
    }
    fclose(m);
    json_decref(j);
    return out;
}

/* employee search [QUERY] [--entity E] [--department D] [--limit N]
 * [--after ID]: one page of the people the caller may see. */
static int s_employee_search(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[1] = { NULL }, *entity = NULL, *department = NULL, *limit = NULL, *after = NULL;
    int np = 0;
    const ctl_opt_t opts[] = { CTL_OPT("--entity", &entity), CTL_OPT("--department", &department),
                               CTL_OPT("--limit", &limit), CTL_OPT("--after", &after) };
    if (ctl_args_parse("employee search", EMPLOYEE_USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, pos, 1,
                       &np) != 0)
        return CTL_USAGE;
    Entretiens__V1__EmployeeSearchRequest req = ENTRETIENS__V1__EMPLOYEE_SEARCH_REQUEST__INIT;
    if (limit) {
        char *end;
        unsigned long l = strtoul(limit, &end, 10);
        if (!*limit || *end || l < 1 || l > 1000)
            return ctl_bad("employee search", "--limit is from 1 to 1000");
        req.limit = (uint32_t) l;
    }
    req.q = (char *) (np ? pos[0] : "");
    req.entity = (char *) (entity ? entity : "");
    req.department = (char *) (department ? department : "");
    req.after = (char *) (after ? after : "");
    Entretiens__V1__EmployeeSearchReply *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.employee.search", &req.base,
                                                               &entretiens__v1__employee_search_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_employees; i++) {
            const Entretiens__V1__Employee *e = rep->employees[i];
            json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
                                                 "employee_id", ent_json_str(e->employee_id), "first_name",
                                                 ent_json_str(e->first_name), "last_name", ent_json_str(e->last_name),
                                                 "entity", ent_json_str(e->entity), "department",
                                                 ent_json_str(e->department), "site", ent_json_str(e->site),
                                                 "manager_id", ent_json_str(e->manager_id), "position",
                                                 ent_json_str(e->position), "hired_on", ent_json_pbdate(e->hired_on),
                                                 "left_on", ent_json_pbdate(e->left_on), "employed", e->employed));
        }
        json_t *j = json_pack("{s:o, s:o}", "employees", arr, "next_after",
                              rep->next_after && *rep->next_after ? ent_json_str(rep->next_after) : json_null());
        ctl_print_json(j);
    } else {
        ctl_table_t *t = ctl_table_new("EMPLOYEE_ID", "NAME", "ENTITY", "DEPARTMENT", "MANAGER", "HIRED", "LEFT", NULL);
        for (size_t i = 0; i < rep->n_employees; i++) {
            const Entretiens__V1__Employee *e = rep->employees[i];
            char h[ENT_PBDATE_BUFLEN], l[ENT_PBDATE_BUFLEN];
            ctl_table_row(t);
            ctl_table_cell(t, e->employee_id, CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%s %s", e->first_name ? e->first_name : "", e->last_name ? e->last_name : "");
            ctl_table_cell(t, e->entity, CTL_PLAIN);
            ctl_table_cell(t, e->department, CTL_PLAIN);
            ctl_table_cell(t, e->manager_id, CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(e->hired_on, h), CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(e->left_on, l), CTL_PLAIN);
        }
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
        if (rep->next_after && *rep->next_after)
            printf("more: --after %s\n", rep->next_after);
    }
    s_free(rep);
    return CTL_OK;
}

int ctl_cmd_employee(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[2];
    int np = 0;
    if (argc >= 2 && strcmp(argv[1], "search") == 0)
        return s_employee_search(ctl, argc, argv);
    if (ctl_args_parse("employee", EMPLOYEE_USAGE, argc, argv, 1, NULL, 0, pos, 2, &np) != 0)
        return CTL_USAGE;
    if (np != 2 || strcmp(pos[0], "show") != 0 || !*pos[1])
        return ctl_usage(EMPLOYEE_USAGE);
    Entretiens__V1__EmployeeRequest req = ENTRETIENS__V1__EMPLOYEE_REQUEST__INIT;
    req.employee_id = (char *) pos[1];
    Entretiens__V1__EmployeeReply *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.employee", &req.base, &entretiens__v1__employee_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    Entretiens__V1__Employee none = ENTRETIENS__V1__EMPLOYEE__INIT;
    const Entretiens__V1__Employee *e = rep->employee ? rep->employee : &none;
    if (ctl->json) {
        json_t *hist = json_array();
        for (size_t i = 0; i < rep->n_history; i++)
            json_array_append_new(hist, ent_evjson_to_json(rep->history[i]));
        json_t *j = json_object();
        json_object_set_new(j, "employee", ent_msgjson_employee(e));
        json_object_set_new(j, "history", hist);
        ctl_print_json(j);
    } else {
        char n[16];
        s_kv("employee_id", e->employee_id);
        s_kv("first_name", e->first_name);
        s_kv("last_name", e->last_name);
        s_kv("entity", e->entity);
        s_kv("department", e->department);
        s_kv("site", e->site);
        s_kv("region", e->region);
        s_kv("manager_id", e->manager_id);
        s_kv("email", e->email);
        s_kv("locale", e->locale);
        s_kv("position", e->position);
        s_kv_date("birth_date", e->birth_date);
        s_kv("category", e->category);
        s_kv("contract", e->contract);
        s_kv_date("contract_end", e->contract_end);
        snprintf(n, sizeof n, "%u", e->trial_months);
        s_kv("trial_months", e->trial_months ? n : "");
        snprintf(n, sizeof n, "%u", e->trial_days);
        s_kv("trial_days", e->trial_days ? n : "");
        s_kv("trial_renewable", e->trial_renewable ? "yes" : "no");
        s_kv("forfait_jours", e->forfait_jours ? "yes" : "no");
        s_kv_date("hired_on", e->hired_on);
        s_kv_date("left_on", e->left_on);
        s_kv_date("trial_end", e->trial_end);
        s_kv("employed", e->employed ? "yes" : "no");
        printf("\nhistory (%zu event%s)\n", rep->n_history, rep->n_history == 1 ? "" : "s");
        if (rep->n_history) {
            ctl_table_t *t = ctl_table_new("  DATE", "TYPE", "SOURCE", "EVENT_ID", "DETAILS", NULL);
            for (size_t i = 0; i < rep->n_history; i++) {
                const Entretiens__V1__EmployeeEvent *ev = rep->history[i];
                char d[ENT_PBDATE_BUFLEN];
                char *details = s_event_details(ev);
                ctl_table_row(t);
                ctl_table_cellf(t, CTL_PLAIN, "  %s", ent_pbdate_str(ev->effective_date, d));
                ctl_table_cell(t, ev->type, CTL_PLAIN);
                ctl_table_cell(t, ev->source, CTL_PLAIN);
                ctl_table_cell(t, ev->event_id, CTL_PLAIN);
                ctl_table_cell(t, details, CTL_PLAIN);
                free(details);
            }
            ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
        }
    }
    s_free(rep);
    return CTL_OK;
}

/* ------------------------------------------------------------------- due */

#define DUE_USAGE                                                                                  \
    "due --from D --to D [--type T] [--entity E] [--department X] [--manager M] [--all] [--limit N] [--by-type]\n"                  \
    "    [--after OBLIGATION_ID --after-due D]"

/* --by-type: how many deadlines of each type, by status, counted by the
 * scheduler over the whole period (exact, whatever the page size). */
static void s_due_by_type(ctl_t *ctl, const Entretiens__V1__DueReply *rep)
{
    json_t *by = json_object(); /* type -> {status -> count} */
    for (size_t i = 0; i < rep->n_counts; i++) {
        const Entretiens__V1__DueCount *dc = rep->counts[i];
        json_t *t = json_object_get(by, dc->type);
        if (!t) {
            t = json_object();
            json_object_set_new(by, dc->type, t);
        }
        json_object_set_new(t, dc->status, json_integer((json_int_t) dc->count));
        json_t *total = json_object_get(t, "total");
        json_object_set_new(t, "total", json_integer((total ? json_integer_value(total) : 0) + (json_int_t) dc->count));
    }
    if (ctl->json) {
        ctl_print_json(json_pack("{s:o, s:I, s:b}", "by_type", by, "total", (json_int_t) rep->total, "truncated", false));
        return;
    }
    static const char *const statuses[] = { "upcoming", "overdue", "met", "waived", "cancelled" };
    ctl_lang_t l = ctl->lang;
    ctl_table_t *t = ctl_table_new("TYPE", ctl_l(l, "UPCOMING", "À VENIR"), ctl_l(l, "OVERDUE", "EN RETARD"),
                                   ctl_l(l, "MET", "RÉALISÉ"), ctl_l(l, "WAIVED", "NON DÛ"),
                                   ctl_l(l, "CANCELLED", "ANNULÉ"), "TOTAL", NULL);
    const char *key;
    json_t *counts;
    json_object_foreach(by, key, counts) {
        ctl_table_row(t);
        ctl_table_cell(t, ctl_type_label(l, key), CTL_PLAIN);
        for (size_t k = 0; k < sizeof statuses / sizeof *statuses; k++) {
            json_t *c = json_object_get(counts, statuses[k]);
            ctl_table_cellf(t, CTL_PLAIN, "%lld", c ? (long long) json_integer_value(c) : 0LL);
        }
        ctl_table_cellf(t, CTL_PLAIN, "%lld", (long long) json_integer_value(json_object_get(counts, "total")));
    }
    ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    printf(ctl_l(l, "%llu deadlines\n", "%llu échéances\n"), (unsigned long long) rep->total);
    json_decref(by);
}

int ctl_cmd_due(ctl_t *ctl, int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *type = NULL, *entity = NULL, *dep = NULL, *mgr = NULL, *limit = NULL;
    const char *after = NULL, *after_due = NULL;
    bool all = false, by_type = false;
    ctl_opt_t opts[] = {
        CTL_OPT("--from", &from),     CTL_OPT("--to", &to),
        CTL_OPT("--type", &type),     CTL_OPT("--entity", &entity),
        CTL_OPT("--department", &dep), CTL_OPT("--manager", &mgr),
        CTL_OPT("--limit", &limit),   CTL_FLAG("--all", &all),
        CTL_FLAG("--by-type", &by_type),
        CTL_OPT("--after", &after),    CTL_OPT("--after-due", &after_due),
    };
    if (ctl_args_parse("due", DUE_USAGE, argc, argv, 1, opts, sizeof opts / sizeof *opts, NULL, 0, NULL) != 0)
        return CTL_USAGE;
    if (!from || !to) {
        ctl_bad("due", "--from and --to are required");
        return ctl_usage(DUE_USAGE);
    }
    Entretiens__V1__DueRequest req = ENTRETIENS__V1__DUE_REQUEST__INIT;
    Entretiens__V1__Date df, dt;
    uint64_t lim = 0;
    if (s_date_arg("due", "--from", from, &df) || s_date_arg("due", "--to", to, &dt) ||
        (limit && s_uint_arg("due", "--limit", limit, 1, DUE_MAX_LIMIT, &lim)))
        return CTL_USAGE;
    if (dt.year * 10000 + dt.month * 100 + dt.day < df.year * 10000 + df.month * 100 + df.day)
        return ctl_bad("due", "--to %s is before --from %s", to, from);
    req.from = &df;
    req.to = &dt;
    req.type = (char *) s_or(type, "");
    req.entity = (char *) s_or(entity, "");
    req.department = (char *) s_or(dep, "");
    req.manager_id = (char *) s_or(mgr, "");
    req.include_met = all;
    req.limit = (uint32_t) lim;
    req.counts_only = by_type;
    req.lang = (char *) ctl_lang_code(ctl->lang);
    Entretiens__V1__Date da;
    if (!after != !after_due)
        return ctl_bad("due", "--after (an obligation id) and --after-due (its due date) go together");
    if (after) {
        if (s_date_arg("due", "--after-due", after_due, &da))
            return CTL_USAGE;
        req.after_due = &da;
        req.after_obligation_id = (char *) after;
    }
    Entretiens__V1__DueReply *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.due", &req.base, &entretiens__v1__due_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (by_type) {
        s_due_by_type(ctl, rep);
    } else if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_obligations; i++)
            json_array_append_new(arr, ent_msgjson_obligation(rep->obligations[i], true));
        ctl_print_json(arr);
    } else if (rep->n_obligations == 0) {
        printf(ctl_l(ctl->lang, "nothing due from %s to %s\n", "aucune échéance du %s au %s\n"), from, to);
    } else {
        ctl_lang_t l = ctl->lang;
        ctl_table_t *t = ctl_table_new(ctl_l(l, "DUE", "ÉCHÉANCE"), "TYPE", ctl_l(l, "EMPLOYEE", "SALARIÉ"),
                                       ctl_l(l, "NAME", "NOM"), ctl_l(l, "MANAGER", "MANAGER"),
                                       ctl_l(l, "STATUS", "STATUT"), NULL);
        for (size_t i = 0; i < rep->n_obligations; i++) {
            const Entretiens__V1__Obligation *o = rep->obligations[i];
            char due[ENT_PBDATE_BUFLEN];
            ctl_table_row(t);
            ctl_table_cell(t, ent_pbdate_str(o->due_date, due), CTL_PLAIN);
            ctl_table_cell(t, ctl_type_label(l, o->type), CTL_PLAIN);
            ctl_table_cell(t, o->employee_id, CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%s%s%s", s_or(o->first_name, ""),
                            o->first_name && *o->first_name && o->last_name && *o->last_name ? " " : "",
                            s_or(o->last_name, ""));
            char mgr[400];
            s_person(mgr, sizeof mgr, o->manager_id, o->manager_first_name, o->manager_last_name);
            ctl_table_cell(t, mgr, CTL_PLAIN);
            ctl_table_cell(t, ctl_status_label(l, o->status), s_status_color(o->status));
        }
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    }
    if (rep->truncated)
        fprintf(stderr, "entretiensctl: due: truncated: only the first %zu of %llu obligations are shown; the next page: "
                        "--after %s --after-due %04d-%02d-%02d\n", rep->n_obligations, (unsigned long long) rep->total,
                rep->n_obligations ? rep->obligations[rep->n_obligations - 1]->obligation_id : "",
                rep->n_obligations ? rep->obligations[rep->n_obligations - 1]->due_date->year : 0,
                rep->n_obligations ? rep->obligations[rep->n_obligations - 1]->due_date->month : 0,
                rep->n_obligations ? rep->obligations[rep->n_obligations - 1]->due_date->day : 0);
    s_free(rep);
    return CTL_OK;
}

/* ------------------------------------------------------------- deadlines */

#define DEADLINES_USAGE                                                                            \
    "deadlines disciplinary [--facts-known D] [--letter-presented D] [--interview D] [--region R]\n"             \
    "                       [--entity E] [--good-friday unknown|holiday|working]"

int ctl_cmd_deadlines(ctl_t *ctl, int argc, char **argv)
{
    const char *facts = NULL, *letter = NULL, *interview = NULL, *region = NULL, *entity = NULL,
               *good_friday = NULL;
    ctl_opt_t opts[] = {
        CTL_OPT("--facts-known", &facts),
        CTL_OPT("--letter-presented", &letter),
        CTL_OPT("--interview", &interview),
        CTL_OPT("--region", &region),
        CTL_OPT("--entity", &entity),
        CTL_OPT("--good-friday", &good_friday),
    };
    if (argc < 2 || strcmp(argv[1], "disciplinary") != 0)
        return ctl_usage(DEADLINES_USAGE);
    if (ctl_args_parse("deadlines disciplinary", DEADLINES_USAGE, argc, argv, 2, opts, 6, NULL, 0, NULL) != 0)
        return CTL_USAGE;
    if (!facts && !letter && !interview) {
        ctl_bad("deadlines disciplinary", "give at least one of --facts-known, --letter-presented, --interview");
        return ctl_usage(DEADLINES_USAGE);
    }
    Entretiens__V1__DisciplinaryRequest req = ENTRETIENS__V1__DISCIPLINARY_REQUEST__INIT;
    Entretiens__V1__Date a, b, c;
    if ((facts && s_date_arg("deadlines disciplinary", "--facts-known", facts, &a)) ||
        (letter && s_date_arg("deadlines disciplinary", "--letter-presented", letter, &b)) ||
        (interview && s_date_arg("deadlines disciplinary", "--interview", interview, &c)))
        return CTL_USAGE;
    req.facts_known = facts ? &a : NULL;
    req.letter_presented = letter ? &b : NULL;
    req.interview = interview ? &c : NULL;
    req.region = (char *) s_or(region, "");
    req.entity = (char *) s_or(entity, "");
    req.good_friday = (char *) s_or(good_friday, "");
    Entretiens__V1__DisciplinaryReply *rep =
        ctl_call_unpack(ctl, DAEMON, "scheduler.disciplinary", &req.base, &entretiens__v1__disciplinary_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    struct { const char *name; const Entretiens__V1__Date *d; } f[] = {
        { "convocation_by", rep->convocation_by },
        { "interview_not_before", rep->interview_not_before },
        { "sanction_not_before", rep->sanction_not_before },
        { "sanction_not_after", rep->sanction_not_after },
    };
    if (ctl->json) {
        json_t *j = json_object();
        for (size_t i = 0; i < 4; i++)
            if (f[i].d)
                json_object_set_new(j, f[i].name, ent_json_pbdate(f[i].d));
        json_object_set_new(j, "basis", ent_json_str(rep->basis));
        if (rep->note && *rep->note)
            json_object_set_new(j, "note", ent_json_str(rep->note));
        ctl_print_json(j);
    } else {
        for (size_t i = 0; i < 4; i++)
            if (f[i].d)
                s_kv_date(f[i].name, f[i].d);
        s_kv("basis", rep->basis);
        if (rep->note && *rep->note)
            s_kv("note", rep->note);
    }
    s_free(rep);
    return CTL_OK;
}

/* -------------------------------------------------------------- campaign */

#define CAMPAIGN_USAGE                                                                             \
    "campaign create --id ID --from D --to D [--type T] [--title TEXT] [--entity E] [--department X] "   \
    "[--site S] [--category C] [--hired-before D] [--hired-after D] | campaign list | campaign show ID\n" \
    "       campaign preview [--id ID] --from D --to D [the filters of create] | "                      \
    "campaign members ID [--late] [--limit N]\n"                                                       \
    "       campaign progress ID [--by entity|department|manager] | campaign remind ID\n"                  \
    "       campaign close ID [--note TEXT] | campaign extend ID --to D [--note TEXT] | campaign cancel ID [--note TEXT]"

static json_t *s_campaign_json(const Entretiens__V1__Campaign *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", ent_json_str(c->id));
    json_object_set_new(j, "type", ent_json_str(c->type));
    json_object_set_new(j, "title", ent_json_str(c->title));
    json_object_set_new(j, "window_start", ent_json_pbdate(c->window_start));
    json_object_set_new(j, "window_end", ent_json_pbdate(c->window_end));
    json_object_set_new(j, "entity", ent_json_str(c->entity));
    json_object_set_new(j, "department", ent_json_str(c->department));
    json_object_set_new(j, "site", ent_json_str(c->site));
    json_object_set_new(j, "category", ent_json_str(c->category));
    json_object_set_new(j, "hired_before", ent_json_pbdate(c->hired_before));
    json_object_set_new(j, "hired_after", ent_json_pbdate(c->hired_after));
    json_object_set_new(j, "created_at", ent_msgjson_time(c->created_at_ms));
    json_object_set_new(j, "eligible", json_integer(c->eligible));
    json_object_set_new(j, "state", ent_json_str(c->state && *c->state ? c->state : "open"));
    json_object_set_new(j, "met", json_integer(c->met));
    json_object_set_new(j, "upcoming", json_integer(c->upcoming));
    json_object_set_new(j, "overdue", json_integer(c->overdue));
    json_object_set_new(j, "cancelled", json_integer(c->cancelled));
    json_object_set_new(j, "completion_pct",
                        c->eligible > c->cancelled ? json_real(100.0 * c->met / (c->eligible - c->cancelled)) : json_null());
    json_object_set_new(j, "closed_on", ent_json_pbdate(c->closed_on));
    json_object_set_new(j, "extended_from", ent_json_pbdate(c->extended_from));
    json_object_set_new(j, "state_changed_at", ent_msgjson_time(c->state_changed_at_ms));
    json_object_set_new(j, "state_changed_by", ent_json_str(c->state_changed_by));
    json_object_set_new(j, "note", ent_json_str(c->note));
    return j;
}

static void s_campaign_print(const Entretiens__V1__Campaign *c)
{
    char when[48], n[16];
    s_kv("id", c->id);
    s_kv("type", c->type);
    s_kv("title", c->title);
    s_kv_date("window_start", c->window_start);
    s_kv_date("window_end", c->window_end);
    s_kv("entity", s_or(c->entity, "(any)"));
    s_kv("department", s_or(c->department, "(any)"));
    s_kv("site", s_or(c->site, "(any)"));
    s_kv("category", s_or(c->category, "(any)"));
    s_kv_date("hired_before", c->hired_before);
    s_kv_date("hired_after", c->hired_after);
    s_kv("created_at", ent_time_str(c->created_at_ms, when, sizeof when));
    snprintf(n, sizeof n, "%u", c->eligible);
    s_kv("eligible", n);
    s_kv("state", c->state && *c->state ? c->state : "open");
    if (c->extended_from)
        s_kv_date("extended_from", c->extended_from);
    if (c->closed_on)
        s_kv_date("closed_on", c->closed_on);
    if (c->state_changed_at_ms) {
        s_kv("changed_at", ent_time_str(c->state_changed_at_ms, when, sizeof when));
        s_kv("changed_by", c->state_changed_by);
        s_kv("note", c->note);
    }
    char progress[160];
    unsigned owed = c->eligible > c->cancelled ? c->eligible - c->cancelled : 0;
    snprintf(progress, sizeof progress, "%u met of %u (%.1f %%), %u upcoming, %u overdue, %u cancelled", c->met, owed,
             owed ? 100.0 * c->met / owed : 0.0, c->upcoming, c->overdue, c->cancelled);
    s_kv("progress", progress);
}

/* Calls a campaign method answering a Campaign and prints it. */
static int s_campaign_call(ctl_t *ctl, const char *method, const ProtobufCMessage *req)
{
    Entretiens__V1__Campaign *rep = ctl_call_unpack(ctl, DAEMON, method, req, &entretiens__v1__campaign__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json)
        ctl_print_json(s_campaign_json(rep));
    else
        s_campaign_print(rep);
    s_free(rep);
    return CTL_OK;
}

/* campaign close|extend|cancel ID: the campaign's life (scheduler.campaign.change). */
static int s_campaign_change(ctl_t *ctl, int argc, char **argv)
{
    const char *action = argv[1], *to = NULL, *note = NULL;
    char what[32];
    snprintf(what, sizeof what, "campaign %s", action);
    ctl_opt_t opts[] = { CTL_OPT("--to", &to), CTL_OPT("--note", &note) };
    const char *pos[1];
    int np = 0;
    if (ctl_args_parse(what, CAMPAIGN_USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, pos, 1, &np) != 0)
        return CTL_USAGE;
    bool extend = strcmp(action, "extend") == 0;
    if (np != 1 || !*pos[0] || (extend && !to)) {
        ctl_bad(what, extend ? "the campaign id and --to (the new end) are required" : "the campaign id is required");
        return ctl_usage(CAMPAIGN_USAGE);
    }
    if (!extend && to)
        return ctl_bad(what, "--to is for extend only");
    Entretiens__V1__CampaignChange req = ENTRETIENS__V1__CAMPAIGN_CHANGE__INIT;
    Entretiens__V1__Date end;
    if (to && s_date_arg(what, "--to", to, &end))
        return CTL_USAGE;
    req.id = (char *) pos[0];
    req.action = (char *) action;
    req.window_end = to ? &end : NULL;
    req.note = (char *) s_or(note, "");
    return s_campaign_call(ctl, "scheduler.campaign.change", &req.base);
}

/* What create and preview send: the dates the campaign points to. */
typedef struct {
    Entretiens__V1__Date ws, we, hb, ha;
} s_campaign_dates_t;

/* Parses campaign create|preview's options into c (need_id: --id is
 * required).  Returns 0, or CTL_USAGE (said). */
static int s_campaign_args(const char *what, bool need_id, int argc, char **argv, Entretiens__V1__Campaign *c,
                           s_campaign_dates_t *d)
{
    const char *id = NULL, *from = NULL, *to = NULL, *type = NULL, *title = NULL, *entity = NULL, *dep = NULL,
               *site = NULL, *cat = NULL, *hired = NULL, *after = NULL;
    ctl_opt_t opts[] = {
        CTL_OPT("--id", &id),         CTL_OPT("--from", &from),         CTL_OPT("--to", &to),
        CTL_OPT("--type", &type),     CTL_OPT("--title", &title),       CTL_OPT("--entity", &entity),
        CTL_OPT("--department", &dep), CTL_OPT("--site", &site),        CTL_OPT("--category", &cat),
        CTL_OPT("--hired-before", &hired), CTL_OPT("--hired-after", &after),
    };
    if (ctl_args_parse(what, CAMPAIGN_USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, NULL, 0, NULL) != 0)
        return CTL_USAGE;
    if ((need_id && !id) || !from || !to) {
        ctl_bad(what, need_id ? "--id, --from and --to are required" : "--from and --to are required");
        return ctl_usage(CAMPAIGN_USAGE);
    }
    if (s_date_arg(what, "--from", from, &d->ws) || s_date_arg(what, "--to", to, &d->we) ||
        (hired && s_date_arg(what, "--hired-before", hired, &d->hb)) ||
        (after && s_date_arg(what, "--hired-after", after, &d->ha)))
        return CTL_USAGE;
    if (d->we.year * 10000 + d->we.month * 100 + d->we.day < d->ws.year * 10000 + d->ws.month * 100 + d->ws.day)
        return ctl_bad(what, "--to %s is before --from %s", to, from);
    c->id = (char *) s_or(id, "");
    c->type = (char *) s_or(type, "");
    c->title = (char *) s_or(title, "");
    c->window_start = &d->ws;
    c->window_end = &d->we;
    c->entity = (char *) s_or(entity, "");
    c->department = (char *) s_or(dep, "");
    c->site = (char *) s_or(site, "");
    c->category = (char *) s_or(cat, "");
    c->hired_before = hired ? &d->hb : NULL;
    c->hired_after = after ? &d->ha : NULL;
    return 0;
}

static int s_campaign_create(ctl_t *ctl, int argc, char **argv)
{
    Entretiens__V1__Campaign c = ENTRETIENS__V1__CAMPAIGN__INIT;
    s_campaign_dates_t d;
    int rc = s_campaign_args("campaign create", true, argc, argv, &c, &d);
    return rc ? rc : s_campaign_call(ctl, "scheduler.campaign.create", &c.base);
}

static json_t *s_member_json(const Entretiens__V1__CampaignMember *m, bool members)
{
    json_t *j = json_object();
    json_object_set_new(j, "employee_id", ent_json_str(m->employee_id));
    json_object_set_new(j, "first_name", ent_json_str(m->first_name));
    json_object_set_new(j, "last_name", ent_json_str(m->last_name));
    json_object_set_new(j, "entity", ent_json_str(m->entity));
    json_object_set_new(j, "department", ent_json_str(m->department));
    json_object_set_new(j, "site", ent_json_str(m->site));
    json_object_set_new(j, "category", ent_json_str(m->category));
    json_object_set_new(j, "manager_id", ent_json_str(m->manager_id));
    json_object_set_new(j, "hired_on", ent_json_pbdate(m->hired_on));
    if (members) {
        json_object_set_new(j, "status", ent_json_str(m->status));
        json_object_set_new(j, "late", json_boolean(m->late));
    }
    return j;
}

/* Prints a population (preview or members). */
static int s_members_print(ctl_t *ctl, Entretiens__V1__CampaignMembers *rep, bool members)
{
    if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_members; i++)
            json_array_append_new(arr, s_member_json(rep->members[i], members));
        json_t *j = json_pack("{s:o, s:i, s:o, s:b}", "campaign_id", ent_json_str(rep->campaign_id), "total",
                              (json_int_t) rep->total, "members", arr, "truncated", rep->truncated);
        if (members)
            json_object_set_new(j, "late", json_integer(rep->late));
        ctl_print_json(j);
        return CTL_OK;
    }
    ctl_table_t *t = members ? ctl_table_new("EMPLOYEE", "NAME", "ENTITY", "DEPARTMENT", "SITE", "MANAGER", "HIRED",
                                             "STATUS", "LATE", NULL)
                             : ctl_table_new("EMPLOYEE", "NAME", "ENTITY", "DEPARTMENT", "SITE", "MANAGER", "HIRED", NULL);
    for (size_t i = 0; i < rep->n_members; i++) {
        const Entretiens__V1__CampaignMember *m = rep->members[i];
        char hired[ENT_PBDATE_BUFLEN];
        ctl_table_row(t);
        ctl_table_cell(t, m->employee_id, CTL_PLAIN);
        ctl_table_cellf(t, CTL_PLAIN, "%s %s", s_or(m->first_name, ""), s_or(m->last_name, ""));
        ctl_table_cell(t, m->entity, CTL_PLAIN);
        ctl_table_cell(t, m->department, CTL_PLAIN);
        ctl_table_cell(t, m->site, CTL_PLAIN);
        ctl_table_cell(t, m->manager_id, CTL_PLAIN);
        ctl_table_cell(t, ent_pbdate_str(m->hired_on, hired), CTL_PLAIN);
        if (members) {
            ctl_table_cell(t, m->status, CTL_PLAIN);
            ctl_table_cell(t, m->late ? "late" : "", CTL_PLAIN);
        }
    }
    ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    if (members)
        printf("%u people, %u joined late%s\n", rep->total, rep->late, rep->truncated ? " (list truncated)" : "");
    else
        printf("%u people%s\n", rep->total, rep->truncated ? " (list truncated)" : "");
    return CTL_OK;
}

/* campaign preview: who a campaign would concern (scheduler.campaign.preview). */
static int s_campaign_preview(ctl_t *ctl, int argc, char **argv)
{
    Entretiens__V1__Campaign c = ENTRETIENS__V1__CAMPAIGN__INIT;
    s_campaign_dates_t d;
    int rc = s_campaign_args("campaign preview", false, argc, argv, &c, &d);
    if (rc)
        return rc;
    Entretiens__V1__CampaignMembers *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.campaign.preview", &c.base,
                                                           &entretiens__v1__campaign_members__descriptor);
    if (!rep)
        return CTL_FAILED;
    rc = s_members_print(ctl, rep, false);
    s_free(rep);
    return rc;
}

/* campaign members ID [--late] [--limit N] (scheduler.campaign.members). */
static int s_campaign_members(ctl_t *ctl, int argc, char **argv)
{
    const char *limit = NULL;
    bool late = false;
    ctl_opt_t opts[] = { CTL_FLAG("--late", &late), CTL_OPT("--limit", &limit) };
    const char *pos[1];
    int np = 0;
    if (ctl_args_parse("campaign members", CAMPAIGN_USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, pos, 1, &np) != 0)
        return CTL_USAGE;
    if (np != 1 || !*pos[0]) {
        ctl_bad("campaign members", "the campaign id is required");
        return ctl_usage(CAMPAIGN_USAGE);
    }
    char *end = NULL;
    unsigned long n = limit ? strtoul(limit, &end, 10) : 0;
    if (limit && (!*limit || *end || n == 0 || n > 20000))
        return ctl_bad("campaign members", "--limit is from 1 to 20000, not '%s'", limit);
    Entretiens__V1__CampaignMembersRequest req = ENTRETIENS__V1__CAMPAIGN_MEMBERS_REQUEST__INIT;
    req.id = (char *) pos[0];
    req.limit = (uint32_t) n;
    req.late_only = late;
    Entretiens__V1__CampaignMembers *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.campaign.members", &req.base,
                                                           &entretiens__v1__campaign_members__descriptor);
    if (!rep)
        return CTL_FAILED;
    int rc = s_members_print(ctl, rep, true);
    s_free(rep);
    return rc;
}

int ctl_cmd_campaign(ctl_t *ctl, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return s_campaign_create(ctl, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "preview") == 0)
        return s_campaign_preview(ctl, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "members") == 0)
        return s_campaign_members(ctl, argc, argv);
    bool other;
    int rc = ctl_campaign_more(ctl, argc, argv, &other);
    if (other)
        return rc;
    if (argc >= 2 && (strcmp(argv[1], "close") == 0 || strcmp(argv[1], "extend") == 0 || strcmp(argv[1], "cancel") == 0))
        return s_campaign_change(ctl, argc, argv);
    const char *pos[2];
    int np = 0;
    if (ctl_args_parse("campaign", CAMPAIGN_USAGE, argc, argv, 1, NULL, 0, pos, 2, &np) != 0)
        return CTL_USAGE;
    bool list = np == 1 && strcmp(pos[0], "list") == 0;
    bool show = np == 2 && strcmp(pos[0], "show") == 0 && *pos[1];
    if (!list && !show)
        return ctl_usage(CAMPAIGN_USAGE);
    Entretiens__V1__CampaignRequest req = ENTRETIENS__V1__CAMPAIGN_REQUEST__INIT;
    req.id = show ? (char *) pos[1] : "";
    Entretiens__V1__CampaignList *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.campaign.list", &req.base, &entretiens__v1__campaign_list__descriptor);
    if (!rep)
        return CTL_FAILED;
    int status = CTL_OK;
    if (show) {
        const Entretiens__V1__Campaign *c = NULL;
        for (size_t i = 0; i < rep->n_campaigns; i++)
            if (strcmp(rep->campaigns[i]->id, pos[1]) == 0)
                c = rep->campaigns[i];
        if (!c) {
            fprintf(stderr, "entretiensctl: campaign show: no campaign '");
            ent_fputs_clean(pos[1], stderr);
            fprintf(stderr, "'\n");
            status = CTL_FAILED;
        } else if (ctl->json) {
            ctl_print_json(s_campaign_json(c));
        } else {
            s_campaign_print(c);
        }
    } else if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_campaigns; i++)
            json_array_append_new(arr, s_campaign_json(rep->campaigns[i]));
        ctl_print_json(arr);
    } else if (rep->n_campaigns == 0) {
        printf("no campaigns\n");
    } else {
        ctl_table_t *t = ctl_table_new("ID", "TYPE", "FROM", "TO", "STATE", "ELIGIBLE", "MET", "FILTERS", "TITLE", NULL);
        for (size_t i = 0; i < rep->n_campaigns; i++) {
            const Entretiens__V1__Campaign *c = rep->campaigns[i];
            char ws[ENT_PBDATE_BUFLEN], we[ENT_PBDATE_BUFLEN], hb[ENT_PBDATE_BUFLEN], filters[512];
            snprintf(filters, sizeof filters, "%s%s%s%s%s%s", c->entity && *c->entity ? "entity=" : "",
                     s_or(c->entity, ""), c->department && *c->department ? " department=" : "",
                     s_or(c->department, ""), c->hired_before ? " hired_before=" : "", ent_pbdate_str(c->hired_before, hb));
            ctl_table_row(t);
            ctl_table_cell(t, c->id, CTL_PLAIN);
            ctl_table_cell(t, c->type, CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(c->window_start, ws), CTL_PLAIN);
            ctl_table_cell(t, ent_pbdate_str(c->window_end, we), CTL_PLAIN);
            ctl_table_cell(t, c->state && *c->state ? c->state : "open", CTL_PLAIN);
            ctl_table_cellf(t, CTL_PLAIN, "%u", c->eligible);
            ctl_table_cellf(t, CTL_PLAIN, "%u", c->met);
            ctl_table_cell(t, filters[0] == ' ' ? filters + 1 : filters[0] ? filters : "-", CTL_PLAIN);
            ctl_table_cell(t, c->title, CTL_PLAIN);
        }
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    }
    s_free(rep);
    return status;
}

/* ----------------------------------------------------------- deadletters */

#define DEADLETTERS_USAGE "deadletters [--limit N] [--after ID]"

/* deadletters resubmit ID: the letter's event judged again (after a fix) */
static int s_deadletter_resubmit(ctl_t *ctl, int argc, char **argv)
{
    static const char usage[] = "deadletters resubmit ID";
    const char *pos[1];
    int np = 0;
    uint64_t id = 0;
    if (ctl_args_parse("deadletters resubmit", usage, argc, argv, 2, NULL, 0, pos, 1, &np) != 0)
        return CTL_USAGE;
    if (np != 1 || s_uint_arg("deadletters resubmit", "ID", pos[0], 1, UINT64_MAX, &id))
        return ctl_usage(usage);
    Entretiens__V1__DeadLetterResubmit req = ENTRETIENS__V1__DEAD_LETTER_RESUBMIT__INIT;
    req.id = id;
    Entretiens__V1__IngestReply *rep = ctl_call_unpack(ctl, DAEMON, "scheduler.deadletters.resubmit", &req.base,
                                                        &entretiens__v1__ingest_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    const Entretiens__V1__EventResult *r = rep->n_results ? rep->results[0] : NULL;
    const char *outcome = r && r->outcome ? r->outcome : "?";
    bool applied = strcmp(outcome, "accepted") == 0 || strcmp(outcome, "duplicate") == 0;
    if (ctl->json)
        ctl_print_json(json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t) id, "outcome", outcome, "field",
                                 r && r->field && *r->field ? ent_json_str(r->field) : json_null(), "reason",
                                 r && r->reason && *r->reason ? ent_json_str(r->reason) : json_null()));
    else if (applied)
        printf("dead letter %" PRIu64 ": %s\n", id, outcome);
    else
        printf("dead letter %" PRIu64 ": %s again (%s: %s); a new letter holds it\n", id, outcome,
               r && r->field ? r->field : "", r && r->reason ? r->reason : "");
    s_free(rep);
    return applied ? CTL_OK : CTL_FAILED;
}

int ctl_cmd_deadletters(ctl_t *ctl, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "resubmit") == 0)
        return s_deadletter_resubmit(ctl, argc, argv);
    const char *limit = NULL, *after = NULL;
    ctl_opt_t opts[] = { CTL_OPT("--limit", &limit), CTL_OPT("--after", &after) };
    if (ctl_args_parse("deadletters", DEADLETTERS_USAGE, argc, argv, 1, opts, 2, NULL, 0, NULL) != 0)
        return CTL_USAGE;
    uint64_t lim = 100, aft = 0;
    if ((limit && s_uint_arg("deadletters", "--limit", limit, 1, DEADLETTERS_MAX_LIMIT, &lim)) ||
        (after && s_uint_arg("deadletters", "--after", after, 0, UINT64_MAX, &aft)))
        return CTL_USAGE;
    Entretiens__V1__DeadLettersRequest req = ENTRETIENS__V1__DEAD_LETTERS_REQUEST__INIT;
    req.limit = (uint32_t) lim;
    req.after_id = aft;
    Entretiens__V1__DeadLettersReply *rep =
        ctl_call_unpack(ctl, DAEMON, "scheduler.deadletters", &req.base, &entretiens__v1__dead_letters_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < rep->n_letters; i++) {
            const Entretiens__V1__DeadLetter *d = rep->letters[i];
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer((json_int_t) d->id));
            json_object_set_new(o, "received_at", ent_msgjson_time(d->received_at_ms));
            json_object_set_new(o, "caller", ent_json_str(d->caller));
            json_object_set_new(o, "field", ent_json_str(d->field));
            json_object_set_new(o, "reason", ent_json_str(d->reason));
            json_object_set_new(o, "event", d->event ? ent_evjson_to_json(d->event) : json_null());
            /* letters stored before conflicts existed have no outcome */
            json_object_set_new(o, "outcome", ent_json_str(d->outcome && *d->outcome ? d->outcome : "rejected"));
            json_array_append_new(arr, o);
        }
        ctl_print_json(arr);
    } else if (rep->n_letters == 0) {
        printf("no dead letters%s\n", aft ? " after that id" : "");
    } else {
        ctl_table_t *t = ctl_table_new("ID", "RECEIVED", "EVENT_ID", "SOURCE", "EMPLOYEE", "FIELD", "REASON", NULL);
        for (size_t i = 0; i < rep->n_letters; i++) {
            const Entretiens__V1__DeadLetter *d = rep->letters[i];
            char when[48];
            ctl_table_row(t);
            ctl_table_cellf(t, CTL_PLAIN, "%" PRIu64, d->id);
            ctl_table_cell(t, ent_time_str(d->received_at_ms, when, sizeof when), CTL_PLAIN);
            ctl_table_cell(t, d->event ? d->event->event_id : "", CTL_PLAIN);
            ctl_table_cell(t, d->event ? d->event->source : "", CTL_PLAIN);
            ctl_table_cell(t, d->event ? d->event->employee_id : "", CTL_PLAIN);
            ctl_table_cell(t, d->field, CTL_RED);
            ctl_table_cell(t, d->reason, CTL_PLAIN);
        }
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    }
    if (rep->n_letters == lim && rep->n_letters > 0)
        fprintf(stderr, "entretiensctl: deadletters: %zu shown of %" PRIu64 " in total; next page: --after %" PRIu64 "\n",
                rep->n_letters, rep->total, rep->letters[rep->n_letters - 1]->id);
    s_free(rep);
    return CTL_OK;
}

/* ------------------------------------------------------------------ help */

const char *ctl_scheduler_details(const char *command)
{
    static const struct { const char *name, *text; } s_details[] = {
        { "ingest",
          "FILE holds one JSON event per line (proto field names, dates YYYY-MM-DD); blank lines\n"
          "are skipped but counted.  Events go in batches of 1,000.  Lines that are not valid\n"
          "JSON, have a value of the wrong JSON type, a malformed date or an unknown field are\n"
          "rejected here; the scheduler judges the rest (rejections are kept as dead letters).\n"
          "\n"
          "An event id already ingested (same source) is a duplicate when the event is the same,\n"
          "and a conflict when a field differs: FIELD is the first differing one, the first version\n"
          "is kept and the new one becomes a dead letter.  Conflicts count as rejections.\n"
          "\n"
          "An accepted event may carry warnings (a manager_id nobody was hired under yet): it is\n"
          "applied all the same; warnings go to stderr and do not change the exit status.\n"
          "\n"
          "output:  accepted N, duplicate N, rejected N[ (conflict N)]\n"
          "         line L: event EVENT_ID: FIELD: REASON      (one per rejection; EVENT_ID - when unknown)\n"
          "stderr:  warning: line L: event EVENT_ID: FIELD: REASON   (one per warning)\n"
          "--json:  {\"accepted\":N,\"duplicates\":N,\"rejected\":N,\n"
          "          \"rejections\":[{\"line\":L,\"event_id\":S,\"field\":S,\"reason\":S,\"outcome\":S}],\n"
          "          \"conflicts\":N,\"warnings\":[{\"line\":L,\"event_id\":S,\"field\":S,\"reason\":S}]}\n"
          "          (outcome: rejected | conflict)\n"
          "exit:    0 all accepted or duplicate (warnings or not), 1 some rejected (conflicts included)\n"
          "         or the scheduler failed, 2 usage\n" },
        { "policy",
          "policy apply FILE  replaces the whole policy with FILE (- = stdin), then shows it:\n"
          "  {\"entities\":[{\"id\":\"ACME-FR\",\"headcount\":120,\"region\":\"metropole\",\"periodicity_years\":4,\n"
          "                \"good_friday\":\"unknown\",\"branch_trial_renewal\":false,\"legacy_branch_trial\":false}],\n"
          "   \"options\":{\"first_interview_transition\":\"art2222\",\"recap_deadline\":\"seniority\",\n"
          "              \"late_interview\":\"missed\",\"special_cycle\":\"keeps_cycle\",\"suspensions\":\"ignored\",\n"
          "              \"return_to_work_min_days\":30,\"special_interviews\":\"separate\",\n"
          "              \"convocation_deadline\":\"no_extension\",\"return_interview_days\":0}}\n"
          "  Unknown keys are refused (the key is named); \"version\" is accepted and ignored.\n"
          "policy show        the policy in force.\n"
          "--json:  {\"entities\":[...],\"options\":{...every option...},\"version\":N}\n"
          "exit:    0 done, 1 invalid file or refused by the scheduler, 2 usage (incl. unreadable FILE)\n" },
        { "obligations",
          "table:   TYPE DUE WINDOW STATUS RULE PENALTY REASON (cut to the terminal width on a TTY)\n"
          "--json:  [{\"obligation_id\",\"type\",\"due_date\",\"window_start\",\"status\",\"rule\",\"basis\",\n"
          "           \"reason\",\"penalty_eur\" (only when > 0),\"penalty_if_inspected_eur\" (only when > 0),\n"
          "           \"actionable\",\"anchor\",\"met_on\" (when met)}]\n"
          "exit:    0 done, 1 unknown employee or scheduler error, 2 usage\n" },
        { "employee",
          "--json:  {\"employee\":{employee_id, entity, department, site, region, manager_id, email,\n"
          "          locale, birth_date, category, contract, contract_end, trial_months, trial_days,\n"
          "          trial_renewable, forfait_jours,\n"
          "          first_name, last_name, position, hired_on, left_on, trial_end, employed},\n"
          "          \"history\":[{event as in ingest files}...]}\n"
          "search:  QUERY is an id prefix or a part of the first or last name (case and accents\n"
          "         ignored); --entity and --department filter exactly; --limit 1-1000 (50);\n"
          "         only the people the caller may see (--as): HR its granted entities, a manager\n"
          "         her reporting line.  --json: {\"employees\":[{employee_id, first_name,\n"
          "         last_name, entity, department, site, manager_id, position, hired_on, left_on,\n"
          "         employed}...], \"next_after\": null or the --after of the next page}\n"
          "exit:    0 done, 1 unknown employee or scheduler error, 2 usage\n" },
        { "due",
          "filters: --type T  --entity E  --department X  --manager M\n"
          "         --all      include met, waived and cancelled obligations\n"
          "         --limit N  at most N obligations (1..50000; default: the scheduler's 10,000)\n"
          "table:   DUE TYPE EMPLOYEE NAME MANAGER STATUS; a truncated answer is said on stderr\n"
          "--json:  [obligation as in `obligations --json` plus employee_id, manager_id, entity,\n"
          "          department, site, first_name, last_name]\n"
          "exit:    0 done, 1 scheduler error, 2 usage or bad date\n" },
        { "deadlines",
          "Any combination of --facts-known D, --letter-presented D and --interview D; --entity E\n"
          "takes that entity's policy (region, good_friday, option convocation_deadline); --region R\n"
          "(metropole by default; alsace_moselle, guadeloupe, martinique, guyane, reunion, mayotte)\n"
          "and --good-friday (unknown, holiday, working) override it.\n"
          "--json:  {\"convocation_by\", \"interview_not_before\", \"sanction_not_before\",\n"
          "          \"sanction_not_after\" (those that apply, YYYY-MM-DD), \"basis\",\n"
          "          \"note\" (when an unknown Good Friday changed a date)}\n"
          "exit:    0 done, 1 scheduler error, 2 usage or bad date\n" },
        { "campaign",
          "campaign create --id ID --from D --to D [--type T] [--title TEXT] [--entity E]\n"
          "                [--department X] [--hired-before D]\n"
          "campaign list\n"
          "campaign show ID\n"
          "--json:  {\"id\",\"type\",\"title\",\"window_start\",\"window_end\",\"entity\",\"department\",\n"
          "          \"hired_before\",\"created_at\",\"eligible\"} (list: an array of them)\n"
          "exit:    0 done, 1 refused, unknown campaign or scheduler error, 2 usage or bad date\n" },
        { "deadletters",
          "--limit N (1..10000, default 100), --after ID (page after that dead letter id).\n"
          "table:   ID RECEIVED EVENT_ID SOURCE EMPLOYEE FIELD REASON; the next page is hinted on stderr\n"
          "--json:  [{\"id\",\"received_at\",\"caller\",\"field\",\"reason\",\"event\":{event as received},\n"
          "           \"outcome\":\"rejected\"|\"conflict\"}]\n"
          "resubmit ID: the letter's event judged again once the cause is fixed (the manager or the\n"
          "         entity now known...): accepted or duplicate, it leaves the list; refused again, a\n"
          "         new letter holds today's reason.  --json: {\"id\",\"outcome\",\"field\",\"reason\"}\n"
          "exit:    0 done (resubmit: applied), 1 refused or scheduler error, 2 usage\n" },
    };
    for (size_t i = 0; i < sizeof s_details / sizeof *s_details; i++)
        if (strcmp(s_details[i].name, command) == 0)
            return s_details[i].text;
    return NULL;
}
