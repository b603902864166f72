# globalrl: the same route under a BackendTrafficPolicy local rate limit, then a global one counted in a real
# redis-server (one Lua round trip per request), limits high enough never to deny: what counting in Redis costs per
# request. Causeway only (the peers have no equivalent here). Opt-in: SCENARIOS=globalrl. Sourced by bench/run.sh.

# globalrl_policy DIR TYPE(local|global) : the route of causeway-1route plus a policy limiting it.
globalrl_policy() {
  cp "$HERE/config/causeway-1route/route.yaml" "$1/"
  cat > "$1/policy.yaml" <<YAML
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata:
  name: bench-limit
  namespace: bench
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: bench
  rateLimit:
    $2:
      rules:
      - limit:
          requests: 4000000000
          unit: Second
YAML
}

scenario_globalrl() {
  log "== globalrl: local vs global (Redis) rate limit on one route"
  command -v redis-server >/dev/null 2>&1 || { note "globalrl: redis-server not installed (apt-get install redis-server), not measured"; return 0; }
  local port=18530
  port_free "$port" || { note "globalrl: port $port in use, not measured"; return 0; }
  start_bg redis "$LOAD_CPU" redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --protected-mode no
  local redis=$STARTED_PID i
  for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  local kind dir saved=$CW_ARGS
  for kind in local global; do
    dir=$(cw_config "cw-globalrl-$kind")
    globalrl_policy "$dir" "$kind"
    CW_ARGS="$saved --rate-limit-redis redis://127.0.0.1:$port"
    if start_causeway "$dir" http://127.0.0.1:18081/; then
      [ -n "$(curl -s -m 2 -D - -o /dev/null http://127.0.0.1:18081/ | grep -i '^x-ratelimit-limit')" ] \
        || note "globalrl $kind: no x-ratelimit-limit header (the limit is not counted)"
      local rep
      run_wrk warmup causeway warmup "$CW_PID" 32 http://127.0.0.1:18081/
      for rep in $(seq 1 "$REPS"); do
        run_wrk "globalrl $kind c=32" causeway "$rep" "$CW_PID" 32 http://127.0.0.1:18081/
        # One connection: p50 is one request's latency, with the Redis round trip and nothing queued behind it.
        run_wrk "globalrl $kind c=1" causeway "$rep" "$CW_PID" 1 http://127.0.0.1:18081/
      done
    fi
    CW_ARGS=$saved
    stop_causeway
  done
  stop_pid "$redis"
}
