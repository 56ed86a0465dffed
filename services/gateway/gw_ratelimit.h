/*  gw_ratelimit.h — token buckets keyed by a string (a principal, a client
 *  address), shared by the API's worker threads.
 *
 *  Each key gets a bucket of `burst` tokens refilled at `per_second`; a
 *  request takes one.  The table has a fixed number of slots (no growth,
 *  no allocation per request): a new key takes an empty slot or the one
 *  idle the longest among a few probed, so an attacker cycling through
 *  addresses evicts idle buckets, never gets more than `burst` at once per
 *  key, and cannot make the table grow.  Thread-safe (one mutex; the work
 *  under it is a few comparisons).
 */
#ifndef GW_RATELIMIT_H
#define GW_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct gw_ratelimit gw_ratelimit_t;

/* A table of slots buckets (rounded up to a power of two, at least 64).
 * per_second 0 disables the limit (every take succeeds).  Returns NULL when
 * memory is short. */
gw_ratelimit_t *gw_ratelimit_new(uint32_t per_second, uint32_t burst, uint32_t slots);

/* Takes one token for key at now_ms.  Returns true when allowed; false with
 * *retry_after_s (at least 1) when the bucket is empty. */
bool gw_ratelimit_take(gw_ratelimit_t *rl, const char *key, int64_t now_ms, uint32_t *retry_after_s);

/* Frees; *rl_p = NULL; safe on NULL. */
void gw_ratelimit_destroy(gw_ratelimit_t **rl_p);

#endif
