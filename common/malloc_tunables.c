/*  malloc_tunables.c — glibc's malloc set for a daemon's catch-ups
 *  (malloc_tunables.h). */
#include "common/malloc_tunables.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
/* set for the executed process only: it must never execute again, whatever
 * glibc did with GLIBC_TUNABLES */
#define REEXECUTED "ENTRETIENS_MALLOC_REEXECUTED"

int ent_malloc_tunables_decide(const char *current, const char *thp_setting, char **out)
{
    *out = NULL;
    if (current)
        return 0;
    bool thp = !(thp_setting && strstr(thp_setting, "[never]"));
    char v[160];
    snprintf(v, sizeof v, "%sglibc.malloc.mmap_threshold=%u:glibc.malloc.trim_threshold=%u",
             thp ? "glibc.malloc.hugetlb=1:" : "", (unsigned) ENT_MALLOC_MMAP_MB << 20,
             (unsigned) ENT_MALLOC_TRIM_MB << 20);
    if (!(*out = strdup(v)))
        return ENOMEM;
    return 0;
}

/* The kernel's setting, or NULL when it cannot be read (no THP support:
 * asking is then harmless, glibc's madvise fails quietly). */
static char *s_thp_setting(char *buf, size_t size)
{
    FILE *f = fopen(THP_ENABLED, "re");
    if (!f)
        return NULL;
    char *line = fgets(buf, (int) size, f);
    fclose(f);
    return line;
}

static bool s_applied;

bool ent_malloc_tunables_applied(void)
{
    return s_applied;
}

int ent_malloc_tunables_reexec(bool wanted, char **argv)
{
    if (getenv(REEXECUTED)) {
        unsetenv(REEXECUTED); /* not passed on to what this process runs */
        s_applied = true;
        return 0;
    }
    /* only a process' own arguments: a daemon embedded in another program
     * (the unit tests run daemons inside Criterion's workers) must not
     * execute that program again */
    if (!wanted || !argv || !argv[0] || argv[0] != program_invocation_name)
        return 0;
    char setting[128];
    char *v = NULL;
    int rc = ent_malloc_tunables_decide(getenv("GLIBC_TUNABLES"), s_thp_setting(setting, sizeof setting), &v);
    if (rc != 0 || !v)
        return rc;
    if (setenv("GLIBC_TUNABLES", v, 1) != 0 || setenv(REEXECUTED, "1", 1) != 0) {
        rc = errno;
    } else {
        /* the binary's own path, not /proc/self/exe: the kernel names the
         * process after the last part of the path executed ("exe"), and
         * ps, top and pgrep -x would no longer know the daemon */
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n < 0) {
            rc = errno;
        } else if ((size_t) n == sizeof self - 1) {
            rc = ENAMETOOLONG;
        } else {
            self[n] = '\0';
            execv(self, argv);
            rc = errno; /* e.g. ENOENT: the binary was replaced since */
        }
    }
    /* still here: put the environment back */
    unsetenv(REEXECUTED);
    unsetenv("GLIBC_TUNABLES");
    free(v);
    return rc;
}
