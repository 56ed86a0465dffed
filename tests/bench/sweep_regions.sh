#!/usr/bin/env bash
# The scheduler's sweep at each region's midnight (issue 11, local time):
# a real scheduler on N employees of the demo generator (default 100,000),
# its pinned clock moved to each region's midnight in turn, then a whole day
# at once; prints the wall time of `clock set` (the sweep runs inside it)
# and the CPU the daemon spent (/proc/PID/stat utime+stime), with the load
# average.  Usage: ENT_BUILD=build-release bash tests/bench/sweep_regions.sh
# [--employees N]
here=$(cd "$(dirname "$0")/../integration" && pwd)
source "$here/lib.sh"
N=100000
[ "${1:-}" = --employees ] && N=$2
export TZ=Europe/Paris
it_endpoints scheduler
"$CTL" demo generate --employees "$N" --seed 11 --start 2015-01-05 >"$IT_DIR/org.jsonl" || fail "demo generate"
start_bg scheduler env ENTRETIENS_NOW=2026-11-26T19:58:00Z "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
wait_alive scheduler
"$CTL" ingest "$IT_DIR/org.jsonl" >/dev/null 2>&1 || fail "ingest"
cpu() { awk '{print $14 + $15}' "/proc/$SCHED/stat"; }
hz=$(getconf CLK_TCK)
echo "scheduler sweep at each region's midnight — $N employees, $(wc -l <"$IT_DIR/org.jsonl") events"
measure() { # label instant
  local c0 c1 t0 t1
  c0=$(cpu); t0=$(date +%s.%N)
  "$CTL" clock set "$2" --only scheduler >/dev/null || fail "clock set $2"
  t1=$(date +%s.%N); c1=$(cpu)
  printf '%-36s wall %6.2f s  cpu %6.2f s  (load %s)\n' "$1" "$(echo "$t1 - $t0" | bc -l)" \
    "$(echo "($c1 - $c0) / $hz" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
}
measure "no day turns (19:59 UTC)" 2026-11-26T19:59:00Z
measure "La Réunion turns (20:00 UTC)" 2026-11-26T20:00:00Z
measure "Mayotte turns (21:00 UTC)" 2026-11-26T21:00:00Z
measure "Paris turns (23:00 UTC)" 2026-11-26T23:00:00Z
measure "Guyane turns (03:00 UTC)" 2026-11-27T03:00:00Z
measure "the Antilles turn (04:00 UTC)" 2026-11-27T04:00:00Z
measure "every region, a whole day later" 2026-11-28T04:00:00Z
