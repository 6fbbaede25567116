#!/usr/bin/env bash
# clang-tidy over every file of src/ (.clang-tidy), in parallel. It reads the asan preset's
# unity sources (build-asan/src/*/CMakeFiles/*/Unity/unity_*.cxx): each includes every .cpp of
# its batch, so Boost and Beast are parsed once per batch instead of once per file, and a
# finding in an included .cpp or a header of src/ is reported through HeaderFilterRegex.
# Usage: tools/run_clang_tidy.sh [BUILD_DIR] (default build-asan; configure it first:
# cmake --preset asan). Exit status 1 when there is any finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-asan}
mapfile -t units < <(ls "$build"/src/*/CMakeFiles/*/Unity/unity_*.cxx)
[ ${#units[@]} -gt 0 ] || { echo "no unity sources under $build: cmake --preset asan first" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 1 clang-tidy-14 -p "$build" --quiet --warnings-as-errors='*' 2>/dev/null >"$out" || true
# A header included by several batches is reported once per batch: show each finding once.
findings=$(grep -E '^/.*: (warning|error): ' "$out" | sort -u || true)
if [ -n "$findings" ]; then
  echo "$findings"
  echo "$(echo "$findings" | wc -l) clang-tidy finding(s) in src/ (.clang-tidy)"
  exit 1
fi
echo "clang-tidy: no findings in ${#units[@]} unity batches of src/"
