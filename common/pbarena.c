/*  pbarena.c — a reusable block for short-lived unpacked messages
 *  (pbarena.h). */
#include "common/pbarena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct ent_pbarena {
    ProtobufCAllocator alloc;
    uint8_t *block;           /* the chunk being filled (chunks[cur] when growing) */
    size_t size, used;
    void **big;               /* what did not fit in the block, freed by the reset */
    size_t n_big, cap_big;
    /* growing (ent_pbarena_new_growing): chunks[0] is the first block */
    bool grow;
    uint8_t **chunks;
    size_t n_chunks, cap_chunks, cur, keep;
};

#define ALIGN 16

static size_t s_round(size_t n)
{
    return (n + ALIGN - 1) & ~(size_t) (ALIGN - 1);
}

/* Moves to the next chunk (kept from an earlier turn, or new).  Returns
 * false on ENOMEM (the piece then comes from the heap). */
static bool s_next_chunk(ent_pbarena_t *a)
{
    if (a->cur + 1 == a->n_chunks) {
        if (a->n_chunks == a->cap_chunks) {
            size_t cap = a->cap_chunks * 2;
            uint8_t **chunks = realloc(a->chunks, cap * sizeof *chunks);
            if (!chunks)
                return false;
            a->chunks = chunks;
            a->cap_chunks = cap;
        }
        uint8_t *c = aligned_alloc(ALIGN, a->size);
        if (!c)
            return false;
        a->chunks[a->n_chunks++] = c;
    }
    a->block = a->chunks[++a->cur];
    a->used = 0;
    return true;
}

static void *s_alloc(void *arg, size_t n)
{
    ent_pbarena_t *a = arg;
    size_t need = s_round(n);
    if (need >= n && need <= a->size - a->used) {
        void *p = a->block + a->used;
        a->used += need;
        return p;
    }
    /* a small piece of a growing arena: a fresh chunk (what is left of
     * this one is wasted, at most a quarter of it) */
    if (a->grow && need >= n && need <= a->size / 4 && s_next_chunk(a)) {
        a->used = need;
        return a->block;
    }
    /* does not fit: the heap, freed by s_free or by the reset */
    if (a->n_big == a->cap_big) {
        size_t cap = a->cap_big ? a->cap_big * 2 : 8;
        void **big = realloc(a->big, cap * sizeof *big);
        if (!big)
            return NULL;
        a->big = big;
        a->cap_big = cap;
    }
    void *p = malloc(n ? n : 1);
    if (p)
        a->big[a->n_big++] = p;
    return p;
}

static void s_free(void *arg, void *p)
{
    ent_pbarena_t *a = arg;
    uintptr_t u = (uintptr_t) p, b = (uintptr_t) a->block;
    if (!p || (u >= b && u < b + a->size))
        return; /* in the block: given back all at once by the reset */
    /* from the heap, or from another chunk (a no-op, as the block) */
    for (size_t i = a->n_big; i-- > 0;)
        if (a->big[i] == p) {
            a->big[i] = a->big[--a->n_big];
            free(p);
            return;
        }
}

static ent_pbarena_t *s_new(size_t size)
{
    ent_pbarena_t *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    /* aligned so that every piece is */
    a->size = s_round(size ? size : ALIGN);
    a->block = aligned_alloc(ALIGN, a->size);
    if (!a->block) {
        free(a);
        return NULL;
    }
    a->alloc = (ProtobufCAllocator) { .alloc = s_alloc, .free = s_free, .allocator_data = a };
    return a;
}

ent_pbarena_t *ent_pbarena_new(size_t size)
{
    return s_new(size);
}

ent_pbarena_t *ent_pbarena_new_growing(size_t chunk, size_t keep)
{
    ent_pbarena_t *a = s_new(chunk);
    if (!a)
        return NULL;
    a->grow = true;
    a->keep = keep ? keep : 1;
    a->cap_chunks = 8;
    if (!(a->chunks = malloc(a->cap_chunks * sizeof *a->chunks))) {
        ent_pbarena_destroy(&a);
        return NULL;
    }
    a->chunks[0] = a->block;
    a->n_chunks = 1;
    return a;
}

ProtobufCAllocator *ent_pbarena_allocator(ent_pbarena_t *a)
{
    return a ? &a->alloc : NULL;
}

void ent_pbarena_release(ent_pbarena_t *a, ProtobufCMessage *m)
{
    if (a)
        ent_pbarena_reset(a);
    else if (m)
        protobuf_c_message_free_unpacked(m, NULL);
}

void ent_pbarena_reset(ent_pbarena_t *a)
{
    for (size_t i = 0; i < a->n_big; i++)
        free(a->big[i]);
    a->n_big = 0;
    a->used = 0;
    if (a->grow) {
        /* the chunks a busy turn needed serve the next one, up to keep */
        while (a->n_chunks > a->keep)
            free(a->chunks[--a->n_chunks]);
        a->cur = 0;
        a->block = a->chunks[0];
    }
}

void ent_pbarena_destroy(ent_pbarena_t **a_p)
{
    if (!a_p || !*a_p)
        return;
    ent_pbarena_t *a = *a_p;
    ent_pbarena_reset(a);
    free(a->big);
    if (a->chunks) {
        for (size_t i = 0; i < a->n_chunks; i++)
            free(a->chunks[i]);
        free(a->chunks);
    } else {
        free(a->block);
    }
    free(a);
    *a_p = NULL;
}
