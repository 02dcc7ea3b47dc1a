#include "signals/responsiveness.h"
#include "compiler/ast.h"
#include <math.h>
#include <string.h>

double mmr_resp_weight(const char *action, int *known)
{
    int k = 1;
    double w = 0;
    if (action && !strcmp(action, "clicked")) w = 1;
    else if (action && !strcmp(action, "viewed")) w = 0.25;
    else if (action && !strcmp(action, "dismissed")) w = -1;
    else k = 0;
    if (known) *known = k;
    return w;
}

void mmr_resp_add(mmr_resp_acc *a, const char *action, int64_t at, int64_t now)
{
    int known;
    double w = mmr_resp_weight(action, &known);
    if (!known) return;
    /* a clock-skewed time after now is as fresh as now, never heavier */
    double age = at < now ? (double)(now - at) : 0;
    double decay = exp2(-age / MMR_RESP_HALF_LIFE_S);
    a->s += w * decay;
    a->d += decay;
}

double mmr_resp_score(const mmr_resp_acc *a)
{
    return a->s / (1 + a->d);
}

int mmr_resp_is_signal(const char *name, int type)
{
    if (!name) return 0;
    return (type == MMR_T_NUMBER && !strcmp(name, MMR_RESP_SIGNAL)) ||
           (type == MMR_T_MAP_NUMBER && !strcmp(name, MMR_RESP_BY_CATEGORY_SIGNAL));
}
