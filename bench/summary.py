#!/usr/bin/env python3
"""Prints the benchmark summary from bench/out/results.tsv and metrics.tsv (Markdown tables)."""
import csv
import sys
from collections import OrderedDict

out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"


def read(name):
    try:
        with open(f"{out}/{name}", newline="") as f:
            return list(csv.DictReader(f, delimiter="\t"))
    except FileNotFoundError:
        return []


res = read("results.tsv")
met = read("metrics.tsv")
M = {(m["section"], m["key"]): m for m in met}


def get(section, target, label, conns):
    for r in reversed(res):
        if (r["section"], r["target"], r["label"], r["conns"]) == (section, target, label, str(conns)):
            return r
    return None


def ok(cond):
    return "pass" if cond else "**FAIL**"


def pages(section, target):
    labels = list(OrderedDict.fromkeys(r["label"] for r in res if r["section"] == section and r["target"] == target))
    if not labels:
        return
    print(f"\n### {section}: {target} vs nginx (same bytes from disk), wrk -t2 -c50\n")
    print("| page | bytes | shoumi req/s | p50 ms | p99 ms | p99 < 20 ms | nginx req/s | nginx p99 ms | ratio | ratio ≥ 0.30 | other jobs |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|")
    for lab in labels:
        s, n = get(section, target, lab, 50), get(section, "nginx", lab, 50)
        if not s:
            continue
        b = M.get((section, f"bytes_{lab}"), {}).get("value", "")
        ratio = float(s["rps"]) / float(n["rps"]) if n and float(n["rps"]) else 0
        bad = int(s["non2xx"]) + int(s["errors"])
        note = f" ({bad} non-2xx/err)" if bad else ""
        print(f"| {lab} | {b} | {s['rps']}{note} | {s['p50_ms']} | {s['p99_ms']} | {ok(float(s['p99_ms']) < 20)} | "
              f"{n['rps'] if n else ''} | {n['p99_ms'] if n else ''} | {ratio:.2f} | {ok(ratio >= 0.30)} | {s['compilers']} |")


print("## shoumi benchmark summary\n")
pages("county", "sqlite")
pages("county-pg", "pg")

for target in ("sqlite", "pg"):
    labels = list(OrderedDict.fromkeys(r["label"] for r in res if r["section"] == "province" and r["target"] == target))
    if not labels:
        continue
    print(f"\n### province on {target}: p99 budget < 100 ms\n")
    print("| request | 1st GET ms | c1 p50 | c1 p99 | c1 req/s | c10 p50 | c10 p99 | c10 req/s | c50 p50 | c50 p99 | c50 req/s | p99<100 c1/c10/c50 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for lab in labels:
        cells, verdict = [], []
        for c in (1, 10, 50):
            r = get("province", target, lab, c)
            if r:
                bad = int(r["non2xx"]) + int(r["errors"])
                if float(r["rps"]) == 0 and float(r["p99_ms"]) == 0:
                    cells += ["none done", "none done", "0"]
                else:
                    cells += [r["p50_ms"], r["p99_ms"] + (f" ({bad} err)" if bad else ""), r["rps"]]
                verdict.append("ok" if float(r["p99_ms"]) < 100 and not bad and float(r["rps"]) > 0 else "FAIL")
            else:
                cells += ["", "", ""]
                verdict.append("-")
        first = M.get((f"province-{target}", f"single_{lab}"), {}).get("value", "")
        print(f"| {lab} | {first} | " + " | ".join(cells) + f" | {'/'.join(verdict)} |")

for section, budget in (("dashboard-county", 20), ("dashboard-province", 100)):
    rows = [r for r in res if r["section"] == section]
    if not rows:
        continue
    print(f"\n### {section}: p99 budget < {budget} ms\n")
    print("| target | request | c1 p50 | c1 p99 | c1 req/s | c50 p50 | c50 p99 | c50 req/s | p99 < budget c1/c50 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for target in ("sqlite", "pg"):
        labels = list(OrderedDict.fromkeys(r["label"] for r in rows if r["target"] == target))
        for lab in labels:
            cells, verdict = [], []
            for c in (1, 50):
                r = get(section, target, lab, c)
                if r:
                    bad = int(r["non2xx"]) + int(r["errors"])
                    cells += [r["p50_ms"], r["p99_ms"] + (f" ({bad} err)" if bad else ""), r["rps"]]
                    verdict.append("ok" if float(r["p99_ms"]) < budget and not bad else "FAIL")
                else:
                    cells += ["", "", ""]
                    verdict.append("-")
            print(f"| {target} | {lab} | " + " | ".join(cells) + f" | {'/'.join(verdict)} |")

print("\n### other figures\n")
print("| section | figure | value | unit | note |")
print("|---|---|---:|---|---|")
for m in met:
    if m["section"] == "county" and m["key"].startswith("bytes_"):
        continue
    if m["section"].startswith("province-") and m["key"].startswith("single_"):
        continue
    if m["section"].startswith("dashboard-") and m["key"].startswith("single_"):
        continue
    if m["section"] == "county-pg" and m["key"].startswith("bytes_"):
        continue
    print(f"| {m['section']} | {m['key']} | {m['value']} | {m['unit']} | {m['note']} |")
