/*  entretiens-notifier — reminders and escalations by e-mail and webhook. */
#include "common/daemon.h"

int main(int argc, char **argv)
{
    static const char *const consumes[] = { "scheduler", "records", NULL };
    const ent_daemon_spec_t spec = {
        .name = "notifier",
        .summary = "Sends reminders, invitations and escalations, exactly when planned, never twice.",
        .max_dbs = 16,
        .schema_version = 1,
        .publishes = true,
        .consumes = consumes,
    };
    return ent_daemon_main(&spec, argc, argv, NULL, NULL);
}
