#!/usr/bin/env bash
# Similarity-engine benchmark: quality and speed of `shoumi match pairs` beside three peers, all
# run side by side in one run — method and figures in docs/PERFORMANCE.md ("Similarity").
#
#   bench/similarity.sh [--allow-missing-shoumi] [SECTION ...]
#
# Sections (default: irplag zh):
#   setup    install the peers if missing and build shoumi (the other sections do this themselves)
#   irplag   IR-Plag (crates/similarity/testdata/ir-plag, Java): each case's original against every
#            plagiarized and non-plagiarized file of the case, 460 labelled pairs, levels L1–L6
#   zh       the Chinese technical-document set (crates/similarity/testdata/zh-tech): the pairs of
#            its labels.tsv, levels as listed there
#   zh-set   regenerate the zh set with bench/similarity/make_zh_set.py and fail if the committed
#            files differ from what the generator writes
#
# Tools, each given the same pairs file and timed as one whole invocation for all pairs:
#   shoumi      $BIN match pairs < pairs.tsv   (score column: $SHOUMI_SCORE)
#   Dolos       @dodona/dolos-lib $DOLOS_VERSION (npm) through bench/similarity/dolos.mjs
#   copydetect  copydetect $COPYDETECT_VERSION (PyPI) through bench/similarity/copydetect_pairs.py
#   SIM         Debian similarity-tester (sim_java / sim_text) through bench/similarity/sim_pairs.sh
# Per tool: WARMUP unmeasured runs, then RUNS measured runs in turn with the other tools (round
# robin, so a load that comes and goes hits all alike); /usr/bin/time -v gives peak RSS (largest
# process of the tree) and CPU time, the wall time is taken around it. Figures by
# bench/similarity/score.py: ROC AUC overall and per level, best F1, median wall time, peak RSS.
#
# Until the engine has landed, --allow-missing-shoumi runs the peers alone and reports shoumi as
# skipped; without it a missing `shoumi match pairs` (or a failing build) is an error.
#
# Environment: RUNS (measured runs per tool, default 5), WARMUP (default 1), SHOUMI_SCORE
#   (similarity | left_containment | right_containment | max_containment; default similarity),
#   SHOUMI_BIN (default $CARGO_TARGET_DIR/release/shoumi or target/release/shoumi), SKIP_BUILD=1,
#   SIM_WORK (default bench/out/similarity: npm/venv caches and per-run files), QUIET_WAIT
#   (seconds to wait for rustc/cc/cargo of others to finish before the measured runs; default 0).
# Outputs: bench/out/similarity-{irplag,zh}.md (table for docs/PERFORMANCE.md) and .json (figures).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

# The column of `shoumi match pairs` (left right similarity left_containment right_containment
# longest) used as shoumi's score; docs/SIMILARITY.md names the primary one.
SHOUMI_SCORE="${SHOUMI_SCORE:-similarity}"
DOLOS_VERSION=3.5.1
COPYDETECT_VERSION=0.5.0
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-1}"
WORK="${SIM_WORK:-$OUT/similarity}"
CACHE="$WORK/cache"
DOLOS_DIR="$CACHE/dolos-$DOLOS_VERSION"
VENV="$CACHE/copydetect-$COPYDETECT_VERSION"
IRPLAG_ZIP="$ROOT/crates/similarity/testdata/ir-plag/IR-Plag-Dataset.zip"
ZH_SET="$ROOT/crates/similarity/testdata/zh-tech"
SCORE="$BENCH/similarity/score.py"
if [ -z "${SHOUMI_BIN:-}" ]; then BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/shoumi"; fi

ALLOW_MISSING_SHOUMI=0
sections=()
for a in "$@"; do
  case $a in
    --allow-missing-shoumi) ALLOW_MISSING_SHOUMI=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $a" >&2; exit 2 ;;
    *) sections+=("$a") ;;
  esac
done
[ ${#sections[@]} -gt 0 ] || sections=(irplag zh)

TMP=$(mktemp -d /tmp/simbench.XXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$WORK" "$CACHE"

# ---------------------------------------------------------------------------------------------
# Installation (idempotent: each step checks first).
SETUP_DONE=0
SHOUMI_OK=0
SHOUMI_BUILT=0
SHOUMI_VERSION=""
SHOUMI_WHY=""
setup() {
  [ "$SETUP_DONE" = 1 ] && return 0
  local need=()
  command -v sim_java >/dev/null && command -v sim_text >/dev/null || need+=(similarity-tester)
  [ -x /usr/bin/time ] || need+=(time)
  command -v unzip >/dev/null || need+=(unzip)
  command -v node >/dev/null || need+=(nodejs npm)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi

  # Dolos: an npm project of its own in the cache, the library pinned.
  if ! dolos_ok; then
    log "npm: @dodona/dolos-lib@$DOLOS_VERSION into $DOLOS_DIR (compiles tree-sitter parsers, ~2 min)"
    rm -rf "$DOLOS_DIR"; mkdir -p "$DOLOS_DIR"
    # allowScripts: npm 11 runs dependencies' install scripts (here: node-gyp builds of the
    # tree-sitter parsers) only for packages listed there.
    printf '{ "name": "shoumi-bench-dolos", "private": true, "dependencies": { "@dodona/dolos-lib": "%s" },\n  "allowScripts": { "@dodona/dolos-parsers": true, "tree-sitter": true, "tree-sitter-compat": true } }\n' \
      "$DOLOS_VERSION" >"$DOLOS_DIR/package.json"
    (cd "$DOLOS_DIR" && npm install --no-audit --no-fund --loglevel=error >"$DOLOS_DIR/npm.log" 2>&1) ||
      { cat "$DOLOS_DIR/npm.log" >&2; return 1; }
    # Native parsers are built by install scripts; rebuild them if the client skipped those.
    dolos_ok || (cd "$DOLOS_DIR" && npm rebuild --loglevel=error >>"$DOLOS_DIR/npm.log" 2>&1) || true
    dolos_ok || { echo "Dolos does not load; see $DOLOS_DIR/npm.log" >&2; return 1; }
  fi

  # copydetect: a venv in the cache, the package pinned.
  if ! "$VENV/bin/python" -c "import copydetect, importlib.metadata as m; assert m.version('copydetect') == '$COPYDETECT_VERSION'" 2>/dev/null; then
    log "pip: copydetect==$COPYDETECT_VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "copydetect==$COPYDETECT_VERSION" >"$CACHE/pip.log" 2>&1 ||
      { cat "$CACHE/pip.log" >&2; return 1; }
  fi

  build_shoumi
  SETUP_DONE=1
}

dolos_ok() {
  [ -f "$DOLOS_DIR/node_modules/@dodona/dolos-lib/package.json" ] || return 1
  (cd "$DOLOS_DIR" && node --input-type=module -e "
    import { Dolos } from '@dodona/dolos-lib';
    import { readFileSync } from 'node:fs';
    const v = JSON.parse(readFileSync('node_modules/@dodona/dolos-lib/package.json')).version;
    if (v !== '$DOLOS_VERSION') process.exit(1);
    const p = (await import('@dodona/dolos-parsers')).default;
    if (!p.java) process.exit(1);" >/dev/null 2>&1)
}

build_shoumi() {
  if [ "${SKIP_BUILD:-0}" != 1 ] && [ -z "${SHOUMI_BIN:-}" ]; then
    log "cargo build --release -p shoumi${CARGO_TARGET_DIR:+ (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)}"
    if ! (cd "$ROOT" && cargo build -q --release -p shoumi); then
      SHOUMI_WHY="the release build failed"
      shoumi_missing; return 0
    fi
    SHOUMI_BUILT=1
  fi
  if [ ! -x "$BIN" ]; then
    SHOUMI_WHY="no binary at $BIN"
  elif ! "$BIN" match --help >/dev/null 2>&1 || ! "$BIN" match pairs --help >/dev/null 2>&1; then
    SHOUMI_WHY="\`shoumi match pairs\` does not exist in $BIN"
  else
    # Named once, when built: the tree may move on (commits) while the sections run.
    SHOUMI_VERSION="$("$BIN" --version 2>/dev/null | awk '{print $NF}')"
    if [ "$SHOUMI_BUILT" = 1 ]; then
      SHOUMI_VERSION+=" $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- crates 2>/dev/null || echo '+changes')"
    else
      SHOUMI_VERSION+=" (binary of $(stat -c %y "$BIN" 2>/dev/null | cut -d. -f1))"
    fi
    SHOUMI_OK=1; return 0
  fi
  shoumi_missing
}

shoumi_missing() {
  if [ "$ALLOW_MISSING_SHOUMI" = 1 ]; then
    log "shoumi SKIPPED: $SHOUMI_WHY (--allow-missing-shoumi); the peers run alone"
  else
    echo "shoumi: $SHOUMI_WHY. The benchmark needs it (--allow-missing-shoumi runs the peers alone)." >&2
    exit 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Running and timing.

# tool_cmd TOOL SET -> sets CMD (array): the invocation reading pairs on stdin.
tool_cmd() {
  case $1 in
    shoumi) CMD=("$BIN" match pairs) ;;
    dolos)
      local lang=java; if [ "$2" = zh ]; then lang=char; fi
      CMD=(node "$BENCH/similarity/dolos.mjs" --modules "$DOLOS_DIR/node_modules" --language "$lang") ;;
    copydetect)
      CMD=("$VENV/bin/python" "$BENCH/similarity/copydetect_pairs.py")
      if [ "$2" = zh ]; then CMD+=(--disable-filtering); fi ;;
    sim)
      local prog=sim_java; if [ "$2" = zh ]; then prog=sim_text; fi
      CMD=(bash "$BENCH/similarity/sim_pairs.sh" "$prog") ;;
  esac
}

# tool_meta TOOL SET DIR: name, version and score rule, as score.py prints them.
tool_meta() {
  local t=$1 set=$2 d=$3 name version score status=ok
  case $t in
    shoumi)
      name="shoumi (\`match pairs\`)"
      version=$SHOUMI_VERSION
      score="the \`$SHOUMI_SCORE\` column of \`shoumi match pairs\`"
      [ "$SHOUMI_OK" = 1 ] || { status="skipped: $SHOUMI_WHY"; version=""; } ;;
    dolos)
      name="Dolos"
      version="$(node -p "require('$DOLOS_DIR/node_modules/@dodona/dolos-lib/package.json').version") (npm \`@dodona/dolos-lib\`)"
      if [ "$set" = zh ]; then
        score="Dolos's pair similarity (covered k-grams of both files / all k-grams of both), default options, language \`char\` (Dolos's character tokenizer for .txt; it has no Chinese or prose language)"
      else
        score="Dolos's pair similarity (covered k-grams of both files / all k-grams of both), default options, language java; one analysis per case (original + its files)"
      fi ;;
    copydetect)
      name="copydetect"
      version="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("copydetect"))') (PyPI)"
      score="max of the two directional similarities (share of each file's tokens found in the other) from \`CopyDetector\` with defaults (noise 25, guarantee 25)"
      if [ "$set" = zh ]; then score+="; with its option disable_filtering, so the characters of the text are compared (with the default filter copydetect 0.5.0 empties every .txt file and scores every pair 0)"; fi ;;
    sim)
      local prog=sim_java defaults="min run 24 tokens, report threshold 1 %"
      if [ "$set" = zh ]; then prog=sim_text defaults="min run 8 words, report threshold 20 %"; fi
      name="SIM"
      version="$(dpkg-query -W -f '${Version}' similarity-tester 2>/dev/null | sed 's/-.*//') (Debian \`similarity-tester\`, \`$prog\`)"
      score="max of the two \`$prog -p -e -S\` percentages (left in right, right in left), one pair of invocations per original, defaults otherwise ($defaults; pairs not reported score 0)" ;;
  esac
  printf 'name\t%s\nversion\t%s\nscore\t%s\nstatus\t%s\n' "$name" "$version" "$score" "$status" >"$d/meta.tsv"
}

# measure DIR PAIRS [record]: one run of CMD; appends "wall_s peak_rss_kb cpu_s compilers" when recording.
measure() {
  local d=$1 pairs=$2 record=${3:-} t0 t1 comp rc=0
  comp=$(compilers || true)
  t0=$EPOCHREALTIME
  /usr/bin/time -v -o "$d/time.txt" "${CMD[@]}" <"$pairs" >"$d/out.raw" 2>"$d/stderr.log" || rc=$?
  t1=$EPOCHREALTIME
  if [ $rc -ne 0 ]; then
    echo "  $(basename "$d") failed (exit $rc): $(tail -3 "$d/stderr.log" | tr '\n' ' ')" >&2
    return 1
  fi
  local c2; c2=$(compilers || true); if [ "${c2:-0}" -gt "${comp:-0}" ]; then comp=$c2; fi
  [ -n "$record" ] || return 0
  awk -F': ' -v t0="$t0" -v t1="$t1" -v comp="${comp:-0}" '
    /Maximum resident set size/ { rss = $2 }
    /User time \(seconds\)/ { u = $2 }
    /System time \(seconds\)/ { s = $2 }
    END { printf "%.4f %d %.2f %d\n", t1 - t0, rss, u + s, comp }' "$d/time.txt" >>"$d/times.tsv"
}

# wait_quiet: with QUIET_WAIT=N, waits up to N seconds until no compiler has run for 15 s (the
# lead may be compiling on the same 2 cores); the figures note any that ran during the runs anyway.
wait_quiet() {
  local waited=0 calm=0
  [ "${QUIET_WAIT:-0}" -gt 0 ] || return 0
  while [ "$waited" -lt "$QUIET_WAIT" ]; do
    if [ "$(compilers || true)" = 0 ]; then calm=$((calm + 5)); else calm=0; fi
    [ "$calm" -ge 15 ] && return 0
    sleep 5; waited=$((waited + 5))
  done
  log "still other CPU jobs after ${QUIET_WAIT} s; measuring anyway"
}

# run_set SET PAIRS_DIR: every tool on PAIRS_DIR/pairs.tsv, then the report.
run_set() {
  local set=$1 pdir=$2 tools=(shoumi dolos copydetect sim) t i d ok=()
  local rdir="$WORK/$set"
  rm -rf "$rdir"; mkdir -p "$rdir"
  for t in "${tools[@]}"; do
    d="$rdir/$t"; mkdir -p "$d"
    tool_meta "$t" "$set" "$d"
    if [ "$t" = shoumi ] && [ "$SHOUMI_OK" != 1 ]; then continue; fi
    tool_cmd "$t" "$set"
    for i in $(seq 1 "$WARMUP"); do
      measure "$d" "$pdir/pairs.tsv" || { sed -i "s|^status\t.*|status\tfailed: see $d/stderr.log|" "$d/meta.tsv"; continue 2; }
    done
    ok+=("$t")
  done
  wait_quiet
  log "$set: ${RUNS} measured runs each of ${ok[*]} (round robin)"
  for i in $(seq 1 "$RUNS"); do
    for t in "${ok[@]}"; do
      tool_cmd "$t" "$set"
      measure "$rdir/$t" "$pdir/pairs.tsv" record || {
        sed -i "s|^status\t.*|status\tfailed: see $rdir/$t/stderr.log|" "$rdir/$t/meta.tsv"; }
    done
  done
  # Per-pair scores (left right score) from each tool's last output.
  for t in "${ok[@]}"; do
    d="$rdir/$t"
    case $t in
      shoumi) python3 "$SCORE" column "$pdir/pairs.tsv" "$d/out.raw" "$SHOUMI_SCORE" >"$d/scores.tsv" ;;
      sim) python3 "$SCORE" sim-scores "$pdir/pairs.tsv" "$d/out.raw" >"$d/scores.tsv" ;;
      *) cut -f1-3 "$d/out.raw" >"$d/scores.tsv" ;;
    esac
  done
  if [ "$SHOUMI_OK" = 1 ] && ! grep -q '^status	failed' "$rdir/shoumi/meta.tsv"; then
    local want have
    want=$(wc -l <"$pdir/pairs.tsv"); have=$(wc -l <"$rdir/shoumi/scores.tsv")
    if [ "$have" -ne "$want" ]; then
      sed -i "s|^status\t.*|status\tfailed: $have score lines for $want pairs|" "$rdir/shoumi/meta.tsv"
    fi
  fi
  python3 "$SCORE" report --set "$set" --labels "$pdir/labels.tsv" --tools-dir "$rdir" \
    --tools "$(IFS=,; echo "${tools[*]}")" --md "$OUT/similarity-$set.md" --json "$OUT/similarity-$set.json"
  log "$set: wrote $OUT/similarity-$set.md and .json (per-run files in $rdir)"
  if [ "$SHOUMI_OK" = 1 ] && grep -q '^status	failed' "$rdir/shoumi/meta.tsv"; then
    echo "shoumi failed on $set; see $rdir/shoumi/stderr.log" >&2; return 1
  fi
}

# ---------------------------------------------------------------------------------------------
irplag() {
  setup
  log "irplag: unzip IR-Plag and build the 460 labelled pairs"
  unzip -q -o "$IRPLAG_ZIP" -d "$TMP/irplag"
  python3 "$SCORE" irplag-pairs "$TMP/irplag" "$TMP/irplag-pairs"
  run_set irplag "$TMP/irplag-pairs"
}

zh() {
  setup
  [ -f "$ZH_SET/labels.tsv" ] || { echo "no $ZH_SET/labels.tsv (bench/similarity.sh zh-set makes it)" >&2; return 1; }
  log "zh: pairs of $ZH_SET/labels.tsv"
  python3 "$SCORE" zh-pairs "$ZH_SET" "$TMP/zh-pairs"
  run_set zh "$TMP/zh-pairs"
}

zh_set() {
  log "zh-set: regenerate $ZH_SET"
  python3 "$BENCH/similarity/make_zh_set.py" "$ZH_SET"
  if git -C "$ROOT" ls-files --error-unmatch "$ZH_SET/labels.tsv" >/dev/null 2>&1; then
    git -C "$ROOT" diff --exit-code --stat -- "$ZH_SET" || { echo "the generated zh set differs from the committed one" >&2; return 1; }
  fi
}

for s in "${sections[@]}"; do
  case $s in
    setup) setup ;;
    irplag) irplag ;;
    zh) zh ;;
    zh-set) zh_set ;;
    *) echo "unknown section $s" >&2; exit 2 ;;
  esac
done
