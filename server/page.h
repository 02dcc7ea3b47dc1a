/* The web page `mmr serve` hands out at "/", "/app.js" and "/app.css".
 * The bodies are static text compiled into the binary, so the server needs no
 * files on disk and the page always matches the API it was built with. */
#ifndef MMR_SERVER_PAGE_H
#define MMR_SERVER_PAGE_H

#include <stddef.h>

/* Looks up a page asset by request path (no query string).
 * Returns 1 and sets *body, *len and *content_type (all static, never freed)
 * for "/", "/index.html", "/app.js" and "/app.css"; returns 0 for anything else
 * and leaves the outputs untouched. */
int mmr_page_asset(const char *path, const char **body, size_t *len,
                   const char **content_type);

#endif
