# Legal rules end to end through the real scheduler and the CLI: deadlines
# of a hire, the trial end, overdue after the clock moves, cancellation on
# leaving, a campaign, disciplinary deadlines, and the events published.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
export ENTRETIENS_NOW=2026-04-01
start_bg scheduler "$BIN/entretiens-scheduler"; PID=$LAST_PID
wait_alive scheduler
cat >"$IT_DIR/events.jsonl" <<'JSON'
{"event_id":"1","source":"hris","type":"hired","employee_id":"C1","effective_date":"2026-04-07","entity":"ACME-FR","category":"cadre","trial_months":4,"first_name":"Claire","manager_id":"M1"}
{"event_id":"2","source":"hris","type":"hired","employee_id":"P1","effective_date":"2024-03-15","entity":"ACME-FR","category":"ouvrier_employe","manager_id":"M1"}
{"event_id":"3","source":"hris","type":"hired","employee_id":"L1","effective_date":"2023-05-01","entity":"ACME-FR","manager_id":"M1"}
{"event_id":"4","source":"hris","type":"interview_held","employee_id":"L1","effective_date":"2024-06-10","interview_type":"professional"}
JSON
"$CTL" ingest "$IT_DIR/events.jsonl" >/dev/null || fail "ingest"
"$CTL" employee show C1 --json >"$IT_DIR/c1.json" || fail "employee show"
grep -q '"trial_end": "2026-08-06"' "$IT_DIR/c1.json" || fail "cadre trial end: $(grep trial_end "$IT_DIR/c1.json")"
"$CTL" obligations --employee P1 --json >"$IT_DIR/p1.json" || fail "obligations P1"
grep -A3 '"type": "professional"' "$IT_DIR/p1.json" | grep -q '"due_date": "2026-03-15"' || fail "P1 (hired 2024-03-15) professional due 2026-03-15: $(cat "$IT_DIR/p1.json")"
"$CTL" obligations --employee L1 --json >"$IT_DIR/l1.json" || fail "obligations L1"
grep -q '"due_date": "2028-06-10"' "$IT_DIR/l1.json" || fail "L1 next professional 2028-06-10: $(cat "$IT_DIR/l1.json")"

# P1's deadline has passed: overdue now; the calendar shows it for the manager
"$CTL" due --from 2026-01-01 --to 2026-12-31 --manager M1 --json >"$IT_DIR/due.json" || fail "due"
grep -q '"employee_id": "P1"' "$IT_DIR/due.json" || fail "P1 missing from M1's calendar"
grep -B8 -A8 '"employee_id": "P1"' "$IT_DIR/due.json" | grep -q '"status": "overdue"' || fail "P1 should be overdue"

# the clock moves: C1's end-of-trial interview becomes overdue
head_seq() { curl -s "http://127.0.0.1:$(http_port scheduler)/metrics" | awk '/^entretiens_scheduler_outbox_head_seq /{print $2}'; }
before=$(head_seq)
"$CTL" clock set 2026-09-01 --only scheduler >/dev/null || fail "clock set"
"$CTL" obligations --employee C1 --json >"$IT_DIR/c1o.json"
grep -B3 -A12 '"type": "end_of_trial"' "$IT_DIR/c1o.json" | grep -q '"status": "overdue"' || fail "C1 end_of_trial should be overdue: $(cat "$IT_DIR/c1o.json")"
after=$(head_seq)
[ "$after" -gt "$before" ] || fail "moving the clock published no event ($before -> $after)"

# leaving cancels what is pending
echo '{"event_id":"5","source":"hris","type":"left","employee_id":"C1","effective_date":"2026-08-31"}' | "$CTL" ingest - >/dev/null || fail "left"
"$CTL" obligations --employee C1 --json >"$IT_DIR/c1c.json"
grep -q '"status": "upcoming"' "$IT_DIR/c1c.json" && fail "C1 left: nothing should stay upcoming: $(cat "$IT_DIR/c1c.json")"
grep -q '"status": "cancelled"' "$IT_DIR/c1c.json" || fail "C1 left: expected cancelled obligations"

# a campaign covers the employees in post
"$CTL" campaign create --id ar-2026 --from 2026-09-01 --to 2026-12-15 --title "Annual reviews 2026" --json >"$IT_DIR/camp.json" || fail "campaign create"
grep -q '"eligible": 2' "$IT_DIR/camp.json" || fail "campaign should concern P1 and L1: $(cat "$IT_DIR/camp.json")"
out=$("$CTL" campaign create --id ar-2026 --from 2026-09-01 --to 2026-12-15 2>&1) && fail "duplicate campaign accepted"
grep -q "campaign extend" <<<"$out" || fail "the refusal of a duplicate says how to change it: $out"

# its life: late joiners join while it is open, extend moves its end, close
# ends it (the unmet stay missed, out of the to-do views; nobody joins any
# more), cancel withdraws one; each change says who, when and why
"$CTL" clock set 2026-10-01 --only scheduler >/dev/null || fail "clock set 10-01"
cat >"$IT_DIR/camp-events.jsonl" <<'JSON'
{"event_id":"c1","source":"hris","type":"hired","employee_id":"J1","effective_date":"2026-09-15","entity":"ACME-FR","manager_id":"M1"}
{"event_id":"c2","source":"hris","type":"interview_held","employee_id":"P1","effective_date":"2026-09-20","interview_type":"annual_review"}
JSON
"$CTL" ingest "$IT_DIR/camp-events.jsonl" >/dev/null || fail "ingest campaign events"
camp() { "$CTL" campaign show ar-2026 --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(' '.join(str(d[k]) for k in sys.argv[1:]))" "$@"; }
[ "$(camp eligible met state)" = "3 1 open" ] || fail "late joiner J1 and P1's review: $(camp eligible met state)"
"$CTL" --as employee:P1 campaign close ar-2026 >/dev/null 2>&1 && fail "an employee closed a campaign"
"$CTL" campaign extend ar-2026 --to 2026-12-01 >/dev/null 2>&1 && fail "extended to an earlier end"
"$CTL" campaign extend ar-2026 --to 2027-01-15 --note "délai supplémentaire" --json >"$IT_DIR/ext.json" || fail "extend"
grep -q '"window_end": "2027-01-15"' "$IT_DIR/ext.json" && grep -q '"extended_from": "2026-12-15"' "$IT_DIR/ext.json" ||
  fail "extend: $(cat "$IT_DIR/ext.json")"
"$CTL" obligations --employee J1 --json | grep -q '"due_date": "2027-01-15"' || fail "J1's review follows the new end"
"$CTL" campaign close ar-2026 --note "campagne terminée" --json >"$IT_DIR/close.json" || fail "close"
grep -q '"state": "closed"' "$IT_DIR/close.json" && grep -q '"closed_on": "2026-10-01"' "$IT_DIR/close.json" &&
  grep -q '"state_changed_by": "admin:operator"' "$IT_DIR/close.json" && grep -q '"note": "campagne terminée"' "$IT_DIR/close.json" ||
  fail "close: $(cat "$IT_DIR/close.json")"
grep -q 'campaign.changed.*ar-2026 closed by admin:operator' "$IT_DIR/scheduler.log" || fail "the close is not in the log"
"$CTL" obligations --employee L1 --json >"$IT_DIR/l1camp.json"
/usr/bin/python3 - "$IT_DIR/l1camp.json" <<'PY' || fail "L1's unmet review after the close: $(cat "$IT_DIR/l1camp.json")"
import json, sys
o = [x for x in json.load(open(sys.argv[1])) if x["rule"] == "campaign.ar-2026"][0]
assert o["status"] == "overdue" and o["actionable"] is False, o
PY
"$CTL" due --from 2026-01-01 --to 2027-12-31 --json | grep 'campaign-ar-2026' >/dev/null && fail "a closed campaign stays in the to-do"
echo '{"event_id":"c3","source":"hris","type":"hired","employee_id":"K1","effective_date":"2026-10-05","entity":"ACME-FR","manager_id":"M1"}' |
  "$CTL" ingest - >/dev/null || fail "hire K1"
[ "$(camp eligible met overdue)" = "3 1 2" ] || fail "after the close nobody joins: $(camp eligible met overdue)"
"$CTL" campaign close ar-2026 >/dev/null 2>&1 && fail "closed twice"
"$CTL" campaign create --id mob-2026 --type internal_mobility --from 2026-10-01 --to 2026-11-30 >/dev/null || fail "create mob-2026"
"$CTL" campaign cancel mob-2026 --note "réorganisation reportée" --json >"$IT_DIR/cancel.json" || fail "cancel"
/usr/bin/python3 - "$IT_DIR/cancel.json" <<'PY' || fail "cancel: $(cat "$IT_DIR/cancel.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "cancelled" and d["eligible"] >= 3 and d["cancelled"] == d["eligible"] and d["met"] == 0, d
PY

# disciplinary deadlines (Thursday 2026-03-12 -> earliest sanction Tuesday 2026-03-17)
"$CTL" deadlines disciplinary --interview 2026-03-12 --json >"$IT_DIR/disc.json" || fail "deadlines"
grep -q '"sanction_not_before": "2026-03-17"' "$IT_DIR/disc.json" || fail "sanction: $(cat "$IT_DIR/disc.json")"
"$CTL" deadlines disciplinary --facts-known 2026-13-01 >/dev/null 2>&1 && fail "bad date accepted"

# issue 18: the two months of L1332-4 are not prorogued (2026-05-16 is a Saturday)
"$CTL" deadlines disciplinary --facts-known 2026-03-16 --json >"$IT_DIR/disc2.json" || fail "deadlines facts"
grep -q '"convocation_by": "2026-05-16"' "$IT_DIR/disc2.json" || fail "convocation_by not prorogued: $(cat "$IT_DIR/disc2.json")"

# issue 18: entity options through policy apply, read back by policy show
cat >"$IT_DIR/policy.json" <<'JSON'
{"entities": [{"id": "ACME-FR", "headcount": 120, "region": "metropole", "periodicity_years": 4},
              {"id": "ACME-AM", "headcount": 60, "region": "alsace_moselle", "good_friday": "unknown",
               "branch_trial_renewal": true, "legacy_branch_trial": false}],
 "options": {"special_interviews": "separate", "convocation_deadline": "no_extension", "return_interview_days": 0}}
JSON
"$CTL" policy apply "$IT_DIR/policy.json" --json >"$IT_DIR/pol.json" || fail "policy apply: $(cat "$IT_DIR/pol.json")"
grep -q '"good_friday": "unknown"' "$IT_DIR/pol.json" || fail "policy good_friday: $(cat "$IT_DIR/pol.json")"
grep -q '"branch_trial_renewal": true' "$IT_DIR/pol.json" || fail "policy branch_trial_renewal"
grep -q '"recap_deadline": "seniority"' "$IT_DIR/pol.json" || fail "recap_deadline default is seniority: $(cat "$IT_DIR/pol.json")"
echo '{"entities": [{"id": "X", "good_friday": "sometimes"}]}' | "$CTL" policy apply - >/dev/null 2>"$IT_DIR/bad.err" && fail "bad good_friday accepted"
grep -q 'entities.good_friday' "$IT_DIR/bad.err" || fail "bad good_friday: $(cat "$IT_DIR/bad.err")"
echo '{"options": {"special_interviews": "both"}}' | "$CTL" policy apply - >/dev/null 2>&1 && fail "bad special_interviews accepted"
"$CTL" policy apply "$IT_DIR/policy.json" >/dev/null || fail "policy apply again"

# issue 18: Good Friday in Alsace-Moselle, unknown for the entity: the latest
# date does not run over it, and the answer says so; known, it does
"$CTL" deadlines disciplinary --entity ACME-AM --interview 2026-03-03 --json >"$IT_DIR/gf.json" || fail "deadlines AM"
grep -q '"sanction_not_after": "2026-04-03"' "$IT_DIR/gf.json" || fail "AM unknown Good Friday: $(cat "$IT_DIR/gf.json")"
grep -q '"note": "Good Friday 2026-04-03' "$IT_DIR/gf.json" || fail "AM note: $(cat "$IT_DIR/gf.json")"
"$CTL" deadlines disciplinary --entity ACME-AM --good-friday holiday --interview 2026-03-03 --json >"$IT_DIR/gf2.json" || fail "deadlines AM holiday"
grep -q '"sanction_not_after": "2026-04-07"' "$IT_DIR/gf2.json" || fail "AM Good Friday holiday: $(cat "$IT_DIR/gf2.json")"
grep -q '"note"' "$IT_DIR/gf2.json" && fail "no note when the setting is known"

# issue 18: no trial unless stipulated; the CPF exposure and what an
# inspection would add; issue 11: the return interview is due on the return
cat >"$IT_DIR/events2.jsonl" <<'JSON'
{"event_id":"10","source":"hris","type":"hired","employee_id":"N1","effective_date":"2026-08-03","entity":"ACME-FR","category":"cadre","first_name":"Nina","manager_id":"M1"}
{"event_id":"11","source":"hris","type":"hired","employee_id":"X1","effective_date":"2015-01-05","entity":"ACME-FR","category":"ouvrier_employe","manager_id":"M1"}
{"event_id":"12","source":"hris","type":"hired","employee_id":"R1","effective_date":"2026-01-05","entity":"ACME-FR","category":"ouvrier_employe","trial_months":2,"manager_id":"M1"}
{"event_id":"13","source":"hris","type":"leave_started","employee_id":"R1","effective_date":"2026-03-02","leave_kind":"parental"}
{"event_id":"14","source":"hris","type":"leave_ended","employee_id":"R1","effective_date":"2026-08-24","leave_kind":"parental"}
JSON
"$CTL" ingest "$IT_DIR/events2.jsonl" >/dev/null || fail "ingest 2"
"$CTL" employee show N1 --json >"$IT_DIR/n1.json" || fail "employee show N1"
grep -q '"trial_end": null' "$IT_DIR/n1.json" || fail "N1 stipulated no trial: $(grep trial_end "$IT_DIR/n1.json")"
"$CTL" obligations --employee N1 --json | grep -q '"end_of_trial"' && fail "N1: no end_of_trial without a trial"
"$CTL" obligations --employee X1 --json >"$IT_DIR/x1.json" || fail "obligations X1"
grep -q '"penalty_eur": 3000' "$IT_DIR/x1.json" || fail "X1 exposure: $(cat "$IT_DIR/x1.json")"
grep -q '"penalty_if_inspected_eur": 6000' "$IT_DIR/x1.json" || fail "X1 if inspected: $(cat "$IT_DIR/x1.json")"
grep -q '"due_date": "2021-06-30"' "$IT_DIR/x1.json" || fail "X1 recap deferred by ordonnance 2020-1501: $(cat "$IT_DIR/x1.json")"
"$CTL" obligations --employee R1 --json >"$IT_DIR/r1.json" || fail "obligations R1"
grep -A3 '"type": "professional_return"' "$IT_DIR/r1.json" | grep -q '"due_date": "2026-08-24"' || fail "R1 return interview due on the return: $(cat "$IT_DIR/r1.json")"

# French first: --lang fr, or a French locale, speaks French; --json keys stay
out=$("$CTL" --lang fr obligations --employee X1) || fail "obligations --lang fr"
grep -q "ÉCHÉANCE" <<<"$out" || fail "French headers: $out"
grep -q "en retard" <<<"$out" || fail "French statuses: $out"
grep -q "état des lieux récapitulatif" <<<"$out" || fail "French types: $out"
grep -q "échéance reportée au 30/06/2021" <<<"$out" || fail "French reasons: $out"
out=$(LC_ALL= LC_MESSAGES= ENTRETIENS_LANG= LANG=fr_FR.UTF-8 "$CTL" due --from 2026-01-01 --to 2027-12-31) || fail "due in French"
[[ ${out%%$'\n'*} == *SALARIÉ* ]] || fail "a French locale gives French headers: $out"
# people by name with their id: M1 is hired with a name
echo '{"event_id":"nm1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2015-01-05","entity":"ACME-FR","first_name":"Marie","last_name":"Martin"}' |
  "$CTL" ingest - >/dev/null 2>&1 || fail "hire M1"
"$CTL" due --from 2026-01-01 --to 2027-12-31 | grep "Marie Martin (M1)" >/dev/null || fail "the manager by name: $("$CTL" due --from 2026-01-01 --to 2027-12-31 | head -3)"
"$CTL" --json due --from 2026-01-01 --to 2027-12-31 | jq -e '[.[] | select(.manager_id == "M1")][0].manager_last_name == "Martin"' >/dev/null ||
  fail "manager_last_name in due --json"
out=$(LC_ALL=C ENTRETIENS_LANG= "$CTL" obligations --employee X1) || fail "obligations in C"
[[ ${out%%$'\n'*} == *DUE* ]] || fail "the C locale speaks English: $out"
"$CTL" --lang fr --json obligations --employee X1 >"$IT_DIR/x1fr.json" || fail "obligations --json --lang fr"
/usr/bin/python3 - "$IT_DIR/x1.json" "$IT_DIR/x1fr.json" <<'PY' || fail "--json in French: same keys and values, French reasons"
import json, sys
en, fr = (json.load(open(p)) for p in sys.argv[1:])
assert len(en) == len(fr)
for a, b in zip(en, fr):
    assert set(a) == set(b), (set(a) ^ set(b))
    for k in a:
        if k != "reason":
            assert a[k] == b[k], (k, a[k], b[k])
    assert a["reason"] != b["reason"] and "au plus tard le" in b["reason"], b["reason"]
PY
"$CTL" --lang de obligations --employee X1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--lang de is a usage error"

kill -TERM $PID; wait $PID
echo "hire, trial, overdue, leaving, campaign and disciplinary deadlines as the law says"
