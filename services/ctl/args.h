/*  args.h — what every entretiensctl command needs to read its arguments
 *  and call a daemon: option parsing, usage errors, call + unpack.
 */
#ifndef CTL_ARGS_H
#define CTL_ARGS_H

#include "ctl.h"

#include <stdbool.h>
#include <stddef.h>

/* One option: "--from" with a value, a flag, or a repeatable option. */
typedef struct {
    const char *name;     /* "--from" */
    const char **value;   /* takes one value (given twice is an error) */
    bool *flag;           /* or is a flag */
    const char **many;    /* or is repeatable: up to 64 values */
    size_t *nmany;
} ctl_opt_t;

#define CTL_OPT(n, v) { .name = (n), .value = (v) }
#define CTL_FLAG(n, f) { .name = (n), .flag = (f) }
#define CTL_MANY(n, a, c) { .name = (n), .many = (a), .nmany = (c) }

/* Prints "usage: entretiensctl <usage>" and a pointer to --help on stderr;
 * returns CTL_USAGE. */
int ctl_usage(const char *usage);

/* Prints "entretiensctl: <cmd>: <message>" on stderr (control characters
 * and invalid UTF-8 made harmless); returns CTL_USAGE. */
int ctl_bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads argv[first..] into the options and up to maxpos positional
 * arguments (after "--" everything is positional); every value must be
 * valid UTF-8.  npos may be NULL when no positional argument is allowed.
 * Returns 0, or CTL_USAGE after printing why (unknown option, missing
 * value, value given twice, too many arguments). */
int ctl_args_parse(const char *cmd, const char *usage, int argc, char **argv, int first, const ctl_opt_t *opts,
                   size_t nopts, const char **pos, int maxpos, int *npos);

/* Calls method on daemon and unpacks the reply as desc.  Returns the
 * message (free with protobuf_c_message_free_unpacked(m, NULL)), or NULL
 * when the call failed or the reply was not a desc (both printed). */
void *ctl_call_unpack(ctl_t *ctl, const char *daemon, const char *method, const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *desc);

#endif
