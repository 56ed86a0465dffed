/*  pbarena.c — a reusable block for short-lived unpacked messages
 *  (pbarena.h). */
#include "common/pbarena.h"

#include <stdint.h>
#include <stdlib.h>

struct ent_pbarena {
    ProtobufCAllocator alloc;
    uint8_t *block;
    size_t size, used;
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
    return malloc(n ? n : 1); /* does not fit: the heap, freed by s_free */
}

static void s_free(void *arg, void *p)
{
    ent_pbarena_t *a = arg;
    uintptr_t u = (uintptr_t) p, b = (uintptr_t) a->block;
    if (u >= b && u < b + a->size)
        return; /* in the block: given back all at once by the reset */
    free(p);
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
    a->used = 0;
}

void ent_pbarena_destroy(ent_pbarena_t **a_p)
{
    if (!a_p || !*a_p)
        return;
    free((*a_p)->block);
    free(*a_p);
    *a_p = NULL;
}
