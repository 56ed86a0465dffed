/*  csv_employees.h — an HRIS export (CSV) turned into `hired` events, for
 *  `entretiensctl import employees` (docs/cli.md, "import employees").
 *
 *  The file is read with libcsv in strict mode (RFC 4180 quoting: a field
 *  holding the delimiter, a quote or a line break is quoted, quotes inside
 *  doubled).  The first row is the header: column names, case-insensitive,
 *  in any order.  Required columns: employee_id first_name last_name email
 *  entity department site region manager_id hire_date birth_date category
 *  contract contract_end trial_months; optional: locale forfait_jours.  A
 *  UTF-8 byte-order mark is skipped; LF, CRLF and CR line ends are accepted;
 *  the delimiter is ',' unless the header holds more ';' or tabs (French
 *  spreadsheets write ';').  Rows whose fields are all empty are skipped.
 *
 *  Every row is checked before anything is produced, at least as strictly
 *  as the scheduler will (services/scheduler/validate.c), so that a file
 *  that passes is accepted whole: a bad row is reported with its line
 *  number (where the row starts: a quoted line break makes a row span
 *  lines), the column and the reason, and every problem of every row is
 *  reported, not only the first.
 *
 *  Each valid row gives one `hired` event: source "csv-import", event_id
 *  "<employee_id>:hired:<hire_date>", effective_date the hire date.  The id
 *  depends on the employee and the hire only, so importing the same file
 *  again (or a re-export with corrected details) gives duplicates, never a
 *  second hire; corrections go through `updated` events.
 */
#ifndef CTL_CSV_EMPLOYEES_H
#define CTL_CSV_EMPLOYEES_H

#include "proto/scheduler.pb-c.h"

#include <stddef.h>

#define CSV_EMP_SOURCE "csv-import"
#define CSV_EMP_MAX_ERRORS 1000   /* errors kept in a report (all are counted) */

typedef struct {
    size_t line;            /* line where the row starts (the header is line 1) */
    char employee_id[72];   /* the row's employee_id when readable, else "" */
    char field[32];         /* the column; "header" for the header row, "row"
                               for the row itself (fields, quoting), "file" */
    char reason[320];
} csv_emp_error_t;

typedef struct {
    size_t rows;             /* data rows read (header and empty rows excluded) */
    size_t valid;            /* rows that passed every check */
    size_t bad;              /* rows refused (a bad header or file counts one) */
    size_t n_errors;         /* errors found (may exceed CSV_EMP_MAX_ERRORS) */
    csv_emp_error_t *errors; /* the first CSV_EMP_MAX_ERRORS errors, in line order */
    size_t kept;             /* entries in errors */
    char delimiter;          /* the delimiter used */
} csv_emp_report_t;

/* Called for each valid row, in file order: ev and its strings are valid
 * during the call only.  Returns 0 to go on; anything else stops the parse
 * and is returned by csv_emp_parse. */
typedef int (*csv_emp_row_fn)(void *ctx, size_t line, const Entretiens__V1__EmployeeEvent *ev);

/* Reads the len bytes at data.  fn may be NULL (validation only).  report
 * is filled (release with csv_emp_report_clear).  Returns 0 when the whole
 * input was read (report->bad says whether it is acceptable), -1 when out
 * of memory, or the non-zero value fn returned. */
int csv_emp_parse(const char *data, size_t len, csv_emp_row_fn fn, void *ctx, csv_emp_report_t *report);

void csv_emp_report_clear(csv_emp_report_t *report);

#endif
