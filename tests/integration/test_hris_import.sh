# The input HR really has (issue 11), through a real scheduler with a
# policy: a French HRIS export saved by Excel (Windows-1252, ';', CRLF,
# French headers, dd/mm/yyyy, CDI/CDD/Apprentissage, Cadre/Non-cadre/ETAM,
# an extra column ignored through --map, managers listed after their teams)
# is imported whole and its employees owe their interviews; a bad export is
# refused whole, every problem named by line, column as in the file and as
# mapped, and reason, with the right counts; and the typos that used to
# pass — an unknown entity, an update of someone never hired, a hire in
# 2200, a leave in 1900, a child hired — are rejected with field and
# reason, kept as dead letters, logged without their values and change
# nothing, while an unknown manager is a warning on an accepted event.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records # records is not started: the scheduler is alive, not ready
export ENTRETIENS_NOW=2026-11-26
start_bg scheduler "$BIN/entretiens-scheduler"
wait_alive scheduler
N=1500; [ "$IT_SCALE" = small ] && N=1200 # more than one batch of 1,000 rows
PY=/usr/bin/python3
C() { "$CTL" "$@"; }
J() { $PY -c "import json,sys; d=json.load(sys.stdin); print(($1))"; }
cat >"$IT_DIR/policy.json" <<'JSON'
{"entities": [{"id": "ACME-FR", "headcount": 1200, "region": "metropole"},
              {"id": "ACME-AL", "headcount": 300, "region": "alsace_moselle"}]}
JSON
C policy apply "$IT_DIR/policy.json" >/dev/null || fail "policy apply"

# ------------------------------------------------- a French export, whole
# E0002..E<N> report to M0001, who is on the last line (a later batch than
# most of her team); E0007 reports to X999, whom nobody hired
$PY - "$N" "$IT_DIR/export.csv" <<'PY'
import csv, datetime, sys
n, path = int(sys.argv[1]), sys.argv[2]
fr = lambda d: d.strftime('%d/%m/%Y')
start = datetime.date(2024, 6, 3)
rows = []
for i in range(2, n + 1):
    hired = start + datetime.timedelta(days=(i * 7) % 800)
    kind = ['CDI', 'CDI', 'CDI', 'CDD', 'Apprentissage', 'Contrat de professionnalisation'][i % 6]
    end = '' if kind == 'CDI' else fr(hired + datetime.timedelta(days=365 if kind != 'Apprentissage' else 730))
    status = ['Cadre', 'Non-cadre', 'ETAM', 'Agent de maîtrise', 'Employé', 'Technicien'][i % 6]
    rows.append(['E%04d' % i, 'Müller-Lefèvre', 'Zoé' if i % 2 else 'Loïc', 'e%d@acme.example' % i,
                 'ACME-FR' if i % 5 else 'ACME-AL', 'Ventes & Marketing', 'Lyon – Part-Dieu',
                 'X999' if i == 7 else 'M0001', fr(hired), fr(hired - datetime.timedelta(days=9000 + i)), status,
                 kind, end, '%d mois' % (i % 4) if i % 3 else '', 'Français' if i % 4 else 'anglais', 'Chargée d’études'])
rows.append(['M0001', 'Dupré', 'Jeanne', 'jeanne@acme.example', 'ACME-FR', 'Direction', 'Paris', '',
             '05/01/2015', '02/03/1970', 'Cadre', 'CDI', '', '4', 'Français', 'Directrice'])
with open(path, 'w', newline='', encoding='cp1252') as f:   # what Excel writes as French CSV
    w = csv.writer(f, delimiter=';', lineterminator='\r\n')
    w.writerow(['Matricule', 'Nom', 'Prénom', 'Courriel', 'Société', 'Service', 'Établissement',
                'Responsable (matricule)', "Date d'entrée", 'Date de naissance', 'Statut', 'Type de contrat',
                'Date de fin de contrat', "Période d'essai (mois)", 'Langue', 'Poste'])
    w.writerows(rows)
PY
$PY -c "open('$IT_DIR/export.csv', encoding='utf-8').read()" 2>/dev/null && fail "the export must not be UTF-8"
printf '# our export: the job title is not ours to keep\nPoste = -\n' >"$IT_DIR/export.map"

# without the map: the header is refused, the rows counted, nothing sent
C import employees "$IT_DIR/export.csv" >"$IT_DIR/nomap.out" 2>&1; rc=$?
[ $rc = 1 ] || fail "an unknown header: exit $rc: $(cat "$IT_DIR/nomap.out")"
grep -qF "refused $IT_DIR/export.csv: the header row is refused, so none of the $N rows was read (1 problem); nothing was sent" \
  "$IT_DIR/nomap.out" || fail "unknown header: $(cat "$IT_DIR/nomap.out")"
grep -qF "line 1: header: unknown column 'Poste' (field 16)" "$IT_DIR/nomap.out" || fail "unknown header: $(cat "$IT_DIR/nomap.out")"
grep -qF "'Poste = -' to ignore it" "$IT_DIR/nomap.out" || fail "the way out: $(cat "$IT_DIR/nomap.out")"
C employee show E0002 >/dev/null 2>&1 && fail "a refused file was sent"

C import employees --map "$IT_DIR/export.map" "$IT_DIR/export.csv" --json >"$IT_DIR/imp.json" 2>"$IT_DIR/imp.err" ||
  fail "import: $(cat "$IT_DIR/imp.json" "$IT_DIR/imp.err")"
[ "$(J 'd["rows"], d["sent"], d["accepted"], d["duplicates"], d["rejected"], d["errors"], d["encoding"]' <"$IT_DIR/imp.json")" = \
  "($N, $N, $N, 0, 0, [], 'windows-1252')" ] || fail "import: $(head -c 600 "$IT_DIR/imp.json")"
grep -q 'is not UTF-8: read as Windows-1252' "$IT_DIR/imp.err" || fail "the conversion must be said: $(cat "$IT_DIR/imp.err")"
[ "$(J '[(c["header"], c["column"]) for c in d["columns"]][7:10] + [d["columns"][15]["column"]]' <"$IT_DIR/imp.json")" = \
  "[('Responsable (matricule)', 'manager_id'), (\"Date d'entrée\", 'hire_date'), ('Date de naissance', 'birth_date'), '-']" ] ||
  fail "columns: $(J 'd["columns"]' <"$IT_DIR/imp.json")"
# one warning: X999; none for M0001, hired by the same file (a later batch)
[ "$(J '[(w["line"], w["employee_id"], w["field"], w["column"]) for w in d["warnings"]]' <"$IT_DIR/imp.json")" = \
  "[(7, 'E0007', 'manager_id', 'Responsable (matricule)')]" ] || fail "warnings: $(J 'd["warnings"]' <"$IT_DIR/imp.json")"
J 'd["warnings"][0]["reason"]' <"$IT_DIR/imp.json" | grep -q 'manager X999 is not hired yet' || fail "warning reason"
# the employees as HR meant them
C employee show E0010 --json >"$IT_DIR/e10.json" || fail "employee show E0010"
[ "$(J '(lambda e: (e["first_name"], e["last_name"], e["site"], e["contract"], e["category"], e["manager_id"], e["locale"], e["entity"]))(d["employee"])' <"$IT_DIR/e10.json")" = \
  "('Loïc', 'Müller-Lefèvre', 'Lyon – Part-Dieu', 'apprentice', 'ouvrier_employe', 'M0001', 'fr', 'ACME-AL')" ] ||
  fail "E0010: $(cat "$IT_DIR/e10.json")"
[ "$(J 'd["employee"]["hired_on"], d["employee"]["contract_end"], d["employee"]["trial_months"]' <"$IT_DIR/e10.json")" = \
  "('2024-08-12', '2026-08-12', 2)" ] || fail "E0010 dates: $(cat "$IT_DIR/e10.json")"
C employee show E0011 --json | J 'd["employee"]["contract"], d["employee"]["category"], d["employee"]["contract_end"]' |
  grep -qx "('fixed_term', 'maitrise_technicien', '2025-08-19')" || fail "E0011: $(C employee show E0011 --json)"
C employee show E0012 --json | J 'd["employee"]["contract"], d["employee"]["category"], d["employee"]["locale"]' |
  grep -qx "('permanent', 'cadre', 'en')" || fail "E0012: $(C employee show E0012 --json)"
C employee show M0001 --json | J 'd["employee"]["first_name"], d["employee"]["hired_on"]' | grep -qx "('Jeanne', '2015-01-05')" ||
  fail "M0001"
# and they owe their interviews
C obligations --employee E0010 --json >"$IT_DIR/o10.json" || fail "obligations E0010"
[ "$(J 'len(d)' <"$IT_DIR/o10.json")" -gt 0 ] || fail "E0010 owes nothing: $(cat "$IT_DIR/o10.json")"
C due --from 2024-01-01 --to 2030-12-31 --all --limit 50000 --json >"$IT_DIR/due.json" || fail "due"
[ "$(J 'len(set(o["employee_id"] for o in d))' <"$IT_DIR/due.json")" -ge $((N - 1)) ] ||
  fail "obligations for $(J 'len(set(o["employee_id"] for o in d))' <"$IT_DIR/due.json") of $N employees"
# again: duplicates only, and still no warning about M0001 (now hired)
C import employees "$IT_DIR/export.csv" --map "$IT_DIR/export.map" >"$IT_DIR/imp2.out" 2>"$IT_DIR/imp2.err" || fail "import again"
grep -qF "imported $IT_DIR/export.csv: $N rows, accepted 0, duplicate $N, rejected 0" "$IT_DIR/imp2.out" ||
  fail "again: $(cat "$IT_DIR/imp2.out")"
grep -q '^warning' "$IT_DIR/imp2.err" && fail "duplicates warn about nothing: $(cat "$IT_DIR/imp2.err")"
log "imported a Windows-1252 French export of $N rows"

# ------------------------------------------------- a bad export, refused whole
C due --from 1990-01-01 --to 2045-12-31 --all --limit 50000 --json >"$IT_DIR/before.json" || fail "due before"
$PY - "$IT_DIR/bad.csv" <<'PY'
import sys
rows = [
    "Matricule;Nom;Prénom;Courriel;Société;Service;Établissement;Responsable;Date d'embauche;Date de naissance;"
    "Catégorie;Type de contrat;Date de fin de contrat;Période d'essai",
    "B1;Petit;Ana;;ACME-FR;;;M0001;01/02/2026;;Cadre;CDI;;",              # 2: good
    "B2;Petit;Léa;;ACME-FR;;;M0001;01/02/2026;;Cadre;Intérim;;",          # 3: not an employee
    "B3;Petit;Jo;;ACME-XX;;;M0001;01/02/2026;;Cadre;CDI;;",               # 4: unknown entity
    "B4;Petit;Al;;ACME-FR;;;M0001;31/12/2200;;Cadre;CDI;;",               # 5: a hire in 2200
    "B5;Petit;Bo;;ACME-FR;;;M0001;05/01/27;;Cadre;CDI;;",                 # 6: two-digit year
    "B6;Petit;Cy;;ACME-FR;;;M0001;01/02/2026;01/02/2015;Cadre;Stage;;",   # 7: 11 years old, an internship
    "B7;Petit;Di;;acme-fr;;;M0001;01/02/2026;;Cadre;CDD;;",               # 8: not exact, no end date
]
open(sys.argv[1], 'w', encoding='utf-8-sig', newline='').write('\r\n'.join(rows) + '\r\n')
PY
C import employees "$IT_DIR/bad.csv" >"$IT_DIR/bad.out" 2>&1; rc=$?
[ $rc = 1 ] || fail "a bad export: exit $rc: $(cat "$IT_DIR/bad.out")"
for want in "refused $IT_DIR/bad.csv: 6 bad rows of 7 (8 problems); nothing was sent" \
  "line 3: employee B2: contract (Type de contrat): 'Intérim': a temp worker (intérim) is employed by the temping agency" \
  "line 4: employee B3: entity (Société): unknown entity 'ACME-XX': the scheduler's policy declares ACME-AL, ACME-FR" \
  "line 5: employee B4: hire_date (Date d'embauche): 2200-12-31 is more than 2 years after the scheduler's today (2026-11-26)" \
  "line 6: employee B5: hire_date (Date d'embauche): '05/01/27' has a two-digit year" \
  "line 7: employee B6: birth_date (Date de naissance): born 2015-02-01: 11 years old on the hire date 2026-02-01" \
  "line 7: employee B6: contract (Type de contrat): 'Stage': an internship (stage) is not a contract of employment" \
  "line 8: employee B7: entity (Société): unknown entity 'acme-fr': ids are exact, did you mean ACME-FR?" \
  "line 8: employee B7: contract_end (Date de fin de contrat): a fixed_term contract needs its end date"; do
  grep -qF "$want" "$IT_DIR/bad.out" || fail "bad export: '$want' missing from: $(cat "$IT_DIR/bad.out")"
done
C import employees "$IT_DIR/bad.csv" --json >"$IT_DIR/bad.json" 2>/dev/null
[ "$(J 'd["rows"], d["rejected"], d["sent"], d["errors_total"], d["encoding"], [(e["line"], e["field"], e["column"]) for e in d["errors"]][0:2]' <"$IT_DIR/bad.json")" = \
  "(7, 6, 0, 8, 'utf-8', [(3, 'contract', 'Type de contrat'), (4, 'entity', 'Société')])" ] || fail "bad --json: $(cat "$IT_DIR/bad.json")"
C employee show B1 >/dev/null 2>&1 && fail "the good row of a refused file was sent"
log "a bad export refused whole, every problem named"

# ------------------------------------------------- typos through ingest
# rejected with field and reason, dead letters, nothing changed
DL0=$(C deadletters --json | J 'len(d)')
cat >"$IT_DIR/typos.jsonl" <<'JSON'
{"event_id":"t1","source":"hris","type":"hired","employee_id":"T1","effective_date":"2026-03-02","entity":"ACME-XX","category":"cadre","first_name":"PiiMark7f3a"}
{"event_id":"t2","source":"hris","type":"updated","employee_id":"E9999","effective_date":"2026-03-02","department":"PiiMark7f3a"}
{"event_id":"t3","source":"hris","type":"hired","employee_id":"T3","effective_date":"2200-12-31","entity":"ACME-FR","category":"cadre"}
{"event_id":"t4","source":"hris","type":"leave_started","employee_id":"E0002","effective_date":"1900-05-01","leave_kind":"sick"}
{"event_id":"t5","source":"hris","type":"hired","employee_id":"T5","effective_date":"2026-03-02","entity":"ACME-FR","category":"cadre","birth_date":"2013-01-01"}
{"event_id":"t6","source":"hris","type":"position_changed","employee_id":"E999","effective_date":"2026-03-02","position":"PiiMark7f3a"}
{"event_id":"t7","source":"hris","type":"left","employee_id":"e0002","effective_date":"2026-03-02"}
JSON
C ingest "$IT_DIR/typos.jsonl" --json >"$IT_DIR/typos.json" 2>/dev/null; rc=$?
[ $rc = 1 ] || fail "typos: exit $rc: $(cat "$IT_DIR/typos.json")"
[ "$(J 'd["accepted"], d["rejected"], [(r["line"], r["field"]) for r in d["rejections"]], d["warnings"]' <"$IT_DIR/typos.json")" = \
  "(0, 7, [(1, 'entity'), (2, 'employee_id'), (3, 'effective_date'), (4, 'effective_date'), (5, 'birth_date'), (6, 'employee_id'), (7, 'employee_id')], [])" ] ||
  fail "typos: $(cat "$IT_DIR/typos.json")"
$PY - "$IT_DIR/typos.json" <<'PY' || fail "typo reasons: $(cat "$IT_DIR/typos.json")"
import json, sys
r = {x["event_id"]: x["reason"] for x in json.load(open(sys.argv[1]))["rejections"]}
assert "unknown entity 'ACME-XX'" in r["t1"], r
assert "employee E9999 has never been hired" in r["t2"] and "an updated event" in r["t2"], r
assert "2200-12-31 is more than 2 years after today (2026-11-26)" in r["t3"], r
assert "1900-05-01 is before 1950-01-01" in r["t4"], r
assert "less than 14 years" in r["t5"] and "2013" not in r["t5"], r
assert "never been hired" in r["t6"] and "never been hired" in r["t7"], r
PY
C due --from 1990-01-01 --to 2045-12-31 --all --limit 50000 --json >"$IT_DIR/after.json" || fail "due after"
cmp -s "$IT_DIR/before.json" "$IT_DIR/after.json" || fail "rejected typos changed the obligations: $(diff "$IT_DIR/before.json" "$IT_DIR/after.json" | head)"
for e in T1 E9999 T3 T5 E999 e0002; do
  C employee show $e >/dev/null 2>&1 && fail "a rejected typo created employee $e"
done
C employee show E0002 --json | J '[h["type"] for h in d["history"]]' | grep -qx "\['hired'\]" || fail "E0002's history changed"
C deadletters --json >"$IT_DIR/dl.json" || fail "deadletters"
# (sorted: events about someone not hired are judged after the rest of the batch)
[ "$(J 'sorted((l["event"]["event_id"], l["field"], l["outcome"]) for l in d['"$DL0"':])' <"$IT_DIR/dl.json")" = \
  "[('t1', 'entity', 'rejected'), ('t2', 'employee_id', 'rejected'), ('t3', 'effective_date', 'rejected'), ('t4', 'effective_date', 'rejected'), ('t5', 'birth_date', 'rejected'), ('t6', 'employee_id', 'rejected'), ('t7', 'employee_id', 'rejected')]" ] ||
  fail "dead letters: $(cat "$IT_DIR/dl.json")"
# an unknown manager: accepted, with a warning on stderr, status 0
echo '{"event_id":"w1","source":"hris","type":"hired","employee_id":"W1","effective_date":"2026-03-02","entity":"ACME-AL","category":"cadre","manager_id":"NOBODY"}' |
  C ingest - >"$IT_DIR/w1.out" 2>"$IT_DIR/w1.err" || fail "an unknown manager must not fail the ingest: $(cat "$IT_DIR/w1.out" "$IT_DIR/w1.err")"
grep -qx 'accepted 1, duplicate 0, rejected 0' "$IT_DIR/w1.out" || fail "w1: $(cat "$IT_DIR/w1.out")"
grep -q '^warning: line 1: event w1: manager_id: manager NOBODY is not hired yet' "$IT_DIR/w1.err" || fail "w1: $(cat "$IT_DIR/w1.err")"
C obligations --employee W1 >/dev/null || fail "W1 was not hired"
# a dead letter resubmitted after the fix (E9999's hire arrives): accepted, and out of the list;
# one resubmitted with nothing fixed is refused again under a new letter
T2=$(J '[l["id"] for l in d if l["event"]["event_id"] == "t2"][0]' <"$IT_DIR/dl.json")
T1=$(J '[l["id"] for l in d if l["event"]["event_id"] == "t1"][0]' <"$IT_DIR/dl.json")
echo '{"event_id":"h9999","source":"hris","type":"hired","employee_id":"E9999","effective_date":"2026-02-02","entity":"ACME-FR","category":"cadre"}' |
  C ingest - >/dev/null 2>&1 || fail "E9999's hire"
[ "$(C deadletters resubmit "$T2" --json | J 'd["outcome"]')" = accepted ] || fail "t2 resubmitted after the fix"
C employee show E9999 --json | J '[h["type"] for h in d["history"]]' | grep -qx "\['hired', 'updated'\]" || fail "t2 was not applied"
C deadletters resubmit "$T2" >"$IT_DIR/rs.out" 2>&1 && fail "a letter resubmitted twice"
grep -q NOT_FOUND "$IT_DIR/rs.out" || fail "twice: $(cat "$IT_DIR/rs.out")"
C deadletters resubmit "$T1" >"$IT_DIR/rs.out" 2>&1 && fail "t1 (nothing fixed) was accepted: $(cat "$IT_DIR/rs.out")"
grep -q "rejected again (entity: unknown entity 'ACME-XX'" "$IT_DIR/rs.out" || fail "t1 again: $(cat "$IT_DIR/rs.out")"
C deadletters --json | J 'sorted(l["event"]["event_id"] for l in d if l["event"]["event_id"] in ("t1", "t2"))' | grep -qx "\['t1'\]" ||
  fail "after the resubmissions: $(C deadletters --json | J '[(l["id"], l["event"]["event_id"]) for l in d]')"
log "dead letters resubmitted: applied after the fix, refused again without one"
# the log says which event, field and why, never the values
sleep 1.2
grep -q '"ingest.rejected".*event t2 from hris rejected: employee_id: the employee has never been hired' "$IT_DIR/scheduler.log" ||
  fail "no rejection logged: $(grep ingest "$IT_DIR/scheduler.log" | tail -n 3)"
grep -q '"ingest.warning".*event w1 from hris accepted with a warning: manager_id' "$IT_DIR/scheduler.log" || fail "no warning logged"
grep -qE 'PiiMark7f3a|ACME-XX|NOBODY|E9999|2200-12-31|1900-05-01' "$IT_DIR/scheduler.log" &&
  fail "a rejected value reached the log: $(grep -E 'PiiMark7f3a|ACME-XX|NOBODY|E9999|2200-12-31|1900-05-01' "$IT_DIR/scheduler.log" | head -n 3)"
if grep -lE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$IT_DIR"/*.out "$IT_DIR"/*.err >/dev/null 2>&1; then
  fail "sanitizer report from entretiensctl: $(grep -hE -A10 'Sanitizer|runtime error' "$IT_DIR"/*.out "$IT_DIR"/*.err | head -n 30)"
fi
echo "French export of $N rows imported (Windows-1252, aliases, map, dd/mm/yyyy, CDI/CDD); a bad one refused with its 8 problems; 7 typos rejected with field and reason and nothing changed; an unknown manager warned"
