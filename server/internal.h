/* What the pieces of the server share (http.c, routes.c, auth.c,
 * stream.c, relay.c). Not for callers outside server/. */
#ifndef MMR_SERVER_INTERNAL_H
#define MMR_SERVER_INTERNAL_H
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdint.h>
#include <microhttpd.h>
#include "server/server.h"
#include "engine/db.h"
#include "store/store.h"
#include "util/strmap.h"

#define MMR_BODY_MAX (64 * 1024)        /* request bodies beyond get 413 */
#define MMR_STREAM_BUF_MAX (64 * 1024)  /* unsent bytes a stream may hold before it is dropped */
#define MMR_POOL_MAX 8
#define MMR_HANDLER_BUSY_MS 2000            /* then 503: a client never waits on `mmr run` long */

typedef struct mmr_stream mmr_stream;

struct mmr_server {
    struct MHD_Daemon *daemon;
    char *db_path;
    int pg;                      /* db_path is a PostgreSQL URL (store/store.h) */
    unsigned char *secret;
    size_t secret_len;
    int heartbeat_ms;
    pthread_mutex_t lock;        /* streams, relay_last, stopping, pool */
    mmr_stream *streams;         /* open streams, a doubly linked list */
    mmr_strmap by_user;          /* user -> the first of that user's streams (their own list) */
    int64_t relay_last;          /* every event <= this went to the streams open then */
    int stopping;
    mmr_store *pool[MMR_POOL_MAX]; /* idle read-write connections for handlers */
    int npool;
    mmr_db *relay_db;            /* the relay's own read-only connection (SQLite) */
    mmr_pg *relay_pg;            /* the same on PostgreSQL */
    sqlite3_stmt *relay_sel;     /* its poll */
    sqlite3_stmt *relay_ver;     /* PRAGMA data_version: poll only after a commit */
    pthread_t relay;
    int relay_started;
    pthread_cond_t wake;         /* the relay's sleep; signalled on stop */
    struct mmr_relay_work *work; /* what the relay writes: deferrals, Redis (relay.c) */
};

/* One reply a handler builds; http.c turns it into the response. */
typedef struct mmr_reply {
    unsigned status;
    const char *ctype;           /* static */
    mmr_buf body;
    const char *static_body;     /* instead of body: static bytes */
    size_t static_len;
    struct MHD_Response *custom; /* instead of both: a ready response (the stream) */
    const char *allow;           /* 405: the Allow header */
} mmr_reply;

/* A header or query argument of a request without a connection */
typedef struct mmr_kv {
    enum MHD_ValueKind kind;     /* MHD_HEADER_KIND or MHD_GET_ARGUMENT_KIND */
    const char *key, *value;
} mmr_kv;

typedef struct mmr_request {
    mmr_server *srv;
    struct MHD_Connection *conn; /* NULL: the values are in kv (mmr_server_handle) */
    const mmr_kv *kv;
    size_t nkv;
    const char *method, *path;
    const char *user;            /* the token's sub, after auth */
    const char *body;
    size_t body_len;
} mmr_request;

typedef void (*mmr_handler)(mmr_request *rq, mmr_reply *rp);

enum { AUTH_NONE, AUTH_HEADER, AUTH_HEADER_OR_QUERY };

typedef struct mmr_route {
    const char *method, *path;
    int auth;
    mmr_handler fn;
    const char *doc;
} mmr_route;

extern const mmr_route mmr_routes[];
extern const size_t mmr_nroutes;

/* reply helpers */
void mmr_reply_error(mmr_reply *rp, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void mmr_reply_json(mmr_reply *rp, unsigned status);   /* body already holds the JSON */
void mmr_reply_free(mmr_reply *rp);                    /* the body and an unsent custom response */

/* A header (MHD_HEADER_KIND) or query argument (MHD_GET_ARGUMENT_KIND)
 * of the request, NULL when absent; keys match without case, as in MHD. */
const char *mmr_request_value(const mmr_request *rq, enum MHD_ValueKind kind, const char *key);

/* Request handling without a connection (fuzz/fuzz_http.c): a server
 * over db_path with neither daemon nor relay (stop it with
 * mmr_server_stop), and one request handled as the daemon's handler
 * does once the body is in, the body arriving in pieces as MHD hands it
 * over. *rp is initialised here; free it with mmr_reply_free. 0, or -1
 * when the daemon would close the connection without an answer. */
int  mmr_server_open_local(mmr_server **out, const char *db_path, const unsigned char *secret, size_t secret_len,
                           mmr_diags *d);
int  mmr_server_handle(mmr_server *s, const char *method, const char *url, const mmr_kv *kv, size_t nkv,
                      const char *const *pieces, const size_t *lens, size_t npieces, mmr_reply *rp);

/* auth.c: verify an HS256 JWT. 0 and *sub (owned) or -1 and why (a
 * constant phrase). now is Unix seconds. */
int mmr_auth_verify(const unsigned char *key, size_t keylen, const char *token, int64_t now, char **sub,
                    const char **why);

/* A database connection for one handler: taken from the pool or opened. */
mmr_store *mmr_server_db_take(mmr_server *s, mmr_diags *d);
void       mmr_server_db_give(mmr_server *s, mmr_store *db);

/* stream.c */
void mmr_stream_open(mmr_request *rq, mmr_reply *rp);
/* Append text to every open stream of user (lock held) and wake them. */
void mmr_streams_push_locked(mmr_server *s, const char *user, const char *text, size_t len);
/* Heartbeats due at now_ms (lock held). */
void mmr_streams_tick_locked(mmr_server *s, int64_t now_ms);
/* End every stream (lock held): they finish and the daemon can stop. */
void mmr_streams_close_locked(mmr_server *s);
/* The SSE frame of one delivery; key: a per-key rule's key ("" or NULL:
 * none), carried as "key" as in the run's events. */
void mmr_sse_frame(mmr_buf *b, const char *delivery_id, const char *user_id, const char *rule, const char *key,
                   const char *title, const char *body, const char *category, const char *created_at);
int64_t mmr_now_ms(void);

/* relay.c */
int  mmr_relay_start(mmr_server *s, const mmr_server_opts *o, mmr_diags *d);
void mmr_relay_stop(mmr_server *s);   /* joins the thread */
void mmr_relay_free(mmr_server *s);   /* closes its connection */
/* Sleep on s->wake for ms (lock held; stop wakes it at once). */
void mmr_relay_sleep_locked(mmr_server *s, int ms);

/* relay_work.c: due deferrals and Redis, on their own thread. */
typedef struct mmr_relay_work mmr_relay_work;
int  mmr_relay_work_start(mmr_server *s, const mmr_server_opts *o, mmr_diags *d);
void mmr_relay_work_stop(mmr_server *s);   /* joins; gives "relay:redis" back */
void mmr_relay_work_free(mmr_server *s);

#endif
