/*  test_hugepages.c — the GLIBC_TUNABLES value a daemon restarts with
 *  (hugepages.h): only when the variable is unset, never when the
 *  kernel's setting is "never". */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "common/hugepages.h"

static char *s_decide(const char *current, const char *thp)
{
    char *out = (char *) "untouched";
    cr_assert_eq(ent_hugepages_tunables(current, thp, &out), 0);
    return out;
}

Test(hugepages, unset_gives_the_tunable_alone)
{
    char *v = s_decide(NULL, "always [madvise] never\n");
    cr_assert_str_eq(v, "glibc.malloc.hugetlb=1");
    free(v);
    v = s_decide(NULL, NULL); /* unreadable setting: harmless to ask */
    cr_assert_str_eq(v, "glibc.malloc.hugetlb=1");
    free(v);
}

Test(hugepages, an_operators_tunables_are_left_alone)
{
    cr_assert_null(s_decide("glibc.malloc.trim_threshold=1000000", "[always] madvise never\n"));
    cr_assert_null(s_decide("glibc.malloc.hugetlb=0", "always [madvise] never\n"));
    cr_assert_null(s_decide("", "always [madvise] never\n"));
}

Test(hugepages, nothing_when_the_kernel_says_never)
{
    cr_assert_null(s_decide(NULL, "always madvise [never]\n"));
}

Test(hugepages, not_wanted_or_no_argv_does_nothing)
{
    cr_assert_eq(ent_hugepages_reexec(false, NULL), 0);
    char *argv[] = { NULL };
    cr_assert_eq(ent_hugepages_reexec(true, argv), 0);
}
