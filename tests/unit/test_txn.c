/* Transactions (signals/txn.h): NDJSON and CSV records, every message,
 * escapes, numbers, the file reader. */
#include "tests/unit/t.h"
#include "signals/txn.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/userid.h"
#include <stdlib.h>
#include <unistd.h>

/* The one diagnostic of d as "FILE:LINE[:COL]: message" (or "" / "many"). */
static char *diag_text(const mmr_diags *d)
{
    static char buf[1024];
    if (d->n == 0) return "";
    if (d->n > 1) return "many";
    const mmr_diag *g = &d->v[0];
    if (g->col) snprintf(buf, sizeof buf, "%s:%d:%d: %s", g->file, g->line, g->col, g->message);
    else if (g->line) snprintf(buf, sizeof buf, "%s:%d: %s", g->file, g->line, g->message);
    else snprintf(buf, sizeof buf, "%s: %s", g->file, g->message);
    return buf;
}

/* Parse one NDJSON line (line 3 of tx.ndjson); returns rc, *msg the diagnostic. */
static int one(const char *line, size_t len, mmr_txn *t, mmr_arena *a, const char **msg)
{
    mmr_txn_parser *p = mmr_txn_parser_new(MMR_TXN_NDJSON, "tx.ndjson");
    mmr_diags d;
    mmr_diags_init(&d);
    int rc = mmr_txn_parse(p, line, len, 3, t, a, &d);
    *msg = diag_text(&d);
    mmr_diags_free(&d);
    mmr_txn_parser_free(p);
    return rc;
}

/* The error message of a line (rc must be -1). */
static void err_is(const char *line, size_t n, const char *want, int at)
{
    mmr_txn t;
    const char *m;
    mmr_arena ar;
    mmr_arena_init(&ar, 0);
    int rc = one(line, n, &t, &ar, &m);
    if (rc != -1 || strcmp(m, want)) fprintf(stderr, "test_txn.c:%d: the line's error\n", at);
    T_EQ_INT(rc, -1);
    T_EQ_STR(m, want);
    mmr_arena_free(&ar);
}
#define T_ERR(line, want) err_is(line, strlen(line), want, __LINE__)
#define T_ERRN(line, n, want) err_is(line, n, want, __LINE__)

#define GOOD_TAIL "\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00+05:30\",\"amount\":260,\"type\":\"expense\",\"category\":\"Food\""

static void test_ndjson_good(void)
{
    mmr_arena a;
    mmr_arena_init(&a, 0);
    mmr_txn t;
    const char *m;
    const char *l1 = "{\"txn_id\":\"t1\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00+05:30\","
                     "\"amount\":260.0,\"type\":\"expense\",\"category\":\"Food & Dining\","
                     "\"merchant\":\"Swiggy\",\"recurring\":false}";
    T_EQ_INT(one(l1, strlen(l1), &t, &a, &m), 1);
    T_EQ_STR(m, "");
    T_EQ_STR(t.txn_id, "t1");
    T_EQ_INT(t.txn_id_len, 2);
    T_EQ_STR(t.user_id, "u1");
    int64_t want;
    mmr_time_parse("2025-10-20T08:33:00Z", 20, &want, NULL);
    T_EQ_INT(t.ts, want);
    T_EQ_NUM(t.amount, 260.0);
    T_EQ_INT(t.type, MMR_TXN_EXPENSE);
    T_EQ_STR(t.category, "Food & Dining");
    T_EQ_INT(t.category_len, 13);
    T_EQ_STR(t.merchant, "Swiggy");
    T_EQ_INT(t.recurring, 0);
    T_EQ_INT(t.line, 3);

    /* any key order, blanks, income, recurring true, merchant null, CR end */
    const char *l2 = " { \"recurring\" : true , \"type\":\"income\", \"category\":\"Salary\",\"merchant\":null,"
                     "\"amount\":1e5,\"ts\":\"2025-10-01T00:00:00Z\",\"user_id\":\"u2\",\"txn_id\":\"t2\" } \r";
    T_EQ_INT(one(l2, strlen(l2), &t, &a, &m), 1);
    T_EQ_STR(m, "");
    T_EQ_INT(t.type, MMR_TXN_INCOME);
    T_EQ_INT(t.recurring, 1);
    T_CHECK(t.merchant == NULL);
    T_EQ_NUM(t.amount, 100000.0);
    T_EQ_STR(t.txn_id, "t2");

    /* optional fields absent, recurring null, merchant "" is absent */
    const char *l3 = "{\"txn_id\":\"t3\"," GOOD_TAIL ",\"recurring\":null,\"merchant\":\"\"}";
    T_EQ_INT(one(l3, strlen(l3), &t, &a, &m), 1);
    T_CHECK(t.merchant == NULL);
    T_EQ_INT(t.recurring, 0);

    /* unknown fields, nested arbitrarily, are skipped */
    const char *l4 = "{\"meta\":{\"a\":[1,2,{\"b\":null,\"c\":[true,false,\"x\\\"}]\"]}],\"d\":-1.5e-3},"
                     "\"txn_id\":\"t4\",\"tags\":[],\"e\":{}," GOOD_TAIL ",\"note\":\"\\u00e9\\ud83d\\ude00\"}";
    T_EQ_INT(one(l4, strlen(l4), &t, &a, &m), 1);
    T_EQ_STR(m, "");
    T_EQ_STR(t.txn_id, "t4");

    /* escapes are decoded: \", \\, \/, \n, \u00e9, a surrogate pair; keys too */
    const char *l5 = "{\"txn\\u005fid\":\"a\\\"b\\\\c\\/d\\ne\\u00e9\\ud83d\\ude00\"," GOOD_TAIL "}";
    T_EQ_INT(one(l5, strlen(l5), &t, &a, &m), 1);
    T_EQ_STR(m, "");
    T_EQ_STR(t.txn_id, "a\"b\\c/d\ne\xc3\xa9\xf0\x9f\x98\x80");
    T_EQ_INT(t.txn_id_len, 15);

    /* raw UTF-8 passes through */
    const char *l6 = "{\"txn_id\":\"t6\"," GOOD_TAIL ",\"merchant\":\"Café ₹ 😀\"}";
    T_EQ_INT(one(l6, strlen(l6), &t, &a, &m), 1);
    T_EQ_STR(t.merchant, "Café ₹ 😀");

    /* numbers: exact decimals, exponents, long mantissas */
    struct { const char *text; double want; } nums[] = {
        { "0.1", 0.1 }, { "260.75", 260.75 }, { "1e-3", 1e-3 }, { "5E+2", 500 },
        { "123456789012345678901234567890", 123456789012345678901234567890.0 },
        { "0.000000000000000000000000000001", 1e-30 }, { "1.7976931348623157e308", 1.7976931348623157e308 },
        { "4.9e-324", 4.9e-324 }, { "99999999999999999999.5", 99999999999999999999.5 },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, "{\"txn_id\":\"n\",\"user_id\":\"u\",\"ts\":\"2025-10-20T00:00Z\","
                 "\"amount\":%s,\"type\":\"expense\",\"category\":\"c\"}", nums[i].text);
        T_EQ_INT(one(line, strlen(line), &t, &a, &m), 1);
        T_EQ_NUM(t.amount, nums[i].want);
    }
    /* the ts as written is kept */
    mmr_txn_parser *p = mmr_txn_parser_new(MMR_TXN_NDJSON, "x");
    mmr_diags d;
    mmr_diags_init(&d);
    T_EQ_INT(mmr_txn_parse(p, l1, strlen(l1), 1, &t, &a, &d), 1);
    size_t tl;
    T_EQ_STR(mmr_txn_parser_ts_text(p, &tl), "2025-10-20T14:03:00+05:30");
    T_EQ_INT(tl, 25);
    /* blank lines */
    T_EQ_INT(mmr_txn_parse(p, "", 0, 1, &t, &a, &d), 0);
    T_EQ_INT(mmr_txn_parse(p, "  \t\r", 4, 1, &t, &a, &d), 0);
    T_EQ_INT((int)d.n, 0);
    mmr_diags_free(&d);
    mmr_txn_parser_free(p);
    /* an id of exactly MMR_TXN_MAX_ID bytes is fine */
    char idl[600];
    char id[MMR_TXN_MAX_ID + 1];
    memset(id, 'x', MMR_TXN_MAX_ID);
    id[MMR_TXN_MAX_ID] = 0;
    snprintf(idl, sizeof idl, "{\"txn_id\":\"%s\"," GOOD_TAIL "}", id);
    T_EQ_INT(one(idl, strlen(idl), &t, &a, &m), 1);
    T_EQ_INT(t.txn_id_len, MMR_TXN_MAX_ID);
    mmr_arena_free(&a);
}

static void test_ndjson_errors(void)
{
    /* fields */
    T_ERR("{\"txn_id\":\"t\"," GOOD_TAIL ",\"amount\":1}", "tx.ndjson:3: \"amount\" appears twice");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":\"abc\",\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got \"abc\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":\"260\",\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got \"260\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":0,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got 0");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":-0,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got -0");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":-12.5,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got -12.5");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":1e400,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got 1e400");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":1e-400,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got 1e-400");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":\"NaN\",\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got \"NaN\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":null,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got null");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03:00Z\",\"amount\":[1],\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"amount\" must be a positive number, got [1]");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20 14:03\",\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"ts\": expected an ISO 8601 instant with Z or an offset, got \"2025-10-20 14:03\" "
          "(missing time zone: add Z or an offset like +05:30)");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20\",\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"ts\": expected an ISO 8601 instant with Z or an offset, got \"2025-10-20\" "
          "(a date without a time of day)");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-02-30T10:00Z\",\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"ts\": expected an ISO 8601 instant with Z or an offset, got \"2025-02-30T10:00Z\" "
          "(day out of range)");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":1729400000,\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"ts\": expected an ISO 8601 instant with Z or an offset, got 1729400000");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03Z\",\"amount\":1,\"type\":\"Expense\",\"category\":\"c\"}",
          "tx.ndjson:3: \"type\" must be \"expense\" or \"income\", got \"Expense\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03Z\",\"amount\":1,\"type\":\"expense\",\"category\":\"\"}",
          "tx.ndjson:3: \"category\" must be non-empty text, got \"\"");
    T_ERR("{\"txn_id\":42," GOOD_TAIL "}", "tx.ndjson:3: \"txn_id\" must be non-empty text, got 42");
    T_ERR("{\"txn_id\":null," GOOD_TAIL "}", "tx.ndjson:3: \"txn_id\" must be non-empty text, got null");
    T_ERR("{\"txn_id\":\"t\"," GOOD_TAIL ",\"merchant\":5}", "tx.ndjson:3: \"merchant\" must be text or null, got 5");
    T_ERR("{\"txn_id\":\"t\"," GOOD_TAIL ",\"recurring\":\"yes\"}", "tx.ndjson:3: \"recurring\" must be true or false, got \"yes\"");
    T_ERR("{\"txn_id\":\"t\"," GOOD_TAIL ",\"recurring\":1}", "tx.ndjson:3: \"recurring\" must be true or false, got 1");
    /* a NUL in any text is refused, escaped or not */
    T_ERR("{\"txn_id\":\"a\\u0000b\"," GOOD_TAIL "}",
          "tx.ndjson:3: \"txn_id\" must not contain a NUL character (\\u0000), got \"a\\u0000b\"");
    T_ERR("{\"txn_id\":\"t\"," GOOD_TAIL ",\"merchant\":\"\\u0000\"}",
          "tx.ndjson:3: \"merchant\" must not contain a NUL character (\\u0000), got \"\\u0000\"");
    /* long ids; a long value is cut in the message */
    {
        char line[1200], id[MMR_TXN_MAX_ID + 2];
        memset(id, 'x', MMR_TXN_MAX_ID + 1);
        id[MMR_TXN_MAX_ID + 1] = 0;
        snprintf(line, sizeof line, "{\"txn_id\":\"t\",\"user_id\":\"%s\",\"ts\":\"2025-10-20T14:03Z\","
                 "\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}", id);
        /* a user id follows util/userid.h: at most 255 bytes, its own words */
        T_ERR(line, "tx.ndjson:3: user id \"xxxxxxxxxxxxxxxx\xE2\x80\xA6\" is 257 bytes long; the limit is 255");
        id[MMR_USER_ID_MAX + 1] = 0;
        snprintf(line, sizeof line, "{\"txn_id\":\"t\",\"user_id\":\"%s\",\"ts\":\"2025-10-20T14:03Z\","
                 "\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}", id);
        T_ERR(line, "tx.ndjson:3: user id \"xxxxxxxxxxxxxxxx\xE2\x80\xA6\" is 256 bytes long; the limit is 255");
    }
    /* control characters and NUL in a user id, escaped in the message */
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"a\\tb\",\"ts\":\"2025-10-20T14:03Z\",\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: user id \"a\\tb\" holds a control character");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"a\\u0000b\",\"ts\":\"2025-10-20T14:03Z\",\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: user id \"a\\u0000b\" holds a NUL byte");
    /* missing fields, in the order of the interface */
    T_ERR("{}", "tx.ndjson:3: missing \"txn_id\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"amount\":1,\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: missing \"ts\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03Z\",\"type\":\"expense\",\"category\":\"c\"}",
          "tx.ndjson:3: missing \"amount\"");
    T_ERR("{\"txn_id\":\"t\",\"user_id\":\"u1\",\"ts\":\"2025-10-20T14:03Z\",\"amount\":1,\"type\":\"expense\"}",
          "tx.ndjson:3: missing \"category\"");
    /* the first field error is reported, a syntax error wins over it */
    T_ERR("{\"txn_id\":\"\",\"user_id\":\"\"}", "tx.ndjson:3: \"txn_id\" must be non-empty text, got \"\"");
    T_ERR("{\"txn_id\":\"\",\"user_id\":x}", "tx.ndjson:3:24: invalid JSON: expected a value");

    /* syntax, with the column (in characters) */
    T_ERR("[1]", "tx.ndjson:3:1: invalid JSON: a line must be one JSON object");
    T_ERR("{\"txn_id\":\"t1\",\"amount\":}", "tx.ndjson:3:25: invalid JSON: expected a value");
    T_ERR("{\"txn_id\":\"t1\" \"amount\":1}", "tx.ndjson:3:16: invalid JSON: expected ',' or '}'");
    T_ERR("{\"txn_id\" 1}", "tx.ndjson:3:11: invalid JSON: expected ':' after the key");
    T_ERR("{txn_id:1}", "tx.ndjson:3:2: invalid JSON: expected a key (a string)");
    T_ERR("{\"txn_id\":\"t1", "tx.ndjson:3:11: invalid JSON: unterminated string");
    T_ERR("{\"txn_id\":\"t\\x\"}", "tx.ndjson:3:13: invalid JSON: invalid escape in a string");
    T_ERR("{\"txn_id\":\"t\\u12g4\"}", "tx.ndjson:3:13: invalid JSON: invalid \\u escape (four hex digits expected)");
    T_ERR("{\"txn_id\":\"\\ud83d\"}", "tx.ndjson:3:12: invalid JSON: unpaired surrogate in a \\u escape");
    T_ERR("{\"txn_id\":\"\\ude00\\ud83d\"}", "tx.ndjson:3:12: invalid JSON: unpaired surrogate in a \\u escape");
    T_ERR("{\"txn_id\":\"\\ud83d\\u0041\"}", "tx.ndjson:3:12: invalid JSON: unpaired surrogate in a \\u escape");
    T_ERR("{\"txn_id\":\"a\tb\"}", "tx.ndjson:3:13: invalid JSON: control character in a string (escape it)");
    T_ERR("{\"amount\":01}", "tx.ndjson:3:12: invalid JSON: expected ',' or '}'");
    T_ERR("{\"amount\":1.}", "tx.ndjson:3:11: invalid JSON: invalid number");
    T_ERR("{\"amount\":NaN}", "tx.ndjson:3:11: invalid JSON: expected a value");
    T_ERR("{\"amount\":Infinity}", "tx.ndjson:3:11: invalid JSON: expected a value");
    T_ERR("{\"x\":[1,2}", "tx.ndjson:3:10: invalid JSON: expected ',' or ']'");
    T_ERR("{\"x\":{\"a\" 1}}", "tx.ndjson:3:11: invalid JSON: expected ':' after the key");
    T_ERR("{\"x\":tru}", "tx.ndjson:3:6: invalid JSON: expected a value");
    T_ERR("{\"txn_id\":\"t\"} x", "tx.ndjson:3:16: invalid JSON: unexpected text after the object");
    T_ERR("{\"txn_id\":\"t\",}", "tx.ndjson:3:15: invalid JSON: expected a key (a string)");
    T_ERR("{\"txn_id\":\"t\"", "tx.ndjson:3:14: invalid JSON: expected ',' or '}'");
    T_ERR("{", "tx.ndjson:3:2: invalid JSON: expected a key (a string)");
    {
        char deep[300];
        size_t n = 0;
        n += (size_t)snprintf(deep, sizeof deep, "{\"x\":");
        for (int i = 0; i < 70; i++) deep[n++] = '[';
        deep[n] = 0;
        T_ERR(deep, "tx.ndjson:3:69: invalid JSON: nesting too deep");
    }
    /* invalid UTF-8: a stray byte, an overlong form, an encoded surrogate; column counts characters */
    T_ERR("{\"category\":\"é\xff\"}", "tx.ndjson:3:15: invalid UTF-8");
    T_ERR("{\"category\":\"\xc0\xaf\"}", "tx.ndjson:3:14: invalid UTF-8");
    T_ERR("{\"category\":\"\xed\xa0\x80\"}", "tx.ndjson:3:14: invalid UTF-8");
    T_ERR("{\"x\":\"ok\",\"\xfe\":1}", "tx.ndjson:3:12: invalid UTF-8");
    /* a NUL byte in the line (not escaped) is a control character */
    T_ERRN("{\"txn_id\":\"a\0b\"}", 16, "tx.ndjson:3:13: invalid JSON: control character in a string (escape it)");
    T_ERRN("{\"txn_id\":\"t\"}\0", 15, "tx.ndjson:3:15: invalid JSON: unexpected text after the object");
}

/* CSV through the parser: header, then rows. */
static void test_csv(void)
{
    mmr_arena a;
    mmr_arena_init(&a, 0);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_txn t;
    mmr_txn_parser *p = mmr_txn_parser_new(MMR_TXN_CSV, "tx.csv");
    /* a row before a header */
    T_EQ_INT(mmr_txn_parse(p, "a,b", 3, 1, &t, &a, &d), -1);
    T_EQ_STR(diag_text(&d), "tx.csv:1: no valid CSV header");
    mmr_diags_free(&d);
    const char *h = "note,amount,type,ts,user_id,txn_id,category,merchant,recurring,\r";
    T_EQ_INT(mmr_txn_parser_header(p, h, strlen(h), 1, &d), 0);
    T_EQ_INT((int)d.n, 0);
    const char *r1 = "\"a, \"\"quoted\"\" note\",260.5,expense,2025-10-20T14:03:00+05:30,u1,t1,\"Food & Dining\",Swiggy,TRUE,";
    T_EQ_INT(mmr_txn_parse(p, r1, strlen(r1), 2, &t, &a, &d), 1);
    T_EQ_STR(diag_text(&d), "");
    T_EQ_STR(t.txn_id, "t1");
    T_EQ_STR(t.user_id, "u1");
    T_EQ_NUM(t.amount, 260.5);
    T_EQ_STR(t.category, "Food & Dining");
    T_EQ_STR(t.merchant, "Swiggy");
    T_EQ_INT(t.recurring, 1);
    T_EQ_INT(t.line, 2);
    T_EQ_STR(mmr_txn_parser_ts_text(p, NULL), "2025-10-20T14:03:00+05:30");
    /* empty unquoted cells are absent; quoted cells may hold commas and quotes */
    const char *r2 = ",1,income,2025-10-20T00:00Z,u1,\"t,\"\"2\"\"\",Salary,,,\r";
    T_EQ_INT(mmr_txn_parse(p, r2, strlen(r2), 3, &t, &a, &d), 1);
    T_EQ_STR(t.txn_id, "t,\"2\"");
    T_CHECK(t.merchant == NULL);
    T_EQ_INT(t.recurring, 0);
    T_EQ_INT(t.type, MMR_TXN_INCOME);
    T_EQ_INT(mmr_txn_parse(p, "", 0, 4, &t, &a, &d), 0);
    T_EQ_INT(mmr_txn_parse(p, "\r", 1, 4, &t, &a, &d), 0);
    T_EQ_INT((int)d.n, 0);
    struct { const char *row; const char *want; } bad[] = {
        { ",abc,expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"amount\" must be a positive number, got \"abc\"" },
        { ",-5,expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"amount\" must be a positive number, got \"-5\"" },
        { ",1e400,expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"amount\" must be a positive number, got \"1e400\"" },
        { ", 5,expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"amount\" must be a positive number, got \" 5\"" },
        { ",NaN,expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"amount\" must be a positive number, got \"NaN\"" },
        { ",,expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: missing \"amount\"" },
        { ",\"\",expense,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"amount\" must be a positive number, got \"\"" },
        { ",5,spend,2025-10-20T00:00Z,u1,t1,c,,,", "tx.csv:7: \"type\" must be \"expense\" or \"income\", got \"spend\"" },
        { ",5,expense,2025-10-20 14:03,u1,t1,c,,,",
          "tx.csv:7: \"ts\": expected an ISO 8601 instant with Z or an offset, got \"2025-10-20 14:03\" "
          "(missing time zone: add Z or an offset like +05:30)" },
        { ",5,expense,2025-10-20T00:00Z,u1,\"\",c,,,", "tx.csv:7: \"txn_id\" must be non-empty text, got \"\"" },
        { ",5,expense,2025-10-20T00:00Z,u1,t1,c,,yes,", "tx.csv:7: \"recurring\" must be true or false, got \"yes\"" },
        { ",5,expense,2025-10-20T00:00Z,u1,t1,c,,", "tx.csv:7: the row has 9 cells, the header has 10" },
        { ",5,expense,2025-10-20T00:00Z,u1,t1,c,,,,", "tx.csv:7: the row has 11 cells, the header has 10" },
        { ",5,expense,2025-10-20T00:00Z,u1,\"t1,c,,,", "tx.csv:7:33: unterminated quoted cell" },
        { ",5,expense,2025-10-20T00:00Z,u1,\"t1\"x,c,,,", "tx.csv:7:37: expected ',' after a quoted cell" },
        { ",5,expense,2025-10-20T00:00Z,u1,t\"1,c,,,", "tx.csv:7:34: a quote inside an unquoted cell (quote the whole cell)" },
        { "é,5,expense,2025-10-20T00:00Z,u1,t\xff,c,,,", "tx.csv:7:35: invalid UTF-8" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mmr_diags_free(&d);
        T_EQ_INT(mmr_txn_parse(p, bad[i].row, strlen(bad[i].row), 7, &t, &a, &d), -1);
        T_EQ_STR(diag_text(&d), bad[i].want);
    }
    mmr_diags_free(&d);
    /* headers */
    struct { const char *h; const char *want; } badh[] = {
        { "txn_id,user_id,ts,amount,type", "tx.csv:1: the header has no \"category\" column" },
        { "txn_id,user_id,ts,amount,type,category,amount", "tx.csv:1: column \"amount\" appears twice (columns 4 and 7)" },
        { "txn_id,\"user_id,ts", "tx.csv:1:8: unterminated quoted cell" },
        { "txn_id,user_id\xff", "tx.csv:1:15: invalid UTF-8" },
    };
    for (size_t i = 0; i < sizeof badh / sizeof badh[0]; i++) {
        mmr_diags_free(&d);
        T_EQ_INT(mmr_txn_parser_header(p, badh[i].h, strlen(badh[i].h), 1, &d), -1);
        T_EQ_STR(diag_text(&d), badh[i].want);
    }
    /* a failed header leaves no binding */
    mmr_diags_free(&d);
    T_EQ_INT(mmr_txn_parse(p, r1, strlen(r1), 2, &t, &a, &d), -1);
    T_EQ_STR(diag_text(&d), "tx.csv:2: no valid CSV header");
    mmr_diags_free(&d);
    mmr_txn_parser_free(p);
    mmr_arena_free(&a);
    T_EQ_INT(mmr_txn_format_from_path("a/b.csv"), MMR_TXN_CSV);
    T_EQ_INT(mmr_txn_format_from_path("a/b.CSV"), MMR_TXN_CSV);
    T_EQ_INT(mmr_txn_format_from_path("a.csv/b"), MMR_TXN_NDJSON);
    T_EQ_INT(mmr_txn_format_from_path("b.ndjson"), MMR_TXN_NDJSON);
    T_EQ_INT(mmr_txn_format_from_path("-"), MMR_TXN_NDJSON);
}

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) { T_CHECK(0); return; }
    fwrite(text, 1, n, f);
    fclose(f);
}

/* The reader: records in order with their lines, errors that go on,
 * CR line ends, a BOM, long records across chunks. */
static void test_reader(void)
{
    char dir[] = "/tmp/mmr-test-txn-XXXXXX";
    if (!mkdtemp(dir)) { T_CHECK(0); return; }
    char path[256], cpath[256];
    snprintf(path, sizeof path, "%s/tx.ndjson", dir);
    snprintf(cpath, sizeof cpath, "%s/tx.csv", dir);
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_puts(&b, "\xEF\xBB\xBF{\"txn_id\":\"t1\"," GOOD_TAIL "}\r\n\r\n");
    mmr_buf_puts(&b, "{\"txn_id\":\"t2\",\"amount\":\"x\"}\n");
    /* a record longer than the reader's chunk */
    mmr_buf_puts(&b, "{\"pad\":\"");
    for (int i = 0; i < (5 << 20); i++) mmr_buf_putc(&b, 'p');
    mmr_buf_puts(&b, "\",\"txn_id\":\"t3\"," GOOD_TAIL "}\n");
    mmr_buf_puts(&b, "{\"txn_id\":\"t4\"," GOOD_TAIL "}");   /* no final line break */
    write_file(path, b.data, b.len);
    mmr_buf_free(&b);
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_txn_reader *r = mmr_txn_reader_open(path, &d);
    T_CHECK(r != NULL);
    if (r) {
        mmr_txn t;
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 1);
        T_EQ_STR(t.txn_id, "t1");
        T_EQ_INT(t.line, 1);
        size_t tl;
        T_EQ_STR(mmr_txn_reader_ts_text(r, &tl), "2025-10-20T14:03:00+05:30");
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), -1);
        T_CHECK(d.n == 1 && d.v[0].line == 3 && strstr(d.v[0].message, "\"amount\" must be") != NULL);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 1);
        T_EQ_STR(t.txn_id, "t3");
        T_EQ_INT(t.line, 4);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 1);
        T_EQ_STR(t.txn_id, "t4");
        T_EQ_INT(t.line, 5);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 0);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 0);
        T_CHECK(strstr(mmr_txn_reader_path(r), "tx.ndjson") != NULL);
        mmr_txn_reader_close(r);
    }
    mmr_diags_free(&d);
    /* CSV: a header after blank lines, a quoted line break, CRLF */
    const char *csv = "\r\ntxn_id,user_id,ts,amount,type,category,merchant\r\n"
                      "t1,u1,2025-10-20T14:03:00Z,10,expense,Food,\"Two\r\nlines\"\r\n"
                      "t2,u1,2025-10-20T14:03:00Z,abc,expense,Food,\r\n"
                      "t3,u2,2025-10-21T00:00:00+05:30,20,income,Salary,\r\n";
    write_file(cpath, csv, strlen(csv));
    r = mmr_txn_reader_open(cpath, &d);
    T_CHECK(r != NULL);
    if (r) {
        mmr_txn t;
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 1);
        T_EQ_STR(t.merchant, "Two\r\nlines");
        T_EQ_INT(t.line, 3);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), -1);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 1);
        T_EQ_STR(t.txn_id, "t3");
        T_EQ_INT(t.line, 6);
        T_EQ_INT(mmr_txn_reader_next(r, &t, &d), 0);
        mmr_txn_reader_close(r);
    }
    T_CHECK(d.n == 1 && d.v[0].line == 5 && strstr(d.v[0].message, "\"amount\" must be a positive number, got \"abc\"") != NULL);
    mmr_diags_free(&d);
    /* a CSV file without the columns, with no header at all; a missing file; a directory */
    write_file(cpath, "a,b\n1,2\n", 8);
    T_CHECK(mmr_txn_reader_open(cpath, &d) == NULL);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "the header has no \"txn_id\" column") != NULL);
    mmr_diags_free(&d);
    write_file(cpath, "\n\n", 2);
    T_CHECK(mmr_txn_reader_open(cpath, &d) == NULL);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "no header row") != NULL);
    mmr_diags_free(&d);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.ndjson", dir);
    T_CHECK(mmr_txn_reader_open(missing, &d) == NULL);
    T_CHECK(d.n == 1 && strstr(d.v[0].message, "cannot open") != NULL);
    mmr_diags_free(&d);
    T_CHECK(mmr_txn_reader_open(dir, &d) == NULL);
    T_CHECK(d.n == 1);
    mmr_diags_free(&d);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    T_EQ_INT(system(cmd), 0);
}

int main(void)
{
    test_ndjson_good();
    test_ndjson_errors();
    test_csv();
    test_reader();
    return T_DONE("txn");
}
