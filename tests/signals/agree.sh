#!/usr/bin/env bash
# The derived signals of rules/moneymoments agree with the plain-SQL
# baseline (bench/signals_baseline.sql): ~300 generated users with traits,
# budgets and goals (several zones, DST, Z timestamps, new users, users with
# traits only, users without budgets or goals), at
# three as-of dates (the last day of the data, one inside it, one a few days
# after its start, where many windows lie before the users' first day).
# Also: the CSV form of the same data gives the same output, and
# `mmr signals --db` run for the day before and then, after one more day
# was ingested, for the date itself, agrees too (the incremental path).
# Prints "N passed, N failed"; a mismatch shows the first differences.
#   tests/signals/agree.sh [USERS]      (KEEP=1 keeps the temp dir)
# MMR is the binary under test (build/mmr by default); MMR_FAST (else MMR)
# makes the data and loads the SQL side's database.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
FAST=${MMR_FAST:-$MMR}
N=${1:-300}
SEED=7
LAST=2025-10-26
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-agree.XXXXXX")
[ -n "${KEEP:-}" ] && echo "kept $TMP" || trap 'rm -rf "$TMP"' EXIT
# the interpreter itself, not a version manager's shim each time
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2> /dev/null || echo python3)
export PYTHON
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

if ! "$MMR" signals --help > /dev/null 2>&1; then
    echo "skipped: $MMR has no 'signals' command yet"
    echo "0 passed, 0 failed"
    exit 0
fi

"$FAST" gen --users "$N" --seed "$SEED" --as-of "$LAST" --transactions "$TMP/tx.ndjson" \
    --traits "$TMP/traits.ndjson" --budgets "$TMP/budgets.ndjson" --goals "$TMP/goals.ndjson" ||
    { bad "mmr gen"; echo "$passed passed, $failed failed"; exit 1; }
"$FAST" gen --users "$N" --seed "$SEED" --as-of "$LAST" --transactions "$TMP/tx.csv" || bad "mmr gen (csv)"
# what the generator does not make: a user whose only budget is weekly (the
# monthly sum is 0, the variance missing); goals tied on priority (goal_id
# decides, in byte order: g10 before g9), one without saved or deadline
for i in $(seq 1 "$N"); do
    grep -q "\"user_id\":\"u$i\"," "$TMP/budgets.ndjson" ||
        { echo "{\"user_id\":\"u$i\",\"category\":\"Pets\",\"limit\":700,\"period\":\"week\"}" >> "$TMP/budgets.ndjson"; break; }
done
for i in $(seq 1 "$N"); do
    grep -q "\"user_id\":\"u$i\"," "$TMP/goals.ndjson" || {
        printf '%s\n' "{\"user_id\":\"u$i\",\"goal_id\":\"g9\",\"name\":\"Bike\",\"target\":90000,\"saved\":1000,\"priority\":1}" \
            "{\"user_id\":\"u$i\",\"goal_id\":\"g10\",\"name\":\"Car\",\"target\":300000,\"saved\":200000,\"priority\":1}" \
            "{\"user_id\":\"u$i\",\"goal_id\":\"g2\",\"name\":\"Pet\",\"target\":20000,\"deadline\":null,\"priority\":2}" >> "$TMP/goals.ndjson"
        break; }
done
bench/signals_load.sh "$FAST" "$TMP/s.db" "$TMP/tx.ndjson" "$TMP/traits.ndjson" "$TMP/budgets.ndjson" "$TMP/goals.ndjson" ||
    { bad "load"; echo "$passed passed, $failed failed"; exit 1; }
BG=(--budgets "$TMP/budgets.ndjson" --goals "$TMP/goals.ndjson")
echo "     $N users, $(wc -l < "$TMP/tx.ndjson") transactions, $(wc -l < "$TMP/budgets.ndjson") budgets, $(wc -l < "$TMP/goals.ndjson") goals"

compare() { # label mmr.ndjson sql.ndjson
    if out=$("$PYTHON" bench/signals_compare.py "$2" "$3" --show 15 2>&1); then ok "$1: $out"
    else bad "$1"; echo "$out" | sed 's/^/     /'; fi
}

for d in "$LAST" 2025-10-08 2025-08-03; do
    if ! bench/signals_sql.sh "$TMP/s.db" "$d" > "$TMP/sql-$d.ndjson" 2> "$TMP/sql.err"; then
        bad "SQL baseline as of $d: $(head -n 3 "$TMP/sql.err")"; continue
    fi
    if ! "$MMR" signals rules/moneymoments --transactions "$TMP/tx.ndjson" --traits "$TMP/traits.ndjson" "${BG[@]}" \
            --as-of "$d" --ndjson "$TMP/mmr-$d.ndjson" 2> "$TMP/mmr.err"; then
        bad "mmr signals as of $d: $(head -n 3 "$TMP/mmr.err")"; continue
    fi
    compare "as of $d, mmr signals = SQL" "$TMP/mmr-$d.ndjson" "$TMP/sql-$d.ndjson"
done

# the CSV form of the same transactions: the same bytes out
if "$MMR" signals rules/moneymoments --transactions "$TMP/tx.csv" --traits "$TMP/traits.ndjson" "${BG[@]}" \
        --as-of "$LAST" --ndjson "$TMP/mmr-csv.ndjson" 2> "$TMP/mmr.err" &&
   cmp -s "$TMP/mmr-csv.ndjson" "$TMP/mmr-$LAST.ndjson"; then ok "CSV input gives the same output"
else bad "CSV input: $(head -n 3 "$TMP/mmr.err"; diff "$TMP/mmr-csv.ndjson" "$TMP/mmr-$LAST.ndjson" | head -n 6)"; fi

# --db, incrementally: everything but the last local day, the day before;
# then the last day ingested and the date itself. txn_id ends in
# (day mod 10^4) * 100 + k, so the last day's records end in 0387kk.
sfx=$(printf '%04d' $(( ($(date -ud "$LAST" +%s) / 86400) % 10000 )))
grep -E "\"txn_id\":\"t[0-9]*${sfx}[0-9][0-9]\"" "$TMP/tx.ndjson" > "$TMP/tx-last.ndjson"
prev=$(date -ud "$LAST - 1 day" +%F)
cp "$TMP/s.db" "$TMP/inc.db"
if sqlite3 "$TMP/inc.db" "DELETE FROM mm_transaction WHERE substr(txn_id, -6, 4) = '$sfx'" &&
   "$MMR" signals rules/moneymoments --db "$TMP/inc.db" --as-of "$prev" 2> "$TMP/inc.err" &&
   "$MMR" ingest --db "$TMP/inc.db" "$TMP/tx-last.ndjson" 2>> "$TMP/inc.err" &&
   "$MMR" signals rules/moneymoments --db "$TMP/inc.db" --as-of "$LAST" 2>> "$TMP/inc.err" &&
   "$PYTHON" bench/signals_dump.py "$TMP/inc.db" "$LAST" "$TMP/sql-$LAST.ndjson" > "$TMP/db-$LAST.ndjson" 2>> "$TMP/inc.err"; then
    compare "mmr signals --db after one more day ($(wc -l < "$TMP/tx-last.ndjson") transactions) = SQL" \
        "$TMP/db-$LAST.ndjson" "$TMP/sql-$LAST.ndjson"
else
    bad "mmr signals --db, incrementally: $(tail -n 5 "$TMP/inc.err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
