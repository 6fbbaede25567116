#!/usr/bin/env bash
# bench/many_nodes.sh: 50,000 idle connections held on this machine at once (issue 4, S5),
# spread over three `message` nodes that share one Redis (issue 6's scale-out), because one
# process may not hold them here: the hard RLIMIT_NOFILE is 20,000 and raising it needs
# CAP_SYS_RESOURCE, which this container does not grant. Each node gets its own load
# generator (which has the same limit) holding --clients/3 idle connections.
#
# Prints one JSON line per node (message_loadgen's, with the node's RSS growth per connection)
# and a summary: the most connections the nodes held at the same moment (counted by `ss`), and
# the time it took to reach them.
#
# With --rate R the connections are not idle: load generator i puts its clients in room
# "nodes-i", half of them on node i and half on node i+1, and one of them sends R messages/s,
# so every message crosses nodes through Redis; each load generator then checks that every
# message reached every client of its room, once and in order (--check).
#
#   bench/many_nodes.sh [--clients 50000] [--nodes 3] [--hold 20] [--rate 0]
#
# Talks to 127.0.0.1 only; every process is stopped by its PID; every wait is bounded.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
server="$root/build/message"
loadgen="$root/build/message_loadgen"
clients=50000 nodes=3 hold=20 rate=0
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift ;;
    --nodes) nodes="$2"; shift ;;
    --hold) hold="$2"; shift ;;
    --rate) rate="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "many_nodes.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=bench/common.sh
. "$here/common.sh"
require_tools many_nodes.sh
ulimit -n "$(ulimit -Hn)"
per_node=$(((clients + nodes - 1) / nodes))
if [ "$per_node" -gt $(($(ulimit -n) - 500)) ]; then
  echo "many_nodes.sh: $per_node connections per node do not fit the open-file limit $(ulimit -n): use more --nodes" >&2
  exit 1
fi

bench_workspace

start_redis --appendonly no

ports=() node_pids=()
for n in $(seq "$nodes"); do
  port=$(pick_port)
  "$server" --host 127.0.0.1 --port "$port" --data "$work/node$n" --log-level warn --no-rate-limit \
    --max-connections-per-address 1000000 --redis "redis://127.0.0.1:$rport" >"$work/node$n.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_port "$port" || { echo "many_nodes.sh: node $n did not start:" >&2; cat "$work/node$n.log" >&2; exit 1; }
  ports+=("$port")
  node_pids+=("$pid")
done

# Every load generator opens its share, holds it for --hold seconds, then reports.
start=$(date +%s.%N)
lg_pids=()
for i in "${!ports[@]}"; do
  if [ "$rate" = 0 ]; then
    mode=(--idle --scenario S5-nodes)
  else
    mode=(--port2 "${ports[$(((i + 1) % nodes))]}" --path "/ws?room=nodes-$i" --senders 1 --rate "$rate"
      --drain 20 --check --scenario S5-nodes-rate)
  fi
  timeout $((hold + 150)) "$loadgen" --port "${ports[$i]}" --clients "$per_node" "${mode[@]}" --warmup 1 \
    --duration "$hold" --connect-timeout 120 --server "message-node$((i + 1))" \
    --server-pid "${node_pids[$i]}" >"$work/lg$i.json" 2>"$work/lg$i.log" &
  lg_pids+=("$!")
  pids+=("$!")
done

# Count what the nodes hold, twice a second, until the load generators end (bounded by their
# own timeouts): the largest count is what the machine held at one moment.
filter=""
for p in "${ports[@]}"; do filter+="${filter:+ or }sport = :$p"; done
most=0 reached=""
for _ in $(seq $(((hold + 160) * 2))); do
  now=$(ss -Htn state established "( $filter )" | wc -l)
  if [ "$now" -gt "$most" ]; then
    most=$now
    if [ "$most" -ge "$clients" ] && [ -z "$reached" ]; then
      reached=$(python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(date +%s.%N)" "$start")
    fi
  fi
  alive=0
  for p in "${lg_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 1 ] || break
  sleep 0.5
done
status=0
for p in "${lg_pids[@]}"; do wait "$p" || status=1; done

for i in "${!ports[@]}"; do tail -n 1 "$work/lg$i.json"; tail -n 3 "$work/lg$i.log" >&2; done
if python3 - "$clients" "$most" "${reached:-}" "$work"/lg*.json <<'EOF'
import json, sys
clients, most, reached = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
runs, failed = [], 0
for f in sys.argv[4:]:
    lines = open(f).read().strip().splitlines()
    if lines and lines[-1].startswith("{"):
        runs.append(json.loads(lines[-1]))
    else:
        failed += 1  # That load generator printed no result (see its .log).
per_conn = [r["server_rss_bytes_per_conn"] for r in runs if "server_rss_bytes_per_conn" in r]
print(json.dumps({
    "scenario": runs[0]["scenario"] if runs else "S5-nodes", "nodes": len(runs), "clients": clients,
    "connected": sum(r["connected"] for r in runs),
    "deliveries": sum(r["deliveries"] for r in runs), "lost": sum(r["lost"] for r in runs),
    "ok": failed == 0 and all(r.get("ok") for r in runs),
    "held_at_once": most, "seconds_to_hold_all": float(reached) if reached else None,
    "server_rss_bytes_per_conn": [round(x) for x in per_conn],
}))
sys.exit(0 if most >= clients and failed == 0 and all(r.get("ok") for r in runs) else 1)
EOF
then :; else status=1; fi
exit "$status"
