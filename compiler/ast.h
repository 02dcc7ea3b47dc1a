/* The .mmr abstract syntax tree.
 *
 * One contract shared by the parser (grammar/), the JSON importer, the
 * checker and code generator (compiler/), the formatter, the linter and
 * the test runner. All nodes and strings live in the owning mmr_unit's
 * arena: nothing in here is freed on its own.
 */
#ifndef MMR_AST_H
#define MMR_AST_H
#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/diag.h"

typedef struct mmr_loc {
    const char *file;   /* arena string; the path as given by the user */
    int line, col;      /* 1-based start */
    int end_line, end_col; /* 1-based, inclusive end column (0 if unknown) */
} mmr_loc;

/* Static types. LIST_* and MAP_NUMBER are the container types. */
typedef enum mmr_type {
    MMR_T_ERROR = 0,   /* after a reported error: suppresses cascades */
    MMR_T_NUMBER,
    MMR_T_BOOL,
    MMR_T_TEXT,
    MMR_T_LIST_TEXT,
    MMR_T_LIST_NUMBER,
    MMR_T_MAP_NUMBER,
    MMR_T_MISSING      /* the literal `missing`: fits any type */
} mmr_type;

const char *mmr_type_name(mmr_type t); /* "number", "list<text>", ... */

/* ---------------------------------------------------------------- exprs */

typedef enum mmr_expr_kind {
    MMR_E_NUMBER,      /* num */
    MMR_E_TEXT,        /* text (UTF-8, escapes already decoded) */
    MMR_E_BOOL,        /* boolean */
    MMR_E_MISSING,     /* the literal `missing` */
    MMR_E_LIST,        /* items[nitems] */
    MMR_E_MAP,         /* keys[nitems] (text), items[nitems]: {"a": 1} */
    MMR_E_NAME,        /* name; resolved by the checker into ref */
    MMR_E_UNARY,       /* op (NEG or NOT), lhs */
    MMR_E_BINARY,      /* op, lhs, rhs */
    MMR_E_IN,          /* lhs in rhs; negated => `not in` */
    MMR_E_BETWEEN,     /* lhs between rhs and third (inclusive both ends) */
    MMR_E_IS_MISSING,  /* lhs is missing; negated => `is present` */
    MMR_E_CALL,        /* name(items...) */
    MMR_E_INDEX,       /* lhs[rhs] */
    MMR_E_QUANT        /* any|all name in lhs where rhs; op = ANY or ALL.
                          op = EACH: a rule's `for each name in lhs where rhs
                          [rank by third]` (only as a rule's `when`) */
} mmr_expr_kind;

typedef enum mmr_op {
    MMR_OP_NONE = 0,
    MMR_OP_OR, MMR_OP_AND, MMR_OP_NOT,
    MMR_OP_EQ, MMR_OP_NE, MMR_OP_LT, MMR_OP_LE, MMR_OP_GT, MMR_OP_GE,
    MMR_OP_COALESCE,   /* ?? */
    MMR_OP_ADD, MMR_OP_SUB, MMR_OP_MUL, MMR_OP_DIV,
    MMR_OP_NEG,
    MMR_OP_ANY, MMR_OP_ALL,
    MMR_OP_EACH        /* a per-key rule's `for each` (its truth: as `any`) */
} mmr_op;

const char *mmr_op_text(mmr_op op); /* "or", "==", "??", "-", "any", ... */

/* What a name refers to, filled in by the checker. */
typedef enum mmr_ref_kind {
    MMR_REF_NONE = 0,
    MMR_REF_SIGNAL,    /* index = signal declaration number (mmr_unit.signals) */
    MMR_REF_TRAIT,     /* index = trait declaration number (mmr_unit.traits) */
    MMR_REF_LET,       /* index = let number (mmr_unit.lets) */
    MMR_REF_QVAR,      /* a quantifier's bound key; decl = the QUANT expr */
    MMR_REF_BINDING,   /* in templates: a rule's `with` binding */
    MMR_REF_FIELD      /* in a derived signal's `where`: index = source field */
} mmr_ref_kind;

typedef struct mmr_expr mmr_expr;
struct mmr_expr {
    mmr_expr_kind kind;
    mmr_op   op;
    mmr_loc  loc;
    mmr_type type;         /* set by the checker */
    int      negated;      /* IN / IS_MISSING */
    int      percent;      /* NUMBER written with % (for fmt round trips) */
    double   num;
    int      boolean;
    const char *text;      /* TEXT literal value, NAME/CALL/QUANT name */
    size_t   text_len;     /* TEXT may contain any UTF-8 (never NUL) */
    const char *src_text;  /* NUMBER: the literal as written ("1_000"), or NULL */
    mmr_expr *lhs, *rhs, *third;
    mmr_expr **items;      /* LIST items, MAP values, CALL arguments */
    mmr_expr **keys;       /* MAP keys (TEXT exprs) */
    size_t   nitems;
    /* checker results */
    mmr_ref_kind ref;
    int      index;        /* SIGNAL/TRAIT/LET index, builtin index for CALL */
    mmr_expr *decl;        /* QVAR: the binding QUANT node */
    int      is_const;     /* folded to a constant: see num/boolean/text */
};

/* ---------------------------------------------------------- declarations */

typedef struct mmr_import {
    mmr_loc loc;
    const char *path;      /* as written: "std/moneymoments" or "x.mmr" */
} mmr_import;

/* A derived signal's definition (docs/signals.md):
 *   signal NAME = AGGREGATE of SOURCE [where FILTER] [by FIELD] over WINDOW
 *   signal NAME = EXPR                    (computed from other signals)
 * The parser keeps the aggregate's words as written; the checker resolves
 * them (agg, inner, bucket, field) against the source's schema
 * (signals/source.h). */
typedef enum mmr_agg {
    MMR_AGG_NONE = 0,      /* a computed signal: expr */
    MMR_AGG_COUNT, MMR_AGG_SUM, MMR_AGG_AVG, MMR_AGG_MIN, MMR_AGG_MAX,
    MMR_AGG_STDDEV, MMR_AGG_DISTINCT, MMR_AGG_FIRST, MMR_AGG_LAST
} mmr_agg;

typedef enum mmr_window_kind {
    MMR_WIN_LAST = 0,      /* last Nd: the N local days ending with as-of */
    MMR_WIN_PREVIOUS,      /* previous Nd: the N days before those */
    MMR_WIN_THIS_WEEK, MMR_WIN_PREV_WEEK,   /* Monday-start calendar weeks */
    MMR_WIN_THIS_MONTH, MMR_WIN_PREV_MONTH
} mmr_window_kind;

typedef struct mmr_derived {
    mmr_loc loc;               /* from the first word after '=' to the end */
    mmr_expr *expr;            /* computed signals only */
    /* aggregates, as written */
    const char **words; mmr_loc *word_locs; size_t nwords;  /* before `of` */
    const char *source; mmr_loc source_loc;
    mmr_expr *where;           /* NULL: every row */
    const char *by; mmr_loc by_loc;
    const char *win_word, *win_arg; mmr_loc window_loc; /* "last" "7d", "this" "week" */
    int64_t win_secs;          /* the duration of last/previous, seconds */
    /* resolved by the checker */
    mmr_agg agg;               /* the outer aggregate (NONE: computed) */
    mmr_agg inner;             /* bucketed: the per-bucket COUNT or SUM, else NONE */
    int bucket_days;           /* bucketed: 1 (daily) or 7 (weekly), else 0 */
    int source_id;             /* signals/source.h */
    int field;                 /* field of sum/avg/...; -1 for count */
    int by_field;              /* -1: not grouped */
    mmr_window_kind window;
    int window_days;           /* last/previous: N */
} mmr_derived;

typedef struct mmr_var_decl {      /* signal or trait */
    mmr_loc loc;
    const char *name;
    mmr_type type;
    const char *doc;       /* may be NULL */
    int from_std;          /* declared by an std/ schema */
    int implicit;          /* declared by the JSON importer from use */
    mmr_derived *def;      /* a derived signal's definition, else NULL */
    const struct mmr_var_decl *overrides;  /* the std declaration it defines */
} mmr_var_decl;

typedef struct mmr_let {
    mmr_loc loc;
    const char *name;
    mmr_expr *expr;
} mmr_let;

typedef struct mmr_template {
    mmr_loc loc;
    const char *id;
    const char *title, *body, *tone, *category; /* NULL if not given */
    mmr_loc title_loc, body_loc, tone_loc, category_loc;
} mmr_template;

typedef struct mmr_binding {       /* with { name = expr } */
    mmr_loc loc;
    const char *name;
    mmr_expr *expr;
} mmr_binding;

typedef struct mmr_rule {
    mmr_loc loc;
    const char *name;
    const char *description;   /* NULL if absent */
    const char *category;      /* NULL: taken from the template */
    int has_priority;
    double priority;           /* checked to be an integer 0..1000 */
    int64_t cooldown_s;        /* seconds; 0 default */
    const char *cooldown_src;  /* as written ("3d"), NULL if absent */
    mmr_expr *when;            /* or the `for each` node (MMR_RULE_PER_KEY) */
    mmr_expr *audience;        /* NULL if absent */
    const char *message;       /* template id, NULL if absent */
    mmr_binding *with;
    size_t nwith;
    mmr_loc description_loc, category_loc, priority_loc, cooldown_loc,
            when_loc, audience_loc, message_loc;
    mmr_loc each_var_loc;      /* per-key rules: the place of K in `for each K` */
    int template_index;        /* resolved by the checker, -1 if unknown */
} mmr_rule;

/* A per-key rule: `for each K in MAP where P [rank by R]` in place of
 * `when`, one candidate per key (docs/language.md). */
#define MMR_RULE_PER_KEY(r) ((r)->when && (r)->when->kind == MMR_E_QUANT && (r)->when->op == MMR_OP_EACH)

typedef struct mmr_policy {
    mmr_loc loc;
    int has_max;  int max_nudges;  int64_t window_s;  const char *window_src;
    int has_quiet; int quiet_start_min, quiet_end_min; /* minutes after midnight */
    const char *timezone;        /* IANA name or NULL */
    const char *currency;        /* ISO 4217 code (util/currency.c) or NULL: INR */
    int64_t retention_s; const char *retention_src; /* 0: the default, 90d */
    const char **categories;     /* NULL => the default list */
    size_t ncategories;
    mmr_loc max_loc, quiet_loc, timezone_loc, categories_loc, retention_loc, currency_loc;
} mmr_policy;

typedef enum mmr_expect_kind {
    MMR_X_NUDGE,          /* expect nudge RULE */
    MMR_X_NO_NUDGE,       /* expect no nudge */
    MMR_X_CANDIDATES,     /* expect candidates [RULE, ...] (a set) */
    MMR_X_SUPPRESSED,     /* expect suppressed RULE because REASON */
    MMR_X_DEFERRED,       /* expect deferred RULE until "ISO-TIME" (text) */
    MMR_X_TITLE_CONTAINS, MMR_X_BODY_CONTAINS,
    MMR_X_TITLE_EQ, MMR_X_BODY_EQ
} mmr_expect_kind;

typedef struct mmr_expect {
    mmr_loc loc;
    mmr_expect_kind kind;
    const char *rule;          /* NUDGE, SUPPRESSED, DEFERRED */
    const char *key;           /* RULE["KEY"]: the key (never holds NUL); NULL: bare RULE */
    const char *reason;        /* SUPPRESSED */
    const char **rules;        /* CANDIDATES */
    const char **rule_keys;    /* CANDIDATES: each name's key or NULL (NULL array: none has one) */
    size_t nrules;
    mmr_loc *rule_locs;        /* CANDIDATES: place of each name */
    const char *text;          /* *_CONTAINS, *_EQ */
    size_t text_len;
} mmr_expect;

typedef struct mmr_history_item {   /* RULE 2d ago, RULE["KEY"] 2d ago */
    mmr_loc loc;
    const char *rule;
    const char *key;           /* NULL: a keyless delivery */
    int64_t ago_s;
    const char *ago_src;
} mmr_history_item;

/* One transaction of a test's `transactions [ {...}, ... ]`. */
typedef struct mmr_test_txn {
    mmr_loc loc;
    mmr_binding *fields; size_t nfields;   /* name = literal */
} mmr_test_txn;

typedef struct mmr_test {
    mmr_loc loc;
    const char *name;
    const char *at;            /* ISO 8601 text or NULL */
    mmr_loc at_loc;
    mmr_binding *given;  size_t ngiven;   /* name = literal expr */
    mmr_binding *traits; size_t ntraits;
    const char **muted;  size_t nmuted;  mmr_loc *muted_locs;
    mmr_history_item *history; size_t nhistory;
    mmr_expect *expects; size_t nexpects;
    mmr_test_txn *txns; size_t ntxns; int has_txns;
    mmr_loc txns_loc;
    mmr_test_txn *budgets; size_t nbudgets; int has_budgets;   /* the same form: { field = literal, ... } */
    mmr_loc budgets_loc;
    mmr_test_txn *goals; size_t ngoals; int has_goals;
    mmr_loc goals_loc;
} mmr_test;

typedef struct mmr_comment {  /* kept for the formatter */
    mmr_loc loc;
    const char *text;          /* including the leading '#', no newline */
    int own_line;              /* nothing but blanks before it on its line */
} mmr_comment;

/* Kinds of top-level declaration, in source order, for fmt and lints. */
typedef enum mmr_decl_kind {
    MMR_D_IMPORT, MMR_D_SIGNAL, MMR_D_TRAIT, MMR_D_LET, MMR_D_TEMPLATE,
    MMR_D_RULE, MMR_D_POLICY, MMR_D_TEST
} mmr_decl_kind;

typedef struct mmr_decl_ref {
    mmr_decl_kind kind;
    size_t index;      /* into the matching array of the mmr_file */
} mmr_decl_ref;

/* One parsed source file. Arrays are arena-allocated. */
typedef struct mmr_file {
    const char *path;
    const char *src;  size_t src_len;   /* the text as read (arena copy) */
    mmr_import   *imports;   size_t nimports;
    mmr_var_decl *signals;   size_t nsignals;
    mmr_var_decl *traits;    size_t ntraits;
    mmr_let      *lets;      size_t nlets;
    mmr_template *templates; size_t ntemplates;
    mmr_rule     *rules;     size_t nrules;
    mmr_policy   *policies;  size_t npolicies;   /* more than one is an error */
    mmr_test     *tests;     size_t ntests;
    mmr_decl_ref *order;     size_t norder;      /* declarations in source order */
    mmr_comment  *comments;  size_t ncomments;
    int is_std;       /* an std/ schema file */
} mmr_file;

/* A whole ruleset: every file, after imports, in load order. The checker
 * fills the flattened tables (pointers into the files' arrays). */
typedef struct mmr_unit {
    mmr_arena arena;
    mmr_file **files; size_t nfiles;
    /* flattened by the resolver */
    mmr_var_decl **signals;  size_t nsignals;
    mmr_var_decl **traits;   size_t ntraits;
    mmr_let      **lets;     size_t nlets;
    mmr_template **templates; size_t ntemplates;
    mmr_rule     **rules;    size_t nrules;   /* sorted by name */
    mmr_test     **tests;    size_t ntests;
    mmr_policy    *policy;   /* NULL => defaults */
    size_t nderived;         /* signals with a definition (def != NULL) */
} mmr_unit;

/* Parse one buffer into a file; errors go to diags. Never returns NULL
 * unless out of memory: a file with errors still comes back, partially
 * filled, so more errors can be reported. */
mmr_file *mmr_parse(mmr_arena *arena, const char *path, const char *src,
                    size_t len, mmr_diags *diags);

/* Expression constructors (used by the parser and the JSON importer). */
mmr_expr *mmr_expr_new(mmr_arena *a, mmr_expr_kind k, mmr_loc loc);

#endif
