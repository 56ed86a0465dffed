# Analytics agree with the law engine (issue 11): a generated organisation of
# 3,000 employees with 15 years of history is ingested by a real scheduler;
# records and analytics follow its events.  Then every obligation figure
# analytics gives — completion (owed, upcoming, overdue, met, lapsed,
# cancelled) per entity and type, CPF top-ups owed and at risk per entity,
# the to-do "overdue" count — is compared with the same figure recomputed
# with python3 from `entretiensctl --json due --all` (the scheduler's own
# list); the tour's, `stats compliance`'s and `stats managers`' overdue
# counts must be equal; nobody with an interview (history or records) in
# the last 24 months may be flagged "no interview"; each employee listed by
# `stats compliance --list` carries their top-up; the entities show the
# policy's declared headcount.  The same checks run again after the clock
# moves on (deadlines pass: at risk becomes owed, chains move), after an
# upgrade from a scheduler store of schema 2 (which publishes its stored
# obligations once: the history an older binary never published), and a
# second analytics rebuilt from seq 1 gives the same answers as the live one.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records analytics
TODAY=2026-11-26
export ENTRETIENS_NOW=$TODAY
N=3000; [ "$IT_SCALE" = small ] && N=600
"$CTL" demo generate --employees $N --seed 11 --start $TODAY --out "$IT_DIR/org.jsonl" \
  --policy-out "$IT_DIR/policy.json" 2>/dev/null || fail "demo generate"

start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg records "$BIN/entretiens-records"
start_bg analytics "$BIN/entretiens-analytics"
wait_ready scheduler 60; wait_ready records 60; wait_ready analytics 60
"$CTL" policy apply "$IT_DIR/policy.json" >/dev/null || fail "policy apply"
"$CTL" ingest "$IT_DIR/org.jsonl" >"$IT_DIR/ingest.txt" 2>&1 || fail "ingest: $(head -n 3 "$IT_DIR/ingest.txt")"
"$CTL" --as admin:root access grant hr:it --entity '*' >/dev/null || fail "access grant"

# every obligation the scheduler holds, page by page (the reply's total is
# exact: the pages must add up to it)
due_all() { # out
  local after="" after_due="" page=0 total
  : >"$1.pages"
  while :; do
    page=$((page + 1))
    "$CTL" --json due --from 1950-01-01 --to 2100-12-31 --all --limit 20000 \
      ${after:+--after "$after" --after-due "$after_due"} >"$IT_DIR/page.json" 2>"$IT_DIR/page.err" ||
      fail "due --all page $page: $(cat "$IT_DIR/page.err")"
    cat "$IT_DIR/page.json" >>"$1.pages"
    grep -q 'truncated' "$IT_DIR/page.err" || break
    after=$(jq -r '.[-1].obligation_id' "$IT_DIR/page.json")
    after_due=$(jq -r '.[-1].due_date' "$IT_DIR/page.json")
  done
  jq -s 'add' "$1.pages" >"$1"
  total=$("$CTL" --json due --from 1950-01-01 --to 2100-12-31 --all --by-type | jq .total)
  [ "$(jq length "$1")" = "$total" ] || fail "due --all pages hold $(jq length "$1") obligations, the total says $total"
  log "the scheduler holds $total obligations ($page pages)"
}

# check LABEL TODAY: every comparison at the scheduler's date TODAY
check() {
  local label=$1 today=$2
  caught_up 300
  due_all "$IT_DIR/due-$label.json"
  local ents
  ents=$(jq -r '[.[].entity] | unique | .[]' "$IT_DIR/due-$label.json")
  [ -n "$ents" ] || fail "$label: no entity in due --all"
  echo '{}' >"$IT_DIR/an-$label.json"
  for e in $ents; do
    "$CTL" --as hr:it --json stats completion --entity "$e" --by type >"$IT_DIR/comp-$e.json" ||
      fail "$label: stats completion --entity $e"
    jq --arg e "$e" --slurpfile c "$IT_DIR/comp-$e.json" '.[$e] = $c[0]' "$IT_DIR/an-$label.json" >"$IT_DIR/an.tmp" &&
      mv "$IT_DIR/an.tmp" "$IT_DIR/an-$label.json"
  done
  "$CTL" --as hr:it --json stats compliance --by entity >"$IT_DIR/compl-$label.json" || fail "$label: stats compliance"
  # French first: the same figures, French headers and the same overdue count
  fr=$("$CTL" --as hr:it --lang fr stats compliance --by entity) || fail "$label: stats compliance --lang fr"
  grep -q "EXPOSITION €" <<<"$fr" || fail "$label: French headers: $(echo "$fr" | head -3)"
  grep -q "échéances en retard, tous types, encore à tenir : $(jq .total.overdue_deadlines "$IT_DIR/compl-$label.json")" <<<"$fr" ||
    fail "$label: the French overdue line: $(echo "$fr" | grep -i retard)"
  "$CTL" --as hr:it --json stats managers --limit 10000 >"$IT_DIR/mgr-$label.json" || fail "$label: stats managers"
  "$CTL" --as hr:it --json stats signals --status no_interview --limit 10000 >"$IT_DIR/sig-$label.json" ||
    fail "$label: stats signals"
  "$CTL" --as hr:it --json stats compliance --list --status owed --limit 10000 >"$IT_DIR/owed-$label.json" ||
    fail "$label: stats compliance --status owed"
  "$CTL" --as hr:it --json stats compliance --list --status at_risk --limit 10000 >"$IT_DIR/risk-$label.json" ||
    fail "$label: stats compliance --status at_risk"
  "$CTL" --as hr:it --json stats compliance --list --limit 10000 >"$IT_DIR/list-$label.json" ||
    fail "$label: stats compliance --list"
  # the tour's count (deploy/local/run.sh): actionable deadlines due before today
  local yesterday
  yesterday=$(date -u -d "$today -1 day" +%Y-%m-%d)
  "$CTL" --json due --from 1950-01-01 --to "$yesterday" --by-type >"$IT_DIR/tour-$label.json" || fail "$label: tour's due"
  python3 - "$label" "$today" "$IT_DIR" <<'PY' || fail "$label: analytics disagree with the scheduler (above)"
import json, sys, collections, datetime
label, today, d = sys.argv[1], sys.argv[2], sys.argv[3]
load = lambda n: json.load(open(f"{d}/{n}"))
due = load(f"due-{label}.json")
an = load(f"an-{label}.json")
errors = []
def same(what, mine, theirs):
    if mine != theirs:
        errors.append(f"{what}: scheduler {mine}, analytics {theirs}")

# completion, per entity and type (and the entity's total)
FIELDS = ("owed", "upcoming", "overdue", "met", "lapsed", "cancelled")
want = collections.defaultdict(lambda: dict.fromkeys(FIELDS, 0))
def cls(o):
    st, act = o["status"], o["actionable"]
    if st == "upcoming": return "upcoming"
    if st == "overdue": return "overdue" if act else "lapsed"
    if st == "met": return "met"
    return "cancelled"  # cancelled, waived
for o in due:
    c = cls(o)
    for key in ((o["entity"], o["type"]), (o["entity"], "*")):
        want[key][c] += 1
        if c != "cancelled":
            want[key]["owed"] += 1
checked = 0
for e, rep in an.items():
    got = {(e, "*"): rep["total"]}
    for g in rep["groups"]:
        got[(e, g["group"])] = g
    for key in set(got) | {k for k in want if k[0] == e}:
        w = want.get(key, dict.fromkeys(FIELDS, 0))
        g = got.get(key, {})
        for f in FIELDS:
            same(f"completion {key[0]} {key[1]} {f}", w[f], g.get(f, 0))
            checked += 1

# CPF top-ups: owed once the recap's deadline has passed, at risk until then
compl = load(f"compl-{label}.json")
risk = collections.defaultdict(lambda: [0, 0, 0, 0])
for o in due:
    p = o.get("penalty_eur", 0)
    if p > 0 and cls(o) != "cancelled":
        r = risk[o["entity"]]
        if o["due_date"] < today:
            r[2] += 1; r[3] += p
        else:
            r[0] += 1; r[1] += p
ents = {x["entity"]: x for x in compl["entities"]}
for e in set(ents) | set(risk):
    x, r = ents.get(e, {}), risk[e]
    same(f"{e} at_risk", r[0], x.get("at_risk", 0))
    same(f"{e} exposure_eur", r[1], x.get("exposure_eur", 0))
    same(f"{e} owed_count", r[2], x.get("owed_count", 0))
    same(f"{e} owed_eur", r[3], x.get("owed_eur", 0))
tot = compl["total"]
same("total owed_count", sum(r[2] for r in risk.values()), tot["owed_count"])
same("total owed_eur", sum(r[3] for r in risk.values()), tot["owed_eur"])
same("total at_risk", sum(r[0] for r in risk.values()), tot["at_risk"])
same("total exposure_eur", sum(r[1] for r in risk.values()), tot["exposure_eur"])
if label == "install" and not sum(r[2] for r in risk.values()):
    errors.append("the organisation has no owed top-up: the test would prove nothing about owed")

# the policy's headcount governs the 50-employee rule
policy = {p["id"]: p.get("headcount", 0) for p in load("policy.json")["entities"]}
for e, x in ents.items():
    if e in policy:
        same(f"{e} declared_headcount", policy[e], x.get("declared_headcount"))
        same(f"{e} subject", policy[e] >= 50, x["subject"])
        same(f"{e} headcount_differs", policy[e] != x["headcount"], x["headcount_differs"])

# one "overdue": actionable and past due, the scheduler's
overdue = sum(1 for o in due if o["status"] == "overdue" and o["actionable"])
tour = load(f"tour-{label}.json")["total"]
mgr = load(f"mgr-{label}.json")["total"]["overdue"]
same("overdue, the tour's", overdue, tour)
same("overdue, stats compliance's", overdue, tot["overdue_deadlines"])
same("overdue, stats managers'", overdue, mgr)
same("overdue, stats completion's", overdue, sum(rep["total"]["overdue"] for rep in an.values()))
if not overdue:
    errors.append("nothing overdue: the overdue comparison would prove nothing")
# the managers' ranking lists only what can still be acted on
owed_by_mgr = collections.Counter(o["manager_id"] for o in due
                                  if o["status"] == "overdue" and o["actionable"] and o["manager_id"])
for m in load(f"mgr-{label}.json")["managers"]:
    same(f"manager {m['manager_id']} overdue", owed_by_mgr.get(m["manager_id"], 0), m["overdue"])

# each employee listed carries their top-up
lists = {s: load(f"{s}-{label}.json") for s in ("owed", "risk")}
same("owed list: penalties", tot["owed_eur"], sum(x["penalty_eur"] for x in lists["owed"]["employees"]))
same("at-risk list: penalties", tot["exposure_eur"], sum(x["penalty_eur"] for x in lists["risk"]["employees"]))
pen = collections.Counter()
for o in due:
    if o.get("penalty_eur", 0) > 0 and cls(o) != "cancelled":
        pen[o["employee_id"]] += o["penalty_eur"]
listed = load(f"list-{label}.json")["employees"]
for x in listed:
    same(f"penalty of {x['employee_id']} in --list", pen.get(x["employee_id"], 0), x["penalty_eur"])
if label == "install" and not any(x["penalty_eur"] for x in listed):
    errors.append("no employee of the --list carries a penalty: the check would prove nothing")

# no interview for 24 months: nobody with an interview held (history of
# the HRIS, obligations met) in the last 24 months is flagged
t = datetime.date.fromisoformat(today)
cut = t.replace(year=t.year - 2).isoformat()
last = {}
for line in open(f"{d}/org.jsonl"):
    ev = json.loads(line)
    if ev.get("type") == "interview_held":
        last[ev["employee_id"]] = max(last.get(ev["employee_id"], ""), ev["effective_date"])
for o in due:
    if o.get("met_on"):
        last[o["employee_id"]] = max(last.get(o["employee_id"], ""), o["met_on"])
sig = load(f"sig-{label}.json")
flagged = [x["employee_id"] for x in sig["flagged"]]
recent = [e for e in flagged if last.get(e, "") >= cut]
if recent:
    errors.append(f"{len(recent)} employees flagged 'no interview' had one since {cut}: {recent[:5]}")
if sig.get("truncated"):
    errors.append("the no-interview list is truncated: raise --limit")
same("no_interview count = listed", len(flagged), sig["counts"]["no_interview"])

for e in errors[:40]:
    print(f"  {label}: {e}", file=sys.stderr)
if errors:
    print(f"  {label}: {len(errors)} disagreements", file=sys.stderr)
    sys.exit(1)
print(f"{label}: {checked} completion figures, {len(ents)} entities' top-ups ({tot['owed_count']} owed, "
      f"{tot['at_risk']} at risk), overdue {overdue} everywhere, {len(flagged)} without an interview "
      f"for 24 months, none with a recent one", file=sys.stderr)
PY
}

check install $TODAY
# a year and a half later: recaps pass their deadline (at risk becomes owed),
# chains move, the sweep publishes every change
LATER=2028-05-15
"$CTL" clock set $LATER --only scheduler,records,analytics >/dev/null || fail "clock set"
export ENTRETIENS_NOW=$LATER
check later $LATER

# an upgrade: the scheduler's store is marked schema 2 (as an older binary
# left it); the new binary's migration asks for the history backfill, and
# the sweep publishes every stored obligation once, whole
obligations=$(jq length "$IT_DIR/due-later.json")
before=$(sched_head)
kill $SCHED; wait $SCHED 2>/dev/null
mdb_dump -s meta "$ENTRETIENS_DATA_DIR/scheduler" | grep -v '^db_pagesize=' |
  awk '$1 == "736368656d615f76657273696f6e" {print; getline; print " 0000000000000002"; next} {print}' \
    >"$IT_DIR/meta.dump" || fail "mdb_dump meta"
mdb_load -s meta -f "$IT_DIR/meta.dump" "$ENTRETIENS_DATA_DIR/scheduler" || fail "mdb_load meta"
start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
wait_ready scheduler 60
wait_for 60 $((before + obligations)) sched_head ||
  fail "the backfill published $(($(sched_head) - before)) events, not the $obligations stored obligations"
grep -q '"scheduler.backfill"' "$IT_DIR/scheduler.log" || fail "no scheduler.backfill in the log"
log "upgraded from schema 2: $obligations obligations published once"
check upgraded $LATER

# rebuild = live: a second analytics on an empty store replays both
# producers from seq 1 and answers the same
it_endpoints analytics2
start_bg analytics2 env ENTRETIENS_ANALYTICS_RPC="$ENTRETIENS_ANALYTICS2_RPC" \
  ENTRETIENS_ANALYTICS_HTTP="$ENTRETIENS_ANALYTICS2_HTTP" ENTRETIENS_DATA_DIR="$IT_DIR/var2" "$BIN/entretiens-analytics"
wait_alive analytics2
caught_up 300 "$ENTRETIENS_ANALYTICS2_HTTP"
for q in "compliance --by entity" "completion --by type" "managers --limit 10000" "signals --limit 10000"; do
  "$CTL" --as hr:it --json stats $q >"$IT_DIR/live.json" || fail "live stats $q"
  ENTRETIENS_ANALYTICS_RPC=$ENTRETIENS_ANALYTICS2_RPC "$CTL" --as hr:it --json stats $q >"$IT_DIR/rebuilt.json" ||
    fail "rebuilt stats $q"
  cmp -s "$IT_DIR/live.json" "$IT_DIR/rebuilt.json" ||
    fail "stats $q: the rebuilt analytics differs: $(diff "$IT_DIR/live.json" "$IT_DIR/rebuilt.json" | head -n 6)"
done
log "a rebuild from seq 1 answers as the live projection"
echo "PASS test_analytics_agree"
