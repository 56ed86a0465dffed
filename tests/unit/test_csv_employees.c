/*  Unit tests of services/ctl/csv_employees: a good HRIS export becomes
 *  `hired` events with deterministic ids; every kind of bad row is named by
 *  its line, column and reason; quoting, CRLF, CR, BOM, ';' and tab files;
 *  French exports (headers, dd/mm/yyyy, CDI/CDD, Cadre/ETAM, Windows-1252),
 *  column maps, plausible dates and the policy's entities; the counts of a
 *  refusal; and whatever passes here passes the scheduler's own checks. */
#include "common/csv_employees.h"
#include "common/event_json.h"
#include "validate.h"

#include "common/date.h"

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
    /* the scheduler's own checks, dated as the tests' files are */
    sched_refs_t refs = { .today = ent_date_from_ymd(2026, 11, 26) };
    if (sched_event_check(ev, &refs, &field, &why, reason, sizeof reason) != SCHED_CHECK_OK) {
        s->sched_ok = false;
        snprintf(s->sched_why, sizeof s->sched_why, "line %zu: %s: %s", line, field, reason);
    }
    cr_assert_lt(s->n, 64);
    json_t *j = ent_evjson_to_json(ev);
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
    return csv_emp_parse(text, strlen(text), NULL, s_collect, sink, rep);
}

static int s_parse_opt(const char *text, const csv_emp_options_t *opt, s_sink_t *sink, csv_emp_report_t *rep)
{
    memset(sink, 0, sizeof *sink);
    sink->sched_ok = true;
    return csv_emp_parse(text, strlen(text), opt, s_collect, sink, rep);
}

/* Asserts that an error of line/field exists whose reason holds what. */
static void s_has_error(const csv_emp_report_t *rep, size_t line, const char *field, const char *what)
{
    for (size_t i = 0; i < rep->kept; i++)
        if (rep->errors[i].line == line && strcmp(rep->errors[i].field, field) == 0 &&
            strstr(rep->errors[i].reason, what))
            return;
    char all[4096] = "";
    size_t o = 0;
    for (size_t i = 0; i < rep->kept && o < sizeof all; i++)
        o += (size_t) snprintf(all + o, sizeof all - o, "[%zu %s: %s] ", rep->errors[i].line, rep->errors[i].field,
                               rep->errors[i].reason);
    cr_assert_fail("no error on line %zu, field %s, saying '%s'; errors: %s", line, field, what, all);
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
        "E9,Zo\xc3\xa9 Pa\xe9ul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,\n"                            /* 9 */
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
        "E21,Paul,Petit,,ACME-FR,,,,,03/02/21,,cadre,permanent,,\n";                                             /* 21 */
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.rows, 20);
    cr_assert_eq(rep.valid, 1, "only line 2 is good");
    cr_assert_eq(rep.bad, 19);
    s_has_error(&rep, 3, "hire_date", "2021-02-30");
    s_has_error(&rep, 4, "region", "unknown region 'corsica'");
    s_has_error(&rep, 5, "category", "unknown category 'manager'");
    s_has_error(&rep, 6, "contract", "'interim': a temp worker (intérim) is employed by the temping agency");
    s_has_error(&rep, 7, "employee_id", "already on line 2");
    s_has_error(&rep, 8, "row", "13 fields where the header has 15");
    s_has_error(&rep, 9, "first_name", "not valid UTF-8: the file mixes UTF-8 and another encoding");
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
    s_has_error(&rep, 21, "hire_date", "'03/02/21' has a two-digit year");
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
          "column 'email' appears twice: 'email' (field 4) and 'Email' (field 16)" },
        { "employee_id,first_name,last_name,entity,hire_date,category,contract\nE1,A,B,X,2020-01-01,cadre,permanent\n",
          "missing columns: email, department, site, manager_id, birth_date, contract_end, trial_months" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        s_sink_t s;
        csv_emp_report_t rep;
        cr_assert_eq(s_parse(cases[i].text, &s, &rep), 0);
        s_has_error(&rep, 1, "header", cases[i].what);
        cr_assert_eq(s.n, 0, "case %zu: no event from a file with a bad header", i);
        cr_assert_eq(rep.valid, 0);
        cr_assert(rep.header_bad);
        cr_assert(csv_emp_refused(&rep));
        cr_assert_eq(rep.rows, 1, "case %zu: the row is counted, not read", i);
        cr_assert_eq(rep.bad, 0, "case %zu: no row was judged", i);
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
    cr_assert(rep.file_bad);
    cr_assert_eq(rep.bad, 0);
    cr_assert_eq(rep.rows, 0);
    csv_emp_report_clear(&rep);
    cr_assert_eq(s_parse("\n\n  \n", &s, &rep), 0);
    s_has_error(&rep, 1, "file", "header row");
    csv_emp_report_clear(&rep);
    cr_assert_eq(csv_emp_parse("\xff\xfe" "e\0m\0", 6, NULL, s_collect, &s, &rep), 0);
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
    cr_assert_eq(csv_emp_parse(text, strlen(text), NULL, NULL, NULL, &rep), 0);
    cr_assert_eq(rep.valid, 3);
    csv_emp_report_clear(&rep);
    s_sink_t s;
    memset(&s, 0, sizeof s);
    s.sched_ok = true;
    s.stop_after = 2;
    cr_assert_eq(csv_emp_parse(text, strlen(text), NULL, s_collect, &s, &rep), 7, "fn's result is returned");
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

/* ------------------------------------------------ what HR really exports */

/* The header of a French HRIS export (issue 11), ';'-separated. */
#define FR_HEADER                                                                                                     \
    "Matricule;Nom;Prénom;Courriel;Société;Service;Établissement;Responsable (matricule);Date d'entrée;"              \
    "Date de naissance;Statut;Type de contrat;Date de fin de contrat;Période d'essai (mois);Langue\n"

Test(csv_employees, a_french_export_is_read_through_the_aliases)
{
    const char *text = FR_HEADER
        "M1;Dupré;Jeanne;jeanne@acme.example;ACME-FR;Direction;Paris;;05/01/2015;02/03/1970;Cadre;CDI;;4;Français\n"
        "E2;Müller;Zoé;;ACME-FR;Ventes;Lyon;M1;5/1/2026;1.9.1999;Non-cadre;CDD;04/01/2027;1 mois;fr-FR\n"
        "E3;Roux;Léo;;ACME-FR;Ventes;Lyon;M1;2025-09-01;2007-06-30;Employé;Apprentissage;31/08/2027;;\n"
        "E4;Petit;Ana;;ACME-FR;R&D;Lyon;M1;15/03/2024 00:00:00;;Agent de maîtrise;CDI temps partiel;;3;anglais\n"
        "E5;Roy;Cy;;ACME-FR;R&D;Lyon;M1;01/02/2026;;ETAM;Contrat de professionnalisation;31/01/2027;;EN\n"
        "E6;Ng;Bo;;ACME-FR;R&D;Lyon;M1;01/02/2026;;Technicien;CDD de remplacement;31/07/2026;;\n"
        "E7;Lopez;Ana;;ACME-FR;R&D;Lyon;M1;01-02-2026;;Cadre dirigeant;Contrat à durée indéterminée;;;\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_not(csv_emp_refused(&rep), "%zu errors, first: line %zu %s: %s", rep.n_errors,
                  rep.kept ? rep.errors[0].line : 0, rep.kept ? rep.errors[0].field : "",
                  rep.kept ? rep.errors[0].reason : "");
    cr_assert_eq(rep.rows, 7);
    cr_assert_eq(rep.valid, 7);
    cr_assert_eq(rep.delimiter, ';');
    cr_assert_str_eq(rep.encoding, "utf-8");
    cr_assert(s.sched_ok, "the scheduler would reject %s", s.sched_why);
    /* how each header was read */
    static const char *const cols[] = { "employee_id", "last_name",   "first_name", "email",        "entity",
                                        "department",  "site",        "manager_id", "hire_date",    "birth_date",
                                        "category",    "contract",    "contract_end", "trial_months", "locale" };
    cr_assert_eq(rep.ncolumns, 15);
    for (size_t i = 0; i < 15; i++)
        cr_assert_str_eq(rep.columns[i].column, cols[i], "field %zu (%s)", i + 1, rep.columns[i].header);
    cr_assert_str_eq(rep.columns[8].header, "Date d'entrée");
    cr_assert_str_eq(csv_emp_header_of(&rep, "hire_date"), "Date d'entrée");
    cr_assert_null(csv_emp_header_of(&rep, "region"));

    static const struct {
        const char *id, *hired, *birth, *category, *contract, *end, *locale;
        int trial;
    } want[] = {
        { "M1", "2015-01-05", "1970-03-02", "cadre", "permanent", NULL, "fr", 4 },
        { "E2", "2026-01-05", "1999-09-01", "ouvrier_employe", "fixed_term", "2027-01-04", "fr", 1 },
        { "E3", "2025-09-01", "2007-06-30", "ouvrier_employe", "apprentice", "2027-08-31", NULL, 0 },
        { "E4", "2024-03-15", NULL, "maitrise_technicien", "permanent", NULL, "en", 3 },
        { "E5", "2026-02-01", NULL, "ouvrier_employe", "fixed_term", "2027-01-31", "en", 0 },
        { "E6", "2026-02-01", NULL, "maitrise_technicien", "fixed_term", "2026-07-31", NULL, 0 },
        { "E7", "2026-02-01", NULL, "cadre", "permanent", NULL, NULL, 0 },
    };
    cr_assert_eq(s.n, 7);
    for (size_t i = 0; i < 7; i++) {
        json_t *e = s_event(&s, i);
        cr_assert_str_eq(s_str(e, "employee_id"), want[i].id);
        cr_assert_str_eq(s_str(e, "effective_date"), want[i].hired, "%s: %s", want[i].id, s.json[i]);
        char eid[64];
        snprintf(eid, sizeof eid, "%s:hired:%s", want[i].id, want[i].hired);
        cr_assert_str_eq(s_str(e, "event_id"), eid, "the event id holds the date as yyyy-mm-dd");
        if (want[i].birth)
            cr_assert_str_eq(s_str(e, "birth_date"), want[i].birth, "%s", s.json[i]);
        cr_assert_str_eq(s_str(e, "category"), want[i].category, "%s", s.json[i]);
        cr_assert_str_eq(s_str(e, "contract"), want[i].contract, "%s", s.json[i]);
        if (want[i].end)
            cr_assert_str_eq(s_str(e, "contract_end"), want[i].end, "%s", s.json[i]);
        else
            cr_assert_null(json_object_get(e, "contract_end"));
        if (want[i].locale)
            cr_assert_str_eq(s_str(e, "locale"), want[i].locale, "%s", s.json[i]);
        else
            cr_assert_null(json_object_get(e, "locale"));
        cr_assert_eq(json_integer_value(json_object_get(e, "trial_months")), want[i].trial, "%s", s.json[i]);
        json_decref(e);
    }
    json_t *e = s_event(&s, 1);
    cr_assert_str_eq(s_str(e, "first_name"), "Zoé");
    cr_assert_str_eq(s_str(e, "last_name"), "Müller");
    cr_assert_str_eq(s_str(e, "manager_id"), "M1");
    cr_assert_str_eq(s_str(e, "entity"), "ACME-FR");
    cr_assert_str_eq(s_str(e, "site"), "Lyon");
    json_decref(e);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, headers_compare_without_case_accents_or_punctuation)
{
    const char *text = "MATRICULE,NOM,PRENOM,e-mail,ENTITE,departement,site / etablissement,Matricule_N+1,"
                       "date_d_entree,Né(e) le,catégorie,Type contrat,Date de fin de CDD,Periode d’essai,"
                       "Région,Forfait-jours\n"
                       "E1,Martin,Claire,,ACME-FR,,,,2024-03-15,,cadre,cdi,,,Alsace-Moselle,oui\n"
                       "E2,Petit,Paul,,ACME-FR,,,,2024-03-15,,cadre,cdi,,,La Réunion,non\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_not(csv_emp_refused(&rep), "%s: %s", rep.kept ? rep.errors[0].field : "",
                  rep.kept ? rep.errors[0].reason : "");
    cr_assert_eq(s.n, 2);
    json_t *e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "region"), "alsace_moselle");
    cr_assert(json_is_true(json_object_get(e, "forfait_jours")));
    json_decref(e);
    e = s_event(&s, 1);
    cr_assert_str_eq(s_str(e, "region"), "reunion");
    json_decref(e);
    cr_assert_str_eq(rep.columns[13].column, "trial_months", "a typographic apostrophe is punctuation");
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, a_map_names_the_other_headers)
{
    const char *map_text = "\xef\xbb\xbf# the Payroll export\n"
                           "\n"
                           "Matricule salarié interne = employee_id\n"
                           "  Poste   =   -  \n"
                           "Nom = last_name\n"
                           "Date d'ancienneté = hire_date\n"
                           "Salaire = -\n";
    csv_emp_map_t *map = NULL;
    char err[256] = "";
    cr_assert_eq(csv_emp_map_parse(map_text, strlen(map_text), &map, err, sizeof err), 0, "%s", err);
    csv_emp_options_t opt = { .map = map, .today = ENT_DATE_NONE };
    const char *text = "MATRICULE SALARIE INTERNE;Nom;Prénom;Courriel;Société;Service;Établissement;Responsable;"
                       "date d'anciennete;Date de naissance;Statut;Type de contrat;Date de fin de contrat;"
                       "Période d'essai;Poste\n"
                       "E1;Martin;Claire;;ACME-FR;;;;15/03/2024;;Cadre;CDI;;;Chef de projet\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse_opt(text, &opt, &s, &rep), 0);
    cr_assert_not(csv_emp_refused(&rep), "%s", rep.kept ? rep.errors[0].reason : "");
    cr_assert_eq(s.n, 1);
    cr_assert_str_eq(rep.columns[0].column, "employee_id");
    cr_assert_str_eq(rep.columns[8].column, "hire_date");
    cr_assert_str_eq(rep.columns[14].column, "-", "ignored by the map");
    json_t *e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "employee_id"), "E1");
    cr_assert_str_eq(s_str(e, "effective_date"), "2024-03-15");
    json_decref(e);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);

    /* without the map: the unknown headers are named, with the way out */
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert(rep.header_bad);
    cr_assert_eq(rep.rows, 1);
    s_has_error(&rep, 1, "header", "unknown column 'MATRICULE SALARIE INTERNE' (field 1)");
    s_has_error(&rep, 1, "header", "'Poste = -' to ignore it");
    cr_assert_null(rep.columns[14].column);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
    csv_emp_map_free(&map);
    cr_assert_null(map);

    /* a map names its own mistakes by line */
    static const struct {
        const char *text, *what;
    } bad[] = {
        { "Matricule employee_id\n", "line 1: no '='" },
        { "# ok\nMatricule = matricule\n", "line 2: 'matricule' is not a column" },
        { "= employee_id\n", "line 1: no header before '='" },
        { "Matricule = employee_id\nMATRICULE = -\n", "line 2: this header is mapped on line 1 already" },
        { "Pr\x81nom = first_name\n", "neither UTF-8 nor Windows-1252" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        cr_assert_eq(csv_emp_map_parse(bad[i].text, strlen(bad[i].text), &map, err, sizeof err), -1, "case %zu", i);
        cr_assert_null(map);
        cr_assert(strstr(err, bad[i].what), "case %zu: '%s' should say '%s'", i, err, bad[i].what);
    }
    /* a header with '=' in it: the last '=' splits */
    const char *eq = "Prime = oui/non = forfait_jours\n";
    cr_assert_eq(csv_emp_map_parse(eq, strlen(eq), &map, err, sizeof err), 0, "%s", err);
    csv_emp_map_free(&map);
}

Test(csv_employees, contracts_and_categories_in_french)
{
    static const struct {
        const char *contract, *category;
        const char *field, *what; /* NULL: accepted */
    } cases[] = {
        { "CDI", "Cadre", NULL, NULL },
        { "cdd", "Non cadre", NULL, NULL },
        { "Apprentissage", "Ouvrier", NULL, NULL },
        { "Contrat d'apprentissage", "Employée", NULL, NULL },
        { "Contrat de professionnalisation", "ETAM", NULL, NULL },
        { "Intérim", "Cadre", "contract", "employed by the temping agency" },
        { "CDI intérimaire", "Cadre", "contract", "temping agency" },
        { "Travail temporaire", "Cadre", "contract", "temping agency" },
        { "Stage", "Cadre", "contract", "not a contract of employment" },
        { "Stagiaire", "Cadre", "contract", "interns are owed no professional interview" },
        { "Convention de stage", "Cadre", "contract", "not a contract of employment" },
        { "Alternance", "Cadre", "contract", "say which" },
        { "Prestataire", "Cadre", "contract", "not an employee" },
        { "Portage", "Cadre", "contract", "unknown contract 'Portage'" },
        { "CDI", "Directeur", "category", "unknown category 'Directeur'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool fixed = strncasecmp(cases[i].contract, "CDD", 3) == 0 || strstr(cases[i].contract, "pprenti") ||
                     strstr(cases[i].contract, "professionnalisation");
        char text[1024];
        snprintf(text, sizeof text, FR_HEADER "E1;Martin;Claire;;ACME-FR;;;;01/09/2025;;%s;%s;%s;;\n",
                 cases[i].category, cases[i].contract, fixed ? "31/08/2026" : "");
        s_sink_t s;
        csv_emp_report_t rep;
        cr_assert_eq(s_parse(text, &s, &rep), 0);
        if (!cases[i].field) {
            cr_assert_eq(rep.valid, 1, "case %zu (%s, %s): %s", i, cases[i].contract, cases[i].category,
                         rep.kept ? rep.errors[0].reason : "");
            cr_assert(s.sched_ok, "case %zu: %s", i, s.sched_why);
        } else {
            cr_assert_eq(rep.bad, 1, "case %zu (%s) accepted", i, cases[i].contract);
            s_has_error(&rep, 2, cases[i].field, cases[i].what);
            /* the column as in the file, next to ours */
            cr_assert_str_eq(rep.errors[0].column, strcmp(cases[i].field, "contract") == 0 ? "Type de contrat" : "Statut");
        }
        s_sink_free(&s);
        csv_emp_report_clear(&rep);
    }
}

Test(csv_employees, dates_as_exports_write_them)
{
    static const struct {
        const char *date, *want, *what; /* want NULL: refused with what */
    } cases[] = {
        { "05/01/2027", "2027-01-05", NULL },
        { "5/1/2027", "2027-01-05", NULL },
        { "05.01.2027", "2027-01-05", NULL },
        { "05-01-2027", "2027-01-05", NULL },
        { "2027-01-05", "2027-01-05", NULL },
        { "05/01/2027 00:00", "2027-01-05", NULL },
        { "2027-01-05T00:00:00", "2027-01-05", NULL },
        { "05/01/27", NULL, "two-digit year" },
        { "46392", NULL, "spreadsheet's day number" },
        { "31/02/2027", NULL, "no such day" },
        { "05/01/2027 08:30", NULL, "not a date (dd/mm/yyyy or yyyy-mm-dd)" },
        { "2027/01/05", NULL, "not a date" },
        { "05/01-2027", NULL, "not a date" },
        { "January 5, 2027", NULL, "not a date" },
        { "05/01/1899", NULL, "not between 1900 and 2200" },
        { "05/01/1949", NULL, "before 1950-01-01" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, FR_HEADER "E1;Martin;Claire;;ACME-FR;;;;%s;;Cadre;CDI;;;\n", cases[i].date);
        s_sink_t s;
        csv_emp_report_t rep;
        cr_assert_eq(s_parse(text, &s, &rep), 0);
        if (cases[i].want) {
            cr_assert_eq(s.n, 1, "case %zu (%s): %s", i, cases[i].date, rep.kept ? rep.errors[0].reason : "");
            json_t *e = s_event(&s, 0);
            cr_assert_str_eq(s_str(e, "effective_date"), cases[i].want, "case %zu", i);
            json_decref(e);
        } else {
            cr_assert_eq(s.n, 0, "case %zu (%s) accepted", i, cases[i].date);
            s_has_error(&rep, 2, "hire_date", cases[i].what);
            cr_assert_str_eq(rep.errors[0].column, "Date d'entrée");
        }
        s_sink_free(&s);
        csv_emp_report_clear(&rep);
    }
    /* trial periods in months only */
    const char *t = FR_HEADER "E1;Martin;Claire;;ACME-FR;;;;05/01/2026;;Cadre;CDI;;60 jours;\n"
                              "E2;Martin;Paul;;ACME-FR;;;;05/01/2026;;Cadre;CDI;;4,5;\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(t, &s, &rep), 0);
    s_has_error(&rep, 2, "trial_months", "in months");
    s_has_error(&rep, 3, "trial_months", "not a number of months");
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, the_scheduler_s_date_and_entities_bound_the_rows)
{
    static const char *const entities[] = { "ACME-FR", "ACME-BE" };
    csv_emp_options_t opt = { .today = ent_date_from_ymd(2026, 11, 26), .entities = entities, .n_entities = 2 };
    const char *text = FR_HEADER
        "E1;Martin;Claire;;ACME-FR;;;;26/11/2028;;Cadre;CDI;;;\n"               /* 2: the last day accepted */
        "E2;Martin;Paul;;ACME-FR;;;;27/11/2028;;Cadre;CDI;;;\n"                 /* 3: one day too far */
        "E3;Martin;Ana;;ACME-FR;;;;31/12/2200;;Cadre;CDI;;;\n"                  /* 4: issue 11's typo */
        "E4;Martin;Léa;;ACME-XX;;;;01/02/2026;;Cadre;CDI;;;\n"                  /* 5: unknown entity */
        "E5;Martin;Jo;;acme-be;;;;01/02/2026;;Cadre;CDI;;;\n"                   /* 6: not exact */
        "E6;Martin;Al;;ACME-BE;;;;01/02/2026;;Cadre;CDD;02/02/2031;;\n"         /* 7: 5 years and a day */
        "E7;Martin;Bo;;ACME-BE;;;;01/02/2026;01/02/2013;Cadre;CDI;;;\n"         /* 8: 13 at the hire */
        "E8;Martin;Cy;;ACME-BE;;;;01/02/2026;;Cadre;CDD;01/02/2031;;\n";        /* 9: 5 years exactly */
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse_opt(text, &opt, &s, &rep), 0);
    cr_assert_eq(rep.rows, 8);
    cr_assert_eq(rep.valid, 2, "%zu valid", rep.valid);
    cr_assert_eq(rep.bad, 6);
    s_has_error(&rep, 3, "hire_date", "2028-11-27 is more than 2 years after the scheduler's today (2026-11-26)");
    s_has_error(&rep, 4, "hire_date", "2200-12-31 is more than 2 years");
    s_has_error(&rep, 5, "entity", "unknown entity 'ACME-XX': the scheduler's policy declares ACME-FR, ACME-BE");
    s_has_error(&rep, 6, "entity", "did you mean ACME-BE?");
    s_has_error(&rep, 7, "contract_end", "more than 5 years after the hire");
    s_has_error(&rep, 8, "birth_date", "13 years old");
    json_t *e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "employee_id"), "E1");
    json_decref(e);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
    /* without the scheduler's answers: any entity, no bound ahead but 2200 */
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_eq(rep.valid, 6, "%zu valid", rep.valid);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}

Test(csv_employees, a_windows_1252_file_is_converted)
{
    /* what Excel writes as "CSV (séparateur : point-virgule)" in France */
    const char *text = "Matricule;Nom;Pr\xe9nom;Courriel;Soci\xe9t\xe9;Service;\xc9tablissement;Responsable;"
                       "Date d'entr\xe9" "e;Date de naissance;Statut;Type de contrat;Date de fin de contrat;"
                       "P\xe9riode d'essai (mois)\r\n"
                       "E1;Dupr\xe9;Zo\xe9;;ACME-FR;R&D \x96 \x80 budget;;;05/01/2026;;Agent de ma\xeetrise;CDI;;\r\n"
                       "E2;\x8c" "dipe;No\xebl;;ACME-FR;;;;05/01/2026;;Cadre;Int\xe9rim;;\r\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert_str_eq(rep.encoding, "windows-1252");
    cr_assert_eq(rep.rows, 2);
    cr_assert_eq(rep.valid, 1);
    s_has_error(&rep, 3, "contract", "'Intérim': a temp worker");
    cr_assert_str_eq(rep.columns[2].header, "Prénom");
    cr_assert_str_eq(rep.columns[8].column, "hire_date");
    json_t *e = s_event(&s, 0);
    cr_assert_str_eq(s_str(e, "first_name"), "Zoé");
    cr_assert_str_eq(s_str(e, "last_name"), "Dupré");
    cr_assert_str_eq(s_str(e, "department"), "R&D – € budget");
    cr_assert_str_eq(s_str(e, "category"), "maitrise_technicien");
    json_decref(e);
    cr_assert(s.sched_ok, "%s", s.sched_why);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);

    /* a byte Windows-1252 does not have either: the file is refused */
    const char *bad = "employee_id,first_name\nE1,Pa\x81ul\n";
    cr_assert_eq(s_parse(bad, &s, &rep), 0);
    cr_assert(rep.file_bad);
    s_has_error(&rep, 1, "file", "neither UTF-8 nor Windows-1252: byte 0x81 on line 2");
    cr_assert_eq(s.n, 0);
    csv_emp_report_clear(&rep);

    /* a UTF-8 file with a byte-order mark stays UTF-8: a stray byte is a
     * bad field, not a reason to garble the rest */
    const char *bom = "\xef\xbb\xbf" HEADER "E1,Pa\xe9ul,Petit,,ACME-FR,,,,,2021-02-03,,cadre,permanent,,\n";
    cr_assert_eq(s_parse(bom, &s, &rep), 0);
    cr_assert_str_eq(rep.encoding, "utf-8");
    s_has_error(&rep, 2, "first_name", "not valid UTF-8");
    csv_emp_report_clear(&rep);
}

Test(csv_employees, a_refusal_counts_rows_right)
{
    /* issue 11: a French header without aliases said "1 bad row of 0" */
    const char *text = "Matricule;Nom;Colour\nE1;Martin;blue\nE2;Petit;red\n\nE3;Roux;green\n";
    s_sink_t s;
    csv_emp_report_t rep;
    cr_assert_eq(s_parse(text, &s, &rep), 0);
    cr_assert(csv_emp_refused(&rep));
    cr_assert(rep.header_bad);
    cr_assert_eq(rep.rows, 3, "the rows are counted though not read");
    cr_assert_eq(rep.bad, 0);
    cr_assert_eq(rep.valid, 0);
    s_has_error(&rep, 1, "header", "unknown column 'Colour' (field 3)");
    s_has_error(&rep, 1, "header", "missing columns: first_name, email");
    csv_emp_report_clear(&rep);
    /* rows: bad ones of all of them */
    const char *rows = HEADER ROW("E1") "E2,Paul,Petit,,ACME-FR,,,,,2021-02-30,,cadre,permanent,,\n" ROW("E3")
        "E4,Paul,Petit,,ACME-FR,,,,,2021-02-03,,boss,CDI,,13\n";
    cr_assert_eq(s_parse(rows, &s, &rep), 0);
    cr_assert_eq(rep.rows, 4);
    cr_assert_eq(rep.bad, 2);
    cr_assert_eq(rep.valid, 2);
    cr_assert_eq(rep.n_errors, 3);
    cr_assert_not(rep.header_bad);
    s_sink_free(&s);
    csv_emp_report_clear(&rep);
}
