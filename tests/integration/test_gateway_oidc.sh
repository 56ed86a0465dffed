#!/usr/bin/env bash
# Sign-in to the gateway with a real OpenID provider (the certified
# `oidc-provider` npm package, tests/integration/oidc/provider.mjs), browser-
# free, through the redirects with curl and a cookie jar, and the real
# daemons behind:
#   - an employee, a manager (group "managers") and an HR officer sign in
#     with the authorisation code flow and PKCE; each gets a session cookie
#     and the principal of her claims (GET /api/v1/me), and sees what the
#     confidentiality rules give her (the manager her team's interviews,
#     the employee not another's);
#   - a callback with a wrong state, one replayed (the code already used),
#     one from a browser that did not start a sign-in, and a provider's
#     error are refused; nothing is signed in;
#   - machines: a client_credentials JWT access token (scope ingest) posts
#     events; one with a flipped byte, one for another audience, and one
#     without the scope are refused (401, 401, 403);
#   - a gateway whose provider is down still signs local accounts in, and
#     answers OIDC sign-ins 503;
#   - no code, token, secret or verifier in the gateway's log.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/oidc/provider.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02

cat >"$IT_DIR/accounts.json" <<'EOF'
{
  "emma":   {"employee_id": "E1", "preferred_username": "emma", "name": "Emma", "groups": ["staff"]},
  "marc":   {"employee_id": "M1", "preferred_username": "marc", "name": "Marc", "groups": ["staff", "managers"]},
  "helene": {"employee_id": "H1", "preferred_username": "helene.rh", "name": "Hélène", "groups": ["hr"]},
  "nobody": {"preferred_username": "nobody", "groups": ["staff"]}
}
EOF
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
machine_secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
gw_port=${ENTRETIENS_GATEWAY_HTTP##*:}
export OIDC_CLIENT_ID=entretiens-gateway OIDC_CLIENT_SECRET=$secret
export OIDC_REDIRECT_URI=http://127.0.0.1:$gw_port/api/v1/auth/oidc/callback
export OIDC_ACCOUNTS=$IT_DIR/accounts.json
export OIDC_MACHINE_CLIENT_ID=hris OIDC_MACHINE_CLIENT_SECRET=$machine_secret
export OIDC_RESOURCE=urn:entretiens:api OIDC_RESOURCE_SCOPES="ingest read"
log "installing and starting the OpenID provider"
oidc_provider_start

export ENTRETIENS_OIDC_ISSUER=$OIDC_ISSUER ENTRETIENS_OIDC_CLIENT_ID=$OIDC_CLIENT_ID
export ENTRETIENS_OIDC_CLIENT_SECRET=$OIDC_CLIENT_SECRET ENTRETIENS_OIDC_REDIRECT_URI=$OIDC_REDIRECT_URI
export ENTRETIENS_OIDC_AUDIENCE=$OIDC_RESOURCE
# the issuer without its client is a configuration error (exit 2)
env -u ENTRETIENS_OIDC_CLIENT_SECRET "$BIN/entretiens-gateway" >>"$IT_DIR/bad-config.log" 2>&1
[ $? = 2 ] || fail "an OIDC issuer without a client secret must stop the gateway with status 2"
start_daemons
GW_PID=$LAST_PID # the last one start_daemons started

# the organisation: M1 manages E1 and E2; HR H1 gets a grant on ACME-FR
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","region":"metropole","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","category":"cadre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2021-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","category":"cadre"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"H1","effective_date":"2019-01-07","entity":"ACME-FR","region":"metropole","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
"$CTL" access grant hr:helene.rh --entity ACME-FR >/dev/null || fail "grant helene"
for _ in $(seq 1 100); do
  n=$("$CTL" --as admin:root --json interview list 2>/dev/null | jq '[.interviews[].employee_id] | unique | length')
  [ "${n:-0}" -ge 3 ] && break; sleep 0.1
done
[ "${n:-0}" -ge 3 ] || fail "records has no interviews yet ($n)"

# The browser: follows the redirects by hand, answers the provider's login
# and consent forms, stops at the gateway's callback (printed).
signin_to_callback() { # account jar -> prints the callback URL
  local account=$1 jar=$2 url loc body i
  loc=$(curl -s -o /dev/null -b "$jar" -c "$jar" -w '%{redirect_url}' "$GW_API/auth/oidc/login")
  [[ $loc == "$OIDC_ISSUER"/* ]] || fail "login did not send to the provider: '$loc'"
  url=$loc
  for i in $(seq 1 12); do
    if [[ $url == "$OIDC_REDIRECT_URI"* ]]; then echo "$url"; return 0; fi
    body=$(curl -s -b "$jar" -c "$jar" -D "$IT_DIR/h.$i" "$url")
    loc=$(awk 'tolower($1) == "location:" {print $2}' "$IT_DIR/h.$i" | tr -d '\r')
    if [ -z "$loc" ]; then
      # a form of the provider: login (the account id) or consent
      local action
      action=$(echo "$body" | grep -o 'action="[^"]*"' | head -1 | cut -d'"' -f2)
      [ -n "$action" ] || fail "the provider answered neither a redirect nor a form at $url: $body"
      if [[ $action == */login ]]; then
        curl -s -o /dev/null -b "$jar" -c "$jar" -D "$IT_DIR/p.$i" --data-urlencode "login=$account" "$OIDC_ISSUER$action"
      else
        curl -s -o /dev/null -b "$jar" -c "$jar" -D "$IT_DIR/p.$i" -X POST "$OIDC_ISSUER$action"
      fi
      loc=$(awk 'tolower($1) == "location:" {print $2}' "$IT_DIR/p.$i" | tr -d '\r')
    fi
    [[ $loc == /* ]] && loc=$OIDC_ISSUER$loc
    url=$loc
  done
  fail "no callback after the provider's pages for $account"
}
callback() { # url jar -> status; the body in $IT_DIR/cb.json, headers in $IT_DIR/cb.h
  curl -s -o "$IT_DIR/cb.json" -D "$IT_DIR/cb.h" -b "$2" -c "$2" -w '%{http_code}' "$1"
}
me() { curl -s -b "$1" "$GW_API/me" | jq -r .principal; }

signin() { # account jar want-principal
  local cb st
  cb=$(signin_to_callback "$1" "$2")
  st=$(callback "$cb" "$2")
  [ "$st" = 302 ] || fail "callback for $1: $st $(cat "$IT_DIR/cb.json")"
  grep -qi '^location: /' "$IT_DIR/cb.h" || fail "the callback does not send to the application: $(cat "$IT_DIR/cb.h")"
  grep -i '^set-cookie: ent_session=' "$IT_DIR/cb.h" | grep -qi 'httponly' || fail "no HttpOnly session cookie"
  [ "$(me "$2")" = "$3" ] || fail "$1 signed in as $(me "$2"), not $3"
  log "$1 -> $3"
}
signin emma "$IT_DIR/emma.jar" employee:E1
# a single-page application asks for the URL instead of a redirect
curl -s -H 'Accept: application/json' "$GW_API/auth/oidc/login" | jq -r .authorization_url | grep -q "^$OIDC_ISSUER/" ||
  fail "login with Accept: application/json does not give the provider's URL"
signin marc "$IT_DIR/marc.jar" manager:M1
signin helene "$IT_DIR/helene.jar" hr:helene.rh

# what each sees, by the daemons' own rules on the asserted principal
ivs() { curl -s -b "$1" "$GW_API/$2" | jq -r '[.interviews[]?.employee_id] | unique | join(",")'; }
[ "$(ivs "$IT_DIR/emma.jar" me/interviews)" = E1 ] || fail "emma's interviews: $(ivs "$IT_DIR/emma.jar" me/interviews)"
team=$(ivs "$IT_DIR/marc.jar" "interviews?manager_id=M1")
[[ $team == *E1* && $team == *E2* ]] || fail "marc's team: '$team'"
iv_e2=$("$CTL" --as admin:root --json interview list --employee E2 | jq -r '.interviews[0].id')
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$IT_DIR/emma.jar" "$GW_API/interviews/$iv_e2")
[[ $st == 403 || $st == 404 ]] || fail "emma reads E2's interview: $st"
# who read what, through the API: the employee sees who read hers; the manager may not list it
iv_e1=$("$CTL" --as admin:root --json interview list --employee E1 | jq -r '.interviews[0].id')
st=$(curl -s -o "$IT_DIR/reads.json" -w '%{http_code}' -b "$IT_DIR/emma.jar" "$GW_API/interviews/$iv_e1/reads")
[ "$st" = 200 ] && jq -e '.id' "$IT_DIR/reads.json" >/dev/null || fail "emma's reads: $st $(cat "$IT_DIR/reads.json")"
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$IT_DIR/marc.jar" "$GW_API/interviews/$iv_e1/reads")
[ "$st" = 403 ] || fail "the manager lists who read E1's interview: $st"

# refusals: no session comes out of any of them
jar=$IT_DIR/bad.jar
cb=$(signin_to_callback emma "$jar")
bad_state=$(echo "$cb" | sed -E 's/state=[^&]*/state=forged/')
[ "$(callback "$bad_state" "$jar")" = 401 ] || fail "a wrong state was accepted: $(cat "$IT_DIR/cb.json")"
[ "$(me "$jar")" = null ] || fail "a wrong state signed in"
st=$(callback "$cb" "$jar")
[ "$st" = 302 ] || fail "the genuine callback after a refused one: $st"
rm -f "$IT_DIR/replay.jar"; cp "$jar" "$IT_DIR/replay.jar"
sed -i '/ent_session/d' "$IT_DIR/replay.jar"
[ "$(callback "$cb" "$IT_DIR/replay.jar")" = 401 ] || fail "a replayed code was accepted: $(cat "$IT_DIR/cb.json")"
jq -r .detail "$IT_DIR/cb.json" | grep -q "provider" || fail "the replay's refusal does not say why: $(cat "$IT_DIR/cb.json")"
[ "$(callback "$cb" "$IT_DIR/nothing.jar")" = 400 ] || fail "a callback from a browser that started nothing: $(cat "$IT_DIR/cb.json")"
[ "$(callback "$GW_API/auth/oidc/callback?error=access_denied&state=x" "$jar")" = 401 ] || fail "the provider's error"
cb=$(signin_to_callback nobody "$IT_DIR/nobody.jar")
[ "$(callback "$cb" "$IT_DIR/nobody.jar")" = 401 ] || fail "an account with no role signed in"
[ "$(me "$IT_DIR/nobody.jar")" = null ] || fail "nobody has a session"

# machines: a JWT access token of the provider for the API's audience
token() { # scope [resource]
  curl -s -u "hris:$machine_secret" -d grant_type=client_credentials -d "scope=$1" -d "resource=${2:-$OIDC_RESOURCE}" \
    "$OIDC_ISSUER/token" | jq -r .access_token
}
tok=$(token "ingest read")
[ -n "$tok" ] && [ "$tok" != null ] || fail "no access token from the provider"
ev='[{"event_id":"m1","source":"hris","type":"hired","employee_id":"N1","effective_date":"2026-02-02","entity":"ACME-FR","category":"cadre"}]'
post() { curl -s -o "$IT_DIR/post.json" -w '%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
  --data-binary "$ev" "$GW_API/events"; }
[ "$(post "$tok")" = 200 ] || fail "ingest with the machine's JWT: $(cat "$IT_DIR/post.json")"
jq -e '.accepted == 1' "$IT_DIR/post.json" >/dev/null || fail "the event was not accepted: $(cat "$IT_DIR/post.json")"
flipped=$(echo "$tok" | /usr/bin/python3 -c 'import sys; t=sys.stdin.read().strip(); i=len(t)-5; print(t[:i]+("A" if t[i]!="A" else "B")+t[i+1:])')
[ "$(post "$flipped")" = 401 ] || fail "a JWT with a flipped byte was accepted"
other=$(token "ingest read" urn:other:api)
if [ -n "$other" ] && [ "$other" != null ]; then
  [ "$(post "$other")" = 401 ] || fail "a JWT for another audience was accepted"
fi
readonly_tok=$(token read)
[ "$(post "$readonly_tok")" = 403 ] || fail "a JWT without the ingest scope posted events: $(cat "$IT_DIR/post.json")"

# the provider goes away: OIDC sign-in answers 503 on a gateway that never
# reached it, local accounts still sign in
kill "$OIDC_PROVIDER_PID"; wait "$OIDC_PROVIDER_PID" 2>/dev/null
kill -TERM "$GW_PID"; wait "$GW_PID" 2>/dev/null
start_bg gateway2 "$BIN/entretiens-gateway"
wait_ready gateway
st=$(curl -s -o /dev/null -w '%{http_code}' "$GW_API/auth/oidc/login")
[ "$st" = 503 ] || fail "sign-in with an unreachable provider: $st"
echo "s3cret-pass-word" | "$CTL" user add lea --principal employee:E2 >/dev/null || fail "user add"
st=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data '{"login":"lea","password":"s3cret-pass-word"}' "$GW_API/auth/login")
[ "$st" = 200 ] || fail "local sign-in while the provider is down: $st"

# nothing secret in the logs
for s in "$secret" "$machine_secret" "$tok"; do
  grep -qF -- "$s" "$IT_DIR"/gateway*.log && fail "a secret or token in the gateway's log"
done
code=$(echo "$cb" | sed -nE 's/.*code=([^&]*).*/\1/p')
[ -n "$code" ] && grep -qF -- "$code" "$IT_DIR"/gateway*.log && fail "an authorisation code in the gateway's log"
grep -q '"auth.login".*OpenID Connect' "$IT_DIR/gateway.log" || grep -q 'auth.login.*OpenID Connect' "$IT_DIR/gateway.log" ||
  fail "OIDC logins are not logged"
echo "gateway OIDC: employee, manager and HR signed in through a real provider; wrong state, replay, no cookie, no role refused; machine JWTs with scopes; provider down leaves local sign-in"
