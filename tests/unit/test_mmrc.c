/* .mmrc files: round trips, and a defensive reader: every truncation,
 * random byte flips, tampering with a fixed-up checksum. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t.h"
#include "vm/program.h"
#include "vm/vm.h"
#include "stdlib/builtins.h"
#include "compiler/ast.h"

static const mmr_text *mktext(mmr_arena *a, const char *s)
{
    size_t n = strlen(s);
    mmr_text *t = mmr_arena_alloc(a, sizeof *t + n + 1);
    t->len = (uint32_t)n;
    memcpy(t->bytes, s, n + 1);
    return t;
}

static mmr_insn I(int op, unsigned m, unsigned a, unsigned b, unsigned c)
{
    mmr_insn in = { (uint8_t)op, (uint8_t)m, (uint16_t)a, b, c };
    return in;
}

/* A program using every table: 3 slots (a map, a text trait), a let,
 * constants of every kind, 3 templates, 3 rules with arguments, traced
 * conditions, a policy with quiet hours. */
static mmr_program *sample(void)
{
    mmr_program *p = mmr_program_new();
    mmr_arena *a = &p->arena;
    p->nslots = 3;
    p->slots = mmr_arena_calloc(a, sizeof *p->slots * 3);
    p->slots[0] = (mmr_slot){ "dining_txn_7d", MMR_T_NUMBER, 0 };
    p->slots[1] = (mmr_slot){ "category_spend_7d", MMR_T_MAP_NUMBER, 0 };
    p->slots[2] = (mmr_slot){ "age_band", MMR_T_TEXT, 1 };
    p->nlets = 1;
    p->let_names = mmr_arena_calloc(a, sizeof(char *));
    p->let_names[0] = "heavy_diner";
    p->nconsts = 7;
    p->consts = mmr_arena_calloc(a, sizeof *p->consts * 7);
    p->consts[0] = mmr_v_num(3);
    p->consts[1] = mmr_v_num(0.35);
    p->consts[2] = mmr_v_text(mktext(a, "Goa Trip \xf0\x9f\x98\x8b"));
    mmr_value *items = mmr_arena_calloc(a, sizeof *items * 2);
    items[0] = mmr_v_text(mktext(a, "18-24")); items[1] = mmr_v_text(mktext(a, "25-34"));
    mmr_list *l = mmr_arena_calloc(a, sizeof *l); l->n = 2; l->items = items;
    p->consts[3] = mmr_v_list(l);
    const mmr_text **keys = mmr_arena_calloc(a, sizeof *keys * 2);
    keys[0] = mktext(a, "dining"); keys[1] = mktext(a, "travel");
    double *vals = mmr_arena_calloc(a, sizeof *vals * 2);
    vals[0] = 260; vals[1] = NAN;
    mmr_map *m = mmr_arena_calloc(a, sizeof *m); m->n = 2; m->keys = keys; m->vals = vals;
    p->consts[4] = mmr_v_map(m);
    p->consts[5] = mmr_v_bool(1);
    p->consts[6] = mmr_v_missing();
    p->ntemplates = 3;
    p->templates = mmr_arena_calloc(a, sizeof *p->templates * 3);
    p->templates[0] = (mmr_prog_template){ "DINE_01", "Oops! Dining spike detected", "Your {goal_name} fund, {cat:money}", "humorous", "dining" };
    p->templates[1] = (mmr_prog_template){ "GOAL_01", "Saved", "{goal_name}", NULL, NULL };
    p->templates[2] = (mmr_prog_template){ "GOAL_02", "Goal", "body", NULL, "goal" };
    p->nrules = 3;
    p->rules = mmr_arena_calloc(a, sizeof *p->rules * 3);
    const char **an = mmr_arena_calloc(a, sizeof(char *) * 2);
    an[0] = "goal_name"; an[1] = "cat";
    p->rules[0] = (mmr_prog_rule){ "a_rule", "desc", "dining", 80, 259200, 0, 2, an, "rules/x.mmr", 12, 3 };
    p->rules[1] = (mmr_prog_rule){ "b_rule", NULL, "goal", 80, 0, 2, 0, NULL, NULL, 0, 0 };
    p->rules[2] = (mmr_prog_rule){ "c_rule", NULL, "dining", 95, 60, 1, 1, an, "rules/y.mmr", 1, 1 };
    p->nconds = 2;
    p->conds = mmr_arena_calloc(a, sizeof *p->conds * 2);
    p->conds[0] = (mmr_prog_cond){ 0, 0, "dining_txn_7d >= 3", "rules/x.mmr", 3, 8, MMR_COND_WHEN_LEAF };
    p->conds[1] = (mmr_prog_cond){ UINT32_MAX, 0, "heavy_diner", NULL, 0, 0, MMR_COND_LET_ALL };
    p->policy.max_nudges = 2;
    p->policy.window_s = 86400;
    p->policy.quiet_start_min = 22 * 60;
    p->policy.quiet_end_min = 8 * 60;
    p->policy.timezone = "Asia/Kolkata";
    p->policy.ncategories = 2;
    p->policy.categories = mmr_arena_calloc(a, sizeof(char *) * 2);
    p->policy.categories[0] = "dining"; p->policy.categories[1] = "goal";
    p->nregs = 10;
    p->max_call_depth = 1;
    /* code[0]: r3 = heavy_diner; a_rule fires (k2, key) when it holds;
     * c_rule fires with the first category key */
    static mmr_insn c0[16];
    int n = 0;
    c0[n++] = I(MMR_I_LET, 0, 3, 0, 11);                       /* 0 */
    c0[n++] = I(MMR_I_JIF, MMR_POL_NOT_TRUE, 3, 4, 0);         /* 1 */
    c0[n++] = I(MMR_I_LOADK, 0, 4, 2, 0);                      /* 2 */
    c0[n++] = I(MMR_I_FIRE, 2, 0, 4, 0);                       /* 3: a_rule (r4, r5) */
    c0[n++] = I(MMR_I_ITER, 0, 6, 1, 10);                      /* 4 */
    c0[n++] = I(MMR_I_NEXT, 0, 7, 6, 10);                      /* 5 */
    c0[n++] = I(MMR_I_INDEX, 0, 8, 1, 7);                      /* 6 */
    c0[n++] = I(MMR_I_JCMPK, MMR_CMP_GT | MMR_POL_NOT_TRUE << 4, 8, 0, 5); /* 7 */
    c0[n++] = I(MMR_I_FIRE, 1, 2, 7, 0);                       /* 8: c_rule (r7) */
    c0[n++] = I(MMR_I_JMP, 0, 0, 10, 0);                       /* 9 */
    c0[n++] = I(MMR_I_HALT, 0, 0, 0, 0);                       /* 10 */
    c0[n++] = I(MMR_I_CMPK, MMR_CMP_GE, 8, 0, 0);              /* 11: let body */
    c0[n++] = I(MMR_I_JCMPK, MMR_CMP_EQ | MMR_POL_TRUE << 4, 2, 3, 14); /* 12: text vs list: unknown */
    c0[n++] = I(MMR_I_MOVE, 0, 3, 8, 0);                       /* 13 */
    c0[n++] = I(MMR_I_RET, 0, 0, 0, 0);                        /* 14 */
    p->code[0].insns = c0; p->code[0].n = (uint32_t)n;
    static mmr_insn c1[4];
    c1[0] = I(MMR_I_CMPK, MMR_CMP_GE, 4, 0, 0);
    c1[1] = I(MMR_I_TRACE, 1, 0, 4, 0);
    c1[2] = I(MMR_I_CALL, 1, 5, (unsigned)mmr_builtin_find("sum"), 1);
    c1[3] = I(MMR_I_HALT, 0, 0, 0, 0);
    p->code[1].insns = c1; p->code[1].n = 4;
    mmr_program_order_rules(p);
    return p;
}

static char first_msg[512];
static mmr_program *read_buf(const unsigned char *b, size_t n, int *ndiag)
{
    mmr_diags d; mmr_diags_init(&d);
    mmr_program *p = mmr_program_read(b, n, "f.mmrc", &d);
    first_msg[0] = 0;
    if (d.n) snprintf(first_msg, sizeof first_msg, "%s", d.v[0].message);
    if (ndiag) *ndiag = (int)d.errors;
    mmr_diags_free(&d);
    return p;
}

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
    return h;
}

static void fix_checksum(unsigned char *b, size_t n)
{
    uint64_t h = fnv(b + 24, n - 24);
    for (int i = 0; i < 8; i++) b[16 + i] = (unsigned char)(h >> (8 * i));
}

static size_t find_bytes(const unsigned char *h, size_t hn, const unsigned char *nd, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++) if (!memcmp(h + i, nd, nn)) return i;
    return (size_t)-1;
}

static void test_roundtrip(void)
{
    mmr_program *p = sample();
    mmr_diags d; mmr_diags_init(&d);
    T_EQ_INT(mmr_verify(p, "sample", &d), 0);
    if (d.n) fprintf(stderr, "%s\n", d.v[0].message);
    mmr_diags_free(&d);
    unsigned char *b1; size_t n1;
    T_EQ_INT(mmr_program_write(p, &b1, &n1), 0);
    T_CHECK(n1 > 24 && !memcmp(b1, "MMRC", 4));
    int nd;
    mmr_program *q = read_buf(b1, n1, &nd);
    T_CHECK(q != NULL);
    if (!q) { fprintf(stderr, "read: %s\n", first_msg); free(b1); mmr_program_free(p); return; }
    unsigned char *b2; size_t n2;
    T_EQ_INT(mmr_program_write(q, &b2, &n2), 0);
    T_EQ_INT(n2, n1);
    T_CHECK(n1 == n2 && !memcmp(b1, b2, n1));
    /* spot checks, field by field */
    T_EQ_INT(q->nslots, 3); T_EQ_STR(q->slots[1].name, "category_spend_7d");
    T_EQ_INT(q->slots[1].type, MMR_T_MAP_NUMBER); T_EQ_INT(q->slots[2].is_trait, 1);
    T_EQ_STR(q->let_names[0], "heavy_diner");
    T_EQ_NUM(q->consts[1].u.num, 0.35);
    T_EQ_STR(q->consts[2].u.text->bytes, "Goa Trip \xf0\x9f\x98\x8b");
    T_EQ_INT(q->consts[3].u.list->n, 2); T_EQ_STR(q->consts[3].u.list->items[1].u.text->bytes, "25-34");
    T_EQ_INT(q->consts[4].u.map->n, 2); T_CHECK(isnan(q->consts[4].u.map->vals[1]));
    T_EQ_STR(q->consts[4].u.map->keys[0]->bytes, "dining");
    T_EQ_INT(q->consts[5].tag, MMR_V_BOOL); T_EQ_INT(q->consts[6].tag, MMR_V_MISSING);
    T_EQ_STR(q->templates[0].title, "Oops! Dining spike detected");
    T_CHECK(q->templates[1].tone == NULL && q->templates[1].category == NULL);
    T_EQ_STR(q->rules[0].arg_names[1], "cat"); T_EQ_INT(q->rules[0].cooldown_s, 259200);
    T_EQ_STR(q->rules[0].file, "rules/x.mmr"); T_EQ_INT(q->rules[0].line, 12);
    T_CHECK(q->rules[1].description == NULL);
    T_EQ_INT(q->conds[1].rule, UINT32_MAX); T_EQ_INT(q->conds[1].part, MMR_COND_LET_ALL);
    T_EQ_INT(q->policy.quiet_start_min, 1320); T_EQ_STR(q->policy.timezone, "Asia/Kolkata");
    T_EQ_STR(q->policy.categories[1], "goal");
    T_EQ_INT(q->by_priority[0], 2); T_EQ_INT(q->by_priority[1], 0); T_EQ_INT(q->by_priority[2], 1);
    T_EQ_INT(q->code[0].n, p->code[0].n);
    T_CHECK(!memcmp(q->code[0].insns, p->code[0].insns, sizeof(mmr_insn) * p->code[0].n));
    T_EQ_INT(q->nregs, 10); T_EQ_INT(q->max_call_depth, 1);

    /* the loaded program runs the same as the original */
    mmr_vm v1, v2;
    T_EQ_INT(mmr_vm_init(&v1, p), 0);
    T_EQ_INT(mmr_vm_init(&v2, q), 0);
    const mmr_text *k[2] = { q->consts[4].u.map->keys[0], q->consts[4].u.map->keys[1] };
    double vv[2] = { 1, 7 };
    mmr_map mm = { 2, k, vv };
    v1.regs[0] = v2.regs[0] = mmr_v_num(4);
    v1.regs[1] = v2.regs[1] = mmr_v_map(&mm);
    T_EQ_INT(mmr_vm_run(&v1, 0), 0);
    T_EQ_INT(mmr_vm_run(&v2, 0), 0);
    T_EQ_INT(v1.ncands, v2.ncands);
    T_EQ_INT(v2.ncands, 2);   /* heavy_diner (4 >= 3), then c_rule on travel */
    if (v2.ncands == 2) {
        T_EQ_INT(v2.cands[0].rule, 0);
        T_EQ_STR(v2.cands[0].args[0].u.text->bytes, "Goa Trip \xf0\x9f\x98\x8b");
        T_EQ_INT(v2.cands[1].rule, 2);
        T_EQ_STR(v2.cands[1].args[0].u.text->bytes, "travel");
    }
    T_EQ_INT(mmr_vm_run(&v2, 1), 0);
    T_EQ_INT(v2.ntrace, 1);
    mmr_vm_free(&v1); mmr_vm_free(&v2);

    /* save and load a real file */
    char path[] = "/tmp/test_mmrc_XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    if (fd >= 0) {
        close(fd);
        mmr_diags_init(&d);
        T_EQ_INT(mmr_program_save(p, path, &d), 0);
        mmr_program *r = mmr_program_load(path, &d);
        T_CHECK(r != NULL);
        mmr_program_free(r);
        remove(path);
        r = mmr_program_load(path, &d);   /* gone now */
        T_CHECK(r == NULL && d.errors == 1);
        if (d.n) T_CHECK(strstr(d.v[0].message, "cannot read") != NULL);
        mmr_diags_free(&d);
    }
    mmr_program_free(q);
    free(b1); free(b2);
    mmr_program_free(p);
}

static void test_truncation_and_flips(void)
{
    mmr_program *p = sample();
    unsigned char *b; size_t n;
    T_EQ_INT(mmr_program_write(p, &b, &n), 0);
    int all_rejected = 1, all_msgs = 1, saw_rule_name = 0;
    for (size_t len = 0; len < n; len++) {
        unsigned char *c = malloc(len ? len : 1);   /* exact size: ASan sees any overread */
        memcpy(c, b, len);
        int nd = 0;
        mmr_program *q = read_buf(c, len, &nd);
        if (q) { all_rejected = 0; mmr_program_free(q); }
        if (nd < 1) all_msgs = 0;
        if (len >= 4 && !strstr(first_msg, "truncated at byte")) {
            all_msgs = 0;
            fprintf(stderr, "len %zu: %s\n", len, first_msg);
        }
        char want[64];
        snprintf(want, sizeof want, "truncated at byte %zu (reading rule 1 name)", len);
        if (!strcmp(first_msg, want)) saw_rule_name = 1;
        if (getenv("SHOW")) fprintf(stderr, "%zu: %s\n", len, first_msg);
        free(c);
    }
    T_CHECK(all_rejected);
    T_CHECK(all_msgs);
    T_CHECK(saw_rule_name);
    read_buf(b, 2, NULL);
    T_EQ_STR(first_msg, "not a .mmrc file (bad magic)");

    /* 1000 random single-byte flips: rejected, or read back and verified */
    unsigned seed = 12345;
    int bad = 0, rejected = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned char *c = malloc(n);
        memcpy(c, b, n);
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 8) % n;
        seed = seed * 1103515245u + 12345u;
        unsigned char x = (unsigned char)(1u + (seed >> 16) % 255u);
        c[at] ^= x;
        int nd = 0;
        mmr_program *q = read_buf(c, n, &nd);
        if (q) {
            mmr_diags d; mmr_diags_init(&d);
            if (mmr_verify(q, "q", &d)) bad++;
            mmr_diags_free(&d);
            mmr_program_free(q);
        } else {
            rejected++;
            if (nd < 1) bad++;
        }
        free(c);
    }
    T_EQ_INT(bad, 0);
    T_EQ_INT(rejected, 1000);   /* the checksum catches every payload flip */
    free(b);
    mmr_program_free(p);
}

static void test_tampering(void)
{
    mmr_program *p = sample();
    unsigned char *b; size_t n;
    T_EQ_INT(mmr_program_write(p, &b, &n), 0);
    int nd;

    /* the JMP at code[0] pc 9 -> 10: make it jump to 400, fix the checksum */
    unsigned char jmp[12] = { MMR_I_JMP, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0 };
    size_t at = find_bytes(b, n, jmp, 12);
    T_CHECK(at != (size_t)-1);
    if (at != (size_t)-1) {
        unsigned char *c = malloc(n); memcpy(c, b, n);
        c[at + 4] = 400 & 255; c[at + 5] = 400 >> 8;
        T_CHECK(read_buf(c, n, &nd) == NULL);
        T_EQ_STR(first_msg, "checksum mismatch (file corrupted)");
        fix_checksum(c, n);
        T_CHECK(read_buf(c, n, &nd) == NULL);
        T_EQ_STR(first_msg, "code[0] pc 9: jump target 400 out of range (code has 15 instructions)");
        free(c);
    }
    /* version 7 */
    unsigned char *c = malloc(n + 8);
    memcpy(c, b, n); c[4] = 7;
    T_CHECK(read_buf(c, n, &nd) == NULL);
    T_EQ_STR(first_msg, "unsupported format version 7 (this mmr reads 1 to 3)");
    /* bad magic */
    memcpy(c, b, n); c[0] = 'X';
    T_CHECK(read_buf(c, n, &nd) == NULL);
    T_EQ_STR(first_msg, "not a .mmrc file (bad magic)");
    /* trailing bytes */
    memcpy(c, b, n); memset(c + n, 0, 8);
    T_CHECK(read_buf(c, n + 8, &nd) == NULL);
    T_CHECK(strstr(first_msg, "8 unexpected bytes after the end") != NULL);
    /* invalid UTF-8 in a string, checksum fixed */
    memcpy(c, b, n);
    at = find_bytes(c, n, (const unsigned char *)"heavy_diner", 11);
    T_CHECK(at != (size_t)-1);
    if (at != (size_t)-1) {
        c[at] = 0xC0;
        fix_checksum(c, n);
        T_CHECK(read_buf(c, n, &nd) == NULL);
        T_CHECK(strstr(first_msg, "not valid UTF-8") != NULL);
        c[at] = 0;
        fix_checksum(c, n);
        T_CHECK(read_buf(c, n, &nd) == NULL);
        T_CHECK(strstr(first_msg, "NUL") != NULL);
    }
    /* a huge count: rejected without a huge allocation */
    memcpy(c, b, n);
    c[24] = 0xff; c[25] = 0xff; c[26] = 0xff; c[27] = 0x7f;   /* slot count */
    fix_checksum(c, n);
    T_CHECK(read_buf(c, n, &nd) == NULL);
    T_CHECK(strstr(first_msg, "truncated") != NULL);
    /* writing an input register, checksum fixed: the verifier says so */
    memcpy(c, b, n);
    unsigned char move[12] = { MMR_I_MOVE, 0, 3, 0, 8, 0, 0, 0, 0, 0, 0, 0 };
    at = find_bytes(c, n, move, 12);
    T_CHECK(at != (size_t)-1);
    if (at != (size_t)-1) {
        c[at + 2] = 1;
        fix_checksum(c, n);
        T_CHECK(read_buf(c, n, &nd) == NULL);
        T_EQ_STR(first_msg, "code[0] pc 13: move writes input register r1 (inputs are r0..r2)");
    }
    /* found by fuzzing: a huge max_call_depth made the VM allocate 13 GB */
    memcpy(c, b, n);
    unsigned char depth[8] = { 10, 0, 0, 0, 1, 0, 0, 0 };   /* nregs 10, depth 1 */
    at = find_bytes(c, n, depth, 8);
    T_CHECK(at != (size_t)-1);
    if (at != (size_t)-1) {
        c[at + 4] = 0x01; c[at + 5] = 0x20; c[at + 6] = 0xc9; c[at + 7] = 0;
        fix_checksum(c, n);
        T_CHECK(read_buf(c, n, &nd) == NULL);
        T_EQ_STR(first_msg, "max_call_depth 13180929 is more than 1 lets can nest");
    }
    free(c);
    free(b);
    mmr_program_free(p);
}

/* A policy currency: version 3, the code after the categories, read back;
 * without one the same program keeps version 1 and is 4 + 3 bytes shorter
 * (a string is a u32 length and its bytes); "INR" and unknown codes are
 * refused, since the compiler never writes them. */
static void test_currency(void)
{
    mmr_program *p = sample();
    unsigned char *b1, *b3; size_t n1, n3;
    T_EQ_INT(mmr_program_write(p, &b1, &n1), 0);
    T_EQ_INT(b1[4], 1);
    p->policy.currency = "USD";
    T_EQ_INT(mmr_program_write(p, &b3, &n3), 0);
    T_EQ_INT(b3[4], 3);
    T_EQ_INT(n3, n1 + 7);
    int nd;
    mmr_program *q = read_buf(b3, n3, &nd);
    T_CHECK(q != NULL);
    if (q) { T_EQ_STR(q->policy.currency, "USD"); mmr_program_free(q); }
    /* version 1 bytes read as version 3 lack the currency: truncated */
    unsigned char *c = malloc(n1);
    memcpy(c, b1, n1); c[4] = 3;
    T_CHECK(read_buf(c, n1, &nd) == NULL);
    free(c);
    const char *bad[] = { "INR", "XYZ" };
    for (int i = 0; i < 2; i++) {
        unsigned char *b; size_t n;
        p->policy.currency = bad[i];
        T_EQ_INT(mmr_program_write(p, &b, &n), 0);
        T_CHECK(read_buf(b, n, &nd) == NULL);
        T_CHECK(strstr(first_msg, "is not a currency code this mmr stores") != NULL);
        free(b);
    }
    free(b1); free(b3);
    mmr_program_free(p);
}

int main(void)
{
    test_roundtrip();
    test_truncation_and_flips();
    test_tampering();
    test_currency();
    return T_DONE("mmrc");
}
