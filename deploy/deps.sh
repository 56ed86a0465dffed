#!/usr/bin/env bash
# Installs, with apt-get, every Debian package entretiens needs to build,
# run and test, when some are missing.  Used by ./deploy/local/run.sh and
# ./tests/run.sh; safe to run again (does nothing when all are present).
# `deps.sh --bench` adds what only `./tests/bench/run.sh compare` needs
# (PostgreSQL and libpq, the peer it measures against); nothing else asks
# for them.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
  liblmdb-dev lmdb-utils libuv1-dev
  libmicrohttpd-dev libjansson-dev libssl-dev
  libcurl4-openssl-dev libical-dev libcsv-dev libsodium-dev libzip-dev
  libcriterion-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core poppler-utils
  curl procps psmisc jq openssl tzdata
  dpkg-dev file python3-yaml
  python3 python3-aiosmtpd python3-icalendar python3-jsonschema
  nodejs
  chromium
  prometheus wrk
  help2man zsh
)

if [ "${1:-}" = --bench ]; then
  PACKAGES+=(postgresql libpq-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (the OpenID provider of the sign-in tests is installed with it): a
# separate Debian package, but inside the nodejs package of NodeSource
# builds; asked for only when the command is missing, so that apt does not
# replace a NodeSource node.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
# prometheus is only here for promtool (to lint /metrics and check the alert rules);
# its service is not started.  dpkg-dev and file: CPack builds the Debian package
# (dpkg-shlibdeps computes its dependencies).  cairo + pango render the report
# as a PDF with the DejaVu fonts; poppler-utils (pdftotext) reads it in tests.
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >&2
