/* `mmr eval --explain` output: see cli/eval_explain.h and docs/eval.md. */
#include <stdlib.h>
#include <string.h>
#include "cli/eval_explain.h"

/* ------------------------------------------------------------ details */

/* A trace is in post-order: a call's record follows its arguments', a
 * condition's its calls', a quantifier step's its predicate's, the
 * quantifier's its steps'. The compiler numbers the details in pre-order
 * (compiler/codegen.c), so the details of a detail are the latest records
 * of its owner (rule or let) not yet taken whose number is above its own:
 * not a condition's sibling before it, nor the steps before a step. A
 * top-level condition takes all that are left. Records of other owners (a
 * let computed in the middle of a rule) do not disturb the order. */

static uint32_t owner_of(const mmr_program *p, const mmr_prog_cond *c)
{
    return c->rule == UINT32_MAX ? p->nrules + c->let : c->rule;
}

int eval_tree_build(eval_tree *t, const mmr_program *p, const mmr_vm *vm)
{
    size_t n = vm->ntrace, no = (size_t)p->nrules + p->nlets;
    if (n > t->cap) {
        size_t cap = n < 64 ? 64 : n;
        uint32_t *a = realloc(t->child, cap * sizeof *a);
        if (a) t->child = a;
        uint32_t *b = realloc(t->sib, cap * sizeof *b);
        if (b) t->sib = b;
        uint32_t *c = realloc(t->next, cap * sizeof *c);
        if (c) t->next = c;
        if (!a || !b || !c) return -1;
        t->cap = cap;
    }
    if (no > t->ocap || !t->head) {
        uint32_t *h = realloc(t->head, (no ? no : 1) * sizeof *h);
        if (!h) return -1;
        t->head = h;
        t->ocap = no ? no : 1;
    }
    for (size_t o = 0; o < no; o++) t->head[o] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        t->child[i] = t->sib[i] = t->next[i] = UINT32_MAX;
        const mmr_prog_cond *c = &p->conds[vm->trace[i].cond];
        uint32_t o = owner_of(p, c);
        if (o >= no) continue;
        /* newest first: prepending leaves them in the order they ran */
        uint32_t k = t->head[o];
        int top = !MMR_COND_IS_DETAIL(c->part);
        while (k != UINT32_MAX && (top || vm->trace[k].cond > vm->trace[i].cond)) {
            uint32_t nx = t->next[k];
            t->sib[k] = t->child[i];
            t->child[i] = k;
            k = nx;
        }
        t->head[o] = k;
        if (MMR_COND_IS_DETAIL(c->part)) {
            t->next[i] = t->head[o];
            t->head[o] = (uint32_t)i;
        }
    }
    return 0;
}

void eval_tree_free(eval_tree *t)
{
    free(t->child); free(t->sib); free(t->next); free(t->head);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------ values */


static void put_truth(mmr_buf *o, int t)
{
    mmr_buf_puts(o, t > 0 ? "\"true\"" : t == 0 ? "\"false\"" : "\"unknown\"");
}

static const char *truth_word(int t) { return t > 0 ? "true" : t == 0 ? "false" : "unknown"; }

static void put_value(mmr_buf *o, const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_NUM: mmr_buf_number(o, v->u.num); break;
    case MMR_V_BOOL: mmr_buf_puts(o, v->u.i ? "true" : "false"); break;
    case MMR_V_TEXT: mmr_buf_json_string(o, v->u.text->bytes, v->u.text->len); break;
    case MMR_V_LIST:
        mmr_buf_putc(o, '[');
        for (uint32_t i = 0; i < v->u.list->n; i++) {
            if (i) mmr_buf_putc(o, ',');
            put_value(o, &v->u.list->items[i]);
        }
        mmr_buf_putc(o, ']');
        break;
    case MMR_V_MAP:
        mmr_buf_putc(o, '{');
        for (uint32_t i = 0; i < v->u.map->n; i++) {
            if (i) mmr_buf_putc(o, ',');
            mmr_buf_json_string(o, v->u.map->keys[i]->bytes, v->u.map->keys[i]->len);
            mmr_buf_putc(o, ':');
            double x = v->u.map->vals[i];
            if (x != x) mmr_buf_puts(o, "null"); else mmr_buf_number(o, x);
        }
        mmr_buf_putc(o, '}');
        break;
    default: mmr_buf_puts(o, "null"); break;
    }
}

/* Values in text explain: like JSON, but missing is spelled out. */
static void put_value_text(mmr_buf *o, const mmr_value *v)
{
    if (v->tag == MMR_V_MISSING || v->tag == MMR_V_ITER) mmr_buf_puts(o, "missing");
    else put_value(o, v);
}

static void put_place(mmr_buf *o, const mmr_prog_cond *c)
{
    mmr_buf_printf(o, "%s:%d:%d", c->file ? c->file : "", c->line, c->col);
}

/* ,"at":"file:line:col" */
static void put_at_json(mmr_buf *o, const mmr_prog_cond *c)
{
    mmr_buf_puts(o, ",\"at\":\"");
    mmr_buf tmp;
    mmr_buf_init(&tmp);
    put_place(&tmp, c);
    if (tmp.data) {
        /* a path is text: escape it like any string (without the quotes) */
        mmr_buf esc;
        mmr_buf_init(&esc);
        mmr_buf_json_string(&esc, tmp.data, tmp.len);
        if (esc.len >= 2) mmr_buf_append(o, esc.data + 1, esc.len - 2);
        mmr_buf_free(&esc);
    }
    mmr_buf_free(&tmp);
    mmr_buf_putc(o, '"');
}

static void put_ops_json(mmr_buf *o, const mmr_trace_rec *t)
{
    mmr_buf_putc(o, '[');
    for (unsigned i = 0; i < t->nops; i++) {
        if (i) mmr_buf_putc(o, ',');
        put_value(o, &t->ops[i]);
    }
    mmr_buf_putc(o, ']');
}

static void put_children_json(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt, uint32_t i,
                              int depth);

/* One condition (a leaf of a when/audience/let, or of a quantifier's
 * predicate), with its details */
static void put_cond_json(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt, uint32_t i,
                          int with_part, int depth)
{
    const mmr_trace_rec *t = &vm->trace[i];
    const mmr_prog_cond *c = &p->conds[t->cond];
    mmr_buf_puts(o, "{\"cond\":");
    mmr_buf_json_string(o, c->text ? c->text : "", c->text ? strlen(c->text) : 0);
    if (with_part)
        mmr_buf_puts(o, c->part == MMR_COND_AUDIENCE_LEAF ? ",\"in\":\"audience\"" : ",\"in\":\"when\"");
    put_at_json(o, c);
    mmr_buf_puts(o, ",\"values\":");
    put_ops_json(o, t);
    mmr_buf_puts(o, ",\"result\":");
    put_truth(o, t->truth);
    put_children_json(o, p, vm, tt, i, depth);
    mmr_buf_putc(o, '}');
}

/* A record's details: ,"calls":[...] ,"keys":[...] ,"keys_not_shown":N
 * ,"conditions":[...] (a key's predicate) -- each only when there are any. */
static void put_children_json(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt, uint32_t i,
                              int depth)
{
    if (depth >= EVAL_EXPLAIN_MAX_DEPTH) return;   /* only a crafted .mmrc nests this deep */
    static const uint8_t kinds[3] = { MMR_COND_CALL, MMR_COND_INNER_LEAF, MMR_COND_KEY };
    static const char *const names[3] = { "calls", "conditions", "keys" };
    for (int g = 0; g < 3; g++) {
        size_t n = 0;
        for (uint32_t k = tt->child[i]; k != UINT32_MAX; k = tt->sib[k]) {
            const mmr_trace_rec *t = &vm->trace[k];
            const mmr_prog_cond *c = &p->conds[t->cond];
            if (c->part != kinds[g]) continue;
            if (g == 2 && n >= EVAL_EXPLAIN_MAX_KEYS) { n++; continue; }
            mmr_buf_printf(o, n ? "," : ",\"%s\":[", names[g]);
            n++;
            if (g == 0) {                     /* {"call":"pct_change(a, b)","at":..,"args":[240,200],"result":20} */
                mmr_buf_puts(o, "{\"call\":");
                mmr_buf_json_string(o, c->text, strlen(c->text));
                put_at_json(o, c);
                mmr_buf_puts(o, ",\"args\":");
                put_ops_json(o, t);
                mmr_buf_puts(o, ",\"result\":");
                put_value(o, &t->value);
                put_children_json(o, p, vm, tt, k, depth + 1);   /* calls in its arguments */
                mmr_buf_putc(o, '}');
            } else if (g == 1) {
                put_cond_json(o, p, vm, tt, k, 0, depth + 1);
            } else {                          /* {"var":"c","key":"Food","result":"false",...} */
                mmr_buf_puts(o, "{\"var\":");
                mmr_buf_json_string(o, c->text, strlen(c->text));
                mmr_buf_puts(o, ",\"key\":");
                if (t->nops) put_value(o, &t->ops[0]); else mmr_buf_puts(o, "null");
                mmr_buf_puts(o, ",\"result\":");
                put_truth(o, t->truth);
                if (t->nops >= 2) {           /* a per-key rule's step: its `rank by` */
                    mmr_buf_puts(o, ",\"rank\":");
                    put_value(o, &t->ops[1]);
                }
                put_children_json(o, p, vm, tt, k, depth + 1);
                mmr_buf_putc(o, '}');
            }
        }
        if (n) mmr_buf_putc(o, ']');
        if (g == 2 && n > EVAL_EXPLAIN_MAX_KEYS)
            mmr_buf_printf(o, ",\"keys_not_shown\":%zu", n - EVAL_EXPLAIN_MAX_KEYS);
    }
}

static const mmr_candidate *rule_fired(const mmr_vm *vm, uint32_t r)
{
    for (size_t i = 0; i < vm->ncands; i++) if (vm->cands[i].rule == r) return &vm->cands[i];
    return NULL;
}

void eval_cand_text(mmr_buf *o, const mmr_program *p, const mmr_candidate *c)
{
    mmr_buf_puts(o, p->rules[c->rule].name);
    if (c->key.tag != MMR_V_TEXT) return;
    mmr_buf_putc(o, '[');
    mmr_buf_json_string(o, c->key.u.text->bytes, c->key.u.text->len);
    mmr_buf_putc(o, ']');
}

void eval_cand_json(mmr_buf *o, const mmr_program *p, const mmr_candidate *c)
{
    const char *name = p->rules[c->rule].name;
    if (c->key.tag != MMR_V_TEXT) { mmr_buf_json_string(o, name, strlen(name)); return; }
    mmr_buf_puts(o, "{\"rule\":");
    mmr_buf_json_string(o, name, strlen(name));
    mmr_buf_puts(o, ",\"key\":");
    mmr_buf_json_string(o, c->key.u.text->bytes, c->key.u.text->len);
    if (c->rank.tag == MMR_V_NUM) {
        mmr_buf_puts(o, ",\"rank\":");
        mmr_buf_number(o, c->rank.u.num);
    }
    mmr_buf_putc(o, '}');
}

static int cand_before(const mmr_vm *vm, const uint32_t *rank, uint32_t a, uint32_t b)
{
    const mmr_candidate *x = &vm->cands[a], *y = &vm->cands[b];
    if (x->rule != y->rule) return rank[x->rule] < rank[y->rule];
    return mmr_candidate_key_cmp(x, y) < 0;
}

void eval_cand_sort(uint32_t *idx, size_t n, const mmr_vm *vm, const uint32_t *rank)
{
    /* insertion sort: the VM gives the candidates in rule name order and
     * one rule's keys in key order, so the input is nearly sorted */
    for (size_t i = 1; i < n; i++) {
        uint32_t v = idx[i];
        size_t j = i;
        while (j > 0 && cand_before(vm, rank, v, idx[j - 1])) { idx[j] = idx[j - 1]; j--; }
        idx[j] = v;
    }
}

/* A per-key rule's candidates in their order (rank desc, key asc), into
 * out (room for vm->ncands); returns how many. */
static size_t rule_cands(const mmr_vm *vm, uint32_t r, uint32_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < vm->ncands; i++) {
        if (vm->cands[i].rule != r) continue;
        size_t j = n++;
        while (j > 0 && mmr_candidate_key_cmp(&vm->cands[i], &vm->cands[out[j - 1]]) < 0) { out[j] = out[j - 1]; j--; }
        out[j] = (uint32_t)i;
    }
    return n;
}

/* A fired rule's template values: {"goal_name":"Goa Trip",...} */
static void put_args(mmr_buf *o, const mmr_prog_rule *rule, const mmr_candidate *c, int text)
{
    for (uint32_t i = 0; i < c->nargs && i < rule->nargs; i++) {
        const char *name = rule->arg_names[i] ? rule->arg_names[i] : "?";
        if (text) {
            mmr_buf_printf(o, "%s%s = ", i ? ", " : "", name);
            put_value_text(o, &c->args[i]);
        } else {
            if (i) mmr_buf_putc(o, ',');
            mmr_buf_json_string(o, name, strlen(name));
            mmr_buf_putc(o, ':');
            put_value(o, &c->args[i]);
        }
    }
}

/* The derived signals rule r reads (docs/eval.md):
 * "signals":[{"signal":"spend_prev_week","value":200,"window":"previous week",
 *             "from":"2025-10-13","to":"2025-10-19","zone":"Asia/Kolkata","rows":1}] */
static void signals_json(mmr_buf *o, const mmr_sigexplain *sx, const mmr_sigexplain_user *su, uint32_t r,
                         const mmr_value *regs)
{
    const uint32_t *items;
    size_t n = mmr_sigexplain_rule(sx, r, &items);
    if (!n) return;
    mmr_buf_puts(o, ",\"signals\":[");
    for (size_t i = 0; i < n; i++) {
        mmr_sigexplain_item it;
        mmr_sigexplain_get(sx, su, items[i], &it);
        if (i) mmr_buf_putc(o, ',');
        mmr_buf_puts(o, "{\"signal\":");
        mmr_buf_json_string(o, it.name, strlen(it.name));
        mmr_buf_puts(o, ",\"value\":");
        put_value(o, &regs[it.slot]);
        if (!it.computed) {
            if (it.window) {
                mmr_buf_puts(o, ",\"window\":");
                mmr_buf_json_string(o, it.window, strlen(it.window));
                if (it.from[0]) mmr_buf_printf(o, ",\"from\":\"%s\",\"to\":\"%s\"", it.from, it.to);
                else mmr_buf_puts(o, ",\"from\":null,\"to\":null");
                mmr_buf_puts(o, ",\"zone\":");
                mmr_buf_json_string(o, it.zone, strlen(it.zone));
            } else {                          /* budget, goal: the current rows */
                mmr_buf_puts(o, ",\"source\":");
                mmr_buf_json_string(o, it.source, strlen(it.source));
            }
            if (it.rows >= 0) mmr_buf_printf(o, ",\"rows\":%lld", (long long)it.rows);
            else mmr_buf_puts(o, ",\"rows\":null");
        } else {
            mmr_buf_puts(o, ",\"computed_from\":[");
            for (size_t k = 0; k < it.ninputs; k++) {
                if (k) mmr_buf_putc(o, ',');
                mmr_buf_json_string(o, it.inputs[k], strlen(it.inputs[k]));
            }
            mmr_buf_putc(o, ']');
        }
        mmr_buf_putc(o, '}');
    }
    mmr_buf_putc(o, ']');
}

/* Text: "signal spend_prev_week = 200 (previous week: 2025-10-13 .. 2025-10-19
 * Asia/Kolkata, 1 transaction)", one line each, under the rule's conditions. */
static void signals_text(mmr_buf *o, const mmr_sigexplain *sx, const mmr_sigexplain_user *su, uint32_t r,
                         const mmr_value *regs)
{
    const uint32_t *items;
    size_t n = mmr_sigexplain_rule(sx, r, &items);
    for (size_t i = 0; i < n; i++) {
        mmr_sigexplain_item it;
        mmr_sigexplain_get(sx, su, items[i], &it);
        mmr_buf_printf(o, "      signal %s = ", it.name);
        put_value_text(o, &regs[it.slot]);
        if (it.window) {
            mmr_buf_printf(o, " (%s: ", it.window);
            if (it.from[0]) mmr_buf_printf(o, "%s .. %s ", it.from, it.to);
            else mmr_buf_puts(o, "no as_of date, ");
            mmr_buf_puts(o, it.zone);
            if (it.rows >= 0) mmr_buf_printf(o, ", %lld transaction%s", (long long)it.rows, it.rows == 1 ? "" : "s");
            mmr_buf_putc(o, ')');
        } else if (!it.computed) {
            mmr_buf_printf(o, " (current %s rows", it.source);
            if (it.rows >= 0) mmr_buf_printf(o, ": %lld", (long long)it.rows);
            mmr_buf_putc(o, ')');
        } else if (it.ninputs) {
            mmr_buf_puts(o, " (computed from ");
            for (size_t k = 0; k < it.ninputs; k++) mmr_buf_printf(o, "%s%s", k ? ", " : "", it.inputs[k]);
            mmr_buf_putc(o, ')');
        }
        mmr_buf_putc(o, '\n');
    }
}

void eval_explain_json(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt,
                       const mmr_sigexplain *sx, const mmr_sigexplain_user *sxu)
{
    mmr_buf_puts(o, ",\"explain\":[");
    for (uint32_t k = 0; k < p->nrules; k++) {
        uint32_t r = p->by_priority[k];
        const mmr_prog_rule *rule = &p->rules[r];
        if (k) mmr_buf_putc(o, ',');
        mmr_buf_puts(o, "{\"rule\":");
        mmr_buf_json_string(o, rule->name, strlen(rule->name));
        const mmr_candidate *fc = rule_fired(vm, r);
        mmr_buf_printf(o, ",\"priority\":%d,\"fired\":%s", (int)rule->priority, fc ? "true" : "false");
        if (fc && fc->key.tag == MMR_V_TEXT) {
            /* a per-key rule: each key it fired for, in their order */
            uint32_t *ix = malloc(vm->ncands * sizeof *ix);
            if (!ix) { o->oom = 1; return; }
            size_t nk = rule_cands(vm, r, ix);
            mmr_buf_puts(o, ",\"candidates\":[");
            for (size_t j = 0; j < nk; j++) {
                const mmr_candidate *kc = &vm->cands[ix[j]];
                mmr_buf_puts(o, j ? ",{\"key\":" : "{\"key\":");
                mmr_buf_json_string(o, kc->key.u.text->bytes, kc->key.u.text->len);
                if (kc->rank.tag == MMR_V_NUM) { mmr_buf_puts(o, ",\"rank\":"); mmr_buf_number(o, kc->rank.u.num); }
                mmr_buf_puts(o, ",\"values\":{");
                put_args(o, rule, kc, 0);
                mmr_buf_puts(o, "}}");
            }
            mmr_buf_putc(o, ']');
            free(ix);
        } else if (fc) {
            mmr_buf_puts(o, ",\"values\":{");
            put_args(o, rule, fc, 0);
            mmr_buf_putc(o, '}');
        }
        /* "when" first, then "audience" (the code evaluates audience first) */
        int has_aud = 0;
        for (int part = 0; part < 2; part++)
            for (size_t i = 0; i < vm->ntrace; i++) {
                const mmr_prog_cond *c = &p->conds[vm->trace[i].cond];
                if (c->rule != r || c->part != (part ? MMR_COND_AUDIENCE_ALL : MMR_COND_WHEN_ALL)) continue;
                mmr_buf_puts(o, part ? ",\"audience\":" : ",\"when\":");
                put_truth(o, vm->trace[i].truth);
                has_aud |= part;
            }
        mmr_buf_puts(o, ",\"conditions\":[");
        int first = 1;
        for (int part = 0; part < 2; part++)
            for (size_t i = 0; i < vm->ntrace; i++) {
                const mmr_prog_cond *c = &p->conds[vm->trace[i].cond];
                if (c->rule != r || c->part != (part ? MMR_COND_AUDIENCE_LEAF : MMR_COND_WHEN_LEAF)) continue;
                if (!first) mmr_buf_putc(o, ',');
                first = 0;
                put_cond_json(o, p, vm, tt, (uint32_t)i, has_aud, 0);
            }
        mmr_buf_putc(o, ']');
        if (sx) signals_json(o, sx, sxu, r, vm->regs);
        mmr_buf_putc(o, '}');
    }
    mmr_buf_putc(o, ']');
    /* lets: computed once per user, at their first use */
    int any = 0;
    for (size_t i = 0; i < vm->ntrace; i++) {
        const mmr_prog_cond *c = &p->conds[vm->trace[i].cond];
        if (c->rule != UINT32_MAX || c->part != MMR_COND_LET_ALL) continue;
        mmr_buf_puts(o, any ? "," : ",\"lets\":[");
        any = 1;
        const char *name = c->let < p->nlets ? p->let_names[c->let] : "?";
        mmr_buf_puts(o, "{\"let\":");
        mmr_buf_json_string(o, name, strlen(name));
        mmr_buf_puts(o, ",\"value\":");
        /* a number let has its value as its operand; a condition, its truth */
        if (vm->trace[i].nops) put_value(o, &vm->trace[i].value);
        else put_truth(o, vm->trace[i].truth);
        put_children_json(o, p, vm, tt, (uint32_t)i, 0);
        mmr_buf_puts(o, ",\"conditions\":[");
        int first = 1;
        for (size_t j = 0; j < vm->ntrace; j++) {
            const mmr_prog_cond *cj = &p->conds[vm->trace[j].cond];
            if (cj->rule != UINT32_MAX || cj->let != c->let || cj->part != MMR_COND_LET_LEAF) continue;
            if (!first) mmr_buf_putc(o, ',');
            first = 0;
            put_cond_json(o, p, vm, tt, (uint32_t)j, 0, 0);
        }
        mmr_buf_puts(o, "]}");
    }
    if (any) mmr_buf_putc(o, ']');
}

static void text_children(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt, uint32_t i,
                          int indent);

static void text_cond(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt, uint32_t i,
                      int indent)
{
    const mmr_trace_rec *t = &vm->trace[i];
    const mmr_prog_cond *c = &p->conds[t->cond];
    mmr_buf_printf(o, "%*s%-8s %s", indent, "", truth_word(t->truth), c->text ? c->text : "");
    if (t->nops) {
        mmr_buf_puts(o, "   [");
        for (unsigned j = 0; j < t->nops; j++) {
            if (j) mmr_buf_puts(o, ", ");
            put_value_text(o, &t->ops[j]);
        }
        mmr_buf_putc(o, ']');
    }
    mmr_buf_puts(o, "   ");
    put_place(o, c);
    mmr_buf_putc(o, '\n');
    text_children(o, p, vm, tt, i, indent + 2);
}

/* A record's details, one a line, in the order they ran:
 *   call     pct_change(cur[c], prev[c])   (240, 200) -> 20   t.mmr:3:25
 *   c = "Food": false
 *   ... 4 more keys not shown */
static void text_children(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt, uint32_t i,
                          int indent)
{
    if (indent > 6 + 2 * EVAL_EXPLAIN_MAX_DEPTH) return;   /* only a crafted .mmrc nests this deep */
    size_t nkeys = 0;
    for (uint32_t k = tt->child[i]; k != UINT32_MAX; k = tt->sib[k]) {
        const mmr_trace_rec *t = &vm->trace[k];
        const mmr_prog_cond *c = &p->conds[t->cond];
        if (c->part == MMR_COND_INNER_LEAF) text_cond(o, p, vm, tt, k, indent);
        else if (c->part == MMR_COND_CALL) {
            mmr_buf_printf(o, "%*scall     %s   (", indent, "", c->text);
            for (unsigned j = 0; j < t->nops; j++) {
                if (j) mmr_buf_puts(o, ", ");
                put_value_text(o, &t->ops[j]);
            }
            mmr_buf_puts(o, ") -> ");
            put_value_text(o, &t->value);
            mmr_buf_puts(o, "   ");
            put_place(o, c);
            mmr_buf_putc(o, '\n');
            text_children(o, p, vm, tt, k, indent + 2);
        } else if (c->part == MMR_COND_KEY && nkeys++ < EVAL_EXPLAIN_MAX_KEYS) {
            mmr_buf_printf(o, "%*s%s = ", indent, "", c->text);
            if (t->nops) put_value_text(o, &t->ops[0]);
            mmr_buf_printf(o, ": %s", truth_word(t->truth));
            if (t->nops >= 2) {               /* a per-key rule's step: its `rank by` */
                mmr_buf_puts(o, " (rank ");
                put_value_text(o, &t->ops[1]);
                mmr_buf_putc(o, ')');
            }
            mmr_buf_putc(o, '\n');
            text_children(o, p, vm, tt, k, indent + 2);
        }
    }
    if (nkeys > EVAL_EXPLAIN_MAX_KEYS)
        mmr_buf_printf(o, "%*s... %zu more key%s not shown\n", indent, "", nkeys - EVAL_EXPLAIN_MAX_KEYS,
                       nkeys - EVAL_EXPLAIN_MAX_KEYS == 1 ? "" : "s");
}

void eval_explain_text(mmr_buf *o, const mmr_program *p, const mmr_vm *vm, const eval_tree *tt,
                       const mmr_snap_user *u, const uint32_t *order, size_t n,
                       const mmr_sigexplain *sx, const mmr_sigexplain_user *sxu)
{
    mmr_buf_puts(o, "user ");
    mmr_buf_append(o, u->user_id, u->user_id_len);
    if (u->as_of) mmr_buf_printf(o, " (as of %s)", u->as_of);
    mmr_buf_puts(o, ": selected ");
    if (n) eval_cand_text(o, p, &vm->cands[order[0]]);
    else mmr_buf_puts(o, "nothing");
    mmr_buf_puts(o, "\n  candidates:");
    if (!n) mmr_buf_puts(o, " none");
    for (size_t i = 0; i < n; i++) {
        mmr_buf_puts(o, i ? ", " : " ");
        eval_cand_text(o, p, &vm->cands[order[i]]);
    }
    mmr_buf_putc(o, '\n');
    for (size_t i = 0; i < vm->ntrace; i++) {
        const mmr_prog_cond *c = &p->conds[vm->trace[i].cond];
        if (c->rule != UINT32_MAX || c->part != MMR_COND_LET_ALL) continue;
        mmr_buf_printf(o, "  let %s = ", c->let < p->nlets ? p->let_names[c->let] : "?");
        /* a number let has its value as its operand; a condition, its truth */
        if (vm->trace[i].nops) put_value_text(o, &vm->trace[i].value);
        else mmr_buf_puts(o, truth_word(vm->trace[i].truth));
        mmr_buf_putc(o, '\n');
        text_children(o, p, vm, tt, (uint32_t)i, 6);
        for (size_t j = 0; j < vm->ntrace; j++) {
            const mmr_prog_cond *cj = &p->conds[vm->trace[j].cond];
            if (cj->rule == UINT32_MAX && cj->let == c->let && cj->part == MMR_COND_LET_LEAF)
                text_cond(o, p, vm, tt, (uint32_t)j, 6);
        }
    }
    for (uint32_t k = 0; k < p->nrules; k++) {
        uint32_t r = p->by_priority[k];
        const mmr_candidate *fc = rule_fired(vm, r);
        mmr_buf_printf(o, "  rule %s (priority %d): %s", p->rules[r].name, (int)p->rules[r].priority,
                       fc ? "fired" : "not fired");
        if (fc && fc->key.tag == MMR_V_TEXT) {
            /* a per-key rule: one line per key it fired for, in order */
            uint32_t *ix = malloc(vm->ncands * sizeof *ix);
            if (!ix) { o->oom = 1; return; }
            size_t nk = rule_cands(vm, r, ix);
            mmr_buf_printf(o, " for %zu key%s\n", nk, nk == 1 ? "" : "s");
            for (size_t j = 0; j < nk; j++) {
                const mmr_candidate *kc = &vm->cands[ix[j]];
                mmr_buf_puts(o, "    ");
                eval_cand_text(o, p, kc);
                if (kc->rank.tag == MMR_V_NUM) {
                    mmr_buf_puts(o, " (rank ");
                    mmr_buf_number(o, kc->rank.u.num);
                    mmr_buf_putc(o, ')');
                }
                if (kc->nargs) {
                    mmr_buf_puts(o, " with ");
                    put_args(o, &p->rules[r], kc, 1);
                }
                mmr_buf_putc(o, '\n');
            }
            free(ix);
        } else {
            if (fc && fc->nargs) {
                mmr_buf_puts(o, " with ");
                put_args(o, &p->rules[r], fc, 1);
            }
            mmr_buf_putc(o, '\n');
        }
        for (int part = 0; part < 2; part++) {
            int all = part ? MMR_COND_AUDIENCE_ALL : MMR_COND_WHEN_ALL;
            int leaf = part ? MMR_COND_AUDIENCE_LEAF : MMR_COND_WHEN_LEAF;
            for (size_t i = 0; i < vm->ntrace; i++) {
                const mmr_prog_cond *c = &p->conds[vm->trace[i].cond];
                if (c->rule != r || c->part != all) continue;
                mmr_buf_printf(o, "    %s: %s\n", part ? "audience" : "when", truth_word(vm->trace[i].truth));
                for (size_t j = 0; j < vm->ntrace; j++) {
                    const mmr_prog_cond *cj = &p->conds[vm->trace[j].cond];
                    if (cj->rule == r && cj->part == leaf) text_cond(o, p, vm, tt, (uint32_t)j, 6);
                }
            }
        }
        if (sx) signals_text(o, sx, sxu, r, vm->regs);
    }
}

