#!/usr/bin/env bash
# mmr run over N users (default 1,000,000) from mm_signal_daily into a fresh
# copy of a sample database, against the same decision as plain SQL
# (bench/sql_baseline.sql) on another fresh copy, in the same run.
# The two alternate for ROUNDS rounds (default 3), each on fresh copies, so
# a slow spell of a shared machine falls on both; the ratio is of the
# medians, and each round's own ratio is shown too. Prints wall and CPU
# time, peak memory, and checks that both made the same decisions
# (candidates by status and reason).
#   bench/bench_run.sh [N] [MMR]     (MMR default build/mmr; ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
MMR=${2:-${MMR:-build/mmr}}
ROUNDS=${ROUNDS:-3}
NOW=2025-10-26T09:00:00Z
AS_OF=2025-10-26
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-bench-run.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$TMP"' EXIT

echo "== mmr run: $N users (sample db, seed 1, as_of $AS_OF, now $NOW)"
"$MMR" gen --users "$N" --db "$TMP/base.db"
sqlite3 "$TMP/base.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
# the SQL baseline: zone offsets at NOW from the system's zone files
{
    # mmr run's connection settings (engine/db.c); before any temp table
    echo "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA synchronous = NORMAL;"
    echo "CREATE TEMP TABLE tzoff(name TEXT PRIMARY KEY, off INTEGER);"
    sqlite3 "$TMP/base.db" "SELECT DISTINCT coalesce(nullif(tz,''),'Asia/Kolkata') FROM mm_user_traits UNION SELECT 'Asia/Kolkata'" |
    while read -r z; do
        o=$(TZ="$z" date -d "$NOW" +%z)
        s=$(( (10#${o:1:2} * 3600 + 10#${o:3:2} * 60) * (${o:0:1}1) ))
        echo "INSERT INTO tzoff VALUES ('$z', $s);"
    done
    echo ".parameter set @now \"'$NOW'\""
    echo ".parameter set @as_of \"'$AS_OF'\""
    cat bench/sql_baseline.sql
} > "$TMP/baseline.sql"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$TMP/m.walls"; : > "$TMP/s.walls"; : > "$TMP/m.cpus"; : > "$TMP/s.cpus"
for round in $(seq 1 "$ROUNDS"); do
    rm -f "$TMP"/mmr.db* "$TMP"/sql.db* "$TMP/events.ndjson"
    cp "$TMP/base.db" "$TMP/mmr.db"
    cp "$TMP/base.db" "$TMP/sql.db"
    sync
    # mmr run: events to a file, summary to stderr
    /usr/bin/time -f '%e %U %S %M' -o "$TMP/mmr.time" \
        "$MMR" run rules/moneymoments --db "$TMP/mmr.db" --now "$NOW" --events "$TMP/events.ndjson" \
        2> "$TMP/mmr.err" > /dev/null || { cat "$TMP/mmr.err"; exit 1; }
    [ "$round" -gt 1 ] || grep -v elapsed "$TMP/mmr.err" || true
    read -r m_wall m_user m_sys m_rss < "$TMP/mmr.time"
    /usr/bin/time -f '%e %U %S %M' -o "$TMP/sql.time" sqlite3 "$TMP/sql.db" < "$TMP/baseline.sql" > /dev/null
    read -r s_wall s_user s_sys s_rss < "$TMP/sql.time"
    echo "$m_wall" >> "$TMP/m.walls"; echo "$s_wall" >> "$TMP/s.walls"
    echo "$m_user + $m_sys" | bc >> "$TMP/m.cpus"; echo "$s_user + $s_sys" | bc >> "$TMP/s.cpus"
    printf 'round %d: mmr run %6.2f s, SQL %6.2f s, ratio %5.2fx\n' "$round" "$m_wall" "$s_wall" \
        "$(echo "scale=2; $s_wall / $m_wall" | bc)"
done
m_wall=$(median < "$TMP/m.walls"); s_wall=$(median < "$TMP/s.walls")
m_cpu=$(median < "$TMP/m.cpus"); s_cpu=$(median < "$TMP/s.cpus")

# The decision alone, without the writes both sides share: mmr run --dry-run
# (read-only; events formatted to /dev/null) against the SQL up to the table
# of decisions (everything before its first INSERT into the state), rolled back.
/usr/bin/time -f '%e %U %S %M' -o "$TMP/mmr_dry.time" \
    "$MMR" run rules/moneymoments --db "$TMP/base.db" --now "$NOW" --dry-run > /dev/null 2>&1
read -r md_wall md_user md_sys md_rss < "$TMP/mmr_dry.time"
sed '/^INSERT INTO mm_nudge_delivery_log/,$d' "$TMP/baseline.sql" > "$TMP/decision.sql"
echo "ROLLBACK;" >> "$TMP/decision.sql"
cp "$TMP/base.db" "$TMP/sqld.db"
/usr/bin/time -f '%e %U %S %M' -o "$TMP/sqld.time" sqlite3 "$TMP/sqld.db" < "$TMP/decision.sql" > /dev/null
read -r sd_wall sd_user sd_sys sd_rss < "$TMP/sqld.time"

q="SELECT status, coalesce(suppression_reason, '-'), count(*) FROM mm_nudge_candidate GROUP BY 1, 2 ORDER BY 1, 2"
sqlite3 "$TMP/mmr.db" "$q" > "$TMP/mmr.counts"
sqlite3 "$TMP/sql.db" "$q" > "$TMP/sql.counts"
if cmp -s "$TMP/mmr.counts" "$TMP/sql.counts"; then same="same decisions"; else same="DIFFERENT decisions"; diff "$TMP/mmr.counts" "$TMP/sql.counts" || true; fi
events=$(wc -l < "$TMP/events.ndjson")

printf '%-14s %8s %8s %10s   (median of %d rounds; peak of the last)\n' "" "wall s" "cpu s" "peak MiB" "$ROUNDS"
printf '%-14s %8.2f %8.2f %10.1f\n' "mmr run" "$m_wall" "$m_cpu" "$(echo "$m_rss / 1024" | bc -l)"
printf '%-14s %8.2f %8.2f %10.1f\n' "SQL baseline" "$s_wall" "$s_cpu" "$(echo "$s_rss / 1024" | bc -l)"
echo "decision only:"
printf '%-14s %8.2f %8.2f %10.1f\n' " mmr --dry-run" "$md_wall" "$(echo "$md_user + $md_sys" | bc)" "$(echo "$md_rss / 1024" | bc -l)"
printf '%-14s %8.2f %8.2f %10.1f\n' " SQL, no write" "$sd_wall" "$(echo "$sd_user + $sd_sys" | bc)" "$(echo "$sd_rss / 1024" | bc -l)"
echo "events: $events; $same"
echo "ratio (median SQL wall / median mmr wall): $(echo "scale=2; $s_wall / $m_wall" | bc)x;" \
     "cpu: $(echo "scale=2; $s_cpu / $m_cpu" | bc)x"
echo "decision only: SQL / mmr wall $(echo "scale=2; $sd_wall / $md_wall" | bc)x; cpu $(echo "scale=2; ($sd_user + $sd_sys) / ($md_user + $md_sys)" | bc)x"
echo "users per second (mmr run): $(echo "$N / $m_wall" | bc)"
echo "rounds' ratios: $(paste -d/ "$TMP/s.walls" "$TMP/m.walls" | while IFS=/ read -r a b; do printf '%.2fx ' "$(echo "scale=3; $a / $b" | bc)"; done)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
