#include "engine/decide.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/template.h"
#include "util/buf.h"
#include "util/timeutil.h"

static const char *const reason_names[MMR_NREASONS] = {
    "", "muted", "cooldown", "quiet_hours", "template_value_missing", "daily_cap"
};

const char *mmr_reason_name(mmr_reason r)
{
    return (unsigned)r < MMR_NREASONS ? reason_names[r] : "";
}

int mmr_reason_from_name(const char *name)
{
    if (!name || !*name) return -1;
    for (int i = 1; i < MMR_NREASONS; i++)
        if (strcmp(reason_names[i], name) == 0) return i;
    return -1;
}

void mmr_decide_result_init(mmr_decide_result *r)
{
    memset(r, 0, sizeof *r);
    mmr_arena_init(&r->arena, 4096);
    r->delivered_first = -1;
}

void mmr_decide_result_free(mmr_decide_result *r)
{
    mmr_arena_free(&r->arena);
    free(r->v);
    memset(r, 0, sizeof *r);
    r->delivered_first = -1;
}

static const mmr_text *cand_key(const mmr_candidate *c)
{
    return c->key.tag == MMR_V_TEXT ? c->key.u.text : NULL;
}

/* Priority order: priority desc, then name asc (bytewise); within one
 * rule (its keys): rank desc, a missing rank last, then key asc. */
static int before(const mmr_program *p, const mmr_candidate *a, const mmr_candidate *b)
{
    if (a->rule != b->rule) {
        const mmr_prog_rule *ra = &p->rules[a->rule], *rb = &p->rules[b->rule];
        if (ra->priority != rb->priority) return ra->priority > rb->priority;
        return strcmp(ra->name, rb->name) < 0;
    }
    /* the VM's order, which `mmr eval` and `mmr test` show too */
    return mmr_candidate_key_cmp(a, b) < 0;
}

static int cmp_key_ptr(const void *x, const void *y)
{
    return mmr_text_cmp(*(const mmr_text *const *)x, *(const mmr_text *const *)y);
}

/* A rule fires once per user, or once per distinct key: out->v[from, to)
 * are one rule's candidates. 1 when two of them share a key (or one has
 * none), 0 when not, -1 out of memory. */
static int duplicate_keys(mmr_decide_result *out, size_t from, size_t to)
{
    const mmr_text **keys = mmr_arena_alloc(&out->arena, (to - from) * sizeof *keys);
    if (!keys) return -1;
    for (size_t k = from; k < to; k++)
        if (!(keys[k - from] = out->v[k].key)) return 1;
    qsort(keys, to - from, sizeof *keys, cmp_key_ptr);
    for (size_t k = 1; k < to - from; k++)
        if (mmr_text_eq(keys[k - 1], keys[k])) return 1;
    return 0;
}

static int is_utc_name(const char *z)
{
    return !z || !*z || strcmp(z, "UTC") == 0 || strcmp(z, "Etc/UTC") == 0;
}

/* Zone and offset for quiet hours; see decide.h for the fallbacks. */
static void local_time(const mmr_decide_input *in, mmr_decide_result *out)
{
    const char *policy_tz = in->prog->policy.timezone && *in->prog->policy.timezone
                                ? in->prog->policy.timezone : "UTC";
    const char *cands[2] = { in->tz && *in->tz ? in->tz : NULL, policy_tz };
    out->tz_used = "UTC";
    out->utc_offset = 0;
    for (int k = 0; k < 2; k++) {
        const char *name = cands[k];
        if (!name) continue;
        if (is_utc_name(name)) { out->tz_used = name; out->utc_offset = 0; break; }
        const char *why = NULL;
        const mmr_tz *z = in->tzc ? mmr_tz_get(in->tzc, name, &why) : NULL;
        if (z) {
            out->tz_used = name;
            out->utc_offset = mmr_tz_offset_at(z, in->now);
            break;
        }
        if (!out->note)
            out->note = k == 0 ? "the user's time zone is unknown or invalid; the policy time zone was used"
                               : "the policy time zone could not be loaded; UTC was used";
    }
    int64_t local = in->now + out->utc_offset;
    out->local_minute = (int)((local - mmr_time_day(local) * MMR_DAY) / 60);
}

static int quiet_now(const mmr_prog_policy *pol, int minute)
{
    int s = pol->quiet_start_min, e = pol->quiet_end_min;
    if (s < 0 || e < 0 || s == e) return 0;
    if (s < e) return minute >= s && minute < e;
    return minute >= s || minute < e;          /* wraps midnight: 22:00-08:00 */
}

/* Seconds from now to the end of the quiet window that holds it: to the
 * next user-local end minute, judged at now's offset (a DST change inside
 * the window moves the real end by the change; the release then still
 * happens, an hour early or late). */
static int64_t quiet_left(const mmr_prog_policy *pol, int64_t now, int32_t off)
{
    int64_t local = now + off;
    int64_t sec = local - mmr_time_day(local) * MMR_DAY;   /* into the local day */
    int64_t left = (int64_t)pol->quiet_end_min * 60 - sec;
    if (left <= 0) left += MMR_DAY;
    return left;
}

static int muted(const mmr_decide_input *in, const char *category)
{
    if (!category) return 0;
    for (size_t i = 0; i < in->nmuted; i++)
        if (in->muted[i] && strcmp(in->muted[i], category) == 0) return 1;
    return 0;
}

static int delivery_rule(const mmr_program *p, const mmr_delivery *h)
{
    if (h->rule >= 0) return (uint32_t)h->rule < p->nrules ? h->rule : -1;
    if (!h->rule_name) return -1;
    return mmr_program_find_rule(p, h->rule_name);
}

/* 1 when a delivery at t is less than d seconds before now (or after it).
 * The difference is taken in unsigned arithmetic: t may be any int64 (a
 * test's history, a database row), and now - t would overflow. */
static int within(int64_t now, int64_t t, int64_t d)
{
    if (t > now) return 1;
    if (d <= 0) return 0;
    return (uint64_t)now - (uint64_t)t < (uint64_t)d;
}

/* Cooldown is per (rule, key); a keyless side (the delivery's or the
 * candidate's) matches every key of the rule. */
static int cooling(const mmr_decide_input *in, uint32_t rule, const mmr_text *key)
{
    int64_t cd = in->prog->rules[rule].cooldown_s;
    if (cd <= 0) return 0;
    for (size_t i = 0; i < in->nhistory; i++) {
        const mmr_delivery *h = &in->history[i];
        if (delivery_rule(in->prog, h) != (int)rule) continue;
        if (key && h->key && *h->key && (strlen(h->key) != key->len || memcmp(h->key, key->bytes, key->len)))
            continue;
        if (within(in->now, h->delivered_at, cd)) return 1;
    }
    return 0;
}

static size_t in_window(const mmr_decide_input *in)
{
    int64_t w = in->prog->policy.window_s;
    size_t n = 0;
    for (size_t i = 0; i < in->nhistory; i++) {
        if (within(in->now, in->history[i].delivered_at, w)) n++;
    }
    return n;
}

/* Fill one text into the arena; NULL + *missing on a missing value. */
static const char *fill(mmr_decide_result *out, mmr_buf *b, const char *tmpl,
                        const mmr_prog_rule *r, const mmr_candidate *c,
                        const mmr_currency *cur, const char **missing, int *oom)
{
    mmr_buf_clear(b);
    if (!tmpl) tmpl = "";
    const char *mname = NULL, *why = NULL;
    size_t mlen = 0;
    size_t n = c->nargs < r->nargs ? c->nargs : r->nargs;
    mmr_fill_status st = mmr_template_fill(b, tmpl, strlen(tmpl), r->arg_names, c->args, n,
                                           &mname, &mlen, &why, cur);
    if (st == MMR_FILL_MISSING) {
        *missing = mmr_arena_strndup(&out->arena, mname, mlen);
        if (!*missing) *oom = 1;
        return NULL;
    }
    if (st == MMR_FILL_ERROR || b->oom) {
        if (b->oom) { *oom = 1; return NULL; }
        *missing = mmr_arena_strdup(&out->arena, why ? why : "template");
        return NULL;
    }
    const char *s = mmr_arena_strndup(&out->arena, b->data ? b->data : "", b->len);
    if (!s) *oom = 1;
    return s;
}

int mmr_decide(const mmr_decide_input *in, mmr_decide_result *out)
{
    const mmr_program *p = in->prog;
    mmr_arena_reset(&out->arena);
    out->n = 0;
    out->ndelivered = 0;
    out->delivered_first = -1;
    out->note = NULL;
    out->in_quiet_hours = 0;
    out->window_count = 0;
    if (!p) { out->note = "no program"; return -1; }
    if (in->ncands > out->cap) {
        mmr_decision *nv = realloc(out->v, in->ncands * sizeof *nv);
        if (!nv) { out->note = "out of memory"; return -1; }
        out->v = nv;
        out->cap = in->ncands;
    }
    for (size_t i = 0; i < in->ncands; i++)
        if (in->cands[i].rule >= p->nrules) { out->note = "candidate rule out of range"; return -1; }

    /* Order: insertion sort of candidate indexes (a handful per user; a
     * per-key rule adds one per key that holds, still few) */
    for (size_t i = 0; i < in->ncands; i++) {
        size_t j = out->n;
        while (j > 0 && before(p, &in->cands[i], &in->cands[out->v[j - 1].cand])) {
            out->v[j] = out->v[j - 1];
            j--;
        }
        memset(&out->v[j], 0, sizeof out->v[j]);
        out->v[j].rule = in->cands[i].rule;
        out->v[j].cand = (uint32_t)i;
        out->v[j].key = cand_key(&in->cands[i]);
        out->n++;
    }
    /* the compiler fires each rule at most once per user (per key for a
     * per-key rule); two candidates of one rule and key (a rule's are now
     * side by side) mean the program is broken, and left alone they would
     * surface later as a duplicate-row error of the store */
    for (size_t k = 0, e; k < out->n; k = e) {
        for (e = k + 1; e < out->n && out->v[e].rule == out->v[k].rule; e++) {}
        if (e - k < 2) continue;
        int dup = duplicate_keys(out, k, e);
        if (dup < 0) { out->note = "out of memory"; out->n = 0; return -1; }
        if (!dup) continue;
        char msg[160];
        snprintf(msg, sizeof msg, "rule %s fired twice for one user%s: the program is corrupt",
                 p->rules[out->v[k].rule].name, out->v[k].key ? " and key" : "");
        const char *note = mmr_arena_strdup(&out->arena, msg);
        out->note = note ? note : "a rule fired twice for one user: the program is corrupt";
        out->n = 0;
        return -1;
    }

    local_time(in, out);
    out->in_quiet_hours = quiet_now(&p->policy, out->local_minute);
    out->quiet_end = out->in_quiet_hours ? in->now + quiet_left(&p->policy, in->now, out->utc_offset) : 0;
    out->ndeferred = 0;
    out->window_count = in_window(in);
    size_t used = out->window_count;
    int64_t maxn = p->policy.max_nudges;
    /* the checker and the .mmrc verifier both refuse an unknown code */
    const mmr_currency *cur = mmr_currency_find(p->policy.currency);
    if (!cur) { out->note = "the program names an unknown currency: it is corrupt"; out->n = 0; return -1; }

    mmr_buf b;
    mmr_buf_init(&b);
    int oom = 0;
    for (size_t k = 0; k < out->n; k++) {
        mmr_decision *d = &out->v[k];
        const mmr_prog_rule *r = &p->rules[d->rule];
        const mmr_candidate *c = &in->cands[d->cand];
        d->category = r->category;
        const mmr_prog_template *t = r->template_index < p->ntemplates ? &p->templates[r->template_index] : NULL;
        const char *miss = NULL;
        d->title = fill(out, &b, t ? t->title : "", r, c, cur, &miss, &oom);
        if (d->title) d->body = fill(out, &b, t ? t->body : "", r, c, cur, &miss, &oom);
        if (!d->body) d->title = NULL;
        d->missing = d->body ? NULL : miss;
        if (oom) break;

        if (muted(in, r->category)) d->reason = MMR_REASON_MUTED;
        else if (cooling(in, d->rule, d->key)) d->reason = MMR_REASON_COOLDOWN;
        else if (out->in_quiet_hours) {
            d->reason = MMR_REASON_QUIET_HOURS;
            if (d->body && (int64_t)used < maxn) {
                /* held by quiet hours alone: deferred, holding a cap slot */
                d->deferred = 1;
                d->deliver_at = out->quiet_end;
                used++;
                out->ndeferred++;
            }
        }
        else if (!d->body) d->reason = MMR_REASON_TEMPLATE_VALUE_MISSING;
        else if ((int64_t)used >= maxn) d->reason = MMR_REASON_DAILY_CAP;
        else {
            d->reason = MMR_REASON_NONE;
            d->delivered = 1;
            used++;
            if (out->delivered_first < 0) out->delivered_first = (int32_t)k;
            out->ndelivered++;
        }
    }
    mmr_buf_free(&b);
    if (oom) { out->note = "out of memory"; return -1; }
    return 0;
}
