#!/usr/bin/env bash
# The PostgreSQL workflow of docs/scale.md, ingest -> signals -> run, against
# the same steps on SQLite: `mmr ingest --db postgresql://…` leaves the same
# rows and prints the same counts; a bad line or a changed transaction
# leaves PostgreSQL unchanged with SQLite's message; `mmr signals --db
# postgresql://…` writes the mm_signal_daily rows of `mmr signals --db
# FILE`, computed in the database (the emitted SQL) and by mmr (a cursor,
# the embedded computation, COPY), and falls back to mmr for what the SQL
# cannot say; `mmr run` derives the night's signals on PostgreSQL and
# decides as on SQLite; reruns change nothing; no password is printed.
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
source tests/pg/lib.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
T=$(mktemp -d /tmp/mmr-pgingest.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
RULES=rules/moneymoments
EXOTIC=tests/pg/signals_sql/exotic.mmr
AS_OF=2026-03-31
NOW=2026-03-31T08:00:00Z

# a password never shows, whatever fails (no server needed)
: > "$T/empty.ndjson"
for cmd in "ingest --traits $T/empty.ndjson" "signals $RULES --as-of $AS_OF"; do
    $MMR $cmd --db "postgresql://mmr:s3cret@127.0.0.1:1/nope" >/dev/null 2>"$T/err"; rc=$?
    check "${cmd%% *}, no server: exit 1" [ $rc -eq 1 ]
    check "${cmd%% *}, no server: the URL with the password blanked" grep -q "postgresql://mmr:\*\*\*@127.0.0.1:1/nope" "$T/err"
    check "${cmd%% *}, no server: the password nowhere" bash -c "! grep -q s3cret '$T/err'"
done

if ! pg_start; then
    echo "pg/ingest_signals: PostgreSQL not installed: the database part skipped"
    echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit
fi

# every row of the input tables, in a form both stores print alike
dump() { # dump SQLITE_FILE | dump pg DBNAME
    python3 - "$@" "$PG_BIN/psql" <<'PY'
import json, sqlite3, subprocess, sys
tables = {"mm_transaction": "txn_id, user_id, ts, ts_text, amount, type, category, merchant, recurring",
          "mm_budget": "user_id, category, limit_amount, period",
          "mm_goal": "user_id, goal_id, name, target, saved, deadline, priority",
          "mm_user_traits": "user_id, tz, age_band"}
def norm(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
for t, cols in tables.items():
    if sys.argv[1] == "pg":
        q = "SELECT json_build_array(%s) FROM %s" % (cols, t)
        out = subprocess.run([sys.argv[3], "-X", "-At", "-d", sys.argv[2], "-c", q],
                             capture_output=True, text=True, check=True).stdout
        rows = [json.loads(l) for l in out.splitlines()]
    else:
        rows = [list(r) for r in sqlite3.connect(sys.argv[1]).execute("SELECT %s FROM %s" % (cols, t))]
    for r in sorted(json.dumps([norm(v) for v in r]) for r in rows):
        print(t, r)
PY
}

# a digest of the same tables in PostgreSQL, for "unchanged" (one psql)
pg_sum() {
    pg_psql "$1" -At -c "SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
      SELECT t::text AS x FROM mm_transaction t UNION ALL SELECT b::text FROM mm_budget b
      UNION ALL SELECT g::text FROM mm_goal g UNION ALL SELECT u::text FROM mm_user_traits u) s"
}

"$MMR" gen --users 40 --seed 5 --as-of $AS_OF --days 75 --transactions "$T/tx.ndjson" \
    --traits "$T/traits.ndjson" --budgets "$T/budgets.ndjson" --goals "$T/goals.ndjson" || bad "mmr gen"
# the first half now, the rest (and a repeat of the first) later
half=$(( $(wc -l < "$T/tx.ndjson") / 2 ))
head -n $half "$T/tx.ndjson" > "$T/tx1.ndjson"
ingest_all() { # ingest_all DB TXFILES...
    local db=$1; shift
    $MMR ingest --db "$db" --traits "$T/traits.ndjson" --budgets "$T/budgets.ndjson" --goals "$T/goals.ndjson" "$@"
}

# --- ingest: the same rows, the same counts
PG=$(pg_fresh ing)
ingest_all "$T/s.db" "$T/tx1.ndjson" 2> "$T/s.err" || { cat "$T/s.err"; bad "SQLite ingest"; }
ingest_all "$PG" "$T/tx1.ndjson" 2> "$T/p.err"; rc=$?
check "ingest into PostgreSQL: exit 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/p.err"
check "ingest: the same summary as SQLite" cmp -s "$T/s.err" "$T/p.err"
check "ingest: rows went in" grep -q " $half new, 0 already present" "$T/p.err"
ingest_all "$T/s.db" "$T/tx.ndjson" 2> "$T/s.err"
ingest_all "$PG" "$T/tx.ndjson" 2> "$T/p.err"
check "ingest again, more: the same summary (new and already present)" cmp -s "$T/s.err" "$T/p.err"
check "ingest again: the first half already present" grep -q " $half already present" "$T/p.err"
dump "$T/s.db" > "$T/s.dump"
dump pg ing > "$T/p.dump"
check "ingest: every table row for row as SQLite" cmp -s "$T/s.dump" "$T/p.dump"
cmp -s "$T/s.dump" "$T/p.dump" || diff "$T/s.dump" "$T/p.dump" | head -5
check "ingest: the tables are not empty" [ "$(grep -c '^mm_transaction ' "$T/p.dump")" -gt 5000 ]
sum0=$(pg_sum ing)
ingest_all "$PG" "$T/tx.ndjson" 2> "$T/p.err"
check "ingest a third time: nothing new" grep -q " 0 new, " "$T/p.err"
check "ingest a third time: the same rows" [ "$(pg_sum ing)" = "$sum0" ]

# --- bad input: PostgreSQL unchanged, SQLite's messages
first=$(head -n 1 "$T/tx.ndjson")
printf '%s\n' '{"txn_id":"n1","user_id":"u_new","ts":"2026-03-30T10:00:00Z","amount":5,"type":"expense","category":"Shopping"}' \
    '{"txn_id":"n2","user_id":"u_new","ts":"2026-03-30T11:00:00Z","amount":-5,"type":"expense","category":"Shopping"}' > "$T/bad.ndjson"
printf '%s\n' "${first/\"amount\":/\"amount\":1000}" > "$T/changed.ndjson"
printf '%s\n' '{"txn_id":"d1","user_id":"u_d","ts":"2026-03-30T10:00:00Z","amount":5,"type":"expense","category":"Bills"}' \
    '{"txn_id":"d1","user_id":"u_d","ts":"2026-03-30T10:00:00Z","amount":6,"type":"expense","category":"Bills"}' > "$T/dup.ndjson"
printf '%s\n' '{"user_id":"u1","category":"Bills","limit":5000}' '{"user_id":"u1","category":"Bills","limit":0}' > "$T/badb.ndjson"
for case in "bad.ndjson" "changed.ndjson" "dup.ndjson" "--budgets $T/badb.ndjson"; do
    args=$case; [ "${case#--}" = "$case" ] && args="$T/$case"
    $MMR ingest --db "$T/s.db" $args 2> "$T/s.err"; src=$?
    $MMR ingest --db "$PG" $args 2> "$T/p.err"; prc=$?
    check "${case##*/}: exit 1 on both" [ $src -eq 1 ] && [ $prc -eq 1 ]
    check "${case##*/}: SQLite's message" cmp -s "$T/s.err" "$T/p.err"
    cmp -s "$T/s.err" "$T/p.err" || diff "$T/s.err" "$T/p.err" | head -4
    check "${case##*/}: says nothing was written" grep -q "nothing was written" "$T/p.err"
    check "${case##*/}: PostgreSQL unchanged" [ "$(pg_sum ing)" = "$sum0" ]
done
$MMR ingest --db "$PG" "$T/changed.ndjson" 2> "$T/p.err"
check "a changed transaction: the field and both values" grep -q 'was already ingested with "amount" .*, now 1000' "$T/p.err"

# --- signals: PostgreSQL (in the database, by mmr) against SQLite, row for row
for rules in $RULES $EXOTIC; do
    name=$(basename "$rules" .mmr)
    pg_fresh "sig_$name" > /dev/null
    cp "$T/s.db" "$T/sig_$name.db"
    $MMR signals "$rules" --db "$T/sig_$name.db" --as-of $AS_OF 2> "$T/err" || { cat "$T/err"; bad "$name: SQLite signals"; }
    for how in sql engine; do
        U=$MMR_PG_BASE/sig_$name
        [ $how = sql ] && ingest_all "$U" "$T/tx.ndjson" 2> /dev/null
        $MMR signals "$rules" --db "$U" --as-of $AS_OF --compute $how 2> "$T/err"; rc=$?
        check "$name --compute $how: exit 0" [ $rc -eq 0 ]
        [ $rc -eq 0 ] || cat "$T/err"
        where="computed in the database"; [ $how = engine ] && where="computed by mmr from [0-9]* transactions"
        check "$name --compute $how: says where ($where)" grep -q "users into mm_signal_daily, $where" "$T/err"
        check "$name --compute $how: the rows of SQLite" \
            python3 tests/pg/signals_sql/compare.py "$T/sig_$name.db" "$PG_BIN/psql" "sig_$name" $AS_OF
        # clear the date so the next way writes it from nothing
        pg_psql "sig_$name" -c "DELETE FROM mm_signal_daily"
    done
done
# a construct the SQL cannot say: auto computes it in mmr, sql refuses
printf '%s\n' 'signal spend7 = sum amount of transaction over last 7d' \
    'signal wobble = stddev weekly sum amount of transaction' '  over last 4w' > "$T/bucket.mmr"
cp "$T/s.db" "$T/b.db"
$MMR signals "$T/bucket.mmr" --db "$T/b.db" --as-of $AS_OF 2> "$T/err" || { cat "$T/err"; bad "bucket: SQLite signals"; }
$MMR signals "$T/bucket.mmr" --db "$PG" --as-of $AS_OF 2> "$T/err"; rc=$?
check "bucketed: auto succeeds" [ $rc -eq 0 ]
check "bucketed: auto computes it in mmr" grep -q "computed by mmr" "$T/err"
check "bucketed: the rows of SQLite" python3 tests/pg/signals_sql/compare.py "$T/b.db" "$PG_BIN/psql" ing $AS_OF
$MMR signals "$T/bucket.mmr" --db "$PG" --as-of $AS_OF --compute sql 2> "$T/err"; rc=$?
check "bucketed: --compute sql fails" [ $rc -eq 1 ]
check "bucketed: --compute sql names the signal" grep -q "signal wobble: a bucketed aggregate" "$T/err"
$MMR signals "$T/bucket.mmr" --db "$T/b.db" --as-of $AS_OF --compute sql 2> "$T/err"; rc=$?
check "--compute on SQLite is a usage error" [ $rc -eq 2 ]

# --- run: the night's signals derived on PostgreSQL, the decisions of SQLite
cands_sql="SELECT c.as_of, c.user_id, r.name, c.status, coalesce(c.suppression_reason, ''), c.priority
  FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id)"
deliv_sql="SELECT d.delivery_id, d.user_id, r.name, d.as_of, d.title, d.body, d.category, d.meta_json, d.delivered_at
  FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id)"
dump_sqlite() { for q in "$cands_sql" "$deliv_sql"; do sqlite3 -separator '|' "$1" "$q" | LC_ALL=C sort; echo ---; done; }
dump_pg()     { for q in "$cands_sql" "$deliv_sql"; do pg_psql "$1" -At -F '|' -c "$q" | LC_ALL=C sort; echo ---; done; }
RUNPG=$(pg_fresh runp)
ingest_all "$T/r.db" "$T/tx.ndjson" 2> /dev/null || bad "SQLite ingest for the run"
ingest_all "$RUNPG" "$T/tx.ndjson" 2> /dev/null || bad "PostgreSQL ingest for the run"
$MMR run $RULES --db "$T/r.db" --now $NOW > "$T/ev_s" 2> "$T/run_s.err" || { cat "$T/run_s.err"; bad "SQLite run"; }
$MMR run $RULES --db "$RUNPG" --now $NOW > "$T/ev_p" 2> "$T/run_p.err"; rc=$?
check "run on PostgreSQL: exit 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/run_p.err"
check "run: the signals derived first" grep -q "^mmr run: signals for .* computed in the database" "$T/run_p.err"
dump_sqlite "$T/r.db" > "$T/r_s.dump"
dump_pg runp > "$T/r_p.dump"
check "run: SQLite decided something" [ "$(grep -c '|delivered|' "$T/r_s.dump")" -gt 5 ]
check "run: candidates and deliveries equal SQLite's" cmp -s "$T/r_s.dump" "$T/r_p.dump"
cmp -s "$T/r_s.dump" "$T/r_p.dump" || diff "$T/r_s.dump" "$T/r_p.dump" | head -5
check "run: the same events" cmp -s <(LC_ALL=C sort "$T/ev_s") <(LC_ALL=C sort "$T/ev_p")
d=$(sqlite3 "$T/r.db" "SELECT max(as_of) FROM mm_signal_daily")
check "run: the derived signals equal SQLite's" python3 tests/pg/signals_sql/compare.py "$T/r.db" "$PG_BIN/psql" runp "$d"
$MMR run $RULES --db "$RUNPG" --now $NOW > "$T/ev_p2" 2> "$T/run_p.err"; rc=$?
check "run again: exit 0" [ $rc -eq 0 ]
check "run again: no signals derived (the date has them)" bash -c "! grep -q '^mmr run: signals for' '$T/run_p.err'"
check "run again: no event" [ ! -s "$T/ev_p2" ]
dump_pg runp > "$T/r_p2.dump"
check "run again: nothing changed" cmp -s "$T/r_p.dump" "$T/r_p2.dump"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
