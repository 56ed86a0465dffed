/*  gw_pbjson.c — descriptor-driven protobuf <-> JSON (gw_pbjson.h). */
#include "gw_pbjson.h"

#include "common/event_json.h"
#include "proto/envelope.pb-c.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_pbjson_is_json_field(const char *name)
{
    static const char *const names[] = { "employee_answers", "manager_answers", "template_json", NULL };
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* One value of field f at p (an element of a repeated field, or the field). */
static json_t *s_value(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: return json_integer(*(const int32_t *) p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return json_integer(*(const uint32_t *) p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: return json_integer(*(const int64_t *) p);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return json_integer((json_int_t) *(const uint64_t *) p);
    case PROTOBUF_C_TYPE_FLOAT: return json_real(*(const float *) p);
    case PROTOBUF_C_TYPE_DOUBLE: return json_real(*(const double *) p);
    case PROTOBUF_C_TYPE_BOOL: return json_boolean(*(const protobuf_c_boolean *) p);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *) p);
        return v ? json_string(v->name) : json_integer(*(const int *) p);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *) p;
        if (s && *s && gw_pbjson_is_json_field(f->name)) {
            json_t *doc = json_loads(s, JSON_DECODE_ANY, NULL);
            if (doc)
                return doc;
        }
        return ent_json_str(s);
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        char *hex = malloc(b->len * 2 + 1);
        if (!hex)
            return NULL;
        for (size_t i = 0; i < b->len; i++)
            snprintf(hex + 2 * i, 3, "%02x", b->data[i]);
        hex[b->len * 2] = '\0';
        json_t *j = json_string(hex);
        free(hex);
        return j;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *) p;
        if (!m)
            return json_null();
        if (m->descriptor == &entretiens__v1__date__descriptor)
            return ent_json_pbdate((const Entretiens__V1__Date *) m);
        return gw_pbjson_from_message(m);
    }
    }
    return json_null();
}

static size_t s_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return 8;
    case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* True when a singular field holds its default (left out of the JSON). */
static bool s_is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *) p;
        return !s || !*s;
    }
    case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *) p)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE: return *(ProtobufCMessage *const *) p == NULL;
    case PROTOBUF_C_TYPE_FLOAT: return *(const float *) p == 0;
    case PROTOBUF_C_TYPE_DOUBLE: return *(const double *) p == 0;
    default: {
        static const uint8_t zero[8];
        return memcmp(p, zero, s_size(f)) == 0;
    }
    }
}

json_t *gw_pbjson_from_message(const ProtobufCMessage *msg)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *) msg + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *) ((const char *) msg + f->quantifier_offset);
            const char *arr = *(char *const *) base;
            json_t *a = json_array();
            for (size_t k = 0; k < n && a; k++)
                json_array_append_new(a, s_value(f, arr + k * s_size(f)));
            json_object_set_new(o, f->name, a);
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
            f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) {
            if (!*(const protobuf_c_boolean *) ((const char *) msg + f->quantifier_offset))
                continue;
        } else if (s_is_default(f, base)) {
            continue;
        }
        json_object_set_new(o, f->name, s_value(f, base));
    }
    return o;
}

/* ------------------------------------------------------------- JSON in */

static int s_fail(gw_pbjson_error_t *err, const char *prefix, const char *field, const char *reason)
{
    if (prefix && *prefix)
        snprintf(err->field, sizeof err->field, "%s.%s", prefix, field);
    else
        snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->reason, sizeof err->reason, "%s", reason);
    return -1;
}

static int s_to_msg(const json_t *obj, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
                    const char *prefix, gw_pbjson_error_t *err);

/* Writes one JSON value v into p for field f.  Returns 0 or -1 (err). */
static int s_set(const ProtobufCFieldDescriptor *f, const json_t *v, void *p, const char *prefix,
                 gw_pbjson_error_t *err)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        if (!json_is_integer(v))
            return s_fail(err, prefix, f->name, "must be an integer");
        json_int_t x = json_integer_value(v);
        bool is_unsigned = f->type == PROTOBUF_C_TYPE_UINT32 || f->type == PROTOBUF_C_TYPE_FIXED32 ||
                           f->type == PROTOBUF_C_TYPE_UINT64 || f->type == PROTOBUF_C_TYPE_FIXED64;
        if (is_unsigned && x < 0)
            return s_fail(err, prefix, f->name, "must not be negative");
        if (s_size(f) == 4) {
            if (is_unsigned ? x > (json_int_t) UINT32_MAX : (x < INT32_MIN || x > INT32_MAX))
                return s_fail(err, prefix, f->name, "is out of range");
            if (is_unsigned)
                *(uint32_t *) p = (uint32_t) x;
            else
                *(int32_t *) p = (int32_t) x;
        } else if (is_unsigned) {
            *(uint64_t *) p = (uint64_t) x;
        } else {
            *(int64_t *) p = (int64_t) x;
        }
        return 0;
    }
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number(v))
            return s_fail(err, prefix, f->name, "must be a number");
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *) p = (float) json_number_value(v);
        else
            *(double *) p = json_number_value(v);
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(v))
            return s_fail(err, prefix, f->name, "must be true or false");
        *(protobuf_c_boolean *) p = json_is_true(v);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev = NULL;
        if (json_is_string(v))
            ev = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, json_string_value(v));
        if (!ev)
            return s_fail(err, prefix, f->name, "is not one of the allowed names");
        *(int *) p = ev->value;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        char *s;
        if (json_is_string(v))
            s = strdup(json_string_value(v));
        else if (json_is_object(v) || json_is_array(v))
            s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        else
            return s_fail(err, prefix, f->name, "must be a string");
        if (!s)
            return s_fail(err, prefix, f->name, "out of memory");
        *(char **) p = s;
        return 0;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return s_fail(err, prefix, f->name, "cannot be set through the API");
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *md = f->descriptor;
        if (md == &entretiens__v1__date__descriptor) {
            Entretiens__V1__Date *d = malloc(sizeof *d);
            if (!d)
                return s_fail(err, prefix, f->name, "out of memory");
            entretiens__v1__date__init(d);
            if (!json_is_string(v) || ent_pbdate_parse(json_string_value(v), d) != 0) {
                free(d);
                return s_fail(err, prefix, f->name, "must be a date YYYY-MM-DD");
            }
            *(ProtobufCMessage **) p = &d->base;
            return 0;
        }
        char sub[128];
        snprintf(sub, sizeof sub, "%s%s%s", prefix && *prefix ? prefix : "", prefix && *prefix ? "." : "", f->name);
        return s_to_msg(v, md, (ProtobufCMessage **) p, sub, err);
    }
    }
    return s_fail(err, prefix, f->name, "unsupported type");
}

static int s_to_msg(const json_t *obj, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
                    const char *prefix, gw_pbjson_error_t *err)
{
    *out = NULL;
    if (obj && !json_is_object(obj))
        return s_fail(err, "", prefix && *prefix ? prefix : "body", "must be a JSON object");
    ProtobufCMessage *m = calloc(1, desc->sizeof_message);
    if (!m)
        return s_fail(err, prefix, "body", "out of memory");
    protobuf_c_message_init(desc, m);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) obj, key, v) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, key);
        if (!f) {
            s_fail(err, prefix, key, "unknown field");
            goto fail;
        }
        if (json_is_null(v))
            continue;
        char *base = (char *) m + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!json_is_array(v)) {
                s_fail(err, prefix, key, "must be an array");
                goto fail;
            }
            size_t n = json_array_size(v);
            char *arr = n ? calloc(n, s_size(f)) : NULL;
            if (n && !arr) {
                s_fail(err, prefix, key, "out of memory");
                goto fail;
            }
            *(char **) base = arr;
            size_t *count = (size_t *) ((char *) m + f->quantifier_offset);
            for (size_t k = 0; k < n; k++) {
                if (s_set(f, json_array_get(v, k), arr + k * s_size(f), prefix, err) != 0)
                    goto fail;
                *count = k + 1;
            }
            continue;
        }
        if (f->type == PROTOBUF_C_TYPE_STRING && *(char **) base && *(char **) base != f->default_value)
            free(*(char **) base);
        if (s_set(f, v, base, prefix, err) != 0)
            goto fail;
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset && f->type != PROTOBUF_C_TYPE_STRING &&
            f->type != PROTOBUF_C_TYPE_MESSAGE)
            *(protobuf_c_boolean *) ((char *) m + f->quantifier_offset) = 1;
    }
    *out = m;
    return 0;
fail:
    protobuf_c_message_free_unpacked(m, NULL);
    return -1;
}

int gw_pbjson_to_message(const json_t *obj, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
                         gw_pbjson_error_t *err)
{
    memset(err, 0, sizeof *err);
    return s_to_msg(obj, desc, out, "", err);
}
