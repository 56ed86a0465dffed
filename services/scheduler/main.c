/*  entretiens-scheduler — HR lifecycle events in, interview deadlines out. */
#include "scheduler.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "records", NULL };
    const ent_daemon_spec_t spec = {
        .name = "scheduler",
        .summary = "Computes every interview each employee is owed, and when, from HR lifecycle events.",
        .vars = sched_config_vars,
        .n_vars = sched_n_config_vars,
        .max_dbs = 16,
        .schema_version = SCHED_SCHEMA_VERSION,
        .migrate = sched_migrate,
        .publishes = true,
        .consumes = consumes,
    };
    static scheduler_t s;
    int rc = ent_daemon_main(&spec, argc, argv, sched_setup, &s);
    sched_teardown(&s);
    return rc;
}
