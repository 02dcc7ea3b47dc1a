/* Responsiveness: how a user has answered their nudges lately, from the
 * interaction log (viewed, clicked, dismissed), overall or per category
 * (docs/signals.md, "Responsiveness"). Pure arithmetic, no I/O.
 *
 *   score = S / (1 + D)    S = sum of w(action) * d(age),  D = sum of d(age)
 *   d(age) = 2^(-age_days / 14)       (half-life 14 days; a time after now
 *                                      counts as age 0)
 *   w(clicked) = +1, w(viewed) = +0.25, w(dismissed) = -1
 *
 * A decayed average of the weights with one neutral phantom interaction:
 * always in (-1, 1), 0 with no interactions (the neutral value), -0.5 after
 * one fresh dismissal, nearer -1 the more recent dismissals pile up.
 *
 * `mmr run` feeds it to rules as the signals `responsiveness` and
 * `responsiveness_by_category` (engine/responsiveness_load.h).
 */
#ifndef MMR_SIGNALS_RESPONSIVENESS_H
#define MMR_SIGNALS_RESPONSIVENESS_H
#include <stdint.h>

#define MMR_RESP_HALF_LIFE_S (14 * 86400)

typedef struct mmr_resp_acc {
    double s;      /* sum of weight * decay */
    double d;      /* sum of decay */
} mmr_resp_acc;

/* The signals `mmr run` computes with it rather than reads from
 * mm_signal_daily or a --signals file. */
#define MMR_RESP_SIGNAL "responsiveness"                    /* number */
#define MMR_RESP_BY_CATEGORY_SIGNAL "responsiveness_by_category"   /* map<number> */

/* 1 when a signal of this name and mmr_type is one of the two above. */
int    mmr_resp_is_signal(const char *name, int type);

/* The weight of an action name; 0 (and *known 0) for an unknown one. */
double mmr_resp_weight(const char *action, int *known);
/* Add one interaction at `at` (Unix seconds) as seen at `now`. An unknown
 * action adds nothing. */
void   mmr_resp_add(mmr_resp_acc *a, const char *action, int64_t at, int64_t now);
/* The score; 0 for an empty accumulator. */
double mmr_resp_score(const mmr_resp_acc *a);

#endif
