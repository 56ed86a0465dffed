/*  pbarena.c — a reusable block for short-lived unpacked messages
 *  (pbarena.h). */
#include "common/pbarena.h"

#include <stdint.h>
#include <stdlib.h>

struct ent_pbarena {
    ProtobufCAllocator alloc;
    uint8_t *block;
    size_t size, used;
    void **big;               /* what did not fit in the block, freed by the reset */
    size_t n_big, cap_big;
};

#define ALIGN 16

static void *s_alloc(void *arg, size_t n)
{
    ent_pbarena_t *a = arg;
    size_t need = (n + ALIGN - 1) & ~(size_t) (ALIGN - 1);
    if (need >= n && need <= a->size - a->used) {
        void *p = a->block + a->used;
        a->used += need;
        return p;
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
    for (size_t i = a->n_big; i-- > 0;)
        if (a->big[i] == p) {
            a->big[i] = a->big[--a->n_big];
            free(p);
            return;
        }
}

ent_pbarena_t *ent_pbarena_new(size_t size)
{
    ent_pbarena_t *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    /* aligned so that every piece is */
    a->block = aligned_alloc(ALIGN, (size + ALIGN - 1) & ~(size_t) (ALIGN - 1));
    if (!a->block) {
        free(a);
        return NULL;
    }
    a->size = (size + ALIGN - 1) & ~(size_t) (ALIGN - 1);
    a->alloc = (ProtobufCAllocator) { .alloc = s_alloc, .free = s_free, .allocator_data = a };
    return a;
}

ProtobufCAllocator *ent_pbarena_allocator(ent_pbarena_t *a)
{
    return &a->alloc;
}

void ent_pbarena_reset(ent_pbarena_t *a)
{
    for (size_t i = 0; i < a->n_big; i++)
        free(a->big[i]);
    a->n_big = 0;
    a->used = 0;
}

void ent_pbarena_destroy(ent_pbarena_t **a_p)
{
    if (!a_p || !*a_p)
        return;
    ent_pbarena_reset(*a_p);
    free((*a_p)->big);
    free((*a_p)->block);
    free(*a_p);
    *a_p = NULL;
}
