# An interview's whole life through real daemons (scheduler + records) and
# the CLI: created from a hire, scheduled, prepared privately by both
# parties, shared, held (the scheduler counts the obligation as met), report
# written, signed by the employee (with a reservation) and the manager,
# closed and frozen; confidentiality at every step; refused transitions name
# the state; HR reopens; an ad-hoc corrective interview; templates.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
# a machine's key (no relation to anyone's interviews, may not assert)
"$CTL" keys add "$ENTRETIENS_KEYS_DIR" batch --principal service:batch >/dev/null || fail "keys add"
export ENTRETIENS_NOW=2026-03-02
start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg records "$BIN/entretiens-records"; REC=$LAST_PID
wait_ready scheduler; wait_ready records

cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"D1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1970-01-01","category":"cadre","first_name":"Denise","last_name":"Director"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"D1","locale":"fr","birth_date":"1980-05-01","category":"cadre","first_name":"Marie","last_name":"Manager"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2025-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1995-02-01","category":"cadre","first_name":"Jean","last_name":"Dupont"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2025-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"en","birth_date":"1990-02-01","category":"cadre","first_name":"Ann","last_name":"Smith"}
{"event_id":"h4","source":"hris","type":"hired","employee_id":"X1","effective_date":"2024-01-08","entity":"ACME-LAB","department":"rd","region":"metropole","manager_id":"M9","locale":"fr","birth_date":"1990-02-01","category":"cadre","first_name":"Xavier","last_name":"Lab"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
C() { "$CTL" "$@"; }
q() { grep "$@" >/dev/null; } # reads all its input (grep -q would SIGPIPE the writer under pipefail)
J() { python3 -c "import json,sys; d=json.load(sys.stdin); print(($1))"; }
# E1's professional interview, created from the scheduler's obligation
for i in $(seq 1 50); do
  IV=$(C --as employee:E1 --json interview list --type professional 2>/dev/null | J 'd["interviews"][0]["id"] if d["interviews"] else ""')
  [ -n "$IV" ] && break; sleep 0.1
done
[ -n "$IV" ] || fail "no professional interview for E1"
C --as employee:E1 --json interview show "$IV" >"$IT_DIR/iv.json" || fail "show"
[ "$(J 'd["obligation_id"]' <"$IT_DIR/iv.json")" = "E1/professional/2025-09-01" ] || fail "obligation: $(grep obligation_id "$IT_DIR/iv.json")"
[ "$(J 'd["manager_id"], d["template"]["id"], d["status"]' <"$IT_DIR/iv.json")" = "('M1', 'professional.fr', 'planned')" ] ||
  fail "interviewer, template, status: $(J 'd["manager_id"], d["template"]["id"], d["status"]' <"$IT_DIR/iv.json")"
C --as employee:E2 --json interview list --type professional | q '"ann\|"id": "IV' || fail "E2 has hers"
E2IV=$(C --as employee:E2 --json interview list --type professional | J 'd["interviews"][0]["id"]')
C --as employee:E2 --json interview show "$E2IV" | q '"id": "professional.en"' || fail "E2 (locale en) uses the English template"

expect_fail() { # code what cmd...
  local code=$1 what=$2; shift 2
  if "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"; then fail "$what: should be refused"; fi
  grep -q "$code" "$IT_DIR/err" || fail "$what: expected $code, got: $(cat "$IT_DIR/err")"
}
# who may see what
expect_fail PERMISSION_DENIED "a service's key" env ENTRETIENS_CLIENT_KEY=batch "$CTL" interview show "$IV"
expect_fail PERMISSION_DENIED "a service's key acting for the employee" \
  env ENTRETIENS_CLIENT_KEY=batch "$CTL" --as employee:E1 interview show "$IV"
expect_fail PERMISSION_DENIED "an unknown role" C --as boss:E1 interview show "$IV"
expect_fail PERMISSION_DENIED "an unknown employee" C --as employee:NOBODY interview show "$IV"
expect_fail PERMISSION_DENIED "a colleague" C --as employee:E2 interview show "$IV"
expect_fail PERMISSION_DENIED "another manager" C --as manager:X1 interview show "$IV"
expect_fail PERMISSION_DENIED "HR without a grant" C --as hr:alice interview show "$IV"
expect_fail PERMISSION_DENIED "an employee listing another's" C --as employee:E1 interview list --employee E2
expect_fail PERMISSION_DENIED "a grant by non-admin" C --as hr:alice access grant hr:alice --entity '*'
C --as admin:root access grant hr:alice --entity ACME-FR >/dev/null || fail "grant alice"
C --as admin:root access grant hr:carol --entity ACME-FR --content >/dev/null || fail "grant carol"
C --as admin:root access grant hr:lab --entity ACME-LAB --content >/dev/null || fail "grant lab"
C --as admin:root --json access list | q '"hr:carol"' || fail "access list"
expect_fail PERMISSION_DENIED "HR of another entity" C --as hr:lab interview show "$IV"

# lifecycle refusals name the state
expect_fail FAILED_PRECONDITION "hold before scheduling" C --as manager:M1 interview hold "$IV"
grep -q "is planned" "$IT_DIR/err" || fail "the state is in the message: $(cat "$IT_DIR/err")"
echo "{}" >"$IT_DIR/empty.json"
# preparing before the meeting is set is allowed (it stays planned); sharing is not
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/empty.json" >/dev/null || fail "prepare before scheduling"
C --as employee:E1 --json interview show "$IV" | jq -e '.status == "planned"' >/dev/null || fail "preparing moved the state"
expect_fail FAILED_PRECONDITION "share before scheduling" C --as employee:E1 interview share "$IV"
expect_fail PERMISSION_DENIED "the employee schedules" C --as employee:E1 interview schedule "$IV" --at 2026-03-10T09:30
C --as manager:M1 interview schedule "$IV" --at 2026-03-10T09:00 --duration 90 --video https://visio.example/abc >/dev/null || fail "schedule"
# moved without --duration: the 90 minutes stay
C --as manager:M1 interview schedule "$IV" --at 2026-03-10T09:30 --video https://visio.example/abc >/dev/null || fail "reschedule"
C --as manager:M1 --json interview show "$IV" | jq -e '.schedule.duration_min == 90' >/dev/null ||
  fail "a move without --duration changed it: $(C --as manager:M1 --json interview show "$IV" | jq -c .schedule)"

# private preparation
cat >"$IT_DIR/emp.json" <<'JSON'
{"skills_acquired": "Prospection grands comptes, CRM Salesforce",
 "career_path": "Commercial junior depuis septembre 2025",
 "mobility_wish": {"kind": "internal_new_job", "horizon": "2_years"},
 "training_needs": [{"theme": "Négociation", "priority": "high", "modality": "classroom"}],
 "cpf_project": "Anglais des affaires"}
JSON
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/emp.json" >/dev/null || fail "employee answers"
C --as manager:M1 --json interview show "$IV" >"$IT_DIR/m.json"
[ "$(J 'd["answers"]["employee"]' <"$IT_DIR/m.json")" = None ] || fail "the manager sees the employee's unshared preparation"
J '"employee_preparation" in d["withheld"] and d["status"] == "preparation"' <"$IT_DIR/m.json" | q True || fail "withheld / preparation"
cat >"$IT_DIR/mgr.json" <<'JSON'
{"answers": {"skills_observed": "Très bon relationnel client", "cpf_informed": true, "cep_informed": true},
 "notes": "Penser au budget formation (confidentiel)"}
JSON
C --as manager:M1 interview answer "$IV" --file "$IT_DIR/mgr.json" >/dev/null 2>"$IT_DIR/mgr.err" || fail "manager answers"
[ -s "$IT_DIR/mgr.err" ] && fail "a warning for plain professional text: $(cat "$IT_DIR/mgr.err")"
# free text that seems to hold health data is saved, with a warning naming the field (CNIL)
echo '{"answers": {}, "notes": "Absent deux mois pour une dépression, à ménager"}' >"$IT_DIR/health.json"
C --as manager:M1 --json interview answer "$IV" --file "$IT_DIR/health.json" >"$IT_DIR/health.out" 2>"$IT_DIR/health.err" ||
  fail "sensitive notes are refused instead of warned: $(cat "$IT_DIR/health.err")"
grep -q "warning: notes: seems to hold health data" "$IT_DIR/health.err" || fail "no warning on stderr: $(cat "$IT_DIR/health.err")"
J 'len(d["warnings"]) == 1 and d["warnings"][0].startswith("notes:")' <"$IT_DIR/health.out" | q True || fail "no warning in --json"
grep -q "dépression" "$IT_DIR/records.log" && fail "the sensitive text reached the log"
C --as manager:M1 --json interview show "$IV" | J 'd["manager_notes"]' | q "dépression" || fail "the notes were not saved"
echo '{"answers": {}, "notes": "Penser au budget formation (confidentiel)"}' >"$IT_DIR/mgr2.json"
C --as manager:M1 interview answer "$IV" --file "$IT_DIR/mgr2.json" >/dev/null || fail "notes rewritten"
# who read what: every read of content is recorded, shown to the employee,
# HR with the content permission and administrators, and to nobody else
C --as manager:M1 interview show "$IV" >/dev/null || fail "the manager reads"
C --as hr:alice interview show "$IV" >/dev/null || fail "HR without content reads the progress"
C --as employee:E1 --json interview reads "$IV" >"$IT_DIR/reads.json" || fail "the employee's reads"
J 'any(r["principal"] == "manager:M1" and "manager_notes" in r["what"] for r in d)' <"$IT_DIR/reads.json" | q True ||
  fail "the manager's read of her notes is not recorded: $(cat "$IT_DIR/reads.json")"
J 'all(r["principal"] != "hr:alice" for r in d)' <"$IT_DIR/reads.json" | q True || fail "a progress-only view was recorded as a read of content"
C --as admin:root --json interview reads "$IV" | J 'len(d) >= 1' | q True || fail "the administrator (DPO) sees the reads"
expect_fail PERMISSION_DENIED "the interviewer listing who read" C --as manager:M1 interview reads "$IV"
expect_fail PERMISSION_DENIED "HR without the content permission listing who read" C --as hr:alice interview reads "$IV"
expect_fail PERMISSION_DENIED "a colleague listing who read" C --as employee:E2 interview reads "$IV"
C --as employee:E1 --json interview show "$IV" >"$IT_DIR/e.json"
[ "$(J 'd["manager_notes"]' <"$IT_DIR/e.json")" = None ] || fail "the employee sees the manager's notes"
[ "$(J 'd["answers"]["manager"]' <"$IT_DIR/e.json")" = None ] || fail "the employee sees the manager's unshared preparation"
C --as employee:E1 --json interview show "$IV" | q "Penser au budget" && fail "notes leak to the employee"
# answer validation names the field
echo '{"mobility_wish": {"kind": "moon"}}' >"$IT_DIR/bad.json"
expect_fail INVALID_ARGUMENT "a bad value" C --as employee:E1 interview answer "$IV" --file "$IT_DIR/bad.json"
grep -q "answers.mobility_wish.kind" "$IT_DIR/err" || fail "field named: $(cat "$IT_DIR/err")"
echo '{"nope": 1}' >"$IT_DIR/bad.json"
expect_fail INVALID_ARGUMENT "an unknown question" C --as employee:E1 interview answer "$IV" --file "$IT_DIR/bad.json"
grep -q "answers.nope" "$IT_DIR/err" || fail "field named: $(cat "$IT_DIR/err")"
echo '{"cpf_informed": false}' >"$IT_DIR/bad.json"
expect_fail PERMISSION_DENIED "the employee answers the manager's question" C --as employee:E1 interview answer "$IV" --file "$IT_DIR/bad.json"
echo '{"skills_acquired": null}' >"$IT_DIR/rm.json"
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/rm.json" >/dev/null || fail "remove an answer"
expect_fail INVALID_ARGUMENT "sharing without a required answer" C --as employee:E1 interview share "$IV"
grep -q "answers.skills_acquired" "$IT_DIR/err" || fail "missing answer named: $(cat "$IT_DIR/err")"
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/emp.json" --submit >/dev/null || fail "employee submits"
expect_fail FAILED_PRECONDITION "sharing twice" C --as employee:E1 interview share "$IV"
C --as manager:M1 --json interview show "$IV" | J 'd["answers"]["employee"]["cpf_project"]' | q "Anglais" || fail "shared preparation visible"
C --as manager:M1 interview share "$IV" >/dev/null || fail "manager shares"
C --as employee:E1 --json interview show "$IV" | J 'd["status"], d["answers"]["manager"]["skills_observed"]' | q "'shared', 'Très bon" || fail "both shared"
# HR: progress only, or content with the permission; never the private notes
C --as hr:alice --json interview show "$IV" >"$IT_DIR/h.json" || fail "HR progress"
J 'd["answers"]["employee"] is None and d["answers"]["manager"] is None and "content" in d["withheld"]' <"$IT_DIR/h.json" | q True || fail "HR without content sees answers"
C --as hr:carol --json interview show "$IV" >"$IT_DIR/h2.json" || fail "HR content"
J 'd["answers"]["employee"]["cpf_project"], d["manager_notes"]' <"$IT_DIR/h2.json" | q "('Anglais des affaires', None)" || fail "HR with content: $(J 'd["answers"], d["manager_notes"]' <"$IT_DIR/h2.json")"
C --as manager:D1 --json interview show "$IV" >"$IT_DIR/d.json" || fail "the manager's manager sees it"
J 'd["relation"], d["manager_notes"]' <"$IT_DIR/d.json" | q "('line', None)" || fail "line manager: $(J 'd["relation"]' <"$IT_DIR/d.json")"
C --as manager:D1 --json interview list --manager M1 | q "\"$IV\"" || fail "D1 lists M1's interviews"
C --as manager:D1 --json interview list --manager D1 --tree | q "\"$IV\"" || fail "D1's tree holds E1's interview"
expect_fail PERMISSION_DENIED "M1 lists D1's" C --as manager:M1 interview list --manager D1

# held: the scheduler counts the obligation as met
expect_fail PERMISSION_DENIED "the employee holds" C --as employee:E1 interview hold "$IV"
C --as manager:M1 interview hold "$IV" >/dev/null || fail "hold"
for i in $(seq 1 50); do
  C --json obligations --employee E1 | python3 -c '
import json,sys
o=[x for x in json.load(sys.stdin) if x["obligation_id"]=="E1/professional/2025-09-01"]
sys.exit(0 if o and o[0]["status"]=="met" and o[0].get("met_on")=="2026-03-02" else 1)' && break
  sleep 0.1
done || fail "the scheduler did not count the held interview"
# the next professional interview's window opens tomorrow: holding it today
# would not count, and is refused with the date
for i in $(seq 1 50); do
  NEXT=$(C --as employee:E1 --json interview list --type professional | jq -r --arg iv "$IV" '[.interviews[] | select(.id != $iv and .status == "planned")][0].id // empty')
  [ -n "$NEXT" ] && break; sleep 0.1
done
[ -n "$NEXT" ] || fail "no next professional interview for E1"
C --as manager:M1 --json interview show "$NEXT" | jq -e '.window_start == "2026-03-03"' >/dev/null ||
  fail "the next interview's window: $(C --as manager:M1 --json interview show "$NEXT" | jq -c '.window_start')"
C --as manager:M1 interview schedule "$NEXT" --at 2026-03-02T15:00 >/dev/null || fail "schedule the next one"
expect_fail FAILED_PRECONDITION "holding before the window opens" C --as manager:M1 interview hold "$NEXT"
grep -q "opens on 2026-03-03" "$IT_DIR/err" || fail "the window date is not said: $(cat "$IT_DIR/err")"
# report: required answers of the interviewer first
expect_fail INVALID_ARGUMENT "a report without the summary" C --as manager:M1 interview report "$IV"
grep -q "answers.manager_summary" "$IT_DIR/err" || fail "summary named: $(cat "$IT_DIR/err")"
cat >"$IT_DIR/report.json" <<'JSON'
{"manager_summary": "Entretien constructif ; projet de mobilité à préparer.",
 "action_items": [{"title": "Inscription formation négociation", "owner": "M1", "due_date": "2026-06-30"}]}
JSON
C --as manager:M1 interview answer "$IV" --file "$IT_DIR/report.json" --submit >/dev/null || fail "report"
expect_fail FAILED_PRECONDITION "the employee amends the report" C --as employee:E1 interview answer "$IV" --file "$IT_DIR/emp.json"
grep -q "comment questions only" "$IT_DIR/err" || fail "why: $(cat "$IT_DIR/err")"
# ... but the employee's comment stays open until the signatures
echo '{"employee_comment": "D accord avec la synthèse."}' >"$IT_DIR/comment.json"
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/comment.json" >/dev/null || fail "the employee's comment after the report: $(cat "$IT_DIR/err")"
C --as manager:M1 --json interview show "$IV" | jq -e '.answers.employee.employee_comment == "D accord avec la synthèse."' >/dev/null ||
  fail "the interviewer does not read the comment"
# signatures, employee first with a reservation
C --as employee:E1 interview sign "$IV" --comment "Je souhaite un suivi de ma demande de formation." >/dev/null || fail "employee signs"
expect_fail FAILED_PRECONDITION "signing twice" C --as employee:E1 interview sign "$IV"
grep -q "signed_employee" "$IT_DIR/err" || fail "state named: $(cat "$IT_DIR/err")"
# a signed interview cannot be edited, by anyone
expect_fail FAILED_PRECONDITION "the manager edits after a signature" C --as manager:M1 interview answer "$IV" --file "$IT_DIR/report.json"
expect_fail FAILED_PRECONDITION "the employee edits after a signature" C --as employee:E1 interview answer "$IV" --file "$IT_DIR/emp.json"
C --as manager:M1 interview sign "$IV" >/dev/null || fail "manager signs"
C --as employee:E1 --json interview show "$IV" >"$IT_DIR/closed.json"
J 'd["status"], d["signatures"]["employee"]["digest"] == d["signatures"]["manager"]["digest"] == d["report_digest"], d["signatures"]["employee"]["comment"] is not None' \
  <"$IT_DIR/closed.json" | q "('closed', True, True)" || fail "closed with matching digests: $(J 'd["status"], d["signatures"]' <"$IT_DIR/closed.json")"
expect_fail FAILED_PRECONDITION "editing a closed interview" C --as manager:M1 interview answer "$IV" --file "$IT_DIR/report.json"
expect_fail FAILED_PRECONDITION "cancelling a closed interview" C --as hr:alice interview cancel "$IV" --reason "test"
C --as employee:E1 --json interview history "$IV" | J '[r["action"] for r in d]' >"$IT_DIR/actions"
grep -q "'create', 'answer', 'schedule', 'schedule', 'answer', 'answer', 'answer'" "$IT_DIR/actions" && grep -q "'hold', 'answer+report', 'answer', 'sign', 'sign'" "$IT_DIR/actions" ||
  fail "audit trail: $(cat "$IT_DIR/actions")"
C --as employee:E1 --json interview history "$IV" | q "Penser au budget\|Prospection" && fail "the audit trail holds content"

# the next professional interview carries the action item
for i in $(seq 1 50); do
  NEXT=$(C --as employee:E1 --json interview list --type professional | jq -r --arg iv "$IV" '[.interviews[] | select(.id != $iv and .status != "cancelled")][0].id // empty')
  [ -n "$NEXT" ] && break; sleep 0.1
done
[ -n "$NEXT" ] || fail "no next professional interview after the held one"
C --as employee:E1 --json interview show "$NEXT" | J 'd["carried"]["from"], d["carried"]["action_items"][0]["title"]' |
  grep -q "('$IV', 'Inscription formation négociation')" || fail "action items carried: $(C --as employee:E1 --json interview show "$NEXT" | J 'd["carried"]')"

# HR reopens with a reason; new signatures are needed
expect_fail PERMISSION_DENIED "the manager reopens" C --as manager:M1 interview reopen "$IV" --reason "typo"
expect_fail INVALID_ARGUMENT "reopening without a reason" C --as hr:alice interview reopen "$IV" --reason ""
C --as hr:alice interview reopen "$IV" --reason "Erreur dans la synthèse signalée par le salarié" >/dev/null || fail "reopen"
C --as employee:E1 --json interview show "$IV" | J 'd["status"], d["reopen_count"], d["signatures"]' | q "('held', 1, {'employee': None, 'manager': None})" ||
  fail "reopened: $(C --as employee:E1 --json interview show "$IV" | J 'd["status"], d["reopen_count"]')"
C --as manager:M1 interview report "$IV" >/dev/null || fail "report again"
C --as manager:M1 interview sign "$IV" >/dev/null && C --as employee:E1 interview sign "$IV" >/dev/null || fail "signed again"

# reassignment by HR, audited with its reason
E2IV=$(C --as employee:E2 --json interview list --type professional | J 'd["interviews"][0]["id"]')
expect_fail INVALID_ARGUMENT "reassign without a reason" C --as hr:alice interview reassign "$E2IV" --to D1 --reason ""
C --as hr:alice interview reassign "$E2IV" --to D1 --reason "M1 en congé" >/dev/null || fail "reassign"
C --as manager:D1 --json interview show "$E2IV" | J 'd["relation"], d["manager_id"], d["reassigned"]' | q "('interviewer', 'D1', True)" || fail "reassigned"
C --as employee:E2 --json interview history "$E2IV" | q '"reassign"' || fail "reassignment audited"

# HR steps an interview back one milestone (with a reason), never across the meeting
expect_fail FAILED_PRECONDITION "stepping back a planned interview" C --as hr:alice interview step-back "$E2IV" --reason "x"
grep -q "no earlier step" "$IT_DIR/err" || fail "why: $(cat "$IT_DIR/err")"
C --as manager:D1 interview schedule "$E2IV" --at 2026-03-20T10:00 --place "Salle 3" >/dev/null || fail "D1 schedules"
expect_fail PERMISSION_DENIED "the interviewer steps back" C --as manager:D1 interview step-back "$E2IV" --reason "x"
expect_fail INVALID_ARGUMENT "a step back without a reason" C --as hr:alice interview step-back "$E2IV" --reason ""
C --as hr:alice --json interview step-back "$E2IV" --reason "Rendez-vous fixé par erreur" >/dev/null || fail "step back"
C --as manager:D1 --json interview show "$E2IV" | J 'd["status"], d["schedule"]' | q "('planned', None)" ||
  fail "stepped back: $(C --as manager:D1 --json interview show "$E2IV" | J 'd["status"], d["schedule"]')"
C --as employee:E2 --json interview history "$E2IV" | J '[r["action"] for r in d][-1]' | q "step_back" || fail "step back audited"
expect_fail FAILED_PRECONDITION "stepping back a signed interview" C --as hr:alice interview step-back "$IV" --reason "x"
grep -q "reopened, not stepped back" "$IT_DIR/err" || fail "why: $(cat "$IT_DIR/err")"
# HR moves a deadline by hand: not in the past, not after the law's date
LEGAL=$(C --as hr:alice --json interview show "$E2IV" | J 'd["due_date"]')
[ "$(C --as hr:alice --json interview show "$E2IV" | J 'd["legal_due_date"], d["due_moved"]')" = "('$LEGAL', False)" ] ||
  fail "the law's date: $(C --as hr:alice --json interview show "$E2IV" | J 'd["legal_due_date"], d["due_moved"]')"
expect_fail PERMISSION_DENIED "the interviewer moves the deadline" C --as manager:D1 interview move-due "$E2IV" --to 2026-05-15 --reason "x"
expect_fail INVALID_ARGUMENT "a deadline in the past" C --as hr:alice interview move-due "$E2IV" --to 2026-01-15 --reason "x"
expect_fail INVALID_ARGUMENT "a move without a reason" C --as hr:alice interview move-due "$E2IV" --to 2026-05-15 --reason ""
expect_fail FAILED_PRECONDITION "a deadline after the law's" C --as hr:alice interview move-due "$E2IV" --to 2031-01-15 --reason "x"
grep -q "due by $LEGAL" "$IT_DIR/err" || fail "the law's date is said: $(cat "$IT_DIR/err")"
C --as hr:alice interview move-due "$E2IV" --to 2026-05-15 --reason "Campagne de printemps" >/dev/null || fail "move due"
C --as employee:E2 --json interview show "$E2IV" | J 'd["due_date"], d["due_moved"], d["legal_due_date"]' | q "('2026-05-15', True, '$LEGAL')" ||
  fail "moved: $(C --as employee:E2 --json interview show "$E2IV" | J 'd["due_date"], d["due_moved"], d["legal_due_date"]')"
C --as hr:alice --json interview list --employee E2 --due-before 2026-05-31 | q "$E2IV" || fail "the due index follows the moved date"
expect_fail FAILED_PRECONDITION "moving a held interview's deadline" C --as hr:alice interview move-due "$IV" --to 2026-05-15 --reason "x"

# ad hoc: a manager opens a corrective interview; the employee cannot
expect_fail PERMISSION_DENIED "an employee opens an interview" C --as employee:E2 interview create --employee E2 --type corrective
C --as manager:M1 --json interview create --employee E2 --type corrective --title "Retards répétés" >"$IT_DIR/corr.json" || fail "create corrective"
CORR=$(J 'd["id"]' <"$IT_DIR/corr.json")
J 'd["obligation_id"], d["template"]["id"], d["status"]' <"$IT_DIR/corr.json" | q "(None, 'corrective.en', 'planned')" || fail "corrective: $(cat "$IT_DIR/corr.json")"
expect_fail INVALID_ARGUMENT "a medical visit is not an interview" C --as hr:alice interview create --employee E2 --type return_medical_visit
C --as manager:M1 interview cancel "$CORR" --reason "Réglé à l'amiable" >/dev/null || fail "the manager cancels an ad-hoc interview"
expect_fail PERMISSION_DENIED "the manager cancels a legal interview" C --as manager:M1 interview cancel "$NEXT" --reason "no"

# templates: list, show, a changed document is a new version, a bad one is refused
C --as hr:alice --json template list | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) == 24, len(d)' || fail "24 default templates"
C --as hr:alice template show professional.fr | q "cpf_cep" || fail "template show"
C --as hr:alice --json template show corrective.fr | J 'd["document"]' >/dev/null || fail "template show --json"
C --as hr:alice --json template show corrective.fr | python3 -c '
import json,sys; d=json.load(sys.stdin)["document"]; d["title"]="Entretien de recadrage (ACME)"; d["entity"]="ACME-FR"; json.dump(d, open(sys.argv[1],"w"))' "$IT_DIR/corr-acme.json"
C --as hr:alice --json template import "$IT_DIR/corr-acme.json" | q '"new_version"' || fail "a changed document is a new version"
C --as hr:alice --json template import "$IT_DIR/corr-acme.json" | q '"unchanged"' || fail "the same document is unchanged"
C --as manager:M1 --json interview create --employee E1 --type corrective | J 'd["template"]' | q "'corrective.fr', 'version': 2" || fail "the entity's template version is used"
# each version counts the interviews created on it (E2's corrective was on v1, cancelled since)
C --as hr:alice --json template show corrective.fr --version 2 | J 'd["interviews"]' | q -x 1 || fail "v2's interviews: $(C --as hr:alice --json template show corrective.fr --version 2 | J 'd["interviews"]')"
C --as hr:alice --json template list --all | J '[t["interviews"] for t in d if t["id"] == "corrective.en"]' | q -x "\[1\]" ||
  fail "corrective.en's interviews: $(C --as hr:alice --json template list --all | J '[(t["id"], t["version"], t["interviews"]) for t in d if t["id"].startswith("corrective")]')"
echo '{"id":"bad","type":"professional","locale":"fr","title":"x","sections":[{"id":"s","title":"S","questions":[{"id":"q","kind":"rating","label":"L","who":"manager","scale":{"min":1,"max":2,"levels":[{"value":1,"label":"a"},{"value":2,"label":"b"}]}}]}]}' >"$IT_DIR/bad-t.json"
C --as hr:alice template import "$IT_DIR/bad-t.json" >"$IT_DIR/out" 2>&1 && fail "a rating in a professional template must be refused"
grep -q "rejected" "$IT_DIR/out" && grep -q "not an evaluation" "$IT_DIR/out" || fail "rejected: $(cat "$IT_DIR/out")"
expect_fail PERMISSION_DENIED "an employee imports a template" C --as employee:E1 template import "$IT_DIR/corr-acme.json"

out=$(C --as admin:root audit verify) || fail "audit verify: $out"
echo "$out" | q "intact" || fail "$out"
expect_fail PERMISSION_DENIED "a manager verifies the whole trail" C --as manager:M1 audit verify
C --as employee:E1 audit verify --interview "$IV" >/dev/null || fail "the employee verifies their interview's chain"
kill -TERM $REC $SCHED; wait $REC; wait $SCHED
echo "schedule -> prepare -> share -> hold (met) -> report -> sign x2 -> closed, frozen, reopened; confidentiality and templates"
