/*  test_malloc_tunables.c — the GLIBC_TUNABLES value a daemon executes
 *  itself again with (malloc_tunables.h): only when the variable is unset,
 *  huge pages unless the kernel's setting is "never". */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "common/malloc_tunables.h"

#define THRESHOLDS "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=33554432"

static char *s_decide(const char *current, const char *thp)
{
    char *out = (char *) "untouched";
    cr_assert_eq(ent_malloc_tunables_decide(current, thp, &out), 0);
    return out;
}

Test(malloc_tunables, the_thresholds_are_the_headers_values)
{
    cr_assert_eq(ENT_MALLOC_MMAP_MB, 32);
    cr_assert_eq(ENT_MALLOC_TRIM_MB, 32);
}

Test(malloc_tunables, unset_gives_huge_pages_and_the_thresholds)
{
    char *v = s_decide(NULL, "always [madvise] never\n");
    cr_assert_str_eq(v, "glibc.malloc.hugetlb=1:" THRESHOLDS);
    free(v);
    v = s_decide(NULL, "[always] madvise never\n");
    cr_assert_str_eq(v, "glibc.malloc.hugetlb=1:" THRESHOLDS);
    free(v);
    v = s_decide(NULL, NULL); /* unreadable setting: harmless to ask */
    cr_assert_str_eq(v, "glibc.malloc.hugetlb=1:" THRESHOLDS);
    free(v);
}

Test(malloc_tunables, no_huge_pages_when_the_kernel_says_never)
{
    char *v = s_decide(NULL, "always madvise [never]\n");
    cr_assert_str_eq(v, THRESHOLDS);
    free(v);
}

Test(malloc_tunables, an_operators_tunables_are_left_alone)
{
    cr_assert_null(s_decide("glibc.malloc.trim_threshold=1000000", "[always] madvise never\n"));
    cr_assert_null(s_decide("glibc.malloc.hugetlb=0", "always [madvise] never\n"));
    cr_assert_null(s_decide("", "always [madvise] never\n"));
    cr_assert_null(s_decide("glibc.malloc.arena_max=2", "always madvise [never]\n"));
}

Test(malloc_tunables, not_wanted_or_no_argv_does_nothing)
{
    cr_assert_eq(ent_malloc_tunables_reexec(false, NULL), 0);
    char *argv[] = { NULL };
    cr_assert_eq(ent_malloc_tunables_reexec(true, argv), 0);
    cr_assert_not(ent_malloc_tunables_applied());
}

/* a daemon run inside a test (or any other program) gets arguments that are
 * not the process' own: this test process must not be executed again */
Test(malloc_tunables, arguments_not_the_process_own_are_never_executed)
{
    unsetenv("GLIBC_TUNABLES");
    char *argv[] = { (char *) "entretiens-scheduler", NULL };
    cr_assert_eq(ent_malloc_tunables_reexec(true, argv), 0);
    cr_assert_null(getenv("GLIBC_TUNABLES"), "the environment was changed");
    cr_assert_not(ent_malloc_tunables_applied());
}
