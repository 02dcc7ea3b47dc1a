/* Loading a ruleset: files, directories of *.mmr files (name order),
 * `.json` rule/template masters, and the imports they name.
 *
 * Each file is loaded once (identity: the resolved path, or "std/NAME" for
 * the embedded schemas). Imports are loaded before the importing file, so
 * the unit's files come dependencies first. An import that reaches a file
 * still being loaded is a cycle and is reported with the whole chain.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "compiler/compile.h"
#include "stdlib/builtins.h"
#include "util/buf.h"

enum { ST_LOADING = 1, ST_DONE = 2 };

typedef struct entry {
    char *key;          /* malloc'd: realpath or "std/NAME" */
    const char *shown;  /* arena: path as shown in messages */
    int state;
} entry;

typedef struct loader {
    mmr_unit *u;
    mmr_diags *d;
    entry *v; size_t n, cap;
    size_t *stack; size_t nstack, capstack;   /* entries being loaded */
    int oom;
    int any_import;          /* MMR_LOAD_ANY_IMPORT: no root check */
    char **roots;            /* realpaths of the command-line paths' directories */
    size_t nroots;
    const char *root_shown;  /* the current command-line path's directory, as typed */
} loader;

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

static int add_file(loader *L, mmr_file *f)
{
    mmr_unit *u = L->u;
    mmr_file **nf = realloc(u->files, (u->nfiles + 1) * sizeof *nf);
    if (!nf) { L->oom = 1; return -1; }
    u->files = nf;
    u->files[u->nfiles++] = f;
    return 0;
}

static long find_entry(loader *L, const char *key)
{
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(L->v[i].key, key)) return (long)i;
    return -1;
}

static long new_entry(loader *L, const char *key, const char *shown)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 16;
        entry *nv = realloc(L->v, cap * sizeof *nv);
        if (!nv) { L->oom = 1; return -1; }
        L->v = nv; L->cap = cap;
    }
    char *k = strdup(key);
    if (!k) { L->oom = 1; return -1; }
    L->v[L->n].key = k;
    L->v[L->n].shown = mmr_arena_strdup(&L->u->arena, shown);
    L->v[L->n].state = ST_LOADING;
    return (long)L->n++;
}

static int push(loader *L, size_t idx)
{
    if (L->nstack == L->capstack) {
        size_t cap = L->capstack ? L->capstack * 2 : 16;
        size_t *ns = realloc(L->stack, cap * sizeof *ns);
        if (!ns) { L->oom = 1; return -1; }
        L->stack = ns; L->capstack = cap;
    }
    L->stack[L->nstack++] = idx;
    return 0;
}

static void load_path(loader *L, const char *path, const mmr_loc *from, int from_std);

/* Report an import cycle: the chain from the file first seen in the
 * stack to the one importing it again. */
static void report_cycle(loader *L, long idx, const mmr_loc *from)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "import cycle: ");
    size_t start = 0;
    for (size_t i = 0; i < L->nstack; i++)
        if ((long)L->stack[i] == idx) { start = i; break; }
    for (size_t i = start; i < L->nstack; i++) {
        mmr_buf_puts(&b, L->v[L->stack[i]].shown);
        mmr_buf_puts(&b, " -> ");
    }
    mmr_buf_puts(&b, L->v[idx].shown);
    mmr_diag *g = mmr_diag_add(L->d, MMR_SEV_ERROR, from ? from->file : L->v[idx].shown,
                               from ? from->line : 0, from ? from->col : 0, "%s",
                               b.data ? b.data : "import cycle");
    mmr_diag_set_hint(g, "a file may not import itself, directly or through other files");
    mmr_buf_free(&b);
}

/* Parse (or import) one buffer and follow its imports. The entry is
 * already marked LOADING and on the stack. */
static void load_buffer(loader *L, size_t idx, const char *shown, const char *src,
                        size_t len, int is_std, int is_json)
{
    mmr_unit *u = L->u;
    mmr_file *f;
    if (is_json) f = mmr_import_json(&u->arena, shown, src, len, L->d);
    else f = mmr_parse(&u->arena, shown, src, len, L->d);
    if (!f) { L->oom = 1; return; }
    if (is_std) f->is_std = 1;
    for (size_t i = 0; i < f->nimports; i++)
        load_path(L, f->imports[i].path, &f->imports[i].loc, is_std);
    /* JSON: the importer writes the imports itself (std/moneymoments unless
     * the document's "imports" says otherwise), so none are added here */
    add_file(L, f);
    (void)idx;
}

static void begin(loader *L, long idx) { push(L, (size_t)idx); }
static void finish(loader *L, long idx)
{
    L->v[idx].state = ST_DONE;
    if (L->nstack) L->nstack--;
}

static void load_std(loader *L, const char *name, const mmr_loc *from)
{
    long idx = find_entry(L, name);
    if (idx >= 0) {
        if (L->v[idx].state == ST_LOADING) report_cycle(L, idx, from);
        return;
    }
    size_t len = 0;
    const char *src = mmr_std_source(name, &len);
    if (!src) {
        mmr_diag *g = mmr_diag_add(L->d, MMR_SEV_ERROR, from ? from->file : name,
                                   from ? from->line : 0, from ? from->col : 0,
                                   "unknown standard schema \"%s\"", name);
        mmr_diag_set_hint(g, "the standard library has \"std/moneymoments\"");
        return;
    }
    mmr_buf shown;
    mmr_buf_init(&shown);
    mmr_buf_printf(&shown, "%s.mmr", name);
    idx = new_entry(L, name, shown.data ? shown.data : name);
    mmr_buf_free(&shown);
    if (idx < 0) return;
    begin(L, idx);
    load_buffer(L, (size_t)idx, L->v[idx].shown, src, len, 1, 0);
    finish(L, idx);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_dir(loader *L, const char *path, const mmr_loc *from)
{
    DIR *dir = opendir(path);
    if (!dir) {
        mmr_diag_add(L->d, MMR_SEV_ERROR, from ? from->file : path, from ? from->line : 0,
                     from ? from->col : 0, "cannot read directory %s: %s", path, strerror(errno));
        return;
    }
    char **names = NULL; size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.' || !ends_with(de->d_name, ".mmr")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { L->oom = 1; break; }
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (!names[n]) { L->oom = 1; break; }
        n++;
    }
    closedir(dir);
    if (n == 0 && !L->oom) {
        mmr_diag *g = mmr_diag_add(L->d, MMR_SEV_ERROR, from ? from->file : path,
                                   from ? from->line : 0, from ? from->col : 0,
                                   "directory %s has no .mmr files", path);
        mmr_diag_set_hint(g, "a ruleset directory holds *.mmr files (subdirectories are not searched)");
    }
    if (n > 1) qsort(names, n, sizeof *names, cmp_str);
    mmr_buf b;
    mmr_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        mmr_buf_clear(&b);
        mmr_buf_puts(&b, path);
        if (!ends_with(path, "/")) mmr_buf_putc(&b, '/');
        mmr_buf_puts(&b, names[i]);
        if (b.data) load_path(L, b.data, NULL, 0);
        free(names[i]);
    }
    mmr_buf_free(&b);
    free(names);
}

static void load_disk_file(loader *L, const char *path, const mmr_loc *from)
{
    char *rp = realpath(path, NULL);
    const char *key = rp ? rp : path;
    long idx = find_entry(L, key);
    if (idx >= 0) {
        if (L->v[idx].state == ST_LOADING) report_cycle(L, idx, from);
        free(rp);
        return;
    }
    size_t len = 0;
    char *src = mmr_read_file(path, &len);
    if (!src) {
        int e = errno;
        if (from)
            mmr_diag_add(L->d, MMR_SEV_ERROR, from->file, from->line, from->col,
                         "cannot import \"%s\": %s", path, mmr_read_error(e));
        else
            mmr_diag_add(L->d, MMR_SEV_ERROR, path, 0, 0, "cannot read %s: %s", path, mmr_read_error(e));
        free(rp);
        return;
    }
    idx = new_entry(L, key, path);
    free(rp);
    if (idx < 0) { free(src); return; }
    begin(L, idx);
    load_buffer(L, (size_t)idx, L->v[idx].shown, src, len, 0, ends_with(path, ".json"));
    free(src);
    finish(L, idx);
}

/* stdin has no name to go by: a rule/template master is JSON, so it
 * starts with { or [ (after blanks), which no .mmr source does */
static int looks_json(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) k++;
    return k < n && (s[k] == '{' || s[k] == '[');
}

/* "-" on the command line: the ruleset is read from stdin, shown as
 * "<stdin>" (once, however often "-" is given: stdin ends after the first
 * read); .mmr source, or a JSON master when it starts with { or [. Its
 * imports resolve against the working directory. */
static void load_stdin(loader *L)
{
    if (find_entry(L, "<stdin>") >= 0) return;
    mmr_buf b;
    mmr_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0) mmr_buf_append(&b, tmp, n);
    if (ferror(stdin)) {
        mmr_diag_add(L->d, MMR_SEV_ERROR, "<stdin>", 0, 0, "cannot read <stdin>: %s", strerror(EIO));
        mmr_buf_free(&b);
        return;
    }
    if (b.oom) { L->oom = 1; mmr_buf_free(&b); return; }
    long idx = new_entry(L, "<stdin>", "<stdin>");
    if (idx < 0) { mmr_buf_free(&b); return; }
    begin(L, idx);
    load_buffer(L, (size_t)idx, L->v[idx].shown, b.data ? b.data : "", b.len, 0, looks_json(b.data, b.len));
    mmr_buf_free(&b);
    finish(L, idx);
}

/* The canonical absolute form of p (symlinks resolved); for a path that
 * does not exist yet, its directory's canonical form plus the last name.
 * NULL when neither resolves. */
static char *canon(const char *p)
{
    char *r = realpath(p, NULL);
    if (r) return r;
    const char *slash = strrchr(p, '/');
    char *dir = slash ? strndup(p, slash == p ? 1 : (size_t)(slash - p)) : strdup(".");
    char *rd = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!rd) return NULL;
    const char *base = slash ? slash + 1 : p;
    size_t n = strlen(rd) + strlen(base) + 2;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s%s%s", rd, ends_with(rd, "/") ? "" : "/", base);
    free(rd);
    return out;
}

static int has_dotdot(const char *p)
{
    for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
        if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/')) return 1;
    return 0;
}

/* Is the import file (resolved to full) inside one of the roots? Only
 * imports are checked: the command-line paths define the roots. */
static int inside_roots(loader *L, const char *written, const char *full)
{
    char *c = canon(full);
    if (!c) return written[0] != '/' && !has_dotdot(written);   /* missing: judged as written */
    int in = 0;
    for (size_t i = 0; i < L->nroots && !in; i++) {
        size_t n = strlen(L->roots[i]);
        in = !strncmp(c, L->roots[i], n) && (c[n] == '/' || c[n] == 0 || !strcmp(L->roots[i], "/"));
    }
    free(c);
    return in;
}

/* Adds the directory holding command-line path p to the roots. */
static void add_root(loader *L, const char *p)
{
    /* stdin's imports resolve against the working directory: that is its root */
    int is_stdin = !strcmp(p, "-");
    char *r = realpath(is_stdin ? "." : p, NULL);
    if (!r) return;   /* a missing path fails to load anyway */
    char *rs = is_stdin ? NULL : strrchr(r, '/');
    if (rs) { if (rs == r) rs[1] = 0; else *rs = 0; }
    char **nr = realloc(L->roots, (L->nroots + 1) * sizeof *nr);
    if (!nr) { free(r); L->oom = 1; return; }
    L->roots = nr;
    L->roots[L->nroots++] = r;
}

/* Resolve an import path written in `from`'s file (or a command-line path
 * when from is NULL) and load it. */
static void load_path(loader *L, const char *path, const mmr_loc *from, int from_std)
{
    if (L->oom) return;
    if (!from && !from_std && !strcmp(path, "-")) { load_stdin(L); return; }
    if (!strncmp(path, "std/", 4) || from_std) {
        const char *name = path;
        char *tmp = NULL;
        if (ends_with(path, ".mmr")) {
            tmp = strndup(path, strlen(path) - 4);
            if (!tmp) { L->oom = 1; return; }
            name = tmp;
        }
        load_std(L, name, from);
        free(tmp);
        return;
    }
    mmr_buf full;
    mmr_buf_init(&full);
    if (from && path[0] != '/') {
        const char *slash = strrchr(from->file, '/');
        if (slash) mmr_buf_append(&full, from->file, (size_t)(slash - from->file) + 1);
    }
    mmr_buf_puts(&full, path);
    if (!full.data) { L->oom = 1; mmr_buf_free(&full); return; }
    struct stat st;
    if (stat(full.data, &st) != 0 && from && !ends_with(full.data, ".mmr")) {
        /* import "common" means common.mmr */
        mmr_buf_puts(&full, ".mmr");
        if (full.data && stat(full.data, &st) != 0) full.len -= 4, full.data[full.len] = 0;
    }
    if (from && !L->any_import && !inside_roots(L, path, full.data)) {
        /* an import must not read (and quote in errors) any file on disk */
        mmr_diag *g = mmr_diag_add(L->d, MMR_SEV_ERROR, from->file, from->line, from->col,
                                   "import \"%s\" is outside the ruleset's root %s", path,
                                   L->root_shown ? L->root_shown : ".");
        mmr_diag_set_hint(g, "imports stay under the directory of the paths given; "
                             "pass --allow-outside-root to allow it");
    } else if (stat(full.data, &st) == 0 && S_ISDIR(st.st_mode)) {
        load_dir(L, full.data, from);
    } else if (ends_with(full.data, ".mmrc")) {
        mmr_diag *g = mmr_diag_add(L->d, MMR_SEV_ERROR, from ? from->file : full.data,
                                   from ? from->line : 0, from ? from->col : 0,
                                   "%s is compiled bytecode, not a source file", full.data);
        mmr_diag_set_hint(g, "a .mmrc file can only be used on its own, in place of the sources");
    } else {
        load_disk_file(L, full.data, from);
    }
    mmr_buf_free(&full);
}

static mmr_unit *unit_new(void)
{
    mmr_unit *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    mmr_arena_init(&u->arena, 64 * 1024);
    return u;
}

static mmr_unit *loader_done(loader *L)
{
    for (size_t i = 0; i < L->n; i++) free(L->v[i].key);
    free(L->v);
    for (size_t i = 0; i < L->nroots; i++) free(L->roots[i]);
    free(L->roots);
    free(L->stack);
    if (L->oom) { mmr_unit_free(L->u); return NULL; }
    return L->u;
}

mmr_unit *mmr_unit_load_opts(const char *const *paths, size_t npaths, int flags, mmr_diags *d)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.u = unit_new();
    L.d = d;
    L.any_import = (flags & MMR_LOAD_ANY_IMPORT) != 0;
    if (!L.u) return NULL;
    if (npaths == 0)
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "no ruleset given: name .mmr files or directories");
    /* every root first: a file may import one under another path given */
    for (size_t i = 0; i < npaths && !L.any_import; i++) add_root(&L, paths[i]);
    for (size_t i = 0; i < npaths && !L.oom; i++) {
        if (!L.any_import) {
            const char *slash = strrchr(paths[i], '/');
            char *shown = slash ? strndup(paths[i], slash == paths[i] ? 1 : (size_t)(slash - paths[i])) : NULL;
            L.root_shown = shown ? mmr_arena_strdup(&L.u->arena, shown) : ".";
            free(shown);
        }
        load_path(&L, paths[i], NULL, 0);
    }
    return loader_done(&L);
}

mmr_unit *mmr_unit_load(const char *const *paths, size_t npaths, mmr_diags *d)
{
    return mmr_unit_load_opts(paths, npaths, 0, d);
}

mmr_unit *mmr_unit_load_source(const char *name, const char *src, size_t len, mmr_diags *d)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.u = unit_new();
    L.d = d;
    if (!L.u) return NULL;
    if (!name) name = "<input>";
    long idx = new_entry(&L, name, name);
    if (idx >= 0) {
        begin(&L, idx);
        load_buffer(&L, (size_t)idx, L.v[idx].shown, src ? src : "", src ? len : 0, 0,
                    ends_with(name, ".json") || (!strcmp(name, "<stdin>") && src && looks_json(src, len)));
        finish(&L, idx);
    }
    return loader_done(&L);
}

void mmr_unit_free(mmr_unit *u)
{
    if (!u) return;
    free(u->files);
    free(u->signals);
    free(u->traits);
    free(u->lets);
    free(u->templates);
    free(u->rules);
    free(u->tests);
    mmr_arena_free(&u->arena);
    free(u);
}
