/*  subject_export.c — the data subject's copy as one zip in memory: the
 *  daemons asked in order through the caller's call function, the parts
 *  written as the CLI's JSON, the reports rendered as `interview pdf` does.
 *  See subject_export.h.
 */
#include "subject_export.h"

#include "event_json.h"
#include "msg_json.h"
#include "report_pdf.h"

#include "proto/notifier.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define NOTIFIER_PAGE 5000

static const char s_readme[] =
    "entretiens — copie des données personnelles / copy of personal data\n"
    "====================================================================\n"
    "\n"
    "FRANÇAIS\n"
    "\n"
    "Ce fichier réunit les données que le logiciel entretiens détient sur le\n"
    "salarié nommé dans employee.json (droit d'accès, RGPD art. 15) :\n"
    "\n"
    "  employee.json       la fiche transmise par le SIRH et son historique\n"
    "  obligations.json    les entretiens dus (échéances, motifs légaux)\n"
    "  interviews.json     chaque entretien tel que le salarié le voit\n"
    "                      (préparation, compte rendu partagé, signatures,\n"
    "                      commentaires) et qui en a consulté le contenu\n"
    "  notifications.json  les rappels et avis le concernant ou qui lui ont\n"
    "                      été adressés\n"
    "  pdf/                les comptes rendus en PDF, quand ils existent\n"
    "\n"
    "Les notes personnelles de l'évaluateur et une préparation jamais\n"
    "partagée par le manager n'y figurent pas. Les dates sont au format\n"
    "AAAA-MM-JJ, les heures en UTC. Pour toute question, ou pour demander\n"
    "une rectification, adressez-vous au service RH ou au délégué à la\n"
    "protection des données de l'entreprise.\n"
    "\n"
    "ENGLISH\n"
    "\n"
    "This file holds the data the entretiens software keeps about the\n"
    "employee named in employee.json (right of access, GDPR art. 15):\n"
    "\n"
    "  employee.json       the record the HR system sent, and its history\n"
    "  obligations.json    the interviews owed (deadlines, legal reasons)\n"
    "  interviews.json     each interview as the employee sees it\n"
    "                      (preparation, shared report, signatures,\n"
    "                      comments) and who read its content\n"
    "  notifications.json  the reminders and notices about the employee or\n"
    "                      sent to the employee\n"
    "  pdf/                the interview reports as PDF, when there are any\n"
    "\n"
    "The interviewer's private notes and a preparation the manager never\n"
    "shared are not included. Dates are YYYY-MM-DD, times UTC. For any\n"
    "question, or to ask for a correction, contact the company's HR\n"
    "department or its data protection officer.\n";

/* Adds len bytes at data as name; with owned the zip takes data (freed
 * with the zip, even on failure), else it gets a copy.  Returns 0, ENOMEM
 * or EIO. */
static int s_add(zip_t *za, const char *name, void *data, size_t len, bool owned)
{
    void *bytes = data;
    if (!owned) {
        if (!(bytes = malloc(len ? len : 1)))
            return ENOMEM;
        memcpy(bytes, data, len);
    }
    zip_source_t *src = zip_source_buffer(za, bytes, len, 1);
    if (!src) {
        free(bytes);
        return EIO;
    }
    if (zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        zip_source_free(src);
        return EIO;
    }
    return 0;
}

/* Adds value (stolen; NULL = out of memory) as indented JSON. */
static int s_add_json(zip_t *za, const char *name, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(value);
    if (!text)
        return ENOMEM;
    return s_add(za, name, text, strlen(text), true);
}

/* The written report of every interview that has one (reported or
 * signed), as the employee's copy (L6315-1): "pdf/<interview id>.pdf",
 * from records.interview.export asked as the exporting principal (records
 * appends each download to the interview's audit chain). */
static int s_add_pdfs(const ent_subject_request_t *rq, zip_t *za, const Entretiens__V1__SubjectExportReply *records,
                      size_t *n, const char **why)
{
    for (size_t i = 0; i < records->n_interviews; i++) {
        const Entretiens__V1__Interview *iv = records->interviews[i]->interview;
        if (!iv || !iv->id || !report_pdf_ready(iv->status))
            continue;
        char name[300];
        if (snprintf(name, sizeof name, "pdf/%s.pdf", iv->id) >= (int) sizeof name) {
            *why = "an interview id is too long for a file name";
            return EIO;
        }
        Entretiens__V1__InterviewRequest q = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
        q.id = iv->id;
        ProtobufCMessage *m = rq->call(rq->ctx, "records", "records.interview.export", &q.base,
                                       &entretiens__v1__interview_view__descriptor);
        if (!m)
            return ENT_SUBJECT_CALL_FAILED;
        uint8_t *pdf = NULL;
        size_t len = 0;
        int rc = report_pdf_render((const Entretiens__V1__InterviewView *) m, rq->report_lang, &pdf, &len, why);
        protobuf_c_message_free_unpacked(m, NULL);
        if (rc)
            return rc == ENOMEM ? ENOMEM : EIO;
        if ((rc = s_add(za, name, pdf, len, true)) != 0)
            return rc;
        (*n)++;
    }
    return 0;
}

/* Every notification about the employee and every one sent to her, once
 * each, by pages, into *out (a new JSON array). */
static int s_notifications(const ent_subject_request_t *rq, json_t **out)
{
    json_t *all = json_array(), *seen = json_object();
    int rc = all && seen ? 0 : ENOMEM;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        char after[256] = "";
        for (bool more = true; more && !rc;) {
            Entretiens__V1__NotificationListRequest req = ENTRETIENS__V1__NOTIFICATION_LIST_REQUEST__INIT;
            req.employee_id = (char *) (pass == 0 ? rq->employee_id : "");
            req.recipient_id = (char *) (pass == 1 ? rq->employee_id : "");
            req.limit = NOTIFIER_PAGE;
            req.after_id = after;
            Entretiens__V1__NotificationListReply *rep = (Entretiens__V1__NotificationListReply *) rq->call(
                rq->ctx, "notifier", "notifier.list", &req.base, &entretiens__v1__notification_list_reply__descriptor);
            if (!rep) {
                rc = ENT_SUBJECT_CALL_FAILED;
                break;
            }
            for (size_t i = 0; i < rep->n_notifications && !rc; i++) {
                const Entretiens__V1__Notification *n = rep->notifications[i];
                if (json_object_get(seen, n->id))
                    continue;
                if (json_object_set_new(seen, n->id, json_true()) ||
                    json_array_append_new(all, ent_msgjson_notification(n)))
                    rc = ENOMEM;
            }
            more = rep->truncated && rep->n_notifications > 0;
            if (more)
                snprintf(after, sizeof after, "%s", rep->notifications[rep->n_notifications - 1]->id);
            protobuf_c_message_free_unpacked(&rep->base, NULL);
        }
    }
    json_decref(seen);
    if (rc)
        json_decref(all);
    else
        *out = all;
    return rc;
}

/* interviews.json from records' answer. */
static json_t *s_interviews_json(const Entretiens__V1__SubjectExportReply *rep)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < rep->n_interviews; i++) {
        json_t *one = json_pack("{s:o, s:o}", "interview", ent_msgjson_interview_view(rep->interviews[i]), "reads",
                                i < rep->n_reads ? ent_msgjson_reads(rep->reads[i]) : json_array());
        if (json_array_append_new(a, one)) {
            json_decref(a);
            return NULL;
        }
    }
    return a ? json_pack("{s:s, s:o, s:o}", "employee_id", rep->employee_id, "directory",
                         rep->employee ? ent_msgjson_employee(rep->employee) : json_null(), "interviews", a)
             : NULL;
}

/* employee.json from the scheduler's answer. */
static json_t *s_employee_json(const Entretiens__V1__EmployeeReply *emp)
{
    json_t *hist = json_array();
    for (size_t i = 0; hist && i < emp->n_history; i++)
        if (json_array_append_new(hist, ent_evjson_to_json(emp->history[i]))) {
            json_decref(hist);
            return NULL;
        }
    return hist ? json_pack("{s:o, s:o}", "employee", emp->employee ? ent_msgjson_employee(emp->employee) : json_null(),
                            "history", hist)
                : NULL;
}

static json_t *s_obligations_json(const Entretiens__V1__ObligationsReply *obl)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < obl->n_obligations; i++)
        if (json_array_append_new(a, ent_msgjson_obligation(obl->obligations[i], false))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The bytes the closed archive wrote into src. */
static int s_bytes(zip_source_t *src, ent_subject_zip_t *out)
{
    if (zip_source_open(src) < 0)
        return EIO;
    int rc = EIO;
    zip_int64_t n = -1;
    if (zip_source_seek(src, 0, SEEK_END) == 0 && (n = zip_source_tell(src)) > 0 &&
        zip_source_seek(src, 0, SEEK_SET) == 0) {
        rc = (out->zip = malloc((size_t) n)) ? 0 : ENOMEM;
        if (!rc && zip_source_read(src, out->zip, (zip_uint64_t) n) != n)
            rc = EIO;
    }
    zip_source_close(src);
    if (!rc)
        out->len = (size_t) n;
    return rc;
}

/* The parts into za, the daemons asked in order. */
static int s_fill(const ent_subject_request_t *rq, zip_t *za, ent_subject_zip_t *out, const char **why)
{
    Entretiens__V1__SubjectExportRequest xq = ENTRETIENS__V1__SUBJECT_EXPORT_REQUEST__INIT;
    xq.employee_id = (char *) rq->employee_id;
    Entretiens__V1__EmployeeRequest eq = ENTRETIENS__V1__EMPLOYEE_REQUEST__INIT;
    eq.employee_id = (char *) rq->employee_id;
    Entretiens__V1__ObligationsRequest oq = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
    oq.employee_id = (char *) rq->employee_id;
    oq.lang = (char *) rq->reasons_lang;
    Entretiens__V1__EmployeeReply *emp = NULL;
    Entretiens__V1__ObligationsReply *obl = NULL;
    json_t *notes = NULL;
    int rc = ENT_SUBJECT_CALL_FAILED;
    /* records first: it decides whether the caller may export this person */
    Entretiens__V1__SubjectExportReply *rec = (Entretiens__V1__SubjectExportReply *) rq->call(
        rq->ctx, "records", "records.subject.export", &xq.base, &entretiens__v1__subject_export_reply__descriptor);
    if (!rec)
        goto done;
    emp = (Entretiens__V1__EmployeeReply *) rq->call(rq->ctx, "scheduler", "scheduler.employee", &eq.base,
                                                     &entretiens__v1__employee_reply__descriptor);
    if (!emp)
        goto done;
    obl = (Entretiens__V1__ObligationsReply *) rq->call(rq->ctx, "scheduler", "scheduler.obligations", &oq.base,
                                                        &entretiens__v1__obligations_reply__descriptor);
    if (!obl || (rc = s_notifications(rq, &notes)) != 0)
        goto done;
    out->interviews = rec->n_interviews;
    out->obligations = obl->n_obligations;
    out->notifications = json_array_size(notes);
    if ((rc = s_add(za, "README.txt", (void *) s_readme, sizeof s_readme - 1, false)) ||
        (rc = s_add_json(za, "employee.json", s_employee_json(emp))) ||
        (rc = s_add_json(za, "obligations.json", s_obligations_json(obl))) ||
        (rc = s_add_json(za, "interviews.json", s_interviews_json(rec))) ||
        (rc = s_add_json(za, "notifications.json", json_incref(notes))))
        goto done;
    rc = s_add_pdfs(rq, za, rec, &out->reports, why);
done:
    if (rc == EIO && why && !*why)
        *why = "the zip could not be written";
    json_decref(notes);
    if (obl)
        protobuf_c_message_free_unpacked(&obl->base, NULL);
    if (emp)
        protobuf_c_message_free_unpacked(&emp->base, NULL);
    if (rec)
        protobuf_c_message_free_unpacked(&rec->base, NULL);
    return rc;
}

int ent_subject_export(const ent_subject_request_t *rq, ent_subject_zip_t *out, const char **why)
{
    const char *dummy = NULL;
    if (!why)
        why = &dummy;
    *why = NULL;
    memset(out, 0, sizeof *out);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_error_fini(&ze);
    if (!src)
        return ENOMEM;
    zip_error_init(&ze);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_error_fini(&ze);
    if (!za) {
        zip_source_free(src);
        *why = "the zip could not be opened";
        return EIO;
    }
    zip_source_keep(src); /* the bytes outlive the archive */
    int rc = s_fill(rq, za, out, why);
    if (rc) {
        zip_discard(za);
    } else if (zip_close(za) != 0) {
        zip_discard(za);
        rc = EIO;
        *why = "the zip could not be written";
    } else {
        rc = s_bytes(src, out);
        if (rc == EIO)
            *why = "the zip could not be read back";
    }
    zip_source_free(src);
    if (rc)
        ent_subject_zip_clear(out);
    return rc;
}

void ent_subject_zip_clear(ent_subject_zip_t *out)
{
    free(out->zip);
    memset(out, 0, sizeof *out);
}
