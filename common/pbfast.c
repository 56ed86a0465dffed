/*  pbfast.c — one-pass unpacking of flat proto3 messages (pbfast.h). */
#include "pbfast.h"

#include "common/pbwire.h"

#include <string.h>

/* Depth of nested messages it follows (Date in Obligation in
 * ObligationEvent is 2). */
#define MAX_DEPTH 8

/* The field numbered id: the next one after *hint when the fields come in
 * order (the usual case), else the descriptor's binary search. */
static const ProtobufCFieldDescriptor *s_field(const ProtobufCMessageDescriptor *desc, uint64_t id, unsigned *hint)
{
    for (unsigned i = *hint; i < desc->n_fields; i++) {
        if (desc->fields[i].id == id) {
            *hint = i + 1;
            return &desc->fields[i];
        }
        if (desc->fields[i].id > id)
            break;
    }
    return id <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(desc, (unsigned) id) : NULL;
}

static ProtobufCMessage *s_unpack(const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *al, const uint8_t *p,
                                  const uint8_t *end, int depth)
{
    if (depth > MAX_DEPTH)
        return NULL;
    ProtobufCMessage *m = al->alloc(al->allocator_data, desc->sizeof_message);
    if (!m)
        return NULL;
    desc->message_init(m);
    unsigned hint = 0;
    while (p < end) {
        uint64_t tag, v = 0;
        if (!ent_pb_varint_get(&p, end, &tag))
            return NULL;
        const ProtobufCFieldDescriptor *fd = s_field(desc, tag >> 3, &hint);
        if (!fd || fd->label != PROTOBUF_C_LABEL_NONE || (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            return NULL; /* unknown (kept by protobuf-c), repeated, oneof */
        void *member = (char *) m + fd->offset;
        unsigned wire = (unsigned) (tag & 7);
        switch (fd->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_BOOL:
            if (wire != ENT_PB_VARINT || !ent_pb_varint_get(&p, end, &v))
                return NULL;
            if (fd->type == PROTOBUF_C_TYPE_INT32 || fd->type == PROTOBUF_C_TYPE_UINT32)
                *(uint32_t *) member = (uint32_t) v; /* the low 32 bits, as protobuf-c */
            else if (fd->type == PROTOBUF_C_TYPE_BOOL)
                *(protobuf_c_boolean *) member = v != 0;
            else
                *(uint64_t *) member = v;
            break;
        case PROTOBUF_C_TYPE_STRING:
        case PROTOBUF_C_TYPE_BYTES:
        case PROTOBUF_C_TYPE_MESSAGE: {
            if (wire != ENT_PB_LEN || !ent_pb_varint_get(&p, end, &v) || v > (uint64_t) (end - p))
                return NULL;
            size_t n = (size_t) v;
            if (fd->type == PROTOBUF_C_TYPE_STRING) {
                char *s = al->alloc(al->allocator_data, n + 1);
                if (!s)
                    return NULL;
                memcpy(s, p, n);
                s[n] = '\0';
                *(char **) member = s;
            } else if (fd->type == PROTOBUF_C_TYPE_BYTES) {
                ProtobufCBinaryData *b = member;
                b->len = n;
                b->data = NULL;
                if (n) {
                    if (!(b->data = al->alloc(al->allocator_data, n)))
                        return NULL;
                    memcpy(b->data, p, n);
                }
            } else {
                if (*(void **) member)
                    return NULL; /* seen twice: protobuf-c's rule for it */
                ProtobufCMessage *sub = s_unpack(fd->descriptor, al, p, p + n, depth + 1);
                if (!sub)
                    return NULL;
                *(ProtobufCMessage **) member = sub;
            }
            p += n;
            break;
        }
        default:
            return NULL; /* enums, fixed, signed, floats: protobuf-c */
        }
    }
    return m;
}

void *ent_pbfast_unpack(const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *al, size_t len,
                        const uint8_t *data)
{
    if (!al || (!data && len))
        return NULL;
    return s_unpack(desc, al, data, data + len, 0);
}

void *ent_pbfast_unpack_or_pbc(const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *al, size_t len,
                               const uint8_t *data)
{
    void *m = al ? ent_pbfast_unpack(desc, al, len, data) : NULL;
    return m ? m : protobuf_c_message_unpack(desc, al, len, data);
}
