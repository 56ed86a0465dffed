/*  bench_util.h — what every benchmark program measures with. */
#ifndef ENT_BENCH_UTIL_H
#define ENT_BENCH_UTIL_H

#include "common/keys.h"
#include "proto/envelope.pb-c.h"

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

/* Proportional set size in kB (/proc/<pid>/smaps_rollup "Pss:"), -1 when
 * unreadable. */
long bench_pss_kb(pid_t pid);

/* Pss in kB of pid's mappings of files whose path ends in suffix
 * ("/data.mdb": an LMDB store's map), from /proc/<pid>/smaps; -1 when
 * unreadable. */
long bench_pss_file_kb(pid_t pid, const char *suffix);

/* Pss in kB of root and of every process whose parent is root (a
 * PostgreSQL postmaster and its backends and workers); *procs gets how
 * many processes were counted.  -1 when root is unreadable. */
long bench_pss_family_kb(pid_t root, int *procs);

/* CPU time in ns that every thread of pid has run so far (the sum of
 * /proc/<pid>/task/<tid>/schedstat), -1 when unreadable: a figure that the
 * load of a shared machine changes far less than a latency. */
long long bench_cpu_ns(pid_t pid);

/* Starts the scheduler at path as a daemon process on loopback with its
 * store and CURVE keys in dir (bench_keys), logging warnings only, durable
 * commits, the clock pinned to 2026-11-26; writes its RPC endpoint into
 * endpoint (its /healthz, /metrics on 127.0.0.1 at the RPC port + 2).
 * Returns the pid, or -1 (printed). */
/* A counter of /proc/<pid>/io in bytes ("write_bytes:": what the process
 * has caused to be sent to storage, counted when it dirties the page
 * cache, so a page rewritten after its writeback counts again); pid 0 =
 * this process.  -1 when unreadable (another user's process). */
long long bench_io_bytes(pid_t pid, const char *field);

pid_t bench_scheduler_start(const char *dir, const char *path, char *endpoint, size_t size);

/* Sends one packed entretiens.v1.Request frame on a DEALER (blocking). */
void bench_send_request(void *sock, uint64_t id, const char *method, const char *caller, const uint8_t *payload,
                        size_t len);

/* Receives one Reply on a DEALER (blocking), unpacked (free it with
 * entretiens__v1__reply__free_unpacked); NULL when none could be read. */
Entretiens__V1__Reply *bench_recv_reply(void *sock);

/* Receives one Reply on a DEALER (blocking) and checks its status (a
 * failure is printed).  With accepted, the payload is read as an
 * IngestReply and its accepted count added.  Returns 0 when OK, else -1. */
int bench_recv_ok(void *sock, size_t *accepted);

/* CurveZMQ as in production: writes DIR/keys with a daemon key for each
 * daemon the benchmarks start (scheduler records notifier analytics
 * producer consumer) and the benchmark's client key "bench" (admin:bench,
 * may act for others), points ENTRETIENS_KEYS_DIR there and unsets
 * ENTRETIENS_INSECURE.  Returns 0, or -1 (printed). */
int bench_keys(const char *dir);

/* The benchmark client's CURVE settings to reach daemon (after
 * bench_keys).  Returns 0, or -1 (printed). */
int bench_curve(const char *daemon, ent_curve_client_t *out);

/* Waits until the daemon started as pid answers health on ep (with
 * curve), asking with a client of its own whose calls give up after a
 * second (at most 200 tries, 50 ms apart).  A daemon that exits during
 * start-up (its port taken by another run: it logs why and exits) stops
 * the wait at once instead of leaving each call to its timeout.  Returns
 * 0 (up), -1 (exited: printed, with name and status) or -2 (no answer:
 * printed; the daemon still runs). */
int bench_wait_up(void *ctx, const char *ep, const ent_curve_client_t *curve, pid_t pid, const char *name);

/* fork(), with the child bound to the benchmark: it gets SIGTERM when the
 * benchmark dies (killed, cut short by a closed pipe, crashed), so that no
 * daemon or helper outlives its benchmark and disturbs the next one's
 * figures.  Returns what fork() returns; a child whose parent is already
 * gone exits at once (status 1). */
pid_t bench_fork(void);

/* mkdtemp(tmpl), and the folder removed — with every child of bench_fork
 * killed first — if the benchmark is interrupted (SIGINT, SIGTERM, SIGHUP;
 * up to 8 folders).  Returns tmpl, or NULL as mkdtemp. */
char *bench_mkdtemp(char *tmpl);

#endif
