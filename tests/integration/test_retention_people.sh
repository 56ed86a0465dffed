#!/usr/bin/env bash
# Retention of what the notifier and the scheduler hold about people
# (docs/data-protection.md "Retention"), on real daemons and the business
# clock:
#  1. a period out of range stops the notifier and the scheduler (exit 2,
#     naming the setting);
#  2. the notifier: a person who left keeps her notifications (sent, with
#     their delivery history), plans and contact through the day before
#     departure + ENTRETIENS_RETENTION_NOTIFICATIONS_YEARS (2) and loses them
#     on the day; a colleague still employed keeps every one, and his subject
#     export still lists them all;
#  3. the scheduler: her HRIS history and identifying attributes stay
#     through the day before departure + ENTRETIENS_RETENTION_OBLIGATIONS_YEARS
#     (5) and go on the day, while her obligations (the proof of the
#     interviews owed) stay unchanged; the colleague keeps his history; an old
#     event sent again is a duplicate, not a new history;
#  4. the notifier's dead letters: kept 364 days after they died, gone after
#     366 (ENTRETIENS_RETENTION_NOTIFIER_DEADLETTER_DAYS, 365);
#  5. on the real clock (chunked passes), the scheduler's purge happens too.
# Log lines carry counts, never a name or an address.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier
export TZ=Europe/Paris ENTRETIENS_NOW=2020-01-15T10:00 ENTRETIENS_NOTIFIER_TICK_MS=50

# ------------------------------------------------------------ 1. options
ENTRETIENS_RETENTION_NOTIFICATIONS_YEARS=0 "$BIN/entretiens-notifier" >"$IT_DIR/bad1.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "notifications kept 0 years: exit $rc, want 2"
grep -q RETENTION_NOTIFICATIONS_YEARS "$IT_DIR/bad1.log" || fail "the refusal names the setting: $(cat "$IT_DIR/bad1.log")"
ENTRETIENS_RETENTION_NOTIFIER_DEADLETTER_DAYS=36501 "$BIN/entretiens-notifier" >"$IT_DIR/bad2.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "dead letters kept 36501 days: exit $rc, want 2"
grep -q RETENTION_NOTIFIER_DEADLETTER_DAYS "$IT_DIR/bad2.log" || fail "the refusal names the setting: $(cat "$IT_DIR/bad2.log")"
ENTRETIENS_RETENTION_OBLIGATIONS_YEARS=101 "$BIN/entretiens-scheduler" >"$IT_DIR/bad3.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "history kept 101 years: exit $rc, want 2"
grep -q RETENTION_OBLIGATIONS_YEARS "$IT_DIR/bad3.log" || fail "the refusal names the setting: $(cat "$IT_DIR/bad3.log")"

start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg records "$BIN/entretiens-records"; RECORDS=$LAST_PID
start_bg notifier "$BIN/entretiens-notifier"; NOTIFIER=$LAST_PID
for d in scheduler records notifier; do wait_ready $d; done

# L1 leaves, S1 stays; both on a trial period, so that reminders go out
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","region":"metropole","locale":"fr","category":"cadre","contract":"permanent","email":"m1@acme.test","first_name":"Marc","last_name":"Chef"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"L1","effective_date":"2020-01-02","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"Lucie","last_name":"Departzz","email":"lucie.departzz@acme.test","birth_date":"1980-05-05"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"S1","effective_date":"2020-01-02","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"Sam","last_name":"Restezz","email":"sam.restezz@acme.test","birth_date":"1985-06-06"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
ADMIN=(--as admin:root --json)
notifs() { # employee [status] -> sorted notification ids
  "$CTL" "${ADMIN[@]}" notifications list --employee "$1" --limit 5000 |
    jq -r --arg st "${2:-}" '.notifications[] | select($st == "" or .status == $st) | .id' | sort
}
count() { grep -c . <<<"$1" || true; }

# ------------------------------------------------------------ 2. notifier
# the 30-day reminders of the end of the trial go out (file outbox)
"$CTL" clock set 2020-02-03T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"
has_sent() { [ -n "$(notifs "$1" sent)" ] && echo yes; }
wait_for 30 yes has_sent L1 || fail "no notification sent about L1: $(notifs L1)"
wait_for 30 yes has_sent S1 || fail "no notification sent about S1: $(notifs S1)"
echo '{"event_id":"l2","source":"hris","type":"left","employee_id":"L1","effective_date":"2020-02-14"}' |
  "$CTL" ingest - >/dev/null || fail "left"
left_known() { "$CTL" "${ADMIN[@]}" employee show L1 | jq -r '.employee.left_on'; }
wait_for 10 2020-02-14 left_known || fail "the departure is not known"
"$CTL" clock set 2020-03-02T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"
L1_BEFORE=$(notifs L1)
L1_SENT=$(notifs L1 sent)
# (the notifier applies the departure at its own pace)
sleep 1

"$CTL" clock set 2022-02-13T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"   # departure + 2 years - 1 day
[ "$(notifs L1)" = "$L1_BEFORE" ] || fail "L1's notifications changed before their day: $(notifs L1)"
[ -n "$(notifs L1 sent)" ] || fail "L1's sent notification went before its day"
"$CTL" "${ADMIN[@]}" notifications contact L1 | jq -e '.left_on == "2020-02-14"' >/dev/null ||
  fail "L1's contact went before its day, or has no departure day: $("$CTL" "${ADMIN[@]}" notifications contact L1)"
S1_BEFORE=$(notifs S1)
[ "$(count "$S1_BEFORE")" -ge 1 ] || fail "S1 has no notification"

"$CTL" clock set 2022-02-14T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"   # departure + 2 years
[ -z "$(notifs L1)" ] || fail "L1's notifications stay on their day: $(notifs L1)"
"$CTL" "${ADMIN[@]}" notifications contact L1 >/dev/null 2>&1 && fail "L1's contact stays on its day"
for id in $L1_BEFORE; do
  "$CTL" "${ADMIN[@]}" notifications show "$id" >/dev/null 2>&1 && fail "notification $id of L1 can still be shown"
done
S1_AFTER=$(notifs S1)
[ -z "$(comm -23 <(echo "$S1_BEFORE") <(echo "$S1_AFTER"))" ] ||
  fail "S1, still employed, lost notifications: $(comm -23 <(echo "$S1_BEFORE") <(echo "$S1_AFTER"))"
"$CTL" "${ADMIN[@]}" notifications contact S1 | jq -e '.left_on == null' >/dev/null || fail "S1's contact went"
grep -q '"retention.notifications"' "$IT_DIR/notifier.log" || fail "the purge is not logged"
grep -qiE "departzz|lucie" "$IT_DIR/notifier.log" && fail "the notifier's log names L1"
"$CTL" --json notifications stats | jq -e '.contacts == 2' >/dev/null ||
  fail "the contact count is not kept: $("$CTL" --json notifications stats | jq -c .)"
m=$(metric "$ENTRETIENS_NOTIFIER_HTTP" 'entretiens_notifier_retention_purged_total{kind="notifications"}')
[ "${m%.*}" -ge "$(count "$L1_SENT")" ] 2>/dev/null || fail "purged notifications metric: '$m', want >= $(count "$L1_SENT")"
# S1's subject export still holds every notification about him
"$CTL" --as admin:root --json subject export S1 --out "$IT_DIR/exp" >/dev/null || fail "export S1"
python3 - "$IT_DIR/exp/subject-S1.zip" "$S1_AFTER" <<'PY' || fail "S1's export is not complete"
import json, sys, zipfile
nots = json.loads(zipfile.ZipFile(sys.argv[1]).read("notifications.json"))
ids = {n["id"] for n in nots}
want = set(sys.argv[2].split())
assert want <= ids, sorted(want - ids)
assert all(n["employee_id"] == "S1" or n.get("recipient_id") == "S1" for n in nots), nots
PY
log "notifier: L1's notifications, plans and contact kept to the day before, gone on the day; S1's all kept and exported"

# ------------------------------------------------------------ 3. scheduler
emp() { "$CTL" "${ADMIN[@]}" employee show "$1"; }
obl() { "$CTL" "${ADMIN[@]}" obligations --employee "$1" | jq -c 'sort_by(.obligation_id)'; }
# R1 left in 2016 and was hired again in 2017: in post, her history stays
# whatever the age of that first departure
cat >"$IT_DIR/r1.jsonl" <<'JSON'
{"event_id":"r1","source":"hris","type":"hired","employee_id":"R1","effective_date":"2016-01-04","entity":"ACME-FR","region":"metropole","locale":"fr","category":"cadre","contract":"permanent","first_name":"Rita","last_name":"Revenuezz"}
{"event_id":"r2","source":"hris","type":"left","employee_id":"R1","effective_date":"2016-06-30"}
{"event_id":"r3","source":"hris","type":"hired","employee_id":"R1","effective_date":"2017-09-04","entity":"ACME-FR","region":"metropole","locale":"fr","category":"cadre","contract":"permanent","first_name":"Rita","last_name":"Revenuezz"}
JSON
"$CTL" ingest "$IT_DIR/r1.jsonl" >/dev/null || fail "ingest R1"
OBL_L1=$(obl L1)
[ "$(jq length <<<"$OBL_L1")" -ge 1 ] || fail "L1 has no obligations"
HIST_S1=$(emp S1 | jq -c .history)
"$CTL" clock set 2025-02-13T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"   # departure + 5 years - 1 day
e=$(emp L1)
jq -e '(.history | length) == 2 and .employee.last_name == "Departzz" and .employee.birth_date == "1980-05-05"' \
  <<<"$e" >/dev/null || fail "L1's history went before its day: $e"
"$CTL" clock set 2025-02-14T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"   # departure + 5 years
e=$(emp L1)
jq -e '(.history | length) == 0 and .employee.first_name == "" and .employee.last_name == "" and
       .employee.email == "" and .employee.birth_date == null and .employee.manager_id == ""' <<<"$e" >/dev/null ||
  fail "L1's history and identity stay on their day: $e"
jq -e '.employee.entity == "ACME-FR" and .employee.hired_on == "2020-01-02" and .employee.left_on == "2020-02-14"' \
  <<<"$e" >/dev/null || fail "what the figures count by went too: $e"
[ "$(obl L1)" = "$OBL_L1" ] || fail "L1's obligations changed: $(obl L1)"
[ "$(emp S1 | jq -c .history)" = "$HIST_S1" ] || fail "S1's history changed"
emp S1 | jq -e '.employee.last_name == "Restezz"' >/dev/null || fail "S1's identity went"
emp R1 | jq -e '(.history | length) == 3 and .employee.last_name == "Revenuezz"' >/dev/null ||
  fail "R1, hired again after an old departure, lost her history: $(emp R1)"
grep -q '"retention.history"' "$IT_DIR/scheduler.log" || fail "the purge is not logged"
grep -qiE "departzz|lucie" "$IT_DIR/scheduler.log" && fail "the scheduler's log names L1"
m=$(metric "$ENTRETIENS_SCHEDULER_HTTP" 'entretiens_scheduler_retention_purged_total{kind="history"}')
[ "${m%.*}" = 2 ] || fail "purged history metric: '$m', want 2"
# the same hire sent again: a duplicate, not a new history (the obligations stay frozen)
out=$("$CTL" ingest <(sed -n 2p "$IT_DIR/hires.jsonl") 2>&1) || fail "re-ingest: $out"
grep -q "duplicate 1" <<<"$out" || fail "an old event sent again is not a duplicate: $out"
[ "$(emp L1 | jq '.history | length')" = 0 ] || fail "the old event came back into the history"
[ "$(obl L1)" = "$OBL_L1" ] || fail "L1's obligations changed after the replay"
log "scheduler: L1's history and identity kept to the day before, gone on the day; obligations and S1 kept"

# ------------------------------------------------------------ 4. dead letters
# a webhook nobody answers, one try: what fires now is dead at once
kill -TERM "$NOTIFIER"; wait "$NOTIFIER" 2>/dev/null
ENTRETIENS_WEBHOOK_URL=http://127.0.0.1:$(free_port)/hook ENTRETIENS_NOTIFIER_MAX_TRIES=1 \
  start_bg notifier "$BIN/entretiens-notifier"
wait_ready notifier
cat >"$IT_DIR/d1.jsonl" <<'JSON'
{"event_id":"h4","source":"hris","type":"hired","employee_id":"D1","effective_date":"2025-02-03","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"ouvrier_employe","contract":"permanent","trial_months":2,"first_name":"Dora","last_name":"Mortezz","email":"dora@acme.test"}
JSON
"$CTL" ingest "$IT_DIR/d1.jsonl" >/dev/null || fail "ingest D1"
dead() { "$CTL" "${ADMIN[@]}" notifications list --status dead --limit 5000 | jq -r '.notifications[].id' | sort; }
DEAD0=$(dead)   # died earlier (escalations without an HR address): not this part's concern
"$CTL" clock set 2025-03-12T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"
has_dead() { [ -n "$(notifs D1 dead)" ] && echo yes; }
wait_for 30 yes has_dead || fail "no dead letter about D1: $("$CTL" "${ADMIN[@]}" notifications list --employee D1 | jq -c ".notifications[] | [.id, .status, .fire_at_ms]")"
sleep 0.5
DEAD=$(comm -13 <(echo "$DEAD0") <(dead))   # died on 2025-03-12
grep -q "^o:D1/" <<<"$DEAD" || fail "D1's dead letter is not among today's: $DEAD"
"$CTL" clock set 2026-03-11T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"   # 364 days after
[ -z "$(comm -23 <(echo "$DEAD") <(dead))" ] || fail "dead letters deleted before their day: $(comm -23 <(echo "$DEAD") <(dead))"
"$CTL" clock set 2026-03-13T10:00 --only scheduler,records,notifier >/dev/null || fail "clock set"   # 366 days after
[ -z "$(comm -12 <(echo "$DEAD") <(dead))" ] || fail "dead letters kept past their period: $(comm -12 <(echo "$DEAD") <(dead))"
for id in $DEAD; do
  "$CTL" "${ADMIN[@]}" notifications show "$id" >/dev/null 2>&1 && fail "dead letter $id can still be shown"
done
grep -q '"retention.deadletters"' "$IT_DIR/notifier.log" || fail "the deletion is not logged"
grep -qiE "mortezz|dora@" "$IT_DIR/notifier.log" && fail "the notifier's log names D1"
"$CTL" "${ADMIN[@]}" notifications contact D1 >/dev/null || fail "D1, employed, lost her contact"
log "notifier dead letters: kept 364 days, gone after 366"
# ------------------------------------------------------------ 5. real clock
# without a pinned clock the pass walks the employees in chunks, a turn a
# second: someone who left long before today loses her history at the
# first pass, someone who left last year keeps it
kill -TERM "$SCHED"; wait "$SCHED" 2>/dev/null
unset ENTRETIENS_NOW
ENTRETIENS_DATA_DIR=$IT_DIR/real start_bg scheduler "$BIN/entretiens-scheduler"
wait_alive scheduler
cat >"$IT_DIR/real.jsonl" <<JSON
{"event_id":"r1","source":"hris","type":"hired","employee_id":"R1","effective_date":"2001-01-08","entity":"ACME-FR","region":"metropole","category":"cadre","contract":"permanent","first_name":"Rita","last_name":"Ancienzz"}
{"event_id":"r2","source":"hris","type":"left","employee_id":"R1","effective_date":"2010-06-30"}
{"event_id":"r3","source":"hris","type":"hired","employee_id":"R2","effective_date":"2001-01-08","entity":"ACME-FR","region":"metropole","category":"cadre","contract":"permanent","first_name":"Rob","last_name":"Recentzz"}
{"event_id":"r4","source":"hris","type":"left","employee_id":"R2","effective_date":"$(date -d '1 year ago' +%F)"}
JSON
"$CTL" ingest "$IT_DIR/real.jsonl" >/dev/null || fail "ingest on the real clock"
# (a pass starts hourly, on a new day and at start: a restart rather than an hour)
kill -TERM "$LAST_PID"; wait "$LAST_PID" 2>/dev/null
ENTRETIENS_DATA_DIR=$IT_DIR/real start_bg scheduler "$BIN/entretiens-scheduler"
wait_alive scheduler
hist() { "$CTL" "${ADMIN[@]}" employee show "$1" | jq '.history | length'; }
wait_for 30 0 hist R1 || fail "on the real clock R1's history stays"
[ "$(hist R2)" = 2 ] || fail "on the real clock R2, who left a year ago, lost her history"
# records on the real clock: its retention pass goes over the directory a
# chunk a turn (ENTRETIENS_RECORDS_RETENTION_CHUNK=1 here), to the end
kill -TERM "$RECORDS"; wait "$RECORDS" 2>/dev/null
ENTRETIENS_RECORDS_RETENTION_CHUNK=0 "$BIN/entretiens-records" >"$IT_DIR/bad4.log" 2>&1; rc=$?
[ $rc = 2 ] || fail "a retention chunk of 0: exit $rc, want 2"
grep -q RETENTION_CHUNK "$IT_DIR/bad4.log" || fail "the refusal names the setting: $(cat "$IT_DIR/bad4.log")"
rec_cursor() { metric "$ENTRETIENS_RECORDS_HTTP" 'entretiens_records_consumer_cursor_seq{producer="scheduler"}'; }
ENTRETIENS_DATA_DIR=$IT_DIR/real ENTRETIENS_RECORDS_RETENTION_CHUNK=1 start_bg records-real "$BIN/entretiens-records"
wait_alive records
wait_for 30 "$(sched_head)" rec_cursor || fail "records did not apply the real scheduler's events"
# (a pass starts hourly, on a new day and at start)
kill -TERM "$LAST_PID"; wait "$LAST_PID" 2>/dev/null
ENTRETIENS_DATA_DIR=$IT_DIR/real ENTRETIENS_RECORDS_RETENTION_CHUNK=1 start_bg records-real2 "$BIN/entretiens-records"
wait_alive records
passes() { grep -c '"records.retention_pass".*over 2 employees in 2 turns' "$IT_DIR/records-real2.log" || true; }
wait_for 20 1 passes || fail "records' pass on the real clock: $(grep retention_pass "$IT_DIR/records-real2.log")"
echo "PASS test_retention_people"
