# Records from the scheduler's events, through real daemons: hires become
# interviews, exactly one per actionable obligation; killing records with
# SIGKILL while the events flow (three times) and restarting it still leaves
# exactly one interview per obligation; cancelled obligations cancel theirs.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
export ENTRETIENS_NOW=2026-03-02
N=400; [ "$IT_SCALE" = small ] && N=120
"$CTL" demo generate --employees $N --seed 7 --start 2026-03-02 >"$IT_DIR/org.jsonl" || fail "demo generate"
# the first half now, the second half while records is being killed
total=$(wc -l <"$IT_DIR/org.jsonl")
half=$(( $(grep -n '"type":"hired"' "$IT_DIR/org.jsonl" | sed -n "$((N / 2))p" | cut -d: -f1) - 1 ))
head -n "$half" "$IT_DIR/org.jsonl" >"$IT_DIR/part1.jsonl"
tail -n "+$((half + 1))" "$IT_DIR/org.jsonl" >"$IT_DIR/part2.jsonl"

start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg records "$BIN/entretiens-records"; REC=$LAST_PID
wait_ready scheduler; wait_ready records

metric() { # daemon name -> value
  curl -s "http://127.0.0.1:$(http_port "$1")/metrics" | awk -v m="$2" 'index($0, m" ") == 1 || index($0, m"{") == 1 {print $NF; exit}'
}
caught_up() { # records applied everything the scheduler published
  local head cur
  head=$(metric scheduler entretiens_scheduler_outbox_head_seq)
  cur=$(metric records 'entretiens_records_consumer_cursor_seq{producer="scheduler"}')
  [ -n "$head" ] && [ "$head" = "$cur" ] && echo yes || echo "no ($cur/$head)"
}
# every interview as the administrator sees it: obligation ids and statuses
interviews() {
  "$CTL" --as admin:root --json interview list --limit 50000 >"$IT_DIR/iv.json" || fail "interview list"
  python3 - "$IT_DIR/iv.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["truncated"], "list truncated"
for i in d["interviews"]:
    print(i["obligation_id"] or "-", i["status"], i["id"], i["due_date"])
PY
}
# what the scheduler owes: actionable obligations that are interviews and
# whose window opens within records' horizon (ENTRETIENS_RECORDS_HORIZON_DAYS,
# 365 days by default); `later` lists the owed ones beyond it
owed() { # [later]
  "$CTL" --json due --from 1990-01-01 --to 2100-12-31 --all --limit 50000 >"$IT_DIR/due.json" || fail "due"
  today=$("$CTL" --json clock show --only scheduler | jq -r '.[0].today')
  python3 - "$IT_DIR/due.json" "$today" "${1:-}" <<'PY'
import datetime, json, sys
today = datetime.date.fromisoformat(sys.argv[2])
horizon = today + datetime.timedelta(days=365)
later = sys.argv[3] == "later"
for o in json.load(open(sys.argv[1])):
    if o["actionable"] and o["type"] != "return_medical_visit" and o["status"] in ("upcoming", "overdue"):
        opens = datetime.date.fromisoformat(o.get("window_start") or o["due_date"])
        if (opens > horizon) == later:
            print(o["obligation_id"])
PY
}
check_once() { # label
  interviews >"$IT_DIR/iv.txt"; owed | sort >"$IT_DIR/owed.txt"
  dups=$(awk '$1 != "-" {print $1}' "$IT_DIR/iv.txt" | sort | uniq -d | head -n 3)
  [ -z "$dups" ] || fail "$1: an obligation made two interviews: $dups"
  awk '$1 != "-" && $2 != "cancelled" {print $1}' "$IT_DIR/iv.txt" | sort >"$IT_DIR/open.txt"
  missing=$(comm -23 "$IT_DIR/owed.txt" "$IT_DIR/open.txt" | head -n 3)
  [ -z "$missing" ] || fail "$1: owed obligations without an open interview: $missing"
  extra=$(comm -13 "$IT_DIR/owed.txt" "$IT_DIR/open.txt" | head -n 3)
  [ -z "$extra" ] || fail "$1: open interviews for obligations no longer owed: $extra"
  log "$1: $(wc -l <"$IT_DIR/owed.txt") obligations owed, $(wc -l <"$IT_DIR/iv.txt") interviews, one each"
}

"$CTL" ingest "$IT_DIR/part1.jsonl" >/dev/null || fail "ingest part 1"
wait_for 60 yes caught_up || fail "records did not catch up"
check_once "first half"
[ "$(wc -l <"$IT_DIR/owed.txt")" -gt $((N / 2)) ] || fail "too few obligations for $N employees"

# replaying the same events changes nothing
"$CTL" ingest "$IT_DIR/part1.jsonl" >/dev/null || fail "ingest again"
cp "$IT_DIR/iv.txt" "$IT_DIR/iv.before"
wait_for 30 yes caught_up || fail "catch up after duplicates"
interviews >"$IT_DIR/iv.after"
cmp -s "$IT_DIR/iv.before" "$IT_DIR/iv.after" || fail "duplicate events changed the interviews"

# the second half flows in three parts, records killed during each
lines=$(wc -l <"$IT_DIR/part2.jsonl")
split -l $(( (lines + 2) / 3 )) -d "$IT_DIR/part2.jsonl" "$IT_DIR/chunk."
for k in 0 1 2; do
  "$CTL" ingest "$IT_DIR/chunk.0$k" >"$IT_DIR/ingest2.out" 2>&1 &
  INGEST=$!
  sleep 0.$((1 + k))
  kill -9 $REC 2>/dev/null; wait $REC 2>/dev/null
  log "records killed ($((k + 1)))"
  wait $INGEST || fail "ingest part 2.$k: $(cat "$IT_DIR/ingest2.out")"
  start_bg records "$BIN/entretiens-records"; REC=$LAST_PID
  wait_alive records
done
wait_for 90 yes caught_up || fail "records did not catch up after the kills"
check_once "after three SIGKILLs"

# a leaving employee's pending interviews are cancelled with their obligations
# (one due later than the leaving date: deadlines already missed stay owed)
emp=$(awk '$2 == "planned" && $4 > "2026-06-01" {print $3; exit}' "$IT_DIR/iv.txt")
[ -n "$emp" ] || fail "no future interview to cancel"
eid=$("$CTL" --as admin:root --json interview show "$emp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["employee_id"])')
echo "{\"event_id\":\"leave-$eid\",\"source\":\"hris\",\"type\":\"left\",\"employee_id\":\"$eid\",\"effective_date\":\"2026-03-02\"}" |
  "$CTL" ingest - >/dev/null || fail "left"
wait_for 30 yes caught_up || fail "catch up after leaving"
"$CTL" --as admin:root --json interview show "$emp" >"$IT_DIR/left.json"
grep -q '"status": "cancelled"' "$IT_DIR/left.json" || fail "$eid left: $emp should be cancelled: $(grep status "$IT_DIR/left.json")"
grep -q '"created_by": "scheduler"' "$IT_DIR/left.json" || fail "created by the scheduler's event"
check_once "after a departure"

# beyond the horizon nothing is created yet; moving the clock brings them
owed later | sort >"$IT_DIR/later.txt"
[ -s "$IT_DIR/later.txt" ] || fail "no obligation beyond the horizon to check"
first=$(head -n 1 "$IT_DIR/later.txt")
grep -q "^$first " "$IT_DIR/iv.txt" && fail "an interview exists for $first, beyond the horizon"
opens=$(jq -r --arg id "$first" '.[] | select(.obligation_id == $id) | (.window_start // .due_date)' "$IT_DIR/due.json")
"$CTL" clock set "$(date -d "$opens -300 days" +%Y-%m-%d)" --only scheduler,records >/dev/null || fail "clock set"
wait_for 30 yes caught_up || fail "catch up after the clock moved"
interviews >"$IT_DIR/iv.txt"
grep -q "^$first " "$IT_DIR/iv.txt" || fail "the clock reached $first's horizon but no interview was created"
check_once "after the clock moved"

out=$("$CTL" --as admin:root audit verify) || fail "audit verify: $out"
kill -TERM $REC $SCHED; wait $REC; wait $SCHED
grep -q 'stopped cleanly' "$IT_DIR/records.log" || fail "records did not stop cleanly"
echo "hires -> one interview per obligation, idempotent under replay and SIGKILL; departures cancel"
