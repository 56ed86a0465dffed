/*  rec_pack.h — the two messages records packs for every interview it
 *  creates or changes, packed by hand: the stored header (Interview) and
 *  the event it publishes (InterviewEvent).  protobuf-c walks each
 *  message's descriptor twice (size, then pack); these write the fields in
 *  one pass with common/pbwire.h, byte for byte what protobuf-c writes
 *  (tests/unit/test_records_pack.c fills every field through the
 *  descriptors and compares, so a field added to the .proto and not here
 *  fails it).  The stored header's bytes must not change: the audit
 *  trail's state digest is the SHA-256 of them.
 *
 *  Both return 0 with *len set, ENOSPC when the message does not fit in
 *  cap bytes (nothing is promised about buf then), or ENOTSUP for what
 *  they leave to protobuf-c: an interview carrying objectives or action
 *  items forward, an event with a closed report's content lists.  The
 *  caller packs with protobuf-c on anything but 0.
 */
#ifndef REC_PACK_H
#define REC_PACK_H

#include "proto/records.pb-c.h"

#include <stddef.h>
#include <stdint.h>

int rec_interview_pack(const Entretiens__V1__Interview *iv, uint8_t *buf, size_t cap, size_t *len);
int rec_interview_event_pack(const Entretiens__V1__InterviewEvent *ev, uint8_t *buf, size_t cap, size_t *len);

#endif
