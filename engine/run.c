/* `mmr run`: the pipeline with state. See engine/run.h and docs/engine.md.
 *
 * The same for every store: the users (from the store, in user_id order,
 * or from a --signals file), per user the VM, dropping candidates already
 * stored for the date, mmr_decide, the stats, delivery ids, event
 * payloads and the dry run's printing; the progress line. What touches
 * the database is behind store/run_store.h: store/run_sqlite.c (a file)
 * and store/run_pg.c (postgresql://), chosen by --db. */
#include "engine/run.h"
#include "engine/run_shared.h"
#include "engine/snapshot.h"
#include "engine/uuid.h"
#include "engine/tz.h"
#include "engine/progress.h"
#include "store/pg.h"
#include "store/run_store.h"
#include "util/timeutil.h"
#include "vm/vm.h"
#include "compiler/ast.h"
#include <stdlib.h>
#include <string.h>

typedef struct run_ctx {
    const mmr_run_opts *o;
    mmr_run_stats *st;
    mmr_diags *d;
    const mmr_program *p;
    mmr_run_store *s;
    mmr_run_env env;
    mmr_vm vm;
    mmr_arena ua;                /* per-user inputs and look-ups */
    mmr_tz_cache *tzc;
    char now_text[MMR_TIME_BUF];
    char as_of[16];
    char hash[41];
    unsigned char *used;         /* per slot: read by the rules' code */
    uint32_t *clear_slots;       /* the slots cleared before each user: those read */
    uint32_t nclear;
    char **rule_meta;            /* per rule: the delivery's meta_json */
    mmr_snapshot *snap;          /* the --signals file */
    mmr_candidate *cands; size_t ncands_cap;
    mmr_decide_result res;
    mmr_buf buf;                 /* an event payload */
    mmr_buf kmeta;               /* a keyed delivery's meta_json */
    mmr_buf where;               /* FILE:LINE of a file's user */
    char tz_last[256]; int tz_last_ok; const char *tz_last_why;
    double t0, last_progress;
    uint64_t progress_total;     /* 0 not counted yet, UINT64_MAX unknown */
} run_ctx;

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

/* ------------------------------------------------------------ per run */

/* What is the same for every user: the slots to clear (before the store's
 * responsiveness loader takes its slots out of used: they are cleared too). */
static int prepare_slots(run_ctx *c)
{
    const mmr_program *p = c->p;
    int ts = mmr_program_find_slot(p, "tz");
    c->env.tz_slot = ts >= 0 && p->slots[ts].is_trait && p->slots[ts].type == MMR_T_TEXT ? ts : -1;
    if (!(c->used = mmr_used_slots(p, c->env.tz_slot))) return -1;
    c->clear_slots = calloc(p->nslots + 1, sizeof *c->clear_slots);
    if (!c->clear_slots) return -1;
    for (uint32_t i = 0; i < p->nslots; i++) if (c->used[i]) c->clear_slots[c->nclear++] = i;
    return 0;
}

/* Each rule's meta_json for the run's date. */
static int prepare_meta(run_ctx *c)
{
    const mmr_program *p = c->p;
    c->rule_meta = calloc(p->nrules + 1, sizeof *c->rule_meta);
    if (!c->rule_meta) return -1;
    for (uint32_t i = 0; i < p->nrules; i++) {
        mmr_buf_clear(&c->buf);
        mmr_rule_meta_json(p, i, c->as_of, &c->buf);
        if (c->buf.oom || !(c->rule_meta[i] = strdup(c->buf.data))) return -1;
    }
    return 0;
}

static void progress(run_ctx *c, int final)
{
    FILE *f = c->o->progress;
    if (!f) return;
    if (final) {
        if (c->last_progress > 0) mmr_progress_clear(f);
        return;
    }
    double t = mmr_mono_now();
    if (t - c->last_progress < 0.5) return;
    c->last_progress = t;
    /* the total (counted once by the store, when it can) and an ETA */
    if (!c->progress_total &&
        (!c->s->ops->users_total || c->s->ops->users_total(c->s, &c->progress_total) || !c->progress_total))
        c->progress_total = UINT64_MAX;
    char line[160], del[32];
    mmr_progress_format(line, sizeof line, c->st->users, c->progress_total == UINT64_MAX ? 0 : c->progress_total,
                        t - c->t0, "users");
    fprintf(f, "\rmmr run: %s, %s delivered", line, mmr_progress_count(c->st->delivered, del));
    fflush(f);
}

/* ------------------------------------------------------------ per user */

static int check_tz(run_ctx *c, const char *user, const char *tz, const char *where)
{
    if (!tz || !*tz) return 0;
    if (strcmp(tz, c->tz_last) != 0) {
        const char *why = NULL;
        const mmr_tz *z = mmr_tz_get(c->tzc, tz, &why);
        snprintf(c->tz_last, sizeof c->tz_last, "%s", tz);
        c->tz_last_ok = z != NULL && strlen(tz) < sizeof c->tz_last;
        c->tz_last_why = why ? why : "unknown time zone";
    }
    if (c->tz_last_ok) return 0;
    mmr_diag *g = mmr_diag_add(c->d, MMR_SEV_ERROR, where, 0, 0,
                               "mm_user_traits.tz: user \"%s\": %s \"%s\"", user, c->tz_last_why, tz);
    if (g) mmr_diag_set_hint(g, "use an IANA zone name such as Asia/Kolkata, or leave tz empty for the policy zone");
    return -1;
}

/* 1 when a stored candidate's rule_key (klen bytes, '' keyless) is cand's key. */
static int same_key(const mmr_candidate *cand, const char *k, size_t klen)
{
    if (cand->key.tag != MMR_V_TEXT) return klen == 0;
    const mmr_text *t = cand->key.u.text;
    return t->len == klen && (!klen || memcmp(t->bytes, k, klen) == 0);
}

/* Candidates already stored for this snapshot date are final: out of
 * cands[0..*n). */
static int drop_existing(run_ctx *c, const mmr_run_user *u, size_t *n)
{
    const mmr_run_key *ks;
    size_t nk;
    if (c->s->ops->existing(c->s, u, &ks, &nk)) return -1;
    for (size_t j = 0; j < nk; j++) {
        for (size_t i = 0; i < *n && ks[j].rule >= 0; i++) {
            if (c->cands[i].rule == (uint32_t)ks[j].rule && same_key(&c->cands[i], ks[j].key, ks[j].key_len)) {
                c->cands[i] = c->cands[--*n];
                c->st->existing++;
                break;
            }
        }
    }
    return 0;
}

/* The delivery's meta_json into r: the rule's, plus "key" for a per-key
 * rule (built in c->kmeta, valid until the next call). */
static int rule_meta(run_ctx *c, mmr_run_row *r, const mmr_decision *dc)
{
    r->meta = c->rule_meta[dc->rule];
    if (dc->key && dc->key->len) {
        mmr_buf_clear(&c->kmeta);
        mmr_meta_with_key(&c->kmeta, r->meta, dc->key->bytes, dc->key->len);
        if (c->kmeta.oom) { oom(c->d); return -1; }
        r->meta = c->kmeta.data;
    }
    r->meta_len = strlen(r->meta);
    return 0;
}

/* The event of a delivery, as it is published, into c->buf. */
static void event_payload(run_ctx *c, const char *user, const mmr_decision *dc, const mmr_run_row *r)
{
    mmr_buf_clear(&c->buf);
    mmr_event_payload_key(&c->buf, r->did, user, c->p->rules[dc->rule].name, dc->key ? dc->key->bytes : NULL,
                          dc->key ? dc->key->len : 0, r->title, r->body, r->category, c->now_text);
}

/* Everything after the store's inputs for one user whose inputs are in regs. */
static int process_user(run_ctx *c, const mmr_run_user *u)
{
    mmr_run_stats *st = c->st;
    const mmr_program *p = c->p;
    const char *user = u->id, *tz = u->tz;
    st->users++;
    if ((st->users & 0xffff) == 0) progress(c, 0);
    if (c->env.tz_slot >= 0 && c->vm.regs[c->env.tz_slot].tag == MMR_V_TEXT)
        tz = c->vm.regs[c->env.tz_slot].u.text->bytes;
    if (check_tz(c, user, tz, u->where)) return -1;
    if (mmr_vm_run(&c->vm, 0)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, u->where, 0, 0, "user \"%s\": the rules could not run: %s", user, c->vm.error);
        return -1;
    }
    size_t n = c->vm.ncands;
    if (!n) return 0;
    if (mmr_grow((void **)&c->cands, &c->ncands_cap, n, sizeof *c->cands)) { oom(c->d); return -1; }
    memcpy(c->cands, c->vm.cands, n * sizeof *c->cands);
    if (drop_existing(c, u, &n)) return -1;
    if (!n) return 0;
    st->users_with_candidates++;
    const mmr_delivery *hist;
    const char *const *muted;
    size_t nh, nm;
    if (c->s->ops->prior(c->s, u, &hist, &nh, &muted, &nm)) return -1;
    mmr_decide_input in = {
        .prog = p, .cands = c->cands, .ncands = n,
        .history = hist, .nhistory = nh,
        .muted = muted, .nmuted = nm,
        .now = c->o->now, .tz = tz, .tzc = c->tzc,
    };
    if (mmr_decide(&in, &c->res)) {
        mmr_diag_add(c->d, MMR_SEV_ERROR, u->where, 0, 0, "user \"%s\": the decision failed: %s", user,
                     c->res.note ? c->res.note : "out of memory");
        return -1;
    }
    int dry = c->o->dry_run;
    for (size_t i = 0; i < c->res.n; i++) {
        const mmr_decision *dc = &c->res.v[i];
        const mmr_prog_rule *ru = &p->rules[dc->rule];
        char did[MMR_UUID_STR];
        mmr_run_row r;
        memset(&r, 0, sizeof r);
        r.dc = dc;
        r.title = dc->title ? dc->title : "";
        r.body = dc->body ? dc->body : "";
        r.category = dc->category ? dc->category : "";
        st->candidates++;
        if (dc->deferred) {
            /* not suppressed: released at deliver_at (engine/deferred.c) */
            st->deferred++;
        } else if (dc->delivered) {
            st->delivered++;
            mmr_delivery_id_key(user, ru->name, c->as_of, dc->key ? dc->key->bytes : NULL,
                                dc->key ? dc->key->len : 0, did);
            r.did = did;
        } else {
            st->suppressed++;
            if ((unsigned)dc->reason < MMR_NREASONS) st->by_reason[dc->reason]++;
        }
        if (dry) {
            if (dc->delivered) {
                event_payload(c, user, dc, &r);
                if (c->buf.oom) { oom(c->d); return -1; }
                fwrite(c->buf.data, 1, c->buf.len, c->o->events_out);
                fputc('\n', c->o->events_out);
            }
            continue;
        }
        if ((dc->deferred || dc->delivered) && rule_meta(c, &r, dc)) return -1;
        if (dc->delivered && c->s->want_events) {
            /* the event as it will be published after the commit (NULL:
             * out of memory, the store publishes from its outbox) */
            event_payload(c, user, dc, &r);
            r.event = c->buf.oom ? NULL : c->buf.data;
            r.event_len = c->buf.len;
        }
        if (c->s->ops->put(c->s, u, &r)) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ sources */

/* Only the slots the code reads need clearing between users. */
static void clear_inputs(run_ctx *c)
{
    mmr_value *regs = c->vm.regs;
    for (uint32_t i = 0; i < c->nclear; i++) regs[c->clear_slots[i]] = mmr_v_missing();
}

static int run_store_source(run_ctx *c)
{
    const mmr_run_store_ops *ops = c->s->ops;
    for (;;) {
        mmr_arena_reset(&c->ua);
        clear_inputs(c);
        mmr_run_user u;
        memset(&u, 0, sizeof u);
        int r = ops->next_user(c->s, &u);
        if (r <= 0) return r;
        if (process_user(c, &u) || (!c->o->dry_run && ops->user_done(c->s))) return -1;
    }
}

static int run_file_source(run_ctx *c, int have_first, mmr_snap_user *f)
{
    const char *path = c->o->signals_path;
    const mmr_run_store_ops *ops = c->s->ops;
    for (;;) {
        if (!have_first) {
            mmr_arena_reset(&c->ua);
            /* every input starts missing: nothing of the previous user may
             * survive a record that lacks a section */
            mmr_vm_clear_inputs(&c->vm);
            int r = mmr_snapshot_next(c->snap, c->vm.regs, &c->ua, f, c->d);
            if (r == 0) break;
            if (r < 0) return -1;
        }
        have_first = 0;
        if (f->as_of && strcmp(f->as_of, c->as_of) != 0) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, path, (int)f->line, 0,
                         "user \"%s\": as_of %s differs from the run's snapshot date %s",
                         f->user_id, f->as_of, c->as_of);
            return -1;
        }
        mmr_buf_clear(&c->where);
        mmr_buf_printf(&c->where, "%s:%ld", path, f->line);
        mmr_run_user u = { f->user_id, f->user_id_len, c->where.oom ? path : c->where.data, NULL };
        if (ops->user_inputs(c->s, &u) || process_user(c, &u) || (!c->o->dry_run && ops->user_done(c->s)))
            return -1;
    }
    return 0;
}

/* From the snapshot date to the last user's decisions, inside the store's
 * transaction. */
static int run_users(run_ctx *c)
{
    const mmr_run_opts *o = c->o;
    mmr_snap_user first = {0};
    int have_first = 0;
    const char *as_of = o->as_of;
    char date[16];
    if (o->signals_path) {
        if (!c->s->ops->user_inputs) {
            mmr_diag_add(c->d, MMR_SEV_ERROR, "", 0, 0, "--signals with a %s database is not supported yet",
                         c->s->ops->name);
            return -1;
        }
        c->snap = mmr_snapshot_open(o->signals_path, -1, c->p, c->d);
        if (!c->snap) return -1;
        mmr_vm_clear_inputs(&c->vm);
        int r = mmr_snapshot_next(c->snap, c->vm.regs, &c->ua, &first, c->d);
        if (r < 0) return -1;
        have_first = r == 1;
        if (!as_of) {
            if (have_first && first.as_of) snprintf(date, sizeof date, "%s", first.as_of);
            else mmr_date_format(o->now, date);
            as_of = date;
        }
    }
    if (c->s->ops->start(c->s, as_of, c->as_of)) return -1;
    snprintf(c->st->as_of, sizeof c->st->as_of, "%s", c->as_of);
    if (prepare_meta(c)) { oom(c->d); return -1; }
    int rc = o->signals_path ? (have_first ? run_file_source(c, 1, &first) : 0) : run_store_source(c);
    progress(c, 1);
    return rc;
}

/* ------------------------------------------------------------ the run */

static void ctx_free(run_ctx *c)
{
    if (c->snap) mmr_snapshot_close(c->snap);
    mmr_vm_free(&c->vm);
    mmr_arena_free(&c->ua);
    mmr_tz_cache_free(c->tzc);
    free(c->used); free(c->clear_slots);
    if (c->rule_meta) for (uint32_t i = 0; i < c->p->nrules; i++) free(c->rule_meta[i]);
    free(c->rule_meta);
    free(c->cands);
    mmr_decide_result_free(&c->res);
    mmr_buf_free(&c->buf);
    mmr_buf_free(&c->kmeta);
    mmr_buf_free(&c->where);
}

int mmr_run(const mmr_run_opts *o, mmr_run_stats *st, mmr_diags *d)
{
    memset(st, 0, sizeof *st);
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o; c.st = st; c.d = d; c.p = o->prog;
    c.t0 = mmr_mono_now();
    if (o->as_of && !mmr_snap_date_ok(o->as_of, strlen(o->as_of))) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "--as-of %s: not a date (YYYY-MM-DD)", o->as_of);
        return -1;
    }
    mmr_time_format(o->now, c.now_text);
    mmr_ruleset_hash(c.p, c.hash);
    mmr_arena_init(&c.ua, 0);
    mmr_decide_result_init(&c.res);
    mmr_buf_init(&c.buf);
    mmr_buf_init(&c.kmeta);
    mmr_buf_init(&c.where);
    if (mmr_vm_init(&c.vm, c.p) || !(c.tzc = mmr_tz_cache_new(o->zoneinfo)) || prepare_slots(&c)) {
        oom(d);
        ctx_free(&c);
        return -1;
    }
    const mmr_program *p = c.p;
    int64_t horizon = p->policy.window_s;
    for (uint32_t i = 0; i < p->nrules; i++) if (p->rules[i].cooldown_s > horizon) horizon = p->rules[i].cooldown_s;
    c.env = (mmr_run_env){ .o = o, .p = p, .st = st, .d = d, .now_text = c.now_text, .hash = c.hash,
                           .used = c.used, .regs = c.vm.regs, .ua = &c.ua, .tz_slot = c.env.tz_slot,
                           .horizon = horizon };
    const mmr_run_store_ops *ops = mmr_pg_is_url(o->db_path) ? &mmr_run_pg_ops : &mmr_run_sqlite_ops;
    int rc = ops->open(&c.s, &c.env);
    if (!rc) {
        rc = run_users(&c);
        rc = c.s->ops->finish(c.s, rc == 0);
        if (c.s->ops->publish(c.s)) rc = -1;
    }
    if (o->dry_run && o->events_out) fflush(o->events_out);
    if (c.s) c.s->ops->close(c.s);
    ctx_free(&c);
    st->elapsed_s = mmr_mono_now() - c.t0;
    return rc;
}
