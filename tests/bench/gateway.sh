#!/usr/bin/env bash
# Benchmark of the gateway (./tests/bench/run.sh gateway), with the four real
# daemons and CurveZMQ on, in the Release build:
#   1. POST /api/v1/events in batches of 1,000 hires (each answered after the
#      scheduler committed): events/s — with the five daemons sharing the
#      two cores, on one connection then on four; on four with the three
#      consumers (records, notifier, analytics) at the idle scheduling
#      priority (SCHED_IDLE: they run when a core would otherwise idle, as
#      `CPUSchedulingPolicy=idle` would run them on one host); on four with
#      the consumers paused (SIGSTOP) while the hires come: the ingest path
#      alone (gateway and scheduler), as when the consumers run on other
#      nodes — they apply the hires after the acknowledgement, and here
#      their catch-up otherwise takes most of the two cores; they are
#      resumed after, and the time they take to apply everything is
#      printed;
#   2. GET /api/v1/me/interviews for a manager's session under wrk (16
#      connections): requests/s and the latency distribution (p50, p99).
# Sized for a 2-core machine shared with the daemons: ENT_BENCH_GW_HIRES
# (default 40,000) sets the store's size: 5 x HIRES people are hired (POST
# four times, the CLI once), and records holds about 1.7 interviews per
# person (ENT_BENCH_GW_HIRES=120000 gives about a million interviews, the
# issue's size).  The GETs start once every consumer has applied the
# hires (a settled store); the interviews stored are counted then.
here=$(cd "$(dirname "$0")" && pwd)
export ENT_BUILD=${ENT_BUILD:-$here/../../build-release}
source "$here/../integration/lib.sh"
HIRES=${ENT_BENCH_GW_HIRES:-40000}
BATCH=1000
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02 ENTRETIENS_GATEWAY_RATE_ADDR=0 ENTRETIENS_GATEWAY_RATE_PRINCIPAL=0
start_daemons
command -v wrk >/dev/null || fail "wrk is missing (deploy/deps.sh installs it)"

TOKEN=$("$CTL" apikey create --principal service:hris --scope ingest 2>/dev/null) || fail "apikey"
echo "correct horse battery" | "$CTL" user add boss --principal manager:M0 >/dev/null || fail "user add"
# hires: M0 manages everyone (so her interviews list is the whole store)
/usr/bin/python3 - "$IT_DIR" "$HIRES" "$BATCH" <<'PY'
import json, sys
d, n, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def hire(i, mgr):
    return {"event_id": f"h{i}", "source": "hris", "type": "hired", "employee_id": f"E{i:07d}",
            "effective_date": f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}", "entity": "ACME-FR",
            "department": "ops", "region": "metropole", "manager_id": mgr, "locale": "fr",
            "birth_date": "1980-06-01", "category": "cadre"}
first = [{"event_id": "m0", "source": "hris", "type": "hired", "employee_id": "M0", "effective_date": "2005-01-03",
          "entity": "ACME-FR", "department": "ops", "region": "metropole", "locale": "fr", "birth_date": "1970-01-01",
          "category": "cadre"}]
json.dump(first, open(f"{d}/b0.json", "w"))
# one set of files per POST phase, other people each time
for k, prefix in enumerate("bpwq"):
    for b in range(n // batch):
        events = [hire(k * n + b * batch + i, "M0") for i in range(batch)]
        for e in events:
            e["event_id"] = prefix + e["event_id"]
        json.dump(events, open(f"{d}/{prefix}{b + 1}.json", "w"))
PY
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$IT_DIR/b0.json" "$GW_API/events" || fail "M0"
# Posts the files PREFIX1.json ... on CONNS keep-alive connections at once
# (one: batches one after the other, each answered after commit; four: as an
# HRIS connector with a few workers sends, the gateway's threads each
# calling the scheduler, whose turns commit what arrived together).
# Prints the scheduler's and the gateway's CPU seconds over the phase too
# (IT_PIDS: the daemons in start order), steadier than the wall clock on a
# shared machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
post_batches() { # prefix conns label
  local s0 g0
  s0=$(cpu_ticks "${IT_PIDS[0]}"); g0=$(cpu_ticks "${IT_PIDS[4]}")
  /usr/bin/python3 - "$ENTRETIENS_GATEWAY_HTTP" "$TOKEN" "$IT_DIR" $((HIRES / BATCH)) "$BATCH" "$1" "$2" "$3" <<'PY' || return 1
import http.client, json, sys, threading, time
host, token, d, batches, size, prefix, conns, label = sys.argv[1:9]
batches, size, conns = int(batches), int(size), int(conns)
bodies = [open(f"{d}/{prefix}{b}.json", "rb").read() for b in range(1, batches + 1)]
errors = []
def worker(k):
    conn = http.client.HTTPConnection(host)
    for i in range(k, len(bodies), conns):
        conn.request("POST", "/api/v1/events", bodies[i], {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = conn.getresponse()
        reply = json.loads(r.read())
        if r.status != 200 or reply["accepted"] != size:
            errors.append(f"batch {i + 1}: {r.status} {reply.get('accepted')}")
            return
threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
start = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
s = time.monotonic() - start
if errors:
    sys.exit(errors[0])
n = batches * size
print(f"POST /api/v1/events, {label}: {n} hires in batches of {size}, acknowledged after commit: {n / s:,.0f} events/s ({s:.1f} s)")
PY
  echo "  CPU meanwhile: scheduler $(( $(cpu_ticks "${IT_PIDS[0]}") - s0 ))0 ms, gateway $(( $(cpu_ticks "${IT_PIDS[4]}") - g0 ))0 ms (USER_HZ 100)"
}
post_batches b 1 "one connection" || fail "POST /events"
post_batches p 4 "4 connections" || fail "POST /events x4"
# the consumers (IT_PIDS: the daemons in start order) at the idle priority,
# every thread of them (a policy is a thread's), back to the normal after
consumers=("${IT_PIDS[1]}" "${IT_PIDS[2]}" "${IT_PIDS[3]}")
consumers_policy() { # --idle | --other
  local p t
  for p in "${consumers[@]}"; do
    for t in /proc/"$p"/task/*; do chrt "$1" -p 0 "${t##*/}" || return 1; done
  done
}
consumers_policy --idle || fail "chrt --idle"
post_batches w 4 "4 connections, the consumers at idle priority" || fail "POST /events x4 (idle)"
consumers_policy --other || fail "chrt --other"
# the ingest path alone: the consumers paused while the hires come, resumed
# after.  Once they are stopped, the scheduler still answers the replay
# pages they had asked ahead (CURVE-sealing up to 32 pages of 4,096 events
# for each): the posts start when its CPU has stayed still for a second,
# that work done
kill -STOP "${consumers[@]}" || fail "SIGSTOP"
quiet=0
for i in $(seq 1 60); do
  before=$(cpu_ticks "${IT_PIDS[0]}"); sleep 0.5
  if [ "$(cpu_ticks "${IT_PIDS[0]}")" -le $((before + 2)) ]; then
    quiet=$((quiet + 1)); [ "$quiet" -ge 2 ] && break
  else
    quiet=0
  fi
done
post_batches q 4 "4 connections, the consumers paused" || fail "POST /events x4 (alone)"
kill -CONT "${consumers[@]}" || fail "SIGCONT"

# the same number of other hires through the CLI (JSON lines, its batches): the scheduler's own pace
/usr/bin/python3 - "$IT_DIR" "$HIRES" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/cli.jsonl", "w") as f:
    for i in range(n):
        f.write(json.dumps({"event_id": f"c{i}", "source": "hris", "type": "hired", "employee_id": f"C{i:07d}",
                            "effective_date": f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}", "entity": "ACME-FR",
                            "department": "ops", "region": "metropole", "manager_id": "M0", "locale": "fr",
                            "birth_date": "1980-06-01", "category": "cadre"}) + "\n")
PY
start=$(date +%s.%N)
"$CTL" ingest "$IT_DIR/cli.jsonl" >/dev/null || fail "CLI ingest"
end=$(date +%s.%N)
python3 -c "import sys; n, s = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); print(f'entretiensctl ingest (the same pace check, no gateway): {n} hires: {n / s:,.0f} events/s ({s:.1f} s)')" "$HIRES" "$start" "$end"

# The GET figures are the reads of a settled store: wait until records, the
# notifier and analytics applied every event the hires made.  (Measured
# while they still catch up on the 100,000 hires — a few tens of seconds on
# two cores — a request can wait behind a catch-up turn: p99 over a second
# at 16 connections, docs/gateway.md.)
cursor_of() { metric "$1" "entretiens_$2_consumer_cursor_seq{producer=\"$3\"}"; }
for i in $(seq 1 1200); do
  sh=$(sched_head); rh=$(rec_head)
  if [ -n "$sh" ] && [ "$(cursor_of "$ENTRETIENS_RECORDS_HTTP" records scheduler)" = "$sh" ] &&
     [ "$(cursor_of "$ENTRETIENS_NOTIFIER_HTTP" notifier scheduler)" = "$sh" ] &&
     [ "$(cursor_of "$ENTRETIENS_NOTIFIER_HTTP" notifier records)" = "$rh" ] &&
     [ "$(cursor_of "$ENTRETIENS_ANALYTICS_HTTP" analytics scheduler)" = "$sh" ] &&
     [ "$(cursor_of "$ENTRETIENS_ANALYTICS_HTTP" analytics records)" = "$rh" ]; then
    break
  fi
  sleep 0.5
done
echo "consumers caught up after $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$end" "$(date +%s.%N)") s"
# the size of what the GETs read: interviews stored (records' exact count),
# the employees under M0 (every hire), and the stores against the memory
n=$(metric "$ENTRETIENS_RECORDS_HTTP" entretiens_records_interviews_stored)
employees=$((5 * HIRES))
echo "interviews stored: $n (records' entretiens_records_interviews_stored), $((employees + 1)) employees;" \
  "the five stores $(du -sm "$ENTRETIENS_DATA_DIR" | cut -f1) MiB, memory $(awk '/^MemTotal/ {t = $2} /^MemAvailable/ {a = $2} END {printf "%d MiB, %d available", t / 1024, a / 1024}' /proc/meminfo)"
curl -s -c "$IT_DIR/jar" -H 'Content-Type: application/json' -d '{"login":"boss","password":"correct horse battery"}' "$GW_API/auth/login" >/dev/null
COOKIE=$(awk '$6 == "ent_session" {print $7}' "$IT_DIR/jar")
[ -n "$COOKIE" ] || fail "login"
# a manager's own interviews (one page): the common API read
curl -sf -o /dev/null -b "ent_session=$COOKIE" "$GW_API/me/interviews" || fail "GET /me/interviews"
wrk -t2 -c16 -d10s --latency -H "Cookie: ent_session=$COOKIE" "$GW_API/me/interviews" >"$IT_DIR/wrk.txt" 2>&1 || fail "wrk: $(cat "$IT_DIR/wrk.txt")"
echo "GET /api/v1/me/interviews (wrk -t2 -c16 -d10s, $n interviews stored):"
grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx' "$IT_DIR/wrk.txt" | sed 's/^/  /'
wrk -t1 -c1 -d10s --latency -H "Cookie: ent_session=$COOKIE" "$GW_API/me/interviews" >"$IT_DIR/wrk1.txt" 2>&1 || fail "wrk c1"
echo "GET /api/v1/me/interviews, one connection (latency without queueing):"
grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx' "$IT_DIR/wrk1.txt" | sed 's/^/  /'
# the same, request by request (ent-bench-http-timeline): when the slow
# ones happen, and what the machine did meanwhile — the daemons' CPU, major
# page faults, the kernel reclaiming memory, the load
cpu_of() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; } # s, USER_HZ 100
majflt_of() { awk '{print $12}' "/proc/$1/stat"; }
vmstat_of() { awk -v k="$1" '$1 == k {print $2}' /proc/vmstat; }
names=(scheduler records notifier analytics gateway)
declare -A cpu0 flt0
for i in "${!names[@]}"; do cpu0[$i]=$(cpu_of "${IT_PIDS[$i]}"); flt0[$i]=$(majflt_of "${IT_PIDS[$i]}"); done
pgmaj0=$(vmstat_of pgmajfault); direct0=$(vmstat_of pgscan_direct); load0=$(cut -d' ' -f1 /proc/loadavg)
"$ENT_BUILD/tests/bench/ent-bench-http-timeline" "$ENTRETIENS_GATEWAY_HTTP" /api/v1/me/interviews \
  "ent_session=$COOKIE" 10 "$IT_DIR/timeline.txt" >"$IT_DIR/timeline.out" || fail "timeline: $(cat "$IT_DIR/timeline.out")"
echo "GET /api/v1/me/interviews, one connection, request by request (log: \$IT_DIR/timeline.txt with IT_KEEP=1):"
sed 's/^/  /' "$IT_DIR/timeline.out"
{
  printf '  load average %s -> %s; CPU s (major faults) meanwhile:' "$load0" "$(cut -d' ' -f1 /proc/loadavg)"
  for i in "${!names[@]}"; do
    printf ' %s %.2f (%d)' "${names[$i]}" "$(python3 -c "print($(cpu_of "${IT_PIDS[$i]}") - ${cpu0[$i]})")" \
      $(($(majflt_of "${IT_PIDS[$i]}") - flt0[$i]))
  done
  printf '; the machine: %d major faults, %d pages scanned by direct reclaim\n' \
    $(($(vmstat_of pgmajfault) - pgmaj0)) $(($(vmstat_of pgscan_direct) - direct0))
}
wrk -t2 -c16 -d10s --latency -H "Cookie: ent_session=$COOKIE" "$GW_API/me/team?limit=100" >"$IT_DIR/wrk2.txt" 2>&1 || fail "wrk team"
echo "GET /api/v1/me/team?limit=100 (first page of the $n interviews of the $employees people under M0; records walks the reporting tree):"
grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx' "$IT_DIR/wrk2.txt" | sed 's/^/  /'
