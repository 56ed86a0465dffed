/*  gw_pbjson.h — protobuf-c messages to JSON and back, driven by their
 *  descriptors, so that every API route speaks the daemons' messages
 *  (the .proto files) with the proto field names as JSON names.
 *
 *  Mapping (close to the proto3 JSON mapping):
 *    - integers, floats, bools: JSON numbers and booleans; enums: their
 *      value name ("INVALID_ARGUMENT"); bytes: lowercase hex;
 *    - entretiens.v1.Date: "YYYY-MM-DD";
 *    - repeated fields: arrays (always present, maybe empty);
 *    - singular fields holding their default (0, "", false, unset
 *      message) are left out;
 *    - string fields that carry a JSON document (employee_answers,
 *      manager_answers, template_json) are embedded as JSON when they
 *      parse (gw_pbjson_is_json_field);
 *  Strings are sanitised to valid UTF-8 (common/event_json.h ent_json_str).
 */
#ifndef GW_PBJSON_H
#define GW_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* True for the string fields that hold JSON text (embedded as JSON). */
int gw_pbjson_is_json_field(const char *name);

/* The JSON object of msg.  Returns NULL only when memory is short. */
json_t *gw_pbjson_from_message(const ProtobufCMessage *msg);

typedef struct {
    char field[128];     /* the offending field, dotted for nested ones ("due_date") */
    char reason[256];
} gw_pbjson_error_t;

/* Builds a message of type desc from a JSON object (NULL = empty message).
 * Unknown fields, wrong JSON types, malformed dates and integers out of
 * range are refused.  A string field given a JSON object or array gets its
 * compact text (answers).  Returns 0 with *out (free with
 * protobuf_c_message_free_unpacked(*out, NULL)), or -1 with err filled. */
int gw_pbjson_to_message(const json_t *obj, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
                         gw_pbjson_error_t *err);

#endif
