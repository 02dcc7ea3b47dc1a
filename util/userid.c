/* User ids: the rule and its messages (see util/userid.h). */
#include "util/userid.h"
#include <string.h>

#define PREVIEW_CHARS 16

/* U+0080-U+009F is C2 80 .. C2 9F in UTF-8. */
static int is_c1(const unsigned char *p, size_t n)
{
    return n == 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;
}

const char *mmr_user_id_problem(const char *s, size_t len)
{
    if (len == 0) return "is empty";
    if (len > MMR_USER_ID_MAX) return "is longer than 255 bytes";
    if (memchr(s, 0, len)) return "holds a NUL byte";
    const unsigned char *u = (const unsigned char *)s;
    int control = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            if (u[i] < 0x20 || u[i] == 0x7F) control = 1;
            i++;
            continue;
        }
        size_t k = mmr_utf8_char_len(s + i, len - i);
        if (!k) return "is not valid UTF-8";
        if (is_c1(u + i, k)) control = 1;
        i += k;
    }
    /* UTF-8 first: a control byte may be part of what is not UTF-8 */
    return control ? "holds a control character" : NULL;
}

void mmr_user_id_preview(mmr_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    mmr_buf_putc(b, '"');
    size_t i = 0;
    for (int shown = 0; i < len && shown < PREVIEW_CHARS; shown++) {
        unsigned c = u[i];
        if (c == '"' || c == '\\') { mmr_buf_putc(b, '\\'); mmr_buf_putc(b, (char)c); i++; continue; }
        if (c == '\n') { mmr_buf_puts(b, "\\n"); i++; continue; }
        if (c == '\r') { mmr_buf_puts(b, "\\r"); i++; continue; }
        if (c == '\t') { mmr_buf_puts(b, "\\t"); i++; continue; }
        if (c < 0x20 || c == 0x7F) { mmr_buf_printf(b, "\\u%04x", c); i++; continue; }
        if (c < 0x80) { mmr_buf_putc(b, (char)c); i++; continue; }
        size_t k = mmr_utf8_char_len(s + i, len - i);
        if (!k) { mmr_buf_printf(b, "\\x%02X", c); i++; continue; }
        if (is_c1(u + i, k)) { mmr_buf_printf(b, "\\u%04x", u[i + 1]); i += k; continue; }
        mmr_buf_append(b, s + i, k);
        i += k;
    }
    if (i < len) mmr_buf_puts(b, "\xE2\x80\xA6");   /* … */
    mmr_buf_putc(b, '"');
}

int mmr_user_id_check(mmr_buf *b, const char *s, size_t len)
{
    const char *why = mmr_user_id_problem(s, len);
    if (!why) return 0;
    mmr_buf_puts(b, "user id ");
    mmr_user_id_preview(b, s, len);
    if (len > MMR_USER_ID_MAX)
        mmr_buf_printf(b, " is %zu bytes long; the limit is %d", len, MMR_USER_ID_MAX);
    else
        mmr_buf_printf(b, " %s", why);
    return -1;
}
