# Load runs for bench/run.sh. Each run appends one row to $RESULTS (tab-separated):
#   scenario  target  rep  req_per_s  p50_us  p99_us  target_cpu_us_per_req  errors
# target_cpu_us_per_req: CPU time (user+sys) of the target's process tree during the run / completed requests
# (for "direct" that is the backend itself). Expects $WORK, $RESULTS, $LOAD_CPU, $DUR, $CLK_TCK.

# to_us VALUE_WITH_UNIT (wrk: 812.00us, 1.23ms, 2.01s)
to_us() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.1f", v }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.1f", v * 1000 }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.1f", v * 60e6 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.1f", v * 1e6 }
    else printf "NA" }'
}

# run_wrk SCENARIO TARGET REP TARGET_PID CONNS URL [wrk args...] ; REP "warmup" records nothing.
run_wrk() {
  local scen=$1 target=$2 rep=$3 pid=$4 conns=$5 url=$6; shift 6
  local out="$WORK/log/wrk-${scen// /_}-$target-$rep.txt" dur=$DUR
  [ "$rep" = warmup ] && dur=$WARMUP
  local t0 t1
  t0=$(cpu_ticks "$pid")
  timeout $((dur + 30)) taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${dur}s" --latency "$@" "$url" >"$out" 2>&1
  local rc=$?
  t1=$(cpu_ticks "$pid")
  [ "$rep" = warmup ] && return 0
  if [ $rc -ne 0 ]; then log "wrk failed ($rc) for $scen/$target: $(tail -2 "$out" | tr '\n' ' ')"; return 1; fi
  local rps reqs p50 p99 non2xx sockerr cpu
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  reqs=$(awk '/ requests in / {print $1}' "$out")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  sockerr=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
  cpu=$(awk -v d="$((t1 - t0))" -v r="${reqs:-0}" -v hz="$CLK_TCK" 'BEGIN { if (r > 0) printf "%.1f", d * 1e6 / hz / r; else print "NA" }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$target" "$rep" "${rps:-0}" "$p50" "$p99" "$cpu" \
    "$(( ${non2xx:-0} + ${sockerr:-0} ))" >> "$RESULTS"
  log "$scen $target rep $rep: ${rps:-0} req/s p50 ${p50}us p99 ${p99}us cpu ${cpu}us/req errors $(( ${non2xx:-0} + ${sockerr:-0} ))"
}

# run_h2 SCENARIO TARGET REP TARGET_PID URL : h2load -c32 -m10, one client thread; percentiles from --log-file.
run_h2() {
  local scen=$1 target=$2 rep=$3 pid=$4 url=$5
  local out="$WORK/log/h2-$target-$rep.txt" reqlog="$WORK/log/h2-$target-$rep.tsv" dur=$DUR
  [ "$rep" = warmup ] && dur=$WARMUP
  local t0 t1
  t0=$(cpu_ticks "$pid")
  timeout $((dur + 30)) taskset -c "$LOAD_CPU" h2load -t1 -c32 -m10 -D "$dur" --log-file="$reqlog" "$url" >"$out" 2>&1
  local rc=$?
  t1=$(cpu_ticks "$pid")
  [ "$rep" = warmup ] && { rm -f "$reqlog"; return 0; }
  if [ $rc -ne 0 ]; then log "h2load failed ($rc) for $target: $(tail -2 "$out" | tr '\n' ' ')"; return 1; fi
  local rps ok total non2xx p50 p99 cpu
  rps=$(awk '/^finished in/ {gsub(",", ""); print $4}' "$out")
  total=$(awk '/^requests:/ {print $2}' "$out")
  ok=$(awk '/^requests:/ {gsub(",", ""); print $8}' "$out")
  non2xx=$(awk '/^status codes:/ {gsub(",", ""); print $5 + $7 + $9}' "$out")
  read -r p50 p99 < <(awk -F'\t' '$2 == 200 {print $3}' "$reqlog" | sort -n |
    awk '{v[NR] = $1} END { if (NR == 0) print "NA NA"; else print v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1] }')
  rm -f "$reqlog"
  cpu=$(awk -v d="$((t1 - t0))" -v r="${ok:-0}" -v hz="$CLK_TCK" 'BEGIN { if (r > 0) printf "%.1f", d * 1e6 / hz / r; else print "NA" }')
  local errors=$(( ${total:-0} - ${ok:-0} + ${non2xx:-0} ))
  [ "${ok:-0}" -gt 0 ] 2>/dev/null || { log "h2load: no successful request for $target: $(grep -E 'requests:|ALPN|No protocol' "$out" | tr '\n' ' ')"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$target" "$rep" "${rps:-0}" "$p50" "$p99" "$cpu" "$errors" >> "$RESULTS"
  log "$scen $target rep $rep: ${rps:-0} req/s p50 ${p50}us p99 ${p99}us cpu ${cpu}us/req errors $errors"
}

# run_stime SCENARIO TARGET REP TARGET_PID URL CONNS : CONNS parallel `openssl s_time -reuse` clients, each making
# one TLS 1.3 connection after another that resumes the session of its first one (an HTTP/1.0 GET per connection, read
# to the end): req/s here is resumed handshakes per second. s_time gives no latencies (p50/p99 NA); errors are
# connections that did not resume (s_time prints "r" per resumed connection) plus clients that failed.
run_stime() {
  local scen=$1 target=$2 rep=$3 pid=$4 url=$5 conns=$6
  local hostport=${url#https://}; hostport=${hostport%/}
  local base="$WORK/log/stime-$target-$rep" dur=$DUR i
  [ "$rep" = warmup ] && dur=$WARMUP
  local t0 t1 failed=0
  t0=$(cpu_ticks "$pid")
  local pids=()
  for i in $(seq 1 "$conns"); do
    timeout $((dur + 30)) taskset -c "$LOAD_CPU" openssl s_time -connect "$hostport" -www / -reuse -tls1_3 -time "$dur" >"$base-$i.txt" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  t1=$(cpu_ticks "$pid")
  [ "$rep" = warmup ] && return 0
  local total resumed bytes rps cpu
  total=$(cat "$base"-*.txt | awk '/ connections in .* real seconds/ {n += $1} END {print n + 0}')
  resumed=$(cat "$base"-*.txt | grep -E '^[r*.]+$' | tr -cd 'r' | wc -c)
  bytes=$(cat "$base"-*.txt | awk '/ real seconds, / {b = $(NF - 4)} END {print b + 0}')
  rps=$(awk -v n="$total" -v d="$dur" 'BEGIN { printf "%.2f", n / d }')
  cpu=$(awk -v d="$((t1 - t0))" -v r="$total" -v hz="$CLK_TCK" 'BEGIN { if (r > 0) printf "%.1f", d * 1e6 / hz / r; else print "NA" }')
  local errors=$(( total - resumed + failed ))
  [ "$errors" -lt 0 ] && errors=0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$target" "$rep" "$rps" NA NA "$cpu" "$errors" >> "$RESULTS"
  log "$scen $target rep $rep: $rps handshakes/s (resumed $resumed of $total, $bytes bytes per response) cpu ${cpu}us/conn errors $errors"
}
