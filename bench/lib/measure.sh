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

# run_ab SCENARIO TARGET REP TARGET_PID CONNS URL : ApacheBench, HTTP/1.0 requests with "Connection: Keep-Alive" (-k),
# one client process. ab reports percentiles in whole milliseconds; requests the target did not keep alive are logged.
run_ab() {
  local scen=$1 target=$2 rep=$3 pid=$4 conns=$5 url=$6
  local out="$WORK/log/ab-$target-$rep.txt" dur=$DUR
  [ "$rep" = warmup ] && dur=$WARMUP
  local t0 t1
  t0=$(cpu_ticks "$pid")
  # -t implies -n 50000: the -n after it lifts that bound, so the run lasts $dur.
  timeout $((dur + 30)) taskset -c "$LOAD_CPU" ab -q -k -c "$conns" -t "$dur" -n 100000000 "$url" >"$out" 2>&1
  local rc=$?
  t1=$(cpu_ticks "$pid")
  [ "$rep" = warmup ] && return 0
  if [ $rc -ne 0 ]; then log "ab failed ($rc) for $scen/$target: $(tail -2 "$out" | tr '\n' ' ')"; return 1; fi
  local rps reqs failed non2xx kept p50 p99 cpu
  rps=$(awk '/^Requests per second:/ {print $4}' "$out")
  reqs=$(awk '/^Complete requests:/ {print $3}' "$out")
  failed=$(awk '/^Failed requests:/ {print $3}' "$out")
  non2xx=$(awk '/^Non-2xx responses:/ {print $3}' "$out")
  kept=$(awk '/^Keep-Alive requests:/ {print $3}' "$out")
  p50=$(awk '$1 == "50%" {print $2 * 1000}' "$out")
  p99=$(awk '$1 == "99%" {print $2 * 1000}' "$out")
  cpu=$(awk -v d="$((t1 - t0))" -v r="${reqs:-0}" -v hz="$CLK_TCK" 'BEGIN { if (r > 0) printf "%.1f", d * 1e6 / hz / r; else print "NA" }')
  local errors=$(( ${failed:-0} + ${non2xx:-0} ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$target" "$rep" "${rps:-0}" "${p50:-NA}" "${p99:-NA}" "$cpu" "$errors" >> "$RESULTS"
  log "$scen $target rep $rep: ${rps:-0} req/s p50 ${p50}us p99 ${p99}us cpu ${cpu}us/req errors $errors kept-alive ${kept:-0}/${reqs:-0}"
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

# run_resume SCENARIO TARGET REP TARGET_PID URL CONNS [curl args] : CONNS curl processes, each requesting one URL after
# another with "Connection: close" (HTTP/1.1), so every request is a new TLS 1.3 connection that resumes the session
# curl keeps from the previous one: req/s is resumed handshakes per second, p50/p99 each request's whole time (connect,
# handshake, response). resumption_check has checked the target accepts resumption. With --no-sessionid and a client
# certificate in the curl args (the mtls scenario) every connection is a full handshake with client authentication.
run_resume() {
  local scen=$1 target=$2 rep=$3 pid=$4 url=$5 conns=$6; shift 6
  local base="$WORK/log/resume-$target-$rep" dur=$DUR i
  [ "$rep" = warmup ] && dur=$WARMUP
  local t0 t1
  t0=$(cpu_ticks "$pid")
  local pids=()
  for i in $(seq 1 "$conns"); do
    timeout "$dur" taskset -c "$LOAD_CPU" curl -sk --http1.1 -H 'Connection: close' "$@" \
      -w '\n@@ %{http_code} %{time_total}\n' "${url}?[1-100000000]" >"$base-$i.txt" 2>/dev/null &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(cpu_ticks "$pid")
  [ "$rep" = warmup ] && { rm -f "$base"-*.txt; return 0; }
  local total ok rps p50 p99 cpu
  total=$(cat "$base"-*.txt | grep -c '^@@ ')
  ok=$(cat "$base"-*.txt | grep -c '^@@ 200 ')
  read -r p50 p99 < <(cat "$base"-*.txt | awk '/^@@ 200 / {printf "%.0f\n", $3 * 1e6}' | sort -n |
    awk '{v[NR] = $1} END { if (NR == 0) print "NA NA"; else print v[int((NR - 1) * 0.5) + 1], v[int((NR - 1) * 0.99) + 1] }')
  rm -f "$base"-*.txt
  rps=$(awk -v n="$ok" -v d="$dur" 'BEGIN { printf "%.2f", n / d }')
  cpu=$(awk -v d="$((t1 - t0))" -v r="$ok" -v hz="$CLK_TCK" 'BEGIN { if (r > 0) printf "%.1f", d * 1e6 / hz / r; else print "NA" }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$target" "$rep" "$rps" "$p50" "$p99" "$cpu" "$((total - ok))" >> "$RESULTS"
  log "$scen $target rep $rep: $rps req/s p50 ${p50}us p99 ${p99}us cpu ${cpu}us/req errors $((total - ok))"
}

# resumption_check TARGET URL : notes when a second connection does not resume the first one's TLS 1.3 session.
resumption_check() {
  local target=$1 url=$2 hostport
  hostport=${url#https://}; hostport=${hostport%/}
  local sess="$WORK/log/resume-$target.sess" req=$'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n'
  printf '%s' "$req" | timeout 5 openssl s_client -connect "$hostport" -tls1_3 -sess_out "$sess" -ign_eof >/dev/null 2>&1
  printf '%s' "$req" | timeout 5 openssl s_client -connect "$hostport" -tls1_3 -sess_in "$sess" -ign_eof 2>/dev/null | grep -q '^Reused,' ||
    note "$target did not resume a TLS 1.3 session (openssl s_client -sess_in): its resume figures are full handshakes"
}

# mtls_check TARGET URL : notes when the target does not refuse a client without a certificate or does not serve one
# with the bench client certificate ("direct", the backend, validates no client: only the second is checked there).
mtls_check() {
  local target=$1 url=$2 code
  code=$(curl -sk -o /dev/null -w '%{http_code}' -m 5 --no-sessionid --cert "$WORK/tls/client.pem" --key "$WORK/tls/client.key" "$url")
  [ "$code" = 200 ] || note "$target did not answer 200 to the bench client certificate (got $code)"
  [ "$target" = direct ] && return 0
  code=$(curl -sk -o /dev/null -w '%{http_code}' -m 5 "$url")
  [ "$code" = 200 ] && note "$target served a client without a certificate: its mutual-TLS figures are not mutual TLS"
  return 0
}
