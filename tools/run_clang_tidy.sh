#!/usr/bin/env bash
# clang-tidy over every file of src/ (.clang-tidy), in parallel. It reads the unity sources of a
# tree configured with the asan preset (BUILD/src/*/CMakeFiles/*/Unity/unity_*.cxx; configure
# writes them, nothing needs building): each includes every .cpp of
# its batch, so Boost and Beast are parsed once per batch instead of once per file, and a
# finding in an included .cpp or a header of src/ is reported through HeaderFilterRegex.
# Usage: tools/run_clang_tidy.sh [BUILD_DIR] (default build-tidy; configure it first, as
# `make tidy` does: cmake --preset asan -B build-tidy -DMESSAGE_PRECOMPILED_HEADERS=OFF; its own
# tree, so the sanitizer builds are left alone). Exit status 1 when there is any finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-tidy}
mapfile -t units < <(ls "$build"/src/*/CMakeFiles/*/Unity/unity_*.cxx)
[ ${#units[@]} -gt 0 ] || { echo "no unity sources under $build: configure it as make tidy does" >&2; exit 2; }
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
