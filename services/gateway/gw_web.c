/*  gw_web.c — static files of the web application (gw_web.h).  The
 *  directory is opened once; every file is opened relative to it, after
 *  the path was checked segment by segment, walking one directory at a
 *  time without following any symbolic link: a request cannot name a file
 *  outside it.
 */
#include "gw_web.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ENT_WEB_BUILD_DIR
#define ENT_WEB_BUILD_DIR ""
#endif
#ifndef ENT_BUILD_TREE
#define ENT_BUILD_TREE ""
#endif

#define PATH_MAX_WEB 512

static const struct {
    const char *ext, *type;
} s_types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json" },
    { ".map", "application/json" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".webmanifest", "application/manifest+json" },
};

/* The default directory: the build tree's when this executable lives in
 * it (a developer's build, the tests), else <prefix>/share/entretiens/web
 * beside the installed <prefix>/bin (whatever prefix `cmake --install` or
 * the package used).  Writes it into buf. */
static void s_default_dir(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(buf, size, "/usr/share/entretiens/web");
        return;
    }
    exe[n] = '\0';
    size_t tl = strlen(ENT_BUILD_TREE);
    if (tl > 0 && strncmp(exe, ENT_BUILD_TREE, tl) == 0 && exe[tl] == '/') {
        snprintf(buf, size, "%s", ENT_WEB_BUILD_DIR);
        return;
    }
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0'; /* <prefix>/bin */
    snprintf(buf, size, "%s/../share/entretiens/web", exe);
}

int gw_web_open(gw_t *gw)
{
    gw->web_fd = -1;
    const char *set = ent_config_get(ent_daemon_config(gw->d), "ENTRETIENS_GATEWAY_WEB_DIR");
    char def[PATH_MAX + 32];
    if (!set)
        s_default_dir(def, sizeof def);
    const char *dir = set ? set : def;
    if (!*dir) {
        ent_log_info("gateway.web", "ENTRETIENS_GATEWAY_WEB_DIR is empty: no pages served");
        return 0;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (set) {
            ent_log_error("config.invalid", "ENTRETIENS_GATEWAY_WEB_DIR '%s' is not a readable directory: %s", dir,
                          strerror(errno));
            return ENT_DAEMON_CONFIG_ERROR;
        }
        ent_log_info("gateway.web", "no web application in %s (not built?): no pages served", dir);
        return 0;
    }
    gw->web_fd = fd;
    gw->web_on = true;
    ent_log_info("gateway.web", "pages from %s", dir);
    return 0;
}

void gw_web_close(gw_t *gw)
{
    if (gw->web_on)
        close(gw->web_fd);
    gw->web_fd = -1;
    gw->web_on = false;
}

bool gw_web_wants(const gw_t *gw, const char *method, const char *path)
{
    if (!gw->web_on || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0))
        return false;
    return strcmp(path, "/api") != 0 && strncmp(path, "/api/", 5) != 0;
}

/* Checks the path (already percent-decoded by libmicrohttpd) and copies it
 * without its leading slash.  Refused: empty, "." or ".." segments, a
 * leading dot (hidden files), any byte outside the safe set (NUL, "\",
 * "%" of a double encoding ...). */
static bool s_safe(const char *path, char *rel, size_t size)
{
    if (path[0] != '/')
        return false;
    const char *p = path + 1;
    size_t n = strlen(p);
    if (n == 0 || n >= size)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '-' || c == '_' || c == '~' || c == '/';
        if (!ok)
            return false;
        bool seg_start = i == 0 || p[i - 1] == '/';
        if (seg_start && (c == '/' || c == '.'))
            return false; /* empty segment, ".", "..", hidden file */
    }
    memcpy(rel, p, n + 1);
    return true;
}

static const char *s_type(const char *rel)
{
    const char *dot = strrchr(rel, '.');
    const char *slash = strrchr(rel, '/');
    if (!dot || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof s_types / sizeof s_types[0]; i++)
        if (strcmp(dot, s_types[i].ext) == 0)
            return s_types[i].type;
    return NULL;
}

/* Opens a regular file of the directory; -1 otherwise.  Walks the path one
 * directory at a time with O_NOFOLLOW: a symbolic link anywhere on the way
 * (a directory linked to /etc) ends the walk. */
static int s_open(const gw_t *gw, const char *rel, uint64_t *size)
{
    char seg[PATH_MAX_WEB + 4];
    int dir = gw->web_fd;
    const char *p = rel;
    const char *slash;
    while ((slash = strchr(p, '/'))) {
        size_t n = (size_t) (slash - p);
        if (n == 0 || n >= sizeof seg)
            goto fail;
        memcpy(seg, p, n);
        seg[n] = '\0';
        int next = openat(dir, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir != gw->web_fd)
            close(dir);
        dir = next;
        if (dir < 0)
            return -1;
        p = slash + 1;
    }
    int fd = openat(dir, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (dir != gw->web_fd)
        close(dir);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    *size = (uint64_t) st.st_size;
    return fd;
fail:
    if (dir != gw->web_fd)
        close(dir);
    return -1;
}

static bool s_accepts_gzip(const gw_req_t *r)
{
    const char *ae = gw_req_header(r, "Accept-Encoding");
    if (!ae)
        return false;
    /* "gzip" as a token, not refused with q=0 */
    const char *g = strstr(ae, "gzip");
    return g && strncmp(g + 4, ";q=0", 4) != 0 && strncmp(g + 4, "; q=0", 5) != 0;
}

int gw_web_serve(gw_req_t *r, gw_resp_t *out)
{
    char rel[PATH_MAX_WEB];
    bool root = strcmp(r->path, "/") == 0;
    if (!root && !s_safe(r->path, rel, sizeof rel))
        return gw_resp_problem(out, 404, "NOT_FOUND", NULL, "no such page");
    const char *last = root ? "" : strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    bool app_route = root || !strchr(last, '.');
    if (app_route)
        snprintf(rel, sizeof rel, "index.html");
    const char *type = s_type(rel);
    if (!type)
        return gw_resp_problem(out, 404, "NOT_FOUND", NULL, "no such file");
    uint64_t size = 0;
    int fd = -1;
    if (s_accepts_gzip(r)) {
        char gz[PATH_MAX_WEB + 4];
        snprintf(gz, sizeof gz, "%s.gz", rel);
        fd = s_open(r->gw, gz, &size);
        if (fd >= 0)
            out->content_encoding = "gzip";
    }
    if (fd < 0)
        fd = s_open(r->gw, rel, &size);
    if (fd < 0)
        return gw_resp_problem(out, 404, "NOT_FOUND", NULL, app_route ? "the web application is not built" : "no such file");
    out->status = 200;
    out->file_fd = fd;
    out->has_file = true;
    out->file_size = size;
    out->content_type = type;
    out->vary_encoding = true;
    /* hashed names under assets/ never change; the rest is revalidated */
    out->cache_control = strncmp(rel, "assets/", 7) == 0 ? "public, max-age=31536000, immutable" : "no-cache";
    return 0;
}
