#!/usr/bin/env bash
# Runs entretiens on this machine.
#
#   ./deploy/local/run.sh          install what is missing, build, create the keys
#                                  (./var/keys/, first start only), start the four
#                                  daemons and the gateway (stores under ./var/),
#                                  wait until all are ready, load a demonstration
#                                  organisation (first start only), print where
#                                  to look.  One line per step; apt-get, compiler
#                                  and loader output go to ./var/log/setup.log
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

mkdir -p "$RUN" "$LOGS"
# One line per step; what apt-get, the compiler and the demo loader say goes
# to this file, shown only when a step fails.
SETUP_LOG=$LOGS/setup.log
: >"$SETUP_LOG"
echo "entretiens: setting up (details in $SETUP_LOG)"
n_step=0
step() { n_step=$((n_step + 1)); printf '  [%d/5] %-10s ' "$n_step" "$1"; echo "=== $1 ===" >>"$SETUP_LOG"; }
step_failed() { # what failed
  echo "FAILED"
  echo "$1; the last lines of $SETUP_LOG:" >&2
  tail -n 25 "$SETUP_LOG" >&2
  exit 1
}

step packages
before=$(grep -c . "$SETUP_LOG")
./deploy/deps.sh >>"$SETUP_LOG" 2>&1 || step_failed "installing the Debian packages (deploy/deps.sh) failed"
if [ "$(grep -c . "$SETUP_LOG")" -gt "$before" ]; then echo "installed what was missing"; else echo "all present"; fi

step build
{ cmake -S "$top" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build "$BUILD" -j"$(nproc)"; } \
  >>"$SETUP_LOG" 2>&1 || step_failed "the build failed"
echo "$("$CTL" --version | cut -d' ' -f2-) in ${BUILD#"$top"/}/"

# The CurveZMQ keys of the daemons and of the operator's CLI: created on the
# first start, kept afterwards (docs/operations.md, "Security").
step keys
export ENTRETIENS_KEYS_DIR=${ENTRETIENS_KEYS_DIR:-$ENTRETIENS_DATA_DIR/keys}
if [ "${ENTRETIENS_INSECURE:-0}" != 1 ]; then
  out=$("$CTL" keys init "$ENTRETIENS_KEYS_DIR" 2>&1) || { echo "$out" >>"$SETUP_LOG"; step_failed "keys init failed"; }
  echo "$out" >>"$SETUP_LOG"
  created=$(grep -c '^created' <<<"$out" || true)
  echo "$created created, $(grep -c '^kept' <<<"$out" || true) kept in $ENTRETIENS_KEYS_DIR"
else
  echo "none: ENTRETIENS_INSECURE=1 (never in production)"
fi

step start
started=0
for d in "${DAEMONS[@]}"; do
  if running "$d"; then continue; fi
  nohup "$BUILD/services/entretiens-$d" >>"$LOGS/$d.log" 2>&1 &
  echo $! >"$RUN/$d.pid"
  started=$((started + 1))
done
for _ in $(seq 1 300); do
  ready=0
  for d in "${DAEMONS[@]}"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$(http_of "$d")/readyz")" = 200 ] && ready=$((ready + 1))
  done
  [ $ready -eq ${#DAEMONS[@]} ] && break
  sleep 0.1
done
if [ $ready -ne ${#DAEMONS[@]} ]; then
  echo "FAILED"
  echo "not every daemon became ready; last log lines:" >&2
  for d in "${DAEMONS[@]}"; do echo "--- $d" >&2; tail -n 5 "$LOGS/$d.log" >&2; done
  exit 1
fi
echo "${#DAEMONS[@]} daemons ready ($started started now), logs in $LOGS/"

# First start: a demonstration organisation, so that there is something to see.
step demo
DEMO=$ENTRETIENS_DATA_DIR/demo
if [ ! -f "$DEMO/loaded" ] && [ "${ENTRETIENS_DEMO:-1}" = 1 ]; then
  mkdir -p "$DEMO"
  employees=${ENTRETIENS_DEMO_EMPLOYEES:-3000}
  { "$CTL" demo generate --employees "$employees" --seed 2026 --out "$DEMO/events.jsonl" --policy-out "$DEMO/policy.json" &&
    "$CTL" policy apply "$DEMO/policy.json" && "$CTL" ingest "$DEMO/events.jsonl" >"$DEMO/ingest.out"; } \
    >>"$SETUP_LOG" 2>&1 || step_failed "loading the demonstration organisation failed"
  cat "$DEMO/ingest.out" >>"$SETUP_LOG"
  touch "$DEMO/loaded"
  echo "$employees employees, 15 years of history: $(head -n 1 "$DEMO/ingest.out")"
elif [ -f "$DEMO/loaded" ]; then
  echo "already loaded ($DEMO)"
else
  echo "skipped (ENTRETIENS_DEMO=0)"
fi

echo
"$CTL" health

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
# the one "overdue" (actionable and past due, the scheduler's): stats
# compliance ("overdue deadlines") and stats managers (total) give the same count
"$CTL" due --from 1950-01-01 --to "$yesterday" --by-type
echo
echo "== legal exposure: professional interviews and the EUR 3,000 CPF top-up per entity =="
"$CTL" --as hr:demo stats compliance --by entity || "$CTL" --as hr:demo stats compliance
echo
echo "== managers with the most to do (overdue deadlines, signatures) =="
"$CTL" --as hr:demo stats managers --limit 5
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
echo "== open http://$(http_of gateway)/ in a browser (or the API, /api/v1) and sign in with these demo accounts =="
[ -f "$ACCOUNTS" ] && while read -r login principal pw; do
  printf '  %-12s %-18s password %s\n' "$login" "$principal" "$pw"
done <"$ACCOUNTS"
echo
cat <<TXT

entretiens is running.
  stores     $ENTRETIENS_DATA_DIR/<daemon>/  (LMDB)
  logs       $LOGS/<daemon>.log  (JSON lines); set-up: $SETUP_LOG
  metrics    $(for d in "${DAEMONS[@]}"; do [ "$d" = gateway ] && printf 'http://%s/metrics ' "${ENTRETIENS_GATEWAY_OPS_HTTP:-127.0.0.1:7502}" || printf 'http://%s/metrics ' "$(http_of "$d")"; done)
  health     http://$(http_of scheduler)/readyz (and the same on each daemon)
  web        http://$(http_of gateway)/ (the pages for employees and managers, docs/web.md)
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
