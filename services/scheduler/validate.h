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
#include <stdint.h>

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

/* ------------------------------------------------- checks against the store
 *
 * sched_event_valid judges an event alone.  sched_event_check adds what
 * needs the scheduler's state (docs/scheduler.md, "Validation"): dates in a
 * plausible range around today, an entity the policy declares, and for
 * every event but a hire an employee who has been hired.  HR systems send
 * a hire and its manager's hire in any order, so a manager that is not
 * hired is a warning on an accepted event (sched_event_warn), not a
 * rejection. */

#define SCHED_EFFECTIVE_MIN_YEAR 1950 /* effective dates from 1950-01-01 ... */
#define SCHED_FUTURE_YEARS 2          /* ... to today + 2 years */
#define SCHED_MIN_AGE 14              /* nobody works younger (C. trav. L4153-1) */
#define SCHED_CONTRACT_MAX_YEARS 5    /* a fixed-term or apprentice contract ends within 5 years
                                         (the longest, an apprenticeship, lasts 4) */

/* What the scheduler knows beyond the event.  The lookups may be NULL. */
typedef struct {
    int32_t today;  /* the scheduler's date (common/date.h day number) */
    /* true when entity is one of the policy's entities; NULL, or a policy
     * that declares no entity: every entity is known */
    bool (*entity_known)(void *arg, const char *entity);
    /* true when the employee has a hire: stored, or accepted earlier in the
     * batch; NULL: every employee is hired */
    bool (*hired)(void *arg, const char *employee_id);
    void *arg;
} sched_refs_t;

typedef enum {
    SCHED_CHECK_OK,         /* may be stored */
    SCHED_CHECK_REJECTED,   /* invalid: field, why and reason set as by sched_event_valid */
    SCHED_CHECK_NOT_HIRED,  /* rejected the same way (field employee_id) because the employee
                               has no hire, and only for that: a hire later in the same batch
                               may still make it acceptable */
} sched_check_t;

/* sched_event_valid, then the checks against refs, in this order: dates
 * (effective_date from SCHED_EFFECTIVE_MIN_YEAR to today + SCHED_FUTURE_YEARS;
 * birth_date, from 1900 as sched_event_valid wants, at least SCHED_MIN_AGE
 * years before the event; contract_end within SCHED_CONTRACT_MAX_YEARS of it),
 * the entity (refs->entity_known), the employee's hire (refs->hired, every
 * type but `hired`).  field, why, reason and size as for sched_event_valid;
 * the log sentence quotes nothing, the reply may quote an entity code or
 * the effective date, never a birth date. */
sched_check_t sched_event_check(const Entretiens__V1__EmployeeEvent *ev, const sched_refs_t *refs,
                                const char **field, const char **why, char *reason, size_t size);

/* A warning about an event that was accepted. */
typedef struct {
    const char *field;   /* static */
    const char *why;     /* static, quotes nothing from the event: for the log */
    char reason[192];    /* for the caller: may quote the id concerned */
} sched_warning_t;

/* Fills w and returns true when ev names a manager (manager_id, on any
 * event type that carries it) that refs->hired does not know; false
 * otherwise (w untouched), and always when refs->hired is NULL. */
bool sched_event_warn(const Entretiens__V1__EmployeeEvent *ev, const sched_refs_t *refs, sched_warning_t *w);

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
