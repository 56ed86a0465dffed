/*  ics.h — the shared calendar as iCalendar (RFC 5545), built with libical
 *  for `entretiensctl calendar export` (docs/cli.md, "calendar export") and
 *  the gateway's calendar feed (docs/api.md); library entretiens_formats.
 *
 *  A calendar holds two kinds of entries:
 *
 *    - a deadline (an actionable Obligation of the scheduler) is an all-day
 *      VEVENT on its due date: DTSTART;VALUE=DATE = the due date, DTEND the
 *      next day (exclusive, RFC 5545 §3.6.1), TRANSP:TRANSPARENT so that it
 *      never blocks anyone's free time.  An all-day VEVENT rather than a
 *      VTODO because Google Calendar and Outlook do not import VTODOs from
 *      an .ics file; only Thunderbird would show them.
 *    - a scheduled interview (records' Interview with a start time) is a
 *      timed VEVENT in UTC (no VTIMEZONE to get wrong), with its duration,
 *      place or video link, interviewer (ORGANIZER) and employee (ATTENDEE)
 *      when their e-mail addresses are known.
 *
 *  UIDs are stable: "<obligation_id>@entretiens" and
 *  "<interview_id>@entretiens", the id percent-encoded (ics_uid), so that
 *  importing a later export updates the entries instead of duplicating them.
 *  Every entry has SEQUENCE and DTSTAMP: DTSTAMP is the instant given to
 *  ics_cal_new (the business clock); deadlines keep SEQUENCE 0 (a stateless
 *  export cannot count revisions; RFC 5546 §2.1.5 orders versions of equal
 *  SEQUENCE by DTSTAMP, so each export supersedes the previous one);
 *  interviews take the minutes from 2020-01-01 to their last change in
 *  records, which grows with every reschedule.
 *
 *  Strings from the daemons are sanitised (ill-formed UTF-8 and control
 *  characters become U+FFFD) before they reach libical, which escapes,
 *  folds at 75 octets and ends lines with CRLF.
 */
#ifndef CTL_ICS_H
#define CTL_ICS_H

#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { ICS_LANG_FR = 0, ICS_LANG_EN = 1 } ics_lang_t;

/* "fr" or "en" (case-insensitive).  Returns 0, or -1 for anything else. */
int ics_lang_parse(const char *text, ics_lang_t *out);

/* The title of an interview type ("professional" -> "Entretien
 * professionnel" / "Professional interview"); unknown types are returned
 * as given (NULL -> ""). */
const char *ics_type_title(const char *type, ics_lang_t lang);

/* The UID of an obligation or interview id: "<id>@entretiens" where every
 * byte other than A-Z a-z 0-9 . _ - is written %XX (so '/' of obligation ids
 * becomes %2F and distinct ids give distinct UIDs).  Writes at most size
 * bytes with the NUL.  Returns 0, or -1 when id is NULL or empty or the
 * UID does not fit (out is then ""). */
int ics_uid(const char *id, char *out, size_t size);

typedef struct ics_cal ics_cal_t;

/* An empty calendar: VERSION 2.0, PRODID, CALSCALE GREGORIAN, METHOD
 * PUBLISH and X-WR-CALNAME = name (sanitised; NULL = a default name in the
 * language).  stamp_ms: the DTSTAMP of every entry (Unix ms).  NULL when
 * out of memory. */
ics_cal_t *ics_cal_new(ics_lang_t lang, const char *name, int64_t stamp_ms);

/* Adds a deadline as an all-day VEVENT: SUMMARY "<type title> —
 * <first> <last> (<employee_id>)", prefixed "[EN RETARD] " / "[OVERDUE] "
 * when overdue; DESCRIPTION the reason, rule, basis, window, status,
 * employee, manager and obligation id; CATEGORIES kind, type and status.
 * Returns 0; -1 when o has no obligation_id or no valid due date (nothing
 * added); -2 when out of memory. */
int ics_cal_add_deadline(ics_cal_t *cal, const Entretiens__V1__Obligation *o);

/* A participant of an interview: any field may be NULL or "". */
typedef struct {
    const char *id;
    const char *name;    /* "Claire Martin" */
    const char *email;   /* ORGANIZER / ATTENDEE only when set */
} ics_person_t;

/* Adds a scheduled interview as a timed VEVENT from iv->scheduled_start_ms
 * for iv->duration_min minutes (0 = 60), LOCATION the place (else the video
 * link), URL the video link, STATUS CANCELLED for a cancelled interview
 * (so that an earlier import is updated), CONFIRMED otherwise.  employee
 * and interviewer may be NULL (then iv's names and ids are used).
 * Returns 0; -1 when iv has no id or no start (nothing added); -2 when out
 * of memory. */
int ics_cal_add_interview(ics_cal_t *cal, const Entretiens__V1__Interview *iv, const ics_person_t *employee,
                          const ics_person_t *interviewer);

/* Number of entries added. */
size_t ics_cal_count(const ics_cal_t *cal);

/* The calendar as iCalendar text (CRLF lines, folded).  Returns a buffer
 * to release with ics_text_free, or NULL when out of memory. */
char *ics_cal_text(const ics_cal_t *cal);
void ics_text_free(char *text);

void ics_cal_destroy(ics_cal_t **cal_p);

#endif
