/*  lang.h — the language of entretiensctl's human output.
 *
 *  French first: the CLI speaks French when `--lang fr` says so, else when
 *  ENTRETIENS_LANG, else the locale (LC_ALL, then LC_MESSAGES, then LANG)
 *  starts with "fr"; English otherwise (the C/POSIX locale of a script or a
 *  container).  The language changes table headers, labels of types and
 *  statuses and the prose the daemons write for people (obligation
 *  reasons); never the keys or the values of `--json` output, which
 *  scripts read (docs/cli.md).
 */
#ifndef CTL_LANG_H
#define CTL_LANG_H

#include <stdbool.h>

typedef enum { CTL_LANG_EN = 0, CTL_LANG_FR } ctl_lang_t;

/* The language from the --lang value (NULL when not given) and the
 * environment, as above.  Returns 0 with *out set, or -1 when flag is
 * neither "fr" nor "en" (*out is then English). */
int ctl_lang_detect(const char *flag, ctl_lang_t *out);

/* "fr" or "en": what the daemons' requests carry. */
const char *ctl_lang_code(ctl_lang_t lang);

/* The label of an interview type (wire name, e.g. "professional_recap")
 * in lang; the wire name itself when unknown. */
const char *ctl_type_label(ctl_lang_t lang, const char *type);

/* The label of an obligation or interview status ("overdue" -> "en
 * retard"); the wire name itself when unknown. */
const char *ctl_status_label(ctl_lang_t lang, const char *status);

/* en or fr as lang says (for headers and messages written in place). */
static inline const char *ctl_l(ctl_lang_t lang, const char *en, const char *fr)
{
    return lang == CTL_LANG_FR ? fr : en;
}

#endif
