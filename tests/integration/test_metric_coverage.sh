#!/usr/bin/env bash
# Every metric an alert rule or a Grafana panel uses exists: the daemons run
# (every entretiens-* program of the build, so a new daemon is included),
# a small organisation is ingested and notified, every /metrics is scraped
# (and linted by promtool), and deploy/k8s/components/monitoring's rules and
# dashboard are checked against what was scraped.  Names exported by other
# programs (Prometheus, the kubelet) or by a daemon not built yet are listed
# in metric_coverage.allow.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
MON=$top/deploy/k8s/components/monitoring

daemons=()
for b in "$BIN"/entretiens-*; do [ -x "$b" ] && daemons+=("${b##*/entretiens-}"); done
[ ${#daemons[@]} -ge 4 ] || fail "expected at least four daemons in $BIN, found: ${daemons[*]}"
it_endpoints "${daemons[@]}"
export ENTRETIENS_NOW=2026-03-02
# the file channel, so that the notifier's delivery counters have children
export ENTRETIENS_OUTBOX_DIR=$IT_DIR/outbox
mkdir -p "$ENTRETIENS_OUTBOX_DIR"
for d in "${daemons[@]}"; do start_bg "$d" "$BIN/entretiens-$d"; done
for d in "${daemons[@]}"; do wait_ready "$d" 60; done

# business: a small organisation through the scheduler, then a month later
"$CTL" demo generate --employees 40 --seed 3 --start 2026-03-02 --out "$IT_DIR/org.jsonl" \
  --policy-out "$IT_DIR/policy.json" >/dev/null 2>&1 || fail "demo generate"
"$CTL" policy apply "$IT_DIR/policy.json" >/dev/null || fail "policy apply"
"$CTL" ingest "$IT_DIR/org.jsonl" >/dev/null || fail "ingest"
# one bad line: a rejection and a dead letter
echo '{"source":"hris","event_id":"bad-1","type":"hired","employee_id":"X1","effective_date":"1800-01-01"}' |
  "$CTL" ingest - >/dev/null 2>&1
"$CTL" clock set 2026-04-15 >/dev/null || fail "clock set"
for d in "${daemons[@]}"; do wait_ready "$d" 60; done
sleep 1.2 # metrics are synced every second

scraped=()
for d in "${daemons[@]}"; do
  f=$IT_DIR/$d.metrics
  curl -sf "http://127.0.0.1:$(metrics_port "$d")/metrics" >"$f" || fail "$d /metrics"
  promtool check metrics <"$f" >"$IT_DIR/$d.promtool" 2>&1 || fail "$d metrics: $(cat "$IT_DIR/$d.promtool")"
  scraped+=("$f")
done

# the new business metrics carry what happened
grep -qE '^entretiens_scheduler_ingest_events_total\{source="[^"]+",outcome="accepted"\} [1-9]' "$IT_DIR/scheduler.metrics" ||
  fail "accepted events not counted by source: $(grep ingest_events "$IT_DIR/scheduler.metrics")"
grep -qE '^entretiens_scheduler_ingest_events_total\{source="[^"]+",outcome="rejected"\} 1$' "$IT_DIR/scheduler.metrics" ||
  fail "the rejected line not counted: $(grep ingest_events "$IT_DIR/scheduler.metrics")"
grep -qx 'entretiens_scheduler_dead_letters 1' "$IT_DIR/scheduler.metrics" ||
  fail "dead letters: $(grep '^entretiens_scheduler_dead_letters' "$IT_DIR/scheduler.metrics")"
sum() { awk -v re="$1" '$0 ~ re { n += $2 } END { print n + 0 }' "$2"; }
[ "$(sum '^entretiens_scheduler_obligations\{' "$IT_DIR/scheduler.metrics")" -gt 0 ] ||
  fail "no actionable obligation counted: $(grep '^entretiens_scheduler_obligations' "$IT_DIR/scheduler.metrics")"
[ "$(sum '^entretiens_scheduler_sweep_duration_seconds_count' "$IT_DIR/scheduler.metrics")" -ge 1 ] ||
  fail "no sweep observed (the clock moved)"
[ "$(sum '^entretiens_records_interviews\{' "$IT_DIR/records.metrics")" -gt 0 ] ||
  fail "no interview counted: $(grep '^entretiens_records_interviews' "$IT_DIR/records.metrics")"
# the exact count (the interviews database) is what a list of every
# interview gives (the due index), once records has applied what the clock
# change made
for _ in $(seq 1 40); do
  stored=$(curl -s "http://127.0.0.1:$(metrics_port records)/metrics" |
    awk '$1 == "entretiens_records_interviews_stored" {print $2}')
  listed=$("$CTL" --as admin:root --json interview list --limit 50000 | jq '.interviews | length')
  [ -n "$stored" ] && [ "$stored" = "$listed" ] && break
  sleep 0.5
done
[ -n "$stored" ] && [ "$stored" -gt 0 ] && [ "$stored" = "$listed" ] ||
  fail "interviews stored (metric) ${stored:-missing}, listed $listed"

python3 "$here/monitoring_metrics.py" check "$MON/prometheusrule.yaml" "$MON/dashboards/entretiens.json" \
  "$here/metric_coverage.allow" "${scraped[@]}" || fail "a rule or a panel uses a metric no daemon exports"
for pid in "${IT_PIDS[@]}"; do kill -TERM "$pid"; done
for pid in "${IT_PIDS[@]}"; do wait "$pid" || fail "a daemon exited $? on SIGTERM"; done
IT_PIDS=()
echo "PASS: every metric of the rules and the dashboard is exported by one of: ${daemons[*]}"
