# A throwaway PostgreSQL cluster for the tests, on a free loopback port.
# Source it, then:
#   pg_start        initdb + start (trust auth on 127.0.0.1, fsync off: only
#                   the mmr process is ever killed in tests, never the server);
#                   exports PGHOST PGPORT PGUSER (libpq reads them) and MMR_PG_BASE
#   pg_fresh NAME   drops and creates database NAME, prints its URL
#   pg_psql DB ...  psql -X -q -v ON_ERROR_STOP=1 on database DB
#   pg_stop         stops the server and removes the cluster (also on EXIT)
#   pg_dump_sqlite FILE, pg_dump_pg DB
#                   the rows a run leaves (candidates, deliveries, deferrals),
#                   sorted, printed alike by both stores
# pg_start fails (status 1, a line on stderr) where PostgreSQL is not
# installed: the caller reports a skip, so a machine without it still runs
# the SQLite suite.

pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

pg_free_port() {
    python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# Runs a server binary as a user PostgreSQL accepts (it refuses root).
pg_as() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    PG_BIN=$(pg_bindir) || { echo "pg: PostgreSQL server not installed" >&2; return 1; }
    PG_DIR=$(mktemp -d /tmp/mmr-pg.XXXXXX)
    chmod 755 "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
    PGPORT=$(pg_free_port)
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U mmr --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$PG_DIR/initdb.log" 2>&1; then
        echo "pg: initdb failed:" >&2; cat "$PG_DIR/initdb.log" >&2; return 1
    fi
    if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-h 127.0.0.1 -p $PGPORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null 2>&1; then
        echo "pg: the server did not start:" >&2; cat "$PG_DIR/server.log" >&2; return 1
    fi
    export PGHOST=127.0.0.1 PGPORT PGUSER=mmr PGDATABASE=postgres
    export MMR_PG_BASE="postgresql://mmr@127.0.0.1:$PGPORT"
    trap pg_stop EXIT
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
    PG_DIR=
}

pg_psql() {
    local db=$1; shift
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

pg_fresh() {
    "$PG_BIN/dropdb" --if-exists "$1" >/dev/null 2>&1
    "$PG_BIN/createdb" -T template0 -E UTF8 "$1" || return 1
    echo "$MMR_PG_BASE/$1"
}

PG_CANDS_SQL="SELECT c.as_of, c.user_id, r.name, c.rule_key, c.status, coalesce(c.suppression_reason, ''), c.priority
  FROM mm_nudge_candidate c JOIN mm_nudge_rule_master r USING (rule_id)"
PG_DELIV_SQL="SELECT d.delivery_id, d.user_id, r.name, d.rule_key, d.as_of, d.title, d.body, d.category, d.meta_json, d.delivered_at
  FROM mm_nudge_delivery_log d JOIN mm_nudge_rule_master r USING (rule_id)"
PG_DEFER_SQL="SELECT f.as_of, f.user_id, r.name, f.rule_key, f.deliver_at, f.title, f.body, f.category, f.meta_json, f.cap_max, f.cap_window_s
  FROM mm_nudge_deferred f JOIN mm_nudge_rule_master r USING (rule_id)"
pg_dump_sqlite() { for q in "$PG_CANDS_SQL" "$PG_DELIV_SQL" "$PG_DEFER_SQL"; do sqlite3 -separator '|' "$1" "$q" | LC_ALL=C sort; echo ---; done; }
pg_dump_pg()     { for q in "$PG_CANDS_SQL" "$PG_DELIV_SQL" "$PG_DEFER_SQL"; do pg_psql "$1" -At -F '|' -c "$q" | LC_ALL=C sort; echo ---; done; }
