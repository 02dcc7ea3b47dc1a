#!/usr/bin/env bash
# mmr run against PostgreSQL (docs/scale.md): 4 shards at once give exactly
# the decisions, rows and events of one unsharded SQLite run; a rerun
# creates nothing; kill -9 of one shard and its rerun leave the state of an
# uninterrupted run; dry runs write nothing; messages never show a password.
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
source tests/pg/lib.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
if ! pg_start; then echo "pg/run: PostgreSQL not installed: skipped"; echo "0 passed, 0 failed"; exit 0; fi
T=$(mktemp -d /tmp/mmr-pgrun.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
NOW=2025-10-26T20:00:00Z
RULES=rules/moneymoments

# the state a run leaves, in a form both stores print alike (lib.sh)
dump_sqlite() { pg_dump_sqlite "$@"; }
dump_pg()     { pg_dump_pg "$@"; }

# usage
$MMR run $RULES --db "$T/x.db" --shard 0/2 >/dev/null 2>"$T/err"; rc=$?
check "--shard on SQLite is a usage error" [ $rc -eq 2 ]
check "--shard on SQLite says why" grep -q "needs a PostgreSQL database" "$T/err"
for bad in 4/4 -1/2 1/0 a/b 1/2x; do
    $MMR run $RULES --db "$MMR_PG_BASE/x" --shard "$bad" >/dev/null 2>"$T/err"; rc=$?
    check "--shard $bad refused" [ $rc -eq 2 ]
done
# a password never shows, whatever fails
$MMR run $RULES --db "postgresql://mmr:s3cret@127.0.0.1:1/nope" --now $NOW >/dev/null 2>"$T/err"; rc=$?
check "no server: exit 1" [ $rc -eq 1 ]
check "no server: says it cannot connect" grep -q "cannot connect to PostgreSQL" "$T/err"
check "no server: libpq's message on one line, no escapes" grep -q "Connection refused Is the server running" "$T/err"
check "no server: the URL with the password blanked" grep -q "postgresql://mmr:\*\*\*@127.0.0.1:1/nope" "$T/err"
check "no server: the password nowhere" bash -c "! grep -q s3cret '$T/err'"
$MMR run $RULES --db "postgresql://127.0.0.1:1/nope?password=s3cret" >/dev/null 2>"$T/err"
check "password= in the query blanked" bash -c "grep -q 'password=\*\*\*' '$T/err' && ! grep -q s3cret '$T/err'"

# an empty database: the schema is made, the run says what is missing
URL=$(pg_fresh one)
$MMR run $RULES --db "$URL" --now $NOW >"$T/out" 2>"$T/err"; rc=$?
check "empty: exit 1" [ $rc -eq 1 ]
check "empty: names the table" grep -q "mm_signal_daily is empty: no snapshot to run" "$T/err"
v=$(pg_psql one -At -c "SELECT max(version) FROM mm_schema_version")
check "empty: schema recorded (version $v)" [ "$v" = 8 ]
check "empty: no run recorded" [ "$(pg_psql one -At -c 'SELECT count(*) FROM mm_run')" = 0 ]

# the same inputs in both stores
$MMR gen --db "$T/in.db" --users 3000 >/dev/null 2>&1
cp "$T/in.db" "$T/ref.db"
python3 tests/pg/load_sqlite.py "$T/in.db" "$PG_BIN/psql" one || bad "loading the inputs"
$MMR run $RULES --db "$T/ref.db" --now $NOW >"$T/ev_ref" 2>"$T/err_ref" || bad "the SQLite run failed"
dump_sqlite "$T/ref.db" >"$T/ref.dump"
check "the reference run decided something" [ "$(grep -c '|delivered|' "$T/ref.dump")" -gt 10 ]

# a dry run on PostgreSQL: the same events, nothing written
$MMR run $RULES --db "$URL" --now $NOW --dry-run >"$T/ev_dry" 2>"$T/err"; rc=$?
check "dry run: exit 0" [ $rc -eq 0 ]
check "dry run: the reference's events" cmp -s <(LC_ALL=C sort "$T/ev_dry") <(LC_ALL=C sort "$T/ev_ref")
check "dry run: no candidates written" [ "$(pg_psql one -At -c 'SELECT count(*) FROM mm_nudge_candidate')" = 0 ]

# four shards at once
for k in 0 1 2 3; do $MMR run $RULES --db "$URL" --now $NOW --shard $k/4 >"$T/ev$k" 2>"$T/err$k" & done
rcs=0; for j in 1 2 3 4; do wait -n || rcs=$((rcs + 1)); done
check "4 shards: every one exits 0" [ $rcs -eq 0 ]
dump_pg one >"$T/pg.dump"
check "4 shards: candidates, deliveries, deferrals equal the SQLite run's" cmp -s "$T/pg.dump" "$T/ref.dump"
[ -s "$T/pg.dump" ] && ! cmp -s "$T/pg.dump" "$T/ref.dump" && diff "$T/ref.dump" "$T/pg.dump" | head -5
cat "$T"/ev0 "$T"/ev1 "$T"/ev2 "$T"/ev3 | LC_ALL=C sort >"$T/ev_pg"
check "4 shards: every event once, as SQLite printed them" cmp -s "$T/ev_pg" <(LC_ALL=C sort "$T/ev_ref")
check "4 shards: 4 run records, done" [ "$(pg_psql one -At -c "SELECT string_agg(shard_k || '/' || shard_n || ' ' || status, ',' ORDER BY shard_k) FROM mm_run")" = "0/4 done,1/4 done,2/4 done,3/4 done" ]
users=$(pg_psql one -At -c "SELECT sum(users) FROM mm_run")
check "4 shards: their users add up to 3000 ($users)" [ "$users" = 3000 ]
ids=$(pg_psql one -At -c "SELECT count(*) = count(DISTINCT delivery_seq) AND max(event_id) >= count(*) FROM mm_event_outbox")
check "4 shards: one outbox event per delivery" [ "$ids" = t ]

# a rerun of a shard: nothing new, nothing printed
$MMR run $RULES --db "$URL" --now $NOW --shard 2/4 >"$T/ev_again" 2>"$T/err"; rc=$?
check "rerun: exit 0" [ $rc -eq 0 ]
check "rerun: no events" [ ! -s "$T/ev_again" ]
dump_pg one >"$T/pg2.dump"
check "rerun: state unchanged" cmp -s "$T/pg2.dump" "$T/ref.dump"
check "rerun: says 0 candidates" grep -q " 0 candidates" "$T/err"

# kill -9 of one shard while it holds its rows uncommitted, then its rerun
URL2=$(pg_fresh two)
$MMR run $RULES --db "$URL2" --now $NOW >/dev/null 2>&1
python3 tests/pg/load_sqlite.py "$T/in.db" "$PG_BIN/psql" two || bad "loading the inputs (two)"
for k in 0 2 3; do $MMR run $RULES --db "$URL2" --now $NOW --shard $k/4 >"$T/kev$k" 2>/dev/null || bad "shard $k/4 (two)"; done
# a session holding the outbox makes shard 1 wait at its last statement
mkfifo "$T/hold"
( "$PG_BIN/psql" -X -q -d two <"$T/hold" >/dev/null 2>&1 ) &
exec 7>"$T/hold"
echo "BEGIN; LOCK TABLE mm_event_outbox IN EXCLUSIVE MODE; SELECT 1;" >&7
sleep 0.5
$MMR run $RULES --db "$URL2" --now $NOW --shard 1/4 >"$T/kev1" 2>/dev/null &
victim=$!
waited=0
until [ "$(pg_psql two -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mmr' AND wait_event_type = 'Lock'")" = 1 ] || [ $waited -ge 100 ]; do
    sleep 0.1; waited=$((waited + 1)); done
check "kill: shard 1 reached its last statement" [ $waited -lt 100 ]
kill -9 $victim; wait $victim 2>/dev/null
echo "ROLLBACK;" >&7; exec 7>&-
wait
# the server ends the dead client's transaction
waited=0
until [ "$(pg_psql two -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mmr'")" = 0 ] || [ $waited -ge 100 ]; do
    sleep 0.1; waited=$((waited + 1)); done
check "kill: nothing of shard 1 committed" [ "$(pg_psql two -At -c 'SELECT count(*) FROM mm_run WHERE shard_k = 1')" = 0 ]
$MMR run $RULES --db "$URL2" --now $NOW --shard 1/4 >"$T/kev1" 2>"$T/err"; rc=$?
check "kill: the rerun exits 0" [ $rc -eq 0 ]
dump_pg two >"$T/pg3.dump"
check "kill: the state is that of an uninterrupted run" cmp -s "$T/pg3.dump" "$T/ref.dump"
cat "$T"/kev0 "$T"/kev1 "$T"/kev2 "$T"/kev3 | LC_ALL=C sort >"$T/kev"
check "kill: every event once" cmp -s "$T/kev" <(LC_ALL=C sort "$T/ev_ref")

# the same shard twice at once: the second says so and writes nothing
URL3=$(pg_fresh three)
$MMR run $RULES --db "$URL3" --now $NOW >/dev/null 2>&1
python3 tests/pg/load_sqlite.py "$T/in.db" "$PG_BIN/psql" three || bad "loading the inputs (three)"
mkfifo "$T/hold3"
( "$PG_BIN/psql" -X -q -d three <"$T/hold3" >/dev/null 2>&1 ) &
exec 8>"$T/hold3"
echo "BEGIN; LOCK TABLE mm_event_outbox IN EXCLUSIVE MODE; SELECT 1;" >&8
sleep 0.5
$MMR run $RULES --db "$URL3" --now $NOW --shard 0/2 >/dev/null 2>&1 &
first=$!
sleep 1
$MMR run $RULES --db "$URL3" --now $NOW --shard 0/2 >/dev/null 2>"$T/err"; rc=$?
check "twice at once: the second exits 1" [ $rc -eq 1 ]
check "twice at once: says another process runs it" grep -q "shard 0/2 of 2025-10-26 is being run by another process" "$T/err"
echo "COMMIT;" >&8; exec 8>&-
wait $first; rc=$?
check "twice at once: the first completes" [ $rc -eq 0 ]
wait

echo "pg/run: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
