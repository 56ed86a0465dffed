#!/usr/bin/env python3
"""Static checks of deploy/k8s/components/monitoring (test_monitoring.sh).

    monitoring_check.py alerts PRUL.yaml OPERATIONS.md
        every alert: a severity, a summary, a runbook_url whose #anchor is a
        heading of docs/operations.md (GitHub's anchors), and its name in
        that page
    monitoring_check.py dashboard DASH.json
        valid JSON, unique panel ids, every panel queries the ${datasource}
        variable with an expression, one row per daemon and the gateway
    monitoring_check.py rendered RENDERED.yaml DASH.json
        `kubectl kustomize` output of an overlay with the component: the
        PodMonitor on the http port, the PrometheusRule, the dashboard
        ConfigMap (labelled for the Grafana sidecar, holding the file as is),
        all in the entretiens namespace
    monitoring_check.py component KUSTOMIZATION.yaml
        without a renderer: a Component whose listed files exist and parse
Exit 1 with the reasons on stderr when a check fails.
"""
import json
import os
import re
import sys

import yaml

from k8s_check import report  # same directory

problems = []


def bad(msg):
    problems.append(msg)


def github_anchor(heading):
    a = heading.strip().lower()
    a = re.sub(r"[^\w\- ]", "", a)
    return a.replace(" ", "-")


def alerts(prul, ops):
    spec = yaml.safe_load(open(prul))["spec"]
    text = open(ops).read()
    anchors = {github_anchor(h) for h in re.findall(r"^#+\s+(.*)$", text, re.M)}
    n = 0
    for g in spec["groups"]:
        for r in g["rules"]:
            if "alert" not in r:
                continue
            n += 1
            name = r["alert"]
            if r.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
                bad(f"{name}: severity must be critical, warning or info")
            ann = r.get("annotations", {})
            if not ann.get("summary"):
                bad(f"{name}: no summary")
            url = ann.get("runbook_url", "")
            m = re.fullmatch(r"https://\S+/docs/operations\.md#([\w-]+)", url)
            if not m:
                bad(f"{name}: runbook_url '{url}' does not point into docs/operations.md")
            elif m.group(1) not in anchors:
                bad(f"{name}: docs/operations.md has no heading for #{m.group(1)}")
            if name not in text:
                bad(f"{name}: not described in docs/operations.md")
    if n < 15:
        bad(f"only {n} alerts")
    return n


def dashboard(path):
    dash = json.load(open(path))
    ids, rows = set(), []
    panels = dash.get("panels", [])
    for p in panels:
        if p.get("id") in ids:
            bad(f"panel id {p.get('id')} used twice")
        ids.add(p.get("id"))
        if p.get("type") == "row":
            rows.append(p.get("title", ""))
            continue
        if p.get("datasource", {}).get("uid") != "${datasource}":
            bad(f"panel '{p.get('title')}' does not use the ${{datasource}} variable")
        if not p.get("targets") or not all(t.get("expr") for t in p["targets"]):
            bad(f"panel '{p.get('title')}' has no query")
        if "gridPos" not in p:
            bad(f"panel '{p.get('title')}' has no position")
    for want in ("Scheduler", "Records", "Notifier", "Analytics", "Gateway"):
        if want not in rows:
            bad(f"no '{want}' row (rows: {rows})")
    names = [v.get("name") for v in dash.get("templating", {}).get("list", [])]
    if "datasource" not in names:
        bad("no datasource variable")
    return len(panels)


def rendered(path, dash_path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    pm = by_kind.get("PodMonitor", [])
    if len(pm) != 1:
        bad(f"{len(pm)} PodMonitors rendered")
    else:
        eps = pm[0]["spec"].get("podMetricsEndpoints", [])
        if not any(e.get("port") == "http" and e.get("path") == "/metrics" for e in eps):
            bad("the PodMonitor does not scrape port http, /metrics")
        # the port it scrapes is a named port of every daemon's container
        for s in by_kind.get("StatefulSet", []):
            ports = [p.get("name") for c in s["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])]
            if "http" not in ports:
                bad(f"StatefulSet {s['metadata']['name']} has no port named http")
            labels = s["spec"]["template"]["metadata"]["labels"]
            sel = pm[0]["spec"]["selector"]["matchLabels"]
            if any(labels.get(k) != v for k, v in sel.items()):
                bad(f"the PodMonitor does not select {s['metadata']['name']}'s pods")
    if len(by_kind.get("PrometheusRule", [])) != 1:
        bad("no PrometheusRule rendered")
    cms = [c for c in by_kind.get("ConfigMap", []) if c["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    if len(cms) != 1:
        bad(f"{len(cms)} dashboard ConfigMaps rendered")
    elif json.loads(cms[0]["data"]["entretiens.json"]) != json.load(open(dash_path)):
        bad("the dashboard ConfigMap does not hold dashboards/entretiens.json")
    for d in pm + by_kind.get("PrometheusRule", []) + cms:
        if d["metadata"].get("namespace") != "entretiens":
            bad(f"{d['kind']} {d['metadata']['name']} is not in the entretiens namespace")
    return len(docs)


def component(path):
    k = yaml.safe_load(open(path))
    if k.get("kind") != "Component":
        bad(f"{path} is not a kustomize Component")
    here = os.path.dirname(path)
    files = list(k.get("resources", []))
    for g in k.get("configMapGenerator", []):
        files += g.get("files", [])
    for f in files:
        p = os.path.join(here, f.split("=")[-1])
        if not os.path.isfile(p):
            bad(f"{path} lists {f}, which does not exist")
        elif p.endswith(".json"):
            json.load(open(p))
        else:
            list(yaml.safe_load_all(open(p)))
    return len(files)


def main(argv):
    if len(argv) == 4 and argv[1] == "alerts":
        n = alerts(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "dashboard":
        n = dashboard(argv[2])
    elif len(argv) == 4 and argv[1] == "rendered":
        n = rendered(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "component":
        n = component(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return report(problems, f"{argv[1]}: {n} checked")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
