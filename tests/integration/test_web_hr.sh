# The HR pages of the web application (docs/web.md, "HR pages"): Pilotage,
# Résultats, Calendrier des échéances, in Debian's chromium against the real
# gateway and the four real daemons.  A generated organisation (the
# scheduler's deadlines, records' interviews, analytics' figures), a review
# campaign, and eleven interviews carried to signature through the CLI so
# that the answer figures exist; then tests/web/hr.mjs signs in as HR and
# compares what each page shows with the CLI's JSON (entretiensctl stats,
# campaign list), downloads each CSV and compares it too, runs axe-core at
# 1280 and 375 px and takes screenshots; an employee and a manager who type
# the URLs get "not allowed", and the API refuses them as well.  A real SMTP
# server (aiosmtpd) takes the notifier's mail: the campaign created from the
# page reminds its late ones, and the test reads them back.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_RPC_TIMEOUT_MS=10000
export ENTRETIENS_GATEWAY_RATE_ADDR=0 ENTRETIENS_GATEWAY_RATE_PRINCIPAL=0
export ENTRETIENS_NOW=2026-03-02
WEB_BUILT=$ENT_BUILD/web
[ -f "$WEB_BUILT/index.html" ] || fail "no web application in $WEB_BUILT (configure with ENTRETIENS_WEB=ON and build)"
command -v /usr/bin/chromium >/dev/null || fail "no /usr/bin/chromium (deploy/deps.sh installs it)"
NODE_MODULES=$ENT_BUILD/web-node/node_modules
[ -d "$NODE_MODULES/playwright-core" ] || fail "no playwright-core in $NODE_MODULES (the web build's npm ci)"
# a copy: a rebuild during the test does not pull the files from under the gateway
cp -r "$WEB_BUILT" "$IT_DIR/web"
export ENTRETIENS_GATEWAY_WEB_DIR=$IT_DIR/web

# a real SMTP server: the campaign's reminders are read back from it
HERE=$(cd "$(dirname "$0")" && pwd)
smtp_port=$(free_port)
start_bg smtp /usr/bin/python3 "$HERE/notifier/smtp_sink.py" --port "$smtp_port" --out "$IT_DIR/mail.jsonl"
for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$smtp_port) 2>/dev/null && break; sleep 0.1; done
export ENTRETIENS_SMTP_URL=smtp://127.0.0.1:$smtp_port ENTRETIENS_SMTP_FROM="RH Acme <rh-noreply@acme.test>"

N=300; [ "$IT_SCALE" = small ] && N=150
"$CTL" demo generate --employees $N --seed 7 --start 2026-03-02 --out "$IT_DIR/org.jsonl" \
  --policy-out "$IT_DIR/policy.json" 2>/dev/null || fail "demo generate"
start_daemons
"$CTL" policy apply "$IT_DIR/policy.json" >/dev/null || fail "policy apply"
"$CTL" ingest "$IT_DIR/org.jsonl" >/dev/null || fail "ingest"
caught_up 120
# time passes: deadlines go overdue (the scheduler's daily sweep)
"$CTL" clock set 2026-09-15 --only scheduler,records,analytics >/dev/null || fail "clock set"
caught_up 120
"$CTL" campaign create --id review-2026 --type annual_review --title "Revues 2026" --from 2026-09-01 --to 2026-12-31 >/dev/null ||
  fail "campaign create"
caught_up 120
"$CTL" --as admin:root access grant hr:it --entity '*' --content >/dev/null || fail "access grant"
# an HR partner of one small entity only
"$CTL" --as admin:root access grant hr:lab --entity ACME-LAB --content >/dev/null || fail "access grant ACME-LAB"

# close_interviews (lib.sh): interviews carried to signature, answers varied by $k
close_interviews annual_review 6 '{highlights: "my year", engagement: ([1, 4, 5, 3, 4, 2][$k]), workload: 3,
  training_needs: [{theme: "excel, \"avancé\"", priority: "medium", modality: "e_learning"}]}' "$IT_ANSWERS/annual_review-manager.json"
close_interviews professional 5 '{skills_acquired: "sql", career_path: "data",
  mobility_wish: (if $k == 0 then {kind: "external", horizon: "6_months"} else {kind: "internal_new_job", horizon: "2_years"} end)}' \
  "$IT_ANSWERS/professional-manager.json"
# three small campaigns the page extends, closes and cancels (another type than
# the review campaign's, once its interviews are closed: they change none of them)
for c in lab-2026 pilote-2026 essai-2026; do
  "$CTL" campaign create --id $c --type internal_mobility --title "LAB $c" --entity ACME-LAB --from 2026-09-01 --to 2026-10-31 \
    >/dev/null || fail "campaign create $c"
done
caught_up 60
# a second version of a template (its interviews exist already): Modèles lists every version
jq '.title += " (v2)"' "$(dirname "$0")/../../services/records/templates/annual_review.fr.json" >"$IT_DIR/annual_review-v2.json"
"$CTL" --as hr:it --json template import "$IT_DIR/annual_review-v2.json" | grep -q '"new_version"' || fail "template import v2"

# the figures the pages must show, from the CLI (the same daemons)
X=$IT_DIR/expect
mkdir -p "$X"
"$CTL" --as hr:it --json stats compliance --by entity >"$X/compliance.json" || fail "stats compliance"
ENTITY=$(jq -r '[.groups[] | select(.overdue > 0)] | sort_by(-.overdue) | .[0].group // empty' "$X/compliance.json")
[ -n "$ENTITY" ] || fail "no entity with someone overdue: $(jq -c .total "$X/compliance.json")"
"$CTL" --as hr:it --json stats compliance --entity "$ENTITY" --list --limit 1000 >"$X/entity.json" || fail "compliance list"
"$CTL" --as hr:it --json stats completion --by month >"$X/completion.json" || fail "stats completion"
for s in ratings training mobility; do "$CTL" --as hr:it --json stats $s >"$X/$s.json" || fail "stats $s"; done
"$CTL" --as hr:it --json campaign list >"$X/campaigns.json" || fail "campaign list"
[ "$(jq '.total.respondents' "$X/training.json")" -ge 5 ] || fail "fewer than 5 respondents: the answers are suppressed"
# the recap (Conformité), the managers' late items and the signals (Résultats)
"$CTL" --as hr:it --json stats completion --type professional_recap --by entity >"$X/recaps.json" || fail "stats completion recaps"
"$CTL" --as hr:it --json stats managers --limit 500 >"$X/managers.json" || fail "stats managers"
"$CTL" --as hr:it --json stats signals --limit 1000 >"$X/signals.json" || fail "stats signals"
# two HRIS events the scheduler refuses: the dead letters an administrator reads (Exploitation)
cat >"$IT_DIR/bad.jsonl" <<'JSON'
{"event_id":"dl-1","source":"hris","type":"hired","employee_id":"DL1","effective_date":"2026-02-16","entity":"ACME-NOWHERE","first_name":"Dé","last_name":"Lettre","email":"dl1@acme.test"}
{"event_id":"dl-2","source":"hris","type":"left","employee_id":"NEVER-HIRED","effective_date":"2026-02-16"}
JSON
"$CTL" ingest "$IT_DIR/bad.jsonl" >/dev/null 2>&1 && fail "bad events accepted"
"$CTL" --json deadletters >"$X/deadletters.json" || fail "deadletters"
[ "$(jq length "$X/deadletters.json")" -ge 2 ] || fail "no dead letters: $(cat "$X/deadletters.json")"

# the campaign the page creates: the smallest entity of three people or more
# where a manager has two reports; their accounts carry two of its interviews
# to signature through the pages
"$CTL" --as hr:it --json campaign preview --from 2026-09-01 --to 2026-12-31 >"$X/everyone.json" || fail "campaign preview"
read -r CE CMGR CEMP1 CEMP2 < <(jq -r '.members | group_by(.entity) | map(select(length >= 3)) | sort_by(length) | map(
    . as $m | [$m[] | select(.manager_id != null and .manager_id != "")] | group_by(.manager_id) | map(select(length >= 2))
    | if length > 0 then [$m[0].entity, .[0][0].manager_id, .[0][0].employee_id, .[0][1].employee_id] else empty end)
  | .[0] | join(" ")' "$X/everyone.json")
[ -n "$CEMP2" ] || fail "no entity with a manager of two: $(jq -c '[.members[] | .entity] | group_by(.) | map([.[0], length])' "$X/everyone.json")"

# the accounts: HR, HR of ACME-LAB only, an employee and a manager of the closed interviews
PW='correct horse battery'
read -r _ EMP MGR <"$IT_DIR/closed.txt"
for u in "rh hr:it" "rhlab hr:lab" "emma employee:$EMP" "marc manager:$MGR" "root admin:root" "cmgr manager:$CMGR" "cemp1 employee:$CEMP1" \
  "cemp2 employee:$CEMP2"; do
  set -- $u
  echo "$PW" | "$CTL" user add "$1" --principal "$2" >/dev/null || fail "user add $1"
done

ART=$ENT_BUILD/artefacts/web
mkdir -p "$ART"
CTL=$CTL MAIL=$IT_DIR/mail.jsonl CE=$CE CEMP1=$CEMP1 CEMP2=$CEMP2 BASE=http://$ENTRETIENS_GATEWAY_HTTP PW=$PW ART=$ART NODE_MODULES=$NODE_MODULES EXPECT=$X ENTITY=$ENTITY EMP=$EMP \
  DOWNLOADS=$IT_DIR/downloads timeout 300 node "$(dirname "$0")/../web/hr.mjs" >"$IT_DIR/hr.log" 2>&1
rc=$?
cat "$IT_DIR/hr.log" >&2
[ $rc = 0 ] || fail "HR browser scenario (exit $rc)"
# the calendar link Échéances showed: its feed (saved by hr.mjs) parses as iCalendar
/usr/bin/python3 - "$IT_DIR/downloads/feed.ics" <<'EOF' || fail "the HR calendar feed does not parse"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
events = list(cal.walk("VEVENT"))
assert events, "no event in the feed"
assert all(e.get("DTSTART") and e.get("SUMMARY") and e.get("UID") for e in events), "an event without its date, summary or UID"
assert len({str(e.get("UID")) for e in events}) == len(events), "two events with one UID"
print(f"feed: {len(events)} events")
EOF
n=$(ls "$ART"/hr-*.png 2>/dev/null | wc -l)
[ "$n" -ge 10 ] || fail "only $n HR screenshots in $ART"
log "web HR: pages against the CLI's figures, CSV exports, refusals, $n screenshots in $ART"
