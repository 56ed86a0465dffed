#!/usr/bin/env bash
# The scheduler's two ways of sweeping a new day give the same obligations:
# on a pinned clock the whole population at once (parallel threads), on the
# real clock in chunks of ENTRETIENS_SCHEDULER_SWEEP_CHUNK employees per turn
# (requests answered in between) — which no other test runs, since they
# all pin the clock.  One store is left 200 days behind, then copied: one
# copy is swept on the real clock in chunks of 97, the other on a clock
# pinned to the same instant (each region's day is then the same: La
# Réunion's employees are on tomorrow from 20:00 UTC); every obligation must
# be equal, and different from the stale ones (the sweep had work to do).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
export TZ=Europe/Paris
it_endpoints scheduler
N=1200; [ "$IT_SCALE" = small ] && N=600
OLD=$(date -d "$(date +%F) - 200 days" +%F)

snapshot() { # file: every obligation, sorted
  "$CTL" due --from 1990-01-01 --to 2100-12-31 --all --limit 50000 --json >"$1.raw" || fail "due"
  jq -S 'sort_by(.employee_id, .obligation_id)' "$1.raw" >"$1" || fail "jq"
}
run_scheduler() { # env assignments... -> starts it, waits until a sweep completed
  start_bg scheduler env "$@" "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
  wait_alive scheduler
  swept() { [ "$(metric "$ENTRETIENS_SCHEDULER_HTTP" entretiens_scheduler_sweep_duration_seconds_count)" -ge 1 ] 2>/dev/null && echo yes; }
  wait_for 120 yes swept || fail "no sweep completed"
}
stop_scheduler() { kill -TERM "$SCHED"; wait "$SCHED" 2>/dev/null; }

# the organisation, swept 200 days ago
"$CTL" demo generate --employees "$N" --seed 11 --start 2015-01-05 >"$IT_DIR/org.jsonl" || fail "demo generate"
run_scheduler ENTRETIENS_NOW="$OLD"
"$CTL" ingest "$IT_DIR/org.jsonl" >/dev/null 2>&1
snapshot "$IT_DIR/stale.json"
stop_scheduler
cp -a "$ENTRETIENS_DATA_DIR/scheduler" "$IT_DIR/copy"

# 1. the real clock: the chunked sweep (97 employees a turn); the day it
# swept for is the daemon's own
run_scheduler ENTRETIENS_SCHEDULER_SWEEP_CHUNK=97
snapshot "$IT_DIR/chunked.json"
NOW=$("$CTL" --json clock show --only scheduler | jq -r '.[] | select(.service == "scheduler") | .now')
[[ $NOW =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]] || fail "the scheduler's time: '$NOW'"
# the sweep counted once the day is swept: a day changing in between (at
# a region's midnight) would have started another, which the count would
# not show
stop_scheduler
# 2. the same store before the sweep, the clock pinned to that instant
rm -rf "$ENTRETIENS_DATA_DIR/scheduler" && cp -a "$IT_DIR/copy" "$ENTRETIENS_DATA_DIR/scheduler"
run_scheduler ENTRETIENS_NOW="$NOW"
snapshot "$IT_DIR/pinned.json"
stop_scheduler

n=$(jq length "$IT_DIR/pinned.json")
[ "$n" -gt "$N" ] || fail "only $n obligations for $N employees"
cmp -s "$IT_DIR/stale.json" "$IT_DIR/pinned.json" && fail "200 days changed nothing: the comparison proves nothing"
cmp -s "$IT_DIR/chunked.json" "$IT_DIR/pinned.json" ||
  fail "the chunked sweep differs from the pinned one: $(diff "$IT_DIR/chunked.json" "$IT_DIR/pinned.json" | head -20)"
echo "PASS test_scheduler_sweep ($n obligations of $N employees equal after a chunked and a pinned sweep)"
