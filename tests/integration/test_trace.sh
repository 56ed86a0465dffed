#!/usr/bin/env bash
# One hire followed by its trace id from the HRIS feed to the reminder
# e-mail: the CLI sends it under a W3C traceparent; the scheduler logs the
# call under that trace and puts it on the events the hire causes; records
# and the notifier log their work on those events under it; the reminder
# the notifier sends (here at once: it is due today) is logged under it
# too.  The gateway answers every request with a traceparent, keeping the
# client's.  Log lines carry the trace, method and caller as fields.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
it_endpoints scheduler records notifier gateway
export ENTRETIENS_NOW=2026-03-02T09:00 ENTRETIENS_LOG_LEVEL=debug TZ=Europe/Paris
export ENTRETIENS_OUTBOX_DIR=$IT_DIR/outbox
mkdir -p "$ENTRETIENS_OUTBOX_DIR"
start_daemons scheduler records notifier gateway

TRACE=4bf92f3577b34da6a3ce929d0e0e4736
echo '{"event_id":"h-E1","source":"hris","type":"hired","employee_id":"E1","effective_date":"2026-02-16","entity":"acme","region":"metropole","email":"e1@acme.test","locale":"fr","birth_date":"1990-01-10","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"A","last_name":"E1"}' |
  TRACEPARENT="00-$TRACE-00f067aa0ba902b7-01" "$CTL" ingest - >/dev/null || fail "ingest"
sent() { grep -l '"event":"notification.sent"' "$IT_DIR/notifier.log" >/dev/null 2>&1 && echo yes; }
wait_for 60 yes sent || fail "the reminder was not sent: $(tail -5 "$IT_DIR/notifier.log")"

has() { # daemon event -> a line of that daemon's log with the trace and that event
  /usr/bin/python3 - "$IT_DIR/$1.log" "$TRACE" "$2" <<'PY'
import json, sys
path, trace, event = sys.argv[1:]
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("trace") == trace and o.get("event") == event:
        print(json.dumps(o)); sys.exit(0)
sys.exit(1)
PY
}
line=$(has scheduler rpc.call) || fail "the scheduler did not log the ingest under the trace"
jq -e '.method == "scheduler.ingest" and (.caller | startswith("admin:")) and .status == "OK" and
       (.duration_ms | tonumber) >= 0' <<<"$line" >/dev/null ||
  fail "the call's line lacks its method, caller, status or duration as fields: $line"
# records and the notifier consume the scheduler's events each at its own
# pace (the reminder may be out before records applied them): wait for each
applied() { has "$1" event.applied >/dev/null && echo yes; }
wait_for 60 yes applied records || fail "records did not apply the hire's events under the trace"
wait_for 60 yes applied notifier || fail "the notifier did not apply the hire's events under the trace"
line=$(has notifier notification.sent) || fail "the reminder was not logged under the trace: $(grep notification.sent "$IT_DIR/notifier.log")"
grep -q 'E1' <<<"$line" || fail "the sent line does not name the reminder: $line"
# the same hire's trace on no line of another trace's work: a second hire
# without TRACEPARENT gets a trace of its own
echo '{"event_id":"h-E2","source":"hris","type":"hired","employee_id":"E2","effective_date":"2026-02-16","entity":"acme","region":"metropole","email":"e2@acme.test","locale":"fr","birth_date":"1990-01-10","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"B","last_name":"E2"}' |
  "$CTL" ingest - >/dev/null || fail "ingest E2"
wait_for 30 2 bash -c "grep -c '\"event\":\"notification.sent\"' '$IT_DIR/notifier.log'" || fail "E2's reminder"
other=$(grep '"event":"notification.sent"' "$IT_DIR/notifier.log" | grep 'E2' | jq -r .trace)
[[ $other =~ ^[0-9a-f]{32}$ && $other != "$TRACE" ]] || fail "E2's reminder trace: '$other'"

# the gateway keeps the client's trace and says it back; makes one otherwise
hdr=$(curl -s -D - -o /dev/null -H "traceparent: 00-$TRACE-00f067aa0ba902b7-01" "$GW_API/openapi.json" | tr -d '\r' |
  sed -n 's/^traceparent: //Ip')
[[ $hdr =~ ^00-$TRACE-[0-9a-f]{16}-01$ ]] || fail "the gateway's traceparent: '$hdr'"
hdr=$(curl -s -D - -o /dev/null "$GW_API/openapi.json" | tr -d '\r' | sed -n 's/^traceparent: //Ip')
[[ $hdr =~ ^00-[0-9a-f]{32}-[0-9a-f]{16}-01$ && $hdr != *$TRACE* ]] || fail "a new trace expected: '$hdr'"
hdr=$(curl -s -D - -o /dev/null -H "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01" \
  "$GW_API/openapi.json" | tr -d '\r' | sed -n 's/^traceparent: //Ip')
[[ $hdr != *00000000000000000000000000000000* ]] || fail "an all-zero trace was kept"
echo "PASS test_trace (one hire followed from ingest to its reminder by trace $TRACE)"
