#!/usr/bin/env bash
# bench/run.sh: the benchmark of issue 4 (`make bench`). Builds the load
# generator and the peers, runs scenarios S1-S5, the cost point and the scaling
# curve against `message` and each peer, side by side, and writes
# bench/RESULTS.md.
#
#   bench/run.sh [--quick] [--servers "message go-original go-hub node-ws"]
#                [--runs N] [--results FILE] [--no-report]
#
# --quick: one short run per scenario, no scaling curve (about a minute).
# Default (full): several runs per scenario, the curve (and again with
# `message --threads 2`), and 50,000 idle connections on `message` (under ~15
# minutes).
#
# Everything talks to 127.0.0.1 only; every run is bounded in time. The server
# is pinned to core 0 and the load generator to core 1 (taskset), each server
# starts fresh for each run (`message` with a new --data directory: history on).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/out"
logs="$out/logs"
mode=full
servers="message go-original go-hub node-ws"
runs=""
results=""
report=1

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --servers) servers="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --results) results="$2"; shift ;;
    --no-report) report=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p "$out" "$logs"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=${results:-$out/results-$stamp.jsonl}
: >"$results"

say() { printf '%s\n' "$*" >&2; }

# --- limits and cores -------------------------------------------------------
# Idle scenarios hold up to 50,000 connections: both processes need the fds.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(nproc)" -ge 2 ]; then
  srv_cpu=(taskset -c 0)
  lg_cpu=(taskset -c 1)
else
  srv_cpu=()
  lg_cpu=()
  say "run.sh: one core only: server and load generator share it"
fi

# --- build ------------------------------------------------------------------
say "== building the load generator"
cmake -S "$here" -B "$out/build" -DCMAKE_BUILD_TYPE=Release >"$logs/build.log" 2>&1
cmake --build "$out/build" -j "$(nproc)" >>"$logs/build.log" 2>&1 || { cat "$logs/build.log" >&2; exit 1; }
lg="$out/build/message_loadgen"

want() { case " $servers " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

if want go-original || want go-hub || want node-ws; then
  say "== building the peers"
  "$here/peers/build.sh" "$out/peers" >>"$logs/build.log" 2>&1 || { tail -20 "$logs/build.log" >&2; exit 1; }
fi

msg=${MESSAGE_BIN:-$root/build/message}
msg_args=()
msg_extra=()  # Arguments of one series only (the two-thread curve).
if want message; then
  if [ ! -x "$msg" ] && [ -f "$root/CMakePresets.json" ]; then
    say "== building message (cmake --preset release)"
    (cd "$root" && cmake --preset release >>"$logs/build.log" 2>&1 &&
      cmake --build --preset release --target message >>"$logs/build.log" 2>&1) || true
  fi
  if [ -x "$msg" ]; then
    help=$("$msg" --help 2>&1 || true)
    # The load generator is one machine playing many clients: no rate limit, and no cap on
    # connections per address (all clients come from 127.0.0.x).
    if grep -q -- '--no-rate-limit' <<<"$help"; then msg_args+=(--no-rate-limit); fi
    if grep -q -- '--max-connections-per-address' <<<"$help"; then
      msg_args+=(--max-connections-per-address 1000000)
    fi
  else
    say "run.sh: no $msg: skipping the message server"
    servers=$(sed 's/\bmessage\b//' <<<"$servers")
  fi
fi

# --- servers ----------------------------------------------------------------
srv_pid=""
srv_port=""
srv_data=""

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # up to 10 s
  local i
  for i in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$srv_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_server() {
  local name=$1
  srv_port=$(free_port)
  srv_data=""
  case "$name" in
    message)
      srv_data=$(mktemp -d "$out/data.XXXXXX")
      "${srv_cpu[@]}" "$msg" --host 127.0.0.1 --port "$srv_port" --data "$srv_data" "${msg_args[@]}" \
        "${msg_extra[@]}" >>"$logs/$name.log" 2>&1 &
      ;;
    go-original|go-hub)
      "${srv_cpu[@]}" "$out/peers/$name" --host 127.0.0.1 --port "$srv_port" >>"$logs/$name.log" 2>&1 &
      ;;
    node-ws)
      "${srv_cpu[@]}" node "$here/peers/node-ws/server.js" --host 127.0.0.1 --port "$srv_port" \
        >>"$logs/$name.log" 2>&1 &
      ;;
    *) say "run.sh: unknown server $name"; return 1 ;;
  esac
  srv_pid=$!
  if ! wait_port "$srv_port"; then
    say "run.sh: $name did not start (see $logs/$name.log)"
    stop_server
    return 1
  fi
}

stop_server() {
  [ -n "$srv_pid" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null || true
  local i
  for i in $(seq 50); do
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
  if [ -n "$srv_data" ]; then rm -rf "$srv_data"; fi
}
trap stop_server EXIT

proto_of() { if [ "$1" = message ]; then echo message; else echo plain; fi; }

# run_one SCENARIO SERVER LOADGEN-ARGS...: one fresh server, one loadgen run,
# one JSON line appended to $results.
run_one() {
  local scenario=$1 name=$2
  shift 2
  local line="" t_start
  t_start=$(date +%s.%N)
  if start_server "$name"; then
    line=$(timeout 300 "${lg_cpu[@]}" "$lg" --port "$srv_port" --proto "$(proto_of "$name")" \
      --scenario "$scenario" --server "${label:-$name}" --server-pid "$srv_pid" "$@" 2>>"$logs/loadgen.log" | tail -n 1) || true
    if ! kill -0 "$srv_pid" 2>/dev/null; then
      say "run.sh: $name exited during $scenario (see $logs/$name.log)"
    fi
    stop_server
  fi
  if [ "${line:0:1}" != "{" ]; then
    line="{\"scenario\":\"$scenario\",\"server\":\"${label:-$name}\",\"failed\":true}"
  fi
  printf '%s\n' "$line" >>"$results"
  python3 - "$line" "$t_start" <<'EOF' >&2
import json, sys, time
d = json.loads(sys.argv[1])
if d.get("failed"):
    print(f'  {d["scenario"]:<10} {d["server"]:<12} FAILED')
else:
    extra = f' rss/conn={d["server_rss_bytes_per_conn"]:.0f}B' if "server_rss_bytes_per_conn" in d else ""
    print(f'  {d["scenario"]:<10} {d["server"]:<12} {time.time() - float(sys.argv[2]):5.1f}s {d["connected"]:>6}/{d["clients"]:<6} '
          f'{d["deliveries_per_s"]:>10.0f}/s p50={d["p50_us"]:.0f}us p99={d["p99_us"]:.0f}us '
          f'lost={d["lost"]} dropped={d["dropped_clients"]} errors={d["errors"]} '
          f'cpu/deliv={d.get("server_cpu_ns_per_delivery", 0):.0f}ns{extra}')
EOF
}

# --- scenarios ----------------------------------------------------------------
if [ "$mode" = quick ]; then
  runs=${runs:-1}
  timing=(--warmup 0.3 --duration 1 --drain 3)
  idle_timing=(--warmup 0.3 --duration 0.5)
  scale_points=""
  big_idle=0
else
  runs=${runs:-3}
  timing=(--warmup 1 --duration 5 --drain 5)
  idle_timing=(--warmup 1 --duration 2)
  scale_points="10 100 1000 10000"
  big_idle=50000
fi
# The server and the load generator each hold one fd per connection: the big
# idle run asks for what the hard RLIMIT_NOFILE allows (raising it needs
# CAP_SYS_RESOURCE, which a container may not grant).
fd_limit=$(ulimit -Hn)
if [ "$fd_limit" != unlimited ] && [ "$big_idle" -gt $((fd_limit - 1000)) ]; then
  say "run.sh: open-file hard limit $fd_limit: the big idle run holds $((fd_limit - 1000)) connections, not $big_idle"
  big_idle=$((fd_limit - 1000))
fi

# name|loadgen arguments (the issue's table; C300 is the cost point: 1000
# clients offered 300k deliveries/s)
scenario_list=(
  "S1|--clients 2 --window 1"
  "S2|--clients 100 --senders 10 --window 8"
  "S2R|--clients 100 --senders 10 --window 8 --react-every 5"
  "S2N|--clients 100 --senders 10 --window 8"
  "S3|--clients 1000 --senders 10 --window 8"
  "S4|--clients 1000 --senders 10 --rate 50"
  "C300|--clients 1000 --senders 10 --rate 300"
  "S5|--clients 10000 --idle"
)

say "== $mode run: servers: $servers; results: $results"
t0=$(date +%s)
# Other work on the machine shows in the load average: the report prints it.
loadavg() { printf '{"meta":"%s","loadavg":%s}\n' "$1" "$(cut -d' ' -f1 /proc/loadavg)" >>"$results"; }
loadavg start
for r in $(seq "$runs"); do
  for entry in "${scenario_list[@]}"; do
    scenario=${entry%%|*}
    read -r -a args <<<"${entry#*|}"
    # One idle run is enough in quick mode; two in full.
    if [ "$scenario" = S5 ] && [ "$r" -gt 2 ]; then continue; fi
    for name in $servers; do
      # Reactions (issue 30) are this protocol's: the peers have none.
      if [ "$scenario" = S2R ] && [ "$name" != message ]; then continue; fi
      # S2 without the search index (issue 29): message only, beside S2 in the same run.
      if [ "$scenario" = S2N ] && [ "$name" != message ]; then continue; fi
      if [ "$scenario" = S2N ]; then msg_extra=(--no-search); fi
      if [ "$scenario" = S5 ]; then
        run_one "$scenario" "$name" "${args[@]}" "${idle_timing[@]}"
      else
        run_one "$scenario" "$name" "${args[@]}" "${timing[@]}"
      fi
      msg_extra=()
    done
  done
done

for n in $scale_points; do
  for name in $servers; do
    run_one "scale-$n" "$name" --clients "$n" --senders 10 --window 8 --warmup 1 --duration 3
  done
done

# The curve again with two I/O threads. The load generator gets cores of its own only where
# there are three or more; on two cores all three threads share both (said in RESULTS.md).
if [ -n "$scale_points" ] && want message; then
  saved_srv=("${srv_cpu[@]}") saved_lg=("${lg_cpu[@]}")
  if [ "$(nproc)" -ge 3 ]; then
    srv_cpu=(taskset -c 0,1)
    lg_cpu=(taskset -c "2-$(($(nproc) - 1))")
    printf '{"meta":"two_threads","cores":"server on cores 0-1, load generator on 2-%s"}\n' "$(($(nproc) - 1))" >>"$results"
  else
    srv_cpu=()
    lg_cpu=()
    printf '{"meta":"two_threads","cores":"%s cores: server and load generator share them"}\n' "$(nproc)" >>"$results"
  fi
  msg_extra=(--threads 2)
  for n in $scale_points; do
    label=message-2t run_one "scale-$n" message --clients "$n" --senders 10 --window 8 --warmup 1 --duration 3
  done
  msg_extra=()
  srv_cpu=("${saved_srv[@]}") lg_cpu=("${saved_lg[@]}")
fi

if [ "$big_idle" -gt 0 ] && want message; then
  run_one "S5-big" message --clients "$big_idle" --idle --warmup 1 --duration 2 --connect-timeout 120
fi
# The upload scenario (issue 28): 1 GiB by tus against one curl PATCH, and its download; full
# mode only (it writes several GiB to the disk). Its table goes under the report.
upload_md=""
if [ "$mode" = full ] && want message; then
  say "== upload: 1 GiB, tus against curl"
  upload_md="$out/upload-$stamp.md"
  MESSAGE_BIN="$msg" "$here/upload.sh" --runs "${runs:-3}" --markdown "$upload_md" >/dev/null ||
    { say "run.sh: the upload scenario failed"; upload_md=""; }
fi
loadavg end
say "== done in $(( $(date +%s) - t0 )) s"

if [ "$report" = 1 ]; then
  python3 "$here/report.py" --mode "$mode" "$results" >"$here/RESULTS.md"
  if [ -n "$upload_md" ]; then printf '\n' >>"$here/RESULTS.md"; cat "$upload_md" >>"$here/RESULTS.md"; fi
  say "== wrote $here/RESULTS.md"
fi
