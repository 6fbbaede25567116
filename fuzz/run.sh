#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD_DIR/fuzz for SECONDS in all (split evenly), starting
# from the committed seed corpus fuzz/corpus/<target>/. New inputs go to a scratch directory,
# not into the repository. Exits non-zero if any target crashes, leaks or times out; the
# reproducer is left in BUILD_DIR/fuzz-artifacts/ (turn it into a test in tests/unit).
# Usage: fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
targets=(fuzz_decode fuzz_ws_query fuzz_http_route fuzz_websocket_frame fuzz_server_line fuzz_tus_headers)
per=$(( seconds / ${#targets[@]} ))
(( per >= 1 )) || per=1
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  [[ -x $bin ]] || { echo "fuzz: $bin is missing (cmake --build --preset fuzz)" >&2; exit 1; }
  mkdir -p "$scratch/$t"
  echo "fuzz: $t for ${per}s"
  if ! "$bin" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$t-" "$scratch/$t" "$here/corpus/$t" >"$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log" >&2
    echo "fuzz: $t FAILED; reproducer in $artifacts/" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$scratch/$t.log" | sed "s/^/  /" || true
  fi
done
exit $status
