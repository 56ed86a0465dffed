/*  cmd_subject.c — entretiensctl subject export | erase: the data subject's
 *  rights (docs/data-protection.md).
 *
 *    subject export EMPLOYEE --out DIR
 *        everything held about the person, as one zip DIR/subject-EMPLOYEE.zip
 *        (mode 0600): README.txt (French and English), employee.json (the
 *        scheduler's record and its history), obligations.json,
 *        interviews.json (records: each interview as the employee sees it,
 *        and who read it), notifications.json (about her or sent to her),
 *        pdf/<id>.pdf; built by common/subject_export.c, as the API's GET
 *        /employees/{id}/export.  Records decides first whether the caller
 *        may (HR with the content permission on the employee's entity, an
 *        administrator, or the employee herself); each daemon then answers
 *        with the caller's own rights.  Nothing is left on disk unless every
 *        part was read.
 *    subject erase EMPLOYEE --reason TEXT
 *        crypto-shredding of the person's interview content (records),
 *        refused with the reason while a legal duty to keep applies.
 */
#include "args.h"
#include "ctl.h"
#include "common/subject_export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUBJECT_USAGE "subject export EMPLOYEE --out DIR | subject erase EMPLOYEE --reason TEXT"

/* The builder's way to the daemons: the CLI's own call, as --as. */
static ProtobufCMessage *s_call(void *ctx, const char *daemon, const char *method, const ProtobufCMessage *req,
                                const ProtobufCMessageDescriptor *desc)
{
    return ctl_call_unpack(ctx, daemon, method, req, desc);
}

/* Writes len bytes at data to fd (the zip's file, already created). */
static int s_write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n, len -= (size_t) n;
    }
    return fsync(fd);
}

static int s_export(ctl_t *ctl, const char *employee, const char *out)
{
    if (!out || !*out)
        return ctl_usage("subject export EMPLOYEE --out DIR");
    char path[4096];
    if (snprintf(path, sizeof path, "%s/subject-%s.zip", out, employee) >= (int) sizeof path) {
        fprintf(stderr, "entretiensctl: subject export: the path is too long\n");
        return CTL_FAILED;
    }
    /* an existing copy is never replaced: said before anything is asked
     * (each export is audited); checked again when the file is created */
    struct stat st;
    if (stat(path, &st) == 0) {
        fprintf(stderr, "entretiensctl: subject export: %s: File already exists\n", path);
        return CTL_FAILED;
    }
    ent_subject_request_t rq = {
        .employee_id = employee,
        .reasons_lang = ctl_lang_code(ctl->lang),
        /* French unless --lang says otherwise, as `interview pdf` */
        .report_lang = ctl->lang_given && ctl->lang == CTL_LANG_EN ? ICS_LANG_EN : ICS_LANG_FR,
        .call = s_call,
        .ctx = ctl,
    };
    ent_subject_zip_t zip;
    const char *why = NULL;
    int rc = ent_subject_export(&rq, &zip, &why);
    if (rc) {
        if (rc != ENT_SUBJECT_CALL_FAILED) /* else the call said why */
            fprintf(stderr, "entretiensctl: subject export: %s\n", why ? why : strerror(rc));
        return CTL_FAILED;
    }
    /* written only once every part was read (a refusal leaves nothing):
     * 0600, it holds personal data */
    int fd = -1;
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        rc = errno;
    else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        rc = errno;
    else if (s_write_all(fd, zip.zip, zip.len) != 0)
        rc = errno ? errno : EIO;
    if (fd >= 0 && close(fd) != 0 && !rc)
        rc = errno;
    if (rc) {
        fprintf(stderr, "entretiensctl: subject export: %s: %s\n", rc == EEXIST ? path : out,
                rc == EEXIST ? "File already exists" : strerror(rc));
        if (fd >= 0)
            unlink(path); /* nothing half written stays */
        ent_subject_zip_clear(&zip);
        return CTL_FAILED;
    }
    if (ctl->json)
        ctl_print_json(json_pack("{s:s, s:s, s:i, s:i, s:i}", "employee_id", employee, "file", path, "interviews",
                                 (int) zip.interviews, "obligations", (int) zip.obligations, "notifications",
                                 (int) zip.notifications));
    else
        printf("%s: %zu interview%s, %zu obligation%s, %zu notification%s\n", path, zip.interviews,
               zip.interviews == 1 ? "" : "s", zip.obligations, zip.obligations == 1 ? "" : "s", zip.notifications,
               zip.notifications == 1 ? "" : "s");
    ent_subject_zip_clear(&zip);
    return CTL_OK;
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
