#!/usr/bin/env bash
# shoumi benchmarks — method and figures in docs/PERFORMANCE.md.
#
#   bench/run.sh [SECTION ...]
#
# Sections (default: all, in this order):
#   facts        machine, versions, load
#   county       demo on SQLite: /enterprises (office) and /home of all 9 demo accounts, wrk -c50,
#                each beside nginx serving the same HTML bytes from disk; idle RSS before/after
#   county-pg    the same on PostgreSQL for /enterprises and the office and admin homes
#   uncached     county and county-pg again with the page cache off ([server] page_cache_ms = 0):
#                what a page costs when it must be rendered (needs county and county-pg first)
#   coldstart    exec of `shoumi serve` on the county DB until /readyz answers 200 (hyperfine)
#   province     300,000 enterprises / 3,000,000 people: list, page 100, searches, API; SQLite and PG
#                (needs the SQLite province DB in $PROV_DIR; prepares a bench user and the PG copy)
#   import       100,000-row XLSX (and CSV) import into a DB holding the province divisions (hyperfine)
#   parser       `cargo bench -p shoumi-exchange` (XLSX parse of 100k rows only)
#   explain      the province list's two SQL statements timed one by one, with plans (not in "all")
#   dashboard    /dashboard, the progress API and the report as the office: county (SQLite, PG) and
#                province + 5,000 applications and 20,000 reports (generate programme; SQLite, PG)
#   summary      print the summary table from bench/out/results.tsv and metrics.tsv
#
# Environment: DUR (wrk duration, default 15s), WARMUP (unrecorded wrk run before each measured
#   run, default 2s; 0 = none), PROV_DIR (default /tmp/prov),
#   SHOUMI_BIN (default target/release/shoumi), FORCE_PG_COPY=1 (redo the PostgreSQL copy).
# Outputs go to bench/out/ (gitignored). Traffic goes to 127.0.0.1 only; every load run is
# bounded by wrk -d. Ports used: 18400-18420.
set -uo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

PROV_DIR="${PROV_DIR:-/tmp/prov}"
METRICS="$OUT/metrics.tsv"
USERS=(admin office department town station enterprise enterprise-b expert agency)

metric() { # metric SECTION KEY VALUE UNIT [NOTE]
  [ -f "$METRICS" ] || printf 'time\tsection\tkey\tvalue\tunit\tnote\n' >"$METRICS"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$1" "$2" "$3" "$4" "${5:-}" >>"$METRICS"
  printf '  %-12s %-34s %s %s %s\n' "$1" "$2" "$3" "$4" "${5:-}" >&2
}

# Clears earlier rows of a section so a rerun replaces them.
reset_section() {
  local s=$1 f
  for f in "$RESULTS" "$METRICS"; do
    [ -f "$f" ] && awk -F'\t' -v s="$s" 'NR==1 || $2!=s' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
  done
}

PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do stop_server "$p"; done; }
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
facts() {
  reset_section facts
  log "facts"
  metric facts nproc "$(nproc)" cores
  metric facts cpu "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo | tr '\t' ' ')" ""
  metric facts mem_total "$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)" GiB
  metric facts kernel "$(uname -r)" ""
  metric facts wrk "$(wrk --version 2>&1 | head -1 | awk '{print $2}')" ""
  metric facts nginx "$(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///')" ""
  metric facts hyperfine "$(hyperfine --version | awk '{print $2}')" ""
  metric facts postgresql "$(psql -h 127.0.0.1 -U postgres -tAc 'show server_version' 2>/dev/null | awk '{print $1}')" ""
  metric facts libsqlite3_sys "$(awk '/name = "libsqlite3-sys"/{getline; sub(/.*= */,""); gsub(/"/,""); print; exit}' "$ROOT/Cargo.lock")" "" "bundled SQLite"
  local h; h=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libsqlite3-sys-*/sqlite3/sqlite3.h 2>/dev/null | head -1)
  [ -n "$h" ] && metric facts sqlite_bundled "$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$h")" ""
  metric facts sqlx "$(awk '/name = "sqlx"$/{getline; sub(/.*= */,""); gsub(/"/,""); print; exit}' "$ROOT/Cargo.lock")" ""
  metric facts shoumi "$("$BIN" --version 2>/dev/null)" "" "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- crates 2>/dev/null || echo ' + uncommitted changes')"
  metric facts binary "$(stat -c %y "$BIN" | cut -d. -f1)" "" "mtime of $BIN; sha256 $(sha256sum "$BIN" | cut -c1-12)"
  metric facts loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" "" "at start"
  metric facts compilers_at_start "$(compilers)" procs "rustc/cc/ld/cargo running"
}

# ---------------------------------------------------------------------------------------------
# Serves the pages of one demo database with shoumi and nginx side by side.
# pages_vs_nginx SECTION TARGET PORT NGINX_PORT PAGES...   (page = "enterprises" or "home-USER")
pages_vs_nginx() {
  local section=$1 target=$2 port=$3 nport=$4; shift 4
  local base="http://127.0.0.1:$port" html="$OUT/html/$section" page user path s code size
  rm -rf "$html"; mkdir -p "$html"
  declare -A SESS
  for user in "${USERS[@]}"; do SESS[$user]=$(login "$base" "$user" "$PASSWORD"); done
  for page in "$@"; do
    case $page in
      enterprises) user=office; path=/enterprises ;;
      home-*) user=${page#home-}; path=/home ;;
    esac
    s=${SESS[$user]}
    read -r code size < <(curl -s -o "$html/$page.html" -w '%{http_code} %{size_download}\n' -H "Cookie: shoumi_session=$s" "$base$path")
    [ "$code" = 200 ] || { echo "GET $path as $user: $code" >&2; return 1; }
    metric "$section" "bytes_$page" "$size" B "as $user"
  done
  start_nginx "$html" "$nport" || return 1
  PIDS+=("$NGINX_PID")
  for page in "$@"; do
    case $page in enterprises) user=office; path=/enterprises ;; home-*) user=${page#home-}; path=/home ;; esac
    bench_url "$section" "$target" "$page" 50 "$base$path" "Cookie: shoumi_session=${SESS[$user]}"
    bench_url "$section" nginx "$page" 50 "http://127.0.0.1:$nport/$page.html" "Cookie: shoumi_session=${SESS[$user]}"
  done
  stop_nginx "$NGINX_PID"
}

county() {
  reset_section county; reset_section memory
  log "county (SQLite): fresh demo database"
  local d="$OUT/county-sqlite" port=18400
  rm -rf "$d"
  SHOUMI_DEMO_PASSWORD=$PASSWORD start_server $port "$OUT/county-demo.log" --data "$d" demo --addr 127.0.0.1:$port || return 1
  metric county demo_ready "$(grep -o 'ready in [0-9.]*m\?s' "$OUT/county-demo.log" | head -1 | awk '{print $3}')" "" "shoumi demo: create + load 1,500 enterprises"
  stop_server "$SERVER_PID"
  log "county: shoumi serve on that database"
  start_server $port "$OUT/county-serve.log" --data "$d" serve --addr 127.0.0.1:$port || return 1
  local pid=$SERVER_PID; PIDS+=("$pid")
  sleep 3
  metric memory rss_idle_after_start "$(( $(rss_kb "$pid") / 1024 ))" MiB "VmRSS 3 s after /readyz"
  pages_vs_nginx county sqlite $port 18401 enterprises $(printf 'home-%s ' "${USERS[@]}")
  sleep 5
  metric memory rss_idle_after_load "$(( $(rss_kb "$pid") / 1024 ))" MiB "VmRSS 5 s after the last wrk run"
  metric memory rss_peak "$(( $(hwm_kb "$pid") / 1024 ))" MiB "VmHWM over all county runs"
  stop_server "$pid"
}

county_pg() {
  reset_section county-pg
  log "county (PostgreSQL): fresh demo database bench_county"
  local port=18402 d="$OUT/county-pg"
  pg_recreate bench_county
  rm -rf "$d"; mkdir -p "$d"
  SHOUMI_DEMO_PASSWORD=$PASSWORD start_server $port "$OUT/county-pg-demo.log" --data "$d" demo --addr 127.0.0.1:$port --database-url "$PG/bench_county" || return 1
  PIDS+=("$SERVER_PID")
  local pid=$SERVER_PID
  pages_vs_nginx county-pg pg $port 18403 enterprises home-office home-admin
  metric county-pg rss_after_load "$(( $(rss_kb "$pid") / 1024 ))" MiB "VmRSS after the PG runs"
  stop_server "$pid"
}

# The same pages with the page cache off: every request renders (a new session, a changed
# database, or the cache disabled by configuration).
uncached() {
  reset_section county-uncached; reset_section county-pg-uncached
  [ -f "$OUT/county-sqlite/shoumi.db" ] || { echo "uncached needs the county DB: run bench/run.sh county first" >&2; return 1; }
  log "county, page cache off (SQLite)"
  local port=18405
  SHOUMI__SERVER__PAGE_CACHE_MS=0 start_server $port "$OUT/county-uncached.log" --data "$OUT/county-sqlite" serve --addr 127.0.0.1:$port || return 1
  local pid=$SERVER_PID; PIDS+=("$pid")
  pages_vs_nginx county-uncached sqlite $port 18406 enterprises $(printf 'home-%s ' "${USERS[@]}")
  stop_server "$pid"
  log "county, page cache off (PostgreSQL, bench_county)"
  SHOUMI__SERVER__PAGE_CACHE_MS=0 start_server $port "$OUT/county-pg-uncached.log" --data "$OUT/county-pg" serve --addr 127.0.0.1:$port --database-url "$PG/bench_county" || return 1
  pid=$SERVER_PID; PIDS+=("$pid")
  pages_vs_nginx county-pg-uncached pg $port 18406 enterprises home-office home-admin
  stop_server "$pid"
}

# ---------------------------------------------------------------------------------------------
coldstart() {
  reset_section coldstart
  local d="$OUT/county-sqlite"
  [ -f "$d/shoumi.db" ] || { echo "coldstart needs the county DB: run bench/run.sh county first" >&2; return 1; }
  log "cold start: exec of shoumi serve until /readyz = 200 (hyperfine, 20 runs)"
  rm -f "$OUT/coldstart-ms.txt"
  hyperfine -N --warmup 2 --runs 20 --export-json "$OUT/coldstart.json" \
    "$BENCH/coldstart.sh $BIN $d 18404 $OUT/coldstart-ms.txt" >"$OUT/coldstart.txt" 2>&1
  cat "$OUT/coldstart.txt" >&2
  local mean max
  read -r mean max < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f %.0f" % (r["mean"]*1000, r["max"]*1000))' "$OUT/coldstart.json")
  metric coldstart hyperfine_mean "$mean" ms "wrapper total: exec + poll + SIGKILL"
  metric coldstart hyperfine_max "$max" ms ""
  read -r med mx < <(sort -n "$OUT/coldstart-ms.txt" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)], a[NR]}')
  metric coldstart exec_to_ready_median "$med" ms "measured inside the wrapper"
  metric coldstart exec_to_ready_max "$mx" ms ""
}

# ---------------------------------------------------------------------------------------------
province_wait() {
  local waited=0
  while pgrep -f "generate province" >/dev/null; do
    [ $waited = 0 ] && log "waiting for the running 'shoumi generate province' to finish"
    waited=1; sleep 10
  done
  [ -f "$PROV_DIR/shoumi.db" ] || { echo "no province DB at $PROV_DIR" >&2; return 1; }
}

# Applies pending migrations to the SQLite province DB with `shoumi migrate`, timed, so that the
# first `serve` (and copy-db, which migrates its source) do not carry that cost unseen.
# Migration 0002 creates the search index enterprise_terms and rebuilds it from all enterprises.
province_migrate() {
  local pending
  pending=$(sqlite3 -readonly "$PROV_DIR/shoumi.db" 'SELECT COALESCE(MAX(version),0) FROM shoumi_migrations' 2>/dev/null)
  log "province: shoumi migrate on $PROV_DIR (schema version now ${pending:-?})"
  reset_section province-migrate
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v "$BIN" --data "$PROV_DIR" migrate >"$OUT/province-migrate.log" 2>&1 || { tail -20 "$OUT/province-migrate.log" >&2; return 1; }
  t1=$(date +%s.%N)
  metric province-migrate migrate_seconds "$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")" s \
    "shoumi migrate from schema ${pending:-?}: $(grep -m1 'migrations applied' "$OUT/province-migrate.log")"
  metric province-migrate migrate_max_rss "$(( $(awk '/Maximum resident/{print $NF}' "$OUT/province-migrate.log") / 1024 ))" MiB ""
  metric province-migrate enterprise_terms_rows "$(sqlite3 -readonly "$PROV_DIR/shoumi.db" 'SELECT COUNT(*) FROM enterprise_terms' 2>/dev/null)" rows ""
}

# Creates (or resets) the account benchadmin in the SQLite province DB and sets its password.
province_user() {
  [ -f "$OUT/province-user.ok" ] && return 0
  log "province: account benchadmin (admin) in $PROV_DIR"
  local out tmp port=18410
  out=$("$BIN" --data "$PROV_DIR" user create benchadmin --name Bench --role admin 2>&1) ||
    out=$("$BIN" --data "$PROV_DIR" user reset-password benchadmin 2>&1)
  tmp=$(printf '%s\n' "$out" | grep -o '[^ ]*$' | tail -1)
  start_server $port "$OUT/province-user.log" --data "$PROV_DIR" serve --addr 127.0.0.1:$port || return 1
  local pid=$SERVER_PID s code
  s=$(login "http://127.0.0.1:$port" benchadmin "$tmp")
  change_password "http://127.0.0.1:$port" "$s" "$tmp" "$PASSWORD" >/dev/null
  s=$(login "http://127.0.0.1:$port" benchadmin "$PASSWORD")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: shoumi_session=$s" "http://127.0.0.1:$port/enterprises")
  stop_server "$pid"
  [ "$code" = 200 ] || { echo "benchadmin: /enterprises answered $code after the password change" >&2; return 1; }
  touch "$OUT/province-user.ok"; rm -f "$OUT/province-pg.ok"
}

province_pg_copy() {
  if [ -f "$OUT/province-pg.ok" ] && [ "${FORCE_PG_COPY:-0}" != 1 ]; then return 0; fi
  reset_section province-load
  log "province: shoumi copy-db SQLite -> PostgreSQL bench_province (timed)"
  pg_recreate bench_province
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v "$BIN" --data "$OUT/pgdata" copy-db --from "sqlite://$PROV_DIR/shoumi.db" --to "$PG/bench_province" \
    >"$OUT/copy-db.log" 2>&1 || { tail -20 "$OUT/copy-db.log" >&2; return 1; }
  t1=$(date +%s.%N)
  metric province-load copy_db_seconds "$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")" s "shoumi copy-db sqlite -> postgres, whole installation"
  metric province-load copy_db_max_rss "$(( $(awk '/Maximum resident/{print $NF}' "$OUT/copy-db.log") / 1024 ))" MiB ""
  t0=$(date +%s.%N)
  psql -q -h 127.0.0.1 -U postgres -d bench_province -c 'ANALYZE' >/dev/null
  t1=$(date +%s.%N)
  metric province-load pg_analyze_seconds "$(printf '%.1f' "$(echo "$t1 - $t0" | bc)")" s "explicit ANALYZE after the copy"
  touch "$OUT/province-pg.ok"
}

# Picks search terms from the data itself (same rows on both engines).
province_params() {
  local f="$OUT/province-params.env"
  [ -f "$f" ] && return 0
  python3 - "$PROV_DIR/shoumi.db" >"$f" <<'EOF'
import sqlite3, sys, re, urllib.parse as u
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
name, code = db.execute("SELECT name, credit_code FROM enterprises WHERE id = 150000").fetchone()
# two characters of the trade name: those right after the county/city prefix (…县/市/区)
m = re.search(r"[县市区旗](..)", name)
sub = m.group(1) if m else name[3:5]
div = db.execute("SELECT d.code FROM enterprises e JOIN divisions d ON d.id = e.division_id WHERE e.id = 150000").fetchone()[0]
print(f"NAME_FROM='{name}'")
print(f"NAME_SUB='{sub}'")
print(f"NAME_SUB_URL='{u.quote(sub)}'")
print(f"CODE_PREFIX='{code[:10]}'")
print(f"DIVISION='{div}'")
for k, sql, args in [
    ("N_NAME", "SELECT COUNT(*) FROM enterprises WHERE name LIKE ?", (f"%{sub}%",)),
    ("N_CODE", "SELECT COUNT(*) FROM enterprises WHERE credit_code LIKE ?", (code[:10] + "%",)),
    ("N_DIV", "SELECT COUNT(*) FROM enterprises e JOIN divisions d ON d.id = e.division_id WHERE d.code = ?", (div,)),
    ("N_C26", "SELECT COUNT(*) FROM enterprises WHERE industry = 'C26'", ()),
    ("N_GAZELLE", "SELECT COUNT(*) FROM enterprises WHERE tags LIKE '%gazelle%'", ()),
    ("N_ALL", "SELECT COUNT(*) FROM enterprises", ()),
    ("N_PEOPLE", "SELECT COUNT(*) FROM people", ()),
    ("N_DIVISIONS", "SELECT COUNT(*) FROM divisions", ()),
]:
    print(f"{k}={db.execute(sql, args).fetchone()[0]}")
EOF
}

province_urls() { # prints "label path" lines
  # shellcheck source=/dev/null
  source "$OUT/province-params.env"
  cat <<EOF
list-p1 /enterprises
list-p100 /enterprises?page=100
q-name /enterprises?q=$NAME_SUB_URL
q-code /enterprises?q=$CODE_PREFIX
division /enterprises?division=$DIVISION
industry-C26 /enterprises?industry=C26
tag-gazelle /enterprises?tag=gazelle
api-q-name /api/v1/enterprises?q=$NAME_SUB_URL
EOF
}

province_one() { # province_one TARGET PORT ARGS...
  local target=$1 port=$2; shift 2
  local base="http://127.0.0.1:$port" s tok label path header conns d
  log "province on $target"
  start_server "$port" "$OUT/province-$target.log" "$@" serve --addr 127.0.0.1:"$port" || return 1
  local pid=$SERVER_PID; PIDS+=("$pid")
  s=$(login "$base" benchadmin "$PASSWORD")
  tok=$(api_token "$base" benchadmin "$PASSWORD")
  mkdir -p "$OUT/html/province-$target"
  while read -r label path; do
    if [[ $path == /api/* ]]; then header="Authorization: Bearer $tok"; else header="Cookie: shoumi_session=$s"; fi
    # one request first: status, size, single-request time (also warms the cache)
    read -r code size t < <(curl -s -o "$OUT/html/province-$target/$label.html" -w '%{http_code} %{size_download} %{time_total}\n' -H "$header" "$base$path")
    metric "province-$target" "single_$label" "$(python3 -c "print(round($t*1000,1))")" ms "first GET: HTTP $code, $size bytes"
    for conns in 1 10 50; do
      if [ "$conns" = 1 ]; then d=5s; else d=${PROV_DUR:-8s}; fi
      BENCH_DUR=$d bench_url province "$target" "$label" "$conns" "$base$path" "$header"
    done
  done < <(province_urls)
  metric "province-$target" rss_after_load "$(( $(rss_kb "$pid") / 1024 ))" MiB ""
  stop_server "$pid"
}

province() {
  province_wait || return 1
  if [ -f "$PROV_DIR/../prov.log" ] || [ -f /tmp/prov.log ]; then
    local g; g=$(tr '\r' '\n' </tmp/prov.log 2>/dev/null | grep -o 'generated .* in [0-9.]*[a-z]*' | tail -1)
    [ -n "$g" ] && { reset_section province-gen; metric province-gen generate_sqlite "$(echo "$g" | awk '{print $NF}')" "" "$g (log of the lead's run)"; }
  fi
  province_migrate || return 1
  province_user || return 1
  province_pg_copy || return 1
  province_params
  reset_section province; reset_section province-sqlite; reset_section province-pg
  # shellcheck source=/dev/null
  source "$OUT/province-params.env"
  metric province data "$N_ALL enterprises, $N_PEOPLE people, $N_DIVISIONS divisions" "" "name substring '$NAME_SUB' ($N_NAME hits, from $NAME_FROM); code prefix $CODE_PREFIX ($N_CODE); division $DIVISION ($N_DIV); C26 $N_C26; gazelle $N_GAZELLE"
  province_one sqlite 18411 --data "$PROV_DIR"
  province_one pg 18412 --data "$OUT/pgdata" --database-url "$PG/bench_province"
}

# ---------------------------------------------------------------------------------------------
import_() {
  province_wait || return 1
  reset_section import
  local d="$OUT/import"
  mkdir -p "$d"
  if [ ! -f "$d/base/shoumi.db" ]; then
    log "import: base DB with the province divisions only (generate province --enterprises 0 --people 0)"
    rm -rf "$d/base"
    "$BIN" --data "$d/base" generate province --enterprises 0 --people 0 >"$d/base.log" 2>&1 || { tail "$d/base.log" >&2; return 1; }
  fi
  if [ ! -f "$d/enterprises-100k.xlsx" ]; then
    log "import: making the 100,000-row XLSX (export province CSV, keep 100k rows, import, export XLSX)"
    local t0=$SECONDS
    "$BIN" --data "$PROV_DIR" export "$d/province-all.csv" >"$d/export-csv.log" 2>&1 || { tail "$d/export-csv.log" >&2; return 1; }
    metric import export_300k_csv_seconds "$((SECONDS - t0))" s "shoumi export of all province enterprises to CSV (whole seconds)"
    python3 - "$d/province-all.csv" "$d/enterprises-100k.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as g:
    r, w = csv.reader(f), csv.writer(g)
    for i, row in enumerate(r):
        if i > 100000: break
        w.writerow(row)
EOF
    rm -rf "$d/gen"; cp -r "$d/base" "$d/gen"
    "$BIN" --data "$d/gen" import "$d/enterprises-100k.csv" >"$d/gen-import.log" 2>&1 || { tail "$d/gen-import.log" >&2; return 1; }
    t0=$SECONDS
    "$BIN" --data "$d/gen" export "$d/enterprises-100k.xlsx" >"$d/export-xlsx.log" 2>&1 || { tail "$d/export-xlsx.log" >&2; return 1; }
    metric import export_100k_xlsx_seconds "$((SECONDS - t0))" s "shoumi export of 100k enterprises to XLSX (whole seconds)"
  fi
  # bring both databases to the current schema once, so that no timed run applies a migration
  # (0002 rebuilds the search index from every enterprise: a cost of the upgrade, not of import)
  "$BIN" --data "$d/base" migrate >"$d/migrate-base.log" 2>&1 || { tail "$d/migrate-base.log" >&2; return 1; }
  [ -f "$d/gen/shoumi.db" ] && { "$BIN" --data "$d/gen" migrate >"$d/migrate-gen.log" 2>&1 || { tail "$d/migrate-gen.log" >&2; return 1; }; }
  metric import xlsx_file "$(stat -c %s "$d/enterprises-100k.xlsx")" B "$(python3 -c 'import sys,zipfile; print("rows in sheet1:", zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").count(b"<row "))' "$d/enterprises-100k.xlsx")"
  log "import: hyperfine, 3 runs each, fresh copy of the divisions-only DB before each run"
  local f kind
  for f in enterprises-100k.xlsx enterprises-100k.csv; do
    kind=${f##*.}
    hyperfine --runs 3 --prepare "rm -rf $d/work && cp -r $d/base $d/work" \
      --export-json "$d/hyperfine-$kind.json" "$BIN --data $d/work import $d/$f" >"$d/hyperfine-$kind.txt" 2>&1
    cat "$d/hyperfine-$kind.txt" >&2
    metric import "import_100k_${kind}_mean" "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % r["mean"])' "$d/hyperfine-$kind.json")" s \
      "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("min %.2f max %.2f (new rows)" % (r["min"], r["max"]))' "$d/hyperfine-$kind.json")"
  done
  # re-import of the same file into a DB that already holds it (update by credit code, no change)
  hyperfine --runs 3 --prepare "rm -rf $d/work && cp -r $d/gen $d/work" \
    --export-json "$d/hyperfine-reimport.json" "$BIN --data $d/work import $d/enterprises-100k.xlsx" >"$d/hyperfine-reimport.txt" 2>&1
  cat "$d/hyperfine-reimport.txt" >&2
  metric import reimport_100k_xlsx_mean "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % r["mean"])' "$d/hyperfine-reimport.json")" s "same file again: every row matched by credit code"
  # the imported rows are really there
  metric import rows_after_import "$(sqlite3 -readonly "$d/work/shoumi.db" 'select count(*) from enterprises')" rows ""
}

parser() {
  reset_section parser
  log "parser: cargo bench -p shoumi-exchange"
  (cd "$ROOT" && cargo bench -p shoumi-exchange) >"$OUT/parser.txt" 2>&1 || { tail -20 "$OUT/parser.txt" >&2; return 1; }
  grep -A3 'time:' "$OUT/parser.txt" >&2
  local line; line=$(grep -m1 'time:' "$OUT/parser.txt" | sed 's/.*time: *//')
  metric parser criterion_100k_rows "$line" "" "$(grep -m1 -B1 'time:' "$OUT/parser.txt" | head -1 | awk '{print $1}')"
}

explain() {
  log "explain: province list statements one by one, with plans -> bench/out/explain.md"
  [ -f "$OUT/province-params.env" ] || { echo "run bench/run.sh province first" >&2; return 1; }
  python3 "$BENCH/explain.py" "$PROV_DIR/shoumi.db" "$PG/bench_province" "$OUT/province-params.env" >"$OUT/explain.md.tmp" &&
    mv "$OUT/explain.md.tmp" "$OUT/explain.md" && sed -n '1,12p' "$OUT/explain.md" >&2
}

# ---------------------------------------------------------------------------------------------
# The programme dashboard (issue 3): county demo DB on SQLite and PostgreSQL, and the province DB
# with 5,000 applications and 20,000 progress reports added (generate programme), on both.
dashboard_urls() {
  cat <<EOF
dashboard /dashboard
progress-api /api/v1/programme/progress
report /programme/report
EOF
}

dashboard_one() { # dashboard_one SECTION TARGET PORT USER ARGS...
  local section=$1 target=$2 port=$3 user=$4; shift 4
  local base="http://127.0.0.1:$port" s tok label path header conns code size t
  start_server "$port" "$OUT/$section-$target.log" "$@" serve --addr 127.0.0.1:"$port" || return 1
  local pid=$SERVER_PID; PIDS+=("$pid")
  s=$(login "$base" "$user" "$PASSWORD")
  tok=$(api_token "$base" "$user" "$PASSWORD")
  while read -r label path; do
    if [[ $path == /api/* ]]; then header="Authorization: Bearer $tok"; else header="Cookie: shoumi_session=$s"; fi
    read -r code size t < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' -H "$header" "$base$path")
    [ "$code" = 200 ] || { echo "GET $path as $user on $target: $code" >&2; stop_server "$pid"; return 1; }
    metric "$section" "single_${target}_$label" "$(python3 -c "print(round($t*1000,1))")" ms "first GET: $size bytes"
    for conns in ${DASH_CONNS:-1 50}; do
      bench_url "$section" "$target" "$label" "$conns" "$base$path" "$header"
    done
  done < <(dashboard_urls)
  stop_server "$pid"
}

dashboard() {
  reset_section dashboard-county; reset_section dashboard-province
  [ -f "$OUT/county-sqlite/shoumi.db" ] || { echo "run bench/run.sh county first (the county demo DB)" >&2; return 1; }
  log "dashboard: county on SQLite and PostgreSQL"
  dashboard_one dashboard-county sqlite 18420 office --data "$OUT/county-sqlite"
  if psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw bench_county; then
    dashboard_one dashboard-county pg 18421 office --data "$OUT/county-pg" --database-url "$PG/bench_county"
  else
    echo "no bench_county on PostgreSQL: run bench/run.sh county-pg first" >&2
  fi
  [ "${DASH_PROVINCE:-1}" = 1 ] || return 0
  province_wait || return 1
  province_migrate || return 1
  province_user || return 1
  if [ ! -f "$OUT/province-programme.ok" ]; then
    log "dashboard: generate programme (5,000 applications, 20,000 reports) into the province DB"
    "$BIN" --data "$PROV_DIR" generate programme >"$OUT/generate-programme.log" 2>&1 || { cat "$OUT/generate-programme.log" >&2; return 1; }
    metric dashboard-province generate "$(grep -o 'in [0-9.]*m\?s' "$OUT/generate-programme.log")" "" "$(head -1 "$OUT/generate-programme.log")"
    touch "$OUT/province-programme.ok"; rm -f "$OUT/province-pg.ok"
  fi
  province_pg_copy || return 1
  metric dashboard-province data "$(sqlite3 -readonly "$PROV_DIR/shoumi.db" "select (select count(*) from enterprises)||' enterprises, '||(select count(*) from applications)||' applications, '||(select count(*) from work_reports)||' reports, '||(select count(*) from work_items)||' items'")" "" ""
  dashboard_one dashboard-province sqlite 18422 benchadmin --data "$PROV_DIR"
  dashboard_one dashboard-province pg 18423 benchadmin --data "$OUT/pgdata" --database-url "$PG/bench_province"
}

summary() { python3 "$BENCH/summary.py" "$OUT"; }

# ---------------------------------------------------------------------------------------------
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(facts county county-pg uncached coldstart province import parser summary)
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release -p shoumi" >&2; exit 1; }
for s in "${sections[@]}"; do
  case $s in
    facts) facts ;;
    county) county ;;
    county-pg) county_pg ;;
    uncached) uncached ;;
    coldstart) coldstart ;;
    province) province ;;
    import) import_ ;;
    parser) parser ;;
    explain) explain ;;
    dashboard) dashboard ;;
    summary) summary ;;
    *) echo "unknown section $s" >&2; exit 2 ;;
  esac || log "section $s FAILED"
done
metric facts loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)" "" "at end of: ${sections[*]}"
