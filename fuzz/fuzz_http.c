/* libFuzzer target: the request handling of `mmr serve` (server/) — the
 * JWT verifier and the whole handling of a request (body limit, route,
 * auth, handler) through mmr_server_handle, over a small state database
 * made once in a temporary directory. The first input byte picks what the
 * rest is (its value mod 3):
 *   0  a bearer token, verified as is;
 *   1  "HEADER-JSON\nCLAIMS-JSON": both base64url-encoded and signed with
 *      HS256 (with the wrong key when the byte's top bit is set), so the
 *      checks after the signature's are reached;
 *   2  a request: "METHOD TARGET\n", header lines "Key: value\n", an empty
 *      line, the body. The target's path and query are percent-decoded
 *      as libmicrohttpd does. "$T" anywhere becomes a valid token of
 *      user u1, "$O" one of user u2, "$E" an expired one. The header
 *      X-Fuzz-Repeat: N (not passed on) sends the body N times; the body
 *      arrives in pieces of (byte >> 2) * 37 bytes (whole when 0). "$B" is
 *      64 KiB of spaces (the body limit).
 * Properties: never a crash, leak or hang; a verified token had alg
 * HS256, the right key, a valid sub and a future exp; every reply has a
 * status of the interface (a 500 is a bug: the database is sound) and a
 * JSON body that parses, `{"error": string}` for an error.
 * Build with fuzz/build.sh fuzz_http, or run with fuzz/run.sh fuzz_http. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "server/internal.h"
#include "util/userid.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW ((int64_t)1700000000)   /* the verifier's clock in modes 0 and 1 */
static const char KEY[] = "fuzz-secret";
static mmr_server *srv;
static char dir[64], tok_u1[512], tok_u2[512], tok_expired[512];
static int verbose;   /* FUZZ_HTTP_VERBOSE=1: each request and its reply on stderr */

static void b64url(mmr_buf *b, const unsigned char *s, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        mmr_buf_putc(b, a[v >> 18 & 63]);
        mmr_buf_putc(b, a[v >> 12 & 63]);
        if (i + 1 < n) mmr_buf_putc(b, a[v >> 6 & 63]);
        if (i + 2 < n) mmr_buf_putc(b, a[v & 63]);
    }
}

/* header.claims.HS256-signature */
static void mint(mmr_buf *out, const char *hdr, size_t hl, const char *claims, size_t cl, const char *key)
{
    b64url(out, (const unsigned char *)hdr, hl);
    mmr_buf_putc(out, '.');
    b64url(out, (const unsigned char *)claims, cl);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned ml = 0;
    if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)out->data, out->len, mac, &ml)) abort();
    mmr_buf_putc(out, '.');
    b64url(out, mac, ml);
}

static void mint_user(char *dst, size_t cap, const char *sub, long long exp)
{
    char claims[128];
    static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    int n = snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"exp\":%lld}", sub, exp);
    mmr_buf b;
    mmr_buf_init(&b);
    mint(&b, hdr, sizeof hdr - 1, claims, (size_t)n, KEY);
    if (b.oom || b.len >= cap) abort();
    memcpy(dst, b.data, b.len + 1);
    mmr_buf_free(&b);
}

static void cleanup(void)
{
    mmr_server_stop(srv);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) { /* best effort */ }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    snprintf(dir, sizeof dir, "%s/mmr-fuzz-http-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
    if (!mkdtemp(dir)) { perror("mkdtemp"); abort(); }
    char path[128];
    snprintf(path, sizeof path, "%s/state.db", dir);
    mmr_diags d;
    mmr_diags_init(&d);
    if (mmr_server_open_local(&srv, path, (const unsigned char *)KEY, strlen(KEY), &d)) {
        fprintf(stderr, "fuzz_http: %s\n", d.n ? d.v[0].message : "cannot open the state database");
        abort();
    }
    mmr_diags_free(&d);
    /* two deliveries of u1, one of u2: the feed, its cursor and interactions have rows */
    sqlite3 *h = NULL;
    if (sqlite3_open(path, &h) != SQLITE_OK ||
        sqlite3_exec(h,
            "INSERT INTO mm_nudge_rule_master(rule_id, name, category, priority, cooldown_days, cooldown_s,"
            "  ruleset_hash, updated_at) VALUES (1, 'dining_spike', 'dining', 1, 1, 86400, 'x', '2025-01-01T00:00:00Z'),"
            "  (2, 'trip', 'travel', 2, 1, 86400, 'x', '2025-01-01T00:00:00Z');"
            "INSERT INTO mm_nudge_delivery_log(delivery_id, user_id, rule_id, as_of, title, body, category, meta_json,"
            "  delivered_at) VALUES"
            " ('d-1', 'u1', 1, '2025-10-26', 'T1', 'B1', 'dining', '{}', '2025-10-26T10:00:00Z'),"
            " ('d-2', 'u1', 1, '2025-10-27', 'T2', 'B2', 'dining', '{}', '2025-10-27T10:00:00Z'),"
            " ('d-3', 'u2', 1, '2025-10-27', 'T3', 'B3', 'dining', '{}', '2025-10-27T10:00:00Z');",
            NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz_http: seeding: %s\n", h ? sqlite3_errmsg(h) : "cannot open");
        abort();
    }
    sqlite3_close(h);
    long long far = 4102444800LL;   /* 2100: the handlers use the real clock */
    mint_user(tok_u1, sizeof tok_u1, "u1", far);
    mint_user(tok_u2, sizeof tok_u2, "u2", far);
    mint_user(tok_expired, sizeof tok_expired, "u1", 1000);
    verbose = getenv("FUZZ_HTTP_VERBOSE") != NULL;
    atexit(cleanup);
    return 0;
}

/* mode 0 and 1: the verifier's promises */
static void verify(const char *token, const char *hdr, size_t hl, const char *claims, size_t cl, int right_key)
{
    char *sub = (char *)"unset";
    const char *why = NULL;
    int rc = mmr_auth_verify((const unsigned char *)KEY, strlen(KEY), token, NOW, &sub, &why);
    if (rc) {
        if (rc != -1 || sub || !why || !*why) abort();
        return;
    }
    if (!sub || mmr_user_id_problem(sub, strlen(sub))) abort();
    if (!hdr) abort();   /* mode 0 cannot hold a valid signature */
    json_t *h = json_loadb(hdr, hl, 0, NULL), *c = json_loadb(claims, cl, 0, NULL);
    json_t *alg = json_object_get(h, "alg"), *s = json_object_get(c, "sub"), *e = json_object_get(c, "exp");
    if (!right_key || !json_is_string(alg) || strcmp(json_string_value(alg), "HS256") || !json_is_string(s) ||
        strcmp(json_string_value(s), sub) || !json_is_number(e) || json_number_value(e) <= (double)NOW)
        abort();
    json_decref(h);
    json_decref(c);
    free(sub);
}

/* percent-decoding in place, as MHD_http_unescape: a bad escape stays */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        unsigned v;
        if (*p == '%' && p[1] && p[2] && sscanf(p + 1, "%2x", &v) == 1 && strchr("0123456789abcdefABCDEF", p[2]) &&
            strchr("0123456789abcdefABCDEF", p[1])) {
            *o++ = (char)v;
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

/* the reply's promises */
static void check_reply(const mmr_reply *rp)
{
    static const unsigned ok[] = { 200, 201, 400, 401, 404, 405, 413, 503 };
    size_t i = 0;
    while (i < sizeof ok / sizeof *ok && ok[i] != rp->status) i++;
    if (i == sizeof ok / sizeof *ok) { fprintf(stderr, "status %u: %.*s\n", rp->status, (int)rp->body.len, rp->body.data); abort(); }
    if (rp->custom || rp->static_body) { if (rp->status != 200) abort(); return; }
    if (!rp->ctype || strcmp(rp->ctype, "application/json")) abort();
    json_error_t e;
    json_t *j = json_loadb(rp->body.data ? rp->body.data : "", rp->body.len, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(j)) { fprintf(stderr, "not a JSON object (%s): %.*s\n", e.text, (int)rp->body.len, rp->body.data); abort(); }
    if (rp->status >= 400 && (json_object_size(j) != 1 || !json_is_string(json_object_get(j, "error")))) abort();
    if ((rp->status == 405) != (rp->allow != NULL)) abort();
    json_decref(j);
}

static void request(char *text, size_t size, unsigned piece)
{
    /* the request line */
    char *nl = memchr(text, '\n', size);
    if (!nl) return;
    *nl = 0;
    char *method = text, *target = strchr(text, ' ');
    if (!target) return;
    *target++ = 0;
    mmr_kv kv[64];
    size_t nkv = 0;
    char *query = strchr(target, '?');
    if (query) *query++ = 0;
    unescape(target);
    for (char *a = query, *next; a && *a && nkv < 32; a = next) {
        next = strchr(a, '&');
        if (next) *next++ = 0;
        char *eq = strchr(a, '=');
        if (eq) { *eq++ = 0; unescape(eq); }
        unescape(a);
        kv[nkv++] = (mmr_kv){ MHD_GET_ARGUMENT_KIND, a, eq };
    }
    /* the headers, up to an empty line */
    char *p = nl + 1, *end = text + size;
    size_t repeat = 1;
    while (p < end) {
        char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        *e = 0;
        if (!*p) { p = e + 1; break; }
        char *colon = strchr(p, ':');
        if (colon && nkv < sizeof kv / sizeof *kv) {
            *colon++ = 0;
            while (*colon == ' ') colon++;
            if (!strcasecmp(p, "X-Fuzz-Repeat")) repeat = strtoul(colon, NULL, 10) % 3000;
            else kv[nkv++] = (mmr_kv){ MHD_HEADER_KIND, p, colon };
        }
        p = e + 1;
    }
    if (p > end) p = end;
    /* the body: repeat copies, in pieces */
    size_t blen = (size_t)(end - p), np = 0;
    if (!piece || piece > blen) piece = blen ? (unsigned)blen : 1;
    size_t per = blen ? (blen + piece - 1) / piece : 0, total = per * repeat;
    const char **pieces = malloc((total ? total : 1) * sizeof *pieces);
    size_t *lens = malloc((total ? total : 1) * sizeof *lens);
    if (!pieces || !lens) abort();
    for (size_t r = 0; r < repeat; r++)
        for (size_t off = 0; off < blen; off += piece) {
            pieces[np] = p + off;
            lens[np++] = blen - off < piece ? blen - off : piece;
        }
    mmr_reply rp;
    int dropped = mmr_server_handle(srv, method, target, kv, nkv, pieces, lens, np, &rp);
    if (verbose)
        fprintf(stderr, "%s %s -> %u %.*s\n", method, target, rp.status,
                rp.static_body || rp.custom ? 0 : (int)rp.body.len, rp.body.data ? rp.body.data : "");
    if (!dropped) check_reply(&rp);
    else if (dropped != -1 || rp.status || rp.body.len || rp.custom) abort();
    mmr_reply_free(&rp);
    free(pieces);
    free(lens);
}

/* "$T", "$O", "$E" to tokens and "$B" to the limit's worth of spaces, into a new NUL-terminated buffer */
static char *expand(const char *s, size_t n, size_t *outlen)
{
    mmr_buf b;
    mmr_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        const char *t = NULL;
        if (s[i] == '$' && i + 1 < n)
            t = s[i + 1] == 'T' ? tok_u1 : s[i + 1] == 'O' ? tok_u2 : s[i + 1] == 'E' ? tok_expired : NULL;
        if (t) { mmr_buf_puts(&b, t); i++; }
        else if (s[i] == '$' && i + 1 < n && s[i + 1] == 'B') {
            for (int k = 0; k < MMR_BODY_MAX; k++) mmr_buf_putc(&b, ' ');
            i++;
        }
        else mmr_buf_putc(&b, s[i]);
    }
    mmr_buf_putc(&b, 0);
    if (b.oom) abort();
    *outlen = b.len - 1;
    return b.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16) return 0;
    unsigned sel = data[0];
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    if (sel % 3 == 0) {
        char *tok = strndup(rest, n);
        if (!tok) abort();
        verify(tok, NULL, 0, NULL, 0, 0);
        free(tok);
    } else if (sel % 3 == 1) {
        const char *nl = memchr(rest, '\n', n);
        size_t hl = nl ? (size_t)(nl - rest) : n;
        const char *claims = nl ? nl + 1 : rest + n;
        size_t cl = nl ? n - hl - 1 : 0;
        int right = !(sel & 0x80);
        mmr_buf t;
        mmr_buf_init(&t);
        mint(&t, rest, hl, claims, cl, right ? KEY : "not-the-key");
        if (t.oom) abort();
        verify(t.data, rest, hl, claims, cl, right);
        mmr_buf_free(&t);
    } else {
        size_t len;
        char *text = expand(rest, n, &len);
        request(text, len, (sel >> 2) * 37);
        free(text);
    }
    return 0;
}
