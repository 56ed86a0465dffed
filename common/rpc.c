/*  rpc.c — ROUTER server with a method table, blocking DEALER client (rpc.h). */
#include "common/rpc.h"

#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

typedef struct {
    char *name;
    ent_rpc_fn fn;
    void *arg;
    ent_rpc_audience_t audience;
    bool read_only;            /* ent_rpc_server_register_read */
} s_method_t;

typedef struct {
    zmq_msg_t identity;
    bool delimiter;            /* a REQ client's empty frame, echoed back */
    bool preanswered;          /* malformed / unknown: answered at receipt */
    bool answered;
    Entretiens__V1__Request *req;
    uint64_t request_id;
    double received_at;
    const char *method;        /* for the observer ("" when unknown) */
    size_t mi;                 /* the method's index in srv->methods (when known) */
    char caller[ENT_PRINCIPAL_MAX + 1]; /* the bound principal (rpc.h) */
    char key[ENT_KEY_NAME_MAX + 1];
    ent_code_t code;
    char message[512];
    char field[128];
    uint8_t *payload;
    size_t payload_len;
    ent_rpc_start_fn start;    /* deferred: started after the commit */
    void *start_arg;
    bool early;                /* a query answered before the turn's writes */
} s_item_t;

struct ent_rpc_pending {
    zmq_msg_t identity;
    bool delimiter;
    uint64_t request_id;
    double received_at;
    char method[128];
    uint8_t *request;          /* the request's payload */
    size_t request_len;
};

struct ent_rpc_server {
    void *sock;
    char *endpoint;
    ent_keyring_t *ring;       /* NULL: no keys (Request.caller trusted) */
    s_method_t *methods;
    size_t n_methods, cap_methods;
    s_item_t *items;
    size_t n_items, cap_items;
    ent_rpc_server_stats_t stats;
    ent_rpc_observe_fn observe;
    void *observe_arg;
};

static const char *const s_code_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED"
};

const char *ent_code_name(ent_code_t code)
{
    if ((int) code < 0 || (size_t) code >= sizeof s_code_names / sizeof s_code_names[0])
        return "UNKNOWN";
    return s_code_names[code];
}

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- server */

ent_rpc_server_t *ent_rpc_server_new(void *zctx, const char *endpoint, const ent_curve_server_t *curve)
{
    if (!endpoint || !*endpoint) {
        ent_log_error("rpc.bind", "no RPC endpoint configured");
        return NULL;
    }
    ent_rpc_server_t *srv = calloc(1, sizeof *srv);
    if (!srv)
        return NULL;
    srv->endpoint = strdup(endpoint);
    srv->sock = zmq_socket(zctx, ZMQ_ROUTER);
    if (!srv->endpoint || !srv->sock)
        goto fail;
    int one = 1, hwm = 100000, linger = 1000;
    int64_t max = ENT_RPC_MAX_MESSAGE;
    zmq_setsockopt(srv->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(srv->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(srv->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(srv->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(srv->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (curve && ent_curve_apply_server(srv->sock, curve) != 0) {
        ent_log_error("rpc.curve", "cannot make %s a CURVE server: %s", endpoint, zmq_strerror(errno));
        goto fail;
    }
    if (zmq_bind(srv->sock, endpoint) != 0) {
        ent_log_error("rpc.bind", "cannot bind RPC endpoint %s: %s", endpoint, zmq_strerror(errno));
        goto fail;
    }
    return srv;
fail:
    ent_rpc_server_destroy(&srv);
    return NULL;
}

void *ent_rpc_server_socket(ent_rpc_server_t *srv)
{
    return srv->sock;
}

static s_method_t *s_find(ent_rpc_server_t *srv, const char *name)
{
    for (size_t i = 0; i < srv->n_methods; i++)
        if (strcmp(srv->methods[i].name, name) == 0)
            return &srv->methods[i];
    return NULL;
}

void ent_rpc_server_identity(ent_rpc_server_t *srv, ent_keyring_t *ring)
{
    srv->ring = ring;
}

int ent_rpc_server_register(ent_rpc_server_t *srv, const char *method, ent_rpc_fn fn, void *arg)
{
    return ent_rpc_server_register_for(srv, method, ENT_RPC_ANYONE, fn, arg);
}

static int s_register(ent_rpc_server_t *srv, const char *method, ent_rpc_audience_t audience, bool read_only,
                      ent_rpc_fn fn, void *arg)
{
    if (!method || !*method || s_find(srv, method))
        return -1;
    if (srv->n_methods == srv->cap_methods) {
        size_t cap = srv->cap_methods ? srv->cap_methods * 2 : 16;
        s_method_t *m = realloc(srv->methods, cap * sizeof *m);
        if (!m)
            return -1;
        srv->methods = m;
        srv->cap_methods = cap;
    }
    char *name = strdup(method);
    if (!name)
        return -1;
    srv->methods[srv->n_methods++] = (s_method_t) { name, fn, arg, audience, read_only };
    return 0;
}

int ent_rpc_server_register_for(ent_rpc_server_t *srv, const char *method, ent_rpc_audience_t audience,
                                ent_rpc_fn fn, void *arg)
{
    return s_register(srv, method, audience, false, fn, arg);
}

int ent_rpc_server_register_read(ent_rpc_server_t *srv, const char *method, ent_rpc_audience_t audience,
                                 ent_rpc_fn fn, void *arg)
{
    return s_register(srv, method, audience, true, fn, arg);
}

static void s_answer(s_item_t *it, ent_code_t code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_answer(s_item_t *it, ent_code_t code, const char *field, const char *fmt, ...)
{
    it->code = code;
    snprintf(it->field, sizeof it->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
    free(it->payload);
    it->payload = NULL;
    it->payload_len = 0;
    it->answered = true;
}

static s_item_t *s_push_item(ent_rpc_server_t *srv)
{
    if (srv->n_items == srv->cap_items) {
        size_t cap = srv->cap_items ? srv->cap_items * 2 : 64;
        s_item_t *items = realloc(srv->items, cap * sizeof *items);
        if (!items)
            return NULL;
        srv->items = items;
        srv->cap_items = cap;
    }
    s_item_t *it = &srv->items[srv->n_items++];
    memset(it, 0, sizeof *it);
    it->method = "";
    return it;
}

/* Reads the rest of a multipart message into at most 2 body frames; counts
 * every frame so that a message with too many is recognised. */
static int s_recv_rest(void *sock, zmq_msg_t *frames, int max, int *count)
{
    int n = 0, more = 1;
    size_t len = sizeof more;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len);
    while (more) {
        zmq_msg_t tmp;
        zmq_msg_t *dst = n < max ? &frames[n] : &tmp;
        zmq_msg_init(dst);
        if (zmq_msg_recv(dst, sock, 0) < 0) {
            zmq_msg_close(dst);
            break;
        }
        more = zmq_msg_more(dst);
        if (dst == &tmp)
            zmq_msg_close(&tmp);
        n++;
    }
    *count = n;
    return n <= max ? n : max;
}

static const char *s_audience_refusal(ent_rpc_audience_t audience, const ent_key_t *key, const char *method,
                                      bool operator)
{
    switch (audience) {
    case ENT_RPC_OPERATOR:
        return operator ? NULL : "this method is for operators' keys (bound to an admin principal)";
    case ENT_RPC_DAEMONS:
        return key->daemon ? NULL : "this method is for the daemons' own keys";
    case ENT_RPC_NAMED:
        return operator || ent_key_allows_explicitly(key, method) ? NULL
                                                                  : "this key's allow list does not name this method";
    case ENT_RPC_ADMINS: /* the principal acted for is checked once bound (s_bind) */
        return operator || ent_key_allows_explicitly(key, method) ? NULL
                                                                  : "this key's allow list does not name this method";
    default:
        return NULL;
    }
}

/* Binds the request to the key of its connection (rpc.h,
 * ent_rpc_server_identity).  Returns true when it may go on; else the item
 * is answered. */
static bool s_bind(ent_rpc_server_t *srv, s_item_t *it, zmq_msg_t *body, const s_method_t *m)
{
    const char *asked = it->req->caller ? it->req->caller : "";
    if (!srv->ring) {
        snprintf(it->caller, sizeof it->caller, "%s", asked);
        return true;
    }
    const char *uid = zmq_msg_gets(body, "User-Id");
    ent_key_t key;
    const char *why = NULL, *field = "key";
    if (!uid || !*uid || ent_keyring_find_name(srv->ring, uid, &key) != 0) {
        why = "the key of this connection is not in the key directory (any more)";
    } else {
        ent_principal_t p;
        bool operator = ent_principal_parse(key.principal, &p, NULL) == 0 && p.role == ENT_ROLE_ADMIN;
        snprintf(it->key, sizeof it->key, "%s", key.name);
        if (!ent_key_allows(&key, m->name)) {
            why = "this key's allow list does not cover the method";
            field = "method";
        } else if ((why = s_audience_refusal(m->audience, &key, m->name, operator))) {
            field = "method";
        } else if (*asked && strcmp(asked, key.principal) != 0) {
            const char *bad;
            field = "caller";
            if (!key.may_assert)
                why = "this key acts as its own principal and may not act for another";
            else if (ent_principal_parse(asked, &p, &bad) != 0)
                why = bad;
            else
                snprintf(it->caller, sizeof it->caller, "%s", asked);
        } else {
            snprintf(it->caller, sizeof it->caller, "%s", key.principal);
        }
        if (!why && m->audience == ENT_RPC_ADMINS && !operator &&
            (ent_principal_parse(it->caller, &p, NULL) != 0 || p.role != ENT_ROLE_ADMIN)) {
            field = "caller";
            why = "this method is for administrators";
        }
    }
    if (!why)
        return true;
    srv->stats.denied++;
    it->preanswered = true;
    s_answer(it, ENT_PERMISSION_DENIED, field, "%s refused: %s (key '%s')", m->name, why,
             it->key[0] ? it->key : "unknown");
    ent_log_warn("rpc.denied", "%s refused to key '%s' (asking as '%.80s'): %s (%s)", m->name,
                 it->key[0] ? it->key : "?", *asked ? asked : "-", why, field);
    return false;
}

void ent_rpc_server_on_readable(void *sock, int budget, void *arg)
{
    ent_rpc_server_t *srv = arg;
    for (int i = 0; i < budget; i++) {
        zmq_msg_t id;
        zmq_msg_init(&id);
        if (zmq_msg_recv(&id, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            break; /* EAGAIN: nothing more this turn */
        }
        zmq_msg_t frames[2];
        int total = 0;
        int kept = s_recv_rest(sock, frames, 2, &total);
        s_item_t *it = s_push_item(srv);
        if (!it) {
            zmq_msg_close(&id);
            for (int f = 0; f < kept; f++)
                zmq_msg_close(&frames[f]);
            srv->stats.replies_dropped++;
            continue;
        }
        srv->stats.requests++;
        it->identity = id;
        it->received_at = s_now();
        zmq_msg_t *body = NULL;
        if (total == 1)
            body = &frames[0];
        else if (total == 2 && zmq_msg_size(&frames[0]) == 0) {
            it->delimiter = true;
            body = &frames[1];
        }
        if (!body) {
            srv->stats.malformed++;
            it->preanswered = true;
            s_answer(it, ENT_INVALID_ARGUMENT, "frames",
                     "malformed request: expected one Request frame, got %d frames", total);
            ent_log_warn("rpc.malformed", "request with %d frames refused", total);
        } else {
            it->req = entretiens__v1__request__unpack(NULL, zmq_msg_size(body), zmq_msg_data(body));
            if (!it->req) {
                srv->stats.malformed++;
                it->preanswered = true;
                s_answer(it, ENT_INVALID_ARGUMENT, "payload",
                         "malformed request: not an entretiens.v1.Request (%zu bytes)", zmq_msg_size(body));
                ent_log_warn("rpc.malformed", "undecodable request of %zu bytes refused", zmq_msg_size(body));
            } else {
                it->request_id = it->req->request_id;
                s_method_t *m = it->req->method && *it->req->method ? s_find(srv, it->req->method) : NULL;
                if (!it->req->method || !*it->req->method) {
                    srv->stats.malformed++;
                    it->preanswered = true;
                    s_answer(it, ENT_INVALID_ARGUMENT, "method", "request without a method");
                } else if (!m) {
                    srv->stats.unknown_method++;
                    it->preanswered = true;
                    s_answer(it, ENT_UNIMPLEMENTED, "method", "unknown method '%.200s'", it->req->method);
                    ent_log_warn("rpc.unknown_method", "unknown method '%.200s'", it->req->method);
                } else {
                    it->method = m->name;
                    it->mi = (size_t) (m - srv->methods);
                    s_bind(srv, it, body, m);
                }
            }
        }
        for (int f = 0; f < kept; f++)
            zmq_msg_close(&frames[f]);
    }
}

size_t ent_rpc_server_pending(const ent_rpc_server_t *srv)
{
    return srv->n_items;
}

bool ent_rpc_server_read_only(const ent_rpc_server_t *srv)
{
    for (size_t i = 0; i < srv->n_items; i++) {
        const s_item_t *it = &srv->items[i];
        if (!it->preanswered && !it->answered && !srv->methods[it->mi].read_only)
            return false;
    }
    return true;
}

/* Runs the queued requests: each in a nested transaction of txn, or, in a
 * read-only turn (nest false), in txn itself; early: only the items marked
 * early (ent_rpc_server_answer_early_reads). */
static int s_process(ent_rpc_server_t *srv, MDB_txn *txn, bool nest, bool early)
{
    MDB_env *env = mdb_txn_env(txn);
    for (size_t i = 0; i < srv->n_items; i++) {
        s_item_t *it = &srv->items[i];
        if (it->preanswered || it->answered || (early && !it->early))
            continue;
        const s_method_t *m = &srv->methods[it->mi];
        ent_rpc_call_t call = { .req = it->req, .caller = it->caller, .key = it->key, .code = ENT_OK };
        /* in a turn of queries only, the read-only transaction itself (a
         * query has nothing to discard); else a nested transaction */
        call.txn = txn;
        int rc = nest ? mdb_txn_begin(env, txn, 0, &call.txn) : 0;
        if (rc)
            return rc;
        /* the call's trace (the client's, or a new one) on every log line
         * of the handler, on the events it causes and the calls it makes */
        char trace[33];
        if (ent_trace_valid(it->req->trace_id))
            memcpy(trace, it->req->trace_id, sizeof trace);
        else
            ent_trace_new(trace);
        ent_log_trace_set(trace);
        ent_log_context_set(it->method, it->caller);
        bool debug = ent_log_enabled(ENT_LOG_DEBUG);
        struct timespec t0 = { 0 }, t1 = { 0 };
        if (debug)
            clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = m->fn(&call, m->arg);
        if (debug)
            clock_gettime(CLOCK_MONOTONIC, &t1);
        /* one line per call, at debug: method, caller, trace, status and
         * duration are fields; the answer's field and message may quote the
         * request, so they stay out (the client has them).  Formatted only
         * when debug lines are written: a float's formatting per call was
         * on the hot path of every query. */
        if (debug) {
            char ms[32];
            snprintf(ms, sizeof ms, "%.3f",
                     (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
            const char *status = ent_code_name(rc ? ENT_INTERNAL : call.code);
            static const char *const keys[] = { "status", "duration_ms" };
            const char *values[] = { status, ms };
            ent_log_fields(ENT_LOG_DEBUG, "rpc.call", keys, values, 2, "%s in %s ms", status, ms);
        }
        ent_log_context_set(NULL, NULL);
        ent_log_trace_set(NULL);
        if (!nest) {
            /* nothing to commit or abort */
        } else if (rc == 0 && call.code == ENT_OK) {
            rc = mdb_txn_commit(call.txn);
        } else {
            mdb_txn_abort(call.txn);
        }
        if (rc == MDB_MAP_FULL) {
            free(call.payload);
            return rc;
        }
        if (rc) {
            free(call.payload);
            s_answer(it, ENT_INTERNAL, NULL, "store error: %s", mdb_strerror(rc));
            ent_log_error("rpc.store", "%s failed in the store: %s", it->method, mdb_strerror(rc));
            continue;
        }
        it->answered = true;
        it->code = call.code;
        memcpy(it->message, call.message, sizeof it->message);
        memcpy(it->field, call.field, sizeof it->field);
        it->payload = call.payload;
        it->payload_len = call.payload_len;
        it->start = call.code == ENT_OK ? call.start : NULL;
        it->start_arg = call.start_arg;
    }
    return 0;
}

int ent_rpc_server_process(ent_rpc_server_t *srv, MDB_txn *txn)
{
    return s_process(srv, txn, true, false);
}

int ent_rpc_server_process_read(ent_rpc_server_t *srv, MDB_txn *txn)
{
    return ent_rpc_server_read_only(srv) ? s_process(srv, txn, false, false) : EINVAL;
}

static bool s_same_client(const s_item_t *a, const s_item_t *b)
{
    size_t n = zmq_msg_size((zmq_msg_t *) &a->identity);
    return n == zmq_msg_size((zmq_msg_t *) &b->identity) &&
           memcmp(zmq_msg_data((zmq_msg_t *) &a->identity), zmq_msg_data((zmq_msg_t *) &b->identity), n) == 0;
}

/* Whether item i may go before the turn's writes: a query whose client's
 * earlier requests in the queue all go early too (queries themselves), so
 * that a client's requests keep their order.  strict: none of the client's
 * requests before it at all (the earlier items' marks are not read). */
static bool s_early_ok(const ent_rpc_server_t *srv, size_t i, bool strict)
{
    const s_item_t *it = &srv->items[i];
    if (it->preanswered || it->answered || !srv->methods[it->mi].read_only)
        return false;
    for (size_t j = 0; j < i; j++)
        if (!srv->items[j].preanswered && s_same_client(&srv->items[j], it) && (strict || !srv->items[j].early))
            return false;
    return true;
}

bool ent_rpc_server_early_reads(const ent_rpc_server_t *srv)
{
    if (ent_rpc_server_read_only(srv))
        return false; /* the whole turn is read-only anyway */
    for (size_t i = 0; i < srv->n_items; i++)
        if (s_early_ok(srv, i, true))
            return true;
    return false;
}

static void s_item_release(s_item_t *it);
static void s_answer_item(ent_rpc_server_t *srv, s_item_t *it);

int ent_rpc_server_answer_early_reads(ent_rpc_server_t *srv, MDB_txn *txn)
{
    size_t n = 0;
    for (size_t i = 0; i < srv->n_items; i++) /* in order: each reads the marks before it */
        n += srv->items[i].early = s_early_ok(srv, i, false);
    if (!n)
        return 0;
    int rc = s_process(srv, txn, false, true);
    if (rc) {
        for (size_t i = 0; i < srv->n_items; i++) {
            s_item_t *it = &srv->items[i];
            if (it->early && !it->preanswered) {
                free(it->payload);
                it->payload = NULL;
                it->payload_len = 0;
                it->answered = false;
                it->start = NULL;
            }
            it->early = false;
        }
        return rc;
    }
    /* answer them and close the queue over them, keeping the others' order */
    size_t kept = 0;
    for (size_t i = 0; i < srv->n_items; i++) {
        s_item_t *it = &srv->items[i];
        if (it->early) {
            s_answer_item(srv, it);
            s_item_release(it);
            continue;
        }
        if (kept != i) {
            s_item_t *dst = &srv->items[kept];
            zmq_msg_t id;
            zmq_msg_init(&id);
            zmq_msg_move(&id, &it->identity);
            *dst = *it; /* its identity: the emptied message, replaced below */
            zmq_msg_init(&dst->identity);
            zmq_msg_move(&dst->identity, &id);
            zmq_msg_close(&id);
        }
        kept++;
    }
    srv->n_items = kept;
    return 0;
}

void ent_rpc_server_reset(ent_rpc_server_t *srv)
{
    for (size_t i = 0; i < srv->n_items; i++) {
        s_item_t *it = &srv->items[i];
        if (it->preanswered)
            continue;
        free(it->payload);
        it->payload = NULL;
        it->payload_len = 0;
        it->answered = false;
        it->start = NULL;
    }
}

static void s_send_reply(ent_rpc_server_t *srv, s_item_t *it)
{
    Entretiens__V1__Status st = ENTRETIENS__V1__STATUS__INIT;
    st.code = it->code;
    st.message = it->message;
    st.field = it->field;
    Entretiens__V1__Reply rep = ENTRETIENS__V1__REPLY__INIT;
    rep.request_id = it->request_id;
    rep.status = &st;
    rep.payload.data = it->payload;
    rep.payload.len = it->payload_len;
    size_t len = entretiens__v1__reply__get_packed_size(&rep);
    zmq_msg_t out;
    if (zmq_msg_init_size(&out, len) != 0) {
        srv->stats.replies_dropped++;
        return;
    }
    entretiens__v1__reply__pack(&rep, zmq_msg_data(&out));
    /* ROUTER_MANDATORY: EHOSTUNREACH when the client is gone, EAGAIN at its
     * HWM; the client times out and retries idempotent calls. */
    int ok = zmq_msg_send(&it->identity, srv->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0;
    if (ok && it->delimiter)
        ok = zmq_send(srv->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0;
    if (ok)
        ok = zmq_msg_send(&out, srv->sock, ZMQ_DONTWAIT) >= 0;
    if (!ok) {
        srv->stats.replies_dropped++;
        zmq_msg_close(&out);
        ent_log_debug("rpc.reply_dropped", "reply to %s dropped: %s", it->method, zmq_strerror(errno));
    }
}

/* Hands a deferred call to its start function.  Returns false when memory
 * is short (the call is then answered now, with its status). */
static bool s_start_deferred(s_item_t *it)
{
    ent_rpc_pending_t *p = calloc(1, sizeof *p);
    size_t len = it->req ? it->req->payload.len : 0;
    uint8_t *req = malloc(len ? len : 1);
    if (!p || !req) {
        free(p);
        free(req);
        s_answer(it, ENT_RESOURCE_EXHAUSTED, NULL, "out of memory");
        return false;
    }
    zmq_msg_init(&p->identity);
    zmq_msg_move(&p->identity, &it->identity);
    p->delimiter = it->delimiter;
    p->request_id = it->request_id;
    p->received_at = it->received_at;
    snprintf(p->method, sizeof p->method, "%s", it->method);
    if (len)
        memcpy(req, it->req->payload.data, len);
    p->request = req;
    p->request_len = len;
    it->start(p, it->start_arg);
    return true;
}

/* Sends its answer, or starts its deferred work (answered later by
 * ent_rpc_pending_reply). */
static void s_answer_item(ent_rpc_server_t *srv, s_item_t *it)
{
    if (it->start && s_start_deferred(it))
        return;
    s_send_reply(srv, it);
    if (srv->observe)
        srv->observe(srv->observe_arg, it->method, it->code, s_now() - it->received_at);
}

static void s_item_release(s_item_t *it)
{
    zmq_msg_close(&it->identity);
    if (it->req)
        entretiens__v1__request__free_unpacked(it->req, NULL);
    free(it->payload);
}

void ent_rpc_server_flush(ent_rpc_server_t *srv, bool committed)
{
    for (size_t i = 0; i < srv->n_items; i++) {
        s_item_t *it = &srv->items[i];
        if (!committed && !it->preanswered) {
            s_answer(it, ENT_UNAVAILABLE, NULL, "the store could not commit; retry");
            it->start = NULL;
        }
        s_answer_item(srv, it);
        s_item_release(it);
    }
    srv->n_items = 0;
}

void ent_rpc_server_stats(const ent_rpc_server_t *srv, ent_rpc_server_stats_t *out)
{
    *out = srv->stats;
}

void ent_rpc_server_observe(ent_rpc_server_t *srv, ent_rpc_observe_fn fn, void *arg)
{
    srv->observe = fn;
    srv->observe_arg = arg;
}

void ent_rpc_server_destroy(ent_rpc_server_t **srv_p)
{
    if (!srv_p || !*srv_p)
        return;
    ent_rpc_server_t *srv = *srv_p;
    for (size_t i = 0; i < srv->n_items; i++) {
        zmq_msg_close(&srv->items[i].identity);
        if (srv->items[i].req)
            entretiens__v1__request__free_unpacked(srv->items[i].req, NULL);
        free(srv->items[i].payload);
    }
    free(srv->items);
    for (size_t i = 0; i < srv->n_methods; i++)
        free(srv->methods[i].name);
    free(srv->methods);
    if (srv->sock)
        zmq_close(srv->sock);
    free(srv->endpoint);
    free(srv);
    *srv_p = NULL;
}

int ent_rpc_defer(ent_rpc_call_t *call, ent_rpc_start_fn start, void *arg)
{
    ent_rpc_ok(call, NULL);
    call->start = start;
    call->start_arg = arg;
    return 0;
}

const uint8_t *ent_rpc_pending_payload(const ent_rpc_pending_t *p, size_t *len)
{
    *len = p->request_len;
    return p->request;
}

void ent_rpc_pending_drop(ent_rpc_pending_t **p_p)
{
    if (!p_p || !*p_p)
        return;
    zmq_msg_close(&(*p_p)->identity);
    free((*p_p)->request);
    free(*p_p);
    *p_p = NULL;
}

void ent_rpc_pending_reply(ent_rpc_server_t *srv, ent_rpc_pending_t **p_p, ent_code_t code, const char *field,
                           const char *message, const ProtobufCMessage *msg)
{
    ent_rpc_pending_t *p = *p_p;
    s_item_t it;
    memset(&it, 0, sizeof it);
    zmq_msg_init(&it.identity);
    zmq_msg_move(&it.identity, &p->identity);
    it.delimiter = p->delimiter;
    it.request_id = p->request_id;
    it.method = p->method;
    it.code = code;
    snprintf(it.field, sizeof it.field, "%s", field ? field : "");
    snprintf(it.message, sizeof it.message, "%s", message ? message : "");
    if (msg && code == ENT_OK) {
        size_t len = protobuf_c_message_get_packed_size(msg);
        it.payload = malloc(len ? len : 1);
        if (it.payload)
            it.payload_len = protobuf_c_message_pack(msg, it.payload);
    }
    s_send_reply(srv, &it);
    if (srv->observe)
        srv->observe(srv->observe_arg, it.method, it.code, s_now() - p->received_at);
    zmq_msg_close(&it.identity);
    free(it.payload);
    ent_rpc_pending_drop(p_p);
}

int ent_rpc_ok_bytes(ent_rpc_call_t *call, const uint8_t *data, size_t len)
{
    free(call->payload);
    call->payload = NULL;
    call->payload_len = 0;
    call->code = ENT_OK;
    if (len) {
        call->payload = malloc(len);
        if (!call->payload)
            return ENOMEM;
        memcpy(call->payload, data, len);
        call->payload_len = len;
    }
    return 0;
}

int ent_rpc_ok(ent_rpc_call_t *call, const ProtobufCMessage *msg)
{
    free(call->payload);
    call->payload = NULL;
    call->payload_len = 0;
    call->code = ENT_OK;
    if (!msg)
        return 0;
    size_t len = protobuf_c_message_get_packed_size(msg);
    call->payload = malloc(len ? len : 1);
    if (!call->payload)
        return ENOMEM;
    call->payload_len = protobuf_c_message_pack(msg, call->payload);
    return 0;
}

int ent_rpc_fail(ent_rpc_call_t *call, ent_code_t code, const char *field, const char *fmt, ...)
{
    call->code = code;
    snprintf(call->field, sizeof call->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->message, sizeof call->message, fmt, ap);
    va_end(ap);
    free(call->payload);
    call->payload = NULL;
    call->payload_len = 0;
    return 0;
}

void *ent_rpc_unpack(ent_rpc_call_t *call, const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, call->req->payload.len, call->req->payload.data);
    if (!m)
        ent_rpc_fail(call, ENT_INVALID_ARGUMENT, "payload", "not a %s", desc->short_name);
    return m;
}

/* ---------------------------------------------------------------- client */

struct ent_rpc_client {
    void *sock;
    void *monitor;           /* PAIR receiving the DEALER's handshake events (CURVE only) */
    bool refused;            /* the server refused our key at the last handshake */
    bool accepted;           /* a handshake succeeded since the last refusal */
    int timeout_ms;
    uint64_t next_id;
};

/* Watches the handshake so that a refused key fails a call at once (a
 * DEALER would otherwise retry the handshake silently until the timeout). */
static int s_client_monitor(ent_rpc_client_t *c, void *zctx)
{
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://ent-rpc-monitor-%p", (void *) c);
    if (zmq_socket_monitor(c->sock, ep, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
        return -1;
    c->monitor = zmq_socket(zctx, ZMQ_PAIR);
    if (!c->monitor)
        return -1;
    int linger = 0;
    zmq_setsockopt(c->monitor, ZMQ_LINGER, &linger, sizeof linger);
    return zmq_connect(c->monitor, ep);
}

/* Reads the pending monitor events (two frames each: event + endpoint). */
static void s_client_events(ent_rpc_client_t *c)
{
    for (;;) {
        zmq_msg_t ev;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, c->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        uint16_t event = 0;
        if (zmq_msg_size(&ev) >= 2)
            memcpy(&event, zmq_msg_data(&ev), 2);
        bool more = zmq_msg_more(&ev);
        zmq_msg_close(&ev);
        while (more) {
            zmq_msg_t rest;
            zmq_msg_init(&rest);
            if (zmq_msg_recv(&rest, c->monitor, 0) < 0) {
                zmq_msg_close(&rest);
                break;
            }
            more = zmq_msg_more(&rest);
            zmq_msg_close(&rest);
        }
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            c->refused = true;
            c->accepted = false;
        } else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            c->refused = false;
            c->accepted = true;
        }
    }
}

/* Waits at most left ms for the next reply message.  Returns 1 with *rep
 * (the caller closes it), 0 when nothing came in a slice (the caller looks
 * at its deadline again), -1 when the daemon refused our key, -2 when the
 * socket cannot receive at all (its context is ending).
 *
 * Once a handshake has succeeded, the wait is one blocking receive: one
 * poll() on the socket's mailbox, where zmq_poll over the socket and its
 * monitor asks each twice for its events (a poll() and a getpid() each)
 * around the wait.  The monitor is still read between slices of 100 ms,
 * so a key refused after a daemon's restart fails the call within a slice
 * rather than at the deadline. */
static int s_client_receive(ent_rpc_client_t *c, long left, zmq_msg_t *rep)
{
    if (!c->monitor || c->accepted) {
        int wait = (int) (c->monitor && left > 100 ? 100 : left);
        zmq_setsockopt(c->sock, ZMQ_RCVTIMEO, &wait, sizeof wait);
        zmq_msg_init(rep);
        if (zmq_msg_recv(rep, c->sock, 0) >= 0)
            return 1;
        int err = errno;
        zmq_msg_close(rep);
        if (err != EAGAIN && err != EINTR)
            return -2;
        if (c->monitor) {
            s_client_events(c);
            if (c->refused)
                return -1;
        }
        return 0;
    }
    zmq_pollitem_t items[2] = { { c->sock, 0, ZMQ_POLLIN, 0 }, { c->monitor, 0, ZMQ_POLLIN, 0 } };
    int n = zmq_poll(items, 2, left);
    if (n < 0 && errno != EINTR)
        return -2;
    if (n <= 0)
        return 0; /* interrupted or nothing: the caller's deadline decides */
    if (items[1].revents & ZMQ_POLLIN) {
        s_client_events(c);
        if (c->refused)
            return -1;
    }
    if (!(items[0].revents & ZMQ_POLLIN))
        return 0;
    zmq_msg_init(rep);
    if (zmq_msg_recv(rep, c->sock, ZMQ_DONTWAIT) >= 0)
        return 1;
    zmq_msg_close(rep);
    return 0;
}

ent_rpc_client_t *ent_rpc_client_new(void *zctx, const char *endpoint, int timeout_ms,
                                     const ent_curve_client_t *curve)
{
    ent_rpc_client_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    c->sock = zmq_socket(zctx, ZMQ_DEALER);
    if (!c->sock)
        goto fail;
    int linger = 0, hwm = 100000;
    int64_t max = ENT_RPC_MAX_MESSAGE;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (curve && (ent_curve_apply_client(c->sock, curve) != 0 || s_client_monitor(c, zctx) != 0))
        goto fail;
    if (zmq_connect(c->sock, endpoint) != 0)
        goto fail;
    /* ids start from a time-derived value so that a reconnecting client
     * never matches a reply meant for a previous process */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->next_id = ((uint64_t) ts.tv_sec << 20) ^ (uint64_t) ts.tv_nsec;
    return c;
fail:
    ent_rpc_client_destroy(&c);
    return NULL;
}

static void s_result_set(ent_rpc_result_t *out, ent_code_t code, const char *msg)
{
    out->code = code;
    snprintf(out->message, sizeof out->message, "%s", msg);
    out->field[0] = '\0';
}

int ent_rpc_client_call(ent_rpc_client_t *c, const char *method, const char *caller,
                        const uint8_t *payload, size_t len, ent_rpc_result_t *out)
{
    memset(out, 0, sizeof *out);
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = ++c->next_id;
    req.method = (char *) method;
    req.caller = (char *) (caller ? caller : "");
    req.trace_id = (char *) ent_log_trace(); /* the work this call is part of ("" = none) */
    req.payload.data = (uint8_t *) payload;
    req.payload.len = len;
    size_t size = entretiens__v1__request__get_packed_size(&req);
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0) {
        s_result_set(out, ENT_INTERNAL, "out of memory");
        return -1;
    }
    entretiens__v1__request__pack(&req, zmq_msg_data(&msg));
    if (zmq_msg_send(&msg, c->sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        s_result_set(out, ENT_UNAVAILABLE, "cannot send: the client queue is full");
        return -1;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        long left = c->timeout_ms - elapsed;
        if (left <= 0)
            break;
        zmq_msg_t rep;
        int got = s_client_receive(c, left, &rep);
        if (got == -2)
            break;
        if (got < 0) {
            s_result_set(out, ENT_UNAUTHENTICATED,
                         "the daemon refused this client's key at the handshake (is it in the daemon's "
                         "ENTRETIENS_KEYS_DIR?)");
            return -1;
        }
        if (got == 0)
            continue;
        /* a REQ-style empty delimiter is never sent to a DEALER by our server;
         * skip any extra frame defensively */
        while (zmq_msg_more(&rep)) {
            zmq_msg_close(&rep);
            zmq_msg_init(&rep);
            if (zmq_msg_recv(&rep, c->sock, 0) < 0)
                break;
        }
        Entretiens__V1__Reply *r = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&rep), zmq_msg_data(&rep));
        zmq_msg_close(&rep);
        if (!r)
            continue;
        if (r->request_id != req.request_id) {
            entretiens__v1__reply__free_unpacked(r, NULL);
            continue; /* a late answer to an earlier, timed-out call */
        }
        out->code = r->status ? r->status->code : ENT_OK;
        snprintf(out->message, sizeof out->message, "%s", r->status && r->status->message ? r->status->message : "");
        snprintf(out->field, sizeof out->field, "%s", r->status && r->status->field ? r->status->field : "");
        if (r->payload.len) {
            out->payload = malloc(r->payload.len);
            if (out->payload) {
                memcpy(out->payload, r->payload.data, r->payload.len);
                out->payload_len = r->payload.len;
            }
        }
        entretiens__v1__reply__free_unpacked(r, NULL);
        return 0;
    }
    s_result_set(out, ENT_DEADLINE_EXCEEDED, "no answer in time (is the daemon running?)");
    return -1;
}

int ent_rpc_client_call_msg(ent_rpc_client_t *c, const char *method, const char *caller,
                            const ProtobufCMessage *msg, ent_rpc_result_t *out)
{
    if (!msg)
        return ent_rpc_client_call(c, method, caller, NULL, 0, out);
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        memset(out, 0, sizeof *out);
        s_result_set(out, ENT_INTERNAL, "out of memory");
        return -1;
    }
    protobuf_c_message_pack(msg, buf);
    int rc = ent_rpc_client_call(c, method, caller, buf, len, out);
    free(buf);
    return rc;
}

void ent_rpc_result_clear(ent_rpc_result_t *r)
{
    free(r->payload);
    r->payload = NULL;
    r->payload_len = 0;
}

void ent_rpc_client_destroy(ent_rpc_client_t **c_p)
{
    if (!c_p || !*c_p)
        return;
    if ((*c_p)->sock) {
        if ((*c_p)->monitor)
            zmq_socket_monitor((*c_p)->sock, NULL, 0);
        zmq_close((*c_p)->sock);
    }
    if ((*c_p)->monitor)
        zmq_close((*c_p)->monitor);
    free(*c_p);
    *c_p = NULL;
}
