#!/usr/bin/env bash
# The manual pages the build writes from the programs' help texts
# (cmake/man.cmake, deploy/man/make-man.sh): one per program, rendered by
# groff without warnings, and entretiensctl(1) holds every command of the
# built CLI (with its details) and every setting the CLI reads.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
man_dir=$ENT_BUILD/man
[ -d "$man_dir" ] || fail "no $man_dir: the build wrote no manual page (is help2man installed?)"
command -v groff >/dev/null || fail "groff missing (man-db's dependency)"

pages=("$man_dir/entretiensctl.1")
for b in "$BIN"/entretiens-*; do [ -x "$b" ] && pages+=("$man_dir/$(basename "$b").8"); done
[ ${#pages[@]} -ge 6 ] || fail "expected the CLI and five daemons, found ${#pages[@]} programs"
for p in "${pages[@]}"; do
  [ -s "$p" ] || fail "missing manual page $p"
  warn=$(groff -man -ww -z "$p" 2>&1) || fail "groff failed on $p: $warn"
  [ -z "$warn" ] || fail "groff warnings on $(basename "$p"): $warn"
  text=$(groff -man -Tutf8 "$p" 2>/dev/null | col -b)
  name=$(basename "$p"); name=${name%.*}
  grep -q "^NAME" <<<"$text" || fail "$name: no NAME section"
  grep -qE -- "^ +$name +-" <<<"$text" || fail "$name: NAME line lacks the program"
  grep -q "ENTRETIENS_DATA_DIR" <<<"$text" || fail "$name: the settings are not in the page"
done

ctl_page=$(groff -man -Tutf8 "$man_dir/entretiensctl.1" 2>/dev/null | col -b)
cmds=$(ENTRETIENS_CTL_CONFIG=/nonexistent "$CTL" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ {print $1}' | sort -u)
[ "$(wc -l <<<"$cmds")" -ge 20 ] || fail "too few commands in --help: $cmds"
for c in $cmds; do
  # each command has its subsection, with the usage line of its own --help
  grep -qE "^   $c\$" <<<"$ctl_page" || fail "entretiensctl(1) has no subsection for '$c'"
  grep -qF "usage: entretiensctl $c" <<<"$ctl_page" || fail "entretiensctl(1) lacks the usage of '$c'"
done
for s in $(ENTRETIENS_CTL_CONFIG=/nonexistent "$CTL" --json config show | jq -r '.settings[].name'); do
  grep -qF "$s" <<<"$ctl_page" || fail "entretiensctl(1) lacks the setting $s"
done
# only the CLI's settings: a daemon's store tuning is not the CLI's
grep -qF ENTRETIENS_MAP_SIZE_MB <<<"$ctl_page" && fail "entretiensctl(1) lists a daemon-only setting"
for sec in "COMMANDS IN DETAIL" "EXIT STATUS" "FILES" "EXAMPLES" "SEE ALSO"; do
  grep -qF "$sec" <<<"$ctl_page" || fail "entretiensctl(1) has no $sec section"
done
echo "PASS test_man_pages (${#pages[@]} pages)"
