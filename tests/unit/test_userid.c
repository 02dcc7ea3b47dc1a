/* The user id rule (util/userid.h): its reasons, its preview, its message. */
#include "tests/unit/t.h"
#include "util/userid.h"
#include <stdlib.h>

static const char *why(const char *s, size_t n)
{
    const char *w = mmr_user_id_problem(s, n);
    return w ? w : "ok";
}

static void msg_is(const char *s, size_t n, const char *want, int line)
{
    mmr_buf b;
    mmr_buf_init(&b);
    int rc = mmr_user_id_check(&b, s, n);
    const char *got = rc == 0 ? "ok" : b.data ? b.data : "";
    if (strcmp(got, want) == 0) t_passed++;
    else { t_failed++; fprintf(stderr, "test_userid.c:%d:\n  got:  %s\n  want: %s\n", line, got, want); }
    mmr_buf_free(&b);
}
#define MSG(s, want) msg_is(s, sizeof(s) - 1, want, __LINE__)

int main(void)
{
    char big[400];
    memset(big, 'u', sizeof big);
    /* the reasons */
    T_EQ_STR(why("u1", 2), "ok");
    T_EQ_STR(why("Jos\xC3\xA9 \xE2\x82\xAC 1", 10), "ok");          /* UTF-8 and spaces are fine */
    T_EQ_STR(why("", 0), "is empty");
    T_EQ_STR(why(big, MMR_USER_ID_MAX), "ok");
    T_EQ_STR(why(big, MMR_USER_ID_MAX + 1), "is longer than 255 bytes");
    T_EQ_STR(why("u6\0evil", 7), "holds a NUL byte");
    T_EQ_STR(why("a\xFF", 2), "is not valid UTF-8");
    T_EQ_STR(why("\xC0\xAF", 2), "is not valid UTF-8");          /* overlong '/' */
    T_EQ_STR(why("\xED\xA0\x80", 3), "is not valid UTF-8");      /* a surrogate */
    T_EQ_STR(why("a\tb", 3), "holds a control character");
    T_EQ_STR(why("a\x7F", 2), "holds a control character");
    T_EQ_STR(why("a\xC2\x85", 3), "holds a control character");  /* U+0085, C1 */
    T_EQ_STR(why("a\xC2\xA0", 3), "ok");                         /* U+00A0 is text */

    /* the message: escaped, cut after 16 characters, length in bytes */
    MSG("u1", "ok");
    msg_is(big, 300, "user id \"uuuuuuuuuuuuuuuu\xE2\x80\xA6\" is 300 bytes long; the limit is 255", __LINE__);
    MSG("", "user id \"\" is empty");
    MSG("u6\0evil", "user id \"u6\\u0000evil\" holds a NUL byte");
    MSG("a\"b\\c\nd\re\x1b", "user id \"a\\\"b\\\\c\\nd\\re\\u001b\" holds a control character");
    MSG("bad\xFFz", "user id \"bad\\xFFz\" is not valid UTF-8");
    MSG("\xC2\x9B" "31m", "user id \"\\u009b31m\" holds a control character");
    /* a cut never splits a character: 17 two-byte characters */
    MSG("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\t",
        "user id \"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6\" holds a control character");
    return T_DONE("userid");
}
