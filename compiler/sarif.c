/* SARIF 2.1.0 output for `mmr lint --format sarif` (GitHub code scanning). */
#include "compiler/lint.h"
#include "util/buf.h"
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *level_of(mmr_severity s)
{
    return s == MMR_SEV_ERROR ? "error" : s == MMR_SEV_WARNING ? "warning" : "note";
}

/* "#mmr-w012-never-fires": GitHub's anchor for the heading "## MMR-W012 never-fires" */
static void anchor(mmr_buf *b, const mmr_lint_info *L)
{
    mmr_buf_putc(b, '#');
    for (const char *p = L->id; *p; p++) mmr_buf_putc(b, (char)tolower((unsigned char)*p));
    mmr_buf_putc(b, '-');
    mmr_buf_puts(b, L->name);
}

/* A JSON string for any bytes: jansson refuses invalid UTF-8 (json_string
 * returns NULL and the key would silently vanish, leaving invalid SARIF),
 * so such bytes (a Latin-1 file name in a message) become U+FFFD. */
static json_t *jstr(const char *s)
{
    if (!s) s = "";
    size_t n = strlen(s);
    json_t *j = json_stringn(s, n);
    if (j) return j;
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_utf8(&b, s, n);
    j = json_stringn(b.data ? b.data : "", b.len);
    mmr_buf_free(&b);
    return j;
}

static json_t *text_obj(const char *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", jstr(s));
    return o;
}

/* A URI reference for a path: relative paths stay relative (to %SRCROOT%),
 * absolute ones below the current directory are made relative, others
 * become file:// URIs. Unreserved characters and '/' pass, the rest are
 * percent-encoded. Sets *relative. */
static char *path_uri(const char *path, int *relative)
{
    char cwd[PATH_MAX];
    const char *p = path ? path : "";
    *relative = 1;
    if (p[0] == '/') {
        size_t n;
        if (getcwd(cwd, sizeof cwd) && (n = strlen(cwd)) && !strncmp(p, cwd, n) && p[n] == '/')
            p += n + 1;
        else *relative = 0;
    }
    while (p[0] == '.' && p[1] == '/') p += 2;
    mmr_buf b;
    mmr_buf_init(&b);
    if (!*relative) mmr_buf_puts(&b, "file://");
    for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
        if (isalnum(*s) || strchr("-._~/", *s)) mmr_buf_putc(&b, (char)*s);
        else mmr_buf_printf(&b, "%%%02X", *s);
    }
    mmr_buf_putc(&b, 0);
    if (b.oom) { mmr_buf_free(&b); return NULL; }
    return mmr_buf_take(&b);
}

char *mmr_lint_sarif(const mmr_diags *d, const char *tool_version, const char *docs_url)
{
    if (docs_url && !*docs_url) docs_url = NULL;
    json_t *root = json_object();
    json_object_set_new(root, "$schema", json_string(SARIF_SCHEMA));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_t *runs = json_array();
    json_t *run = json_object();
    json_t *tool = json_object();
    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("mmr"));
    if (docs_url) json_object_set_new(driver, "informationUri", jstr(docs_url));
    json_object_set_new(driver, "version", json_string(tool_version ? tool_version : "0"));
    json_t *rules = json_array();
    mmr_buf b;
    mmr_buf_init(&b);
    for (int i = 0; i < MMR_LINT_COUNT; i++) {
        const mmr_lint_info *L = &mmr_lint_table[i];
        json_t *r = json_object();
        json_object_set_new(r, "id", json_string(L->id));
        json_object_set_new(r, "name", json_string(L->name));
        json_object_set_new(r, "shortDescription", text_obj(L->summary));
        mmr_buf_clear(&b);
        mmr_buf_printf(&b, "%s Fix: %s.", L->summary, L->hint);
        json_object_set_new(r, "fullDescription", text_obj(b.data));
        if (docs_url) {
            mmr_buf_clear(&b);
            mmr_buf_puts(&b, docs_url);
            anchor(&b, L);
            json_object_set_new(r, "helpUri", jstr(b.data ? b.data : docs_url));
        }
        json_t *help = json_object();
        mmr_buf_clear(&b);
        mmr_buf_printf(&b, "%s %s: %s.", L->id, L->name, L->hint);
        json_object_set_new(help, "text", json_string(b.data ? b.data : ""));
        json_object_set_new(r, "help", help);
        json_t *conf = json_object();
        json_object_set_new(conf, "level", json_string(level_of(L->severity)));
        json_object_set_new(r, "defaultConfiguration", conf);
        json_array_append_new(rules, r);
    }
    json_object_set_new(driver, "rules", rules);
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);

    json_t *results = json_array();
    for (size_t i = 0; i < d->n; i++) {
        const mmr_diag *g = &d->v[i];
        int idx = g->code ? mmr_lint_lookup(g->code, strlen(g->code)) : -1;
        if (idx < 0) idx = MMR_LINT_COMPILE_ERROR;
        json_t *res = json_object();
        json_object_set_new(res, "ruleId", json_string(mmr_lint_table[idx].id));
        json_object_set_new(res, "ruleIndex", json_integer(idx));
        json_object_set_new(res, "level", json_string(level_of(g->sev)));
        mmr_buf_clear(&b);
        mmr_buf_puts(&b, g->message ? g->message : "");
        if (g->jpath) mmr_buf_printf(&b, " (at %s)", g->jpath);
        json_object_set_new(res, "message", text_obj(b.data ? b.data : ""));
        if (g->file && *g->file) {
            int rel;
            char *uri = path_uri(g->file, &rel);
            json_t *loc = json_object();
            json_t *phys = json_object();
            json_t *art = json_object();
            json_object_set_new(art, "uri", json_string(uri ? uri : ""));
            if (rel) json_object_set_new(art, "uriBaseId", json_string("%SRCROOT%"));
            json_object_set_new(phys, "artifactLocation", art);
            if (g->line > 0) {
                json_t *reg = json_object();
                json_object_set_new(reg, "startLine", json_integer(g->line));
                if (g->col > 0) json_object_set_new(reg, "startColumn", json_integer(g->col));
                if (g->end_line >= g->line && g->end_line > 0 && g->end_col > 0) {
                    json_object_set_new(reg, "endLine", json_integer(g->end_line));
                    /* ours is inclusive, SARIF's is one past the end */
                    json_object_set_new(reg, "endColumn", json_integer(g->end_col + 1));
                }
                json_object_set_new(phys, "region", reg);
            }
            json_object_set_new(loc, "physicalLocation", phys);
            json_t *locs = json_array();
            json_array_append_new(locs, loc);
            json_object_set_new(res, "locations", locs);
            free(uri);
        }
        json_array_append_new(results, res);
    }
    json_object_set_new(run, "results", results);
    json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
    json_array_append_new(runs, run);
    json_object_set_new(root, "runs", runs);
    mmr_buf_free(&b);

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) return NULL;
    size_t n = strlen(text);
    char *out = malloc(n + 2);
    if (out) { memcpy(out, text, n); out[n] = '\n'; out[n + 1] = 0; }
    free(text);
    return out;
}
