/* mmr import FILE.json... — rule/template master JSON to canonical .mmr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "util/buf.h"

static const char help[] =
    "usage: mmr import FILE.json... [-o FILE] [--no-check] [--format text|json]\n"
    "\n"
    "Read MoneyMoments rule master and template master rows (JSON) and print\n"
    "the equivalent canonical .mmr ruleset on stdout. Several files become one\n"
    "ruleset. The result is type-checked like `mmr check` unless --no-check.\n"
    "Names std/moneymoments does not declare are declared from their use, with\n"
    "a warning. Errors name the JSON path: rules.json: $[3].expression_json.if.x\n"
    "\n"
    "  -o FILE       write the .mmr text to FILE instead of stdout\n"
    "  --no-check    only import; do not type-check the result\n"
    "  --format F    diagnostics as text (default) or json\n"
    "\n"
    "The accepted documents are described in docs/json.md.\n";

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int has_decl(const mmr_var_decl *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name)) return 1;
    return 0;
}

/* Append the declarations of src to the growing arrays of dst (arena). */
#define GROW(a, arr, n, add) do { \
        size_t _n = (n) + (add); \
        void *_p = mmr_arena_alloc((a), (_n ? _n : 1) * sizeof *(arr)); \
        if (!_p) return NULL; \
        if (n) memcpy(_p, (arr), (n) * sizeof *(arr)); \
        (arr) = _p; \
    } while (0)

/* One file holding the declarations of every imported file, in order. */
static mmr_file *merge(mmr_arena *a, mmr_file **fs, size_t n)
{
    if (n == 1) return fs[0];
    mmr_file *m = mmr_arena_calloc(a, sizeof *m);
    if (!m) return NULL;
    m->path = fs[0]->path;
    for (size_t i = 0; i < n; i++) {
        mmr_file *f = fs[i];
        for (size_t j = 0; j < f->nimports; j++) {
            int seen = 0;
            for (size_t k = 0; k < m->nimports; k++) seen |= !strcmp(m->imports[k].path, f->imports[j].path);
            if (seen) continue;
            GROW(a, m->imports, m->nimports, 1);
            m->imports[m->nimports++] = f->imports[j];
        }
        GROW(a, m->signals, m->nsignals, f->nsignals);
        for (size_t j = 0; j < f->nsignals; j++)
            if (!has_decl(m->signals, m->nsignals, f->signals[j].name)) m->signals[m->nsignals++] = f->signals[j];
        GROW(a, m->traits, m->ntraits, f->ntraits);
        for (size_t j = 0; j < f->ntraits; j++)
            if (!has_decl(m->traits, m->ntraits, f->traits[j].name)) m->traits[m->ntraits++] = f->traits[j];
        GROW(a, m->templates, m->ntemplates, f->ntemplates);
        for (size_t j = 0; j < f->ntemplates; j++) m->templates[m->ntemplates++] = f->templates[j];
        GROW(a, m->rules, m->nrules, f->nrules);
        for (size_t j = 0; j < f->nrules; j++) m->rules[m->nrules++] = f->rules[j];
    }
    size_t total = m->nimports + m->nsignals + m->ntraits + m->ntemplates + m->nrules;
    m->order = mmr_arena_calloc(a, (total ? total : 1) * sizeof *m->order);
    if (!m->order) return NULL;
    for (size_t i = 0; i < m->nimports; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_IMPORT, i };
    for (size_t i = 0; i < m->nsignals; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_SIGNAL, i };
    for (size_t i = 0; i < m->ntraits; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_TRAIT, i };
    for (size_t i = 0; i < m->ntemplates; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_TEMPLATE, i };
    for (size_t i = 0; i < m->nrules; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_RULE, i };
    return m;
}

/* Import every file into arena a; NULL entries for unreadable files. */
static int import_all(mmr_arena *a, char **paths, size_t n, mmr_file **out, mmr_diags *d)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *text = mmr_read_file(paths[i], &len);
        if (!text) {
            mmr_diag_add(d, MMR_SEV_ERROR, paths[i], 0, 0, "cannot read: %s", mmr_read_error(errno));
            out[i] = NULL;
            ok = 0;
            continue;
        }
        out[i] = mmr_import_json(a, paths[i], text, len, d);
        free(text);
        if (!out[i]) ok = 0;
    }
    return ok;
}

int cmd_import(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char *name, *arg, *outpath = NULL;
    int check = 1;
    cli_format fmt = CLI_FMT_TEXT;
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    if (!paths) return EXIT_INPUT;
    int r;
    while ((r = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (r == 0) { paths[npaths++] = (char *)arg; continue; }
        if (!strcmp(name, "o") || !strcmp(name, "output")) {
            if (!(outpath = cli_opts_value(&o))) { free(paths); return cli_usage_error("import", "-o needs a file name"); }
        } else if (!strcmp(name, "no-check")) {
            check = 0;
        } else if (!strcmp(name, "format")) {
            int bad = cli_parse_diag_format("import", cli_opts_value(&o), &fmt);
            if (bad != EXIT_OK) { free(paths); return bad; }
        } else {
            free(paths);
            return cli_usage_error("import", "unknown option --%s", name);
        }
    }
    if (!npaths) { free(paths); return cli_usage_error("import", "give one or more .json files"); }
    for (size_t i = 0; i < npaths; i++) {
        if (!ends_with(paths[i], ".json")) {
            int rc = cli_usage_error("import", "%s is not a .json file", paths[i]);
            free(paths);
            return rc;
        }
    }

    mmr_diags d;
    mmr_diags_init(&d);
    if (check) {
        /* The loader imports .json paths itself: its diagnostics include
         * the importer's, then the checker's. */
        mmr_unit *u = mmr_unit_load((const char *const *)paths, npaths, &d);
        if (u && !d.errors) mmr_check(u, &d);
        if (u) mmr_unit_free(u);
    }

    mmr_arena a;
    mmr_arena_init(&a, 0);
    mmr_file **files = calloc(npaths, sizeof *files);
    mmr_diags quiet;
    mmr_diags_init(&quiet);
    int ok = files != NULL;
    if (ok && !d.errors) {
        /* With --check the diagnostics were reported above; import again
         * (unchecked ASTs print exactly as imported). */
        ok = import_all(&a, paths, npaths, files, check ? &quiet : &d);
        if (check && quiet.errors && !d.errors) mmr_diags_append(&d, &quiet);
    }
    cli_print_diags(&d, fmt);
    int rc = EXIT_OK;
    if (!ok || d.errors) rc = EXIT_INPUT;
    else {
        mmr_file *m = merge(&a, files, npaths);
        mmr_buf b;
        mmr_buf_init(&b);
        if (m) mmr_print_file(&b, m);
        if (!m || b.oom) {
            fprintf(stderr, "mmr import: out of memory\n");
            rc = EXIT_INPUT;
        } else {
            rc = cli_write_output("import", outpath, b.data ? b.data : "", b.len);
        }
        mmr_buf_free(&b);
    }
    mmr_diags_free(&quiet);
    mmr_diags_free(&d);
    free(files);
    mmr_arena_free(&a);
    free(paths);
    return rc;
}
