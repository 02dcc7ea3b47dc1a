/* libFuzzer target: the lint config reader (`key = value` lines and
 * [words] sections) on arbitrary bytes, then a lint run with whatever it
 * accepted: errors are diagnostics, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include "compiler/compile.h"
#include "compiler/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "signal x : number\n"
    "template T { title \"LOOK at this!!\" body \"{x}\" category dining }\n"
    "rule r { priority 1 when x > 5 and x < 3 message T }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_lint_config c;
    mmr_lint_config_init(&c);
    mmr_lint_config_parse(&c, "fuzz.conf", (const char *)data, size, &d);
    mmr_unit *u = mmr_unit_load_source("r.mmr", rules, sizeof rules - 1, &d);
    if (u && mmr_check(u, &d) == 0) mmr_lint(u, &c, &d);
    mmr_unit_free(u);
    mmr_lint_config_free(&c);
    mmr_diags_free(&d);
    return 0;
}
