#!/usr/bin/env bash
# The Redis URL forms of `mmr run --redis` against a real redis-server on
# loopback (docs/engine.md "Redis URLs and passwords"): an ACL user
# (AUTH user password, the password percent-decoded), a wrong ACL password
# (exit 3, a clear warning), the password from MMR_REDIS_PASSWORD (first)
# or REDISCLI_AUTH, a Unix socket (unix://...?db=N), an IPv6 literal
# ([::1]; skipped with a note without an IPv6 loopback). Each run that
# reaches Redis exits 0 and publishes each of its events exactly once; no
# message shows a password. Prints "N passed, N failed".
cd "$(dirname "$0")/../.."
NAME=redis_url
. tests/engine/lib.sh

SOCK="$TMP/r.sock"
V6=1
ip -6 addr show lo 2>/dev/null | grep -q 'inet6 ::1/128' || V6=0
BIND="127.0.0.1"; [ "$V6" -eq 1 ] && BIND="127.0.0.1 ::1"
start_redis --bind "$BIND" --unixsocket "$SOCK" --unixsocketperm 700 &&
    ok "redis-server on port $PORT and $SOCK" || bad "redis-server did not start: $(tail -n 3 "$TMP/redis.log")"
# subscribe before the passwords are set: the subscriber (the default user,
# already authenticated) keeps receiving
start_sub && ok "subscriber ready" || bad "subscriber did not start"
DEFPW='def-pw'
ACLPW='p@ss:w/rd'               # percent-encoded in URLs
ACLPW_URL='p%40ss%3Aw%2Frd'
redis-cli -p "$PORT" ACL SETUSER mmr on ">$ACLPW" '~*' '&*' '+@all' > /dev/null &&
    redis-cli -p "$PORT" CONFIG SET requirepass "$DEFPW" > /dev/null &&
    ok "ACL user mmr and a password for the default user" || bad "could not set the passwords"

H="127.0.0.1:$PORT"
S=tests/cli/run/signals.ndjson
n=0
# got_once BEFORE FILE: the messages after the subscriber's first BEFORE
# are FILE's lines, each once (waits for them, then a moment more: a
# duplicate would show)
got_once() {
    local want; want=$(wc -l < "$2")
    for _ in $(seq 1 100); do [ "$(wc -l < "$TMP/sub.jsonl")" -ge $(($1 + want)) ] && break; sleep 0.05; done
    sleep 0.2
    tail -n +$(($1 + 1)) "$TMP/sub.jsonl" | python3 -c 'import json,sys; [print(json.loads(l)["message"]) for l in sys.stdin]' > "$2.got"
    [ "$want" -gt 0 ] && cmp -s "$2.got" "$2"
}
# run_n URL [ENV...]: mmr run --redis URL on a fresh database n, only ENV
# for the passwords; its exit status
run_n() {
    local url=$1; shift
    n=$((n + 1))
    env -u MMR_REDIS_PASSWORD -u REDISCLI_AUTH "$@" "$MMR" run rules/moneymoments --db "$TMP/r$n.db" --signals $S \
        --now 2025-10-26T09:00:00Z --redis "$url" > "$TMP/ev$n" 2> "$TMP/err$n"
}
# run_ok LABEL URL [ENV...]: exit 0 and each event published once
run_ok() {
    local label=$1 before; before=$(wc -l < "$TMP/sub.jsonl"); shift
    run_n "$@"
    local rc=$?
    if [ $rc -eq 0 ] && got_once "$before" "$TMP/ev$n"; then ok "$label: exit 0, $(wc -l < "$TMP/ev$n") events published once"
    else bad "$label: exit $rc, $(wc -l < "$TMP/ev$n") events, $(cat "$TMP/ev$n.got" 2>/dev/null | wc -l) messages: $(head -c 300 "$TMP/err$n")"; fi
}
# run_fails LABEL URL WANT [ENV...]: exit 3 (committed, publishing failed) with WANT on stderr
run_fails() {
    local label=$1 url=$2 want=$3; shift 3
    run_n "$url" "$@"
    local rc=$?
    if [ $rc -eq 3 ] && grep -qF -- "$want" "$TMP/err$n"; then ok "$label: exit 3, \"$(grep -m1 -F -- "$want" "$TMP/err$n" | cut -c1-90)\""
    else bad "$label: exit $rc: $(head -c 300 "$TMP/err$n")"; fi
}

run_ok "ACL user (redis://mmr:PERCENT-ENCODED@host)" "redis://mmr:$ACLPW_URL@$H"
run_ok "ACL user with a db" "redis://mmr:$ACLPW_URL@$H/1"
run_fails "wrong ACL password" "redis://mmr:badpw123@$H" "redis $H: AUTH failed: WRONGPASS"
run_ok "default user, password in the URL" "redis://:$DEFPW@$H"
run_ok "MMR_REDIS_PASSWORD (before REDISCLI_AUTH)" "redis://$H" MMR_REDIS_PASSWORD="$DEFPW" REDISCLI_AUTH=badpw123
run_ok "REDISCLI_AUTH" "redis://$H/2" REDISCLI_AUTH="$DEFPW"
run_ok "ACL user from the URL, its password from MMR_REDIS_PASSWORD" "redis://mmr@$H" MMR_REDIS_PASSWORD="$ACLPW"
run_fails "no password anywhere" "redis://$H" "NOAUTH"
run_ok "Unix socket (unix://mmr:...@/path?db=3)" "unix://mmr:$ACLPW_URL@$SOCK?db=3"
run_ok "Unix socket, password from MMR_REDIS_PASSWORD" "unix://$SOCK" MMR_REDIS_PASSWORD="$DEFPW"
run_fails "no Unix socket there" "unix://$TMP/none.sock" "cannot connect to redis $TMP/none.sock: No such file or directory" MMR_REDIS_PASSWORD="$DEFPW"
if [ "$V6" -eq 1 ]; then
    run_ok "IPv6 literal (redis://mmr:...@[::1]:PORT/0)" "redis://mmr:$ACLPW_URL@[::1]:$PORT/0"
    run_fails "IPv6 wrong password: the message shows [::1]:PORT" "redis://mmr:badpw123@[::1]:$PORT" "redis [::1]:$PORT: AUTH failed"
else
    echo "note: no IPv6 loopback (ip -6 addr show lo): the IPv6 cases are skipped"
fi
# mmr serve: its relay reaches Redis the same way (the ACL user of a
# unix:// URL, the password from MMR_REDIS_PASSWORD) and publishes, once
# each, the events of a run made without --redis (and those it printed
# that the server released)
"$MMR" run rules/moneymoments --db "$TMP/srv.db" --signals $S --now 2025-10-26T09:00:00Z > /dev/null 2>&1
before=$(wc -l < "$TMP/sub.jsonl")   # (the server may publish a deferral it releases at once)
env -u REDISCLI_AUTH MMR_REDIS_PASSWORD="$ACLPW" MMR_JWT_SECRET=x "$MMR" serve --db "$TMP/srv.db" --listen 127.0.0.1:0 \
    --redis "unix://mmr@$SOCK?db=4" --redis-timeout 1000 2> "$TMP/errserve" &
children+=($!); srvpid=$!
for _ in $(seq 100); do grep -q 'listening on' "$TMP/errserve" && break; sleep 0.05; done
"$MMR" run rules/moneymoments --db "$TMP/srv.db" --signals tests/cli/run/day3.ndjson --now 2025-10-28T09:30:00Z \
    > "$TMP/evserve" 2> "$TMP/errservrun"
got_once "$before" "$TMP/evserve" &&
    ok "mmr serve --redis unix://mmr@PATH?db=4 (MMR_REDIS_PASSWORD): the relay published $(wc -l < "$TMP/evserve") events once" ||
    bad "serve relay: $(wc -l < "$TMP/evserve") events, $(wc -l < "$TMP/evserve.got") messages: $(head -c 300 "$TMP/errserve")"
kill "$srvpid" 2>/dev/null; wait "$srvpid" 2>/dev/null
# a user without a password: a usage error (exit 2) before anything runs
"$MMR" run rules/moneymoments --db "$TMP/u.db" --signals $S --redis "redis://s3cretuser@$H" > /dev/null 2> "$TMP/erru"; rc=$?
[ $rc -eq 2 ] && grep -q "redis://\*\*\*@$H: a user name without a password" "$TMP/erru" && ! grep -q s3cretuser "$TMP/erru" &&
    ok "a user without a password: exit 2, \"$(head -n1 "$TMP/erru" | cut -c1-80)...\"" || bad "user without a password: exit $rc: $(cat "$TMP/erru")"
# no message shows a password, encoded or not
if grep -lF -e "$ACLPW" -e "$ACLPW_URL" -e "$DEFPW" -e badpw123 "$TMP"/err* > "$TMP/leaks"; then bad "a password in: $(cat "$TMP/leaks")"
else ok "no password in any message ($(cat "$TMP"/err* | wc -l) lines)"; fi
stop_sub
finish
