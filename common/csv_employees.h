/*  csv_employees.h — an HRIS export (CSV) turned into `hired` events, for
 *  `entretiensctl import employees` (docs/cli.md, "import employees") and
 *  the gateway's POST /api/v1/imports/employees; library entretiens_formats.
 *
 *  The file is read with libcsv in strict mode (RFC 4180 quoting: a field
 *  holding the delimiter, a quote or a line break is quoted, quotes inside
 *  doubled).  UTF-8 (a byte-order mark is skipped), or Windows-1252 when
 *  the file is not UTF-8 and holds no UTF-8 sequence at all (what Excel
 *  writes as "CSV (séparateur : point-virgule)"): it is converted with
 *  glibc's iconv and report->encoding says so.  A file that mixes UTF-8
 *  and other bytes is read as UTF-8 and its bad fields are reported.  LF,
 *  CRLF and CR line ends; the delimiter is ',' unless the header holds more
 *  ';' or tabs (French spreadsheets write ';').  Rows whose fields are all
 *  empty are skipped.
 *
 *  The first row is the header.  Each header names one of our columns:
 *  through the map (--map, csv_emp_map_parse) first, else by our name or a
 *  built-in French alias (Matricule, Nom, Prénom, Date d'entrée, Type de
 *  contrat...), compared without case, accents, spaces or punctuation.  A
 *  header that names none of them, or a column named twice, refuses the
 *  file.  Required columns: employee_id first_name last_name email entity
 *  department site manager_id hire_date birth_date category contract
 *  contract_end trial_months; optional: region locale forfait_jours.
 *
 *  Values: dates dd/mm/yyyy (or d/m/yyyy, '.' or '-' between them, a
 *  midnight time after them tolerated) or yyyy-mm-dd, two-digit years
 *  refused; contracts and categories in our words or French (CDI, CDD,
 *  Apprentissage, Contrat de professionnalisation; Cadre, Non-cadre, ETAM,
 *  Agent de maîtrise...), intérim, stage, contractors and "alternance"
 *  refused with the reason; trial periods "4" or "4 mois".
 *
 *  Every row is checked before anything is produced, at least as strictly
 *  as the scheduler will (services/scheduler/validate.c) as far as a file
 *  can tell, so that a file that passes is accepted whole: a bad row is
 *  reported with its line number (where the row starts: a quoted line break
 *  makes a row span lines), the column (ours, and the header as in the
 *  file) and the reason, and every problem of every row is reported, not
 *  only the first.  With options (the scheduler's date and the policy's
 *  entities, when the caller could ask for them), hire dates more than 2
 *  years ahead and unknown entities are refused here too.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CSV_EMP_SOURCE "csv-import"
#define CSV_EMP_MAX_ERRORS 1000   /* errors kept in a report (all are counted) */

/* The scheduler's plausibility rules (services/scheduler/validate.h), which
 * a file is held to before anything is sent. */
#define CSV_EMP_HIRE_MIN_YEAR 1950     /* hire dates from 1950-01-01 ... */
#define CSV_EMP_FUTURE_YEARS 2         /* ... to the scheduler's today + 2 years */
#define CSV_EMP_MIN_AGE 14             /* born at least 14 years before the hire */
#define CSV_EMP_CONTRACT_MAX_YEARS 5   /* a contract ends within 5 years of the hire */

typedef struct {
    size_t line;            /* line where the row starts (the header is line 1) */
    char employee_id[72];   /* the row's employee_id when readable, else "" */
    char field[32];         /* the column; "header" for the header row, "row"
                               for the row itself (fields, quoting), "file" */
    char column[128];       /* the header of that column as in the file
                               (sanitised, cut), "" when none */
    char reason[320];
} csv_emp_error_t;

/* How a header of the file was read. */
typedef struct {
    char *header;           /* as in the file, sanitised */
    const char *column;     /* our column (static), "-" ignored by the map, NULL unknown */
} csv_emp_column_t;

typedef struct {
    size_t rows;             /* data rows read (header and empty rows excluded) */
    size_t valid;            /* rows that passed every check */
    size_t bad;              /* data rows refused */
    bool header_bad;         /* the header row is refused: no row was checked */
    bool file_bad;           /* the file cannot be read at all (empty, UTF-16,
                                not a text encoding we read) */
    size_t n_errors;         /* errors found (may exceed CSV_EMP_MAX_ERRORS) */
    csv_emp_error_t *errors; /* the first CSV_EMP_MAX_ERRORS errors, in line order */
    size_t kept;             /* entries in errors */
    char delimiter;          /* the delimiter used */
    const char *encoding;    /* "utf-8" or "windows-1252" (converted) */
    csv_emp_column_t *columns; /* the header's fields, in file order */
    size_t ncolumns;
} csv_emp_report_t;

/* True when the file must not be sent: a bad row, header or file. */
bool csv_emp_refused(const csv_emp_report_t *report);

/* The header of the file read as our column (as in csv_emp_column_t), or
 * NULL when the file has none. */
const char *csv_emp_header_of(const csv_emp_report_t *report, const char *column);

/* A column map: headers of a file -> our columns (or ignored).  The text,
 * one mapping per line:
 *     HEADER AS IN THE FILE = COLUMN
 *     HEADER = -                      (the column is ignored)
 * split at the last '='; blank lines and lines starting with '#' are
 * skipped; headers compare like the built-in aliases (case, accents,
 * spaces and punctuation aside); UTF-8 (BOM skipped) or Windows-1252. */
typedef struct csv_emp_map csv_emp_map_t;

/* Parses a map.  Returns 0 with *out (free with csv_emp_map_free), -1 with
 * err holding "line N: what is wrong" (a line without '=', an empty header,
 * a column we do not have, a header mapped twice, bytes neither UTF-8 nor
 * Windows-1252), or -2 when out of memory. */
int csv_emp_map_parse(const char *text, size_t len, csv_emp_map_t **out, char *err, size_t errsize);
void csv_emp_map_free(csv_emp_map_t **map);

typedef struct {
    const csv_emp_map_t *map;       /* NULL: our names and the built-in aliases only */
    int32_t today;                  /* the scheduler's date (common/date.h day number),
                                       or ENT_DATE_NONE: hire dates are not bounded by it */
    const char *const *entities;    /* the policy's entity ids; NULL (or n_entities 0):
                                       any entity (the scheduler checks) */
    size_t n_entities;
} csv_emp_options_t;

/* Called for each valid row, in file order: ev and its strings are valid
 * during the call only.  Returns 0 to go on; anything else stops the parse
 * and is returned by csv_emp_parse. */
typedef int (*csv_emp_row_fn)(void *ctx, size_t line, const Entretiens__V1__EmployeeEvent *ev);

/* Reads the len bytes at data.  opt may be NULL (no map, no date, any
 * entity).  fn may be NULL (validation only).  report is filled (release
 * with csv_emp_report_clear).  Returns 0 when the whole input was read
 * (csv_emp_refused says whether it is acceptable), -1 when out of memory,
 * or the non-zero value fn returned. */
int csv_emp_parse(const char *data, size_t len, const csv_emp_options_t *opt, csv_emp_row_fn fn, void *ctx,
                  csv_emp_report_t *report);

void csv_emp_report_clear(csv_emp_report_t *report);

#endif
