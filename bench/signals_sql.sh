#!/usr/bin/env bash
# Runs the SQL baseline of the derived signals (bench/signals_baseline.sql)
# on a database loaded by bench/signals_load.sh: NDJSON on stdout.
#   bench/signals_sql.sh DB AS_OF [POLICY_TZ]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DB AS_OF [POLICY_TZ]" >&2; exit 2; }
here=$(dirname "$0")
{
    # the connection's settings first: changing temp_store empties the temp
    # schema, where the parameters live
    echo "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"
    echo ".parameter set @as_of \"'$2'\""
    echo ".parameter set @policy_tz \"'${3:-Asia/Kolkata}'\""
    cat "$here/signals_baseline.sql"
} | sqlite3 -bail "$1"
