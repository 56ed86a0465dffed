#!/usr/bin/env bash
# Benchmarks of entretiens, in a Release build: ./tests/bench/run.sh [runtime]
# `compare` (not part of `all`: it installs PostgreSQL) measures the scheduler
# against PostgreSQL on the same machine (tests/bench/compare.sh).
# `machine` prints what the kernel costs here (it also opens `all` and
# `compare`).  Prints every figure in one run.  Sized for a 2-core machine.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/deploy/deps.sh"
cmake -S "$top" -B "$top/build-release" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$top/build-release" -j"$(nproc)" >/dev/null
what=${1:-all}
if [ "$what" = all ] || [ "$what" = machine ] || [ "$what" = compare ]; then
  # what a system call, a page fault, a thread wake-up and a sync cost here:
  # the figures below compare with another machine's only beside these
  "$top/build-release/tests/bench/ent-bench-machine" --dir "${TMPDIR:-/tmp}"
fi
if [ "$what" = compare ]; then
  # the scheduler against a throw-away PostgreSQL cluster: ingest, recompute, point query, memory
  ENT_BUILD="$top/build-release" exec bash "$top/tests/bench/compare.sh"
fi
if [ "$what" = all ] || [ "$what" = runtime ]; then
  "$top/build-release/tests/bench/ent-bench-runtime" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = scheduler ]; then
  "$top/build-release/tests/bench/ent-bench-scheduler" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = regions ]; then
  # the scheduler's sweep at each region's midnight (five a day), 100,000 employees
  ENT_BUILD="$top/build-release" bash "$top/tests/bench/sweep_regions.sh" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = records ]; then
  # scheduler + records: >1,000,000 interviews from 380,000 employees' histories
  "$top/build-release/tests/bench/ent-bench-records" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = analytics ]; then
  # 1,000,000 employees: events/s into the projections, p50/p99 of every query
  "$top/build-release/tests/bench/ent-bench-analytics" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = notifier ]; then
  # reminders planned for 1,000,000 employees; messages/s to a local SMTP server (aiosmtpd)
  "$top/build-release/tests/bench/ent-bench-notifier" --sink "$top/tests/integration/notifier/smtp_sink.py" "${@:2}"
fi
if [ "$what" = all ] || [ "$what" = gateway ]; then
  # the HTTP API: POST /api/v1/events in batches of 1,000, GET /api/v1/me/interviews under wrk
  ENT_BUILD="$top/build-release" bash "$top/tests/bench/gateway.sh"
fi
if [ "$what" = all ] || [ "$what" = web ]; then
  # the web application: JavaScript gzip size vs 150 kB; the employee's home page's time to interactive
  ENT_BUILD="$top/build-release" bash "$top/tests/bench/web.sh"
fi
