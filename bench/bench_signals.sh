#!/usr/bin/env bash
# Derived signals from transactions: `mmr signals` against the same
# signals in plain SQL (bench/signals_baseline.sql), on N generated users
# (BENCH_TXN_USERS, default 10,000: about 3.4M transactions, with budgets
# and goals).
#
#  - the data: `mmr gen --transactions --traits --budgets --goals` once into
#    bench/data/ (timed when made; if already there, one generation to
#    /dev/null is); made again when the generator's output changed (a stamp
#    of 20 users' data);
#  - the SQL side's load, timed apart: `mmr ingest` into mm_transaction,
#    mm_budget and mm_goal, the traits into mm_user_traits, the zones'
#    offsets (bench/signals_load.sh);
#  - ROUNDS rounds (default 3) alternating (a) `mmr signals rules/moneymoments
#    --transactions FILE --traits FILE --budgets FILE --goals FILE --as-of
#    2025-10-26 --ndjson OUT` (everything from the files: parse, local days,
#    windows, budgets and goals, output) and
#    (b) the SQL baseline on the loaded table (local days from ts and the
#    zone spans, the aggregates, the JSON output); each round's ratio, then
#    the ratio of the medians; both outputs checked to agree
#    (bench/signals_compare.py: every user, every signal, 1e-9 relative);
#  - the nightly increment: `mmr signals --db` for 2025-10-26 (cold: every
#    day's rollup computed), again (warm), then the next day's transactions
#    ingested and `mmr signals --db` for 2025-10-27, checked against the SQL
#    for 2025-10-27 (which has no increment: a full recompute).
#   bench/bench_signals.sh [MMR]      (MMR default build/mmr; ROUNDS=3; KEEP=1 keeps the temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
MMR=${1:-${MMR:-build/mmr}}
N=${BENCH_TXN_USERS:-10000}
ROUNDS=${ROUNDS:-3}
AS_OF=2025-10-26
NEXT=2025-10-27
DATA=bench/data
TX=$DATA/txn-$N.ndjson
TR=$DATA/traits-$N.ndjson
BU=$DATA/budgets-$N.ndjson
GO=$DATA/goals-$N.ndjson
STAMP=$DATA/stamp-$N
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-bench-signals.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$TMP"' EXIT
mkdir -p "$DATA"
# the interpreter itself, not a version manager's shim each time
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2> /dev/null || echo python3)
export PYTHON
[ -x "$MMR" ] || { echo "bench_signals: build first ($MMR missing)"; exit 1; }
have_signals=1
"$MMR" signals --help > /dev/null 2>&1 || have_signals=0

# run LABEL CMD...: /usr/bin/time into globals wall, usr, sys, rss (KiB);
# the command's stderr is shown only if it fails
run() {
    local label=$1; shift
    if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$@" 2> "$TMP/err"; then
        echo "$label failed:"; cat "$TMP/err"; exit 1
    fi
    read -r wall usr sys rss < <(tail -n 1 "$TMP/time")
}
show() { # label (after run)
    printf '%-40s wall %7.2f s   user %7.2f s   sys %5.2f s   peak RSS %7.1f MB\n' \
        "$1" "$wall" "$usr" "$sys" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

echo "== derived signals from transactions: $N users, as of $AS_OF"
echo "cpus: $(nproc)   $(uptime | sed 's/.*load/load/')"
# what the generator makes now, in short: stale data is made again
"$MMR" gen --users 20 --as-of "$AS_OF" --transactions "$TMP/st.tx" --traits "$TMP/st.tr" \
    --budgets "$TMP/st.bu" --goals "$TMP/st.go"
stamp=$(cat "$TMP/st.tx" "$TMP/st.tr" "$TMP/st.bu" "$TMP/st.go" | cksum | cut -d' ' -f1)
if [ ! -s "$TX" ] || [ ! -s "$TR" ] || [ ! -s "$BU" ] || [ ! -s "$GO" ] || [ "$(cat "$STAMP" 2> /dev/null)" != "$stamp" ]; then
    run "mmr gen" "$MMR" gen --users "$N" --as-of "$AS_OF" --transactions "$TX" --traits "$TR" --budgets "$BU" --goals "$GO"
    echo "$stamp" > "$STAMP"
    show "mmr gen (made)"
else
    run "mmr gen" "$MMR" gen --users "$N" --as-of "$AS_OF" --transactions /dev/null --traits /dev/null \
        --budgets /dev/null --goals /dev/null
    show "mmr gen (to /dev/null)"
fi
echo "input: $TX, $(wc -l < "$TX") transactions, $(wc -c < "$TX" | awk '{ printf "%.0f MB", $1 / 1e6 }'); $(wc -l < "$TR") users with traits; $(wc -l < "$BU") budgets; $(wc -l < "$GO") goals"
cat "$TX" "$TR" "$BU" "$GO" > /dev/null          # page cache warm for both sides

run "load" bench/signals_load.sh "$MMR" "$TMP/base.db" "$TX" "$TR" "$BU" "$GO"
show "SQL load (ingest, traits, zones)"
echo "database: $(du -m "$TMP/base.db" | cut -f1) MB"

: > "$TMP/m.walls"; : > "$TMP/s.walls"; : > "$TMP/m.cpus"; : > "$TMP/s.cpus"
for round in $(seq 1 "$ROUNDS"); do
    m_wall=0
    if [ "$have_signals" = 1 ]; then
        run "mmr signals" "$MMR" signals rules/moneymoments --transactions "$TX" --traits "$TR" \
            --budgets "$BU" --goals "$GO" --as-of "$AS_OF" --ndjson "$TMP/mmr.ndjson"
        m_wall=$wall; m_rss=$rss
        echo "$wall" >> "$TMP/m.walls"; echo "$usr $sys" | awk '{ print $1 + $2 }' >> "$TMP/m.cpus"
    fi
    run "SQL" bench/signals_sql.sh "$TMP/base.db" "$AS_OF" > "$TMP/sql.ndjson"
    s_wall=$wall; s_rss=$rss
    echo "$wall" >> "$TMP/s.walls"; echo "$usr $sys" | awk '{ print $1 + $2 }' >> "$TMP/s.cpus"
    if [ "$have_signals" = 1 ]; then
        printf 'round %d: mmr signals %6.2f s, SQL %6.2f s, ratio %5.2fx\n' "$round" "$m_wall" "$s_wall" "$(ratio "$s_wall" "$m_wall")"
    else
        printf 'round %d: SQL %6.2f s\n' "$round" "$s_wall"
    fi
done

s_wall=$(median < "$TMP/s.walls"); s_cpu=$(median < "$TMP/s.cpus")
printf '%-22s %8s %8s %10s   (median of %d rounds; peak of the last)\n' "" "wall s" "cpu s" "peak MiB" "$ROUNDS"
if [ "$have_signals" = 1 ]; then
    m_wall=$(median < "$TMP/m.walls"); m_cpu=$(median < "$TMP/m.cpus")
    printf '%-22s %8.2f %8.2f %10.1f\n' "mmr signals" "$m_wall" "$m_cpu" "$(awk -v k="$m_rss" 'BEGIN { print k / 1024 }')"
fi
printf '%-22s %8.2f %8.2f %10.1f\n' "SQL baseline" "$s_wall" "$s_cpu" "$(awk -v k="$s_rss" 'BEGIN { print k / 1024 }')"
if [ "$have_signals" = 1 ]; then
    echo "ratio (median SQL wall / median mmr wall): $(ratio "$s_wall" "$m_wall")x; cpu: $(ratio "$s_cpu" "$m_cpu")x"
    echo "rounds' ratios: $(paste -d' ' "$TMP/s.walls" "$TMP/m.walls" | while read -r a b; do printf '%sx ' "$(ratio "$a" "$b")"; done)"
    echo "transactions per second (mmr signals): $(awk -v n="$(wc -l < "$TX")" -v w="$m_wall" 'BEGIN { printf "%.0f", n / w }')"
    "$PYTHON" bench/signals_compare.py "$TMP/mmr.ndjson" "$TMP/sql.ndjson" || echo "(mmr signals and the SQL DISAGREE)"
else
    echo "mmr signals: skipped ($MMR has no signals command)"
fi

echo "== nightly increment: mmr signals --db, $AS_OF then $NEXT with one more day"
if [ "$have_signals" = 1 ] && "$MMR" signals --help 2>&1 | grep -q -- '--db'; then
    cp "$TMP/base.db" "$TMP/inc.db"
    run "signals --db cold" "$MMR" signals rules/moneymoments --db "$TMP/inc.db" --as-of "$AS_OF"
    show "mmr signals --db $AS_OF (cold)"
    run "signals --db warm" "$MMR" signals rules/moneymoments --db "$TMP/inc.db" --as-of "$AS_OF"
    show "mmr signals --db $AS_OF (again)"
    # the next day's records: a day's records do not depend on the as-of
    # date, and txn_id ends in (local day mod 10^4) * 100 + k
    "$MMR" gen --users "$N" --as-of "$NEXT" --transactions "$TMP/next.ndjson"
    sfx=$(printf '%04d' $(( ($(date -ud "$NEXT" +%s) / 86400) % 10000 )))
    grep -E "\"txn_id\":\"t[0-9]*${sfx}[0-9][0-9]\"" "$TMP/next.ndjson" > "$TMP/day.ndjson"
    run "ingest one day" "$MMR" ingest --db "$TMP/inc.db" "$TMP/day.ndjson"
    show "mmr ingest $NEXT ($(wc -l < "$TMP/day.ndjson") transactions)"
    run "signals --db next" "$MMR" signals rules/moneymoments --db "$TMP/inc.db" --as-of "$NEXT"
    show "mmr signals --db $NEXT (increment)"
    i_wall=$wall
    run "SQL next" bench/signals_sql.sh "$TMP/inc.db" "$NEXT" > "$TMP/sql-next.ndjson"
    show "SQL baseline $NEXT (full recompute)"
    echo "ratio (SQL full / mmr increment): $(ratio "$wall" "$i_wall")x"
    "$PYTHON" bench/signals_dump.py "$TMP/inc.db" "$NEXT" "$TMP/sql-next.ndjson" > "$TMP/db-next.ndjson"
    "$PYTHON" bench/signals_compare.py "$TMP/db-next.ndjson" "$TMP/sql-next.ndjson" || echo "(mmr signals --db and the SQL DISAGREE)"
else
    echo "TODO: nightly increment skipped ($MMR signals has no --db yet)"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
