#!/usr/bin/env bash
# Two campaigns of one type over the same people, through the real
# scheduler and records: each opens its own interview for the employee;
# once the first is held and signed, it meets both obligations (the
# scheduler counts an interview of the type held within a campaign's
# window), and records cancels the second interview with a reason that
# names the interview that met it — not "an interview held outside
# records", which it was not.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
export ENTRETIENS_NOW=2026-09-01
start_daemons scheduler records
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","category":"cadre","first_name":"Marc","last_name":"Dupont"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","manager_id":"M1","category":"cadre","first_name":"Élodie","last_name":"Lefèvre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
"$CTL" campaign create --id reviews-2026 --title "Reviews 2026" --from 2026-09-01 --to 2026-12-31 >/dev/null ||
  fail "create reviews-2026"
"$CTL" campaign create --id sales-2026 --title "Sales reviews 2026" --department sales --from 2026-09-01 \
  --to 2026-11-30 >/dev/null || fail "create sales-2026"

ivs() { "$CTL" --as admin:root --json interview list --employee E1 --type annual_review --limit 100; }
wait_for 30 2 sh -c "\"$CTL\" --as admin:root --json interview list --employee E1 --type annual_review --limit 100 | jq '.interviews | length'" ||
  fail "records did not open one interview per campaign: $(ivs)"
A=$(ivs | jq -r '.interviews[] | select(.obligation_id | endswith("/campaign-reviews-2026")) | .id')
B=$(ivs | jq -r '.interviews[] | select(.obligation_id | endswith("/campaign-sales-2026")) | .id')
[ -n "$A" ] && [ -n "$B" ] && [ "$A" != "$B" ] || fail "the two campaigns' interviews: $(ivs)"

# A is held and signed on 2026-09-15
"$CTL" clock set 2026-09-15 --only scheduler,records >/dev/null || fail "clock set"
"$CTL" --as manager:M1 interview schedule "$A" --at 2026-09-15T09:00 >/dev/null || fail "schedule A"
echo '{"highlights":"my year","engagement":4,"workload":3}' >"$IT_DIR/e1.json"
for step in "employee:E1 interview answer $A --file $IT_DIR/e1.json --submit" "manager:M1 interview hold $A" \
            "manager:M1 interview answer $A --file $IT_ANSWERS/annual_review-manager.json --submit" \
            "employee:E1 interview sign $A" "manager:M1 interview sign $A"; do
  set -- $step; who=$1; shift
  "$CTL" --as "$who" "$@" >/dev/null || fail "A: $step"
done

# B: cancelled by the scheduler, the reason naming A (read by the employee:
# administrators see reasons withheld)
status_of() { "$CTL" --as admin:root --json interview show "$1" | jq -r '.status'; }
wait_for 30 cancelled status_of "$B" || fail "B was not cancelled once A met its obligation: $(status_of "$B")"
[ "$(status_of "$A")" = closed ] || fail "A: $(status_of "$A")"
"$CTL" --as employee:E1 --json audit show "$B" >"$IT_DIR/b-audit.json" || fail "audit show B"
jq -e '[.[] | select(.action == "cancel" and .actor == "scheduler")] | length == 1' "$IT_DIR/b-audit.json" >/dev/null || fail "B's cancel in its trail: $(cat "$IT_DIR/b-audit.json")"
reason=$(jq -r '[.[] | select(.action == "cancel")][0].details.reason' "$IT_DIR/b-audit.json")
[ "$reason" = "the obligation was met by interview $A, held on 2026-09-15" ] ||
  fail "B's cancel reason: '$reason' (want it to name $A)"
grep -q "outside records" <<<"$reason" && fail "the reason says outside records"
# both campaigns count E1 as met
"$CTL" --json campaign list >"$IT_DIR/campaigns.json" || fail "campaign list"
jq -e '[.[] | {id, met}] | sort_by(.id) == [{"id":"reviews-2026","met":1},{"id":"sales-2026","met":1}]' \
  "$IT_DIR/campaigns.json" >/dev/null || fail "both campaigns met: $(jq -c '[.[] | {id, met, eligible}]' "$IT_DIR/campaigns.json")"
echo "campaign overlap: the first interview held meets both campaigns; the other is cancelled naming it"
