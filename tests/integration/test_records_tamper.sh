# The tamper-evident trail and content at rest: answers and free text are
# sealed in the file; while records runs, values are changed directly
# in its LMDB file (mdb_dump | edit | mdb_load, behind the daemon's back);
# `audit verify` must fail and name the first broken link — an interview
# whose stored content no longer matches its last audit record, then an
# audit record changed after it was written — and pass again once the
# original bytes are back.
source "$(dirname "$0")/lib.sh"
it_endpoints scheduler records
export ENTRETIENS_NOW=2026-03-02
start_bg scheduler "$BIN/entretiens-scheduler"; SCHED=$LAST_PID
start_bg records "$BIN/entretiens-records"; REC=$LAST_PID
wait_ready scheduler; wait_ready records
DB=$ENTRETIENS_DATA_DIR/records
cat >"$IT_DIR/hires.jsonl" <<'JSON'
{"event_id":"h1","source":"hris","type":"hired","employee_id":"M1","effective_date":"2018-01-08","entity":"ACME-FR","region":"metropole","locale":"fr","category":"cadre"}
{"event_id":"h2","source":"hris","type":"hired","employee_id":"E1","effective_date":"2025-09-01","entity":"ACME-FR","region":"metropole","manager_id":"M1","locale":"fr","category":"cadre"}
JSON
"$CTL" ingest "$IT_DIR/hires.jsonl" >/dev/null || fail "ingest"
for i in $(seq 1 50); do "$CTL" --as manager:M1 interview list 2>/dev/null | grep -q E1 && break; sleep 0.1; done
"$CTL" --as admin:root access grant hr:alice --entity ACME-FR --content >/dev/null || fail "grant"
IV=$("$CTL" --as manager:M1 --json interview create --employee E1 --type corrective --title "Retards" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || fail "create"
"$CTL" --as manager:M1 interview schedule "$IV" --at 2026-03-04T10:00 --place "Bureau 12" >/dev/null || fail "schedule"
echo '{"facts": "Retards constatés les 2, 9 et 16 février", "expectations": "Arrivée à 9 h"}' >"$IT_DIR/a.json"
"$CTL" --as manager:M1 interview answer "$IV" --file "$IT_DIR/a.json" >/dev/null || fail "answer"
"$CTL" --as manager:M1 interview hold "$IV" >/dev/null || fail "hold"
out=$("$CTL" --as admin:root audit verify) || fail "verify before: $out"

# Replaces the bytes FROM by TO (same length) in the value under KEY (or in
# every value when KEY is empty) of one database, with mdb_dump and mdb_load
# in their hexadecimal format (the print format does not round-trip binary
# values through this LMDB's mdb_load).
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
lmdb_edit() { # db key-hex from to
  lmdb_edit_hex "$1" "$2" "$(hex "$3")" "$(hex "$4")"
}
lmdb_edit_hex() { # db key-hex from-hex to-hex
  mdb_dump -s "$1" "$DB" >"$IT_DIR/$1.dump" || fail "mdb_dump $1"
  python3 - "$IT_DIR/$1.dump" "$IT_DIR/$1.edited" "$2" "$3" "$4" <<'PY' || fail "edit of $1"
import sys
src, dst, key, old, new = sys.argv[1:]
lines = open(src).read().split("\n")
out, changed, i = [], 0, 0
while i < len(lines):
    line = lines[i]
    out.append(line)
    if line.startswith(" ") and i + 1 < len(lines) and lines[i + 1].startswith(" ") and (not key or line[1:] == key):
        v = lines[i + 1]
        # a match on a byte boundary only (an even offset in the hex text)
        pos = next((p for p in range(1, len(v)) if v.startswith(old, p) and (p - 1) % 2 == 0), -1)
        if pos > 0:
            v = v[:pos] + new + v[pos + len(old):]
            changed += 1
        out.append(v)
        i += 2
        continue
    i += 1
open(dst, "w").write("\n".join(out))
sys.exit(0 if changed else 1)
PY
  mdb_load -s "$1" -f "$IT_DIR/$1.edited" "$DB" 2>"$IT_DIR/mdb_load.err" || fail "mdb_load $1: $(cat "$IT_DIR/mdb_load.err")"
}

# 0. content and free text are sealed at rest: neither the answers nor the
# title are in the file in clear
mdb_dump -s content -p "$DB" | grep -q 'Retards' && fail "an answer is in clear in the store"
mdb_dump -s interviews -p "$DB" | grep -q 'Retards' && fail "the title is in clear in the store"
mdb_dump -s interviews -p "$DB" | grep -q 'E1' || fail "the metadata (employee id) stays in clear for the indexes"
# the sealed value's last 8 bytes (inside its authentication tag)
sealed_tail=$(mdb_dump -s content "$DB" | awk -v k=" $(hex "$IV")" 'f{print substr($0, length($0)-15); exit} $0==k{f=1}')
[ ${#sealed_tail} = 16 ] || fail "no sealed content found for $IV"
flipped=$(python3 -c 'import sys; b=bytes.fromhex(sys.argv[1]); print((bytes([b[0]^1])+b[1:]).hex())' "$sealed_tail")

# 1. a byte of the interview's sealed content changed
lmdb_edit_hex content "$(hex "$IV")" "$sealed_tail" "$flipped"
"$CTL" --as admin:root --json audit verify >"$IT_DIR/v1.json" && fail "a changed answer went unnoticed"
python3 - "$IT_DIR/v1.json" "$IV" <<'PY' || fail "verify after the content change: $(cat "$IT_DIR/v1.json")"
import json, sys
d = json.load(open(sys.argv[1])); b = d["broken"]
assert not d["ok"] and b["interview_id"] == sys.argv[2], d
assert "outside records" in b["reason"] and b["interview_seq"] == 4, b
PY
"$CTL" --as admin:root audit verify >"$IT_DIR/v1.txt"; grep -q "AUDIT TRAIL BROKEN.*interview $IV, link 4" "$IT_DIR/v1.txt" ||
  fail "the message names the link: $(cat "$IT_DIR/v1.txt")"
"$CTL" --as hr:alice audit verify --interview "$IV" >/dev/null && fail "the interview's own verify misses it"
# and the sealed value no longer opens: the show says so, nothing else breaks
out=$("$CTL" --as manager:M1 interview show "$IV" 2>&1) && fail "a changed ciphertext was shown: $out"
grep -q "DATA_LOSS.*does not open" <<<"$out" || fail "the show names the altered content: $out"
"$CTL" --as manager:M1 interview list >/dev/null || fail "a list with an altered content"
lmdb_edit_hex content "$(hex "$IV")" "$flipped" "$sealed_tail"
"$CTL" --as manager:M1 interview show "$IV" | grep -q 'Retards constat' || fail "restored content shows again"
out=$("$CTL" --as admin:root audit verify) || fail "restored content should verify: $out"

# 2. an audit record changed after it was written: the schedule record's place
seq=$("$CTL" --as admin:root --json audit show "$IV" | python3 -c '
import json,sys; print([r["seq"] for r in json.load(sys.stdin) if r["action"]=="schedule"][0])')
key=$(printf '%016x' "$seq")
lmdb_edit audit "$key" 'Bureau 12' 'Bureau 13'
"$CTL" --as admin:root --json audit verify >"$IT_DIR/v2.json" && fail "a changed audit record went unnoticed"
python3 - "$IT_DIR/v2.json" "$IV" "$seq" <<'PY' || fail "verify after the record change: $(cat "$IT_DIR/v2.json")"
import json, sys
d = json.load(open(sys.argv[1])); b = d["broken"]
assert not d["ok"] and b["seq"] == int(sys.argv[3]) and b["interview_id"] == sys.argv[2], d
assert "changed after it was written" in b["reason"], b
PY
out=$("$CTL" --as admin:root audit verify) && fail "verify must exit 1"
grep -q "record $seq of interview $IV" <<<"$out" || fail "message: $out"
"$CTL" --as manager:M1 --json audit verify --interview "$IV" >"$IT_DIR/v3.json" && fail "the interview chain misses it"
grep -q '"interview_seq": 2' "$IT_DIR/v3.json" || fail "the interview chain names link 2: $(cat "$IT_DIR/v3.json")"
lmdb_edit audit "$key" 'Bureau 13' 'Bureau 12'
out=$("$CTL" --as admin:root audit verify) || fail "restored trail should verify: $out"

# 3. an audit record that cannot be read (its first byte, a field tag, made
# invalid): the trail is not listed as if it were whole
v=$(mdb_dump -s audit "$DB" | awk -v k=" $key" '$0 == k { getline; print substr($0, 2, 6); exit }')
[ ${#v} = 6 ] || fail "no audit record under $key"
lmdb_edit_hex audit "$key" "$v" "ff${v:2}"
out=$("$CTL" --as admin:root audit show "$IV" 2>&1) && fail "a trail with an unreadable record was listed: $out"
grep -q "DATA_LOSS" <<<"$out" || fail "audit show: not DATA_LOSS: $out"
grep -q "missing or unreadable" <<<"$out" || fail "audit show does not say why: $out"
grep -q '"records.audit"' "$IT_DIR/records.log" || fail "the unreadable record is not logged"
lmdb_edit_hex audit "$key" "ff${v:2}" "$v"
"$CTL" --as admin:root audit show "$IV" >/dev/null || fail "the restored trail is not listed"
kill -TERM $REC $SCHED; wait $REC; wait $SCHED
echo "changes behind the daemon's back: content and audit record caught, first broken link named"
