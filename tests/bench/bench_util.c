/*  bench_util.c — see bench_util.h. */
#include "bench_util.h"

#include "proto/envelope.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

long bench_status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    FILE *f = fopen(path, "r");
    long v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0)
            v = atol(line + strlen(field) + 1);
    fclose(f);
    return v;
}

void bench_send_request(void *sock, uint64_t id, const char *method, const char *caller, const uint8_t *payload,
                        size_t len)
{
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = id;
    req.method = (char *) method;
    req.caller = (char *) caller;
    req.payload.data = (uint8_t *) payload;
    req.payload.len = len;
    size_t size = entretiens__v1__request__get_packed_size(&req);
    zmq_msg_t m;
    zmq_msg_init_size(&m, size);
    entretiens__v1__request__pack(&req, zmq_msg_data(&m));
    zmq_msg_send(&m, sock, 0);
}

static char s_keys_dir[4200];

int bench_keys(const char *dir)
{
    static const char *const daemons[] = { "scheduler", "records", "notifier", "analytics", "producer", "consumer" };
    snprintf(s_keys_dir, sizeof s_keys_dir, "%s/keys", dir);
    char err[512];
    for (size_t i = 0; i <= sizeof daemons / sizeof *daemons; i++) {
        bool client = i == sizeof daemons / sizeof *daemons;
        ent_keypair_t kp;
        ent_key_t k = { .daemon = !client, .may_assert = client };
        if (ent_keypair_new(&kp) != 0) {
            fprintf(stderr, "bench: libzmq has no CURVE\n");
            return -1;
        }
        const char *name = client ? "bench" : daemons[i];
        snprintf(k.name, sizeof k.name, "%s", name);
        snprintf(k.principal, sizeof k.principal, "%s:%s", client ? "admin" : "service", name);
        snprintf(k.allow, sizeof k.allow, "%s", client ? "*" : "events.replay,health");
        memcpy(k.public_key, kp.public_key, sizeof k.public_key);
        if (ent_key_write(s_keys_dir, &k, &kp, err, sizeof err) != 0) {
            fprintf(stderr, "bench: %s\n", err);
            return -1;
        }
    }
    if (ent_master_key_create(s_keys_dir, "records", err, sizeof err) != 0) { /* records' content at rest */
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    setenv("ENTRETIENS_KEYS_DIR", s_keys_dir, 1);
    unsetenv("ENTRETIENS_INSECURE");
    return 0;
}

int bench_curve(const char *daemon, ent_curve_client_t *out)
{
    char err[512];
    ent_keypair_t own;
    ent_keyring_t *ring = NULL;
    int rc = ent_keypair_load(s_keys_dir, "bench", &own, err, sizeof err);
    if (!rc && !(ring = ent_keyring_load(s_keys_dir, err, sizeof err)))
        rc = -1;
    if (!rc && ent_keyring_client(ring, &own, daemon, out) != 0) {
        snprintf(err, sizeof err, "no key for %s", daemon);
        rc = -1;
    }
    ent_keyring_destroy(&ring);
    if (rc)
        fprintf(stderr, "bench: %s\n", err);
    return rc;
}
