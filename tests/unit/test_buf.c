/* util/buf: number and JSON string rendering. */
#include <stdlib.h>
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
    return T_DONE("buf");
}
