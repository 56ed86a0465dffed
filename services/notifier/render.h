/*  render.h — what a notification says and how it travels: message
 *  templates (data, in French and English, overridable by a JSON file),
 *  localised dates, the RFC 5322 / MIME e-mail, the iCalendar invitation
 *  (libical) and the webhook's JSON body.
 *
 *  TEMPLATES.  A template set maps a locale ("fr", "en", ...) to interview
 *  type labels and to messages keyed "<kind>.<role>" (e.g.
 *  "reminder.manager"; "<kind>" alone is the fallback), each with a
 *  subject and a body; a message missing in a locale is taken from the
 *  locale's "<kind>", then from French, and so are type labels.
 *  Placeholders are {{name}}; {{#name}}...{{/name}}
 *  keeps its text only when name is not empty, {{^name}}...{{/name}} only
 *  when it is.  The names are listed by ntf_template_vars (docs/notifier.md).
 *  The built-in set lives in templates.c; ENTRETIENS_NOTIFIER_TEMPLATES
 *  names a JSON file of the same shape whose entries replace or add to it:
 *
 *    { "fr": { "types": { "annual_review": "entretien annuel" },
 *              "messages": { "reminder.manager": { "subject": "...", "body": "..." } } } }
 *
 *  Everything here runs on the loop thread and allocates its results
 *  (malloc; the caller frees).
 */
#ifndef NTF_RENDER_H
#define NTF_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ntf_templates ntf_templates_t;

/* Built-in templates, then the file at path when not NULL.  Returns 0 and
 * *out, or -1 with a reason in err (unreadable file, bad JSON, a message
 * without subject or body, an unknown placeholder, an unclosed section). */
int ntf_templates_new(const char *path, ntf_templates_t **out, char *err, size_t errsz);

/* Frees; *t_p = NULL; safe on NULL. */
void ntf_templates_destroy(ntf_templates_t **t_p);

/* The effective templates as JSON text (the file format).  Free it. */
char *ntf_templates_json(const ntf_templates_t *t);

/* The locale messages are written in for someone whose locale is wanted:
 * an exact match, else the language part ("en-GB" -> "en"), else "fr". */
const char *ntf_templates_locale(const ntf_templates_t *t, const char *wanted);

/* The label of an interview type in a locale (the wire name when none). */
const char *ntf_templates_type(const ntf_templates_t *t, const char *locale, const char *type);

/* Placeholder names templates may use, NULL-terminated. */
extern const char *const ntf_template_vars[];

typedef struct {
    const char *name;
    const char *value;   /* NULL = empty */
} ntf_var_t;

/* Expands a template.  Returns a malloc'd string, or NULL on ENOMEM. */
char *ntf_template_expand(const char *tmpl, const ntf_var_t *vars, size_t n);

/* Checks a template's syntax and placeholder names.  Returns 0 or -1 with
 * the reason in err. */
int ntf_template_check(const char *tmpl, char *err, size_t errsz);

/* ------------------------------------------------------------ messages */

/* One line of a manager's digest. */
typedef struct {
    int kind;                     /* ntf_kind_t */
    const char *employee_name;
    const char *type;             /* wire name */
    int32_t due_date;
    int32_t fire_date;
    int32_t penalty_eur;          /* catch-up lines: the penalty if missed (0: none) */
} ntf_digest_line_t;

typedef struct {
    int kind;                     /* ntf_kind_t */
    int role;                     /* ntf_role_t */
    const char *locale;           /* the recipient's (resolved by the caller) */
    const char *recipient_name;
    const char *employee_name;
    const char *employee_id;
    const char *manager_name;
    const char *type;             /* interview type, wire name */
    int32_t due_date;             /* ENT_DATE_NONE when none */
    int32_t fire_date;            /* the day it was planned for */
    bool late;
    int64_t start_ms;             /* interviews: 0 when not scheduled */
    unsigned duration_min;
    const char *place;
    const char *video_link;
    unsigned reopen_count;
    /* links {{interview_url}} (<public_url>/interviews/<id>, the web app's
     * page) and {{report_url}} (<public_url>/api/v1/interviews/<id>/
     * report.pdf): empty unless both are set */
    const char *interview_id;
    const char *public_url;       /* ENTRETIENS_PUBLIC_URL */
    const ntf_digest_line_t *lines;
    size_t n_lines;
} ntf_render_in_t;

typedef struct {
    char *subject;
    char *text;
} ntf_rendered_t;

/* Writes the subject and text of a message.  Returns 0, -1 when memory is
 * short, or NTF_RENDER_NO_TEMPLATE when the template set has no message for
 * the kind and role (an override file that dropped one): that notification
 * cannot be written, the others still can. */
#define NTF_RENDER_NO_TEMPLATE 1
int ntf_render(const ntf_templates_t *t, const ntf_render_in_t *in, ntf_rendered_t *out);
void ntf_rendered_clear(ntf_rendered_t *r);

/* "31 mars 2027" / "31 March 2027" (ISO for other locales) into buf. */
char *ntf_format_date(int32_t date, const char *locale, char *buf, size_t size);

/* Writes an amount in euros as the locale writes it ("3 000 €" with a
 * narrow no-break space in French, "€3,000" in English) into buf; an empty
 * string for 0 or less, so that a template section {{#penalty}} hides it.
 * Returns buf. */
char *ntf_format_eur(int64_t eur, const char *locale, char *buf, size_t size);
/* "mardi 3 mars 2026 à 10h00" / "Tuesday 3 March 2026 at 10:00". */
char *ntf_format_start(int64_t unix_ms, const char *locale, char *buf, size_t size);

/* The stable key of a notification id: the first 128 bits of its SHA-256
 * in hex (Message-ID, Idempotency-Key, outbox file name). */
void ntf_message_key(const char *notification_id, char out[33]);

/* A plausible mailbox address: local@domain, printable ASCII, no spaces,
 * quotes, angle brackets, commas or semicolons, at most 254 bytes. */
bool ntf_email_valid(const char *addr);

/* The address part of "Name <addr>" or "addr" into buf (empty when none). */
char *ntf_email_addr(const char *mailbox, char *buf, size_t size);

typedef struct {
    const char *name;             /* display name (UTF-8), may be NULL */
    const char *addr;
} ntf_mailbox_t;

typedef struct {
    const char *from;             /* "Name <addr>" or "addr" */
    const ntf_mailbox_t *to;
    size_t n_to;
    const ntf_mailbox_t *cc;
    size_t n_cc;
    const char *subject;
    const char *text;
    const char *locale;
    const char *key;              /* ntf_message_key */
    int64_t date_ms;              /* Date: header */
    const char *notification_id;
    const char *kind;
    bool late;
    const char *ical;             /* text/calendar attachment, or NULL */
    const char *ical_method;      /* REQUEST | CANCEL */
} ntf_mail_in_t;

/* The whole e-mail (CRLF line ends, 7-bit: base64 bodies, RFC 2047
 * headers), as sent over SMTP and written to the file outbox.  Returns a
 * malloc'd string and its length, or NULL on ENOMEM. */
char *ntf_mail_build(const ntf_mail_in_t *in, size_t *len);

typedef struct {
    bool cancel;                  /* METHOD:CANCEL instead of REQUEST */
    const char *uid;              /* stable per interview */
    unsigned sequence;
    int64_t stamp_ms;
    int64_t start_ms;
    unsigned duration_min;
    const char *summary;
    const char *description;
    const char *location;
    const char *organizer;        /* e-mail address */
    const ntf_mailbox_t *attendees;
    size_t n_attendees;
} ntf_ical_in_t;

/* An iCalendar object (RFC 5545, built with libical).  Returns a malloc'd
 * string or NULL. */
char *ntf_ical_build(const ntf_ical_in_t *in);

#endif
