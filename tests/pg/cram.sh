#!/usr/bin/env bash
# The golden command tests (tests/cli) again, against PostgreSQL: the files
# that keep state, with `--db PATH` standing for a database of its own on a
# throwaway server (tests/pg/lib.sh) and `sqlite3 PATH …` reading it
# (tests/pg/cram_shim: the shims, and what they translate). The goldens are
# the SQLite ones, unchanged: both stores must print the same and hold the
# same rows. A command marked "# sqlite only: WHY" is not run here, one
# marked "# sqlite output: WHY" runs but is not compared (tests/cram.py).
# Ends with "N passed, N failed"; a machine without PostgreSQL skips.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=$(realpath "${MMR:-build/mmr}")
source tests/pg/lib.sh
if ! pg_start 2>/dev/null; then echo "pg cram: PostgreSQL not installed: skipped"; echo "0 passed, 0 failed"; exit 0; fi
# Left out: tests/cli/run/migrate.t and corrupt.t (SQLite's file format, its
# damage and its migrations from older versions) and the files that keep
# no state.
FILES="files/data_paths files/imports gen/budgets_goals gen/transactions ingest/ingest ingest/userid
       qa/options run/deferred run/errors run/exitstatus run/guarantees run/keyed run/report
       run/responsiveness run/run run/userid serve/usage signals/errors signals/userid"
files=()
for f in $FILES; do files+=("tests/cli/$f.t"); done
T=$(mktemp -d /tmp/mmr-pgcram.XXXXXX)
export MMR MMR_FAST="$MMR" MMR_REAL="$MMR" SQLITE3_REAL=$(command -v sqlite3) PG_BIN MMR_SHIM_LOG="$T/log"
export CRAM_BACKEND=pg CRAM_PATH_FIRST="$PWD/tests/pg/cram_shim"
out=$(python3 tests/cram.py "${files[@]}" 2>&1); rc=$?
echo "$out" | sed 's/^cram:/pg cram:/'
echo "pg cram: $(wc -l < "$T/log" 2>/dev/null || echo 0) commands went to PostgreSQL"
rm -rf "$T"
line=$(grep -E '^cram: [0-9]+ passed' <<<"$out" | tail -n 1)
[ -n "$line" ] || { echo "pg cram: no summary (exit $rc)"; echo "0 passed, 1 failed"; exit 1; }
echo "${line#cram: }"
