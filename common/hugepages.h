/*  hugepages.h — a daemon's heap on transparent huge pages.
 *
 *  Why: on some virtual machines the first touch of a 4 KiB page of fresh
 *  anonymous memory costs 10 - 15 us (the hypervisor maps each page on its
 *  first access; `./tests/bench/run.sh machine`).  A catch-up that grows
 *  its heap by a few hundred MiB (LMDB's dirty pages of a large turn, the
 *  unpacked replay pages, the outbox's buffer) then spends seconds in page
 *  faults.  With the heap on transparent huge pages one fault maps 2 MiB:
 *  records' creation from the scheduler's events went from 26,000 - 35,000
 *  to 47,000 interviews/s there, with a third of the faults
 *  (docs/records.md, round 8).
 *
 *  How: glibc (2.35 and later) asks the kernel for huge pages on the memory
 *  its malloc takes when the tunable glibc.malloc.hugetlb=1 is set, and it
 *  reads tunables only from the environment, at start.  So a daemon that
 *  wants them and was started without the tunable adds it to GLIBC_TUNABLES
 *  and executes itself again, once, before it has opened anything (same
 *  pid, same arguments).  Nothing else changes: the kernel's own setting
 *  still governs (with "never" in /sys/kernel/mm/transparent_hugepage/
 *  enabled nothing is done), and a GLIBC_TUNABLES set by whoever started
 *  the daemon is theirs, left as it is (add glibc.malloc.hugetlb=1 to it
 *  to keep huge pages).  Not appended to: glibc 2.36 cuts the variable at
 *  its first ':' in the process' own environment once it has read it, so
 *  what the process sees is not what it was given.
 *
 *  ENTRETIENS_MALLOC_HUGEPAGES (docs/operations.md): 1 (default) or 0.
 */
#ifndef ENT_HUGEPAGES_H
#define ENT_HUGEPAGES_H

#include <stdbool.h>

/* Decides the GLIBC_TUNABLES value to execute with.  `current` is the
 * variable's value (NULL when unset), `thp_setting` the contents of the
 * kernel's transparent_hugepage/enabled (NULL when unreadable).  Sets *out
 * to NULL when nothing is to be done — the variable is set, whatever its
 * value, or the kernel's setting is [never] — else to a malloc'd
 * "glibc.malloc.hugetlb=1" the caller frees.  Returns 0, or ENOMEM (*out
 * NULL).  Pure: the unit tests call it. */
int ent_hugepages_tunables(const char *current, const char *thp_setting, char **out);

/* When `wanted`, and ent_hugepages_tunables says so for this process's
 * environment and kernel, sets GLIBC_TUNABLES and executes its own binary
 * (the path /proc/self/exe names) with `argv` (NULL-terminated, as main's).  Returns only when it did not
 * execute: 0 when there was nothing to do, else the errno of the failed
 * execv or ENOMEM (GLIBC_TUNABLES is then unset again; the caller goes on
 * with 4 KiB pages and should say so).  Call it before any thread, lock or
 * socket exists. */
int ent_hugepages_reexec(bool wanted, char **argv);

#endif
