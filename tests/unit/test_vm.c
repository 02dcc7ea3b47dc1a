/* The VM on hand-assembled programs: every opcode, Kleene logic, jump
 * polarities, missing propagation, lets computed once, quantifiers, and
 * the verifier's rejections. */
#include <stdlib.h>
#include <string.h>
#include "t.h"
#include "vm/vm.h"
#include "vm/program.h"
#include "stdlib/builtins.h"
#include "compiler/ast.h"

/* ------------------------------------------------------------ a tiny assembler */

enum { CAP = 512 };

typedef struct asmb {
    mmr_program *p;
} asmb;

static mmr_program *prog_new(uint32_t nslots, uint32_t nlets, uint32_t nregs)
{
    mmr_program *p = mmr_program_new();
    mmr_arena *a = &p->arena;
    p->slots = mmr_arena_calloc(a, sizeof *p->slots * CAP);
    p->nslots = nslots;
    for (uint32_t i = 0; i < nslots; i++) {
        char nm[16]; snprintf(nm, sizeof nm, "in%u", i);
        p->slots[i].name = mmr_arena_strdup(a, nm);
        p->slots[i].type = MMR_T_NUMBER;
    }
    p->let_names = mmr_arena_calloc(a, sizeof *p->let_names * CAP);
    p->nlets = nlets;
    for (uint32_t i = 0; i < nlets; i++) {
        char nm[16]; snprintf(nm, sizeof nm, "let%u", i);
        p->let_names[i] = mmr_arena_strdup(a, nm);
    }
    p->consts = mmr_arena_calloc(a, sizeof *p->consts * CAP);
    p->templates = mmr_arena_calloc(a, sizeof *p->templates * CAP);
    p->templates[0] = (mmr_prog_template){ "T", "t", "b", NULL, NULL };
    p->ntemplates = 1;
    p->rules = mmr_arena_calloc(a, sizeof *p->rules * CAP);
    p->conds = mmr_arena_calloc(a, sizeof *p->conds * CAP);
    p->code[0].insns = mmr_arena_calloc(a, sizeof(mmr_insn) * CAP);
    p->code[1].insns = mmr_arena_calloc(a, sizeof(mmr_insn) * CAP);
    p->nregs = nregs;
    p->max_call_depth = nlets;
    static const char *cats[] = { "dining" };
    p->policy.categories = cats;
    p->policy.ncategories = 1;
    /* the compiler's defaults: the verifier holds every program to them */
    p->policy.max_nudges = 1;
    p->policy.window_s = 86400;
    p->policy.quiet_start_min = p->policy.quiet_end_min = -1;
    p->policy.timezone = "UTC";
    return p;
}

static uint32_t add_rule(mmr_program *p, const char *name, uint32_t nargs)
{
    mmr_prog_rule *r = &p->rules[p->nrules];
    r->name = name;
    r->category = "dining";
    r->priority = 10;
    r->nargs = nargs;
    r->arg_names = mmr_arena_calloc(&p->arena, sizeof(char *) * (nargs ? nargs : 1));
    /* a template of its own whose body has the rule's placeholders x0, x1... */
    char body[2048] = "", nm[16];
    for (uint32_t i = 0; i < nargs; i++) {
        snprintf(nm, sizeof nm, "x%u", i);
        r->arg_names[i] = mmr_arena_strdup(&p->arena, nm);
        snprintf(body + strlen(body), sizeof body - strlen(body), "{%s}", nm);
    }
    if (nargs) {
        snprintf(nm, sizeof nm, "T%u", p->nrules);
        p->templates[p->ntemplates] = (mmr_prog_template){ mmr_arena_strdup(&p->arena, nm), "t",
                                                           mmr_arena_strdup(&p->arena, body), NULL, NULL };
        r->template_index = p->ntemplates++;
    }
    p->nrules++;
    mmr_program_order_rules(p);
    return p->nrules - 1;
}

static uint32_t add_cond(mmr_program *p, const char *text)
{
    mmr_prog_cond *c = &p->conds[p->nconds];
    c->rule = 0; c->text = text;
    return p->nconds++;
}

static uint32_t kv(mmr_program *p, mmr_value v) { p->consts[p->nconsts] = v; return p->nconsts++; }
static uint32_t knum(mmr_program *p, double d) { return kv(p, mmr_v_num(d)); }

static const mmr_text *mktext(mmr_arena *a, const char *s)
{
    size_t n = strlen(s);
    mmr_text *t = mmr_arena_alloc(a, sizeof *t + n + 1);
    t->len = (uint32_t)n;
    memcpy(t->bytes, s, n + 1);
    return t;
}
static uint32_t ktext(mmr_program *p, const char *s) { return kv(p, mmr_v_text(mktext(&p->arena, s))); }

static uint32_t emit(mmr_program *p, int ci, int op, unsigned m, unsigned a, unsigned b, unsigned c)
{
    mmr_code *cd = &p->code[ci];
    mmr_insn *in = &cd->insns[cd->n];
    in->op = (uint8_t)op; in->m = (uint8_t)m; in->a = (uint16_t)a; in->b = b; in->c = c;
    return cd->n++;
}
#define E(p, op, m, a, b, c) emit(p, 0, MMR_I_##op, m, a, b, c)

static int verify_ok(mmr_program *p)
{
    mmr_diags d; mmr_diags_init(&d);
    int rc = mmr_verify(p, "t", &d);
    if (rc && d.n) fprintf(stderr, "verify: %s\n", d.v[0].message);
    mmr_diags_free(&d);
    return rc == 0;
}

/* the first verifier message, or "" */
static char verr[512];
static const char *verify_msg(mmr_program *p)
{
    mmr_diags d; mmr_diags_init(&d);
    verr[0] = 0;
    if (mmr_verify(p, "t", &d) && d.n) snprintf(verr, sizeof verr, "%s", d.v[0].message);
    mmr_diags_free(&d);
    return verr;
}

static int contains_str(const char *h, const char *n) { return strstr(h, n) != NULL; }

/* truth of a value as -1/0/1, or 9 for a non-truth value */
static int tv(const mmr_value *v)
{
    if (v->tag == MMR_V_MISSING) return -1;
    if (v->tag == MMR_V_BOOL) return (int)v->u.i;
    return 9;
}

static mmr_value truthval(int t) { return mmr_v_truth(t); }

/* ------------------------------------------------------------ tests */

/* Run a single binary/unary op on inputs in r0, r1 leaving the result in
 * r2, which is FIREd so we can read it. */
static mmr_value run_op2(int op, unsigned m, mmr_value x, mmr_value y)
{
    mmr_program *p = prog_new(2, 0, 4);
    add_rule(p, "r", 1);
    emit(p, 0, op, m, 2, 0, 1);
    E(p, FIRE, 1, 0, 2, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    mmr_value out = mmr_v_num(-12345);
    if (mmr_vm_init(&vm, p) == 0) {
        vm.regs[0] = x; vm.regs[1] = y;
        if (mmr_vm_run(&vm, 0) == 0 && vm.ncands == 1) out = vm.cands[0].args[0];
        mmr_vm_free(&vm);
    }
    mmr_program_free(p);
    return out;
}

static mmr_value run_op1(int op, mmr_value x)
{
    mmr_program *p = prog_new(1, 0, 3);
    add_rule(p, "r", 1);
    emit(p, 0, op, 0, 2, 0, 0);
    E(p, FIRE, 1, 0, 2, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    mmr_value out = mmr_v_num(-12345);
    if (mmr_vm_init(&vm, p) == 0) {
        vm.regs[0] = x;
        if (mmr_vm_run(&vm, 0) == 0 && vm.ncands == 1) out = vm.cands[0].args[0];
        mmr_vm_free(&vm);
    }
    mmr_program_free(p);
    return out;
}

static void test_arith(void)
{
    mmr_value M = mmr_v_missing();
    T_EQ_NUM(run_op2(MMR_I_ADD, 0, mmr_v_num(2), mmr_v_num(3)).u.num, 5);
    T_EQ_NUM(run_op2(MMR_I_SUB, 0, mmr_v_num(2), mmr_v_num(3)).u.num, -1);
    T_EQ_NUM(run_op2(MMR_I_MUL, 0, mmr_v_num(2), mmr_v_num(3)).u.num, 6);
    T_EQ_NUM(run_op2(MMR_I_DIV, 0, mmr_v_num(3), mmr_v_num(2)).u.num, 1.5);
    T_EQ_INT(run_op2(MMR_I_ADD, 0, mmr_v_num(2), mmr_v_num(3)).tag, MMR_V_NUM);
    int ops[] = { MMR_I_ADD, MMR_I_SUB, MMR_I_MUL, MMR_I_DIV };
    for (int i = 0; i < 4; i++) {
        T_EQ_INT(run_op2(ops[i], 0, M, mmr_v_num(3)).tag, MMR_V_MISSING);
        T_EQ_INT(run_op2(ops[i], 0, mmr_v_num(3), M).tag, MMR_V_MISSING);
        T_EQ_INT(run_op2(ops[i], 0, M, M).tag, MMR_V_MISSING);
    }
    /* division by zero, 0/0, overflow: missing */
    T_EQ_INT(run_op2(MMR_I_DIV, 0, mmr_v_num(1), mmr_v_num(0)).tag, MMR_V_MISSING);
    T_EQ_INT(run_op2(MMR_I_DIV, 0, mmr_v_num(-1), mmr_v_num(-0.0)).tag, MMR_V_MISSING);
    T_EQ_INT(run_op2(MMR_I_DIV, 0, mmr_v_num(0), mmr_v_num(0)).tag, MMR_V_MISSING);
    T_EQ_INT(run_op2(MMR_I_MUL, 0, mmr_v_num(1e300), mmr_v_num(1e300)).tag, MMR_V_MISSING);
    T_CHECK(isnan(run_op2(MMR_I_DIV, 0, mmr_v_num(1), mmr_v_num(0)).u.num));
    /* a text operand is not a number */
    mmr_arena a; mmr_arena_init(&a, 0);
    T_EQ_INT(run_op2(MMR_I_ADD, 0, mmr_v_text(mktext(&a, "x")), mmr_v_num(1)).tag, MMR_V_MISSING);
    T_EQ_NUM(run_op1(MMR_I_NEG, mmr_v_num(2)).u.num, -2);
    T_EQ_INT(run_op1(MMR_I_NEG, M).tag, MMR_V_MISSING);
    /* coalesce, ismissing */
    T_EQ_NUM(run_op2(MMR_I_COALESCE, 0, M, mmr_v_num(7)).u.num, 7);
    T_EQ_NUM(run_op2(MMR_I_COALESCE, 0, mmr_v_num(1), mmr_v_num(7)).u.num, 1);
    T_EQ_INT(run_op2(MMR_I_COALESCE, 0, M, M).tag, MMR_V_MISSING);
    mmr_value r1 = run_op1(MMR_I_ISMISS, M), r2 = run_op1(MMR_I_ISMISS, mmr_v_num(0));
    T_EQ_INT(tv(&r1), 1);
    T_EQ_INT(tv(&r2), 0);
    mmr_arena_free(&a);
}

static void test_cmp(void)
{
    /* all six comparisons on numbers: want[cmp][x<y, x==y, x>y] */
    static const int want[6][3] = {
        { 0, 1, 0 }, { 1, 0, 1 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 }, { 0, 1, 1 },
    };
    double xs[3] = { 1, 2, 3 };
    for (int c = 0; c < 6; c++) {
        for (int o = 0; o < 3; o++) {
            mmr_value r = run_op2(MMR_I_CMP, (unsigned)c, mmr_v_num(xs[o]), mmr_v_num(2));
            T_EQ_INT(tv(&r), want[c][o]);
        }
        mmr_value r = run_op2(MMR_I_CMP, (unsigned)c, mmr_v_missing(), mmr_v_num(2));
        T_EQ_INT(tv(&r), -1);
        r = run_op2(MMR_I_CMP, (unsigned)c, mmr_v_num(2), mmr_v_missing());
        T_EQ_INT(tv(&r), -1);
    }
    /* texts: bytewise */
    mmr_arena a; mmr_arena_init(&a, 0);
    mmr_value ab = mmr_v_text(mktext(&a, "ab")), abc = mmr_v_text(mktext(&a, "abc")),
              ab2 = mmr_v_text(mktext(&a, "ab")), e = mmr_v_text(mktext(&a, "\xc3\xa9"));
    mmr_value r;
    r = run_op2(MMR_I_CMP, MMR_CMP_EQ, ab, ab2); T_EQ_INT(tv(&r), 1);
    r = run_op2(MMR_I_CMP, MMR_CMP_NE, ab, ab2); T_EQ_INT(tv(&r), 0);
    r = run_op2(MMR_I_CMP, MMR_CMP_EQ, ab, abc); T_EQ_INT(tv(&r), 0);
    r = run_op2(MMR_I_CMP, MMR_CMP_LT, ab, abc); T_EQ_INT(tv(&r), 1);
    r = run_op2(MMR_I_CMP, MMR_CMP_GT, e, abc); T_EQ_INT(tv(&r), 1);   /* 0xC3 > 'a' */
    r = run_op2(MMR_I_CMP, MMR_CMP_EQ, ab, mmr_v_missing()); T_EQ_INT(tv(&r), -1);
    /* mixed kinds are unknown */
    r = run_op2(MMR_I_CMP, MMR_CMP_EQ, ab, mmr_v_num(1)); T_EQ_INT(tv(&r), -1);
    /* bools compare */
    r = run_op2(MMR_I_CMP, MMR_CMP_EQ, mmr_v_bool(1), mmr_v_bool(1)); T_EQ_INT(tv(&r), 1);
    r = run_op2(MMR_I_CMP, MMR_CMP_NE, mmr_v_bool(1), mmr_v_bool(0)); T_EQ_INT(tv(&r), 1);
    mmr_arena_free(&a);

    /* CMPK */
    mmr_program *p = prog_new(1, 0, 3);
    add_rule(p, "r", 1);
    uint32_t k = knum(p, 0.35);
    E(p, CMPK, MMR_CMP_GT, 1, 0, k);
    E(p, FIRE, 1, 0, 1, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    double ins[3] = { 0.4, 0.35, NAN };
    int outs[3] = { 1, 0, -1 };
    for (int i = 0; i < 3; i++) {
        vm.regs[0] = isnan(ins[i]) ? mmr_v_missing() : mmr_v_num(ins[i]);
        T_EQ_INT(mmr_vm_run(&vm, 0), 0);
        T_EQ_INT(tv(&vm.cands[0].args[0]), outs[i]);
    }
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

static void test_kleene(void)
{
    int ts[3] = { 1, 0, -1 };
    for (int i = 0; i < 3; i++) {
        mmr_value r = run_op1(MMR_I_NOT, truthval(ts[i]));
        T_EQ_INT(tv(&r), ts[i] < 0 ? -1 : !ts[i]);
        for (int j = 0; j < 3; j++) {
            int x = ts[i], y = ts[j];
            int and = (x == 0 || y == 0) ? 0 : (x == 1 && y == 1) ? 1 : -1;
            int or = (x == 1 || y == 1) ? 1 : (x == 0 && y == 0) ? 0 : -1;
            r = run_op2(MMR_I_AND, 0, truthval(x), truthval(y));
            T_EQ_INT(tv(&r), and);
            r = run_op2(MMR_I_OR, 0, truthval(x), truthval(y));
            T_EQ_INT(tv(&r), or);
        }
    }
    /* a number is not a truth value: unknown */
    mmr_value r = run_op1(MMR_I_NOT, mmr_v_num(1));
    T_EQ_INT(tv(&r), -1);
}

/* JIF/JCMPK: FIRE rule 0 only when the jump is NOT taken */
static int jumps(mmr_program *p, mmr_value x)
{
    mmr_vm vm;
    if (mmr_vm_init(&vm, p)) return -9;
    vm.regs[0] = x;
    int rc = mmr_vm_run(&vm, 0);
    int j = rc ? -9 : vm.ncands == 0;
    mmr_vm_free(&vm);
    return j;
}

static void test_polarity(void)
{
    int ts[3] = { 1, 0, -1 };
    for (int pol = 0; pol < 4; pol++) {
        mmr_program *p = prog_new(1, 0, 2);
        add_rule(p, "r", 0);
        E(p, JIF, (unsigned)pol, 0, 2, 0);
        E(p, FIRE, 0, 0, 1, 0);
        E(p, HALT, 0, 0, 0, 0);
        for (int i = 0; i < 3; i++) {
            int t = ts[i];
            int want = pol == MMR_POL_TRUE ? t == 1 : pol == MMR_POL_FALSE ? t == 0 :
                       pol == MMR_POL_NOT_TRUE ? t != 1 : t != 0;
            T_EQ_INT(jumps(p, truthval(t)), want);
        }
        /* a non-bool value counts as unknown */
        T_EQ_INT(jumps(p, mmr_v_num(1)), pol >= MMR_POL_NOT_TRUE);
        mmr_program_free(p);
    }
    /* JCMPK: every comparison x polarity x (less, equal, greater, missing) */
    static const int cmpwant[6][3] = {
        { 0, 1, 0 }, { 1, 0, 1 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 }, { 0, 1, 1 },
    };
    for (int c = 0; c < 6; c++) {
        for (int pol = 0; pol < 4; pol++) {
            mmr_program *p = prog_new(1, 0, 2);
            add_rule(p, "r", 0);
            uint32_t k = knum(p, 3);
            E(p, JCMPK, (unsigned)(c | pol << 4), 0, k, 2);
            E(p, FIRE, 0, 0, 1, 0);
            E(p, HALT, 0, 0, 0, 0);
            double xs[4] = { 2, 3, 4, NAN };
            for (int o = 0; o < 4; o++) {
                int t = o == 3 ? -1 : cmpwant[c][o];
                int want = pol == MMR_POL_TRUE ? t == 1 : pol == MMR_POL_FALSE ? t == 0 :
                           pol == MMR_POL_NOT_TRUE ? t != 1 : t != 0;
                mmr_value x = o == 3 ? mmr_v_missing() : mmr_v_num(xs[o]);
                T_EQ_INT(jumps(p, x), want);
            }
            mmr_program_free(p);
        }
    }
    /* JCMPK on texts */
    mmr_program *p = prog_new(1, 0, 2);
    add_rule(p, "r", 0);
    uint32_t k = ktext(p, "25-34");
    E(p, JCMPK, MMR_CMP_EQ | MMR_POL_NOT_TRUE << 4, 0, k, 2);
    E(p, FIRE, 0, 0, 1, 0);
    E(p, HALT, 0, 0, 0, 0);
    T_EQ_INT(jumps(p, mmr_v_text(mktext(&p->arena, "25-34"))), 0);
    T_EQ_INT(jumps(p, mmr_v_text(mktext(&p->arena, "18-24"))), 1);
    T_EQ_INT(jumps(p, mmr_v_missing()), 1);
    mmr_program_free(p);
}

static void test_in_index_call(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    mmr_value items[3] = { mmr_v_text(mktext(&a, "18-24")), mmr_v_missing(), mmr_v_text(mktext(&a, "25-34")) };
    mmr_list l = { 3, items };
    mmr_value lv = mmr_v_list(&l);
    mmr_value r;
    r = run_op2(MMR_I_IN, 0, mmr_v_text(mktext(&a, "25-34")), lv); T_EQ_INT(tv(&r), 1);
    r = run_op2(MMR_I_IN, 0, mmr_v_text(mktext(&a, "35-44")), lv); T_EQ_INT(tv(&r), 0);
    r = run_op2(MMR_I_IN, 0, mmr_v_missing(), lv); T_EQ_INT(tv(&r), -1);
    r = run_op2(MMR_I_IN, 0, mmr_v_text(mktext(&a, "x")), mmr_v_missing()); T_EQ_INT(tv(&r), -1);
    mmr_value nitems[2] = { mmr_v_num(1), mmr_v_num(2.5) };
    mmr_list nl = { 2, nitems };
    r = run_op2(MMR_I_IN, 0, mmr_v_num(2.5), mmr_v_list(&nl)); T_EQ_INT(tv(&r), 1);
    r = run_op2(MMR_I_IN, 0, mmr_v_num(3), mmr_v_list(&nl)); T_EQ_INT(tv(&r), 0);
    mmr_list empty = { 0, NULL };
    r = run_op2(MMR_I_IN, 0, mmr_v_num(3), mmr_v_list(&empty)); T_EQ_INT(tv(&r), 0);

    const mmr_text *keys[3] = { mktext(&a, "dining"), mktext(&a, "shopping"), mktext(&a, "travel") };
    double vals[3] = { 260, NAN, 10 };
    mmr_map m = { 3, keys, vals };
    r = run_op2(MMR_I_INDEX, 0, mmr_v_map(&m), mmr_v_text(mktext(&a, "travel")));
    T_EQ_NUM(r.u.num, 10); T_EQ_INT(r.tag, MMR_V_NUM);
    r = run_op2(MMR_I_INDEX, 0, mmr_v_map(&m), mmr_v_text(mktext(&a, "dining")));
    T_EQ_NUM(r.u.num, 260);
    r = run_op2(MMR_I_INDEX, 0, mmr_v_map(&m), mmr_v_text(mktext(&a, "goal")));
    T_EQ_INT(r.tag, MMR_V_MISSING);
    r = run_op2(MMR_I_INDEX, 0, mmr_v_map(&m), mmr_v_text(mktext(&a, "shopping")));
    T_EQ_INT(r.tag, MMR_V_MISSING);
    r = run_op2(MMR_I_INDEX, 0, mmr_v_missing(), mmr_v_text(mktext(&a, "dining")));
    T_EQ_INT(r.tag, MMR_V_MISSING);
    r = run_op2(MMR_I_INDEX, 0, mmr_v_map(&m), mmr_v_missing());
    T_EQ_INT(r.tag, MMR_V_MISSING);

    /* CALL: pct_change(r0, r1); missing if an argument is */
    int f = mmr_builtin_find("pct_change");
    T_CHECK(f >= 0);
    r = run_op2(MMR_I_CALL, 2, mmr_v_num(150), mmr_v_num(100));
    (void)r;
    mmr_program *p = prog_new(2, 0, 4);
    add_rule(p, "r", 1);
    E(p, CALL, 2, 2, (unsigned)f, 0);
    E(p, FIRE, 1, 0, 2, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_num(150); vm.regs[1] = mmr_v_num(100);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_NUM(vm.cands[0].args[0].u.num, 0.5);
    vm.regs[1] = mmr_v_missing();
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.cands[0].args[0].tag, MMR_V_MISSING);
    vm.regs[1] = mmr_v_num(0);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.cands[0].args[0].tag, MMR_V_MISSING);
    mmr_vm_free(&vm);
    mmr_program_free(p);

    /* CALL with a text result lives in the scratch arena */
    p = prog_new(1, 0, 3);
    add_rule(p, "r", 1);
    E(p, CALL, 1, 1, (unsigned)mmr_builtin_find("upper"), 0);
    E(p, FIRE, 1, 0, 1, 0);
    E(p, HALT, 0, 0, 0, 0);
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_text(mktext(&a, "goa trip"));
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_STR(vm.cands[0].args[0].u.text->bytes, "GOA TRIP");
    mmr_vm_free(&vm);
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* let 0 = r0 * 2 (with a TRACE so we can count evaluations); a rule uses it twice */
static void test_let_once(void)
{
    mmr_program *p = prog_new(1, 1, 6);
    add_rule(p, "r", 2);
    uint32_t q = add_cond(p, "let");
    uint32_t k2 = knum(p, 2);
    /* main */
    E(p, LET, 0, 2, 0, 6);            /* 0: r2 = let0 (code at 6) */
    E(p, LET, 0, 3, 0, 6);            /* 1: r3 = let0 again: no call */
    E(p, LET, 0, 1, 0, 6);            /* 2: into its own register */
    E(p, FIRE, 2, 0, 2, 0);           /* 3 */
    E(p, HALT, 0, 0, 0, 0);           /* 4 */
    E(p, HALT, 0, 0, 0, 0);           /* 5 */
    E(p, LOADK, 0, 4, k2, 0);         /* 6: let body */
    E(p, MUL, 0, 1, 0, 4);            /* 7: r1 = r0 * 2 */
    E(p, TRACE, 0, q, 1, 0);          /* 8 */
    E(p, RET, 0, 0, 0, 0);            /* 9 */
    p->max_call_depth = 1;
    T_CHECK(verify_ok(p));
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_num(21);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ntrace, 1);
    T_EQ_NUM(vm.cands[0].args[0].u.num, 42);
    T_EQ_NUM(vm.cands[0].args[1].u.num, 42);
    /* a new run computes it again, from the new input */
    vm.regs[0] = mmr_v_num(5);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ntrace, 1);
    T_EQ_NUM(vm.cands[0].args[0].u.num, 10);
    /* epoch wrap-around still recomputes */
    vm.epoch = UINT32_MAX;
    vm.regs[0] = mmr_v_num(1);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ntrace, 1);
    T_EQ_NUM(vm.cands[0].args[1].u.num, 2);
    mmr_vm_free(&vm);
    /* max_call_depth 0 is too small */
    p->max_call_depth = 0;
    T_CHECK(contains_str(verify_msg(p), "lets nest 1 deep but max_call_depth is 0"));
    mmr_program_free(p);
}

/* a map of keys given unsorted-insert but stored sorted; the program FIREs
 * each key in visiting order */
static void test_iter_order(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    const mmr_text *keys[4] = { mktext(&a, "Zeta"), mktext(&a, "alpha"), mktext(&a, "beta"), mktext(&a, "\xc3\xa9t\xc3\xa9") };
    double vals[4] = { 1, 2, 3, 4 };
    mmr_map m = { 4, keys, vals };
    mmr_program *p = prog_new(1, 0, 4);
    p->slots[0].type = MMR_T_MAP_NUMBER;
    add_rule(p, "r", 1);
    E(p, ITER, 0, 1, 0, 4);     /* 0 */
    E(p, NEXT, 0, 2, 1, 4);     /* 1 */
    E(p, FIRE, 1, 0, 2, 0);     /* 2 */
    E(p, JMP, 0, 0, 1, 0);      /* 3 */
    E(p, HALT, 0, 0, 0, 0);     /* 4 */
    T_CHECK(verify_ok(p));
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_map(&m);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 4);
    if (vm.ncands == 4) {
        T_EQ_STR(vm.cands[0].args[0].u.text->bytes, "Zeta");
        T_EQ_STR(vm.cands[1].args[0].u.text->bytes, "alpha");
        T_EQ_STR(vm.cands[2].args[0].u.text->bytes, "beta");
        T_EQ_STR(vm.cands[3].args[0].u.text->bytes, "\xc3\xa9t\xc3\xa9");
    }
    /* missing map: ITER jumps, nothing fires */
    vm.regs[0] = mmr_v_missing();
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 0);
    /* empty map */
    mmr_map em = { 0, NULL, NULL };
    vm.regs[0] = mmr_v_map(&em);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 0);
    mmr_vm_free(&vm);
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* any/all K in r0 where r0[K] > r1[K] * 1.25, in value form; result fired
 * with the binding key. all is built as not any not. */
static mmr_program *quant_prog(int is_all)
{
    mmr_program *p = prog_new(2, 0, 12);
    p->slots[0].type = MMR_T_MAP_NUMBER;
    p->slots[1].type = MMR_T_MAP_NUMBER;
    add_rule(p, "r", 2);
    uint32_t kf = kv(p, mmr_v_bool(0)), kt = kv(p, mmr_v_bool(1)), k125 = knum(p, 1.25);
    /* r2 result, r3 binding, r4 key, r5..r7 temps; r9 cursor */
    E(p, LOADK, 0, 2, kf, 0);                 /* 0 */
    E(p, LOADM, 0, 3, 0, 0);                  /* 1 */
    E(p, ITER, 0, 9, 0, 14);                  /* 2: missing map -> unknown */
    E(p, NEXT, 0, 4, 9, 15);                  /* 3 */
    E(p, INDEX, 0, 5, 0, 4);                  /* 4 */
    E(p, INDEX, 0, 6, 1, 4);                  /* 5 */
    E(p, LOADK, 0, 7, k125, 0);               /* 6 */
    E(p, MUL, 0, 6, 6, 7);                    /* 7 */
    E(p, CMP, MMR_CMP_GT, 7, 5, 6);           /* 8 */
    if (is_all) E(p, NOT, 0, 7, 7, 0);        /* 9: predicate negated */
    else E(p, MOVE, 0, 7, 7, 0);
    E(p, JIF, MMR_POL_TRUE, 7, 12, 0);        /* 10: found */
    E(p, JIF, MMR_POL_FALSE, 7, 3, 0);        /* 11: next key */
    /* unknown seen */
    E(p, JMP, 0, 0, 16, 0);                   /* 12 placeholder, patched */
    E(p, HALT, 0, 0, 0, 0);                   /* 13 (unused) */
    E(p, LOADM, 0, 2, 0, 0);                  /* 14: missing map */
    E(p, JMP, 0, 0, 21, 0);                   /* 15: done (patched) */
    E(p, LOADM, 0, 2, 0, 0);                  /* 16: unknown */
    E(p, JMP, 0, 0, 3, 0);                    /* 17: continue loop */
    E(p, LOADK, 0, 2, kt, 0);                 /* 18: found */
    E(p, MOVE, 0, 3, 4, 0);                   /* 19 */
    E(p, JMP, 0, 0, 21, 0);                   /* 20 */
    if (is_all) E(p, NOT, 0, 2, 2, 0);        /* 21 */
    else E(p, MOVE, 0, 2, 2, 0);
    E(p, FIRE, 2, 0, 2, 0);                   /* 22 */
    E(p, HALT, 0, 0, 0, 0);                   /* 23 */
    /* patch: 10 found -> 18; 12 unknown -> 16; 15 done -> 21 (NEXT done
     * target 15 already jumps there); 14 falls to 15 */
    p->code[0].insns[10].b = 18;
    p->code[0].insns[12].b = 16;
    return p;
}

static void test_quantifiers(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    const mmr_text *keys[3] = { mktext(&a, "dining"), mktext(&a, "shopping"), mktext(&a, "travel") };
    double now_v[3] = { 100, 300, 50 };
    double prev_unknown[3] = { 200, NAN, 100 };  /* shopping unknown */
    double prev_true[3] = { 200, 100, 10 };      /* shopping and travel true; first is shopping */
    double prev_false[3] = { 200, 300, 100 };
    mmr_map now = { 3, keys, now_v };
    mmr_map pu = { 3, keys, prev_unknown }, pt = { 3, keys, prev_true }, pf = { 3, keys, prev_false };
    double all_true_prev[3] = { 10, 10, 10 };
    mmr_map pat = { 3, keys, all_true_prev };

    for (int is_all = 0; is_all < 2; is_all++) {
        mmr_program *p = quant_prog(is_all);
        T_CHECK(verify_ok(p));
        mmr_vm vm;
        T_EQ_INT(mmr_vm_init(&vm, p), 0);
        struct { const mmr_map *prev; int any, all; const char *bind; } cases[] = {
            { &pu, -1, 0, NULL },     /* any: no true, one unknown; all: dining false */
            { &pt, 1, 0, "shopping" },
            { &pf, 0, 0, NULL },
            { &pat, 1, 1, "dining" },
        };
        for (int i = 0; i < 4; i++) {
            vm.regs[0] = mmr_v_map(&now);
            vm.regs[1] = mmr_v_map(cases[i].prev);
            T_EQ_INT(mmr_vm_run(&vm, 0), 0);
            int want = is_all ? cases[i].all : cases[i].any;
            T_EQ_INT(tv(&vm.cands[0].args[0]), want);
            if (!is_all && cases[i].bind) T_EQ_STR(vm.cands[0].args[1].u.text->bytes, cases[i].bind);
        }
        /* all over a map whose only non-true is unknown: unknown */
        double pu2v[3] = { 10, NAN, 10 };
        mmr_map pu2 = { 3, keys, pu2v };
        vm.regs[1] = mmr_v_map(&pu2);
        T_EQ_INT(mmr_vm_run(&vm, 0), 0);
        T_EQ_INT(tv(&vm.cands[0].args[0]), is_all ? -1 : 1);
        /* missing map: unknown both ways */
        vm.regs[0] = mmr_v_missing();
        T_EQ_INT(mmr_vm_run(&vm, 0), 0);
        T_EQ_INT(tv(&vm.cands[0].args[0]), -1);
        /* empty map: any false, all true */
        mmr_map em = { 0, NULL, NULL };
        vm.regs[0] = mmr_v_map(&em);
        T_EQ_INT(mmr_vm_run(&vm, 0), 0);
        T_EQ_INT(tv(&vm.cands[0].args[0]), is_all ? 1 : 0);
        mmr_vm_free(&vm);
        mmr_program_free(p);
    }
    mmr_arena_free(&a);
}

/* the brief's rule: `x >= 3 and y > 0.35` -> two JCMPK + FIRE */
static mmr_program *dining_prog(void)
{
    mmr_program *p = prog_new(2, 0, 2);
    add_rule(p, "dining_overspend", 0);
    uint32_t k3 = knum(p, 3), k35 = knum(p, 0.35);
    E(p, JCMPK, MMR_CMP_GE | MMR_POL_NOT_TRUE << 4, 0, k3, 3);
    E(p, JCMPK, MMR_CMP_GT | MMR_POL_NOT_TRUE << 4, 1, k35, 3);
    E(p, FIRE, 0, 0, 0, 0);
    E(p, HALT, 0, 0, 0, 0);
    return p;
}

static void test_dining(void)
{
    mmr_program *p = dining_prog();
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    struct { double x, y; int fires; } cs[] = {
        { 4, 0.40, 1 }, { 3, 0.36, 1 }, { 2, 0.40, 0 }, { 4, 0.35, 0 }, { NAN, 0.4, 0 }, { 4, NAN, 0 },
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        mmr_vm_clear_inputs(&vm);
        if (!isnan(cs[i].x)) vm.regs[0] = mmr_v_num(cs[i].x);
        if (!isnan(cs[i].y)) vm.regs[1] = mmr_v_num(cs[i].y);
        T_EQ_INT(mmr_vm_run(&vm, 0), 0);
        T_EQ_INT(vm.ncands, cs[i].fires);
    }
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

static void test_fire_trace(void)
{
    mmr_program *p = prog_new(2, 0, 6);
    add_rule(p, "a", 2);
    add_rule(p, "b", 1);
    uint32_t q = add_cond(p, "x >= 3");
    uint32_t k3 = knum(p, 3);
    emit(p, 1, MMR_I_LOADK, 0, 3, k3, 0);
    emit(p, 1, MMR_I_CMP, MMR_CMP_GE, 2, 0, 3);
    emit(p, 1, MMR_I_TRACE, 2, q, 2, 0);
    emit(p, 1, MMR_I_FIRE, 2, 0, 0, 0);
    emit(p, 1, MMR_I_FIRE, 1, 1, 1, 0);
    emit(p, 1, MMR_I_HALT, 0, 0, 0, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_num(4);
    vm.regs[1] = mmr_v_num(9);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 0);
    T_EQ_INT(mmr_vm_run(&vm, 1), 0);
    T_EQ_INT(vm.ncands, 2);
    T_EQ_INT(vm.cands[0].rule, 0);
    T_EQ_INT(vm.cands[0].nargs, 2);
    T_EQ_NUM(vm.cands[0].args[1].u.num, 9);
    T_EQ_INT(vm.cands[1].rule, 1);
    T_EQ_NUM(vm.cands[1].args[0].u.num, 9);
    T_EQ_INT(vm.ntrace, 1);
    T_EQ_INT(vm.trace[0].cond, q);
    T_EQ_INT(vm.trace[0].truth, 1);
    T_EQ_INT(vm.trace[0].nops, 2);
    T_EQ_NUM(vm.trace[0].ops[0].u.num, 4);
    T_EQ_NUM(vm.trace[0].ops[1].u.num, 9);
    vm.regs[0] = mmr_v_missing();
    T_EQ_INT(mmr_vm_run(&vm, 1), 0);
    T_EQ_INT(vm.trace[0].truth, -1);
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* many FIREs: argbuf grows and earlier candidates' args stay right */
static void test_fire_growth(void)
{
    mmr_program *p = prog_new(1, 0, 4);
    add_rule(p, "r", 3);
    for (int i = 0; i < 200; i++) E(p, FIRE, 3, 0, 0, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_num(7);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 200);
    int ok = 1;
    for (size_t i = 0; i < vm.ncands; i++) if (vm.cands[i].args[0].u.num != 7) ok = 0;
    T_CHECK(ok);
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

static void test_verifier(void)
{
    mmr_program *p;
    p = dining_prog(); T_CHECK(verify_ok(p)); mmr_program_free(p);

    p = dining_prog(); p->code[0].insns[0].c = 400;
    T_EQ_STR(verify_msg(p), "code[0] pc 0: jump target 400 out of range (code has 4 instructions)");
    mmr_program_free(p);

    p = prog_new(1, 0, 3);
    E(p, LOADM, 0, 2, 0, 0);
    T_EQ_STR(verify_msg(p), "code[0] pc 0: control runs off the end of the code (last instruction is loadm)");
    mmr_program_free(p);

    p = dining_prog(); p->code[0].insns[0].op = 200;
    T_EQ_STR(verify_msg(p), "code[0] pc 0: unknown opcode 200");
    mmr_program_free(p);

    p = dining_prog(); p->code[0].insns[1].b = 9;
    T_EQ_STR(verify_msg(p), "code[0] pc 1: constant 9 out of range (2 constants)");
    mmr_program_free(p);

    p = dining_prog(); p->code[0].insns[0].m = 7 | 1 << 4;
    T_CHECK(contains_str(verify_msg(p), "bad comparison/polarity"));
    mmr_program_free(p);

    p = dining_prog(); p->code[0].insns[2].m = 1;  /* FIRE arity */
    T_CHECK(contains_str(verify_msg(p), "fire of rule dining_overspend with 1 values (the rule takes 0)"));
    mmr_program_free(p);

    /* writing an input register */
    p = prog_new(2, 0, 4);
    E(p, LOADM, 0, 1, 0, 0); E(p, HALT, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "writes input register r1"));
    mmr_program_free(p);

    /* register out of range */
    p = prog_new(2, 0, 4);
    E(p, MOVE, 0, 3, 9, 0); E(p, HALT, 0, 0, 0, 0);
    T_EQ_STR(verify_msg(p), "code[0] pc 0: register 9 out of range (4 registers)");
    mmr_program_free(p);

    /* unused operand not zero */
    p = prog_new(2, 0, 4);
    E(p, HALT, 0, 1, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "unused operand a"));
    mmr_program_free(p);

    /* CALL arity and argument range */
    p = prog_new(1, 0, 4);
    E(p, CALL, 3, 1, (unsigned)mmr_builtin_find("abs"), 0); E(p, HALT, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "call of abs with 3 arguments (takes 1 to 1)"));
    mmr_program_free(p);
    p = prog_new(1, 0, 4);
    E(p, CALL, 2, 1, (unsigned)mmr_builtin_find("ratio"), 3); E(p, HALT, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "arguments r3..r4 out of range"));
    mmr_program_free(p);
    p = prog_new(1, 0, 4);
    E(p, CALL, 1, 1, 999, 0); E(p, HALT, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "builtin 999 out of range"));
    mmr_program_free(p);

    /* backward jump that is not to a NEXT: an infinite loop */
    p = prog_new(1, 0, 2);
    E(p, LOADM, 0, 1, 0, 0); E(p, JMP, 0, 0, 0, 0);
    T_EQ_STR(verify_msg(p), "code[0] pc 1: backward jump to pc 0, which is not a next");
    mmr_program_free(p);

    /* RET in main code; HALT in a let's code; let cycle */
    p = prog_new(1, 1, 3);
    E(p, RET, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "ret outside a let's code"));
    mmr_program_free(p);
    p = prog_new(1, 1, 3);
    E(p, LET, 0, 2, 0, 2); E(p, HALT, 0, 0, 0, 0); E(p, HALT, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "reaches halt instead of ret"));
    mmr_program_free(p);
    p = prog_new(1, 2, 4);
    E(p, LET, 0, 3, 0, 2); E(p, HALT, 0, 0, 0, 0);
    E(p, LET, 0, 1, 1, 4); E(p, RET, 0, 0, 0, 0);
    E(p, LET, 0, 2, 0, 2); E(p, RET, 0, 0, 0, 0);
    T_EQ_STR(verify_msg(p), "code[0]: let 0 (let0) depends on itself");
    mmr_program_free(p);
    /* two lets nested need depth 2 */
    p = prog_new(1, 2, 4);
    E(p, LET, 0, 3, 0, 2); E(p, HALT, 0, 0, 0, 0);
    E(p, LET, 0, 1, 1, 4); E(p, RET, 0, 0, 0, 0);
    E(p, LOADM, 0, 2, 0, 0); E(p, RET, 0, 0, 0, 0);
    p->max_call_depth = 2;
    T_CHECK(verify_ok(p));
    p->max_call_depth = 1;
    T_CHECK(contains_str(verify_msg(p), "lets nest 2 deep"));
    mmr_program_free(p);

    /* tables */
    p = dining_prog(); p->by_priority[0] = 5;
    T_CHECK(contains_str(verify_msg(p), "not a permutation"));
    mmr_program_free(p);
    p = dining_prog(); p->slots[0].type = 9;
    T_CHECK(contains_str(verify_msg(p), "bad type 9"));
    mmr_program_free(p);
    p = dining_prog(); p->rules[0].template_index = 3;
    T_CHECK(contains_str(verify_msg(p), "template 3 out of range"));
    mmr_program_free(p);
    p = dining_prog(); p->nregs = 1;
    T_CHECK(contains_str(verify_msg(p), "cannot hold"));
    mmr_program_free(p);

    /* the VM refuses to set up a bad program */
    p = dining_prog(); p->code[0].insns[0].c = 400;
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), -1);
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* hostile but verified bytecode: a NEXT on something that is not a cursor
 * ends the loop; reading an unset temporary gives missing */
static void test_robust(void)
{
    mmr_program *p = prog_new(1, 0, 4);
    add_rule(p, "r", 1);
    E(p, NEXT, 0, 2, 0, 3);    /* r0 is a number, not a cursor */
    E(p, NEXT, 0, 2, 3, 3);    /* r3 never set */
    E(p, JMP, 0, 0, 0, 0);
    E(p, FIRE, 1, 0, 3, 0);
    E(p, HALT, 0, 0, 0, 0);
    T_CHECK(verify_ok(p));
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_num(1);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 1);
    T_EQ_INT(vm.cands[0].args[0].tag, MMR_V_MISSING);
    mmr_vm_free(&vm);
    mmr_program_free(p);

    /* an endless loop through NEXT is cut off by the step bound */
    p = prog_new(1, 0, 4);
    p->slots[0].type = MMR_T_MAP_NUMBER;
    E(p, ITER, 0, 1, 0, 4);    /* 0 */
    E(p, NEXT, 0, 2, 1, 4);    /* 1 */
    E(p, ITER, 0, 1, 0, 4);    /* 2: resets the cursor: endless */
    E(p, JMP, 0, 0, 1, 0);     /* 3 */
    E(p, HALT, 0, 0, 0, 0);    /* 4 */
    T_CHECK(verify_ok(p));
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    mmr_arena a; mmr_arena_init(&a, 0);
    const mmr_text *keys[1] = { mktext(&a, "k") };
    double vals[1] = { 1 };
    mmr_map m = { 1, keys, vals };
    vm.regs[0] = mmr_v_map(&m);
    T_EQ_INT(mmr_vm_run(&vm, 0), -1);
    mmr_vm_free(&vm);
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* ------------------------------------------------ the opcodes added for speed */

static int same_value(mmr_value x, mmr_value y)
{
    if (x.tag != y.tag) return 0;
    if (x.tag == MMR_V_MISSING) return 1;
    return memcmp(&x.u, &y.u, sizeof x.u) == 0;
}

/* r2 = builtin name(r0[, r1]) through the general CALL */
static mmr_value run_call(const char *name, unsigned n, mmr_value x, mmr_value y)
{
    mmr_program *p = prog_new(2, 0, 4);
    add_rule(p, "r", 1);
    emit(p, 0, MMR_I_CALL, n, 2, (unsigned)mmr_builtin_find(name), 0);
    E(p, FIRE, 1, 0, 2, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    mmr_value out = mmr_v_num(-12345);
    if (mmr_vm_init(&vm, p) == 0) {
        vm.regs[0] = x; vm.regs[1] = y;
        if (mmr_vm_run(&vm, 0) == 0 && vm.ncands == 1) out = vm.cands[0].args[0];
        mmr_vm_free(&vm);
    }
    mmr_program_free(p);
    return out;
}

/* ABS, MIN, MAX, RATIO and PCTCHG give exactly what CALL of the builtin
 * gives, on every pair of a grid with missing, zeros, overflow, and
 * values of the wrong kind */
static void test_inline_builtins(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    mmr_value g[] = { mmr_v_missing(), mmr_v_num(0), mmr_v_num(-0.0), mmr_v_num(1), mmr_v_num(-2.5),
                      mmr_v_num(3), mmr_v_num(1e308), mmr_v_num(-1e308), mmr_v_num(1e-310),
                      mmr_v_bool(1), mmr_v_text(mktext(&a, "x")) };
    size_t ng = sizeof g / sizeof g[0];
    static const struct { const char *name; int op; } f[] = {
        { "min", MMR_I_MIN }, { "max", MMR_I_MAX }, { "ratio", MMR_I_RATIO }, { "pct_change", MMR_I_PCTCHG },
    };
    int bad = 0;
    for (size_t i = 0; i < ng; i++) {
        if (!same_value(run_op1(MMR_I_ABS, g[i]), run_call("abs", 1, g[i], mmr_v_missing()))) bad++;
        for (size_t j = 0; j < ng; j++)
            for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
                mmr_value want = run_call(f[k].name, 2, g[i], g[j]);
                mmr_value got = run_op2(f[k].op, 0, g[i], g[j]);
                if (!same_value(want, got)) {
                    fprintf(stderr, "%s(#%zu, #%zu) differs\n", f[k].name, i, j);
                    bad++;
                }
            }
    }
    T_EQ_INT(bad, 0);
    mmr_value r = run_op2(MMR_I_PCTCHG, 0, mmr_v_num(6000), mmr_v_num(4000));
    T_CHECK(r.tag == MMR_V_NUM && r.u.num == 0.5);
    T_CHECK(run_op2(MMR_I_RATIO, 0, mmr_v_num(1), mmr_v_num(0)).tag == MMR_V_MISSING);
    /* coalescek: the constant only for a missing value */
    mmr_program *p = prog_new(1, 0, 3);
    add_rule(p, "r", 1);
    uint32_t k = ktext(p, "dflt");
    E(p, COALK, 0, 2, 0, k);
    E(p, FIRE, 1, 0, 2, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_missing();
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_CHECK(vm.ncands == 1 && vm.cands[0].args[0].tag == MMR_V_TEXT);
    vm.regs[0] = mmr_v_num(7);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_CHECK(vm.ncands == 1 && vm.cands[0].args[0].tag == MMR_V_NUM && vm.cands[0].args[0].u.num == 7);
    mmr_vm_free(&vm);
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* 1 when the program jumps over FIRE, 0 when it fires, -9 on error */
static int jumps2(mmr_program *p, mmr_value x, mmr_value y)
{
    mmr_vm vm;
    if (mmr_vm_init(&vm, p)) return -9;
    vm.regs[0] = x; vm.regs[1] = y;
    int rc = mmr_vm_run(&vm, 0);
    int j = rc ? -9 : vm.ncands == 0;
    mmr_vm_free(&vm);
    return j;
}

/* JCMP (register, register) and JCMPK (the VM's specialised handlers for
 * a number constant, and the general one for other constants) jump
 * exactly when CMP/CMPK followed by JIF would, for every comparison,
 * polarity and kind of operand */
static void test_fused_jumps(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    mmr_value g[] = { mmr_v_missing(), mmr_v_num(-1), mmr_v_num(0), mmr_v_num(2), mmr_v_num(2.5),
                      mmr_v_bool(0), mmr_v_bool(1), mmr_v_text(mktext(&a, "a")), mmr_v_text(mktext(&a, "b")) };
    size_t ng = sizeof g / sizeof g[0];
    int bad = 0;
    for (unsigned cmp = 0; cmp < MMR_NCMP; cmp++)
        for (unsigned pol = 0; pol < MMR_NPOL; pol++) {
            unsigned d = cmp | pol << 4;
            /* reference: cmp r2, r0, r1; jif r2 */
            mmr_program *ref = prog_new(2, 0, 3);
            add_rule(ref, "r", 0);
            E(ref, CMP, cmp, 2, 0, 1);
            E(ref, JIF, pol, 2, 3, 0);
            E(ref, FIRE, 0, 0, 0, 0);
            E(ref, HALT, 0, 0, 0, 0);
            mmr_program *fused = prog_new(2, 0, 3);
            add_rule(fused, "r", 0);
            E(fused, JCMP, d, 0, 1, 2);
            E(fused, FIRE, 0, 0, 0, 0);
            E(fused, HALT, 0, 0, 0, 0);
            for (size_t i = 0; i < ng; i++)
                for (size_t j = 0; j < ng; j++) {
                    int want = jumps2(ref, g[i], g[j]), got = jumps2(fused, g[i], g[j]);
                    if (want != got || want < 0) { fprintf(stderr, "jcmp d=0x%02x #%zu #%zu\n", d, i, j); bad++; }
                }
            /* jcmpk against each value as a constant */
            for (size_t j = 0; j < ng; j++) {
                mmr_program *rk = prog_new(1, 0, 3);
                add_rule(rk, "r", 0);
                uint32_t k = kv(rk, g[j]);
                E(rk, CMPK, cmp, 2, 0, k);
                E(rk, JIF, pol, 2, 3, 0);
                E(rk, FIRE, 0, 0, 0, 0);
                E(rk, HALT, 0, 0, 0, 0);
                mmr_program *fk = prog_new(1, 0, 3);
                add_rule(fk, "r", 0);
                k = kv(fk, g[j]);
                E(fk, JCMPK, d, 0, k, 2);
                E(fk, FIRE, 0, 0, 0, 0);
                E(fk, HALT, 0, 0, 0, 0);
                for (size_t i = 0; i < ng; i++) {
                    int want = jumps(rk, g[i]), got = jumps(fk, g[i]);
                    if (want != got || want < 0) { fprintf(stderr, "jcmpk d=0x%02x #%zu k#%zu\n", d, i, j); bad++; }
                }
                mmr_program_free(rk);
                mmr_program_free(fk);
            }
            mmr_program_free(ref);
            mmr_program_free(fused);
        }
    T_EQ_INT(bad, 0);
    /* the verifier checks jcmp like any jump: target in range, forward */
    mmr_program *p = prog_new(2, 0, 3);
    add_rule(p, "r", 0);
    E(p, JCMP, MMR_CMP_GT | MMR_POL_NOT_TRUE << 4, 0, 1, 9);
    E(p, HALT, 0, 0, 0, 0);
    T_CHECK(contains_str(verify_msg(p), "jump target 9 out of range"));
    p->code[0].insns[0].c = 0;
    T_CHECK(contains_str(verify_msg(p), "backward jump"));
    p->code[0].insns[0].c = 1;
    p->code[0].insns[0].m = 0x47;
    T_CHECK(contains_str(verify_msg(p), "bad comparison/polarity"));
    p->code[0].insns[0].m = MMR_CMP_GT | MMR_POL_NOT_TRUE << 4;
    T_CHECK(verify_ok(p));
    /* and the listing shows its operands */
    FILE *f = tmpfile();
    T_CHECK(f != NULL);
    if (f) {
        mmr_disasm(p, 0, f);
        rewind(f);
        char buf[8192];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
        T_CHECK(contains_str(buf, "jcmp      s:in0, s:in1, ->1, > unless-true"));
    }
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* A run starts with every temporary that code may read before writing it
 * missing: a value written by one run is not seen by the next, even when
 * the write is skipped (hand-written bytecode; generated code always
 * writes first, and then the VM clears nothing but the lets). */
static void test_no_stale_temporaries(void)
{
    mmr_program *p = prog_new(1, 0, 3);
    add_rule(p, "r", 1);
    uint32_t k = knum(p, 42);
    E(p, JIF, MMR_POL_TRUE, 0, 2, 0);
    E(p, LOADK, 0, 2, k, 0);
    E(p, FIRE, 1, 0, 2, 0);
    E(p, HALT, 0, 0, 0, 0);
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_bool(0);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_CHECK(vm.ncands == 1 && vm.cands[0].args[0].tag == MMR_V_NUM);
    vm.regs[0] = mmr_v_bool(1);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_CHECK(vm.ncands == 1 && vm.cands[0].args[0].tag == MMR_V_MISSING);
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* Two consecutive "unless TRUE" JCMPKs on number constants with the same
 * target run as one private instruction: it jumps exactly when the two
 * apart would, for every pair of comparisons and kind of operand, and the
 * second stays a jump target of its own */
static void test_paired_jumps(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    mmr_value g[] = { mmr_v_missing(), mmr_v_num(-1), mmr_v_num(0), mmr_v_num(2), mmr_v_num(2.5),
                      mmr_v_bool(1), mmr_v_text(mktext(&a, "a")) };
    size_t ng = sizeof g / sizeof g[0];
    int bad = 0;
    for (unsigned c1 = 0; c1 < MMR_NCMP; c1++)
        for (unsigned c2 = 0; c2 < MMR_NCMP; c2++) {
            unsigned d1 = c1 | MMR_POL_NOT_TRUE << 4, d2 = c2 | MMR_POL_NOT_TRUE << 4;
            mmr_program *pair = prog_new(2, 0, 3);
            add_rule(pair, "r", 0);
            uint32_t k1 = knum(pair, 2), k2 = knum(pair, 0);
            E(pair, JCMPK, d1, 0, k1, 3);
            E(pair, JCMPK, d2, 1, k2, 3);
            E(pair, FIRE, 0, 0, 0, 0);
            E(pair, HALT, 0, 0, 0, 0);
            /* the same two apart (a jmp between them) */
            mmr_program *apart = prog_new(2, 0, 3);
            add_rule(apart, "r", 0);
            k1 = knum(apart, 2); k2 = knum(apart, 0);
            E(apart, JCMPK, d1, 0, k1, 4);
            E(apart, JMP, 0, 0, 2, 0);
            E(apart, JCMPK, d2, 1, k2, 4);
            E(apart, FIRE, 0, 0, 0, 0);
            E(apart, HALT, 0, 0, 0, 0);
            for (size_t i = 0; i < ng; i++)
                for (size_t j = 0; j < ng; j++) {
                    int want = jumps2(apart, g[i], g[j]), got = jumps2(pair, g[i], g[j]);
                    if (want != got || want < 0) { fprintf(stderr, "pair %u %u #%zu #%zu\n", c1, c2, i, j); bad++; }
                }
            mmr_program_free(pair);
            mmr_program_free(apart);
        }
    T_EQ_INT(bad, 0);
    /* a jump to the second of a pair runs the second alone */
    mmr_program *p = prog_new(3, 0, 4);
    add_rule(p, "r", 0);
    uint32_t k = knum(p, 1);
    E(p, JIF, MMR_POL_TRUE, 2, 2, 0);                        /* 0 */
    E(p, JCMPK, MMR_CMP_GE | MMR_POL_NOT_TRUE << 4, 0, k, 4);  /* 1 */
    E(p, JCMPK, MMR_CMP_GE | MMR_POL_NOT_TRUE << 4, 1, k, 4);  /* 2 */
    E(p, FIRE, 0, 0, 0, 0);                                  /* 3 */
    E(p, HALT, 0, 0, 0, 0);                                  /* 4 */
    T_CHECK(verify_ok(p));
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_num(0); vm.regs[1] = mmr_v_num(5); vm.regs[2] = mmr_v_bool(1);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 1);
    vm.regs[2] = mmr_v_bool(0);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 0);
    vm.regs[0] = mmr_v_num(3);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 1);
    mmr_vm_free(&vm);
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* code with no LET does not clear the let registers each run, but one it
 * may read before writing is cleared like any temporary */
static void test_no_stale_let_register(void)
{
    mmr_program *p = prog_new(1, 1, 2);
    add_rule(p, "r", 1);
    uint32_t k = knum(p, 42);
    E(p, JIF, MMR_POL_TRUE, 0, 2, 0);
    E(p, LOADK, 0, 1, k, 0);
    E(p, FIRE, 1, 0, 1, 0);
    E(p, HALT, 0, 0, 0, 0);
    T_CHECK(verify_ok(p));
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_bool(0);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_CHECK(vm.ncands == 1 && vm.cands[0].args[0].tag == MMR_V_NUM);
    vm.regs[0] = mmr_v_bool(1);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_CHECK(vm.ncands == 1 && vm.cands[0].args[0].tag == MMR_V_MISSING);
    mmr_vm_free(&vm);
    mmr_program_free(p);
}

/* ABS, RATIO and PCTCHG followed by an "unless TRUE" JCMPK on the result
 * run as one private instruction: same jump, same value stored */
static void test_builtin_then_jump(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    mmr_value g[] = { mmr_v_missing(), mmr_v_num(-1), mmr_v_num(0), mmr_v_num(1), mmr_v_num(2.5), mmr_v_num(-4),
                      mmr_v_bool(1), mmr_v_text(mktext(&a, "a")) };
    size_t ng = sizeof g / sizeof g[0];
    int ops[3] = { MMR_I_ABS, MMR_I_RATIO, MMR_I_PCTCHG };
    int bad = 0;
    for (int o = 0; o < 3; o++)
        for (unsigned cmp = 0; cmp < MMR_NCMP; cmp++) {
            unsigned d = cmp | MMR_POL_NOT_TRUE << 4;
            unsigned c = ops[o] == MMR_I_ABS ? 0 : 1;
            mmr_program *fused = prog_new(2, 0, 3);
            add_rule(fused, "a", 0);
            add_rule(fused, "b", 1);
            uint32_t k = knum(fused, 1);
            emit(fused, 0, ops[o], 0, 2, 0, c);
            E(fused, JCMPK, d, 2, k, 3);
            E(fused, FIRE, 0, 0, 0, 0);
            E(fused, FIRE, 1, 1, 2, 0);
            E(fused, HALT, 0, 0, 0, 0);
            mmr_program *apart = prog_new(2, 0, 3);
            add_rule(apart, "a", 0);
            add_rule(apart, "b", 1);
            k = knum(apart, 1);
            emit(apart, 0, ops[o], 0, 2, 0, c);
            E(apart, JMP, 0, 0, 2, 0);
            E(apart, JCMPK, d, 2, k, 4);
            E(apart, FIRE, 0, 0, 0, 0);
            E(apart, FIRE, 1, 1, 2, 0);
            E(apart, HALT, 0, 0, 0, 0);
            mmr_vm vf, va;
            if (!verify_ok(fused) || !verify_ok(apart) || mmr_vm_init(&vf, fused) || mmr_vm_init(&va, apart)) {
                bad++;
            } else {
                for (size_t i = 0; i < ng; i++)
                    for (size_t j = 0; j < ng; j++) {
                        vf.regs[0] = va.regs[0] = g[i];
                        vf.regs[1] = va.regs[1] = g[j];
                        int rf = mmr_vm_run(&vf, 0), ra = mmr_vm_run(&va, 0);
                        if (rf || ra || vf.ncands != va.ncands ||
                            !same_value(vf.cands[vf.ncands - 1].args[0], va.cands[va.ncands - 1].args[0])) {
                            fprintf(stderr, "builtin+jump op %d cmp %u #%zu #%zu\n", ops[o], cmp, i, j);
                            bad++;
                        }
                    }
                mmr_vm_free(&vf);
                mmr_vm_free(&va);
            }
            mmr_program_free(fused);
            mmr_program_free(apart);
        }
    T_EQ_INT(bad, 0);
    mmr_arena_free(&a);
}

/* FIREKEY: key r[c], rank r[c+1] into the candidate; a non-number rank
 * is none; a non-text key fails the run; the verifier checks the counts
 * and the register pair. */
static void test_firekey(void)
{
    mmr_arena a; mmr_arena_init(&a, 0);
    const mmr_text *keys[2] = { mktext(&a, "Food"), mktext(&a, "Travel") };
    double vals[2] = { 5, 7 };
    mmr_map m = { 2, keys, vals };
    mmr_program *p = prog_new(1, 0, 5);
    p->slots[0].type = MMR_T_MAP_NUMBER;
    add_rule(p, "r", 1);
    E(p, ITER, 0, 1, 0, 6);     /* 0 */
    E(p, NEXT, 0, 2, 1, 6);     /* 1: key into r2 */
    E(p, INDEX, 0, 3, 0, 2);    /* 2: rank r3 = map[key] */
    E(p, MOVE, 0, 4, 2, 0);     /* 3: the one value: the key */
    E(p, FIREKEY, 1, 0, 4, 2);  /* 4 */
    E(p, JMP, 0, 0, 1, 0);      /* 5 */
    E(p, HALT, 0, 0, 0, 0);     /* 6 */
    T_CHECK(verify_ok(p));
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_map(&m);
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_INT(vm.ncands, 2);
    if (vm.ncands == 2) {
        T_EQ_STR(vm.cands[1].key.u.text->bytes, "Travel");
        T_CHECK(vm.cands[1].rank.tag == MMR_V_NUM && vm.cands[1].rank.u.num == 7);
        T_EQ_STR(vm.cands[1].args[0].u.text->bytes, "Travel");
        T_CHECK(mmr_candidate_key_cmp(&vm.cands[1], &vm.cands[0]) < 0);   /* rank 7 first */
    }
    mmr_vm_free(&vm);
    /* a missing rank sorts after any rank, ties by key */
    mmr_candidate x = { 0, 0, NULL, mmr_v_text(keys[0]), mmr_v_missing() };
    mmr_candidate y = { 0, 0, NULL, mmr_v_text(keys[1]), mmr_v_num(-100) };
    mmr_candidate z = { 0, 0, NULL, mmr_v_text(keys[1]), mmr_v_missing() };
    T_CHECK(mmr_candidate_key_cmp(&y, &x) < 0);
    T_CHECK(mmr_candidate_key_cmp(&x, &z) < 0);
    T_EQ_INT(mmr_candidate_key_cmp(&z, &z), 0);
    /* verifier: wrong value count, key/rank pair past the registers */
    p->code[0].insns[4].m = 2;
    T_CHECK(contains_str(verify_msg(p), "firekey of rule r with 2 values (the rule takes 1)"));
    p->code[0].insns[4].m = 1;
    p->code[0].insns[4].c = 4;
    T_CHECK(contains_str(verify_msg(p), "firekey key and rank r4..r5 out of range (5 registers)"));
    /* the key must be text: the run fails, it does not crash */
    p->code[0].insns[4].c = 3;
    T_CHECK(verify_ok(p));
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    vm.regs[0] = mmr_v_map(&m);
    T_EQ_INT(mmr_vm_run(&vm, 0), -1);
    T_CHECK(contains_str(vm.error, "firekey without a text key"));
    mmr_vm_free(&vm);
    mmr_program_free(p);
    mmr_arena_free(&a);
}

/* docs/bytecode.md lists every opcode of opcodes.def */
static void test_doc_in_sync(void)
{
    const char *paths[] = { "docs/bytecode.md", "../docs/bytecode.md", "../../docs/bytecode.md" };
    FILE *f = NULL;
    for (size_t i = 0; i < 3 && !f; i++) f = fopen(paths[i], "r");
    T_CHECK(f != NULL);
    if (!f) return;
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = 0;
    fclose(f);
    for (int op = 0; op < MMR_NOPCODES; op++) {
        char row[64];
        snprintf(row, sizeof row, "| `%s` |", mmr_opinfo_table[op].mnemonic);
        if (!strstr(doc, row)) fprintf(stderr, "docs/bytecode.md lacks %s\n", row);
        T_CHECK(strstr(doc, row) != NULL);
    }
}

/* the listing renders operands by kind; huge constants print safely
 * (found by fuzzing: a cast out of range in number formatting) */
static void test_disasm(void)
{
    mmr_program *p = dining_prog();
    knum(p, 1e300);
    knum(p, -2.88063e+107);
    FILE *f = tmpfile();
    T_CHECK(f != NULL);
    if (!f) { mmr_program_free(p); return; }
    mmr_disasm(p, -1, f);
    static char out[8192];
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    fclose(f);
    T_CHECK(strstr(out, "jcmpk     s:in0, k0=3, ->3, >= unless-true") != NULL);
    T_CHECK(strstr(out, "fire      rule:dining_overspend, ()") != NULL);
    T_CHECK(strstr(out, "1e+300") != NULL);
    T_CHECK(strstr(out, "-2.88063e+107") != NULL);
    mmr_program_free(p);
}

int main(void)
{
    test_disasm();
    test_doc_in_sync();
    test_firekey();
    test_arith();
    test_cmp();
    test_kleene();
    test_polarity();
    test_in_index_call();
    test_let_once();
    test_iter_order();
    test_quantifiers();
    test_dining();
    test_fire_trace();
    test_fire_growth();
    test_verifier();
    test_robust();
    test_inline_builtins();
    test_fused_jumps();
    test_no_stale_temporaries();
    test_paired_jumps();
    test_no_stale_let_register();
    test_builtin_then_jump();
    return T_DONE("vm");
}
