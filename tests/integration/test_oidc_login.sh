#!/usr/bin/env bash
# OpenID Connect sign-in and JWT bearer tokens (services/gateway/oidc.h)
# against a real provider: the certified `oidc-provider` npm package run
# with node (tests/integration/oidc/provider.mjs), driven without a browser
# by ent-oidc-driver (tests/integration/oidc_driver.c).
#   - an employee, an HR member and an administrator sign in and get
#     employee:E42, hr:helene.rh, admin:adam;
#   - an account with no role, and one whose employee id breaks the
#     principal grammar, are refused;
#   - an ID token with a forged claim, one with a flipped signature byte, an
#     expired one, a wrong state and a replayed code are refused, each for
#     its reason;
#   - a client_credentials JWT access token (ES256) gives service:hris with
#     its scopes; a wrong audience, a flipped byte, an expired one refused;
#   - a second provider signs ID tokens with PS256 and access tokens with
#     RS256: accepted, and a flipped byte refused;
#   - no secret, code or token appears in any output or log.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/oidc/provider.sh"

DRIVER=$ENT_BUILD/tests/integration/ent-oidc-driver
[ -x "$DRIVER" ] || fail "no $DRIVER (build first)"

cat >"$IT_DIR/accounts.json" <<'EOF'
{
  "emma":   {"employee_id": "E42", "preferred_username": "emma", "name": "Emma Salariée",
             "email": "emma@example.test", "groups": ["staff"]},
  "helene": {"employee_id": "E7", "preferred_username": "helene.rh", "name": "Hélène RH",
             "email": "helene@example.test", "groups": ["staff", "hr"]},
  "adam":   {"preferred_username": "adam", "email": "adam@example.test",
             "groups": ["hr", "entretiens-admin"]},
  "nobody": {"preferred_username": "nobody", "groups": ["staff"]},
  "weird":  {"employee_id": "E42/../x", "groups": []}
}
EOF
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
machine_secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export OIDC_CLIENT_ID=entretiens-gateway
export OIDC_CLIENT_SECRET=$secret
export OIDC_REDIRECT_URI=http://127.0.0.1:$(free_port)/auth/callback
export OIDC_ACCOUNTS=$IT_DIR/accounts.json
export OIDC_MACHINE_CLIENT_ID=hris
export OIDC_MACHINE_CLIENT_SECRET=$machine_secret
export OIDC_RESOURCE=urn:entretiens:api
export OIDC_ID_TOKEN_ALG=RS256 OIDC_ACCESS_TOKEN_ALG=ES256
log "installing and starting the OpenID provider"
oidc_provider_start
log "provider at $OIDC_ISSUER"

export ENTRETIENS_OIDC_ISSUER=$OIDC_ISSUER
export ENTRETIENS_OIDC_CLIENT_ID=$OIDC_CLIENT_ID
export ENTRETIENS_OIDC_CLIENT_SECRET=$OIDC_CLIENT_SECRET
export ENTRETIENS_OIDC_REDIRECT_URI=$OIDC_REDIRECT_URI

n=0
# Runs the driver; $out gets its stdout, $rc its exit status (0 accepted,
# 1 refused, 2 the driver failed).  Everything it printed is kept for the
# leak check at the end.
drive() {
  n=$((n + 1))
  out=$("$DRIVER" "$@" 2>"$IT_DIR/driver.$n.log")
  rc=$?
  echo "$out" >"$IT_DIR/driver.$n.out"
  [ $rc -ne 2 ] || fail "driver $*: $(cat "$IT_DIR/driver.$n.log")"
}

expect_principal() { # want args...
  local want=$1; shift
  drive "$@"
  [ $rc -eq 0 ] || fail "$* refused: $out"
  [ "$(echo "$out" | jq -r .principal)" = "$want" ] || fail "$*: $out (want $want)"
  log "$* -> $want"
}

expect_refused() { # error reason-substring args...
  local want=$1 reason=$2; shift 2
  drive "$@"
  [ $rc -eq 1 ] || fail "$* accepted (rc $rc): $out"
  [ "$(echo "$out" | jq -r .error)" = "$want" ] || fail "$*: $out (want error $want)"
  echo "$out" | jq -r .reason | grep -q -- "$reason" || fail "$*: $out (want reason ~ $reason)"
  log "$* -> refused: $(echo "$out" | jq -r .reason)"
}

# --- people
expect_principal employee:E42 login emma
[ "$(echo "$out" | jq -r .name)" = "Emma Salariée" ] || fail "name: $out"
[ "$(echo "$out" | jq -r .email)" = "emma@example.test" ] || fail "email: $out"
[ "$(echo "$out" | jq -r .subject)" = "emma" ] || fail "subject: $out"
exp=$(echo "$out" | jq -r .expires)
[ "$exp" -gt "$(date +%s)" ] || fail "expires $exp not in the future"
expect_principal hr:helene.rh login helene
expect_principal admin:adam login adam
expect_refused principal "no employee_id claim" login nobody
expect_refused principal "employee_id claim is not a valid employee id" login weird

# --- refusals of the flow
expect_refused signature "signature does not verify" login emma --tamper-claims
expect_refused signature "signature does not verify" login emma --flip-byte
expect_refused expired "expired at" login emma --now-offset 7200
expect_refused state "not the one of this login attempt" login emma --wrong-state
expect_refused provider "invalid_grant" login emma --replay
grep -q "first exchange: ok" "$IT_DIR/driver.$n.log" || fail "the first exchange of the replayed code failed: $(cat "$IT_DIR/driver.$n.log")"

# --- machines: a JWT access token from client_credentials
drive bearer --scope ingest
[ $rc -eq 0 ] || fail "bearer refused: $out"
[ "$(echo "$out" | jq -c '[.principal, .scopes, .ingest, .read]')" = '["service:hris","ingest",true,false]' ] ||
  fail "bearer: $out"
log "bearer (scope ingest) -> $out"
drive bearer --scope "ingest read"
[ "$(echo "$out" | jq -c '[.principal, .ingest, .read]')" = '["service:hris",true,true]' ] ||
  fail "bearer ingest read: $out"
expect_refused aud "aud does not contain" bearer --audience urn:another:api
expect_refused signature "signature does not verify" bearer --flip-byte
expect_refused expired "expired at" bearer --now-offset 3600

# --- the other algorithms, signed by the provider (jose), not by us:
# a second provider whose ID tokens are PS256 and access tokens RS256
kill "$OIDC_PROVIDER_PID" 2>/dev/null
unset OIDC_PORT OIDC_ISSUER
export OIDC_ID_TOKEN_ALG=PS256 OIDC_ACCESS_TOKEN_ALG=RS256
oidc_provider_start
export ENTRETIENS_OIDC_ISSUER=$OIDC_ISSUER
log "second provider (ID tokens PS256, access tokens RS256) at $OIDC_ISSUER"
curl -s "$OIDC_ISSUER/.well-known/openid-configuration" | jq -e '.id_token_signing_alg_values_supported | index("PS256")' >/dev/null ||
  fail "the second provider does not sign ID tokens with PS256"
expect_principal hr:helene.rh login helene
expect_principal service:hris bearer --scope ingest
expect_refused signature "signature does not verify" login emma --flip-byte

# --- nothing secret in what was printed or logged
for f in "$IT_DIR"/driver.*.out "$IT_DIR"/driver.*.log; do
  grep -qF -- "$secret" "$f" && fail "the client secret appears in $f"
  grep -qF -- "$machine_secret" "$f" && fail "the machine secret appears in $f"
  grep -qE 'eyJ[A-Za-z0-9_-]{10,}\.' "$f" && fail "a token appears in $f"
  grep -qE 'code=' "$f" && fail "an authorisation code appears in $f"
done
log "PASS: OIDC sign-in and bearer tokens against oidc-provider"
