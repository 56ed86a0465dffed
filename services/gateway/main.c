/*  entretiens-gateway — the HTTP/JSON API in front of the daemons
 *  (gateway.h, docs/gateway.md, docs/api.md). */
#include "gateway.h"

#include "common/log.h"

int main(int argc, char **argv)
{
    const ent_daemon_spec_t spec = {
        .name = "gateway",
        .summary = "Serves the HTTP/JSON API (/api/v1): sign-in, API keys, and the daemons' use cases for people "
                   "and machines.",
        .vars = gw_config_vars,
        .n_vars = gw_n_config_vars,
        .max_dbs = GW_MAX_DBS,
        .schema_version = GW_SCHEMA_VERSION,
        .migrate = gw_migrate,
        .publishes = false,
        /* the domain events its webhooks carry, and records' HR grants */
        .consumes = (const char *const[]) { "scheduler", "records", NULL },
        /* people are served whether or not the webhook feed lags */
        .ready_ignores_consumers = true,
        .http_kind = "OPS_HTTP",
    };
    static gw_t gw;
    ent_daemon_t *d = NULL;
    int rc = ent_daemon_new(&spec, argc, argv, &d);
    if (!d)
        return rc;
    /* not ent_daemon_main: the API's workers must stop (and close their
     * sockets) before the runtime terminates the ZeroMQ context */
    int src = gw_setup(d, &gw);
    if (src == 0 && ent_daemon_start(d) != 0)
        src = -1;
    if (src == 0)
        src = gw_api_start(&gw);
    if (src == 0)
        src = gw_hooks_start(&gw);
    if (src != 0) {
        ent_log_error("daemon.start", "gateway could not start");
        gw_stop(&gw);
        ent_daemon_destroy(&d);
        gw_close(&gw);
        return src == ENT_DAEMON_CONFIG_ERROR ? 2 : 1;
    }
    ent_daemon_run(d);
    gw_stop(&gw);
    ent_daemon_destroy(&d);
    gw_close(&gw);
    return 0;
}
