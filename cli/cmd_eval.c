/* mmr eval — pure evaluation of a ruleset over a signal snapshot.
 *
 * The explain output is in cli/eval_explain.c.
 *
 * The snapshot is read in chunks of whole records (about 1 MiB). With
 * more than one thread, worker threads parse and evaluate chunks while
 * the main thread reads ahead and writes finished chunks strictly in
 * input order, so the output is byte-identical for any thread count.
 * Each worker has its own VM, parser (key cache) and arena; the program
 * and the name -> slot binder are shared read-only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compiler/compile.h"
#include "engine/snapshot.h"
#include "cli/eval_explain.h"
#include "signals/explain.h"
#include "vm/vm.h"

static const char help[] =
    "usage: mmr eval PATH... --signals FILE [options]\n"
    "\n"
    "Evaluates the ruleset at PATH (.mmr files, directories, rule-master .json,\n"
    "or one .mmrc) for every user of a snapshot, with no state: one NDJSON line\n"
    "per user, in input order:\n"
    "  {\"user_id\":\"u1\",\"as_of\":\"2025-10-26\",\"candidates\":[...],\"selected\":...}\n"
    "Candidates are in priority order (ties by rule name); selected is the first\n"
    "or null. Suppression (mutes, cooldowns, caps) is `mmr run`'s job.\n"
    "\n"
    "  --signals FILE       the snapshot: NDJSON or CSV (- = stdin)\n"
    "  --format ndjson|csv  snapshot format (default: by extension, else ndjson)\n"
    "  --explain[=json|text]\n"
    "                       add every rule's conditions with their operand values\n"
    "                       and truth (true/false/unknown), the calls and\n"
    "                       quantifier keys under them, and the derived signals\n"
    "                       they read with their windows; text is for people\n"
    "  --user ID            only this user (exit 1 when absent)\n"
    "  --threads N          worker threads (default: the number of CPUs, max 16)\n"
    "  --keep-going         report bad records and go on (exit status still 1)\n"
    "  --no-warn-unknown    do not warn about keys that are not signals or traits\n"
    "  --allow-outside-root let imports reach files outside the directory of\n"
    "                       the paths given (see docs/language.md)\n"
    "\n"
    "Exit status: 0 success, 1 bad ruleset or snapshot (messages on stderr,\n"
    "FILE:LINE[:COL]), 2 usage error. See docs/eval.md.\n";

enum { EXPLAIN_NONE, EXPLAIN_JSON, EXPLAIN_TEXT };

typedef struct eval_cfg {
    const mmr_program *prog;
    const mmr_snap_binder *binder;
    mmr_snap_format fmt;
    const char *file;            /* as shown in messages */
    const char *user;            /* --user, or NULL */
    size_t user_len;
    int explain;
    int keep_going;
    int warn_unknown;
    const char *header; size_t header_len; long header_line;   /* CSV */
    uint32_t *rank;              /* rule -> position in priority order */
    const mmr_sigexplain *sx;    /* explain only: derived signals, or NULL */
} eval_cfg;

typedef struct chunk {
    mmr_buf in;
    long first_line;
    mmr_buf out;
    mmr_diags diags;
    int failed;
    long found;                  /* users matching --user */
    int state;                   /* 0 free, 1 read, 2 working, 3 done */
} chunk;

typedef struct worker {
    const eval_cfg *cfg;
    mmr_vm vm;
    int vm_ok;
    mmr_snap_parser *ps;
    mmr_arena arena;
    uint32_t *order;             /* candidate sort scratch */
    size_t order_cap;
    mmr_sigexplain_user *sxu;    /* with cfg->sx: the user's windows and rows */
    eval_tree tree;              /* explain: which details belong where */
    pthread_t th;
    struct pipeline *pl;
} worker;

typedef struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    chunk *ring; size_t nring;
    size_t next_read, next_dispatch, next_write;
    int quit;
} pipeline;

/* ------------------------------------------------------------ output */

static void emit_user(worker *w, mmr_buf *o, const mmr_snap_user *u, const char *rec, size_t rl)
{
    const eval_cfg *cfg = w->cfg;
    const mmr_program *p = cfg->prog;
    const mmr_vm *vm = &w->vm;
    /* the candidates (indexes into vm->cands) in decision order: priority,
     * then a per-key rule's keys by rank and key */
    size_t n = vm->ncands;
    if (n > w->order_cap) {
        uint32_t *no = realloc(w->order, n * sizeof *no);
        if (!no) { o->oom = 1; return; }
        w->order = no;
        w->order_cap = n;
    }
    for (size_t i = 0; i < n; i++) w->order[i] = (uint32_t)i;
    eval_cand_sort(w->order, n, vm, cfg->rank);
    if (cfg->explain != EXPLAIN_NONE && cfg->sx)
        mmr_sigexplain_user_set(cfg->sx, w->sxu, u->as_of, rec, rl, cfg->fmt == MMR_SNAP_NDJSON, vm->regs);
    if (cfg->explain != EXPLAIN_NONE && eval_tree_build(&w->tree, p, vm) < 0) { o->oom = 1; return; }
    if (cfg->explain == EXPLAIN_TEXT) {
        eval_explain_text(o, p, vm, &w->tree, u, w->order, n, cfg->sx, w->sxu);
        return;
    }
    mmr_buf_puts(o, "{\"user_id\":");
    mmr_buf_json_string(o, u->user_id, u->user_id_len);
    mmr_buf_puts(o, ",\"as_of\":");
    if (u->as_of) mmr_buf_json_string(o, u->as_of, strlen(u->as_of));
    else mmr_buf_puts(o, "null");
    mmr_buf_puts(o, ",\"candidates\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) mmr_buf_putc(o, ',');
        eval_cand_json(o, p, &vm->cands[w->order[i]]);
    }
    mmr_buf_puts(o, "],\"selected\":");
    if (n) eval_cand_json(o, p, &vm->cands[w->order[0]]);
    else mmr_buf_puts(o, "null");
    if (cfg->explain == EXPLAIN_JSON) eval_explain_json(o, p, vm, &w->tree, cfg->sx, w->sxu);
    mmr_buf_puts(o, "}\n");
}

/* ------------------------------------------------------------ work */

static void process_chunk(worker *w, chunk *c)
{
    const eval_cfg *cfg = w->cfg;
    size_t pos = 0;
    long line = c->first_line;
    const char *rec; size_t rl; long nl;
    mmr_snap_user u;
    int traced = cfg->explain != EXPLAIN_NONE;
    while (mmr_snap_next_record(cfg->fmt, c->in.data, c->in.len, &pos, &rec, &rl, &nl)) {
        long at = line;
        line += nl;
        int rc = mmr_snap_parse(w->ps, rec, rl, at, w->vm.regs, &w->arena, &u, &c->diags);
        if (rc == 0) continue;
        if (rc < 0) {
            c->failed = 1;
            if (!cfg->keep_going) break;
            continue;
        }
        if (cfg->user && (u.user_id_len != cfg->user_len || memcmp(u.user_id, cfg->user, cfg->user_len))) {
            mmr_arena_reset(&w->arena);
            continue;
        }
        c->found++;
        if (mmr_vm_run(&w->vm, traced) != 0) {
            mmr_diag_add(&c->diags, MMR_SEV_ERROR, cfg->file, (int)at, 0,
                         "user %s: internal error: the rules could not run: %s", u.user_id, w->vm.error);
            c->failed = 1;
            break;
        }
        emit_user(w, &c->out, &u, rec, rl);
        mmr_arena_reset(&w->arena);
    }
    if (c->out.oom) {
        mmr_diag_add(&c->diags, MMR_SEV_ERROR, cfg->file, 0, 0, "out of memory");
        c->failed = 1;
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pipeline *pl = w->pl;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (!pl->quit && pl->next_dispatch == pl->next_read) pthread_cond_wait(&pl->work, &pl->mu);
        if (pl->quit) break;
        chunk *c = &pl->ring[pl->next_dispatch % pl->nring];
        pl->next_dispatch++;
        c->state = 2;
        pthread_mutex_unlock(&pl->mu);
        process_chunk(w, c);
        pthread_mutex_lock(&pl->mu);
        c->state = 3;
        pthread_cond_broadcast(&pl->done);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

static int worker_init(worker *w, const eval_cfg *cfg, mmr_diags *header_diags)
{
    memset(w, 0, sizeof *w);
    w->cfg = cfg;
    mmr_arena_init(&w->arena, 1 << 16);
    if (mmr_vm_init(&w->vm, cfg->prog) != 0) return -1;
    w->vm_ok = 1;
    w->order_cap = cfg->prog->nrules ? cfg->prog->nrules : 1;
    w->order = calloc(w->order_cap, sizeof *w->order);
    w->ps = mmr_snap_parser_new(cfg->binder, cfg->fmt, cfg->file);
    if (cfg->sx && !(w->sxu = mmr_sigexplain_user_new(cfg->sx))) return -1;
    if (!w->order || !w->ps) return -1;
    mmr_snap_parser_warn_unknown(w->ps, cfg->warn_unknown);
    if (cfg->fmt == MMR_SNAP_CSV) {
        mmr_diags quiet;
        mmr_diags_init(&quiet);
        int rc = mmr_snap_parser_header(w->ps, cfg->header, cfg->header_len, cfg->header_line,
                                        header_diags ? header_diags : &quiet);
        mmr_diags_free(&quiet);
        if (rc < 0) return -2;
    }
    return 0;
}

static void worker_free(worker *w)
{
    if (w->vm_ok) mmr_vm_free(&w->vm);
    mmr_snap_parser_free(w->ps);
    mmr_arena_free(&w->arena);
    free(w->order);
    mmr_sigexplain_user_free(w->sxu);
    eval_tree_free(&w->tree);
}

/* ------------------------------------------------------------ writer */

typedef struct writer {
    FILE *out;
    char **warned; size_t nwarned, cap;
    int write_failed;
} writer;

static int warned_before(writer *wr, const mmr_diag *g)
{
    for (size_t i = 0; i < wr->nwarned; i++) if (!strcmp(wr->warned[i], g->message)) return 1;
    if (wr->nwarned == wr->cap) {
        size_t cap = wr->cap ? wr->cap * 2 : 16;
        char **v = realloc(wr->warned, cap * sizeof *v);
        if (!v) return 0;
        wr->warned = v; wr->cap = cap;
    }
    char *s = strdup(g->message);
    if (s) wr->warned[wr->nwarned++] = s;
    return 0;
}

/* Write a finished chunk: its results, then its messages (a warning
 * about the same thing is shown once for the whole run). */
static void write_chunk(writer *wr, chunk *c)
{
    if (c->out.len && fwrite(c->out.data, 1, c->out.len, wr->out) != c->out.len) wr->write_failed = 1;
    if (c->diags.n) {
        fflush(wr->out);
        mmr_diags show;
        mmr_diags_init(&show);
        for (size_t i = 0; i < c->diags.n; i++) {
            mmr_diag *g = &c->diags.v[i];
            if (g->sev == MMR_SEV_WARNING && warned_before(wr, g)) continue;
            mmr_diag *n = mmr_diag_add(&show, g->sev, g->file, g->line, g->col, "%s", g->message);
            (void)n;
        }
        mmr_diags_print_text(stderr, &show);
        mmr_diags_free(&show);
    }
}

static void chunk_reset(chunk *c)
{
    mmr_buf_clear(&c->out);
    mmr_diags_free(&c->diags);
    c->failed = 0;
    c->found = 0;
    c->state = 0;
}

/* ------------------------------------------------------------ command */

typedef struct run_result { int failed; long found; } run_result;

static run_result run_pipeline(const eval_cfg *cfg, mmr_snap_reader *rd, int nthreads, mmr_diags *hdr)
{
    run_result res = { 0, 0 };
    int nworkers = nthreads > 1 ? nthreads : 1;
    worker *ws = calloc((size_t)nworkers, sizeof *ws);
    pipeline pl;
    memset(&pl, 0, sizeof pl);
    pl.nring = nthreads > 1 ? (size_t)nthreads * 2 + 2 : 1;
    pl.ring = calloc(pl.nring, sizeof *pl.ring);
    writer wr = { stdout, NULL, 0, 0, 0 };
    if (!ws || !pl.ring) {
        fprintf(stderr, "mmr eval: out of memory\n");
        free(ws); free(pl.ring);
        res.failed = 1;
        return res;
    }
    for (size_t i = 0; i < pl.nring; i++) {
        mmr_buf_init(&pl.ring[i].in);
        mmr_buf_init(&pl.ring[i].out);
        mmr_diags_init(&pl.ring[i].diags);
    }
    int init_failed = 0;
    for (int i = 0; i < nworkers; i++) {
        int rc = worker_init(&ws[i], cfg, i == 0 ? hdr : NULL);
        ws[i].pl = &pl;
        if (rc < 0) init_failed = rc;
    }
    if (hdr->n) mmr_diags_print_text(stderr, hdr);
    if (init_failed) {
        if (init_failed == -1) fprintf(stderr, "mmr eval: out of memory\n");
        res.failed = 1;
        goto out;
    }
    size_t target = (size_t)1 << 20;
    mmr_diags rdiags;
    mmr_diags_init(&rdiags);
    int eof = 0, stop = 0;
    if (nthreads <= 1) {
        chunk *c = &pl.ring[0];
        while (!stop) {
            int rc = mmr_snap_reader_next(rd, &c->in, target, &c->first_line, &rdiags);
            if (rc <= 0) { if (rc < 0) res.failed = 1; break; }
            process_chunk(&ws[0], c);
            write_chunk(&wr, c);
            res.found += c->found;
            if (c->failed) { res.failed = 1; if (!cfg->keep_going) stop = 1; }
            chunk_reset(c);
        }
    } else {
        pthread_mutex_init(&pl.mu, NULL);
        pthread_cond_init(&pl.work, NULL);
        pthread_cond_init(&pl.done, NULL);
        int started = 0;
        for (int i = 0; i < nworkers; i++) {
            if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) break;
            started++;
        }
        if (!started) { fprintf(stderr, "mmr eval: cannot start threads\n"); res.failed = 1; stop = 1; }
        while (!stop) {
            /* read ahead while there is a free chunk */
            while (!eof) {
                pthread_mutex_lock(&pl.mu);
                int full = pl.next_read - pl.next_write >= pl.nring;
                pthread_mutex_unlock(&pl.mu);
                if (full) break;
                chunk *c = &pl.ring[pl.next_read % pl.nring];
                int rc = mmr_snap_reader_next(rd, &c->in, target, &c->first_line, &rdiags);
                if (rc <= 0) { eof = 1; if (rc < 0) res.failed = 1; break; }
                pthread_mutex_lock(&pl.mu);
                c->state = 1;
                pl.next_read++;
                pthread_cond_signal(&pl.work);
                pthread_mutex_unlock(&pl.mu);
            }
            pthread_mutex_lock(&pl.mu);
            if (pl.next_write == pl.next_read) { pthread_mutex_unlock(&pl.mu); break; }
            chunk *c = &pl.ring[pl.next_write % pl.nring];
            while (c->state != 3) pthread_cond_wait(&pl.done, &pl.mu);
            pthread_mutex_unlock(&pl.mu);
            write_chunk(&wr, c);
            res.found += c->found;
            if (c->failed) { res.failed = 1; if (!cfg->keep_going) stop = 1; }
            pthread_mutex_lock(&pl.mu);
            chunk_reset(c);
            pl.next_write++;
            pthread_mutex_unlock(&pl.mu);
        }
        pthread_mutex_lock(&pl.mu);
        pl.quit = 1;
        pthread_cond_broadcast(&pl.work);
        pthread_mutex_unlock(&pl.mu);
        for (int i = 0; i < started; i++) pthread_join(ws[i].th, NULL);
        pthread_mutex_destroy(&pl.mu);
        pthread_cond_destroy(&pl.work);
        pthread_cond_destroy(&pl.done);
    }
    /* a read error belongs after everything read before it */
    if (rdiags.n && !stop) mmr_diags_print_text(stderr, &rdiags);
    mmr_diags_free(&rdiags);
    if (fflush(stdout) != 0 || wr.write_failed) {
        fprintf(stderr, "mmr eval: cannot write the results: %s\n", strerror(errno));
        res.failed = 1;
    }
out:
    for (int i = 0; i < nworkers; i++) worker_free(&ws[i]);
    for (size_t i = 0; i < pl.nring; i++) {
        mmr_buf_free(&pl.ring[i].in);
        mmr_buf_free(&pl.ring[i].out);
        mmr_diags_free(&pl.ring[i].diags);
    }
    for (size_t i = 0; i < wr.nwarned; i++) free(wr.warned[i]);
    free(wr.warned);
    free(pl.ring);
    free(ws);
    return res;
}

/* Explain only: the derived signals of a ruleset loaded from sources (a
 * .mmrc keeps no definitions). NULL when there are none; *oom on failure. */
static mmr_sigexplain *load_sigexplain(const char **paths, size_t npaths, int lflags, const mmr_program *prog, int *oom)
{
    *oom = 0;
    for (size_t i = 0; i < npaths; i++) {
        size_t n = strlen(paths[i]);
        if (n >= 5 && !strcmp(paths[i] + n - 5, ".mmrc")) return NULL;
    }
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_opts(paths, npaths, lflags, &d);
    if (u && !d.errors) mmr_check(u, &d);
    mmr_sigexplain *sx = NULL;
    if (!u) *oom = 1;
    else if (d.errors) mmr_unit_free(u);        /* mmr_build loaded it without errors: cannot happen */
    else sx = mmr_sigexplain_new(u, prog, oom);   /* takes u */
    mmr_diags_free(&d);
    return sx;
}

int cmd_eval(int argc, char **argv)
{
    if (cli_help_requested(argc, argv, help)) return EXIT_OK;
    cli_opts o;
    cli_opts_init(&o, argc, argv);
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) return EXIT_INPUT;
    size_t npaths = 0;
    const char *signals = NULL, *format = NULL, *user = NULL, *name, *arg;
    int explain = EXPLAIN_NONE, keep_going = 0, warn_unknown = 1, lflags = 0, r;
    long threads = 0;
    int rc = EXIT_OK;
    while ((r = cli_opts_next(&o, &name, &arg)) >= 0) {
        if (r == 0) { paths[npaths++] = arg; continue; }
        if (!strcmp(name, "explain")) {
            const char *v = o.pending_value;
            o.pending_value = NULL;
            if (!v || !strcmp(v, "json")) explain = EXPLAIN_JSON;
            else if (!strcmp(v, "text")) explain = EXPLAIN_TEXT;
            else { rc = cli_usage_error("eval", "--explain is json or text, not \"%s\"", v); goto done; }
            continue;
        }
        if (!strcmp(name, "keep-going")) {
            if ((rc = cli_opts_flag(&o, &keep_going)) != EXIT_OK) goto done;
            continue;
        }
        if (!strcmp(name, "no-warn-unknown")) {
            int no_warn = 0;
            if ((rc = cli_opts_flag(&o, &no_warn)) != EXIT_OK) goto done;
            warn_unknown = !no_warn;
            continue;
        }
        if (!strcmp(name, "allow-outside-root")) {
            if ((rc = cli_opts_flag_bit(&o, &lflags, MMR_LOAD_ANY_IMPORT)) != EXIT_OK) goto done;
            continue;
        }
        if (strcmp(name, "signals") && strcmp(name, "format") && strcmp(name, "user") && strcmp(name, "threads")) {
            rc = cli_opts_unknown(&o);
            goto done;
        }
        const char *v = cli_opts_need(&o);
        if (!v) { rc = EXIT_USAGE; goto done; }
        if (!strcmp(name, "signals")) signals = v;
        else if (!strcmp(name, "format")) format = v;
        else if (!strcmp(name, "user")) user = v;
        else {
            char *e;
            threads = strtol(v, &e, 10);
            if (*e || threads < 1 || threads > 64) { rc = cli_usage_error("eval", "--threads wants 1 to 64, got \"%s\"", v); goto done; }
        }
    }
    if (!npaths) { rc = cli_usage_error("eval", "no ruleset given"); goto done; }
    if (!signals) { rc = cli_usage_error("eval", "--signals FILE is required"); goto done; }
    int fmt;
    if (format) {
        if (!strcmp(format, "ndjson") || !strcmp(format, "jsonl")) fmt = MMR_SNAP_NDJSON;
        else if (!strcmp(format, "csv")) fmt = MMR_SNAP_CSV;
        else { rc = cli_usage_error("eval", "--format is ndjson or csv, not \"%s\"", format); goto done; }
    } else {
        fmt = mmr_snap_format_from_path(signals);
        if (fmt < 0) fmt = MMR_SNAP_NDJSON;
    }
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 16 ? 16 : n;
    }

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *prog = mmr_build_opts(paths, npaths, lflags, &d);
    if (!prog) {
        mmr_diags_sort(&d);
        cli_print_diags(&d, CLI_FMT_TEXT);
        mmr_diags_free(&d);
        rc = EXIT_INPUT;
        goto done;
    }
    mmr_diags_free(&d);    /* warnings of the ruleset are `mmr check`'s business */
    mmr_diags_init(&d);
    mmr_snap_binder *binder = mmr_snap_binder_new(prog);
    uint32_t *rank = calloc(prog->nrules ? prog->nrules : 1, sizeof *rank);
    int sx_oom = 0;
    mmr_sigexplain *sx = explain != EXPLAIN_NONE ? load_sigexplain(paths, npaths, lflags, prog, &sx_oom) : NULL;
    mmr_snap_reader *rd = binder && rank && !sx_oom ? mmr_snap_reader_open(signals, (mmr_snap_format)fmt, &d) : NULL;
    if (!rd) {
        if (!d.n) fprintf(stderr, "mmr eval: out of memory\n");
        cli_print_diags(&d, CLI_FMT_TEXT);
        rc = EXIT_INPUT;
    } else {
        for (uint32_t i = 0; i < prog->nrules; i++) rank[prog->by_priority[i]] = i;
        eval_cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.prog = prog;
        cfg.binder = binder;
        cfg.fmt = (mmr_snap_format)fmt;
        cfg.file = mmr_snap_reader_path(rd);
        cfg.user = user;
        cfg.user_len = user ? strlen(user) : 0;
        cfg.explain = explain;
        cfg.keep_going = keep_going;
        cfg.warn_unknown = warn_unknown;
        cfg.rank = rank;
        cfg.sx = sx;
        if (fmt == MMR_SNAP_CSV) mmr_snap_reader_header(rd, &cfg.header, &cfg.header_len, &cfg.header_line);
        run_result res = run_pipeline(&cfg, rd, (int)threads, &d);
        if (res.failed) rc = EXIT_INPUT;
        else if (user && res.found == 0) {
            fprintf(stderr, "%s: error: no user \"%s\" in the snapshot\n", cfg.file, user);
            rc = EXIT_INPUT;
        }
    }
    mmr_diags_free(&d);
    mmr_snap_reader_close(rd);
    mmr_snap_binder_free(binder);
    mmr_sigexplain_free(sx);
    free(rank);
    mmr_program_free(prog);
done:
    free(paths);
    return rc;
}
