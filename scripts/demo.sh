#!/usr/bin/env bash
# The main job on the embedded default, from raw data: generate a
# deterministic sample of users' transactions (90 days), traits, budgets and
# goals, load them into a fresh SQLite database, then run the nightly
# pipeline over rules/moneymoments: signals derived from the transactions,
# budgets and goals, rules, suppression, deliveries. Prints the delivered
# nudges and the summaries.
set -euo pipefail
cd "$(dirname "$0")/.."
MMR=${MMR:-build/mmr}
OUT=${DEMO_DIR:-build/demo}
USERS=${DEMO_USERS:-5000}
AS_OF=${DEMO_AS_OF:-2025-10-26}
NOW=${DEMO_NOW:-2025-10-26T09:00:00Z}
mkdir -p "$OUT"
rm -f "$OUT/sample.db" "$OUT/sample.db-wal" "$OUT/sample.db-shm" "$OUT/events.ndjson"
echo "demo: generating 90 days of transactions, budgets and goals for $USERS sample users into $OUT" >&2
"$MMR" gen --users "$USERS" --seed 42 --as-of "$AS_OF" \
    --transactions "$OUT/transactions.ndjson" --traits "$OUT/traits.ndjson" \
    --budgets "$OUT/budgets.ndjson" --goals "$OUT/goals.ndjson"
echo "demo: mmr ingest --db $OUT/sample.db" >&2
"$MMR" ingest --db "$OUT/sample.db" --traits "$OUT/traits.ndjson" \
    --budgets "$OUT/budgets.ndjson" --goals "$OUT/goals.ndjson" "$OUT/transactions.ndjson"
echo "demo: mmr run rules/moneymoments --db $OUT/sample.db --as-of $AS_OF --now $NOW" >&2
"$MMR" run rules/moneymoments --db "$OUT/sample.db" --as-of "$AS_OF" --now "$NOW" --events "$OUT/events.ndjson"
echo "demo: delivered events are in $OUT/events.ndjson; first five:" >&2
head -n 5 "$OUT/events.ndjson"
