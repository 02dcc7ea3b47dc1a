/* The libmicrohttpd daemon: request bodies, auth, dispatch through the
 * route table, JSON errors; server start and stop. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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

mmr_db *mmr_server_db_take(mmr_server *s, mmr_diags *d)
{
    mmr_db *db = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->npool) db = s->pool[--s->npool];
    pthread_mutex_unlock(&s->lock);
    if (db) return db;
    /* a short busy timeout: a handler answers 503 rather than hold its
     * client for long while `mmr run` commits */
    if (mmr_db_open(&db, s->db_path, MMR_DB_OPEN_RW, MMR_HANDLER_BUSY_MS, d)) return NULL;
    return db;
}

void mmr_server_db_give(mmr_server *s, mmr_db *db)
{
    if (!db) return;
    pthread_mutex_lock(&s->lock);
    if (s->npool < MMR_POOL_MAX) { s->pool[s->npool++] = db; db = NULL; }
    pthread_mutex_unlock(&s->lock);
    mmr_db_close(db);
}

/* per-request state: the body read so far */
typedef struct req_ctx { mmr_buf body; int too_big; } req_ctx;

static enum MHD_Result send_reply(struct MHD_Connection *c, mmr_reply *rp)
{
    struct MHD_Response *r = rp->custom;
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

static void dispatch(mmr_server *s, struct MHD_Connection *c, const char *url, const char *method, req_ctx *rc,
                     mmr_reply *rp)
{
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
    mmr_request rq = { .srv = s, .conn = c, .method = method, .path = url,
                       .body = rc->body.data ? rc->body.data : "", .body_len = rc->body.len };
    char *sub = NULL;
    if (hit->auth != AUTH_NONE) {
        const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        const char *tok = NULL;
        if (h) {
            if (strncmp(h, "Bearer ", 7)) { mmr_reply_error(rp, 401, "Authorization must be \"Bearer <token>\""); return; }
            tok = h + 7;
        } else if (hit->auth == AUTH_HEADER_OR_QUERY) {
            tok = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "access_token");
        }
        if (!tok) { mmr_reply_error(rp, 401, "missing bearer token"); return; }
        const char *why = "bad token";
        if (mmr_auth_verify(s->secret, s->secret_len, tok, (int64_t)time(NULL), &sub, &why)) {
            mmr_reply_error(rp, 401, "%s", why);
            return;
        }
        rq.user = sub;
    }
    hit->fn(&rq, rp);
    free(sub);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    mmr_server *s = cls;
    req_ctx *rc = *con_cls;
    if (!rc) {
        if (!(rc = calloc(1, sizeof *rc))) return MHD_NO;
        mmr_buf_init(&rc->body);
        *con_cls = rc;
        /* refuse a declared large body before reading any of it */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > MMR_BODY_MAX) rc->too_big = 1;
        else return MHD_YES;
    }
    if (*upload_size) {
        if (!rc->too_big && rc->body.len + *upload_size <= MMR_BODY_MAX)
            mmr_buf_append(&rc->body, upload_data, *upload_size);
        else
            rc->too_big = 1;
        *upload_size = 0;
        if (!rc->too_big) return MHD_YES;
    }
    mmr_reply rp = { .status = 500 };
    mmr_buf_init(&rp.body);
    if (rc->too_big) mmr_reply_error(&rp, 413, "request body over %d bytes", MMR_BODY_MAX);
    else if (rc->body.oom) mmr_reply_error(&rp, 503, "out of memory");
    else dispatch(s, c, url, method, rc, &rp);
    if (rp.body.oom) mmr_reply_error(&rp, 503, "out of memory");
    enum MHD_Result q = send_reply(c, &rp);
    mmr_buf_free(&rp.body);
    return q;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    req_ctx *rc = *con_cls;
    if (!rc) return;
    mmr_buf_free(&rc->body);
    free(rc);
    *con_cls = NULL;
}

int mmr_server_start(mmr_server **out, const mmr_server_opts *o, mmr_diags *d)
{
    *out = NULL;
    mmr_server *s = calloc(1, sizeof *s);
    if (!s || !(s->db_path = strdup(o->db_path)) || !(s->secret = malloc(o->secret_len + 1))) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        if (s) { free(s->db_path); free(s); }
        close(o->listen_fd);
        return -1;
    }
    memcpy(s->secret, o->secret, o->secret_len);
    s->secret_len = o->secret_len;
    s->heartbeat_ms = o->heartbeat_ms > 0 ? o->heartbeat_ms : 15000;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    /* the schema must be there (and current) before the first request */
    mmr_db *db = NULL;
    if (mmr_db_open_state(&db, s->db_path, MMR_DB_OPEN_RW, MMR_HANDLER_BUSY_MS, d)) { close(o->listen_fd); mmr_server_stop(s); return -1; }
    mmr_server_db_give(s, db);
    if (mmr_relay_start(s, d)) { close(o->listen_fd); mmr_server_stop(s); return -1; }
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
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
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
    for (int i = 0; i < s->npool; i++) mmr_db_close(s->pool[i]);
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
