/*  Unit tests of services/ctl/csv_employees: a good HRIS export becomes
 *  `hired` events with deterministic ids; every kind of bad row is named by
 *  its line, column and reason; quoting, CRLF, CR, BOM, ';' and tab files;
 *  and whatever passes here passes the scheduler's own validation. */
#include "csv_employees.h"
#include "json_events.h"
#include "validate.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER                                                                                                        \
    "employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,category,"  \
    "contract,contract_end,trial_months\n"

/* A valid row of HEADER with the given id (printf arguments follow). */
#define ROW(id) id ",Claire,Martin,claire@acme.example,ACME-FR,Sales,Paris,metropole,M1,2024-03-15,1990-05-01,cadre,permanent,,4\n"

typedef struct {
    char *json[64];     /* each event as compact JSON */
    size_t lines[64];
    size_t n;
    int stop_after;     /* fn returns 7 after that many events (0 = never) */
    bool sched_ok;      /* every event passed sched_event_valid */
    char sched_why[320];
} s_sink_t;

static int s_collect(void *ctx, size_t line, const Entretiens__V1__EmployeeEvent *ev)
{
    s_sink_t *s = ctx;
    const char *field = NULL, *why = NULL;
    char reason[256];
    if (!sched_event_valid(ev, &field, &why, reason, sizeof reason)) {
        s->sched_ok = false;
        snprintf(s->sched_why, sizeof s->sched_why, "line %zu: %s: %s", line, field, reason);
    }
    cr_assert_lt(s->n, 64);
    json_t *j = ctl_event_to_json(ev);
    s->json[s->n] = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    s->lines[s->n++] = line;
    return s->stop_after && (int) s->n >= s->stop_after ? 7 : 0;
}

static void s_sink_free(s_sink_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->json[i]);
}

static int s_parse(const char *text, s_sink_t *sink, csv_emp_report_t *rep)
{
    memset(sink, 0, sizeof *sink);
    sink->sched_ok = true;
    return csv_emp_parse(text, strlen(text), s_collect, sink, rep);
}

/* The error of line/field, asserting that it exists and its reason holds
 * what. */
static void s_has_error(const csv_emp_report_t *rep, size_t line, const char *field, const char *what)
{
    for (size_t i = 0; i < rep->kept; i++)
        if (rep->errors[i].line == line && strcmp(rep->errors[i].field, field) == 0) {
            cr_assert(strstr(rep->errors[i].reason, what), "line %zu %s: reason '%s' should mention '%s'", line, field,
                      rep->errors[i].reason, what);
            return;
        }
    char all[4096] = "";
    size_t o = 0;
    for (size_t i = 0; i < rep->kept && o < sizeof all; i++)
        o += (size_t) snprintf(all + o, sizeof all - o, "[%zu %s: %s] ", rep->errors[i].line, rep->errors[i].field,
                               rep->errors[i].reason);
    cr_assert_fail("no error on line %zu, field %s; errors: %s", line, field, all);
}

static json_t *s_event(const s_sink_t *s, size_t i)
{
    json_error_t e;
    json_t *j = json_loads(s->json[i], 0, &e);
    cr_assert_not_null(j, "event %zu is not JSON: %s", i, e.text);
    return j;
}

static const char *s_str(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

Test(csv_employees, a_good_file_gives_one_hire_per_row)
{
    const char *text = HEADER
        ROW("E1")
        "E2,\"Jean-Luc \"\"JL\"\", Jr\",Dupont,,ACME-ALSACE,\"R&D, labs\",Strasbourg,Alsace_Moselle,,2021-09-01,,"
        "Maitrise_Technicien,fixed_term,2022-08-31,2\n"
        "E3,Ana,Lopez,ana@acme.example,ACME-FR,,,,E1,2026-01-05,2000-02-29,ouvrier_employe,APPRENTICE,2028-01-04,\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.rows, 3);
    cr_assert_eq(rep.valid, 3);
    cr_assert_eq(rep.bad, 0, "%zu errors, first: %s", rep.n_errors, rep.kept ? rep.errors[0].reason : "");
    cr_assert_eq(rep.n_errors, 0);
    cr_assert_eq(rep.delimiter, ',');
    cr_assert_eq(s.n, 3);
    cr_assert(s.sched_ok, "the scheduler would reject %s", s.sched_why);
    cr_assert_eq(s.lines[0], 2);
    cr_assert_eq(s.lines[1], 3);
    cr_assert_eq(s.lines[2], 4);

    json_t *e1 = s_event(&s, 0);
    cr_assert_str_eq(s_str(e1, "event_id"), "E1:hired:2024-03-15");
    cr_assert_str_eq(s_str(e1, "source"), "csv-import");
    cr_assert_str_eq(s_str(e1, "type"), "hired");
    cr_assert_str_eq(s_str(e1, "effective_date"), "2024-03-15");
    cr_assert_str_eq(s_str(e1, "first_name"), "Claire");
    cr_assert_str_eq(s_str(e1, "email"), "claire@acme.example");
    cr_assert_str_eq(s_str(e1, "manager_id"), "M1");
    cr_assert_str_eq(s_str(e1, "birth_date"), "1990-05-01");
    cr_assert_str_eq(s_str(e1, "category"), "cadre");
    cr_assert_eq(json_integer_value(json_object_get(e1, "trial_months")), 4);
    cr_assert_null(json_object_get(e1, "contract_end"));
    json_decref(e1);

    json_t *e2 = s_event(&s, 1);
    cr_assert_str_eq(s_str(e2, "first_name"), "Jean-Luc \"JL\", Jr", "doubled quotes and a quoted comma");
    cr_assert_str_eq(s_str(e2, "department"), "R&D, labs");
    cr_assert_str_eq(s_str(e2, "region"), "alsace_moselle", "values are case-insensitive, written canonically");
    cr_assert_str_eq(s_str(e2, "category"), "maitrise_technicien");
    cr_assert_str_eq(s_str(e2, "contract_end"), "2022-08-31");
    cr_assert_null(json_object_get(e2, "email"), "an empty optional value stays absent");
    cr_assert_null(json_object_get(e2, "manager_id"));
    json_decref(e2);

    json_t *e3 = s_event(&s, 2);
    cr_assert_str_eq(s_str(e3, "contract"), "apprentice");
    cr_assert_null(json_object_get(e3, "trial_months"), "an empty trial_months is 0 (not printed)");
    json_decref(e3);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, columns_in_any_order_and_case_with_the_optional_ones)
{
    const char *text =
        "Hire_Date,EMPLOYEE_ID,first_name,last_name,email,entity,department,site,region,manager_id,birth_date,"
        "category,contract,contract_end,trial_months,Locale,forfait_jours\n"
        "2025-06-02,C7,Zoé,Nguyễn,,ACME-LAB,,,,,,cadre,permanent,,,EN,oui\n"
        "2025-06-03,C8,Léo,Roux,,ACME-LAB,,,,,,cadre,permanent,,,,No\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.bad, 0, "%s", rep.kept ? rep.errors[0].reason : "");
    cr_assert_eq(s.n, 2);
    json_t *e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "employee_id"), "C7");
    cr_assert_str_eq(s_str(e, "effective_date"), "2025-06-02");
    cr_assert_str_eq(s_str(e, "last_name"), "Nguyễn");
    cr_assert_str_eq(s_str(e, "locale"), "en");
    cr_assert(json_is_true(json_object_get(e, "forfait_jours")));
    json_decref(e);
    e = s_event(&s, 1);
    cr_assert(json_is_false(json_object_get(e, "forfait_jours")), "'No' is an explicit false: %s", s.json[1]);
    json_decref(e);
    cr_assert(s.sched_ok, "%s", s.sched_why);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, event_ids_depend_on_the_employee_and_the_hire_only)
{
    const char *a = HEADER ROW("E1") ROW("E2");
    /* a re-export: other order, a corrected e-mail */
    const char *b = HEADER "E2,Claire,Martin,new@acme.example,ACME-FR,Sales,Paris,metropole,M1,2024-03-15,1990-05-01,"
                           "cadre,permanent,,4\n" ROW("E1");
    s_sink_t sa, sb;
    csv_emp_report_t ra, rb;
    cr_assert_eq(s_parse(a, &sa, &ra), 0);
    cr_assert_eq(s_parse(b, &sb, &rb), 0);
    cr_assert_eq(sa.n, 2);
    cr_assert_eq(sb.n, 2);
    json_t *a0 = s_event(&sa, 0), *b1 = s_event(&sb, 1), *a1 = s_event(&sa, 1), *b0 = s_event(&sb, 0);
    cr_assert_str_eq(s_str(a0, "event_id"), s_str(b1, "event_id"));
    cr_assert_str_eq(s_str(a1, "event_id"), s_str(b0, "event_id"));
    cr_assert_str_neq(s_str(a0, "event_id"), s_str(a1, "event_id"));
    json_decref(a0), json_decref(a1), json_decref(b0), json_decref(b1);
    s_sink_free(&sa), s_sink_free(&sb);
    csv_emp_report_clear(&ra), csv_emp_report_clear(&rb);
}

Test(csv_employees, every_bad_row_is_named_by_line_column_and_reason)
{
    const char *text = HEADER
        ROW("E1")                                                                                                 /* 2 */
        "E2,Paul,Petit,,ACME-FR,,,,,2021-02-30,,cadre,permanent,,\n"                                             /* 3 */
        "E3,Paul,Petit,,ACME-FR,,,corsica,,2021-02-03,,cadre,permanent,,\n"                                      /* 4 */
        "E4,Paul,Petit,,ACME-FR,,,,,2021-02-03,,manager,permanent,,\n"                                           /* 5 */
        "E5,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,interim,,\n"                                               /* 6 */
        ROW("E1")                                                                                                 /* 7 */
        "E8,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent\n"                                               /* 8 */
        "E9,Pa\xe9ul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,\n"                                         /* 9 */
        "E10,Paul,\"Pe\"tit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,\n"                                        /* 10 */
        "E11,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,fixed_term,,\n"                                           /* 11 */
        "E12,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,2022-01-01,\n"                                  /* 12 */
        "E13,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,13\n"                                          /* 13 */
        "E14,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,two\n"                                         /* 14 */
        "E15,Paul,Petit,,ACME-FR,,,,E15,2021-02-03,,cadre,permanent,,\n"                                         /* 15 */
        "E16,Paul,Petit,paul at acme,ACME-FR,,,,,2021-02-03,,cadre,permanent,,\n"                                /* 16 */
        "E17,Paul,Petit,,ACME-FR,,,,,2021-02-03,2015-01-01,cadre,permanent,,\n"                                  /* 17 */
        "E 18,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,\n"                                           /* 18 */
        "E19,Paul,,,,,,,,,,cadre,permanent,,\n"                                                                  /* 19 */
        "E20,Paul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,fixed_term,2020-12-31,\n"                                 /* 20 */
        "E21,Paul,Petit,,ACME-FR,,,,,03/02/2021,,cadre,permanent,,\n";                                           /* 21 */
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.rows, 20);
    cr_assert_eq(rep.valid, 1, "only line 2 is good");
    cr_assert_eq(rep.bad, 19);
    s_has_error(&rep, 3, "hire_date", "2021-02-30");
    s_has_error(&rep, 4, "region", "unknown region 'corsica'");
    s_has_error(&rep, 5, "category", "unknown category 'manager'");
    s_has_error(&rep, 6, "contract", "unknown contract 'interim'");
    s_has_error(&rep, 7, "employee_id", "already on line 2");
    s_has_error(&rep, 8, "row", "13 fields where the header has 15");
    s_has_error(&rep, 9, "first_name", "not valid UTF-8");
    s_has_error(&rep, 10, "row", "bad quoting");
    s_has_error(&rep, 11, "contract_end", "needs its end date");
    s_has_error(&rep, 12, "contract_end", "permanent contract has no end date");
    s_has_error(&rep, 13, "trial_months", "'13'");
    s_has_error(&rep, 14, "trial_months", "'two'");
    s_has_error(&rep, 15, "manager_id", "own manager");
    s_has_error(&rep, 16, "email", "not an e-mail address");
    s_has_error(&rep, 17, "birth_date", "6 years old");
    s_has_error(&rep, 18, "employee_id", "not an id");
    s_has_error(&rep, 19, "last_name", "required");
    s_has_error(&rep, 19, "entity", "required");
    s_has_error(&rep, 19, "hire_date", "required");
    s_has_error(&rep, 20, "contract_end", "before the hire");
    s_has_error(&rep, 21, "hire_date", "'03/02/2021' is not a date YYYY-MM-DD");
    /* the employee is named when the id could be read */
    for (size_t i = 0; i < rep.kept; i++)
        if (rep.errors[i].line == 4)
            cr_assert_str_eq(rep.errors[i].employee_id, "E3");
    /* errors come in line order */
    for (size_t i = 1; i < rep.kept; i++)
        cr_assert_geq(rep.errors[i].line, rep.errors[i - 1].line);
    cr_assert_eq(rep.n_errors, rep.kept);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, header_problems_refuse_the_whole_file)
{
    struct {
        const char *text, *what;
    } cases[] = {
        { "employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,"
          "category,contract,contract_end,trial_months,colour\n" ROW("E1"),
          "unknown column 'colour' (field 16)" },
        { "employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,"
          "category,contract,contract_end,trial_months,Email\n" ROW("E1"),
          "column 'email' appears twice (fields 4 and 16)" },
        { "employee_id,first_name,last_name,entity,hire_date,category,contract\nE1,A,B,X,2020-01-01,cadre,permanent\n",
          "missing columns: email, department, site, region, manager_id, birth_date, contract_end, trial_months" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        s_sink_t s;
        csv_emp_report_t rep;
        cr_assert_eq(s_parse(cases[i].text, &s, &rep), 0);
        s_has_error(&rep, 1, "header", cases[i].what);
        cr_assert_eq(s.n, 0, "case %zu: no event from a file with a bad header", i);
        cr_assert_eq(rep.valid, 0);
        cr_assert_geq(rep.bad, 1);
        s_sink_free(&s);
        csv_emp_report_clear(&rep);
    }
}

Test(csv_employees, empty_and_utf16_files_are_refused)
{
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse("", &s, &rep), 0);
    s_has_error(&rep, 1, "file", "empty");
    cr_assert_eq(rep.bad, 1);
    csv_emp_report_clear(&rep);
    cr_assert_eq(s_parse("\n\n  \n", &s, &rep), 0);
    s_has_error(&rep, 1, "file", "header row");
    csv_emp_report_clear(&rep);
    cr_assert_eq(csv_emp_parse("\xff\xfe" "e\0m\0", 6, s_collect, &s, &rep), 0);
    s_has_error(&rep, 1, "file", "UTF-16");
    csv_emp_report_clear(&rep);
    /* a header and no rows: nothing to do, nothing wrong */
    cr_assert_eq(s_parse(HEADER, &s, &rep), 0);
    cr_assert_eq(rep.bad, 0);
    cr_assert_eq(rep.rows, 0);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, crlf_bom_semicolons_and_blank_rows_keep_line_numbers)
{
    /* what a French spreadsheet writes: BOM, ';', CRLF, an empty row */
    const char *text = "\xef\xbb\xbf"
                       "employee_id;first_name;last_name;email;entity;department;site;region;manager_id;hire_date;"
                       "birth_date;category;contract;contract_end;trial_months\r\n"
                       "E1;Claire;Martin;;ACME-FR;Ventes, export;;;;2024-03-15;;cadre;permanent;;\r\n"
                       "\r\n"
                       ";;;;;;;;;;;;;;\r\n"
                       "E2;Paul;Petit;;ACME-FR;;;;;2024-13-01;;cadre;permanent;;\r\n"
                       "E3;Ana;Lopez;;ACME-FR;;;;;2024-03-01;;cadre;permanent;;";   /* no final line end */
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.delimiter, ';');
    cr_assert_eq(rep.rows, 3, "the blank and all-empty rows are not rows");
    cr_assert_eq(rep.valid, 2);
    s_has_error(&rep, 5, "hire_date", "2024-13-01");
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.lines[0], 2);
    cr_assert_eq(s.lines[1], 6);
    json_t *e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "employee_id"), "E1", "the BOM is not part of the first column's name");
    cr_assert_str_eq(s_str(e, "department"), "Ventes, export", "',' is text when ';' delimits");
    json_decref(e);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);

    /* the same rows with CR alone (old Mac) and with tabs */
    const char *cr = HEADER ROW("E1");
    char *mac = strdup(cr);
    for (char *p = mac; *p; p++)
        if (*p == '\n')
            *p = '\r';
    cr_assert_eq(s_parse(mac, &s, &rep), 0);
    cr_assert_eq(rep.valid, 1);
    cr_assert_eq(s.lines[0], 2);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
    free(mac);
    char *tsv = strdup(HEADER "E1,Claire  Anne,Martin,,ACME-FR,,,,,2024-03-15,,cadre,permanent,,\n");
    for (char *p = tsv; *p; p++)
        if (*p == ',')
            *p = '\t';
    cr_assert_eq(s_parse(tsv, &s, &rep), 0);
    cr_assert_eq(rep.delimiter, '\t');
    cr_assert_eq(rep.valid, 1, "%s", rep.kept ? rep.errors[0].reason : "");
    e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "first_name"), "Claire  Anne");
    json_decref(e);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
    free(tsv);
}

Test(csv_employees, a_quoted_line_break_spans_lines_and_is_refused_in_a_name)
{
    const char *text = HEADER
        "E1,\"Claire\nAnne\",Martin,,ACME-FR,,,,,2024-03-15,,cadre,permanent,,\n"   /* lines 2-3 */
        "E2,Paul,Petit,,ACME-FR,,,,,2024-03-15,,boss,permanent,,\n"                 /* line 4 */
        "E3,\"Ana\",\"Lopez\",,ACME-FR,,,,,2024-03-15,,cadre,permanent,,\n";        /* line 5 */
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    s_has_error(&rep, 2, "first_name", "line break");
    s_has_error(&rep, 4, "category", "boss");
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.lines[0], 5);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, an_unclosed_quote_is_reported_where_its_row_starts)
{
    const char *text = HEADER ROW("E1") "E2,\"Paul,Petit,,ACME-FR,,,,,2024-03-15,,cadre,permanent,,\n" ROW("E3");
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    s_has_error(&rep, 3, "row", "not closed");
    cr_assert_eq(rep.valid, 1);
    cr_assert_geq(rep.bad, 1);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, validation_only_and_early_stop)
{
    const char *text = HEADER ROW("E1") ROW("E2") ROW("E3");
    csv_emp_report_t rep;
    cr_assert_eq(csv_emp_parse(text, strlen(text), NULL, NULL, &rep), 0);
    cr_assert_eq(rep.valid, 3);
    csv_emp_report_clear(&rep);
    s_sink_t s;
    memset(&s, 0, sizeof s);
    s.sched_ok = true;
    s.stop_after = 2;
    cr_assert_eq(csv_emp_parse(text, strlen(text), s_collect, &s, &rep), 7, "fn's result is returned");
    cr_assert_eq(s.n, 2);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, errors_are_counted_beyond_those_kept)
{
    size_t n = CSV_EMP_MAX_ERRORS + 50, cap = strlen(HEADER) + n * 64 + 1, o = 0;
    char *text = malloc(cap);
    o += (size_t) snprintf(text + o, cap - o, "%s", HEADER);
    for (size_t i = 0; i < n; i++)
        o += (size_t) snprintf(text + o, cap - o, "X%zu,A,B,,ACME,,,,,2024-02-30,,cadre,permanent,,\n", i);
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.n_errors, n);
    cr_assert_eq(rep.kept, CSV_EMP_MAX_ERRORS);
    cr_assert_eq(rep.bad, n);
    cr_assert_eq(rep.errors[CSV_EMP_MAX_ERRORS - 1].line, CSV_EMP_MAX_ERRORS + 1);
    csv_emp_report_clear(&rep);
    free(text);
}
