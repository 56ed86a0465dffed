/*  Unit tests of common/log: one valid JSON object per line on stderr. */
#include "common/log.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
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
