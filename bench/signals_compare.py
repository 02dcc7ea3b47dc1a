#!/usr/bin/env python3
"""Compare two NDJSON files of derived signals, one line per user:
{"user_id":..,"as_of":..,"signals":{..}} (traits, if any, are ignored).

    signals_compare.py MMR_OUT SQL_OUT [--show N] [--stats]

Every user of either file, every signal of either line: numbers agree when
|a - b| <= 1e-9 * max(1, |a|, |b|) (relative, with an absolute floor of
1e-9 for values near 0: sums of the same amounts in another order differ in
the last bits), null only equals null, maps need the same keys and each
value agreeing. A signal absent from a line is reported as absent (the
engine writes every derived signal, null when missing). Prints a summary
and the first N mismatches (default 20); exit 1 on any mismatch.
--stats also prints, per signal, how many users have it non-null and its
range (maps: of their key counts; texts: of their lengths), to see that the
sample data exercises every signal.
"""
import json
import sys

TOL = 1e-9


def num_eq(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            return False
        return all(same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return num_eq(a, b)
    return a == b


def explain(a, b):
    """What differs between two values (maps: only the differing keys)."""
    if isinstance(a, dict) and isinstance(b, dict):
        parts = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                parts.append("%s only in mmr (%s)" % (json.dumps(k, ensure_ascii=False), short(a[k])))
            elif k not in a:
                parts.append("%s only in sql (%s)" % (json.dumps(k, ensure_ascii=False), short(b[k])))
            elif not same(a[k], b[k]):
                parts.append("%s: mmr %s  sql %s" % (json.dumps(k, ensure_ascii=False), short(a[k]), short(b[k])))
        return "map differs: " + "; ".join(parts)
    return "mmr %s  sql %s" % (short(a), short(b))


def load(path):
    users, order = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
            uid = o.get("user_id")
            if uid in users:
                sys.exit("%s:%d: user %s appears twice" % (path, n, uid))
            users[uid] = o
            order.append(uid)
    return users, order


def short(v):
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= 160 else s[:157] + "..."


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = 20
    if "--show" in sys.argv:
        show = int(sys.argv[sys.argv.index("--show") + 1])
        args.remove(str(show))
    if len(args) != 2:
        sys.exit(__doc__)
    names = ("mmr", "sql")
    (a, aorder), (b, border) = load(args[0]), load(args[1])
    problems = []
    for name, order in zip(names, (aorder, border)):
        if order != sorted(order, key=lambda u: u.encode()):
            problems.append("%s: users are not sorted by user_id (byte order)" % name)
    for u in sorted(set(a) - set(b), key=lambda u: u.encode()):
        problems.append("%s: only in mmr" % u)
    for u in sorted(set(b) - set(a), key=lambda u: u.encode()):
        problems.append("%s: only in sql" % u)
    nvalues = 0
    stats = {}
    for u in aorder:
        if u not in b:
            continue
        x, y = a[u], b[u]
        if x.get("as_of") != y.get("as_of"):
            problems.append("%s: as_of mmr %s, sql %s" % (u, x.get("as_of"), y.get("as_of")))
        sx, sy = x.get("signals") or {}, y.get("signals") or {}
        for k in sorted(set(sx) | set(sy)):
            nvalues += 1
            if k not in sx or k not in sy:
                problems.append("%s %s: absent from %s (the other has %s)"
                                % (u, k, "mmr" if k not in sx else "sql", short(sy.get(k, sx.get(k)))))
                continue
            if not same(sx[k], sy[k]):
                problems.append("%s %s: %s" % (u, k, explain(sx[k], sy[k])))
            st = stats.setdefault(k, [0, 0, None, None])
            st[0] += 1
            v = sx[k]
            if v is not None:
                st[1] += 1
                if isinstance(v, dict):
                    v = len(v)
                elif isinstance(v, str):
                    v = len(v)
                st[2] = v if st[2] is None else min(st[2], v)
                st[3] = v if st[3] is None else max(st[3], v)
    if "--stats" in sys.argv:
        print("%-26s %9s %9s %14s %14s" % ("signal", "users", "non-null", "min", "max (maps: keys; texts: length)"))
        for k in sorted(stats):
            n, nn, lo, hi = stats[k]
            print("%-26s %9d %9d %14.6g %14.6g" % (k, n, nn, lo if lo is not None else float("nan"),
                                                  hi if hi is not None else float("nan")))
    if problems:
        print("MISMATCH: %d problem(s) over %d users (mmr %d, sql %d), %d values; first %d:"
              % (len(problems), len(set(a) | set(b)), len(a), len(b), nvalues, min(show, len(problems))))
        for p in problems[:show]:
            print("  " + p)
        sys.exit(1)
    print("agree: %d users, %d values (numbers within %g relative)" % (len(a), nvalues, TOL))


if __name__ == "__main__":
    main()
