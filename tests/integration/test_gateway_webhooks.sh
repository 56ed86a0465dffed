# Webhooks out of the gateway, with the four real daemons, CurveZMQ on and
# a real HTTP receiver (python3 on loopback): an administrator subscribes;
# hires are posted over HTTP and an interview is scheduled, held, reported
# and signed; the gateway is killed with SIGKILL in the middle of the
# deliveries and restarted; the receiver then holds every expected event
# (read independently from the producers' outboxes) once by event id, each
# signature verifying.  An HR subscription gets only its granted entity's
# events.  A receiver that keeps failing: retries, then dead letters,
# listed and resubmitted.  The gateway is ready with the scheduler down
# (the API does not wait for the feed).  Refusals: no credential, an employee, HR without
# a grant, a read-only key, no CSRF token, a bad URL, an unknown kind, a
# bad secret, another's subscription.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02 ENTRETIENS_RPC_TIMEOUT_MS=5000
export ENTRETIENS_GATEWAY_WEBHOOK_ATTEMPTS=3 ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MS=100 \
  ENTRETIENS_GATEWAY_WEBHOOK_BACKOFF_MAX_MS=300 ENTRETIENS_GATEWAY_WEBHOOK_TIMEOUT_MS=3000
here=$(cd "$(dirname "$0")" && pwd)
start_daemons
OPS=$ENTRETIENS_GATEWAY_OPS_HTTP
[ "$(sched_head)" = 0 ] && [ "$(rec_head)" = 0 ] || fail "the producers start with events already"

# the receiver: slow enough (30 ms a request) to be killed in the middle of
RECV_PORT=$(free_port)
RECV_LOG=$IT_DIR/received.jsonl DOWN=$IT_DIR/receiver-down
: >"$RECV_LOG"
start_bg receiver /usr/bin/python3 "$here/webhook_receiver.py" "$RECV_PORT" "$RECV_LOG" "$DOWN" 0.03
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$RECV_PORT/" && break; sleep 0.1; done
RECV=http://127.0.0.1:$RECV_PORT

api() { # METHOD PATH JAR|- [DATA] [curl args...]: prints the status; body in $IT_DIR/body
  local m=$1 p=$2 jar=$3 data=${4:-}; shift 3; [ $# -gt 0 ] && shift
  local args=(-s -o "$IT_DIR/body" -w '%{http_code}' -X "$m")
  [ "$jar" != - ] && args+=(-b "$jar" -c "$jar")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  curl "${args[@]}" "$@" "$GW_API$p"
}
expect() { # status what METHOD PATH JAR [DATA] [curl args...]
  local want=$1 what=$2 got; shift 2
  got=$(api "$@")
  [ "$got" = "$want" ] || fail "$what: expected $want, got $got: $(head -c 400 "$IT_DIR/body")"
}
login() { # login principal jar -> CSRF token
  echo 'correct horse battery' | "$CTL" user add "$1" --principal "$2" >/dev/null || fail "user add $1"
  expect 200 "login $1" POST /auth/login "$3" "{\"login\":\"$1\",\"password\":\"correct horse battery\"}"
  jq -r .csrf_token "$IT_DIR/body"
}
JA=$IT_DIR/admin.jar JE=$IT_DIR/emma.jar JH=$IT_DIR/alice.jar
CA=$(login root admin:root "$JA")
CE=$(login emma employee:E1 "$JE")
CH=$(login alice hr:alice "$JH")
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
ALL_KINDS='"obligation.due","obligation.overdue","obligation.met","obligation.cancelled","interview.created","interview.scheduled","interview.held","interview.signed","interview.closed","interview.cancelled"'
SUB="{\"url\":\"$RECV/all\",\"kinds\":[$ALL_KINDS],\"secret\":\"$SECRET\",\"description\":\"HRIS sync\"}"

# --- refusals
expect 401 "no credential" POST /webhooks - "$SUB"
expect 401 "no credential: list" GET /webhooks -
expect 403 "an employee" POST /webhooks "$JE" "$SUB" -H "X-CSRF-Token: $CE"
expect 403 "an employee lists" GET /webhooks "$JE"
expect 403 "HR without a grant" POST /webhooks "$JH" "$SUB" -H "X-CSRF-Token: $CH"
expect 403 "no CSRF token" POST /webhooks "$JA" "$SUB"
RO=$("$CTL" apikey create --principal admin:bi --scope read 2>/dev/null) || fail "apikey create"
expect 403 "a read-only key" POST /webhooks - "$SUB" -H "Authorization: Bearer $RO"
bad() { # field body what
  expect 400 "$3" POST /webhooks "$JA" "$2" -H "X-CSRF-Token: $CA"
  [ "$(jq -r .field "$IT_DIR/body")" = "$1" ] || fail "$3: field $(jq -r .field "$IT_DIR/body"), expected $1"
}
bad url '{"url":"ftp://example.com/x","kinds":["interview.held"]}' "an ftp URL"
bad url '{"url":"not a url","kinds":["interview.held"]}' "a URL with a space"
bad url '{"url":"http://user:pw@127.0.0.1/x","kinds":["interview.held"]}' "credentials in the URL"
bad url '{"kinds":["interview.held"]}' "no URL"
bad kinds "{\"url\":\"$RECV/x\",\"kinds\":[\"interview.exploded\"]}" "an unknown kind"
bad kinds "{\"url\":\"$RECV/x\",\"kinds\":[]}" "no kind"
bad secret "{\"url\":\"$RECV/x\",\"kinds\":[\"interview.held\"],\"secret\":\"short\"}" "a short secret"
bad body '[1,2]' "not an object"
[ "$(api GET /webhooks "$JA")" = 200 ] && jq -e '.webhooks == []' "$IT_DIR/body" >/dev/null || fail "refusals stored something: $(cat "$IT_DIR/body")"

# --- subscribe (an administrator: every event)
expect 201 "subscribe" POST /webhooks "$JA" "$SUB" -H "X-CSRF-Token: $CA"
WH=$(jq -r .id "$IT_DIR/body")
jq -e 'has("secret") | not' "$IT_DIR/body" >/dev/null || fail "a given secret is answered back"
# a generated secret is answered once, as whsec_
expect 201 "subscribe with a generated secret" POST /webhooks "$JA" "{\"url\":\"$RECV/gen\",\"kinds\":[\"interview.held\"]}" -H "X-CSRF-Token: $CA"
GEN=$(jq -r .id "$IT_DIR/body")
jq -r .secret "$IT_DIR/body" | grep -q '^whsec_' || fail "no generated secret: $(cat "$IT_DIR/body")"
# a receiver that is down: retries, then dead letters
DEAD_PORT=$(free_port)
expect 201 "subscribe a dead receiver" POST /webhooks "$JA" "{\"url\":\"http://127.0.0.1:$DEAD_PORT/x\",\"kinds\":[\"interview.created\"],\"secret\":\"$SECRET\"}" -H "X-CSRF-Token: $CA"
WD=$(jq -r .id "$IT_DIR/body")
[ "$(api GET /webhooks "$JA")" = 200 ] || fail "list"
jq -e --arg wh "$WH" '.webhooks | length == 3 and any(.[]; .id == $wh and .url != null and .description == "HRIS sync")' "$IT_DIR/body" >/dev/null ||
  fail "list: $(cat "$IT_DIR/body")"
grep -q "MfKQ9r8G\|whsec_" "$IT_DIR/body" && fail "the list shows a secret"

# --- HR granted one entity: its own subscription, that entity's events only
"$CTL" --as admin:root access grant hr:alice --entity ACME-LAB >/dev/null || fail "grant alice"
HSUB="{\"url\":\"$RECV/hr\",\"kinds\":[\"interview.created\",\"obligation.due\"],\"secret\":\"$SECRET\"}"
for i in $(seq 1 100); do
  [ "$(api POST /webhooks "$JH" "$HSUB" -H "X-CSRF-Token: $CH")" = 201 ] && break; sleep 0.1
done
[ "$(jq -r .created_by "$IT_DIR/body")" = hr:alice ] || fail "HR subscribes once granted: $(cat "$IT_DIR/body")"
WHR=$(jq -r .id "$IT_DIR/body")
[ "$(api GET /webhooks "$JH")" = 200 ] && jq -e --arg w "$WHR" '[.webhooks[].id] == [$w]' "$IT_DIR/body" >/dev/null ||
  fail "HR lists only its own: $(cat "$IT_DIR/body")"
expect 404 "HR deletes the admin's" DELETE "/webhooks/$WH" "$JH" "" -H "X-CSRF-Token: $CH"

# --- the scenario: hires over HTTP (an API key), then one interview's life
TOKEN=$("$CTL" apikey create --principal service:hris --scope ingest 2>/dev/null) || fail "apikey create"
python3 - "$IT_DIR/hires.json" <<'PY'
import json, sys
ev = [{"event_id": "h-M1", "source": "hris", "type": "hired", "employee_id": "M1", "effective_date": "2018-01-08",
       "entity": "ACME-FR", "department": "sales", "region": "metropole", "locale": "fr", "birth_date": "1980-05-01",
       "category": "cadre"}]
for i in range(1, 61):
    ev.append({"event_id": "h-E%d" % i, "source": "hris", "type": "hired", "employee_id": "E%d" % i,
               "effective_date": "2020-09-01" if i % 2 else "2025-09-01", "entity": "ACME-FR" if i % 3 else "ACME-LAB",
               "department": "sales", "region": "metropole", "manager_id": "M1", "locale": "fr",
               "birth_date": "1985-02-01", "category": "cadre"})
json.dump(ev, open(sys.argv[1], "w"))
PY
code=$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary @"$IT_DIR/hires.json" "$GW_API/events")
[ "$code" = 200 ] && jq -e '.accepted == 61' "$IT_DIR/body" >/dev/null || fail "hires: $code $(head -c 300 "$IT_DIR/body")"

# SIGKILL the gateway once deliveries are flowing, then start it again
received() { wc -l <"$RECV_LOG"; }
for i in $(seq 1 300); do [ "$(received)" -ge 20 ] && break; sleep 0.1; done
[ "$(received)" -ge 20 ] || fail "no delivery started ($(received) received)"
GW_PID=${IT_PIDS[4]}
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null
AT_KILL=$(received)
log "gateway killed after $AT_KILL deliveries"
start_bg gateway "$BIN/entretiens-gateway"; wait_ready gateway

# the interview: schedule, hold, report, sign twice (the CLI, as the people)
for i in $(seq 1 100); do
  IV=$("$CTL" --as employee:E2 --json interview list --type professional 2>/dev/null | jq -r '.interviews[0].id // empty')
  [ -n "$IV" ] && break; sleep 0.1
done
[ -n "$IV" ] || fail "no professional interview for E2"
"$CTL" --as manager:M1 interview schedule "$IV" --at 2026-03-02T09:00 >/dev/null || fail "schedule"
"$CTL" --as manager:M1 interview hold "$IV" >/dev/null || fail "hold"
echo '{"career_path": "Commercial depuis 2025.", "cpf_informed": true, "cep_informed": true, "manager_summary": "Entretien constructif."}' >"$IT_DIR/report.json"
"$CTL" --as manager:M1 interview answer "$IV" --file "$IT_DIR/report.json" --submit >/dev/null || fail "report"
"$CTL" --as employee:E2 interview sign "$IV" >/dev/null || fail "employee signs"
"$CTL" --as manager:M1 interview sign "$IV" >/dev/null || fail "manager signs"

# every expected event, once by id, signatures verified
check() { python3 "$here/webhook_check.py" "$RECV_LOG" /all "$SECRET" "${ALL_KINDS//\"/}" "$ENTRETIENS_DATA_DIR" | cut -d' ' -f1; }
wait_for 120 ok check || fail "admin's receiver: $(python3 "$here/webhook_check.py" "$RECV_LOG" /all "$SECRET" "${ALL_KINDS//\"/}" "$ENTRETIENS_DATA_DIR")"
SUMMARY=$(python3 "$here/webhook_check.py" "$RECV_LOG" /all "$SECRET" "${ALL_KINDS//\"/}" "$ENTRETIENS_DATA_DIR")
for k in interview.scheduled interview.held interview.signed interview.closed obligation.due interview.created obligation.met; do
  grep '"path": "/all"' "$RECV_LOG" | grep "\"kind\": \"$k\"" >/dev/null || fail "no $k delivered"
done
checkhr() { python3 "$here/webhook_check.py" "$RECV_LOG" /hr "$SECRET" interview.created,obligation.due "$ENTRETIENS_DATA_DIR" ACME-LAB | cut -d' ' -f1; }
wait_for 60 ok checkhr || fail "HR's receiver: $(python3 "$here/webhook_check.py" "$RECV_LOG" /hr "$SECRET" interview.created,obligation.due "$ENTRETIENS_DATA_DIR" ACME-LAB)"
log "admin: $SUMMARY"

# --- dead letters: the dead receiver's deliveries, after 3 attempts each
deadn() { api GET "/webhooks/$WD/dead-letters?limit=1000" "$JA" >/dev/null; jq '.dead_letters | length' "$IT_DIR/body"; }
NCREATED=$(grep '"path": "/all"' "$RECV_LOG" | grep '"kind": "interview.created"' | jq -r .id | sort -u | wc -l)
wait_for 120 "$NCREATED" deadn || fail "dead letters: $(deadn), expected $NCREATED"
api GET "/webhooks/$WD/dead-letters?limit=2" "$JA" >/dev/null
jq -e '.dead_letters[0].attempts == 3 and (.dead_letters[0].last_error | length) > 0 and .dead_letters[0].body.type == "interview.created" and .next_after != null' \
  "$IT_DIR/body" >/dev/null || fail "a dead letter: $(head -c 600 "$IT_DIR/body")"
EV=$(jq -r '.dead_letters[0].event_id' "$IT_DIR/body")
api GET "/webhooks/$WD/dead-letters?limit=2&after=$(jq -r .next_after "$IT_DIR/body")" "$JA" >/dev/null
jq -e --arg ev "$EV" '.dead_letters | length > 0 and all(.[]; .event_id > $ev)' "$IT_DIR/body" >/dev/null || fail "next page: $(head -c 300 "$IT_DIR/body")"
[ "$(metric "$OPS" entretiens_gateway_webhook_dead_letters)" -ge "$NCREATED" ] 2>/dev/null || fail "dead letters gauge: $(metric "$OPS" entretiens_gateway_webhook_dead_letters)"
[ "$(metric "$OPS" entretiens_gateway_webhook_deliveries_failed_total)" != "" ] || fail "no failed counter"
# the receiver comes back: a resubmitted dead letter is delivered
expect 404 "resubmit an unknown dead letter" POST "/webhooks/$WD/dead-letters/records-999/resubmit" "$JA" "" -H "X-CSRF-Token: $CA"
expect 404 "HR resubmits the admin's" POST "/webhooks/$WD/dead-letters/$EV/resubmit" "$JH" "" -H "X-CSRF-Token: $CH"
# repoint the dead receiver by subscribing anew is not possible: delete it instead, and
# resubmit one of the admin's own after making its receiver fail then recover
expect 204 "delete the dead receiver's subscription" DELETE "/webhooks/$WD" "$JA" "" -H "X-CSRF-Token: $CA"
expect 404 "its dead letters went with it" GET "/webhooks/$WD/dead-letters" "$JA"
touch "$DOWN"
"$CTL" --as manager:M1 interview schedule "$("$CTL" --as employee:E4 --json interview list --type professional | jq -r '.interviews[0].id')" --at 2026-03-03T09:00 >/dev/null || fail "schedule E2's"
deadall() { api GET "/webhooks/$WH/dead-letters" "$JA" >/dev/null; jq '[.dead_letters[] | select(.kind == "interview.scheduled")] | length' "$IT_DIR/body"; }
wait_for 60 1 deadall || fail "the failing receiver's delivery is not a dead letter"
EV=$(jq -r '[.dead_letters[] | select(.kind == "interview.scheduled")][0].event_id' "$IT_DIR/body")
grep -q "\"id\": \"$EV\"" "$RECV_LOG" && fail "a refused delivery was recorded"
rm -f "$DOWN"
expect 200 "resubmit" POST "/webhooks/$WH/dead-letters/$EV/resubmit" "$JA" "" -H "X-CSRF-Token: $CA"
for i in $(seq 1 100); do grep -q "\"id\": \"$EV\"" "$RECV_LOG" && break; sleep 0.1; done
grep -q "\"id\": \"$EV\"" "$RECV_LOG" || fail "the resubmitted delivery never arrived"
wait_for 30 0 deadall || fail "the resubmitted dead letter is still listed"
wait_for 60 ok check || fail "after the resubmission: $(python3 "$here/webhook_check.py" "$RECV_LOG" /all "$SECRET" "${ALL_KINDS//\"/}" "$ENTRETIENS_DATA_DIR")"

# metrics and logs: counted, secrets never logged
[ "$(metric "$OPS" entretiens_gateway_webhook_deliveries_ok_total)" -gt 0 ] 2>/dev/null || fail "ok counter"
[ -n "$(metric "$OPS" entretiens_gateway_webhook_queue_depth)" ] || fail "queue depth gauge"
grep -q "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" "$IT_DIR"/gateway.log && fail "a secret in the gateway's log"
grep -q '"webhook.dead"' "$IT_DIR/gateway.log" || fail "dead letters not logged"
expect 204 "delete" DELETE "/webhooks/$GEN" "$JA" "" -H "X-CSRF-Token: $CA"
expect 404 "delete twice" DELETE "/webhooks/$GEN" "$JA" "" -H "X-CSRF-Token: $CA"
# a clean stop (under the sanitizers, leaks are reported then)
GW_PID=$LAST_PID
kill -TERM "$GW_PID"; wait "$GW_PID" 2>/dev/null
[ "$(grep -c 'gateway stopped cleanly' "$IT_DIR/gateway.log")" = 1 ] || fail "the gateway did not stop cleanly on SIGTERM"
# the API does not wait for the event feed: with the scheduler down, a
# gateway that starts is ready (the other daemons wait to hear from theirs)
kill -TERM "${IT_PIDS[0]}"; wait "${IT_PIDS[0]}" 2>/dev/null
start_bg gateway "$BIN/entretiens-gateway"; GW_PID=$LAST_PID
wait_ready gateway
expect 200 "the API with the scheduler down" GET /webhooks "$JA"
kill -TERM "$GW_PID" "${IT_PIDS[@]:1:3}" 2>/dev/null
for p in "$GW_PID" "${IT_PIDS[@]:1:3}"; do wait "$p" 2>/dev/null; done
[ "$(grep -c 'gateway stopped cleanly' "$IT_DIR/gateway.log")" = 2 ] || fail "the gateway did not stop cleanly on SIGTERM"
echo "webhooks: $SUMMARY across a SIGKILL of the gateway (killed after $AT_KILL deliveries); HR scoped; dead letters listed and resubmitted; refusals"
