#!/usr/bin/env python3
"""mm_signal_daily rows of one date as NDJSON, for bench/signals_compare.py:
{"user_id":..,"as_of":..,"signals":{NAME: value, ...}} sorted by user_id
(byte order), with the derived signals named in the first line of REF (an
NDJSON file of the same shape, e.g. the SQL baseline's output); a TEXT
value that is a JSON object (a category map) is read back as one.

    signals_dump.py DB AS_OF REF.ndjson > OUT.ndjson
"""
import json
import sqlite3
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    db, as_of, ref = sys.argv[1:]
    with open(ref, encoding="utf-8") as f:
        first = f.readline()
    names = sorted(json.loads(first)["signals"]) if first.strip() else []
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    cols = {r[1] for r in con.execute("PRAGMA table_info(mm_signal_daily)")}
    missing = [n for n in names if n not in cols]
    if missing:
        sys.exit("%s: mm_signal_daily has no column %s" % (db, ", ".join(missing)))
    sel = ", ".join('"%s"' % n for n in names)
    rows = con.execute("SELECT user_id%s FROM mm_signal_daily WHERE as_of = ?"
                       % ((", " + sel) if names else ""), (as_of,)).fetchall()
    rows.sort(key=lambda r: r[0].encode())
    out = sys.stdout
    for r in rows:
        sig = {}
        for n, v in zip(names, r[1:]):
            if isinstance(v, str) and v.startswith("{"):
                v = json.loads(v)
            sig[n] = v
        out.write(json.dumps({"user_id": r[0], "as_of": as_of, "signals": sig}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
