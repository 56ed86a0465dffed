/*  entretiens-analytics — completion, compliance, training needs, signals. */
#include "common/daemon.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "scheduler", "records", NULL };
    const ent_daemon_spec_t spec = {
        .name = "analytics",
        .summary = "Maintains the aggregates HR directors query: completion, compliance, needs, signals.",
        .max_dbs = 16,
        .schema_version = 1,
        .publishes = false,
        .consumes = consumes,
    };
    return ent_daemon_main(&spec, argc, argv, NULL, NULL);
}
