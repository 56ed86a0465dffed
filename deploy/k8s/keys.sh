#!/usr/bin/env bash
# Prints the Kubernetes Secrets holding the CurveZMQ keys of a keys directory
# made by `entretiensctl keys init DIR` (and `keys add`):
#   entretiens-keys-public       every NAME.pub (mounted in every pod)
#   entretiens-keys-<daemon>     that daemon's NAME.secret only (records: and
#                                records.master, the key of the content at rest)
# Client keys' secrets (operator, hris, ...) are not printed: they stay with
# their clients.
#
#   deploy/k8s/keys.sh DIR [NAMESPACE] | kubectl apply -f -
set -euo pipefail
dir=${1:?usage: keys.sh DIR [NAMESPACE]}
ns=${2:-entretiens}
[ -d "$dir" ] || { echo "keys.sh: no directory $dir" >&2; exit 2; }
secret() { # name files...
  local name=$1; shift
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\n' "$name" "$ns"
  printf '  labels:\n    app.kubernetes.io/name: entretiens\n    app.kubernetes.io/part-of: entretiens\ntype: Opaque\ndata:\n'
  local f
  for f in "$@"; do printf '  %s: %s\n' "$(basename "$f")" "$(base64 -w0 <"$f")"; done
}
pubs=("$dir"/*.pub)
[ -e "${pubs[0]}" ] || { echo "keys.sh: no .pub file in $dir" >&2; exit 2; }
secret entretiens-keys-public "${pubs[@]}"
for d in scheduler records notifier analytics gateway; do
  [ -f "$dir/$d.secret" ] || { echo "keys.sh: $dir/$d.secret is missing (entretiensctl keys init $dir)" >&2; exit 2; }
  files=("$dir/$d.secret")
  if [ "$d" = records ]; then
    [ -f "$dir/records.master" ] || { echo "keys.sh: $dir/records.master is missing (entretiensctl keys init $dir)" >&2; exit 2; }
    files+=("$dir/records.master")
  fi
  secret "entretiens-keys-$d" "${files[@]}"
done
