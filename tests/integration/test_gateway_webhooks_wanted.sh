# The gateway receives the scheduler's events only while a webhook
# subscription names an obligation kind (docs/gateway.md, "Webhooks"), with
# the real scheduler, records and gateway, CurveZMQ on, a real receiver:
#   - no subscription: hires over HTTP; the gateway's scheduler cursor
#     follows the head without applying a single event, nothing is queued;
#     of records' events only a grant and its revocation are applied (the
#     filtered replay), HR's access to webhooks following them;
#   - a subscription to records' kinds only does not want the scheduler's,
#     and gets records' events from its creation on;
#   - an administrator subscribes to the obligation kinds: the events of the
#     next hires are delivered, those before the subscription are not;
#   - the gateway is killed with SIGKILL, hires arrive through the CLI while
#     it is down, it starts again: their events are delivered too (resumed
#     from the stored cursor, nothing owed is lost);
#   - the subscription is deleted: the cursor follows the head again,
#     nothing more is queued.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02 ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MS=100
here=$(cd "$(dirname "$0")" && pwd)
start_daemons scheduler records gateway
OPS=$ENTRETIENS_GATEWAY_OPS_HTTP
RECV_PORT=$(free_port) RECV_LOG=$IT_DIR/received.jsonl
: >"$RECV_LOG"
start_bg receiver /usr/bin/python3 "$here/webhook_receiver.py" "$RECV_PORT" "$RECV_LOG" "$IT_DIR/down" 0
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$RECV_PORT/" && break; sleep 0.1; done

gw_cursor() { metric "$OPS" 'entretiens_gateway_consumer_cursor_seq{producer="scheduler"}'; }
gw_applied() { metric "$OPS" 'entretiens_gateway_events_applied_total{producer="scheduler"}'; }
enqueued() { metric "$OPS" entretiens_gateway_webhook_enqueued_total; }
# waits until the gateway's cursor is the scheduler's head (> 0)
followed() {
  local h; h=$(sched_head)
  [ "${h:-0}" -gt 0 ] && [ "$(gw_cursor)" = "$h" ] && echo yes
}
hires() { # file from to: JSON lines, hires that have an interview due (2020)
  for i in $(seq "$2" "$3"); do
    printf '{"event_id":"h-E%d","source":"hris","type":"hired","employee_id":"E%d","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1985-02-01","category":"cadre"}\n' "$i" "$i"
  done >"$1"
}
post() { # file: POST /events, every event accepted
  local code
  code=$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$1" "$GW_API/events")
  [ "$code" = 200 ] && jq -e --argjson n "$(wc -l <"$1")" '.accepted == $n' "$IT_DIR/body" >/dev/null ||
    fail "POST /events $1: $code $(head -c 300 "$IT_DIR/body")"
}
TOKEN=$("$CTL" apikey create --principal service:hris --scope ingest 2>/dev/null) || fail "apikey create"
echo 'correct horse battery' | "$CTL" user add root --principal admin:root >/dev/null || fail "user add"
JA=$IT_DIR/admin.jar
curl -s -o "$IT_DIR/body" -c "$JA" -H 'Content-Type: application/json' \
  -d '{"login":"root","password":"correct horse battery"}' "$GW_API/auth/login" || fail "login"
CA=$(jq -r .csrf_token "$IT_DIR/body")

# --- no subscription: the cursor follows the head, nothing applied or queued
hires "$IT_DIR/a.jsonl" 1 20
post "$IT_DIR/a.jsonl"
wait_for 30 yes followed || fail "the gateway's cursor $(gw_cursor) does not follow the scheduler's head $(sched_head)"
[ "$(gw_applied)" = 0 ] || fail "the gateway applied $(gw_applied) scheduler events nobody subscribed to"
[ "$(enqueued)" = 0 ] || fail "deliveries queued without a subscription: $(enqueued)"
grep -q '"events.wanted".*not wanted now' "$IT_DIR/gateway.log" || fail "no events.wanted line in the gateway's log"

# --- records' events: only its grant events are applied (filtered replay),
# the interviews created for the hires are passed over
rec_cursor() { metric "$OPS" 'entretiens_gateway_consumer_cursor_seq{producer="records"}'; }
rec_applied() { metric "$OPS" 'entretiens_gateway_events_applied_total{producer="records"}'; }
rec_followed() { # applied-count: the cursor at records' head with that many applied
  local h; h=$(rec_head)
  [ "${h:-0}" -gt 0 ] && [ "$(rec_cursor)" = "$h" ] && [ "$(rec_applied)" = "$1" ] && echo yes
}
wait_for 30 yes rec_followed 0 || fail "records: cursor $(rec_cursor), head $(rec_head), applied $(rec_applied)"
echo 'correct horse battery' | "$CTL" user add alice --principal hr:alice >/dev/null || fail "user add alice"
JH=$IT_DIR/alice.jar
curl -s -o /dev/null -c "$JH" -H 'Content-Type: application/json' \
  -d '{"login":"alice","password":"correct horse battery"}' "$GW_API/auth/login" || fail "login alice"
hr_lists() { curl -s -o /dev/null -w '%{http_code}' -b "$JH" "$GW_API/webhooks"; }
[ "$(hr_lists)" = 403 ] || fail "HR without a grant lists webhooks: $(hr_lists)"
"$CTL" --as admin:root access grant hr:alice --entity ACME-LAB >/dev/null || fail "grant alice"
wait_for 30 yes rec_followed 1 || fail "the grant: cursor $(rec_cursor), head $(rec_head), applied $(rec_applied)"
[ "$(hr_lists)" = 200 ] || fail "HR granted while records' events are not wanted: $(hr_lists)"
"$CTL" --as admin:root access revoke hr:alice >/dev/null || fail "revoke alice"
wait_for 30 yes rec_followed 2 || fail "the revocation: cursor $(rec_cursor), head $(rec_head), applied $(rec_applied)"
[ "$(hr_lists)" = 403 ] || fail "HR still allowed after the revocation: $(hr_lists)"
log "no subscription: cursor at the head ($(sched_head)), nothing applied"

# --- a subscription to records' kinds only does not want the scheduler's
subscribe() { # path kinds-json -> id
  local code
  code=$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$JA" -H "X-CSRF-Token: $CA" -H 'Content-Type: application/json' \
    -d "{\"url\":\"http://127.0.0.1:$RECV_PORT/$1\",\"kinds\":$2,\"secret\":\"$SECRET\"}" "$GW_API/webhooks")
  [ "$code" = 201 ] || fail "subscribe $1: $code $(cat "$IT_DIR/body")"
  jq -r .id "$IT_DIR/body"
}
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
RB=$(rec_head)
WI=$(subscribe iv '["interview.created"]')
H0=$(sched_head)
hires "$IT_DIR/a2.jsonl" 81 90
post "$IT_DIR/a2.jsonl"
[ "$(sched_head)" -gt "$H0" ] || fail "the hires made no scheduler event"
wait_for 30 yes followed || fail "with a records-only subscription: cursor $(gw_cursor), head $(sched_head)"
[ "$(gw_applied)" = 0 ] || fail "a records-only subscription made the gateway apply $(gw_applied) scheduler events"
# ... and records' events are wanted again: the interviews created since are
# delivered (from the cursor on), none created before the subscription
ivcheck() { WEBHOOK_CHECK_AFTER="records:$RB" python3 "$here/webhook_check.py" "$RECV_LOG" /iv "$SECRET" interview.created "$ENTRETIENS_DATA_DIR"; }
ivchecked() { [ "$(rec_head)" -gt "$RB" ] && ivcheck | cut -d' ' -f1; }
wait_for 60 ok ivchecked || fail "records' events after the subscription: head $(rec_head) from $RB: $(ivcheck)"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$JA" -H "X-CSRF-Token: $CA" -X DELETE "$GW_API/webhooks/$WI")
[ "$code" = 204 ] || fail "delete the records-only subscription: $code"
BEFORE=$(sched_head)

# --- a subscription to the obligation kinds: the next events are delivered
KINDS=obligation.due,obligation.overdue,obligation.met,obligation.cancelled
WH=$(subscribe ob "$(jq -cn --arg k "$KINDS" '$k | split(",")')")
hires "$IT_DIR/b.jsonl" 21 40
post "$IT_DIR/b.jsonl"
check() { WEBHOOK_CHECK_AFTER="scheduler:$BEFORE" python3 "$here/webhook_check.py" "$RECV_LOG" /ob "$SECRET" "$KINDS" "$ENTRETIENS_DATA_DIR"; }
checked() { check | cut -d' ' -f1; }
wait_for 60 ok checked ||
  fail "after subscribing: $(check)"
[ "$(gw_applied)" -gt 0 ] || fail "delivered without applying?"

# --- SIGKILL; hires while the gateway is down; their events still delivered
GW_PID=${IT_PIDS[2]}
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null
hires "$IT_DIR/c.jsonl" 41 60
"$CTL" ingest "$IT_DIR/c.jsonl" >/dev/null || fail "CLI ingest while the gateway is down"
DOWN_HEAD=$(sched_head)
start_bg gateway "$BIN/entretiens-gateway"; GW_PID=$LAST_PID
wait_ready gateway
wait_for 60 ok checked ||
  fail "after the restart: $(check)"
grep '"path": "/ob"' "$RECV_LOG" | jq -r .id | sort -u | awk -F- -v h="$DOWN_HEAD" -v b="$BEFORE" \
  '$1 == "scheduler" && $2 + 0 > b && $2 + 0 <= h {n++} END {exit n > 0 ? 0 : 1}' ||
  fail "none of the events committed while the gateway was down was delivered"
SUMMARY=$(check)

# --- deleted: the events are not wanted any more
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$JA" -H "X-CSRF-Token: $CA" -X DELETE "$GW_API/webhooks/$WH")
[ "$code" = 204 ] || fail "delete the subscription: $code"
QUEUED=$(enqueued)
hires "$IT_DIR/d.jsonl" 61 80
post "$IT_DIR/d.jsonl"
[ "$(sched_head)" -gt "$DOWN_HEAD" ] || fail "the last hires made no event"
wait_for 30 yes followed || fail "after the deletion: cursor $(gw_cursor), head $(sched_head)"
[ "$(enqueued)" = "$QUEUED" ] || fail "queued after the deletion: $(enqueued), was $QUEUED"
[ "$(grep -c '"events.wanted".*not wanted now' "$IT_DIR/gateway.log")" -ge 2 ] || fail "not back to heartbeats only"
kill -TERM "$GW_PID"; wait "$GW_PID" 2>/dev/null
grep -q 'gateway stopped cleanly' "$IT_DIR/gateway.log" || fail "the gateway did not stop cleanly"
echo "webhooks wanted: no subscription, the cursor follows the head ($BEFORE events unapplied); subscribed: $SUMMARY, across a SIGKILL; deleted: heartbeats only again"
