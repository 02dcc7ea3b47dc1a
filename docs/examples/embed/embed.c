/* The embedding example of docs/eval.md as a whole program: load the
 * rulesets named on the command line (default rules/moneymoments), evaluate
 * one user and print the rules, the candidates and the selected rule.
 * Builds as C or C++ against an installed libmmr (README, "Install"):
 *     cc embed.c $(pkg-config --cflags --libs mmr) -o embed
 *     c++ -x c++ embed.c -x none $(pkg-config --cflags --libs mmr) -o embed
 * tests/install/embed.sh builds and runs it both ways, static and shared. */
#include <mmr.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    char *errs = NULL;
    const char *fallback[] = { "rules/moneymoments" };
    const char *const *paths = argc > 1 ? (const char *const *)(argv + 1) : fallback;
    size_t npaths = argc > 1 ? (size_t)(argc - 1) : 1;
    mmr_ruleset *rs = mmr_ruleset_load(paths, npaths, &errs);
    if (!rs) {
        fputs(errs ? errs : "mmr_ruleset_load failed\n", stderr);
        free(errs);
        return 1;
    }
    printf("rules: %zu\n", mmr_rule_count(rs));

    const char *cols[] = { "dining_txn_7d", "wants_share_30d", "age_band" };
    mmr_evaluator *ev = mmr_evaluator_new(rs, cols, 3); /* binds names once */
    mmr_set_number(ev, 0, 4);
    mmr_set_number(ev, 1, 0.40);
    mmr_set_text(ev, 2, "25-34", 5);
    int n = mmr_evaluate(ev); /* candidates, or -1 */
    for (int i = 0; i < n; i++) printf("candidate: %s\n", mmr_candidate_rule(ev, (size_t)i));
    const char *sel = mmr_selected_rule(ev);
    printf("selected: %s\n", sel ? sel : "(none)");

    /* every column is missing again: the next user starts empty */
    printf("next user, nothing set: %d candidates\n", mmr_evaluate(ev));
    mmr_evaluator_free(ev);
    mmr_ruleset_free(rs);
    return 0;
}
