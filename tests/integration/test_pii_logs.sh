# Personal data stays out of the logs.  HRIS events carry e-mail addresses,
# names and free text; some are rejected (an address without '@', a name
# that is not printable text, an unknown region), others go through the
# scheduler into records and the notifier, and an interview gets a place,
# private notes and a refused answer.  The caller is told which event was
# rejected, on which field and why — yet a marker string put in every one
# of those values appears in no daemon's log, at debug level, while it does
# reach the stores and the messages it was meant for.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
export TZ=Europe/Paris
it_endpoints scheduler records notifier analytics
export ENTRETIENS_NOW=2026-03-02T09:00 ENTRETIENS_LOG_LEVEL=debug ENTRETIENS_NOTIFIER_TICK_MS=50
# no SMTP nor webhook: the notifier writes its messages to the file outbox
for d in scheduler records notifier analytics; do start_bg $d "$BIN/entretiens-$d"; eval "PID_$d=$LAST_PID"; done
for d in scheduler records notifier analytics; do wait_ready $d; done

# in no code, template or id: a log holding it holds personal data
M=PiiMark7f3a
cat >"$IT_DIR/events.jsonl" <<EOF
{"event_id":"p-mail","source":"hris","type":"hired","employee_id":"P1","effective_date":"2026-02-16","entity":"acme","region":"metropole","email":"$M.jane.doe.acme.test","locale":"fr","birth_date":"1990-01-10","category":"cadre","contract":"permanent","first_name":"Jane","last_name":"Doe"}
{"event_id":"p-name","source":"hris","type":"hired","employee_id":"P2","effective_date":"2026-02-16","entity":"acme","region":"metropole","email":"p2@acme.test","locale":"fr","birth_date":"1990-01-10","category":"cadre","contract":"permanent","first_name":"$M\u0007Jane","last_name":"Doe"}
{"event_id":"p-region","source":"hris","type":"hired","employee_id":"P3","effective_date":"2026-02-16","entity":"acme","region":"$M-region","email":"p3@acme.test","locale":"fr","birth_date":"1990-01-10","category":"cadre","contract":"permanent","first_name":"Jane","last_name":"Doe"}
{"event_id":"p-mgr","source":"hris","type":"hired","employee_id":"PM","effective_date":"2020-01-06","entity":"acme","region":"metropole","email":"$M.manager@acme.test","locale":"fr","birth_date":"1975-01-10","category":"cadre","contract":"permanent","first_name":"${M}Marc","last_name":"${M}Manager","position":"$M head of sales"}
{"event_id":"p-ok","source":"hris","type":"hired","employee_id":"P4","effective_date":"2026-02-16","entity":"acme","region":"metropole","manager_id":"PM","email":"$M.paul@acme.test","locale":"fr","birth_date":"1990-01-10","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"${M}Paul","last_name":"${M}Petit","position":"$M sales assistant"}
EOF
"$CTL" ingest "$IT_DIR/events.jsonl" --json >"$IT_DIR/ingest.json"; rc=$?
[ $rc -eq 1 ] || fail "ingest with rejections exited $rc, not 1: $(cat "$IT_DIR/ingest.json")"
# the caller learns which event, which field and why
$PY - "$IT_DIR/ingest.json" <<'EOF' || fail "rejections as reported to the caller: $(cat "$IT_DIR/ingest.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["accepted"], d["rejected"]) == (2, 3), d
got = {r["event_id"]: (r["field"], r["reason"]) for r in d["rejections"]}
assert set(got) == {"p-mail", "p-name", "p-region"}, got
assert got["p-mail"][0] == "email" and "not an e-mail address" in got["p-mail"][1], got
assert got["p-name"][0] == "first_name" and "printable" in got["p-name"][1], got
# a code the caller sent may be quoted back to them, to correct it
assert got["p-region"][0] == "region" and "unknown region" in got["p-region"][1], got
EOF
"$CTL" deadletters --json >"$IT_DIR/deadletters.json" || fail "deadletters"
[ "$(grep -c '"field"' "$IT_DIR/deadletters.json")" -eq 3 ] || fail "dead letters: $(cat "$IT_DIR/deadletters.json")"

# P4's end-of-trial interview: scheduled with a place, private notes, and an
# answer records refuses (an unknown question)
for _ in $(seq 1 100); do
  iv=$("$CTL" --as admin:ops --json interview list --employee P4 2>/dev/null | $PY -c '
import json, sys
print(next((i["id"] for i in json.load(sys.stdin)["interviews"] if i["type"] == "end_of_trial"), ""))')
  [ -n "$iv" ] && break
  sleep 0.1
done
[ -n "$iv" ] || fail "no end-of-trial interview for P4"
"$CTL" --as manager:PM interview schedule "$iv" --at 2026-03-20T10:00 --place "$M meeting room" >/dev/null ||
  fail "schedule $iv"
echo '{}' | "$CTL" --as manager:PM interview answer "$iv" --file - --notes "$M private notes about Paul" >/dev/null ||
  fail "notes on $iv"
echo "{\"$M-question\": \"$M free text\"}" |
  "$CTL" --as manager:PM interview answer "$iv" --file - >"$IT_DIR/answer.out" 2>&1 && fail "an unknown question was taken"

# the notifier's reminders and invitation carry the names, addresses and
# place to their recipients: the data went through every daemon
outbox=$ENTRETIENS_DATA_DIR/notifier/outbox
in_outbox() { # text -> "yes" once a message in the outbox says it (decoded)
  $PY - "$outbox" "$1" <<'EOF'
import email, email.policy, pathlib, sys
for f in pathlib.Path(sys.argv[1]).glob("*.eml"):
    m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
    text = str(m["To"]) + "".join(p.get_content() for p in m.walk() if p.get_content_maintype() == "text")
    if sys.argv[2].lower() in text.lower():
        print("yes")
        break
EOF
}
wait_for 30 yes in_outbox "$M.paul@acme.test" || fail "no message to P4 in the outbox"
wait_for 30 yes in_outbox "${M}Paul" || fail "no message names P4"
wait_for 30 yes in_outbox "$M meeting room" || fail "no invitation with the place in the outbox"
grep -rqis "$M" "$ENTRETIENS_DATA_DIR/records" || fail "records did not store the free text"

# stopped cleanly (their last lines logged), and then the logs are read
for d in analytics notifier records scheduler; do
  pid_var=PID_$d
  kill -TERM "${!pid_var}"; wait "${!pid_var}"
done
ls "$IT_DIR"/*.log >/dev/null || fail "no daemon logs"
for f in "$IT_DIR"/*.log; do
  if grep -i "$M" "$f" >&2; then fail "personal data in $(basename "$f") (above)"; fi
done
# the rejections are logged, by field and reason, with the event id
grep '"ingest.rejected"' "$IT_DIR/scheduler.log" | grep -q 'event p-mail from hris rejected: email: not an e-mail address' ||
  fail "the rejection is not logged by field: $(grep ingest.rejected "$IT_DIR/scheduler.log")"
grep '"ingest.rejected"' "$IT_DIR/scheduler.log" | grep -q 'event p-region from hris rejected: region: unknown region"' ||
  fail "the region's rejection: $(grep ingest.rejected "$IT_DIR/scheduler.log")"
echo "personal data: rejections answered by field and reason; no e-mail address, name or free text in any log"
