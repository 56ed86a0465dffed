# The web application (web/, docs/web.md) served by the real gateway in
# front of the four real daemons, CurveZMQ on:
# - the static server: index.html for / and the app's routes, hashed assets
#   immutable, gzip when accepted, security headers; refusals: ../ and
#   %2e%2e traversal, a symbolic link out of the directory, hidden files,
#   unknown files (404, never the index), /api/ paths never the index, a
#   configured directory that does not exist (exit 2);
# - then tests/web/e2e.mjs drives Debian's chromium (playwright-core, no
#   downloaded browser): the manager schedules, the employee prepares
#   (autosave, a validation message from records) and shares, the manager
#   fills the grid, holds, reports; both sign, the employee with a comment
#   from the "please sign" link; two editors on one grid (412 said, text
#   kept, reload and merge); the employee never sees the private notes;
#   clicks counted; axe-core on every page; French and English; screenshots
#   at 1280 and 375 px in $ENT_BUILD/artefacts/web/.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_RPC_TIMEOUT_MS=10000
# the interview pages and tests run many requests from one address
export ENTRETIENS_GATEWAY_RATE_ADDR=0 ENTRETIENS_GATEWAY_RATE_PRINCIPAL=0
WEB_BUILT=$ENT_BUILD/web
[ -f "$WEB_BUILT/index.html" ] || fail "no web application in $WEB_BUILT (configure with ENTRETIENS_WEB=ON and build)"
command -v /usr/bin/chromium >/dev/null || fail "no /usr/bin/chromium (deploy/deps.sh installs it)"
NODE_MODULES=$ENT_BUILD/web-node/node_modules
[ -d "$NODE_MODULES/playwright-core" ] || fail "no playwright-core in $NODE_MODULES (the web build's npm ci)"

# a configured directory that does not exist is a configuration error
ENTRETIENS_GATEWAY_WEB_DIR=$IT_DIR/no-such-dir "$BIN/entretiens-gateway" >>"$IT_DIR/bad-config.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "ENTRETIENS_GATEWAY_WEB_DIR=missing: exit $rc, expected 2"

# the gateway serves a copy of the build, plus traps: a symbolic link to a
# file outside, a hidden file, a file of an unknown type
WEB=$IT_DIR/web
cp -r "$WEB_BUILT" "$WEB"
ln -s /etc/passwd "$WEB/leak.txt"
mkdir -p "$IT_DIR/outdir" && echo 'outside' >"$IT_DIR/outdir/a.txt"
ln -s "$IT_DIR/outdir" "$WEB/out"
echo secret >"$WEB/.hidden.txt"
echo '#!/bin/sh' >"$WEB/run.sh"
echo 'outside' >"$IT_DIR/outside.txt"
export ENTRETIENS_GATEWAY_WEB_DIR=$WEB
start_daemons
BASE=http://$ENTRETIENS_GATEWAY_HTTP

# get PATH [curl args] -> status; body in $IT_DIR/body, headers in $IT_DIR/headers
get() { local p=$1; shift; curl -s --path-as-is -o "$IT_DIR/body" -D "$IT_DIR/headers" -w '%{http_code}' "$@" "$BASE$p"; }
hdr() { grep -i "^$1:" "$IT_DIR/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
want() { # status what path [curl args]
  local w=$1 what=$2 got; shift 2
  got=$(get "$@")
  [ "$got" = "$w" ] || fail "$what: expected $w, got $got: $(head -c 300 "$IT_DIR/body")"
}

# --- what is served
want 200 "/" /
[[ "$(hdr Content-Type)" == text/html* ]] || fail "/: Content-Type $(hdr Content-Type)"
[ "$(hdr Cache-Control)" = no-cache ] || fail "/: Cache-Control $(hdr Cache-Control)"
[ "$(hdr Content-Security-Policy)" = "default-src 'self'; frame-ancestors 'none'" ] || fail "/: CSP $(hdr Content-Security-Policy)"
[ "$(hdr X-Content-Type-Options)" = nosniff ] || fail "/: nosniff missing"
grep -q '<script' "$IT_DIR/body" && ! grep -q '<script type="module" src="/assets/app-' "$IT_DIR/body" && fail "index.html has an inline script"
grep -o '<script[^>]*>[^<]' "$IT_DIR/body" && fail "index.html has an inline script body"
cp "$IT_DIR/body" "$IT_DIR/index.html"
JS=$(grep -o '/assets/app-[A-Za-z0-9]*\.js' "$IT_DIR/index.html")
CSS=$(grep -o '/assets/style-[A-Za-z0-9]*\.css' "$IT_DIR/index.html")
[ -n "$JS" ] && [ -n "$CSS" ] || fail "index.html names no hashed assets: $(cat "$IT_DIR/index.html")"
want 200 "an app route gets the index" /interviews/IV00000001
cmp -s "$IT_DIR/body" "$IT_DIR/index.html" || fail "/interviews/IV00000001 is not index.html"
want 200 "/team" /team
cmp -s "$IT_DIR/body" "$IT_DIR/index.html" || fail "/team is not index.html"
want 200 "the bundle" "$JS"
[[ "$(hdr Content-Type)" == text/javascript* ]] || fail "$JS: Content-Type $(hdr Content-Type)"
[[ "$(hdr Cache-Control)" == *immutable* ]] || fail "$JS: Cache-Control $(hdr Cache-Control)"
[ -z "$(hdr Content-Encoding)" ] || fail "$JS: gzip sent to a client that did not ask"
cmp -s "$IT_DIR/body" "$WEB$JS" || fail "$JS: not the file"
want 200 "the bundle, gzip" "$JS" -H 'Accept-Encoding: gzip, deflate'
[ "$(hdr Content-Encoding)" = gzip ] || fail "$JS: no gzip when accepted"
[ "$(hdr Vary)" = Accept-Encoding ] || fail "$JS: no Vary: Accept-Encoding"
gzip -dc <"$IT_DIR/body" | cmp -s - "$WEB$JS" || fail "$JS: the gzip body is not the file"
want 200 "the style sheet" "$CSS"
[[ "$(hdr Content-Type)" == text/css* ]] || fail "$CSS: Content-Type $(hdr Content-Type)"
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$BASE/") ; [ "$code" = 200 ] || fail "HEAD /: $code"

# --- refusals: nothing outside the directory, never the index for a file or the API
for p in '/../../../../etc/passwd' '/assets/../../../../etc/passwd' '/%2e%2e/%2e%2e/%2e%2e/etc/passwd' \
  '/assets/%2e%2e/%2e%2e/outside.txt' '/..%2f..%2f..%2fetc%2fpasswd' '/%252e%252e/%252e%252e/etc/passwd' \
  '/leak.txt' '/out/a.txt' '/.hidden.txt' '/assets/.%2e/index.html' '/run.sh' '/assets/nope.js' '/nope.css' \
  '/assets//app.js' '/assets\..\..\etc\passwd'; do
  code=$(get "$p")
  [ "$code" = 404 ] || fail "GET $p: expected 404, got $code: $(head -c 200 "$IT_DIR/body")"
  grep -qE 'root:|outside' "$IT_DIR/body" && fail "GET $p: leaked a file from outside"
  cmp -s "$IT_DIR/body" "$IT_DIR/index.html" && fail "GET $p: answered with the index"
done
# a path without a dot is an app route: the index, nothing else
want 200 "/etc/passwd is an app route" /etc/passwd
cmp -s "$IT_DIR/body" "$IT_DIR/index.html" || fail "/etc/passwd: not the index"
for p in /api/v1/nothing-here /api/nothing /api /api/v1/me; do
  code=$(get "$p")
  { [ "$code" = 404 ] || [ "$code" = 401 ]; } || fail "GET $p: expected 404 or 401, got $code"
  [[ "$(hdr Content-Type)" == application/problem+json* ]] || fail "GET $p: not a problem (index served?): $(hdr Content-Type)"
done
code=$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -X POST "$BASE/")
[ "$code" = 404 ] || [ "$code" = 405 ] || fail "POST /: $code"
cmp -s "$IT_DIR/body" "$IT_DIR/index.html" && fail "POST / answered with the index"

# --- the organisation: D1 > M1 > E1, E2
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"D1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1970-01-01","category":"cadre","first_name":"Diane","last_name":"Durand"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"D1","locale":"fr","birth_date":"1980-05-01","category":"cadre","first_name":"Marc","last_name":"Martin"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1985-02-01","category":"cadre","first_name":"Emma","last_name":"Petit"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2021-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"en","birth_date":"1990-02-01","category":"cadre","first_name":"Eric","last_name":"Roux"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest the organisation"
for i in $(seq 1 100); do
  n=$("$CTL" --as admin:root --json interview list 2>/dev/null | jq '[.interviews[].employee_id] | unique | length')
  [ "${n:-0}" -ge 4 ] && break; sleep 0.1
done
# the interview of the scenario: an annual review the manager opened (no
# obligation window, so it can be held today)
IV=$("$CTL" --as manager:M1 --json interview create --employee E1 --type annual_review --title "Revue 2026" | jq -r '.interview.id // .id')
[[ "$IV" == IV* ]] || fail "interview create: '$IV'"
PW='correct horse battery'
for u in "emma employee:E1" "marc manager:M1"; do
  set -- $u
  echo "$PW" | "$CTL" user add "$1" --principal "$2" >/dev/null || fail "user add $1"
done

# --- the browser
ART=$ENT_BUILD/artefacts/web
mkdir -p "$ART"
BASE=$BASE IV=$IV PW=$PW ART=$ART NODE_MODULES=$NODE_MODULES PROFILE_DIR=$IT_DIR/chromium \
  timeout 600 node "$(dirname "$0")/../web/e2e.mjs" >"$IT_DIR/e2e.log" 2>&1
rc=$?
cat "$IT_DIR/e2e.log" >&2
[ $rc = 0 ] || fail "browser scenario (exit $rc)"
# the notes were written (so the check that the employee never saw them means something)
"$CTL" --as manager:M1 --json interview show "$IV" | jq -e '.manager_notes | contains("NOTE-PRIVEE-")' >/dev/null \
  || fail "the manager's private notes were not stored"
"$CTL" --as employee:E1 --json interview show "$IV" | grep -q 'NOTE-PRIVEE-' && fail "the CLI shows the employee the private notes"
"$CTL" --as admin:root --json interview show "$IV" >"$IT_DIR/final.json" || fail "interview show"
jq -e '.status == "closed" and (.signatures.employee.comment | length > 0) and .signatures.manager != null' "$IT_DIR/final.json" >/dev/null \
  || fail "the interview is not closed with both signatures and the employee's comment: $(jq -c '{status, signatures}' "$IT_DIR/final.json")"
n=$(ls "$ART"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 12 ] || fail "only $n screenshots in $ART"
log "web: static server refusals, browser scenario, $n screenshots in $ART"
