/*  test_config.c — environment + flags configuration (common/config.h). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"

/* Every test starts from an environment without any ENTRETIENS_* variable
 * the table knows, so that the runner's own environment cannot leak in. */
static void s_clean_env(void)
{
    size_t n;
    const ent_config_var_t *vars = ent_config_common_vars(&n);
    for (size_t i = 0; i < n; i++)
        unsetenv(vars[i].env);
    unsetenv("ENTRETIENS_PAYROLL_RPC");
    unsetenv("ENTRETIENS_SLOT_MINUTES");
    unsetenv("ENTRETIENS_ROOM");
}

static ent_config_t *s_new(void)
{
    s_clean_env();
    ent_config_t *cfg = ent_config_new("testd", "a test daemon", NULL, 0);
    cr_assert_not_null(cfg);
    return cfg;
}

/* Loads argv given as a NULL-terminated list of arguments after argv[0]
 * ("testd").  The strings live in static storage for the test's lifetime. */
static int s_load(ent_config_t *cfg, int *first, ...)
{
    static char *argv[32];
    int argc = 0;
    argv[argc++] = "testd";
    va_list ap;
    va_start(ap, first);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL) {
        cr_assert_lt(argc, 31);
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    return ent_config_load(cfg, argc, argv, first);
}
#define LOAD(cfg, first, ...) s_load((cfg), (first), __VA_ARGS__, (char *) NULL)

Test(config, common_vars_cover_the_shared_contract)
{
    size_t n = 0;
    const ent_config_var_t *vars = ent_config_common_vars(&n);
    cr_assert_not_null(vars);
    /* data dir + 12 endpoints + now + log level + 4 tuning knobs */
    cr_assert_geq(n, 14u);
    const char *daemons[] = { "SCHEDULER", "RECORDS", "NOTIFIER", "ANALYTICS" };
    const char *kinds[] = { "RPC", "PUB", "HTTP" };
    for (size_t d = 0; d < 4; d++)
        for (size_t k = 0; k < 3; k++) {
            char name[64];
            snprintf(name, sizeof name, "ENTRETIENS_%s_%s", daemons[d], kinds[k]);
            bool found = false;
            for (size_t i = 0; i < n; i++)
                if (strcmp(vars[i].env, name) == 0) {
                    found = true;
                    cr_assert_not_null(vars[i].def, "%s has no default", name);
                    cr_assert_not_null(vars[i].help);
                }
            cr_assert(found, "%s missing from the common variables", name);
        }
    bool data_dir = false, now = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(vars[i].env, "ENTRETIENS_DATA_DIR") == 0)
            data_dir = true;
        if (strcmp(vars[i].env, "ENTRETIENS_NOW") == 0) {
            now = true;
            cr_assert_null(vars[i].def, "the clock must be real unless pinned");
        }
    }
    cr_assert(data_dir && now);
}

Test(config, defaults_without_environment_or_flags)
{
    ent_config_t *cfg = s_new();
    int first = -42;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    cr_assert_eq(first, 1, "no arguments: first_arg must be argc");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "./var");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "info");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_MAP_SIZE_MB"), "1024");
    cr_assert_null(ent_config_get(cfg, "ENTRETIENS_NOW"), "ENTRETIENS_NOW is unset by default");
    ent_config_destroy(&cfg);
    cr_assert_null(cfg, "destroy must clear the caller's pointer");
}

Test(config, first_arg_is_argc_without_positional)
{
    ent_config_t *cfg = s_new();
    char *argv[] = { "testd", NULL };
    int first = -1;
    cr_assert_eq(ent_config_load(cfg, 1, argv, &first), 0);
    cr_assert_eq(first, 1);
    /* first_arg may be NULL */
    cr_assert_eq(ent_config_load(cfg, 1, argv, NULL), 0);
    ent_config_destroy(&cfg);
}

Test(config, environment_overrides_default)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_DATA_DIR", "/srv/entretiens", 1);
    setenv("ENTRETIENS_NOW", "2026-03-15", 1);
    int first;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/srv/entretiens");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_NOW"), "2026-03-15");
    /* an untouched variable keeps its default */
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "info");
    ent_config_destroy(&cfg);
}

Test(config, environment_is_read_at_load)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_LOG_LEVEL", "debug", 1);
    /* before load only defaults are known */
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "info");
    int first;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "debug");
    /* the loaded value is a copy: changing the environment later does not
     * move it under the daemon's feet */
    setenv("ENTRETIENS_LOG_LEVEL", "error", 1);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "debug");
    ent_config_destroy(&cfg);
}

Test(config, flag_with_equals_overrides_environment)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_DATA_DIR", "/from/env", 1);
    int first = -1;
    cr_assert_eq(LOAD(cfg, &first, "--data-dir=/from/flag"), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/from/flag");
    cr_assert_eq(first, 2);
    ent_config_destroy(&cfg);
}

Test(config, flag_with_separate_value_overrides_environment)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_DATA_DIR", "/from/env", 1);
    int first = -1;
    cr_assert_eq(LOAD(cfg, &first, "--data-dir", "/from/flag", "--log-level", "warn"), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/from/flag");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "warn");
    cr_assert_eq(first, 5, "both flags and their values consumed");
    ent_config_destroy(&cfg);
}

Test(config, flag_given_twice_last_wins)
{
    ent_config_t *cfg = s_new();
    int first;
    cr_assert_eq(LOAD(cfg, &first, "--data-dir=/a", "--data-dir", "/b"), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/b");
    ent_config_destroy(&cfg);
}

Test(config, flag_with_empty_value)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_NOW", "2026-03-15", 1);
    int first;
    cr_assert_eq(LOAD(cfg, &first, "--now="), 0);
    /* an explicit empty value wins over the environment (= real clock) */
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_NOW"), "");
    ent_config_destroy(&cfg);
}

Test(config, separate_value_may_start_with_dashes)
{
    ent_config_t *cfg = s_new();
    int first;
    /* "--data-dir VALUE" takes the next argument whatever it looks like */
    cr_assert_eq(LOAD(cfg, &first, "--data-dir", "--log-level"), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "--log-level");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "info");
    cr_assert_eq(first, 3);
    ent_config_destroy(&cfg);
}

Test(config, positional_argument_stops_flag_parsing)
{
    ent_config_t *cfg = s_new();
    int first = -1;
    /* testd --data-dir=/x candidate list --log-level=debug */
    cr_assert_eq(LOAD(cfg, &first, "--data-dir=/x", "candidate", "list", "--log-level=debug"), 0);
    cr_assert_eq(first, 2, "first_arg must point at \"candidate\"");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/x");
    /* flags after the first positional argument belong to the caller
     * (e.g. a sub-command): they are not applied */
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "info");
    ent_config_destroy(&cfg);
}

Test(config, unknown_flag_is_left_for_the_caller)
{
    ent_config_t *cfg = s_new();
    int first = -1;
    cr_assert_eq(LOAD(cfg, &first, "--data-dir", "/x", "--json", "--log-level=debug"), 0);
    cr_assert_eq(first, 3, "first_arg must point at the unknown flag --json");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/x");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "info",
                     "flags after the unknown one are not parsed");
    ent_config_destroy(&cfg);
}

Test(config, unknown_flag_first)
{
    ent_config_t *cfg = s_new();
    int first = -1;
    cr_assert_eq(LOAD(cfg, &first, "--verbose=3"), 0);
    cr_assert_eq(first, 1);
    ent_config_destroy(&cfg);
}

Test(config, prefix_of_a_flag_is_not_that_flag)
{
    ent_config_t *cfg = s_new();
    int first = -1;
    /* "--data" and "--data-dirx" are not "--data-dir" */
    cr_assert_eq(LOAD(cfg, &first, "--data=/x"), 0);
    cr_assert_eq(first, 1);
    cr_assert_eq(LOAD(cfg, &first, "--data-dirx=/x"), 0);
    cr_assert_eq(first, 1);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "./var");
    ent_config_destroy(&cfg);
}

Test(config, single_dash_argument_is_positional)
{
    ent_config_t *cfg = s_new();
    int first = -1;
    cr_assert_eq(LOAD(cfg, &first, "-v", "--data-dir=/x"), 0);
    cr_assert_eq(first, 1);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "./var");
    ent_config_destroy(&cfg);
}

Test(config, flag_without_value_at_end_fails, .init = cr_redirect_stderr)
{
    ent_config_t *cfg = s_new();
    int first = -7;
    cr_assert_eq(LOAD(cfg, &first, "--log-level=debug", "--data-dir"), -1);
    fflush(stderr);
    ent_config_destroy(&cfg);
    /* the reason is printed on stderr and names the flag */
    fclose(stderr);
    FILE *f = cr_get_redirected_stderr();
    char buf[512] = { 0 };
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    cr_assert_gt(got, 0u, "nothing printed on stderr");
    cr_assert_not_null(strstr(buf, "--data-dir"), "stderr: %s", buf);
    cr_assert_not_null(strstr(buf, "testd"), "stderr names the program: %s", buf);
}

static char *s_read_all(FILE *f)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    buf[len] = '\0';
    return buf;
}

static const ent_config_var_t s_extra[] = {
    { "ENTRETIENS_SLOT_MINUTES", "45", "length of an interview slot" },
    { "ENTRETIENS_ROOM", NULL, "meeting room (optional)" },
};

Test(config, help_returns_1_and_lists_every_variable, .init = cr_redirect_stdout)
{
    s_clean_env();
    ent_config_t *cfg = ent_config_new("testd", "a test daemon", s_extra, 2);
    cr_assert_not_null(cfg);
    int first = -7;
    cr_assert_eq(LOAD(cfg, &first, "--data-dir=/x", "--help", "--bogus"), 1);
    fflush(stdout);
    fclose(stdout);
    char *out = s_read_all(cr_get_redirected_stdout());
    size_t n;
    const ent_config_var_t *vars = ent_config_common_vars(&n);
    for (size_t i = 0; i < n; i++)
        cr_assert_not_null(strstr(out, vars[i].env), "%s missing from --help", vars[i].env);
    cr_assert_not_null(strstr(out, "ENTRETIENS_SLOT_MINUTES"));
    cr_assert_not_null(strstr(out, "--slot-minutes"));
    cr_assert_not_null(strstr(out, "ENTRETIENS_ROOM"));
    cr_assert_not_null(strstr(out, "--data-dir"));
    cr_assert_not_null(strstr(out, "--scheduler-rpc"));
    cr_assert_not_null(strstr(out, "tcp://127.0.0.1:7100"), "defaults are printed");
    cr_assert_not_null(strstr(out, "testd"));
    cr_assert_not_null(strstr(out, "a test daemon"));
    free(out);
    ent_config_destroy(&cfg);
}

Test(config, short_help, .init = cr_redirect_stdout)
{
    ent_config_t *cfg = s_new();
    int first;
    cr_assert_eq(LOAD(cfg, &first, "-h"), 1);
    fflush(stdout);
    fclose(stdout);
    char *out = s_read_all(cr_get_redirected_stdout());
    cr_assert_not_null(strstr(out, "ENTRETIENS_DATA_DIR"));
    free(out);
    ent_config_destroy(&cfg);
}

Test(config, get_int)
{
    s_clean_env();
    ent_config_t *cfg = ent_config_new("testd", NULL, s_extra, 2);
    cr_assert_not_null(cfg);
    setenv("ENTRETIENS_RPC_TIMEOUT_MS", "250", 1);
    setenv("ENTRETIENS_READY_MAX_LAG", "12abc", 1);
    setenv("ENTRETIENS_NOSYNC", "-3", 1);
    setenv("ENTRETIENS_SLOT_MINUTES", "99999999999999999999999", 1);
    int first;
    cr_assert_eq(LOAD(cfg, &first, "--map-size-mb", "64"), 0);

    bool ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_RPC_TIMEOUT_MS", 7, &ok), 250);
    cr_assert(ok);
    ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_MAP_SIZE_MB", 7, &ok), 64, "flag value");
    cr_assert(ok);
    ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_NOSYNC", 7, &ok), -3);
    cr_assert(ok);

    /* malformed: -1 and ok = false */
    ok = true;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_READY_MAX_LAG", 7, &ok), -1);
    cr_assert_not(ok);
    ok = true;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_SLOT_MINUTES", 7, &ok), -1, "overflow");
    cr_assert_not(ok);

    /* unset (no default, not in the environment): def, ok = true */
    ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_ROOM", 77, &ok), 77);
    cr_assert(ok);
    ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_NOW", -5, &ok), -5);
    cr_assert(ok);
    /* ok may be NULL */
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_ROOM", 3, NULL), 3);
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_READY_MAX_LAG", 3, NULL), -1);
    ent_config_destroy(&cfg);
}

Test(config, get_int_uses_default_value_of_the_table)
{
    ent_config_t *cfg = s_new();
    int first;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    bool ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_MAP_SIZE_MB", 1, &ok), 1024);
    cr_assert(ok);
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_RPC_TIMEOUT_MS", 1, &ok), 5000);
    cr_assert(ok);
    ent_config_destroy(&cfg);
}

Test(config, get_int_empty_value_is_unset)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_RPC_TIMEOUT_MS", "", 1);
    int first;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    bool ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_RPC_TIMEOUT_MS", 31, &ok), 31);
    cr_assert(ok);
    ent_config_destroy(&cfg);
}

Test(config, endpoint_defaults)
{
    ent_config_t *cfg = s_new();
    int first;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    cr_assert_str_eq(ent_config_endpoint(cfg, "scheduler", "RPC"), "tcp://127.0.0.1:7100");
    cr_assert_str_eq(ent_config_endpoint(cfg, "scheduler", "PUB"), "tcp://127.0.0.1:7101");
    cr_assert_str_eq(ent_config_endpoint(cfg, "records", "HTTP"), "127.0.0.1:7202");
    cr_assert_str_eq(ent_config_endpoint(cfg, "notifier", "RPC"), "tcp://127.0.0.1:7300");
    cr_assert_str_eq(ent_config_endpoint(cfg, "analytics", "HTTP"), "127.0.0.1:7402");
    /* a daemon the table does not know has no endpoint */
    cr_assert_null(ent_config_endpoint(cfg, "payroll", "RPC"));
    ent_config_destroy(&cfg);
}

Test(config, endpoint_follows_environment_and_flags)
{
    ent_config_t *cfg = s_new();
    setenv("ENTRETIENS_SCHEDULER_RPC", "ipc:///run/entretiens/scheduler", 1);
    setenv("ENTRETIENS_RECORDS_HTTP", "0.0.0.0:9000", 1);
    int first;
    cr_assert_eq(LOAD(cfg, &first, "--records-http=127.0.0.1:9999"), 0);
    cr_assert_str_eq(ent_config_endpoint(cfg, "scheduler", "RPC"), "ipc:///run/entretiens/scheduler");
    cr_assert_str_eq(ent_config_endpoint(cfg, "records", "HTTP"), "127.0.0.1:9999");
    /* the neighbours keep their defaults */
    cr_assert_str_eq(ent_config_endpoint(cfg, "scheduler", "PUB"), "tcp://127.0.0.1:7101");
    ent_config_destroy(&cfg);
}

Test(config, extra_variables_are_readable_and_flaggable)
{
    s_clean_env();
    ent_config_t *cfg = ent_config_new("scheduler", "interview scheduler", s_extra, 2);
    cr_assert_not_null(cfg);
    int first;
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_SLOT_MINUTES"), "45");
    cr_assert_null(ent_config_get(cfg, "ENTRETIENS_ROOM"));

    setenv("ENTRETIENS_ROOM", "B-204", 1);
    cr_assert_eq(LOAD(cfg, &first, "--slot-minutes", "30"), 0);
    cr_assert_eq(first, 3, "--slot-minutes is a known flag, not left to the caller");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_SLOT_MINUTES"), "30");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_ROOM"), "B-204");
    bool ok = false;
    cr_assert_eq(ent_config_get_int(cfg, "ENTRETIENS_SLOT_MINUTES", 0, &ok), 30);
    cr_assert(ok);
    /* the common variables are still there */
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "./var");
    ent_config_destroy(&cfg);
}

Test(config, destroy_is_safe_on_null)
{
    ent_config_destroy(NULL);
    ent_config_t *cfg = NULL;
    ent_config_destroy(&cfg);
    cr_assert_null(cfg);
}

/* Writes text to a fresh file and returns its path (static storage). */
static const char *s_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ent-config-test-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(config, file_ranks_below_environment_and_flags)
{
    ent_config_t *cfg = s_new();
    const char *path = s_file("# saved defaults\n\n  ENTRETIENS_DATA_DIR = /srv/ent  \nENTRETIENS_LOG_LEVEL=debug\n"
                              "ENTRETIENS_RPC_TIMEOUT_MS=900\n");
    setenv("ENTRETIENS_LOG_LEVEL", "warn", 1);
    int first;
    char err[256];
    cr_assert_eq(LOAD(cfg, &first, "--rpc-timeout-ms", "100"), 0);
    cr_assert_eq(ent_config_load_file(cfg, path, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/srv/ent", "trimmed, from the file");
    cr_assert_str_eq(ent_config_source(cfg, "ENTRETIENS_DATA_DIR"), "file");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_LOG_LEVEL"), "warn", "the environment wins");
    cr_assert_str_eq(ent_config_source(cfg, "ENTRETIENS_LOG_LEVEL"), "environment");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_RPC_TIMEOUT_MS"), "100", "the flag wins");
    cr_assert_str_eq(ent_config_source(cfg, "ENTRETIENS_RPC_TIMEOUT_MS"), "flag");
    cr_assert_str_eq(ent_config_source(cfg, "ENTRETIENS_NOSYNC"), "default");
    cr_assert_str_eq(ent_config_source(cfg, "ENTRETIENS_NOW"), "unset");
    unlink(path);
    ent_config_destroy(&cfg);
    unsetenv("ENTRETIENS_LOG_LEVEL");
}

Test(config, a_bad_file_changes_nothing_and_says_the_line)
{
    ent_config_t *cfg = s_new();
    int first;
    char err[256];
    cr_assert_eq(LOAD(cfg, &first, NULL), 0);
    const char *good = s_file("ENTRETIENS_DATA_DIR=/a\n");
    cr_assert_eq(ent_config_load_file(cfg, good, err, sizeof err), 0);
    unlink(good);
    const char *unknown = s_file("ENTRETIENS_DATA_DIR=/b\nENTRETIENS_NOPE=1\n");
    cr_assert_eq(ent_config_load_file(cfg, unknown, err, sizeof err), -1);
    cr_assert(strstr(err, ":2: unknown setting 'ENTRETIENS_NOPE'"), "%s", err);
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/a", "all or nothing");
    unlink(unknown);
    const char *noeq = s_file("ENTRETIENS_DATA_DIR\n");
    cr_assert_eq(ent_config_load_file(cfg, noeq, err, sizeof err), -1);
    cr_assert(strstr(err, ":1: expected NAME=VALUE"), "%s", err);
    unlink(noeq);
    cr_assert_eq(ent_config_load_file(cfg, "/nonexistent/ent.conf", err, sizeof err), 1, "absent: nothing to load");
    cr_assert_str_eq(ent_config_get(cfg, "ENTRETIENS_DATA_DIR"), "/a");
    ent_config_destroy(&cfg);
}
