#!/usr/bin/env python3
"""Checks Kubernetes manifests for what the base promises (test_k8s_manifests.sh).

    k8s_check.py FILE.yaml...     (rendered overlays or the base's files)

Every workload (StatefulSet, Deployment, DaemonSet, Job, CronJob, Pod):
  - every container has a liveness, a readiness and a startup probe (Jobs,
    CronJobs and bare Pods run to completion: probes not required), CPU
    and memory requests and a memory limit;
  - the restricted Pod Security Standard: runAsNonRoot, a RuntimeDefault or
    Localhost seccomp profile, and per container allowPrivilegeEscalation
    false, capabilities drop ALL (nothing added but NET_BIND_SERVICE), not
    privileged, no host namespaces or hostPath volumes;
  - no service-account token mounted;
every single-replica StatefulSet has a PodDisruptionBudget selecting it.
Exit 1 with the reasons on stderr.
"""
import sys

import yaml

problems = []


def bad(msg):
    problems.append(msg)


def report(found, summary):
    """Prints each problem (FAIL: ...) on stderr, or the summary; the exit status."""
    for p in found:
        print("FAIL: " + p, file=sys.stderr)
    if not found:
        print(summary)
    return 1 if found else 0


def pod_spec(doc):
    k = doc["kind"]
    if k == "Pod":
        return doc["spec"]
    if k == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if k in ("StatefulSet", "Deployment", "DaemonSet", "Job", "ReplicaSet"):
        return doc["spec"]["template"]["spec"]
    return None


def check_workload(doc):
    name = f"{doc['kind']}/{doc['metadata']['name']}"
    spec = pod_spec(doc)
    runs_to_end = doc["kind"] in ("Job", "CronJob", "Pod")
    psc = spec.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        bad(f"{name}: securityContext.runAsNonRoot is not true")
    if psc.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
        bad(f"{name}: no RuntimeDefault seccomp profile")
    if spec.get("automountServiceAccountToken") is not False:
        bad(f"{name}: the service-account token is mounted")
    for h in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(h):
            bad(f"{name}: {h}")
    for v in spec.get("volumes", []):
        if "hostPath" in v:
            bad(f"{name}: hostPath volume {v['name']}")
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        cn = f"{name} container {c['name']}"
        if not runs_to_end and c in spec.get("containers", []):
            for p in ("livenessProbe", "readinessProbe", "startupProbe"):
                if p not in c:
                    bad(f"{cn}: no {p}")
        res = c.get("resources", {})
        for r in ("cpu", "memory"):
            if r not in res.get("requests", {}):
                bad(f"{cn}: no {r} request")
        if "memory" not in res.get("limits", {}):
            bad(f"{cn}: no memory limit")
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False:
            bad(f"{cn}: allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            bad(f"{cn}: privileged")
        caps = sc.get("capabilities", {})
        if [x.upper() for x in caps.get("drop", [])] != ["ALL"]:
            bad(f"{cn}: capabilities do not drop ALL")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            bad(f"{cn}: adds capabilities {caps.get('add')}")


def main(paths):
    docs = []
    for p in paths:
        with open(p) as f:
            docs += [d for d in yaml.safe_load_all(f) if isinstance(d, dict) and "kind" in d]
    workloads = [d for d in docs if pod_spec(d) is not None]
    if not workloads:
        bad(f"no workload in {' '.join(paths)}")
    for d in workloads:
        check_workload(d)
    pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    for s in (d for d in docs if d["kind"] == "StatefulSet"):
        labels = s["spec"]["template"]["metadata"].get("labels", {})
        matching = [p for p in pdbs if all(labels.get(k) == v for k, v in p["spec"]["selector"].get("matchLabels", {}).items())]
        if len(matching) != 1:
            bad(f"StatefulSet/{s['metadata']['name']}: {len(matching)} PodDisruptionBudgets select it (one is needed)")
    return report(problems, f"{len(workloads)} workloads checked in {len(paths)} file(s)")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
