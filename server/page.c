/* Accessor for the web page assets (see page.h). The sources live in
 * server/page/; the build turns them into $(BUILD)/gen/page_assets.h with
 * scripts/embed_page.py, so editing the page never means editing C. */
#include "server/page.h"

#include <string.h>

#include "page_assets.h"

static const struct {
    const char *path;
    const char *body;
    size_t len;
    const char *type;
} assets[] = {
    { "/",           page_index_html, sizeof page_index_html - 1, "text/html; charset=utf-8" },
    { "/index.html", page_index_html, sizeof page_index_html - 1, "text/html; charset=utf-8" },
    { "/app.js",     page_app_js,     sizeof page_app_js - 1,     "text/javascript; charset=utf-8" },
    { "/app.css",    page_app_css,    sizeof page_app_css - 1,    "text/css; charset=utf-8" },
};

int mmr_page_asset(const char *path, const char **body, size_t *len,
                   const char **content_type)
{
    if (!path) return 0;
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        if (strcmp(path, assets[i].path) != 0) continue;
        if (body) *body = assets[i].body;
        if (len) *len = assets[i].len;
        if (content_type) *content_type = assets[i].type;
        return 1;
    }
    return 0;
}
