/*  rec_default_templates.h — the default templates shipped with records, one
 *  per interview type and locale, embedded in the binary.
 *
 *  The table is written by the build from the JSON files in templates/
 *  (embed_templates.cmake, whenever one changes; nothing generated is
 *  committed); tests/unit/test_records_templates.c checks that every file
 *  is in it, byte for byte.
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
