# glibc's malloc set for catch-ups (common/malloc_tunables.h): started
# without GLIBC_TUNABLES, a daemon executes its own binary again once with
# huge pages and larger thresholds in GLIBC_TUNABLES (same pid, same
# arguments, same process name) and its heap is advised for huge pages;
# with ENTRETIENS_MALLOC_TUNABLES=0, or GLIBC_TUNABLES set by whoever
# starts it, nothing is changed; a bad value is a configuration error.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unreadable)
thresholds="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=33554432"
# ASan and its kin bring their own allocator: glibc's tunables then change
# nothing in the mappings, only the environment can be checked
asan=false
ldd "$BIN/entretiens-scheduler" | grep -q 'libasan\|libubsan\|libtsan' && asan=true

tunables() { tr '\0' '\n' <"/proc/$1/environ" | sed -n 's/^GLIBC_TUNABLES=//p'; }
advised() { # pid -> number of mappings advised for huge pages
  awk '/^VmFlags:/ { for (i = 2; i <= NF; i++) if ($i == "hg") n++ } END { print n + 0 }' "/proc/$1/smaps"
}
run() { # label [VAR=value...]: starts the scheduler, leaves its pid in PID
  local label=$1; shift
  start_bg "scheduler-$label" env "$@" "$BIN/entretiens-scheduler"; PID=$LAST_PID
  wait_alive scheduler
  # the pid the test started is the daemon that answers: exec kept it
  [ "$(readlink "/proc/$PID/exe")" = "$(readlink -f "$BIN/entretiens-scheduler")" ] ||
    fail "$label: pid $PID is $(readlink "/proc/$PID/exe"), not the scheduler"
  # and it is still named after its binary for ps, top and pgrep -x
  [ "$(cat "/proc/$PID/comm")" = "entretiens-sche" ] || fail "$label: the process is named '$(cat "/proc/$PID/comm")'"
}
stop() { kill -TERM "$PID"; wait "$PID" || fail "scheduler exited $? on SIGTERM"; }

# the default.  /proc/PID/environ shows what the process was given up to
# the first ':' (glibc cuts the variable there once it has read it); the
# rest follows as the next NUL-separated piece
run default
given=$(tr '\0' '\n' <"/proc/$PID/environ" | grep -A2 '^GLIBC_TUNABLES=' | paste -sd: | sed 's/^GLIBC_TUNABLES=//')
if [[ $thp == *"[never]"* ]]; then
  [[ $given == "$thresholds"* ]] || fail "kernel says never: GLIBC_TUNABLES='$given'"
else
  [[ $given == "glibc.malloc.hugetlb=1:$thresholds"* ]] || fail "default: GLIBC_TUNABLES='$given' (kernel: $thp)"
  $asan || [ "$(advised "$PID")" -gt 0 ] || fail "default: no mapping advised for huge pages"
fi
# the daemon works: an event in, its employee out
echo '{"event_id":"h1","source":"hris","type":"hired","employee_id":"H1","effective_date":"2026-01-05","entity":"ACME-FR"}' |
  "$CTL" ingest - >/dev/null 2>&1 || fail "ingest"
"$CTL" employee show H1 --json | jq -e '.employee.employee_id == "H1"' >/dev/null || fail "employee show after the restart"
stop

# switched off
run off ENTRETIENS_MALLOC_TUNABLES=0
[ -z "$(tunables "$PID")" ] || fail "off: GLIBC_TUNABLES='$(tunables "$PID")'"
$asan || [ "$(advised "$PID")" -eq 0 ] || fail "off: $(advised "$PID") mappings advised for huge pages"
stop

# an operator's own tunables are theirs: nothing added
run operator GLIBC_TUNABLES=glibc.malloc.hugetlb=0
[ "$(tunables "$PID")" = "glibc.malloc.hugetlb=0" ] || fail "the operator's tunables changed: '$(tunables "$PID")'"
$asan || [ "$(advised "$PID")" -eq 0 ] || fail "the operator's hugetlb=0: mappings advised for huge pages"
stop

# a bad value: refused before anything is opened
ENTRETIENS_MALLOC_TUNABLES=yes "$BIN/entretiens-scheduler" >"$IT_DIR/bad.log" 2>&1
[ $? -eq 2 ] || fail "ENTRETIENS_MALLOC_TUNABLES=yes should exit 2"
grep -q 'ENTRETIENS_MALLOC_TUNABLES must be 0 or 1' "$IT_DIR/bad.log" || fail "bad value: $(cat "$IT_DIR/bad.log")"
echo "PASS: malloc's tunables by default (kernel: $thp; sanitizer allocator: $asan), off on request, an operator's left alone"
