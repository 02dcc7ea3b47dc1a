/* The verifier: structural checks of a program, whatever its origin (the
 * code generator or a .mmrc file). Operand checks are driven by the kinds
 * in opcodes.def (mmr_opinfo_table). A program that passes is safe to run:
 * every index is in range, control cannot leave the code, let code ends in
 * RET with an acyclic call graph no deeper than max_call_depth, and every
 * loop goes through NEXT (which the VM bounds). The tables are also held
 * to every invariant the compiler guarantees (compiler/check.c): a .mmrc
 * the compiler could not have written is refused, not half-run. Reports
 * the first problem. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "vm/program.h"
#include "stdlib/builtins.h"
#include "compiler/ast.h"
#include "util/placeholder.h"
#include "util/currency.h"

typedef struct vctx {
    const mmr_program *p;
    const char *name;
    mmr_diags *d;
} vctx;

#define FAIL(v, ...) do { mmr_diag_add((v)->d, MMR_SEV_ERROR, (v)->name, 0, 0, __VA_ARGS__); return -1; } while (0)

static const char *kind_what(int k)
{
    switch (k) {
    case MMR_K_R: return "register";
    case MMR_K_W: return "register";
    case MMR_K_K: return "constant";
    case MMR_K_J: return "jump target";
    case MMR_K_F: return "builtin";
    case MMR_K_L: return "let";
    case MMR_K_U: return "rule";
    case MMR_K_Q: return "condition";
    default: return "operand";
    }
}

static int check_text_value(vctx *v, const mmr_text *t, uint32_t i)
{
    if (!t) FAIL(v, "constant %u: text is null", i);
    if (memchr(t->bytes, 0, t->len) || t->bytes[t->len] != 0) FAIL(v, "constant %u: text holds a NUL byte", i);
    return 0;
}

static int check_const(vctx *v, const mmr_value *c, uint32_t i)
{
    switch (c->tag) {
    case MMR_V_MISSING: case MMR_V_NUM: case MMR_V_BOOL:
        return 0;
    case MMR_V_TEXT:
        return check_text_value(v, c->u.text, i);
    case MMR_V_LIST: {
        const mmr_list *l = c->u.list;
        if (!l || (l->n && !l->items)) FAIL(v, "constant %u: list is null", i);
        for (uint32_t j = 0; j < l->n; j++) {
            const mmr_value *it = &l->items[j];
            if (it->tag == MMR_V_TEXT) { if (check_text_value(v, it->u.text, i)) return -1; }
            else if (it->tag != MMR_V_NUM && it->tag != MMR_V_MISSING)
                FAIL(v, "constant %u: list item %u is neither text nor number", i, j);
        }
        return 0;
    }
    case MMR_V_MAP: {
        const mmr_map *m = c->u.map;
        if (!m || (m->n && (!m->keys || !m->vals))) FAIL(v, "constant %u: map is null", i);
        for (uint32_t j = 0; j < m->n; j++) {
            if (check_text_value(v, m->keys[j], i)) return -1;
            if (j && mmr_text_cmp(m->keys[j - 1], m->keys[j]) >= 0)
                FAIL(v, "constant %u: map keys are not sorted and unique", i);
        }
        return 0;
    }
    default:
        FAIL(v, "constant %u: bad value tag %u", i, c->tag);
    }
}

/* The time zone rule of the checker (compiler/check.c uses this too): a
 * non-empty IANA-style name of letters, digits and / _ - +. */
int mmr_timezone_name_ok(const char *z)
{
    if (!z || !*z) return 0;
    for (; *z; z++)
        if (!(isalnum((unsigned char)*z) || *z == '/' || *z == '_' || *z == '-' || *z == '+')) return 0;
    return 1;
}

static int has_category(const mmr_prog_policy *pol, const char *cat)
{
    for (uint32_t i = 0; i < pol->ncategories; i++)
        if (!strcmp(pol->categories[i], cat)) return 1;
    return 0;
}

/* A name with the table index it came from, to find repeats by sorting. */
typedef struct named { const char *s; uint32_t i; } named;

static int named_cmp(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Slot and let names share one namespace in the compiler; template ids
 * have their own. Reports the first name given twice. */
static int check_unique_names(vctx *v)
{
    const mmr_program *p = v->p;
    size_t nv = (size_t)p->nslots + p->nlets, n = nv > p->ntemplates ? nv : p->ntemplates;
    if (n < 2) return 0;
    named *a = malloc(n * sizeof *a);
    if (!a) FAIL(v, "out of memory");
    for (uint32_t i = 0; i < p->nslots; i++) a[i] = (named){ p->slots[i].name, i };
    for (uint32_t i = 0; i < p->nlets; i++) a[p->nslots + i] = (named){ p->let_names[i], p->nslots + i };
    qsort(a, nv, sizeof *a, named_cmp);
    for (size_t k = 1; k < nv; k++) {
        if (strcmp(a[k - 1].s, a[k].s)) continue;
        uint32_t x = a[k - 1].i, y = a[k].i;
        const char *what = y < p->nslots ? "slot" : "let";
        uint32_t yi = y < p->nslots ? y : y - p->nslots;
        const char *wx = x < p->nslots ? "slot" : "let", *name = a[k].s;
        uint32_t xi = x < p->nslots ? x : x - p->nslots;
        free(a);
        FAIL(v, "%s %u and %s %u are both named \"%s\"", wx, xi, what, yi, name);
    }
    for (uint32_t i = 0; i < p->ntemplates; i++) a[i] = (named){ p->templates[i].id, i };
    qsort(a, p->ntemplates, sizeof *a, named_cmp);
    for (size_t k = 1; k < p->ntemplates; k++) {
        if (strcmp(a[k - 1].s, a[k].s)) continue;
        uint32_t x = a[k - 1].i, y = a[k].i;
        free(a);
        FAIL(v, "templates %u and %u are both named \"%s\"", x, y, p->templates[y].id);
    }
    free(a);
    return 0;
}

/* A template text: placeholders well formed, formats known (the checker's
 * rules, through the same scanner). */
static int check_tpl_text(vctx *v, uint32_t i, const mmr_prog_template *t, const char *s, const char *what)
{
    size_t len = strlen(s), pos = 0;
    for (;;) {
        mmr_seg g = mmr_template_next(s, len, &pos);
        if (g.kind == MMR_SEG_END) return 0;
        if (g.kind == MMR_SEG_ERROR)
            FAIL(v, "template %u (%s): bad placeholder in the %s at byte %zu: %s", i, t->id, what, g.offset,
                 g.error ? g.error : "malformed");
        if (g.kind == MMR_SEG_PLACEHOLDER && !mmr_placeholder_format_ok(g.fmt, g.fmt_len))
            FAIL(v, "template %u (%s): unknown format \"%.*s\" in placeholder {%.*s:%.*s} of the %s", i, t->id,
                 (int)g.fmt_len, g.fmt, (int)g.name_len, g.name, (int)g.fmt_len, g.fmt, what);
    }
}

typedef struct tpl_names {
    named *v; size_t n, cap;        /* s points into a title or body; i is the length */
    size_t *start;                  /* template t's names are v[start[t] .. start[t + 1]) */
} tpl_names;

/* The distinct placeholder names of every (well-formed) template, title
 * then body, in first-use order: the order the compiler gives a rule's
 * values. At most 255 per template, as the checker allows. */
static int collect_placeholders(vctx *v, tpl_names *tn)
{
    const mmr_program *p = v->p;
    tn->start = malloc(((size_t)p->ntemplates + 1) * sizeof *tn->start);
    if (!tn->start) FAIL(v, "out of memory");
    for (uint32_t i = 0; i < p->ntemplates; i++) {
        const mmr_prog_template *t = &p->templates[i];
        tn->start[i] = tn->n;
        const char *texts[2] = { t->title, t->body };
        for (int k = 0; k < 2; k++) {
            size_t len = strlen(texts[k]), pos = 0;
            for (;;) {
                mmr_seg g = mmr_template_next(texts[k], len, &pos);
                if (g.kind != MMR_SEG_TEXT && g.kind != MMR_SEG_PLACEHOLDER) break;
                if (g.kind == MMR_SEG_TEXT) continue;
                size_t j;
                for (j = tn->start[i]; j < tn->n; j++)
                    if (tn->v[j].i == g.name_len && !memcmp(tn->v[j].s, g.name, g.name_len)) break;
                if (j < tn->n) continue;
                if (tn->n - tn->start[i] == 255)
                    FAIL(v, "template %u (%s) has more than 255 placeholders", i, t->id);
                if (tn->n == tn->cap) {
                    size_t nc = tn->cap ? tn->cap * 2 : 64;
                    named *q = realloc(tn->v, nc * sizeof *q);
                    if (!q) FAIL(v, "out of memory");
                    tn->v = q; tn->cap = nc;
                }
                tn->v[tn->n++] = (named){ g.name, (uint32_t)g.name_len };
            }
        }
    }
    tn->start[p->ntemplates] = tn->n;
    return 0;
}

/* What the compiler guarantees about one rule (see compiler/check.c):
 * a name, a category of the policy (the template's, when it has one), a
 * priority 0..1000, a cooldown >= 0, and one value per distinct
 * placeholder of its template, named and ordered as the template uses them. */
static int check_rule(vctx *v, uint32_t i, const tpl_names *tn)
{
    const mmr_program *p = v->p;
    const mmr_prog_rule *r = &p->rules[i];
    if (!r->name || !*r->name) FAIL(v, "rule %u has no name", i);
    if (i && !strcmp(p->rules[i - 1].name, r->name))
        FAIL(v, "rules %u and %u are both named \"%s\"", i - 1, i, r->name);
    if (i && strcmp(p->rules[i - 1].name, r->name) > 0)
        FAIL(v, "rule %u (%s): rules are not sorted by name", i, r->name);
    if (r->template_index >= p->ntemplates)
        FAIL(v, "rule %u (%s): template %u out of range (%u templates)", i, r->name, r->template_index, p->ntemplates);
    const mmr_prog_template *t = &p->templates[r->template_index];
    if (!r->category || !*r->category)
        FAIL(v, "rule %u (%s) has no category (mutes could not apply to it)", i, r->name);
    if (!has_category(&p->policy, r->category))
        FAIL(v, "rule %u (%s): category \"%s\" is not one of the policy's categories", i, r->name, r->category);
    if (t->category && strcmp(t->category, r->category))
        FAIL(v, "rule %u (%s) has category %s but its template %s has category %s", i, r->name, r->category, t->id,
             t->category);
    if (r->priority < 0 || r->priority > 1000)
        FAIL(v, "rule %u (%s): priority %d out of range 0..1000", i, r->name, (int)r->priority);
    if (r->cooldown_s < 0) FAIL(v, "rule %u (%s): negative cooldown", i, r->name);
    if (r->nargs && !r->arg_names) FAIL(v, "rule %u (%s): argument names missing", i, r->name);
    for (uint32_t j = 0; j < r->nargs; j++)
        if (!r->arg_names[j]) FAIL(v, "rule %u (%s): argument %u has no name", i, r->name, j);
    size_t k0 = tn->start[r->template_index], nk = tn->start[r->template_index + 1] - k0;
    if (r->nargs != nk)
        FAIL(v, "rule %u (%s) passes %u values but its template %s has %zu placeholders", i, r->name, r->nargs,
             t->id, nk);
    for (uint32_t j = 0; j < r->nargs; j++) {
        const named *ph = &tn->v[k0 + j];
        if (strlen(r->arg_names[j]) != ph->i || memcmp(r->arg_names[j], ph->s, ph->i))
            FAIL(v, "rule %u (%s): value %u is named %s but placeholder %u of template %s is {%.*s}", i, r->name, j,
                 r->arg_names[j], j, t->id, (int)ph->i, ph->s);
    }
    return 0;
}

/* The policy as the checker leaves it (compiler/check.c, check_policy,
 * and the parser's max_nudges range). */
static int check_policy(vctx *v)
{
    const mmr_prog_policy *pol = &v->p->policy;
    if (pol->max_nudges < 1 || pol->max_nudges > MMR_MAX_NUDGES)
        FAIL(v, "policy: max_nudges %d out of range 1..%d", (int)pol->max_nudges, MMR_MAX_NUDGES);
    if (pol->window_s <= 0) FAIL(v, "policy: the max_nudges window must be longer than 0, got %lld s",
                                 (long long)pol->window_s);
    int32_t qs = pol->quiet_start_min, qe = pol->quiet_end_min;
    if ((qs == -1) != (qe == -1))
        FAIL(v, "policy: quiet hours have a %s but no %s", qs == -1 ? "end" : "start", qs == -1 ? "start" : "end");
    if (qs < -1 || qs >= 1440 || qe < -1 || qe >= 1440)
        FAIL(v, "policy: quiet hours %d..%d out of range (minutes 0..1439, or -1 for none)", (int)qs, (int)qe);
    if (!pol->timezone) FAIL(v, "policy: no time zone");
    if (!mmr_timezone_name_ok(pol->timezone)) FAIL(v, "policy: \"%s\" is not a time zone name", pol->timezone);
    /* absent means INR; "INR" itself is never stored, so one program has one encoding */
    if (pol->currency && (!strcmp(pol->currency, MMR_CURRENCY_DEFAULT) || !mmr_currency_find(pol->currency)))
        FAIL(v, "policy: \"%s\" is not a currency code this mmr stores (%s; INR is stored as none)",
             pol->currency, mmr_currency_codes());
    if (!pol->ncategories) FAIL(v, "policy: the categories list is empty");
    if (!pol->categories) FAIL(v, "policy: category list missing");
    for (uint32_t i = 0; i < pol->ncategories; i++) {
        if (!pol->categories[i] || !*pol->categories[i]) FAIL(v, "policy: category %u has no name", i);
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(pol->categories[i], pol->categories[j]))
                FAIL(v, "policy: category %s is listed twice", pol->categories[i]);
    }
    return 0;
}

static int check_tables(vctx *v)
{
    const mmr_program *p = v->p;
    if ((uint64_t)p->nslots + p->nlets > p->nregs)
        FAIL(v, "%u registers cannot hold %u inputs and %u lets", p->nregs, p->nslots, p->nlets);
    if (p->nregs > 65536) FAIL(v, "%u registers (at most 65536)", p->nregs);
    if (p->nrules > MMR_MAX_RULES) FAIL(v, "%u rules (at most %u)", p->nrules, (unsigned)MMR_MAX_RULES);
    /* lets are acyclic, so no chain is longer than the number of lets */
    if (p->max_call_depth > p->nlets + 1)
        FAIL(v, "max_call_depth %u is more than %u lets can nest", p->max_call_depth, p->nlets);
    if (p->nslots && !p->slots) FAIL(v, "slot table missing");
    int seen_trait = 0;
    for (uint32_t i = 0; i < p->nslots; i++) {
        const mmr_slot *s = &p->slots[i];
        if (!s->name || !*s->name) FAIL(v, "slot %u has no name", i);
        if (s->type < MMR_T_NUMBER || s->type > MMR_T_MAP_NUMBER)
            FAIL(v, "slot %u (%s): bad type %u", i, s->name, s->type);
        if (s->is_trait > 1) FAIL(v, "slot %u (%s): bad trait flag %u", i, s->name, s->is_trait);
        if (seen_trait && !s->is_trait) FAIL(v, "slot %u (%s): a signal after the traits", i, s->name);
        seen_trait |= s->is_trait;
    }
    if (p->nlets && !p->let_names) FAIL(v, "let name table missing");
    for (uint32_t i = 0; i < p->nlets; i++)
        if (!p->let_names[i] || !*p->let_names[i]) FAIL(v, "let %u has no name", i);
    if (p->nconsts && !p->consts) FAIL(v, "constant table missing");
    for (uint32_t i = 0; i < p->nconsts; i++)
        if (check_const(v, &p->consts[i], i)) return -1;
    if (check_policy(v)) return -1;
    if (p->ntemplates && !p->templates) FAIL(v, "template table missing");
    for (uint32_t i = 0; i < p->ntemplates; i++) {
        const mmr_prog_template *t = &p->templates[i];
        if (!t->id || !*t->id) FAIL(v, "template %u has no id", i);
        if (!t->title) FAIL(v, "template %u (%s) has no title", i, t->id);
        if (!t->body) FAIL(v, "template %u (%s) has no body", i, t->id);
        if (check_tpl_text(v, i, t, t->title, "title") || check_tpl_text(v, i, t, t->body, "body")) return -1;
        if (t->category && !has_category(&p->policy, t->category))
            FAIL(v, "template %u (%s): category \"%s\" is not one of the policy's categories", i, t->id, t->category);
    }
    if (check_unique_names(v)) return -1;
    if (p->nrules && !p->rules) FAIL(v, "rule table missing");
    tpl_names tn = { 0 };
    int bad = collect_placeholders(v, &tn);
    for (uint32_t i = 0; i < p->nrules && !bad; i++) bad = check_rule(v, i, &tn);
    free(tn.v); free(tn.start);
    if (bad) return -1;
    if (p->nconds && !p->conds) FAIL(v, "condition table missing");
    for (uint32_t i = 0; i < p->nconds; i++) {
        const mmr_prog_cond *c = &p->conds[i];
        if (c->rule == UINT32_MAX) {
            if (c->let >= p->nlets) FAIL(v, "condition %u: let %u out of range (%u lets)", i, c->let, p->nlets);
        } else if (c->rule >= p->nrules) {
            FAIL(v, "condition %u: rule %u out of range (%u rules)", i, c->rule, p->nrules);
        }
        if (!c->text) FAIL(v, "condition %u has no text", i);
        if (c->part > MMR_COND_CALL) FAIL(v, "condition %u: bad part %u", i, c->part);
    }
    if (p->nrules) {
        if (!p->by_priority) FAIL(v, "rule priority order missing");
        unsigned char *seen = calloc(p->nrules, 1);
        if (!seen) FAIL(v, "out of memory");
        for (uint32_t i = 0; i < p->nrules; i++) {
            uint32_t r = p->by_priority[i];
            if (r >= p->nrules || seen[r]) {
                free(seen);
                FAIL(v, "rule priority order is not a permutation of the %u rules", p->nrules);
            }
            seen[r] = 1;
        }
        free(seen);
        /* selection depends on it: priority descending, then name */
        for (uint32_t i = 1; i < p->nrules; i++) {
            const mmr_prog_rule *a = &p->rules[p->by_priority[i - 1]], *b = &p->rules[p->by_priority[i]];
            if (a->priority < b->priority || (a->priority == b->priority && p->by_priority[i - 1] > p->by_priority[i]))
                FAIL(v, "rule priority order: %s (priority %d) comes before %s (priority %d)", a->name,
                     (int)a->priority, b->name, (int)b->priority);
        }
    }
    return 0;
}

/* One operand: kind k, value x, in instruction pc of code array ci. */
static int check_operand(vctx *v, int ci, uint32_t pc, const mmr_insn *in, int k, uint32_t x,
                         const char *field, uint32_t ncode)
{
    const mmr_program *p = v->p;
    uint32_t lim = 0;
    switch (k) {
    case MMR_K_X:
        if (x) FAIL(v, "code[%d] pc %u: %s: unused operand %s is %u (must be 0)", ci, pc,
                    mmr_opinfo_table[in->op].mnemonic, field, x);
        return 0;
    case MMR_K_N: return 0;
    case MMR_K_C:
        if (x >= MMR_NCMP) FAIL(v, "code[%d] pc %u: bad comparison code %u", ci, pc, x);
        return 0;
    case MMR_K_P:
        if (x >= MMR_NPOL) FAIL(v, "code[%d] pc %u: bad jump polarity %u", ci, pc, x);
        return 0;
    case MMR_K_D:
        if ((x & 15u) >= MMR_NCMP || (x >> 4) >= MMR_NPOL)
            FAIL(v, "code[%d] pc %u: bad comparison/polarity byte 0x%02x", ci, pc, x);
        return 0;
    case MMR_K_W:
        if (x < p->nslots) FAIL(v, "code[%d] pc %u: %s writes input register r%u (inputs are r0..r%u)",
                                ci, pc, mmr_opinfo_table[in->op].mnemonic, x, p->nslots - 1);
        /* fall through */
    case MMR_K_R: lim = p->nregs; break;
    case MMR_K_K: lim = p->nconsts; break;
    case MMR_K_J:
        if (x >= ncode) FAIL(v, "code[%d] pc %u: jump target %u out of range (code has %u instructions)", ci, pc, x, ncode);
        return 0;
    case MMR_K_F: lim = mmr_nbuiltins; break;
    case MMR_K_L: lim = p->nlets; break;
    case MMR_K_U: lim = p->nrules; break;
    case MMR_K_Q: lim = p->nconds; break;
    default: FAIL(v, "code[%d] pc %u: bad operand kind", ci, pc);
    }
    if (x >= lim) FAIL(v, "code[%d] pc %u: %s %u out of range (%u %ss)", ci, pc, kind_what(k), x, lim,
                       kind_what(k));
    return 0;
}

static int is_terminal(uint8_t op)
{
    return op == MMR_I_HALT || op == MMR_I_RET || op == MMR_I_JMP;
}

/* Successors of pc for reachability (LET falls through; its callee is
 * explored separately). Returns the count written to out[2]. */
static int successors(const mmr_insn *in, uint32_t pc, uint32_t out[2])
{
    int n = 0;
    switch (in->op) {
    case MMR_I_HALT: case MMR_I_RET: return 0;
    case MMR_I_JMP: out[n++] = in->b; return n;
    case MMR_I_LET: break;
    default: {
        /* conditional jumps (JIF, JCMPK, JCMP, ITER, NEXT): the J operand */
        const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
        if (oi->b == MMR_K_J) out[n++] = in->b;
        else if (oi->c == MMR_K_J) out[n++] = in->c;
        break;
    }
    }
    out[n++] = pc + 1;
    return n;
}

/* Explore from start. mode 0: main code (RET is an error); mode 1: a let's
 * code (HALT is an error). Collect the lets called in calls[] (as flags). */
static int explore(vctx *v, int ci, const mmr_code *cd, uint32_t start, int mode, uint32_t let,
                   unsigned char *seen, uint32_t *stack, unsigned char *calls)
{
    uint32_t sp = 0;
    memset(seen, 0, cd->n);
    stack[sp++] = start;
    seen[start] = 1;
    while (sp) {
        uint32_t pc = stack[--sp];
        const mmr_insn *in = &cd->insns[pc];
        if (mode == 0 && in->op == MMR_I_RET)
            FAIL(v, "code[%d] pc %u: ret outside a let's code", ci, pc);
        if (mode == 1 && in->op == MMR_I_HALT)
            FAIL(v, "code[%d] pc %u: the code of let %u reaches halt instead of ret", ci, pc, let);
        if (in->op == MMR_I_LET) calls[in->b] = 1;
        uint32_t s[2];
        int n = successors(in, pc, s);
        for (int j = 0; j < n; j++) {
            if (s[j] >= cd->n) FAIL(v, "code[%d] pc %u: control runs off the end of the code", ci, pc);
            if (!seen[s[j]]) { seen[s[j]] = 1; stack[sp++] = s[j]; }
        }
    }
    return 0;
}

/* depth of let l's call chain (1 = calls no let); -1 on a cycle */
static int let_depth(vctx *v, int ci, uint32_t l, const unsigned char *callmat, uint32_t nlets,
                     unsigned char *color, uint32_t *depth)
{
    if (color[l] == 2) return 0;
    if (color[l] == 1) FAIL(v, "code[%d]: let %u (%s) depends on itself", ci, l, v->p->let_names[l]);
    color[l] = 1;
    uint32_t best = 0;
    for (uint32_t j = 0; j < nlets; j++) {
        if (!callmat[(size_t)l * nlets + j]) continue;
        if (let_depth(v, ci, j, callmat, nlets, color, depth)) return -1;
        if (depth[j] > best) best = depth[j];
    }
    depth[l] = best + 1;
    color[l] = 2;
    return 0;
}

static int check_code(vctx *v, int ci)
{
    const mmr_program *p = v->p;
    const mmr_code *cd = &p->code[ci];
    if (cd->n == 0) return 0;
    if (!cd->insns) FAIL(v, "code[%d]: instructions missing", ci);
    uint32_t n = cd->n;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mmr_insn *in = &cd->insns[pc];
        if (in->op >= MMR_NOPCODES) FAIL(v, "code[%d] pc %u: unknown opcode %u", ci, pc, in->op);
        const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
        if (check_operand(v, ci, pc, in, oi->m, in->m, "m", n) ||
            check_operand(v, ci, pc, in, oi->a, in->a, "a", n) ||
            check_operand(v, ci, pc, in, oi->b, in->b, "b", n) ||
            check_operand(v, ci, pc, in, oi->c, in->c, "c", n))
            return -1;
        /* loops must go through NEXT, which the VM bounds */
        uint32_t t = UINT32_MAX;   /* (LET is a call, bounded by its epoch) */
        if (in->op == MMR_I_LET) t = UINT32_MAX;
        else if (oi->b == MMR_K_J) t = in->b;
        else if (oi->c == MMR_K_J) t = in->c;
        if (t <= pc && cd->insns[t].op != MMR_I_NEXT)
            FAIL(v, "code[%d] pc %u: backward jump to pc %u, which is not a next", ci, pc, t);
        switch (in->op) {
        case MMR_I_CALL: {
            const mmr_builtin *b = &mmr_builtins[in->b];
            if (in->m < b->min_args || in->m > b->max_args)
                FAIL(v, "code[%d] pc %u: call of %s with %u arguments (takes %u to %u)", ci, pc, b->name,
                     in->m, b->min_args, b->max_args);
            if ((uint64_t)in->c + in->m > p->nregs)
                FAIL(v, "code[%d] pc %u: arguments r%u..r%u out of range (%u registers)", ci, pc, in->c,
                     in->c + in->m - 1, p->nregs);
            break;
        }
        case MMR_I_FIRE:
            if (in->m != p->rules[in->a].nargs)
                FAIL(v, "code[%d] pc %u: fire of rule %s with %u values (the rule takes %u)", ci, pc,
                     p->rules[in->a].name, in->m, p->rules[in->a].nargs);
            if ((uint64_t)in->b + in->m > p->nregs)
                FAIL(v, "code[%d] pc %u: fire values r%u..r%u out of range (%u registers)", ci, pc, in->b,
                     in->b + in->m - 1, p->nregs);
            break;
        case MMR_I_FIREKEY:
            if (in->m != p->rules[in->a].nargs)
                FAIL(v, "code[%d] pc %u: firekey of rule %s with %u values (the rule takes %u)", ci, pc,
                     p->rules[in->a].name, in->m, p->rules[in->a].nargs);
            if ((uint64_t)in->b + in->m > p->nregs)
                FAIL(v, "code[%d] pc %u: firekey values r%u..r%u out of range (%u registers)", ci, pc, in->b,
                     in->b + in->m - 1, p->nregs);
            if ((uint64_t)in->c + 2 > p->nregs)
                FAIL(v, "code[%d] pc %u: firekey key and rank r%u..r%u out of range (%u registers)", ci, pc, in->c,
                     in->c + 1, p->nregs);
            break;
        case MMR_I_TRACE:
            if (in->m > 3) FAIL(v, "code[%d] pc %u: trace with %u operands (at most 3)", ci, pc, in->m);
            if ((uint64_t)in->c + in->m > p->nregs)
                FAIL(v, "code[%d] pc %u: trace operands out of range (%u registers)", ci, pc, p->nregs);
            break;
        default: break;
        }
    }
    if (!is_terminal(cd->insns[n - 1].op))
        FAIL(v, "code[%d] pc %u: control runs off the end of the code (last instruction is %s)", ci, n - 1,
             mmr_opinfo_table[cd->insns[n - 1].op].mnemonic);

    /* let targets: one per let, each reaching only RET; acyclic; depth */
    uint32_t nl = p->nlets;
    int rc = -1;
    uint32_t *target = malloc(sizeof *target * (nl ? nl : 1));
    unsigned char *seen = malloc(n);
    uint32_t *stack = malloc(sizeof *stack * n);
    unsigned char *callmat = calloc((size_t)(nl ? nl : 1) * (nl ? nl : 1) + (nl ? nl : 1), 1);
    unsigned char *color = calloc(nl ? nl : 1, 1);
    uint32_t *depth = calloc(nl ? nl : 1, sizeof *depth);
    if (!target || !seen || !stack || !callmat || !color || !depth) {
        mmr_diag_add(v->d, MMR_SEV_ERROR, v->name, 0, 0, "out of memory");
        goto out;
    }
    unsigned char *maincalls = callmat + (size_t)nl * nl;
    for (uint32_t i = 0; i < nl; i++) target[i] = UINT32_MAX;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mmr_insn *in = &cd->insns[pc];
        if (in->op != MMR_I_LET) continue;
        if (target[in->b] == UINT32_MAX) target[in->b] = in->c;
        else if (target[in->b] != in->c) {
            mmr_diag_add(v->d, MMR_SEV_ERROR, v->name, 0, 0,
                         "code[%d] pc %u: let %u called at pc %u here but at pc %u before", ci, pc, in->b,
                         in->c, target[in->b]);
            goto out;
        }
    }
    if (explore(v, ci, cd, 0, 0, 0, seen, stack, maincalls)) goto out;
    for (uint32_t l = 0; l < nl; l++) {
        if (target[l] == UINT32_MAX) continue;
        if (explore(v, ci, cd, target[l], 1, l, seen, stack, callmat + (size_t)l * nl)) goto out;
    }
    uint32_t maxd = 0;
    for (uint32_t l = 0; l < nl; l++) {
        if (target[l] == UINT32_MAX) continue;
        if (let_depth(v, ci, l, callmat, nl, color, depth)) goto out;
        if (maincalls[l] && depth[l] > maxd) maxd = depth[l];
    }
    if (maxd > p->max_call_depth) {
        mmr_diag_add(v->d, MMR_SEV_ERROR, v->name, 0, 0,
                     "code[%d]: lets nest %u deep but max_call_depth is %u", ci, maxd, p->max_call_depth);
        goto out;
    }
    rc = 0;
out:
    free(target); free(seen); free(stack); free(callmat); free(color); free(depth);
    return rc;
}

int mmr_verify(const mmr_program *p, const char *name, mmr_diags *d)
{
    vctx v = { p, name ? name : "", d };
    if (!p) FAIL(&v, "no program");
    if (check_tables(&v)) return -1;
    for (int ci = 0; ci < 2; ci++)
        if (check_code(&v, ci)) return -1;
    return 0;
}
