# Data protection (docs/data-protection.md), on real daemons and LMDB files,
# on the business clock:
#  1. content at rest: a store written in clear (encryption off, as an older
#     binary did) is sealed at the next start, the audit chain records it and
#     still verifies; records refuses to start without its master key;
#  2. the subject export: a zip with every interview and notification of the
#     person and nothing of anyone else; who may ask; the export is a read,
#     shown to the DPO (HR with the content permission);
#  3. erasure and retention: refused while employed and in the intermediate
#     archive (with the reason), hidden from the manager in the archive; the
#     notes go on their day, the content on its day (not the day before);
#     audit verify passes and names the purged interview; a backup taken
#     before the purge cannot show it with the current keys.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier
export ENTRETIENS_NOW=2020-01-15 ENTRETIENS_NOTIFIER_TICK_MS=50
DB=$ENTRETIENS_DATA_DIR/records
SECRET='Retards constatés les 2, 9 et 16 février'

start_records() { start_bg records "$BIN/entretiens-records"; REC=$LAST_PID; wait_ready records; }
stop_records() { kill -TERM "$REC"; wait "$REC"; }
in_clear() { # db text: the text is in the records store's database in clear
  mdb_dump -s "$1" -p "$DB" | grep -qF "$2"
}

start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg notifier "$BIN/entretiens-notifier"; NOTIFIER=$LAST_PID
ENTRETIENS_RECORDS_ENCRYPT=0 start_records
wait_ready scheduler; wait_ready notifier
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","region":"metropole","locale":"fr","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2019-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"cadre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2019-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
for i in $(seq 1 50); do "$CTL" --as manager:M1 interview list 2>/dev/null | grep -q E2 && break; sleep 0.1; done

# an interview with a title and answers, written in clear
new_interview() { # employee title -> id
  "$CTL" --as manager:M1 --json interview create --employee "$1" --type corrective --title "$2" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
IV1=$(new_interview E1 "Ponctualité E1") || fail "create"
printf '{"facts": "%s", "expectations": "Arrivée à 9 h"}' "$SECRET" >"$IT_DIR/a.json"
"$CTL" --as manager:M1 interview answer "$IV1" --file "$IT_DIR/a.json" >/dev/null || fail "answer"
stop_records
in_clear content "Retards constat" || fail "with encryption off the answers are in clear (the test's premise)"
in_clear interviews "Ponctualit" || fail "with encryption off the title is in clear (the test's premise)"

# 1. the next start seals them
start_records
grep -qE '"records.seal".* 1 of [0-9]+ interviews sealed' "$IT_DIR/records.log" || fail "the start did not seal: $(grep seal "$IT_DIR/records.log")"
in_clear content "Retards constat" && fail "the answers stayed in clear"
in_clear interviews "Ponctualit" && fail "the title stayed in clear"
in_clear interviews "E1" || fail "the employee id (an index) stays in clear"
"$CTL" --as manager:M1 interview show "$IV1" | grep -qF "$SECRET" || fail "the sealed answers read back"
"$CTL" --as manager:M1 interview show "$IV1" | grep -qF "Ponctualité E1" || fail "the sealed title reads back"
out=$("$CTL" --as admin:root audit verify) || fail "audit verify after sealing: $out"
"$CTL" --as admin:root --json audit show "$IV1" | python3 -c '
import json, sys
recs = json.load(sys.stdin)
assert recs[-1]["action"] == "seal" and recs[-1]["actor"] == "records", recs[-1]' || fail "the sealing is the interview's last audit record"
# a restart seals nothing more
stop_records; start_records
grep -c '"records.seal"' "$IT_DIR/records.log" | grep -qx 1 ||
  fail "a second start sealed again: $(grep seal "$IT_DIR/records.log")"

# records does not start without its master key, and says what to do
stop_records
mv "$ENTRETIENS_KEYS_DIR/records.master" "$IT_DIR/records.master.aside"
"$BIN/entretiens-records" >"$IT_DIR/nomaster.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "records without its master key exits 2, got $rc"
grep -q "keys init" "$IT_DIR/nomaster.log" || fail "the refusal says how to create the key: $(cat "$IT_DIR/nomaster.log")"
grep -q "master=" "$IT_DIR/nomaster.log" && fail "a key line in the log"
mv "$IT_DIR/records.master.aside" "$ENTRETIENS_KEYS_DIR/records.master"
chmod 644 "$ENTRETIENS_KEYS_DIR/records.master"
"$BIN/entretiens-records" >"$IT_DIR/nomaster.log" 2>&1 && fail "records starts with a master key others may read"
grep -q "chmod 600" "$IT_DIR/nomaster.log" || fail "the refusal names the mode: $(cat "$IT_DIR/nomaster.log")"
chmod 600 "$ENTRETIENS_KEYS_DIR/records.master"
start_records
log "content at rest: clear values sealed at start and audited, the chain verifies; no start without the master key"

# ---------------------------------------------------------------- 2. export
"$CTL" --as admin:root access grant hr:dpo --entity ACME-FR --content >/dev/null || fail "grant dpo"
"$CTL" --as admin:root access grant hr:bob --entity ACME-FR >/dev/null || fail "grant bob"
"$CTL" --as manager:M1 interview schedule "$IV1" --at 2020-01-21T10:00 --place "Bureau 3" >/dev/null || fail "schedule IV1"
"$CTL" --as manager:M1 interview share "$IV1" >/dev/null || fail "share IV1"
IV2=$(new_interview E2 "Mobilité E2") || fail "create IV2"
"$CTL" --as manager:M1 interview schedule "$IV2" --at 2020-01-20T10:00 --place "Bureau 3" >/dev/null || fail "schedule IV2"
echo '{"facts": "Objectifs E2 confidentiels", "expectations": "Bilan E2"}' >"$IT_DIR/b.json"
"$CTL" --as manager:M1 interview answer "$IV2" --file "$IT_DIR/b.json" --notes "Note privée E2" >/dev/null ||
  fail "answer IV2"
"$CTL" --as manager:M1 interview share "$IV2" >/dev/null || fail "share IV2"
# a reason sealed in IV2's trail (HR moves its deadline): the employee reads it while employed
"$CTL" --as hr:dpo interview move-due "$IV2" --to 2020-06-30 --reason "RAISON-E2 budget" >/dev/null || fail "move-due IV2"
"$CTL" --as employee:E2 --json audit show "$IV2" | grep -q "RAISON-E2" || fail "the employee reads the reason while employed"
# notifications exist about both people (the scheduler's deadlines)
wait_for 20 yes bash -c '"$0" --as admin:root --json notifications list --employee E1 |
  python3 -c "import json,sys; print(\"yes\" if json.load(sys.stdin)[\"notifications\"] else \"no\")"' "$CTL" ||
  fail "no notification about E1 to export"

export_as() { # principal employee dir
  "$CTL" --as "$1" --json subject export "$2" --out "$3"
}
# IV1's report is written: its PDF joins the export (L6315-1: the employee's copy)
printf '{"facts": "%s", "expectations": "Arrivée à 9 h", "manager_summary": "Engagements pris",
  "agreed_actions": [{"title": "Point mensuel", "owner": "M1", "due_date": "2020-03-01"}]}' "$SECRET" >"$IT_DIR/a2.json"
"$CTL" --as manager:M1 interview answer "$IV1" --file "$IT_DIR/a2.json" >/dev/null || fail "answer IV1 for the report"
"$CTL" --as manager:M1 interview hold "$IV1" --force >/dev/null 2>&1 || "$CTL" --as manager:M1 interview hold "$IV1" >/dev/null ||
  fail "hold IV1"
"$CTL" --as manager:M1 interview report "$IV1" >/dev/null || fail "report IV1"
out=$(export_as hr:dpo E1 "$IT_DIR/exp1") || fail "export by the DPO: $out"
ZIP=$IT_DIR/exp1/subject-E1.zip
[ "$(stat -c %a "$ZIP")" = 600 ] || fail "the zip is not 0600: $(stat -c %a "$ZIP")"
/usr/bin/python3 "$(dirname "$0")/subject_zip_check.py" "$ZIP" "$IV1" "$IV2" "$SECRET" "$ZIP.iv1.pdf" >/dev/null ||
  fail "export content"
pdftotext "$ZIP.iv1.pdf" - | tr -s ' \n' ' ' >"$IT_DIR/iv1.txt" || fail "pdftotext"
grep -qF "$SECRET" "$IT_DIR/iv1.txt" || fail "the exported report lacks E1's answers: $(head -c 300 "$IT_DIR/iv1.txt")"
grep -qF "Objectifs E2" "$IT_DIR/iv1.txt" && fail "E2's answers in E1's report"
# the employee herself may; the same zip is not replaced
export_as employee:E1 E1 "$IT_DIR/exp2" >/dev/null || fail "the employee's own export"
export_as employee:E1 E1 "$IT_DIR/exp2" >/dev/null 2>&1 && fail "an existing export was replaced"
# refusals: someone else, a manager, HR without the content permission; nothing written
for who in employee:E2 manager:M1 hr:bob; do
  out=$(export_as "$who" E1 "$IT_DIR/exp-$who" 2>&1) && fail "$who exported E1: $out"
  grep -q PERMISSION_DENIED <<<"$out" || fail "$who: $out"
  [ -e "$IT_DIR/exp-$who" ] && fail "$who: something was written"
done
# the export was a read, shown to the DPO and to the employee
"$CTL" --as hr:dpo --json interview reads "$IV1" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert any(x["principal"] == "hr:dpo" for x in r), r
assert any(x["principal"] == "employee:E1" for x in r), r' || fail "the reads of the export"
"$CTL" --as manager:M1 interview reads "$IV1" >/dev/null 2>&1 && fail "the manager sees who read"
log "subject export: every interview and notification of the person, nothing of another; refusals; reads"

# ------------------------------------------------------ 3. erase, retention
# E2 leaves on 2021-03-10: notes and preparations go on 2023-03-10, the
# content on 2026-03-10 (defaults 2 and 5 years)
echo '{"event_id":"l2","source":"hris","type":"left","employee_id":"E2","effective_date":"2021-03-10"}' |
  "$CTL" ingest - >/dev/null || fail "leave E2"
erase_as() { "$CTL" --as "$1" subject erase "$2" --reason "${3:-request 42}"; }
out=$(erase_as manager:M1 E2 2>&1) && fail "a manager erased: $out"
grep -q PERMISSION_DENIED <<<"$out" || fail "manager erase: $out"
out=$(erase_as employee:E2 E2 2>&1) && fail "the employee erased herself: $out"
grep -q PERMISSION_DENIED <<<"$out" || fail "employee erase: $out"
out=$(erase_as hr:bob E2 2>&1) && fail "HR without content erased: $out"
out=$("$CTL" --as hr:dpo subject erase E2 2>&1) && fail "an erase without a reason: $out"
out=$(erase_as hr:dpo E1 2>&1) && fail "an employed person erased: $out"
grep -q "FAILED_PRECONDITION.*employed.*L6315-1" <<<"$out" || fail "the refusal gives the duty: $out"

mkdir -p "$IT_DIR/bk"
"$CTL" backup records "$IT_DIR/bk/records" >/dev/null || fail "backup before the purge"
grep -qF "Objectifs E2" "$IT_DIR/bk/records/data.mdb" && fail "the backup holds E2's answers in clear"

"$CTL" clock set 2021-06-01 --only scheduler,records,notifier >/dev/null || fail "clock 2021-06-01"
for i in $(seq 1 50); do
  "$CTL" --as admin:root --json employee show E2 | grep -q '"left_on": "2021-03-10"' && break; sleep 0.1
done
out=$(erase_as hr:dpo E2 2>&1) && fail "erased in the intermediate archive: $out"
grep -q "FAILED_PRECONDITION.*left on 2021-03-10.*until 2026-03-10" <<<"$out" || fail "the archive refusal: $out"
"$CTL" --as manager:M1 --json interview show "$IV2" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert "archived" in v["withheld"] and "Objectifs" not in json.dumps(v, ensure_ascii=False), v' ||
  fail "the manager still sees the content in the archive"
"$CTL" --as hr:dpo interview show "$IV2" | grep -q "Objectifs E2" || fail "HR reads the archive"
# the reasons of the trail are content too: withheld from the former employee, read by HR
out=$("$CTL" --as employee:E2 --json audit show "$IV2") || fail "the former employee's audit show: $out"
grep -q "RAISON-E2" <<<"$out" && fail "the former employee reads a reason in the archive: $out"
grep -q '"reason": *"withheld"' <<<"$out" || fail "the reason is not marked withheld: $out"
"$CTL" --as hr:dpo --json audit show "$IV2" | grep -q "RAISON-E2" || fail "HR reads the reason in the archive"

"$CTL" clock set 2026-03-09 --only scheduler,records,notifier >/dev/null || fail "clock 2026-03-09"
wait_for 20 yes bash -c '"$0" --as admin:root --json audit show "$1" | python3 -c "
import json,sys; print(\"yes\" if any(r[\"action\"] == \"purge\" for r in json.load(sys.stdin)) else \"no\")"' "$CTL" "$IV2" ||
  fail "the notes' retention did not run"
"$CTL" --as admin:root --json interview show "$IV2" | python3 -c 'import json,sys; assert not json.load(sys.stdin)["purged"]' ||
  fail "purged the day before"
"$CTL" --as hr:dpo interview show "$IV2" | grep -q "Objectifs E2" || fail "the content went the day before"
"$CTL" --as admin:root --json audit show "$IV2" | python3 -c '
import json, sys
p = [r for r in json.load(sys.stdin) if r["action"] == "purge"]
assert len(p) == 1 and "manager_notes" in json.dumps(p[0]["details"]), p' || fail "the notes outlived their period"
"$CTL" clock set 2026-03-10 --only scheduler,records,notifier >/dev/null || fail "clock 2026-03-10"
wait_for 20 yes bash -c '"$0" --as admin:root --json interview show "$1" | python3 -c "
import json,sys; print(\"yes\" if json.load(sys.stdin)[\"purged\"] else \"no\")"' "$CTL" "$IV2" ||
  fail "not purged on its day"
"$CTL" --as hr:dpo --json interview show "$IV2" | python3 -c '
import json, sys
v = json.load(sys.stdin); t = json.dumps(v, ensure_ascii=False)
assert "Objectifs E2" not in t and "Mobilité E2" not in t, t
assert v["purged"] and v["employee_id"] == "E2" and v["type"] == "corrective", "the proof stays"' ||
  fail "content after the purge"
"$CTL" --as hr:dpo interview show "$IV1" | grep -qF "$SECRET" || fail "the purge reached another employee"
out=$("$CTL" --as admin:root --json audit verify) || fail "audit verify after the purge: $out"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] and sys.argv[2] in d["purged"] and sys.argv[3] not in d["purged"], d' \
  "$out" "$IV2" "$IV1" || fail "verify names the purged interview: $out"
"$CTL" --as admin:root audit verify | grep -q "purged (content destroyed, proof kept):.*$IV2" || fail "the text names it"
"$CTL" --as admin:root --json audit show "$IV2" | python3 -c '
import json, sys
r = json.load(sys.stdin)[-1]
assert r["action"] == "purge" and r["actor"] == "records", r' || fail "the purge is the last audit record"
# erasure now accepted (nothing left: the sweep did it), and recorded
out=$(erase_as hr:dpo E2 "DPO request 2026-17") || fail "erase after the archive: $out"
grep -q "E2: content of 0 interviews purged (data key already gone)" <<<"$out" || fail "erase output: $out"

# the backup taken before the purge, opened with the current keys
stop_records
KEYSTORE=$ENTRETIENS_DATA_DIR/records-keys
restore() { # keystore: a records daemon on a copy of the backup
  rm -rf "$IT_DIR/restore"; mkdir -p "$IT_DIR/restore/records" && cp "$IT_DIR/bk/records/data.mdb" "$IT_DIR/restore/records/"
  ENTRETIENS_DATA_DIR=$IT_DIR/restore ENTRETIENS_RECORDS_KEYSTORE=$1 ENTRETIENS_RETENTION_CONTENT_YEARS=100 start_records
}
# the store's backup alone holds no key: nothing in it opens
restore "$IT_DIR/restore/records-keys"
"$CTL" --as hr:dpo interview show "$IV1" >/dev/null 2>&1 && fail "a store backup without the keystore shows content"
stop_records
# with the current keys: the others read, the purged person does not
restore "$KEYSTORE"
out=$("$CTL" --as hr:dpo interview show "$IV2" 2>&1) && fail "the old backup shows the purged content: $out"
grep -q "FAILED_PRECONDITION.*purged" <<<"$out" || fail "the old backup's refusal: $out"
"$CTL" --as hr:dpo interview show "$IV1" | grep -qF "$SECRET" || fail "the old backup still shows E1 (key alive)"
stop_records
kill -TERM "$SCHED" "$NOTIFIER"; wait "$SCHED" "$NOTIFIER"
echo "data protection: sealed at rest, export complete and isolated, erasure refused with its reason, retention purges on its day, backups shredded"
