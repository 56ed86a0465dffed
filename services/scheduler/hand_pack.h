/*  hand_pack.h — the scheduler's most packed messages, packed by hand.
 *
 *  The scheduler publishes five or six ObligationEvents per hire,
 *  stores and publishes the employee's record, and answers an employee's
 *  obligations to every page that shows them; packing them with
 *  protobuf-c (a size pass, then a descriptor-driven pack of twenty-odd
 *  fields and their nested dates, the employee twice) was about a fifth
 *  of its CPU while it ingests.  These functions write the same bytes —
 *  byte for byte what protobuf-c's pack writes, which
 *  tests/unit/test_hand_pack.c checks over every field — in one pass.
 *  The stored employee record must stay byte-identical: the scheduler
 *  compares it with the stored one to decide whether it changed.
 *
 *  They know the fields of proto/scheduler.proto's Obligation and
 *  Employee as of this version: a field added to either message must be
 *  added here too, or the test fails (it fills every field the
 *  descriptor has).
 */
#ifndef SCHED_HAND_PACK_H
#define SCHED_HAND_PACK_H

#include "proto/scheduler.pb-c.h"

#include <stddef.h>
#include <stdint.h>

/* Packs ev into buf[0, cap) and sets *len.  Returns 0, or ENOSPC when it
 * does not fit (buf's content is then undefined; pack with protobuf-c
 * into a larger buffer).  It needs up to 5 bytes of room beyond the
 * packed length (the nested message is written before its length). */
int sched_obligation_event_pack(const Entretiens__V1__ObligationEvent *ev, uint8_t *buf, size_t cap, size_t *len);

/* Packs an ObligationsReply {obligations: obls[0, n)} into buf[0, cap)
 * and sets *len: each obligation as sched_obligation_event_pack writes it
 * (the reply's field 1 repeated is, element by element, the event's field
 * 1).  Returns 0, or ENOSPC when it does not fit (with the 5 bytes of
 * room beyond the last one) or an element is NULL: pack with protobuf-c. */
int sched_obligations_reply_pack(Entretiens__V1__Obligation *const *obls, size_t n, uint8_t *buf, size_t cap,
                                 size_t *len);

/* Packs an Employee into buf[0, cap) and sets *len.  Returns 0, or ENOSPC
 * when it does not fit (buf's content is then undefined). */
int sched_employee_pack(const Entretiens__V1__Employee *e, uint8_t *buf, size_t cap, size_t *len);

/* The most bytes of a nested message's head (a one-byte tag and a length
 * of up to 32 bits). */
#define SCHED_PACK_HEAD_MAX 6

/* The EmployeeUpserted {employee} of an employee already packed in
 * emp[0, emp_len): its head (field 1, length) written at head, at most
 * SCHED_PACK_HEAD_MAX bytes, followed by emp's bytes.  Returns the head's
 * length. */
size_t sched_employee_upserted_head(size_t emp_len, uint8_t head[SCHED_PACK_HEAD_MAX]);

#endif
