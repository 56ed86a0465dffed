/*  test_rng.h — the reproducible random numbers of the unit tests that
 *  compare a hand-written codec with protobuf-c over random messages
 *  (test_hand_pack.c, test_records_pack.c, test_pbfast.c): xorshift64, a
 *  fixed seed per test file, so that a failing round can be replayed. */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdint.h>

/* The next number of the sequence whose state is *s (never 0). */
static inline uint64_t test_rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#endif
