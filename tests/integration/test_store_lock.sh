# One daemon per store: a second scheduler (then a second notifier) started
# on the same data directory with other ports exits non-zero, naming the
# first one's pid, without binding anything; the first keeps serving; after
# kill -9 of the first, a new one starts on the same store without clean-up.
source "$(dirname "$0")/lib.sh"
export ENTRETIENS_NOW=2026-03-02

# Waits (up to 15 s) for pid to exit; its status goes to $EXIT_RC.
wait_exit() { # pid what
  local i
  for i in $(seq 1 150); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$1" 2>/dev/null && fail "$2 is still running: two daemons on one store"
  wait "$1"; EXIT_RC=$?
}

# first scheduler
it_endpoints scheduler records
start_bg scheduler-a "$BIN/entretiens-scheduler"; PID_A=$LAST_PID
wait_alive scheduler
A_RPC=$ENTRETIENS_SCHEDULER_RPC A_HTTP=$(http_port scheduler)
STORE=$ENTRETIENS_DATA_DIR/scheduler
[ "$(stat -c %a "$STORE/instance.lock")" = 600 ] || fail "lock file mode $(stat -c %a "$STORE/instance.lock")"
[ "$(cat "$STORE/instance.lock")" = "$PID_A" ] || fail "lock file holds '$(cat "$STORE/instance.lock")', not $PID_A"
cat >"$IT_DIR/one.jsonl" <<'JSON'
{"event_id":"l1","source":"hris","type":"hired","employee_id":"L1","effective_date":"2026-03-15","entity":"ACME-FR","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/one.jsonl" >"$IT_DIR/one.out" 2>&1 || fail "ingest: $(cat "$IT_DIR/one.out")"

# second scheduler: same data directory, other ports
it_endpoints scheduler records
B_HTTP=$(http_port scheduler)
start_bg scheduler-b "$BIN/entretiens-scheduler"; PID_B=$LAST_PID
wait_exit $PID_B "the second scheduler"
[ "$EXIT_RC" -ne 0 ] || fail "the second scheduler exited 0"
grep '"store.locked"' "$IT_DIR/scheduler-b.log" | grep -q "pid $PID_A\b" ||
  fail "the second scheduler's log does not name pid $PID_A: $(cat "$IT_DIR/scheduler-b.log")"
grep -q '"daemon.ready"' "$IT_DIR/scheduler-b.log" && fail "the second scheduler got ready"
curl -s -o /dev/null "http://127.0.0.1:$B_HTTP/healthz" && fail "the second scheduler bound its HTTP port"

# the first keeps serving, its data intact; a read-only LMDB tool still works beside it
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A_HTTP/healthz")" = 200 ] || fail "the first scheduler stopped serving"
export ENTRETIENS_SCHEDULER_RPC=$A_RPC
"$CTL" obligations --employee L1 --json >"$IT_DIR/l1.json" || fail "the first scheduler does not answer: $(cat "$IT_DIR/l1.json")"
grep -q "\"obligation_id\": \"L1/professional/2026-03-15\"" "$IT_DIR/l1.json" || fail "L1's obligations: $(cat "$IT_DIR/l1.json")"
mdb_stat "$STORE" >/dev/null || fail "mdb_stat cannot read the store beside the daemon"
[ "$(cat "$STORE/instance.lock")" = "$PID_A" ] || fail "the refused scheduler rewrote the lock file"

# kill -9: the kernel drops the lock, a new scheduler starts on the same store
kill -9 $PID_A; wait $PID_A 2>/dev/null
it_endpoints scheduler records
start_bg scheduler-c "$BIN/entretiens-scheduler"; PID_C=$LAST_PID
wait_alive scheduler
grep -q '"store.locked"' "$IT_DIR/scheduler-c.log" && fail "the restart found the store locked"
[ "$(cat "$STORE/instance.lock")" = "$PID_C" ] || fail "lock file holds '$(cat "$STORE/instance.lock")', not $PID_C"
"$CTL" obligations --employee L1 --json >"$IT_DIR/l1c.json" || fail "restarted scheduler: $(cat "$IT_DIR/l1c.json")"
cmp -s "$IT_DIR/l1.json" "$IT_DIR/l1c.json" || fail "L1's obligations changed across the kill"
kill -TERM $PID_C; wait $PID_C; rc=$?
[ $rc -eq 0 ] || fail "the restarted scheduler exited $rc after SIGTERM"

# the notifier (twice every webhook, in the review that found this)
it_endpoints scheduler records notifier
start_bg notifier-a "$BIN/entretiens-notifier"; PID_NA=$LAST_PID
wait_alive notifier
it_endpoints scheduler records notifier
start_bg notifier-b "$BIN/entretiens-notifier"; PID_NB=$LAST_PID
wait_exit $PID_NB "the second notifier"
[ "$EXIT_RC" -ne 0 ] || fail "the second notifier exited 0"
grep '"store.locked"' "$IT_DIR/notifier-b.log" | grep -q "pid $PID_NA\b" ||
  fail "the second notifier's log does not name pid $PID_NA: $(cat "$IT_DIR/notifier-b.log")"
kill -0 $PID_NA 2>/dev/null || fail "the first notifier died"
echo "one daemon per store: second scheduler and notifier refused with the holder's pid; restart after kill -9"
