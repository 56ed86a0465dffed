/*  outbox.c — transactional outbox + PUB publisher (see outbox.h). */
#include "common/outbox.h"

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

struct ent_outbox {
    ent_store_t *store;
    void *pub;
    char *producer;
    char *heartbeat_topic;
    char *batch_topic;        /* "<producer>.$batch" */
    uint64_t head;            /* last committed seq */
    uint64_t published;
    /* envelopes of the current turn, back to back: [u32 len][envelope] */
    uint8_t *buf;
    size_t len, cap;
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

static int s_reserve(ent_outbox_t *ob, size_t more)
{
    if (ob->len + more <= ob->cap)
        return 0;
    size_t cap = ob->cap ? ob->cap : 64 * 1024;
    while (cap < ob->len + more)
        cap *= 2;
    uint8_t *b = realloc(ob->buf, cap);
    if (!b)
        return ENOMEM;
    ob->buf = b;
    ob->cap = cap;
    return 0;
}

static void s_put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t s_get_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int ent_outbox_append(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                      const char *trace_id, int64_t occurred_at_ms, const uint8_t *payload,
                      size_t len, uint64_t *seq_out)
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
    env.payload.data = (uint8_t *) payload;
    env.payload.len = len;
    size_t env_len = entretiens__v1__event_envelope__get_packed_size(&env);
    int rc = s_reserve(ob, 4 + env_len);
    if (rc)
        return rc;
    uint8_t *p = ob->buf + ob->len;
    s_put_u32(p, (uint32_t) env_len);
    uint8_t *envp = p + 4;
    entretiens__v1__event_envelope__pack(&env, envp);

    uint8_t key[8];
    ent_be64_put(key, seq);
    MDB_val k = { 8, key }, v = { env_len, envp };
    rc = mdb_put(txn, ent_store_outbox(ob->store), &k, &v, MDB_APPEND);
    if (rc)
        return rc;
    ob->len += 4 + env_len;
    ob->pending++;
    if (seq_out)
        *seq_out = seq;
    return 0;
}

int ent_outbox_append_msg(ent_outbox_t *ob, MDB_txn *txn, const char *type, const char *idempotency_key,
                          const char *trace_id, int64_t occurred_at_ms, const ProtobufCMessage *msg,
                          uint64_t *seq)
{
    uint8_t stack[1024];
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = len <= sizeof stack ? stack : malloc(len);
    if (!buf)
        return ENOMEM;
    protobuf_c_message_pack(msg, buf);
    int rc = ent_outbox_append(ob, txn, type, idempotency_key, trace_id, occurred_at_ms, buf, len, seq);
    if (buf != stack)
        free(buf);
    return rc;
}

void ent_outbox_reset(ent_outbox_t *ob)
{
    ob->len = 0;
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

static size_t s_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t s_varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t) (v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t) v;
    return n;
}

/* The size an envelope of el bytes takes in an EventBatch (field 1, bytes). */
static size_t s_batch_entry_len(uint32_t el)
{
    return 1 + s_varint_len(el) + el;
}

/* Publishes the turn's events from offset off as one "<producer>.$batch"
 * frame whose body is a packed EventBatch (field 1 per envelope, written
 * here rather than by protobuf-c: the envelopes are already packed), as
 * many consecutive events as BATCH_FRAME_BYTES holds (at least one).
 * Returns the offset after the last event taken; *sent the events sent
 * (0 when the frame was dropped). */
static size_t s_publish_batch(ent_outbox_t *ob, size_t off, uint64_t *sent)
{
    size_t tl = strlen(ob->batch_topic), body = 0, end = off;
    uint64_t n = 0;
    while (end < ob->len) {
        uint32_t el = s_get_u32(ob->buf + end);
        size_t add = s_batch_entry_len(el);
        if (n > 0 && body + add > BATCH_FRAME_BYTES)
            break;
        body += add;
        end += 4 + el;
        n++;
    }
    *sent = 0;
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, tl + 1 + body) != 0)
        return end;
    uint8_t *p = zmq_msg_data(&m);
    memcpy(p, ob->batch_topic, tl + 1); /* with its NUL */
    p += tl + 1;
    for (size_t at = off; at < end;) {
        uint32_t el = s_get_u32(ob->buf + at);
        *p++ = 0x0a; /* field 1, length-delimited */
        p += s_varint_put(p, el);
        memcpy(p, ob->buf + at + 4, el);
        p += el;
        at += 4 + el;
    }
    if (zmq_msg_send(&m, ob->pub, ZMQ_DONTWAIT) < 0)
        zmq_msg_close(&m);
    else
        *sent = n;
    return end;
}

void ent_outbox_flush(ent_outbox_t *ob)
{
    for (size_t off = 0; ob->pub && off < ob->len;) {
        uint64_t sent;
        off = s_publish_batch(ob, off, &sent);
        ob->published += sent;
    }
    ob->head += ob->pending;
    ob->pending = 0;
    ob->len = 0;
    /* keep a large turn's buffer from pinning memory forever */
    if (ob->cap > (16u << 20)) {
        free(ob->buf);
        ob->buf = NULL;
        ob->cap = 0;
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
    free(ob->buf);
    free(ob->producer);
    free(ob->heartbeat_topic);
    free(ob->batch_topic);
    free(ob);
    *ob_p = NULL;
}
