/* The never-fires reasoning (compiler/interval.c): which conditions can be
 * TRUE, why not, and which values are surely present when they are. */
#include "tests/unit/t.h"
#include "compiler/compile.h"
#include "compiler/lint.h"
#include <stdlib.h>

static const char prelude[] =
    "import \"std/moneymoments\"\n"
    "signal flag : bool\n"
    "signal x : number\n"
    "signal y : number\n"
    "let big = x > 100\n"
    "let twice = x * 2\n"
    "template T { title \"t\" body \"b\" category dining }\n";

typedef struct {
    mmr_unit *u;
    mmr_cond_facts f;
    int ok;
} analysed;

/* Analyse `rule r { when WHEN [audience AUD] }`. */
static analysed analyse(const char *when, const char *aud)
{
    analysed a;
    memset(&a, 0, sizeof a);
    char src[4096];
    snprintf(src, sizeof src, "%srule r {\n  priority 1\n  when %s\n%s%s%s  message T\n}\n",
             prelude, when, aud ? "  audience " : "", aud ? aud : "", aud ? "\n" : "");
    mmr_diags d;
    mmr_diags_init(&d);
    a.u = mmr_unit_load_source("t.mmr", src, strlen(src), &d);
    if (a.u && d.errors == 0) mmr_check(a.u, &d);
    if (!a.u || d.errors || a.u->nrules != 1) {
        fprintf(stderr, "setup failed for `%s`:\n", when);
        mmr_diags_print_text(stderr, &d);
        mmr_diags_free(&d);
        return a;
    }
    mmr_diags_free(&d);
    const mmr_rule *r = a.u->rules[0];
    a.ok = mmr_cond_analyze(a.u, r->when, r->audience, &a.f) == 0;
    return a;
}

static void done(analysed *a)
{
    mmr_cond_facts_free(&a->f);
    if (a->u) mmr_unit_free(a->u);
}

static int fires(const char *when)
{
    analysed a = analyse(when, NULL);
    int r = a.ok ? a.f.can_fire : -1;
    done(&a);
    return r;
}

static void check_never(const char *when, const char *aud, const char *why)
{
    analysed a = analyse(when, aud);
    T_CHECK(a.ok);
    T_EQ_INT(a.f.can_fire, 0);
    if (why) T_EQ_STR(a.f.why, why);
    done(&a);
}

/* Is the signal named `name` surely present when `when` is TRUE? */
static int present(const char *when, const char *name)
{
    analysed a = analyse(when, NULL);
    int r = -1;
    if (a.ok) {
        r = 0;
        for (size_t i = 0; i < a.u->nsignals; i++)
            if (!strcmp(a.u->signals[i]->name, name))
                r = mmr_cond_facts_input_present(&a.f, MMR_REF_SIGNAL, (int)i);
    }
    done(&a);
    return r;
}

int main(void)
{
    /* the examples */
    check_never("x > 5 and x < 3", NULL, "`x > 5` contradicts `x < 3`");
    check_never("x between 1 and 2 and x >= 3", NULL, "`x between 1 and 2` contradicts `x >= 3`");
    check_never("age_band in [\"a\"] and age_band == \"b\"", NULL,
                "`age_band in [\"a\"]` contradicts `age_band == \"b\"`");

    /* bounds: open and closed ends */
    T_EQ_INT(fires("x > 5 and x < 6"), 1);
    T_EQ_INT(fires("x >= 5 and x <= 5"), 1);
    check_never("x > 5 and x <= 5", NULL, NULL);
    check_never("x >= 5 and x < 5", NULL, NULL);
    check_never("x == 5 and x != 5", NULL, "`x == 5` contradicts `x != 5`");
    check_never("x >= 5 and x <= 5 and x != 5", NULL, NULL);
    T_EQ_INT(fires("x >= 5 and x <= 6 and x != 5"), 1);
    check_never("5 < x and 3 > x", NULL, NULL);               /* constants on the left */
    check_never("x > 2 + 3 and x < 5", NULL, NULL);          /* constant arithmetic */
    check_never("x > -1 and x < -2", NULL, NULL);
    T_EQ_INT(fires("x > 5 and y < 3"), 1);                   /* different terms */
    T_EQ_INT(fires("x > y and x < y"), 1);                   /* not understood: may fire */
    check_never("x < x", NULL, "`x < x` is never true");
    check_never("abs(x) > 5 and abs(x) < 1", NULL, NULL);   /* any expression is a term */

    /* or / not */
    T_EQ_INT(fires("(x > 5 or x < 3) and x > 4"), 1);
    check_never("(x > 5 or x < 3) and x > 3 and x < 5", NULL, NULL);
    check_never("x > 5 and not (x > 3)", NULL, "`x > 5` contradicts `not (x > 3)`");
    check_never("not (x > 3 or x <= 3)", NULL, NULL);
    T_EQ_INT(fires("not (x > 3 and x <= 3)"), 1);
    check_never("not (x >= 0) and not (x < 0)", NULL, NULL);
    check_never("(x > 5 or y > 1) and x < 3 and y < 0", NULL, NULL);

    /* between and in */
    check_never("x between 5 and 1", NULL, "`x between 5 and 1` is never true");
    T_EQ_INT(fires("not (x between 1 and 5) and x > 0"), 1);
    check_never("not (x between 0 and 10) and x > 1 and x < 9", NULL, NULL);
    check_never("x in [1, 2] and x > 2", NULL, NULL);
    T_EQ_INT(fires("x in [1, 2, 3] and x > 2"), 1);
    check_never("x in [1, 2] and x not in [1, 2]", NULL, NULL);
    check_never("age_band in [\"a\", \"b\"] and age_band not in [\"a\", \"b\"]", NULL, NULL);
    T_EQ_INT(fires("age_band in [\"a\", \"b\"] and age_band != \"a\""), 1);
    check_never("age_band == \"a\" and age_band in [\"b\", \"c\"]", NULL, NULL);
    check_never("age_band in []", NULL, NULL);
    T_EQ_INT(fires("age_band not in []"), 1);

    /* missing */
    check_never("x is missing and x > 5", NULL, "`x is missing` contradicts `x > 5`");
    check_never("x is missing and abs(x) > 1", NULL, NULL);   /* abs(x) present => x present */
    check_never("x is missing and not (x > 5)", NULL, NULL);  /* FALSE needs x too */
    T_EQ_INT(fires("x is missing or x > 5"), 1);
    T_EQ_INT(fires("x is missing and (x ?? 0) > 5"), 1);       /* ?? looks through */
    check_never("x is present and x is missing", NULL, NULL);

    /* booleans, constants, lets, audience */
    check_never("flag and not flag", NULL, "`flag` contradicts `not flag`");
    check_never("flag == true and flag == false", NULL, NULL);
    check_never("false", NULL, "`false` is never true");
    T_EQ_INT(fires("true"), 1);
    check_never("big and x < 50", NULL, "`x > 100` contradicts `x < 50`");
    check_never("twice > 10 and x is missing", NULL, NULL);
    check_never("x > 1", "dependents < 0 and dependents > 0", NULL);
    check_never("dependents > 1", "dependents < 0", "`dependents > 1` contradicts `dependents < 0`");
    check_never("age_band == \"18-24\"", "age_band == \"25-34\"", NULL);
    check_never("any k in category_spend_7d where category_spend_7d[k] > 5 and category_spend_7d[k] < 3",
                NULL, NULL);
    T_EQ_INT(fires("all k in category_spend_7d where category_spend_7d[k] > 5 and category_spend_7d[k] < 3"), 1);

    /* what is surely present when the condition is TRUE */
    T_EQ_INT(present("x > 5", "x"), 1);
    T_EQ_INT(present("x > 5", "y"), 0);
    T_EQ_INT(present("x > 5 or y > 5", "x"), 0);
    T_EQ_INT(present("(x > 5 or x < 1) and y > 0", "x"), 1);
    T_EQ_INT(present("ratio(x, y) > 1", "y"), 1);
    T_EQ_INT(present("(x ?? 0) > 1", "x"), 0);
    T_EQ_INT(present("x is present", "x"), 1);
    T_EQ_INT(present("not (x is missing)", "x"), 1);
    T_EQ_INT(present("big", "x"), 1);
    T_EQ_INT(present("x > y", "y"), 1);
    T_EQ_INT(present("not (x > 3)", "x"), 1);

    /* the text of expressions */
    {
        analysed a = analyse("x + 1 > 2 * (y - 3) and not (age_band in [\"a\"])", NULL);
        char *t = a.ok ? mmr_lint_expr_text(a.u->rules[0]->when) : NULL;
        T_EQ_STR(t, "x + 1 > 2 * (y - 3) and not age_band in [\"a\"]");
        free(t);
        done(&a);
    }

    /* a large or-chain: gives up (may fire) rather than blowing up */
    {
        char big[8192] = "(x == 0";
        for (int i = 1; i < 200; i++) {
            char part[32];
            snprintf(part, sizeof part, " or x == %d", i);
            strcat(big, part);
        }
        strcat(big, ") and (y == 0 or y == 1 or y == 2) and x < 0");
        T_EQ_INT(fires(big), 1);
    }
    return T_DONE("interval");
}
