# A year in seconds.  A few hundred employees are hired into the real
# scheduler; the pinned clock of every daemon is advanced day by day over
# 365 days while the notifier is killed with SIGKILL on random days (idle,
# or just after the day's reminders were handed to the senders) and
# restarted one to three days later.  At the end, counted at the SMTP
# server and the webhook receiver by message id:
#   - none lost: every notification the notifier sent arrived, and nothing
#     is left pending, sending or failed that was due;
#   - none duplicated: each message id arrived once, except messages in
#     flight at a SIGKILL, which may arrive a second time with the same
#     Message-ID / Idempotency-Key (docs/notifier.md);
#   - every reminder fired on its day, at the reminder hour; those that
#     came due while the notifier was down went out at its restart, marked
#     late, and no others are late;
#   - an independent computation of the plan (oracle.py) agrees for every
#     obligation that stayed put all year.
# ENT_IT_SCALE=small (the sanitizer pass): 80 employees, 4 kills.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export TZ=Europe/Paris
if [ "$IT_SCALE" = small ]; then EMPLOYEES=80 KILLS=4 ENOUGH=50; else EMPLOYEES=300 KILLS=6 ENOUGH=300; fi
START=2026-01-05
it_endpoints scheduler records notifier analytics
export ENTRETIENS_NOW=${START}T09:00

smtp_port=$(free_port) hook_port=$(free_port)
start_bg smtp $PY "$HERE/notifier/smtp_sink.py" --port "$smtp_port" --out "$IT_DIR/mail.jsonl"
start_bg hooks $PY "$HERE/notifier/http_receiver.py" --port "$hook_port" --out "$IT_DIR/hooks.jsonl" --secret y34r
for p in $smtp_port $hook_port; do
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
done
export ENTRETIENS_SMTP_URL=smtp://127.0.0.1:$smtp_port ENTRETIENS_SMTP_FROM=entretiens@acme.test
export ENTRETIENS_WEBHOOK_URL=http://127.0.0.1:$hook_port/hook ENTRETIENS_WEBHOOK_SECRET=y34r
export ENTRETIENS_HR_EMAIL=rh@acme.test ENTRETIENS_NOTIFIER_TICK_MS=50 ENTRETIENS_NOSYNC=1
for d in scheduler records notifier analytics; do start_bg $d "$BIN/entretiens-$d"; eval "PID_$d=$LAST_PID"; done
for d in scheduler records notifier analytics; do wait_ready $d 60; done

# the organisation: a director, managers, employees hired over ten years
$PY - "$EMPLOYEES" >"$IT_DIR/hires.jsonl" <<'EOF'
import datetime as dt, json, random, sys
rnd = random.Random(2026)
n = int(sys.argv[1])
managers = max(3, n // 12)
def ev(i, emp, hired, **kw):
    e = {"event_id": "y%d" % i, "source": "hris", "type": "hired", "employee_id": emp, "effective_date": hired,
         "entity": "acme", "contract": "permanent"}
    e.update(kw)
    return e
out = [ev(0, "D0", "2012-01-02", region="metropole", email="d0@acme.test", locale="fr", birth_date="1968-03-03",
          category="cadre", first_name="Dir", last_name="Zero")]
for m in range(managers):
    out.append(ev(len(out), "M%02d" % m, "2014-09-01", manager_id="D0", region="metropole",
                  email="m%02d@acme.test" % m, locale=rnd.choice(["fr", "fr", "en"]),
                  birth_date="19%02d-%02d-15" % (rnd.randint(66, 88), rnd.randint(1, 12)), category="cadre",
                  first_name="Man", last_name="M%02d" % m))
for i in range(n - managers - 1):
    emp = "E%03d" % i
    hired = dt.date(2016, 1, 4) + dt.timedelta(days=rnd.randint(0, 3650))
    kw = dict(manager_id="M%02d" % rnd.randrange(managers), region=rnd.choice(["metropole"] * 6 + ["alsace_moselle", "reunion"]),
              email="%s@acme.test" % emp.lower(), locale=rnd.choice(["fr", "fr", "fr", "en"]),
              birth_date="%d-%02d-%02d" % (rnd.randint(1963, 2002), rnd.randint(1, 12), rnd.randint(1, 28)),
              category=rnd.choice(["ouvrier_employe", "maitrise_technicien", "cadre"]), first_name="Emp", last_name=emp)
    if hired > dt.date(2025, 9, 1):
        kw["trial_months"] = rnd.choice([2, 3, 4])
    if rnd.random() < 0.08:
        kw["contract"] = "fixed_term"
        end = dt.date(2026, 2, 1) + dt.timedelta(days=rnd.randint(0, 300))
        kw["contract_end"] = end.isoformat()
        # no fixed-term contract lasts more than 36 months (C. trav.
        # L1242-8; the scheduler refuses an end 5 years after the hire)
        hired = max(hired, end - dt.timedelta(days=3 * 365))
    out.append(ev(len(out), emp, hired.isoformat(), **kw))
for e in out:
    print(json.dumps(e))
EOF
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"

quiet() { # everyone caught up, nothing in flight
  local i
  for i in $(seq 1 600); do
    if "$CTL" health --json 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if all(s["up"] for s in d) and all(c["cursor"] >= c["producer_head"] for s in d for c in s["consumers"]) else 1)' &&
       "$CTL" notifications stats --json 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["gate_open"] and d["in_flight"] == 0 and d["counts"]["sending"] == 0 else 1)'; then
      return 0
    fi
    sleep 0.05
  done
  fail "daemons not quiet on $day"
}
quiet
"$CTL" due --from 2025-01-01 --to 2027-12-31 --json >"$IT_DIR/due-start.json" || fail "due"
"$CTL" notifications contact D0 >/dev/null || fail "directory"

# the directory as the notifier knows it (for the oracle)
for e in $($PY -c 'import json,sys; print(" ".join(json.loads(l)["employee_id"] for l in open(sys.argv[1])))' "$IT_DIR/hires.jsonl"); do
  "$CTL" notifications contact "$e" --json
done | $PY -c '
import json, sys
dec = json.JSONDecoder(); s = sys.stdin.read(); i = 0; out = {}
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    o, i = dec.raw_decode(s, i); out[o["employee_id"]] = o
json.dump(out, open(sys.argv[1], "w"))' "$IT_DIR/contacts.json"
# kill days: seeded, spread over the year, on days reminders are due (so
# that some come due while it is down), each either idle ("before" the
# day's clock) or right after the day's reminders were handed to the senders
$PY - "$KILLS" "$START" "$IT_DIR" "$HERE/notifier" >"$IT_DIR/kills" <<'EOF'
import datetime as dt, json, random, sys
k, start, d = int(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]), sys.argv[3]
sys.path.insert(0, sys.argv[4])
import oracle
rnd = random.Random(7)
contacts = json.load(open(d + "/contacts.json"))
days = set()
for o in json.load(open(d + "/due-start.json")):
    if o["actionable"] and o["status"] in ("upcoming", "overdue"):
        days |= {v[0] for v in oracle.reminders(o, start, start + dt.timedelta(days=360), contacts).values()}
days = sorted(x for x in days if start + dt.timedelta(days=5) < x < start + dt.timedelta(days=355))
seg = max(1, len(days) // k)
last = start
for i in range(k):
    pick = [x for x in days[i * seg:(i + 1) * seg] if x > last + dt.timedelta(days=5)]
    if not pick:
        continue
    day = rnd.choice(pick)
    gap = rnd.randint(1, 3)
    last = day + dt.timedelta(days=gap)
    print(day.isoformat(), "before" if i % 2 == 0 else "after", gap)
EOF
declare -A KILL_AT KILL_GAP
while read -r d how gap; do KILL_AT[$d]=$how; KILL_GAP[$d]=$gap; done <"$IT_DIR/kills"

start_notifier() { # day
  ENTRETIENS_NOW=${1}T09:00 start_bg notifier "$BIN/entretiens-notifier"
  PID_notifier=$LAST_PID
  wait_ready notifier 60
}

day=$(date -d "$START + 1 day" +%F)
end=$(date -d "$START + 365 days" +%F)
restart=""
: >"$IT_DIR/downtime"
while [[ ! "$day" > "$end" ]]; do
  how=${KILL_AT[$day]:-}
  if [ "$how" = before ]; then
    kill -9 "$PID_notifier"; wait "$PID_notifier" 2>/dev/null
    restart=$(date -d "$day + ${KILL_GAP[$day]} days" +%F)
    echo "$day $restart" >>"$IT_DIR/downtime"
  fi
  if [ -n "$restart" ] && [ "$day" = "$restart" ]; then
    ENTRETIENS_RPC_TIMEOUT_MS=300 "$CTL" clock set "${day}T09:00" >/dev/null 2>&1
    start_notifier "$day"
    restart=""
  elif [ -n "$restart" ]; then
    ENTRETIENS_RPC_TIMEOUT_MS=300 "$CTL" clock set "${day}T09:00" >/dev/null 2>&1 # the notifier is down
  else
    "$CTL" clock set "${day}T09:00" >/dev/null || fail "clock set $day"
  fi
  if [ "$how" = after ]; then
    # the day's reminders are with the senders: the outcomes die with it
    kill -9 "$PID_notifier"; wait "$PID_notifier" 2>/dev/null
    restart=$(date -d "$day + ${KILL_GAP[$day]} days" +%F)
    echo "$(date -d "$day + 1 day" +%F) $restart" >>"$IT_DIR/downtime"
  fi
  [ -n "$restart" ] || quiet
  day=$(date -d "$day + 1 day" +%F)
done
[ -z "$restart" ] || start_notifier "$day"
quiet
"$CTL" due --from 2025-01-01 --to 2027-12-31 --all --json >"$IT_DIR/due-end.json" || fail "due at the end"
for st in sent pending sending failed dead; do
  $PY - "$CTL" "$st" >"$IT_DIR/$st.json" <<'EOF' || fail "list $st"
import json, subprocess, sys
ctl, st = sys.argv[1], sys.argv[2]
out, after = [], ""
while True:
    args = [ctl, "--json", "notifications", "list", "--status", st, "--limit", "5000"] + (["--after", after] if after else [])
    d = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    out += d["notifications"]
    if not d["truncated"] or not d["notifications"]:
        break
    after = d["notifications"][-1]["id"]
json.dump(out, sys.stdout)
EOF
done

$PY - "$IT_DIR" "$HERE/notifier" "$START" "$end" "$ENOUGH" <<'EOF' || fail "the year does not add up (above)"
import collections, datetime as dt, json, sys
d, lib, enough = sys.argv[1], sys.argv[2], int(sys.argv[5])
start, end = dt.date.fromisoformat(sys.argv[3]), dt.date.fromisoformat(sys.argv[4])
sys.path.insert(0, lib)
import oracle
load = lambda n: json.load(open("%s/%s.json" % (d, n)))
sent, contacts = load("sent"), load("contacts")
errors = []
for st in ("sending", "failed", "dead"):
    for n in load(st):
        errors.append("left %s: %s (%s)" % (st, n["id"], n["last_error"]))
end_ms = dt.datetime.combine(end, dt.time(9, 0)).timestamp() * 1000
for n in load("pending"):
    if n["fire_at_ms"] <= end_ms:
        errors.append("due and never sent: %s at %s" % (n["id"], n["fire_at"]))
down = []
for line in open(d + "/downtime"):
    a, b = line.split()
    down.append((dt.date.fromisoformat(a), dt.date.fromisoformat(b)))
def down_on(day):
    return next(((a, b) for a, b in down if a <= day < b), None)
day_of = lambda ms: dt.datetime.fromtimestamp(ms / 1000).date()
regions = {e["employee_id"]: e.get("region", "metropole") for e in map(json.loads, open(d + "/hires.jsonl"))}
OVERSEAS = {"reunion": 4, "mayotte": 3, "guadeloupe": -4, "martinique": -4, "guyane": -3}
late_n = 0
for n in sent:
    fire, disp = day_of(n["fire_at_ms"]), day_of(n["dispatched_at_ms"])
    w = down_on(fire)
    # on a restart day the notifier is back at 09:00 Paris: a step that
    # came due earlier that morning (09:00 in La Réunion) was due while down
    if not w and dt.datetime.fromtimestamp(n["fire_at_ms"] / 1000).hour < 9:
        w = next(((a, b) for a, b in down if b == fire), None)
    if w:
        late_n += 1
        if not n["late"] or disp != w[1]:
            errors.append("%s was due on %s while down: sent %s late=%s" % (n["id"], fire, disp, n["late"]))
    else:
        if n["late"] or disp != fire:
            errors.append("%s was due on %s: sent on %s late=%s" % (n["id"], fire, disp, n["late"]))
    # 09:00 in the region of the person whose calendar the step follows (the
    # recipient; the employee for escalations): Paris time, or the fixed
    # offset of an overseas department
    who = n["employee_id"] if n["kind"] == "escalation" or n["recipient_id"] == n["employee_id"] else n["recipient_id"]
    reg = regions.get(who, "metropole")
    if reg in OVERSEAS:
        t = dt.datetime.fromtimestamp(n["fire_at_ms"] / 1000, dt.timezone(dt.timedelta(hours=OVERSEAS[reg])))
    else:
        t = dt.datetime.fromtimestamp(n["fire_at_ms"] / 1000)
    if (t.hour, t.minute) != (9, 0):
        errors.append("%s planned at %s (%s), not at the reminder hour" % (n["id"], t, reg))
# the receivers, by message id
mails = [json.loads(l) for l in open(d + "/mail.jsonl")]
hooks = [json.loads(l) for l in open(d + "/hooks.jsonl")]
want = {n["id"]: n for n in sent}
for name, ids in (("smtp", [m["notification"] for m in mails]), ("webhook", [h["id"] for h in hooks])):
    c = collections.Counter(ids)
    for k in sorted(set(want) - set(c)):
        errors.append("%s: lost %s" % (name, k))
    for k in sorted(set(c) - set(want)):
        errors.append("%s: unknown %s" % (name, k))
    dups = {k: v for k, v in c.items() if v > 1}
    kill_days = {a - dt.timedelta(days=1) for a, b in down} | {a for a, b in down}
    for k, v in dups.items():
        if k in want and day_of(want[k]["dispatched_at_ms"]) not in kill_days:
            errors.append("%s: %s arrived %d times, not around a kill" % (name, k, v))
    print("%s: %d messages, %d distinct, %d resent after a SIGKILL (same id)" % (name, len(ids), len(c), len(ids) - len(c)),
          file=sys.stderr)
for m in mails:
    if m["message_id"] != "<n.%s@acme.test>" % oracle.key(m["notification"]):
        errors.append("Message-ID of %s: %s" % (m["notification"], m["message_id"]))
if not all(h["signature_ok"] for h in hooks):
    errors.append("a webhook signature does not verify")
# an independent plan for the obligations that stayed put all year
before = {o["obligation_id"]: o for o in json.load(open(d + "/due-start.json"))}
after = {o["obligation_id"]: o for o in json.load(open(d + "/due-end.json"))}
checked = 0
for oid, o in before.items():
    a = after.get(oid)
    if not o["actionable"] or o["status"] not in ("upcoming", "overdue") or not a or a["due_date"] != o["due_date"]:
        continue
    if not a["actionable"] or a["status"] not in ("upcoming", "overdue"):
        continue
    for k, (day, who, kind) in oracle.reminders(o, start, end, contacts).items():
        checked += 1
        if kind == "catchup":
            # the backlog at installation: carried by that day's catch-up digest
            if "catchup|%s|%s" % (who, day.isoformat()) not in want:
                errors.append("oracle: %s (%s, %s) in no catch-up digest" % (k, day, who))
            continue
        if k not in want:
            errors.append("oracle: %s (%s, %s) was not sent" % (k, day, who))
        elif day_of(want[k]["fire_at_ms"]) != day:
            errors.append("oracle: %s planned %s, fired %s" % (k, day, day_of(want[k]["fire_at_ms"])))
        elif want[k]["recipient_id"] != who:
            errors.append("oracle: %s went to %s, not %s" % (k, want[k]["recipient_id"], who))
kinds = collections.Counter(n["kind"] for n in sent)
print("sent %d notifications %s, %d late (came due while down), %d checked against the oracle, %d down windows"
      % (len(sent), dict(kinds), late_n, checked, len(down)), file=sys.stderr)
if len(sent) < enough or checked < enough // 2 or not late_n:
    errors.append("too little happened to prove anything")
for e in errors[:40]:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
kill -TERM "$PID_notifier"; wait "$PID_notifier" || fail "notifier did not stop cleanly after SIGTERM"
echo "notifier: a year, $(wc -l <"$IT_DIR/downtime") SIGKILLs: every reminder on its day, none lost, none duplicated"
