/*  store.c — LMDB environment per daemon with group commit (see store.h). */
#include "common/store.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_MAP_SIZE ((size_t) 1 << 40)
#define LOCK_ATTEMPTS 3

struct ent_store {
    MDB_env *env;
    char *dir;
    int lock_fd;                  /* ENT_STORE_LOCK_FILE, write-locked; -1 when not held */
    dev_t lock_dev;
    ino_t lock_ino;
    pid_t lock_owner;             /* the process that took it (not a fork child) */
    struct ent_store *next_held;  /* s_held list */
    MDB_dbi meta, outbox, cursors;
    MDB_txn *txn;                 /* the current turn's write txn */
    uint64_t txn_serial;          /* bumped by each ent_store_begin that begins one */
    ent_store_stats_t stats;
    size_t page_size;
    bool nosync;                  /* opened with MDB_NOSYNC (ENTRETIENS_NOSYNC) */
    bool bulk;                    /* a bulk load is under way (ENT_STORE_BULK_FILE) */
};

int ent_mkdirs(const char *dir, mode_t mode)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int) sizeof path)
        return ENAMETOOLONG;
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, mode) != 0 && errno != EEXIST)
                return errno;
            *p = '/';
        }
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        return errno;
    return 0;
}

/* ------------------------------------------------------------ instance lock */

/* The stores of this process that hold their lock.  fcntl locks belong to
 * the process, not to the descriptor: a second open of the same directory in
 * this process would be granted the lock it already holds, and closing ANY
 * descriptor of the lock file — even just to ask who holds it — releases it
 * for the whole process.  So the files this process holds are recognised by
 * device and inode before anything opens them again.  A child made by fork
 * inherits this list but not the locks: entries count for their owner only. */
static pthread_mutex_t s_held_mu = PTHREAD_MUTEX_INITIALIZER;
/* ent_store_thread_hold: readers are threads with open transactions; the
 * loop only ever tries the write side, so a writer never waits and nested
 * holds cannot deadlock */
static pthread_rwlock_t s_resize_lock = PTHREAD_RWLOCK_INITIALIZER;

void ent_store_thread_hold(void)
{
    if (pthread_rwlock_rdlock(&s_resize_lock) != 0)
        abort();
}

void ent_store_thread_release(void)
{
    if (pthread_rwlock_unlock(&s_resize_lock) != 0)
        abort();
}
static ent_store_t *s_held;

/* The store of this process that holds the lock file st, or NULL.  Caller
 * holds s_held_mu. */
static ent_store_t *s_held_find(const struct stat *st)
{
    pid_t self = getpid();
    for (ent_store_t *h = s_held; h; h = h->next_held)
        if (h->lock_owner == self && h->lock_dev == st->st_dev && h->lock_ino == st->st_ino)
            return h;
    return NULL;
}

static int s_lock_path(const char *dir, char *path, size_t size)
{
    if (snprintf(path, size, "%s/%s", dir, ENT_STORE_LOCK_FILE) >= (int) size)
        return ENAMETOOLONG;
    return 0;
}

/* The pid the holder wrote into the lock file (0 when unreadable): F_GETLK
 * reports 0 for a holder in another PID namespace (another container on the
 * same volume). */
static pid_t s_lock_file_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? (pid_t) pid : 0;
}

/* The pid holding the lock on fd's file, 0 when it is free, or -errno. */
static pid_t s_lock_query(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    if (fcntl(fd, F_GETLK, &fl) != 0)
        return -errno;
    if (fl.l_type == F_UNLCK)
        return 0;
    if (fl.l_pid > 0)
        return fl.l_pid;
    pid_t recorded = s_lock_file_pid(fd);
    return recorded > 0 ? recorded : -EAGAIN; /* held, by a process we cannot name */
}

int ent_store_lock_holder(const char *dir, pid_t *pid)
{
    *pid = 0;
    char path[4096];
    int rc = s_lock_path(dir, path, sizeof path);
    if (rc)
        return rc;
    pthread_mutex_lock(&s_held_mu);
    struct stat st;
    if (stat(path, &st) != 0) {
        rc = errno == ENOENT ? 0 : errno; /* never opened: nobody holds it */
        goto done;
    }
    if (s_held_find(&st)) {
        *pid = getpid(); /* and do not open it: closing would release our lock */
        goto done;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        rc = errno;
        goto done;
    }
    pid_t holder = s_lock_query(fd);
    close(fd);
    if (holder == -EAGAIN)
        holder = 0, rc = EAGAIN;
    else if (holder < 0)
        rc = -holder, holder = 0;
    *pid = holder;
done:
    pthread_mutex_unlock(&s_held_mu);
    return rc;
}

/* Takes the store's instance lock (see store.h).  Returns 0, EBUSY (logged
 * with the holder's pid) or an errno code. */
static int s_lock_acquire(ent_store_t *store)
{
    char path[4096];
    int rc = s_lock_path(store->dir, path, sizeof path);
    if (rc)
        return rc;
    pthread_mutex_lock(&s_held_mu);
    struct stat st;
    if (stat(path, &st) == 0 && s_held_find(&st)) {
        /* LMDB forbids it too (its own locks are fcntl locks) */
        ent_log_error("store.locked", "store %s is already open in this process (pid %ld)", store->dir,
                      (long) getpid());
        rc = EBUSY;
        goto done;
    }
    /* 0600: whoever can open the file can take a read lock on it and keep
     * the daemon from starting; only the daemon's user needs it */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = errno;
        ent_log_error("store.lock", "cannot open the lock file %s: %s", path, strerror(rc));
        goto done;
    }
    bool locked = false;
    pid_t holder = 0;
    for (int attempt = 0; attempt < LOCK_ATTEMPTS && !locked; attempt++) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
        if (fcntl(fd, F_SETLK, &fl) == 0) {
            locked = true;
            break;
        }
        if (errno != EACCES && errno != EAGAIN) {
            rc = errno;
            ent_log_error("store.lock", "cannot lock %s: %s", path, strerror(rc));
            close(fd);
            goto done;
        }
        /* 0 = the holder exited between the two calls: try again */
        if ((holder = s_lock_query(fd)) != 0)
            break;
    }
    if (!locked) {
        char who[64] = "another process";
        if (holder > 0)
            snprintf(who, sizeof who, "another process, pid %ld", (long) holder);
        ent_log_error("store.locked",
                      "store %s is in use by %s: one daemon per store; stop it, or give this one its own "
                      "ENTRETIENS_DATA_DIR",
                      store->dir, who);
        close(fd); /* this process holds no lock on it: nothing is released */
        rc = EBUSY;
        goto done;
    }
    if (fstat(fd, &st) != 0) {
        rc = errno;
        close(fd);
        goto done;
    }
    /* the pid in the file is for operators (cat) and for openers in another
     * PID namespace; the lock, not the file, is what excludes: a stale pid
     * left by a killed daemon means nothing */
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long) getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t) n, 0) != n)
        ent_log_warn("store.lock_pid", "cannot write the pid into %s: %s", path, strerror(errno));
    store->lock_fd = fd;
    store->lock_dev = st.st_dev;
    store->lock_ino = st.st_ino;
    store->lock_owner = getpid();
    store->next_held = s_held;
    s_held = store;
done:
    pthread_mutex_unlock(&s_held_mu);
    return rc;
}

/* Releases the lock (after the environment is closed, so that a successor
 * never opens it while this process still writes).  The file stays: removing
 * it would let a waiting opener lock the old inode while a third creates a
 * new file, and both would run. */
static void s_lock_release(ent_store_t *store)
{
    if (store->lock_fd < 0)
        return;
    pthread_mutex_lock(&s_held_mu);
    for (ent_store_t **p = &s_held; *p; p = &(*p)->next_held)
        if (*p == store) {
            *p = store->next_held;
            break;
        }
    close(store->lock_fd); /* releases the fcntl lock */
    store->lock_fd = -1;
    pthread_mutex_unlock(&s_held_mu);
}

/* -------------------------------------------------------------- bulk load */

/* This boot's id (/proc/sys/kernel/random/boot_id) into out; false when it
 * cannot be read. */
static bool s_boot_id(char out[64])
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (!f)
        return false;
    bool ok = fgets(out, 64, f) != NULL;
    fclose(f);
    if (ok)
        out[strcspn(out, "\n")] = '\0';
    return ok && out[0];
}

/* fsync of a directory, so that a file created or removed in it stays so. */
static int s_dir_sync(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

static int s_bulk_path(const char *dir, const char *file, char *out, size_t size)
{
    return snprintf(out, size, "%s/%s", dir, file) < (int) size ? 0 : ENAMETOOLONG;
}

/* At open, before LMDB: a marker left by a bulk load that did not end.
 * Written in this boot, the process died but the kernel kept every page it
 * wrote: *kept is set and the caller syncs.  Written before a restart of
 * the machine (or unreadable), the pages that reached the disk are an
 * arbitrary subset: the data file is removed, then the marker. */
static int s_bulk_recover(const char *dir, bool *kept)
{
    char marker[4096], data[4096];
    int rc;
    *kept = false;
    if ((rc = s_bulk_path(dir, ENT_STORE_BULK_FILE, marker, sizeof marker)) != 0 ||
        (rc = s_bulk_path(dir, "data.mdb", data, sizeof data)) != 0)
        return rc;
    FILE *f = fopen(marker, "r");
    if (!f)
        return errno == ENOENT ? 0 : errno;
    char was[64] = "", now[64];
    if (!fgets(was, sizeof was, f))
        was[0] = '\0';
    fclose(f);
    was[strcspn(was, "\n")] = '\0';
    if (was[0] && s_boot_id(now) && strcmp(was, now) == 0) {
        ent_log_warn("store.bulk.kept", "%s: a bulk load of this boot did not end (the process stopped); its "
                     "commits are in the page cache: kept and synced", dir);
        *kept = true;
        return 0;
    }
    ent_log_warn("store.bulk.discarded", "%s: a bulk load did not end before the machine restarted; the store is "
                 "discarded and will be rebuilt from its producers", dir);
    if (unlink(data) != 0 && errno != ENOENT)
        return errno;
    if ((rc = s_dir_sync(dir)) != 0)
        return rc;
    if (unlink(marker) != 0 && errno != ENOENT)
        return errno;
    return s_dir_sync(dir);
}

/* Makes everything committed durable, puts syncing back and removes the
 * marker. */
static int s_bulk_finish(ent_store_t *store)
{
    char marker[4096];
    int rc = s_bulk_path(store->dir, ENT_STORE_BULK_FILE, marker, sizeof marker);
    if (rc)
        return rc;
    if ((rc = mdb_env_sync(store->env, 1)) != 0)
        return rc;
    if (!store->nosync && (rc = mdb_env_set_flags(store->env, MDB_NOSYNC, 0)) != 0)
        return rc;
    store->bulk = false;
    if (unlink(marker) != 0 && errno != ENOENT)
        return errno;
    return s_dir_sync(store->dir);
}

int ent_store_bulk_begin(ent_store_t *store)
{
    if (store->bulk)
        return 0;
    if (store->txn)
        return EINVAL;
    char marker[4096], boot[64];
    int rc = s_bulk_path(store->dir, ENT_STORE_BULK_FILE, marker, sizeof marker);
    if (rc)
        return rc;
    if (!s_boot_id(boot))
        snprintf(boot, sizeof boot, "unknown");
    /* the marker is on the disk before the first commit that is not */
    int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return errno;
    char line[80];
    int len = snprintf(line, sizeof line, "%s\n", boot);
    errno = 0; /* a short write sets none: EIO then */
    rc = write(fd, line, (size_t) len) == len && fsync(fd) == 0 ? 0 : (errno ? errno : EIO);
    close(fd);
    if (!rc)
        rc = s_dir_sync(store->dir);
    if (!rc)
        rc = mdb_env_set_flags(store->env, MDB_NOSYNC, 1);
    if (rc) {
        unlink(marker);
        return rc;
    }
    store->bulk = true;
    return 0;
}

int ent_store_bulk_end(ent_store_t *store)
{
    if (!store->bulk)
        return 0;
    if (store->txn)
        return EINVAL;
    return s_bulk_finish(store);
}

bool ent_store_bulk_active(const ent_store_t *store)
{
    return store->bulk;
}

/* ------------------------------------------------------------------ store */

static void s_refresh_usage(ent_store_t *store);

static double s_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

ent_store_t *ent_store_open(const char *dir, unsigned max_dbs, size_t map_size_mb,
                            bool nosync, int *err)
{
    int rc;
    ent_store_t *store = calloc(1, sizeof *store);
    if (!store) {
        rc = ENOMEM;
        goto fail;
    }
    store->lock_fd = -1;
    store->dir = strdup(dir);
    if (!store->dir) {
        rc = ENOMEM;
        goto fail;
    }
    if ((rc = ent_mkdirs(dir, 0750)) != 0)
        goto fail;
    /* before LMDB opens anything: a second instance must not clear reader
     * slots, migrate or grow the map under the first one */
    if ((rc = s_lock_acquire(store)) != 0)
        goto fail;
    bool bulk_kept = false;
    if ((rc = s_bulk_recover(dir, &bulk_kept)) != 0)
        goto fail;
    if ((rc = mdb_env_create(&store->env)) != 0)
        goto fail;
    if ((rc = mdb_env_set_maxdbs(store->env, max_dbs + 3)) != 0)
        goto fail;
    size_t map = (map_size_mb ? map_size_mb : 1024) << 20;
    if ((rc = mdb_env_set_mapsize(store->env, map)) != 0)
        goto fail;
    unsigned flags = MDB_NOTLS | (nosync ? MDB_NOSYNC : 0);
    store->nosync = nosync;
    if ((rc = mdb_env_open(store->env, dir, flags, 0640)) != 0)
        goto fail;
    /* an interrupted bulk load of this boot: what it committed is all in
     * the page cache; made durable, the marker can go */
    if (bulk_kept && (rc = s_bulk_finish(store)) != 0)
        goto fail;
    int dead = 0;
    if ((rc = mdb_reader_check(store->env, &dead)) != 0)
        goto fail;
    store->stats.stale_readers = (uint64_t) dead;
    if (dead)
        ent_log_warn("store.stale_readers", "cleared %d reader slot(s) left by a dead process", dead);
    MDB_stat st;
    mdb_env_stat(store->env, &st);
    store->page_size = st.ms_psize;
    /* An existing file that outgrew map_size_mb is NOT mapped at its
     * recorded size: LMDB rounds a smaller request up to exactly the pages
     * in use, leaving no free page.  ent_store_dbi and ent_store_migrate run
     * before any turn and do not grow on MDB_MAP_FULL, so give the map the
     * headroom ent_store_begin would. */
    s_refresh_usage(store);
    if (store->stats.map_used > store->stats.map_size / 10 * 8) {
        int g = ent_store_grow(store);
        if (g)
            ent_log_warn("store.grow_failed", "cannot grow the map: %s", mdb_strerror(g));
    }
    if ((rc = ent_store_dbi(store, "meta", 0, &store->meta)) != 0)
        goto fail;
    if ((rc = ent_store_dbi(store, "outbox", 0, &store->outbox)) != 0)
        goto fail;
    if ((rc = ent_store_dbi(store, "cursors", 0, &store->cursors)) != 0)
        goto fail;
    return store;
fail:
    if (err)
        *err = rc;
    ent_log_error("store.open", "cannot open LMDB store %s: %s", dir, mdb_strerror(rc));
    ent_store_close(&store);
    return NULL;
}

int ent_store_dbi(ent_store_t *store, const char *name, unsigned flags, MDB_dbi *out)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(store->env, NULL, 0, &txn);
    if (rc)
        return rc;
    rc = mdb_dbi_open(txn, name, flags | MDB_CREATE, out);
    if (rc) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

MDB_dbi ent_store_meta(const ent_store_t *store) { return store->meta; }
MDB_dbi ent_store_outbox(const ent_store_t *store) { return store->outbox; }
MDB_dbi ent_store_cursors(const ent_store_t *store) { return store->cursors; }
MDB_env *ent_store_env(ent_store_t *store) { return store->env; }

void ent_be64_put(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t) (v & 0xff);
        v >>= 8;
    }
}

uint64_t ent_be64_get(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

void ent_be32_put(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t) (v >> 24);
    out[1] = (uint8_t) (v >> 16);
    out[2] = (uint8_t) (v >> 8);
    out[3] = (uint8_t) v;
}

uint32_t ent_be32_get(const uint8_t in[4])
{
    return (uint32_t) in[0] << 24 | (uint32_t) in[1] << 16 | (uint32_t) in[2] << 8 | in[3];
}

void ent_key_day_put(uint8_t out[4], int32_t day)
{
    ent_be32_put(out, (uint32_t) day ^ 0x80000000u);
}

int32_t ent_key_day_get(const uint8_t in[4])
{
    return (int32_t) (ent_be32_get(in) ^ 0x80000000u);
}

int ent_store_meta_get_u64(MDB_txn *txn, const ent_store_t *store, const char *key, uint64_t *out)
{
    MDB_val k = { strlen(key), (void *) key }, v;
    int rc = mdb_get(txn, store->meta, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *out = 0;
        return 0;
    }
    if (rc)
        return rc;
    if (v.mv_size != 8)
        return MDB_CORRUPTED;
    *out = ent_be64_get(v.mv_data);
    return 0;
}

int ent_store_meta_put_u64(MDB_txn *txn, const ent_store_t *store, const char *key, uint64_t value)
{
    uint8_t buf[8];
    ent_be64_put(buf, value);
    MDB_val k = { strlen(key), (void *) key }, v = { 8, buf };
    return mdb_put(txn, store->meta, &k, &v, 0);
}

unsigned ent_store_schema_version(ent_store_t *store)
{
    MDB_txn *txn;
    uint64_t v = 0;
    if (ent_store_read(store, &txn) == 0) {
        ent_store_meta_get_u64(txn, store, "schema_version", &v);
        mdb_txn_abort(txn);
    }
    return (unsigned) v;
}

int ent_store_migrate(ent_store_t *store, unsigned target, ent_store_migrate_fn migrate, void *arg)
{
    unsigned current = ent_store_schema_version(store);
    if (current > target) {
        ent_log_error("store.schema", "store schema %u is newer than this binary's %u", current, target);
        return MDB_VERSION_MISMATCH;
    }
    while (current < target) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(store->env, NULL, 0, &txn);
        if (rc)
            return rc;
        if (migrate && (rc = migrate(txn, current, arg)) != 0) {
            mdb_txn_abort(txn);
            return rc;
        }
        if ((rc = ent_store_meta_put_u64(txn, store, "schema_version", current + 1)) != 0) {
            mdb_txn_abort(txn);
            return rc;
        }
        if ((rc = mdb_txn_commit(txn)) != 0)
            return rc;
        current++;
        ent_log_info("store.migrated", "schema version now %u", current);
    }
    return 0;
}

static void s_refresh_usage(ent_store_t *store)
{
    MDB_envinfo info;
    mdb_env_info(store->env, &info);
    store->stats.map_size = info.me_mapsize;
    store->stats.map_used = (info.me_last_pgno + 1) * store->page_size;
}

int ent_store_grow(ent_store_t *store)
{
    if (store->txn)
        return EBUSY;
    s_refresh_usage(store);
    size_t next = store->stats.map_size * 2;
    if (next > MAX_MAP_SIZE)
        return MDB_MAP_FULL;
    if (pthread_rwlock_trywrlock(&s_resize_lock) != 0)
        return EBUSY; /* a thread has a transaction open: not now */
    int rc = mdb_env_set_mapsize(store->env, next);
    pthread_rwlock_unlock(&s_resize_lock);
    if (rc)
        return rc;
    store->stats.map_growths++;
    s_refresh_usage(store);
    ent_log_info("store.map_grown", "LMDB map grown to %zu MiB", store->stats.map_size >> 20);
    return 0;
}

int ent_store_begin(ent_store_t *store, MDB_txn **txn)
{
    if (store->txn) {
        *txn = store->txn;
        return 0;
    }
    s_refresh_usage(store);
    if (store->stats.map_used > store->stats.map_size / 10 * 8) {
        int rc = ent_store_grow(store);
        if (rc)
            ent_log_warn("store.grow_failed", "cannot grow the map: %s", mdb_strerror(rc));
    }
    int rc = mdb_txn_begin(store->env, NULL, 0, &store->txn);
    if (rc == MDB_MAP_RESIZED) {
        /* someone (a copy tool) grew the file: adopt its size */
        mdb_env_set_mapsize(store->env, 0);
        rc = mdb_txn_begin(store->env, NULL, 0, &store->txn);
    }
    if (rc) {
        store->txn = NULL;
        return rc;
    }
    store->txn_serial++;
    *txn = store->txn;
    return 0;
}

uint64_t ent_store_txn_serial(const ent_store_t *store)
{
    return store->txn ? store->txn_serial : 0;
}

int ent_store_commit(ent_store_t *store)
{
    if (!store->txn)
        return 0;
    double t0 = s_now_seconds();
    int rc = mdb_txn_commit(store->txn);
    store->txn = NULL; /* freed by LMDB even on failure */
    store->stats.last_commit_seconds = s_now_seconds() - t0;
    if (rc == 0) {
        store->stats.commits++;
        return 0;
    }
    store->stats.commit_failures++;
    if (rc == MDB_MAP_FULL) {
        int g = ent_store_grow(store);
        if (g)
            return g;
        return MDB_MAP_FULL;
    }
    ent_log_error("store.commit", "commit failed: %s", mdb_strerror(rc));
    return rc;
}

int ent_store_abort(ent_store_t *store, int rc)
{
    if (store->txn) {
        mdb_txn_abort(store->txn);
        store->txn = NULL;
    }
    if (rc == MDB_MAP_FULL)
        return ent_store_grow(store);
    return 0;
}

MDB_txn *ent_store_txn(ent_store_t *store)
{
    return store->txn;
}

int ent_store_read(ent_store_t *store, MDB_txn **txn)
{
    return mdb_txn_begin(store->env, NULL, MDB_RDONLY, txn);
}

int ent_store_backup(ent_store_t *store, const char *dir)
{
    /* the copy holds private notes and evaluations: created 0600 here
     * rather than by mdb_env_copy2 (0666 less the umask) */
    char path[4200];
    if (snprintf(path, sizeof path, "%s/data.mdb", dir) >= (int) sizeof path)
        return ENAMETOOLONG;
    /* the last component may be missing (a scheduled job names a new
     * directory per night and cannot create it on the daemon's volume);
     * a missing parent is still an error: a mistyped path is not created */
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return errno;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    /* on a worker thread while the loop serves: the copy's read
     * transaction holds the resize lock */
    ent_store_thread_hold();
    int rc = mdb_env_copyfd2(store->env, fd, MDB_CP_COMPACT);
    ent_store_thread_release();
    if (!rc && fsync(fd) != 0)
        rc = errno;
    if (close(fd) != 0 && !rc)
        rc = errno;
    if (rc)
        unlink(path);
    return rc;
}

void ent_store_stats(ent_store_t *store, ent_store_stats_t *out)
{
    s_refresh_usage(store);
    *out = store->stats;
}

int ent_store_walk(MDB_txn *txn, MDB_dbi dbi, ent_store_walk_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        int frc = fn(&k, &v, arg);
        if (frc) {
            mdb_cursor_close(cur);
            return frc;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int ent_store_cursor_after(MDB_cursor *cur, const char *after, MDB_val *k, MDB_val *v)
{
    size_t n = strlen(after);
    *k = (MDB_val) { n, (void *) after };
    int rc = mdb_cursor_get(cur, k, v, n ? MDB_SET_RANGE : MDB_FIRST);
    if (rc == 0 && n && k->mv_size == n && memcmp(k->mv_data, after, n) == 0)
        rc = mdb_cursor_get(cur, k, v, MDB_NEXT); /* the key itself: resume after it */
    return rc;
}

void ent_store_close(ent_store_t **store_p)
{
    if (!store_p || !*store_p)
        return;
    ent_store_t *store = *store_p;
    if (store->env) {
        if (store->txn)
            mdb_txn_abort(store->txn);
        if (store->bulk) {
            /* a clean stop during a bulk load: synced, it is a store like
             * any other (the marker goes); else the next open decides */
            int rc = ent_store_bulk_end(store);
            if (rc)
                ent_log_warn("store.bulk", "bulk load of %s not made durable at close: %s", store->dir,
                             mdb_strerror(rc));
        } else {
            mdb_env_sync(store->env, 1);
        }
        mdb_env_close(store->env);
    }
    s_lock_release(store);
    free(store->dir);
    free(store);
    *store_p = NULL;
}
