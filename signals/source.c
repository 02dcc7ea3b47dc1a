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

const mmr_source mmr_sources[MMR_NSOURCES] = {
    [MMR_SRC_TRANSACTION] = { "transaction", txn_fields, MMR_TXF_COUNT },
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
