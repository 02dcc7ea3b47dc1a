# A throwaway PostgreSQL cluster for the tests, on a free loopback port.
# Source it, then:
#   pg_start        initdb + start (trust auth on 127.0.0.1, fsync off: only
#                   the mmr process is ever killed in tests, never the server);
#                   exports PGHOST PGPORT PGUSER (libpq reads them) and MMR_PG_BASE
#   pg_fresh NAME   drops and creates database NAME, prints its URL
#   pg_psql DB ...  psql -X -q -v ON_ERROR_STOP=1 on database DB
#   pg_stop         stops the server and removes the cluster (also on EXIT)
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
