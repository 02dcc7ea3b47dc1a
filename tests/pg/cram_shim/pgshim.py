"""Shared plumbing of the cram shims (tests/pg/cram.sh): a SQLite path in a
golden test stands for a PostgreSQL database of its own.

A path P "is" a PostgreSQL database when the file P holds one line,
"mmr-pg-shim:NAME", where NAME is the database. NAME comes from P itself
(so `cp a.db b.db` gives b.db a marker naming a.db's database: the shim then
clones it, as a copy of the file would be independent). Anything else at P
(a real SQLite file, junk a test wrote to see an error) is left to SQLite.

Environment (set by tests/pg/cram.sh): MMR_REAL (the mmr under test),
SQLITE3_REAL, PG_BIN (psql, createdb, dropdb), MMR_PG_BASE (the server URL
without a database), PGHOST/PGPORT/PGUSER for the client tools.
"""
import hashlib, os, subprocess

MARK = "mmr-pg-shim:"

def env(name):
    v = os.environ.get(name)
    if not v:
        raise SystemExit("pg shim: %s is not set (run through tests/pg/cram.sh)" % name)
    return v

def name_for(path):
    return "c_" + hashlib.md5(os.path.abspath(path).encode()).hexdigest()[:20]

def url(name):
    return env("MMR_PG_BASE") + "/" + name

def tool(t):
    return os.path.join(env("PG_BIN"), t)

def read_marker(path):
    """The database P stands for, None when P is not a marker."""
    if not os.path.isfile(path):   # a directory or a FIFO a test made: SQLite's business
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(200)
    except OSError:
        return None
    if not head.startswith(MARK.encode()):
        return None
    return head[len(MARK):].decode().strip()

def psql(db, sql, check=True, stdin=None):
    return subprocess.run([tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", db, "-c", sql],
                          input=stdin, capture_output=True, text=True, check=check)

# SQLite functions the goldens' queries use, as PostgreSQL functions of the
# test database (nothing of mmr reads them).
HELPERS = r"""
CREATE FUNCTION quote(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN v IS NULL THEN 'NULL' ELSE '''' || replace(v, '''', '''''') || '''' END $$;
CREATE FUNCTION quote(v bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT coalesce(v::text, 'NULL') $$;
CREATE FUNCTION round(v double precision, n int) RETURNS double precision LANGUAGE sql IMMUTABLE AS
  $$ SELECT round(v::numeric, n)::double precision $$;
CREATE FUNCTION unixepoch(v text) RETURNS bigint LANGUAGE sql IMMUTABLE AS
  $$ SELECT extract(epoch FROM v::timestamptz)::bigint $$;
"""

def create(path, template=None):
    """A fresh database for P (a copy of template's when given); writes P's marker."""
    name = name_for(path)
    subprocess.run([tool("dropdb"), "--if-exists", name], capture_output=True)
    args = [tool("createdb"), "-E", "UTF8", "-T", template or "template0", name]
    subprocess.run(args, check=True, capture_output=True)
    if not template:
        psql(name, HELPERS)
    with open(path, "w") as f:
        f.write(MARK + name + "\n")
    return name

def resolve(path):
    """P's database name when P is (or is a copy of) a marker, else None."""
    name = read_marker(path)
    if name is None:
        return None
    if name != name_for(path):
        name = create(path, template=name)
    return name

def drop(path, name):
    subprocess.run([tool("dropdb"), "--if-exists", name], capture_output=True)
    try:
        os.unlink(path)
    except OSError:
        pass

def log(what):
    """One line a command that went to PostgreSQL (tests/pg/cram.sh counts them)."""
    p = os.environ.get("MMR_SHIM_LOG")
    if p:
        with open(p, "a") as f:
            f.write("%s %s\n" % (os.environ.get("CRAM_FILE", "?"), what))
