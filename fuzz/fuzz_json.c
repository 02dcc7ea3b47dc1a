/* libFuzzer target: the JSON importer on arbitrary bytes.
 *
 * Properties checked on every input that imports without errors:
 *   1. the printed .mmr text parses, and printing it again gives the same
 *      text (the imported AST is printable canonical .mmr);
 *   2. if the text also loads and checks cleanly, exporting it and
 *      importing the export gives the same text again (round trip).
 * Build with fuzz/build.sh fuzz_json, or run with fuzz/run.sh fuzz_json.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/ast.h"
#include "compiler/compile.h"
#include "compiler/json_export.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const mmr_buf *a, const mmr_buf *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    mmr_arena a;
    mmr_arena_init(&a, 0);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_file *f = mmr_import_json(&a, "fuzz.json", (const char *)data, size, &d);
    if (!f) abort();                        /* only on out-of-memory */
    if (d.errors == 0) {
        mmr_buf t1, t2;
        mmr_buf_init(&t1);
        mmr_buf_init(&t2);
        mmr_print_file(&t1, f);
        mmr_diags pd;
        mmr_diags_init(&pd);
        mmr_file *g = mmr_parse(&a, "fuzz.mmr", t1.data ? t1.data : "", t1.len, &pd);
        if (!g || pd.errors) abort();        /* 1: the text parses */
        mmr_print_file(&t2, g);
        if (!same(&t1, &t2)) abort();        /* 1: and is canonical */
        mmr_diags_free(&pd);

        mmr_diags cd;
        mmr_diags_init(&cd);
        mmr_unit *u = mmr_unit_load_source("fuzz.mmr", t1.data ? t1.data : "", t1.len, &cd);
        if (u && !cd.errors) mmr_check(u, &cd);
        if (u && !cd.errors) {
            mmr_buf js, t3;
            mmr_buf_init(&js);
            mmr_buf_init(&t3);
            if (mmr_export_json(u, &js, &cd)) abort();
            mmr_diags d2;
            mmr_diags_init(&d2);
            mmr_file *h = mmr_import_json(&a, "fuzz.json", js.data ? js.data : "", js.len, &d2);
            if (!h || d2.errors) abort();    /* 2: the export imports */
            mmr_print_file(&t3, h);
            if (!same(&t1, &t3)) abort();    /* 2: to the same text */
            mmr_diags_free(&d2);
            mmr_buf_free(&js);
            mmr_buf_free(&t3);
        }
        if (u) mmr_unit_free(u);
        mmr_diags_free(&cd);
        mmr_buf_free(&t1);
        mmr_buf_free(&t2);
    }
    mmr_diags_free(&d);
    mmr_arena_free(&a);
    return 0;
}
