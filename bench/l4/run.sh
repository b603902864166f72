#!/usr/bin/env bash
# L4 throughput (iperf3): direct vs HAProxy (mode tcp) vs Causeway (TCPRoute; UDPRoute for 64-byte datagrams).
# Now one scenario of bench/run.sh; this wrapper keeps the old entry point. T=seconds per run (default 5).
set -u
exec env SCENARIOS=tcp DURATION="${T:-${DURATION:-5}}" "$(dirname "$0")/../run.sh" "$@"
