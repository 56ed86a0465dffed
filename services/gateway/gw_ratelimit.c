/*  gw_ratelimit.c — fixed-size table of token buckets (gw_ratelimit.h). */
#include "gw_ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 80
#define PROBES 8

typedef struct {
    char key[KEY_MAX];
    double tokens;
    int64_t last_ms;     /* last refill; 0 = empty slot */
} s_bucket_t;

struct gw_ratelimit {
    pthread_mutex_t mu;
    uint32_t per_second, burst, mask;
    s_bucket_t *slots;
};

gw_ratelimit_t *gw_ratelimit_new(uint32_t per_second, uint32_t burst, uint32_t slots)
{
    gw_ratelimit_t *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    uint32_t n = 64;
    while (n < slots && n < (1u << 24))
        n <<= 1;
    rl->slots = calloc(n, sizeof *rl->slots);
    if (!rl->slots) {
        free(rl);
        return NULL;
    }
    rl->mask = n - 1;
    rl->per_second = per_second;
    rl->burst = burst ? burst : 1;
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

/* FNV-1a */
static uint32_t s_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t) *s) * 16777619u;
    return h;
}

bool gw_ratelimit_take(gw_ratelimit_t *rl, const char *key, int64_t now_ms, uint32_t *retry_after_s)
{
    if (!rl || rl->per_second == 0)
        return true;
    char k[KEY_MAX];
    snprintf(k, sizeof k, "%s", key); /* longer keys share a bucket with their prefix: harmless */
    uint32_t h = s_hash(k);
    bool ok;
    pthread_mutex_lock(&rl->mu);
    s_bucket_t *b = NULL, *oldest = NULL;
    for (uint32_t i = 0; i < PROBES; i++) {
        s_bucket_t *s = &rl->slots[(h + i) & rl->mask];
        if (s->last_ms && strcmp(s->key, k) == 0) {
            b = s;
            break;
        }
        if (!oldest || s->last_ms < oldest->last_ms)
            oldest = s;
    }
    if (!b) { /* a new key: an empty slot, or the one idle the longest */
        b = oldest;
        memcpy(b->key, k, sizeof b->key);
        b->tokens = rl->burst;
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double) (now_ms - b->last_ms) * rl->per_second / 1000.0;
        if (b->tokens > rl->burst)
            b->tokens = rl->burst;
        b->last_ms = now_ms;
    }
    if (b->tokens >= 1) {
        b->tokens -= 1;
        ok = true;
    } else {
        ok = false;
        if (retry_after_s) {
            double wait = (1 - b->tokens) / rl->per_second;
            uint32_t s = (uint32_t) wait + 1;
            *retry_after_s = s;
        }
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

void gw_ratelimit_destroy(gw_ratelimit_t **rl_p)
{
    if (!rl_p || !*rl_p)
        return;
    pthread_mutex_destroy(&(*rl_p)->mu);
    free((*rl_p)->slots);
    free(*rl_p);
    *rl_p = NULL;
}
