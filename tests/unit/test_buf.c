/* util/buf: number and JSON string rendering. */
#include <stdlib.h>
#include <stdio.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tests/unit/t.h"
#include "util/buf.h"

static char *num(double v)
{
    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_number(&b, v);
    return mmr_buf_take(&b);
}

#define T_NUM(v, want) do { char *_s = num(v); T_EQ_STR(_s, want); free(_s); } while (0)

int main(void)
{
    T_NUM(0, "0");
    T_NUM(3, "3");
    T_NUM(-42, "-42");
    T_NUM(0.35, "0.35");
    T_NUM(0.1 + 0.2, "0.30000000000000004");
    T_NUM(1e15, "1e+15");
    T_NUM(-2.9e107, "-2.9e+107");   /* no integer cast out of range */
    T_NUM(1e308 * 10, "null");
    T_NUM(NAN, "null");

    mmr_buf b;
    mmr_buf_init(&b);
    mmr_buf_json_string(&b, "a\"b\\c\n\x01😋", 11);
    T_EQ_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001😋\"");
    mmr_buf_free(&b);
    /* the edges of the plain run: space, '!', '#', '[', ']', '~', DEL stay;
     * the unit separator, tab and CR are escaped */
    mmr_buf_init(&b);
    mmr_buf_json_string(&b, " !#[]~\x7f\x1f\t\r", 10);
    T_EQ_STR(b.data, "\" !#[]~\x7f\\u001f\\t\\r\"");
    mmr_buf_free(&b);
    /* QA: bytes that are not UTF-8 become U+FFFD, so JSON output always
     * parses (a Latin-1 file name in a diagnostic) */
    mmr_buf_init(&b);
    mmr_buf_json_string(&b, "caf\xe9 \xc3\xa9 \xed\xa0\x80 \xf0\x9f\x98", 15);
    T_EQ_STR(b.data, "\"caf\\ufffd \xc3\xa9 \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\"");
    mmr_buf_free(&b);
    mmr_buf_init(&b);
    mmr_buf_utf8(&b, "a\xff" "b", 3);
    T_EQ_STR(b.data, "a\xef\xbf\xbd" "b");
    mmr_buf_free(&b);

    /* QA: only regular files are read; a FIFO fails at once, never blocks */
    size_t len = 0;
    errno = 0;
    T_CHECK(mmr_read_file("tests", &len) == NULL && errno == EISDIR);
    char fifo[] = "/tmp/mmr-test-buf-XXXXXX";
    if (mkdtemp(fifo)) {
        char path[64];
        snprintf(path, sizeof path, "%s/p", fifo);
        if (mkfifo(path, 0600) == 0) {
            errno = 0;
            T_CHECK(mmr_read_file(path, &len) == NULL && errno == MMR_ENOTFILE);
            unlink(path);
        }
        rmdir(fifo);
    }
    return T_DONE("buf");
}
