#!/usr/bin/env bash
# Runs the whole suite: unit binaries, golden command tests, and the
# shipped rulesets checked with mmr's own tools. Ends with one line
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
MMR=${MMR:-build/mmr}
UNIT_DIR=${UNIT_DIR:-build/tests}
export MMR MMR_FAST=${MMR_FAST:-$MMR}
passed=0; failed=0
count() { # parse "N passed, N failed" from the last matching line of $1
    local line; line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$1" | tail -n 1)
    local p f
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+'); f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
# The PostgreSQL scripts run in a second lane beside everything else: each
# has a server of its own on a free port, and most of their time is spent
# waiting on it (the suite took 19 min on 2 cores with them in line). Their
# output is printed, in order, when the first lane is done.
PG_LANE="tests/pg/signals_sql.sh tests/pg/run.sh tests/pg/run_store.sh tests/pg/keyed.sh tests/pg/ingest_signals.sh
         tests/pg/userstate.sh tests/pg/redis.sh tests/pg/cram.sh"
lane=$(mktemp -d /tmp/mmr-lane.XXXXXX)
trap 'rm -rf "$lane"' EXIT
(
    for s in $PG_LANE; do
        [ -x "$s" ] || continue
        f=$lane/${s//\//_}
        "$s" >"$f.out" 2>&1; echo $? >"$f.rc"
    done
) &
lane_pid=$!
for t in "$UNIT_DIR"/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    echo "$out" | grep -vE '^[a-z_]+: [0-9]+ passed' || true
    echo "$out" | grep -E ' passed, ' | tail -n 1
    if ! grep -qE '[0-9]+ passed, [0-9]+ failed' <<<"$out"; then failed=$((failed + 1)); echo "FAIL $t (exit $rc, no summary)"; fi
    count "$out"
    [ $rc -eq 0 ] || grep -qE ' [1-9][0-9]* failed' <<<"$out" || { failed=$((failed + 1)); echo "FAIL $t exited $rc"; }
done
out=$(python3 tests/cram.py tests/cli 2>&1); rc=$?
echo "$out"
count "$out"
[ $rc -eq 0 ] || grep -qE ' [1-9][0-9]* failed' <<<"$out" || failed=$((failed + 1))
for extra in tests/dogfood.sh tests/cli/json/roundtrip_repo.sh tests/engine/crash.sh tests/engine/redis.sh tests/engine/redis_fault.sh tests/engine/redis_url.sh tests/engine/concurrency.sh tests/serve/browser.sh tests/serve/report_browser.sh tests/signals/agree.sh tests/serve/api.sh tests/serve/hostile.sh tests/serve/relay.sh tests/install/embed.sh tests/install/man.sh tests/install/completion.sh tests/editors/grammar.sh; do
    [ -x "$extra" ] || continue
    out=$("$extra" 2>&1); rc=$?
    echo "$out"
    count "$out"
    [ $rc -eq 0 ] || grep -qE ' [1-9][0-9]* failed' <<<"$out" || failed=$((failed + 1))
done
wait "$lane_pid"
for s in $PG_LANE; do
    [ -x "$s" ] || continue
    f=$lane/${s//\//_}
    out=$(cat "$f.out" 2>/dev/null); rc=$(cat "$f.rc" 2>/dev/null || echo 1)
    echo "$out"
    count "$out"
    [ "$rc" -eq 0 ] || grep -qE ' [1-9][0-9]* failed' <<<"$out" || failed=$((failed + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
