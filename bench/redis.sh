#!/usr/bin/env bash
# bench/redis.sh: one node alone against nodes on Redis (issue 6). Starts a redis-server on a
# free port (AOF on, appendfsync always by default as docs/deployment.md recommends, --save ''),
# then measures with message_loadgen:
#   alone     one node, SQLite store, in-process fan-out (the default)
#   redis-1   one node on Redis (store + fan-out through Redis pub/sub)
#   redis-2   two nodes on Redis; clients alternate between them (--port2), so half of every
#             message's deliveries cross nodes
# Node A is pinned to core 0 and node B to core 1 when the machine has them (taskset); Redis and
# the load generator are not pinned. Every process is stopped by its PID.
#
#   bench/redis.sh [--clients 100] [--senders 10] [--window 8] [--duration 5] [--runs 1]
#                  [--fsync always|everysec]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
server="$root/build/message"
loadgen="$root/build/message_loadgen"
clients=100 senders=10 window=8 duration=5 runs=1 fsync=always
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift ;;
    --senders) senders="$2"; shift ;;
    --window) window="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --fsync) fsync="$2"; shift ;;
    *) echo "redis.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=bench/common.sh
. "$here/common.sh"
require_tools redis.sh

bench_workspace
pin() { # pin CORE: taskset prefix when the core exists
  if command -v taskset >/dev/null && [ "$1" -lt "$(nproc)" ]; then echo "taskset -c $1"; fi
}
extra=()
if "$server" --help 2>&1 | grep -q -- '--no-rate-limit'; then extra+=(--no-rate-limit); fi
# One machine plays every client: lift the per-address connection cap (as run.sh does).
if "$server" --help 2>&1 | grep -q -- "--max-connections-per-address"; then extra+=(--max-connections-per-address 1000000); fi

start_redis --appendonly yes --appendfsync "$fsync"

start_node() { # start_node CORE NAME ARGS... -> sets node_port, node_pid
  local core=$1 name=$2
  shift 2
  node_port=$(pick_port)
  # shellcheck disable=SC2046
  $(pin "$core") "$server" --host 127.0.0.1 --port "$node_port" --data "$work/$name" --log-level warn \
    "${extra[@]}" "$@" >"$work/$name.log" 2>&1 &
  node_pid=$!
  pids+=("$node_pid")
  wait_port "$node_port"
}
stop_node() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

load() { # load LABEL PORT PID [--port2 P]
  local label=$1 port=$2 pid=$3
  shift 3
  timeout 120 "$loadgen" --port "$port" --clients "$clients" --senders "$senders" --window "$window" \
    --duration "$duration" --scenario "$label" --server "$label" --server-pid "$pid" "$@"
}

for run in $(seq "$runs"); do
  start_node 0 "alone-$run"
  load alone "$node_port" "$node_pid"
  stop_node "$node_pid"

  redis-cli -p "$rport" FLUSHALL >/dev/null
  start_node 0 "r1-$run" --redis "redis://127.0.0.1:$rport"
  load redis-1 "$node_port" "$node_pid"
  stop_node "$node_pid"

  redis-cli -p "$rport" FLUSHALL >/dev/null
  start_node 0 "r2a-$run" --redis "redis://127.0.0.1:$rport"
  a_port=$node_port a_pid=$node_pid
  start_node 1 "r2b-$run" --redis "redis://127.0.0.1:$rport"
  load redis-2 "$a_port" "$a_pid" --port2 "$node_port"
  stop_node "$node_pid"
  stop_node "$a_pid"
done
