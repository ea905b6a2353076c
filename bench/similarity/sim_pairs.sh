#!/usr/bin/env bash
# SIM runner for bench/similarity.sh.
#
#   bench/similarity/sim_pairs.sh sim_java|sim_text < pairs.tsv > raw.txt
#
# Reads `left<TAB>right` lines grouped by left. Per left, two invocations of SIM with its defaults
# and `-p` (percentages), `-e` (each file pair compared in isolation, which the man page names the
# exact way to get percentages) and `-S` (new files compared to old files only, the part after `/`):
#   PROG -p -e -S -T left / rights…    "left consists for x % of right material"
#   PROG -p -e -S -T rights… / left    "right consists for y % of left material"
# so every left-right pair is compared in both directions, and only those pairs. The raw output
# is parsed afterwards (score.py sim-scores: score = max(x, y) / 100). A single `PROG -p -s left /
# rights…` would be faster but is unfair to SIM: without -e each stretch of the left is credited
# to one right only, and the rights are never measured against the left.
set -euo pipefail
prog=${1:?usage: sim_pairs.sh sim_java|sim_text < pairs.tsv}
run_group() {
  [ -n "$left" ] || return 0
  "$prog" -p -e -S -T "$left" / "${rights[@]}"
  "$prog" -p -e -S -T "${rights[@]}" / "$left"
}
left="" rights=()
while IFS=$'\t' read -r l r; do
  [ -n "$l" ] || continue
  if [ "$l" != "$left" ]; then
    run_group
    left=$l rights=()
  fi
  rights+=("$r")
done
run_group
