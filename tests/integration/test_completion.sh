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
out=$(complete_words --lang "")
has "$out" fr; has "$out" en
out=$(complete_words --lang fr du)
has "$out" due
out=$(complete_words config "")
has "$out" set; has "$out" show; has "$out" unset

# zsh: the same answers from deploy/completion/_entretiensctl.  compadd and
# _files are zsh's completion builtins: here they print what they are given,
# so the function runs outside a completion widget.
command -v zsh >/dev/null || fail "zsh is not installed (deploy/deps.sh installs it)"
zcomplete() { # words... (the last one is being completed) -> candidates, one a line
  zsh -f -c '
    compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done
                [[ $1 == -- ]] && shift; print -l -- "$@"; }
    _files() { print -- "<files>"; }
    words=(true); CURRENT=1
    source "$1" >/dev/null 2>&1
    shift; words=("$@"); CURRENT=$#
    _entretiensctl' zcomplete "$top/deploy/completion/_entretiensctl" "$CTL" "$@" | sort
}
out=$(zcomplete "")
for c in health clock keys ingest due interview notifications stats config; do has "$out" "$c"; done
[ "$(wc -l <<<"$out")" -ge 20 ] || fail "zsh: too few commands: $out"
out=$(zcomplete clock "")
has "$out" show; has "$out" set; lacks "$out" DATE
out=$(zcomplete due --f)
has "$out" --from
out=$(zcomplete --json due --from 2026-01-01 --t)
has "$out" --to
out=$(zcomplete --lang fr du)
has "$out" due
out=$(zcomplete --as "")
has "$out" hr:
out=$(zcomplete --d)
has "$out" --data-dir
out=$(zcomplete import employees --map "")
has "$out" "<files>"
echo "PASS: commands, subcommands and flags completed from the CLI's help (bash and zsh)"
