/*  entretiens-records — interviews, templates, answers, signatures, audit trail. */
#include "records.h"

#include "common/log.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "scheduler", NULL };
    const ent_daemon_spec_t spec = {
        .name = "records",
        .summary = "Keeps every interview: templates, answers, decisions, signatures and a tamper-evident trail.",
        .vars = rec_config_vars,
        .n_vars = rec_n_config_vars,
        .max_dbs = 24,
        .schema_version = REC_SCHEMA_VERSION,
        .migrate = rec_migrate,
        .publishes = true,
        .consumes = consumes,
    };
    static records_t r;
    ent_daemon_t *d = NULL;
    int rc = ent_daemon_new(&spec, argc, argv, &d);
    if (!d)
        return rc;
    int src = rec_setup(d, &r);
    if (src != 0 || ent_daemon_start(d) != 0) {
        ent_log_error("daemon.start", "records could not start");
        rec_teardown(&r);
        ent_daemon_destroy(&d);
        return src == ENT_DAEMON_CONFIG_ERROR ? 2 : 1;
    }
    ent_daemon_run(d);
    rec_teardown(&r);
    ent_daemon_destroy(&d);
    return 0;
}
