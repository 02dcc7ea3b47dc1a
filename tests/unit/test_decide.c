/* engine/decide: every reason, the order of the checks, rolling windows
 * at their exact boundaries, the cap, quiet hours (wrapping, user zones)
 * and ties. Times: NOON = 2025-10-26T06:30:00Z = 12:00 in Asia/Kolkata. */
#include <math.h>
#include <stdlib.h>
#include "t.h"
#include "engine/decide.h"
#include "util/timeutil.h"

#define NOON ((int64_t)1761460200)
#define H 3600
#define D 86400

enum { A_BUDGET, B_BUDGET, DINE, GOAL, SHOP, NRULES };

static const char *goal_args[] = { "goal_name", "progress" };
static const char *dine_args[] = { "goal_name" };

static mmr_prog_template templates[] = {
    { "GOAL_01", "{goal_name} could use a boost", "It is {progress:pct} of the way there.", "empathetic", "goal" },
    { "DINE_01", "Takeout again? 🍟", "Your {goal_name} fund would love a home-cooked night 😋", "humorous", "dining" },
    { "SHOP_01", "Your cart has been busy", "A pause helps.", "neutral", "shopping" },
    { "BUD_01", "Budget", "Drifted.", "neutral", "budget" },
};

static mmr_prog_rule rules[NRULES];
static mmr_program prog;

static void setup(void)
{
    memset(&prog, 0, sizeof prog);
    memset(rules, 0, sizeof rules);
    rules[A_BUDGET] = (mmr_prog_rule){ .name = "a_budget", .category = "budget", .priority = 50, .template_index = 3 };
    rules[B_BUDGET] = (mmr_prog_rule){ .name = "b_budget", .category = "budget", .priority = 50, .template_index = 3 };
    rules[DINE] = (mmr_prog_rule){ .name = "dining_overspend", .category = "dining", .priority = 80,
                                   .cooldown_s = 3 * D, .template_index = 1, .nargs = 1, .arg_names = dine_args };
    rules[GOAL] = (mmr_prog_rule){ .name = "goal_underfunded", .category = "goal", .priority = 90,
                                   .cooldown_s = 7 * D, .template_index = 0, .nargs = 2, .arg_names = goal_args };
    rules[SHOP] = (mmr_prog_rule){ .name = "shopping_spike", .category = "shopping", .priority = 70,
                                   .cooldown_s = 0, .template_index = 2 };
    prog.rules = rules;
    prog.nrules = NRULES;
    prog.templates = templates;
    prog.ntemplates = 4;
    prog.policy.max_nudges = 1;
    prog.policy.window_s = D;
    prog.policy.quiet_start_min = 22 * 60;
    prog.policy.quiet_end_min = 8 * 60;
    prog.policy.timezone = "Asia/Kolkata";
}

static mmr_text *txt(const char *s)
{
    size_t n = strlen(s);
    mmr_text *t = malloc(sizeof *t + n + 1);
    t->len = (uint32_t)n;
    memcpy(t->bytes, s, n + 1);
    return t;
}

static mmr_value goal_vals[2], dine_vals[1];
static mmr_candidate cands[8];
static size_t ncands;
static mmr_delivery hist[8];
static size_t nhist;
static const char *mutes[4];
static size_t nmutes;
static mmr_tz_cache *tzc;
static mmr_decide_result res;

static void reset(void)
{
    ncands = nhist = nmutes = 0;
}

static void cand(int rule)
{
    mmr_candidate c = { (uint32_t)rule, 0, NULL, mmr_v_missing(), mmr_v_missing() };
    if (rule == GOAL) { c.nargs = 2; c.args = goal_vals; }
    if (rule == DINE) { c.nargs = 1; c.args = dine_vals; }
    cands[ncands++] = c;
}

static void delivered(int rule, int64_t at)
{
    hist[nhist++] = (mmr_delivery){ rule, NULL, at, NULL };
}

/* A per-key rule's candidate: key, and a rank (NAN: none). */
static void cand_key(int rule, mmr_text *key, double rank)
{
    cand(rule);
    cands[ncands - 1].key = mmr_v_text(key);
    cands[ncands - 1].rank = isnan(rank) ? mmr_v_missing() : mmr_v_num(rank);
}

static void delivered_key(int rule, const char *key, int64_t at)
{
    hist[nhist++] = (mmr_delivery){ rule, NULL, at, key };
}

static int decide_tz(int64_t now, const char *tz)
{
    mmr_decide_input in = { &prog, cands, ncands, hist, nhist, mutes, nmutes, now, tz, tzc };
    return mmr_decide(&in, &res);
}
static int decide(int64_t now) { return decide_tz(now, NULL); }

/* "rule:reason" for decision i ("rule:delivered"). */
static char sbuf[256];
static const char *S(size_t i)
{
    if (i >= res.n) return "(none)";
    const mmr_decision *d = &res.v[i];
    snprintf(sbuf, sizeof sbuf, "%s:%s", prog.rules[d->rule].name,
             d->delivered ? "delivered" : mmr_reason_name(d->reason));
    return sbuf;
}

/* Every decision as "rule[key]:reason ..." (no [] for a keyless one). */
static char allbuf[512];
static const char *ALL(void)
{
    size_t n = 0;
    allbuf[0] = 0;
    for (size_t i = 0; i < res.n && n < sizeof allbuf; i++) {
        const mmr_decision *d = &res.v[i];
        n += (size_t)snprintf(allbuf + n, sizeof allbuf - n, "%s%s%s%s%s:%s", i ? " " : "",
                              prog.rules[d->rule].name, d->key ? "[" : "", d->key ? d->key->bytes : "",
                              d->key ? "]" : "", d->delivered ? "delivered" : mmr_reason_name(d->reason));
    }
    return allbuf;
}

int main(void)
{
    setup();
    tzc = mmr_tz_cache_new(NULL);
    mmr_decide_result_init(&res);
    mmr_text *goa = txt("Goa Trip");
    goal_vals[0] = mmr_v_text(goa);
    goal_vals[1] = mmr_v_num(0.04);
    dine_vals[0] = mmr_v_text(goa);

    /* names */
    T_EQ_STR(mmr_reason_name(MMR_REASON_MUTED), "muted");
    T_EQ_STR(mmr_reason_name(MMR_REASON_COOLDOWN), "cooldown");
    T_EQ_STR(mmr_reason_name(MMR_REASON_QUIET_HOURS), "quiet_hours");
    T_EQ_STR(mmr_reason_name(MMR_REASON_TEMPLATE_VALUE_MISSING), "template_value_missing");
    T_EQ_STR(mmr_reason_name(MMR_REASON_DAILY_CAP), "daily_cap");
    T_EQ_STR(mmr_reason_name(MMR_REASON_NONE), "");
    for (int r = 1; r < MMR_NREASONS; r++) T_EQ_INT(mmr_reason_from_name(mmr_reason_name((mmr_reason)r)), r);
    T_EQ_INT(mmr_reason_from_name("spam"), -1);
    T_EQ_INT(mmr_reason_from_name(""), -1);

    /* a plain delivery, filled */
    reset(); cand(DINE);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_INT(res.n, 1);
    T_EQ_STR(S(0), "dining_overspend:delivered");
    T_EQ_STR(res.v[0].title, "Takeout again? 🍟");
    T_EQ_STR(res.v[0].body, "Your Goa Trip fund would love a home-cooked night 😋");
    T_EQ_STR(res.v[0].category, "dining");
    T_EQ_INT(res.ndelivered, 1);
    T_EQ_INT(res.delivered_first, 0);
    T_EQ_STR(res.tz_used, "Asia/Kolkata");
    T_EQ_INT(res.utc_offset, 19800);
    T_EQ_INT(res.local_minute, 12 * 60);
    T_CHECK(res.note == NULL);

    /* no candidates: nothing to decide */
    reset();
    T_EQ_INT(decide(NOON), 0);
    T_EQ_INT(res.n, 0);
    T_EQ_INT(res.delivered_first, -1);

    /* muted */
    reset(); cand(DINE); mutes[nmutes++] = "dining";
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:muted");
    T_CHECK(res.v[0].title != NULL);          /* texts are filled for suppressed ones too */

    /* muted beats cooldown, quiet hours, a missing value and the cap */
    reset(); cand(DINE); mutes[nmutes++] = "dining";
    delivered(DINE, NOON - H);
    dine_vals[0] = mmr_v_missing();
    decide(NOON + 6 * H);                      /* 12:30Z = 18:00 IST */
    T_EQ_STR(S(0), "dining_overspend:muted");
    decide(NOON + 11 * H);                     /* 17:30Z = 23:00 IST: quiet hours */
    T_EQ_STR(S(0), "dining_overspend:muted");
    dine_vals[0] = mmr_v_text(goa);

    /* cooldown: 3d; exactly 3d ago no longer counts, 3d - 1s ago does */
    reset(); cand(DINE); delivered(DINE, NOON - 3 * D);
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:delivered");
    reset(); cand(DINE); delivered(DINE, NOON - 3 * D + 1);
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:cooldown");
    /* another rule's delivery is no cooldown (but 2 days ago, outside the cap window) */
    reset(); cand(DINE); delivered(GOAL, NOON - 2 * D);
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:delivered");
    /* history by name, not index */
    reset(); cand(DINE);
    hist[nhist++] = (mmr_delivery){ -1, "dining_overspend", NOON - 2 * D, NULL };
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:cooldown");
    /* cooldown beats quiet hours */
    decide(NOON + 11 * H);
    T_EQ_STR(S(0), "dining_overspend:cooldown");
    /* cooldown 0: never cooling down, but the cap still applies */
    reset(); cand(SHOP); delivered(SHOP, NOON);
    decide(NOON);
    T_EQ_STR(S(0), "shopping_spike:daily_cap");

    /* quiet hours 22:00-08:00 IST, wrapping midnight; [start, end) */
    int64_t ist_2200 = 1761496200;             /* 2025-10-26T16:30:00Z */
    int64_t ist_0800 = 1761445800;             /* 2025-10-26T02:30:00Z */
    reset(); cand(DINE);
    decide(ist_2200 - 60);  T_EQ_STR(S(0), "dining_overspend:delivered");
    T_EQ_INT(res.local_minute, 21 * 60 + 59);
    decide(ist_2200);       T_EQ_STR(S(0), "dining_overspend:quiet_hours");
    T_EQ_INT(res.in_quiet_hours, 1);
    decide(ist_2200 + 4 * H); T_EQ_STR(S(0), "dining_overspend:quiet_hours");  /* 02:00 */
    decide(ist_0800 - 1);   T_EQ_STR(S(0), "dining_overspend:quiet_hours");   /* 07:59:59 */
    decide(ist_0800);       T_EQ_STR(S(0), "dining_overspend:delivered");
    /* the user's zone wins: 17:00Z is 22:30 in Kolkata but 13:00 in New York */
    decide_tz(1761498000, NULL);                  T_EQ_STR(S(0), "dining_overspend:quiet_hours");
    decide_tz(1761498000, "America/New_York");    T_EQ_STR(S(0), "dining_overspend:delivered");
    T_EQ_STR(res.tz_used, "America/New_York");
    T_EQ_INT(res.utc_offset, -14400);
    /* Europe/London right after BST ended: 06:30Z is 06:30 GMT, quiet */
    decide_tz(NOON, "Europe/London");             T_EQ_STR(S(0), "dining_overspend:quiet_hours");
    T_EQ_INT(res.utc_offset, 0);
    /* a bad user zone falls back to the policy zone, with a note */
    decide_tz(1761498000, "../../etc/passwd");    T_EQ_STR(S(0), "dining_overspend:quiet_hours");
    T_EQ_STR(res.tz_used, "Asia/Kolkata");
    T_CHECK(res.note != NULL);
    decide_tz(1761498000, "Mars/Base");           T_EQ_STR(res.tz_used, "Asia/Kolkata");
    decide_tz(1761498000, "");                    T_CHECK(res.note == NULL);
    /* start == end: no quiet hours at all; a non-wrapping range */
    prog.policy.quiet_start_min = prog.policy.quiet_end_min = 12 * 60;
    decide(NOON); T_EQ_STR(S(0), "dining_overspend:delivered");
    prog.policy.quiet_start_min = 11 * 60; prog.policy.quiet_end_min = 12 * 60;
    decide(NOON - 1); T_EQ_STR(S(0), "dining_overspend:quiet_hours");
    decide(NOON);     T_EQ_STR(S(0), "dining_overspend:delivered");
    prog.policy.quiet_start_min = prog.policy.quiet_end_min = -1;   /* none */
    decide(ist_2200 + H); T_EQ_STR(S(0), "dining_overspend:delivered");
    /* no tz cache: only UTC can be judged; the policy zone falls back */
    prog.policy.quiet_start_min = 22 * 60; prog.policy.quiet_end_min = 8 * 60;
    {
        mmr_decide_input in = { &prog, cands, ncands, NULL, 0, NULL, 0, NOON, NULL, NULL };
        T_EQ_INT(mmr_decide(&in, &res), 0);
        T_EQ_STR(res.tz_used, "UTC");
        T_CHECK(res.note != NULL);
        T_EQ_STR(S(0), "dining_overspend:quiet_hours");   /* 06:30 UTC */
    }

    /* template_value_missing, after quiet hours, before the cap */
    reset(); cand(DINE);
    dine_vals[0] = mmr_v_missing();
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:template_value_missing");
    T_EQ_STR(res.v[0].missing, "goal_name");
    T_CHECK(res.v[0].title == NULL && res.v[0].body == NULL);
    decide(ist_2200);
    T_EQ_STR(S(0), "dining_overspend:quiet_hours");
    delivered(SHOP, NOON - H);
    decide(NOON);
    T_EQ_STR(S(0), "dining_overspend:template_value_missing");
    dine_vals[0] = mmr_v_text(goa);
    /* a missing value does not use up the cap: the next candidate goes */
    reset(); cand(GOAL); cand(DINE);
    goal_vals[1] = mmr_v_missing();
    decide(NOON);
    T_EQ_STR(S(0), "goal_underfunded:template_value_missing");
    T_EQ_STR(res.v[0].missing, "progress");
    T_EQ_STR(S(1), "dining_overspend:delivered");
    goal_vals[1] = mmr_v_num(0.04);

    /* daily cap: rolling 24h; exactly 24h ago does not count, 24h - 1s does */
    reset(); cand(DINE); delivered(SHOP, NOON - D);
    decide(NOON); T_EQ_STR(S(0), "dining_overspend:delivered");
    T_EQ_INT(res.window_count, 0);
    reset(); cand(DINE); delivered(SHOP, NOON - D + 1);
    decide(NOON); T_EQ_STR(S(0), "dining_overspend:daily_cap");
    T_EQ_INT(res.window_count, 1);
    /* a rule no longer in the ruleset still counts */
    reset(); cand(DINE);
    hist[nhist++] = (mmr_delivery){ -1, "retired_rule", NOON - H, NULL };
    decide(NOON); T_EQ_STR(S(0), "dining_overspend:daily_cap");
    /* a delivery stamped in the future counts too */
    reset(); cand(DINE); delivered(SHOP, NOON + H);
    decide(NOON); T_EQ_STR(S(0), "dining_overspend:daily_cap");
    /* old deliveries, any order, do not count */
    reset(); cand(DINE); delivered(SHOP, NOON - 30 * D); delivered(GOAL, NOON - 8 * D);
    decide(NOON); T_EQ_STR(S(0), "dining_overspend:delivered");

    /* priority order and the cap within a run */
    reset(); cand(SHOP); cand(DINE); cand(GOAL);   /* any input order */
    decide(NOON);
    T_EQ_INT(res.n, 3);
    T_EQ_STR(S(0), "goal_underfunded:delivered");
    T_EQ_STR(S(1), "dining_overspend:daily_cap");
    T_EQ_STR(S(2), "shopping_spike:daily_cap");
    T_EQ_STR(res.v[0].title, "Goa Trip could use a boost");
    T_EQ_STR(res.v[0].body, "It is 4% of the way there.");
    T_EQ_INT(res.v[1].cand, 1);
    /* the first that passes is delivered */
    mutes[nmutes++] = "goal";
    decide(NOON);
    T_EQ_STR(S(0), "goal_underfunded:muted");
    T_EQ_STR(S(1), "dining_overspend:delivered");
    T_EQ_STR(S(2), "shopping_spike:daily_cap");
    T_EQ_INT(res.delivered_first, 1);
    /* after the cap, an earlier check still names the reason */
    reset(); cand(GOAL); cand(DINE); cand(SHOP); delivered(DINE, NOON - 2 * D);
    decide(NOON);
    T_EQ_STR(S(0), "goal_underfunded:delivered");
    T_EQ_STR(S(1), "dining_overspend:cooldown");
    T_EQ_STR(S(2), "shopping_spike:daily_cap");

    /* max_nudges 2 */
    prog.policy.max_nudges = 2;
    reset(); cand(GOAL); cand(DINE); cand(SHOP);
    decide(NOON);
    T_EQ_STR(S(0), "goal_underfunded:delivered");
    T_EQ_STR(S(1), "dining_overspend:delivered");
    T_EQ_STR(S(2), "shopping_spike:daily_cap");
    T_EQ_INT(res.ndelivered, 2);
    delivered(A_BUDGET, NOON - 5 * H);              /* one already today */
    decide(NOON);
    T_EQ_STR(S(0), "goal_underfunded:delivered");
    T_EQ_STR(S(1), "dining_overspend:daily_cap");
    T_EQ_STR(S(2), "shopping_spike:daily_cap");
    delivered(B_BUDGET, NOON - 4 * H);              /* two: the cap is full */
    decide(NOON);
    T_EQ_STR(S(0), "goal_underfunded:daily_cap");
    T_EQ_INT(res.ndelivered, 0);
    prog.policy.max_nudges = 0;                     /* zero: nothing is ever delivered */
    reset(); cand(SHOP);
    decide(NOON); T_EQ_STR(S(0), "shopping_spike:daily_cap");
    prog.policy.max_nudges = 1;

    /* ties: equal priority, by name */
    reset(); cand(B_BUDGET); cand(A_BUDGET);
    decide(NOON);
    T_EQ_STR(S(0), "a_budget:delivered");
    T_EQ_STR(S(1), "b_budget:daily_cap");

    /* the same inputs give the same decisions */
    reset(); cand(GOAL); cand(DINE);
    decide(NOON);
    char first[256];
    snprintf(first, sizeof first, "%s|%s|%s", S(0), res.v[0].title, res.v[0].body);
    decide(NOON);
    char second[256];
    snprintf(second, sizeof second, "%s|%s|%s", S(0), res.v[0].title, res.v[0].body);
    T_EQ_STR(first, second);

    /* a candidate outside the program is a contract error, not a crash */
    reset(); cands[ncands++] = (mmr_candidate){ 99, 0, NULL, mmr_v_missing(), mmr_v_missing() };
    T_EQ_INT(decide(NOON), -1);
    T_CHECK(res.note != NULL);

    /* QA: history at the ends of int64 (a test's `r 15250284452471w ago`,
     * a corrupt database row) is compared without overflow */
    reset(); cand(DINE); delivered(DINE, INT64_MIN);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(S(0), "dining_overspend:delivered");
    reset(); cand(DINE); delivered(SHOP, INT64_MIN); delivered(SHOP, INT64_MAX);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(S(0), "dining_overspend:daily_cap");         /* a delivery "after now" counts */
    rules[DINE].cooldown_s = INT64_MAX;
    reset(); cand(DINE); delivered(DINE, INT64_MIN);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(S(0), "dining_overspend:delivered");         /* now - INT64_MIN > INT64_MAX */
    reset(); cand(DINE); delivered(DINE, -NOON);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(S(0), "dining_overspend:cooldown");
    rules[DINE].cooldown_s = 3 * D;

    /* deferral: quiet hours alone defer to the window's end (08:00 IST =
     * 02:30Z), holding a cap slot; past the cap, or with another reason,
     * the candidate is dropped */
    reset(); cand(GOAL); cand(SHOP);
    T_EQ_INT(decide(NOON + 11 * H), 0);                  /* 17:30Z = 23:00 IST */
    T_EQ_INT(res.n, 2);
    T_EQ_INT(res.v[0].deferred, 1);                      /* goal, priority 90 */
    T_EQ_INT(res.v[0].reason, MMR_REASON_QUIET_HOURS);
    T_EQ_INT(res.v[0].delivered, 0);
    T_EQ_INT(res.v[0].deliver_at, NOON + 20 * H);        /* 2025-10-27T02:30:00Z */
    T_EQ_INT(res.v[1].deferred, 0);                      /* shop: the cap is taken */
    T_EQ_INT(res.v[1].reason, MMR_REASON_QUIET_HOURS);
    T_EQ_INT(res.ndeferred, 1);
    T_EQ_INT(res.ndelivered, 0);
    reset(); cand(SHOP);
    T_EQ_INT(decide(NOON + 19 * H + 1799), 0);           /* 02:29:59Z: one second left */
    T_EQ_INT(res.v[0].deliver_at, NOON + 20 * H);
    reset(); cand(SHOP); delivered(DINE, NOON);          /* cap full already */
    T_EQ_INT(decide(NOON + 11 * H), 0);
    T_EQ_INT(res.v[0].deferred, 0);
    reset(); cand(SHOP); mutes[nmutes++] = "shopping";  /* muted: dropped */
    T_EQ_INT(decide(NOON + 11 * H), 0);
    T_EQ_INT(res.v[0].deferred, 0);
    T_EQ_INT(res.v[0].reason, MMR_REASON_MUTED);
    reset(); cand(SHOP);
    T_EQ_INT(decide_tz(NOON + 11 * H, "America/New_York"), 0);  /* 13:30 EDT: not quiet */
    T_EQ_INT(res.v[0].delivered, 1);
    T_EQ_INT(res.v[0].deferred, 0);

    /* per-key rules: one candidate per key. Order: priority, then among
     * one rule's keys rank desc (missing last), then key bytewise */
    mmr_text *food = txt("Food"), *travel = txt("Travel"), *zoo = txt("Zoo"), *food2 = txt("Food"),
             *lower = txt("food");
    prog.policy.max_nudges = 5;
    reset(); cand_key(DINE, travel, NAN); cand_key(DINE, lower, NAN); cand_key(DINE, food, NAN); cand(GOAL);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "goal_underfunded:delivered dining_overspend[Food]:delivered "
                    "dining_overspend[Travel]:delivered dining_overspend[food]:delivered");
    T_CHECK(res.v[1].key == food);
    T_CHECK(res.v[0].key == NULL);
    T_EQ_INT(res.v[1].cand, 2);
    reset(); cand_key(DINE, zoo, NAN); cand_key(DINE, food, 2); cand_key(DINE, travel, 5); cand_key(DINE, lower, 2);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Travel]:delivered dining_overspend[Food]:delivered "
                    "dining_overspend[food]:delivered dining_overspend[Zoo]:delivered");
    /* the cap takes them in that order, and counts every delivery */
    prog.policy.max_nudges = 2;
    reset(); cand_key(DINE, food, 1); cand_key(DINE, travel, 9); delivered_key(DINE, "Zoo", NOON - 5 * D + 1);
    delivered(SHOP, NOON - H);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Travel]:delivered dining_overspend[Food]:daily_cap");
    /* cooldown per (rule, key): Food two days ago cools Food only */
    prog.policy.max_nudges = 5;
    reset(); cand_key(DINE, food, NAN); cand_key(DINE, travel, NAN); delivered_key(DINE, "Food", NOON - 2 * D);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Food]:cooldown dining_overspend[Travel]:delivered");
    reset(); cand_key(DINE, food, NAN); delivered_key(DINE, "Food", NOON - 3 * D);   /* exactly one cooldown ago */
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Food]:delivered");
    reset(); cand_key(DINE, food, NAN); delivered_key(DINE, "food", NOON - H);       /* keys are bytes */
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Food]:delivered");
    hist[0] = (mmr_delivery){ -1, "dining_overspend", NOON - H, "Food" };          /* by name */
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Food]:cooldown");
    /* a keyless delivery of the rule ("" or NULL) cools every key; a
     * keyless candidate is cooled by any delivery of its rule */
    reset(); cand_key(DINE, food, NAN); cand_key(DINE, travel, NAN); delivered_key(DINE, "", NOON - H);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Food]:cooldown dining_overspend[Travel]:cooldown");
    reset(); cand(DINE); delivered_key(DINE, "Travel", NOON - H);
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend:cooldown");
    /* a muted category holds every key */
    reset(); cand_key(DINE, food, NAN); cand_key(DINE, travel, NAN); mutes[nmutes++] = "dining";
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "dining_overspend[Food]:muted dining_overspend[Travel]:muted");
    /* one rule and key twice (even with another rank), a keyless rule
     * twice, or keyed beside keyless: the program is corrupt */
    reset(); cand_key(DINE, food, 3); cand_key(DINE, travel, 2); cand_key(DINE, food2, 1);
    T_EQ_INT(decide(NOON), -1);
    T_EQ_STR(res.note, "rule dining_overspend fired twice for one user and key: the program is corrupt");
    T_EQ_INT(res.n, 0);
    reset(); cand(DINE); cand(GOAL); cand(DINE);
    T_EQ_INT(decide(NOON), -1);
    T_EQ_STR(res.note, "rule dining_overspend fired twice for one user: the program is corrupt");
    reset(); cand_key(DINE, food, NAN); cand(DINE);
    T_EQ_INT(decide(NOON), -1);
    T_CHECK(res.note && strstr(res.note, "the program is corrupt"));
    reset(); cand_key(DINE, food, NAN); cand_key(GOAL, food2, NAN);        /* one key, two rules: fine */
    T_EQ_INT(decide(NOON), 0);
    T_EQ_STR(ALL(), "goal_underfunded[Food]:delivered dining_overspend[Food]:delivered");
    prog.policy.max_nudges = 1;
    free(food); free(travel); free(zoo); free(food2); free(lower);

    mmr_decide_result_free(&res);
    mmr_tz_cache_free(tzc);
    free(goa);
    return T_DONE("decide");
}
