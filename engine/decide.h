/* Select & suppress: the pure decision for one user (engine brief, step 3).
 *
 * No I/O, no clock, no global state: the same inputs give the same
 * decisions. The engine (`mmr run`), `mmr eval` and `mmr test` all call
 * this one function, so they cannot disagree.
 *
 * Candidates are taken in priority order (priority desc, then rule name
 * asc; among the candidates of one per-key rule, `for each K in MAP`,
 * rank desc (a candidate without a rank after those with one), then key
 * asc, bytewise). A rule fires once per user, or once per distinct key:
 * the same rule twice without a key, or twice with one key, is a corrupt
 * program (mmr_decide fails). Each candidate is checked, in this order,
 * and the first check that fails is its reason:
 *
 *   1. muted                  its category is in the user's muted list
 *   2. cooldown               the same rule was delivered at t with
 *                             now - t < rule cooldown (cooldown 0 = none),
 *                             for the same key: a delivery of
 *                             overspend["Food"] does not cool down
 *                             overspend["Travel"]. A keyless delivery
 *                             of the rule cools every key of it, and a
 *                             keyless candidate is cooled by any delivery
 *                             of its rule (a rule that changed form)
 *   3. quiet_hours            the user-local time of day at now is in
 *                             [start, end) (wraps midnight when start > end;
 *                             start == end means no quiet hours)
 *   4. template_value_missing a title/body placeholder's value is missing
 *   5. daily_cap              deliveries with now - t < window (any rule,
 *                             even one no longer in the ruleset) plus those
 *                             delivered earlier in this call >= max_nudges
 *
 * A candidate passing all five is DELIVERED, and counts against the cap
 * for the candidates after it.
 *
 * Which reasons defer and which drop: a candidate whose ONLY failing check
 * is quiet_hours (it passes mutes, cooldown, its template fills and it fits
 * the cap) is DEFERRED: reason stays quiet_hours, `deferred` is 1 and
 * `deliver_at` is the end of the quiet window (now's user-local offset),
 * and it holds a cap slot like a delivery. The store releases it then
 * (engine/deferred.c), checking mutes, cooldown and the cap again. Every
 * other suppression (muted, cooldown, template_value_missing, daily_cap,
 * and quiet_hours past the cap or with a missing value) drops it.
 *
 * Windows are rolling and strict: a delivery exactly one window (or one
 * cooldown) ago no longer counts; one second later than that it does. A delivery stamped after now (clock skew) is
 * inside every window. History may hold deliveries of any age, in any
 * order.
 *
 * Time zone for quiet hours: the user's zone (trait `tz`) if given and
 * loadable, else the policy's `timezone`, else UTC. A user zone that is
 * invalid or unknown falls back to the policy zone and sets `note`; it
 * never fails the decision.
 */
#ifndef MMR_DECIDE_H
#define MMR_DECIDE_H
#include <stddef.h>
#include <stdint.h>
#include "util/arena.h"
#include "vm/program.h"
#include "vm/vm.h"
#include "engine/tz.h"

typedef enum mmr_reason {
    MMR_REASON_NONE = 0,               /* delivered */
    MMR_REASON_MUTED,
    MMR_REASON_COOLDOWN,
    MMR_REASON_QUIET_HOURS,
    MMR_REASON_TEMPLATE_VALUE_MISSING,
    MMR_REASON_DAILY_CAP
} mmr_reason;
#define MMR_NREASONS 6

/* "muted", "cooldown", "quiet_hours", "template_value_missing",
 * "daily_cap"; "" for MMR_REASON_NONE. */
const char *mmr_reason_name(mmr_reason r);
/* The reason with that name, or -1. */
int mmr_reason_from_name(const char *name);

/* One earlier delivery to this user. */
typedef struct mmr_delivery {
    int32_t rule;                /* index into prog->rules, or -1: use rule_name */
    const char *rule_name;       /* when rule < 0; may name a rule no longer in
                                    the program (then it counts for the cap only) */
    int64_t delivered_at;        /* Unix seconds, UTC */
    const char *key;             /* a per-key rule's key (NUL-terminated);
                                    NULL or "" for a keyless delivery */
} mmr_delivery;

typedef struct mmr_decide_input {
    const mmr_program *prog;
    const mmr_candidate *cands;  /* this user's candidates, any order (the
                                    VM gives name order); at most one per rule,
                                    or per (rule, key) for a per-key rule */
    size_t ncands;
    const mmr_delivery *history; size_t nhistory;
    const char *const *muted;    size_t nmuted;   /* category names */
    int64_t now;                 /* Unix seconds, UTC */
    const char *tz;              /* user's IANA zone, NULL/"" => policy zone */
    mmr_tz_cache *tzc;           /* caller-owned; NULL => quiet hours in UTC
                                    unless the zone is UTC anyway */
} mmr_decide_input;

typedef struct mmr_decision {
    uint32_t rule;               /* index into prog->rules */
    uint32_t cand;               /* index into input cands */
    const mmr_text *key;         /* the candidate's key, NULL for a keyless
                                    rule (borrowed from the candidate) */
    int delivered;               /* 1 delivered, 0 suppressed or deferred */
    int deferred;                /* 1: quiet hours only; due at deliver_at */
    int64_t deliver_at;          /* Unix seconds, UTC, when deferred */
    mmr_reason reason;           /* MMR_REASON_NONE when delivered */
    const char *category;        /* the rule's (resolved) category */
    /* Filled texts, NUL-terminated, owned by the result. Set for every
     * candidate whose template fills (suppressed ones too); NULL when a
     * value is missing. A template without a title/body gives "". */
    const char *title, *body;
    const char *missing;         /* template_value_missing: the placeholder */
} mmr_decision;

typedef struct mmr_decide_result {
    mmr_arena arena;             /* owns the texts; reset by each mmr_decide */
    mmr_decision *v;             /* n decisions in priority order */
    size_t n, cap;
    size_t ndelivered;
    size_t ndeferred;
    int32_t delivered_first;     /* index into v of the first delivery, -1 */
    const char *tz_used;         /* the zone quiet hours were judged in */
    int32_t utc_offset;          /* its offset at now, seconds east of UTC */
    int local_minute;            /* user-local minutes after midnight at now */
    int in_quiet_hours;          /* 1 if now is inside quiet hours */
    int64_t quiet_end;           /* then: the window's end, Unix seconds UTC */
    size_t window_count;         /* history deliveries inside the cap window */
    const char *note;            /* NULL, or why a zone fell back (static) */
} mmr_decide_result;

void mmr_decide_result_init(mmr_decide_result *r);
void mmr_decide_result_free(mmr_decide_result *r);

/* Decide for one user. A result may be reused for many users (its previous
 * contents are dropped). Returns 0, or -1 on out-of-memory or an input that
 * breaks the contract (candidate rule out of range), with note set. */
int mmr_decide(const mmr_decide_input *in, mmr_decide_result *out);

#endif
