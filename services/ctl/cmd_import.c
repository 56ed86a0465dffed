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
 *  Output (docs/cli.md): "imported FILE: N rows, accepted A, duplicate D,
 *  rejected R[ (conflict C)]" then "line L: employee ID: FIELD: REASON" per
 *  problem; --json: {"file","rows","sent","accepted","duplicates","rejected",
 *  "errors":[{"line","employee_id","field","reason","by"}],"errors_total",
 *  "conflicts"}.
 *  Exit: 0 done, 1 bad rows / rejected by the scheduler / conflicts / call
 *  failed, 2 usage.
 */
#include "csv_employees.h"
#include "ctl.h"
#include "json_events.h"
#include "table.h"

#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_USAGE "import employees FILE.csv   (- for stdin)"
#define IMPORT_BATCH 1000           /* events per scheduler.ingest call (the daemon takes 10,000) */
#define IMPORT_PROGRESS_ROWS 10000  /* progress on a TTY only for longer files */

typedef struct {
    size_t line;
    char *employee_id, *field, *reason;
} i_rejection_t;

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
    i_rejection_t *rej;
    size_t nrej;
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

static void i_reject(i_import_t *im, size_t line, const char *employee_id, const char *field, const char *reason)
{
    i_rejection_t *r = realloc(im->rej, (im->nrej + 1) * sizeof *r);
    if (!r) {
        im->oom = true;
        return;
    }
    im->rej = r;
    r = &im->rej[im->nrej];
    r->line = line;
    r->employee_id = strdup(employee_id ? employee_id : "");
    r->field = strdup(field ? field : "");
    r->reason = strdup(reason ? reason : "");
    if (!r->employee_id || !r->field || !r->reason) {
        free(r->employee_id), free(r->field), free(r->reason);
        im->oom = true;
        return;
    }
    im->nrej++;
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
        if (strcmp(outcome, "accepted") == 0) {
            im->accepted++;
        } else if (strcmp(outcome, "duplicate") == 0) {
            im->duplicates++;
        } else {
            im->rejected++;
            i_reject(im, im->lines[k], im->events[k]->employee_id, res->field,
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

static void i_print_problem(size_t line, const char *employee_id, const char *field, const char *reason)
{
    printf("line %zu: ", line);
    if (employee_id && *employee_id) {
        fputs("employee ", stdout);
        ctl_fputs_clean(employee_id, stdout);
        fputs(": ", stdout);
    }
    ctl_fputs_clean(field, stdout);
    fputs(": ", stdout);
    ctl_fputs_clean(reason, stdout);
    fputc('\n', stdout);
}

static json_t *i_json(const char *path, const csv_emp_report_t *rep, const i_import_t *im)
{
    json_t *errors = json_array();
    size_t total = 0;
    if (rep->bad) {
        for (size_t i = 0; i < rep->kept; i++) {
            const csv_emp_error_t *e = &rep->errors[i];
            json_array_append_new(errors, json_pack("{s:I, s:o, s:o, s:o, s:s}", "line", (json_int_t) e->line,
                                                    "employee_id", ctl_json_str(e->employee_id), "field",
                                                    ctl_json_str(e->field), "reason", ctl_json_str(e->reason), "by",
                                                    "file"));
        }
        total = rep->n_errors;
    } else {
        for (size_t i = 0; i < im->nrej; i++) {
            const i_rejection_t *r = &im->rej[i];
            json_array_append_new(errors, json_pack("{s:I, s:o, s:o, s:o, s:s}", "line", (json_int_t) r->line,
                                                    "employee_id", ctl_json_str(r->employee_id), "field",
                                                    ctl_json_str(r->field), "reason", ctl_json_str(r->reason), "by",
                                                    "scheduler"));
        }
        total = im->nrej;
    }
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I}", "file", ctl_json_str(path), "rows",
                     (json_int_t) rep->rows, "sent", (json_int_t) im->sent, "accepted", (json_int_t) im->accepted,
                     "duplicates", (json_int_t) im->duplicates, "rejected",
                     (json_int_t) (rep->bad ? rep->bad : im->rejected), "errors", errors, "errors_total",
                     (json_int_t) total, "conflicts", (json_int_t) im->conflicts);
}

int ctl_cmd_import(ctl_t *ctl, int argc, char **argv)
{
    const char *path = NULL;
    bool only_pos = false;
    if (argc < 2 || strcmp(argv[1], "employees") != 0)
        return i_usage();
    for (int i = 2; i < argc; i++) {
        if (!only_pos && strcmp(argv[i], "--") == 0) {
            only_pos = true;
            continue;
        }
        if (!only_pos && argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "entretiensctl: import employees: unknown option '");
            ctl_fputs_clean(argv[i], stderr);
            fputs("'\n", stderr);
            return i_usage();
        }
        if (path)
            return i_usage();
        path = argv[i];
    }
    if (!path)
        return i_usage();
    if (!ctl_utf8_valid(path)) {
        fprintf(stderr, "entretiensctl: import employees: the file name is not valid UTF-8\n");
        return CTL_USAGE;
    }
    char *data = NULL;
    size_t len = 0;
    if (i_slurp(path, &data, &len) != 0) {
        fprintf(stderr, "entretiensctl: import employees: cannot read '");
        ctl_fputs_clean(path, stderr);
        fprintf(stderr, "': %s\n", strerror(errno));
        return CTL_USAGE;
    }
    int status = CTL_FAILED;
    csv_emp_report_t rep;
    i_import_t *im = calloc(1, sizeof *im);
    if (!im || csv_emp_parse(data, len, NULL, NULL, &rep) != 0) {
        fprintf(stderr, "entretiensctl: import employees: out of memory\n");
        free(im);
        free(data);
        return CTL_FAILED;
    }
    im->ctl = ctl;
    bool color = ctl_use_color(ctl->color);

    if (rep.bad) {
        /* pass 1 found problems: say them all, send nothing */
        if (ctl->json) {
            ctl_print_json(i_json(path, &rep, im));
        } else {
            printf("refused %s: %s%zu bad row%s%s of %zu (%zu problem%s); nothing was sent\n", path,
                   color ? ctl_color_on(CTL_RED) : "", rep.bad, rep.bad == 1 ? "" : "s", color ? CTL_COLOR_OFF : "",
                   rep.rows, rep.n_errors, rep.n_errors == 1 ? "" : "s");
            for (size_t i = 0; i < rep.kept; i++)
                i_print_problem(rep.errors[i].line, rep.errors[i].employee_id, rep.errors[i].field,
                                rep.errors[i].reason);
            if (rep.n_errors > rep.kept)
                printf("... and %zu more problems (the first %zu are shown)\n", rep.n_errors - rep.kept, rep.kept);
        }
        goto done;
    }

    /* pass 2: the same bytes, sent in batches */
    im->total = rep.valid;
    im->progress = rep.valid > IMPORT_PROGRESS_ROWS && isatty(STDERR_FILENO);
    csv_emp_report_t rep2;
    int rc = csv_emp_parse(data, len, i_on_row, im, &rep2);
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
            i_print_problem(im->rej[i].line, im->rej[i].employee_id, im->rej[i].field, im->rej[i].reason);
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
    for (size_t i = 0; i < im->nrej; i++) {
        free(im->rej[i].employee_id);
        free(im->rej[i].field);
        free(im->rej[i].reason);
    }
    free(im->rej);
    free(im);
    csv_emp_report_clear(&rep);
    free(data);
    return status;
}

const char *ctl_import_details(const char *command)
{
    if (strcmp(command, "import") != 0)
        return NULL;
    return "FILE.csv: an HRIS export, UTF-8 (a byte-order mark is skipped), ',' ';' or tab delimited (the\n"
           "header decides), quoted as RFC 4180.  The header row names the columns, case-insensitive, in\n"
           "any order:\n"
           "  required  employee_id first_name last_name email entity department site region manager_id\n"
           "            hire_date birth_date category contract contract_end trial_months\n"
           "  optional  locale forfait_jours\n"
           "Values: dates YYYY-MM-DD; region metropole|alsace_moselle|guadeloupe|martinique|guyane|\n"
           "reunion|mayotte; category ouvrier_employe|maitrise_technicien|cadre; contract permanent|\n"
           "fixed_term|apprentice (contract_end required for the last two, empty for permanent);\n"
           "trial_months 0-12; locale fr|en; forfait_jours yes|no.  Required values: employee_id,\n"
           "first_name, last_name, entity, hire_date, category, contract.\n"
           "Each row becomes a `hired` event (source csv-import, event_id <employee_id>:hired:<hire_date>):\n"
           "importing the same file twice gives duplicates; a row changed since (same employee and hire\n"
           "date) is a conflict: the first version stays.  Every row is checked first: when one is bad,\n"
           "every problem is listed and nothing is sent.\n"
           "\n"
           "output:  imported FILE: N rows, accepted N, duplicate N, rejected N[ (conflict N)]\n"
           "         line L: employee ID: COLUMN: REASON     (one per problem)\n"
           "--json:  {\"file\",\"rows\",\"sent\",\"accepted\",\"duplicates\",\"rejected\",\n"
           "          \"errors\":[{\"line\",\"employee_id\",\"field\",\"reason\",\"by\":\"file\"|\"scheduler\"}],\"errors_total\",\n"
           "          \"conflicts\"}\n"
           "exit:    0 imported, 1 bad rows (nothing sent), rejected by the scheduler, conflicts or a\n"
           "         failed call, 2 usage or unreadable FILE\n";
}
