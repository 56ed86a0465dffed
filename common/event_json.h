/*  event_json.h — the JSON form of the scheduler's messages, shared by
 *  entretiensctl and the gateway (POST /api/v1/events): employee events
 *  both ways (ingest files in, history and dead letters out), civil dates,
 *  and the UTF-8 sanitiser every string written by the CLI goes through.
 *
 *  JSON field names are the proto field names (proto/scheduler.proto):
 *  event_id, source, type, employee_id, effective_date ("YYYY-MM-DD"),
 *  entity, department, site, region, manager_id, email, locale, birth_date,
 *  category, contract, contract_end, trial_months, forfait_jours (bool),
 *  first_name, last_name, position, months, leave_kind, visit_kind,
 *  mandatory (bool), interview_type.  A null value means "absent".
 *
 *  The parser checks form only: JSON syntax, JSON types, date syntax and
 *  unknown fields.  What the values mean (a known event type, a valid
 *  region...) is the scheduler's to judge.
 */
#ifndef ENT_EVENT_JSON_H
#define ENT_EVENT_JSON_H

#include "proto/scheduler.pb-c.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------ sanitiser */

/* A malloc'd, NUL-terminated copy of the len bytes at s in which every
 * maximal ill-formed UTF-8 subpart (stray continuation bytes, truncated
 * sequences, overlong forms, surrogates, code points above U+10FFFF, and
 * NUL bytes) is replaced by U+FFFD.  With controls, C0 and C1 control
 * characters and DEL (except tab) are replaced too (text for a terminal).
 * s NULL = "".  Returns NULL only when out of memory. */
char *ent_utf8_sanitize(const char *s, size_t len, bool controls);

/* The length (1-4) of the well-formed UTF-8 sequence at s, of which left
 * bytes are readable (left >= 1), with its code point in *cp; 0 when the
 * bytes there are not well-formed UTF-8 (*cp untouched). */
size_t ent_utf8_next(const char *s, size_t left, uint32_t *cp);

/* True when the NUL-terminated s is well-formed UTF-8. */
bool ent_utf8_valid(const char *s);

/* A JSON string holding s sanitised (NULL = "").  Never NULL unless out of
 * memory.  Every string the CLI writes in JSON goes through this. */
json_t *ent_json_str(const char *s);

/* Prints s sanitised for a terminal (controls replaced) on out. */
void ent_fputs_clean(const char *s, FILE *out);

/* Number of code points of a well-formed UTF-8 string (display width
 * approximation used by the tables). */
size_t ent_utf8_width(const char *s);

/* ---------------------------------------------------------------- dates */

#define ENT_PBDATE_BUFLEN 48

/* "YYYY-MM-DD" of d into buf (ENT_PBDATE_BUFLEN bytes) and returns buf; "" for
 * NULL.  A date that is not a real day is written as received
 * (e.g. "2026-02-30") so dead letters show what was sent. */
const char *ent_pbdate_str(const Entretiens__V1__Date *d, char *buf);

/* The date as a JSON string, or JSON null for NULL. */
json_t *ent_json_pbdate(const Entretiens__V1__Date *d);

/* Parses "YYYY-MM-DD" (common/date.h ent_date_parse) into out.  Returns 0,
 * or -1 when malformed or not a real day. */
int ent_pbdate_parse(const char *text, Entretiens__V1__Date *out);

/* A Unix time in ms as local RFC 3339 time with milliseconds and offset
 * ("2026-11-26T09:30:00.000+01:00") into buf (at least 40 bytes). */
const char *ent_time_str(int64_t unix_ms, char *buf, size_t size);

/* --------------------------------------------------------------- events */

typedef struct {
    char event_id[512];   /* the line's event_id when it had a string one, else "" */
    char field[128];      /* the offending field, or "json" for the line itself */
    char reason[384];
} ent_evjson_error_t;

/* Builds an event from a JSON object.  Returns 0 with *out (free with
 * ent_evjson_free), or -1 with err filled and *out NULL. */
int ent_evjson_from_json(const json_t *obj, Entretiens__V1__EmployeeEvent **out, ent_evjson_error_t *err);

/* Parses one line of JSON text (len bytes; no trailing newline needed)
 * holding one event object.  Same results as ent_evjson_from_json; a JSON
 * syntax error or a value that is not an object is reported with field
 * "json". */
int ent_evjson_parse(const char *text, size_t len, Entretiens__V1__EmployeeEvent **out, ent_evjson_error_t *err);

/* Frees an event built by ent_evjson_from_json / ent_evjson_parse (never one
 * from protobuf-c's unpack).  Safe on NULL. */
void ent_evjson_free(Entretiens__V1__EmployeeEvent *ev);

/* Events parsed from a JSON array in one go (ent_evjson_array_fast): the
 * events and their strings live in a few blocks the batch owns. */
typedef struct {
    Entretiens__V1__EmployeeEvent **events;
    size_t n;
    void *blocks[4];
} ent_evjson_batch_t;

/* The fast path of a JSON array of events (POST /api/v1/events): parses
 * the len bytes at text straight into events, without a JSON tree, when the
 * array is plain — objects of known fields with the right types, strings
 * without escapes, valid UTF-8, no duplicate key, valid dates, at most max
 * events — i.e. exactly when json_loadb + ent_evjson_from_json would
 * accept every event with the same values.  Returns 0 with out filled
 * (free with ent_evjson_batch_free), 1 when the text is anything else (the
 * caller takes the general path, which says what is wrong), or ENOMEM. */
int ent_evjson_array_fast(const char *text, size_t len, size_t max, ent_evjson_batch_t *out);

/* Frees what ent_evjson_array_fast filled; safe on a zeroed batch. */
void ent_evjson_batch_free(ent_evjson_batch_t *b);

/* The JSON object of an event (only the fields that are set, in proto
 * order, strings sanitised).  Works on any event (unpacked or built). */
json_t *ent_evjson_to_json(const Entretiens__V1__EmployeeEvent *ev);

#endif
