/* The .mmr grammar: a pure (reentrant) bison parser with locations.
 *
 * The parser builds an mmr_file (compiler/ast.h) in the caller's arena.
 * All state lives in an mmr_pstate; nothing here is global or mutable.
 * (Longer than our ~800-line mark: bison wants the whole grammar, its
 * actions and their helpers in one file.)
 * Expressions are written as a stratified grammar (one nonterminal per
 * precedence level, loosest first), so the grammar has no conflicts:
 *
 *   expr    := or_e | quant                  quantifiers only at the top
 *   or_e    := or_e "or" and_e
 *   and_e   := and_e "and" not_e
 *   not_e   := "not" not_e | cmp_e
 *   cmp_e   := arith [cmp arith]             comparisons do not chain
 *   arith   := arith "??" add
 *   add     := add (+|-) mul
 *   mul     := mul (*|/) unary
 *   unary   := "-" unary | postfix
 *   postfix := primary | postfix "[" expr "]" | name "(" args ")"
 *
 * Errors recover at declaration level (the `error` token in `decls`).
 */
%define api.pure full
%define api.prefix {mmr_yy}
%define parse.error custom
%define parse.lac full
%locations
%param {void *scanner}
%parse-param {mmr_pstate *ps}

%code requires {
#include <stddef.h>
#include <stdint.h>
#include "compiler/ast.h"

/* A growable array in the arena (old copies are simply abandoned). */
typedef struct mmr_pvec { void *v; size_t n, cap; } mmr_pvec;

typedef struct mmr_name_loc { const char *name; mmr_loc loc; } mmr_name_loc;
typedef struct mmr_map_entry { mmr_expr *key, *value; } mmr_map_entry;
/* A rule named in a test: RULE or RULE["KEY"] (key NULL when bare). */
typedef struct mmr_rule_ref { const char *name, *key; } mmr_rule_ref;
typedef struct mmr_ref_loc { mmr_rule_ref ref; mmr_loc loc; } mmr_ref_loc;

/* Fields of a block, to find duplicates. */
enum {
    MMR_F_DESCRIPTION, MMR_F_CATEGORY, MMR_F_PRIORITY, MMR_F_COOLDOWN, MMR_F_WHEN,
    MMR_F_AUDIENCE, MMR_F_MESSAGE,
    MMR_F_TITLE, MMR_F_BODY, MMR_F_TONE,
    MMR_F_MAX, MMR_F_QUIET, MMR_F_TIMEZONE, MMR_F_CATEGORIES,
    MMR_F_AT, MMR_F_GIVEN, MMR_F_TRAITS, MMR_F_MUTED, MMR_F_HISTORY,
    MMR_F_TRANSACTIONS, MMR_F_BUDGETS, MMR_F_GOALS, MMR_F_RETENTION, MMR_F_CURRENCY,
    MMR_F_COUNT
};

typedef struct mmr_pstate {
    mmr_arena *arena;
    mmr_diags *diags;
    const char *path;          /* arena copy */
    const char *src;           /* arena copy of the source */
    size_t len;
    mmr_file *file;
    int oom;
    void *on_fatal;            /* jmp_buf * for the scanner's out-of-memory exit */
    /* scanner position: 1-based line, column in characters, byte offset */
    int line, col;
    size_t off;
    int last_tok_line;         /* line of the last token (for own_line) */
    size_t tok_off, tok_len;   /* the last token's bytes */
    int bracket_depth;
    int fatal;                 /* nesting limit hit: stop scanning */
    int lex_errors;
    /* declarations being collected */
    mmr_pvec imports, signals, traits, lets, templates, rules, policies, tests,
             order, comments;
    /* the block being parsed: fields seen, for duplicates */
    int seen[MMR_F_COUNT];
    mmr_loc seen_loc[MMR_F_COUNT];
    mmr_rule rule;
    mmr_template tmpl;
    mmr_policy policy;
    mmr_test test;
    mmr_pvec expects;
    mmr_derived *def;          /* the derived signal being parsed */
    const char *win_arg;       /* its window's second word or duration */
    int64_t win_secs;
} mmr_pstate;

typedef struct mmr_tok_num { double v; const char *src; int percent; } mmr_tok_num;
typedef struct mmr_tok_dur { int64_t secs; const char *src; } mmr_tok_dur;
typedef struct mmr_tok_str { const char *s; size_t len; } mmr_tok_str;

#define MMR_MAX_NESTING 256

/* Shared by the scanner, the parser and compiler/parse.c. */
void *mmr_pvec_push(mmr_pstate *ps, mmr_pvec *v, size_t esz);
mmr_loc mmr_ploc(const mmr_pstate *ps, int l1, int c1, int l2, int c2);
}

%code provides {
int mmr_yylex(MMR_YYSTYPE *lval, MMR_YYLTYPE *lloc, void *scanner);
}

%union {
    mmr_expr *e;
    const char *id;
    mmr_tok_str str;
    mmr_tok_num num;
    mmr_tok_dur dur;
    int minutes;
    int op;
    mmr_pvec vec;
    mmr_rule_ref ref;
}

%code {
#include <string.h>
#include <math.h>
#include "util/diag.h"
#include "util/buf.h"

#define YYMAXDEPTH 20000
#define LOC(l) mmr_ploc(ps, (l).first_line, (l).first_column, (l).last_line, (l).last_column)

static void yyerror(MMR_YYLTYPE *loc, void *scanner, mmr_pstate *ps, const char *msg);
static mmr_expr *mk(mmr_pstate *ps, mmr_expr_kind k, MMR_YYLTYPE l);
static mmr_expr *mk_bin(mmr_pstate *ps, mmr_expr_kind k, mmr_op op, mmr_expr *a, mmr_expr *b, MMR_YYLTYPE l);
static mmr_expr *mk_neg(mmr_pstate *ps, mmr_expr *a, MMR_YYLTYPE l);
static const char *dup_id(mmr_pstate *ps, const char *s);
static int field(mmr_pstate *ps, int f, const char *what, const char *block, const char *name, MMR_YYLTYPE kw);
static void block_start(mmr_pstate *ps);
static void add_decl(mmr_pstate *ps, mmr_decl_kind k, mmr_pvec *v, const void *d, size_t esz);
static mmr_var_decl var_decl(mmr_pstate *ps, const char *name, MMR_YYLTYPE nl, mmr_type t, const char *doc, MMR_YYLTYPE end);
static mmr_type type_of(mmr_pstate *ps, const char *a, const char *b, MMR_YYLTYPE l);
static void finish_list(mmr_pstate *ps, mmr_expr *e, mmr_pvec *v);
static void finish_names(mmr_pstate *ps, mmr_pvec *v, const char ***names, mmr_loc **locs, size_t *n);
static void add_expect(mmr_pstate *ps, mmr_expect_kind k, MMR_YYLTYPE l);
static void finish_refs(mmr_pstate *ps, mmr_pvec *v, mmr_expect *x);
static int when_field(mmr_pstate *ps, int each, MMR_YYLTYPE kw);
static mmr_loc span(mmr_pstate *ps, MMR_YYLTYPE a, MMR_YYLTYPE b);
static mmr_derived *new_def(mmr_pstate *ps, MMR_YYLTYPE l);
static int whole_number(double v) { return v >= 0 && v <= 1000000 && v == floor(v); }
/* A plain 0 (not 0.0, not 0%): where a duration fits, it means none. */
static int zero_literal(mmr_tok_num n) { return n.v == 0 && !n.percent && n.src && !strchr(n.src, '.'); }
}

%token END 0 "end of file"
%token <id> IDENT "name"
%token <str> STRING "string"
%token <num> NUMBER "number"
%token <dur> DURATION "duration"
%token <minutes> TIME "time of day"
%token BADTOK "invalid character" TOODEEP "nesting limit"

/* reserved words */
%token IMPORT "import" SIGNAL "signal" TRAIT "trait" LET "let" TEMPLATE "template"
%token RULE "rule" POLICY "policy" TEST "test"
%token OR "or" AND "and" NOT "not" IN "in" BETWEEN "between" IS "is"
%token MISSING "missing" PRESENT "present" ANY "any" ALL "all" WHERE "where"
%token TRUE "true" FALSE "false" WITH "with" OF "of" OVER "over" BY "by"
/* field words: reserved where a field may start, usable as names elsewhere */
%token <id> DESCRIPTION "description" CATEGORY "category" PRIORITY "priority"
%token <id> COOLDOWN "cooldown" WHEN "when" AUDIENCE "audience" MESSAGE "message"
%token <id> TITLE "title" BODY "body" TONE "tone"
%token <id> CURRENCY "currency"
%token <id> MAX_NUDGES "max_nudges" PER "per" QUIET_HOURS "quiet_hours" TIMEZONE "timezone"
%token <id> CATEGORIES "categories"
%token <id> AT "at" GIVEN "given" TRAITS "traits" MUTED "muted" HISTORY "history" AGO "ago"
%token <id> EXPECT "expect" NUDGE "nudge" NO "no" CANDIDATES "candidates"
%token <id> SUPPRESSED "suppressed" BECAUSE "because"
%token <id> DEFERRED "deferred" UNTIL "until"
%token <id> TRANSACTIONS "transactions" BUDGETS "budgets" GOALS "goals" RETENTION "retention"
%token <id> FOR "for" EACH "each" RANK "rank"
%token <id> CONTAINS "contains"
/* punctuation */
%token EQ "==" NE "!=" LE "<=" GE ">=" LT "<" GT ">" COALESCE "??"
%token PLUS "+" MINUS "-" STAR "*" SLASH "/" ASSIGN "="
%token LPAREN "(" RPAREN ")" LBRACK "[" RBRACK "]" LBRACE "{" RBRACE "}"
%token COMMA "," COLON ":"

%type <id> name opt_type_arg
%type <str> opt_doc
%type <e> expr quant or_e and_e not_e cmp_e arith add mul unary postfix primary
%type <e> number_lit
%type <op> cmp_op
%type <vec> expr_list expr_seq map_entries map_seq binding_block binding_list binding_seq
%type <vec> name_list name_seq hist_items opt_with agg_words txn_list txn_seq
%type <e> opt_where opt_rank
%type <ref> rule_ref
%type <vec> rule_ref_list rule_ref_seq
%type <id> opt_by
%type <num> signed_number

%%

file
    : decls
    ;

decls
    : %empty
    | decls decl
    | decls error
    ;

decl
    : IMPORT STRING
        { mmr_import d;
          d.loc = span(ps, @2, @2);
          d.path = mmr_arena_strndup(ps->arena, $2.s, $2.len);
          add_decl(ps, MMR_D_IMPORT, &ps->imports, &d, sizeof d); }
    | SIGNAL name COLON name opt_type_arg opt_doc
        { mmr_type t = type_of(ps, $4, $5, @4);
          mmr_var_decl d = var_decl(ps, $2, @2, t, $6.s, @$);
          add_decl(ps, MMR_D_SIGNAL, &ps->signals, &d, sizeof d); }
    | SIGNAL name ASSIGN derived opt_doc
        { mmr_var_decl d = var_decl(ps, $2, @2, MMR_T_ERROR, $5.s, @$);
          d.def = ps->def; ps->def = NULL;
          add_decl(ps, MMR_D_SIGNAL, &ps->signals, &d, sizeof d); }
    | TRAIT name COLON name opt_type_arg opt_doc
        { mmr_type t = type_of(ps, $4, $5, @4);
          mmr_var_decl d = var_decl(ps, $2, @2, t, $6.s, @$);
          add_decl(ps, MMR_D_TRAIT, &ps->traits, &d, sizeof d); }
    | LET name ASSIGN expr
        { mmr_let d; memset(&d, 0, sizeof d);
          d.loc = span(ps, @2, @4); d.name = $2; d.expr = $4;
          add_decl(ps, MMR_D_LET, &ps->lets, &d, sizeof d); }
    | TEMPLATE name LBRACE
        { block_start(ps); }
      template_fields RBRACE
        { ps->tmpl.loc = span(ps, @2, @6); ps->tmpl.id = $2;
          add_decl(ps, MMR_D_TEMPLATE, &ps->templates, &ps->tmpl, sizeof ps->tmpl); }
    | RULE name LBRACE
        { block_start(ps); }
      rule_fields RBRACE
        { ps->rule.loc = span(ps, @2, @6); ps->rule.name = $2;
          add_decl(ps, MMR_D_RULE, &ps->rules, &ps->rule, sizeof ps->rule); }
    | POLICY LBRACE
        { block_start(ps); }
      policy_fields RBRACE
        { ps->policy.loc = span(ps, @1, @5);
          add_decl(ps, MMR_D_POLICY, &ps->policies, &ps->policy, sizeof ps->policy); }
    | TEST STRING LBRACE
        { block_start(ps); }
      test_fields RBRACE
        { ps->test.loc = span(ps, @2, @6);
          ps->test.name = mmr_arena_strndup(ps->arena, $2.s, $2.len);
          ps->test.expects = ps->expects.v; ps->test.nexpects = ps->expects.n;
          add_decl(ps, MMR_D_TEST, &ps->tests, &ps->test, sizeof ps->test); }
    ;

/* signal NAME = AGGREGATE of SOURCE [where F] [by FIELD] over WINDOW | EXPR */
derived
    : agg_words OF name opt_where opt_by
        { mmr_derived *x = new_def(ps, @$);
          if (x) {
              mmr_loc *locs = NULL;
              finish_names(ps, &$1, &x->words, &locs, &x->nwords);
              x->word_locs = locs;
              x->source = $3; x->source_loc = LOC(@3);
              x->where = $4;
              x->by = $5; x->by_loc = LOC(@5);
          } }
    | agg_words OF name opt_where opt_by OVER name window_arg
        { mmr_derived *x = new_def(ps, @$);
          if (x) {
              mmr_loc *locs = NULL;
              finish_names(ps, &$1, &x->words, &locs, &x->nwords);
              x->word_locs = locs;
              x->source = $3; x->source_loc = LOC(@3);
              x->where = $4;
              x->by = $5; x->by_loc = LOC(@5);
              x->win_word = $7; x->window_loc = span(ps, @7, @8);
              x->win_arg = ps->win_arg; x->win_secs = ps->win_secs;
          } }
    | expr
        { mmr_derived *x = new_def(ps, @$); if (x) x->expr = $1; }
    ;

agg_words
    : name
        { memset(&$$, 0, sizeof $$);
          mmr_name_loc *n = mmr_pvec_push(ps, &$$, sizeof *n);
          if (n) { n->name = $1; n->loc = LOC(@1); } }
    | agg_words name
        { $$ = $1;
          mmr_name_loc *n = mmr_pvec_push(ps, &$$, sizeof *n);
          if (n) { n->name = $2; n->loc = LOC(@2); } }
    ;

opt_where
    : %empty { $$ = NULL; }
    | WHERE expr { $$ = $2; }
    ;

opt_by
    : %empty { $$ = NULL; }
    | BY name { $$ = $2; }
    ;

window_arg
    : DURATION { ps->win_arg = $1.src; ps->win_secs = $1.secs; }
    | name { ps->win_arg = $1; ps->win_secs = 0; }
    ;

opt_type_arg
    : %empty { $$ = NULL; }
    | LT name GT { $$ = $2; }
    ;

opt_doc
    : %empty { $$.s = NULL; $$.len = 0; }
    | STRING { $$.s = mmr_arena_strndup(ps->arena, $1.s, $1.len); $$.len = $1.len; }
    ;

/* ------------------------------------------------------------ templates */

template_fields
    : %empty
    | template_fields template_field
    ;

template_field
    : TITLE STRING
        { if (field(ps, MMR_F_TITLE, "title", "template", NULL, @1)) {
              ps->tmpl.title = mmr_arena_strndup(ps->arena, $2.s, $2.len); ps->tmpl.title_loc = LOC(@2); } }
    | BODY STRING
        { if (field(ps, MMR_F_BODY, "body", "template", NULL, @1)) {
              ps->tmpl.body = mmr_arena_strndup(ps->arena, $2.s, $2.len); ps->tmpl.body_loc = LOC(@2); } }
    | TONE name
        { if (field(ps, MMR_F_TONE, "tone", "template", NULL, @1)) {
              ps->tmpl.tone = $2; ps->tmpl.tone_loc = LOC(@2); } }
    | CATEGORY name
        { if (field(ps, MMR_F_CATEGORY, "category", "template", NULL, @1)) {
              ps->tmpl.category = $2; ps->tmpl.category_loc = LOC(@2); } }
    ;

/* ---------------------------------------------------------------- rules */

rule_fields
    : %empty
    | rule_fields rule_field
    ;

rule_field
    : DESCRIPTION STRING
        { if (field(ps, MMR_F_DESCRIPTION, "description", "rule", NULL, @1)) {
              ps->rule.description = mmr_arena_strndup(ps->arena, $2.s, $2.len);
              ps->rule.description_loc = LOC(@2); } }
    | CATEGORY name
        { if (field(ps, MMR_F_CATEGORY, "category", "rule", NULL, @1)) {
              ps->rule.category = $2; ps->rule.category_loc = LOC(@2); } }
    | PRIORITY signed_number
        { if (field(ps, MMR_F_PRIORITY, "priority", "rule", NULL, @1)) {
              ps->rule.has_priority = 1; ps->rule.priority = $2.v; ps->rule.priority_loc = LOC(@2); } }
    | COOLDOWN DURATION
        { if (field(ps, MMR_F_COOLDOWN, "cooldown", "rule", NULL, @1)) {
              ps->rule.cooldown_s = $2.secs; ps->rule.cooldown_src = $2.src; ps->rule.cooldown_loc = LOC(@2); } }
    | COOLDOWN NUMBER
        { /* a bare 0 is no cooldown, as 0d is; any other number needs a unit */
          if (!zero_literal($2)) {
              mmr_diag *g = mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, @2.first_line, @2.first_column,
                                         "a cooldown needs a unit: \"%s\" is a number, not a duration", $2.src ? $2.src : "?");
              if (g) { g->end_line = @2.last_line; g->end_col = @2.last_column; }
              mmr_diag_set_hint(g, "write it with a unit s, m, h, d or w, such as 3d or 36h (a bare 0 means no cooldown)");
          } else if (field(ps, MMR_F_COOLDOWN, "cooldown", "rule", NULL, @1)) {
              ps->rule.cooldown_s = 0; ps->rule.cooldown_src = "0"; ps->rule.cooldown_loc = LOC(@2); } }
    | WHEN expr
        { if (when_field(ps, 0, @1)) {
              ps->rule.when = $2; ps->rule.when_loc = LOC(@2); } }
    | FOR EACH name IN arith WHERE expr opt_rank
        { mmr_expr *e = mk(ps, MMR_E_QUANT, @$);
          if (e) { e->op = MMR_OP_EACH; e->text = $3; e->lhs = $5; e->rhs = $7; e->third = $8; }
          if (when_field(ps, 1, @1)) { ps->rule.when = e; ps->rule.when_loc = LOC(@$); ps->rule.each_var_loc = LOC(@3); } }
    | AUDIENCE expr
        { if (field(ps, MMR_F_AUDIENCE, "audience", "rule", NULL, @1)) {
              ps->rule.audience = $2; ps->rule.audience_loc = LOC(@2); } }
    | MESSAGE name opt_with
        { if (field(ps, MMR_F_MESSAGE, "message", "rule", NULL, @1)) {
              ps->rule.message = $2; ps->rule.message_loc = LOC(@2);
              ps->rule.with = $3.v; ps->rule.nwith = $3.n; } }
    ;

opt_rank
    : %empty { $$ = NULL; }
    | RANK BY arith { $$ = $3; }
    ;

opt_with
    : %empty { memset(&$$, 0, sizeof $$); }
    | WITH binding_block { $$ = $2; }
    ;

signed_number
    : NUMBER { $$ = $1; }
    | MINUS NUMBER { $$ = $2; $$.v = -$2.v; }
    ;

/* ---------------------------------------------------------------- policy */

policy_fields
    : %empty
    | policy_fields policy_field
    ;

policy_field
    : MAX_NUDGES NUMBER PER DURATION
        { if (field(ps, MMR_F_MAX, "max_nudges", "policy", NULL, @1)) {
              /* The range (at least 1, a window longer than 0) is the
               * checker's; here only what an int cannot hold. A bad value
               * is stored as 1 so the checker adds no second message. */
              if (!whole_number($2.v))
                  mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, @2.first_line, @2.first_column,
                               "max_nudges must be a whole number from 1 to 1000000, got %s", $2.src);
              ps->policy.has_max = 1; ps->policy.max_nudges = whole_number($2.v) ? (int)$2.v : 1;
              ps->policy.window_s = $4.secs; ps->policy.window_src = $4.src;
              ps->policy.max_loc = span(ps, @2, @4); } }
    | QUIET_HOURS TIME MINUS TIME
        { if (field(ps, MMR_F_QUIET, "quiet_hours", "policy", NULL, @1)) {
              ps->policy.has_quiet = 1; ps->policy.quiet_start_min = $2; ps->policy.quiet_end_min = $4;
              ps->policy.quiet_loc = span(ps, @2, @4); } }
    | RETENTION DURATION
        { if (field(ps, MMR_F_RETENTION, "retention", "policy", NULL, @1)) {
              ps->policy.retention_s = $2.secs; ps->policy.retention_src = $2.src;
              ps->policy.retention_loc = LOC(@2); } }
    | TIMEZONE STRING
        { if (field(ps, MMR_F_TIMEZONE, "timezone", "policy", NULL, @1)) {
              ps->policy.timezone = mmr_arena_strndup(ps->arena, $2.s, $2.len);
              ps->policy.timezone_loc = LOC(@2); } }
    | CURRENCY STRING
        { if (field(ps, MMR_F_CURRENCY, "currency", "policy", NULL, @1)) {
              ps->policy.currency = mmr_arena_strndup(ps->arena, $2.s, $2.len);
              ps->policy.currency_loc = LOC(@2); } }
    | CATEGORIES LBRACK name_list RBRACK
        { if (field(ps, MMR_F_CATEGORIES, "categories", "policy", NULL, @1)) {
              mmr_loc *locs = NULL;
              finish_names(ps, &$3, &ps->policy.categories, &locs, &ps->policy.ncategories);
              /* `categories []` is an empty list (an error for the checker),
               * not an absent one (NULL, the default list) */
              if (!ps->policy.categories) {
                  ps->policy.categories = mmr_arena_calloc(ps->arena, sizeof(const char *));
                  if (!ps->policy.categories) ps->oom = 1;
              }
              ps->policy.categories_loc = span(ps, @2, @4); } }
    ;

/* ----------------------------------------------------------------- tests */

test_fields
    : %empty
    | test_fields test_field
    ;

test_field
    : AT STRING
        { if (field(ps, MMR_F_AT, "at", "test", NULL, @1)) {
              ps->test.at = mmr_arena_strndup(ps->arena, $2.s, $2.len); ps->test.at_loc = LOC(@2); } }
    | GIVEN binding_block
        { if (field(ps, MMR_F_GIVEN, "given", "test", NULL, @1)) {
              ps->test.given = $2.v; ps->test.ngiven = $2.n; } }
    | TRAITS binding_block
        { if (field(ps, MMR_F_TRAITS, "traits", "test", NULL, @1)) {
              ps->test.traits = $2.v; ps->test.ntraits = $2.n; } }
    | MUTED LBRACK name_list RBRACK
        { if (field(ps, MMR_F_MUTED, "muted", "test", NULL, @1))
              finish_names(ps, &$3, &ps->test.muted, &ps->test.muted_locs, &ps->test.nmuted); }
    | HISTORY LBRACE hist_items RBRACE
        { if (field(ps, MMR_F_HISTORY, "history", "test", NULL, @1)) {
              ps->test.history = $3.v; ps->test.nhistory = $3.n; } }
    | TRANSACTIONS LBRACK txn_list RBRACK
        { if (field(ps, MMR_F_TRANSACTIONS, "transactions", "test", NULL, @1)) {
              ps->test.txns = $3.v; ps->test.ntxns = $3.n; ps->test.has_txns = 1;
              ps->test.txns_loc = LOC(@1); } }
    | BUDGETS LBRACK txn_list RBRACK
        { if (field(ps, MMR_F_BUDGETS, "budgets", "test", NULL, @1)) {
              ps->test.budgets = $3.v; ps->test.nbudgets = $3.n; ps->test.has_budgets = 1;
              ps->test.budgets_loc = LOC(@1); } }
    | GOALS LBRACK txn_list RBRACK
        { if (field(ps, MMR_F_GOALS, "goals", "test", NULL, @1)) {
              ps->test.goals = $3.v; ps->test.ngoals = $3.n; ps->test.has_goals = 1;
              ps->test.goals_loc = LOC(@1); } }
    | EXPECT expectation
    ;

txn_list
    : %empty { memset(&$$, 0, sizeof $$); }
    | txn_seq opt_comma { $$ = $1; }
    ;

txn_seq
    : binding_block
        { memset(&$$, 0, sizeof $$);
          mmr_test_txn *t = mmr_pvec_push(ps, &$$, sizeof *t);
          if (t) { t->loc = LOC(@1); t->fields = $1.v; t->nfields = $1.n; } }
    | txn_seq COMMA binding_block
        { $$ = $1;
          mmr_test_txn *t = mmr_pvec_push(ps, &$$, sizeof *t);
          if (t) { t->loc = LOC(@3); t->fields = $3.v; t->nfields = $3.n; } }
    ;

hist_items
    : %empty { memset(&$$, 0, sizeof $$); }
    | hist_items rule_ref DURATION AGO opt_comma
        { $$ = $1;
          mmr_history_item *h = mmr_pvec_push(ps, &$$, sizeof *h);
          if (h) { h->loc = span(ps, @2, @4); h->rule = $2.name; h->key = $2.key; h->ago_s = $3.secs; h->ago_src = $3.src; } }
    ;

opt_comma
    : %empty
    | COMMA
    ;

expectation
    : NUDGE rule_ref
        { add_expect(ps, MMR_X_NUDGE, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->rule = $2.name; x->key = $2.key; } }
    | NO NUDGE
        { add_expect(ps, MMR_X_NO_NUDGE, @$); }
    | CANDIDATES LBRACK rule_ref_list RBRACK
        { add_expect(ps, MMR_X_CANDIDATES, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) finish_refs(ps, &$3, x); }
    | SUPPRESSED rule_ref BECAUSE name
        { add_expect(ps, MMR_X_SUPPRESSED, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->rule = $2.name; x->key = $2.key; x->reason = $4; } }
    | DEFERRED rule_ref UNTIL STRING
        { add_expect(ps, MMR_X_DEFERRED, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->rule = $2.name; x->key = $2.key; x->text = mmr_arena_strndup(ps->arena, $4.s, $4.len); x->text_len = $4.len; } }
    | TITLE CONTAINS STRING { add_expect(ps, MMR_X_TITLE_CONTAINS, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->text = mmr_arena_strndup(ps->arena, $3.s, $3.len); x->text_len = $3.len; } }
    | BODY CONTAINS STRING { add_expect(ps, MMR_X_BODY_CONTAINS, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->text = mmr_arena_strndup(ps->arena, $3.s, $3.len); x->text_len = $3.len; } }
    | TITLE EQ STRING { add_expect(ps, MMR_X_TITLE_EQ, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->text = mmr_arena_strndup(ps->arena, $3.s, $3.len); x->text_len = $3.len; } }
    | BODY EQ STRING { add_expect(ps, MMR_X_BODY_EQ, @$); mmr_expect *x = ps->expects.n ? (mmr_expect *)ps->expects.v + ps->expects.n - 1 : NULL;
          if (x) { x->text = mmr_arena_strndup(ps->arena, $3.s, $3.len); x->text_len = $3.len; } }
    ;

/* A rule in a test: RULE, or RULE["KEY"] for one key of a per-key rule. */
rule_ref
    : name { $$.name = $1; $$.key = NULL; }
    | name LBRACK STRING RBRACK
        { $$.name = $1; $$.key = mmr_arena_strndup(ps->arena, $3.s, $3.len); if (!$$.key) ps->oom = 1; }
    ;

rule_ref_list
    : %empty { memset(&$$, 0, sizeof $$); }
    | rule_ref_seq opt_comma { $$ = $1; }
    ;

rule_ref_seq
    : rule_ref
        { memset(&$$, 0, sizeof $$);
          mmr_ref_loc *n = mmr_pvec_push(ps, &$$, sizeof *n);
          if (n) { n->ref = $1; n->loc = LOC(@1); } }
    | rule_ref_seq COMMA rule_ref
        { $$ = $1;
          mmr_ref_loc *n = mmr_pvec_push(ps, &$$, sizeof *n);
          if (n) { n->ref = $3; n->loc = LOC(@3); } }
    ;

/* ------------------------------------------------------ bindings, names */

binding_block
    : LBRACE binding_list RBRACE { $$ = $2; }
    ;

binding_list
    : %empty { memset(&$$, 0, sizeof $$); }
    | binding_seq opt_comma { $$ = $1; }
    ;

binding_seq
    : name ASSIGN expr
        { memset(&$$, 0, sizeof $$);
          mmr_binding *b = mmr_pvec_push(ps, &$$, sizeof *b);
          if (b) { b->loc = span(ps, @1, @3); b->name = $1; b->expr = $3; } }
    | binding_seq COMMA name ASSIGN expr
        { $$ = $1;
          mmr_binding *b = mmr_pvec_push(ps, &$$, sizeof *b);
          if (b) { b->loc = span(ps, @3, @5); b->name = $3; b->expr = $5; } }
    ;

name_list
    : %empty { memset(&$$, 0, sizeof $$); }
    | name_seq opt_comma { $$ = $1; }
    ;

name_seq
    : name
        { memset(&$$, 0, sizeof $$);
          mmr_name_loc *n = mmr_pvec_push(ps, &$$, sizeof *n);
          if (n) { n->name = $1; n->loc = LOC(@1); } }
    | name_seq COMMA name
        { $$ = $1;
          mmr_name_loc *n = mmr_pvec_push(ps, &$$, sizeof *n);
          if (n) { n->name = $3; n->loc = LOC(@3); } }
    ;

/* A name: an identifier, or a field word outside the place it starts a field. */
name
    : IDENT { $$ = $1; }
    | DESCRIPTION { $$ = dup_id(ps, $1); } | CATEGORY { $$ = dup_id(ps, $1); }
    | PRIORITY { $$ = dup_id(ps, $1); } | COOLDOWN { $$ = dup_id(ps, $1); }
    | WHEN { $$ = dup_id(ps, $1); } | AUDIENCE { $$ = dup_id(ps, $1); }
    | MESSAGE { $$ = dup_id(ps, $1); } | TITLE { $$ = dup_id(ps, $1); }
    | BODY { $$ = dup_id(ps, $1); } | TONE { $$ = dup_id(ps, $1); }
    | MAX_NUDGES { $$ = dup_id(ps, $1); } | PER { $$ = dup_id(ps, $1); }
    | QUIET_HOURS { $$ = dup_id(ps, $1); } | TIMEZONE { $$ = dup_id(ps, $1); }
    | CURRENCY { $$ = dup_id(ps, $1); }
    | CATEGORIES { $$ = dup_id(ps, $1); } | AT { $$ = dup_id(ps, $1); }
    | GIVEN { $$ = dup_id(ps, $1); } | TRAITS { $$ = dup_id(ps, $1); }
    | MUTED { $$ = dup_id(ps, $1); } | HISTORY { $$ = dup_id(ps, $1); }
    | AGO { $$ = dup_id(ps, $1); } | EXPECT { $$ = dup_id(ps, $1); }
    | NUDGE { $$ = dup_id(ps, $1); } | NO { $$ = dup_id(ps, $1); }
    | CANDIDATES { $$ = dup_id(ps, $1); } | SUPPRESSED { $$ = dup_id(ps, $1); }
    | BECAUSE { $$ = dup_id(ps, $1); } | CONTAINS { $$ = dup_id(ps, $1); }
    | DEFERRED { $$ = dup_id(ps, $1); } | UNTIL { $$ = dup_id(ps, $1); }
    | TRANSACTIONS { $$ = dup_id(ps, $1); } | RETENTION { $$ = dup_id(ps, $1); }
    | BUDGETS { $$ = dup_id(ps, $1); } | GOALS { $$ = dup_id(ps, $1); }
    | FOR { $$ = dup_id(ps, $1); } | EACH { $$ = dup_id(ps, $1); } | RANK { $$ = dup_id(ps, $1); }
    ;

/* ----------------------------------------------------------- expressions */

expr
    : or_e
    | quant
    ;

quant
    : ANY name IN arith WHERE expr
        { $$ = mk(ps, MMR_E_QUANT, @$); if ($$) { $$->op = MMR_OP_ANY; $$->text = $2; $$->lhs = $4; $$->rhs = $6; } }
    | ALL name IN arith WHERE expr
        { $$ = mk(ps, MMR_E_QUANT, @$); if ($$) { $$->op = MMR_OP_ALL; $$->text = $2; $$->lhs = $4; $$->rhs = $6; } }
    ;

or_e
    : and_e
    | or_e OR and_e { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_OR, $1, $3, @$); }
    ;

and_e
    : not_e
    | and_e AND not_e { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_AND, $1, $3, @$); }
    ;

not_e
    : cmp_e
    | NOT not_e { $$ = mk(ps, MMR_E_UNARY, @$); if ($$) { $$->op = MMR_OP_NOT; $$->lhs = $2; } }
    ;

cmp_e
    : arith
    | arith cmp_op arith { $$ = mk_bin(ps, MMR_E_BINARY, (mmr_op)$2, $1, $3, @$); }
    | arith IN arith { $$ = mk_bin(ps, MMR_E_IN, MMR_OP_NONE, $1, $3, @$); }
    | arith NOT IN arith { $$ = mk_bin(ps, MMR_E_IN, MMR_OP_NONE, $1, $4, @$); if ($$) $$->negated = 1; }
    | arith BETWEEN arith AND arith
        { $$ = mk_bin(ps, MMR_E_BETWEEN, MMR_OP_NONE, $1, $3, @$); if ($$) $$->third = $5; }
    | arith IS MISSING { $$ = mk_bin(ps, MMR_E_IS_MISSING, MMR_OP_NONE, $1, NULL, @$); }
    | arith IS PRESENT { $$ = mk_bin(ps, MMR_E_IS_MISSING, MMR_OP_NONE, $1, NULL, @$); if ($$) $$->negated = 1; }
    | arith IS NOT MISSING { $$ = mk_bin(ps, MMR_E_IS_MISSING, MMR_OP_NONE, $1, NULL, @$); if ($$) $$->negated = 1; }
    ;

cmp_op
    : EQ { $$ = MMR_OP_EQ; } | NE { $$ = MMR_OP_NE; }
    | LT { $$ = MMR_OP_LT; } | LE { $$ = MMR_OP_LE; }
    | GT { $$ = MMR_OP_GT; } | GE { $$ = MMR_OP_GE; }
    ;

arith
    : add
    | arith COALESCE add { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_COALESCE, $1, $3, @$); }
    ;

add
    : mul
    | add PLUS mul { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_ADD, $1, $3, @$); }
    | add MINUS mul { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_SUB, $1, $3, @$); }
    ;

mul
    : unary
    | mul STAR unary { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_MUL, $1, $3, @$); }
    | mul SLASH unary { $$ = mk_bin(ps, MMR_E_BINARY, MMR_OP_DIV, $1, $3, @$); }
    ;

unary
    : postfix
    | MINUS unary { $$ = mk_neg(ps, $2, @$); }
    ;

postfix
    : primary
    | postfix LBRACK expr RBRACK { $$ = mk_bin(ps, MMR_E_INDEX, MMR_OP_NONE, $1, $3, @$); }
    | name LPAREN expr_list RPAREN
        { $$ = mk(ps, MMR_E_CALL, @$); if ($$) { $$->text = $1; finish_list(ps, $$, &$3); } }
    ;

primary
    : number_lit
    | STRING
        { $$ = mk(ps, MMR_E_TEXT, @$);
          if ($$) { $$->text = mmr_arena_strndup(ps->arena, $1.s, $1.len); $$->text_len = $1.len; } }
    | TRUE { $$ = mk(ps, MMR_E_BOOL, @$); if ($$) $$->boolean = 1; }
    | FALSE { $$ = mk(ps, MMR_E_BOOL, @$); }
    | MISSING { $$ = mk(ps, MMR_E_MISSING, @$); }
    | name { $$ = mk(ps, MMR_E_NAME, @$); if ($$) $$->text = $1; }
    | LPAREN expr RPAREN { $$ = $2; }
    | LBRACK expr_list RBRACK { $$ = mk(ps, MMR_E_LIST, @$); if ($$) finish_list(ps, $$, &$2); }
    | LBRACE map_entries RBRACE
        { $$ = mk(ps, MMR_E_MAP, @$);
          if ($$ && $2.n) {
              mmr_map_entry *me = $2.v;
              $$->keys = mmr_arena_alloc(ps->arena, $2.n * sizeof(mmr_expr *));
              $$->items = mmr_arena_alloc(ps->arena, $2.n * sizeof(mmr_expr *));
              if (!$$->keys || !$$->items) ps->oom = 1;
              else for (size_t i = 0; i < $2.n; i++) { $$->keys[i] = me[i].key; $$->items[i] = me[i].value; }
              $$->nitems = ($$->keys && $$->items) ? $2.n : 0;
          } }
    ;

number_lit
    : NUMBER
        { $$ = mk(ps, MMR_E_NUMBER, @$);
          if ($$) { $$->num = $1.v; $$->src_text = $1.src; $$->percent = $1.percent; } }
    ;

expr_list
    : %empty { memset(&$$, 0, sizeof $$); }
    | expr_seq opt_comma { $$ = $1; }
    ;

expr_seq
    : expr
        { memset(&$$, 0, sizeof $$);
          mmr_expr **p = mmr_pvec_push(ps, &$$, sizeof *p); if (p) *p = $1; }
    | expr_seq COMMA expr
        { $$ = $1; mmr_expr **p = mmr_pvec_push(ps, &$$, sizeof *p); if (p) *p = $3; }
    ;

map_entries
    : %empty { memset(&$$, 0, sizeof $$); }
    | map_seq opt_comma { $$ = $1; }
    ;

map_seq
    : STRING COLON expr
        { memset(&$$, 0, sizeof $$);
          mmr_map_entry *me = mmr_pvec_push(ps, &$$, sizeof *me);
          mmr_expr *k = mk(ps, MMR_E_TEXT, @1);
          if (k) { k->text = mmr_arena_strndup(ps->arena, $1.s, $1.len); k->text_len = $1.len; }
          if (me) { me->key = k; me->value = $3; } }
    | map_seq COMMA STRING COLON expr
        { $$ = $1;
          mmr_map_entry *me = mmr_pvec_push(ps, &$$, sizeof *me);
          mmr_expr *k = mk(ps, MMR_E_TEXT, @3);
          if (k) { k->text = mmr_arena_strndup(ps->arena, $3.s, $3.len); k->text_len = $3.len; }
          if (me) { me->key = k; me->value = $5; } }
    ;

%%

/* ------------------------------------------------------------------ helpers */

void *mmr_pvec_push(mmr_pstate *ps, mmr_pvec *v, size_t esz)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        void *nv = mmr_arena_alloc(ps->arena, cap * esz);
        if (!nv) { ps->oom = 1; return NULL; }
        if (v->n) memcpy(nv, v->v, v->n * esz);
        v->v = nv;
        v->cap = cap;
    }
    char *slot = (char *)v->v + v->n * esz;
    memset(slot, 0, esz);
    v->n++;
    return slot;
}

mmr_loc mmr_ploc(const mmr_pstate *ps, int l1, int c1, int l2, int c2)
{
    mmr_loc l;
    l.file = ps->path;
    l.line = l1; l.col = c1; l.end_line = l2; l.end_col = c2;
    return l;
}

static mmr_loc span(mmr_pstate *ps, MMR_YYLTYPE a, MMR_YYLTYPE b)
{
    return mmr_ploc(ps, a.first_line, a.first_column, b.last_line, b.last_column);
}

static void yyerror(MMR_YYLTYPE *loc, void *scanner, mmr_pstate *ps, const char *msg)
{
    (void)scanner;
    if (ps->fatal) return;
    if (strstr(msg, "exhausted")) {
        mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, loc->first_line, loc->first_column,
                     "expression nested too deeply (limit %d)", MMR_MAX_NESTING);
        ps->fatal = 1;
        return;
    }
    mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, loc->first_line, loc->first_column, "%s", msg);
}

static mmr_expr *mk(mmr_pstate *ps, mmr_expr_kind k, MMR_YYLTYPE l)
{
    mmr_expr *e = mmr_expr_new(ps->arena, k, LOC(l));
    if (!e) ps->oom = 1;
    return e;
}

static mmr_expr *mk_bin(mmr_pstate *ps, mmr_expr_kind k, mmr_op op, mmr_expr *a, mmr_expr *b, MMR_YYLTYPE l)
{
    mmr_expr *e = mk(ps, k, l);
    if (e) { e->op = op; e->lhs = a; e->rhs = b; }
    return e;
}

/* `-3` is the number -3 (so test values are plain literals); `-x` is NEG. */
static mmr_expr *mk_neg(mmr_pstate *ps, mmr_expr *a, MMR_YYLTYPE l)
{
    if (a && a->kind == MMR_E_NUMBER && a->src_text && a->src_text[0] != '-') {
        size_t n = strlen(a->src_text);
        char *s = mmr_arena_alloc(ps->arena, n + 2);
        if (!s) { ps->oom = 1; return a; }
        s[0] = '-';
        memcpy(s + 1, a->src_text, n + 1);
        a->src_text = s;
        a->num = -a->num;
        a->loc = LOC(l);
        return a;
    }
    mmr_expr *e = mk(ps, MMR_E_UNARY, l);
    if (e) { e->op = MMR_OP_NEG; e->lhs = a; }
    return e;
}

static mmr_derived *new_def(mmr_pstate *ps, MMR_YYLTYPE l)
{
    mmr_derived *x = mmr_arena_calloc(ps->arena, sizeof *x);
    if (!x) { ps->oom = 1; return NULL; }
    x->loc = LOC(l);
    x->field = -1;
    x->by_field = -1;
    ps->def = x;
    return x;
}

static const char *dup_id(mmr_pstate *ps, const char *s)
{
    const char *d = mmr_arena_strdup(ps->arena, s);
    if (!d) ps->oom = 1;
    return d;
}

static void block_start(mmr_pstate *ps)
{
    memset(ps->seen, 0, sizeof ps->seen);
    memset(&ps->rule, 0, sizeof ps->rule);
    ps->rule.template_index = -1;
    memset(&ps->tmpl, 0, sizeof ps->tmpl);
    memset(&ps->policy, 0, sizeof ps->policy);
    memset(&ps->test, 0, sizeof ps->test);
    memset(&ps->expects, 0, sizeof ps->expects);
}

/* Marks field f as given; a second one is an error naming both places. */
static int field(mmr_pstate *ps, int f, const char *what, const char *block, const char *name, MMR_YYLTYPE kw)
{
    (void)name;
    if (ps->seen[f]) {
        mmr_diag *g = mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, kw.first_line, kw.first_column,
                                   "\"%s\" is given twice in this %s; the first is at %s:%d:%d",
                                   what, block, ps->path, ps->seen_loc[f].line, ps->seen_loc[f].col);
        mmr_diag_set_hint(g, "keep one \"%s\" line", what);
        return 0;
    }
    ps->seen[f] = 1;
    ps->seen_loc[f] = LOC(kw);
    return 1;
}

static void add_decl(mmr_pstate *ps, mmr_decl_kind k, mmr_pvec *v, const void *d, size_t esz)
{
    void *slot = mmr_pvec_push(ps, v, esz);
    if (!slot) return;
    memcpy(slot, d, esz);
    mmr_decl_ref *r = mmr_pvec_push(ps, &ps->order, sizeof *r);
    if (r) { r->kind = k; r->index = v->n - 1; }
}

static mmr_var_decl var_decl(mmr_pstate *ps, const char *name, MMR_YYLTYPE nl, mmr_type t, const char *doc, MMR_YYLTYPE end)
{
    mmr_var_decl d;
    memset(&d, 0, sizeof d);
    d.loc = span(ps, nl, end);
    d.name = name;
    d.type = t;
    d.doc = doc;
    d.from_std = ps->file ? ps->file->is_std : 0;
    return d;
}

static mmr_type type_of(mmr_pstate *ps, const char *a, const char *b, MMR_YYLTYPE l)
{
    if (!a) return MMR_T_ERROR;
    if (!b) {
        if (!strcmp(a, "number")) return MMR_T_NUMBER;
        if (!strcmp(a, "bool")) return MMR_T_BOOL;
        if (!strcmp(a, "text")) return MMR_T_TEXT;
    } else {
        if (!strcmp(a, "list") && !strcmp(b, "text")) return MMR_T_LIST_TEXT;
        if (!strcmp(a, "list") && !strcmp(b, "number")) return MMR_T_LIST_NUMBER;
        if (!strcmp(a, "map") && !strcmp(b, "number")) return MMR_T_MAP_NUMBER;
    }
    mmr_diag *g = mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, l.first_line, l.first_column,
                               "unknown type \"%s%s%s%s\"", a, b ? "<" : "", b ? b : "", b ? ">" : "");
    mmr_diag_set_hint(g, "the types are number, bool, text, list<text>, list<number> and map<number>");
    return MMR_T_ERROR;
}

static void finish_list(mmr_pstate *ps, mmr_expr *e, mmr_pvec *v)
{
    (void)ps;
    e->items = v->v;
    e->nitems = v->n;
}

static void finish_names(mmr_pstate *ps, mmr_pvec *v, const char ***names, mmr_loc **locs, size_t *n)
{
    *names = NULL; *locs = NULL; *n = 0;
    if (!v->n) return;
    const char **nm = mmr_arena_alloc(ps->arena, v->n * sizeof *nm);
    mmr_loc *lc = mmr_arena_alloc(ps->arena, v->n * sizeof *lc);
    if (!nm || !lc) { ps->oom = 1; return; }
    mmr_name_loc *src = v->v;
    for (size_t i = 0; i < v->n; i++) { nm[i] = src[i].name; lc[i] = src[i].loc; }
    *names = nm; *locs = lc; *n = v->n;
}

/* `expect candidates [a, b["K"]]`: names, their keys (an array only
 * when some name has one) and places. */
static void finish_refs(mmr_pstate *ps, mmr_pvec *v, mmr_expect *x)
{
    if (!v->n) return;
    const char **nm = mmr_arena_alloc(ps->arena, v->n * sizeof *nm);
    const char **ks = mmr_arena_calloc(ps->arena, v->n * sizeof *ks);
    mmr_loc *lc = mmr_arena_alloc(ps->arena, v->n * sizeof *lc);
    if (!nm || !ks || !lc) { ps->oom = 1; return; }
    mmr_ref_loc *src = v->v;
    int keyed = 0;
    for (size_t i = 0; i < v->n; i++) {
        nm[i] = src[i].ref.name; ks[i] = src[i].ref.key; lc[i] = src[i].loc;
        if (ks[i]) keyed = 1;
    }
    x->rules = nm; x->rule_keys = keyed ? ks : NULL; x->rule_locs = lc; x->nrules = v->n;
}

/* A rule's `when` and `for each` share one slot: one of them, once. */
static int when_field(mmr_pstate *ps, int each, MMR_YYLTYPE kw)
{
    if (ps->seen[MMR_F_WHEN] && ps->rule.when) {
        int was_each = ps->rule.when->kind == MMR_E_QUANT && ps->rule.when->op == MMR_OP_EACH;
        if (was_each != each) {
            mmr_diag *g = mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, kw.first_line, kw.first_column,
                                       "a rule has either \"when\" or \"for each\", not both; the %s is at %s:%d:%d",
                                       was_each ? "\"for each\"" : "\"when\"", ps->path,
                                       ps->seen_loc[MMR_F_WHEN].line, ps->seen_loc[MMR_F_WHEN].col);
            if (g) { g->end_line = kw.last_line; g->end_col = kw.last_column; }
            mmr_diag_set_hint(g, "a per-key rule's whole condition goes in its \"where\": for each K in MAP where CONDITION and ...");
            return 0;
        }
    }
    return field(ps, MMR_F_WHEN, each ? "for each" : "when", "rule", NULL, kw);
}

static void add_expect(mmr_pstate *ps, mmr_expect_kind k, MMR_YYLTYPE l)
{
    mmr_expect *x = mmr_pvec_push(ps, &ps->expects, sizeof *x);
    if (!x) return;
    x->kind = k;
    x->loc = LOC(l);
}

/* ----------------------------------------------------------- syntax errors */

/* Token classes, so an error says "an expression" instead of listing 30 tokens. */
static int starts_expr(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_IDENT: case YYSYMBOL_STRING: case YYSYMBOL_NUMBER: case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE: case YYSYMBOL_MISSING: case YYSYMBOL_NOT: case YYSYMBOL_MINUS:
    case YYSYMBOL_LPAREN: case YYSYMBOL_LBRACK: case YYSYMBOL_LBRACE: case YYSYMBOL_ANY:
    case YYSYMBOL_ALL:
        return 1;
    default: return 0;
    }
}

static int is_field_word(yysymbol_kind_t s)
{
    return s >= YYSYMBOL_DESCRIPTION && s <= YYSYMBOL_CONTAINS;
}

static int is_operator(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_OR: case YYSYMBOL_AND: case YYSYMBOL_IN: case YYSYMBOL_BETWEEN: case YYSYMBOL_IS:
    case YYSYMBOL_EQ: case YYSYMBOL_NE: case YYSYMBOL_LE: case YYSYMBOL_GE: case YYSYMBOL_LT:
    case YYSYMBOL_GT: case YYSYMBOL_COALESCE: case YYSYMBOL_PLUS: case YYSYMBOL_STAR:
    case YYSYMBOL_SLASH:
        return 1;
    default: return 0;
    }
}

static int is_cmp(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_EQ: case YYSYMBOL_NE: case YYSYMBOL_LE: case YYSYMBOL_GE: case YYSYMBOL_LT:
    case YYSYMBOL_GT: case YYSYMBOL_IN: case YYSYMBOL_BETWEEN: case YYSYMBOL_IS:
        return 1;
    default: return 0;
    }
}

static int is_decl_word(yysymbol_kind_t s)
{
    return s >= YYSYMBOL_IMPORT && s <= YYSYMBOL_TEST;
}

static int has(const yysymbol_kind_t *v, int n, yysymbol_kind_t s)
{
    for (int i = 0; i < n; i++) if (v[i] == s) return 1;
    return 0;
}

static void add_phrase(mmr_buf *b, int *count, const char *p)
{
    if (*count) mmr_buf_putc(b, '\x1f');
    mmr_buf_puts(b, p);
    (*count)++;
}

static void quoted_sym(mmr_buf *b, yysymbol_kind_t s)
{
    if (s >= YYSYMBOL_IMPORT) mmr_buf_printf(b, "\"%s\"", yysymbol_name(s));
    else mmr_buf_puts(b, yysymbol_name(s));
}

/* Describes the token that was found: `name "foo"`, `"}"`, `end of file`. */
static void describe_found(mmr_buf *b, mmr_pstate *ps, yysymbol_kind_t s)
{
    const char *text = ps->src + ps->tok_off;
    size_t n = ps->tok_len;
    if (ps->tok_off > ps->len || n > ps->len - ps->tok_off) n = 0;
    switch (s) {
    case YYSYMBOL_YYEOF: mmr_buf_puts(b, "end of file"); return;
    case YYSYMBOL_IDENT:
        mmr_buf_puts(b, "name \"");
        mmr_buf_append(b, text, n > 40 ? 40 : n);
        mmr_buf_puts(b, n > 40 ? "...\"" : "\"");
        return;
    case YYSYMBOL_STRING: mmr_buf_puts(b, "string"); return;
    case YYSYMBOL_NUMBER: case YYSYMBOL_DURATION: case YYSYMBOL_TIME:
        mmr_buf_puts(b, s == YYSYMBOL_NUMBER ? "number " : s == YYSYMBOL_DURATION ? "duration " : "time ");
        mmr_buf_append(b, text, n > 40 ? 40 : n);
        return;
    default:
        quoted_sym(b, s);
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, mmr_pstate *ps)
{
    (void)scanner;
    yysymbol_kind_t found = yypcontext_token(ctx);
    const MMR_YYLTYPE *loc = yypcontext_location(ctx);
    if (ps->fatal || found == YYSYMBOL_BADTOK || found == YYSYMBOL_TOODEEP)
        return 0;   /* already reported by the scanner */
    enum { MAXEXP = 80 };
    yysymbol_kind_t exp[MAXEXP];
    int nexp = yypcontext_expected_tokens(ctx, exp, MAXEXP);
    if (nexp < 0) nexp = 0;

    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "unexpected ");
    describe_found(&b, ps, found);

    int expr = 0, ops = 0, fields = 0, decls = 0, ident = 0;
    /* "an expression" only where one may start; where only a number may
     * (priority, max_nudges) the list below says "a number" */
    int expr_ok = has(exp, nexp, YYSYMBOL_NUMBER) && has(exp, nexp, YYSYMBOL_IDENT);
    for (int i = 0; i < nexp; i++) {
        if (starts_expr(exp[i]) && expr_ok) expr = 1;
        if (is_operator(exp[i])) ops = 1;
        if (is_field_word(exp[i]) && !has(exp, nexp, YYSYMBOL_IDENT)) fields++;
        if (is_decl_word(exp[i])) decls = 1;
        if (exp[i] == YYSYMBOL_IDENT) ident = 1;
    }
    int chained = is_cmp(found) && !expr && ops && !has(exp, nexp, found);
    if (chained) {
        mmr_buf_puts(&b, "; comparisons cannot be chained (write `a < b and b < c`)");
    } else if (found == YYSYMBOL_ANY || found == YYSYMBOL_ALL) {
        mmr_buf_puts(&b, "; put a quantifier that is part of a larger expression in parentheses");
    } else if (nexp > 0) {
        mmr_buf tail;
        mmr_buf_init(&tail);
        int count = 0;
        if (expr) add_phrase(&tail, &count, "an expression");
        else if (ident) add_phrase(&tail, &count, "a name");
        if (ops) add_phrase(&tail, &count, "an operator");
        if (fields > 3) {
            if (has(exp, nexp, YYSYMBOL_WHEN)) add_phrase(&tail, &count, "a rule field (description, category, priority, cooldown, when, for each, audience, message)");
            else if (has(exp, nexp, YYSYMBOL_TONE)) add_phrase(&tail, &count, "a template field (title, body, tone, category)");
            else if (has(exp, nexp, YYSYMBOL_QUIET_HOURS)) add_phrase(&tail, &count, "a policy setting (max_nudges, quiet_hours, timezone, currency, categories, retention)");
            else if (has(exp, nexp, YYSYMBOL_GIVEN)) add_phrase(&tail, &count, "a test line (at, given, traits, transactions, budgets, goals, muted, history, expect)");
            else if (has(exp, nexp, YYSYMBOL_NUDGE)) add_phrase(&tail, &count, "what to expect (nudge, no nudge, candidates, suppressed, deferred, title, body)");
            else fields = 0;
        } else fields = 0;
        if (decls) add_phrase(&tail, &count, "a declaration (import, signal, trait, let, template, rule, policy, test)");
        for (int i = 0; i < nexp; i++) {
            yysymbol_kind_t s = exp[i];
            if (expr && starts_expr(s)) continue;
            if (ident && s == YYSYMBOL_IDENT) continue;
            if ((ident || expr) && is_field_word(s)) continue;
            if (fields && is_field_word(s)) continue;
            if (ops && (is_operator(s) || s == YYSYMBOL_NOT || s == YYSYMBOL_MINUS || s == YYSYMBOL_LBRACK || s == YYSYMBOL_LPAREN)) continue;
            if (decls && is_decl_word(s)) continue;
            if (s == YYSYMBOL_MINUS && !expr && has(exp, nexp, YYSYMBOL_NUMBER)) continue; /* "a number" covers -3 */
            if (s == YYSYMBOL_YYEOF) { add_phrase(&tail, &count, "end of file"); continue; }
            if (s == YYSYMBOL_COMMA && (has(exp, nexp, YYSYMBOL_RBRACE) || has(exp, nexp, YYSYMBOL_RBRACK) || has(exp, nexp, YYSYMBOL_RPAREN)))
                { add_phrase(&tail, &count, "\",\""); continue; }
            if (s == YYSYMBOL_IDENT) { add_phrase(&tail, &count, "a name"); continue; }
            if (s == YYSYMBOL_STRING) { add_phrase(&tail, &count, "a string"); continue; }
            if (s == YYSYMBOL_NUMBER) { add_phrase(&tail, &count, "a number"); continue; }
            if (s == YYSYMBOL_DURATION) { add_phrase(&tail, &count, "a duration like 3d"); continue; }
            if (s == YYSYMBOL_TIME) { add_phrase(&tail, &count, "a time like 22:00"); continue; }
            if (count) mmr_buf_putc(&tail, '\x1f');
            quoted_sym(&tail, s);
            count++;
        }
        if (count && count <= 8 && tail.data) {
            /* phrases are separated by "\x1f": "a, b or c" */
            mmr_buf_puts(&b, "; expected ");
            int k = 0;
            for (char *p = tail.data; ; k++) {
                char *sep = strchr(p, '\x1f');
                if (k) mmr_buf_puts(&b, k == count - 1 ? " or " : ", ");
                mmr_buf_append(&b, p, sep ? (size_t)(sep - p) : strlen(p));
                if (!sep) break;
                p = sep + 1;
            }
        }
        mmr_buf_free(&tail);
    }
    mmr_diag *g = mmr_diag_add(ps->diags, MMR_SEV_ERROR, ps->path, loc->first_line, loc->first_column,
                               "%s", b.data ? b.data : "syntax error");
    if (found == YYSYMBOL_ASSIGN && ops)   /* `when a = 3`, as in SQL or a spreadsheet */
        mmr_diag_set_hint(g, "to compare, write `==`; `=` only binds a name (let, with, given)");
    mmr_buf_free(&b);
    return 0;
}
