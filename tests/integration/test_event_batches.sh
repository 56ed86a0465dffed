# The event bus' live path, through real daemons: the scheduler publishes
# each turn's events as "$batch" frames (docs/protocol.md, "Events"); records
# and analytics must apply them as they come, not fall back to replay.  A
# consumer that could not read batch frames would still catch up (by replay
# on the heartbeats): so the test asserts that the events came live — no
# malformed frame, no gap, no replay requested after the first one at start
# — while thousands of events crossed in many frames, and that the stream
# is applied exactly once after a consumer was stopped and resumed.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records analytics
export ENTRETIENS_NOW=2026-03-02
N=1500; [ "$IT_SCALE" = small ] && N=600
start_daemons scheduler records analytics

hires() { # first count prefix -> JSON lines of hires
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
first, count, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for i in range(first, first + count):
    print(json.dumps({"event_id": f"{prefix}{i}", "source": "hris", "type": "hired", "employee_id": f"E{i:06d}",
                      "effective_date": f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                      "entity": "ACME-FR", "department": "ops", "region": "metropole", "locale": "fr",
                      "birth_date": "1980-06-01", "category": "cadre"}))
PY
}
rec_metric() { metric "$ENTRETIENS_RECORDS_HTTP" "entretiens_records_$1{producer=\"scheduler\"}"; }
an_metric() { metric "$ENTRETIENS_ANALYTICS_HTTP" "entretiens_analytics_$1{producer=\"scheduler\"}"; }
rec_cursor() { rec_metric consumer_cursor_seq; }
wait_cursors() { # timeout
  local sh
  for _ in $(seq 1 $(($1 * 4))); do
    sh=$(sched_head)
    [ -n "$sh" ] && [ "$(rec_cursor)" = "$sh" ] && [ "$(an_cursor "$ENTRETIENS_ANALYTICS_HTTP" scheduler)" = "$sh" ] && return 0
    sleep 0.25
  done
  fail "consumers not at the scheduler's head $(sched_head): records $(rec_cursor), analytics $(an_cursor "$ENTRETIENS_ANALYTICS_HTTP" scheduler)"
}

# wait for the consumers' first heartbeat-driven check, then note where the
# counters stand (a consumer may ask one replay at start)
sleep 1.5
r_replays0=$(rec_metric events_replays_total); a_replays0=$(an_metric events_replays_total)

# one ingest of N hires: one scheduler turn, thousands of events
hires 0 "$N" h >"$IT_DIR/h1.jsonl"
"$CTL" ingest "$IT_DIR/h1.jsonl" >"$IT_DIR/ingest1.txt" || fail "ingest: $(cat "$IT_DIR/ingest1.txt")"
wait_cursors 60
head1=$(sched_head)
[ "$head1" -gt $((4 * N)) ] || fail "expected more than $((4 * N)) events from $N hires, head is $head1"
published=$(metric "$ENTRETIENS_SCHEDULER_HTTP" entretiens_scheduler_events_published_total)
[ "$published" -ge "$head1" ] || fail "the scheduler published $published events of $head1"
for who in rec an; do
  for m in events_malformed_total events_gaps_total; do
    v=$(${who}_metric $m)
    [ "${v:-0}" = 0 ] || fail "$who: $m = $v after a live stream of $head1 events"
  done
done
[ "$(rec_metric events_replays_total)" = "$r_replays0" ] ||
  fail "records asked replays during the live stream ($r_replays0 -> $(rec_metric events_replays_total)): batches not applied live"
[ "$(an_metric events_replays_total)" = "$a_replays0" ] ||
  fail "analytics asked replays during the live stream ($a_replays0 -> $(an_metric events_replays_total))"
[ "$(rec_metric events_applied_total)" = "$head1" ] || fail "records applied $(rec_metric events_applied_total) of $head1"
log "live: $head1 events in batch frames, applied by records and analytics without a gap or a replay"

# records stopped (SIGSTOP) while another N hires are ingested, then
# resumed: what its queues held comes live, anything the PUB dropped by
# replay; every event is applied exactly once
kill -STOP "${IT_PIDS[1]}"
hires "$N" "$N" k >"$IT_DIR/h2.jsonl"
"$CTL" ingest "$IT_DIR/h2.jsonl" >/dev/null || fail "second ingest"
kill -CONT "${IT_PIDS[1]}"
wait_cursors 60
head2=$(sched_head)
[ "$(rec_metric events_applied_total)" = "$head2" ] || fail "records applied $(rec_metric events_applied_total) of $head2 after a pause"
[ "$(rec_metric events_duplicates_total)" = 0 ] || fail "records saw duplicates: $(rec_metric events_duplicates_total)"
[ "$(rec_metric events_malformed_total)" = 0 ] || fail "records: malformed frames after the pause"
n=$("$CTL" --as admin:root --json interview list --employee E000001 --limit 50 | jq '.interviews | length')
[ "${n:-0}" -ge 1 ] || fail "no interview for E000001"
log "after a pause: $head2 events applied once each"
echo "PASS test_event_batches"
