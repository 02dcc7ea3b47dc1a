/* The sources derived signals aggregate (docs/signals.md): their names and
 * fields, one table that drives the checker, the formatter's hints, the
 * evaluator and the docs. */
#ifndef MMR_SIGNALS_SOURCE_H
#define MMR_SIGNALS_SOURCE_H
#include <stddef.h>

enum { MMR_SRC_TRANSACTION = 0, MMR_NSOURCES };

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

typedef struct mmr_source_field {
    const char *name;
    int type;              /* mmr_type */
    const char *doc;
} mmr_source_field;

typedef struct mmr_source {
    const char *name;
    const mmr_source_field *fields;
    size_t nfields;
} mmr_source;

extern const mmr_source mmr_sources[MMR_NSOURCES];

/* Source index by name, or -1. */
int mmr_source_find(const char *name);
/* Field index by name in source s, or -1. */
int mmr_source_field_find(int s, const char *name);

#endif
