#!/usr/bin/env bash
# `mmr signals --emit-sql postgresql` (docs/signals.md, "Signals in
# PostgreSQL"): the emitted SQL, run by psql on real PostgreSQL over the
# same transactions, traits, budgets and goals, writes exactly the
# mm_signal_daily rows that `mmr signals --db` writes in SQLite — every
# user, every derived column — for two rulesets (rules/moneymoments and
# tests/pg/signals_sql/exotic.mmr: every window, aggregate, `by` field and
# computed form, policy zone America/New_York) at three as-of dates (the end
# of a month, the US DST change, a Monday). Hand-made users sit on local
# midnight and on the DST change. Also: the SQL is the same bytes twice, a
# construct SQL cannot express is an error naming the signal and line, and
# an unknown dialect is a usage error naming the supported one.
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
FAST=${MMR_FAST:-$MMR}
source tests/pg/lib.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
T=$(mktemp -d /tmp/mmr-pgsig.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
EXOTIC=tests/pg/signals_sql/exotic.mmr

# --- what needs no server
$MMR signals $EXOTIC --emit-sql postgresql --as-of 2026-03-31 > "$T/a.sql" 2> "$T/err"
check "--emit-sql succeeds" [ $? -eq 0 ]
$MMR signals $EXOTIC --emit-sql postgresql --as-of 2026-03-31 > "$T/b.sql"
check "the SQL is the same bytes twice" cmp -s "$T/a.sql" "$T/b.sql"
check "the SQL is one transaction" grep -qx "COMMIT;" "$T/a.sql"
for dialect in sqlite mysql PostgreSQL; do
    $MMR signals $EXOTIC --emit-sql $dialect > "$T/out" 2> "$T/err"; rc=$?
    check "--emit-sql $dialect is a usage error" [ $rc -eq 2 ]
    check "--emit-sql $dialect names the supported dialect" \
        grep -q "^mmr signals: --emit-sql $dialect: unknown dialect; the supported one is postgresql" "$T/err"
    check "--emit-sql $dialect prints nothing" [ ! -s "$T/out" ]
done
$MMR signals $EXOTIC --emit-sql postgresql --db "$T/x.db" > /dev/null 2> "$T/err"
check "--emit-sql with --db is a usage error" [ $? -eq 2 ]
printf '%s\n' 'signal spend = sum amount of transaction over last 7d' \
    'signal wobble = stddev weekly sum amount of transaction' '  over last 4w' > "$T/bucket.mmr"
$MMR signals "$T/bucket.mmr" --emit-sql postgresql > "$T/out" 2> "$T/err"; rc=$?
check "an unsupported construct fails (status 1)" [ $rc -eq 1 ]
check "an unsupported construct prints no SQL" [ ! -s "$T/out" ]
check "an unsupported construct names the signal and line" grep -q \
    "bucket.mmr:2:[0-9]*: error: signal wobble: a bucketed aggregate (daily/weekly) cannot be expressed in PostgreSQL by --emit-sql" "$T/err"

if ! pg_start; then
    echo "pg/signals_sql: PostgreSQL not installed: the database part skipped"
    echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit
fi

# --- the data: generated users (zones of Kolkata, New York, London, Tokyo,
# none) and hand-made ones on the edges of local days
"$FAST" gen --users 120 --seed 5 --as-of 2026-03-31 --days 75 --transactions "$T/tx.ndjson" \
    --traits "$T/traits.ndjson" --budgets "$T/budgets.ndjson" --goals "$T/goals.ndjson" || bad "mmr gen"
cat > "$T/edge.ndjson" <<'NDJ'
{"txn_id":"e1","user_id":"edge_ny","ts":"2026-03-08T04:30:00Z","amount":10,"type":"expense","category":"Food & Dining","merchant":"Deli"}
{"txn_id":"e2","user_id":"edge_ny","ts":"2026-03-08T05:30:00Z","amount":20,"type":"expense","category":"Food & Dining","merchant":"Deli"}
{"txn_id":"e3","user_id":"edge_ny","ts":"2026-03-09T03:59:00Z","amount":30,"type":"expense","category":"Shopping","recurring":true}
{"txn_id":"e4","user_id":"edge_ny","ts":"2026-03-09T04:01:00Z","amount":40,"type":"income","category":"Salary"}
{"txn_id":"e5","user_id":"edge_ny","ts":"2026-04-01T03:30:00Z","amount":55.5,"type":"expense","category":"Travel","merchant":"Cab"}
{"txn_id":"e6","user_id":"edge_ny","ts":"2026-04-01T04:30:00Z","amount":66,"type":"expense","category":"Travel","merchant":"Cab"}
{"txn_id":"e7b","user_id":"edge_ny","ts":"2026-03-31T12:00:00Z","amount":7,"type":"expense","category":"Shopping","merchant":"B"}
{"txn_id":"e7a","user_id":"edge_ny","ts":"2026-03-31T12:00:00Z","amount":7,"type":"expense","category":"Bills","merchant":"A"}
{"txn_id":"z1","user_id":"edge_none","ts":"2026-03-01T04:59:59Z","amount":100,"type":"expense","category":"Groceries"}
{"txn_id":"z2","user_id":"edge_none","ts":"2026-03-01T05:00:00Z","amount":200,"type":"expense","category":"Groceries"}
{"txn_id":"z3","user_id":"edge_none","ts":"2026-03-30T18:29:59Z","amount":300,"type":"expense","category":"Shopping"}
{"txn_id":"z4","user_id":"edge_none","ts":"2026-03-30T18:30:00Z","amount":400,"type":"expense","category":"Shopping"}
{"txn_id":"k1","user_id":"edge_late","ts":"2026-03-30T23:00:00-04:00","amount":5,"type":"expense","category":"Food & Dining"}
NDJ
printf '%s\n' '{"user_id":"edge_ny","traits":{"tz":"America/New_York"}}' \
    '{"user_id":"edge_late","traits":{"tz":"Pacific/Kiritimati"}}' \
    '{"user_id":"edge_traits_only","traits":{"tz":"Europe/London"}}' >> "$T/traits.ndjson"
"$FAST" ingest --db "$T/base.db" --traits "$T/traits.ndjson" --budgets "$T/budgets.ndjson" \
    --goals "$T/goals.ndjson" "$T/tx.ndjson" "$T/edge.ndjson" 2> "$T/err" || { cat "$T/err"; bad "mmr ingest"; }
for t in "mm_transaction:txn_id, user_id, ts, ts_text, amount, type, category, merchant, recurring" \
         "mm_user_traits:user_id, tz" "mm_budget:user_id, category, limit_amount, period" \
         "mm_goal:user_id, goal_id, name, target, saved, deadline, priority"; do
    sqlite3 -csv "$T/base.db" "SELECT ${t#*:} FROM ${t%%:*}" > "$T/${t%%:*}.csv"
done
inputs_sql="
CREATE TABLE mm_transaction (txn_id text PRIMARY KEY, user_id text NOT NULL, ts bigint NOT NULL, ts_text text NOT NULL,
  amount double precision NOT NULL, type text NOT NULL, category text NOT NULL, merchant text, recurring integer NOT NULL DEFAULT 0);
CREATE TABLE mm_user_traits (user_id text PRIMARY KEY, tz text);
CREATE TABLE mm_budget (user_id text NOT NULL, category text NOT NULL, limit_amount double precision NOT NULL,
  period text NOT NULL DEFAULT 'month', PRIMARY KEY (user_id, category));
CREATE TABLE mm_goal (user_id text NOT NULL, goal_id text NOT NULL, name text NOT NULL, target double precision NOT NULL,
  saved double precision NOT NULL DEFAULT 0, deadline text, priority integer NOT NULL DEFAULT 0, PRIMARY KEY (user_id, goal_id));"

n=0
for rules in rules/moneymoments $EXOTIC; do
    n=$((n + 1))
    cp "$T/base.db" "$T/s$n.db"
    pg_fresh "sig$n" > /dev/null || { bad "createdb sig$n"; continue; }
    pg_psql "sig$n" -c "$inputs_sql" || bad "$rules: input tables"
    for t in mm_transaction mm_user_traits mm_budget mm_goal; do
        pg_psql "sig$n" -c "\\copy $t FROM '$T/$t.csv' WITH (FORMAT csv)" || bad "$rules: \\copy $t"
    done
    # the SQL with the date in it, and once reading the psql variable
    $MMR signals $rules --emit-sql postgresql > "$T/var$n.sql" || bad "$rules: --emit-sql"
    for d in 2026-03-31 2026-03-08 2026-03-02; do
        "$FAST" signals $rules --db "$T/s$n.db" --as-of $d 2> "$T/err" || { cat "$T/err"; bad "$rules $d: mmr signals --db"; }
        if [ $d = 2026-03-08 ]; then
            pg_psql "sig$n" -v as_of=$d -f "$T/var$n.sql" > "$T/psql.out" 2>&1 || { cat "$T/psql.out"; bad "$rules $d: psql"; }
        else
            $MMR signals $rules --emit-sql postgresql --as-of $d > "$T/d.sql" || bad "$rules $d: --emit-sql --as-of"
            pg_psql "sig$n" -f "$T/d.sql" > "$T/psql.out" 2>&1 || { cat "$T/psql.out"; bad "$rules $d: psql"; }
        fi
        check "$rules as of $d: PostgreSQL agrees with mmr signals --db" \
            python3 tests/pg/signals_sql/compare.py "$T/s$n.db" "$PG_BIN/psql" "sig$n" $d
    done
    # run again: the same rows (the date's rows are replaced, not added)
    pg_psql "sig$n" -f "$T/d.sql" > /dev/null 2>&1 || bad "$rules: psql again"
    check "$rules: a second run gives the same rows" \
        python3 tests/pg/signals_sql/compare.py "$T/s$n.db" "$PG_BIN/psql" "sig$n" 2026-03-02
done
# a bad zone aborts the whole transaction: nothing is written
pg_psql sig2 -c "UPDATE mm_user_traits SET tz = 'Mars/Olympus' WHERE user_id = 'edge_ny'"
before=$(pg_psql sig2 -At -c "SELECT count(*) FROM mm_signal_daily")
$MMR signals $EXOTIC --emit-sql postgresql --as-of 2026-03-20 > "$T/z.sql"
pg_psql sig2 -f "$T/z.sql" > /dev/null 2> "$T/err"
check "an unknown zone fails in psql" grep -q 'time zone "Mars/Olympus" not recognized' "$T/err"
check "an unknown zone writes nothing" [ "$(pg_psql sig2 -At -c "SELECT count(*) FROM mm_signal_daily")" = "$before" ]
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
