#!/usr/bin/env bash
# entretiensctl's saved defaults (`config set|unset|show`): a principal saved
# once is used by every command; the environment and the flags win over it;
# a broken file stops the commands with the line at fault, and `config`
# still works to repair it.  Against a real records daemon with CurveZMQ on.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
it_endpoints records
# records alone is alive but not ready (it waits for the scheduler): alive
# is enough to answer `access list`
start_bg records "$BIN/entretiens-records"
wait_alive records

conf=$ENTRETIENS_CTL_CONFIG
[ ! -e "$conf" ] || fail "the test's config file exists before the test"
# refused() cmd...: the command fails with PERMISSION_DENIED
refused() {
  local err
  if err=$("$@" 2>&1 >/dev/null); then fail "not refused: $*"; fi
  grep -q PERMISSION_DENIED <<<"$err" || fail "refused without PERMISSION_DENIED: $* -> $err"
}

# nothing saved: the operator key's own principal lists the grants
"$CTL" access list >/dev/null || fail "access list without a saved default"

# save an employee: every command now acts as that employee, and is refused
"$CTL" config set as employee:E1 >/dev/null || fail "config set as"
grep -qx 'ENTRETIENS_AS=employee:E1' "$conf" || fail "file lacks the saved line: $(cat "$conf")"
[ "$(stat -c %a "$conf")" = 600 ] || fail "config file mode $(stat -c %a "$conf"), want 600"
refused "$CTL" access list
src=$("$CTL" --json config show | jq -r '.settings[] | select(.name == "ENTRETIENS_AS") | "\(.value) \(.source)"')
[ "$src" = "employee:E1 file" ] || fail "config show says '$src'"

# the flag, before or after the command, and the environment win over the file
"$CTL" --as admin:root access list >/dev/null || fail "--as before the command did not win"
"$CTL" access list --as admin:root >/dev/null || fail "--as after the command did not win"
ENTRETIENS_AS=admin:root "$CTL" access list >/dev/null || fail "ENTRETIENS_AS did not win"
src=$(ENTRETIENS_AS=admin:root "$CTL" --json config show | jq -r '.settings[] | select(.name == "ENTRETIENS_AS") | .source')
[ "$src" = environment ] || fail "source '$src' with ENTRETIENS_AS set"

# saving an admin makes the same command pass; other lines are kept
echo "# kept comment" >>"$conf"
"$CTL" config set ENTRETIENS_AS admin:root >/dev/null || fail "config set ENTRETIENS_AS"
"$CTL" access list >/dev/null || fail "access list as the saved admin"
[ "$(grep -c '^ENTRETIENS_AS=' "$conf")" = 1 ] || fail "two ENTRETIENS_AS lines: $(cat "$conf")"
grep -qx '# kept comment' "$conf" || fail "the comment was lost"

# a saved endpoint is used: a wrong records address makes the call time out
"$CTL" config set records-rpc tcp://127.0.0.1:1 >/dev/null || fail "config set records-rpc"
# (the test's own endpoint is in the environment, which would win: not here)
if (unset ENTRETIENS_RECORDS_RPC; ENTRETIENS_RPC_TIMEOUT_MS=300 "$CTL" access list >/dev/null 2>&1); then
  fail "the saved endpoint was not used"
fi
"$CTL" config unset records-rpc >/dev/null || fail "config unset"
grep -q RECORDS_RPC "$conf" && fail "unset left the line: $(cat "$conf")"

# refusals: a name that is not a setting, a value on two lines
if "$CTL" config set data-path /x 2>/dev/null; then fail "unknown setting accepted"; fi
if "$CTL" config set as "$(printf 'a\nb')" 2>/dev/null; then fail "two-line value accepted"; fi

# a broken file: commands stop and say the line; config still repairs it
echo "not a setting line" >>"$conf"
if err=$("$CTL" access list 2>&1); then fail "a command ran with a broken file"; fi
grep -q "ctl.conf:[0-9]*: expected NAME=VALUE" <<<"$err" || fail "no line number in: $err"
sed -i '/not a setting line/d' "$conf"
"$CTL" config unset as >/dev/null || fail "config unset as"
"$CTL" access list >/dev/null || fail "access list after repair"
echo "PASS test_ctl_config"
