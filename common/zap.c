/*  zap.c — the ZAP handler thread (zap.h). */
#include "common/zap.h"

#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FRAMES 7            /* version .. credentials (CURVE has one) */
#define ZAP_POLL_MS 100
#define ZAP_LOG_PER_SECOND 20

struct ent_zap {
    void *sock;
    ent_keyring_t *ring;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    atomic_uint_fast64_t allowed, denied, malformed;
    /* refusal log rate limit (handler thread only) */
    time_t log_second;
    unsigned logged, suppressed;
};

void ent_zap_domain(char *out, size_t size, const char *kind, const char *endpoint)
{
    snprintf(out, size, "%s %s", kind, endpoint ? endpoint : "");
}

static void s_log_denied(ent_zap_t *zap, const char *fingerprint, const char *domain, const char *address,
                         const char *why)
{
    time_t now = time(NULL);
    if (now != zap->log_second) {
        if (zap->suppressed)
            ent_log_warn("zap.denied", "%u more refused handshakes were not logged in the last second",
                         zap->suppressed);
        zap->log_second = now;
        zap->logged = zap->suppressed = 0;
    }
    if (zap->logged >= ZAP_LOG_PER_SECOND) {
        zap->suppressed++;
        return;
    }
    zap->logged++;
    ent_log_warn("zap.denied", "handshake refused: key %s on %.200s from %.64s: %s", fingerprint, domain, address,
                 why);
}

/* Copies a frame into a NUL-terminated string (truncated). */
static void s_frame_str(zmq_msg_t *m, char *out, size_t size)
{
    size_t n = zmq_msg_size(m) < size - 1 ? zmq_msg_size(m) : size - 1;
    memcpy(out, zmq_msg_data(m), n);
    out[n] = '\0';
}

/* Decides one request.  frames[0..n) are the request's frames. */
static void s_decide(ent_zap_t *zap, zmq_msg_t *frames, int n, const char **status, const char **text,
                     char *user_id, size_t user_size)
{
    *status = "500";
    *text = "malformed ZAP request";
    user_id[0] = '\0';
    if (n < 6 || zmq_msg_size(&frames[0]) != 3 || memcmp(zmq_msg_data(&frames[0]), "1.0", 3) != 0) {
        atomic_fetch_add(&zap->malformed, 1);
        ent_log_warn("zap.malformed", "a ZAP request that is not version 1.0 was refused");
        return;
    }
    char domain[256], address[64], mechanism[16];
    s_frame_str(&frames[2], domain, sizeof domain);
    s_frame_str(&frames[3], address, sizeof address);
    s_frame_str(&frames[5], mechanism, sizeof mechanism);
    *status = "400";
    if (strcmp(mechanism, "CURVE") != 0 || n != 7 || zmq_msg_size(&frames[6]) != 32) {
        atomic_fetch_add(&zap->denied, 1);
        *text = "CURVE with a client key is required";
        s_log_denied(zap, "none", domain, address, *text);
        return;
    }
    char z85[ENT_KEY_Z85], fingerprint[ENT_KEY_FINGERPRINT];
    zmq_z85_encode(z85, zmq_msg_data(&frames[6]), 32);
    ent_key_fingerprint(z85, fingerprint);
    ent_key_t key;
    bool events = strncmp(domain, ENT_ZAP_DOMAIN_EVENTS " ", sizeof ENT_ZAP_DOMAIN_EVENTS) == 0;
    bool rpc = strncmp(domain, ENT_ZAP_DOMAIN_RPC " ", sizeof ENT_ZAP_DOMAIN_RPC) == 0;
    if (!events && !rpc) {
        *text = "unknown ZAP domain";
    } else if (ent_keyring_find_public(zap->ring, z85, &key) != 0) {
        *text = "unknown key";
    } else if (events && !key.daemon) {
        *text = "events are for daemons' own keys";
    } else {
        atomic_fetch_add(&zap->allowed, 1);
        *status = "200";
        *text = "OK";
        snprintf(user_id, user_size, "%s", key.name);
        return;
    }
    atomic_fetch_add(&zap->denied, 1);
    s_log_denied(zap, fingerprint, domain, address, *text);
}

static int s_send(void *sock, const void *data, size_t len, int more)
{
    return zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static void *s_run(void *arg)
{
    ent_zap_t *zap = arg;
    while (!atomic_load(&zap->stop)) {
        zmq_pollitem_t item = { zap->sock, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll(&item, 1, ZAP_POLL_MS);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0 && errno == ETERM)
            break;
        if (rc < 0)
            goto fatal;
        if (rc == 0)
            continue;
        zmq_msg_t frames[ZAP_FRAMES];
        int n = 0, more = 1, total = 0;
        while (more) {
            zmq_msg_t tmp, *m = n < ZAP_FRAMES ? &frames[n] : &tmp;
            zmq_msg_init(m);
            if (zmq_msg_recv(m, zap->sock, 0) < 0) {
                zmq_msg_close(m);
                if (errno == ETERM)
                    goto out_frames;
                if (errno == EINTR)
                    continue;
                for (int i = 0; i < n; i++)
                    zmq_msg_close(&frames[i]);
                goto fatal;
            }
            more = zmq_msg_more(m);
            total++;
            if (m == &tmp)
                zmq_msg_close(&tmp);
            else
                n++;
        }
        {
            const char *status, *text;
            char user_id[ENT_KEY_NAME_MAX + 1];
            s_decide(zap, frames, total > ZAP_FRAMES ? 0 : n, &status, &text, user_id, sizeof user_id);
            /* the reply echoes the request id (frame 1), or an empty one
             * when the request was too short to have one */
            bool has_id = n >= 2;
            if (s_send(zap->sock, "1.0", 3, 1) != 0 ||
                s_send(zap->sock, has_id ? zmq_msg_data(&frames[1]) : "", has_id ? zmq_msg_size(&frames[1]) : 0,
                       1) != 0 ||
                s_send(zap->sock, status, 3, 1) != 0 || s_send(zap->sock, text, strlen(text), 1) != 0 ||
                s_send(zap->sock, user_id, strlen(user_id), 1) != 0 || s_send(zap->sock, "", 0, 0) != 0) {
                for (int i = 0; i < n; i++)
                    zmq_msg_close(&frames[i]);
                if (errno == ETERM)
                    break;
                goto fatal;
            }
        }
    out_frames:
        for (int i = 0; i < n; i++)
            zmq_msg_close(&frames[i]);
    }
    return NULL;
fatal:
    /* without its handler libzmq would admit any client: stop the process
     * (the orchestrator restarts it) rather than serve unauthenticated */
    ent_log_error("zap.failed", "the ZAP handler failed (%s): aborting rather than accept unauthenticated clients",
                  zmq_strerror(errno));
    abort();
}

ent_zap_t *ent_zap_new(void *zctx, ent_keyring_t *ring)
{
    ent_zap_t *zap = calloc(1, sizeof *zap);
    if (!zap)
        return NULL;
    zap->ring = ring;
    atomic_init(&zap->stop, false);
    atomic_init(&zap->allowed, 0);
    atomic_init(&zap->denied, 0);
    atomic_init(&zap->malformed, 0);
    zap->sock = zmq_socket(zctx, ZMQ_REP);
    if (!zap->sock)
        goto fail;
    int linger = 0;
    zmq_setsockopt(zap->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(zap->sock, ZAP_ENDPOINT) != 0) {
        ent_log_error("zap.bind", "cannot bind the ZAP handler: %s", zmq_strerror(errno));
        goto fail;
    }
    /* the socket moves to the handler's thread: pthread_create is a full
     * memory barrier, which is what zmq_socket(3) asks for a migration */
    if (pthread_create(&zap->thread, NULL, s_run, zap) != 0) {
        ent_log_error("zap.thread", "cannot start the ZAP handler thread");
        goto fail;
    }
    zap->started = true;
    return zap;
fail:
    if (zap->sock)
        zmq_close(zap->sock);
    free(zap);
    return NULL;
}

void ent_zap_stats(const ent_zap_t *zap, ent_zap_stats_t *out)
{
    ent_zap_t *z = (ent_zap_t *) zap;
    out->allowed = atomic_load(&z->allowed);
    out->denied = atomic_load(&z->denied);
    out->malformed = atomic_load(&z->malformed);
}

void ent_zap_destroy(ent_zap_t **zap_p)
{
    if (!zap_p || !*zap_p)
        return;
    ent_zap_t *zap = *zap_p;
    if (zap->started) {
        atomic_store(&zap->stop, true);
        pthread_join(zap->thread, NULL);
    }
    /* joined: the socket is back with this thread */
    zmq_close(zap->sock);
    free(zap);
    *zap_p = NULL;
}
