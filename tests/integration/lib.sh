# Shared helpers for the integration tests (sourced).  Each test runs real
# daemons as processes on free loopback ports, in its own temp directory,
# and kills whatever it started when it exits.
set -uo pipefail

# `cmd | grep -q PATTERN` under pipefail fails when grep, having matched,
# exits before cmd wrote everything: cmd dies of SIGPIPE and the pipeline
# reports it (seen in full runs: a check failed on output that matched).
# In these tests grep -q reads its whole input instead: the quiet flag is
# taken off and the output discarded, the exit status is grep's.
grep() {
  local a args=() quiet=false opts=true
  for a in "$@"; do
    if $opts && [[ $a == -- ]]; then
      opts=false
    elif $opts && [[ $a =~ ^-[A-Za-z]+$ && $a == *q* ]]; then
      quiet=true
      a=${a//q/}
      [[ $a == - ]] && continue
    fi
    args+=("$a")
  done
  if $quiet; then command grep "${args[@]}" >/dev/null; else command grep "$@"; fi
}

ENT_BUILD=${ENT_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
BIN=$ENT_BUILD/services
PEER=$ENT_BUILD/tests/integration/ent-testpeer
CTL=$BIN/entretiensctl
IT_SCALE=${ENT_IT_SCALE:-full}
IT_DIR=$(mktemp -d /tmp/entretiens-it.XXXXXX)
IT_PIDS=()

# CurveZMQ is on in every test, as in production: one keys directory for
# the test's daemons and clients (the CLI acts with the operator's key),
# plus daemon keys for the test peers.
export ENTRETIENS_KEYS_DIR=$IT_DIR/keys
unset ENTRETIENS_INSECURE ENTRETIENS_CLIENT_KEY
# the CLI speaks the locale's language; tests read its English output
# whatever the machine's locale (a test of French output says so itself)
export ENTRETIENS_LANG=en
# the operator's saved CLI defaults (entretiensctl config) never reach a test
export ENTRETIENS_CTL_CONFIG=$IT_DIR/ctl.conf
unset ENTRETIENS_AS
"$CTL" keys init "$ENTRETIENS_KEYS_DIR" >/dev/null || { echo "FAIL: keys init" >&2; exit 1; }
for k in producer consumer; do
  "$CTL" keys add "$ENTRETIENS_KEYS_DIR" $k --daemon >/dev/null || { echo "FAIL: keys add $k" >&2; exit 1; }
done

it_cleanup() {
  local rc=$?
  for pid in "${IT_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # under the sanitizers, a daemon that stopped cleanly prints its reports
  # (leaks, UB) in its log: they fail the test
  if grep -lE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$IT_DIR"/*.log >/dev/null 2>&1; then
    echo "FAIL: sanitizer report in a daemon log:" >&2
    grep -hE -A15 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$IT_DIR"/*.log | head -n 60 >&2
    rc=1
  fi
  if [ "${IT_KEEP:-0}" = 1 ]; then echo "kept $IT_DIR" >&2; else rm -rf "$IT_DIR"; fi
  exit $rc
}
trap it_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# A TCP port nothing listens on, from a range far from the defaults.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((10000 + RANDOM % 22000)) # below the ephemeral range (32768+) that outgoing connections use
    if ! (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null && ! grep -q ":$p\b" "$IT_DIR/.ports" 2>/dev/null; then
      echo ":$p" >>"$IT_DIR/.ports"
      echo $p
      return 0
    fi
  done
  return 1
}

# Exports the endpoints of a daemon name on fresh ports.
it_endpoints() { # name...
  local n up
  for n in "$@"; do
    up=$(echo "$n" | tr a-z A-Z)
    export ENTRETIENS_${up}_RPC=tcp://127.0.0.1:$(free_port)
    export ENTRETIENS_${up}_PUB=tcp://127.0.0.1:$(free_port)
    export ENTRETIENS_${up}_HTTP=127.0.0.1:$(free_port)
    # the gateway serves its API on _HTTP and its probes and metrics on _OPS_HTTP
    [ "$n" = gateway ] && export ENTRETIENS_GATEWAY_OPS_HTTP=127.0.0.1:$(free_port)
  done
  export ENTRETIENS_DATA_DIR=$IT_DIR/var
}

http_port() { # name -> port of its HTTP endpoint
  local up v
  up=$(echo "$1" | tr a-z A-Z)
  v=ENTRETIENS_${up}_HTTP
  echo "${!v##*:}"
}

metrics_port() { # name -> port of its /metrics (the gateway's ops port)
  if [ "$1" = gateway ]; then echo "${ENTRETIENS_GATEWAY_OPS_HTTP##*:}"; else http_port "$1"; fi
}

# Starts a program in the background; its pid goes to $LAST_PID and IT_PIDS.
start_bg() { # logname cmd...
  local name=$1; shift
  "$@" >>"$IT_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  IT_PIDS+=("$LAST_PID")
}

# Waits until GET /readyz answers 200 (timeout in s, default 20).
wait_ready() { # name [timeout]
  local port t=${2:-20} i
  port=$(http_port "$1")
  for i in $(seq 1 $((t * 10))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  fail "$1 not ready after ${t}s (log: $(tail -n 5 "$IT_DIR/$1.log" 2>/dev/null))"
}

# Waits until GET /healthz answers 200 (the loop turns; not necessarily ready).
wait_alive() { # name [timeout]
  local port t=${2:-20} i
  port=$(http_port "$1")
  for i in $(seq 1 $((t * 10))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] && return 0
    sleep 0.1
  done
  fail "$1 not alive after ${t}s"
}

# Waits until cmd prints expected (timeout in s).
wait_for() { # timeout expected cmd...
  local t=$1 want=$2 got=""; shift 2
  for i in $(seq 1 $((t * 10))); do
    got=$("$@" 2>/dev/null)
    [ "$got" = "$want" ] && return 0
    sleep 0.1
  done
  echo "waited ${t}s for '$want', last got '$got'" >&2
  return 1
}

# Prometheus metric of a daemon: host:port name -> value.
metric() { # host:port name -> value
  curl -s "http://$1/metrics" | awk -v m="$2" 'index($0, m" ") == 1 || index($0, m"{") == 1 {print $NF; exit}'
}
sched_head() { metric "$ENTRETIENS_SCHEDULER_HTTP" entretiens_scheduler_outbox_head_seq; }
rec_head() { metric "$ENTRETIENS_RECORDS_HTTP" entretiens_records_outbox_head_seq; }
an_cursor() { # analytics-http producer
  metric "$1" "entretiens_analytics_consumer_cursor_seq{producer=\"$2\"}"
}
# Waits until the analytics at http applied every event the scheduler and
# records committed, twice in a row (both must be running).
caught_up() { # timeout [analytics-http]
  local t=$1 http=${2:-$ENTRETIENS_ANALYTICS_HTTP} ok=0 sh rh as ar
  for _ in $(seq 1 $((t * 4))); do
    sh=$(sched_head); rh=$(rec_head); as=$(an_cursor "$http" scheduler); ar=$(an_cursor "$http" records)
    if [ -n "$sh" ] && [ "$as" = "$sh" ] && [ "$ar" = "$rh" ]; then
      ok=$((ok + 1)); [ $ok -ge 2 ] && return 0
    else
      ok=0
    fi
    sleep 0.25
  done
  fail "analytics ($http) not caught up after ${t}s: scheduler $sh/$as records $rh/$ar"
}

# Starts the daemons named (default: the four and the gateway; endpoints
# from it_endpoints) and waits until each is ready.  The gateway's API is
# then at $GW_API (http://host:port/api/v1).
start_daemons() { # [name...]
  local d names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(scheduler records notifier analytics gateway)
  for d in "${names[@]}"; do start_bg "$d" "$BIN/entretiens-$d"; done
  for d in "${names[@]}"; do wait_ready "$d"; done
  GW_API=http://${ENTRETIENS_GATEWAY_HTTP:-127.0.0.1:7500}/api/v1
}

# Carries interviews to signature through the CLI, so that analytics has
# answers to count: the first COUNT planned interviews of TYPE that have an
# interviewer are scheduled (at AT, default 2026-09-15T09:00), answered by
# the employee (EMPLOYEE-JQ, a jq program given $k = 0, 1, ... to vary the
# answers), held, answered by the manager (MANAGER-FILE), signed by both.
# Appends "id employee manager" per interview to $IT_DIR/closed.txt.
# Managers' answers that records accepts: $IT_ANSWERS/<type>-manager.json.
IT_ANSWERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/answers
close_interviews() { # type count employee-jq manager-file [at]
  local type=$1 count=$2 ejq=$3 mfile=$4 at=${5:-2026-09-15T09:00} k=0 id emp mgr
  "$CTL" --as admin:root --json interview list --type "$type" --status planned --limit 400 >"$IT_DIR/$type.json" ||
    fail "interview list $type"
  while read -r id emp mgr; do
    jq -n --argjson k $k "$ejq" >"$IT_DIR/emp-$id.json"
    "$CTL" --as "manager:$mgr" interview schedule "$id" --at "$at" >/dev/null &&
      "$CTL" --as "employee:$emp" interview answer "$id" --file "$IT_DIR/emp-$id.json" --submit >/dev/null &&
      "$CTL" --as "manager:$mgr" interview hold "$id" >/dev/null &&
      "$CTL" --as "manager:$mgr" interview answer "$id" --file "$mfile" --submit >/dev/null &&
      "$CTL" --as "employee:$emp" interview sign "$id" >/dev/null &&
      "$CTL" --as "manager:$mgr" interview sign "$id" >"$IT_DIR/signed-$id.txt" ||
      fail "$type interview $id of $emp could not be closed"
    grep -q 'closed' "$IT_DIR/signed-$id.txt" || fail "$id not closed: $(cat "$IT_DIR/signed-$id.txt")"
    echo "$id $emp $mgr" >>"$IT_DIR/closed.txt"
    k=$((k + 1))
  done < <(jq -r '.interviews[] | select(.manager_id != "") | "\(.id) \(.employee_id) \(.manager_id)"' \
             "$IT_DIR/$type.json" | head -n "$count")
  [ $k -eq "$count" ] || fail "only $k $type interviews to close"
}
