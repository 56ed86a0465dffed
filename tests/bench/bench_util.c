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
