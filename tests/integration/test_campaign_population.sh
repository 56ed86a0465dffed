# A campaign's population through the real scheduler, the CLI and the
# gateway: the filters (entity, department, site, category, hired before /
# on or after), the preview equal to what create then counts (nothing
# stored by the preview), the members with their status, a late joiner
# (hired after the campaign opened) marked and listed alone with --late,
# the refusals (bad category, an empty hire range, an employee's and a
# manager's preview and members, HR without every entity's create), and HR
# granted one entity seeing only its people.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-09-01
start_daemons scheduler records gateway
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","site":"Lyon","category":"cadre","first_name":"Marc","last_name":"Dupont"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","site":"Lyon","manager_id":"M1","category":"ouvrier_employe","first_name":"Élodie","last_name":"Lefèvre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2024-03-01","entity":"ACME-FR","department":"sales","site":"Paris","manager_id":"M1","category":"cadre","first_name":"Zoë","last_name":"Œuvray"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"E3","effective_date":"2025-01-06","entity":"ACME-FR","department":"support","site":"Lyon","manager_id":"M1","category":"cadre","first_name":"Hugo","last_name":"Bernard"}
{"event_id":"h5","source":"hris","type":"hired","employee_id":"X1","effective_date":"2022-01-10","entity":"ACME-LAB","department":"rd","site":"Lyon","category":"cadre","first_name":"Xavier","last_name":"Lefebvre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"

same() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }
refused() { # code what cmd...
  local code=$1 what=$2; shift 2
  if "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"; then fail "$what: should be refused ($(cat "$IT_DIR/out"))"; fi
  grep -q "$code" "$IT_DIR/err" || fail "$what: expected $code, got: $(cat "$IT_DIR/err")"
}
W=(--from 2026-09-01 --to 2026-12-31)
preview() { "$CTL" --json campaign preview "${W[@]}" "$@" | jq -r '[.members[].employee_id] | join(" ")'; }

# each filter narrows the preview
same "everyone" "E1 E2 E3 M1 X1" "$(preview)"
same "entity" "X1" "$(preview --entity ACME-LAB)"
same "department" "E1 E2 M1" "$(preview --entity ACME-FR --department sales)"
same "site" "E1 E3 M1 X1" "$(preview --site Lyon)"
same "category" "E2 E3 M1 X1" "$(preview --category cadre)"
same "hired before" "E1 M1 X1" "$(preview --hired-before 2023-01-01)"
same "hired on or after" "E2 E3" "$(preview --hired-after 2024-03-01 --hired-before 2026-01-01)"
same "every filter" "E3" "$(preview --entity ACME-FR --site Lyon --category cadre --hired-after 2024-01-01)"
"$CTL" --json campaign preview "${W[@]}" --site Lyon >"$IT_DIR/pv.json" || fail "preview"
jq -e '.total == 4 and (.members[] | select(.employee_id == "E1") | .first_name == "Élodie" and .site == "Lyon" and .manager_id == "M1" and .hired_on == "2020-09-01")' \
  "$IT_DIR/pv.json" >/dev/null || fail "the preview's people: $(cat "$IT_DIR/pv.json")"
# the preview stores nothing
"$CTL" --json campaign list >"$IT_DIR/none.json" || fail "campaign list"
same "campaigns after previews" "0" "$(jq length "$IT_DIR/none.json")"

# refusals, said with their field
refused "category" "an unknown category" "$CTL" campaign preview "${W[@]}" --category chef
refused "hired_after" "an empty hire range" "$CTL" campaign preview "${W[@]}" --hired-after 2024-01-01 --hired-before 2023-01-01
refused "is before --from" "a window ending before it starts" "$CTL" campaign preview --from 2026-09-01 --to 2026-08-01
refused PERMISSION_DENIED "an employee's preview" "$CTL" --as employee:E1 campaign preview "${W[@]}"
refused PERMISSION_DENIED "a manager's preview" "$CTL" --as manager:M1 campaign preview "${W[@]}"

# create counts what the preview showed; the members carry their status
"$CTL" --json campaign create --id lyon-2026 --title "Lyon 2026" "${W[@]}" --site Lyon >"$IT_DIR/c.json" || fail "create"
jq -e '.eligible == 4 and .site == "Lyon"' "$IT_DIR/c.json" >/dev/null || fail "create: $(cat "$IT_DIR/c.json")"
"$CTL" --json campaign members lyon-2026 >"$IT_DIR/m.json" || fail "members"
jq -e '[.members[].employee_id] == ["E1","E3","M1","X1"] and .late == 0 and ([.members[].status] | unique) == ["upcoming"]' \
  "$IT_DIR/m.json" >/dev/null || fail "members: $(cat "$IT_DIR/m.json")"

# a hire after the campaign opened joins it late
"$CTL" clock set 2026-09-15 --only scheduler,records >/dev/null || fail "clock set"
echo '{"event_id":"h6","source":"hris","type":"hired","employee_id":"N1","effective_date":"2026-09-14","entity":"ACME-FR","department":"sales","site":"Lyon","manager_id":"M1","category":"ouvrier_employe","first_name":"Nina","last_name":"Petit"}' |
  "$CTL" ingest - >/dev/null || fail "late hire"
"$CTL" --json campaign members lyon-2026 >"$IT_DIR/m2.json" || fail "members after the late hire"
jq -e '.total == 5 and .late == 1 and ([.members[] | select(.late) | .employee_id] == ["N1"])' "$IT_DIR/m2.json" >/dev/null ||
  fail "the late joiner: $(cat "$IT_DIR/m2.json")"
"$CTL" --json campaign members lyon-2026 --late >"$IT_DIR/m3.json" || fail "members --late"
jq -e '[.members[].employee_id] == ["N1"] and .total == 1' "$IT_DIR/m3.json" >/dev/null || fail "--late: $(cat "$IT_DIR/m3.json")"
"$CTL" campaign members lyon-2026 | grep -q "5 people, 1 joined late" || fail "the members' table does not count the late joiner"
refused NOT_FOUND "members of an unknown campaign" "$CTL" campaign members nope
refused "is from 1 to 20000" "--limit 0" "$CTL" campaign members lyon-2026 --limit 0
refused PERMISSION_DENIED "an employee's members" "$CTL" --as employee:E1 campaign members lyon-2026

# progress from records' interviews of the campaign, by group, in one call:
# E1's interview signed, E3's scheduled, the others (M1, X1, N1) planned
wait_for 30 5 sh -c "\"$CTL\" --as admin:root --json interview list --type annual_review --limit 100 | jq '.interviews | length'" ||
  fail "records did not create the campaign's five interviews"
"$CTL" --as admin:root --json interview list --type annual_review --limit 100 >"$IT_DIR/ivs.json" || fail "interview list"
e3=$(jq -r '.interviews[] | select(.employee_id == "E3") | .id' "$IT_DIR/ivs.json")
"$CTL" --as manager:M1 interview schedule "$e3" --at 2026-09-20T10:00 >/dev/null || fail "schedule E3"
jq '{interviews: [.interviews[] | select(.employee_id == "E1")]}' "$IT_DIR/ivs.json" >"$IT_DIR/e1only.json"
"$CTL" --as manager:M1 interview schedule "$(jq -r '.interviews[0].id' "$IT_DIR/e1only.json")" --at 2026-09-15T09:00 >/dev/null &&
  for step in "employee:E1 interview answer ID --file $IT_DIR/e1.json --submit" "manager:M1 interview hold ID" \
              "manager:M1 interview answer ID --file $IT_ANSWERS/annual_review-manager.json --submit" \
              "employee:E1 interview sign ID" "manager:M1 interview sign ID"; do
    [ -f "$IT_DIR/e1.json" ] || echo '{"highlights":"my year","engagement":4,"workload":3}' >"$IT_DIR/e1.json"
    set -- $step; who=$1; shift
    "$CTL" --as "$who" "${@/ID/$(jq -r '.interviews[0].id' "$IT_DIR/e1only.json")}" >/dev/null || fail "E1: $step"
  done || fail "E1's interview"
progress() { # query -> status; body in $IT_DIR/body
  curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$IT_DIR/hera" "$GW_API/campaigns/lyon-2026/progress$1"
}

"$CTL" --json campaign progress lyon-2026 >"$IT_DIR/cp.json" || fail "campaign progress"
jq -e '[.groups[] | [.group, .planned, .scheduled, .closed, .total]] == [["ACME-FR",2,1,1,4],["ACME-LAB",1,0,0,1]] and .total.total == 5' \
  "$IT_DIR/cp.json" >/dev/null || fail "campaign progress: $(cat "$IT_DIR/cp.json")"
"$CTL" campaign progress lyon-2026 --by manager | grep -q '^(none) *2 ' || fail "the progress table by manager"
refused group_by "progress by site" "$CTL" campaign progress lyon-2026 --by site
refused PERMISSION_DENIED "a manager's progress" "$CTL" --as manager:M1 campaign progress lyon-2026

# HR granted ACME-LAB: its people only; creating needs every entity
"$CTL" --as admin:root access grant hr:lab --entity ACME-LAB >/dev/null || fail "grant"
wait_for 20 "X1" sh -c "\"$CTL\" --as hr:lab --json campaign members lyon-2026 2>/dev/null | jq -r '[.members[].employee_id] | join(\" \")'" ||
  fail "HR granted ACME-LAB sees X1 only"
refused PERMISSION_DENIED "HR of one entity creates" "$CTL" --as hr:lab campaign create --id lab-x "${W[@]}"

# the same through the API: HR with every entity previews, a manager is refused
PW='correct horse battery'
"$CTL" --as admin:root access grant hr:all --entity '*' >/dev/null || fail "grant *"
echo "$PW" | "$CTL" user add hera --principal hr:all >/dev/null || fail "user add hera"
echo "$PW" | "$CTL" user add marc --principal manager:M1 >/dev/null || fail "user add marc"
login() { # login jar
  [ "$(curl -s -o "$IT_DIR/login" -w '%{http_code}' -c "$2" -H 'Content-Type: application/json' \
        -d "{\"login\":\"$1\",\"password\":\"$PW\"}" "$GW_API/auth/login")" = 200 ] || fail "login $1"
  jq -r .csrf_token "$IT_DIR/login"
}
post() { # jar csrf path body -> status; body in $IT_DIR/body
  curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$1" -H 'Content-Type: application/json' -H "X-CSRF-Token: $2" -d "$4" "$GW_API$3"
}
HT=$(login hera "$IT_DIR/hera"); MT=$(login marc "$IT_DIR/marc")
wait_for 20 200 post "$IT_DIR/hera" "$HT" /campaigns/preview '{"window_start":"2026-09-01","window_end":"2026-12-31","department":"sales"}' ||
  fail "API preview: $(cat "$IT_DIR/body")"
jq -e '[.members[].employee_id] == ["E1","E2","M1","N1"] and .total == 4' "$IT_DIR/body" >/dev/null || fail "API preview: $(cat "$IT_DIR/body")"
same "API preview, bad category" 400 "$(post "$IT_DIR/hera" "$HT" /campaigns/preview '{"window_start":"2026-09-01","window_end":"2026-12-31","category":"chef"}')"
same "its field" category "$(jq -r .field "$IT_DIR/body")"
same "API preview by a manager" 403 "$(post "$IT_DIR/marc" "$MT" /campaigns/preview '{"window_start":"2026-09-01","window_end":"2026-12-31"}')"
same "API members" 200 "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$IT_DIR/hera" "$GW_API/campaigns/lyon-2026/members?late_only=true")"
jq -e '[.members[].employee_id] == ["N1"] and .members[0].late == true and .members[0].status == "upcoming"' "$IT_DIR/body" >/dev/null ||
  fail "API members: $(cat "$IT_DIR/body")"
same "API progress by entity" 200 "$(progress '?group_by=entity&list=true')"
jq -e '[.groups[] | [.group, .planned // 0, .scheduled // 0, .held // 0, .closed // 0, .total]] == [["ACME-FR",2,1,0,1,4],["ACME-LAB",1,0,0,0,1]]
       and .total.total == 5 and .total.closed == 1
       and ([.interviews[] | [.employee_id, .status]] == [["E1","closed"],["E3","scheduled"],["M1","planned"],["N1","planned"],["X1","planned"]])' \
  "$IT_DIR/body" >/dev/null || fail "API progress by entity: $(cat "$IT_DIR/body")"
same "API progress by manager" 200 "$(progress '?group_by=manager')"
jq -e '[.groups[] | [.group // "", .total]] == [["",2],["M1",3]] and (.interviews // []) == []' "$IT_DIR/body" >/dev/null ||
  fail "API progress by manager: $(cat "$IT_DIR/body")"
same "API progress by department" 200 "$(progress '?group_by=department')"
jq -e '[.groups[] | [.group, .total]] == [["rd",1],["sales",3],["support",1]]' "$IT_DIR/body" >/dev/null ||
  fail "API progress by department: $(cat "$IT_DIR/body")"
same "API progress by site (refused)" 400 "$(progress '?group_by=site')"
same "its field" group_by "$(jq -r .field "$IT_DIR/body")"
same "API progress of another campaign" 200 "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$IT_DIR/hera" "$GW_API/campaigns/nope/progress")"
jq -e '(.groups // []) == [] and (.total.total // 0) == 0' "$IT_DIR/body" >/dev/null || fail "an unknown campaign's progress: $(cat "$IT_DIR/body")"
same "API progress by a manager" 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$IT_DIR/marc" "$GW_API/campaigns/lyon-2026/progress")"
# HR granted ACME-LAB counts its entity's interviews only
"$CTL" --as admin:root access grant hr:lab2 --entity ACME-LAB >/dev/null || fail "grant lab2"
echo "$PW" | "$CTL" user add lab --principal hr:lab2 >/dev/null || fail "user add lab"
login lab "$IT_DIR/lab" >/dev/null
same "API progress, HR of ACME-LAB" 200 "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$IT_DIR/lab" "$GW_API/campaigns/lyon-2026/progress")"
jq -e '[.groups[].group] == ["ACME-LAB"] and .total.total == 1' "$IT_DIR/body" >/dev/null || fail "HR of ACME-LAB: $(cat "$IT_DIR/body")"
same "API members by a manager" 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$IT_DIR/marc" "$GW_API/campaigns/lyon-2026/members")"
# the list: HR of ACME-LAB sees her people's figures, not the organisation's,
# and not a campaign of another entity; HR with every entity sees both
"$CTL" --json campaign create --id fr-2026 --title "ACME-FR 2026" --type internal_mobility "${W[@]}" --entity ACME-FR >/dev/null ||
  fail "create fr-2026"
"$CTL" --as hr:all --json campaign list >"$IT_DIR/all.json" || fail "campaign list, HR of every entity"
jq -e '([.[] | select(.id == "lyon-2026") | .eligible] == [5]) and ([.[] | select(.id == "fr-2026") | .eligible] == [5])' \
  "$IT_DIR/all.json" >/dev/null || fail "the organisation's figures: $(cat "$IT_DIR/all.json")"
"$CTL" --as hr:lab --json campaign list >"$IT_DIR/lab.json" || fail "campaign list, HR of ACME-LAB"
jq -e '[.[] | [.id, .eligible, .upcoming + .met + .overdue + .cancelled]] == [["lyon-2026",1,1]]' "$IT_DIR/lab.json" >/dev/null ||
  fail "HR of ACME-LAB's campaign list: $(cat "$IT_DIR/lab.json")"
refused NOT_FOUND "HR of ACME-LAB shows another entity's campaign" "$CTL" --as hr:lab campaign show fr-2026
same "API campaign list, HR of ACME-LAB" 200 "$(curl -s -o "$IT_DIR/body" -w '%{http_code}' -b "$IT_DIR/lab" "$GW_API/campaigns")"
jq -e '[(.campaigns // .)[] | .id] == ["lyon-2026"]' "$IT_DIR/body" >/dev/null || fail "API campaign list, HR of ACME-LAB: $(cat "$IT_DIR/body")"
kill -TERM "${IT_PIDS[@]}" 2>/dev/null
for p in "${IT_PIDS[@]}"; do wait "$p" 2>/dev/null; done
grep -q 'scheduler stopped cleanly' "$IT_DIR/scheduler.log" || fail "the scheduler did not stop cleanly"
echo "campaign population: each filter, the preview equal to create, members and the late joiner, refusals; CLI and API"
