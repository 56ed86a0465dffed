/*  pdf_doc.c — a flowing A4 document of plain-text paragraphs (pdf_doc.h).
 *
 *  Every paragraph is a PangoLayout laid out line by line so that a long
 *  one flows onto the next page; paragraphs are composed in memory streams
 *  (open_memstream).
 */
#include "common/pdf_doc.h"

#include <cairo-pdf.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FOOTER_H 28.0
#define BODY_W (PDF_PAGE_W - 2 * PDF_MARGIN)

static const struct {
    const char *font;
    double space_after;
} s_styles[PDF_N_STYLES] = {
    [PDF_TITLE] = { "DejaVu Sans Bold 16", 4 }, [PDF_H1] = { "DejaVu Sans Bold 12.5", 6 },
    [PDF_H2] = { "DejaVu Sans Bold 10", 2 },    [PDF_BODY] = { "DejaVu Sans 9.5", 3 },
    [PDF_SMALL] = { "DejaVu Sans 8", 2 },       [PDF_MONO] = { "DejaVu Sans Mono 8", 2 },
};

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer: fontconfig leaks a few hundred bytes while parsing its
 * XML configuration, once per process (FcInitLoadConfigAndFonts, from
 * pango's initialisation thread); no API frees them and they are not ours.
 * Suppressed by library name, in the sanitizer builds only, so that any
 * leak of our own is still reported. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

/* One rendering at a time: the gateway renders from its worker threads, and
 * fontconfig's and cairo's font caches are process-wide. */
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

void pdf_doc_lock(void)
{
    pthread_mutex_lock(&s_lock);
}

void pdf_doc_unlock(void)
{
    pthread_mutex_unlock(&s_lock);
}

static cairo_status_t s_write(void *closure, const unsigned char *data, unsigned int length)
{
    pdf_doc_t *d = closure;
    if (d->pdf_len + length > d->pdf_cap) {
        size_t cap = d->pdf_cap ? d->pdf_cap : 65536;
        while (cap < d->pdf_len + length)
            cap *= 2;
        uint8_t *p = realloc(d->pdf, cap);
        if (!p) {
            d->failed = true;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        d->pdf = p;
        d->pdf_cap = cap;
    }
    memcpy(d->pdf + d->pdf_len, data, length);
    d->pdf_len += length;
    return CAIRO_STATUS_SUCCESS;
}

int pdf_doc_open(pdf_doc_t *d, const char *title, const char *date, const char *footer, const char *page_word,
                 const char **why)
{
    memset(d, 0, sizeof *d);
    d->page = 1;
    d->y = PDF_MARGIN;
    d->footer = footer ? footer : "";
    d->page_word = page_word ? page_word : "";
    d->surface = cairo_pdf_surface_create_for_stream(s_write, d, PDF_PAGE_W, PDF_PAGE_H);
    if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS) {
        if (why)
            *why = "cairo could not create the PDF surface";
        return EIO;
    }
    cairo_pdf_surface_restrict_to_version(d->surface, CAIRO_PDF_VERSION_1_5);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATE_DATE, date ? date : "");
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_MOD_DATE, date ? date : "");
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "entretiens");
    d->cr = cairo_create(d->surface);
    /* a font map of our own: nothing cached between renderings but
     * fontconfig's configuration, and no state shared between threads */
    d->fonts = pango_cairo_font_map_new();
    d->pango = d->fonts ? pango_font_map_create_context(d->fonts) : NULL;
    if (!d->pango)
        return ENOMEM;
    /* no hinting metrics: the layout does not depend on the device */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(d->pango, fo);
    pango_cairo_context_set_resolution(d->pango, 72); /* font sizes in points = PDF user units */
    cairo_font_options_destroy(fo);
    pango_cairo_update_context(d->cr, d->pango);
    for (size_t i = 0; i < PDF_N_STYLES; i++)
        d->desc[i] = pango_font_description_from_string(s_styles[i].font);
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    return 0;
}

static void s_footer(pdf_doc_t *d)
{
    char text[512];
    snprintf(text, sizeof text, "%s — %s %d", d->footer, d->page_word, d->page);
    PangoLayout *l = pango_layout_new(d->pango);
    if (!l) {
        d->failed = true;
        return;
    }
    pango_layout_set_font_description(l, d->desc[PDF_SMALL]);
    pango_layout_set_text(l, text, -1);
    cairo_move_to(d->cr, PDF_MARGIN, PDF_PAGE_H - PDF_MARGIN - FOOTER_H + 12);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
}

static void s_page_break(pdf_doc_t *d)
{
    s_footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = PDF_MARGIN;
}

void pdf_doc_draw(pdf_doc_t *d, pdf_style_t st, double indent, const char *text)
{
    PangoLayout *l = pango_layout_new(d->pango);
    if (!l) {
        d->failed = true;
        return;
    }
    /* text from the daemons is validated UTF-8; make_valid still guards
     * against a message built by hand */
    gchar *valid = g_utf8_make_valid(text ? text : "", -1);
    pango_layout_set_font_description(l, d->desc[st]);
    pango_layout_set_width(l, (int) ((BODY_W - indent) * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(l, valid, -1);
    g_free(valid);
    PangoLayoutIter *it = pango_layout_get_iter(l);
    double bottom = PDF_PAGE_H - PDF_MARGIN - FOOTER_H, shift = 0, last = 0;
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        double top = (double) r.y / PANGO_SCALE - shift, h = (double) r.height / PANGO_SCALE;
        if (d->y + top + h > bottom && d->y + top > PDF_MARGIN) {
            /* the line goes to the next page (unless it already starts
             * one): what follows is measured from it */
            s_page_break(d);
            shift += top;
            top = 0;
        }
        double base = (double) pango_layout_iter_get_baseline(it) / PANGO_SCALE - shift;
        cairo_move_to(d->cr, PDF_MARGIN + indent, d->y + base);
        pango_cairo_show_layout_line(d->cr, pango_layout_iter_get_line_readonly(it));
        last = top + h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    g_object_unref(l);
    d->y += last + s_styles[st].space_after;
}

void pdf_doc_heading(pdf_doc_t *d, pdf_style_t st, const char *text, double need)
{
    if (d->y + need > PDF_PAGE_H - PDF_MARGIN - FOOTER_H)
        s_page_break(d);
    d->y += st == PDF_H1 ? 8 : 3;
    pdf_doc_draw(d, st, 0, text);
}

FILE *pdf_doc_para(pdf_doc_t *d)
{
    if (!d->buf) {
        d->buf = open_memstream(&d->text, &d->text_len);
        if (!d->buf)
            d->failed = true;
    }
    return d->buf;
}

void pdf_doc_flush(pdf_doc_t *d, pdf_style_t st, double indent)
{
    if (!d->buf)
        return;
    fclose(d->buf);
    d->buf = NULL;
    if (d->text && *d->text)
        pdf_doc_draw(d, st, indent, d->text);
    free(d->text);
    d->text = NULL;
    d->text_len = 0;
}

int pdf_doc_finish(pdf_doc_t *d, uint8_t **out, size_t *len, const char **why)
{
    *out = NULL;
    *len = 0;
    s_footer(d);
    cairo_show_page(d->cr);
    cairo_destroy(d->cr);
    d->cr = NULL;
    cairo_surface_finish(d->surface);
    if (d->failed)
        return ENOMEM;
    if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS) {
        if (why)
            *why = cairo_status_to_string(cairo_surface_status(d->surface));
        return EIO;
    }
    *out = d->pdf;
    *len = d->pdf_len;
    d->pdf = NULL;
    return 0;
}

void pdf_doc_free(pdf_doc_t *d)
{
    if (d->buf)
        fclose(d->buf);
    free(d->text);
    for (size_t i = 0; i < PDF_N_STYLES; i++)
        if (d->desc[i])
            pango_font_description_free(d->desc[i]);
    if (d->pango)
        g_object_unref(d->pango);
    if (d->fonts)
        g_object_unref(d->fonts);
    if (d->cr)
        cairo_destroy(d->cr);
    if (d->surface)
        cairo_surface_destroy(d->surface);
    free(d->pdf);
    memset(d, 0, sizeof *d);
}
