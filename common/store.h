/*  store.h — one LMDB environment per daemon, written in group commits.
 *
 *  The daemon's loop collects the work of one turn, then runs it inside ONE
 *  write transaction (ent_store_begin ... ent_store_commit) and only after a
 *  successful commit sends replies and publishes events.  When the map is
 *  full the whole turn is aborted, the map grows, and the caller runs the
 *  turn again on the same inputs (so turn work must only change memory
 *  through the participants' reset hooks — see daemon.h).
 *
 *  Named databases every store has: "meta" (schema version, counters),
 *  "outbox" (published events, key = big-endian seq), "cursors" (last seq
 *  applied per producer).  Services add their own with ent_store_dbi.
 *  Values are protobuf-encoded; keys big-endian integers or strings with
 *  explicit separators.
 *
 *  ONE INSTANCE PER STORE.  ent_store_open takes an exclusive fcntl write
 *  lock on ENT_STORE_LOCK_FILE in the store directory and keeps it until
 *  ent_store_close; a second opener — another daemon started on the same
 *  ENTRETIENS_DATA_DIR, whatever its ports — is refused with EBUSY and a
 *  "store.locked" log line naming the holder's pid.  Two writers on one store
 *  would each run the turn protocol against the other's data (duplicate
 *  deliveries, counters gone negative, failed writes).  Consequences:
 *    - the kernel releases the lock when the process dies, kill -9 included:
 *      a restart never has to clean anything up; the file stays (with the
 *      last holder's pid in it, for operators) and its presence means
 *      nothing;
 *    - the lock belongs to the process: a second ent_store_open of the same
 *      directory in one process is refused as well (LMDB forbids it too);
 *      threads of the holder (e.g. a backup worker using the environment)
 *      are not affected;
 *    - read-only openers that use LMDB directly (mdb_stat, mdb_dump,
 *      mdb_copy, a test's checker with MDB_RDONLY) do not take it and keep
 *      working beside the daemon; so do backups made with ent_store_backup;
 *    - the file is created with mode 0600: anyone who could open it could
 *      lock it and keep the daemon from starting.
 *
 *  Error codes: LMDB's (MDB_* negative, errno positive), 0 on success.
 */
#ifndef ENT_STORE_H
#define ENT_STORE_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The instance lock file, in the store directory (see above). */
#define ENT_STORE_LOCK_FILE "instance.lock"

typedef struct ent_store ent_store_t;

typedef struct {
    uint64_t commits;          /* write transactions committed */
    uint64_t commit_failures;
    uint64_t map_growths;
    uint64_t stale_readers;    /* cleared by mdb_reader_check at open */
    size_t map_size;           /* bytes */
    size_t map_used;           /* bytes (last page number * page size) */
    double last_commit_seconds;
} ent_store_stats_t;

/* Migration from schema version `from` to `from + 1`, inside txn. */
typedef int (*ent_store_migrate_fn)(MDB_txn *txn, unsigned from, void *arg);

/* Opens (creating when absent) the environment in directory dir (created
 * too), with room for max_dbs named databases, an initial map of
 * map_size_mb MiB (the file grows into it; the map grows further on
 * demand), MDB_NOTLS, and full sync unless nosync (rebuildable stores only).
 * First takes the instance lock (see above), then runs mdb_reader_check to
 * clear readers left by a crashed process.
 * Returns NULL and sets *err (when err is not NULL) on failure:
 *   EBUSY — another process, or this one, has the store open (logged as
 *           "store.locked" with the holder's pid);
 *   an errno code — the directory or the lock file cannot be created or
 *           locked (ENOTDIR, EACCES, ENAMETOOLONG ...);
 *   an LMDB code — the environment cannot be opened. */
ent_store_t *ent_store_open(const char *dir, unsigned max_dbs, size_t map_size_mb,
                            bool nosync, int *err);

/* Opens (creating) a named database with flags such as MDB_DUPSORT.  Call
 * at start-up only, before any ent_store_begin.  Returns 0 or an LMDB code. */
int ent_store_dbi(ent_store_t *store, const char *name, unsigned flags, MDB_dbi *out);

/* Built-in databases. */
MDB_dbi ent_store_meta(const ent_store_t *store);
MDB_dbi ent_store_outbox(const ent_store_t *store);
MDB_dbi ent_store_cursors(const ent_store_t *store);
MDB_env *ent_store_env(ent_store_t *store);

/* Brings meta "schema_version" to `target` by calling migrate for each step
 * in its own committed transaction.  A store newer than target is refused
 * with MDB_VERSION_MISMATCH (an old binary must not write a newer store).
 * Returns 0 or an error code. */
int ent_store_migrate(ent_store_t *store, unsigned target, ent_store_migrate_fn migrate, void *arg);

/* Schema version recorded in the store (0 for a new store). */
unsigned ent_store_schema_version(ent_store_t *store);

/* Begins the turn's write transaction, first growing the map when it is
 * more than 80 % used (skipped, and logged, when it cannot: another
 * thread's transaction, ent_store_thread_hold).  Re-entrant within a turn:
 * while the turn's transaction is open, a second call returns it again
 * (the same *txn, nothing begun) — the loop's participants all work in
 * it.  Loop thread only.  Returns 0 and *txn, or an LMDB code (EINVAL,
 * MDB_PANIC, ENOMEM ... from mdb_txn_begin; MDB_MAP_RESIZED is handled by
 * adopting the file's size). */
int ent_store_begin(ent_store_t *store, MDB_txn **txn);

/* Commits the transaction begun by ent_store_begin.  Returns 0, or:
 *   MDB_MAP_FULL — the map was grown; the caller must redo the turn;
 *   another code — the turn is lost (nothing was written).
 * The transaction is gone in every case (never abort it after this). */
int ent_store_commit(ent_store_t *store);

/* Aborts the current transaction.  When rc is MDB_MAP_FULL (a put failed)
 * the map is grown so that the caller can redo the turn.  Safe without a
 * transaction.  Returns 0, or the error of the growth. */
int ent_store_abort(ent_store_t *store, int rc);

/* The transaction of the current turn, or NULL outside a turn. */
MDB_txn *ent_store_txn(ent_store_t *store);

/* A number of the current turn's transaction, different for each one
 * begun (LMDB reuses the same MDB_txn for every write transaction, and an
 * aborted one and the next have the same mdb_txn_id): what a memo of what
 * was read in a transaction is keyed on.  0 outside a turn. */
uint64_t ent_store_txn_serial(const ent_store_t *store);

/* Read-only transaction for work outside a turn (e.g. a backup, a scrape).
 * Returns 0 or an LMDB code; end it with mdb_txn_abort. */
int ent_store_read(ent_store_t *store, MDB_txn **txn);

/* Doubles the map size (up to 1 TiB).  No transaction of the loop may be
 * active; other threads' transactions are waited for by nobody: when a
 * thread holds the resize lock (ent_store_thread_hold) the map is left as
 * it is.  Returns 0, EBUSY (the loop's turn is open, or another thread
 * holds a transaction: the next turn tries again), MDB_MAP_FULL (at the
 * 1 TiB limit) or an LMDB code. */
int ent_store_grow(ent_store_t *store);

/* Threads other than the loop's that open transactions on a store's
 * environment (the gateway's HTTP workers and webhook sender, a backup)
 * hold this process' resize lock, shared, for each transaction's whole
 * life: LMDB forbids changing the map size while any transaction of the
 * process is open (mdb_env_set_mapsize), and the loop grows the map only
 * when no thread holds the lock.  Holds nest within a thread.  Never
 * fails (an error of the lock aborts: it cannot happen with these
 * calls). */
void ent_store_thread_hold(void);
void ent_store_thread_release(void);

/* Hot, compacted copy into dir (created mode 0700 when missing, its parent
 * must exist; it must hold no data.mdb), written as dir/data.mdb mode 0600
 * and synced; safe on a worker thread (it reads through its own read-only
 * transaction).  Returns 0, an errno (ENOENT: no such parent directory,
 * EEXIST: a copy is already there, EACCES...) or an LMDB code; a failed
 * copy leaves no file (a directory it created stays, empty). */
int ent_store_backup(ent_store_t *store, const char *dir);

/* Counters and map usage (map_used is read from the environment). */
void ent_store_stats(ent_store_t *store, ent_store_stats_t *out);

/* Meta helpers: a uint64 under key in "meta" (absent = 0). */
int ent_store_meta_get_u64(MDB_txn *txn, const ent_store_t *store, const char *key, uint64_t *out);
int ent_store_meta_put_u64(MDB_txn *txn, const ent_store_t *store, const char *key, uint64_t value);

/* Calls fn(key, value, arg) for every entry of dbi in key order, inside
 * txn (a turn's or a read-only one).  fn returns 0 to go on; anything else
 * stops the walk and is returned as it is.  Returns 0 after the last entry
 * (an empty database included), fn's non-zero value, or the LMDB code of
 * opening or moving the cursor (EINVAL for a bad dbi). */
typedef int (*ent_store_walk_fn)(const MDB_val *key, const MDB_val *value, void *arg);
int ent_store_walk(MDB_txn *txn, MDB_dbi dbi, ent_store_walk_fn fn, void *arg);

/* Positions cur on the first entry whose key comes strictly after `after`
 * (a NUL-terminated key; "" = the first entry), filling *k and *v: where a
 * walk done a chunk per turn resumes.  Returns 0, MDB_NOTFOUND when no
 * entry follows, or another LMDB code. */
int ent_store_cursor_after(MDB_cursor *cur, const char *after, MDB_val *k, MDB_val *v);

/* mkdir -p: dir and its missing parents, each created with mode (existing
 * ones are left as they are).  Returns 0, or an errno (ENAMETOOLONG beyond
 * 4095 bytes, EACCES, ENOTDIR ...). */
int ent_mkdirs(const char *dir, mode_t mode);

/* Big-endian uint64 keys (sort numerically with the default comparator). */
void ent_be64_put(uint8_t out[8], uint64_t v);
uint64_t ent_be64_get(const uint8_t in[8]);

/* Big-endian uint32 (versions, counters inside keys). */
void ent_be32_put(uint8_t out[4], uint32_t v);
uint32_t ent_be32_get(const uint8_t in[4]);

/* A signed 32-bit value (a day number of date.h: negative before 1970)
 * written so that keys sort in its order: big-endian with the sign bit
 * flipped. */
void ent_key_day_put(uint8_t out[4], int32_t day);
int32_t ent_key_day_get(const uint8_t in[4]);

/* The pid of the process holding the instance lock of the store in dir:
 * 0 when nobody holds it (or the store was never opened), getpid() when this
 * process does.  Does not take the lock.  Returns 0 and *pid, or an errno
 * code with *pid = 0: EAGAIN when the lock is held by a process whose pid
 * cannot be known here (another PID namespace that wrote no pid), or the
 * error of stat/open/fcntl on the lock file. */
int ent_store_lock_holder(const char *dir, pid_t *pid);

/* BULK LOAD.  A store that is a projection of other daemons' events (it can
 * always be rebuilt from them: analytics) may be filled without a sync per
 * commit.  On a rebuild's scale the syncs are a sixth of the time, and
 * pages rewritten from turn to turn are written back once instead of at
 * every commit (docs/analytics.md, Performance).  Integrity is kept by a
 * marker, ENT_STORE_BULK_FILE in the store directory, on the disk before
 * the first unsynced commit and removed only once everything is synced:
 *   - ent_store_open finding a marker of this boot (the process died, the
 *     kernel still holds every page written): keeps the store, syncs it,
 *     removes the marker ("store.bulk.kept");
 *   - a marker of another boot (the machine restarted: an arbitrary subset
 *     of the pages reached the disk) or one that cannot be read: removes
 *     data.mdb, then the marker ("store.bulk.discarded") — the store opens
 *     empty and its owner rebuilds it;
 *   - ent_store_close during a bulk load ends it (ent_store_bulk_end).
 * Only a store whose loss costs a rebuild may use this. */
#define ENT_STORE_BULK_FILE "bulk-load"

/* Starts a bulk load outside a turn: writes and syncs the marker (with
 * this boot's id), then commits stop syncing.  Already started: 0.
 * Returns 0, EINVAL inside a turn, or errno / an LMDB code (no marker is
 * left and the store keeps syncing). */
int ent_store_bulk_begin(ent_store_t *store);

/* Ends a bulk load outside a turn: syncs everything committed, puts the
 * per-commit sync back (unless the store was opened nosync), removes the
 * marker.  Not started: 0.  Returns 0, EINVAL inside a turn, or an LMDB
 * code / errno (the load is then still under way: its marker stays). */
int ent_store_bulk_end(ent_store_t *store);

/* Whether a bulk load is under way. */
bool ent_store_bulk_active(const ent_store_t *store);

/* Syncs and closes, then releases the instance lock; *store_p is set to
 * NULL.  Safe on NULL.  Aborts an open transaction (its turn is lost, as
 * after a crash). */
void ent_store_close(ent_store_t **store_p);

#endif
