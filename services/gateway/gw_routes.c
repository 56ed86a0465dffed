/*  gw_routes.c — API v1: the route table and the handlers that turn HTTP
 *  requests into the daemons' methods (docs/api.md).  Most routes are one
 *  daemon method each, described by a s_rpc_t: the request message is
 *  built from the query (GET) or the JSON body, the path's {parameters}
 *  and, for /me routes, the signed-in principal's id; the reply message is
 *  returned as JSON.  The daemons decide what the principal may see.
 */
#include "gw_api.h"

#include "common/csv_employees.h"
#include "common/event_json.h"
#include "common/log.h"
#include "gw_pbjson.h"
#include "proto/analytics.pb-c.h"
#include "proto/notifier.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D_SCHEDULER = 0, D_RECORDS, D_NOTIFIER, D_ANALYTICS };

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

typedef enum {
    ME_NONE = 0,
    ME_EMPLOYEE,     /* employee_id = the principal's id */
    ME_TEAM,         /* manager_id = the principal's id, tree */
    ME_RECIPIENT,    /* recipient_id = the principal's id */
} s_me_t;

typedef struct {
    int daemon;
    const char *method;
    const ProtobufCMessageDescriptor *in, *out;
    const char *path_fields[GW_MAX_PARAMS]; /* the message field of each {param} */
    s_me_t me;
    const char *page_field;   /* repeated field paged with cursors (NULL: not paged) */
    const char *limit_field;  /* the daemon's limit field */
    uint32_t limit_max;       /* the most the daemon gives in one answer */
    bool if_match;            /* an interview update: If-Match required */
} s_rpc_t;

/* ------------------------------------------------------------- input */

/* Query strings are text: give typed fields their JSON type, so that the
 * converter checks them like a body. */
static void s_type_query(json_t *q, const ProtobufCMessageDescriptor *desc)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(q, tmp, key, v) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, key);
        const char *s = json_string_value(v);
        if (!f || !s)
            continue;
        switch (f->type) {
        case PROTOBUF_C_TYPE_BOOL:
            if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
                json_object_set_new(q, key, json_true());
            else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
                json_object_set_new(q, key, json_false());
            break;
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_SFIXED64: {
            char *end;
            errno = 0;
            long long x = strtoll(s, &end, 10);
            if (*s && !*end && !errno)
                json_object_set_new(q, key, json_integer(x));
            break;
        }
        default:
            break;
        }
    }
}

/* The page asked for: ?limit (1..PAGE_MAX) and ?cursor (opaque: an offset
 * the gateway wrote).  Returns 0 or 400 with out filled. */
static unsigned s_page(json_t *fields, gw_resp_t *out, size_t *offset, size_t *limit)
{
    *offset = 0;
    *limit = PAGE_DEFAULT;
    json_t *l = json_object_get(fields, "limit"), *c = json_object_get(fields, "cursor");
    if (l) {
        if (!json_is_integer(l) || json_integer_value(l) < 1 || json_integer_value(l) > PAGE_MAX)
            return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "limit", "limit is from 1 to %d", PAGE_MAX), 400;
        *limit = (size_t) json_integer_value(l);
    }
    if (c) {
        const char *s = json_string_value(c);
        unsigned char raw[16];
        size_t n = 0;
        unsigned long long off;
        char text[17];
        if (!s || sodium_base642bin(raw, sizeof raw - 1, s, strlen(s), NULL, &n, NULL,
                                    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
            n < 3 || memcmp(raw, "o:", 2) != 0 || (memcpy(text, raw + 2, n - 2), text[n - 2] = '\0',
                                                   sscanf(text, "%llu", &off) != 1) || off > 10000000)
            return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "cursor", "not a cursor this API gave"), 400;
        *offset = (size_t) off;
    }
    json_object_del(fields, "limit");
    json_object_del(fields, "cursor");
    return 0;
}

static json_t *s_cursor(size_t offset)
{
    char text[32], b64[64];
    int n = snprintf(text, sizeof text, "o:%zu", offset);
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *) text, (size_t) n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return json_string(b64);
}

/* ------------------------------------------------------------- ETag */

/* The ETag of an interview as this caller sees it: what an update would
 * overwrite (the interview record and the answers), not the template. */
static void s_etag(const Entretiens__V1__InterviewView *v, char out[48])
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    crypto_hash_sha256_init(&st);
    if (v->interview) {
        size_t n = entretiens__v1__interview__get_packed_size(v->interview);
        uint8_t *buf = malloc(n ? n : 1);
        if (buf) {
            entretiens__v1__interview__pack(v->interview, buf);
            crypto_hash_sha256_update(&st, buf, n);
            free(buf);
        }
    }
    const char *parts[] = { v->employee_answers, v->manager_answers, v->manager_notes, v->report_digest };
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_hash_sha256_update(&st, (const unsigned char *) p, strlen(p) + 1);
    }
    crypto_hash_sha256_final(&st, h);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, h, 8);
    snprintf(out, 48, "\"%s\"", hex);
}

static uint32_t s_stripe(const char *id)
{
    uint32_t x = 2166136261u;
    for (; *id; id++)
        x = (x ^ (uint8_t) *id) * 16777619u;
    return x % GW_ETAG_STRIPES;
}

/* If-Match against the interview's current ETag.  Returns 0, or 428 / 412
 * / the daemon's status with out filled. */
static unsigned s_check_if_match(gw_req_t *r, gw_resp_t *out, const char *id)
{
    const char *want = gw_req_header(r, "If-Match");
    if (!want) {
        gw_resp_problem(out, 428, "PRECONDITION_REQUIRED", "If-Match",
                        "an interview update needs If-Match with the ETag of GET /api/v1/interviews/{id}");
        return 428;
    }
    Entretiens__V1__InterviewRequest q = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
    q.id = (char *) id;
    ent_rpc_result_t res;
    gw_call(r, D_RECORDS, "records.interview.get", &q.base, false, &res);
    if (res.code != ENT_OK) {
        gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
        ent_rpc_result_clear(&res);
        return out->status;
    }
    Entretiens__V1__InterviewView *v = entretiens__v1__interview_view__unpack(NULL, res.payload_len, res.payload);
    ent_rpc_result_clear(&res);
    if (!v) {
        gw_resp_problem(out, 502, "INTERNAL", NULL, "records answered an unreadable interview");
        return 502;
    }
    char etag[48];
    s_etag(v, etag);
    entretiens__v1__interview_view__free_unpacked(v, NULL);
    if (strcmp(want, "*") != 0 && strcmp(want, etag) != 0) {
        snprintf(out->etag, sizeof out->etag, "%s", etag);
        gw_resp_problem(out, 412, "PRECONDITION_FAILED", "If-Match",
                        "the interview changed since it was read: read it again, then retry");
        return 412;
    }
    return 0;
}

/* ------------------------------------------------------------- generic */

static int s_rpc_route(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    const s_rpc_t *rt = arg;
    json_t *fields = NULL;
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (get) {
        fields = gw_req_query_object(r);
        if (fields)
            s_type_query(fields, rt->in);
    } else if (r->body && r->body_len) {
        json_error_t jerr;
        fields = json_loadb(r->body, r->body_len, 0, &jerr);
        if (!fields || !json_is_object(fields)) {
            json_decref(fields);
            return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "the body must be a JSON object%s%s",
                                   fields ? "" : ": ", fields ? "" : jerr.text);
        }
    } else {
        fields = json_object();
    }
    if (!fields)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    size_t offset = 0, limit = 0;
    if (rt->page_field && s_page(fields, out, &offset, &limit) != 0) {
        json_decref(fields);
        return 0;
    }
    if (rt->page_field && rt->limit_field) {
        size_t want = offset + limit + 1;
        size_t most = rt->limit_max ? rt->limit_max : 10000;
        json_object_set_new(fields, rt->limit_field, json_integer((json_int_t) (want > most ? most : want)));
    }
    for (int i = 0; i < GW_MAX_PARAMS && rt->path_fields[i]; i++)
        json_object_set_new(fields, rt->path_fields[i], ent_json_str(r->params[i]));
    if (rt->me == ME_EMPLOYEE) {
        json_object_set_new(fields, "employee_id", ent_json_str(r->who.id));
    } else if (rt->me == ME_TEAM) {
        json_object_set_new(fields, "manager_id", ent_json_str(r->who.id));
        json_object_set_new(fields, "tree", json_true());
    } else if (rt->me == ME_RECIPIENT) {
        json_object_set_new(fields, "recipient_id", ent_json_str(r->who.id));
    }
    ProtobufCMessage *msg = NULL;
    gw_pbjson_error_t perr;
    int prc = gw_pbjson_to_message(fields, rt->in, &msg, &perr);
    json_decref(fields);
    if (prc != 0)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", perr.field, "%s", perr.reason);
    pthread_mutex_t *mu = NULL;
    if (rt->if_match) {
        mu = &r->gw->etag_mu[s_stripe(r->params[0])];
        pthread_mutex_lock(mu); /* no update of this gateway slips between the check and the write */
        if (s_check_if_match(r, out, r->params[0]) != 0) {
            pthread_mutex_unlock(mu);
            protobuf_c_message_free_unpacked(msg, NULL);
            return 0;
        }
    }
    ent_rpc_result_t res;
    gw_call(r, rt->daemon, rt->method, msg, false, &res);
    if (mu)
        pthread_mutex_unlock(mu);
    protobuf_c_message_free_unpacked(msg, NULL);
    if (res.code != ENT_OK) {
        gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
        ent_rpc_result_clear(&res);
        return 0;
    }
    ProtobufCMessage *reply = protobuf_c_message_unpack(rt->out, NULL, res.payload_len, res.payload);
    ent_rpc_result_clear(&res);
    if (!reply)
        return gw_resp_problem(out, 502, "INTERNAL", NULL, "%s answered an unreadable %s",
                               gw_daemon_names[rt->daemon], rt->out->short_name);
    if (rt->out == &entretiens__v1__interview_view__descriptor)
        s_etag((const Entretiens__V1__InterviewView *) reply, out->etag);
    json_t *o = gw_pbjson_from_message(reply);
    protobuf_c_message_free_unpacked(reply, NULL);
    if (o && rt->page_field) {
        json_t *all = json_object_get(o, rt->page_field);
        size_t n = json_array_size(all);
        json_t *page = json_array();
        for (size_t i = offset; i < n && i < offset + limit; i++)
            json_array_append(page, json_array_get(all, i));
        json_object_set_new(o, rt->page_field, page);
        json_object_del(o, "truncated");
        if (n > offset + limit)
            json_object_set_new(o, "next_cursor", s_cursor(offset + limit));
    }
    return gw_resp_json(out, 200, o);
}

/* ------------------------------------------------------------- ingest */

static int s_reject(json_t *results, size_t index, const char *event_id, const char *field, const char *reason)
{
    return json_array_append_new(results, json_pack("{s:I, s:o, s:s, s:o, s:o}", "index", (json_int_t) index,
                                                    "event_id", ent_json_str(event_id), "outcome", "rejected",
                                                    "field", ent_json_str(field), "reason", ent_json_str(reason)));
}

typedef struct {
    uint64_t accepted, duplicates, rejected, conflicts;
} s_counts_t;

static json_t *s_counts_json(const s_counts_t *c, json_t *results)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:o}", "accepted", (json_int_t) c->accepted, "duplicates",
                     (json_int_t) c->duplicates, "rejected", (json_int_t) c->rejected, "conflicts",
                     (json_int_t) c->conflicts, "results", results);
}

/* Sends events to scheduler.ingest, at most max_events per call (each call
 * answered after the scheduler committed it), adds their counts to c and
 * one result per event to results, named by where[i] under key ("index" in
 * the request, "line" of a CSV file; where NULL: i itself).  Returns 200, or the HTTP status of
 * the first failed call with out filled (earlier calls stay applied:
 * ingest is idempotent, so the client sends the whole request again). */
static unsigned s_ingest(gw_req_t *r, gw_resp_t *out, Entretiens__V1__EmployeeEvent **events, size_t n,
                         const size_t *where, const char *key, json_t *results, s_counts_t *c)
{
    for (size_t from = 0; from < n; from += r->gw->max_events) {
        Entretiens__V1__IngestRequest req = ENTRETIENS__V1__INGEST_REQUEST__INIT;
        req.events = events + from;
        req.n_events = n - from < r->gw->max_events ? n - from : r->gw->max_events;
        ent_rpc_result_t res;
        gw_call(r, D_SCHEDULER, "scheduler.ingest", &req.base, true, &res);
        if (res.code != ENT_OK) {
            gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
            ent_rpc_result_clear(&res);
            return out->status;
        }
        Entretiens__V1__IngestReply *rep = entretiens__v1__ingest_reply__unpack(NULL, res.payload_len, res.payload);
        ent_rpc_result_clear(&res);
        if (!rep)
            return gw_resp_problem(out, 502, "INTERNAL", NULL, "the scheduler answered an unreadable IngestReply"), 502;
        c->accepted += rep->accepted;
        c->duplicates += rep->duplicates;
        c->rejected += rep->rejected;
        c->conflicts += rep->conflicts;
        for (size_t i = 0; i < rep->n_results; i++) {
            Entretiens__V1__EventResult *er = rep->results[i];
            json_t *o = gw_pbjson_from_message(&er->base);
            json_object_del(o, "index");
            if (er->index < req.n_events)
                json_object_set_new(o, key, json_integer((json_int_t) (where ? where[from + er->index]
                                                                                   : from + er->index)));
            json_array_append_new(results, o);
        }
        entretiens__v1__ingest_reply__free_unpacked(rep, NULL);
    }
    return 200;
}

/* The end of POST /api/v1/events: the n events that parsed (events[i] was
 * at index[i] in the request; index NULL: at i) go to scheduler.ingest,
 * the rejections of the parser (parse_rejects, NULL: none; taken) join
 * the scheduler's results in request order, and the answer is made. */
static int s_events_ingest(gw_req_t *r, gw_resp_t *out, Entretiens__V1__EmployeeEvent **events, size_t n,
                           const size_t *index, json_t *parse_rejects)
{
    json_t *results = json_array();
    if (!results) {
        json_decref(parse_rejects);
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    }
    size_t total = n + json_array_size(parse_rejects);
    s_counts_t counts = { .rejected = json_array_size(parse_rejects) };
    unsigned status = s_ingest(r, out, events, n, index, "index", results, &counts);
    if (status != 200) {
        json_decref(results);
        json_decref(parse_rejects);
        return 0;
    }
    /* in request order */
    size_t k;
    json_t *v;
    json_array_foreach(parse_rejects, k, v) {
        size_t at = (size_t) json_integer_value(json_object_get(v, "index"));
        size_t pos = 0;
        while (pos < json_array_size(results) &&
               (size_t) json_integer_value(json_object_get(json_array_get(results, pos), "index")) < at)
            pos++;
        json_array_insert(results, pos, v);
    }
    json_decref(parse_rejects);
    ent_log_info("gateway.ingest", "%zu events from %s: accepted %llu, duplicate %llu, rejected %llu", total,
                 r->principal, (unsigned long long) counts.accepted, (unsigned long long) counts.duplicates,
                 (unsigned long long) counts.rejected);
    return gw_resp_json(out, 200, s_counts_json(&counts, results));
}

/* POST /api/v1/events: a JSON array of events, or JSON lines.  A plain
 * array is parsed straight into events (ent_evjson_array_fast); anything
 * else by the CLI's parser (common/event_json.h), and what does not parse
 * is rejected here with its field.  The rest goes to scheduler.ingest in
 * ONE call, so that the answer comes after the scheduler committed the
 * whole request. */
static int s_events(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    gw_t *gw = r->gw;
    if (!r->body || !r->body_len)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "a JSON array of events, or JSON lines");
    const char *text = r->body;
    size_t text_len = r->body_len;
    if (text_len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte order mark, as the CLI skips */
        text += 3, text_len -= 3;
    const char *p = text;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p == '[') {
        /* the usual body: plain events, parsed straight into the request */
        ent_evjson_batch_t batch;
        int frc = ent_evjson_array_fast(text, text_len, gw->max_events, &batch);
        if (frc == ENOMEM)
            return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
        if (frc == 0) {
            int rc = s_events_ingest(r, out, batch.events, batch.n, NULL, NULL);
            ent_evjson_batch_free(&batch);
            return rc;
        }
    }
    json_t *items = json_array();
    if (*p == '[') {
        json_error_t jerr;
        json_t *arr = json_loadb(text, text_len, 0, &jerr);
        if (!json_is_array(arr)) {
            json_decref(arr);
            json_decref(items);
            return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "not a JSON array: %s (line %d)", jerr.text,
                                   jerr.line);
        }
        json_decref(items);
        items = arr;
    } else {
        /* JSON lines: each non-blank line one event; a line that does not
         * parse is kept as a string and rejected with field "json" below */
        const char *s = text, *end = text + text_len;
        while (s < end) {
            const char *nl = memchr(s, '\n', (size_t) (end - s));
            const char *e = nl ? nl : end;
            const char *t = s;
            while (t < e && (*t == ' ' || *t == '\t' || *t == '\r'))
                t++;
            if (t < e) {
                json_t *line = json_stringn(s, (size_t) (e - s));
                json_array_append_new(items, line ? line : json_string("\xEF\xBF\xBD"));
            }
            s = e + 1;
            if (json_array_size(items) > gw->max_events)
                break;
        }
    }
    size_t n = json_array_size(items);
    if (n > gw->max_events) {
        json_decref(items);
        return gw_resp_problem(out, 413, "RESOURCE_EXHAUSTED", "body", "at most %u events per request",
                               gw->max_events);
    }
    Entretiens__V1__IngestRequest req = ENTRETIENS__V1__INGEST_REQUEST__INIT;
    req.events = calloc(n ? n : 1, sizeof *req.events);
    size_t *index = calloc(n ? n : 1, sizeof *index);
    json_t *parse_rejects = json_array();
    if (!req.events || !index || !parse_rejects) {
        free(req.events);
        free(index);
        json_decref(items);
        json_decref(parse_rejects);
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        Entretiens__V1__EmployeeEvent *ev = NULL;
        ent_evjson_error_t err;
        int rc = json_is_string(it) ? ent_evjson_parse(json_string_value(it), json_string_length(it), &ev, &err)
                                    : ent_evjson_from_json(it, &ev, &err);
        if (rc != 0) {
            s_reject(parse_rejects, i, err.event_id, err.field, err.reason);
            continue;
        }
        index[req.n_events] = i;
        req.events[req.n_events++] = ev;
    }
    json_decref(items);
    int rc = s_events_ingest(r, out, req.events, req.n_events, index, parse_rejects);
    for (size_t i = 0; i < req.n_events; i++)
        ent_evjson_free(req.events[i]);
    free(req.events);
    free(index);
    return rc;
}

/* ------------------------------------------------------------- CSV import */

typedef struct {
    Entretiens__V1__EmployeeEvent **events;
    size_t *lines;
    size_t n, cap;
} s_rows_t;

/* Keeps a copy of each valid row's event (the parser's is valid during the
 * call only): packed and unpacked, so that it owns its strings. */
static int s_row(void *ctx, size_t line, const Entretiens__V1__EmployeeEvent *ev)
{
    s_rows_t *rows = ctx;
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 1024;
        Entretiens__V1__EmployeeEvent **e = realloc(rows->events, cap * sizeof *e);
        if (!e)
            return -1;
        rows->events = e;
        size_t *l = realloc(rows->lines, cap * sizeof *l);
        if (!l)
            return -1;
        rows->lines = l;
        rows->cap = cap;
    }
    size_t len = entretiens__v1__employee_event__get_packed_size(ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    entretiens__v1__employee_event__pack(ev, buf);
    Entretiens__V1__EmployeeEvent *copy = entretiens__v1__employee_event__unpack(NULL, len, buf);
    free(buf);
    if (!copy)
        return -1;
    rows->events[rows->n] = copy;
    rows->lines[rows->n++] = line;
    return 0;
}

/* POST /api/v1/imports/employees: an HRIS export (CSV), read by the CLI's
 * reader (common/csv_employees.h): French headers, dd/mm/yyyy, Windows-1252.
 * A file with any bad row is refused whole (400 with every error, nothing
 * sent); otherwise its hires go to scheduler.ingest as for POST /events. */
static int s_import_employees(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    if (!r->body || !r->body_len)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "a CSV file (an HRIS export)");
    s_rows_t rows = { 0 };
    csv_emp_report_t rep;
    memset(&rep, 0, sizeof rep);
    int rc = csv_emp_parse(r->body, r->body_len, NULL, s_row, &rows, &rep);
    json_t *results = json_array();
    if (rc != 0 || !results) {
        gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    } else if (csv_emp_refused(&rep)) {
        json_t *errs = json_array();
        for (size_t i = 0; i < rep.kept; i++) {
            const csv_emp_error_t *e = &rep.errors[i];
            json_array_append_new(errs, json_pack("{s:I, s:o, s:o, s:o, s:o}", "line", (json_int_t) e->line,
                                                  "employee_id", ent_json_str(e->employee_id), "field",
                                                  ent_json_str(e->field), "column", ent_json_str(e->column),
                                                  "reason", ent_json_str(e->reason)));
        }
        const csv_emp_error_t *first = rep.kept ? &rep.errors[0] : NULL;
        gw_resp_problem(out, 400, "INVALID_ARGUMENT", first ? first->field : "body",
                        "the file is refused whole (nothing was sent): %zu error(s) in %zu row(s)%s%s", rep.n_errors,
                        rep.rows, first ? "; first: " : "", first ? first->reason : "");
        json_object_set_new(out->json, "errors", errs);
        json_object_set_new(out->json, "rows", json_integer((json_int_t) rep.rows));
    } else {
        s_counts_t counts = { 0 };
        if (s_ingest(r, out, rows.events, rows.n, rows.lines, "line", results, &counts) == 200) {
            json_t *o = s_counts_json(&counts, results);
            results = NULL;
            json_object_set_new(o, "rows", json_integer((json_int_t) rep.rows));
            json_object_set_new(o, "encoding", json_string(rep.encoding ? rep.encoding : "utf-8"));
            ent_log_info("gateway.import", "%zu rows from %s: accepted %llu, duplicate %llu, rejected %llu", rep.rows,
                         r->principal, (unsigned long long) counts.accepted, (unsigned long long) counts.duplicates,
                         (unsigned long long) counts.rejected);
            gw_resp_json(out, 200, o);
        }
    }
    json_decref(results);
    for (size_t i = 0; i < rows.n; i++)
        entretiens__v1__employee_event__free_unpacked(rows.events[i], NULL);
    free(rows.events);
    free(rows.lines);
    csv_emp_report_clear(&rep);
    return 0;
}

/* ------------------------------------------------------------- templates */

/* POST /templates: one template document (a JSON object), an array of
 * them, or {"documents": [...]}: each becomes the text records validates
 * and stores as a new version (records.template.import: HR and
 * administrators, audited).  Answers one result per document. */
static int s_template_import(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    json_error_t jerr;
    json_t *body = r->body && r->body_len ? json_loadb(r->body, r->body_len, 0, &jerr) : NULL;
    if (!body)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "body", "a template document (JSON object) or an array of them%s%s",
                               r->body_len ? ": " : "", r->body_len ? jerr.text : "");
    json_t *docs = json_is_object(body) && json_is_array(json_object_get(body, "documents")) ? json_object_get(body, "documents")
                   : json_is_array(body) ? body : NULL;
    size_t n = docs ? json_array_size(docs) : 1;
    if (n == 0 || n > 500) {
        json_decref(body);
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "documents", "1 to 500 template documents per request");
    }
    Entretiens__V1__TemplateImportRequest q = ENTRETIENS__V1__TEMPLATE_IMPORT_REQUEST__INIT;
    char **texts = calloc(n, sizeof *texts);
    int status = texts ? 0 : gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    for (size_t i = 0; i < n && !status; i++) {
        json_t *d = docs ? json_array_get(docs, i) : body;
        if (json_is_string(d))
            texts[i] = strdup(json_string_value(d));
        else if (json_is_object(d))
            texts[i] = json_dumps(d, JSON_COMPACT);
        else {
            status = gw_resp_problem(out, 400, "INVALID_ARGUMENT", "documents", "document %zu is not a JSON object", i);
            break;
        }
        if (!texts[i])
            status = gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    }
    if (!status) {
        q.n_documents = n;
        q.documents = texts;
        ent_rpc_result_t res;
        gw_call(r, D_RECORDS, "records.template.import", &q.base, false, &res);
        if (res.code != ENT_OK) {
            gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
        } else {
            ProtobufCMessage *reply =
                protobuf_c_message_unpack(&entretiens__v1__template_import_reply__descriptor, NULL, res.payload_len, res.payload);
            if (!reply) {
                gw_resp_problem(out, 502, "INTERNAL", NULL, "records answered an unreadable TemplateImportReply");
            } else {
                gw_resp_json(out, 200, gw_pbjson_from_message(reply));
                protobuf_c_message_free_unpacked(reply, NULL);
            }
        }
        ent_rpc_result_clear(&res);
    }
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    json_decref(body);
    return 0;
}

/* ------------------------------------------------------------- openapi */

static int s_openapi(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    out->status = 200;
    out->text = malloc(r->gw->openapi_len + 1);
    if (!out->text)
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    memcpy(out->text, r->gw->openapi, r->gw->openapi_len + 1);
    out->text_len = r->gw->openapi_len;
    out->content_type = "application/json";
    return 0;
}

/* ------------------------------------------------------------- table */

#define R(d, m, i, o) .daemon = d, .method = m, .in = &entretiens__v1__##i##__descriptor, \
                      .out = &entretiens__v1__##o##__descriptor

static const s_rpc_t s_me_interviews = { R(D_RECORDS, "records.interview.list", interview_list_request,
                                           interview_list_reply), .me = ME_EMPLOYEE, .page_field = "interviews",
                                         .limit_field = "limit", .limit_max = 50000 };
static const s_rpc_t s_me_team = { R(D_RECORDS, "records.interview.list", interview_list_request,
                                     interview_list_reply), .me = ME_TEAM, .page_field = "interviews",
                                   .limit_field = "limit", .limit_max = 50000 };
static const s_rpc_t s_me_obligations = { R(D_SCHEDULER, "scheduler.obligations", obligations_request,
                                            obligations_reply), .me = ME_EMPLOYEE };
/* the person's own notification preferences: the language of her messages
 * and the daily digest (the notifier keeps them across the HRIS's updates) */
static const s_rpc_t s_me_prefs = { R(D_NOTIFIER, "notifier.contact", contact_request, contact), .me = ME_EMPLOYEE };
static const s_rpc_t s_me_prefs_set = { R(D_NOTIFIER, "notifier.prefs.set", prefs_request, contact),
                                        .me = ME_RECIPIENT };
static const s_rpc_t s_iv_list = { R(D_RECORDS, "records.interview.list", interview_list_request,
                                     interview_list_reply), .page_field = "interviews", .limit_field = "limit",
                                   .limit_max = 50000 };
static const s_rpc_t s_iv_create = { R(D_RECORDS, "records.interview.create", interview_create_request,
                                       interview_view) };
static const s_rpc_t s_iv_get = { R(D_RECORDS, "records.interview.get", interview_request, interview_view),
                                  .path_fields = { "id" } };
static const s_rpc_t s_iv_reads = { R(D_RECORDS, "records.interview.reads", interview_request,
                                      interview_reads_reply),
                                    .path_fields = { "id" } };
#define IV_UPDATE(name, msg) \
    static const s_rpc_t s_iv_##name = { R(D_RECORDS, "records.interview." #name, msg, interview_view), \
                                         .path_fields = { "id" }, .if_match = true }
IV_UPDATE(schedule, schedule_request);
IV_UPDATE(answer, answer_request);
IV_UPDATE(share, transition_request);
IV_UPDATE(hold, transition_request);
IV_UPDATE(report, transition_request);
IV_UPDATE(sign, transition_request);
IV_UPDATE(reopen, transition_request);
IV_UPDATE(cancel, transition_request);
IV_UPDATE(reassign, reassign_request);
IV_UPDATE(step_back, transition_request);
IV_UPDATE(move_due, move_due_request);
static const s_rpc_t s_obligations = { R(D_SCHEDULER, "scheduler.obligations", obligations_request,
                                         obligations_reply) };
static const s_rpc_t s_due = { R(D_SCHEDULER, "scheduler.due", due_request, due_reply),
                               .page_field = "obligations", .limit_field = "limit" };
static const s_rpc_t s_employee = { R(D_SCHEDULER, "scheduler.employee", employee_request, employee_reply),
                                    .path_fields = { "employee_id" } };
static const s_rpc_t s_employee_search = { R(D_SCHEDULER, "scheduler.employee.search", employee_search_request,
                                             employee_search_reply) };
/* the data subject's copy, records' part: each interview as the employee
 * sees it and who read it (HR with content on her entity, admin, herself);
 * the JSON answer of GET /employees/{id}/export (s_employee_export) */
static const s_rpc_t s_subject_export = { R(D_RECORDS, "records.subject.export", subject_export_request,
                                             subject_export_reply), .path_fields = { "employee_id" } };

/* True when the client asks for JSON and not for a zip (Accept), as scripts
 * written before the zip did. */
static bool s_wants_json(const gw_req_t *r)
{
    const char *accept = gw_req_header(r, "Accept");
    return accept && strcasestr(accept, "application/json") && !strcasestr(accept, "application/zip");
}

/* GET /employees/{id}/export: the whole copy as a zip (gw_subject.c), or
 * records' part as JSON where the client asks for JSON only. */
static int s_employee_export(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    return s_wants_json(r) ? s_rpc_route(r, out, &s_subject_export) : gw_route_subject_zip(r, out, NULL);
}
static const s_rpc_t s_campaigns = { R(D_SCHEDULER, "scheduler.campaign.list", campaign_request, campaign_list) };
static const s_rpc_t s_campaign = { R(D_SCHEDULER, "scheduler.campaign.list", campaign_request, campaign_list),
                                    .path_fields = { "id" } };
static const s_rpc_t s_campaign_create = { R(D_SCHEDULER, "scheduler.campaign.create", campaign, campaign) };
/* POST /campaigns/preview: who a campaign would concern, nothing stored;
 * GET /campaigns/{id}/members: who it concerns, the late joiners marked */
static const s_rpc_t s_campaign_preview = { R(D_SCHEDULER, "scheduler.campaign.preview", campaign, campaign_members) };
/* GET /campaigns/{id}/progress: its interviews counted by entity,
 * department or interviewer (records) */
static const s_rpc_t s_campaign_progress = { R(D_RECORDS, "records.interview.progress", campaign_progress_request,
                                               campaign_progress), .path_fields = { "campaign_id" } };
/* POST /campaigns/{id}/remind: the notifier reminds the late ones now
 * (HR with a grant on their entities; once a day per person) */
static const s_rpc_t s_campaign_remind = { R(D_NOTIFIER, "notifier.campaign.remind", campaign_remind_request,
                                             campaign_remind_reply), .path_fields = { "campaign_id" } };
static const s_rpc_t s_campaign_members = { R(D_SCHEDULER, "scheduler.campaign.members", campaign_members_request,
                                              campaign_members), .path_fields = { "id" } };
/* POST /campaigns/{id}/{action}: close, extend or cancel (the scheduler
 * checks the action, the state and who may) */
static const s_rpc_t s_campaign_change = { R(D_SCHEDULER, "scheduler.campaign.change", campaign_change, campaign),
                                           .path_fields = { "id", "action" } };
static const s_rpc_t s_templates = { R(D_RECORDS, "records.template.list", template_list_request, template_list) };
static const s_rpc_t s_template = { R(D_RECORDS, "records.template.show", template_request, template),
                                    .path_fields = { "id" } };
static const s_rpc_t s_notifications = { R(D_NOTIFIER, "notifier.list", notification_list_request,
                                           notification_list_reply), .page_field = "notifications",
                                         .limit_field = "limit" };
static const s_rpc_t s_notification = { R(D_NOTIFIER, "notifier.show", preview_request, preview_reply),
                                        .path_fields = { "notification_id" } };
/* POST /notifications/{id}/retry: a failed or dead notification sent again
 * now (HR and administrators; the notifier decides) */
static const s_rpc_t s_notification_retry = { R(D_NOTIFIER, "notifier.retry", notification_request, retry_reply),
                                              .path_fields = { "id" } };
/* the HRIS feed's dead letters (events the scheduler refused, with the
 * field and reason) and HR's access grants: administrators only (the
 * daemons refuse anyone else: ENT_RPC_ADMINS, records' own check) */
static const s_rpc_t s_deadletters = { R(D_SCHEDULER, "scheduler.deadletters", dead_letters_request,
                                         dead_letters_reply) };
/* POST /ingest/dead-letters/resubmit {id}: the letter's event judged again
 * after a fix (administrators; the scheduler answers the IngestReply) */
static const s_rpc_t s_deadletter_resubmit = { R(D_SCHEDULER, "scheduler.deadletters.resubmit", dead_letter_resubmit,
                                                 ingest_reply) };
static const s_rpc_t s_access_grants = { R(D_RECORDS, "records.access.list", access_list, access_list) };
/* POST /access-grants {principal, entities, content}: an administrator gives
 * HR its entities (replacing its grant); DELETE /access-grants/{principal}
 * takes it back.  Records checks the administrator, audits and publishes. */
static const s_rpc_t s_access_grant = { R(D_RECORDS, "records.access.grant", access_grant, access_grant) };
static const s_rpc_t s_access_revoke = { R(D_RECORDS, "records.access.revoke", access_grant, access_grant),
                                         .path_fields = { "principal" } };
#define STATS(name, reply) \
    static const s_rpc_t s_stats_##name = { R(D_ANALYTICS, "analytics." #name, stats_query, reply) }
STATS(completion, completion_reply);
STATS(compliance, compliance_reply);
STATS(training, answers_reply);
STATS(mobility, answers_reply);
STATS(competencies, answers_reply);
STATS(ratings, answers_reply);
STATS(objectives, answers_reply);
STATS(signals, signals_reply);
STATS(managers, managers_reply);

#define API "/api/v1"
#define RPC(m, path, scope, spec) { m, API path, scope, s_rpc_route, &spec }

const gw_route_t gw_routes[] = {
    { "GET", API "/openapi.json", "public", s_openapi, NULL },
    { "POST", API "/auth/login", "public", gw_route_login, NULL },
    { "POST", API "/auth/logout", "write", gw_route_logout, NULL },
    { "GET", API "/auth/oidc/login", "public", gw_route_oidc_login, NULL },
    { "GET", API "/auth/oidc/callback", "public", gw_route_oidc_callback, NULL },
    { "GET", API "/me", "read", gw_route_me, NULL },
    RPC("GET", "/me/interviews", "read", s_me_interviews),
    RPC("GET", "/me/team", "read", s_me_team),
    RPC("GET", "/me/obligations", "read", s_me_obligations),
    RPC("GET", "/me/preferences", "read", s_me_prefs),
    RPC("PUT", "/me/preferences", "write", s_me_prefs_set),
    { "POST", API "/me/calendar-token", "write", gw_route_caltoken_create, NULL },
    { "DELETE", API "/me/calendar-token", "write", gw_route_caltoken_delete, NULL },
    { "GET", API "/calendar/{token}.ics", "public", gw_route_calendar, NULL },
    RPC("GET", "/interviews", "read", s_iv_list),
    RPC("POST", "/interviews", "write", s_iv_create),
    RPC("GET", "/interviews/{id}", "read", s_iv_get),
    RPC("GET", "/interviews/{id}/reads", "read", s_iv_reads),
    { "GET", API "/interviews/{id}/report.pdf", "read", gw_route_report_pdf, NULL },
    RPC("POST", "/interviews/{id}/schedule", "write", s_iv_schedule),
    RPC("POST", "/interviews/{id}/answer", "write", s_iv_answer),
    RPC("POST", "/interviews/{id}/share", "write", s_iv_share),
    RPC("POST", "/interviews/{id}/hold", "write", s_iv_hold),
    RPC("POST", "/interviews/{id}/report", "write", s_iv_report),
    RPC("POST", "/interviews/{id}/sign", "write", s_iv_sign),
    RPC("POST", "/interviews/{id}/reopen", "write", s_iv_reopen),
    RPC("POST", "/interviews/{id}/cancel", "write", s_iv_cancel),
    RPC("POST", "/interviews/{id}/reassign", "write", s_iv_reassign),
    RPC("POST", "/interviews/{id}/step-back", "write", s_iv_step_back),
    RPC("POST", "/interviews/{id}/move-due", "write", s_iv_move_due),
    RPC("GET", "/obligations", "read", s_obligations),
    RPC("GET", "/due", "read", s_due),
    RPC("GET", "/employees", "read", s_employee_search),
    RPC("GET", "/employees/{employee_id}", "read", s_employee),
    { "GET", API "/employees/{employee_id}/export", "read", s_employee_export, NULL },
    RPC("GET", "/campaigns", "read", s_campaigns),
    RPC("POST", "/campaigns", "write", s_campaign_create),
    RPC("POST", "/campaigns/preview", "read", s_campaign_preview),
    RPC("GET", "/campaigns/{id}/members", "read", s_campaign_members),
    RPC("GET", "/campaigns/{campaign_id}/progress", "read", s_campaign_progress),
    RPC("GET", "/campaigns/{id}", "read", s_campaign),
    /* before {action}: "remind" is the notifier's, not a change of the campaign */
    RPC("POST", "/campaigns/{campaign_id}/remind", "write", s_campaign_remind),
    RPC("POST", "/campaigns/{id}/{action}", "write", s_campaign_change),
    RPC("GET", "/templates", "read", s_templates),
    RPC("GET", "/templates/{id}", "read", s_template),
    { "POST", API "/templates", "write", s_template_import, NULL },
    RPC("GET", "/statistics/completion", "read", s_stats_completion),
    RPC("GET", "/statistics/compliance", "read", s_stats_compliance),
    RPC("GET", "/statistics/training", "read", s_stats_training),
    RPC("GET", "/statistics/mobility", "read", s_stats_mobility),
    RPC("GET", "/statistics/competencies", "read", s_stats_competencies),
    RPC("GET", "/statistics/ratings", "read", s_stats_ratings),
    RPC("GET", "/statistics/objectives", "read", s_stats_objectives),
    RPC("GET", "/statistics/signals", "read", s_stats_signals),
    RPC("GET", "/statistics/managers", "read", s_stats_managers),
    { "GET", API "/compliance/recap.pdf", "read", gw_route_recap_pdf, NULL },
    RPC("GET", "/notifications", "read", s_notifications),
    RPC("GET", "/notifications/{notification_id}", "read", s_notification),
    RPC("POST", "/notifications/{notification_id}/retry", "write", s_notification_retry),
    RPC("GET", "/ingest/dead-letters", "read", s_deadletters),
    RPC("POST", "/ingest/dead-letters/resubmit", "write", s_deadletter_resubmit),
    RPC("GET", "/access-grants", "read", s_access_grants),
    RPC("POST", "/access-grants", "write", s_access_grant),
    RPC("DELETE", "/access-grants/{principal}", "write", s_access_revoke),
    { "POST", API "/events", "ingest", s_events, NULL },
    { "POST", API "/imports/employees", "ingest", s_import_employees, NULL },
    { "POST", API "/webhooks", "write", gw_route_webhook_create, NULL },
    { "GET", API "/webhooks", "read", gw_route_webhook_list, NULL },
    { "DELETE", API "/webhooks/{id}", "write", gw_route_webhook_delete, NULL },
    { "GET", API "/webhooks/{id}/dead-letters", "read", gw_route_webhook_dead, NULL },
    { "POST", API "/webhooks/{id}/dead-letters/{event_id}/resubmit", "write", gw_route_webhook_resubmit, NULL },
};
const size_t gw_n_routes = sizeof gw_routes / sizeof gw_routes[0];
