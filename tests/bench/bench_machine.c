/*  bench_machine.c — ent-bench-machine: what the kernel costs on this
 *  machine, printed before the other benchmarks' figures.
 *
 *  The same code measured 77,000 interviews/s on one 2-core machine of this
 *  project and 30,000 on another of the same size: the second ran under a
 *  paravirtualising hypervisor where a first touch of anonymous memory costs
 *  about 10 µs instead of well under one.  The daemons' hot paths are
 *  user-space work punctuated by kernel entries (system calls, page faults,
 *  a thread woken through an eventfd, a sync to disk), so the price of each
 *  entry decides how a figure compares with another machine's.  This program
 *  measures those prices, each the median of several rounds:
 *
 *    - a system call (getppid);
 *    - the first touch of a page of fresh anonymous memory (a heap growing,
 *      a buffer mapped by malloc: 4 KiB pages written one by one), and a
 *      second touch of the same pages;
 *    - the first touch of a page of a file mapping whose pages are already
 *      in the page cache (an LMDB store read through its map), and a pread
 *      of 4 KiB of the same file;
 *    - a round trip between two threads woken through eventfds (what a
 *      ZeroMQ message costs between its I/O thread and the application's);
 *    - a 4 KiB write followed by fdatasync in the given directory (one
 *      commit of a store).
 *
 *  Usage: ent-bench-machine [--dir DIR]   (DIR: where the file tests write;
 *  default the current directory).  Exits 1 when a measure cannot be made
 *  (it says which).  Not a test: nothing here is asserted.
 */
#include "bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 5
#define AREA ((size_t) 64 << 20) /* bytes touched per round of the page tests */
#define PAGE 4096
#define PAGES (AREA / PAGE)

static double s_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

/* µs per call of getppid, over 100,000 calls. */
static double s_syscall_us(void)
{
    double t0 = bench_now();
    for (int i = 0; i < 100000; i++)
        (void) syscall(SYS_getppid);
    return (bench_now() - t0) * 1e6 / 100000;
}

/* µs per 4 KiB page for the first and the second write of every page of a
 * fresh anonymous mapping.  Returns -1 when it cannot map. */
static int s_anon_us(double *first, double *second)
{
    uint8_t *p = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    double t0 = bench_now();
    for (size_t o = 0; o < AREA; o += PAGE)
        p[o] = 1;
    double t1 = bench_now();
    for (size_t o = 0; o < AREA; o += PAGE)
        p[o] = 2;
    double t2 = bench_now();
    munmap(p, AREA);
    *first = (t1 - t0) * 1e6 / PAGES;
    *second = (t2 - t1) * 1e6 / PAGES;
    return 0;
}

/* µs per 4 KiB page: the first read of every page of a new shared mapping
 * of fd (its pages in the page cache), and a pread of each page. */
static int s_file_us(int fd, double *map_first, double *pread_us)
{
    static uint8_t buf[PAGE];
    volatile uint8_t sink = 0;
    double t0 = bench_now();
    for (size_t o = 0; o < AREA; o += PAGE)
        if (pread(fd, buf, PAGE, (off_t) o) != PAGE)
            return -1;
    *pread_us = (bench_now() - t0) * 1e6 / PAGES;
    sink ^= buf[0];
    const uint8_t *m = mmap(NULL, AREA, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return -1;
    t0 = bench_now();
    for (size_t o = 0; o < AREA; o += PAGE)
        sink ^= m[o];
    *map_first = (bench_now() - t0) * 1e6 / PAGES;
    munmap((void *) m, AREA);
    (void) sink;
    return 0;
}

typedef struct {
    int ping, pong, rounds;
} s_pingpong_t;

static void *s_ponger(void *arg)
{
    s_pingpong_t *pp = arg;
    uint64_t v;
    for (int i = 0; i < pp->rounds; i++) {
        if (read(pp->ping, &v, sizeof v) != sizeof v)
            break;
        v = 1;
        if (write(pp->pong, &v, sizeof v) != sizeof v)
            break;
    }
    return NULL;
}

/* µs per round trip between two threads, each blocked in read() on its
 * eventfd until the other writes it.  Returns -1 on failure. */
static int s_wake_us(double *us)
{
    s_pingpong_t pp = { eventfd(0, 0), eventfd(0, 0), 20000 };
    pthread_t t;
    int rc = -1;
    if (pp.ping < 0 || pp.pong < 0 || pthread_create(&t, NULL, s_ponger, &pp) != 0)
        goto fail;
    double t0 = bench_now();
    uint64_t v = 1;
    int i;
    for (i = 0; i < pp.rounds; i++)
        if (write(pp.ping, &v, sizeof v) != sizeof v || read(pp.pong, &v, sizeof v) != sizeof v)
            break;
    *us = (bench_now() - t0) * 1e6 / pp.rounds;
    if (i < pp.rounds)
        pthread_cancel(t); /* it waits in read() for a ping that will not come */
    pthread_join(t, NULL);
    rc = i == pp.rounds ? 0 : -1;
fail:
    if (pp.ping >= 0)
        close(pp.ping);
    if (pp.pong >= 0)
        close(pp.pong);
    return rc;
}

/* µs for a 4 KiB pwrite followed by fdatasync, median of 50. */
static int s_sync_us(int fd, double *us)
{
    static uint8_t buf[PAGE];
    double v[50];
    for (size_t i = 0; i < 50; i++) {
        memset(buf, (int) i, sizeof buf);
        double t0 = bench_now();
        if (pwrite(fd, buf, PAGE, (off_t) (i * PAGE)) != PAGE || fdatasync(fd) != 0)
            return -1;
        v[i] = (bench_now() - t0) * 1e6;
    }
    *us = s_median(v, 50);
    return 0;
}

static void s_cpu_model(char *out, size_t size, int *hypervisor)
{
    snprintf(out, size, "unknown");
    *hypervisor = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[4096];
    bool model = false, flags = false;
    while ((!model || !flags) && fgets(line, sizeof line, f)) {
        if (!model && strncmp(line, "model name", 10) == 0) {
            const char *c = strchr(line, ':');
            if (c) {
                snprintf(out, size, "%s", c + 2);
                out[strcspn(out, "\n")] = '\0';
            }
            model = true;
        } else if (!flags && strncmp(line, "flags", 5) == 0) {
            *hypervisor = strstr(line, " hypervisor") != NULL;
            flags = true;
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *dir = ".";
    for (int i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
    char model[256];
    int hyper;
    s_cpu_model(model, sizeof model, &hyper);
    printf("machine: %s, %ld CPUs, %s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
           hyper ? "virtual (the CPU reports a hypervisor)" : "no hypervisor reported");

    char path[4200];
    snprintf(path, sizeof path, "%s/ent-bench-machine.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "ent-bench-machine: cannot create a file in %s: %s\n", dir, strerror(errno));
        return 1;
    }
    unlink(path); /* gone when closed */
    static uint8_t chunk[1 << 20];
    for (size_t o = 0; o < AREA; o += sizeof chunk) {
        memset(chunk, (int) (o >> 20), sizeof chunk);
        if (pwrite(fd, chunk, sizeof chunk, (off_t) o) != (ssize_t) sizeof chunk) {
            fprintf(stderr, "ent-bench-machine: cannot write %s: %s\n", dir, strerror(errno));
            close(fd);
            return 1;
        }
    }

    double sys[ROUNDS], anon1[ROUNDS], anon2[ROUNDS], map1[ROUNDS], prd[ROUNDS], wake[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        sys[r] = s_syscall_us();
        if (s_anon_us(&anon1[r], &anon2[r]) || s_file_us(fd, &map1[r], &prd[r]) || s_wake_us(&wake[r])) {
            fprintf(stderr, "ent-bench-machine: a measure failed: %s\n", strerror(errno));
            close(fd);
            return 1;
        }
    }
    double sync_us;
    if (s_sync_us(fd, &sync_us)) {
        fprintf(stderr, "ent-bench-machine: fdatasync in %s failed: %s\n", dir, strerror(errno));
        close(fd);
        return 1;
    }
    close(fd);
    printf("%-46s %8.2f us\n", "system call (getppid)", s_median(sys, ROUNDS));
    printf("%-46s %8.2f us  (again: %.3f us)\n", "anonymous memory, first touch of a 4 KiB page", s_median(anon1, ROUNDS),
           s_median(anon2, ROUNDS));
    printf("%-46s %8.2f us\n", "file map, first touch of a cached 4 KiB page", s_median(map1, ROUNDS));
    printf("%-46s %8.2f us\n", "pread of a cached 4 KiB page", s_median(prd, ROUNDS));
    printf("%-46s %8.2f us\n", "two threads, eventfd round trip", s_median(wake, ROUNDS));
    printf("%-46s %8.1f us  (%s)\n", "4 KiB write + fdatasync", sync_us, dir);
    return 0;
}
