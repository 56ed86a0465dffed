#!/usr/bin/env bash
# "Today" is each person's (issue 11, local time): at 21:30 UTC on 5 December
# it is already the 6th in La Réunion (UTC+4) and still the 5th in Paris; at
# 03:30 UTC on the 6th it is still the 5th in Guadeloupe (UTC-4) and the 6th
# in Paris.  Real daemons, the clock pinned to instants (ENTRETIENS_NOW and
# `clock set` with a time of day), asserted through the CLI:
# - the scheduler's overdue judgement (`obligations`, `due`): a deadline on
#   the 5th is overdue for the Réunion employees at 21:30 UTC (her own
#   region, or his entity's when he has none), not for the Paris one; at 03:30 UTC the Paris one is, the Guadeloupe one is not
#   until 04:00 UTC (the sweep runs at each region's midnight);
# - records' date checks: an interview held "today" is on the employee's
#   date (the 6th in La Réunion, the 5th in Paris, where the 6th is refused
#   as in the future); a deadline moved "not in the past" is refused for the
#   Réunion employee on the 5th, accepted for the Paris one; an ad-hoc
#   interview is due 30 days after her own today;
# - the notifier's campaign reminder sends each recipient the step of her
#   own day (the overdue notice of the 6th in La Réunion);
# - a clock pinned to a date alone is that day in every region.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
export TZ=Europe/Paris
it_endpoints scheduler records notifier
export ENTRETIENS_NOW=2026-12-05T12:00:00Z ENTRETIENS_NOTIFIER_TICK_MS=50
start_daemons scheduler records notifier

# ACME-RE is in La Réunion: its employees without a region of their own are there
echo '{"entities": [{"id": "ACME-FR", "headcount": 120, "region": "metropole"},
                    {"id": "ACME-RE", "headcount": 60, "region": "reunion"}]}' | "$CTL" policy apply - >/dev/null ||
  fail "policy apply"
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"M1","effective_date":"2015-01-05","entity":"ACME-FR","department":"direction","region":"metropole","category":"cadre","first_name":"Marc","last_name":"Dupont"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"P1","effective_date":"2020-09-01","entity":"ACME-FR","department":"ops","manager_id":"M1","region":"metropole","first_name":"Paul","last_name":"Martin"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"R1","effective_date":"2020-09-01","entity":"ACME-FR","department":"ops","manager_id":"M1","region":"reunion","first_name":"Rose","last_name":"Payet"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"P2","effective_date":"2020-09-01","entity":"ACME-FR","department":"ops","manager_id":"M1","first_name":"Pia","last_name":"Moreau"}
{"event_id":"h5","source":"hris","type":"hired","employee_id":"R2","effective_date":"2020-09-01","entity":"ACME-RE","department":"ops","manager_id":"M1","first_name":"Rémi","last_name":"Hoarau"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"G1","effective_date":"2020-09-01","entity":"ACME-FR","department":"ops","manager_id":"M1","region":"guadeloupe","first_name":"Guy","last_name":"Jean-Baptiste"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
# one deadline on the 5th for all of them: a campaign ending that day
"$CTL" campaign create --id dec --title "Revues" --from 2026-11-02 --to 2026-12-05 --department ops >/dev/null ||
  fail "campaign create"

status() { # employee -> the status of her campaign obligation (scheduler.obligations)
  "$CTL" --json obligations --employee "$1" |
    jq -r --arg id "$1/annual_review/campaign-dec" '.[] | select(.obligation_id == $id) | .status'
}
due_status() { # employee -> the same through the shared calendar (scheduler.due)
  "$CTL" --json due --from 2026-12-05 --to 2026-12-05 |
    jq -r --arg e "$1" '.[] | select(.employee_id == $e and .type == "annual_review") | .status'
}
expect() { # what employee want
  local got
  got=$(status "$2"); [ "$got" = "$3" ] || fail "$1: $2's deadline of the 5th is '$got' (obligations), expected $3"
  got=$(due_status "$2"); [ "$got" = "$3" ] || fail "$1: $2's deadline of the 5th is '$got' (due), expected $3"
}
clock() { "$CTL" clock set "$1" --only scheduler,records,notifier >/dev/null || fail "clock set $1"; }

# noon UTC on the 5th: everyone is on the 5th
for e in P1 P2 R1 R2 G1; do expect "12:00 UTC" $e upcoming; done

# 21:30 UTC: La Réunion is at 01:30 on the 6th, Paris at 22:30 on the 5th
clock 2026-12-05T21:30:00Z
expect "21:30 UTC" R1 overdue
expect "21:30 UTC" R2 overdue # no region of his own: his entity's
expect "21:30 UTC" P1 upcoming
expect "21:30 UTC" P2 upcoming
expect "21:30 UTC" G1 upcoming
wait_for 30 0 sh -c "\"$CTL\" health --json | jq '[.[] | .consumers[]? | select(.cursor < .producer_head)] | length'" ||
  fail "the daemons did not catch up"
"$CTL" --json campaign remind dec >"$IT_DIR/remind.json" || fail "campaign remind"
# the notifier's step of the day is the recipient's: the overdue notice of
# the day after for Rose in La Réunion, the due-day one for Paris (her
# manager, in Paris, included) and Guadeloupe
for want in "R1/annual_review/campaign-dec|d+1@2026-12-05|R1" "R1/annual_review/campaign-dec|d+0@2026-12-05|M1" \
            "P2/annual_review/campaign-dec|d+0@2026-12-05|P2" "G1/annual_review/campaign-dec|d+0@2026-12-05|G1"; do
  jq -e --arg id "o:$want" '.notification_ids | index($id) != null' "$IT_DIR/remind.json" >/dev/null ||
    fail "campaign remind did not send $want: $(jq -c .notification_ids "$IT_DIR/remind.json")"
done

# records: the interviews are the employee's, checked on her date
wait_for 30 5 sh -c "\"$CTL\" --as admin:root --json interview list --type annual_review --limit 100 | jq '.interviews | length'" ||
  fail "records did not create the campaign's interviews"
iv_of() { # employee -> her campaign interview
  "$CTL" --as admin:root --json interview list --type annual_review --limit 100 |
    jq -r --arg e "$1" '.interviews[] | select(.employee_id == $e) | .id'
}
IVR=$(iv_of R1); IVP=$(iv_of P1)
[ -n "$IVR" ] && [ -n "$IVP" ] || fail "no interview for R1 ($IVR) or P1 ($IVP)"
for iv in "$IVR" "$IVP"; do
  "$CTL" --as manager:M1 interview schedule "$iv" --at 2026-12-05T17:00:00Z >/dev/null || fail "schedule $iv"
done
# the 6th is the future in Paris...
if "$CTL" --as manager:M1 interview hold "$IVP" --on 2026-12-06 >"$IT_DIR/hold-p.out" 2>&1; then
  fail "P1's interview held on the 6th while it is the 5th in Paris: $(cat "$IT_DIR/hold-p.out")"
fi
grep -q "not in the future" "$IT_DIR/hold-p.out" || fail "the refusal does not say why: $(cat "$IT_DIR/hold-p.out")"
# ...and today in La Réunion: held "today" is the 6th there, the 5th in Paris
"$CTL" --as manager:M1 --json interview hold "$IVR" >"$IT_DIR/hold-r.json" || fail "hold R1"
[ "$(jq -r .held_on "$IT_DIR/hold-r.json")" = 2026-12-06 ] || fail "R1 held on $(jq -r .held_on "$IT_DIR/hold-r.json"), expected her today, the 6th"
"$CTL" --as manager:M1 --json interview hold "$IVP" >"$IT_DIR/hold-p.json" || fail "hold P1"
[ "$(jq -r .held_on "$IT_DIR/hold-p.json")" = 2026-12-05 ] || fail "P1 held on $(jq -r .held_on "$IT_DIR/hold-p.json"), expected the 5th"

# an ad-hoc interview is due 30 days after the employee's today
for e in R1 P1; do
  "$CTL" --as manager:M1 --json interview create --employee $e --type annual_review >"$IT_DIR/adhoc-$e.json" ||
    fail "interview create $e"
done
[ "$(jq -r .due_date "$IT_DIR/adhoc-R1.json")" = 2027-01-05 ] || fail "R1's ad-hoc interview due $(jq -r .due_date "$IT_DIR/adhoc-R1.json"), expected the 6th + 30"
[ "$(jq -r .due_date "$IT_DIR/adhoc-P1.json")" = 2027-01-04 ] || fail "P1's ad-hoc interview due $(jq -r .due_date "$IT_DIR/adhoc-P1.json"), expected the 5th + 30"
# a deadline "today or later": the 5th is past in La Réunion, today in Paris
"$CTL" --as admin:root access grant hr:all --entity '*' >/dev/null || fail "grant"
if "$CTL" --as hr:all interview move-due "$(jq -r .id "$IT_DIR/adhoc-R1.json")" --to 2026-12-05 --reason "avant" \
     >"$IT_DIR/move-r.out" 2>&1; then
  fail "R1's deadline moved to the 5th, the day before her today"
fi
grep -q "2026-12-06" "$IT_DIR/move-r.out" || fail "the refusal does not name her today: $(cat "$IT_DIR/move-r.out")"
"$CTL" --as hr:all --json interview move-due "$(jq -r .id "$IT_DIR/adhoc-P1.json")" --to 2026-12-05 --reason "avant" \
  >"$IT_DIR/move-p.json" || fail "P1's deadline refused on the 5th, her today"
[ "$(jq -r .due_date "$IT_DIR/move-p.json")" = 2026-12-05 ] || fail "P1's moved deadline: $(jq -r .due_date "$IT_DIR/move-p.json")"

# 03:30 UTC on the 6th: Paris is on the 6th, Guadeloupe at 23:30 on the 5th
# (P1's interview, held on the 5th, met hers; P2, also in Paris, has not)
clock 2026-12-06T03:30:00Z
expect "03:30 UTC" P2 overdue
expect "03:30 UTC" G1 upcoming
# 04:00 UTC: the Antilles' midnight turns it (the sweep runs at every
# region's midnight, not only the process')
clock 2026-12-06T04:00:00Z
expect "04:00 UTC" G1 overdue

# a clock pinned to a date alone is that day everywhere: back to the 5th
# (23:00 UTC on the 4th in Paris time, 19:00 on the 4th in Guadeloupe)
clock 2026-12-05
for e in P2 G1; do expect "the whole 5th" $e upcoming; done
"$CTL" --json clock show --only scheduler | jq -e '.[0].today == "2026-12-05"' >/dev/null || fail "clock show after a date"
echo "PASS test_local_today (overdue and records' dates follow each employee's region)"
