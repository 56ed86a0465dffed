# The gateway's OpenAPI 3.1 document (services/gateway/openapi.json): served
# as built in, linted by a real validator (@redocly/cli, installed by this
# script from npm into the build directory), and real responses of every
# family of routes (success and problem details) checked against its
# schemas with python3-jsonschema (/usr/bin/python3, Debian).
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
DOC=$here/../../services/gateway/openapi.json
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02

# 1. lint
NPM_DIR=$ENT_BUILD/npm-redocly
if [ ! -x "$NPM_DIR/node_modules/.bin/redocly" ]; then
  mkdir -p "$NPM_DIR"
  (cd "$NPM_DIR" && npm install --no-audit --no-fund --prefix . @redocly/cli@2.77.0 >"$IT_DIR/npm.log" 2>&1) ||
    fail "npm install @redocly/cli: $(tail -n 5 "$IT_DIR/npm.log")"
fi
"$NPM_DIR/node_modules/.bin/redocly" lint "$DOC" >"$IT_DIR/lint.log" 2>&1 || fail "redocly lint: $(tail -n 30 "$IT_DIR/lint.log")"
grep -q 'Your API description is valid' "$IT_DIR/lint.log" || fail "redocly lint: $(tail -n 30 "$IT_DIR/lint.log")"
grep -qE 'You have [0-9]+ warning' "$IT_DIR/lint.log" && fail "redocly lint warnings: $(grep -B8 'rule\.' "$IT_DIR/lint.log" | head -n 40)"

# 2. the document served is the one in the tree
start_daemons
curl -sf "$GW_API/openapi.json" -o "$IT_DIR/served.json" || fail "GET openapi.json"
jq -S . "$IT_DIR/served.json" >"$IT_DIR/a.json"; jq -S . "$DOC" >"$IT_DIR/b.json"
cmp -s "$IT_DIR/a.json" "$IT_DIR/b.json" || fail "the served document differs from services/gateway/openapi.json"

# 3. real responses
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1980-05-01","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1985-02-01","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
for i in $(seq 1 100); do
  IV=$("$CTL" --as admin:root --json interview list --employee E1 2>/dev/null | jq -r '.interviews[0].id // empty')
  [ -n "$IV" ] && break; sleep 0.1
done
[ -n "$IV" ] || fail "no interview for E1"
PW='correct horse battery'
echo "$PW" | "$CTL" user add marc --principal manager:M1 >/dev/null || fail "user add"
echo "$PW" | "$CTL" user add root --principal admin:root >/dev/null || fail "user add root"
TOKEN=$("$CTL" apikey create --principal service:hris --scope ingest 2>/dev/null) || fail "apikey"
JAR=$IT_DIR/jar RJAR=$IT_DIR/rjar
CASES=$IT_DIR/cases; : >"$CASES"; n=0
# call METHOD TEMPLATE PATH EXPECTED-STATUS [curl args...]: records a case
call() {
  local m=$1 tpl=$2 p=$3 want=$4 got; shift 4
  n=$((n + 1))
  got=$(curl -s -o "$IT_DIR/r$n.json" -w '%{http_code}' -X "$m" "$@" "$GW_API$p")
  [ "$got" = "$want" ] || fail "$m $p: expected $want, got $got: $(head -c 300 "$IT_DIR/r$n.json")"
  [ "$want" = 204 ] || echo "$m $tpl $want $IT_DIR/r$n.json" >>"$CASES"
}
J=(-H 'Content-Type: application/json')
call POST /auth/login /auth/login 200 -c "$JAR" "${J[@]}" -d "{\"login\":\"marc\",\"password\":\"$PW\"}"
CSRF=$(jq -r .csrf_token "$IT_DIR/r$n.json")
call POST /auth/login /auth/login 200 -c "$RJAR" "${J[@]}" -d "{\"login\":\"root\",\"password\":\"$PW\"}"
RCSRF=$(jq -r .csrf_token "$IT_DIR/r$n.json")
call POST /auth/login /auth/login 401 "${J[@]}" -d '{"login":"marc","password":"nope nope nope"}'
call POST /auth/login /auth/login 400 "${J[@]}" -d '{"login":"marc"}'
S=(-b "$JAR"); R=(-b "$RJAR")
call GET /me /me 200 "${S[@]}"
call GET /me /me 401
call GET /me/interviews /me/interviews 200 "${S[@]}"
call GET /me/team /me/team 200 "${S[@]}"
call GET /me/team "/me/team?cursor=x" 400 "${S[@]}"
call GET /me/obligations /me/obligations 200 "${S[@]}"
# my notification preferences (the notifier's directory: it has M1 once it
# consumed the hires)
for i in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "${S[@]}" "$GW_API/me/preferences")" = 200 ] && break; sleep 0.1
done
call GET /me/preferences /me/preferences 200 "${S[@]}"
[ "$(jq -r '.preferred_locale // ""' "$IT_DIR/r$n.json")" = "" ] || fail "a preferred language before any choice"
call PUT /me/preferences /me/preferences 200 "${S[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF" -d '{"locale":"en","digest":true}'
[ "$(jq -r '.preferred_locale' "$IT_DIR/r$n.json")/$(jq -r '.digest' "$IT_DIR/r$n.json")" = en/true ] ||
  fail "preferences not set: $(cat "$IT_DIR/r$n.json")"
call PUT /me/preferences /me/preferences 400 "${S[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF" -d '{"locale":"de"}'
[ "$(jq -r .field "$IT_DIR/r$n.json")" = locale ] || fail "the refusal names the field: $(cat "$IT_DIR/r$n.json")"
call PUT /me/preferences /me/preferences 403 "${S[@]}" "${J[@]}" -d '{"locale":"fr"}'
call GET /me/preferences /me/preferences 200 "${S[@]}"
[ "$(jq -r '.preferred_locale' "$IT_DIR/r$n.json")" = en ] || fail "the choice was not kept: $(cat "$IT_DIR/r$n.json")"
call GET /interviews "/interviews?employee_id=E1" 200 "${S[@]}"
call GET /interviews/{id} "/interviews/$IV" 200 "${S[@]}"
call GET /interviews/{id} "/interviews/nope" 404 "${S[@]}"
ETAG=$(curl -s -D - -o /dev/null "${S[@]}" "$GW_API/interviews/$IV" | grep -i '^etag:' | tr -d '\r' | cut -d' ' -f2)
call POST /interviews/{id}/schedule "/interviews/$IV/schedule" 428 "${S[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF" -d '{"start_ms":1774252800000}'
call POST /interviews/{id}/schedule "/interviews/$IV/schedule" 200 "${S[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF" -H "If-Match: $ETAG" -d '{"start_ms":1774252800000,"place":"Room A"}'
call POST /interviews/{id}/schedule "/interviews/$IV/schedule" 412 "${S[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF" -H "If-Match: $ETAG" -d '{"start_ms":1774252800000}'
call POST /interviews/{id}/schedule "/interviews/$IV/schedule" 403 "${S[@]}" "${J[@]}" -H "If-Match: $ETAG" -d '{}'
call GET /interviews/{id}/report.pdf "/interviews/$IV/report.pdf" 409 "${S[@]}"
call GET /interviews/{id}/report.pdf "/interviews/$IV/report.pdf?lang=de" 400 "${S[@]}"
call GET /interviews/{id}/report.pdf "/interviews/$IV/report.pdf" 401
call GET /obligations "/obligations?employee_id=E1" 200 "${R[@]}"
call GET /due "/due?from=2026-01-01&to=2030-12-31&limit=2" 200 "${R[@]}"
call GET /employees/{employee_id} /employees/E1 200 "${R[@]}"
call GET /employees/{employee_id}/export /employees/E1/export 200 "${R[@]}" -H 'Accept: application/json'
call GET /employees/{employee_id}/export /employees/E1/export 403 "${S[@]}"
grep -q "\"$IV\"" "$IT_DIR/r$((n - 1)).json" || fail "the export holds E1's interview: $(head -c 300 "$IT_DIR/r$((n - 1)).json")"
# without Accept: application/json, the whole copy as a zip (not a JSON case)
[ "$(curl -s -o "$IT_DIR/e1.zip" -w '%{http_code} %{content_type}' "${R[@]}" "$GW_API/employees/E1/export")" = "200 application/zip" ] ||
  fail "the export as a zip: $(head -c 200 "$IT_DIR/e1.zip")"
call GET /campaigns /campaigns 200 "${R[@]}"
call POST /campaigns /campaigns 200 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{"id":"reviews-2026","title":"Reviews 2026","type":"annual_review","window_start":"2026-04-01","window_end":"2026-06-30"}'
call POST /campaigns/{id}/{action} /campaigns/reviews-2026/extend 200 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{"window_end":"2026-07-31","note":"summer"}'
call POST /campaigns/{id}/{action} /campaigns/reviews-2026/extend 400 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{"window_end":"2026-05-01"}'
call POST /campaigns/{id}/{action} /campaigns/reviews-2026/explode 400 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{}'
call POST /campaigns/{id}/{action} /campaigns/reviews-2026/close 403 "${S[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF" -d '{}'
call POST /campaigns/{id}/{action} /campaigns/reviews-2026/close 200 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{"note":"done"}'
call POST /campaigns/{id}/{action} /campaigns/reviews-2026/cancel 409 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{}'
call POST /campaigns/{id}/{action} /campaigns/nope/close 404 "${R[@]}" "${J[@]}" -H "X-CSRF-Token: $RCSRF" -d '{}'
call GET /templates /templates 200 "${R[@]}"
call GET /statistics/completion /statistics/completion 200 "${R[@]}"
call GET /statistics/completion "/statistics/completion?group_by=nope" 400 "${R[@]}"
call GET /notifications /notifications 200 "${R[@]}"
call POST /notifications/{notification_id}/retry /notifications/nope/retry 404 "${R[@]}" -H "X-CSRF-Token: $RCSRF"
call POST /notifications/{notification_id}/retry /notifications/nope/retry 403 "${S[@]}" -H "X-CSRF-Token: $CSRF"
call POST /events /events 200 -H "Authorization: Bearer $TOKEN" "${J[@]}" -d @"$IT_DIR/hires.jsonl"
printf '%s\n%s\n' employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,category,contract,contract_end,trial_months \
  'C1,Anne,Csv,,ACME-FR,ops,,,M1,08/01/2024,,cadre,CDI,,' >"$IT_DIR/one.csv"
call POST /imports/employees /imports/employees 200 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$IT_DIR/one.csv"
call POST /imports/employees /imports/employees 400 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary 'nonsense'
call GET /me/interviews /me/interviews 403 -H "Authorization: Bearer $TOKEN"
call GET /employees "/employees?q=e" 200 "${S[@]}"
call GET /employees "/employees?limit=5000" 400 "${S[@]}"
# webhooks: an administrator's subscription (to a port nothing listens on:
# its deliveries fail and become dead letters), refusals
WHP=$(free_port)
call POST /webhooks /webhooks 201 "${R[@]}" -H "X-CSRF-Token: $RCSRF" "${J[@]}" \
  -d "{\"url\":\"http://127.0.0.1:$WHP/hook\",\"kinds\":[\"interview.created\",\"obligation.due\"],\"description\":\"CI\"}"
WH=$(jq -r .id "$IT_DIR/r$n.json")
call POST /webhooks /webhooks 400 "${R[@]}" -H "X-CSRF-Token: $RCSRF" "${J[@]}" -d '{"url":"gopher://x","kinds":["interview.held"]}'
call POST /webhooks /webhooks 403 "${S[@]}" -H "X-CSRF-Token: $CSRF" "${J[@]}" -d '{"url":"http://127.0.0.1/x","kinds":["interview.held"]}'
call GET /webhooks /webhooks 200 "${R[@]}"
call GET /webhooks /webhooks 403 "${S[@]}"
call GET /webhooks/{id}/dead-letters "/webhooks/$WH/dead-letters" 200 "${R[@]}"
call GET /webhooks/{id}/dead-letters "/webhooks/$WH/dead-letters?limit=0" 400 "${R[@]}"
call GET /webhooks/{id}/dead-letters /webhooks/wh_nope/dead-letters 404 "${R[@]}"
call POST /webhooks/{id}/dead-letters/{event_id}/resubmit "/webhooks/$WH/dead-letters/records-1/resubmit" 404 "${R[@]}" -H "X-CSRF-Token: $RCSRF"
call DELETE /webhooks/{id} "/webhooks/$WH" 204 "${R[@]}" -H "X-CSRF-Token: $RCSRF"
call DELETE /webhooks/{id} "/webhooks/$WH" 404 "${R[@]}" -H "X-CSRF-Token: $RCSRF"
call GET /openapi.json /openapi.json 200
/usr/bin/python3 "$here/openapi_check.py" "$DOC" "$CASES" >"$IT_DIR/check.log" 2>&1 || fail "responses do not match the document: $(cat "$IT_DIR/check.log")"
grep -q "checked $(grep -c . "$CASES") responses, 0 failing" "$IT_DIR/check.log" || fail "$(cat "$IT_DIR/check.log")"
echo "gateway openapi: OK ($(tail -n 1 "$IT_DIR/check.log"))"
