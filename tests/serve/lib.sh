# Shared by the tests/serve/*.sh scripts; source it from the repository
# root with SERVE_TEST set to the name FAIL lines start with. It sets ROOT,
# MMR (absolute), JWT, RULES; the counters with ok, bad and check; and T,
# a temporary directory that becomes the working directory and is removed
# on exit, with the server and every background job.
ROOT=$PWD
MMR=${MMR:-build/mmr}
case $MMR in /*) ;; *) MMR=$PWD/$MMR ;; esac
JWT="python3 $PWD/tests/serve/jwt.py"
RULES=$PWD/rules/moneymoments
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $SERVE_TEST: $1"; [ $# -gt 1 ] && printf '  expected: %s\n  got:      %s\n' "$2" "$3"; }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1" "$2" "$3"; fi; }
command -v curl >/dev/null || { echo "$SERVE_TEST: curl missing (scripts/setup.sh installs it)"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; jobs -p | xargs -r kill 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cd "$T"

# serve_db USERS: DB, a state database of `mmr gen --users USERS` after
# one `mmr run` of the shipped rules
serve_db() {
    DB=$T/state.db
    $MMR gen --users "$1" --db "$DB" >/dev/null 2>&1
    $MMR run "$RULES" --db "$DB" --now 2025-10-26T20:00:00+05:30 >/dev/null 2>&1 || bad "first run"
}

# serve_start DB ARGS...: `mmr serve --db DB` on a free port of 127.0.0.1
# with ARGS, stderr in serve.err. Sets SRV (the pid), line (the first line
# on stderr, the ready line once it listens) and B (the base URL).
serve_start() {
    local db=$1; shift
    $MMR serve --db "$db" --listen 127.0.0.1:0 "$@" 2>serve.err &
    SRV=$!
    for _ in $(seq 100); do grep -q 'listening on' serve.err && break; sleep 0.05; done
    line=$(head -n 1 serve.err)
    B=${line##* }
}
