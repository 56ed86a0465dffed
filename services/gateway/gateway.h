/*  gateway.h — entretiens-gateway: the HTTP/JSON API in front of the
 *  daemons (docs/gateway.md, docs/api.md).
 *
 *  Threads.  The daemon runtime's libuv loop (common/daemon.h) keeps what
 *  it does for every daemon: /healthz /readyz /metrics on
 *  ENTRETIENS_GATEWAY_OPS_HTTP, the operator RPC methods (gw_admin.c:
 *  accounts and API keys, written in the loop's turns), signals.  The API
 *  is libmicrohttpd with its own pool of worker threads on
 *  ENTRETIENS_GATEWAY_HTTP: each worker owns its RPC clients to the
 *  daemons (the common client is blocking and not thread-safe), reads the
 *  store in its own read transactions and writes sessions in short write
 *  transactions that LMDB serialises with the loop's turns.  A slow daemon
 *  call holds one worker, never the loop: the probes keep answering.
 */
#ifndef GATEWAY_H
#define GATEWAY_H

#include "common/daemon.h"
#include "gw_auth.h"
#include "gw_ratelimit.h"
#include "gw_store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define GW_SCHEMA_VERSION 1
#define GW_DAEMONS 4       /* scheduler records notifier analytics */
#define GW_ETAG_STRIPES 64

extern const char *const gw_daemon_names[GW_DAEMONS];

/* Counters the worker threads bump; the loop copies them into the
 * metrics registry every second (the registry is confined to the loop). */
typedef enum {
    GW_C_LOGIN_OK = 0,
    GW_C_LOGIN_FAILED,
    GW_C_LOGIN_LOCKED,
    GW_C_LOGOUT,
    GW_C_UNAUTHENTICATED,
    GW_C_FORBIDDEN,
    GW_C_CSRF,
    GW_C_RATE_LIMITED,
    GW_C_REQUESTS,
    GW_C_ERRORS_5XX,
    GW_C_HOOK_ENQUEUED,
    GW_C_HOOK_OK,
    GW_C_HOOK_FAILED,
    GW_C_HOOK_DEAD,
    GW_C_COUNT
} gw_counter_t;

/* Verifies a bearer token that is not an API key (an OAuth2 access token,
 * a JWT checked against the issuer's JWKS: oidc.h / jwt.h, wired in by the
 * lead).  Returns 0 with principal (ENT_PRINCIPAL_MAX + 1 bytes) and scopes
 * (space-separated, as OAuth2's "scope" claim: "ingest read") filled, or -1
 * with why (a static sentence) when the token is refused (401). */
typedef int (*gw_bearer_fn)(void *arg, const char *token, char *principal, char *scopes, size_t scopes_size,
                            const char **why);

typedef struct gw {
    ent_daemon_t *d;
    gw_store_t st;
    /* configuration */
    gw_lockout_t lockout;
    gw_session_policy_t sessions;
    bool secure_cookies;       /* also forced on by TLS */
    char *tls_cert, *tls_key;  /* PEM texts when the API serves HTTPS itself */
    char origin[256];          /* allowed Origin ("" = the request's Host) */
    uint32_t threads;
    size_t max_body;
    uint32_t max_events;
    int rpc_timeout_ms, ingest_timeout_ms;
    /* the daemons */
    void *zctx;
    char endpoints[GW_DAEMONS][256];
    ent_curve_client_t curve[GW_DAEMONS];
    bool has_curve[GW_DAEMONS];
    pthread_key_t tls;         /* gw_thread_t of each worker */
    bool tls_on;
    /* the API */
    struct MHD_Daemon *mhd;
    gw_ratelimit_t *rl_addr, *rl_principal;
    pthread_mutex_t etag_mu[GW_ETAG_STRIPES];
    int web_fd;                /* the web application's directory (gw_web.h) */
    bool web_on;               /* web_fd is open (a zeroed gw_t has fd 0) */
    char *openapi;             /* the embedded document */
    size_t openapi_len;
    gw_bearer_fn bearer;       /* NULL: only API keys are accepted as bearer tokens */
    void *bearer_arg;
    /* OpenID Connect (gw_oidc_routes.c): the provider, fetched at first
     * use (an unreachable issuer does not stop the gateway or local
     * sign-in), under oidc_mu */
    struct gw_oidc_conf *oidc_conf;    /* NULL: OIDC off */
    struct gw_oidc *oidc;
    pthread_mutex_t oidc_mu;
    /* webhooks (gw_hook_*.c): consumed on the loop, delivered by their
     * own thread (hook_*), which the loop wakes after a turn enqueued */
    uint32_t hook_attempts, hook_backoff_ms, hook_backoff_max_ms, hook_timeout_ms;
    pthread_t hook_thread;
    bool hook_thread_on;
    pthread_mutex_t hook_mu;
    pthread_cond_t hook_cv;
    bool hook_kick;            /* under hook_mu: something new to send */
    bool hook_turn_enqueued;   /* loop only: this turn enqueued deliveries */
    atomic_uint_fast64_t hook_depth;    /* pending deliveries, as last counted */
    atomic_uint_fast64_t hook_dead;     /* dead letters, as last counted */
    atomic_int_fast64_t loop_beat_ms;   /* the loop's last heartbeat */
    atomic_bool stopping;
    atomic_uint_fast64_t counters[GW_C_COUNT];
    uint64_t counters_seen[GW_C_COUNT];
    struct ent_metrics_counter *m_counters[GW_C_COUNT];
    uv_timer_t beat;
    bool beat_on;
} gw_t;

/* service.c */
extern const ent_config_var_t gw_config_vars[];
extern const size_t gw_n_config_vars;
int gw_migrate(MDB_txn *txn, unsigned from, void *arg);
/* Reads the configuration, opens the databases, registers the operator
 * methods and the heartbeat.  Returns 0, -1 or ENT_DAEMON_CONFIG_ERROR. */
int gw_setup(ent_daemon_t *d, void *arg);
/* Stops the API (gw_api_stop) and the heartbeat timer: call before
 * ent_daemon_destroy, whose loop runs until every handle is closed.  Safe
 * twice and before start. */
void gw_stop(gw_t *gw);
/* Frees what gw_setup allocated (after gw_stop).  Safe twice. */
void gw_close(gw_t *gw);

/* gw_oidc_routes.c: reads ENTRETIENS_OIDC_*: none set, OIDC stays off; the
 * issuer without the client, a configuration error (the provider itself is
 * fetched at the first sign-in).  Then gw->bearer verifies JWT access
 * tokens when ENTRETIENS_OIDC_AUDIENCE is set.  Returns 0, -1 (out of
 * memory) or ENT_DAEMON_CONFIG_ERROR.  gw_oidc_close frees what it kept;
 * safe twice. */
int gw_oidc_setup(gw_t *gw);
void gw_oidc_close(gw_t *gw);

/* gw_hook_events.c: reads ENTRETIENS_GATEWAY_WEBHOOK_*, consumes the
 * scheduler's and records' events (the domain events become deliveries,
 * records' grant events keep the copy of the HR grants).  Returns 0, -1
 * or ENT_DAEMON_CONFIG_ERROR. */
int gw_hooks_setup(gw_t *gw);
/* gw_hook_deliver.c: starts the delivery thread (after the store is open).
 * Returns 0 or -1 (logged).  gw_hooks_stop wakes and joins it; safe when
 * not started, and twice. */
int gw_hooks_start(gw_t *gw);
void gw_hooks_stop(gw_t *gw);
/* Wakes the delivery thread (something was enqueued or resubmitted). */
void gw_hooks_kick(gw_t *gw);

/* gw_admin.c: the operator methods (gateway.user.*, gateway.apikey.*). */
int gw_admin_register(gw_t *gw);

/* gw_api.c: the API server.  Returns 0, ENT_DAEMON_CONFIG_ERROR when
 * ENTRETIENS_GATEWAY_HTTP is not HOST:PORT, or -1 (logged) when it cannot
 * bind. */
int gw_api_start(gw_t *gw);
/* Stops accepting, finishes the requests in flight, joins the workers
 * (whose RPC clients close with them).  Safe when not started. */
void gw_api_stop(gw_t *gw);

static inline void gw_count(gw_t *gw, gw_counter_t c)
{
    atomic_fetch_add_explicit(&gw->counters[c], 1, memory_order_relaxed);
}

#endif
