/* Redis PUBLISH through hiredis (synchronous, with timeouts). */
#include "engine/run.h"
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/time.h>

struct mmr_redis {
    redisContext *c;
    char err[256];
};

/* Parse redis://[:password@]host[:port][/db]; fields into caller buffers. */
static int parse_url(const char *url, char *host, size_t hostsz, int *port,
                     char *pass, size_t passsz, int *dbn)
{
    const char *p = url;
    if (!strncmp(p, "redis://", 8)) p += 8;
    *port = 6379; *dbn = -1; pass[0] = 0;
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        size_t n = (size_t)(at - pw);
        if (n >= passsz) return -1;
        memcpy(pass, pw, n); pass[n] = 0;
        p = at + 1;
    }
    size_t hl = strcspn(p, ":/");
    if (hl == 0 || hl >= hostsz) return -1;
    memcpy(host, p, hl); host[hl] = 0;
    p += hl;
    if (*p == ':') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v <= 0 || v > 65535) return -1;
        *port = (int)v;
        p = end;
    }
    if (*p == '/') {
        p++;
        if (*p) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || *end || v < 0 || v > 1000000) return -1;
            *dbn = (int)v;
            p = end;
        }
    }
    return *p ? -1 : 0;
}

int mmr_redis_url_ok(const char *url)
{
    char host[256], pass[256];
    int port, dbn;
    return parse_url(url, host, sizeof host, &port, pass, sizeof pass, &dbn) == 0;
}

int mmr_redis_connect(mmr_redis **out, const char *url, mmr_diags *d)
{
    *out = NULL;
    char host[256], pass[256];
    int port, dbn;
    if (parse_url(url, host, sizeof host, &port, pass, sizeof pass, &dbn)) {
        mmr_diag_add(d, MMR_SEV_ERROR, url, 0, 0,
                     "--redis %s: not a Redis URL (redis://[:password@]host[:port][/db])", url);
        return -1;
    }
    struct timeval tv = { 2, 0 };
    redisContext *c = redisConnectWithTimeout(host, port, tv);
    if (!c || c->err) {
        mmr_diag_add(d, MMR_SEV_WARNING, url, 0, 0, "cannot connect to redis %s:%d: %s", host, port,
                     c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return -1;
    }
    redisSetTimeout(c, tv);
    if (pass[0]) {
        redisReply *r = redisCommand(c, "AUTH %s", pass);
        int bad = !r || r->type == REDIS_REPLY_ERROR;
        if (bad) mmr_diag_add(d, MMR_SEV_WARNING, url, 0, 0, "redis %s:%d: AUTH failed: %s", host, port,
                              r ? r->str : c->errstr);
        if (r) freeReplyObject(r);
        if (bad) { redisFree(c); return -1; }
    }
    mmr_redis *rr = calloc(1, sizeof *rr);
    if (!rr) { redisFree(c); mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
    rr->c = c;
    *out = rr;
    return 0;
}

int mmr_redis_publish(mmr_redis *r, const char *channel, size_t chlen,
                      const char *msg, size_t len, const char **why)
{
    if (!r || !r->c || r->c->err) { *why = r && r->c ? r->c->errstr : "not connected"; return -1; }
    redisReply *rep = redisCommand(r->c, "PUBLISH %b %b", channel, chlen, msg, len);
    if (!rep) { *why = r->c->errstr[0] ? r->c->errstr : "connection lost"; return -1; }
    int ok = rep->type == REDIS_REPLY_INTEGER;
    if (!ok) {
        snprintf(r->err, sizeof r->err, "%s", rep->type == REDIS_REPLY_ERROR && rep->str ? rep->str : "unexpected reply");
        *why = r->err;
    }
    freeReplyObject(rep);
    return ok ? 0 : -1;
}

int mmr_redis_append(mmr_redis *r, const char *channel, size_t chlen,
                     const char *msg, size_t len)
{
    if (!r || !r->c || r->c->err) return -1;
    return redisAppendCommand(r->c, "PUBLISH %b %b", channel, chlen, msg, len) == REDIS_OK ? 0 : -1;
}

int mmr_redis_reply(mmr_redis *r, const char **why)
{
    void *v = NULL;
    if (!r || !r->c) { *why = "not connected"; return -1; }
    if (redisGetReply(r->c, &v) != REDIS_OK || !v) {
        *why = r->c->errstr[0] ? r->c->errstr : "connection lost";
        return -1;
    }
    redisReply *rep = v;
    int ok = rep->type == REDIS_REPLY_INTEGER;
    if (!ok) {
        snprintf(r->err, sizeof r->err, "%s", rep->type == REDIS_REPLY_ERROR && rep->str ? rep->str : "unexpected reply");
        *why = r->err;
    }
    freeReplyObject(rep);
    return ok ? 0 : -1;
}

void mmr_redis_close(mmr_redis *r)
{
    if (!r) return;
    if (r->c) redisFree(r->c);
    free(r);
}
