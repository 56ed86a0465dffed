/*  config.h — configuration from the environment, overridden by flags.
 *
 *  Every setting is an environment variable (12-factor).  Each variable
 *  ENTRETIENS_FOO_BAR can also be given as the flag --foo-bar=VALUE (or
 *  --foo-bar VALUE), which wins over the environment.  --help prints every
 *  variable with its default and meaning; --version prints
 *  "<program> <version> (<revision>)" (version.h).
 *
 *  The shared contract (docs/operations.md): ENTRETIENS_DATA_DIR, and for
 *  each of SCHEDULER, RECORDS, NOTIFIER, ANALYTICS the endpoints
 *  ENTRETIENS_<NAME>_RPC, ENTRETIENS_<NAME>_PUB (ZeroMQ) and
 *  ENTRETIENS_<NAME>_HTTP (host:port); ENTRETIENS_NOW pins the clock;
 *  ENTRETIENS_KEYS_DIR and ENTRETIENS_INSECURE (keys.h, zap.h).
 */
#ifndef ENT_CONFIG_H
#define ENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *env;   /* "ENTRETIENS_DATA_DIR" */
    const char *def;   /* default value, NULL = unset */
    const char *help;  /* one line */
} ent_config_var_t;

typedef struct ent_config ent_config_t;

/* The variables every program shares (data dir, the twelve endpoints, the
 * clock, the log level, store tuning); *n receives their number. */
const ent_config_var_t *ent_config_common_vars(size_t *n);

/* Creates a configuration from the common variables plus extra (may be
 * NULL / 0).  Returns NULL only when out of memory. */
ent_config_t *ent_config_new(const char *program, const char *summary,
                             const ent_config_var_t *extra, size_t n_extra);

/* Reads the environment, then argv flags from argv[1] on.  Parsing stops at
 * the first argument that is not a known configuration flag (a command, a
 * positional argument, a program-specific option): *first_arg is its index
 * (argc when none) and the caller handles the rest.  Returns:
 *   0  loaded;
 *   1  --help or --version was given (before the stop) and printed to
 *      stdout: exit 0;
 *  -1  a configuration flag without its value (reason printed on stderr). */
int ent_config_load(ent_config_t *cfg, int argc, char **argv, int *first_arg);

/* Value of a variable (flag, else environment, else default), or NULL when
 * unset.  The pointer lives as long as cfg.  A name that is not in the
 * table is read from the environment (getenv; valid until setenv): test
 * peers use endpoints of daemon names the table does not list. */
const char *ent_config_get(const ent_config_t *cfg, const char *env);

/* Integer value; returns def when unset; -1 with *ok=false when malformed. */
int64_t ent_config_get_int(const ent_config_t *cfg, const char *env, int64_t def, bool *ok);

/* Endpoint of a daemon: kind is "RPC", "PUB" or "HTTP", daemon is
 * "scheduler" ... ; returns the configured value or its default. */
const char *ent_config_endpoint(const ent_config_t *cfg, const char *daemon, const char *kind);

/* The keys directory: ENTRETIENS_KEYS_DIR, else <ENTRETIENS_DATA_DIR>/keys
 * (written into buf, which is returned). */
const char *ent_config_keys_dir(const ent_config_t *cfg, char *buf, size_t size);

/* Prints the help text to stdout. */
void ent_config_print_help(const ent_config_t *cfg);

/* Prints the help lines of the n variables named in envs only (a program
 * that reads a few of the shared settings lists just those); names not in
 * the table are skipped. */
void ent_config_print_vars(const ent_config_t *cfg, const char *const *envs, size_t n);

/* Where the value of env comes from: "flag", "environment", "file",
 * "default" or "unset" (a static string). */
const char *ent_config_source(const ent_config_t *cfg, const char *env);

/* True when env is one of cfg's variables. */
bool ent_config_known(const ent_config_t *cfg, const char *env);

/* Reads settings from a file of NAME=VALUE lines (blank lines and lines
 * starting with # ignored; blanks around the name and the value trimmed; no
 * quoting).  File values rank below the environment and the flags, above
 * the defaults.  Call after ent_config_load.  Returns:
 *   0  loaded (replaces what an earlier file gave);
 *   1  the file does not exist (nothing changed);
 *  -1  unreadable, a line without '=', a name that is not a variable of
 *      cfg, a line over 4095 bytes, or out of memory: err says which, with
 *      the line number, and no setting changed. */
int ent_config_load_file(ent_config_t *cfg, const char *path, char *err, size_t errsz);

/* Frees cfg and sets *cfg_p to NULL.  Safe on NULL. */
void ent_config_destroy(ent_config_t **cfg_p);

#endif
