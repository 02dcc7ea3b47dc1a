/* Derived signals in `mmr eval --explain`: see signals/explain.h.
 *
 * Items are the unit's derived signals in name order (the plan's order).
 * Each rule's list is found once, by walking its `when` and `audience`
 * (and the lets and computed signals they read) in the unit's AST.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "signals/compute.h"
#include "signals/explain.h"
#include "signals/source.h"

struct mmr_sigexplain {
    mmr_unit *u;
    mmr_sigplan *plan;
    mmr_arena arena;
    size_t nitems;
    size_t *sig;                 /* item -> unit signal index */
    uint32_t *slot;              /* item -> program input register */
    const char **window;         /* item -> "previous week", NULL: no window */
    const char ***inputs;        /* item -> names a computed signal reads */
    size_t *ninputs;
    uint32_t **rule_items;       /* program rule -> items */
    size_t *rule_n;
    uint32_t nrules;
    int tz_slot;                 /* the tz trait's register, or -1 */
};

struct mmr_sigexplain_user {
    int64_t *rows;               /* per item, -1 unknown */
    int has_day;
    int64_t day;
    const char *zone;
    char *zone_buf; size_t zone_cap;   /* tz read from the record itself */
};

/* ------------------------------------------------------------ walking */

typedef struct walk {
    const mmr_unit *u;
    unsigned char *sig_seen;     /* signals met (any kind) */
    unsigned char *let_seen;
    int deep;                    /* follow lets and computed signals */
} walk;

static void walk_expr(walk *w, const mmr_expr *e)
{
    if (!e) return;
    if (e->kind == MMR_E_NAME && e->index >= 0) {
        if (e->ref == MMR_REF_SIGNAL && (size_t)e->index < w->u->nsignals) {
            if (w->sig_seen[e->index]) return;
            w->sig_seen[e->index] = 1;
            const mmr_var_decl *v = w->u->signals[e->index];
            if (w->deep && v->def && v->def->expr) walk_expr(w, v->def->expr);
        } else if (e->ref == MMR_REF_LET && (size_t)e->index < w->u->nlets && w->deep) {
            if (w->let_seen[e->index]) return;
            w->let_seen[e->index] = 1;
            walk_expr(w, w->u->lets[e->index]->expr);
        }
        return;
    }
    walk_expr(w, e->lhs);
    walk_expr(w, e->rhs);
    walk_expr(w, e->third);
    for (size_t i = 0; i < e->nitems; i++) {
        if (e->items) walk_expr(w, e->items[i]);
        if (e->keys) walk_expr(w, e->keys[i]);
    }
}

static int find_slot(const mmr_program *p, const char *name, int trait)
{
    for (uint32_t i = 0; i < p->nslots; i++)
        if (!!p->slots[i].is_trait == trait && p->slots[i].name && !strcmp(p->slots[i].name, name)) return (int)i;
    return -1;
}

mmr_sigexplain *mmr_sigexplain_new(mmr_unit *u, const mmr_program *p, int *oom)
{
    *oom = 0;
    if (!u->nderived) { mmr_unit_free(u); return NULL; }
    mmr_sigexplain *x = calloc(1, sizeof *x);
    if (!x) { mmr_unit_free(u); *oom = 1; return NULL; }
    x->u = u;
    mmr_arena_init(&x->arena, 1 << 12);
    x->plan = mmr_sigplan_new(u);
    size_t ns = u->nsignals ? u->nsignals : 1;
    unsigned char *seen = calloc(ns, 1);
    unsigned char *lseen = calloc(u->nlets ? u->nlets : 1, 1);
    if (!x->plan || !seen || !lseen) goto fail;
    x->nitems = mmr_sigplan_count(x->plan);
    size_t ni = x->nitems ? x->nitems : 1;
    x->sig = calloc(ni, sizeof *x->sig);
    x->slot = calloc(ni, sizeof *x->slot);
    x->window = calloc(ni, sizeof *x->window);
    x->inputs = calloc(ni, sizeof *x->inputs);
    x->ninputs = calloc(ni, sizeof *x->ninputs);
    x->nrules = p->nrules;
    x->rule_items = calloc(p->nrules ? p->nrules : 1, sizeof *x->rule_items);
    x->rule_n = calloc(p->nrules ? p->nrules : 1, sizeof *x->rule_n);
    if (!x->sig || !x->slot || !x->window || !x->inputs || !x->ninputs || !x->rule_items || !x->rule_n)
        goto fail;
    int tzt = mmr_sigplan_tz_trait(x->plan);
    x->tz_slot = tzt >= 0 ? find_slot(p, u->traits[tzt]->name, 1) : -1;

    for (size_t i = 0; i < x->nitems; i++) {
        size_t s = mmr_sigplan_signal(x->plan, i);
        const mmr_var_decl *v = u->signals[s];
        x->sig[i] = s;
        int slot = find_slot(p, v->name, 0);
        if (slot < 0) {                     /* the program is not of this unit: explain nothing */
            free(seen); free(lseen);
            mmr_sigexplain_free(x);
            return NULL;
        }
        x->slot[i] = (uint32_t)slot;
        const mmr_derived *d = v->def;
        if (!d->expr && d->win_word) {
            size_t n = strlen(d->win_word ? d->win_word : "") + 1 + strlen(d->win_arg ? d->win_arg : "") + 1;
            char *w = mmr_arena_alloc(&x->arena, n);
            if (!w) goto fail;
            strcpy(w, d->win_word ? d->win_word : "");
            if (d->win_arg) { strcat(w, " "); strcat(w, d->win_arg); }
            x->window[i] = w;
            continue;
        }
        if (!d->expr) continue;              /* budget, goal: the current rows */
        /* a computed signal's inputs: the signals its expression names */
        walk wk = { u, seen, lseen, 0 };
        memset(seen, 0, ns);
        walk_expr(&wk, d->expr);
        size_t n = 0;
        for (size_t t = 0; t < u->nsignals; t++) n += seen[t];
        const char **names = mmr_arena_alloc(&x->arena, (n ? n : 1) * sizeof *names);
        if (!names) goto fail;
        n = 0;
        for (size_t t = 0; t < u->nsignals; t++) if (seen[t]) names[n++] = u->signals[t]->name;
        for (size_t a = 1; a < n; a++)            /* by name */
            for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
                const char *tmp = names[b]; names[b] = names[b - 1]; names[b - 1] = tmp;
            }
        x->inputs[i] = names;
        x->ninputs[i] = n;
    }

    for (size_t r = 0; r < u->nrules; r++) {
        const mmr_rule *rule = u->rules[r];
        int pr = mmr_program_find_rule(p, rule->name);
        if (pr < 0) continue;
        walk wk = { u, seen, lseen, 1 };
        memset(seen, 0, ns);
        memset(lseen, 0, u->nlets ? u->nlets : 1);
        walk_expr(&wk, rule->when);
        walk_expr(&wk, rule->audience);
        size_t n = 0;
        for (size_t i = 0; i < x->nitems; i++) n += seen[x->sig[i]];
        if (!n) continue;
        uint32_t *items = mmr_arena_alloc(&x->arena, n * sizeof *items);
        if (!items) goto fail;
        n = 0;
        for (size_t i = 0; i < x->nitems; i++) if (seen[x->sig[i]]) items[n++] = (uint32_t)i;
        x->rule_items[pr] = items;
        x->rule_n[pr] = n;
    }
    free(seen);
    free(lseen);
    return x;
fail:
    free(seen);
    free(lseen);
    mmr_sigexplain_free(x);
    *oom = 1;
    return NULL;
}

void mmr_sigexplain_free(mmr_sigexplain *x)
{
    if (!x) return;
    mmr_sigplan_free(x->plan);
    if (x->u) mmr_unit_free(x->u);
    mmr_arena_free(&x->arena);
    free(x->sig); free(x->slot); free(x->window); free(x->inputs); free(x->ninputs);
    free(x->rule_items); free(x->rule_n);
    free(x);
}

size_t mmr_sigexplain_rule(const mmr_sigexplain *x, uint32_t r, const uint32_t **items)
{
    if (r >= x->nrules || !x->rule_n[r]) { *items = NULL; return 0; }
    *items = x->rule_items[r];
    return x->rule_n[r];
}

/* ------------------------------------------------------------ per user */

/* The value of top-level key `key` of a record (one JSON object the
 * snapshot reader has already checked), parsed; NULL when absent. Only the
 * value is parsed: a whole record can be large. */
static json_t *top_value(const char *s, size_t n, const char *key)
{
    size_t klen = strlen(key);
    /* most records have no such key at all: look for its text first */
    const char *q = s, *end = s + n;
    while ((q = memchr(q, '"', (size_t)(end - q))) && !((size_t)(end - q) > klen + 1 && !memcmp(q + 1, key, klen) && q[klen + 1] == '"'))
        q++;
    if (!q) return NULL;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        else if (c == '"') {
            size_t start = ++i;
            while (i < n && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
            if (i >= n) break;
            if (depth != 1 || i - start != klen || memcmp(s + start, key, klen)) continue;
            size_t j = i + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) j++;
            if (j < n && s[j] == ':')           /* a key, not a value */
                return json_loadb(s + j + 1, n - j - 1, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, NULL);
        }
    }
    return NULL;
}

mmr_sigexplain_user *mmr_sigexplain_user_new(const mmr_sigexplain *x)
{
    mmr_sigexplain_user *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->rows = malloc((x->nitems ? x->nitems : 1) * sizeof *s->rows);
    if (!s->rows) { free(s); return NULL; }
    return s;
}

void mmr_sigexplain_user_free(mmr_sigexplain_user *s)
{
    if (!s) return;
    free(s->rows);
    free(s->zone_buf);
    free(s);
}

void mmr_sigexplain_user_set(const mmr_sigexplain *x, mmr_sigexplain_user *s, const char *as_of,
                             const char *rec, size_t len, int ndjson, const mmr_value *regs)
{
    for (size_t i = 0; i < x->nitems; i++) s->rows[i] = -1;
    s->has_day = as_of && mmr_sig_day_parse(as_of, &s->day) == 0;
    s->zone = mmr_sigplan_timezone(x->plan);
    if (x->tz_slot >= 0 && regs[x->tz_slot].tag == MMR_V_TEXT) s->zone = regs[x->tz_slot].u.text->bytes;
    if (!ndjson || !rec) return;
    json_t *rows = top_value(rec, len, "rows");
    if (json_is_object(rows))
        for (size_t i = 0; i < x->nitems; i++) {
            if (x->u->signals[x->sig[i]]->def->expr) continue;   /* computed: no rows */
            json_t *v = json_object_get(rows, x->u->signals[x->sig[i]]->name);
            if (json_is_integer(v) && json_integer_value(v) >= 0) s->rows[i] = (int64_t)json_integer_value(v);
        }
    json_decref(rows);
    if (x->tz_slot >= 0) return;
    /* a ruleset without trait tz: `mmr signals` still used the record's */
    json_t *traits = top_value(rec, len, "traits");
    const char *tz = json_string_value(json_object_get(traits, "tz"));
    if (tz && *tz) {
        size_t n = strlen(tz) + 1;
        if (n > s->zone_cap) {
            char *b = realloc(s->zone_buf, n);
            if (b) { s->zone_buf = b; s->zone_cap = n; }
        }
        if (n <= s->zone_cap) { memcpy(s->zone_buf, tz, n); s->zone = s->zone_buf; }
    }
    json_decref(traits);
}

void mmr_sigexplain_get(const mmr_sigexplain *x, const mmr_sigexplain_user *s, uint32_t item,
                        mmr_sigexplain_item *out)
{
    memset(out, 0, sizeof *out);
    size_t sig = x->sig[item];
    out->name = x->u->signals[sig]->name;
    out->slot = x->slot[item];
    out->rows = -1;
    const mmr_derived *d = x->u->signals[sig]->def;
    if (d->expr) {
        out->computed = 1;
        out->inputs = x->inputs[item];
        out->ninputs = x->ninputs[item];
        return;
    }
    out->source = d->source_id >= 0 && d->source_id < MMR_NSOURCES ? mmr_sources[d->source_id].name : d->source;
    out->rows = s->rows[item];
    out->window = x->window[item];
    if (!out->window) return;
    out->zone = s->zone;
    int64_t lo, hi;
    if (s->has_day && mmr_sigplan_window(x->plan, sig, s->day, &lo, &hi) == 0) {
        mmr_date_format(lo * 86400, out->from);
        mmr_date_format(hi * 86400, out->to);
    }
}
