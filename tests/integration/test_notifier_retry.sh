# Failed deliveries: a webhook receiver down for a while gets the
# notifications once it is back, after retries spaced by a doubling
# backoff, every attempt with the same webhook-id and its own signed time; a receiver that keeps failing (or refuses) lands them in the
# dead-letter list, visible in the CLI and in /metrics, from which an
# operator sends them again once the receiver is fixed.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export TZ=Europe/Paris
it_endpoints scheduler records notifier
export ENTRETIENS_NOW=2026-03-02T09:00

hook_port=$(free_port)
down="$IT_DIR/receiver-down"
touch "$down"
receiver() { # extra args...
  start_bg hooks $PY "$HERE/notifier/http_receiver.py" --port "$hook_port" --out "$IT_DIR/hooks.jsonl" \
    --secret s3cret "$@"
  RECV_PID=$LAST_PID
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$hook_port) 2>/dev/null && return 0; sleep 0.1; done
  fail "receiver did not start"
}
receiver --fail-while "$down"
export ENTRETIENS_WEBHOOK_URL=http://127.0.0.1:$hook_port/hook ENTRETIENS_WEBHOOK_SECRET=s3cret
export ENTRETIENS_NOTIFIER_TICK_MS=50 ENTRETIENS_NOTIFIER_BACKOFF_MS=200 ENTRETIENS_NOTIFIER_MAX_TRIES=5
for d in scheduler records notifier; do start_bg $d "$BIN/entretiens-$d"; eval "PID_$d=$LAST_PID"; done
for d in scheduler records notifier; do wait_ready $d; done

hire() { # id
  echo "{\"event_id\":\"h-$1\",\"source\":\"hris\",\"type\":\"hired\",\"employee_id\":\"$1\",\"effective_date\":\"2026-02-16\",\"entity\":\"acme\",\"region\":\"metropole\",\"email\":\"$1@acme.test\",\"locale\":\"fr\",\"birth_date\":\"1990-01-10\",\"category\":\"ouvrier_employe\",\"contract\":\"permanent\",\"trial_months\":2,\"first_name\":\"A\",\"last_name\":\"$1\"}" |
    "$CTL" ingest - >/dev/null || fail "ingest $1"
}
stat_of() { # field
  "$CTL" notifications stats --json | $PY -c "import json,sys; d=json.load(sys.stdin); print(d$1)"
}

# 1. the receiver is down: the reminder owed today is tried, and tried again
hire E1
id="o:E1/end_of_trial/2026-02-16|d-30@2026-04-01|E1"
# (conditions are polled with generous limits: a loaded CI machine is slow,
# never wrong; the spacing of the tries is checked from the receiver's log)
at_least() { # n file pattern -> "ok" once the file has n matching lines
  [ "$(grep -c "$3" "$2" 2>/dev/null || true)" -ge "$1" ] && echo ok
}
wait_for 60 ok at_least 3 "$IT_DIR/hooks.jsonl" '"status": 503' || fail "no retries while down"
listed_failed() {
  "$CTL" notifications list --status failed --json | grep -q 'webhook: HTTP 503' && echo yes
}
wait_for 30 yes listed_failed || fail "not listed as failed: $("$CTL" notifications list --status failed)"
rm -f "$down"
wait_for 60 ok at_least 1 "$IT_DIR/hooks.jsonl" '"status": 200' || fail "not delivered once the receiver is back"
wait_for 30 sent sh -c "'$CTL' notifications list --subject 'o:E1/end_of_trial/2026-02-16' --json | $PY -c '
import json,sys; print([n[\"status\"] for n in json.load(sys.stdin)[\"notifications\"] if n[\"id\"] == \"$id\"][0])'" ||
  fail "not recorded as sent"
$PY - "$IT_DIR/hooks.jsonl" "$id" <<'EOF' || fail "retries not spaced by the backoff"
import json, sys
hooks = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["id"] == sys.argv[2]]
codes = [h["status"] for h in hooks]
assert codes[-1] == 200 and all(c == 503 for c in codes[:-1]) and len(codes) >= 4, codes
assert len({h["idempotency_key"] for h in hooks}) == 1, "one key for every attempt"
# every attempt verified (the receiver refuses what does not), keeps the
# message's webhook-id, and is signed with its own time
assert all(h["signature_ok"] for h in hooks), [h["reject"] for h in hooks]
assert {h["webhook_id"] for h in hooks} == {hooks[0]["idempotency_key"]}, [h["webhook_id"] for h in hooks]
ts = [h["webhook_timestamp"] for h in hooks]
assert all(abs(x - h["t"]) <= 2 for x, h in zip(ts, hooks)), (ts, [h["t"] for h in hooks])
assert ts == sorted(ts) and ts[-1] > ts[0], ts
t = [h["t"] for h in hooks]
for i in range(1, len(t) - 1):
    # attempt i+1 waits at least 200 ms * 2^(i-1) after attempt i (the scan
    # runs every 50 ms, so never sooner)
    want = 0.2 * 2 ** (i - 1)
    assert t[i] - t[i - 1] >= want * 0.95, (i, t[i] - t[i - 1], want)
print("attempts:", codes, file=sys.stderr)
EOF

# 2. a receiver that keeps failing: dead after 5 tries; one that refuses: dead at once
kill "$RECV_PID"; wait "$RECV_PID" 2>/dev/null
receiver --status 500
hire E2
dead="o:E2/end_of_trial/2026-02-16|d-30@2026-04-01|E2"
wait_for 60 1 stat_of '["dead_letters"]' || fail "not dead after 5 tries: $(stat_of '')"
out=$("$CTL" notifications list --status dead --json) || fail "list dead"
echo "$out" | $PY -c "
import json, sys
d = json.load(sys.stdin)['notifications']
assert [n['id'] for n in d] == ['$dead'], d
n = d[0]
assert n['attempts'] == 5 and n['deliveries'][0]['status'] == 'dead', n
assert 'HTTP 500' in n['last_error'], n
" || fail "dead letter: $out"
"$CTL" notifications list --status dead | grep -q "$dead" || fail "the table does not show it"
metrics=$(curl -sf "http://127.0.0.1:$(http_port notifier)/metrics")
grep -qE '^entretiens_notifier_dead_letters 1$' <<<"$metrics" || fail "metrics: $(echo "$metrics" | grep dead)"
grep -qE '^entretiens_notifier_deliveries_total\{channel="webhook",outcome="dead"\} 1$' <<<"$metrics" || fail "dead counter"
grep -qE '^entretiens_notifier_notifications\{status="dead"\} 1$' <<<"$metrics" || fail "status gauge"
n500=$(grep -c '"status": 500' "$IT_DIR/hooks.jsonl")
[ "$n500" -eq 5 ] || fail "$n500 attempts, not 5"

kill "$RECV_PID"; wait "$RECV_PID" 2>/dev/null
receiver --status 400
hire E3
wait_for 60 2 stat_of '["dead_letters"]' || fail "a refusal is not dead at once"
[ "$(grep -c '"status": 400' "$IT_DIR/hooks.jsonl")" -eq 1 ] || fail "a refused request was tried again"

# 3. fixed: the operator sends them again
"$CTL" notifications retry "o:E1/end_of_trial/2026-02-16|d-30@2026-04-01|E1" >/dev/null 2>&1
[ $? -eq 1 ] || fail "a sent notification must not be retried (exit 1)"
"$CTL" notifications retry NOPE >/dev/null 2>&1; [ $? -eq 1 ] || fail "unknown id: exit 1"
"$CTL" notifications retry >/dev/null 2>&1; [ $? -eq 2 ] || fail "no id: exit 2"
kill "$RECV_PID"; wait "$RECV_PID" 2>/dev/null
receiver
out=$("$CTL" notifications retry --all-dead --json) || fail "retry --all-dead"
grep -q '"retried": 2' <<<"$out" || fail "retry: $out"
wait_for 60 0 stat_of '["dead_letters"]' || fail "still dead after retry"
wait_for 60 2 stat_of '["counts"]["sent"] - 1' || fail "not sent after retry: $(stat_of '')"
grep "$dead" "$IT_DIR/hooks.jsonl" | tail -1 | grep -q '"status": 200' || fail "not delivered"
metrics=$(curl -sf "http://127.0.0.1:$(http_port notifier)/metrics")
grep -qE '^entretiens_notifier_dead_letters 0$' <<<"$metrics" || fail "gauge after retry"
grep -q '"notification.retry"' "$IT_DIR/notifier.log" || fail "retry not logged"
# a clean stop: sends finish, outcomes recorded, nothing leaks (ASan pass)
kill -TERM "$PID_notifier"; wait "$PID_notifier"; rc=$?
[ $rc -eq 0 ] || fail "notifier exited with $rc after SIGTERM"
grep -q 'stopped cleanly' "$IT_DIR/notifier.log" || fail "notifier did not stop cleanly"
echo "notifier: retried with backoff until delivered; dead letters listed, counted, and sent again"
