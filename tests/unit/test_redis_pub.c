/* engine/redis_pub.c against a forked one-connection server per case:
 * deadlines that hold while bytes trickle in, replies that are refused at
 * their first byte, server errors cut short safely, and a server gone
 * mid-pipeline reported as a value (this binary does not ignore SIGPIPE,
 * so a raised one would kill it). */
#include "tests/unit/t.h"
#include "engine/run.h"
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

typedef enum { SRV_TRICKLE, SRV_BIGBULK, SRV_ERR, SRV_LONGERR, SRV_RESET, SRV_STALL, SRV_AUTH } srv_mode;

static void put(int fd, const char *s, size_t n) { (void)!send(fd, s, n, MSG_NOSIGNAL); }

/* The child: serve one connection in mode m, then exit. */
static void serve(int ls, srv_mode m)
{
    int c = accept(ls, NULL, NULL);
    if (c < 0) _exit(1);
    char buf[65536];
    if (m == SRV_RESET) {
        /* abort the connection (RST) once the client is sending */
        (void)!recv(c, buf, sizeof buf, 0);
        struct linger lg = { 1, 0 };
        setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(c);
        _exit(0);
    }
    ssize_t n = recv(c, buf, sizeof buf - 1, 0);
    if (n <= 0) _exit(0);
    buf[n] = 0;
    if (m == SRV_TRICKLE) {
        /* an integer reply that never ends, one byte every 100 ms */
        for (int i = 0; i < 15; i++) { put(c, i ? "1" : ":", 1); usleep(100000); }
    } else if (m == SRV_BIGBULK) {
        put(c, "$2000000000\r\n", 13);
        for (int i = 0; i < 15; i++) { put(c, "x", 1); usleep(100000); }
    } else if (m == SRV_ERR) {
        put(c, "-ERR x\r\n", 8);
        if (recv(c, buf, sizeof buf, 0) > 0) put(c, ":1\r\n", 4);
        usleep(300000);
    } else if (m == SRV_LONGERR) {
        /* 400 bytes of 2-byte characters and a control byte: longer than the client keeps */
        char e[1024] = "-ERR \x01";
        size_t k = strlen(e);
        for (int i = 0; i < 200; i++) { e[k++] = (char)0xc3; e[k++] = (char)0xa9; }
        memcpy(e + k, "\r\n", 2);
        put(c, e, k + 2);
        usleep(300000);
    } else if (m == SRV_STALL) {
        usleep(1500000);
    } else if (m == SRV_AUTH) {
        /* redis://user:p%40ss@host: AUTH user p@ss (an ACL user, the password decoded) */
        const char want[] = "*3\r\n$4\r\nAUTH\r\n$4\r\nuser\r\n$4\r\np@ss\r\n";
        if (!strcmp(buf, want)) put(c, "+OK\r\n", 5);
        else put(c, "-ERR unexpected AUTH\r\n", 22);
        usleep(300000);
    }
    close(c);
    _exit(0);
}

/* A listening socket on a free loopback port, served by a child. */
static pid_t start(srv_mode m, char *url, size_t n, const char *auth)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4) ||
        getsockname(ls, (struct sockaddr *)&a, &al)) { perror("listen"); exit(1); }
    if (m == SRV_RESET) {
        int small = 4096;   /* so the client's pipeline does not fit in the kernel */
        setsockopt(ls, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    snprintf(url, n, "redis://%s127.0.0.1:%d", auth, ntohs(a.sin_port));
    pid_t p = fork();
    if (p == 0) serve(ls, m);
    close(ls);
    return p;
}

static void stop(pid_t p) { kill(p, SIGKILL); waitpid(p, NULL, 0); }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* connect (no AUTH) and publish one message with a batch deadline of ms */
static int publish_one(srv_mode m, int ms, const char **why, mmr_redis **r, pid_t *p)
{
    char url[64];
    mmr_diags d;
    mmr_diags_init(&d);
    *p = start(m, url, sizeof url, "");
    int rc = mmr_redis_connect_within(r, url, 1000, &d);
    T_EQ_INT(rc, 0);
    mmr_diags_free(&d);
    if (rc) return -1;
    mmr_redis_batch_begin(*r, ms);
    return mmr_redis_publish(*r, "ch", 2, "hello", 5, why);
}

static void test_trickle(void)
{
    mmr_redis *r = NULL;
    pid_t p;
    const char *why = NULL;
    double t0 = now_s();
    T_EQ_INT(publish_one(SRV_TRICKLE, 350, &why, &r, &p), -1);
    double took = now_s() - t0;
    T_EQ_STR(why, "no reply within 350 ms (the batch deadline)");
    T_CHECK(took > 0.3 && took < 1.0);     /* bytes kept coming; the deadline held */
    /* dead: later calls fail at once with the same reason */
    T_EQ_INT(mmr_redis_publish(r, "ch", 2, "x", 1, &why), -1);
    T_EQ_STR(why, "no reply within 350 ms (the batch deadline)");
    mmr_redis_close(r);
    stop(p);
}

static void test_bigbulk(void)
{
    mmr_redis *r = NULL;
    pid_t p;
    const char *why = NULL;
    double t0 = now_s();
    T_EQ_INT(publish_one(SRV_BIGBULK, 5000, &why, &r, &p), -1);
    T_EQ_STR(why, "unexpected reply");
    T_CHECK(now_s() - t0 < 0.5);           /* refused at its first byte */
    mmr_redis_close(r);
    stop(p);
}

static void test_server_error(void)
{
    mmr_redis *r = NULL;
    pid_t p;
    const char *why = NULL;
    T_EQ_INT(publish_one(SRV_ERR, 2000, &why, &r, &p), -1);
    T_EQ_STR(why, "ERR x");
    /* a server error leaves the connection usable */
    T_EQ_INT(mmr_redis_publish(r, "ch", 2, "again", 5, &why), 0);
    mmr_redis_close(r);
    stop(p);

    T_EQ_INT(publish_one(SRV_LONGERR, 2000, &why, &r, &p), -1);
    size_t n = why ? strlen(why) : 0;
    T_CHECK(n > 200 && n < 256);
    T_CHECK(why && !strncmp(why, "ERR ?\xc3\xa9", 7));         /* control byte shown as '?' */
    T_CHECK(why && n >= 2 && !strcmp(why + n - 2, "\xc3\xa9")); /* cut between characters */
    mmr_redis_close(r);
    stop(p);
}

static void test_reset(void)
{
    mmr_redis *r = NULL;
    pid_t p;
    char url[64];
    mmr_diags d;
    mmr_diags_init(&d);
    p = start(SRV_RESET, url, sizeof url, "");
    T_EQ_INT(mmr_redis_connect_within(&r, url, 1000, &d), 0);
    mmr_redis_batch_begin(r, 3000);
    /* 8 MB of pipeline: far more than the socket buffers hold */
    size_t big = 64 * 1024;
    char *msg = malloc(big);
    memset(msg, 'm', big);
    int appended = 0;
    for (int i = 0; i < 128; i++) appended += !mmr_redis_append(r, "ch", 2, msg, big);
    T_EQ_INT(appended, 128);
    const char *why = NULL;
    T_EQ_INT(mmr_redis_reply(r, &why), -1);
    T_CHECK(why && (!strncmp(why, "connection lost (", 17) || !strcmp(why, "connection closed by the server")));
    if (why) printf("reset: %s\n", why);
    T_EQ_INT(mmr_redis_reply(r, &why), -1);    /* dead */
    free(msg);
    mmr_redis_close(r);
    mmr_diags_free(&d);
    stop(p);
}

static void test_connect(void)
{
    char url[64];
    mmr_diags d;
    mmr_redis *r = NULL;
    /* AUTH never answered: the connect deadline covers it */
    mmr_diags_init(&d);
    pid_t p = start(SRV_STALL, url, sizeof url, ":pw@");
    T_EQ_INT(mmr_redis_connect_within(&r, url, 300, &d), -1);
    T_CHECK(r == NULL);
    char want[128];
    snprintf(want, sizeof want, "cannot connect to redis %s: no answer within 300 ms", url + 12);
    T_EQ_INT(d.n, 1);
    if (d.n) T_EQ_STR(d.v[0].message, want);
    mmr_diags_free(&d);
    stop(p);
    /* a user name in the URL is sent: AUTH user password */
    mmr_diags_init(&d);
    p = start(SRV_AUTH, url, sizeof url, "user:p%40ss@");
    T_EQ_INT(mmr_redis_connect_within(&r, url, 1000, &d), 0);
    T_EQ_INT(d.n, 0);
    mmr_redis_close(r);
    mmr_diags_free(&d);
    stop(p);
    /* nobody listening */
    mmr_diags_init(&d);
    p = start(SRV_STALL, url, sizeof url, "");
    stop(p);    /* the listening socket is gone with the child */
    T_EQ_INT(mmr_redis_connect_within(&r, url, 300, &d), -1);
    snprintf(want, sizeof want, "cannot connect to redis %s: Connection refused", url + 8);
    if (d.n) T_EQ_STR(d.v[0].message, want);
    mmr_diags_free(&d);
}

/* The URL forms mmr_redis_url_ok accepts are those connect accepts. */
static void test_urls(void)
{
    static const char *const good[] = {
        "redis://h", "redis://h:1/2", "redis://h/", "h:6379", "redis://127.0.0.1:6379/0",
        "redis://user:p@ss@h:1/2",          /* the last '@' ends the user part */
        "redis://:pw@h", "redis://u:pw@h", "redis://u%3Ax:p%40%3A%2F@h", "redis://@h", "redis://:@h",
        "redis://[::1]", "redis://[::1]:6380/0", "redis://u:pw@[::1]:6380", "redis://[2001:db8::7]/3",
        "unix:///tmp/r.sock", "unix:///tmp/r.sock?db=3", "unix://:pw@/tmp/r.sock", "unix://u:pw@/tmp/r.sock?db=0",
        "unix:///tmp/a%20b.sock",
    };
    static const char *const bad[] = {
        "", "redis://", "redis://h:0", "redis://h:65536", "redis://h:", "redis://h:+1", "redis://h:1x",
        "redis://h/x", "redis://h/-1", "redis://h/1000001", "redis://:pw@", "rediss://h", "http://h",
        "redis://h?db=1", "redis://h h", "redis://u:p%zz@h", "redis://u:p%4@h", "redis://u:p%00@h",
        "redis://u@h", "redis://u:@h",     /* a user without a password */
        "redis://[::1", "redis://[::1]x", "redis://[h]", "redis://[]", "redis://::1",
        "unix://", "unix:///", "unix://tmp/r.sock", "unix://a@b/r.sock", "unix:///tmp/r.sock?db=",
        "unix:///tmp/r.sock?db=x", "unix:///tmp/r.sock?x=1", "unix://u@/tmp/r.sock", "unix:///tmp/%zz",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!mmr_redis_url_ok(good[i])) { T_CHECK(0); printf("refused: %s\n", good[i]); }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (mmr_redis_url_ok(bad[i])) { T_CHECK(0); printf("accepted: %s\n", bad[i]); }
    char longp[200] = "unix:///";
    memset(longp + 8, 'x', 120);
    T_EQ_INT(mmr_redis_url_ok(longp), 0);   /* longer than sun_path */

    /* resolve: a password (from the environment) goes in percent-encoded
     * when the URL has none, a user without one is refused, and no message
     * shows the password */
    static const char *const res[][3] = {   /* url, password, the URL to connect with */
        { "redis://h:1/2", "p@s:s/w%", "redis://:p%40s%3As%2Fw%25@h:1/2" },
        { "redis://mmr@h", "pw", "redis://mmr:pw@h" },
        { "redis://mmr:@[::1]:7", "pw", "redis://mmr:pw@[::1]:7" },
        { "unix:///s.sock?db=1", "pw", "unix://:pw@/s.sock?db=1" },
        { "h", "pw", ":pw@h" },
        { "redis://:mine@h", "env", "redis://:mine@h" },   /* the URL's own password wins */
        { "redis://h", "", "redis://h" },                  /* no password: the URL as is */
    };
    char why[512], *u = NULL;
    for (size_t i = 0; i < sizeof res / sizeof *res; i++) {
        T_EQ_INT(mmr_redis_url_resolve(res[i][0], res[i][1], &u, why, sizeof why), 0);
        T_EQ_STR(u, res[i][2]);
        T_EQ_INT(mmr_redis_url_ok(u), 1);
        free(u);
    }
    T_EQ_INT(mmr_redis_url_resolve("redis://h", NULL, NULL, why, sizeof why), 0);
    T_EQ_INT(mmr_redis_url_resolve("redis://mmr@h", NULL, &u, why, sizeof why), -1);
    T_CHECK(u == NULL);
    T_EQ_STR(why, "--redis redis://***@h: a user name without a password "
                  "(give redis://user:password@host, or set MMR_REDIS_PASSWORD)");
    T_EQ_INT(mmr_redis_url_resolve("redis://u:s3cret@h:0", NULL, &u, why, sizeof why), -1);
    T_CHECK(!strstr(why, "s3cret") && !strncmp(why, "--redis redis://***@h:0: not a Redis URL (", 42));
    T_EQ_INT(mmr_redis_url_resolve("s3cret@h@x:0", NULL, &u, why, sizeof why), -1);
    T_CHECK(!strstr(why, "s3cret"));

    /* connect refuses the same URLs, the password hidden */
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_redis *r = NULL;
    T_EQ_INT(mmr_redis_connect_within(&r, "redis://u:s3cret@h/x", 100, &d), -1);
    T_EQ_INT(d.n, 1);
    if (d.n) T_CHECK(!strncmp(d.v[0].message, "--redis redis://***@h/x: not a Redis URL (", 42));
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    T_EQ_INT(mmr_redis_connect_within(&r, "redis://s3cret@h", 100, &d), -1);
    if (d.n) T_EQ_STR(d.v[0].message, "--redis redis://***@h: a user name without a password");
    mmr_diags_free(&d);
    /* no socket there: the message names the path */
    mmr_diags_init(&d);
    T_EQ_INT(mmr_redis_connect_within(&r, "unix://:s3cret@/nonexistent/r.sock", 300, &d), -1);
    if (d.n) T_EQ_STR(d.v[0].message, "cannot connect to redis /nonexistent/r.sock: No such file or directory");
    mmr_diags_free(&d);
}

int main(void)
{
    test_trickle();
    test_bigbulk();
    test_server_error();
    test_reset();
    test_connect();
    test_urls();
    return T_DONE("redis_pub");
}
