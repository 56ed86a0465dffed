# "Remind the late ones" of a campaign (notifier.campaign.remind through
# POST /api/v1/campaigns/{id}/remind) with the real daemons, the gateway and
# a real SMTP server (aiosmtpd): the people whose interview is still to hold
# and their interviewer get a reminder now — the one whose interview is
# signed does not —, each message arrives at the right address with the
# notification id the answer gives; a second click the same day sends
# nothing (counted as already sent); the next day it sends again; who asked
# and how many is logged; a manager's and an employee's calls are refused
# (403), HR granted another entity reminds nobody, an unknown campaign
# reminds nobody.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export TZ=Europe/Paris
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-09-01T10:00
smtp_port=$(free_port)
start_bg smtp $PY "$HERE/notifier/smtp_sink.py" --port "$smtp_port" --out "$IT_DIR/mail.jsonl"
for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$smtp_port) 2>/dev/null && break; sleep 0.1; done
export ENTRETIENS_SMTP_URL=smtp://127.0.0.1:$smtp_port ENTRETIENS_SMTP_FROM="RH Acme <rh-noreply@acme.test>"
export ENTRETIENS_HR_EMAIL=rh@acme.test ENTRETIENS_NOTIFIER_TICK_MS=50
start_daemons scheduler records notifier gateway
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","email":"m1@acme.test","locale":"fr","category":"cadre","first_name":"Marc","last_name":"Dupont"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","manager_id":"M1","email":"e1@acme.test","locale":"fr","first_name":"Élodie","last_name":"Lefèvre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2021-03-01","entity":"ACME-FR","department":"sales","manager_id":"M1","email":"e2@acme.test","locale":"en","first_name":"John","last_name":"Smith"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"E3","effective_date":"2022-01-10","entity":"ACME-FR","department":"support","manager_id":"M1","email":"e3@acme.test","locale":"fr","first_name":"Hugo","last_name":"Bernard"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
"$CTL" campaign create --id rev-2026 --title "Revues 2026" --from 2026-09-01 --to 2026-12-31 --department sales >/dev/null ||
  fail "campaign create"
wait_for 30 3 sh -c "\"$CTL\" --as admin:root --json interview list --type annual_review --limit 100 | jq '.interviews | length'" ||
  fail "records did not create the campaign's three interviews"
# E1's interview signed: she is not late
close_interviews annual_review 1 '{highlights: "my year", engagement: 4, workload: 3}' "$IT_ANSWERS/annual_review-manager.json" \
  2026-09-01T11:00
read -r _ DONE _ <"$IT_DIR/closed.txt"

PW='correct horse battery'
"$CTL" --as admin:root access grant hr:all --entity '*' >/dev/null || fail "grant *"
"$CTL" --as admin:root access grant hr:lab --entity ACME-LAB >/dev/null || fail "grant ACME-LAB"
for u in "hera hr:all" "lab hr:lab" "marc manager:M1" "emma employee:E2"; do
  set -- $u
  echo "$PW" | "$CTL" user add "$1" --principal "$2" >/dev/null || fail "user add $1"
done
login() { # login jar -> csrf
  [ "$(curl -s -o "$IT_DIR/login" -w '%{http_code}' -c "$2" -H 'Content-Type: application/json' \
        -d "{\"login\":\"$1\",\"password\":\"$PW\"}" "$GW_API/auth/login")" = 200 ] || fail "login $1"
  jq -r .csrf_token "$IT_DIR/login"
}
remind() { # jar csrf campaign -> status; body in $IT_DIR/body
  curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$1" -H 'Content-Type: application/json' -H "X-CSRF-Token: $2" -d '{}' \
    "$GW_API/campaigns/$3/remind"
}
same() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }
HT=$(login hera "$IT_DIR/hera"); LT=$(login lab "$IT_DIR/lab"); MT=$(login marc "$IT_DIR/marc"); ET=$(login emma "$IT_DIR/emma")
# the notifier knows the interviews' states once it has read records' events
wait_for 30 0 sh -c "\"$CTL\" health --json | jq '[.[] | .consumers[]? | select(.cursor < .producer_head)] | length'" ||
  fail "the daemons did not catch up"

same "a manager reminds" 403 "$(remind "$IT_DIR/marc" "$MT" rev-2026)"
same "an employee reminds" 403 "$(remind "$IT_DIR/emma" "$ET" rev-2026)"
same "HR of another entity" 200 "$(remind "$IT_DIR/lab" "$LT" rev-2026)"
jq -e '(.late // 0) == 0 and (.sent // 0) == 0' "$IT_DIR/body" >/dev/null || fail "HR of ACME-LAB reminded someone: $(cat "$IT_DIR/body")"
same "an unknown campaign" 200 "$(remind "$IT_DIR/hera" "$HT" nope)"
jq -e '(.sent // 0) == 0' "$IT_DIR/body" >/dev/null || fail "an unknown campaign reminded someone: $(cat "$IT_DIR/body")"
: >"$IT_DIR/mail.jsonl"

# the late ones: E2 (and her interviewer M1) and M1 himself, in sales too
# (no interviewer: he alone); E1's interview is signed; E3 is not in the
# campaign (support)
same "HR reminds" 200 "$(remind "$IT_DIR/hera" "$HT" rev-2026)"
cp "$IT_DIR/body" "$IT_DIR/first.json"
jq -e '.late == 2 and .sent == 3 and (.already // 0) == 0 and .asked_by == "hr:all" and .on == "2026-09-01"
       and (.notification_ids | length) == 3' "$IT_DIR/first.json" >/dev/null || fail "the reminder's answer: $(cat "$IT_DIR/first.json")"
jq -e --arg done "$DONE" '[.notification_ids[] | select(contains($done))] == []' "$IT_DIR/first.json" >/dev/null ||
  fail "the signed interview's employee was reminded: $(cat "$IT_DIR/first.json")"
# each one arrives at the SMTP server, to the right person
for id in $(jq -r '.notification_ids[]' "$IT_DIR/first.json"); do
  wait_for 20 1 sh -c "jq -c --arg id '$id' 'select(.notification == \$id)' '$IT_DIR/mail.jsonl' | wc -l" ||
    fail "no mail for $id: $(cat "$IT_DIR/mail.jsonl")"
done
rcpts=$(jq -r '.rcpt[]' "$IT_DIR/mail.jsonl" | sort | tr '\n' ' ')
same "the recipients" "e2@acme.test m1@acme.test m1@acme.test " "$rcpts"
jq -e -s 'map(select(.rcpt == ["e2@acme.test"])) | length == 1 and .[0].kind == "reminder" and .[0].lang == "en"' "$IT_DIR/mail.jsonl" >/dev/null ||
  fail "E2's reminder: $(cat "$IT_DIR/mail.jsonl")"
grep -q 'campaign.reminded.*rev-2026: 3 reminders sent for 2 late.*asked by hr:all' "$IT_DIR/notifier.log" ||
  fail "the reminder is not in the notifier's log"

# a double click: nothing more the same day
same "HR reminds again" 200 "$(remind "$IT_DIR/hera" "$HT" rev-2026)"
jq -e '.late == 2 and (.sent // 0) == 0 and .already == 3' "$IT_DIR/body" >/dev/null || fail "the second click: $(cat "$IT_DIR/body")"
sleep 1
same "no mail after the second click" 3 "$(wc -l <"$IT_DIR/mail.jsonl")"
# the next day, once more
"$CTL" clock set 2026-09-02T10:00 --only notifier >/dev/null || fail "clock set"
same "HR reminds the next day" 200 "$(remind "$IT_DIR/hera" "$HT" rev-2026)"
jq -e '.sent == 3 and .on == "2026-09-02"' "$IT_DIR/body" >/dev/null || fail "the next day: $(cat "$IT_DIR/body")"
# the operator's CLI: the same day, nothing more; a manager is refused
"$CTL" --json campaign remind rev-2026 >"$IT_DIR/cli.json" || fail "campaign remind (CLI)"
jq -e '(.sent // 0) == 0 and .already == 3 and .late == 2 and .asked_by == "admin:operator"' "$IT_DIR/cli.json" >/dev/null ||
  fail "campaign remind (CLI): $(cat "$IT_DIR/cli.json")"
"$CTL" --as manager:M1 campaign remind rev-2026 >/dev/null 2>"$IT_DIR/err" && fail "a manager reminded through the CLI"
grep -q PERMISSION_DENIED "$IT_DIR/err" || fail "the manager's refusal: $(cat "$IT_DIR/err")"
kill -TERM "${IT_PIDS[@]}" 2>/dev/null
for p in "${IT_PIDS[@]}"; do wait "$p" 2>/dev/null; done
grep -q 'notifier stopped cleanly' "$IT_DIR/notifier.log" || fail "the notifier did not stop cleanly"
echo "campaign reminders: the late ones and their interviewer by real SMTP, once a day, logged; refusals"
