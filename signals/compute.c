/* Derived signals for one user at a time (see signals/compute.h).
 *
 * Per user: every transaction gets its local day (the user's zone, DST
 * included) and, for each part (a distinct filter + field + group of the
 * aggregates), goes into that day's tile when the part's filter is true.
 * Each aggregate then folds the tiles of its window's days. Filters that
 * read only text and bool fields are memoised across users by the
 * interned values they read, so most transactions cost a hash probe per
 * part rather than a walk of the filter's tree.
 *
 * Longer than our ~800-line mark: the plan, the per-user tiles, the
 * window folds and the tile bytes share the accumulator and the group
 * entries, and are kept together so that their layout has one owner.
 */
#include "signals/compute.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "engine/tz.h"
#include "signals/eval.h"
#include "signals/source.h"
#include "util/buf.h"
#include "util/sha1.h"
#include "util/timeutil.h"

/* ------------------------------------------------------------ the plan */

typedef struct part {          /* what one day's tile holds for some aggregates */
    const mmr_expr *where;     /* NULL: every row */
    int field;                 /* value field, -1: none */
    int group;                 /* group key field (by, or distinct's field), -1 */
    /* the filter as a conjunction: the conjuncts that read only interned
     * and bool fields are memoised together (memo[]); the rest are a
     * `field OP number` compare (fast[]) or a walk of the tree (slow[]) */
    const mmr_expr *memo[8]; int nmemo;
    struct { int field; mmr_op op; double k; } fast[8]; int nfast;
    const mmr_expr *slow[8]; int nslow;
    int reads_merchant;
    int need;                  /* NEED_*: what its aggregates read (what a tile stores) */
} part;

enum { NEED_SUM = 1, NEED_SUMSQ = 2, NEED_MINMAX = 4, NEED_FIRSTLAST = 8 };

typedef struct agg {
    size_t sig;                /* unit signal index */
    const mmr_derived *x;
    int part;
} agg;

struct mmr_sigplan {
    const mmr_unit *u;
    part *parts; size_t nparts;
    agg *aggs; size_t naggs;
    size_t *computed; size_t ncomputed;   /* unit indexes, dependency order */
    size_t *outs; size_t nouts;           /* every derived signal, by name */
    int *agg_of;                          /* unit index -> agg index or -1 */
    int reach, retention, tz_trait;
    int reads;                            /* transaction fields any part reads (bits) */
    const char *tz;
    char spec[41];
    int64_t spec_id;
};

static int reads_fields(const mmr_expr *e, int *mask)
{
    if (!e) return 0;
    if (e->kind == MMR_E_NAME && e->ref == MMR_REF_FIELD) *mask |= 1 << e->index;
    reads_fields(e->lhs, mask); reads_fields(e->rhs, mask); reads_fields(e->third, mask);
    for (size_t i = 0; i < e->nitems; i++) reads_fields(e->items ? e->items[i] : NULL, mask);
    return 0;
}

static int same_expr_text(const mmr_expr *a, const mmr_expr *b)
{
    if (!a || !b) return a == b;
    mmr_buf x, y;
    mmr_buf_init(&x); mmr_buf_init(&y);
    mmr_print_expr(&x, a); mmr_print_expr(&y, b);
    int same = x.len == y.len && (!x.len || !memcmp(x.data, y.data, x.len));
    mmr_buf_free(&x); mmr_buf_free(&y);
    return same;
}

#define MEMO_FIELDS ((1 << MMR_TXF_TYPE) | (1 << MMR_TXF_CATEGORY) | (1 << MMR_TXF_MERCHANT) | (1 << MMR_TXF_RECURRING))

/* Top-level `and` chain into the part's conjunct lists; a chain longer
 * than the lists stays one slow conjunct (it still means the same). */
static void split_filter(part *q, const mmr_expr *e)
{
    const mmr_expr *stack[64];
    const mmr_expr *conj[24];
    int ns = 0, nc = 0;
    if (e) stack[ns++] = e;
    while (ns) {
        const mmr_expr *x = stack[--ns];
        if (x->kind == MMR_E_BINARY && x->op == MMR_OP_AND && !x->is_const && ns + 2 <= 64 && x->lhs && x->rhs) {
            stack[ns++] = x->rhs;
            stack[ns++] = x->lhs;
            continue;
        }
        if (nc == 24) { q->nmemo = q->nfast = 0; q->nslow = 1; q->slow[0] = e; return; }
        conj[nc++] = x;
    }
    for (int i = 0; i < nc; i++) {
        const mmr_expr *x = conj[i];
        int mask = 0;
        reads_fields(x, &mask);
        if ((mask & ~MEMO_FIELDS) == 0 && q->nmemo < 8) {
            q->memo[q->nmemo++] = x;
            if (mask & (1 << MMR_TXF_MERCHANT)) q->reads_merchant = 1;
            continue;
        }
        const mmr_expr *l = x->lhs, *r = x->rhs;
        if (x->kind == MMR_E_BINARY && x->op >= MMR_OP_EQ && x->op <= MMR_OP_GE && l && r &&
            l->kind == MMR_E_NAME && l->ref == MMR_REF_FIELD && l->type == MMR_T_NUMBER &&
            (r->is_const || r->kind == MMR_E_NUMBER) && r->type == MMR_T_NUMBER && q->nfast < 8) {
            q->fast[q->nfast].field = l->index;
            q->fast[q->nfast].op = x->op;
            q->fast[q->nfast].k = r->num;
            q->nfast++;
            continue;
        }
        if (q->nslow < 8) { q->slow[q->nslow++] = x; continue; }
        q->nmemo = q->nfast = 0; q->nslow = 1; q->slow[0] = e;   /* too many parts: whole */
        return;
    }
}

static int find_part(mmr_sigplan *p, const mmr_expr *where, int field, int group)
{
    for (size_t i = 0; i < p->nparts; i++)
        if (p->parts[i].field == field && p->parts[i].group == group && same_expr_text(p->parts[i].where, where))
            return (int)i;
    part *np = realloc(p->parts, (p->nparts + 1) * sizeof *np);
    if (!np) return -1;
    p->parts = np;
    part *q = &p->parts[p->nparts];
    memset(q, 0, sizeof *q);
    q->where = where; q->field = field; q->group = group;
    split_filter(q, where);
    if (field >= 0) p->reads |= 1 << field;
    if (group >= 0) p->reads |= 1 << group;
    reads_fields(where, &p->reads);
    return (int)p->nparts++;
}

static void collect_signal_refs(const mmr_expr *e, const mmr_unit *u, int *seen, size_t *order,
                                size_t *n, const mmr_sigplan *p, int depth);

/* Depth-first: a computed signal after every computed signal it reads. */
static void visit_computed(const mmr_unit *u, size_t s, int *seen, size_t *order, size_t *n,
                           const mmr_sigplan *p, int depth)
{
    if (seen[s] || depth > 300) return;
    seen[s] = 1;
    const mmr_var_decl *v = u->signals[s];
    if (!v->def || !v->def->expr) return;
    collect_signal_refs(v->def->expr, u, seen, order, n, p, depth + 1);
    order[(*n)++] = s;
}

static void collect_signal_refs(const mmr_expr *e, const mmr_unit *u, int *seen, size_t *order,
                                size_t *n, const mmr_sigplan *p, int depth)
{
    if (!e || depth > 600) return;
    if (e->kind == MMR_E_NAME && e->ref == MMR_REF_SIGNAL && e->index >= 0 && (size_t)e->index < u->nsignals)
        visit_computed(u, (size_t)e->index, seen, order, n, p, depth + 1);
    if (e->kind == MMR_E_NAME && e->ref == MMR_REF_LET && e->index >= 0 && (size_t)e->index < u->nlets)
        collect_signal_refs(u->lets[e->index]->expr, u, seen, order, n, p, depth + 1);
    collect_signal_refs(e->lhs, u, seen, order, n, p, depth + 1);
    collect_signal_refs(e->rhs, u, seen, order, n, p, depth + 1);
    collect_signal_refs(e->third, u, seen, order, n, p, depth + 1);
    for (size_t i = 0; i < e->nitems; i++) collect_signal_refs(e->items ? e->items[i] : NULL, u, seen, order, n, p, depth + 1);
}

static int by_name_r(const void *a, const void *b, void *u)
{
    const mmr_unit *un = u;
    return strcmp(un->signals[*(const size_t *)a]->name, un->signals[*(const size_t *)b]->name);
}

/* insertion sort with a context (n is small: the derived signals) */
static void sort_by_name(size_t *v, size_t n, const mmr_unit *u)
{
    for (size_t i = 1; i < n; i++) {
        size_t x = v[i], j = i;
        while (j > 0 && by_name_r(&v[j - 1], &x, (void *)u) > 0) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
}

mmr_sigplan *mmr_sigplan_new(const mmr_unit *u)
{
    mmr_sigplan *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->u = u;
    size_t ns = u->nsignals ? u->nsignals : 1;
    p->aggs = calloc(ns, sizeof *p->aggs);
    p->computed = calloc(ns, sizeof *p->computed);
    p->outs = calloc(ns, sizeof *p->outs);
    p->agg_of = malloc(ns * sizeof *p->agg_of);
    int *seen = calloc(ns, sizeof *seen);
    if (!p->aggs || !p->computed || !p->outs || !p->agg_of || !seen) { free(seen); mmr_sigplan_free(p); return NULL; }
    p->retention = MMR_RETENTION_DAYS;
    if (u->policy && u->policy->retention_s >= 86400) p->retention = (int)(u->policy->retention_s / 86400);
    p->tz = u->policy && u->policy->timezone ? u->policy->timezone : "UTC";
    p->tz_trait = -1;
    for (size_t i = 0; i < u->ntraits; i++)
        if (!strcmp(u->traits[i]->name, "tz") && u->traits[i]->type == MMR_T_TEXT) p->tz_trait = (int)i;
    p->reach = 1;
    mmr_buf spec;
    mmr_buf_init(&spec);
    for (size_t s = 0; s < u->nsignals; s++) {
        p->agg_of[s] = -1;
        const mmr_var_decl *v = u->signals[s];
        if (!v->def) continue;
        p->outs[p->nouts++] = s;
        if (v->def->expr) continue;
        const mmr_derived *x = v->def;
        if (x->source_id != MMR_SRC_TRANSACTION) {
            /* budget and goal rows: folded whole at finish, no tiles */
            p->aggs[p->naggs++] = (agg){ s, x, -1 };
            continue;
        }
        int group = x->by_field >= 0 ? x->by_field : x->agg == MMR_AGG_DISTINCT ? x->field : -1;
        int field = x->agg == MMR_AGG_DISTINCT ? -1 : x->field;
        int pi = find_part(p, x->where, field, group);
        if (pi < 0) { free(seen); mmr_buf_free(&spec); mmr_sigplan_free(p); return NULL; }
        switch (x->agg) {
        case MMR_AGG_SUM: case MMR_AGG_AVG: p->parts[pi].need |= NEED_SUM; break;
        case MMR_AGG_STDDEV: p->parts[pi].need |= NEED_SUM | NEED_SUMSQ; break;
        case MMR_AGG_MIN: case MMR_AGG_MAX: p->parts[pi].need |= NEED_MINMAX; break;
        case MMR_AGG_FIRST: case MMR_AGG_LAST: p->parts[pi].need |= NEED_FIRSTLAST; break;
        default: break;
        }
        if (x->bucket_days && x->inner == MMR_AGG_SUM) p->parts[pi].need |= NEED_SUM;
        if (p->parts[pi].need & NEED_FIRSTLAST) p->reads |= 1 << MMR_TXF_TXN_ID;
        p->agg_of[s] = (int)p->naggs;
        p->aggs[p->naggs++] = (agg){ s, x, pi };
        int r = mmr_window_reach(x);
        if (r > p->reach) p->reach = r;
    }
    for (size_t s = 0; s < u->nsignals; s++)
        if (u->signals[s]->def && u->signals[s]->def->expr) visit_computed(u, s, seen, p->computed, &p->ncomputed, p, 0);
    free(seen);
    sort_by_name(p->outs, p->nouts, u);
    /* the spec names the parts: a tile is only reused by the same parts */
    mmr_buf_printf(&spec, "tiles v1;");
    for (size_t i = 0; i < p->nparts; i++) {
        mmr_buf_printf(&spec, "part %d %d %d ", p->parts[i].field, p->parts[i].group, p->parts[i].need);
        if (p->parts[i].where) mmr_print_expr(&spec, p->parts[i].where);
        mmr_buf_putc(&spec, ';');
    }
    unsigned char h[20];
    mmr_sha1((const unsigned char *)(spec.data ? spec.data : ""), spec.len, h);
    for (int i = 0; i < 20; i++) { static const char hx[] = "0123456789abcdef"; p->spec[2 * i] = hx[h[i] >> 4]; p->spec[2 * i + 1] = hx[h[i] & 15]; }
    p->spec[40] = 0;
    uint64_t id = 0;
    for (int i = 0; i < 8; i++) id = id << 8 | h[i];
    p->spec_id = (int64_t)(id >> 1);        /* positive: a plain SQLite integer */
    mmr_buf_free(&spec);
    return p;
}

void mmr_sigplan_free(mmr_sigplan *p)
{
    if (!p) return;
    free(p->parts); free(p->aggs); free(p->computed); free(p->outs); free(p->agg_of);
    free(p);
}

size_t mmr_sigplan_count(const mmr_sigplan *p) { return p->nouts; }
size_t mmr_sigplan_signal(const mmr_sigplan *p, size_t i) { return p->outs[i]; }
int mmr_sigplan_reach(const mmr_sigplan *p) { return p->reach; }

int mmr_sigplan_uses(const mmr_sigplan *p, int source)
{
    for (size_t i = 0; i < p->naggs; i++) if (p->aggs[i].x->source_id == source) return 1;
    return 0;
}
int mmr_sigplan_retention(const mmr_sigplan *p) { return p->retention; }
const char *mmr_sigplan_timezone(const mmr_sigplan *p) { return p->tz; }
int mmr_sigplan_tz_trait(const mmr_sigplan *p) { return p->tz_trait; }
const char *mmr_sigplan_spec(const mmr_sigplan *p) { return p->spec; }
int64_t mmr_sigplan_spec_id(const mmr_sigplan *p) { return p->spec_id; }

/* ------------------------------------------------------ interning, memo */

typedef struct u64map {        /* open addressing, key 0 = empty (keys are stored +1) */
    uint64_t *keys; int32_t *vals;
    size_t cap, n;
} u64map;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

static int u64map_get(const u64map *m, uint64_t k, int32_t *v)
{
    if (!m->cap) return 0;
    k++;
    for (size_t i = mix(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == k) { *v = m->vals[i]; return 1; }
        if (!m->keys[i]) return 0;
    }
}

static int u64map_put(u64map *m, uint64_t k, int32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        uint64_t *nk = calloc(nc, sizeof *nk);
        int32_t *nv = malloc(nc * sizeof *nv);
        if (!nk || !nv) { free(nk); free(nv); return -1; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = mix(m->keys[i]) & (nc - 1);
            while (nk[j]) j = (j + 1) & (nc - 1);
            nk[j] = m->keys[i]; nv[j] = m->vals[i];
        }
        free(m->keys); free(m->vals);
        m->keys = nk; m->vals = nv; m->cap = nc;
    }
    k++;
    size_t i = mix(k) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != k) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = k; m->vals[i] = v;
    return 0;
}

static uint64_t str_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
    return h;
}

/* ------------------------------------------------------------ per user */

typedef struct acc {           /* a partial aggregate */
    double n, sum, sumsq, min, max;
    int64_t first_ts, last_ts;
    mmr_value first_v, last_v; /* the field's value at first / last */
    const mmr_text *first_id, *last_id;   /* their txn_id: ties in time */
} acc;

typedef struct gent {          /* one group key's partial for one day and part */
    int32_t day, part, key;
    acc a;
} gent;

typedef struct winfo { int64_t lo, hi; uint64_t rows; } winfo;

struct mmr_sigcalc {
    const mmr_sigplan *p;
    mmr_tz_cache *tzc;
    mmr_arena keep;            /* interned texts (live as long as the calc) */
    u64map intern;             /* text hash -> key id; collisions checked */
    const mmr_text **keys; size_t nkeys, capkeys;
    u64map memo;               /* (part, type, recurring, category, merchant) -> 0/1/-1 */
    acc *tiles;                /* [reach days][nparts], a row valid when its epoch is the user's */
    uint32_t *row_epoch, epoch;
    int32_t id_expense, id_income;
    gent *groups; size_t ngroups, capgroups;
    int groups_sorted;         /* by (day, part, key): tile_get sorts once */
    gent *gtmp; size_t gtmp_cap;   /* the sort's scratch (qsort would malloc per user) */
    winfo *info;               /* by unit signal index */
    /* the user being computed */
    int64_t D, base, first_day;
    struct { mmr_value *v; size_t n; int known; } rows[MMR_NSOURCES];  /* budget, goal */
    mmr_arena ua;              /* their texts (first/last values, ids) */
    /* folding scratch: per key id */
    acc *kacc; int32_t *touched; size_t kcap; size_t ntouched;
    uint8_t *kseen;
    mmr_arena scratch;
};

static int32_t intern(mmr_sigcalc *c, const char *s, size_t n);

mmr_sigcalc *mmr_sigcalc_new(const mmr_sigplan *p, const char *zoneinfo)
{
    mmr_sigcalc *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->p = p;
    c->tzc = mmr_tz_cache_new(zoneinfo);
    mmr_arena_init(&c->keep, 1 << 16);
    mmr_arena_init(&c->scratch, 1 << 14);
    mmr_arena_init(&c->ua, 1 << 14);
    c->info = calloc(p->u->nsignals ? p->u->nsignals : 1, sizeof *c->info);
    size_t nt = (size_t)p->reach * (p->nparts ? p->nparts : 1);
    c->tiles = malloc(nt * sizeof *c->tiles);
    c->row_epoch = calloc((size_t)p->reach, sizeof *c->row_epoch);
    if (!c->tzc || !c->info || !c->tiles || !c->row_epoch) { mmr_sigcalc_free(c); return NULL; }
    c->id_expense = intern(c, "expense", 7);
    c->id_income = intern(c, "income", 6);
    if (c->id_expense < 0 || c->id_income < 0) { mmr_sigcalc_free(c); return NULL; }
    return c;
}

void mmr_sigcalc_free(mmr_sigcalc *c)
{
    if (!c) return;
    if (c->tzc) mmr_tz_cache_free(c->tzc);
    mmr_arena_free(&c->keep);
    mmr_arena_free(&c->scratch);
    mmr_arena_free(&c->ua);
    free(c->intern.keys); free(c->intern.vals); free(c->keys);
    free(c->memo.keys); free(c->memo.vals);
    free(c->tiles); free(c->row_epoch); free(c->groups); free(c->gtmp); free(c->info);
    free(c->kacc); free(c->touched); free(c->kseen);
    free(c);
}

/* The id of a text, interned for the calc's lifetime; -1 out of memory. */
static int32_t intern(mmr_sigcalc *c, const char *s, size_t n)
{
    uint64_t h = str_hash(s, n);
    uint64_t probe = h;
    for (;; probe = mix(probe)) {
        int32_t id;
        if (!u64map_get(&c->intern, probe, &id)) break;
        if (c->keys[id]->len == n && !memcmp(c->keys[id]->bytes, s, n)) return id;
    }
    if (c->nkeys == c->capkeys) {
        size_t nc = c->capkeys ? c->capkeys * 2 : 256;
        const mmr_text **nk = realloc(c->keys, nc * sizeof *nk);
        if (!nk) return -1;
        c->keys = nk; c->capkeys = nc;
    }
    mmr_text *t = mmr_text_new(&c->keep, s, n);
    if (!t) return -1;
    c->keys[c->nkeys] = t;
    if (u64map_put(&c->intern, probe, (int32_t)c->nkeys)) return -1;
    return (int32_t)c->nkeys++;
}

static const char *const wdays[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static void acc_init(struct acc *a);

/* Day row di of the tiles for writing: made empty the first time the
 * user touches it (a user touches few of the reach's days). */
static acc *row_w(mmr_sigcalc *c, int64_t di)
{
    acc *row = &c->tiles[(size_t)di * c->p->nparts];
    if (c->row_epoch[di] != c->epoch) {
        memset(row, 0, c->p->nparts * sizeof *row);     /* acc_init of each */
        c->row_epoch[di] = c->epoch;
    }
    return row;
}

/* For reading: NULL when the user has nothing on that day. */
static const acc *row_r(const mmr_sigcalc *c, int64_t di)
{
    return c->row_epoch[di] == c->epoch ? &c->tiles[(size_t)di * c->p->nparts] : NULL;
}

/* Monday = 0 */
static int weekday_of(int64_t day) { return (int)(((day + 3) % 7 + 7) % 7); }

/* Empty: all zero. min, max and first/last mean something only once n > 0. */
static void acc_init(acc *a)
{
    memset(a, 0, sizeof *a);
}

/* Ties in time go to the smaller txn_id for first and the larger for
 * last, so the same transactions in any order give the same values. */
static int earlier(int64_t ts, const mmr_text *id, int64_t ts2, const mmr_text *id2)
{
    if (ts != ts2) return ts < ts2;
    if (!id || !id2) return 0;
    return mmr_text_cmp(id, id2) < 0;
}

static void acc_first_last(acc *a, int64_t fts, const mmr_text *fid, mmr_value fv,
                           int64_t lts, const mmr_text *lid, mmr_value lv, int had)
{
    if (!had || earlier(fts, fid, a->first_ts, a->first_id)) { a->first_ts = fts; a->first_id = fid; a->first_v = fv; }
    if (!had || earlier(a->last_ts, a->last_id, lts, lid)) { a->last_ts = lts; a->last_id = lid; a->last_v = lv; }
}

static void acc_add(acc *a, double v, const mmr_value *val, int64_t ts, const mmr_text *id, int need)
{
    int had = a->n > 0;
    a->n += 1; a->sum += v; a->sumsq += v * v;
    if (!had || v < a->min) a->min = v;
    if (!had || v > a->max) a->max = v;
    if (need & NEED_FIRSTLAST) acc_first_last(a, ts, id, *val, ts, id, *val, had);
}

static void acc_merge(acc *a, const acc *b)
{
    if (b->n <= 0) return;
    if (a->n <= 0) { *a = *b; return; }
    int had = 1;
    a->n += b->n; a->sum += b->sum; a->sumsq += b->sumsq;
    if (b->min < a->min) a->min = b->min;
    if (b->max > a->max) a->max = b->max;
    acc_first_last(a, b->first_ts, b->first_id, b->first_v, b->last_ts, b->last_id, b->last_v, had);
}

static void window_days(const mmr_derived *x, int64_t D, int64_t *lo, int64_t *hi)
{
    switch (x->window) {
    case MMR_WIN_LAST: *lo = D - x->window_days + 1; *hi = D; return;
    case MMR_WIN_PREVIOUS: *lo = D - 2 * (int64_t)x->window_days + 1; *hi = D - x->window_days; return;
    case MMR_WIN_THIS_WEEK: *lo = D - weekday_of(D); *hi = D; return;
    case MMR_WIN_PREV_WEEK: *lo = D - weekday_of(D) - 7; *hi = D - weekday_of(D) - 1; return;
    default: break;
    }
    int64_t y; int m, d;
    mmr_civil_from_days(D, &y, &m, &d);
    int64_t first = mmr_days_from_civil(y, m, 1);
    if (x->window == MMR_WIN_THIS_MONTH) { *lo = first; *hi = D; return; }
    if (m == 1) { y--; m = 12; } else m--;
    *lo = mmr_days_from_civil(y, m, 1);
    *hi = first - 1;
}

static mmr_value copy_value(mmr_value v, mmr_arena *ar)
{
    if (v.tag != MMR_V_TEXT) return v;
    mmr_text *t = mmr_text_new(ar, v.u.text->bytes, v.u.text->len);
    return t ? mmr_v_text(t) : mmr_v_missing();
}

/* The value of an aggregate over the accumulated a. */
static mmr_value finish(const mmr_derived *x, const acc *a, int before_history, mmr_arena *ar)
{
    switch (x->agg) {
    case MMR_AGG_COUNT: return before_history ? mmr_v_missing() : mmr_v_num(a->n);
    case MMR_AGG_SUM: return before_history ? mmr_v_missing() : mmr_v_num(a->sum);
    case MMR_AGG_AVG: return a->n > 0 ? mmr_v_num(a->sum / a->n) : mmr_v_missing();
    case MMR_AGG_MIN: return a->n > 0 ? mmr_v_num(a->min) : mmr_v_missing();
    case MMR_AGG_MAX: return a->n > 0 ? mmr_v_num(a->max) : mmr_v_missing();
    case MMR_AGG_STDDEV: {
        if (a->n <= 0) return mmr_v_missing();
        double mean = a->sum / a->n, var = a->sumsq / a->n - mean * mean;
        return mmr_v_num(var > 0 ? sqrt(var) : 0);
    }
    case MMR_AGG_FIRST: return a->n > 0 ? copy_value(a->first_v, ar) : mmr_v_missing();
    case MMR_AGG_LAST: return a->n > 0 ? copy_value(a->last_v, ar) : mmr_v_missing();
    default: return mmr_v_missing();
    }
}

static int grow_groups(mmr_sigcalc *c)
{
    if (c->ngroups < c->capgroups) return 0;
    size_t nc = c->capgroups ? c->capgroups * 2 : 1024;
    gent *ng = realloc(c->groups, nc * sizeof *ng);
    if (!ng) return -1;
    c->groups = ng; c->capgroups = nc;
    return 0;
}

static int grow_keys_scratch(mmr_sigcalc *c)
{
    if (c->kcap >= c->nkeys) return 0;
    size_t nc = c->nkeys + 256;
    acc *na = realloc(c->kacc, nc * sizeof *na);
    if (!na) return -1;
    c->kacc = na;
    int32_t *nt = realloc(c->touched, nc * sizeof *nt);
    if (!nt) return -1;
    c->touched = nt;
    uint8_t *ns = realloc(c->kseen, nc);
    if (!ns) return -1;
    memset(ns + c->kcap, 0, nc - c->kcap);
    c->kseen = ns;
    c->kcap = nc;
    return 0;
}

/* The map of a grouped aggregate: each touched key's accumulator
 * finished, keys in byte order (the keys stay touched for the caller). */
static mmr_value touched_map(mmr_sigcalc *c, const mmr_derived *x, mmr_arena *ar)
{
    size_t n = c->ntouched;
    for (size_t i = 1; i < n; i++) {
        int32_t k = c->touched[i]; size_t j = i;
        while (j > 0 && mmr_text_cmp(c->keys[c->touched[j - 1]], c->keys[k]) > 0) { c->touched[j] = c->touched[j - 1]; j--; }
        c->touched[j] = k;
    }
    mmr_map *m = mmr_arena_alloc(ar, sizeof *m);
    const mmr_text **keys = n ? mmr_arena_alloc(ar, n * sizeof *keys) : NULL;
    double *vals = n ? mmr_arena_alloc(ar, n * sizeof *vals) : NULL;
    if (!m || (n && (!keys || !vals))) return mmr_v_missing();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        mmr_value v = finish(x, &c->kacc[c->touched[i]], 0, ar);
        if (v.tag != MMR_V_NUM) continue;
        keys[k] = c->keys[c->touched[i]];
        vals[k++] = v.u.num;
    }
    m->n = (uint32_t)k; m->keys = keys; m->vals = vals;
    return mmr_v_map(m);
}

/* Grouped and distinct aggregates: the part's group entries in the window,
 * folded per key; a map in key byte order, or the number of keys. */
static mmr_value fold_groups(mmr_sigcalc *c, const agg *g, int64_t lo, int64_t hi,
                             int before_history, uint64_t *rows, mmr_arena *ar)
{
    const mmr_derived *x = g->x;
    if (grow_keys_scratch(c)) return mmr_v_missing();
    c->ntouched = 0;
    for (size_t i = 0; i < c->ngroups; i++) {
        const gent *e = &c->groups[i];
        int64_t day = c->base + e->day;
        if (e->part != g->part || day < lo || day > hi || e->a.n <= 0 || (size_t)e->key >= c->kcap) continue;
        if (!c->kseen[e->key]) { c->kseen[e->key] = 1; acc_init(&c->kacc[e->key]); c->touched[c->ntouched++] = e->key; }
        acc_merge(&c->kacc[e->key], &e->a);
    }
    mmr_value out;
    size_t n = c->ntouched;
    for (size_t i = 0; i < n; i++) *rows += (uint64_t)c->kacc[c->touched[i]].n;
    if (before_history) out = mmr_v_missing();
    else if (x->agg == MMR_AGG_DISTINCT) out = mmr_v_num((double)n);
    else out = touched_map(c, x, ar);
    for (size_t i = 0; i < n; i++) c->kseen[c->touched[i]] = 0;
    return out;
}

static int fast_cmp(mmr_op op, double a, double k)
{
    switch (op) {
    case MMR_OP_EQ: return a == k;
    case MMR_OP_NE: return a != k;
    case MMR_OP_LT: return a < k;
    case MMR_OP_LE: return a <= k;
    case MMR_OP_GT: return a > k;
    default: return a >= k;
    }
}

/* The filter of part pi on one transaction (its fields already built):
 * 1 only when it is true (false and unknown both leave the row out). */
static int filter_true(mmr_sigcalc *c, int pi, const mmr_txn *r, const int32_t *ids,
                       const mmr_value *fields, mmr_arena *ar)
{
    const part *q = &c->p->parts[pi];
    mmr_sig_env env = { c->p->u, fields, NULL, NULL, ar };
    if (q->nmemo) {
        uint64_t key = ((uint64_t)pi << 56) | ((uint64_t)(r->type & 1) << 55) | ((uint64_t)(r->recurring & 1) << 54) |
                       ((uint64_t)(uint32_t)ids[0] << 27) | (q->reads_merchant ? (uint64_t)(uint32_t)(ids[1] + 1) & 0x7ffffff : 0);
        int32_t v;
        if (!u64map_get(&c->memo, key, &v)) {
            v = 1;
            for (int i = 0; i < q->nmemo && v == 1; i++) {
                mmr_value x = mmr_sig_eval(&env, q->memo[i]);
                if (mmr_truth(&x) != 1) v = 0;
            }
            u64map_put(&c->memo, key, v);
        }
        if (v != 1) return 0;
    }
    for (int i = 0; i < q->nfast; i++) {
        const mmr_value *f = &fields[q->fast[i].field];
        if (f->tag != MMR_V_NUM || !fast_cmp(q->fast[i].op, f->u.num, q->fast[i].k)) return 0;
    }
    for (int i = 0; i < q->nslow; i++) {
        mmr_value x = mmr_sig_eval(&env, q->slow[i]);
        if (mmr_truth(&x) != 1) return 0;
    }
    return 1;
}

void mmr_sigcalc_begin(mmr_sigcalc *c, int64_t as_of_day)
{
    const mmr_sigplan *p = c->p;
    c->D = as_of_day;
    c->base = as_of_day - p->reach + 1;
    c->first_day = INT64_MAX;
    if (++c->epoch == 0) {             /* wrapped: every row is stale */
        memset(c->row_epoch, 0, (size_t)p->reach * sizeof *c->row_epoch);
        c->epoch = 1;
    }
    c->ngroups = 0;
    mmr_arena_reset(&c->ua);
    memset(c->rows, 0, sizeof c->rows);
}

static int row_cmp_budget(const mmr_value *a, const mmr_value *b)
{
    const mmr_value *x = &a[MMR_BGF_CATEGORY], *y = &b[MMR_BGF_CATEGORY];
    if (x->tag != MMR_V_TEXT || y->tag != MMR_V_TEXT) return (x->tag == MMR_V_TEXT) - (y->tag == MMR_V_TEXT);
    return mmr_text_cmp(x->u.text, y->u.text);
}

static int row_cmp_goal(const mmr_value *a, const mmr_value *b)
{
    /* 1 first; no priority (missing, or the database's default 0) last */
    double pa = a[MMR_GLF_PRIORITY].tag == MMR_V_NUM && a[MMR_GLF_PRIORITY].u.num > 0 ? a[MMR_GLF_PRIORITY].u.num : 1e300;
    double pb = b[MMR_GLF_PRIORITY].tag == MMR_V_NUM && b[MMR_GLF_PRIORITY].u.num > 0 ? b[MMR_GLF_PRIORITY].u.num : 1e300;
    if (pa != pb) return pa < pb ? -1 : 1;
    const mmr_value *x = &a[MMR_GLF_GOAL_ID], *y = &b[MMR_GLF_GOAL_ID];
    if (x->tag != MMR_V_TEXT || y->tag != MMR_V_TEXT) return (x->tag == MMR_V_TEXT) - (y->tag == MMR_V_TEXT);
    return mmr_text_cmp(x->u.text, y->u.text);
}

int mmr_sigcalc_rows(mmr_sigcalc *c, int source, const mmr_value *rows, size_t n)
{
    if (source <= MMR_SRC_TRANSACTION || source >= MMR_NSOURCES) return -1;
    size_t nf = mmr_sources[source].nfields;
    mmr_value *v = n ? mmr_arena_alloc(&c->ua, n * nf * sizeof *v) : NULL;
    if (n && !v) return -1;
    if (n) memcpy(v, rows, n * nf * sizeof *v);
    if (source == MMR_SRC_GOAL) {
        for (size_t i = 0; i < n; i++) {
            mmr_value *r = &v[i * nf];
            r[MMR_GLF_PROGRESS] = r[MMR_GLF_TARGET].tag == MMR_V_NUM && r[MMR_GLF_SAVED].tag == MMR_V_NUM &&
                                  r[MMR_GLF_TARGET].u.num != 0
                ? mmr_v_num(r[MMR_GLF_SAVED].u.num / r[MMR_GLF_TARGET].u.num) : mmr_v_missing();
            int64_t dl;
            r[MMR_GLF_DAYS_LEFT] = r[MMR_GLF_DEADLINE].tag == MMR_V_TEXT &&
                                   !mmr_sig_day_parse(r[MMR_GLF_DEADLINE].u.text->bytes, &dl)
                ? mmr_v_num((double)(dl - c->D)) : mmr_v_missing();
        }
    }
    /* the source's order, for first and last (insertion sort: a user has few) */
    int (*cmp)(const mmr_value *, const mmr_value *) = source == MMR_SRC_GOAL ? row_cmp_goal : row_cmp_budget;
    mmr_value tmpbuf[16];
    mmr_value *tmp = nf <= 16 ? tmpbuf : NULL;
    for (size_t i = 1; tmp && i < n; i++) {
        memcpy(tmp, &v[i * nf], nf * sizeof *v);
        size_t j = i;
        while (j > 0 && cmp(&v[(j - 1) * nf], tmp) > 0) { memcpy(&v[j * nf], &v[(j - 1) * nf], nf * sizeof *v); j--; }
        memcpy(&v[j * nf], tmp, nf * sizeof *v);
    }
    c->rows[source].v = v;
    c->rows[source].n = n;
    c->rows[source].known = 1;
    return 0;
}

/* An aggregate of budget or goal rows: missing when the user has none of
 * that source at all (nothing is known), else like a window's. */
static mmr_value fold_rows(mmr_sigcalc *c, const agg *g, mmr_arena *ar)
{
    const mmr_derived *x = g->x;
    int src = x->source_id;
    size_t nf = mmr_sources[src].nfields, n = c->rows[src].n;
    if (!c->rows[src].known || n == 0) return mmr_v_missing();
    mmr_sig_env env = { c->p->u, NULL, NULL, NULL, &c->scratch };
    int group = x->by_field >= 0 ? x->by_field : x->agg == MMR_AGG_DISTINCT ? x->field : -1;
    acc all;
    acc_init(&all);
    if (grow_keys_scratch(c)) return mmr_v_missing();
    c->ntouched = 0;
    for (size_t i = 0; i < n; i++) {
        const mmr_value *r = &c->rows[src].v[i * nf];
        env.fields = r;
        mmr_arena_reset(&c->scratch);
        if (x->where) {
            mmr_value t = mmr_sig_eval(&env, x->where);
            if (mmr_truth(&t) != 1) continue;
        }
        const mmr_value *fv = x->field >= 0 ? &r[x->field] : NULL;
        double v = fv && fv->tag == MMR_V_NUM ? fv->u.num : 0;
        mmr_value val = fv ? *fv : mmr_v_missing();
        if (group < 0) { acc_add(&all, v, &val, (int64_t)i, NULL, NEED_FIRSTLAST); continue; }
        const mmr_value *gv = &r[group];
        int32_t key;
        if (gv->tag == MMR_V_TEXT) key = intern(c, gv->u.text->bytes, gv->u.text->len);
        else if (gv->tag == MMR_V_NUM) {
            char nb[32];
            int len = snprintf(nb, sizeof nb, "%.0f", gv->u.num);
            key = intern(c, nb, (size_t)len);
        } else continue;
        if (key < 0 || grow_keys_scratch(c)) return mmr_v_missing();
        if (!c->kseen[key]) { c->kseen[key] = 1; acc_init(&c->kacc[key]); c->touched[c->ntouched++] = key; }
        acc_add(&c->kacc[key], v, &val, (int64_t)i, NULL, NEED_FIRSTLAST);
    }
    if (group < 0) {
        c->info[g->sig].rows = (uint64_t)all.n;
        /* a text value made by first/last lives in the rows: copy it out */
        return finish(x, &all, 0, ar);
    }
    mmr_value out;
    size_t nk = c->ntouched;
    if (x->agg == MMR_AGG_DISTINCT) out = mmr_v_num((double)nk);
    else out = touched_map(c, x, ar);
    for (size_t i = 0; i < nk; i++) c->kseen[c->touched[i]] = 0;
    return out;
}

void mmr_sigcalc_first_day(mmr_sigcalc *c, int64_t day)
{
    if (day < c->first_day) c->first_day = day;
}

int64_t mmr_sigcalc_local_day(mmr_sigcalc *c, const char *tz, int64_t ts, mmr_diags *d)
{
    const char *why = NULL;
    const mmr_tz *zone = mmr_tz_get(c->tzc, tz ? tz : c->p->tz, &why);
    if (!zone) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "time zone \"%s\": %s", tz ? tz : c->p->tz, why ? why : "unknown");
        return INT64_MIN;
    }
    return mmr_time_day(ts + mmr_tz_offset_at(zone, ts));
}

int mmr_sigcalc_add(mmr_sigcalc *c, const mmr_txn *txns, size_t n, const char *tz,
                    int64_t lo, int64_t hi, mmr_diags *d)
{
    const mmr_sigplan *p = c->p;
    const char *why = NULL;
    const mmr_tz *zone = mmr_tz_get(c->tzc, tz ? tz : p->tz, &why);
    if (!zone) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "time zone \"%s\": %s", tz ? tz : p->tz, why ? why : "unknown");
        return -1;
    }
    if (lo < c->base) lo = c->base;
    if (hi > c->D) hi = c->D;
    size_t np = p->nparts;
    int reads = p->reads;
    mmr_value fields[MMR_TXF_COUNT];
    for (int f = 0; f < MMR_TXF_COUNT; f++) fields[f] = mmr_v_missing();
    char daybuf[MMR_TIME_BUF];
    for (size_t i = 0; i < n; i++) {
        const mmr_txn *r = &txns[i];
        int64_t local = r->ts + mmr_tz_offset_at(zone, r->ts);
        int64_t day = mmr_time_day(local);
        if (day < c->first_day) c->first_day = day;
        if (day > hi || day < lo) continue;
        /* only the fields something reads are built */
        int32_t ids[2];
        ids[0] = intern(c, r->category, r->category_len);
        ids[1] = r->merchant && (reads & (1 << MMR_TXF_MERCHANT)) ? intern(c, r->merchant, r->merchant_len) : -1;
        if (ids[0] < 0) goto oom;
        mmr_text *idt = NULL;
        if (reads & (1 << MMR_TXF_TXN_ID)) {
            idt = mmr_text_new(&c->ua, r->txn_id, r->txn_id_len);
            if (!idt) goto oom;
            fields[MMR_TXF_TXN_ID] = mmr_v_text(idt);
        }
        if (reads & (1 << MMR_TXF_USER_ID)) {
            mmr_text *uidt = mmr_text_new(&c->ua, r->user_id, r->user_id_len);
            if (!uidt) goto oom;
            fields[MMR_TXF_USER_ID] = mmr_v_text(uidt);
        }
        fields[MMR_TXF_TS] = mmr_v_num((double)r->ts);
        fields[MMR_TXF_AMOUNT] = mmr_v_num(r->amount);
        fields[MMR_TXF_TYPE] = mmr_v_text(c->keys[r->type == MMR_TXN_INCOME ? c->id_income : c->id_expense]);
        fields[MMR_TXF_CATEGORY] = mmr_v_text(c->keys[ids[0]]);
        fields[MMR_TXF_MERCHANT] = ids[1] >= 0 ? mmr_v_text(c->keys[ids[1]]) : mmr_v_missing();
        fields[MMR_TXF_RECURRING] = mmr_v_bool(r->recurring);
        fields[MMR_TXF_HOUR] = mmr_v_num((double)((local - day * 86400) / 3600));
        if (reads & ((1 << MMR_TXF_WEEKDAY) | (1 << MMR_TXF_DAY))) {
            int32_t wid = intern(c, wdays[weekday_of(day)], 3);
            mmr_date_format(day * 86400, daybuf);
            int32_t did = intern(c, daybuf, strlen(daybuf));
            if (wid < 0 || did < 0) goto oom;
            fields[MMR_TXF_WEEKDAY] = mmr_v_text(c->keys[wid]);
            fields[MMR_TXF_DAY] = mmr_v_text(c->keys[did]);
        }
        mmr_arena_reset(&c->scratch);
        for (size_t pi = 0; pi < np; pi++) {
            const part *q = &p->parts[pi];
            if (!filter_true(c, (int)pi, r, ids, fields, &c->scratch)) continue;
            const mmr_value *fv = q->field >= 0 ? &fields[q->field] : &fields[MMR_TXF_AMOUNT];
            double v = fv->tag == MMR_V_NUM ? fv->u.num : 0;
            if (q->group < 0) {
                acc_add(&row_w(c, day - c->base)[pi], v, fv, r->ts, idt, q->need);
                continue;
            }
            const mmr_value *gv = &fields[q->group];
            int32_t key;
            if (gv->tag == MMR_V_TEXT) key = intern(c, gv->u.text->bytes, gv->u.text->len);
            else if (gv->tag == MMR_V_NUM) {
                char nb[32];
                int len = snprintf(nb, sizeof nb, "%.0f", gv->u.num);
                key = intern(c, nb, (size_t)len);
            } else if (gv->tag == MMR_V_BOOL) key = intern(c, gv->u.i ? "true" : "false", gv->u.i ? 4 : 5);
            else continue;                 /* no key (a merchant not given): not grouped */
            if (key < 0 || grow_groups(c)) goto oom;
            gent *e = &c->groups[c->ngroups++];
            c->groups_sorted = 0;
            e->day = (int32_t)(day - c->base);
            e->part = (int32_t)pi;
            e->key = key;
            acc_init(&e->a);
            acc_add(&e->a, v, fv, r->ts, idt, q->need);
        }
    }
    return 0;
oom:
    mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    return -1;
}

int mmr_sigcalc_finish(mmr_sigcalc *c, const mmr_value *traits, mmr_value *out, mmr_arena *a)
{
    const mmr_sigplan *p = c->p;
    int64_t D = c->D, base = c->base;
    for (size_t gi = 0; gi < p->naggs; gi++) {
        const agg *g = &p->aggs[gi];
        const mmr_derived *x = g->x;
        int64_t lo, hi;
        window_days(x, D, &lo, &hi);
        int before = hi < c->first_day;
        winfo *wi = &c->info[g->sig];
        wi->lo = lo; wi->hi = hi; wi->rows = 0;
        if (lo < base) lo = base;
        if (g->part < 0) {
            out[g->sig] = fold_rows(c, g, a);
            continue;
        }
        if (p->parts[g->part].group >= 0) {
            out[g->sig] = fold_groups(c, g, lo, hi, before, &wi->rows, a);
            continue;
        }
        if (x->bucket_days) {
            /* buckets of bucket_days ending at hi; those wholly before
             * the user's first day are left out */
            acc over;
            acc_init(&over);
            int nb = (int)((hi - lo + 1) / x->bucket_days);
            for (int b = 0; b < nb; b++) {
                int64_t bhi = hi - (int64_t)b * x->bucket_days, blo = bhi - x->bucket_days + 1;
                if (bhi < c->first_day) continue;
                acc in;
                acc_init(&in);
                for (int64_t dd = blo; dd <= bhi; dd++) {
                    const acc *row = dd >= base ? row_r(c, dd - base) : NULL;
                    if (row) acc_merge(&in, &row[g->part]);
                }
                wi->rows += (uint64_t)in.n;
                double bv = x->inner == MMR_AGG_COUNT ? in.n : in.sum;
                if (over.n == 0 || bv < over.min) over.min = bv;
                if (over.n == 0 || bv > over.max) over.max = bv;
                over.n += 1; over.sum += bv; over.sumsq += bv * bv;
            }
            out[g->sig] = finish(x, &over, 0, a);
            continue;
        }
        acc w;
        acc_init(&w);
        for (int64_t dd = lo; dd <= hi; dd++) {
            const acc *row = row_r(c, dd - base);
            if (row) acc_merge(&w, &row[g->part]);
        }
        wi->rows = (uint64_t)w.n;
        out[g->sig] = finish(x, &w, before, a);
    }
    /* computed signals, each after the signals it reads */
    for (size_t k = 0; k < p->ncomputed; k++) {
        size_t s = p->computed[k];
        mmr_sig_env env = { p->u, NULL, out, traits, a };
        out[s] = mmr_sig_eval(&env, p->u->signals[s]->def->expr);   /* texts it made live in a */
    }
    return 0;
}

void mmr_sigplan_recompute(const mmr_sigplan *p, const mmr_value *traits, mmr_value *out,
                           const unsigned char *fixed, mmr_arena *a)
{
    for (size_t k = 0; k < p->ncomputed; k++) {
        size_t s = p->computed[k];
        if (fixed && fixed[s]) continue;
        mmr_sig_env env = { p->u, NULL, out, traits, a };
        out[s] = mmr_sig_eval(&env, p->u->signals[s]->def->expr);
    }
}

int mmr_sigcalc_user(mmr_sigcalc *c, const mmr_txn *txns, size_t n, const char *tz,
                     int64_t D, const mmr_value *traits, mmr_value *out,
                     mmr_arena *a, mmr_diags *d)
{
    mmr_sigcalc_begin(c, D);
    if (mmr_sigcalc_add(c, txns, n, tz, INT64_MIN, INT64_MAX, d)) return -1;
    return mmr_sigcalc_finish(c, traits, out, a);
}

/* ------------------------------------------------------------ day tiles
 *
 * A tile is one user-day of every part, as bytes (mm_signal_tile.data):
 *   entry*  where  entry = varint(part * 2 + grouped) [varint(len) key]
 *                          varint(n) [f64 sum] [f64 sumsq] [f64 min, f64 max]
 *                          [first: zigzag(ts) value id, last: the same]
 *   value = 0 (missing) | 1 f64 | 2 byte (bool) | 3 varint(len) bytes (text)
 * Only what the part's aggregates read is stored (part.need). Numbers are
 * little-endian IEEE doubles. */

static void put_varint(mmr_buf *b, uint64_t v)
{
    char t[10];
    int n = 0;
    do { t[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)); v >>= 7; } while (v);
    mmr_buf_append(b, t, (size_t)n);
}

static void put_f64(mmr_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    char t[8];
    for (int i = 0; i < 8; i++) t[i] = (char)(u >> (8 * i));
    mmr_buf_append(b, t, 8);
}

static void put_text(mmr_buf *b, const char *s, size_t n)
{
    put_varint(b, n);
    mmr_buf_append(b, s, n);
}

static void put_value(mmr_buf *b, const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_NUM: mmr_buf_putc(b, 1); put_f64(b, v->u.num); break;
    case MMR_V_BOOL: mmr_buf_putc(b, 2); mmr_buf_putc(b, (char)v->u.i); break;
    case MMR_V_TEXT: mmr_buf_putc(b, 3); put_text(b, v->u.text->bytes, v->u.text->len); break;
    default: mmr_buf_putc(b, 0); break;
    }
}

static void put_acc(mmr_buf *b, const acc *a, int need)
{
    put_varint(b, (uint64_t)a->n);
    if (need & (NEED_SUM | NEED_SUMSQ)) put_f64(b, a->sum);
    if (need & NEED_SUMSQ) put_f64(b, a->sumsq);
    if (need & NEED_MINMAX) { put_f64(b, a->min); put_f64(b, a->max); }
    if (need & NEED_FIRSTLAST) {
        put_varint(b, ((uint64_t)a->first_ts << 1) ^ (uint64_t)(a->first_ts >> 63));
        put_value(b, &a->first_v);
        put_text(b, a->first_id ? a->first_id->bytes : "", a->first_id ? a->first_id->len : 0);
        put_varint(b, ((uint64_t)a->last_ts << 1) ^ (uint64_t)(a->last_ts >> 63));
        put_value(b, &a->last_v);
        put_text(b, a->last_id ? a->last_id->bytes : "", a->last_id ? a->last_id->len : 0);
    }
}

static int gent_cmp(const void *x, const void *y)
{
    const gent *a = x, *b = y;
    if (a->day != b->day) return a->day < b->day ? -1 : 1;
    if (a->part != b->part) return a->part < b->part ? -1 : 1;
    return (a->key > b->key) - (a->key < b->key);
}

/* Bottom-up merge sort of the group entries (stable, no allocation
 * once the scratch has grown to the largest user). */
static int sort_groups(mmr_sigcalc *c)
{
    size_t n = c->ngroups;
    if (n < 2) return 0;
    if (c->gtmp_cap < n) {
        gent *t = realloc(c->gtmp, n * sizeof *t);
        if (!t) return -1;
        c->gtmp = t; c->gtmp_cap = n;
    }
    gent *a = c->groups, *b = c->gtmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = gent_cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        gent *t = a; a = b; b = t;
    }
    if (a != c->groups) memcpy(c->groups, a, n * sizeof *a);
    return 0;
}

int mmr_sigcalc_tile_get(mmr_sigcalc *c, int64_t day, mmr_buf *out)
{
    const mmr_sigplan *p = c->p;
    mmr_buf_clear(out);
    if (day < c->base || day > c->D) return -1;
    size_t np = p->nparts;
    const acc *trow = row_r(c, day - c->base);
    for (size_t pi = 0; trow && pi < np; pi++) {
        const acc *a = &trow[pi];
        if (a->n <= 0 || p->parts[pi].group >= 0) continue;
        put_varint(out, pi * 2);
        put_acc(out, a, p->parts[pi].need);
    }
    /* group entries of the day, one per (part, key) */
    if (!c->groups_sorted) {
        if (sort_groups(c)) return -1;
        c->groups_sorted = 1;
    }
    int32_t di = (int32_t)(day - c->base);
    size_t lo = 0, hi = c->ngroups;        /* the day's first entry */
    while (lo < hi) { size_t mid = (lo + hi) / 2; if (c->groups[mid].day < di) lo = mid + 1; else hi = mid; }
    for (size_t i = lo; i < c->ngroups;) {
        if (c->groups[i].day != di) break;
        size_t e = i;
        acc sum;
        acc_init(&sum);
        while (e < c->ngroups && c->groups[e].day == di && c->groups[e].part == c->groups[i].part &&
               c->groups[e].key == c->groups[i].key) acc_merge(&sum, &c->groups[e++].a);
        const part *q = &p->parts[c->groups[i].part];
        put_varint(out, (uint64_t)c->groups[i].part * 2 + 1);
        put_text(out, c->keys[c->groups[i].key]->bytes, c->keys[c->groups[i].key]->len);
        put_acc(out, &sum, q->need);
        i = e;
    }
    return 0;
}

typedef struct rd { const unsigned char *p, *end; int bad; } rd;

static uint64_t get_varint(rd *r)
{
    uint64_t v = 0;
    for (int s = 0; s < 64; s += 7) {
        if (r->p >= r->end) { r->bad = 1; return 0; }
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) return v;
    }
    r->bad = 1;
    return 0;
}

static double get_f64(rd *r)
{
    if (r->end - r->p < 8) { r->bad = 1; return 0; }
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static const mmr_text *get_text(rd *r, mmr_arena *a)
{
    uint64_t n = get_varint(r);
    if (r->bad || n > (uint64_t)(r->end - r->p)) { r->bad = 1; return NULL; }
    mmr_text *t = mmr_text_new(a, (const char *)r->p, (size_t)n);
    r->p += n;
    if (!t) r->bad = 1;
    return t;
}

static mmr_value get_value(rd *r, mmr_arena *a)
{
    if (r->p >= r->end) { r->bad = 1; return mmr_v_missing(); }
    unsigned char tag = *r->p++;
    switch (tag) {
    case 0: return mmr_v_missing();
    case 1: return mmr_v_num(get_f64(r));
    case 2:
        if (r->p >= r->end) { r->bad = 1; return mmr_v_missing(); }
        return mmr_v_bool(*r->p++ != 0);
    case 3: { const mmr_text *t = get_text(r, a); return t ? mmr_v_text(t) : mmr_v_missing(); }
    default: r->bad = 1; return mmr_v_missing();
    }
}

static void get_acc(rd *r, acc *a, int need, mmr_arena *ar)
{
    acc_init(a);
    a->n = (double)get_varint(r);
    if (need & (NEED_SUM | NEED_SUMSQ)) a->sum = get_f64(r);
    if (need & NEED_SUMSQ) a->sumsq = get_f64(r);
    if (need & NEED_MINMAX) { a->min = get_f64(r); a->max = get_f64(r); }
    if (need & NEED_FIRSTLAST) {
        uint64_t z = get_varint(r);
        a->first_ts = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        a->first_v = get_value(r, ar);
        a->first_id = get_text(r, ar);
        z = get_varint(r);
        a->last_ts = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        a->last_v = get_value(r, ar);
        a->last_id = get_text(r, ar);
    }
    if (!(a->n >= 1) || a->n > 1e15) r->bad = 1;
}

int mmr_sigcalc_tile_put(mmr_sigcalc *c, int64_t day, const void *data, size_t len)
{
    const mmr_sigplan *p = c->p;
    if (day < c->base || day > c->D) return 0;
    size_t np = p->nparts, g0 = c->ngroups;
    rd r = { data, (const unsigned char *)data + len, 0 };
    acc *row = row_w(c, day - c->base);
    while (r.p < r.end && !r.bad) {
        uint64_t tag = get_varint(&r);
        uint64_t pi = tag >> 1;
        if (r.bad || pi >= np || (int)(tag & 1) != (p->parts[pi].group >= 0)) { r.bad = 1; break; }
        if (!(tag & 1)) { get_acc(&r, &row[pi], p->parts[pi].need, &c->ua); continue; }
        const mmr_text *k = get_text(&r, &c->ua);
        if (r.bad) break;
        int32_t key = intern(c, k->bytes, k->len);
        if (key < 0 || grow_groups(c)) { r.bad = 1; break; }
        gent *e = &c->groups[c->ngroups++];
        c->groups_sorted = 0;
        e->day = (int32_t)(day - c->base);
        e->part = (int32_t)pi;
        e->key = key;
        get_acc(&r, &e->a, p->parts[pi].need, &c->ua);
    }
    if (r.bad) {
        /* a damaged tile is as good as none: the caller recomputes the day */
        for (size_t pi = 0; pi < np; pi++) acc_init(&row[pi]);
        c->ngroups = g0;
        return -1;
    }
    return 0;
}

int mmr_sigplan_window(const mmr_sigplan *p, size_t s, int64_t as_of_day, int64_t *first_day, int64_t *last_day)
{
    if (s >= p->u->nsignals || p->agg_of[s] < 0) return -1;
    window_days(p->aggs[p->agg_of[s]].x, as_of_day, first_day, last_day);
    return 0;
}

int mmr_sigcalc_window(const mmr_sigcalc *c, size_t s, int64_t *first_day, int64_t *last_day, uint64_t *rows)
{
    if (s >= c->p->u->nsignals || c->p->agg_of[s] < 0) return -1;
    *first_day = c->info[s].lo;
    *last_day = c->info[s].hi;
    *rows = c->info[s].rows;
    return 0;
}

int mmr_sig_day_parse(const char *s, int64_t *day)
{
    int64_t t;
    if (!s || mmr_date_parse(s, strlen(s), &t, NULL)) return -1;
    *day = mmr_time_day(t);
    return 0;
}
