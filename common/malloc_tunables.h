/*  malloc_tunables.h — glibc's malloc set for a daemon's catch-ups.
 *
 *  Why: on some virtual machines the first touch of a 4 KiB page of fresh
 *  anonymous memory costs 10 - 15 us (the hypervisor maps each page on its
 *  first access; `./tests/bench/run.sh machine`).  A catch-up takes a few
 *  hundred MiB for a while (LMDB's dirty pages of a large turn, the
 *  unpacked replay pages, the outbox's buffer) and libzmq receives each
 *  replay page, about a MiB, in a buffer of its own; with glibc's defaults
 *  the large buffers are mmap'd and unmapped one by one and the heap is
 *  given back at the end of each turn, so the same memory is faulted in
 *  again and again.  Records' creation from the scheduler's events spent
 *  seconds in page faults there (docs/records.md, round 8).
 *
 *  What: three of glibc's tunables (2.35 and later; an older glibc ignores
 *  them) —
 *    glibc.malloc.hugetlb=1          the heap on transparent huge pages:
 *                                    one fault maps 2 MiB (only when the
 *                                    kernel's setting is not "never");
 *    glibc.malloc.mmap_threshold     ENT_MALLOC_MMAP_MB: buffers below it
 *                                    come from the heap and are reused;
 *    glibc.malloc.trim_threshold     ENT_MALLOC_TRIM_MB: up to that much
 *                                    freed memory at the top of a heap is
 *                                    kept for the next turn.
 *  glibc reads tunables only from the environment, at start.  So a daemon
 *  started without GLIBC_TUNABLES sets it and executes its own binary
 *  again, once, before it has opened anything (same pid, same arguments,
 *  same process name).  A GLIBC_TUNABLES set by whoever started the daemon
 *  is theirs and left as it is.  It is not appended to: glibc 2.36 cuts the
 *  variable at its first ':' in the process' own environment once it has
 *  read it, so what the process sees is not what it was given.
 *
 *  ENTRETIENS_MALLOC_TUNABLES (docs/operations.md): 1 (default) or 0.
 */
#ifndef ENT_MALLOC_TUNABLES_H
#define ENT_MALLOC_TUNABLES_H

#include <stdbool.h>

/* Freed memory a heap keeps at its top, in MiB (glibc.malloc.trim_threshold). */
#define ENT_MALLOC_TRIM_MB 32
/* Allocations from this size up are mmap'd (glibc.malloc.mmap_threshold). */
#define ENT_MALLOC_MMAP_MB 32

/* Decides the GLIBC_TUNABLES value to execute with.  `current` is the
 * variable's value (NULL when unset), `thp_setting` the contents of the
 * kernel's transparent_hugepage/enabled (NULL when unreadable).  Sets *out
 * to NULL when the variable is set, whatever its value (nothing is to be
 * done), else to a malloc'd value the caller frees: the two thresholds,
 * preceded by glibc.malloc.hugetlb=1 unless the kernel's setting is
 * [never].  Returns 0, or ENOMEM (*out NULL).  Pure: the unit tests call
 * it. */
int ent_malloc_tunables_decide(const char *current, const char *thp_setting, char **out);

/* When `wanted`, and ent_malloc_tunables_decide says so for this process'
 * environment and kernel, sets GLIBC_TUNABLES and executes its own binary
 * (the path /proc/self/exe names) with `argv`, which must be main's own
 * (argv[0] is the pointer glibc keeps as program_invocation_name; any
 * other array, as a test that runs a daemon inside its own process passes,
 * is never executed: 0 is returned).
 * Returns only when it did not execute: 0 when there was nothing to do
 * (also in the executed process itself), else the errno of the failed
 * readlink or execv, or ENOMEM (GLIBC_TUNABLES is then unset again; the
 * caller goes on with glibc's defaults and should say so).  Call it before
 * any thread, lock or socket exists. */
int ent_malloc_tunables_reexec(bool wanted, char **argv);

/* True when this process is the one ent_malloc_tunables_reexec executed
 * (it runs with the tunables it set), false otherwise — also when
 * GLIBC_TUNABLES was set by whoever started it. */
bool ent_malloc_tunables_applied(void);

#endif
