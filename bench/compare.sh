#!/usr/bin/env bash
# Two builds of message side by side in one sitting: S1, S2, S3 and the cost point (C300),
# alternating BEFORE and AFTER run by run so that a slower minute of the machine hits both,
# then the median of each figure per build. For a change to the message path: "before and after,
# side by side" (bench/README.md).
#
#   bench/compare.sh BEFORE_BIN AFTER_BIN [RUNS] [LOADGEN]
#
# PROTO_BEFORE / PROTO_AFTER (default: message) pick the load generator's --proto per side, so
# one build against itself compares the original's bare form with the typed send:
#   PROTO_BEFORE=plain SCENARIOS=S1 bench/compare.sh build/message build/message 5
# SCENARIOS (default: S1 S2 S2R S3 C300) limits the scenarios run. S2R is S2 with one reaction
# per five messages (issue 30): its senders are identified, and deliveries count messages only.
# S2N is S2 with the server's --no-search (issue 29): S2 against S2N is the index's cost.
#
# Each run starts a fresh server on 127.0.0.1 with a new --data directory, pinned to core 0, and
# the load generator pinned to core 1, exactly as run.sh does; every run is bounded by timeout.
set -euo pipefail
before=${1:?usage: compare.sh BEFORE_BIN AFTER_BIN [RUNS] [LOADGEN]}
after=${2:?usage: compare.sh BEFORE_BIN AFTER_BIN [RUNS] [LOADGEN]}
runs=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
lg=${4:-$here/../build/message_loadgen}
out=$(mktemp -d "${TMPDIR:-/tmp}/message-compare.XXXXXX")
results=$out/results.jsonl
srv_cpu=()
lg_cpu=()
if [ "$(nproc)" -ge 2 ]; then srv_cpu=(taskset -c 0); lg_cpu=(taskset -c 1); fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

srv_pid=""
stop_server() {
  [ -n "$srv_pid" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
}
trap 'stop_server; rm -rf "$out"' EXIT

# run_one LABEL BIN SCENARIO LOADGEN-ARGS...
run_one() {
  local label=$1 bin=$2 scenario=$3
  shift 3
  local port data extra=()
  port=$(free_port)
  data=$(mktemp -d "$out/data.XXXXXX")
  # Plain ws on the benchmark's port whatever the build's TLS default is.
  if "$bin" --help 2>&1 | grep -q -- '--no-tls'; then extra+=(--no-tls); fi
  # S2N: S2 without the search index (issue 29), where the build has one to turn off.
  if [ "$scenario" = S2N ] && "$bin" --help 2>&1 | grep -q -- '--no-search'; then extra+=(--no-search); fi
  "${srv_cpu[@]}" "$bin" --host 127.0.0.1 --port "$port" --data "$data" --no-rate-limit \
    --max-connections-per-address 1000000 "${extra[@]}" >>"$out/server.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  local proto=${PROTO_AFTER:-message}
  [ "$label" = before ] && proto=${PROTO_BEFORE:-message}
  timeout 120 "${lg_cpu[@]}" "$lg" --port "$port" --proto "$proto" --scenario "$scenario" --server "$label" \
    --server-pid "$srv_pid" "$@" --warmup 1 --duration 4 --drain 4 2>>"$out/loadgen.log" | tail -n 1 >>"$results" || true
  stop_server
  rm -rf "$data"
}

scenarios=(
  "S1|--clients 2 --window 1"
  "S2|--clients 100 --senders 10 --window 8"
  "S2R|--clients 100 --senders 10 --window 8 --react-every 5"
  "S2N|--clients 100 --senders 10 --window 8"
  "S3|--clients 1000 --senders 10 --window 8"
  "C300|--clients 1000 --senders 10 --rate 300"
)
wanted=" ${SCENARIOS:-S1 S2 S2N S2R S3 C300} "
for r in $(seq "$runs"); do
  for entry in "${scenarios[@]}"; do
    [[ $wanted == *" ${entry%%|*} "* ]] || continue
    read -r -a args <<<"${entry#*|}"
    # Alternate which build goes first, so neither always meets a warmer machine.
    if [ $((r % 2)) -eq 1 ]; then order=(before after); else order=(after before); fi
    for which in "${order[@]}"; do
      if [ "$which" = before ]; then bin=$before; else bin=$after; fi
      run_one "$which" "$bin" "${entry%%|*}" "${args[@]}"
    done
  done
  echo "run $r of $runs done" >&2
done

python3 - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def med(scenario, server, key):
    v = [r[key] for r in rows if r.get("scenario") == scenario and r.get("server") == server and key in r]
    return (statistics.median(v), len(v)) if v else (float("nan"), 0)
print(f'{"figure":<34}{"before":>12}{"after":>12}{"after/before":>14}  runs')
for scenario, keys in [("S1", ["deliveries_per_s", "p50_us", "p99_us"]), ("S2", ["deliveries_per_s"]), ("S2N", ["deliveries_per_s"]), ("S2R", ["deliveries_per_s", "rows_per_s"]), ("S3", ["deliveries_per_s"]),
                       ("C300", ["server_cpu_ns_per_delivery"])]:
    for key in keys:
        b, nb = med(scenario, "before", key)
        a, na = med(scenario, "after", key)
        print(f'{scenario + " " + key:<34}{b:>12.1f}{a:>12.1f}{a / b if b else float("nan"):>14.3f}  {nb}/{na}')
# S2R against S2 in the same binary (issue 30's goal): rows of the room delivered per second.
for side in ("before", "after"):
    r2, _ = med("S2R", side, "rows_per_s")
    s2, _ = med("S2", side, "deliveries_per_s")
    if r2 == r2 and s2 == s2:
        print(f'{"S2R rows/s over S2, " + side:<34}{r2 / s2:>12.3f}')
lost = sum(r.get("lost", 0) for r in rows)
print(f"lost messages over all runs: {lost}")
EOF
