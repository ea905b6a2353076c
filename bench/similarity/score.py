#!/usr/bin/env python3
"""Pairs, score parsing and figures for bench/similarity.sh (Python 3 standard library only).

Subcommands
  irplag-pairs DATASET_DIR OUT_DIR
      The README protocol of IR-Plag: each case's original against every file under
      plagiarized/L1..L6 (label 1, level Ln) and non-plagiarized/ (label 0, level "neg").
      Writes OUT_DIR/pairs.tsv (left, right) and OUT_DIR/labels.tsv (left, right, label, level).
  zh-pairs SET_DIR OUT_DIR
      The same two files from SET_DIR/labels.tsv (paths there are relative to SET_DIR).
  sim-scores PAIRS RAW
      Parses SIM's `-p` lines ("F consists for N % of G material") from RAW and prints
      left, right, score, pct_left_in_right, pct_right_in_left per pair of PAIRS, score = the
      larger of the two directions (a pair SIM does not report counts as 0 %).
  column PAIRS SCORES NAME
      Prints left, right, score from a `shoumi match pairs` output, score = column NAME
      (similarity | left_containment | right_containment | max_containment | longest).
  report --set NAME --labels LABELS --tools-dir DIR --tools T1,T2,... --md OUT.md --json OUT.json
      Per tool (DIR/T/scores.tsv, DIR/T/times.tsv, DIR/T/meta.tsv): ROC AUC (Mann-Whitney,
      ties count one half) over all pairs, per positive level (that level's positives against
      all negatives), per negative kind when there are several (all positives against that
      kind), best F1 over thresholds (predict 1 when score >= t), median wall time and peak RSS
      over the measured runs. Writes the Markdown table and the JSON figures.
"""
import json
import os
import re
import statistics
import sys
from collections import OrderedDict


# ----------------------------------------------------------------------------- pairs
def irplag_pairs(dataset, out):
    root = dataset
    if not any(d.startswith("case-") for d in os.listdir(root)):
        root = os.path.join(root, "IR-Plag-Dataset")
    rows = []
    for case in sorted(d for d in os.listdir(root) if d.startswith("case-")):
        cdir = os.path.join(root, case)
        originals = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(cdir, "original"))
                     for f in fs if f.endswith(".java")]
        if len(originals) != 1:
            sys.exit(f"{cdir}: expected one original .java, found {len(originals)}")
        orig = os.path.abspath(originals[0])
        for kind in ("plagiarized", "non-plagiarized"):
            for dp, _, fs in sorted(os.walk(os.path.join(cdir, kind))):
                for f in sorted(fs):
                    if not f.endswith(".java"):
                        continue
                    path = os.path.abspath(os.path.join(dp, f))
                    rel = os.path.relpath(path, os.path.join(cdir, kind)).split(os.sep)
                    if kind == "plagiarized":
                        rows.append((orig, path, 1, rel[0]))
                    else:
                        rows.append((orig, path, 0, "neg"))
    write_pairs(rows, out)
    pos = sum(r[2] for r in rows)
    print(f"{len(rows)} pairs ({pos} positive, {len(rows) - pos} negative)", file=sys.stderr)


def zh_pairs(set_dir, out):
    rows = []
    with open(os.path.join(set_dir, "labels.tsv"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            if i == 0 and parts[0] == "original":
                continue
            if len(parts) < 4:
                continue
            left, right, label, level = parts[:4]
            rows.append((os.path.abspath(os.path.join(set_dir, left)),
                         os.path.abspath(os.path.join(set_dir, right)), int(label), level))
    write_pairs(rows, out)
    pos = sum(r[2] for r in rows)
    print(f"{len(rows)} pairs ({pos} positive, {len(rows) - pos} negative)", file=sys.stderr)


def write_pairs(rows, out):
    os.makedirs(out, exist_ok=True)
    # Grouped by left (the runners analyse one left with all its rights at a time).
    rows = sorted(rows, key=lambda r: r[0])
    with open(os.path.join(out, "pairs.tsv"), "w", encoding="utf-8") as p, \
            open(os.path.join(out, "labels.tsv"), "w", encoding="utf-8") as l:
        for left, right, label, level in rows:
            p.write(f"{left}\t{right}\n")
            l.write(f"{left}\t{right}\t{label}\t{level}\n")


def read_pairs(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t")[:2]) for line in f if line.strip()]


# ----------------------------------------------------------------------------- tool outputs
SIM_LINE = re.compile(r"^(.*) consists for (\d+) % of (.*) material$")


def sim_scores(pairs_path, raw_path):
    pct = {}
    with open(raw_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SIM_LINE.match(line.rstrip("\n"))
            if m:
                a, p, b = m.group(1), int(m.group(2)), m.group(3)
                pct[(a, b)] = max(p, pct.get((a, b), 0))
    for left, right in read_pairs(pairs_path):
        lr = pct.get((left, right), 0) / 100.0  # share of left found in right
        rl = pct.get((right, left), 0) / 100.0
        print(f"{left}\t{right}\t{max(lr, rl)}\t{lr}\t{rl}")


SHOUMI_COLUMNS = {"similarity": 2, "left_containment": 3, "right_containment": 4, "longest": 5}


def column(pairs_path, scores_path, name):
    with open(scores_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 6 or parts[0] == "left":
                continue
            if name == "max_containment":
                v = max(float(parts[3]), float(parts[4]))
            else:
                v = float(parts[SHOUMI_COLUMNS[name]])
            print(f"{parts[0]}\t{parts[1]}\t{v}")


# ----------------------------------------------------------------------------- measures
def auc(pos, neg):
    """Mann-Whitney U / (|pos| |neg|): P(score(pos) > score(neg)), ties counting one half."""
    if not pos or not neg:
        return None
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    # average ranks over ties
    rank_sum_pos, i, n = 0.0, 0, len(allv)
    while i < n:
        j = i
        while j + 1 < n and allv[j + 1][0] == allv[i][0]:
            j += 1
        avg = (i + j) / 2.0 + 1.0
        rank_sum_pos += avg * sum(1 for k in range(i, j + 1) if allv[k][1] == 1)
        i = j + 1
    u = rank_sum_pos - len(pos) * (len(pos) + 1) / 2.0
    return u / (len(pos) * len(neg))


def best_f1(scored):
    """Best F1 over thresholds t (predict positive when score >= t); returns (f1, t)."""
    total_pos = sum(1 for _, y in scored if y == 1)
    if total_pos == 0:
        return None, None
    items = sorted(scored, key=lambda x: -x[0])
    best, best_t, tp, fp, i = 0.0, None, 0, 0, 0
    while i < len(items):
        t = items[i][0]
        while i < len(items) and items[i][0] == t:
            tp += items[i][1] == 1
            fp += items[i][1] == 0
            i += 1
        fn = total_pos - tp
        f1 = 2 * tp / (2 * tp + fp + fn)
        if f1 > best:
            best, best_t = f1, t
    return best, best_t


def read_kv(path):
    d = OrderedDict()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "\t" in line:
                    k, v = line.rstrip("\n").split("\t", 1)
                    d[k] = v
    return d


def report(args):
    opts = {}
    it = iter(args)
    for a in it:
        opts[a.lstrip("-")] = next(it)
    labels = []
    with open(opts["labels"], encoding="utf-8") as f:
        for line in f:
            left, right, label, level = line.rstrip("\n").split("\t")[:4]
            labels.append((left, right, int(label), level))
    pos_levels = list(OrderedDict.fromkeys(l[3] for l in labels if l[2] == 1))
    neg_kinds = list(OrderedDict.fromkeys(l[3] for l in labels if l[2] == 0))
    if opts["set"] == "irplag":
        pos_levels = sorted(pos_levels)
    tools = [t for t in opts["tools"].split(",") if t]
    figures = OrderedDict(set=opts["set"], pairs=len(labels),
                          positives=sum(l[2] for l in labels),
                          negatives=sum(1 for l in labels if l[2] == 0),
                          levels={lv: sum(1 for l in labels if l[3] == lv) for lv in pos_levels + neg_kinds},
                          tools=OrderedDict())
    for tool in tools:
        tdir = os.path.join(opts["tools-dir"], tool)
        meta = read_kv(os.path.join(tdir, "meta.tsv"))
        entry = OrderedDict(name=meta.get("name", tool), version=meta.get("version", ""),
                            score=meta.get("score", ""), status=meta.get("status", "ok"))
        figures["tools"][tool] = entry
        if entry["status"] != "ok":
            continue
        scores = {}
        with open(os.path.join(tdir, "scores.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    scores[(parts[0], parts[1])] = float(parts[2])
        missing = 0
        scored = []
        for left, right, y, level in labels:
            s = scores.get((left, right))
            if s is None:
                s = scores.get((right, left))
            if s is None:
                missing += 1
                s = 0.0
            scored.append((s, y, level))
        neg = [s for s, y, _ in scored if y == 0]
        pos = [s for s, y, _ in scored if y == 1]
        entry["missing_pairs"] = missing
        entry["auc"] = auc(pos, neg)
        entry["auc_level"] = OrderedDict(
            (lv, auc([s for s, y, l in scored if y == 1 and l == lv], neg)) for lv in pos_levels)
        if len(neg_kinds) > 1:
            entry["auc_vs_negative"] = OrderedDict(
                (k, auc(pos, [s for s, y, l in scored if y == 0 and l == k])) for k in neg_kinds)
        f1, t = best_f1([(s, y) for s, y, _ in scored])
        entry["best_f1"], entry["best_f1_threshold"] = f1, t
        runs = []
        tpath = os.path.join(tdir, "times.tsv")
        if os.path.exists(tpath):
            with open(tpath) as f:
                for line in f:
                    w, rss, cpu, comp = (line.split() + ["0", "0", "0", "0"])[:4]
                    runs.append((float(w), int(rss), float(cpu), int(comp)))
        if runs:
            entry["runs"] = len(runs)
            entry["wall_s_median"] = statistics.median(r[0] for r in runs)
            entry["wall_s_all"] = [r[0] for r in runs]
            entry["cpu_s_median"] = statistics.median(r[2] for r in runs)
            entry["peak_rss_mib"] = max(r[1] for r in runs) / 1024.0
            entry["other_cpu_jobs_max"] = max(r[3] for r in runs)
    figures["goals"] = goals(figures, pos_levels)
    for line in figures["goals"].get("lines", []):
        print(line, file=sys.stderr)
    with open(opts["json"], "w", encoding="utf-8") as f:
        json.dump(figures, f, indent=2, ensure_ascii=False)
        f.write("\n")
    md = markdown(figures, pos_levels, neg_kinds)
    with open(opts["md"], "w", encoding="utf-8") as f:
        f.write(md)
    sys.stdout.write(md)


def goals(fig, pos_levels):
    """The issue's goals for shoumi: AUC at least the best peer's, overall and at every level;
    wall time no more than SIM's and at most a tenth of Dolos's."""
    tools = fig["tools"]
    me = tools.get("shoumi")
    if not me or me.get("status") != "ok":
        return {"checked": False, "lines": ["goals: not checked (shoumi did not run)"]}
    peers = {k: v for k, v in tools.items() if k != "shoumi" and v.get("status") == "ok"}
    out, lines = OrderedDict(checked=True), []

    def check(name, ok, detail):
        out[name] = ok
        lines.append(f"goal {'met   ' if ok else 'MISSED'} {name}: {detail}")

    def best(key, level=None):
        vals = [(p["auc"] if level is None else p["auc_level"].get(level), n) for n, p in peers.items()]
        vals = [v for v in vals if v[0] is not None]
        return max(vals) if vals else (None, None)

    b, who = best("auc")
    if b is not None:
        check("auc", me["auc"] >= b, f"shoumi {me['auc']:.3f}, best peer {who} {b:.3f}")
    for lv in pos_levels:
        b, who = best("auc", lv)
        mine = me["auc_level"].get(lv)
        if b is not None and mine is not None:
            check(f"auc_{lv}", mine >= b, f"shoumi {mine:.3f}, best peer {who} {b:.3f}")
    w = me.get("wall_s_median")
    if w is not None and "sim" in peers and peers["sim"].get("wall_s_median") is not None:
        ws = peers["sim"]["wall_s_median"]
        check("wall_vs_sim", w <= ws, f"shoumi {w:.3f} s, SIM {ws:.3f} s")
    if w is not None and "dolos" in peers and peers["dolos"].get("wall_s_median") is not None:
        wd = peers["dolos"]["wall_s_median"]
        check("wall_vs_dolos", w * 10 <= wd, f"shoumi {w:.3f} s, Dolos {wd:.3f} s ({wd / w:.1f}x)")
    out["all_met"] = all(v for k, v in out.items() if k not in ("checked",))
    out["lines"] = lines
    return out


def fmt(v, nd=3):
    return "–" if v is None else f"{v:.{nd}f}"


def fmt_time(s):
    if s is None:
        return "–"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def markdown(fig, pos_levels, neg_kinds):
    head = ["tool", "AUC", "best F1"] + pos_levels
    if len(neg_kinds) > 1:
        head += [f"vs {k}" for k in neg_kinds]
    head += ["wall (median)", "CPU", "peak RSS"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for tool, e in fig["tools"].items():
        label = e["name"] + (f" {e['version']}" if e.get("version") else "")
        if e["status"] != "ok":
            lines.append("| " + " | ".join([label, e["status"]] + [""] * (len(head) - 2)) + " |")
            continue
        row = [label, fmt(e["auc"]), fmt(e["best_f1"])]
        row += [fmt(e["auc_level"].get(lv)) for lv in pos_levels]
        if len(neg_kinds) > 1:
            row += [fmt(e["auc_vs_negative"].get(k)) for k in neg_kinds]
        row += [fmt_time(e.get("wall_s_median")), fmt_time(e.get("cpu_s_median")),
                f"{e['peak_rss_mib']:.0f} MiB" if "peak_rss_mib" in e else "–"]
        if e.get("missing_pairs"):
            row[0] += f" ({e['missing_pairs']} pairs missing, scored 0)"
        lines.append("| " + " | ".join(row) + " |")
    counts = ", ".join(f"{k} {v}" for k, v in fig["levels"].items())
    lines.append("")
    lines.append(f"{fig['pairs']} pairs ({fig['positives']} positive, {fig['negatives']} negative; {counts}). "
                 "AUC per level: that level's positives against all negatives"
                 + ("; \"vs K\": all positives against negatives of kind K" if len(neg_kinds) > 1 else "")
                 + ". Wall: median of the measured runs of the whole invocation for all pairs "
                   "(process start included); peak RSS: largest process, max over the runs.")
    busy = max((e.get("other_cpu_jobs_max", 0) for e in fig["tools"].values()), default=0)
    if busy:
        lines.append("")
        lines.append(f"**Other CPU jobs (rustc/cc/ld/cargo) ran during the measured runs (up to {busy} "
                     "processes): the times are not clean; rerun on a quiet machine before quoting them.**")
    notes = [f"- {e['name']}: {e['score']}" for e in fig["tools"].values() if e.get("score")]
    if notes:
        lines.append("")
        lines.append("Score per pair:")
        lines += notes
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "irplag-pairs":
        irplag_pairs(*args)
    elif cmd == "zh-pairs":
        zh_pairs(*args)
    elif cmd == "sim-scores":
        sim_scores(*args)
    elif cmd == "column":
        column(*args)
    elif cmd == "report":
        report(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
