#!/usr/bin/env bash
# mmr run --signals FILE and --report FILE against PostgreSQL (the store
# interface, store/run_store.h): the same file gives the decisions, rows,
# events and report of the same run on SQLite; a rerun creates nothing; a
# dry run writes nothing; --shard with --signals is refused.
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
source tests/pg/lib.sh
pass=0; fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
bad()   { fail=$((fail + 1)); echo "FAIL: $*"; }
if ! pg_start; then echo "pg/run_store: PostgreSQL not installed: skipped"; echo "0 passed, 0 failed"; exit 0; fi
T=$(mktemp -d /tmp/mmr-pgsig.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
NOW=2025-10-26T20:00:00Z
RULES=rules/moneymoments

run_sql="SELECT as_of, now, source, status, users, candidates, delivered, suppressed FROM mm_run ORDER BY run_id"
# the rows (lib.sh), then the run records
dump_sqlite() { pg_dump_sqlite "$1"; sqlite3 -separator '|' "$1" "$run_sql"; }
dump_pg()     { pg_dump_pg "$1"; pg_psql "$1" -At -F '|' -c "$run_sql"; }

# a report without what differs by store or by run: the database, the timings
report_core() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); [r.pop(k) for k in ("database","timings")]; print(json.dumps(r, sort_keys=True, indent=1))' "$1"; }

# the state (traits, mutes, history) in both stores; the signals in a file
$MMR gen --db "$T/in.db" --users 2000 >/dev/null 2>&1
$MMR gen --ndjson "$T/snap.ndjson" --users 2000 >/dev/null 2>&1
cp "$T/in.db" "$T/ref.db"
URL=$(pg_fresh one)
$MMR run $RULES --db "$URL" --now $NOW >/dev/null 2>&1   # the schema
python3 tests/pg/load_sqlite.py "$T/in.db" "$PG_BIN/psql" one || bad "loading the inputs"

# refused
$MMR run $RULES --db "$URL" --signals "$T/snap.ndjson" --shard 0/2 --now $NOW >/dev/null 2>"$T/err"; rc=$?
check "--signals with --shard: exit 1" [ $rc -eq 1 ]
check "--signals with --shard: says why" grep -q "a file is one worker's" "$T/err"

# a dry run: the SQLite dry run's events, nothing written
$MMR run $RULES --db "$T/ref.db" --signals "$T/snap.ndjson" --now $NOW --dry-run >"$T/dry_ref" 2>/dev/null
$MMR run $RULES --db "$URL" --signals "$T/snap.ndjson" --now $NOW --dry-run --report "$T/dry.json" >"$T/dry_pg" 2>"$T/err"; rc=$?
check "dry run: exit 0" [ $rc -eq 0 ]
check "dry run: the SQLite dry run's events" cmp -s <(LC_ALL=C sort "$T/dry_pg") <(LC_ALL=C sort "$T/dry_ref")
check "dry run: some events" [ "$(wc -l <"$T/dry_pg")" -gt 10 ]
check "dry run: no run recorded" [ "$(pg_psql one -At -c 'SELECT count(*) FROM mm_run')" = 0 ]
check "dry run: a report" python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["dry_run"] and r["funnel"]["users"] == 2000' "$T/dry.json"

# the run, on both stores, with reports
$MMR run $RULES --db "$T/ref.db" --signals "$T/snap.ndjson" --now $NOW --report "$T/ref.json" >"$T/ev_ref" 2>"$T/err_ref" || bad "the SQLite run failed"
$MMR run $RULES --db "$URL" --signals "$T/snap.ndjson" --now $NOW --report "$T/pg.json" >"$T/ev_pg" 2>"$T/err"; rc=$?
check "run: exit 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || head -5 "$T/err"
dump_sqlite "$T/ref.db" >"$T/ref.dump"
dump_pg one >"$T/pg.dump"
check "run: candidates, deliveries, deferrals and the run record equal SQLite's" cmp -s "$T/pg.dump" "$T/ref.dump"
! cmp -s "$T/pg.dump" "$T/ref.dump" && diff "$T/ref.dump" "$T/pg.dump" | head -5
check "run: the run record names the file" grep -q "snap.ndjson|done|2000" "$T/pg.dump"
check "run: the events SQLite printed" cmp -s <(LC_ALL=C sort "$T/ev_pg") <(LC_ALL=C sort "$T/ev_ref")
check "run: the summary as SQLite's" cmp -s <(grep -v elapsed "$T/err") <(grep -v elapsed "$T/err_ref")
check "report: as SQLite's (but the database and timings)" cmp -s <(report_core "$T/pg.json") <(report_core "$T/ref.json")
check "report: names the database without a password" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["database"].startswith("postgresql://")' "$T/pg.json"

# a rerun: nothing new; its report compares with the first run
pg_dump_pg one >"$T/pg.rows"
$MMR run $RULES --db "$T/ref.db" --signals "$T/snap.ndjson" --now $NOW --report "$T/ref2.json" >/dev/null 2>&1
$MMR run $RULES --db "$URL" --signals "$T/snap.ndjson" --now $NOW --report "$T/pg2.json" >"$T/ev2" 2>"$T/err"; rc=$?
check "rerun: exit 0" [ $rc -eq 0 ]
check "rerun: no events" [ ! -s "$T/ev2" ]
check "rerun: nothing new" grep -q "0 candidates, 0 delivered, 0 suppressed" "$T/err"
check "rerun: the rows unchanged" cmp -s <(pg_dump_pg one) "$T/pg.rows"
check "rerun: a second run record" [ "$(pg_psql one -At -c 'SELECT count(*) FROM mm_run')" = 2 ]
check "rerun report: as SQLite's, the previous run the first" cmp -s <(report_core "$T/pg2.json") <(report_core "$T/ref2.json")

# --report from mm_signal_daily on PostgreSQL, sharded: each shard's own
URL2=$(pg_fresh two)
$MMR run $RULES --db "$URL2" --now $NOW >/dev/null 2>&1
python3 tests/pg/load_sqlite.py "$T/in.db" "$PG_BIN/psql" two || bad "loading the inputs"
$MMR run $RULES --db "$URL2" --now $NOW --shard 0/2 --report "$T/s0.json" >/dev/null 2>"$T/err"; rc=$?
check "shard report: exit 0" [ $rc -eq 0 ]
$MMR run $RULES --db "$URL2" --now $NOW --shard 1/2 --report "$T/s1.json" >/dev/null 2>&1
check "shard reports: this shard's run, no previous" python3 -c '
import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["run"]["run_id"] != b["run"]["run_id"] and a["previous"] is None and b["previous"] is None
n = lambda r: sum(x["counts"]["candidates"] for x in r["rules"] if x["counts"] is not None)
assert n(a) == a["funnel"]["candidates"] and n(b) == b["funnel"]["candidates"] > 0
' "$T/s0.json" "$T/s1.json"

echo "pg/run_store: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
