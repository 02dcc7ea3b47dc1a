#!/usr/bin/env bash
# `mmr serve` against hostile and malformed clients (issue 10,
# "Reliability"): malformed request lines, bad methods, huge headers,
# bad percent-encoding and UTF-8, non-object and deep JSON, bodies at and
# over the 64 KiB limit (plain and chunked), slowloris clients, a stream
# that never reads while its events pile up, half-closed sockets and 1200
# idle connections (tests/serve/hostile.py, raw sockets). After each, a
# health check and an authorised feed must answer within 5 s; at the end
# SIGTERM exits 0 and stderr holds only the ready line (no sanitizer
# report under the ASan+UBSan build). Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
SERVE_TEST=hostile
. tests/serve/lib.sh
serve_db 20
# one descriptor a connection: 1200 of them at once need more than the usual 1024
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
printf 'hostile-secret\n' > secret
serve_start "$DB" --jwt-secret-file secret --heartbeat-ms 300
[[ $line == "mmr serve: listening on http://127.0.0.1:"* ]] && ok || bad "ready line" "mmr serve: listening on ..." "$line"
# the tokens, NAME=TOKEN a line (one Python start); badsub's sub holds a control character
names=(u1 u2 u3 flood wrongkey algnone expired badsub)
printf 'hostile-secret u1\nhostile-secret u2\nhostile-secret u3\nhostile-secret flood\nwrong-secret u1
hostile-secret u1 3600 --alg none\nhostile-secret u1 -5\nhostile-secret a\001b\n' | $JWT --batch |
    paste -d= <(printf '%s\n' "${names[@]}") - > tokens

out=$(timeout 120 python3 "$ROOT/tests/serve/hostile.py" "${B#http://}" "$DB" tokens 2>&1); rc=$?
while IFS= read -r l; do
    case $l in
        "ok "*) ok ;;
        "FAIL "*) fail=$((fail + 1)); echo "FAIL $SERVE_TEST: ${l#FAIL }" ;;
        *) echo "$l" ;;
    esac
done <<<"$out"
[ $rc -eq 0 ] || bad "hostile.py exited $rc"
kill -0 "$SRV" 2>/dev/null && ok || bad "server still running after the hostile clients"

kill -TERM "$SRV"; wait "$SRV"; rc=$?; SRV=
check "SIGTERM exit" 0 "$rc"
check "stderr: only the ready line (no sanitizer report)" "$line" "$(cat serve.err)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
