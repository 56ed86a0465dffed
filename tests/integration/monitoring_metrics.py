#!/usr/bin/env python3
"""The metrics the monitoring files use, and whether the daemons export them.

    monitoring_metrics.py rules PRUL.yaml OUT.yml   the PrometheusRule's spec as a rules file
    monitoring_metrics.py names PRUL.yaml DASH.json  every metric name or __name__ regex used
    monitoring_metrics.py check PRUL.yaml DASH.json ALLOW SCRAPED...
        fails (exit 1) when a name or regex used by a rule or a panel matches no
        metric in the scraped /metrics files, unless ALLOW lists it

A PromQL expression is reduced to its metric selectors: label matchers,
ranges, strings, grouping clauses and function names are removed; what is
left are metric names.  {__name__=~"re"} selectors are kept as regexes
(the rules match every daemon's prefix that way).  Histogram names are
matched with their _bucket/_sum/_count series as exposed.
"""
import json
import re
import sys

import yaml

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "offset", "bool", "inf", "nan", "atan2"}


def rules_spec(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    if doc.get("kind") != "PrometheusRule":
        raise SystemExit(f"{path}: not a PrometheusRule")
    return doc["spec"]


def rule_exprs(spec):
    for g in spec["groups"]:
        for r in g["rules"]:
            yield r.get("alert") or r.get("record"), r["expr"]


def dashboard_exprs(path):
    with open(path) as f:
        dash = json.load(f)

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    yield p.get("title", "?"), t["expr"]
            yield from walk(p.get("panels", []))

    yield from walk(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"\s*label_values\((.*),\s*[a-zA-Z_]\w*\)\s*$", q or "")
        if m:
            yield "variable " + v["name"], m.group(1)


def selectors(expr):
    """(names, regexes) of the metrics an expression selects."""
    regexes = re.findall(r'__name__\s*=~\s*"([^"]*)"', expr)
    names = re.findall(r'__name__\s*=\s*"([^"]*)"', expr)
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)             # strings
    e = re.sub(r"\{[^}]*\}", " ", e)                         # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                        # ranges, subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\b[a-zA-Z_][a-zA-Z0-9_]*\s*\(", "(", e)      # function and aggregation names
    e = re.sub(r"\boffset\s+\w+", " ", e)
    for tok in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", e):
        if tok.lower() in KEYWORDS or re.fullmatch(r"\d+[smhdwy]", tok) or re.fullmatch(r"[eE]\d*", tok):
            continue
        names.append(tok)
    return names, regexes


def used(prul, dash):
    out = []  # (where, kind, name-or-regex)
    for where, expr in list(rule_exprs(rules_spec(prul))) + list(dashboard_exprs(dash)):
        names, regexes = selectors(expr)
        for n in names:
            if ":" not in n:  # recording rules' outputs are not exported
                out.append((where, "name", n))
        for r in regexes:
            out.append((where, "regex", r))
    return out


def exported(paths):
    names = set()
    for p in paths:
        with open(p) as f:
            for line in f:
                m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", line)
                if m and not line.startswith("#"):
                    names.add(m.group(1))
    return names


def main(argv):
    if len(argv) >= 4 and argv[1] == "rules":
        with open(argv[3], "w") as f:
            yaml.safe_dump(rules_spec(argv[2]), f, sort_keys=False)
        return 0
    if len(argv) == 4 and argv[1] == "names":
        for where, kind, n in used(argv[2], argv[3]):
            print(f"{kind}\t{n}\t{where}")
        return 0
    if len(argv) >= 6 and argv[1] == "check":
        allow = set()
        with open(argv[4]) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    allow.add(line)
        have = exported(argv[5:])
        if not have:
            print("no metric in the scraped files", file=sys.stderr)
            return 1
        missing, seen, allowed = [], set(), set()
        for where, kind, n in used(argv[2], argv[3]):
            if kind == "name":
                ok = n in have or any(n + s in have for s in ("_bucket", "_sum", "_count"))
            else:
                rx = re.compile(n)
                ok = any(rx.fullmatch(h) for h in have)
            if ok:
                seen.add(n)
            elif n in allow:
                allowed.add(n)
            else:
                missing.append(f"{n} ({kind}, used by {where})")
        for m in sorted(set(missing)):
            print("MISSING " + m, file=sys.stderr)
        stale = sorted(a for a in allow if a in seen)
        for a in stale:
            print(f"note: {a} is exported now: remove it from {argv[4]}", file=sys.stderr)
        print(f"{len(seen)} metric names/regexes found in the daemons' /metrics, "
              f"{len(allowed)} allowed missing ({', '.join(sorted(allowed)) or 'none'})")
        return 1 if missing else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
