# Starts the test OpenID provider (provider.mjs, the `oidc-provider` npm
# package pinned in package-lock.json).  Sourced after lib.sh; reusable by
# any integration test that needs an issuer:
#
#   source "$here/oidc/provider.sh"
#   export OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... OIDC_REDIRECT_URI=... OIDC_ACCOUNTS=FILE
#   oidc_provider_start            # sets OIDC_PORT (unless set) and OIDC_ISSUER
#
# The package is installed once per build directory (or ENT_OIDC_NPM_DIR)
# with npm ci, again whenever package-lock.json changes; never assumed present.
OIDC_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OIDC_NPM_DIR=${ENT_OIDC_NPM_DIR:-$ENT_BUILD/npm/oidc-provider}

oidc_provider_install() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    fail "node and npm are needed (deploy/deps.sh installs them)"
  mkdir -p "$OIDC_NPM_DIR" || fail "cannot create $OIDC_NPM_DIR"
  (
    # one install at a time per directory (a normal and a sanitizer run
    # may share a cache directory)
    flock 9
    if ! cmp -s "$OIDC_SRC/package-lock.json" "$OIDC_NPM_DIR/package-lock.json" ||
       [ ! -f "$OIDC_NPM_DIR/node_modules/oidc-provider/package.json" ]; then
      cp "$OIDC_SRC/package.json" "$OIDC_SRC/package-lock.json" "$OIDC_NPM_DIR/" &&
        (cd "$OIDC_NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
  ) 9>"$OIDC_NPM_DIR/.lock" || fail "npm could not install oidc-provider into $OIDC_NPM_DIR"
}

oidc_provider_start() {
  oidc_provider_install
  # the script runs from the test's own directory, next to a link to the
  # installed packages (ESM resolves imports from the script's place)
  mkdir -p "$IT_DIR/oidc"
  cp "$OIDC_SRC/provider.mjs" "$IT_DIR/oidc/provider.mjs"
  ln -sfn "$OIDC_NPM_DIR/node_modules" "$IT_DIR/oidc/node_modules"
  export OIDC_PORT=${OIDC_PORT:-$(free_port)}
  export OIDC_ISSUER=${OIDC_ISSUER:-http://127.0.0.1:$OIDC_PORT}
  start_bg oidc-provider node "$IT_DIR/oidc/provider.mjs"
  OIDC_PROVIDER_PID=$LAST_PID
  local i
  for i in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$OIDC_ISSUER/.well-known/openid-configuration")" = 200 ] && return 0
    kill -0 "$OIDC_PROVIDER_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "the OpenID provider did not start (log: $(tail -n 20 "$IT_DIR/oidc-provider.log" 2>/dev/null))"
}
