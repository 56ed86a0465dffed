"""Checks what the webhook receiver recorded against the producers' own
event logs (their LMDB outboxes, read with mdb_dump): every expected event
arrived, each event id counted once, every signature verifies.

usage: webhook_check.py LOG PATH SECRET KINDS DATA_DIR [ENTITY]
  KINDS   comma-separated webhook kinds the subscription named
  ENTITY  only events about this entity are expected (an HR subscription)
env WEBHOOK_CHECK_AFTER="producer:seq ...": only that producer's events after
  seq are expected (a subscription created then); earlier ones are unexpected
Prints "ok <n>" or what is wrong (exit 1).
"""
import base64
import hashlib
import hmac
import json
import subprocess
import os
import sys

LOG, PATH, SECRET, KINDS, DATA = sys.argv[1:6]
ENTITY = sys.argv[6] if len(sys.argv) > 6 else None
SOURCES = {"scheduler.interview.due": "obligation.due", "scheduler.interview.overdue": "obligation.overdue",
           "scheduler.interview.met": "obligation.met", "scheduler.interview.cancelled": "obligation.cancelled"}
for k in ("created", "scheduled", "held", "signed", "closed", "cancelled", "reopened", "reassigned"):
    SOURCES["records.interview." + k] = "interview." + k


def varint(b, i):
    x = s = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return x, i


def fields(b):
    """The fields of a protobuf message: {number: [values]} (bytes or int)."""
    out, i = {}, 0
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def outbox(producer):
    """(seq, type, entity) of every event in the producer's outbox."""
    text = subprocess.run(["mdb_dump", "-s", "outbox", "%s/%s" % (DATA, producer)], check=True,
                          capture_output=True, text=True).stdout
    lines = text.split("HEADER=END\n", 1)[1].splitlines()
    rows = [l.strip() for l in lines if l.startswith(" ")]
    for k in range(0, len(rows) - 1, 2):
        ev = fields(bytes.fromhex(rows[k + 1]))
        typ = ev[3][0].decode()
        entity = None
        if typ in SOURCES:
            payload = fields(ev[7][0]) if 7 in ev else {}
            if typ.startswith("scheduler."):  # ObligationEvent{obligation=1{entity=21}}
                ob = fields(payload[1][0]) if 1 in payload else {}
                entity = ob[21][0].decode() if 21 in ob else ""
            else:  # InterviewEvent{entity=8}
                entity = payload[8][0].decode() if 8 in payload else ""
        yield ev[2][0], typ, entity


kinds = set(KINDS.split(","))
after = {p: int(s) for p, s in (x.split(":") for x in os.environ.get("WEBHOOK_CHECK_AFTER", "").split())}
expected = set()
for producer in ("scheduler", "records"):
    for seq, typ, entity in outbox(producer):
        if SOURCES.get(typ) in kinds and (ENTITY is None or entity == ENTITY) and seq > after.get(producer, 0):
            expected.add("%s-%020d" % (producer, seq))

raw = SECRET[len("whsec_"):] if SECRET.startswith("whsec_") else None
key = base64.b64decode(raw) if raw else SECRET.encode()
seen, problems = {}, []
with open(LOG, encoding="utf-8") as f:
    for line in f:
        rec = json.loads(line)
        if rec["path"] != PATH:
            continue
        body = json.loads(rec["body"])
        mac = hmac.new(key, ("%s.%s.%s" % (rec["id"], rec["timestamp"], rec["body"])).encode(), hashlib.sha256)
        want = "v1," + base64.b64encode(mac.digest()).decode()
        if want not in rec["signature"].split(" "):
            problems.append("bad signature on " + rec["id"])
        if body["id"] != rec["id"] or rec["idempotency_key"] != rec["id"] or body["type"] != rec["kind"]:
            problems.append("headers and body disagree on " + rec["id"])
        if body["type"] not in kinds:
            problems.append("a kind not subscribed: " + body["type"])
        if ENTITY is not None and body["data"].get("entity") != ENTITY:
            problems.append("an event of another entity: %s %s" % (rec["id"], body["data"].get("entity")))
        for secret_field in ("ratings", "objectives", "training_needs", "reason", "first_name", "last_name"):
            if secret_field in body["data"]:
                problems.append("%s carries %s" % (rec["id"], secret_field))
        seen[rec["id"]] = seen.get(rec["id"], 0) + 1

missing = sorted(expected - set(seen))
extra = sorted(set(seen) - expected)
if missing:
    problems.append("%d expected event(s) never arrived, e.g. %s" % (len(missing), missing[:3]))
if extra:
    problems.append("%d unexpected event(s), e.g. %s" % (len(extra), extra[:3]))
if not expected:
    problems.append("no event expected: the scenario produced nothing")
if problems:
    print("; ".join(problems[:5]))
    sys.exit(1)
dups = sum(n - 1 for n in seen.values())
print("ok %d (%d redelivered)" % (len(expected), dups))
