# bench/common.sh: what the bench scripts that start their own processes share (redis.sh,
# many_nodes.sh). Source it; it does nothing by itself.
#
#   require_tools NAME    exits 1 unless build/message, build/message_loadgen and
#                         redis-server are there (NAME: the script, for the message)
#   bench_workspace       makes $work (a temp directory) and stops every PID added to $pids,
#                         then removes $work, when the script exits
#   pick_port             prints a free TCP port on 127.0.0.1
#   wait_port PORT        waits up to 10 s for PORT to accept a connection
#   start_redis ARGS...   starts a redis-server in $work/redis with ARGS added; sets $rport

require_tools() {
  for f in "$root/build/message" "$root/build/message_loadgen" /usr/bin/redis-server; do
    [ -x "$f" ] || { echo "$1: $f is missing (make build; apt install redis-server)" >&2; exit 1; }
  done
}

bench_workspace() {
  work=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}

pick_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

start_redis() {
  rport=$(pick_port)
  mkdir -p "$work/redis"
  /usr/bin/redis-server --port "$rport" --bind 127.0.0.1 --save '' --dir "$work/redis" \
    --logfile "$work/redis/redis.log" --daemonize no "$@" &
  pids+=("$!")
  wait_port "$rport"
}
