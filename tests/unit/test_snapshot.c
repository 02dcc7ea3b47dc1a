/* Snapshot readers: NDJSON and CSV records into program slots. */
#include "tests/unit/t.h"
#include "engine/snapshot.h"
#include "compiler/ast.h"
#include <stdlib.h>
#include <unistd.h>

enum { S_DINING, S_WANTS, S_FLAG, S_GOAL, S_CATS, S_TAGS, S_NUMS, S_AGE, NSLOTS };

static mmr_slot slots[NSLOTS] = {
    { "dining_txn_7d", MMR_T_NUMBER, 0 },
    { "wants_share_30d", MMR_T_NUMBER, 0 },
    { "autopay_on", MMR_T_BOOL, 0 },
    { "top_goal_name", MMR_T_TEXT, 0 },
    { "category_spend_7d", MMR_T_MAP_NUMBER, 0 },
    { "lifestyle_tags", MMR_T_LIST_TEXT, 1 },
    { "scores", MMR_T_LIST_NUMBER, 0 },
    { "age_band", MMR_T_TEXT, 1 },
};

static mmr_program prog;
static mmr_snap_binder *binder;
static mmr_value regs[NSLOTS];
static mmr_arena arena;
static mmr_snap_user user;

static char *diag_text(const mmr_diags *d)
{
    char *s = NULL; size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    mmr_diags_print_text(f, d);
    fclose(f);
    return s;
}

/* Parse one NDJSON line; returns the rc, *msg = diagnostics text (freed by caller). */
static int nd(mmr_snap_parser *ps, const char *line, char **msg)
{
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = mmr_snap_parse(ps, line, strlen(line), 7, regs, &arena, &user, &d);
    *msg = diag_text(&d);
    mmr_diags_free(&d);
    return rc;
}

/* Expect an error message (exact text). */
static void nd_err(mmr_snap_parser *ps, const char *line, const char *want)
{
    char *msg;
    int rc = nd(ps, line, &msg);
    T_EQ_INT(rc, -1);
    T_EQ_STR(msg, want);
    free(msg);
}

static const mmr_text *text_of(int slot) { return regs[slot].tag == MMR_V_TEXT ? regs[slot].u.text : NULL; }

static void test_ndjson_values(void)
{
    mmr_snap_parser *ps = mmr_snap_parser_new(binder, MMR_SNAP_NDJSON, "snap.ndjson");
    char *msg;
    int rc = nd(ps, "{\"user_id\":\"u1\",\"as_of\":\"2025-10-26\",\"signals\":{\"dining_txn_7d\":4,"
                    "\"wants_share_30d\":0.4,\"autopay_on\":true,\"top_goal_name\":\"Goa \\\"Trip\\\" \\u00e9\\ud83d\\ude00\","
                    "\"category_spend_7d\":{\"travel\":10,\"dining\":260,\"bills\":null},\"scores\":[1,2.5e1]},"
                    "\"traits\":{\"lifestyle_tags\":[\"foodie\",\"student\"],\"age_band\":\"25-34\"}}", &msg);
    T_EQ_INT(rc, 1);
    T_EQ_STR(msg, "");
    free(msg);
    T_EQ_STR(user.user_id, "u1");
    T_EQ_STR(user.as_of, "2025-10-26");
    T_EQ_INT(user.line, 7);
    T_EQ_INT(regs[S_DINING].tag, MMR_V_NUM);
    T_EQ_NUM(regs[S_DINING].u.num, 4);
    T_EQ_NUM(regs[S_WANTS].u.num, 0.4);
    T_EQ_INT(regs[S_FLAG].tag, MMR_V_BOOL);
    T_EQ_INT(regs[S_FLAG].u.i, 1);
    T_CHECK(text_of(S_GOAL) != NULL);
    if (text_of(S_GOAL)) T_EQ_STR(text_of(S_GOAL)->bytes, "Goa \"Trip\" \xc3\xa9\xf0\x9f\x98\x80");
    T_EQ_INT(regs[S_CATS].tag, MMR_V_MAP);
    if (regs[S_CATS].tag == MMR_V_MAP) {
        const mmr_map *m = regs[S_CATS].u.map;
        T_EQ_INT(m->n, 3);
        T_EQ_STR(m->keys[0]->bytes, "bills");
        T_EQ_STR(m->keys[1]->bytes, "dining");
        T_EQ_STR(m->keys[2]->bytes, "travel");
        T_CHECK(isnan(m->vals[0]));
        T_EQ_NUM(m->vals[1], 260);
        T_EQ_NUM(m->vals[2], 10);
    }
    T_EQ_INT(regs[S_TAGS].tag, MMR_V_LIST);
    if (regs[S_TAGS].tag == MMR_V_LIST) {
        T_EQ_INT(regs[S_TAGS].u.list->n, 2);
        T_EQ_STR(regs[S_TAGS].u.list->items[1].u.text->bytes, "student");
    }
    T_EQ_INT(regs[S_NUMS].tag, MMR_V_LIST);
    if (regs[S_NUMS].tag == MMR_V_LIST) T_EQ_NUM(regs[S_NUMS].u.list->items[1].u.num, 25);
    T_EQ_STR(text_of(S_AGE)->bytes, "25-34");

    /* absent and null are missing; every slot is reset per record */
    rc = nd(ps, "{\"user_id\":\"u2\",\"signals\":{\"dining_txn_7d\":null,\"wants_share_30d\":0.1}}", &msg);
    T_EQ_INT(rc, 1);
    free(msg);
    T_EQ_INT(regs[S_DINING].tag, MMR_V_MISSING);
    T_CHECK(isnan(regs[S_DINING].u.num));
    T_EQ_INT(regs[S_GOAL].tag, MMR_V_MISSING);
    T_EQ_INT(regs[S_CATS].tag, MMR_V_MISSING);
    T_CHECK(user.as_of == NULL);
    T_EQ_NUM(regs[S_WANTS].u.num, 0.1);

    /* keys in another order still bind right (the key cache guesses wrong) */
    rc = nd(ps, "{\"signals\":{\"wants_share_30d\":0.2,\"dining_txn_7d\":9},\"user_id\":42}", &msg);
    T_EQ_INT(rc, 1);
    free(msg);
    T_EQ_NUM(regs[S_DINING].u.num, 9);
    T_EQ_NUM(regs[S_WANTS].u.num, 0.2);
    T_EQ_STR(user.user_id, "42");

    /* numbers */
    static const struct { const char *lit; double v; } nums[] = {
        { "0", 0 }, { "-0.5", -0.5 }, { "1e3", 1000 }, { "1E-2", 0.01 }, { "0.1", 0.1 },
        { "123456789012345678901", 123456789012345678901.0 }, { "3.14159265358979323846", 3.14159265358979323846 },
        { "0.000001", 1e-6 }, { "2.5e+2", 250 },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char line[200];
        snprintf(line, sizeof line, "{\"user_id\":\"u\",\"signals\":{\"dining_txn_7d\":%s}}", nums[i].lit);
        rc = nd(ps, line, &msg);
        T_EQ_INT(rc, 1);
        free(msg);
        T_EQ_NUM(regs[S_DINING].u.num, nums[i].v);
    }
    /* blank lines are nothing */
    rc = nd(ps, "   \r", &msg);
    T_EQ_INT(rc, 0);
    free(msg);
    mmr_snap_parser_free(ps);
}

static void test_ndjson_errors(void)
{
    mmr_snap_parser *ps = mmr_snap_parser_new(binder, MMR_SNAP_NDJSON, "snap.ndjson");
    nd_err(ps, "{\"user_id\":\"u123\",\"signals\":{\"dining_txn_7d\":\"abc\"}}",
           "snap.ndjson:7: error: user u123: signal \"dining_txn_7d\" must be a number, got \"abc\"\n");
    /* the user id may come after the bad value */
    nd_err(ps, "{\"traits\":{\"age_band\":25},\"user_id\":\"u9\"}",
           "snap.ndjson:7: error: user u9: trait \"age_band\" must be text, got 25\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"autopay_on\":1}}",
           "snap.ndjson:7: error: user u1: signal \"autopay_on\" must be true or false, got 1\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"category_spend_7d\":{\"a\":1,\"a\":2}}}",
           "snap.ndjson:7: error: user u1: signal \"category_spend_7d\" has the key \"a\" twice\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"category_spend_7d\":{\"a\":\"x\"}}}",
           "snap.ndjson:7: error: user u1: signal \"category_spend_7d\": the value of \"a\" must be a number, got \"x\"\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"category_spend_7d\":[1]}}",
           "snap.ndjson:7: error: user u1: signal \"category_spend_7d\" must be an object of numbers, got [1]\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"traits\":{\"lifestyle_tags\":[\"a\",3]}}",
           "snap.ndjson:7: error: user u1: trait \"lifestyle_tags\": item 2 must be text, got 3\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":\"0123456789012345678901234567890123456789012345\"}}",
           "snap.ndjson:7: error: user u1: signal \"dining_txn_7d\" must be a number, got \"012345678901234567890123456789012345...\n");
    /* syntax: FILE:LINE:COL */
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":4,}}",
           "snap.ndjson:7:46: error: user u1: expected a key (a string)\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":4}",
           "snap.ndjson:7:46: error: user u1: expected ',' or '}'\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":01}}",
           "snap.ndjson:7:45: error: user u1: expected ',' or '}'\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":1.}}",
           "snap.ndjson:7:44: error: user u1: invalid number\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":1e999}}",
           "snap.ndjson:7:44: error: user u1: number out of range\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"dining_txn_7d\":4,\"dining_txn_7d\":5}}",
           "snap.ndjson:7:46: error: user u1: duplicate key \"dining_txn_7d\"\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"user_id\":\"u2\"}",
           "snap.ndjson:7:17: error: user u1: duplicate key \"user_id\"\n");
    nd_err(ps, "{\"user_id\":\"u1\"} x", "snap.ndjson:7:18: error: user u1: unexpected text after the object\n");
    nd_err(ps, "[1]", "snap.ndjson:7:1: error: a line must be one JSON object\n");
    nd_err(ps, "{\"user_id\":\"u\xff\"}", "snap.ndjson:7:14: error: invalid UTF-8 in a string\n");
    nd_err(ps, "{\"user_id\":\"\xc3\xa9\",\"signals\":{\"top_goal_name\":\"a\xc0\x80\"}}",
           "snap.ndjson:7:45: error: user \xc3\xa9: invalid UTF-8 in a string\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"top_goal_name\":\"\\ud800\"}}",
           "snap.ndjson:7:45: error: user u1: unpaired surrogate in a \\u escape\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"top_goal_name\":\"a\\qb\"}}",
           "snap.ndjson:7:46: error: user u1: invalid escape in a string\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"top_goal_name\":\"a\tb\"}}",
           "snap.ndjson:7:46: error: user u1: control character in a string (escape it)\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":{\"top_goal_name\":\"ab",
           "snap.ndjson:7:44: error: user u1: unterminated string\n");
    nd_err(ps, "{\"signals\":{}}", "snap.ndjson:7: error: the record has no \"user_id\"\n");
    nd_err(ps, "{\"user_id\":\"\"}", "snap.ndjson:7: error: user id \"\" is empty\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"as_of\":\"2025-02-30\"}",
           "snap.ndjson:7: error: user u1: \"as_of\" must be a date YYYY-MM-DD, got \"2025-02-30\"\n");
    nd_err(ps, "{\"user_id\":\"u1\",\"signals\":[]}",
           "snap.ndjson:7: error: user u1: \"signals\" must be an object, got []\n");
    /* unknown values are still validated, with a depth limit */
    char deep[300];
    strcpy(deep, "{\"user_id\":\"u1\",\"x\":");
    for (int i = 0; i < 70; i++) strcat(deep, "[");
    nd_err(ps, deep, "snap.ndjson:7:84: error: user u1: nesting too deep\n");
    mmr_snap_parser_free(ps);
}

static void test_ndjson_unknown(void)
{
    mmr_snap_parser *ps = mmr_snap_parser_new(binder, MMR_SNAP_NDJSON, "snap.ndjson");
    char *msg;
    int rc = nd(ps, "{\"user_id\":\"u1\",\"signals\":{\"dinning_txn_7d\":4,\"x\":{\"y\":[1,true,null]}},\"meta\":{}}", &msg);
    T_EQ_INT(rc, 1);
    T_EQ_STR(msg, "snap.ndjson:7: warning: signal \"dinning_txn_7d\" is not a signal or trait of the ruleset; ignored\n"
                  "snap.ndjson:7: warning: signal \"x\" is not a signal or trait of the ruleset; ignored\n");
    free(msg);
    rc = nd(ps, "{\"user_id\":\"u2\",\"signals\":{\"dinning_txn_7d\":4}}", &msg);
    T_EQ_INT(rc, 1);
    T_EQ_STR(msg, "");          /* warned once */
    free(msg);
    nd_err(ps, "{\"user_id\":\"u2\",\"signals\":{\"zz\":4,\"zz\":5}}",
           "snap.ndjson:7: warning: signal \"zz\" is not a signal or trait of the ruleset; ignored\n"
           "snap.ndjson:7:35: error: user u2: duplicate key \"zz\"\n");
    /* warnings are bounded: 32 names, then one note */
    int warnings = 0;
    for (int i = 0; i < 40; i++) {
        char line[100];
        snprintf(line, sizeof line, "{\"user_id\":\"u\",\"traits\":{\"k%d\":1}}", i);
        mmr_diags d;
        mmr_diags_init(&d);
        mmr_snap_parse(ps, line, strlen(line), 1, regs, &arena, &user, &d);
        warnings += (int)d.warnings;
        if (i == 28) T_EQ_STR(d.v[0].message, "trait \"k28\" is not a signal or trait of the ruleset; ignored");
        if (i == 29) T_EQ_STR(d.v[0].message, "more unknown keys; they are ignored without further warnings");
        mmr_diags_free(&d);
    }
    T_EQ_INT(warnings, 30);   /* dinning_txn_7d, x and zz were the first three */
    mmr_snap_parser_free(ps);
}

static int csv_row(mmr_snap_parser *ps, const char *row, char **msg)
{
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = mmr_snap_parse(ps, row, strlen(row), 3, regs, &arena, &user, &d);
    *msg = diag_text(&d);
    mmr_diags_free(&d);
    return rc;
}

static void csv_err(mmr_snap_parser *ps, const char *row, const char *want)
{
    char *msg;
    T_EQ_INT(csv_row(ps, row, &msg), -1);
    T_EQ_STR(msg, want);
    free(msg);
}

static mmr_snap_parser *csv_parser(const char *header, char **msg)
{
    mmr_snap_parser *ps = mmr_snap_parser_new(binder, MMR_SNAP_CSV, "snap.csv");
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = mmr_snap_parser_header(ps, header, strlen(header), 1, &d);
    *msg = diag_text(&d);
    mmr_diags_free(&d);
    if (rc < 0) { mmr_snap_parser_free(ps); return NULL; }
    return ps;
}

static void test_csv(void)
{
    char *msg;
    mmr_snap_parser *ps = csv_parser("user_id,as_of,dining_txn_7d,top_goal_name,category_spend_7d,lifestyle_tags,autopay_on,extra\r", &msg);
    T_CHECK(ps != NULL);
    T_EQ_STR(msg, "snap.csv:1: warning: column \"extra\" is not a signal or trait of the ruleset; ignored\n");
    free(msg);
    if (!ps) return;
    int rc = csv_row(ps, "u1,2025-10-26,4,\"Goa, \"\"the\"\" trip\",\"{\"\"travel\"\":10,\"\"dining\"\":260}\",\"[\"\"foodie\"\"]\",TRUE,zzz\r", &msg);
    T_EQ_INT(rc, 1);
    T_EQ_STR(msg, "");
    free(msg);
    T_EQ_STR(user.user_id, "u1");
    T_EQ_STR(user.as_of, "2025-10-26");
    T_EQ_NUM(regs[S_DINING].u.num, 4);
    T_CHECK(text_of(S_GOAL) && !strcmp(text_of(S_GOAL)->bytes, "Goa, \"the\" trip"));
    T_EQ_INT(regs[S_CATS].tag, MMR_V_MAP);
    if (regs[S_CATS].tag == MMR_V_MAP) T_EQ_STR(regs[S_CATS].u.map->keys[0]->bytes, "dining");
    T_EQ_INT(regs[S_TAGS].tag, MMR_V_LIST);
    T_EQ_INT(regs[S_FLAG].u.i, 1);
    /* empty = missing, "" = empty text, multi-line quoted cell */
    rc = csv_row(ps, "u2,,,\"\",,,,", &msg);
    T_EQ_INT(rc, 1);
    free(msg);
    T_EQ_INT(regs[S_DINING].tag, MMR_V_MISSING);
    T_CHECK(user.as_of == NULL);
    T_CHECK(text_of(S_GOAL) && text_of(S_GOAL)->len == 0);
    T_EQ_INT(regs[S_CATS].tag, MMR_V_MISSING);
    rc = csv_row(ps, "u3,,1,\"line one\nline two\",,,,", &msg);
    T_EQ_INT(rc, 1);
    free(msg);
    T_CHECK(text_of(S_GOAL) && !strcmp(text_of(S_GOAL)->bytes, "line one\nline two"));
    rc = csv_row(ps, "", &msg);
    T_EQ_INT(rc, 0);
    free(msg);

    csv_err(ps, "u123,,abc,,,,,", "snap.csv:3: error: user u123: signal \"dining_txn_7d\" (column 3) must be a number, got \"abc\"\n");
    csv_err(ps, "u1,,4,,,,yes,", "snap.csv:3: error: user u1: signal \"autopay_on\" (column 7) must be true or false, got \"yes\"\n");
    csv_err(ps, "u1,,4,,", "snap.csv:3: error: user u1: the row has 5 cells, the header has 8\n");
    csv_err(ps, "u1,2025-13-01,4,,,,,", "snap.csv:3: error: user u1: as_of (column 2) must be a date YYYY-MM-DD, got \"2025-13-01\"\n");
    csv_err(ps, "u1,,4,ab\"c,,,,", "snap.csv:3:9: error: a quote inside an unquoted cell (quote the whole cell)\n");
    csv_err(ps, "u1,,4,\"abc\"x,,,,", "snap.csv:3:12: error: expected ',' after a quoted cell\n");
    csv_err(ps, "u1,,4,\"abc,,,,", "snap.csv:3:7: error: unterminated quoted cell\n");
    csv_err(ps, "u1,,4,\xe2\x82,,,,", "snap.csv:3:7: error: invalid UTF-8\n");
    csv_err(ps, ",,4,,,,,", "snap.csv:3: error: the user_id cell is empty\n");
    csv_err(ps, "u1,,,,\"{\"\"a\"\":1,\"\"a\"\":2}\",,,",
            "snap.csv:3: error: user u1: signal \"category_spend_7d\" (column 5) has the key \"a\" twice\n");
    csv_err(ps, "u1,,,,\"{\"\"a\"\":1\",,,",
            "snap.csv:3: error: user u1: signal \"category_spend_7d\" (column 5) must be an object of numbers written as JSON, got \"{\\\"a\\\":1\" (expected ',' or '}' at character 7 of the cell)\n");
    csv_err(ps, "u1,,,,,\"[\"\"a\"\"] x\",,",
            "snap.csv:3: error: user u1: trait \"lifestyle_tags\" (column 6) must be a list of text written as JSON, got \"[\\\"a\\\"] x\" (unexpected text after the value at character 7 of the cell)\n");
    mmr_snap_parser_free(ps);

    T_CHECK(csv_parser("dining_txn_7d,as_of", &msg) == NULL);
    T_EQ_STR(msg, "snap.csv:1: error: the header has no user_id column\n");
    free(msg);
    T_CHECK(csv_parser("user_id,dining_txn_7d,dining_txn_7d", &msg) == NULL);
    T_EQ_STR(msg, "snap.csv:1: error: column \"dining_txn_7d\" appears twice (columns 2 and 3)\n");
    free(msg);
}

static char *write_tmp(const char *content, size_t len)
{
    static char path[64];
    strcpy(path, "/tmp/test_snapshot_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, content + off, len - off);
        if (n <= 0) break;
        off += (size_t)n;
    }
    close(fd);
    return path;
}

static void test_reader_and_iterator(void)
{
    /* many lines, small chunks: every record arrives once, with its line */
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "\xEF\xBB\xBF");
    for (int i = 1; i <= 3000; i++) {
        if (i % 100 == 0) mmr_buf_puts(&b, "\r\n");  /* a blank line */
        else mmr_buf_printf(&b, "{\"user_id\":\"u%d\",\"signals\":{\"dining_txn_7d\":%d}}%s", i, i, i % 2 ? "\r\n" : "\n");
    }
    mmr_buf_puts(&b, "{\"user_id\":\"last\"}");     /* no final newline */
    char *path = write_tmp(b.data, b.len);
    T_CHECK(path != NULL);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_snap_reader *r = mmr_snap_reader_open(path, MMR_SNAP_NDJSON, &d);
    T_CHECK(r != NULL);
    mmr_buf chunk;
    mmr_buf_init(&chunk);
    long first, nusers = 0, bad_lines = 0, chunks = 0;
    mmr_snap_parser *ps = mmr_snap_parser_new(binder, MMR_SNAP_NDJSON, path);
    while (r && mmr_snap_reader_next(r, &chunk, 4096, &first, &d) == 1) {
        chunks++;
        size_t pos = 0;
        const char *rec; size_t rl; long nl;
        long line = first;
        while (mmr_snap_next_record(MMR_SNAP_NDJSON, chunk.data, chunk.len, &pos, &rec, &rl, &nl)) {
            int rc = mmr_snap_parse(ps, rec, rl, line, regs, &arena, &user, &d);
            if (rc == 1) {
                nusers++;
                /* line i holds user i */
                if (strcmp(user.user_id, "last") && atol(user.user_id + 1) != line) bad_lines++;
                if (!strcmp(user.user_id, "last") && line != 3001) bad_lines++;
            }
            line += nl;
        }
    }
    T_CHECK(chunks > 10);
    T_EQ_INT(nusers, 2971);
    T_EQ_INT(bad_lines, 0);
    T_EQ_INT(d.n, 0);
    mmr_snap_reader_close(r);
    mmr_snap_parser_free(ps);

    /* the iterator over the same file */
    mmr_snapshot *s = mmr_snapshot_open(path, -1, &prog, &d);
    T_CHECK(s != NULL);
    long n = 0; double sum = 0;
    int rc;
    while (s && (rc = mmr_snapshot_next(s, regs, &arena, &user, &d)) == 1) {
        n++;
        if (regs[S_DINING].tag == MMR_V_NUM) sum += regs[S_DINING].u.num;
        mmr_arena_reset(&arena);
    }
    T_EQ_INT(n, 2971);
    T_EQ_NUM(sum, 3000.0 * 3001 / 2 - 100.0 * (30 * 31 / 2));
    mmr_snapshot_close(s);
    unlink(path);

    /* CSV through the iterator: header after a blank line, quoted newlines */
    const char *csv = "\nuser_id,top_goal_name,dining_txn_7d\r\nu1,\"two\r\nlines\",3\r\nu2,x,\r\n\r\nu3,\"a,b\",abc\r\n";
    path = write_tmp(csv, strlen(csv));
    char csvpath[80];
    snprintf(csvpath, sizeof csvpath, "%s.csv", path);
    rename(path, csvpath);
    s = mmr_snapshot_open(csvpath, -1, &prog, &d);
    T_CHECK(s != NULL);
    T_EQ_INT(mmr_snapshot_next(s, regs, &arena, &user, &d), 1);
    T_EQ_INT(user.line, 3);
    T_CHECK(text_of(S_GOAL) && !strcmp(text_of(S_GOAL)->bytes, "two\r\nlines"));
    T_EQ_INT(mmr_snapshot_next(s, regs, &arena, &user, &d), 1);
    T_EQ_INT(user.line, 5);
    T_EQ_INT(mmr_snapshot_next(s, regs, &arena, &user, &d), -1);
    char *msg = diag_text(&d);
    char want[200];
    snprintf(want, sizeof want, "%s:7: error: user u3: signal \"dining_txn_7d\" (column 3) must be a number, got \"abc\"\n", csvpath);
    T_EQ_STR(msg, want);
    free(msg);
    T_EQ_INT(mmr_snapshot_next(s, regs, &arena, &user, &d), 0);
    mmr_snapshot_close(s);
    unlink(csvpath);
    mmr_diags_free(&d);

    /* a line over the limit is an error, not a crash or a hang */
    size_t big = MMR_SNAP_MAX_RECORD + 100;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    path = write_tmp(huge, big);
    free(huge);
    mmr_diags_init(&d);
    r = mmr_snap_reader_open(path, MMR_SNAP_NDJSON, &d);
    rc = mmr_snap_reader_next(r, &chunk, 1 << 20, &first, &d);
    T_EQ_INT(rc, 1);
    ps = mmr_snap_parser_new(binder, MMR_SNAP_NDJSON, path);
    rc = mmr_snap_parse(ps, chunk.data, chunk.len, first, regs, &arena, &user, &d);
    T_EQ_INT(rc, -1);
    mmr_snap_parser_free(ps);
    msg = diag_text(&d);
    snprintf(want, sizeof want, "%s:1: error: the record is longer than 16 MiB\n", path);
    T_EQ_STR(msg, want);
    free(msg);
    mmr_snap_reader_close(r);
    unlink(path);
    mmr_diags_free(&d);

    mmr_diags_init(&d);
    T_CHECK(mmr_snap_reader_open("/nonexistent/x.ndjson", MMR_SNAP_NDJSON, &d) == NULL);
    msg = diag_text(&d);
    T_EQ_STR(msg, "/nonexistent/x.ndjson: error: cannot open: No such file or directory\n");
    free(msg);
    mmr_diags_free(&d);
    mmr_buf_free(&chunk);
    mmr_buf_free(&b);
}

static void test_helpers(void)
{
    T_EQ_INT(mmr_snap_format_from_path("a/b.csv"), MMR_SNAP_CSV);
    T_EQ_INT(mmr_snap_format_from_path("b.ndjson"), MMR_SNAP_NDJSON);
    T_EQ_INT(mmr_snap_format_from_path("b.jsonl"), MMR_SNAP_NDJSON);
    T_EQ_INT(mmr_snap_format_from_path("a.d/b"), -1);
    T_CHECK(mmr_snap_date_ok("2024-02-29", 10));
    T_CHECK(!mmr_snap_date_ok("2025-02-29", 10));
    T_CHECK(!mmr_snap_date_ok("2025-1-01", 9));
    T_EQ_INT(mmr_utf8_check("a\xc3\xa9", 3), 3);
    T_EQ_INT(mmr_utf8_check("a\xed\xa0\x80", 4), 1);     /* surrogate */
    T_EQ_INT(mmr_utf8_check("\xf4\x90\x80\x80", 4), 0);  /* > U+10FFFF */
    T_EQ_INT(mmr_snap_binder_find(binder, "age_band", 8), S_AGE);
    T_EQ_INT(mmr_snap_binder_find(binder, "age", 3), -1);
}

/* LF, CRLF and a CR alone each end a line, in NDJSON and CSV, whatever
 * the chunk boundaries: every record arrives once, on its own line. */
static void test_cr_line_ends(void)
{
    static const char *const ends[3] = { "\r", "\r\n", "\n" };
    for (int csv = 0; csv < 2; csv++) {
        mmr_buf b;
        mmr_buf_init(&b);
        long line = 1;
        if (csv) { mmr_buf_puts(&b, "user_id,dining_txn_7d\r"); line++; }
        for (int i = 1; i <= 3000; i++, line++) {
            const char *e = ends[(i * 7) % 3];
            if (i % 50 == 0) { mmr_buf_puts(&b, e); continue; }     /* a blank line */
            if (csv) mmr_buf_printf(&b, "u%ld,%d%s", line, i, e);
            else mmr_buf_printf(&b, "{\"user_id\":\"u%ld\"}%s", line, e);
        }
        char *path = write_tmp(b.data, b.len);
        T_CHECK(path != NULL);
        mmr_diags d;
        mmr_diags_init(&d);
        mmr_snap_format fmt = csv ? MMR_SNAP_CSV : MMR_SNAP_NDJSON;
        mmr_snap_reader *r = mmr_snap_reader_open(path, fmt, &d);
        T_CHECK(r != NULL);
        mmr_snap_parser *ps = mmr_snap_parser_new(binder, fmt, path);
        if (csv && r) {
            const char *h; size_t hl; long hline;
            T_EQ_INT(mmr_snap_reader_header(r, &h, &hl, &hline), 0);
            T_EQ_INT(hline, 1);
            T_EQ_INT(mmr_snap_parser_header(ps, h, hl, hline, &d), 0);
        }
        mmr_buf chunk;
        mmr_buf_init(&chunk);
        long first, nusers = 0, bad_lines = 0;
        while (r && mmr_snap_reader_next(r, &chunk, 4096, &first, &d) == 1) {
            size_t pos = 0;
            const char *rec; size_t rl; long nl;
            long at = first;
            while (mmr_snap_next_record(fmt, chunk.data, chunk.len, &pos, &rec, &rl, &nl)) {
                if (memchr(rec, '\r', rl)) bad_lines++;        /* no line end inside */
                if (mmr_snap_parse(ps, rec, rl, at, regs, &arena, &user, &d) == 1) {
                    nusers++;
                    if (atol(user.user_id + 1) != at) bad_lines++;
                }
                at += nl;
            }
        }
        T_EQ_INT(nusers, 2940);
        T_EQ_INT(bad_lines, 0);
        T_EQ_INT(d.n, 0);
        mmr_buf_free(&chunk);
        mmr_snap_reader_close(r);
        mmr_snap_parser_free(ps);
        mmr_diags_free(&d);
        if (path) unlink(path);
        mmr_buf_free(&b);
    }
}

int main(void)
{
    prog.slots = slots;
    prog.nslots = NSLOTS;
    binder = mmr_snap_binder_new(&prog);
    mmr_arena_init(&arena, 0);
    test_helpers();
    test_ndjson_values();
    test_ndjson_errors();
    test_ndjson_unknown();
    test_csv();
    test_reader_and_iterator();
    test_cr_line_ends();
    mmr_snap_binder_free(binder);
    mmr_arena_free(&arena);
    return T_DONE("snapshot");
}
