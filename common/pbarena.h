/*  pbarena.h — a ProtobufCAllocator for messages unpacked, read and freed
 *  at once (one event of a turn): the pieces of a message come from one
 *  block reused from message to message instead of a malloc and a free
 *  each (protobuf-c allocates every string, bytes field and sub-message).
 *  What does not fit in the block is malloc'd, and freed by free_unpacked
 *  or by the reset, so a message of any size unpacks.
 *
 *  Use: unpack with ent_pbarena_allocator(a), then ent_pbarena_reset(a)
 *  before the next message.  free_unpacked with the same allocator before
 *  the reset is allowed, not needed (it walks the whole message to give
 *  back pieces the reset gives back at once).  Not thread-safe: one arena
 *  per thread of use.
 */
#ifndef ENT_PBARENA_H
#define ENT_PBARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct ent_pbarena ent_pbarena_t;

/* An arena with a block of size bytes.  NULL on ENOMEM. */
ent_pbarena_t *ent_pbarena_new(size_t size);

/* An arena for many messages kept together (the live events of a turn):
 * a piece that does not fit in the chunk being filled starts another
 * chunk of the same size, when it is at most a quarter of it (a larger one
 * comes from the heap, as above).  The reset keeps the first keep chunks
 * (1 when 0) for the next messages and frees the others.  NULL on ENOMEM. */
ent_pbarena_t *ent_pbarena_new_growing(size_t chunk, size_t keep);

/* The allocator to unpack and free_unpacked with; NULL (protobuf-c's
 * default, the heap) when a is NULL. */
ProtobufCAllocator *ent_pbarena_allocator(ent_pbarena_t *a);

/* Gives back a message unpacked with ent_pbarena_allocator(a): the reset
 * of a (everything else in it goes too), or free_unpacked when a is NULL.
 * m may be NULL (after a failed unpack, what it took). */
void ent_pbarena_release(ent_pbarena_t *a, ProtobufCMessage *m);

/* The block (every chunk) is free again, and what did not fit in it is
 * freed: no message unpacked with the arena may be used after. */
void ent_pbarena_reset(ent_pbarena_t *a);

/* Frees the arena; *a_p set to NULL (NULL is accepted). */
void ent_pbarena_destroy(ent_pbarena_t **a_p);

#endif
