/* mmr serve — the HTTP API, SSE stream and relay over a state database
 * (docs/serve.md). */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "cli/cli.h"
#include "server/server.h"
#include "store/pg.h"
#include "engine/run.h"
#include "util/buf.h"

static const char help_head[] =
"usage: mmr serve --db FILE [--listen HOST:PORT] [--redis URL] [--jwt-secret-file FILE]\n"
"                 [--redis-timeout MS] [--heartbeat-ms N]\n"
"\n"
"Serves the MoneyMoments API, the SSE stream and the web page over the state\n"
"database of `mmr run` (which may run at the same time). A relay inside the\n"
"server sends every delivery `mmr run` commits to its user's open streams.\n"
"\n"
"  --db FILE               the state database (must exist: `mmr run` or `mmr gen --db`),\n"
"                          or postgresql://[user@]host[:port]/dbname (docs/scale.md)\n"
"  --listen HOST:PORT      default 127.0.0.1:8080; port 0 picks a free one\n"
"  --redis URL             also PUBLISH each event to mm:nudges:<user_id>:\n"
"                          redis://[[user][:password]@]host[:port][/db] (host a\n"
"                          name, IPv4 or [IPv6]) or unix://[[user][:password]@]/PATH\n"
"                          [?db=N]; no password in the URL: MMR_REDIS_PASSWORD,\n"
"                          else REDISCLI_AUTH. The relay sends\n"
"                          what waits for Redis (a run's events, while the server\n"
"                          runs even a run without --redis; those left when Redis\n"
"                          was down; released deferrals), each exactly once\n"
"  --redis-timeout MS      the Redis deadline for connecting (default 2000) and\n"
"                          for each batch of PUBLISHes (default 10000)\n"
"  --jwt-secret-file FILE  the HS256 key of the bearer tokens (else the\n"
"                          environment variable MMR_JWT_SECRET; one is required)\n"
"  --heartbeat-ms N        a comment line on idle streams every N ms (default 15000)\n"
"\n"
"The relay also releases deliveries deferred by quiet hours when they fall\n"
"due (checking mutes, cooldown and the cap again).\n"
"\n"
"When ready it prints `mmr serve: listening on http://HOST:PORT` on stderr.\n"
"SIGTERM or SIGINT closes the streams and exits 0.\n"
"\n"
"Routes (token: `Authorization: Bearer <JWT>`, HS256 with sub and exp):\n";

static int listen_on(const char *spec, char *shown, size_t shown_len)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) return -2;
    char host[256];
    size_t hl = (size_t)(colon - spec);
    if (hl >= sizeof host) return -2;
    memcpy(host, spec, hl);
    host[hl] = 0;
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') { memmove(host, host + 1, hl - 2); host[hl - 2] = 0; }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return -2;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &ai) || !ai) return -3;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024)) {
        int e = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        errno = e;
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char addr[INET6_ADDRSTRLEN] = "?";
    int p = 0;
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof addr);
        p = ntohs(a->sin6_port);
        snprintf(shown, shown_len, "[%s]:%d", addr, p);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, addr, sizeof addr);
        p = ntohs(a->sin_port);
        snprintf(shown, shown_len, "%s:%d", addr, p);
    }
    freeaddrinfo(ai);
    return fd;
}

int cmd_serve(int argc, char **argv)
{
    mmr_buf h;
    mmr_buf_init(&h);
    mmr_buf_puts(&h, help_head);
    mmr_server_routes_help(&h);
    int asked = cli_help_requested(argc, argv, h.data ? h.data : help_head);
    mmr_buf_free(&h);
    if (asked) return EXIT_OK;
    const char *dbp = NULL, *listen_s = "127.0.0.1:8080", *secret_file = NULL, *hb_s = NULL, *redis = NULL,
               *rto_s = NULL, *name, *arg;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    int k;
    while ((k = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (k == 0) return cli_usage_error("serve", "unexpected argument \"%s\"", arg);
        const char **dst = !strcmp(name, "db") ? &dbp : !strcmp(name, "listen") ? &listen_s :
                           !strcmp(name, "jwt-secret-file") ? &secret_file : !strcmp(name, "heartbeat-ms") ? &hb_s :
                           !strcmp(name, "redis") ? &redis : !strcmp(name, "redis-timeout") ? &rto_s : NULL;
        if (!dst) return cli_usage_error("serve", "unknown option \"%s\"", o.typed);
        if (!(*dst = cli_opts_value(&o))) return cli_usage_error("serve", "%s needs a value", o.typed);
    }
    if (!dbp) return cli_usage_error("serve", "--db FILE is required");
    int hb = 0;
    if (hb_s) {
        char *end;
        long v = strtol(hb_s, &end, 10);
        if (!*hb_s || *end || v < 10 || v > 3600000) return cli_usage_error("serve", "--heartbeat-ms must be 10 to 3600000");
        hb = (int)v;
    }
    int rto = 0;
    if (rto_s) {
        char *end;
        long v = strtol(rto_s, &end, 10);
        if (!*rto_s || *end || v < 1 || v > 3600000)
            return cli_usage_error("serve", "--redis-timeout %s: milliseconds 1-3600000", rto_s);
        rto = (int)v;
    }
    /* a password from the environment when the URL has none (engine/run.h) */
    const char *redis_pw = getenv("MMR_REDIS_PASSWORD");
    if (!redis_pw || !*redis_pw) redis_pw = getenv("REDISCLI_AUTH");
    char redis_why[512], *redis_url = NULL;
    if (redis && mmr_redis_url_resolve(redis, redis_pw, NULL, redis_why, sizeof redis_why))
        return cli_usage_error("serve", "%s", redis_why);
    int pg = mmr_pg_is_url(dbp);
    if (!pg && cli_check_data_path("serve", "--db", dbp)) return EXIT_INPUT;
    if (!pg && access(dbp, F_OK)) {
        fprintf(stderr, "mmr serve: --db %s: no such file (make one with `mmr run` or `mmr gen --db`)\n", dbp);
        return EXIT_INPUT;
    }
    char *secret = NULL;
    size_t slen = 0;
    if (secret_file) {
        if (!(secret = mmr_read_file(secret_file, &slen))) {
            fprintf(stderr, "mmr serve: --jwt-secret-file %s: %s\n", secret_file, mmr_read_error(errno));
            return EXIT_INPUT;
        }
        while (slen && (secret[slen - 1] == '\n' || secret[slen - 1] == '\r')) secret[--slen] = 0;
    } else if (getenv("MMR_JWT_SECRET")) {
        secret = strdup(getenv("MMR_JWT_SECRET"));
        slen = secret ? strlen(secret) : 0;
    }
    if (!secret || !slen) {
        free(secret);
        return cli_usage_error("serve", "no JWT secret: give --jwt-secret-file FILE or set MMR_JWT_SECRET");
    }
    /* the signals are taken with sigwait below, so no handler runs; the
     * threads the server starts inherit the mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    char shown[300];
    int fd = listen_on(listen_s, shown, sizeof shown);
    if (fd < 0) {
        if (fd == -1) fprintf(stderr, "mmr serve: --listen %s: %s\n", listen_s, strerror(errno));
        else if (fd == -3) fprintf(stderr, "mmr serve: --listen %s: unknown host\n", listen_s);
        else { free(secret); return cli_usage_error("serve", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080"); }
        free(secret);
        return EXIT_INPUT;
    }
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_server *srv = NULL;
    if (redis && mmr_redis_url_resolve(redis, redis_pw, &redis_url, redis_why, sizeof redis_why))
        mmr_diag_add(&d, MMR_SEV_ERROR, "redis", 0, 0, "%s", redis_why);    /* out of memory */
    mmr_server_opts so = { .db_path = dbp, .listen_fd = fd, .secret = (const unsigned char *)secret,
                           .secret_len = slen, .heartbeat_ms = hb, .redis_url = redis_url,
                           .redis_timeout_ms = rto, .log = stderr };
    int rc = redis && !redis_url ? -1 : mmr_server_start(&srv, &so, &d);
    free(secret);
    free(redis_url);    /* the server keeps its own copy */
    if (rc) {
        cli_print_diags(&d, CLI_FMT_TEXT);
        mmr_diags_free(&d);
        return EXIT_INPUT;
    }
    mmr_diags_free(&d);
    fprintf(stderr, "mmr serve: listening on http://%s\n", shown);
    int sig = 0;
    sigwait(&set, &sig);
    mmr_server_stop(srv);
    return EXIT_OK;
}
