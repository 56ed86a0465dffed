/*  gw_subject.c — GET /api/v1/employees/{id}/export as a zip: the data
 *  subject's whole copy, the same zip as `entretiensctl subject export`
 *  (common/subject_export.h builds both).
 *
 *  Every daemon is asked AS the request's principal, records first: it
 *  decides whether that principal may export the person (HR with the
 *  content permission on her entity, an administrator, the employee
 *  herself; 403/404 otherwise) and records each interview as a read, each
 *  report rendered as an `export` in its audit chain.  The first refusal or
 *  failure of a daemon is the response, as a problem; nothing is sent
 *  unless every part was read.  The zip is never cached (no-store).
 */
#include "gw_api.h"

#include "common/log.h"
#include "common/subject_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    gw_req_t *r;
    ent_rpc_result_t failed;   /* the first failed call (code != ENT_OK), kept for the problem */
    bool unreadable;           /* a reply that was not what was asked */
    char daemon[16];
} s_ctx_t;

static ProtobufCMessage *s_call(void *ctx, const char *daemon, const char *method, const ProtobufCMessage *req,
                                const ProtobufCMessageDescriptor *desc)
{
    s_ctx_t *c = ctx;
    int d = 0;
    while (d < GW_DAEMONS && strcmp(gw_daemon_names[d], daemon) != 0)
        d++;
    if (d == GW_DAEMONS) {
        c->unreadable = true;
        snprintf(c->daemon, sizeof c->daemon, "%.15s", daemon);
        return NULL;
    }
    ent_rpc_result_t res;
    gw_call(c->r, d, method, req, false, &res);
    if (res.code != ENT_OK) {
        c->failed = res; /* cleared by the route */
        return NULL;
    }
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, res.payload_len, res.payload);
    ent_rpc_result_clear(&res);
    if (!m) {
        c->unreadable = true;
        snprintf(c->daemon, sizeof c->daemon, "%s", daemon);
    }
    return m;
}

/* "subject-<id>.zip", every byte of id other than A-Z a-z 0-9 . _ -
 * replaced by '_' (safe in the header and on any file system). */
static void s_filename(const char *id, char *out, size_t size)
{
    int n = snprintf(out, size, "subject-%s.zip", id);
    if (n < 0 || (size_t) n >= size) {
        snprintf(out, size, "%s", "subject.zip");
        return;
    }
    for (char *p = out + strlen("subject-"); p < out + n - strlen(".zip"); p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '_' || *p == '-'))
            *p = '_';
}

static int s_zip(gw_req_t *r, gw_resp_t *out)
{
    const char *lang_s = gw_req_query(r, "lang");
    ics_lang_t lang = ICS_LANG_FR;
    if (lang_s && ics_lang_parse(lang_s, &lang) != 0)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "lang", "lang must be fr or en");
    s_ctx_t c = { .r = r };
    c.failed.code = ENT_OK;
    ent_subject_request_t rq = {
        .employee_id = r->params[0],
        .reasons_lang = lang == ICS_LANG_EN ? "en" : "fr",
        .report_lang = lang,
        .call = s_call,
        .ctx = &c,
    };
    ent_subject_zip_t zip;
    const char *why = NULL;
    int rc = ent_subject_export(&rq, &zip, &why);
    if (rc == ENT_SUBJECT_CALL_FAILED && c.failed.code != ENT_OK) {
        gw_resp_json(out, gw_problem_status(c.failed.code), gw_problem_from_rpc(&c.failed));
        ent_rpc_result_clear(&c.failed);
        return 0;
    }
    if (rc == ENT_SUBJECT_CALL_FAILED)
        return gw_resp_problem(out, 502, "INTERNAL", NULL, "%s answered an unreadable reply", c.daemon);
    if (rc) {
        ent_log_error("gateway.subject", "copy for %s: %s", r->principal, why ? why : strerror(rc));
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "the copy could not be built");
    }
    char name[GW_MAX_PARAM + 16];
    s_filename(r->params[0], name, sizeof name);
    snprintf(out->disposition, sizeof out->disposition, "attachment; filename=\"%s\"", name);
    ent_log_info("gateway.subject", "copy exported by %s (%zu interviews, %zu reports, %zu bytes)", r->principal,
                 zip.interviews, zip.reports, zip.len);
    out->status = 200;
    out->text = (char *) zip.zip; /* taken: the response frees it */
    out->text_len = zip.len;
    out->content_type = "application/zip";
    return 0;
}

int gw_route_subject_zip(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    /* the person as a field of every line of the request (the daemons'
     * calls too), never in the message */
    ent_log_employee_set(r->params[0]);
    int rc = s_zip(r, out);
    ent_log_employee_set(NULL);
    return rc;
}
