/* libFuzzer target: the parser and the printer on arbitrary bytes.
 * A file that parses must print to text that parses again, to the same
 * text (fmt is idempotent). Build with fuzz/build.sh fuzz_parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/ast.h"
#include "compiler/compile.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mmr_arena a;
    mmr_arena_init(&a, 0);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_file *f = mmr_parse(&a, "fuzz.mmr", (const char *)data, size, &d);
    if (f && d.errors == 0) {
        mmr_buf b1, b2;
        mmr_buf_init(&b1);
        mmr_buf_init(&b2);
        mmr_print_file(&b1, f);
        mmr_diags d2;
        mmr_diags_init(&d2);
        mmr_file *g = mmr_parse(&a, "fuzz.mmr", b1.data ? b1.data : "", b1.len, &d2);
        if (!g || d2.errors) abort();          /* printed text must parse */
        mmr_print_file(&b2, g);
        if (b1.len != b2.len || (b1.len && memcmp(b1.data, b2.data, b1.len))) abort(); /* idempotent */
        mmr_diags_free(&d2);
        mmr_buf_free(&b1);
        mmr_buf_free(&b2);
    }
    mmr_diags_free(&d);
    mmr_arena_free(&a);
    return 0;
}
