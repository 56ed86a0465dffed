/*  msg_json.h — the JSON forms of the daemons' messages that entretiensctl
 *  prints with --json (their shapes are a contract: docs/cli.md) and that
 *  the data subject's copy writes (common/subject_export.h).  Strings go
 *  through the UTF-8 sanitiser (common/event_json.h ent_json_str); times
 *  are local RFC 3339 with milliseconds, null when unset; dates
 *  "YYYY-MM-DD".  Every function returns a new reference, NULL only when
 *  memory is short.
 */
#ifndef ENT_MSG_JSON_H
#define ENT_MSG_JSON_H

#include "proto/notifier.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A Unix time in ms as a JSON string ("2026-03-02T09:00:00.000+01:00"),
 * or JSON null when ms <= 0. */
json_t *ent_msgjson_time(int64_t ms);

/* A JSON text held in a string field (answers, template documents, audit
 * details) as a JSON value: null when empty, the string itself when it
 * does not parse. */
json_t *ent_msgjson_text(const char *text);

/* An interview as the caller sees it (records.interview.get and friends). */
json_t *ent_msgjson_interview_view(const Entretiens__V1__InterviewView *v);

/* Who read an interview's content: an array of {principal, at, what}. */
json_t *ent_msgjson_reads(const Entretiens__V1__InterviewReadsReply *reads);

/* An obligation; with_employee adds the employee's and manager's ids,
 * names and organisation (the lists across people). */
json_t *ent_msgjson_obligation(const Entretiens__V1__Obligation *o, bool with_employee);

/* The scheduler's record of an employee. */
json_t *ent_msgjson_employee(const Entretiens__V1__Employee *e);

/* A notification and its deliveries. */
json_t *ent_msgjson_notification(const Entretiens__V1__Notification *n);

#endif
