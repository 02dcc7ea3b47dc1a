/* mmr_build: paths to a verified program. Sources are loaded, checked and
 * compiled; a single .mmrc path is loaded (and verified) instead. */
#include <string.h>
#include "compiler/compile.h"

static int is_mmrc(const char *p)
{
    size_t n = strlen(p);
    return n >= 5 && !strcmp(p + n - 5, ".mmrc");
}

mmr_program *mmr_build(const char *const *paths, size_t npaths, mmr_diags *d)
{
    return mmr_build_opts(paths, npaths, 0, d);
}

mmr_program *mmr_build_opts(const char *const *paths, size_t npaths, int flags, mmr_diags *d)
{
    const char *mmrc = NULL;
    for (size_t i = 0; i < npaths; i++) if (paths[i] && is_mmrc(paths[i]) && !mmrc) mmrc = paths[i];
    if (mmrc) {
        if (npaths != 1) {
            mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, mmrc, 0, 0,
                                       "a compiled .mmrc file must be the only ruleset path");
            mmr_diag_set_hint(g, "give either one .mmrc file or the .mmr sources");
            return NULL;
        }
        return mmr_program_load(paths[0], d);
    }
    size_t before = d->errors;
    mmr_unit *u = mmr_unit_load_opts(paths, npaths, flags, d);
    if (!u) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        return NULL;
    }
    mmr_check(u, d);
    mmr_program *p = NULL;
    if (d->errors == before) {
        p = mmr_codegen(u, d);
        if (p && mmr_verify(p, "the compiled program", d) != 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "internal error: the generated code does not verify");
            mmr_program_free(p);
            p = NULL;
        }
    }
    mmr_unit_free(u);
    return p;
}
