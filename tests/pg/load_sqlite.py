#!/usr/bin/env python3
"""Copies the inputs of a SQLite state database (mmr gen --db) into a
PostgreSQL one whose schema `mmr run` made: mm_signal_daily, mm_user_traits,
mm_user_suppression, and the delivery history with its rules matched by
name (rule ids differ between the stores). Test plumbing for tests/pg/*.sh.

usage: load_sqlite.py SQLITE_DB PSQL_BIN DBNAME
"""
import csv, io, sqlite3, subprocess, sys

src, psql, dbname = sys.argv[1:4]
db = sqlite3.connect(src)
PGTYPE = {"REAL": "double precision", "INTEGER": "bigint", "TEXT": "text"}

def psql_run(sql, data=None):
    subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbname, "-c", sql],
                   input=data, text=True, check=True)

def pg_columns(table):
    out = subprocess.run([psql, "-X", "-At", "-d", dbname, "-c",
                          "SELECT column_name FROM information_schema.columns WHERE table_name = '%s'" % table],
                         capture_output=True, text=True, check=True).stdout.split()
    return set(out)

def copy_table(table, cols=None, target=None):
    info = db.execute("PRAGMA table_info(%s)" % table).fetchall()
    names = [r[1] for r in info if cols is None or r[1] in cols]
    have = pg_columns(target or table)
    for r in info:
        if r[1] in names and r[1] not in have:
            psql_run('ALTER TABLE %s ADD COLUMN "%s" %s' % (target or table, r[1], PGTYPE.get(r[2].upper(), "text")))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in db.execute("SELECT %s FROM %s" % (", ".join('"%s"' % n for n in names), table)):
        w.writerow(["" if v is None else v for v in row])
    quoted = ", ".join('"%s"' % n for n in names)
    psql_run("COPY %s(%s) FROM STDIN WITH (FORMAT csv)" % (target or table, quoted), buf.getvalue())

copy_table("mm_signal_daily")
copy_table("mm_user_traits")
copy_table("mm_user_suppression")
# rules of the history that the run did not record, then the history by rule name
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
for row in db.execute("SELECT name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at "
                      "FROM mm_nudge_rule_master"):
    w.writerow(row)
psql_run("CREATE TEMP TABLE r (name text, category text, priority int, cooldown_days float8, cooldown_s bigint, "
         "ruleset_hash text, updated_at text); COPY r FROM STDIN WITH (FORMAT csv); "
         "INSERT INTO mm_nudge_rule_master(name, category, priority, cooldown_days, cooldown_s, ruleset_hash, updated_at) "
         "SELECT * FROM r ON CONFLICT (name) DO NOTHING", buf.getvalue())
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
for row in db.execute("SELECT d.delivery_id, d.user_id, r.name, d.as_of, d.title, d.body, d.category, d.meta_json, "
                      "d.delivered_at FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) "
                      "ORDER BY d.seq"):
    w.writerow(row)
psql_run("CREATE TEMP TABLE h (delivery_id text, user_id text, rule text, as_of text, title text, body text, "
         "category text, meta_json text, delivered_at text); COPY h FROM STDIN WITH (FORMAT csv); "
         "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, "
         "delivered_at) SELECT h.delivery_id, h.user_id, m.rule_id, h.as_of, h.title, h.body, h.category, h.meta_json, "
         "h.delivered_at FROM h JOIN mm_nudge_rule_master m ON m.name = h.rule", buf.getvalue())
