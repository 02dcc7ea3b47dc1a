#!/usr/bin/env python3
"""`sqlite3 MARKER …` for the golden tests run against PostgreSQL (tests/pg/cram.sh):
`sqlite3 PATH SQL` and `sqlite3 PATH .dump` on a PATH that stands for a
PostgreSQL database (tests/pg/cram_shim/pgshim.py) run on that database and
print as sqlite3 does: columns joined by |, NULL empty, a double with its
".0", a boolean 1 or 0. `.dump` prints every mm_ table's columns and rows
in a fixed order (one "INSERT INTO t VALUES(...)" line a row), which is
all the goldens do with it: compare two dumps. PRAGMA integrity_check and
foreign_key_check print what they print on a sound SQLite file (PostgreSQL
checks both itself and has no such statement); other PRAGMAs are SQLite's
own business and print "pragma: SQLite only". Any other PATH (a real
SQLite file) goes to the real sqlite3.
"""
import json, os, re, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgshim
import signal as _signal
_signal.signal(_signal.SIGPIPE, _signal.SIG_DFL)   # `| cmp -` may stop reading early

def real():
    r = pgshim.env("SQLITE3_REAL")
    os.execv(r, [r] + sys.argv[1:])

def fmt(v, typ):
    if v is None:
        return ""
    if typ in ("json", "jsonb"):   # as mmr wrote it: compact
        return json.dumps(json.loads(v), ensure_ascii=False, separators=(",", ":"))
    if typ == "boolean":
        return "1" if v == "t" else "0"
    if typ in ("double precision", "real") and re.fullmatch(r"-?\d+", v):
        return v + ".0"
    return v

SEP = "\x1dmmr-shim-end-of-desc\x1d"

def query(db, sql):
    """Rows of one statement as lists of text (None for NULL), and the
    column types; one psql for both (\\gdesc, then the statement)."""
    body = sql.rstrip().rstrip(";")
    script = "%s \\gdesc\n\\echo %s\n\\pset fieldsep '\\x1f'\n%s\n" % (body, SEP, body)
    # unit and record separators and a NULL marker: | and newlines in values survive
    r = subprocess.run([pgshim.tool("psql"), "-X", "-q", "-At", "-R", "\x1e", "-P", "null=\x02N",
                        "-v", "ON_ERROR_STOP=1", "-d", db], input=script, capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr
    desc, _, out = r.stdout.partition(SEP + "\n")
    types = [ln.rsplit("|", 1)[1].strip() for ln in desc.split("\x1e") if "|" in ln]
    out = out[:-1] if out.endswith("\n") else out
    rows = [[None if c == "\x02N" else c for c in rec.split("\x1f")] for rec in out.split("\x1e")] if out else []
    return (rows, types), None

def statements(sql):
    out, cur, q = [], "", False
    for ch in sql:
        if ch == "'":
            q = not q
        if ch == ";" and not q:
            out.append(cur); cur = ""
        else:
            cur += ch
    out.append(cur)
    return [s.strip() for s in out if s.strip()]

def run_sql(db, sql):
    rc = 0
    for st in statements(sql):
        low = st.lower()
        if low.startswith("pragma"):
            if "integrity_check" in low or "quick_check" in low:
                print("ok")
            elif "foreign_key_check" in low or re.match(r"pragma\s+foreign_keys\s*=", low):
                pass
            else:
                print("pragma: SQLite only")
            continue
        # SQLite's char(N) is PostgreSQL's chr(N)
        st = re.sub(r"\bchar\(", "chr(", st)
        st = re.sub(r"\bhex\(zeroblob\((\d+)\)\)", r"repeat('00', \1)", st)
        st = re.sub(r"\bpragma_table_info\('(\w+)'\)",
                    r"(SELECT column_name AS name FROM information_schema.columns WHERE table_name = '\1') pti", st)
        res, err = query(db, st)
        if err is not None:
            msg = err.strip().splitlines()[0] if err.strip() else "error"
            sys.stderr.write("Error: %s\n" % re.sub(r"^(psql:[^:]*:\d+: )?ERROR:\s*", "", msg))
            return 1
        rows, types = res
        for row in rows:
            print("|".join(fmt(v, types[i] if i < len(types) else "") for i, v in enumerate(row)))
    return rc

def dump(db):
    tables = pgshim.psql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                             "AND table_name LIKE 'mm\\_%' ORDER BY 1").stdout.split()
    for t in tables:
        cols = pgshim.psql(db, "SELECT column_name || ' ' || data_type FROM information_schema.columns "
                               "WHERE table_name = '%s' ORDER BY ordinal_position" % t).stdout.splitlines()
        print("CREATE TABLE %s(%s);" % (t, ", ".join(cols)))
        n = len(cols)
        order = ", ".join(str(i + 1) for i in range(n))
        r = pgshim.psql(db, "COPY (SELECT * FROM %s ORDER BY %s) TO STDOUT" % (t, order))
        for line in r.stdout.splitlines():
            print("INSERT INTO %s VALUES(%s);" % (t, line.replace("\t", ",")))
    return 0

def main():
    args = [a for a in sys.argv[1:]]
    if not args or args[0].startswith("-"):
        real()
    name = pgshim.resolve(args[0])
    if name is None:
        real()
    pgshim.log("sqlite3")
    if len(args) == 1:
        sql = sys.stdin.read()
    else:
        sql = " ".join(args[1:])
    if sql.strip() == ".dump":
        sys.exit(dump(name))
    if sql.strip().startswith("."):
        sys.stderr.write("pg shim: %s: SQLite only\n" % sql.strip())
        sys.exit(1)
    sys.exit(run_sql(name, sql))

main()
