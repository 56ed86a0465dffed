/*  entretiens-analytics — completion, compliance, needs and signals, from
 *  the scheduler's and records' events (analytics.h, docs/analytics.md). */
#include "analytics.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "scheduler", "records", NULL };
    const ent_daemon_spec_t spec = {
        .name = "analytics",
        .summary = "Maintains the aggregates HR directors query: completion, compliance, needs, signals.",
        .vars = an_config_vars,
        .n_vars = an_n_config_vars,
        .max_dbs = AN_MAX_DBS,
        .schema_version = AN_SCHEMA_VERSION,
        .migrate = an_migrate,
        .publishes = false,
        .consumes = consumes,
        .projection = true,
    };
    static analytics_t a;
    int rc = ent_daemon_main(&spec, argc, argv, an_setup, &a);
    an_close(&a);
    return rc;
}
