#!/usr/bin/env python3
"""Compares the mm_signal_daily rows of one date: SQLite (mmr signals --db)
against PostgreSQL (the emitted SQL), every user and every column the SQL
wrote. Numbers agree to 1e-9 relative, maps as parsed JSON, booleans as
0/1 against true/false. Prints the first differences; exit 1 on any.

usage: compare.py SQLITE_DB PSQL_BIN PGDB DATE
"""
import json, math, sqlite3, subprocess, sys

sdb, psql, pgdb, date = sys.argv[1:5]
out = subprocess.run([psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", pgdb, "-c",
                      "SELECT row_to_json(d) FROM mm_signal_daily d WHERE as_of = '%s' ORDER BY user_id" % date],
                     capture_output=True, text=True, check=True).stdout
pg = {r["user_id"]: r for r in map(json.loads, out.splitlines())}
cols = sorted({k for r in pg.values() for k in r} - {"user_id", "as_of"})
db = sqlite3.connect(sdb)
db.row_factory = sqlite3.Row
lite = {r["user_id"]: dict(r) for r in db.execute("SELECT * FROM mm_signal_daily WHERE as_of = ?", (date,))}
problems = []
if not pg:
    problems.append("PostgreSQL has no rows for %s" % date)
for u in sorted(set(pg) | set(lite)):
    if u not in pg or u not in lite:
        problems.append("%s: only in %s" % (u, "PostgreSQL" if u in pg else "SQLite"))
        continue
    for c in cols:
        a, b = lite[u].get(c, "(no column)"), pg[u].get(c)
        if isinstance(b, dict):
            a = json.loads(a) if isinstance(a, str) else a
            same = isinstance(a, dict) and a.keys() == b.keys() and all(
                math.isclose(a[k], b[k], rel_tol=1e-9, abs_tol=1e-12) for k in a)
        elif isinstance(b, bool):
            same = a in (0, 1) and bool(a) == b
        elif isinstance(b, (int, float)) and isinstance(a, (int, float)) and not isinstance(a, bool):
            same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        else:
            same = a == b
        if not same:
            problems.append("%s %s: sqlite %r, postgresql %r" % (u, c, a, b))
for p in problems[:15]:
    print("    " + p)
if len(problems) > 15:
    print("    ... and %d more" % (len(problems) - 15))
print("    %d users, %d columns compared" % (len(pg), len(cols)), file=sys.stderr)
sys.exit(1 if problems else 0)
