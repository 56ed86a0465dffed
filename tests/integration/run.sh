#!/usr/bin/env bash
# Runs every tests/integration/test_*.sh and prints "N passed, M failed".
# ENT_BUILD selects the build directory (default ./build).
here=$(cd "$(dirname "$0")" && pwd)
pass=0; failn=0; failed_names=()
for t in "$here"/test_*.sh; do
  name=$(basename "$t" .sh)
  start=$(date +%s)
  if out=$(bash "$t" 2>&1); then
    pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - start ))s)"
  else
    failn=$((failn + 1)); failed_names+=("$name"); echo "FAIL $name ($(( $(date +%s) - start ))s)"
    echo "$out" | tail -n 30 | sed 's/^/    /'
  fi
done
[ $failn -eq 0 ] || echo "failed: ${failed_names[*]}"
echo "$pass passed, $failn failed"
[ $failn -eq 0 ]
