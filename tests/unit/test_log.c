/*  Unit tests of common/log: one valid JSON object per line on stderr. */
#include "common/log.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *s_last_line(void)
{
    fflush(stderr);
    FILE *f = cr_get_redirected_stderr();
    char buf[8192], last[8192] = "";
    while (fgets(buf, sizeof buf, f))
        snprintf(last, sizeof last, "%s", buf);
    json_error_t err;
    json_t *o = json_loads(last, 0, &err);
    cr_assert_not_null(o, "not JSON: %s (%s)", last, err.text);
    return o;
}

Test(log, writes_one_json_object_with_the_fields, .init = cr_redirect_stderr)
{
    ent_log_init("scheduler", ENT_LOG_INFO);
    ent_log_warn("rpc.malformed", "bad \"frame\" of %d bytes\nsecond line", 12);
    json_t *o = s_last_line();
    cr_expect_str_eq(json_string_value(json_object_get(o, "level")), "warn");
    cr_expect_str_eq(json_string_value(json_object_get(o, "service")), "scheduler");
    cr_expect_str_eq(json_string_value(json_object_get(o, "event")), "rpc.malformed");
    cr_expect_str_eq(json_string_value(json_object_get(o, "msg")), "bad \"frame\" of 12 bytes\nsecond line");
    const char *ts = json_string_value(json_object_get(o, "ts"));
    cr_expect(ts && strlen(ts) == 24 && ts[10] == 'T' && ts[23] == 'Z', "timestamp %s", ts ? ts : "(none)");
    json_decref(o);
}

Test(log, drops_lines_below_the_level_and_survives_bad_utf8, .init = cr_redirect_stderr)
{
    ent_log_init("records", ENT_LOG_WARN);
    ent_log_info("quiet", "not written");
    ent_log_error("loud", "bytes \xff\xfe from input");
    json_t *o = s_last_line();
    cr_expect_str_eq(json_string_value(json_object_get(o, "event")), "loud");
    cr_expect(strstr(json_string_value(json_object_get(o, "msg")), "UTF-8") != NULL);
    json_decref(o);
}

Test(log, level_names)
{
    ent_log_level_t l;
    cr_expect_eq(ent_log_level_parse("debug", &l), 0);
    cr_expect_eq(l, ENT_LOG_DEBUG);
    cr_expect_eq(ent_log_level_parse("error", &l), 0);
    cr_expect_eq(l, ENT_LOG_ERROR);
    cr_expect_eq(ent_log_level_parse("verbose", &l), -1);
    cr_expect_eq(ent_log_level_parse(NULL, &l), -1);
}

Test(log, enabled_follows_the_level)
{
    ent_log_init("scheduler", ENT_LOG_WARN);
    cr_expect(!ent_log_enabled(ENT_LOG_DEBUG));
    cr_expect(!ent_log_enabled(ENT_LOG_INFO));
    cr_expect(ent_log_enabled(ENT_LOG_WARN));
    cr_expect(ent_log_enabled(ENT_LOG_ERROR));
    ent_log_init("scheduler", ENT_LOG_DEBUG);
    cr_expect(ent_log_enabled(ENT_LOG_DEBUG));
}

/* trace ids: valid, all different, in another thread and in a forked
 * child too (which must not repeat its parent's stream) */
static void *s_trace_thread(void *arg)
{
    ent_trace_new(arg);
    return NULL;
}

Test(log, trace_ids_are_valid_and_never_repeat)
{
    enum { N = 2000 };
    static char ids[N + 2][33];
    for (int i = 0; i < N; i++) {
        ent_trace_new(ids[i]);
        cr_assert(ent_trace_valid(ids[i]), "invalid trace id %s", ids[i]);
    }
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, s_trace_thread, ids[N]), 0);
    pthread_join(t, NULL);
    cr_assert(ent_trace_valid(ids[N]));
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char child[33];
        ent_trace_new(child);
        _exit(write(fds[1], child, sizeof child) == (ssize_t) sizeof child ? 0 : 1);
    }
    close(fds[1]);
    cr_assert_eq(read(fds[0], ids[N + 1], 33), 33);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(ent_trace_valid(ids[N + 1]), "the child's id %s", ids[N + 1]);
    char next[33];
    ent_trace_new(next); /* what the parent's stream gives after the fork */
    int same = 0;
    for (int i = 0; i < N + 2; i++) {
        same += strcmp(ids[i], next) == 0;
        for (int j = i + 1; j < N + 2; j++)
            same += strcmp(ids[i], ids[j]) == 0;
    }
    cr_expect_eq(same, 0, "%d trace ids repeat (the child's: %s, the parent's next: %s)", same, ids[N + 1], next);
}
