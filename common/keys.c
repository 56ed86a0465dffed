/*  keys.c — key pairs, key files and the key ring (keys.h). */
#include "common/keys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define KEY_FILE_MAX 8192   /* a key file is a few lines */

static int s_err(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int s_err(char *err, size_t size, const char *fmt, ...)
{
    if (err && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

bool ent_keys_available(void)
{
    return zmq_has("curve") != 0;
}

int ent_keypair_new(ent_keypair_t *out)
{
    memset(out, 0, sizeof *out);
    return zmq_curve_keypair(out->public_key, out->secret_key) == 0 ? 0 : -1;
}

bool ent_key_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > ENT_KEY_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static bool s_z85_valid(const char *z)
{
    uint8_t raw[32];
    return z && strlen(z) == 40 && zmq_z85_decode(raw, z) != NULL;
}

void ent_key_fingerprint(const char *public_z85, char out[ENT_KEY_FINGERPRINT])
{
    uint8_t raw[32], digest[SHA256_DIGEST_LENGTH];
    if (!s_z85_valid(public_z85) || !zmq_z85_decode(raw, public_z85)) {
        snprintf(out, ENT_KEY_FINGERPRINT, "invalid");
        return;
    }
    SHA256(raw, sizeof raw, digest);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* Walks the comma-separated allow list; exact: "*" and prefixes do not count. */
static bool s_allows(const ent_key_t *key, const char *method, bool exact)
{
    if (!method || !*method)
        return false;
    size_t ml = strlen(method);
    const char *p = key->allow;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t) (end - p) : strlen(p);
        while (n && p[0] == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n == ml && strncmp(p, method, n) == 0)
            return true;
        if (!exact) {
            if (n == 1 && p[0] == '*')
                return true;
            /* "records.interview.*" matches "records.interview.get" */
            if (n >= 2 && p[n - 1] == '*' && p[n - 2] == '.' && ml > n - 1 && strncmp(p, method, n - 1) == 0)
                return true;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

bool ent_key_allows(const ent_key_t *key, const char *method)
{
    return s_allows(key, method, false);
}

bool ent_key_allows_explicitly(const ent_key_t *key, const char *method)
{
    return s_allows(key, method, true);
}

/* ------------------------------------------------------------- files */

static int s_mkdir_p(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int) sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes text to path through path.tmp (mode), refusing to replace path
 * unless replace (then renamed over it: readers see the old or the new). */
static int s_write_file_as(const char *path, const char *text, mode_t mode, bool replace, char *err, size_t errsize)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!replace && access(path, F_OK) == 0)
        return s_err(err, errsize, "%s already exists (remove it first to replace the key)", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return s_err(err, errsize, "cannot create %s: %s", tmp, strerror(errno));
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return s_err(err, errsize, "cannot write %s: %s", tmp, strerror(e));
        }
        off += (size_t) w;
    }
    /* the umask may have narrowed the mode; a secret must be exactly 0600 */
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return s_err(err, errsize, "cannot finish %s: %s", tmp, strerror(e));
    }
    if (replace) {
        if (rename(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            return s_err(err, errsize, "cannot replace %s: %s", path, strerror(e));
        }
        return 0;
    }
    if (link(tmp, path) != 0) { /* link, unlike rename, refuses an existing target */
        int e = errno;
        unlink(tmp);
        return s_err(err, errsize, "cannot create %s: %s", path, strerror(e));
    }
    unlink(tmp);
    return 0;
}

static int s_write_file(const char *path, const char *text, mode_t mode, char *err, size_t errsize)
{
    return s_write_file_as(path, text, mode, false, err, errsize);
}

static void s_pub_text(const ent_key_t *key, char *text, size_t size)
{
    snprintf(text, size, "# entretiens public key '%s'\npublic=%s\nprincipal=%s\nassert=%s\ndaemon=%s\nallow=%s\n",
             key->name, key->public_key, key->principal, key->may_assert ? "yes" : "no", key->daemon ? "yes" : "no",
             key->allow);
}

int ent_key_write(const char *dir, const ent_key_t *key, const ent_keypair_t *pair, char *err, size_t errsize)
{
    if (!ent_key_name_valid(key->name))
        return s_err(err, errsize, "a key name has 1 to 64 of letters, digits, . _ - (not starting with .)");
    ent_principal_t p;
    const char *why;
    if (ent_principal_parse(key->principal, &p, &why) != 0)
        return s_err(err, errsize, "principal: %s", why);
    if (!s_z85_valid(key->public_key))
        return s_err(err, errsize, "the public key is not 40 characters of Z85");
    if (strchr(key->allow, '\n') || !key->allow[0])
        return s_err(err, errsize, "allow: a comma-separated list of methods, or *");
    if (s_mkdir_p(dir) != 0)
        return s_err(err, errsize, "cannot create %s: %s", dir, strerror(errno));
    char path[4096], text[2048];
    if (pair) {
        snprintf(path, sizeof path, "%s/%s.secret", dir, key->name);
        snprintf(text, sizeof text,
                 "# entretiens secret key '%s': keep it private (mode 0600), never log or share it\n"
                 "public=%s\nsecret=%s\n",
                 key->name, pair->public_key, pair->secret_key);
        if (s_write_file(path, text, 0600, err, errsize) != 0)
            return -1;
    }
    snprintf(path, sizeof path, "%s/%s.pub", dir, key->name);
    s_pub_text(key, text, sizeof text);
    if (s_write_file(path, text, 0644, err, errsize) != 0) {
        if (pair) {
            snprintf(path, sizeof path, "%s/%s.secret", dir, key->name);
            unlink(path);
        }
        return -1;
    }
    return 0;
}

int ent_key_widen_allow(const char *dir, const char *name, const char *methods, size_t *added, char *err,
                        size_t errsize)
{
    *added = 0;
    ent_keyring_t *ring = ent_keyring_load(dir, err, errsize);
    if (!ring)
        return -1;
    ent_key_t key;
    int found = ent_keyring_find_name(ring, name, &key);
    ent_keyring_destroy(&ring);
    if (found != 0)
        return s_err(err, errsize, "no key '%s' in %s", name, dir);
    if (strcmp(key.allow, "*") == 0)
        return 0; /* allows everything already */
    char want[sizeof key.allow];
    if (snprintf(want, sizeof want, "%s", methods) >= (int) sizeof want)
        return s_err(err, errsize, "the allow list is too long");
    size_t len = strlen(key.allow);
    for (char *save = NULL, *m = strtok_r(want, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
        if (!*m || ent_key_allows_explicitly(&key, m))
            continue;
        /* a prefix pattern ("records.interview.*") counts when the key has it word for word */
        if (strchr(m, '*') == NULL && ent_key_allows(&key, m))
            continue;
        if (len + 1 + strlen(m) >= sizeof key.allow)
            return s_err(err, errsize, "the allow list of '%s' would be too long", name);
        key.allow[len++] = ',';
        memcpy(key.allow + len, m, strlen(m) + 1);
        len += strlen(m);
        (*added)++;
    }
    if (!*added)
        return 0;
    char path[4096], text[2048];
    snprintf(path, sizeof path, "%s/%s.pub", dir, key.name);
    s_pub_text(&key, text, sizeof text);
    return s_write_file_as(path, text, 0644, true, err, errsize);
}

/* Reads a small file whole (NUL-terminated).  Returns 0 or -1 (errno). */
static int s_read_file(const char *path, char *buf, size_t size, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    size_t off = 0;
    for (;;) {
        if (off + 1 >= size) {
            close(fd);
            errno = EFBIG;
            return -1;
        }
        ssize_t r = read(fd, buf + off, size - 1 - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        off += (size_t) r;
    }
    close(fd);
    buf[off] = '\0';
    return 0;
}

/* Calls fn(field, value) for each "field=value" line; blank lines and
 * comments are skipped.  Returns 0, or -1 on a line without '='. */
static int s_parse_lines(char *text, int (*fn)(const char *, const char *, void *), void *arg)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        char *k = line, *v = eq + 1;
        for (char *e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
            *e = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        if (fn(k, v, arg) != 0)
            return -1;
    }
    return 0;
}

static int s_pair_field(const char *k, const char *v, void *arg)
{
    ent_keypair_t *kp = arg;
    if (strcmp(k, "public") == 0 && strlen(v) == 40)
        memcpy(kp->public_key, v, ENT_KEY_Z85);
    else if (strcmp(k, "secret") == 0 && strlen(v) == 40)
        memcpy(kp->secret_key, v, ENT_KEY_Z85);
    else
        return -1;
    return 0;
}

int ent_keypair_load_path(const char *path, ent_keypair_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    char buf[KEY_FILE_MAX];
    struct stat st;
    if (s_read_file(path, buf, sizeof buf, &st) != 0)
        return s_err(err, errsize, "cannot read the secret key %s: %s", path, strerror(errno));
    if (st.st_mode & S_IROTH) {
        explicit_bzero(buf, sizeof buf);
        return s_err(err, errsize, "the secret key %s is readable by every user (chmod 600 it)", path);
    }
    int rc = s_parse_lines(buf, s_pair_field, out);
    explicit_bzero(buf, sizeof buf);
    if (rc != 0 || !s_z85_valid(out->public_key) || !s_z85_valid(out->secret_key)) {
        explicit_bzero(out, sizeof *out);
        return s_err(err, errsize, "%s is not a secret key file (lines public=Z85 and secret=Z85)", path);
    }
    char derived[ENT_KEY_Z85];
    if (zmq_curve_public(derived, out->secret_key) != 0 || strcmp(derived, out->public_key) != 0) {
        explicit_bzero(out, sizeof *out);
        return s_err(err, errsize, "in %s the public key does not belong to the secret key", path);
    }
    return 0;
}

int ent_keypair_load(const char *dir, const char *name, ent_keypair_t *out, char *err, size_t errsize)
{
    if (!ent_key_name_valid(name)) {
        memset(out, 0, sizeof *out);
        return s_err(err, errsize, "'%s' is not a key name", name ? name : "");
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.secret", dir, name);
    return ent_keypair_load_path(path, out, err, errsize);
}

int ent_keypair_load_client(const char *dir, const char *name_or_path, ent_keypair_t *out, char *err,
                            size_t errsize)
{
    return name_or_path && strchr(name_or_path, '/') ? ent_keypair_load_path(name_or_path, out, err, errsize)
                                                     : ent_keypair_load(dir, name_or_path, out, err, errsize);
}

typedef struct {
    ent_key_t *key;
    unsigned seen;     /* bit per field */
} s_pub_parse_t;

static int s_yes_no(const char *v, bool *out)
{
    if (strcmp(v, "yes") == 0)
        *out = true;
    else if (strcmp(v, "no") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

static int s_pub_field(const char *k, const char *v, void *arg)
{
    s_pub_parse_t *p = arg;
    ent_key_t *key = p->key;
    if (strcmp(k, "public") == 0 && s_z85_valid(v)) {
        memcpy(key->public_key, v, ENT_KEY_Z85);
        p->seen |= 1;
    } else if (strcmp(k, "principal") == 0 && strlen(v) <= ENT_PRINCIPAL_MAX) {
        ent_principal_t pr;
        if (ent_principal_parse(v, &pr, NULL) != 0)
            return -1;
        snprintf(key->principal, sizeof key->principal, "%s", v);
        p->seen |= 2;
    } else if (strcmp(k, "assert") == 0) {
        return s_yes_no(v, &key->may_assert);
    } else if (strcmp(k, "daemon") == 0) {
        return s_yes_no(v, &key->daemon);
    } else if (strcmp(k, "allow") == 0 && *v && strlen(v) < sizeof key->allow) {
        snprintf(key->allow, sizeof key->allow, "%s", v);
        p->seen |= 4;
    } else {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------- master keys */

int ent_master_key_create(const char *dir, const char *name, char *err, size_t errsize)
{
    if (!ent_key_name_valid(name))
        return s_err(err, errsize, "'%s' is not a key name", name ? name : "");
    if (sodium_init() < 0)
        return s_err(err, errsize, "libsodium cannot start");
    if (s_mkdir_p(dir) != 0)
        return s_err(err, errsize, "cannot create %s: %s", dir, strerror(errno));
    unsigned char key[ENT_MASTER_KEY_LEN];
    char hex[2 * ENT_MASTER_KEY_LEN + 1], path[4096], text[256];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    snprintf(path, sizeof path, "%s/%s.master", dir, name);
    snprintf(text, sizeof text,
             "# entretiens master key '%s': keep it private (mode 0600), never log or share it; losing it loses "
             "every encrypted content\nmaster=%s\n", name, hex);
    int rc = s_write_file(path, text, 0600, err, errsize);
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(text, sizeof text);
    return rc;
}

bool ent_master_key_exists(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.master", dir, name);
    return access(path, F_OK) == 0;
}

static int s_master_field(const char *k, const char *v, void *arg)
{
    unsigned char *out = arg;
    size_t n = 0;
    if (strcmp(k, "master") != 0 || strlen(v) != 2 * ENT_MASTER_KEY_LEN ||
        sodium_hex2bin(out, ENT_MASTER_KEY_LEN, v, strlen(v), NULL, &n, NULL) != 0 || n != ENT_MASTER_KEY_LEN)
        return -1;
    return 0;
}

int ent_master_key_load(const char *dir, const char *name, unsigned char out[ENT_MASTER_KEY_LEN], char *err,
                        size_t errsize)
{
    memset(out, 0, ENT_MASTER_KEY_LEN);
    if (!ent_key_name_valid(name))
        return s_err(err, errsize, "'%s' is not a key name", name ? name : "");
    char path[4096], buf[KEY_FILE_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.master", dir, name);
    if (s_read_file(path, buf, sizeof buf, &st) != 0)
        return s_err(err, errsize, "cannot read the master key %s: %s (create it with `entretiensctl keys init`)",
                     path, strerror(errno));
    if (st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH)) {
        sodium_memzero(buf, sizeof buf);
        return s_err(err, errsize, "the master key %s may be read by other users (chmod 600 it)", path);
    }
    int rc = s_parse_lines(buf, s_master_field, out);
    sodium_memzero(buf, sizeof buf);
    if (rc != 0) {
        sodium_memzero(out, ENT_MASTER_KEY_LEN);
        return s_err(err, errsize, "%s is not a master key file (one line master=<64 hex digits>)", path);
    }
    return 0;
}

/* ------------------------------------------------------------- the ring */

struct ent_keyring {
    char *dir;
    pthread_mutex_t lock;
    ent_key_t *keys;
    size_t n;
};

static int s_key_cmp(const void *a, const void *b)
{
    return strcmp(((const ent_key_t *) a)->name, ((const ent_key_t *) b)->name);
}

static int s_ring_read(const char *dir, ent_key_t **out, size_t *n_out, char *err, size_t errsize)
{
    *out = NULL;
    *n_out = 0;
    DIR *dh = opendir(dir);
    if (!dh)
        return s_err(err, errsize, "cannot read the keys directory %s: %s", dir, strerror(errno));
    ent_key_t *keys = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".pub") != 0 || de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ent_key_t *k = realloc(keys, cap * sizeof *k);
            if (!k) {
                rc = s_err(err, errsize, "out of memory");
                break;
            }
            keys = k;
        }
        ent_key_t *key = &keys[n];
        memset(key, 0, sizeof *key);
        if (len - 4 > ENT_KEY_NAME_MAX) {
            rc = s_err(err, errsize, "%s/%s: the key name is longer than 64 characters", dir, de->d_name);
            break;
        }
        memcpy(key->name, de->d_name, len - 4);
        key->name[len - 4] = '\0';
        if (!ent_key_name_valid(key->name)) {
            rc = s_err(err, errsize, "%s/%s: not a valid key name", dir, de->d_name);
            break;
        }
        char path[4096], buf[KEY_FILE_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (s_read_file(path, buf, sizeof buf, &st) != 0) {
            rc = s_err(err, errsize, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        s_pub_parse_t pp = { key, 0 };
        if (s_parse_lines(buf, s_pub_field, &pp) != 0 || pp.seen != 7) {
            rc = s_err(err, errsize, "%s is not a public key record (public=, principal=, allow= are required; "
                       "assert= and daemon= are yes or no)", path);
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (strcmp(keys[i].public_key, key->public_key) == 0) {
                rc = s_err(err, errsize, "%s and %s.pub hold the same public key", path, keys[i].name);
                break;
            }
        if (rc)
            break;
        n++;
    }
    closedir(dh);
    if (rc) {
        free(keys);
        return rc;
    }
    if (n > 1)
        qsort(keys, n, sizeof *keys, s_key_cmp);
    *out = keys;
    *n_out = n;
    return 0;
}

ent_keyring_t *ent_keyring_load(const char *dir, char *err, size_t errsize)
{
    ent_keyring_t *ring = calloc(1, sizeof *ring);
    if (!ring) {
        s_err(err, errsize, "out of memory");
        return NULL;
    }
    ring->dir = strdup(dir);
    if (!ring->dir || pthread_mutex_init(&ring->lock, NULL) != 0) {
        free(ring->dir);
        free(ring);
        s_err(err, errsize, "out of memory");
        return NULL;
    }
    if (s_ring_read(dir, &ring->keys, &ring->n, err, errsize) != 0) {
        ent_keyring_destroy(&ring);
        return NULL;
    }
    return ring;
}

int ent_keyring_reload(ent_keyring_t *ring, char *err, size_t errsize)
{
    ent_key_t *keys;
    size_t n;
    if (s_ring_read(ring->dir, &keys, &n, err, errsize) != 0)
        return -1;
    pthread_mutex_lock(&ring->lock);
    ent_key_t *old = ring->keys;
    ring->keys = keys;
    ring->n = n;
    pthread_mutex_unlock(&ring->lock);
    free(old);
    return 0;
}

size_t ent_keyring_count(ent_keyring_t *ring)
{
    pthread_mutex_lock(&ring->lock);
    size_t n = ring->n;
    pthread_mutex_unlock(&ring->lock);
    return n;
}

/* A linear scan: a deployment has tens of keys, and the scan is shorter
 * than the CURVE handshake it serves by orders of magnitude. */
static int s_find(ent_keyring_t *ring, bool by_name, const char *what, ent_key_t *out)
{
    int rc = -1;
    if (!what)
        return -1;
    pthread_mutex_lock(&ring->lock);
    for (size_t i = 0; i < ring->n; i++)
        if (strcmp(by_name ? ring->keys[i].name : ring->keys[i].public_key, what) == 0) {
            *out = ring->keys[i];
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&ring->lock);
    return rc;
}

int ent_keyring_find_public(ent_keyring_t *ring, const char *public_z85, ent_key_t *out)
{
    return s_find(ring, false, public_z85, out);
}

int ent_keyring_find_name(ent_keyring_t *ring, const char *name, ent_key_t *out)
{
    return s_find(ring, true, name, out);
}

int ent_keyring_at(ent_keyring_t *ring, size_t i, ent_key_t *out)
{
    int rc = -1;
    pthread_mutex_lock(&ring->lock);
    if (i < ring->n) {
        *out = ring->keys[i];
        rc = 0;
    }
    pthread_mutex_unlock(&ring->lock);
    return rc;
}

int ent_keyring_client(ent_keyring_t *ring, const ent_keypair_t *own, const char *server, ent_curve_client_t *out)
{
    memset(out, 0, sizeof *out);
    ent_key_t key;
    if (ent_keyring_find_name(ring, server, &key) != 0)
        return -1;
    out->own = *own;
    memcpy(out->server_key, key.public_key, ENT_KEY_Z85);
    return 0;
}

void ent_keyring_destroy(ent_keyring_t **ring_p)
{
    if (!ring_p || !*ring_p)
        return;
    ent_keyring_t *ring = *ring_p;
    if (ring->dir)
        pthread_mutex_destroy(&ring->lock);
    free(ring->keys);
    free(ring->dir);
    free(ring);
    *ring_p = NULL;
}

/* ------------------------------------------------------------- sockets */

int ent_curve_apply_client(void *sock, const ent_curve_client_t *c)
{
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_key, 40) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->own.public_key, 40) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->own.secret_key, 40) != 0)
        return -1;
    return 0;
}

int ent_curve_apply_server(void *sock, const ent_curve_server_t *s)
{
    int one = 1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s->secret_key, 40) != 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, s->domain, strlen(s->domain)) != 0)
        return -1;
    return 0;
}
