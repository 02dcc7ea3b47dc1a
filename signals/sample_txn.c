/* Deterministic sample transactions and traits (see sample_txn.h). */
#include "signals/sample_txn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "engine/tz.h"
#include "util/timeutil.h"

/* ------------------------------------------------------------ randomness */

typedef struct rng { uint64_t s; } rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t next_u64(rng *r) { return mix64(r->s += 0x9E3779B97F4A7C15ull); }   /* splitmix64 */
static double unit(rng *r) { return (double)(next_u64(r) >> 11) * (1.0 / 9007199254740992.0); }
static int below(rng *r, int n) { return (int)(unit(r) * n); }
static int chance(rng *r, double p) { return unit(r) < p; }
static double between(rng *r, double lo, double hi) { return lo + (hi - lo) * unit(r); }

/* A stream per (seed, user, what): independent of every other user. */
static rng stream(uint64_t seed, uint64_t uid, uint64_t what)
{
    rng r = { mix64(seed * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull)
              ^ mix64(uid * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull)
              ^ mix64(what * 0xA24BAED4963EE407ull + 0x9FB21C651E98DF25ull) };
    next_u64(&r);
    return r;
}
enum { S_PROFILE = 1, S_TRAITS = 2, S_BUDGET = 3, S_GOAL = 4, S_DAY = 1000000, S_WEEK = 3000000 };

/* about normal(0, 1): Irwin-Hall of 4 uniforms */
static double gauss(rng *r)
{
    return (unit(r) + unit(r) + unit(r) + unit(r) - 2.0) * 1.7320508075688772;
}
static int poisson(rng *r, double lambda)
{
    if (lambda <= 0) return 0;
    double l = exp(-lambda), p = 1.0;
    int k = 0;
    do { k++; p *= unit(r); } while (p > l && k < 60);
    return k - 1;
}

/* ------------------------------------------------------------ tables */

#define COUNT(a) ((int)(sizeof (a) / sizeof (a)[0]))

enum { C_FOOD, C_GROC, C_SHOP, C_TRAVEL, C_ENT, C_BILLS, C_RENT, C_FUEL, C_XFER, C_SALARY, NCATS };
static const char *const cat_name[NCATS] = {
    "Food & Dining", "Groceries", "Shopping", "Travel", "Entertainment",
    "Bills & Utilities", "Rent", "Fuel", "Transfers", "Salary"
};

typedef struct merchant_t { const char *name; double median, sigma; } merchant_t;

static const merchant_t food[] = {
    { "Swiggy", 380, 0.5 }, { "Zomato", 420, 0.5 }, { "Starbucks", 320, 0.3 },
    { "Cafe Coffee Day", 220, 0.3 }, { "Domino's", 450, 0.4 }, { "McDonald's", 300, 0.4 },
    { "Haldiram's", 180, 0.5 }, { "Bhel, Puri & Co", 80, 0.4 }, { "Chaayos", 160, 0.3 },
    { "Udupi \"Sagar\" Café", 120, 0.4 },
};
static const char *const chai[] = { "Tea Stall", "Chai Wala", "Irani Chai" };
static const double chai_price[] = { 5, 6, 7, 8, 8.5, 9, 9.5 };
static const merchant_t groc[] = {
    { "BigBasket", 900, 0.6 }, { "DMart", 1400, 0.5 }, { "Blinkit", 350, 0.5 },
    { "Zepto", 300, 0.5 }, { "Reliance Fresh", 600, 0.5 }, { "Nilgiris", 450, 0.5 },
};
static const merchant_t shop[] = {
    { "Amazon", 900, 0.8 }, { "Flipkart", 1100, 0.8 }, { "Myntra", 1500, 0.6 },
    { "Ajio", 1300, 0.6 }, { "Nykaa", 800, 0.5 }, { "Croma", 4000, 0.8 }, { "Decathlon", 1800, 0.6 },
};
static const merchant_t cab[] = {
    { "Uber", 260, 0.5 }, { "Ola", 230, 0.5 }, { "Rapido", 90, 0.4 }, { "Namma Metro", 45, 0.3 },
};
static const merchant_t trips[] = {
    { "IndiGo", 5500, 0.4 }, { "Air India", 6500, 0.4 }, { "IRCTC", 1200, 0.6 }, { "MakeMyTrip", 4500, 0.5 },
};
static const merchant_t ent[] = {
    { "BookMyShow", 600, 0.4 }, { "PVR", 700, 0.4 }, { "Steam", 500, 0.7 }, { "Timezone", 400, 0.4 },
};
static const merchant_t fuel[] = {
    { "Indian Oil", 1200, 0.5 }, { "HPCL", 1000, 0.5 }, { "Bharat Petroleum", 1100, 0.5 }, { "Shell", 1500, 0.4 },
};
static const char *const peers[] = {
    "UPI/Ravi", "UPI/Priya", "UPI/Amit", "UPI/Sneha", "UPI/Rahul", "UPI/Anjali", "UPI/Vikram",
    "UPI/Pooja", "UPI/Arjun", "UPI/Kavya", "UPI/Mom", "UPI/Dad", "UPI/Zoë", "UPI/Karthik",
};
/* monthly bills: name, chance a user has it, fixed amounts (0 = varies around median) */
static const struct { const char *name; double p, median; double fixed[3]; } bills[] = {
    { "Airtel", 0.55, 0, { 299, 599, 999 } },
    { "Jio", 0.40, 0, { 239, 299, 666 } },
    { "BESCOM", 0.50, 1400, { 0 } },
    { "ACT Fibernet", 0.30, 0, { 799, 1199, 1499 } },
    { "Tata Play", 0.25, 450, { 0 } },
    { "Mahanagar Gas", 0.20, 800, { 0 } },
    { "BWSSB", 0.25, 450, { 0 } },
};
static const struct { const char *name; double p; double fixed[3]; } subs[] = {
    { "Netflix", 0.35, { 199, 499, 649 } },
    { "Spotify", 0.30, { 119, 119, 179 } },
    { "Disney+ Hotstar", 0.25, { 299, 299, 899 } },
    { "YouTube Premium", 0.15, { 129, 129, 189 } },
};
static const char *const employers[] = {
    "Infosys Ltd", "TCS Payroll", "Wipro", "Acme Analytics Pvt Ltd", "HDFC Bank Payroll", "Zoho Corp",
};
static const char *const rent_merchants[] = { "NoBroker", "NoBroker", "Housing.com", NULL, NULL };

/* zones: the POSIX rules in force for 2007 onwards, so the output does not
 * depend on the machine's zoneinfo */
enum { Z_KOLKATA, Z_NEW_YORK, Z_LONDON, Z_TOKYO, NZONES };
static const char *const zone_name[NZONES] = { "Asia/Kolkata", "America/New_York", "Europe/London", "Asia/Tokyo" };
static const char *const zone_posix[NZONES] = {
    "IST-5:30", "EST5EDT,M3.2.0,M11.1.0", "GMT0BST,M3.5.0/1,M10.5.0", "JST-9"
};

static const char *const age_bands[] = { "18-24", "25-34", "35-44", "45-54", "55+" };
static const char *const genders[] = { "female", "male", "non_binary" };
static const char *const regions[] = { "IN-MH", "IN-KA", "IN-DL", "IN-TN", "IN-WB", "IN-GJ", "IN-TG" };
static const char *const abroad_region[NZONES] = { NULL, "US-NY", "GB-LND", "JP-13" };

/* ------------------------------------------------------------ profiles */

#define MAX_BILLS 8
#define MAX_SUBS 4

typedef struct profile {
    int zone, has_tz, dormant, zwriter;
    int64_t start;                    /* first local day with transactions */
    double food, chai, groc, shop, shop_amp, shop_period, shop_phase;
    double cab, trip_p, ent, fuel, xfer;
    int diner, shopper, traveller, chai_lover, spiky, student;
    int salary_dom, gig;              /* 0: no salary */
    double salary;
    const char *employer;
    int rent_dom;                     /* 0: no rent */
    double rent;
    const char *rent_merchant;
    int nbills, bill[MAX_BILLS], bill_dom[MAX_BILLS];
    double bill_amt[MAX_BILLS];
    int nsubs, sub[MAX_SUBS], sub_dom[MAX_SUBS];
    double sub_amt[MAX_SUBS];
} profile;

/* E[exp(s * gauss)] for gauss() above: the product of four uniforms' */
static double ln_mean(double s)
{
    double a = s * 0.8660254037844386;          /* s * sqrt(3) / 2 */
    if (a < 1e-9) return 1.0;
    double f = sinh(a) / a;
    return f * f * f * f;
}
static double mean_of(const merchant_t *m, int n)
{
    double t = 0;
    for (int i = 0; i < n; i++) t += m[i].median * ln_mean(m[i].sigma);
    return t / n;
}

#define MONTH_DAYS 30.436875

/* The profile's typical monthly spend per expense category (no spike
 * weeks; shopping at the middle of its wave), in rupees. */
static void typical_month(const profile *p, double out[NCATS])
{
    for (int i = 0; i < NCATS; i++) out[i] = 0;
    double chai_mean = 0;
    for (int i = 0; i < COUNT(chai_price); i++) chai_mean += chai_price[i];
    chai_mean /= COUNT(chai_price);
    out[C_FOOD] = MONTH_DAYS * (p->food * (5 + 2 * 1.3) / 7 * mean_of(food, COUNT(food)) +
                                p->chai * (5 + 2 * 0.7) / 7 * chai_mean);
    out[C_GROC] = MONTH_DAYS * p->groc * (5 + 2 * 1.5) / 7 * mean_of(groc, COUNT(groc));
    out[C_SHOP] = MONTH_DAYS * p->shop * mean_of(shop, COUNT(shop));
    /* a trip week triples the cabs of (about) two days and books a trip */
    out[C_TRAVEL] = MONTH_DAYS * (p->cab * (1 + p->trip_p * 2 * 13.0 / 49) * mean_of(cab, COUNT(cab)) +
                                  p->trip_p / 7 * (mean_of(trips, 3) + 0.6 * mean_of(&trips[3], 1)));
    out[C_ENT] = MONTH_DAYS * p->ent * (5 + 2 * 1.8) / 7 * mean_of(ent, COUNT(ent));
    for (int i = 0; i < p->nsubs; i++) out[C_ENT] += p->sub_amt[i];
    for (int i = 0; i < p->nbills; i++) out[C_BILLS] += p->bill_amt[i] * (bills[p->bill[i]].median ? 1.025 : 1.0);
    out[C_RENT] = p->rent_dom ? p->rent : 0;
    out[C_FUEL] = MONTH_DAYS * p->fuel * mean_of(fuel, COUNT(fuel));
    out[C_XFER] = MONTH_DAYS * p->xfer * 600 * ln_mean(0.9);
}

struct mmr_txgen {
    uint64_t seed;
    int64_t as_of;                    /* local day number */
    int days;
    mmr_tz *zone[NZONES];
    struct gtx *v;
    size_t n, cap;
};

static void make_profile(const mmr_txgen *g, uint64_t uid, profile *p)
{
    rng r = stream(g->seed, uid, S_PROFILE);
    memset(p, 0, sizeof *p);
    double z = unit(&r);
    p->has_tz = 1;
    p->zone = z < 0.80 ? Z_KOLKATA : z < 0.85 ? Z_NEW_YORK : z < 0.88 ? Z_LONDON : z < 0.90 ? Z_TOKYO : Z_KOLKATA;
    if (z >= 0.90) p->has_tz = 0;          /* the policy's zone, Asia/Kolkata */
    p->dormant = chance(&r, 0.01);
    double s = unit(&r);
    int64_t first = g->as_of - g->days + 1;
    if (s < 0.06) p->start = g->as_of - below(&r, g->days < 14 ? g->days : 14);
    else if (s < 0.14 && g->days > 14) p->start = g->as_of - 14 - below(&r, g->days - 14);
    else p->start = first;
    if (p->start < first) p->start = first;
    p->zwriter = chance(&r, 0.10);
    p->diner = chance(&r, 0.35);
    p->food = p->diner ? between(&r, 1.2, 2.8) : between(&r, 0.2, 1.0);
    p->chai_lover = chance(&r, 0.22);
    p->chai = p->chai_lover ? between(&r, 0.8, 3.0) : 0;
    p->groc = between(&r, 0.2, 0.8);
    p->shopper = chance(&r, 0.3);
    p->shop = p->shopper ? between(&r, 0.3, 0.8) : between(&r, 0.04, 0.3);
    p->shop_amp = between(&r, 0.2, 0.9);
    p->shop_period = between(&r, 30, 120);
    p->shop_phase = between(&r, 0, 6.283185307179586);
    p->traveller = chance(&r, 0.25);
    p->cab = p->traveller ? between(&r, 0.3, 0.9) : between(&r, 0.02, 0.3);
    p->trip_p = p->traveller ? between(&r, 0.15, 0.4) : between(&r, 0.0, 0.08);
    p->ent = between(&r, 0.04, 0.3);
    p->fuel = chance(&r, 0.45) ? between(&r, 0.08, 0.25) : 0;
    p->xfer = between(&r, 0.3, 1.6);
    p->spiky = chance(&r, 0.06);
    p->student = chance(&r, 0.08);
    if (!p->student && chance(&r, 0.9)) {
        p->salary_dom = chance(&r, 0.6) ? 1 : 1 + below(&r, 7);
        p->salary = gauss(&r);         /* scaled once the spending is known */
        p->employer = employers[below(&r, COUNT(employers))];
    } else {
        p->gig = chance(&r, 0.5);
    }
    if (!p->student && chance(&r, 0.62)) {
        p->rent_dom = 1 + below(&r, 5);
        p->rent = round(between(&r, 6000, 45000) / 500) * 500;
        p->rent_merchant = rent_merchants[below(&r, COUNT(rent_merchants))];
    }
    for (int i = 0; i < COUNT(bills) && p->nbills < MAX_BILLS; i++) {
        if (!chance(&r, bills[i].p)) continue;
        p->bill[p->nbills] = i;
        p->bill_dom[p->nbills] = 1 + below(&r, 28);
        p->bill_amt[p->nbills] = bills[i].median ? bills[i].median * between(&r, 0.5, 1.6) : bills[i].fixed[below(&r, 3)];
        p->nbills++;
    }
    for (int i = 0; i < COUNT(subs) && p->nsubs < MAX_SUBS; i++) {
        if (!chance(&r, subs[i].p)) continue;
        p->sub[p->nsubs] = i;
        p->sub_dom[p->nsubs] = 1 + below(&r, 28);
        p->sub_amt[p->nsubs] = subs[i].fixed[below(&r, 3)];
        p->nsubs++;
    }
    /* a salary about 1.2 times the typical month's spending (0.4-3.4) */
    if (p->salary_dom) {
        double month[NCATS], total = 0;
        typical_month(p, month);
        for (int i = 0; i < NCATS; i++) total += month[i];
        p->salary = round(total * 1.2 * exp(0.3 * p->salary) / 100) * 100;
    }
}

/* ------------------------------------------------------------ generator */

typedef struct gtx {
    int64_t t;            /* Unix seconds */
    int64_t day;          /* local day */
    double amount;
    const char *merchant; /* NULL = null */
    int32_t off;          /* written offset; INT32_MIN = "Z" */
    signed char cat;
    unsigned char income, recurring;
} gtx;

mmr_txgen *mmr_txgen_new(uint64_t seed, const char *as_of, int days, mmr_diags *d)
{
    const char *why = NULL;
    int64_t t;
    if (!as_of) as_of = "2025-10-26";
    if (mmr_date_parse(as_of, strlen(as_of), &t, &why) < 0) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "as-of date \"%s\": %s", as_of, why);
        return NULL;
    }
    if (days < 1 || days > 3650) {
        mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "days of history must be 1..3650, got %d", days);
        return NULL;
    }
    mmr_txgen *g = calloc(1, sizeof *g);
    if (!g) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return NULL; }
    g->seed = seed;
    g->as_of = t / MMR_DAY;
    g->days = days;
    for (int i = 0; i < NZONES; i++) {
        g->zone[i] = mmr_tz_from_posix(zone_posix[i], &why);
        if (!g->zone[i]) {
            mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "time zone %s: %s", zone_name[i], why);
            mmr_txgen_free(g);
            return NULL;
        }
    }
    return g;
}

void mmr_txgen_free(mmr_txgen *g)
{
    if (!g) return;
    for (int i = 0; i < NZONES; i++) mmr_tz_free(g->zone[i]);
    free(g->v);
    free(g);
}

uint64_t mmr_txgen_order_next(uint64_t cur, uint64_t n)
{
    if (n == 0) return 0;
    if (cur == 0) return 1;
    if (cur <= n / 10) return cur * 10;
    while (cur % 10 == 9 || cur + 1 > n) {
        cur /= 10;
        if (cur == 0) return 0;
    }
    return cur + 1;
}

typedef struct day_ctx {
    mmr_txgen *g;
    const profile *p;
    rng *r;
    int64_t day;
    int oom, count;
} day_ctx;

#define MAX_PER_DAY 99

static double money(rng *r, double v)
{
    v = chance(r, 0.7) ? round(v) : round(v * 100.0) / 100.0;
    return v < 1 ? 1 : v;
}
static double around(rng *r, const merchant_t *m) { return money(r, m->median * exp(m->sigma * gauss(r))); }

/* local second-of-day within [lo_h, hi_h) hours */
static int tod(rng *r, double lo_h, double hi_h)
{
    int s = (int)((lo_h + (hi_h - lo_h) * unit(r)) * 3600.0);
    return s < 0 ? 0 : s > 86399 ? 86399 : s;
}

static void add(day_ctx *c, int cat, int income, int recurring, const char *merchant, double amount, int sec)
{
    if (c->oom || c->count >= MAX_PER_DAY) return;
    mmr_txgen *g = c->g;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 512;
        gtx *v = realloc(g->v, cap * sizeof *v);
        if (!v) { c->oom = 1; return; }
        g->v = v;
        g->cap = cap;
    }
    const mmr_tz *z = g->zone[c->p->zone];
    int64_t local = c->day * MMR_DAY + sec;
    int32_t o = mmr_tz_offset_at(z, local);
    int64_t t = local - o;
    int32_t o2 = mmr_tz_offset_at(z, t);
    if (o2 != o) t = local - o2;
    int32_t off = mmr_tz_offset_at(z, t);
    gtx *x = &g->v[g->n++];
    x->t = t;
    x->day = c->day;
    x->amount = amount;
    x->merchant = merchant;
    x->off = (c->p->zwriter || chance(c->r, 0.02)) ? INT32_MIN : off;
    x->cat = (signed char)cat;
    x->income = (unsigned char)income;
    x->recurring = (unsigned char)recurring;
    c->count++;
}

static void gen_day(mmr_txgen *g, const profile *p, uint64_t uid, int64_t day, int *oom)
{
    rng r = stream(g->seed, uid, S_DAY + (uint64_t)day);
    size_t from = g->n;
    day_ctx c = { g, p, &r, day, 0, 0 };
    int dow = (int)(((day + 3) % 7 + 7) % 7);      /* 0 Monday .. 6 Sunday */
    int weekend = dow >= 5;
    int64_t y; int mon, dom;
    mmr_civil_from_days(day, &y, &mon, &dom);
    /* the week's draws: a spike, a trip */
    rng w = stream(g->seed, uid, S_WEEK + (uint64_t)(day - dow));
    int spike = p->spiky && chance(&w, 0.3);
    double mult = spike ? between(&w, 2.5, 4.0) : 1.0;
    int trip = chance(&w, p->trip_p), trip_day = below(&w, 7);

    /* monthly: salary, rent, bills, subscriptions */
    if (p->salary_dom == dom)
        add(&c, C_SALARY, 1, 1, p->employer, p->salary, tod(&r, 0.5, 9));
    if (p->rent_dom == dom)
        add(&c, C_RENT, 0, 1, p->rent_merchant, p->rent, tod(&r, 8, 20));
    for (int i = 0; i < p->nbills; i++)
        if (p->bill_dom[i] == dom) {
            double a = bills[p->bill[i]].median ? money(&r, p->bill_amt[i] * between(&r, 0.8, 1.25)) : p->bill_amt[i];
            add(&c, C_BILLS, 0, 1, bills[p->bill[i]].name, a, tod(&r, 0, 24));
        }
    for (int i = 0; i < p->nsubs; i++)
        if (p->sub_dom[i] == dom) add(&c, C_ENT, 0, 1, subs[p->sub[i]].name, p->sub_amt[i], tod(&r, 0, 24));
    if (p->gig && dow == 4 && chance(&r, 0.8))
        add(&c, C_SALARY, 1, 0, "Swiggy Partner Payout", money(&r, between(&r, 1500, 9000)), tod(&r, 9, 18));

    /* everyday spending */
    int n = poisson(&r, p->food * (weekend ? 1.3 : 1.0) * mult);
    for (int i = 0; i < n; i++) {
        const merchant_t *m = &food[below(&r, COUNT(food))];
        double u = unit(&r);
        int s = u < 0.25 ? tod(&r, 12, 15) : u < 0.75 ? tod(&r, 19, 24) : u < 0.9 ? tod(&r, 0, 1.5) : tod(&r, 8, 24);
        add(&c, C_FOOD, 0, 0, m->name, around(&r, m), s);
    }
    n = poisson(&r, p->chai * (weekend ? 0.7 : 1.0));
    for (int i = 0; i < n; i++)
        add(&c, C_FOOD, 0, 0, chai[below(&r, COUNT(chai))], chai_price[below(&r, COUNT(chai_price))],
            chance(&r, 0.5) ? tod(&r, 7, 11) : tod(&r, 15.5, 18.5));
    n = poisson(&r, p->groc * (weekend ? 1.5 : 1.0));
    for (int i = 0; i < n; i++) {
        const merchant_t *m = &groc[below(&r, COUNT(groc))];
        add(&c, C_GROC, 0, 0, m->name, around(&r, m), tod(&r, 8, 22));
    }
    double wave = 1.0 + p->shop_amp * sin(6.283185307179586 * (double)day / p->shop_period + p->shop_phase);
    n = poisson(&r, p->shop * wave * mult);
    for (int i = 0; i < n; i++) {
        const merchant_t *m = &shop[below(&r, COUNT(shop))];
        add(&c, C_SHOP, 0, 0, m->name, around(&r, m), tod(&r, 10, 24));
    }
    n = poisson(&r, p->cab * (trip && (dow == trip_day || dow == trip_day + 1) ? 3.0 : 1.0));
    for (int i = 0; i < n; i++) {
        const merchant_t *m = &cab[below(&r, COUNT(cab))];
        add(&c, C_TRAVEL, 0, 0, m->name, around(&r, m), tod(&r, 7.5, 23.5));
    }
    if (trip && dow == trip_day) {
        const merchant_t *m = &trips[below(&r, 3)];
        add(&c, C_TRAVEL, 0, 0, m->name, around(&r, m), tod(&r, 6, 23));
        if (chance(&r, 0.6)) add(&c, C_TRAVEL, 0, 0, trips[3].name, around(&r, &trips[3]), tod(&r, 9, 23));
    }
    n = poisson(&r, p->ent * (weekend ? 1.8 : 1.0) * mult);
    for (int i = 0; i < n; i++) {
        const merchant_t *m = &ent[below(&r, COUNT(ent))];
        add(&c, C_ENT, 0, 0, m->name, around(&r, m), tod(&r, 14, 23.5));
    }
    n = poisson(&r, p->fuel);
    for (int i = 0; i < n; i++) {
        const merchant_t *m = &fuel[below(&r, COUNT(fuel))];
        add(&c, C_FUEL, 0, 0, m->name, around(&r, m), tod(&r, 7, 21));
    }
    n = poisson(&r, p->xfer * mult);
    for (int i = 0; i < n; i++)
        add(&c, C_XFER, 0, 0, peers[below(&r, COUNT(peers))], money(&r, 600 * exp(0.9 * gauss(&r))), tod(&r, 8, 24));

    if (c.oom) { *oom = 1; return; }
    /* the day's records by time (insertion sort; a day has a handful) */
    for (size_t i = from + 1; i < g->n; i++) {
        gtx x = g->v[i];
        size_t j = i;
        while (j > from && g->v[j - 1].t > x.t) { g->v[j] = g->v[j - 1]; j--; }
        g->v[j] = x;
    }
}

/* ------------------------------------------------------------ writers */

static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}
static char *put2(char *p, int v) { *p++ = (char)('0' + v / 10); *p++ = (char)('0' + v % 10); return p; }
static char *put_str(char *p, const char *s) { size_t n = strlen(s); memcpy(p, s, n); return p + n; }

/* amounts have at most two decimals */
static char *put_amount(char *p, double v)
{
    uint64_t c = (uint64_t)llround(v * 100.0);
    p = put_uint(p, c / 100);
    int f = (int)(c % 100);
    if (f) {
        *p++ = '.';
        *p++ = (char)('0' + f / 10);
        if (f % 10) *p++ = (char)('0' + f % 10);
    }
    return p;
}

static char *put_ts(char *p, const gtx *x)
{
    int zulu = x->off == INT32_MIN;
    int64_t w = x->t + (zulu ? 0 : x->off);
    int64_t days = w >= 0 ? w / MMR_DAY : -((-w + MMR_DAY - 1) / MMR_DAY);
    int64_t sec = w - days * MMR_DAY;
    int64_t y; int m, d;
    mmr_civil_from_days(days, &y, &m, &d);
    p = put2(p, (int)(y / 100)); p = put2(p, (int)(y % 100)); *p++ = '-';
    p = put2(p, m); *p++ = '-'; p = put2(p, d); *p++ = 'T';
    p = put2(p, (int)(sec / 3600)); *p++ = ':'; p = put2(p, (int)(sec / 60 % 60)); *p++ = ':';
    p = put2(p, (int)(sec % 60));
    if (zulu) { *p++ = 'Z'; return p; }
    int o = x->off;
    *p++ = o < 0 ? '-' : '+';
    if (o < 0) o = -o;
    p = put2(p, o / 3600); *p++ = ':'; p = put2(p, o / 60 % 60);
    return p;
}

static char *put_json_str(char *p, const char *s)
{
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}
static char *put_csv_str(char *p, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) return put_str(p, s);
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"') *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

void mmr_txgen_csv_header(mmr_buf *b)
{
    mmr_buf_puts(b, "txn_id,user_id,ts,amount,type,category,merchant,recurring\n");
}

int mmr_txgen_write_user(mmr_txgen *g, uint64_t uid, mmr_txgen_format fmt, mmr_buf *b, size_t *count)
{
    profile p;
    make_profile(g, uid, &p);
    g->n = 0;
    int oom = 0;
    if (!p.dormant)
        for (int64_t day = p.start; day <= g->as_of && !oom; day++) gen_day(g, &p, uid, day, &oom);
    if (count) *count = oom ? 0 : g->n;
    if (oom) return -1;
    /* every line is shorter than 320 bytes (names are short) */
    if (mmr_buf_reserve(b, g->n * 320 + 1) < 0) return -1;
    char uidtxt[24];
    *put_uint(uidtxt, uid) = 0;
    int64_t prev_day = INT64_MIN;
    int k = 0;
    for (size_t i = 0; i < g->n; i++) {
        const gtx *x = &g->v[i];
        k = x->day == prev_day ? k + 1 : 0;
        prev_day = x->day;
        uint64_t id = uid * 1000000u + (uint64_t)(((x->day % 10000) + 10000) % 10000) * 100u + (uint64_t)k;
        char *s = b->data + b->len, *q = s;
        if (fmt == MMR_TXGEN_CSV) {
            *q++ = 't'; q = put_uint(q, id); *q++ = ',';
            *q++ = 'u'; q = put_str(q, uidtxt); *q++ = ',';
            q = put_ts(q, x); *q++ = ',';
            q = put_amount(q, x->amount); *q++ = ',';
            q = put_str(q, x->income ? "income," : "expense,");
            q = put_csv_str(q, cat_name[x->cat]); *q++ = ',';
            if (x->merchant) q = put_csv_str(q, x->merchant);
            q = put_str(q, x->recurring ? ",true\n" : ",false\n");
        } else {
            q = put_str(q, "{\"txn_id\":\"t"); q = put_uint(q, id);
            q = put_str(q, "\",\"user_id\":\"u"); q = put_str(q, uidtxt);
            q = put_str(q, "\",\"ts\":\""); q = put_ts(q, x);
            q = put_str(q, "\",\"amount\":"); q = put_amount(q, x->amount);
            q = put_str(q, x->income ? ",\"type\":\"income\",\"category\":" : ",\"type\":\"expense\",\"category\":");
            q = put_json_str(q, cat_name[x->cat]);
            q = put_str(q, ",\"merchant\":");
            q = x->merchant ? put_json_str(q, x->merchant) : put_str(q, "null");
            q = put_str(q, x->recurring ? ",\"recurring\":true}\n" : ",\"recurring\":false}\n");
        }
        b->len += (size_t)(q - s);
    }
    if (b->data) b->data[b->len] = 0;
    return 0;
}

void mmr_txgen_write_traits(const mmr_txgen *g, uint64_t uid, mmr_buf *b)
{
    profile p;
    make_profile(g, uid, &p);
    rng r = stream(g->seed, uid, S_TRAITS);
    mmr_buf_printf(b, "{\"user_id\":\"u%llu\",\"traits\":{", (unsigned long long)uid);
    int first = 1;
#define SEP() do { if (!first) mmr_buf_putc(b, ','); first = 0; } while (0)
    if (!chance(&r, 0.05)) {
        SEP();
        mmr_buf_printf(b, "\"age_band\":\"%s\"", age_bands[p.student ? 0 : below(&r, COUNT(age_bands))]);
    }
    if (!chance(&r, 0.1)) { SEP(); mmr_buf_printf(b, "\"dependents\":%d", p.student ? 0 : below(&r, 5)); }
    if (!chance(&r, 0.1)) { SEP(); mmr_buf_printf(b, "\"gender\":\"%s\"", genders[below(&r, COUNT(genders))]); }
    if (!chance(&r, 0.05)) {
        SEP();
        const char *it = p.student ? "student" : p.salary_dom ? "salaried"
                       : p.gig ? "gig" : "self_employed";
        mmr_buf_printf(b, "\"income_type\":\"%s\"", it);
    }
    if (!chance(&r, 0.1)) {
        SEP();
        mmr_buf_puts(b, "\"lifestyle_tags\":[");
        int n = 0;
        const char *tags[6];
        if (p.diner || p.chai_lover) tags[n++] = "foodie";
        if (p.traveller) tags[n++] = "traveller";
        if (p.student) tags[n++] = "student";
        if (chance(&r, 0.15)) tags[n++] = "gamer";
        if (chance(&r, 0.2)) tags[n++] = "fitness";
        for (int i = 0; i < n; i++) mmr_buf_printf(b, "%s\"%s\"", i ? "," : "", tags[i]);
        mmr_buf_putc(b, ']');
    }
    if (!chance(&r, 0.05)) {
        SEP();
        const char *reg = p.has_tz && abroad_region[p.zone] ? abroad_region[p.zone] : regions[below(&r, COUNT(regions))];
        mmr_buf_printf(b, "\"region_code\":\"%s\"", reg);
    }
    if (p.has_tz) { SEP(); mmr_buf_printf(b, "\"tz\":\"%s\"", zone_name[p.zone]); }
#undef SEP
    mmr_buf_puts(b, "}}\n");
}

/* ------------------------------------------------------------ budgets, goals */

static double round_to(double v, double step) { return round(v / step) * step; }

size_t mmr_txgen_write_budgets(const mmr_txgen *g, uint64_t uid, mmr_buf *b)
{
    profile p;
    make_profile(g, uid, &p);
    rng r = stream(g->seed, uid, S_BUDGET);
    if (!chance(&r, 0.70)) return 0;
    double month[NCATS];
    typical_month(&p, month);
    /* 2-5 categories, drawn with weights the square of their typical
     * month (the big ones mostly), each limit about that month: 65-90% of
     * it for a tight planner (30% of users), 100-145% for the others */
    int k = 2 + below(&r, 4), chosen[NCATS] = { 0 }, n = 0;
    double tight = chance(&r, 0.30) ? between(&r, 0.65, 0.90) : between(&r, 1.0, 1.45);
    for (; n < k; n++) {
        double total = 0;
        for (int c = 0; c < NCATS; c++) if (!chosen[c] && c != C_SALARY) total += month[c] * month[c];
        if (total <= 0) break;
        double x = unit(&r) * total;
        int pick = -1;
        for (int c = 0; c < NCATS; c++) {
            if (chosen[c] || c == C_SALARY || month[c] <= 0) continue;
            pick = c;
            if ((x -= month[c] * month[c]) < 0) break;
        }
        if (pick < 0) break;
        chosen[pick] = 1;
        double lim = month[pick] * tight * between(&r, 0.9, 1.1);
        lim = lim >= 5000 ? round_to(lim, 500) : lim >= 1000 ? round_to(lim, 100) : round_to(lim, 50);
        if (lim < 50) lim = 50;
        mmr_buf_printf(b, "{\"user_id\":\"u%llu\",\"category\":\"%s\",\"limit\":%.0f,\"period\":\"month\"}\n",
                       (unsigned long long)uid, cat_name[pick], lim);
    }
    return (size_t)n;
}

static const struct { const char *name; double lo, hi; } goal_kinds[] = {
    { "Emergency Fund", 50000, 300000 }, { "Goa Trip", 15000, 60000 }, { "New Laptop", 40000, 150000 },
    { "Wedding", 200000, 500000 }, { "Bike", 60000, 200000 }, { "Home Down Payment", 300000, 500000 },
    { "New Phone", 10000, 80000 }, { "Europe Trip", 150000, 400000 }, { "Diwali Gifts", 10000, 40000 },
    { "Higher Studies", 100000, 500000 }, { "Gold Savings", 20000, 200000 }, { "Car", 250000, 500000 },
};

size_t mmr_txgen_write_goals(const mmr_txgen *g, uint64_t uid, mmr_buf *b)
{
    rng r = stream(g->seed, uid, S_GOAL);
    if (!chance(&r, 0.80)) return 0;
    int n = 1 + below(&r, 3), kind[3], prio[3];
    for (int i = 0; i < n; i++) {
        int again;
        do {
            kind[i] = below(&r, COUNT(goal_kinds));
            again = 0;
            for (int j = 0; j < i; j++) again |= kind[j] == kind[i];
        } while (again);
        prio[i] = i + 1;
    }
    for (int i = n - 1; i > 0; i--) {          /* priorities 1..n, shuffled */
        int j = below(&r, i + 1), t = prio[i];
        prio[i] = prio[j];
        prio[j] = t;
    }
    for (int i = 0; i < n; i++) {
        double target = round_to(between(&r, goal_kinds[kind[i]].lo, goal_kinds[kind[i]].hi), 1000);
        double u = unit(&r), share = u < 0.12 ? 0 : u < 0.32 ? between(&r, 0.005, 0.1)
                                   : u < 0.65 ? between(&r, 0.1, 0.5) : u < 0.92 ? between(&r, 0.5, 1.0)
                                   : between(&r, 1.0, 1.25);
        double saved = round_to(target * share, 100);
        if (share > 0 && saved == 0) saved = 100;
        mmr_buf_printf(b, "{\"user_id\":\"u%llu\",\"goal_id\":\"g%d\",\"name\":\"%s\",\"target\":%.0f,\"saved\":%.0f",
                       (unsigned long long)uid, i + 1, goal_kinds[kind[i]].name, target, saved);
        if (chance(&r, 0.85)) {            /* a deadline: a few already past */
            int64_t day = chance(&r, 0.08) ? g->as_of - 1 - below(&r, 60) : g->as_of + 15 + below(&r, 700);
            int64_t y; int m, d;
            mmr_civil_from_days(day, &y, &m, &d);
            mmr_buf_printf(b, ",\"deadline\":\"%04d-%02d-%02d\"", (int)y, m, d);
        }
        mmr_buf_printf(b, ",\"priority\":%d}\n", prio[i]);
    }
    return (size_t)n;
}
