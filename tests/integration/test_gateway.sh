# The gateway (entretiens-gateway) through its HTTP API, with the four real
# daemons and CurveZMQ on: local sign-in (success, failure, lockout,
# logout, a forged and an expired cookie), CSRF (no token, a wrong one, a
# foreign Origin), deny by default, what an employee, her manager and HR
# (without, then with a grant) each see, ETag / If-Match on an interview
# update (428 without, 412 when stale and nothing overwritten), API keys
# (scope, revocation), 1,000 hires POSTed twice with the same counts as
# the CLI's ingest, an HRIS CSV refused whole or imported (then duplicates),
# a calendar feed parsed by python3-icalendar then revoked, security headers, logins counted and logged without
# secrets, and TLS on the gateway itself (Secure cookie, HSTS).
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02 ENTRETIENS_RPC_TIMEOUT_MS=5000
export ENTRETIENS_GATEWAY_LOCKOUT_FAILURES=3 ENTRETIENS_GATEWAY_LOCKOUT_S=600
# configuration errors stop it with exit status 2 (do not retry)
for bad in "ENTRETIENS_GATEWAY_THREADS=0" "ENTRETIENS_GATEWAY_ORIGIN=evil.example" "ENTRETIENS_GATEWAY_SECURE_COOKIES=yes" \
  "ENTRETIENS_GATEWAY_HTTP=nowhere" "ENTRETIENS_KEYS_DIR=$IT_DIR/no-keys"; do
  env "$bad" "$BIN/entretiens-gateway" >>"$IT_DIR/bad-config.log" 2>&1; rc=$?
  [ $rc = 2 ] || fail "$bad: exit $rc, expected 2"
done
start_daemons
OPS=http://$ENTRETIENS_GATEWAY_OPS_HTTP

# api METHOD PATH [JAR|-] [DATA] [curl args...]: prints the status, the body in $IT_DIR/body
api() {
  local m=$1 p=$2 jar=${3:--} data=${4:-}; shift 4 2>/dev/null || shift $#
  local args=(-s -o "$IT_DIR/body" -D "$IT_DIR/headers" -w '%{http_code}' -X "$m")
  [ "$jar" != - ] && args+=(-b "$jar" -c "$jar")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  curl "${args[@]}" "$@" "$GW_API$p"
}
body() { cat "$IT_DIR/body"; }
expect() { # status what METHOD PATH [JAR] [DATA] [curl args...]
  local want=$1 what=$2 got; shift 2
  got=$(api "$@")
  [ "$got" = "$want" ] || fail "$what: expected $want, got $got: $(head -c 400 "$IT_DIR/body")"
}
login() { # login password jar -> prints the CSRF token
  expect 200 "login $1" POST /auth/login "$3" "{\"login\":\"$1\",\"password\":\"$2\"}"
  jq -r .csrf_token "$IT_DIR/body"
}
user_add() { # login principal password
  echo "$3" | "$CTL" user add "$1" --principal "$2" >/dev/null || fail "user add $1"
}

# --- the organisation of test_trust: D1 > M1 > E1, E2; X1 elsewhere
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"D1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1970-01-01","category":"cadre"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"D1","locale":"fr","birth_date":"1980-05-01","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1985-02-01","category":"cadre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2021-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"en","birth_date":"1990-02-01","category":"cadre"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"X1","effective_date":"2022-01-10","entity":"ACME-LAB","department":"rd","region":"metropole","locale":"fr","birth_date":"1990-02-01","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest the organisation"
for i in $(seq 1 100); do
  n=$("$CTL" --as admin:root --json interview list 2>/dev/null | jq '[.interviews[].employee_id] | unique | length')
  [ "${n:-0}" -ge 5 ] && break; sleep 0.1
done
[ "${n:-0}" -ge 5 ] || fail "records has no interview for each of the 5 employees ($n)"
IV_E1=$("$CTL" --as admin:root --json interview list --employee E1 | jq -r '.interviews[0].id')
IV_X1=$("$CTL" --as admin:root --json interview list --employee X1 | jq -r '.interviews[0].id')

PW='correct horse battery'
user_add emma employee:E1 "$PW"
user_add marc manager:M1 "$PW"
user_add alice hr:alice "$PW"
user_add xavier employee:X1 "$PW"
echo 'short' | "$CTL" user add weak --principal employee:E2 2>/dev/null && fail "a 5-character password was accepted"
"$CTL" user add nobody --principal employee:E2 </dev/null 2>/dev/null && fail "user add without a password succeeded"
echo "$PW" | "$CTL" user add emma --principal employee:E1 2>"$IT_DIR/err" && fail "a second account 'emma'"
grep -q ALREADY_EXISTS "$IT_DIR/err" || fail "second emma: $(cat "$IT_DIR/err")"
"$CTL" --json user list | jq -e '[.[].login] == ["alice","emma","marc","xavier"]' >/dev/null || fail "user list: $("$CTL" --json user list)"
"$CTL" --json user list | grep -q argon2 && fail "user list shows password hashes"

# --- deny by default; public routes
expect 401 "no credential: /me" GET /me
expect 401 "no credential: /me/interviews" GET /me/interviews
expect 401 "no credential: /interviews/{id}" GET "/interviews/$IV_E1"
expect 401 "no credential: /events" POST /events - '[]'
expect 404 "unknown route" GET /nothing-here
grep -qi '^content-type: application/problem+json' "$IT_DIR/headers" || fail "a 404 is not problem+json"
expect 200 "openapi is public" GET /openapi.json
jq -e '.openapi | startswith("3.1")' "$IT_DIR/body" >/dev/null || fail "openapi.json: $(head -c 200 "$IT_DIR/body")"
for h in "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'" "X-Content-Type-Options: nosniff" \
  "Referrer-Policy: no-referrer"; do
  grep -qiF "$h" "$IT_DIR/headers" || fail "missing header $h"
done

# --- login: failure, success, logout, forged cookie
J=$IT_DIR/emma.jar
expect 401 "wrong password" POST /auth/login - '{"login":"emma","password":"wrong password!"}'
jq -e '.code == "UNAUTHENTICATED" and .status == 401' "$IT_DIR/body" >/dev/null || fail "401 problem: $(body)"
expect 401 "unknown login" POST /auth/login - '{"login":"nobody","password":"wrong password!"}'
expect 400 "no password" POST /auth/login - '{"login":"emma"}'
jq -e '.field == "password"' "$IT_DIR/body" >/dev/null || fail "missing password: field $(body)"
CSRF=$(login emma "$PW" "$J")
[ ${#CSRF} -ge 43 ] || fail "CSRF token '$CSRF'"
grep -i '^set-cookie:' "$IT_DIR/headers" | grep -qi 'HttpOnly' || fail "cookie not HttpOnly"
grep -i '^set-cookie:' "$IT_DIR/headers" | grep -qi 'SameSite=Lax' || fail "cookie not SameSite=Lax"
expect 200 "me" GET /me "$J"
jq -e '.principal == "employee:E1" and .csrf_token == "'"$CSRF"'"' "$IT_DIR/body" >/dev/null || fail "me: $(body)"
# a cookie the gateway never issued, and one of the right shape
expect 401 "forged cookie" GET /me - "" -H "Cookie: ent_session=forged"
expect 401 "forged cookie (shape of a real one)" GET /me - "" -H "Cookie: ent_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

# --- CSRF on state-changing requests (logout is one)
expect 403 "logout without CSRF token" POST /auth/logout "$J"
jq -e '.code == "CSRF"' "$IT_DIR/body" >/dev/null || fail "csrf problem: $(body)"
expect 403 "logout with a wrong CSRF token" POST /auth/logout "$J" "" -H "X-CSRF-Token: $CSRF-x"
expect 403 "logout from a foreign Origin" POST /auth/logout "$J" "" -H "X-CSRF-Token: $CSRF" -H "Origin: https://evil.example"
expect 403 "login from a foreign Origin" POST /auth/login - "{\"login\":\"emma\",\"password\":\"$PW\"}" -H "Origin: https://evil.example"
expect 200 "still signed in after the refused logouts" GET /me "$J"
cp "$J" "$IT_DIR/emma-old.jar"
expect 204 "logout" POST /auth/logout "$J" "" -H "X-CSRF-Token: $CSRF" -H "Origin: http://$ENTRETIENS_GATEWAY_HTTP"
expect 401 "after logout" GET /me "$IT_DIR/emma-old.jar"

# --- lockout: 3 failures lock for 600 s, even the right password
for i in 1 2 3; do expect 401 "xavier wrong $i" POST /auth/login - '{"login":"xavier","password":"not the one!"}'; done
expect 429 "locked: right password refused" POST /auth/login - "{\"login\":\"xavier\",\"password\":\"$PW\"}"
grep -qi '^retry-after: [0-9]' "$IT_DIR/headers" || fail "429 without Retry-After"
echo "$PW" | "$CTL" user passwd xavier >/dev/null || fail "user passwd"
login xavier "$PW" "$IT_DIR/xavier.jar" >/dev/null
"$CTL" user disable xavier >/dev/null || fail "user disable"
expect 401 "disabled: the session ended" GET /me "$IT_DIR/xavier.jar"
expect 401 "disabled: no login" POST /auth/login - "{\"login\":\"xavier\",\"password\":\"$PW\"}"

# --- what each one sees
JE=$IT_DIR/e.jar JM=$IT_DIR/m.jar JH=$IT_DIR/h.jar
CE=$(login emma "$PW" "$JE"); CM=$(login marc "$PW" "$JM"); CH=$(login alice "$PW" "$JH")
expect 200 "employee: my interviews" GET /me/interviews "$JE"
jq -e '[.interviews[].employee_id] | unique == ["E1"]' "$IT_DIR/body" >/dev/null || fail "E1's interviews: $(body)"
expect 200 "employee: her interview" GET "/interviews/$IV_E1" "$JE"
ETAG_E=$(grep -i '^etag:' "$IT_DIR/headers" | tr -d '\r' | cut -d' ' -f2)
[ -n "$ETAG_E" ] || fail "no ETag on GET /interviews/{id}"
code=$(api GET "/interviews/$IV_X1" "$JE")
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "employee E1 reads X1's interview: $code $(body)"
expect 200 "manager: team" GET /me/team "$JM"
jq -e '[.interviews[].employee_id] | unique == ["E1","E2"]' "$IT_DIR/body" >/dev/null || fail "M1's team: $(body)"
expect 200 "manager: her report's interview" GET "/interviews/$IV_E1" "$JM"
code=$(api GET "/interviews/$IV_X1" "$JM")
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "manager M1 reads X1's interview: $code"
code=$(api GET "/interviews?employee_id=E1" "$JH")
{ [ "$code" = 200 ] && jq -e '.interviews | length == 0' "$IT_DIR/body" >/dev/null; } || [ "$code" = 403 ] ||
  fail "HR without a grant sees E1's interviews: $code $(body)"
code=$(api GET "/interviews/$IV_E1" "$JH")
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "HR without a grant reads an interview: $code"
"$CTL" --as admin:root access grant hr:alice --entity ACME-FR >/dev/null || fail "grant alice"
for i in $(seq 1 50); do
  [ "$(api GET "/interviews?employee_id=E1" "$JH")" = 200 ] && jq -e '.interviews | length > 0' "$IT_DIR/body" >/dev/null && break
  sleep 0.1
done
jq -e '[.interviews[].employee_id] | unique == ["E1"]' "$IT_DIR/body" >/dev/null || fail "HR with a grant: $(body)"
code=$(api GET "/interviews/$IV_X1" "$JH")
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "HR granted ACME-FR reads ACME-LAB's interview: $code"

# --- paging: a cursor walks E1's and E2's interviews one by one
expect 200 "page 1" GET "/me/team?limit=1" "$JM"
NEXT=$(jq -r .next_cursor "$IT_DIR/body"); FIRST=$(jq -r '.interviews[0].id' "$IT_DIR/body")
[ "$NEXT" != null ] || fail "no next_cursor: $(body)"
expect 200 "page 2" GET "/me/team?limit=1&cursor=$NEXT" "$JM"
[ "$(jq -r '.interviews[0].id' "$IT_DIR/body")" != "$FIRST" ] || fail "page 2 repeats page 1"
expect 400 "a bad cursor" GET "/me/team?cursor=nope" "$JM"
jq -e '.field == "cursor"' "$IT_DIR/body" >/dev/null || fail "bad cursor: $(body)"

# --- ETag / If-Match: the manager schedules; a stale update is refused
expect 200 "manager reads" GET "/interviews/$IV_E1" "$JM"
ETAG=$(grep -i '^etag:' "$IT_DIR/headers" | tr -d '\r' | cut -d' ' -f2)
S='{"start_ms":1774252800000,"duration_min":60,"place":"Room A"}'
expect 428 "update without If-Match" POST "/interviews/$IV_E1/schedule" "$JM" "$S" -H "X-CSRF-Token: $CM"
expect 403 "update without CSRF" POST "/interviews/$IV_E1/schedule" "$JM" "$S" -H "If-Match: $ETAG"
expect 200 "update with If-Match" POST "/interviews/$IV_E1/schedule" "$JM" "$S" -H "X-CSRF-Token: $CM" -H "If-Match: $ETAG"
NEW=$(grep -i '^etag:' "$IT_DIR/headers" | tr -d '\r' | cut -d' ' -f2)
[ -n "$NEW" ] && [ "$NEW" != "$ETAG" ] || fail "the ETag did not change: $ETAG -> $NEW"
expect 412 "stale update" POST "/interviews/$IV_E1/schedule" "$JM" '{"start_ms":1774339200000,"place":"Room B"}' \
  -H "X-CSRF-Token: $CM" -H "If-Match: $ETAG"
expect 200 "read back" GET "/interviews/$IV_E1" "$JM"
jq -e '.interview.place == "Room A"' "$IT_DIR/body" >/dev/null || fail "the stale update overwrote: $(body)"
expect 400 "a field that does not exist" POST "/interviews/$IV_E1/schedule" "$JM" '{"start_at":"x"}' \
  -H "X-CSRF-Token: $CM" -H "If-Match: $NEW"
jq -e '.field == "start_at"' "$IT_DIR/body" >/dev/null || fail "unknown field: $(body)"
code=$(api POST "/interviews/$IV_X1/schedule" "$JM" "$S" -H "X-CSRF-Token: $CM" -H "If-Match: *")
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "M1 schedules X1's interview: $code"

# --- calendar feed: a secret URL, parsed by python3-icalendar, revocable
expect 201 "calendar token" POST /me/calendar-token "$JE" "" -H "X-CSRF-Token: $CE"
FEED=$(jq -r .path "$IT_DIR/body"); FEED=${FEED#/api/v1}
code=$(curl -s -o "$IT_DIR/feed.ics" -D "$IT_DIR/headers" -w '%{http_code}' "$GW_API$FEED")
[ "$code" = 200 ] || fail "calendar feed: $code"
grep -qi '^content-type: text/calendar' "$IT_DIR/headers" || fail "the feed is not text/calendar"
/usr/bin/python3 - "$IT_DIR/feed.ics" "$IV_E1" <<'PY' || fail "the feed does not parse or lacks E1's items"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = [c for c in cal.walk('VEVENT')]
uids = [str(e['UID']) for e in events]
assert len(uids) == len(set(uids)), uids
assert any(str(e.get('LOCATION', '')) == 'Room A' for e in events), "the scheduled interview is missing"
assert sum(1 for e in events if 'E1' in str(e['SUMMARY'])) >= 2, [str(e['SUMMARY']) for e in events]
PY
expect 201 "manager's calendar token" POST /me/calendar-token "$JM" "" -H "X-CSRF-Token: $CM"
MFEED=$(jq -r .path "$IT_DIR/body"); MFEED=${MFEED#/api/v1}
curl -s "$GW_API$MFEED" >"$IT_DIR/mfeed.ics"; grep -q "E2" "$IT_DIR/mfeed.ics" || fail "the manager's feed lacks her team's deadlines: $(grep SUMMARY "$IT_DIR/mfeed.ics" | head -5) $(grep calendar.partial "$IT_DIR/gateway.log")"
# HR's feed (alice, granted ACME-FR): the organisation's deadlines, narrowed
# by the URL's filters, in the language asked; a misspelt filter is refused
expect 201 "HR's calendar token" POST /me/calendar-token "$JH" "" -H "X-CSRF-Token: $CH"
HFEED=$(jq -r .path "$IT_DIR/body"); HFEED=${HFEED#/api/v1}
curl -s "$GW_API$HFEED" >"$IT_DIR/hfeed.ics"
curl -s "$GW_API$HFEED?manager_id=M1&lang=en" >"$IT_DIR/hfeed-m1.ics"
/usr/bin/python3 - "$IT_DIR/hfeed.ics" "$IT_DIR/hfeed-m1.ics" <<'PY' || fail "HR's feed, whole and filtered by manager"
import sys, icalendar
def summaries(path):
    return [str(e['SUMMARY']) for e in icalendar.Calendar.from_ical(open(path, 'rb').read()).walk('VEVENT')]
whole, m1 = summaries(sys.argv[1]), summaries(sys.argv[2])
who = lambda s: s.rsplit(' ', 1)[-1]
assert whole and {who(x) for x in whole} <= {'D1', 'M1', 'E1', 'E2'}, whole   # ACME-FR only: no X1
assert m1 and {who(x) for x in m1} <= {'E1', 'E2'}, m1                         # M1's reports only
assert len(m1) < len(whole), (m1, whole)
assert all('Entretien' not in x for x in m1) and any('interview' in x.lower() for x in m1), m1   # English
PY
[ "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' "$GW_API$HFEED?typ=professional")" = 400 ] || fail "a misspelt filter is served"
jq -e '.field == "typ"' "$IT_DIR/body" >/dev/null || fail "the misspelt filter's field: $(body)"
[ "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' "$GW_API$HFEED?lang=de")" = 400 ] || fail "lang=de is served"
[ "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' "$GW_API$FEED?entity=ACME-FR")" = 400 ] || fail "a person's feed takes a filter"
expect 403 "calendar token without CSRF" POST /me/calendar-token "$JE"
expect 404 "a made-up feed" GET "/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"
expect 204 "revoke the feed" DELETE /me/calendar-token "$JE" "" -H "X-CSRF-Token: $CE"
expect 404 "revoked feed" GET "$FEED"
curl -s -o /dev/null -w '%{http_code}' "$GW_API$MFEED" | grep -qx 200 || fail "revoking E1's feed revoked the manager's"

# --- API keys: ingest scope only, then revoked
TOKEN=$("$CTL" apikey create --principal service:hris --scope ingest --label "HRIS" 2>/dev/null) || fail "apikey create"
KID=$("$CTL" --json apikey list | jq -r '.[0].id')
# the secret: what follows "ek_<16 hex>_" (it may itself hold '_', so not ${TOKEN##*_})
KEY_SECRET=${TOKEN#ek_*_}
[ ${#KEY_SECRET} -ge 40 ] || fail "the key's secret part: '$KEY_SECRET'"
"$CTL" --json apikey list | grep -qF -- "$KEY_SECRET" && fail "apikey list shows the secret"
AUTH=(-H "Authorization: Bearer $TOKEN")
python3 - "$IT_DIR" <<'PY'
import json, sys
d = sys.argv[1]
def hire(i, prefix):
    return {"event_id": f"{prefix}{i}", "source": "hris", "type": "hired", "employee_id": f"{prefix.upper()}{i:05d}",
            "effective_date": "2024-01-15", "entity": "ACME-FR", "department": "ops", "region": "metropole",
            "manager_id": "M1", "locale": "fr", "birth_date": "1990-06-01", "category": "ouvrier_employe"}
json.dump([hire(i, "a") for i in range(1000)], open(f"{d}/hires-a.json", "w"))
with open(f"{d}/hires-b.jsonl", "w") as f:
    for i in range(1000):
        f.write(json.dumps(hire(i, "b")) + "\n")
PY
expect 200 "ingest 1,000 hires" POST /events - "@$IT_DIR/hires-a.json" "${AUTH[@]}"
jq -e '.accepted == 1000 and .duplicates == 0 and .rejected == 0 and (.results | length) == 1000' "$IT_DIR/body" >/dev/null ||
  fail "first POST: $(jq -c '.results=.results[0:2]' "$IT_DIR/body")"
expect 200 "the same 1,000 again" POST /events - "@$IT_DIR/hires-a.json" "${AUTH[@]}"
jq -e '.accepted == 0 and .duplicates == 1000 and .rejected == 0' "$IT_DIR/body" >/dev/null ||
  fail "second POST: $(jq -c 'del(.results)' "$IT_DIR/body")"
jq -e '[.results[].outcome] | unique == ["duplicate"]' "$IT_DIR/body" >/dev/null || fail "outcomes of the second POST"
# the CLI gives the same counts for the same events (as JSON lines)
jq -c '.[]' "$IT_DIR/hires-a.json" >"$IT_DIR/hires-a.jsonl"
"$CTL" --json ingest "$IT_DIR/hires-a.jsonl" | jq -e '.accepted == 0 and .duplicates == 1000 and .rejected == 0' >/dev/null ||
  fail "CLI ingest of the API's events"
"$CTL" --json ingest "$IT_DIR/hires-b.jsonl" | jq -e '.accepted == 1000 and .duplicates == 0' >/dev/null || fail "CLI ingest b"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$IT_DIR/hires-b.jsonl"; } >"$IT_DIR/hires-b-crlf.jsonl" # BOM, CRLF: a Windows export
expect 200 "JSON lines after the CLI" POST /events - "@$IT_DIR/hires-b-crlf.jsonl" "${AUTH[@]}" -H 'Content-Type: application/x-ndjson'
jq -e '.accepted == 0 and .duplicates == 1000 and .rejected == 0' "$IT_DIR/body" >/dev/null ||
  fail "API after CLI: $(jq -c 'del(.results)' "$IT_DIR/body")"
# per event outcomes: a bad date (parser), a conflict (scheduler), a good one
BAD='[{"event_id":"a1","source":"hris","type":"hired","employee_id":"A00001","effective_date":"2024-01-16","entity":"ACME-FR","region":"metropole","locale":"fr","birth_date":"1990-06-01","category":"ouvrier_employe","department":"ops","manager_id":"M1"},
{"event_id":"z1","source":"hris","type":"hired","employee_id":"Z1","effective_date":"2024-02-30"},
{"event_id":"z2","source":"hris","type":"hired","employee_id":"Z2","effective_date":"2024-02-01","entity":"ACME-FR","region":"metropole","locale":"fr","birth_date":"1991-01-01","category":"cadre"}]'
expect 200 "mixed batch" POST /events - "$BAD" "${AUTH[@]}"
jq -e '[.results[].outcome] == ["conflict","rejected","accepted"] and .results[1].field == "effective_date" and .results[0].index == 0 and .results[2].index == 2' \
  "$IT_DIR/body" >/dev/null || fail "mixed batch: $(body)"
python3 -c "import json; print(json.dumps([{'event_id': str(i)} for i in range(10001)]))" >"$IT_DIR/big.json"
expect 413 "10,001 events" POST /events - "@$IT_DIR/big.json" "${AUTH[@]}"
expect 403 "the ingest key on another route" GET /me/interviews - "" "${AUTH[@]}"
expect 200 "the public document with a key" GET /openapi.json - "" "${AUTH[@]}"
# an HRIS CSV export through the CLI's reader: a bad file refused whole, a good one imported, then duplicates
H=employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,category,contract,contract_end,trial_months
printf '%s\n%s\n%s\n' "$H" 'C1,Anne,Csv,,ACME-FR,ops,,,M1,08/01/2024,,cadre,CDI,,' \
  'C2,Paul,Csv,,ACME-FR,ops,,,M1,30/02/2024,,cadre,CDI,,' >"$IT_DIR/bad.csv"
expect 400 "a bad CSV" POST /imports/employees - "@$IT_DIR/bad.csv" "${AUTH[@]}" -H 'Content-Type: text/csv'
jq -e '.errors[0].line == 3 and .errors[0].field == "hire_date" and (.errors | length) == 1' "$IT_DIR/body" >/dev/null ||
  fail "bad CSV: $(body)"
"$CTL" --json employee show C1 >/dev/null 2>&1 && fail "a refused CSV hired C1"
printf '%s\n%s\n%s\n' "$H" 'C1,Anne,Csv,,ACME-FR,ops,,,M1,08/01/2024,,cadre,CDI,,' \
  'C2,Paul,Csv,,ACME-FR,ops,,,M1,2024-02-01,,Cadre,CDI,,' >"$IT_DIR/good.csv"
expect 200 "a good CSV" POST /imports/employees - "@$IT_DIR/good.csv" "${AUTH[@]}" -H 'Content-Type: text/csv'
jq -e '.rows == 2 and .accepted == 2 and [.results[].line] == [2,3]' "$IT_DIR/body" >/dev/null || fail "good CSV: $(body)"
expect 200 "the same CSV again" POST /imports/employees - "@$IT_DIR/good.csv" "${AUTH[@]}" -H 'Content-Type: text/csv'
jq -e '.accepted == 0 and .duplicates == 2' "$IT_DIR/body" >/dev/null || fail "CSV again: $(body)"
"$CTL" --json import employees "$IT_DIR/good.csv" 2>/dev/null | jq -e '.duplicates == 2' >/dev/null ||
  fail "the CLI's import of the same file: $("$CTL" --json import employees "$IT_DIR/good.csv" 2>&1 | head -c 300)"
"$CTL" apikey revoke "$KID" >/dev/null || fail "apikey revoke"
expect 401 "revoked key" POST /events - "@$IT_DIR/hires-a.json" "${AUTH[@]}"
expect 401 "a made-up key" POST /events - '[]' -H "Authorization: Bearer ek_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect 401 "a bearer JWT while no verifier is wired in" GET /me - "" -H "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJFMSJ9.c2ln"
expect 401 "Basic authentication" GET /me - "" -H "Authorization: Basic ZW1tYTpwdw=="

# --- counted and logged (before the restart resets the counters), never a secret
M=$(curl -s "$OPS/metrics")
grep -qE '^entretiens_gateway_login_failures_total [1-9]' <<<"$M" || fail "login failures not counted"
grep -qE '^entretiens_gateway_csrf_refused_total [1-9]' <<<"$M" || fail "CSRF refusals not counted"
grep -q '"event":"auth.login.failed"' "$IT_DIR/gateway.log" || fail "failed logins not logged"
for secret in "$PW" "$TOKEN" "$CSRF" "$KEY_SECRET"; do
  grep -qF -- "$secret" "$IT_DIR"/*.log && fail "a secret is in a log"
done

# --- expired session: the gateway restarted with a one-second absolute timeout
GWPID=${IT_PIDS[4]}
kill -TERM "$GWPID"; wait "$GWPID" 2>/dev/null
[ "$(api GET /me "$JE")" = 000 ] || fail "the gateway is still up after SIGTERM"
sleep 1.5
ENTRETIENS_GATEWAY_SESSION_MAX_S=1 start_daemons gateway
expect 401 "expired session" GET /me "$JE"
jq -e '.detail | test("expired")' "$IT_DIR/body" >/dev/null || fail "expired: $(body)"

curl -s "http://$ENTRETIENS_GATEWAY_HTTP/healthz" | grep -q ok || fail "API /healthz"
# /metrics lives on the ops port only: the API port says so (a 404, not the web page)
[ "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' "http://$ENTRETIENS_GATEWAY_HTTP/metrics")" = 404 ] ||
  fail "/metrics on the API port: $(body)"
jq -e '.detail | test("ENTRETIENS_GATEWAY_OPS_HTTP")' "$IT_DIR/body" >/dev/null || fail "API /metrics: $(body)"
curl -s "$OPS/metrics" | grep -q '^entretiens_' || fail "ops /metrics"

# --- TLS on the gateway itself (GnuTLS through libmicrohttpd): Secure cookie, HSTS
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$IT_DIR/tls.key" -out "$IT_DIR/tls.crt" \
  >/dev/null 2>&1 || fail "openssl req"
GWPID=${IT_PIDS[-1]}
kill -TERM "$GWPID"; wait "$GWPID" 2>/dev/null
ENTRETIENS_GATEWAY_TLS_CERT=$IT_DIR/tls.crt ENTRETIENS_GATEWAY_TLS_KEY=$IT_DIR/tls.key start_bg gateway "$BIN/entretiens-gateway"
wait_for 20 200 curl -s -o /dev/null -w '%{http_code}' "$OPS/readyz" || fail "the TLS gateway is not ready"
wait_for 20 200 curl -sk -o /dev/null -w '%{http_code}' "https://$ENTRETIENS_GATEWAY_HTTP/readyz" || fail "no HTTPS /readyz"
TLS_API=https://$ENTRETIENS_GATEWAY_HTTP/api/v1
code=$(curl -sk -o "$IT_DIR/body" -D "$IT_DIR/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"login\":\"emma\",\"password\":\"$PW\"}" "$TLS_API/auth/login")
[ "$code" = 200 ] || fail "login over TLS: $code $(body)"
grep -i '^set-cookie:' "$IT_DIR/headers" | grep -qi '; Secure' || fail "no Secure cookie over TLS"
grep -qi '^strict-transport-security: max-age=' "$IT_DIR/headers" || fail "no HSTS over TLS"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ENTRETIENS_GATEWAY_HTTP/api/v1/me")" != 401 ] ||
  fail "the TLS port answers plain HTTP"
env ENTRETIENS_DATA_DIR="$IT_DIR/other" ENTRETIENS_GATEWAY_RPC=tcp://127.0.0.1:$(free_port) ENTRETIENS_GATEWAY_TLS_CERT="$IT_DIR/tls.crt" "$BIN/entretiens-gateway" >>"$IT_DIR/bad-config.log" 2>&1
[ $? = 2 ] || fail "a certificate without its key is not a configuration error"
echo "gateway: OK"
