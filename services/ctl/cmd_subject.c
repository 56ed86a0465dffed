/*  cmd_subject.c — entretiensctl subject export | erase: the data subject's
 *  rights (docs/data-protection.md).
 *
 *    subject export EMPLOYEE --out DIR
 *        everything held about the person, as one zip DIR/subject-EMPLOYEE.zip
 *        (mode 0600): README.txt (French and English), employee.json (the
 *        scheduler's record and its history), obligations.json,
 *        interviews.json (records: each interview as the employee sees it,
 *        and who read it), notifications.json (about her or sent to her).
 *        Records decides first whether the caller may (HR with the content
 *        permission on the employee's entity, an administrator, or the
 *        employee herself); each daemon then answers with the caller's own
 *        rights.  Nothing is written unless every part was read.
 *    subject erase EMPLOYEE --reason TEXT
 *        crypto-shredding of the person's interview content (records),
 *        refused with the reason while a legal duty to keep applies.
 */
#include "args.h"
#include "ctl.h"
#include "common/report_pdf.h"

#include "common/event_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#define SUBJECT_USAGE "subject export EMPLOYEE --out DIR | subject erase EMPLOYEE --reason TEXT"
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

/* Adds text (copied) as name.  Returns 0 or -1 (said). */
static int s_zip_add(zip_t *za, const char *name, const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        fprintf(stderr, "entretiensctl: subject export: out of memory\n");
        return -1;
    }
    memcpy(copy, text, len);
    zip_source_t *src = zip_source_buffer(za, copy, len, 1);
    if (!src) {
        free(copy);
        fprintf(stderr, "entretiensctl: subject export: %s\n", zip_strerror(za));
        return -1;
    }
    if (zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        zip_source_free(src);
        fprintf(stderr, "entretiensctl: subject export: %s: %s\n", name, zip_strerror(za));
        return -1;
    }
    return 0;
}

/* Adds value (stolen) as indented JSON. */
static int s_zip_json(zip_t *za, const char *name, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(value);
    if (!text) {
        fprintf(stderr, "entretiensctl: subject export: cannot write %s\n", name);
        return -1;
    }
    int rc = s_zip_add(za, name, text, strlen(text));
    free(text);
    return rc;
}

/* The written report of every interview that has one (reported or
 * signed), as the employee's copy (L6315-1): "pdf/<interview id>.pdf",
 * rendered here as `interview pdf` does, from records.interview.export
 * called by the exporting principal (records appends each download to the
 * interview's audit chain).  French unless --lang says otherwise.  Returns
 * 0, or -1 (said). */
static int s_add_pdfs(ctl_t *ctl, zip_t *za, const Entretiens__V1__SubjectExportReply *records)
{
    ics_lang_t lang = ctl->lang_given && ctl->lang == CTL_LANG_EN ? ICS_LANG_EN : ICS_LANG_FR;
    for (size_t i = 0; i < records->n_interviews; i++) {
        const Entretiens__V1__Interview *iv = records->interviews[i]->interview;
        if (!iv || !iv->id || !report_pdf_ready(iv->status))
            continue;
        Entretiens__V1__InterviewRequest q = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
        q.id = iv->id;
        Entretiens__V1__InterviewView *v =
            ctl_call_unpack(ctl, "records", "records.interview.export", &q.base, &entretiens__v1__interview_view__descriptor);
        if (!v)
            return -1;
        uint8_t *pdf = NULL;
        size_t len = 0;
        const char *why = NULL;
        char name[300];
        int rc = report_pdf_render(v, lang, &pdf, &len, &why);
        if (rc)
            fprintf(stderr, "entretiensctl: subject export: the report of %s: %s\n", iv->id, why ? why : strerror(rc));
        else if (snprintf(name, sizeof name, "pdf/%s.pdf", iv->id) >= (int) sizeof name)
            rc = -1, fprintf(stderr, "entretiensctl: subject export: interview id too long: %.64s\n", iv->id);
        else
            rc = s_zip_add(za, name, (const char *) pdf, len);
        free(pdf);
        entretiens__v1__interview_view__free_unpacked(v, NULL);
        if (rc)
            return -1;
    }
    return 0;
}

/* Every notification about the employee and every one sent to her, once
 * each, by pages.  Returns the JSON array, or NULL (said). */
static json_t *s_notifications(ctl_t *ctl, const char *employee)
{
    json_t *all = json_array(), *seen = json_object();
    for (int pass = 0; pass < 2 && all; pass++) {
        char after[256] = "";
        for (bool more = true; more;) {
            Entretiens__V1__NotificationListRequest req = ENTRETIENS__V1__NOTIFICATION_LIST_REQUEST__INIT;
            req.employee_id = (char *) (pass == 0 ? employee : "");
            req.recipient_id = (char *) (pass == 1 ? employee : "");
            req.limit = NOTIFIER_PAGE;
            req.after_id = after;
            Entretiens__V1__NotificationListReply *rep = ctl_call_unpack(
                ctl, "notifier", "notifier.list", &req.base, &entretiens__v1__notification_list_reply__descriptor);
            if (!rep) {
                json_decref(all);
                all = NULL;
                break;
            }
            for (size_t i = 0; i < rep->n_notifications; i++) {
                const Entretiens__V1__Notification *n = rep->notifications[i];
                if (json_object_get(seen, n->id))
                    continue;
                json_object_set_new(seen, n->id, json_true());
                json_array_append_new(all, ctl_notification_json(n));
            }
            more = rep->truncated && rep->n_notifications > 0;
            if (more)
                snprintf(after, sizeof after, "%s", rep->notifications[rep->n_notifications - 1]->id);
            entretiens__v1__notification_list_reply__free_unpacked(rep, NULL);
        }
    }
    json_decref(seen);
    return all;
}

/* interviews.json from records' answer. */
static json_t *s_interviews_json(const Entretiens__V1__SubjectExportReply *rep)
{
    json_t *a = json_array();
    for (size_t i = 0; i < rep->n_interviews; i++) {
        json_t *one = json_object();
        json_object_set_new(one, "interview", ctl_interview_view_json(rep->interviews[i]));
        json_object_set_new(one, "reads", i < rep->n_reads ? ctl_reads_json(rep->reads[i]) : json_array());
        json_array_append_new(a, one);
    }
    return json_pack("{s:s, s:o, s:o}", "employee_id", rep->employee_id, "directory",
                     rep->employee ? ctl_employee_json(rep->employee) : json_null(), "interviews", a);
}

static int s_export(ctl_t *ctl, const char *employee, const char *out)
{
    if (!out || !*out)
        return ctl_usage("subject export EMPLOYEE --out DIR");
    /* records first: it decides whether the caller may export this person */
    Entretiens__V1__SubjectExportRequest rq = ENTRETIENS__V1__SUBJECT_EXPORT_REQUEST__INIT;
    rq.employee_id = (char *) employee;
    Entretiens__V1__SubjectExportReply *rec = ctl_call_unpack(ctl, "records", "records.subject.export", &rq.base,
                                                              &entretiens__v1__subject_export_reply__descriptor);
    if (!rec)
        return CTL_FAILED;
    int status = CTL_FAILED;
    zip_t *za = NULL;
    json_t *notes = NULL;
    Entretiens__V1__EmployeeRequest eq = ENTRETIENS__V1__EMPLOYEE_REQUEST__INIT;
    eq.employee_id = (char *) employee;
    Entretiens__V1__EmployeeReply *emp =
        ctl_call_unpack(ctl, "scheduler", "scheduler.employee", &eq.base, &entretiens__v1__employee_reply__descriptor);
    Entretiens__V1__ObligationsRequest oq = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
    oq.employee_id = (char *) employee;
    oq.lang = (char *) ctl_lang_code(ctl->lang);
    Entretiens__V1__ObligationsReply *obl = emp ? ctl_call_unpack(ctl, "scheduler", "scheduler.obligations", &oq.base,
                                                                  &entretiens__v1__obligations_reply__descriptor)
                                                : NULL;
    if (obl)
        notes = s_notifications(ctl, employee);
    if (!notes)
        goto done;
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "entretiensctl: subject export: cannot create %s: %s\n", out, strerror(errno));
        goto done;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/subject-%s.zip", out, employee);
    int zerr = 0;
    mode_t old_mask = umask(077); /* the zip holds personal data: 0600 */
    za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!za) {
        umask(old_mask);
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        fprintf(stderr, "entretiensctl: subject export: %s: %s\n", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto done;
    }
    json_t *hist = json_array();
    for (size_t i = 0; i < emp->n_history; i++)
        json_array_append_new(hist, ent_evjson_to_json(emp->history[i]));
    json_t *obls = json_array();
    for (size_t i = 0; i < obl->n_obligations; i++)
        json_array_append_new(obls, ctl_obligation_json(obl->obligations[i]));
    size_t n_notes = json_array_size(notes);
    int bad = s_zip_add(za, "README.txt", s_readme, sizeof s_readme - 1) ||
        s_zip_json(za, "employee.json",
                   json_pack("{s:o, s:o}", "employee", emp->employee ? ctl_employee_json(emp->employee) : json_null(),
                             "history", hist)) ||
        s_zip_json(za, "obligations.json", obls) || s_zip_json(za, "interviews.json", s_interviews_json(rec)) ||
        s_zip_json(za, "notifications.json", notes) || s_add_pdfs(ctl, za, rec);
    notes = NULL;
    if (bad) {
        zip_discard(za);
    } else if (zip_close(za) != 0) {
        fprintf(stderr, "entretiensctl: subject export: %s: %s\n", path, zip_strerror(za));
        zip_discard(za);
        bad = 1;
    }
    za = NULL;
    umask(old_mask);
    if (bad)
        goto done;
    if (ctl->json)
        ctl_print_json(json_pack("{s:s, s:s, s:i, s:i, s:i}", "employee_id", employee, "file", path, "interviews",
                                 (int) rec->n_interviews, "obligations", (int) obl->n_obligations, "notifications",
                                 (int) n_notes));
    else
        printf("%s: %zu interview%s, %zu obligation%s, %zu notification%s\n", path, rec->n_interviews,
               rec->n_interviews == 1 ? "" : "s", obl->n_obligations, obl->n_obligations == 1 ? "" : "s", n_notes,
               n_notes == 1 ? "" : "s");
    status = CTL_OK;
done:
    json_decref(notes);
    if (obl)
        entretiens__v1__obligations_reply__free_unpacked(obl, NULL);
    if (emp)
        entretiens__v1__employee_reply__free_unpacked(emp, NULL);
    entretiens__v1__subject_export_reply__free_unpacked(rec, NULL);
    return status;
}

static int s_erase(ctl_t *ctl, const char *employee, const char *reason)
{
    if (!reason || !*reason)
        return ctl_bad("subject erase", "--reason TEXT is required (the request's reference): it goes into the audit "
                                        "trail");
    Entretiens__V1__SubjectEraseRequest q = ENTRETIENS__V1__SUBJECT_ERASE_REQUEST__INIT;
    q.employee_id = (char *) employee;
    q.reason = (char *) reason;
    Entretiens__V1__SubjectEraseReply *rep = ctl_call_unpack(ctl, "records", "records.subject.erase", &q.base,
                                                             &entretiens__v1__subject_erase_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *ids = json_array();
        for (size_t i = 0; i < rep->n_interview_ids; i++)
            json_array_append_new(ids, json_string(rep->interview_ids[i]));
        ctl_print_json(json_pack("{s:s, s:i, s:b, s:o}", "employee_id", rep->employee_id, "interviews",
                                 (int) rep->interviews, "key_destroyed", rep->key_destroyed, "interview_ids", ids));
    } else {
        printf("%s: content of %u interview%s purged (data key %s); the audit trail keeps the proof\n",
               rep->employee_id, rep->interviews, rep->interviews == 1 ? "" : "s",
               rep->key_destroyed ? "destroyed" : "already gone");
    }
    entretiens__v1__subject_erase_reply__free_unpacked(rep, NULL);
    return CTL_OK;
}

int ctl_cmd_subject(ctl_t *ctl, int argc, char **argv)
{
    const char *out = NULL, *reason = NULL, *pos[2];
    int np = 0;
    ctl_opt_t opts[] = { CTL_OPT("--out", &out), CTL_OPT("--reason", &reason) };
    if (ctl_args_parse("subject", SUBJECT_USAGE, argc, argv, 1, opts, 2, pos, 2, &np) != 0)
        return CTL_USAGE;
    if (np != 2 || !*pos[1])
        return ctl_usage(SUBJECT_USAGE);
    if (strcmp(pos[0], "export") == 0 && !reason)
        return s_export(ctl, pos[1], out);
    if (strcmp(pos[0], "erase") == 0 && !out)
        return s_erase(ctl, pos[1], reason);
    return ctl_usage(SUBJECT_USAGE);
}

const char *ctl_subject_details(const char *command)
{
    if (strcmp(command, "subject") != 0)
        return NULL;
    return "  subject export EMPLOYEE --out DIR\n"
           "      everything held about the person in DIR/subject-EMPLOYEE.zip (mode 0600; DIR is created): README.txt\n"
           "      (French and English), employee.json, obligations.json, interviews.json (each interview as the\n"
           "      employee sees it, and who read it), notifications.json. Allowed to HR with the content permission\n"
           "      on the employee's entity, administrators, and the employee herself (--as employee:ID); each\n"
           "      interview exported is recorded as a read. An existing zip is not replaced.\n"
           "  subject erase EMPLOYEE --reason TEXT\n"
           "      destroys the person's data key and the content of her interviews (crypto-shredding: older\n"
           "      backups cannot show it either); the proof that each interview took place stays, and the audit\n"
           "      trail records the purge. HR with the content permission on the entity, or administrators. Refused\n"
           "      (with the reason and the date it becomes possible) while employed or in the intermediate archive.\n"
           "  Exit: 0, 1 failed or refused, 2 usage.\n";
}
