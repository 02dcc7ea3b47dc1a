#!/usr/bin/env bash
# Loads sample transactions and traits (and budgets, goals) into a state
# database for the SQL baseline of the derived signals
# (bench/signals_baseline.sql):
#   - the transactions, budgets and goals with `mmr ingest` (mm_transaction,
#     mm_budget, mm_goal);
#   - the traits NDJSON into mm_user_traits with SQLite's JSON functions;
#   - bl_tzspan, the UTC offsets of every zone in play over the data's
#     time range (bench/signals_tz.py; the policy zone is always in).
#   bench/signals_load.sh MMR DB TXNS TRAITS [BUDGETS GOALS [POLICY_TZ]]
# (BUDGETS or GOALS "" for none)
# Prints nothing on success; fails on the first error. PYTHON (default
# python3) runs the zone script.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 MMR DB TXNS TRAITS [BUDGETS GOALS [POLICY_TZ]]" >&2; exit 2; }
MMR=$1 DB=$2 TXNS=$3 TRAITS=$4 BUDGETS=${5:-} GOALS=${6:-} POLICY_TZ=${7:-Asia/Kolkata}
here=$(dirname "$0")
extra=()
[ -z "$BUDGETS" ] || extra+=(--budgets "$BUDGETS")
[ -z "$GOALS" ] || extra+=(--goals "$GOALS")
"$MMR" ingest --db "$DB" ${extra[@]+"${extra[@]}"} "$TXNS" 2> "$DB.ingest.err" || { cat "$DB.ingest.err" >&2; exit 1; }
rm -f "$DB.ingest.err"
# .import in ascii mode with "\n" rows: one NDJSON line a row (no quoting)
sqlite3 "$DB" <<EOF
CREATE TEMP TABLE bl_raw(line TEXT);
.mode ascii
.separator "\037" "\n"
.import '$TRAITS' bl_raw
INSERT OR REPLACE INTO mm_user_traits(user_id, age_band, gender, lifestyle_tags, region_code, income_type, dependents, tz)
SELECT json_extract(line, '\$.user_id'), json_extract(line, '\$.traits.age_band'),
       json_extract(line, '\$.traits.gender'), json_extract(line, '\$.traits.lifestyle_tags'),
       json_extract(line, '\$.traits.region_code'), json_extract(line, '\$.traits.income_type'),
       json_extract(line, '\$.traits.dependents'), json_extract(line, '\$.traits.tz')
FROM bl_raw WHERE trim(line) <> '';
EOF
range=$(sqlite3 "$DB" "SELECT coalesce(min(ts), 0) - 172800, coalesce(max(ts), 0) + 172800 FROM mm_transaction" | tr '|' ' ')
# shellcheck disable=SC2086
{ sqlite3 "$DB" "SELECT DISTINCT tz FROM mm_user_traits WHERE tz IS NOT NULL" |
  xargs "${PYTHON:-python3}" "$here/signals_tz.py" $range "$POLICY_TZ"; } | sqlite3 "$DB"
