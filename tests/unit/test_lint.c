/* The linter: the lint table, config files, each lint on small rulesets,
 * allow comments, SARIF, and docs/lints.md kept in step with the table. */
#include "tests/unit/t.h"
#include "compiler/compile.h"
#include "compiler/lint.h"
#include "util/buf.h"
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>

/* ------------------------------------------------------------ helpers */

static const char prelude[] = "import \"std/moneymoments\"\n";

/* Lint a source (prelude added); returns the findings as
 * "LINE:ID name|message" lines, one per finding, in a static-free buffer. */
static char *lint_src(const char *body, const mmr_lint_config *c, int *nerrors)
{
    mmr_buf src;
    mmr_buf_init(&src);
    mmr_buf_puts(&src, prelude);
    mmr_buf_puts(&src, body);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_source("t.mmr", src.data, src.len, &d);
    if (u && d.errors == 0 && mmr_check(u, &d) == 0 && d.errors == 0) mmr_lint(u, c, &d);
    mmr_diags_sort(&d);
    mmr_buf out;
    mmr_buf_init(&out);
    for (size_t i = 0; i < d.n; i++)
        mmr_buf_printf(&out, "%d:%s %s|%s\n", d.v[i].line, d.v[i].code ? d.v[i].code : "-",
                       d.v[i].name ? d.v[i].name : "-", d.v[i].message);
    if (nerrors) *nerrors = (int)d.errors;
    mmr_diags_free(&d);
    if (u) mmr_unit_free(u);
    mmr_buf_free(&src);
    mmr_buf_putc(&out, 0);
    return mmr_buf_take(&out);
}

static int count_of(const char *out, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(out, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

#define T_HAS(out, needle, n) do { int _c = count_of(out, needle); \
    if (_c == (n)) t_passed++; else { t_failed++; \
    fprintf(stderr, "%s:%d: \"%s\" appears %d times, want %d, in:\n%s", __FILE__, __LINE__, needle, _c, (n), out); } } while (0)

static const char tmpl[] =
    "template T {\n  title \"Takeout again?\"\n  body \"A home-cooked night helps.\"\n  category dining\n}\n";

/* ------------------------------------------------------------ table */

static void test_table(void)
{
    for (int i = 0; i < MMR_LINT_COUNT; i++) {
        const mmr_lint_info *L = &mmr_lint_table[i];
        T_CHECK(strlen(L->id) == 8 && !strncmp(L->id, "MMR-", 4));
        T_CHECK(L->id[4] == (L->severity == MMR_SEV_ERROR ? 'E' : 'W'));
        for (const char *p = L->name; *p; p++) T_CHECK(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-');
        T_CHECK(L->summary[strlen(L->summary) - 1] == '.');
        T_CHECK(L->hint[strlen(L->hint) - 1] != '.');
        for (int j = 0; j < i; j++) {
            T_CHECK(strcmp(L->id, mmr_lint_table[j].id) != 0);
            T_CHECK(strcmp(L->name, mmr_lint_table[j].name) != 0);
        }
        T_EQ_INT(mmr_lint_lookup(L->id, strlen(L->id)), i);
        T_EQ_INT(mmr_lint_lookup(L->name, strlen(L->name)), i);
    }
    T_EQ_INT(mmr_lint_lookup("mmr-w012", 8), MMR_LINT_NEVER_FIRES);
    T_EQ_STR(mmr_lint_table[MMR_LINT_NEVER_FIRES].id, "MMR-W012");
    T_EQ_STR(mmr_lint_table[MMR_LINT_NEVER_FIRES].name, "never-fires");
    T_EQ_INT(mmr_lint_lookup("never", 5), -1);
    T_EQ_INT(mmr_lint_lookup("never-fires-x", 13), -1);
}

/* docs/lints.md has "## ID name" for every lint, in table order, nothing
 * else under "## MMR-", and each section quotes the hint. */
static void test_docs(void)
{
    size_t len = 0;
    char *doc = mmr_read_file("docs/lints.md", &len);
    T_CHECK(doc != NULL);
    if (!doc) return;
    const char *p = doc;
    int i = 0;
    for (const char *h = strstr(p, "\n## MMR-"); h; h = strstr(h + 1, "\n## MMR-")) {
        const char *eol = strchr(h + 1, '\n');
        size_t n = eol ? (size_t)(eol - h - 4) : strlen(h + 4);
        char head[128];
        snprintf(head, sizeof head, "%.*s", (int)(n < 127 ? n : 127), h + 4);
        if (i >= MMR_LINT_COUNT) { T_EQ_STR(head, "(no more lints)"); break; }
        char want[128];
        snprintf(want, sizeof want, "%s %s", mmr_lint_table[i].id, mmr_lint_table[i].name);
        T_EQ_STR(head, want);
        const char *next = strstr(h + 1, "\n## ");
        char fix[512];
        snprintf(fix, sizeof fix, "**Fix:** %s\n", mmr_lint_table[i].hint);
        const char *f = strstr(h, fix);
        T_CHECK(f && (!next || f < next));
        if (!(f && (!next || f < next))) fprintf(stderr, "  section %s lacks: %s", want, fix);
        i++;
    }
    T_EQ_INT(i, MMR_LINT_COUNT);
    free(doc);
}

/* ------------------------------------------------------------ config */

static void test_config(void)
{
    mmr_lint_config def, file;
    mmr_lint_config_init(&def);
    mmr_lint_config_init(&file);
    mmr_diags d;
    mmr_diags_init(&d);
    /* the shipped config is the built-in default */
    T_EQ_INT(mmr_lint_config_load(&file, "rules/mmr-lint.conf", &d), 0);
    T_EQ_INT(file.title_max, def.title_max);
    T_EQ_INT(file.body_max, def.body_max);
    T_EQ_INT(file.max_exclamations, def.max_exclamations);
    T_EQ_INT(file.caps_min_letters, def.caps_min_letters);
    T_EQ_INT(file.nwords, def.nwords);
    for (size_t i = 0; i < def.nwords && i < file.nwords; i++) T_EQ_STR(file.words[i], def.words[i]);
    T_EQ_INT(file.ncaps_allow, def.ncaps_allow);
    for (size_t i = 0; i < def.ncaps_allow && i < file.ncaps_allow; i++) T_EQ_STR(file.caps_allow[i], def.caps_allow[i]);
    T_EQ_INT(def.title_max, 60);
    T_EQ_INT(def.body_max, 160);
    mmr_lint_config_free(&file);

    /* settings, sections, lists */
    static const char text[] =
        "# comment\n"
        "title_max = 40   # trailing comment\n"
        "disable = MMR-W004, unused-let\n"
        "error = never-fires\n"
        "caps_allow = SALE\n"
        "[words]\n"
        "  Splurge  \n"
        "Out   of   Control\n"
        "[caps_allow]\n"
        "EOD\n"
        "[settings]\n"
        "docs_url = https://example.test/lints.md\n";
    mmr_lint_config c;
    mmr_lint_config_init(&c);
    T_EQ_INT(mmr_lint_config_parse(&c, "x.conf", text, sizeof text - 1, &d), 0);
    T_EQ_INT(c.title_max, 40);
    T_EQ_INT(c.disabled[MMR_LINT_DUPLICATE_PRIORITY], 1);
    T_EQ_INT(c.disabled[MMR_LINT_UNUSED_LET], 1);
    T_EQ_INT(c.disabled[MMR_LINT_NEVER_FIRES], 0);
    T_EQ_INT(mmr_lint_severity(&c, MMR_LINT_NEVER_FIRES), MMR_SEV_ERROR);
    T_EQ_INT(mmr_lint_severity(&c, MMR_LINT_UNUSED_SIGNAL), MMR_SEV_WARNING);
    T_EQ_INT(c.nwords, 2);
    if (c.nwords == 2) { T_EQ_STR(c.words[0], "splurge"); T_EQ_STR(c.words[1], "out of control"); }
    T_EQ_INT(c.ncaps_allow, 2);
    T_EQ_STR(c.docs_url, "https://example.test/lints.md");
    mmr_lint_config_free(&c);

    /* errors have places */
    static const char bad[] = "title_max = -3\n\nfoo = 1\ndisable = bogus\n[nope]\njust words\n";
    mmr_lint_config_init(&c);
    T_EQ_INT(mmr_lint_config_parse(&c, "bad.conf", bad, sizeof bad - 1, &d), 5);
    T_EQ_INT(d.n, 5);
    if (d.n == 5) {
        T_EQ_INT(d.v[0].line, 1); T_EQ_INT(d.v[0].col, 13);
        T_EQ_INT(d.v[1].line, 3); T_EQ_INT(d.v[1].col, 1);
        T_EQ_INT(d.v[2].line, 4); T_EQ_INT(d.v[2].col, 11);
        T_EQ_INT(d.v[3].line, 5);
        T_EQ_INT(d.v[4].line, 6);
    }
    mmr_lint_config_free(&c);
    mmr_lint_config_free(&def);
    mmr_diags_free(&d);

    /* discovery: rules/moneymoments finds rules/mmr-lint.conf */
    char *found = mmr_lint_config_find("rules/moneymoments");
    T_EQ_STR(found, "rules/mmr-lint.conf");
    free(found);
    found = mmr_lint_config_find("rules/moneymoments/dining.mmr");
    T_EQ_STR(found, "rules/mmr-lint.conf");
    free(found);
    found = mmr_lint_config_find("no/such/dir");
    T_CHECK(found == NULL);
    free(found);
}

/* ------------------------------------------------------------ lints */

static void test_lints(void)
{
    char *o;
    mmr_buf b;
    mmr_buf_init(&b);

    /* never-fires, with the contradiction named */
    mmr_buf_clear(&b);
    mmr_buf_printf(&b, "%srule r {\n  category dining\n  priority 1\n  when dining_txn_7d > 5 and dining_txn_7d < 3\n  message T\n}\n", tmpl);
    o = lint_src(b.data, NULL, NULL);
    T_HAS(o, "10:MMR-W012 never-fires|rule r can never fire: `dining_txn_7d > 5` contradicts `dining_txn_7d < 3`", 1);
    T_HAS(o, "\n", 1);
    free(o);

    /* allow by name on the line before, by id on the line: silenced */
    mmr_buf_clear(&b);
    mmr_buf_printf(&b, "%srule r {\n  category dining\n  priority 1\n  # mmr: allow never-fires\n"
                   "  when dining_txn_7d > 5 and dining_txn_7d < 3\n  message T\n}\n"
                   "rule s {\n  category dining\n  priority 2\n"
                   "  when dining_txn_7d > 5 and dining_txn_7d < 3  # mmr: allow MMR-W012\n  message T\n}\n", tmpl);
    o = lint_src(b.data, NULL, NULL);
    T_HAS(o, "MMR-W", 0);
    free(o);

    /* a `#` inside a string is not a comment; an allow two lines up does nothing */
    mmr_buf_clear(&b);
    mmr_buf_printf(&b, "template U {\n  title \"# mmr: allow tone-exclaim\"\n  body \"Hi!! there\"\n  category dining\n}\n"
                   "rule r {\n  category dining\n  priority 1\n  when dining_txn_7d > 1\n  message U\n}\n");
    o = lint_src(b.data, NULL, NULL);
    T_HAS(o, "MMR-W008 tone-exclaim|body of template U has 2 exclamation marks (at most 1)", 1);
    T_HAS(o, "MMR-W011", 0);
    free(o);

    /* unused: own signal, trait, let, template; std signals never */
    o = lint_src("signal s1 : number\ntrait t1 : text\nlet l1 = s1 > 1\nlet l2 = dining_txn_7d > 1\n"
                 "template T { title \"a\" body \"b\" category dining }\n"
                 "template V { title \"a\" body \"b\" category dining }\n"
                 "rule r { priority 1 when l2 message T }\n", NULL, NULL);
    T_HAS(o, "MMR-W001 unused-signal|trait \"t1\" is declared but never used", 1);
    T_HAS(o, "unused-signal|signal", 0);   /* s1 is used by l1 */
    T_HAS(o, "MMR-W002 unused-let|let \"l1\" is never used", 1);
    T_HAS(o, "MMR-W003 unused-template|template V is not used by any rule", 1);
    T_HAS(o, "\n", 3);
    free(o);

    /* a signal used only as a placeholder is used */
    o = lint_src("signal nick : text\n"
                 "template T { title \"Hi {nick}\" body \"b\" category dining }\n"
                 "rule r { priority 1 when nick is present message T }\n", NULL, NULL);
    T_HAS(o, "MMR-W", 0);
    free(o);

    /* duplicate priority in one category (the rule's or its template's) */
    o = lint_src("template T { title \"a\" body \"b\" category dining }\n"
                 "template S { title \"a\" body \"b\" category shopping }\n"
                 "rule b { priority 5 when dining_txn_7d > 1 message T }\n"
                 "rule a { priority 5 when dining_txn_7d > 2 message T }\n"
                 "rule c { priority 5 when dining_txn_7d > 3 message S }\n", NULL, NULL);
    T_HAS(o, "MMR-W004 duplicate-priority|rule a has the same priority (5) as rule b in category dining", 1);
    T_HAS(o, "\n", 1);
    free(o);

    /* placeholders: direct, bound, proven present, defaulted */
    o = lint_src("template T { title \"{top_goal_name}\" body \"{v} {w} {x} {y}\" category dining }\n"
                 "rule r { priority 1 when dining_txn_7d > 1 and ratio(monthly_income, savings_gap) > 2\n"
                 "  message T with { v = dining_txn_7d * 2, w = savings_gap, x = monthly_income / 0, y = wants_share_30d ?? 0 } }\n",
                 NULL, NULL);
    T_HAS(o, "placeholder {top_goal_name} of template T is filled from signal \"top_goal_name\"", 1);
    T_HAS(o, "placeholder {x} of template T is bound to `monthly_income / 0`", 1);
    T_HAS(o, "MMR-W005", 2);
    free(o);

    /* tone: words (whole words only), caps (acronyms fine), !, lengths in characters */
    o = lint_src("template T {\n  title \"STOP! A brokerage is not broke!\"\n"
                 "  body \"Your UPI spends are OUT OF CONTROL. ₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹₹\"\n"
                 "  category dining\n}\n"
                 "rule r { priority 1 when dining_txn_7d > 1 message T }\n", NULL, NULL);
    T_HAS(o, "tone-word|title of template T uses \"broke\"", 1);
    T_HAS(o, "tone-word|body of template T uses \"OUT OF CONTROL\"", 1);
    T_HAS(o, "tone-caps|title of template T has the ALL-CAPS word \"STOP\"", 1);
    T_HAS(o, "tone-caps|body of template T has the ALL-CAPS word \"OUT\"", 1);
    T_HAS(o, "tone-caps|body of template T has the ALL-CAPS word \"UPI\"", 0);
    T_HAS(o, "tone-exclaim|title of template T has 2 exclamation marks", 1);
    T_HAS(o, "body-too-long|body of template T is 162 characters long (at most 160)", 1);
    T_HAS(o, "title-too-long", 0);
    free(o);

    /* config: disable, severities, words, limits */
    {
        mmr_lint_config c;
        mmr_lint_config_init(&c);
        mmr_diags d;
        mmr_diags_init(&d);
        static const char conf[] = "disable = tone-caps\nerror = tone-exclaim\ntitle_max = 5\nwords = takeout\n";
        mmr_lint_config_parse(&c, "c.conf", conf, sizeof conf - 1, &d);
        int errors = 0;
        o = lint_src("template T { title \"TAKEOUT!!\" body \"b\" category dining }\n"
                     "rule r { priority 1 when dining_txn_7d > 1 message T }\n", &c, &errors);
        T_HAS(o, "tone-caps", 0);
        T_HAS(o, "tone-exclaim", 1);
        T_HAS(o, "title-too-long|title of template T is 9 characters long (at most 5)", 1);
        T_HAS(o, "tone-word|title of template T uses \"TAKEOUT\"", 1);
        T_EQ_INT(errors, 1);
        free(o);
        mmr_lint_config_free(&c);
        mmr_diags_free(&d);
    }

    /* category outside the policy: the checker's error gets the lint id */
    o = lint_src("policy { categories [goal] }\ntemplate T { title \"a\" body \"b\" category dining }\n"
                 "rule r { priority 1 when dining_txn_7d > 1 message T }\n", NULL, NULL);
    T_HAS(o, "MMR-E001 category-not-in-policy|", 1);
    free(o);

    /* useless allows */
    mmr_buf_clear(&b);
    mmr_buf_printf(&b, "%srule r {\n  category dining\n  priority 1  # mmr: allow never-fires, nonsense\n"
                   "  when dining_txn_7d > 1\n  message T\n}\n", tmpl);
    o = lint_src(b.data, NULL, NULL);
    T_HAS(o, "MMR-W011 useless-allow|`# mmr: allow never-fires` silences nothing", 1);
    T_HAS(o, "MMR-W011 useless-allow|`# mmr: allow` names an unknown lint \"nonsense\"", 1);
    free(o);

    /* the shipped rules are clean */
    {
        const char *paths[] = { "rules/moneymoments" };
        mmr_diags d;
        mmr_diags_init(&d);
        mmr_unit *u = mmr_unit_load(paths, 1, &d);
        T_CHECK(u != NULL);
        if (u && mmr_check(u, &d) == 0) T_EQ_INT(mmr_lint(u, NULL, &d), 0);
        if (d.n) mmr_diags_print_text(stderr, &d);
        T_EQ_INT(d.n, 0);
        if (u) mmr_unit_free(u);
        mmr_diags_free(&d);
    }
    mmr_buf_free(&b);
}

/* ------------------------------------------------------------ sarif */

/* Without a configured docs_url, no rule or driver carries a URI. */
static void test_sarif_without_docs_url(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_diag *g = mmr_diag_add(&d, MMR_SEV_WARNING, "a.mmr", 3, 5, "rule r can never fire");
    mmr_diag_set_code(g, "MMR-W012", "never-fires");
    char *s = mmr_lint_sarif(&d, "9.9.9", NULL);
    T_CHECK(s != NULL);
    T_CHECK(s && !strstr(s, "helpUri"));
    T_CHECK(s && !strstr(s, "informationUri"));
    free(s);
    mmr_diags_free(&d);
}

static void test_sarif(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_diag *g = mmr_diag_add(&d, MMR_SEV_WARNING, "./rules/a b.mmr", 3, 5, "rule r can never fire");
    mmr_diag_set_code(g, "MMR-W012", "never-fires");
    g->end_line = 3; g->end_col = 9;
    mmr_diag_add(&d, MMR_SEV_ERROR, "x.mmr", 1, 2, "unexpected \"{\"");
    char *s = mmr_lint_sarif(&d, "9.9.9", "https://example.test/docs/lints.md");
    T_CHECK(s != NULL);
    json_error_t err;
    json_t *root = s ? json_loads(s, 0, &err) : NULL;
    T_CHECK(root != NULL);
    if (root) {
        T_EQ_STR(json_string_value(json_object_get(root, "version")), "2.1.0");
        json_t *run = json_array_get(json_object_get(root, "runs"), 0);
        json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
        T_EQ_STR(json_string_value(json_object_get(driver, "name")), "mmr");
        T_EQ_STR(json_string_value(json_object_get(driver, "version")), "9.9.9");
        json_t *rules = json_object_get(driver, "rules");
        T_EQ_INT(json_array_size(rules), MMR_LINT_COUNT);
        json_t *r12 = json_array_get(rules, MMR_LINT_NEVER_FIRES);
        T_EQ_STR(json_string_value(json_object_get(r12, "id")), "MMR-W012");
        T_EQ_STR(json_string_value(json_object_get(r12, "helpUri")),
                 "https://example.test/docs/lints.md#mmr-w012-never-fires");
        T_EQ_STR(json_string_value(json_object_get(json_object_get(r12, "defaultConfiguration"), "level")), "warning");
        json_t *res = json_object_get(run, "results");
        T_EQ_INT(json_array_size(res), 2);
        json_t *r0 = json_array_get(res, 0), *r1 = json_array_get(res, 1);
        T_EQ_STR(json_string_value(json_object_get(r0, "ruleId")), "MMR-W012");
        T_EQ_INT(json_integer_value(json_object_get(r0, "ruleIndex")), MMR_LINT_NEVER_FIRES);
        json_t *pl = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
        json_t *art = json_object_get(pl, "artifactLocation");
        T_EQ_STR(json_string_value(json_object_get(art, "uri")), "rules/a%20b.mmr");
        T_EQ_STR(json_string_value(json_object_get(art, "uriBaseId")), "%SRCROOT%");
        json_t *reg = json_object_get(pl, "region");
        T_EQ_INT(json_integer_value(json_object_get(reg, "startLine")), 3);
        T_EQ_INT(json_integer_value(json_object_get(reg, "startColumn")), 5);
        T_EQ_INT(json_integer_value(json_object_get(reg, "endColumn")), 10);
        T_EQ_STR(json_string_value(json_object_get(r1, "ruleId")), "MMR-E000");
        T_EQ_STR(json_string_value(json_object_get(r1, "level")), "error");
        json_decref(root);
    }
    free(s);
    mmr_diags_free(&d);
}

int main(void)
{
    test_table();
    test_docs();
    test_config();
    test_lints();
    test_sarif();
    test_sarif_without_docs_url();
    return T_DONE("lint");
}
