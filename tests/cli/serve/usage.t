`mmr serve` refuses bad command lines before it listens: no database, no
JWT secret, a bad --listen, --heartbeat-ms, --redis or --redis-timeout (the server itself is tested
by tests/serve/api.sh).

  $ cd "$TESTTMP" && mmr serve
  mmr serve: --db FILE is required
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && mmr serve --db missing.db --jwt-secret-file /dev/null
  mmr serve: --db missing.db: no such file (make one with `mmr run` or `mmr gen --db`)
  [1]
  $ cd "$TESTTMP" && mmr gen --users 2 --db s.db > /dev/null 2>&1
  $ cd "$TESTTMP" && env -u MMR_JWT_SECRET mmr serve --db s.db
  mmr serve: no JWT secret: give --jwt-secret-file FILE or set MMR_JWT_SECRET
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && : > empty && mmr serve --db s.db --jwt-secret-file empty
  mmr serve: no JWT secret: give --jwt-secret-file FILE or set MMR_JWT_SECRET
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --listen 8080
  mmr serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8080
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --heartbeat-ms 0
  mmr serve: --heartbeat-ms must be 10 to 3600000
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --redis http://localhost
  mmr serve: --redis http://localhost: not a Redis URL (redis://[[user][:password]@]host[:port][/db] with host a name, IPv4 or [IPv6] address, or unix://[[user][:password]@]/path/to/socket[?db=N])
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --redis-timeout 0
  mmr serve: --redis-timeout 0: milliseconds 1-3600000
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --redis-timeout 5s
  mmr serve: --redis-timeout 5s: milliseconds 1-3600000
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --redis
  mmr serve: --redis needs a value
  (see `mmr serve --help`)
  [2]
  $ cd "$TESTTMP" && MMR_JWT_SECRET=x mmr serve --db s.db --bogus
  mmr serve: unknown option "--bogus"
  (see `mmr serve --help`)
  [2]

The routes list in --help comes from the route table:

  $ mmr serve --help | sed -n '/^Routes/,$p'
  Routes (token: `Authorization: Bearer <JWT>`, HS256 with sub and exp):
    GET   /healthz                         200 {"status":"ok"}
    GET   /                                the web page
    GET   /app.js                          the web page's script
    GET   /app.css                         the web page's style
    GET   /v1/moneymoments/feed            feed, newest first (?limit=1..200, ?before=CURSOR) (token)
    GET   /v1/moneymoments/settings        muted and valid categories (token)
    POST  /v1/moneymoments/settings        {"muted":[...]} replaces the mutes (token)
    POST  /v1/moneymoments/interactions    {"delivery_id","action"} -> 201 (token)
    GET   /v1/moneymoments/stream          SSE: nudges as delivered (Last-Event-ID replays) (token)
