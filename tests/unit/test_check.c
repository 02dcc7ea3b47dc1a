/* The checker: resolution, types, the language's static rules, folding. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/t.h"
#include "compiler/compile.h"
#include "util/buf.h"

/* .mmr files in a directory: the shipped ruleset grows */
static size_t count_mmr(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".mmr")) n++;
    }
    if (d) closedir(d);
    return n;
}

static mmr_unit *last_unit;

/* Check a source; return every diagnostic as "L:C: severity: message"
 * lines, with "  hint: ..." lines after those that have one. */
static char *check_src(const char *src)
{
    mmr_diags d;
    mmr_diags_init(&d);
    if (last_unit) mmr_unit_free(last_unit);
    last_unit = mmr_unit_load_source("t.mmr", src, strlen(src), &d);
    mmr_check(last_unit, &d);
    mmr_buf b;
    mmr_buf_init(&b);
    for (size_t i = 0; i < d.n; i++) {
        const mmr_diag *g = &d.v[i];
        mmr_buf_printf(&b, "%d:%d: %s: %s\n", g->line, g->col, g->sev == MMR_SEV_ERROR ? "error" : "warning", g->message);
        if (g->hint) mmr_buf_printf(&b, "  hint: %s\n", g->hint);
    }
    mmr_buf_puts(&b, "");
    mmr_diags_free(&d);
    return mmr_buf_take(&b);
}

static void expect_diag(int line, const char *src, const char *want)
{
    char *got = check_src(src);
    if (strstr(got, want)) t_passed++;
    else {
        t_failed++;
        fprintf(stderr, "%s:%d: missing diagnostic\n  want: %s\n  got:\n%s\n", __FILE__, line, want, got);
    }
    free(got);
}
#define EXPECT(src, want) expect_diag(__LINE__, src, want)

static void expect_clean(int line, const char *src)
{
    char *got = check_src(src);
    if (!*got) t_passed++;
    else { t_failed++; fprintf(stderr, "%s:%d: expected no diagnostics, got:\n%s\n", __FILE__, line, got); }
    free(got);
}
#define CLEAN(src) expect_clean(__LINE__, src)

#define STD "import \"std/moneymoments\"\n"
#define TPL "template T { title \"t\" body \"b\" category dining }\n"

static void test_resolution(void)
{
    CLEAN(STD TPL "rule r { priority 1 when dining_txn_7d > 3 message T }\n");
    EXPECT(STD TPL "rule r { priority 1 when dinning_txn_7d > 3 message T }\n",
           "3:26: error: unknown signal \"dinning_txn_7d\"\n  hint: did you mean \"dining_txn_7d\"?");
    EXPECT(STD TPL "rule r { priority 1 when zzz > 3 message T }\n",
           "hint: declare it (signal zzz : number) or import the schema that has it");
    /* declarations in any order: a let used before it is declared */
    CLEAN(STD TPL "rule r { priority 1 when big message T }\nlet big = dining_txn_7d > 3\n");
    EXPECT("signal a : number\nsignal a : text\n", "2:8: error: duplicate name \"a\": already declared as a signal at t.mmr:1:8");
    EXPECT("signal a : number\ntrait a : text\n", "2:7: error: duplicate name \"a\": already declared as a signal at t.mmr:1:8");
    EXPECT("signal a : number\nlet a = 1\n", "2:5: error: duplicate name \"a\": already declared as a signal at t.mmr:1:8");
    EXPECT(TPL TPL, "2:10: error: duplicate template \"T\": already declared at t.mmr:1:10");
    EXPECT("signal s : number\n" TPL "rule r { priority 1 when s > 1 message T }\nrule r { priority 2 when s > 1 message T }\n",
           "4:6: error: duplicate rule \"r\": already declared at t.mmr:3:6");
    EXPECT("signal s : bool\nlet a = b and s\nlet b = c\nlet c = a\n", "2:5: error: let cycle: a -> b -> c -> a");
    EXPECT("let a = a\n", "1:5: error: let cycle: a -> a");
    /* quantifier variables: scoped over where, and `any` in when over with */
    CLEAN(STD "template S { title \"{c}\" body \"b\" category dining }\n"
          "rule r { priority 1 when any k in category_spend_7d where category_spend_7d[k] > 10 message S with { c = k } }\n");
    EXPECT(STD "template S { title \"{c}\" body \"b\" category dining }\n"
           "rule r { priority 1 when (any k in category_spend_7d where category_spend_7d[k] > 10) or dining_txn_7d > 1 message S with { c = k } }\n",
           "error: unknown signal \"k\"");
    EXPECT(STD TPL "rule r { priority 1 when (any k in category_spend_7d where category_spend_7d[k] > 10) and k == \"x\" message T }\n",
           "error: unknown signal \"k\"");
    /* rules are sorted by name */
    char *s = check_src("signal s : number\n" TPL "rule zz { priority 1 when s > 1 message T }\nrule aa { priority 1 when s > 1 message T }\n");
    T_EQ_STR(s, "");
    free(s);
    T_EQ_INT(last_unit->nrules, 2);
    T_EQ_STR(last_unit->rules[0]->name, "aa");
    T_EQ_INT(last_unit->nsignals, 1);
    T_EQ_INT(last_unit->ntemplates, 1);
}

static void test_types(void)
{
    EXPECT(STD TPL "rule r { priority 1 when age_band == 25 message T }\n", "error: cannot compare text with number");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d and true message T }\n",
           "3:26: error: \"and\" needs bool operands, got number");
    EXPECT(STD TPL "rule r { priority 1 when not dining_txn_7d message T }\n", "error: \"not\" needs a bool operand, got number");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d + 1 message T }\n",
           "3:26: error: \"when\" must be a bool condition, got number");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d > 1 audience age_band message T }\n",
           "error: \"audience\" must be a bool condition, got text");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d == missing message T }\n",
           "error: \"== missing\" is never true: a comparison with missing is unknown\n  hint: write \"dining_txn_7d is missing\"");
    EXPECT(STD TPL "rule r { priority 1 when top_goal_name != missing message T }\n", "hint: write \"top_goal_name is present\"");
    EXPECT(STD TPL "rule r { priority 1 when age_band < \"30\" message T }\n", "error: \"<\" needs numbers, got text");
    EXPECT(STD TPL "rule r { priority 1 when age_band + 1 > 3 message T }\n", "error: \"+\" needs number operands, got text");
    EXPECT(STD TPL "rule r { priority 1 when (top_goal_name ?? 3) == \"x\" message T }\n",
           "error: \"??\" needs a default of the same type as its left side: got text and number");
    EXPECT(STD TPL "rule r { priority 1 when age_band in [1, 2] message T }\n", "error: cannot look for text in a list<number>");
    EXPECT(STD TPL "rule r { priority 1 when age_band in [\"a\", 2] message T }\n",
           "error: a list holds one type: this item is number, the first is text");
    EXPECT(STD TPL "rule r { priority 1 when age_band in [gender] message T }\n", "error: list items must be constants");
    EXPECT(STD TPL "rule r { priority 1 when age_band in \"18-24\" message T }\n", "error: \"in\" needs a list on the right, got text");
    EXPECT(STD TPL "rule r { priority 1 when age_band between 1 and 3 message T }\n", "error: \"between\" needs numbers, got text");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d[\"x\"] > 1 message T }\n", "error: only a map<number> can be indexed, got number");
    EXPECT(STD TPL "rule r { priority 1 when category_spend_7d[1] > 1 message T }\n", "error: a map key must be text, got number");
    EXPECT(STD TPL "rule r { priority 1 when any c in dining_txn_7d where true message T }\n",
           "error: \"any\" goes over a map<number>, got number");
    EXPECT(STD TPL "rule r { priority 1 when any c in category_spend_7d where 1 message T }\n",
           "error: \"where\" needs a bool condition, got number");
    EXPECT(STD TPL "rule r { priority 1 when pct_chnge(dining_txn_7d, 1) > 1 message T }\n",
           "error: unknown function \"pct_chnge\"\n  hint: did you mean \"pct_change\"?");
    EXPECT(STD TPL "rule r { priority 1 when pct_change(dining_txn_7d) > 1 message T }\n",
           "error: pct_change takes 2 arguments, got 1\n  hint: pct_change(new: number, old: number) -> number");
    EXPECT(STD TPL "rule r { priority 1 when abs(age_band) > 1 message T }\n", "error: abs: expects number arguments");
    EXPECT(STD TPL "rule r { priority 1 when lower(age_band) == \"x\" and len(lifestyle_tags) > 1 message T }\n", "");
    CLEAN(STD TPL "rule r { priority 1 when lower(age_band) == \"x\" and len(lifestyle_tags) > 1 and not (\"foodie\" in lifestyle_tags) message T }\n");
    CLEAN(STD TPL "rule r { priority 1 when dining_txn_7d between 1 and 3 and top_goal_name is present and (dining_txn_7d ?? 0) < 9 message T }\n");
}

static void test_rules(void)
{
    EXPECT(STD TPL "rule r { when dining_txn_7d > 1 message T }\n",
           "3:6: error: rule r has no priority\n  hint: add \"priority 50\": a whole number from 0 to 1000, higher wins");
    EXPECT(STD TPL "rule r { priority 1500 when dining_txn_7d > 1 message T }\n",
           "3:19: error: priority must be a whole number from 0 to 1000, got 1500");
    EXPECT(STD TPL "rule r { priority 2.5 when dining_txn_7d > 1 message T }\n",
           "error: priority must be a whole number from 0 to 1000, got 2.5");
    EXPECT(STD TPL "rule r { priority -1 when dining_txn_7d > 1 message T }\n",
           "error: priority must be a whole number from 0 to 1000, got -1");
    EXPECT(STD TPL "rule r { priority 1 message T }\n", "3:6: error: rule r has no \"when\" condition");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d > 1 }\n", "3:6: error: rule r has no \"message\"");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d > 1 message U }\n", "3:52: error: unknown template \"U\"\n");
    EXPECT(STD "template DINE_01 { title \"t\" body \"x\" category dining }\n"
           "rule dining_overspend { priority 1 when dining_txn_7d > 1 message DINE_02 }\n",
           "error: unknown template \"DINE_02\"\n  hint: did you mean \"DINE_01\"?");
    EXPECT(STD "template DINE_01 { title \"Hi\" body \"Your {goal_name} fund\" category dining }\n"
           "rule dining_overspend { priority 80 when dining_txn_7d > 1 message DINE_01 }\n",
           "error: placeholder {goal_name} of template DINE_01 is not filled by rule dining_overspend: add it to \"with\" or declare a signal or trait named goal_name");
    CLEAN(STD "template G { title \"{top_goal_name}\" body \"{age_band} {top_goal_progress:pct}\" category goal }\n"
          "rule g { priority 1 when top_goal_progress < 0.1 message G }\n");
    EXPECT(STD "template G { title \"{age_band:money}\" body \"b\" category goal }\n"
           "rule g { priority 1 when top_goal_progress < 0.1 message G }\n",
           "error: placeholder {age_band:money} of template G needs a number, but age_band is text");
    EXPECT(STD "template G { title \"{x:usd}\" body \"b\" category goal }\n",
           "error: unknown format \"usd\" in placeholder {x:usd} of template G\n  hint: the formats are money, money2, pct, int and number");
    EXPECT(STD "template G { title \"a { b\" body \"b\" category goal }\n",
           "error: bad title of template G: \"{\" must start a placeholder like {goal_name} (write \"{{\" for a literal brace)");
    EXPECT(STD "template G { title \"a\" body \"x}\" category goal }\n", "error: bad body of template G: a lone \"}\"");
    EXPECT(STD "template G { title \"a\" category goal }\n", "error: template G has no body");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d > 1 message T with { extra = 1 } }\n",
           "warning: \"with\" binds extra, which template T does not use");
    EXPECT(STD TPL "rule r { priority 1 category dinning when dining_txn_7d > 1 message T }\n",
           "error: unknown category \"dinning\": the policy's categories are dining, shopping, travel, goal, budget\n  hint: did you mean \"dining\"?");
    EXPECT(STD TPL "rule r { priority 1 category travel when dining_txn_7d > 1 message T }\n",
           "error: rule r has category travel but its template T has category dining");
    EXPECT(STD "template T { title \"t\" body \"b\" }\nrule r { priority 1 when dining_txn_7d > 1 message T }\n",
           "error: rule r has no category and its template T has none");
    CLEAN(STD "template T { title \"t\" body \"b\" }\nrule r { priority 1 category travel when dining_txn_7d > 1 message T }\n");
    EXPECT(STD TPL "rule r { priority 1 when dining_txn_7d > 1 audience dining_txn_7d > 2 message T }\n",
           "error: audience can only use traits: \"dining_txn_7d\" is a signal");
    EXPECT(STD TPL "let d = dining_txn_7d > 2\nrule r { priority 1 when dining_txn_7d > 1 audience d message T }\n",
           "error: audience can only use traits: let \"d\" reads signal \"dining_txn_7d\"");
    CLEAN(STD TPL "let young = age_band in [\"18-24\"]\nrule r { priority 1 when dining_txn_7d > 1 audience young and dependents == 0 message T }\n");
    EXPECT(STD "template T { title \"{v}\" body \"b\" category dining }\n"
           "rule r { priority 1 when dining_txn_7d > 1 message T with { v = 1, v = 2 } }\n",
           "error: \"with\" binds v twice (first at t.mmr:3:61)");
}

static void test_policy(void)
{
    EXPECT("policy { max_nudges 1 per 24h }\npolicy { timezone \"UTC\" }\n",
           "2:1: error: more than one policy: the first is at t.mmr:1:1");
    EXPECT("policy { max_nudges 0 per 24h }\n", "error: max_nudges must be at least 1, got 0");
    EXPECT("policy { timezone \"Mars Base\" }\n", "error: \"Mars Base\" is not a time zone name");
    EXPECT("policy { categories [a, b, a] }\n", "error: category a is listed twice");
    CLEAN("policy { max_nudges 2 per 12h quiet_hours 22:00 - 07:30 timezone \"Asia/Kolkata\" categories [a, b] }\n");
    EXPECT("policy { categories [fun] }\n" TPL, "error: unknown category \"dining\": the policy's categories are fun");
}

static void test_tests(void)
{
    const char *base = STD TPL "rule r { priority 1 when dining_txn_7d > 1 message T }\n";
    char src[4096];
#define WITH(extra) (snprintf(src, sizeof src, "%s%s", base, extra), src)
    CLEAN(WITH("test \"ok\" { at \"2025-10-26T09:00:00Z\" given { dining_txn_7d = 4, category_spend_7d = {\"a\": 1}, top_goal_name = missing }\n"
               "  traits { age_band = \"25-34\", lifestyle_tags = [\"x\"] } muted [dining] history { r 2d ago }\n"
               "  expect nudge r expect candidates [r] expect suppressed r because cooldown expect body contains \"b\" }\n"));
    EXPECT(WITH("test \"t\" { expect nudge rx }\n"), "4:19: error: unknown rule \"rx\"\n");
    EXPECT(WITH("test \"t\" { history { q 2d ago } expect no nudge }\n"), "error: unknown rule \"q\"");
    EXPECT(WITH("test \"t\" { expect candidates [r, s] }\n"), "error: unknown rule \"s\"");
    EXPECT(WITH("test \"t\" { given { dinning_txn_7d = 4 } }\n"),
           "error: unknown signal \"dinning_txn_7d\"\n  hint: did you mean \"dining_txn_7d\"?");
    EXPECT(WITH("test \"t\" { traits { age_bnd = \"x\" } }\n"), "error: unknown trait \"age_bnd\"");
    EXPECT(WITH("test \"t\" { given { age_band = \"x\" } }\n"), "error: age_band is a trait, not a signal\n  hint: put it in \"traits\"");
    EXPECT(WITH("test \"t\" { traits { dining_txn_7d = 1 } }\n"), "error: dining_txn_7d is a signal, not a trait");
    EXPECT(WITH("test \"t\" { given { dining_txn_7d = \"4\" } }\n"), "error: signal dining_txn_7d is number, but the test gives text");
    EXPECT(WITH("test \"t\" { traits { lifestyle_tags = [1] } }\n"), "error: trait lifestyle_tags is list<text>, but the test gives list<number>");
    EXPECT(WITH("test \"t\" { expect suppressed r because snoozed }\n"),
           "error: unknown suppression reason \"snoozed\": the reasons are muted, cooldown, quiet_hours, template_value_missing and daily_cap");
    EXPECT(WITH("test \"t\" { expect suppressed r because mutd }\n"), "hint: did you mean \"muted\"?");
    EXPECT(WITH("test \"t\" { at \"yesterday\" }\n"),
           "error: \"at\" must be an ISO 8601 instant, got \"yesterday\"\n  hint: write it like \"2025-10-26T09:00:00Z\"");
    EXPECT(WITH("test \"t\" { at \"2025-02-30T09:00:00Z\" }\n"), "error: \"at\" must be an ISO 8601 instant");
    CLEAN(WITH("test \"t\" { at \"2024-02-29T23:59:59+05:30\" }\n"));
    EXPECT(WITH("test \"t\" { }\ntest \"t\" { }\n"), "5:6: error: duplicate test \"t\": already declared at t.mmr:4:6");
    EXPECT(WITH("test \"t\" { muted [fun] }\n"), "error: unknown category \"fun\"");
    EXPECT(WITH("test \"t\" { given { dining_txn_7d = 1, dining_txn_7d = 2 } }\n"), "error: signal dining_txn_7d is given twice");
#undef WITH
}

static void test_folding(void)
{
    char *s = check_src("signal x : number\nsignal t : text\n"
                        "let k = 2 * 3 + 1\nlet m = pct_change(5, 0)\nlet lo = lower(\"AB\")\n"
                        "let z = x ?? 3\nlet b = 1 < 2 and \"a\" == \"a\"\nlet f = false and x > 1\n"
                        "let u = x > 1 and true\nlet d = 1 / 0\nlet kk = k * 2\nlet r = round(2.5)\n"
                        "let i = 2 in [1, 2]\nlet c = 3 ?? 4\n");
    T_EQ_STR(s, "");
    free(s);
    mmr_unit *u = last_unit;
    T_EQ_INT(u->nlets, 12);
    if (u->nlets != 12) return;
    T_CHECK(u->lets[0]->expr->is_const); T_EQ_NUM(u->lets[0]->expr->num, 7);
    T_CHECK(!u->lets[1]->expr->is_const);                 /* missing: never folded away */
    T_CHECK(u->lets[2]->expr->is_const); T_EQ_STR(u->lets[2]->expr->text, "ab");
    T_CHECK(!u->lets[3]->expr->is_const);                 /* x may be missing */
    T_CHECK(u->lets[4]->expr->is_const); T_EQ_INT(u->lets[4]->expr->boolean, 1);
    T_CHECK(u->lets[5]->expr->is_const); T_EQ_INT(u->lets[5]->expr->boolean, 0);   /* false and unknown = false */
    T_CHECK(!u->lets[6]->expr->is_const);                 /* true and unknown = unknown */
    T_CHECK(!u->lets[7]->expr->is_const);                 /* division by zero is missing */
    T_CHECK(u->lets[8]->expr->is_const); T_EQ_NUM(u->lets[8]->expr->num, 14);   /* through a let */
    T_CHECK(u->lets[9]->expr->is_const); T_EQ_NUM(u->lets[9]->expr->num, 3);
    T_CHECK(u->lets[10]->expr->is_const); T_EQ_INT(u->lets[10]->expr->boolean, 1);
    T_CHECK(u->lets[11]->expr->is_const); T_EQ_NUM(u->lets[11]->expr->num, 3);
    T_EQ_INT(u->lets[0]->expr->type, MMR_T_NUMBER);
    T_EQ_INT(u->lets[4]->expr->type, MMR_T_BOOL);
}

static void test_shipped(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    const char *paths[] = { "rules/moneymoments" };
    mmr_unit *u = mmr_unit_load(paths, 1, &d);
    T_CHECK(u != NULL);
    T_EQ_INT(mmr_check(u, &d), 0);
    T_EQ_INT(d.n, 0);
    if (d.n) mmr_diags_print_text(stderr, &d);
    T_EQ_INT(u->nrules, 5);
    T_EQ_INT(mmr_check(u, &d), 0);    /* checking again is harmless */
    T_EQ_INT(u->nrules, 5);
    T_EQ_INT(u->nfiles, (int)(1 + count_mmr("rules/moneymoments")));  /* std/moneymoments once, then the files */
    T_CHECK(u->nfiles && u->files[0]->is_std);
    T_CHECK(u->policy != NULL);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    /* the standard schema on its own */
    mmr_diags_init(&d);
    const char *src = "import \"std/moneymoments\"\n";
    u = mmr_unit_load_source("s.mmr", src, strlen(src), &d);
    mmr_check(u, &d);
    T_EQ_INT(d.n, 0);
    T_CHECK(u->nsignals > 20);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    /* a missing path and an unknown std schema */
    mmr_diags_init(&d);
    const char *bad[] = { "no/such/dir.mmr" };
    u = mmr_unit_load(bad, 1, &d);
    T_EQ_INT(d.errors, 1);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    mmr_diags_init(&d);
    src = "import \"std/nope\"\n";
    u = mmr_unit_load_source("s.mmr", src, strlen(src), &d);
    T_EQ_INT(d.errors, 1);
    T_CHECK(d.n && strstr(d.v[0].message, "unknown standard schema \"std/nope\""));
    mmr_unit_free(u);
    mmr_diags_free(&d);
}

int main(void)
{
    test_resolution();
    test_types();
    test_rules();
    test_policy();
    test_tests();
    test_folding();
    test_shipped();
    if (last_unit) mmr_unit_free(last_unit);
    return T_DONE("check");
}
