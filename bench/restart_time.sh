#!/bin/bash
# Restart time against history size (issue 32): how long `message` takes from exec to its
# start line with a database of N messages. The id filter is built in the background, so
# this should stay flat as N grows. Generates each database once (bench/out/restart-N/), with
# SQLite's own recursive CTE: 1 M rows in seconds, 10 M in about a minute and 1 GB of disk.
# Usage: bench/restart_time.sh [N ...]   (default: 1000000 10000000; needs build/message, sqlite3)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${MESSAGE_BIN:-$PWD/build/message}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
runs=3

# Starts the server on $1, prints the milliseconds from exec to the start line, stops it.
time_start() {
  local dir=$1 fifo pid start end line
  fifo=$(mktemp -u) && mkfifo "$fifo"
  start=$(date +%s%N)
  "$bin" --host 127.0.0.1 --port 0 --data "$dir" --log-level warn >"$fifo" 2>/dev/null &
  pid=$!
  line=""
  while IFS= read -r -t 60 line; do
    [[ $line == *"Server start on port"* ]] && break
  done <"$fifo"
  end=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  rm -f "$fifo"
  [[ $line == *"Server start on port"* ]] || { echo "no start line from $dir" >&2; exit 1; }
  echo $(((end - start) / 1000000))
}

for n in "${sizes[@]}"; do
  dir=bench/out/restart-$n
  if [ ! -f "$dir/messages.db" ] || [ "$(sqlite3 "$dir/messages.db" 'SELECT count(*) FROM messages')" != "$n" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    time_start "$dir" >/dev/null  # The server makes the schema.
    echo "generating $n messages in $dir ..." >&2
    sqlite3 "$dir/messages.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO rooms(room, last_seq) VALUES('lobby', $n);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
INSERT INTO messages(room, seq, id, username, body, device, ts)
  SELECT 'lobby', i, printf('gen-%010d', i), 'kim', 'message number ' || i, 'bench', 1700000000000 + i FROM s;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
  fi
  for r in $(seq 1 $runs); do
    echo "{\"bench\":\"restart\",\"messages\":$n,\"run\":$r,\"ms_to_start_line\":$(time_start "$dir")}"
  done
done
