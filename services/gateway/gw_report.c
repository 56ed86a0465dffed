/*  gw_report.c — GET /api/v1/interviews/{id}/report.pdf: the written report
 *  of an interview reported or signed, as a PDF (common/report_pdf.h).
 *
 *  The view comes from records.interview.export, asked AS the request's
 *  principal: records applies the same confidentiality as GET
 *  /interviews/{id} (403/404 for someone else's interview, 409 before the
 *  report is written) and appends the download to the interview's audit
 *  chain.  The gateway only renders what records answered.  A HEAD request
 *  downloads nothing: it asks records.interview.get (no audit record) and
 *  answers the status a GET would have.
 */
#include "gw_api.h"

#include "common/log.h"
#include "common/report_pdf.h"
#include "proto/records.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORDS 1 /* index in gw_daemon_names */

/* HEAD: the status of the GET from the plain view, without rendering nor
 * recording a download. */
static int s_head(gw_req_t *r, gw_resp_t *out, Entretiens__V1__InterviewView *v)
{
    for (size_t i = 0; i < v->n_withheld; i++)
        if (strcmp(v->withheld[i], "content") == 0)
            return gw_resp_problem(out, 403, "PERMISSION_DENIED", "caller", "%s may not read the report of interview %s",
                                   r->principal, v->interview->id);
    if (!report_pdf_ready(v->interview->status))
        return gw_resp_problem(out, 409, "FAILED_PRECONDITION", "status",
                               "interview %s is %s: its report is not written yet (it must be reported or signed)",
                               v->interview->id, v->interview->status);
    /* an empty text, so that the response keeps the PDF's content type */
    if (!(out->text = calloc(1, 1)))
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "out of memory");
    out->status = 200;
    out->text_len = 0;
    out->content_type = "application/pdf";
    return 0;
}

int gw_route_report_pdf(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    const char *lang_s = gw_req_query(r, "lang");
    ics_lang_t lang = ICS_LANG_FR;
    if (lang_s && ics_lang_parse(lang_s, &lang) != 0)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "lang", "lang must be fr or en");
    Entretiens__V1__InterviewRequest q = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
    q.id = r->params[0];
    ent_rpc_result_t res;
    bool head = strcmp(r->method, "HEAD") == 0;
    gw_call(r, RECORDS, head ? "records.interview.get" : "records.interview.export", &q.base, false, &res);
    if (res.code != ENT_OK) {
        gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
        ent_rpc_result_clear(&res);
        return 0;
    }
    Entretiens__V1__InterviewView *v = entretiens__v1__interview_view__unpack(NULL, res.payload_len, res.payload);
    ent_rpc_result_clear(&res);
    if (!v || !v->interview) {
        if (v)
            entretiens__v1__interview_view__free_unpacked(v, NULL);
        return gw_resp_problem(out, 502, "INTERNAL", NULL, "records answered an unreadable interview");
    }
    if (head) {
        int rc = s_head(r, out, v);
        entretiens__v1__interview_view__free_unpacked(v, NULL);
        return rc;
    }
    uint8_t *pdf = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rc = report_pdf_render(v, lang, &pdf, &len, &why);
    if (rc) {
        ent_log_error("gateway.report", "report of %s for %s: %s", v->interview->id, r->principal,
                      why ? why : strerror(rc));
        entretiens__v1__interview_view__free_unpacked(v, NULL);
        return gw_resp_problem(out, 500, "INTERNAL", NULL, "the report could not be rendered");
    }
    char name[GW_MAX_PARAM + 32];
    if (report_pdf_filename(v->interview->id, lang, name, sizeof name) != 0)
        snprintf(name, sizeof name, "%s", lang == ICS_LANG_FR ? "entretien.pdf" : "interview.pdf");
    snprintf(out->disposition, sizeof out->disposition, "attachment; filename=\"%s\"", name);
    ent_log_info("gateway.report", "report of %s downloaded as PDF by %s (%zu bytes)", v->interview->id,
                 r->principal, len);
    entretiens__v1__interview_view__free_unpacked(v, NULL);
    out->status = 200;
    out->text = (char *) pdf;
    out->text_len = len;
    out->content_type = "application/pdf";
    return 0;
}
