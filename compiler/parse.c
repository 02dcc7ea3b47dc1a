/* mmr_parse: glue between the reentrant scanner, the pure parser and the
 * AST; plus the small AST helpers every layer uses. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/ast.h"
#include "parser.h"
#define YYSTYPE MMR_YYSTYPE
#define YYLTYPE MMR_YYLTYPE
#include "lexer.h"

mmr_expr *mmr_expr_new(mmr_arena *a, mmr_expr_kind k, mmr_loc loc)
{
    mmr_expr *e = mmr_arena_calloc(a, sizeof *e);
    if (!e) return NULL;
    e->kind = k;
    e->loc = loc;
    e->type = MMR_T_ERROR;
    e->ref = MMR_REF_NONE;
    e->index = -1;
    return e;
}

const char *mmr_type_name(mmr_type t)
{
    switch (t) {
    case MMR_T_ERROR: return "error";
    case MMR_T_NUMBER: return "number";
    case MMR_T_BOOL: return "bool";
    case MMR_T_TEXT: return "text";
    case MMR_T_LIST_TEXT: return "list<text>";
    case MMR_T_LIST_NUMBER: return "list<number>";
    case MMR_T_MAP_NUMBER: return "map<number>";
    case MMR_T_MISSING: return "missing";
    }
    return "?";
}

const char *mmr_op_text(mmr_op op)
{
    switch (op) {
    case MMR_OP_NONE: return "";
    case MMR_OP_OR: return "or";
    case MMR_OP_AND: return "and";
    case MMR_OP_NOT: return "not";
    case MMR_OP_EQ: return "==";
    case MMR_OP_NE: return "!=";
    case MMR_OP_LT: return "<";
    case MMR_OP_LE: return "<=";
    case MMR_OP_GT: return ">";
    case MMR_OP_GE: return ">=";
    case MMR_OP_COALESCE: return "??";
    case MMR_OP_ADD: return "+";
    case MMR_OP_SUB: return "-";
    case MMR_OP_MUL: return "*";
    case MMR_OP_DIV: return "/";
    case MMR_OP_NEG: return "-";
    case MMR_OP_ANY: return "any";
    case MMR_OP_ALL: return "all";
    case MMR_OP_EACH: return "for each";
    }
    return "?";
}

/* ------------------------------------------------------------ depth check */

/* The children of e, in order; returns how many (at most 3 + nitems*2 via
 * the callback-free iteration below). */
typedef struct depth_frame { mmr_expr *e; int depth; } depth_frame;

/* Depth of an expression tree without recursion. Reports the first node
 * deeper than the limit and returns 1 if the tree is too deep. */
static int too_deep(mmr_pstate *ps, mmr_expr *root)
{
    if (!root) return 0;
    size_t cap = 64, n = 0;
    depth_frame *st = malloc(cap * sizeof *st);
    if (!st) { ps->oom = 1; return 0; }
    st[n++] = (depth_frame){ root, 1 };
    int bad = 0;
    while (n && !bad) {
        depth_frame f = st[--n];
        if (!f.e) continue;
        if (f.depth > MMR_MAX_NESTING) {
            mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, f.e->loc.line, f.e->loc.col,
                         "expression nested too deeply (limit %d)", MMR_MAX_NESTING);
            bad = 1;
            break;
        }
        size_t need = n + 3 + 2 * f.e->nitems;
        if (need > cap) {
            while (cap < need) cap *= 2;
            depth_frame *ns = realloc(st, cap * sizeof *st);
            if (!ns) { ps->oom = 1; break; }
            st = ns;
        }
        mmr_expr *kids[3] = { f.e->lhs, f.e->rhs, f.e->third };
        for (int i = 0; i < 3; i++) if (kids[i]) st[n++] = (depth_frame){ kids[i], f.depth + 1 };
        for (size_t i = 0; i < f.e->nitems; i++) {
            if (f.e->items && f.e->items[i]) st[n++] = (depth_frame){ f.e->items[i], f.depth + 1 };
            if (f.e->keys && f.e->keys[i]) st[n++] = (depth_frame){ f.e->keys[i], f.depth + 1 };
        }
    }
    free(st);
    return bad;
}

/* A tree that is too deep is replaced by `missing`, so later passes (which
 * may recurse) never see it; the error is already reported. */
static void limit_depth(mmr_pstate *ps, mmr_expr **slot)
{
    if (*slot && too_deep(ps, *slot)) {
        mmr_expr *m = mmr_expr_new(ps->arena, MMR_E_MISSING, (*slot)->loc);
        if (m) *slot = m; else ps->oom = 1;
    }
}

static void limit_bindings(mmr_pstate *ps, mmr_binding *b, size_t n)
{
    for (size_t i = 0; i < n; i++) limit_depth(ps, &b[i].expr);
}

/* ------------------------------------------------------------------ parse */

mmr_file *mmr_parse(mmr_arena *arena, const char *path, const char *src,
                    size_t len, mmr_diags *diags)
{
    mmr_file *f = mmr_arena_calloc(arena, sizeof *f);
    if (!f) return NULL;
    if (!path) path = "";
    f->path = mmr_arena_strdup(arena, path);
    char *copy = mmr_arena_alloc(arena, len + 1);
    if (!f->path || !copy) return NULL;
    if (len) memcpy(copy, src, len);
    copy[len] = 0;
    f->src = copy;
    f->src_len = len;
    f->is_std = !strncmp(path, "std/", 4);

    mmr_pstate *ps = calloc(1, sizeof *ps);
    if (!ps) return NULL;
    ps->arena = arena;
    ps->diags = diags;
    ps->path = f->path;
    ps->src = copy;
    ps->len = len;
    ps->file = f;
    ps->line = 1;
    ps->col = 1;

    /* The scanner, its buffer and the parse run under one jump point: the
     * scanner only jumps back here when it runs out of memory. */
    jmp_buf on_fatal;
    ps->on_fatal = &on_fatal;
    yyscan_t scanner = NULL;
    volatile int ok = 1;
    if (mmr_yylex_init_extra(ps, &scanner) != 0) { free(ps); return NULL; }
    if (setjmp(on_fatal) == 0) {
        YY_BUFFER_STATE buf = mmr_yy_scan_bytes(copy, len > (size_t)0x7fffffff ? 0x7fffffff : (int)len, scanner);
        if (!buf) ok = 0;
        else {
            int r = mmr_yyparse(scanner, ps);
            if (r == 2 && !ps->fatal) ps->oom = 1;
            (void)r;
        }
    } else {
        ok = 0;
    }
    mmr_yylex_destroy(scanner);
    if (!ok || ps->oom) { free(ps); return NULL; }

    f->imports = ps->imports.v;     f->nimports = ps->imports.n;
    f->signals = ps->signals.v;     f->nsignals = ps->signals.n;
    f->traits = ps->traits.v;       f->ntraits = ps->traits.n;
    f->lets = ps->lets.v;           f->nlets = ps->lets.n;
    f->templates = ps->templates.v; f->ntemplates = ps->templates.n;
    f->rules = ps->rules.v;         f->nrules = ps->rules.n;
    f->policies = ps->policies.v;   f->npolicies = ps->policies.n;
    f->tests = ps->tests.v;         f->ntests = ps->tests.n;
    f->order = ps->order.v;         f->norder = ps->order.n;
    f->comments = ps->comments.v;   f->ncomments = ps->comments.n;

    for (size_t i = 0; i < f->nlets; i++) limit_depth(ps, &f->lets[i].expr);
    for (size_t i = 0; i < f->nrules; i++) {
        limit_depth(ps, &f->rules[i].when);
        limit_depth(ps, &f->rules[i].audience);
        limit_bindings(ps, f->rules[i].with, f->rules[i].nwith);
    }
    for (size_t i = 0; i < f->ntests; i++) {
        limit_bindings(ps, f->tests[i].given, f->tests[i].ngiven);
        limit_bindings(ps, f->tests[i].traits, f->tests[i].ntraits);
    }
    int oom = ps->oom;
    free(ps);
    return oom ? NULL : f;
}
