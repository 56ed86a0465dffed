/*  pdf_doc.h — a flowing A4 document of plain-text paragraphs (cairo +
 *  pango), the engine of the project's PDFs: an interview's report
 *  (report_pdf.h) and the professional-interview recap for the social
 *  partners (recap_pdf.h); library entretiens_formats.
 *
 *  One column, DejaVu Sans (Debian's fonts-dejavu-core, through
 *  fontconfig), a footer "<footer> — <page word> N" on every page.  Text is
 *  drawn as plain text, never as Pango markup, so that nothing a person
 *  wrote is interpreted; a paragraph longer than the page flows onto the
 *  next one.  Deterministic: the same calls give the same bytes (the
 *  document's dates are given, never the time of the rendering).
 *
 *  Not thread-safe by itself: fontconfig's and cairo's font caches are
 *  process-wide, so a renderer holds pdf_doc_lock() from pdf_doc_open to
 *  pdf_doc_free.
 */
#ifndef ENT_PDF_DOC_H
#define ENT_PDF_DOC_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { PDF_TITLE, PDF_H1, PDF_H2, PDF_BODY, PDF_SMALL, PDF_MONO, PDF_N_STYLES } pdf_style_t;

#define PDF_PAGE_W 595.28 /* A4 in points */
#define PDF_PAGE_H 841.89
#define PDF_MARGIN 56.0

/* The document being written.  The caller reads and moves y (the top of
 * the next line, in points) to add space; every other field is the
 * engine's. */
typedef struct {
    double y;
    int page;                 /* from 1 */
    bool failed;              /* out of memory while writing: pdf_doc_finish says ENOMEM */
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fonts;
    PangoContext *pango;
    PangoFontDescription *desc[PDF_N_STYLES];
    const char *footer, *page_word;
    FILE *buf;                /* the paragraph being composed (pdf_doc_para) */
    char *text;
    size_t text_len;
    uint8_t *pdf;             /* the document written so far */
    size_t pdf_len, pdf_cap;
} pdf_doc_t;

/* Serialises renderings (see above). */
void pdf_doc_lock(void);
void pdf_doc_unlock(void);

/* Starts a document in *d (zeroed by the call): title and date (ISO 8601,
 * "2026-01-02T10:00:00Z": creation and modification) go to its metadata;
 * footer and page_word (kept by pointer: they must outlive the document)
 * make each page's footer.  Returns 0, EIO with *why when cairo fails,
 * ENOMEM.  Whatever it returns, pdf_doc_free(d) releases d. */
int pdf_doc_open(pdf_doc_t *d, const char *title, const char *date, const char *footer, const char *page_word,
                 const char **why);

/* Draws text as one paragraph in style st, indent points from the margin. */
void pdf_doc_draw(pdf_doc_t *d, pdf_style_t st, double indent, const char *text);

/* A heading that stays with at least need points of what follows it. */
void pdf_doc_heading(pdf_doc_t *d, pdf_style_t st, const char *text, double need);

/* Composes a paragraph: pdf_doc_para gives the stream to print into (NULL,
 * and d->failed, when out of memory); pdf_doc_flush draws what was printed
 * since, if anything.  PDF_PUT(d, fmt, ...) prints into it. */
FILE *pdf_doc_para(pdf_doc_t *d);
void pdf_doc_flush(pdf_doc_t *d, pdf_style_t st, double indent);
#define PDF_PUT(d, ...)                                                                                                \
    do {                                                                                                               \
        FILE *f_ = pdf_doc_para(d);                                                                                    \
        if (f_)                                                                                                        \
            fprintf(f_, __VA_ARGS__);                                                                                  \
    } while (0)

/* Ends the last page and hands the bytes over: 0 with *out (malloc'd, the
 * caller frees it) holding *len bytes; ENOMEM; EIO with *why when cairo
 * fails.  *out is NULL on error. */
int pdf_doc_finish(pdf_doc_t *d, uint8_t **out, size_t *len, const char **why);

/* Releases what d holds (a document not finished is dropped). */
void pdf_doc_free(pdf_doc_t *d);

#endif
