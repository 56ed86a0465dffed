# The HTTP endpoint cannot be wedged by a burst of hostile connections
# (issue: ~300 connections opened and closed left /healthz unanswered for
# minutes, and Kubernetes would restart a healthy daemon).
#
# 1. http_burst.py opens 1,000 connections to the scheduler's HTTP port:
#    idle ones, half a request line, pipelined /metrics never read,
#    half-closed, closed at once, reset at once; it holds the first four
#    kinds, then drops them all.  /healthz must answer all along (a probe
#    loop runs through the whole burst), /healthz, /readyz and /metrics
#    while the connections are held, and /healthz within 1 s once they are
#    dropped.
# 2. The same against a scheduler whose RLIMIT_NOFILE caps its HTTP table
#    at 64 connections (see http.h), so that the burst fills it; the
#    connections are dropped while the daemon is stopped (SIGSTOP: a loop
#    busy elsewhere), so that one libmicrohttpd run sees the table go from
#    full to empty.  /healthz must answer within 1 s after SIGCONT.  (That
#    run used to leave the listening socket out of MHD's epoll set for good.)
#
# Timeouts are generous (5 s) except the 1 s ones, which are the issue's
# acceptance criterion.
source "$(dirname "$0")/lib.sh"
BURST=1000
PY=/usr/bin/python3
[ -x "$PY" ] || fail "$PY is required"

# the burst holds ~670 sockets in the script and as many in the daemon (both
# inherit this limit): the descriptor limit must not be what this measures
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge 1024 ] || fail "needs 1024 open files (ulimit -n is $(ulimit -n))"

it_endpoints scheduler records
start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg records "$BIN/entretiens-records"
wait_ready scheduler; wait_ready records
PORT=$(http_port scheduler)
URL=http://127.0.0.1:$PORT

get() { # max-time path -> "code" on stdout, body in $IT_DIR/body
  curl -s --max-time "$1" -o "$IT_DIR/body" -w '%{http_code}' "$URL$2"
}
open_fds() {
  curl -s --max-time 5 "$URL/metrics" | awk '$1 == "process_open_fds" {print $2; exit}'
}
FDS0=$(open_fds)
[ -n "$FDS0" ] || fail "no process_open_fds before the burst"

# a probe every 0.1 s from before the burst until after the release
probe_loop() {
  while [ ! -e "$IT_DIR/probes.stop" ]; do
    curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}\n' "$URL/healthz" >>"$IT_DIR/probes"
    sleep 0.1
  done
}
probe_loop &
PROBES=$!; IT_PIDS+=("$PROBES")   # killed by it_cleanup if we fail
sleep 0.3

log "burst of $BURST connections on $PORT"
"$PY" "$(dirname "$0")/http_burst.py" "$PORT" "$BURST" "$IT_DIR/held" "$IT_DIR/release" \
  >"$IT_DIR/burst.out" 2>&1 &
BURSTER=$!; IT_PIDS+=("$BURSTER")
for _ in $(seq 1 600); do [ -s "$IT_DIR/held" ] || sleep 0.1; done
[ -s "$IT_DIR/held" ] || fail "the burst did not open its connections: $(cat "$IT_DIR/burst.out")"
log "$(cat "$IT_DIR/held")"

# while the connections are held
code=$(get 5 /healthz); [ "$code" = 200 ] || fail "/healthz during the burst: '$code'"
code=$(get 5 /readyz); [ "$code" = 200 ] || fail "/readyz during the burst: '$code' $(cat "$IT_DIR/body")"
code=$(get 5 /metrics); [ "$code" = 200 ] || fail "/metrics during the burst: '$code'"
# premise: the daemon really holds the burst (else this test proves nothing)
fds=$(awk '$1 == "process_open_fds" {print $2; exit}' "$IT_DIR/body")
[ "${fds:-0}" -ge $((FDS0 + 300)) ] || fail "the daemon holds only ${fds:-?} descriptors (was $FDS0) during the burst"
log "held: the daemon has $fds descriptors open (was $FDS0), /healthz /readyz /metrics answer"

touch "$IT_DIR/release"
wait $BURSTER || fail "burst script: $(cat "$IT_DIR/burst.out")"
log "$(cat "$IT_DIR/burst.out")"

# the acceptance criterion: within 1 s of the drop, and on every try
for i in 1 2 3; do
  code=$(get 1 /healthz)
  [ "$code" = 200 ] || fail "/healthz after the burst (try $i): '$code' within 1 s"
done
touch "$IT_DIR/probes.stop"; wait $PROBES

code=$(get 10 /metrics); [ "$code" = 200 ] || fail "/metrics after the burst: '$code'"
promtool check metrics <"$IT_DIR/body" >"$IT_DIR/promtool" 2>&1 || fail "metrics after the burst: $(cat "$IT_DIR/promtool")"
code=$(get 5 /readyz); [ "$code" = 200 ] || fail "/readyz after the burst: '$code'"

n=$(wc -l <"$IT_DIR/probes")
bad=$(grep -vc '^200 ' "$IT_DIR/probes")
[ "$n" -ge 3 ] || fail "only $n probes ran during the burst"
[ "$bad" -eq 0 ] || fail "$bad of $n probes during the burst failed: $(grep -v '^200 ' "$IT_DIR/probes" | head -n 5 | tr '\n' ' ')"
log "$n probes during the burst, all 200 (slowest $(sort -k2 -n "$IT_DIR/probes" | tail -n 1 | cut -d' ' -f2) s)"

# every dropped connection is released (nothing leaks, nothing lingers;
# the margin is for the scrape itself: its connection and a /proc file)
for _ in $(seq 1 50); do
  fds=$(open_fds); [ "${fds:-999999}" -le $((FDS0 + 5)) ] && break
  sleep 0.2
done
[ "${fds:-999999}" -le $((FDS0 + 5)) ] || fail "descriptors not released after the burst: ${fds:-?} open, $FDS0 before"

kill -TERM "$SCHED"; wait "$SCHED"; rc=$?
[ $rc -eq 0 ] || fail "scheduler exited with $rc after SIGTERM"
grep -q 'stopped cleanly' "$IT_DIR/scheduler.log" || fail "scheduler did not log a clean stop"
log "phase 1 passed"

# --- 2. a full table emptied in one run ---------------------------------
# soft limit 320 = ENT_HTTP_FD_RESERVE (256) + 64 connections
start_bg scheduler2 bash -c 'ulimit -n 320 && exec "$0"' "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
wait_ready scheduler
FDS0=$(ls "/proc/$SCHED/fd" | wc -l)
rm -f "$IT_DIR/held" "$IT_DIR/release"
"$PY" "$(dirname "$0")/http_burst.py" "$PORT" 300 "$IT_DIR/held" "$IT_DIR/release" \
  >"$IT_DIR/burst2.out" 2>&1 &
BURSTER=$!; IT_PIDS+=("$BURSTER")
for _ in $(seq 1 600); do [ -s "$IT_DIR/held" ] || sleep 0.1; done
[ -s "$IT_DIR/held" ] || fail "the second burst did not open its connections: $(cat "$IT_DIR/burst2.out")"
# premise: the table is full (its sockets are the daemon's descriptors),
# and the daemon has settled: the count holds still for 0.5 s, so that no
# accept or close is still in flight when the daemon is stopped (other
# descriptors come and go, hence a plateau rather than an exact count)
prev=-1; still=0
for _ in $(seq 1 100); do
  fds=$(ls "/proc/$SCHED/fd" | wc -l)
  if [ "$fds" -ge $((FDS0 + 64)) ] && [ "$fds" -eq "$prev" ]; then
    still=$((still + 1)); [ $still -ge 5 ] && break
  else
    still=0
  fi
  prev=$fds; sleep 0.1
done
[ $still -ge 5 ] || fail "the table did not fill: $fds descriptors, $FDS0 before"
log "$(cat "$IT_DIR/held"); the daemon has $fds descriptors open (was $FDS0); stopping it"
kill -STOP "$SCHED"
touch "$IT_DIR/release"
wait $BURSTER || { kill -CONT "$SCHED"; fail "burst script: $(cat "$IT_DIR/burst2.out")"; }
kill -CONT "$SCHED"
log "$(cat "$IT_DIR/burst2.out"), daemon resumed"
for i in 1 2 3; do
  code=$(get 1 /healthz)
  [ "$code" = 200 ] || fail "/healthz after the full table emptied (try $i): '$code' within 1 s"
done
code=$(get 10 /metrics); [ "$code" = 200 ] || fail "/metrics after the full table emptied: '$code'"

kill -TERM "$SCHED"; wait "$SCHED"; rc=$?
[ $rc -eq 0 ] || fail "scheduler (second run) exited with $rc after SIGTERM"
grep -q 'stopped cleanly' "$IT_DIR/scheduler2.log" || fail "scheduler (second run) did not log a clean stop"
echo "http burst: $BURST connections, then a full table emptied at once; /healthz, /readyz, /metrics answered"
