# The HRIS import and the calendar export through a real scheduler and
# records: a bad CSV is refused whole with every bad row named and nothing
# sent; a good one is imported (again: duplicates only); the calendar is
# exported twice (once paged by the scheduler's due dates), parses with
# python's icalendar, holds one VEVENT per deadline of the period plus the
# scheduled interview, and keeps its UIDs.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
export ENTRETIENS_NOW=2026-04-01
start_bg scheduler "$BIN/entretiens-scheduler"
start_bg records "$BIN/entretiens-records"
wait_ready scheduler; wait_ready records
N=3000; [ "$IT_SCALE" = small ] && N=300
PY=/usr/bin/python3
J() { $PY -c "import json,sys; d=json.load(sys.stdin); print(($1))"; }
C() { "$CTL" "$@"; }
HEADER=employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,birth_date,category,contract,contract_end,trial_months

# ------------------------------------------------------------ a bad file
{
  echo "$HEADER"
  echo 'B1,Anne,Bad,,ACME-FR,,,,,2024-01-08,,cadre,permanent,,'
  echo 'B2,Paul,Bad,,ACME-FR,,,,,2024-02-30,,cadre,permanent,,'            # line 3: no such day
  echo 'B3,Léa,Bad,,ACME-FR,,,corse,,2024-01-08,,cadre,permanent,,'         # line 4: region
  echo 'B1,Anne,Again,,ACME-FR,,,,,2024-01-08,,cadre,permanent,,'           # line 5: twice
  echo 'B5,"Jo, ""Junior""",Bad,,ACME-FR,,,,,2024-01-08,,cadre,fixed_term,,' # line 6: no contract end
} >"$IT_DIR/bad.csv"
C import employees "$IT_DIR/bad.csv" >"$IT_DIR/bad.out" 2>&1; rc=$?
[ $rc = 1 ] || fail "a bad file: exit $rc, expected 1: $(cat "$IT_DIR/bad.out")"
for want in "line 3: employee B2: hire_date:" "line 4: employee B3: region: unknown region 'corse'" \
            "line 5: employee B1: employee_id: employee B1 is already on line 2" \
            "line 6: employee B5: contract_end: a fixed_term contract needs its end date" "nothing was sent"; do
  grep -qF "$want" "$IT_DIR/bad.out" || fail "bad file: '$want' missing from: $(cat "$IT_DIR/bad.out")"
done
C import employees "$IT_DIR/bad.csv" --json >"$IT_DIR/bad.json" 2>"$IT_DIR/bad.err"; rc=$?
[ $rc = 1 ] || fail "bad file --json: exit $rc, expected 1"
[ "$(J '[e["line"] for e in d["errors"]], d["sent"], d["rejected"], d["rows"]' <"$IT_DIR/bad.json")" = "([3, 4, 5, 6], 0, 4, 5)" ] ||
  fail "bad file --json: $(cat "$IT_DIR/bad.json")"
C employee show B1 >/dev/null 2>&1 && fail "the good row of a refused file was sent"
C import employees "$IT_DIR/none.csv" >/dev/null 2>&1; [ $? = 2 ] || fail "a missing file is a usage error (2)"
log "bad file refused whole"

# ------------------------------------------------------------ a good file
# M0001 manages everyone; hires spread over two years, every category and
# contract; names with accents and quoted commas
$PY - "$N" "$IT_DIR/staff.csv" <<'PY'
import csv, datetime, sys
n, path = int(sys.argv[1]), sys.argv[2]
day = lambda d: (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat()
with open(path, 'w', newline='', encoding='utf-8-sig') as f:     # BOM, CRLF: what a spreadsheet writes
    w = csv.writer(f)
    w.writerow('employee_id,first_name,last_name,email,entity,department,site,region,manager_id,hire_date,'
               'birth_date,category,contract,contract_end,trial_months'.split(','))
    w.writerow(['M0001', 'Jeanne', 'Dupré', 'jeanne@acme.example', 'ACME-FR', 'Direction', 'Paris', 'metropole', '',
                '2015-01-05', '1970-03-02', 'cadre', 'permanent', '', 4])
    for i in range(2, n + 1):
        d = 19900 + (i * 7) % 700                                     # hired 2024-06 .. 2026-05
        fixed = i % 10 == 0
        w.writerow(['E%04d' % i, 'Zoé, %d' % i, 'Müller', 'e%d@acme.example' % i, 'ACME-FR' if i % 2 else 'ACME-AL',
                    'Ventes', 'Lyon', ['metropole', 'alsace_moselle', 'reunion'][i % 3], 'M0001', day(d),
                    day(d - 9000 - i), ['ouvrier_employe', 'maitrise_technicien', 'cadre'][i % 3],
                    'fixed_term' if fixed else 'permanent', day(d + 400) if fixed else '', i % 4])
PY
C import employees "$IT_DIR/staff.csv" --json >"$IT_DIR/imp1.json" || fail "import: $(cat "$IT_DIR/imp1.json")"
[ "$(J 'd["rows"], d["sent"], d["accepted"], d["duplicates"], d["rejected"], d["errors"]' <"$IT_DIR/imp1.json")" = "($N, $N, $N, 0, 0, [])" ] ||
  fail "first import: $(cat "$IT_DIR/imp1.json")"
C import employees "$IT_DIR/staff.csv" >"$IT_DIR/imp2.out" || fail "second import"
grep -qF "imported $IT_DIR/staff.csv: $N rows, accepted 0, duplicate $N, rejected 0" "$IT_DIR/imp2.out" ||
  fail "importing again gives duplicates only: $(cat "$IT_DIR/imp2.out")"
C employee show E0010 --json >"$IT_DIR/e10.json" || fail "employee show E0010"
[ "$(J 'd["employee"]["first_name"], d["employee"]["contract"], d["employee"]["manager_id"], d["history"][0]["source"], d["history"][0]["event_id"]' <"$IT_DIR/e10.json")" = \
  "('Zoé, 10', 'fixed_term', 'M0001', 'csv-import', 'E0010:hired:$(J 'd["employee"]["hired_on"]' <"$IT_DIR/e10.json")')" ] ||
  fail "E0010 as imported: $(cat "$IT_DIR/e10.json")"
log "imported $N employees"

# ------------------------------------------------- a scheduled interview
IV=""
for i in $(seq 1 100); do
  IV=$(C --as admin:ops --json interview list --employee E0002 2>/dev/null |
       J '([i["id"] for i in d["interviews"] if i["status"] == "planned"] + [""])[0]' 2>/dev/null)
  [ -n "$IV" ] && break; sleep 0.2
done
[ -n "$IV" ] || fail "records opened no interview for E0002"
C --as manager:M0001 interview schedule "$IV" --at 2026-04-20T09:30 --duration 45 --place "Salle 3, Lyon" \
  --video https://meet.example/e2 >/dev/null || fail "schedule $IV"

# --------------------------------------------------------- the calendar
FROM=2026-04-01; TO=2027-03-31
C due --from $FROM --to $TO --limit 50000 --json >"$IT_DIR/due.json" || fail "due"
NDUE=$(J 'len(d)' <"$IT_DIR/due.json")
[ "$NDUE" -gt $((N / 2)) ] || fail "only $NDUE deadlines for $N employees"
C --as admin:ops calendar export --from $FROM --to $TO --out "$IT_DIR/a.ics" --json >"$IT_DIR/a.json" || fail "export a"
[ "$(J 'd["deadlines"], d["interviews"], d["events"]' <"$IT_DIR/a.json")" = "($NDUE, 1, $((NDUE + 1)))" ] ||
  fail "export summary: $(cat "$IT_DIR/a.json") (due: $NDUE)"
# the same export in pages (scheduler.due's cursor): the same file, even
# with pages smaller than the busiest day
BUSIEST=$(J 'max(__import__("collections").Counter(o["due_date"] for o in d).values())' <"$IT_DIR/due.json")
PAGE=$((NDUE / 4)); [ $PAGE -lt 2 ] && PAGE=2
ENT_CALENDAR_DUE_PAGE=$PAGE C --as admin:ops calendar export --from $FROM --to $TO --out "$IT_DIR/b.ics" >/dev/null ||
  fail "export b (pages of $PAGE)"
cmp -s "$IT_DIR/a.ics" "$IT_DIR/b.ics" || fail "the export in pages of $PAGE differs from the whole one"
SMALL=$((BUSIEST - 1)); [ $SMALL -lt 2 ] && SMALL=2
C calendar export --from $FROM --to $TO --deadlines-only --out "$IT_DIR/whole.ics" >/dev/null || fail "export whole"
ENT_CALENDAR_DUE_PAGE=$SMALL C calendar export --from $FROM --to $TO --deadlines-only --out "$IT_DIR/small.ics" \
  >/dev/null || fail "export in pages of $SMALL (smaller than the busiest day, $BUSIEST)"
cmp -s "$IT_DIR/whole.ics" "$IT_DIR/small.ics" || fail "pages smaller than a day lose or repeat deadlines"
C calendar export --from $FROM --to $TO --lang en --out "$IT_DIR/en.ics" 2>"$IT_DIR/en.err" >/dev/null || fail "export en"
grep -q "scheduled interviews left out" "$IT_DIR/en.err" || fail "no notice without --as: $(cat "$IT_DIR/en.err")"

cat >"$IT_DIR/check.py" <<'PY'
import sys, icalendar
cals = [icalendar.Calendar.from_ical(open(p, 'rb').read()) for p in sys.argv[1:]]
def events(c): return [e for e in c.walk('VEVENT')]
uids = [sorted(str(e['UID']) for e in events(c)) for c in cals]
for c in cals:
    assert str(c['VERSION']) == '2.0' and str(c['METHOD']) == 'PUBLISH' and 'X-WR-CALNAME' in c, 'calendar header'
assert uids[0] == uids[1], 'UIDs differ between two exports'
assert len(set(uids[0])) == len(uids[0]), 'a UID appears twice'
a = events(cals[0])
timed = [e for e in a if not str(e['UID']).count('%2F')]
assert len(timed) == 1, 'one scheduled interview: %d' % len(timed)
iv = timed[0]
assert iv['DTSTART'].dt.isoformat().startswith('2026-04-20T'), iv['DTSTART'].dt
assert (iv['DTEND'].dt - iv['DTSTART'].dt).seconds == 45 * 60
assert str(iv['LOCATION']) == 'Salle 3, Lyon' and str(iv['URL']) == 'https://meet.example/e2'
assert str(iv['ORGANIZER']) == 'mailto:jeanne@acme.example' and str(iv['ATTENDEE']) == 'mailto:e2@acme.example'
days = [e for e in a if e not in timed]
for e in days:
    d0, d1 = e['DTSTART'].dt, e['DTEND'].dt
    assert not hasattr(d0, 'hour') and (d1 - d0).days == 1, 'all-day: %s' % e['UID']
    assert ' — ' in str(e['SUMMARY']), e['SUMMARY']
en = events(cals[2])
assert len(en) == len(days), 'without --as: the deadlines only (%d vs %d)' % (len(en), len(days))
assert sorted(str(e['UID']) for e in en) == sorted(str(e['UID']) for e in days)
assert any(str(e['SUMMARY']).startswith('Professional interview — ') for e in en), 'English titles'
assert any(str(e['SUMMARY']).startswith('Entretien professionnel — ') for e in days), 'French titles'
print(len(a))
PY
$PY -c 'import icalendar' || fail "python3-icalendar is missing"
got=$($PY "$IT_DIR/check.py" "$IT_DIR/a.ics" "$IT_DIR/b.ics" "$IT_DIR/en.ics" 2>&1) || fail "calendar check: $got"
[ "$got" = $((NDUE + 1)) ] || fail "VEVENTs: $got, expected $((NDUE + 1))"
log "calendar: $got events, stable UIDs"

# a later export of the same state keeps the UIDs; the deadlines of one manager are a subset
C --as admin:ops calendar export --from $FROM --to $TO --manager M0001 --deadlines-only --out "$IT_DIR/m.ics" >/dev/null 2>"$IT_DIR/m.err" ||
  fail "export --manager"
[ -s "$IT_DIR/m.err" ] && fail "--deadlines-only should silence the notice: $(cat "$IT_DIR/m.err")"
C calendar export --from 2026-13-01 --out "$IT_DIR/x.ics" >/dev/null 2>&1; [ $? = 2 ] || fail "a bad date is a usage error"
C calendar export --from $FROM >/dev/null 2>&1; [ $? = 2 ] || fail "--out is required"
[ -e "$IT_DIR/x.ics" ] && fail "a refused export wrote a file"
# under the sanitizers the CLI reports leaks and UB on its stderr
if grep -lE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$IT_DIR"/*.out "$IT_DIR"/*.err >/dev/null 2>&1; then
  fail "sanitizer report from entretiensctl: $(grep -hE -A10 'Sanitizer|runtime error' "$IT_DIR"/*.out "$IT_DIR"/*.err | head -n 30)"
fi
echo "import refused a bad file whole, imported $N rows idempotently; calendar of $got events parsed, UIDs stable"
