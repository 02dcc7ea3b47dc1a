#!/usr/bin/env bash
# The main job on the embedded default: generate a deterministic sample
# SQLite database, then run the nightly pipeline over rules/moneymoments,
# printing the delivered nudges (NDJSON) and the run summary.
set -euo pipefail
cd "$(dirname "$0")/.."
MMR=${MMR:-build/mmr}
OUT=${DEMO_DIR:-build/demo}
USERS=${DEMO_USERS:-5000}
NOW=${DEMO_NOW:-2025-10-26T09:00:00Z}
mkdir -p "$OUT"
rm -f "$OUT/sample.db" "$OUT/sample.db-wal" "$OUT/sample.db-shm"
echo "demo: generating $USERS sample users into $OUT/sample.db" >&2
"$MMR" gen --users "$USERS" --seed 42 --as-of 2025-10-26 --db "$OUT/sample.db"
echo "demo: mmr run rules/moneymoments --db $OUT/sample.db --now $NOW" >&2
"$MMR" run rules/moneymoments --db "$OUT/sample.db" --now "$NOW" --events "$OUT/events.ndjson"
echo "demo: delivered events are in $OUT/events.ndjson; first five:" >&2
head -n 5 "$OUT/events.ndjson"
