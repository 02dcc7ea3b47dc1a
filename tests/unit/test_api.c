/* The public embedding API: two rulesets and two evaluators at once. */
#include "tests/unit/t.h"
#include "include/mmr.h"
#include <pthread.h>
#include <stdlib.h>

static const char small_src[] =
    "signal spend : number\n"
    "signal base : number\n"
    "signal tags : list<text>\n"
    "signal cats : map<number>\n"
    "trait band : text\n"
    "template T1 { title \"Spend up\" body \"Spend is up\" tone neutral category budget }\n"
    "template T2 { title \"Big spender\" body \"Wow\" tone neutral category budget }\n"
    "template T3 { title \"Tagged\" body \"Tagged\" tone neutral category budget }\n"
    "rule up { priority 10 when ratio(spend, base) > 1.5 message T1 }\n"
    "rule big { priority 20 when spend > 1000 audience band in [\"25-34\"] message T2 }\n"
    "rule also_big { priority 20 when spend > 1000 message T2 }\n"
    "rule tagged { priority 5 when contains(tags, \"foodie\") and cats[\"dining\"] > 100 message T3 }\n";

/* One ruleset shared by evaluators on several threads. */
typedef struct job { const mmr_ruleset *rs; int offset; long fired; int bad; } job;

static void *thread_main(void *arg)
{
    job *j = arg;
    const char *cols[] = { "budget_variance", "dining_txn_7d", "wants_share_30d" };
    mmr_evaluator *ev = mmr_evaluator_new(j->rs, cols, 3);
    if (!ev) { j->bad = 1; return NULL; }
    for (int i = 0; i < 20000; i++) {
        int k = (i + j->offset) % 100;
        mmr_set_number(ev, 0, (k - 50) / 100.0);      /* |v| > 0.15 fires budget_drift */
        mmr_set_number(ev, 1, k % 5);
        mmr_set_number(ev, 2, 0.5);
        int n = mmr_evaluate(ev);
        int want = ((k - 50) / 100.0 > 0.15 || (k - 50) / 100.0 < -0.15) + (k % 5 >= 3);
        if (n != want) j->bad = 1;
        j->fired += n;
    }
    mmr_evaluator_free(ev);
    return NULL;
}

int main(void)
{
    char *errs = NULL;
    const char *paths[] = { "rules/moneymoments" };
    mmr_ruleset *mm = mmr_ruleset_load(paths, 1, &errs);
    T_CHECK(mm != NULL);
    if (errs) { fprintf(stderr, "%s", errs); free(errs); errs = NULL; }
    mmr_ruleset *small = mmr_ruleset_load_source("small.mmr", small_src, sizeof small_src - 1, &errs);
    T_CHECK(small != NULL);
    if (errs) { fprintf(stderr, "%s", errs); free(errs); errs = NULL; }
    if (!mm || !small) return T_DONE("api");

    T_EQ_INT(mmr_rule_count(mm), 5);
    T_EQ_STR(mmr_rule_name(mm, 0), "budget_drift");   /* rules are in name order */
    T_CHECK(mmr_rule_name(mm, 5) == NULL);
    T_EQ_INT(mmr_rule_count(small), 4);

    /* the shipped ruleset: a schema in the snapshot's own column order,
     * with a column the ruleset does not know */
    const char *cols[] = { "wants_share_30d", "no_such_signal", "dining_txn_7d", "top_goal_progress",
                           "savings_actual_month", "age_band", "category_spend_7d", "lifestyle_tags" };
    mmr_evaluator *ev = mmr_evaluator_new(mm, cols, 8);
    const char *scols[] = { "spend", "base", "band", "tags", "cats" };
    mmr_evaluator *sv = mmr_evaluator_new(small, scols, 5);
    T_CHECK(ev != NULL && sv != NULL);
    if (!ev || !sv) return T_DONE("api");

    /* interleave the two evaluators */
    T_EQ_INT(mmr_set_number(ev, 0, 0.40), 0);
    T_EQ_INT(mmr_set_number(ev, 1, 7), 0);              /* unknown column: ignored */
    T_EQ_INT(mmr_set_number(ev, 2, 4), 0);
    T_EQ_INT(mmr_set_number(sv, 0, 2000), 0);
    T_EQ_INT(mmr_set_number(sv, 1, 1000), 0);
    T_EQ_INT(mmr_set_text(sv, 2, "25-34", 5), 0);
    T_EQ_INT(mmr_set_number(ev, 3, 0.04), 0);
    T_EQ_INT(mmr_set_number(ev, 4, 0), 0);
    T_EQ_INT(mmr_evaluate(ev), 2);
    T_EQ_STR(mmr_candidate_rule(ev, 0), "goal_underfunded");
    T_EQ_STR(mmr_candidate_rule(ev, 1), "dining_overspend");
    T_CHECK(mmr_candidate_rule(ev, 2) == NULL);
    T_EQ_STR(mmr_selected_rule(ev), "goal_underfunded");
    /* priority ties go by name: also_big before big */
    T_EQ_INT(mmr_evaluate(sv), 3);
    T_EQ_STR(mmr_candidate_rule(sv, 0), "also_big");
    T_EQ_STR(mmr_candidate_rule(sv, 1), "big");
    T_EQ_STR(mmr_candidate_rule(sv, 2), "up");

    /* after evaluate every column is missing again: nothing fires */
    T_EQ_INT(mmr_evaluate(ev), 0);
    T_CHECK(mmr_selected_rule(ev) == NULL);
    T_EQ_INT(mmr_evaluate(sv), 0);

    /* missing base: ratio is missing, so `up` cannot fire (no baseline, no trigger) */
    mmr_set_number(sv, 0, 2000);
    mmr_set_missing(sv, 1);
    T_EQ_INT(mmr_evaluate(sv), 1);
    T_EQ_STR(mmr_selected_rule(sv), "also_big");
    mmr_set_number(sv, 0, 2000);
    mmr_set_number(sv, 1, 0);            /* zero base: missing too */
    mmr_set_text(sv, 2, "45-54", 5);     /* audience false */
    T_EQ_INT(mmr_evaluate(sv), 1);
    T_EQ_STR(mmr_selected_rule(sv), "also_big");

    /* lists and maps (keys in any order; a repeated key is refused) */
    const char *tags[] = { "student", "foodie" };
    const char *keys[] = { "travel", "dining" };
    const double vals[] = { 10, 260 };
    T_EQ_INT(mmr_set_text_list(sv, 3, tags, 2), 0);
    T_EQ_INT(mmr_set_number_map(sv, 4, keys, vals, 2), 0);
    T_EQ_INT(mmr_evaluate(sv), 1);
    T_EQ_STR(mmr_selected_rule(sv), "tagged");
    const char *dup[] = { "dining", "dining" };
    T_EQ_INT(mmr_set_number_map(sv, 4, dup, vals, 2), -1);

    /* type checks: the wrong type is refused and leaves the column missing */
    T_EQ_INT(mmr_set_text(ev, 0, "abc", 3), -1);
    T_EQ_INT(mmr_set_number(ev, 5, 3), -1);              /* age_band is text */
    T_EQ_INT(mmr_set_bool(ev, 2, 1), -1);
    T_EQ_INT(mmr_set_text_list(ev, 6, tags, 2), -1);     /* a map column */
    T_EQ_INT(mmr_set_number_map(ev, 7, keys, vals, 2), -1);
    T_EQ_INT(mmr_set_number(ev, 99, 1), -1);             /* no such column */
    T_EQ_INT(mmr_set_text(ev, 5, "\xff", 1), -1);        /* not UTF-8 */
    T_EQ_INT(mmr_evaluate(ev), 0);

    /* a second evaluator of the same ruleset, alive at the same time */
    const char *cols2[] = { "budget_variance" };
    mmr_evaluator *ev2 = mmr_evaluator_new(mm, cols2, 1);
    T_CHECK(ev2 != NULL);
    if (ev2) {
        mmr_set_number(ev2, 0, -0.2);
        T_EQ_INT(mmr_evaluate(ev2), 1);
        T_EQ_STR(mmr_selected_rule(ev2), "budget_drift");
        mmr_evaluator_free(ev2);
    }

    /* four threads, one shared ruleset, an evaluator each */
    pthread_t th[4];
    job jobs[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (job){ mm, t * 7, 0, 0 };
        pthread_create(&th[t], NULL, thread_main, &jobs[t]);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        T_EQ_INT(jobs[t].bad, 0);
        T_CHECK(jobs[t].fired > 0);
    }

    /* errors come back as text, nothing is printed */
    T_CHECK(mmr_ruleset_load_source("bad.mmr", "rule r { when x > 1 }", 21, &errs) == NULL);
    T_CHECK(errs != NULL && strstr(errs, "bad.mmr:1:") != NULL);
    free(errs);
    errs = NULL;
    const char *nopath[] = { "/nonexistent/rules" };
    T_CHECK(mmr_ruleset_load(nopath, 1, &errs) == NULL);
    T_CHECK(errs != NULL && strstr(errs, "/nonexistent/rules") != NULL);
    free(errs);
    T_CHECK(mmr_ruleset_load(nopath, 1, NULL) == NULL);

    mmr_evaluator_free(ev);
    mmr_evaluator_free(sv);
    mmr_ruleset_free(small);
    mmr_ruleset_free(mm);
    return T_DONE("api");
}
