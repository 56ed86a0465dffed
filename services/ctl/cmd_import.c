/*  cmd_import.c — entretiensctl import employees FILE.csv: an HRIS export
 *  (CSV, services/ctl/csv_employees.h) sent to the scheduler as `hired`
 *  events (scheduler.ingest), all or nothing as far as the file goes.
 *
 *  The file is read into memory once, so that what is checked is exactly
 *  what is sent (and stdin works): a first pass checks every row; when any
 *  row is bad, every problem is printed and nothing is sent.  A second pass
 *  over the same bytes sends the events in batches of 1,000.  Should the
 *  scheduler still reject a row (its checks are newer than this program),
 *  sending stops after that batch, the rejected rows are reported by line
 *  and the command fails; the rows already accepted stay, and importing the
 *  corrected file again turns them into duplicates (the event ids depend on
 *  the employee and the hire only).
 *
 *  A row whose hire was imported before with other details (a re-export
 *  with a corrected e-mail) is a conflict: the scheduler keeps the first
 *  version.  That says nothing about the other rows, so sending goes on;
 *  conflicts are reported like rejections and the command fails, so that a
 *  correction is never taken for done.
 *
 *  Before the first pass, the scheduler is asked for its date and its
 *  policy's entities (admin.clock.show, scheduler.policy.show), so that a
 *  hire years ahead or an unknown entity refuses the file here rather than
 *  stopping the sending half-way; a key that may not ask (an HRIS key
 *  allowed scheduler.ingest only) leaves those checks to the scheduler.
 *  The scheduler's warnings (a manager not hired yet) are printed, except
 *  those about a manager the file itself hires: sent in a later batch,
 *  they are hired by the end of the import.
 *
 *  Output (docs/cli.md): "imported FILE: N rows, accepted A, duplicate D,
 *  rejected R[ (conflict C)]" then "line L: employee ID: FIELD[ (HEADER)]:
 *  REASON" per problem, warnings on stderr; --json: {"file","rows","sent",
 *  "accepted","duplicates","rejected","errors":[{"line","employee_id",
 *  "field","reason","by","column"}],"errors_total","conflicts","encoding",
 *  "columns":[{"header","column"}],"warnings":[{"line","employee_id",
 *  "field","column","reason"}]}.
 *  Exit: 0 done, 1 bad rows / rejected by the scheduler / conflicts / call
 *  failed, 2 usage (unreadable FILE or map, bad map).
 */
#include "common/csv_employees.h"
#include "args.h"
#include "ctl.h"
#include "common/event_json.h"
#include "table.h"

#include "common/date.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_USAGE "import employees [--map MAP] FILE.csv   (- for stdin)"
#define IMPORT_BATCH 1000           /* events per scheduler.ingest call (the daemon takes 10,000) */
#define IMPORT_PROGRESS_ROWS 10000  /* progress on a TTY only for longer files */

/* A row the scheduler rejected, or warned about. */
typedef struct {
    size_t line;
    char *employee_id, *field, *reason;
} i_note_t;

/* What the scheduler knows that a file is checked against (when the key
 * may ask). */
typedef struct {
    int32_t today;        /* ENT_DATE_NONE: not known */
    char **entities;      /* the policy's entity ids */
    size_t n_entities;
} i_context_t;

typedef struct {
    ctl_t *ctl;
    /* the batch being filled: copies of the events (unpacked, owned) */
    Entretiens__V1__EmployeeEvent *events[IMPORT_BATCH];
    size_t lines[IMPORT_BATCH];
    size_t n;
    /* totals */
    size_t sent, total;
    uint64_t accepted, duplicates, rejected, conflicts; /* conflicts are counted in rejected too */
    size_t first_line, acked_line;  /* lines first_line..acked_line were answered */
    i_note_t *rej;
    size_t nrej;
    i_note_t *warn;                 /* the scheduler's warnings */
    size_t nwarn;
    char **ids;                     /* the file's employee ids, sorted (pass 1) */
    size_t nids, capids;
    bool progress, progress_shown, oom;
} i_import_t;

static int i_usage(void)
{
    fprintf(stderr, "usage: entretiensctl %s\n(entretiensctl import --help for the columns)\n", IMPORT_USAGE);
    return CTL_USAGE;
}

/* The whole of path ("-" = stdin) in a malloc'd buffer. */
static int i_slurp(const char *path, char **data, size_t *len)
{
    bool std = strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *b = realloc(buf, cap);
            if (!b) {
                errno = ENOMEM;
                rc = -1;
                break;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                rc = -1;
            break;
        }
    }
    if (!std)
        fclose(f);
    if (rc) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static void i_batch_clear(i_import_t *im)
{
    for (size_t i = 0; i < im->n; i++)
        protobuf_c_message_free_unpacked(&im->events[i]->base, NULL);
    im->n = 0;
}

/* Appends to list (rejections or warnings). */
static void i_note(i_import_t *im, i_note_t **list, size_t *n, size_t line, const char *employee_id,
                   const char *field, const char *reason)
{
    i_note_t *r = realloc(*list, (*n + 1) * sizeof *r);
    if (!r) {
        im->oom = true;
        return;
    }
    *list = r;
    r = &r[*n];
    r->line = line;
    r->employee_id = strdup(employee_id ? employee_id : "");
    r->field = strdup(field ? field : "");
    r->reason = strdup(reason ? reason : "");
    if (!r->employee_id || !r->field || !r->reason) {
        free(r->employee_id), free(r->field), free(r->reason);
        im->oom = true;
        return;
    }
    (*n)++;
}

static void i_notes_free(i_note_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].employee_id);
        free(list[i].field);
        free(list[i].reason);
    }
    free(list);
}

/* The scheduler answers with event fields; the file has columns: the hire
 * date is the event's effective_date, the other names are the same. */
static const char *i_column_of(const char *field)
{
    return field && strcmp(field, "effective_date") == 0 ? "hire_date" : field;
}

static int i_id_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* True when the file hires employee_id (a row of it). */
static bool i_in_file(const i_import_t *im, const char *employee_id)
{
    return employee_id && im->nids &&
           bsearch(&employee_id, im->ids, im->nids, sizeof *im->ids, i_id_cmp) != NULL;
}

/* csv_emp_parse's callback of the checking pass: the employee ids, for
 * the warnings about managers the file hires itself. */
static int i_collect_id(void *ctx, size_t line, const Entretiens__V1__EmployeeEvent *ev)
{
    (void) line;
    i_import_t *im = ctx;
    if (im->nids == im->capids) {
        size_t cap = im->capids ? im->capids * 2 : 1024;
        char **ids = realloc(im->ids, cap * sizeof *ids);
        if (!ids)
            return -1;
        im->ids = ids;
        im->capids = cap;
    }
    if (!(im->ids[im->nids] = strdup(ev->employee_id)))
        return -1;
    im->nids++;
    return 0;
}

/* Sends the batch.  Returns 0 (conflicts included: they are counted); 1
 * when the scheduler rejected an event of it as invalid; -1 when the call
 * failed (printed). */
static int i_flush(i_import_t *im)
{
    if (im->n == 0)
        return 0;
    Entretiens__V1__IngestRequest req = ENTRETIENS__V1__INGEST_REQUEST__INIT;
    req.n_events = im->n;
    req.events = im->events;
    ent_rpc_result_t r;
    int rc = -1;
    if (ctl_call(im->ctl, "scheduler", "scheduler.ingest", &req.base, &r) != 0)
        goto done;
    Entretiens__V1__IngestReply *rep = entretiens__v1__ingest_reply__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!rep) {
        fprintf(stderr, "entretiensctl: import employees: the reply of scheduler.ingest is not an IngestReply\n");
        goto done;
    }
    if (rep->n_results != im->n) {
        fprintf(stderr, "entretiensctl: import employees: the scheduler answered %zu results for %zu events\n",
                rep->n_results, im->n);
        entretiens__v1__ingest_reply__free_unpacked(rep, NULL);
        goto done;
    }
    rc = 0;
    for (size_t i = 0; i < rep->n_results; i++) {
        const Entretiens__V1__EventResult *res = rep->results[i];
        size_t k = res->index < im->n ? res->index : i;
        const char *outcome = res->outcome ? res->outcome : "";
        for (size_t w = 0; w < res->n_warnings; w++) {
            const Entretiens__V1__EventWarning *warn = res->warnings[w];
            /* a manager the file hires is hired by the end of the import,
             * though in a later batch than this row */
            if (warn->field && strcmp(warn->field, "manager_id") == 0 && i_in_file(im, im->events[k]->manager_id))
                continue;
            i_note(im, &im->warn, &im->nwarn, im->lines[k], im->events[k]->employee_id, i_column_of(warn->field),
                   warn->reason);
        }
        if (strcmp(outcome, "accepted") == 0) {
            im->accepted++;
        } else if (strcmp(outcome, "duplicate") == 0) {
            im->duplicates++;
        } else {
            im->rejected++;
            i_note(im, &im->rej, &im->nrej, im->lines[k], im->events[k]->employee_id, i_column_of(res->field),
                   res->reason && *res->reason ? res->reason : outcome);
            if (strcmp(outcome, "conflict") == 0)
                im->conflicts++;
            else
                rc = 1;
        }
    }
    im->sent += im->n;
    if (!im->first_line)
        im->first_line = im->lines[0];
    im->acked_line = im->lines[im->n - 1];
    entretiens__v1__ingest_reply__free_unpacked(rep, NULL);
done:
    i_batch_clear(im);
    return rc;
}

/* csv_emp_parse's callback of the sending pass: a copy of each event into
 * the batch (packed and unpacked: the parser's event lives during the call
 * only), sent when full.  A non-zero result stops the parse. */
static int i_on_row(void *ctx, size_t line, const Entretiens__V1__EmployeeEvent *ev)
{
    i_import_t *im = ctx;
    size_t size = protobuf_c_message_get_packed_size(&ev->base);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return -1;
    protobuf_c_message_pack(&ev->base, buf);
    Entretiens__V1__EmployeeEvent *copy = entretiens__v1__employee_event__unpack(NULL, size, buf);
    free(buf);
    if (!copy)
        return -1;
    im->events[im->n] = copy;
    im->lines[im->n++] = line;
    if (im->n < IMPORT_BATCH)
        return 0;
    int rc = i_flush(im);
    if (im->progress && rc == 0) {
        fprintf(stderr, "\rimport employees: %zu of %zu rows (%zu%%)", im->sent, im->total, im->sent * 100 / im->total);
        fflush(stderr);
        im->progress_shown = true;
    }
    return rc == 0 ? 0 : rc < 0 ? 2 : 1;
}

/* "line L: employee ID: FIELD (HEADER): REASON" on out: the header as in
 * the file when it is not our column's own name. */
static void i_print_problem(FILE *out, const char *prefix, size_t line, const char *employee_id, const char *field,
                            const char *column, const char *reason)
{
    fprintf(out, "%sline %zu: ", prefix, line);
    if (employee_id && *employee_id) {
        fputs("employee ", out);
        ent_fputs_clean(employee_id, out);
        fputs(": ", out);
    }
    ent_fputs_clean(field, out);
    if (column && *column && strcmp(column, field) != 0) {
        fputs(" (", out);
        ent_fputs_clean(column, out);
        fputc(')', out);
    }
    fputs(": ", out);
    ent_fputs_clean(reason, out);
    fputc('\n', out);
}

static const char *i_header(const csv_emp_report_t *rep, const char *field)
{
    const char *h = csv_emp_header_of(rep, field);
    return h ? h : "";
}

/* How many rows are refused: every row when the header or the file is. */
static size_t i_refused_rows(const csv_emp_report_t *rep)
{
    return rep->header_bad || rep->file_bad ? rep->rows : rep->bad;
}

static json_t *i_json(const char *path, const csv_emp_report_t *rep, const i_import_t *im)
{
    json_t *errors = json_array();
    size_t total = 0;
    bool refused = csv_emp_refused(rep);
    if (refused) {
        for (size_t i = 0; i < rep->kept; i++) {
            const csv_emp_error_t *e = &rep->errors[i];
            json_array_append_new(errors, json_pack("{s:I, s:o, s:o, s:o, s:s, s:o}", "line", (json_int_t) e->line,
                                                    "employee_id", ent_json_str(e->employee_id), "field",
                                                    ent_json_str(e->field), "reason", ent_json_str(e->reason), "by",
                                                    "file", "column", ent_json_str(e->column)));
        }
        total = rep->n_errors;
    } else {
        for (size_t i = 0; i < im->nrej; i++) {
            const i_note_t *r = &im->rej[i];
            json_array_append_new(errors, json_pack("{s:I, s:o, s:o, s:o, s:s, s:o}", "line", (json_int_t) r->line,
                                                    "employee_id", ent_json_str(r->employee_id), "field",
                                                    ent_json_str(r->field), "reason", ent_json_str(r->reason), "by",
                                                    "scheduler", "column", ent_json_str(i_header(rep, r->field))));
        }
        total = im->nrej;
    }
    json_t *columns = json_array();
    for (size_t i = 0; i < rep->ncolumns; i++)
        json_array_append_new(columns, json_pack("{s:o, s:o}", "header", ent_json_str(rep->columns[i].header),
                                                 "column", rep->columns[i].column ? json_string(rep->columns[i].column)
                                                                                  : json_null()));
    json_t *warnings = json_array();
    for (size_t i = 0; i < im->nwarn; i++) {
        const i_note_t *w = &im->warn[i];
        json_array_append_new(warnings, json_pack("{s:I, s:o, s:o, s:o, s:o}", "line", (json_int_t) w->line,
                                                  "employee_id", ent_json_str(w->employee_id), "field",
                                                  ent_json_str(w->field), "column", ent_json_str(i_header(rep, w->field)),
                                                  "reason", ent_json_str(w->reason)));
    }
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:s, s:o, s:o}", "file", ent_json_str(path),
                     "rows", (json_int_t) rep->rows, "sent", (json_int_t) im->sent, "accepted",
                     (json_int_t) im->accepted, "duplicates", (json_int_t) im->duplicates, "rejected",
                     (json_int_t) (refused ? i_refused_rows(rep) : im->rejected), "errors", errors, "errors_total",
                     (json_int_t) total, "conflicts", (json_int_t) im->conflicts, "encoding", rep->encoding, "columns",
                     columns, "warnings", warnings);
}

/* A quiet call (no message on failure): the reply, or NULL with *code. */
static void *i_ask(ctl_t *ctl, const char *method, const ProtobufCMessageDescriptor *desc, ent_code_t *code)
{
    ent_rpc_client_t *c = ctl_client(ctl, "scheduler");
    if (!c) {
        *code = ENT_UNAVAILABLE;
        return NULL;
    }
    ent_rpc_result_t r;
    ent_rpc_client_call_msg(c, method, ctl->as ? ctl->as : "", NULL, &r);
    *code = r.code;
    ProtobufCMessage *m = r.code == ENT_OK ? protobuf_c_message_unpack(desc, NULL, r.payload_len, r.payload) : NULL;
    ent_rpc_result_clear(&r);
    return m;
}

/* The scheduler's date and entities, as far as this key may read them.
 * Returns 0, or -1 when out of memory.  A refusal or a failed call leaves
 * the context empty: the scheduler still checks what it knows, and a
 * scheduler that does not answer fails the sending with its message. */
static int i_context_load(ctl_t *ctl, i_context_t *cx)
{
    memset(cx, 0, sizeof *cx);
    cx->today = ENT_DATE_NONE;
    ent_code_t code;
    Entretiens__V1__ClockState *clock = i_ask(ctl, "admin.clock.show", &entretiens__v1__clock_state__descriptor, &code);
    if (clock) {
        const Entretiens__V1__Date *t = clock->today;
        cx->today = t && ent_date_valid(t->year, t->month, t->day) ? ent_date_from_ymd(t->year, t->month, t->day)
                                                                   : ent_date_from_unix_ms(clock->now_ms);
        entretiens__v1__clock_state__free_unpacked(clock, NULL);
    }
    if (code == ENT_DEADLINE_EXCEEDED || code == ENT_UNAUTHENTICATED || code == ENT_UNAVAILABLE)
        return 0; /* no second wait for the same answer */
    Entretiens__V1__Policy *p = i_ask(ctl, "scheduler.policy.show", &entretiens__v1__policy__descriptor, &code);
    if (!p)
        return 0;
    int rc = 0;
    cx->entities = calloc(p->n_entities ? p->n_entities : 1, sizeof *cx->entities);
    for (size_t i = 0; cx->entities && i < p->n_entities; i++)
        if (p->entities[i]->id && !(cx->entities[cx->n_entities++] = strdup(p->entities[i]->id)))
            rc = -1;
    if (!cx->entities)
        rc = -1;
    entretiens__v1__policy__free_unpacked(p, NULL);
    return rc;
}

static void i_context_clear(i_context_t *cx)
{
    for (size_t i = 0; i < cx->n_entities; i++)
        free(cx->entities[i]);
    free(cx->entities);
    memset(cx, 0, sizeof *cx);
}

int ctl_cmd_import(ctl_t *ctl, int argc, char **argv)
{
    const char *path = NULL, *map_path = NULL, *pos[1];
    int np = 0;
    if (argc < 2 || strcmp(argv[1], "employees") != 0)
        return i_usage();
    ctl_opt_t opts[] = { CTL_OPT("--map", &map_path) };
    if (ctl_args_parse("import employees", IMPORT_USAGE, argc, argv, 2, opts, 1, pos, 1, &np))
        return CTL_USAGE;
    if (np != 1)
        return i_usage();
    path = pos[0];
    if (!ent_utf8_valid(path) || (map_path && !ent_utf8_valid(map_path))) {
        fprintf(stderr, "entretiensctl: import employees: the file name is not valid UTF-8\n");
        return CTL_USAGE;
    }
    int status = CTL_FAILED;
    char *data = NULL, *map_text = NULL;
    size_t len = 0, map_len = 0;
    csv_emp_map_t *map = NULL;
    i_context_t cx = { .today = ENT_DATE_NONE };
    csv_emp_report_t rep;
    bool have_rep = false;
    i_import_t *im = NULL;
    if (map_path) {
        char err[512];
        int m = -1;
        if (strcmp(map_path, "-") == 0 || i_slurp(map_path, &map_text, &map_len) != 0) {
            fprintf(stderr, "entretiensctl: import employees: cannot read the map '");
            ent_fputs_clean(map_path, stderr);
            fprintf(stderr, "': %s\n", strcmp(map_path, "-") == 0 ? "a map is a file" : strerror(errno));
            status = CTL_USAGE;
            goto done;
        }
        if ((m = csv_emp_map_parse(map_text, map_len, &map, err, sizeof err)) != 0) {
            fprintf(stderr, "entretiensctl: import employees: map '");
            ent_fputs_clean(map_path, stderr);
            fputs("': ", stderr);
            ent_fputs_clean(m == -2 ? "out of memory" : err, stderr);
            fputc('\n', stderr);
            status = m == -2 ? CTL_FAILED : CTL_USAGE;
            goto done;
        }
    }
    if (i_slurp(path, &data, &len) != 0) {
        fprintf(stderr, "entretiensctl: import employees: cannot read '");
        ent_fputs_clean(path, stderr);
        fprintf(stderr, "': %s\n", strerror(errno));
        status = CTL_USAGE;
        goto done;
    }
    if (!(im = calloc(1, sizeof *im)) || i_context_load(ctl, &cx) != 0) {
        fprintf(stderr, "entretiensctl: import employees: out of memory\n");
        goto done;
    }
    im->ctl = ctl;
    csv_emp_options_t opt = { .map = map, .today = cx.today, .entities = (const char *const *) cx.entities,
                              .n_entities = cx.n_entities };
    /* pass 1: every row checked, the employee ids kept */
    int rc = csv_emp_parse(data, len, &opt, i_collect_id, im, &rep);
    have_rep = true;
    if (rc != 0) {
        fprintf(stderr, "entretiensctl: import employees: out of memory\n");
        goto done;
    }
    if (im->nids > 1)
        qsort(im->ids, im->nids, sizeof *im->ids, i_id_cmp);
    bool color = ctl_use_color(ctl->color);
    if (strcmp(rep.encoding, "utf-8") != 0) {
        fprintf(stderr, "entretiensctl: import employees: ");
        ent_fputs_clean(path, stderr);
        /* the only other encoding read (csv_employees.h) */
        fprintf(stderr, " is not UTF-8: read as Windows-1252 (what Excel saves as French CSV) and converted\n");
    }

    if (csv_emp_refused(&rep)) {
        /* pass 1 found problems: say them all, send nothing */
        if (ctl->json) {
            ctl_print_json(i_json(path, &rep, im));
        } else {
            printf("refused %s: %s", path, color ? ctl_color_on(CTL_RED) : "");
            if (rep.file_bad)
                printf("the file cannot be read");
            else if (rep.header_bad)
                printf("the header row is refused, so none of the %zu row%s was read", rep.rows,
                       rep.rows == 1 ? "" : "s");
            else
                printf("%zu bad row%s of %zu", rep.bad, rep.bad == 1 ? "" : "s", rep.rows);
            printf("%s (%zu problem%s); nothing was sent\n", color ? CTL_COLOR_OFF : "", rep.n_errors,
                   rep.n_errors == 1 ? "" : "s");
            for (size_t i = 0; i < rep.kept; i++)
                i_print_problem(stdout, "", rep.errors[i].line, rep.errors[i].employee_id, rep.errors[i].field,
                                rep.errors[i].column, rep.errors[i].reason);
            if (rep.n_errors > rep.kept)
                printf("... and %zu more problems (the first %zu are shown)\n", rep.n_errors - rep.kept, rep.kept);
        }
        goto done;
    }

    /* pass 2: the same bytes, sent in batches */
    im->total = rep.valid;
    im->progress = rep.valid > IMPORT_PROGRESS_ROWS && isatty(STDERR_FILENO);
    csv_emp_report_t rep2;
    rc = csv_emp_parse(data, len, &opt, i_on_row, im, &rep2);
    csv_emp_report_clear(&rep2);
    if (rc == 0) {
        int f = i_flush(im);
        rc = f == 0 ? 0 : f < 0 ? 2 : 1;
    }
    i_batch_clear(im);
    if (im->progress_shown)
        fputs("\r\033[K", stderr);
    if (rc == -1 || im->oom) {
        fprintf(stderr, "entretiensctl: import employees: out of memory\n");
        rc = 2;
    }
    if (rc == 2) {
        /* a call failed (printed): say what was answered */
        char done[96] = "no row was answered";
        if (im->acked_line)
            snprintf(done, sizeof done, "lines %zu-%zu were answered", im->first_line, im->acked_line);
        fprintf(stderr,
                "entretiensctl: import employees: stopped; %s (accepted %" PRIu64 ", duplicate %" PRIu64
                ", rejected %" PRIu64 "). Importing the file again is safe: rows already imported are duplicates.\n",
                done, im->accepted, im->duplicates, im->rejected);
        goto done;
    }
    if (ctl->json) {
        ctl_print_json(i_json(path, &rep, im));
    } else {
        printf("%s %s: %zu rows, accepted %" PRIu64 ", duplicate %" PRIu64 ", %srejected %" PRIu64 "%s",
               rc ? "stopped" : "imported", path, rep.rows, im->accepted, im->duplicates,
               color && im->rejected ? ctl_color_on(CTL_RED) : "", im->rejected, color && im->rejected ? CTL_COLOR_OFF : "");
        if (im->conflicts)
            printf(" (conflict %" PRIu64 ")", im->conflicts);
        putchar('\n');
        for (size_t i = 0; i < im->nrej; i++)
            i_print_problem(stdout, "", im->rej[i].line, im->rej[i].employee_id, im->rej[i].field,
                            i_header(&rep, im->rej[i].field), im->rej[i].reason);
        /* notices, on stderr: the rows were imported */
        for (size_t i = 0; i < im->nwarn; i++)
            i_print_problem(stderr, "warning: ", im->warn[i].line, im->warn[i].employee_id, im->warn[i].field,
                            i_header(&rep, im->warn[i].field), im->warn[i].reason);
    }
    if (rc) {
        fprintf(stderr,
                "entretiensctl: import employees: the scheduler rejected %" PRIu64 " row%s that passed the local "
                "checks; sending stopped after line %zu (%zu of %zu rows sent). Fix the rows and import the file "
                "again: rows already imported are duplicates.\n",
                im->rejected, im->rejected == 1 ? "" : "s", im->acked_line, im->sent, rep.valid);
        goto done;
    }
    if (im->conflicts) {
        fprintf(stderr,
                "entretiensctl: import employees: %" PRIu64 " row%s differ%s from the hire imported before for the "
                "same employee and hire date; the first version was kept (the rows are dead letters). Send the "
                "changes as `updated` events (entretiensctl ingest).\n",
                im->conflicts, im->conflicts == 1 ? "" : "s", im->conflicts == 1 ? "s" : "");
        goto done;
    }
    status = CTL_OK;
done:
    if (im) {
        i_notes_free(im->rej, im->nrej);
        i_notes_free(im->warn, im->nwarn);
        for (size_t i = 0; i < im->nids; i++)
            free(im->ids[i]);
        free(im->ids);
        free(im);
    }
    if (have_rep)
        csv_emp_report_clear(&rep);
    i_context_clear(&cx);
    csv_emp_map_free(&map);
    free(map_text);
    free(data);
    return status;
}

const char *ctl_import_details(const char *command)
{
    if (strcmp(command, "import") != 0)
        return NULL;
    return "FILE.csv: an HRIS export, ',' ';' or tab delimited (the header decides), quoted as RFC 4180;\n"
           "UTF-8 (a byte-order mark is skipped) or Windows-1252 (converted, and said on stderr).\n"
           "The header row names the columns, in any order, by our names or the usual French headers\n"
           "(Matricule, Nom, Prénom, Courriel, Société, Service, Établissement, Responsable, Date\n"
           "d'entrée, Date de naissance, Statut, Type de contrat, Date de fin de contrat, Période\n"
           "d'essai (mois), Langue...; case, accents and punctuation aside):\n"
           "  required  employee_id first_name last_name email entity department site manager_id\n"
           "            hire_date birth_date category contract contract_end trial_months\n"
           "  optional  region locale forfait_jours\n"
           "--map MAP names other headers, one line each:  Header in the file = column   (or = - to\n"
           "ignore the header); lines starting with # are comments.  Other headers refuse the file.\n"
           "Values: dates dd/mm/yyyy or yyyy-mm-dd (two-digit years refused); category ouvrier_employe|\n"
           "maitrise_technicien|cadre or Ouvrier, Employé, Non-cadre, ETAM, Technicien, Agent de\n"
           "maîtrise, Cadre; contract permanent|fixed_term|apprentice or CDI, CDD, Contrat de\n"
           "professionnalisation, Apprentissage (contract_end required but for CDI) -- intérim, stage,\n"
           "contractors and 'alternance' are refused with the reason; region metropole|alsace_moselle|\n"
           "guadeloupe|martinique|guyane|reunion|mayotte; trial_months 0-12 ('4' or '4 mois'); locale\n"
           "fr|en; forfait_jours yes|no|oui|non.  Required values: employee_id, first_name, last_name,\n"
           "entity, hire_date, category, contract.  Hire dates from 1950 to the scheduler's today + 2\n"
           "years; entities of the scheduler's policy (when this key may read it).\n"
           "Each row becomes a `hired` event (source csv-import, event_id <employee_id>:hired:<hire_date>):\n"
           "importing the same file twice gives duplicates; a row changed since (same employee and hire\n"
           "date) is a conflict: the first version stays.  Every row is checked first: when one is bad,\n"
           "every problem is listed and nothing is sent.\n"
           "\n"
           "output:  imported FILE: N rows, accepted N, duplicate N, rejected N[ (conflict N)]\n"
           "         line L: employee ID: COLUMN[ (HEADER)]: REASON     (one per problem)\n"
           "stderr:  warning: line L: employee ID: COLUMN[ (HEADER)]: REASON   (a manager not hired yet)\n"
           "--json:  {\"file\",\"rows\",\"sent\",\"accepted\",\"duplicates\",\"rejected\",\n"
           "          \"errors\":[{\"line\",\"employee_id\",\"field\",\"reason\",\"by\":\"file\"|\"scheduler\",\"column\"}],\n"
           "          \"errors_total\",\"conflicts\",\"encoding\",\"columns\":[{\"header\",\"column\"}],\n"
           "          \"warnings\":[{\"line\",\"employee_id\",\"field\",\"column\",\"reason\"}]}\n"
           "exit:    0 imported, 1 bad rows (nothing sent), rejected by the scheduler, conflicts or a\n"
           "         failed call, 2 usage, unreadable FILE or MAP, a bad MAP\n";
}
