/* Code generation: compile small rulesets, run them on the VM (fast and
 * traced code, which must agree), check candidates, arguments and traces. */
#include <stdlib.h>
#include "tests/unit/t.h"
#include "compiler/compile.h"
#include "vm/vm.h"
#include "util/arena.h"

static mmr_arena inputs;   /* texts and maps made for inputs */

static mmr_program *build(const char *src)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_source("t.mmr", src, strlen(src), &d);
    mmr_check(u, &d);
    mmr_program *p = NULL;
    if (!d.errors) p = mmr_codegen(u, &d);
    if (p && mmr_verify(p, "t.mmrc", &d) != 0) { mmr_program_free(p); p = NULL; }
    if (!p) mmr_diags_print_text(stderr, &d);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    return p;
}

static int slot(const mmr_program *p, const char *name)
{
    int s = mmr_program_find_slot(p, name);
    if (s < 0) fprintf(stderr, "no slot %s\n", name);
    return s;
}

static void set_num(mmr_vm *vm, const char *name, double v)
{
    int s = slot(vm->prog, name);
    if (s >= 0) vm->regs[s] = mmr_v_num(v);
}

static void set_bool(mmr_vm *vm, const char *name, int v)
{
    int s = slot(vm->prog, name);
    if (s >= 0) vm->regs[s] = v < 0 ? mmr_v_missing() : mmr_v_bool(v);
}

static const mmr_text *mk_text(const char *s)
{
    size_t n = strlen(s);
    mmr_text *t = mmr_arena_alloc(&inputs, sizeof *t + n + 1);
    t->len = (uint32_t)n;
    memcpy(t->bytes, s, n + 1);
    return t;
}

static void set_text(mmr_vm *vm, const char *name, const char *v)
{
    int s = slot(vm->prog, name);
    if (s >= 0) vm->regs[s] = mmr_v_text(mk_text(v));
}

/* keys must be given sorted */
static void set_map(mmr_vm *vm, const char *name, size_t n, const char *const *keys, const double *vals)
{
    int s = slot(vm->prog, name);
    if (s < 0) return;
    mmr_map *m = mmr_arena_alloc(&inputs, sizeof *m);
    const mmr_text **k = mmr_arena_alloc(&inputs, (n ? n : 1) * sizeof *k);
    double *v = mmr_arena_alloc(&inputs, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) { k[i] = mk_text(keys[i]); v[i] = vals[i]; }
    m->n = (uint32_t)n; m->keys = k; m->vals = v;
    vm->regs[s] = mmr_v_map(m);
}

/* Names of the fired rules, comma-separated, in firing order. Runs the
 * fast and the traced code and reports a disagreement. */
static char fired_buf[512];
static const char *run(mmr_vm *vm)
{
    char fast[512] = "", traced[512] = "";
    mmr_value saved[64];
    uint32_t ns = vm->prog->nslots < 64 ? vm->prog->nslots : 64;
    memcpy(saved, vm->regs, ns * sizeof *saved);
    for (int t = 0; t < 2; t++) {
        char *out = t ? traced : fast;
        memcpy(vm->regs, saved, ns * sizeof *saved);
        if (mmr_vm_run(vm, t) != 0) { strcpy(out, "<vm error>"); continue; }
        for (size_t i = 0; i < vm->ncands; i++) {
            if (*out) strcat(out, ",");
            strcat(out, vm->prog->rules[vm->cands[i].rule].name);
        }
    }
    if (strcmp(fast, traced)) {
        t_failed++;
        fprintf(stderr, "fast and traced code disagree: \"%s\" vs \"%s\"\n", fast, traced);
    }
    strcpy(fired_buf, fast);
    return fired_buf;
}

static const char *arg_text(mmr_vm *vm, size_t cand, size_t i)
{
    if (cand >= vm->ncands || i >= vm->cands[cand].nargs) return "(none)";
    const mmr_value *v = &vm->cands[cand].args[i];
    if (v->tag == MMR_V_TEXT) return v->u.text->bytes;
    if (v->tag == MMR_V_MISSING) return "(missing)";
    static char b[64];
    snprintf(b, sizeof b, "%g", v->u.num);
    return b;
}

#define TPL "template T { title \"t\" body \"b\" category dining }\n"

/* ---------------------------------------------------------- the brief's rule */

static void test_dining(void)
{
    mmr_program *p = build(
        "import \"std/moneymoments\"\n"
        "template DINE_01 { title \"Oops\" body \"Your {goal_name} fund is starving\" tone humorous category dining }\n"
        "let heavy_diner = dining_txn_7d >= 3 and wants_share_30d > 35%\n"
        "rule dining_overspend { priority 80 cooldown 3d when heavy_diner\n"
        "  audience age_band in [\"18-24\", \"25-34\", \"35-44\"]\n"
        "  message DINE_01 with { goal_name = underfunded_top_goal ?? \"savings\" } }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_STR(p->rules[0].category, "dining");
    T_EQ_INT(p->rules[0].priority, 80);
    T_EQ_INT(p->rules[0].cooldown_s, 259200);
    T_EQ_INT(p->rules[0].nargs, 1);
    T_EQ_STR(p->rules[0].arg_names[0], "goal_name");
    T_EQ_INT(p->policy.max_nudges, 1);
    T_EQ_INT(p->policy.window_s, 86400);
    T_EQ_INT(p->policy.quiet_start_min, -1);
    T_EQ_STR(p->policy.timezone, "UTC");
    T_EQ_INT(p->policy.ncategories, 5);
    T_EQ_INT(p->nlets, 1);
    T_CHECK(p->max_call_depth >= 1);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "dining_txn_7d", 4); set_num(&vm, "wants_share_30d", 0.40);
    set_text(&vm, "underfunded_top_goal", "Goa Trip"); set_text(&vm, "age_band", "25-34");
    T_EQ_STR(run(&vm), "dining_overspend");
    T_EQ_STR(arg_text(&vm, 0, 0), "Goa Trip");
    /* the default fills a missing goal */
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "dining_txn_7d", 4); set_num(&vm, "wants_share_30d", 0.40); set_text(&vm, "age_band", "18-24");
    T_EQ_STR(run(&vm), "dining_overspend");
    T_EQ_STR(arg_text(&vm, 0, 0), "savings");
    /* exactly 35% does not trigger */
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "dining_txn_7d", 5); set_num(&vm, "wants_share_30d", 0.35); set_text(&vm, "age_band", "25-34");
    T_EQ_STR(run(&vm), "");
    /* an absent signal means no trigger */
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "dining_txn_7d", 9); set_text(&vm, "age_band", "25-34");
    T_EQ_STR(run(&vm), "");
    /* outside the audience; and a missing trait is not in the audience */
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "dining_txn_7d", 4); set_num(&vm, "wants_share_30d", 0.5); set_text(&vm, "age_band", "55+");
    T_EQ_STR(run(&vm), "");
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "dining_txn_7d", 4); set_num(&vm, "wants_share_30d", 0.5);
    T_EQ_STR(run(&vm), "");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* ---------------------------------------------------------- missing values */

static void test_missing_bases(void)
{
    mmr_program *p = build(
        "signal cur : number\nsignal prev : number\n" TPL
        "rule a_growth { priority 1 when pct_change(cur, prev) > 20% message T }\n"
        "rule b_ratio { priority 1 when ratio(cur, prev) >= 2 message T }\n"
        "rule c_div { priority 1 when cur / prev >= 2 message T }\n"
        "rule d_not_growth { priority 1 when not (pct_change(cur, prev) > 20%) message T }\n"
        "rule e_default { priority 1 when (ratio(cur, prev) ?? 0) < 1 message T }\n"
        "rule f_absent { priority 1 when prev is missing message T }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    mmr_vm vm;
    mmr_vm_init(&vm, p);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "cur", 600); set_num(&vm, "prev", 200);
    T_EQ_STR(run(&vm), "a_growth,b_ratio,c_div");
    mmr_vm_clear_inputs(&vm);            /* zero base: all missing, nothing but the default */
    set_num(&vm, "cur", 600); set_num(&vm, "prev", 0);
    T_EQ_STR(run(&vm), "e_default");
    mmr_vm_clear_inputs(&vm);            /* no previous week */
    set_num(&vm, "cur", 600);
    T_EQ_STR(run(&vm), "e_default,f_absent");
    mmr_vm_clear_inputs(&vm);            /* small growth */
    set_num(&vm, "cur", 210); set_num(&vm, "prev", 200);
    T_EQ_STR(run(&vm), "d_not_growth");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* ---------------------------------------------------------- Kleene tables */

static int k_and(int a, int b) { return (a == 0 || b == 0) ? 0 : (a == 1 && b == 1) ? 1 : -1; }
static int k_or(int a, int b) { return (a == 1 || b == 1) ? 1 : (a == 0 && b == 0) ? 0 : -1; }
static int k_not(int a) { return a < 0 ? -1 : !a; }

static void test_kleene(void)
{
    mmr_program *p = build(
        "signal x : bool\nsignal y : bool\nsignal n : number\n" TPL
        "rule r1_and { priority 1 when x and y message T }\n"
        "rule r2_or { priority 1 when x or y message T }\n"
        "rule r3_not { priority 1 when not x message T }\n"
        "rule r4_nand { priority 1 when not (x and y) message T }\n"
        "rule r5_nor { priority 1 when not (x or y) message T }\n"
        "rule r6_mix { priority 1 when not (x and not y) or (y and not x) message T }\n"
        "rule r7_cmp { priority 1 when not (n > 3) and (x or n <= 3) message T }\n"
        "rule r8_val { priority 1 when (x and y) == false message T }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    mmr_vm vm;
    mmr_vm_init(&vm, p);
    int vals[3] = { 1, 0, -1 };
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 3; k++) {
                int x = vals[i], y = vals[j];
                double nv = k == 0 ? 5 : k == 1 ? 1 : NAN;
                int ncmp = k == 2 ? -1 : (nv > 3);
                mmr_vm_clear_inputs(&vm);
                set_bool(&vm, "x", x); set_bool(&vm, "y", y);
                if (k < 2) set_num(&vm, "n", nv);
                int want[8] = {
                    k_and(x, y), k_or(x, y), k_not(x), k_not(k_and(x, y)), k_not(k_or(x, y)),
                    k_or(k_not(k_and(x, k_not(y))), k_and(y, k_not(x))),
                    k_and(k_not(ncmp), k_or(x, k_not(ncmp))),
                    k_and(x, y) < 0 ? -1 : k_and(x, y) == 0,
                };
                static const char *names[8] = { "r1_and", "r2_or", "r3_not", "r4_nand", "r5_nor", "r6_mix", "r7_cmp", "r8_val" };
                char expect[256] = "";
                for (int r = 0; r < 8; r++) {
                    if (want[r] != 1) continue;
                    if (*expect) strcat(expect, ",");
                    strcat(expect, names[r]);
                }
                const char *got = run(&vm);
                if (strcmp(got, expect)) {
                    t_failed++;
                    fprintf(stderr, "kleene x=%d y=%d n=%g: got \"%s\", want \"%s\"\n", x, y, nv, got, expect);
                } else t_passed++;
            }
        }
    }
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* ---------------------------------------------------------- lets */

static int count_op_any(const mmr_program *p, int which, int op)
{
    int n = 0;
    for (uint32_t i = 0; i < p->code[which].n; i++) n += p->code[which].insns[i].op == op;
    return n;
}

static void test_lets_once(void)
{
    mmr_program *p = build(
        "signal a : number\nsignal b : number\n" TPL
        "let big = a > 10 and b > 10\n"
        "let bigger = big and a > 100\n"
        "let unused = a + 1\n"
        "rule r1 { priority 1 when big message T }\n"
        "rule r2 { priority 1 when bigger message T }\n"
        "rule r3 { priority 1 when big and b < 50 message T }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_INT(p->max_call_depth, 2);
    /* each let body is in code[0] once, and LET is how rules reach it;
     * `bigger`, a bool let used once, is compiled in control form where it
     * is used (r2), so code[0] has no body for it */
    int lets = 0, rets = 0;
    for (uint32_t i = 0; i < p->code[0].n; i++) {
        if (p->code[0].insns[i].op == MMR_I_LET) lets++;
        if (p->code[0].insns[i].op == MMR_I_RET) rets++;
    }
    T_EQ_INT(rets, 2);
    T_CHECK(lets >= 3);
    /* code[1] keeps every let's body (and its traces) */
    T_EQ_INT(count_op_any(p, 1, MMR_I_RET), 3);
    mmr_vm vm;
    mmr_vm_init(&vm, p);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "a", 200); set_num(&vm, "b", 20);
    T_EQ_STR(run(&vm), "r1,r2,r3");
    /* in the traced run every let's whole value is traced exactly once */
    int seen_big = 0, seen_bigger = 0;
    for (size_t i = 0; i < vm.ntrace; i++) {
        const mmr_prog_cond *c = &p->conds[vm.trace[i].cond];
        if (c->part != MMR_COND_LET_ALL) continue;
        if (c->let == 0) seen_big++;
        if (c->let == 1) seen_bigger++;
    }
    T_EQ_INT(seen_big, 1);
    T_EQ_INT(seen_bigger, 1);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "a", 20); set_num(&vm, "b", 60);
    T_EQ_STR(run(&vm), "r1");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* ---------------------------------------------------------- quantifiers */

static void test_quantifier(void)
{
    mmr_program *p = build(
        "import \"std/moneymoments\"\n"
        "template SPIKE { title \"{category_name} is up\" body \"{category_name}: {amount:money}\" category budget }\n"
        "rule cat_spike { priority 5\n"
        "  when any cat in category_spend_7d where category_spend_7d[cat] > prev_category_spend_7d[cat] * 1.25\n"
        "  message SPIKE with { category_name = cat, amount = category_spend_7d[cat] } }\n"
        "rule all_small { priority 5 category budget\n"
        "  when all k in category_spend_7d where category_spend_7d[k] < 1000\n"
        "  message SPIKE with { category_name = \"all\", amount = sum(category_spend_7d) } }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_INT(p->rules[1].nargs, 2);
    T_EQ_STR(p->rules[1].arg_names[0], "category_name");
    T_EQ_STR(p->rules[1].arg_names[1], "amount");
    mmr_vm vm;
    mmr_vm_init(&vm, p);
    static const char *const k3[] = { "dining", "shopping", "travel" };
    static const char *const k2[] = { "dining", "shopping" };
    double cur[] = { 260, 500, 10 }, prev[] = { 100, 100 };
    mmr_vm_clear_inputs(&vm);
    set_map(&vm, "category_spend_7d", 3, k3, cur);
    set_map(&vm, "prev_category_spend_7d", 2, k2, prev);
    /* dining and shopping both spiked: the first key in sorted order binds */
    T_EQ_STR(run(&vm), "all_small,cat_spike");
    T_EQ_STR(arg_text(&vm, 1, 0), "dining");
    T_EQ_STR(arg_text(&vm, 1, 1), "260");
    /* only travel is up, but it has no previous week: unknown, no trigger */
    double cur2[] = { 100, 100, 900 };
    mmr_vm_clear_inputs(&vm);
    set_map(&vm, "category_spend_7d", 3, k3, cur2);
    set_map(&vm, "prev_category_spend_7d", 2, k2, prev);
    T_EQ_STR(run(&vm), "all_small");
    /* a missing map: unknown for any and all */
    mmr_vm_clear_inputs(&vm);
    T_EQ_STR(run(&vm), "");
    /* all is false once a key fails */
    double cur3[] = { 100, 5000, 1 };
    mmr_vm_clear_inputs(&vm);
    set_map(&vm, "category_spend_7d", 3, k3, cur3);
    set_map(&vm, "prev_category_spend_7d", 2, k2, prev);
    T_EQ_STR(run(&vm), "cat_spike");
    T_EQ_STR(arg_text(&vm, 0, 0), "shopping");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* ---------------------------------------------------------- code shape */

static int count_op(const mmr_program *p, int which, int op)
{
    int n = 0;
    for (uint32_t i = 0; i < p->code[which].n; i++) n += p->code[which].insns[i].op == op;
    return n;
}

static void test_shape(void)
{
    mmr_program *p = build(
        "signal s : number\nsignal t : text\n"
        "template T { title \"{t} and {s:int}\" body \"{s} {t} {extra}\" category goal }\n"
        "rule r { priority 1000 when s >= 2 * 3 and 10 > s and t == \"x\" message T with { extra = 1 + 1 } }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    /* every comparison with a constant is fused, the text one too */
    T_EQ_INT(count_op(p, 0, MMR_I_JCMPK), 3);
    T_EQ_INT(count_op(p, 0, MMR_I_CMPK), 0);
    T_EQ_INT(count_op(p, 0, MMR_I_MUL), 0);      /* folded */
    T_EQ_INT(count_op(p, 0, MMR_I_ADD), 0);      /* folded */
    T_EQ_INT(count_op(p, 0, MMR_I_FIRE), 1);
    T_EQ_INT(count_op(p, 0, MMR_I_TRACE), 0);
    /* traced: three leaves and the whole when */
    T_EQ_INT(count_op(p, 1, MMR_I_TRACE), 4);
    T_EQ_INT(p->nconds, 4);
    T_EQ_INT(p->conds[3].part, MMR_COND_WHEN_ALL);
    T_EQ_INT(p->conds[0].part, MMR_COND_WHEN_LEAF);
    T_EQ_INT(p->conds[0].line, 4);
    T_EQ_INT(p->rules[0].nargs, 3);
    T_EQ_STR(p->rules[0].arg_names[0], "t");
    T_EQ_STR(p->rules[0].arg_names[1], "s");
    T_EQ_STR(p->rules[0].arg_names[2], "extra");
    T_EQ_STR(p->rules[0].category, "goal");
    T_EQ_INT(p->nslots, 2);
    T_EQ_STR(p->slots[1].name, "t");
    mmr_vm vm;
    mmr_vm_init(&vm, p);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "s", 7); set_text(&vm, "t", "x");
    T_EQ_STR(run(&vm), "r");
    T_EQ_STR(arg_text(&vm, 0, 0), "x");
    T_EQ_STR(arg_text(&vm, 0, 1), "7");
    T_EQ_STR(arg_text(&vm, 0, 2), "2");
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "s", 10); set_text(&vm, "t", "x");
    T_EQ_STR(run(&vm), "");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* code[0] for speed: a `with` value the `when` computes is computed once,
 * into its FIRE register; numeric builtins inline on their operands;
 * register comparisons fused; all without changing results */
static void test_speed_shape(void)
{
    mmr_program *p = build(
        "signal a : number\nsignal b : number\nsignal g : text\n"
        "template T { title \"{d} {c} {m}\" body \"{g}\" category dining }\n"
        "rule r { priority 1 when abs(a) > 0.15 and pct_change(a, b) > 0.2 and a > b\n"
        "  message T with { d = abs(a), c = pct_change(a, b), m = min(a, b, 1), g = g ?? \"none\" } }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_INT(count_op(p, 0, MMR_I_ABS), 1);
    T_EQ_INT(count_op(p, 0, MMR_I_PCTCHG), 1);
    T_EQ_INT(count_op(p, 0, MMR_I_MIN), 2);
    T_EQ_INT(count_op(p, 0, MMR_I_CALL), 0);
    T_EQ_INT(count_op(p, 0, MMR_I_MOVE), 0);
    T_EQ_INT(count_op(p, 0, MMR_I_JCMP), 1);
    T_EQ_INT(count_op(p, 0, MMR_I_CMP), 0);
    T_EQ_INT(count_op(p, 0, MMR_I_COALK), 1);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "a", 6000); set_num(&vm, "b", 4000);
    T_EQ_STR(run(&vm), "r");
    T_EQ_STR(arg_text(&vm, 0, 0), "6000");
    T_EQ_STR(arg_text(&vm, 0, 1), "0.5");
    T_EQ_STR(arg_text(&vm, 0, 2), "1");
    T_EQ_STR(arg_text(&vm, 0, 3), "none");
    set_num(&vm, "b", 0);           /* pct_change missing: unknown, no fire */
    T_EQ_STR(run(&vm), "");
    set_num(&vm, "a", -6000); set_num(&vm, "b", -8000);   /* pct_change -0.25 */
    T_EQ_STR(run(&vm), "");
    vm.regs[slot(p, "b")] = mmr_v_missing();
    T_EQ_STR(run(&vm), "");
    mmr_vm_free(&vm);
    mmr_program_free(p);
    /* `not (a > b)` with a missing operand is unknown: no fire either way */
    p = build("signal a : number\nsignal b : number\n" TPL
              "rule r1 { priority 1 when not (a > b) message T }\n"
              "rule r2 { priority 1 when a > b or a == 1 message T }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "a", 1);
    T_EQ_STR(run(&vm), "r2");
    set_num(&vm, "b", 0);
    T_EQ_STR(run(&vm), "r2");
    set_num(&vm, "b", 5);
    T_EQ_STR(run(&vm), "r1,r2");
    set_num(&vm, "a", 2);
    T_EQ_STR(run(&vm), "r1");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

static void test_policy_and_order(void)
{
    mmr_program *p = build(
        "signal s : number\n"
        "template T { title \"t\" body \"b\" category fun }\n"
        "template U { title \"t\" body \"b\" }\n"
        "policy { max_nudges 3 per 2d quiet_hours 22:00 - 08:00 timezone \"Asia/Kolkata\" categories [fun, games] }\n"
        "rule zeta { priority 10 when s > 0 message T }\n"
        "rule alpha { priority 10 category games when s > 0 message U }\n"
        "rule mid { priority 500 when s > 1 message T }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_INT(p->policy.max_nudges, 3);
    T_EQ_INT(p->policy.window_s, 172800);
    T_EQ_INT(p->policy.quiet_start_min, 22 * 60);
    T_EQ_INT(p->policy.quiet_end_min, 8 * 60);
    T_EQ_STR(p->policy.timezone, "Asia/Kolkata");
    T_EQ_INT(p->policy.ncategories, 2);
    T_EQ_STR(p->rules[0].name, "alpha");
    T_EQ_STR(p->rules[0].category, "games");
    T_EQ_STR(p->rules[2].category, "fun");
    T_EQ_INT(p->by_priority[0], 1);     /* mid */
    T_EQ_INT(p->by_priority[1], 0);     /* alpha before zeta on equal priority */
    T_EQ_INT(p->by_priority[2], 2);
    mmr_vm vm;
    mmr_vm_init(&vm, p);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "s", 5);
    T_EQ_STR(run(&vm), "alpha,mid,zeta");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* a long chain of lets: each runs once, with its own live registers */
static void test_let_chain(void)
{
    static char src[64 * 1024];
    size_t n = 0;
    n += (size_t)snprintf(src + n, sizeof src - n, "signal s : number\n"
                          "template T { title \"{v}\" body \"b\" category goal }\n");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(src + n, sizeof src - n, "let a%d = (a%d + 1) * 1 + (s - s)\n", i, i + 1);
    n += (size_t)snprintf(src + n, sizeof src - n, "let a200 = s * 2\n"
                          "rule r { priority 1 when a0 > 0 and a100 > 0 message T with { v = a0 + a150 } }\n");
    mmr_program *p = build(src);
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_INT(p->max_call_depth, 201);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    mmr_vm_clear_inputs(&vm);
    set_num(&vm, "s", 5);
    T_EQ_STR(run(&vm), "r");
    T_EQ_STR(arg_text(&vm, 0, 0), "270");     /* (10 + 200) + (10 + 50) */
    mmr_vm_clear_inputs(&vm);
    T_EQ_STR(run(&vm), "");
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

static void test_shipped_rules(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    const char *paths[] = { "rules/moneymoments" };
    mmr_program *p = mmr_build(paths, 1, &d);
    T_CHECK(p != NULL);
    T_EQ_INT(d.errors, 0);
    if (p) {
        T_EQ_INT(p->nrules, 5);
        T_EQ_STR(p->policy.timezone, "Asia/Kolkata");
        mmr_vm vm;
        T_EQ_INT(mmr_vm_init(&vm, p), 0);
        mmr_vm_clear_inputs(&vm);
        set_num(&vm, "shopping_txn_7d", 4); set_num(&vm, "shopping_spend_30d", 6000);
        set_num(&vm, "shopping_spend_prev_30d", 0);
        T_EQ_STR(run(&vm), "");
        set_num(&vm, "shopping_spend_prev_30d", 4000);
        T_EQ_STR(run(&vm), "shopping_spike");
        mmr_vm_free(&vm);
    }
    mmr_program_free(p);
    mmr_diags_free(&d);
}

/* A per-key rule: one candidate per key whose `where` is true, each with
 * its key, rank and values; fast and traced code agree; the audience
 * gates every key; a missing map gives none; .mmrc version 2 round trip. */
static void test_for_each(void)
{
    mmr_program *p = build(
        "signal cur : map<number>\n"
        "signal prev : map<number>\n"
        "trait vip : bool\n"
        "template UP { title \"{c} up\" body \"{c}: {now}\" category budget }\n"
        "rule up {\n"
        "  priority 80\n"
        "  for each k in cur where prev[k] > 0 and cur[k] > prev[k] * 1.25 rank by cur[k] - prev[k]\n"
        "  audience vip\n"
        "  message UP with { c = k, now = cur[k] ?? 0 }\n"
        "}\n"
        "rule plain { priority 10 when vip message UP with { c = \"x\", now = 1 } }\n");
    T_CHECK(p != NULL);
    if (!p) return;
    static const char *const keys[] = { "Food", "Fuel", "Travel" };
    static const double cur[] = { 260, 10, 900 }, prev[] = { 200, 100, 500 };
    for (int traced = 0; traced < 2; traced++) {
        mmr_vm vm;
        T_EQ_INT(mmr_vm_init(&vm, p), 0);
        set_map(&vm, "cur", 3, keys, cur);
        set_map(&vm, "prev", 3, keys, prev);
        set_bool(&vm, "vip", 1);
        T_EQ_INT(mmr_vm_run(&vm, traced), 0);
        T_EQ_INT(vm.ncands, 3);            /* plain, up["Food"], up["Travel"] (name order) */
        int nkeyed = 0;
        for (size_t i = 0; i < vm.ncands; i++) {
            const mmr_candidate *c = &vm.cands[i];
            if (strcmp(p->rules[c->rule].name, "plain") == 0) { T_EQ_INT(c->key.tag, MMR_V_MISSING); continue; }
            nkeyed++;
            T_EQ_INT(c->key.tag, MMR_V_TEXT);
            T_EQ_INT(c->rank.tag, MMR_V_NUM);
            T_EQ_INT(c->nargs, 2);
            if (c->key.tag != MMR_V_TEXT || c->nargs != 2) continue;
            T_EQ_STR(c->args[0].u.text->bytes, c->key.u.text->bytes);
            if (!strcmp(c->key.u.text->bytes, "Food")) { T_CHECK(c->rank.u.num == 60); T_CHECK(c->args[1].u.num == 260); }
            else { T_EQ_STR(c->key.u.text->bytes, "Travel"); T_CHECK(c->rank.u.num == 400); }
        }
        T_EQ_INT(nkeyed, 2);
        if (vm.ncands == 3) {
            const mmr_candidate *a = &vm.cands[0], *b = &vm.cands[1];
            T_CHECK(mmr_candidate_key_cmp(a, b) > 0);   /* Travel (400) before Food (60) */
            T_CHECK(mmr_candidate_key_cmp(b, a) < 0);
        }
        /* the audience gates every key */
        set_bool(&vm, "vip", 0);
        T_EQ_INT(mmr_vm_run(&vm, traced), 0);
        T_EQ_INT(vm.ncands, 0);
        /* a missing map: no key, and the whole is unknown in the trace */
        set_bool(&vm, "vip", 1);
        vm.regs[slot(p, "cur")] = mmr_v_missing();
        T_EQ_INT(mmr_vm_run(&vm, traced), 0);
        T_EQ_INT(vm.ncands, 1);
        if (traced) {
            int saw = 0;
            for (size_t i = 0; i < vm.ntrace; i++)
                if (p->conds[vm.trace[i].cond].part == MMR_COND_WHEN_ALL && p->conds[vm.trace[i].cond].rule == 1) {
                    saw = 1;
                    T_EQ_INT(vm.trace[i].truth, -1);
                }
            T_CHECK(saw);
        }
        mmr_vm_free(&vm);
    }
    /* a program with firekey is .mmrc version 2, and reads back */
    unsigned char *b = NULL; size_t n = 0;
    T_EQ_INT(mmr_program_write(p, &b, &n), 0);
    T_CHECK(n > 8 && b[4] == 2 && b[5] == 0);
    mmr_diags d; mmr_diags_init(&d);
    mmr_program *q = b ? mmr_program_read(b, n, "k.mmrc", &d) : NULL;
    T_CHECK(q != NULL);
    mmr_program_free(q);
    mmr_diags_free(&d);
    free(b);
    mmr_program_free(p);
    /* without per-key rules: version 1, as before */
    p = build("signal x : number\ntemplate T { title \"t\" body \"b\" category budget }\nrule r { priority 1 when x > 1 message T }\n");
    T_CHECK(p != NULL);
    if (p) {
        T_EQ_INT(mmr_program_write(p, &b, &n), 0);
        T_CHECK(n > 8 && b[4] == 1);
        free(b);
        mmr_program_free(p);
    }
}

int main(void)
{
    mmr_arena_init(&inputs, 4096);
    test_for_each();
    test_dining();
    test_missing_bases();
    test_kleene();
    test_lets_once();
    test_quantifier();
    test_shape();
    test_speed_shape();
    test_policy_and_order();
    test_let_chain();
    test_shipped_rules();
    mmr_arena_free(&inputs);
    return T_DONE("codegen");
}
