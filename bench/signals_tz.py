#!/usr/bin/env python3
"""UTC-offset spans of IANA zones, as SQL for the signals baseline.

SQLite has no time zone database, so bench/signals_baseline.sql reads each
transaction's offset from a table made here with Python's zoneinfo (the
system's tzdata, the same files the engine reads):

    bl_tzspan(zone TEXT, t0 INTEGER, t1 INTEGER, off INTEGER)

one row per stretch [t0, t1) of Unix seconds during which the zone's
offset east of UTC is `off` seconds. The spans cover [T0, T1) exactly
(found at 6-hour steps, each change then pinned to the second; zones
change offset months apart); the
first starts at -2^53 and the last ends at 2^53 so no instant is without
one.

    signals_tz.py T0 T1 ZONE...     (T0, T1 Unix seconds)
"""
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

FAR = 1 << 53


def offset(z, t):
    return int(datetime.fromtimestamp(t, timezone.utc).astimezone(z).utcoffset().total_seconds())


def spans(name, t0, t1):
    z = ZoneInfo(name)
    out = []
    start, cur = -FAR, offset(z, t0)
    t = t0
    while t < t1:
        nxt = min(t + 21600, t1)
        if offset(z, nxt) != cur:
            lo, hi = t, nxt          # offset(lo) == cur, offset(hi) != cur
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(z, mid) == cur:
                    lo = mid
                else:
                    hi = mid
            out.append((start, hi, cur))
            start, cur = hi, offset(z, hi)
            nxt = hi
        t = nxt
    out.append((start, FAR, cur))
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    t0, t1 = int(sys.argv[1]), int(sys.argv[2])
    print("DROP TABLE IF EXISTS bl_tzspan;")
    print("CREATE TABLE bl_tzspan(zone TEXT NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL,"
          " off INTEGER NOT NULL, PRIMARY KEY (zone, t0)) WITHOUT ROWID;")
    print("BEGIN;")
    for name in sorted(set(sys.argv[3:])):
        for a, b, o in spans(name, t0, t1):
            print("INSERT INTO bl_tzspan VALUES ('%s', %d, %d, %d);" % (name.replace("'", "''"), a, b, o))
    print("COMMIT;")


if __name__ == "__main__":
    main()
