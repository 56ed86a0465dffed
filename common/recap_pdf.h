/*  recap_pdf.h — the professional interview's recap (the six-year, now
 *  eight-year "état des lieux récapitulatif", L6315-1 II) of one entity or
 *  of every entity the reader may see, as a PDF for the social partners:
 *  GET /api/v1/compliance/recap.pdf (docs/api.md); library
 *  entretiens_formats.
 *
 *  The input is what the daemons answered to the reader: analytics'
 *  completion of the recap deadlines by entity (due, met, upcoming,
 *  missed, lapsed), analytics' compliance by entity (CPF top-ups owed and
 *  at risk, with their €) and the scheduler's recap deadlines still to
 *  hold (each with its rule and reason).  The renderer adds nothing of its
 *  own but the words around them.  Deterministic: the same input, date and
 *  language give the same bytes (the document's date is `today`).
 */
#ifndef ENT_RECAP_PDF_H
#define ENT_RECAP_PDF_H

#include "common/ics.h"
#include "proto/analytics.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *entity;                            /* the entity asked for; NULL or "": every one the reader sees */
    const Entretiens__V1__CompletionReply *recaps; /* analytics.completion, type professional_recap, by entity */
    const Entretiens__V1__ComplianceReply *exposure; /* analytics.compliance by entity */
    const Entretiens__V1__DueReply *due;           /* scheduler.due of the recaps (may be NULL) */
} recap_pdf_input_t;

/* Renders in into a PDF in lang.  Returns 0 with *out (malloc'd; the caller
 * frees it) holding *len bytes; EINVAL with *why when recaps or exposure is
 * missing; ENOMEM; EIO with *why when cairo fails.  *out is NULL on error.
 * Safe from several threads (renderings are serialised). */
int recap_pdf_render(const recap_pdf_input_t *in, ics_lang_t lang, uint8_t **out, size_t *len, const char **why);

#endif
