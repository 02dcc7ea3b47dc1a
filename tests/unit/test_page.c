/* The page `mmr serve` hands out is embedded byte for byte from server/page/
 * (run from the repository root, as tests/run.sh does). */
#include <stdlib.h>

#include "server/page.h"
#include "t.h"

/* Reads a whole file; returns NULL if it cannot. The caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) { free(b); b = NULL; }
            else b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static void same_as_source(const char *url, const char *file, const char *type)
{
    const char *body = NULL, *ct = NULL;
    size_t len = 0, flen = 0;
    T_EQ_INT(mmr_page_asset(url, &body, &len, &ct), 1);
    T_EQ_STR(ct, type);
    char *src = slurp(file, &flen);
    T_CHECK(src != NULL);
    if (src && body) {
        T_EQ_INT(len, flen);
        T_CHECK(len == flen && memcmp(body, src, len) == 0);
        T_EQ_INT(strlen(body), len); /* no NUL inside: servers may treat it as a C string */
    }
    free(src);
}

int main(void)
{
    same_as_source("/", "server/page/index.html", "text/html; charset=utf-8");
    same_as_source("/index.html", "server/page/index.html", "text/html; charset=utf-8");
    same_as_source("/app.js", "server/page/app.js", "text/javascript; charset=utf-8");
    same_as_source("/app.css", "server/page/app.css", "text/css; charset=utf-8");

    const char *body = NULL, *ct = NULL;
    size_t len = 0;
    T_CHECK(mmr_page_asset("/", &body, &len, &ct) && strstr(body, "<title>MoneyMoments</title>") != NULL);

    /* anything else is not a page asset, and the outputs are left alone */
    const char *keep = "untouched";
    body = keep; ct = keep; len = 7;
    T_EQ_INT(mmr_page_asset("/app.js?v=1", &body, &len, &ct), 0);
    T_EQ_INT(mmr_page_asset("/v1/moneymoments/feed", &body, &len, &ct), 0);
    T_EQ_INT(mmr_page_asset("", &body, &len, &ct), 0);
    T_EQ_INT(mmr_page_asset("/APP.JS", &body, &len, &ct), 0);
    T_EQ_INT(mmr_page_asset("/../server/page/app.js", &body, &len, &ct), 0);
    T_EQ_INT(mmr_page_asset(NULL, &body, &len, &ct), 0);
    T_CHECK(body == keep && ct == keep && len == 7);
    return T_DONE("page");
}
