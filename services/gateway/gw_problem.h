/*  gw_problem.h — errors as RFC 9457 problem details, and the one table
 *  mapping the daemons' status codes (envelope.proto Code) to HTTP.
 *
 *  A problem is {"type": "https://entretiens.example/problems/<code>",
 *  "title": <status text>, "status": <HTTP status>, "code": <the daemon's
 *  code name, e.g. "FAILED_PRECONDITION">, "detail": <reason>, "field":
 *  <the offending field, when one>} served as application/problem+json.
 */
#ifndef GW_PROBLEM_H
#define GW_PROBLEM_H

#include "common/rpc.h"

#include <jansson.h>

/* The HTTP status of a daemon's code:
 *   OK 200, INVALID_ARGUMENT 400, OUT_OF_RANGE 400, UNAUTHENTICATED 401,
 *   PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS 409, ABORTED 409,
 *   FAILED_PRECONDITION 409 (the resource is not in a state that allows it;
 *   412 is kept for If-Match), RESOURCE_EXHAUSTED 429, CANCELLED 499,
 *   UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, anything
 *   else (INTERNAL, DATA_LOSS, UNKNOWN, out of range) 500. */
unsigned gw_problem_status(ent_code_t code);

/* The reason phrase of an HTTP status ("Not Found"); "Error" when unknown. */
const char *gw_problem_title(unsigned status);

/* A problem object.  code_name: the daemon's code name, or a gateway one
 * ("UNAUTHENTICATED", "CSRF", "PRECONDITION_REQUIRED" ...); field may be
 * NULL or "".  detail is sanitised to valid UTF-8.  Returns NULL only when
 * memory is short. */
json_t *gw_problem_new(unsigned status, const char *code_name, const char *field, const char *detail);

/* The problem of a daemon's answer (code, field and message). */
json_t *gw_problem_from_rpc(const ent_rpc_result_t *r);

#endif
