/* The route table and the handlers of the JSON API (docs/serve.md). The
 * table drives dispatch (server/http.c), auth and `mmr serve --help`. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "server/internal.h"
#include "server/page.h"
#include "store/store.h"
#include "util/timeutil.h"

/* A store failure as a reply: 503 when the database stayed locked. */
static void store_error(mmr_reply *rp, int rc, const mmr_diags *d)
{
    const char *msg = d->n ? d->v[d->n - 1].message : "database error";
    if (rc == MMR_STORE_BUSY) mmr_reply_error(rp, 503, "database busy, retry: %s", msg);
    else mmr_reply_error(rp, 500, "%s", msg);
}

static void h_healthz(mmr_request *rq, mmr_reply *rp)
{
    mmr_buf_puts(&rp->body, "{\"status\":\"ok\"}");
    mmr_reply_json(rp, 200);
}

static void h_page(mmr_request *rq, mmr_reply *rp)
{
    if (!mmr_page_asset(rq->path, &rp->static_body, &rp->static_len, &rp->ctype)) {
        mmr_reply_error(rp, 404, "no such path");
        return;
    }
    rp->status = 200;
}

/* The feed cursor: hex of "delivered_at\ndelivery_id". Opaque to
 * clients; hex keeps it URL-safe without escaping. */
static void cursor_encode(mmr_buf *b, const mmr_buf *at, const mmr_buf *id)
{
    static const char hx[] = "0123456789abcdef";
    mmr_buf_putc(b, '"');
    for (int part = 0; part < 2; part++) {
        const mmr_buf *p = part ? id : at;
        if (part) mmr_buf_puts(b, "0a");
        for (size_t i = 0; i < p->len; i++) {
            mmr_buf_putc(b, hx[(unsigned char)p->data[i] >> 4]);
            mmr_buf_putc(b, hx[(unsigned char)p->data[i] & 15]);
        }
    }
    mmr_buf_putc(b, '"');
}

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 0 and the two parts (owned by *raw), or -1 */
static int cursor_decode(const char *s, char **raw, const char **at, const char **id)
{
    size_t n = strlen(s);
    *raw = NULL;
    if (!n || n % 2 || n > 1024) return -1;
    char *r = malloc(n / 2 + 1);
    if (!r) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int h = hexv(s[2 * i]), l = hexv(s[2 * i + 1]);
        if (h < 0 || l < 0 || (!h && !l)) { free(r); return -1; }
        r[i] = (char)(h << 4 | l);
    }
    r[n / 2] = 0;
    char *nl = strchr(r, '\n');
    if (!nl || strchr(nl + 1, '\n')) { free(r); return -1; }
    *nl = 0;
    *raw = r; *at = r; *id = nl + 1;
    return 0;
}

static void h_feed(mmr_request *rq, mmr_reply *rp)
{
    const char *ls = mmr_request_value(rq, MHD_GET_ARGUMENT_KIND, "limit");
    const char *bs = mmr_request_value(rq, MHD_GET_ARGUMENT_KIND, "before");
    long limit = 50;
    if (ls) {
        char *end = NULL;
        limit = strtol(ls, &end, 10);
        if (!*ls || *end || limit < 1 || limit > 200) {
            mmr_reply_error(rp, 400, "limit must be a whole number from 1 to 200");
            return;
        }
    }
    char *raw = NULL;
    const char *at = NULL, *id = NULL;
    if (bs && cursor_decode(bs, &raw, &at, &id)) {
        mmr_reply_error(rp, 400, "before is not a cursor this API returned");
        return;
    }
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_buf items, lat, lid;
    mmr_buf_init(&items); mmr_buf_init(&lat); mmr_buf_init(&lid);
    int more = 0, rc = MMR_STORE_ERROR;
    mmr_store *db = mmr_server_db_take(rq->srv, &d);
    if (db) rc = mmr_store_feed(db, rq->user, limit, at, id, &items, &more, &lat, &lid, &d);
    mmr_server_db_give(rq->srv, db);
    if (rc) store_error(rp, rc, &d);
    else {
        mmr_buf_puts(&rp->body, "{\"feed\":[");
        if (items.len) mmr_buf_append(&rp->body, items.data, items.len);
        mmr_buf_puts(&rp->body, "],\"next\":");
        if (more) cursor_encode(&rp->body, &lat, &lid);
        else mmr_buf_puts(&rp->body, "null");
        mmr_buf_putc(&rp->body, '}');
        mmr_reply_json(rp, 200);
    }
    free(raw);
    mmr_buf_free(&items); mmr_buf_free(&lat); mmr_buf_free(&lid);
    mmr_diags_free(&d);
}

/* Parse a JSON object body; NULL and a 400 reply when it is not one. */
static json_t *body_object(mmr_request *rq, mmr_reply *rp)
{
    json_error_t e;
    json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!j) { mmr_reply_error(rp, 400, "malformed JSON body: %s (line %d, column %d)", e.text, e.line, e.column); return NULL; }
    if (!json_is_object(j)) { json_decref(j); mmr_reply_error(rp, 400, "the body must be a JSON object"); return NULL; }
    return j;
}

/* the only keys a body may have (a typo must not pass silently) */
static int only_keys(json_t *j, const char *const *keys, size_t n, mmr_reply *rp)
{
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        size_t i = 0;
        while (i < n && strcmp(keys[i], k)) i++;
        if (i == n) { mmr_reply_error(rp, 400, "$.%s: unknown field", k); return -1; }
    }
    return 0;
}

static void settings(mmr_request *rq, mmr_reply *rp, const mmr_strlist *mute, int replace)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_strlist none = {0}, muted = {0}, cats = {0};
    char ts[MMR_TIME_BUF];
    mmr_time_format((int64_t)time(NULL), ts);
    int rc = MMR_STORE_ERROR;
    mmr_store *db = mmr_server_db_take(rq->srv, &d);
    if (db) rc = mmr_store_settings(db, rq->user, mute, &none, replace, ts, &muted, &cats, &d);
    mmr_server_db_give(rq->srv, db);
    if (rc == MMR_STORE_INVALID) {
        /* the message names the database file: the client needs only the reason */
        const char *m = d.n ? d.v[0].message : "unknown category";
        mmr_reply_error(rp, 400, "%s", m);
    } else if (rc) {
        store_error(rp, rc, &d);
    } else {
        mmr_buf_puts(&rp->body, "{\"muted\":");
        mmr_strlist_json(&rp->body, &muted);
        mmr_buf_puts(&rp->body, ",\"categories\":");
        mmr_strlist_json(&rp->body, &cats);
        mmr_buf_putc(&rp->body, '}');
        mmr_reply_json(rp, 200);
    }
    mmr_strlist_free(&muted);
    mmr_strlist_free(&cats);
    mmr_diags_free(&d);
}

static void h_settings_get(mmr_request *rq, mmr_reply *rp)
{
    mmr_strlist none = {0};
    settings(rq, rp, &none, 0);
}

static void h_settings_post(mmr_request *rq, mmr_reply *rp)
{
    json_t *j = body_object(rq, rp);
    if (!j) return;
    static const char *const keys[] = { "muted" };
    mmr_strlist mute = {0};
    json_t *m = json_object_get(j, "muted");
    if (only_keys(j, keys, 1, rp)) goto out;
    if (!json_is_array(m)) { mmr_reply_error(rp, 400, "$.muted: must be an array of category names"); goto out; }
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v) {
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
            mmr_reply_error(rp, 400, "$.muted[%zu]: must be a category name (a string)", i);
            goto out;
        }
        if (mmr_strlist_add(&mute, json_string_value(v))) { mmr_reply_error(rp, 503, "out of memory"); goto out; }
    }
    settings(rq, rp, &mute, 1);
out:
    mmr_strlist_free(&mute);
    json_decref(j);
}

static void h_interactions(mmr_request *rq, mmr_reply *rp)
{
    json_t *j = body_object(rq, rp);
    if (!j) return;
    static const char *const keys[] = { "delivery_id", "action" };
    json_t *did = json_object_get(j, "delivery_id"), *act = json_object_get(j, "action");
    const char *a = json_is_string(act) ? json_string_value(act) : "";
    mmr_diags d;
    mmr_diags_init(&d);
    char *owner = NULL;
    if (only_keys(j, keys, 2, rp)) goto out;
    if (!json_is_string(did) || !json_string_length(did) || json_string_length(did) > 255 ||
        strlen(json_string_value(did)) != json_string_length(did)) {
        mmr_reply_error(rp, 400, "$.delivery_id: must be a delivery id (a string)");
        goto out;
    }
    if (strcmp(a, "viewed") && strcmp(a, "clicked") && strcmp(a, "dismissed")) {
        mmr_reply_error(rp, 400, "$.action: must be \"viewed\", \"clicked\" or \"dismissed\"");
        goto out;
    }
    char ts[MMR_TIME_BUF];
    mmr_time_format((int64_t)time(NULL), ts);
    long long iid = 0;
    int rc = MMR_STORE_ERROR;
    mmr_store *db = mmr_server_db_take(rq->srv, &d);
    if (db) rc = mmr_store_interaction(db, json_string_value(did), rq->user, a, ts, &iid, &owner, &d);
    mmr_server_db_give(rq->srv, db);
    if (rc == MMR_STORE_NOT_FOUND) { mmr_reply_error(rp, 404, "no delivery with that id"); goto out; }
    if (rc) { store_error(rp, rc, &d); goto out; }
    mmr_buf_printf(&rp->body, "{\"interaction_id\":%lld,\"delivery_id\":", iid);
    mmr_buf_json_string(&rp->body, json_string_value(did), json_string_length(did));
    mmr_buf_printf(&rp->body, ",\"action\":\"%s\",\"timestamp\":\"%s\"}", a, ts);
    mmr_reply_json(rp, 201);
out:
    free(owner);
    mmr_diags_free(&d);
    json_decref(j);
}

const mmr_route mmr_routes[] = {
    { "GET",  "/healthz",                        AUTH_NONE,   h_healthz,       "200 {\"status\":\"ok\"}" },
    { "GET",  "/",                               AUTH_NONE,   h_page,          "the web page" },
    { "GET",  "/app.js",                         AUTH_NONE,   h_page,          "the web page's script" },
    { "GET",  "/app.css",                        AUTH_NONE,   h_page,          "the web page's style" },
    { "GET",  "/v1/moneymoments/feed",           AUTH_HEADER, h_feed,          "feed, newest first (?limit=1..200, ?before=CURSOR)" },
    { "GET",  "/v1/moneymoments/settings",       AUTH_HEADER, h_settings_get,  "muted and valid categories" },
    { "POST", "/v1/moneymoments/settings",       AUTH_HEADER, h_settings_post, "{\"muted\":[...]} replaces the mutes" },
    { "POST", "/v1/moneymoments/interactions",   AUTH_HEADER, h_interactions,  "{\"delivery_id\",\"action\"} -> 201" },
    { "GET",  "/v1/moneymoments/stream",         AUTH_HEADER_OR_QUERY, mmr_stream_open,
      "SSE: nudges as delivered (Last-Event-ID replays)" },
};
const size_t mmr_nroutes = sizeof mmr_routes / sizeof *mmr_routes;
