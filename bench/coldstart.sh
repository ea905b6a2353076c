#!/usr/bin/env bash
# Cold start for hyperfine: exec `shoumi serve` on an existing database, poll /readyz until 200,
# then SIGKILL the server (so shutdown is not counted). Appends exec->ready milliseconds to LOG.
#   bench/coldstart.sh BIN DATA_DIR PORT LOG
bin=$1 dir=$2 port=$3 logf=$4
t0=$(date +%s%N)
RUST_LOG=warn "$bin" --data "$dir" serve --addr "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 20000); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; then
    t1=$(date +%s%N)
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    echo $(( (t1 - t0) / 1000000 )) >>"$logf"
    exit 0
  fi
done
kill -9 "$pid"; wait "$pid" 2>/dev/null
exit 1
