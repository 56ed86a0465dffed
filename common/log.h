/*  log.h — JSON-lines logs on stderr.
 *
 *  One object per line: {"ts":"2026-11-26T13:25:50.123Z","level":"info",
 *  "service":"scheduler","event":"rpc.malformed","msg":"..."}.  "event" is a
 *  stable dotted name operators can grep and alert on; "msg" is for humans.
 *  Timestamps are the real time (never the pinned business clock), so logs
 *  stay ordered while tests move the clock.
 */
#ifndef ENT_LOG_H
#define ENT_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ENT_LOG_DEBUG = 0,
    ENT_LOG_INFO,
    ENT_LOG_WARN,
    ENT_LOG_ERROR
} ent_log_level_t;

/* Sets the service name written in every line and the lowest level written.
 * Safe to call again; before any call the service is "entretiens" and the
 * level INFO. */
void ent_log_init(const char *service, ent_log_level_t min_level);

/* Parses "debug" | "info" | "warn" | "error".  Returns 0, or -1 when unknown. */
int ent_log_level_parse(const char *name, ent_log_level_t *out);

/* True when lines of this level are written: to skip formatting a line's
 * fields on a hot path when they would be dropped.  Never fails. */
bool ent_log_enabled(ent_log_level_t level);

/* Writes one line.  event: a dotted identifier; fmt: printf format of msg.
 * Lines longer than 4 KiB are truncated, never split. */
/* The work this thread is doing, written as fields of every log line it
 * emits (thread-local; the loop sets them around each request and each
 * event it applies, the gateway around each HTTP request):
 *   trace   the W3C trace-id (32 lowercase hex, not all zeros) the work
 *           belongs to: it follows a request into the events it causes,
 *           the events into the work they cause, and so on;
 *   method, caller   the RPC being served.
 * ent_log_trace_set(NULL) (or an invalid id) clears the trace;
 * ent_log_context_set(NULL, NULL) clears method and caller.  Never fail. */
void ent_log_trace_set(const char *trace_id);
const char *ent_log_trace(void);                 /* "" when none */
void ent_log_context_set(const char *method, const char *caller);
/* The employee the work is about (a pseudonymous id), a field of the lines
 * until the next call; NULL clears it (ent_log_context_set clears it too). */
void ent_log_employee_set(const char *employee_id);

/* True when t is a valid trace-id (32 lowercase hex digits, not all 0). */
bool ent_trace_valid(const char *t);
/* A new random trace-id into out (33 bytes with the NUL): unpredictable
 * and unique, from a ChaCha20 stream keyed once per thread (and again in a
 * forked child) from the system's random source. */
void ent_trace_new(char out[33]);
/* The trace-id of a W3C traceparent header ("00-<trace>-<span>-<flags>")
 * into out; returns 0, or -1 (out untouched) when it is not one. */
int ent_traceparent_parse(const char *header, char out[33]);

/* As ent_log, with n more fields (keys[i] = values[i]; a NULL value is
 * left out): a line's figures as fields (rpc.call: status, duration_ms). */
void ent_log_fields(ent_log_level_t level, const char *event, const char *const *keys, const char *const *values,
                    size_t n, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

void ent_log(ent_log_level_t level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ent_log_debug(ev, ...) ent_log(ENT_LOG_DEBUG, ev, __VA_ARGS__)
#define ent_log_info(ev, ...)  ent_log(ENT_LOG_INFO, ev, __VA_ARGS__)
#define ent_log_warn(ev, ...)  ent_log(ENT_LOG_WARN, ev, __VA_ARGS__)
#define ent_log_error(ev, ...) ent_log(ENT_LOG_ERROR, ev, __VA_ARGS__)

#endif
