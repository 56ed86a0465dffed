#!/usr/bin/env bash
# The Debian package as an operator meets it: built with CPack from this
# build, installed with dpkg -i, every daemon started the way its installed
# unit says (user, environment file, command line), all ready and answering
# the installed entretiensctl with the keys the package created; then
# dpkg -r keeps only the configuration and the stores, and dpkg -P leaves
# nothing behind (files, directories, user, group).
#
# It installs a package on this machine: run it as root on a throwaway
# machine (a CI container, a VM).  It refuses to run where entretiens is
# already installed or has left files, rather than overwrite them.
# With systemd as PID 1 the units themselves are started; in a container
# without systemd the test starts the same command lines as the units'
# user itself (on free ports instead of the defaults).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "must run as root: it installs the package (run it in a CI container or a VM)"
for p in /etc/entretiens /var/lib/entretiens /usr/bin/entretiensctl /usr/share/doc/entretiens; do
  [ ! -e "$p" ] || fail "$p exists: entretiens is (or was) installed here; remove it (dpkg -P entretiens) first"
done
! getent passwd entretiens >/dev/null || fail "a user entretiens exists already (userdel entretiens first)"
command -v cpack >/dev/null || fail "cpack missing (deploy/deps.sh installs cmake)"
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps missing (deploy/deps.sh installs dpkg-dev)"

PKG_INSTALLED=0
deb_cleanup() {
  for pid in "${IT_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ $PKG_INSTALLED = 1 ]; then dpkg -P entretiens >>"$IT_DIR/dpkg.log" 2>&1; fi
}
trap 'rc=$?; deb_cleanup; (exit $rc); it_cleanup' EXIT

# ---------------------------------------------------------------- build
log "building the package with CPack from $ENT_BUILD"
cpack -G DEB --config "$ENT_BUILD/CPackConfig.cmake" -B "$IT_DIR/pkg" >"$IT_DIR/cpack.log" 2>&1 ||
  fail "cpack failed: $(tail -n 20 "$IT_DIR/cpack.log")"
deb=$(ls "$IT_DIR"/pkg/entretiens_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no entretiens_*.deb in $IT_DIR/pkg"
version=$("$CTL" --version | cut -d' ' -f2)
[ "$(dpkg-deb -f "$deb" Version)" = "$version-1" ] ||
  fail "package version $(dpkg-deb -f "$deb" Version), programs say $version"
depends=" $(dpkg-deb -f "$deb" Depends | sed -E 's/ \([^)]*\)//g; s/,/ /g') "
for lib in libzmq5 liblmdb0 libuv1 libmicrohttpd12 libjansson4 libssl3 libprotobuf-c1 libcurl4 libical3 libcsv3 passwd; do
  [[ $depends == *" $lib "* ]] || fail "Depends lacks $lib: $depends"
done
# what the package holds: the programs, a unit per daemon and the target, the docs, the web pages
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#')
for f in /usr/bin/entretiensctl /usr/lib/systemd/system/entretiens.target \
         /usr/share/doc/entretiens/examples/entretiens.env /usr/share/doc/entretiens/operations.md \
         /usr/share/doc/entretiens/LICENSE /usr/share/doc/entretiens/CHANGELOG.md \
         /usr/share/bash-completion/completions/entretiensctl /usr/share/entretiens/web/index.html; do
  grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done
daemons=()
for u in $(grep -oE '/usr/lib/systemd/system/entretiens-[a-z]+\.service$' <<<"$contents"); do
  n=${u##*/entretiens-}; daemons+=("${n%.service}")
done
[ ${#daemons[@]} -ge 4 ] || fail "expected a unit per daemon, found: ${daemons[*]}"
for d in "${daemons[@]}"; do
  grep -qx "/usr/bin/entretiens-$d" <<<"$contents" || fail "unit entretiens-$d.service but no /usr/bin/entretiens-$d"
done

# ---------------------------------------------------------------- install
log "dpkg -i $(basename "$deb") (daemons: ${daemons[*]})"
PKG_INSTALLED=1
dpkg -i "$deb" >"$IT_DIR/dpkg.log" 2>&1 || fail "dpkg -i failed: $(tail -n 20 "$IT_DIR/dpkg.log")"
[ "$(dpkg-query -W -f='${Status}' entretiens)" = "install ok installed" ] || fail "dpkg does not list it installed"
grep -q 'systemctl enable --now entretiens.target' "$IT_DIR/dpkg.log" || fail "postinst does not say how to start"

# the system user, its directories and the keys, with their owners and modes
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd entretiens) || fail "no user entretiens"
[ "$uid" -lt 1000 ] || fail "entretiens is not a system user (uid $uid)"
[ "$shell" = /usr/sbin/nologin ] || fail "entretiens has a login shell ($shell)"
[ "$home" = /var/lib/entretiens ] || fail "entretiens' home is $home"
getent group entretiens >/dev/null || fail "no group entretiens"
[ "$(stat -c '%U:%G %a' /var/lib/entretiens)" = "entretiens:entretiens 750" ] ||
  fail "/var/lib/entretiens is $(stat -c '%U:%G %a' /var/lib/entretiens)"
[ "$(stat -c '%U:%G %a' /etc/entretiens/entretiens.env)" = "root:entretiens 640" ] ||
  fail "/etc/entretiens/entretiens.env is $(stat -c '%U:%G %a' /etc/entretiens/entretiens.env 2>&1)"
for d in "${daemons[@]}" operator; do
  s=/etc/entretiens/keys/$d.secret
  [ "$(stat -c '%U %a' "$s" 2>/dev/null)" = "entretiens 600" ] || fail "$s: $(stat -c '%U %a' "$s" 2>&1)"
  [ -f "/etc/entretiens/keys/$d.pub" ] || fail "no /etc/entretiens/keys/$d.pub"
done

# ---------------------------------------------------------------- start
# the unit's own settings: its command line, its user, its environment files
unit_get() { sed -n "s/^$2=//p" "/usr/lib/systemd/system/entretiens-$1.service"; }
if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
  log "systemd is PID 1: systemctl start entretiens.target"
  systemctl start entretiens.target || fail "systemctl start entretiens.target failed"
  for d in "${daemons[@]}"; do
    systemctl is-active --quiet "entretiens-$d" || fail "entretiens-$d is not active"
  done
  # the units read the installed environment file: the default ports
  set -a; source <(grep -E '^[A-Z_][A-Z0-9_]*=' /etc/entretiens/entretiens.env); set +a
else
  log "no systemd (PID 1 is $(ps -p 1 -o comm=)): starting the units' command lines as their user"
  # the environment files, as systemd reads them (KEY=value lines); then
  # free ports instead of the defaults, so that nothing on the host clashes
  for d in "${daemons[@]}"; do
    for f in $(unit_get "$d" EnvironmentFile); do
      f=${f#-}
      [ -f "$f" ] || continue
      while IFS= read -r line; do export "$line"; done < <(grep -E '^[A-Z_][A-Z0-9_]*=' "$f")
    done
  done
  it_endpoints "${daemons[@]}"
  for d in "${daemons[@]}"; do
    user=$(unit_get "$d" User); exec_line=$(unit_get "$d" ExecStart)
    [ "$user" = entretiens ] || fail "entretiens-$d.service runs as '$user'"
    [ -x "${exec_line%% *}" ] || fail "entretiens-$d.service starts ${exec_line%% *}, which is not installed"
    # shellcheck disable=SC2086  # the unit's command line, split as systemd splits it (no quotes in it)
    start_bg "$d" setpriv --reuid=entretiens --regid=entretiens --init-groups -- $exec_line
  done
fi
for d in "${daemons[@]}"; do wait_ready "$d" 60; done
log "every daemon is ready"

# the installed CLI acts with the operator's key the package created
health=$(/usr/bin/entretiensctl --json health 2>"$IT_DIR/health.err") || fail "entretiensctl health: $(cat "$IT_DIR/health.err")"
for d in "${daemons[@]}"; do
  # health covers the event pipeline (the four daemons); the gateway
  # answers its operators' methods: the installed key reaches it too
  if [ "$d" = gateway ]; then
    /usr/bin/entretiensctl user list >/dev/null 2>"$IT_DIR/users.err" ||
      fail "entretiensctl user list (the gateway) with the installed key: $(cat "$IT_DIR/users.err")"
    continue
  fi
  [ "$(jq -r --arg d "$d" '[.. | objects | select(.service? == $d)] | length' <<<"$health")" -ge 1 ] ||
    fail "entretiensctl health does not show $d: $health"
done
v=$(/usr/bin/entretiens-scheduler --version)
[[ $v == "entretiens-scheduler $version ("*")" ]] || fail "installed scheduler --version: $v"
# the stores are the user's, in the state directory
for d in "${daemons[@]}"; do
  [ "$(stat -c %U "/var/lib/entretiens/$d/data.mdb" 2>/dev/null)" = entretiens ] ||
    fail "/var/lib/entretiens/$d/data.mdb is not entretiens' store"
done

# ---------------------------------------------------------------- stop
if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
  systemctl stop entretiens.target
else
  for pid in "${IT_PIDS[@]}"; do kill -TERM "$pid"; done
  for pid in "${IT_PIDS[@]}"; do wait "$pid" || fail "a daemon exited $? after SIGTERM (log: $IT_DIR)"; done
  IT_PIDS=()
fi

# ---------------------------------------------------------------- remove
log "dpkg -r"
dpkg -r entretiens >>"$IT_DIR/dpkg.log" 2>&1 || fail "dpkg -r failed: $(tail -n 20 "$IT_DIR/dpkg.log")"
while read -r f; do
  [ -z "$f" ] || [ -d "$f" ] || [ ! -e "$f" ] || fail "dpkg -r left $f"
done <<<"$contents"
# remove keeps what is the operator's: the configuration, the keys, the stores
for p in /etc/entretiens/entretiens.env /etc/entretiens/keys/operator.secret /var/lib/entretiens/scheduler/data.mdb; do
  [ -e "$p" ] || fail "dpkg -r removed $p (only purge may)"
done

log "dpkg -P"
dpkg -P entretiens >>"$IT_DIR/dpkg.log" 2>&1 || fail "dpkg -P failed: $(tail -n 20 "$IT_DIR/dpkg.log")"
PKG_INSTALLED=0
dpkg-query -W entretiens >/dev/null 2>&1 && fail "dpkg still knows entretiens after purge"
for p in /etc/entretiens /var/lib/entretiens /usr/share/doc/entretiens /usr/lib/systemd/system/entretiens.target; do
  [ ! -e "$p" ] || fail "dpkg -P left $p"
done
while read -r f; do
  [ -z "$f" ] || [ ! -e "$f" ] || [ "$(find "$f" -maxdepth 0 -type d -not -empty 2>/dev/null)" ] ||
    [[ $f == /usr/ || $f == /usr/bin/ || $f == /usr/lib/ || $f == /usr/share/ || $f == /usr/share/doc/ || $f == /usr/lib/systemd/ || $f == /usr/lib/systemd/system/ ]] ||
    fail "dpkg -P left $f"
done <<<"$contents"
! getent passwd entretiens >/dev/null || fail "dpkg -P left the user entretiens"
! getent group entretiens >/dev/null || fail "dpkg -P left the group entretiens"
echo "PASS: package $(basename "$deb") installed, ${#daemons[@]} daemons ready as entretiens, removed and purged clean"
