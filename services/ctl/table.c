/*  table.c — aligned tables for human output (see table.h). */
#include "table.h"

#include "common/event_json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef struct {
    char *text;          /* sanitised */
    size_t width;        /* code points */
    ctl_color_t color;
} s_cell_t;

struct ctl_table {
    size_t ncols;
    s_cell_t *cells;     /* rows * ncols, row 0 = header */
    size_t rows, cap_rows;
    size_t col;          /* next cell of the current row */
};

static int s_grow(ctl_table_t *t)
{
    if (t->rows < t->cap_rows)
        return 0;
    size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
    s_cell_t *c = realloc(t->cells, cap * t->ncols * sizeof *c);
    if (!c)
        return -1;
    memset(c + t->cap_rows * t->ncols, 0, (cap - t->cap_rows) * t->ncols * sizeof *c);
    t->cells = c;
    t->cap_rows = cap;
    return 0;
}

ctl_table_t *ctl_table_new(const char *first, ...)
{
    ctl_table_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    va_list ap;
    va_start(ap, first);
    for (const char *h = first; h; h = va_arg(ap, const char *))
        t->ncols++;
    va_end(ap);
    if (s_grow(t) != 0) {
        free(t);
        return NULL;
    }
    t->rows = 1;
    va_start(ap, first);
    for (const char *h = first; h; h = va_arg(ap, const char *))
        ctl_table_cell(t, h, CTL_BOLD);
    va_end(ap);
    return t;
}

void ctl_table_row(ctl_table_t *t)
{
    if (!t || s_grow(t) != 0)
        return;
    t->rows++;
    t->col = 0;
}

void ctl_table_cell(ctl_table_t *t, const char *text, ctl_color_t color)
{
    if (!t || t->col >= t->ncols || t->rows == 0)
        return;
    s_cell_t *c = &t->cells[(t->rows - 1) * t->ncols + t->col++];
    free(c->text);
    c->text = ent_utf8_sanitize(text, text ? strlen(text) : 0, true);
    c->width = ent_utf8_width(c->text);
    c->color = color;
}

void ctl_table_cellf(ctl_table_t *t, ctl_color_t color, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctl_table_cell(t, buf, color);
}

const char *ctl_color_on(ctl_color_t c)
{
    switch (c) {
    case CTL_RED: return "\033[31m";
    case CTL_GREEN: return "\033[32m";
    case CTL_YELLOW: return "\033[33m";
    case CTL_DIM: return "\033[2m";
    case CTL_BOLD: return "\033[1m";
    default: return "";
    }
}

/* Writes at most max code points of s. */
static void s_put_cut(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    const char *p = s;
    while (*p) {
        if ((((unsigned char) *p) & 0xc0) != 0x80) {
            if (n == max)
                break;
            n++;
        }
        p++;
    }
    fwrite(s, 1, (size_t) (p - s), out);
}

void ctl_table_print(ctl_table_t *t, FILE *out, size_t width, bool color)
{
    if (!t)
        return;
    size_t *w = calloc(t->ncols, sizeof *w);
    for (size_t r = 0; w && r < t->rows; r++)
        for (size_t c = 0; c < t->ncols; c++)
            if (t->cells[r * t->ncols + c].width > w[c])
                w[c] = t->cells[r * t->ncols + c].width;
    for (size_t r = 0; w && r < t->rows; r++) {
        size_t used = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            const s_cell_t *cell = &t->cells[r * t->ncols + c];
            const char *text = cell->text ? cell->text : "";
            bool last = c + 1 == t->ncols;
            size_t shown = cell->width;
            bool cut = false;
            if (c)
                fputs("  ", out), used += 2;
            if (width && used + shown > width) {
                shown = width > used + 1 ? width - used - 1 : 0;
                cut = true;
            }
            bool col = color && cell->color != CTL_PLAIN;
            if (col)
                fputs(ctl_color_on(cell->color), out);
            s_put_cut(out, text, shown);
            if (cut)
                fputs("\xe2\x80\xa6", out);
            if (col)
                fputs(CTL_COLOR_OFF, out);
            used += shown + cut;
            if (cut)
                break;
            if (!last) {
                /* pad, unless every following cell is empty */
                bool rest = false;
                for (size_t k = c + 1; k < t->ncols; k++)
                    if (t->cells[r * t->ncols + k].width)
                        rest = true;
                if (!rest)
                    break;
                for (size_t k = shown; k < w[c]; k++)
                    fputc(' ', out), used++;
            }
        }
        fputc('\n', out);
    }
    free(w);
    for (size_t i = 0; i < t->cap_rows * t->ncols; i++)
        free(t->cells[i].text);
    free(t->cells);
    free(t);
}

size_t ctl_term_width(void)
{
    if (!isatty(STDOUT_FILENO))
        return 0;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    long n = c ? strtol(c, NULL, 10) : 0;
    return n > 0 ? (size_t) n : 80;
}

bool ctl_use_color(bool tty)
{
    const char *nc = getenv("NO_COLOR");
    return tty && !(nc && *nc);
}
