#!/usr/bin/env bash
# Runs every test of entretiens: the Criterion unit tests and the
# integration tests (real daemons, real sockets), first in a normal build,
# then again in a build with AddressSanitizer + UndefinedBehaviorSanitizer.
# Installs missing packages with apt-get first.  Exits non-zero on any
# failure; the last lines are the runners' summaries.
#
#   ./tests/run.sh            everything
#   ENT_SKIP_ASAN=1 ./tests/run.sh   skip the sanitizer pass (local iteration only)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

./deploy/deps.sh || { echo "dependency installation failed" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
summary=()
failed=0
total_pass=0
total_fail=0

count() { # adds "P passed, F failed" style figures to the totals
  local p=$1 f=$2
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}

build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S "$top" -B "$top/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
    cmake --build "$top/$dir" -j"$jobs" 2>&1 | grep -Ev '^\[|^-- ' || true
  [ -x "$top/$dir/services/entretiens-scheduler" ]
}

run_pass() { # name, build dir
  local name=$1 dir=$2
  echo "=== $name: unit tests (ctest + Criterion) ==="
  local out
  out=$(cd "$top/$dir" && ctest -V -j"$jobs" 2>&1)
  local rc=$?
  echo "$out" > "$top/$dir/unit-tests.log"
  # Criterion runs each test in a child and does not fail a test whose child
  # only reported a leak or UB at exit: look for the sanitizers' reports.
  if echo "$out" | grep -qE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:'; then
    echo "sanitizer reports in the unit tests:"
    echo "$out" | grep -E -A12 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' | head -n 80
    rc=1
  fi
  echo "$out" | grep -E 'Synthesis|Test +#|tests passed|tests failed' | tail -n 60
  local line n f
  line=$(echo "$out" | grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' | tail -n1)
  summary+=("$name unit: ${line:-no ctest summary}")
  n=$(echo "$line" | sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/p')
  f=$(echo "$line" | sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/p')
  if [ -n "$n" ]; then count $((n - f)) "$f"; else count 0 1; fi
  [ $rc -eq 0 ] || failed=1
  echo "=== $name: integration tests ==="
  out=$(ENT_BUILD="$top/$dir" "$top/tests/integration/run.sh" 2>&1)
  rc=$?
  echo "$out" | tail -n 40
  line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
  summary+=("$name integration: ${line:-no summary}")
  if [ -n "$line" ]; then
    count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
  else
    count 0 1
  fi
  [ $rc -eq 0 ] || failed=1
}

echo "=== build (RelWithDebInfo) ==="
if build build; then
  run_pass normal build
else
  echo "build failed"; failed=1; summary+=("normal: build failed")
fi

if [ "${ENT_SKIP_ASAN:-0}" != 1 ]; then
  echo "=== build (ASan + UBSan) ==="
  if build build-asan -DENTRETIENS_SANITIZE=ON; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # the sanitizer pass runs the integration tests at a smaller scale
    export ENT_IT_SCALE=small
    run_pass sanitizers build-asan
  else
    echo "sanitizer build failed"; failed=1; summary+=("sanitizers: build failed")
  fi
fi

echo
echo "=== summary ==="
for s in "${summary[@]}"; do echo "$s"; done
[ $failed -eq 0 ] || [ $total_fail -gt 0 ] || total_fail=1
echo "$total_pass passed, $total_fail failed"
exit $failed
