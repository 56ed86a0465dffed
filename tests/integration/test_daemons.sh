# The four daemons as real processes: they start, subscribe to each other,
# become ready, answer health, move their pinned clocks together, serve
# valid Prometheus metrics, survive bad input, and stop cleanly on SIGTERM.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics
export ENTRETIENS_NOW=2026-03-02
for d in scheduler records notifier analytics; do
  start_bg $d "$BIN/entretiens-$d"; eval "PID_$d=$LAST_PID"
done
for d in scheduler records notifier analytics; do wait_ready $d; done

out=$("$CTL" health --json) || fail "health: $out"
[ "$(echo "$out" | grep -c '"up": true')" -eq 4 ] || fail "not all up: $out"
grep -q '"clock_pinned": true' <<<"$out" || fail "clock should be pinned: $out"

out=$("$CTL" clock set 2027-01-15 --json) || fail "clock set: $out"
[ "$(echo "$out" | grep -c '"today": "2027-01-15"')" -eq 4 ] || fail "clock not moved everywhere: $out"
out=$("$CTL" clock show) || fail "clock show"
[ "$(echo "$out" | grep -c 'today 2027-01-15')" -eq 4 ] || fail "clock show: $out"
"$CTL" clock set 2027-02-30 >/dev/null 2>&1 && fail "an impossible date must be refused"

for d in scheduler records notifier analytics; do
  curl -sf "http://127.0.0.1:$(http_port $d)/metrics" >"$IT_DIR/$d.metrics" || fail "$d /metrics"
  promtool check metrics <"$IT_DIR/$d.metrics" >"$IT_DIR/$d.promtool" 2>&1 || fail "$d metrics: $(cat "$IT_DIR/$d.promtool")"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(http_port $d)/healthz")" = 200 ] || fail "$d healthz"
done
grep -q 'entretiens_records_events_applied_total{producer="scheduler"}' "$IT_DIR/records.metrics" || fail "records metrics lack consumer counters"

out=$("$PEER" fuzz "$ENTRETIENS_SCHEDULER_RPC") || fail "bad input: $out"
# metrics are synced every second: wait for the count, not for a second
malformed() { curl -s "http://127.0.0.1:$(http_port scheduler)/metrics" | sed -nE 's/^entretiens_scheduler_rpc_malformed_total ([0-9]+)$/\1/p'; }
malformed_seen() { [ "$(malformed)" -gt 0 ] 2>/dev/null && echo yes; }
wait_for 10 yes malformed_seen || fail "malformed requests not counted (entretiens_scheduler_rpc_malformed_total: $(malformed))"
grep -q '"rpc.malformed"' "$IT_DIR/scheduler.log" || fail "malformed requests not logged"

# a hot backup while the daemon serves: a store LMDB can open; refused into a non-empty directory
mkdir -p "$IT_DIR/backup"
"$CTL" backup scheduler "$IT_DIR/backup" >"$IT_DIR/backup.out" 2>&1 || fail "backup: $(cat "$IT_DIR/backup.out")"
mdb_stat "$IT_DIR/backup" >/dev/null || fail "the backup is not an LMDB store"
mdb_stat -a "$IT_DIR/backup" | grep -q "Status of outbox" || fail "the backup lacks the outbox"
"$CTL" backup scheduler "$IT_DIR/backup" >/dev/null 2>&1 && fail "a backup into a non-empty directory must fail"
"$CTL" backup records "$IT_DIR/no/such/dir" >/dev/null 2>&1 && fail "a backup into a missing directory must fail"
"$CTL" health --json | grep -c '"up": true' | grep -q 4 || fail "a daemon stopped serving after the backups"

for d in scheduler records notifier analytics; do eval "kill -TERM \$PID_$d"; done
for d in scheduler records notifier analytics; do
  eval "wait \$PID_$d"; rc=$?
  [ $rc -eq 0 ] || fail "$d exited with $rc after SIGTERM"
  grep -q 'stopped cleanly' "$IT_DIR/$d.log" || fail "$d did not log a clean stop"
done

# a daemon on the real clock refuses to move it
unset ENTRETIENS_NOW
start_bg scheduler2 "$BIN/entretiens-scheduler"
wait_alive scheduler
"$CTL" clock set 2027-01-15 --only scheduler >/dev/null 2>"$IT_DIR/clock.err" && fail "real clock moved"
grep -q FAILED_PRECONDITION "$IT_DIR/clock.err" || fail "expected FAILED_PRECONDITION: $(cat "$IT_DIR/clock.err")"
echo "four daemons: ready, health, clock, metrics, bad input, clean stop"
