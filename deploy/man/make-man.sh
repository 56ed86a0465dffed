#!/usr/bin/env bash
# Writes the manual page of one program of entretiens from its own help
# texts (help2man), so the page cannot drift from the binary:
#
#   make-man.sh PROGRAM SECTION "one-line name" OUT [INCLUDE.h2m]
#
# For entretiensctl, each command's `COMMAND --help` (usage and details)
# becomes a subsection of COMMANDS IN DETAIL, generated beside OUT.
set -euo pipefail
prog=$1 section=$2 name=$3 out=$4 include=${5:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the page never depends on who builds it: no saved defaults, no locale
export ENTRETIENS_CTL_CONFIG=/nonexistent LANG=C LC_ALL=C
unset ENTRETIENS_LANG ENTRETIENS_AS

h2m=$work/page.h2m
: >"$h2m"
[ -z "$include" ] || cat "$include" >>"$h2m"

roff_escape() { # stdin -> stdout: text safe inside .nf/.fi
  sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

if [ "$(basename "$prog")" = entretiensctl ]; then
  cmds=$("$prog" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ {print $1}' | sort -u)
  [ -n "$cmds" ] || { echo "make-man.sh: no commands in $prog --help" >&2; exit 1; }
  {
    echo "[COMMANDS IN DETAIL]"
    for c in $cmds; do
      echo ".SS $c"
      echo ".nf"
      "$prog" "$c" --help | roff_escape
      echo ".fi"
    done
  } >>"$h2m"
fi

help2man --no-info --no-discard-stderr --section="$section" --name="$name" \
  --include="$h2m" --output="$work/page" "$prog"
mv "$work/page" "$out"
