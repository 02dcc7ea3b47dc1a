/* Parser and printer: AST shapes, precedence, literals, round trips. */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/t.h"
#include "compiler/ast.h"
#include "compiler/compile.h"
#include "util/buf.h"

static const char brief[] =
    "# rules/moneymoments/dining.mmr\n"
    "import \"std/moneymoments\"          # the standard signal + trait schema\n"
    "\n"
    "template DINE_01 {\n"
    "  title    \"Oops! Dining spike detected\"\n"
    "  body     \"Looks tasty… but your {goal_name} fund is starving 😋\"\n"
    "  tone     humorous\n"
    "  category dining\n"
    "}\n"
    "\n"
    "let heavy_diner = dining_txn_7d >= 3 and wants_share_30d > 35%\n"
    "\n"
    "rule dining_overspend {\n"
    "  description \"Frequent takeout while wants eat the budget\"\n"
    "  category dining\n"
    "  priority 80\n"
    "  cooldown 3d\n"
    "  when heavy_diner\n"
    "  audience age_band in [\"18-24\", \"25-34\", \"35-44\"]\n"
    "  message DINE_01 with { goal_name = underfunded_top_goal ?? \"savings\" }\n"
    "}\n"
    "\n"
    "policy {\n"
    "  max_nudges 1 per 24h\n"
    "  quiet_hours 22:00 - 08:00        # user-local\n"
    "  timezone \"Asia/Kolkata\"\n"
    "}\n"
    "\n"
    "test \"a heavy diner is nudged about dining\" {\n"
    "  given  { dining_txn_7d = 4, wants_share_30d = 0.40, underfunded_top_goal = \"Goa Trip\" }\n"
    "  traits { age_band = \"25-34\" }\n"
    "  muted [dining, goal]\n"
    "  history { dining_overspend 2d ago, other 90m ago }\n"
    "  expect nudge dining_overspend\n"
    "  expect body contains \"Goa Trip\"\n"
    "  expect no nudge\n"
    "  expect candidates [a, b]\n"
    "  expect suppressed x because quiet_hours\n"
    "  expect title == \"T\"\n"
    "}\n";

static mmr_arena A;

static mmr_file *parse(const char *src, mmr_diags *d)
{
    mmr_diags_init(d);
    return mmr_parse(&A, "t.mmr", src, strlen(src), d);
}

/* Parses `let x = SRC` and returns the expression (NULL on errors). */
static mmr_expr *pexpr(const char *src)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_printf(&b, "let x = %s\n", src);
    mmr_diags d;
    mmr_file *f = parse(b.data, &d);
    mmr_buf_free(&b);
    mmr_expr *e = f && !d.errors && f->nlets == 1 ? f->lets[0].expr : NULL;
    mmr_diags_free(&d);
    return e;
}

static char out[4096];
static const char *show(const char *src)
{
    mmr_expr *e = pexpr(src);
    if (!e) return "(error)";
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_print_expr(&b, e);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}

/* Fully parenthesised form, to see the tree's shape. */
static void tree(mmr_buf *b, const mmr_expr *e)
{
    switch (e->kind) {
    case MMR_E_BINARY:
        mmr_buf_putc(b, '('); tree(b, e->lhs); mmr_buf_printf(b, " %s ", mmr_op_text(e->op)); tree(b, e->rhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_UNARY:
        mmr_buf_printf(b, "(%s ", mmr_op_text(e->op)); tree(b, e->lhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_IN:
        mmr_buf_putc(b, '('); tree(b, e->lhs); mmr_buf_puts(b, e->negated ? " not in " : " in "); tree(b, e->rhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_BETWEEN:
        mmr_buf_putc(b, '('); tree(b, e->lhs); mmr_buf_puts(b, " between "); tree(b, e->rhs);
        mmr_buf_puts(b, " and "); tree(b, e->third); mmr_buf_putc(b, ')');
        break;
    case MMR_E_IS_MISSING:
        mmr_buf_putc(b, '('); tree(b, e->lhs); mmr_buf_puts(b, e->negated ? " is present)" : " is missing)");
        break;
    case MMR_E_QUANT:
        mmr_buf_printf(b, "(%s %s in ", mmr_op_text(e->op), e->text); tree(b, e->lhs);
        mmr_buf_puts(b, " where "); tree(b, e->rhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_INDEX:
        tree(b, e->lhs); mmr_buf_putc(b, '['); tree(b, e->rhs); mmr_buf_putc(b, ']');
        break;
    default:
        mmr_print_expr(b, e);
    }
}

static const char *shape(const char *src)
{
    mmr_expr *e = pexpr(src);
    if (!e) return "(error)";
    mmr_buf b;
    mmr_buf_init(&b);
    tree(&b, e);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    mmr_buf_free(&b);
    return out;
}

static const char *first_error(const char *src)
{
    mmr_diags d;
    parse(src, &d);
    snprintf(out, sizeof out, "%d:%d: %s", d.n ? d.v[0].line : 0, d.n ? d.v[0].col : 0,
             d.n ? d.v[0].message : "(no error)");
    mmr_diags_free(&d);
    return out;
}

/* Structural equality, ignoring locations. */
static int same_expr(const mmr_expr *a, const mmr_expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || a->op != b->op || a->negated != b->negated || a->boolean != b->boolean
        || a->nitems != b->nitems || a->percent != b->percent)
        return 0;
    if (a->kind == MMR_E_NUMBER && a->num != b->num) return 0;
    if ((a->text || b->text) && (!a->text || !b->text || a->text_len != b->text_len
        || strcmp(a->text, b->text)))
        return 0;
    if (!same_expr(a->lhs, b->lhs) || !same_expr(a->rhs, b->rhs) || !same_expr(a->third, b->third)) return 0;
    for (size_t i = 0; i < a->nitems; i++) {
        if (!same_expr(a->items[i], b->items[i])) return 0;
        if (a->keys && !same_expr(a->keys[i], b->keys[i])) return 0;
    }
    return 1;
}

static void test_brief(void)
{
    mmr_diags d;
    mmr_file *f = parse(brief, &d);
    T_CHECK(f != NULL);
    T_EQ_INT(d.errors, 0);
    if (!f) return;
    T_EQ_INT(f->nimports, 1);
    T_EQ_STR(f->imports[0].path, "std/moneymoments");
    T_EQ_INT(f->norder, 6);
    T_EQ_INT(f->order[0].kind, MMR_D_IMPORT);
    T_EQ_INT(f->order[1].kind, MMR_D_TEMPLATE);
    T_EQ_INT(f->order[2].kind, MMR_D_LET);
    T_EQ_INT(f->order[3].kind, MMR_D_RULE);
    T_EQ_INT(f->order[4].kind, MMR_D_POLICY);
    T_EQ_INT(f->order[5].kind, MMR_D_TEST);
    T_EQ_INT(f->ncomments, 3);
    T_EQ_INT(f->comments[0].own_line, 1);
    T_EQ_INT(f->comments[1].own_line, 0);
    T_EQ_STR(f->comments[1].text, "# the standard signal + trait schema");
    T_EQ_INT(f->comments[1].loc.line, 2);

    mmr_template *t = &f->templates[0];
    T_EQ_STR(t->id, "DINE_01");
    T_EQ_STR(t->title, "Oops! Dining spike detected");
    T_EQ_STR(t->tone, "humorous");
    T_EQ_STR(t->category, "dining");
    T_EQ_INT(t->body_loc.line, 6);
    T_EQ_INT(t->body_loc.col, 12);

    T_EQ_STR(f->lets[0].name, "heavy_diner");
    T_EQ_INT(f->lets[0].expr->op, MMR_OP_AND);
    T_EQ_NUM(f->lets[0].expr->rhs->rhs->num, 0.35);
    T_EQ_INT(f->lets[0].expr->rhs->rhs->percent, 1);

    mmr_rule *r = &f->rules[0];
    T_EQ_STR(r->name, "dining_overspend");
    T_EQ_INT(r->loc.line, 13);
    T_EQ_INT(r->loc.col, 6);
    T_EQ_STR(r->description, "Frequent takeout while wants eat the budget");
    T_EQ_STR(r->category, "dining");
    T_EQ_INT(r->has_priority, 1);
    T_EQ_NUM(r->priority, 80);
    T_EQ_INT(r->cooldown_s, 3 * 86400);
    T_EQ_STR(r->cooldown_src, "3d");
    T_EQ_INT(r->when->kind, MMR_E_NAME);
    T_EQ_STR(r->when->text, "heavy_diner");
    T_EQ_INT(r->when_loc.line, 18);
    T_EQ_INT(r->audience->kind, MMR_E_IN);
    T_EQ_INT(r->audience->rhs->nitems, 3);
    T_EQ_STR(r->message, "DINE_01");
    T_EQ_INT(r->nwith, 1);
    T_EQ_STR(r->with[0].name, "goal_name");
    T_EQ_INT(r->with[0].expr->op, MMR_OP_COALESCE);
    T_EQ_INT(r->template_index, -1);

    mmr_policy *p = &f->policies[0];
    T_EQ_INT(p->has_max, 1);
    T_EQ_INT(p->max_nudges, 1);
    T_EQ_INT(p->window_s, 86400);
    T_EQ_INT(p->has_quiet, 1);
    T_EQ_INT(p->quiet_start_min, 22 * 60);
    T_EQ_INT(p->quiet_end_min, 8 * 60);
    T_EQ_STR(p->timezone, "Asia/Kolkata");
    T_CHECK(p->categories == NULL);

    mmr_test *x = &f->tests[0];
    T_EQ_STR(x->name, "a heavy diner is nudged about dining");
    T_EQ_INT(x->ngiven, 3);
    T_EQ_STR(x->given[2].name, "underfunded_top_goal");
    T_EQ_STR(x->given[2].expr->text, "Goa Trip");
    T_EQ_INT(x->ntraits, 1);
    T_EQ_INT(x->nmuted, 2);
    T_EQ_STR(x->muted[1], "goal");
    T_EQ_INT(x->muted_locs[1].col, 18);
    T_EQ_INT(x->nhistory, 2);
    T_EQ_INT(x->history[0].ago_s, 2 * 86400);
    T_EQ_INT(x->history[1].ago_s, 90 * 60);
    T_EQ_INT(x->nexpects, 6);
    T_EQ_INT(x->expects[0].kind, MMR_X_NUDGE);
    T_EQ_STR(x->expects[0].rule, "dining_overspend");
    T_EQ_INT(x->expects[1].kind, MMR_X_BODY_CONTAINS);
    T_EQ_STR(x->expects[1].text, "Goa Trip");
    T_EQ_INT(x->expects[2].kind, MMR_X_NO_NUDGE);
    T_EQ_INT(x->expects[3].kind, MMR_X_CANDIDATES);
    T_EQ_INT(x->expects[3].nrules, 2);
    T_EQ_INT(x->expects[4].kind, MMR_X_SUPPRESSED);
    T_EQ_STR(x->expects[4].reason, "quiet_hours");
    T_EQ_INT(x->expects[5].kind, MMR_X_TITLE_EQ);
    mmr_diags_free(&d);
}

static void test_precedence(void)
{
    T_EQ_STR(shape("a or b and c"), "(a or (b and c))");
    T_EQ_STR(shape("not a and b"), "((not a) and b)");
    T_EQ_STR(shape("not a == b"), "(not (a == b))");
    T_EQ_STR(shape("a ?? b + c"), "(a ?? (b + c))");
    T_EQ_STR(shape("a + b ?? c"), "((a + b) ?? c)");
    T_EQ_STR(shape("a ?? b > c"), "((a ?? b) > c)");
    T_EQ_STR(shape("a - b - c"), "((a - b) - c)");
    T_EQ_STR(shape("a + b * c / d"), "(a + ((b * c) / d))");
    T_EQ_STR(shape("-a * b"), "((- a) * b)");
    T_EQ_STR(shape("-m[k]"), "(- m[k])");
    T_EQ_STR(shape("a in [1] and b not in c"), "((a in [1]) and (b not in c))");
    T_EQ_STR(shape("x between 1 and 2 and y"), "((x between 1 and 2) and y)");
    T_EQ_STR(shape("x is missing or y is present or z is not missing"),
             "(((x is missing) or (y is present)) or (z is present))");
    T_EQ_STR(shape("any k in m where m[k] > 1 and k == \"a\""), "(any k in m where ((m[k] > 1) and (k == \"a\")))");
    T_EQ_STR(shape("(any k in m where p) or q"), "((any k in m where p) or q)");
    T_EQ_STR(first_error("let x = a < b < c\n"),
             "1:15: unexpected \"<\"; comparisons cannot be chained (write `a < b and b < c`)");
    T_EQ_STR(first_error("let x = a == b != c\n"),
             "1:16: unexpected \"!=\"; comparisons cannot be chained (write `a < b and b < c`)");
    /* printing uses only the parentheses that are needed */
    T_EQ_STR(show("((a + b)) * (c)"), "(a + b) * c");
    T_EQ_STR(show("a - (b - c)"), "a - (b - c)");
    T_EQ_STR(show("(a - b) - c"), "a - b - c");
    T_EQ_STR(show("not (a and b)"), "not (a and b)");
    T_EQ_STR(show("(not a) and b"), "not a and b");
    T_EQ_STR(show("(a < b) == (c < d)"), "(a < b) == (c < d)");
    T_EQ_STR(show("- (- x)"), "- -x");
    T_EQ_STR(show("- (-3)"), "- -3");
    T_EQ_STR(show("a and (any k in m where p)"), "a and (any k in m where p)");
    T_EQ_STR(show("f( 1 ,2 , )"), "f(1, 2)");
}

static void test_literals(void)
{
    mmr_expr *e = pexpr("1_000");
    T_CHECK(e && e->kind == MMR_E_NUMBER);
    if (e) { T_EQ_NUM(e->num, 1000); T_EQ_STR(e->src_text, "1_000"); }
    e = pexpr("1e3");
    if (e) T_EQ_NUM(e->num, 1000);
    e = pexpr("35%");
    if (e) { T_EQ_NUM(e->num, 0.35); T_EQ_INT(e->percent, 1); }
    e = pexpr("-0.2");
    T_CHECK(e && e->kind == MMR_E_NUMBER);
    if (e) T_EQ_NUM(e->num, -0.2);
    e = pexpr("0.35");
    if (e) T_EQ_NUM(e->num, 0.35);
    T_EQ_STR(show("0.40"), "0.40");
    T_EQ_STR(show("35%"), "35%");
    e = pexpr("\"a\\\"b\\\\c\\nd\\te\\u{1F60B}\"");
    T_CHECK(e && e->kind == MMR_E_TEXT);
    if (e) { T_EQ_STR(e->text, "a\"b\\c\nd\te\xF0\x9F\x98\x8B"); T_EQ_INT(e->text_len, 13); }
    T_EQ_STR(show("\"a\\\"b\\\\c\\nd\\te\\u{1F60B}\\u{7}\""), "\"a\\\"b\\\\c\\nd\\te\xF0\x9F\x98\x8B\\u{7}\"");
    e = pexpr("true");
    T_CHECK(e && e->kind == MMR_E_BOOL && e->boolean == 1);
    e = pexpr("missing");
    T_CHECK(e && e->kind == MMR_E_MISSING);
    e = pexpr("{\"dining\": 260, \"travel\": 10}");
    T_CHECK(e && e->kind == MMR_E_MAP && e->nitems == 2);
    if (e && e->nitems == 2) { T_EQ_STR(e->keys[1]->text, "travel"); T_EQ_NUM(e->items[1]->num, 10); }
    T_EQ_STR(show("{ \"a\" : 1 , }"), "{\"a\": 1}");
    T_EQ_STR(show("[ ]"), "[]");
    T_EQ_STR(first_error("let x = \"a\\qb\"\n"), "1:11: unknown escape \\q (the escapes are \\\" \\\\ \\n \\t \\u{...})");
    T_EQ_STR(first_error("let x = 1e400\n"), "1:9: number is too large");
    T_EQ_STR(first_error("let x = \"abc\n"), "1:9: unterminated string (a string ends with \" on the same line)");
}

static void test_durations(void)
{
    const char *src = "rule a { cooldown 90m }\nrule b { cooldown 24h }\nrule c { cooldown 2w }\nrule d { cooldown 45s }\n";
    mmr_diags d;
    mmr_file *f = parse(src, &d);
    T_EQ_INT(d.errors, 0);
    if (f && f->nrules == 4) {
        T_EQ_INT(f->rules[0].cooldown_s, 5400);
        T_EQ_INT(f->rules[1].cooldown_s, 86400);
        T_EQ_INT(f->rules[2].cooldown_s, 14 * 86400);
        T_EQ_INT(f->rules[3].cooldown_s, 45);
        T_EQ_STR(f->rules[2].cooldown_src, "2w");
    }
    mmr_diags_free(&d);
    T_EQ_STR(first_error("rule a { cooldown 99999999999999999999d }\n"), "1:19: duration is too large");
}

static void test_errors(void)
{
    T_EQ_STR(first_error("rule r {\n  priority 1\n  priority 2\n}\n"),
             "3:3: \"priority\" is given twice in this rule; the first is at t.mmr:2:3");
    T_EQ_STR(first_error("rule r { when }\n"), "1:15: unexpected \"}\"; expected an expression");
    T_EQ_STR(first_error("let x = 1\x01\n"), "1:10: unexpected control character 0x01");
    mmr_diags d;
    parse("rule a { when }\nrule b { when }\nrule c { priority 1 }\n", &d);
    T_EQ_INT(d.errors, 2);
    mmr_diags_free(&d);
    /* field words are names outside the place they start a field */
    parse("signal category : text\nlet x = category == \"a\" and contains(title, \"b\")\n", &d);
    T_EQ_INT(d.errors, 0);
    mmr_diags_free(&d);
    /* deep nesting is an error, not a crash */
    size_t n = 100000;
    char *deep = malloc(n * 2 + 32);
    if (deep) {
        strcpy(deep, "let x = ");
        size_t k = strlen(deep);
        for (size_t i = 0; i < n; i++) deep[k++] = '(';
        deep[k++] = '1';
        for (size_t i = 0; i < n; i++) deep[k++] = ')';
        deep[k] = 0;
        T_EQ_STR(first_error(deep), "1:265: expression nested too deeply (limit 256)");
        k = strlen("let x = ");
        for (size_t i = 0; i < n; i++) { deep[k++] = '-'; deep[k++] = ' '; }
        deep[k++] = '1';
        deep[k] = 0;
        parse(deep, &d);
        T_CHECK(d.errors >= 1);
        T_CHECK(d.n && strstr(d.v[0].message, "nested too deeply"));
        mmr_diags_free(&d);
        free(deep);
    }
}

/* parse(print(parse(x))) has the same AST, and print is idempotent. */
static void test_round_trip(void)
{
    const char *exprs[] = {
        "a or b and not c", "-(a + b) * c", "a - -3", "x ?? 0 > 1_000", "(a ?? b) ?? c", "a ?? (b ?? c)",
        "not not a", "m[k][j]", "f(g(1), [1, 2], {\"a\": -1})", "any k in m where all j in n where j == k",
        "(all k in m where p) and q", "a between b + 1 and c * 2", "x not in [\"a\"]", "- - x",
        "\"\\u{1}\\\"\"", "35% + 1e3 + 0.5", "(a < b) == true",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        mmr_expr *a = pexpr(exprs[i]);
        T_CHECK(a != NULL);
        if (!a) { fprintf(stderr, "  for %s\n", exprs[i]); continue; }
        mmr_buf b;
        mmr_buf_init(&b);
        mmr_print_expr(&b, a);
        mmr_expr *c = pexpr(b.data);
        int ok = c && same_expr(a, c);
        T_CHECK(ok);
        if (!ok) fprintf(stderr, "  %s -> %s\n", exprs[i], b.data);
        mmr_buf_free(&b);
    }
    mmr_diags d;
    mmr_file *f = parse(brief, &d);
    mmr_buf b1, b2;
    mmr_buf_init(&b1);
    mmr_buf_init(&b2);
    mmr_print_file(&b1, f);
    mmr_diags d2;
    mmr_file *g = parse(b1.data, &d2);
    T_EQ_INT(d2.errors, 0);
    mmr_print_file(&b2, g);
    T_EQ_STR(b1.data, b2.data);
    T_CHECK(g && g->nrules == 1 && same_expr(f->rules[0].audience, g->rules[0].audience));
    T_CHECK(g && g->ncomments == f->ncomments);
    mmr_buf_free(&b1);
    mmr_buf_free(&b2);
    mmr_diags_free(&d);
    mmr_diags_free(&d2);
}

/* QA: input that used to be accepted silently, or reported unhelpfully. */
static void test_qa_input(void)
{
    mmr_diags d;
    /* a UTF-8 byte order mark is skipped at the start (columns unchanged),
     * and named when it appears anywhere else */
    mmr_file *f = parse("\xEF\xBB\xBFlet x = 1\n", &d);
    T_EQ_INT(d.errors, 0);
    T_CHECK(f && f->nlets == 1 && f->lets[0].loc.col == 5);
    mmr_diags_free(&d);
    T_EQ_STR(first_error("let x = 1 \xEF\xBB\xBF\n"), "1:11: unexpected invisible character U+FEFF (a byte order mark)");
    T_EQ_STR(first_error("let \xC3\xA9 = 1\n"), "1:5: unexpected character \"\xC3\xA9\" (U+00E9)");
    T_EQ_STR(first_error("let x = \xE2\x80\x9C" "a\xE2\x80\x9D\n"), "1:9: unexpected character \"\xE2\x80\x9C\" (U+201C)");
    /* numbers: underflow, a missing leading digit, durations that are not */
    T_EQ_STR(first_error("let x = 1e-400\n"), "1:9: number is too small (it would be 0)");
    parse("let x = 0e-400 + 0.0 + 1e-300\n", &d);
    T_EQ_INT(d.errors, 0);
    mmr_diags_free(&d);
    T_EQ_STR(first_error("let x = .5\n"), "1:9: invalid number \".5\"");
    T_EQ_STR(first_error("rule r { cooldown 1.5d }\n"), "1:19: invalid duration \"1.5d\"");
    T_EQ_STR(first_error("rule r { cooldown 1_000d }\n"), "1:19: invalid duration \"1_000d\"");
    T_EQ_STR(first_error("rule r { cooldown 3y }\n"), "1:19: invalid duration \"3y\"");
    T_EQ_STR(first_error("let x = 0x10\n"), "1:9: invalid number \"0x10\"");
    /* where only a number fits, the error says so (not "an expression") */
    T_EQ_STR(first_error("rule r { priority high }\n"), "1:19: unexpected name \"high\"; expected a number");
    T_EQ_STR(first_error("policy { max_nudges x per 1d }\n"), "1:21: unexpected name \"x\"; expected a number");
    /* max_nudges: one message, with the value as written */
    parse("policy { max_nudges 1.5 per 0d }\n", &d);
    T_EQ_INT(d.errors, 1);
    T_CHECK(d.n && !strcmp(d.v[0].message, "max_nudges must be a whole number from 1 to 1000000, got 1.5"));
    mmr_diags_free(&d);
    /* `categories []` is an empty list, not the default list */
    f = parse("policy { categories [] }\n", &d);
    T_EQ_INT(d.errors, 0);
    T_CHECK(f && f->npolicies == 1 && f->policies[0].categories != NULL && f->policies[0].ncategories == 0);
    mmr_diags_free(&d);
}

int main(void)
{
    mmr_arena_init(&A, 0);
    test_brief();
    test_precedence();
    test_literals();
    test_durations();
    test_errors();
    test_round_trip();
    test_qa_input();
    mmr_arena_free(&A);
    return T_DONE("parser");
}
