#!/usr/bin/env bash
# bash completion of entretiensctl (deploy/completion/entretiensctl.bash):
# commands, subcommands and flags come from the built CLI's --help.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
source "$top/deploy/completion/entretiensctl.bash"

complete_words() { # words... (the last one is being completed) -> COMPREPLY, one a line
  COMP_WORDS=("$CTL" "$@"); COMP_CWORD=$#
  _entretiensctl
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
has() { grep -qx -- "$2" <<<"$1" || fail "completion lacks '$2' in: $(tr '\n' ' ' <<<"$1")"; }
lacks() { ! grep -qx -- "$2" <<<"$1" || fail "completion offers '$2' in: $(tr '\n' ' ' <<<"$1")"; }

out=$(complete_words "")
for c in health clock backup keys ingest due interview notifications stats; do has "$out" "$c"; done
[ "$(wc -l <<<"$out")" -ge 20 ] || fail "too few commands: $out"
out=$(complete_words "no")
has "$out" notifications; lacks "$out" health
out=$(complete_words clock "")
has "$out" show; has "$out" set; lacks "$out" DATE
out=$(complete_words keys "")
has "$out" init; has "$out" add; has "$out" list
out=$(complete_words due --f)
has "$out" --from
out=$(complete_words --json due --from 2026-01-01 --t)
has "$out" --to
out=$(complete_words --v)
has "$out" --version
out=$(complete_words --data)
has "$out" --data-dir
out=$(complete_words --as "")
has "$out" hr:
echo "PASS: commands, subcommands and flags completed from the CLI's help"
