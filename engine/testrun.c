/* The `mmr test` runner. See engine/testrun.h and docs/testing.md.
 *
 * Per test: inputs from the `given`/`traits` literals (everything else
 * missing), the fast code for the candidates, mmr_decide for the
 * decisions (the engine's own function), then the traced code for the
 * explain trace and coverage. The two runs must agree on the candidates;
 * a disagreement is reported as a failure of the test (a VM/codegen bug).
 *
 * (Past ~800 lines: running, rendering and coverage share the per-test
 * JSON records; tests with transactions live in signals/testsig.c.)
 */
#include "engine/testrun.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "compiler/compile.h"
#include "engine/decide.h"
#include "engine/tz.h"
#include "signals/testsig.h"
#include "util/timeutil.h"
#include "vm/vm.h"

void mmr_testrun_init(mmr_testrun *r)
{
    memset(r, 0, sizeof *r);
}

void mmr_testrun_free(mmr_testrun *r)
{
    if (r->tests) json_decref(r->tests);
    if (r->filtered) json_decref(r->filtered);
    free(r->seconds);
    free(r->cond_seen);
    free(r->cond_hits);
    free(r->rule_fired);
    free(r->rule_delivered);
    if (r->prog) mmr_program_free(r->prog);
    if (r->unit) mmr_unit_free(r->unit);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ helpers */

/* A string in .mmr syntax: quotes, \" \\ \n \t escaped, other control
 * characters as \u{XX}; UTF-8 kept as is. */
static void quote(mmr_buf *b, const char *s, size_t n)
{
    mmr_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') mmr_buf_puts(b, "\\\"");
        else if (c == '\\') mmr_buf_puts(b, "\\\\");
        else if (c == '\n') mmr_buf_puts(b, "\\n");
        else if (c == '\t') mmr_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7f) mmr_buf_printf(b, "\\u{%X}", c);
        else mmr_buf_putc(b, (char)c);
    }
    mmr_buf_putc(b, '"');
}

/* A file path as a JSON string: a path is bytes, so any that are not
 * UTF-8 become U+FFFD (json_string would refuse the whole path). */
static json_t *path_json(const char *path)
{
    json_t *j = json_string(path ? path : "");
    if (j) return j;
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_utf8(&b, path, strlen(path));
    j = json_stringn(b.data ? b.data : "", b.len);
    mmr_buf_free(&b);
    return j;
}

static json_t *num_json(double v)
{
    if (!isfinite(v)) return json_null();
    if (v == floor(v) && fabs(v) < 9007199254740992.0) return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *value_json(const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_NUM: return num_json(v->u.num);
    case MMR_V_BOOL: return json_boolean(v->u.i);
    case MMR_V_TEXT: return v->u.text ? json_stringn(v->u.text->bytes, v->u.text->len) : json_null();
    case MMR_V_LIST: {
        json_t *a = json_array();
        for (uint32_t i = 0; v->u.list && i < v->u.list->n; i++)
            json_array_append_new(a, value_json(&v->u.list->items[i]));
        return a;
    }
    case MMR_V_MAP: {
        json_t *o = json_object();
        const mmr_map *m = v->u.map;
        for (uint32_t i = 0; m && i < m->n; i++) {
            char *k = strndup(m->keys[i]->bytes, m->keys[i]->len);
            if (k) json_object_set_new(o, k, num_json(m->vals[i]));
            free(k);
        }
        return o;
    }
    case MMR_V_ITER: return json_string("<cursor>");
    default: return json_null();
    }
}

/* A JSON value as the text output shows it: missing, 4, 0.35, "Goa". */
static void show_json(mmr_buf *b, const json_t *j)
{
    size_t i;
    const char *k;
    json_t *x;
    switch (json_typeof(j)) {
    case JSON_NULL: mmr_buf_puts(b, "missing"); break;
    case JSON_TRUE: mmr_buf_puts(b, "true"); break;
    case JSON_FALSE: mmr_buf_puts(b, "false"); break;
    case JSON_INTEGER: mmr_buf_printf(b, "%lld", (long long)json_integer_value(j)); break;
    case JSON_REAL: mmr_buf_number(b, json_real_value(j)); break;
    case JSON_STRING: quote(b, json_string_value(j), json_string_length(j)); break;
    case JSON_ARRAY:
        mmr_buf_putc(b, '[');
        json_array_foreach(j, i, x) {
            if (i) mmr_buf_puts(b, ", ");
            show_json(b, x);
        }
        mmr_buf_putc(b, ']');
        break;
    case JSON_OBJECT: {
        int first = 1;
        mmr_buf_putc(b, '{');
        json_object_foreach((json_t *)j, k, x) {
            if (!first) mmr_buf_puts(b, ", ");
            first = 0;
            quote(b, k, strlen(k));
            mmr_buf_puts(b, ": ");
            show_json(b, x);
        }
        mmr_buf_putc(b, '}');
        break;
    }
    }
}

static const char *truth_name(int t) { return t > 0 ? "true" : t == 0 ? "false" : "unknown"; }

static const char *part_name(uint8_t part)
{
    switch (part) {
    case MMR_COND_WHEN_LEAF: case MMR_COND_WHEN_ALL: return "when";
    case MMR_COND_AUDIENCE_LEAF: case MMR_COND_AUDIENCE_ALL: return "audience";
    default: return "let";
    }
}

static int part_is_all(uint8_t part)
{
    return part == MMR_COND_WHEN_ALL || part == MMR_COND_AUDIENCE_ALL || part == MMR_COND_LET_ALL;
}

/* ------------------------------------------------------- test inputs */

typedef struct kv { const mmr_text *k; double v; } kv;

static int kv_cmp(const void *x, const void *y)
{
    return mmr_text_cmp(((const kv *)x)->k, ((const kv *)y)->k);
}

/* Evaluate a literal expression of a given/traits block. 0, or -1 with
 * *why when it is not a literal this runner understands. */
static int literal(mmr_arena *a, const mmr_expr *e, mmr_value *out, const char **why)
{
    switch (e->kind) {
    case MMR_E_NUMBER: *out = mmr_v_num(e->num); return 0;
    case MMR_E_BOOL: *out = mmr_v_bool(e->boolean); return 0;
    case MMR_E_MISSING: *out = mmr_v_missing(); return 0;
    case MMR_E_TEXT: {
        const mmr_text *t = mmr_text_new(a, e->text ? e->text : "", e->text ? e->text_len : 0);
        if (!t) { *why = "out of memory"; return -1; }
        *out = mmr_v_text(t);
        return 0;
    }
    case MMR_E_UNARY:
        if (e->op == MMR_OP_NEG && e->lhs) {
            mmr_value v;
            if (literal(a, e->lhs, &v, why) < 0) return -1;
            if (v.tag != MMR_V_NUM) { *why = "only a number can be negated"; return -1; }
            *out = mmr_v_num(-v.u.num);
            return 0;
        }
        break;
    case MMR_E_LIST: {
        mmr_value *items = mmr_arena_calloc(a, (e->nitems ? e->nitems : 1) * sizeof *items);
        mmr_list *l = mmr_arena_calloc(a, sizeof *l);
        if (!items || !l) { *why = "out of memory"; return -1; }
        for (size_t i = 0; i < e->nitems; i++)
            if (literal(a, e->items[i], &items[i], why) < 0) return -1;
        l->n = (uint32_t)e->nitems;
        l->items = items;
        *out = mmr_v_list(l);
        return 0;
    }
    case MMR_E_MAP: {
        kv *pairs = mmr_arena_calloc(a, (e->nitems ? e->nitems : 1) * sizeof *pairs);
        mmr_map *m = mmr_arena_calloc(a, sizeof *m);
        const mmr_text **keys = mmr_arena_calloc(a, (e->nitems ? e->nitems : 1) * sizeof *keys);
        double *vals = mmr_arena_calloc(a, (e->nitems ? e->nitems : 1) * sizeof *vals);
        if (!pairs || !m || !keys || !vals) { *why = "out of memory"; return -1; }
        for (size_t i = 0; i < e->nitems; i++) {
            mmr_value kvv, vv;
            if (literal(a, e->keys[i], &kvv, why) < 0) return -1;
            if (literal(a, e->items[i], &vv, why) < 0) return -1;
            if (kvv.tag != MMR_V_TEXT) { *why = "map keys must be text"; return -1; }
            if (vv.tag != MMR_V_NUM && vv.tag != MMR_V_MISSING) { *why = "map values must be numbers"; return -1; }
            pairs[i].k = kvv.u.text;
            pairs[i].v = vv.tag == MMR_V_NUM ? vv.u.num : NAN;
        }
        /* sorted, unique keys (a repeated key keeps its last value) */
        size_t n = e->nitems, w = 0;
        /* stable: insertion sort so the last duplicate wins */
        for (size_t i = 1; i < n; i++) {
            kv x = pairs[i];
            size_t j = i;
            while (j > 0 && kv_cmp(&pairs[j - 1], &x) > 0) { pairs[j] = pairs[j - 1]; j--; }
            pairs[j] = x;
        }
        for (size_t i = 0; i < n; i++) {
            if (w > 0 && kv_cmp(&pairs[w - 1], &pairs[i]) == 0) { pairs[w - 1] = pairs[i]; continue; }
            pairs[w++] = pairs[i];
        }
        for (size_t i = 0; i < w; i++) { keys[i] = pairs[i].k; vals[i] = pairs[i].v; }
        m->n = (uint32_t)w;
        m->keys = (const mmr_text *const *)keys;
        m->vals = vals;
        *out = mmr_v_map(m);
        return 0;
    }
    default:
        break;
    }
    if (e->is_const) {
        switch (e->type) {
        case MMR_T_NUMBER: *out = mmr_v_num(e->num); return 0;
        case MMR_T_BOOL: *out = mmr_v_bool(e->boolean); return 0;
        case MMR_T_TEXT: {
            const mmr_text *t = mmr_text_new(a, e->text ? e->text : "", e->text ? e->text_len : 0);
            if (!t) { *why = "out of memory"; return -1; }
            *out = mmr_v_text(t);
            return 0;
        }
        default: break;
        }
    }
    *why = "a test value must be a literal (number, text, bool, list, map or missing)";
    return -1;
}

static int type_fits(uint8_t type, const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_MISSING: return 1;
    case MMR_V_NUM: return type == MMR_T_NUMBER;
    case MMR_V_BOOL: return type == MMR_T_BOOL;
    case MMR_V_TEXT: return type == MMR_T_TEXT;
    case MMR_V_LIST:
        if (type == MMR_T_LIST_TEXT || type == MMR_T_LIST_NUMBER) {
            for (uint32_t i = 0; i < v->u.list->n; i++) {
                uint8_t tag = v->u.list->items[i].tag;
                if (tag != (type == MMR_T_LIST_TEXT ? MMR_V_TEXT : MMR_V_NUM)) return 0;
            }
            return 1;
        }
        return 0;
    case MMR_V_MAP: return type == MMR_T_MAP_NUMBER;
    default: return 0;
    }
}

/* ------------------------------------------------------- one test */

typedef struct run_ctx {
    mmr_testrun *r;
    mmr_vm vm;
    mmr_tz_cache *tzc;
    mmr_decide_result dec;
    mmr_arena arena;             /* per test */
    mmr_buf msg;
    mmr_sigplan *plan;           /* derived signals, for tests with transactions */
    mmr_sigcalc *calc;
} run_ctx;

static json_t *add_failure(json_t *fails, const mmr_loc *loc, const char *msg)
{
    json_t *f = json_object();
    json_object_set_new(f, "file", path_json(loc->file));
    json_object_set_new(f, "line", json_integer(loc->line));
    json_object_set_new(f, "message", json_string(msg));
    json_array_append_new(fails, f);
    return f;
}

static const char *rule_name(const mmr_program *p, uint32_t i) { return p->rules[i].name; }

/* RULE, or RULE["KEY"] for one key of a per-key rule, as tests write it. */
static void put_ref(mmr_buf *b, const char *rule, const char *key, size_t key_len)
{
    mmr_buf_puts(b, rule);
    if (!key) return;
    mmr_buf_putc(b, '[');
    quote(b, key, key_len);
    mmr_buf_putc(b, ']');
}

static void put_decision(mmr_buf *b, const mmr_program *p, const mmr_decision *dd)
{
    put_ref(b, rule_name(p, dd->rule), dd->key ? dd->key->bytes : NULL, dd->key ? dd->key->len : 0);
}

/* Does decision dd answer to `rule` (any key of it) or `rule["key"]`? */
static int names(const mmr_program *p, const mmr_decision *dd, const char *rule, const char *key)
{
    if (strcmp(rule_name(p, dd->rule), rule) != 0) return 0;
    if (!key) return 1;
    return dd->key && dd->key->len == strlen(key) && memcmp(dd->key->bytes, key, dd->key->len) == 0;
}

/* The delivered decisions as text: "no nudge", "nudge X", "nudges X, Y". */
static void got_nudges(mmr_buf *b, const mmr_program *p, const mmr_decide_result *d)
{
    if (d->ndelivered == 0) { mmr_buf_puts(b, "no nudge"); return; }
    mmr_buf_puts(b, d->ndelivered == 1 ? "nudge " : "nudges ");
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].delivered) {
            if (k++) mmr_buf_puts(b, ", ");
            put_decision(b, p, &d->v[i]);
        }
}

/* The first decision (in priority order) that `rule` or `rule["key"]`
 * names and that has the wanted status (-1: any; else 0 delivered,
 * 1 suppressed for reason, 2 deferred until at); else the first it names
 * at all, else NULL. A bare name of a per-key rule names any of its keys. */
static const mmr_decision *find_decision_as(const mmr_program *p, const mmr_decide_result *d, const char *rule,
                                            const char *key, int want, int reason, int64_t at, int *found)
{
    const mmr_decision *first = NULL;
    *found = 0;
    for (size_t i = 0; i < d->n; i++) {
        const mmr_decision *dd = &d->v[i];
        if (!names(p, dd, rule, key)) continue;
        if (!first) first = dd;
        int ok = want == 0 ? dd->delivered :
                 want == 1 ? (!dd->delivered && !dd->deferred && (int)dd->reason == reason) :
                 want == 2 ? (dd->deferred && dd->deliver_at == at) : 1;
        if (ok) { *found = 1; return dd; }
    }
    return first;
}

static const mmr_decision *find_decision(const mmr_program *p, const mmr_decide_result *d, const char *rule,
                                         const char *key)
{
    int found;
    return find_decision_as(p, d, rule, key, -1, 0, 0, &found);
}

static int has_substr(const char *hay, const char *needle, size_t nlen)
{
    size_t hlen = strlen(hay);
    if (nlen == 0) return 1;
    for (size_t i = 0; i + nlen <= hlen; i++)
        if (memcmp(hay + i, needle, nlen) == 0) return 1;
    return 0;
}

static void check_expect(run_ctx *c, const mmr_expect *x, json_t *fails)
{
    const mmr_program *p = c->r->prog;
    const mmr_decide_result *d = &c->dec;
    mmr_buf *m = &c->msg;
    mmr_buf_clear(m);
    switch (x->kind) {
    case MMR_X_NUDGE: {
        int found;
        find_decision_as(p, d, x->rule, x->key, 0, 0, 0, &found);
        if (found) return;
        mmr_buf_puts(m, "expected nudge ");
        put_ref(m, x->rule, x->key, x->key ? strlen(x->key) : 0);
        mmr_buf_puts(m, ", got ");
        got_nudges(m, p, d);
        break;
    }
    case MMR_X_NO_NUDGE:
        if (d->ndelivered == 0) return;
        mmr_buf_puts(m, "expected no nudge, got ");
        got_nudges(m, p, d);
        break;
    case MMR_X_CANDIDATES: {
        /* a set: each name has a candidate, each candidate a name (a bare
         * name of a per-key rule stands for one or more of its keys) */
        int ok = 1;
        for (size_t i = 0; i < x->nrules && ok; i++)
            if (!find_decision(p, d, x->rules[i], x->rule_keys ? x->rule_keys[i] : NULL)) ok = 0;
        for (size_t i = 0; i < d->n && ok; i++) {
            int found = 0;
            for (size_t j = 0; j < x->nrules; j++)
                if (names(p, &d->v[i], x->rules[j], x->rule_keys ? x->rule_keys[j] : NULL)) found = 1;
            if (!found) ok = 0;
        }
        if (ok) return;
        mmr_buf_puts(m, "expected candidates [");
        for (size_t i = 0; i < x->nrules; i++) {
            if (i) mmr_buf_puts(m, ", ");
            const char *k = x->rule_keys ? x->rule_keys[i] : NULL;
            put_ref(m, x->rules[i], k, k ? strlen(k) : 0);
        }
        mmr_buf_puts(m, "], got [");
        for (size_t i = 0; i < d->n; i++) {
            if (i) mmr_buf_puts(m, ", ");
            put_decision(m, p, &d->v[i]);
        }
        mmr_buf_putc(m, ']');
        break;
    }
    case MMR_X_SUPPRESSED: {
        int want = mmr_reason_from_name(x->reason), found;
        /* a deferred candidate is not suppressed: expect deferred */
        const mmr_decision *dd = find_decision_as(p, d, x->rule, x->key, 1, want, 0, &found);
        if (want >= 0 && found) return;
        mmr_buf_puts(m, "expected suppressed ");
        put_ref(m, x->rule, x->key, x->key ? strlen(x->key) : 0);
        mmr_buf_printf(m, " because %s, got ", x->reason ? x->reason : "?");
        if (want < 0) mmr_buf_printf(m, "an unknown reason \"%s\"", x->reason ? x->reason : "");
        else if (!dd) { put_ref(m, x->rule, x->key, x->key ? strlen(x->key) : 0); mmr_buf_puts(m, " not a candidate"); }
        else if (dd->delivered) { mmr_buf_puts(m, "nudge "); put_decision(m, p, dd); }
        else if (dd->deferred) {
            char at[MMR_TIME_BUF];
            mmr_buf_puts(m, "deferred ");
            put_decision(m, p, dd);
            mmr_buf_printf(m, " until \"%s\"", mmr_time_format(dd->deliver_at, at));
        }
        else { mmr_buf_puts(m, "suppressed "); put_decision(m, p, dd); mmr_buf_printf(m, " because %s", mmr_reason_name(dd->reason)); }
        break;
    }
    case MMR_X_DEFERRED: {
        int64_t want = 0;
        int bad = !x->text || mmr_time_parse(x->text, x->text_len, &want, NULL), found;
        const mmr_decision *dd = find_decision_as(p, d, x->rule, x->key, 2, 0, want, &found);
        if (!bad && found) return;
        char at[MMR_TIME_BUF];
        mmr_buf_puts(m, "expected deferred ");
        put_ref(m, x->rule, x->key, x->key ? strlen(x->key) : 0);
        mmr_buf_printf(m, " until \"%s\", got ", x->text ? x->text : "");
        if (bad) mmr_buf_puts(m, "a time that does not parse");
        else if (!dd) { put_ref(m, x->rule, x->key, x->key ? strlen(x->key) : 0); mmr_buf_puts(m, " not a candidate"); }
        else if (dd->delivered) { mmr_buf_puts(m, "nudge "); put_decision(m, p, dd); }
        else if (dd->deferred) {
            mmr_buf_puts(m, "deferred ");
            put_decision(m, p, dd);
            mmr_buf_printf(m, " until \"%s\"", mmr_time_format(dd->deliver_at, at));
        }
        else { mmr_buf_puts(m, "suppressed "); put_decision(m, p, dd); mmr_buf_printf(m, " because %s", mmr_reason_name(dd->reason)); }
        break;
    }
    case MMR_X_TITLE_CONTAINS: case MMR_X_BODY_CONTAINS:
    case MMR_X_TITLE_EQ: case MMR_X_BODY_EQ: {
        int is_title = x->kind == MMR_X_TITLE_CONTAINS || x->kind == MMR_X_TITLE_EQ;
        int is_eq = x->kind == MMR_X_TITLE_EQ || x->kind == MMR_X_BODY_EQ;
        const char *what = is_title ? "title" : "body";
        const char *xt = x->text ? x->text : "";
        size_t xl = x->text ? x->text_len : 0;
        const mmr_decision *dd = d->delivered_first >= 0 ? &d->v[d->delivered_first] : NULL;
        const char *got = dd ? (is_title ? dd->title : dd->body) : NULL;
        if (got) {
            if (is_eq ? (strlen(got) == xl && memcmp(got, xt, xl) == 0) : has_substr(got, xt, xl)) return;
        }
        mmr_buf_printf(m, "expected %s %s ", what, is_eq ? "==" : "contains");
        quote(m, xt, xl);
        mmr_buf_puts(m, ", got ");
        if (!got) mmr_buf_puts(m, "no nudge");
        else { mmr_buf_printf(m, "%s ", what); quote(m, got, strlen(got)); }
        break;
    }
    }
    json_t *f = add_failure(fails, &x->loc, m->data ? m->data : "");
    /* the rules this expectation names: the text output explains them */
    json_t *named = json_array();
    if (x->rule) json_array_append_new(named, json_string(x->rule));
    for (size_t i = 0; i < x->nrules; i++) json_array_append_new(named, json_string(x->rules[i]));
    json_object_set_new(f, "rules", named);
}

static int set_inputs(run_ctx *c, const mmr_test *t, json_t *fails, const char **user_tz)
{
    const mmr_program *p = c->r->prog;
    int ok = 1;
    for (int pass = 0; pass < 2; pass++) {
        const mmr_binding *bs = pass ? t->traits : t->given;
        size_t nb = pass ? t->ntraits : t->ngiven;
        for (size_t i = 0; i < nb; i++) {
            const mmr_binding *b = &bs[i];
            mmr_buf_clear(&c->msg);
            int slot = mmr_program_find_slot(p, b->name);
            if (slot < 0 || p->slots[slot].is_trait != (uint8_t)pass) {
                /* The checker reports this too; a slot unused by any rule
                 * may also be compiled away, which is harmless. */
                if (slot < 0) continue;
                mmr_buf_printf(&c->msg, "\"%s\" is a %s; set it in %s { }", b->name,
                               pass ? "signal" : "trait", pass ? "given" : "traits");
                add_failure(fails, &b->loc, c->msg.data);
                ok = 0;
                continue;
            }
            mmr_value v;
            const char *why = NULL;
            if (!b->expr || literal(&c->arena, b->expr, &v, &why) < 0) {
                mmr_buf_printf(&c->msg, "%s: %s", b->name, why ? why : "no value");
                add_failure(fails, &b->loc, c->msg.data);
                ok = 0;
                continue;
            }
            if (!type_fits(p->slots[slot].type, &v)) {
                mmr_buf_printf(&c->msg, "%s is a %s; this value does not fit", b->name,
                               mmr_type_name((mmr_type)p->slots[slot].type));
                add_failure(fails, &b->loc, c->msg.data);
                ok = 0;
                continue;
            }
            c->vm.regs[slot] = v;
            if (pass && strcmp(b->name, "tz") == 0 && v.tag == MMR_V_TEXT) *user_tz = v.u.text->bytes;
        }
    }
    return ok;
}

static json_t *decisions_json(const mmr_program *p, const mmr_decide_result *d)
{
    json_t *a = json_array();
    for (size_t i = 0; i < d->n; i++) {
        const mmr_decision *x = &d->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "rule", json_string(rule_name(p, x->rule)));
        if (x->key) json_object_set_new(o, "key", json_stringn(x->key->bytes, x->key->len));
        json_object_set_new(o, "priority", json_integer(p->rules[x->rule].priority));
        json_object_set_new(o, "status", json_string(x->delivered ? "delivered" : x->deferred ? "deferred" : "suppressed"));
        json_object_set_new(o, "reason", x->delivered || x->deferred ? json_null() : json_string(mmr_reason_name(x->reason)));
        if (x->deferred) {
            char at[MMR_TIME_BUF];
            json_object_set_new(o, "deliver_at", json_string(mmr_time_format(x->deliver_at, at)));
        }
        json_object_set_new(o, "category", x->category ? json_string(x->category) : json_null());
        json_object_set_new(o, "title", x->title ? json_string(x->title) : json_null());
        json_object_set_new(o, "body", x->body ? json_string(x->body) : json_null());
        if (x->missing) json_object_set_new(o, "missing", json_string(x->missing));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *trace_json(const mmr_program *p, const mmr_vm *vm)
{
    json_t *a = json_array();
    for (size_t i = 0; i < vm->ntrace; i++) {
        const mmr_trace_rec *tr = &vm->trace[i];
        if (tr->cond >= p->nconds) continue;
        const mmr_prog_cond *pc = &p->conds[tr->cond];
        if (MMR_COND_IS_DETAIL(pc->part)) continue;     /* `mmr eval --explain` shows those */
        json_t *o = json_object();
        json_object_set_new(o, "cond", json_integer(tr->cond));
        if (pc->rule == UINT32_MAX || pc->rule >= p->nrules)
            json_object_set_new(o, "let", json_string(pc->let < p->nlets ? p->let_names[pc->let] : "?"));
        else
            json_object_set_new(o, "rule", json_string(p->rules[pc->rule].name));
        json_object_set_new(o, "part", json_string(part_name(pc->part)));
        json_object_set_new(o, "whole", json_boolean(part_is_all(pc->part)));
        json_object_set_new(o, "text", json_string(pc->text ? pc->text : ""));
        json_object_set_new(o, "line", json_integer(pc->line));
        json_object_set_new(o, "truth", json_string(truth_name(tr->truth)));
        if (pc->part == MMR_COND_LET_ALL && tr->nops == 1) {   /* a let holding a number */
            json_object_set_new(o, "value", value_json(&tr->value));
            json_object_set_new(o, "operands", json_array());
            json_array_append_new(a, o);
            continue;
        }
        json_t *ops = json_array();
        for (unsigned k = 0; k < tr->nops && k < 3; k++) json_array_append_new(ops, value_json(&tr->ops[k]));
        json_object_set_new(o, "operands", ops);
        json_array_append_new(a, o);
    }
    return a;
}

static int run_one(run_ctx *c, const mmr_test *t)
{
    mmr_testrun *r = c->r;
    const mmr_program *p = r->prog;
    json_t *o = json_object(), *fails = json_array();
    if (!o || !fails) { json_decref(o); json_decref(fails); return -1; }
    mmr_arena_reset(&c->arena);
    char tbuf[MMR_TIME_BUF];

    int64_t now = MMR_TEST_DEFAULT_AT;
    int ok = 1;
    if (t->at) {
        const char *why = NULL;
        if (mmr_time_parse(t->at, strlen(t->at), &now, &why) < 0) {
            mmr_buf_clear(&c->msg);
            mmr_buf_printf(&c->msg, "bad `at` time \"%s\": %s", t->at, why);
            add_failure(fails, t->at_loc.line ? &t->at_loc : &t->loc, c->msg.data);
            ok = 0;
        }
    }
    mmr_vm_clear_inputs(&c->vm);
    const char *user_tz = NULL;
    if (!set_inputs(c, t, fails, &user_tz)) ok = 0;
    json_t *derived = NULL;
    if (ok && (t->has_txns || t->has_budgets || t->has_goals)) {
        const mmr_loc *where = &t->loc;
        mmr_buf_clear(&c->msg);
        if (!c->plan) {
            c->plan = mmr_sigplan_new(r->unit);
            c->calc = c->plan ? mmr_sigcalc_new(c->plan, NULL) : NULL;
        }
        if (!c->calc) { json_decref(o); json_decref(fails); return -1; }
        if (mmr_testsig_fill(r->unit, p, c->calc, c->plan, t, now, user_tz, c->vm.regs, &c->arena,
                             &derived, &c->msg, &where)) {
            add_failure(fails, where, c->msg.data);
            ok = 0;
        }
    }

    json_object_set_new(o, "name", json_string(t->name ? t->name : ""));
    json_object_set_new(o, "file", path_json(t->loc.file));
    json_object_set_new(o, "line", json_integer(t->loc.line));
    json_object_set_new(o, "at", json_string(mmr_time_format(now, tbuf)));
    if (derived) json_object_set_new(o, "signals", derived);

    if (ok) {
        /* fast code: the candidates, then the decision */
        if (mmr_vm_run(&c->vm, 0) < 0) {
            mmr_buf_clear(&c->msg);
            mmr_buf_printf(&c->msg, "the VM failed: %s", c->vm.error);
            add_failure(fails, &t->loc, c->msg.data);
            ok = 0;
        }
    }
    if (ok) {
        mmr_delivery *hist = mmr_arena_calloc(&c->arena, (t->nhistory ? t->nhistory : 1) * sizeof *hist);
        if (!hist) { json_decref(o); json_decref(fails); return -1; }
        for (size_t i = 0; i < t->nhistory; i++) {
            hist[i].rule = mmr_program_find_rule(p, t->history[i].rule);
            hist[i].rule_name = t->history[i].rule;
            hist[i].key = t->history[i].key;
            /* now - ago, saturated: `at` may be year 1 and `ago` near
             * INT64_MAX seconds (both are valid input) */
            int64_t ago = t->history[i].ago_s;
            hist[i].delivered_at = (ago > 0 && now < INT64_MIN + ago) ? INT64_MIN : now - ago;
        }
        mmr_decide_input in;
        memset(&in, 0, sizeof in);
        in.prog = p;
        in.cands = c->vm.cands;
        in.ncands = c->vm.ncands;
        in.history = hist;
        in.nhistory = t->nhistory;
        in.muted = t->muted;
        in.nmuted = t->nmuted;
        in.now = now;
        in.tz = user_tz;
        in.tzc = c->tzc;
        if (mmr_decide(&in, &c->dec) < 0) {
            mmr_buf_clear(&c->msg);
            mmr_buf_printf(&c->msg, "the decision failed: %s", c->dec.note ? c->dec.note : "?");
            add_failure(fails, &t->loc, c->msg.data);
            ok = 0;
        }
    }
    if (ok) {
        const mmr_decide_result *d = &c->dec;
        json_t *cands = json_array();
        for (size_t i = 0; i < d->n; i++) {
            mmr_buf_clear(&c->msg);
            put_decision(&c->msg, p, &d->v[i]);
            json_array_append_new(cands, json_stringn(c->msg.data ? c->msg.data : "", c->msg.len));
            /* per test, not per key: count a rule once */
            int again = 0, delivered = 0;
            for (size_t j = 0; j < d->n; j++) {
                if (d->v[j].rule != d->v[i].rule) continue;
                if (j < i) again = 1;
                if (d->v[j].delivered) delivered = 1;
            }
            if (again) continue;
            r->rule_fired[d->v[i].rule]++;
            if (delivered) r->rule_delivered[d->v[i].rule]++;
        }
        json_object_set_new(o, "candidates", cands);
        json_object_set_new(o, "decisions", decisions_json(p, d));
        json_object_set_new(o, "zone", json_string(d->tz_used ? d->tz_used : "UTC"));
        snprintf(tbuf, sizeof tbuf, "%02d:%02d", d->local_minute / 60, d->local_minute % 60);
        json_object_set_new(o, "local_time", json_string(tbuf));
        if (d->note) json_object_set_new(o, "note", json_string(d->note));

        for (size_t i = 0; i < t->nexpects; i++) check_expect(c, &t->expects[i], fails);

        /* traced code: explain and coverage; must agree with the fast code */
        size_t nfast = c->vm.ncands;
        mmr_candidate *fast = mmr_arena_alloc(&c->arena, (nfast ? nfast : 1) * sizeof *fast);
        if (!fast) { json_decref(o); json_decref(fails); return -1; }
        /* (keys point into the inputs, which the traced run keeps) */
        for (size_t i = 0; i < nfast; i++) fast[i] = c->vm.cands[i];
        if (mmr_vm_run(&c->vm, 1) < 0) {
            mmr_buf_clear(&c->msg);
            mmr_buf_printf(&c->msg, "the VM failed on the traced code: %s", c->vm.error);
            add_failure(fails, &t->loc, c->msg.data);
        } else {
            int same = c->vm.ncands == nfast;
            for (size_t i = 0; same && i < nfast; i++) {
                int found = 0;
                for (size_t j = 0; j < c->vm.ncands; j++)
                    if (c->vm.cands[j].rule == fast[i].rule &&
                        (c->vm.cands[j].key.tag == MMR_V_TEXT) == (fast[i].key.tag == MMR_V_TEXT) &&
                        (fast[i].key.tag != MMR_V_TEXT || mmr_text_eq(c->vm.cands[j].key.u.text, fast[i].key.u.text)))
                        found = 1;
                if (!found) same = 0;
            }
            if (!same)
                add_failure(fails, &t->loc, "internal error: the traced code and the fast code found different candidates");
            for (size_t i = 0; i < c->vm.ntrace; i++) {
                const mmr_trace_rec *tr = &c->vm.trace[i];
                if (tr->cond >= p->nconds) continue;
                int k = tr->truth > 0 ? 0 : tr->truth == 0 ? 1 : 2;
                r->cond_seen[tr->cond] |= (uint8_t)(1u << k);    /* MMR_COV_TRUE, _FALSE, _UNKNOWN */
                r->cond_hits[(size_t)tr->cond * 3 + (size_t)k]++;
            }
            json_object_set_new(o, "trace", trace_json(p, &c->vm));
        }
    }
    int passed = json_array_size(fails) == 0;
    json_object_set_new(o, "passed", json_boolean(passed));
    json_object_set_new(o, "failures", fails);
    json_array_append_new(r->tests, o);
    if (passed) r->passed++; else r->failed++;
    return 0;
}

/* ------------------------------------------------------- the run */

int mmr_testrun_run(const char *const *paths, size_t npaths, const mmr_testrun_opts *o,
                    mmr_testrun *r, mmr_diags *d)
{
    r->unit = mmr_unit_load_opts(paths, npaths, o ? o->load_flags : 0, d);
    if (!r->unit) return -1;
    if (d->errors) return -1;
    mmr_check(r->unit, d);
    if (d->errors) return -1;
    r->prog = mmr_codegen(r->unit, d);
    if (!r->prog || d->errors) return -1;
    const mmr_program *p = r->prog;
    r->tests = json_array();
    r->filtered = json_array();
    r->seconds = calloc(r->unit->ntests ? r->unit->ntests : 1, sizeof *r->seconds);
    r->cond_seen = calloc(p->nconds ? p->nconds : 1, 1);
    r->cond_hits = calloc(p->nconds ? (size_t)p->nconds * 3 : 1, sizeof *r->cond_hits);
    r->rule_fired = calloc(p->nrules ? p->nrules : 1, sizeof *r->rule_fired);
    r->rule_delivered = calloc(p->nrules ? p->nrules : 1, sizeof *r->rule_delivered);
    if (!r->tests || !r->filtered || !r->seconds || !r->cond_seen || !r->cond_hits || !r->rule_fired
        || !r->rule_delivered)
        return -1;

    run_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    if (mmr_vm_init(&c.vm, p) < 0) return -1;
    c.tzc = mmr_tz_cache_new(o ? o->zoneinfo_dir : NULL);
    if (!c.tzc) { mmr_vm_free(&c.vm); return -1; }
    mmr_decide_result_init(&c.dec);
    mmr_arena_init(&c.arena, 4096);
    mmr_buf_init(&c.msg);
    int rc = 0;
    for (size_t i = 0; i < r->unit->ntests && rc == 0; i++) {
        const mmr_test *t = r->unit->tests[i];
        if (o && o->filter && !strstr(t->name ? t->name : "", o->filter)) {
            json_t *f = json_object();
            json_object_set_new(f, "name", json_string(t->name ? t->name : ""));
            json_object_set_new(f, "file", path_json(t->loc.file));
            json_object_set_new(f, "line", json_integer(t->loc.line));
            if (!f || json_array_append_new(r->filtered, f) < 0) { rc = -1; break; }
            r->skipped++;
            continue;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = run_one(&c, t);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        size_t n = json_array_size(r->tests);
        if (rc == 0 && n > 0 && n <= r->unit->ntests)
            r->seconds[n - 1] = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    }
    mmr_buf_free(&c.msg);
    mmr_arena_free(&c.arena);
    mmr_sigcalc_free(c.calc);
    mmr_sigplan_free(c.plan);
    mmr_decide_result_free(&c.dec);
    mmr_tz_cache_free(c.tzc);
    mmr_vm_free(&c.vm);
    return rc;
}

/* ------------------------------------------------------- rendering */

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Should the explain trace show rule `rule`? Lets always; rules when
 * named by a failed expectation or a candidate; all when neither exists. */
static int explain_rule(const json_t *t, const char *rule)
{
    size_t i, k;
    json_t *x, *f, *n;
    int any = 0;
    size_t rl = strlen(rule);
    json_array_foreach(json_object_get(t, "candidates"), i, x) {
        any = 1;
        const char *cn = json_string_value(x);     /* RULE or RULE["KEY"] */
        if (strncmp(cn, rule, rl) == 0 && (cn[rl] == 0 || cn[rl] == '[')) return 1;
    }
    json_array_foreach(json_object_get(t, "failures"), k, f)
        json_array_foreach(json_object_get(f, "rules"), i, n) {
            any = 1;
            if (strcmp(json_string_value(n), rule) == 0) return 1;
        }
    return !any;
}

static void render_context(mmr_buf *out, const json_t *t)
{
    size_t i;
    json_t *x;
    if (json_object_get(t, "zone"))
        mmr_buf_printf(out, "  at %s (%s %s)\n", jstr(t, "at"), jstr(t, "local_time"), jstr(t, "zone"));
    else
        mmr_buf_printf(out, "  at %s\n", jstr(t, "at"));   /* it failed before the decision */
    if (json_object_get(t, "note")) mmr_buf_printf(out, "  note: %s\n", jstr(t, "note"));
    json_t *derived = json_object_get(t, "signals");
    if (json_array_size(derived)) {
        mmr_buf_puts(out, "  signals derived for the test:\n");
        mmr_testsig_render(out, derived, 4);
    }
    json_t *cands = json_object_get(t, "candidates");
    if (!cands) return;
    mmr_buf_puts(out, "  candidates:");
    if (json_array_size(cands) == 0) mmr_buf_puts(out, " none");
    json_array_foreach(cands, i, x) mmr_buf_printf(out, "%s%s", i ? ", " : " ", json_string_value(x));
    mmr_buf_putc(out, '\n');
    json_t *decs = json_object_get(t, "decisions");
    if (json_array_size(decs)) mmr_buf_puts(out, "  decisions:\n");
    json_array_foreach(decs, i, x) {
        mmr_buf_printf(out, "    %s", jstr(x, "rule"));
        if (json_object_get(x, "key")) {
            const char *k = jstr(x, "key");
            mmr_buf_putc(out, '[');
            quote(out, k, strlen(k));
            mmr_buf_putc(out, ']');
        }
        mmr_buf_printf(out, " (priority %lld): ", (long long)json_integer_value(json_object_get(x, "priority")));
        if (strcmp(jstr(x, "status"), "delivered") == 0) {
            mmr_buf_puts(out, "delivered: ");
            const char *ti = jstr(x, "title"), *bo = jstr(x, "body");
            quote(out, ti, strlen(ti));
            mmr_buf_puts(out, " / ");
            quote(out, bo, strlen(bo));
        } else if (strcmp(jstr(x, "status"), "deferred") == 0) {
            mmr_buf_printf(out, "deferred (quiet hours) until %s", jstr(x, "deliver_at"));
        } else {
            mmr_buf_printf(out, "suppressed because %s", jstr(x, "reason"));
            if (json_object_get(x, "missing")) mmr_buf_printf(out, " (%s)", jstr(x, "missing"));
        }
        mmr_buf_putc(out, '\n');
    }
    json_t *trace = json_object_get(t, "trace");
    if (json_array_size(trace)) mmr_buf_puts(out, "  explain:\n");
    json_array_foreach(trace, i, x) {
        if (!json_object_get(x, "let") && !explain_rule(t, jstr(x, "rule"))) continue;
        mmr_buf_puts(out, "    ");
        if (json_object_get(x, "let")) mmr_buf_printf(out, "let %s", jstr(x, "let"));
        else mmr_buf_printf(out, "%s %s", jstr(x, "rule"), jstr(x, "part"));
        if (json_is_true(json_object_get(x, "whole"))) mmr_buf_puts(out, " (all)");
        if (json_object_get(x, "value")) {
            mmr_buf_printf(out, ": %s = ", jstr(x, "text"));
            show_json(out, json_object_get(x, "value"));
            mmr_buf_putc(out, '\n');
            continue;
        }
        mmr_buf_printf(out, ": %s -> %s", jstr(x, "text"), jstr(x, "truth"));
        json_t *ops = json_object_get(x, "operands");
        if (json_array_size(ops)) {
            size_t k;
            json_t *v;
            mmr_buf_puts(out, " [");
            json_array_foreach(ops, k, v) {
                if (k) mmr_buf_puts(out, ", ");
                show_json(out, v);
            }
            mmr_buf_putc(out, ']');
        }
        mmr_buf_putc(out, '\n');
    }
}

void mmr_testrun_render_test_text(const json_t *t, mmr_buf *out)
{
    size_t k;
    json_t *f;
    json_t *fails = json_object_get(t, "failures");
    if (json_array_size(fails) == 0) return;
    json_array_foreach(fails, k, f)
        mmr_buf_printf(out, "%s:%lld: test \"%s\": %s\n", jstr(f, "file"),
                       (long long)json_integer_value(json_object_get(f, "line")),
                       jstr(t, "name"), jstr(f, "message"));
    render_context(out, t);
}

void mmr_testrun_render_text(const mmr_testrun *r, mmr_buf *out)
{
    size_t i;
    json_t *t;
    json_array_foreach(r->tests, i, t) mmr_testrun_render_test_text(t, out);
}

void mmr_testrun_render_summary(const mmr_testrun *r, mmr_buf *out)
{
    mmr_buf_printf(out, "%zu passed, %zu failed\n", r->passed, r->failed);
}

json_t *mmr_testrun_json(const mmr_testrun *r)
{
    json_t *o = json_object(), *tests = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(r->tests, i, t) {
        json_t *c = json_deep_copy(t);
        if (json_is_true(json_object_get(c, "passed"))) json_object_del(c, "trace");
        json_array_append_new(tests, c);
    }
    json_object_set_new(o, "tests", tests);
    json_object_set_new(o, "passed", json_integer((json_int_t)r->passed));
    json_object_set_new(o, "failed", json_integer((json_int_t)r->failed));
    return o;
}

/* ------------------------------------------------------- coverage */

/* Integer percent, rounded down so coverage is never overstated. */
static unsigned pct(size_t a, size_t b) { return b ? (unsigned)(a * 100 / b) : 100; }

int mmr_cov_kind(const mmr_program *p, uint32_t i)
{
    const mmr_prog_cond *c = &p->conds[i];
    if (MMR_COND_IS_DETAIL(c->part)) return 0;
    if (c->part != MMR_COND_LET_ALL) return 1;
    /* a let is a condition when its body has condition leaves (a bool
     * let always has one: compiler/codegen.c) */
    for (uint32_t k = 0; k < p->nconds; k++)
        if (p->conds[k].rule == UINT32_MAX && p->conds[k].let == c->let && p->conds[k].part == MMR_COND_LET_LEAF)
            return 1;
    return 2;
}

static int cond_covered(const mmr_testrun *r, uint32_t i)
{
    uint8_t s = r->cond_seen[i];
    switch (mmr_cov_kind(r->prog, i)) {
    case 0: return 0;
    case 2: return s != 0;                 /* it ran */
    default: return (s & MMR_COV_TRUE) && (s & MMR_COV_FALSE);
    }
}

/* Unknown seen, for a condition (a value let is never true or false) */
static int cond_unknown(const mmr_testrun *r, uint32_t i)
{
    return mmr_cov_kind(r->prog, i) == 1 && (r->cond_seen[i] & MMR_COV_UNKNOWN);
}

static void marks(mmr_buf *b, uint8_t s, int kind)
{
    if (kind == 2) { mmr_buf_puts(b, s ? "ran  " : "-    "); return; }
    mmr_buf_putc(b, (s & MMR_COV_TRUE) ? 'T' : '-');
    mmr_buf_putc(b, ' ');
    mmr_buf_putc(b, (s & MMR_COV_FALSE) ? 'F' : '-');
    mmr_buf_putc(b, ' ');
    mmr_buf_putc(b, (s & MMR_COV_UNKNOWN) ? 'U' : '-');
}

/* Conditions of rule ri (or of let li when ri == UINT32_MAX). */
static int cond_of(const mmr_prog_cond *c, uint32_t ri, uint32_t li)
{
    if (MMR_COND_IS_DETAIL(c->part)) return 0;
    if (ri == UINT32_MAX) return (c->rule == UINT32_MAX) && c->let == li;
    return c->rule == ri;
}

static void group_text(mmr_buf *out, const mmr_testrun *r, uint32_t ri, uint32_t li)
{
    const mmr_program *p = r->prog;
    size_t n = 0, cov = 0;
    for (uint32_t i = 0; i < p->nconds; i++)
        if (cond_of(&p->conds[i], ri, li)) { n++; cov += cond_covered(r, i); }
    if (ri == UINT32_MAX) mmr_buf_printf(out, "let %s", p->let_names[li]);
    else mmr_buf_printf(out, "%s (%s)", p->rules[ri].name,
                        r->rule_fired[ri] ? "fired" : "never fired");
    mmr_buf_printf(out, "  %zu/%zu conditions  %u%%\n", cov, n, pct(cov, n));
    for (uint32_t i = 0; i < p->nconds; i++) {
        const mmr_prog_cond *c = &p->conds[i];
        if (!cond_of(c, ri, li)) continue;
        mmr_buf_puts(out, "  ");
        marks(out, r->cond_seen[i], mmr_cov_kind(p, i));
        mmr_buf_printf(out, "  %s%s: %s\n", part_name(c->part), part_is_all(c->part) ? " (all)" : "",
                       c->text ? c->text : "");
    }
}

void mmr_testrun_render_coverage_text(const mmr_testrun *r, mmr_buf *out)
{
    const mmr_program *p = r->prog;
    if (!p) return;
    mmr_buf_puts(out, "coverage (T seen true, F seen false, U seen unknown):\n");
    for (uint32_t i = 0; i < p->nrules; i++) group_text(out, r, i, 0);
    for (uint32_t l = 0; l < p->nlets; l++) {
        int any = 0;
        for (uint32_t i = 0; i < p->nconds; i++) if (cond_of(&p->conds[i], UINT32_MAX, l)) any = 1;
        if (any) group_text(out, r, UINT32_MAX, l);
    }
    size_t fired = 0, cov = 0, unk = 0, total = 0;
    for (uint32_t i = 0; i < p->nrules; i++) fired += r->rule_fired[i] > 0;
    for (uint32_t i = 0; i < p->nconds; i++) {
        total += mmr_cov_kind(p, i) != 0;
        cov += cond_covered(r, i);
        unk += cond_unknown(r, i);
    }
    mmr_buf_printf(out, "rule coverage: %zu/%u rules fired (%u%%)\n", fired, p->nrules, pct(fired, p->nrules));
    mmr_buf_printf(out, "condition coverage: %zu/%zu conditions seen true and false (%u%%), %zu seen unknown\n",
                   cov, total, pct(cov, total), unk);
    if (fired < p->nrules) {
        mmr_buf_puts(out, "rules no test fires:");
        for (uint32_t i = 0; i < p->nrules; i++)
            if (!r->rule_fired[i]) mmr_buf_printf(out, " %s", p->rules[i].name);
        mmr_buf_putc(out, '\n');
    }
}

static json_t *cond_json(const mmr_testrun *r, uint32_t i)
{
    const mmr_prog_cond *c = &r->prog->conds[i];
    json_t *o = json_object();
    json_object_set_new(o, "part", json_string(part_name(c->part)));
    json_object_set_new(o, "whole", json_boolean(part_is_all(c->part)));
    json_object_set_new(o, "text", json_string(c->text ? c->text : ""));
    json_object_set_new(o, "file", path_json(c->file));
    json_object_set_new(o, "line", json_integer(c->line));
    json_object_set_new(o, "true", json_boolean(r->cond_seen[i] & MMR_COV_TRUE));
    json_object_set_new(o, "false", json_boolean(r->cond_seen[i] & MMR_COV_FALSE));
    json_object_set_new(o, "unknown", json_boolean(cond_unknown(r, i)));
    if (mmr_cov_kind(r->prog, i) == 2) json_object_set_new(o, "ran", json_boolean(r->cond_seen[i] != 0));
    return o;
}

json_t *mmr_testrun_coverage_json(const mmr_testrun *r)
{
    const mmr_program *p = r->prog;
    json_t *o = json_object(), *rules = json_array(), *lets = json_array(), *unfired = json_array();
    size_t fired = 0, cov = 0, unk = 0;
    for (uint32_t ri = 0; ri < p->nrules; ri++) {
        json_t *g = json_object(), *cs = json_array();
        json_object_set_new(g, "rule", json_string(p->rules[ri].name));
        json_object_set_new(g, "fired", json_integer(r->rule_fired[ri]));
        json_object_set_new(g, "delivered", json_integer(r->rule_delivered[ri]));
        for (uint32_t i = 0; i < p->nconds; i++)
            if (cond_of(&p->conds[i], ri, 0)) json_array_append_new(cs, cond_json(r, i));
        json_object_set_new(g, "conditions", cs);
        json_array_append_new(rules, g);
        if (r->rule_fired[ri]) fired++; else json_array_append_new(unfired, json_string(p->rules[ri].name));
    }
    for (uint32_t l = 0; l < p->nlets; l++) {
        json_t *cs = json_array();
        for (uint32_t i = 0; i < p->nconds; i++)
            if (cond_of(&p->conds[i], UINT32_MAX, l)) json_array_append_new(cs, cond_json(r, i));
        if (json_array_size(cs) == 0) { json_decref(cs); continue; }
        json_t *g = json_object();
        json_object_set_new(g, "let", json_string(p->let_names[l]));
        json_object_set_new(g, "conditions", cs);
        json_array_append_new(lets, g);
    }
    size_t total = 0;
    for (uint32_t i = 0; i < p->nconds; i++) {
        total += mmr_cov_kind(p, i) != 0;
        cov += cond_covered(r, i);
        unk += cond_unknown(r, i);
    }
    json_object_set_new(o, "rules", rules);
    json_object_set_new(o, "lets", lets);
    json_t *rc = json_object();
    json_object_set_new(rc, "fired", json_integer((json_int_t)fired));
    json_object_set_new(rc, "total", json_integer(p->nrules));
    json_object_set_new(rc, "percent", json_integer(pct(fired, p->nrules)));
    json_object_set_new(o, "rule_coverage", rc);
    json_t *cc = json_object();
    json_object_set_new(cc, "covered", json_integer((json_int_t)cov));
    json_object_set_new(cc, "total", json_integer((json_int_t)total));
    json_object_set_new(cc, "percent", json_integer(pct(cov, total)));
    json_object_set_new(cc, "unknown_seen", json_integer((json_int_t)unk));
    json_object_set_new(o, "condition_coverage", cc);
    json_object_set_new(o, "unfired", unfired);
    return o;
}

/* ------------------------------------------------------- JSON text */

static void indent(mmr_buf *b, int n)
{
    mmr_buf_putc(b, '\n');
    for (int i = 0; i < n; i++) mmr_buf_puts(b, "  ");
}

static void dump(mmr_buf *b, const json_t *j, int depth)
{
    size_t i;
    const char *k;
    json_t *x;
    switch (json_typeof(j)) {
    case JSON_NULL: mmr_buf_puts(b, "null"); break;
    case JSON_TRUE: mmr_buf_puts(b, "true"); break;
    case JSON_FALSE: mmr_buf_puts(b, "false"); break;
    case JSON_INTEGER: mmr_buf_printf(b, "%lld", (long long)json_integer_value(j)); break;
    case JSON_REAL: mmr_buf_number(b, json_real_value(j)); break;
    case JSON_STRING: mmr_buf_json_string(b, json_string_value(j), json_string_length(j)); break;
    case JSON_ARRAY:
        if (json_array_size(j) == 0) { mmr_buf_puts(b, "[]"); break; }
        mmr_buf_putc(b, '[');
        json_array_foreach(j, i, x) {
            if (i) mmr_buf_putc(b, ',');
            indent(b, depth + 1);
            dump(b, x, depth + 1);
        }
        indent(b, depth);
        mmr_buf_putc(b, ']');
        break;
    case JSON_OBJECT: {
        if (json_object_size(j) == 0) { mmr_buf_puts(b, "{}"); break; }
        int first = 1;
        mmr_buf_putc(b, '{');
        json_object_foreach((json_t *)j, k, x) {
            if (!first) mmr_buf_putc(b, ',');
            first = 0;
            indent(b, depth + 1);
            mmr_buf_json_string(b, k, strlen(k));
            mmr_buf_puts(b, ": ");
            dump(b, x, depth + 1);
        }
        indent(b, depth);
        mmr_buf_putc(b, '}');
        break;
    }
    }
}

void mmr_json_dump(mmr_buf *out, const json_t *j)
{
    dump(out, j, 0);
    mmr_buf_putc(out, '\n');
}
