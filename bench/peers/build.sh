#!/usr/bin/env bash
# Builds the benchmark peers offline: the two Go servers against Debian's
# packaged gorilla/websocket source (GOPATH mode, no module download), and the
# Node server's pinned `ws` from its package-lock.
#   bench/peers/build.sh [OUT_DIR]     (default bench/out/peers)
# Installs golang-go / golang-github-gorilla-websocket-dev with apt-get when
# they are missing and we are root; needs node and npm for node-ws.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../out/peers}
mkdir -p "$out"
out=$(cd "$out" && pwd)
gorilla=/usr/share/gocode/src/github.com/gorilla/websocket

if ! command -v go >/dev/null || [ ! -d "$gorilla" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q golang-go golang-github-gorilla-websocket-dev >/dev/null
  else
    echo "peers/build.sh: need golang-go and golang-github-gorilla-websocket-dev" >&2
    exit 1
  fi
fi

export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$out/gocache" GOFLAGS=
for peer in go-original go-hub; do
  (cd "$here/$peer" && go build -o "$out/$peer" .)
done

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "peers/build.sh: need node and npm for node-ws" >&2
  exit 1
fi
if [ ! -f "$here/node-ws/node_modules/ws/package.json" ]; then
  (cd "$here/node-ws" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "peers built in $out"
