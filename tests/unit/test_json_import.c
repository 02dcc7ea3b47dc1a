/* mmr_import_json: rows, operators, nesting, implicit declarations and
 * every error with its exact JSON path. Expressions are compared as
 * s-expressions so these tests do not depend on the printer. */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/t.h"
#include "compiler/compile.h"
#include "util/buf.h"

static void sx(mmr_buf *b, const mmr_expr *e)
{
    if (!e) { mmr_buf_puts(b, "NULL"); return; }
    switch (e->kind) {
    case MMR_E_NUMBER: mmr_buf_number(b, e->num); break;
    case MMR_E_TEXT: mmr_buf_json_string(b, e->text, e->text_len); break;
    case MMR_E_BOOL: mmr_buf_puts(b, e->boolean ? "true" : "false"); break;
    case MMR_E_MISSING: mmr_buf_puts(b, "missing"); break;
    case MMR_E_NAME: mmr_buf_puts(b, e->text); break;
    case MMR_E_LIST:
        mmr_buf_putc(b, '[');
        for (size_t i = 0; i < e->nitems; i++) { if (i) mmr_buf_putc(b, ' '); sx(b, e->items[i]); }
        mmr_buf_putc(b, ']');
        break;
    case MMR_E_UNARY:
        mmr_buf_printf(b, "(%s ", mmr_op_text(e->op)); sx(b, e->lhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_BINARY:
        mmr_buf_printf(b, "(%s ", mmr_op_text(e->op)); sx(b, e->lhs); mmr_buf_putc(b, ' ');
        sx(b, e->rhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_IN:
        mmr_buf_puts(b, e->negated ? "(not-in " : "(in "); sx(b, e->lhs); mmr_buf_putc(b, ' ');
        sx(b, e->rhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_BETWEEN:
        mmr_buf_puts(b, "(between "); sx(b, e->lhs); mmr_buf_putc(b, ' ');
        sx(b, e->rhs); mmr_buf_putc(b, ' '); sx(b, e->third); mmr_buf_putc(b, ')');
        break;
    case MMR_E_IS_MISSING:
        mmr_buf_puts(b, e->negated ? "(present " : "(missing "); sx(b, e->lhs); mmr_buf_putc(b, ')');
        break;
    case MMR_E_CALL:
        mmr_buf_printf(b, "(%s", e->text);
        for (size_t i = 0; i < e->nitems; i++) { mmr_buf_putc(b, ' '); sx(b, e->items[i]); }
        mmr_buf_putc(b, ')');
        break;
    default: mmr_buf_printf(b, "<kind %d>", (int)e->kind); break;
    }
}

/* One import per test; results kept in static storage of the test. */
typedef struct run {
    mmr_arena a;
    mmr_diags d;
    mmr_file *f;
    mmr_buf s;
} run;

static void imp(run *r, const char *json)
{
    mmr_arena_init(&r->a, 0);
    mmr_diags_init(&r->d);
    mmr_buf_init(&r->s);
    r->f = mmr_import_json(&r->a, "rules.json", json, strlen(json), &r->d);
}

static void done(run *r)
{
    mmr_arena_free(&r->a);
    mmr_diags_free(&r->d);
    mmr_buf_free(&r->s);
}

static const char *ex(run *r, const mmr_expr *e)
{
    mmr_buf_clear(&r->s);
    sx(&r->s, e);
    return r->s.data ? r->s.data : "";
}

/* All diagnostics as the text printer would show them, one per line. */
static const char *diags(run *r)
{
    mmr_buf_clear(&r->s);
    for (size_t i = 0; i < r->d.n; i++) {
        const mmr_diag *g = &r->d.v[i];
        mmr_buf_puts(&r->s, g->file);
        if (g->jpath) mmr_buf_printf(&r->s, ": %s", g->jpath);
        else if (g->line) mmr_buf_printf(&r->s, ":%d:%d", g->line, g->col);
        mmr_buf_printf(&r->s, ": %s: %s\n", g->sev == MMR_SEV_ERROR ? "error" : "warning", g->message);
    }
    return r->s.data ? r->s.data : "";
}

/* Import a one-rule array whose `if` is COND; return its `when`. */
static const char *when_of(run *r, const char *cond)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "[{\"rule_id\":\"R1\",\"name\":\"r\",\"priority\":1,"
             "\"expression_json\":{\"if\":%s,\"message_template_id\":\"T\"}}]", cond);
    imp(r, buf);
    if (r->d.errors || !r->f || r->f->nrules != 1) return diags(r);
    return ex(r, r->f->rules[0].when);
}

static void check_when(const char *cond, const char *want, int warnings)
{
    run r;
    T_EQ_STR(when_of(&r, cond), want);
    T_EQ_INT(r.d.warnings, warnings);
    done(&r);
}

/* Import a document and expect exactly these diagnostics. */
static void check_diags(const char *json, const char *want)
{
    run r;
    imp(&r, json);
    T_EQ_STR(diags(&r), want);
    done(&r);
}

static void check_rule_error(const char *fields, const char *want)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "[{\"name\":\"r\",%s}]", fields);
    check_diags(buf, want);
}

/* "(A) and (B)" over conditions lo..hi-1, balanced: shallow for the
 * parser, but a 300-long chain once flattened. */
static void balanced(mmr_buf *b, int lo, int hi)
{
    if (hi - lo == 1) { mmr_buf_printf(b, "dining_txn_7d > %d", lo); return; }
    int m = (lo + hi) / 2;
    mmr_buf_putc(b, '(');
    balanced(b, lo, m);
    mmr_buf_puts(b, ") and (");
    balanced(b, m, hi);
    mmr_buf_putc(b, ')');
}

static void test_spec_example(void)
{
    const char *json =
        "[{ \"rule_id\": \"R1\", \"name\": \"dining_overspend\", \"priority\": 80, \"cooldown_days\": 3,\n"
        "   \"description\": \"Frequent takeout\",\n"
        "   \"traits_filter_json\": { \"age_band\": { \"in\": [\"18-24\", \"25-34\"] } },\n"
        "   \"expression_json\": { \"if\": { \"dining_txn_7d\": { \">=\": 3 }, \"wants_share_30d\": { \">\": 0.35 } },\n"
        "                        \"message_template_id\": \"DINE_01\" } },\n"
        " { \"template_id\": \"DINE_01\", \"title\": \"Oops! Dining spike detected\",\n"
        "   \"body\": \"Looks tasty… but your {goal_name} fund is starving 😋\", \"tone\": \"humorous\",\n"
        "   \"variables_json\": [\"goal_name\"], \"category\": \"dining\" }]";
    run r;
    imp(&r, json);
    T_CHECK(r.f != NULL);
    T_EQ_INT(r.d.errors, 0);
    T_EQ_STR(diags(&r), "rules.json: $[1].body: warning: \"goal_name\" is not declared in std/moneymoments; "
                        "declared as `signal goal_name : text` from its use\n");
    T_EQ_INT(r.f->nimports, 1);
    T_EQ_STR(r.f->imports[0].path, "std/moneymoments");
    T_EQ_INT(r.f->nrules, 1);
    T_EQ_INT(r.f->ntemplates, 1);
    T_EQ_INT(r.f->nsignals, 1);
    T_EQ_STR(r.f->signals[0].name, "goal_name");
    T_EQ_INT(r.f->signals[0].type, MMR_T_TEXT);
    T_EQ_INT(r.f->signals[0].implicit, 1);
    const mmr_rule *ru = &r.f->rules[0];
    T_EQ_STR(ru->name, "dining_overspend");
    T_EQ_STR(ru->description, "Frequent takeout");
    T_EQ_INT(ru->has_priority, 1);
    T_EQ_NUM(ru->priority, 80);
    T_EQ_INT(ru->cooldown_s, 259200);
    T_EQ_STR(ru->cooldown_src, "3d");
    T_EQ_STR(ru->message, "DINE_01");
    T_CHECK(ru->category == NULL);
    T_EQ_STR(ex(&r, ru->when), "(and (>= dining_txn_7d 3) (> wants_share_30d 0.35))");
    T_EQ_STR(ex(&r, ru->audience), "(in age_band [\"18-24\" \"25-34\"])");
    T_EQ_STR(ru->when->lhs->loc.file, "rules.json: $[0].expression_json.if.dining_txn_7d");
    T_EQ_INT(ru->when->lhs->loc.line, 0);
    T_EQ_STR(ru->when->rhs->rhs->loc.file, "rules.json: $[0].expression_json.if.wants_share_30d[\">\"]");
    T_EQ_STR(ru->loc.file, "rules.json: $[0]");
    const mmr_template *t = &r.f->templates[0];
    T_EQ_STR(t->id, "DINE_01");
    T_EQ_STR(t->title, "Oops! Dining spike detected");
    T_EQ_STR(t->tone, "humorous");
    T_EQ_STR(t->category, "dining");
    T_EQ_STR(t->body_loc.file, "rules.json: $[1].body");
    /* declaration order: import, signals, traits, templates, rules */
    T_EQ_INT(r.f->norder, 4);
    T_EQ_INT(r.f->order[0].kind, MMR_D_IMPORT);
    T_EQ_INT(r.f->order[1].kind, MMR_D_SIGNAL);
    T_EQ_INT(r.f->order[2].kind, MMR_D_TEMPLATE);
    T_EQ_INT(r.f->order[3].kind, MMR_D_RULE);
    done(&r);
}

static void test_operators(void)
{
    check_when("{\"dining_txn_7d\":{\"==\":3}}", "(== dining_txn_7d 3)", 0);
    check_when("{\"dining_txn_7d\":{\"!=\":3}}", "(!= dining_txn_7d 3)", 0);
    check_when("{\"dining_txn_7d\":{\">\":3}}", "(> dining_txn_7d 3)", 0);
    check_when("{\"dining_txn_7d\":{\">=\":3}}", "(>= dining_txn_7d 3)", 0);
    check_when("{\"dining_txn_7d\":{\"<\":3}}", "(< dining_txn_7d 3)", 0);
    check_when("{\"dining_txn_7d\":{\"<=\":-2.5}}", "(<= dining_txn_7d -2.5)", 0);
    check_when("{\"age_band\":{\"in\":[\"18-24\",\"25-34\"]}}", "(in age_band [\"18-24\" \"25-34\"])", 0);
    check_when("{\"age_band\":{\"not_in\":[\"55+\"]}}", "(not-in age_band [\"55+\"])", 0);
    check_when("{\"dependents\":{\"in\":[1,2]}}", "(in dependents [1 2])", 0);
    check_when("{\"wants_share_30d\":{\"between\":[0.2,0.5]}}", "(between wants_share_30d 0.2 0.5)", 0);
    check_when("{\"savings_gap\":{\"is_missing\":true}}", "(missing savings_gap)", 0);
    check_when("{\"savings_gap\":{\"is_missing\":false}}", "(present savings_gap)", 0);
    check_when("{\"savings_gap\":{\"is_present\":true}}", "(present savings_gap)", 0);
    check_when("{\"savings_gap\":{\"is_present\":false}}", "(missing savings_gap)", 0);
    check_when("{\"region_code\":{\"==\":\"IN-MH\"}}", "(== region_code \"IN-MH\")", 0);
    /* several operators on one name are ANDed in order */
    check_when("{\"dining_txn_7d\":{\">=\":3,\"<\":10}}", "(and (>= dining_txn_7d 3) (< dining_txn_7d 10))", 0);
    /* shorthand: a literal means ==, an array means in */
    check_when("{\"region_code\":\"IN-MH\"}", "(== region_code \"IN-MH\")", 0);
    check_when("{\"age_band\":[\"18-24\"]}", "(in age_band [\"18-24\"])", 0);
    /* another signal as the operand */
    check_when("{\"travel_txn_30d\":{\">\":{\"var\":\"travel_txn_baseline_30d\"}}}",
               "(> travel_txn_30d travel_txn_baseline_30d)", 0);
    /* .mmr text for what JSON cannot say */
    check_when("{\"mmr\":\"abs(budget_variance) > 15%\"}", "(> (abs budget_variance) 0.15)", 0);
    check_when("{\"dining_txn_7d\":{\">\":1},\"mmr\":\"a > 1 or (b > 2 or c > 3)\"}",
               "(and (> dining_txn_7d 1) (or (or (> a 1) (> b 2)) (> c 3)))", 0);
}

static void test_nesting(void)
{
    check_when("{\"any\":[{\"dining_txn_7d\":{\">\":3}},{\"shopping_txn_7d\":{\">\":2}}]}",
               "(or (> dining_txn_7d 3) (> shopping_txn_7d 2))", 0);
    check_when("{\"all\":[{\"dining_txn_7d\":{\">\":3}},{\"shopping_txn_7d\":{\">\":2}}]}",
               "(and (> dining_txn_7d 3) (> shopping_txn_7d 2))", 0);
    check_when("{\"not\":{\"dining_txn_7d\":{\">\":3},\"shopping_txn_7d\":{\">\":2}}}",
               "(not (and (> dining_txn_7d 3) (> shopping_txn_7d 2)))", 0);
    /* and/or chains are flattened left to right however they nest */
    check_when("{\"dining_txn_7d\":{\">\":1},\"all\":[{\"shopping_txn_7d\":{\">\":2},\"all\":[{\"travel_txn_30d\":{\">\":3}}]}],"
               "\"savings_gap\":{\">\":4}}",
               "(and (and (and (> dining_txn_7d 1) (> shopping_txn_7d 2)) (> travel_txn_30d 3)) (> savings_gap 4))", 0);
    check_when("{\"any\":[{\"dining_txn_7d\":{\">\":1}},{\"any\":[{\"shopping_txn_7d\":{\">\":2}},{\"travel_txn_30d\":{\">\":3}}]}]}",
               "(or (or (> dining_txn_7d 1) (> shopping_txn_7d 2)) (> travel_txn_30d 3))", 0);
    check_when("{\"any\":[{\"dining_txn_7d\":{\">\":1},\"shopping_txn_7d\":{\">\":2}},{\"not\":{\"travel_txn_30d\":{\">\":3}}}]}",
               "(or (and (> dining_txn_7d 1) (> shopping_txn_7d 2)) (not (> travel_txn_30d 3)))", 0);
    /* `if` may be an array (all of them) */
    check_when("[{\"dining_txn_7d\":{\">\":1}},{\"shopping_txn_7d\":{\">\":2}}]",
               "(and (> dining_txn_7d 1) (> shopping_txn_7d 2))", 0);
}

static void test_implicit(void)
{
    run r;
    imp(&r, "[{\"name\":\"r\",\"priority\":1,\"traits_filter_json\":{\"city\":\"Pune\"},"
            "\"expression_json\":{\"if\":{\"crypto_txn_7d\":{\">\":2},\"is_student\":true,"
            "\"fav\":{\"in\":[\"a\"]},\"crypto_txn_7d \":{\"<\":9}},\"message_template_id\":\"T\"}}]");
    T_EQ_INT(r.d.errors, 1);
    T_CHECK(strstr(diags(&r), "rules.json: $[0].expression_json.if[\"crypto_txn_7d \"]: error: \"crypto_txn_7d \" is not a valid signal or trait name\n") != NULL);
    done(&r);

    imp(&r, "[{\"name\":\"r\",\"priority\":1,\"traits_filter_json\":{\"city\":\"Pune\"},"
            "\"expression_json\":{\"if\":{\"crypto_txn_7d\":{\">\":2},\"is_student\":true,"
            "\"fav\":{\"in\":[\"a\"]},\"mystery\":{\"is_missing\":true}},\"message_template_id\":\"T\"}}]");
    T_EQ_STR(diags(&r),
             "rules.json: $[0].expression_json.if.crypto_txn_7d: warning: \"crypto_txn_7d\" is not declared in std/moneymoments; declared as `signal crypto_txn_7d : number` from its use\n"
             "rules.json: $[0].expression_json.if.is_student: warning: \"is_student\" is not declared in std/moneymoments; declared as `signal is_student : bool` from its use\n"
             "rules.json: $[0].expression_json.if.fav: warning: \"fav\" is not declared in std/moneymoments; declared as `signal fav : text` from its use\n"
             "rules.json: $[0].expression_json.if.mystery: warning: \"mystery\" is not declared in std/moneymoments; declared as `signal mystery : number` from its use\n"
             "rules.json: $[0].traits_filter_json.city: warning: \"city\" is not declared in std/moneymoments; declared as `trait city : text` from its use\n");
    T_EQ_INT(r.f->nsignals, 4);
    T_EQ_INT(r.f->ntraits, 1);
    T_EQ_STR(r.f->traits[0].name, "city");
    T_EQ_INT(r.f->signals[1].type, MMR_T_BOOL);
    T_EQ_INT(r.f->signals[3].implicit, 1);
    T_EQ_STR(ex(&r, r.f->rules[0].audience), "(== city \"Pune\")");
    done(&r);

    /* one warning per name; a conflicting use is an error */
    check_diags("[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"if\":{\"x\":{\">\":1},"
                "\"any\":[{\"x\":{\"<\":5}},{\"x\":{\"==\":\"five\"}}]},\"message_template_id\":\"T\"}}]",
                "rules.json: $[0].expression_json.if.x: warning: \"x\" is not declared in std/moneymoments; declared as `signal x : number` from its use\n"
                "rules.json: $[0].expression_json.if.any[1].x: error: \"x\" is used as text here, but as number at rules.json: $[0].expression_json.if.x\n");
    /* `in` a list-valued name: the list is list<text>, the name text */
    run r4;
    imp(&r4, "[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"if\":{\"tag\":{\"in\":{\"var\":\"tags\"}}},"
             "\"message_template_id\":\"T\"}}]");
    T_EQ_INT(r4.d.warnings, 2);
    T_EQ_INT(r4.f->nsignals, 2);
    T_EQ_STR(r4.f->signals[0].name, "tags");
    T_EQ_INT(r4.f->signals[0].type, MMR_T_LIST_TEXT);
    T_EQ_INT(r4.f->signals[1].type, MMR_T_TEXT);
    T_EQ_STR(ex(&r4, r4.f->rules[0].when), "(in tag tags)");
    done(&r4);
    /* the "signals" section declares names explicitly: no warning */
    run r2;
    imp(&r2, "{\"signals\":[{\"name\":\"x\",\"type\":\"map<number>\",\"description\":\"doc\"}],"
             "\"rules\":[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"mmr\":\"sum(x) > 1\","
             "\"message_template_id\":\"T\"}}]}");
    T_EQ_STR(diags(&r2), "");
    T_EQ_INT(r2.f->nsignals, 1);
    T_EQ_INT(r2.f->signals[0].type, MMR_T_MAP_NUMBER);
    T_EQ_STR(r2.f->signals[0].doc, "doc");
    T_EQ_INT(r2.f->signals[0].implicit, 0);
    T_EQ_STR(ex(&r2, r2.f->rules[0].when), "(> (sum x) 1)");
    done(&r2);
    /* placeholders a rule binds are not declared; others are (number when formatted) */
    run r3;
    imp(&r3, "{\"templates\":[{\"template_id\":\"T\",\"title\":\"Hi {who}\",\"body\":\"{amt:money} for {goal}\"}],"
             "\"rules\":[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">\":1}},"
             "\"message_template_id\":\"T\",\"with\":{\"goal\":{\"var\":\"top_goal_name\"},\"who\":\"you\"}}}]}");
    T_EQ_STR(diags(&r3), "rules.json: $.templates[0].body: warning: \"amt\" is not declared in std/moneymoments; declared as `signal amt : number` from its use\n");
    T_EQ_INT(r3.f->rules[0].nwith, 2);
    T_EQ_STR(r3.f->rules[0].with[0].name, "goal");
    T_EQ_STR(ex(&r3, r3.f->rules[0].with[0].expr), "top_goal_name");
    T_EQ_STR(ex(&r3, r3.f->rules[0].with[1].expr), "\"you\"");
    done(&r3);
}

static void test_documents(void)
{
    /* a single row */
    run r;
    imp(&r, "{\"template_id\":\"T\",\"title\":\"t\",\"body\":\"b\",\"tone\":\"neutral\",\"category\":\"goal\"}");
    T_EQ_STR(diags(&r), "");
    T_EQ_INT(r.f->ntemplates, 1);
    T_EQ_INT(r.f->nrules, 0);
    done(&r);
    imp(&r, "{\"rule_id\":\"budget_drift\",\"priority\":50,\"cooldown_days\":0.5,"
            "\"expression_json\":\"{\\\"if\\\":{\\\"budget_variance\\\":{\\\">\\\":0.15}},\\\"message_template_id\\\":\\\"B\\\"}\","
            "\"traits_filter_json\":\"{}\",\"category\":\"budget\"}");
    T_EQ_STR(diags(&r), "");
    T_EQ_STR(r.f->rules[0].name, "budget_drift");
    T_EQ_STR(r.f->rules[0].cooldown_src, "12h");
    T_EQ_STR(r.f->rules[0].category, "budget");
    T_CHECK(r.f->rules[0].audience == NULL);
    T_EQ_STR(ex(&r, r.f->rules[0].when), "(> budget_variance 0.15)");
    done(&r);
    /* cooldown_seconds, names that are not identifiers, integer rule ids */
    imp(&r, "[{\"rule_id\":7,\"priority\":5,\"cooldown_seconds\":5400,\"expression_json\":{\"if\":{\"savings_gap\":{\">\":0}},"
            "\"message_template_id\":\"GOAL-01\"}},{\"template_id\":\"GOAL-01\",\"title\":\"t\",\"body\":\"b\"},"
            "{\"name\":\"Dining overspend!\",\"priority\":5,\"expression_json\":{\"if\":{\"savings_gap\":{\">\":0}},"
            "\"message_template_id\":\"GOAL-01\"}}]");
    T_EQ_STR(diags(&r),
             "rules.json: $[1].template_id: warning: template id \"GOAL-01\" is not a valid .mmr name; using GOAL_01\n"
             "rules.json: $[0].expression_json.message_template_id: warning: template id \"GOAL-01\" is not a valid .mmr name; using GOAL_01\n"
             "rules.json: $[2].name: warning: rule name \"Dining overspend!\" is not a valid .mmr name; using Dining_overspend\n"
             "rules.json: $[2].expression_json.message_template_id: warning: template id \"GOAL-01\" is not a valid .mmr name; using GOAL_01\n");
    T_EQ_STR(r.f->rules[0].name, "rule_7");
    T_EQ_STR(r.f->rules[0].cooldown_src, "90m");
    T_EQ_INT(r.f->rules[0].cooldown_s, 5400);
    T_EQ_STR(r.f->rules[0].message, "GOAL_01");
    T_EQ_STR(r.f->templates[0].id, "GOAL_01");
    done(&r);
}

static void test_errors(void)
{
    const char *rest = "\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}},\"message_template_id\":\"T\"}";
    char buf[2048];
    /* the brief's example */
    check_diags("[{\"name\":\"a\",\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}},\"message_template_id\":\"T\"}},"
                "{\"name\":\"b\",\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}},\"message_template_id\":\"T\"}},"
                "{\"name\":\"c\",\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}},\"message_template_id\":\"T\"}},"
                "{\"name\":\"d\",\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\"=>\":3}},\"message_template_id\":\"T\"}}]",
                "rules.json: $[3].expression_json.if.dining_txn_7d: error: unknown operator \"=>\"\n");
    /* missing fields */
    check_diags("[{\"name\":\"r\",\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}},\"message_template_id\":\"T\"}}]",
                "rules.json: $[0]: error: missing required field \"priority\"\n");
    check_rule_error("\"priority\":1", "rules.json: $[0]: error: missing required field \"expression_json\"\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json: error: missing required field \"if\"\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}}}",
                     "rules.json: $[0].expression_json: error: missing required field \"message_template_id\"\n");
    check_diags("[{\"template_id\":\"T\",\"title\":\"t\"}]", "rules.json: $[0]: error: missing required field \"body\"\n");
    /* wrong types */
    check_rule_error("\"priority\":\"80\",\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":3}},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].priority: error: expected an integer from 0 to 1000, got a string\n");
    snprintf(buf, sizeof buf, "\"description\":5,%s", rest);
    check_rule_error(buf, "rules.json: $[0].description: error: expected a string, got a number\n");
    check_rule_error("\"priority\":1,\"expression_json\":[1]",
                     "rules.json: $[0].expression_json: error: expected an object with \"if\" and \"message_template_id\", got an array\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\">=\":\"3\",\"<\":[1]}},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.if.dining_txn_7d[\"<\"]: error: expected a number, string or true/false, got an array\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\"between\":[1]}},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.if.dining_txn_7d.between: error: expected [LOW, HIGH], got an array of another size\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{\"==\":null}},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.if.dining_txn_7d[\"==\"]: error: null is not a value (test for absence with \"is_missing\")\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"any\":[]},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.if.any: error: expected at least one condition\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"dining_txn_7d\":{}},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.if.dining_txn_7d: error: no operator: expected one of == != > >= < <= in not_in between is_missing is_present\n");
    /* priority and cooldown ranges */
    snprintf(buf, sizeof buf, "\"priority\":1001,%s", rest + strlen("\"priority\":1,"));
    check_rule_error(buf, "rules.json: $[0].priority: error: priority must be an integer from 0 to 1000, got 1001\n");
    snprintf(buf, sizeof buf, "\"priority\":2.5,%s", rest + strlen("\"priority\":1,"));
    check_rule_error(buf, "rules.json: $[0].priority: error: priority must be an integer from 0 to 1000, got 2.5\n");
    snprintf(buf, sizeof buf, "\"cooldown_days\":-1,%s", rest);
    check_rule_error(buf, "rules.json: $[0].cooldown_days: error: cooldown_days must not be negative, got -1\n");
    snprintf(buf, sizeof buf, "\"cooldown_days\":0.0001,%s", rest);
    check_rule_error(buf, "rules.json: $[0].cooldown_days: error: the cooldown must be a whole number of minutes\n");
    /* bad JSON, with jansson's line and column */
    check_diags("[\n  {\"name\": \"r\",\n   \"priority\": 1,,\n", "rules.json:3:18: error: invalid JSON: string or '}' expected near ','\n");
    check_diags("{\"rules\": [], \"rules\": []}", "rules.json:1:21: error: invalid JSON: duplicate object key near '\"rules\"'\n");
    check_diags("", "rules.json:1:1: error: invalid JSON: '[' or '{' expected near end of file\n");
    check_diags("42", "rules.json:1:2: error: invalid JSON: '[' or '{' expected near '42'\n");
    check_diags("{\"hello\": 1}", "rules.json: $: error: expected an array of rows, one row, or an object with \"rules\" and/or \"templates\"\n");
    check_diags("[{\"x\": 1}]", "rules.json: $[0]: error: neither a rule row (rule_id, name, expression_json) nor a template row (template_id)\n");
    check_rule_error("\"priority\":1,\"expression_json\":\"{\\\"if\\\":\",\"message_template_id\":\"T\"",
                     "rules.json: $[0].expression_json: error: invalid JSON in string: unexpected token near end of file (line 1, column 6 of the string)\n");
    /* nesting too deep */
    mmr_buf deep;
    mmr_buf_init(&deep);
    mmr_buf_puts(&deep, "[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"message_template_id\":\"T\",\"if\":");
    for (int i = 0; i < 40; i++) mmr_buf_puts(&deep, "{\"not\":");
    mmr_buf_puts(&deep, "{\"dining_txn_7d\":{\">\":1}}");
    for (int i = 0; i < 40; i++) mmr_buf_putc(&deep, '}');
    mmr_buf_puts(&deep, "}}]");
    mmr_buf want;
    mmr_buf_init(&want);
    mmr_buf_puts(&want, "rules.json: $[0].expression_json.if");
    for (int i = 0; i < 32; i++) mmr_buf_puts(&want, ".not");
    mmr_buf_puts(&want, ": error: conditions nested too deep (more than 32 levels)\n");
    check_diags(deep.data, want.data);
    mmr_buf_clear(&deep);
    for (int i = 0; i < 3000; i++) mmr_buf_putc(&deep, '[');
    check_diags(deep.data, "rules.json:1:2049: error: invalid JSON: maximum parsing depth reached near '['\n");
    mmr_buf_free(&want);
    /* at most 200 conditions: the printed text must stay within the parser's limits */
    for (int n = 200; n <= 201; n++) {
        mmr_buf_clear(&deep);
        mmr_buf_puts(&deep, "[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"message_template_id\":\"T\",\"if\":{\"all\":[");
        for (int i = 0; i < n; i++) mmr_buf_printf(&deep, "%s{\"dining_txn_7d\":{\">\":%d}}", i ? "," : "", i);
        mmr_buf_puts(&deep, "]}}}]");
        check_diags(deep.data, n == 200 ? "" : "rules.json: $[0].expression_json.if.all[200].dining_txn_7d: error: too many conditions (more than 200)\n");
    }
    /* unknown fields warn; duplicates error */
    snprintf(buf, sizeof buf, "\"colour\":\"red\",%s", rest);
    check_rule_error(buf, "rules.json: $[0].colour: warning: unknown field \"colour\" is ignored\n");
    snprintf(buf, sizeof buf, "[{\"name\":\"r\",%s},{\"name\":\"r\",%s}]", rest, rest);
    check_diags(buf, "rules.json: $[1].name: error: duplicate rule \"r\" (first at $[0])\n");
    mmr_buf_clear(&deep);
    mmr_buf_puts(&deep, "[{\"name\":\"r\",\"priority\":1,\"expression_json\":{\"message_template_id\":\"T\",\"mmr\":\"");
    balanced(&deep, 0, 300);
    mmr_buf_puts(&deep, "\"}}]");
    check_diags(deep.data, "rules.json: $[0].expression_json.mmr: error: expression nested too deeply (limit 256)\n");
    mmr_buf_free(&deep);
    /* bad .mmr text */
    check_rule_error("\"priority\":1,\"expression_json\":{\"mmr\":\"dining_txn_7d >\",\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.mmr: error: in the .mmr expression, at the end: unexpected end of file; expected an expression\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"mmr\":\"1\\nrule x {}\",\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.mmr: error: the .mmr text must be a single expression\n");
    check_rule_error("\"priority\":1,\"expression_json\":{\"if\":{\"not\":1},\"message_template_id\":\"T\"}",
                     "rules.json: $[0].expression_json.if.not: error: expected an object of conditions, got a number\n");
    check_diags("[{\"template_id\":\"T\",\"title\":\"t\",\"body\":\"b\",\"tone\":\"very funny\"}]",
                "rules.json: $[0].tone: error: tone must be one word of letters, digits and _, got \"very funny\"\n");
}

int main(void)
{
    test_spec_example();
    test_operators();
    test_nesting();
    test_implicit();
    test_documents();
    test_errors();
    return T_DONE("json_import");
}
