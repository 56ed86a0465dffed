/*  outbox.c — transactional outbox + PUB publisher (see outbox.h). */
#include "common/outbox.h"
#include "common/pbwire.h"

#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define REPLAY_MAX_EVENTS 4096u
#define REPLAY_MAX_BYTES (8u << 20)
#define REPLAY_MAX_SCANNED 65536u
/* A live batch frame holds consecutive events up to this size (one event
 * larger than it goes alone).  Under CURVE each frame costs a box of its
 * own on the producer's I/O thread and another on each subscriber's, about
 * a microsecond whatever its size: 32 KiB carries about 130 events for the
 * cost of one.  With the HWM below, a stalled subscriber pins at most
 * 4,000 frames (128 MiB) before PUB drops and replay takes over. */
#define BATCH_FRAME_BYTES (32u << 10)
#define PUB_HWM_FRAMES 4000

typedef struct {
    uint8_t *data;
    size_t len, cap;
    uint64_t events;
} s_frame_t;

struct ent_outbox {
    ent_store_t *store;
    void *pub;
    char *producer;
    char *heartbeat_topic;
    char *batch_topic;        /* "<producer>.$batch" */
    uint64_t head;            /* last committed seq */
    uint64_t published;
    /* the current turn's events, already laid out as the batch frames
     * that will carry them: each frame is "<producer>.$batch" NUL then, per
     * event, the EventBatch field (tag, length, envelope).  The envelope is
     * packed there once, stored in the outbox from there, and the frame is
     * handed to ZeroMQ as it is (no copy at publication). */
    s_frame_t *frames;
    size_t n_frames, cap_frames;
    uint64_t pending;         /* events appended this turn */
};

ent_outbox_t *ent_outbox_new(void *zctx, ent_store_t *store, const char *producer, const char *endpoint,
                             const ent_curve_server_t *curve)
{
    ent_outbox_t *ob = calloc(1, sizeof *ob);
    if (!ob)
        return NULL;
    ob->store = store;
    ob->producer = strdup(producer);
    size_t hl = strlen(producer) + sizeof ".$heartbeat";
    ob->heartbeat_topic = malloc(hl);
    ob->batch_topic = malloc(hl);
    if (!ob->producer || !ob->heartbeat_topic || !ob->batch_topic)
        goto fail;
    snprintf(ob->heartbeat_topic, hl, "%s.$heartbeat", producer);
    snprintf(ob->batch_topic, hl, "%s" ENT_OUTBOX_BATCH_SUFFIX, producer);
    if (endpoint) {
        ob->pub = zmq_socket(zctx, ZMQ_PUB);
        if (!ob->pub)
            goto fail;
        int hwm = PUB_HWM_FRAMES, linger = 1000;
        zmq_setsockopt(ob->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
        zmq_setsockopt(ob->pub, ZMQ_LINGER, &linger, sizeof linger);
        if (curve && ent_curve_apply_server(ob->pub, curve) != 0) {
            ent_log_error("events.curve", "cannot make %s a CURVE server: %s", endpoint, zmq_strerror(errno));
            goto fail;
        }
        if (zmq_bind(ob->pub, endpoint) != 0) {
            ent_log_error("events.bind", "cannot bind PUB endpoint %s: %s", endpoint, zmq_strerror(errno));
            goto fail;
        }
    }
    MDB_txn *txn;
    int rc = ent_store_read(store, &txn);
    if (rc)
        goto fail;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, ent_store_outbox(store), &cur);
    if (rc == 0) {
        MDB_val k, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
        if (rc == 0 && k.mv_size == 8)
            ob->head = ent_be64_get(k.mv_data);
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return ob;
fail:
    ent_outbox_destroy(&ob);
    return NULL;
}

/* Returns room for an entry of `entry` bytes at the end of the turn's last
 * frame, or of a new one (a frame holds BATCH_FRAME_BYTES of entries, or
 * one larger entry alone); NULL when out of memory. */
static s_frame_t *s_frame_room(ent_outbox_t *ob, size_t entry)
{
    s_frame_t *f = ob->n_frames ? &ob->frames[ob->n_frames - 1] : NULL;
    if (f && f->len + entry <= f->cap)
        return f;
    if (ob->n_frames == ob->cap_frames) {
        size_t cap = ob->cap_frames ? ob->cap_frames * 2 : 16;
        s_frame_t *frames = realloc(ob->frames, cap * sizeof *frames);
        if (!frames)
            return NULL;
        ob->frames = frames;
        ob->cap_frames = cap;
    }
    size_t head = strlen(ob->batch_topic) + 1;
    size_t cap = head + (entry > BATCH_FRAME_BYTES ? entry : BATCH_FRAME_BYTES);
    f = &ob->frames[ob->n_frames];
    f->data = malloc(cap);
    if (!f->data)
        return NULL;
    memcpy(f->data, ob->batch_topic, head); /* with its NUL */
    f->len = head;
    f->cap = cap;
    f->events = 0;
    ob->n_frames++;
    return f;
}

/* Frees the turn's frames not handed to ZeroMQ. */
static void s_frames_drop(ent_outbox_t *ob)
{
    for (size_t i = 0; i < ob->n_frames; i++)
        free(ob->frames[i].data);
    ob->n_frames = 0;
}

/* Appends one event whose payload is either bytes (payload, len) or a
 * message packed here (msg non-NULL, len its packed size): the envelope
 * goes into the turn's frame as its fields 1-6, then field 7 (payload,
 * the last field: the bytes are those protobuf-c packs for the whole
 * envelope), the payload written in place — no packing into a buffer
 * first and copying it. */
int ent_outbox_envelope_head(const Entretiens__V1__EventEnvelope *env, uint8_t *buf, size_t cap, size_t *len)
{
    ent_pbw_t w;
    ent_pbw_init(&w, buf, cap);
    ent_pbw_string(&w, 1, env->producer);
    ent_pbw_uint64(&w, 2, env->seq);
    ent_pbw_string(&w, 3, env->type);
    ent_pbw_int64(&w, 4, env->occurred_at_ms);
    ent_pbw_string(&w, 5, env->idempotency_key);
    ent_pbw_string(&w, 6, env->trace_id);
    if (w.full)
        return ENOSPC;
    *len = (size_t) (w.p - buf);
    return 0;
}

static int s_append(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                    const char *trace_id, int64_t occurred_at_ms, const uint8_t *payload,
                    const ProtobufCMessage *msg, size_t len, uint64_t *seq_out)
{
    uint64_t seq = ob->head + ob->pending + 1;
    Entretiens__V1__EventEnvelope env = ENTRETIENS__V1__EVENT_ENVELOPE__INIT;
    env.producer = ob->producer;
    env.seq = seq;
    env.type = (char *) type;
    env.occurred_at_ms = occurred_at_ms;
    env.idempotency_key = (char *) (idempotency_key ? idempotency_key : "");
    /* the trace of the work that causes the event, unless the caller names one */
    env.trace_id = (char *) (trace_id && *trace_id ? trace_id : ent_log_trace());
    /* payload left empty: a proto3 empty bytes field is not packed; the
     * rest by hand (protobuf-c's size and pack passes were 8 % of the
     * scheduler's CPU while it ingests), by protobuf-c when too long */
    uint8_t head[512];
    size_t head_len;
    bool hand = ent_outbox_envelope_head(&env, head, sizeof head, &head_len) == 0;
    if (!hand)
        head_len = entretiens__v1__event_envelope__get_packed_size(&env);
    size_t env_len = head_len + (len ? 1 + ent_pb_varint_len(len) + len : 0);
    size_t entry = 1 + ent_pb_varint_len(env_len) + env_len;
    s_frame_t *f = s_frame_room(ob, entry);
    if (!f)
        return ENOMEM;
    uint8_t *p = f->data + f->len;
    p[0] = 0x0a; /* EventBatch field 1, length-delimited */
    uint8_t *envp = p + 1 + ent_pb_varint_put(p + 1, env_len);
    if (hand)
        memcpy(envp, head, head_len);
    else
        entretiens__v1__event_envelope__pack(&env, envp);
    if (len) {
        uint8_t *q = envp + head_len;
        *q++ = (7 << 3) | 2; /* EventEnvelope.payload, length-delimited */
        q += ent_pb_varint_put(q, len);
        if (msg)
            protobuf_c_message_pack(msg, q);
        else
            memcpy(q, payload, len);
    }

    uint8_t key[8];
    ent_be64_put(key, seq);
    MDB_val k = { 8, key }, v = { env_len, envp };
    int rc = mdb_put(txn, ent_store_outbox(ob->store), &k, &v, MDB_APPEND);
    if (rc)
        return rc;
    f->len += entry;
    f->events++;
    ob->pending++;
    if (seq_out)
        *seq_out = seq;
    return 0;
}

int ent_outbox_append(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                      const char *trace_id, int64_t occurred_at_ms, const uint8_t *payload,
                      size_t len, uint64_t *seq_out)
{
    return s_append(ob, txn, type, idempotency_key, trace_id, occurred_at_ms, payload, NULL, len, seq_out);
}

int ent_outbox_append_msg(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                          const char *trace_id, int64_t occurred_at_ms, const ProtobufCMessage *msg,
                          uint64_t *seq)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    return s_append(ob, txn, type, idempotency_key, trace_id, occurred_at_ms, NULL, msg, len, seq);
}

void ent_outbox_reset(ent_outbox_t *ob)
{
    s_frames_drop(ob);
    ob->pending = 0;
}

/* Publishes one frame: the topic, a NUL, the body.  SUB's prefix filter
 * reads the topic at the start.  PUB never blocks: at the high-water mark
 * the frame is dropped for that subscriber, who recovers its events
 * through events.replay.  Returns 0, or -1 (not sent). */
static int s_publish(void *pub, const void *topic, size_t tl, const void *body, size_t bl)
{
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, tl + 1 + bl) != 0)
        return -1;
    uint8_t *p = zmq_msg_data(&m);
    memcpy(p, topic, tl);
    p[tl] = 0;
    memcpy(p + tl + 1, body, bl);
    if (zmq_msg_send(&m, pub, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return -1;
    }
    return 0;
}

static void s_frame_free(void *data, void *hint)
{
    (void) hint;
    free(data);
}

void ent_outbox_flush(ent_outbox_t *ob)
{
    for (size_t i = 0; i < ob->n_frames; i++) {
        s_frame_t *f = &ob->frames[i];
        if (!ob->pub || f->events == 0)
            continue; /* freed below */
        zmq_msg_t m;
        /* ZeroMQ owns the frame from here (freed by its I/O thread once
         * every subscriber's copy is sent, or at once on failure) */
        if (zmq_msg_init_data(&m, f->data, f->len, s_frame_free, NULL) != 0)
            continue;
        f->data = NULL;
        if (zmq_msg_send(&m, ob->pub, ZMQ_DONTWAIT) < 0)
            zmq_msg_close(&m);
        else
            ob->published += f->events;
    }
    s_frames_drop(ob);
    ob->head += ob->pending;
    ob->pending = 0;
    /* keep a large turn's list from pinning memory forever */
    if (ob->cap_frames > 4096) {
        free(ob->frames);
        ob->frames = NULL;
        ob->cap_frames = 0;
    }
}

void ent_outbox_heartbeat(ent_outbox_t *ob)
{
    if (!ob->pub)
        return;
    Entretiens__V1__Heartbeat hb = ENTRETIENS__V1__HEARTBEAT__INIT;
    hb.producer = ob->producer;
    hb.head_seq = ob->head;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    hb.sent_at_ms = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    uint8_t buf[256];
    size_t len = entretiens__v1__heartbeat__pack(&hb, buf);
    (void) s_publish(ob->pub, ob->heartbeat_topic, strlen(ob->heartbeat_topic), buf, len);
}

uint64_t ent_outbox_head(const ent_outbox_t *ob)
{
    return ob->head;
}

uint64_t ent_outbox_published(const ent_outbox_t *ob)
{
    return ob->published;
}

/* The type of a stored EventEnvelope (field 3), read from its wire bytes
 * without unpacking it; false when it has none or is not readable. */
static bool s_stored_type(const uint8_t *p, size_t len, const char **type, size_t *n)
{
    const uint8_t *end = p + len;
    while (p < end) {
        uint64_t key = 0, v = 0;
        for (int shift = 0; p < end && shift < 64; shift += 7) {
            key |= (uint64_t) (*p & 0x7f) << shift;
            if (!(*p++ & 0x80))
                break;
        }
        switch (key & 7) {
        case 0:
            while (p < end && (*p++ & 0x80))
                ;
            break;
        case 1:
            p += 8;
            break;
        case 5:
            p += 4;
            break;
        case 2:
            for (int shift = 0; p < end && shift < 64; shift += 7) {
                v |= (uint64_t) (*p & 0x7f) << shift;
                if (!(*p++ & 0x80))
                    break;
            }
            if (v > (uint64_t) (end - p))
                return false;
            if (key >> 3 == 3) {
                *type = (const char *) p;
                *n = (size_t) v;
                return true;
            }
            p += v;
            break;
        default:
            return false;
        }
    }
    return false;
}

/* True when the stored event is of one of the types (n_types > 0). */
static bool s_type_in(const MDB_val *v, char *const *types, size_t n_types)
{
    const char *t;
    size_t n;
    if (!s_stored_type(v->mv_data, v->mv_size, &t, &n))
        return true; /* unreadable here: the consumer judges it */
    for (size_t i = 0; i < n_types; i++)
        if (strlen(types[i]) == n && memcmp(types[i], t, n) == 0)
            return true;
    return false;
}

int ent_outbox_replay(ent_outbox_t *ob, MDB_txn *txn, uint64_t from_seq, uint64_t to_seq, uint32_t max,
                      char *const *types, size_t n_types, Entretiens__V1__ReplayReply *reply)
{
    reply->head_seq = ob->head;
    reply->n_events = 0;
    reply->events = NULL;
    reply->scanned_to = 0;
    if (max == 0 || max > REPLAY_MAX_EVENTS)
        max = REPLAY_MAX_EVENTS;
    if (from_seq == 0)
        from_seq = 1;
    if (to_seq && to_seq < from_seq)
        return EINVAL;
    /* the last seq to look at: the head, or the bound when it comes first */
    uint64_t last = to_seq && to_seq < ob->head ? to_seq : ob->head;
    if (from_seq > last) {
        if (n_types)
            reply->scanned_to = last;
        return 0;
    }
    uint64_t want = last - from_seq + 1;
    size_t n = want < max ? (size_t) want : max;
    reply->events = calloc(n, sizeof *reply->events);
    if (!reply->events)
        return ENOMEM;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, ent_store_outbox(ob->store), &cur);
    if (rc)
        goto fail;
    uint8_t key[8];
    ent_be64_put(key, from_seq);
    MDB_val k = { 8, key }, v;
    size_t bytes = 0, scanned = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && reply->n_events < n && bytes < REPLAY_MAX_BYTES && scanned < REPLAY_MAX_SCANNED) {
        /* events never committed (seq > head) are not replayed, nor
         * those beyond the bound */
        uint64_t seq = ent_be64_get(k.mv_data);
        if (seq > last)
            break;
        if (n_types) {
            scanned++;
            reply->scanned_to = seq;
            if (!s_type_in(&v, types, n_types)) {
                rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
                continue;
            }
        }
        reply->events[reply->n_events].data = v.mv_data;
        reply->events[reply->n_events].len = v.mv_size;
        reply->n_events++;
        bytes += v.mv_size;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc)
        goto fail;
    return 0;
fail:
    free(reply->events);
    reply->events = NULL;
    reply->n_events = 0;
    return rc;
}

void ent_outbox_destroy(ent_outbox_t **ob_p)
{
    if (!ob_p || !*ob_p)
        return;
    ent_outbox_t *ob = *ob_p;
    if (ob->pub)
        zmq_close(ob->pub);
    s_frames_drop(ob);
    free(ob->frames);
    free(ob->producer);
    free(ob->heartbeat_topic);
    free(ob->batch_topic);
    free(ob);
    *ob_p = NULL;
}
