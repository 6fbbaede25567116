#!/usr/bin/env bash
# bench/upload.sh: the upload benchmark of issue 28 (a scenario of `make bench`). 1 GiB over
# loopback to a fresh `message` each time:
#   tus   our tus client path (bench/upload/tus_upload.py): POST, then PATCHes of --piece bytes
#         on one keep-alive connection, as the page does;
#   curl  the same bytes as ONE plain PATCH by `curl -T` (after a POST), the baseline;
#   get   `curl` GET of the stored 1 GiB blob (the server's sendfile path).
# The server's RSS is sampled every 50 ms during each upload: idle (before) and peak.
# The server is pinned to core 0 and the clients to core 1 (as run.sh). Data directories and
# the GiB file live under bench/out/upload (the disk, never /tmp's tmpfs) and are removed after.
#
#   bench/upload.sh [--runs N] [--mib M] [--piece BYTES] [--markdown FILE]
#
# Prints one line per run and a Markdown table (also to --markdown FILE). Goal: tus >= 80% of curl.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
msg=${MESSAGE_BIN:-$root/build/message}
runs=3
mib=1024
piece=$((64 << 20))
markdown=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --mib) mib="$2"; shift ;;
    --piece) piece="$2"; shift ;;
    --markdown) markdown="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "upload.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$msg" ] || { echo "upload.sh: no $msg (build it first)" >&2; exit 1; }
command -v curl >/dev/null || { echo "upload.sh: needs curl" >&2; exit 1; }

work="$here/out/upload"
mkdir -p "$work"
file="$work/blob.bin"
token="$(printf 'b%.0s' $(seq 21))A"
if [ "$(nproc)" -ge 2 ]; then srv_cpu=(taskset -c 0); cl_cpu=(taskset -c 1); else srv_cpu=(); cl_cpu=(); fi

pid=""
port=""
data=""
sampler=""
cleanup() {
  if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$data" ]; then rm -rf "$data"; fi
  rm -f "$file"
}
trap cleanup EXIT

start_server() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  data=$(mktemp -d "$work/data.XXXXXX")
  "${srv_cpu[@]}" "$msg" --host 127.0.0.1 --port "$port" --data "$data" --no-tls --no-rate-limit \
    --min-free-bytes 0 --log-level warn >>"$work/server.log" 2>&1 &
  pid=$!
  local _
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "upload.sh: the server did not start (see $work/server.log)" >&2
  exit 1
}

stop_server() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  rm -rf "$data"
  data=""
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }

# Samples the server's RSS into $work/rss.peak until killed.
start_sampler() {
  rss_kib >"$work/rss.peak"
  (
    peak=0
    while :; do
      r=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      if [ "${r:-0}" -gt "$peak" ]; then peak=$r; echo "$peak" >"$work/rss.peak"; fi
      sleep 0.05
    done
  ) &
  sampler=$!
}
stop_sampler() { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=""; cat "$work/rss.peak"; }

echo "== writing $mib MiB of random bytes to $file" >&2
head -c "$((mib << 20))" /dev/urandom >"$file"
sha=$(sha256sum "$file" | cut -d' ' -f1)
bytes=$(stat -c %s "$file")
auth=(-H "Tus-Resumable: 1.0.0" -H "Authorization: Identity $token")
meta="filename $(printf bench.bin | base64),room $(printf lobby | base64)"

rows=()
for run in $(seq "$runs"); do
  # tus: our client path.
  start_server
  idle=$(rss_kib)
  start_sampler
  tus=$("${cl_cpu[@]}" python3 "$here/upload/tus_upload.py" --port "$port" --file "$file" --piece "$piece" \
    --token "$token")
  tus_peak=$(stop_sampler)
  tus_bps=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bytes_per_s"])' "$tus")
  [ -f "$data/files/sha256/${sha:0:2}/${sha:2}" ] || { echo "upload.sh: tus: no blob $sha" >&2; exit 1; }

  # get: the blob just stored, with sendfile.
  get=$("${cl_cpu[@]}" curl -sS -o /dev/null -w '%{http_code} %{speed_download}' "${auth[@]}" \
    "http://127.0.0.1:$port/files/$sha")
  [ "${get%% *}" = 200 ] || { echo "upload.sh: GET answered ${get%% *}" >&2; exit 1; }
  get_bps=${get#* }
  stop_server

  # curl: one plain PATCH of the same bytes to a fresh server (no blob to deduplicate against).
  start_server
  start_sampler
  t0=$(date +%s%N)
  loc=$(curl -sS -D - -o /dev/null -X POST "${auth[@]}" -H "Upload-Length: $bytes" -H "Upload-Metadata: $meta" \
    "http://127.0.0.1:$port/files/uploads" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
  code=$("${cl_cpu[@]}" curl -sS -o /dev/null -w '%{http_code}' -X PATCH -T "$file" "${auth[@]}" -H 'Expect:' \
    -H 'Upload-Offset: 0' -H 'Content-Type: application/offset+octet-stream' "http://127.0.0.1:$port$loc")
  t1=$(date +%s%N)
  curl_peak=$(stop_sampler)
  [ "$code" = 204 ] || { echo "upload.sh: curl PATCH answered $code" >&2; exit 1; }
  curl_bps=$(python3 -c "print($bytes / (($t1 - $t0) / 1e9))")
  stop_server

  line=$(python3 -c '
import sys
tus, curl, get, idle, tp, cp = map(float, sys.argv[1:7])
mib = 1 << 20
print(f"| {int(sys.argv[7])} | {tus/mib:.0f} | {curl/mib:.0f} | {100*tus/curl:.0f}% | {get/mib:.0f} | {idle/1024:.0f} | {tp/1024:.0f} | {cp/1024:.0f} |")
' "$tus_bps" "$curl_bps" "$get_bps" "$idle" "$tus_peak" "$curl_peak" "$run")
  echo "$line" >&2
  rows+=("$line")
done

{
  echo "### Upload (bench/upload.sh: $mib MiB over loopback, tus PATCHes of $((piece >> 20)) MiB vs one curl -T PATCH)"
  echo
  echo "| run | tus MiB/s | curl MiB/s | tus/curl | GET MiB/s | RSS idle MiB | RSS peak tus MiB | RSS peak curl MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee ${markdown:+"$markdown"}
