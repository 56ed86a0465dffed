#!/usr/bin/env bash
# ./tests/bench/run.sh compare — the scheduler against a throw-away
# PostgreSQL cluster on the same machine (tests/bench/bench_compare.c).
#
# Installs PostgreSQL and libpq from Debian when missing (deploy/deps.sh
# --bench), creates a cluster in a temporary directory with the stock
# configuration (fsync and synchronous_commit on), listening on 127.0.0.1
# at a free port (its unix socket in the same directory), runs the
# comparison, stops the cluster and removes the directory.
#
# ENT_COMPARE_EMPLOYEES (default 200000, a few minutes on 2 cores; the
# issue's size is 1000000), ENT_COMPARE_CALLS (20000 point queries),
# ENT_COMPARE_IN_FLIGHT (4: after one batch at a time, both sides ingest
# again from empty with that many batches outstanding on their one
# connection — PostgreSQL in libpq's pipeline mode; 1: once only),
# ENT_COMPARE_SCHEDULER (another scheduler binary, to compare
# two builds), ENT_COMPARE_PROBE (1: a third scheduler ingest, pipelined,
# with another client calling health beside it: its latencies),
# ENT_COMPARE_PIN (0, the default: the kernel places every thread; 1 on
# two CPUs or more: both servers on the last CPU, the client on the first,
# as dedicated cores would place them).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ENT_BUILD:-$top/build-release}
"$top/deploy/deps.sh" --bench
# configured again: libpq may have just been installed
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target ent-bench-compare entretiens-scheduler >/dev/null

# Placement.  Both servers get the same CPU and the client another, so
# neither side pays for threads the kernel scatters: PostgreSQL's backend
# (and its other processes, started from the pinned postmaster) and the
# scheduler's loop with its ZeroMQ I/O thread share the last CPU, as a pod
# with one dedicated CPU (Kubernetes' static CPU manager) would have them.
pin=${ENT_COMPARE_PIN:-0}
ncpu=$(nproc)
srv_pin=() cli_pin=()
if [ "$pin" = 1 ] && [ "$ncpu" -ge 2 ]; then
  srv_pin=(taskset -c $((ncpu - 1)))
  cli_pin=(taskset -c 0)
fi
sched=${ENT_COMPARE_SCHEDULER:-$build/services/entretiens-scheduler}

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
tmp=$(mktemp -d /tmp/ent-bench-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses root: the cluster belongs to the postgres user the package created
  chown postgres: "$tmp"
  as_pg=(runuser -u postgres --)
fi
stop() {
  if [ -f "$tmp/data/postmaster.pid" ]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap stop EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pgbin/initdb" -D "$tmp/data" -U ent -A trust --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
"${srv_pin[@]}" "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgresql.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$tmp" start >/dev/null ||
  { cat "$tmp/postgresql.log" >&2; exit 1; }
pg_pid=$(head -1 "$tmp/data/postmaster.pid")
if [ ${#srv_pin[@]} -gt 0 ]; then
  # the scheduler, started by the client, gets the servers' CPU back
  printf '#!/bin/sh\nexec %s %s "$@"\n' "${srv_pin[*]}" "$sched" >"$tmp/scheduler"
  chmod 755 "$tmp/scheduler"
  sched=$tmp/scheduler
  echo "placement: PostgreSQL and the scheduler on CPU $((ncpu - 1)), the client on CPU 0 (ENT_COMPARE_PIN=1)"
else
  echo "placement: the kernel's (ENT_COMPARE_PIN=1: the servers on one CPU, the client on another)"
fi
# the machine's load: the latencies below depend on it
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
"$pgbin/postgres" --version
"${as_pg[@]}" "$pgbin/psql" -h 127.0.0.1 -p "$port" -U ent -d postgres -Atc \
  "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit') || ' shared_buffers=' || current_setting('shared_buffers')"
"${cli_pin[@]}" "$build/tests/bench/ent-bench-compare" --pg "host=127.0.0.1 port=$port user=ent dbname=postgres" --pg-pid "$pg_pid" \
  --employees "${ENT_COMPARE_EMPLOYEES:-200000}" --calls "${ENT_COMPARE_CALLS:-20000}" \
  --in-flight "${ENT_COMPARE_IN_FLIGHT:-4}" --probe "${ENT_COMPARE_PROBE:-0}" \
  --scheduler "$sched"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Next to the point query, the other reads a web page makes, on the same
# machine in the same run: records' show and list (content sealed, then in
# clear: two passes each) and analytics' queries, from their own benchmarks
# (tests/bench/bench_records.c, bench_analytics.c), CURVE on.
neighbours=${ENT_COMPARE_NEIGHBOURS:-20000}
if [ "$neighbours" != 0 ]; then
  cmake --build "$build" -j"$(nproc)" --target ent-bench-records ent-bench-analytics entretiens-records \
    entretiens-analytics >/dev/null
  echo
  echo "next to them: records' and analytics' reads ($neighbours employees, through RPC with CURVE)"
  "$build/tests/bench/ent-bench-records" --employees "$neighbours" 2>"$tmp/records.log" | grep -E '^-- records|^interview (show|list)'
  "$build/tests/bench/ent-bench-analytics" --employees "$neighbours" --calls 2000 2>"$tmp/analytics.log" |
    grep -E '^(completion  |compliance \(|compliance --list  |managers \(|worst p99)'
  echo "load average after those: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
