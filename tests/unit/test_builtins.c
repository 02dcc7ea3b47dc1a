/* The standard functions, called directly through the table. */
#include <stdlib.h>
#include <string.h>
#include "t.h"
#include "stdlib/builtins.h"
#include "compiler/ast.h"

static mmr_arena A;

static const mmr_text *tx(const char *s)
{
    size_t n = strlen(s);
    mmr_text *t = mmr_arena_alloc(&A, sizeof *t + n + 1);
    t->len = (uint32_t)n;
    memcpy(t->bytes, s, n + 1);
    return t;
}

static mmr_value call(const char *name, unsigned n, const mmr_value *args)
{
    int i = mmr_builtin_find(name);
    mmr_value out = mmr_v_num(-777);
    if (i < 0) { fprintf(stderr, "no builtin %s\n", name); return out; }
    mmr_builtin_ctx ctx = { &A };
    mmr_builtins[i].fn(&out, args, n, &ctx);
    return out;
}

static double num1(const char *name, double x)
{
    mmr_value a[1] = { mmr_v_num(x) };
    mmr_value r = call(name, 1, a);
    return r.tag == MMR_V_NUM ? r.u.num : NAN;
}

static double num2(const char *name, double x, double y)
{
    mmr_value a[2] = { mmr_v_num(x), mmr_v_num(y) };
    mmr_value r = call(name, 2, a);
    return r.tag == MMR_V_NUM ? r.u.num : NAN;
}

static const char *str1(const char *name, const char *s)
{
    mmr_value a[1] = { mmr_v_text(tx(s)) };
    mmr_value r = call(name, 1, a);
    return r.tag == MMR_V_TEXT ? r.u.text->bytes : "(not text)";
}

static int bool2(const char *name, mmr_value x, mmr_value y)
{
    mmr_value a[2] = { x, y };
    mmr_value r = call(name, 2, a);
    return r.tag == MMR_V_BOOL ? (int)r.u.i : -1;
}

static void test_numbers(void)
{
    T_EQ_NUM(num1("abs", -2.5), 2.5);
    T_EQ_NUM(num1("abs", 0), 0);
    T_EQ_NUM(num2("min", 3, -1), -1);
    T_EQ_NUM(num2("max", 3, -1), 3);
    mmr_value five[5] = { mmr_v_num(4), mmr_v_num(9), mmr_v_num(-2), mmr_v_num(7), mmr_v_num(0) };
    T_EQ_NUM(call("min", 5, five).u.num, -2);
    T_EQ_NUM(call("max", 5, five).u.num, 9);
    /* round: half away from zero */
    T_EQ_NUM(num1("round", 0.5), 1);
    T_EQ_NUM(num1("round", -0.5), -1);
    T_EQ_NUM(num1("round", 1.5), 2);
    T_EQ_NUM(num1("round", 2.5), 3);
    T_EQ_NUM(num1("round", -2.5), -3);
    T_EQ_NUM(num1("round", 2.4999), 2);
    T_CHECK(!signbit(num1("round", -0.4)));          /* no negative zero */
    T_EQ_NUM(num2("round", 2.675, 2), 2.68);         /* as written, not as stored */
    T_EQ_NUM(num2("round", 1.005, 2), 1.01);
    T_EQ_NUM(num2("round", -1.25, 1), -1.3);
    T_EQ_NUM(num2("round", 1234.5, -2), 1200);
    T_EQ_NUM(num2("round", 1250, -2), 1300);
    T_EQ_NUM(num2("round", 0.35, 0), 0);
    T_CHECK(isnan(num2("round", 1.5, 0.5)));         /* digits must be an integer */
    T_CHECK(isnan(num2("round", 1.5, 99)));
    T_EQ_NUM(num1("floor", -1.5), -2);
    T_EQ_NUM(num1("ceil", -1.5), -1);
    T_CHECK(!signbit(num1("ceil", -0.5)));
    T_EQ_NUM(num1("floor", 2), 2);
    mmr_value c[3] = { mmr_v_num(5), mmr_v_num(0), mmr_v_num(3) };
    T_EQ_NUM(call("clamp", 3, c).u.num, 3);
    c[0] = mmr_v_num(-1);
    T_EQ_NUM(call("clamp", 3, c).u.num, 0);
    c[0] = mmr_v_num(2);
    T_EQ_NUM(call("clamp", 3, c).u.num, 2);
    c[1] = mmr_v_num(4);   /* lo > hi */
    T_EQ_INT(call("clamp", 3, c).tag, MMR_V_MISSING);
    T_EQ_NUM(num2("pct_change", 150, 100), 0.5);
    T_EQ_NUM(num2("pct_change", 50, 100), -0.5);
    T_EQ_NUM(num2("pct_change", -50, -100), -0.5);
    T_CHECK(isnan(num2("pct_change", 5, 0)));
    T_CHECK(isnan(num2("pct_change", 0, 0)));
    T_EQ_NUM(num2("ratio", 1, 4), 0.25);
    T_CHECK(isnan(num2("ratio", 1, 0)));
    T_CHECK(isnan(num2("ratio", 0, -0.0)));
    T_CHECK(isnan(num2("ratio", 1e308, 1e-308)));    /* overflow is missing */
}

static void test_texts(void)
{
    mmr_value a[1];
    a[0] = mmr_v_text(tx("\xc3\xa9\xf0\x9f\x98\x8b"));   /* é😋 */
    T_EQ_NUM(call("len", 1, a).u.num, 2);
    a[0] = mmr_v_text(tx(""));
    T_EQ_NUM(call("len", 1, a).u.num, 0);
    a[0] = mmr_v_text(tx("ab\xff" "c"));                  /* an invalid byte counts once */
    T_EQ_NUM(call("len", 1, a).u.num, 4);
    a[0] = mmr_v_text(tx("\xe2\x82"));                    /* truncated sequence: 2 bytes, 2 chars */
    T_EQ_NUM(call("len", 1, a).u.num, 2);
    mmr_value items[2] = { mmr_v_text(tx("a")), mmr_v_text(tx("b")) };
    mmr_list l = { 2, items };
    a[0] = mmr_v_list(&l);
    T_EQ_NUM(call("len", 1, a).u.num, 2);
    const mmr_text *keys[3] = { tx("a"), tx("b"), tx("c") };
    double vals[3] = { 1, NAN, 3 };
    mmr_map m = { 3, keys, vals };
    a[0] = mmr_v_map(&m);
    T_EQ_NUM(call("len", 1, a).u.num, 3);

    T_EQ_STR(str1("upper", "Goa trip"), "GOA TRIP");
    T_EQ_STR(str1("lower", "Goa TRIP"), "goa trip");
    T_EQ_STR(str1("upper", "stra\xc3\x9f" "e"), "STRASSE");                 /* straße */
    T_EQ_STR(str1("upper", "caf\xc3\xa9 \xc3\xbf"), "CAF\xc3\x89 \xc5\xb8");  /* café ÿ -> CAFÉ Ÿ */
    T_EQ_STR(str1("lower", "CAF\xc3\x89 \xc5\xb8"), "caf\xc3\xa9 \xc3\xbf");
    T_EQ_STR(str1("upper", "\xce\xb1\xce\xb2\xcf\x82"), "\xce\x91\xce\x92\xce\xa3");      /* αβς -> ΑΒΣ */
    T_EQ_STR(str1("lower", "\xce\x86\xce\xa9"), "\xce\xac\xcf\x89");                      /* ΆΩ -> άω */
    T_EQ_STR(str1("upper", "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"),          /* привет */
             "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2");
    T_EQ_STR(str1("lower", "\xd0\x81\xd0\x96"), "\xd1\x91\xd0\xb6");                      /* ЁЖ -> ёж */
    /* İ: Unicode's language-neutral full mapping keeps the dot (U+0307) */
    T_EQ_STR(str1("lower", "\xc4\xb0"), "i\xcc\x87");
    /* ΟΔΟΣ -> οδος: the final capital sigma becomes ς, the others σ */
    T_EQ_STR(str1("lower", "\xce\x9f\xce\x94\xce\x9f\xce\xa3"), "\xce\xbf\xce\xb4\xce\xbf\xcf\x82");
    T_EQ_STR(str1("lower", "\xce\xa3\xce\x9f\xce\xa3 X"), "\xcf\x83\xce\xbf\xcf\x82 x");   /* ΣΟΣ X -> σος x */
    T_EQ_STR(str1("lower", "x\xff\xce\x91"), "x\xff\xce\xb1");                            /* invalid byte kept */
    T_EQ_STR(str1("upper", "\xef\xac\x81"), "FI");                                        /* ﬁ ligature */
    T_EQ_STR(str1("lower", ""), "");
    T_EQ_STR(str1("upper", "\xc4\x81\xc5\x82"), "\xc4\x80\xc5\x81");                      /* āł -> ĀŁ */
    T_EQ_STR(str1("upper", "x\xff\xfe" "y"), "X\xff\xfe" "Y");                            /* invalid bytes kept */
    T_EQ_STR(str1("upper", "\xf0\x9f\x98\x8b ok"), "\xf0\x9f\x98\x8b OK");
    T_EQ_STR(str1("lower", "\xe2\x82"), "\xe2\x82");

    T_EQ_INT(bool2("contains", mmr_v_text(tx("Goa Trip fund")), mmr_v_text(tx("Trip"))), 1);
    T_EQ_INT(bool2("contains", mmr_v_text(tx("Goa")), mmr_v_text(tx("goa"))), 0);
    T_EQ_INT(bool2("contains", mmr_v_text(tx("Goa")), mmr_v_text(tx(""))), 1);
    T_EQ_INT(bool2("contains", mmr_v_text(tx("Go")), mmr_v_text(tx("Goa"))), 0);
    T_EQ_INT(bool2("contains", mmr_v_list(&l), mmr_v_text(tx("b"))), 1);
    T_EQ_INT(bool2("contains", mmr_v_list(&l), mmr_v_text(tx("c"))), 0);
    mmr_value nitems[2] = { mmr_v_num(1), mmr_v_num(2) };
    mmr_list nl = { 2, nitems };
    T_EQ_INT(bool2("contains", mmr_v_list(&nl), mmr_v_num(2)), 1);
    T_EQ_INT(bool2("starts_with", mmr_v_text(tx("foodie")), mmr_v_text(tx("foo"))), 1);
    T_EQ_INT(bool2("starts_with", mmr_v_text(tx("fo")), mmr_v_text(tx("foo"))), 0);
    T_EQ_INT(bool2("starts_with", mmr_v_text(tx("x")), mmr_v_text(tx(""))), 1);
    T_EQ_INT(bool2("ends_with", mmr_v_text(tx("foodie")), mmr_v_text(tx("die"))), 1);
    T_EQ_INT(bool2("ends_with", mmr_v_text(tx("ie")), mmr_v_text(tx("die"))), 0);
}

static void test_maps(void)
{
    const mmr_text *keys[3] = { tx("dining"), tx("shopping"), tx("travel") };
    double vals[3] = { 260, NAN, 10 };
    mmr_map m = { 3, keys, vals };
    mmr_map em = { 0, NULL, NULL };
    mmr_value a[1] = { mmr_v_map(&m) };
    mmr_value e[1] = { mmr_v_map(&em) };
    T_EQ_NUM(call("sum", 1, a).u.num, 270);
    T_EQ_NUM(call("sum", 1, e).u.num, 0);
    T_EQ_INT(call("sum", 1, e).tag, MMR_V_NUM);
    T_EQ_NUM(call("count", 1, a).u.num, 3);
    T_EQ_NUM(call("count", 1, e).u.num, 0);
    T_EQ_NUM(call("avg", 1, a).u.num, 135);
    T_EQ_INT(call("avg", 1, e).tag, MMR_V_MISSING);
    T_EQ_NUM(call("max_of", 1, a).u.num, 260);
    T_EQ_NUM(call("min_of", 1, a).u.num, 10);
    T_EQ_INT(call("max_of", 1, e).tag, MMR_V_MISSING);
    T_EQ_STR(call("top_key", 1, a).u.text->bytes, "dining");
    double tie[3] = { 5, 5, 1 };
    mmr_map tm = { 3, keys, tie };
    mmr_value t[1] = { mmr_v_map(&tm) };
    T_EQ_STR(call("top_key", 1, t).u.text->bytes, "dining");
    T_EQ_INT(call("top_key", 1, e).tag, MMR_V_MISSING);
}

static void test_table_and_typers(void)
{
    const char *need[] = { "abs", "min", "max", "round", "floor", "ceil", "clamp", "pct_change", "ratio",
                           "len", "contains", "lower", "upper", "starts_with", "sum", "count" };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) T_CHECK(mmr_builtin_find(need[i]) >= 0);
    T_EQ_INT(mmr_builtin_find("nope"), -1);
    T_EQ_INT(mmr_builtin_find(NULL), -1);
    for (unsigned i = 0; i < mmr_nbuiltins; i++) {
        const mmr_builtin *b = &mmr_builtins[i];
        T_CHECK(b->fn && b->typer && b->signature && b->doc && b->min_args <= b->max_args && b->min_args >= 1);
        for (unsigned j = i + 1; j < mmr_nbuiltins; j++) T_CHECK(strcmp(b->name, mmr_builtins[j].name) != 0);
    }
    const char *why = NULL;
    int t2n[2] = { MMR_T_NUMBER, MMR_T_NUMBER };
    int tnt[2] = { MMR_T_NUMBER, MMR_T_TEXT };
    const mmr_builtin *pc = &mmr_builtins[mmr_builtin_find("pct_change")];
    T_EQ_INT(pc->typer(t2n, 2, &why), MMR_T_NUMBER);
    T_EQ_INT(pc->typer(tnt, 2, &why), MMR_T_ERROR);
    T_CHECK(why != NULL);
    const mmr_builtin *ct = &mmr_builtins[mmr_builtin_find("contains")];
    int tlt[2] = { MMR_T_LIST_TEXT, MMR_T_TEXT }, ttt[2] = { MMR_T_TEXT, MMR_T_TEXT }, tmt[2] = { MMR_T_MAP_NUMBER, MMR_T_TEXT };
    T_EQ_INT(ct->typer(tlt, 2, &why), MMR_T_BOOL);
    T_EQ_INT(ct->typer(ttt, 2, &why), MMR_T_BOOL);
    T_EQ_INT(ct->typer(tmt, 2, &why), MMR_T_ERROR);
    const mmr_builtin *ln = &mmr_builtins[mmr_builtin_find("len")];
    int tb[1] = { MMR_T_BOOL }, tm[1] = { MMR_T_MAP_NUMBER }, te[1] = { MMR_T_ERROR };
    T_EQ_INT(ln->typer(tb, 1, &why), MMR_T_ERROR);
    T_EQ_INT(ln->typer(tm, 1, &why), MMR_T_NUMBER);
    T_EQ_INT(ln->typer(te, 1, &why), MMR_T_NUMBER);   /* no cascade */
    const mmr_builtin *tk = &mmr_builtins[mmr_builtin_find("top_key")];
    T_EQ_INT(tk->typer(tm, 1, &why), MMR_T_TEXT);
    const mmr_builtin *up = &mmr_builtins[mmr_builtin_find("upper")];
    int tt[1] = { MMR_T_TEXT };
    T_EQ_INT(up->typer(tt, 1, &why), MMR_T_TEXT);
    T_EQ_INT(up->typer(tm, 1, &why), MMR_T_ERROR);
}

int main(void)
{
    mmr_arena_init(&A, 0);
    test_numbers();
    test_texts();
    test_maps();
    test_table_and_typers();
    mmr_arena_free(&A);
    return T_DONE("builtins");
}
