/* Redis PUBLISH with deadlines (engine/run.h, docs/engine.md "Redis
 * publishing: deadlines and failures").
 *
 * This file speaks RESP itself over its own non-blocking socket instead of
 * using hiredis' synchronous API, because that API cannot keep a promise
 * about time or signals: its timeout is per read() (a server trickling one
 * byte a second stretches a batch forever), its reader buffers whatever a
 * bulk header announces (2 GB), and it writes with write(), so a server
 * that dies mid-pipeline raises SIGPIPE. Here every wait is a poll()
 * against one deadline (connect + AUTH + SELECT, or one batch of
 * PUBLISHes), writes are send(MSG_NOSIGNAL) (no signal, EPIPE is an error
 * value, no global signal disposition touched), and replies are parsed as
 * the single-line types the commands we send can answer with (+OK, -ERR,
 * :N), so anything else fails at once. Once a connection has failed or
 * timed out it is dead: later calls fail fast with the same reason. */
#include "engine/run.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

/* A reply line longer than this is not an answer to PUBLISH, AUTH or
 * SELECT (Redis itself cuts error texts far shorter). */
enum { MAX_LINE = 64 * 1024, READ_CHUNK = 16 * 1024 };

struct mmr_redis {
    int fd;                  /* -1 once dead */
    char *where;             /* "host:port", for messages */
    mmr_buf out;             /* encoded commands; out.data[sent..] not yet sent */
    size_t sent;
    mmr_buf in;              /* received bytes; in.data[used..] not yet parsed */
    size_t used;
    size_t owed;             /* replies still to read */
    int64_t deadline;        /* CLOCK_MONOTONIC ms: the current phase's end */
    int limit_ms;            /* the length of that deadline, for the message */
    int armed;               /* a batch deadline runs (batch_begin or first append) */
    int connecting;          /* the phase is connect + AUTH + SELECT */
    const char *dead;        /* set once: why every later call fails */
    char why[192];           /* dead reasons built with numbers or errno text */
    char err[256];           /* a server's error reply, cut short safely */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "2 s" or "1500 ms" */
static void fmt_ms(char *b, size_t n, int ms)
{
    if (ms % 1000 == 0) snprintf(b, n, "%d s", ms / 1000);
    else snprintf(b, n, "%d ms", ms);
}

static int die(mmr_redis *r, const char *why)
{
    if (!r->dead) {
        if (why != r->why) snprintf(r->why, sizeof r->why, "%s", why);
        r->dead = r->why;
    }
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    return -1;
}

/* die_lost and die_timeout build their reason in r->why: once dead, the
 * first reason stays (it is what every later call reports). */
static int die_lost(mmr_redis *r, int e)
{
    if (r->dead) return die(r, r->dead);
    snprintf(r->why, sizeof r->why, "connection lost (%s)", strerror(e));
    return die(r, r->why);
}

static int die_timeout(mmr_redis *r)
{
    if (r->dead) return die(r, r->dead);
    char t[32];
    fmt_ms(t, sizeof t, r->limit_ms);
    if (r->connecting) snprintf(r->why, sizeof r->why, "no answer within %s", t);
    else snprintf(r->why, sizeof r->why, "no reply within %s (the batch deadline)", t);
    return die(r, r->why);
}

static void set_deadline(mmr_redis *r, int ms)
{
    r->limit_ms = ms;
    r->deadline = now_ms() + ms;
}

/* One step of progress before the deadline: receive what has come (first,
 * so replies sent before a close are kept), else send what is pending.
 * 0, or -1 dead. */
static int io_step(mmr_redis *r)
{
    int64_t left = r->deadline - now_ms();
    if (left <= 0) return die_timeout(r);
    struct pollfd p = { r->fd, POLLIN, 0 };
    if (r->sent < r->out.len) p.events |= POLLOUT;
    int k = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
    if (k < 0) return errno == EINTR ? 0 : die_lost(r, errno);
    if (k == 0) return die_timeout(r);
    if (p.revents & POLLNVAL) return die(r, "connection lost (bad socket)");
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        if (r->used == r->in.len) r->used = r->in.len = 0;
        else if (r->used > r->in.cap / 2) {
            memmove(r->in.data, r->in.data + r->used, r->in.len - r->used);
            r->in.len -= r->used;
            r->used = 0;
        }
        if (mmr_buf_reserve(&r->in, READ_CHUNK)) return die(r, "out of memory");
        ssize_t g = recv(r->fd, r->in.data + r->in.len, READ_CHUNK, MSG_DONTWAIT);
        if (g == 0) return die(r, "connection closed by the server");
        if (g < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : die_lost(r, errno);
        r->in.len += (size_t)g;
        return 0;
    }
    if (p.revents & POLLOUT) {
        ssize_t w = send(r->fd, r->out.data + r->sent, r->out.len - r->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : die_lost(r, errno);
        r->sent += (size_t)w;
        if (r->sent == r->out.len) { mmr_buf_clear(&r->out); r->sent = 0; }
    }
    return 0;
}

/* The next reply line (without \r\n), sending pending commands as needed.
 * Only +, - and : replies are accepted: a bulk or array (say a header
 * announcing 2 GB) fails at its first byte instead of being buffered. */
static int read_line(mmr_redis *r, const char **line, size_t *n)
{
    for (;;) {
        if (r->dead) return -1;
        size_t avail = r->in.len - r->used;
        if (avail) {    /* (in.data is NULL before the first read) */
            const char *p = r->in.data + r->used;
            if (p[0] != '+' && p[0] != '-' && p[0] != ':') return die(r, "unexpected reply");
            const char *nl = memchr(p, '\n', avail);
            if (nl) {
                if (nl == p || nl[-1] != '\r') return die(r, "unexpected reply");
                *line = p;
                *n = (size_t)(nl - p) - 1;
                r->used += (size_t)(nl - p) + 1;
                r->owed--;
                return 0;
            }
            if (avail > MAX_LINE) return die(r, "unexpected reply");
        }
        if (io_step(r)) return -1;
    }
}

/* Append one command (RESP array of bulk strings) to the output. */
static int append_cmd(mmr_redis *r, int argc, const char *const *argv, const size_t *lens)
{
    if (r->dead) return -1;
    mmr_buf_printf(&r->out, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        mmr_buf_printf(&r->out, "$%zu\r\n", lens[i]);
        mmr_buf_append(&r->out, argv[i], lens[i]);
        mmr_buf_append(&r->out, "\r\n", 2);
    }
    if (r->out.oom) return die(r, "out of memory");
    r->owed++;
    return 0;
}

/* ------------------------------------------------------------------
 * URLs: redis://[[user][:password]@]host[:port][/db] (host a name, an IPv4
 * address or an [IPv6] one) and unix://[[user][:password]@]/path[?db=N];
 * user, password and path percent-decoded. */
typedef struct url_parts {
    char *host, *path, *user, *pass;   /* allocated; host (TCP) or path (unix) */
    int port, db, v6;
    size_t ins;          /* where a password goes in the URL text (url_with_password) */
    const char *ins_pre; /* and what goes before it: ":" then "@", ":" or "" */
} url_parts;

static void free_parts(url_parts *u)
{
    free(u->host); free(u->path); free(u->user); free(u->pass);
    memset(u, 0, sizeof *u);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* s[0..n) percent-decoded into *out (allocated): 0, -1 a bad %XX (or one
 * giving NUL), -2 out of memory */
static int pct_decode(const char *s, size_t n, char **out)
{
    char *o = malloc(n + 1), *w = o;
    if (!o) return -2;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') { *w++ = s[i]; continue; }
        int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi | lo) == 0) { free(o); return -1; }
        *w++ = (char)(hi * 16 + lo);
        i += 2;
    }
    *w = 0;
    *out = o;
    return 0;
}

/* "N" (digits only) in [lo, hi] ending at *end: the value, or -1 */
static long number(const char *p, const char **end, long lo, long hi)
{
    if (*p < '0' || *p > '9') return -1;
    char *e;
    errno = 0;
    long v = strtol(p, &e, 10);
    *end = e;
    return errno || v < lo || v > hi ? -1 : v;
}

/* 0, -1 not a Redis URL, -2 out of memory (nothing left allocated). A
 * user without a password parses; connect refuses it (url_problem). */
static int parse_url(const char *url, url_parts *u)
{
    memset(u, 0, sizeof *u);
    u->port = 6379;
    u->db = -1;
    const char *p = url, *end;
    int unix_sock = 0, rc = -1;
    if (!strncmp(p, "redis://", 8)) p += 8;
    else if (!strncmp(p, "unix://", 7)) { p += 7; unix_sock = 1; }
    const char *auth_end = p + strcspn(p, "/");
    const char *at = NULL;
    for (const char *q = p; q < auth_end; q++) if (*q == '@') at = q;   /* the last '@' */
    if (unix_sock && auth_end > p && at != auth_end - 1) return -1;      /* unix://X/...: X must end in '@' */
    u->ins = (size_t)(p - url);
    u->ins_pre = ":";
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *ue = colon ? colon : at;
        if ((rc = pct_decode(p, (size_t)(ue - p), &u->user)) ||
            (colon && (rc = pct_decode(colon + 1, (size_t)(at - colon - 1), &u->pass))))
            goto bad;
        rc = -1;
        u->ins = (size_t)(at - url);
        u->ins_pre = colon ? "" : ":";
        p = at + 1;
    }
    if (unix_sock) {
        size_t pl = strcspn(p, "?");
        if (pl < 2) goto bad;
        if ((rc = pct_decode(p, pl, &u->path))) goto bad;
        rc = -1;
        if (strlen(u->path) >= sizeof ((struct sockaddr_un *)0)->sun_path) goto bad;
        p += pl;
        if (*p == '?') {
            if (strncmp(p, "?db=", 4) || (u->db = (int)number(p + 4, &end, 0, 1000000)) < 0) goto bad;
            p = end;
        }
        if (!*p) return 0;
        goto bad;
    }
    size_t hl;
    if (*p == '[') {
        hl = strcspn(p + 1, "]");
        if (p[1 + hl] != ']') goto bad;
        if (!(u->host = strndup(p + 1, hl))) goto oom;
        struct in6_addr a6;
        if (inet_pton(AF_INET6, u->host, &a6) != 1) goto bad;
        u->v6 = 1;
        p += hl + 2;
    } else {
        hl = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");
        if (hl == 0) goto bad;
        if (!(u->host = strndup(p, hl))) goto oom;
        p += hl;
    }
    if (*p == ':') {
        if ((u->port = (int)number(p + 1, &end, 1, 65535)) < 0) goto bad;
        p = end;
    }
    if (*p == '/') {
        p++;
        if (*p && (u->db = (int)number(p, &end, 0, 1000000)) < 0) goto bad;
        if (*p) p = end;
    }
    if (!*p) return 0;
    goto bad;
oom:
    rc = -2;
bad:
    free_parts(u);
    return rc;
}

static const char URL_FORMS[] =
    "redis://[[user][:password]@]host[:port][/db] with host a name, IPv4 or [IPv6] address,"
    " or unix://[[user][:password]@]/path/to/socket[?db=N]";

/* Why connect refuses parsed parts, or NULL */
static const char *parts_problem(const url_parts *u)
{
    if (u->user && u->user[0] && !(u->pass && u->pass[0]))
        return "a user name without a password";
    return NULL;
}

int mmr_redis_url_ok(const char *url)
{
    url_parts u;
    if (parse_url(url, &u)) return 0;
    int ok = !parts_problem(&u);
    free_parts(&u);
    return ok;
}

/* url for messages: what lies before its last '@' (ahead of the path) shown as "***" */
static void url_shown(const char *url, char *buf, size_t n)
{
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    const char *e = s + strcspn(s, "/"), *at = NULL;
    for (const char *q = s; q < e; q++) if (*q == '@') at = q;
    if (at) snprintf(buf, n, "%.*s***%s", (int)(s - url), url, at);
    else snprintf(buf, n, "%s", url);
}

int mmr_redis_url_resolve(const char *url, const char *password, char **out, char *why, size_t n)
{
    if (out) *out = NULL;
    char shown[256];
    url_shown(url, shown, sizeof shown);
    url_parts u;
    int rc = parse_url(url, &u);
    if (rc) {
        if (rc == -2) snprintf(why, n, "out of memory");
        else snprintf(why, n, "--redis %s: not a Redis URL (%s)", shown, URL_FORMS);
        return -1;
    }
    int add = password && password[0] && !(u.pass && u.pass[0]);
    if (!add && parts_problem(&u)) {
        snprintf(why, n, "--redis %s: %s (give redis://user:password@host, or set MMR_REDIS_PASSWORD)",
                 shown, parts_problem(&u));
        free_parts(&u);
        return -1;
    }
    size_t at = u.ins;
    const char *pre = u.ins_pre;
    int had_at = u.user != NULL;
    free_parts(&u);
    if (!out) return 0;
    mmr_buf b;
    mmr_buf_init(&b);
    if (add) {
        static const char hex[] = "0123456789ABCDEF";
        mmr_buf_append(&b, url, at);
        mmr_buf_puts(&b, pre);
        for (const unsigned char *c = (const unsigned char *)password; *c; c++) {
            if (isalnum(*c) || strchr("-._~", *c)) mmr_buf_append(&b, (const char *)c, 1);
            else mmr_buf_printf(&b, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
        }
        if (!had_at) mmr_buf_puts(&b, "@");
        mmr_buf_puts(&b, url + at);
    } else mmr_buf_puts(&b, url);
    if (b.oom) { mmr_buf_free(&b); snprintf(why, n, "out of memory"); return -1; }
    *out = mmr_buf_take(&b);
    return 0;
}

/* A server's error reply (the line after '-') into r->err: cut short to
 * fit at a character boundary, control bytes shown as '?' so the message stays one clean line. */
static const char *server_error(mmr_redis *r, const char *line, size_t n)
{
    size_t k = n - 1 < sizeof r->err - 1 ? n - 1 : sizeof r->err - 1;
    /* never cut a UTF-8 character in two */
    while (k < n - 1 && k > 0 && ((unsigned char)line[1 + k] & 0xc0) == 0x80) k--;
    for (size_t i = 0; i < k; i++) {
        unsigned char ch = (unsigned char)line[1 + i];
        r->err[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    r->err[k] = 0;
    if (!k) snprintf(r->err, sizeof r->err, "an error reply without text");
    return r->err;
}

/* One non-blocking connect to sa before r's deadline: 0 (r->fd set), 1
 * refused or failed (the errno in *err, nothing open), or -1 (r dead: the
 * deadline passed). */
static int try_connect(mmr_redis *r, int family, const struct sockaddr *sa, socklen_t len, int *err)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { *err = errno; return 1; }
    if (connect(fd, sa, len) == 0) { r->fd = fd; return 0; }
    if (errno != EINPROGRESS) { *err = errno; close(fd); return 1; }
    r->fd = fd;     /* so a timeout closes it */
    for (;;) {
        int64_t left = r->deadline - now_ms();
        struct pollfd p = { fd, POLLOUT, 0 };
        int k = left <= 0 ? 0 : poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return die_timeout(r);
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el)) e = errno;
        if (!e) return 0;
        *err = e;
        close(fd);
        r->fd = -1;
        return 1;
    }
}

/* TCP connect to host:port before r's deadline, trying each address. */
static int tcp_connect(mmr_redis *r, const char *host, int port)
{
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* name lookup blocks outside the deadline (no portable way around it
     * without a thread); an IP address or /etc/hosts name is immediate */
    int g = getaddrinfo(host, ps, &hints, &ai);
    if (g) {
        snprintf(r->why, sizeof r->why, "%s", g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        return die(r, r->why);
    }
    int last = ECONNREFUSED, k = 1;
    for (struct addrinfo *a = ai; a && k == 1; a = a->ai_next)
        k = try_connect(r, a->ai_family, a->ai_addr, a->ai_addrlen, &last);
    freeaddrinfo(ai);
    if (k < 0) return -1;
    if (k > 0) return die(r, strerror(last));
    int one = 1;
    setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
}

/* Connect to the Unix socket at path (parse_url checked its length). */
static int unix_connect(mmr_redis *r, const char *path)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path) + 1);
    int err = 0, k = try_connect(r, AF_UNIX, (const struct sockaddr *)&a, sizeof a, &err);
    return k > 0 ? die(r, strerror(err)) : k;
}

/* The answer to AUTH or SELECT: 0 (+OK), else -1 with the server's error
 * in r->err (cut short if long) or r->dead set. */
static int status_reply(mmr_redis *r)
{
    const char *line;
    size_t n;
    if (read_line(r, &line, &n)) return -1;
    if (line[0] == '+') return 0;
    if (line[0] == '-') { server_error(r, line, n); return -1; }
    return die(r, "unexpected reply");
}

int mmr_redis_connect_within(mmr_redis **out, const char *url, int timeout_ms, mmr_diags *d)
{
    *out = NULL;
    url_parts u;
    int pr = parse_url(url, &u);
    const char *problem = pr ? NULL : parts_problem(&u);
    if (pr == -1 || problem) {
        char shown[256];
        url_shown(url, shown, sizeof shown);
        if (problem) mmr_diag_add(d, MMR_SEV_ERROR, "redis", 0, 0, "--redis %s: %s", shown, problem);
        else mmr_diag_add(d, MMR_SEV_ERROR, "redis", 0, 0, "--redis %s: not a Redis URL (%s)", shown, URL_FORMS);
        free_parts(&u);
        return -1;
    }
    if (timeout_ms <= 0) timeout_ms = MMR_REDIS_CONNECT_MS;
    mmr_redis *r = pr ? NULL : calloc(1, sizeof *r);
    mmr_buf w;
    mmr_buf_init(&w);
    /* where, for messages: never the user or password */
    if (u.path) mmr_buf_puts(&w, u.path);
    else mmr_buf_printf(&w, u.v6 ? "[%s]:%d" : "%s:%d", u.host, u.port);
    if (!r || w.oom) {
        mmr_diag_add(d, MMR_SEV_ERROR, "redis", 0, 0, "out of memory");
        free(r); mmr_buf_free(&w); free_parts(&u);
        return -1;
    }
    r->fd = -1;
    r->where = mmr_buf_take(&w);
    r->connecting = 1;
    set_deadline(r, timeout_ms);
    /* one deadline over connect, AUTH and SELECT (pipelined) */
    int rc = u.path ? unix_connect(r, u.path) : tcp_connect(r, u.host, u.port);
    int auth = u.pass && u.pass[0];
    if (!rc && auth) {
        /* AUTH user password (an ACL user), or AUTH password (the default user) */
        int acl = u.user && u.user[0];
        const char *argv[3] = { "AUTH", acl ? u.user : u.pass, u.pass };
        size_t lens[3] = { 4, strlen(argv[1]), strlen(u.pass) };
        rc = append_cmd(r, acl ? 3 : 2, argv, lens);
    }
    char dbs[16];
    if (!rc && u.db >= 0) {
        snprintf(dbs, sizeof dbs, "%d", u.db);
        const char *argv[2] = { "SELECT", dbs };
        size_t lens[2] = { 6, strlen(dbs) };
        rc = append_cmd(r, 2, argv, lens);
    }
    for (int step = !auth; !rc && r->owed; step++) {   /* 0 AUTH, 1 SELECT */
        if (status_reply(r)) {
            if (!r->dead)
                mmr_diag_add(d, MMR_SEV_WARNING, "redis", 0, 0, "redis %s: %s failed: %s", r->where,
                             step == 0 ? "AUTH" : "SELECT", r->err);
            rc = -1;
        }
    }
    if (rc && r->dead)
        mmr_diag_add(d, MMR_SEV_WARNING, "redis", 0, 0, "cannot connect to redis %s: %s", r->where, r->dead);
    free_parts(&u);
    if (rc) { mmr_redis_close(r); return -1; }
    r->connecting = 0;
    *out = r;
    return 0;
}

int mmr_redis_connect(mmr_redis **out, const char *url, mmr_diags *d)
{
    return mmr_redis_connect_within(out, url, MMR_REDIS_CONNECT_MS, d);
}

void mmr_redis_batch_begin(mmr_redis *r, int timeout_ms)
{
    if (!r || r->dead) return;
    set_deadline(r, timeout_ms > 0 ? timeout_ms : MMR_REDIS_BATCH_MS);
    r->armed = 1;
}

int mmr_redis_append(mmr_redis *r, const char *channel, size_t chlen,
                     const char *msg, size_t len)
{
    if (!r || r->dead) return -1;
    /* a batch begun without mmr_redis_batch_begin still has a deadline */
    if (!r->armed) mmr_redis_batch_begin(r, MMR_REDIS_BATCH_MS);
    const char *argv[3] = { "PUBLISH", channel, msg };
    size_t lens[3] = { 7, chlen, len };
    return append_cmd(r, 3, argv, lens);
}

int mmr_redis_reply(mmr_redis *r, const char **why)
{
    if (!r) { *why = "not connected"; return -1; }
    if (r->dead) { *why = r->dead; return -1; }
    if (!r->owed) { *why = "no command is waiting for a reply"; return -1; }
    const char *line;
    size_t n;
    int rc = read_line(r, &line, &n);
    if (!r->owed) r->armed = 0;     /* the batch is over */
    if (rc) { *why = r->dead; return -1; }
    if (line[0] == ':') return 0;
    if (line[0] == '-') {
        /* the server refused this PUBLISH; the connection itself is fine */
        *why = server_error(r, line, n);
        return -1;
    }
    die(r, "unexpected reply");
    *why = r->dead;
    return -1;
}

int mmr_redis_publish(mmr_redis *r, const char *channel, size_t chlen,
                      const char *msg, size_t len, const char **why)
{
    if (mmr_redis_append(r, channel, chlen, msg, len)) {
        *why = r && r->dead ? r->dead : "not connected";
        return -1;
    }
    return mmr_redis_reply(r, why);
}

void mmr_redis_close(mmr_redis *r)
{
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    mmr_buf_free(&r->out);
    mmr_buf_free(&r->in);
    free(r->where);
    free(r);
}
