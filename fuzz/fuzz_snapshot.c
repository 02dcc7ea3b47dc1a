/* libFuzzer target: the snapshot record parsers (NDJSON lines and CSV
 * rows) bound to the std/moneymoments schema. The first input byte picks
 * the format; for CSV the first record is the header. Any input must end
 * in a user, a blank record or a diagnostic: never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "engine/snapshot.h"
#include "vm/vm.h"

static const char schema[] =
    "import \"std/moneymoments\"\n"
    "template T { title \"t\" body \"{dining_txn_7d}\" category dining }\n"
    "rule r { priority 1 when dining_txn_7d > 1 message T }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    mmr_snap_format fmt = (data[0] & 1) ? MMR_SNAP_CSV : MMR_SNAP_NDJSON;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_unit *u = mmr_unit_load_source("schema.mmr", schema, sizeof schema - 1, &d);
    mmr_program *p = NULL;
    if (u && d.errors == 0 && mmr_check(u, &d) == 0 && d.errors == 0) p = mmr_codegen(u, &d);
    if (!p) abort();   /* the fixed schema must always compile */

    mmr_snap_binder *b = mmr_snap_binder_new(p);
    mmr_snap_parser *ps = b ? mmr_snap_parser_new(b, fmt, "fuzz") : NULL;
    mmr_vm vm;
    if (ps && mmr_vm_init(&vm, p) == 0) {
        mmr_arena a;
        mmr_arena_init(&a, 4096);
        size_t pos = 0;
        long line = 1;
        int have_header = fmt != MMR_SNAP_CSV;
        const char *rec;
        size_t rec_len;
        long nlines;
        while (mmr_snap_next_record(fmt, text, len, &pos, &rec, &rec_len, &nlines)) {
            if (!have_header) {
                if (mmr_snap_parser_header(ps, rec, rec_len, line, &d) < 0) break;
                have_header = 1;
            } else {
                mmr_snap_user usr;
                if (mmr_snap_parse(ps, rec, rec_len, line, vm.regs, &a, &usr, &d) == 1)
                    mmr_vm_run(&vm, 1);
                mmr_arena_reset(&a);
            }
            line += nlines;
        }
        mmr_arena_free(&a);
        mmr_vm_free(&vm);
    }
    mmr_snap_parser_free(ps);
    mmr_snap_binder_free(b);
    mmr_program_free(p);
    mmr_unit_free(u);
    mmr_diags_free(&d);
    return 0;
}
