# The signed report as a PDF, through the four real daemons and the gateway
# with CurveZMQ on: an interview taken through its life to signed (private
# preparation, the manager's private notes, the report, the employee's
# comment and both signatures); `entretiensctl interview pdf` and GET
# /api/v1/interviews/{id}/report.pdf give the same bytes, whose text
# (pdftotext) holds the answers, the comment and the digest of the signed
# content, never the manager's notes; refusals: before the report (409),
# another employee (403/404, as the view), HR without the content
# permission, no session (401), an API key without the read scope; the
# "signed" e-mail links to the PDF under ENTRETIENS_PUBLIC_URL, and the link
# serves it; every download is in the audit chain, which still verifies.
source "$(dirname "$0")/lib.sh"
command -v pdftotext >/dev/null || fail "pdftotext is missing (poppler-utils, deploy/deps.sh)"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02 ENTRETIENS_RPC_TIMEOUT_MS=5000 ENTRETIENS_NOTIFIER_TICK_MS=50
# the e-mails' links point at this gateway; no SMTP: the notifier's file outbox
export ENTRETIENS_PUBLIC_URL=http://$ENTRETIENS_GATEWAY_HTTP
start_daemons

C() { "$CTL" "$@"; }
expect_fail() { # code what cmd...
  local code=$1 what=$2; shift 2
  if "$@" >"$IT_DIR/out" 2>"$IT_DIR/err"; then fail "$what: should be refused"; fi
  grep -q "$code" "$IT_DIR/err" || fail "$what: expected $code, got: $(cat "$IT_DIR/err")"
}
# api METHOD PATH [JAR|-] [curl args...]: prints the status; body in $IT_DIR/body, headers in $IT_DIR/headers
api() {
  local m=$1 p=$2 jar=${3:--}; shift 3 2>/dev/null || shift $#
  local args=(-s -o "$IT_DIR/body" -D "$IT_DIR/headers" -w '%{http_code}' -X "$m")
  [ "$jar" != - ] && args+=(-b "$jar" -c "$jar")
  curl "${args[@]}" "$@" "$GW_API$p"
}
expect() { # status what METHOD PATH [JAR] [curl args...]
  local want=$1 what=$2 got; shift 2
  got=$(api "$@")
  [ "$got" = "$want" ] || fail "$what: expected $want, got $got: $(head -c 400 "$IT_DIR/body")"
}
login() { # login jar
  curl -s -o "$IT_DIR/body" -c "$2" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$PW\"}" "$GW_API/auth/login" >/dev/null
  jq -e .csrf_token "$IT_DIR/body" >/dev/null || fail "login $1: $(cat "$IT_DIR/body")"
}
text() { pdftotext -enc UTF-8 "$1" - | tr '\n' ' '; } # a PDF's text, lines joined

cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h0","source":"hris","type":"hired","employee_id":"D1","effective_date":"2015-01-05","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1970-01-01","category":"cadre","first_name":"Denise","last_name":"Director"}
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"D1","locale":"fr","birth_date":"1980-05-01","category":"cadre","first_name":"Marie","last_name":"Manager"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2025-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1995-02-01","category":"cadre","first_name":"Jean","last_name":"Dupont","email":"jean.dupont@acme.test"}
{"event_id":"h3","source":"hris","type":"hired","employee_id":"E2","effective_date":"2025-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"en","birth_date":"1990-02-01","category":"cadre","first_name":"Ann","last_name":"Smith"}
JSON
C ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
for i in $(seq 1 100); do
  IV=$(C --as employee:E1 --json interview list --type professional 2>/dev/null | jq -r '.interviews[0].id // empty')
  E2IV=$(C --as employee:E2 --json interview list --type professional 2>/dev/null | jq -r '.interviews[0].id // empty')
  [ -n "$IV" ] && [ -n "$E2IV" ] && break; sleep 0.1
done
[ -n "$IV" ] && [ -n "$E2IV" ] || fail "no professional interviews for E1 and E2"

PW='correct horse battery'
for u in "jean employee:E1" "marie manager:M1" "ann employee:E2" "alice hr:alice"; do
  set -- $u
  echo "$PW" | C user add "$1" --principal "$2" >/dev/null || fail "user add $1"
done
C --as admin:root access grant hr:alice --entity ACME-FR >/dev/null || fail "grant alice (progress only)"
JE=$IT_DIR/jean.jar JM=$IT_DIR/marie.jar JA=$IT_DIR/ann.jar JH=$IT_DIR/alice.jar
login jean "$JE"; login marie "$JM"; login ann "$JA"; login alice "$JH"

# --- before the report: nothing to render (409), for both parties
expect_fail FAILED_PRECONDITION "CLI pdf of a planned interview" C --as employee:E1 interview pdf "$IV" --out "$IT_DIR/early.pdf"
grep -q "not written yet" "$IT_DIR/err" || fail "why: $(cat "$IT_DIR/err")"
[ -e "$IT_DIR/early.pdf" ] && fail "a refused pdf left a file"
expect 409 "API pdf of a planned interview" GET "/interviews/$IV/report.pdf" "$JE"
jq -e '.code == "FAILED_PRECONDITION" and .field == "status"' "$IT_DIR/body" >/dev/null || fail "409 problem: $(cat "$IT_DIR/body")"

# --- the interview's life, to signed
C --as manager:M1 interview schedule "$IV" --at 2026-03-02T09:00 --duration 60 --place "Salle B" >/dev/null || fail "schedule"
cat >"$IT_DIR/emp.json" <<'JSON'
{"skills_acquired": "Prospection grands comptes, CRM Salesforce",
 "career_path": "Commercial junior depuis septembre 2025",
 "mobility_wish": {"kind": "internal_new_job", "horizon": "2_years"},
 "training_needs": [{"theme": "Négociation avancée", "priority": "high", "modality": "classroom"}],
 "cpf_project": "Anglais des affaires"}
JSON
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/emp.json" --submit >/dev/null || fail "the employee prepares and shares"
cat >"$IT_DIR/mgr.json" <<'JSON'
{"answers": {"skills_observed": "Très bon relationnel client", "cpf_informed": true, "cep_informed": true},
 "notes": "NOTE-PRIVEE penser au budget formation"}
JSON
C --as manager:M1 interview answer "$IV" --file "$IT_DIR/mgr.json" >/dev/null || fail "the manager prepares"
C --as manager:M1 interview share "$IV" >/dev/null || fail "the manager shares"
C --as manager:M1 interview hold "$IV" >/dev/null || fail "hold"
expect 409 "API pdf of a held interview" GET "/interviews/$IV/report.pdf" "$JM"
cat >"$IT_DIR/report.json" <<'JSON'
{"manager_summary": "Entretien constructif ; projet de mobilité à préparer.",
 "action_items": [{"title": "Inscription formation négociation", "owner": "M1", "due_date": "2026-06-30"}]}
JSON
C --as manager:M1 interview answer "$IV" --file "$IT_DIR/report.json" --submit >/dev/null || fail "report"
# reported: the report is there to read before signing
expect 200 "API pdf of a reported interview" GET "/interviews/$IV/report.pdf" "$JE"
echo '{"employee_comment": "D accord avec la synthèse."}' >"$IT_DIR/comment.json"
C --as employee:E1 interview answer "$IV" --file "$IT_DIR/comment.json" >/dev/null || fail "the employee's comment"
C --as employee:E1 interview sign "$IV" --comment "Je souhaite un suivi de ma demande de formation." >/dev/null || fail "employee signs"
C --as manager:M1 interview sign "$IV" >/dev/null || fail "manager signs"
C --as employee:E1 --json interview show "$IV" >"$IT_DIR/closed.json" || fail "show"
DIGEST=$(jq -r .report_digest "$IT_DIR/closed.json")
[ ${#DIGEST} = 64 ] || fail "report digest '$DIGEST'"
jq -e --arg d "$DIGEST" '.status == "closed" and .signatures.employee.digest == $d and .signatures.manager.digest == $d' \
  "$IT_DIR/closed.json" >/dev/null || fail "closed with the digest signed: $(jq -c '.status, .signatures' "$IT_DIR/closed.json")"

# --- the CLI
C --as employee:E1 interview pdf "$IV" --out "$IT_DIR/cli-e.pdf" >"$IT_DIR/out" || fail "CLI pdf as the employee: $(cat "$IT_DIR/out")"
grep -q "report written to" "$IT_DIR/out" || fail "CLI output: $(cat "$IT_DIR/out")"
head -c 5 "$IT_DIR/cli-e.pdf" | grep -q '%PDF-' || fail "not a PDF"
T=$(text "$IT_DIR/cli-e.pdf")
for want in "Compte rendu d'entretien" "Entretien professionnel" "Jean Dupont (E1)" "Prospection grands comptes" \
  "Négociation avancée" "Très bon relationnel client" "Entretien constructif" "Inscription formation négociation" \
  "D accord avec la synthèse." "Je souhaite un suivi de ma demande de formation." "Signé par employee:E1" \
  "Signé par manager:M1" "professional.fr, version" "$DIGEST"; do
  case "$T" in *"$want"*) ;; *) fail "the employee's PDF lacks '$want': $T" ;; esac
done
case "$T" in *NOTE-PRIVEE*) fail "the employee's PDF holds the manager's private notes" ;; esac
# the interviewer by name (records' directory) beside her id; the instants
# in the employee's legal time (metropole: the process' zone, Paris here)
case "$T" in *"Responsable de l'entretien : Marie Manager (M1)"*) ;; *) fail "the interviewer's name: $T" ;; esac
TZ=Europe/Paris C --as employee:E1 interview pdf "$IV" --out "$IT_DIR/cli-paris.pdf" >/dev/null || fail "CLI pdf, Paris"
case "$(text "$IT_DIR/cli-paris.pdf")" in *"Signé par employee:E1 le 2026-03-02 "*"UTC+01:00"*) ;;
  *) fail "the instants in Paris time: $(text "$IT_DIR/cli-paris.pdf")" ;; esac
C --as manager:M1 --json interview pdf "$IV" --out "$IT_DIR/cli-m.pdf" --lang en >"$IT_DIR/out" || fail "CLI pdf as the manager"
jq -e --arg d "$DIGEST" '.report_digest == $d and .bytes > 1000' "$IT_DIR/out" >/dev/null || fail "--json: $(cat "$IT_DIR/out")"
T=$(text "$IT_DIR/cli-m.pdf")
case "$T" in *"Interview report"*"Professional interview"*) ;; *) fail "--lang en: $T" ;; esac
case "$T" in *NOTE-PRIVEE*) fail "the report holds the manager's private notes (they are not part of it)" ;; esac
# deterministic: the same report again, byte for byte
C --as employee:E1 interview pdf "$IV" --out "$IT_DIR/cli-e2.pdf" >/dev/null || fail "CLI pdf again"
cmp -s "$IT_DIR/cli-e.pdf" "$IT_DIR/cli-e2.pdf" || fail "two downloads of the same report differ"
# refusals
expect_fail PERMISSION_DENIED "CLI pdf as a colleague" C --as employee:E2 interview pdf "$IV" --out "$IT_DIR/x.pdf"
expect_fail PERMISSION_DENIED "CLI pdf as HR without the content permission" C --as hr:alice interview pdf "$IV" --out "$IT_DIR/x.pdf"
expect_fail FAILED_PRECONDITION "CLI pdf of E2's planned interview" C --as employee:E2 interview pdf "$E2IV" --out "$IT_DIR/x.pdf"
expect_fail "required" "CLI pdf without --out" C --as employee:E1 interview pdf "$IV"
expect_fail "fr or en" "CLI pdf in German" C --as employee:E1 interview pdf "$IV" --out "$IT_DIR/x.pdf" --lang de
[ -e "$IT_DIR/x.pdf" ] && fail "a refused pdf left a file"

# --- the API
expect 200 "API pdf as the employee" GET "/interviews/$IV/report.pdf" "$JE"
grep -qi '^content-type: application/pdf' "$IT_DIR/headers" || fail "content type: $(cat "$IT_DIR/headers")"
grep -qi "^content-disposition: attachment; filename=\"entretien-$IV.pdf\"" "$IT_DIR/headers" ||
  fail "content disposition: $(grep -i disposition "$IT_DIR/headers")"
cp "$IT_DIR/body" "$IT_DIR/api-e.pdf"
cmp -s "$IT_DIR/api-e.pdf" "$IT_DIR/cli-e.pdf" || fail "the API's PDF differs from the CLI's for the same reader"
T=$(text "$IT_DIR/api-e.pdf")
for want in "Prospection grands comptes" "Je souhaite un suivi de ma demande de formation." "$DIGEST"; do
  case "$T" in *"$want"*) ;; *) fail "the API's PDF lacks '$want'" ;; esac
done
case "$T" in *NOTE-PRIVEE*) fail "the API's PDF holds the manager's private notes" ;; esac
expect 200 "API pdf as the manager, in English" GET "/interviews/$IV/report.pdf?lang=en" "$JM"
grep -qi "^content-disposition: attachment; filename=\"interview-$IV.pdf\"" "$IT_DIR/headers" || fail "English file name"
cmp -s "$IT_DIR/body" "$IT_DIR/cli-m.pdf" || fail "the manager's English PDF differs between the API and the CLI"
# HEAD: the status of a download, without one (no audit record: counted below)
expect 200 "HEAD of the employee's PDF" HEAD "/interviews/$IV/report.pdf" "$JE" -I
grep -qi '^content-type: application/pdf' "$IT_DIR/headers" || fail "HEAD content type: $(cat "$IT_DIR/headers")"
expect 409 "HEAD of a planned interview's PDF" HEAD "/interviews/$E2IV/report.pdf" "$JA" -I
expect 403 "HEAD as HR without the content permission" HEAD "/interviews/$IV/report.pdf" "$JH" -I
expect 400 "API pdf in German" GET "/interviews/$IV/report.pdf?lang=de" "$JE"
jq -e '.field == "lang"' "$IT_DIR/body" >/dev/null || fail "400 names lang: $(cat "$IT_DIR/body")"
expect 401 "API pdf without a session" GET "/interviews/$IV/report.pdf"
code=$(api GET "/interviews/$IV/report.pdf" "$JA")
[ "$code" = 403 ] || [ "$code" = 404 ] || fail "another employee's PDF: $code $(head -c 300 "$IT_DIR/body")"
code_view=$(api GET "/interviews/$IV" "$JA")
[ "$code" = "$code_view" ] || fail "the PDF ($code) and the view ($code_view) refuse differently"
expect 403 "API pdf as HR without the content permission" GET "/interviews/$IV/report.pdf" "$JH"
expect 409 "API pdf of E2's planned interview" GET "/interviews/$E2IV/report.pdf" "$JA"
code=$(api GET "/interviews/NO-SUCH/report.pdf" "$JE")
[ "$code" = 404 ] || [ "$code" = 403 ] || fail "an unknown interview: $code"
# the "signed" e-mail to the employee links to her copy, and the link serves it
outbox=$ENTRETIENS_DATA_DIR/notifier/outbox
signed_link() { # -> the PDF link of the "signed" e-mail to Jean, once it is in the outbox
  /usr/bin/python3 - "$outbox" <<'EOF'
import email, email.policy, pathlib, re, sys
for f in pathlib.Path(sys.argv[1]).glob("*.eml"):
    m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
    if "jean.dupont@acme.test" not in str(m["To"]) or not str(m["Subject"]).startswith("Signé"):
        continue
    text = "".join(p.get_content() for p in m.walk() if p.get_content_maintype() == "text")
    u = re.search(r"Votre exemplaire en PDF : (\S+)", text)
    if u:
        print(u.group(1))
        break
EOF
}
for i in $(seq 1 300); do LINK=$(signed_link); [ -n "$LINK" ] && break; sleep 0.1; done
[ "$LINK" = "$GW_API/interviews/$IV/report.pdf" ] || fail "the signed e-mail's link: '$LINK' (expected $GW_API/interviews/$IV/report.pdf)"
code=$(curl -s -o "$IT_DIR/link.pdf" -w '%{http_code}' -b "$JE" "$LINK")
[ "$code" = 200 ] && cmp -s "$IT_DIR/link.pdf" "$IT_DIR/api-e.pdf" || fail "the e-mail's link does not serve the employee's PDF: $code"
# API keys: the read scope, bound to a principal
KEY=$(C apikey create --principal manager:M1 --scope read --label "archive" 2>/dev/null) || fail "apikey create read"
expect 200 "API pdf with a read key" GET "/interviews/$IV/report.pdf" - -H "Authorization: Bearer $KEY"
KEY_I=$(C apikey create --principal service:hris --scope ingest --label "hris" 2>/dev/null) || fail "apikey create ingest"
expect 403 "API pdf with an ingest key" GET "/interviews/$IV/report.pdf" - -H "Authorization: Bearer $KEY_I"

# --- every download is in the audit chain, which still verifies
C --as employee:E1 --json interview history "$IV" >"$IT_DIR/history.json" || fail "history"
n_e=$(jq '[.[] | select(.action == "export" and .actor == "employee:E1")] | length' "$IT_DIR/history.json")
n_m=$(jq '[.[] | select(.action == "export" and .actor == "manager:M1")] | length' "$IT_DIR/history.json")
# employee: API (reported), CLI three times, API, the e-mail's link = 6; manager: CLI, API, the read key = 3
[ "$n_e" = 6 ] && [ "$n_m" = 3 ] || fail "downloads in the audit: employee $n_e (6), manager $n_m (3): $(jq -c '[.[] | {action, actor}]' "$IT_DIR/history.json")"
jq -e --arg d "$DIGEST" '[.[] | select(.action == "export")] | last | .details as $x |
  $x.format == "pdf" and $x.report_digest == $d and $x.status == "closed"' "$IT_DIR/history.json" >/dev/null ||
  fail "export details: $(jq -c '[.[] | select(.action == "export")] | last' "$IT_DIR/history.json")"
n_refused=$(jq '[.[] | select(.action == "export" and (.actor == "employee:E2" or .actor == "hr:alice"))] | length' "$IT_DIR/history.json")
[ "$n_refused" = 0 ] || fail "refused downloads are recorded as downloads"
C --json audit verify --interview "$IV" | jq -e '.ok' >/dev/null || fail "audit verify --interview: $(C --json audit verify --interview "$IV")"
C --json audit verify | jq -e '.ok' >/dev/null || fail "audit verify: $(C --json audit verify)"
# the reads of the content are recorded too (records.interview.reads; one
# per principal and business instant, and the business clock stands still here)
C --as employee:E1 --json interview reads "$IV" | jq -e '[.[] | select(.principal == "manager:M1")] | length >= 1' >/dev/null ||
  fail "the manager's downloads are not in the reads"
log "report pdf: CLI and API identical, $(stat -c %s "$IT_DIR/cli-e.pdf") bytes; downloads audited"
