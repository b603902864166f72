#!/usr/bin/env bash
# gen-routes.sh COUNT OUTDIR [KIND...]
# Writes COUNT routes: route k (0-based) is hostname h<k/10>.bench, path prefix /p<k%10>, with two rules
# (header match "x-variant: canary" first, then the plain prefix), both to the bench backend.
# KIND: causeway -> OUTDIR/routes.yaml (HTTPRoutes in namespace bench, parent Gateway "bench")
#       nginx    -> OUTDIR/nginx-routes.conf (one server block per hostname, one location per path)
#       haproxy  -> OUTDIR/haproxy-routes.map (map_beg keys "host/path")
# Default KIND: causeway. Peers do not model the header-match rule (both rules go to the same backend anyway).
set -euo pipefail
count=$1; out=$2; shift 2
kinds=("${@:-causeway}")
mkdir -p "$out"
for kind in "${kinds[@]}"; do
  case $kind in
    causeway)
      awk -v n="$count" 'BEGIN {
        for (k = 0; k < n; k++) {
          h = int(k / 10); p = k % 10
          printf "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r-%d-%d\n  namespace: bench\n", h, p
          printf "spec:\n  parentRefs:\n  - name: bench\n  hostnames:\n  - \"h%d.bench\"\n  rules:\n", h
          printf "  - matches:\n    - path:\n        type: PathPrefix\n        value: /p%d\n      headers:\n      - name: x-variant\n        value: canary\n", p
          printf "    backendRefs:\n    - name: backend\n      port: 80\n"
          printf "  - matches:\n    - path:\n        type: PathPrefix\n        value: /p%d\n", p
          printf "    backendRefs:\n    - name: backend\n      port: 80\n"
        }
      }' > "$out/routes.yaml.tmp"
      mv "$out/routes.yaml.tmp" "$out/routes.yaml" ;;
    nginx)
      awk -v n="$count" 'BEGIN {
        hosts = int((n + 9) / 10)
        for (h = 0; h < hosts; h++) {
          printf "server {\n  listen 127.0.0.1:18092;\n  server_name h%d.bench;\n", h
          for (p = 0; p < 10 && h * 10 + p < n; p++) printf "  location /p%d { proxy_pass http://be; }\n", p
          printf "  location / { return 404; }\n}\n"
        }
      }' > "$out/nginx-routes.conf" ;;
    haproxy)
      awk -v n="$count" 'BEGIN { for (k = 0; k < n; k++) printf "h%d.bench/p%d 1\n", int(k / 10), k % 10 }' \
        > "$out/haproxy-routes.map" ;;
    *) echo "gen-routes.sh: unknown kind $kind" >&2; exit 2 ;;
  esac
done
