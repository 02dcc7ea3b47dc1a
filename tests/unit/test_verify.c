/* The verifier holds every program to what the compiler guarantees: a
 * compiled program, with one field broken, is refused with a message that
 * names the fault, both by mmr_verify and when read from a .mmrc. Also the
 * VM's and the decision's messages for programs that break at run time. */
#include <stdint.h>
#include <stdlib.h>
#include "tests/unit/t.h"
#include "compiler/compile.h"
#include "engine/decide.h"
#include "vm/vm.h"

static const char *src =
    "signal s : number\n"
    "signal m : map<number>\n"
    "trait age : text\n"
    "let big = s > 10\n"
    "template T { title \"Hi {s}\" body \"Spent {s:money}, {who}\" category fun }\n"
    "template U { title \"t\" body \"b\" }\n"
    "policy { max_nudges 3 per 2d quiet_hours 22:00 - 08:00 timezone \"Asia/Kolkata\" categories [fun, games] }\n"
    "rule alpha { priority 10 category games when big message U }\n"
    "rule mid { priority 500 when s > 1 message T with { who = age } }\n"
    "rule zeta { priority 10 when s > 0 message T with { who = \"x\" } }\n";

static mmr_program *build(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_source("t.mmr", src, strlen(src), &d);
    mmr_check(u, &d);
    mmr_program *p = NULL;
    if (!d.errors) p = mmr_codegen(u, &d);
    if (!p) mmr_diags_print_text(stderr, &d);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    return p;
}

/* The verifier's first message, or "" when it accepts the program. */
static char msg[512];
static const char *verify_msg(const mmr_program *p)
{
    mmr_diags d;
    mmr_diags_init(&d);
    msg[0] = 0;
    if (mmr_verify(p, "t.mmrc", &d) && d.n) snprintf(msg, sizeof msg, "%s", d.v[0].message);
    mmr_diags_free(&d);
    return msg;
}

/* The same program written and read back: the loader's first message. */
static char rmsg[512];
static const char *read_msg(const mmr_program *p)
{
    unsigned char *b; size_t n;
    rmsg[0] = 0;
    if (mmr_program_write(p, &b, &n)) { snprintf(rmsg, sizeof rmsg, "(cannot write)"); return rmsg; }
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *q = mmr_program_read(b, n, "t.mmrc", &d);
    if (d.n) snprintf(rmsg, sizeof rmsg, "%s: %s", d.v[0].file ? d.v[0].file : "", d.v[0].message);
    mmr_program_free(q);
    mmr_diags_free(&d);
    free(b);
    return rmsg;
}

static int rule_ix(const mmr_program *p, const char *name) { return mmr_program_find_rule(p, name); }

static int tpl_ix(const mmr_program *p, const char *id)
{
    for (uint32_t i = 0; i < p->ntemplates; i++) if (!strcmp(p->templates[i].id, id)) return (int)i;
    return -1;
}

/* Each case breaks one invariant of a freshly compiled program. */
typedef void (*mutate_fn)(mmr_program *p);

static void no_category(mmr_program *p) { p->rules[rule_ix(p, "mid")].category = NULL; }
static void empty_category(mmr_program *p) { p->rules[rule_ix(p, "mid")].category = ""; }
static void unknown_category(mmr_program *p) { p->rules[rule_ix(p, "alpha")].category = "travel"; }
static void category_clash(mmr_program *p) { p->rules[rule_ix(p, "zeta")].category = "games"; }
static void tpl_unknown_category(mmr_program *p) { p->templates[tpl_ix(p, "U")].category = "travel"; }
static void no_title(mmr_program *p) { p->templates[tpl_ix(p, "U")].title = NULL; }
static void no_body(mmr_program *p) { p->templates[tpl_ix(p, "T")].body = NULL; }
static void dup_template(mmr_program *p) { p->templates[tpl_ix(p, "U")].id = "T"; }
static void bad_placeholder(mmr_program *p) { p->templates[tpl_ix(p, "U")].body = "b {x"; }
static void lone_brace(mmr_program *p) { p->templates[tpl_ix(p, "U")].title = "a } b"; }
static void bad_format(mmr_program *p) { p->templates[tpl_ix(p, "T")].body = "Spent {s:euro}, {who}"; }
static void extra_placeholder(mmr_program *p) { p->templates[tpl_ix(p, "U")].body = "{s}"; }
static void wrong_arg_name(mmr_program *p) { p->rules[rule_ix(p, "zeta")].arg_names[1] = "whom"; }
static void max_zero(mmr_program *p) { p->policy.max_nudges = 0; }
static void max_huge(mmr_program *p) { p->policy.max_nudges = INT32_MIN; }   /* 2^31 read as an i32 */
static void max_over(mmr_program *p) { p->policy.max_nudges = 1000001; }
static void window_zero(mmr_program *p) { p->policy.window_s = 0; }
static void bad_zone(mmr_program *p) { p->policy.timezone = "Asia/Kol kata"; }
static void empty_zone(mmr_program *p) { p->policy.timezone = ""; }
static void no_zone(mmr_program *p) { p->policy.timezone = NULL; }
static void half_quiet(mmr_program *p) { p->policy.quiet_end_min = -1; }
static void quiet_range(mmr_program *p) { p->policy.quiet_end_min = 1440; }
static void no_categories(mmr_program *p) { p->policy.ncategories = 0; }
static void dup_policy_category(mmr_program *p) { p->policy.categories[1] = "fun"; }
static void dup_rule(mmr_program *p) { p->rules[rule_ix(p, "mid")].name = "alpha"; }
static void empty_rule_name(mmr_program *p) { p->rules[0].name = ""; }
static void dup_slot(mmr_program *p) { p->slots[1].name = "s"; }
static void let_named_like_slot(mmr_program *p) { p->let_names[0] = "age"; }
static void empty_slot_name(mmr_program *p) { p->slots[0].name = ""; }
static void bad_order(mmr_program *p)
{
    uint32_t t = p->by_priority[0]; p->by_priority[0] = p->by_priority[1]; p->by_priority[1] = t;
}
static void too_many_rules(mmr_program *p) { p->nrules = MMR_MAX_RULES + 1; }

static const struct {
    const char *what;
    mutate_fn f;
    const char *want;
} cases[] = {
    { "no category", no_category, "rule 1 (mid) has no category (mutes could not apply to it)" },
    { "empty category", empty_category, "rule 1 (mid) has no category (mutes could not apply to it)" },
    { "unknown category", unknown_category, "rule 0 (alpha): category \"travel\" is not one of the policy's categories" },
    { "category clash", category_clash, "rule 2 (zeta) has category games but its template T has category fun" },
    { "template category", tpl_unknown_category, "template 1 (U): category \"travel\" is not one of the policy's categories" },
    { "no title", no_title, "template 1 (U) has no title" },
    { "no body", no_body, "template 0 (T) has no body" },
    { "duplicate template", dup_template, "templates 0 and 1 are both named \"T\"" },
    { "unterminated placeholder", bad_placeholder,
      "template 1 (U): bad placeholder in the body at byte 2: unterminated placeholder: expected \"}\"" },
    { "lone brace", lone_brace,
      "template 1 (U): bad placeholder in the title at byte 2: a lone \"}\" (write \"}}\" for a literal brace)" },
    { "unknown format", bad_format, "template 0 (T): unknown format \"euro\" in placeholder {s:euro} of the body" },
    { "placeholder no rule fills", extra_placeholder, "rule 0 (alpha) passes 0 values but its template U has 1 placeholders" },
    { "argument name", wrong_arg_name, "rule 2 (zeta): value 1 is named whom but placeholder 1 of template T is {who}" },
    { "max_nudges 0", max_zero, "policy: max_nudges 0 out of range 1..1000000" },
    { "max_nudges 2^31", max_huge, "policy: max_nudges -2147483648 out of range 1..1000000" },
    { "max_nudges too big", max_over, "policy: max_nudges 1000001 out of range 1..1000000" },
    { "window 0", window_zero, "policy: the max_nudges window must be longer than 0, got 0 s" },
    { "bad zone", bad_zone, "policy: \"Asia/Kol kata\" is not a time zone name" },
    { "empty zone", empty_zone, "policy: \"\" is not a time zone name" },
    { "no zone", no_zone, "policy: no time zone" },
    { "half quiet hours", half_quiet, "policy: quiet hours have a start but no end" },
    { "quiet hours range", quiet_range, "policy: quiet hours 1320..1440 out of range (minutes 0..1439, or -1 for none)" },
    { "no categories", no_categories, "policy: the categories list is empty" },
    { "category twice", dup_policy_category, "policy: category fun is listed twice" },
    { "duplicate rule", dup_rule, "rules 0 and 1 are both named \"alpha\"" },
    { "empty rule name", empty_rule_name, "rule 0 has no name" },
    { "duplicate slot", dup_slot, "slot 0 and slot 1 are both named \"s\"" },
    { "let named like a slot", let_named_like_slot, "slot 2 and let 0 are both named \"age\"" },
    { "empty slot name", empty_slot_name, "slot 0 has no name" },
    { "priority order", bad_order, "rule priority order: alpha (priority 10) comes before mid (priority 500)" },
    { "too many rules", too_many_rules, "65536 rules (at most 65535)" },
};

static void test_mutations(void)
{
    mmr_program *p = build();
    T_CHECK(p != NULL);
    if (!p) return;
    T_EQ_STR(verify_msg(p), "");      /* the compiled program itself is fine */
    T_EQ_STR(read_msg(p), "");
    mmr_program_free(p);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p = build();
        if (!p) { T_CHECK(p != NULL); continue; }
        cases[i].f(p);
        const char *got = verify_msg(p);
        if (strcmp(got, cases[i].want)) fprintf(stderr, "case: %s\n", cases[i].what);
        T_EQ_STR(got, cases[i].want);
        if (cases[i].f != too_many_rules) {
            /* a .mmrc holding the same program is refused with the same words */
            char want[600];
            snprintf(want, sizeof want, "t.mmrc: %s", cases[i].want);
            T_EQ_STR(read_msg(p), want);
        }
        mmr_program_free(p);
    }
}

/* A loop whose cursor is reset on every turn never ends: the VM's step
 * bound stops it, and says so (it used to pass for "out of memory"). */
static void test_vm_messages(void)
{
    mmr_program *p = build();
    if (!p) { T_CHECK(p != NULL); return; }
    int m = mmr_program_find_slot(p, "m");
    uint32_t t0 = p->nregs, t1 = p->nregs + 1;
    p->nregs += 2;
    static mmr_insn code[5];
    code[0] = (mmr_insn){ .op = MMR_I_ITER, .a = (uint16_t)t0, .b = (uint32_t)m, .c = 4 };
    code[1] = (mmr_insn){ .op = MMR_I_NEXT, .a = (uint16_t)t1, .b = t0, .c = 4 };
    code[2] = (mmr_insn){ .op = MMR_I_ITER, .a = (uint16_t)t0, .b = (uint32_t)m, .c = 4 };
    code[3] = (mmr_insn){ .op = MMR_I_JMP, .b = 1 };
    code[4] = (mmr_insn){ .op = MMR_I_HALT };
    p->code[0].insns = code;
    p->code[0].n = 5;
    T_EQ_STR(verify_msg(p), "");
    mmr_vm vm;
    T_EQ_INT(mmr_vm_init(&vm, p), 0);
    mmr_arena a;
    mmr_arena_init(&a, 0);
    const mmr_text *keys[1] = { mmr_text_new(&a, "dining", 6) };
    double vals[1] = { 1 };
    mmr_map mp = { 1, keys, vals };
    vm.regs[m] = mmr_v_map(&mp);
    T_EQ_INT(mmr_vm_run(&vm, 0), -1);
    T_EQ_STR(vm.error, "corrupt iterator state (a loop did not end) at pc 1 of code[0]: the program is corrupt");
    /* a good run clears it */
    vm.regs[m] = mmr_v_missing();
    T_EQ_INT(mmr_vm_run(&vm, 0), 0);
    T_EQ_STR(vm.error, "");
    mmr_vm_free(&vm);
    mmr_arena_free(&a);
    mmr_program_free(p);
}

/* Two candidates of one rule: the decision says the program is corrupt
 * (the store used to report it as a user listed twice in the snapshot). */
static void test_fired_twice(void)
{
    mmr_program *p = build();
    if (!p) { T_CHECK(p != NULL); return; }
    mmr_candidate c[2] = { { (uint32_t)rule_ix(p, "alpha"), 0, NULL, mmr_v_missing(), mmr_v_missing() }, { (uint32_t)rule_ix(p, "alpha"), 0, NULL, mmr_v_missing(), mmr_v_missing() } };
    mmr_decide_input in;
    memset(&in, 0, sizeof in);
    in.prog = p;
    in.cands = c;
    in.ncands = 2;
    in.now = 1700000000;
    mmr_decide_result r;
    mmr_decide_result_init(&r);
    T_EQ_INT(mmr_decide(&in, &r), -1);
    T_EQ_STR(r.note, "rule alpha fired twice for one user: the program is corrupt");
    T_EQ_INT(r.n, 0);
    in.ncands = 1;
    T_EQ_INT(mmr_decide(&in, &r), 0);
    T_EQ_INT(r.n, 1);
    mmr_decide_result_free(&r);
    mmr_program_free(p);
}

int main(void)
{
    test_mutations();
    test_vm_messages();
    test_fired_twice();
    return T_DONE("verify");
}
