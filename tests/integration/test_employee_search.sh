# Employee search (scheduler.employee.search) through the CLI and the
# gateway's GET /api/v1/employees, with the real daemons and CurveZMQ on:
# by id prefix, by a part of the name whatever its case and accents, by
# entity and department, paged; and who finds whom: an administrator
# everyone, a manager her reporting line and herself, an employee herself,
# HR nothing without a grant then its granted entity, a service's key
# nothing.  Answers are summaries (no birth date, e-mail, contract).
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02
"$CTL" keys add "$ENTRETIENS_KEYS_DIR" batch --principal service:batch >/dev/null || fail "keys add"
start_daemons scheduler records gateway
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"D1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1970-01-01","category":"cadre","first_name":"Dominique","last_name":"Martin","email":"d@example.com"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"D1","locale":"fr","birth_date":"1980-05-01","category":"cadre","first_name":"Marc","last_name":"Dupont"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1985-02-01","category":"cadre","first_name":"Élodie","last_name":"Lefèvre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2021-09-01","entity":"ACME-FR","department":"support","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1990-02-01","category":"cadre","first_name":"Zoë","last_name":"Œuvray"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"X1","effective_date":"2022-01-10","entity":"ACME-LAB","department":"rd","region":"metropole","locale":"fr","birth_date":"1990-02-01","category":"cadre","first_name":"Xavier","last_name":"Lefebvre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"

ids() { # entretiensctl args... -> the employee ids found, space-separated
  "$CTL" --json "$@" | jq -r '[.employees[].employee_id] | join(" ")'
}
same() { # what expected got
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
refused() { # code what cmd...
  local code=$1 what=$2; shift 2
  if "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"; then fail "$what: should be refused ($(cat "$IT_DIR/out"))"; fi
  grep -q "$code" "$IT_DIR/err" || fail "$what: expected $code, got: $(cat "$IT_DIR/err")"
}
A=(--as admin:root)
same "everyone" "D1 E1 E2 M1 X1" "$(ids "${A[@]}" employee search)"
same "id prefix, any case" "X1" "$(ids "${A[@]}" employee search x1)"
same "a name without its accents" "E1" "$(ids "${A[@]}" employee search LEFEVRE)"
same "a name with its accents" "E1" "$(ids "${A[@]}" employee search "lefèvre")"
same "a part of a name" "E1 X1" "$(ids "${A[@]}" employee search lef)"
same "Œ folded to oe" "E2" "$(ids "${A[@]}" employee search oeuv)"
same "first then last name" "E2" "$(ids "${A[@]}" employee search "zoe oeuvray")"
same "last then first name" "M1" "$(ids "${A[@]}" employee search "dupont marc")"
same "entity" "X1" "$(ids "${A[@]}" employee search --entity ACME-LAB)"
same "department" "E2" "$(ids "${A[@]}" employee search --department support)"
same "nothing" "" "$(ids "${A[@]}" employee search nobody)"
# pages
"$CTL" "${A[@]}" --json employee search --limit 2 >"$IT_DIR/p1" || fail "page 1"
same "page 1" "D1 E1" "$(jq -r '[.employees[].employee_id] | join(" ")' "$IT_DIR/p1")"
same "page 2" "E2 M1" "$(ids "${A[@]}" employee search --limit 2 --after "$(jq -r .next_after "$IT_DIR/p1")")"
"$CTL" "${A[@]}" --json employee search --limit 2 --after M1 >"$IT_DIR/p3" || fail "page 3"
jq -e '[.employees[].employee_id] == ["X1"] and .next_after == null' "$IT_DIR/p3" >/dev/null || fail "last page: $(cat "$IT_DIR/p3")"
# summaries only
"$CTL" "${A[@]}" --json employee search D1 >"$IT_DIR/d1" || fail "search D1"
jq -e '.employees[0] | .first_name == "Dominique" and .entity == "ACME-FR" and (has("birth_date") or has("email") | not)' "$IT_DIR/d1" >/dev/null ||
  fail "summary: $(cat "$IT_DIR/d1")"
# who finds whom
same "a manager: her line and herself" "E1 E2 M1" "$(ids --as manager:M1 employee search)"
same "her manager: two levels" "D1 E1 E2 M1" "$(ids --as manager:D1 employee search)"
same "a manager looking for someone outside her line" "E1" "$(ids --as manager:M1 employee search lef)"
same "an employee: herself" "E1" "$(ids --as employee:E1 employee search)"
same "an employee looking for a colleague" "" "$(ids --as employee:E1 employee search zoe)"
refused PERMISSION_DENIED "HR without a grant" "$CTL" --as hr:alice employee search
refused PERMISSION_DENIED "a service's key" env ENTRETIENS_CLIENT_KEY=batch "$CTL" employee search
"$CTL" --as admin:root access grant hr:alice --entity ACME-LAB >/dev/null || fail "grant"
wait_for 20 "X1" ids --as hr:alice employee search || fail "HR with a grant on ACME-LAB"
same "HR looking outside its entity" "" "$(ids --as hr:alice employee search lefevre --entity ACME-FR)"
refused "is from 1 to 1000" "--limit 0" "$CTL" "${A[@]}" employee search --limit 0
refused INVALID_ARGUMENT "a query of 200 bytes" "$CTL" "${A[@]}" employee search "$(printf 'x%.0s' $(seq 1 200))"

# the same through the API
PW='correct horse battery'
echo "$PW" | "$CTL" user add marc --principal manager:M1 >/dev/null || fail "user add marc"
echo "$PW" | "$CTL" user add emma --principal employee:E1 >/dev/null || fail "user add emma"
api() { # JAR PATH -> status; body in $IT_DIR/body
  curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$1" -c "$1" "$GW_API$2"
}
login() { # login jar
  [ "$(curl -s -o /dev/null -w '%{http_code}' -c "$2" -H 'Content-Type: application/json' \
        -d "{\"login\":\"$1\",\"password\":\"$PW\"}" "$GW_API/auth/login")" = 200 ] || fail "login $1"
}
login marc "$IT_DIR/marc"; login emma "$IT_DIR/emma"
[ "$(api "$IT_DIR/marc" '/employees?q=L%C3%A9F')" = 200 ] || fail "API search: $(cat "$IT_DIR/body")"
jq -e '[.employees[].employee_id] == ["E1"] and .employees[0].last_name == "Lefèvre"' "$IT_DIR/body" >/dev/null ||
  fail "API: a manager's search: $(cat "$IT_DIR/body")"
[ "$(api "$IT_DIR/marc" '/employees?limit=2')" = 200 ] || fail "API page 1"
jq -e '[.employees[].employee_id] == ["E1","E2"] and .next_after == "E2"' "$IT_DIR/body" >/dev/null || fail "API page 1: $(cat "$IT_DIR/body")"
[ "$(api "$IT_DIR/marc" '/employees?limit=2&after=E2')" = 200 ] || fail "API page 2"
jq -e '[.employees[].employee_id] == ["M1"]' "$IT_DIR/body" >/dev/null || fail "API page 2: $(cat "$IT_DIR/body")"
[ "$(api "$IT_DIR/emma" '/employees')" = 200 ] || fail "API as an employee"
jq -e '[.employees[].employee_id] == ["E1"]' "$IT_DIR/body" >/dev/null || fail "API: an employee finds others: $(cat "$IT_DIR/body")"
[ "$(api "$IT_DIR/marc" '/employees?limit=5000')" = 400 ] || fail "API: limit 5000"
[ "$(jq -r .field "$IT_DIR/body")" = limit ] || fail "API: limit field: $(cat "$IT_DIR/body")"
[ "$(api "$IT_DIR/nobody" '/employees')" = 401 ] || fail "API without a session"
KEY=$("$CTL" apikey create --principal service:hris --scope read 2>/dev/null) || fail "apikey"
[ "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$GW_API/employees")" = 403 ] ||
  fail "API: a service's key searches: $(cat "$IT_DIR/body")"
kill -TERM "${IT_PIDS[@]}" 2>/dev/null
for p in "${IT_PIDS[@]}"; do wait "$p" 2>/dev/null; done
grep -q 'scheduler stopped cleanly' "$IT_DIR/scheduler.log" || fail "the scheduler did not stop cleanly"
echo "employee search: id prefix, names without case or accents, filters, pages; CLI and API; each role finds whom it may"
