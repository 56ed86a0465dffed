/*  gw_problem.c — status table and problem details (gw_problem.h). */
#include "gw_problem.h"

#include "common/event_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { ent_code_t code; unsigned status; } s_table[] = {
    { ENTRETIENS__V1__CODE__OK, 200 },
    { ENTRETIENS__V1__CODE__CANCELLED, 499 },
    { ENTRETIENS__V1__CODE__UNKNOWN, 500 },
    { ENTRETIENS__V1__CODE__INVALID_ARGUMENT, 400 },
    { ENTRETIENS__V1__CODE__DEADLINE_EXCEEDED, 504 },
    { ENTRETIENS__V1__CODE__NOT_FOUND, 404 },
    { ENTRETIENS__V1__CODE__ALREADY_EXISTS, 409 },
    { ENTRETIENS__V1__CODE__PERMISSION_DENIED, 403 },
    { ENTRETIENS__V1__CODE__RESOURCE_EXHAUSTED, 429 },
    { ENTRETIENS__V1__CODE__FAILED_PRECONDITION, 409 },
    { ENTRETIENS__V1__CODE__ABORTED, 409 },
    { ENTRETIENS__V1__CODE__OUT_OF_RANGE, 400 },
    { ENTRETIENS__V1__CODE__UNIMPLEMENTED, 501 },
    { ENTRETIENS__V1__CODE__INTERNAL, 500 },
    { ENTRETIENS__V1__CODE__UNAVAILABLE, 503 },
    { ENTRETIENS__V1__CODE__DATA_LOSS, 500 },
    { ENTRETIENS__V1__CODE__UNAUTHENTICATED, 401 },
};

unsigned gw_problem_status(ent_code_t code)
{
    for (size_t i = 0; i < sizeof s_table / sizeof *s_table; i++)
        if (s_table[i].code == code)
            return s_table[i].status;
    return 500;
}

const char *gw_problem_title(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
    }
}

json_t *gw_problem_new(unsigned status, const char *code_name, const char *field, const char *detail)
{
    char type[160];
    snprintf(type, sizeof type, "https://entretiens.example/problems/%s", code_name ? code_name : "ERROR");
    for (char *p = type + 36; *p; p++)
        if (*p == '_')
            *p = '-';
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "type", ent_json_str(type));
    json_object_set_new(o, "title", json_string(gw_problem_title(status)));
    json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "code", ent_json_str(code_name ? code_name : "ERROR"));
    if (detail && *detail)
        json_object_set_new(o, "detail", ent_json_str(detail));
    if (field && *field)
        json_object_set_new(o, "field", ent_json_str(field));
    return o;
}

json_t *gw_problem_from_rpc(const ent_rpc_result_t *r)
{
    return gw_problem_new(gw_problem_status(r->code), ent_code_name(r->code), r->field, r->message);
}
