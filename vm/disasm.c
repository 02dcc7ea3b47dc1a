/* The readable listing of a program (mmr disasm): a header with the
 * tables, then each code array, one instruction per line, operands
 * rendered by their kind in opcodes.def. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/program.h"
#include "stdlib/builtins.h"
#include "compiler/ast.h"
#include "util/buf.h"

static const char *const cmp_text[MMR_NCMP] = { "==", "!=", "<", "<=", ">", ">=" };
static const char *const pol_text[MMR_NPOL] = { "if-true", "if-false", "unless-true", "unless-false" };
static const char *const part_text[] = { "when-leaf", "audience-leaf", "let-leaf", "when", "audience", "let",
                                          "key", "inner-leaf", "call" };

/* a quoted string, shortened past max bytes (on a UTF-8 boundary) */
static void quoted(mmr_buf *b, const char *s, size_t n, size_t max)
{
    if (!s) { mmr_buf_puts(b, "(none)"); return; }
    size_t k = n;
    int cut = 0;
    if (k > max) {
        k = max;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
        cut = 1;
    }
    mmr_buf_json_string(b, s, k);
    if (cut) mmr_buf_puts(b, "...");
}

/* Numbers: mmr_buf_number, except for magnitudes it would cast to an
 * integer type out of range (util/buf.c checks the range after the cast). */
static void number_text(mmr_buf *b, double v)
{
    if (v != v || (v > -1e15 && v < 1e15)) { mmr_buf_number(b, v); return; }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    mmr_buf_puts(b, tmp);
}

static void value_text(mmr_buf *b, const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_MISSING: mmr_buf_puts(b, "missing"); break;
    case MMR_V_NUM: number_text(b, v->u.num); break;
    case MMR_V_BOOL: mmr_buf_puts(b, v->u.i ? "true" : "false"); break;
    case MMR_V_TEXT:
        if (v->u.text) quoted(b, v->u.text->bytes, v->u.text->len, 40);
        else mmr_buf_puts(b, "(null)");
        break;
    case MMR_V_LIST: {
        const mmr_list *l = v->u.list;
        mmr_buf_putc(b, '[');
        for (uint32_t i = 0; l && i < l->n; i++) {
            if (i) mmr_buf_puts(b, ", ");
            if (i == 8) { mmr_buf_printf(b, "... %u more", l->n - 8); break; }
            value_text(b, &l->items[i]);
        }
        mmr_buf_putc(b, ']');
        break;
    }
    case MMR_V_MAP: {
        const mmr_map *m = v->u.map;
        mmr_buf_putc(b, '{');
        for (uint32_t i = 0; m && i < m->n; i++) {
            if (i) mmr_buf_puts(b, ", ");
            if (i == 8) { mmr_buf_printf(b, "... %u more", m->n - 8); break; }
            quoted(b, m->keys[i]->bytes, m->keys[i]->len, 40);
            mmr_buf_puts(b, ": ");
            if (m->vals[i] != m->vals[i]) mmr_buf_puts(b, "missing");
            else number_text(b, m->vals[i]);
        }
        mmr_buf_putc(b, '}');
        break;
    }
    default: mmr_buf_printf(b, "<tag %u>", v->tag); break;
    }
}

static void reg_text(mmr_buf *b, const mmr_program *p, uint32_t r)
{
    if (r < p->nslots) mmr_buf_printf(b, "s:%s", p->slots[r].name ? p->slots[r].name : "?");
    else if (r - p->nslots < p->nlets) mmr_buf_printf(b, "let:%s", p->let_names[r - p->nslots] ? p->let_names[r - p->nslots] : "?");
    else mmr_buf_printf(b, "r%u", r);
}

static void operand(mmr_buf *b, const mmr_program *p, const mmr_code *cd, const mmr_insn *in, int kind,
                    uint32_t x, int is_range)
{
    switch (kind) {
    case MMR_K_R: case MMR_K_W:
        if (is_range) {
            if (in->m == 0) mmr_buf_puts(b, "()");
            else if (in->m == 1) { mmr_buf_putc(b, '('); reg_text(b, p, x); mmr_buf_putc(b, ')'); }
            else {
                mmr_buf_putc(b, '(');
                for (uint32_t i = 0; i < in->m; i++) {
                    if (i) mmr_buf_puts(b, ", ");
                    reg_text(b, p, x + i);
                }
                mmr_buf_putc(b, ')');
            }
        } else {
            reg_text(b, p, x);
        }
        break;
    case MMR_K_K:
        mmr_buf_printf(b, "k%u", x);
        if (x < p->nconsts) { mmr_buf_putc(b, '='); value_text(b, &p->consts[x]); }
        break;
    case MMR_K_J:
        mmr_buf_printf(b, "->%u", x);
        if (x >= cd->n) mmr_buf_puts(b, "(out of range)");
        break;
    case MMR_K_F:
        if (x < mmr_nbuiltins) mmr_buf_printf(b, "fn:%s", mmr_builtins[x].name);
        else mmr_buf_printf(b, "fn:#%u", x);
        break;
    case MMR_K_L:
        if (x < p->nlets && p->let_names[x]) mmr_buf_printf(b, "let:%s", p->let_names[x]);
        else mmr_buf_printf(b, "let:#%u", x);
        break;
    case MMR_K_U:
        if (x < p->nrules && p->rules[x].name) mmr_buf_printf(b, "rule:%s", p->rules[x].name);
        else mmr_buf_printf(b, "rule:#%u", x);
        break;
    case MMR_K_Q:
        if (x < p->nconds && p->conds[x].text) {
            mmr_buf_puts(b, "cond:");
            quoted(b, p->conds[x].text, strlen(p->conds[x].text), 60);
        } else {
            mmr_buf_printf(b, "cond:#%u", x);
        }
        break;
    case MMR_K_C:
        mmr_buf_puts(b, x < MMR_NCMP ? cmp_text[x] : "?cmp");
        break;
    case MMR_K_P:
        mmr_buf_puts(b, x < MMR_NPOL ? pol_text[x] : "?pol");
        break;
    case MMR_K_D:
        mmr_buf_printf(b, "%s %s", (x & 15) < MMR_NCMP ? cmp_text[x & 15] : "?cmp",
                       (x >> 4) < MMR_NPOL ? pol_text[x >> 4] : "?pol");
        break;
    case MMR_K_N:
        mmr_buf_printf(b, "n=%u", x);
        break;
    default:
        mmr_buf_printf(b, "%u", x);
        break;
    }
}

static void insn_text(mmr_buf *b, const mmr_program *p, const mmr_code *cd, const mmr_insn *in)
{
    if (in->op >= MMR_NOPCODES) { mmr_buf_printf(b, "<bad opcode %u>", in->op); return; }
    const mmr_opinfo *oi = &mmr_opinfo_table[in->op];
    mmr_buf_printf(b, "%-10s", oi->mnemonic);
    /* with a count in m, the last register operand is the first of m
     * consecutive registers: print them all, and not the count itself */
    int range_field = 0;
    if (oi->m == MMR_K_N) {
        if (oi->c == MMR_K_R) range_field = 3;
        else if (oi->b == MMR_K_R) range_field = 2;
    }
    if (in->op == MMR_I_FIREKEY) range_field = 2;   /* args at b; c is the key, c+1 the rank */
    const int kinds[4] = { oi->m, oi->a, oi->b, oi->c };
    const uint32_t vals[4] = { in->m, in->a, in->b, in->c };
    /* order: a, b, c, then m (comparison/polarity read best last) */
    const int order[4] = { 1, 2, 3, 0 };
    int first = 1;
    for (int j = 0; j < 4; j++) {
        int f = order[j];
        if (kinds[f] == MMR_K_X) continue;
        if (f == 0 && kinds[f] == MMR_K_N && range_field) continue;
        if (!first) mmr_buf_puts(b, ", ");
        first = 0;
        if (in->op == MMR_I_FIREKEY && f == 3) {
            mmr_buf_puts(b, "key ");
            reg_text(b, p, vals[f]);
            mmr_buf_puts(b, ", rank ");
            reg_text(b, p, vals[f] + 1);
            continue;
        }
        operand(b, p, cd, in, kinds[f], vals[f], f == range_field);
    }
    /* an instruction without operands leaves the mnemonic's padding */
    while (first && b->len && b->data[b->len - 1] == ' ') b->data[--b->len] = 0;
}

static void header(mmr_buf *b, const mmr_program *p)
{
    mmr_buf_printf(b, "; %u slots, %u lets, %u constants, %u templates, %u rules, %u conditions\n",
                   p->nslots, p->nlets, p->nconsts, p->ntemplates, p->nrules, p->nconds);
    mmr_buf_printf(b, "; %u registers, call depth %u, code[0] %u instructions, code[1] %u instructions\n",
                   p->nregs, p->max_call_depth, p->code[0].n, p->code[1].n);
    if (p->nslots) mmr_buf_puts(b, "\nslots:\n");
    for (uint32_t i = 0; i < p->nslots; i++)
        mmr_buf_printf(b, "  r%-4u %-6s %s : %s\n", i, p->slots[i].is_trait ? "trait" : "signal",
                       p->slots[i].name ? p->slots[i].name : "?", mmr_type_name((mmr_type)p->slots[i].type));
    if (p->nlets) mmr_buf_puts(b, "\nlets:\n");
    for (uint32_t i = 0; i < p->nlets; i++)
        mmr_buf_printf(b, "  r%-4u let %u %s\n", p->nslots + i, i, p->let_names[i] ? p->let_names[i] : "?");
    if (p->nconsts) mmr_buf_puts(b, "\nconstants:\n");
    for (uint32_t i = 0; i < p->nconsts; i++) {
        mmr_buf_printf(b, "  k%-4u ", i);
        value_text(b, &p->consts[i]);
        mmr_buf_putc(b, '\n');
    }
    if (p->ntemplates) mmr_buf_puts(b, "\ntemplates:\n");
    for (uint32_t i = 0; i < p->ntemplates; i++) {
        const mmr_prog_template *t = &p->templates[i];
        mmr_buf_printf(b, "  t%-4u %s", i, t->id ? t->id : "?");
        if (t->category) mmr_buf_printf(b, " category %s", t->category);
        if (t->tone) mmr_buf_printf(b, " tone %s", t->tone);
        mmr_buf_putc(b, '\n');
    }
    if (p->nrules) mmr_buf_puts(b, "\nrules (highest priority first):\n");
    for (uint32_t k = 0; k < p->nrules; k++) {
        uint32_t i = p->by_priority && p->by_priority[k] < p->nrules ? p->by_priority[k] : k;
        const mmr_prog_rule *r = &p->rules[i];
        mmr_buf_printf(b, "  rule %-3u %s priority %d category %s template %s", i, r->name ? r->name : "?",
                       (int)r->priority, r->category ? r->category : "-",
                       r->template_index < p->ntemplates && p->templates[r->template_index].id
                           ? p->templates[r->template_index].id : "?");
        if (r->cooldown_s) mmr_buf_printf(b, " cooldown %llds", (long long)r->cooldown_s);
        if (r->nargs) {
            mmr_buf_puts(b, " args (");
            for (uint32_t j = 0; j < r->nargs; j++)
                mmr_buf_printf(b, "%s%s", j ? ", " : "", r->arg_names[j] ? r->arg_names[j] : "?");
            mmr_buf_putc(b, ')');
        }
        mmr_buf_putc(b, '\n');
    }
    if (p->nconds) mmr_buf_puts(b, "\nconditions:\n");
    for (uint32_t i = 0; i < p->nconds; i++) {
        const mmr_prog_cond *c = &p->conds[i];
        mmr_buf_printf(b, "  cond %-3u ", i);
        if (c->rule == UINT32_MAX)
            mmr_buf_printf(b, "let:%s", c->let < p->nlets && p->let_names[c->let] ? p->let_names[c->let] : "?");
        else
            mmr_buf_printf(b, "rule:%s", c->rule < p->nrules && p->rules[c->rule].name ? p->rules[c->rule].name : "?");
        mmr_buf_printf(b, " %s ", c->part < sizeof part_text / sizeof part_text[0] ? part_text[c->part] : "?");
        quoted(b, c->text, c->text ? strlen(c->text) : 0, 200);
        mmr_buf_putc(b, '\n');
    }
    const mmr_prog_policy *pol = &p->policy;
    mmr_buf_printf(b, "\npolicy: max_nudges %d per %llds", (int)pol->max_nudges, (long long)pol->window_s);
    if (pol->quiet_start_min >= 0)
        mmr_buf_printf(b, ", quiet_hours %02d:%02d - %02d:%02d", pol->quiet_start_min / 60, pol->quiet_start_min % 60,
                       pol->quiet_end_min / 60, pol->quiet_end_min % 60);
    mmr_buf_printf(b, ", timezone %s", pol->timezone ? pol->timezone : "UTC");
    if (pol->currency) mmr_buf_printf(b, ", currency %s", pol->currency);   /* absent: INR */
    if (pol->ncategories) {
        mmr_buf_puts(b, ", categories");
        for (uint32_t i = 0; i < pol->ncategories; i++) mmr_buf_printf(b, " %s", pol->categories[i] ? pol->categories[i] : "?");
    }
    mmr_buf_putc(b, '\n');
}

static void code_listing(mmr_buf *b, const mmr_program *p, int ci)
{
    const mmr_code *cd = &p->code[ci];
    mmr_buf_printf(b, "\ncode[%d] (%s, %u instructions):\n", ci, ci == 0 ? "fast" : "traced", cd->n);
    /* mark the entry of each let's code */
    for (uint32_t pc = 0; pc < cd->n; pc++) {
        for (uint32_t q = 0; q < cd->n; q++) {
            const mmr_insn *in = &cd->insns[q];
            if (in->op == MMR_I_LET && in->c == pc && in->b < p->nlets) {
                mmr_buf_printf(b, "  ; let %s\n", p->let_names[in->b] ? p->let_names[in->b] : "?");
                break;
            }
        }
        mmr_buf_printf(b, "  %5u  ", pc);
        insn_text(b, p, cd, &cd->insns[pc]);
        mmr_buf_putc(b, '\n');
    }
}

void mmr_disasm(const mmr_program *p, int which_code, void *FILE_out)
{
    FILE *out = FILE_out;
    mmr_buf b;
    mmr_buf_init(&b);
    header(&b, p);
    for (int ci = 0; ci < 2; ci++)
        if (which_code < 0 || which_code > 1 || which_code == ci) code_listing(&b, p, ci);
    if (b.len) fwrite(b.data, 1, b.len, out);
    mmr_buf_free(&b);
}
