/*  msort.h — a bottom-up merge sort with the comparison inlined, for the
 *  daemons that sort a turn's writes by key before handing them to LMDB
 *  (services/analytics/an_batch.c, services/records/idxbatch.c): qsort
 *  calls its comparison through a pointer for each of n log n steps, which
 *  showed in their profiles.
 *
 *  ENT_MSORT_DEFINE(name, T, CTX, BEFORE, RUN) defines, in the including
 *  file:
 *
 *    static void name_merge(CTX ctx, const T *src, size_t lo, size_t mid,
 *                           size_t hi, T *dst);
 *      merges the sorted runs src[lo, mid) and src[mid, hi) into
 *      dst[lo, hi); on equal elements the first run's comes first.
 *
 *    static T *name_sort(CTX ctx, T *a, T *tmp, size_t n);
 *      sorts a[0, n) (stable; n log n whatever the input) using tmp[0, n)
 *      as room, runs of RUN by insertion first; returns a or tmp, whichever
 *      holds the result (the other is left in pieces).
 *
 *  BEFORE(ctx, x, y), for pointers x and y to elements, is true when *x
 *  sorts strictly before *y.
 */
#ifndef ENT_MSORT_H
#define ENT_MSORT_H

#include <stddef.h>

#define ENT_MSORT_DEFINE(name, T, CTX, BEFORE, RUN)                                                       \
    static void name##_merge(CTX ctx, const T *src, size_t lo, size_t mid, size_t hi, T *dst)             \
    {                                                                                                      \
        size_t i = lo, j = mid, o = lo;                                                                    \
        while (i < mid && j < hi)                                                                          \
            dst[o++] = BEFORE(ctx, &src[j], &src[i]) ? src[j++] : src[i++];                                \
        while (i < mid)                                                                                    \
            dst[o++] = src[i++];                                                                           \
        while (j < hi)                                                                                     \
            dst[o++] = src[j++];                                                                           \
    }                                                                                                      \
    static T *name##_sort(CTX ctx, T *a, T *tmp, size_t n)                                                 \
    {                                                                                                      \
        for (size_t lo = 0; lo < n; lo += (RUN)) {                                                         \
            size_t hi = lo + (RUN) < n ? lo + (RUN) : n;                                                   \
            for (size_t i = lo + 1; i < hi; i++) {                                                         \
                T x = a[i];                                                                                \
                size_t j = i;                                                                              \
                for (; j > lo && BEFORE(ctx, &x, &a[j - 1]); j--)                                          \
                    a[j] = a[j - 1];                                                                       \
                a[j] = x;                                                                                  \
            }                                                                                              \
        }                                                                                                  \
        T *src = a, *dst = tmp;                                                                            \
        for (size_t w = (RUN); w < n; w *= 2) {                                                            \
            for (size_t lo = 0; lo < n; lo += 2 * w) {                                                     \
                size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;                \
                name##_merge(ctx, src, lo, mid, hi, dst);                                                  \
            }                                                                                              \
            T *t = src;                                                                                    \
            src = dst;                                                                                     \
            dst = t;                                                                                       \
        }                                                                                                  \
        return src;                                                                                        \
    }

#endif
