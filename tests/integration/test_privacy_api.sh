# The data subject's rights over the API, on the real daemons and gateway
# (docs/data-protection.md, docs/api.md):
#  1. GET /employees/{id}/export answers the same zip as `entretiensctl
#     subject export` (Content-Type application/zip, an attachment): every
#     interview of the person with its report as a PDF, her notifications,
#     nothing of anyone else; each report rendered is an `export` in the
#     interview's audit chain; the JSON answer stays for Accept:
#     application/json; refusals: another employee, the manager, HR without
#     the content permission, no credential;
#  2. reasons (a cancel, a reassignment) are sealed: not in records' LMDB file (where the
#     outbox's events are too) nor in the webhook's payload, which says only
#     that a reason was given; readable in the audit trail by HR with the
#     content permission and the employee, withheld from the interviewer and
#     HR without content; gone ("purged") once the employee's content is
#     erased, the audit chain still verifying.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2020-01-15 ENTRETIENS_NOTIFIER_TICK_MS=50 ENTRETIENS_RETENTION_CONTENT_YEARS=1
here=$(cd "$(dirname "$0")" && pwd)
SECRET='Retards constatés les 2, 9 et 16 février'
start_daemons
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","region":"metropole","locale":"fr","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2019-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"cadre"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2019-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
for i in $(seq 1 50); do "$CTL" --as manager:M1 interview list 2>/dev/null | grep -q E2 && break; sleep 0.1; done
"$CTL" --as admin:root access grant hr:dpo --entity ACME-FR --content >/dev/null || fail "grant dpo"
"$CTL" --as admin:root access grant hr:bob --entity ACME-FR >/dev/null || fail "grant bob"

new_interview() { # employee title -> id
  "$CTL" --as manager:M1 --json interview create --employee "$1" --type corrective --title "$2" | jq -r .id
}
# E1: an interview carried to its written report (it has a PDF)
IV1=$(new_interview E1 "Ponctualité E1") || fail "create IV1"
printf '{"facts": "%s", "expectations": "Arrivée à 9 h", "manager_summary": "Engagements pris",
  "agreed_actions": [{"title": "Point mensuel", "owner": "M1", "due_date": "2020-03-01"}]}' "$SECRET" >"$IT_DIR/a.json"
"$CTL" --as manager:M1 interview schedule "$IV1" --at 2020-01-14T10:00 --place "Bureau 3" >/dev/null || fail "schedule IV1"
"$CTL" --as manager:M1 interview answer "$IV1" --file "$IT_DIR/a.json" >/dev/null || fail "answer IV1"
"$CTL" --as manager:M1 interview share "$IV1" >/dev/null || fail "share IV1"
"$CTL" --as manager:M1 interview hold "$IV1" >/dev/null || fail "hold IV1"
"$CTL" --as manager:M1 interview report "$IV1" >/dev/null || fail "report IV1"
# E2: an interview whose answers must never reach E1's copy
IV2=$(new_interview E2 "Mobilité E2") || fail "create IV2"
echo '{"facts": "Objectifs E2 confidentiels", "expectations": "Bilan E2"}' >"$IT_DIR/b.json"
"$CTL" --as manager:M1 interview schedule "$IV2" --at 2020-01-20T10:00 >/dev/null || fail "schedule IV2"
"$CTL" --as manager:M1 interview answer "$IV2" --file "$IT_DIR/b.json" >/dev/null || fail "answer IV2"
"$CTL" --as manager:M1 interview share "$IV2" >/dev/null || fail "share IV2"
wait_for 20 yes bash -c '"$0" --as admin:root --json notifications list --employee E1 |
  jq -r "if (.notifications | length) > 0 then \"yes\" else \"no\" end"' "$CTL" || fail "no notification about E1"

login() { # login principal jar
  echo 'correct horse battery' | "$CTL" user add "$1" --principal "$2" >/dev/null || fail "user add $1"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -c "$3" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"correct horse battery\"}" "$GW_API/auth/login")" = 200 ] || fail "login $1"
}
login dpo hr:dpo "$IT_DIR/dpo.jar"; login emma employee:E1 "$IT_DIR/emma.jar"; login eve employee:E2 "$IT_DIR/eve.jar"
login marc manager:M1 "$IT_DIR/marc.jar"; login bob hr:bob "$IT_DIR/bob.jar"
get() { # jar path out [curl args] -> status; headers in out.h
  local jar=$1 p=$2 o=$3; shift 3
  local auth=(); [ "$jar" != - ] && auth=(-b "$jar")
  curl -s "${auth[@]}" -D "$o.h" -o "$o" -w '%{http_code}' "$@" "$GW_API$p"
}

# ------------------------------------------------------------ 1. the zip
st=$(get "$IT_DIR/dpo.jar" /employees/E1/export "$IT_DIR/dpo.zip") || fail "GET export"
[ "$st" = 200 ] || fail "the DPO's export: $st $(head -c 300 "$IT_DIR/dpo.zip")"
grep -qi '^content-type: application/zip' "$IT_DIR/dpo.zip.h" || fail "content type: $(cat "$IT_DIR/dpo.zip.h")"
grep -qi '^content-disposition: attachment; filename="subject-E1.zip"' "$IT_DIR/dpo.zip.h" ||
  fail "disposition: $(cat "$IT_DIR/dpo.zip.h")"
grep -qi '^cache-control: no-store' "$IT_DIR/dpo.zip.h" || fail "the copy may be cached: $(cat "$IT_DIR/dpo.zip.h")"
check_zip() { /usr/bin/python3 "$here/subject_zip_check.py" "$1" "$IV1" "$IV2" "$SECRET"; }
n_api=$(check_zip "$IT_DIR/dpo.zip") || fail "the API's zip"
# the same parts as the CLI's zip, asked by the same person
"$CTL" --lang fr --as hr:dpo subject export E1 --out "$IT_DIR/cli" >/dev/null || fail "the CLI's export"
n_cli=$(check_zip "$IT_DIR/cli/subject-E1.zip") || fail "the CLI's zip"
[ "$n_api" = "$n_cli" ] || fail "the API's zip has $n_api interviews, the CLI's $n_cli"
python3 - "$IT_DIR/dpo.zip" "$IT_DIR/cli/subject-E1.zip" <<'PY' || fail "the API's and the CLI's zips differ"
import sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:])
assert sorted(a.namelist()) == sorted(b.namelist()), (a.namelist(), b.namelist())
for n in a.namelist():
    if n == "interviews.json":
        continue  # who read what grows with each export
    assert a.read(n) == b.read(n), n
PY
# audited as an export (each report rendered), by the DPO
"$CTL" --as admin:root --json audit show "$IV1" |
  jq -e 'map(select(.action == "export" and .actor == "hr:dpo")) | length >= 2' >/dev/null ||
  fail "the API's export is not in the audit chain: $("$CTL" --as admin:root --json audit show "$IV1" | jq -c 'map([.action, .actor])')"
# the employee herself, in English
st=$(get "$IT_DIR/emma.jar" "/employees/E1/export?lang=en" "$IT_DIR/emma.zip")
[ "$st" = 200 ] || fail "the employee's own copy: $st $(head -c 300 "$IT_DIR/emma.zip")"
check_zip "$IT_DIR/emma.zip" >/dev/null || fail "the employee's zip"
st=$(get "$IT_DIR/emma.jar" "/employees/E1/export?lang=de" "$IT_DIR/de")
[ "$st" = 400 ] && [ "$(jq -r .field "$IT_DIR/de")" = lang ] || fail "lang=de: $st $(cat "$IT_DIR/de")"
# the JSON answer, for the scripts written before the zip
st=$(get "$IT_DIR/dpo.jar" /employees/E1/export "$IT_DIR/json" -H 'Accept: application/json')
[ "$st" = 200 ] || fail "JSON export: $st"
grep -qi '^content-type: application/json' "$IT_DIR/json.h" || fail "JSON content type: $(cat "$IT_DIR/json.h")"
jq -e --arg iv "$IV1" --arg iv2 "$IV2" '.employee_id == "E1" and any(.interviews[]; .interview.id == $iv)
  and all(.interviews[]; .interview.id != $iv2)' "$IT_DIR/json" >/dev/null || fail "JSON export: $(head -c 300 "$IT_DIR/json")"
# refusals, each as a problem and no zip
for who in eve marc bob; do
  st=$(get "$IT_DIR/$who.jar" /employees/E1/export "$IT_DIR/ref-$who")
  [ "$st" = 403 ] || fail "$who exported E1: $st"
  grep -qi '^content-type: application/problem+json' "$IT_DIR/ref-$who.h" || fail "$who: $(cat "$IT_DIR/ref-$who.h")"
  [ "$(jq -r .code "$IT_DIR/ref-$who")" = PERMISSION_DENIED ] || fail "$who: $(cat "$IT_DIR/ref-$who")"
done
st=$(get - /employees/E1/export "$IT_DIR/anon")
[ "$st" = 401 ] || fail "no credential: $st"
st=$(get "$IT_DIR/dpo.jar" /employees/NOBODY/export "$IT_DIR/nobody")
[ "$st" = 404 ] || [ "$st" = 403 ] || fail "an unknown person: $st $(cat "$IT_DIR/nobody")"
log "the copy over the API: the CLI's zip, audited, JSON on demand, refusals"

# ------------------------------------------------------- 2. sealed reasons
REASON='Arrêt maladie prolongé, dépression'
RECV_PORT=$(free_port) RECV_LOG=$IT_DIR/received.jsonl
: >"$RECV_LOG"
start_bg receiver /usr/bin/python3 "$here/webhook_receiver.py" "$RECV_PORT" "$RECV_LOG" "$IT_DIR/down" 0
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$RECV_PORT/" && break; sleep 0.1; done
echo 'correct horse battery' | "$CTL" user add root --principal admin:root >/dev/null || fail "user add root"
CSRF=$(curl -s -c "$IT_DIR/root.jar" -H 'Content-Type: application/json' \
  -d '{"login":"root","password":"correct horse battery"}' "$GW_API/auth/login" | jq -r .csrf_token)
[ "$(curl -s -o "$IT_DIR/wh" -w '%{http_code}' -b "$IT_DIR/root.jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$RECV_PORT/hook\",\"kinds\":[\"interview.cancelled\",\"interview.reassigned\"]}" "$GW_API/webhooks")" = 201 ] ||
  fail "subscribe: $(cat "$IT_DIR/wh")"
IV3=$(new_interview E1 "Point d'étape E1") || fail "create IV3"
"$CTL" --as hr:dpo interview cancel "$IV3" --reason "$REASON" >/dev/null || fail "cancel IV3"
"$CTL" --as hr:dpo interview reassign "$IV2" --to E1 --reason "M1 en arrêt, dépression" >/dev/null || fail "reassign IV2"
wait_for 20 yes bash -c 'grep -qF "$1" "$0" && grep -qF "$2" "$0" && echo yes || echo no' "$RECV_LOG" "$IV3" "$IV2" ||
  fail "the cancellation and the reassignment never reached the webhook"
grep -F -e "$IV3" -e "$IV2" "$RECV_LOG" | python3 -c '
import json, sys
reason = sys.argv[1]
for line in sys.stdin:
    rec = json.loads(line)
    assert reason not in rec["body"] and "pression" not in rec["body"], rec["body"]
    body = json.loads(rec["body"])
    assert body["data"].get("reason_given") is True and "reason" not in body["data"], body
' "$REASON" || fail "the webhook's payload"
rec_stop_copy() { # records' store as a file: the text must not be in it
  # (the default templates hold the word "maladie": the test looks for its own words)
  grep -qF "dépression" "$ENTRETIENS_DATA_DIR/records/data.mdb" && fail "the reason in clear in records' store: $1"
  mdb_dump -a -p "$ENTRETIENS_DATA_DIR/records" | grep -qF "pression" && fail "the reason in clear in a database of records: $1"
  true
}
rec_stop_copy "after the cancel"
history_reason() { # principal -> details.reason of IV3's cancel record
  "$CTL" --as "$1" --json interview history "$IV3" | jq -r 'map(select(.action == "cancel"))[0].details.reason'
}
[ "$(history_reason hr:dpo)" = "$REASON" ] || fail "HR with content reads the reason: $(history_reason hr:dpo)"
[ "$(history_reason employee:E1)" = "$REASON" ] || fail "the employee reads the reason: $(history_reason employee:E1)"
[ "$(history_reason manager:M1)" = withheld ] || fail "the interviewer: $(history_reason manager:M1)"
[ "$(history_reason hr:bob)" = withheld ] || fail "HR without content: $(history_reason hr:bob)"
reassign_reason() { "$CTL" --as "$1" --json interview history "$IV2" | jq -r 'map(select(.action == "reassign"))[0].details.reason'; }
[ "$(reassign_reason hr:dpo)" = "M1 en arrêt, dépression" ] || fail "HR reads the reassignment's reason: $(reassign_reason hr:dpo)"
[ "$(reassign_reason manager:E1)" = withheld ] || fail "the new interviewer: $(reassign_reason manager:E1)"
"$CTL" --as manager:M1 --json interview show "$IV3" | jq -e '.reason == null and (.withheld | index("reason"))' >/dev/null ||
  fail "the interviewer sees the header's reason: $("$CTL" --as manager:M1 --json interview show "$IV3" | jq -c '[.reason, .withheld]')"
"$CTL" --as hr:dpo --json interview show "$IV3" | jq -e --arg r "$REASON" '.reason == $r' >/dev/null || fail "HR reads the header's reason"
# E1 leaves; a year later (ENTRETIENS_RETENTION_CONTENT_YEARS=1) her content is purged, the erasure accepted
echo '{"event_id":"l1","source":"hris","type":"left","employee_id":"E1","effective_date":"2020-01-20"}' |
  "$CTL" ingest - >/dev/null || fail "leave E1"
"$CTL" clock set 2021-01-21 >/dev/null || fail "clock set"
wait_for 30 yes bash -c '"$0" --as admin:root --json interview show "$1" | jq -r "if .purged then \"yes\" else \"no\" end"' "$CTL" "$IV3" ||
  fail "E1 not purged"
"$CTL" --as hr:dpo subject erase E1 --reason "DPO request 2021-3" >/dev/null || fail "subject erase E1"
[ "$(history_reason hr:dpo)" = purged ] || fail "the reason after the erasure: $(history_reason hr:dpo)"
rec_stop_copy "after the erasure"
"$CTL" --as admin:root audit verify >/dev/null || fail "audit verify after the erasure: $("$CTL" --as admin:root audit verify 2>&1)"
log "reasons: sealed in the store, not in the webhook, shown to HR with content and the employee only, erased with the key"

echo "privacy over the API: the employee's copy, sealed reasons"
