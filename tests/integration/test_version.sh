#!/usr/bin/env bash
# --version on every program: the same line shape, the same version (the
# project version in CMakeLists.txt) and the same revision (git describe at
# configure time, common/version.h), exit status 0, nothing opened or bound.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
top=$(cd "$here/../.." && pwd)

want=$(sed -nE 's/^project\(entretiens VERSION ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' "$top/CMakeLists.txt")
[ -n "$want" ] || fail "no project version in CMakeLists.txt"
# the daemons are every entretiens-* program the build made (a new daemon is
# checked without editing this test), plus the CLI
progs=("$CTL")
for b in "$BIN"/entretiens-*; do [ -x "$b" ] && progs+=("$b"); done
[ ${#progs[@]} -ge 5 ] || fail "expected the CLI and at least four daemons in $BIN, found ${#progs[@]}"

first=""
for p in "${progs[@]}"; do
  name=$(basename "$p")
  # a data directory nobody can create: --version must not touch it
  out=$("$p" --data-dir=/nonexistent/entretiens --version 2>"$IT_DIR/$name.err") || fail "$name --version exited $?"
  [ "$(echo "$out" | wc -l)" -eq 1 ] || fail "$name --version printed more than one line: $out"
  [[ $out =~ ^$name\ ([0-9]+\.[0-9]+\.[0-9]+)\ \((.+)\)$ ]] || fail "$name --version: unexpected line '$out'"
  [ "${BASH_REMATCH[1]}" = "$want" ] || fail "$name reports ${BASH_REMATCH[1]}, CMakeLists.txt says $want"
  rest="${BASH_REMATCH[1]} (${BASH_REMATCH[2]})"
  [ -z "$first" ] && first=$rest
  [ "$rest" = "$first" ] || fail "$name reports '$rest', another program '$first'"
  [ ! -s "$IT_DIR/$name.err" ] || fail "$name --version wrote on stderr: $(cat "$IT_DIR/$name.err")"
  [ ! -e /nonexistent/entretiens ] || fail "$name --version created its data directory"
done

# the revision is git's when this build was configured from this git tree
rev=${first#* (}; rev=${rev%)}
[ -n "$rev" ] || fail "empty revision"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1 &&
   grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$top" "$ENT_BUILD/CMakeCache.txt" 2>/dev/null; then
  exp=$(git -C "$top" describe --tags --always)
  [ "$rev" = "$exp" ] || [ "$rev" = "$exp-dirty" ] ||
    fail "revision '$rev' is not git describe's '$exp' (rebuild after a commit: the build re-configures)"
fi

# after the CLI's other global options too
out=$("$CTL" --json --version) || fail "entretiensctl --json --version exited $?"
[ "$out" = "entretiensctl $first" ] || fail "entretiensctl --json --version printed '$out'"
# --help names it
# (whole outputs first: grep -q stopping early would fail a pipefail pipeline)
help=$("$CTL" --help)
grep -q -- '--version' <<<"$help" || fail "entretiensctl --help does not list --version"
help=$("$BIN/entretiens-scheduler" --help)
grep -q -- '--version' <<<"$help" || fail "the daemons' --help does not mention --version"
echo "PASS: ${#progs[@]} programs print '$first'"
