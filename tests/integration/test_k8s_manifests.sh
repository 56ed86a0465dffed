#!/usr/bin/env bash
# deploy/k8s: every overlay renders (kubectl kustomize) and every workload in
# it, and in the base, has its probes, resources and the restricted security
# context; every StatefulSet has its disruption budget; the examples too.
# Debian 12 packages no kustomize recent enough for Components (kubernetes-client
# is 1.20): where no kubectl is installed, the base's files and the examples
# are checked as they are and the overlays are said not to be rendered.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
top=$(cd "$here/../.." && pwd)

python3 "$here/k8s_check.py" "$top"/deploy/k8s/base/*.yaml || fail "deploy/k8s/base"
for f in "$top"/deploy/k8s/examples/*.yaml; do
  [ -e "$f" ] || continue
  python3 "$here/k8s_check.py" "$f" || fail "$f"
done
if command -v kubectl >/dev/null && kubectl kustomize --help >/dev/null 2>&1; then
  n=0
  for o in "$top"/deploy/k8s/base "$top"/deploy/k8s/overlays/*/; do
    out=$IT_DIR/rendered-$n.yaml; n=$((n + 1))
    kubectl kustomize "$o" >"$out" 2>"$IT_DIR/kustomize.err" || fail "kubectl kustomize $o: $(cat "$IT_DIR/kustomize.err")"
    python3 "$here/k8s_check.py" "$out" || fail "rendered $o"
  done
  echo "PASS: base, $((n - 1)) overlay(s) rendered and checked, examples checked"
else
  echo "PASS: base and examples checked (no kubectl here: overlays not rendered)"
fi
