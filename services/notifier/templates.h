/*  templates.h — the built-in message templates (data, templates.c), read
 *  by render.c.  The format, placeholders and override file: render.h. */
#ifndef NTF_TEMPLATES_H
#define NTF_TEMPLATES_H

typedef struct {
    const char *locale;   /* "fr" */
    const char *type;     /* interview type, wire name */
    const char *label;    /* how messages name it */
} ntf_builtin_type_t;

typedef struct {
    const char *locale;
    const char *key;      /* "<kind>.<role>", "<kind>", "footer", "digest_item.<kind>" */
    const char *subject;  /* "" for footer and digest items */
    const char *body;
} ntf_builtin_message_t;

/* Both end with an all-NULL entry. */
extern const ntf_builtin_type_t ntf_builtin_types[];
extern const ntf_builtin_message_t ntf_builtin_messages[];

#endif
