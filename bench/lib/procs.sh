# Process bookkeeping for bench/run.sh: every process started here is recorded by pid and stopped on exit.
# Sourced; expects $WORK.

BENCH_PIDS=()

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# start_bg NAME CPU CMD... : runs CMD pinned to CPU in the background, output to $WORK/log/NAME.log.
# Sets STARTED_PID.
start_bg() {
  local name=$1 cpu=$2; shift 2
  mkdir -p "$WORK/log"
  taskset -c "$cpu" "$@" >"$WORK/log/$name.log" 2>&1 &
  STARTED_PID=$!
  BENCH_PIDS+=("$STARTED_PID")
  log "started $name (pid $STARTED_PID, cpu $cpu)"
}

# stop_pid PID : TERM, wait up to 5 s, then KILL. Only ever called with pids recorded by start_bg.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    # children (nginx workers) first, then the process itself
    local kids; kids=$(pgrep -P "$pid" || true)
    [ -n "$kids" ] && kill -KILL $kids 2>/dev/null
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  BENCH_PIDS=()
}

alive() { kill -0 "$1" 2>/dev/null; }

# cpu_ticks PID : utime+stime (clock ticks) of PID and its direct children (nginx master + workers).
cpu_ticks() {
  local total=0 p t
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    [ -r "/proc/$p/stat" ] || continue
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# http_code URL [curl args...] : prints the status code (000 on failure); bounded by -m 2.
http_code() {
  local url=$1; shift
  curl -sk -o /dev/null -m 2 --connect-timeout 1 -w '%{http_code}' "$@" "$url" 2>/dev/null || true
}

# wait_200 TIMEOUT_S PID URL [curl args...] : polls until 200 (0); 2 if PID (may be "") dies; 3 if
# $WAIT_FAIL_LOG matches $WAIT_FAIL_RE; 1 on timeout.
wait_200() {
  local timeout=$1 pid=$2 url=$3; shift 3
  local deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ -n "$pid" ] && ! alive "$pid" && return 2
    [ -n "${WAIT_FAIL_LOG:-}" ] && grep -qE "$WAIT_FAIL_RE" "$WAIT_FAIL_LOG" 2>/dev/null && return 3
    [ "$(http_code "$url" "$@")" = 200 ] && return 0
    sleep 0.05
  done
  return 1
}

# http_status_tcp ADDR PORT HOST PATH : sets HTTP_STATUS to the status code of one HTTP/1.1 request sent over bash's
# /dev/tcp (no process is started: a poll costs well under a millisecond where one curl costs a process start, tens of
# ms on a loaded machine); 000 when the connection fails. Bounded by read -t 2.
http_status_tcp() {
  local line="" fd
  HTTP_STATUS=000
  exec {fd}<>"/dev/tcp/$1/$2" || return 0
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$4" "$3" >&"$fd" 2>/dev/null
  IFS= read -r -t 2 -u "$fd" line || true
  exec {fd}>&-
  line=${line#HTTP/1.? }
  [ -n "$line" ] && HTTP_STATUS=${line:0:3}
  return 0
}

# wait_200_tcp TIMEOUT_S PID ADDR PORT HOST PATH : polls with http_status_tcp every ~2 ms until 200 (0); 2 if PID
# dies; 1 on timeout. The pause is a read with a timeout on a FIFO nobody writes (no fork for sleep).
wait_200_tcp() {
  local deadline=$(( EPOCHSECONDS + $1 )) pid=$2 tick _
  [ -p "$WORK/tick.fifo" ] || mkfifo "$WORK/tick.fifo"
  exec {tick}<>"$WORK/tick.fifo"
  while (( EPOCHSECONDS < deadline )); do
    { http_status_tcp "$3" "$4" "$5" "$6"; } 2>/dev/null
    [ "$HTTP_STATUS" = 200 ] && { exec {tick}>&-; return 0; }
    [ -n "$pid" ] && ! alive "$pid" && { exec {tick}>&-; return 2; }
    read -r -t 0.002 -u "$tick" _ || true
  done
  exec {tick}>&-
  return 1
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
