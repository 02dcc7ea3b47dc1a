#!/usr/bin/env python3
"""`mmr --db …` for the golden tests run against PostgreSQL (tests/pg/cram.sh):
the mmr under test, with `--db PATH` replaced by the PostgreSQL database
PATH stands for (tests/pg/cram_shim/pgshim.py) and that database's URL
written back as PATH in what it prints, so the goldens read the same.

A command that creates a SQLite file when PATH does not exist (run, ingest,
signals; not a dry run) creates the database; any other command on a
missing PATH, or a PATH holding a real file, runs unchanged (what it then
tests is the file, which only SQLite has). `mmr gen --db PATH` fills a
SQLite file aside and copies its inputs in with tests/pg/load_sqlite.py.
`mmr signals` gets `--compute engine` (unless the test gives --compute):
the computation whose summary line the goldens show; tests/pg/signals_sql.sh
checks the in-database SQL against it row for row.
"""
import os, signal, subprocess, sys, tempfile, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgshim

REAL = pgshim.env("MMR_REAL")
CREATING = ("run", "ingest", "signals")

def db_arg(argv):
    """(index, value, joined) of --db in argv, or None."""
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--db" and i + 1 < len(argv):
            return i + 1, argv[i + 1], False
        if a.startswith("--db="):
            return i, a[5:], True
    return None

def dry(argv):
    return any(a == "--dry-run" or (a.startswith("--dry-run=") and a[10:] not in ("no", "false", "0", "off"))
               for a in argv)

def pump(src, dst, pairs):
    # A reader that stops early (`| head -1`) must not change mmr's exit
    # status: the rest is drained, as mmr would have written it unread.
    broken = False
    for line in iter(src.readline, b""):
        if broken:
            continue
        for a, b in pairs:
            line = line.replace(a, b)
        try:
            dst.write(line)
            dst.flush()
        except BrokenPipeError:
            broken = True

def same_file(a, b):
    try:
        x, y = os.fstat(a), os.fstat(b)
    except OSError:
        return False
    return (x.st_dev, x.st_ino) == (y.st_dev, y.st_ino)

def run(argv, pairs):
    # `2>&1`: one pipe for both, so the lines keep mmr's order
    merged = same_file(1, 2)
    p = subprocess.Popen([REAL] + argv, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT if merged else subprocess.PIPE)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda n, f: p.send_signal(n))
    ts = [threading.Thread(target=pump, args=(p.stdout, sys.stdout.buffer, pairs))]
    if not merged:
        ts.append(threading.Thread(target=pump, args=(p.stderr, sys.stderr.buffer, pairs)))
    for t in ts:
        t.start()
    rc = p.wait()
    for t in ts:
        t.join()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    # no second complaint about the closed pipe when Python exits
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    return rc if rc >= 0 else 128 - rc

def gen(argv, i, path, joined):
    """mmr gen --db PATH: the SQLite sample, copied into PATH's database."""
    fd, tmp = tempfile.mkstemp(suffix=".db", dir=os.path.dirname(os.path.abspath(path)))
    os.close(fd)
    os.unlink(tmp)
    argv = list(argv)
    argv[i] = "--db=" + tmp if joined else tmp
    rc = run(argv, [(tmp.encode(), path.encode())])
    if rc == 0:
        name = pgshim.create(path)
        empty = tmp + ".empty"
        open(empty, "w").close()
        subprocess.run([REAL, "ingest", "--db", pgshim.url(name), empty], check=True, capture_output=True)
        os.unlink(empty)
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run([sys.executable, os.path.join(here, "..", "load_sqlite.py"), tmp, pgshim.tool("psql"), name],
                       check=True, capture_output=True)
    for f in (tmp, tmp + "-wal", tmp + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    return rc

def main():
    argv = sys.argv[1:]
    found = db_arg(argv)
    if not found or "--help" in argv or "-h" in argv:
        os.execv(REAL, [REAL] + argv)
    i, path, joined = found
    if "://" in path or path in ("-", ":memory:") or not path:
        os.execv(REAL, [REAL] + argv)
    cmd = argv[0] if argv else ""
    name = pgshim.resolve(path)
    if name is None:
        if cmd == "gen" and not os.path.exists(path):
            sys.exit(gen(argv, i, path, joined))
        if os.path.exists(path) or cmd not in CREATING or dry(argv):
            os.execv(REAL, [REAL] + argv)
        name = pgshim.create(path)
        created = True
    else:
        created = False
    u = pgshim.url(name)
    argv[i] = "--db=" + u if joined else u
    pgshim.log("mmr " + cmd)
    if cmd == "signals" and not any(a == "--compute" or a.startswith("--compute=") for a in argv):
        argv[1:1] = ["--compute", "engine"]
    rc = run(argv, [(u.encode(), path.encode())])
    if created and rc != 0 and not schema(name):
        # as SQLite leaves no file when the command wrote nothing
        pgshim.drop(path, name)
    sys.exit(rc)

def schema(name):
    r = pgshim.psql(name, "SELECT to_regclass('mm_schema_version') IS NOT NULL", check=False)
    return r.stdout.strip() == "t"

main()
