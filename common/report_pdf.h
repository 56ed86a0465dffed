/*  report_pdf.h — the written report of an interview as a PDF (cairo +
 *  pango), for `entretiensctl interview pdf` and GET /api/v1/interviews/
 *  {id}/report.pdf (docs/api.md, docs/cli.md); library entretiens_formats.
 *
 *  The input is an InterviewView exactly as records answered it to the
 *  reader (records.interview.export): records has already withheld what the
 *  reader may not see, and the renderer adds nothing of its own.  Of that
 *  view the PDF shows the report as it was signed, the same for every
 *  reader: the metadata (kind, employee, interviewer — by name and id when
 *  the view carries interviewer_name —, dates, template id and version), every section and question of the template with the
 *  interviewer's answers and the employee's shared answers under their
 *  labels (rating levels, options, objectives with their weights, training
 *  wishes...), the objectives carried from the previous interview, both
 *  signatures with their date and the employee's comment, and the SHA-256
 *  digest of the signed content (rec_report_digest in records, the digest
 *  each signature holds; docs/records.md, "The report's digest").  The
 *  manager's private notes and an unshared preparation are never part of
 *  the report, even when the reader may see them elsewhere.
 *
 *  Instants are shown in the legal time of view->region (an overseas
 *  department's fixed offset; for metropolitan France and Alsace-Moselle,
 *  or no region, the process' zone: TZ=Europe/Paris in deployments), with
 *  the offset printed ("2026-03-02 10:00 UTC+01:00").
 *
 *  Deterministic: the same view, language and process zone give the same
 *  bytes.  The
 *  PDF's creation and modification dates are the interview's last
 *  signature (else the writing of the report), never the time of the
 *  rendering; fonts are DejaVu Sans and DejaVu Sans Mono (Debian's
 *  fonts-dejavu-core) found through fontconfig.  Renderings are serialised
 *  (a process-wide mutex): safe to call from several threads.
 */
#ifndef ENT_REPORT_PDF_H
#define ENT_REPORT_PDF_H

#include "common/ics.h"
#include "proto/records.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when an interview in this status has a written report to render:
 * reported, signed_employee, signed_manager, closed. */
bool report_pdf_ready(const char *status);

/* Renders view in lang (the chrome: headings, field names, dates; the
 * template's own labels stay in the template's language).  Returns 0 with
 * *out (malloc'd; the caller frees it) holding *len bytes of PDF; EINVAL
 * with *why when the view has no interview, its status has no report yet
 * (report_pdf_ready) or its template document is missing or unreadable;
 * ENOMEM; EIO with *why when cairo fails.  *out is NULL on error.  why may
 * be NULL. */
int report_pdf_render(const Entretiens__V1__InterviewView *view, ics_lang_t lang, uint8_t **out, size_t *len,
                      const char **why);

/* A file name for the report: "entretien-<id>.pdf" / "interview-<id>.pdf"
 * with every byte of id other than A-Z a-z 0-9 . _ - replaced by '_'
 * (safe in a Content-Disposition header and on any file system).  Writes
 * at most size bytes with the NUL; returns 0, or -1 when it does not fit. */
int report_pdf_filename(const char *id, ics_lang_t lang, char *out, size_t size);

#endif
