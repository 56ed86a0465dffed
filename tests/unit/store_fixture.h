/*  store_fixture.h — a real LMDB store in a fresh temporary folder for one
 *  test, removed with everything in it after (header only). */
#ifndef TEST_STORE_FIXTURE_H
#define TEST_STORE_FIXTURE_H

#include "common/store.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* Opens a store of up to 20 databases under /tmp/ent_test_<tag>_XXXXXX,
 * whose path is written to root (64 bytes). */
static inline ent_store_t *fx_store_open(char root[64], const char *tag)
{
    snprintf(root, 64, "/tmp/ent_test_%s_XXXXXX", tag);
    cr_assert_not_null(mkdtemp(root));
    int err = 0;
    ent_store_t *store = ent_store_open(root, 20, 16, true, &err);
    cr_assert_not_null(store, "store: %d", err);
    return store;
}

static inline int fx_store_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st, (void) type, (void) ftw;
    return remove(path);
}

/* Closes *store (NULLed) and removes root. */
static inline void fx_store_close(ent_store_t **store, const char *root)
{
    ent_store_close(store);
    nftw(root, fx_store_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
