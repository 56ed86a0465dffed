# Trust, tried as an attacker would, through the four real daemons with
# CurveZMQ on: a client without a key, with an unknown key, with an HRIS
# key bound to service:hris (allowed scheduler.ingest only) and with a
# manager's own key try what the security review found possible; each try
# is refused and nothing changes (the stores' answers are identical before
# and after).  Then what must work: the operator acting as an employee sees
# exactly hers, a line manager sees that a return interview is due but not
# why, two keys for one principal during a rotation, a key revoked by
# SIGHUP, refusals counted in /metrics and logged by fingerprint, secret
# keys never in a log.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics
export ENTRETIENS_NOW=2026-03-02 ENTRETIENS_RPC_TIMEOUT_MS=3000
K=$ENTRETIENS_KEYS_DIR
"$CTL" keys add "$K" hris --principal service:hris --allow scheduler.ingest >/dev/null || fail "keys add hris"
"$CTL" keys add "$K" reporting --principal service:reporting >/dev/null || fail "keys add reporting"
"$CTL" keys add "$K" m1 --principal manager:M1 >/dev/null || fail "keys add m1"
"$CTL" keys add "$IT_DIR/elsewhere" intruder --principal admin:root --assert >/dev/null || fail "keys add intruder"
stat -c %a "$K/hris.secret" | grep -qx 600 || fail "a secret key must be created 0600"
"$CTL" --json keys list "$K" | jq -e '[.[] | .name] == ["analytics","consumer","gateway","hris","m1","notifier","operator","producer","records","reporting","scheduler"]' >/dev/null ||
  fail "keys list: $("$CTL" --json keys list "$K")"

for d in scheduler records notifier analytics; do start_bg $d "$BIN/entretiens-$d"; done
SCHED=${IT_PIDS[0]}
for d in scheduler records notifier analytics; do wait_ready $d; done
curl -s "http://127.0.0.1:$(http_port scheduler)/readyz" | grep -q INSECURE && fail "a daemon with keys says it is insecure"

cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"D1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1970-01-01","category":"cadre"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"D1","locale":"fr","birth_date":"1980-05-01","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1985-02-01","category":"cadre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2021-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"en","birth_date":"1990-02-01","category":"cadre"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"X1","effective_date":"2022-01-10","entity":"ACME-LAB","department":"rd","region":"metropole","locale":"fr","birth_date":"1990-02-01","category":"cadre"}
{"event_id":"l1","source":"hris","type":"leave_started","employee_id":"E1","effective_date":"2025-10-01","leave_kind":"sick"}
{"event_id":"l2","source":"hris","type":"leave_ended","employee_id":"E1","effective_date":"2026-02-16","leave_kind":"sick"}
JSON
# the HRIS key does its job: ingest
ENTRETIENS_CLIENT_KEY=hris "$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "the HRIS key ingests"
"$CTL" --as admin:root access grant hr:alice --entity ACME-FR >/dev/null || fail "grant alice"
IV=""
for i in $(seq 1 100); do
  IV=$("$CTL" --as employee:E1 --json interview list 2>/dev/null | jq -r '.interviews[0].id // empty')
  [ -n "$IV" ] && break; sleep 0.1
done
[ -n "$IV" ] || fail "no interview for E1"

snapshot() { # what an attacker would want to change, as the operator sees it
  "$CTL" --json due --from 2000-01-01 --to 2100-01-01 --all
  "$CTL" --as admin:root --json access list
  "$CTL" --as admin:root --json interview show "$IV"
  "$CTL" --json policy show
  "$CTL" --json employee show E1
  "$CTL" --as admin:root --json audit verify
}
for i in $(seq 1 50); do # let the grant reach every daemon
  "$CTL" --as hr:alice stats completion --entity ACME-FR >/dev/null 2>&1 && break; sleep 0.1
done
snapshot >"$IT_DIR/before.json" 2>"$IT_DIR/snap.err" || fail "snapshot: $(cat "$IT_DIR/snap.err")"

refused() { # code what cmd... : the command fails with that code
  local code=$1 what=$2; shift 2
  if "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"; then fail "$what: accepted ($(head -c 300 "$IT_DIR/out"))"; fi
  grep -q "$code" "$IT_DIR/err" || fail "$what: expected $code, got: $(head -c 400 "$IT_DIR/err")"
}
refused_health() { # the health table says DOWN for every daemon
  if "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"; then fail "health without a key: answered"; fi
  [ "$(grep -c 'DOWN *no answer in time' "$IT_DIR/out")" = 4 ] || fail "health without a key: $(cat "$IT_DIR/out")"
}
HRIS=(env ENTRETIENS_CLIENT_KEY=hris "$CTL")
cat >"$IT_DIR/policy.json" <<'JSON'
{"entities": [{"id": "ACME-FR", "headcount": 10}], "options": {}}
JSON
echo '{"event_id":"evil1","source":"hris","type":"left","employee_id":"E1","effective_date":"2026-03-01"}' >"$IT_DIR/left.jsonl"
mkdir -p "$IT_DIR/loot"

# 1. no key at all: the CURVE servers do not even answer
refused_health env ENTRETIENS_INSECURE=1 ENTRETIENS_RPC_TIMEOUT_MS=1000 "$CTL" health
refused DEADLINE_EXCEEDED "no key: access grant" env ENTRETIENS_INSECURE=1 ENTRETIENS_RPC_TIMEOUT_MS=1000 \
  "$CTL" --as admin:nobody access grant hr:mallory --entity '*' --content
# 2. a key the daemons do not know: refused at the handshake
INTRUDER=(env "ENTRETIENS_CLIENT_KEY=$IT_DIR/elsewhere/intruder.secret" "$CTL")
refused UNAUTHENTICATED "unknown key: access grant" "${INTRUDER[@]}" --as admin:nobody access grant hr:mallory --entity '*' --content
refused UNAUTHENTICATED "unknown key: interview show" "${INTRUDER[@]}" --as admin:root interview show "$IV"
refused UNAUTHENTICATED "unknown key: ingest" "${INTRUDER[@]}" ingest "$IT_DIR/left.jsonl"
# 3. the HRIS key beyond its job
refused PERMISSION_DENIED "hris --as admin:x access grant" "${HRIS[@]}" --as admin:x access grant hr:mallory --entity '*' --content
refused PERMISSION_DENIED "hris interview show" "${HRIS[@]}" interview show "$IV"
refused PERMISSION_DENIED "hris --as employee:E1 interview show" "${HRIS[@]}" --as employee:E1 interview show "$IV"
refused PERMISSION_DENIED "hris --as employee:E1 sign" "${HRIS[@]}" --as employee:E1 interview sign "$IV"
refused PERMISSION_DENIED "hris stats signals" "${HRIS[@]}" --as hr:alice stats signals
refused PERMISSION_DENIED "hris stats signals (own principal)" "${HRIS[@]}" stats signals
refused PERMISSION_DENIED "hris policy apply" "${HRIS[@]}" policy apply "$IT_DIR/policy.json"
refused PERMISSION_DENIED "hris backup" "${HRIS[@]}" backup records "$IT_DIR/loot"
refused PERMISSION_DENIED "hris notifications" "${HRIS[@]}" notifications list
refused PERMISSION_DENIED "hris deadletters" "${HRIS[@]}" deadletters
[ -z "$(ls -A "$IT_DIR/loot")" ] || fail "a refused backup wrote files"
out=$(ENTRETIENS_CLIENT_KEY=hris "$PEER" replay records) || fail "peer replay: $out"
[ "${out%% *}" = PERMISSION_DENIED ] || fail "hris replays records' events: $out"
out=$(ENTRETIENS_CLIENT_KEY=operator "$PEER" replay scheduler)
[ "${out%% *}" = PERMISSION_DENIED ] || fail "the operator replays the scheduler's events: $out"
out=$(ENTRETIENS_CLIENT_KEY=hris "$PEER" sub records 2)
[ "$out" = "frames 0" ] || fail "hris subscribed to records' events: $out"
out=$(ENTRETIENS_CLIENT_KEY=operator "$PEER" sub scheduler 2)
[ "$out" = "frames 0" ] || fail "the operator subscribed to the scheduler's events: $out"
# ... while a daemon's key does receive them (heartbeats at least): the two
# tests above could fail
out=$(ENTRETIENS_CLIENT_KEY=producer "$PEER" sub records 3)
[ "$out" != "frames 0" ] || fail "a daemon's key receives no events: $out"
out=$(ENTRETIENS_CLIENT_KEY=producer "$PEER" replay records)
[ "${out%% *}" = OK ] || fail "a daemon's key cannot replay: $out"
# filtered by type: a grant's type is answered; more than 16 types refused
out=$(ENTRETIENS_CLIENT_KEY=producer "$PEER" replay records records.access.granted)
[ "${out%% *}" = OK ] || fail "a daemon's key cannot replay by type: $out"
out=$(ENTRETIENS_CLIENT_KEY=producer "$PEER" replay records $(seq -f 'records.t%g' 1 17))
[ "${out%% *}" = INVALID_ARGUMENT ] || fail "17 types accepted: $out"
# bounded (to_seq): no event beyond the bound; with types, looked at up to it
read -r code n last scanned head <<<"$(ENTRETIENS_CLIENT_KEY=producer "$PEER" replay records --to 2)"
[ "$code" = OK ] && [ "$n" -le 2 ] && [ "$last" -le 2 ] && [ "$scanned" = 0 ] ||
  fail "replay up to seq 2: $code $n $last $scanned $head"
[ "$head" -gt 3 ] || fail "records published too little for the bound to mean anything: head $head"
read -r code n last scanned head <<<"$(ENTRETIENS_CLIENT_KEY=producer "$PEER" replay records --to 3 records.interview.created)"
[ "$code" = OK ] && [ "$last" -le 3 ] && [ "$scanned" = 3 ] ||
  fail "filtered replay up to seq 3: $code $n $last $scanned $head"
out=$(ENTRETIENS_CLIENT_KEY=producer "$PEER" replay records --from 5 --to 4)
[ "${out%% *}" = INVALID_ARGUMENT ] || fail "a bound before the start accepted: $out"
# 4. keys that may call anything but act as themselves
refused PERMISSION_DENIED "reporting ingest" env ENTRETIENS_CLIENT_KEY=reporting "$CTL" ingest "$IT_DIR/left.jsonl"
refused PERMISSION_DENIED "reporting due" env ENTRETIENS_CLIENT_KEY=reporting "$CTL" due --from 2026-01-01 --to 2026-12-31
refused PERMISSION_DENIED "reporting --as admin:x stats" env ENTRETIENS_CLIENT_KEY=reporting "$CTL" --as admin:x stats completion
refused PERMISSION_DENIED "m1 signs as the employee" env ENTRETIENS_CLIENT_KEY=m1 "$CTL" --as employee:E1 interview sign "$IV"
refused PERMISSION_DENIED "m1 grants" env ENTRETIENS_CLIENT_KEY=m1 "$CTL" access grant hr:m1 --entity '*'
refused PERMISSION_DENIED "m1 clock" env ENTRETIENS_CLIENT_KEY=m1 "$CTL" clock set 2030-01-01
# the manager's own key works, as herself
env ENTRETIENS_CLIENT_KEY=m1 "$CTL" --json interview show "$IV" | jq -e '.relation == "interviewer"' >/dev/null ||
  fail "M1's own key does not see her report's interview"
# 5. HR: nothing without a grant, signals within it
refused PERMISSION_DENIED "HR without a grant" "$CTL" --as hr:mallory stats signals --entity ACME-FR
refused PERMISSION_DENIED "HR without a grant: due" "$CTL" --as hr:mallory due --from 2026-01-01 --to 2026-12-31
refused PERMISSION_DENIED "HR outside its grant" "$CTL" --as hr:alice stats signals --entity ACME-LAB
"$CTL" --as hr:alice stats signals --entity ACME-FR >/dev/null || fail "HR within its grant"

snapshot >"$IT_DIR/after.json" 2>"$IT_DIR/snap.err" || fail "snapshot after: $(cat "$IT_DIR/snap.err")"
cmp -s "$IT_DIR/before.json" "$IT_DIR/after.json" || fail "the attacks changed something: $(diff "$IT_DIR/before.json" "$IT_DIR/after.json" | head -20)"

# the operator acting as an employee sees exactly hers
"$CTL" --as employee:E1 --json due --from 2000-01-01 --to 2100-01-01 --all >"$IT_DIR/e1.json" || fail "E1's due"
jq -e '(length > 0) and ([.[].employee_id] | unique) == ["E1"]' "$IT_DIR/e1.json" >/dev/null ||
  fail "E1 sees: $(jq -c '[.[].employee_id] | unique' "$IT_DIR/e1.json")"
"$CTL" --as employee:E1 --json interview list | jq -e '([.interviews[].employee_id] | unique) == ["E1"]' >/dev/null ||
  fail "E1's interview list"
refused PERMISSION_DENIED "E2 reads E1's obligations" "$CTL" --as employee:E2 obligations --employee E1
refused PERMISSION_DENIED "E2 reads E1's interview" "$CTL" --as employee:E2 interview show "$IV"
"$CTL" --as manager:M1 --json due --from 2000-01-01 --to 2100-01-01 --all |
  jq -e '([.[].employee_id] | unique) == ["E1","E2","M1"]' >/dev/null || fail "M1 sees her team (and herself) only"
"$CTL" --as manager:D1 --json due --from 2000-01-01 --to 2100-01-01 --all |
  jq -e '([.[].employee_id] | unique) == ["D1","E1","E2","M1"]' >/dev/null || fail "D1 sees her line"
"$CTL" --as hr:alice --json due --from 2000-01-01 --to 2100-01-01 --all |
  jq -e '[.[].entity] | unique == ["ACME-FR"]' >/dev/null || fail "alice sees ACME-FR only"

# health: the employee and HR see why a return is owed; her manager only that it is
"$CTL" --as employee:E1 --json obligations --employee E1 >"$IT_DIR/ob-e1.json" || fail "E1's obligations"
"$CTL" --as hr:alice --json obligations --employee E1 >"$IT_DIR/ob-hr.json" || fail "HR's view"
"$CTL" --as manager:M1 --json obligations --employee E1 >"$IT_DIR/ob-m1.json" || fail "M1's view"
for f in ob-e1 ob-hr; do
  jq -e 'any(.[]; .type == "return_medical_visit")' "$IT_DIR/$f.json" >/dev/null || fail "$f: no medical visit"
  jq -e 'any(.[]; .type == "return_to_work" and (.reason | test("sick|maladie"; "i")))' "$IT_DIR/$f.json" >/dev/null ||
    fail "$f: the return's reason: $(jq -c '[.[] | select(.type == "return_to_work") | .reason]' "$IT_DIR/$f.json")"
done
jq -e 'any(.[]; .type == "return_to_work")' "$IT_DIR/ob-m1.json" >/dev/null || fail "M1 does not see the return is due"
jq -e 'any(.[]; .type == "return_medical_visit") | not' "$IT_DIR/ob-m1.json" >/dev/null || fail "M1 sees the medical visit"
grep -qiE 'sick|maladie|illness' "$IT_DIR/ob-m1.json" && fail "M1 learns why E1 was absent: $(grep -iE 'sick|maladie' "$IT_DIR/ob-m1.json" | head -3)"
"$CTL" --as manager:M1 --json employee show E1 | grep -qiE '"sick"|medical_visit' && fail "M1 reads E1's sick leave in the history"
"$CTL" --as hr:alice --json employee show E1 | grep -q '"sick"' || fail "HR reads the history"

# rotation: two keys for one principal, then the old one revoked (SIGHUP)
"$CTL" keys add "$K" hris-2026 --principal service:hris --allow scheduler.ingest >/dev/null || fail "keys add hris-2026"
kill -HUP "$SCHED"
echo '{"event_id":"h5","source":"hris","type":"hired","employee_id":"E3","effective_date":"2026-03-02","entity":"ACME-FR","manager_id":"M1","category":"cadre"}' >"$IT_DIR/h5.jsonl"
wait_for 10 0 sh -c "ENTRETIENS_CLIENT_KEY=hris-2026 '$CTL' ingest '$IT_DIR/h5.jsonl' >/dev/null 2>&1; echo \$?" ||
  fail "the new key is not admitted after SIGHUP"
rm "$K/hris.pub"
kill -HUP "$SCHED"
wait_for 10 1 sh -c "ENTRETIENS_CLIENT_KEY=hris '$CTL' ingest '$IT_DIR/h5.jsonl' >/dev/null 2>&1; echo \$?" ||
  fail "the removed key still ingests"

# counted, logged by fingerprint, secrets never written
metrics=$(curl -s "http://127.0.0.1:$(http_port records)/metrics")
echo "$metrics" | awk '$1 == "entretiens_records_zap_denied_total" && $2 > 0 {ok=1} END {exit !ok}' ||
  fail "records counted no refused handshake"
echo "$metrics" | awk '$1 == "entretiens_records_rpc_denied_total" && $2 > 0 {ok=1} END {exit !ok}' ||
  fail "records counted no refused request"
fp=$("$CTL" --json keys list "$IT_DIR/elsewhere" | jq -r '.[0].fingerprint')
grep -q "\"zap.denied\".*$fp" "$IT_DIR/records.log" || fail "the intruder's fingerprint is not in records' log"
for s in "$K"/*.secret "$IT_DIR"/elsewhere/*.secret; do
  secret=$(sed -n 's/^secret=//p' "$s")
  grep -qF -- "$secret" "$IT_DIR"/*.log && fail "a secret key is in a log: $(basename "$s")"
done
# a daemon without its keys does not start; one explicitly insecure says so
ENTRETIENS_KEYS_DIR=$IT_DIR/nokeys ENTRETIENS_DATA_DIR=$IT_DIR/var-nokeys timeout 20 "$BIN/entretiens-scheduler" \
  --scheduler-rpc tcp://127.0.0.1:$(free_port) --scheduler-pub tcp://127.0.0.1:$(free_port) \
  --scheduler-http 127.0.0.1:$(free_port) >"$IT_DIR/nokeys.log" 2>&1
rc=$?
[ $rc = 2 ] || fail "a scheduler without keys exited $rc (expected 2)"
grep -q '"security.no_keys"' "$IT_DIR/nokeys.log" || fail "no security.no_keys line: $(cat "$IT_DIR/nokeys.log")"
it_endpoints producer
export ENTRETIENS_DATA_DIR=$IT_DIR/var-insecure ENT_PEER_EVENTS=0
ENTRETIENS_INSECURE=1 start_bg producer "$PEER" producer
wait_ready producer
curl -s "http://127.0.0.1:$(http_port producer)/readyz" | grep -q '^ready: INSECURE' ||
  fail "an insecure daemon's /readyz: $(curl -s "http://127.0.0.1:$(http_port producer)/readyz")"
m=$(curl -s "http://127.0.0.1:$(http_port producer)/metrics") # whole, then grep: grep -q would SIGPIPE curl under pipefail
grep -qx 'entretiens_producer_insecure 1' <<<"$m" || fail "insecure metric: $(grep -i insecure <<<"$m")"
grep -q '"security.insecure"' "$IT_DIR/producer.log" || fail "no security.insecure line"

echo "no key, unknown key, HRIS key, service key and manager key refused with nothing changed; scoped views; health hidden from the line; rotation and revocation"
