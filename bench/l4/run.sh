#!/usr/bin/env bash
# L4 throughput: iperf3 direct vs HAProxy (mode tcp) vs Causeway (TCPRoute; UDPRoute for 64-byte UDP packets/s).
# Proxy on CPU 1, iperf3 client and server on CPU 0; T=seconds per run (default 5); 3 interleaved repetitions.
set -u
cd "$(dirname "$0")"
here="$PWD"
repo="$(cd ../.. && pwd)"
work="$(mktemp -d)"
command -v iperf3 >/dev/null && command -v haproxy >/dev/null || apt-get install -y -qq iperf3 haproxy >/dev/null
dotnet build -c Release "$repo/src/Causeway" >/dev/null
taskset -c 0 iperf3 -s -p 5201 -D --logfile "$work/iperf-s.log"
taskset -c 1 haproxy -f haproxy-tcp.cfg -D -p "$work/haproxy.pid"
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c 1 dotnet "$repo/src/Causeway/bin/Release/net10.0/causeway.dll" run causeway-l4.yaml --admin-address 127.0.0.1:19110 > "$work/causeway.log" 2>&1 &
cw=$!
sleep 8
measure() { taskset -c 0 iperf3 -c 127.0.0.1 -p "$1" -t "${T:-5}" -J 2>/dev/null | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9,2))'; }
udp() { taskset -c 0 iperf3 -c 127.0.0.1 -p "$1" -u -b 0 -l 64 -t "${T:-5}" -J 2>/dev/null | python3 "$here/udpparse.py"; }
for rep in 1 2 3; do
  echo "rep $rep: UDP 64 B direct $(udp 5201), causeway $(udp 15203)"
  echo "rep $rep: direct $(measure 5201) Gbit/s, haproxy $(measure 15202) Gbit/s, causeway $(measure 15203) Gbit/s"
done
kill $cw; wait $cw 2>/dev/null; kill "$(cat "$work/haproxy.pid")"; pkill -f "iperf3 -s -p 5201"
