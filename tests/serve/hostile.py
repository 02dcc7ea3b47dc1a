#!/usr/bin/env python3
"""The raw-socket half of tests/serve/hostile.sh: hostile and malformed
clients against a running `mmr serve`, each followed by a probe (a normal
GET /healthz and an authorised GET of the feed must answer within 5 s).

hostile.py HOST:PORT DB TOKENS_FILE  (TOKENS_FILE: NAME=TOKEN lines)

Prints one line per assertion, "ok NAME" or "FAIL NAME" with what was
expected and got; hostile.sh counts them."""
import json, socket, sqlite3, sys, threading, time

HOST, PORT = sys.argv[1].rsplit(":", 1)
PORT = int(PORT)
DB = sys.argv[2]
TOK = dict(l.strip().split("=", 1) for l in open(sys.argv[3]) if "=" in l)
LIMIT = 64 * 1024
PROMPT = 5.0           # seconds: a probe slower than this is a hang
lock = threading.Lock()


def report(name, good, expected=None, got=None):
    with lock:
        if good:
            print("ok " + name)
        else:
            print("FAIL " + name)
            if expected is not None:
                print("  expected: %r\n  got:      %r" % (expected, got))
    sys.stdout.flush()


def check(name, expected, got):
    report(name, expected == got, expected, got)


def connect(timeout=PROMPT):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_reply(s, deadline):
    """(status, headers, body) of one response, or None when the
    connection closed first; "timeout" when none came by the deadline."""
    data = b""
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1").split("\r\n")
            status = int(head[0].split(" ")[1])
            hdrs = {}
            for h in head[1:]:
                k, _, v = h.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            if "content-length" in hdrs:
                want = head_end + 4 + int(hdrs["content-length"])
                if len(data) >= want:
                    return status, hdrs, data[head_end + 4:want]
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        s.settimeout(left)
        try:
            r = s.recv(65536)
        except socket.timeout:
            return "timeout"
        except (ConnectionResetError, BrokenPipeError):
            r = b""
        if not r:
            if head_end >= 0:   # no Content-Length: the body ran to the close
                return status, hdrs, data[head_end + 4:]
            return None
        data += r


def exchange(raw, shut=False, timeout=PROMPT):
    s = connect(timeout)
    try:
        try:
            s.sendall(raw)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except (ConnectionResetError, BrokenPipeError):
            pass
        return read_reply(s, time.monotonic() + timeout)
    finally:
        s.close()


def req(method, path, body=b"", headers=(), token=None):
    h = "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" % (method, path)
    if token:
        h += "Authorization: Bearer %s\r\n" % token
    if body or method == "POST":
        h += "Content-Length: %d\r\n" % len(body)
    for x in headers:
        h += x + "\r\n"
    return h.encode("latin-1") + b"\r\n" + body


def status_body(r):
    """"STATUS BODY" of a JSON reply, "STATUS" of another, or what came instead."""
    if r is None or r == "timeout":
        return r
    st, hdrs, body = r
    if hdrs.get("content-type") == "application/json":
        return "%d %s" % (st, body.decode("utf-8", "replace").rstrip("\n"))
    return "%d" % st


def expect(name, raw, want, shut=False):
    check(name, want, status_body(exchange(raw, shut)))


FEED = None


def probe(after):
    """after each case: the server answers a health check and a feed at once"""
    t0 = time.monotonic()
    h = status_body(exchange(req("GET", "/healthz")))
    f = exchange(req("GET", "/v1/moneymoments/feed", token=TOK["u1"]))
    f = (f[0], f[2]) if isinstance(f, tuple) else f
    ms = int((time.monotonic() - t0) * 1000)
    good = h == '200 {"status":"ok"}' and f == FEED
    report("after %s: healthz and feed answer (%d ms)" % (after, ms), good,
           ('200 {"status":"ok"}', FEED), (h, f))


def err(status, msg):
    return "%d %s" % (status, json.dumps({"error": msg}, separators=(",", ":"), ensure_ascii=False))


SETTINGS = "/v1/moneymoments/settings"
FEEDP = "/v1/moneymoments/feed"
STREAM = "/v1/moneymoments/stream"
CATS = '"categories":["budget","dining","goal","shopping","travel"]'


def padded(obj_text, size):
    b = obj_text.encode()
    return b + b" " * (size - len(b))


def chunked(body, size):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def post_chunked(path, body, size, token):
    return (("POST %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer %s\r\n"
             "Transfer-Encoding: chunked\r\n\r\n") % (path, token)).encode() + chunked(body, size)


# ---------------------------------------------------------------- slowloris
slow_results = []


def slowloris(i, raw):
    """one byte every 200 ms, then the reply"""
    try:
        s = connect(60)
        for k in range(len(raw)):
            s.sendall(raw[k:k + 1])
            time.sleep(0.2)
        slow_results.append((i, status_body(read_reply(s, time.monotonic() + PROMPT))))
        s.close()
    except OSError as e:
        slow_results.append((i, "error %s" % e))


def main():
    global FEED
    r = exchange(req("GET", FEEDP, token=TOK["u1"]))
    FEED = (r[0], r[2]) if isinstance(r, tuple) else r
    report("baseline feed is 200", isinstance(r, tuple) and r[0] == 200 and r[2].startswith(b'{"feed":[{'), "200 {...}", r)

    # slow clients run while everything else happens
    slow_get = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    slow_post = req("POST", SETTINGS, b'{"muted":[]}', token=TOK["u3"])
    slow = [threading.Thread(target=slowloris, args=(i, slow_get)) for i in range(20)]
    slow.append(threading.Thread(target=slowloris_post, args=(slow_post,)))
    for t in slow:
        t.start()

    # malformed request lines (libmicrohttpd's own answers: HTML bodies)
    check("request line without URI: closed, no answer", None, exchange(b"GARBAGE\r\n\r\n"))
    check("request line without version", "400", status_body(exchange(b"GET /healthz\r\n\r\n")))
    check("unknown HTTP version", "505", status_body(exchange(b"GET /healthz HTTP/9.9\r\nHost: t\r\n\r\n")))
    check("header line without colon", "400",
          status_body(exchange(b"GET /healthz HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n")))
    check("bare LF line ends", '200 {"status":"ok"}',
          status_body(exchange(b"GET /healthz HTTP/1.1\nHost: t\nConnection: close\n\n")))
    check("Content-Length not a number", "400",
          status_body(exchange(b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 12x\r\n\r\n")))
    check("Content-Length over 2^64", "413",
          status_body(exchange(b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n")))
    probe("malformed request lines")

    # methods
    expect("unknown method", req("BREW", "/healthz"), err(405, "method BREW not allowed on /healthz (allowed: GET)"))
    expect("lower-case method", req("get", "/healthz"), err(405, "method get not allowed on /healthz (allowed: GET)"))
    expect("DELETE on GET+POST path", req("DELETE", SETTINGS, token=TOK["u1"]),
           err(405, "method DELETE not allowed on /v1/moneymoments/settings (allowed: GET, POST)"))
    r = exchange(req("X" * 3000, "/healthz"))
    ok = isinstance(r, tuple) and r[0] == 405 and r[1].get("allow") == "GET" and \
        json.loads(r[2])["error"].startswith("method XXXX")
    report("3000-byte method: 405 with a JSON error", ok, "405 {\"error\":\"method XXX...\"}", r)
    expect("POST to a GET route", req("POST", "/healthz", b"{}"),
           err(405, "method POST not allowed on /healthz (allowed: GET)"))
    probe("bad methods")

    # huge headers, URIs and tokens
    check("70000-byte header", "431", status_body(exchange(
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")))
    check("5000 headers", "431", status_body(exchange(
        b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n")))
    check("40000-byte URI", "414", status_body(exchange(b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")))
    expect("4000-byte token", req("GET", FEEDP, token="e" * 4000), err(401, "malformed token"))
    check("30000-byte token: over the header memory", "431", status_body(exchange(req("GET", FEEDP, token="e" * 30000))))
    expect("token of dots", req("GET", FEEDP, token="...."), err(401, "malformed token"))
    expect("token not base64url", req("GET", FEEDP, token="a*b.c$d.e"), err(401, "malformed token"))
    expect("token header an array", req("GET", FEEDP, token="W10.e30.c2ln"), err(401, "malformed token"))
    expect("token signed with another key", req("GET", FEEDP, token=TOK["wrongkey"]), err(401, "bad token signature"))
    expect("token alg none", req("GET", FEEDP, token=TOK["algnone"]), err(401, "token alg must be HS256"))
    expect("token expired", req("GET", FEEDP, token=TOK["expired"]), err(401, "token expired"))
    expect("token signature cut", req("GET", FEEDP, token=TOK["u1"][:-3]), err(401, "bad token signature"))
    expect("token sub not a user id", req("GET", FEEDP, token=TOK["badsub"]), err(401, "token sub is not a valid user id"))
    r = exchange(req("GET", FEEDP, headers=["authorization: bEARER " + TOK["u1"]]))
    check("scheme and header name in any case", FEED, (r[0], r[2]) if isinstance(r, tuple) else r)
    expect("scheme without a space", req("GET", FEEDP, headers=["Authorization: Bearer" + TOK["u1"]]),
           err(401, 'Authorization must be "Bearer <token>"'))
    expect("empty bearer", req("GET", FEEDP, headers=["Authorization: Bearer "]), err(401, "malformed token"))
    expect("query token only on the stream", req("GET", FEEDP + "?access_token=" + TOK["u1"]),
           err(401, "missing bearer token"))
    probe("huge headers and bad tokens")

    # percent-encoding and UTF-8 in paths, queries and bodies
    expect("bad escape in path", req("GET", "/health%zz"), err(404, "no such path"))
    expect("escaped non-UTF-8 path", req("GET", "/%ff%fe%00"), err(404, "no such path"))
    check("raw non-UTF-8 path", err(404, "no such path"),
          status_body(exchange(b"GET /\xff\xfe\x80 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")))
    expect("bad escapes in query", req("GET", "/healthz?%zz=%f&%=%%"), '200 {"status":"ok"}')
    expect("limit bad escape", req("GET", FEEDP + "?limit=%zz", token=TOK["u1"]),
           err(400, "limit must be a whole number from 1 to 200"))
    expect("limit non-UTF-8", req("GET", FEEDP + "?limit=%ff", token=TOK["u1"]),
           err(400, "limit must be a whole number from 1 to 200"))
    expect("limit huge", req("GET", FEEDP + "?limit=99999999999999999999999", token=TOK["u1"]),
           err(400, "limit must be a whole number from 1 to 200"))
    expect("cursor non-UTF-8", req("GET", FEEDP + "?before=%ff%fe", token=TOK["u1"]),
           err(400, "before is not a cursor this API returned"))
    expect("cursor with NUL", req("GET", FEEDP + "?before=00", token=TOK["u1"]),
           err(400, "before is not a cursor this API returned"))
    r = exchange(req("GET", FEEDP + "?before=ff0aff", token=TOK["u1"]))   # after everything: the first page
    check("cursor of invalid UTF-8 bytes", FEED, (r[0], r[2]) if isinstance(r, tuple) else r)
    expect("body non-UTF-8", req("POST", SETTINGS, b'{"muted":["\xff"]}', token=TOK["u2"]),
           err(400, "malformed JSON body: unable to decode byte 0xff near '\"' (line 1, column 11)"))
    expect("body lone surrogate", req("POST", SETTINGS, b'{"muted":["\\ud800"]}', token=TOK["u2"]),
           err(400, "malformed JSON body: invalid Unicode '\\uD800' near '\"\\ud800\"' (line 1, column 18)"))
    expect("body NUL escape", req("POST", SETTINGS, b'{"muted":["a\\u0000b"]}', token=TOK["u2"]),
           err(400, "malformed JSON body: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"' (line 1, column 20)"))
    expect("unknown field non-ASCII", req("POST", SETTINGS, '{"m\u00fcted":[]}'.encode(), token=TOK["u2"]),
           err(400, "$.m\u00fcted: unknown field"))
    expect("delivery id non-ASCII", req("POST", "/v1/moneymoments/interactions",
                                       '{"delivery_id":"\u00e9\U0001f600","action":"viewed"}'.encode(), token=TOK["u2"]),
           err(404, "no delivery with that id"))
    probe("bad encodings")

    # JSON that is not an object, and deep
    for body in (b"[]", b'"x"', b"3", b"null", b"true"):
        expect("body %s" % body.decode(), req("POST", SETTINGS, body, token=TOK["u2"]), err(400, "the body must be a JSON object"))
    expect("empty body", req("POST", SETTINGS, b"", token=TOK["u2"]),
           err(400, "malformed JSON body: unexpected token near end of file (line 1, column 0)"))
    expect("deep arrays", req("POST", SETTINGS, b'{"muted":' + b"[" * 60000, token=TOK["u2"]),
           err(400, "malformed JSON body: maximum parsing depth reached near '[' (line 1, column 2057)"))
    expect("deep objects", req("POST", SETTINGS, b'{"a":' * 10000 + b"1" + b"}" * 10000, token=TOK["u2"]),
           err(400, "malformed JSON body: maximum parsing depth reached near '{' (line 1, column 10241)"))
    expect("muted of deep arrays", req("POST", SETTINGS, b'{"muted":[' + b"[" * 2000 + b"]" * 2001 + b"}", token=TOK["u2"]),
           err(400, "$.muted[0]: must be a category name (a string)"))
    expect("duplicate key", req("POST", SETTINGS, b'{"muted":[],"muted":[]}', token=TOK["u2"]),
           err(400, "malformed JSON body: duplicate object key near '\"muted\"' (line 1, column 19)"))
    probe("non-object and deep JSON")

    # the body limit
    expect("body 64 KiB + 1", req("POST", SETTINGS, padded('{"muted":["dining"]}', LIMIT + 1), token=TOK["u2"]),
           err(413, "request body over 65536 bytes"))
    expect("body exactly 64 KiB", req("POST", SETTINGS, padded('{"muted":["dining"]}', LIMIT), token=TOK["u2"]),
           '200 {"muted":["dining"],%s}' % CATS)
    expect("chunked 64 KiB + 1", post_chunked(SETTINGS, padded('{"muted":["goal"]}', LIMIT + 1), 0x8000, TOK["u2"]),
           err(413, "request body over 65536 bytes"))
    expect("chunked exactly 64 KiB", post_chunked(SETTINGS, padded('{"muted":["goal"]}', LIMIT), 0x7000, TOK["u2"]),
           '200 {"muted":["goal"],%s}' % CATS)
    expect("chunked 64 KiB + 1 in 4 KiB chunks", post_chunked(SETTINGS, padded("{}", LIMIT + 1), 4096, TOK["u2"]),
           err(413, "request body over 65536 bytes"))
    expect("chunked body on a GET", (b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\n") + chunked(b" " * (LIMIT + 1), 0x8000),
           err(413, "request body over 65536 bytes"))
    check("chunked far over the limit: closed, no answer", None,
          exchange(post_chunked(SETTINGS, b" " * (3 << 20), 0x10000, TOK["u2"])))
    check("chunk size overflowing", "413", status_body(exchange(
        b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffff\r\n")))
    check("bad chunk size", "400", status_body(exchange(
        b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n")))
    expect("two Content-Lengths", req("POST", SETTINGS, b"{}", ["Content-Length: 3"], token=TOK["u2"]),
           err(400, "more than one Content-Length"))
    expect("Content-Length and chunked", req("POST", SETTINGS, b"0\r\n\r\n", ["Transfer-Encoding: chunked"], token=TOK["u2"]),
           err(400, "both Content-Length and Transfer-Encoding"))
    expect("Transfer-Encoding gzip", (b"POST /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                      b"Transfer-Encoding: gzip\r\n\r\n"),
           err(400, "Transfer-Encoding must be chunked"))
    expect("declared 64 KiB + 1, nothing sent", (b"POST /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                                 b"Content-Length: 65537\r\n\r\n"),
           err(413, "request body over 65536 bytes"))
    probe("bodies at and over the limit")

    # half-closed sockets
    expect("whole request, then SHUT_WR", b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", '200 {"status":"ok"}', shut=True)
    expect("POST with its body, then SHUT_WR", req("POST", SETTINGS, b'{"muted":[]}', token=TOK["u2"]),
           '200 {"muted":[],%s}' % CATS, shut=True)
    half = []
    for raw in (b"GET /healthz HTTP/1.1\r\nHost: t\r\n", b"GET /heal",
                req("POST", SETTINGS, b'{"muted":[]}', token=TOK["u2"])[:-5]):
        s = connect()
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        half.append(s)
    for i, s in enumerate(half):   # libmicrohttpd closes such a socket, or keeps it until its timeout
        r = read_reply(s, time.monotonic() + 0.5)
        report("half request %d then SHUT_WR: no answer" % i, r in (None, "timeout"), "closed or silent", r)
    probe("half-closed sockets")
    for s in half:
        s.close()
    s = connect()
    s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n" % (STREAM, TOK["u1"])).encode())
    s.shutdown(socket.SHUT_WR)
    got = b""
    deadline = time.monotonic() + PROMPT
    while b": heartbeat" not in got and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            r = s.recv(4096)
        except socket.timeout:
            break
        if not r:
            break
        got += r
    s.close()
    report("stream after SHUT_WR: retry line and heartbeats", got.startswith(b"HTTP/1.1 200") and
           b"retry: 3000" in got and b": heartbeat" in got, "200, retry: 3000, : heartbeat", got[-200:])
    probe("a half-closed stream")

    # a client that opens a stream and never reads while its events pile up
    never = connect()
    never.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n" % (STREAM, TOK["flood"])).encode())
    time.sleep(0.3)
    db = sqlite3.connect(DB, timeout=10)
    rule = db.execute("SELECT min(rule_id) FROM mm_nudge_rule_master").fetchone()[0]
    n = 3000
    with db:
        db.executemany(
            "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json,"
            " delivered_at) VALUES (?, 'flood', ?, '2025-10-27', ?, 'Body', 'dining', '{}', '2025-10-27T10:00:00Z')",
            [("flood-%05d" % i, rule, "T%d %s" % (i, "x" * 2000)) for i in range(n)])
        db.execute("INSERT INTO mm_event_outbox(delivery_seq, want_redis) SELECT seq, 0 FROM mm_nudge_delivery_log"
                   " WHERE user_id = 'flood' ORDER BY seq")
    db.close()
    for k in range(3):
        time.sleep(0.5)
        probe("a stream that never reads, %d MB of events queued for it (%d)" % (n * 2 // 1000, k))
    # reading now: what was sent before the drop, then the end (64 KiB waited, so it was dropped)
    got = b""
    deadline = time.monotonic() + PROMPT
    ended = False
    while time.monotonic() < deadline:
        never.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            r = never.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            r = b""
        if not r:
            ended = True
            break
        got += r
    never.close()
    report("never-reading stream was dropped (ended, not every event)", ended and b"flood-%05d" % (n - 1) not in got,
           "ended before flood-%05d" % (n - 1), "ended=%s, %d bytes, last id present=%s" %
           (ended, len(got), b"flood-%05d" % (n - 1) in got))

    # 1000 idle connections, 100 idle streams, 100 half-sent requests
    idle = []
    try:
        for i in range(1000):
            idle.append(connect())
        for i in range(100):
            s = connect()
            s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n" % (STREAM, TOK["u1"])).encode())
            idle.append(s)
        for i in range(100):
            s = connect()
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            idle.append(s)
        report("1200 connections opened", True)
    except OSError as e:
        report("1200 connections opened", False, 1200, "%d, then %s" % (len(idle), e))
    time.sleep(0.5)
    probe("1200 idle connections")
    for s in idle:
        s.close()
    probe("1200 idle connections closed")

    for t in slow:
        t.join(30)
    slow_results.sort()
    check("slowloris: 20 GETs at 1 byte / 200 ms all answered",
          [(i, '200 {"status":"ok"}') for i in range(20)], [r for r in slow_results if r[0] < 20])
    check("slowloris: a POST body at 1 byte / 200 ms", [(21, '200 {"muted":[],%s}' % CATS)],
          [r for r in slow_results if r[0] == 21])
    probe("slow clients")


def slowloris_post(raw):
    """the headers at once, the body one byte every 200 ms"""
    head = raw.index(b"\r\n\r\n") + 4
    try:
        s = connect(60)
        s.sendall(raw[:head])
        for k in range(head, len(raw)):
            s.sendall(raw[k:k + 1])
            time.sleep(0.2)
        slow_results.append((21, status_body(read_reply(s, time.monotonic() + PROMPT))))
        s.close()
    except OSError as e:
        slow_results.append((21, "error %s" % e))


main()
