/* Derived signals from files (see signals/snapfile.h). */
#include "signals/snapfile.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "engine/tz.h"
#include "signals/rows.h"
#include "signals/source.h"
#include "signals/txn.h"
#include "util/userid.h"
#include "util/outfile.h"

/* ------------------------------------------------------------ one line */

static void put_value(mmr_buf *b, const mmr_value *v)
{
    switch (v->tag) {
    case MMR_V_NUM: mmr_buf_number(b, v->u.num); return;
    case MMR_V_BOOL: mmr_buf_puts(b, v->u.i ? "true" : "false"); return;
    case MMR_V_TEXT: mmr_buf_json_string(b, v->u.text->bytes, v->u.text->len); return;
    case MMR_V_MAP:
        mmr_buf_putc(b, '{');
        for (uint32_t i = 0; i < v->u.map->n; i++) {
            if (i) mmr_buf_putc(b, ',');
            mmr_buf_json_string(b, v->u.map->keys[i]->bytes, v->u.map->keys[i]->len);
            mmr_buf_putc(b, ':');
            mmr_buf_number(b, v->u.map->vals[i]);
        }
        mmr_buf_putc(b, '}');
        return;
    default: mmr_buf_puts(b, "null"); return;
    }
}

void mmr_signals_line(mmr_buf *b, const mmr_unit *u, const mmr_sigplan *plan,
                      const mmr_sigcalc *calc, const char *user_id, size_t user_len,
                      const char *as_of, const mmr_value *vals, const char *traits_json)
{
    mmr_buf_puts(b, "{\"user_id\":");
    mmr_buf_json_string(b, user_id, user_len);
    mmr_buf_puts(b, ",\"as_of\":\"");
    mmr_buf_puts(b, as_of);
    mmr_buf_puts(b, "\",\"signals\":{");
    for (size_t k = 0; k < mmr_sigplan_count(plan); k++) {
        size_t s = mmr_sigplan_signal(plan, k);
        if (k) mmr_buf_putc(b, ',');
        mmr_buf_json_string(b, u->signals[s]->name, strlen(u->signals[s]->name));
        mmr_buf_putc(b, ':');
        put_value(b, &vals[s]);
    }
    mmr_buf_putc(b, '}');
    if (calc) {
        /* how many transactions went into each aggregate: for explain */
        mmr_buf_puts(b, ",\"rows\":{");
        int any = 0;
        for (size_t k = 0; k < mmr_sigplan_count(plan); k++) {
            size_t s = mmr_sigplan_signal(plan, k);
            int64_t lo, hi;
            uint64_t rows;
            if (mmr_sigcalc_window(calc, s, &lo, &hi, &rows)) continue;
            if (any++) mmr_buf_putc(b, ',');
            mmr_buf_json_string(b, u->signals[s]->name, strlen(u->signals[s]->name));
            mmr_buf_printf(b, ":%llu", (unsigned long long)rows);
        }
        mmr_buf_putc(b, '}');
    }
    if (traits_json) {
        mmr_buf_puts(b, ",\"traits\":");
        mmr_buf_puts(b, traits_json);
    }
    mmr_buf_putc(b, '}');
}

/* ------------------------------------------------------------ traits */

static int row_cmp(const void *a, const void *b)
{
    return strcmp(((const mmr_traits_row *)a)->user_id, ((const mmr_traits_row *)b)->user_id);
}

int mmr_traits_file_load(mmr_traits_file *t, const char *path, const mmr_unit *u,
                         const char *zoneinfo, mmr_diags *d)
{
    memset(t, 0, sizeof *t);
    mmr_arena_init(&t->arena, 1 << 16);
    mmr_jsonl in;
    if (mmr_jsonl_open(&in, path, d)) return -1;
    mmr_tz_cache *tzc = mmr_tz_cache_new(zoneinfo);
    size_t cap = 0;
    int bad = 0, k;
    json_t *o;
    while (tzc && (k = mmr_jsonl_next(&in, &o, d)) != 0) {
        if (k < 0) { bad = 1; continue; }
        const char *uid = json_string_value(json_object_get(o, "user_id"));
        json_t *tr = json_object_get(o, "traits");
        if (!json_is_object(o) || !uid || !*uid) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, (int)in.ln, 0, "a traits line needs \"user_id\" (a non-empty text)");
            bad = 1; json_decref(o); continue;
        }
        mmr_buf um;   /* the user id rule (util/userid.h) */
        mmr_buf_init(&um);
        if (mmr_user_id_check(&um, uid, json_string_length(json_object_get(o, "user_id"))) < 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, (int)in.ln, 0, "%s", um.data ? um.data : "bad user id");
            mmr_buf_free(&um);
            bad = 1; json_decref(o); continue;
        }
        mmr_buf_free(&um);
        if (tr && !json_is_object(tr) && !json_is_null(tr)) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, (int)in.ln, 0, "\"traits\" must be an object");
            bad = 1; json_decref(o); continue;
        }
        json_t *tz = tr ? json_object_get(tr, "tz") : NULL;
        const char *tzs = json_string_value(tz);
        if (tz && !json_is_null(tz)) {
            const char *why = NULL;
            if (!tzs || !mmr_tz_get(tzc, tzs, &why)) {
                mmr_diag_add(d, MMR_SEV_ERROR, path, (int)in.ln, 0, "user %s: time zone %s%s%s: %s", uid,
                             tzs ? "\"" : "", tzs ? tzs : "(not a text)", tzs ? "\"" : "", why ? why : "must be a text");
                bad = 1; json_decref(o); continue;
            }
        }
        if (t->n == cap) {
            cap = cap ? cap * 2 : 1024;
            mmr_traits_row *nr = realloc(t->rows, cap * sizeof *nr);
            if (!nr) { json_decref(o); bad = 1; break; }
            t->rows = nr;
        }
        mmr_traits_row *r = &t->rows[t->n++];
        memset(r, 0, sizeof *r);
        r->user_id = mmr_arena_strndup(&t->arena, uid, strlen(uid));
        r->tz = tzs ? mmr_arena_strndup(&t->arena, tzs, strlen(tzs)) : NULL;
        char *js = tr && json_is_object(tr) ? json_dumps(tr, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
        r->json = js ? mmr_arena_strndup(&t->arena, js, strlen(js)) : NULL;
        free(js);
        size_t ntr = u ? u->ntraits : 0;
        r->vals = mmr_arena_alloc(&t->arena, (ntr ? ntr : 1) * sizeof *r->vals);
        for (size_t i = 0; r->vals && i < ntr; i++) {
            json_t *v = tr ? json_object_get(tr, u->traits[i]->name) : NULL;
            r->vals[i] = mmr_v_missing();
            if (json_is_number(v) && u->traits[i]->type == MMR_T_NUMBER) r->vals[i] = mmr_v_num(json_number_value(v));
            else if (json_is_boolean(v) && u->traits[i]->type == MMR_T_BOOL) r->vals[i] = mmr_v_bool(json_is_true(v));
            else if (json_is_string(v) && u->traits[i]->type == MMR_T_TEXT) {
                mmr_text *tx = mmr_text_new(&t->arena, json_string_value(v), json_string_length(v));
                if (tx) r->vals[i] = mmr_v_text(tx);
            }
        }
        if (!r->user_id || !r->vals) bad = 1;
        json_decref(o);
    }
    if (mmr_jsonl_close(&in, d)) bad = 1;
    if (!tzc) { mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory"); bad = 1; }
    else mmr_tz_cache_free(tzc);
    if (t->n > 1) qsort(t->rows, t->n, sizeof *t->rows, row_cmp);
    for (size_t i = 1; i < t->n && !bad; i++)
        if (!strcmp(t->rows[i].user_id, t->rows[i - 1].user_id)) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "user %s has more than one traits line", t->rows[i].user_id);
            bad = 1;
        }
    return bad ? -1 : 0;
}

void mmr_traits_file_free(mmr_traits_file *t)
{
    free(t->rows);
    mmr_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

static int ucmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

const mmr_traits_row *mmr_traits_file_find(const mmr_traits_file *t, const char *user, size_t len)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = ucmp(t->rows[mid].user_id, strlen(t->rows[mid].user_id), user, len);
        if (c == 0) return &t->rows[mid];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------------------ the run */

typedef struct job {
    const mmr_snapfile_opts *o;
    const mmr_unit *u;
    mmr_sigplan *plan;
    mmr_sigcalc *calc;
    mmr_traits_file traits;
    mmr_rowfile budgets, goals;
    int have_budgets, have_goals;
    size_t next_trait;           /* traits rows before this one are written */
    int64_t day;
    mmr_value *vals;
    mmr_arena ua;                /* the current user's transactions and values */
    mmr_txn *tx; size_t ntx, captx;
    mmr_buf line;
    FILE *out;
    mmr_snapfile_stats *st;
    mmr_diags *d;
} job;

static int user_done(job *j, const char *uid, size_t ulen)
{
    const mmr_traits_row *tr = j->traits.n ? mmr_traits_file_find(&j->traits, uid, ulen) : NULL;
    for (size_t i = 0; i < j->u->nsignals; i++) j->vals[i] = mmr_v_missing();
    mmr_sigcalc_begin(j->calc, j->day);
    const mmr_value *rows;
    size_t nrows;
    if (j->have_budgets) {
        nrows = mmr_rowfile_user(&j->budgets, uid, ulen, &rows);
        if (mmr_sigcalc_rows(j->calc, MMR_SRC_BUDGET, rows, nrows)) { mmr_diag_add(j->d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
    }
    if (j->have_goals) {
        nrows = mmr_rowfile_user(&j->goals, uid, ulen, &rows);
        if (mmr_sigcalc_rows(j->calc, MMR_SRC_GOAL, rows, nrows)) { mmr_diag_add(j->d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
    }
    if (mmr_sigcalc_add(j->calc, j->tx, j->ntx, tr ? tr->tz : NULL, INT64_MIN, INT64_MAX, j->d) ||
        mmr_sigcalc_finish(j->calc, tr ? tr->vals : NULL, j->vals, &j->ua)) {
        mmr_diag *g = j->d->n ? &j->d->v[j->d->n - 1] : NULL;
        if (g && !g->file[0]) {
            free(g->file);
            g->file = strdup(mmr_sigplan_timezone(j->plan) && !tr ? "policy timezone" : (j->o->traits_path ? j->o->traits_path : ""));
        }
        return -1;
    }
    mmr_buf_clear(&j->line);
    mmr_signals_line(&j->line, j->u, j->plan, j->calc, uid, ulen, j->o->as_of, j->vals, tr ? tr->json : NULL);
    mmr_buf_putc(&j->line, '\n');
    if (fwrite(j->line.data, 1, j->line.len, j->out) != j->line.len) {
        mmr_diag_add(j->d, MMR_SEV_ERROR, j->o->out_path, 0, 0, "write failed: %s", strerror(errno));
        return -1;
    }
    j->st->users++;
    if (j->o->progress && j->st->users % 1000 == 0) fprintf(j->o->progress, "\rsignals: %llu users", (unsigned long long)j->st->users);
    return 0;
}

/* Users of the traits file (with no transactions) ordered before uid; all
 * that are left when uid is NULL. */
static int traits_before(job *j, const char *uid, size_t ulen)
{
    while (j->next_trait < j->traits.n) {
        const mmr_traits_row *r = &j->traits.rows[j->next_trait];
        int c = uid ? ucmp(r->user_id, strlen(r->user_id), uid, ulen) : -1;
        if (c > 0) break;
        j->next_trait++;
        if (c == 0) continue;             /* has transactions: written with them */
        j->ntx = 0;
        mmr_arena_reset(&j->ua);
        if (user_done(j, r->user_id, strlen(r->user_id))) return -1;
    }
    return 0;
}

static int push_txn(job *j, const mmr_txn *t)
{
    if (j->ntx == j->captx) {
        size_t nc = j->captx ? j->captx * 2 : 1024;
        mmr_txn *n = realloc(j->tx, nc * sizeof *n);
        if (!n) return -1;
        j->tx = n; j->captx = nc;
    }
    mmr_txn *c = &j->tx[j->ntx++];
    *c = *t;
    c->txn_id = mmr_arena_strndup(&j->ua, t->txn_id, t->txn_id_len);
    c->user_id = mmr_arena_strndup(&j->ua, t->user_id, t->user_id_len);
    c->category = mmr_arena_strndup(&j->ua, t->category, t->category_len);
    c->merchant = t->merchant ? mmr_arena_strndup(&j->ua, t->merchant, t->merchant_len) : NULL;
    return c->txn_id && c->user_id && c->category && (!t->merchant || c->merchant) ? 0 : -1;
}

/* ------------------------------------------------------------ reading ahead
 *
 * The streaming pass reads and parses on a thread of its own, a batch of
 * transactions at a time, while the caller computes: parsing is about as
 * much work as the signals themselves. Batches go round a ring of NBATCH;
 * the reader stops at the first bad line's batch (it reads on to report up
 * to 20 bad lines) or when the consumer asks it to. */

#define NBATCH 4
#define BATCH_TXNS 8192

typedef struct batch {
    mmr_txn *v; size_t n;
    mmr_arena a;
    int full, last;
} batch;

typedef struct ahead {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch b[NBATCH];
    int stop;                    /* the consumer needs no more */
    const char *const *paths; size_t npaths;
    mmr_diags d;                 /* the reader's own diagnostics */
    int failed;
} ahead;

static batch *next_free(ahead *h, size_t w)
{
    batch *b = &h->b[w % NBATCH];
    pthread_mutex_lock(&h->mu);
    while (b->full && !h->stop) pthread_cond_wait(&h->cv, &h->mu);
    int stop = h->stop;
    pthread_mutex_unlock(&h->mu);
    if (stop) return NULL;
    b->n = 0;
    b->last = 0;
    mmr_arena_reset(&b->a);
    return b;
}

static void hand_over(ahead *h, batch *b, int last)
{
    pthread_mutex_lock(&h->mu);
    b->last = last;
    b->full = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static void *reader_main(void *arg)
{
    ahead *h = arg;
    size_t w = 0;
    batch *b = next_free(h, w);
    for (size_t fi = 0; b && fi < h->npaths; fi++) {
        mmr_txn_reader *r = mmr_txn_reader_open(h->paths[fi], &h->d);
        if (!r) { h->failed = 1; break; }
        mmr_txn t;
        int k;
        while ((k = mmr_txn_reader_next(r, &t, &h->d)) != 0) {
            if (k < 0) { h->failed = 1; if (h->d.errors >= 20) break; continue; }
            if (h->failed) continue;       /* read on only to report bad lines */
            mmr_txn *c = &b->v[b->n];
            *c = t;
            c->txn_id = mmr_arena_strndup(&b->a, t.txn_id, t.txn_id_len);
            c->user_id = mmr_arena_strndup(&b->a, t.user_id, t.user_id_len);
            c->category = mmr_arena_strndup(&b->a, t.category, t.category_len);
            c->merchant = t.merchant ? mmr_arena_strndup(&b->a, t.merchant, t.merchant_len) : NULL;
            if (!c->txn_id || !c->user_id || !c->category || (t.merchant && !c->merchant)) {
                mmr_diag_add(&h->d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
                h->failed = 1;
                break;
            }
            if (++b->n == BATCH_TXNS) {
                hand_over(h, b, 0);
                if (!(b = next_free(h, ++w))) break;
            }
        }
        mmr_txn_reader_close(r);
        if (h->d.errors >= 20) break;
    }
    if (b) hand_over(h, b, 1);
    return NULL;
}

/* The streaming pass: 0 done, 1 the input is not grouped by user in order
 * (nothing of it counts), -1 error. */
static int stream(job *j)
{
    ahead h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    mmr_diags_init(&h.d);
    h.paths = j->o->txn_paths;
    h.npaths = j->o->ntxn_paths;
    int rc = 0;
    for (int i = 0; i < NBATCH; i++) {
        mmr_arena_init(&h.b[i].a, 1 << 20);
        h.b[i].v = malloc(BATCH_TXNS * sizeof *h.b[i].v);
        if (!h.b[i].v) rc = -1;
    }
    pthread_t th;
    if (rc == 0 && pthread_create(&th, NULL, reader_main, &h)) rc = -1;
    if (rc) {
        for (int i = 0; i < NBATCH; i++) { free(h.b[i].v); mmr_arena_free(&h.b[i].a); }
        mmr_diags_free(&h.d);
        mmr_diag_add(j->d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
        return -1;
    }
    char *cur = NULL; size_t curlen = 0;
    for (size_t r = 0;; r++) {
        batch *b = &h.b[r % NBATCH];
        pthread_mutex_lock(&h.mu);
        while (!b->full) pthread_cond_wait(&h.cv, &h.mu);
        pthread_mutex_unlock(&h.mu);
        for (size_t i = 0; i < b->n && rc == 0; i++) {
            const mmr_txn *t = &b->v[i];
            j->st->transactions++;
            if (!cur || ucmp(cur, curlen, t->user_id, t->user_id_len) != 0) {
                if (cur && ucmp(cur, curlen, t->user_id, t->user_id_len) > 0) { rc = 1; break; }
                if (cur && user_done(j, cur, curlen)) { rc = -1; break; }
                if (traits_before(j, t->user_id, t->user_id_len)) { rc = -1; break; }
                free(cur);
                cur = strndup(t->user_id, t->user_id_len);
                curlen = t->user_id_len;
                if (!cur) { rc = -1; mmr_diag_add(j->d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); break; }
                j->ntx = 0;
                mmr_arena_reset(&j->ua);
            }
            if (push_txn(j, t)) { rc = -1; mmr_diag_add(j->d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); break; }
        }
        int last = b->last;
        pthread_mutex_lock(&h.mu);
        b->full = 0;
        if (rc) h.stop = 1;
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        if (last || rc) break;
    }
    pthread_join(th, NULL);
    if (h.failed) rc = -1;
    /* the reader's messages come first: they say why nothing was written */
    mmr_diags_append(&h.d, j->d);
    mmr_diags_append(j->d, &h.d);
    if (rc == 0 && cur && user_done(j, cur, curlen)) rc = -1;
    if (rc == 0 && traits_before(j, NULL, 0)) rc = -1;
    free(cur);
    for (int i = 0; i < NBATCH; i++) { free(h.b[i].v); mmr_arena_free(&h.b[i].a); }
    mmr_diags_free(&h.d);
    pthread_mutex_destroy(&h.mu);
    pthread_cond_destroy(&h.cv);
    return rc;
}

typedef struct held { mmr_txn t; size_t seq; } held;

static int held_cmp(const void *a, const void *b)
{
    const held *x = a, *y = b;
    int c = ucmp(x->t.user_id, x->t.user_id_len, y->t.user_id, y->t.user_id_len);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Not grouped: every transaction in memory, sorted by user. */
static int sorted_in_memory(job *j)
{
    mmr_arena all;
    mmr_arena_init(&all, 1 << 20);
    held *v = NULL; size_t n = 0, cap = 0;
    int rc = 0;
    j->st->transactions = 0;
    for (size_t fi = 0; fi < j->o->ntxn_paths && rc == 0; fi++) {
        mmr_txn_reader *r = mmr_txn_reader_open(j->o->txn_paths[fi], j->d);
        if (!r) { rc = -1; break; }
        mmr_txn t;
        int k;
        while ((k = mmr_txn_reader_next(r, &t, j->d)) > 0) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4096;
                held *nv = realloc(v, cap * sizeof *nv);
                if (!nv) { rc = -1; break; }
                v = nv;
            }
            held *h = &v[n];
            h->t = t;
            h->seq = n++;
            h->t.txn_id = mmr_arena_strndup(&all, t.txn_id, t.txn_id_len);
            h->t.user_id = mmr_arena_strndup(&all, t.user_id, t.user_id_len);
            h->t.category = mmr_arena_strndup(&all, t.category, t.category_len);
            h->t.merchant = t.merchant ? mmr_arena_strndup(&all, t.merchant, t.merchant_len) : NULL;
            if (!h->t.txn_id || !h->t.user_id || !h->t.category || (t.merchant && !h->t.merchant)) { rc = -1; break; }
        }
        if (k < 0) rc = -1;
        mmr_txn_reader_close(r);
    }
    if (rc == 0) {
        qsort(v, n, sizeof *v, held_cmp);
        j->st->transactions = n;
        j->st->sorted_in_memory = 1;
        for (size_t i = 0; i < n && rc == 0;) {
            size_t e = i;
            while (e < n && !ucmp(v[e].t.user_id, v[e].t.user_id_len, v[i].t.user_id, v[i].t.user_id_len)) e++;
            if (traits_before(j, v[i].t.user_id, v[i].t.user_id_len)) { rc = -1; break; }
            j->ntx = 0;
            mmr_arena_reset(&j->ua);
            for (size_t k = i; k < e; k++) if (push_txn(j, &v[k].t)) { rc = -1; break; }
            if (rc == 0 && user_done(j, v[i].t.user_id, v[i].t.user_id_len)) rc = -1;
            i = e;
        }
        if (rc == 0 && traits_before(j, NULL, 0)) rc = -1;
    }
    if (rc && !j->d->errors) mmr_diag_add(j->d, MMR_SEV_ERROR, "", 0, 0, "out of memory");
    free(v);
    mmr_arena_free(&all);
    return rc;
}

/* The output for stdout: an unlinked scratch file in TMPDIR (the output
 * may be restarted, so it is copied to stdout only at the end). A file
 * output goes through util/outfile.h instead. */
static FILE *open_stdout_temp(mmr_diags *d)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    size_t n = strlen(dir) + 32;
    char *tmp = malloc(n);
    if (!tmp) return NULL;
    snprintf(tmp, n, "%s/.mmr-signals-XXXXXX", dir);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, "<stdout>", 0, 0, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        free(tmp);
        return NULL;
    }
    unlink(tmp);   /* gone once closed, whatever happens */
    free(tmp);
    FILE *f = fdopen(fd, "w+");
    if (!f) close(fd);
    return f;
}

int mmr_snapfile_run(const mmr_snapfile_opts *o, mmr_snapfile_stats *st, mmr_diags *d)
{
    memset(st, 0, sizeof *st);
    job j;
    memset(&j, 0, sizeof j);
    j.o = o; j.u = o->unit; j.st = st; j.d = d;
    if (mmr_sig_day_parse(o->as_of, &j.day)) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "--as-of \"%s\" is not a date YYYY-MM-DD", o->as_of);
        return -1;
    }
    if (o->traits_path && mmr_traits_file_load(&j.traits, o->traits_path, j.u, o->zoneinfo, d)) {
        mmr_traits_file_free(&j.traits);
        return -1;
    }
    if (o->budgets_path) {
        if (mmr_rowfile_load(&j.budgets, MMR_SRC_BUDGET, o->budgets_path, d)) { mmr_traits_file_free(&j.traits); mmr_rowfile_free(&j.budgets); return -1; }
        j.have_budgets = 1;
    }
    if (o->goals_path) {
        if (mmr_rowfile_load(&j.goals, MMR_SRC_GOAL, o->goals_path, d)) {
            mmr_traits_file_free(&j.traits); mmr_rowfile_free(&j.budgets); mmr_rowfile_free(&j.goals);
            return -1;
        }
        j.have_goals = 1;
    }
    j.plan = mmr_sigplan_new(j.u);
    j.calc = j.plan ? mmr_sigcalc_new(j.plan, o->zoneinfo) : NULL;
    j.vals = calloc(j.u->nsignals ? j.u->nsignals : 1, sizeof *j.vals);
    mmr_arena_init(&j.ua, 1 << 16);
    mmr_buf_init(&j.line);
    int rc = -1;
    int to_stdout = !strcmp(o->out_path, "-"), direct = 0;
    mmr_outfile of;
    memset(&of, 0, sizeof of);
    if (!j.calc || !j.vals) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); goto out; }
    {
        const char *why = NULL;
        mmr_tz_cache *tzc = mmr_tz_cache_new(o->zoneinfo);
        if (!tzc || !mmr_tz_get(tzc, mmr_sigplan_timezone(j.plan), &why)) {
            mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "the policy's time zone \"%s\": %s", mmr_sigplan_timezone(j.plan), why ? why : "out of memory");
            if (tzc) mmr_tz_cache_free(tzc);
            goto out;
        }
        mmr_tz_cache_free(tzc);
    }
    if (to_stdout) j.out = open_stdout_temp(d);
    else if (mmr_outfile_open(&of, o->out_path, MMR_OUT_READ) == 0) { j.out = of.f; direct = of.in_place; }
    if (!j.out) {
        if (!d->errors) mmr_diag_add(d, MMR_SEV_ERROR, o->out_path, 0, 0, "cannot open: %s",
                                     errno == ENXIO ? "no process is reading it (a FIFO or socket)" : strerror(errno));
        goto out;
    }
    rc = stream(&j);
    if (rc == 1) {
        /* not grouped by user: start again from an empty output */
        if (!direct && (fflush(j.out) || ftruncate(fileno(j.out), 0) || fseek(j.out, 0, SEEK_SET))) rc = -1;
        else {
            j.next_trait = 0;
            st->users = 0;
            rc = sorted_in_memory(&j);
        }
    }
    if (rc == 0 && fflush(j.out)) { mmr_diag_add(d, MMR_SEV_ERROR, o->out_path, 0, 0, "write failed: %s", strerror(errno)); rc = -1; }
    if (rc == 0 && !direct) {
        if (to_stdout) {
            rewind(j.out);
            char buf[1 << 16];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, j.out)) > 0)
                if (fwrite(buf, 1, n, stdout) != n) { rc = -1; break; }
            if (fflush(stdout)) rc = -1;
            if (rc) mmr_diag_add(d, MMR_SEV_ERROR, "<stdout>", 0, 0, "write failed: %s", strerror(errno));
        }
    }
    if (rc == 0 && !to_stdout) {
        j.out = NULL;   /* the commit closes it */
        if (mmr_outfile_commit(&of) != 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, o->out_path, 0, 0, "cannot write: %s", strerror(errno));
            rc = -1;
        }
    }
    if (o->progress && st->users >= 1000) fputc('\n', o->progress);
out:
    if (of.f) { mmr_outfile_abort(&of); j.out = NULL; }
    if (j.out) fclose(j.out);
    mmr_buf_free(&j.line);
    mmr_arena_free(&j.ua);
    free(j.vals);
    free(j.tx);
    mmr_sigcalc_free(j.calc);
    mmr_sigplan_free(j.plan);
    mmr_traits_file_free(&j.traits);
    if (j.have_budgets) mmr_rowfile_free(&j.budgets);
    if (j.have_goals) mmr_rowfile_free(&j.goals);
    return rc ? -1 : 0;
}
