/*  entretiens-records — interviews, templates, answers, signatures, audit trail. */
#include "records.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "scheduler", NULL };
    const ent_daemon_spec_t spec = {
        .name = "records",
        .summary = "Keeps every interview: templates, answers, decisions, signatures and a tamper-evident trail.",
        .vars = rec_config_vars,
        .n_vars = rec_n_config_vars,
        .max_dbs = 20,
        .schema_version = 1,
        .publishes = true,
        .consumes = consumes,
    };
    static records_t r;
    return ent_daemon_main(&spec, argc, argv, rec_setup, &r);
}
