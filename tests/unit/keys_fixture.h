/*  keys_fixture.h — CurveZMQ keys for the unit tests (header only): a keys
 *  directory as `entretiensctl keys init/add` writes it, and a client's
 *  CURVE settings read back from it. */
#ifndef TEST_KEYS_FIXTURE_H
#define TEST_KEYS_FIXTURE_H

#include "common/keys.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* Writes DIR/NAME.pub and DIR/NAME.secret. */
static inline void fx_key(const char *dir, const char *name, const char *principal, bool may_assert, bool daemon,
                          const char *allow)
{
    ent_keypair_t kp;
    cr_assert_eq(ent_keypair_new(&kp), 0, "CURVE is not available");
    ent_key_t k = { .may_assert = may_assert, .daemon = daemon };
    snprintf(k.name, sizeof k.name, "%s", name);
    snprintf(k.principal, sizeof k.principal, "%s", principal);
    snprintf(k.allow, sizeof k.allow, "%s", allow);
    memcpy(k.public_key, kp.public_key, sizeof k.public_key);
    char err[512];
    cr_assert_eq(ent_key_write(dir, &k, &kp, err, sizeof err), 0, "%s", err);
}

/* The CURVE settings of client (a key name in dir) to reach server. */
static inline void fx_curve(const char *dir, const char *client, const char *server, ent_curve_client_t *out)
{
    char err[512];
    ent_keypair_t own;
    cr_assert_eq(ent_keypair_load(dir, client, &own, err, sizeof err), 0, "%s", err);
    ent_keyring_t *ring = ent_keyring_load(dir, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    cr_assert_eq(ent_keyring_client(ring, &own, server, out), 0, "no key %s", server);
    ent_keyring_destroy(&ring);
}

#endif
