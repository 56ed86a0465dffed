/*  log.c — JSON-lines logs on stderr (see log.h). */
#include "common/log.h"

#include <sodium.h>

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static char s_service[64] = "entretiens";
static ent_log_level_t s_min_level = ENT_LOG_INFO;
static const char *const s_level_names[] = { "debug", "info", "warn", "error" };

void ent_log_init(const char *service, ent_log_level_t min_level)
{
    snprintf(s_service, sizeof s_service, "%s", service ? service : "entretiens");
    s_min_level = min_level;
}

int ent_log_level_parse(const char *name, ent_log_level_t *out)
{
    for (int i = 0; i <= ENT_LOG_ERROR; i++)
        if (name && strcmp(name, s_level_names[i]) == 0) {
            *out = (ent_log_level_t) i;
            return 0;
        }
    return -1;
}

bool ent_log_enabled(ent_log_level_t level)
{
    return level >= s_min_level;
}

static _Thread_local char t_trace[33];
static _Thread_local char t_method[96];
static _Thread_local char t_caller[96];
static _Thread_local char t_employee[96];

bool ent_trace_valid(const char *t)
{
    if (!t || strlen(t) != 32)
        return false;
    bool nonzero = false;
    for (int i = 0; i < 32; i++) {
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return false;
        nonzero = nonzero || t[i] != '0';
    }
    return nonzero;
}

/* Trace ids must be unpredictable and unique, not secret: one read of the
 * system's random source per thread keys a ChaCha20 stream, and each id is
 * 16 bytes of it at the next nonce.  A getrandom() system call per id was
 * on the path of every RPC that came without a trace. */
static _Thread_local unsigned char t_trace_key[crypto_stream_chacha20_KEYBYTES];
static _Thread_local uint64_t t_trace_next; /* 0: not keyed in this thread */
static pthread_once_t s_trace_once = PTHREAD_ONCE_INIT;

/* A forked child is a copy of the forking thread: without a key of its own
 * it would repeat its parent's ids. */
static void s_trace_forked(void)
{
    t_trace_next = 0;
}

static void s_trace_atfork(void)
{
    pthread_atfork(NULL, NULL, s_trace_forked);
}

void ent_trace_new(char out[33])
{
    if (!t_trace_next) {
        pthread_once(&s_trace_once, s_trace_atfork);
        randombytes_buf(t_trace_key, sizeof t_trace_key);
        t_trace_next = 1;
    }
    unsigned char b[16], nonce[crypto_stream_chacha20_NONCEBYTES];
    uint64_t n = t_trace_next++;
    memcpy(nonce, &n, sizeof nonce < sizeof n ? sizeof nonce : sizeof n);
    crypto_stream_chacha20(b, sizeof b, nonce, t_trace_key);
    b[0] |= 1; /* never all zeros */
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[32] = '\0';
}

int ent_traceparent_parse(const char *h, char out[33])
{
    /* version "00" (a later version is read as 00: its first fields are the same) */
    if (!h || strlen(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-')
        return -1;
    char t[33];
    memcpy(t, h + 3, 32);
    t[32] = '\0';
    if (!ent_trace_valid(t))
        return -1;
    memcpy(out, t, 33);
    return 0;
}

void ent_log_trace_set(const char *trace_id)
{
    if (ent_trace_valid(trace_id))
        memcpy(t_trace, trace_id, 33);
    else
        t_trace[0] = '\0';
}

const char *ent_log_trace(void)
{
    return t_trace;
}

void ent_log_context_set(const char *method, const char *caller)
{
    snprintf(t_method, sizeof t_method, "%s", method ? method : "");
    snprintf(t_caller, sizeof t_caller, "%s", caller ? caller : "");
    t_employee[0] = '\0';
}

void ent_log_employee_set(const char *employee_id)
{
    snprintf(t_employee, sizeof t_employee, "%s", employee_id ? employee_id : "");
}

static void s_emit(ent_log_level_t level, const char *event, const char *const *keys, const char *const *values,
                   size_t n, const char *fmt, va_list ap)
{
    char msg[4096];
    vsnprintf(msg, sizeof msg, fmt, ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long) (tv.tv_usec / 1000));

    /* jansson does the escaping; a message that is not valid UTF-8 (bytes
     * from bad input) is replaced by a marker rather than dropping the line. */
    json_t *o = json_object();
    if (!o)
        return;
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(s_level_names[level]));
    json_object_set_new(o, "service", json_string(s_service));
    json_object_set_new(o, "event", json_string(event ? event : "log"));
    if (t_trace[0])
        json_object_set_new(o, "trace", json_string(t_trace));
    if (t_method[0])
        json_object_set_new(o, "method", json_string(t_method));
    struct { const char *k, *v; } ctx[] = { { "caller", t_caller }, { "employee", t_employee } };
    for (size_t i = 0; i < sizeof ctx / sizeof *ctx; i++) {
        json_t *c = ctx[i].v[0] ? json_string(ctx[i].v) : NULL;
        if (c)
            json_object_set_new(o, ctx[i].k, c);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = values[i] ? json_string(values[i]) : NULL;
        if (v)
            json_object_set_new(o, keys[i], v);
    }
    json_t *m = json_string(msg);
    json_object_set_new(o, "msg", m ? m : json_string("(message not valid UTF-8)"));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (line) {
        fprintf(stderr, "%s\n", line);
        free(line);
    }
}

void ent_log(ent_log_level_t level, const char *event, const char *fmt, ...)
{
    if (level < s_min_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    s_emit(level, event, NULL, NULL, 0, fmt, ap);
    va_end(ap);
}

void ent_log_fields(ent_log_level_t level, const char *event, const char *const *keys, const char *const *values,
                    size_t n, const char *fmt, ...)
{
    if (level < s_min_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    s_emit(level, event, keys, values, n, fmt, ap);
    va_end(ap);
}
