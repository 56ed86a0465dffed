/*  table.h — aligned tables for entretiensctl's human output.
 *
 *  Cells are copied and sanitised for the terminal (ill-formed UTF-8 and
 *  control characters become U+FFFD).  Columns are as wide as their widest
 *  cell; when the output is a terminal, the last column is cut to the
 *  terminal's width.  A cell may carry a colour, used only when the table
 *  is printed with colours.
 */
#ifndef CTL_TABLE_H
#define CTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ctl_table ctl_table_t;

/* ANSI colours of cells. */
typedef enum { CTL_PLAIN = 0, CTL_RED, CTL_GREEN, CTL_YELLOW, CTL_DIM, CTL_BOLD } ctl_color_t;

/* A table with the given header cells (NULL-terminated list). */
ctl_table_t *ctl_table_new(const char *first, ...);

/* Starts a new row. */
void ctl_table_row(ctl_table_t *t);

/* Appends a cell to the current row (NULL = ""). */
void ctl_table_cell(ctl_table_t *t, const char *text, ctl_color_t color);
void ctl_table_cellf(ctl_table_t *t, ctl_color_t color, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints and frees.  width > 0 cuts every line to that many columns (the
 * last column is shortened, ending with "…"); color enables colours. */
void ctl_table_print(ctl_table_t *t, FILE *out, size_t width, bool color);

/* The terminal width when stdout is a terminal (ioctl, else $COLUMNS,
 * else 80), or 0 when it is not a terminal. */
size_t ctl_term_width(void);

/* True when colours should be used on stdout: ctl->color (a TTY) and
 * $NO_COLOR unset or empty. */
bool ctl_use_color(bool tty);

/* The escape sequence of a colour ("" for CTL_PLAIN) and the reset. */
const char *ctl_color_on(ctl_color_t c);
#define CTL_COLOR_OFF "\033[0m"

#endif
