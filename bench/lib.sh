# Helpers sourced by bench/run.sh. Everything talks to 127.0.0.1 only.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
OUT="$BENCH/out"
BIN="${SHOUMI_BIN:-$ROOT/target/release/shoumi}"
RESULTS="$OUT/results.tsv"
PASSWORD="${BENCH_PASSWORD:-Bench-Pass-2026}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
DUR="${DUR:-15s}"

mkdir -p "$OUT"

log() { printf '\033[1m[bench %(%H:%M:%S)T]\033[0m %s\n' -1 "$*" >&2; }

# Number of rustc/cc processes running now (the lead may be compiling on the same 2 cores).
# Also counts a running `shoumi generate` (the lead's province generation).
compilers() {
  local a b
  a=$(pgrep -c -x 'rustc|cc|ld|cc1|cargo' 2>/dev/null); b=$(pgrep -c -f 'shoumi.* generate ' 2>/dev/null)
  echo $(( ${a:-0} + ${b:-0} ))
}

# result SECTION TARGET LABEL CONNS RPS P50_MS P99_MS NON2XX ERRORS NOTE
result() {
  [ -f "$RESULTS" ] || printf 'time\tsection\ttarget\tlabel\tconns\trps\tp50_ms\tp99_ms\tnon2xx\terrors\tcompilers\tnote\n' >"$RESULTS"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$@" >>"$RESULTS"
}

# Starts a shoumi subcommand in the background; waits for /readyz. Sets SERVER_PID.
# start_server PORT LOGFILE ARGS...
start_server() {
  local port=$1 logf=$2; shift 2
  if curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then
    echo "port $port is already in use; stop whatever runs there first" >&2; return 1
  fi
  RUST_LOG=warn "$BIN" "$@" >"$logf" 2>&1 &
  SERVER_PID=$!
  # A start may apply migrations first (0002 builds the search index: minutes on a province DB),
  # so the wait is long; a server that dies is noticed at once. READY_TIMEOUT in seconds.
  local i n=$(( ${READY_TIMEOUT:-900} * 10 ))
  for i in $(seq 1 "$n"); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; see $logf" >&2; cat "$logf" >&2; return 1; fi
    sleep 0.1
  done
  echo "server on $port not ready after ${READY_TIMEOUT:-900} s" >&2; return 1
}

# stop_server PID: SIGTERM, then wait (SIGKILL after 10 s).
stop_server() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
}

rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }

# login BASE USER PASSWORD -> prints the session token (form sign-in, as a browser does).
login() {
  local base=$1 user=$2 pw=$3 jar csrf
  jar=$(mktemp)
  csrf=$(curl -s -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "username=$user" \
    --data-urlencode "password=$pw" --data-urlencode next=/home "$base/login"
  awk '$6=="shoumi_session"{print $7}' "$jar"
  rm -f "$jar"
}

# change_password BASE SESSION CURRENT NEW (first sign-in of an account made by `user create`).
change_password() {
  local base=$1 s=$2 cur=$3 new=$4 csrf
  csrf=$(curl -s -H "Cookie: shoumi_session=$s" "$base/account/password" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  curl -s -o /dev/null -w '%{http_code}' -H "Cookie: shoumi_session=$s" --data-urlencode "_csrf=$csrf" \
    --data-urlencode "current=$cur" --data-urlencode "new=$new" --data-urlencode "confirm=$new" "$base/account/password"
}

# api_token BASE USER PASSWORD -> bearer token
api_token() {
  curl -s -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}" "$1/api/v1/session" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# Parses `wrk --latency` output on stdin -> "rps p50_ms p99_ms non2xx errors"
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v
    }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, non2xx, errs }'
}

# bench_url SECTION TARGET LABEL CONNS URL [HEADER]
# wrk -t2 (or -t1 for a single connection) -cCONNS -d$DUR --latency; appends to results.tsv.
bench_url() {
  local section=$1 target=$2 label=$3 conns=$4 url=$5 header=${6:-} threads=2 raw comp dur=${BENCH_DUR:-$DUR}
  [ "$conns" -lt 2 ] && threads=1
  raw="$OUT/wrk/$section-$target-$label-c$conns.txt"
  mkdir -p "$OUT/wrk"
  local hdr=(); [ -n "$header" ] && hdr=(-H "$header")
  # A warm-up run, not recorded (WARMUP=0 to skip): connections, caches and prepared statements
  # in place before the measured run, for shoumi and nginx alike.
  if [ "${WARMUP:-2s}" != 0 ]; then
    wrk -t"$threads" -c"$conns" -d"${WARMUP:-2s}" --timeout 10s "${hdr[@]}" "$url" >/dev/null 2>&1
  fi
  comp=$(compilers)
  wrk -t"$threads" -c"$conns" -d"$dur" --timeout 10s --latency "${hdr[@]}" "$url" >"$raw" 2>&1
  local c2; c2=$(compilers); [ "${c2:-0}" -gt "${comp:-0}" ] && comp=$c2
  read -r rps p50 p99 non2xx errs < <(parse_wrk <"$raw")
  result "$section" "$target" "$label" "$conns" "$rps" "$p50" "$p99" "$non2xx" "$errs" "$comp" "$url"
  printf '  %-14s %-10s %-26s c%-3s %8s req/s  p50 %7s ms  p99 %8s ms  non2xx %s err %s%s\n' \
    "$section" "$target" "$label" "$conns" "$rps" "$p50" "$p99" "$non2xx" "$errs" \
    "$([ "${comp:-0}" -gt 0 ] && echo "  (other CPU jobs running: $comp)")" >&2
}

# A minimal nginx serving DIR on PORT with 2 workers. Sets NGINX_PID.
start_nginx() {
  local dir=$1 port=$2 conf="$OUT/nginx/nginx.conf"
  mkdir -p "$OUT/nginx"
  sed -e "s#@ROOT@#$dir#g" -e "s#@PORT@#$port#g" -e "s#@OUT@#$OUT/nginx#g" "$BENCH/nginx.conf.in" >"$conf"
  /usr/sbin/nginx -p "$OUT/nginx" -c "$conf" -g 'daemon off;' >"$OUT/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!
  local i
  for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.1; done
  echo "nginx did not start; see $OUT/nginx" >&2; return 1
}
stop_nginx() { stop_server "$1"; }

pg_recreate() { # pg_recreate DBNAME
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $1" >/dev/null
}
