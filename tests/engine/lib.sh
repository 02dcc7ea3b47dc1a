# Shared by the tests/engine scripts that need Redis: pass/fail counters, a
# temporary directory and child processes cleaned up on exit, a real
# redis-server on a free loopback port, and a PSUBSCRIBE client that writes
# each message as a JSON line (redis_sub.py). Source it from the repository
# root with NAME set; end the script with `finish`.
set -uo pipefail
MMR=${MMR:-build/mmr}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmr-$NAME.XXXXXX")
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
srv=""; sub=""; children=()
cleanup() {
    for p in $sub $srv "${children[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
if ! command -v redis-server >/dev/null; then echo "redis-server not installed"; echo "0 passed, 1 failed"; exit 1; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
URL="redis://127.0.0.1:$PORT"

# start_redis [ARG...]: extra redis-server arguments (a later one wins)
start_redis() {
    redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --logfile "$TMP/redis.log" "$@" &
    srv=$!
    for _ in $(seq 1 100); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.05; done
    return 1
}
stop_redis() { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; srv=""; }
# start_sub [FILE]: subscribe to mm:nudges:*, appending to FILE ($TMP/sub.jsonl)
start_sub() {
    rm -f "$TMP/ready"
    python3 tests/engine/redis_sub.py 127.0.0.1 "$PORT" 'mm:nudges:*' "${1:-$TMP/sub.jsonl}" "$TMP/ready" &
    sub=$!
    for _ in $(seq 1 100); do [ -e "$TMP/ready" ] && return 0; sleep 0.05; done
    return 1
}
# let the last messages arrive, then stop
stop_sub() { sleep 0.3; kill "$sub" 2>/dev/null; wait "$sub" 2>/dev/null; sub=""; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
