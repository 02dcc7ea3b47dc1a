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
    "       mmr import - [...]        (the JSON from stdin)\n"
    "\n"
    "Read MoneyMoments rule master and template master rows (JSON) and print\n"
    "the equivalent canonical .mmr ruleset on stdout. Several files become one\n"
    "ruleset. The result is type-checked like `mmr check` unless --no-check.\n"
    "Names std/moneymoments does not declare are declared from their use, with\n"
    "a warning. Errors name the JSON path: rules.json: $[3].expression_json.if.x\n"
    "\n"
    "  -o FILE       write the .mmr text to FILE instead of stdout (- = stdout)\n"
    "  --no-check    only import; do not type-check the result\n"
    "  --format F    diagnostics as text (default) or json, on stderr (json\n"
    "                on stdout when -o FILE takes the output)\n"
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
        GROW(a, m->policies, m->npolicies, f->npolicies);
        for (size_t j = 0; j < f->npolicies; j++) m->policies[m->npolicies++] = f->policies[j];
        GROW(a, m->tests, m->ntests, f->ntests);
        for (size_t j = 0; j < f->ntests; j++) m->tests[m->ntests++] = f->tests[j];
    }
    size_t total = m->nimports + m->nsignals + m->ntraits + m->ntemplates + m->nrules + m->npolicies + m->ntests;
    m->order = mmr_arena_calloc(a, (total ? total : 1) * sizeof *m->order);
    if (!m->order) return NULL;
    for (size_t i = 0; i < m->nimports; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_IMPORT, i };
    for (size_t i = 0; i < m->nsignals; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_SIGNAL, i };
    for (size_t i = 0; i < m->ntraits; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_TRAIT, i };
    for (size_t i = 0; i < m->ntemplates; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_TEMPLATE, i };
    for (size_t i = 0; i < m->nrules; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_RULE, i };
    for (size_t i = 0; i < m->npolicies; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_POLICY, i };
    for (size_t i = 0; i < m->ntests; i++) m->order[m->norder++] = (mmr_decl_ref){ MMR_D_TEST, i };
    return m;
}

/* Import every file into arena a; NULL entries for unreadable files. in
 * (inlen bytes) is the text of stdin, then the only file. */
static int import_all(mmr_arena *a, char **paths, size_t n, mmr_file **out, mmr_diags *d,
                      const char *in, size_t inlen)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = inlen;
        char *text = in ? malloc(inlen + 1) : mmr_read_file(paths[i], &len);   /* in: stdin, the only file */
        if (in && text) memcpy(text, in, inlen + 1);
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
            if (!(outpath = cli_opts_need(&o))) { free(paths); return EXIT_USAGE; }
        } else if (!strcmp(name, "no-check")) {
            int no_check = 0;
            if (cli_opts_flag(&o, &no_check)) { free(paths); return EXIT_USAGE; }
            check = !no_check;
        } else if (!strcmp(name, "format")) {
            int bad = cli_parse_diag_format("import", cli_opts_value(&o), &fmt);
            if (bad != EXIT_OK) { free(paths); return bad; }
        } else {
            free(paths);
            return cli_opts_unknown(&o);
        }
    }
    if (!npaths) { free(paths); return cli_usage_error("import", "give one or more .json files"); }
    /* "-": the master from stdin, read once here and used twice (checked,
     * then imported); it is then the only FILE */
    char *in = NULL;
    size_t inlen = 0;
    for (size_t i = 0; i < npaths; i++) {
        if (!strcmp(paths[i], "-") && npaths > 1) {
            free(paths);
            return cli_usage_error("import", "- (stdin) must be the only FILE");
        }
        if (!strcmp(paths[i], "-")) {
            mmr_buf sb;
            mmr_buf_init(&sb);
            char tmp[65536];
            size_t n;
            while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0) mmr_buf_append(&sb, tmp, n);
            if (ferror(stdin) || sb.oom) {
                mmr_buf_free(&sb);
                free(paths);
                fprintf(stderr, "mmr import: cannot read <stdin>\n");
                return EXIT_INPUT;
            }
            inlen = sb.len;
            in = sb.data ? mmr_buf_take(&sb) : calloc(1, 1);
            if (!in) { free(paths); fprintf(stderr, "mmr import: out of memory\n"); return EXIT_INPUT; }
            paths[i] = "<stdin>";
            continue;
        }
        if (!ends_with(paths[i], ".json")) {
            int rc = cli_usage_error("import", "%s is not a .json file", paths[i]);
            free(paths);
            free(in);
            return rc;
        }
    }

    mmr_diags d;
    mmr_diags_init(&d);
    if (check) {
        /* The loader imports .json paths itself: its diagnostics include
         * the importer's, then the checker's. */
        mmr_unit *u = in ? mmr_unit_load_source("<stdin>", in, inlen, &d)
                         : mmr_unit_load((const char *const *)paths, npaths, &d);
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
        ok = import_all(&a, paths, npaths, files, check ? &quiet : &d, in, inlen);
        if (check && quiet.errors && !d.errors) mmr_diags_append(&d, &quiet);
    }
    for (size_t i = 0; i < npaths; i++) {
        /* report in file order, not in the order of the importer's passes */
        size_t len = 0;
        char *text = mmr_read_file(paths[i], &len);
        if (text) mmr_json_diags_order(&d, paths[i], text, len);
        free(text);
    }
    /* JSON diagnostics go to stdout only when the output goes to a file */
    cli_print_diags_to(fmt == CLI_FMT_JSON && outpath && strcmp(outpath, "-") ? stdout : stderr, &d, fmt);
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
    free(in);
    return rc;
}
