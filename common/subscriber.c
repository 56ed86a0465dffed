/*  subscriber.c — cursor + gap detection + replay consumer (subscriber.h). */
#include "common/subscriber.h"

#include "common/log.h"
#include "common/outbox.h"
#include "common/pbarena.h"
#include "common/pbfast.h"
#include "common/rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define REPLAY_BATCH 4096
#define REPLAY_TIMEOUT_MS 3000
/* Replay requests in flight at once while a backlog waits: the producer
 * reads the next batches while this consumer applies the last one, and a
 * turn applies every reply that came in meanwhile (up to read_ahead *
 * REPLAY_BATCH events in one transaction, so one commit and one sync for
 * them instead of one per batch).  READ_AHEAD by default; a consumer may
 * ask for more (ent_subscriber_set_read_ahead). */
#define READ_AHEAD 4
/* Further behind than this, a consumer stops receiving the live events
 * (heartbeats only) and follows by replay alone; within LIVE_AGAIN of the
 * head it receives them again.  Behind, every live frame was sealed by the
 * producer for this connection, opened, unpacked and dropped (not the
 * cursor's next): work on both sides for nothing, while the replay brings
 * the same events in order. */
#define LAGGING_FROM (8 * REPLAY_BATCH)
#define LIVE_AGAIN REPLAY_BATCH

typedef struct {
    void **items;
    size_t n, cap;
} s_queue_t;

/* What a replay request asked for, hence how its reply is applied. */
typedef enum {
    PAGE_ALL,     /* every event */
    PAGE_KEEP,    /* the kept types, while the events are not wanted */
    PAGE_APPLIED, /* the types the consumer applies, one seq range (to_seq) */
    PAGE_LATE,    /* the answer to a request given up (REPLAY_TIMEOUT_MS): unknown */
} s_page_kind_t;

/* A replay request in flight. */
typedef struct {
    uint64_t id, from, to;   /* to: 0 when unbounded */
    s_page_kind_t kind;
} s_out_t;

/* A replay reply waiting for the turn, with what its request asked. */
typedef struct {
    Entretiens__V1__ReplayReply *rr;
    uint64_t from;
    s_page_kind_t kind;
} s_page_t;

struct ent_subscriber {
    ent_loop_t *loop;
    ent_store_t *store;
    char *producer;
    char *prefix;              /* "<producer>." */
    void *sub;
    void *dealer;
    ent_zwatch_t *sub_watch;
    ent_zwatch_t *dealer_watch;
    ent_event_fn apply;
    void *arg;
    ent_event_wanted_fn wanted_fn;
    void *wanted_arg;
    bool wanted;               /* subscribed to the events (else heartbeats only) */
    bool turn_wanted;          /* what this turn's wanted_fn answered */
    char *const *keep;         /* types applied even when not wanted (by filtered replay) */
    size_t n_keep;
    char *const *applied;      /* the only types apply does anything with (replay asks for those) */
    size_t n_applied;
    bool turn_more;            /* a filtered reply of this turn stopped before the head */
    bool head_moved;           /* a heartbeat since the last turn told a head beyond the cursor */
    char *heartbeat;           /* "<producer>.$heartbeat" */
    uint64_t cursor;           /* committed */
    uint64_t turn_cursor;      /* while a turn runs */
    s_queue_t live;            /* Entretiens__V1__EventEnvelope * */
    s_page_t *pages;           /* replay replies, in the order they came */
    size_t n_pages, cap_pages;
    ent_pbarena_t *arena;      /* each replayed event is unpacked into it */
    ent_pbarena_t *live_arena; /* the live events of the turn, reset at the flush */
    ent_pbarena_t *page_arena; /* the replay replies of the turn (pages), reset at the flush */
    bool want_replay;
    bool lagging;              /* far behind the head: live events not received (LAGGING_FROM) */
    bool live_on;              /* the socket is subscribed to the events (else to the heartbeats) */
    bool turn_gap;
    s_out_t out[ENT_SUBSCRIBER_READ_AHEAD_MAX]; /* replay requests in flight, oldest first */
    size_t n_out;
    s_out_t gone[ENT_SUBSCRIBER_READ_AHEAD_MAX]; /* the last ones given up: a late answer is still known */
    size_t n_gone;
    size_t read_ahead;            /* at most this many in flight */
    int64_t replay_sent_ms;       /* when the oldest in flight was sent */
    uint64_t ahead_from;          /* where the next read-ahead request starts */
    uint64_t recv_next;           /* the seq a reply must start at to follow the last one */
    uint64_t next_id;
    ent_subscriber_stats_t stats;
    uint64_t turn_applied, turn_skipped, turn_dups;
};

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_push(s_queue_t *q, void *item)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        void **items = realloc(q->items, cap * sizeof *items);
        if (!items)
            return ENOMEM;
        q->items = items;
        q->cap = cap;
    }
    q->items[q->n++] = item;
    return 0;
}

/* Splits a one-frame event (topic, NUL, envelope; outbox.c) into *topic
 * and *body.  Returns false when the frame has no NUL in its first 256
 * bytes (a topic is an event type, far shorter). */
static bool s_split(const zmq_msg_t *m, const char **topic, size_t *tl, const uint8_t **body, size_t *bl)
{
    const uint8_t *p = zmq_msg_data((zmq_msg_t *) m);
    size_t n = zmq_msg_size((zmq_msg_t *) m);
    const uint8_t *nul = memchr(p, 0, n < 256 ? n : 256);
    if (!nul)
        return false;
    *topic = (const char *) p;
    *tl = (size_t) (nul - p);
    *body = nul + 1;
    *bl = n - *tl - 1;
    return true;
}

/* One live envelope: queued for the next turn, or counted malformed.  It
 * is unpacked into the live arena (a bump of a pointer per piece instead
 * of a malloc, and one reset at the flush instead of a free per piece):
 * the live events of a turn are all kept until then. */
static void s_on_envelope(ent_subscriber_t *sub, const uint8_t *body, size_t bl)
{
    ProtobufCAllocator *al = ent_pbarena_allocator(sub->live_arena);
    Entretiens__V1__EventEnvelope *ev = ent_pbfast_unpack_or_pbc(&entretiens__v1__event_envelope__descriptor,
        al, bl, body);
    if (!ev || ev->seq == 0 || !ev->producer || strcmp(ev->producer, sub->producer) != 0 ||
        s_push(&sub->live, ev) != 0) {
        sub->stats.malformed++;
        if (ev) /* its pieces from the heap now, the rest at the flush */
            entretiens__v1__event_envelope__free_unpacked(ev, al);
        ent_log_warn("events.malformed", "dropped a malformed event frame from %s", sub->producer);
    } else if (ev->seq > sub->stats.head) {
        sub->stats.head = ev->seq;
    }
}

/* A batch frame's body, a packed EventBatch: each field 1 is an envelope.
 * Walked here (no copy of the envelopes into an EventBatch first).  A
 * malformed batch stops where it breaks: the events after it look like a
 * gap and come by replay. */
static void s_on_batch(ent_subscriber_t *sub, const uint8_t *p, size_t n)
{
    size_t at = 0;
    while (at < n) {
        if (p[at++] != 0x0a) /* field 1, length-delimited */
            goto malformed;
        uint64_t len = 0;
        int shift = 0;
        for (;;) {
            if (at >= n || shift > 28)
                goto malformed;
            uint8_t b = p[at++];
            len |= (uint64_t) (b & 0x7f) << shift;
            shift += 7;
            if (!(b & 0x80))
                break;
        }
        if (len > n - at)
            goto malformed;
        s_on_envelope(sub, p + at, (size_t) len);
        at += (size_t) len;
    }
    return;
malformed:
    sub->stats.malformed++;
    ent_log_warn("events.malformed", "dropped the rest of a malformed batch frame from %s", sub->producer);
}

/* One frame: a batch of events, a heartbeat, or (from a producer of an
 * earlier version) one event whose topic is its type. */
static void s_on_event(ent_subscriber_t *sub, const char *t, size_t tl, const uint8_t *body, size_t bl)
{
    static const size_t batch_len = sizeof ENT_OUTBOX_BATCH_SUFFIX - 1;
    if (tl > 11 && memcmp(t + tl - 11, ".$heartbeat", 11) == 0) {
        Entretiens__V1__Heartbeat *hb = entretiens__v1__heartbeat__unpack(NULL, bl, body);
        if (hb) {
            sub->stats.heard = true;
            if (hb->head_seq > sub->cursor)
                sub->head_moved = true;
            if (hb->head_seq < sub->cursor && sub->stats.head != hb->head_seq)
                ent_log_error("events.head_behind", "%s head %llu is behind our cursor %llu: was its store replaced?",
                              sub->producer, (unsigned long long) hb->head_seq, (unsigned long long) sub->cursor);
            sub->stats.head = hb->head_seq;
            entretiens__v1__heartbeat__free_unpacked(hb, NULL);
        } else {
            sub->stats.malformed++;
        }
        return;
    }
    if (tl > batch_len && memcmp(t + tl - batch_len, ENT_OUTBOX_BATCH_SUFFIX, batch_len) == 0) {
        s_on_batch(sub, body, bl);
        return;
    }
    s_on_envelope(sub, body, bl);
}

/* Events come as one frame (topic, NUL, envelope), or as two (topic, then
 * envelope) from a producer of an earlier version during an upgrade. */
static void s_on_sub(void *sock, int budget, void *arg)
{
    ent_subscriber_t *sub = arg;
    for (int i = 0; i < budget; i++) {
        zmq_msg_t first, body;
        zmq_msg_init(&first);
        if (zmq_msg_recv(&first, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&first);
            break;
        }
        zmq_msg_init(&body);
        bool more = zmq_msg_more(&first);
        bool two = more && zmq_msg_recv(&body, sock, 0) >= 0;
        /* drain any extra frame of a malformed message */
        bool extra_frames = two && zmq_msg_more(&body);
        while (extra_frames) {
            zmq_msg_t extra;
            zmq_msg_init(&extra);
            if (zmq_msg_recv(&extra, sock, 0) < 0) {
                zmq_msg_close(&extra);
                break;
            }
            extra_frames = zmq_msg_more(&extra);
            zmq_msg_close(&extra);
            two = false;
        }
        const char *t;
        size_t tl, bl;
        const uint8_t *b;
        if (!more && s_split(&first, &t, &tl, &b, &bl))
            s_on_event(sub, t, tl, b, bl);
        else if (two)
            s_on_event(sub, zmq_msg_data(&first), zmq_msg_size(&first), zmq_msg_data(&body), zmq_msg_size(&body));
        else
            sub->stats.malformed++;
        zmq_msg_close(&first);
        zmq_msg_close(&body);
    }
}

static bool s_answered(ent_subscriber_t *sub, uint64_t request_id, s_out_t *req);
static void s_read_ahead(ent_subscriber_t *sub);

/* A page not kept: its memory stays in the page arena until the flush,
 * or goes at once when no page is kept (nothing else lives there). */
static void s_pages_forget(ent_subscriber_t *sub)
{
    if (!sub->n_pages)
        ent_pbarena_reset(sub->page_arena);
}

static int s_push_page(ent_subscriber_t *sub, Entretiens__V1__ReplayReply *rr, uint64_t from, s_page_kind_t kind)
{
    if (sub->n_pages == sub->cap_pages) {
        size_t cap = sub->cap_pages ? sub->cap_pages * 2 : 16;
        s_page_t *pages = realloc(sub->pages, cap * sizeof *pages);
        if (!pages)
            return ENOMEM;
        sub->pages = pages;
        sub->cap_pages = cap;
    }
    sub->pages[sub->n_pages++] = (s_page_t) { rr, from, kind };
    return 0;
}

/* The seq of a packed event (0 when it cannot be read). */
static uint64_t s_seq_of(ent_subscriber_t *sub, const ProtobufCBinaryData *b)
{
    ProtobufCAllocator *al = ent_pbarena_allocator(sub->arena);
    Entretiens__V1__EventEnvelope *ev = ent_pbfast_unpack_or_pbc(&entretiens__v1__event_envelope__descriptor,
        al, b->len, b->data);
    uint64_t seq = ev ? ev->seq : 0;
    ent_pbarena_reset(sub->arena); /* gives back the whole message (pbarena.h) */
    return seq;
}

static void s_on_dealer(void *sock, int budget, void *arg)
{
    ent_subscriber_t *sub = arg;
    for (int i = 0; i < budget; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        Entretiens__V1__Reply *r = zmq_msg_more(&m) ? NULL
            : entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        while (zmq_msg_more(&m)) { /* not ours: drain */
            zmq_msg_close(&m);
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, sock, 0) < 0)
                break;
        }
        zmq_msg_close(&m);
        if (!r) {
            sub->stats.malformed++;
            continue;
        }
        s_out_t req;
        bool known = s_answered(sub, r->request_id, &req);
        if (r->status && r->status->code != ENT_OK) {
            ent_log_warn("events.replay_refused", "%s refused events.replay: %s", sub->producer,
                         r->status->message ? r->status->message : "");
        } else {
            Entretiens__V1__ReplayReply *rr = entretiens__v1__replay_reply__unpack(
                ent_pbarena_allocator(sub->page_arena), r->payload.len, r->payload.data);
            if (rr && !known && rr->scanned_to) {
                /* a filtered page whose request was given up: where it
                 * starts is unknown, so what it left out cannot be told
                 * apart from a hole (the request was sent again); its
                 * memory goes with the turn's pages */
                s_pages_forget(sub);
            } else if (rr) {
                sub->stats.heard = true;
                if (rr->head_seq > sub->stats.head)
                    sub->stats.head = rr->head_seq;
                /* read ahead only from a whole page that follows the last
                 * one: after a hole the next pages would all be dropped */
                bool whole, follows;
                if (rr->scanned_to) {
                    /* filtered: from the seq asked to scanned_to, every
                     * event of the types asked; whole when the range was
                     * looked at to its bound (a producer that predates
                     * to_seq goes beyond it: the pages asked after this one
                     * overlap it, are applied all the same, and nothing is
                     * read ahead from them) */
                    follows = req.from == sub->recv_next;
                    whole = req.kind == PAGE_APPLIED && rr->scanned_to == req.to;
                    if (follows)
                        sub->recv_next = rr->scanned_to + 1;
                } else {
                    whole = rr->n_events >= REPLAY_BATCH;
                    follows = rr->n_events && s_seq_of(sub, &rr->events[0]) == sub->recv_next;
                    if (follows)
                        sub->recv_next = s_seq_of(sub, &rr->events[rr->n_events - 1]) + 1;
                }
                if (s_push_page(sub, rr, known ? req.from : 0, known ? req.kind : PAGE_LATE) != 0)
                    s_pages_forget(sub);
                else if (whole && follows && sub->wanted)
                    s_read_ahead(sub); /* not from a page of the kept types: their ranges are unknown */
            } else {
                sub->stats.malformed++;
            }
        }
        entretiens__v1__reply__free_unpacked(r, NULL);
    }
}

/* Asks the producer for the events from from_seq on.  Returns 0, or -1
 * when the request could not be queued (the tick retries). */
static int s_request(ent_subscriber_t *sub, uint64_t from_seq)
{
    if (sub->n_out >= sub->read_ahead)
        return -1;
    Entretiens__V1__ReplayRequest rq = ENTRETIENS__V1__REPLAY_REQUEST__INIT;
    rq.from_seq = from_seq;
    rq.max = REPLAY_BATCH;
    s_page_kind_t kind = PAGE_ALL;
    if (!sub->wanted && sub->n_keep) { /* only the types kept: the producer filters */
        rq.types = (char **) sub->keep;
        rq.n_types = sub->n_keep;
        kind = PAGE_KEEP;
    } else if (sub->wanted && sub->n_applied) {
        /* only the types applied, over a fixed range of seqs: where the
         * page ends is known before it comes, so the next ones can be
         * asked at once (a range holds at most REPLAY_BATCH matches) */
        rq.types = (char **) sub->applied;
        rq.n_types = sub->n_applied;
        rq.to_seq = from_seq + REPLAY_BATCH - 1;
        kind = PAGE_APPLIED;
    }
    uint8_t payload[512], buf[1024];
    if (entretiens__v1__replay_request__get_packed_size(&rq) > sizeof payload)
        return -1; /* the types are a handful of short names: never */
    size_t plen = entretiens__v1__replay_request__pack(&rq, payload);
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = ++sub->next_id;
    req.method = "events.replay";
    req.caller = ""; /* the daemon acts as its own key's principal */
    req.payload.data = payload;
    req.payload.len = plen;
    size_t len = entretiens__v1__request__pack(&req, buf);
    if (zmq_send(sub->dealer, buf, len, ZMQ_DONTWAIT) < 0)
        return -1; /* queue full while the producer is away: the tick retries */
    if (sub->n_out == 0)
        sub->replay_sent_ms = s_mono_ms();
    sub->out[sub->n_out++] = (s_out_t) { req.request_id, from_seq, rq.to_seq, kind };
    sub->ahead_from = from_seq + REPLAY_BATCH;
    sub->stats.replays++;
    return 0;
}

/* The replay from the cursor on (at start, after a gap, after a lost turn,
 * when the producer's head is ahead): nothing in flight any more. */
static void s_send_replay(ent_subscriber_t *sub)
{
    if (sub->n_out == 0 && s_request(sub, sub->cursor + 1) == 0) {
        sub->want_replay = false;
        sub->recv_next = sub->cursor + 1;
    }
}

/* A full batch came back: the producer has more, so the next batches are
 * asked now, while this one waits for its turn.  The events are numbered
 * without holes (outbox.h), so batch k starts REPLAY_BATCH after batch k-1;
 * should a reply be shorter (the producer's byte limit), the pages already
 * asked after it start beyond a hole: they are dropped as a gap, no more
 * is read ahead from them, and the replay asks again from the cursor —
 * at most read_ahead - 1 pages read for nothing, never a wrong order. */
static void s_read_ahead(ent_subscriber_t *sub)
{
    while (sub->n_out < sub->read_ahead && sub->ahead_from <= sub->stats.head)
        if (s_request(sub, sub->ahead_from) != 0)
            break;
}

/* A reply to one of our requests: no longer in flight; *req gets what it
 * asked.  False when the request is not (no longer) in flight. */
static bool s_answered(ent_subscriber_t *sub, uint64_t request_id, s_out_t *req)
{
    for (size_t i = 0; i < sub->n_out; i++)
        if (sub->out[i].id == request_id) {
            *req = sub->out[i];
            memmove(sub->out + i, sub->out + i + 1, (sub->n_out - i - 1) * sizeof *sub->out);
            sub->n_out--;
            if (i == 0)
                sub->replay_sent_ms = s_mono_ms(); /* the next one's clock starts now */
            return true;
        }
    for (size_t i = 0; i < sub->n_gone; i++)
        if (sub->gone[i].id == request_id) {
            *req = sub->gone[i];
            sub->gone[i] = sub->gone[--sub->n_gone];
            return true;
        }
    *req = (s_out_t) { 0 };
    return false;
}

ent_subscriber_t *ent_subscriber_new(ent_loop_t *loop, ent_store_t *store, const char *producer,
                                     const char *pub_endpoint, const char *rpc_endpoint,
                                     const ent_curve_client_t *curve, ent_event_fn apply, void *arg)
{
    ent_subscriber_t *sub = calloc(1, sizeof *sub);
    if (!sub)
        return NULL;
    sub->loop = loop;
    sub->store = store;
    sub->apply = apply;
    sub->arg = arg;
    sub->producer = strdup(producer);
    size_t pl = strlen(producer) + 2;
    sub->prefix = malloc(pl);
    sub->arena = ent_pbarena_new(64 * 1024);
    /* live events of about a kilobyte, by 64 KiB chunks; up to 1 MiB kept
     * from turn to turn (a catch-up's turns receive thousands) */
    sub->live_arena = ent_pbarena_new_growing(64 * 1024, 16);
    /* a replay page holds up to 4,096 events, each a bytes field that
     * protobuf-c copies: into 64 KiB chunks rather than one malloc and one
     * free each; 4 MiB kept from turn to turn (about two pages) */
    sub->page_arena = ent_pbarena_new_growing(64 * 1024, 64);
    if (!sub->producer || !sub->prefix || !sub->arena || !sub->live_arena || !sub->page_arena)
        goto fail;
    snprintf(sub->prefix, pl, "%s.", producer);
    size_t hl = strlen(producer) + sizeof ".$heartbeat";
    sub->heartbeat = malloc(hl);
    if (!sub->heartbeat)
        goto fail;
    snprintf(sub->heartbeat, hl, "%s.$heartbeat", producer);
    sub->wanted = sub->turn_wanted = true;
    sub->stats.live = true;
    sub->read_ahead = READ_AHEAD;
    sub->next_id = (uint64_t) s_mono_ms() << 16;

    MDB_txn *txn;
    if (ent_store_read(store, &txn) != 0)
        goto fail;
    MDB_val k = { strlen(producer), sub->producer }, v;
    int rc = mdb_get(txn, ent_store_cursors(store), &k, &v);
    if (rc == 0 && v.mv_size == 8)
        sub->cursor = ent_be64_get(v.mv_data);
    mdb_txn_abort(txn);
    if (rc != 0 && rc != MDB_NOTFOUND)
        goto fail;
    sub->stats.cursor = sub->cursor;

    void *zctx = ent_loop_zctx(loop);
    sub->sub = zmq_socket(zctx, ZMQ_SUB);
    sub->dealer = zmq_socket(zctx, ZMQ_DEALER);
    if (!sub->sub || !sub->dealer)
        goto fail;
    /* in frames: batch frames of up to 32 KiB (outbox.c), at most 128 MiB
     * queued while a long turn runs; past it PUB drops and replay covers */
    int hwm = 4000, linger = 0;
    int64_t max = ENT_RPC_MAX_MESSAGE;
    zmq_setsockopt(sub->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub->sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub->sub, ZMQ_MAXMSGSIZE, &max, sizeof max);
    zmq_setsockopt(sub->sub, ZMQ_SUBSCRIBE, sub->prefix, strlen(sub->prefix));
    sub->live_on = true;
    zmq_setsockopt(sub->dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub->dealer, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (curve && (ent_curve_apply_client(sub->sub, curve) != 0 || ent_curve_apply_client(sub->dealer, curve) != 0)) {
        ent_log_error("events.curve", "cannot set CURVE keys to reach %s: %s", producer, zmq_strerror(errno));
        goto fail;
    }
    if (zmq_connect(sub->sub, pub_endpoint) != 0 || zmq_connect(sub->dealer, rpc_endpoint) != 0) {
        ent_log_error("events.connect", "cannot connect to %s (%s, %s): %s", producer, pub_endpoint,
                      rpc_endpoint, zmq_strerror(errno));
        goto fail;
    }
    sub->sub_watch = ent_loop_watch(loop, sub->sub, s_on_sub, sub);
    sub->dealer_watch = ent_loop_watch(loop, sub->dealer, s_on_dealer, sub);
    if (!sub->sub_watch || !sub->dealer_watch)
        goto fail;
    return sub;
fail:
    ent_subscriber_destroy(&sub);
    return NULL;
}

void ent_subscriber_set_wanted(ent_subscriber_t *sub, ent_event_wanted_fn fn, void *arg, char *const *keep)
{
    sub->wanted_fn = fn;
    sub->wanted_arg = arg;
    sub->keep = keep;
    sub->n_keep = 0;
    while (keep && keep[sub->n_keep])
        sub->n_keep++;
}

void ent_subscriber_set_read_ahead(ent_subscriber_t *sub, size_t pages)
{
    sub->read_ahead = pages < 1 ? 1 : pages > ENT_SUBSCRIBER_READ_AHEAD_MAX ? ENT_SUBSCRIBER_READ_AHEAD_MAX : pages;
}

void ent_subscriber_set_applied(ent_subscriber_t *sub, char *const *types)
{
    sub->applied = types;
    sub->n_applied = 0;
    while (types && types[sub->n_applied])
        sub->n_applied++;
}

void ent_subscriber_start(ent_subscriber_t *sub)
{
    /* catch up with whatever was committed while we were away */
    s_send_replay(sub);
}

bool ent_subscriber_pending(const ent_subscriber_t *sub)
{
    /* not wanted: a turn moves the cursor to the head a heartbeat told (a
     * turn that failed waits for the next heartbeat, not a busy loop) */
    return sub->live.n || sub->n_pages ||
           (!sub->wanted && !sub->n_keep && sub->head_moved && sub->stats.head > sub->cursor);
}

/* Receives the events, or the heartbeats only (the publisher drops the
 * rest for this connection).  Both filters are set before the other is
 * removed, so that heartbeats never stop. */
static void s_live(ent_subscriber_t *sub, bool events)
{
    if (events == sub->live_on)
        return;
    const char *on = events ? sub->prefix : sub->heartbeat, *off = events ? sub->heartbeat : sub->prefix;
    zmq_setsockopt(sub->sub, ZMQ_SUBSCRIBE, on, strlen(on));
    zmq_setsockopt(sub->sub, ZMQ_UNSUBSCRIBE, off, strlen(off));
    sub->live_on = events;
}

/* Far behind, heartbeats only; near the head again, the events (with the
 * hysteresis of LAGGING_FROM and LIVE_AGAIN).  Nothing is lost either way:
 * the events missed live are the cursor's backlog, fetched by replay. */
static void s_follow(ent_subscriber_t *sub)
{
    uint64_t behind = sub->stats.head > sub->cursor ? sub->stats.head - sub->cursor : 0;
    if (!sub->lagging && behind > LAGGING_FROM) {
        sub->lagging = true;
        ent_log_info("events.lagging", "%llu events behind %s: following by replay only, live events again "
                     "within %d of the head", (unsigned long long) behind, sub->producer, LIVE_AGAIN);
    } else if (sub->lagging && behind <= LIVE_AGAIN) {
        sub->lagging = false;
        ent_log_info("events.live", "%llu events behind %s: receiving its live events again",
                     (unsigned long long) behind, sub->producer);
    }
    sub->stats.live = sub->wanted && !sub->lagging;
    s_live(sub, sub->stats.live);
}

/* Whether the events are wanted; the subscription follows at the flush
 * (s_follow), once the cursor has moved. */
static void s_want(ent_subscriber_t *sub, bool wanted)
{
    if (wanted == sub->wanted)
        return;
    sub->wanted = wanted;
    ent_log_info("events.wanted", "%s's events %s", sub->producer,
                 wanted        ? "are wanted again: receiving them, from the cursor on"
                 : sub->n_keep ? "are not wanted now: heartbeats only, the kept types by filtered replay"
                               : "are not wanted now: heartbeats only, the cursor follows the head");
}

/* Applies ev when its seq is the cursor's next; sparse (a filtered
 * replay's events, where the others are of types not kept): when it is
 * beyond the cursor. */
static int s_apply_one(ent_subscriber_t *sub, MDB_txn *txn, const Entretiens__V1__EventEnvelope *ev, bool sparse)
{
    if (ev->seq <= sub->turn_cursor) {
        sub->turn_dups++;
        return 0;
    }
    if (!sparse && ev->seq != sub->turn_cursor + 1) {
        sub->turn_gap = true;
        return 0;
    }
    /* the event's trace on the lines its application logs and the events it causes */
    ent_log_trace_set(ev->trace_id);
    int rc = sub->apply(txn, ev, sub->arg);
    ent_log_debug("event.applied", "%s event %llu (%s): %s", sub->producer, (unsigned long long) ev->seq,
                  ev->type ? ev->type : "?", rc == 0 ? "applied" : rc == ENT_EVENT_SKIP ? "skipped" : mdb_strerror(rc));
    ent_log_trace_set(NULL);
    if (rc == ENT_EVENT_SKIP) {
        sub->turn_skipped++;
        ent_log_warn("events.skipped", "%s event %llu (%s) could not be applied and was skipped",
                     sub->producer, (unsigned long long) ev->seq, ev->type ? ev->type : "?");
    } else if (rc) {
        return rc;
    } else {
        sub->turn_applied++;
    }
    sub->turn_cursor = ev->seq;
    return 0;
}

/* Writes the turn's cursor when it moved. */
static int s_cursor_put(ent_subscriber_t *sub, MDB_txn *txn)
{
    if (sub->turn_cursor == sub->cursor)
        return 0;
    uint8_t buf[8];
    ent_be64_put(buf, sub->turn_cursor);
    MDB_val k = { strlen(sub->producer), sub->producer }, v = { 8, buf };
    return mdb_put(txn, ent_store_cursors(sub->store), &k, &v, 0);
}

int ent_subscriber_process(ent_subscriber_t *sub, MDB_txn *txn)
{
    sub->turn_cursor = sub->cursor;
    sub->turn_gap = false;
    sub->turn_more = false;
    sub->turn_applied = sub->turn_skipped = sub->turn_dups = 0;
    sub->turn_wanted = true;
    if (sub->wanted_fn) {
        int rc = sub->wanted_fn(txn, sub->wanted_arg, &sub->turn_wanted);
        if (rc)
            return rc;
    }
    if (!sub->turn_wanted && !sub->n_keep) {
        /* applying them would change nothing: every event up to the head
         * heard (committed before it was told) counts as applied now */
        if (sub->stats.head > sub->turn_cursor)
            sub->turn_cursor = sub->stats.head;
        return s_cursor_put(sub, txn);
    }
    /* not wanted but some types kept: the filtered replies only (live
     * events of other types would look like gaps) */
    ProtobufCAllocator *al = ent_pbarena_allocator(sub->arena);
    for (size_t i = 0; i < sub->n_pages; i++) {
        const s_page_t *pg = &sub->pages[i];
        Entretiens__V1__ReplayReply *rr = pg->rr;
        /* scanned_to 0: a reply of every event, applied seq by seq; else
         * the events of the types asked, sparse where the others are left
         * out — the kept types while not wanted, the applied ones always */
        bool sparse = rr->scanned_to && (pg->kind == PAGE_APPLIED || !sub->turn_wanted);
        if (sparse && pg->from > sub->turn_cursor + 1) {
            /* it starts after a hole (a page before it stopped short of its
             * bound): what lies between was never looked at */
            sub->turn_gap = true;
            continue;
        }
        for (size_t j = 0; j < rr->n_events; j++) {
            Entretiens__V1__EventEnvelope *ev =
                ent_pbfast_unpack_or_pbc(&entretiens__v1__event_envelope__descriptor,
                    al, rr->events[j].len, rr->events[j].data);
            if (!ev) {
                ent_pbarena_reset(sub->arena);
                sub->stats.malformed++;
                continue;
            }
            int rc = s_apply_one(sub, txn, ev, sparse);
            ent_pbarena_reset(sub->arena); /* gives back the whole message (pbarena.h) */
            if (rc)
                return rc;
        }
        /* the events it left out up to there are of types not kept */
        if (sparse && rr->scanned_to > sub->turn_cursor)
            sub->turn_cursor = rr->scanned_to;
        if (sparse && rr->scanned_to < rr->head_seq)
            sub->turn_more = true;
    }
    for (size_t i = 0; i < sub->live.n && sub->turn_wanted; i++) {
        int rc = s_apply_one(sub, txn, sub->live.items[i], false);
        if (rc)
            return rc;
    }
    return s_cursor_put(sub, txn);
}

void ent_subscriber_reset(ent_subscriber_t *sub)
{
    sub->turn_wanted = sub->wanted;
    sub->turn_cursor = sub->cursor;
    sub->turn_gap = false;
    sub->turn_more = false;
    sub->turn_applied = sub->turn_skipped = sub->turn_dups = 0;
}

void ent_subscriber_flush(ent_subscriber_t *sub, bool committed)
{
    if (committed) {
        s_want(sub, sub->turn_wanted);
        sub->cursor = sub->turn_cursor;
        sub->stats.applied += sub->turn_applied;
        sub->stats.skipped += sub->turn_skipped;
        sub->stats.duplicates += sub->turn_dups;
        if (sub->turn_gap) {
            sub->stats.gaps++;
            sub->want_replay = true;
        }
        if (sub->turn_more)
            sub->want_replay = true; /* a backlog: the next filtered replay at once */
    } else {
        /* the events are lost with the turn: fetch them again */
        sub->want_replay = true;
    }
    sub->stats.cursor = sub->cursor;
    s_follow(sub);
    ent_pbarena_reset(sub->live_arena); /* every live event of the turn at once */
    ent_pbarena_reset(sub->page_arena); /* and every page */
    sub->live.n = sub->n_pages = 0;
    sub->head_moved = false;
    ent_subscriber_reset(sub);
    /* not wanted: nothing to fetch, the next turn moves the cursor; or only
     * the kept types, fetched once a second (the tick) unless a backlog */
    if (!sub->wanted && !sub->n_keep)
        sub->want_replay = false;
    else if (sub->want_replay || (sub->wanted && sub->stats.head > sub->cursor))
        s_send_replay(sub);
}

void ent_subscriber_tick(ent_subscriber_t *sub)
{
    int events = 0;
    size_t el = sizeof events;
    bool waiting = zmq_getsockopt(sub->dealer, ZMQ_EVENTS, &events, &el) == 0 && (events & ZMQ_POLLIN);
    if (sub->n_out && !waiting && s_mono_ms() - sub->replay_sent_ms > REPLAY_TIMEOUT_MS) {
        /* unanswered (and no answer waiting to be read after a long
         * turn): asked again.  A late answer is still told apart by what
         * it asked (a filtered page is applied only from where it starts) */
        memcpy(sub->gone, sub->out, sub->n_out * sizeof *sub->out);
        sub->n_gone = sub->n_out;
        sub->n_out = 0;
    }
    bool fetches = sub->wanted || sub->n_keep; /* else the turns move the cursor */
    if (!sub->stats.heard || (fetches && (sub->want_replay || sub->stats.head > sub->cursor)))
        s_send_replay(sub);
}

void ent_subscriber_stats(const ent_subscriber_t *sub, ent_subscriber_stats_t *out)
{
    *out = sub->stats;
}

const char *ent_subscriber_producer(const ent_subscriber_t *sub)
{
    return sub->producer;
}

void ent_subscriber_destroy(ent_subscriber_t **sub_p)
{
    if (!sub_p || !*sub_p)
        return;
    ent_subscriber_t *sub = *sub_p;
    if (sub->sub_watch)
        ent_loop_unwatch(sub->loop, &sub->sub_watch);
    if (sub->dealer_watch)
        ent_loop_unwatch(sub->loop, &sub->dealer_watch);
    if (sub->sub)
        zmq_close(sub->sub);
    if (sub->dealer)
        zmq_close(sub->dealer);
    free(sub->live.items);
    free(sub->pages);
    ent_pbarena_destroy(&sub->arena);
    ent_pbarena_destroy(&sub->live_arena); /* the live events not flushed */
    ent_pbarena_destroy(&sub->page_arena); /* and the pages */
    free(sub->producer);
    free(sub->prefix);
    free(sub->heartbeat);
    free(sub);
    *sub_p = NULL;
}
