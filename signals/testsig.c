/* Test transactions to derived signals (see signals/testsig.h). */
#include "signals/testsig.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "engine/tz.h"
#include "signals/source.h"
#include "util/timeutil.h"

static const char *field_text(const mmr_binding *b, mmr_buf *msg, const char *what)
{
    if (b->expr && b->expr->kind == MMR_E_TEXT) return b->expr->text;
    mmr_buf_printf(msg, "transaction field %s must be %s", b->name, what);
    return NULL;
}

/* One literal transaction; -1 with msg and *where. */
static int test_txn(const mmr_test_txn *x, size_t i, mmr_txn *out, mmr_arena *a, mmr_buf *msg, const mmr_loc **where)
{
    memset(out, 0, sizeof *out);
    out->amount = NAN;
    out->ts = INT64_MIN;
    out->line = x->loc.line;
    *where = &x->loc;
    for (size_t k = 0; k < x->nfields; k++) {
        const mmr_binding *b = &x->fields[k];
        *where = &b->loc;
        const char *n = b->name ? b->name : "";
        const mmr_expr *e = b->expr;
        if (!strcmp(n, "ts")) {
            const char *s = field_text(b, msg, "an ISO 8601 text like \"2025-10-20T14:03:00+05:30\"");
            const char *why = NULL;
            if (!s) return -1;
            if (!strchr(s, 'T') && !strchr(s, ' ')) {
                mmr_buf_printf(msg, "transaction ts \"%s\": a date alone; give the time and a zone, like \"%sT12:00:00+05:30\"", s, s);
                return -1;
            }
            if (mmr_time_parse(s, strlen(s), &out->ts, &why)) {
                mmr_buf_printf(msg, "transaction ts \"%s\": %s", s, why ? why : "not an instant");
                return -1;
            }
        } else if (!strcmp(n, "amount")) {
            double v = e && e->kind == MMR_E_NUMBER ? e->num : NAN;
            if (!(v > 0) || !isfinite(v)) { mmr_buf_printf(msg, "transaction amount must be a positive number"); return -1; }
            out->amount = v;
        } else if (!strcmp(n, "type")) {
            const char *s = field_text(b, msg, "\"expense\" or \"income\"");
            if (!s) return -1;
            if (strcmp(s, "expense") && strcmp(s, "income")) {
                mmr_buf_printf(msg, "transaction type must be \"expense\" or \"income\", got \"%s\"", s);
                return -1;
            }
            out->type = !strcmp(s, "income") ? MMR_TXN_INCOME : MMR_TXN_EXPENSE;
        } else if (!strcmp(n, "category") || !strcmp(n, "merchant") || !strcmp(n, "txn_id")) {
            const char *s = field_text(b, msg, "a text");
            if (!s) return -1;
            size_t len = e->text_len;
            if (n[0] == 'c') { out->category = s; out->category_len = len; }
            else if (n[0] == 'm') { out->merchant = s; out->merchant_len = len; }
            else { out->txn_id = s; out->txn_id_len = len; }
        } else if (!strcmp(n, "recurring")) {
            if (!e || e->kind != MMR_E_BOOL) { mmr_buf_printf(msg, "transaction field recurring must be true or false"); return -1; }
            out->recurring = e->boolean;
        } else {
            mmr_buf_printf(msg, "unknown transaction field \"%s\" (the fields are ts, amount, type, category, merchant, recurring, txn_id)", n);
            return -1;
        }
    }
    *where = &x->loc;
    if (out->ts == INT64_MIN) { mmr_buf_printf(msg, "a transaction needs ts"); return -1; }
    if (isnan(out->amount)) { mmr_buf_printf(msg, "a transaction needs amount"); return -1; }
    if (!out->category) { mmr_buf_printf(msg, "a transaction needs category"); return -1; }
    if (!out->txn_id) {
        char id[32];
        int len = snprintf(id, sizeof id, "t%zu", i + 1);
        out->txn_id = mmr_arena_strndup(a, id, (size_t)len);
        out->txn_id_len = (size_t)len;
        if (!out->txn_id) { mmr_buf_printf(msg, "out of memory"); return -1; }
    }
    out->user_id = "test";
    out->user_id_len = 4;
    return 0;
}

/* One literal budget or goal record into a row of the source's fields;
 * -1 with msg and *where. */
static int test_row(int src, const mmr_test_txn *x, size_t i, mmr_value *row, mmr_arena *a,
                    mmr_buf *msg, const mmr_loc **where)
{
    const mmr_source *so = &mmr_sources[src];
    for (size_t f = 0; f < so->nfields; f++) row[f] = mmr_v_missing();
    *where = &x->loc;
    for (size_t k = 0; k < x->nfields; k++) {
        const mmr_binding *b = &x->fields[k];
        const mmr_expr *e = b->expr;
        *where = &b->loc;
        int f = mmr_source_field_find(src, b->name);
        if (f < 0 || f == 0 /* user_id: the test's user */ ||
            (src == MMR_SRC_GOAL && (f == MMR_GLF_PROGRESS || f == MMR_GLF_DAYS_LEFT))) {
            mmr_buf_printf(msg, f > 0 ? "%s is computed, not given" : "unknown %s field \"%s\" (the fields are ",
                           f > 0 ? b->name : so->name, b->name);
            if (f < 0) {
                for (size_t q = 1; q < so->nfields; q++)
                    if (!(src == MMR_SRC_GOAL && (q == MMR_GLF_PROGRESS || q == MMR_GLF_DAYS_LEFT)))
                        mmr_buf_printf(msg, "%s%s", q > 1 ? ", " : "", so->fields[q].name);
                mmr_buf_putc(msg, ')');
            }
            return -1;
        }
        int type = so->fields[f].type;
        if (type == MMR_T_NUMBER && e && e->kind == MMR_E_NUMBER) row[f] = mmr_v_num(e->num);
        else if (type == MMR_T_TEXT && e && e->kind == MMR_E_TEXT) {
            mmr_text *t = mmr_text_new(a, e->text, e->text_len);
            if (!t) { mmr_buf_printf(msg, "out of memory"); return -1; }
            row[f] = mmr_v_text(t);
        } else {
            mmr_buf_printf(msg, "%s field %s must be a %s", so->name, b->name, mmr_type_name((mmr_type)type));
            return -1;
        }
    }
    *where = &x->loc;
    char id[32];
    if (src == MMR_SRC_BUDGET) {
        if (row[MMR_BGF_CATEGORY].tag != MMR_V_TEXT) { mmr_buf_printf(msg, "a budget needs category"); return -1; }
        if (!(row[MMR_BGF_LIMIT].u.num > 0)) { mmr_buf_printf(msg, "a budget needs a limit above 0"); return -1; }
        if (row[MMR_BGF_PERIOD].tag != MMR_V_TEXT) row[MMR_BGF_PERIOD] = mmr_v_text(mmr_text_new(a, "month", 5));
    } else {
        if (row[MMR_GLF_NAME].tag != MMR_V_TEXT) { mmr_buf_printf(msg, "a goal needs name"); return -1; }
        if (row[MMR_GLF_TARGET].tag != MMR_V_NUM) { mmr_buf_printf(msg, "a goal needs target"); return -1; }
        if (row[MMR_GLF_SAVED].tag != MMR_V_NUM) row[MMR_GLF_SAVED] = mmr_v_num(0);
        if (row[MMR_GLF_PRIORITY].tag != MMR_V_NUM) row[MMR_GLF_PRIORITY] = mmr_v_num(0);
        int64_t dl;
        if (row[MMR_GLF_DEADLINE].tag == MMR_V_TEXT && mmr_sig_day_parse(row[MMR_GLF_DEADLINE].u.text->bytes, &dl)) {
            mmr_buf_printf(msg, "goal deadline \"%s\" is not a date YYYY-MM-DD", row[MMR_GLF_DEADLINE].u.text->bytes);
            return -1;
        }
        if (row[MMR_GLF_GOAL_ID].tag != MMR_V_TEXT) {
            int len = snprintf(id, sizeof id, "g%zu", i + 1);
            row[MMR_GLF_GOAL_ID] = mmr_v_text(mmr_text_new(a, id, (size_t)len));
        }
    }
    row[0] = mmr_v_text(mmr_text_new(a, "test", 4));
    return 0;
}

/* A test's budgets or goals into the calc. */
static int test_rows(mmr_sigcalc *calc, int src, const mmr_test_txn *recs, size_t n, mmr_arena *a,
                     mmr_buf *msg, const mmr_loc **where)
{
    size_t nf = mmr_sources[src].nfields;
    mmr_value *rows = mmr_arena_alloc(a, (n ? n : 1) * nf * sizeof *rows);
    if (!rows) { mmr_buf_printf(msg, "out of memory"); return -1; }
    for (size_t i = 0; i < n; i++)
        if (test_row(src, &recs[i], i, &rows[i * nf], a, msg, where)) return -1;
    if (mmr_sigcalc_rows(calc, src, rows, n)) { mmr_buf_printf(msg, "out of memory"); return -1; }
    return 0;
}

static int given(const mmr_test *t, const char *name)
{
    for (size_t i = 0; i < t->ngiven; i++) if (!strcmp(t->given[i].name, name)) return 1;
    return 0;
}

static json_t *num_json(double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0) return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *value_json(const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_NUM: return num_json(v->u.num);
    case MMR_V_BOOL: return json_boolean(v->u.i);
    case MMR_V_TEXT: return json_stringn(v->u.text->bytes, v->u.text->len);
    case MMR_V_MAP: {
        json_t *o = json_object();
        for (uint32_t i = 0; i < v->u.map->n; i++) {
            char *k = strndup(v->u.map->keys[i]->bytes, v->u.map->keys[i]->len);
            if (k) json_object_set_new(o, k, num_json(v->u.map->vals[i]));
            free(k);
        }
        return o;
    }
    default: return json_null();
    }
}

static const char *window_words(const mmr_derived *x, char *buf, size_t n)
{
    if (!x || x->expr) return "";
    snprintf(buf, n, "%s %s", x->win_word ? x->win_word : "", x->win_arg ? x->win_arg : "");
    return buf;
}

int mmr_testsig_fill(const mmr_unit *u, const mmr_program *p, mmr_sigcalc *calc,
                     const mmr_sigplan *plan, const mmr_test *t, int64_t now,
                     const char *user_tz, mmr_value *regs, mmr_arena *a,
                     json_t **explain, mmr_buf *msg, const mmr_loc **where)
{
    *explain = NULL;
    *where = &t->txns_loc;
    if (mmr_sigplan_count(plan) == 0) {
        mmr_buf_printf(msg, "this test gives transactions, budgets or goals, but the ruleset derives no signal from them");
        return -1;
    }
    mmr_txn *tx = mmr_arena_calloc(a, (t->ntxns ? t->ntxns : 1) * sizeof *tx);
    mmr_value *out = mmr_arena_calloc(a, (u->nsignals ? u->nsignals : 1) * sizeof *out);
    if (!tx || !out) { mmr_buf_printf(msg, "out of memory"); return -1; }
    for (size_t i = 0; i < t->ntxns; i++)
        if (test_txn(&t->txns[i], i, &tx[i], a, msg, where)) return -1;
    for (size_t i = 0; i < u->nsignals; i++) out[i] = mmr_v_missing();
    /* the as-of day: the local date of `at` in the user's zone */
    const char *zone = user_tz ? user_tz : mmr_sigplan_timezone(plan);
    mmr_tz_cache *tzc = mmr_tz_cache_new(NULL);
    const char *why = NULL;
    int32_t off = 0;
    if (!tzc || mmr_tz_offset(tzc, zone, now, &off, &why)) {
        mmr_buf_printf(msg, "time zone \"%s\": %s", zone, why ? why : "out of memory");
        if (tzc) mmr_tz_cache_free(tzc);
        *where = &t->loc;
        return -1;
    }
    mmr_tz_cache_free(tzc);
    int64_t day = mmr_time_day(now + off);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_sigcalc_begin(calc, day);
    if (mmr_sigcalc_add(calc, tx, t->ntxns, zone, INT64_MIN, INT64_MAX, &d)) {
        mmr_buf_printf(msg, "%s", d.n ? d.v[0].message : "the signals failed");
        mmr_diags_free(&d);
        *where = &t->loc;
        return -1;
    }
    mmr_diags_free(&d);
    if ((t->has_budgets && test_rows(calc, MMR_SRC_BUDGET, t->budgets, t->nbudgets, a, msg, where)) ||
        (t->has_goals && test_rows(calc, MMR_SRC_GOAL, t->goals, t->ngoals, a, msg, where)))
        return -1;
    mmr_sigcalc_finish(calc, NULL, out, a);
    /* what the test gives wins, and computed signals see it */
    unsigned char *fixed = mmr_arena_calloc(a, u->nsignals ? u->nsignals : 1);
    if (!fixed) { mmr_buf_printf(msg, "out of memory"); return -1; }
    for (size_t k = 0; k < mmr_sigplan_count(plan); k++) {
        size_t s = mmr_sigplan_signal(plan, k);
        int slot = mmr_program_find_slot(p, u->signals[s]->name);
        if (slot >= 0 && given(t, u->signals[s]->name)) { out[s] = regs[slot]; fixed[s] = 1; }
    }
    mmr_sigplan_recompute(plan, NULL, out, fixed, a);
    json_t *ex = json_array();
    char db[MMR_TIME_BUF], de[MMR_TIME_BUF], wb[64];
    for (size_t k = 0; k < mmr_sigplan_count(plan); k++) {
        size_t s = mmr_sigplan_signal(plan, k);
        const mmr_var_decl *v = u->signals[s];
        int slot = mmr_program_find_slot(p, v->name);
        int gave = given(t, v->name);
        if (slot >= 0 && !gave) regs[slot] = out[s];
        json_t *o = json_object();
        json_object_set_new(o, "signal", json_string(v->name));
        json_object_set_new(o, "value", value_json(&out[s]));
        if (gave) json_object_set_new(o, "given", json_true());
        int64_t lo, hi;
        uint64_t rows;
        if (!mmr_sigcalc_window(calc, s, &lo, &hi, &rows)) {
            mmr_date_format(lo * 86400, db);
            mmr_date_format(hi * 86400, de);
            char w[160];
            snprintf(w, sizeof w, "%s: %s .. %s %s", window_words(v->def, wb, sizeof wb), db, de, zone);
            json_object_set_new(o, "window", json_string(w));
            json_object_set_new(o, "rows", json_integer((json_int_t)rows));
        }
        json_array_append_new(ex, o);
    }
    *explain = ex;
    return 0;
}

void mmr_testsig_render(mmr_buf *out, const json_t *explain, int indent)
{
    size_t i;
    json_t *x;
    json_array_foreach(explain, i, x) {
        mmr_buf_printf(out, "%*s%s = ", indent, "", json_string_value(json_object_get(x, "signal")));
        json_t *v = json_object_get(x, "value");
        if (json_is_null(v)) mmr_buf_puts(out, "missing");
        else {
            char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
            mmr_buf_puts(out, s ? s : "?");
            free(s);
        }
        json_t *w = json_object_get(x, "window");
        if (json_is_true(json_object_get(x, "given"))) mmr_buf_puts(out, " (given by the test)");
        else if (w) {
            long long rows = (long long)json_integer_value(json_object_get(x, "rows"));
            mmr_buf_printf(out, " (%s, %lld transaction%s)", json_string_value(w), rows, rows == 1 ? "" : "s");
        }
        mmr_buf_putc(out, '\n');
    }
}
