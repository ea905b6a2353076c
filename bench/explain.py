#!/usr/bin/env python3
"""Where the time of the province enterprise list goes: the two statements shoumi runs per list
request (COUNT(*) for the pager, then the page), timed one by one on SQLite (Python's sqlite3
module, median of 5 warm runs) and on PostgreSQL (EXPLAIN ANALYZE through psql), with their plans.

The SQL is copied from what shoumi logs (RUST_LOG=sqlx::query=debug) for an admin (scope `1 = 1`),
with the bound values written inline.

    bench/explain.py SQLITE_DB PG_URL PARAMS_ENV > bench/out/explain.md
"""
import re
import sqlite3
import statistics
import subprocess
import sys
import time

db_path, pg_url, params_file = sys.argv[1:4]
P = {}
for line in open(params_file, encoding="utf-8"):
    m = re.match(r"(\w+)='?(.*?)'?$", line.strip())
    if m:
        P[m.group(1)] = m.group(2)

FROM = ("FROM enterprises e JOIN divisions d ON d.id = e.division_id "
        "LEFT JOIN zones z ON z.id = e.zone_id")
COLS = ("e.id, e.public_id, e.name, e.credit_code, e.legal_representative, e.address, e.division_id, "
        "d.code AS division_code, d.name AS division_name, e.zone_id, z.key AS zone_key, z.name AS zone_name, "
        "e.industry, e.size, e.tags, e.contact_name, e.contact_phone, e.contact_email, e.share_contacts, "
        "e.status, e.created_at, e.updated_at")
BASE = "e.archived_at IS NULL AND 1 = 1"
sub, code, div = P["NAME_SUB"], P["CODE_PREFIX"], P["DIVISION"]
CASES = [
    ("list-p1", "", 0),
    ("list-p100", "", 99 * 50),
    ("q-name", f" AND e.name LIKE '%{sub}%' ESCAPE '\\'", 0),
    ("q-code", f" AND (e.credit_code LIKE '{code}%' ESCAPE '\\' OR e.name LIKE '%{code}%' ESCAPE '\\')", 0),
    ("division", f" AND (d.public_id = '{div}' OR d.code = '{div}')", 0),
    ("industry-C26", " AND e.industry = 'C26'", 0),
    ("tag-gazelle", " AND e.tags LIKE '%gazelle%' ESCAPE '\\'", 0),
]

con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def sqlite_time(sql):
    ts = []
    for _ in range(4):
        t = time.perf_counter()
        con.execute(sql).fetchall()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts[1:])


def sqlite_plan(sql):
    return "; ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql))


def pg_explain(sql):
    out = subprocess.run(["psql", pg_url, "-XAt", "-c", "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql],
                         capture_output=True, text=True).stdout
    total = re.search(r"Execution Time: ([0-9.]+) ms", out)
    return (float(total.group(1)) if total else float("nan")), out


print(f"# Province list statements, one by one (SQLite {sqlite3.sqlite_version} via Python; shoumi bundles 3.46.0)\n")
print("| request | SQLite COUNT ms | SQLite page ms | PG COUNT ms | PG page ms |")
print("|---|---:|---:|---:|---:|")
plans = []
for label, where, offset in CASES:
    count = f"SELECT COUNT(*) AS n {FROM} WHERE {BASE}{where}"
    page = f"SELECT {COLS} {FROM} WHERE {BASE}{where} ORDER BY e.name, e.id LIMIT 50 OFFSET {offset}"
    sc, sp = sqlite_time(count), sqlite_time(page)
    pc, pco = pg_explain(count)
    pp, ppo = pg_explain(page)
    print(f"| {label} | {sc:.1f} | {sp:.1f} | {pc:.1f} | {pp:.1f} |")
    plans.append((label, count, sqlite_plan(count), sqlite_plan(page), pco, ppo))

for label, count, scp, spp, pco, ppo in plans:
    print(f"\n## {label}\n\n`{count}`\n")
    print(f"- SQLite COUNT plan: {scp}\n- SQLite page plan: {spp}\n")
    print("PostgreSQL COUNT:\n```\n" + pco.strip() + "\n```\nPostgreSQL page:\n```\n" + ppo.strip() + "\n```")
