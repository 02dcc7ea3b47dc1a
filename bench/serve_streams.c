/* `mmr serve` under many open SSE streams (bench/serve_streams.sh builds
 * and runs it; never a test). One process, one epoll loop:
 *
 *  1. opens one `GET /v1/moneymoments/stream?access_token=…` per line of
 *     TOKENS ("user token"), at most 256 connecting at a time, and waits
 *     until every stream has sent its opening `retry:` line;
 *  2. reads the server's memory (/proc/PID/status VmRSS, smaps_rollup Pss)
 *     with all streams open, against the figure taken before the first;
 *  3. commits deliveries the way `mmr run` does (a row in
 *     mm_nudge_delivery_log and its mm_event_outbox row in one
 *     transaction, WAL, synchronous=NORMAL) from a second thread to
 *     random users of those streams, takes the time when COMMIT returns,
 *     and the loop takes the time each `id:` line arrives on the stream:
 *     latency = arrival - commit, CLOCK_MONOTONIC in one process.
 *     Two phases: SINGLES commits of one delivery each, 5-25 ms apart
 *     (random, so they do not lock step with the relay's poll), then
 *     BATCHES commits of BATCH deliveries to distinct users each (a run).
 *
 *   serve_streams HOST PORT TOKENS DB SERVER_PID [SINGLES [BATCHES [BATCH]]]
 *   (defaults 1000, 5, 1000). Prints one "key value" line per figure. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum { ST_CONNECTING, ST_HEAD, ST_SIZE, ST_DATA, ST_CRLF, ST_DEAD };

typedef struct conn {
    int fd, state, open, skipping, ll;
    size_t chunk_left;
    char *req;
    size_t req_len, req_off;
    char line[64];
    char head[4];      /* the last bytes of the headers seen (for \r\n\r\n) */
} conn;

static conn *C;
static int N;
static char **users;

/* the events: commit and arrival times, ns */
static int64_t *t_commit, *t_arrive;
static int *ev_user;
static int n_events, n_committed;  /* n_committed written by the committer */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long long dup_events, wrong_user, bad_id;
static char run_tag[32];

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "serve_streams: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long proc_kb(int pid, const char *file, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':') { v = strtol(line + kl + 1, NULL, 10); break; }
    fclose(f);
    return v;
}

static void on_line(int i, const char *s)
{
    conn *c = &C[i];
    if (!strncmp(s, "retry:", 6)) { c->open = 1; return; }
    if (strncmp(s, "id: ", 4)) return;
    size_t tl = strlen(run_tag);
    if (strncmp(s + 4, run_tag, tl)) return;   /* not ours (an older run's) */
    char *end;
    long k = strtol(s + 4 + tl, &end, 10);
    int64_t t = now_ns();
    pthread_mutex_lock(&mu);
    if (k < 0 || k >= n_events || *end) bad_id++;
    else if (ev_user[k] != i) wrong_user++;
    else if (t_arrive[k]) dup_events++;
    else t_arrive[k] = t;
    pthread_mutex_unlock(&mu);
}

/* the body bytes of a chunked response, split in lines */
static void body_bytes(int i, const char *p, size_t n)
{
    conn *c = &C[i];
    for (size_t j = 0; j < n; j++) {
        char ch = p[j];
        if (ch == '\n') {
            if (!c->skipping) { c->line[c->ll] = 0; on_line(i, c->line); }
            c->ll = 0; c->skipping = 0;
        } else if (!c->skipping) {
            if (c->ll < (int)sizeof c->line - 1) c->line[c->ll++] = ch;
            else c->skipping = 1;   /* a data: line; only id: and retry: matter */
        }
    }
}

static void feed(int i, const char *p, size_t n)
{
    conn *c = &C[i];
    while (n) {
        switch (c->state) {
        case ST_HEAD:   /* until \r\n\r\n; the status was checked at open */
            c->head[0] = c->head[1]; c->head[1] = c->head[2]; c->head[2] = c->head[3]; c->head[3] = *p;
            p++; n--;
            if (!memcmp(c->head, "\r\n\r\n", 4)) { c->state = ST_SIZE; c->chunk_left = 0; }
            break;
        case ST_SIZE: {
            char ch = *p++; n--;
            if (ch == '\n') c->state = c->chunk_left ? ST_DATA : ST_DEAD;   /* 0: end of stream */
            else if (ch >= '0' && ch <= '9') c->chunk_left = c->chunk_left * 16 + (size_t)(ch - '0');
            else if ((ch | 32) >= 'a' && (ch | 32) <= 'f') c->chunk_left = c->chunk_left * 16 + (size_t)((ch | 32) - 'a' + 10);
            break;
        }
        case ST_DATA: {
            size_t k = n < c->chunk_left ? n : c->chunk_left;
            body_bytes(i, p, k);
            p += k; n -= k; c->chunk_left -= k;
            if (!c->chunk_left) c->state = ST_CRLF;
            break;
        }
        case ST_CRLF:
            if (*p == '\n') { c->state = ST_SIZE; c->chunk_left = 0; }
            p++; n--;
            break;
        default:
            return;
        }
    }
}

/* ---- the committer ---- */

typedef struct { const char *db; int singles, batches, batch; int64_t done_ns; } commit_args;

static void *committer(void *arg)
{
    commit_args *a = arg;
    sqlite3 *db;
    if (sqlite3_open_v2(a->db, &db, SQLITE_OPEN_READWRITE, NULL)) { fprintf(stderr, "serve_streams: cannot open %s\n", a->db); exit(1); }
    sqlite3_busy_timeout(db, 5000);
    /* no automatic checkpoint inside COMMIT: it would delay the commit
     * time taken after it; a passive checkpoint follows the timestamp */
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;", NULL, NULL, NULL);
    sqlite3_stmt *ins, *out;
    if (sqlite3_prepare_v2(db,
            "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json, delivered_at) "
            "VALUES (?1, ?2, (SELECT min(rule_id) FROM mm_nudge_rule_master), '2025-10-27', "
            "'Dining spend is up 40% this week', 'You spent Rs 3,250 on dining since Monday, Rs 930 more than usual.', "
            "'dining', '{}', '2025-10-27T14:30:00Z')", -1, &ins, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO mm_event_outbox(delivery_seq, want_redis) VALUES (last_insert_rowid(), 0)", -1, &out, NULL)) {
        fprintf(stderr, "serve_streams: prepare: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    int *perm = malloc(sizeof *perm * (size_t)N);
    for (int i = 0; i < N; i++) perm[i] = i;
    unsigned seed = 12345;
    int k = 0;
    int rounds = a->singles + a->batches;
    for (int r = 0; r < rounds; r++) {
        int size = r < a->singles ? 1 : a->batch;
        if (size > N) size = N;
        for (int j = 0; j < size; j++) {   /* distinct users: a partial shuffle */
            int x = j + (int)(rand_r(&seed) % (unsigned)(N - j));
            int t = perm[j]; perm[j] = perm[x]; perm[x] = t;
        }
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) { fprintf(stderr, "serve_streams: BEGIN: %s\n", sqlite3_errmsg(db)); exit(1); }
        for (int j = 0; j < size; j++) {
            char id[64];
            snprintf(id, sizeof id, "%s%d", run_tag, k + j);
            pthread_mutex_lock(&mu);
            ev_user[k + j] = perm[j];
            pthread_mutex_unlock(&mu);
            sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, users[perm[j]], -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_step(out) != SQLITE_DONE) {
                fprintf(stderr, "serve_streams: insert: %s\n", sqlite3_errmsg(db));
                exit(1);
            }
            sqlite3_reset(ins);
            sqlite3_reset(out);
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) { fprintf(stderr, "serve_streams: COMMIT: %s\n", sqlite3_errmsg(db)); exit(1); }
        int64_t t = now_ns();
        pthread_mutex_lock(&mu);
        for (int j = 0; j < size; j++) t_commit[k + j] = t;
        k += size;
        n_committed = k;
        pthread_mutex_unlock(&mu);
        sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
        /* singles: 5-25 ms apart; batches: 500 ms apart (a run is rare) */
        long gap = r < a->singles ? 5000 + (long)(rand_r(&seed) % 20000) : 500000;
        usleep((useconds_t)gap);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(out);
    sqlite3_close(db);
    free(perm);
    pthread_mutex_lock(&mu);
    a->done_ns = now_ns();
    pthread_mutex_unlock(&mu);
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, int from, int to)
{
    int64_t *v = malloc(sizeof *v * (size_t)(to - from + 1));
    int n = 0, lost = 0;
    for (int k = from; k < to; k++) {
        if (t_arrive[k]) v[n++] = t_arrive[k] - t_commit[k];
        else lost++;
    }
    qsort(v, (size_t)n, sizeof *v, cmp64);
    if (!n) { printf("%s_events 0\n%s_lost %d\n", name, name, lost); free(v); return; }
#define MS(x) ((double)(x) / 1e6)
    printf("%s_events %d\n%s_lost %d\n", name, n, name, lost);
    printf("%s_latency_ms p50 %.1f p90 %.1f p99 %.1f max %.1f min %.1f\n", name, MS(v[n / 2]),
           MS(v[(size_t)n * 90 / 100]), MS(v[(size_t)n * 99 / 100]), MS(v[n - 1]), MS(v[0]));
    free(v);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: serve_streams HOST PORT TOKENS DB SERVER_PID [SINGLES [BATCHES [BATCH]]]\n");
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    int spid = atoi(argv[5]);
    commit_args ca = { .db = argv[4], .singles = argc > 6 ? atoi(argv[6]) : 1000,
                       .batches = argc > 7 ? atoi(argv[7]) : 5, .batch = argc > 8 ? atoi(argv[8]) : 1000 };
    snprintf(run_tag, sizeof run_tag, "sb%ld-", (long)time(NULL));

    /* the tokens */
    FILE *f = fopen(argv[3], "r");
    if (!f) die(argv[3]);
    size_t cap = 1024;
    char **toks = malloc(cap * sizeof *toks);
    users = malloc(cap * sizeof *users);
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        char u[128], t[1024];
        if (sscanf(line, "%127s %1023s", u, t) != 2) continue;
        if ((size_t)N == cap) { cap *= 2; toks = realloc(toks, cap * sizeof *toks); users = realloc(users, cap * sizeof *users); }
        users[N] = strdup(u);
        toks[N++] = strdup(t);
    }
    free(line);
    fclose(f);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)N + 64 > rl.rlim_cur) {
        fprintf(stderr, "serve_streams: %d streams need %d fds, the limit is %ld\n", N, N + 64, (long)rl.rlim_cur);
        return 1;
    }
    int cap_ev = ca.singles + ca.batches * (ca.batch < N ? ca.batch : N);
    t_commit = calloc((size_t)cap_ev + 1, sizeof *t_commit);
    t_arrive = calloc((size_t)cap_ev + 1, sizeof *t_arrive);
    ev_user = calloc((size_t)cap_ev + 1, sizeof *ev_user);
    n_events = cap_ev;
    C = calloc((size_t)N, sizeof *C);

    long rss0 = proc_kb(spid, "status", "VmRSS"), pss0 = proc_kb(spid, "smaps_rollup", "Pss");
    printf("streams %d\nserver_rss_kb_before %ld\nserver_pss_kb_before %ld\n", N, rss0, pss0);

    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, host, &sa.sin_addr);
    int next = 0, connecting = 0, nopen = 0, failed = 0;
    int64_t t0 = now_ns();
    struct epoll_event evs[512];
    char buf[16384];
    pthread_t th;
    int committing = 0, done = 0;
    int64_t deadline = 0, open_ns = 0;
    long rss1 = -1, pss1 = -1;

    while (!done) {
        /* start connections, a bounded number at a time (listen backlog) */
        while (next < N && connecting < 256) {
            conn *c = &C[next];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (c->fd < 0) die("socket");
            /* many source addresses: 127.0.0.0/8 is all loopback, so the
             * ephemeral ports of one address do not run out across runs */
            int one = 1;
            setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            struct sockaddr_in src = { .sin_family = AF_INET };
            src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(2 + next % 64));
            if (bind(c->fd, (struct sockaddr *)&src, sizeof src)) die("bind");
            int n = snprintf(buf, sizeof buf, "GET /v1/moneymoments/stream?access_token=%s HTTP/1.1\r\nHost: %s:%d\r\n"
                             "Accept: text/event-stream\r\n\r\n", toks[next], host, port);
            c->req = malloc((size_t)n);
            memcpy(c->req, buf, (size_t)n);
            c->req_len = (size_t)n;
            c->state = ST_CONNECTING;
            if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS) die("connect");
            struct epoll_event e = { .events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)next };
            if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e)) die("epoll_ctl");
            next++;
            connecting++;
        }
        int n = epoll_wait(ep, evs, 512, 20);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int j = 0; j < n; j++) {
            int i = (int)evs[j].data.u32;
            conn *c = &C[i];
            if (c->state == ST_DEAD) continue;
            if (c->state == ST_CONNECTING && (evs[j].events & EPOLLOUT)) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err) { errno = err; c->state = ST_DEAD; failed++; connecting--; close(c->fd); continue; }
                ssize_t w = write(c->fd, c->req + c->req_off, c->req_len - c->req_off);
                if (w > 0) c->req_off += (size_t)w;
                if (c->req_off == c->req_len) {
                    c->state = ST_HEAD;
                    free(c->req); c->req = NULL;
                    struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
                }
                continue;
            }
            if (evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    ssize_t r = read(c->fd, buf, sizeof buf);
                    if (r > 0) {
                        int was = c->open;
                        if (c->state == ST_HEAD && c->head[3] == 0 && strncmp(buf, "HTTP/1.1 200", 12)) {
                            buf[r < 200 ? r : 200] = 0;
                            fprintf(stderr, "serve_streams: stream %d (%s): %s\n", i, users[i], buf);
                            c->state = ST_DEAD; failed++; connecting--; close(c->fd);
                            break;
                        }
                        feed(i, buf, (size_t)r);
                        if (!was && c->open) { nopen++; connecting--; }
                        if (c->state == ST_DEAD) { close(c->fd); break; }
                        continue;
                    }
                    if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                        if (c->open) nopen--; else connecting--;
                        c->state = ST_DEAD; failed++; close(c->fd);
                    }
                    break;
                }
            }
        }
        if (!committing && next == N && connecting == 0) {
            open_ns = now_ns() - t0;
            printf("streams_open %d\nstreams_failed %d\nopen_all_s %.2f\n", nopen, failed, (double)open_ns / 1e9);
            if (nopen == 0) return 1;
            fflush(stdout);
            sleep(2);   /* let the server settle, then its memory */
            rss1 = proc_kb(spid, "status", "VmRSS");
            pss1 = proc_kb(spid, "smaps_rollup", "Pss");
            printf("server_rss_kb_open %ld\nserver_pss_kb_open %ld\n", rss1, pss1);
            printf("bytes_per_stream_rss %.0f\nbytes_per_stream_pss %.0f\n", (double)(rss1 - rss0) * 1024 / nopen,
                   (double)(pss1 - pss0) * 1024 / nopen);
            fflush(stdout);
            committing = 1;
            if (pthread_create(&th, NULL, committer, &ca)) die("pthread_create");
        }
        if (committing && !deadline) {
            pthread_mutex_lock(&mu);
            if (ca.done_ns) deadline = now_ns() + 10000000000LL;   /* stragglers: 10 s */
            pthread_mutex_unlock(&mu);
        }
        if (deadline) {
            int all = 1;
            pthread_mutex_lock(&mu);
            for (int k = 0; k < n_committed && all; k++) if (!t_arrive[k] && C[ev_user[k]].state != ST_DEAD) all = 0;
            pthread_mutex_unlock(&mu);
            if (all || now_ns() > deadline) done = 1;
        }
    }
    pthread_join(th, NULL);
    int singles = ca.singles;
    report("single", 0, singles);
    report("batch", singles, n_committed);
    for (int b = 0; b < ca.batches; b++) {   /* each run's last delivery */
        int from = singles + b * (n_committed - singles) / (ca.batches ? ca.batches : 1);
        int to = singles + (b + 1) * (n_committed - singles) / (ca.batches ? ca.batches : 1);
        int64_t mx = 0;
        for (int k = from; k < to; k++) if (t_arrive[k] && t_arrive[k] - t_commit[k] > mx) mx = t_arrive[k] - t_commit[k];
        printf("batch_%d_last_ms %.1f\n", b + 1, (double)mx / 1e6);
    }
    long rss2 = proc_kb(spid, "status", "VmRSS"), pss2 = proc_kb(spid, "smaps_rollup", "Pss");
    int alive = 0;
    for (int i = 0; i < N; i++) alive += C[i].state != ST_DEAD;
    printf("streams_alive_after %d\nserver_rss_kb_after_events %ld\nbytes_per_stream_rss_after_events %.0f\n", alive, rss2,
           (double)(rss2 - rss0) * 1024 / (alive ? alive : 1));
    printf("server_pss_kb_after_events %ld\n", pss2);
    printf("dup_events %lld\nwrong_user_events %lld\nbad_ids %lld\n", dup_events, wrong_user, bad_id);
    for (int i = 0; i < N; i++) if (C[i].state != ST_DEAD) close(C[i].fd);
    return 0;
}
