#!/usr/bin/env bash
# Every time a --json output carries is RFC 3339 with its offset
# ("2026-03-02T09:00:00.000+01:00") or null — never a bare number, "-", or
# an offset without its colon: scripts parse them with any date library.
# Walks the outputs of the commands that print times, with real daemons.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
it_endpoints scheduler records notifier analytics gateway
export ENTRETIENS_NOW=2026-03-02
start_daemons

cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","department":"sales","region":"metropole","locale":"fr","birth_date":"1980-05-01","category":"cadre","email":"m1@acme.test"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2020-09-01","entity":"ACME-FR","department":"sales","region":"metropole","manager_id":"M1","locale":"fr","birth_date":"1985-02-01","category":"cadre","email":"e1@acme.test"}
{"event_id":"bad","source":"hris","type":"hired","employee_id":"X1","entity":"ACME-FR"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null 2>&1 # the third is a dead letter on purpose
"$CTL" campaign create --id rev --type annual_review --title "Revues" --start 2026-03-01 --end 2026-12-31 >/dev/null 2>&1 || true
echo "correct horse battery" | "$CTL" user add marc --principal manager:M1 >/dev/null || fail "user add"
"$CTL" apikey create --principal service:hris --scope ingest >/dev/null || fail "apikey"
for i in $(seq 1 100); do
  IV=$("$CTL" --as admin:root --json interview list --employee E1 2>/dev/null | jq -r '.interviews[0].id // empty')
  [ -n "$IV" ] && break; sleep 0.1
done
[ -n "$IV" ] || fail "no interview for E1"
"$CTL" --as manager:M1 interview schedule "$IV" --at 2026-03-20T10:00 --place "Salle A" >/dev/null || fail "schedule"
wait_for 20 yes bash -c '"$0" --json notifications list | jq -e "length > 0 or (.notifications // [] | length > 0)" >/dev/null && echo yes' "$CTL" ||
  fail "no notification to look at"

i=0
for cmd in "health" "clock show" "user list" "apikey list" "deadletters" "campaign list" "notifications list" \
           "--as admin:root interview show $IV" "--as admin:root interview history $IV" "--as admin:root audit show $IV" \
           "--as admin:root access list" "template list"; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$CTL" --json $cmd >"$IT_DIR/out$i.json" 2>"$IT_DIR/err$i.txt" || fail "$cmd: $(cat "$IT_DIR/err$i.txt")"
  echo "$cmd" >"$IT_DIR/cmd$i.txt"
done
/usr/bin/python3 - "$IT_DIR" "$i" <<'PY' || fail "a time in --json is not RFC 3339"
import json, re, sys
d, n = sys.argv[1], int(sys.argv[2])
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
# keys that hold a time (dates alone, *_on / due_date, are YYYY-MM-DD and checked apart)
timeish = re.compile(r"(^|_)(at|now|created|last_login|next_try|fire_at|sent_at|received_at)$")
date = re.compile(r"^\d{4}-\d\d-\d\d$")
seen, bad = 0, []
def walk(v, path, cmd):
    global seen
    if isinstance(v, dict):
        for k, x in v.items():
            if timeish.search(k) and not k.endswith("_ms"):
                if x is not None:
                    seen += 1
                    if not (isinstance(x, str) and rfc3339.match(x)):
                        bad.append(f"{cmd}: {path}.{k} = {x!r}")
            elif (k.endswith("_on") or k.endswith("_date")) and x is not None and not isinstance(x, (dict, list)):
                if not (isinstance(x, str) and date.match(x)):
                    bad.append(f"{cmd}: {path}.{k} = {x!r} (a date)")
            walk(x, f"{path}.{k}", cmd)
    elif isinstance(v, list):
        for j, x in enumerate(v):
            walk(x, f"{path}[{j}]", cmd)
for i in range(1, n + 1):
    cmd = open(f"{d}/cmd{i}.txt").read().strip()
    walk(json.load(open(f"{d}/out{i}.json")), "", cmd)
if bad:
    sys.exit("\n".join(bad[:20]))
if seen < 10:
    sys.exit(f"only {seen} times seen: the walk checks nothing")
print(f"{seen} times checked, all RFC 3339")
PY
echo "PASS test_json_times"
