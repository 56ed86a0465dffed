/*  ctl.c — shared plumbing of entretiensctl (see ctl.h). */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ctl_daemon_names[CTL_DAEMONS] = { "scheduler", "records", "notifier", "analytics" };

ent_rpc_client_t *ctl_client(ctl_t *ctl, const char *daemon)
{
    for (int i = 0; i < CTL_DAEMONS; i++)
        if (strcmp(ctl_daemon_names[i], daemon) == 0) {
            if (!ctl->clients[i])
                ctl->clients[i] = ent_rpc_client_new(ctl->zctx, ent_config_endpoint(ctl->cfg, daemon, "RPC"),
                                                     ctl->timeout_ms);
            return ctl->clients[i];
        }
    return NULL;
}

int ctl_call(ctl_t *ctl, const char *daemon, const char *method, const ProtobufCMessage *msg,
             ent_rpc_result_t *out)
{
    ent_rpc_client_t *c = ctl_client(ctl, daemon);
    if (!c) {
        memset(out, 0, sizeof *out);
        fprintf(stderr, "entretiensctl: cannot reach %s\n", daemon);
        return -1;
    }
    ent_rpc_client_call_msg(c, method, ctl->as ? ctl->as : "", msg, out);
    if (out->code == ENT_OK)
        return 0;
    fprintf(stderr, "entretiensctl: %s %s: %s%s%s%s: %s\n", daemon, method, ent_code_name(out->code),
            out->field[0] ? " (field " : "", out->field, out->field[0] ? ")" : "", out->message);
    ent_rpc_result_clear(out);
    return -1;
}

void ctl_print_json(json_t *value)
{
    if (!value)
        return;
    char *s = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        printf("%s\n", s);
        free(s);
    }
    json_decref(value);
}
