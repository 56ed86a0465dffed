/*  bench_util.h — what every benchmark program measures with. */
#ifndef ENT_BENCH_UTIL_H
#define ENT_BENCH_UTIL_H

#include "common/keys.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic time in seconds. */
double bench_now(void);

/* qsort comparator of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

/* A field of /proc/<pid>/status in kB ("VmHWM:", "RssAnon:", ...);
 * pid 0 = this process.  -1 when unreadable. */
long bench_status_kb(pid_t pid, const char *field);

/* Sends one packed entretiens.v1.Request frame on a DEALER (blocking). */
void bench_send_request(void *sock, uint64_t id, const char *method, const char *caller, const uint8_t *payload,
                        size_t len);

/* CurveZMQ as in production: writes DIR/keys with a daemon key for each
 * daemon the benchmarks start (scheduler records notifier analytics
 * producer consumer) and the benchmark's client key "bench" (admin:bench,
 * may act for others), points ENTRETIENS_KEYS_DIR there and unsets
 * ENTRETIENS_INSECURE.  Returns 0, or -1 (printed). */
int bench_keys(const char *dir);

/* The benchmark client's CURVE settings to reach daemon (after
 * bench_keys).  Returns 0, or -1 (printed). */
int bench_curve(const char *daemon, ent_curve_client_t *out);

#endif
