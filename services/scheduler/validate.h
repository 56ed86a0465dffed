/*  validate.h — checks an EmployeeEvent before it is stored.
 *
 *  Every rejection names the offending field (the JSON/protobuf field name)
 *  and says why in one sentence; the scheduler answers it per event and
 *  keeps the event in its dead-letter table.  The sentence comes in two
 *  kinds: one for the logs, which never quotes a value of the event (an
 *  event carries e-mail addresses, names and free text, personal data that
 *  has no place in logs), and one for the caller and the dead letter, which
 *  may quote a code the caller sent (an unknown region or event type) to
 *  help them correct it, but never an e-mail address, a name or free text.
 */
#ifndef SCHED_VALIDATE_H
#define SCHED_VALIDATE_H

#include "proto/scheduler.pb-c.h"
#include "rules.h"

#include <stdbool.h>
#include <stddef.h>

/* Returns true when ev can be stored; otherwise false with
 *   *field  a static field name,
 *   *why    a static sentence saying what is wrong with it, quoting nothing
 *           from the event: what a log line may say,
 *   reason  the answer for the caller and the dead letter (NUL-terminated,
 *           at most size bytes): *why, or a more precise sentence that may
 *           quote a code or a number the caller sent.
 * Nothing is set when the event is valid. */
bool sched_event_valid(const Entretiens__V1__EmployeeEvent *ev, const char **field, const char **why, char *reason,
                       size_t size);

/* The fact kind of an event type ("hired" ...), or -1. */
int sched_event_kind(const char *type);

/* The position of a fact kind among facts of the same date (hired first,
 * left last), used in history keys so that order never depends on arrival. */
int sched_event_rank(int kind);

/* The name of the first field (by field number: event_id, source, type,
 * employee_id, effective_date, ...) whose value differs between a and b, or
 * NULL when every field the scheduler knows holds the same value in both.
 * An absent string equals an empty one; an absent message (a date, a Flag)
 * differs from a present one, whatever it holds.  Unknown fields (sent by a
 * newer client) are not compared: the scheduler cannot read them either.
 * The name is static (the descriptor's).  Used to tell a re-sent event
 * (duplicate) from a different event under an id already used (conflict). */
const char *sched_event_diff(const Entretiens__V1__EmployeeEvent *a, const Entretiens__V1__EmployeeEvent *b);

/* True when s is valid UTF-8 without control characters other than tab. */
bool sched_text_ok(const char *s, size_t max);

#endif
