/*  cmd_config.c — entretiensctl config path | show | set NAME VALUE | unset NAME:
 *  the operator's saved defaults (the principal for --as, the client key,
 *  the endpoints, the language) in a file of NAME=VALUE lines, so that they
 *  are not retyped on every command.
 *
 *  The file ranks below the environment and the flags (config.h): a script
 *  that sets ENTRETIENS_AS or passes --as is never overridden by it.  It
 *  holds names and paths, never a secret key (the client key is a name or
 *  the path of a .secret file); it is still written 0600 in a 0700 folder,
 *  as it says who the operator acts as.
 */
#include "ctl.h"
#include "common/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The settings the CLI reads, in the order --help and `config show` list
 * them; all but the last may be saved in the file. */
static const char *const s_settings[] = {
    "ENTRETIENS_AS",           "ENTRETIENS_CLIENT_KEY",   "ENTRETIENS_KEYS_DIR",       "ENTRETIENS_DATA_DIR",
    "ENTRETIENS_LANG",         "ENTRETIENS_RPC_TIMEOUT_MS", "ENTRETIENS_INSECURE",     "ENTRETIENS_SCHEDULER_RPC",
    "ENTRETIENS_RECORDS_RPC",  "ENTRETIENS_NOTIFIER_RPC", "ENTRETIENS_ANALYTICS_RPC", "ENTRETIENS_GATEWAY_RPC",
    "ENTRETIENS_CTL_CONFIG",
};
#define N_SETTINGS (sizeof s_settings / sizeof s_settings[0])
#define N_SAVABLE (N_SETTINGS - 1)

const char *const *ctl_config_settings(size_t *n)
{
    *n = N_SETTINGS;
    return s_settings;
}

const char *ctl_config_path(const ent_config_t *cfg, char *buf, size_t size)
{
    const char *p = ent_config_get(cfg, "ENTRETIENS_CTL_CONFIG");
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (p && *p)
        snprintf(buf, size, "%s", p);
    else if (xdg && *xdg == '/')
        snprintf(buf, size, "%s/entretiens/entretiensctl.conf", xdg);
    else if (home && *home)
        snprintf(buf, size, "%s/.config/entretiens/entretiensctl.conf", home);
    else
        return NULL;
    return buf;
}

/* "as", "client-key", "ENTRETIENS_AS" -> "ENTRETIENS_AS" when it is a
 * savable setting; NULL otherwise. */
static const char *s_setting(const char *name)
{
    char env[96];
    size_t j = 0;
    if (strncmp(name, "ENTRETIENS_", 11) != 0)
        j = (size_t) snprintf(env, sizeof env, "ENTRETIENS_");
    for (const char *p = name; *p && j + 1 < sizeof env; p++)
        env[j++] = *p == '-' ? '_' : (char) toupper((unsigned char) *p);
    env[j] = '\0';
    for (size_t i = 0; i < N_SAVABLE; i++)
        if (strcmp(s_settings[i], env) == 0)
            return s_settings[i];
    return NULL;
}

/* The folder of path, created 0700 with its parents (it says who the
 * operator acts as).  Returns 0 or -1 (errno set). */
static int s_mkdirs(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    int rc = ent_mkdirs(dir, 0700);
    if (rc)
        errno = rc;
    return rc ? -1 : 0;
}

/* Rewrites the file with NAME's line replaced by NAME=value (value NULL:
 * removed), other lines and comments kept; written to a temporary file,
 * synced, then renamed over, so a crash leaves the old file or the new one.
 * Returns 0, or -1 (said). */
static int s_rewrite(const char *path, const char *name, const char *value)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (s_mkdirs(path) != 0) {
        fprintf(stderr, "entretiensctl: config: cannot create the folder of %s: %s\n", path, strerror(errno));
        return -1;
    }
    FILE *in = fopen(path, "r");
    if (!in && errno != ENOENT) {
        fprintf(stderr, "entretiensctl: config: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out) {
        fprintf(stderr, "entretiensctl: config: %s: %s\n", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (in)
            fclose(in);
        return -1;
    }
    char line[4096];
    size_t nlen = strlen(name);
    bool written = false;
    while (in && fgets(line, sizeof line, in)) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, name, nlen) == 0 && (p[nlen] == '=' || p[nlen] == ' ' || p[nlen] == '\t')) {
            if (value && !written)
                fprintf(out, "%s=%s\n", name, value);
            written = true;
            continue;
        }
        fputs(line, out);
    }
    if (value && !written)
        fprintf(out, "%s=%s\n", name, value);
    bool ok = !(in && ferror(in));
    if (in)
        fclose(in);
    ok = fflush(out) == 0 && fsync(fileno(out)) == 0 && ok;
    ok = fclose(out) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "entretiensctl: config: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int s_show(ctl_t *ctl, const char *path)
{
    if (ctl->json) {
        json_t *settings = json_array(), *root = json_pack("{s:s?, s:o}", "file", path, "settings", settings);
        for (size_t i = 0; i < N_SETTINGS; i++) {
            const char *v = ent_config_get(ctl->cfg, s_settings[i]);
            json_array_append_new(settings, json_pack("{s:s, s:s?, s:s}", "name", s_settings[i], "value", v,
                                                      "source", ent_config_source(ctl->cfg, s_settings[i])));
        }
        ctl_print_json(root);
        return CTL_OK;
    }
    printf("file: %s\n", path ? path : "(none: no HOME)");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *v = ent_config_get(ctl->cfg, s_settings[i]);
        printf("  %-26s %-40s (%s)\n", s_settings[i], v ? v : "-", ent_config_source(ctl->cfg, s_settings[i]));
    }
    return CTL_OK;
}

int ctl_cmd_config(ctl_t *ctl, int argc, char **argv)
{
    char buf[4096];
    const char *path = ctl_config_path(ctl->cfg, buf, sizeof buf);
    if (argc == 2 && strcmp(argv[1], "path") == 0) {
        if (!path) {
            fprintf(stderr, "entretiensctl: config: no file (set HOME or ENTRETIENS_CTL_CONFIG)\n");
            return CTL_FAILED;
        }
        printf("%s\n", path);
        return CTL_OK;
    }
    if (argc == 2 && strcmp(argv[1], "show") == 0)
        return s_show(ctl, path);
    bool set = argc == 4 && strcmp(argv[1], "set") == 0, unset = argc == 3 && strcmp(argv[1], "unset") == 0;
    if (!set && !unset) {
        fprintf(stderr, "usage: entretiensctl %s\n", CTL_CONFIG_USAGE);
        return CTL_USAGE;
    }
    const char *name = s_setting(argv[2]);
    if (!name) {
        fprintf(stderr, "entretiensctl: config: '%s' is not a setting the file may hold (see `config show`)\n",
                argv[2]);
        return CTL_USAGE;
    }
    const char *value = set ? argv[3] : NULL;
    if (value && (strchr(value, '\n') || strchr(value, '\r'))) {
        fprintf(stderr, "entretiensctl: config: %s: a value is one line\n", name);
        return CTL_USAGE;
    }
    if (!path) {
        fprintf(stderr, "entretiensctl: config: no file (set HOME or ENTRETIENS_CTL_CONFIG)\n");
        return CTL_FAILED;
    }
    if (s_rewrite(path, name, value) != 0)
        return CTL_FAILED;
    if (!ctl->json)
        printf(set ? "%s=%s saved in %s\n" : "%s%s removed from %s\n", name, set ? value : "", path);
    else
        ctl_print_json(json_pack("{s:s, s:s?, s:s}", "name", name, "value", value, "file", path));
    return CTL_OK;
}

const char *ctl_config_details(const char *command)
{
    if (strcmp(command, "config") != 0)
        return NULL;
    return "  config path                  where the file is: ENTRETIENS_CTL_CONFIG, else\n"
           "                               $XDG_CONFIG_HOME/entretiens/entretiensctl.conf, else\n"
           "                               ~/.config/entretiens/entretiensctl.conf\n"
           "  config show                  every setting the CLI reads, its value and where it comes\n"
           "                               from (flag, environment, file, default)\n"
           "  config set NAME VALUE        save a default: NAME is a setting (ENTRETIENS_AS) or its\n"
           "                               flag name (as, client-key, lang, keys-dir, records-rpc ...)\n"
           "  config unset NAME            remove it from the file\n"
           "The file is NAME=VALUE lines (# comments); the environment and the flags win over it.\n"
           "Example: entretiensctl config set as hr:H0001   (then every command acts as hr:H0001)\n";
}
