/*  config.c — environment + flags configuration (see config.h). */
#include "common/config.h"

#include "common/version.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ent_config_var_t s_common[] = {
    { "ENTRETIENS_DATA_DIR", "./var", "root of the LMDB stores; each daemon uses <dir>/<daemon>/" },
    { "ENTRETIENS_SCHEDULER_RPC", "tcp://127.0.0.1:7100", "scheduler RPC endpoint (ZeroMQ ROUTER)" },
    { "ENTRETIENS_SCHEDULER_PUB", "tcp://127.0.0.1:7101", "scheduler event endpoint (ZeroMQ PUB)" },
    { "ENTRETIENS_SCHEDULER_HTTP", "127.0.0.1:7102", "scheduler /healthz /readyz /metrics" },
    { "ENTRETIENS_RECORDS_RPC", "tcp://127.0.0.1:7200", "records RPC endpoint" },
    { "ENTRETIENS_RECORDS_PUB", "tcp://127.0.0.1:7201", "records event endpoint" },
    { "ENTRETIENS_RECORDS_HTTP", "127.0.0.1:7202", "records /healthz /readyz /metrics" },
    { "ENTRETIENS_NOTIFIER_RPC", "tcp://127.0.0.1:7300", "notifier RPC endpoint" },
    { "ENTRETIENS_NOTIFIER_PUB", "tcp://127.0.0.1:7301", "notifier event endpoint" },
    { "ENTRETIENS_NOTIFIER_HTTP", "127.0.0.1:7302", "notifier /healthz /readyz /metrics" },
    { "ENTRETIENS_ANALYTICS_RPC", "tcp://127.0.0.1:7400", "analytics RPC endpoint" },
    { "ENTRETIENS_ANALYTICS_PUB", "tcp://127.0.0.1:7401", "analytics event endpoint (publishes nothing yet)" },
    { "ENTRETIENS_ANALYTICS_HTTP", "127.0.0.1:7402", "analytics /healthz /readyz /metrics" },
    { "ENTRETIENS_GATEWAY_HTTP", "127.0.0.1:7500", "gateway HTTP/JSON API (/api/v1)" },
    { "ENTRETIENS_GATEWAY_RPC", "tcp://127.0.0.1:7501", "gateway RPC endpoint (operators: users, API keys)" },
    { "ENTRETIENS_GATEWAY_OPS_HTTP", "127.0.0.1:7502", "gateway /healthz /readyz /metrics" },
    { "ENTRETIENS_NOW", NULL, "pin the clock (YYYY-MM-DD: that day in every region, or an ISO date-time: that instant); enables admin.clock.set" },
    { "ENTRETIENS_LOG_LEVEL", "info", "debug | info | warn | error" },
    { "ENTRETIENS_MAP_SIZE_MB", "1024", "initial LMDB map size in MiB (grows on demand)" },
    { "ENTRETIENS_NOSYNC", "0", "1 = do not fsync on commit (rebuildable stores only; never for ingest)" },
    { "ENTRETIENS_MALLOC_TUNABLES", "1", "1 = glibc's malloc set for catch-ups: huge pages, 32 MiB thresholds (GLIBC_TUNABLES; the daemon executes itself again once at start; nothing if GLIBC_TUNABLES is set); 0 = glibc's defaults" },
    { "ENTRETIENS_RPC_TIMEOUT_MS", "5000", "client-side RPC timeout" },
    { "ENTRETIENS_READY_MAX_LAG", "10000", "events a consumer may lag behind a producer and still be ready" },
    { "ENTRETIENS_KEYS_DIR", NULL, "CurveZMQ keys (NAME.pub records, own NAME.secret); default <data dir>/keys" },
    { "ENTRETIENS_INSECURE", "0", "1 = run without keys: no encryption, no authentication (never in production)" },
};

struct ent_config {
    char *program;
    char *summary;
    size_t n;
    ent_config_var_t *vars;
    char **flag_values;   /* from argv, owned */
    char **env_values;    /* from getenv, owned copies */
    char **file_values;   /* from ent_config_load_file, owned */
};

const ent_config_var_t *ent_config_common_vars(size_t *n)
{
    *n = sizeof s_common / sizeof s_common[0];
    return s_common;
}

ent_config_t *ent_config_new(const char *program, const char *summary,
                             const ent_config_var_t *extra, size_t n_extra)
{
    size_t n_common;
    const ent_config_var_t *common = ent_config_common_vars(&n_common);
    ent_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    cfg->n = n_common + n_extra;
    cfg->vars = calloc(cfg->n, sizeof *cfg->vars);
    cfg->flag_values = calloc(cfg->n, sizeof(char *));
    cfg->env_values = calloc(cfg->n, sizeof(char *));
    cfg->file_values = calloc(cfg->n, sizeof(char *));
    cfg->program = strdup(program ? program : "entretiens");
    cfg->summary = strdup(summary ? summary : "");
    if (!cfg->vars || !cfg->flag_values || !cfg->env_values || !cfg->file_values || !cfg->program || !cfg->summary)
        goto fail;
    memcpy(cfg->vars, common, n_common * sizeof *common);
    if (n_extra)
        memcpy(cfg->vars + n_common, extra, n_extra * sizeof *extra);
    return cfg;
fail:
    ent_config_destroy(&cfg);
    return NULL;
}

/* "ENTRETIENS_DATA_DIR" -> "data-dir" */
static void s_flag_name(const char *env, char *out, size_t size)
{
    const char *p = strncmp(env, "ENTRETIENS_", 11) == 0 ? env + 11 : env;
    size_t i = 0;
    for (; *p && i + 1 < size; p++, i++)
        out[i] = *p == '_' ? '-' : (char) tolower((unsigned char) *p);
    out[i] = '\0';
}

static int s_find_flag(const ent_config_t *cfg, const char *name, size_t len)
{
    char flag[128];
    for (size_t i = 0; i < cfg->n; i++) {
        s_flag_name(cfg->vars[i].env, flag, sizeof flag);
        if (strlen(flag) == len && strncmp(flag, name, len) == 0)
            return (int) i;
    }
    return -1;
}

int ent_config_load(ent_config_t *cfg, int argc, char **argv, int *first_arg)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const char *v = getenv(cfg->vars[i].env);
        free(cfg->env_values[i]);
        cfg->env_values[i] = v ? strdup(v) : NULL;
    }
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            ent_config_print_help(cfg);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            ent_version_print(stdout, cfg->program);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0)
            break;
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen(name);
        int idx = s_find_flag(cfg, name, len);
        if (idx < 0)
            break; /* not a configuration flag: left to the caller */
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: flag --%.*s needs a value\n", cfg->program, (int) len, name);
                return -1;
            }
            value = argv[++i];
        }
        free(cfg->flag_values[idx]);
        cfg->flag_values[idx] = strdup(value);
    }
    if (first_arg)
        *first_arg = i;
    return 0;
}

static int s_index(const ent_config_t *cfg, const char *env);

const char *ent_config_get(const ent_config_t *cfg, const char *env)
{
    int i = s_index(cfg, env);
    if (i < 0)
        return getenv(env);
    if (cfg->flag_values[i])
        return cfg->flag_values[i];
    if (cfg->env_values[i])
        return cfg->env_values[i];
    if (cfg->file_values[i])
        return cfg->file_values[i];
    return cfg->vars[i].def;
}

int64_t ent_config_get_int(const ent_config_t *cfg, const char *env, int64_t def, bool *ok)
{
    const char *v = ent_config_get(cfg, env);
    if (ok)
        *ok = true;
    if (!v || !*v)
        return def;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || *end) {
        if (ok)
            *ok = false;
        return -1;
    }
    return x;
}

const char *ent_config_endpoint(const ent_config_t *cfg, const char *daemon, const char *kind)
{
    char env[96];
    size_t j = (size_t) snprintf(env, sizeof env, "ENTRETIENS_");
    for (const char *p = daemon; *p && j + 1 < sizeof env; p++)
        env[j++] = (char) toupper((unsigned char) *p);
    snprintf(env + j, sizeof env - j, "_%s", kind);
    return ent_config_get(cfg, env);
}

static int s_index(const ent_config_t *cfg, const char *env)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->vars[i].env, env) == 0)
            return (int) i;
    return -1;
}

static void s_print_var(const ent_config_var_t *v)
{
    char flag[128];
    s_flag_name(v->env, flag, sizeof flag);
    printf("  %-28s --%-22s %s", v->env, flag, v->help);
    if (v->def)
        printf(" [default: %s]", v->def);
    printf("\n");
}

void ent_config_print_help(const ent_config_t *cfg)
{
    printf("usage: %s [--flag=value ...]\n%s\n\n", cfg->program, cfg->summary);
    printf("Every setting is an environment variable; the flag form overrides it.\n");
    printf("--version prints the version and the source revision.\n\n");
    for (size_t i = 0; i < cfg->n; i++)
        s_print_var(&cfg->vars[i]);
}

void ent_config_print_vars(const ent_config_t *cfg, const char *const *envs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int i = s_index(cfg, envs[k]);
        if (i >= 0)
            s_print_var(&cfg->vars[i]);
    }
}

const char *ent_config_source(const ent_config_t *cfg, const char *env)
{
    int i = s_index(cfg, env);
    if (i < 0)
        return getenv(env) ? "environment" : "unset";
    if (cfg->flag_values[i])
        return "flag";
    if (cfg->env_values[i])
        return "environment";
    if (cfg->file_values[i])
        return "file";
    return cfg->vars[i].def ? "default" : "unset";
}

bool ent_config_known(const ent_config_t *cfg, const char *env) { return s_index(cfg, env) >= 0; }

/* Strips the blanks around [*b, *e). */
static void s_trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char) **b))
        (*b)++;
    while (*e > *b && isspace((unsigned char) (*e)[-1]))
        (*e)--;
}

int ent_config_load_file(ent_config_t *cfg, const char *path, char *err, size_t errsz)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    char **values = calloc(cfg->n, sizeof *values);
    char line[4096];
    unsigned lineno = 0;
    int rc = -1;
    if (!values) {
        snprintf(err, errsz, "%s: out of memory", path);
        goto done;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(err, errsz, "%s:%u: line too long", path, lineno);
            goto done;
        }
        const char *b = line, *e = line + len;
        s_trim(&b, &e);
        if (b == e || *b == '#')
            continue;
        const char *eq = memchr(b, '=', (size_t) (e - b));
        if (!eq) {
            snprintf(err, errsz, "%s:%u: expected NAME=VALUE", path, lineno);
            goto done;
        }
        const char *nb = b, *ne = eq, *vb = eq + 1, *ve = e;
        s_trim(&nb, &ne);
        s_trim(&vb, &ve);
        int idx = -1;
        for (size_t i = 0; i < cfg->n; i++)
            if (strlen(cfg->vars[i].env) == (size_t) (ne - nb) && strncmp(cfg->vars[i].env, nb, (size_t) (ne - nb)) == 0)
                idx = (int) i;
        if (idx < 0) {
            snprintf(err, errsz, "%s:%u: unknown setting '%.*s'", path, lineno, (int) (ne - nb), nb);
            goto done;
        }
        free(values[idx]);
        values[idx] = strndup(vb, (size_t) (ve - vb));
        if (!values[idx]) {
            snprintf(err, errsz, "%s: out of memory", path);
            goto done;
        }
    }
    if (ferror(f)) {
        snprintf(err, errsz, "%s: read error", path);
        goto done;
    }
    /* all or nothing: a file with an error changes no setting */
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->file_values[i]);
        cfg->file_values[i] = values[i];
        values[i] = NULL;
    }
    rc = 0;
done:
    if (values)
        for (size_t i = 0; i < cfg->n; i++)
            free(values[i]);
    free(values);
    fclose(f);
    return rc;
}

void ent_config_destroy(ent_config_t **cfg_p)
{
    if (!cfg_p || !*cfg_p)
        return;
    ent_config_t *cfg = *cfg_p;
    for (size_t i = 0; i < cfg->n; i++) {
        if (cfg->flag_values)
            free(cfg->flag_values[i]);
        if (cfg->env_values)
            free(cfg->env_values[i]);
        if (cfg->file_values)
            free(cfg->file_values[i]);
    }
    free(cfg->flag_values);
    free(cfg->env_values);
    free(cfg->file_values);
    free(cfg->vars);
    free(cfg->program);
    free(cfg->summary);
    free(cfg);
    *cfg_p = NULL;
}

const char *ent_config_keys_dir(const ent_config_t *cfg, char *buf, size_t size)
{
    const char *dir = ent_config_get(cfg, "ENTRETIENS_KEYS_DIR");
    if (dir && *dir)
        snprintf(buf, size, "%s", dir);
    else
        snprintf(buf, size, "%s/keys", ent_config_get(cfg, "ENTRETIENS_DATA_DIR"));
    return buf;
}
