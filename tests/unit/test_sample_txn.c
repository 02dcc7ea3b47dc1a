/* The sample transaction generator (signals/sample_txn.c). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "signals/compute.h"
#include "signals/rows.h"
#include "signals/sample_txn.h"
#include "signals/source.h"
#include "signals/txn.h"
#include "t.h"

static void test_order(void)
{
    static const uint64_t ns[] = { 0, 1, 2, 9, 10, 11, 13, 99, 100, 101, 1000, 1234, 20000 };
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        uint64_t n = ns[k], count = 0, prev = 0;
        char *seen = calloc(n + 1, 1);
        int sorted = 1, in_range = 1, unique = 1;
        for (uint64_t u = mmr_txgen_order_next(0, n); u; u = mmr_txgen_order_next(u, n)) {
            if (u > n) { in_range = 0; break; }
            if (seen[u]) { unique = 0; break; }
            seen[u] = 1;
            if (prev) {
                char a[24], b[24];
                snprintf(a, sizeof a, "u%llu", (unsigned long long)prev);
                snprintf(b, sizeof b, "u%llu", (unsigned long long)u);
                if (strcmp(a, b) >= 0) sorted = 0;
            }
            prev = u;
            count++;
        }
        T_EQ_INT(count, n);
        T_CHECK(sorted && in_range && unique);
        free(seen);
    }
    T_EQ_INT(mmr_txgen_order_next(0, 12), 1);
    T_EQ_INT(mmr_txgen_order_next(1, 12), 10);
    T_EQ_INT(mmr_txgen_order_next(12, 12), 2);
    T_EQ_INT(mmr_txgen_order_next(9, 12), 0);
}

static void test_bad_args(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    T_CHECK(mmr_txgen_new(1, "2025-02-30", 90, &d) == NULL);
    T_CHECK(mmr_txgen_new(1, "2025-10-26", 0, &d) == NULL);
    T_EQ_INT(d.errors, 2);
    mmr_diags_free(&d);
}

/* every line parses as a transaction of user uid, ts in order */
static void check_lines(const char *s, size_t len, mmr_txn_format fmt, uint64_t uid, size_t want)
{
    mmr_txn_parser *p = mmr_txn_parser_new(fmt, "gen");
    mmr_arena a;
    mmr_arena_init(&a, 4096);
    mmr_diags d;
    mmr_diags_init(&d);
    const char *e = s + len;
    size_t n = 0, bad = 0, unordered = 0, wrong_user = 0;
    long line = 1;
    int64_t prev = INT64_MIN;
    char uidtxt[24];
    snprintf(uidtxt, sizeof uidtxt, "u%llu", (unsigned long long)uid);
    if (fmt == MMR_TXN_CSV) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        T_CHECK(nl && mmr_txn_parser_header(p, s, (size_t)(nl - s), line++, &d) == 0);
        s = nl ? nl + 1 : e;
    }
    while (s < e) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        if (!nl) { bad++; break; }
        mmr_txn t;
        mmr_arena_reset(&a);
        if (mmr_txn_parse(p, s, (size_t)(nl - s), line++, &t, &a, &d) != 1) bad++;
        else {
            if (t.ts < prev) unordered++;
            prev = t.ts;
            if (strcmp(t.user_id, uidtxt)) wrong_user++;
        }
        n++;
        s = nl + 1;
    }
    T_EQ_INT(n, want);
    T_EQ_INT(bad, 0);
    T_EQ_INT(unordered, 0);
    T_EQ_INT(wrong_user, 0);
    T_EQ_INT(d.errors, 0);
    if (d.n) fprintf(stderr, "first: %s\n", d.v[0].message);
    mmr_diags_free(&d);
    mmr_arena_free(&a);
    mmr_txn_parser_free(p);
}

static void test_users(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_txgen *g = mmr_txgen_new(1, NULL, 90, &d), *g2 = mmr_txgen_new(2, NULL, 90, &d);
    T_CHECK(g && g2);
    if (!g || !g2) { mmr_txgen_free(g); mmr_txgen_free(g2); mmr_diags_free(&d); return; }
    size_t total = 0, users = 0, empty = 0;
    for (uint64_t uid = 1; uid <= 60; uid++) {
        mmr_buf a, b, c, csv;
        mmr_buf_init(&a); mmr_buf_init(&b); mmr_buf_init(&c); mmr_buf_init(&csv);
        size_t n = 0, n2 = 0, n3 = 0;
        T_EQ_INT(mmr_txgen_write_user(g, uid, MMR_TXGEN_NDJSON, &a, &n), 0);
        T_EQ_INT(mmr_txgen_write_user(g, uid, MMR_TXGEN_NDJSON, &b, &n2), 0);
        T_CHECK(n == n2 && a.len == b.len && (a.len == 0 || !memcmp(a.data, b.data, a.len)));
        mmr_txgen_write_user(g2, uid, MMR_TXGEN_NDJSON, &c, NULL);
        T_CHECK(n == 0 || c.len != a.len || memcmp(a.data, c.data, a.len));
        check_lines(a.data ? a.data : "", a.len, MMR_TXN_NDJSON, uid, n);
        mmr_txgen_csv_header(&csv);
        T_EQ_INT(mmr_txgen_write_user(g, uid, MMR_TXGEN_CSV, &csv, &n3), 0);
        T_EQ_INT(n3, n);
        check_lines(csv.data, csv.len, MMR_TXN_CSV, uid, n);
        total += n;
        users++;
        empty += n == 0;
        /* the traits line is JSON with this user's id */
        mmr_buf tr;
        mmr_buf_init(&tr);
        mmr_txgen_write_traits(g, uid, &tr);
        json_error_t err;
        json_t *j = json_loadb(tr.data, tr.len, 0, &err);
        T_CHECK(j && json_is_object(json_object_get(j, "traits")));
        char want[24];
        snprintf(want, sizeof want, "u%llu", (unsigned long long)uid);
        T_EQ_STR(json_string_value(json_object_get(j, "user_id")), want);
        json_decref(j);
        mmr_buf_free(&tr);
        mmr_buf_free(&a); mmr_buf_free(&b); mmr_buf_free(&c); mmr_buf_free(&csv);
    }
    /* about 4 a day over 90 days */
    T_CHECK(total / users > 250 && total / users < 500);
    T_CHECK(empty < users / 4);
    mmr_txgen_free(g);
    mmr_txgen_free(g2);
    mmr_diags_free(&d);
}

static const char *const expense_cats[] = {
    "Food & Dining", "Groceries", "Shopping", "Travel", "Entertainment",
    "Bills & Utilities", "Rent", "Fuel", "Transfers",
};

/* The lines of b as JSON objects (NULL entries for bad lines); *n lines. */
static json_t **json_lines(const mmr_buf *b, size_t *n)
{
    json_t **v = NULL;
    *n = 0;
    const char *s = b->data, *e = b->data ? b->data + b->len : NULL;
    while (s && s < e) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        if (!nl) nl = e;
        v = realloc(v, (*n + 1) * sizeof *v);
        json_error_t err;
        v[(*n)++] = json_loadb(s, (size_t)(nl - s), JSON_REJECT_DUPLICATES, &err);
        s = nl + 1;
    }
    return v;
}

static void free_lines(json_t **v, size_t n)
{
    for (size_t i = 0; i < n; i++) json_decref(v[i]);
    free(v);
}

/* Budgets and goals: valid records as `mmr ingest` wants them, the same
 * bytes again, in the promised shares; the engine's reader takes them. */
static void test_budgets_goals(void)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_txgen *g = mmr_txgen_new(1, NULL, 90, &d), *g30 = mmr_txgen_new(1, NULL, 30, &d),
              *gnov = mmr_txgen_new(1, "2025-11-26", 90, &d);
    T_CHECK(g && g30 && gnov);
    if (!g || !g30 || !gnov) { mmr_txgen_free(g); mmr_txgen_free(g30); mmr_txgen_free(gnov); mmr_diags_free(&d); return; }
    int64_t as_of;
    T_EQ_INT(mmr_sig_day_parse("2025-10-26", &as_of), 0);
    const uint64_t N = 1000;
    size_t with_budgets = 0, with_goals = 0, budgets = 0, goals = 0, bad_budget = 0, bad_goal = 0;
    size_t deadlines = 0, past = 0, unfunded = 0, over = 0, under_tenth = 0, top_not_g1 = 0, not_same = 0;
    mmr_buf all_b, all_g;
    mmr_buf_init(&all_b);
    mmr_buf_init(&all_g);
    for (uint64_t uid = 1; uid <= N; uid++) {
        char want[24];
        snprintf(want, sizeof want, "u%llu", (unsigned long long)uid);
        mmr_buf b, b2, gb, gb2, gn;
        mmr_buf_init(&b); mmr_buf_init(&b2); mmr_buf_init(&gb); mmr_buf_init(&gb2); mmr_buf_init(&gn);
        size_t nb = mmr_txgen_write_budgets(g, uid, &b), ng = mmr_txgen_write_goals(g, uid, &gb);
        /* the same whatever the history's length; only deadlines follow the date */
        T_EQ_INT(mmr_txgen_write_budgets(g30, uid, &b2), nb);
        T_EQ_INT(mmr_txgen_write_goals(g30, uid, &gb2), ng);
        T_EQ_INT(mmr_txgen_write_goals(gnov, uid, &gn), ng);
        if (b.len != b2.len || (b.len && memcmp(b.data, b2.data, b.len)) ||
            gb.len != gb2.len || (gb.len && memcmp(gb.data, gb2.data, gb.len))) not_same++;
        size_t n;
        json_t **v = json_lines(&b, &n);
        T_EQ_INT(n, nb);
        T_CHECK(nb == 0 || (nb >= 2 && nb <= 5));
        with_budgets += nb > 0;
        budgets += nb;
        for (size_t i = 0; i < n; i++) {
            json_t *o = v[i];
            const char *cat = json_string_value(json_object_get(o, "category"));
            int known = 0;
            for (size_t c = 0; cat && c < sizeof expense_cats / sizeof expense_cats[0]; c++) known |= !strcmp(cat, expense_cats[c]);
            for (size_t j = 0; j < i; j++)
                if (cat && v[j] && !strcmp(cat, json_string_value(json_object_get(v[j], "category")))) known = 0;
            if (!o || json_object_size(o) != 4 || !json_is_string(json_object_get(o, "user_id")) ||
                strcmp(json_string_value(json_object_get(o, "user_id")), want) || !known ||
                !(json_number_value(json_object_get(o, "limit")) > 0) ||
                !json_is_string(json_object_get(o, "period")) ||
                strcmp(json_string_value(json_object_get(o, "period")), "month")) bad_budget++;
        }
        free_lines(v, n);
        v = json_lines(&gb, &n);
        T_EQ_INT(n, ng);
        T_CHECK(ng <= 3);
        with_goals += ng > 0;
        goals += ng;
        int seen_prio[4] = { 0 };
        for (size_t i = 0; i < n; i++) {
            json_t *o = v[i];
            char gid[24];
            snprintf(gid, sizeof gid, "g%zu", i + 1);
            const char *name = json_string_value(json_object_get(o, "name"));
            int ok = o && json_is_string(json_object_get(o, "user_id")) &&
                     !strcmp(json_string_value(json_object_get(o, "user_id")), want) &&
                     json_is_string(json_object_get(o, "goal_id")) &&
                     !strcmp(json_string_value(json_object_get(o, "goal_id")), gid) && name && *name;
            for (size_t j = 0; ok && j < i; j++) ok = v[j] && strcmp(name, json_string_value(json_object_get(v[j], "name")));
            double target = json_number_value(json_object_get(o, "target"));
            double saved = json_number_value(json_object_get(o, "saved"));
            json_int_t prio = json_integer_value(json_object_get(o, "priority"));
            ok = ok && target >= 10000 && target <= 500000 && json_is_number(json_object_get(o, "saved")) &&
                 saved >= 0 && saved <= 1.25 * target + 100 && json_is_integer(json_object_get(o, "priority")) &&
                 prio >= 1 && prio <= (json_int_t)ng && !seen_prio[prio];
            if (ok) seen_prio[prio] = 1;
            json_t *dl = json_object_get(o, "deadline");
            if (dl) {
                int64_t day;
                if (!json_is_string(dl) || mmr_sig_day_parse(json_string_value(dl), &day)) ok = 0;
                else { deadlines++; past += day < as_of; }
            }
            if (!ok) bad_goal++;
            unfunded += saved == 0;
            over += saved >= target;
            if (prio == 1) { under_tenth += saved < 0.1 * target; top_not_g1 += i > 0; }
        }
        free_lines(v, n);
        mmr_buf_puts(&all_b, b.data ? b.data : "");
        mmr_buf_puts(&all_g, gb.data ? gb.data : "");
        mmr_buf_free(&b); mmr_buf_free(&b2); mmr_buf_free(&gb); mmr_buf_free(&gb2); mmr_buf_free(&gn);
    }
    T_EQ_INT(not_same, 0);
    T_EQ_INT(bad_budget, 0);
    T_EQ_INT(bad_goal, 0);
    /* ~70% with budgets, ~80% with goals; 85% of goals with a deadline, a few past */
    T_CHECK(with_budgets > N * 62 / 100 && with_budgets < N * 78 / 100);
    T_CHECK(with_goals > N * 73 / 100 && with_goals < N * 87 / 100);
    T_CHECK(budgets > with_budgets * 3 && budgets < with_budgets * 4);
    T_CHECK(deadlines > goals * 78 / 100 && deadlines < goals * 92 / 100);
    T_CHECK(past > deadlines / 25 && past < deadlines / 6);
    T_CHECK(unfunded > goals / 20 && over > goals / 40 && under_tenth > with_goals / 10);
    T_CHECK(top_not_g1 > with_goals / 4);
    /* the engine's reader (mmr signals --budgets/--goals) takes every line */
    char path[] = "/tmp/mmr-test-sample-XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    for (int k = 0; fd >= 0 && k < 2; k++) {
        const mmr_buf *src = k ? &all_g : &all_b;
        T_CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, src->data, src->len, 0) == (ssize_t)src->len);
        mmr_rowfile f;
        mmr_diags d2;
        mmr_diags_init(&d2);
        T_EQ_INT(mmr_rowfile_load(&f, k ? MMR_SRC_GOAL : MMR_SRC_BUDGET, path, &d2), 0);
        T_EQ_INT(f.n, k ? goals : budgets);
        T_EQ_INT(d2.n, 0);
        mmr_rowfile_free(&f);
        mmr_diags_free(&d2);
    }
    if (fd >= 0) { close(fd); unlink(path); }
    mmr_buf_free(&all_b);
    mmr_buf_free(&all_g);
    mmr_txgen_free(g);
    mmr_txgen_free(g30);
    mmr_txgen_free(gnov);
    mmr_diags_free(&d);
}

int main(void)
{
    test_order();
    test_bad_args();
    test_users();
    test_budgets_goals();
    return T_DONE("sample_txn");
}
