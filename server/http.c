/* The libmicrohttpd daemon: request bodies, auth, dispatch through the
 * route table, JSON errors; server start and stop. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "server/internal.h"

void mmr_reply_error(mmr_reply *rp, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mmr_buf_clear(&rp->body);
    mmr_buf_puts(&rp->body, "{\"error\":");
    mmr_buf clean;   /* the message may quote a request's bytes */
    mmr_buf_init(&clean);
    mmr_buf_utf8(&clean, msg, strlen(msg));
    mmr_buf_json_string(&rp->body, clean.data ? clean.data : "", clean.len);
    mmr_buf_free(&clean);
    mmr_buf_puts(&rp->body, "}\n");
    rp->status = status;
    rp->ctype = "application/json";
}

void mmr_reply_json(mmr_reply *rp, unsigned status)
{
    mmr_buf_putc(&rp->body, '\n');
    rp->status = status;
    rp->ctype = "application/json";
}

int64_t mmr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mmr_store *mmr_server_db_take(mmr_server *s, mmr_diags *d)
{
    mmr_store *db = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->npool) db = s->pool[--s->npool];
    pthread_mutex_unlock(&s->lock);
    if (db) return db;
    /* a short busy timeout: a handler answers 503 rather than hold its
     * client for long while `mmr run` commits */
    if (mmr_store_open(&db, s->db_path, MMR_STORE_OPEN_CHECKED, MMR_HANDLER_BUSY_MS, d)) return NULL;
    return db;
}

void mmr_server_db_give(mmr_server *s, mmr_store *db)
{
    if (!db) return;
    pthread_mutex_lock(&s->lock);
    /* a lost PostgreSQL connection is not pooled: the next take opens one */
    if (s->npool < MMR_POOL_MAX && mmr_store_usable(db)) { s->pool[s->npool++] = db; db = NULL; }
    pthread_mutex_unlock(&s->lock);
    mmr_store_close(db);
}

/* A body over the limit is still read (and dropped) up to this much, so
 * that a chunked one, whose size shows only as it comes, gets its 413;
 * past it the connection is closed without an answer. */
#define BODY_DROP_MAX (1024 * 1024)

/* per-request state: the body read so far, or why the request is refused */
typedef struct req_ctx {
    mmr_buf body;
    int too_big;          /* 413 */
    const char *bad;      /* 400 and this reason (bad framing) */
    size_t dropped;       /* bytes of a too big body read so far */
} req_ctx;

void mmr_reply_free(mmr_reply *rp)
{
    mmr_buf_free(&rp->body);
    if (rp->custom) MHD_destroy_response(rp->custom);
    rp->custom = NULL;
}

const char *mmr_request_value(const mmr_request *rq, enum MHD_ValueKind kind, const char *key)
{
    if (rq->conn) return MHD_lookup_connection_value(rq->conn, kind, key);
    for (size_t i = 0; i < rq->nkv; i++)
        if (rq->kv[i].kind == kind && !strcasecmp(rq->kv[i].key, key)) return rq->kv[i].value;
    return NULL;
}

/* Queues the reply; a custom response is handed over (rp->custom NULL). */
static enum MHD_Result send_reply(struct MHD_Connection *c, mmr_reply *rp)
{
    struct MHD_Response *r = rp->custom;
    rp->custom = NULL;
    if (!r) {
        if (rp->static_body)
            r = MHD_create_response_from_buffer(rp->static_len, (void *)rp->static_body, MHD_RESPMEM_PERSISTENT);
        else
            r = MHD_create_response_from_buffer(rp->body.len, rp->body.data ? rp->body.data : (void *)"",
                                                MHD_RESPMEM_MUST_COPY);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, "Content-Type", rp->ctype ? rp->ctype : "application/json");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        if (rp->allow) MHD_add_response_header(r, "Allow", rp->allow);
    }
    enum MHD_Result q = MHD_queue_response(c, rp->status, r);
    MHD_destroy_response(r);
    return q;
}

/* The route, auth and handler of a request whose body is in rq. */
static void dispatch(mmr_request *rq, mmr_reply *rp)
{
    const char *url = rq->path, *method = rq->method;
    const mmr_route *hit = NULL;
    int get = 0, post = 0;
    for (size_t i = 0; i < mmr_nroutes; i++) {
        if (strcmp(mmr_routes[i].path, url)) continue;
        if (!strcmp(mmr_routes[i].method, "GET")) get = 1; else post = 1;
        if (!strcmp(mmr_routes[i].method, method)) hit = &mmr_routes[i];
    }
    if (!hit) {
        if (get || post) {
            rp->allow = get && post ? "GET, POST" : get ? "GET" : "POST";
            mmr_reply_error(rp, 405, "method %s not allowed on %s (allowed: %s)", method, url, rp->allow);
        } else {
            mmr_reply_error(rp, 404, "no such path");
        }
        return;
    }
    char *sub = NULL;
    if (hit->auth != AUTH_NONE) {
        const char *h = mmr_request_value(rq, MHD_HEADER_KIND, "Authorization");
        const char *tok = NULL;
        if (h) {
            if (strncasecmp(h, "Bearer ", 7)) {   /* the scheme in any case (RFC 9110 11.1) */
                mmr_reply_error(rp, 401, "Authorization must be \"Bearer <token>\"");
                return;
            }
            tok = h + 7;
        } else if (hit->auth == AUTH_HEADER_OR_QUERY) {
            tok = mmr_request_value(rq, MHD_GET_ARGUMENT_KIND, "access_token");
        }
        if (!tok) { mmr_reply_error(rp, 401, "missing bearer token"); return; }
        const char *why = "bad token";
        if (mmr_auth_verify(rq->srv->secret, rq->srv->secret_len, tok, (int64_t)time(NULL), &sub, &why)) {
            mmr_reply_error(rp, 401, "%s", why);
            return;
        }
        rq->user = sub;
    }
    hit->fn(rq, rp);
    rq->user = NULL;
    free(sub);
}

typedef struct key_count { const char *key; size_t n; } key_count;

static enum MHD_Result count_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    key_count *kc = cls;
    if (key && !strcasecmp(key, kc->key)) kc->n++;
    return MHD_YES;
}

/* How many headers named key the request has. */
static size_t header_count(const mmr_request *rq, const char *key)
{
    if (rq->conn) {
        key_count kc = { key, 0 };
        MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, count_key, &kc);
        return kc.n;
    }
    size_t n = 0;
    for (size_t i = 0; i < rq->nkv; i++) n += rq->kv[i].kind == MHD_HEADER_KIND && !strcasecmp(rq->kv[i].key, key);
    return n;
}

/* The three steps of a request, shared by the daemon's handler and
 * mmr_server_handle. First, before any of the body is read: 1 when the
 * reply is due at once, for a declared body over the limit (413) or a
 * body whose length is ambiguous (400: libmicrohttpd would pick one
 * reading, a proxy in front may pick another). */
static int request_begin(const mmr_request *rq, req_ctx *rc)
{
    const char *cl = mmr_request_value(rq, MHD_HEADER_KIND, "Content-Length");
    const char *te = mmr_request_value(rq, MHD_HEADER_KIND, "Transfer-Encoding");
    if (header_count(rq, "Content-Length") > 1) rc->bad = "more than one Content-Length";
    else if (header_count(rq, "Transfer-Encoding") > 1 || (te && strcasecmp(te, "chunked")))
        rc->bad = "Transfer-Encoding must be chunked";
    else if (te && cl) rc->bad = "both Content-Length and Transfer-Encoding";
    else if (cl && strtoull(cl, NULL, 10) > MMR_BODY_MAX) rc->too_big = 1;
    return rc->too_big || rc->bad;
}

/* A piece of the body: 0, or -1 when the connection is to be closed
 * without an answer (a body far over the limit). */
static int request_body(req_ctx *rc, const char *data, size_t n)
{
    if (!rc->too_big && rc->body.len + n <= MMR_BODY_MAX) {
        mmr_buf_append(&rc->body, data, n);
        return 0;
    }
    if (!rc->too_big) {
        rc->too_big = 1;
        rc->dropped = rc->body.len;
        mmr_buf_free(&rc->body);
        mmr_buf_init(&rc->body);
    }
    rc->dropped += n;
    return rc->dropped > BODY_DROP_MAX ? -1 : 0;
}

/* The reply, into a fresh *rp. */
static void request_reply(mmr_request *rq, req_ctx *rc, mmr_reply *rp)
{
    *rp = (mmr_reply){ .status = 500 };
    mmr_buf_init(&rp->body);
    if (rc->bad) mmr_reply_error(rp, 400, "%s", rc->bad);
    else if (rc->too_big) mmr_reply_error(rp, 413, "request body over %d bytes", MMR_BODY_MAX);
    else if (rc->body.oom) mmr_reply_error(rp, 503, "out of memory");
    else {
        rq->body = rc->body.data ? rc->body.data : "";
        rq->body_len = rc->body.len;
        dispatch(rq, rp);
    }
    if (rp->body.oom) mmr_reply_error(rp, 503, "out of memory");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    mmr_request rq = { .srv = cls, .conn = c, .method = method, .path = url };
    req_ctx *rc = *con_cls;
    if (!rc) {
        if (!(rc = calloc(1, sizeof *rc))) return MHD_NO;
        mmr_buf_init(&rc->body);
        *con_cls = rc;
        if (!request_begin(&rq, rc)) return MHD_YES;
    } else if (*upload_size) {
        /* libmicrohttpd takes a reply only before the body or after all of it */
        int drop = request_body(rc, upload_data, *upload_size);
        *upload_size = 0;
        return drop ? MHD_NO : MHD_YES;
    }
    mmr_reply rp;
    request_reply(&rq, rc, &rp);
    enum MHD_Result q = send_reply(c, &rp);
    mmr_reply_free(&rp);
    return q;
}

int mmr_server_handle(mmr_server *s, const char *method, const char *url, const mmr_kv *kv, size_t nkv,
                      const char *const *pieces, const size_t *lens, size_t npieces, mmr_reply *rp)
{
    mmr_request rq = { .srv = s, .kv = kv, .nkv = nkv, .method = method, .path = url };
    req_ctx rc = {0};
    mmr_buf_init(&rc.body);
    int drop = 0;
    if (!request_begin(&rq, &rc))
        for (size_t i = 0; i < npieces && !drop; i++)
            if (lens[i]) drop = request_body(&rc, pieces[i], lens[i]);
    if (drop) {
        *rp = (mmr_reply){ .status = 0 };
        mmr_buf_init(&rp->body);
    } else {
        request_reply(&rq, &rc, rp);
    }
    mmr_buf_free(&rc.body);
    return drop;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    req_ctx *rc = *con_cls;
    if (!rc) return;
    mmr_buf_free(&rc->body);
    free(rc);
    *con_cls = NULL;
}

/* The server without its daemon and relay: the settings and a checked database. */
static mmr_server *server_new(const char *db_path, const unsigned char *secret, size_t secret_len, int heartbeat_ms,
                              mmr_diags *d)
{
    mmr_server *s = calloc(1, sizeof *s);
    if (!s || !(s->db_path = strdup(db_path)) || !(s->secret = malloc(secret_len + 1))) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        if (s) { free(s->db_path); free(s); }
        return NULL;
    }
    memcpy(s->secret, secret, secret_len);
    s->secret_len = secret_len;
    s->heartbeat_ms = heartbeat_ms > 0 ? heartbeat_ms : 15000;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    /* the schema must be there (and current) before the first request */
    s->pg = mmr_pg_is_url(db_path);
    mmr_store *db = NULL;
    if (mmr_store_open(&db, s->db_path, MMR_STORE_OPEN_RW, MMR_HANDLER_BUSY_MS, d)) { mmr_server_stop(s); return NULL; }
    mmr_server_db_give(s, db);
    return s;
}

int mmr_server_open_local(mmr_server **out, const char *db_path, const unsigned char *secret, size_t secret_len,
                          mmr_diags *d)
{
    *out = server_new(db_path, secret, secret_len, 0, d);
    return *out ? 0 : -1;
}

int mmr_server_start(mmr_server **out, const mmr_server_opts *o, mmr_diags *d)
{
    *out = NULL;
    mmr_server *s = server_new(o->db_path, o->secret, o->secret_len, o->heartbeat_ms, d);
    if (!s) { close(o->listen_fd); return -1; }
    if (mmr_relay_start(s, o, d)) { close(o->listen_fd); mmr_server_stop(s); return -1; }
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                                 MHD_USE_ITC,  /* no MHD log: a client leaving a stream is normal */
                                 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_LISTEN_SOCKET, (MHD_socket)o->listen_fd,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
                                 /* a handler waiting on the database must not stall the rest */
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)20000,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)0,
                                 /* idle longer than this is closed; streams send a heartbeat sooner */
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(s->heartbeat_ms / 1000 + 30),
                                 /* per connection, so per open stream: request heads up
                                  * to ~7 KB pass (more: 431); 32 KiB cost ~26 KB of
                                  * RSS a stream, 8 KiB ~14 KB (docs/performance.md) */
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(8 * 1024),
                                 MHD_OPTION_END);
    if (!s->daemon) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "cannot start the HTTP server");
        close(o->listen_fd);
        mmr_server_stop(s);
        return -1;
    }
    *out = s;
    return 0;
}

void mmr_server_stop(mmr_server *s)
{
    if (!s) return;
    mmr_relay_stop(s);
    if (s->daemon) {
        /* suspended streams must be resumed before the daemon stops */
        pthread_mutex_lock(&s->lock);
        s->stopping = 1;
        mmr_streams_close_locked(s);
        pthread_mutex_unlock(&s->lock);
        MHD_socket lfd = MHD_quiesce_daemon(s->daemon);   /* no new connections */
        if (lfd != MHD_INVALID_SOCKET) close(lfd);
        /* give the ended streams a moment to flush their last bytes */
        for (int i = 0; i < 50; i++) {
            pthread_mutex_lock(&s->lock);
            int open = s->streams != NULL;
            pthread_mutex_unlock(&s->lock);
            if (!open) break;
            usleep(10000);
        }
        MHD_stop_daemon(s->daemon);
    }
    mmr_relay_free(s);
    for (int i = 0; i < s->npool; i++) mmr_store_close(s->pool[i]);
    mmr_strmap_free(&s->by_user);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s->db_path);
    free(s->secret);
    free(s);
}

void mmr_server_routes_help(mmr_buf *b)
{
    for (size_t i = 0; i < mmr_nroutes; i++)
        mmr_buf_printf(b, "  %-5s %-32s %s%s\n", mmr_routes[i].method, mmr_routes[i].path, mmr_routes[i].doc,
                       mmr_routes[i].auth == AUTH_NONE ? "" : " (token)");
}
