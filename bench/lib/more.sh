# More bench/run.sh scenarios: route churn under load, TCP/UDP throughput through L4 routes (iperf3).
# Sourced by bench/run.sh after its helpers; expects $WORK, $HERE, $DUR, $REPS, $PROXY_CPU, $LOAD_CPU, $CW_BIN, $CW_ADMIN.

CHURN_DUR=${CHURN_DUR:-60}; CHURN_N=${CHURN_N:-100}
if [ "${QUICK:-0}" = 1 ]; then CHURN_DUR=${CHURN_DUR_QUICK:-5}; CHURN_N=${CHURN_N_QUICK:-10}; fi
L4_TABLE="$WORK/l4.tsv"; : > "$L4_TABLE"

# churn: CHURN_N route additions and removals (alternating, evenly spaced) while wrk loads a route that never changes
# for CHURN_DUR seconds. Every failed request (non-2xx, socket error) counts.
scenario_churn() {
  log "== churn: $CHURN_N route changes during a ${CHURN_DUR} s load run"
  local dir; dir=$(cw_config cw-churn)
  "$HERE/lib/gen-routes.sh" 1 "$dir" causeway
  start_causeway "$dir" http://127.0.0.1:18081/p0/x -H "Host: h0.bench" || return 0
  run_wrk warmup causeway warmup "$CW_PID" 32 http://127.0.0.1:18081/p0/x -H "Host: h0.bench"
  mkdir -p "$WORK/stage-churn"
  : > "$WORK/churn-ms.txt"; : > "$WORK/churn-timeouts.txt"
  local interval; interval=$(awk -v d="$CHURN_DUR" -v n="$CHURN_N" 'BEGIN { printf "%.3f", d / (n + 2) }')
  (
    local i
    sleep "$interval"
    for i in $(seq 1 "$CHURN_N"); do
      if [ $((i % 2)) = 1 ]; then
        sed -e "s/name: prop-X/name: churn-$i/" -e "s/prop-X.bench/churn-$i.bench/" > "$WORK/stage-churn/churn-$i.yaml" <<'YAML'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: prop-X
  namespace: bench
spec:
  parentRefs:
  - name: bench
  hostnames:
  - "prop-X.bench"
  rules:
  - backendRefs:
    - name: backend
      port: 80
YAML
        local t0; t0=$(date +%s%N)
        mv "$WORK/stage-churn/churn-$i.yaml" "$dir/churn-$i.yaml"
        # Propagation under load: the addition's first 200 (the remaining interval is slept after it).
        if wait_200_tcp 10 "$CW_PID" 127.0.0.1 18081 "churn-$i.bench" /; then
          awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.1f\n", d / 1e6 }' >> "$WORK/churn-ms.txt"
        else
          echo timeout >> "$WORK/churn-timeouts.txt"
        fi
      else
        rm -f "$dir/churn-$((i - 1)).yaml"
      fi
      sleep "$interval"
    done
  ) &
  local churner=$!
  local saved=$DUR; DUR=$CHURN_DUR
  run_wrk "churn c=32, $CHURN_N route changes" causeway 1 "$CW_PID" 32 http://127.0.0.1:18081/p0/x -H "Host: h0.bench"
  DUR=$saved
  kill "$churner" 2>/dev/null; wait "$churner" 2>/dev/null
  alive "$CW_PID" || note "churn: Causeway died during the run"
  stop_causeway
}

# tcp: one iperf3 TCP stream direct, through HAProxy (mode tcp, one thread) and through a Causeway TCPRoute; then
# 64-byte UDP datagrams direct and through a Causeway UDPRoute. Interleaved, REPS repetitions, medians.
scenario_tcp() {
  log "== tcp: iperf3 through a TCPRoute vs HAProxy mode tcp vs direct; UDP 64 B through a UDPRoute"
  local port
  for port in 18520 18522 18523; do port_free "$port" || { note "tcp: port $port in use, not measured"; return 0; }; done
  start_bg iperf3 "$LOAD_CPU" iperf3 -s -B 127.0.0.1 -p 18520; local iperf=$STARTED_PID
  mkdir -p "$WORK/haproxy-tcp"
  cat > "$WORK/haproxy-tcp/haproxy.cfg" <<'CFG'
global
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend f
  bind 127.0.0.1:18522
  default_backend b
backend b
  server s 127.0.0.1:18520
CFG
  start_bg haproxy-tcp "$PROXY_CPU" haproxy -db -f "$WORK/haproxy-tcp/haproxy.cfg"; local hap=$STARTED_PID
  local dir="$WORK/cw-tcp"; mkdir -p "$dir"
  sed -e 's/port: 15203/port: 18523/g' -e 's/port: 5201/port: 18520/g' "$HERE/l4/causeway-l4.yaml" > "$dir/l4.yaml"
  local cw="" i
  if [ -x "$CW_BIN" ]; then
    start_bg causeway-tcp "$PROXY_CPU" env DOTNET_TieredPGO=1 "$CW_BIN" run "$dir" --admin-address "$CW_ADMIN" $CW_ARGS; cw=$STARTED_PID
    for i in $(seq 1 600); do
      alive "$cw" || break
      (exec 3<>/dev/tcp/127.0.0.1/18523) 2>/dev/null && break
      sleep 0.1
    done
    if ! alive "$cw" || ! (exec 3<>/dev/tcp/127.0.0.1/18523) 2>/dev/null; then
      note "tcp: Causeway not measured: its TCP listener never accepted ($(tail -2 "$WORK/log/causeway-tcp.log" | tr '\n' ' ' | cut -c1-200))"
      stop_pid "$cw"; cw=""
    fi
  else
    note "tcp: Causeway not measured: $CW_BIN missing"
  fi
  sleep 1
  local rep t p pid
  for rep in $(seq 1 "$REPS"); do
    for t in causeway haproxy direct; do
      case $t in causeway) p=18523; pid=$cw ;; haproxy) p=18522; pid=$hap ;; direct) p=18520; pid=$iperf ;; esac
      [ -n "$pid" ] || continue
      l4_run tcp "$t" "$rep" "$pid" "$p"
    done
    for t in causeway direct; do
      case $t in causeway) p=18523; pid=$cw ;; direct) p=18520; pid=$iperf ;; esac
      [ -n "$pid" ] || continue
      l4_run udp "$t" "$rep" "$pid" "$p"
    done
  done
  [ -n "$cw" ] && stop_pid "$cw"
  stop_pid "$hap"; stop_pid "$iperf"
}

# l4_run tcp|udp TARGET REP PID PORT : appends "kind target rep value cpu%" to $L4_TABLE (Gbit/s, or k packets/s
# received for UDP; cpu% = the target's CPU time / wall time).
l4_run() {
  local kind=$1 target=$2 rep=$3 pid=$4 port=$5
  local out="$WORK/log/iperf-$kind-$target-$rep.json" t0 t1 args=()
  [ "$kind" = udp ] && args=(-u -b 0 -l 64)
  t0=$(cpu_ticks "$pid")
  timeout $((DUR + 20)) taskset -c "$LOAD_CPU" iperf3 -c 127.0.0.1 -p "$port" -t "$DUR" -J "${args[@]}" >"$out" 2>&1
  t1=$(cpu_ticks "$pid")
  local value
  value=$(python3 - "$out" "$kind" <<'PY'
import json, sys
try:
    end = json.load(open(sys.argv[1]))["end"]
    if sys.argv[2] == "tcp":
        print("%.2f" % (end["sum_received"]["bits_per_second"] / 1e9))
    else:
        s = end["sum"]
        print("%.1f" % ((s["packets"] - s["lost_packets"]) / s["seconds"] / 1000))
except Exception:
    print("NA")
PY
)
  local cpu; cpu=$(awk -v d="$((t1 - t0))" -v hz="$CLK_TCK" -v s="$DUR" 'BEGIN { printf "%.0f", d * 100 / hz / s }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$target" "$rep" "$value" "$cpu" >> "$L4_TABLE"
  log "$kind $target rep $rep: $value $([ "$kind" = tcp ] && echo Gbit/s || echo 'k packets/s received') cpu ${cpu}%"
}

churn_report() {
  [ -s "$WORK/churn-ms.txt" ] || [ -s "$WORK/churn-timeouts.txt" ] || return 0
  echo "## Route propagation under load (Causeway, during the churn run): new HTTPRoute file -> first 200"
  echo
  echo "| additions | p50 ms | p99 ms | max ms | timeouts (10 s) |"
  echo "|---:|---:|---:|---:|---:|"
  printf '| %s | %s | %s | %s | %s |\n' "$(( $(wc -l < "$WORK/churn-ms.txt") + $(wc -l < "$WORK/churn-timeouts.txt") ))" \
    "$(pct "$WORK/churn-ms.txt" 0.5)" "$(pct "$WORK/churn-ms.txt" 0.99)" "$(pct "$WORK/churn-ms.txt" 1)" "$(wc -l < "$WORK/churn-timeouts.txt")"
  echo
}

l4_report() {
  [ -s "$L4_TABLE" ] || return 0
  echo "## L4 (iperf3, one stream; medians over repetitions)"
  echo
  echo "| traffic | target | throughput | target CPU % | vs HAProxy | vs direct |"
  echo "|---|---|---:|---:|---:|---:|"
  awk -F'\t' '
    $4 != "NA" { v[$1 FS $2] = v[$1 FS $2] " " $4; c[$1 FS $2] = c[$1 FS $2] " " $5; seen[$1 FS $2] = 1 }
    function median(s,   a, n, i, j, t) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
    }
    END {
      split("tcp udp", kinds, " "); split("causeway haproxy direct", targets, " ")
      for (k = 1; k <= 2; k++) for (t = 1; t <= 3; t++) {
        key = kinds[k] FS targets[t]; if (!(key in seen)) continue
        m = median(v[key]); hap = median(v[kinds[k] FS "haproxy"]); dir = median(v[kinds[k] FS "direct"])
        unit = kinds[k] == "tcp" ? " Gbit/s" : "k pkt/s"
        printf "| %s | %s | %s%s | %s | %s | %s |\n", (kinds[k] == "tcp" ? "TCP" : "UDP 64 B"), targets[t], m, unit, median(c[key]),
          (hap != "" && targets[t] == "causeway" ? sprintf("%.2f", m / hap) : ""), (dir != "" && targets[t] != "direct" ? sprintf("%.2f", m / dir) : "")
      }
    }' "$L4_TABLE"
  echo
}

# policies: the same route with and without a BackendTrafficPolicy (a local rate limit never reached, a circuit
# breaker, retries) on the event loop, interleaved per repetition in one Causeway process; then the idle CPU cost of
# active TCP health checks of HC_ENDPOINTS endpoints every HC_INTERVALS seconds (default "1 3": 3 s is Envoy Gateway's
# default interval).
HC_ENDPOINTS=${HC_ENDPOINTS:-1000}; HC_SECONDS=${HC_SECONDS:-20}
if [ "${QUICK:-0}" = 1 ]; then HC_ENDPOINTS=${HC_ENDPOINTS_QUICK:-50}; HC_SECONDS=${HC_SECONDS_QUICK:-2}; fi
scenario_policies() {
  log "== policies: a route with a rate limit, circuit breaker and retries vs the same route without"
  local dir; dir=$(cw_config cw-policies)
  cp "$HERE/config/causeway-1route/route.yaml" "$dir/"
  cat > "$dir/policy.yaml" <<'YAML'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: policy
  namespace: bench
spec:
  parentRefs:
  - name: bench
  rules:
  - matches:
    - path: {type: PathPrefix, value: /policy}
    backendRefs:
    - name: backend
      port: 80
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata:
  name: policy
  namespace: bench
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: policy}
  rateLimit:
    type: Local
    local:
      rules:
      - limit: {requests: 1000000000, unit: Second}
  circuitBreaker:
    maxConnections: 100000
    maxPendingRequests: 100000
    maxParallelRequests: 100000
  retry:
    numRetries: 2
    retryOn:
      triggers: [connect-failure, refused-stream]
YAML
  # Issue 15's route: JWT validation (RS256, the key of examples/eg-policies/security, cached) and an authorization rule
  # on its claims; wrk sends the example's admin token (valid until 2100).
  local sec="$ROOT/examples/eg-policies/security"
  {
    cat <<'YAML'
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: jwt
  namespace: bench
spec:
  parentRefs:
  - name: bench
  rules:
  - matches:
    - path: {type: PathPrefix, value: /jwt}
    backendRefs:
    - name: backend
      port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: jwks
  namespace: bench
data:
YAML
    grep -E '^  jwks: ' "$sec/secrets.yaml"
    cat <<'YAML'
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata:
  name: jwt
  namespace: bench
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: jwt}
  jwt:
    providers:
    - name: example
      issuer: https://issuer.example.com
      audiences: [api]
      localJWKS:
        type: ValueRef
        valueRef: {group: "", kind: ConfigMap, name: jwks}
  authorization:
    defaultAction: Deny
    rules:
    - name: admins
      action: Allow
      principal:
        jwt:
          provider: example
          claims: [{name: roles, valueType: StringArray, values: [admin]}]
YAML
  } >> "$dir/policy.yaml"
  local token; token=$(tr -d '\n' < "$sec/token-admin.jwt")
  start_causeway "$dir" http://127.0.0.1:18081/policy || return 0
  [ "$(http_code http://127.0.0.1:18081/policy)" = 200 ] || note "policies: the policy route did not answer 200"
  [ "$(http_code http://127.0.0.1:18081/jwt -H "Authorization: Bearer $token")" = 200 ] || note "policies: the JWT route did not answer 200 with the admin token"
  [ "$(http_code http://127.0.0.1:18081/jwt)" = 401 ] || note "policies: the JWT route did not answer 401 without a token"
  run_wrk warmup causeway warmup "$CW_PID" 32 http://127.0.0.1:18081/policy
  run_wrk warmup causeway warmup "$CW_PID" 32 http://127.0.0.1:18081/jwt -H "Authorization: Bearer $token"
  local rep
  for rep in $(seq 1 "$REPS"); do
    run_wrk "policies: none c=32" causeway "$rep" "$CW_PID" 32 http://127.0.0.1:18081/
    run_wrk "policies: limit+breaker+retry c=32" causeway "$rep" "$CW_PID" 32 http://127.0.0.1:18081/policy
    run_wrk "policies: jwt+authorization c=32" causeway "$rep" "$CW_PID" 32 http://127.0.0.1:18081/jwt -H "Authorization: Bearer $token"
  done
  stop_causeway

  local iv
  for iv in ${HC_INTERVALS:-1 3}; do scenario_health_checks "$iv"; done
}

# hc_address I: the I-th health-checked endpoint's address (distinct, valid, in 127.0.0.0/8 off 127.0.0.1).
hc_address() { printf '127.%d.%d.%d' $(($1 / 62500 % 250 + 1)) $(($1 / 250 % 250)) $(($1 % 250 + 1)); }

# scenario_health_checks INTERVAL_SECONDS: the idle CPU cost of active TCP health checks of HC_ENDPOINTS endpoints that
# all accept (one nginx listening on each endpoint's address), minus the same process's idle cost without checks.
scenario_health_checks() {
  local iv=$1
  log "== health checks: $HC_ENDPOINTS endpoints probed over TCP every ${iv}s, no traffic"
  local dir; dir=$(cw_config cw-health)
  mkdir -p "$WORK/nginx-hc"
  {
    printf 'user root;\nworker_processes 1;\ndaemon off;\npid %s/nginx-hc/nginx.pid;\nerror_log %s/nginx-hc/error.log warn;\n' "$WORK" "$WORK"
    printf 'worker_rlimit_nofile 16384;\nevents { worker_connections 8192; }\nhttp {\n  access_log off;\n  server {\n'
    local i
    for i in $(seq 0 $((HC_ENDPOINTS - 1))); do printf '    listen %s:18089 backlog=1024;\n' "$(hc_address "$i")"; done
    printf '    location / { return 200; }\n  }\n}\n'
  } > "$WORK/nginx-hc/nginx.conf"
  start_bg nginx-hc "$LOAD_CPU" nginx -c "$WORK/nginx-hc/nginx.conf"
  local hc_pid=$STARTED_PID
  {
    cat <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: checked
  namespace: bench
spec:
  parentRefs:
  - name: bench
  rules:
  - matches:
    - path: {type: PathPrefix, value: /checked}
    backendRefs:
    - name: many
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: many
  namespace: bench
spec:
  ports:
  - {name: http, protocol: TCP, port: 80, targetPort: 18089}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata:
  name: checked
  namespace: bench
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: checked}
  healthCheck:
    active: {type: TCP, interval: ${iv}s, timeout: 500ms, tcp: {}}
YAML
    local i=0 slice=0
    while [ $i -lt "$HC_ENDPOINTS" ]; do
      printf -- '---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: many-%d\n  namespace: bench\n  labels: {kubernetes.io/service-name: many}\naddressType: IPv4\nports:\n- {name: http, protocol: TCP, port: 18089}\nendpoints:\n' "$slice"
      local j
      for j in $(seq 1 100); do
        [ $i -ge "$HC_ENDPOINTS" ] && break
        printf -- '- addresses: ["%s"]\n' "$(hc_address "$i")"
        i=$((i + 1))
      done
      slice=$((slice + 1))
    done
  } > "$dir/health.yaml"
  local with without
  start_causeway "$dir" http://127.0.0.1:19100/readyz || { stop_pid "$hc_pid"; return 0; }
  sleep 3
  local c0; c0=$(hc_checks)
  with=$(hc_idle_cpu)
  local checks=$(( $(hc_checks) - c0 ))
  stop_causeway
  rm "$dir/health.yaml"
  start_causeway "$dir" http://127.0.0.1:19100/readyz || { stop_pid "$hc_pid"; return 0; }
  sleep 3
  without=$(hc_idle_cpu)
  stop_causeway
  stop_pid "$hc_pid"
  note "health checks: $HC_ENDPOINTS accepting endpoints probed over TCP every ${iv} s: $(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a - b }')% of a core (${with}% with the checks, ${without}% for the same process without them, over ${HC_SECONDS} s each; $checks probes counted by causeway_health_checks_total)"
}

hc_checks() { curl -s -m 5 http://127.0.0.1:19101/metrics | awk '/^causeway_health_checks_total/ {s += $2} END {print s + 0}'; }

# hc_idle_cpu: % of a core Causeway used over HC_SECONDS.
hc_idle_cpu() {
  local t0 t1 s0 s1
  t0=$(cpu_ticks "$CW_PID"); s0=$(date +%s%N)
  sleep "$HC_SECONDS"
  t1=$(cpu_ticks "$CW_PID"); s1=$(date +%s%N)
  awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v ns=$((s1 - s0)) 'BEGIN { printf "%.2f", 100 * (t / hz) / (ns / 1e9) }'
}
