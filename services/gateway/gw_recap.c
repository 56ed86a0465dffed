/*  gw_recap.c — GET /api/v1/compliance/recap.pdf?entity=&lang=: the
 *  professional interview's recap (six-year, now eight-year) of one entity
 *  or of every entity the reader may see, as a PDF for the social partners
 *  (common/recap_pdf.h).
 *
 *  HR and administrators only (refused here first, deny by default); the
 *  daemons are then asked AS the reader, so that analytics and the
 *  scheduler apply her grant (HR granted some entities only must name one
 *  of them, as for GET /statistics/compliance).  The gateway only renders
 *  what they answered.
 */
#include "gw_api.h"

#include "common/date.h"
#include "common/log.h"
#include "common/pbdate.h"
#include "common/recap_pdf.h"
#include "proto/analytics.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SCHEDULER = 0, ANALYTICS = 3 }; /* indexes in gw_daemon_names */

#define RECAP_TYPE "professional_recap"
#define PEOPLE_MAX 5000       /* recaps to hold listed in the PDF (the rest: GET /due) */
#define AHEAD_DAYS (9 * 366)  /* a recap is due at most eight years (and a year's window) ahead */

/* Calls method with msg as the reader and unpacks the reply as desc.
 * Returns it, or NULL with out filled (the daemon's refusal, or 502). */
static void *s_ask(gw_req_t *r, gw_resp_t *out, int daemon, const char *method, const ProtobufCMessage *msg,
                   const ProtobufCMessageDescriptor *desc)
{
    ent_rpc_result_t res;
    gw_call(r, daemon, method, msg, false, &res);
    if (res.code != ENT_OK) {
        gw_resp_json(out, gw_problem_status(res.code), gw_problem_from_rpc(&res));
        ent_rpc_result_clear(&res);
        return NULL;
    }
    void *m = protobuf_c_message_unpack(desc, NULL, res.payload_len, res.payload);
    ent_rpc_result_clear(&res);
    if (!m)
        gw_resp_problem(out, 502, "INTERNAL", NULL, "%s answered an unreadable %s", gw_daemon_names[daemon],
                        desc->short_name);
    return m;
}

int gw_route_recap_pdf(gw_req_t *r, gw_resp_t *out, const void *arg)
{
    (void) arg;
    if (r->who.role != ENT_ROLE_HR && r->who.role != ENT_ROLE_ADMIN)
        return gw_resp_problem(out, 403, "PERMISSION_DENIED", "caller",
                               "the recap for the social partners is for HR and administrators");
    const char *lang_s = gw_req_query(r, "lang");
    ics_lang_t lang = ICS_LANG_FR;
    if (lang_s && ics_lang_parse(lang_s, &lang) != 0)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "lang", "lang must be fr or en");
    const char *entity = gw_req_query(r, "entity");
    if (entity && !*entity)
        entity = NULL;
    if (entity && strlen(entity) > 128)
        return gw_resp_problem(out, 400, "INVALID_ARGUMENT", "entity", "an entity id is at most 128 bytes");

    Entretiens__V1__CompletionReply *recaps = NULL;
    Entretiens__V1__ComplianceReply *exposure = NULL;
    Entretiens__V1__DueReply *due = NULL;
    uint8_t *pdf = NULL;
    size_t len = 0;

    Entretiens__V1__StatsQuery q = ENTRETIENS__V1__STATS_QUERY__INIT;
    q.entity = (char *) entity;
    q.group_by = "entity";
    q.type = RECAP_TYPE;
    recaps = s_ask(r, out, ANALYTICS, "analytics.completion", &q.base, &entretiens__v1__completion_reply__descriptor);
    if (!recaps)
        goto done;
    q.type = NULL;
    exposure = s_ask(r, out, ANALYTICS, "analytics.compliance", &q.base, &entretiens__v1__compliance_reply__descriptor);
    if (!exposure)
        goto done;
    /* the recaps still to hold, from analytics' day (the store's clock) */
    int32_t today = exposure->today ? ent_pbdate_day(exposure->today) : (int32_t) (gw_now_ms() / 86400000);
    Entretiens__V1__Date from, to;
    ent_pbdate_set(ent_date_from_ymd(1970, 1, 1), &from);
    ent_pbdate_set(today + AHEAD_DAYS, &to);
    Entretiens__V1__DueRequest dq = ENTRETIENS__V1__DUE_REQUEST__INIT;
    dq.from = &from;
    dq.to = &to;
    dq.type = RECAP_TYPE;
    dq.entity = (char *) entity;
    dq.limit = PEOPLE_MAX;
    dq.lang = lang == ICS_LANG_FR ? "fr" : "en";
    due = s_ask(r, out, SCHEDULER, "scheduler.due", &dq.base, &entretiens__v1__due_reply__descriptor);
    if (!due)
        goto done;

    recap_pdf_input_t in = { .entity = entity, .recaps = recaps, .exposure = exposure, .due = due };
    const char *why = NULL;
    int rc = recap_pdf_render(&in, lang, &pdf, &len, &why);
    if (rc) {
        ent_log_error("gateway.recap", "recap for %s: %s", r->principal, why ? why : strerror(rc));
        gw_resp_problem(out, 500, "INTERNAL", NULL, "the recap could not be rendered");
        goto done;
    }
    snprintf(out->disposition, sizeof out->disposition, "attachment; filename=\"%s.pdf\"",
             lang == ICS_LANG_FR ? "etat-des-lieux-recapitulatif" : "professional-interview-recap");
    ent_log_info("gateway.recap", "recap (%s) downloaded as PDF by %s (%zu bytes)", entity ? entity : "all entities",
                 r->principal, len);
    out->status = 200;
    out->text = (char *) pdf;
    out->text_len = len;
    out->content_type = "application/pdf";
done:
    if (recaps)
        entretiens__v1__completion_reply__free_unpacked(recaps, NULL);
    if (exposure)
        entretiens__v1__compliance_reply__free_unpacked(exposure, NULL);
    if (due)
        entretiens__v1__due_reply__free_unpacked(due, NULL);
    return 0;
}
