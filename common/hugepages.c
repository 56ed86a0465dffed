/*  hugepages.c — a daemon's heap on transparent huge pages (hugepages.h). */
#include "common/hugepages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUNABLE "glibc.malloc.hugetlb"
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
/* set for the executed process only: it must never execute again, whatever
 * glibc did with GLIBC_TUNABLES */
#define REEXECUTED "ENTRETIENS_HUGEPAGES_REEXECUTED"

int ent_hugepages_tunables(const char *current, const char *thp_setting, char **out)
{
    *out = NULL;
    if (current || (thp_setting && strstr(thp_setting, "[never]")))
        return 0;
    if (!(*out = strdup(TUNABLE "=1")))
        return ENOMEM;
    return 0;
}

/* The kernel's setting, or NULL when it cannot be read (no THP support:
 * the tunable is then harmless, glibc's madvise fails quietly). */
static char *s_thp_setting(char *buf, size_t size)
{
    FILE *f = fopen(THP_ENABLED, "re");
    if (!f)
        return NULL;
    char *line = fgets(buf, (int) size, f);
    fclose(f);
    return line;
}

int ent_hugepages_reexec(bool wanted, char **argv)
{
    if (getenv(REEXECUTED)) {
        unsetenv(REEXECUTED); /* not passed on to what this process runs */
        return 0;
    }
    if (!wanted || !argv || !argv[0])
        return 0;
    char setting[128];
    char *v = NULL;
    int rc = ent_hugepages_tunables(getenv("GLIBC_TUNABLES"), s_thp_setting(setting, sizeof setting), &v);
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
