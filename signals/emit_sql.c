/* Derived signals as PostgreSQL (see signals/emit_sql.h). Each construct
 * mirrors signals/compute.c: a transaction's local day is
 * (to_timestamp(ts) AT TIME ZONE zone)::date, windows are runs of those
 * days ending at or before the as-of day, count/sum/distinct/maps are
 * missing when the window ends before the user's first day, and computed
 * signals follow signals/eval.c (missing propagates, x / 0 is missing). */
#include "signals/emit_sql.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signals/compute.h"
#include "signals/source.h"
#include "stdlib/builtins.h"

typedef struct em {
    const mmr_unit *u;
    const char *D;             /* the as-of day as a SQL date expression */
    const mmr_var_decl *sig;   /* the signal being written, for errors */
    mmr_diags *d;
    int failed;
} em;

static void fail(em *e, const mmr_loc *loc, const char *what)
{
    if (e->failed) return;
    e->failed = 1;
    mmr_diag_add(e->d, MMR_SEV_ERROR, loc && loc->file ? loc->file : e->sig->loc.file,
                 loc && loc->line ? loc->line : e->sig->loc.line, loc && loc->line ? loc->col : e->sig->loc.col,
                 "signal %s: %s cannot be expressed in PostgreSQL by --emit-sql", e->sig->name, what);
}

static void quote_text(mmr_buf *b, const char *s, size_t n)
{
    mmr_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') mmr_buf_putc(b, '\'');
        mmr_buf_putc(b, s[i]);
    }
    mmr_buf_putc(b, '\'');
}

static void ident(mmr_buf *b, const char *name)
{
    mmr_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') mmr_buf_putc(b, '"');
        mmr_buf_putc(b, *p);
    }
    mmr_buf_putc(b, '"');
}

static const char *pg_type(mmr_type t)
{
    switch (t) {
    case MMR_T_NUMBER: return "double precision";
    case MMR_T_BOOL: return "boolean";
    case MMR_T_MAP_NUMBER: return "jsonb";
    default: return "text";
    }
}

static const char *null_of(mmr_type t)
{
    switch (t) {
    case MMR_T_NUMBER: return "NULL::double precision";
    case MMR_T_BOOL: return "NULL::boolean";
    case MMR_T_MAP_NUMBER: return "NULL::jsonb";
    case MMR_T_TEXT: return "NULL::text";
    default: return "NULL";
    }
}

/* A source field of row alias r ("t" transactions, "r" budget/goal rows). */
static void field_sql(em *e, mmr_buf *b, int src, int f)
{
    if (src == MMR_SRC_TRANSACTION) {
        static const char *const tx[MMR_TXF_COUNT] = {
            "t.txn_id", "t.user_id", "t.ts::double precision", "t.amount", "t.type", "t.category",
            "t.merchant", "(t.recurring <> 0)", "extract(hour from t.lt)::double precision",
            "(ARRAY['Mon','Tue','Wed','Thu','Fri','Sat','Sun'])[extract(isodow from t.lt)::int]",
            "to_char(t.day, 'YYYY-MM-DD')"
        };
        mmr_buf_puts(b, f >= 0 && f < MMR_TXF_COUNT ? tx[f] : "t.amount");
        return;
    }
    if (src == MMR_SRC_BUDGET) {
        static const char *const bg[MMR_BGF_COUNT] = { "r.user_id", "r.category", "r.limit_amount", "r.period" };
        mmr_buf_puts(b, f >= 0 && f < MMR_BGF_COUNT ? bg[f] : "NULL");
        return;
    }
    switch (f) {
    case MMR_GLF_USER_ID: mmr_buf_puts(b, "r.user_id"); return;
    case MMR_GLF_GOAL_ID: mmr_buf_puts(b, "r.goal_id"); return;
    case MMR_GLF_NAME: mmr_buf_puts(b, "r.name"); return;
    case MMR_GLF_TARGET: mmr_buf_puts(b, "r.target"); return;
    case MMR_GLF_SAVED: mmr_buf_puts(b, "r.saved"); return;
    case MMR_GLF_DEADLINE: mmr_buf_puts(b, "r.deadline"); return;
    case MMR_GLF_PRIORITY: mmr_buf_puts(b, "r.priority::double precision"); return;
    case MMR_GLF_PROGRESS: mmr_buf_puts(b, "(r.saved / NULLIF(r.target, 0))"); return;
    case MMR_GLF_DAYS_LEFT: mmr_buf_printf(b, "(r.deadline::date - %s)::double precision", e->D); return;
    default: mmr_buf_puts(b, "NULL"); return;
    }
}

static void number(mmr_buf *b, double v)
{
    char nb[40];
    snprintf(nb, sizeof nb, "%.17g", v);
    /* the shortest text that reads back the same */
    for (int p = 1; p <= 17; p++) {
        char t[40];
        snprintf(t, sizeof t, "%.*g", p, v);
        if (strtod(t, NULL) == v) { memcpy(nb, t, strlen(t) + 1); break; }
    }
    mmr_buf_printf(b, v < 0 ? "(%s)::double precision" : "%s::double precision", nb);
}

/* An expression: a filter's over the source's row (src >= 0) or a
 * computed signal's over the signal columns of s (src < 0). */
static void expr(em *e, mmr_buf *b, const mmr_expr *x, int src, int depth);

static void args2(em *e, mmr_buf *b, const mmr_expr *x, int src, int depth, const char *fmt)
{
    /* fmt has %A and %B for the two arguments, each written once or more */
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && (p[1] == 'A' || p[1] == 'B')) {
            expr(e, b, x->items[p[1] == 'A' ? 0 : 1], src, depth + 1);
            p++;
        } else mmr_buf_putc(b, *p);
    }
}

static const mmr_expr *list_of(em *e, const mmr_expr *x, int depth)
{
    while (x && x->kind == MMR_E_NAME && x->ref == MMR_REF_LET && depth < 64 &&
           x->index >= 0 && (size_t)x->index < e->u->nlets) {
        x = e->u->lets[x->index]->expr;
        depth++;
    }
    return x && x->kind == MMR_E_LIST ? x : NULL;
}

static void call(em *e, mmr_buf *b, const mmr_expr *x, int src, int depth)
{
    const char *fn = x->index >= 0 && (unsigned)x->index < mmr_nbuiltins ? mmr_builtins[x->index].name : "";
    if (!strcmp(fn, "ratio") && x->nitems == 2) { args2(e, b, x, src, depth, "(%A / NULLIF(%B, 0))"); return; }
    if (!strcmp(fn, "pct_change") && x->nitems == 2) { args2(e, b, x, src, depth, "((%A - %B) / NULLIF(%B, 0))"); return; }
    if (!strcmp(fn, "abs") && x->nitems == 1) { args2(e, b, x, src, depth, "abs(%A)"); return; }
    if ((!strcmp(fn, "min") || !strcmp(fn, "max")) && x->nitems >= 2) {
        /* missing if any argument is (LEAST/GREATEST skip NULLs) */
        mmr_buf_puts(b, "(CASE WHEN ");
        for (size_t i = 0; i < x->nitems; i++) {
            if (i) mmr_buf_puts(b, " OR ");
            expr(e, b, x->items[i], src, depth + 1);
            mmr_buf_puts(b, " IS NULL");
        }
        mmr_buf_printf(b, " THEN NULL ELSE %s(", fn[1] == 'i' ? "LEAST" : "GREATEST");
        for (size_t i = 0; i < x->nitems; i++) {
            if (i) mmr_buf_puts(b, ", ");
            expr(e, b, x->items[i], src, depth + 1);
        }
        mmr_buf_puts(b, ") END)");
        return;
    }
    char what[96];
    snprintf(what, sizeof what, "the function %s()", fn);
    fail(e, &x->loc, what);
}

static void expr(em *e, mmr_buf *b, const mmr_expr *x, int src, int depth)
{
    if (e->failed) return;
    if (!x || depth > 200) { fail(e, x ? &x->loc : NULL, "an expression this deep"); return; }
    if (x->is_const && x->type == MMR_T_NUMBER) { number(b, x->num); return; }
    if (x->is_const && x->type == MMR_T_BOOL) { mmr_buf_puts(b, x->boolean ? "TRUE" : "FALSE"); return; }
    switch (x->kind) {
    case MMR_E_NUMBER: number(b, x->num); return;
    case MMR_E_BOOL: mmr_buf_puts(b, x->boolean ? "TRUE" : "FALSE"); return;
    case MMR_E_MISSING: mmr_buf_puts(b, "NULL"); return;
    case MMR_E_TEXT: quote_text(b, x->text, x->text_len); return;
    case MMR_E_NAME:
        switch (x->ref) {
        case MMR_REF_FIELD:
            if (src < 0) break;
            field_sql(e, b, src, x->index);
            return;
        case MMR_REF_LET:
            if (x->index < 0 || (size_t)x->index >= e->u->nlets) break;
            mmr_buf_putc(b, '(');
            expr(e, b, e->u->lets[x->index]->expr, src, depth + 1);
            mmr_buf_putc(b, ')');
            return;
        case MMR_REF_SIGNAL: {
            if (src >= 0 || x->index < 0 || (size_t)x->index >= e->u->nsignals) break;
            const mmr_var_decl *v = e->u->signals[x->index];
            /* a signal that is not derived is missing in the embedded
             * computation too (only derived values are filled in) */
            if (!v->def) { mmr_buf_puts(b, null_of(v->type)); return; }
            if (v->def->agg != MMR_AGG_NONE) { mmr_buf_puts(b, "s."); ident(b, v->name); return; }
            mmr_buf_putc(b, '(');
            expr(e, b, v->def->expr, src, depth + 1);
            mmr_buf_putc(b, ')');
            return;
        }
        case MMR_REF_TRAIT:
            /* mmr signals --db passes no traits: a trait is missing there */
            if (src < 0) { mmr_buf_puts(b, null_of(x->type)); return; }
            break;
        default: break;
        }
        fail(e, &x->loc, "this name");
        return;
    case MMR_E_UNARY:
        mmr_buf_puts(b, x->op == MMR_OP_NOT ? "(NOT " : "(-");
        expr(e, b, x->lhs, src, depth + 1);
        mmr_buf_putc(b, ')');
        return;
    case MMR_E_BINARY: {
        const char *op = NULL;
        switch (x->op) {
        case MMR_OP_AND: op = " AND "; break;
        case MMR_OP_OR: op = " OR "; break;
        case MMR_OP_EQ: op = " = "; break;
        case MMR_OP_NE: op = " <> "; break;
        case MMR_OP_LT: op = " < "; break;
        case MMR_OP_LE: op = " <= "; break;
        case MMR_OP_GT: op = " > "; break;
        case MMR_OP_GE: op = " >= "; break;
        case MMR_OP_ADD: op = " + "; break;
        case MMR_OP_SUB: op = " - "; break;
        case MMR_OP_MUL: op = " * "; break;
        case MMR_OP_COALESCE:
            mmr_buf_puts(b, "COALESCE(");
            expr(e, b, x->lhs, src, depth + 1);
            mmr_buf_puts(b, ", ");
            expr(e, b, x->rhs, src, depth + 1);
            mmr_buf_putc(b, ')');
            return;
        case MMR_OP_DIV:
            mmr_buf_putc(b, '(');
            expr(e, b, x->lhs, src, depth + 1);
            mmr_buf_puts(b, " / NULLIF(");
            expr(e, b, x->rhs, src, depth + 1);
            mmr_buf_puts(b, ", 0))");
            return;
        default: break;
        }
        if (!op) { fail(e, &x->loc, "this operator"); return; }
        /* texts compare by bytes, as mmr_text_cmp does */
        int text_order = x->op >= MMR_OP_LT && x->op <= MMR_OP_GE && x->lhs && x->lhs->type == MMR_T_TEXT;
        mmr_buf_putc(b, '(');
        expr(e, b, x->lhs, src, depth + 1);
        if (text_order) mmr_buf_puts(b, " COLLATE \"C\"");
        mmr_buf_puts(b, op);
        expr(e, b, x->rhs, src, depth + 1);
        mmr_buf_putc(b, ')');
        return;
    }
    case MMR_E_IN: {
        const mmr_expr *l = list_of(e, x->rhs, depth);
        if (!l) { fail(e, &x->loc, "`in` with something other than a list written out or a let"); return; }
        if (l->nitems == 0) {   /* nothing is in an empty list: false, or missing for a missing value */
            mmr_buf_puts(b, "(CASE WHEN ");
            expr(e, b, x->lhs, src, depth + 1);
            mmr_buf_printf(b, " IS NULL THEN NULL ELSE %s END)", x->negated ? "TRUE" : "FALSE");
            return;
        }
        mmr_buf_putc(b, '(');
        expr(e, b, x->lhs, src, depth + 1);
        mmr_buf_puts(b, x->negated ? " NOT IN (" : " IN (");
        for (size_t i = 0; i < l->nitems; i++) {
            if (i) mmr_buf_puts(b, ", ");
            expr(e, b, l->items[i], src, depth + 1);
        }
        mmr_buf_puts(b, "))");
        return;
    }
    case MMR_E_BETWEEN: {
        int text = x->lhs && x->lhs->type == MMR_T_TEXT;
        mmr_buf_puts(b, "(");
        expr(e, b, x->lhs, src, depth + 1);
        mmr_buf_puts(b, text ? " COLLATE \"C\" >= " : " >= ");
        expr(e, b, x->rhs, src, depth + 1);
        mmr_buf_puts(b, " AND ");
        expr(e, b, x->lhs, src, depth + 1);
        mmr_buf_puts(b, text ? " COLLATE \"C\" <= " : " <= ");
        expr(e, b, x->third, src, depth + 1);
        mmr_buf_putc(b, ')');
        return;
    }
    case MMR_E_IS_MISSING:
        mmr_buf_putc(b, '(');
        expr(e, b, x->lhs, src, depth + 1);
        mmr_buf_puts(b, x->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case MMR_E_CALL: call(e, b, x, src, depth); return;
    case MMR_E_INDEX:
        if (src >= 0) break;
        mmr_buf_puts(b, "(");
        expr(e, b, x->lhs, src, depth + 1);
        mmr_buf_puts(b, " ->> ");
        expr(e, b, x->rhs, src, depth + 1);
        mmr_buf_puts(b, ")::double precision");
        return;
    case MMR_E_QUANT: fail(e, &x->loc, "a quantifier (any/all)"); return;
    default: break;
    }
    fail(e, &x->loc, "this expression");
}

/* ---------------------------------------------------------- windows */

/* The first and last day of a window, as SQL dates. */
static void window_sql(em *e, const mmr_derived *x, mmr_buf *lo, mmr_buf *hi)
{
    const char *D = e->D;
    int n = x->window_days;
    switch (x->window) {
    case MMR_WIN_LAST:
        mmr_buf_printf(lo, "(%s - %d)", D, n - 1);
        mmr_buf_printf(hi, "%s", D);
        return;
    case MMR_WIN_PREVIOUS:
        mmr_buf_printf(lo, "(%s - %d)", D, 2 * n - 1);
        mmr_buf_printf(hi, "(%s - %d)", D, n);
        return;
    case MMR_WIN_THIS_WEEK:
        mmr_buf_printf(lo, "(%s - (extract(isodow from %s)::int - 1))", D, D);
        mmr_buf_printf(hi, "%s", D);
        return;
    case MMR_WIN_PREV_WEEK:
        mmr_buf_printf(lo, "(%s - (extract(isodow from %s)::int + 6))", D, D);
        mmr_buf_printf(hi, "(%s - extract(isodow from %s)::int)", D, D);
        return;
    case MMR_WIN_THIS_MONTH:
        mmr_buf_printf(lo, "date_trunc('month', %s)::date", D);
        mmr_buf_printf(hi, "%s", D);
        return;
    case MMR_WIN_PREV_MONTH:
        mmr_buf_printf(lo, "(date_trunc('month', %s) - interval '1 month')::date", D);
        mmr_buf_printf(hi, "(date_trunc('month', %s)::date - 1)", D);
        return;
    }
}

/* ------------------------------------------------------- aggregates */

/* The SQL key of a group (by FIELD, or count distinct FIELD) as compute.c
 * interns it: text as is, a number as "%.0f", a bool as true/false. */
static void key_sql(em *e, mmr_buf *b, int src, int f)
{
    const mmr_source_field *sf = &mmr_sources[src].fields[f];
    if (sf->type == MMR_T_NUMBER) { mmr_buf_puts(b, "round("); field_sql(e, b, src, f); mmr_buf_puts(b, ")::numeric::text"); }
    else if (sf->type == MMR_T_BOOL) { mmr_buf_puts(b, "(CASE WHEN "); field_sql(e, b, src, f); mmr_buf_puts(b, " THEN 'true' ELSE 'false' END)"); }
    else field_sql(e, b, src, f);
}

/* The order first/last follow: time then txn_id; budgets by category;
 * goals by priority (1 first, none last) then goal_id. */
static const char *order_sql(int src, int last)
{
    if (src == MMR_SRC_TRANSACTION)
        return last ? "t.ts DESC, t.txn_id COLLATE \"C\" DESC" : "t.ts, t.txn_id COLLATE \"C\"";
    if (src == MMR_SRC_BUDGET) return last ? "r.category COLLATE \"C\" DESC" : "r.category COLLATE \"C\"";
    return last ? "(CASE WHEN r.priority > 0 THEN r.priority END) DESC NULLS FIRST, r.goal_id COLLATE \"C\" DESC"
                : "(CASE WHEN r.priority > 0 THEN r.priority END) NULLS LAST, r.goal_id COLLATE \"C\"";
}

/* One aggregate's value over the rows where cond holds (cond already
 * written: the window and the filter), before the missing-before-history
 * rule. */
static void agg_sql(em *e, mmr_buf *b, const mmr_derived *x, const char *cond)
{
    int src = x->source_id;
    mmr_buf f;
    mmr_buf_init(&f);
    field_sql(e, &f, src, x->field >= 0 ? x->field : (src == MMR_SRC_TRANSACTION ? MMR_TXF_AMOUNT : -1));
    const char *F = f.data ? f.data : "NULL";
    switch (x->agg) {
    case MMR_AGG_COUNT: mmr_buf_printf(b, "count(*) FILTER (WHERE %s)::double precision", cond); break;
    case MMR_AGG_SUM: mmr_buf_printf(b, "COALESCE(sum(COALESCE(%s, 0)) FILTER (WHERE %s), 0)", F, cond); break;
    case MMR_AGG_AVG:
        mmr_buf_printf(b, "(sum(COALESCE(%s, 0)) FILTER (WHERE %s) / NULLIF(count(*) FILTER (WHERE %s), 0))", F, cond, cond);
        break;
    case MMR_AGG_MIN: mmr_buf_printf(b, "min(COALESCE(%s, 0)) FILTER (WHERE %s)", F, cond); break;
    case MMR_AGG_MAX: mmr_buf_printf(b, "max(COALESCE(%s, 0)) FILTER (WHERE %s)", F, cond); break;
    case MMR_AGG_STDDEV:
        /* sqrt(E[x^2] - E[x]^2), 0 when that is not above 0: compute.c */
    {
        mmr_buf n, m, v;   /* the count, the mean, the variance */
        mmr_buf_init(&n); mmr_buf_init(&m); mmr_buf_init(&v);
        mmr_buf_printf(&n, "count(*) FILTER (WHERE %s)::double precision", cond);
        mmr_buf_printf(&m, "(sum(COALESCE(%s, 0)) FILTER (WHERE %s) / %s)", F, cond, n.data);
        mmr_buf_printf(&v, "(sum(COALESCE(%s, 0) * COALESCE(%s, 0)) FILTER (WHERE %s) / %s - %s * %s)",
                       F, F, cond, n.data, m.data, m.data);
        mmr_buf_printf(b, "(CASE WHEN %s = 0 THEN NULL WHEN %s > 0 THEN sqrt(%s) ELSE 0 END)",
                       n.data, v.data, v.data);
        mmr_buf_free(&n); mmr_buf_free(&m); mmr_buf_free(&v);
    }
        break;
    case MMR_AGG_FIRST: case MMR_AGG_LAST:
        mmr_buf_printf(b, "(array_agg(%s ORDER BY %s) FILTER (WHERE %s))[1]", F,
                       order_sql(src, x->agg == MMR_AGG_LAST), cond);
        break;
    default: break;
    }
    mmr_buf_free(&f);
}

/* ------------------------------------------------------------ script */

typedef struct parts {
    mmr_buf ctes;      /* extra CTEs: maps, budget and goal aggregates */
    mmr_buf aggcols;   /* columns of the transaction CTE `a` */
    mmr_buf scols;     /* columns of s: every aggregate signal */
} parts;

static void cond_sql(em *e, mmr_buf *c, const mmr_derived *x, const char *lo, const char *hi)
{
    if (x->source_id == MMR_SRC_TRANSACTION) mmr_buf_printf(c, "t.day BETWEEN %s AND %s", lo, hi);
    else mmr_buf_puts(c, "TRUE");
    if (x->where) {
        mmr_buf_puts(c, " AND ");
        expr(e, c, x->where, x->source_id, 0);
        /* a filter is kept only where it is true */
    }
}

static void one_aggregate(em *e, parts *P, size_t si, const mmr_derived *x)
{
    const char *name = e->sig->name;
    mmr_buf lo, hi, cond;
    mmr_buf_init(&lo); mmr_buf_init(&hi); mmr_buf_init(&cond);
    int src = x->source_id;
    if (x->bucket_days) { fail(e, &x->loc, "a bucketed aggregate (daily/weekly)"); goto out; }
    if (src == MMR_SRC_TRANSACTION) window_sql(e, x, &lo, &hi);
    else mmr_buf_puts(&hi, "NULL");
    cond_sql(e, &cond, x, lo.data ? lo.data : "", hi.data);
    if (e->failed) goto out;
    int group = x->by_field >= 0 ? x->by_field : x->agg == MMR_AGG_DISTINCT ? x->field : -1;
    const char *from = src == MMR_SRC_TRANSACTION ? "td t" : src == MMR_SRC_BUDGET ? "mm_budget r" : "mm_goal r";
    mmr_buf key;
    mmr_buf_init(&key);
    if (group >= 0) key_sql(e, &key, src, group);
    /* before history: the window ends before the user's first day (a user
     * without transactions has none: always); budgets and goals: the user
     * has no rows of the source */
    mmr_buf before;
    mmr_buf_init(&before);
    if (src == MMR_SRC_TRANSACTION) mmr_buf_printf(&before, "(a.first_day IS NULL OR a.first_day > %s)", hi.data);
    else mmr_buf_printf(&before, "NOT EXISTS (SELECT 1 FROM %s WHERE r.user_id = s0.user_id)", from);
    if (x->agg == MMR_AGG_DISTINCT) {
        if (src == MMR_SRC_TRANSACTION) {
            mmr_buf_printf(&P->aggcols, ",\n    count(DISTINCT %s) FILTER (WHERE %s AND %s IS NOT NULL)::double precision AS ",
                           key.data, cond.data, key.data);
            ident(&P->aggcols, name);
            mmr_buf_printf(&P->scols, ",\n    CASE WHEN %s THEN NULL ELSE a.", before.data);
            ident(&P->scols, name);
            mmr_buf_puts(&P->scols, " END AS ");
        } else {
            mmr_buf_printf(&P->scols, ",\n    CASE WHEN %s THEN NULL ELSE (SELECT count(DISTINCT %s) FILTER (WHERE %s AND %s IS NOT NULL)::double precision FROM %s WHERE r.user_id = s0.user_id) END AS ",
                           before.data, key.data, cond.data, key.data, from);
        }
        ident(&P->scols, name);
    } else if (group >= 0) {
        /* a map: each key's value, keys with a value only */
        mmr_buf_printf(&P->ctes, ",\nm%zu AS (\n  SELECT g.user_id, jsonb_object_agg(g.k, g.v) AS m FROM (\n    SELECT %s.user_id, %s AS k, ",
                       si, src == MMR_SRC_TRANSACTION ? "t" : "r", key.data);
        agg_sql(e, &P->ctes, x, "TRUE");
        mmr_buf_printf(&P->ctes, " AS v\n    FROM %s WHERE %s AND %s IS NOT NULL GROUP BY 1, 2) g\n  WHERE g.v IS NOT NULL GROUP BY g.user_id)",
                       from, cond.data, key.data);
        mmr_buf_printf(&P->scols, ",\n    CASE WHEN %s THEN NULL ELSE COALESCE((SELECT m FROM m%zu WHERE m%zu.user_id = s0.user_id), '{}'::jsonb) END AS ",
                       before.data, si, si);
        ident(&P->scols, name);
    } else if (src == MMR_SRC_TRANSACTION) {
        mmr_buf_puts(&P->aggcols, ",\n    ");
        agg_sql(e, &P->aggcols, x, cond.data);
        mmr_buf_puts(&P->aggcols, " AS ");
        ident(&P->aggcols, name);
        int missing_before = x->agg == MMR_AGG_COUNT || x->agg == MMR_AGG_SUM;
        if (missing_before) mmr_buf_printf(&P->scols, ",\n    CASE WHEN %s THEN NULL ELSE a.", before.data);
        else mmr_buf_puts(&P->scols, ",\n    a.");
        ident(&P->scols, name);
        mmr_buf_puts(&P->scols, missing_before ? " END AS " : " AS ");
        ident(&P->scols, name);
    } else {
        mmr_buf_printf(&P->scols, ",\n    CASE WHEN %s THEN NULL ELSE (SELECT ", before.data);
        agg_sql(e, &P->scols, x, cond.data);
        mmr_buf_printf(&P->scols, " FROM %s WHERE r.user_id = s0.user_id) END AS ", from);
        ident(&P->scols, name);
    }
    mmr_buf_free(&key);
    mmr_buf_free(&before);
out:
    mmr_buf_free(&lo); mmr_buf_free(&hi); mmr_buf_free(&cond);
}

static int emit(const mmr_unit *u, const char *as_of, int wrap, mmr_buf *out, mmr_diags *d)
{
    mmr_sigplan *p = mmr_sigplan_new(u);
    if (!p) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
    char dbuf[64];
    if (as_of) snprintf(dbuf, sizeof dbuf, "DATE '%.10s'", as_of);
    else snprintf(dbuf, sizeof dbuf, "(:'as_of')::date");
    em e = { u, dbuf, NULL, d, 0 };
    parts P;
    mmr_buf_init(&P.ctes); mmr_buf_init(&P.aggcols); mmr_buf_init(&P.scols);
    mmr_buf fin;          /* the computed signals, over s */
    mmr_buf_init(&fin);
    size_t nout = mmr_sigplan_count(p);
    int rc = -1;
    for (size_t k = 0; k < nout && !e.failed; k++) {
        size_t si = mmr_sigplan_signal(p, k);
        const mmr_var_decl *v = u->signals[si];
        e.sig = v;
        if (v->type != MMR_T_NUMBER && v->type != MMR_T_BOOL && v->type != MMR_T_TEXT && v->type != MMR_T_MAP_NUMBER) {
            fail(&e, &v->loc, "a signal of this type");
            break;
        }
        if (v->def->agg != MMR_AGG_NONE) {
            one_aggregate(&e, &P, si, v->def);
            mmr_buf_puts(&fin, ",\n  s.");
            ident(&fin, v->name);
        } else {
            mmr_buf_puts(&fin, ",\n  ");
            expr(&e, &fin, v->def->expr, -1, 0);
        }
    }
    if (e.failed) goto done;

    mmr_buf *b = out;
    mmr_buf_puts(b, "-- The derived signals of this ruleset as PostgreSQL, written by\n"
                    "-- `mmr signals --emit-sql postgresql` (docs/signals.md, \"Signals in PostgreSQL\").\n");
    if (as_of) mmr_buf_printf(b, "-- As of %.10s: run with  psql -v ON_ERROR_STOP=1 -f FILE\n", as_of);
    else mmr_buf_puts(b, "-- Run with  psql -v ON_ERROR_STOP=1 -v as_of=YYYY-MM-DD -f FILE\n");
    mmr_buf_puts(b, "-- Reads mm_transaction, mm_user_traits (tz)");
    if (mmr_sigplan_uses(p, MMR_SRC_BUDGET)) mmr_buf_puts(b, ", mm_budget");
    if (mmr_sigplan_uses(p, MMR_SRC_GOAL)) mmr_buf_puts(b, ", mm_goal");
    mmr_buf_puts(b, "; upserts the day's rows of\n-- mm_signal_daily and deletes those older than the retention, in one transaction.\n");
    if (wrap) mmr_buf_puts(b, "BEGIN;\n");
    mmr_buf_puts(b, "CREATE TABLE IF NOT EXISTS mm_signal_daily (\n"
                    "  user_id text NOT NULL,\n"
                    "  as_of text NOT NULL,\n"
                    "  PRIMARY KEY (as_of, user_id));\n");
    for (size_t k = 0; k < nout; k++) {
        const mmr_var_decl *v = u->signals[mmr_sigplan_signal(p, k)];
        mmr_buf_puts(b, "ALTER TABLE mm_signal_daily ADD COLUMN IF NOT EXISTS ");
        ident(b, v->name);
        mmr_buf_printf(b, " %s;\n", pg_type(v->type));
    }
    mmr_buf_puts(b, "WITH\nusers AS (\n"
                    "  SELECT user_id FROM mm_transaction UNION SELECT user_id FROM mm_user_traits),\n"
                    "uz AS (\n  SELECT u.user_id, COALESCE(x.tz, ");
    quote_text(b, mmr_sigplan_timezone(p), strlen(mmr_sigplan_timezone(p)));
    mmr_buf_puts(b, ") AS tz\n  FROM users u LEFT JOIN mm_user_traits x ON x.user_id = u.user_id),\n"
                    "tl AS (\n  SELECT t.*, to_timestamp(t.ts) AT TIME ZONE z.tz AS lt\n"
                    "  FROM mm_transaction t JOIN uz z ON z.user_id = t.user_id),\n"
                    "td AS (\n  SELECT tl.*, tl.lt::date AS day FROM tl),\n"
                    "a AS (\n  SELECT t.user_id, min(t.day) AS first_day");
    mmr_buf_append(b, P.aggcols.data ? P.aggcols.data : "", P.aggcols.len);
    mmr_buf_puts(b, "\n  FROM td t GROUP BY t.user_id)");
    mmr_buf_append(b, P.ctes.data ? P.ctes.data : "", P.ctes.len);
    mmr_buf_puts(b, ",\ns AS (\n  SELECT s0.user_id");
    mmr_buf_append(b, P.scols.data ? P.scols.data : "", P.scols.len);
    mmr_buf_puts(b, "\n  FROM uz s0 LEFT JOIN a ON a.user_id = s0.user_id)\n"
                    "INSERT INTO mm_signal_daily (user_id, as_of");
    for (size_t k = 0; k < nout; k++) {
        mmr_buf_puts(b, ", ");
        ident(b, u->signals[mmr_sigplan_signal(p, k)]->name);
    }
    mmr_buf_printf(b, ")\nSELECT s.user_id, to_char(%s, 'YYYY-MM-DD')", dbuf);
    mmr_buf_append(b, fin.data ? fin.data : "", fin.len);
    mmr_buf_puts(b, "\nFROM s ORDER BY s.user_id\nON CONFLICT (as_of, user_id) DO UPDATE SET");
    for (size_t k = 0; k < nout; k++) {
        const char *n = u->signals[mmr_sigplan_signal(p, k)]->name;
        mmr_buf_puts(b, k ? ",\n  " : "\n  ");
        ident(b, n);
        mmr_buf_puts(b, " = EXCLUDED.");
        ident(b, n);
    }
    mmr_buf_printf(b, ";\n-- the retention (%d days): rows older than it go, as `mmr signals --db` does\n"
                      "DELETE FROM mm_signal_daily WHERE as_of < to_char(%s - %d, 'YYYY-MM-DD');\n",
                   mmr_sigplan_retention(p), dbuf, mmr_sigplan_retention(p) - 1);
    if (wrap) mmr_buf_puts(b, "COMMIT;\n");
    rc = 0;
done:
    mmr_buf_free(&P.ctes); mmr_buf_free(&P.aggcols); mmr_buf_free(&P.scols); mmr_buf_free(&fin);
    mmr_sigplan_free(p);
    return rc;
}

int mmr_emit_sql_pg(const mmr_unit *u, const char *as_of, mmr_buf *out, mmr_diags *d)
{
    return emit(u, as_of, 1, out, d);
}

int mmr_emit_sql_pg_body(const mmr_unit *u, const char *as_of, mmr_buf *out, mmr_diags *d)
{
    return emit(u, as_of, 0, out, d);
}
