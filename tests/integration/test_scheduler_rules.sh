# Legal rules end to end through the real scheduler and the CLI: deadlines
# of a hire, the trial end, overdue after the clock moves, cancellation on
# leaving, a campaign, disciplinary deadlines, and the events published.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
export ENTRETIENS_NOW=2026-04-01
start_bg scheduler "$BIN/entretiens-scheduler"; PID=$LAST_PID
wait_alive scheduler
cat >"$IT_DIR/events.jsonl" <<'JSON'
{"event_id":"1","source":"hris","type":"hired","employee_id":"C1","effective_date":"2026-04-07","entity":"ACME-FR","category":"cadre","trial_months":4,"first_name":"Claire","manager_id":"M1"}
{"event_id":"2","source":"hris","type":"hired","employee_id":"P1","effective_date":"2024-03-15","entity":"ACME-FR","category":"ouvrier_employe","manager_id":"M1"}
{"event_id":"3","source":"hris","type":"hired","employee_id":"L1","effective_date":"2023-05-01","entity":"ACME-FR","manager_id":"M1"}
{"event_id":"4","source":"hris","type":"interview_held","employee_id":"L1","effective_date":"2024-06-10","interview_type":"professional"}
JSON
"$CTL" ingest "$IT_DIR/events.jsonl" >/dev/null || fail "ingest"
"$CTL" employee show C1 --json >"$IT_DIR/c1.json" || fail "employee show"
grep -q '"trial_end": "2026-08-06"' "$IT_DIR/c1.json" || fail "cadre trial end: $(grep trial_end "$IT_DIR/c1.json")"
"$CTL" obligations --employee P1 --json >"$IT_DIR/p1.json" || fail "obligations P1"
grep -A3 '"type": "professional"' "$IT_DIR/p1.json" | grep -q '"due_date": "2026-03-15"' || fail "P1 (hired 2024-03-15) professional due 2026-03-15: $(cat "$IT_DIR/p1.json")"
"$CTL" obligations --employee L1 --json >"$IT_DIR/l1.json" || fail "obligations L1"
grep -q '"due_date": "2028-06-10"' "$IT_DIR/l1.json" || fail "L1 next professional 2028-06-10: $(cat "$IT_DIR/l1.json")"

# P1's deadline has passed: overdue now; the calendar shows it for the manager
"$CTL" due --from 2026-01-01 --to 2026-12-31 --manager M1 --json >"$IT_DIR/due.json" || fail "due"
grep -q '"employee_id": "P1"' "$IT_DIR/due.json" || fail "P1 missing from M1's calendar"
grep -B8 -A8 '"employee_id": "P1"' "$IT_DIR/due.json" | grep -q '"status": "overdue"' || fail "P1 should be overdue"

# the clock moves: C1's end-of-trial interview becomes overdue
head_seq() { curl -s "http://127.0.0.1:$(http_port scheduler)/metrics" | awk '/^entretiens_scheduler_outbox_head_seq /{print $2}'; }
before=$(head_seq)
"$CTL" clock set 2026-09-01 --only scheduler >/dev/null || fail "clock set"
"$CTL" obligations --employee C1 --json >"$IT_DIR/c1o.json"
grep -B3 -A12 '"type": "end_of_trial"' "$IT_DIR/c1o.json" | grep -q '"status": "overdue"' || fail "C1 end_of_trial should be overdue: $(cat "$IT_DIR/c1o.json")"
after=$(head_seq)
[ "$after" -gt "$before" ] || fail "moving the clock published no event ($before -> $after)"

# leaving cancels what is pending
echo '{"event_id":"5","source":"hris","type":"left","employee_id":"C1","effective_date":"2026-08-31"}' | "$CTL" ingest - >/dev/null || fail "left"
"$CTL" obligations --employee C1 --json >"$IT_DIR/c1c.json"
grep -q '"status": "upcoming"' "$IT_DIR/c1c.json" && fail "C1 left: nothing should stay upcoming: $(cat "$IT_DIR/c1c.json")"
grep -q '"status": "cancelled"' "$IT_DIR/c1c.json" || fail "C1 left: expected cancelled obligations"

# a campaign covers the employees in post
"$CTL" campaign create --id ar-2026 --from 2026-09-01 --to 2026-12-15 --title "Annual reviews 2026" --json >"$IT_DIR/camp.json" || fail "campaign create"
grep -q '"eligible": 2' "$IT_DIR/camp.json" || fail "campaign should concern P1 and L1: $(cat "$IT_DIR/camp.json")"
"$CTL" campaign create --id ar-2026 --from 2026-09-01 --to 2026-12-15 >/dev/null 2>&1 && fail "duplicate campaign accepted"

# disciplinary deadlines (Thursday 2026-03-12 -> earliest sanction Tuesday 2026-03-17)
"$CTL" deadlines disciplinary --interview 2026-03-12 --json >"$IT_DIR/disc.json" || fail "deadlines"
grep -q '"sanction_not_before": "2026-03-17"' "$IT_DIR/disc.json" || fail "sanction: $(cat "$IT_DIR/disc.json")"
"$CTL" deadlines disciplinary --facts-known 2026-13-01 >/dev/null 2>&1 && fail "bad date accepted"
kill -TERM $PID; wait $PID
echo "hire, trial, overdue, leaving, campaign and disciplinary deadlines as the law says"
