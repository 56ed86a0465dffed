/*  pbfast.h — protobuf-c's unpacking, the common case in one pass.
 *
 *  protobuf_c_message_unpack reads a message twice (a pass to count the
 *  repeated fields and note where each field is, then one to parse them),
 *  looks every field number up in the descriptor by a binary search and
 *  checks required fields: for the small flat messages every consumer
 *  unpacks for every event (the envelope, an obligation, an employee
 *  record) that was about a tenth of records' catch-up.  This reads the
 *  same descriptors in one pass, expecting the fields in the order of their
 *  numbers (the order protobuf-c writes them), into memory from an arena.
 *
 *  It handles proto3 messages whose fields are singular strings, bytes,
 *  int32, uint32, int64, uint64, bools and messages of the same kind.  For
 *  anything else — a repeated field, a oneof, another type, a field
 *  number the descriptor does not know, a message field seen twice (left
 *  to protobuf-c's rule for it), a wire type that does not match, input cut short —
 *  it gives up and returns NULL, and ent_pbfast_unpack_or_pbc then asks
 *  protobuf-c, whose verdict stands.  Where it does not give up, the
 *  message is what protobuf-c would give, field for field
 *  (tests/unit/test_pbfast.c, every field through the descriptors, and
 *  corrupted input).  Both return the message as void * (the caller's
 *  type, as ent_rpc_unpack does).
 */
#ifndef ENT_PBFAST_H
#define ENT_PBFAST_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* Unpacks data[0, len) as a desc message into memory from al, which must
 * be an arena's allocator (common/pbarena.h: pieces are not freed one by
 * one when it gives up half-way).  Returns the message (give it back with
 * the arena's reset, or free_unpacked with al), or NULL when it gives up
 * (see above) or al->alloc fails. */
void *ent_pbfast_unpack(const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *al, size_t len,
                        const uint8_t *data);

/* ent_pbfast_unpack, else protobuf_c_message_unpack with the same
 * allocator (al NULL: protobuf-c with the heap, directly). */
void *ent_pbfast_unpack_or_pbc(const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *al, size_t len,
                               const uint8_t *data);

#endif
