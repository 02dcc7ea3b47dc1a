#!/usr/bin/env bash
# Per-key rules on PostgreSQL (schema 8, rule_key): three nights of
# tests/cli/run/keyed.mmr give the candidates, deliveries (ids, keys,
# meta_json) and events of the same nights on SQLite; a rerun creates
# nothing; a store of schema 7 with history is migrated, its rows kept
# (rule_key ''), and a keyless rule's cooldown still reads them.
# Needs a PostgreSQL server install (tests/pg/lib.sh); skips without one.
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
source tests/pg/lib.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
if ! pg_start; then echo "pg/keyed: PostgreSQL not installed: skipped"; echo "0 passed, 0 failed"; exit 0; fi
T=$(mktemp -d /tmp/mmr-pgkeyed.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
RULES=tests/cli/run/keyed.mmr
D=tests/cli/run

cands_sql="SELECT c.as_of, c.user_id, r.name, c.rule_key, c.status, coalesce(c.suppression_reason, ''), c.priority
  FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id)"
deliv_sql="SELECT d.delivery_id, d.user_id, r.name, d.rule_key, d.as_of, d.title, d.body, d.category, d.meta_json, d.delivered_at
  FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id)"
dump_sqlite() { for q in "$cands_sql" "$deliv_sql"; do sqlite3 -separator '|' "$1" "$q" | LC_ALL=C sort; echo ---; done; }
dump_pg()     { for q in "$cands_sql" "$deliv_sql"; do pg_psql "$1" -At -F '|' -c "$q" | LC_ALL=C sort; echo ---; done; }

# the schema first (an empty snapshot fails after making it), then the
# three nights' signals as rows
URL=$(pg_fresh k)
$MMR run $RULES --db "$URL" --now 2025-10-26T09:00:00Z >/dev/null 2>&1
check "schema 8" [ "$(pg_psql k -At -c 'SELECT max(version) FROM mm_schema_version')" = 8 ]
python3 - "$D" > "$T/sig.csv" <<'EOF'
import csv, json, sys
w = csv.writer(sys.stdout, lineterminator="\n")
for n in (1, 2, 3):
    for line in open("%s/keyed_d%d.ndjson" % (sys.argv[1], n)):
        r = json.loads(line)
        s = r["signals"]
        w.writerow([r["user_id"], r["as_of"], json.dumps(s["spend"]), json.dumps(s["prev"]), s["total"]])
EOF
pg_psql k -c "COPY mm_signal_daily(user_id, as_of, spend, prev, total) FROM STDIN WITH (FORMAT csv)" < "$T/sig.csv" \
    || bad "loading the signals"

night() {   # night N NOW: the same night on both stores
    $MMR run $RULES --db "$URL" --as-of "2025-10-2$((5 + $1))" --now "$2" > "$T/pg$1.ndjson" 2>"$T/pg$1.err" \
        || { bad "PostgreSQL night $1"; cat "$T/pg$1.err"; }
    $MMR run $RULES --db "$T/s.db" --signals "$D/keyed_d$1.ndjson" --now "$2" > "$T/sq$1.ndjson" 2>/dev/null \
        || bad "SQLite night $1"
    check "night $1: the same events" cmp -s "$T/pg$1.ndjson" "$T/sq$1.ndjson"
}
night 1 2025-10-26T09:00:00Z
check "night 1: Travel first, with its key" grep -q '"rule":"overspend","key":"Travel"' "$T/pg1.ndjson"
check "night 1: the keyless event has no key" bash -c "grep '\"rule\":\"big_week\"' '$T/pg1.ndjson' | grep -vq '\"key\"'"
check "night 1: Food met the cap" [ "$(pg_psql k -At -c "SELECT status || '/' || suppression_reason FROM mm_nudge_candidate WHERE rule_key = 'Food'")" = suppressed/daily_cap ]
# a rerun of night 1 creates nothing
$MMR run $RULES --db "$URL" --as-of 2025-10-26 --now 2025-10-26T09:30:00Z > "$T/re.ndjson" 2>"$T/re.err"
check "rerun: no events" [ ! -s "$T/re.ndjson" ]
check "rerun: 3 already stored" grep -q "0 candidates, 0 delivered, 0 suppressed, 3 already stored" "$T/re.err"
night 2 2025-10-27T09:00:00Z
check "night 2: Food delivered, Travel cooling down" [ "$(pg_psql k -At -c "SELECT string_agg(rule_key || '=' || status, ',' ORDER BY rule_key) FROM mm_nudge_candidate WHERE as_of = '2025-10-27' AND rule_key <> ''")" = "Food=delivered,Travel=suppressed" ]
night 3 2025-10-28T09:00:00Z
check "night 3: every key cooling down" [ "$(pg_psql k -At -c "SELECT count(*) FROM mm_nudge_candidate WHERE as_of = '2025-10-28' AND suppression_reason = 'cooldown'")" = 3 ]
dump_sqlite "$T/s.db" > "$T/sq.dump"
dump_pg k > "$T/pg.dump"
check "the same candidates and deliveries as SQLite" cmp -s "$T/sq.dump" "$T/pg.dump"
check "a keyed delivery id: uuid5 of user, rule, date, key" [ "$(pg_psql k -At -c "SELECT delivery_id FROM mm_nudge_delivery_log WHERE rule_key = 'Travel'")" = a03c5e7b-3e87-5107-ac77-6745c4ece827 ]

# mmr serve on both stores: the stream carries a keyed delivery's "key"
# (a replay from u1's first delivery, then one delivered while it is open)
printf 'keyed-secret\n' >"$T/secret"
serve_base() {   # serve_base NAME DB: starts a server, prints its base URL
    "$MMR" serve --db "$2" --listen 127.0.0.1:0 --jwt-secret-file "$T/secret" --heartbeat-ms 200 >/dev/null 2>"$T/$1.serve.err" &
    echo $! >"$T/$1.pid"
    for _ in $(seq 200); do grep -q 'listening on' "$T/$1.serve.err" && break; sleep 0.05; done
    local line; line=$(head -n 1 "$T/$1.serve.err"); echo "${line##* }"
}
TOK=$(printf 'keyed-secret u1\n' | python3 tests/serve/jwt.py --batch)
FIRST=$(sqlite3 "$T/s.db" "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = 'u1' ORDER BY seq LIMIT 1")
for s in sq pg; do
    if [ $s = sq ]; then db=$T/s.db; else db=$URL; fi
    base=$(serve_base $s "$db")
    curl -s -N --max-time 1 -H "Authorization: Bearer $TOK" -H "Last-Event-ID: $FIRST" "$base/v1/moneymoments/stream" \
        | grep '^data: ' >"$T/$s.replay"
    kill "$(cat "$T/$s.pid")"; wait "$(cat "$T/$s.pid")" 2>/dev/null
done
check "serve: the replay has u1's later deliveries" [ "$(wc -l <"$T/pg.replay")" -ge 1 ]
check "serve: the same replay on both stores" cmp -s "$T/sq.replay" "$T/pg.replay"
check "serve: a keyed delivery's frame has its key" grep -q '"rule":"overspend","key":"[A-Za-z]*"' "$T/pg.replay"
check "serve: the frame is the run's event" bash -c "grep -h '\"key\"' '$T/sq2.ndjson' '$T/sq3.ndjson' | head -n 1 | sed 's/,\"created_at\".*//' | grep -qF -f - <(sed 's/^data: //' '$T/pg.replay')"

# a store of schema 7: the columns and keys as they were, with history
URL7=$(pg_fresh old)
$MMR run $RULES --db "$URL7" --now 2025-10-26T09:00:00Z >/dev/null 2>&1
pg_psql old -c "COPY mm_signal_daily(user_id, as_of, spend, prev, total) FROM STDIN WITH (FORMAT csv)" < "$T/sig.csv"
$MMR run $RULES --db "$URL7" --as-of 2025-10-26 --now 2025-10-26T09:00:00Z >/dev/null 2>&1
pg_psql old -c "DELETE FROM mm_nudge_candidate WHERE rule_key <> '';
  DELETE FROM mm_event_outbox o USING mm_nudge_delivery_log d WHERE d.seq = o.delivery_seq AND d.rule_key <> '';
  DELETE FROM mm_nudge_delivery_log WHERE rule_key <> '';
  ALTER TABLE mm_nudge_candidate DROP COLUMN rule_key, ADD PRIMARY KEY (as_of, user_id, rule_id);
  ALTER TABLE mm_nudge_deferred DROP COLUMN rule_key, ADD PRIMARY KEY (as_of, user_id, rule_id);
  ALTER TABLE mm_nudge_delivery_log DROP COLUMN rule_key;
  CREATE INDEX mm_nudge_delivery_user ON mm_nudge_delivery_log(user_id, delivered_at, rule_id);
  UPDATE mm_schema_version SET version = 7" || bad "making a schema-7 store"
before=$(pg_psql old -At -c "SELECT delivery_id, user_id, as_of FROM mm_nudge_delivery_log ORDER BY seq; SELECT count(*) FROM mm_nudge_candidate")
$MMR run $RULES --db "$URL7" --as-of 2025-10-27 --now 2025-10-27T09:00:00Z > "$T/old.ndjson" 2>"$T/old.err" \
    || { bad "a run on a schema-7 store"; cat "$T/old.err"; }
check "migrated: versions 7 and 8" [ "$(pg_psql old -At -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM mm_schema_version")" = 7,8 ]
after=$(pg_psql old -At -c "SELECT delivery_id, user_id, as_of FROM mm_nudge_delivery_log WHERE as_of = '2025-10-26' ORDER BY seq; SELECT count(*) FROM mm_nudge_candidate WHERE as_of = '2025-10-26' AND rule_key = ''")
check "migrated: earlier rows kept, keyless" [ "$before" = "$after" ]
check "migrated: the keyless rule still cools down" [ "$(pg_psql old -At -c "SELECT suppression_reason FROM mm_nudge_candidate WHERE as_of = '2025-10-27' AND user_id = 'u3'")" = cooldown ]
check "migrated: the keys of night 2" [ "$(pg_psql old -At -c "SELECT string_agg(rule_key || '=' || status, ',' ORDER BY rule_key) FROM mm_nudge_candidate WHERE as_of = '2025-10-27' AND user_id = 'u1'")" = "Food=suppressed,Travel=delivered" ]
check "migrated: candidate key (as_of, user_id, rule_id, rule_key)" [ "$(pg_psql old -At -c "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(att, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att WHERE i.indrelid = 'mm_nudge_candidate'::regclass AND i.indisprimary")" = as_of,user_id,rule_id,rule_key ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
