# The notifier against a real SMTP server (aiosmtpd) and a real webhook
# receiver, fed by the real scheduler and records: a small organisation is
# hired, an interview is scheduled and held, the pinned clock walks seven
# weeks day by day, and exactly the messages the plan owes arrive — the
# right recipients, copies and languages, iCalendar invitations, daily
# digests, escalations — each signed and keyed on the webhook.  The webhook
# receiver checks the Standard Webhooks signature and timestamp as a real
# receiver must (and refuses what fails); the notifier signs with a whsec_
# secret and, as during a rotation, with a previous plain one; a captured
# call replayed later, or with a forged timestamp, is refused.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export TZ=Europe/Paris
it_endpoints scheduler records notifier analytics
export ENTRETIENS_NOW=2026-03-02T09:00

smtp_port=$(free_port) hook_port=$(free_port) replay_port=$(free_port)
hook_secret=$($PY -c 'import base64, os; print("whsec_" + base64.b64encode(os.urandom(32)).decode())')
start_bg smtp $PY "$HERE/notifier/smtp_sink.py" --port "$smtp_port" --out "$IT_DIR/mail.jsonl"
start_bg hooks $PY "$HERE/notifier/http_receiver.py" --port "$hook_port" --out "$IT_DIR/hooks.jsonl" \
  --secret "$hook_secret" --capture
# the same receiver six minutes later: what a replay of a captured call meets
start_bg replay $PY "$HERE/notifier/http_receiver.py" --port "$replay_port" --out "$IT_DIR/replay.jsonl" \
  --secret "$hook_secret" --clock-offset 360
for p in $smtp_port $hook_port $replay_port; do
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
done
export ENTRETIENS_SMTP_URL=smtp://127.0.0.1:$smtp_port ENTRETIENS_SMTP_FROM="RH Acme <rh-noreply@acme.test>"
export ENTRETIENS_WEBHOOK_URL=http://127.0.0.1:$hook_port/hook ENTRETIENS_WEBHOOK_SECRET=$hook_secret
export ENTRETIENS_WEBHOOK_SECRET_PREVIOUS=s3cret
export ENTRETIENS_HR_EMAIL=rh@acme.test ENTRETIENS_NOTIFIER_TICK_MS=50
for d in scheduler records notifier analytics; do start_bg $d "$BIN/entretiens-$d"; eval "PID_$d=$LAST_PID"; done
for d in scheduler records notifier analytics; do wait_ready $d; done

# everyone caught up with everyone, and nothing in flight
quiet() {
  local i
  for i in $(seq 1 200); do
    if "$CTL" health --json 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if all(c["cursor"] >= c["producer_head"] for s in d for c in s.get("consumers", [])) else 1)' &&
       "$CTL" notifications stats --json 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["in_flight"] == 0 and d["counts"]["sending"] == 0 else 1)'; then
      return 0
    fi
    sleep 0.05
  done
  fail "daemons not quiet"
}

cat >"$IT_DIR/hires.jsonl" <<'EOF'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"D1","effective_date":"2019-06-03","entity":"acme","region":"metropole","email":"d1@acme.test","locale":"en","birth_date":"1972-07-07","category":"cadre","contract":"permanent","first_name":"Diane","last_name":"Dubois"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"M1","effective_date":"2021-06-01","entity":"acme","region":"metropole","manager_id":"D1","email":"m1@acme.test","locale":"fr","birth_date":"1985-07-07","category":"cadre","contract":"permanent","first_name":"Marie","last_name":"Martin"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"M2","effective_date":"2021-06-01","entity":"acme","region":"metropole","manager_id":"D1","email":"m2@acme.test","locale":"fr","birth_date":"1986-07-07","category":"cadre","contract":"permanent","first_name":"Paul","last_name":"Petit"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"E1","effective_date":"2026-02-16","entity":"acme","region":"metropole","manager_id":"M1","email":"e1@acme.test","locale":"en","birth_date":"1990-07-07","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"John","last_name":"Smith"}
{"event_id":"h5","source":"hris","type":"hired","employee_id":"E2","effective_date":"2026-02-23","entity":"acme","region":"alsace_moselle","manager_id":"M1","email":"e2@acme.test","locale":"fr","birth_date":"1992-07-07","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"Éloïse","last_name":"Dupré"}
{"event_id":"h6","source":"hris","type":"hired","employee_id":"E3","effective_date":"2026-02-23","entity":"acme","region":"metropole","manager_id":"M2","email":"e3@acme.test","locale":"fr","birth_date":"1993-07-07","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"Luc","last_name":"Durand"}
EOF
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
quiet
"$CTL" due --from 2025-01-01 --to 2026-12-31 --json >"$IT_DIR/obligations.json" || fail "due"
for e in D1 M1 M2 E1 E2 E3; do "$CTL" notifications contact $e --json; done | $PY -c '
import json, sys
dec = json.JSONDecoder(); s = sys.stdin.read(); i = 0; out = {}
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    o, i = dec.raw_decode(s, i); out[o["employee_id"]] = o
json.dump(out, open(sys.argv[1], "w"))' "$IT_DIR/contacts.json" || fail "contacts"
out=$("$CTL" notifications digest --manager M2 on --json) || fail "digest on: $out"
grep -q '"digest": true' <<<"$out" || fail "digest not set: $out"
"$CTL" notifications digest --manager NOBODY on >/dev/null 2>&1 && fail "digest for an unknown manager"

# the pinned clock walks day by day; E2's end-of-trial interview is
# scheduled on 5 March for the 20th, and held that day
iv=""
day=2026-03-03
while [[ "$day" < 2026-04-21 ]]; do
  "$CTL" clock set "${day}T09:00" >/dev/null || fail "clock set $day"
  quiet
  if [ "$day" = 2026-03-05 ]; then
    iv=$("$CTL" --as admin:ops --json interview list --employee E2 | $PY -c '
import json, sys
print([i["id"] for i in json.load(sys.stdin)["interviews"] if i["type"] == "end_of_trial"][0])') || fail "no interview for E2"
    "$CTL" --as manager:M1 interview schedule "$iv" --at 2026-03-20T10:00 --duration 45 --place "Salle 3" >/dev/null ||
      fail "schedule $iv"
    quiet
  fi
  if [ "$day" = 2026-03-20 ]; then
    "$CTL" --as manager:M1 interview hold "$iv" >/dev/null || fail "hold $iv"
    quiet
  fi
  day=$(date -d "$day + 1 day" +%F)
done
quiet
echo "$iv" >"$IT_DIR/iv"

$PY - "$IT_DIR" "$HERE/notifier" <<'EOF' || fail "the messages owed are not the messages received (above)"
import base64, collections, datetime as dt, json, sys
import icalendar
d, lib = sys.argv[1], sys.argv[2]
sys.path.insert(0, lib)
import oracle, webhook_verify
contacts = json.load(open(d + "/contacts.json"))
obligations = json.load(open(d + "/obligations.json"))
iv = open(d + "/iv").read().strip()
start, end = dt.date(2026, 3, 2), dt.date(2026, 4, 20)
expected = {}
for ob in obligations:
    if not ob["actionable"] or ob["status"] not in ("upcoming", "overdue"):
        continue
    r = oracle.reminders(ob, start, end, contacts)
    if ob["employee_id"] == "E2" and ob["type"] == "end_of_trial":
        # scheduled on 5 March for a date before its due date: its reminders
        # from then on are replaced by the invitation; held on the 20th
        r = {k: v for k, v in r.items() if v[0] < dt.date(2026, 3, 5)}
    expected.update(r)
# a manager on digest gets one message a day instead of his reminders
digests = collections.defaultdict(list)
for k, (day, who, kind) in list(expected.items()):
    if who == "M2" and kind in ("reminder", "overdue", "escalation"):
        digests[day].append(k)
        del expected[k]
for day in digests:
    expected["digest|M2|%s" % day.isoformat()] = (day, "M2", "digest")
# catch-ups (the backlog found at installation) travel in one digest per
# recipient and day, whatever the recipient's digest choice
catchups = collections.defaultdict(list)
for k, (day, who, kind) in list(expected.items()):
    if kind == "catchup":
        del expected[k]
        catchups["catchup|%s|%s" % (who, day.isoformat())].append(k)
        expected["catchup|%s|%s" % (who, day.isoformat())] = (day, who, "catchup")
penalty = {ob["obligation_id"]: ob.get("penalty_eur", 0) for ob in obligations}
mails = [json.loads(l) for l in open(d + "/mail.jsonl")]
hooks = [json.loads(l) for l in open(d + "/hooks.jsonl")]
got = collections.Counter(m["notification"] for m in mails)
inv = {k for k in got if k.startswith("i:%s|" % iv)}
start_ms = int(dt.datetime(2026, 3, 20, 10, 0).timestamp() * 1000)  # TZ=Europe/Paris
want_inv = {"i:%s|invite@%d|%s" % (iv, start_ms, w) for w in ("E2", "M1")}
want_inv |= {"i:%s|sign#0|E2" % iv, "i:%s|sign#0|M1" % iv}
errors = []
if len(inv) != 4 or inv != want_inv:
    errors.append("interview notices: got %s, want %s" % (sorted(inv), sorted(want_inv)))
exp_ids = set(expected) | want_inv
for k in sorted(exp_ids - set(got)):
    errors.append("missing: %s %s" % (k, expected.get(k, "")))
for k in sorted(set(got) - exp_ids):
    errors.append("unexpected: %s" % k)
for k, n in got.items():
    if n != 1:
        errors.append("%s arrived %d times" % (k, n))
email = {c: contacts[c]["email"] for c in contacts}
email["hr"] = "rh@acme.test"
lang = {c: contacts[c]["locale"] for c in contacts}
lang["hr"] = "fr"
for m in mails:
    k = m["notification"]
    who = expected[k][1] if k in expected else k.rsplit("|", 1)[1]
    if m["rcpt"][0] != email[who]:
        errors.append("%s went to %s, not %s" % (k, m["rcpt"], email[who]))
    if m["lang"] != lang[who]:
        errors.append("%s in %s, not %s" % (k, m["lang"], lang[who]))
    if m["message_id"] != "<n.%s@acme.test>" % oracle.key(k):
        errors.append("%s has Message-ID %s" % (k, m["message_id"]))
    if m["mail_from"] != "rh-noreply@acme.test":
        errors.append("%s from %s" % (k, m["mail_from"]))
    first = m["text"].split("\n")[0]
    if not first.startswith("Bonjour" if lang[who] == "fr" else "Hello"):
        errors.append("%s starts %r" % (k, first))
    if ("Prochaine étape" if lang[who] == "fr" else "Next step") not in m["text"]:
        errors.append("%s does not say what to do next" % k)
    kind = m["kind"]
    if kind == "escalation":
        if m["rcpt"] != [email[who], "rh@acme.test"] or "rh@acme.test" not in m["cc"]:
            errors.append("escalation %s: rcpt %s cc %s" % (k, m["rcpt"], m["cc"]))
    if kind == "invitation":
        cal = icalendar.Calendar.from_ical(m["ics"])
        ev = [c for c in cal.walk("VEVENT")][0]
        if str(cal["METHOD"]) != "REQUEST" or str(ev["UID"]) != iv + "@entretiens":
            errors.append("invitation %s: method %s uid %s" % (k, cal["METHOD"], ev["UID"]))
        if ev["DTSTART"].dt.astimezone(dt.timezone.utc) != dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.timezone.utc):
            errors.append("invitation %s starts %s" % (k, ev["DTSTART"].dt))
        att = sorted(str(a).lower() for a in ev.get("ATTENDEE"))
        if att != ["mailto:e2@acme.test", "mailto:m1@acme.test"]:
            errors.append("invitation %s attendees %s" % (k, att))
    if kind == "digest" and k.startswith("catchup|"):
        # the backlog: one line per overdue obligation, with its exposure
        items = [l for l in m["text"].split("\n") if l.startswith("- ")]
        if len(items) != len(catchups[k]):
            errors.append("catch-up %s lists %d items, not %d" % (k, len(items), len(catchups[k])))
        if not m["subject"].startswith("Rattrapage" if lang[who] == "fr" else "Catch-up"):
            errors.append("catch-up %s has subject %r" % (k, m["subject"]))
        owed = sum(penalty[i.split("|")[0][2:]] for i in catchups[k])
        if owed and "Exposition si rien n'est fait" not in m["text"]:
            errors.append("catch-up %s does not state the exposure (%d)" % (k, owed))
    elif kind == "digest":
        items = [l for l in m["text"].split("\n") if l.startswith("- ")]
        day = dt.date.fromisoformat(k.split("|")[2])
        if len(items) != len(digests[day]):
            errors.append("digest %s lists %d items, not %d" % (k, len(items), len(digests[day])))
# the webhook received the same notifications, signed, keyed by Message-ID
hk = collections.Counter(h["id"] for h in hooks)
if set(hk) != set(got):
    errors.append("webhook and e-mail differ: %s" % sorted(set(hk) ^ set(got)))
old_key = webhook_verify.signing_key("s3cret")
for h in hooks:
    if not h["signature_ok"]:
        errors.append("webhook %s refused by the receiver: %s" % (h["id"], h["reject"]))
    if not h["legacy_signature_ok"]:
        errors.append("the deprecated X-Entretiens-Signature of %s does not verify" % h["id"])
    if h["idempotency_key"] != oracle.key(h["id"]) or h["message_id"] != h["idempotency_key"]:
        errors.append("idempotency key of %s: %s" % (h["id"], h["idempotency_key"]))
    # webhook-id: the message key, so every attempt of a message has the same
    if h["webhook_id"] != h["idempotency_key"]:
        errors.append("webhook-id of %s: %s" % (h["id"], h["webhook_id"]))
    if h["webhook_timestamp"] is None or abs(h["webhook_timestamp"] - h["t"]) > 5:
        errors.append("webhook-timestamp of %s is not the attempt's time: %s vs %s" % (h["id"], h["webhook_timestamp"], h["t"]))
    # during a rotation both secrets sign: a receiver still holding the old
    # one accepts the call too
    req = h["request"]
    if h["n_signatures"] != 2 or webhook_verify.verify(old_key, req["headers"], base64.b64decode(req["body"]),
                                                        now=h["webhook_timestamp"]) is not None:
        errors.append("%s: %d signatures, none under the previous secret" % (h["id"], h["n_signatures"]))
    if h["status"] != 200 or not h["content_type"].startswith("application/json"):
        errors.append("hook %s: %s %s" % (h["id"], h["status"], h["content_type"]))
kinds = collections.Counter(m["kind"] for m in mails)
# "please sign" links to the interview's page under ENTRETIENS_PUBLIC_URL
# (its default here)
for m in mails:
    if m["kind"] == "sign_request" and "http://127.0.0.1:7500/interviews/" not in m["text"]:
        errors.append("a sign request without the link to the interview: %s" % m["text"][:300])
for k in ("reminder", "overdue", "escalation", "invitation", "sign_request", "digest"):
    if not kinds[k]:
        errors.append("no %s at all: the scenario lost its point" % k)
if not catchups:
    errors.append("no catch-up at all: the backlog at installation is not chased")
for e in errors[:40]:
    print(e, file=sys.stderr)
print("%d messages: %s" % (len(mails), dict(kinds)), file=sys.stderr)
sys.exit(1 if errors else 0)
EOF

# a captured call replayed later is refused: as captured (stale), and with a
# timestamp the attacker refreshed (the signature no longer matches); the
# receiver docs/notifier.md shows judges the same
$PY - "$IT_DIR" "$HERE/notifier" "$replay_port" "$hook_secret" "$HERE/../../docs/notifier.md" <<'EOF' || fail "replay"
import base64, json, os, re, sys, time, urllib.error, urllib.request
d, lib, port, secret, doc = sys.argv[1:6]
sys.path.insert(0, lib)
import webhook_verify
h = json.loads(open(d + "/hooks.jsonl").readline())
headers, body = h["request"]["headers"], base64.b64decode(h["request"]["body"])
ts = int(headers["webhook-timestamp"])

def post(hd):
    r = urllib.request.Request("http://127.0.0.1:%s/hook" % port, data=body, headers=hd, method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code

assert post(headers) == 401, "a replay six minutes later was accepted"
forged = dict(headers, **{"webhook-timestamp": str(int(time.time()) + 360)})
assert post(forged) == 401, "a replay with a refreshed timestamp was accepted"
rejects = [json.loads(l)["reject"] for l in open(d + "/replay.jsonl")]
assert rejects == ["stale timestamp", "bad signature"], rejects
# the capture was good in its time: what refuses it is its age
key = webhook_verify.signing_key(secret)
assert webhook_verify.verify(key, headers, body, now=ts + 299) is None
assert webhook_verify.verify(key, headers, body, now=ts + 301) == "stale timestamp"
code = re.search(r"```python\n(.*?)```", open(doc, encoding="utf-8").read(), re.S).group(1)
os.environ["ENTRETIENS_WEBHOOK_SECRET"] = secret
ns = {"__name__": "docs_receiver"}
exec(compile(code, "docs/notifier.md", "exec"), ns)
assert ns["verify"](ns["KEY"], headers, body, now=ts) is None, "the docs' receiver refuses a good call"
assert ns["verify"](ns["KEY"], headers, body, now=ts + 301) is not None, "the docs' receiver takes a stale call"
assert ns["verify"](ns["KEY"], forged, body, now=ts + 360) is not None, "the docs' receiver takes a forged timestamp"
assert ns["verify"](ns["KEY"], headers, body + b" ", now=ts) is not None, "the docs' receiver takes another body"
print("replays refused: stale, forged timestamp", file=sys.stderr)
EOF

# what an operator sees
out=$("$CTL" notifications preview --interview "$(cat "$IT_DIR/iv")" --json) || fail "preview"
[ "$(echo "$out" | grep -c '"notification_id"')" -ge 4 ] || fail "preview: $out"
grep -q 'Salle 3' <<<"$out" || fail "preview lacks the place"
"$CTL" notifications preview --interview NOPE >/dev/null 2>&1; [ $? -eq 1 ] || fail "preview of an unknown interview must exit 1"
"$CTL" notifications preview >/dev/null 2>&1; [ $? -eq 2 ] || fail "preview without an id must exit 2"
out=$("$CTL" notifications list --employee E1 --json) || fail "list --employee"
echo "$out" | $PY -c '
import json, sys
d = json.load(sys.stdin)
st = {n["id"]: n["status"] for n in d["notifications"]}
assert st["o:E1/end_of_trial/2026-02-16|d-7@2026-04-01|E1"] == "sent", st
assert any(s == "pending" for s in st.values()), "the professional interview of 2027 is planned"
' || fail "list --employee E1: $out"
id="o:E1/end_of_trial/2026-02-16|d+7@2026-04-01|escalation"
out=$("$CTL" notifications show "$id") || fail "show"
grep -q 'Cc: <rh@acme.test>' <<<"$out" || fail "show: $out"
out=$("$CTL" notifications list --status dead --json) || fail "list dead"
grep -q '"notifications": \[\]' <<<"$out" || fail "dead letters: $out"
"$CTL" --as employee:E1 notifications list --recipient M1 >/dev/null 2>&1 && fail "an employee listed someone else's"
out=$("$CTL" --as employee:E1 notifications list --json) || fail "own list"
echo "$out" | grep '"recipient_id"' | grep -v '"E1"' && fail "an employee sees others' notifications"
metrics=$(curl -sf "http://127.0.0.1:$(http_port notifier)/metrics") || fail "metrics"
grep -qE '^entretiens_notifier_deliveries_total\{channel="smtp",outcome="sent"\} [1-9]' <<<"$metrics" || fail "no delivery counter"
grep -qE '^entretiens_notifier_dead_letters 0$' <<<"$metrics" || fail "dead letters gauge"
echo "$metrics" | promtool check metrics >/dev/null 2>&1 || fail "metrics do not lint"
# a clean stop: sends finish, outcomes recorded, nothing leaks (ASan pass)
kill -TERM "$PID_notifier"; wait "$PID_notifier"; rc=$?
[ $rc -eq 0 ] || fail "notifier exited with $rc after SIGTERM"
grep -q 'stopped cleanly' "$IT_DIR/notifier.log" || fail "notifier did not stop cleanly"
# a whsec_ secret that is not one stops it at start, naming the variable,
# never the value
ENTRETIENS_WEBHOOK_SECRET=whsec_c2VjcmV0LXZhbHVl timeout 20 "$BIN/entretiens-notifier" >"$IT_DIR/badsecret.out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "a bad whsec_ secret must stop the notifier with status 2 (configuration), got $rc"
grep -q 'ENTRETIENS_WEBHOOK_SECRET' "$IT_DIR/badsecret.out" || fail "the error does not name the variable"
grep -q 'c2VjcmV0LXZhbHVl' "$IT_DIR/badsecret.out" && fail "the error shows the secret"
echo "notifier: the messages owed arrived once each, right recipients and languages, signed webhooks; replays refused"
