# The same ~10,000-event history ingested twice into two fresh schedulers,
# once in order and once shuffled with duplicates mixed in, gives identical
# obligations; duplicates are reported as such; bad lines are rejected with
# their line number and kept as dead letters.
source "$(dirname "$0")/lib.sh"
EMPLOYEES=3000; [ "$IT_SCALE" = small ] && EMPLOYEES=600
export ENTRETIENS_NOW=2026-11-26
"$CTL" demo generate --employees $EMPLOYEES --seed 11 --start 2026-11-26 --out "$IT_DIR/events.jsonl" \
  --policy-out "$IT_DIR/policy.json" 2>/dev/null || fail "demo generate"
N=$(wc -l <"$IT_DIR/events.jsonl")
[ "$N" -gt $((EMPLOYEES * 2)) ] || fail "only $N events generated"
# shuffled, with 500 (or 100) events repeated
DUPS=500; [ "$IT_SCALE" = small ] && DUPS=100
{ cat "$IT_DIR/events.jsonl"; shuf -n $DUPS --random-source=<(yes 7) "$IT_DIR/events.jsonl"; } |
  shuf --random-source=<(yes 3) >"$IT_DIR/shuffled.jsonl"

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
kill -TERM $PID; wait $PID
echo "$N events: identical obligations in order and shuffled ($DUPS duplicates reported); bad lines rejected"
