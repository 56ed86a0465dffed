# The same ~10,000-event history ingested twice into two fresh schedulers,
# once in order and once shuffled with duplicates mixed in (the hires first,
# shuffled among themselves: an event about someone not hired yet is
# rejected), gives identical obligations; duplicates are reported as such;
# bad lines are rejected with their line number and kept as dead letters;
# events before their hire in one batch are accepted, in an earlier batch
# rejected until sent again; an unknown manager is a warning.
source "$(dirname "$0")/lib.sh"
EMPLOYEES=3000; [ "$IT_SCALE" = small ] && EMPLOYEES=600
export ENTRETIENS_NOW=2026-11-26
"$CTL" demo generate --employees $EMPLOYEES --seed 11 --start 2026-11-26 --out "$IT_DIR/events.jsonl" \
  --policy-out "$IT_DIR/policy.json" 2>/dev/null || fail "demo generate"
N=$(wc -l <"$IT_DIR/events.jsonl")
[ "$N" -gt $((EMPLOYEES * 2)) ] || fail "only $N events generated"
# shuffled, with 500 (or 100) events repeated: the hires first (each
# employee's other events need the hire in the same batch or an earlier
# one), their managers' in any order
DUPS=500; [ "$IT_SCALE" = small ] && DUPS=100
{ grep '"type":"hired"' "$IT_DIR/events.jsonl" | shuf --random-source=<(yes 5)
  { grep -v '"type":"hired"' "$IT_DIR/events.jsonl"; shuf -n $DUPS --random-source=<(yes 7) "$IT_DIR/events.jsonl"; } |
    shuf --random-source=<(yes 3); } >"$IT_DIR/shuffled.jsonl"
[ "$(wc -l <"$IT_DIR/shuffled.jsonl")" -eq $((N + DUPS)) ] || fail "shuffled file"

run_one() { # name input -> writes $IT_DIR/<name>.due.json and .ingest.json
  local name=$1 input=$2
  it_endpoints scheduler records
  export ENTRETIENS_DATA_DIR=$IT_DIR/var-$name
  start_bg "scheduler-$name" "$BIN/entretiens-scheduler"; local pid=$LAST_PID
  wait_alive scheduler
  "$CTL" policy apply "$IT_DIR/policy.json" --json >"$IT_DIR/$name.policy.json" || fail "$name: policy apply"
  "$CTL" ingest "$input" --json >"$IT_DIR/$name.ingest.json"; local rc=$?
  [ $rc -eq 0 ] || fail "$name: ingest exited $rc: $(head -c 400 "$IT_DIR/$name.ingest.json")"
  "$CTL" due --from 1990-01-01 --to 2045-12-31 --all --limit 50000 --json >"$IT_DIR/$name.due.json" ||
    fail "$name: due"
  # the actionable calendar, whole and limited: the limit keeps the earliest
  "$CTL" due --from 2020-01-01 --to 2030-12-31 --limit 50000 --json >"$IT_DIR/$name.cal.json" || fail "$name: due (index)"
  "$CTL" due --from 2020-01-01 --to 2030-12-31 --limit 40 --json >"$IT_DIR/$name.cal40.json" 2>/dev/null ||
    fail "$name: due --limit"
  [ "$(grep '"obligation_id"' "$IT_DIR/$name.cal.json" | head -n 40)" = "$(grep '"obligation_id"' "$IT_DIR/$name.cal40.json")" ] ||
    fail "$name: a limited calendar is not the beginning of the whole one"
  # the next page starts right after the last item of the first one
  last_id=$(grep '"obligation_id"' "$IT_DIR/$name.cal40.json" | tail -n 1 | cut -d'"' -f4)
  last_due=$(grep '"due_date"' "$IT_DIR/$name.cal40.json" | tail -n 1 | cut -d'"' -f4)
  "$CTL" due --from 2020-01-01 --to 2030-12-31 --limit 40 --after "$last_id" --after-due "$last_due" --json \
    >"$IT_DIR/$name.page2.json" 2>/dev/null || fail "$name: due --after"
  [ "$(grep '"obligation_id"' "$IT_DIR/$name.cal.json" | sed -n 41,80p)" = "$(grep '"obligation_id"' "$IT_DIR/$name.page2.json")" ] ||
    fail "$name: the second page is not items 41-80 of the whole calendar"
  # totals are exact whatever the page: the cut answer says "of N", the
  # counts by type add up to the whole calendar, with --all too
  local whole; whole=$(grep -c '"obligation_id"' "$IT_DIR/$name.cal.json")
  "$CTL" due --from 2020-01-01 --to 2030-12-31 --limit 40 >/dev/null 2>"$IT_DIR/$name.cut.err"
  grep -q "only the first 40 of $whole obligations" "$IT_DIR/$name.cut.err" || fail "$name: cut answer: $(cat "$IT_DIR/$name.cut.err")"
  "$CTL" due --from 2020-01-01 --to 2030-12-31 --limit 40 --by-type --json >"$IT_DIR/$name.bytype.json" || fail "$name: by type"
  [ "$(jq '.total' "$IT_DIR/$name.bytype.json")" = "$whole" ] &&
    [ "$(jq '[.by_type[].total] | add' "$IT_DIR/$name.bytype.json")" = "$whole" ] ||
    fail "$name: by-type totals $(jq -c '.total' "$IT_DIR/$name.bytype.json") for $whole deadlines"
  [ "$("$CTL" due --from 1990-01-01 --to 2045-12-31 --all --limit 5 --by-type --json | jq .total)" = \
    "$(grep -c '"obligation_id"' "$IT_DIR/$name.due.json")" ] || fail "$name: --all --by-type total"
  for e in E000001 E000002 E000100 E000321; do
    "$CTL" obligations --employee $e --json >>"$IT_DIR/$name.obligations.json" || fail "$name: obligations $e"
  done
  kill -TERM $pid; wait $pid
}

run_one ordered "$IT_DIR/events.jsonl"
run_one shuffled "$IT_DIR/shuffled.jsonl"

grep -q "\"accepted\": $N" "$IT_DIR/ordered.ingest.json" || fail "ordered: not all accepted: $(head -c 300 "$IT_DIR/ordered.ingest.json")"
grep -q "\"accepted\": $N" "$IT_DIR/shuffled.ingest.json" || fail "shuffled: not all accepted"
grep -q "\"duplicates\": $DUPS" "$IT_DIR/shuffled.ingest.json" || fail "shuffled: expected $DUPS duplicates: $(head -c 300 "$IT_DIR/shuffled.ingest.json")"
# managers: hired before their teams in order; shuffled, some hires come a
# batch before their manager's (when the hires fill more than one batch of
# 1,000; in one batch every manager is known): a warning each, accepted all
# the same
[ "$(jq '.warnings | length' "$IT_DIR/ordered.ingest.json")" -eq 0 ] || fail "ordered: warnings: $(jq -c '.warnings[0:3]' "$IT_DIR/ordered.ingest.json")"
if [ $EMPLOYEES -gt 1000 ]; then
  [ "$(jq '.warnings | length' "$IT_DIR/shuffled.ingest.json")" -gt 0 ] || fail "shuffled: no manager warning"
else
  [ "$(jq '.warnings | length' "$IT_DIR/shuffled.ingest.json")" -eq 0 ] || fail "shuffled in one batch: warnings"
fi
jq -e '.warnings | all(.field == "manager_id" and (.reason | test("not hired yet")))' "$IT_DIR/shuffled.ingest.json" >/dev/null ||
  fail "shuffled: warnings: $(jq -c '.warnings[0:3]' "$IT_DIR/shuffled.ingest.json")"
grep -q '"version": 1' "$IT_DIR/ordered.policy.json" || fail "policy version"
COUNT=$(grep -c '"obligation_id"' "$IT_DIR/ordered.due.json")
[ "$COUNT" -gt "$EMPLOYEES" ] || fail "only $COUNT obligations for $EMPLOYEES employees"
cmp -s "$IT_DIR/ordered.due.json" "$IT_DIR/shuffled.due.json" ||
  fail "obligations differ with arrival order: $(diff "$IT_DIR/ordered.due.json" "$IT_DIR/shuffled.due.json" | head -n 20)"
cmp -s "$IT_DIR/ordered.obligations.json" "$IT_DIR/shuffled.obligations.json" || fail "per-employee obligations differ"

# bad input: precise rejections, dead letters, exit 1
it_endpoints scheduler records
export ENTRETIENS_DATA_DIR=$IT_DIR/var-bad
start_bg scheduler-bad "$BIN/entretiens-scheduler"; PID=$LAST_PID
wait_alive scheduler
cat >"$IT_DIR/bad.jsonl" <<'JSON'
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X1","effective_date":"2026-03-15","entity":"ACME-FR","category":"cadre"}
{"event_id":"b2","source":"hris","type":"hired","employee_id":"X2","effective_date":"2026-02-30","entity":"ACME-FR"}
this is not json

{"event_id":"b3","source":"hris","type":"promoted","employee_id":"X3","effective_date":"2026-03-15"}
{"event_id":"b4","source":"hris","type":"leave_started","employee_id":"X1","effective_date":"2026-05-01","leave_kind":"holiday"}
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X1","effective_date":"2026-03-15","entity":"ACME-FR","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/bad.jsonl" >"$IT_DIR/bad.out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "ingest with rejections must exit 1, got $rc"
grep -q 'accepted 1, duplicate 1, rejected 4' "$IT_DIR/bad.out" || fail "counts: $(cat "$IT_DIR/bad.out")"
grep -q '^line 2: event b2: effective_date' "$IT_DIR/bad.out" || fail "line 2: $(cat "$IT_DIR/bad.out")"
grep -q '^line 3: .*json' "$IT_DIR/bad.out" || fail "line 3: $(cat "$IT_DIR/bad.out")"
grep -q '^line 5: event b3: type' "$IT_DIR/bad.out" || fail "line 5: $(cat "$IT_DIR/bad.out")"
grep -q '^line 6: event b4: leave_kind' "$IT_DIR/bad.out" || fail "line 6: $(cat "$IT_DIR/bad.out")"
"$CTL" deadletters --json >"$IT_DIR/dl.json" || fail "deadletters"
grep -q '"leave_kind"' "$IT_DIR/dl.json" || fail "dead letters: $(cat "$IT_DIR/dl.json")"
# the hire that was accepted: first professional interview within a year
"$CTL" obligations --employee X1 --json >"$IT_DIR/x1.json" || fail "obligations X1"
grep -q '"due_date": "2027-03-15"' "$IT_DIR/x1.json" || fail "X1 professional interview: $(cat "$IT_DIR/x1.json")"

# an event id sent again: the same event is a duplicate; another payload is a
# conflict naming the first differing field, kept as a dead letter, and
# changes nothing stored
cat >"$IT_DIR/pos.jsonl" <<'JSON'
{"event_id":"p1","source":"hris","type":"position_changed","employee_id":"X1","effective_date":"2026-09-01","position":"Chef de projet"}
JSON
"$CTL" ingest "$IT_DIR/pos.jsonl" >"$IT_DIR/pos.out" 2>&1 || fail "position change: $(cat "$IT_DIR/pos.out")"
snapshot() { # name
  "$CTL" due --from 1990-01-01 --to 2045-12-31 --all --json >"$IT_DIR/$1.due.json" || fail "$1: due"
  "$CTL" employee show X1 --json >"$IT_DIR/$1.x1.json" || fail "$1: employee show X1"
}
snapshot before
"$CTL" deadletters --json >"$IT_DIR/dl-before.json" || fail "deadletters"
DL_BEFORE=$(jq length "$IT_DIR/dl-before.json")
cat >"$IT_DIR/resend.jsonl" <<'JSON'
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X1","effective_date":"2026-03-15","entity":"ACME-FR","category":"cadre"}
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X1","effective_date":"2026-03-15","entity":"ACME-FR","category":"ouvrier_employe"}
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X1","effective_date":"2026-04-01","entity":"ACME-FR","category":"ouvrier_employe"}
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X9","effective_date":"2026-03-15","entity":"ACME-FR","category":"cadre"}
{"event_id":"b1","source":"hris","type":"hired","employee_id":"X1","effective_date":"2026-03-15","entity":"ACME-FR","category":"cadre","email":"jeanne.secret@example.org"}
{"event_id":"p1","source":"hris","type":"position_changed","employee_id":"X1","effective_date":"2026-09-01","position":"Directrice financière"}
{"event_id":"p1","source":"hris","type":"position_changed","employee_id":"X1","effective_date":"2026-09-01","position":"Chef de projet"}
JSON
"$CTL" ingest "$IT_DIR/resend.jsonl" >"$IT_DIR/resend.out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "ingest with conflicts must exit 1, got $rc: $(cat "$IT_DIR/resend.out")"
grep -q '^accepted 0, duplicate 2, rejected 5 (conflict 5)$' "$IT_DIR/resend.out" || fail "conflict counts: $(cat "$IT_DIR/resend.out")"
for want in 'line 2: event b1: category: ' 'line 3: event b1: effective_date: ' 'line 4: event b1: employee_id: ' \
  'line 5: event b1: email: ' 'line 6: event p1: position: '; do
  grep -q "^$want.*different" "$IT_DIR/resend.out" || fail "expected '$want': $(cat "$IT_DIR/resend.out")"
done
"$CTL" ingest "$IT_DIR/resend.jsonl" --json >"$IT_DIR/resend.json" 2>/dev/null
[ "$(jq -c '[.accepted, .duplicates, .rejected, .conflicts]' "$IT_DIR/resend.json")" = '[0,2,5,5]' ] ||
  fail "--json counts: $(cat "$IT_DIR/resend.json")"
[ "$(jq -c '[.rejections[] | [.line, .field, .outcome]]' "$IT_DIR/resend.json")" = \
  '[[2,"category","conflict"],[3,"effective_date","conflict"],[4,"employee_id","conflict"],[5,"email","conflict"],[6,"position","conflict"]]' ] ||
  fail "--json rejections: $(cat "$IT_DIR/resend.json")"
# nothing stored changed: the obligations, X1's history and attributes; X9 never existed
snapshot after
cmp -s "$IT_DIR/before.due.json" "$IT_DIR/after.due.json" || fail "conflicts changed the obligations: $(diff "$IT_DIR/before.due.json" "$IT_DIR/after.due.json" | head)"
cmp -s "$IT_DIR/before.x1.json" "$IT_DIR/after.x1.json" || fail "conflicts changed X1: $(diff "$IT_DIR/before.x1.json" "$IT_DIR/after.x1.json" | head)"
grep -q '"Chef de projet"' "$IT_DIR/after.x1.json" || fail "X1's position: $(cat "$IT_DIR/after.x1.json")"
"$CTL" obligations --employee X9 >/dev/null 2>&1 && fail "a conflicting event created employee X9"
# dead letters: the 10 conflicts of the two sends, as received, marked conflict
"$CTL" deadletters --json >"$IT_DIR/dl-after.json" || fail "deadletters"
[ "$(jq length "$IT_DIR/dl-after.json")" -eq $((DL_BEFORE + 10)) ] || fail "expected 10 new dead letters: $(cat "$IT_DIR/dl-after.json")"
[ "$(jq -c "[.[$DL_BEFORE:][] | [.outcome, .field, .event.event_id]] | .[0:5]" "$IT_DIR/dl-after.json")" = \
  '[["conflict","category","b1"],["conflict","effective_date","b1"],["conflict","employee_id","b1"],["conflict","email","b1"],["conflict","position","p1"]]' ] ||
  fail "conflict dead letters: $(jq -c "[.[$DL_BEFORE:][]]" "$IT_DIR/dl-after.json")"
jq -e "[.[:$DL_BEFORE][] | .outcome] | all(. == \"rejected\")" "$IT_DIR/dl-after.json" >/dev/null ||
  fail "earlier dead letters must read as rejected"
jq -e '.[] | select(.field == "position" and .outcome == "conflict") | .event.position == "Directrice financière"' \
  "$IT_DIR/dl-after.json" >/dev/null || fail "the dead letter must keep the conflicting event as received"
# a conflict inside one batch: the first version is stored, the second refused
cat >"$IT_DIR/same-batch.jsonl" <<'JSON'
{"event_id":"n1","source":"payroll","type":"hired","employee_id":"Y1","effective_date":"2026-05-04","entity":"ACME-FR","category":"cadre"}
{"event_id":"n1","source":"payroll","type":"hired","employee_id":"Y1","effective_date":"2026-05-04","entity":"ACME-BE","category":"cadre"}
{"event_id":"n1","source":"hris","type":"hired","employee_id":"Y2","effective_date":"2026-05-04","entity":"ACME-FR","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/same-batch.jsonl" >"$IT_DIR/same-batch.out" 2>&1
grep -q '^accepted 2, duplicate 0, rejected 1 (conflict 1)$' "$IT_DIR/same-batch.out" || fail "same batch: $(cat "$IT_DIR/same-batch.out")"
grep -q '^line 2: event n1: entity: ' "$IT_DIR/same-batch.out" || fail "same batch: $(cat "$IT_DIR/same-batch.out")"
# a corrected re-export imported again: the changed row is a conflict, the
# other rows still go (a new hire is imported), the status says it
cat >"$IT_DIR/staff1.csv" <<'CSV'
employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,category,contract,contract_end,trial_months
K1,Ana,Lopez,ana.lopez@example.org,ACME-FR,sales,Paris,metropole,,2026-02-02,1990-01-01,cadre,permanent,,
K2,Bo,Ng,,ACME-FR,sales,Paris,metropole,,2026-02-03,,cadre,permanent,,
CSV
sed -e 's/ana.lopez@example.org/ana.nouvelle@example.org/' "$IT_DIR/staff1.csv" >"$IT_DIR/staff2.csv"
echo 'K3,Cy,Roy,,ACME-FR,sales,Paris,metropole,,2026-02-04,,cadre,permanent,,' >>"$IT_DIR/staff2.csv"
"$CTL" import employees "$IT_DIR/staff1.csv" >"$IT_DIR/staff1.out" 2>&1 || fail "import: $(cat "$IT_DIR/staff1.out")"
"$CTL" import employees "$IT_DIR/staff2.csv" >"$IT_DIR/staff2.out" 2>"$IT_DIR/staff2.err"; rc=$?
[ $rc -eq 1 ] || fail "an import with conflicts must exit 1, got $rc"
grep -q "^imported .*staff2.csv: 3 rows, accepted 1, duplicate 1, rejected 1 (conflict 1)$" "$IT_DIR/staff2.out" ||
  fail "re-import: $(cat "$IT_DIR/staff2.out")"
grep -q '^line 2: employee K1: email: .*different email' "$IT_DIR/staff2.out" || fail "re-import: $(cat "$IT_DIR/staff2.out")"
grep -q 'first version was kept' "$IT_DIR/staff2.err" || fail "re-import stderr: $(cat "$IT_DIR/staff2.err")"
"$CTL" obligations --employee K3 >/dev/null || fail "the new hire after a conflict was not imported"
"$CTL" employee show K1 --json | grep -q '"ana.lopez@example.org"' || fail "K1's first version was not kept"
# events about someone not hired: in the same batch as the hire, in any
# order, accepted; before it in an earlier batch (or never hired: a typo),
# rejected on employee_id, kept as dead letters, and accepted when sent
# again after the hire; nothing of them is stored until then
cat >"$IT_DIR/order.jsonl" <<'JSON'
{"event_id":"o1","source":"hris","type":"leave_started","employee_id":"Z1","effective_date":"2026-06-01","leave_kind":"sick"}
{"event_id":"o2","source":"hris","type":"updated","employee_id":"Z1","effective_date":"2026-05-20","department":"R&D"}
{"event_id":"o0","source":"hris","type":"hired","employee_id":"Z1","effective_date":"2026-05-04","entity":"ACME-FR","category":"cadre","manager_id":"Z2"}
{"event_id":"o3","source":"hris","type":"hired","employee_id":"Z2","effective_date":"2026-05-04","entity":"ACME-FR","category":"cadre"}
{"event_id":"g1","source":"hris","type":"updated","employee_id":"Z9","effective_date":"2026-05-20","department":"R&D"}
JSON
"$CTL" ingest "$IT_DIR/order.jsonl" --json >"$IT_DIR/order.json" 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "a phantom update must fail the ingest, got $rc"
[ "$(jq -c '[.accepted, .rejected, [.rejections[] | [.line, .event_id, .field]], .warnings]' "$IT_DIR/order.json")" = \
  '[4,1,[[5,"g1","employee_id"]],[]]' ] || fail "same batch, any order: $(cat "$IT_DIR/order.json")"
jq -e '.rejections[0].reason | test("never been hired")' "$IT_DIR/order.json" >/dev/null || fail "phantom: $(cat "$IT_DIR/order.json")"
"$CTL" employee show Z1 --json | jq -e '.employee.department == "R&D" and .employee.manager_id == "Z2"' >/dev/null ||
  fail "Z1 as ingested out of order"
"$CTL" employee show Z9 >/dev/null 2>&1 && fail "a phantom update created employee Z9"
# across batches: the update first (rejected), the hire, the update again
echo '{"event_id":"q1","source":"hris","type":"position_changed","employee_id":"Z3","effective_date":"2026-07-01","position":"Lead","manager_id":"Z404"}' >"$IT_DIR/q1.jsonl"
echo '{"event_id":"q0","source":"hris","type":"hired","employee_id":"Z3","effective_date":"2026-05-04","entity":"ACME-FR","category":"cadre"}' >"$IT_DIR/q0.jsonl"
"$CTL" ingest "$IT_DIR/q1.jsonl" >"$IT_DIR/q1.out" 2>&1 && fail "an event before its hire (earlier batch) must be rejected"
grep -q '^line 1: event q1: employee_id: employee Z3 has never been hired' "$IT_DIR/q1.out" || fail "q1: $(cat "$IT_DIR/q1.out")"
"$CTL" ingest "$IT_DIR/q0.jsonl" >/dev/null 2>&1 || fail "the hire of Z3"
"$CTL" ingest "$IT_DIR/q1.jsonl" >"$IT_DIR/q1b.out" 2>"$IT_DIR/q1b.err" || fail "q1 after the hire: $(cat "$IT_DIR/q1b.out")"
grep -q '^accepted 1, duplicate 0, rejected 0$' "$IT_DIR/q1b.out" || fail "q1 again: $(cat "$IT_DIR/q1b.out")"
# the unknown manager: a warning on stderr, not on stdout, exit 0
grep -q '^warning: line 1: event q1: manager_id: manager Z404 is not hired yet' "$IT_DIR/q1b.err" || fail "warning: $(cat "$IT_DIR/q1b.err")"
grep -q 'warning' "$IT_DIR/q1b.out" && fail "warnings belong on stderr"
"$CTL" deadletters --json | jq -e '[.[] | select(.field == "employee_id" and .outcome == "rejected") | .event.event_id] == ["g1", "q1"]' >/dev/null ||
  fail "phantom dead letters: $("$CTL" deadletters --json | jq -c '[.[] | [.field, .outcome, .event.event_id]]')"

# counted in /metrics; logged with the field, never the values
sleep 1.2 # metrics are synced every second
curl -s "http://127.0.0.1:$(http_port scheduler)/metrics" >"$IT_DIR/sched.metrics"
# by source (the caller's key) and outcome: summed over the sources
ingested() { # outcome -> total over the sources
  awk -v o="outcome=\"$1\"" '/^entretiens_scheduler_ingest_events_total\{source="[^"]+",/ && index($0, o) { n += $2 } END { print n + 0 }' "$IT_DIR/sched.metrics"
}
[ "$(ingested conflict)" = 12 ] || fail "conflicts not counted: $(grep ingest_events "$IT_DIR/sched.metrics")"
[ "$(ingested duplicate)" = 6 ] || fail "duplicates not counted: $(grep ingest_events "$IT_DIR/sched.metrics")"
[ "$(grep -c '"ingest.conflict"' "$IT_DIR/scheduler-bad.log")" -eq 12 ] || fail "conflicts not logged"
grep -q '"ingest.conflict".*event p1 from hris.*: position differs' "$IT_DIR/scheduler-bad.log" || fail "conflict log line lacks the field"
grep -qE 'jeanne|Directrice|nouvelle' "$IT_DIR/scheduler-bad.log" && fail "a conflicting value leaked into the log"
kill -TERM $PID; wait $PID
echo "$N events: identical obligations in order and shuffled ($DUPS duplicates reported); bad lines rejected; conflicting re-sends refused with their field"
