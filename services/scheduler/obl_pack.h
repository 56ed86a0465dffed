/*  obl_pack.h — the obligation events packed by hand.
 *
 *  The scheduler publishes five or six ObligationEvents per hire, and
 *  packing them with protobuf-c (a size pass, then a descriptor-driven
 *  pack of twenty fields and four nested dates) was a sixth of its CPU
 *  while it ingests.  sched_obligation_event_pack writes the same bytes
 *  (byte for byte what entretiens__v1__obligation_event__pack writes:
 *  tests/unit/test_obl_pack.c compares them) in one pass.
 *
 *  It knows the fields of proto/scheduler.proto's Obligation as of this
 *  version: a field added to the message must be added here too, or the
 *  test fails (it fills every field the descriptor has).
 */
#ifndef SCHED_OBL_PACK_H
#define SCHED_OBL_PACK_H

#include "proto/scheduler.pb-c.h"

#include <stddef.h>
#include <stdint.h>

/* Packs ev into buf[0, cap) and sets *len.  Returns 0, or ENOSPC when it
 * does not fit (buf's content is then undefined; pack with protobuf-c
 * into a larger buffer).  It needs up to 5 bytes of room beyond the
 * packed length (the nested message is written before its length). */
int sched_obligation_event_pack(const Entretiens__V1__ObligationEvent *ev, uint8_t *buf, size_t cap, size_t *len);

#endif
