#!/usr/bin/env bash
# `mmr serve` end to end (docs/serve.md): each endpoint's status and body,
# auth failures, database rows, the SSE stream (latency after a commit,
# replay by Last-Event-ID, heartbeat), malformed requests, SIGTERM.
# Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
SERVE_TEST=serve
. tests/serve/lib.sh
serve_db 50

# refuses to start without a secret
unset MMR_JWT_SECRET
out=$($MMR serve --db "$DB" --listen 127.0.0.1:0 2>&1); rc=$?
check "no secret: exit" 2 "$rc"
check "no secret: message" "mmr serve: no JWT secret: give --jwt-secret-file FILE or set MMR_JWT_SECRET" "$(head -n 1 <<<"$out")"

printf 'test-secret\n' > secret
serve_start "$DB" --jwt-secret-file secret --heartbeat-ms 300
[[ $line =~ ^mmr\ serve:\ listening\ on\ http://127\.0\.0\.1:[0-9]+$ ]] && ok || bad "listening line" "mmr serve: listening on http://127.0.0.1:PORT" "$line"
# every token in one Python start (each start costs up to a second on a busy machine)
mapfile -t TOKS < <($JWT --batch <<'EOF2'
test-secret u1
test-secret u2
wrong-secret u1
test-secret u1 3600 --alg none
test-secret u1 3600 --alg HS512
test-secret u1 -5
test-secret u1 3600 --no-sub
test-secret u1 3600 --no-exp
test-secret nobody
test-secret bulk
EOF2
)
U1=${TOKS[0]}; U2=${TOKS[1]}; BADSIG=${TOKS[2]}; ALGNONE=${TOKS[3]}; ALG512=${TOKS[4]}; EXPIRED=${TOKS[5]}
NOSUB=${TOKS[6]}; NOEXP=${TOKS[7]}; NOBODY=${TOKS[8]}; TB=${TOKS[9]}
req() { curl -s -w ' %{http_code}' "$@" | tr -d '\n'; }   # body, space, status
api() { local t=$1; shift; req -H "Authorization: Bearer $t" "$@"; }

check "healthz" '{"status":"ok"} 200' "$(req "$B/healthz")"
check "page" "200 text/html; charset=utf-8" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$B/")"
check "404" '{"error":"no such path"} 404' "$(req "$B/v1/moneymoments/nope")"
check "405" '{"error":"method DELETE not allowed on /healthz (allowed: GET)"} 405' "$(req -X DELETE "$B/healthz")"

# auth
F=$B/v1/moneymoments/feed
check "401 missing" '{"error":"missing bearer token"} 401' "$(req "$F")"
check "401 scheme" '{"error":"Authorization must be \"Bearer <token>\""} 401' "$(req -H 'Authorization: Basic dTE6cA==' "$F")"
check "401 bad signature" '{"error":"bad token signature"} 401' "$(api "$BADSIG" "$F")"
check "401 alg none" '{"error":"token alg must be HS256"} 401' "$(api "$ALGNONE" "$F")"
check "401 alg HS512" '{"error":"token alg must be HS256"} 401' "$(api "$ALG512" "$F")"
check "401 expired" '{"error":"token expired"} 401' "$(api "$EXPIRED" "$F")"
check "401 no sub" '{"error":"token has no sub claim"} 401' "$(api "$NOSUB" "$F")"
check "401 no exp" '{"error":"token has no exp claim"} 401' "$(api "$NOEXP" "$F")"
check "401 malformed" '{"error":"malformed token"} 401' "$(api "not.a-token" "$F")"

# feed: u1 has one delivery; u3 several
D1=$(sqlite3 "$DB" "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id='u1'")
exp=$(sqlite3 "$DB" "SELECT json_object('feed', json_group_array(json(o)), 'next', NULL) FROM (SELECT json_object('id',delivery_id,'title',title,'body',body,'category',category,'delivered_at',delivered_at) o FROM mm_nudge_delivery_log WHERE user_id='u1' ORDER BY delivered_at DESC, delivery_id)")
check "feed u1" "$exp 200" "$(api "$U1" "$F")"
check "feed = mmr feed" "$($MMR feed --db "$DB" --user u1 | sed 's/}$//'),\"next\":null} 200" "$(api "$U1" "$F")"
# paging: the user with the most deliveries, one item a page, the cursor chain gives the whole feed
UM=$(sqlite3 "$DB" "SELECT user_id FROM mm_nudge_delivery_log GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1")
NM=$(sqlite3 "$DB" "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id='$UM'")
TM=$($JWT test-secret "$UM")
ids=""; cur=""; pages=0
while :; do
    q="limit=1"; [ -n "$cur" ] && q="$q&before=$cur"
    body=$(curl -s -H "Authorization: Bearer $TM" "$F?$q")
    ids="$ids$(grep -o '"id":"[^"]*"' <<<"$body" | cut -d'"' -f4 | tr '\n' ',')"
    cur=$(grep -o '"next":"[0-9a-f]*"' <<<"$body" | cut -d'"' -f4)
    pages=$((pages + 1)); [ -z "$cur" ] || [ $pages -gt 50 ] && break
done
check "feed pages" "$NM $(sqlite3 "$DB" "SELECT group_concat(delivery_id, ',') || ',' FROM (SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id='$UM' ORDER BY delivered_at DESC, delivery_id)")" "$pages $ids"
check "feed limit 0" '{"error":"limit must be a whole number from 1 to 200"} 400' "$(api "$U1" "$F?limit=0")"
check "feed limit 201" '{"error":"limit must be a whole number from 1 to 200"} 400' "$(api "$U1" "$F?limit=201")"
check "feed bad cursor" '{"error":"before is not a cursor this API returned"} 400' "$(api "$U1" "$F?before=zz")"
check "feed empty" '{"feed":[],"next":null} 200' "$(api "$NOBODY" "$F")"

# settings
S=$B/v1/moneymoments/settings
CATS='"categories":["budget","dining","goal","shopping","travel"]'
check "settings get" "{\"muted\":[],$CATS} 200" "$(api "$U1" "$S")"
check "settings post" "{\"muted\":[\"dining\",\"travel\"],$CATS} 200" "$(api "$U1" -d '{"muted":["travel","dining"]}' "$S")"
check "settings rows" "dining|travel" "$(sqlite3 "$DB" "SELECT group_concat(category,'|') FROM (SELECT category FROM mm_user_suppression WHERE user_id='u1' ORDER BY 1)")"
check "settings replace" "{\"muted\":[\"goal\"],$CATS} 200" "$(api "$U1" -d '{"muted":["goal"]}' "$S")"
check "settings unknown category" '{"error":"unknown category \"nope\" (valid: budget, dining, goal, shopping, travel)"} 400' "$(api "$U1" -d '{"muted":["dining","nope"]}' "$S")"
check "settings not an array" '{"error":"$.muted: must be an array of category names"} 400' "$(api "$U1" -d '{"muted":"dining"}' "$S")"
check "settings number" '{"error":"$.muted[0]: must be a category name (a string)"} 400' "$(api "$U1" -d '{"muted":[3]}' "$S")"
check "settings unknown field" '{"error":"$.mute: unknown field"} 400' "$(api "$U1" -d '{"mute":[]}' "$S")"
check "settings malformed" '{"error":"malformed JSON body: '"']'"' expected near end of file (line 1, column 10)"} 400' "$(api "$U1" -d '{"muted":[' "$S")"
check "settings bad utf-8" 400 "$(printf '{"muted":["\xff"]}' | curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $U1" --data-binary @- "$S")"
check "settings unchanged" "goal" "$(sqlite3 "$DB" "SELECT group_concat(category,'|') FROM mm_user_suppression WHERE user_id='u1'")"
head -c 70000 /dev/zero | tr '\0' ' ' > big.json
check "413" '{"error":"request body over 65536 bytes"} 413' "$(api "$U1" --data-binary @big.json "$S")"

# a writer holding the lock past the busy timeout: 503 with the reason, nothing written
python3 "$ROOT/tests/cli/run/lock.py" "$DB" locked 5 &
LK=$!
for _ in $(seq 500); do [ -e locked ] && break; sleep 0.02; done
out=$(api "$U1" -d '{"muted":["dining"]}' "$S")
[[ $out == '{"error":"database busy, retry: '*' 503' ]] && ok || bad "503 while locked" '{"error":"database busy, retry: ..."} 503' "$out"
check "feed while locked (WAL readers never wait)" 200 "$(curl -s -o /dev/null -w '%{http_code}' -m 1 -H "Authorization: Bearer $U1" "$F")"
wait $LK
check "settings unchanged after 503" "goal" "$(sqlite3 "$DB" "SELECT group_concat(category,'|') FROM mm_user_suppression WHERE user_id='u1'")"

# interactions
I=$B/v1/moneymoments/interactions
out=$(api "$U1" -d "{\"delivery_id\":\"$D1\",\"action\":\"dismissed\"}" "$I")
[[ $out =~ ^\{\"interaction_id\":[0-9]+,\"delivery_id\":\"$D1\",\"action\":\"dismissed\",\"timestamp\":\"[0-9T:-]+Z\"\}\ 201$ ]] && ok || bad "interaction 201" "{...} 201" "$out"
check "interaction row" "$D1|u1|dismissed" "$(sqlite3 "$DB" "SELECT delivery_id, user_id, action FROM mm_nudge_interaction_log")"
check "interaction other user" '{"error":"no delivery with that id"} 404' "$(api "$U2" -d "{\"delivery_id\":\"$D1\",\"action\":\"viewed\"}" "$I")"
check "interaction unknown" '{"error":"no delivery with that id"} 404' "$(api "$U1" -d '{"delivery_id":"x","action":"viewed"}' "$I")"
check "interaction action" '{"error":"$.action: must be \"viewed\", \"clicked\" or \"dismissed\""} 400' "$(api "$U1" -d "{\"delivery_id\":\"$D1\",\"action\":\"liked\"}" "$I")"
check "interaction rows" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM mm_nudge_interaction_log")"

# SSE: a stream open before a run gets the run's delivery within 500 ms of the commit
ST=$B/v1/moneymoments/stream
$MMR gen --users 50 --db "$DB" --as-of 2025-10-27 --seed 7 >/dev/null 2>&1
U=$(sqlite3 "$DB" "SELECT user_id FROM mm_nudge_delivery_log WHERE user_id IN ('u1','u9','u17') LIMIT 1")
TU=$U1
curl -sN -H "Authorization: Bearer $TU" "$ST" > s1.out 2>/dev/null &
C1=$!
curl -sN "$ST?access_token=$TU" > s2.out 2>/dev/null &
C2=$!
for _ in $(seq 100); do [ -s s1.out ] && [ -s s2.out ] && break; sleep 0.02; done
$MMR run "$RULES" --db "$DB" --as-of 2025-10-27 --now 2025-10-27T20:00:00+05:30 >/dev/null 2>&1 || bad "second run"
t0=$(date +%s%N)
D2=$(sqlite3 "$DB" "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id='u1' AND as_of='2025-10-27'")
[ -n "$D2" ] || bad "u1 gets a delivery on 2025-10-27"
while ! { grep -q "^id: $D2" s1.out && grep -q "^id: $D2" s2.out; }; do
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 2000 ] && break; sleep 0.01
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -le 500 ] && ok || bad "stream event within 500 ms of the commit (took ${ms} ms)"
frame=$(sqlite3 "$DB" "SELECT 'id: '||d.delivery_id||char(10)||'event: nudge'||char(10)||'data: '||json_object('type','nudge','delivery_id',d.delivery_id,'user_id',d.user_id,'rule',r.name,'title',d.title,'body',d.body,'category',d.category,'created_at',d.delivered_at) FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id) WHERE d.delivery_id='$D2'")
check "stream frame" "$frame" "$(grep -A2 "^id: $D2" s1.out)"
check "stream once" 1 "$(grep -c '^id: ' s1.out)"
check "stream only own" 0 "$(grep '^data: ' s1.out | grep -vc '"user_id":"u1"')"
sleep 0.4
grep -q '^: heartbeat$' s1.out && ok || bad "heartbeat comment on an idle stream"
kill $C1 $C2 2>/dev/null; wait $C1 $C2 2>/dev/null

# replay: Last-Event-ID (header or query) gives the deliveries after it
timeout 1 curl -sN -H "Authorization: Bearer $TU" -H "Last-Event-ID: $D1" "$ST" > r1.out 2>/dev/null
check "replay header" "$D2" "$(grep '^id: ' r1.out | cut -c5- | tr '\n' ' ' | sed 's/ $//')"
timeout 1 curl -sN "$ST?access_token=$TU&last_event_id=$D1" > r2.out 2>/dev/null
check "replay query" "$D2" "$(grep '^id: ' r2.out | cut -c5- | tr '\n' ' ' | sed 's/ $//')"
timeout 1 curl -sN -H "Authorization: Bearer $TU" -H "Last-Event-ID: $D2" "$ST" > r3.out 2>/dev/null
check "replay nothing newer" 0 "$(grep -c '^id: ' r3.out)"
# a long replay comes in parts: each part ends the stream and the client
# reconnects from the last id it got; every delivery arrives once, in order
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
  INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at)
  SELECT printf('bulk-%03d', i), 'bulk', (SELECT min(rule_id) FROM mm_nudge_rule_master), '2025-10-27',
         printf('Title %d %s', i, hex(zeroblob(60))), 'Body', 'dining', '{}', '2025-10-27T10:00:00Z' FROM n;
  INSERT INTO mm_event_outbox(delivery_seq, want_redis) SELECT seq, 0 FROM mm_nudge_delivery_log WHERE user_id = 'bulk' ORDER BY seq;"
sleep 0.3
lastid=bulk-001; got=""; parts=0
while [ $parts -lt 20 ]; do
    ids=$(curl -sN -m 2 -H "Authorization: Bearer $TB" -H "Last-Event-ID: $lastid" "$ST" 2>/dev/null | grep '^id: ' | cut -c5-)
    [ -z "$ids" ] && break
    got="$got$ids"$'\n'; lastid=$(tail -n 1 <<<"$ids"); parts=$((parts + 1))
done
check "long replay: all 299 once, in order" "$(seq -f 'bulk-%03g' 2 300)" "$(sed '/^$/d' <<<"$got")"
[ $parts -ge 2 ] && ok || bad "long replay comes in parts (got $parts)"

check "stream 401" '{"error":"token expired"} 401' "$(req "$ST?access_token=$EXPIRED")"

# malformed and hostile requests: the server answers each and stays up
python3 - "${B#http://}" <<'PY' > raw.out
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
def send(data, shut=False):
    s = socket.create_connection((host, int(port)), timeout=3)
    s.sendall(data)
    if shut: s.shutdown(socket.SHUT_WR)
    try: r = s.recv(200)
    except Exception: r = b""
    s.close()
    return r.split(b"\r\n", 1)[0].decode("latin-1")
print(send(b"GARBAGE\r\n\r\n"))
print(send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n"))
print(send(b"POST /v1/moneymoments/settings HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"))
print(send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n", shut=True))
print(send(b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n"))
PY
# (garbage and a half-closed request may get no answer at all: the point is that the server lives)
check "raw: huge header" "HTTP/1.1 431" "$(sed -n 2p raw.out | cut -d' ' -f1-2)"
check "raw: declared huge body" "HTTP/1.1 413" "$(sed -n 3p raw.out | cut -d' ' -f1-2)"
check "raw: bad path bytes" "HTTP/1.1 404" "$(sed -n 5p raw.out | cut -d' ' -f1-2)"
check "still up" '{"status":"ok"} 200' "$(req "$B/healthz")"

# several streams of one user: whichever closes, the others stay fed
# (streams are found by user through a map whose key is the first one's)
add_delivery() { # ID: a delivery of u2 and its event, committed at once
    sqlite3 "$DB" "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at)
                   SELECT '$1', 'u2', min(rule_id), '2025-10-28', 'T', 'B', 'dining', '{}', '2025-10-28T10:00:00Z' FROM mm_nudge_rule_master;
                   INSERT INTO mm_event_outbox(delivery_seq, want_redis) SELECT seq, 0 FROM mm_nudge_delivery_log WHERE delivery_id = '$1';"
}
got_id() { for _ in $(seq 100); do grep -q "^id: $2\$" "$1" && return 0; sleep 0.03; done; return 1; }
pids=()
for k in a b c; do
    curl -sN "$ST?access_token=$U2" > "m-$k.out" 2>/dev/null &
    pids+=($!)
    for _ in $(seq 100); do [ -s "m-$k.out" ] && break; sleep 0.02; done
done
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null   # the first: the map's key
sleep 0.1
add_delivery multi-1
got_id m-b.out multi-1 && got_id m-c.out multi-1 && ok || bad "u2's other streams get the event after the first one closed"
kill "${pids[2]}"; wait "${pids[2]}" 2>/dev/null
sleep 0.1
add_delivery multi-2
got_id m-b.out multi-2 && ok || bad "the last of u2's streams gets the next event"
check "each event once on a stream" "1 1" "$(grep -c '^id: multi-1$' m-b.out) $(grep -c '^id: multi-2$' m-b.out)"
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null
sleep 0.1
add_delivery multi-3   # nobody listening: nothing to do, nothing breaks
check "still up after u2's streams all closed" '{"status":"ok"} 200' "$(req "$B/healthz")"

# SIGTERM with a stream open: exit 0
curl -sN -H "Authorization: Bearer $TU" "$ST" > /dev/null 2>&1 &
sleep 0.2
kill -TERM $SRV; wait $SRV; rc=$?; SRV=
check "SIGTERM exit" 0 "$rc"
check "stderr: only the ready line (no sanitizer report)" "$line" "$(cat serve.err)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
