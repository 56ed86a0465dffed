/*  args.c — argument parsing and call helpers shared by the commands (args.h). */
#include "args.h"
#include "common/event_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ctl_usage(const char *usage)
{
    fprintf(stderr, "usage: entretiensctl %s\n(entretiensctl COMMAND --help for details)\n", usage);
    return CTL_USAGE;
}

int ctl_bad(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "entretiensctl: %s: ", cmd);
    ent_fputs_clean(msg, stderr);
    fputc('\n', stderr);
    return CTL_USAGE;
}

int ctl_args_parse(const char *cmd, const char *usage, int argc, char **argv, int first, const ctl_opt_t *opts,
                   size_t nopts, const char **pos, int maxpos, int *npos)
{
    int np = 0;
    bool only_pos = false;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (np >= maxpos) {
                ctl_bad(cmd, "unexpected argument '%s'", a);
                return ctl_usage(usage);
            }
            if (!ent_utf8_valid(a))
                return ctl_bad(cmd, "argument '%s' is not valid UTF-8", a);
            pos[np++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t) (eq - a) : strlen(a);
        const ctl_opt_t *o = NULL;
        for (size_t k = 0; k < nopts; k++)
            if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, a, nlen) == 0)
                o = &opts[k];
        if (!o) {
            ctl_bad(cmd, "unknown option '%.*s'", (int) nlen, a);
            return ctl_usage(usage);
        }
        if (o->flag) {
            if (eq)
                return ctl_bad(cmd, "%s takes no value", o->name);
            *o->flag = true;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            ctl_bad(cmd, "%s needs a value", o->name);
            return ctl_usage(usage);
        }
        if (!ent_utf8_valid(v))
            return ctl_bad(cmd, "the value of %s is not valid UTF-8", o->name);
        if (o->many) {
            if (*o->nmany >= 64)
                return ctl_bad(cmd, "%s given too many times", o->name);
            o->many[(*o->nmany)++] = v;
            continue;
        }
        if (*o->value)
            return ctl_bad(cmd, "%s given twice", o->name);
        *o->value = v;
    }
    if (npos)
        *npos = np;
    else if (np)
        return ctl_usage(usage);
    return 0;
}

void *ctl_call_unpack(ctl_t *ctl, const char *daemon, const char *method, const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *desc)
{
    ent_rpc_result_t r;
    if (ctl_call(ctl, daemon, method, req, &r) != 0)
        return NULL;
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!m)
        fprintf(stderr, "entretiensctl: %s %s: the reply is not a %s\n", daemon, method, desc->name);
    return m;
}
