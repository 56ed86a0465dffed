/*  test_records_retention.c — retention phases and purge days
 *  (services/records/rec_retention.h): active while employed or before the
 *  departure day, archive from it, purged from departure + the content's
 *  period (not the day before); parts cut to the content's period;
 *  29 February; the options' bounds. */
#include "rec_retention.h"

#include "common/date.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int32_t d(const char *text)
{
    int32_t day = ENT_DATE_NONE;
    cr_assert_eq(ent_date_parse(text, &day), 0, "%s", text);
    return day;
}

static const rec_retention_t s_ret = { .years = { [REC_PART_CONTENT] = 5, [REC_PART_NOTES] = 2,
                                                  [REC_PART_PREPARATION] = 2 } };

Test(records_retention, phases_on_the_right_days)
{
    int32_t left = d("2021-03-10");
    cr_assert_eq(rec_retention_phase(&s_ret, ENT_DATE_NONE, d("2040-01-01")), REC_PHASE_ACTIVE);
    cr_assert_eq(rec_retention_phase(&s_ret, left, d("2021-03-09")), REC_PHASE_ACTIVE);
    cr_assert_eq(rec_retention_phase(&s_ret, left, d("2021-03-10")), REC_PHASE_ARCHIVE);
    cr_assert_eq(rec_retention_phase(&s_ret, left, d("2026-03-09")), REC_PHASE_ARCHIVE);
    cr_assert_eq(rec_retention_phase(&s_ret, left, d("2026-03-10")), REC_PHASE_PURGED);
    cr_assert_eq(rec_retention_purge_day(&s_ret, REC_PART_CONTENT, left), d("2026-03-10"));
    cr_assert_eq(rec_retention_purge_day(&s_ret, REC_PART_NOTES, left), d("2023-03-10"));
    cr_assert_eq(rec_retention_purge_day(&s_ret, REC_PART_PREPARATION, left), d("2023-03-10"));
    cr_assert_eq(rec_retention_purge_day(&s_ret, REC_PART_CONTENT, ENT_DATE_NONE), ENT_DATE_NONE);
    cr_assert_str_eq(rec_phase_name(REC_PHASE_ARCHIVE), "archive");
    cr_assert_str_eq(rec_part_name(REC_PART_NOTES), "notes");
}

Test(records_retention, a_part_never_outlives_the_content)
{
    rec_retention_t r = { .years = { [REC_PART_CONTENT] = 3, [REC_PART_NOTES] = 10, [REC_PART_PREPARATION] = 1 } };
    int32_t left = d("2020-06-30");
    cr_assert_eq(rec_retention_purge_day(&r, REC_PART_NOTES, left), d("2023-06-30"));
    cr_assert_eq(rec_retention_purge_day(&r, REC_PART_PREPARATION, left), d("2021-06-30"));
}

Test(records_retention, leap_day)
{
    /* 29 February plus whole years lands on 28 February (common/date.h) */
    cr_assert_eq(rec_retention_purge_day(&s_ret, REC_PART_CONTENT, d("2024-02-29")), d("2029-02-28"));
}

Test(records_retention, options_and_their_bounds)
{
    static const ent_config_var_t vars[] = {
        { "ENTRETIENS_RETENTION_CONTENT_YEARS", "5", "" },
        { "ENTRETIENS_RETENTION_NOTES_YEARS", "2", "" },
        { "ENTRETIENS_RETENTION_PREPARATION_YEARS", "2", "" },
    };
    char err[256];
    rec_retention_t r;
    ent_config_t *cfg = ent_config_new("test", "test", vars, 3);
    cr_assert_not_null(cfg);
    char *argv[] = { "test", NULL };
    int first = 0;
    unsetenv("ENTRETIENS_RETENTION_NOTES_YEARS");
    cr_assert_eq(ent_config_load(cfg, 1, argv, &first), 0);
    cr_assert_eq(rec_retention_load(cfg, &r, err, sizeof err), 0, "%s", err);
    cr_assert_eq(r.years[REC_PART_CONTENT], 5);
    cr_assert_eq(r.years[REC_PART_NOTES], 2);
    ent_config_destroy(&cfg);
    setenv("ENTRETIENS_RETENTION_NOTES_YEARS", "0", 1);
    cfg = ent_config_new("test", "test", vars, 3);
    cr_assert_eq(ent_config_load(cfg, 1, argv, &first), 0);
    cr_assert_neq(rec_retention_load(cfg, &r, err, sizeof err), 0);
    cr_assert(strstr(err, "ENTRETIENS_RETENTION_NOTES_YEARS"), "%s", err);
    ent_config_destroy(&cfg);
    unsetenv("ENTRETIENS_RETENTION_NOTES_YEARS");
}
