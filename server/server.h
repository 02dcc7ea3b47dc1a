/* `mmr serve`: the HTTP API, the SSE stream and the relay over one state
 * database (docs/serve.md). The route table in server/routes.c drives
 * dispatch, auth and the routes list of `mmr serve --help`. */
#ifndef MMR_SERVER_H
#define MMR_SERVER_H
#include <stddef.h>
#include <stdio.h>
#include "util/buf.h"
#include "util/diag.h"

typedef struct mmr_server mmr_server;

typedef struct mmr_server_opts {
    const char *db_path;
    int listen_fd;              /* a bound, listening socket; the server owns it from start on */
    const unsigned char *secret; /* the HS256 key (copied) */
    size_t secret_len;
    int heartbeat_ms;           /* <= 0: 15000 */
    const char *redis_url;      /* NULL: no Redis; else the relay PUBLISHes there too */
    int redis_timeout_ms;       /* the Redis deadlines (<= 0: the defaults) */
    FILE *log;                  /* the relay's warnings (NULL: none) */
} mmr_server_opts;

/* Check the database, start the HTTP daemon and the relay. 0, or -1 with
 * a diagnostic (and the socket closed). */
int  mmr_server_start(mmr_server **out, const mmr_server_opts *o, mmr_diags *d);
/* Close the open streams, stop the relay and the daemon, free. */
void mmr_server_stop(mmr_server *s);

/* The routes, one line each ("  GET  /path  doc"), for --help and docs. */
void mmr_server_routes_help(mmr_buf *b);

#endif
