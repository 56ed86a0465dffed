/*  entretiens-notifier — reminders and escalations by e-mail and webhook,
 *  exactly when planned, never lost (notifier.h, docs/notifier.md). */
#include "notifier.h"

#include "common/log.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "scheduler", "records", NULL };
    const ent_daemon_spec_t spec = {
        .name = "notifier",
        .summary = "Sends reminders, invitations and escalations, exactly when planned, never twice.",
        .vars = ntf_config_vars,
        .n_vars = ntf_config_nvars,
        .max_dbs = 16,
        .schema_version = 1,
        .publishes = true,
        .consumes = consumes,
    };
    static notifier_t n;
    ent_daemon_t *d = NULL;
    int rc = ent_daemon_new(&spec, argc, argv, &d);
    if (!d)
        return rc;
    int src = ntf_setup(d, &n);
    if (src != 0 || ent_daemon_start(d) != 0) {
        ent_log_error("daemon.start", "notifier could not start");
        ntf_teardown(&n);
        ent_daemon_destroy(&d);
        return src == ENT_DAEMON_CONFIG_ERROR ? 2 : 1;
    }
    ent_daemon_run(d);
    /* the loop has stopped: let running sends finish and record them */
    ntf_drain(&n);
    ntf_teardown(&n);
    ent_daemon_destroy(&d);
    return 0;
}
