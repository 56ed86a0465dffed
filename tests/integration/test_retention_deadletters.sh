#!/usr/bin/env bash
# The scheduler's dead letters (rejected HRIS events, with the person's
# data) are deleted once ENTRETIENS_RETENTION_DEADLETTER_DAYS have passed on
# the business clock — not a day before — and a younger one is kept; a
# period out of range stops the daemon with exit status 2.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
it_endpoints scheduler
export ENTRETIENS_NOW=2026-03-02

ENTRETIENS_RETENTION_DEADLETTER_DAYS=0 "$BIN/entretiens-scheduler" >"$IT_DIR/bad.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "a period of 0 days: exit $rc, want 2"
grep -q RETENTION_DEADLETTER_DAYS "$IT_DIR/bad.log" || fail "the refusal names the setting: $(cat "$IT_DIR/bad.log")"

export ENTRETIENS_RETENTION_DEADLETTER_DAYS=365
# the scheduler alone is alive, not ready (it waits for records): enough
start_bg scheduler "$BIN/entretiens-scheduler"
wait_alive scheduler
bad() { # event id -> a hire without its date: rejected, kept as a dead letter
  echo "{\"event_id\":\"$1\",\"source\":\"hris\",\"type\":\"hired\",\"employee_id\":\"X$1\",\"entity\":\"ACME\",\"first_name\":\"Zoé\",\"last_name\":\"Secret$1\"}" >"$IT_DIR/$1.jsonl"
  "$CTL" ingest "$IT_DIR/$1.jsonl" >/dev/null 2>&1 && fail "event $1 was accepted"
  return 0
}
letters() { "$CTL" deadletters --json | jq -r '[.[].event.event_id] | join(",")'; }
bad old
[ "$(letters)" = old ] || fail "the dead letter is not kept: $(letters)"
"$CTL" clock set 2026-12-01 --only scheduler >/dev/null || fail "clock set"
bad young
"$CTL" clock set 2027-03-01 --only scheduler >/dev/null || fail "clock set"
[ "$(letters)" = old,young ] || fail "deleted before its day (364 days): $(letters)"
"$CTL" clock set 2027-03-03 --only scheduler >/dev/null || fail "clock set"
wait_for 10 young letters || fail "after 366 days the old letter stays: $(letters)"
grep -q '"retention.deadletters"' "$IT_DIR/scheduler.log" || fail "the deletion is not logged"
grep -q "Secretold" "$IT_DIR/scheduler.log" && fail "the log holds the person's data"
echo "PASS test_retention_deadletters"
