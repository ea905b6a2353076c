#!/usr/bin/env bash
# Evidence-ledger benchmarks — method and figures in docs/PERFORMANCE.md ("Evidence ledger").
#
#   bench/ledger.sh [SECTION ...]
#
# Sections (default: machine append append-pg crash proofs cpu):
#   machine    the machine's ceilings, measured in the same run: fsync rate of the data
#              filesystem (4 KiB write + fdatasync, 5 s) and SHA-256 throughput (criterion)
#   append     durable appends/s on SQLite: `shoumi log load` with 256 clients × 1 entry,
#              64 × 16 and 8 × 1,000 per request, each on a fresh log; integration latency
#              (ack → integrated, worst per sequencing batch) p50/p99/max
#   append-pg  the same on PostgreSQL (a fresh database per run)
#   crash      CRASHES (default 100) rounds: a writer under load is killed with SIGKILL at a
#              random moment; afterwards every acknowledged entry must be in the log and
#              `shoumi log audit` must pass (SQLite)
#   proofs     proofs/s of uniformly random entries of a LOG_ENTRIES (default 10,000,000) log
#              (`shoumi log bench-proofs`, 2 and 16 tasks, without and with sqlite_mmap_mb);
#              builds the log in $LOG10M_DIR first
#   cpu        `cargo bench -p shoumi-ledger`: proof construction from tiles, verification
#              cold and warm (one core)
#
# Environment: DUR seconds per run (default 15), SHOUMI_BIN (default target/release/shoumi),
#   BENCH_PG (default postgres://postgres@127.0.0.1:5432), LOG10M_DIR (default /tmp/l10m).
# Results are appended to bench/out/ledger.tsv (section, key, value, unit, note).
set -uo pipefail
# ROOT, OUT, BIN, PG and log() as in bench/run.sh; DUR there is wrk's ("15s"), here seconds.
DUR="${DUR:-15}"
DUR="${DUR%s}"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
CRASHES="${CRASHES:-100}"
LOG10M_DIR="${LOG10M_DIR:-/tmp/l10m}"
LOG_ENTRIES="${LOG_ENTRIES:-10000000}"
TSV="$OUT/ledger.tsv"
export SHOUMI__LOG__FILTER=error

metric() { # metric SECTION KEY VALUE UNIT [NOTE]
  [ -f "$TSV" ] || printf 'time\tsection\tkey\tvalue\tunit\tnote\n' >"$TSV"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$1" "$2" "$3" "$4" "${5:-}" >>"$TSV"
  printf '  %-10s %-40s %s %s %s\n' "$1" "$2" "$3" "$4" "${5:-}" >&2
}
json() { python3 -c "import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d['$1'])"; }

fresh_log() { # fresh_log DIR [--database-url URL]
  local dir=$1; shift
  rm -rf "$dir"
  "$BIN" --data "$dir" "$@" log init --origin bench.example/log >/dev/null
}

machine() {
  log "machine: fsync rate and SHA-256"
  local dir; dir=$(mktemp -d /tmp/fsync.XXXX)
  local fs; fs=$(df --output=source "$dir" 2>/dev/null | tail -1)
  python3 - "$dir" <<'EOF' | while read -r k v; do metric machine "$k" "$v" "/s" "4 KiB write + fdatasync, 5 s, $fs"; done
import os, sys, time
d = sys.argv[1]; f = os.open(os.path.join(d, "f"), os.O_WRONLY | os.O_CREAT, 0o600)
buf = b"x" * 4096; n = 0; t0 = time.time()
while time.time() - t0 < 5:
    os.pwrite(f, buf, (n % 256) * 4096); os.fdatasync(f); n += 1
print("fsyncs", round(n / (time.time() - t0)))
EOF
  rm -rf "$dir"
  (cd "$ROOT" && cargo bench -q -p shoumi-ledger --bench ledger -- 'sha256/1048576B|node_hash' 2>/dev/null) \
    | awk '/^sha256\/1048576B/{getline; print "sha256_1MiB", $0} /^node_hash/{print "node_hash", $0}' \
    | while read -r k rest; do metric machine "$k" "$(echo "$rest" | tr -s ' ')" "" "criterion, one core"; done
}

append_runs() { # append_runs SECTION [--database-url URL-per-run-prefix]
  local section=$1 engine=$2 cfg out dir url
  for cfg in "256 1" "64 16" "8 1000"; do
    set -- $cfg
    dir=$(mktemp -d /tmp/lappend.XXXX)
    if [ "$engine" = pg ]; then
      local name="ledger_bench_$$"
      psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
      url="$PG/$name"
      fresh_log "$dir" --database-url "$url"
      out=$("$BIN" --data "$dir" --database-url "$url" log load --seconds "$DUR" --clients "$1" --batch "$2" 2>&1 >/dev/null)
      psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
    else
      fresh_log "$dir"
      out=$("$BIN" --data "$dir" log load --seconds "$DUR" --clients "$1" --batch "$2" 2>&1 >/dev/null)
    fi
    rm -rf "$dir"
    metric "$section" "appends_per_s_c$1_b$2" "$(echo "$out" | json appends_per_sec | xargs printf '%.0f')" "/s" "$(echo "$out" | json appended) entries in $(echo "$out" | json seconds | xargs printf '%.1f') s"
    metric "$section" "integration_ms_c$1_b$2" "p50 $(echo "$out" | json integration_p50_ms | xargs printf '%.0f') p99 $(echo "$out" | json integration_p99_ms | xargs printf '%.0f') max $(echo "$out" | json integration_max_ms | xargs printf '%.0f')" ms "$(echo "$out" | json batches) sequencing batches"
  done
}

append() { log "append (SQLite)"; append_runs append sqlite; }
append_pg() { log "append (PostgreSQL)"; append_runs append-pg pg; }

crash() {
  log "crash: $CRASHES SIGKILLs under load (SQLite)"
  local dir acks i lost
  dir=$(mktemp -d /tmp/lcrash.XXXX); acks="$dir/acks"
  fresh_log "$dir/data"
  for i in $(seq 1 "$CRASHES"); do
    "$BIN" --data "$dir/data" log load --seconds 60 --clients 16 --batch 8 --print-acks >>"$acks" 2>/dev/null &
    local pid=$!
    sleep "$(python3 -c "import random; print(round(random.uniform(0.4, 1.5), 2))")"
    kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  done
  # Restart: a process with the keys sequences everything pending, then the audit.
  "$BIN" --data "$dir/data" log load --seconds 0.05 --clients 1 --batch 1 2>/dev/null >/dev/null
  lost=$(python3 - "$dir/data/shoumi.db" "$acks" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
acked = {l.split()[1] for l in open(sys.argv[2]) if l.startswith("ack ") and len(l.split()) == 2 and len(l.split()[1]) == 64}
have = 0
for h in acked:
    if db.execute("SELECT 1 FROM ledger_entries WHERE identity = ?", (bytes.fromhex(h),)).fetchone():
        have += 1
print(len(acked), len(acked) - have)
EOF
)
  metric crash acknowledged "${lost% *}" entries "over $CRASHES SIGKILLs"
  metric crash lost "${lost#* }" entries "acknowledged but missing after restart (must be 0)"
  if "$BIN" --data "$dir/data" log audit >/dev/null; then metric crash audit pass ""; else metric crash audit FAIL ""; fi
  rm -rf "$dir"
}

proofs() {
  local size
  size=$(python3 -c "import sqlite3; print(sqlite3.connect('$LOG10M_DIR/shoumi.db').execute('SELECT size FROM ledger_head').fetchone()[0])" 2>/dev/null || echo 0)
  if [ "$size" -lt "$LOG_ENTRIES" ]; then
    log "building a $LOG_ENTRIES-entry log in $LOG10M_DIR (about 35,000 entries/s)"
    [ "$size" -gt 0 ] || fresh_log "$LOG10M_DIR"
    while [ "$size" -lt "$LOG_ENTRIES" ]; do
      "$BIN" --data "$LOG10M_DIR" log load --seconds 60 --clients 8 --batch 1000 >/dev/null 2>&1
      size=$(python3 -c "import sqlite3; print(sqlite3.connect('$LOG10M_DIR/shoumi.db').execute('SELECT size FROM ledger_head').fetchone()[0])")
    done
  fi
  log "proofs from a $size-entry log"
  local out
  local mm tasks
  for mm in 0 16384; do
    for tasks in 2 16; do
      out=$(SHOUMI__DATABASE__SQLITE_MMAP_MB=$mm "$BIN" --data "$LOG10M_DIR" log bench-proofs --seconds "$DUR" --warmup 10 --tasks "$tasks" 2>&1 >/dev/null | tail -1)
      metric proofs "proofs_per_s_mmap${mm}_t$tasks" "$(echo "$out" | json proofs_per_sec | xargs printf '%.0f')" "/s" "log of $size entries, uniform random index, after 10 s warm-up, $(echo "$out" | json verified_sample) sampled proofs verified"
    done
  done
}

cpu() {
  log "cpu: cargo bench -p shoumi-ledger"
  (cd "$ROOT" && cargo bench -q -p shoumi-ledger --bench ledger 2>/dev/null) \
    | awk '/^[a-z_0-9\/]+/{name=$1} /time:/{for(i=1;i<=NF;i++) if($i=="time:") print name, $(i+3), $(i+4)}' \
    | while read -r k v u; do metric cpu "$k" "$v" "$u" "criterion median, one core"; done
}

sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(machine append append-pg crash proofs cpu)
for s in "${sections[@]}"; do
  case $s in
    machine) machine ;;
    append) append ;;
    append-pg) append_pg ;;
    crash) crash ;;
    proofs) proofs ;;
    cpu) cpu ;;
    *) echo "unknown section $s" >&2; exit 2 ;;
  esac
done
