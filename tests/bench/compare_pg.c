/*  compare_pg.c — see compare_pg.h. */
#include "compare_pg.h"

#include "common/date.h"
#include "common/pbdate.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every event column: what the scheduler keeps of an event, typed.  The
 * history index is the scheduler's `history` database; the partial index is
 * the one a DBA adds for the professional-interview rule. */
static const char s_schema[] =
    "DROP TABLE IF EXISTS events, employees, obligations;"
    "CREATE TABLE events ("
    " source text NOT NULL, event_id text NOT NULL, employee_id text NOT NULL, type text NOT NULL,"
    " effective_date date NOT NULL, entity text, department text, site text, region text, manager_id text,"
    " email text, locale text, birth_date date, category text, contract text, contract_end date,"
    " first_name text, last_name text, position text, leave_kind text, interview_type text,"
    " PRIMARY KEY (source, event_id));"
    "CREATE INDEX events_history ON events (employee_id, effective_date);"
    "CREATE INDEX events_professional ON events (employee_id, effective_date)"
    " WHERE type = 'interview_held' AND interview_type = 'professional';"
    "CREATE TABLE employees ("
    " employee_id text PRIMARY KEY, entity text, department text, site text, region text, manager_id text,"
    " email text, locale text, first_name text, last_name text, birth_date date, category text, contract text,"
    " hired_on date, left_on date, last_event_on date, prof_due date, prof_status text);"
    "CREATE INDEX employees_manager ON employees (manager_id);"
    "CREATE INDEX employees_prof_due ON employees (prof_due);"
    "CREATE TABLE obligations ("
    " employee_id text NOT NULL, obligation_id text NOT NULL, type text NOT NULL, due_date date,"
    " window_start date, status text NOT NULL, rule text, basis text, reason text, penalty_eur int,"
    " anchor date, met_on date, actionable boolean, penalty_if_inspected_eur int,"
    " PRIMARY KEY (employee_id, obligation_id));"
    "CREATE TEMP TABLE staging (LIKE events) ON COMMIT DELETE ROWS;";

/* The batch's new events, and the touched employees' state from them: the
 * latest hired/updated event's attributes, the hire and leaving dates.
 * Answers the events inserted and the employees upserted. */
static const char s_ingest[] =
    "WITH ins AS ("
    "  INSERT INTO events SELECT * FROM staging ON CONFLICT (source, event_id) DO NOTHING RETURNING *),"
    " attrs AS ("
    "  SELECT DISTINCT ON (employee_id) * FROM ins WHERE type IN ('hired', 'updated')"
    "  ORDER BY employee_id, effective_date DESC),"
    " dates AS ("
    "  SELECT employee_id, min(effective_date) FILTER (WHERE type = 'hired') AS hired_on,"
    "         max(effective_date) FILTER (WHERE type = 'left') AS left_on, max(effective_date) AS last_event_on"
    "  FROM ins GROUP BY employee_id),"
    " up AS (INSERT INTO employees AS e (employee_id, entity, department, site, region, manager_id, email, locale,"
    "  first_name, last_name, birth_date, category, contract, hired_on, left_on, last_event_on)"
    " SELECT d.employee_id, a.entity, a.department, a.site, a.region, a.manager_id, a.email, a.locale,"
    "  a.first_name, a.last_name, a.birth_date, a.category, a.contract, d.hired_on, d.left_on, d.last_event_on"
    " FROM dates d LEFT JOIN attrs a USING (employee_id)"
    " ON CONFLICT (employee_id) DO UPDATE SET"
    "  entity = COALESCE(EXCLUDED.entity, e.entity), department = COALESCE(EXCLUDED.department, e.department),"
    "  site = COALESCE(EXCLUDED.site, e.site), region = COALESCE(EXCLUDED.region, e.region),"
    "  manager_id = COALESCE(EXCLUDED.manager_id, e.manager_id), email = COALESCE(EXCLUDED.email, e.email),"
    "  locale = COALESCE(EXCLUDED.locale, e.locale), first_name = COALESCE(EXCLUDED.first_name, e.first_name),"
    "  last_name = COALESCE(EXCLUDED.last_name, e.last_name),"
    "  birth_date = COALESCE(EXCLUDED.birth_date, e.birth_date),"
    "  category = COALESCE(EXCLUDED.category, e.category), contract = COALESCE(EXCLUDED.contract, e.contract),"
    "  hired_on = LEAST(e.hired_on, EXCLUDED.hired_on), left_on = GREATEST(e.left_on, EXCLUDED.left_on),"
    "  last_event_on = GREATEST(e.last_event_on, EXCLUDED.last_event_on) RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM up)";

/* The pipelined ingest's staging: COPY cannot run in a pipeline (libpq),
 * so the batch comes as one text array per column, unnested into the rows
 * the same statement reads (s_ingest after its "WITH "). */
static const char s_staging_arrays[] =
    "WITH staging AS (SELECT source, event_id, employee_id, type, effective_date::date, entity, department, site,"
    "  region, manager_id, email, locale, birth_date::date, category, contract, contract_end::date, first_name,"
    "  last_name, position, leave_kind, interview_type"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],"
    "  $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],"
    "  $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])"
    "  AS s(source, event_id, employee_id, type, effective_date, entity, department, site, region, manager_id,"
    "  email, locale, birth_date, category, contract, contract_end, first_name, last_name, position, leave_kind,"
    "  interview_type)), ";

/* L6315-1 as rewritten by law 2025-989: within a year of hire, then four
 * years after the last professional interview; nothing owed after leaving.
 * Rows are written only where the due date or the status changed. */
static const char s_recompute[] =
    "UPDATE employees e SET prof_due = r.due, prof_status = r.status FROM ("
    "  SELECT employee_id, due,"
    "         CASE WHEN due IS NULL THEN NULL WHEN due < $1::date THEN 'overdue' ELSE 'upcoming' END AS status"
    "  FROM (SELECT e2.employee_id,"
    "               CASE WHEN e2.left_on IS NOT NULL THEN NULL"
    "                    ELSE COALESCE((p.last + interval '4 years')::date, (e2.hired_on + interval '1 year')::date)"
    "               END AS due"
    "        FROM employees e2 LEFT JOIN LATERAL ("
    "          SELECT max(v.effective_date) AS last FROM events v"
    "          WHERE v.employee_id = e2.employee_id AND v.type = 'interview_held'"
    "            AND v.interview_type = 'professional' AND v.effective_date >= e2.hired_on) p ON true"
    "        WHERE e2.hired_on IS NOT NULL) x) r"
    " WHERE e.employee_id = r.employee_id"
    "   AND (e.prof_due IS DISTINCT FROM r.due OR e.prof_status IS DISTINCT FROM r.status)";

/* What scheduler.obligations answers: the obligations and, on each, the
 * employee's attributes and the manager's name. */
static const char s_point[] =
    "SELECT o.obligation_id, o.type, o.due_date, o.window_start, o.status, o.rule, o.basis, o.reason,"
    "       o.penalty_eur, o.anchor, o.met_on, o.actionable, o.penalty_if_inspected_eur,"
    "       e.manager_id, e.entity, e.department, e.site, e.first_name, e.last_name, e.locale,"
    "       m.first_name, m.last_name"
    " FROM employees e JOIN obligations o ON o.employee_id = e.employee_id"
    " LEFT JOIN employees m ON m.employee_id = e.manager_id"
    " WHERE e.employee_id = $1";

/* A growing text buffer: the COPY text of a batch, or one column's array
 * literal. */
typedef struct {
    char *buf;
    size_t len, cap;
} s_text_t;

#define S_COLUMNS 21 /* of events, in the order of cmp_pg_batch_add */

struct cmp_pg {
    PGconn *conn;
    s_text_t copy; /* the COPY text of the batch being built */
    bool pipeline; /* in pipeline mode: batches are built as arrays */
    s_text_t cols[S_COLUMNS]; /* in pipeline mode, one array literal per column */
    int col;                  /* the column cmp_pg_batch_add is at */
};

/* Runs sql (no parameters) and checks its status.  Returns 0 or -1. */
static int s_exec(cmp_pg_t *pg, const char *sql, ExecStatusType want, const char *what)
{
    PGresult *r = PQexec(pg->conn, sql);
    int rc = PQresultStatus(r) == want ? 0 : -1;
    if (rc)
        fprintf(stderr, "postgresql: %s: %s", what, PQerrorMessage(pg->conn));
    PQclear(r);
    return rc;
}

static int s_prepare(cmp_pg_t *pg, const char *name, const char *sql, int nparams)
{
    PGresult *r = PQprepare(pg->conn, name, sql, nparams, NULL);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "postgresql: prepare %s: %s", name, PQerrorMessage(pg->conn));
    PQclear(r);
    return rc;
}

/* The pipelined ingest: s_staging_arrays, then s_ingest after its "WITH ". */
static int s_prepare_arrays(cmp_pg_t *pg)
{
    size_t a = strlen(s_staging_arrays), b = strlen(s_ingest) - strlen("WITH ");
    char *sql = malloc(a + b + 1);
    if (!sql)
        return -1;
    memcpy(sql, s_staging_arrays, a);
    memcpy(sql + a, s_ingest + strlen("WITH "), b + 1);
    int rc = s_prepare(pg, "ingest_arrays", sql, S_COLUMNS);
    free(sql);
    return rc;
}

cmp_pg_t *cmp_pg_new(const char *conninfo)
{
    cmp_pg_t *pg = calloc(1, sizeof *pg);
    if (!pg)
        return NULL;
    pg->conn = PQconnectdb(conninfo);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        fprintf(stderr, "postgresql: cannot connect (%s): %s", conninfo, PQerrorMessage(pg->conn));
        goto fail;
    }
    if (s_exec(pg, "SET client_min_messages = warning", PGRES_COMMAND_OK, "settings") ||
        s_exec(pg, s_schema, PGRES_COMMAND_OK, "schema") || s_prepare(pg, "ingest", s_ingest, 0) ||
        s_prepare_arrays(pg) ||
        s_prepare(pg, "recompute", s_recompute, 1) || s_prepare(pg, "obligations", s_point, 1))
        goto fail;
    return pg;
fail:
    cmp_pg_destroy(&pg);
    return NULL;
}

int cmp_pg_backend_pid(const cmp_pg_t *pg)
{
    return PQbackendPID(pg->conn);
}

static int s_reserve(s_text_t *t, size_t more)
{
    if (t->len + more <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 1 << 16;
    while (cap < t->len + more)
        cap *= 2;
    char *b = realloc(t->buf, cap);
    if (!b)
        return -1;
    t->buf = b;
    t->cap = cap;
    return 0;
}

/* One COPY text field (NULL for an absent or empty value), then a tab or,
 * when last, a newline. */
static int s_copy_field(s_text_t *t, const char *v, bool last)
{
    size_t n = v ? strlen(v) : 0;
    if (s_reserve(t, 2 * n + 3))
        return -1;
    if (!n) {
        memcpy(t->buf + t->len, "\\N", 2);
        t->len += 2;
    }
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            t->buf[t->len++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        t->buf[t->len++] = c;
    }
    t->buf[t->len++] = last ? '\n' : '\t';
    return 0;
}

/* One element of an array literal (NULL for an absent or empty value, as
 * in COPY), after a comma unless first; the braces are added when sent. */
static int s_array_field(s_text_t *t, const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (s_reserve(t, 2 * n + 8))
        return -1;
    if (t->len)
        t->buf[t->len++] = ',';
    if (!n) {
        memcpy(t->buf + t->len, "NULL", 4);
        t->len += 4;
        return 0;
    }
    t->buf[t->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"' || v[i] == '\\')
            t->buf[t->len++] = '\\';
        t->buf[t->len++] = v[i];
    }
    t->buf[t->len++] = '"';
    return 0;
}

/* The next field of the batch: COPY text, or in pipeline mode an element of
 * its column's array. */
static int s_field(cmp_pg_t *pg, const char *v, bool last)
{
    if (!pg->pipeline)
        return s_copy_field(&pg->copy, v, last);
    int rc = s_array_field(&pg->cols[pg->col], v);
    pg->col = last ? 0 : pg->col + 1;
    return rc;
}

static int s_date(cmp_pg_t *pg, const Entretiens__V1__Date *d, bool last)
{
    char b[ENT_DATE_STRLEN];
    return s_field(pg, ent_date_format(ent_pbdate_day(d), b), last);
}

int cmp_pg_batch_add(cmp_pg_t *pg, const Entretiens__V1__EmployeeEvent *ev)
{
    return s_field(pg, ev->source, false) || s_field(pg, ev->event_id, false) ||
                   s_field(pg, ev->employee_id, false) || s_field(pg, ev->type, false) ||
                   s_date(pg, ev->effective_date, false) || s_field(pg, ev->entity, false) ||
                   s_field(pg, ev->department, false) || s_field(pg, ev->site, false) ||
                   s_field(pg, ev->region, false) || s_field(pg, ev->manager_id, false) ||
                   s_field(pg, ev->email, false) || s_field(pg, ev->locale, false) ||
                   s_date(pg, ev->birth_date, false) || s_field(pg, ev->category, false) ||
                   s_field(pg, ev->contract, false) || s_date(pg, ev->contract_end, false) ||
                   s_field(pg, ev->first_name, false) || s_field(pg, ev->last_name, false) ||
                   s_field(pg, ev->position, false) || s_field(pg, ev->leave_kind, false) ||
                   s_field(pg, ev->interview_type, true)
               ? -1
               : 0;
}

/* COPY of the built text into table (inside the open transaction). */
static int s_copy(cmp_pg_t *pg, const char *sql)
{
    PGresult *r = PQexec(pg->conn, sql);
    int rc = PQresultStatus(r) == PGRES_COPY_IN ? 0 : -1;
    PQclear(r);
    if (!rc && (PQputCopyData(pg->conn, pg->copy.buf, (int) pg->copy.len) != 1 || PQputCopyEnd(pg->conn, NULL) != 1))
        rc = -1;
    if (!rc) {
        r = PQgetResult(pg->conn);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
        PQclear(r);
        while ((r = PQgetResult(pg->conn)))
            PQclear(r);
    }
    if (rc)
        fprintf(stderr, "postgresql: %s: %s", sql, PQerrorMessage(pg->conn));
    pg->copy.len = 0;
    return rc;
}

int cmp_pg_batch_commit(cmp_pg_t *pg, size_t *inserted)
{
    *inserted = 0;
    if (s_exec(pg, "BEGIN", PGRES_COMMAND_OK, "begin") || s_copy(pg, "COPY staging FROM STDIN"))
        goto fail;
    PGresult *r = PQexecPrepared(pg->conn, "ingest", 0, NULL, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok)
        *inserted = (size_t) atol(PQgetvalue(r, 0, 0));
    else
        fprintf(stderr, "postgresql: ingest: %s", PQerrorMessage(pg->conn));
    PQclear(r);
    if (!ok)
        goto fail;
    if (s_exec(pg, "COMMIT", PGRES_COMMAND_OK, "commit"))
        goto fail;
    return 0;
fail:
    pg->copy.len = 0;
    s_exec(pg, "ROLLBACK", PGRES_COMMAND_OK, "rollback");
    return -1;
}

int cmp_pg_analyze(cmp_pg_t *pg)
{
    return s_exec(pg, "ANALYZE events, employees, obligations", PGRES_COMMAND_OK, "analyze");
}

int cmp_pg_recompute(cmp_pg_t *pg, int32_t today, size_t *changed)
{
    char day[ENT_DATE_STRLEN];
    const char *params[] = { ent_date_format(today, day) };
    *changed = 0;
    if (s_exec(pg, "BEGIN", PGRES_COMMAND_OK, "begin"))
        return -1;
    PGresult *r = PQexecPrepared(pg->conn, "recompute", 1, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (ok)
        *changed = (size_t) atol(PQcmdTuples(r));
    else
        fprintf(stderr, "postgresql: recompute: %s", PQerrorMessage(pg->conn));
    PQclear(r);
    if (ok && s_exec(pg, "COMMIT", PGRES_COMMAND_OK, "commit") == 0)
        return 0;
    s_exec(pg, "ROLLBACK", PGRES_COMMAND_OK, "rollback");
    return -1;
}

int cmp_pg_obligations_begin(cmp_pg_t *pg)
{
    pg->copy.len = 0;
    return s_exec(pg, "BEGIN", PGRES_COMMAND_OK, "begin");
}

int cmp_pg_obligations_add(cmp_pg_t *pg, const Entretiens__V1__Obligation *o)
{
    char pen[16], pen2[16];
    snprintf(pen, sizeof pen, "%d", (int) o->penalty_eur);
    snprintf(pen2, sizeof pen2, "%d", (int) o->penalty_if_inspected_eur);
    int rc = s_field(pg, o->employee_id, false) || s_field(pg, o->obligation_id, false) ||
                     s_field(pg, o->type, false) || s_date(pg, o->due_date, false) ||
                     s_date(pg, o->window_start, false) || s_field(pg, o->status, false) ||
                     s_field(pg, o->rule, false) || s_field(pg, o->basis, false) || s_field(pg, o->reason, false) ||
                     s_field(pg, pen, false) || s_date(pg, o->anchor, false) || s_date(pg, o->met_on, false) ||
                     s_field(pg, o->actionable ? "t" : "f", false) || s_field(pg, pen2, true)
                 ? -1
                 : 0;
    /* sent in pieces of a few MB: one COPY per piece, one transaction */
    if (!rc && pg->copy.len > (4u << 20))
        rc = s_copy(pg, "COPY obligations FROM STDIN");
    return rc;
}

int cmp_pg_obligations_end(cmp_pg_t *pg)
{
    if ((pg->copy.len && s_copy(pg, "COPY obligations FROM STDIN")) || s_exec(pg, "COMMIT", PGRES_COMMAND_OK, "commit")) {
        s_exec(pg, "ROLLBACK", PGRES_COMMAND_OK, "rollback");
        return -1;
    }
    return 0;
}

int cmp_pg_obligations(cmp_pg_t *pg, const char *employee_id)
{
    const char *params[] = { employee_id };
    PGresult *r = PQexecPrepared(pg->conn, "obligations", 1, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "postgresql: obligations: %s", PQerrorMessage(pg->conn));
        PQclear(r);
        return -1;
    }
    /* every value read, as a client would */
    int rows = PQntuples(r), cols = PQnfields(r);
    size_t bytes = 0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            bytes += strlen(PQgetvalue(r, i, j));
    PQclear(r);
    return bytes || !rows ? rows : -1;
}

int cmp_pg_reset(cmp_pg_t *pg)
{
    return s_exec(pg, "TRUNCATE events, employees", PGRES_COMMAND_OK, "truncate");
}

int cmp_pg_pipeline_begin(cmp_pg_t *pg)
{
    if (PQenterPipelineMode(pg->conn) != 1) {
        fprintf(stderr, "postgresql: cannot enter pipeline mode: %s", PQerrorMessage(pg->conn));
        return -1;
    }
    pg->pipeline = true;
    pg->col = 0;
    for (int i = 0; i < S_COLUMNS; i++)
        pg->cols[i].len = 0;
    return 0;
}

int cmp_pg_pipeline_send(cmp_pg_t *pg)
{
    const char *params[S_COLUMNS];
    int rc = 0;
    for (int i = 0; i < S_COLUMNS && !rc; i++) {
        s_text_t *t = &pg->cols[i];
        /* the braces around what s_array_field wrote */
        if (s_reserve(t, 3)) {
            rc = -1;
            break;
        }
        memmove(t->buf + 1, t->buf, t->len);
        t->buf[0] = '{';
        t->buf[t->len + 1] = '}';
        t->buf[t->len + 2] = '\0';
        params[i] = t->buf;
    }
    /* one statement then a Sync: its own implicit transaction, committed
     * (durably) before the backend reads the next batch */
    if (!rc && (PQsendQueryPrepared(pg->conn, "ingest_arrays", S_COLUMNS, params, NULL, NULL, 0) != 1 ||
                PQpipelineSync(pg->conn) != 1)) {
        fprintf(stderr, "postgresql: pipelined ingest: %s", PQerrorMessage(pg->conn));
        rc = -1;
    }
    pg->col = 0;
    for (int i = 0; i < S_COLUMNS; i++)
        pg->cols[i].len = 0;
    return rc;
}

int cmp_pg_pipeline_recv(cmp_pg_t *pg, size_t *inserted)
{
    *inserted = 0;
    int rc = -1;
    PGresult *r = PQgetResult(pg->conn);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        *inserted = (size_t) atol(PQgetvalue(r, 0, 0));
        rc = 0;
    } else {
        fprintf(stderr, "postgresql: pipelined ingest: %s", PQerrorMessage(pg->conn));
    }
    PQclear(r);
    /* the statement's end (NULL), then its Sync: the commit */
    while ((r = PQgetResult(pg->conn)))
        PQclear(r);
    r = PQgetResult(pg->conn);
    if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
        fprintf(stderr, "postgresql: pipelined ingest: no commit: %s", PQerrorMessage(pg->conn));
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int cmp_pg_pipeline_end(cmp_pg_t *pg)
{
    pg->pipeline = false;
    if (PQexitPipelineMode(pg->conn) != 1) {
        fprintf(stderr, "postgresql: cannot leave pipeline mode: %s", PQerrorMessage(pg->conn));
        return -1;
    }
    return 0;
}

void cmp_pg_destroy(cmp_pg_t **pg_p)
{
    cmp_pg_t *pg = *pg_p;
    if (!pg)
        return;
    PQfinish(pg->conn);
    free(pg->copy.buf);
    for (int i = 0; i < S_COLUMNS; i++)
        free(pg->cols[i].buf);
    free(pg);
    *pg_p = NULL;
}
