/* The source table (see signals/source.h). */
#include "signals/source.h"
#include <string.h>
#include "compiler/ast.h"

static const mmr_source_field txn_fields[MMR_TXF_COUNT] = {
    [MMR_TXF_TXN_ID]    = { "txn_id", MMR_T_TEXT, "the transaction's id" },
    [MMR_TXF_USER_ID]   = { "user_id", MMR_T_TEXT, "the user's id" },
    [MMR_TXF_TS]        = { "ts", MMR_T_NUMBER, "the instant, Unix seconds" },
    [MMR_TXF_AMOUNT]    = { "amount", MMR_T_NUMBER, "the amount, always positive" },
    [MMR_TXF_TYPE]      = { "type", MMR_T_TEXT, "\"expense\" or \"income\"" },
    [MMR_TXF_CATEGORY]  = { "category", MMR_T_TEXT, "the category, e.g. \"Food & Dining\"" },
    [MMR_TXF_MERCHANT]  = { "merchant", MMR_T_TEXT, "the merchant, missing when not given" },
    [MMR_TXF_RECURRING] = { "recurring", MMR_T_BOOL, "a recurring payment (false when not given)" },
    [MMR_TXF_HOUR]      = { "hour", MMR_T_NUMBER, "the local hour of day, 0-23" },
    [MMR_TXF_WEEKDAY]   = { "weekday", MMR_T_TEXT, "the local day of the week, \"Mon\" .. \"Sun\"" },
    [MMR_TXF_DAY]       = { "day", MMR_T_TEXT, "the local date, \"2025-10-20\"" },
};

static const mmr_source_field budget_fields[MMR_BGF_COUNT] = {
    [MMR_BGF_USER_ID]  = { "user_id", MMR_T_TEXT, "the user's id" },
    [MMR_BGF_CATEGORY] = { "category", MMR_T_TEXT, "the transaction category it budgets" },
    [MMR_BGF_LIMIT]    = { "limit", MMR_T_NUMBER, "the amount planned for the period" },
    [MMR_BGF_PERIOD]   = { "period", MMR_T_TEXT, "the period, \"month\" unless given" },
};

static const mmr_source_field goal_fields[MMR_GLF_COUNT] = {
    [MMR_GLF_USER_ID]   = { "user_id", MMR_T_TEXT, "the user's id" },
    [MMR_GLF_GOAL_ID]   = { "goal_id", MMR_T_TEXT, "the goal's id" },
    [MMR_GLF_NAME]      = { "name", MMR_T_TEXT, "the goal's name, e.g. \"Goa Trip\"" },
    [MMR_GLF_TARGET]    = { "target", MMR_T_NUMBER, "the amount to reach" },
    [MMR_GLF_SAVED]     = { "saved", MMR_T_NUMBER, "the amount saved so far" },
    [MMR_GLF_DEADLINE]  = { "deadline", MMR_T_TEXT, "the date to reach it by, missing when none" },
    [MMR_GLF_PRIORITY]  = { "priority", MMR_T_NUMBER, "1 is the most important" },
    [MMR_GLF_PROGRESS]  = { "progress", MMR_T_NUMBER, "saved / target (0-1), missing when the target is 0" },
    [MMR_GLF_DAYS_LEFT] = { "days_left", MMR_T_NUMBER, "days from the as-of day to the deadline" },
};

const mmr_source mmr_sources[MMR_NSOURCES] = {
    [MMR_SRC_TRANSACTION] = { "transaction", txn_fields, MMR_TXF_COUNT, 1 },
    [MMR_SRC_BUDGET]      = { "budget", budget_fields, MMR_BGF_COUNT, 0 },
    [MMR_SRC_GOAL]        = { "goal", goal_fields, MMR_GLF_COUNT, 0 },
};

int mmr_source_find(const char *name)
{
    for (int i = 0; i < MMR_NSOURCES; i++)
        if (name && !strcmp(mmr_sources[i].name, name)) return i;
    return -1;
}

int mmr_source_field_find(int s, const char *name)
{
    if (s < 0 || s >= MMR_NSOURCES || !name) return -1;
    for (size_t i = 0; i < mmr_sources[s].nfields; i++)
        if (!strcmp(mmr_sources[s].fields[i].name, name)) return (int)i;
    return -1;
}

int mmr_window_reach(const mmr_derived *x)
{
    switch (x->window) {
    case MMR_WIN_LAST: return x->window_days;
    case MMR_WIN_PREVIOUS: return 2 * x->window_days;
    case MMR_WIN_THIS_WEEK: return 7;
    case MMR_WIN_PREV_WEEK: return 14;
    case MMR_WIN_THIS_MONTH: return 31;
    case MMR_WIN_PREV_MONTH: return 62;
    }
    return 0;
}
