#!/usr/bin/env bash
# bench/smoke.sh: a ~5 s run of the load generator against `message` (part of
# `make test`, registered with ctest as bench.smoke). Starts the server on a
# free port of 127.0.0.1 with a fresh --data directory, runs S1 (two clients
# chatting) and a small S2 (20 clients, 4 senders x 4 in flight) with --check,
# and exits non-zero if anything was lost, reordered, dropped or refused, or if
# nothing was delivered.
#
#   bench/smoke.sh [--server build/message] [--loadgen build/message_loadgen]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
server="$root/build/message"
loadgen="$root/build/message_loadgen"
[ -x "$loadgen" ] || loadgen="$here/out/build/message_loadgen"

while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift ;;
    --loadgen) loadgen="$2"; shift ;;
    *) echo "smoke.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
for f in "$server" "$loadgen"; do
  if [ ! -x "$f" ]; then echo "smoke.sh: $f is missing (build first)" >&2; exit 1; fi
done

data=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

pick_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    echo $((20000 + RANDOM % 30000))
  fi
}

args=()
if "$server" --help 2>&1 | grep -q -- '--no-rate-limit'; then args+=(--no-rate-limit); fi

started=0
for _attempt in 1 2 3; do
  port=$(pick_port)
  "$server" --host 127.0.0.1 --port "$port" --data "$data/store" "${args[@]}" >"$data/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do # up to 10 s
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then started=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ "$started" = 1 ] && break
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
if [ "$started" != 1 ]; then
  echo "smoke.sh: the server did not start:" >&2
  tail -20 "$data/server.log" >&2
  exit 1
fi

status=0
passed=0
failed=0
run() {
  local name=$1
  shift
  local line
  if line=$(timeout 60 "$loadgen" --port "$port" --scenario "$name" --server message --server-pid "$pid" --check "$@"); then
    echo "$line"
    echo "smoke.sh: $name ok"
    passed=$((passed + 1))
  else
    echo "$line"
    echo "smoke.sh: $name FAILED (lost, reordered, dropped, refused or nothing delivered)" >&2
    status=1
    failed=$((failed + 1))
  fi
}
run smoke-S1 --clients 2 --window 1 --warmup 0.3 --duration 1.5
run smoke-S2 --clients 20 --senders 4 --window 4 --warmup 0.3 --duration 1.5

if ! kill -0 "$pid" 2>/dev/null; then
  echo "smoke.sh: the server exited during the run:" >&2
  tail -20 "$data/server.log" >&2
  status=1
fi
if [ "$status" != 0 ]; then tail -20 "$data/server.log" >&2; fi
echo "smoke.sh: $passed run(s) ok, $failed failed"
exit "$status"
