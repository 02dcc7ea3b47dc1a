#!/usr/bin/env bash
# feed, settings, interact and serve on both stores (docs/scale.md): the same
# fixture is loaded into a SQLite file and a PostgreSQL database and run once
# on each (as tests/pg/run.sh does); then every command and HTTP request is
# made against both and must give byte-identical output, exit status and
# messages (the database's name aside), and leave equal rows. The error
# cases too: unknown delivery, another user's delivery, an invalid
# category, a database without the schema, a read-only database, a server
# that does not answer (its password never shown).
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
case $MMR in /*) ;; *) MMR=$PWD/$MMR ;; esac
JWT="python3 $PWD/tests/serve/jwt.py"
source tests/pg/lib.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
same() { if cmp -s "$2" "$3"; then ok; else bad "$1"; diff "$2" "$3" | head -6; fi; }
if ! pg_start; then echo "pg/userstate: PostgreSQL not installed: skipped"; echo "0 passed, 0 failed"; exit 0; fi
T=$(mktemp -d /tmp/mmr-pgus.XXXXXX)
SRVS=()
cleanup() { for p in "${SRVS[@]}"; do kill "$p" 2>/dev/null; done; jobs -p | xargs -r kill 2>/dev/null; pg_stop; rm -rf "$T"; }
trap cleanup EXIT
NOW=2025-10-26T14:30:00Z
RULES=rules/moneymoments
SQ=$T/state.db

# the fixture: the same inputs in both stores, one run on each
URL=$(pg_fresh us)
$MMR run $RULES --db "$URL" --now $NOW >/dev/null 2>&1    # makes the schema (and says the table is empty)
$MMR gen --db "$SQ" --users 300 >/dev/null 2>&1
python3 tests/pg/load_sqlite.py "$SQ" "$PG_BIN/psql" us || bad "loading the fixture"
$MMR run $RULES --db "$SQ" --now $NOW >/dev/null 2>"$T/err" || { bad "the SQLite run"; cat "$T/err"; }
$MMR run $RULES --db "$URL" --now $NOW >/dev/null 2>"$T/err" || { bad "the PostgreSQL run"; cat "$T/err"; }
deliv_sql="SELECT delivery_id, user_id, title, body, category, delivered_at FROM mm_nudge_delivery_log"
check "the fixture: the same deliveries in both" cmp -s <(sqlite3 -separator '|' "$SQ" "$deliv_sql" | LC_ALL=C sort) \
    <(pg_psql us -At -F '|' -c "$deliv_sql" | LC_ALL=C sort)

# both NAME ARGS...: `mmr ARGS --db` on each store; stdout, exit status and
# stderr (the database's name as DB) must be the same
both() {
    local name=$1; shift
    "$MMR" "$@" --db "$SQ" >"$T/sq.out" 2>"$T/sq.err"; echo $? >>"$T/sq.out"
    "$MMR" "$@" --db "$URL" >"$T/pg.out" 2>"$T/pg.err"; echo $? >>"$T/pg.out"
    same "$name: output and exit status" "$T/sq.out" "$T/pg.out"
    sed -i "s|$SQ|DB|g" "$T/sq.err"; sed -i "s|$URL|DB|g" "$T/pg.err"
    same "$name: messages" "$T/sq.err" "$T/pg.err"
}
sq_rows() { sqlite3 -separator '|' "$SQ" "$1" | LC_ALL=C sort; }
pg_rows() { pg_psql us -At -F '|' -c "$1" | LC_ALL=C sort; }
rows_equal() { check "$1" cmp -s <(sq_rows "$2") <(pg_rows "$2"); }

mapfile -t USERS < <(sqlite3 "$SQ" "SELECT user_id FROM mm_nudge_delivery_log GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 4")
check "the fixture has users with several deliveries" [ "$(sqlite3 "$SQ" "SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = '${USERS[0]}'")" -gt 1 ]
U=${USERS[0]}; U2=${USERS[1]}

# feed
for u in "${USERS[@]}" nobody; do both "feed $u" feed --user "$u"; done
$MMR feed --user "$U" --db "$URL" | grep -q '"delivered_at"' && ok || bad "feed $U has items"

# settings
both "settings: show" settings --user "$U"
both "settings: mute two" settings --user "$U" --mute dining --mute travel --now 2025-10-27T08:00:00Z
both "settings: unmute one" settings --user "$U" --unmute travel --now 2025-10-27T09:00:00Z
both "settings: mute again keeps muted_at" settings --user "$U" --mute dining --now 2025-10-28T00:00:00Z
both "settings: an invalid category changes nothing" settings --user "$U" --mute budget --mute nope --unmute zzz
check "settings: the invalid category's message" grep -q 'unknown category "nope" (valid: ' "$T/pg.err"
rows_equal "settings: mm_user_suppression rows equal" "SELECT user_id, category, muted_at FROM mm_user_suppression"

# interact
D1=$(sqlite3 "$SQ" "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = '$U' ORDER BY seq LIMIT 1")
D2=$(sqlite3 "$SQ" "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = '$U2' ORDER BY seq LIMIT 1")
both "interact: viewed" interact --delivery "$D1" --action viewed --now 2025-10-27T10:00:00Z
both "interact: clicked, another user's" interact --delivery "$D2" --action clicked --now 2025-10-27T10:00:01Z
both "interact: an unknown delivery" interact --delivery no-such-id --action dismissed
check "interact: the unknown delivery's message" grep -q 'error: no delivery with id "no-such-id"' "$T/pg.err"
rows_equal "interact: mm_nudge_interaction_log rows equal" \
    "SELECT interaction_id, delivery_id, user_id, action, timestamp FROM mm_nudge_interaction_log"

# a database without the schema: a read needs it, a change makes it
EMPTY_SQ=$T/empty.db; : >"$EMPTY_SQ"
EMPTY=$(pg_fresh empty)
"$MMR" feed --db "$EMPTY_SQ" --user u1 >"$T/sq.out" 2>"$T/sq.err"; echo $? >>"$T/sq.out"
"$MMR" feed --db "$EMPTY" --user u1 >"$T/pg.out" 2>"$T/pg.err"; echo $? >>"$T/pg.out"
same "no schema: feed fails alike" "$T/sq.out" "$T/pg.out"
check "no schema: the message names the database" grep -qF "$EMPTY: error: the database has no mmr schema" "$T/pg.err"
check "no schema: a read made nothing" [ "$(pg_psql empty -At -c "SELECT to_regclass('mm_schema_version') IS NULL")" = t ]
"$MMR" settings --db "$T/new.db" --user u1 --mute goal --now $NOW >"$T/sq.out" 2>&1
"$MMR" settings --db "$EMPTY" --user u1 --mute goal --now $NOW >"$T/pg.out" 2>&1
same "no schema: a change makes it, as on SQLite" "$T/sq.out" "$T/pg.out"

# a read-only database: reads work, a change fails and writes nothing
RO=$(pg_fresh ro)
"$MMR" settings --db "$RO" --user u1 --mute goal --now $NOW >/dev/null 2>&1
pg_psql ro -c "ALTER DATABASE ro SET default_transaction_read_only = on"
"$MMR" settings --db "$RO" --user u1 >"$T/out" 2>&1
check "read-only: settings show" grep -q '"muted":\["goal"\]' "$T/out"
"$MMR" settings --db "$RO" --user u1 --mute dining >"$T/out" 2>"$T/err"; rc=$?
check "read-only: a change fails (exit 1)" [ $rc -eq 1 ]
check "read-only: says so" grep -q "read-only transaction" "$T/err"
check "read-only: nothing written" [ "$(pg_psql ro -At -c 'SELECT count(*) FROM mm_user_suppression')" = 1 ]
"$MMR" interact --db "$RO" --delivery x --action viewed >/dev/null 2>&1
check "read-only: interact writes nothing" [ "$(pg_psql ro -At -c 'SELECT count(*) FROM mm_nudge_interaction_log')" = 0 ]

# a server that does not answer: the password never shows
for cmd in "feed --user u1" "settings --user u1 --mute dining" "interact --delivery x --action viewed"; do
    $MMR $cmd --db "postgresql://mmr:s3cret@127.0.0.1:1/nope" >/dev/null 2>"$T/err"; rc=$?
    check "no server: ${cmd%% *} exits 1" [ $rc -eq 1 ]
    check "no server: ${cmd%% *} names the database without its password" \
        grep -qF "postgresql://mmr:***@127.0.0.1:1/nope: error: cannot connect to PostgreSQL" "$T/err"
    check "no server: ${cmd%% *} never prints the password" bash -c "! grep -q s3cret '$T/err'"
done

# mmr serve on both: the same HTTP answers
printf 'pg-secret\n' >"$T/secret"
start() {   # start NAME DB: the base URL in B_NAME
    "$MMR" serve --db "$2" --listen 127.0.0.1:0 --jwt-secret-file "$T/secret" --heartbeat-ms 200 2>"$T/$1.serve.err" &
    SRVS+=($!)
    for _ in $(seq 200); do grep -q 'listening on' "$T/$1.serve.err" && break; sleep 0.05; done
    local line; line=$(head -n 1 "$T/$1.serve.err")
    printf -v "B_$1" '%s' "${line##* }"
}
NDEF=$(pg_psql us -At -c "SELECT count(*) FROM mm_nudge_deferred")
start sq "$SQ"; start pg "$URL"
check "serve: PostgreSQL server listening" grep -q "listening on http://" "$T/pg.serve.err"
# the relay releases the fixture's deferrals (due long ago) on both, alike
# but for the time of release
for _ in $(seq 100); do
    [ "$(pg_psql us -At -c 'SELECT count(*) FROM mm_nudge_deferred')" = 0 ] &&
        [ "$(sqlite3 "$SQ" 'SELECT count(*) FROM mm_nudge_deferred')" = 0 ] && break
    sleep 0.1
done
check "relay: the fixture had deferrals ($NDEF)" [ "$NDEF" -gt 0 ]
check "relay: PostgreSQL's deferrals released" [ "$(pg_psql us -At -c 'SELECT count(*) FROM mm_nudge_deferred')" = 0 ]
rows_equal "relay: candidates equal after the release" \
    "SELECT c.as_of, c.user_id, r.name, c.status, coalesce(c.suppression_reason, '') FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id)"
rows_equal "relay: deliveries equal after the release (but delivered_at)" \
    "SELECT d.delivery_id, d.user_id, r.name, d.as_of, d.title, d.body, d.category, d.meta_json FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id)"
rows_equal "relay: one outbox event per delivery" \
    "SELECT d.delivery_id, o.want_redis FROM mm_event_outbox o JOIN mm_nudge_delivery_log d ON d.seq = o.delivery_seq"
mapfile -t TOKS < <($JWT --batch <<EOF
pg-secret $U
pg-secret $U2
EOF
)
TU=${TOKS[0]}; TU2=${TOKS[1]}
# http NAME TOKEN PATH [curl args]: body and status from both servers
http() {
    local name=$1 tok=$2 path=$3; shift 3
    curl -s -w ' %{http_code}\n' -H "Authorization: Bearer $tok" "$@" "$B_sq$path" >"$T/sq.http"
    curl -s -w ' %{http_code}\n' -H "Authorization: Bearer $tok" "$@" "$B_pg$path" >"$T/pg.http"
    [ -n "${HTTP_TS_ASIDE:-}" ] && sed -i 's/"timestamp":"[^"]*"/"timestamp":T/' "$T/sq.http" "$T/pg.http"
    same "serve: $name" "$T/sq.http" "$T/pg.http"
}
http "healthz" "$TU" /healthz
http "feed" "$TU" /v1/moneymoments/feed
http "feed page 1" "$TU" "/v1/moneymoments/feed?limit=1"
NEXT=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read().rsplit(" ",1)[0])["next"] or "")' <"$T/pg.http")
check "serve: page 1 has a next cursor" [ -n "$NEXT" ]
http "feed page 2 by the cursor" "$TU" "/v1/moneymoments/feed?limit=1&before=$NEXT"
http "feed: a bad cursor" "$TU" "/v1/moneymoments/feed?before=zz"
http "settings" "$TU" /v1/moneymoments/settings
http "settings: replace" "$TU" /v1/moneymoments/settings -d '{"muted":["shopping","goal"]}'
http "settings: an invalid category" "$TU" /v1/moneymoments/settings -d '{"muted":["nope"]}'
check "serve: the invalid category is a 400" grep -q ' 400$' "$T/pg.http"
http "settings after" "$TU2" /v1/moneymoments/settings
# interactions: the timestamp is the server's clock, so it is set aside
# (two requests may straddle a second)
ihttp() { HTTP_TS_ASIDE=1 http "$@"; }
ihttp "interaction" "$TU" /v1/moneymoments/interactions -d "{\"delivery_id\":\"$D1\",\"action\":\"dismissed\"}"
same "serve: interaction (timestamp aside)" "$T/sq.http" "$T/pg.http"
check "serve: interaction is a 201" grep -q ' 201$' "$T/pg.http"
http "interaction: another user's delivery" "$TU" /v1/moneymoments/interactions -d "{\"delivery_id\":\"$D2\",\"action\":\"viewed\"}"
check "serve: another user's delivery is a 404" [ "$(tr -d '\n' <"$T/pg.http")" = '{"error":"no delivery with that id"} 404' ]
http "interaction: an unknown delivery" "$TU" /v1/moneymoments/interactions -d '{"delivery_id":"nope","action":"viewed"}'
rows_equal "serve: mm_user_suppression rows equal (but muted_at)" "SELECT user_id, category FROM mm_user_suppression"
rows_equal "serve: mm_nudge_interaction_log rows equal (but timestamp)" \
    "SELECT interaction_id, delivery_id, user_id, action FROM mm_nudge_interaction_log"

# the stream: a replay by Last-Event-ID, then a delivery committed later
for s in sq pg; do
    b=B_$s
    curl -s -N --max-time 1 -H "Authorization: Bearer $TU" -H "Last-Event-ID: $D1" "${!b}/v1/moneymoments/stream" \
        | grep -v '^: heartbeat' >"$T/$s.stream"
done
same "serve: the stream's replay" "$T/sq.stream" "$T/pg.stream"
check "serve: the replay has deliveries" grep -q '^event: nudge' "$T/pg.stream"
curl -s -N --max-time 10 -H "Authorization: Bearer $TU" "$B_pg/v1/moneymoments/stream" >"$T/live.stream" &
LIVE=$!
for _ in $(seq 100); do [ -s "$T/live.stream" ] && break; sleep 0.05; done
pg_psql us -c "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json,
    delivered_at) SELECT 'live-1', '$U', min(rule_id), '2025-10-27', 'Live', 'B', 'dining', '{}', '2025-10-27T10:00:00Z'
    FROM mm_nudge_rule_master; INSERT INTO mm_event_outbox(delivery_seq, want_redis)
    SELECT seq, 0 FROM mm_nudge_delivery_log WHERE delivery_id = 'live-1'"
for _ in $(seq 100); do grep -q '^id: live-1$' "$T/live.stream" && break; sleep 0.05; done
kill $LIVE 2>/dev/null; wait $LIVE 2>/dev/null
check "serve: a committed delivery reaches the open stream" grep -q '^id: live-1$' "$T/live.stream"
check "serve: as the run's event payload" grep -q "^data: {\"type\":\"nudge\",\"delivery_id\":\"live-1\",\"user_id\":\"$U\"" "$T/live.stream"

# serve --redis on PostgreSQL: tests/pg/redis.sh
"$MMR" serve --db "postgresql://mmr:s3cret@127.0.0.1:1/nope" --listen 127.0.0.1:0 --jwt-secret-file "$T/secret" \
    >/dev/null 2>"$T/err"; rc=$?
check "serve, no server: exit 1" [ $rc -eq 1 ]
check "serve, no server: the password blanked" bash -c "grep -qF 'postgresql://mmr:***@127.0.0.1:1/nope' '$T/err' && ! grep -q s3cret '$T/err'"
for p in "${SRVS[@]}"; do kill -TERM "$p"; wait "$p"; rc=$?; check "serve: SIGTERM exits 0" [ $rc -eq 0 ]; done
SRVS=()
check "serve: no sanitizer report in the servers' stderr" bash -c "! grep -qE 'runtime error|Sanitizer' '$T'/*.serve.err"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
