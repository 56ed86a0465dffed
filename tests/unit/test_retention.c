/*  test_retention.c — the cutoffs the retention sweeps share
 *  (common/retention.h): kept through the day before departure + N years
 *  and gone on that day; nothing goes while employed; 29 February; dead
 *  letters kept N whole days and gone once more have passed; the options'
 *  bounds and the refusal naming the variable. */
#include "common/retention.h"

#include "common/date.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

static int32_t d(const char *text)
{
    int32_t day = ENT_DATE_NONE;
    cr_assert_eq(ent_date_parse(text, &day), 0, "%s", text);
    return day;
}

Test(retention, departed_on_the_day_not_the_day_before)
{
    int32_t left = d("2020-03-10");
    cr_assert_eq(ent_retention_purge_day(left, 2), d("2022-03-10"));
    cr_assert_not(ent_retention_departed_due(left, 2, d("2022-03-09")));
    cr_assert(ent_retention_departed_due(left, 2, d("2022-03-10")));
    cr_assert(ent_retention_departed_due(left, 2, d("2030-01-01")));
    cr_assert_not(ent_retention_departed_due(left, 5, d("2025-03-09")));
    cr_assert(ent_retention_departed_due(left, 5, d("2025-03-10")));
}

Test(retention, nothing_goes_while_employed_or_without_a_period)
{
    cr_assert_eq(ent_retention_purge_day(ENT_DATE_NONE, 2), ENT_DATE_NONE);
    cr_assert_not(ent_retention_departed_due(ENT_DATE_NONE, 2, d("2100-01-01")));
    cr_assert_not(ent_retention_departed_due(d("2000-01-01"), 0, d("2100-01-01")));
    cr_assert_not(ent_retention_departed_due(d("2000-01-01"), 2, ENT_DATE_NONE));
}

Test(retention, leap_day)
{
    cr_assert_eq(ent_retention_purge_day(d("2024-02-29"), 2), d("2026-02-28"));
    cr_assert_eq(ent_retention_purge_day(d("2024-02-29"), 4), d("2028-02-29"));
}

Test(retention, days_after_an_instant)
{
    int64_t at = 1700000000000LL;
    cr_assert_not(ent_retention_expired(at, at + 365 * DAY_MS - 1, 365));
    cr_assert_not(ent_retention_expired(at, at + 365 * DAY_MS, 365), "exactly the period: kept");
    cr_assert(ent_retention_expired(at, at + 365 * DAY_MS + 1, 365));
    cr_assert(ent_retention_expired(at, at + 366 * DAY_MS, 365));
    cr_assert_not(ent_retention_expired(at, at - DAY_MS, 1), "a time in the future");
    cr_assert_not(ent_retention_expired(at, at + 1000 * DAY_MS, 0), "no period");
}

Test(retention, options_and_their_bounds)
{
    static const ent_config_var_t vars[] = { { "ENTRETIENS_RETENTION_TEST_YEARS", "2", "" } };
    char *argv[] = { "test", NULL };
    char err[256];
    int first = 0;
    int64_t v = -1;
    unsetenv("ENTRETIENS_RETENTION_TEST_YEARS");
    ent_config_t *cfg = ent_config_new("test", "test", vars, 1);
    cr_assert_not_null(cfg);
    cr_assert_eq(ent_config_load(cfg, 1, argv, &first), 0);
    cr_assert_eq(ent_retention_option(cfg, "ENTRETIENS_RETENTION_TEST_YEARS", "years", 1, 100, &v, err, sizeof err), 0);
    cr_assert_eq(v, 2, "the table's default");
    ent_config_destroy(&cfg);
    const char *bad[] = { "0", "101", "two", "-3" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("ENTRETIENS_RETENTION_TEST_YEARS", bad[i], 1);
        cfg = ent_config_new("test", "test", vars, 1);
        cr_assert_eq(ent_config_load(cfg, 1, argv, &first), 0);
        err[0] = '\0';
        cr_assert_neq(ent_retention_option(cfg, "ENTRETIENS_RETENTION_TEST_YEARS", "years", 1, 100, &v, err, sizeof err),
                      0, "%s accepted", bad[i]);
        cr_assert(strstr(err, "ENTRETIENS_RETENTION_TEST_YEARS") && strstr(err, "1 to 100"), "%s", err);
        ent_config_destroy(&cfg);
    }
    setenv("ENTRETIENS_RETENTION_TEST_YEARS", "100", 1);
    cfg = ent_config_new("test", "test", vars, 1);
    cr_assert_eq(ent_config_load(cfg, 1, argv, &first), 0);
    cr_assert_eq(ent_retention_option(cfg, "ENTRETIENS_RETENTION_TEST_YEARS", "years", 1, 100, &v, err, sizeof err), 0);
    cr_assert_eq(v, 100);
    ent_config_destroy(&cfg);
    unsetenv("ENTRETIENS_RETENTION_TEST_YEARS");
}
