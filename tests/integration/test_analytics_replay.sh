# Analytics through real daemons: the scheduler computes the deadlines of a
# generated organisation, records opens an interview per obligation (and a
# few are held, answered and signed through the CLI), analytics follows
# both.  Analytics is killed with SIGKILL in the middle of the stream and
# restarted; once caught up, its figures are compared field by field with
# (1) a second analytics started on an empty store, which replays both
# producers from seq 1, (2) the first one rebuilt from scratch after its
# store is deleted (killed during that rebuild's bulk load and restarted),
# and (3) rebuilt again after a machine restart cut its bulk load.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records analytics
export ENTRETIENS_NOW=2026-03-02
N=2000; [ "$IT_SCALE" = small ] && N=400
"$CTL" demo generate --employees $N --seed 5 --start 2026-03-02 --out "$IT_DIR/org.jsonl" \
  --policy-out "$IT_DIR/policy.json" 2>/dev/null || fail "demo generate"
# four parts, cut at hires
lines=$(wc -l <"$IT_DIR/org.jsonl")
cuts=()
for q in 1 2 3; do
  cuts+=($(( $(grep -n '"type":"hired"' "$IT_DIR/org.jsonl" | sed -n "$((N * q / 4))p" | cut -d: -f1) - 1 )))
done
sed -n "1,${cuts[0]}p" "$IT_DIR/org.jsonl" >"$IT_DIR/part1.jsonl"
sed -n "$((cuts[0] + 1)),${cuts[1]}p" "$IT_DIR/org.jsonl" >"$IT_DIR/part2.jsonl"
sed -n "$((cuts[1] + 1)),${cuts[2]}p" "$IT_DIR/org.jsonl" >"$IT_DIR/part3.jsonl"
sed -n "$((cuts[2] + 1)),${lines}p" "$IT_DIR/org.jsonl" >"$IT_DIR/part4.jsonl"

start_bg scheduler "$BIN/entretiens-scheduler"
start_bg records "$BIN/entretiens-records"
start_bg analytics "$BIN/entretiens-analytics"; AN=$LAST_PID
wait_ready scheduler 60; wait_ready records 60; wait_ready analytics 60
"$CTL" policy apply "$IT_DIR/policy.json" >/dev/null || fail "policy apply"

# metric, sched_head, rec_head, an_cursor, caught_up: lib.sh

# the cursor analytics committed for a producer, read from its store (the
# daemon is not running)
stored_cursor() { # producer
  local hex
  hex=$(printf %s "$1" | od -An -tx1 | tr -d ' \n')
  mdb_dump -s cursors "$ENTRETIENS_DATA_DIR/analytics" | awk -v k=" $hex" 'f {print; exit} $0 == k {f = 1}' |
    { read -r v; echo $((16#${v:-0})); }
}
"$CTL" ingest "$IT_DIR/part1.jsonl" >/dev/null || fail "ingest part 1"
caught_up 60
# a backlog piles up while analytics is stopped; it is killed with SIGKILL
# a moment after it resumes, while it works through it (tried again with the
# next part if it was too quick)
killed=0
last=1
for attempt in "2 3:0.02" "4:0.005"; do
  C0=$(an_cursor "$ENTRETIENS_ANALYTICS_HTTP" scheduler)
  kill -STOP $AN
  for p in ${attempt%%:*}; do
    "$CTL" ingest "$IT_DIR/part$p.jsonl" >/dev/null || fail "ingest part $p"
    last=$p
  done
  HEAD=$(sched_head)
  kill -CONT $AN
  sleep "${attempt##*:}"
  kill -9 $AN; wait $AN 2>/dev/null
  c=$(stored_cursor scheduler)
  start_bg analytics "$BIN/entretiens-analytics"; AN=$LAST_PID
  wait_alive analytics
  if [ "$c" -lt "$HEAD" ]; then
    log "analytics killed mid-stream: it had committed scheduler events up to $c of $HEAD (from $C0)"
    killed=1
    break
  fi
  caught_up 60
done
[ $killed = 1 ] || fail "analytics always finished its backlog before the kill"
[ $last = 4 ] || { "$CTL" ingest "$IT_DIR/part4.jsonl" >/dev/null || fail "ingest part 4"; }
# time passes: deadlines go overdue (the scheduler's daily sweep publishes them)
"$CTL" clock set 2026-09-15 --only scheduler,records,analytics >/dev/null || fail "clock set"
export ENTRETIENS_NOW=2026-09-15 # for the analytics started from now on
caught_up 120

# a yearly review campaign, then interviews held, answered and signed by
# both parties through records: the answer figures come from real reports
"$CTL" campaign create --id review-2026 --type annual_review --from 2026-09-01 --to 2026-12-31 >/dev/null ||
  fail "campaign create"
caught_up 120
"$CTL" --as admin:root access grant hr:it --entity '*' >/dev/null || fail "access grant"
# close_interviews (lib.sh): interviews carried to signature, answers varied by $k
close_interviews annual_review 6 '{highlights: "my year", engagement: ([1, 4, 5, 3, 4, 2][$k]), workload: 3,
  training_needs: [{theme: "excel", priority: "medium", modality: "e_learning"}]}' "$IT_ANSWERS/annual_review-manager.json"
close_interviews professional 5 '{skills_acquired: "sql", career_path: "data",
  mobility_wish: (if $k == 0 then {kind: "external", horizon: "6_months"} else {kind: "internal_new_job", horizon: "2_years"} end)}' \
  "$IT_ANSWERS/professional-manager.json"
# a correction: the first review is reopened by HR, its report rewritten and signed again
read -r CID CEMP CMGR <"$IT_DIR/closed.txt"
"$CTL" --as hr:it interview reopen "$CID" --reason "wrong training need" >/dev/null || fail "reopen $CID"
echo '{"training_needs": [{"theme": "leadership", "priority": "low", "modality": "coaching"}]}' >"$IT_DIR/fix.json"
"$CTL" --as "manager:$CMGR" interview answer "$CID" --file "$IT_DIR/fix.json" --submit >/dev/null &&
  "$CTL" --as "employee:$CEMP" interview sign "$CID" >/dev/null &&
  "$CTL" --as "manager:$CMGR" interview sign "$CID" >/dev/null || fail "correction of $CID"
caught_up 60

figures() { # out-dir env...
  local dir=$1; shift
  mkdir -p "$dir"
  local q
  while IFS='|' read -r name args; do
    # shellcheck disable=SC2086
    env "$@" "$CTL" --as hr:it --json stats $args >"$dir/$name.json" 2>"$dir/$name.err" ||
      fail "stats $args: $(cat "$dir/$name.err")"
  done <<'EOF'
completion|completion
completion-entity|completion --by entity
completion-month|completion --by month
completion-type|completion --by type
completion-dept|completion --entity ACME-FR --by department
completion-period|completion --from 2026-01 --to 2026-12 --by site
compliance|compliance --by department --list --limit 10000
compliance-risk|compliance --list --status at_risk --limit 10000
compliance-entity|compliance --entity ACME-FR --by site
signals|signals --limit 10000
signals-dept|signals --department sales --limit 10000
managers|managers --limit 10000
managers-one|managers --manager E000001
training|training --by entity
mobility|mobility
competencies|competencies
ratings|ratings --by type
objectives|objectives --by month
EOF
  # CSV too: the same figures in the other contract
  env "$@" "$CTL" --as hr:it stats completion --by entity --csv >"$dir/completion-entity.csv" || fail "csv"
}
# the figures field by field, one line per leaf: "path = value"
flatten() {
  jq -r 'paths(scalars) as $p | "\($p | map(tostring) | join(".")) = \(getpath($p) | tostring)"' "$1"
}
compare() { # dir-a dir-b label
  local f diffs=0
  for f in "$1"/*.json; do
    if ! diff <(flatten "$f") <(flatten "$2/$(basename "$f")") >"$IT_DIR/diff.txt"; then
      echo "$3: $(basename "$f" .json) differs:" >&2; head -n 20 "$IT_DIR/diff.txt" >&2
      diffs=$((diffs + 1))
    fi
  done
  cmp -s "$1/completion-entity.csv" "$2/completion-entity.csv" || { echo "$3: csv differs" >&2; diffs=$((diffs + 1)); }
  [ $diffs -eq 0 ] || fail "$3: $diffs figure sets differ"
}

figures "$IT_DIR/live"
# the figures are not empty
owed=$(jq '.total.owed' "$IT_DIR/live/completion.json")
[ "$owed" -gt "$N" ] || fail "only $owed obligations owed for $N employees"
overdue=$(jq '.total.overdue' "$IT_DIR/live/completion.json")
[ "$overdue" -gt 0 ] || fail "no overdue obligation after the clock moved"
iv=$(jq '.total.interviews' "$IT_DIR/live/completion.json")
[ "$iv" -gt 0 ] || fail "no interview seen from records"
emp=$(jq '.total.employees' "$IT_DIR/live/compliance.json")
[ "$emp" -gt $((N / 2)) ] || fail "compliance counts $emp employees"
[ "$(jq '.total.overdue + .total.due_soon + .total.up_to_date' "$IT_DIR/live/compliance.json")" = "$emp" ] ||
  fail "compliance statuses do not add up"
[ "$(jq '[.entities[] | select(.subject)] | length' "$IT_DIR/live/compliance.json")" -ge 1 ] || fail "no entity of 50+"
[ "$(jq '[.entities[] | select(.subject | not)] | length' "$IT_DIR/live/compliance.json")" -ge 1 ] ||
  fail "no entity under 50"
# issue 18: the exposure if an inspection found it unpaid (L6323-13: + 100 %)
[ "$(jq '.total.exposure_if_inspected_eur == 2 * .total.exposure_eur and
         .total.owed_if_inspected_eur == 2 * .total.owed_eur and
         ([.entities[] | select(.exposure_if_inspected_eur != 2 * .exposure_eur)] | length) == 0' \
      "$IT_DIR/live/compliance.json")" = true ] || fail "exposure if inspected: $(jq -c .total "$IT_DIR/live/compliance.json")"
[ "$(jq '.managers | length' "$IT_DIR/live/managers.json")" -gt 0 ] || fail "no manager with something to do"
[ "$(jq '.flagged | length' "$IT_DIR/live/signals.json")" -gt 0 ] || fail "no signal"
# the answers of the reports signed above: once each, corrections included
[ "$(jq '.groups[] | select(.group == "annual_review") | .respondents' "$IT_DIR/live/ratings.json")" = 6 ] ||
  fail "ratings: $(jq -c '.groups' "$IT_DIR/live/ratings.json")"
eng=$(jq -c '.groups[] | select(.group == "annual_review") | .ratings[] | select(.question_id == "engagement") | [.count, .mean, .histogram]' \
  "$IT_DIR/live/ratings.json")
[ "$eng" = '[6,3.17,[1,1,1,2,1]]' ] || fail "engagement distribution: $eng"
"$CTL" --as hr:it --json stats training --type annual_review >"$IT_DIR/train.json" || fail "stats training"
[ "$(jq -c '[.total.training[] | select(.theme == "negotiation") | .count] | add' "$IT_DIR/train.json")" = 5 ] ||
  fail "training after the correction: $(jq -c .total "$IT_DIR/train.json")"
[ "$(jq -c '[.total.training[] | select(.theme == "leadership") | .count] | add' "$IT_DIR/train.json")" = 1 ] ||
  fail "the corrected need: $(jq -c .total "$IT_DIR/train.json")"
[ "$(jq '.total.wish_to_leave' "$IT_DIR/live/mobility.json")" = 1 ] || fail "mobility: $(jq -c .total "$IT_DIR/live/mobility.json")"
[ "$(jq '.counts.low_engagement' "$IT_DIR/live/signals.json")" -ge 1 ] || fail "no low engagement signal"
[ "$(jq '.counts.wish_to_leave' "$IT_DIR/live/signals.json")" = 1 ] || fail "no wish-to-leave signal"
[ "$(jq '.total.closed' "$IT_DIR/live/completion.json")" = 11 ] || fail "closed: $(jq '.total.closed' "$IT_DIR/live/completion.json")"
# signals stay for HR
"$CTL" --as manager:E000001 stats signals >/dev/null 2>"$IT_DIR/denied.err" && fail "signals shown to a manager"
grep -q PERMISSION_DENIED "$IT_DIR/denied.err" || fail "expected PERMISSION_DENIED: $(cat "$IT_DIR/denied.err")"
log "live: $owed owed, $overdue overdue, $iv interviews, $emp employees"

# (1) a second analytics on an empty store replays both producers from seq 1
B_RPC=tcp://127.0.0.1:$(free_port); B_HTTP=127.0.0.1:$(free_port)
B_ENV=(ENTRETIENS_ANALYTICS_RPC=$B_RPC ENTRETIENS_ANALYTICS_HTTP=$B_HTTP ENTRETIENS_DATA_DIR=$IT_DIR/var-b)
start_bg analytics-b env "${B_ENV[@]}" "$BIN/entretiens-analytics"; ANB=$LAST_PID
caught_up 180 "$B_HTTP"
# an empty store is rebuilt as a bulk load (common/store.h), which ends —
# the store synced, its marker removed — once caught up
grep -q '"event":"store.bulk.begin"' "$IT_DIR/analytics-b.log" || fail "the rebuild of an empty store was no bulk load"
bulk_ended() { # log
  local _
  for _ in $(seq 1 40); do grep -q '"event":"store.bulk.end"' "$1" && return 0; sleep 0.25; done
  return 1
}
bulk_ended "$IT_DIR/analytics-b.log" || fail "the bulk load did not end once caught up"
[ ! -e "$IT_DIR/var-b/analytics/bulk-load" ] || fail "the bulk load's marker is still there after its end"
figures "$IT_DIR/replayed" "${B_ENV[@]}"
compare "$IT_DIR/live" "$IT_DIR/replayed" "replayed from seq 1"
kill -TERM $ANB; wait $ANB

# (2) the first one, its store deleted, rebuilt from scratch — and killed
# with SIGKILL as soon as its bulk load begins: the same boot still holds
# every page it wrote, so the store is kept ("store.bulk.kept")
kill -9 $AN; wait $AN 2>/dev/null
rm -rf "$ENTRETIENS_DATA_DIR/analytics"
start_bg analytics-rebuild "$BIN/entretiens-analytics"; AN=$LAST_PID
for _ in $(seq 1 1000); do grep -q '"event":"store.bulk.begin"' "$IT_DIR/analytics-rebuild.log" && break; sleep 0.01; done
kill -STOP $AN
grep -q '"event":"store.bulk.begin"' "$IT_DIR/analytics-rebuild.log" || fail "the rebuild was no bulk load"
grep -q '"event":"store.bulk.end"' "$IT_DIR/analytics-rebuild.log" && fail "the bulk load ended before the kill"
kill -9 $AN; wait $AN 2>/dev/null
[ -e "$ENTRETIENS_DATA_DIR/analytics/bulk-load" ] || fail "no marker left by the killed bulk load"
start_bg analytics-kept "$BIN/entretiens-analytics"; AN=$LAST_PID
caught_up 180
grep -q '"event":"store.bulk.kept"' "$IT_DIR/analytics-kept.log" || fail "the killed bulk load's store was not kept"
figures "$IT_DIR/rebuilt"
compare "$IT_DIR/live" "$IT_DIR/rebuilt" "rebuilt after deleting the store"
kill -TERM $AN; wait $AN || fail "analytics did not stop cleanly"

# (3) a bulk load cut by a restart of the machine (a marker of another
# boot): the disk may hold any subset of its pages, so the store is
# discarded at the next start and rebuilt, to the same figures
echo 00000000-0000-4000-8000-000000000000 >"$ENTRETIENS_DATA_DIR/analytics/bulk-load"
start_bg analytics-discarded "$BIN/entretiens-analytics"; AN=$LAST_PID
caught_up 180
grep -q '"event":"store.bulk.discarded"' "$IT_DIR/analytics-discarded.log" ||
  fail "a marker of another boot did not discard the store"
bulk_ended "$IT_DIR/analytics-discarded.log" || fail "the rebuild after the discard did not end its bulk load"
figures "$IT_DIR/rediscarded"
compare "$IT_DIR/live" "$IT_DIR/rediscarded" "rebuilt after a machine restart during a bulk load"
kill -TERM $AN; wait $AN || fail "analytics did not stop cleanly"
[ ! -e "$ENTRETIENS_DATA_DIR/analytics/bulk-load" ] || fail "marker left after a clean stop"
echo "analytics: live (killed -9 mid-stream), replayed and rebuilt projections agree field by field ($owed obligations, $iv interviews, $N employees)"
