#!/usr/bin/env bash
# `make bench` section (g): `mmr run` over N users (default 1,000,000) on
# PostgreSQL, one worker and then two at once (--shard 0/2, 1/2), beside
# the SQLite run of the same data in the same session; all three must make
# the same decisions. A throwaway server on loopback (tests/pg/lib.sh).
# usage: bench/bench_pg.sh [N] [MMR]
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
MMR=${2:-build/mmr}
source tests/pg/lib.sh
pg_start || { echo "bench (g): PostgreSQL not installed: skipped"; exit 0; }
T=$(mktemp -d /tmp/mmr-benchpg.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
NOW=2025-10-26T20:00:00Z
RULES=rules/moneymoments
$MMR gen --db "$T/in.db" --users "$N" >/dev/null 2>&1
cp "$T/in.db" "$T/ref.db"
load() {  # a fresh PostgreSQL database with the inputs: URL
    local url; url=$(pg_fresh "$1")
    $MMR run $RULES --db "$url" --now $NOW >/dev/null 2>&1   # the schema (fails: no signals yet)
    python3 tests/pg/load_sqlite.py "$T/in.db" "$PG_BIN/psql" "$1" >/dev/null
    pg_psql "$1" -c "VACUUM ANALYZE" >/dev/null
    echo "$url"
}
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>>"$T/err"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
U1=$(load one)
U2=$(load two)
s_sqlite=$(secs $MMR run $RULES --db "$T/ref.db" --now $NOW)
s_pg1=$(secs $MMR run $RULES --db "$U1" --now $NOW)
two() { $MMR run $RULES --db "$U2" --now $NOW --shard 0/2 & $MMR run $RULES --db "$U2" --now $NOW --shard 1/2; wait; }
s_pg2=$(secs two)
cands=$(sqlite3 "$T/ref.db" "SELECT count(*) FROM mm_nudge_candidate")
q="SELECT c.user_id, r.name, c.status, coalesce(c.suppression_reason, '') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id)"
sqlite3 -separator '|' "$T/ref.db" "$q" | LC_ALL=C sort | md5sum >"$T/h0"
pg_psql one -At -F '|' -c "$q" | LC_ALL=C sort | md5sum >"$T/h1"
pg_psql two -At -F '|' -c "$q" | LC_ALL=C sort | md5sum >"$T/h2"
same=no; cmp -s "$T/h0" "$T/h1" && cmp -s "$T/h0" "$T/h2" && same=yes
printf '(g) mmr run, %s users, %s candidates (same decisions in all three: %s)\n' "$N" "$cands" "$same"
printf '    SQLite, one process        %6.2f s  %8.0f candidates/s\n' "$s_sqlite" "$(echo "$cands / $s_sqlite" | bc -l)"
printf '    PostgreSQL, one worker     %6.2f s  %8.0f candidates/s  (%.2fx SQLite)\n' "$s_pg1" "$(echo "$cands / $s_pg1" | bc -l)" "$(echo "$s_pg1 / $s_sqlite" | bc -l)"
printf '    PostgreSQL, two workers    %6.2f s  %8.0f candidates/s  (%.2fx SQLite)\n' "$s_pg2" "$(echo "$cands / $s_pg2" | bc -l)" "$(echo "$s_pg2 / $s_sqlite" | bc -l)"
[ "$same" = yes ]
