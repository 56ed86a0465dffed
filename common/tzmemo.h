/*  tzmemo.h — tells a per-thread memo of local-time conversions whether the
 *  process' time zone changed since the memo was filled.
 *
 *  localtime_r and mktime re-read TZ (and, through tzset, the zone file)
 *  under a lock on every call: a hot path that converts the same instants
 *  again and again (the notifier plans every reminder step at 9:00 of a
 *  day) keeps its answers instead, and empties them when TZ changes — a
 *  test switches zones mid-process, a daemon never does.  The key is the
 *  value of TZ (unset is a value of its own), so setting TZ to what it was
 *  keeps the memo.  Not shared between threads: one key per memo, the memo
 *  _Thread_local.
 */
#ifndef ENT_TZMEMO_H
#define ENT_TZMEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest TZ value a memo is kept for; a longer one memoises nothing. */
#define ENT_TZMEMO_MAX 127

typedef struct {
    bool filled;                     /* taken at least once */
    bool set;                        /* TZ was set */
    char value[ENT_TZMEMO_MAX + 1];
    char **env;                      /* environ when taken */
    const char *entry;               /* "TZ=..." in it (NULL: unset) */
    size_t slot;                     /* its index there */
} ent_tzmemo_key_t;

/* True when TZ is what it was when key was last taken: the memo's answers
 * hold.  Else false, and key now holds the current TZ: the caller empties
 * its memo before filling it again.  A key never taken (zeroed) is not the
 * same.  A TZ longer than ENT_TZMEMO_MAX is never the same (the caller
 * converts every time).  Cost: while environ is the same array with TZ's
 * entry at the same place, two comparisons and a strcmp (getenv walks the
 * environment: a daemon's holds about a hundred entries, TZ last, which
 * was most of the cost); else a search of environ as getenv's.
 * Assumes the environment is not emptied with clearenv and rebuilt
 * between two calls (a new, shorter array could then sit at the old
 * address): nothing in entretiens clears it. */
bool ent_tzmemo_same(ent_tzmemo_key_t *key);

/* The slots of a direct-mapped memo (date.c, calendar.c). */
#define ENT_TZMEMO_SLOTS 256

/* The slot of key: hashed, because the keys asked are often a whole number
 * of days apart (1440 minutes, 24 hours share factors with any power of 2). */
static inline size_t ent_tzmemo_slot(uint64_t key)
{
    return (size_t) ((key * UINT64_C(0x9E3779B97F4A7C15)) >> 56); /* 8 bits: ENT_TZMEMO_SLOTS */
}

#endif
