#!/usr/bin/env bash
# Runs entretiens on this machine.
#
#   ./deploy/local/run.sh          install what is missing, build, create the keys
#                                  (./var/keys/, first start only), start the four
#                                  daemons and the gateway (stores under ./var/), wait until all
#                                  are ready, print where to look
#   ./deploy/local/run.sh stop     stop them (SIGTERM, then SIGKILL after 15 s)
#   ./deploy/local/run.sh status   health of every daemon
#
# Endpoints are the defaults of the configuration contract (docs/operations.md);
# export ENTRETIENS_* variables before starting to change them.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export ENTRETIENS_DATA_DIR=${ENTRETIENS_DATA_DIR:-$top/var}
RUN=$ENTRETIENS_DATA_DIR/run
LOGS=$ENTRETIENS_DATA_DIR/log
BUILD=$top/build
DAEMONS=(scheduler records notifier analytics gateway)
CTL=$BUILD/services/entretiensctl

http_of() { # daemon -> host:port
  local up v; up=$(echo "$1" | tr a-z A-Z); v=ENTRETIENS_${up}_HTTP
  case $1 in scheduler) d=7102 ;; records) d=7202 ;; notifier) d=7302 ;; analytics) d=7402 ;; gateway) d=7500 ;; esac
  echo "${!v:-127.0.0.1:$d}"
}

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

stop() {
  local any=0
  for d in "${DAEMONS[@]}"; do
    if running "$d"; then kill -TERM "$(cat "$RUN/$d.pid")"; any=1; fi
  done
  for _ in $(seq 1 150); do
    local left=0
    for d in "${DAEMONS[@]}"; do running "$d" && left=1; done
    [ $left -eq 0 ] && break
    sleep 0.1
  done
  for d in "${DAEMONS[@]}"; do
    if running "$d"; then echo "$d did not stop in 15 s: SIGKILL"; kill -KILL "$(cat "$RUN/$d.pid")"; fi
    rm -f "$RUN/$d.pid"
  done
  [ $any -eq 1 ] && echo "entretiens stopped." || echo "entretiens was not running."
}

case ${1:-start} in
  stop) stop; exit 0 ;;
  status) exec "$CTL" health ;;
  start) ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac

./deploy/deps.sh
echo "building (build/)..."
cmake -S "$top" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null

mkdir -p "$RUN" "$LOGS"
# The CurveZMQ keys of the daemons and of the operator's CLI: created on the
# first start, kept afterwards (docs/operations.md, "Security").
export ENTRETIENS_KEYS_DIR=${ENTRETIENS_KEYS_DIR:-$ENTRETIENS_DATA_DIR/keys}
if [ "${ENTRETIENS_INSECURE:-0}" != 1 ]; then
  "$CTL" keys init "$ENTRETIENS_KEYS_DIR" | grep '^created' | sed 's/^/keys: /' || true
fi
for d in "${DAEMONS[@]}"; do
  if running "$d"; then echo "$d already running (pid $(cat "$RUN/$d.pid"))"; continue; fi
  nohup "$BUILD/services/entretiens-$d" >>"$LOGS/$d.log" 2>&1 &
  echo $! >"$RUN/$d.pid"
done

echo -n "waiting for the daemons to be ready"
for _ in $(seq 1 300); do
  ready=0
  for d in "${DAEMONS[@]}"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$(http_of "$d")/readyz")" = 200 ] && ready=$((ready + 1))
  done
  [ $ready -eq ${#DAEMONS[@]} ] && break
  echo -n "."
  sleep 0.1
done
echo
if [ $ready -ne ${#DAEMONS[@]} ]; then
  echo "not every daemon became ready; last log lines:" >&2
  for d in "${DAEMONS[@]}"; do echo "--- $d" >&2; tail -n 5 "$LOGS/$d.log" >&2; done
  exit 1
fi

"$CTL" health

# First start: a demonstration organisation, so that there is something to see.
DEMO=$ENTRETIENS_DATA_DIR/demo
if [ ! -f "$DEMO/loaded" ] && [ "${ENTRETIENS_DEMO:-1}" = 1 ]; then
  mkdir -p "$DEMO"
  employees=${ENTRETIENS_DEMO_EMPLOYEES:-3000}
  echo
  echo "loading a demonstration organisation ($employees employees, 15 years of history)..."
  "$CTL" demo generate --employees "$employees" --seed 2026 --out "$DEMO/events.jsonl" --policy-out "$DEMO/policy.json"
  "$CTL" policy apply "$DEMO/policy.json" >/dev/null
  "$CTL" ingest "$DEMO/events.jsonl" | head -n 1
  touch "$DEMO/loaded"
fi

today=$(date +%Y-%m-%d)
month_start=$(date +%Y-%m-01)
month_end=$(date -d "$month_start +1 month -1 day" +%Y-%m-%d)
yesterday=$(date -d "$today -1 day" +%Y-%m-%d)
# the tour reads as HR: an administrator grants the demo HR partner every entity
"$CTL" --as admin:demo access grant hr:demo --entity '*' --content >/dev/null 2>&1 || true
# let analytics catch up with what was just loaded
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$(http_of analytics)/readyz")" = 200 ] && break
  sleep 0.2
done

echo
echo "== deadlines this month ($month_start to $month_end), by type =="
"$CTL" due --from "$month_start" --to "$month_end" --by-type
echo
echo "== overdue today (still to hold), by type =="
"$CTL" due --from 2000-01-01 --to "$yesterday" --by-type
echo
echo "== legal exposure: professional interviews and the EUR 3,000 CPF top-up per entity =="
"$CTL" --as hr:demo stats compliance --by entity 2>/dev/null || "$CTL" --as hr:demo stats compliance
echo
echo "== one employee's full picture: E000002 =="
"$CTL" employee show E000002 | head -n 12
echo
"$CTL" obligations --employee E000002
echo
"$CTL" --as hr:demo interview list --employee E000002
mkdir -p "$ENTRETIENS_DATA_DIR/calendar"
"$CTL" --as hr:demo calendar export --from "$month_start" --to "$(date -d "$month_start +3 months" +%Y-%m-%d)" \
  --out "$ENTRETIENS_DATA_DIR/calendar/all.ics" >/dev/null 2>&1 || true
"$CTL" --as hr:demo calendar export --manager E000001 --out "$ENTRETIENS_DATA_DIR/calendar/manager-E000001.ics" >/dev/null 2>&1 || true
# Demo accounts of the gateway (first start): an HR director (hr:demo, granted
# every entity above), a manager and an employee of the demo organisation;
# random passwords kept in $DEMO/accounts (0600) for the next tours.
ACCOUNTS=$DEMO/accounts
if [ ! -f "$ACCOUNTS" ] && [ -d "$DEMO" ]; then
  (umask 077; : >"$ACCOUNTS")
  for a in "hr-director hr:demo" "manager manager:E000001" "employee employee:E000002"; do
    set -- $a
    pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
    echo "$pw" | "$CTL" user add "$1" --principal "$2" >/dev/null 2>&1 && echo "$1 $2 $pw" >>"$ACCOUNTS"
  done
fi
echo
echo "== sign in to the API (http://$(http_of gateway)/api/v1) with these demo accounts =="
[ -f "$ACCOUNTS" ] && while read -r login principal pw; do
  printf '  %-12s %-18s password %s\n' "$login" "$principal" "$pw"
done <"$ACCOUNTS"
echo
cat <<TXT

entretiens is running.
  stores     $ENTRETIENS_DATA_DIR/<daemon>/  (LMDB)
  logs       $LOGS/<daemon>.log  (JSON lines)
  metrics    $(for d in "${DAEMONS[@]}"; do [ "$d" = gateway ] && printf 'http://%s/metrics ' "${ENTRETIENS_GATEWAY_OPS_HTTP:-127.0.0.1:7502}" || printf 'http://%s/metrics ' "$(http_of "$d")"; done)
  health     http://$(http_of scheduler)/readyz (and the same on each daemon)
  API        http://$(http_of gateway)/api/v1 (docs/api.md; /api/v1/openapi.json)
  CLI        $CTL --help
  demo data  $DEMO/events.jsonl (JSON lines), $DEMO/policy.json
  calendars  $ENTRETIENS_DATA_DIR/calendar/all.ics (next 3 months), manager-E000001.ics
             (import them in Outlook, Google Calendar or Thunderbird; re-importing updates)
  stop       ./deploy/local/run.sh stop

next commands to try:
  $CTL due --from $today --to $month_end --type professional
  $CTL --as hr:demo stats completion --by entity
  $CTL --as hr:demo stats signals
  $CTL --as manager:E000001 interview list --manager E000001
  $CTL notifications list --status pending
  $CTL deadlines disciplinary --interview $today
  curl -c jar -H 'Content-Type: application/json' -d '{"login":"manager","password":"..."}' http://$(http_of gateway)/api/v1/auth/login
  curl -b jar http://$(http_of gateway)/api/v1/me/team
  $CTL --help
TXT
