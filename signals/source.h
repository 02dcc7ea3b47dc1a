/* The sources derived signals aggregate (docs/signals.md): their names and
 * fields, one table that drives the checker, the formatter's hints, the
 * evaluator and the docs. */
#ifndef MMR_SIGNALS_SOURCE_H
#define MMR_SIGNALS_SOURCE_H
#include <stddef.h>

/* transaction: events in time, aggregated over windows. budget and goal:
 * the user's current rows (no window), in a fixed order for first/last:
 * budgets by category, goals by priority (1 first) then goal_id. */
enum { MMR_SRC_TRANSACTION = 0, MMR_SRC_BUDGET, MMR_SRC_GOAL, MMR_NSOURCES };

/* Days of history kept (rollups, mm_signal_daily) unless the policy says
 * otherwise (retention 180d); no window may reach back further. */
#define MMR_RETENTION_DAYS 90

/* Fields of a transaction, in the order of mmr_source_fields. The last
 * three are computed from ts in the user's time zone. */
enum {
    MMR_TXF_TXN_ID = 0, MMR_TXF_USER_ID, MMR_TXF_TS, MMR_TXF_AMOUNT, MMR_TXF_TYPE,
    MMR_TXF_CATEGORY, MMR_TXF_MERCHANT, MMR_TXF_RECURRING,
    MMR_TXF_HOUR, MMR_TXF_WEEKDAY, MMR_TXF_DAY,
    MMR_TXF_COUNT
};

enum {
    MMR_BGF_USER_ID = 0, MMR_BGF_CATEGORY, MMR_BGF_LIMIT, MMR_BGF_PERIOD,
    MMR_BGF_COUNT
};

/* progress and days_left are computed: saved / target, and the days from
 * the as-of day to the deadline (missing without one). */
enum {
    MMR_GLF_USER_ID = 0, MMR_GLF_GOAL_ID, MMR_GLF_NAME, MMR_GLF_TARGET, MMR_GLF_SAVED,
    MMR_GLF_DEADLINE, MMR_GLF_PRIORITY, MMR_GLF_PROGRESS, MMR_GLF_DAYS_LEFT,
    MMR_GLF_COUNT
};

typedef struct mmr_source_field {
    const char *name;
    int type;              /* mmr_type */
    const char *doc;
} mmr_source_field;

typedef struct mmr_source {
    const char *name;
    const mmr_source_field *fields;
    size_t nfields;
    int windowed;          /* aggregates over it take a window */
} mmr_source;

extern const mmr_source mmr_sources[MMR_NSOURCES];

struct mmr_derived;
/* Days a derived aggregate's window reaches back from the as-of day
 * (inclusive), at most: last 7d 7, previous 7d 14, this week 7, previous
 * week 14, this month 31, previous month 62. */
int mmr_window_reach(const struct mmr_derived *x);

/* Source index by name, or -1. */
int mmr_source_find(const char *name);
/* Field index by name in source s, or -1. */
int mmr_source_field_find(int s, const char *name);

#endif
