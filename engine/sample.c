/* Deterministic sample users (see sample.h). */
#include "engine/sample.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The std/moneymoments schema, in declaration order. */
enum {
    F_DINING_TXN_7D, F_SHOPPING_TXN_7D, F_TRAVEL_TXN_30D, F_WANTS_SHARE_30D,
    F_NEEDS_SHARE_30D, F_UPI_PEER_30D, F_RECURRING_MERCHANTS, F_LEAKS_30D,
    F_SHOP_SPEND_30D, F_SHOP_SPEND_PREV_30D, F_TRAVEL_BASELINE_30D,
    F_TOTAL_SPEND_7D, F_PREV_TOTAL_SPEND_7D, F_SMALL_TXN_7D,
    F_CAT_SPEND_7D, F_PREV_CAT_SPEND_7D,
    F_BUDGET_VARIANCE, F_VAR_NEEDS, F_VAR_WANTS, F_VAR_SAVINGS,
    F_MONTHLY_COMMITMENT, F_MONTHLY_INCOME, F_UPCOMING_YEARLY_90D,
    F_SAVINGS_GAP, F_SAVINGS_ACTUAL_MONTH, F_UNDERFUNDED_TOP_GOAL,
    F_TOP_GOAL_NAME, F_TOP_GOAL_PROGRESS, F_TOP_GOAL_UNDERFUNDING,
    F_GOAL_MILESTONES_30D,
    F_AGE_BAND, F_GENDER, F_LIFESTYLE_TAGS, F_REGION_CODE, F_INCOME_TYPE,
    F_DEPENDENTS, F_TZ,
    NFIELDS
};

static const struct { const char *name; int is_trait; mmr_sample_kind type; } schema[NFIELDS] = {
    { "dining_txn_7d", 0, MMR_SF_NUMBER },
    { "shopping_txn_7d", 0, MMR_SF_NUMBER },
    { "travel_txn_30d", 0, MMR_SF_NUMBER },
    { "wants_share_30d", 0, MMR_SF_NUMBER },
    { "needs_share_30d", 0, MMR_SF_NUMBER },
    { "upi_peer_payments_30d", 0, MMR_SF_NUMBER },
    { "recurring_merchants", 0, MMR_SF_NUMBER },
    { "spending_leaks_30d", 0, MMR_SF_NUMBER },
    { "shopping_spend_30d", 0, MMR_SF_NUMBER },
    { "shopping_spend_prev_30d", 0, MMR_SF_NUMBER },
    { "travel_txn_baseline_30d", 0, MMR_SF_NUMBER },
    { "total_spend_7d", 0, MMR_SF_NUMBER },
    { "prev_total_spend_7d", 0, MMR_SF_NUMBER },
    { "small_txn_count_7d", 0, MMR_SF_NUMBER },
    { "category_spend_7d", 0, MMR_SF_NUMBER_MAP },
    { "prev_category_spend_7d", 0, MMR_SF_NUMBER_MAP },
    { "budget_variance", 0, MMR_SF_NUMBER },
    { "variance_needs", 0, MMR_SF_NUMBER },
    { "variance_wants", 0, MMR_SF_NUMBER },
    { "variance_savings", 0, MMR_SF_NUMBER },
    { "monthly_commitment", 0, MMR_SF_NUMBER },
    { "monthly_income", 0, MMR_SF_NUMBER },
    { "upcoming_yearly_expenses_90d", 0, MMR_SF_NUMBER },
    { "savings_gap", 0, MMR_SF_NUMBER },
    { "savings_actual_month", 0, MMR_SF_NUMBER },
    { "underfunded_top_goal", 0, MMR_SF_TEXT },
    { "top_goal_name", 0, MMR_SF_TEXT },
    { "top_goal_progress", 0, MMR_SF_NUMBER },
    { "top_goal_underfunding", 0, MMR_SF_NUMBER },
    { "goal_milestones_30d", 0, MMR_SF_NUMBER },
    { "age_band", 1, MMR_SF_TEXT },
    { "gender", 1, MMR_SF_TEXT },
    { "lifestyle_tags", 1, MMR_SF_TEXT_LIST },
    { "region_code", 1, MMR_SF_TEXT },
    { "income_type", 1, MMR_SF_TEXT },
    { "dependents", 1, MMR_SF_NUMBER },
    { "tz", 1, MMR_SF_TEXT },
};

static const char *const goals[] = {
    "Emergency Fund", "Goa Trip", "New Laptop", "Wedding", "Home Down Payment",
    "Bike", "Kids' Education", "Café Fund", "Europe \"Big\" Trip"
};
static const char *const age_bands[] = { "18-24", "25-34", "35-44", "45-54", "55+" };
static const char *const genders[] = { "female", "male", "non_binary" };
static const char *const tags_all[] = { "foodie", "traveller", "student", "gamer", "fitness", "parent" };
static const char *const regions[] = { "IN-MH", "IN-KA", "IN-DL", "IN-TN", "IN-WB", "IN-GJ", "IN-TG" };
static const char *const income_types[] = { "salaried", "self_employed", "gig", "student" };
static const char *const zones[] = { "Asia/Dubai", "Europe/London", "America/New_York", "Asia/Singapore" };
/* sorted, so picking in order gives sorted map keys */
static const char *const cats[] = { "bills", "dining", "entertainment", "fuel", "groceries", "shopping", "travel" };
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

typedef struct rng { uint64_t s; } rng;

static uint64_t next_u64(rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double unit(rng *r) { return (double)(next_u64(r) >> 11) * (1.0 / 9007199254740992.0); }
static int below(rng *r, int n) { return (int)(unit(r) * n); }
static int chance(rng *r, double p) { return unit(r) < p; }
static double cents(double v) { return round(v * 100.0) / 100.0; }
static double rupees(double v) { return round(v); }

static void set_num(mmr_sample_user *u, int f, double v) { u->fields[f].kind = MMR_SF_NUMBER; u->fields[f].num = v; }
static void set_text(mmr_sample_user *u, int f, const char *t) { u->fields[f].kind = MMR_SF_TEXT; u->fields[f].text = t; }

void mmr_sample_user_make(mmr_sample_user *u, uint64_t seed, uint64_t index, const char *as_of)
{
    rng r = { seed * 0xD1B54A32D192ED03ull ^ (index + 1) * 0x9E3779B97F4A7C15ull };
    next_u64(&r);
    snprintf(u->user_id, sizeof u->user_id, "u%llu", (unsigned long long)index + 1);
    snprintf(u->as_of, sizeof u->as_of, "%.10s", as_of ? as_of : "2025-10-26");
    u->nfields = NFIELDS;
    for (int i = 0; i < NFIELDS; i++) {
        mmr_sample_field *f = &u->fields[i];
        memset(f, 0, sizeof *f);
        f->name = schema[i].name;
        f->is_trait = schema[i].is_trait;
        f->type = schema[i].type;
        f->kind = MMR_SF_MISSING;
    }

    /* a "profile" drives the correlated parts, so every rule fires often */
    int diner = chance(&r, 0.35), shopper = chance(&r, 0.3), traveller = chance(&r, 0.25);
    int stalled = chance(&r, 0.2), drifting = chance(&r, 0.3);

    /* dining */
    set_num(u, F_DINING_TXN_7D, diner ? 3 + below(&r, 7) : below(&r, 4));
    set_num(u, F_WANTS_SHARE_30D, cents(diner ? 0.25 + 0.35 * unit(&r) : 0.10 + 0.35 * unit(&r)));
    set_num(u, F_NEEDS_SHARE_30D, cents(0.9 - u->fields[F_WANTS_SHARE_30D].num - 0.2 * unit(&r)));
    /* shopping */
    set_num(u, F_SHOPPING_TXN_7D, shopper ? 2 + below(&r, 5) : below(&r, 3));
    double prev_shop = rupees(1000 + 9000 * unit(&r));
    set_num(u, F_SHOP_SPEND_PREV_30D, chance(&r, 0.1) ? 0 : prev_shop);
    set_num(u, F_SHOP_SPEND_30D, rupees(prev_shop * (shopper ? 1.0 + 0.8 * unit(&r) : 0.6 + 0.6 * unit(&r))));
    /* travel and yearly bills */
    double base = below(&r, 4);
    set_num(u, F_TRAVEL_BASELINE_30D, base);
    set_num(u, F_TRAVEL_TXN_30D, traveller ? base + 1 + below(&r, 4) : (double)below(&r, (int)base + 1));
    double income = rupees(15000 + 185000 * unit(&r));
    set_num(u, F_MONTHLY_INCOME, chance(&r, 0.03) ? 0 : income);
    set_num(u, F_UPCOMING_YEARLY_90D, rupees(income * (traveller ? 0.3 + 0.9 * unit(&r) : 0.4 * unit(&r)) + 0.7 * unit(&r)));
    /* budget */
    double var = drifting ? (chance(&r, 0.5) ? 1 : -1) * (0.16 + 0.3 * unit(&r)) : 0.3 * unit(&r) - 0.15;
    set_num(u, F_BUDGET_VARIANCE, cents(var));
    set_num(u, F_VAR_NEEDS, cents(0.4 * unit(&r) - 0.2));
    set_num(u, F_VAR_WANTS, cents(0.6 * unit(&r) - 0.2));
    set_num(u, F_VAR_SAVINGS, cents(0.4 * unit(&r) - 0.3));
    set_num(u, F_MONTHLY_COMMITMENT, rupees(income * (0.1 + 0.4 * unit(&r))));
    /* goals */
    set_num(u, F_TOP_GOAL_PROGRESS, cents(stalled ? 0.09 * unit(&r) : 0.05 + 0.95 * unit(&r)));
    set_num(u, F_SAVINGS_ACTUAL_MONTH, stalled || chance(&r, 0.2) ? 0 : rupees(200 + 20000 * unit(&r)));
    set_num(u, F_SAVINGS_GAP, rupees(8000 * unit(&r) - 1000));
    set_num(u, F_TOP_GOAL_UNDERFUNDING, cents(unit(&r)));
    set_num(u, F_GOAL_MILESTONES_30D, below(&r, 3));
    set_text(u, F_TOP_GOAL_NAME, goals[below(&r, COUNT(goals))]);
    set_text(u, F_UNDERFUNDED_TOP_GOAL, goals[below(&r, COUNT(goals))]);
    /* the rest of SpendSense */
    set_num(u, F_UPI_PEER_30D, below(&r, 25));
    set_num(u, F_RECURRING_MERCHANTS, below(&r, 9));
    set_num(u, F_LEAKS_30D, rupees(1500 * unit(&r)));
    double spend = rupees(2000 + 25000 * unit(&r));
    set_num(u, F_TOTAL_SPEND_7D, spend);
    set_num(u, F_PREV_TOTAL_SPEND_7D, chance(&r, 0.05) ? 0 : rupees(spend * (0.6 + 0.8 * unit(&r))));
    set_num(u, F_SMALL_TXN_7D, below(&r, 30));
    for (int m = 0; m < 2; m++) {
        size_t n = 0;
        for (size_t c = 0; c < COUNT(cats); c++) {
            if (!chance(&r, m == 0 ? 0.55 : 0.5)) continue;
            u->cat_keys[m][n] = cats[c];
            u->cat_vals[m][n] = chance(&r, 0.05) ? 0 : rupees(100 + 6000 * unit(&r));
            n++;
        }
        mmr_sample_field *f = &u->fields[F_CAT_SPEND_7D + m];
        f->kind = MMR_SF_NUMBER_MAP;
        f->n = n;
        f->keys = u->cat_keys[m];
        f->vals = u->cat_vals[m];
    }
    /* traits */
    set_text(u, F_AGE_BAND, age_bands[below(&r, COUNT(age_bands))]);
    set_text(u, F_GENDER, genders[below(&r, COUNT(genders))]);
    {
        size_t n = 0;
        for (size_t t = 0; t < COUNT(tags_all); t++)
            if (chance(&r, 0.3)) u->tags[n++] = tags_all[t];
        mmr_sample_field *f = &u->fields[F_LIFESTYLE_TAGS];
        f->kind = MMR_SF_TEXT_LIST;
        f->n = n;
        f->items = u->tags;
    }
    set_text(u, F_REGION_CODE, regions[below(&r, COUNT(regions))]);
    set_text(u, F_INCOME_TYPE, income_types[below(&r, COUNT(income_types))]);
    set_num(u, F_DEPENDENTS, below(&r, 5));
    set_text(u, F_TZ, chance(&r, 0.06) ? zones[below(&r, COUNT(zones))] : "Asia/Kolkata");

    /* absent values: rarely for what the rules read, more often for the rest */
    static const unsigned char rule_input[NFIELDS] = {
        [F_DINING_TXN_7D] = 1, [F_WANTS_SHARE_30D] = 1, [F_SHOPPING_TXN_7D] = 1,
        [F_SHOP_SPEND_30D] = 1, [F_SHOP_SPEND_PREV_30D] = 1, [F_TRAVEL_TXN_30D] = 1,
        [F_TRAVEL_BASELINE_30D] = 1, [F_UPCOMING_YEARLY_90D] = 1, [F_MONTHLY_INCOME] = 1,
        [F_BUDGET_VARIANCE] = 1, [F_TOP_GOAL_PROGRESS] = 1, [F_SAVINGS_ACTUAL_MONTH] = 1,
        [F_TOP_GOAL_NAME] = 1, [F_UNDERFUNDED_TOP_GOAL] = 1, [F_AGE_BAND] = 1,
    };
    for (int i = 0; i < NFIELDS; i++) {
        double p = rule_input[i] ? 0.04 : 0.25;
        if (chance(&r, p)) u->fields[i].kind = MMR_SF_MISSING;
    }
}

/* ------------------------------------------------------------ writers */

/* Numbers here are whole or have at most two decimals: print them fast. */
static void put_num(mmr_buf *b, double v)
{
    double c = round(v * 100.0);
    if (fabs(v) < 1e12 && c / 100.0 == v) {
        char tmp[32];
        char *e = tmp + sizeof tmp, *p = e;
        long long k = (long long)c;
        int neg = k < 0;
        if (neg) k = -k;
        int frac = (int)(k % 100);
        k /= 100;
        if (frac) {
            int d2 = frac % 10, d1 = frac / 10;
            if (d2) *--p = (char)('0' + d2);
            *--p = (char)('0' + d1);
            *--p = '.';
        }
        do { *--p = (char)('0' + k % 10); k /= 10; } while (k);
        if (neg && (p[0] != '0' || p[1] == '.')) *--p = '-';
        mmr_buf_append(b, p, (size_t)(e - p));
        return;
    }
    mmr_buf_number(b, v);
}

static void put_value_json(mmr_buf *b, const mmr_sample_field *f)
{
    switch (f->kind) {
    case MMR_SF_NUMBER: put_num(b, f->num); break;
    case MMR_SF_TEXT: mmr_buf_json_string(b, f->text, strlen(f->text)); break;
    case MMR_SF_TEXT_LIST:
        mmr_buf_putc(b, '[');
        for (size_t i = 0; i < f->n; i++) {
            if (i) mmr_buf_putc(b, ',');
            mmr_buf_json_string(b, f->items[i], strlen(f->items[i]));
        }
        mmr_buf_putc(b, ']');
        break;
    case MMR_SF_NUMBER_MAP:
        mmr_buf_putc(b, '{');
        for (size_t i = 0; i < f->n; i++) {
            if (i) mmr_buf_putc(b, ',');
            mmr_buf_json_string(b, f->keys[i], strlen(f->keys[i]));
            mmr_buf_putc(b, ':');
            put_num(b, f->vals[i]);
        }
        mmr_buf_putc(b, '}');
        break;
    default: mmr_buf_puts(b, "null"); break;
    }
}

void mmr_sample_write_ndjson(mmr_buf *b, const mmr_sample_user *u)
{
    mmr_buf_puts(b, "{\"user_id\":");
    mmr_buf_json_string(b, u->user_id, strlen(u->user_id));
    mmr_buf_puts(b, ",\"as_of\":");
    mmr_buf_json_string(b, u->as_of, strlen(u->as_of));
    for (int sec = 0; sec < 2; sec++) {
        mmr_buf_puts(b, sec ? "},\"traits\":{" : ",\"signals\":{");
        int first = 1;
        for (size_t i = 0; i < u->nfields; i++) {
            const mmr_sample_field *f = &u->fields[i];
            if (f->is_trait != sec || f->kind == MMR_SF_MISSING) continue;
            if (!first) mmr_buf_putc(b, ',');
            first = 0;
            mmr_buf_putc(b, '"');
            mmr_buf_puts(b, f->name);
            mmr_buf_puts(b, "\":");
            put_value_json(b, f);
        }
    }
    mmr_buf_puts(b, "}}\n");
}

void mmr_sample_write_csv_header(mmr_buf *b)
{
    mmr_buf_puts(b, "user_id,as_of");
    for (int i = 0; i < NFIELDS; i++) {
        mmr_buf_putc(b, ',');
        mmr_buf_puts(b, schema[i].name);
    }
    mmr_buf_putc(b, '\n');
}

static void csv_quoted(mmr_buf *b, const char *s, size_t n)
{
    mmr_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') mmr_buf_putc(b, '"');
        mmr_buf_putc(b, s[i]);
    }
    mmr_buf_putc(b, '"');
}

void mmr_sample_write_csv_row(mmr_buf *b, const mmr_sample_user *u)
{
    mmr_buf_puts(b, u->user_id);
    mmr_buf_putc(b, ',');
    mmr_buf_puts(b, u->as_of);
    mmr_buf tmp;
    mmr_buf_init(&tmp);
    for (size_t i = 0; i < u->nfields; i++) {
        const mmr_sample_field *f = &u->fields[i];
        mmr_buf_putc(b, ',');
        switch (f->kind) {
        case MMR_SF_MISSING: break;
        case MMR_SF_NUMBER: put_num(b, f->num); break;
        case MMR_SF_TEXT: {
            size_t n = strlen(f->text);
            if (strpbrk(f->text, ",\"\r\n") || n == 0) csv_quoted(b, f->text, n);
            else mmr_buf_append(b, f->text, n);
            break;
        }
        default:
            mmr_buf_clear(&tmp);
            put_value_json(&tmp, f);
            csv_quoted(b, tmp.data ? tmp.data : "", tmp.len);
            break;
        }
    }
    mmr_buf_free(&tmp);
    mmr_buf_putc(b, '\n');
}
