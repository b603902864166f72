#!/usr/bin/env bash
# bench/run.sh — Causeway against nginx and HAProxy on loopback, in one run, interleaved.
#
#   bench/run.sh                          # everything, DURATION=10 s per run, REPS=3
#   DURATION=5 REPS=3 bench/run.sh
#   QUICK=1 bench/run.sh                  # CI smoke: 1 s runs, 1 rep, small route counts
#   SCENARIOS=h1,tls bench/run.sh         # any of h1,h10,routes,tls,h2,resume,mtls,propagation,churn,memory,tcp,policies,globalrl
#                                         # (globalrl: opt-in, needs redis-server; local vs global rate limit)
# Other knobs: WARMUP (s, default 5), PROP_N (route changes, default 100), ROUTES (default 10000),
#   BUILD=0 (reuse bench/out/causeway), PROXY_CPU (1), LOAD_CPU (0), KEEP_WORK=1 (keep the temp dir),
#   CW_ARGS (extra `causeway run` flags; default "--access-log off --metrics-address 127.0.0.1:19101").
# Output: markdown on stdout and in bench/results/latest.md; progress on stderr.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=lib/procs.sh
. "$HERE/lib/procs.sh"
. "$HERE/lib/peers.sh"
. "$HERE/lib/measure.sh"
. "$HERE/lib/report.sh"

DUR=${DURATION:-10}; DUR=${DUR%s}
REPS=${REPS:-3}
WARMUP=${WARMUP:-5}
PROP_N=${PROP_N:-100}
ROUTES=${ROUTES:-10000}
MEM_COUNTS=${MEM_COUNTS:-"1 1000 10000 10"}
if [ "${QUICK:-0}" = 1 ]; then
  DUR=${DURATION:-1}; DUR=${DUR%s}; REPS=${REPS_QUICK:-1}; WARMUP=${WARMUP_QUICK:-1}
  PROP_N=${PROP_N_QUICK:-10}; ROUTES=${ROUTES_QUICK:-200}; MEM_COUNTS=${MEM_COUNTS_QUICK:-"1 100 200 10"}
fi
SCENARIOS=${SCENARIOS:-h1,h10,routes,tls,h2,resume,mtls,propagation,churn,memory,tcp,policies}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
CLK_TCK=$(getconf CLK_TCK)
CW_OUT="$ROOT/bench/out/causeway"
CW_BIN=${CAUSEWAY_BIN:-"$CW_OUT/causeway"}   # CAUSEWAY_BIN: another build to measure (implies BUILD=0)
CW_ADMIN=127.0.0.1:19100
ROUTES_SCEN="routes=$ROUTES c=32"
# Extra `causeway run` flags. Default: metrics on (as shipped), access log off (the peers log nothing either).
# CW_ARGS="--metrics-address off" or "--access-log json" measure what those cost.
CW_ARGS=${CW_ARGS-"--access-log off --metrics-address 127.0.0.1:19101"}

want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

WORK=$(mktemp -d /tmp/causeway-bench.XXXXXX)
RESULTS="$WORK/results.tsv"; NOTES="$WORK/notes.txt"; PROP="$WORK/prop.txt"; MEM="$WORK/mem.tsv"
: > "$RESULTS"; : > "$NOTES"; : > "$PROP"; : > "$MEM"
note() { echo "$*" >> "$NOTES"; log "note: $*"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- tools
install_tools() {
  local missing=() c pkg
  for c in nginx:nginx haproxy:haproxy wrk:wrk h2load:nghttp2-client iperf3:iperf3 openssl:openssl curl:curl python3:python3; do
    command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  timeout 600 apt-get update -qq >"$WORK/apt.log" 2>&1 || die "apt-get update failed (see output above)"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >>"$WORK/apt.log" 2>&1 \
    || { tail -20 "$WORK/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  # Debian's postinst may start the packaged services; the benchmark does not use them and their ports differ.
}

build_causeway() {
  [ "${BUILD:-1}" = 0 ] && return 0   # reuse bench/out/causeway as it is
  [ -n "${CAUSEWAY_BIN:-}" ] && return 0
  log "dotnet publish src/Causeway -c Release -o bench/out/causeway"
  (cd "$ROOT" && timeout 1200 dotnet publish src/Causeway -c Release -o "$CW_OUT" >"$WORK/log/publish.log" 2>&1) \
    || { tail -20 "$WORK/log/publish.log" >&2; note "Causeway build failed: $(grep -m1 -E 'error' "$WORK/log/publish.log")"; return 1; }
}

# ---------------------------------------------------------------- processes under test
BACKEND_PID=""; NGINX_PID=""; HAPROXY_PID=""; CW_PID=""

start_peers() {
  local port
  for port in 18080 18440 18082 18442 18092 18083 18443 18093 18081 18441 18445 18446 19100; do
    port_free "$port" || die "port $port is in use (another benchmark running?)"
  done
  local inc="" map=""
  if want routes; then
    "$HERE/lib/gen-routes.sh" "$ROUTES" "$WORK/peer-routes" nginx haproxy
    inc="$WORK/peer-routes/nginx-routes.conf"; map="$WORK/peer-routes/haproxy-routes.map"
  fi
  write_backend_conf; write_nginx_proxy_conf "$inc"; write_haproxy_conf "$map"
  start_bg backend "$LOAD_CPU" nginx -p "$WORK/nginx-backend" -c "$WORK/nginx-backend/nginx.conf"; BACKEND_PID=$STARTED_PID
  start_bg nginx "$PROXY_CPU" nginx -p "$WORK/nginx-proxy" -c "$WORK/nginx-proxy/nginx.conf"; NGINX_PID=$STARTED_PID
  start_bg haproxy "$PROXY_CPU" haproxy -db -f "$WORK/haproxy/haproxy.cfg"; HAPROXY_PID=$STARTED_PID
  wait_200 20 "$BACKEND_PID" http://127.0.0.1:18080/ || die "backend did not start: $(tail -3 "$WORK/log/backend.log")"
  wait_200 20 "$NGINX_PID" http://127.0.0.1:18082/ || die "nginx did not start: $(tail -3 "$WORK/log/nginx.log")"
  wait_200 20 "$HAPROXY_PID" http://127.0.0.1:18083/ || die "haproxy did not start: $(tail -3 "$WORK/log/haproxy.log")"
  [ "$(curl -s -m 2 http://127.0.0.1:18082/)" = "$BENCH_BODY" ] || die "nginx proxy returns an unexpected body"
}

# start_causeway DIR READY_URL [curl args] : sets CW_PID, or "" with a note when Causeway cannot serve.
start_causeway() {
  local dir=$1 url=$2; shift 2
  CW_PID=""
  if [ ! -x "$CW_BIN" ]; then note "Causeway not measured: $CW_BIN missing (BUILD=0 without a previous publish, or the build failed)"; return 1; fi
  local t0; t0=$(date +%s%N)
  start_bg causeway "$PROXY_CPU" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TieredPGO=1 \
    "$CW_BIN" run "$dir" --admin-address "$CW_ADMIN" $CW_ARGS
  local pid=$STARTED_PID
  # A listener Causeway reports it could not program will not start answering: stop waiting early.
  WAIT_FAIL_LOG="$WORK/log/causeway.log" WAIT_FAIL_RE='could not be programmed|Cannot bind' wait_200 180 "$pid" "$url" "$@"
  local st=$? rc=""
  [ $st = 2 ] && { wait "$pid"; rc=$?; }
  case $st in
    0) CW_PID=$pid; CW_READY_MS=$(( ($(date +%s%N) - t0) / 1000000 )); log "causeway ready in ${CW_READY_MS} ms"; return 0 ;;
    2) note "Causeway not measured ($(basename "$dir")): \`causeway run\` exited before serving (rc $rc): $(tail -3 "$WORK/log/causeway.log" | tr '\n' ' ' | cut -c1-300)" ;;
    3) note "Causeway not measured ($(basename "$dir")): $(grep -m1 -E 'could not be programmed|Cannot bind' "$WORK/log/causeway.log" | cut -c1-300)"
       stop_pid "$pid" ;;
    *) note "Causeway not measured ($(basename "$dir")): no 200 from $url within 180 s: $(grep -E 'warn|fail|crit' "$WORK/log/causeway.log" | tail -2 | tr '\n' ' ' | cut -c1-300)"
       stop_pid "$pid" ;;
  esac
  return 1
}

stop_causeway() { [ -n "$CW_PID" ] && stop_pid "$CW_PID"; CW_PID=""; }

# cw_config NAME : a fresh Causeway config dir $WORK/NAME holding the committed gateway (no route).
cw_config() {
  rm -rf "${WORK:?}/$1"; mkdir -p "$WORK/$1"
  cp "$HERE/config/causeway-1route/gateway.yaml" "$WORK/$1/"
  echo "$WORK/$1"
}

# ---------------------------------------------------------------- scenarios
# throughput SCENARIO CONNS RUNNER URL_SUFFIX_KIND [wrk args] ; targets interleaved within each repetition.
declare -A URL_H1=([causeway]=http://127.0.0.1:18081/ [nginx]=http://127.0.0.1:18082/ [haproxy]=http://127.0.0.1:18083/ [direct]=http://127.0.0.1:18080/)
declare -A URL_TLS=([causeway]=https://127.0.0.1:18441/ [nginx]=https://127.0.0.1:18442/ [haproxy]=https://127.0.0.1:18443/ [direct]=https://127.0.0.1:18440/)
# Mutual TLS: the peers' client-validating ports; "direct" is the backend's plain TLS port (no client validation there).
declare -A URL_MTLS=([causeway]=https://127.0.0.1:18441/ [nginx]=https://127.0.0.1:18445/ [haproxy]=https://127.0.0.1:18446/ [direct]=https://127.0.0.1:18440/)
declare -A URL_ROUTES=([causeway]=http://127.0.0.1:18081/ [nginx]=http://127.0.0.1:18092/ [haproxy]=http://127.0.0.1:18093/ [direct]=http://127.0.0.1:18080/)

target_pid() {
  case $1 in causeway) echo "$CW_PID" ;; nginx) echo "$NGINX_PID" ;; haproxy) echo "$HAPROXY_PID" ;; direct) echo "$BACKEND_PID" ;; esac
}

targets() { local t; for t in causeway nginx haproxy direct; do { [ $t != causeway ] || [ -n "$CW_PID" ]; } && echo $t; done; }

# load_matrix SCENARIO KIND(wrk|h2) CONNS URLMAP [wrk args]
load_matrix() {
  local scen=$1 kind=$2 conns=$3 map=$4; shift 4
  local -n urls=$map
  local rep t
  for rep in $(seq 1 "$REPS"); do
    for t in $(targets); do
      if [ "$kind" = h2 ]; then run_h2 "$scen" "$t" "$rep" "$(target_pid $t)" "${urls[$t]}"
      elif [ "$kind" = resume ]; then run_resume "$scen" "$t" "$rep" "$(target_pid $t)" "${urls[$t]}" "$conns"
      elif [ "$kind" = mtls ]; then run_resume "$scen" "$t" "$rep" "$(target_pid $t)" "${urls[$t]}" "$conns" "${MTLS_CURL[@]}"
      elif [ "$kind" = ab ]; then run_ab "$scen" "$t" "$rep" "$(target_pid $t)" "$conns" "${urls[$t]}"
      else run_wrk "$scen" "$t" "$rep" "$(target_pid $t)" "$conns" "${urls[$t]}" "$@"; fi
    done
  done
}

warm() {
  local kind=$1 map=$2; shift 2
  local -n urls=$map
  local t
  log "warm-up ${WARMUP}s per target"
  for t in $(targets); do
    if [ "$kind" = h2 ]; then run_h2 warmup "$t" warmup "$(target_pid $t)" "${urls[$t]}"
    elif [ "$kind" = resume ]; then resumption_check "$t" "${urls[$t]}"; run_resume warmup "$t" warmup "$(target_pid $t)" "${urls[$t]}" 32
    elif [ "$kind" = mtls ]; then mtls_check "$t" "${urls[$t]}"; run_resume warmup "$t" warmup "$(target_pid $t)" "${urls[$t]}" 32 "${MTLS_CURL[@]}"
    elif [ "$kind" = ab ]; then run_ab warmup "$t" warmup "$(target_pid $t)" 32 "${urls[$t]}"
    else run_wrk warmup "$t" warmup "$(target_pid $t)" 32 "${urls[$t]}" "$@"; fi
  done
}

scenario_h1() {
  log "== h1: HTTP/1.1 keep-alive, 1 route"
  start_causeway "$HERE/config/causeway-1route" http://127.0.0.1:18081/
  warm wrk URL_H1
  load_matrix "h1 c=32" wrk 32 URL_H1
  load_matrix "h1 c=128" wrk 128 URL_H1
  stop_causeway
}

scenario_h10() {
  log "== h10: HTTP/1.0 keep-alive (ApacheBench -k), 1 route"
  if ! command -v ab >/dev/null 2>&1; then
    log "installing apache2-utils (ab)"
    { timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq apache2-utils; } >>"$WORK/apt.log" 2>&1 \
      || { note "h10 not measured: apache2-utils (ab) could not be installed"; return 0; }
  fi
  start_causeway "$HERE/config/causeway-1route" http://127.0.0.1:18081/
  warm ab URL_H1
  load_matrix "http/1.0 keep-alive c=32" ab 32 URL_H1
  stop_causeway
}

scenario_routes() {
  log "== routes: $ROUTES HTTPRoutes ($(( (ROUTES + 9) / 10 )) hostnames x 10 paths, header matches)"
  local dir; dir=$(cw_config cw-routes)
  "$HERE/lib/gen-routes.sh" "$ROUTES" "$dir" causeway
  local last=$((ROUTES - 1))
  if start_causeway "$dir" "http://127.0.0.1:18081/p$((last % 10))/item" -H "Host: h$((last / 10)).bench"; then
    note "Causeway with $ROUTES routes served its last route ${CW_READY_MS} ms after start"
    [ "$(http_code http://127.0.0.1:18081/nope -H 'Host: nope.bench')" = 404 ] || note "Causeway ($ROUTES routes): unmatched host did not get 404"
  fi
  local -x BENCH_HOSTS=$(( (ROUTES + 9) / 10 )) BENCH_PATHS=10
  [ "$ROUTES" -lt 10 ] && BENCH_PATHS=$ROUTES
  warm wrk URL_ROUTES -s "$HERE/lib/routes.lua"
  load_matrix "$ROUTES_SCEN" wrk 32 URL_ROUTES -s "$HERE/lib/routes.lua"
  stop_causeway
}

scenario_tls() {
  local name=$1   # tls | h2 | resume | mtls
  log "== $name: TLS 1.3 termination"
  local dir; dir=$(cw_config cw-tls)
  cp "$HERE/config/causeway-1route/route.yaml" "$dir/"
  write_causeway_tls "$dir"
  local ready=()
  if [ "$name" = mtls ]; then
    write_causeway_mtls "$dir"
    ready=(--cert "$WORK/tls/client.pem" --key "$WORK/tls/client.key")
  fi
  start_causeway "$dir" https://127.0.0.1:18441/ "${ready[@]}"
  if [ "$name" = tls ]; then
    warm wrk URL_TLS
    load_matrix "https h1 c=32" wrk 32 URL_TLS
    # A new connection, so a full TLS 1.3 handshake, per request: req/s here is handshakes per second.
    load_matrix "https new conn per request c=32" wrk 32 URL_TLS -H "Connection: close"
  elif [ "$name" = mtls ]; then
    # A full TLS 1.3 handshake with a client certificate per request (no session reuse), validated against a client CA.
    MTLS_CURL=(--no-sessionid --cert "$WORK/tls/client.pem" --key "$WORK/tls/client.key")
    warm mtls URL_MTLS
    load_matrix "https mutual TLS new conn per request c=32" mtls 32 URL_MTLS
  elif [ "$name" = resume ]; then
    # A new connection per request again, each resuming a TLS 1.3 session (a ticket): the handshake without the
    # certificate signature, as returning browsers and API clients make it.
    warm resume URL_TLS
    load_matrix "https resumed conn per request c=32" resume 32 URL_TLS
  else
    warm h2 URL_TLS
    load_matrix "h2 tls c=32 m=10" h2 32 URL_TLS
  fi
  stop_causeway
}

scenario_propagation() {
  log "== propagation: $PROP_N route additions"
  local dir; dir=$(cw_config cw-prop)
  "$HERE/lib/gen-routes.sh" 1 "$dir" causeway
  start_causeway "$dir" http://127.0.0.1:18081/p0/x -H "Host: h0.bench" || return 0
  # how long one poll takes: the resolution of every figure below. Polls go over bash's /dev/tcp every ~2 ms
  # (wait_200_tcp): a curl per poll plus a 50 ms sleep made the resolution ~60-80 ms on a loaded machine.
  local i t0 t0m t1 n_to=0 code
  t0=$EPOCHREALTIME
  for i in $(seq 1 20); do http_status_tcp 127.0.0.1 18081 h0.bench /p0/x; done
  t1=$EPOCHREALTIME; local poll_ms; poll_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) * 1000 / 20 }')
  mkdir -p "$WORK/stage"
  : > "$WORK/prop-ms.txt"; : > "$WORK/prop-mv-ms.txt"
  for i in $(seq 1 "$PROP_N"); do
    code=$(http_code http://127.0.0.1:18081/ -H "Host: prop-$i.bench")
    [ "$code" = 404 ] || note "propagation: prop-$i.bench answered $code before its route existed"
    cat > "$WORK/stage/prop-$i.yaml" <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: prop-$i
  namespace: bench
spec:
  parentRefs:
  - name: bench
  hostnames:
  - "prop-$i.bench"
  rules:
  - backendRefs:
    - name: backend
      port: 80
YAML
    # t0: before mv starts; t0m: after mv returned. On a loaded machine starting the mv process alone takes
    # ~5-25 ms before its rename(2): the second figure excludes that (but includes mv's exit).
    t0=$EPOCHREALTIME
    mv "$WORK/stage/prop-$i.yaml" "$dir/prop-$i.yaml"
    t0m=$EPOCHREALTIME
    if wait_200_tcp 10 "$CW_PID" 127.0.0.1 18081 "prop-$i.bench" /; then
      t1=$EPOCHREALTIME; awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$WORK/prop-ms.txt"
      awk -v a="$t0m" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$WORK/prop-mv-ms.txt"
    else
      n_to=$((n_to + 1)); alive "$CW_PID" || { note "propagation: Causeway died at change $i"; break; }
    fi
  done
  printf '| %s | %s | %s | %s | %s | %s | %s / %s |\n' "$PROP_N" "$(pct "$WORK/prop-ms.txt" 0.5)" "$(pct "$WORK/prop-ms.txt" 0.99)" \
    "$(pct "$WORK/prop-ms.txt" 1)" "$n_to" "$poll_ms" "$(pct "$WORK/prop-mv-ms.txt" 0.5)" "$(pct "$WORK/prop-mv-ms.txt" 0.99)" > "$PROP"
  stop_causeway
}

scenario_memory() {
  log "== memory: RSS at $MEM_COUNTS routes"
  local dir; dir=$(cw_config cw-mem)
  local first=${MEM_COUNTS%% *}
  "$HERE/lib/gen-routes.sh" "$first" "$dir" causeway
  local l=$((first - 1))
  start_causeway "$dir" "http://127.0.0.1:18081/p$((l % 10))/x" -H "Host: h$((l / 10)).bench" || return 0
  local n t0 apply_ms
  for n in $MEM_COUNTS; do
    apply_ms=0
    if [ "$n" != "$first" ] || [ -s "$MEM" ]; then
      "$HERE/lib/gen-routes.sh" "$n" "$WORK/stage-mem" causeway
      t0=$(date +%s%N)
      mv "$WORK/stage-mem/routes.yaml" "$dir/routes.yaml"
      l=$((n - 1))
      # applied when the last route answers and the first route beyond it (if any existed) no longer does
      local deadline=$(( $(date +%s) + 180 ))
      while [ "$(date +%s)" -lt "$deadline" ]; do
        alive "$CW_PID" || break
        if [ "$(http_code "http://127.0.0.1:18081/p$((l % 10))/x" -H "Host: h$((l / 10)).bench")" = 200 ] &&
           [ "$(http_code "http://127.0.0.1:18081/p$((n % 10))/x" -H "Host: h$((n / 10)).bench")" = 404 ]; then
          apply_ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
        fi
        sleep 0.05
      done
      [ "$apply_ms" = 0 ] && { note "memory: $n routes not applied within 180 s"; apply_ms=timeout; }
    else
      apply_ms="start ${CW_READY_MS}"
    fi
    alive "$CW_PID" || { note "memory: Causeway died at $n routes"; break; }
    sleep 3
    printf '%s\t%s\t%s\t%s\n' "$n" "$(rss_kib "$CW_PID")" "$(hwm_kib "$CW_PID")" "$apply_ms" >> "$MEM"
    log "memory: $n routes RSS $(rss_kib "$CW_PID") KiB"
  done
  stop_causeway
}

# ---------------------------------------------------------------- main
. "$HERE/lib/more.sh"
. "$HERE/lib/globalrl.sh"
mkdir -p "$WORK/log" "$ROOT/bench/results"
install_tools
build_causeway || true
gen_tls
start_peers
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CW_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo "+dirty")
want h1 && scenario_h1
want h10 && scenario_h10
want routes && scenario_routes
want tls && scenario_tls tls
want h2 && scenario_tls h2
want resume && scenario_tls resume
want mtls && scenario_tls mtls
want propagation && scenario_propagation
want churn && scenario_churn
want memory && scenario_memory
want tcp && scenario_tcp
want globalrl && scenario_globalrl
want policies && scenario_policies

report() {
  echo "# Causeway benchmark — $STARTED"
  echo
  echo "Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)." \
       "Causeway ${CAUSEWAY_BIN:+binary $CAUSEWAY_BIN, }source tree $CW_REV, $(nginx -v 2>&1 | sed 's/.*: //'), $(haproxy -v | awk 'NR==1 {print "HAProxy " $3}'), $(wrk -v 2>&1 | awk 'NR==1 {print $1, $2}')."
  echo "DURATION=${DUR}s REPS=$REPS WARMUP=${WARMUP}s SCENARIOS=$SCENARIOS${QUICK:+ QUICK=$QUICK}." \
       "Proxy under test on CPU $PROXY_CPU; backend (nginx return 200, 100-byte body) and load generator on CPU $LOAD_CPU."
  echo
  echo "## Load (medians over repetitions; ratios are medians of per-repetition ratios)"
  echo
  summary_table
  echo
  if want routes; then
    echo "## $ROUTES routes vs 1 route (req/s, c=32)"; echo; routes_vs_one_route; echo
  fi
  if want propagation && [ -s "$PROP" ]; then
    echo "## Route propagation (Causeway): new HTTPRoute file -> first 200"
    echo
    echo "| changes | p50 ms | p99 ms | max ms | timeouts (10 s) | one poll (/dev/tcp) ms | p50 / p99 ms from mv's exit |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    cat "$PROP"; echo
  fi
  want churn && churn_report
  want tcp && l4_report
  if want memory && [ -s "$MEM" ]; then
    echo "## Causeway memory"
    echo
    echo "| routes | RSS MiB | peak RSS MiB | time to apply ms |"
    echo "|---:|---:|---:|---:|"
    awk -F'\t' '{ printf "| %s | %.1f | %.1f | %s |\n", $1, $2 / 1024, $3 / 1024, $4 }' "$MEM"; echo
  fi
  if [ -s "$NOTES" ]; then echo "## Notes"; echo; awk '!seen[$0]++ { print "- " $0 }' "$NOTES"; echo; fi
}
report | tee "$ROOT/bench/results/latest.md"
