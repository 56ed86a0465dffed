/*  gw_api.h — what the API server (gw_api.c) hands the routes
 *  (gw_routes.c): the authenticated request, the response to fill, the
 *  calls to the daemons on the worker's own clients.
 */
#ifndef GW_API_H
#define GW_API_H

#include "gateway.h"
#include "gw_problem.h"

#include <jansson.h>
#include <microhttpd.h>
#include <strings.h>

#define GW_MAX_PARAMS 4
#define GW_MAX_PARAM 160 /* bytes of one {name} part, with its NUL */

typedef enum { GW_AUTH_NONE = 0, GW_AUTH_SESSION, GW_AUTH_APIKEY } gw_auth_kind_t;

/* A worker thread's clients (created on first use, closed when the thread
 * ends). */
typedef struct gw_thread gw_thread_t;

typedef struct gw_req {
    gw_t *gw;
    struct MHD_Connection *conn;
    const char *method;        /* "GET" ... */
    const char *path;          /* without the query */
    const char *body;          /* NUL-terminated; NULL when none */
    size_t body_len;
    char params[GW_MAX_PARAMS][GW_MAX_PARAM]; /* {name} parts of the route's pattern, in order */
    /* who: from the session or the API key, never from the request */
    gw_auth_kind_t auth;
    char principal[ENT_PRINCIPAL_MAX + 1];
    ent_principal_t who;
    char login[128];
    char csrf[GW_TOKEN_TEXT];
    uint8_t session_hash[GW_HASH_BYTES];
    char addr[64];
} gw_req_t;

typedef struct {
    unsigned status;
    json_t *json;              /* owned; problem+json when status >= 400 */
    char *text;                /* owned; instead of json (text/calendar ...) */
    size_t text_len;
    const char *content_type;  /* with text */
    char disposition[256];     /* Content-Disposition ("" = none) */
    char etag[48];
    char cookie[512];          /* Set-Cookie */
    uint32_t retry_after;
    char *location;            /* owned: Location of a redirect (302) */
    /* a static file (gw_web.c) instead of json or text */
    bool has_file;
    int file_fd;               /* owned: closed by the sender */
    uint64_t file_size;
    const char *cache_control; /* NULL: no-store */
    const char *content_encoding;
    bool vary_encoding;
    char trace[33];         /* the request's W3C trace-id: echoed in a traceparent header */
} gw_resp_t;

/* Sets a problem response.  Returns 0. */
int gw_resp_problem(gw_resp_t *out, unsigned status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sets a JSON response (takes the reference). Returns 0. */
int gw_resp_json(gw_resp_t *out, unsigned status, json_t *json);

/* A query argument, or NULL. */
const char *gw_req_query(const gw_req_t *r, const char *name);
/* A request header, or NULL. */
const char *gw_req_header(const gw_req_t *r, const char *name);
/* Every query argument as a JSON object of strings (the caller owns it). */
json_t *gw_req_query_object(const gw_req_t *r);

/* Calls a daemon (index in gw_daemon_names) as the request's principal on
 * this worker's client.  ingest selects the long-timeout client.  Returns
 * as ent_rpc_client_call_msg; out must be cleared by the caller. */
int gw_call(gw_req_t *r, int daemon, const char *method, const ProtobufCMessage *msg, bool ingest,
            ent_rpc_result_t *out);

/* ------------------------------------------------------------- routes */

typedef int (*gw_route_fn)(gw_req_t *r, gw_resp_t *out, const void *arg);

typedef struct {
    const char *method;
    const char *pattern;       /* "/api/v1/interviews/{id}/schedule" */
    const char *scope;         /* what an API key needs: read | write | ingest */
    gw_route_fn fn;
    const void *arg;
} gw_route_t;

extern const gw_route_t gw_routes[];
extern const size_t gw_n_routes;

/* Matches path against pattern; fills params.  Returns true on a match. */
bool gw_route_match(const char *pattern, const char *path, char params[GW_MAX_PARAMS][GW_MAX_PARAM]);

/* Session routes (gw_session.c). */
int gw_route_login(gw_req_t *r, gw_resp_t *out, const void *arg);
/* Opens a session for principal (signed in by another means than a local
 * password: OpenID Connect) and sets its cookie in out; csrf receives the
 * session's CSRF token.  Returns 0, -1 (no randomness) or an LMDB code. */
int gw_session_begin(gw_t *gw, gw_resp_t *out, const char *principal, const char *login, char csrf[GW_TOKEN_TEXT]);

/* gw_oidc_routes.c: GET /auth/oidc/login and /auth/oidc/callback (public). */
int gw_route_oidc_login(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_oidc_callback(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_logout(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_me(gw_req_t *r, gw_resp_t *out, const void *arg);

/* Calendar feed (gw_calendar.c). */
int gw_route_caltoken_create(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_caltoken_delete(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_calendar(gw_req_t *r, gw_resp_t *out, const void *arg);

/* Webhooks (gw_hook_routes.c): administrators and granted HR only. */
int gw_route_webhook_create(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_webhook_list(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_webhook_delete(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_webhook_dead(gw_req_t *r, gw_resp_t *out, const void *arg);
int gw_route_webhook_resubmit(gw_req_t *r, gw_resp_t *out, const void *arg);

/* The report as a PDF (gw_report.c). */
int gw_route_report_pdf(gw_req_t *r, gw_resp_t *out, const void *arg);

/* The professional interview's recap as a PDF for the social partners
 * (gw_recap.c): HR and administrators only (403 for anyone else), the
 * daemons' refusals (an entity outside HR's grant) passed on. */
int gw_route_recap_pdf(gw_req_t *r, gw_resp_t *out, const void *arg);
/* The data subject's copy as a zip (gw_subject.c): r->params[0] is the
 * employee; ?lang=fr|en. */
int gw_route_subject_zip(gw_req_t *r, gw_resp_t *out, const void *arg);

/* The session cookie's name. */
#define GW_COOKIE "ent_session"

/* Authenticates r from its session cookie or its Authorization header
 * ("Bearer ek_..." API keys; other bearer tokens are left to the OIDC/JWT
 * verifier the lead wires in, refused until then).  scope: what an API key
 * must hold for this route.  Returns 0 (r->auth set, NONE when the request
 * carries no credential at all), or an HTTP status with out filled: 401 for
 * a forged, expired, idle or revoked credential, 403 for a key without the
 * scope. */
unsigned gw_authenticate(gw_req_t *r, gw_resp_t *out, const char *scope);

#endif
