/* The responsiveness formula (signals/responsiveness.h). */
#include "t.h"
#include "signals/responsiveness.h"

#define DAY 86400

static double near(double a, double b) { return fabs(a - b) < 1e-12; }

int main(void)
{
    int64_t now = 1761469200;   /* 2025-10-26T09:00:00Z */
    mmr_resp_acc a = {0, 0};
    T_EQ_NUM(mmr_resp_score(&a), 0);            /* no interactions: neutral */

    mmr_resp_add(&a, "dismissed", now, now);    /* one fresh dismissal */
    T_EQ_NUM(mmr_resp_score(&a), -0.5);

    mmr_resp_acc c = {0, 0};                    /* a click 14 days ago: half weight */
    mmr_resp_add(&c, "clicked", now - 14 * DAY, now);
    T_CHECK(near(mmr_resp_score(&c), 0.5 / 1.5));

    mmr_resp_acc v = {0, 0};                    /* a view today */
    mmr_resp_add(&v, "viewed", now, now);
    T_EQ_NUM(mmr_resp_score(&v), 0.125);

    mmr_resp_acc f = {0, 0};                    /* after now counts as now */
    mmr_resp_add(&f, "dismissed", now + DAY, now);
    T_EQ_NUM(mmr_resp_score(&f), -0.5);

    mmr_resp_acc u = {0, 0};                    /* unknown actions add nothing */
    mmr_resp_add(&u, "liked", now, now);
    mmr_resp_add(&u, NULL, now, now);
    T_EQ_NUM(mmr_resp_score(&u), 0);
    int known = 1;
    T_EQ_NUM(mmr_resp_weight("liked", &known), 0);
    T_EQ_INT(known, 0);

    /* bounded: many dismissals stay above -1; three fresh ones give -0.75 */
    mmr_resp_acc m = {0, 0};
    for (int i = 0; i < 3; i++) mmr_resp_add(&m, "dismissed", now, now);
    T_EQ_NUM(mmr_resp_score(&m), -0.75);
    for (int i = 0; i < 1000; i++) mmr_resp_add(&m, "dismissed", now - i * 60, now);
    T_CHECK(mmr_resp_score(&m) > -1 && mmr_resp_score(&m) < -0.99);

    /* old dismissals fade: one 28 days ago weighs a quarter */
    mmr_resp_acc o = {0, 0};
    mmr_resp_add(&o, "dismissed", now - 28 * DAY, now);
    T_CHECK(near(mmr_resp_score(&o), -0.25 / 1.25));
    return T_DONE("responsiveness");
}
