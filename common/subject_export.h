/*  subject_export.h — the data subject's copy (GDPR art. 15) as one zip,
 *  built the same way for `entretiensctl subject export` and GET
 *  /api/v1/employees/{id}/export (docs/data-protection.md "The employee's
 *  rights"); library entretiens_formats.
 *
 *  The zip holds README.txt (French and English), employee.json (the
 *  scheduler's record and its history), obligations.json, interviews.json
 *  (records: each interview as the employee sees it, and who read it),
 *  notifications.json (about her or sent to her) and pdf/<id>.pdf, the
 *  written report of every interview that has one.  JSON shapes are the
 *  CLI's --json ones (common/msg_json.h).
 *
 *  The builder asks the daemons itself, through the caller's call function,
 *  always as the principal who asked for the copy: records first
 *  (records.subject.export decides whether that principal may export this
 *  person, and records every interview as a read), then the scheduler, the
 *  notifier, and records.interview.export for each report (each one an
 *  `export` in the interview's audit chain).  Nothing is returned unless
 *  every part was read.
 */
#ifndef ENT_SUBJECT_EXPORT_H
#define ENT_SUBJECT_EXPORT_H

#include "common/ics.h"

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* Calls method on daemon ("records", "scheduler" or "notifier") with req,
 * as the principal asking for the copy, and returns the reply unpacked as
 * desc (freed by the builder with protobuf_c_message_free_unpacked), or
 * NULL when the call failed, was refused or answered something else; the
 * function says or keeps why itself (the CLI prints it, the gateway turns
 * it into its problem response). */
typedef ProtobufCMessage *(*ent_subject_call_fn)(void *ctx, const char *daemon, const char *method,
                                                 const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc);

typedef struct {
    const char *employee_id;    /* whose copy */
    const char *reasons_lang;   /* "fr" | "en": the obligations' legal reasons */
    ics_lang_t report_lang;     /* the PDFs' headings */
    ent_subject_call_fn call;
    void *ctx;                  /* given back to call */
} ent_subject_request_t;

typedef struct {
    uint8_t *zip;               /* malloc'd; the caller frees it */
    size_t len;
    size_t interviews, obligations, notifications, reports;
} ent_subject_zip_t;

/* The builder's failures other than a call's. */
#define ENT_SUBJECT_CALL_FAILED (-1) /* a call returned NULL: the call function said why */

/* Builds the copy in memory.  Returns 0 with *out filled; ENT_SUBJECT_CALL_FAILED;
 * ENOMEM; EIO with *why (a static text) when libzip or the rendering of a
 * report failed.  *out is zeroed on error.  why may be NULL. */
int ent_subject_export(const ent_subject_request_t *rq, ent_subject_zip_t *out, const char **why);

/* Releases out->zip and zeroes *out. */
void ent_subject_zip_clear(ent_subject_zip_t *out);

#endif
