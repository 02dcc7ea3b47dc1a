/* libFuzzer target: the transaction record parsers (signals/txn.h). The
 * first input byte picks the format: odd is CSV, whose first record is the
 * header. Every record must end in a transaction that keeps the
 * interface's promises, a blank or a diagnostic with a line: never a
 * crash, a hang or a leak. When the first byte is 'R', the NDJSON
 * input is read back through the file reader (which ends strings in place
 * in its own buffer) and must give the same records, lines and number of
 * errors (slower: a temporary file and the reader's buffers). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include "engine/snapshot.h"
#include "signals/txn.h"

#define MAX_KEEP 64

typedef struct kept {
    int rc;
    long line;
    mmr_txn t;
    char *txn_id, *user_id, *category, *merchant, *ts_text;
} kept;

static void check_text(const char *s, size_t n, int may_be_null)
{
    if (!s) { if (!may_be_null) abort(); return; }
    if (strlen(s) != n || n == 0) abort();                    /* NUL-terminated, no NUL inside */
    if (mmr_utf8_check(s, n) != n) abort();
}

static void check_txn(const mmr_txn *t)
{
    check_text(t->txn_id, t->txn_id_len, 0);
    check_text(t->user_id, t->user_id_len, 0);
    check_text(t->category, t->category_len, 0);
    check_text(t->merchant, t->merchant_len, 1);
    if (t->txn_id_len > MMR_TXN_MAX_ID || t->user_id_len > MMR_TXN_MAX_ID) abort();
    if (!(t->amount > 0) || !isfinite(t->amount)) abort();
    if (t->type != MMR_TXN_EXPENSE && t->type != MMR_TXN_INCOME) abort();
    if (t->recurring != 0 && t->recurring != 1) abort();
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    mmr_txn_format fmt = (data[0] & 1) ? MMR_TXN_CSV : MMR_TXN_NDJSON;   /* 'R' is even */
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    mmr_snap_format sfmt = fmt == MMR_TXN_CSV ? MMR_SNAP_CSV : MMR_SNAP_NDJSON;

    mmr_diags d;
    mmr_diags_init(&d);
    mmr_txn_parser *p = mmr_txn_parser_new(fmt, "fuzz");
    if (!p) abort();
    mmr_arena a;
    mmr_arena_init(&a, 4096);
    kept keep[MAX_KEEP];
    size_t nkeep = 0, errors = 0;
    size_t pos = 0;
    long line = 1;
    int have_header = fmt != MMR_TXN_CSV;
    const char *rec;
    size_t rec_len;
    long nlines;
    while (mmr_snap_next_record(sfmt, text, len, &pos, &rec, &rec_len, &nlines)) {
        if (!have_header) {
            if (mmr_txn_parser_header(p, rec, rec_len, line, &d) < 0) break;
            have_header = 1;
        } else {
            mmr_txn t;
            size_t before = d.errors;
            int rc = mmr_txn_parse(p, rec, rec_len, line, &t, &a, &d);
            if (rc == 1) {
                check_txn(&t);
                if (t.line != line) abort();
                size_t tl;
                const char *ts = mmr_txn_parser_ts_text(p, &tl);
                check_text(ts, tl, 0);
            } else if (rc == -1) {
                if (d.errors != before + 1) abort();              /* one diagnostic per bad record */
                errors++;
            } else if (rc != 0 || d.errors != before) abort();
            if (rc != 0 && nkeep < MAX_KEEP) {
                kept *k = &keep[nkeep++];
                k->rc = rc; k->line = line; k->t = t;
                k->txn_id = rc == 1 ? dup_or_null(t.txn_id) : NULL;
                k->user_id = rc == 1 ? dup_or_null(t.user_id) : NULL;
                k->category = rc == 1 ? dup_or_null(t.category) : NULL;
                k->merchant = rc == 1 ? dup_or_null(t.merchant) : NULL;
                k->ts_text = rc == 1 ? dup_or_null(mmr_txn_parser_ts_text(p, NULL)) : NULL;
            }
            mmr_arena_reset(&a);
        }
        line += nlines;
    }
    int complete = pos >= len;      /* no header failure cut the loop short */

    /* NDJSON: the file reader must agree (skipping a leading BOM, as it does) */
    if (data[0] == 'R' && complete && !(len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))) {
        FILE *f = tmpfile();
        if (f && fwrite(text, 1, len, f) == len && fflush(f) == 0) {
            char path[64];
            snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
            mmr_diags d2;
            mmr_diags_init(&d2);
            mmr_txn_reader *r = mmr_txn_reader_open(path, &d2);
            if (r) {
                size_t i = 0, errs = 0;
                mmr_txn t;
                int rc;
                while ((rc = mmr_txn_reader_next(r, &t, &d2)) != 0) {
                    if (rc < 0) errs++;
                    if (i < nkeep) {
                        kept *k = &keep[i];
                        if (k->rc != rc) abort();
                        if (rc == 1) {
                            if (t.line != k->line || !same(t.txn_id, k->txn_id) || !same(t.user_id, k->user_id) ||
                                !same(t.category, k->category) || !same(t.merchant, k->merchant) ||
                                t.ts != k->t.ts || t.amount != k->t.amount || t.type != k->t.type ||
                                t.recurring != k->t.recurring || !same(mmr_txn_reader_ts_text(r, NULL), k->ts_text))
                                abort();
                        }
                    }
                    i++;
                }
                if (errs != errors) abort();
                mmr_txn_reader_close(r);
            }
            mmr_diags_free(&d2);
        }
        if (f) fclose(f);
    }

    for (size_t i = 0; i < nkeep; i++) {
        free(keep[i].txn_id); free(keep[i].user_id); free(keep[i].category);
        free(keep[i].merchant); free(keep[i].ts_text);
    }
    mmr_arena_free(&a);
    mmr_txn_parser_free(p);
    mmr_diags_free(&d);
    return 0;
}
