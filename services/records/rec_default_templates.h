/*  rec_default_templates.h — the default templates shipped with records, one
 *  per interview type and locale, embedded in the binary.
 *
 *  default_templates.c is GENERATED from the JSON files in templates/ by
 *  templates/embed.py (run it after editing a template);
 *  tests/unit/test_records_templates.c fails when an embedded document
 *  differs from its file, so the two never drift.
 */
#ifndef REC_DEFAULT_TEMPLATES_H
#define REC_DEFAULT_TEMPLATES_H

#include <stddef.h>

typedef struct {
    const char *file;   /* "annual_review.fr.json" (under services/records/templates/) */
    const char *json;   /* the file's bytes */
} rec_default_template_t;

extern const rec_default_template_t rec_default_templates[];
extern const size_t rec_n_default_templates;

#endif
